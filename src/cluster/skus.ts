/**
 * The Azure Managed Redis SKU catalogue (azure-facts §1.2–§1.4) and the validation of the options
 * that depend on it: SKU name, cluster policy, high availability, active geo-replication.
 *
 * Sizes, vCPUs, primary shards and client limits come from the Microsoft architecture/overview
 * tables. Preview status follows the 2026-05 preview note: in-memory SKUs above 350 GB (B/M/X 500
 * and up) and Flash SKUs above 1,500 GB are Public Preview.
 */
import type { ClusterPolicy } from '../core-types.js';

/** The four AMR tiers. */
export type SkuTier = 'Balanced' | 'MemoryOptimized' | 'ComputeOptimized' | 'FlashOptimized';

/** Every AMR SKU name, as ARM spells it. */
export type SkuName =
  | 'Balanced_B0'
  | 'Balanced_B1'
  | 'Balanced_B3'
  | 'Balanced_B5'
  | 'Balanced_B10'
  | 'Balanced_B20'
  | 'Balanced_B50'
  | 'Balanced_B100'
  | 'Balanced_B150'
  | 'Balanced_B250'
  | 'Balanced_B350'
  | 'Balanced_B500'
  | 'Balanced_B700'
  | 'Balanced_B1000'
  | 'MemoryOptimized_M10'
  | 'MemoryOptimized_M20'
  | 'MemoryOptimized_M50'
  | 'MemoryOptimized_M100'
  | 'MemoryOptimized_M150'
  | 'MemoryOptimized_M250'
  | 'MemoryOptimized_M350'
  | 'MemoryOptimized_M500'
  | 'MemoryOptimized_M700'
  | 'MemoryOptimized_M1000'
  | 'MemoryOptimized_M1500'
  | 'MemoryOptimized_M2000'
  | 'ComputeOptimized_X3'
  | 'ComputeOptimized_X5'
  | 'ComputeOptimized_X10'
  | 'ComputeOptimized_X20'
  | 'ComputeOptimized_X50'
  | 'ComputeOptimized_X100'
  | 'ComputeOptimized_X150'
  | 'ComputeOptimized_X250'
  | 'ComputeOptimized_X350'
  | 'ComputeOptimized_X500'
  | 'ComputeOptimized_X700'
  | 'FlashOptimized_A250'
  | 'FlashOptimized_A500'
  | 'FlashOptimized_A700'
  | 'FlashOptimized_A1000'
  | 'FlashOptimized_A1500'
  | 'FlashOptimized_A2000'
  | 'FlashOptimized_A4500';

/** The fixed facts of one SKU. */
export interface SkuInfo {
  readonly name: SkuName;
  readonly tier: SkuTier;
  /** Capacity in GB (for Flash: RAM plus NVMe). */
  readonly sizeGB: number;
  readonly vCPUs: number;
  readonly primaryShards: number;
  /** Maximum client connections. */
  readonly maxClients: number;
  /** Public Preview rather than GA. */
  readonly preview: boolean;
  /** May join an active geo-replication group (not B0, B1 or any Flash SKU). */
  readonly geoReplicationAllowed: boolean;
  /** May use the NoCluster policy (25 GB or less, not Flash). */
  readonly nonClusteredAllowed: boolean;
  /** Flash Optimized: values tier between RAM and NVMe. */
  readonly flash: boolean;
}

/** The largest cache that may run without clustering (CHOOSE: "25 GB or less"). */
export const NON_CLUSTERED_MAX_GB = 25;

/** The SKU used when none is given. */
export const DEFAULT_SKU: SkuName = 'Balanced_B5';

const TIER_PREFIX: Record<string, SkuTier> = {
  Balanced: 'Balanced',
  MemoryOptimized: 'MemoryOptimized',
  ComputeOptimized: 'ComputeOptimized',
  FlashOptimized: 'FlashOptimized',
};

/** Compact rows: name, GB, vCPUs, primary shards, max clients, preview. */
const ROWS: ReadonlyArray<readonly [SkuName, number, number, number, number, boolean]> = [
  ['Balanced_B0', 0.5, 2, 1, 15_000, false],
  ['Balanced_B1', 1, 2, 1, 15_000, false],
  ['Balanced_B3', 3, 2, 2, 15_000, false],
  ['Balanced_B5', 6, 2, 2, 15_000, false],
  ['Balanced_B10', 12, 4, 2, 30_000, false],
  ['Balanced_B20', 24, 8, 6, 75_000, false],
  ['Balanced_B50', 60, 16, 12, 150_000, false],
  ['Balanced_B100', 120, 32, 24, 200_000, false],
  ['Balanced_B150', 180, 48, 48, 200_000, false],
  ['Balanced_B250', 240, 64, 48, 200_000, false],
  ['Balanced_B350', 360, 96, 96, 200_000, false],
  ['Balanced_B500', 480, 128, 96, 200_000, true],
  ['Balanced_B700', 720, 192, 192, 200_000, true],
  ['Balanced_B1000', 960, 256, 192, 200_000, true],

  ['MemoryOptimized_M10', 12, 2, 2, 15_000, false],
  ['MemoryOptimized_M20', 24, 4, 2, 30_000, false],
  ['MemoryOptimized_M50', 60, 8, 6, 75_000, false],
  ['MemoryOptimized_M100', 120, 16, 12, 150_000, false],
  ['MemoryOptimized_M150', 180, 24, 24, 200_000, false],
  ['MemoryOptimized_M250', 240, 32, 24, 200_000, false],
  ['MemoryOptimized_M350', 360, 48, 48, 200_000, false],
  ['MemoryOptimized_M500', 480, 64, 48, 200_000, true],
  ['MemoryOptimized_M700', 720, 96, 96, 200_000, true],
  // The ARCH table prints M1000 as "128/192": more primary shards than vCPUs, which no other row
  // has (shards never exceed vCPUs; the pattern alternates n/n and n/0.75n). Read as 128/96, the
  // row fits both its neighbours (M700 96/96, M1500 192/192) and the same-size rows of the other
  // tiers (B500 128/96, X250 128/96), so it is almost certainly a typo for 128/96.
  ['MemoryOptimized_M1000', 960, 128, 96, 200_000, true],
  ['MemoryOptimized_M1500', 1440, 192, 192, 200_000, true],
  ['MemoryOptimized_M2000', 1920, 256, 192, 200_000, true],

  ['ComputeOptimized_X3', 3, 4, 2, 30_000, false],
  ['ComputeOptimized_X5', 6, 4, 2, 30_000, false],
  ['ComputeOptimized_X10', 12, 8, 6, 75_000, false],
  ['ComputeOptimized_X20', 24, 16, 12, 150_000, false],
  ['ComputeOptimized_X50', 60, 32, 24, 200_000, false],
  ['ComputeOptimized_X100', 120, 64, 48, 200_000, false],
  ['ComputeOptimized_X150', 180, 96, 96, 200_000, false],
  ['ComputeOptimized_X250', 240, 128, 96, 200_000, false],
  ['ComputeOptimized_X350', 360, 192, 192, 200_000, false],
  ['ComputeOptimized_X500', 480, 256, 192, 200_000, true],
  ['ComputeOptimized_X700', 720, 384, 384, 200_000, true],

  // A250: the Flash page (2026-04, newer) says 235 GB where the older architecture table has a
  // 240 GB row; the newer figure wins.
  ['FlashOptimized_A250', 235, 8, 6, 75_000, false],
  ['FlashOptimized_A500', 480, 16, 12, 150_000, false],
  ['FlashOptimized_A700', 720, 24, 24, 200_000, false],
  ['FlashOptimized_A1000', 960, 32, 24, 200_000, false],
  ['FlashOptimized_A1500', 1440, 48, 48, 200_000, false],
  ['FlashOptimized_A2000', 1920, 64, 48, 200_000, true],
  ['FlashOptimized_A4500', 4500, 144, 96, 200_000, true],
];

function buildCatalogue(): Readonly<Record<SkuName, SkuInfo>> {
  const table = Object.create(null) as Record<SkuName, SkuInfo>;
  for (const [name, sizeGB, vCPUs, primaryShards, maxClients, preview] of ROWS) {
    const tier = TIER_PREFIX[name.slice(0, name.indexOf('_'))];
    const flash = tier === 'FlashOptimized';
    const tiny = name === 'Balanced_B0' || name === 'Balanced_B1';
    table[name] = Object.freeze({
      name,
      tier,
      sizeGB,
      vCPUs,
      primaryShards,
      maxClients,
      preview,
      geoReplicationAllowed: !flash && !tiny,
      nonClusteredAllowed: !flash && sizeGB <= NON_CLUSTERED_MAX_GB,
      flash,
    });
  }
  return Object.freeze(table);
}

/** Every SKU by name. */
export const SKUS: Readonly<Record<SkuName, SkuInfo>> = buildCatalogue();

/** Every SKU name, in catalogue order (tier, then size). */
export const SKU_NAMES: readonly SkuName[] = Object.freeze(ROWS.map((row) => row[0]));

/** True when `name` is an AMR SKU name (exact spelling). */
export function isSkuName(name: unknown): name is SkuName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(SKUS, name);
}

/** The facts of a SKU; throws a RangeError listing the valid names when there is no such SKU. */
export function getSku(name: string): SkuInfo {
  if (!isSkuName(name)) {
    throw new RangeError(`Unknown SKU '${String(name)}'. Valid SKUs: ${SKU_NAMES.join(', ')}`);
  }
  return SKUS[name];
}

const POLICIES: readonly ClusterPolicy[] = ['OSS', 'Enterprise', 'NoCluster'];

/** Options after defaults and validation. */
export interface ResolvedOptions {
  sku: SkuName;
  clusterPolicy: ClusterPolicy;
  highAvailability: boolean;
  geoReplication: boolean;
  /** Primary shards the data is spread over (1 under NoCluster). */
  primaryShards: number;
  /** Per-shard `maxmemory`: about 80 % of the SKU's size, split over its primary shards. */
  maxmemoryPerShardBytes: number;
}

/** Share of the SKU's size that is usable dataset memory (the rest is replication/fragmentation headroom). */
const USABLE_MEMORY_RATIO = 0.8;

/** The memory a SKU gives its data, in bytes: about 80 % of its size (the emulator's whole-cache maxmemory). */
export function usableBytes(sku: SkuInfo): number {
  return Math.floor(sku.sizeGB * 1024 ** 3 * USABLE_MEMORY_RATIO);
}

/**
 * Applies AMR's defaults (Balanced_B5, OSS policy, HA on, no geo-replication) and rejects the
 * combinations Azure refuses to create. Throws a RangeError/TypeError with a message naming the
 * problem.
 */
export function validateOptions(options: {
  sku?: SkuName;
  clusterPolicy?: ClusterPolicy;
  highAvailability?: boolean;
  geoReplication?: boolean;
}): ResolvedOptions {
  const skuName = options.sku ?? DEFAULT_SKU;
  const sku = getSku(skuName);
  const clusterPolicy = options.clusterPolicy ?? 'OSS';
  if (!POLICIES.includes(clusterPolicy)) {
    throw new RangeError(
      `Unknown cluster policy '${String(clusterPolicy)}'. Valid policies: ${POLICIES.join(', ')}`,
    );
  }
  const highAvailability = options.highAvailability ?? true;
  if (typeof highAvailability !== 'boolean') {
    throw new TypeError(`highAvailability must be a boolean, got ${typeof highAvailability}`);
  }
  const geoReplication = options.geoReplication ?? false;
  if (typeof geoReplication !== 'boolean') {
    throw new TypeError(`geoReplication must be a boolean, got ${typeof geoReplication}`);
  }
  if (clusterPolicy === 'NoCluster' && !sku.nonClusteredAllowed) {
    throw new RangeError(
      sku.flash
        ? `The NoCluster policy is not available on Flash Optimized SKUs (${sku.name}); use OSS or Enterprise`
        : `The NoCluster policy is only available for caches of ${NON_CLUSTERED_MAX_GB} GB or less; ` +
            `${sku.name} is ${sku.sizeGB} GB`,
    );
  }
  if (geoReplication && !sku.geoReplicationAllowed) {
    throw new RangeError(
      sku.flash
        ? `Active geo-replication is not available on Flash Optimized SKUs (${sku.name})`
        : `Active geo-replication is not available on ${sku.name} (Balanced B0 and B1 do not support it)`,
    );
  }
  const primaryShards = clusterPolicy === 'NoCluster' ? 1 : sku.primaryShards;
  return {
    sku: sku.name,
    clusterPolicy,
    highAvailability,
    geoReplication,
    primaryShards,
    maxmemoryPerShardBytes: Math.floor(usableBytes(sku) / primaryShards),
  };
}
