import { describe, expect, it } from 'vitest';
import { ManagedRedis, ReplyError, type ManagedRedisOptions } from '../../src/index.js';

const MiB = 1024 * 1024;
// FlashOptimized_A250 has 6 primary shards: 2 MiB each, so each shard's RAM is ~410 KB.
const make = (options: ManagedRedisOptions = {}) =>
  new ManagedRedis({ sku: 'FlashOptimized_A250', clock: 'virtual', maxmemoryBytes: 6 * 2 * MiB, activeExpiry: false, ...options });

/** Keys of one shard: a shared hash tag puts them in one slot. */
const key = (i: number) => `{t}k${i}`;
const value1k = 'x'.repeat(1000);

function shardOf(cache: ManagedRedis, k: string): number {
  return cache.topology.slotToShard[Number(cache.execute(['CLUSTER', 'KEYSLOT', k]))];
}

describe('Flash Optimized tiering', () => {
  it('exists only on Flash SKUs; its options are refused elsewhere', () => {
    expect(new ManagedRedis({ sku: 'Balanced_B5' }).flash).toBeNull();
    expect(() => new ManagedRedis({ sku: 'Balanced_B5', flash: { ramFraction: 0.5 } })).toThrow(/Flash Optimized SKUs only/);
    expect(() => make({ flash: { ramFraction: 0 } })).toThrow(/ramFraction/);
    expect(() => make({ flash: { pinAboveBytes: -1 } })).toThrow(/pinAboveBytes/);
    const cache = make();
    expect(cache.flash).not.toBeNull();
    expect(cache.flash!.stats()).toHaveLength(6);
    expect(() => cache.flash!.stats(6)).toThrow(RangeError);
  });

  it('RAM fills first: nothing goes to Flash while RAM has room', () => {
    const cache = make();
    for (let i = 0; i < 100; i++) cache.set(key(i), value1k);
    const stats = cache.flash!.stats(shardOf(cache, key(0)));
    expect(stats.ramLimitBytes).toBe(Math.floor(2 * MiB * 0.2));
    expect(stats).toMatchObject({ valuesInRam: 100, valuesOnFlash: 0, demotions: 0, flashValueBytes: 0 });
    expect(cache.flash!.placement(key(0))).toBe('ram');
    expect(cache.flash!.placement('missing')).toBeNull();
  });

  it('when RAM is full the least recently used values move to Flash', () => {
    const cache = make();
    for (let i = 0; i < 600; i++) cache.set(key(i), value1k);
    const shard = shardOf(cache, key(0));
    const stats = cache.flash!.stats(shard);
    expect(stats.valuesOnFlash).toBeGreaterThan(0);
    expect(stats.valuesInRam + stats.valuesOnFlash).toBe(600);
    expect(stats.ramUsedBytes).toBeLessThanOrEqual(stats.ramLimitBytes);
    expect(stats.demotions).toBe(stats.valuesOnFlash);
    // The oldest writes went first, the newest are hot.
    expect(cache.flash!.placement(key(0))).toBe('flash');
    expect(cache.flash!.placement(key(599))).toBe('ram');
    // Every key is still there: Flash holds values, not fewer keys.
    expect(cache.get(key(1))).toBe(value1k);
    expect(cache.dbsize()).toBe(600);
  });

  it('a read brings a cold value back to RAM and counts a Flash read; a hot one counts a RAM hit', () => {
    const cache = make();
    for (let i = 0; i < 600; i++) cache.set(key(i), value1k);
    const shard = shardOf(cache, key(0));
    const before = cache.flash!.stats(shard);
    expect(cache.get(key(0))).toBe(value1k);
    expect(cache.flash!.placement(key(0))).toBe('ram');
    cache.get(key(599));
    const after = cache.flash!.stats(shard);
    expect(after.flashReads).toBe(before.flashReads + 1);
    expect(after.ramHits).toBe(before.ramHits + 1);
    expect(after.ramHitRatio).toBeCloseTo(after.ramHits / (after.ramHits + after.flashReads));
    // Promoting one value demoted another (RAM stays within its limit).
    expect(after.demotions).toBeGreaterThan(before.demotions);
    expect(after.ramUsedBytes).toBeLessThanOrEqual(after.ramLimitBytes);
  });

  it('values above the pin size stay in RAM and can exhaust it while Flash has room: writes get OOM', () => {
    const cache = make({ flash: { pinAboveBytes: 64 * 1024 } });
    const big = 'b'.repeat(100 * 1024);
    cache.set(key(0), big);
    expect(cache.flash!.placement(key(0))).toBe('pinned');
    cache.set(key(1), big);
    cache.set(key(2), big);
    cache.set(key(3), big);
    // Four pinned 100 KB values fill the ~410 KB of RAM: the next write is refused …
    const error = (() => {
      try {
        cache.set(key(4), 'small');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ReplyError);
    expect((error as Error).message).toBe("OOM command not allowed when used memory > 'maxmemory'.");
    // … though the shard's total is far under its maxmemory (2 MiB); reads and deletes still run.
    const stats = cache.flash!.stats(shardOf(cache, key(0)));
    expect(stats.pinnedValues).toBe(4);
    expect(cache.strlen(key(0))).toBe(100 * 1024);
    expect(cache.del(key(0))).toBe(1);
    expect(cache.set(key(4), 'small')).toBe('OK');
  });

  it('keys that expire, are deleted or flushed leave the tiers', () => {
    const cache = make();
    for (let i = 0; i < 600; i++) cache.set(key(i), value1k);
    const shard = shardOf(cache, key(0));
    expect(cache.flash!.placement(key(0))).toBe('flash');
    const flashBytes = cache.flash!.stats(shard).flashValueBytes;
    cache.pexpire(key(1), 10); // a cold key: PEXPIRE touches it (RAM), then it expires
    cache.clock.advance(20);
    expect(cache.exists(key(1))).toBe(0);
    cache.del(key(0));
    const after = cache.flash!.stats(shard);
    expect(after.valuesInRam + after.valuesOnFlash).toBe(598);
    expect(after.flashValueBytes).toBeLessThan(flashBytes);
    cache.flushall();
    expect(cache.flash!.stats(shard)).toMatchObject({ valuesInRam: 0, valuesOnFlash: 0, flashValueBytes: 0 });
    cache.set(key(0), 'v');
    expect(cache.flash!.stats(shard)).toMatchObject({ valuesInRam: 1, valuesOnFlash: 0, flashValueBytes: 0 });
  });

  it('after a failover the promoted replica starts with its values in RAM, within the limit', () => {
    const cache = make();
    for (let i = 0; i < 600; i++) cache.set(key(i), value1k);
    const shard = shardOf(cache, key(0));
    const end = cache.faults.failover(shard);
    cache.clock.set(end);
    const stats = cache.flash!.stats(shard);
    expect(stats.valuesInRam + stats.valuesOnFlash).toBe(600);
    expect(stats.ramUsedBytes).toBeLessThanOrEqual(stats.ramLimitBytes);
    expect(cache.get(key(0))).toBe(value1k);
  });
});
