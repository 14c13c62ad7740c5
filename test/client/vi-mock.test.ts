/**
 * The intended use in a test suite: replace ioredis with the emulator for the code under test.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.mock('ioredis', () => import('azure-managed-redis-emulator/ioredis'));

import Redis, { Cluster, ReplyError } from 'ioredis';
import { getEmulator, resetEmulators, useEmulator } from 'azure-managed-redis-emulator/ioredis';
import { ManagedRedis } from 'azure-managed-redis-emulator';
import { SessionStore } from './fixtures/session-store.js';

afterEach(() => resetEmulators());

describe("vi.mock('ioredis', () => import('azure-managed-redis-emulator/ioredis'))", () => {
  it('gives `import Redis from "ioredis"` the emulator', async () => {
    const redis = new Redis('redis://localhost:6379');
    expect(await redis.set('k', 'v')).toBe('OK');
    expect(await redis.get('k')).toBe('v');
    const error = await redis.swapdb('0', '1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplyError);
    expect((error as Error).message).toBe("ERR unknown command 'swapdb', with args beginning with: '0' '1' ");
    expect(getEmulator('redis://localhost:6379').execute(['GET', 'k'])).toBe('v');
    await redis.quit();
    expect(redis.status).toBe('end');
  });

  it('replaces ioredis inside the code under test, sharing the cache by address', async () => {
    const cache = useEmulator(new ManagedRedis({ clock: 'virtual' }), 'redis://cache.example:6380');
    const store = new SessionStore('redis://cache.example:6380');
    await store.save('abc', { user: 'ada' }, 60);
    expect(cache.execute(['GET', 'session:abc'])).toBe('{"user":"ada"}');
    expect(await store.load('abc')).toEqual({ user: 'ada' });
    cache.clock.advance(60_000);
    expect(await store.load('abc')).toBeNull();
    await store.close();
  });

  it('gives Redis.Cluster and the named Cluster export the emulated cluster client', async () => {
    expect(Redis.Cluster).toBe(Cluster);
    const cluster = new Cluster([{ host: '127.0.0.1', port: 7000 }]);
    await cluster.set('{user:1}:name', 'ada');
    const results = await cluster.pipeline().get('{user:1}:name').exists('{user:1}:other').exec();
    expect(results).toEqual([[null, 'ada'], [null, 0]]);
    await cluster.quit();
  });
});
