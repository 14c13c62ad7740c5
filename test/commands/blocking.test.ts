/**
 * Blocking commands and the blocking manager (src/blocking.ts): timeout parsing, the marker a
 * blocking command returns on a connection that may block, first-come first-served service by
 * re-running the command when a key is filled, timeouts on the virtual clock, BLMOVE chains,
 * cancellation, wrong types while waiting, replication effects of served pops, and the sorted-set
 * forms. Connections are made with `cache.openClient` and `canBlock` set, as the async client does.
 */
import { describe, expect, it } from 'vitest';
import { ManagedRedis } from '../../src/managed-redis.js';
import type { ChangeRecord, ClientState } from '../../src/core-types.js';
import type { Bytes } from '../../src/keyspace/bytes.js';
import {
  BlockedReply,
  blockingStats,
  cancelBlocked,
  isBlockedReply,
  isClientBlocked,
  parseTimeout,
  serveReadyClients,
  unblockClient,
  waitForReply,
} from '../../src/blocking.js';
import { NULL_ARRAY, type Reply } from '../../src/protocol/reply.js';
import { ReplyError } from '../../src/protocol/errors.js';
import { toTyped, type Typed } from '../support/oracle.js';
import { describeLive } from '../support/live.js';
import { RespClient } from '../support/resp-client.js';

const NOW = 1_800_000_000_000;

interface Pending {
  done: boolean;
  value?: Reply;
  error?: Error;
  promise: Promise<Reply>;
}

function setup(policy: 'NoCluster' | 'OSS' = 'NoCluster') {
  const cache = new ManagedRedis({ clusterPolicy: policy, clock: 'virtual', startTime: NOW, activeExpiry: false });
  const changes: ChangeRecord[] = [];
  const baseListeners = cache.changeListeners.length;
  const record = (c: ChangeRecord): void => void changes.push(c);
  const connect = (resp: 2 | 3 = 2): { client: ClientState; send(...argv: Bytes[]): Pending } => {
    const client = cache.openClient({ name: null });
    client.canBlock = true;
    client.resp = resp;
    return {
      client,
      send(...argv: Bytes[]): Pending {
        const reply = cache.executeReply(argv, client);
        const promise = isBlockedReply(reply) ? waitForReply(cache, client, argv, reply) : Promise.resolve(reply);
        const pending: Pending = { done: false, promise };
        promise.then(
          (value) => Object.assign(pending, { done: true, value }),
          (error: Error) => Object.assign(pending, { done: true, error }),
        );
        return pending;
      },
    };
  };
  const run = (...argv: Bytes[]): Reply => cache.executeReply(argv);
  return { cache, changes, record, connect, run, baseListeners };
}

/** Lets queued microtasks (serving, promise callbacks) run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const typed = (reply: Reply | undefined, resp: 2 | 3 = 2): Typed => toTyped(reply as Reply, resp);

describe('parseTimeout (getTimeoutFromObjectOrReply, Redis 7.4)', () => {
  const now = 1000;
  const cases: Array<[string, number | string]> = [
    ['0', 0],
    ['1', 2000],
    ['0.5', 1500],
    ['0.0001', 1001], // rounded up to a whole millisecond
    ['0.001', 1001],
    ['1e-400', 1001], // a long double keeps it
    ['-0.0001', 0], // ceil(-0.1 ms) is 0: forever
    ['-0', 0],
    ['0x10', 17000],
    ['+1', 2000],
    ['.5', 1500],
    ['5.', 6000],
    ['-1', 'ERR timeout is negative'],
    ['-inf', 'ERR timeout is negative'],
    ['inf', 'ERR timeout is out of range'],
    ['1e400', 'ERR timeout is out of range'],
    ['9223372036854775807', 'ERR timeout is out of range'],
    ['9223372036854775.807', 'ERR timeout is out of range'],
    ['abc', 'ERR timeout is not a float or out of range'],
    ['nan', 'ERR timeout is not a float or out of range'],
    [' 1', 'ERR timeout is not a float or out of range'],
    ['1 ', 'ERR timeout is not a float or out of range'],
    ['', 'ERR timeout is not a float or out of range'],
    ['1e-5000', 'ERR timeout is not a float or out of range'], // underflows even a long double
  ];
  for (const [text, expected] of cases) {
    it(`${JSON.stringify(text)} → ${expected}`, () => {
      if (typeof expected === 'number') expect(parseTimeout(text, now)).toBe(expected);
      else expect(() => parseTimeout(text, now)).toThrow(expected);
    });
  }
  it('the deadline plus now may not overflow 64 bits', () => {
    expect(() => parseTimeout('9223372036854775', 2_000_000_000_000)).toThrow('ERR timeout is out of range');
  });
});

describe('blocking: waiting and being served', () => {
  it('a connection that may block gets a marker with its keys and deadline', () => {
    const { cache, connect } = setup();
    const c = connect();
    const reply = cache.executeReply(['BLPOP', 'a', 'b', 'a', '2.5'], c.client) as unknown;
    expect(reply).toBeInstanceOf(BlockedReply);
    expect((reply as BlockedReply).keys).toEqual(['a', 'b']);
    expect((reply as BlockedReply).deadline).toBe(NOW + 2500);
    expect((reply as BlockedReply).kind).toBe('list');
    // The synchronous facade cannot block: it answers as a timeout.
    expect(cache.executeReply(['BLPOP', 'a', '0'])).toBe(NULL_ARRAY);
    expect(cache.execute(['BRPOPLPUSH', 'a', 'b', '0'])).toBeNull();
  });

  it('a push serves the waiter with the re-run of its command; the emptied key is gone', async () => {
    const { connect, run } = setup();
    const c = connect();
    const pending = c.send('BLPOP', 'q', '0');
    await settle();
    expect(pending.done).toBe(false);
    expect(run('RPUSH', 'q', 'job')).toBe(1);
    await settle();
    expect(typed(pending.value)).toEqual(['*', [['$', 'q'], ['$', 'job']]]);
    expect(run('EXISTS', 'q')).toBe(0);
  });

  it('waiters are served first-come first-served, one element each', async () => {
    const { connect, run } = setup();
    const [c1, c2, c3] = [connect(), connect(), connect()];
    const p1 = c1.send('BLPOP', 'q', '0');
    const p2 = c2.send('BRPOP', 'q', '0');
    const p3 = c3.send('BLPOP', 'q', '0');
    run('LPUSH', 'q', 'a', 'b'); // [b, a]: c1 takes b from the head, c2 a from the tail
    await settle();
    expect(typed(p1.value)).toEqual(['*', [['$', 'q'], ['$', 'b']]]);
    expect(typed(p2.value)).toEqual(['*', [['$', 'q'], ['$', 'a']]]);
    expect(p3.done).toBe(false); // nothing left: it keeps waiting, first in line now
    const c4 = connect();
    const p4 = c4.send('BLPOP', 'q', '0');
    run('RPUSH', 'q', 'c');
    await settle();
    expect(typed(p3.value)).toEqual(['*', [['$', 'q'], ['$', 'c']]]);
    expect(p4.done).toBe(false);
    run('RPUSH', 'q', 'd');
    await settle();
    expect(typed(p4.value)).toEqual(['*', [['$', 'q'], ['$', 'd']]]);
  });

  it('serving happens right after the command that filled the key, before the next command (as Redis)', async () => {
    const { cache, connect, run } = setup();
    const c = connect();
    const pending = c.send('BLPOP', 'q', '0');
    run('RPUSH', 'q', 'x');
    expect(run('LLEN', 'q')).toBe(0); // served already
    serveReadyClients(cache); // nothing left to serve
    await settle();
    expect(typed(pending.value)).toEqual(['*', [['$', 'q'], ['$', 'x']]]);
  });

  it('commands of a transaction complete before anyone is served', async () => {
    const { connect, run } = setup();
    const c = connect();
    const pending = c.send('BLPOP', 'q', '0');
    run('MULTI');
    run('RPUSH', 'q', 'a');
    run('RPUSH', 'q', 'b');
    run('LPOP', 'q');
    run('EXEC');
    await settle();
    expect(typed(pending.value)).toEqual(['*', [['$', 'q'], ['$', 'b']]]);
  });

  it('separate commands: the waiter is served by the first push', async () => {
    const { connect, run } = setup();
    const c = connect();
    const pending = c.send('BLPOP', 'q', '0');
    run('RPUSH', 'q', 'a');
    run('RPUSH', 'q', 'b');
    expect(run('LPOP', 'q')).toBe('b');
    await settle();
    expect(typed(pending.value)).toEqual(['*', [['$', 'q'], ['$', 'a']]]);
  });

  it('a waiter on several keys re-runs its command: the first key in argument order with data wins', async () => {
    const { connect, run } = setup();
    const c = connect();
    const pending = c.send('BLPOP', 'k1', 'k2', '0');
    run('MULTI');
    run('RPUSH', 'k2', 'two');
    run('RPUSH', 'k1', 'one');
    run('EXEC');
    await settle();
    expect(typed(pending.value)).toEqual(['*', [['$', 'k1'], ['$', 'one']]]);
    expect(run('LRANGE', 'k2', '0', '-1')).toEqual(['two']);
  });

  it('a repeated key blocks once', async () => {
    const { cache, connect, run } = setup();
    const c = connect();
    const pending = c.send('BLPOP', 'q', 'q', '0');
    expect(blockingStats(cache)).toEqual({ blockedClients: 1, blockingKeys: 1 });
    run('RPUSH', 'q', 'x', 'y');
    await settle();
    expect(typed(pending.value)).toEqual(['*', [['$', 'q'], ['$', 'x']]]);
    expect(run('LRANGE', 'q', '0', '-1')).toEqual(['y']);
  });

  it('a key moved into place (RENAME) serves the waiter', async () => {
    const { connect, run } = setup();
    const c = connect();
    const pending = c.send('BLPOP', '{t}q', '0');
    run('RPUSH', '{t}tmp', 'moved');
    await settle();
    expect(pending.done).toBe(false);
    run('RENAME', '{t}tmp', '{t}q');
    await settle();
    expect(typed(pending.value)).toEqual(['*', [['$', '{t}q'], ['$', 'moved']]]);
  });
});

describe('blocking: timeouts on the cache clock', () => {
  it('times out at the deadline with a null array (RESP2 `*-1`), BLMOVE included', async () => {
    const { cache, connect } = setup();
    const c1 = connect();
    const c2 = connect();
    const p1 = c1.send('BLPOP', 'q', '1');
    const p2 = c2.send('BLMOVE', 'q', 'd', 'LEFT', 'LEFT', '0.5');
    cache.clock.advance(499);
    await settle();
    expect(p1.done || p2.done).toBe(false);
    cache.clock.advance(1);
    await settle();
    expect(p2.value).toBe(NULL_ARRAY);
    expect(p1.done).toBe(false);
    cache.clock.advance(500);
    await settle();
    expect(p1.value).toBe(NULL_ARRAY);
    expect(blockingStats(cache)).toEqual({ blockedClients: 0, blockingKeys: 0 });
  });

  it('timeout 0 waits forever', async () => {
    const { cache, connect, run } = setup();
    const c = connect();
    const pending = c.send('BRPOP', 'q', '0');
    cache.clock.advance(10 * 365 * 24 * 3600 * 1000);
    await settle();
    expect(pending.done).toBe(false);
    run('RPUSH', 'q', 'late');
    await settle();
    expect(typed(pending.value)).toEqual(['*', [['$', 'q'], ['$', 'late']]]);
  });

  it('a push made before the deadline is served even when the clock jumps past it at once', async () => {
    const { cache, connect, run } = setup();
    const c = connect();
    const pending = c.send('BLPOP', 'q', '1');
    run('RPUSH', 'q', 'x');
    cache.clock.advance(5000);
    await settle();
    expect(typed(pending.value)).toEqual(['*', [['$', 'q'], ['$', 'x']]]);
  });

  it('the deadline counts from the command, not from when the facade starts waiting', async () => {
    const { cache, connect } = setup();
    const c = connect();
    const argv = ['BLPOP', 'q', '1'];
    const marker = cache.executeReply(argv, c.client) as unknown as BlockedReply;
    cache.clock.advance(600);
    const promise = waitForReply(cache, c.client, argv, marker);
    let value: Reply | undefined;
    void promise.then((v) => (value = v));
    cache.clock.advance(400);
    await settle();
    expect(value).toBe(NULL_ARRAY);
  });
});

describe('blocking: moves, wrong types, cancellation', () => {
  it('BLMOVE chains: each served move makes the next key ready', async () => {
    const { connect, run, cache, record, changes } = setup();
    cache.changeListeners.push(record);
    const [c1, c2, c3] = [connect(), connect(), connect()];
    const p1 = c1.send('BLMOVE', '{t}a', '{t}b', 'RIGHT', 'LEFT', '0');
    const p2 = c2.send('BRPOPLPUSH', '{t}b', '{t}c', '0');
    const p3 = c3.send('BLPOP', '{t}c', '0');
    changes.length = 0;
    run('RPUSH', '{t}a', 'x');
    await settle();
    expect(typed(p1.value)).toEqual(['$', 'x']);
    expect(typed(p2.value)).toEqual(['$', 'x']);
    expect(typed(p3.value)).toEqual(['*', [['$', '{t}c'], ['$', 'x']]]);
    expect(run('EXISTS', '{t}a', '{t}b', '{t}c')).toBe(0);
    // Replication sees the normalised effects of each served command, in order.
    expect(changes.map((c) => c.effects)).toEqual([
      [['RPUSH', '{t}a', 'x']],
      [['LMOVE', '{t}a', '{t}b', 'RIGHT', 'LEFT']],
      [['RPOPLPUSH', '{t}b', '{t}c']],
      [['LPOP', '{t}c']],
    ]);
  });

  it('a key that becomes another type does not wake a list waiter; it is served once a list appears', async () => {
    const { connect, run } = setup();
    const c = connect();
    const pending = c.send('BLPOP', 'q', '0');
    run('SET', 'q', 'text');
    await settle();
    expect(pending.done).toBe(false);
    run('DEL', 'q');
    run('RPUSH', 'q', 'ok');
    await settle();
    expect(typed(pending.value)).toEqual(['*', [['$', 'q'], ['$', 'ok']]]);
  });

  it('a BLMOVE whose destination turned into another type gets WRONGTYPE; the element stays', async () => {
    const { connect, run } = setup();
    const c = connect();
    const pending = c.send('BLMOVE', '{t}src', '{t}dst', 'LEFT', 'LEFT', '0');
    run('SET', '{t}dst', 'text');
    run('RPUSH', '{t}src', 'x');
    await settle();
    expect(pending.error).toBeInstanceOf(ReplyError);
    expect(pending.error!.message).toBe('WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(run('LRANGE', '{t}src', '0', '-1')).toEqual(['x']);
  });

  it('a closed connection stops waiting; the next waiter is served', async () => {
    const { cache, connect, run } = setup();
    const [c1, c2, c3] = [connect(), connect(), connect()];
    const p1 = c1.send('BLPOP', 'q', '0');
    const p2 = c2.send('BLPOP', 'q', '0');
    const p3 = c3.send('BLPOP', 'q', '0');
    expect(isClientBlocked(cache, c1.client)).toBe(true);
    expect(cancelBlocked(cache, c1.client)).toBe(true);
    expect(isClientBlocked(cache, c1.client)).toBe(false);
    cache.closeClient(c2.client); // closed without cancelling: dropped when its turn comes
    run('RPUSH', 'q', 'x');
    await settle();
    expect(p1.error?.message).toBe('Connection is closed.');
    expect(p2.error?.message).toBe('Connection is closed.');
    expect(typed(p3.value)).toEqual(['*', [['$', 'q'], ['$', 'x']]]);
    expect(cancelBlocked(cache, c3.client)).toBe(false);
  });

  it('CLIENT UNBLOCK semantics: as a timeout, or with the UNBLOCKED error', async () => {
    const { cache, connect } = setup();
    const c1 = connect();
    const c2 = connect();
    const p1 = c1.send('BLPOP', 'q', '0');
    const p2 = c2.send('BZPOPMIN', 'z', '0');
    expect(unblockClient(cache, c1.client)).toBe(true);
    expect(unblockClient(cache, c2.client, true)).toBe(true);
    await settle();
    expect(p1.value).toBe(NULL_ARRAY);
    expect(p2.error?.message).toBe('UNBLOCKED client unblocked via CLIENT UNBLOCK');
    expect(unblockClient(cache, c1.client)).toBe(false);
  });

  it('a connection blocks on one command at a time', async () => {
    const { cache, connect } = setup();
    const c = connect();
    c.send('BLPOP', 'q', '0');
    const marker = cache.executeReply(['BLPOP', 'r', '0'], c.client) as unknown as BlockedReply;
    await expect(waitForReply(cache, c.client, ['BLPOP', 'r', '0'], marker)).rejects.toThrow('already blocked');
  });

  it('stops listening to changes once nobody waits', async () => {
    const { cache, connect, run, baseListeners } = setup();
    const c = connect();
    c.send('BLPOP', 'q', '0');
    expect(cache.changeListeners.length).toBe(baseListeners + 1);
    run('RPUSH', 'q', 'x');
    await settle();
    expect(cache.changeListeners.length).toBe(baseListeners);
  });

  it('keys on different shards (OSS) are served where they live', async () => {
    const { connect, run } = setup('OSS');
    const c1 = connect();
    const c2 = connect();
    const p1 = c1.send('BLPOP', 'alpha', '0');
    const p2 = c2.send('BLPOP', 'omega', '0');
    run('RPUSH', 'omega', '2');
    run('RPUSH', 'alpha', '1');
    await settle();
    expect(typed(p1.value)).toEqual(['*', [['$', 'alpha'], ['$', '1']]]);
    expect(typed(p2.value)).toEqual(['*', [['$', 'omega'], ['$', '2']]]);
  });

  it('BLMPOP serves with its COUNT and replicates as LPOP key n', async () => {
    const { cache, connect, run, record, changes } = setup();
    cache.changeListeners.push(record);
    const c = connect(3);
    const pending = c.send('BLMPOP', '0', '2', '{t}a', '{t}b', 'LEFT', 'COUNT', '2');
    changes.length = 0;
    run('RPUSH', '{t}b', '1', '2', '3');
    await settle();
    expect(typed(pending.value, 3)).toEqual(['*', [['$', '{t}b'], ['*', [['$', '1'], ['$', '2']]]]]);
    expect(changes[1].effects).toEqual([['LPOP', '{t}b', '2']]);
  });
});

describe('blocking sorted-set pops', () => {
  it('answer at once with data, in both protocols', () => {
    const { cache } = setup();
    const client = cache.openClient({ name: null });
    const run = (resp: 2 | 3, ...argv: string[]): Typed => {
      client.resp = resp;
      try {
        return toTyped(cache.executeReply(argv, client), resp);
      } catch (error) {
        return ['-', (error as Error).message];
      }
    };
    run(2, 'ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd');
    expect(run(2, 'BZPOPMIN', 'none', 'z', '0')).toEqual(['*', [['$', 'z'], ['$', 'a'], ['$', '1']]]);
    expect(run(3, 'BZPOPMAX', 'z', '0')).toEqual(['*', [['$', 'z'], ['$', 'd'], [',', '4']]]);
    expect(run(2, 'BZMPOP', '0', '1', 'z', 'MIN', 'COUNT', '5')).toEqual([
      '*',
      [['$', 'z'], ['*', [['*', [['$', 'b'], ['$', '2']]], ['*', [['$', 'c'], ['$', '3']]]]]],
    ]);
    expect(run(2, 'EXISTS', 'z')).toEqual([':', '0']);
    expect(cache.executeReply(['BZPOPMIN', 'z', '0'], client)).toBe(NULL_ARRAY);
    expect(cache.executeReply(['BZMPOP', '0', '1', 'z', 'MAX'], client)).toBe(NULL_ARRAY);
  });

  it('argument errors in Redis order', () => {
    const { cache } = setup();
    const run = (...argv: string[]): string => {
      try {
        cache.executeReply(argv);
        return 'no error';
      } catch (error) {
        return (error as Error).message;
      }
    };
    cache.executeReply(['SET', 's', 'v']);
    expect(run('BZPOPMIN', 's', 'x')).toBe('ERR timeout is not a float or out of range');
    expect(run('BZPOPMIN', 's', '0')).toBe('WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(run('BZMPOP', 'x', '0', 's', 'MIN')).toBe('ERR numkeys should be greater than 0');
    expect(run('BZMPOP', 'x', 'abc', 's', 'MIN')).toBe('ERR numkeys should be greater than 0');
    expect(run('BZMPOP', 'x', '1', 's', 'LEFT')).toBe('ERR syntax error');
    expect(run('BZMPOP', 'x', '1', 's', 'MIN', 'COUNT', '0')).toBe('ERR count should be greater than 0');
    expect(run('BZMPOP', 'x', '1', 's', 'MIN')).toBe('ERR timeout is not a float or out of range');
    expect(run('BZMPOP', '0', '1', 's', 'MAX')).toBe('WRONGTYPE Operation against a key holding the wrong kind of value');
  });

  it('a waiter is served by ZADD, not by a list push on its key', async () => {
    const { cache, connect, run, record, changes } = setup();
    cache.changeListeners.push(record);
    const c1 = connect();
    const c2 = connect(3);
    const p1 = c1.send('BZPOPMIN', 'z', '0');
    const p2 = c2.send('BZMPOP', '0', '1', 'z', 'MAX', 'COUNT', '10');
    run('RPUSH', 'z', 'not a zset');
    await settle();
    expect(p1.done || p2.done).toBe(false);
    run('DEL', 'z');
    changes.length = 0;
    run('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c');
    await settle();
    expect(typed(p1.value)).toEqual(['*', [['$', 'z'], ['$', 'a'], ['$', '1']]]);
    expect(typed(p2.value, 3)).toEqual(['*', [['$', 'z'], ['*', [['*', [['$', 'c'], [',', '3']]], ['*', [['$', 'b'], [',', '2']]]]]]]);
    expect(changes.map((c) => c.effects)).toEqual([
      [['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c']],
      [['ZPOPMIN', 'z']],
      [['ZPOPMAX', 'z', '10']],
    ]);
  });

  it('times out with a null array', async () => {
    const { cache, connect } = setup();
    const c = connect();
    const pending = c.send('BZPOPMAX', 'z', '0.25');
    cache.clock.advance(250);
    await settle();
    expect(pending.value).toBe(NULL_ARRAY);
  });
});

// ---------------------------------------------------------------------------------------------
// Live: the same waits against Debian's redis-server (7.0), with real blocked connections.

describeLive('blocking against a live redis-server', (redis) => {
  /** Waits until the server reports `count` more blocked clients than `base`. */
  async function untilBlocked(admin: RespClient, count: number): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const info = await admin.call(['INFO', 'clients']);
      const text = String(info[1]);
      const blocked = Number(/blocked_clients:(\d+)/.exec(text)?.[1] ?? 0);
      if (blocked >= count) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error('clients did not block');
  }

  /**
   * Runs a scenario on both: `waits` are blocking commands sent by one connection each (in order,
   * each after the previous one blocked), then `writes` on another connection; returns each
   * connection's reply, live and emulated.
   */
  async function scenario(waits: string[][], writes: string[][]): Promise<{ live: Typed[]; ours: Typed[] }> {
    const admin = await RespClient.connect(redis.standalone.port, redis.host);
    const waiters = await Promise.all(waits.map(() => RespClient.connect(redis.standalone.port, redis.host)));
    try {
      const base = Number(/blocked_clients:(\d+)/.exec(String((await admin.call(['INFO', 'clients']))[1]))?.[1] ?? 0);
      const livePending: Array<Promise<Typed>> = [];
      for (let i = 0; i < waits.length; i++) {
        livePending.push(waiters[i].call(waits[i]));
        await untilBlocked(admin, base + i + 1);
      }
      for (const argv of writes) await admin.call(argv);
      const live = await Promise.all(livePending);

      const { connect, run } = setup();
      const pendings = waits.map((argv) => connect().send(...argv));
      for (const argv of writes) {
        try {
          run(...argv);
        } catch {
          // errors of the writes themselves are not compared
        }
      }
      await settle();
      const ours = pendings.map((p): Typed => (p.error ? ['-', p.error.message] : typed(p.value)));
      return { live, ours };
    } finally {
      admin.close();
      for (const w of waiters) w.close();
    }
  }

  const tag = (name: string): string => `{blk-${process.pid}}${name}`;

  it('first come first served across connections and keys', async () => {
    const [q, q2] = [tag('q'), tag('q2')];
    const { live, ours } = await scenario(
      [['BLPOP', q, '0'], ['BRPOP', q, '0'], ['BLPOP', q2, q, '0']],
      [['DEL', q, q2], ['LPUSH', q, 'a', 'b', 'c']],
    );
    expect(ours).toEqual(live);
  });

  it('BLMOVE chains and a re-run that scans its keys in order', async () => {
    const [a, b, c, d] = [tag('a'), tag('b'), tag('c'), tag('d')];
    const { live, ours } = await scenario(
      [['BLMOVE', a, b, 'RIGHT', 'LEFT', '0'], ['BRPOPLPUSH', b, c, '0'], ['BLMPOP', '0', '2', d, c, 'LEFT', 'COUNT', '5']],
      [['DEL', a, b, c, d], ['RPUSH', a, 'x', 'y']],
    );
    expect(ours).toEqual(live);
  });

  it('a wrong type on the key does not wake the waiter; on a BLMOVE destination it is the answer', async () => {
    const [q, src, dst] = [tag('wq'), tag('wsrc'), tag('wdst')];
    const { live, ours } = await scenario(
      [['BLPOP', q, '0'], ['BLMOVE', src, dst, 'LEFT', 'LEFT', '0']],
      [['DEL', q, src, dst], ['SET', q, 'text'], ['SET', dst, 'text'], ['RPUSH', src, 'x'], ['DEL', q], ['RPUSH', q, 'later']],
    );
    expect(ours).toEqual(live);
  });

  it('sorted-set waiters are served by ZADD with their scores', async () => {
    const z = tag('z');
    const { live, ours } = await scenario(
      [['BZPOPMIN', z, '0'], ['BZPOPMAX', z, '0'], ['BZMPOP', '0', '1', z, 'MIN', 'COUNT', '2']],
      [['DEL', z], ['ZADD', z, '1.5', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e']],
    );
    expect(ours).toEqual(live);
  });

  it('timeouts answer a null array, BLMOVE included', async () => {
    const live = await RespClient.connect(redis.standalone.port, redis.host);
    try {
      const raw = async (argv: string[]): Promise<string> => {
        const { connect } = await import('node:net');
        return new Promise((resolve, reject) => {
          const socket = connect({ port: redis.standalone.port, host: redis.host }, () => {
            socket.write(`*${argv.length}\r\n${argv.map((x) => `$${Buffer.byteLength(x)}\r\n${x}\r\n`).join('')}`);
          });
          socket.once('data', (data) => {
            resolve(data.toString('latin1'));
            socket.destroy();
          });
          socket.once('error', reject);
        });
      };
      const { cache, connect } = setup();
      for (const argv of [
        ['BLPOP', tag('t1'), '0.01'],
        ['BLMOVE', tag('t1'), tag('t2'), 'LEFT', 'LEFT', '0.01'],
        ['BRPOPLPUSH', tag('t1'), tag('t2'), '0.01'],
        ['BZMPOP', '0.01', '1', tag('t1'), 'MIN'],
      ]) {
        expect(await raw(argv), argv.join(' ')).toBe('*-1\r\n');
        const pending = connect().send(...argv);
        cache.clock.advance(10);
        await settle();
        expect(pending.value, argv.join(' ')).toBe(NULL_ARRAY);
      }
    } finally {
      live.close();
    }
  });
});

describe('blocking on the real clock', () => {
  it('times out on wall-clock time too', async () => {
    const cache = new ManagedRedis({ clusterPolicy: 'NoCluster', activeExpiry: false });
    const client = cache.openClient({ name: null });
    client.canBlock = true;
    const argv = ['BLPOP', 'q', '0.05'];
    const marker = cache.executeReply(argv, client) as unknown as BlockedReply;
    const reply = await waitForReply(cache, client, argv, marker);
    expect(reply).toBe(NULL_ARRAY);
    expect(isClientBlocked(cache, client)).toBe(false);
  });
});
