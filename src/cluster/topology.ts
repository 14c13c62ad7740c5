/**
 * The layout of an emulated cache: nodes (VMs), primary shards with their replicas, and which
 * shard owns which of the 16,384 hash slots. Deterministic for a given SKU, policy, HA setting
 * and `randomHex` sequence.
 *
 * Layout rules (AMR does not publish its placement; these are ours, see docs/cluster.md):
 *
 * - Node count: `base = ceil(vCPUs / 16)`. With HA: `max(2, base)` nodes (AMR always runs an HA
 *   cache on at least two VMs). Without HA: `max(1, ceil(base / 2))` nodes (no replicas, fewer
 *   VMs). So B0–B50, X3–X20, M10–M100 and A250–A500 use 2 nodes with HA; X700 uses 24.
 * - Node `n` (0-based): id = 40 hex chars from `randomHex(20)`, ip `10.0.0.(4+n)` (Azure keeps
 *   .0–.3 of a subnet), port `8501+n`, zone `1`/`2`/`3` round-robin with HA (empty without HA:
 *   a non-HA cache is not zone redundant).
 * - Primary shard `s` lives on node `s mod nodes` (round-robin, so a node's slot ranges are not
 *   contiguous once there are more shards than nodes, as with RS's sparse placement).
 * - With HA, the replica of shard `s` lives on the first node after its primary's node (cyclic)
 *   that is in a different zone. Never on the primary's node, never in the primary's zone.
 * - Slots: split over the primary shards in contiguous ranges the way `redis-cli --cluster
 *   create` splits them over masters: each shard gets `16384 / shards` slots, the fractional
 *   boundaries rounded to the nearest slot, the last shard taking the remainder (3 shards:
 *   0-5460, 5461-10922, 10923-16383).
 * - NoCluster: a single shard owning every slot.
 */
import { SLOT_COUNT } from './slots.js';
import { getSku } from './skus.js';
import type { ClusterPolicy } from '../core-types.js';

export interface NodeInfo {
  index: number;
  /** 40 hex chars: the node id CLUSTER NODES/SLOTS/SHARDS/MYID report. */
  id: string;
  ip: string;
  /** The node's OSS-cluster endpoint port (8501, 8502 …). */
  port: number;
  /** Availability zone `'1'`, `'2'` or `'3'` with HA; `''` without HA. */
  zone: string;
  /** Indexes of the primary shards on this node, ascending. */
  primaryShards: number[];
  /** Indexes of the shards whose replica is on this node, ascending. */
  replicaShards: number[];
}

export interface ShardPlacement {
  index: number;
  /** 40 hex chars identifying the primary shard. */
  id: string;
  /** Inclusive slot ranges owned by this shard (one contiguous range). */
  slots: Array<[number, number]>;
  /** Number of slots owned. */
  slotCount: number;
  primaryNode: number;
  /** Node of the replica shard, or null without HA. */
  replicaNode: number | null;
  /** 40 hex chars identifying the replica shard, or null without HA. */
  replicaId: string | null;
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
  /** The bootstrap port (10000). */
  port: number;
  /** `<hostname>:10000`, the endpoint clients are configured with. */
  bootstrap: string;
}

export interface TopologyOptions {
  sku: string;
  policy: ClusterPolicy;
  highAvailability: boolean;
  hostname: string;
  randomHex: (bytes: number) => string;
}

/** AMR's bootstrap (and non-clustered) endpoint port. */
export const BOOTSTRAP_PORT = 10000;
/** Node endpoints are 8501, 8502 … (OSS policy). */
export const NODE_PORT_BASE = 8500;
/** vCPUs per emulated node VM (for the node-count rule). */
export const VCPUS_PER_NODE = 16;

/** How many nodes (VMs) a SKU runs on. */
export function nodeCountFor(vCPUs: number, highAvailability: boolean): number {
  const base = Math.ceil(vCPUs / VCPUS_PER_NODE);
  return highAvailability ? Math.max(2, base) : Math.max(1, Math.ceil(base / 2));
}

/**
 * Splits the slots over `shards` primaries in contiguous ranges, as `redis-cli --cluster create`
 * does: boundaries at rounded multiples of 16384 / shards, the last range ending at 16383.
 */
export function splitSlots(shards: number): Array<[number, number]> {
  if (!Number.isInteger(shards) || shards < 1 || shards > SLOT_COUNT) throw new RangeError(`bad shard count ${shards}`);
  const perShard = SLOT_COUNT / shards;
  const ranges: Array<[number, number]> = [];
  let first = 0;
  let cursor = 0;
  for (let s = 0; s < shards; s++) {
    let last = Math.round(cursor + perShard - 1);
    if (last > SLOT_COUNT - 1 || s === shards - 1) last = SLOT_COUNT - 1;
    if (last < first) last = first;
    ranges.push([first, last]);
    first = last + 1;
    cursor += perShard;
  }
  return ranges;
}

export function buildTopology(options: TopologyOptions): Topology {
  const sku = getSku(options.sku);
  const ha = options.highAvailability;
  const shardCount = options.policy === 'NoCluster' ? 1 : sku.primaryShards;
  const nodeCount = nodeCountFor(sku.vCPUs, ha);

  const nodes: NodeInfo[] = [];
  for (let n = 0; n < nodeCount; n++) {
    nodes.push({
      index: n,
      id: options.randomHex(20),
      ip: `10.0.0.${4 + n}`,
      port: NODE_PORT_BASE + 1 + n,
      zone: ha ? String((n % 3) + 1) : '',
      primaryShards: [],
      replicaShards: [],
    });
  }

  const slotToShard = new Uint16Array(SLOT_COUNT);
  const shards: ShardPlacement[] = [];
  const ranges = splitSlots(shardCount);
  for (let s = 0; s < shardCount; s++) {
    const [start, end] = ranges[s];
    slotToShard.fill(s, start, end + 1);
    const primaryNode = s % nodeCount;
    const replicaNode = ha ? replicaNodeFor(nodes, primaryNode) : null;
    nodes[primaryNode].primaryShards.push(s);
    if (replicaNode !== null) nodes[replicaNode].replicaShards.push(s);
    shards.push({
      index: s,
      id: options.randomHex(20),
      slots: [[start, end]],
      slotCount: end - start + 1,
      primaryNode,
      replicaNode,
      replicaId: ha ? options.randomHex(20) : null,
    });
  }

  return {
    sku: sku.name,
    policy: options.policy,
    highAvailability: ha,
    nodes,
    shards,
    slotToShard,
    hostname: options.hostname,
    port: BOOTSTRAP_PORT,
    bootstrap: `${options.hostname}:${BOOTSTRAP_PORT}`,
  };
}

/** The first node after `primary` (cyclic) in another zone; any other node when zones are off. */
function replicaNodeFor(nodes: readonly NodeInfo[], primary: number): number {
  const zone = nodes[primary].zone;
  for (let step = 1; step < nodes.length; step++) {
    const candidate = (primary + step) % nodes.length;
    if (zone === '' || nodes[candidate].zone !== zone) return candidate;
  }
  throw new Error('high availability needs at least two nodes');
}

/**
 * The slot ranges served by a node's endpoint: the ranges of its primary shards, sorted, with
 * adjacent ranges merged (as Redis reports one range per run of slots owned by one node).
 */
export function nodeSlotRanges(topology: Topology, node: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const s of topology.nodes[node].primaryShards) for (const r of topology.shards[s].slots) ranges.push([r[0], r[1]]);
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last !== undefined && last[1] + 1 === r[0]) last[1] = r[1];
    else merged.push(r);
  }
  return merged;
}

/** Nodes that host at least one primary shard: the endpoints CLUSTER SLOTS/SHARDS/NODES list. */
export function endpointNodes(topology: Topology): NodeInfo[] {
  return topology.nodes.filter((node) => node.primaryShards.length > 0);
}

/**
 * The endpoint a connection talks to: the endpoint node whose `ip:port` is its `laddr`; for a
 * connection to the bootstrap endpoint (`<hostname>:10000`), the node of shard 0's primary.
 */
export function nodeForAddress(topology: Topology, laddr: string): number {
  for (const node of topology.nodes) {
    if (node.primaryShards.length > 0 && `${node.ip}:${node.port}` === laddr) return node.index;
  }
  return topology.shards[0].primaryNode;
}
