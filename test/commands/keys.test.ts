/**
 * The generic key commands against the behaviour of Redis 7.4 (and AMR's one database): replies,
 * error texts, expiry, whole-database commands over several shards, cross-slot rules, and what
 * each write reports through the change hook.
 *
 * Keys are seeded straight into the owning shard's keyspace, so these tests do not depend on the
 * string commands.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManagedRedis, type ManagedRedisOptions } from '../../src/managed-redis.js';
import { keySlot } from '../../src/cluster/slots.js';
import { keyName, type Bytes } from '../../src/keyspace/bytes.js';
import { RedisObject, rawStrings, type StoredValue } from '../../src/keyspace/keyspace.js';
import { StatusReply, type Reply } from '../../src/protocol/reply.js';
import type { ChangeRecord } from '../../src/core-types.js';
import { sameReply, toTyped, type Typed } from '../support/oracle.js';
import { describeLive } from '../support/live.js';
import { RespClient } from '../support/resp-client.js';

const T0 = 1_735_689_600_000;

const caches: ManagedRedis[] = [];
afterEach(() => {
  for (const c of caches.splice(0)) c.close();
});

function cache(options: ManagedRedisOptions = {}): ManagedRedis {
  const c = new ManagedRedis({ clock: 'virtual', startTime: T0, seed: 3, activeExpiry: false, ...options });
  caches.push(c);
  return c;
}

/** A one-shard cache with Redis's default policy (as the recorded transcripts ran). */
function single(options: ManagedRedisOptions = {}): ManagedRedis {
  return cache({ clusterPolicy: 'NoCluster', evictionPolicy: 'noeviction', ...options });
}

function run(c: ManagedRedis, ...argv: Bytes[]): Reply {
  return c.executeReply(argv);
}

function fail(c: ManagedRedis, ...argv: Bytes[]): string {
  try {
    c.executeReply(argv);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`${argv.join(' ')} did not fail`);
}

/** Stores a value in the shard that owns the key, optionally with a TTL in ms. */
function put(c: ManagedRedis, key: string, value: StoredValue, ttlMs?: number): void {
  const ks = c.shardForSlot(keySlot(key)).keyspace;
  ks.set(keyName(key), value);
  if (ttlMs !== undefined) ks.setExpire(keyName(key), c.clock.now() + ttlMs);
}

function has(c: ManagedRedis, key: string): boolean {
  return c.shards.some((s) => s.keyspace.holds(keyName(key)));
}

function status(reply: Reply): string {
  expect(reply).toBeInstanceOf(StatusReply);
  return (reply as StatusReply).value;
}

function record(c: ManagedRedis): ChangeRecord[] {
  const changes: ChangeRecord[] = [];
  c.changeListeners.push((change) => changes.push(change));
  return changes;
}

/** `count` keys on pairwise different shards. */
function keysOnDifferentShards(c: ManagedRedis, count: number): string[] {
  const byShard = new Map<number, string>();
  for (let i = 0; byShard.size < count; i++) {
    const key = `key:${i}`;
    const shard = c.topology.slotToShard[keySlot(key)];
    if (!byShard.has(shard)) byShard.set(shard, key);
  }
  return [...byShard.values()];
}

class FakeList extends RedisObject {
  readonly type = 'list';
  constructor(readonly items: string[]) {
    super();
  }
  encoding(): string {
    return 'listpack';
  }
  clone(): FakeList {
    return new FakeList([...this.items]);
  }
}

const CROSSSLOT = "CROSSSLOT Keys in request don't hash to the same slot";

describe('DEL UNLINK EXISTS TOUCH', () => {
  it('count existing keys: DEL once per key, EXISTS and TOUCH once per argument', () => {
    const c = single();
    put(c, 'a', '1');
    put(c, 'b', '2');
    expect(run(c, 'EXISTS', 'a', 'a', 'b', 'nope')).toBe(3);
    expect(run(c, 'TOUCH', 'a', 'a', 'nope')).toBe(2);
    expect(run(c, 'DEL', 'a', 'a', 'nope')).toBe(1);
    expect(run(c, 'UNLINK', 'b', 'b')).toBe(1);
    expect(has(c, 'a') || has(c, 'b')).toBe(false);
  });

  it('do not count keys whose TTL has passed, and collect them', () => {
    const c = single();
    put(c, 'a', '1', 1000);
    c.clock.advance(1000);
    expect(run(c, 'EXISTS', 'a')).toBe(0);
    put(c, 'b', '1', 1000);
    c.clock.advance(1000);
    expect(run(c, 'DEL', 'b')).toBe(0);
    expect(c.shards[0].keyspace.expiredCount).toBe(2);
  });

  it('report `del` per removed key; UNLINK replicates as itself', () => {
    const c = single();
    put(c, 'a', '1');
    put(c, 'b', '1');
    const changes = record(c);
    run(c, 'UNLINK', 'a', 'x', 'b');
    expect(changes).toHaveLength(1);
    expect(changes[0].keys).toEqual(['a', 'b']);
    expect(changes[0].events).toEqual(['del', 'del']);
    expect(changes[0].effects).toEqual([['UNLINK', 'a', 'x', 'b']]);
    run(c, 'DEL', 'nope');
    expect(changes).toHaveLength(1);
  });

  it('Enterprise: cross-slot across shards, summed', () => {
    const c = cache({ clusterPolicy: 'Enterprise' });
    const [k1, k2] = keysOnDifferentShards(c, 2);
    put(c, k1, '1');
    put(c, k2, '2');
    expect(run(c, 'EXISTS', k1, k2, k1)).toBe(3);
    expect(run(c, 'TOUCH', k1, k2)).toBe(2);
    expect(run(c, 'DEL', k1, k2)).toBe(2);
    expect(has(c, k1) || has(c, k2)).toBe(false);
  });

  it('OSS: cross-slot is refused; geo-replication makes DEL/UNLINK single-slot under Enterprise', () => {
    const oss = cache({ clusterPolicy: 'OSS' });
    expect(fail(oss, 'EXISTS', 'a', 'b')).toBe(CROSSSLOT);
    const geo = cache({ clusterPolicy: 'Enterprise', geoReplication: true });
    const [k1, k2] = keysOnDifferentShards(geo, 2);
    expect(fail(geo, 'DEL', k1, k2)).toBe(CROSSSLOT);
    expect(fail(geo, 'UNLINK', k1, k2)).toBe(CROSSSLOT);
    expect(run(geo, 'EXISTS', k1, k2)).toBe(0);
  });

  it('need a key', () => {
    const c = single();
    for (const name of ['del', 'unlink', 'exists', 'touch']) {
      expect(fail(c, name.toUpperCase())).toBe(`ERR wrong number of arguments for '${name}' command`);
    }
  });
});

describe('keyspace hits and misses (INFO stats)', () => {
  it('count the read lookups Redis counts, and not the write lookups', () => {
    const c = single();
    put(c, 'a', '1');
    const counts = (): [number, number] => [c.stats.keyspaceHits, c.stats.keyspaceMisses];
    const steps: Array<[Bytes[], [number, number]]> = [
      [['EXISTS', 'a', 'nope'], [1, 1]],
      [['TYPE', 'a'], [1, 0]],
      [['TYPE', 'nope'], [0, 1]],
      [['TTL', 'a'], [1, 0]],
      [['PTTL', 'nope'], [0, 1]],
      [['TOUCH', 'a', 'nope'], [1, 1]],
      [['OBJECT', 'ENCODING', 'a'], [1, 0]],
      [['OBJECT', 'ENCODING', 'nope'], [0, 1]],
      [['COPY', 'a', 'b'], [1, 0]],
      [['COPY', 'nope', 'c'], [0, 1]],
      [['RENAME', 'b', 'c'], [0, 0]],
      [['EXPIRE', 'c', '100'], [0, 0]],
      [['PERSIST', 'c'], [0, 0]],
      [['DEL', 'c'], [0, 0]],
      [['SCAN', '0', 'TYPE', 'string'], [1, 0]],
      [['SCAN', '0'], [0, 0]],
      [['RANDOMKEY'], [0, 0]],
      [['KEYS', '*'], [0, 0]],
    ];
    for (const [argv, [hits, misses]] of steps) {
      const [h0, m0] = counts();
      run(c, ...argv);
      expect([c.stats.keyspaceHits - h0, c.stats.keyspaceMisses - m0], argv.join(' ')).toEqual([hits, misses]);
    }
  });
});

describe('TYPE', () => {
  it('answers a status with the type name, none when missing', () => {
    const c = single();
    put(c, 's', 'v');
    put(c, 'l', new FakeList(['x']));
    expect(status(run(c, 'TYPE', 's'))).toBe('string');
    expect(status(run(c, 'TYPE', 'l'))).toBe('list');
    expect(status(run(c, 'TYPE', 'nope'))).toBe('none');
    put(c, 'gone', 'v', 10);
    c.clock.advance(10);
    expect(status(run(c, 'TYPE', 'gone'))).toBe('none');
  });
});

describe('RENAME RENAMENX', () => {
  it('moves the value and its TTL; the old destination and its TTL are gone', () => {
    const c = single();
    put(c, 'a', '1', 100_000);
    put(c, 'b', 'old', 5000);
    expect(status(run(c, 'RENAME', 'a', 'b'))).toBe('OK');
    expect(has(c, 'a')).toBe(false);
    expect(c.shards[0].keyspace.valueOf('b')).toBe('1');
    expect(run(c, 'TTL', 'b')).toBe(100);
    put(c, 'c', 'x');
    expect(status(run(c, 'RENAME', 'b', 'c'))).toBe('OK');
    expect(run(c, 'TTL', 'c')).toBe(100);
    put(c, 'p', 'persistent');
    put(c, 'q', 'volatile', 1000);
    run(c, 'RENAME', 'p', 'q');
    expect(run(c, 'TTL', 'q')).toBe(-1);
  });

  it('errors on a missing source, even onto itself; renaming onto itself is OK / 0', () => {
    const c = single();
    expect(fail(c, 'RENAME', 'nope', 'x')).toBe('ERR no such key');
    expect(fail(c, 'RENAME', 'nope', 'nope')).toBe('ERR no such key');
    expect(fail(c, 'RENAMENX', 'nope', 'x')).toBe('ERR no such key');
    put(c, 'a', '1');
    expect(status(run(c, 'RENAME', 'a', 'a'))).toBe('OK');
    expect(run(c, 'RENAMENX', 'a', 'a')).toBe(0);
  });

  it('RENAMENX leaves an existing destination alone', () => {
    const c = single();
    put(c, 'a', '1');
    put(c, 'b', '2');
    expect(run(c, 'RENAMENX', 'a', 'b')).toBe(0);
    expect(run(c, 'RENAMENX', 'a', 'c')).toBe(1);
    expect(c.shards[0].keyspace.valueOf('b')).toBe('2');
    expect(c.shards[0].keyspace.valueOf('c')).toBe('1');
  });

  it('reports rename_from then rename_to', () => {
    const c = single();
    put(c, 'a', '1');
    const changes = record(c);
    run(c, 'RENAME', 'a', 'b');
    expect(changes[0].keys).toEqual(['a', 'b']);
    expect(changes[0].events).toEqual(['rename_from', 'rename_to']);
  });

  it('needs both keys in one slot under the cluster policies', () => {
    expect(fail(cache({ clusterPolicy: 'OSS' }), 'RENAME', 'a', 'b')).toBe(CROSSSLOT);
    expect(fail(cache({ clusterPolicy: 'Enterprise' }), 'RENAME', 'a', 'b')).toBe(CROSSSLOT);
    const c = cache({ clusterPolicy: 'OSS' });
    put(c, '{t}a', '1');
    expect(status(run(c, 'RENAME', '{t}a', '{t}b'))).toBe('OK');
  });
});

describe('COPY', () => {
  it('copies value and TTL; REPLACE overwrites, otherwise 0', () => {
    const c = single();
    put(c, 'a', '1', 50_000);
    expect(run(c, 'COPY', 'a', 'b')).toBe(1);
    expect(run(c, 'TTL', 'b')).toBe(50);
    put(c, 'a', 'two');
    expect(run(c, 'COPY', 'a', 'b')).toBe(0);
    expect(run(c, 'COPY', 'a', 'b', 'REPLACE')).toBe(1);
    expect(run(c, 'TTL', 'b')).toBe(-1);
    expect(run(c, 'COPY', 'nope', 'b', 'replace', 'DB', '0')).toBe(0);
  });

  it('deep-copies typed values', () => {
    const c = single();
    const list = new FakeList(['x']);
    put(c, 'l', list);
    run(c, 'COPY', 'l', 'm');
    const copyValue = c.shards[0].keyspace.valueOf('m') as FakeList;
    expect(copyValue).toBeInstanceOf(FakeList);
    expect(copyValue).not.toBe(list);
    expect(copyValue.items).toEqual(['x']);
  });

  it('has one database: DB 0 only, with Redis 7.4 errors in argument order', () => {
    const c = single();
    put(c, 'a', '1');
    expect(fail(c, 'COPY', 'a', 'b', 'DB', '1')).toBe('ERR DB index is out of range');
    expect(fail(c, 'COPY', 'a', 'b', 'DB', '-1')).toBe('ERR DB index is out of range');
    expect(fail(c, 'COPY', 'a', 'b', 'DB', 'x')).toBe('ERR value is not an integer or out of range');
    expect(fail(c, 'COPY', 'a', 'b', 'DB', '3000000000')).toBe(
      'ERR value is out of range, value must between -2147483648 and 2147483647',
    );
    expect(fail(c, 'COPY', 'a', 'b', 'DB')).toBe('ERR syntax error');
    expect(fail(c, 'COPY', 'a', 'b', 'FOO')).toBe('ERR syntax error');
    expect(fail(c, 'COPY', 'a', 'a')).toBe('ERR source and destination objects are the same');
    expect(fail(c, 'COPY', 'nope', 'nope')).toBe('ERR source and destination objects are the same');
    expect(fail(c, 'COPY', 'a', 'a', 'DB', '1')).toBe('ERR DB index is out of range');
  });

  it('reports copy_to for the destination', () => {
    const c = single();
    put(c, 'a', '1');
    const changes = record(c);
    run(c, 'COPY', 'a', 'b');
    expect(changes[0].keys).toEqual(['b']);
    expect(changes[0].events).toEqual(['copy_to']);
  });
});

describe('EXPIRE PEXPIRE EXPIREAT PEXPIREAT', () => {
  it('set an absolute expiry that the clock then enforces', () => {
    const c = single();
    put(c, 'a', '1');
    expect(run(c, 'EXPIRE', 'a', '10')).toBe(1);
    expect(run(c, 'PTTL', 'a')).toBe(10_000);
    expect(run(c, 'PEXPIRE', 'a', '1500')).toBe(1);
    expect(run(c, 'TTL', 'a')).toBe(2);
    expect(run(c, 'EXPIREAT', 'a', String(T0 / 1000 + 30))).toBe(1);
    expect(run(c, 'EXPIRETIME', 'a')).toBe(T0 / 1000 + 30);
    expect(run(c, 'PEXPIREAT', 'a', String(T0 + 4321))).toBe(1);
    expect(run(c, 'PEXPIRETIME', 'a')).toBe(T0 + 4321);
    c.clock.advance(4320);
    expect(run(c, 'EXISTS', 'a')).toBe(1);
    c.clock.advance(1);
    expect(run(c, 'EXISTS', 'a')).toBe(0);
    expect(run(c, 'EXPIRE', 'a', '10')).toBe(0);
  });

  it('delete the key for a time already past, and replicate a DEL', () => {
    const c = single();
    put(c, 'a', '1');
    put(c, 'b', '1');
    const changes = record(c);
    expect(run(c, 'EXPIRE', 'a', '0')).toBe(1);
    expect(run(c, 'PEXPIREAT', 'b', String(T0 - 1))).toBe(1);
    expect(has(c, 'a') || has(c, 'b')).toBe(false);
    expect(changes.map((ch) => [ch.events, ch.effects])).toEqual([
      [['del'], [['DEL', 'a']]],
      [['del'], [['DEL', 'b']]],
    ]);
    put(c, 'now', '1');
    expect(run(c, 'PEXPIREAT', 'now', String(T0))).toBe(1);
    expect(has(c, 'now')).toBe(false);
  });

  it('replicate as PEXPIREAT with the absolute time', () => {
    const c = single();
    put(c, 'a', '1');
    const changes = record(c);
    run(c, 'EXPIRE', 'a', '10');
    run(c, 'PEXPIRE', 'a', '20');
    run(c, 'EXPIREAT', 'a', String(T0 / 1000 + 5));
    expect(changes.map((ch) => ch.effects[0])).toEqual([
      ['PEXPIREAT', 'a', String(T0 + 10_000)],
      ['PEXPIREAT', 'a', String(T0 + 20)],
      ['PEXPIREAT', 'a', String(T0 + 5000)],
    ]);
    expect(changes[0].events).toEqual(['expire']);
  });

  it('NX XX GT LT (a key without TTL counts as infinite for GT and LT)', () => {
    const c = single();
    put(c, 'a', '1');
    expect(run(c, 'EXPIRE', 'a', '10', 'XX')).toBe(0);
    expect(run(c, 'EXPIRE', 'a', '10', 'GT')).toBe(0);
    expect(run(c, 'EXPIRE', 'a', '10', 'LT')).toBe(1);
    expect(run(c, 'EXPIRE', 'a', '10', 'NX')).toBe(0);
    expect(run(c, 'EXPIRE', 'a', '5', 'gt')).toBe(0);
    expect(run(c, 'EXPIRE', 'a', '50', 'Gt')).toBe(1);
    expect(run(c, 'EXPIRE', 'a', '50', 'LT')).toBe(0);
    expect(run(c, 'EXPIRE', 'a', '20', 'lt', 'xx')).toBe(1);
    expect(run(c, 'TTL', 'a')).toBe(20);
    expect(run(c, 'EXPIRE', 'nope', '20', 'NX')).toBe(0);
  });

  it('check options before the number, and the number before the key', () => {
    const c = single();
    expect(fail(c, 'EXPIRE', 'a', 'abc', 'NX', 'XX')).toBe(
      'ERR NX and XX, GT or LT options at the same time are not compatible',
    );
    expect(fail(c, 'EXPIRE', 'a', '1', 'NX', 'GT')).toBe(
      'ERR NX and XX, GT or LT options at the same time are not compatible',
    );
    expect(fail(c, 'PEXPIRE', 'a', 'abc', 'GT', 'LT')).toBe('ERR GT and LT options at the same time are not compatible');
    expect(fail(c, 'EXPIRE', 'a', 'abc', 'foo')).toBe('ERR Unsupported option foo');
    expect(fail(c, 'EXPIRE', 'a', 'abc', 'NX', 'foo', 'XX')).toBe('ERR Unsupported option foo');
    expect(fail(c, 'EXPIRE', 'a', 'abc')).toBe('ERR value is not an integer or out of range');
    expect(fail(c, 'EXPIRE', 'a', '1.5')).toBe('ERR value is not an integer or out of range');
  });

  it('refuse times that overflow, in each command’s own name', () => {
    const c = single();
    put(c, 'a', '1');
    expect(fail(c, 'EXPIRE', 'a', '9223372036854775')).toBe("ERR invalid expire time in 'expire' command");
    expect(fail(c, 'EXPIRE', 'a', '-9223372036854776')).toBe("ERR invalid expire time in 'expire' command");
    expect(fail(c, 'PEXPIRE', 'a', '9223372036854775807')).toBe("ERR invalid expire time in 'pexpire' command");
    expect(fail(c, 'EXPIREAT', 'a', '9223372036854776')).toBe("ERR invalid expire time in 'expireat' command");
    expect(run(c, 'EXPIREAT', 'a', '9223372036854775')).toBe(1);
    expect(run(c, 'PEXPIREAT', 'a', '9223372036854775807')).toBe(1);
    expect(run(c, 'EXPIRE', 'a', '-9223372036854775')).toBe(1);
    expect(run(c, 'EXISTS', 'a')).toBe(0);
  });
});

describe('TTL PTTL EXPIRETIME PEXPIRETIME PERSIST', () => {
  it('-2 for a missing key, -1 without TTL; seconds round to nearest', () => {
    const c = single();
    for (const name of ['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME']) expect(run(c, name, 'nope')).toBe(-2);
    put(c, 'a', '1');
    for (const name of ['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME']) expect(run(c, name, 'a')).toBe(-1);
    put(c, 'b', '1', 1499);
    expect(run(c, 'TTL', 'b')).toBe(1);
    put(c, 'b', '1', 1500);
    expect(run(c, 'TTL', 'b')).toBe(2);
    expect(run(c, 'PTTL', 'b')).toBe(1500);
    run(c, 'PEXPIREAT', 'b', String(T0 + 10_499));
    expect(run(c, 'EXPIRETIME', 'b')).toBe((T0 + 10_000) / 1000);
    run(c, 'PEXPIREAT', 'b', String(T0 + 10_500));
    expect(run(c, 'EXPIRETIME', 'b')).toBe((T0 + 11_000) / 1000);
  });

  it('PERSIST removes a TTL (1), else 0', () => {
    const c = single();
    put(c, 'a', '1', 1000);
    const changes = record(c);
    expect(run(c, 'PERSIST', 'a')).toBe(1);
    expect(run(c, 'PERSIST', 'a')).toBe(0);
    expect(run(c, 'PERSIST', 'nope')).toBe(0);
    expect(run(c, 'TTL', 'a')).toBe(-1);
    expect(changes.map((ch) => ch.events)).toEqual([['persist']]);
  });
});

describe('KEYS SCAN DBSIZE RANDOMKEY over every shard', () => {
  function filled(options: ManagedRedisOptions, count: number): ManagedRedis {
    const c = cache(options);
    for (let i = 0; i < count; i++) put(c, `user:${i}`, String(i));
    put(c, 'list', new FakeList(['a']));
    return c;
  }

  it('cover all shards of the connection', () => {
    const c = filled({ clusterPolicy: 'Enterprise' }, 50);
    expect(c.shards.length).toBeGreaterThan(1);
    expect(c.shards.every((s) => s.keyspace.size > 0)).toBe(true);
    expect(run(c, 'DBSIZE')).toBe(51);
    expect((run(c, 'KEYS', '*') as string[]).length).toBe(51);
    expect((run(c, 'KEYS', 'user:1?') as string[]).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `user:1${i}`).sort(),
    );
  });

  it('KEYS skips keys whose TTL passed without collecting them (DBSIZE still counts them)', () => {
    const c = single();
    put(c, 'a', '1', 10);
    put(c, 'b', '1');
    c.clock.advance(10);
    expect(run(c, 'KEYS', '*')).toEqual(['b']);
    expect(run(c, 'DBSIZE')).toBe(2);
  });

  it('SCAN: a full iteration returns every key, in batches, the cursor as a string', () => {
    const c = filled({ clusterPolicy: 'OSS' }, 200);
    const seen: string[] = [];
    let cursor = '0';
    let calls = 0;
    do {
      const [next, batch] = run(c, 'SCAN', cursor, 'COUNT', '7') as [string, string[]];
      expect(typeof next).toBe('string');
      seen.push(...batch);
      cursor = next;
      calls++;
    } while (cursor !== '0');
    expect(calls).toBeGreaterThan(20);
    expect(new Set(seen).size).toBe(201);
  });

  it('SCAN MATCH and TYPE filter after sampling; an unknown type matches nothing', () => {
    const c = filled({ clusterPolicy: 'NoCluster' }, 5);
    expect(run(c, 'SCAN', '0', 'MATCH', 'user:[12]')).toEqual(['0', expect.arrayContaining(['user:1', 'user:2'])]);
    expect(((run(c, 'SCAN', '0', 'MATCH', 'user:[12]') as Reply[])[1] as string[]).length).toBe(2);
    expect(run(c, 'SCAN', '0', 'TYPE', 'LIST')).toEqual(['0', ['list']]);
    expect(((run(c, 'SCAN', '0', 'TYPE', 'string') as Reply[])[1] as string[]).length).toBe(5);
    expect(run(c, 'SCAN', '0', 'TYPE', 'nosuchtype')).toEqual(['0', []]);
  });

  it('SCAN collects keys whose TTL has passed', () => {
    const c = single();
    put(c, 'a', '1', 10);
    put(c, 'b', '1');
    c.clock.advance(10);
    expect(run(c, 'SCAN', '0')).toEqual(['0', ['b']]);
    expect(run(c, 'DBSIZE')).toBe(1);
  });

  it('SCAN errors as Redis 7.4', () => {
    const c = single();
    expect(fail(c, 'SCAN', 'x')).toBe('ERR invalid cursor');
    expect(fail(c, 'SCAN', '-1')).toBe('ERR invalid cursor');
    expect(fail(c, 'SCAN', '1 ')).toBe('ERR invalid cursor');
    expect(fail(c, 'SCAN', 'x', 'COUNT', '0')).toBe('ERR invalid cursor');
    expect(fail(c, 'SCAN', '0', 'COUNT', '0')).toBe('ERR syntax error');
    expect(fail(c, 'SCAN', '0', 'COUNT', 'x')).toBe('ERR value is not an integer or out of range');
    expect(fail(c, 'SCAN', '0', 'COUNT')).toBe('ERR syntax error');
    expect(fail(c, 'SCAN', '0', 'MATCH')).toBe('ERR syntax error');
    expect(fail(c, 'SCAN', '0', 'FOO', 'x')).toBe('ERR syntax error');
    expect(fail(c, 'SCAN', '0', 'NOVALUES')).toBe('ERR NOVALUES option can only be used in HSCAN');
    expect(run(c, 'SCAN', ' 0')).toEqual(['0', []]);
  });

  it('RANDOMKEY: nil when empty, a live key otherwise, reproducible for a seed', () => {
    const empty = single();
    expect(run(empty, 'RANDOMKEY')).toBeNull();
    const draw = (): Reply[] => {
      const c = filled({ clusterPolicy: 'Enterprise', seed: 11 }, 40);
      return Array.from({ length: 20 }, () => run(c, 'RANDOMKEY'));
    };
    const first = draw();
    expect(first).toEqual(draw());
    expect(new Set(first).size).toBeGreaterThan(5);
    for (const key of first) expect(key === 'list' || /^user:\d+$/.test(key as string)).toBe(true);
  });

  it('RANDOMKEY collects expired keys it draws and draws again', () => {
    const c = single();
    for (let i = 0; i < 10; i++) put(c, `gone:${i}`, '1', 5);
    put(c, 'stays', '1');
    c.clock.advance(5);
    expect(run(c, 'RANDOMKEY')).toBe('stays');
    const only = single();
    put(only, 'x', '1', 5);
    only.clock.advance(5);
    expect(run(only, 'RANDOMKEY')).toBeNull();
    expect(run(only, 'DBSIZE')).toBe(0);
  });
});

describe('FLUSHDB FLUSHALL', () => {
  it('empty every shard; ASYNC and SYNC are accepted', () => {
    for (const name of ['FLUSHALL', 'FLUSHDB']) {
      for (const option of [[], ['ASYNC'], ['sync']]) {
        const c = cache({ clusterPolicy: 'Enterprise' });
        for (let i = 0; i < 20; i++) put(c, `k${i}`, '1');
        expect(status(run(c, name, ...option))).toBe('OK');
        expect(run(c, 'DBSIZE')).toBe(0);
      }
    }
  });

  it('anything else is a syntax error', () => {
    const c = single();
    put(c, 'a', '1');
    expect(fail(c, 'FLUSHALL', 'x')).toBe('ERR syntax error');
    expect(fail(c, 'FLUSHDB', 'ASYNC', 'ASYNC')).toBe('ERR syntax error');
    expect(run(c, 'DBSIZE')).toBe(1);
  });

  it('are unknown commands with active geo-replication', () => {
    const c = cache({ clusterPolicy: 'Enterprise', geoReplication: true });
    put(c, 'a', '1');
    expect(fail(c, 'FLUSHALL')).toBe("ERR unknown command 'FLUSHALL', with args beginning with: ");
    expect(fail(c, 'flushdb', 'ASYNC')).toBe("ERR unknown command 'flushdb', with args beginning with: 'ASYNC' ");
    expect(run(c, 'DBSIZE')).toBe(1);
  });

  it('report every removed key, per shard, replicated as FLUSHALL', () => {
    const c = cache({ clusterPolicy: 'Enterprise' });
    const keys = keysOnDifferentShards(c, 2);
    for (const k of keys) put(c, k, '1');
    const changes = record(c);
    run(c, 'FLUSHDB');
    expect(changes.map((ch) => ch.shard.index).sort()).toEqual([0, 1]);
    expect(changes.flatMap((ch) => ch.keys).sort()).toEqual([...keys].sort());
    for (const ch of changes) expect(ch.effects).toEqual([['FLUSHALL']]);
  });
});

describe('OBJECT', () => {
  it('ENCODING: int, embstr up to 44 bytes, raw beyond and for in-place writes; typed values answer their own', () => {
    const c = single();
    const cases: Array<[StoredValue, string]> = [
      ['123', 'int'],
      ['-9223372036854775808', 'int'],
      ['9223372036854775808', 'embstr'],
      ['01', 'embstr'],
      ['abc', 'embstr'],
      ['x'.repeat(44), 'embstr'],
      ['x'.repeat(45), 'raw'],
    ];
    cases.forEach(([value, expected], i) => {
      put(c, `k${i}`, value);
      expect(run(c, 'OBJECT', 'ENCODING', `k${i}`), String(value)).toBe(expected);
    });
    const appended = Buffer.from('12');
    rawStrings.add(appended);
    put(c, 'app', appended);
    expect(run(c, 'OBJECT', 'ENCODING', 'app')).toBe('raw');
    put(c, 'l', new FakeList([]));
    expect(run(c, 'OBJECT', 'ENCODING', 'l')).toBe('listpack');
    expect(run(c, 'OBJECT', 'ENCODING', 'nope')).toBeNull();
  });

  it('REFCOUNT: shared integers 0..9999 unless the policy is LRU/LFU; a COPY is its own object', () => {
    const c = single();
    put(c, 'small', '9999');
    put(c, 'big', '10000');
    put(c, 'neg', '-1');
    put(c, 'str', 'abc');
    expect(run(c, 'OBJECT', 'REFCOUNT', 'small')).toBe(2147483647);
    expect(run(c, 'OBJECT', 'REFCOUNT', 'big')).toBe(1);
    expect(run(c, 'OBJECT', 'REFCOUNT', 'neg')).toBe(1);
    expect(run(c, 'OBJECT', 'REFCOUNT', 'str')).toBe(1);
    expect(run(c, 'OBJECT', 'REFCOUNT', 'nope')).toBeNull();
    run(c, 'COPY', 'small', 'copied');
    expect(run(c, 'OBJECT', 'REFCOUNT', 'copied')).toBe(1);
    expect(run(c, 'OBJECT', 'ENCODING', 'copied')).toBe('int');
    const amr = cache({ clusterPolicy: 'NoCluster' }); // AMR default: volatile-lru
    put(amr, 'small', '5');
    expect(run(amr, 'OBJECT', 'REFCOUNT', 'small')).toBe(1);
  });

  it('a COPY keeps the encoding of its source (INCRBYFLOAT results stay embstr, APPEND results raw)', () => {
    const c = single();
    run(c, 'SET', 'f', '1.5');
    expect(String(run(c, 'INCRBYFLOAT', 'f', '3.5'))).toBe('5');
    run(c, 'COPY', 'f', 'g');
    expect(run(c, 'OBJECT', 'ENCODING', 'g')).toBe('embstr');
    expect(run(c, 'OBJECT', 'REFCOUNT', 'g')).toBe(1);
    run(c, 'APPEND', 'h', '5');
    expect(run(c, 'OBJECT', 'REFCOUNT', 'h')).toBe(2147483647);
    run(c, 'APPEND', 'h', '5');
    run(c, 'COPY', 'h', 'i');
    expect(run(c, 'OBJECT', 'ENCODING', 'i')).toBe('raw');
    expect(String(run(c, 'GET', 'i'))).toBe('55');
  });

  it('IDLETIME is refused under LFU, FREQ outside LFU, with Redis’s texts', () => {
    const lru = single();
    put(lru, 'a', '1');
    expect(run(lru, 'OBJECT', 'IDLETIME', 'a')).toBe(0);
    expect(run(lru, 'OBJECT', 'IDLETIME', 'nope')).toBeNull();
    expect(fail(lru, 'OBJECT', 'FREQ', 'a')).toBe(
      'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
    );
    expect(run(lru, 'OBJECT', 'FREQ', 'nope')).toBeNull();
    const lfu = single({ evictionPolicy: 'allkeys-lfu' });
    put(lfu, 'a', '1');
    expect(run(lfu, 'OBJECT', 'FREQ', 'a')).toBe(5);
    expect(fail(lfu, 'OBJECT', 'IDLETIME', 'a')).toBe(
      'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
    );
  });

  it('HELP, arity and unknown subcommands', () => {
    const c = single();
    const help = run(c, 'object', 'help') as StatusReply[];
    expect(help.map((line) => line.value)).toEqual([
      'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
      'ENCODING <key>',
      '    Return the kind of internal representation used in order to store the value',
      '    associated with a <key>.',
      'FREQ <key>',
      '    Return the access frequency index of the <key>. The returned integer is',
      '    proportional to the logarithm of the recent access frequency of the key.',
      'IDLETIME <key>',
      '    Return the idle time of the <key>, that is the approximated number of',
      '    seconds elapsed since the last access to the key.',
      'REFCOUNT <key>',
      '    Return the number of references of the value associated with the specified',
      '    <key>.',
      'HELP',
      '    Print this help.',
    ]);
    expect(fail(c, 'OBJECT')).toBe("ERR wrong number of arguments for 'object' command");
    expect(fail(c, 'OBJECT', 'HELP', 'x')).toBe("ERR wrong number of arguments for 'object|help' command");
    expect(fail(c, 'OBJECT', 'ENCODING')).toBe("ERR wrong number of arguments for 'object|encoding' command");
    expect(fail(c, 'OBJECT', 'NOPE', 'a')).toBe("ERR unknown subcommand 'NOPE'. Try OBJECT HELP.");
  });

  it('routes by the key in position 2', () => {
    const c = cache({ clusterPolicy: 'OSS' });
    const keys = keysOnDifferentShards(c, 2);
    for (const k of keys) put(c, k, 'v');
    for (const k of keys) expect(run(c, 'OBJECT', 'ENCODING', k)).toBe('embstr');
  });
});

describeLive('differential: key commands against a real server', (redis) => {
  it('answers 3000 random key-command steps as redis-server does', async () => {
    // The shared server holds other tests' keys: every key here carries a unique prefix, and the
    // whole-database commands (KEYS, SCAN, DBSIZE, RANDOMKEY, FLUSH*) are left to other tests.
    const prefix = `keys-diff:${process.pid}:${Date.now()}:`;
    const names = ['a', 'b', '{t}x', '{t}y', 'ключ', '__proto__'].map((k) => prefix + k);
    const values = ['1', '0', '-1', '9999', '10000', 'abc', '1.5', '', 'x'.repeat(50), '01'];
    const numbers = ['0', '-1', '1', '100', '5000', 'abc', '9223372036854775807', '-9223372036854775808', '9223372036854776', '1.5'];
    const options = ['NX', 'XX', 'GT', 'LT', 'gt', 'foo'];
    let seed = 2024;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pick = <T>(items: readonly T[]): T => items[rnd(items.length)];
    const some = (max: number, make: () => string): string[] => Array.from({ length: rnd(max + 1) }, make);
    const generate = (nowMs: number): string[] => {
      const k = (): string => pick(names);
      switch (rnd(22)) {
        case 0: return ['SET', k(), pick(values)];
        case 1: return ['SET', k(), pick(values), 'EX', '1000'];
        case 2: return ['INCR', k()];
        case 3: return ['APPEND', k(), pick(values)];
        case 4: return ['DEL', k(), ...some(2, k)];
        case 5: return ['UNLINK', k(), ...some(2, k)];
        case 6: return ['EXISTS', k(), ...some(2, k)];
        case 7: return ['TOUCH', k(), ...some(2, k)];
        case 8: return ['TYPE', k()];
        case 9: return ['RENAME', k(), k()];
        case 10: return ['RENAMENX', k(), k()];
        case 11: return ['COPY', k(), k(), ...(rnd(2) ? ['REPLACE'] : []), ...(rnd(4) === 0 ? ['DB', pick(['0', 'x'])] : [])];
        case 12: return ['EXPIRE', k(), pick(numbers), ...some(2, () => pick(options))];
        case 13: return ['PEXPIRE', k(), pick(numbers), ...some(2, () => pick(options))];
        case 14: return ['EXPIREAT', k(), pick([String(Math.floor(nowMs / 1000) + 1000), '1', ...numbers]), ...some(1, () => pick(options))];
        case 15: return ['PEXPIREAT', k(), pick([String(nowMs + 500_000), '1', ...numbers]), ...some(1, () => pick(options))];
        case 16: return [pick(['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME']), k()];
        case 17: return ['PERSIST', k()];
        case 18: return ['OBJECT', pick(['ENCODING', 'REFCOUNT', 'FREQ', 'NOPE']), k()];
        case 19: return ['INCRBYFLOAT', k(), pick(['1.5', '2', '-3.5'])];
        case 20: return ['MSET', k(), pick(values), k(), pick(values)];
        default: return ['GET', k()];
      }
    };
    const client = await RespClient.connect(redis.standalone.port);
    const mismatches: string[] = [];
    try {
      for (let round = 0; round < 100 && mismatches.length === 0; round++) {
        await client.call(['DEL', ...names]);
        const time = await client.call(['TIME']);
        const [seconds, micros] = (time[1] as Array<[string, string]>).map(([, v]) => Number(v));
        const now = seconds * 1000 + Math.floor(micros / 1000);
        const c = cache({ clusterPolicy: 'NoCluster', evictionPolicy: 'noeviction', startTime: now, seed: round });
        for (let step = 0; step < 30; step++) {
          const argv = generate(now);
          const expected = await client.call(argv);
          let actual: Typed;
          try {
            actual = toTyped(c.executeReply(argv), 2);
          } catch (e) {
            actual = ['-', (e as Error).message];
          }
          const timing = /^(P?TTL|P?EXPIRETIME)$/.test(argv[0]) ? (argv[0].startsWith('P') ? 'approx:250' : 'approx:1') : undefined;
          if (!sameReply(actual, expected, timing)) {
            mismatches.push(`${JSON.stringify(argv)}: redis ${JSON.stringify(expected)}, emulator ${JSON.stringify(actual)}`);
            break;
          }
        }
      }
    } finally {
      await client.call(['DEL', ...names]);
      client.close();
    }
    expect(mismatches).toEqual([]);
  });
});
