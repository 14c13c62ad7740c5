/**
 * SORT and SORT_RO: numeric weights as strtod reads them, ALPHA, LIMIT's clamping, BY and GET
 * patterns (strings, hash fields, `#`, constants), nosort orders, STORE, errors in parse order,
 * the sorted-set conversion, scripts, lazily expired hash fields, the cluster rule for patterns,
 * key finding, and a live comparison (pqsort's tie order included).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { slotOfName } from '../../src/cluster/slots.js';
import { sortWeight } from '../../src/keyspace/types/sort.js';
import { patternHashSlot } from '../../src/commands/sort.js';
import type { Typed } from '../support/oracle.js';
import { describeLiveSession } from '../support/live.js';
import { harness as commandHarness, type Harness } from '../support/command-harness.js';

/** The shared command harness with this file's seed. */
const harness = (options: { policy?: 'NoCluster' | 'OSS' | 'Enterprise' } = {}): Harness => commandHarness({ ...options, seed: 5 });

const bulk = (s: string): Typed => ['$', s];
const int = (n: number | string): Typed => [':', String(n)];
const err = (s: string): Typed => ['-', s];
const arr = (...items: Typed[]): Typed => ['*', items];
const strings = (...items: string[]): Typed => ['*', items.map(bulk)];
const NIL: Typed = ['_'];
const SYNTAX = err('ERR syntax error');
const SCORES = err("ERR One or more scores can't be converted into double");
const BY_DENIED = err('ERR BY option of SORT denied in Cluster mode when keys formed by the pattern may be in different slots.');
const GET_DENIED = err('ERR GET option of SORT denied in Cluster mode when keys formed by the pattern may be in different slots.');

let h: Harness;
afterEach(() => h?.cache.close());

describe('weights', () => {
  it('are read as strtod reads a C string, the whole of it', () => {
    expect(sortWeight('')).toBe(0);
    expect(sortWeight(' 1')).toBe(1);
    expect(sortWeight('\t-2.5')).toBe(-2.5);
    expect(sortWeight('+.5')).toBe(0.5);
    expect(sortWeight('1.5e+3')).toBe(1500);
    expect(sortWeight('0x10')).toBe(16);
    expect(sortWeight('0x1p3')).toBe(8);
    expect(sortWeight('inf')).toBe(Infinity);
    expect(sortWeight('-Infinity')).toBe(-Infinity);
    expect(sortWeight('2.2250738585072014e-308')).toBe(2.2250738585072014e-308);
    expect(sortWeight('5\0abc')).toBe(5);
    for (const bad of ['1 ', ' ', 'nan', '1e', '1e400', '-1e400', '4.9e-324', '1e-310', '1e-400', 'abc', '1_0', '0x']) {
      expect(sortWeight(bad), JSON.stringify(bad)).toBeNull();
    }
  });
});

describe('SORT', () => {
  it('sorts numerically, breaking ties by the bytes of the elements, or as strings with ALPHA', () => {
    h = harness();
    h.run('RPUSH', 'l', '10', '2', '-1', '2.5', '02', '1e1');
    expect(h.run('SORT', 'l')).toEqual(strings('-1', '02', '2', '2.5', '10', '1e1'));
    expect(h.run('SORT', 'l', 'DESC')).toEqual(strings('1e1', '10', '2.5', '2', '02', '-1'));
    expect(h.run('SORT', 'l', 'ALPHA')).toEqual(strings('-1', '02', '10', '1e1', '2', '2.5'));
    expect(h.run('SORT_RO', 'l', 'alpha', 'desc')).toEqual(strings('2.5', '2', '1e1', '10', '02', '-1'));
    h.run('RPUSH', 'l', 'x');
    expect(h.run('SORT', 'l')).toEqual(SCORES);
    expect(h.run('SORT', 'l', 'ALPHA', 'LIMIT', '0', '1')).toEqual(strings('-1'));
  });

  it("clamps LIMIT as Redis does", () => {
    h = harness();
    h.run('RPUSH', 'l', '3', '1', '2');
    expect(h.run('SORT', 'l', 'LIMIT', '1', '1')).toEqual(strings('2'));
    expect(h.run('SORT', 'l', 'LIMIT', '-5', '2')).toEqual(strings('1', '2'));
    expect(h.run('SORT', 'l', 'LIMIT', '1', '-1')).toEqual(strings('2', '3'));
    expect(h.run('SORT', 'l', 'LIMIT', '3', '5')).toEqual(arr());
    expect(h.run('SORT', 'l', 'LIMIT', '0', '0')).toEqual(arr());
    expect(h.run('SORT', 'l', 'LIMIT', '2', '9223372036854775807')).toEqual(strings('3'));
    expect(h.run('SORT', 'l', 'LIMIT', '0', 'x')).toEqual(err('ERR value is not an integer or out of range'));
    expect(h.run('SORT', 'l', 'LIMIT', '0')).toEqual(SYNTAX);
  });

  it('sorts by other keys and hash fields, missing weights counting as 0 (or first with ALPHA)', () => {
    h = harness();
    h.run('RPUSH', 'l', 'a', 'b', 'c', 'd');
    h.run('MSET', 'w_a', '3', 'w_b', '1', 'w_c', '2');
    h.run('HSET', 'h_a', 'f', 'z');
    h.run('HSET', 'h_b', 'f', 'y');
    h.run('HSET', 'h_c', 'g', 'x');
    expect(h.run('SORT', 'l', 'BY', 'w_*')).toEqual(strings('d', 'b', 'c', 'a'));
    expect(h.run('SORT', 'l', 'BY', 'h_*->f', 'ALPHA')).toEqual(strings('c', 'd', 'b', 'a'));
    expect(h.run('SORT', 'l', 'BY', 'h_*->f', 'ALPHA', 'DESC')).toEqual(strings('a', 'b', 'c', 'd'));
    expect(h.run('SORT', 'l', 'BY', 'w_*', 'GET', '#', 'GET', 'w_*', 'GET', 'h_*->f', 'GET', 'nostar')).toEqual(
      arr(bulk('d'), NIL, NIL, NIL, bulk('b'), bulk('1'), bulk('y'), NIL, bulk('c'), bulk('2'), NIL, NIL, bulk('a'), bulk('3'), bulk('z'), NIL),
    );
    // A weight key of another type counts as missing; a hash read as a string too.
    h.run('RPUSH', 'w_d', 'x');
    expect(h.run('SORT', 'l', 'BY', 'w_*', 'LIMIT', '0', '1')).toEqual(strings('d'));
    expect(h.run('SORT', 'l', 'BY', 'h_*', 'GET', 'h_*')).toEqual(arr(NIL, NIL, NIL, NIL));
    h.run('SET', 'w_a', 'abc');
    expect(h.run('SORT', 'l', 'BY', 'w_*')).toEqual(SCORES);
  });

  it('keeps the order of lists and sorted sets with BY nosort (reversed by DESC, LIMIT as a range)', () => {
    h = harness();
    h.run('RPUSH', 'l', '3', '1', '2', '5');
    expect(h.run('SORT', 'l', 'BY', 'nosort')).toEqual(strings('3', '1', '2', '5'));
    expect(h.run('SORT', 'l', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '2')).toEqual(strings('2', '1'));
    expect(h.run('SORT', 'l', 'BY', 'nosort', 'LIMIT', '5', '2')).toEqual(arr());
    h.run('ZADD', 'z', '1', 'c', '2', 'a', '3', 'b');
    expect(h.run('SORT', 'z', 'BY', 'nosort')).toEqual(strings('c', 'a', 'b'));
    expect(h.run('SORT', 'z', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '5')).toEqual(strings('a', 'c'));
    expect(h.run('SORT', 'z', 'ALPHA')).toEqual(strings('a', 'b', 'c'));
    // A later BY with a * does not undo nosort.
    expect(h.run('SORT', 'l', 'BY', 'nosort', 'BY', 'w_*')).toEqual(strings('3', '1', '2', '5'));
  });

  it('converts a listpack sorted set to a skiplist, as Redis does', () => {
    h = harness();
    h.run('ZADD', 'z', '1', 'a');
    expect(h.run('OBJECT', 'ENCODING', 'z')).toEqual(bulk('listpack'));
    h.run('SORT_RO', 'z', 'ALPHA');
    expect(h.run('OBJECT', 'ENCODING', 'z')).toEqual(bulk('skiplist'));
  });

  it('sorts a set with BY nosort when storing or inside a script, so replicas agree', () => {
    h = harness();
    h.run('SADD', 's', 'c', 'a', 'b');
    expect(h.run('SORT', 's', 'BY', 'nosort')).toEqual(strings('c', 'a', 'b'));
    expect(h.run('SORT', 's', 'BY', 'nosort', 'STORE', 'd')).toEqual(int(3));
    expect(h.run('LRANGE', 'd', '0', '-1')).toEqual(strings('a', 'b', 'c'));
    expect(h.run('EVAL', "return redis.call('sort', KEYS[1], 'by', 'nosort')", '1', 's')).toEqual(strings('a', 'b', 'c'));
  });

  it('stores a list (GET misses as empty strings), replaces any value, and deletes the destination when empty', () => {
    h = harness();
    h.run('RPUSH', 'l', '2', '1');
    h.run('SET', 'w_1', 'one');
    h.run('SET', 'dst', 'v', 'EX', '100');
    expect(h.run('SORT', 'l', 'GET', '#', 'GET', 'w_*', 'STORE', 'dst')).toEqual(int(4));
    expect(h.run('LRANGE', 'dst', '0', '-1')).toEqual(strings('1', 'one', '2', ''));
    expect(h.run('TTL', 'dst')).toEqual(int(-1));
    expect(h.changes.at(-1)!.events).toEqual(['sortstore']);
    expect(h.run('SORT', 'nokey', 'STORE', 'dst')).toEqual(int(0));
    expect(h.run('EXISTS', 'dst')).toEqual(int(0));
    expect(h.changes.at(-1)!.events).toEqual(['del']);
    // The last STORE wins; SORT_RO has no STORE.
    expect(h.run('SORT', 'l', 'STORE', 'x', 'STORE', 'y')).toEqual(int(2));
    expect(h.run('EXISTS', 'x', 'y')).toEqual(int(1));
    expect(h.run('SORT_RO', 'l', 'STORE', 'x')).toEqual(SYNTAX);
  });

  it('answers errors in parse order, before the type check', () => {
    h = harness();
    h.run('SET', 's', 'v');
    expect(h.run('SORT', 's', 'BOGUS')).toEqual(SYNTAX);
    expect(h.run('SORT', 's', 'LIMIT', 'x', '1', 'BOGUS')).toEqual(err('ERR value is not an integer or out of range'));
    expect(h.run('SORT', 's')).toEqual(err('WRONGTYPE Operation against a key holding the wrong kind of value'));
    expect(h.run('SORT', 's', 'BY')).toEqual(SYNTAX);
    expect(h.run('SORT', 'nokey')).toEqual(arr());
  });

  it('treats __proto__ elements and patterns as data', () => {
    h = harness();
    h.run('RPUSH', 'l', '__proto__', 'constructor');
    h.run('HSET', 'h:__proto__', '__proto__', '1');
    expect(h.run('SORT', 'l', 'ALPHA', 'GET', 'h:*->__proto__')).toEqual(arr(bulk('1'), NIL));
  });

  it('expires a hash field lazily on the way, replicating the HDEL before the SORT … STORE', () => {
    h = harness();
    h.run('RPUSH', 'l', '1', '2');
    h.run('HSET', 'h_1', 'w', '5');
    h.run('HSET', 'h_2', 'w', '3');
    h.run('HPEXPIRE', 'h_2', '100', 'FIELDS', '1', 'w');
    expect(h.run('SORT', 'l', 'BY', 'h_*->w')).toEqual(strings('2', '1'));
    h.cache.clock.advance(200);
    expect(h.run('SORT', 'l', 'BY', 'h_*->w', 'STORE', 'd')).toEqual(int(2));
    expect(h.run('EXISTS', 'h_2')).toEqual(int(0));
    const effects = h.changes.flatMap((c) => c.effects).map((e) => e.map(String).join(' '));
    expect(effects.slice(-2)).toEqual(['HDEL h_2 w', 'SORT l BY h_*->w STORE d']);
  });
});

describe('SORT in a cluster', () => {
  it("knows the slot a pattern's keys must hash to", () => {
    expect(patternHashSlot('{t}w_*')).toBe(slotOfName('t'));
    expect(patternHashSlot('w_*{t}')).toBe(-1);
    expect(patternHashSlot('{}w_*')).toBe(-1);
    expect(patternHashSlot('a\\{t}*')).toBe(-1);
    expect(patternHashSlot('abc')).toBe(slotOfName('abc'));
    expect(patternHashSlot('x{}{a}')).toBe(slotOfName('x{}{a}'));
  });

  for (const policy of ['OSS', 'Enterprise'] as const) {
    it(`${policy}: refuses BY and GET patterns that may name keys in other slots, in parse order`, () => {
      h = harness({ policy });
      h.run('RPUSH', '{t}l', '2', '1');
      h.run('SET', '{t}w_1', '9');
      expect(h.run('SORT', '{t}l', 'BY', 'w_*')).toEqual(BY_DENIED);
      expect(h.run('SORT', '{t}l', 'GET', 'w_*', 'BY', 'w_*')).toEqual(GET_DENIED);
      expect(h.run('SORT', '{t}l', 'BOGUS', 'BY', 'w_*')).toEqual(SYNTAX);
      expect(h.run('SORT_RO', '{t}l', 'BY', '*')).toEqual(BY_DENIED);
      // Redis 7.4.1 checks GET # like any pattern (redis/redis#13607; later releases let it through).
      expect(h.run('SORT', '{t}l', 'GET', '#')).toEqual(GET_DENIED);
      expect(h.run('SORT', '{t}l', 'BY', 'nosort')).toEqual(strings('2', '1'));
      expect(h.run('SORT', '{t}l', 'BY', '{t}w_*', 'GET', '{t}w_*')).toEqual(arr(NIL, bulk('9')));
      expect(h.run('SORT', '{t}l', 'STORE', 'other')).toEqual(err("CROSSSLOT Keys in request don't hash to the same slot"));
    });
  }

  it('NoCluster has no pattern rule', () => {
    h = harness();
    h.run('RPUSH', '{t}l', '2', '1');
    expect(h.run('SORT', '{t}l', 'BY', 'w_*', 'GET', '#')).toEqual(strings('1', '2'));
  });
});

describeLiveSession('SORT against a live redis-server', 'sort-test', (session) => {
  const { prefix } = session;

  it('answers a scripted session as redis-server does (weights, patterns, pqsort ties, STORE)', async () => {
    h = harness();
    const p = prefix;
    const steps: string[][] = [
      ['RPUSH', `${p}l`, ...'q w e r t y u i o p a s d f g h j k'.split(' ')],
      ['SORT', `${p}l`, 'BY', `${p}none_*`, 'ALPHA', 'LIMIT', '0', '5'],
      ['SORT', `${p}l`, 'BY', `${p}none_*`, 'ALPHA', 'LIMIT', '3', '4', 'DESC'],
      ['SORT', `${p}l`, 'BY', `${p}none_*`, 'LIMIT', '2', '6'],
      ['MSET', `${p}w_q`, '1', `${p}w_w`, '1', `${p}w_e`, '2', `${p}w_r`, '1', `${p}w_t`, '2', `${p}w_y`, '1'],
      ['SORT', `${p}l`, 'BY', `${p}w_*`, 'ALPHA', 'LIMIT', '1', '7'],
      ['SORT', `${p}l`, 'BY', `${p}w_*`, 'ALPHA'],
      ['SORT', `${p}l`, 'BY', `${p}w_*`, 'ALPHA', 'DESC', 'LIMIT', '0', '10', 'GET', '#', 'GET', `${p}w_*`],
      ['SORT', `${p}l`, 'BY', `${p}w_*`, 'LIMIT', '0', '8'],
      ['RPUSH', `${p}n`, ' 1', '', '0x10', 'inf', '-inf', '1.5e+3', '+.5', '2.2250738585072014e-308'],
      ['SORT', `${p}n`],
      ['SORT', `${p}n`, 'DESC', 'LIMIT', '1', '3'],
      ['RPUSH', `${p}bad`, '1 '],
      ['SORT', `${p}bad`],
      ['RPUSH', `${p}tiny`, '1e-310'],
      ['SORT', `${p}tiny`],
      ['ZADD', `${p}z`, '3', 'x', '1', 'y', '2', 'z', '2', 'w'],
      ['SORT', `${p}z`, 'BY', 'nosort', 'DESC', 'LIMIT', '1', '2'],
      ['SORT', `${p}z`, 'ALPHA', 'LIMIT', '1', '2'],
      ['HSET', `${p}h_x`, 'f', '10'],
      ['HSET', `${p}h_y`, 'f', '-3'],
      ['SORT', `${p}z`, 'BY', `${p}h_*->f`, 'GET', `${p}h_*->f`, 'GET', '#'],
      ['SORT', `${p}z`, 'BY', `${p}h_*->f`, 'STORE', `${p}dst`],
      ['LRANGE', `${p}dst`, '0', '-1'],
      ['SORT', `${p}none`, 'STORE', `${p}dst`],
      ['EXISTS', `${p}dst`],
      ['SADD', `${p}s`, '5', '3', '9'],
      ['SORT', `${p}s`, 'BY', 'nosort', 'STORE', `${p}dst`],
      ['LRANGE', `${p}dst`, '0', '-1'],
      ['SORT', `${p}s`, 'LIMIT', '-1', '-1', 'DESC'],
      ['SORT', `${p}l`, 'LIMIT', '18', '1'],
      ['SORT', `${p}l`, 'BY', 'nosort', 'LIMIT', '17', '-1', 'DESC'],
    ];
    for (const step of steps) {
      const mine = h.run(...step);
      const theirs = await session.live.call(step);
      expect(mine, step.join(' ')).toEqual(theirs);
    }
  });
});
