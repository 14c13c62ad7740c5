/** PLACEHOLDER owned by the cluster helper: the SKU catalogue. */
import type { ClusterPolicy } from '../core-types.js';

export type SkuName = string;

export interface ResolvedOptions {
  sku: SkuName;
  clusterPolicy: ClusterPolicy;
  highAvailability: boolean;
  geoReplication: boolean;
  maxmemoryPerShardBytes: number;
}

export function validateOptions(options: {
  sku?: SkuName;
  clusterPolicy?: ClusterPolicy;
  highAvailability?: boolean;
  geoReplication?: boolean;
}): ResolvedOptions {
  return {
    sku: options.sku ?? 'Balanced_B5',
    clusterPolicy: options.clusterPolicy ?? 'OSS',
    highAvailability: options.highAvailability ?? true,
    geoReplication: options.geoReplication ?? false,
    maxmemoryPerShardBytes: Math.floor((6 * 0.8 * 1024 ** 3) / 2),
  };
}
