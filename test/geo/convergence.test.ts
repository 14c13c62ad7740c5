/**
 * Strong eventual consistency, checked with seeded random scripts (fast-check): random writes on
 * random members of a three-region group, interleaved with clock steps shorter and longer than
 * the links' (jittered, per-link) lags — so batches arrive in every order and members often
 * write on stale data — then a full sync: every member's dataset digest must be equal. For the
 * simple cases the merged value is also predicted from the merge rules.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GeoReplicationGroup, ReplyError, type Bytes } from '../../src/index.js';

const KEYS = ['{t}a', '{t}b', '{t}c'];
const VALUES = ['x', 'y', 'z', '1', '2'];

function group3(seed: number, lag: (from: string, to: string) => number, jitter: number): GeoReplicationGroup {
  return GeoReplicationGroup.create({
    nickname: 'prop',
    clock: 'virtual',
    seed,
    lag: (link) => lag(link.from, link.to),
    jitter,
    members: [
      { name: 'a', region: 'eastus' },
      { name: 'b', region: 'westus' },
      { name: 'c', region: 'northeurope' },
    ],
  });
}

const key = fc.constantFrom(...KEYS);
const value = fc.constantFrom(...VALUES);
const int = fc.integer({ min: -5, max: 5 }).map(String);

/** A write command on the small key space (some fail with WRONGTYPE: that is part of the test). */
const command: fc.Arbitrary<Bytes[]> = fc.oneof(
  fc.tuple(key, value).map(([k, v]) => ['SET', k, v]),
  fc.tuple(key, value).map(([k, v]) => ['APPEND', k, v]),
  fc.tuple(key, int).map(([k, n]) => ['INCRBY', k, n]),
  fc.tuple(key, fc.constantFrom('0.5', '-1.25', '3')).map(([k, n]) => ['INCRBYFLOAT', k, n]),
  key.map((k) => ['DEL', k]),
  fc.tuple(key, value, value).map(([k, a, b]) => ['SADD', k, a, b]),
  fc.tuple(key, value).map(([k, v]) => ['SREM', k, v]),
  fc.tuple(key, value, value).map(([k, f, v]) => ['HSET', k, f, v]),
  fc.tuple(key, value).map(([k, f]) => ['HDEL', k, f]),
  fc.tuple(key, value, int).map(([k, f, n]) => ['HINCRBY', k, f, n]),
  fc.tuple(key, int, value).map(([k, s, m]) => ['ZADD', k, s, m]),
  fc.tuple(key, value).map(([k, m]) => ['ZREM', k, m]),
  fc.tuple(key, int, value).map(([k, n, m]) => ['ZINCRBY', k, n, m]),
  fc.tuple(key, value, value).map(([k, a, b]) => ['LPUSH', k, a, b]),
  fc.tuple(key, value).map(([k, v]) => ['RPUSH', k, v]),
  key.map((k) => ['LPOP', k]),
  key.map((k) => ['RPOP', k]),
  fc.tuple(key, value, value).map(([k, p, v]) => ['LINSERT', k, 'BEFORE', p, v]),
  fc.tuple(key, value).map(([k, v]) => ['LREM', k, '0', v]),
  fc.tuple(key, fc.constantFrom('0', '1'), fc.constantFrom('-1', '-2', '1')).map(([k, a, b]) => ['LTRIM', k, a, b]),
  fc.tuple(key, fc.constantFrom('50', '400', '5000')).map(([k, ms]) => ['PEXPIRE', k, ms]),
  key.map((k) => ['PERSIST', k]),
  fc.tuple(key, key).map(([a, b]) => ['RENAME', a, b]),
  fc.tuple(key, key, key).map(([d, a, b]) => ['SUNIONSTORE', d, a, b]),
  key.map((k) => ['SPOP', k]),
  fc.tuple(key, key, value).map(([a, b, m]) => ['SMOVE', a, b, m]),
  fc.tuple(key, value, fc.constantFrom('30', '300')).map(([k, f, ms]) => ['HPEXPIRE', k, ms, 'FIELDS', '1', f]),
  fc.tuple(key, value, fc.constantFrom('0.5', '2')).map(([k, f, n]) => ['HINCRBYFLOAT', k, f, n]),
  fc.tuple(key, int, value).map(([k, n, m]) => ['ZADD', k, 'INCR', n, m]),
  fc.tuple(key, fc.constantFrom('0', '-1'), value).map(([k, i, v]) => ['LSET', k, i, v]),
  fc.tuple(key, key).map(([a, b]) => ['LMOVE', a, b, 'LEFT', 'RIGHT']),
  fc.tuple(key, fc.constantFrom('0', '2'), value).map(([k, o, v]) => ['SETRANGE', k, o, v]),
  key.map((k) => ['GETDEL', k]),
  fc.tuple(key, key).map(([a, b]) => ['COPY', a, b, 'REPLACE']),
);

type Step = { kind: 'write'; member: number; argv: Bytes[] } | { kind: 'wait'; ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.integer({ min: 0, max: 2 }), command).map(([member, argv]) => ({ kind: 'write' as const, member, argv })) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 250 }).map((ms) => ({ kind: 'wait' as const, ms })) },
);

function run(g: GeoReplicationGroup, steps: readonly Step[]): void {
  for (const s of steps) {
    if (s.kind === 'wait') g.clock.advance(s.ms);
    else {
      try {
        g.caches[s.member].execute(s.argv);
      } catch (error) {
        if (!(error instanceof ReplyError)) throw error;
      }
    }
  }
}

beforeAll(async () => {
  await group3(0, () => 0, 0).ready();
});

describe('convergence', () => {
  it('every member holds the same data after a full sync, whatever the interleaving', () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.array(fc.constantFrom(0, 5, 40, 300, 900), { minLength: 6, maxLength: 6 }),
        fc.integer({ min: 0, max: 100 }),
        (steps, seed, lags, jitter) => {
          const names = ['a', 'b', 'c'];
          const g = group3(seed, (from, to) => lags[names.indexOf(from) * 2 + (names.indexOf(to) > names.indexOf(from) ? 1 : 0)], jitter);
          run(g, steps);
          g.sync();
          const digests = Object.values(g.digests());
          expect(new Set(digests).size).toBe(1);
          // Nothing is left waiting once everything has arrived.
          expect(g.status().map((s) => s.gcPending)).toEqual([0, 0, 0]);
          g.close();
        },
      ),
      { numRuns: 400, seed: 20261123 },
    );
  });

  it('region failures and recoveries at random points still end in one dataset', () => {
    const event = fc.oneof(
      { weight: 6, arbitrary: step },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 }).map((member) => ({ kind: 'fail' as const, member })) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 }).map((member) => ({ kind: 'recover' as const, member })) },
    );
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 60 }), fc.integer({ min: 0, max: 1000 }), (events, seed) => {
        const g = group3(seed, (from, to) => (from < to ? 40 : 150), 60);
        const names = ['a', 'b', 'c'];
        for (const e of events) {
          const state = e.kind === 'fail' || e.kind === 'recover' ? g.status()[e.member].state : null;
          if (e.kind === 'fail') {
            if (state === 'up' && g.status().filter((s) => s.state === 'up').length > 1) g.failRegion(names[e.member]);
          } else if (e.kind === 'recover') {
            if (state === 'down') g.recoverRegion(names[e.member]);
          } else {
            try {
              run(g, [e]);
            } catch (error) {
              if (!String(error).includes('ECONNREFUSED')) throw error;
            }
          }
        }
        for (const s of g.status()) if (s.state === 'down') g.recoverRegion(s.name);
        g.sync();
        const digests = Object.values(g.digests());
        expect(digests).toHaveLength(3);
        expect(new Set(digests).size).toBe(1);
        g.close();
      }),
      { numRuns: 200, seed: 11 },
    );
  });

  it('concurrent increments from every member add up to their sum', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: -100, max: 100 }), fc.integer({ min: 0, max: 80 })), { maxLength: 40 }), (incs) => {
        const g = group3(1, () => 50, 30);
        for (const [member, n, wait] of incs) {
          g.caches[member].execute(['INCRBY', 'counter', String(n)]);
          g.clock.advance(wait);
        }
        g.sync();
        const sum = incs.reduce((s, [, n]) => s + n, 0);
        for (const c of g.caches) expect(c.execute(['GET', 'counter'])).toBe(incs.length === 0 ? null : String(sum));
        g.close();
      }),
      { numRuns: 100, seed: 7 },
    );
  });

  it('long-lived counters (their increments folded as they become stable) converge with removals in flight', () => {
    const write = fc.oneof(
      { weight: 20, arbitrary: fc.constantFrom<[number, Bytes[]]>([0, ['INCRBY', 'n', '3']], [0, ['ZINCRBY', 'z', '1.5', 'm']], [0, ['HINCRBYFLOAT', 'h', 'f', '0.1']]) },
      { weight: 4, arbitrary: fc.constantFrom<[number, Bytes[]]>([2, ['INCRBY', 'n', '-1']], [2, ['ZINCRBY', 'z', '2', 'm']]) },
      { weight: 1, arbitrary: fc.constantFrom<[number, Bytes[]]>([1, ['SET', 'n', '100']], [1, ['DEL', 'n']], [1, ['ZREM', 'z', 'm']], [1, ['HDEL', 'h', 'f']]) },
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(write, fc.integer({ min: 0, max: 15 })), { minLength: 200, maxLength: 600 }), (writes) => {
        // b hears of a's increments late and removes what it saw; c, up to date, must not have
        // folded a's increments past what b's removal names.
        const g = group3(5, (from, to) => (from === 'a' && to === 'b' ? 300 : 20), 10);
        for (const [[member, argv], wait] of writes) {
          g.caches[member].execute(argv);
          g.clock.advance(wait);
        }
        g.sync();
        expect(new Set(Object.values(g.digests())).size).toBe(1);
        g.close();
      }),
      { numRuns: 30, seed: 13 },
    );
  });

  it('adds only: every member ends with the union of the members added anywhere', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.constantFrom('p', 'q', 'r', 's', 't'), fc.integer({ min: 0, max: 80 })), { maxLength: 30 }), (adds) => {
        const g = group3(2, () => 60, 40);
        for (const [member, m, wait] of adds) {
          g.caches[member].execute(['SADD', 'set', m]);
          g.clock.advance(wait);
        }
        g.sync();
        const union = Array.from(new Set(adds.map(([, m]) => m))).sort();
        for (const c of g.caches) expect((c.execute(['SMEMBERS', 'set']) as string[]).sort()).toEqual(union);
        g.close();
      }),
      { numRuns: 100, seed: 8 },
    );
  });

  it('concurrent SETs: the write with the latest time wins (the smaller member on a tie)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 20 })), { minLength: 1, maxLength: 20 }), (writes) => {
        // Lag longer than the whole script: every write is concurrent with every other member's.
        const g = group3(3, () => 10_000, 0);
        // A write's stamp: its time, how many writes its member made before in that ms (the
        // hybrid logical clock's counter), and its member (the smaller wins a tie).
        type Written = { time: number; count: number; member: number; value: string };
        const stamps: Written[] = [];
        writes.forEach(([member, wait], i) => {
          const value = `v${i}`;
          g.caches[member].execute(['SET', 'k', value]);
          const time = g.clock.now();
          const count = stamps.filter((w) => w.member === member && w.time === time).length;
          stamps.push({ time, count, member, value });
          g.clock.advance(wait);
        });
        const last = stamps.reduce((best, w) =>
          w.time !== best.time ? (w.time > best.time ? w : best) : w.count !== best.count ? (w.count > best.count ? w : best) : w.member < best.member ? w : best,
        );
        g.sync();
        for (const c of g.caches) expect(c.execute(['GET', 'k'])).toBe(last.value);
        g.close();
      }),
      { numRuns: 100, seed: 9 },
    );
  });
});

describe('removals that overtake the write they remove', () => {
  // a → c is slow, every other link fast: c hears of b's removal before it hears of a's write.
  const slowAtoC = (from: string, to: string): number => (from === 'a' && to === 'c' ? 500 : 10);

  for (const [name, write, remove, read] of [
    ['a list element (LPOP)', ['LPUSH', 'k', 'x'], ['LPOP', 'k'], ['LRANGE', 'k', '0', '-1']],
    ['a set member (SREM)', ['SADD', 'k', 'x'], ['SREM', 'k', 'x'], ['SMEMBERS', 'k']],
    ['a string (DEL)', ['SET', 'k', 'x'], ['DEL', 'k'], ['GET', 'k']],
    ['a hash field (HDEL)', ['HSET', 'k', 'f', 'x'], ['HDEL', 'k', 'f'], ['HGETALL', 'k']],
    ['a counter (SET over INCRBY)', ['INCRBY', 'k', '5'], ['SET', 'k', '1'], ['GET', 'k']],
    ['an expiry (PERSIST)', ['SET', 'k', 'x', 'EX', '100'], ['PERSIST', 'k'], ['TTL', 'k']],
  ] as const) {
    it(`${name}: the third region drops the write when it finally arrives`, () => {
      const g = group3(4, slowAtoC, 0);
      const [a, b, c] = g.caches;
      a.execute(write as unknown as Bytes[]);
      g.clock.advance(20);
      const expected = (b.execute(remove as unknown as Bytes[]), b.execute(read as unknown as Bytes[]));
      g.clock.advance(20);
      // c has b's removal, not a's write yet: the removal waits as a tombstone or cut.
      expect(g.status()[2].gcPending).toBeGreaterThan(0);
      g.clock.advance(1000);
      for (const cache of [a, b, c]) expect(cache.execute(read as unknown as Bytes[])).toEqual(expected);
      expect(g.status().map((s) => s.gcPending)).toEqual([0, 0, 0]);
      g.close();
    });
  }
});
