/**
 * Faults, failovers and maintenance (`cache.faults`), on the cache's clock. See docs/failover.md.
 *
 * Model:
 * - Each primary shard has up to two copies, on `topology.shards[i].primaryNode` and (with HA)
 *   `replicaNode`. A copy that fails (its shard process, its node, its zone, or a network split
 *   that isolates it) is dead until healed.
 * - The primary copy failing cuts the replication stream: the replica keeps what it had applied,
 *   the rest is the lost tail. The shard stops serving (keyed commands throw
 *   {@link ShardUnavailableError}); after `detectionMs` a `failover-started` event, after a further
 *   `promotionMs` the replica is promoted (`failover-completed` with the lost tail), roles swap in
 *   the topology, and the shard serves again. Without a live replica the shard stays down; when a
 *   copy is healed it comes back empty (`shard-up` with `dataLost`).
 * - A healed copy of a serving shard returns as its replica through a full resync.
 * - Quorum: the side of a network split with more nodes (on a tie, the side with the lowest node
 *   index) keeps quorum. On the other side primaries stop accepting writes (`CLUSTERDOWN`) and
 *   their replicas on the quorum side are promoted. When fewer than half of the nodes are up, the
 *   survivors have no quorum either: writes stop and no promotion completes until nodes return.
 */
import type { ManagedRedis } from '../managed-redis.js';
import type { TimerHandle } from '../clock.js';
import { Keyspace } from '../keyspace/keyspace.js';
import type { CommandSpec } from '../commands/command.js';
import type { Replication, ShardLink, LostTail } from './replication.js';
import { CLUSTER_DOWN, ConnectionResetError, ShardUnavailableError } from './errors.js';
import { replidOf } from './replication.js';
import type { NodeInfo } from '../cluster/topology.js';

type DownReason = 'shard-failure' | 'node-failure' | 'network-split';

/** The state of one shard as faults see it. */
export interface ShardFaultState {
  readonly shard: number;
  readonly state: 'up' | 'failing-over' | 'down';
  readonly primaryNode: number;
  readonly replicaNode: number | null;
  /** Nodes whose copy of this shard is dead and waits to be healed. */
  readonly deadCopies: readonly number[];
  /** True while writes are refused for lack of quorum. */
  readonly readOnly: boolean;
}

/** A maintenance run in progress. */
export interface MaintenanceRun {
  /** Clock time the run started. */
  readonly startedAt: number;
  /** Clock time the run will complete (every node replaced). */
  readonly endsAt: number;
  /** Nodes in the order they are replaced. */
  readonly nodes: readonly number[];
}

/** Fault injection, failovers and maintenance of a cache (`cache.faults`). */
export class Faults {
  private readonly nodeUp: boolean[];
  /** Per shard: nodes whose copy is dead. */
  private readonly dead: Set<number>[];
  /** Per shard: failover timers. */
  private readonly timers: TimerHandle[][];
  /** Per shard: the lost tail of the failure in progress. */
  private readonly tails: (LostTail | null)[];
  /** Per shard: keys the primary held when it was lost (reported if no copy survives). */
  private readonly keysAtLoss: number[];
  /** Per shard: a promotion waiting for quorum. */
  private readonly stalled: boolean[];
  /** Per shard: the replica re-creation timer (replica HA's grace period), if one is pending. */
  private readonly recreation: (TimerHandle | null)[];
  /** Per shard: what waits for the shard's resync to end (maintenance fail-back). */
  private readonly afterResync: (Array<() => void>)[];
  /** Nodes cut off on the minority side of a network split. */
  private minority: Set<number> | null = null;
  private maintenanceRunning = false;
  private nextNodeNumber: number;

  /** @internal Made by ManagedRedis. */
  constructor(
    private readonly cache: ManagedRedis,
    private readonly replication: Replication,
  ) {
    this.nodeUp = cache.topology.nodes.map(() => true);
    this.dead = cache.shards.map(() => new Set<number>());
    this.timers = cache.shards.map(() => []);
    this.tails = cache.shards.map(() => null);
    this.keysAtLoss = cache.shards.map(() => 0);
    this.stalled = cache.shards.map(() => false);
    this.recreation = cache.shards.map(() => null);
    this.afterResync = cache.shards.map(() => []);
    this.nextNodeNumber = cache.topology.nodes.length;
    replication.resyncEnded = (shard) => {
      const waiting = this.afterResync[shard];
      if (waiting.length === 0) return;
      this.afterResync[shard] = [];
      for (const run of waiting) run();
    };
  }

  // ------------------------------------------------------------------------------ observing

  /** True when a node is up (not failed). A node on the minority side of a split is up. */
  isNodeUp(node: number): boolean {
    this.node(node);
    return this.nodeUp[node];
  }

  /** A shard's fault state. */
  shardState(shard: number): ShardFaultState {
    const link = this.replication.link(shard);
    const placement = this.cache.topology.shards[shard];
    return {
      shard,
      state: link.state,
      primaryNode: placement.primaryNode,
      replicaNode: placement.replicaNode,
      deadCopies: Array.from(this.dead[shard]).sort((a, b) => a - b),
      readOnly: link.state === 'up' && this.writesRefused(shard),
    };
  }

  /** True while the cluster has quorum on the side clients reach (every shard accepts writes). */
  get hasQuorum(): boolean {
    return this.quorumOf(this.upNodesOnMajority()) && this.minority === null;
  }

  // ------------------------------------------------------------------------------ unplanned faults

  /** The primary copy of a shard fails (its node stays up). A replica is promoted after detection + promotion time. */
  failShard(shard: number): void {
    const link = this.replication.link(shard);
    if (link.state !== 'up') return;
    this.primaryLost(shard, 'shard-failure');
  }

  /** Brings back the dead copies of a shard whose nodes are up: as a replica (full resync), or as an empty primary when no copy survived. */
  healShard(shard: number): void {
    this.replication.link(shard);
    for (const node of Array.from(this.dead[shard]).sort((a, b) => a - b)) {
      if (this.nodeUp[node] && !this.minority?.has(node)) this.healCopy(shard, node);
    }
  }

  /** A node (VM) fails: its primaries fail over to their replicas, its replicas are lost. */
  failNode(node: number): void {
    this.node(node);
    if (!this.nodeUp[node]) return;
    this.nodeUp[node] = false;
    const info = this.cache.topology.nodes[node];
    this.cache.events.emit('node-down', this.cache.clock.now(), { node, id: info.id, zone: info.zone });
    this.copiesOnNodeLost(node, 'node-failure');
    this.refreshQuorum();
  }

  /** A failed node returns; each of its copies returns as a replica (full resync) or, when no copy of the shard survived, as an empty primary. */
  healNode(node: number): void {
    this.node(node);
    if (this.nodeUp[node]) return;
    this.nodeUp[node] = true;
    const info = this.cache.topology.nodes[node];
    this.cache.events.emit('node-up', this.cache.clock.now(), { node, id: info.id, zone: info.zone });
    if (!this.minority?.has(node)) this.healCopiesOn(node);
    this.refreshQuorum();
  }

  /** Every node of an availability zone (`'1'`, `'2'`, `'3'`) fails. */
  failZone(zone: string | number): void {
    const nodes = this.nodesInZone(String(zone));
    this.cache.events.emit('zone-down', this.cache.clock.now(), { zone: String(zone), nodes });
    for (const node of nodes) this.failNode(node);
  }

  /** Heals every node of a zone. */
  healZone(zone: string | number): void {
    const nodes = this.nodesInZone(String(zone));
    this.cache.events.emit('zone-up', this.cache.clock.now(), { zone: String(zone), nodes });
    for (const node of nodes) this.healNode(node);
  }

  /**
   * Splits the network: `side` (node indexes) on one side, the other nodes on the other. The side
   * with more nodes keeps quorum (a tie goes to the side with node 0). Minority primaries refuse
   * writes (`CLUSTERDOWN The cluster is down`, reads still served) and their replicas on the
   * majority side are promoted after detection + promotion time.
   */
  splitNetwork(side: readonly number[]): void {
    if (this.minority !== null) throw new Error('the network is already split: healNetwork() first');
    const all = this.cache.topology.nodes.map((n) => n.index);
    for (const node of side) this.node(node);
    const a = new Set(side);
    const b = all.filter((n) => !a.has(n));
    if (a.size === 0 || b.length === 0) throw new RangeError('a split needs nodes on both sides');
    const aWins = a.size > b.length || (a.size === b.length && a.has(0));
    const minority = aWins ? b : Array.from(a).sort((x, y) => x - y);
    const majority = aWins ? Array.from(a).sort((x, y) => x - y) : b;
    this.minority = new Set(minority);
    this.cache.events.emit('network-split', this.cache.clock.now(), { majority, minority });
    const topology = this.cache.topology;
    for (let shard = 0; shard < topology.shards.length; shard++) {
      const placement = topology.shards[shard];
      const link = this.replication.links[shard];
      const primaryCut = this.minority.has(placement.primaryNode) && this.nodeUp[placement.primaryNode];
      const replicaNode = placement.replicaNode;
      const replicaCut = replicaNode !== null && this.minority.has(replicaNode);
      if (link.state !== 'up' || this.dead[shard].has(placement.primaryNode)) continue;
      // A primary cut off from its live replica: the replica's side promotes it.
      if (primaryCut && !replicaCut && link.replica !== null) this.primaryLost(shard, 'network-split');
      // A replica cut off from its primary stops receiving; it resyncs when the split heals.
      else if (!primaryCut && replicaCut && (link.replica !== null || link.resync !== null)) this.replicaLost(shard);
      // Both on the minority side: still replicating, but refusing writes (see updateGate).
    }
    this.refreshQuorum();
  }

  /** Ends a network split: the minority nodes rejoin; their copies resync as replicas. */
  healNetwork(): void {
    const minority = this.minority;
    if (minority === null) return;
    this.minority = null;
    const nodes = Array.from(minority).sort((a, b) => a - b);
    this.cache.events.emit('network-healed', this.cache.clock.now(), { minority: nodes });
    for (const node of nodes) if (this.nodeUp[node]) this.healCopiesOn(node);
    this.refreshQuorum();
  }

  // ------------------------------------------------------------------------------ planned

  /**
   * Planned failover of a shard: the shard pauses for `plannedFailoverMs`, its replica catches up
   * fully, and roles swap (nothing is lost). Returns the clock time it completes.
   */
  failover(shard: number): number {
    const link = this.replication.link(shard);
    const placement = this.cache.topology.shards[shard];
    if (!this.replication.enabled) throw new Error('planned failover needs high availability');
    if (link.state !== 'up' || link.replica === null || placement.replicaNode === null) {
      throw new Error(`shard ${shard} has no live replica to fail over to`);
    }
    if (this.minority !== null) throw new Error('no planned failover during a network split');
    const clock = this.cache.clock;
    const now = clock.now();
    const fromNode = placement.primaryNode;
    const toNode = placement.replicaNode;
    link.state = 'failing-over';
    this.updateGate(shard);
    this.cache.events.emit('failover-started', now, { shard, planned: true, fromNode, toNode });
    this.cache.events.emit('shard-down', now, { shard, node: fromNode, reason: 'planned-failover' });
    this.dropConnections(shard, 'planned-failover');
    const ms = this.replication.options.plannedFailoverMs;
    this.timers[shard].push(
      clock.setTimeout(() => {
        this.timers[shard] = [];
        if (link.state !== 'failing-over' || link.replica === null) return;
        this.replication.pump(link, Infinity);
        const offset = link.primaryOffset;
        const old = this.replication.promote(link);
        this.swapPlacement(shard);
        this.replication.attachInSync(link, old);
        link.state = 'up';
        this.updateGate(shard);
        const t = clock.now();
        this.cache.events.emit('failover-completed', t, {
          shard,
          planned: true,
          fromNode,
          toNode,
          effectsLost: 0,
          keysLost: [],
          lostOffsets: [offset, offset],
        });
        this.cache.events.emit('shard-up', t, { shard, node: toNode, dataLost: false, keysLost: 0 });
      }, ms),
    );
    return now + ms;
  }

  /** Planned failover of every primary on a node (each shard separately). Returns the completion time. */
  failoverNode(node: number): number {
    this.node(node);
    let end = this.cache.clock.now();
    for (const shard of this.cache.topology.nodes[node].primaryShards.slice()) end = Math.max(end, this.failover(shard));
    return end;
  }

  /**
   * A maintenance run, as AMR patching does it: nodes are replaced one at a time. For each node:
   * its primaries fail over (planned) to their replicas; the node is replaced by a new VM (new id,
   * IP and port: CLUSTER SLOTS/SHARDS/NODES show it); its copies come back on the new node through
   * a full resync after `nodeReplacementMs`; then the shards that were primary there fail back.
   * Events: `maintenance-started`, `maintenance-step` per node, `maintenance-completed`.
   */
  maintenance(): MaintenanceRun {
    if (!this.replication.enabled) throw new Error('maintenance without downtime needs high availability');
    this.requireIdle();
    this.requireHealthy();
    const start = this.cache.clock.now();
    const nodes = this.cache.topology.nodes.length;
    this.cache.events.emit('maintenance-started', start, { nodes });
    return this.rollNodes('maintenance-step', this.replication.options.nodeReplacementMs, () => {
      this.cache.events.emit('maintenance-completed', this.cache.clock.now(), { steps: nodes });
    });
  }

  /** @internal Throws while a maintenance or scaling run is in progress. */
  requireIdle(): void {
    if (this.maintenanceRunning || this.cache.scaling.run !== null) throw new Error('a maintenance or scaling run is already in progress');
  }

  /** @internal Clock time a rolling replacement of every node would take, estimated from the data now. */
  rollDurationMs(replaceMs: number): number {
    const topology = this.cache.topology;
    const planned = this.replication.options.plannedFailoverMs;
    let total = 0;
    for (const node of topology.nodes) {
      let resync = 0;
      for (const shard of [...node.primaryShards, ...node.replicaShards]) {
        resync = Math.max(resync, this.replication.resyncDurationMs(shard));
      }
      total += planned + replaceMs + resync + planned + 1;
    }
    return total;
  }

  /**
   * @internal Replaces every node, one at a time (maintenance, and the node-by-node part of
   * scaling). Per node: its primaries fail over (planned); after `plannedFailoverMs` the node is
   * replaced by a new VM (`stepEvent`); after `replaceMs` its copies resync on it (in parallel) and
   * the moved shards fail back; 1 ms later the next node. `done` runs when the last node is done.
   */
  rollNodes(stepEvent: 'maintenance-step' | 'scaling-step', replaceMs: number, done: () => void): MaintenanceRun {
    this.maintenanceRunning = true;
    const clock = this.cache.clock;
    const start = clock.now();
    const planned = this.replication.options.plannedFailoverMs;
    const nodes = this.cache.topology.nodes.map((n) => n.index);
    // The resyncs' length depends on the data then: the end is estimated from the data now.
    const endsAt = start + this.rollDurationMs(replaceMs);
    const runStep = (step: number): void => {
      if (step === nodes.length) {
        this.maintenanceRunning = false;
        done();
        return;
      }
      const node = nodes[step];
      const moved = this.cache.topology.nodes[node].primaryShards.filter(
        (s) => this.replication.links[s].state === 'up' && this.replication.links[s].replica !== null,
      );
      for (const shard of moved) this.failover(shard);
      // Timers due at the same time fire in the order they were made: the failovers first.
      clock.setTimeout(() => {
        this.replaceNode(node, step, stepEvent);
        clock.setTimeout(() => {
          const syncing: number[] = [];
          for (const shard of this.cache.topology.nodes[node].replicaShards) {
            const link = this.replication.links[shard];
            this.dead[shard].delete(node);
            if (link.state === 'up' && link.replica === null && link.resync === null) this.replication.fullResync(link, 'node-replaced');
            if (link.resync !== null) syncing.push(shard);
          }
          // Once every copy on the new node is loaded, the moved shards fail back.
          let left = syncing.length;
          const failBack = (): void => {
            for (const shard of moved) {
              const link = this.replication.links[shard];
              if (link.state === 'up' && link.replica !== null) this.failover(shard);
            }
            clock.setTimeout(() => runStep(step + 1), planned + 1);
          };
          if (left === 0) failBack();
          for (const shard of syncing) {
            this.afterResync[shard].push(() => {
              if (--left === 0) failBack();
            });
          }
        }, replaceMs);
      }, planned);
    };
    runStep(0);
    return { startedAt: start, endsAt, nodes };
  }

  /**
   * @internal The topology was rebuilt (scaling): per-shard and per-node state starts afresh for
   * the new shards and nodes (every copy up), and the new nodes get endpoints never used before.
   */
  reshape(): void {
    const topology = this.cache.topology;
    for (const timers of this.timers) for (const timer of timers) timer.cancel();
    for (const timer of this.recreation) timer?.cancel();
    const n = this.cache.shards.length;
    const fill = <T,>(array: T[], make: () => T): void => {
      array.length = 0;
      for (let i = 0; i < n; i++) array.push(make());
    };
    fill(this.dead, () => new Set<number>());
    fill(this.timers, () => []);
    fill(this.tails, () => null);
    fill(this.keysAtLoss, () => 0);
    fill(this.stalled, () => false);
    fill(this.recreation, () => null);
    fill(this.afterResync, () => []);
    this.nodeUp.length = 0;
    for (const node of topology.nodes) {
      this.nodeUp.push(true);
      this.renumber(node);
    }
    for (let shard = 0; shard < n; shard++) this.updateGate(shard);
  }

  /** @internal Takes every shard off the air (scaling without HA): down until the new layout replaces them. */
  takeDown(reason: 'scaling'): void {
    const now = this.cache.clock.now();
    for (let shard = 0; shard < this.cache.shards.length; shard++) {
      const link = this.replication.links[shard];
      this.keysAtLoss[shard] = this.cache.shards[shard].keyspace.size;
      link.state = 'down';
      this.updateGate(shard);
      this.cache.events.emit('shard-down', now, { shard, node: this.cache.topology.shards[shard].primaryNode, reason });
      this.dropConnections(shard, reason);
    }
  }

  // ------------------------------------------------------------------------------ internals

  private node(node: number): void {
    if (!Number.isInteger(node) || this.cache.topology.nodes[node] === undefined) {
      throw new RangeError(`no node ${node}: the cache has nodes 0-${this.cache.topology.nodes.length - 1}`);
    }
  }

  private nodesInZone(zone: string): number[] {
    const nodes = this.cache.topology.nodes.filter((n) => n.zone === zone).map((n) => n.index);
    if (nodes.length === 0) throw new RangeError(`no node in zone '${zone}'`);
    return nodes;
  }

  /** @internal Throws unless every node and every copy is up (maintenance and scaling need it). */
  requireHealthy(): void {
    if (this.minority !== null || this.nodeUp.some((up) => !up)) throw new Error('the cache has failed nodes');
    this.replication.links.forEach((link, i) => {
      if (link.state !== 'up' || (this.replication.enabled && link.replica === null) || this.dead[i].size > 0) {
        throw new Error(`shard ${i} is not healthy`);
      }
    });
  }

  private copiesOnNodeLost(node: number, reason: DownReason): void {
    const topology = this.cache.topology;
    for (let shard = 0; shard < topology.shards.length; shard++) {
      const placement = topology.shards[shard];
      if (this.dead[shard].has(node)) continue;
      if (placement.primaryNode === node && this.replication.links[shard].state === 'up') {
        this.primaryLost(shard, reason);
      } else if (placement.replicaNode === node) {
        this.replicaLost(shard);
      }
    }
  }

  private healCopiesOn(node: number): void {
    const topology = this.cache.topology;
    for (let shard = 0; shard < topology.shards.length; shard++) {
      if (this.dead[shard].has(node)) this.healCopy(shard, node);
    }
  }

  /** The primary copy is gone (or isolated) at the current time. */
  private primaryLost(shard: number, reason: DownReason): void {
    const replication = this.replication;
    const link = replication.links[shard];
    const clock = this.cache.clock;
    const now = clock.now();
    const placement = this.cache.topology.shards[shard];
    const fromNode = placement.primaryNode;
    this.keysAtLoss[shard] = this.cache.shards[shard].keyspace.size;
    this.tails[shard] = replication.enabled ? replication.cutStream(link, now) : null;
    this.cache.persistence.primaryLost(shard);
    // A replica still loading its full copy has nothing to take over with: its source is gone.
    replication.abandonResync(link);
    this.cancelRecreation(shard);
    this.dead[shard].add(fromNode);
    const replicaNode = placement.replicaNode;
    const canPromote =
      link.replica !== null && replicaNode !== null && this.nodeUp[replicaNode] && !this.minority?.has(replicaNode);
    link.state = canPromote ? 'failing-over' : 'down';
    this.updateGate(shard);
    this.cache.events.emit('shard-down', now, { shard, node: fromNode, reason });
    this.dropConnections(shard, reason);
    if (!canPromote) return;
    const { detectionMs, promotionMs } = replication.options;
    this.timers[shard].push(
      clock.setTimeout(() => {
        if (link.state !== 'failing-over') return;
        this.cache.events.emit('failover-started', clock.now(), { shard, planned: false, fromNode, toNode: replicaNode });
      }, detectionMs),
      clock.setTimeout(() => {
        this.timers[shard] = [];
        this.completePromotion(shard, fromNode);
      }, detectionMs + promotionMs),
    );
  }

  private completePromotion(shard: number, fromNode: number): void {
    const link = this.replication.links[shard];
    if (link.state !== 'failing-over' || link.replica === null) return;
    if (!this.quorumOf(this.upNodesOnMajority())) {
      this.stalled[shard] = true;
      return;
    }
    this.stalled[shard] = false;
    const placement = this.cache.topology.shards[shard];
    const toNode = placement.replicaNode!;
    this.replication.promote(link);
    this.swapPlacement(shard);
    this.cache.persistence.promoted(shard);
    link.state = 'up';
    this.updateGate(shard);
    const tail = this.tails[shard] ?? { effects: 0, keys: [], from: link.primaryOffset, to: link.primaryOffset };
    this.tails[shard] = null;
    const now = this.cache.clock.now();
    this.cache.events.emit('failover-completed', now, {
      shard,
      planned: false,
      fromNode,
      toNode,
      effectsLost: tail.effects,
      keysLost: tail.keys.map((k) => Buffer.from(k, 'latin1')),
      lostOffsets: [tail.from, tail.to],
    });
    this.cache.events.emit('shard-up', now, { shard, node: toNode, dataLost: false, keysLost: 0 });
    // The old primary's copy was healed meanwhile: it returns as the replica. Otherwise the shard
    // runs without a replica until that copy heals or the grace period gives it a new one.
    if (!this.dead[shard].has(fromNode) && this.nodeUp[fromNode] && !this.minority?.has(fromNode)) {
      this.replication.fullResync(link, 'replica-returned');
    } else {
      this.scheduleRecreation(shard);
    }
  }

  /** @internal The server closes the connections that reach a shard losing its primary (AMR: FAIL), or scaling. */
  dropConnections(shard: number, reason: DownReason | 'planned-failover' | 'scaling'): void {
    const connections = this.replication.connections;
    if (connections.size === 0) return;
    const target = this.cache.shards[shard];
    let count = 0;
    for (const conn of connections) if (conn.state.shards.includes(target)) count++;
    if (count === 0) return;
    this.cache.events.emit('connections-dropped', this.cache.clock.now(), { shard, connections: count, reason });
    this.replication.dropConnections(shard, new ConnectionResetError(shard));
  }

  /**
   * Replica HA: a shard that serves without a replica gets a new one on another node once
   * `replicaRecreationMs` has passed (unless its lost copy returns first).
   */
  private scheduleRecreation(shard: number): void {
    const ms = this.replication.options.replicaRecreationMs;
    if (!this.replication.enabled || !Number.isFinite(ms) || this.recreation[shard] !== null) return;
    const clock = this.cache.clock;
    this.cache.events.emit('replica-recreation-scheduled', clock.now(), { shard, at: clock.now() + ms });
    this.recreation[shard] = clock.setTimeout(() => {
      this.recreation[shard] = null;
      this.recreateReplica(shard);
    }, ms);
  }

  private cancelRecreation(shard: number): void {
    this.recreation[shard]?.cancel();
    this.recreation[shard] = null;
  }

  private recreateReplica(shard: number): void {
    const link = this.replication.links[shard];
    if (link.state !== 'up' || link.replica !== null || link.resync !== null) return;
    const topology = this.cache.topology;
    const placement = topology.shards[shard];
    const primaryZone = topology.nodes[placement.primaryNode].zone;
    // A live node on the quorum side other than the primary's: another zone first, then the
    // fewest copies, then the lowest index.
    let best = -1;
    let bestKey = '';
    for (const node of topology.nodes) {
      if (node.index === placement.primaryNode || !this.nodeUp[node.index] || this.minority?.has(node.index)) continue;
      const key = `${node.zone === primaryZone ? 1 : 0}:${String(node.primaryShards.length + node.replicaShards.length).padStart(6, '0')}:${String(node.index).padStart(6, '0')}`;
      if (best < 0 || key < bestKey) {
        best = node.index;
        bestKey = key;
      }
    }
    if (best < 0) return; // no node to put it on: the lost copy returns when its node heals
    const previous = placement.replicaNode;
    if (previous !== null) {
      this.dead[shard].delete(previous); // the lost copy is discarded
      const list = topology.nodes[previous].replicaShards;
      const i = list.indexOf(shard);
      if (i >= 0) list.splice(i, 1);
    }
    placement.replicaNode = best;
    const replicas = topology.nodes[best].replicaShards;
    if (!replicas.includes(shard)) {
      replicas.push(shard);
      replicas.sort((a, b) => a - b);
    }
    this.cache.events.emit('replica-recreation-started', this.cache.clock.now(), { shard, node: best, previousNode: previous });
    this.replication.fullResync(link, 'replica-recreated');
  }

  private replicaLost(shard: number): void {
    const link = this.replication.links[shard];
    const placement = this.cache.topology.shards[shard];
    if (placement.replicaNode === null) return;
    this.dead[shard].add(placement.replicaNode);
    if (link.replica === null && link.resync === null && link.state === 'up') return;
    this.replication.dropReplica(link);
    if (link.state === 'up') this.scheduleRecreation(shard);
    if (link.state === 'failing-over') {
      // The replica died before it was promoted: no copy is left.
      for (const timer of this.timers[shard]) timer.cancel();
      this.timers[shard] = [];
      this.stalled[shard] = false;
      link.state = 'down';
      this.updateGate(shard);
    }
  }

  private healCopy(shard: number, node: number): void {
    const dead = this.dead[shard];
    if (!dead.has(node)) return;
    dead.delete(node);
    const link = this.replication.links[shard];
    const placement = this.cache.topology.shards[shard];
    if (link.state === 'failing-over') return; // it rejoins as the replica once the promotion completes
    if (link.state === 'up') {
      if (placement.replicaNode === node && link.replica === null && link.resync === null) {
        this.cancelRecreation(shard);
        this.replication.fullResync(link, 'replica-returned');
      }
      return;
    }
    // No copy survived: this one comes back as the primary, from persistence or empty.
    if (placement.primaryNode !== node) this.swapPlacement(shard);
    const recovery = this.cache.persistence.recover(shard);
    this.cache.installKeyspace(this.cache.shards[shard], recovery?.keyspace ?? new Keyspace());
    link.primaryOffset = 0;
    link.replicaOffset = 0;
    link.replid = replidOf(`${link.replid}:lost`);
    link.state = 'up';
    this.updateGate(shard);
    this.tails[shard] = null;
    const now = this.cache.clock.now();
    if (recovery === null) {
      this.cache.events.emit('shard-up', now, { shard, node, dataLost: true, keysLost: this.keysAtLoss[shard] });
    } else {
      const { source, asOf, writesLost, keysLost } = recovery;
      this.cache.events.emit('shard-up', now, { shard, node, dataLost: writesLost > 0, keysLost: keysLost.length });
      this.cache.events.emit('shard-recovered', now, {
        shard,
        node,
        source,
        asOf,
        keysRecovered: recovery.keyspace.size,
        writesLost,
        keysLost: keysLost.map((k) => Buffer.from(k, 'latin1')),
      });
    }
    const other = placement.replicaNode;
    if (this.replication.enabled && other !== null && !dead.has(other) && this.nodeUp[other]) {
      this.replication.fullResync(link, 'replica-returned');
    }
  }

  /** Swaps the primary and replica nodes (and ids) of a shard in the topology. */
  private swapPlacement(shard: number): void {
    const placement = this.cache.topology.shards[shard];
    const from = placement.primaryNode;
    const to = placement.replicaNode;
    if (to === null) return;
    placement.primaryNode = to;
    placement.replicaNode = from;
    const id = placement.id;
    placement.id = placement.replicaId ?? id;
    placement.replicaId = id;
    const nodes = this.cache.topology.nodes;
    move(nodes[from].primaryShards, nodes[from].replicaShards, shard);
    move(nodes[to].replicaShards, nodes[to].primaryShards, shard);
  }

  private replaceNode(node: number, step: number, stepEvent: 'maintenance-step' | 'scaling-step'): void {
    const topology = this.cache.topology;
    const info = topology.nodes[node];
    const oldId = info.id;
    const oldEndpoint = `${info.ip}:${info.port}`;
    // Its copies go with the old VM.
    for (const shard of info.replicaShards) {
      this.dead[shard].add(node);
      this.replication.dropReplica(this.replication.links[shard]);
    }
    info.id = this.cache.rng.hex(20);
    this.renumber(info);
    this.cache.events.emit(stepEvent, this.cache.clock.now(), {
      step,
      node,
      oldId,
      newId: info.id,
      oldEndpoint,
      newEndpoint: `${info.ip}:${info.port}`,
    });
  }

  /** Gives a node (a new VM) an IP and port no node of this cache has had. */
  private renumber(info: NodeInfo): void {
    const k = this.nextNodeNumber++;
    info.ip = `10.0.${Math.floor((4 + k) / 256)}.${(4 + k) % 256}`;
    info.port = 8501 + k;
  }

  private upNodesOnMajority(): number {
    let up = 0;
    for (let n = 0; n < this.nodeUp.length; n++) if (this.nodeUp[n] && !this.minority?.has(n)) up++;
    return up;
  }

  /** At least half of all nodes reachable (a 2-node cache survives losing one, as AMR's does). */
  private quorumOf(up: number): boolean {
    return up * 2 >= this.nodeUp.length;
  }

  private writesRefused(shard: number): boolean {
    const primary = this.cache.topology.shards[shard].primaryNode;
    if (this.minority?.has(primary)) return true;
    return !this.quorumOf(this.upNodesOnMajority());
  }

  /** Re-evaluates write gates and stalled promotions after nodes or the network changed. */
  private refreshQuorum(): void {
    for (let shard = 0; shard < this.cache.shards.length; shard++) {
      this.updateGate(shard);
      if (this.stalled[shard]) {
        this.stalled[shard] = false;
        this.completePromotion(shard, this.cache.topology.shards[shard].primaryNode);
      }
    }
  }

  private updateGate(shard: number): void {
    const link: ShardLink = this.replication.links[shard];
    const target = this.cache.shards[shard];
    const placement = this.cache.topology.shards[shard];
    const primaryNode = this.cache.topology.nodes[placement.primaryNode];
    const minorityPrimary = this.minority?.has(placement.primaryNode) === true && this.nodeUp[placement.primaryNode];
    if (minorityPrimary || (link.state === 'up' && this.writesRefused(shard))) {
      target.gate = refuseWrites;
      return;
    }
    if (link.state !== 'up') {
      const { ip, port } = primaryNode;
      target.gate = () => {
        throw new ShardUnavailableError(ip, port, shard);
      };
      return;
    }
    target.gate = null;
  }
}

function refuseWrites(spec: CommandSpec): void {
  if (spec.flags.includes('write')) throw CLUSTER_DOWN;
}

function move(from: number[], to: number[], value: number): void {
  const i = from.indexOf(value);
  if (i >= 0) from.splice(i, 1);
  if (!to.includes(value)) {
    to.push(value);
    to.sort((a, b) => a - b);
  }
}
