/**
 * Scaling (azure-facts §10, SCALE): `cache.scale({ sku, clusterPolicy? })` checks AMR's rules, then
 * runs on the cache's clock. See docs/scaling.md.
 *
 * Rules (each refusal a RangeError saying why):
 * - no move between the in-memory tiers and Flash Optimized, either way;
 * - a scale-down (less memory, or fewer vCPUs) only to a SKU with the same number of primary shards
 *   (AMR: "a compatible vCPU/shard configuration"; [inference] Redis Enterprise cannot merge shards),
 *   only when the memory in use fits the target, and never with active geo-replication;
 * - the cluster policy changes only from NoCluster to OSS or Enterprise (ARM: updatable only while
 *   NoCluster); a NoCluster cache must change it to go above 25 GB;
 * - modules stay as created (the rules above keep every module's requirements true);
 * - one operation at a time, on a healthy cache.
 *
 * Run, with high availability: the nodes are replaced one at a time by VMs of the new size, as in
 * a maintenance run (planned failovers, `scaling-step` per node, full resyncs; data kept, short
 * connection blips); then the data is resharded over the new layout (the new SKU's shard count,
 * slots re-split evenly, new nodes) and every connection is dropped once, as a client sees its
 * node endpoints change. Without high availability the cache is offline and loses all its data
 * for the whole run. `cache.status` is `Scaling` until `scaling-completed`, then `Running`.
 */
import type { ManagedRedis } from '../managed-redis.js';
import type { ClusterPolicy, Shard } from '../core-types.js';
import { getSku, NON_CLUSTERED_MAX_GB, usableBytes, type SkuInfo, type SkuName, SKU_NAMES } from './skus.js';
import { buildTopology } from './topology.js';
import { slotOfName } from './slots.js';
import { Keyspace, type StoredValue } from '../keyspace/keyspace.js';
import { estimateDatasetBytes, usedMemory, STARTUP_BYTES } from '../info.js';

/** What `cache.scale()` changes: the SKU, and optionally the cluster policy (NoCluster only). */
export interface ScaleTarget {
  sku: SkuName;
  /** From NoCluster to `OSS` or `Enterprise` (the only change AMR allows). */
  clusterPolicy?: ClusterPolicy;
}

/** A scaling run in progress. */
export interface ScalingRun {
  readonly startedAt: number;
  /** Estimated from the data at the start. */
  readonly endsAt: number;
  readonly fromSku: SkuName;
  readonly toSku: SkuName;
  readonly fromPolicy: ClusterPolicy;
  readonly toPolicy: ClusterPolicy;
}

/**
 * Time to provision one VM at the new size (and, without HA, the whole cache). With the resyncs,
 * planned failovers and the reshard, a 2-node cache with no data takes about 10 minutes, as AMR
 * says ([inference]: the split between provisioning and data transfer is not published).
 */
export const SCALING_NODE_MS = 290_000;

/** The cache as the rules see it. */
export interface ScaleSource {
  sku: SkuName;
  policy: ClusterPolicy;
  geoReplication: boolean;
  /** Memory in use (INFO used_memory over all shards). */
  usedBytes: number;
}

/** Checks a target against AMR's rules; returns the target SKU and policy, or throws a RangeError saying why. */
export function checkScale(from: ScaleSource, target: ScaleTarget): { sku: SkuInfo; policy: ClusterPolicy } {
  if (target === null || typeof target !== 'object') throw new TypeError('scale takes { sku, clusterPolicy? }');
  const current = getSku(from.sku);
  const sku = getSku(target.sku);
  const policy = target.clusterPolicy ?? from.policy;
  if (policy !== from.policy) {
    if (!['OSS', 'Enterprise', 'NoCluster'].includes(policy)) throw new RangeError(`Unknown cluster policy '${String(policy)}'. Valid policies: OSS, Enterprise, NoCluster`);
    if (from.policy !== 'NoCluster') {
      throw new RangeError(`The ${from.policy} cluster policy cannot be changed (only a NoCluster cache may move to OSS or Enterprise); delete and recreate the cache`);
    }
    if (policy === 'NoCluster') throw new RangeError('NoCluster cannot be chosen for an existing clustered cache');
  }
  if (sku.name === current.name && policy === from.policy) throw new RangeError(`The cache is already ${sku.name} with the ${policy} policy`);
  if (sku.flash !== current.flash) {
    throw new RangeError(`Scaling between the in-memory tiers and Flash Optimized is not supported (${current.name} → ${sku.name})`);
  }
  if (policy === 'NoCluster' && !sku.nonClusteredAllowed) {
    throw new RangeError(
      `The NoCluster policy is only available for caches of ${NON_CLUSTERED_MAX_GB} GB or less; change the cluster policy to OSS or Enterprise ` +
        `(scale({ sku: '${sku.name}', clusterPolicy: 'OSS' })) to scale to ${sku.name} (${sku.sizeGB} GB)`,
    );
  }
  if (from.geoReplication && !sku.geoReplicationAllowed) throw new RangeError(`Active geo-replication is not available on ${sku.name}`);
  const down = sku.sizeGB < current.sizeGB || sku.vCPUs < current.vCPUs;
  if (down) {
    if (from.geoReplication) throw new RangeError(`A geo-replicated cache cannot scale down (${current.name} → ${sku.name})`);
    const shards = (s: SkuInfo, p: ClusterPolicy) => (p === 'NoCluster' ? 1 : s.primaryShards);
    if (shards(sku, policy) !== shards(current, from.policy)) {
      throw new RangeError(
        `${current.name} cannot scale down to ${sku.name}: it runs ${shards(current, from.policy)} primary shards and ${sku.name} ` +
          `${shards(sku, policy)}; a scale-down needs a compatible shard configuration (see skusForScaling())`,
      );
    }
    const target = usableBytes(sku);
    if (from.usedBytes >= target) {
      throw new RangeError(
        `Used memory (${from.usedBytes} bytes) must be below ${sku.name}'s capacity (${target} bytes) to scale down; flush or delete keys first`,
      );
    }
  }
  return { sku, policy };
}

/** `cache.scaling`: the run in progress, the status, and the SKUs a cache can scale to. */
export class Scaling {
  /** The run in progress, or null. */
  run: ScalingRun | null = null;

  /** @internal Made by ManagedRedis. */
  constructor(private readonly cache: ManagedRedis) {}

  /** ARM's `resourceState`: `Scaling` during a run, else `Running`. */
  get status(): 'Running' | 'Scaling' {
    return this.run === null ? 'Running' : 'Scaling';
  }

  /** ARM's listSkusForScaling: every SKU this cache may scale to now, with its size. */
  skusForScaling(): Array<{ name: SkuName; sizeInGB: number }> {
    const source = this.source();
    const out: Array<{ name: SkuName; sizeInGB: number }> = [];
    for (const name of SKU_NAMES) {
      if (name === source.sku) continue;
      try {
        this.check(source, { sku: name });
        out.push({ name, sizeInGB: getSku(name).sizeGB });
      } catch {
        // not a valid target
      }
    }
    return out;
  }

  private source(): ScaleSource {
    const cache = this.cache;
    return { sku: cache.topology.sku as SkuName, policy: cache.policy, geoReplication: cache.geoReplication, usedBytes: usedMemory(cache) };
  }

  private check(source: ScaleSource, target: ScaleTarget): { sku: SkuInfo; policy: ClusterPolicy } {
    // Modules stay as they are; the rules above keep the tier (Flash or not) and never leave
    // Enterprise, so a module's requirements hold on every target they accept.
    return checkScale(source, target);
  }

  /** Starts a scaling run (see the module comment). */
  start(target: ScaleTarget): ScalingRun {
    const cache = this.cache;
    if (this.run !== null) throw new Error(`a scaling run is already in progress (${this.run.fromSku} → ${this.run.toSku})`);
    cache.faults.requireIdle();
    const { sku, policy } = this.check(this.source(), target);
    cache.faults.requireHealthy();
    const clock = cache.clock;
    const now = clock.now();
    const ha = cache.topology.highAvailability;
    const fromShards = cache.shards.length;
    const toShards = policy === 'NoCluster' ? 1 : sku.primaryShards;
    const reshardMs = this.reshardMs();
    const rollMs = ha ? cache.faults.rollDurationMs(SCALING_NODE_MS) : SCALING_NODE_MS;
    const run: ScalingRun = {
      startedAt: now,
      endsAt: now + rollMs + reshardMs,
      fromSku: cache.topology.sku as SkuName,
      toSku: sku.name,
      fromPolicy: cache.policy,
      toPolicy: policy,
    };
    this.run = run;
    cache.events.emit('scaling-started', now, {
      fromSku: run.fromSku,
      toSku: run.toSku,
      fromPolicy: run.fromPolicy,
      toPolicy: run.toPolicy,
      fromShards,
      toShards,
      highAvailability: ha,
      endsAt: run.endsAt,
    });
    if (ha) {
      cache.faults.rollNodes('scaling-step', SCALING_NODE_MS, () => {
        // The slots then migrate to the new layout while the old one serves.
        clock.setTimeout(() => this.complete(run, sku, policy, 0), reshardMs);
      });
    } else {
      let keysLost = 0;
      for (const shard of cache.shards) keysLost += shard.keyspace.size;
      cache.faults.takeDown('scaling');
      for (const shard of cache.shards) shard.keyspace.clear();
      clock.setTimeout(() => this.complete(run, sku, policy, keysLost), rollMs + reshardMs);
    }
    return run;
  }

  /** Moving every key once: a full resync's time for the whole dataset. */
  private reshardMs(): number {
    let bytes = 0;
    for (const shard of this.cache.shards) bytes += estimateDatasetBytes(shard.keyspace);
    const { resyncBaseMs, resyncBytesPerSecond } = this.cache.replication.options;
    return Math.ceil(resyncBaseMs + (bytes / resyncBytesPerSecond) * 1000);
  }

  /** The new layout takes over; the cache is Running. */
  private complete(run: ScalingRun, sku: SkuInfo, policy: ClusterPolicy, keysLost: number): void {
    const cache = this.cache;
    const now = cache.clock.now();
    // Clients see their endpoints change: every connection is dropped once, then reconnects.
    const ha = cache.topology.highAvailability;
    if (ha) for (let shard = 0; shard < cache.shards.length; shard++) cache.faults.dropConnections(shard, 'scaling');
    const keysMoved = relayout(cache, sku, policy);
    this.run = null;
    if (!ha) {
      for (const shard of cache.shards) {
        cache.events.emit('shard-up', now, { shard: shard.index, node: cache.topology.shards[shard.index].primaryNode, dataLost: true, keysLost: shard.index === 0 ? keysLost : 0 });
      }
    }
    cache.events.emit('scaling-completed', now, {
      sku: sku.name,
      policy,
      shards: cache.shards.length,
      nodes: cache.topology.nodes.length,
      keysMoved,
      keysLost,
      durationMs: now - run.startedAt,
    });
  }
}

/**
 * Lays the cache out anew for `sku` and `policy`: new nodes (ids, endpoints), the new shard count
 * with the slots re-split evenly, each key moved to the shard now owning its slot (values, TTLs
 * and LRU/LFU stamps kept), per-shard memory limits, Flash tiers, replicas, fault and persistence
 * state. Returns how many keys changed shard.
 */
function relayout(cache: ManagedRedis, sku: SkuInfo, policy: ClusterPolicy): number {
  const topology = cache.topology;
  const fresh = buildTopology({
    sku: sku.name,
    policy,
    highAvailability: topology.highAvailability,
    hostname: topology.hostname,
    randomHex: (bytes) => cache.rng.hex(bytes),
  });
  topology.sku = fresh.sku;
  topology.policy = fresh.policy;
  topology.nodes = fresh.nodes;
  topology.shards = fresh.shards;
  topology.slotToShard.set(fresh.slotToShard); // the same array: the cache routes through it
  // The cache's policy (routing, CROSSSLOT) follows a NoCluster → OSS/Enterprise change.
  (cache as { policy: ClusterPolicy }).policy = policy;
  cache.settings.setInternal('cluster-enabled', policy === 'OSS' ? 'yes' : 'no');

  const shards = cache.shards as Shard[];
  const old = shards.slice();
  const hooks = old[0].keyspace;
  const count = fresh.shards.length;
  for (let i = shards.length; i < count; i++) {
    const shard: Shard = { index: i, keyspace: new Keyspace(), gate: null, tier: null };
    shards.push(shard);
    cache.installKeyspace(shard, shard.keyspace);
    shard.keyspace.onCreated = hooks.onCreated;
    shard.keyspace.onMiss = hooks.onMiss;
    shard.keyspace.onAdded = hooks.onAdded;
  }
  shards.length = count;
  for (const shard of shards) shard.gate = null;

  // Move each key whose slot now belongs to another shard.
  let moved = 0;
  // (No keyspace event: keys stored outside a command send none.)
  const now = cache.clock.now();
  for (const source of old) {
    const db = source.keyspace;
    const tracker = db.access;
    const leaving: Array<[string, StoredValue, number | undefined, number | null, number | null]> = [];
    for (const [key, value, when] of db.entries()) {
      if (topology.slotToShard[slotOfName(key)] === source.index && source.index < count) continue;
      // Stamps count from their tracker's start: carried over as idle time / LFU counter.
      const [idle, freq] = tracker === null ? [null, null] : tracker.figures(db.stampOf(key), now);
      leaving.push([key, value, when, idle, freq]);
    }
    for (const [key, value, when, idle, freq] of leaving) {
      db.delete(key);
      source.tier?.forget(key);
      const dst = shards[topology.slotToShard[slotOfName(key)]].keyspace;
      dst.set(key, value, false, when);
      const stamp = dst.access?.restoredStamp(idle, freq, now) ?? null;
      if (stamp !== null) dst.setStamp(key, stamp);
      moved++;
    }
  }

  // Each shard's share of the memory: the option's total over the new count, or the SKU's.
  const total = cache.maxmemoryOption;
  const perShard = Math.floor((total ?? usableBytes(sku)) / count);
  // (The cache applies a changed maxmemory to every shard.)
  if (total === undefined || total === 0 || perShard > STARTUP_BYTES) cache.settings.setInternal('maxmemory', String(perShard));

  if (cache.flash !== null) {
    const template = old.find((s) => s.tier !== null)!.tier!;
    for (const shard of shards) {
      shard.tier ??= template.sibling(shard.index, shard.keyspace);
      shard.tier.rebind(shard.keyspace);
    }
    cache.flash.retier(shards.map((s) => s.tier!));
  }
  cache.replication.reshape();
  cache.faults.reshape();
  cache.persistence.reshape();
  return moved;
}
