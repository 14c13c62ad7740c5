/** Node, shard and slot layout for every SKU, policy and HA setting. */
import { describe, expect, it } from 'vitest';
import { SKU_NAMES, SKUS, type SkuName } from '../../src/cluster/skus.js';
import {
  buildTopology,
  endpointNodes,
  nodeCountFor,
  nodeForAddress,
  nodeSlotRanges,
  splitSlots,
  type Topology,
} from '../../src/cluster/topology.js';
import { SLOT_COUNT } from '../../src/cluster/slots.js';
import type { ClusterPolicy } from '../../src/core-types.js';
import { Rng } from '../../src/rng.js';
import { ManagedRedis } from '../../src/managed-redis.js';

function build(sku: SkuName, policy: ClusterPolicy = 'OSS', highAvailability = true, seed = 1): Topology {
  const rng = new Rng(seed);
  return buildTopology({ sku, policy, highAvailability, hostname: 'c.eastus.redis.azure.net', randomHex: (n) => rng.hex(n) });
}

/** Every invariant a topology must hold. */
function checkTopology(t: Topology): void {
  const { nodes, shards, slotToShard } = t;
  // Slots: each covered exactly once, by contiguous ranges, agreeing with slotToShard.
  // (Plain loops collecting problems: 16,384 expect() calls per topology would be slow.)
  const problems: string[] = [];
  const owner = new Int32Array(SLOT_COUNT).fill(-1);
  for (const shard of shards) {
    let count = 0;
    for (const [start, end] of shard.slots) {
      if (start > end) problems.push(`shard ${shard.index}: range ${start}-${end}`);
      for (let slot = start; slot <= end; slot++) {
        if (owner[slot] !== -1) problems.push(`slot ${slot} owned by shards ${owner[slot]} and ${shard.index}`);
        owner[slot] = shard.index;
        count++;
      }
    }
    if (shard.slotCount !== count) problems.push(`shard ${shard.index}: slotCount ${shard.slotCount} != ${count}`);
  }
  for (let slot = 0; slot < SLOT_COUNT; slot++) {
    if (owner[slot] === -1) problems.push(`slot ${slot} not covered`);
    else if (owner[slot] !== slotToShard[slot]) problems.push(`slot ${slot}: slotToShard ${slotToShard[slot]} != ${owner[slot]}`);
  }
  expect(problems.slice(0, 5)).toEqual([]);
  // Even split: slot counts differ by at most one.
  const counts = shards.map((s) => s.slotCount);
  expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  // Nodes.
  expect(nodes.length).toBeGreaterThanOrEqual(t.highAvailability ? 2 : 1);
  const ids = new Set<string>();
  nodes.forEach((node, n) => {
    expect(node.index).toBe(n);
    expect(node.id).toMatch(/^[0-9a-f]{40}$/);
    expect(node.ip).toBe(`10.0.0.${4 + n}`);
    expect(node.port).toBe(8501 + n);
    expect(node.zone).toBe(t.highAvailability ? String((n % 3) + 1) : '');
    ids.add(node.id);
  });
  for (const shard of shards) {
    expect(shard.id).toMatch(/^[0-9a-f]{40}$/);
    ids.add(shard.id);
    expect(nodes[shard.primaryNode].primaryShards).toContain(shard.index);
    if (t.highAvailability) {
      // The HA placement rule: never both copies on one node, nor in one zone.
      expect(shard.replicaNode).not.toBeNull();
      expect(shard.replicaNode).not.toBe(shard.primaryNode);
      expect(nodes[shard.replicaNode!].zone).not.toBe(nodes[shard.primaryNode].zone);
      expect(nodes[shard.replicaNode!].replicaShards).toContain(shard.index);
      expect(shard.replicaId).toMatch(/^[0-9a-f]{40}$/);
      ids.add(shard.replicaId!);
    } else {
      expect(shard.replicaNode).toBeNull();
      expect(shard.replicaId).toBeNull();
    }
  }
  expect(ids.size).toBe(nodes.length + shards.length * (t.highAvailability ? 2 : 1));
  // Every node's shard lists match the placements, and each primary is on exactly one node.
  const primaries = nodes.flatMap((n) => n.primaryShards).sort((a, b) => a - b);
  expect(primaries).toEqual(shards.map((s) => s.index));
  const replicas = nodes.flatMap((n) => n.replicaShards).sort((a, b) => a - b);
  expect(replicas).toEqual(t.highAvailability ? shards.map((s) => s.index) : []);
  // Endpoints cover every slot exactly once.
  let covered = 0;
  for (const node of endpointNodes(t)) for (const [a, b] of nodeSlotRanges(t, node.index)) covered += b - a + 1;
  expect(covered).toBe(SLOT_COUNT);
  expect(t.bootstrap).toBe('c.eastus.redis.azure.net:10000');
  expect(t.port).toBe(10000);
}

describe('splitSlots', () => {
  it('splits like redis-cli --cluster create', () => {
    expect(splitSlots(1)).toEqual([[0, 16383]]);
    expect(splitSlots(2)).toEqual([[0, 8191], [8192, 16383]]);
    expect(splitSlots(3)).toEqual([[0, 5460], [5461, 10922], [10923, 16383]]);
    expect(splitSlots(6)).toEqual([
      [0, 2730],
      [2731, 5460],
      [5461, 8191],
      [8192, 10922],
      [10923, 13652],
      [13653, 16383],
    ]);
  });

  it('gives contiguous ranges whose sizes differ by at most one for any shard count', () => {
    for (const n of [1, 2, 3, 5, 6, 7, 12, 24, 48, 96, 100, 192, 384, 1000, 16384]) {
      const ranges = splitSlots(n);
      expect(ranges).toHaveLength(n);
      expect(ranges[0][0]).toBe(0);
      expect(ranges[n - 1][1]).toBe(16383);
      for (let i = 1; i < n; i++) expect(ranges[i][0]).toBe(ranges[i - 1][1] + 1);
      const sizes = ranges.map(([a, b]) => b - a + 1);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
    expect(() => splitSlots(0)).toThrow(RangeError);
  });
});

describe('node count rule', () => {
  it('is ceil(vCPUs / 16), at least 2 with HA; half that (at least 1) without HA', () => {
    expect(nodeCountFor(2, true)).toBe(2);
    expect(nodeCountFor(16, true)).toBe(2);
    expect(nodeCountFor(32, true)).toBe(2);
    expect(nodeCountFor(48, true)).toBe(3);
    expect(nodeCountFor(384, true)).toBe(24);
    expect(nodeCountFor(2, false)).toBe(1);
    expect(nodeCountFor(48, false)).toBe(2);
    expect(nodeCountFor(384, false)).toBe(12);
  });
});

describe('every SKU builds a valid topology', () => {
  for (const sku of SKU_NAMES) {
    it(sku, () => {
      for (const ha of [true, false]) {
        const oss = build(sku, 'OSS', ha);
        checkTopology(oss);
        expect(oss.shards).toHaveLength(SKUS[sku].primaryShards);
        expect(oss.nodes).toHaveLength(nodeCountFor(SKUS[sku].vCPUs, ha));
        checkTopology(build(sku, 'Enterprise', ha));
        if (SKUS[sku].nonClusteredAllowed) {
          const single = build(sku, 'NoCluster', ha);
          checkTopology(single);
          expect(single.shards).toHaveLength(1);
          expect(single.shards[0].slots).toEqual([[0, 16383]]);
        }
      }
    });
  }
});

describe('placement', () => {
  it('puts B5 on two nodes in zones 1 and 2, each primary replicated on the other', () => {
    const t = build('Balanced_B5');
    expect(t.nodes.map((n) => [n.ip, n.port, n.zone])).toEqual([
      ['10.0.0.4', 8501, '1'],
      ['10.0.0.5', 8502, '2'],
    ]);
    expect(t.shards.map((s) => [s.slots, s.primaryNode, s.replicaNode])).toEqual([
      [[[0, 8191]], 0, 1],
      [[[8192, 16383]], 1, 0],
    ]);
  });

  it('spreads primaries round-robin, so a node serves several slot ranges', () => {
    const t = build('Balanced_B20');
    expect(t.nodes.map((n) => n.primaryShards)).toEqual([[0, 2, 4], [1, 3, 5]]);
    expect(nodeSlotRanges(t, 0)).toEqual([[0, 2730], [5461, 8191], [10923, 13652]]);
  });

  it('moves a replica past a node in the same zone (4 nodes: zones 1,2,3,1)', () => {
    // 49–64 vCPUs → 4 nodes: node 3 is in zone 1 like node 0, so its replicas go to node 1.
    const t = build('Balanced_B250');
    expect(t.nodes.map((n) => n.zone)).toEqual(['1', '2', '3', '1']);
    for (const s of t.shards.filter((s) => s.primaryNode === 3)) expect(s.replicaNode).toBe(1);
  });

  it('hosts B0’s single primary on node 0 and its replica on node 1; only node 0 is an endpoint', () => {
    const t = build('Balanced_B0');
    expect(t.shards).toHaveLength(1);
    expect(t.shards[0].primaryNode).toBe(0);
    expect(t.shards[0].replicaNode).toBe(1);
    expect(endpointNodes(t).map((n) => n.index)).toEqual([0]);
    // A connection to node 1's address (no primaries) is treated as a bootstrap connection.
    expect(nodeForAddress(t, '10.0.0.5:8502')).toBe(0);
    expect(nodeForAddress(t, 'c.eastus.redis.azure.net:10000')).toBe(0);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = build('Balanced_B50', 'OSS', true, 5);
    const b = build('Balanced_B50', 'OSS', true, 5);
    const c = build('Balanced_B50', 'OSS', true, 6);
    expect(a.nodes.map((n) => n.id)).toEqual(b.nodes.map((n) => n.id));
    expect(a.nodes.map((n) => n.id)).not.toEqual(c.nodes.map((n) => n.id));
  });

  it('is the topology a ManagedRedis exposes, with one shard object per placement', () => {
    const cache = new ManagedRedis({ sku: 'ComputeOptimized_X10', name: 'orders', region: 'westeurope', clock: 'virtual' });
    expect(cache.topology.bootstrap).toBe('orders.westeurope.redis.azure.net:10000');
    expect(cache.shards).toHaveLength(6);
    for (let slot = 0; slot < SLOT_COUNT; slot += 97) {
      expect(cache.shardForSlot(slot).index).toBe(cache.topology.slotToShard[slot]);
    }
    cache.close();
  });
});
