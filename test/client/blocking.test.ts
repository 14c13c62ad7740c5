import { describe, expect, it } from 'vitest';
import { ManagedRedis } from '../../src/index.js';

describe('blocking commands through the ioredis-compatible client', () => {
  it('BLPOP resolves when another client pushes, first come first served', async () => {
    const cache = new ManagedRedis({ clock: 'virtual' });
    const first = cache.createClient();
    const second = cache.createClient();
    const pusher = cache.createClient();
    const a = first.blpop('queue', 0);
    const b = second.blpop('queue', 0);
    await Promise.resolve();
    await pusher.rpush('queue', 'one', 'two');
    expect(await a).toEqual(['queue', 'one']);
    expect(await b).toEqual(['queue', 'two']);
    expect(await pusher.llen('queue')).toBe(0);
    cache.close();
  });

  it('times out on the virtual clock with null', async () => {
    const cache = new ManagedRedis({ clock: 'virtual' });
    const client = cache.createClient();
    let settled = false;
    const pending = client.brpop('empty', 2).then((v: unknown) => {
      settled = true;
      return v;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    cache.clock.advance(2_000);
    expect(await pending).toBeNull();
    cache.close();
  });

  it('rejects a blocked call when the client disconnects', async () => {
    const cache = new ManagedRedis({ clock: 'virtual' });
    const client = cache.createClient();
    const pending = client.blpop('nothing', 0);
    await Promise.resolve();
    client.disconnect();
    await expect(pending).rejects.toThrow('Connection is closed.');
    cache.close();
  });

  it('answers at once on the synchronous facade, as the non-blocking form', () => {
    const cache = new ManagedRedis({ clock: 'virtual' });
    expect(cache.execute(['BLPOP', 'nothing', '0'])).toBeNull();
    cache.close();
  });
});
