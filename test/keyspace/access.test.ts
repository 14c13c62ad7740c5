/**
 * LRU / LFU access tracking as Redis keeps it (OBJECT IDLETIME, OBJECT FREQ, eviction).
 */
import { describe, expect, it } from 'vitest';
import {
  AccessTracker,
  LFU_INIT_VAL,
  accessModeFor,
  disablesSharedIntegers,
  isLfuPolicy,
} from '../../src/keyspace/access.js';
import { Rng } from '../../src/rng.js';

const T0 = 1_735_689_600_000; // a whole minute

describe('policies', () => {
  it('maps maxmemory policies to what they track', () => {
    expect(accessModeFor('volatile-lru')).toBe('lru');
    expect(accessModeFor('allkeys-lru')).toBe('lru');
    expect(accessModeFor('volatile-lfu')).toBe('lfu');
    expect(accessModeFor('allkeys-lfu')).toBe('lfu');
    for (const p of ['noeviction', 'volatile-ttl', 'allkeys-random', 'volatile-random', undefined]) {
      expect(accessModeFor(p)).toBeNull();
    }
    expect(isLfuPolicy('allkeys-lfu')).toBe(true);
    expect(isLfuPolicy('allkeys-lru')).toBe(false);
    expect(disablesSharedIntegers('volatile-lru')).toBe(true);
    expect(disablesSharedIntegers('noeviction')).toBe(false);
  });
});

describe('LRU', () => {
  it('counts idle time in whole seconds of the LRU clock since the last touch', () => {
    const t = new AccessTracker({ mode: 'lru', rng: new Rng(1), since: T0 });
    let stamp = t.stored(undefined, T0 + 400);
    expect(t.idleMs(stamp, T0 + 900)).toBe(0);
    expect(t.idleMs(stamp, T0 + 1000)).toBe(1000);
    expect(t.idleMs(stamp, T0 + 10_999)).toBe(10_000);
    stamp = t.touched(stamp, T0 + 10_999);
    expect(t.idleMs(stamp, T0 + 11_500)).toBe(1000);
  });

  it('counts a key it never saw from when tracking began', () => {
    const t = new AccessTracker({ mode: 'lru', rng: new Rng(1), since: T0 });
    expect(t.idleMs(undefined, T0 + 5000)).toBe(5000);
  });
});

describe('LFU', () => {
  it('starts new keys at 5 and always counts the first access above it', () => {
    const t = new AccessTracker({ mode: 'lfu', rng: new Rng(1), since: T0 });
    let stamp = t.stored(undefined, T0);
    expect(t.frequency(stamp, T0)).toBe(LFU_INIT_VAL);
    stamp = t.touched(stamp, T0);
    expect(t.frequency(stamp, T0)).toBe(LFU_INIT_VAL + 1);
  });

  it('grows logarithmically: many accesses, a small counter', () => {
    const t = new AccessTracker({ mode: 'lfu', rng: new Rng(7), since: T0 });
    let stamp = t.stored(undefined, T0);
    for (let i = 0; i < 1000; i++) stamp = t.touched(stamp, T0);
    const f = t.frequency(stamp, T0);
    expect(f).toBeGreaterThan(8);
    expect(f).toBeLessThan(30);
  });

  it('decays by one per minute without access, down to 0', () => {
    const t = new AccessTracker({ mode: 'lfu', rng: new Rng(1), since: T0 });
    const stamp = t.stored(undefined, T0);
    expect(t.frequency(stamp, T0 + 59_999)).toBe(5);
    expect(t.frequency(stamp, T0 + 60_000)).toBe(4);
    expect(t.frequency(stamp, T0 + 3 * 60_000)).toBe(2);
    expect(t.frequency(stamp, T0 + 60 * 60_000)).toBe(0);
  });

  it('keeps the counter when a value is overwritten, resets it for a new key', () => {
    const t = new AccessTracker({ mode: 'lfu', rng: new Rng(1), since: T0 });
    let stamp = t.stored(undefined, T0);
    stamp = t.touched(stamp, T0);
    stamp = t.stored(stamp, T0);
    expect(t.frequency(stamp, T0)).toBe(6);
    expect(t.frequency(t.stored(undefined, T0), T0)).toBe(5);
  });

  it('is reproducible for a seed', () => {
    const run = (): number => {
      const t = new AccessTracker({ mode: 'lfu', rng: new Rng(99), since: T0 });
      let stamp: number | undefined;
      for (let i = 0; i < 200; i++) stamp = t.touched(stamp, T0);
      return t.frequency(stamp, T0);
    };
    expect(run()).toBe(run());
  });
});
