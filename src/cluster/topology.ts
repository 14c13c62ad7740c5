/**
 * PLACEHOLDER owned by the cluster helper: the SKU catalogue lives in skus.ts and the layout of
 * nodes, shards and slots here.
 */
import { SLOT_COUNT } from './slots.js';
import type { ClusterPolicy } from '../core-types.js';

export interface NodeInfo {
  index: number;
  id: string;
  ip: string;
  port: number;
  zone: string;
}

export interface ShardPlacement {
  index: number;
  id: string;
  /** Inclusive slot ranges owned by this shard. */
  slots: Array<[number, number]>;
  primaryNode: number;
  replicaNode: number | null;
}

export interface Topology {
  sku: string;
  policy: ClusterPolicy;
  highAvailability: boolean;
  nodes: NodeInfo[];
  shards: ShardPlacement[];
  /** slot → shard index */
  slotToShard: Uint16Array;
  hostname: string;
  port: number;
}

export interface TopologyOptions {
  sku: string;
  policy: ClusterPolicy;
  highAvailability: boolean;
  hostname: string;
  randomHex: (bytes: number) => string;
}

export function buildTopology(options: TopologyOptions): Topology {
  const shardCount = options.policy === 'NoCluster' ? 1 : 2;
  const slotToShard = new Uint16Array(SLOT_COUNT);
  const shards: ShardPlacement[] = [];
  for (let s = 0; s < shardCount; s++) {
    const start = Math.floor((s * SLOT_COUNT) / shardCount);
    const end = Math.floor(((s + 1) * SLOT_COUNT) / shardCount) - 1;
    slotToShard.fill(s, start, end + 1);
    shards.push({ index: s, id: options.randomHex(20), slots: [[start, end]], primaryNode: s % 2, replicaNode: options.highAvailability ? (s + 1) % 2 : null });
  }
  const nodes: NodeInfo[] = [0, 1].map((i) => ({ index: i, id: options.randomHex(20), ip: `10.0.0.${4 + i}`, port: 8501 + i, zone: String(i + 1) }));
  return { sku: options.sku, policy: options.policy, highAvailability: options.highAvailability, nodes, shards, slotToShard, hostname: options.hostname, port: 10000 };
}
