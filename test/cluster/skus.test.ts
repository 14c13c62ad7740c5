/** The SKU catalogue (azure-facts §1.2–§1.4) and option validation. */
import { describe, expect, it } from 'vitest';
import { getSku, isSkuName, SKU_NAMES, SKUS, validateOptions, type SkuName } from '../../src/cluster/skus.js';
import { ManagedRedis } from '../../src/managed-redis.js';

const GB = 1024 ** 3;

describe('SKU catalogue', () => {
  it('has the 44 AMR SKUs of the four tiers', () => {
    expect(SKU_NAMES).toHaveLength(44);
    const byTier = (tier: string) => SKU_NAMES.filter((n) => SKUS[n].tier === tier).length;
    expect(byTier('Balanced')).toBe(14);
    expect(byTier('MemoryOptimized')).toBe(12);
    expect(byTier('ComputeOptimized')).toBe(11);
    expect(byTier('FlashOptimized')).toBe(7);
    for (const name of SKU_NAMES) expect(SKUS[name].name).toBe(name);
  });

  it('holds the documented size, vCPUs, shards and connection limits', () => {
    const row = (name: SkuName) => {
      const s = getSku(name);
      return [s.sizeGB, s.vCPUs, s.primaryShards, s.maxClients];
    };
    expect(row('Balanced_B0')).toEqual([0.5, 2, 1, 15_000]);
    expect(row('Balanced_B5')).toEqual([6, 2, 2, 15_000]);
    expect(row('Balanced_B20')).toEqual([24, 8, 6, 75_000]);
    expect(row('Balanced_B1000')).toEqual([960, 256, 192, 200_000]);
    expect(row('MemoryOptimized_M10')).toEqual([12, 2, 2, 15_000]);
    expect(row('MemoryOptimized_M100')).toEqual([120, 16, 12, 150_000]);
    expect(row('ComputeOptimized_X20')).toEqual([24, 16, 12, 150_000]);
    expect(row('ComputeOptimized_X700')).toEqual([720, 384, 384, 200_000]);
    expect(row('FlashOptimized_A250')).toEqual([235, 8, 6, 75_000]);
    expect(row('FlashOptimized_A4500')).toEqual([4500, 144, 96, 200_000]);
  });

  it('reads M1000 as 128 vCPUs / 96 shards (the printed 128/192 is a typo)', () => {
    expect(getSku('MemoryOptimized_M1000').vCPUs).toBe(128);
    expect(getSku('MemoryOptimized_M1000').primaryShards).toBe(96);
  });

  it('never has more primary shards than vCPUs', () => {
    for (const name of SKU_NAMES) expect(SKUS[name].primaryShards).toBeLessThanOrEqual(SKUS[name].vCPUs);
  });

  it('marks in-memory SKUs above 350 GB and Flash above 1,500 GB as preview', () => {
    const preview = SKU_NAMES.filter((n) => SKUS[n].preview);
    expect(preview.sort()).toEqual(
      [
        'Balanced_B500',
        'Balanced_B700',
        'Balanced_B1000',
        'MemoryOptimized_M500',
        'MemoryOptimized_M700',
        'MemoryOptimized_M1000',
        'MemoryOptimized_M1500',
        'MemoryOptimized_M2000',
        'ComputeOptimized_X500',
        'ComputeOptimized_X700',
        'FlashOptimized_A2000',
        'FlashOptimized_A4500',
      ].sort(),
    );
  });

  it('allows geo-replication everywhere but B0, B1 and Flash', () => {
    const denied = SKU_NAMES.filter((n) => !SKUS[n].geoReplicationAllowed);
    expect(denied.sort()).toEqual(
      ['Balanced_B0', 'Balanced_B1', ...SKU_NAMES.filter((n) => n.startsWith('FlashOptimized_'))].sort(),
    );
  });

  it('allows NoCluster on the in-memory SKUs of 25 GB or less', () => {
    const allowed = SKU_NAMES.filter((n) => SKUS[n].nonClusteredAllowed);
    expect(allowed.sort()).toEqual(
      [
        'Balanced_B0',
        'Balanced_B1',
        'Balanced_B3',
        'Balanced_B5',
        'Balanced_B10',
        'Balanced_B20',
        'MemoryOptimized_M10',
        'MemoryOptimized_M20',
        'ComputeOptimized_X3',
        'ComputeOptimized_X5',
        'ComputeOptimized_X10',
        'ComputeOptimized_X20',
      ].sort(),
    );
  });

  it('flags exactly the Flash tier as flash', () => {
    for (const name of SKU_NAMES) expect(SKUS[name].flash).toBe(name.startsWith('FlashOptimized_'));
  });

  it('is frozen and has no inherited names', () => {
    expect(Object.isFrozen(SKUS)).toBe(true);
    expect(Object.isFrozen(SKUS.Balanced_B5)).toBe(true);
    expect(isSkuName('toString')).toBe(false);
    expect(isSkuName('__proto__')).toBe(false);
    expect(isSkuName('Balanced_B5')).toBe(true);
    expect(isSkuName('balanced_b5')).toBe(false);
  });
});

describe('validateOptions', () => {
  it("applies AMR's defaults: Balanced_B5, OSS, HA on, no geo-replication", () => {
    expect(validateOptions({})).toEqual({
      sku: 'Balanced_B5',
      clusterPolicy: 'OSS',
      highAvailability: true,
      geoReplication: false,
      primaryShards: 2,
      maxmemoryPerShardBytes: Math.floor((6 * GB * 0.8) / 2),
    });
  });

  it('gives each shard about 80 % of the size over the primary shards', () => {
    const b20 = validateOptions({ sku: 'Balanced_B20' });
    expect(b20.primaryShards).toBe(6);
    expect(b20.maxmemoryPerShardBytes).toBe(Math.floor((24 * GB * 0.8) / 6));
    const noCluster = validateOptions({ sku: 'Balanced_B20', clusterPolicy: 'NoCluster' });
    expect(noCluster.primaryShards).toBe(1);
    expect(noCluster.maxmemoryPerShardBytes).toBe(Math.floor(24 * GB * 0.8));
  });

  it('rejects an unknown SKU and lists the valid names', () => {
    expect(() => validateOptions({ sku: 'Balanced_B4' as SkuName })).toThrow(/Unknown SKU 'Balanced_B4'/);
    expect(() => validateOptions({ sku: 'Balanced_B4' as SkuName })).toThrow(/Valid SKUs: Balanced_B0, Balanced_B1, .*FlashOptimized_A4500/);
    expect(() => new ManagedRedis({ sku: 'Premium_P1' as SkuName })).toThrow(RangeError);
  });

  it('rejects NoCluster above 25 GB and on Flash', () => {
    expect(() => validateOptions({ sku: 'Balanced_B50', clusterPolicy: 'NoCluster' })).toThrow(
      'The NoCluster policy is only available for caches of 25 GB or less; Balanced_B50 is 60 GB',
    );
    expect(() => validateOptions({ sku: 'FlashOptimized_A250', clusterPolicy: 'NoCluster' })).toThrow(
      /NoCluster policy is not available on Flash Optimized SKUs \(FlashOptimized_A250\)/,
    );
    expect(validateOptions({ sku: 'ComputeOptimized_X20', clusterPolicy: 'NoCluster' }).clusterPolicy).toBe('NoCluster');
  });

  it('rejects geo-replication on B0, B1 and Flash', () => {
    expect(() => validateOptions({ sku: 'Balanced_B0', geoReplication: true })).toThrow(
      /Active geo-replication is not available on Balanced_B0/,
    );
    expect(() => validateOptions({ sku: 'Balanced_B1', geoReplication: true })).toThrow(/Balanced_B1/);
    expect(() => validateOptions({ sku: 'FlashOptimized_A500', geoReplication: true })).toThrow(
      /not available on Flash Optimized SKUs \(FlashOptimized_A500\)/,
    );
    expect(validateOptions({ sku: 'Balanced_B3', geoReplication: true, clusterPolicy: 'NoCluster' }).geoReplication).toBe(true);
  });

  it('rejects an unknown cluster policy and non-boolean switches', () => {
    expect(() => validateOptions({ clusterPolicy: 'OSSCluster' as 'OSS' })).toThrow(
      "Unknown cluster policy 'OSSCluster'. Valid policies: OSS, Enterprise, NoCluster",
    );
    expect(() => validateOptions({ highAvailability: 'yes' as unknown as boolean })).toThrow(TypeError);
    expect(() => validateOptions({ geoReplication: 1 as unknown as boolean })).toThrow(TypeError);
  });

  it('is what ManagedRedis uses at construction', () => {
    expect(() => new ManagedRedis({ sku: 'MemoryOptimized_M50', clusterPolicy: 'NoCluster', clock: 'virtual' })).toThrow(
      /25 GB or less/,
    );
    const cache = new ManagedRedis({ sku: 'Balanced_B20', clock: 'virtual' });
    expect(cache.shards).toHaveLength(6);
    cache.close();
  });
});
