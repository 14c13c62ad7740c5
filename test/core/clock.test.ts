import { describe, expect, it } from 'vitest';
import { RealClock, VirtualClock } from '../../src/clock.js';
import { ManagedRedis } from '../../src/index.js';

describe('VirtualClock', () => {
  it('moves only when told to and fires timers in due order', () => {
    const clock = new VirtualClock(1000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
    const cancelled = clock.setTimeout(() => fired.push('never'), 15);
    cancelled.cancel();
    expect(clock.now()).toBe(1000);
    clock.advance(15);
    expect(fired).toEqual(['a@1010']);
    expect(clock.now()).toBe(1015);
    clock.set(1100);
    expect(fired).toEqual(['a@1010', 'b@1020']);
    expect(clock.now()).toBe(1100);
  });

  it('refuses to go backwards while timers are pending, and negative advances', () => {
    const clock = new VirtualClock(50);
    clock.setTimeout(() => {}, 10);
    expect(() => clock.set(0)).toThrow(RangeError);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });
});

describe('RealClock', () => {
  it('sees fresh time after the event loop turns', async () => {
    const clock = new RealClock();
    const first = clock.now();
    await new Promise((resolve) => setTimeout(resolve, 25));
    expect(clock.now() - first).toBeGreaterThanOrEqual(20);
  });

  it('expires a key after a real sleep even when the time was read just before', async () => {
    const cache = new ManagedRedis({ activeExpiry: false });
    cache.execute(['SET', 'k', 'v', 'PX', '10']);
    expect(cache.execute(['GET', 'k'])).toBe('v');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(cache.execute(['GET', 'k'])).toBeNull();
  });
});

describe('active expiry', () => {
  it('removes expired keys without any command touching them', () => {
    const cache = new ManagedRedis({ clock: 'virtual', clusterPolicy: 'NoCluster' });
    for (let i = 0; i < 50; i++) cache.execute(['SET', `k${i}`, 'v', 'PX', '50']);
    cache.execute(['SET', 'keep', 'v']);
    const keyspace = cache.shards[0].keyspace;
    expect(keyspace.size).toBe(51);
    cache.clock.advance(300);
    expect(keyspace.size).toBe(1);
    expect(keyspace.expiredCount).toBe(50);
    cache.close();
  });
});
