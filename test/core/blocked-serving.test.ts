/**
 * When a command fills a key that clients are blocked on, Redis serves them before it runs the
 * next command (handleClientsBlockedOnKeys after each command), never inside MULTI/EXEC or a
 * script. A real server answers these sequences with the counts asserted here.
 */
import { describe, expect, it } from 'vitest';
import { ManagedRedis } from '../../src/index.js';

/** A client blocked in BLPOP on `key` (wrapped: an async function would adopt the promise). */
async function blockedOn(cache: ManagedRedis, key: string): Promise<{ reply: Promise<unknown> }> {
  const client = cache.createClient();
  const reply = client.blpop(key, 0);
  await new Promise((resolve) => setImmediate(resolve));
  return { reply };
}

describe('blocked clients are served between commands', () => {
  it('a synchronous push is taken by the blocked client before the next synchronous command', async () => {
    const cache = new ManagedRedis({ clock: 'virtual', clusterPolicy: 'NoCluster' });
    const { reply: pending } = await blockedOn(cache, 'q');
    expect(cache.execute(['RPUSH', 'q', 'a', 'b'])).toBe(2);
    // Served already: the blocked BLPOP took `a` before LLEN ran.
    expect(cache.execute(['LLEN', 'q'])).toBe(1);
    expect(await pending).toEqual(['q', 'a']);
    cache.close();
  });

  it('inside a pipeline: served right after the push, so the next command sees the list without it', async () => {
    const cache = new ManagedRedis({ clock: 'virtual', clusterPolicy: 'NoCluster' });
    const { reply: pending } = await blockedOn(cache, 'q');
    const pusher = cache.createClient();
    const results = await pusher.pipeline().rpush('q', 'x').llen('q').exec();
    expect(results).toEqual([
      [null, 1],
      [null, 0],
    ]);
    expect(await pending).toEqual(['q', 'x']);
    cache.close();
  });

  it('not inside MULTI/EXEC: the transaction sees its own push; the client is served after EXEC', async () => {
    const cache = new ManagedRedis({ clock: 'virtual', clusterPolicy: 'NoCluster' });
    const { reply: pending } = await blockedOn(cache, 'q');
    const pusher = cache.createClient();
    const results = await pusher.multi().rpush('q', 'x').llen('q').exec();
    expect(results).toEqual([
      [null, 1],
      [null, 1],
    ]);
    expect(cache.execute(['LLEN', 'q'])).toBe(0);
    expect(await pending).toEqual(['q', 'x']);
    cache.close();
  });

  it('not inside a script: the script sees its own push', async () => {
    const cache = new ManagedRedis({ clock: 'virtual', clusterPolicy: 'NoCluster' });
    const { reply: pending } = await blockedOn(cache, 'q');
    const script = "redis.call('RPUSH', KEYS[1], 'x'); return redis.call('LLEN', KEYS[1])";
    expect(cache.execute(['EVAL', script, '1', 'q'])).toBe(1);
    expect(cache.execute(['LLEN', 'q'])).toBe(0);
    expect(await pending).toEqual(['q', 'x']);
    cache.close();
  });

  it('only a created key wakes waiters: overwriting an existing key in place does not (dbAdd vs dbSetValue)', async () => {
    const cache = new ManagedRedis({ clock: 'virtual', clusterPolicy: 'NoCluster' });
    const client = cache.createClient();
    let served: unknown = undefined;
    void client.bzpopmin('k', 0).then((reply: unknown) => (served = reply));
    await new Promise((resolve) => setImmediate(resolve));
    cache.execute(['SET', 'k', 'string']); // created, but not a sorted set: the waiter stays
    cache.execute(['ZADD', 'src', '1', 'a']);
    expect(cache.execute(['ZUNIONSTORE', 'k', '1', 'src'])).toBe(1); // overwrites k in place
    await new Promise((resolve) => setImmediate(resolve));
    expect(served).toBeUndefined();
    expect(cache.execute(['ZCARD', 'k'])).toBe(1);
    // RENAME adds the key anew: that wakes the waiter.
    cache.execute(['RENAME', 'k', 'tmp']);
    cache.execute(['RENAME', 'tmp', 'k']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(served).toEqual(['k', 'a', '1']);
    cache.close();
  });
});

describe('CLIENT UNBLOCK and INFO blocked clients', () => {
  it('unblocks as at the timeout, or with -UNBLOCKED, and answers 0 for a client that is not blocked', async () => {
    const cache = new ManagedRedis({ clock: 'virtual', clusterPolicy: 'NoCluster' });
    const a = cache.createClient();
    const b = cache.createClient();
    const idA = (await a.client('ID')) as number;
    const idB = (await b.client('ID')) as number;
    const first = a.blpop('q', 0);
    const second = b.brpop('q', 0).catch((error: Error) => error);
    await new Promise((resolve) => setImmediate(resolve));
    expect(cache.execute(['INFO', 'clients'])).toMatch(/blocked_clients:2\r\n/);
    expect(cache.execute(['INFO', 'clients'])).toMatch(/total_blocking_keys:1\r\n/);
    expect(cache.execute(['CLIENT', 'UNBLOCK', String(idA)])).toBe(1);
    expect(await first).toBeNull();
    expect(cache.execute(['CLIENT', 'UNBLOCK', String(idB), 'ERROR'])).toBe(1);
    expect(String(await second)).toContain('UNBLOCKED client unblocked via CLIENT UNBLOCK');
    expect(cache.execute(['CLIENT', 'UNBLOCK', String(idB)])).toBe(0);
    expect(cache.execute(['CLIENT', 'UNBLOCK', '999'])).toBe(0);
    expect(cache.execute(['INFO', 'clients'])).toMatch(/blocked_clients:0\r\n/);
    // Errors as redis-server answers them, in its order: count, reason, id.
    expect(() => cache.execute(['CLIENT', 'UNBLOCK', '1', '2', '3'])).toThrow(
      "ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP.",
    );
    expect(() => cache.execute(['CLIENT', 'UNBLOCK', 'abc', 'foo'])).toThrow('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
    expect(() => cache.execute(['CLIENT', 'UNBLOCK', 'abc'])).toThrow('ERR value is not an integer or out of range');
    cache.close();
  });
});
