/**
 * The SCAN cursor: Redis 7.4's cursor parsing, and the iteration guarantees under concurrent
 * adds and removes, over one or several parts (shards).
 */
import { describe, expect, it } from 'vitest';
import {
  HASH_LIMIT,
  decodeCursor,
  encodeCursor,
  hash48,
  parseCursor,
  scanMap,
  scanStep,
  type ScanPart,
} from '../../src/keyspace/scan.js';

describe('parseCursor (string2ull)', () => {
  it('reads plain decimals, up to 2^64 - 1', () => {
    expect(parseCursor('0')).toBe(0n);
    expect(parseCursor('17')).toBe(17n);
    expect(parseCursor('9223372036854775807')).toBe(9223372036854775807n);
    expect(parseCursor('9223372036854775808')).toBe(9223372036854775808n);
    expect(parseCursor('18446744073709551615')).toBe(18446744073709551615n);
  });

  it('rejects what is not a number, negatives, overflow and trailing text', () => {
    for (const bad of ['', 'x', '-1', '-9223372036854775808', '18446744073709551616', '1 ', '0x10', '1.0', '+', ' ']) {
      expect(parseCursor(bad), bad).toBeNull();
    }
  });

  it('accepts what strtoull reads to the end: leading blanks, +, leading zeros, -0', () => {
    expect(parseCursor(' 5')).toBe(5n);
    expect(parseCursor('\t\n7')).toBe(7n);
    expect(parseCursor('+1')).toBe(1n);
    expect(parseCursor('007')).toBe(7n);
    expect(parseCursor('-0')).toBe(0n);
    // A minus sign string2ll refused (out of int64 range) wraps around in strtoull.
    expect(parseCursor('-18446744073709551615')).toBe(1n);
  });
});

describe('cursor encoding', () => {
  it('puts the part above a 48-bit hash position', () => {
    expect(encodeCursor(0, 0)).toBe(0n);
    expect(encodeCursor(3, 5)).toBe(3n * 2n ** 48n + 5n);
    expect(decodeCursor(encodeCursor(7, HASH_LIMIT - 1))).toEqual({ part: 7, hash: HASH_LIMIT - 1 });
  });

  it('hashes into 48 bits, deterministically', () => {
    for (const key of ['', 'a', 'b', 'key:1', '\xff\x00', 'x'.repeat(1000)]) {
      const h = hash48(key);
      expect(Number.isInteger(h)).toBe(true);
      expect(h).toBeGreaterThanOrEqual(0);
      expect(h).toBeLessThan(HASH_LIMIT);
      expect(hash48(key)).toBe(h);
    }
    expect(hash48('a')).not.toBe(hash48('b'));
  });
});

function part(index: number, keys: Iterable<string>): ScanPart & { map: Map<string, number> } {
  const map = new Map<string, number>();
  for (const k of keys) map.set(k, 1);
  return { index, map };
}

/** Runs a full iteration; `between` runs after every step (to mutate the parts). */
function iterate(parts: ScanPart[], count: number, between: (step: number) => void = () => {}): string[][] {
  const batches: string[][] = [];
  let cursor = 0n;
  let steps = 0;
  do {
    const step = scanStep(parts, cursor, count);
    batches.push(step.keys);
    cursor = step.cursor;
    between(++steps);
    if (steps > 100_000) throw new Error('iteration does not end');
  } while (cursor !== 0n);
  return batches;
}

describe('scanStep', () => {
  it('returns everything in one call when a part holds no more than COUNT keys', () => {
    const p = part(0, ['a', 'b', 'c']);
    const step = scanStep([p], 0n, 10);
    expect(step.cursor).toBe(0n);
    expect([...step.keys].sort()).toEqual(['a', 'b', 'c']);
  });

  it('returns every key exactly once over an unchanging keyspace, in batches of about COUNT', () => {
    const keys = Array.from({ length: 1000 }, (_, i) => `key:${i}`);
    const batches = iterate([part(0, keys)], 10);
    const seen = batches.flat();
    expect(seen.length).toBe(1000);
    expect(new Set(seen).size).toBe(1000);
    for (const batch of batches.slice(0, -1)) expect(batch.length).toBeGreaterThanOrEqual(10);
    expect(batches.length).toBeGreaterThan(50);
  });

  it('walks the parts in order and encodes the part in the cursor', () => {
    const a = part(0, Array.from({ length: 30 }, (_, i) => `a${i}`));
    const b = part(2, Array.from({ length: 30 }, (_, i) => `b${i}`));
    const first = scanStep([a, b], 0n, 30);
    expect(first.keys.every((k) => k.startsWith('a'))).toBe(true);
    expect(decodeCursor(first.cursor).part).toBe(2);
    const second = scanStep([a, b], first.cursor, 100);
    expect(second.keys.length).toBe(30);
    expect(second.cursor).toBe(0n);
  });

  it('continues into the next part within one call when COUNT is not reached', () => {
    const a = part(0, ['a1', 'a2']);
    const b = part(1, ['b1', 'b2']);
    const step = scanStep([a, b], 0n, 10);
    expect(step.keys.sort()).toEqual(['a1', 'a2', 'b1', 'b2']);
    expect(step.from.length).toBe(4);
    expect(step.cursor).toBe(0n);
  });

  it('ends at once for a cursor past the last part', () => {
    const step = scanStep([part(0, ['a']), part(1, ['b'])], encodeCursor(5, 0), 10);
    expect(step).toEqual({ keys: [], from: [], cursor: 0n });
  });

  it('guarantees: keys present throughout are returned, keys never present are not (random churn)', () => {
    let seed = 42;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 20; round++) {
      const parts = [part(0, []), part(1, []), part(3, [])];
      const stable = new Set<string>();
      for (let i = 0; i < 300; i++) {
        const key = `s${round}:${i}`;
        parts[rnd(3)].map.set(key, 1);
        stable.add(key);
      }
      let churn = 0;
      const everPresent = new Set(stable);
      const volatile: Array<[Map<string, number>, string]> = [];
      for (let i = 0; i < 100; i++) {
        const key = `v${round}:${i}`;
        const map = parts[rnd(3)].map;
        map.set(key, 1);
        volatile.push([map, key]);
        everPresent.add(key);
      }
      const batches = iterate(parts, 1 + rnd(20), () => {
        // Between steps: add new keys, remove and re-add volatile ones; stable keys stay put.
        for (let j = 0; j < 5; j++) {
          const key = `n${round}:${churn++}`;
          parts[rnd(3)].map.set(key, 1);
          everPresent.add(key);
          const [map, vkey] = volatile[rnd(volatile.length)];
          if (map.has(vkey)) map.delete(vkey);
          else map.set(vkey, 1);
        }
      });
      const seen = new Set(batches.flat());
      for (const key of stable) expect(seen.has(key), key).toBe(true);
      for (const key of seen) expect(everPresent.has(key), key).toBe(true);
    }
  });

  it('a new iteration sees keys added before it began, even in parts a previous one cached', () => {
    const a = part(0, Array.from({ length: 20 }, (_, i) => `a${i}`));
    const b = part(1, ['b0']);
    iterate([a, b], 5); // caches snapshots of both parts
    b.map.set('b-late', 1);
    const seen = new Set(iterate([a, b], 5).flat());
    expect(seen.has('b-late')).toBe(true);
  });

  it('skips keys deleted after the snapshot was taken', () => {
    const p = part(0, Array.from({ length: 50 }, (_, i) => `k${i}`));
    const first = scanStep([p], 0n, 5);
    for (let i = 0; i < 50; i++) if (!first.keys.includes(`k${i}`)) p.map.delete(`k${i}`);
    let cursor = first.cursor;
    const rest: string[] = [];
    while (cursor !== 0n) {
      const step = scanStep([p], cursor, 5);
      rest.push(...step.keys);
      cursor = step.cursor;
    }
    expect(rest).toEqual([]);
  });

  it('reuses the snapshot at cursor 0 when the insertion counter has not moved', () => {
    const map = new Map<string, number>([['a', 1]]);
    const source = { index: 0, map, insertions: 1 };
    expect(scanStep([source], 0n, 10).keys).toEqual(['a']);
    map.set('b', 1); // inserted without bumping the counter: a reused snapshot cannot see it
    expect(scanStep([source], 0n, 10).keys).toEqual(['a']);
    const bumped = { index: 0, map, insertions: 2 };
    expect(scanStep([bumped], 0n, 10).keys.sort()).toEqual(['a', 'b']);
  });
});

describe('scanMap (one collection)', () => {
  it('iterates a single Map with the same cursor rules', () => {
    const fields = new Map<string, string>(Array.from({ length: 100 }, (_, i) => [`f${i}`, 'v'] as [string, string]));
    const seen: string[] = [];
    let cursor = 0n;
    do {
      const step = scanMap(fields, cursor, 10);
      seen.push(...step.keys);
      cursor = step.cursor;
    } while (cursor !== 0n);
    expect(new Set(seen).size).toBe(100);
    expect(seen.length).toBe(100);
  });
});
