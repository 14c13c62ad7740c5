/**
 * RedisBloom 2.8's Count-Min Sketch (`CMS.*`) on a cache created with `modules: ['RedisBloom']`.
 *
 * Expectations come from the command docs (RedisBloom `docs/commands/cms.*.md`, cited as
 * `docs cms.x`) and the module's source (`src/rm_cms.c`, `src/cms.c`; cited as `source`). The
 * MurmurHash2 values were computed with Appleby's reference C function.
 */
import { describe, expect, it } from 'vitest';
import { ManagedRedis } from '../../src/managed-redis.js';
import { dimensionsFromProbability, murmurHash2 } from '../../src/keyspace/types/count-min-sketch.js';
import type { HarnessOptions } from '../support/command-harness.js';
import { moduleHarness } from '../support/short-reply.js';

const bloom = (options: HarnessOptions = {}) => moduleHarness('RedisBloom', options);

const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value';

describe('Count-Min Sketch', () => {
  it('MurmurHash2 (32-bit) matches the reference C function for row seeds 0, 1, 2', () => {
    const vectors: Array<[string, number[]]> = [
      ['a', [2456313694, 626045324, 754329161]],
      ['foo', [2414502773, 197930586, 1907694736]],
      ['hello', [3848350155, 2788266382, 120092131]],
      ['item:12345', [1058255098, 4146018668, 3423052879]],
    ];
    for (const [key, hashes] of vectors) expect([0, 1, 2].map((seed) => murmurHash2(Buffer.from(key), seed))).toEqual(hashes);
    // source CMS_DimFromProb: ceil(2/error), ceil(log10f(prob)/log10f(0.5)).
    expect(dimensionsFromProbability(0.001, 0.01)).toEqual({ width: 2000, depth: 7 });
    expect(dimensionsFromProbability(0.01, 0.5)).toEqual({ width: 200, depth: 1 });
  });

  it('docs cms.initbydim / initbyprob / incrby / query / info; TYPE CMSk-TYPE', () => {
    const h = bloom();
    expect(h.r('CMS.INITBYDIM', 'test', '2000', '5')).toBe('+OK');
    expect(h.r('CMS.INCRBY', 'test', 'foo', '10', 'bar', '42')).toEqual([10, 42]);
    expect(h.r('CMS.QUERY', 'test', 'foo', 'bar', 'nope')).toEqual([10, 42, 0]);
    expect(h.r('CMS.INFO', 'test')).toEqual(['+width', 2000, '+depth', 5, '+count', 52]);
    expect(h.r('CMS.INITBYPROB', 'p', '0.001', '0.01')).toBe('+OK');
    expect(h.r('CMS.INFO', 'p')).toEqual(['+width', 2000, '+depth', 7, '+count', 0]);
    expect(h.r('TYPE', 'p')).toBe('+CMSk-TYPE');
    const incr = (h.r('COMMAND', 'INFO', 'cms.incrby') as unknown[][])[0];
    expect(incr.slice(0, 6)).toEqual(['cms.incrby', -1, ['+write', '+denyoom', '+module'], 1, 1, 1]);
    const query = (h.r('COMMAND', 'INFO', 'cms.query') as unknown[][])[0];
    expect(query.slice(0, 3)).toEqual(['cms.query', -1, ['+readonly', '+module']]);
  });

  it('collisions overestimate: in a 1×1 sketch every item reads the total', () => {
    const h = bloom();
    h.r('CMS.INITBYDIM', 'one', '1', '1');
    expect(h.r('CMS.INCRBY', 'one', 'a', '5', 'b', '3')).toEqual([5, 8]);
    expect(h.r('CMS.QUERY', 'one', 'c')).toEqual([8]);
    // Two rows of width 10: "foo" lands in cells 3 and 6, "bar" in 1 and 3 (MurmurHash2 mod 10), so no overlap.
    h.r('CMS.INITBYDIM', 'ten', '10', '2');
    h.r('CMS.INCRBY', 'ten', 'foo', '5', 'bar', '7');
    expect(h.r('CMS.QUERY', 'ten', 'foo', 'bar')).toEqual([5, 7]);
  });

  it('source CMS_IncrBy: counters saturate at 2^32-1 and that answers an overflow error in place', () => {
    const h = bloom();
    h.r('CMS.INITBYDIM', 'k', '1', '1');
    expect(h.r('CMS.INCRBY', 'k', 'a', '4294967294')).toEqual([4294967294]);
    expect(h.r('CMS.INCRBY', 'k', 'b', '0', 'c', '1', 'd', '9')).toEqual([4294967294, '-CMS: INCRBY overflow', '-CMS: INCRBY overflow']);
    expect(h.r('CMS.QUERY', 'k', 'a')).toEqual([4294967295]);
    expect(h.r('CMS.INFO', 'k')).toEqual(['+width', 1, '+depth', 1, '+count', 4294967304]);
  });

  it('source: errors and their order; nothing changes on an error', () => {
    const h = bloom();
    h.r('CMS.INITBYDIM', 'k', '10', '2');
    expect(h.r('CMS.INITBYDIM', 'k', 'x', '2')).toBe('-CMS: key already exists');
    expect(h.r('CMS.INITBYDIM', 'n', '0', '2')).toBe('-CMS: invalid width');
    expect(h.r('CMS.INITBYDIM', 'n', '2', 'x')).toBe('-CMS: invalid depth');
    expect(h.r('CMS.INITBYPROB', 'n', '1', '0.1')).toBe('-CMS: invalid overestimation value');
    expect(h.r('CMS.INITBYPROB', 'n', '0.1', '0')).toBe('-CMS: invalid prob value');
    expect(h.r('CMS.INITBYDIM', 'n', '4611686018427387904', '4')).toBe('-CMS: invalid init arguments');
    expect(h.r('CMS.INITBYDIM', 'n', '2')).toBe("-ERR wrong number of arguments for 'cms.initbydim' command");
    expect(h.r('CMS.INCRBY', 'n', 'a', '1')).toBe('-CMS: key does not exist');
    expect(h.r('CMS.INCRBY', 'k', 'a', '1', 'b', 'x')).toBe('-CMS: Cannot parse number');
    expect(h.r('CMS.INCRBY', 'k', 'a', '1', 'b', '-1')).toBe('-CMS: Number cannot be negative');
    expect(h.r('CMS.INCRBY', 'k', 'a')).toBe("-ERR wrong number of arguments for 'cms.incrby' command");
    expect(h.r('CMS.QUERY', 'k', 'a')).toEqual([0]);
    expect(h.r('CMS.QUERY', 'n', 'a')).toBe('-CMS: key does not exist');
    expect(h.r('CMS.INFO', 'n')).toBe('-CMS: key does not exist');
    h.r('SET', 's', 'v');
    expect(h.r('CMS.QUERY', 's', 'a')).toBe(WRONGTYPE);
    expect(h.r('CMS.INCRBY', 's', 'a', '1')).toBe(WRONGTYPE);
    expect(h.r('EXISTS', 'n')).toBe(0);
  });

  it('docs cms.merge: weighted sums of same-size sketches; source parseMergeArgs errors', () => {
    const h = bloom();
    for (const k of ['{m}dest', '{m}a', '{m}b']) h.r('CMS.INITBYDIM', k, '100', '3');
    h.r('CMS.INCRBY', '{m}a', 'x', '2', 'y', '1');
    h.r('CMS.INCRBY', '{m}b', 'x', '5');
    expect(h.r('CMS.MERGE', '{m}dest', '2', '{m}a', '{m}b')).toBe('+OK');
    expect(h.r('CMS.QUERY', '{m}dest', 'x', 'y')).toEqual([7, 1]);
    expect(h.r('CMS.MERGE', '{m}dest', '2', '{m}a', '{m}b', 'WEIGHTS', '1', '3')).toBe('+OK');
    expect(h.r('CMS.QUERY', '{m}dest', 'x', 'y')).toEqual([17, 1]);
    expect(h.r('CMS.INFO', '{m}dest')).toEqual(['+width', 100, '+depth', 3, '+count', 18]);
    // A negative weight that leaves a counter below zero is an overflow; the destination is unchanged.
    expect(h.r('CMS.MERGE', '{m}dest', '2', '{m}a', '{m}b', 'WEIGHTS', '1', '-1')).toBe('-CMS: MERGE overflow');
    expect(h.r('CMS.QUERY', '{m}dest', 'x')).toEqual([17]);
    // The destination may be a source.
    expect(h.r('CMS.MERGE', '{m}dest', '1', '{m}dest', 'WEIGHTS', '2')).toBe('+OK');
    expect(h.r('CMS.QUERY', '{m}dest', 'x')).toEqual([34]);
    h.r('CMS.INITBYDIM', '{m}small', '10', '3');
    expect(h.r('CMS.MERGE', '{m}dest', '1', '{m}small')).toBe('-CMS: width/depth is not equal');
    expect(h.r('CMS.MERGE', '{m}dest', 'x', '{m}a')).toBe('-CMS: invalid numkeys');
    expect(h.r('CMS.MERGE', '{m}dest', '0', '{m}a')).toBe('-CMS: Number of keys must be positive');
    expect(h.r('CMS.MERGE', '{m}dest', '2', '{m}a')).toBe('-CMS: wrong number of keys');
    expect(h.r('CMS.MERGE', '{m}dest', '2', '{m}a', '{m}b', 'WEIGHTS', '1')).toBe('-CMS: wrong number of keys/weights');
    expect(h.r('CMS.MERGE', '{m}dest', '1', '{m}a', 'WEIGHTS', 'q')).toBe('-CMS: invalid weight value');
    expect(h.r('CMS.MERGE', '{m}dest', '1', '{m}none')).toBe('-CMS: key does not exist');
    expect(h.r('CMS.MERGE', '{m}none', '1', '{m}a')).toBe('-CMS: key does not exist');
    expect(h.r('CMS.MERGE', '{m}dest', '1')).toBe("-ERR wrong number of arguments for 'cms.merge' command");
  });

  it('RESP3: CMS.INFO is a map', () => {
    const h = bloom({ resp: 3 });
    h.r('CMS.INITBYDIM', 'k', '4', '2');
    expect(h.r('CMS.INFO', 'k')).toEqual([
      ['+width', 4],
      ['+depth', 2],
      ['+count', 0],
    ]);
  });

  it('replicas apply the verbatim commands and digest the sketches', async () => {
    const cache = new ManagedRedis({ modules: ['RedisBloom'], clock: 'virtual', seed: 1, activeExpiry: false, replication: { lag: 100 } });
    await cache.ready();
    const shard = cache.topology.slotToShard[Number(cache.execute(['CLUSTER', 'KEYSLOT', 'c']))];
    cache.execute(['CMS.INITBYDIM', 'c', '50', '4']);
    cache.clock.advance(200);
    const first = cache.replication.digest(shard);
    expect(cache.replication.replicaDigest(shard)).toBe(first);
    cache.execute(['CMS.INCRBY', 'c', 'a', '3']);
    expect(cache.replication.digest(shard)).not.toBe(first);
    expect(cache.replication.replicaDigest(shard)).toBe(first);
    cache.clock.advance(200);
    expect(cache.replication.replicaDigest(shard)).toBe(cache.replication.digest(shard));
    expect(cache.execute(['MEMORY', 'USAGE', 'c'])).toBeGreaterThan(50 * 4 * 8);
  });
});

describe("RedisBloom's flow tests (tests/flow/test_cms.py of the 2.8 line)", () => {
  it('test_simple, test_overflow, test_smallset, test_merge_success: exact counts and replies', () => {
    const h = bloom();
    h.r('CMS.INITBYPROB', 'cms2', '0.001', '0.01');
    expect(h.r('CMS.INCRBY', 'cms2', 'a', '5')).toEqual([5]);
    expect(h.r('CMS.INFO', 'cms2')).toEqual(['+width', 2000, '+depth', 7, '+count', 5]);
    // test_overflow: 5×2 counters, 2^31 − 1 three times over.
    const large = String(2 ** 31 - 1);
    h.r('CMS.INITBYDIM', 'cms', '5', '2');
    expect(h.r('CMS.INCRBY', 'cms', 'a', large, 'b', '10', 'c', '7', 'd', '5')).toEqual([2 ** 31 - 1, 10, 17, 5]);
    expect(h.r('CMS.QUERY', 'cms', 'a', 'b', 'c', 'd')).toEqual([2 ** 31 - 1, 17, 17, 5]);
    expect(h.r('CMS.INCRBY', 'cms', 'a', large, 'b', '10', 'c', '7', 'd', '5')).toEqual([2 ** 32 - 2, 27, 34, 10]);
    expect(h.r('CMS.INCRBY', 'cms', 'a', large, 'b', '10', 'c', '7', 'd', '5')).toEqual(['-CMS: INCRBY overflow', 44, 51, 15]);
    expect(h.r('CMS.QUERY', 'cms', 'a', 'b', 'c', 'd')).toEqual([2 ** 32 - 1, 51, 51, 15]);
    // test_smallset
    h.r('CMS.INITBYDIM', 'small', '2', '2');
    expect(h.r('CMS.INCRBY', 'small', 'foo', '10', 'bar', '42')).toEqual([10, 42]);
    expect(h.r('CMS.INFO', 'small')).toEqual(['+width', 2, '+depth', 2, '+count', 52]);
    expect(h.r('CMS.INCRBY', 'small', 'foo', '0', 'bar', '0')).toEqual([10, 42]);
    // test_merge_success: subtracting a merged-in sketch, and refusing to subtract it twice.
    for (const k of ['1', '2', '3', '5', '6']) h.r('CMS.INITBYDIM', `cms${k}{t}`, '1000', '5');
    for (let i = 0; i < 100; i++) {
      h.r('CMS.INCRBY', 'cms1{t}', `foo${i}`, '1');
      h.r('CMS.INCRBY', 'cms2{t}', `bar${i}`, '1');
      h.r('CMS.INCRBY', 'cms3{t}', `baz${i}`, '1');
    }
    expect(h.r('CMS.MERGE', 'cms5{t}', '3', 'cms1{t}', 'cms2{t}', 'cms3{t}', 'WEIGHTS', '1', '1', '1')).toBe('+OK');
    expect(h.r('CMS.MERGE', 'cms6{t}', '2', 'cms5{t}', 'cms3{t}', 'WEIGHTS', '1', '-1')).toBe('+OK');
    expect(h.r('CMS.INFO', 'cms6{t}')).toEqual(['+width', 1000, '+depth', 5, '+count', 200]);
    expect(h.r('CMS.QUERY', 'cms6{t}', 'foo7', 'bar7', 'baz7')).toEqual([1, 1, 0]);
    expect(h.r('CMS.MERGE', 'cms6{t}', '2', 'cms6{t}', 'cms3{t}', 'WEIGHTS', '1', '-1')).toBe('-CMS: MERGE overflow');
  });
});
