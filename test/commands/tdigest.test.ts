/**
 * RedisBloom 2.8's t-digest (`TDIGEST.*`) on a cache created with `modules: ['RedisBloom']`.
 *
 * Expectations are ported from RedisBloom's flow tests (`tests/flow/test_tdigest.py`, cited as
 * `flow test_x`; `tests/flow/test_resp3.py` of the 2.6/2.8 line, cited as `flow resp3`), the
 * command docs (redis.io `tdigest.*` pages, cited as `docs tdigest.x`; their doubles were recorded
 * on a server that printed 17 significant digits, Redis 7.4 prints the shortest round-trip form)
 * and the module's source (`src/rm_tdigest.c`, `deps/t-digest-c/src/tdigest.c`; cited as `source`).
 */
import { describe, expect, it } from 'vitest';
import { ManagedRedis } from '../../src/managed-redis.js';
import type { HarnessOptions } from '../support/command-harness.js';
import { moduleHarness } from '../support/short-reply.js';

const bloom = (options: HarnessOptions = {}) => moduleHarness('RedisBloom', options);

const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value';
const arity = (name: string) => `-ERR wrong number of arguments for '${name}' command`;
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => String(from + i));

/** TDIGEST.INFO (RESP2) as an object. */
function info(h: ReturnType<typeof bloom>, key: string): Record<string, number> {
  const flat = h.r('TDIGEST.INFO', key) as Array<string | number>;
  const out: Record<string, number> = {};
  for (let i = 0; i < flat.length; i += 2) out[(flat[i] as string).slice(1)] = flat[i + 1] as number;
  return out;
}

/** A digest of `values` added one command at a time, as the flow tests build them. */
function filled(h: ReturnType<typeof bloom>, key: string, compression: number, values: readonly string[]): void {
  h.r('TDIGEST.CREATE', key, 'COMPRESSION', String(compression));
  for (const v of values) h.r('TDIGEST.ADD', key, v);
}

describe('TDIGEST.CREATE / INFO / RESET', () => {
  it('flow test_tdigest_create: COMPRESSION as given, 100 by default; capacity 6·δ + 10; TYPE TDIS-TYPE', () => {
    const h = bloom();
    for (let c = 100; c < 1000; c += 100) {
      expect(h.r('TDIGEST.CREATE', 'td', 'compression', String(c))).toBe('+OK');
      expect(info(h, 'td').Compression).toBe(c);
      expect(info(h, 'td').Capacity).toBe(6 * c + 10);
      h.r('DEL', 'td');
    }
    expect(h.r('TDIGEST.CREATE', 'td-default')).toBe('+OK');
    // source TDigestSketch_Info: the nine fields in order; Memory usage is TDigestMemUsage (8 + 16·cap).
    expect(h.r('TDIGEST.INFO', 'td-default')).toEqual([
      '+Compression', 100, '+Capacity', 610, '+Merged nodes', 0, '+Unmerged nodes', 0, '+Merged weight', 0,
      '+Unmerged weight', 0, '+Observations', 0, '+Total compressions', 0, '+Memory usage', 9768,
    ]);
    expect(h.r('TYPE', 'td-default')).toBe('+TDIS-TYPE');
    expect(h.r('OBJECT', 'ENCODING', 'td-default')).toBe('raw');
    expect(h.r('MEMORY', 'USAGE', 'td-default')).toBeGreaterThanOrEqual(9768);
  });

  it('source: registered through rmutil (write deny-oom / readonly, keys 1/1/1)', () => {
    const h = bloom();
    const infoOf = (name: string) => (h.r('COMMAND', 'INFO', name) as unknown[][])[0].slice(0, 6);
    expect(infoOf('tdigest.create')).toEqual(['tdigest.create', -1, ['+write', '+denyoom', '+module'], 1, 1, 1]);
    expect(infoOf('tdigest.merge')).toEqual(['tdigest.merge', -1, ['+write', '+denyoom', '+module'], 1, 1, 1]);
    expect(infoOf('tdigest.quantile')).toEqual(['tdigest.quantile', -1, ['+readonly', '+module'], 1, 1, 1]);
    expect(h.r('COMMAND', 'GETKEYS', 'TDIGEST.MERGE', 'd', '2', 'a', 'b')).toEqual(['d']);
  });

  it('flow test_negative_tdigest_create: every error, checked in the module order', () => {
    const h = bloom();
    h.r('SET', 's', 'B');
    expect(h.r('TDIGEST.CREATE', 's', 'compression', '100')).toBe(WRONGTYPE);
    expect(h.r('TDIGEST.CREATE', 'td', '100', '5')).toBe('-ERR T-Digest: wrong keyword');
    expect(h.r('TDIGEST.CREATE', 'td', 'compression')).toBe(arity('tdigest.create'));
    expect(h.r('TDIGEST.CREATE')).toBe(arity('tdigest.create'));
    expect(h.r('TDIGEST.CREATE', 'td', 'compression', 'a')).toBe('-ERR T-Digest: error parsing compression parameter');
    expect(h.r('TDIGEST.CREATE', 'td', 'compression', '0')).toBe('-ERR T-Digest: compression parameter needs to be a positive integer');
    expect(h.r('TDIGEST.CREATE', 'td', 'compression', '-1')).toBe('-ERR T-Digest: compression parameter needs to be a positive integer');
    expect(h.r('TDIGEST.CREATE', 'td', 'string', '100')).toBe('-ERR T-Digest: wrong keyword');
    expect(h.r('TDIGEST.CREATE', 'td', 'compression', '100000000000000000000')).toBe('-ERR T-Digest: error parsing compression parameter');
    // source: the keyword is looked for in both arguments, the value is always the last.
    expect(h.r('TDIGEST.CREATE', 'td', '100', 'COMPRESSION')).toBe('-ERR T-Digest: error parsing compression parameter');
    // A digest past 512 MiB is refused with the module's allocation error (the module would try).
    expect(h.r('TDIGEST.CREATE', 'td', 'compression', '100000000')).toBe('-ERR T-Digest: allocation failed');
    expect(h.r('EXISTS', 'td')).toBe(0);
    expect(h.r('TDIGEST.CREATE', 'td')).toBe('+OK');
    // flow test_tdigest_create_twice
    expect(h.r('TDIGEST.CREATE', 'td')).toBe('-ERR T-Digest: key already exists');
    expect(h.r('TDIGEST.CREATE', 'td', 'COMPRESSION', 'x')).toBe('-ERR T-Digest: key already exists');
  });

  it('flow test_tdigest_reset / test_negative_tdigest_reset', () => {
    const h = bloom();
    h.r('TDIGEST.CREATE', 'td', 'compression', '100');
    expect(h.r('TDIGEST.RESET', 'td')).toBe('+OK');
    for (let i = 0; i < 100; i++) h.r('TDIGEST.ADD', 'td', String((i * 0.37) % 1));
    expect(info(h, 'td')['Unmerged nodes']).toBe(100);
    expect(h.r('TDIGEST.RESET', 'td')).toBe('+OK');
    expect(info(h, 'td')).toMatchObject({ 'Unmerged nodes': 0, 'Merged nodes': 0, Observations: 0, 'Total compressions': 0 });
    expect(h.r('TDIGEST.MIN', 'td')).toBe('nan');
    h.r('SET', 's', 'B');
    expect(h.r('TDIGEST.RESET', 's')).toBe(WRONGTYPE);
    expect(h.r('TDIGEST.RESET', 'none')).toBe('-ERR T-Digest: key does not exist');
    expect(h.r('TDIGEST.RESET')).toBe(arity('tdigest.reset'));
    expect(h.r('TDIGEST.RESET', 'td', '100')).toBe(arity('tdigest.reset'));
  });
});

describe('TDIGEST.ADD and the merging of the buffer', () => {
  it('flow resp3: 1..10000 added one by one leave 51 merged centroids and 422 buffered points after 17 merges', () => {
    const h = bloom();
    filled(h, 'td', 100, range(1, 10001));
    expect(info(h, 'td')).toEqual({
      Compression: 100, Capacity: 610, 'Merged nodes': 51, 'Unmerged nodes': 422, 'Merged weight': 9578,
      'Unmerged weight': 422, Observations: 10000, 'Total compressions': 17, 'Memory usage': 9768,
    });
    // source: a query merges the buffer first (td_compress), as INFO then shows; MIN/MAX do not.
    h.r('TDIGEST.MAX', 'td');
    expect(info(h, 'td')['Unmerged nodes']).toBe(422);
    h.r('TDIGEST.QUANTILE', 'td', '0.5');
    expect(info(h, 'td')).toMatchObject({ 'Unmerged nodes': 0, 'Merged weight': 10000, 'Total compressions': 18 });
  });

  it('flow test_tdigest_add / test_negative_tdigest_add: many values per call; nothing is added on an error', () => {
    const h = bloom();
    h.r('TDIGEST.CREATE', 'td2');
    expect(h.r('TDIGEST.ADD', 'td2', ...Array(100).fill('1.0'))).toBe('+OK');
    expect(info(h, 'td2')).toMatchObject({ Observations: 100, 'Merged weight': 0, 'Unmerged weight': 100 });
    h.r('SET', 's', 'B');
    expect(h.r('TDIGEST.ADD', 's', '100')).toBe(WRONGTYPE);
    h.r('TDIGEST.CREATE', 'td', 'compression', '100');
    expect(h.r('TDIGEST.ADD', 'td')).toBe(arity('tdigest.add'));
    expect(h.r('TDIGEST.ADD', 'dont-exist', '100')).toBe('-ERR T-Digest: key does not exist');
    // source: the key is checked before the values.
    expect(h.r('TDIGEST.ADD', 'dont-exist', 'a')).toBe('-ERR T-Digest: key does not exist');
    expect(h.r('TDIGEST.ADD', 'td', 'a', '5', '10', '20')).toBe('-ERR T-Digest: error parsing val parameter');
    expect(h.r('TDIGEST.ADD', 'td', '5.0', 'a', '10', '20')).toBe('-ERR T-Digest: error parsing val parameter');
    expect(info(h, 'td').Observations).toBe(0);
    expect(h.r('TDIGEST.ADD', 'td', '-inf')).toBe('-ERR T-Digest: val parameter needs to be a finite number');
    expect(h.r('TDIGEST.ADD', 'td', '+inf')).toBe('-ERR T-Digest: val parameter needs to be a finite number');
    // source: each value is parsed then range-checked in turn; nan and an overflowing 1e400 do not parse.
    expect(h.r('TDIGEST.ADD', 'td', 'inf', 'a')).toBe('-ERR T-Digest: val parameter needs to be a finite number');
    expect(h.r('TDIGEST.ADD', 'td', 'a', 'inf')).toBe('-ERR T-Digest: error parsing val parameter');
    expect(h.r('TDIGEST.ADD', 'td', 'nan')).toBe('-ERR T-Digest: error parsing val parameter');
    expect(h.r('TDIGEST.ADD', 'td', '1e400')).toBe('-ERR T-Digest: error parsing val parameter');
    expect(info(h, 'td').Observations).toBe(0);
  });

  it('runs of equal values: the library quicksort order, replayed without its quadratic scans', () => {
    // Merged-node counts from the library's plain recursive quicksort on the same input (the
    // emulator replays its steps on equal runs in O(1); the centroids must come out the same).
    const h = bloom();
    h.r('TDIGEST.CREATE', 'eq', 'COMPRESSION', '10000');
    // One command of 120000 values (an argv array: too many to spread into a call).
    h.cache.execute(['TDIGEST.ADD', 'eq'].concat(Array<string>(120000).fill('5')));
    h.r('TDIGEST.CREATE', 'two', 'COMPRESSION', '10000');
    h.cache.execute(['TDIGEST.ADD', 'two'].concat(Array.from({ length: 120000 }, (_, i) => (i % 3 === 0 ? '1' : '2'))));
    h.r('TDIGEST.CDF', 'eq', '5');
    h.r('TDIGEST.CDF', 'two', '1');
    expect(info(h, 'eq')).toMatchObject({ 'Merged nodes': 1643, 'Total compressions': 3, Observations: 120000 });
    expect(info(h, 'two')).toMatchObject({ 'Merged nodes': 1212, 'Total compressions': 3 });
    expect(h.r('TDIGEST.QUANTILE', 'two', '0.3', '0.34', '0.9')).toEqual(['1', '2', '2']);
  });

  it('issue #870 (RedisBloom 2.8): one observation stays unmerged, so QUANTILE, CDF and TRIMMED_MEAN answer nan', () => {
    const h = bloom();
    h.r('TDIGEST.CREATE', 'one');
    h.r('TDIGEST.ADD', 'one', '123');
    expect(h.r('TDIGEST.QUANTILE', 'one', '0', '0.5', '1')).toEqual(['nan', 'nan', 'nan']);
    expect(h.r('TDIGEST.CDF', 'one', '100', '123', '200')).toEqual(['nan', 'nan', 'nan']);
    expect(h.r('TDIGEST.TRIMMED_MEAN', 'one', '0.1', '0.9')).toBe('nan');
    expect(info(h, 'one')).toMatchObject({ 'Merged nodes': 0, 'Unmerged nodes': 1, 'Total compressions': 0 });
    expect([h.r('TDIGEST.MIN', 'one'), h.r('TDIGEST.MAX', 'one')]).toEqual(['123', '123']);
    expect(h.r('TDIGEST.BYRANK', 'one', '0', '1')).toEqual(['123', 'inf']);
    // source _TDigest_Rank: outside [min, max] needs no CDF; at the value, (long long)nan is LLONG_MIN on x86-64.
    expect(h.r('TDIGEST.RANK', 'one', '122', '124')).toEqual([-1, 1]);
    expect(h.run('TDIGEST.RANK', 'one', '123')).toEqual(['*', [[':', '-9223372036854775808']]]);
    // issue #870: a second observation makes it answer.
    h.r('TDIGEST.ADD', 'one', '123');
    expect(h.r('TDIGEST.QUANTILE', 'one', '0.9')).toEqual(['123']);
  });
});

describe('TDIGEST.MERGE', () => {
  it('flow test_tdigest_merge_to_empty / test_tdigest_merge_itself / test_tdigest_merge', () => {
    const h = bloom();
    h.r('TDIGEST.CREATE', 'to{1}', 'compression', '100');
    h.r('TDIGEST.CREATE', 'from{1}', 'compression', '100');
    for (let i = 0; i < 100; i++) h.r('TDIGEST.ADD', 'from{1}', '1.0');
    expect(h.r('TDIGEST.MERGE', 'to{1}', '1', 'from{1}')).toBe('+OK');
    expect(info(h, 'to{1}').Observations).toBe(100);
    // Merging reads the source: its buffer is merged too.
    expect(info(h, 'from{1}')['Unmerged nodes']).toBe(0);
    let weight = 100;
    for (let i = 0; i < 5; i++) {
      expect(h.r('TDIGEST.MERGE', 'to{1}', '1', 'to{1}')).toBe('+OK');
      weight *= 2;
      expect(info(h, 'to{1}').Observations).toBe(weight);
    }
    h.r('TDIGEST.CREATE', 'big{1}', 'compression', '100');
    for (let i = 0; i < 1000; i++) h.r('TDIGEST.ADD', 'big{1}', '1.0');
    expect(h.r('TDIGEST.MERGE', 'big{1}', '1', 'from{1}')).toBe('+OK');
    expect(info(h, 'big{1}')).toMatchObject({ Observations: 1100, Compression: 100 });
  });

  it('flow test_tdigest_merge: the compression of the result', () => {
    const h = bloom();
    h.r('TDIGEST.CREATE', 'to-1', 'compression', '55');
    h.r('TDIGEST.CREATE', 'from-1', 'compression', '100');
    h.r('TDIGEST.CREATE', 'from-2', 'compression', '200');
    h.r('TDIGEST.ADD', 'from-1', '1.0');
    for (let i = 0; i < 10; i++) h.r('TDIGEST.ADD', 'from-2', '1.0');
    // A new destination takes the largest compression of its sources.
    expect(h.r('TDIGEST.MERGE', 'to-100', '2', 'from-1', 'from-2')).toBe('+OK');
    expect(info(h, 'to-100')).toMatchObject({ Compression: 200, Observations: 11 });
    // An existing one keeps its own.
    expect(h.r('TDIGEST.MERGE', 'to-1', '2', 'from-1', 'from-2')).toBe('+OK');
    expect(info(h, 'to-1').Compression).toBe(55);
    expect(h.r('TDIGEST.MERGE', 'to-50', '2', 'from-1', 'from-2', 'COMPRESSION', '50')).toBe('+OK');
    expect(info(h, 'to-50')).toMatchObject({ Compression: 50, Observations: 11 });
    expect(h.r('TDIGEST.MERGE', 'to-50', '2', 'from-1', 'from-2', 'compression', '500')).toBe('+OK');
    expect(info(h, 'to-50')).toMatchObject({ Compression: 500, Observations: 22 });
    // OVERRIDE drops the old contents and, without COMPRESSION, takes the sources' largest.
    expect(h.r('TDIGEST.MERGE', 'to-50', '2', 'from-1', 'from-2', 'OVERRIDE')).toBe('+OK');
    expect(info(h, 'to-50')).toMatchObject({ Compression: 200, Observations: 11 });
    expect(h.r('TDIGEST.MERGE', 'to-50', '1', 'from-1', 'OVERRIDE', 'COMPRESSION', '70')).toBe('+OK');
    expect(info(h, 'to-50')).toMatchObject({ Compression: 70, Observations: 1 });
  });

  it('flow test_tdigest_merge_percentile: min/max equal quantile 0/1; quantiles within 0.01', () => {
    const h = bloom();
    filled(h, 'from', 500, range(1, 10000).map((x) => String(Number(x) * 0.01)));
    expect(h.r('TDIGEST.MERGE', 'to', '1', 'from', 'COMPRESSION', '500')).toBe('+OK');
    expect(h.r('TDIGEST.QUANTILE', 'to', '1')).toEqual([h.r('TDIGEST.MAX', 'to')]);
    expect(h.r('TDIGEST.QUANTILE', 'to', '0')).toEqual([h.r('TDIGEST.MIN', 'to')]);
    const res = (h.r('TDIGEST.QUANTILE', 'to', '0.01', '0.5', '0.95', '0.99') as string[]).map(Number);
    [1, 50, 95, 99].forEach((want, i) => expect(Math.abs(res[i] - want)).toBeLessThan(0.01));
  });

  it('a merge replaces the destination (its TTL goes); sources are read, not changed in content', () => {
    const h = bloom();
    h.r('TDIGEST.CREATE', 'd');
    h.r('TDIGEST.ADD', 'd', '1', '2');
    h.r('EXPIRE', 'd', '100');
    h.r('TDIGEST.CREATE', 's');
    h.r('TDIGEST.ADD', 's', '3', '4');
    expect(h.r('TDIGEST.MERGE', 'd', '1', 's')).toBe('+OK');
    expect(h.r('TTL', 'd')).toBe(-1);
    expect([h.r('TDIGEST.MIN', 'd'), h.r('TDIGEST.MAX', 'd'), info(h, 'd').Observations]).toEqual(['1', '4', 4]);
    expect(info(h, 's').Observations).toBe(2);
  });

  it('flow test_negative_tdigest_merge: every error, checked in the module order; nothing changes on an error', () => {
    const h = bloom();
    h.r('SET', 'to', 'B');
    h.r('SET', 'from', 'B');
    h.r('TDIGEST.CREATE', 'from-1');
    expect(h.r('TDIGEST.MERGE', 'to', '1', 'from')).toBe(WRONGTYPE);
    // source: the destination's type is checked before numkeys is read.
    expect(h.r('TDIGEST.MERGE', 'to', 'x', 'from')).toBe(WRONGTYPE);
    expect(h.r('TDIGEST.MERGE', 'to', '2', 'from-1', 'from')).toBe(WRONGTYPE);
    expect(h.r('TDIGEST.MERGE', 'to', '2', 'from', 'from-1')).toBe(WRONGTYPE);
    h.r('DEL', 'to');
    expect(h.r('TDIGEST.MERGE', 'to', '1', 'from', 'COMPRESSION', 'a')).toBe('-ERR T-Digest: error parsing compression parameter');
    expect(h.r('TDIGEST.MERGE', 'to', '1', 'from-1', 'COMPRESSION', '0')).toBe('-ERR T-Digest: compression parameter needs to be a positive integer');
    expect(h.r('TDIGEST.MERGE')).toBe(arity('tdigest.merge'));
    expect(h.r('TDIGEST.MERGE', 'to')).toBe(arity('tdigest.merge'));
    expect(h.r('TDIGEST.MERGE', 'to', '1')).toBe(arity('tdigest.merge'));
    expect(h.r('TDIGEST.MERGE', 'to', '3', 'from-1')).toBe(arity('tdigest.merge'));
    expect(h.r('TDIGEST.MERGE', 'to', '1', 'from-1', 'COMPRESSION')).toBe(arity('tdigest.merge'));
    expect(h.r('TDIGEST.MERGE', 'to', '1', 'from-1', 'extra-arg')).toBe('-ERR T-Digest: wrong keyword');
    expect(h.r('TDIGEST.MERGE', 'to', '1', 'from-1', 'bad_keyword', '500')).toBe('-ERR T-Digest: wrong keyword');
    // source: beside a keyword, other arguments go unread (the flow test's error comes from the key).
    expect(h.r('TDIGEST.MERGE', 'to', '1', 'from', 'OVERRIDE', 'extra-arg')).toBe(WRONGTYPE);
    expect(h.r('TDIGEST.MERGE', 'to', '-1', 'from')).toBe('-ERR T-Digest: numkeys needs to be a positive integer');
    expect(h.r('TDIGEST.MERGE', 'to', '0', 'from')).toBe('-ERR T-Digest: numkeys needs to be a positive integer');
    expect(h.r('TDIGEST.MERGE', 'to', 'x', 'from')).toBe('-ERR T-Digest: error parsing numkeys');
    expect(h.r('TDIGEST.MERGE', 'to', '1', 'from-1', 'COMPRESSION', '10000000000000000000')).toBe('-ERR T-Digest: error parsing compression parameter');
    expect(h.r('TDIGEST.MERGE', 'to', '1', 'from-1', 'COMPRESSION', '100000000')).toBe('-ERR T-Digest: allocation of destination digest failed');
    expect(h.r('TDIGEST.MERGE', 'to', '1', 'none')).toBe('-ERR T-Digest: key does not exist');
    // flow test_negative_tdigest_merge_crashes: a missing destination named as its own source.
    expect(h.r('TDIGEST.MERGE', 'z', '5', 'z', 'z', 'z', 'z', 'z', 'COMPRESSION', '3')).toBe('-ERR T-Digest: key does not exist');
    expect(h.r('EXISTS', 'to', 'z')).toBe(0);
  });

  it('flow test_negative_tdigest_merge_crashes_recursive: weights overflow 2^63 as "overflow detected", the destination kept', () => {
    const h = bloom();
    h.r('TDIGEST.CREATE', 'x', 'COMPRESSION', '1000');
    h.r('TDIGEST.CREATE', 'y', 'COMPRESSION', '1000');
    h.r('TDIGEST.ADD', 'x', ...range(1, 21));
    h.r('TDIGEST.ADD', 'y', ...range(101, 121));
    let error: unknown = null;
    let before = 0;
    for (let i = 0; i < 500 && error === null; i++) {
      h.r('TDIGEST.MERGE', 'z', '5', 'x', 'y', 'x', 'y', 'x');
      before = info(h, 'z').Observations;
      const reply = h.r('TDIGEST.MERGE', 'z', '5', 'z', 'z', 'z', 'z', 'z');
      if (typeof reply === 'string' && reply.startsWith('-')) error = reply;
    }
    expect(error).toBe('-ERR T-Digest: overflow detected');
    expect(info(h, 'z').Observations).toBe(before);
  });
});

describe('queries', () => {
  it('flow test_tdigest_min_max / test_negative_tdigest_min_max', () => {
    const h = bloom();
    h.r('TDIGEST.CREATE', 'td');
    expect([h.r('TDIGEST.MIN', 'td'), h.r('TDIGEST.MAX', 'td')]).toEqual(['nan', 'nan']);
    for (let x = 1; x <= 100; x++) h.r('TDIGEST.ADD', 'td', String(x));
    expect([h.r('TDIGEST.MIN', 'td'), h.r('TDIGEST.MAX', 'td')]).toEqual(['1', '100']);
    h.r('SET', 's', 'B');
    expect(h.r('TDIGEST.MIN', 's')).toBe(WRONGTYPE);
    expect(h.r('TDIGEST.MAX', 'dont-exist')).toBe('-ERR T-Digest: key does not exist');
    expect(h.r('TDIGEST.MIN')).toBe(arity('tdigest.min'));
    expect(h.r('TDIGEST.MAX', 'td', '1')).toBe(arity('tdigest.max'));
  });

  it('flow test_tdigest_quantile: 0.01..99.99 with compression 500', () => {
    const h = bloom();
    filled(h, 'td', 500, range(1, 10000).map((x) => String(Number(x) * 0.01)));
    expect(h.r('TDIGEST.QUANTILE', 'td', '1.0')).toEqual([h.r('TDIGEST.MAX', 'td')]);
    expect(h.r('TDIGEST.QUANTILE', 'td', '0.0')).toEqual([h.r('TDIGEST.MIN', 'td')]);
    const near = (reply: unknown, want: number[]) =>
      (reply as string[]).map(Number).forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(0.01));
    near(h.r('TDIGEST.QUANTILE', 'td', '0.01', '0.5', '0.95', '0.99'), [1, 50, 95, 99]);
    // Replies keep the order asked, each ascending run walked on its own.
    near(h.r('TDIGEST.QUANTILE', 'td', '0.95', '0.99', '0.01', '0.5'), [95, 99, 1, 50]);
  });

  it('docs tdigest.quantile / tdigest.cdf / tdigest.byrank / tdigest.byrevrank: 1 2 2 3 3 3 4 4 4 4 5 5 5 5 5', () => {
    const h = bloom();
    h.r('TDIGEST.CREATE', 't', 'COMPRESSION', '1000');
    expect(h.r('TDIGEST.ADD', 't', ...'1 2 2 3 3 3 4 4 4 4 5 5 5 5 5'.split(' '))).toBe('+OK');
    expect(h.r('TDIGEST.QUANTILE', 't', ...'0 0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9 1'.split(' '))).toEqual('1 2 3 3 4 4 4 5 5 5 5'.split(' '));
    // docs: "0.033333333333333333" … in 17 digits; these are the same doubles, shortest form.
    expect(h.r('TDIGEST.CDF', 't', ...range(0, 7))).toEqual(['0', '0.03333333333333333', '0.13333333333333333', '0.3', '0.5333333333333333', '0.8333333333333334', '1']);
    expect((h.r('TDIGEST.CDF', 't', ...range(0, 7)) as string[]).map(Number)).toEqual([0, 0.5 / 15, 2 / 15, 4.5 / 15, 8 / 15, 12.5 / 15, 1]);
    expect(h.r('TDIGEST.BYRANK', 't', ...range(0, 16))).toEqual('1 2 2 3 3 3 4 4 4 4 5 5 5 5 5 inf'.split(' '));
    // flow test_tdigest_byrevrank
    expect(h.r('TDIGEST.BYREVRANK', 't', ...range(0, 16))).toEqual('5 5 5 5 5 4 4 4 4 3 3 3 2 2 1 -inf'.split(' '));
    expect(h.r('TDIGEST.BYRANK', 't', ...range(0, 16).reverse())).toEqual('inf 5 5 5 5 5 4 4 4 4 3 3 3 2 2 1'.split(' '));
    expect(h.r('TDIGEST.CDF', 't', '-inf', 'inf')).toEqual(['0', '1']);
  });

  it('flow test_tdigest_cdf: about 0.01 and 0.99 at the ends of 1..99', () => {
    const h = bloom();
    filled(h, 'td', 500, range(1, 100));
    const [low, high] = (h.r('TDIGEST.CDF', 'td', '1.0', '99.0') as string[]).map(Number);
    expect(Math.abs(low - 0.01)).toBeLessThan(0.01);
    expect(Math.abs(high - 0.99)).toBeLessThan(0.01);
    expect(h.r('TDIGEST.CDF', 'td', '99.0', '1.0')).toEqual([String(high), String(low)]);
  });

  it('flow test_tdigest_rank / test_tdigest_revrank: 0..19', () => {
    const h = bloom();
    filled(h, 'td', 500, range(0, 20));
    expect(h.r('TDIGEST.RANK', 'td', '-1', '0', '19', '20', '18', '10', '1')).toEqual([-1, 0, 19, 20, 18, 10, 1]);
    expect(h.r('TDIGEST.RANK', 'td', '-20', '20', '9')).toEqual([-1, 20, 9]);
    expect(h.r('TDIGEST.REVRANK', 'td', '20', '0', '19', '50', '18', '10', '1')).toEqual([-1, 19, 0, -1, 1, 9, 18]);
    expect(h.r('TDIGEST.REVRANK', 'td', '21', '0', '10')).toEqual([-1, 19, 9]);
  });

  it('flow test_tdigest_rank_and_revrank / docs tdigest.rank: half the equal ones, rounded down (RANK) or up (REVRANK)', () => {
    const h = bloom();
    h.r('TDIGEST.CREATE', 't', 'compression', '1000');
    h.r('TDIGEST.ADD', 't', ...'1 2 2 3 3 3 4 4 4 4 5 5 5 5 5'.split(' '));
    expect(h.r('TDIGEST.RANK', 't', ...range(0, 7))).toEqual([-1, 0, 2, 4, 8, 12, 15]);
    expect(h.r('TDIGEST.REVRANK', 't', ...range(0, 7))).toEqual([15, 14, 13, 10, 7, 2, -1]);
    h.r('TDIGEST.CREATE', 'empty');
    expect(h.r('TDIGEST.RANK', 'empty', '0', '1')).toEqual([-2, -2]);
    expect(h.r('TDIGEST.REVRANK', 'empty', '0', '1')).toEqual([-2, -2]);
    h.r('TDIGEST.CREATE', 's', 'compression', '1000');
    h.r('TDIGEST.ADD', 's', '10', '20', '30', '40', '50', '60');
    expect(h.r('TDIGEST.RANK', 's', '0', '10', '20', '30', '40', '50', '60', '70')).toEqual([-1, 0, 1, 2, 3, 4, 5, 6]);
    expect(h.r('TDIGEST.REVRANK', 's', '0', '10', '20', '30', '40', '50', '60', '70')).toEqual([6, 5, 4, 3, 2, 1, 0, -1]);
  });

  it('flow test_tdigest_byrank / test_tdigest_byrevrank: 1..10', () => {
    const h = bloom();
    h.r('TDIGEST.CREATE', 'td', 'compression', '500');
    h.r('TDIGEST.ADD', 'td', ...range(1, 11));
    expect(h.r('TDIGEST.BYRANK', 'td', '0', '10', '100', '9')).toEqual(['1', 'inf', 'inf', '10']);
    filled(h, 'rev', 1000, range(1, 11));
    expect(h.r('TDIGEST.BYREVRANK', 'rev', '0', '10', '100', '9')).toEqual(['10', '-inf', '-inf', '1']);
    h.r('TDIGEST.CREATE', 'empty');
    expect(h.r('TDIGEST.BYRANK', 'empty', '0', '3')).toEqual(['nan', 'nan']);
  });

  it('docs tdigest.trimmed_mean: 1..10', () => {
    const h = bloom();
    h.r('TDIGEST.CREATE', 't', 'COMPRESSION', '1000');
    h.r('TDIGEST.ADD', 't', ...range(1, 11));
    expect(h.r('TDIGEST.TRIMMED_MEAN', 't', '0.1', '0.6')).toBe('4');
    expect(h.r('TDIGEST.TRIMMED_MEAN', 't', '0.3', '0.9')).toBe('6.5');
    expect(h.r('TDIGEST.TRIMMED_MEAN', 't', '0', '1')).toBe('5.5');
    h.r('TDIGEST.CREATE', 'empty');
    expect(h.r('TDIGEST.TRIMMED_MEAN', 'empty', '0', '1')).toBe('nan');
  });

  it('source: the query errors, each checked in turn (the key first)', () => {
    const h = bloom();
    h.r('SET', 's', 'B');
    h.r('TDIGEST.CREATE', 'td');
    for (const name of ['quantile', 'cdf', 'rank', 'revrank', 'byrank', 'byrevrank']) {
      const cmd = `TDIGEST.${name.toUpperCase()}`;
      expect(h.r(cmd, 's', '0.9')).toBe(WRONGTYPE);
      expect(h.r(cmd, 'dont-exist', 'x')).toBe('-ERR T-Digest: key does not exist');
      expect(h.r(cmd, 'td')).toBe(arity(`tdigest.${name}`));
    }
    expect(h.r('TDIGEST.QUANTILE', 'td', '1', 'a')).toBe('-ERR T-Digest: error parsing quantile');
    expect(h.r('TDIGEST.QUANTILE', 'td', '-0.5')).toBe('-ERR T-Digest: quantile should be in [0,1]');
    expect(h.r('TDIGEST.QUANTILE', 'td', '1.1', 'a')).toBe('-ERR T-Digest: quantile should be in [0,1]');
    expect(h.r('TDIGEST.CDF', 'td', '1.0', 'foo')).toBe('-ERR T-Digest: error parsing cdf');
    expect(h.r('TDIGEST.CDF', 'td', 'nan')).toBe('-ERR T-Digest: error parsing cdf');
    expect(h.r('TDIGEST.RANK', 'td', 'nan')).toBe('-ERR T-Digest: error parsing value');
    expect(h.r('TDIGEST.REVRANK', 'td', '1.5', 'a')).toBe('-ERR T-Digest: error parsing value');
    expect(h.r('TDIGEST.BYRANK', 'td', '1.5')).toBe('-ERR T-Digest: error parsing rank');
    expect(h.r('TDIGEST.BYREVRANK', 'td', '-1', 'a')).toBe('-ERR T-Digest: rank needs to be non negative');
    expect(h.r('TDIGEST.TRIMMED_MEAN', 'td', '0.1')).toBe(arity('tdigest.trimmed_mean'));
    expect(h.r('TDIGEST.TRIMMED_MEAN', 's', '0.1', '0.2')).toBe(WRONGTYPE);
    expect(h.r('TDIGEST.TRIMMED_MEAN', 'td', 'a', 'b')).toBe('-ERR T-Digest: error parsing low_cut_percentile');
    expect(h.r('TDIGEST.TRIMMED_MEAN', 'td', '0.1', 'b')).toBe('-ERR T-Digest: error parsing high_cut_percentile');
    expect(h.r('TDIGEST.TRIMMED_MEAN', 'td', '0.1', '1.5')).toBe('-ERR T-Digest: low_cut_percentile and high_cut_percentile should be in [0,1]');
    expect(h.r('TDIGEST.TRIMMED_MEAN', 'td', '0.5', '0.5')).toBe('-ERR T-Digest: low_cut_percentile should be lower than high_cut_percentile');
    expect(h.r('TDIGEST.INFO', 'td', 'x')).toBe(arity('tdigest.info'));
    expect(h.r('TDIGEST.INFO', 'none')).toBe('-ERR T-Digest: key does not exist');
    expect(h.r('TDIGEST.INFO', 's')).toBe(WRONGTYPE);
  });
});

describe('protocols, copies and replicas', () => {
  it('flow resp3: TDIGEST.INFO is a map; doubles are RESP3 doubles; ranks integers', () => {
    const h = bloom({ resp: 3 });
    h.r('TDIGEST.CREATE', 'td');
    expect(h.r('TDIGEST.MIN', 'td')).toBe(',nan');
    h.r('TDIGEST.ADD', 'td', '1', '2', '3');
    expect(h.r('TDIGEST.INFO', 'td')).toEqual([
      ['+Compression', 100], ['+Capacity', 610], ['+Merged nodes', 0], ['+Unmerged nodes', 3], ['+Merged weight', 0],
      ['+Unmerged weight', 3], ['+Observations', 3], ['+Total compressions', 0], ['+Memory usage', 9768],
    ]);
    expect(h.r('TDIGEST.QUANTILE', 'td', '0', '1')).toEqual([',1', ',3']);
    expect(h.r('TDIGEST.BYRANK', 'td', '5')).toEqual([',inf']);
    expect(h.r('TDIGEST.BYREVRANK', 'td', '5')).toEqual([',-inf']);
    expect(h.r('TDIGEST.TRIMMED_MEAN', 'td', '0', '1')).toBe(',2');
    expect(h.r('TDIGEST.RANK', 'td', '2')).toEqual([1]);
  });

  it('COPY takes an independent copy; DUMP answers like the other module values', () => {
    const h = bloom();
    h.r('TDIGEST.CREATE', 'a');
    h.r('TDIGEST.ADD', 'a', '1', '2');
    expect(h.r('COPY', 'a', 'b')).toBe(1);
    h.r('TDIGEST.ADD', 'b', '10');
    expect([h.r('TDIGEST.MAX', 'a'), h.r('TDIGEST.MAX', 'b')]).toEqual(['2', '10']);
    expect(h.r('DUMP', 'a')).toBe('-ERR DUMP of a TDIS-TYPE value (a module type) is not supported by the emulator');
  });

  it('writes replicate verbatim and a caught-up replica has the same digest, reads on the primary included', async () => {
    const cache = new ManagedRedis({ modules: ['RedisBloom'], clock: 'virtual', seed: 5, activeExpiry: false, replication: { lag: 100 } });
    await cache.ready();
    const shard = cache.topology.slotToShard[Number(cache.execute(['CLUSTER', 'KEYSLOT', '{h}a']))];
    cache.execute(['TDIGEST.CREATE', '{h}a', 'COMPRESSION', '50']);
    for (let i = 0; i < 400; i++) cache.execute(['TDIGEST.ADD', '{h}a', String((i * 7919) % 1000)]);
    // A read merges the primary's buffer only (as on a real primary).
    cache.execute(['TDIGEST.QUANTILE', '{h}a', '0.5']);
    cache.execute(['TDIGEST.MERGE', '{h}b', '2', '{h}a', '{h}a', 'COMPRESSION', '80']);
    cache.execute(['TDIGEST.RESET', '{h}a']);
    cache.execute(['TDIGEST.ADD', '{h}a', '5']);
    const before = cache.replication.digest(shard);
    expect(cache.replication.replicaDigest(shard)).not.toBe(before);
    cache.clock.advance(200);
    expect(cache.replication.replicaDigest(shard)).toBe(before);
  });

  it('the module raises no keyspace events of its own', () => {
    const h = bloom();
    h.r('CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
    h.events();
    h.r('TDIGEST.CREATE', 'td');
    h.r('TDIGEST.ADD', 'td', '1');
    h.r('TDIGEST.MERGE', 'm', '1', 'td');
    expect(h.events().filter((e) => !e.endsWith(':'))).toEqual([]);
  });
});
