/**
 * The conflict-resolution examples of Redis Enterprise's Active-Active documentation, replayed on
 * a two-region group: each step of a doc table is one clock tick (shorter than the cross-region
 * lag, so writes between two "— Sync —" rows are concurrent), each "— Sync —" row advances the
 * clock past the lag. Sources (redis/docs, content/operate/rs/databases/active-active/develop/):
 * data-types/strings.md, counters; data-types/sets.md; data-types/hashes.md;
 * data-types/sorted-sets.md; data-types/lists.md; develop-for-aa.md (expiration).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { GeoReplicationGroup, type ManagedRedis } from '../../src/index.js';

const LAG = 100;

function twoRegions(): { group: GeoReplicationGroup; one: ManagedRedis; two: ManagedRedis; tick: () => void; sync: () => void } {
  const group = GeoReplicationGroup.create({
    nickname: 'docs',
    clock: 'virtual',
    seed: 1,
    lag: LAG,
    members: [
      { name: 'instance1', region: 'eastus' },
      { name: 'instance2', region: 'westeurope' },
    ],
  });
  const [one, two] = group.caches;
  return { group, one, two, tick: () => group.clock.advance(1), sync: () => group.clock.advance(LAG + 1) };
}

beforeAll(async () => {
  const { group } = twoRegions();
  await group.ready();
});

describe('strings (data-types/strings.md)', () => {
  it('last write wins by time when the order cannot be determined', () => {
    const { group, one, two, tick, sync } = twoRegions();
    one.execute(['SET', 'text', 'a']);
    tick();
    two.execute(['SET', 'text', 'b']);
    sync();
    expect([one.execute(['GET', 'text']), two.execute(['GET', 'text'])]).toEqual(['b', 'b']);
    one.execute(['SET', 'text', 'c']);
    sync();
    expect(two.execute(['GET', 'text'])).toBe('c');
    two.execute(['SET', 'text', 'd']);
    sync();
    expect(one.execute(['GET', 'text'])).toBe('d');
    expect(new Set(Object.values(group.digests())).size).toBe(1);
  });

  it('counters accumulate: +7 and +3 give 10, then -3 and +6 give 13', () => {
    const { one, two, tick, sync } = twoRegions();
    one.execute(['INCRBY', 'counter', '7']);
    tick();
    two.execute(['INCRBY', 'counter', '3']);
    tick();
    expect([one.execute(['GET', 'counter']), two.execute(['GET', 'counter'])]).toEqual(['7', '3']);
    sync();
    expect([one.execute(['GET', 'counter']), two.execute(['GET', 'counter'])]).toEqual(['10', '10']);
    one.execute(['DECRBY', 'counter', '3']);
    tick();
    two.execute(['INCRBY', 'counter', '6']);
    sync();
    expect([one.execute(['GET', 'counter']), two.execute(['GET', 'counter'])]).toEqual(['13', '13']);
  });

  it('INCRBYFLOAT counters accumulate in long double and read back as INCRBYFLOAT formats them', () => {
    const { one, two, sync } = twoRegions();
    one.execute(['SET', 'f', '10.5']);
    sync();
    expect(one.execute(['INCRBYFLOAT', 'f', '0.1'])).toBe('10.6');
    expect(two.execute(['INCRBYFLOAT', 'f', '2'])).toBe('12.5');
    sync();
    expect([one.execute(['GET', 'f']), two.execute(['GET', 'f'])]).toEqual(['12.6', '12.6']);
  });
});

describe('sets (data-types/sets.md)', () => {
  it('concurrent adds are unioned (add wins)', () => {
    const { one, two, tick, sync } = twoRegions();
    one.execute(['SADD', 'key1', 'a']);
    tick();
    two.execute(['SADD', 'key1', 'b']);
    sync();
    for (const c of [one, two]) expect((c.execute(['SMEMBERS', 'key1']) as string[]).sort()).toEqual(['a', 'b']);
  });

  it('a remove deletes only what its region had observed', () => {
    const { one, two, tick, sync } = twoRegions();
    one.execute(['SADD', 'key1', 'a', 'b']);
    sync();
    one.execute(['SREM', 'key1', 'a']);
    two.execute(['SADD', 'key1', 'c']);
    tick();
    // Instance 1 has not seen instance 2's "c": its SREM removes nothing.
    expect(one.execute(['SREM', 'key1', 'c'])).toBe(0);
    sync();
    for (const c of [one, two]) expect((c.execute(['SMEMBERS', 'key1']) as string[]).sort()).toEqual(['b', 'c']);
  });
});

describe('hashes (data-types/hashes.md)', () => {
  it('fields added concurrently are unioned', () => {
    const { one, two, tick, sync } = twoRegions();
    one.execute(['HSET', 'key1', 'field1', 'a']);
    tick();
    two.execute(['HSET', 'key1', 'field2', 'b']);
    sync();
    for (const c of [one, two]) expect(c.execute(['HGETALL', 'key1'])).toEqual(expect.arrayContaining(['field1', 'a', 'field2', 'b']));
  });

  it('HINCRBY from both regions sums; an update wins over a concurrent HDEL of the field', () => {
    const { one, two, sync } = twoRegions();
    one.execute(['HSET', 'h', 'n', '1', 'x', 'old']);
    sync();
    one.execute(['HINCRBY', 'h', 'n', '5']);
    two.execute(['HINCRBY', 'h', 'n', '2']);
    one.execute(['HDEL', 'h', 'x']);
    two.execute(['HSET', 'h', 'x', 'new']);
    sync();
    for (const c of [one, two]) {
      expect(c.execute(['HGET', 'h', 'n'])).toBe('8');
      expect(c.execute(['HGET', 'h', 'x'])).toBe('new');
    }
  });
});

describe('sorted sets (data-types/sorted-sets.md)', () => {
  it('no conflict: both members', () => {
    const { one, two, sync } = twoRegions();
    one.execute(['ZADD', 'Z', '1.1', 'x']);
    sync();
    two.execute(['ZADD', 'Z', '1.2', 'y']);
    sync();
    for (const c of [one, two]) expect(c.execute(['ZRANGE', 'Z', '0', '-1'])).toEqual(['x', 'y']);
  });

  it('concurrent ZADD of one member: the later score wins', () => {
    const { one, two, tick, sync } = twoRegions();
    one.execute(['ZADD', 'Z', '1.1', 'x']);
    tick();
    two.execute(['ZADD', 'Z', '2.1', 'x']);
    expect([one.execute(['ZSCORE', 'Z', 'x']), two.execute(['ZSCORE', 'Z', 'x'])]).toEqual(['1.1', '2.1']);
    sync();
    expect([one.execute(['ZSCORE', 'Z', 'x']), two.execute(['ZSCORE', 'Z', 'x'])]).toEqual(['2.1', '2.1']);
  });

  it('ZADDs at the exact same time: instance 1 wins, consistently', () => {
    const { one, two, sync } = twoRegions();
    one.execute(['ZADD', 'Z', '1.1', 'x']);
    two.execute(['ZADD', 'Z', '2.1', 'x']);
    sync();
    expect([one.execute(['ZSCORE', 'Z', 'x']), two.execute(['ZSCORE', 'Z', 'x'])]).toEqual(['1.1', '1.1']);
  });

  it('concurrent ZINCRBY sums: 1.1 + 1.0 + 1.0 = 3.1', () => {
    const { one, two, sync } = twoRegions();
    one.execute(['ZADD', 'Z', '1.1', 'x']);
    sync();
    one.execute(['ZINCRBY', 'Z', '1.0', 'x']);
    two.execute(['ZINCRBY', 'Z', '1.0', 'x']);
    sync();
    expect([one.execute(['ZSCORE', 'Z', 'x']), two.execute(['ZSCORE', 'Z', 'x'])]).toEqual(['3.1', '3.1']);
  });

  it('ZREM concurrent with ZINCRBY leaves the increment only: 6.1 - 4.1 = 2.0', () => {
    const { one, two, sync } = twoRegions();
    one.execute(['ZADD', 'Z', '4.1', 'x']);
    sync();
    one.execute(['ZREM', 'Z', 'x']);
    two.execute(['ZINCRBY', 'Z', '2.0', 'x']);
    expect([one.execute(['ZSCORE', 'Z', 'x']), two.execute(['ZSCORE', 'Z', 'x'])]).toEqual([null, '6.1']);
    sync();
    expect([one.execute(['ZSCORE', 'Z', 'x']), two.execute(['ZSCORE', 'Z', 'x'])]).toEqual(['2', '2']);
  });
});

describe('lists (data-types/lists.md)', () => {
  it('a push that saw the other comes first', () => {
    const { one, two, sync } = twoRegions();
    one.execute(['LPUSH', 'mylist', 'hello']);
    sync();
    two.execute(['LPUSH', 'mylist', 'world']);
    sync();
    for (const c of [one, two]) expect(c.execute(['LRANGE', 'mylist', '0', '-1'])).toEqual(['world', 'hello']);
  });

  it('concurrent LINSERTs after one element keep both, in one order everywhere', () => {
    const { one, two, tick, sync } = twoRegions();
    one.execute(['LPUSH', 'L', 'x']);
    sync();
    one.execute(['LINSERT', 'L', 'AFTER', 'x', 'y1']);
    tick();
    two.execute(['LINSERT', 'L', 'AFTER', 'x', 'y2']);
    sync();
    for (const c of [one, two]) expect(c.execute(['LRANGE', 'L', '0', '-1'])).toEqual(['x', 'y1', 'y2']);
  });

  it('DEL removes only observed elements: a concurrent LPUSH survives', () => {
    const { one, two, sync } = twoRegions();
    one.execute(['LPUSH', 'L', 'x']);
    sync();
    one.execute(['LPUSH', 'L', 'y']);
    two.execute(['DEL', 'L']);
    sync();
    for (const c of [one, two]) expect(c.execute(['LRANGE', 'L', '0', '-1'])).toEqual(['y']);
  });

  it('pops are at-least-once: concurrent RPOPs both get z, and the list ends empty', () => {
    const { one, two, sync } = twoRegions();
    one.execute(['LPUSH', 'L', 'x', 'y', 'z']);
    sync();
    expect(two.execute(['RPOP', 'L'])).toBe('x');
    sync();
    expect(one.execute(['RPOP', 'L'])).toBe('y');
    sync();
    expect([one.execute(['RPOP', 'L']), two.execute(['RPOP', 'L'])]).toEqual(['z', 'z']);
    sync();
    expect([one.execute(['EXISTS', 'L']), two.execute(['EXISTS', 'L'])]).toEqual([0, 0]);
  });
});

describe('expiry (develop-for-aa.md)', () => {
  it('concurrent EXPIREs: the longer TTL wins', () => {
    const { one, two, sync } = twoRegions();
    one.execute(['SET', 'k', 'v']);
    sync();
    one.execute(['EXPIRE', 'k', '100']);
    two.execute(['EXPIRE', 'k', '300']);
    sync();
    for (const c of [one, two]) expect(c.execute(['TTL', 'k'])).toBe(300);
  });

  it('PERSIST beats a concurrent EXPIRE', () => {
    const { one, two, sync } = twoRegions();
    one.execute(['SET', 'k', 'v', 'EX', '50']);
    sync();
    one.execute(['PERSIST', 'k']);
    two.execute(['EXPIRE', 'k', '1000']);
    sync();
    for (const c of [one, two]) expect(c.execute(['TTL', 'k'])).toBe(-1);
  });

  it('a key expires in every region at its time', () => {
    const { group, one, two, sync } = twoRegions();
    one.execute(['SET', 'k', 'v', 'PX', '500']);
    sync();
    expect(two.execute(['PTTL', 'k'])).toBe(500 - (LAG + 1));
    group.clock.advance(500);
    expect([one.execute(['EXISTS', 'k']), two.execute(['EXISTS', 'k'])]).toEqual([0, 0]);
    sync();
    expect(group.status().map((s) => s.keys)).toEqual([0, 0]);
  });
});

describe('DEL (develop-for-aa.md, tombstones)', () => {
  it('observed-remove: a SET concurrent with DEL survives, and the metadata is collected', () => {
    const { group, one, two, sync } = twoRegions();
    one.execute(['SET', 'k', 'v1']);
    sync();
    one.execute(['DEL', 'k']);
    two.execute(['SET', 'k', 'v2']);
    sync();
    for (const c of [one, two]) expect(c.execute(['GET', 'k'])).toBe('v2');
    two.execute(['DEL', 'k']);
    sync();
    expect(group.status().map((s) => [s.keys, s.gcPending])).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });

  it('a type change concurrent with a write: the later write decides the type everywhere', () => {
    const { group, one, two, tick, sync } = twoRegions();
    one.execute(['SADD', 'k', 'a']);
    tick();
    two.execute(['SET', 'k', 'text']);
    sync();
    for (const c of [one, two]) expect(c.execute(['GET', 'k'])).toBe('text');
    expect(new Set(Object.values(group.digests())).size).toBe(1);
  });
});
