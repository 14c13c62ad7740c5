import { describe, expect, it } from 'vitest';
import { ManagedRedis } from '../../src/index.js';

describe('LRU/LFU access tracking (OBJECT IDLETIME / FREQ)', () => {
  it('tracks every key under allkeys-lru: reads reset the idle time', () => {
    const cache = new ManagedRedis({ clock: 'virtual', evictionPolicy: 'allkeys-lru', clusterPolicy: 'NoCluster' });
    cache.execute(['SET', 'k', 'v']);
    cache.clock.advance(5_000);
    expect(cache.execute(['OBJECT', 'IDLETIME', 'k'])).toBe(5);
    cache.execute(['GET', 'k']);
    expect(cache.execute(['OBJECT', 'IDLETIME', 'k'])).toBe(0);
    cache.clock.advance(2_000);
    // OBJECT itself does not touch the key
    expect(cache.execute(['OBJECT', 'IDLETIME', 'k'])).toBe(2);
    expect(cache.execute(['OBJECT', 'IDLETIME', 'k'])).toBe(2);
  });

  it('tracks only keys with a TTL under volatile-lru (the eviction candidates), so plain keys cost nothing', () => {
    const cache = new ManagedRedis({ clock: 'virtual', clusterPolicy: 'NoCluster' }); // AMR default volatile-lru
    cache.execute(['SET', 'ttl', 'v', 'EX', '100']);
    cache.execute(['SET', 'plain', 'v']);
    cache.clock.advance(3_000);
    expect(cache.execute(['OBJECT', 'IDLETIME', 'ttl'])).toBe(3);
    cache.execute(['GET', 'ttl']);
    expect(cache.execute(['OBJECT', 'IDLETIME', 'ttl'])).toBe(0);
    const keyspace = cache.shards[0].keyspace;
    expect(keyspace.stampOf('ttl')).toBeDefined();
    expect(keyspace.stampOf('plain')).toBeUndefined();
    cache.execute(['PERSIST', 'ttl']);
    expect(keyspace.stampOf('ttl')).toBeUndefined();
  });

  it('counts accesses logarithmically under allkeys-lfu, starting at 5', () => {
    const cache = new ManagedRedis({ clock: 'virtual', evictionPolicy: 'allkeys-lfu', clusterPolicy: 'NoCluster', seed: 7 });
    cache.execute(['SET', 'hot', 'v']);
    expect(cache.execute(['OBJECT', 'FREQ', 'hot'])).toBe(5);
    for (let i = 0; i < 200; i++) cache.execute(['GET', 'hot']);
    const freq = cache.execute(['OBJECT', 'FREQ', 'hot']) as number;
    expect(freq).toBeGreaterThan(5);
    expect(freq).toBeLessThan(40);
    expect(() => cache.execute(['OBJECT', 'IDLETIME', 'hot'])).toThrow(/LFU/);
  });

  it('keeps no tracker under noeviction', () => {
    const cache = new ManagedRedis({ clock: 'virtual', evictionPolicy: 'noeviction' });
    for (const shard of cache.shards) expect(shard.keyspace.access).toBeNull();
  });
});
