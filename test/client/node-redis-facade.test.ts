/**
 * The node-redis facade: `vi.mock('redis', …)` with `emulateNodeRedis` gives the code under test
 * real node-redis clients that reach emulated caches, shared by address with the ioredis facade.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

vi.mock('redis', async (importOriginal) => {
  const { emulateNodeRedis } = await import('azure-managed-redis-emulator/node-redis');
  return emulateNodeRedis(await importOriginal<typeof import('redis')>());
});

import { createClient, createCluster, ErrorReply, RESP_TYPES } from 'redis';
import { getEmulator, resetEmulators, useEmulator } from 'azure-managed-redis-emulator/node-redis';
import { getEmulator as getIoredisEmulator } from 'azure-managed-redis-emulator/ioredis';
import { ManagedRedis } from 'azure-managed-redis-emulator';
import { RateLimiter } from './fixtures/rate-limiter.js';

afterEach(() => resetEmulators());

describe("vi.mock('redis', …emulateNodeRedis)", () => {
  it('gives `createClient` from "redis" a client of the emulated cache', async () => {
    const client = createClient({ url: 'redis://localhost:6379' });
    await client.connect();
    expect(await client.set('k', 'v')).toBe('OK');
    expect(await client.hSet('h', new Map([['a', '1'], ['__proto__', '2']]))).toBe(2);
    const hash = await client.hGetAll('h');
    expect(Object.entries(hash)).toEqual([['a', '1'], ['__proto__', '2']]);
    // Errors are node-redis's own class, with the server's text.
    const error = await client.sendCommand(['SWAPDB', '0', '1']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErrorReply);
    expect((error as Error).message).toBe("ERR unknown command 'SWAPDB', with args beginning with: '0' '1' ");
    // The same address is the same cache for the ioredis facade and for getEmulator.
    expect(getEmulator('redis://localhost:6379').execute(['GET', 'k'])).toBe('v');
    expect(getIoredisEmulator(6379).execute(['GET', 'k'])).toBe('v');
    await client.quit();
    expect(client.isOpen).toBe(false);
  });

  it('replaces node-redis inside the code under test, TLS URL and virtual clock included', async () => {
    const cache = useEmulator(new ManagedRedis({ clock: 'virtual' }), 'rediss://app.eastus.redis.azure.net:10000');
    const limiter = new RateLimiter('rediss://app.eastus.redis.azure.net:10000', 2, 60);
    await limiter.connect();
    expect([await limiter.allow('ada'), await limiter.allow('ada'), await limiter.allow('ada')]).toEqual([true, true, false]);
    expect(cache.execute(['TTL', 'rate:{ada}'])).toBe(60);
    cache.clock.advance(60_000);
    expect(await limiter.allow('ada')).toBe(true);
    // An hour of virtual time: AMR's 10-minute idle close is for TCP clients of listen(), not
    // for the facade's (in-process clients are never closed for idling).
    cache.clock.advance(3_600_000);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await limiter.allow('ada')).toBe(true);
    await limiter.close();
  });

  it('keeps RESP3 and type mapping, credentials from the URL, and duplicate()', async () => {
    const cache = useEmulator(new ManagedRedis({ accessKey: 's3cret' }), 'redis://cache.example:6380');
    // As against a real server, node-redis retries a failed handshake unless told not to.
    const denied = createClient({ url: 'redis://default:wrong@cache.example:6380', socket: { reconnectStrategy: false } });
    denied.on('error', () => {});
    await expect(denied.connect()).rejects.toThrow('WRONGPASS invalid username-password pair or user is disabled.');
    expect(denied.isOpen).toBe(false);

    const client = createClient({ url: 'redis://default:s3cret@cache.example:6380', RESP: 3 });
    await client.connect();
    await client.hSet('h', 'f', 'v');
    const buffers = client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
    expect(await buffers.hGetAll('h')).toEqual({ f: Buffer.from('v') });
    const copy = client.duplicate();
    await copy.connect();
    expect(await copy.get('missing')).toBeNull();
    expect(String(cache.execute(['CLIENT', 'LIST'])).match(/resp=3/g)).toHaveLength(2);
    await copy.quit();
    await client.quit();
  });

  it('fails a database number in the URL as on AMR, which has no SELECT', async () => {
    const client = createClient({ url: 'redis://localhost:6379/1', socket: { reconnectStrategy: false } });
    client.on('error', () => {});
    await expect(client.connect()).rejects.toThrow("ERR unknown command 'SELECT', with args beginning with: '1' ");
    expect(client.isOpen).toBe(false);
  });

  it('gives createCluster the emulated OSS cluster', async () => {
    const cache = useEmulator(new ManagedRedis({ sku: 'Balanced_B5', clusterPolicy: 'OSS' }), 'redis://amr.example:10000');
    const cluster = createCluster({ rootNodes: [{ url: 'rediss://amr.example:10000' }] });
    await cluster.connect();
    for (let i = 0; i < 20; i++) await cluster.set(`key:${i}`, String(i));
    expect(await cluster.get('key:7')).toBe('7');
    // Keys spread over both shards of the SKU, as the cluster client routed them.
    const perShard = cache.shards.map((shard) => shard.keyspace.table.size);
    expect(perShard.every((n) => n > 0)).toBe(true);
    expect(perShard.reduce((a, b) => a + b)).toBe(20);
    await cluster.quit();
  });

  it('lets a script end once its clients quit (the socket server does not hold the process)', async () => {
    const script = `
      import * as redis from 'redis';
      import { emulateNodeRedis } from ${JSON.stringify(fileURLToPath(new URL('../../src/node-redis.ts', import.meta.url)))};
      const client = emulateNodeRedis(redis).createClient();
      await client.connect();
      await client.set('k', 'v');
      console.log(await client.get('k'));
      await client.quit();
    `;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 30_000 });
    expect(stdout.trim()).toBe('v');
  });

  it('leaves the rest of the module alone', async () => {
    const actual = await vi.importActual<typeof import('redis')>('redis');
    expect(RESP_TYPES).toBe(actual.RESP_TYPES);
    expect(ErrorReply).toBe(actual.ErrorReply);
    expect(createClient).not.toBe(actual.createClient);
  });
});
