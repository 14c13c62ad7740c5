/**
 * The replication layer: one replica keyspace per primary shard, fed from the shard's
 * replication stream through the lag model, on the cache's clock. See docs/failover.md.
 *
 * How a write reaches the replica:
 * - The layer is a listener of the change hook (`cache.changeListeners`). Every change record
 *   carries the command's normalised effects; the layer counts their RESP size into the shard's
 *   stream offset.
 * - Synchronous path (lag 0, replica caught up): the replica takes the new state of each changed
 *   string key straight from the primary — the same immutable value, shared, and its expiry — or
 *   replays the effects when a key holds a collection. Nothing is queued.
 * - Lagged path: the batch is queued with a due time (`now + lag + jitter`, never before the batch
 *   ahead of it) and a clock timer applies due batches in stream order by replaying the effects
 *   through the command table on the replica keyspace.
 */
import { createHash } from 'node:crypto';
import type { ManagedRedis } from '../managed-redis.js';
import type { ClientState, ChangeRecord, Shard } from '../core-types.js';
import type { TimerHandle } from '../clock.js';
import { Keyspace, RedisObject } from '../keyspace/keyspace.js';
import { keyName, type Bytes } from '../keyspace/bytes.js';
import { ExecContext, keyPositions, lookupCommand } from '../dispatch.js';
import { slotOfName } from '../cluster/slots.js';
import { ReplyError } from '../protocol/errors.js';
import type { Reply } from '../protocol/reply.js';
import { toPlain, type PlainReply } from '../protocol/plain.js';
import { digestKeyspaces, digestReady, loadDigest } from './digest.js';
import { estimateDatasetBytes } from '../info.js';
import { notifyConditionWaiters } from '../blocking.js';
import { READONLY_REPLICA } from './errors.js';
import type {
  LagModel,
  ReplicationEffect,
  ReplicationObserver,
  ReplicationOptions,
  ShardReplicationStatus,
} from './types.js';

/** Defaults (docs/failover.md). */
export const REPLICATION_DEFAULTS = {
  detectionMs: 10_000,
  promotionMs: 2_000,
  plannedFailoverMs: 500,
  nodeReplacementMs: 30_000,
  lagSampleIntervalMs: 1_000,
  lagThresholdMs: 1_000,
  resyncBaseMs: 1_000,
  resyncBytesPerSecond: 100 * 1024 * 1024,
  replicaRecreationMs: 600_000,
} as const;

/** Why a replica goes through a full resync. */
export type ResyncReason = 'replica-returned' | 'backlog-exceeded' | 'node-replaced' | 'replica-recreated';

/** A full resync in progress. */
export interface Resync {
  readonly reason: ResyncReason;
  readonly node: number;
  readonly startedAt: number;
  readonly endsAt: number;
  /** Dataset bytes being copied (the primary's, when the resync started). */
  readonly bytes: number;
  /** Primary offset when the resync started. */
  readonly startOffset: number;
  /** Writes the primary made since (buffered for the replica, applied when the copy completes). */
  writes: number;
  timer: TimerHandle | null;
}

const MB = 1024 * 1024;

/** Redis Enterprise's backlog rule: 1 % of the shard's memory, between 1 MB and 250 MB. */
export function defaultBacklogBytes(shardMemoryBytes: number): number {
  return Math.min(250 * MB, Math.max(MB, Math.floor(shardMemoryBytes / 100)));
}

/** A queued batch. */
interface Entry {
  readonly command: string;
  readonly keys: readonly string[];
  readonly effects: readonly (readonly Bytes[])[];
  readonly bytes: number;
  /** Stream offset after this batch. */
  readonly offset: number;
  readonly time: number;
  readonly due: number;
}

/** @internal A connection the replication layer may drop on a failover (src/client/connection.ts). */
export interface DroppableConnection {
  readonly state: ClientState;
  drop(error: Error): void;
}

/** What a failed primary leaves behind: the batches its replica never applied. */
export interface LostTail {
  effects: number;
  keys: string[];
  from: number;
  to: number;
}

/** @internal The replication state of one shard. */
export class ShardLink implements ReplayTarget {
  /**
   * The replica's keyspace, or null while there is no live replica. While {@link mirror} is true
   * it is the primary's own keyspace (never written through this field).
   */
  replica: Keyspace | null = null;
  /**
   * A caught-up replica under lag 0 that nobody has looked at is represented by its primary: its
   * data is by definition the primary's. It becomes a keyspace of its own (a copy sharing the
   * immutable values) the moment something needs it apart: a lag model above 0, a replica view.
   */
  mirror = false;
  /** Stand-in shard and connection for replaying effects on the replica. */
  readonly replicaShard: Shard;
  readonly replicaClient: ClientState;
  primaryOffset = 0;
  replicaOffset = 0;
  queue: Entry[] = [];
  head = 0;
  pendingBytes = 0;
  lastDue = 0;
  timer: TimerHandle | null = null;
  timerDue = Infinity;
  /** Above the lag threshold at the last check. */
  above = false;
  /** Behind at the last lag sample. */
  sampledBehind = false;
  state: 'up' | 'failing-over' | 'down' = 'up';
  /** A full resync in progress: the replica copy is being rebuilt (not usable, not promotable). */
  resync: Resync | null = null;
  replid: string;
  replid2 = '0000000000000000000000000000000000000000';
  secondOffset = -1;

  constructor(
    readonly index: number,
    replid: string,
    template: ClientState,
  ) {
    this.replid = replid;
    const target = replayTarget(index, new Keyspace(), template);
    this.replicaShard = target.replicaShard;
    this.replicaClient = target.replicaClient;
  }

  get pendingEffects(): number {
    return this.queue.length - this.head;
  }

  setReplica(keyspace: Keyspace | null): void {
    this.replica = keyspace;
    this.mirror = false;
    if (keyspace !== null) this.replicaShard.keyspace = keyspace;
  }

  /** The replica becomes a mirror of `primary` (caught up, lag 0). */
  setMirror(primary: Keyspace): void {
    this.replica = primary;
    this.mirror = true;
  }
}

/** A keyspace that effects are replayed on (a replica, an AOF image), with its stand-in shard and connection. */
export interface ReplayTarget {
  readonly replicaShard: Shard;
  readonly replicaClient: ClientState;
}

/** A stand-in shard and private connection (a fresh connection's fields, not registered) over `keyspace`. */
export function replayTarget(index: number, keyspace: Keyspace, template: ClientState): ReplayTarget {
  const replicaShard: Shard = { index, keyspace, gate: null, tier: null };
  return { replicaShard, replicaClient: { ...template, id: 0, name: null, shards: [replicaShard], closed: false, canBlock: false } };
}

/**
 * Replays normalised effects on a target's keyspace through the command table (`core`: the
 * cache's). A unit's MULTI/EXEC frame is skipped (the batch is applied whole anyway); an effect the
 * emulator cannot replay is skipped, as a replica applies what it can. Returns how many were skipped.
 */
export function replayEffects(core: ManagedRedis, target: ReplayTarget, effects: readonly (readonly Bytes[])[], now: number): number {
  let failed = 0;
  for (const effect of effects) {
    if (effect.length === 1 && (effect[0] === 'MULTI' || effect[0] === 'EXEC')) continue;
    try {
      const spec = lookupCommand(core, effect);
      const ctx = new ExecContext(core, target.replicaClient, target.replicaShard, target.replicaShard.keyspace, now);
      spec.exec(ctx, effect);
    } catch {
      // skipped (see above)
      failed++;
    }
  }
  return failed;
}

/** A 40-hex replication id derived from a seed string (no draw from the PRNG). */
export function replidOf(seed: string): string {
  return createHash('sha1').update(seed).digest('hex');
}

function digits(n: number): number {
  return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : String(n).length;
}

/**
 * Bytes the effects take in RESP (what Redis counts into the replication offset). A Buffer counts
 * its bytes; a string counts its length in UTF-16 code units, which is its byte count when it is
 * ASCII and an undercount for other text. Measuring the UTF-8 size would read every char of every
 * argument written: checking names, keys and numbers for ASCII cost a SET with HA on a tenth of its
 * time, and a value the caller made long ago is not in the CPU's cache (reading it cost a quarter).
 * The memory model makes the same choice (src/keyspace/memory.ts).
 */
export function respBytes(effects: readonly (readonly Bytes[])[]): number {
  let n = 0;
  for (let e = 0; e < effects.length; e++) {
    const effect = effects[e];
    n += 3 + digits(effect.length);
    for (let i = 0; i < effect.length; i++) {
      const arg = effect[i];
      const len = arg.length;
      n += 5 + digits(len) + len;
    }
  }
  return n;
}

/** A full copy of a keyspace: string values shared (they are immutable), collections cloned. */
export function copyKeyspace(source: Keyspace): Keyspace {
  const copy = new Keyspace();
  for (const [key, value, when] of source.entries()) {
    copy.set(key, value instanceof RedisObject ? value.clone() : value, false, when);
  }
  return copy;
}

/**
 * The replication layer of a cache (`cache.replication`): replicas, offsets, lag, replica views,
 * digests. Faults and failovers are on `cache.faults`.
 */
export class Replication implements ReplicationObserver {
  /** @internal Per-shard state, by shard index. */
  readonly links: ShardLink[];
  /** True when the cache runs with high availability (a replica per shard). */
  readonly enabled: boolean;
  /** Bytes of stream a replica may fall behind before a full resync. */
  readonly backlogBytes: number;
  /** @internal */
  readonly options: Required<Omit<ReplicationOptions, 'lag' | 'jitter' | 'backlogBytes'>>;
  /** @internal Open connections a failover may drop (the ioredis-compatible client's). */
  readonly connections = new Set<DroppableConnection>();
  /** @internal Told when a shard's resync ends (completed or abandoned): maintenance, re-creation. */
  resyncEnded: ((shard: number, completed: boolean) => void) | null = null;
  private lag: LagModel;
  private jitter: number;
  private zeroLag: boolean;
  /** The cache as replicas see it: no change listeners, their own counters. */
  private readonly core: ManagedRedis;
  private readonly writes = new WeakMap<ClientState, number[]>();
  private lastWriter: ClientState | null = null;
  private lastWritten: number[] | undefined = undefined;
  private sampler: TimerHandle | null = null;
  private readonly views = new Map<number, ReplicaView>();
  /** @internal The change hook listener. */
  readonly listener = (change: ChangeRecord): void => this.onChange(change);

  private readonly template: ClientState;

  /** @internal Made by ManagedRedis. */
  constructor(
    private readonly cache: ManagedRedis,
    options: ReplicationOptions,
    shardMemoryBytes: number,
    template: ClientState,
  ) {
    this.enabled = cache.topology.highAvailability;
    this.lag = options.lag ?? 0;
    this.jitter = options.jitter ?? 0;
    this.zeroLag = this.lag === 0 && this.jitter === 0;
    this.backlogBytes = options.backlogBytes ?? defaultBacklogBytes(shardMemoryBytes);
    this.options = {
      detectionMs: options.detectionMs ?? REPLICATION_DEFAULTS.detectionMs,
      promotionMs: options.promotionMs ?? REPLICATION_DEFAULTS.promotionMs,
      plannedFailoverMs: options.plannedFailoverMs ?? REPLICATION_DEFAULTS.plannedFailoverMs,
      nodeReplacementMs: options.nodeReplacementMs ?? REPLICATION_DEFAULTS.nodeReplacementMs,
      lagSampleIntervalMs: options.lagSampleIntervalMs ?? REPLICATION_DEFAULTS.lagSampleIntervalMs,
      lagThresholdMs: options.lagThresholdMs ?? REPLICATION_DEFAULTS.lagThresholdMs,
      resyncBaseMs: options.resyncBaseMs ?? REPLICATION_DEFAULTS.resyncBaseMs,
      resyncBytesPerSecond: options.resyncBytesPerSecond ?? REPLICATION_DEFAULTS.resyncBytesPerSecond,
      replicaRecreationMs: options.replicaRecreationMs ?? REPLICATION_DEFAULTS.replicaRecreationMs,
    };
    validateLag(this.lag, this.jitter);
    const o = this.options;
    if (!(o.resyncBaseMs >= 0) || !Number.isFinite(o.resyncBaseMs)) throw new RangeError('resyncBaseMs must be a non-negative number of ms');
    if (!(o.resyncBytesPerSecond > 0)) throw new RangeError('resyncBytesPerSecond must be positive');
    if (!(o.replicaRecreationMs >= 0)) throw new RangeError('replicaRecreationMs must be a non-negative number of ms (Infinity: never)');
    const core = Object.create(cache) as ManagedRedis & { changeListeners: unknown[]; stats: unknown };
    Object.defineProperty(core, 'changeListeners', { value: [] });
    // Replayed effects (a replicated FLUSHALL) must not reach the primary's client-side caching.
    Object.defineProperty(core, 'tracking', { value: null });
    Object.defineProperty(core, 'stats', {
      value: { ...cache.stats, errorCounts: new Map(), commandsProcessed: 0 },
    });
    this.core = core;
    this.template = template;
    this.links = cache.shards.map((shard) => {
      const link = new ShardLink(shard.index, replidOf(`replid:${cache.topology.shards[shard.index].id}`), template);
      if (this.enabled) {
        if (this.zeroLag) link.setMirror(shard.keyspace);
        else link.setReplica(this.detached(new Keyspace()));
      }
      return link;
    });
    if (this.enabled) {
      cache.changeListeners.push(this.listener);
    }
  }

  // ------------------------------------------------------------------------------ configuration

  /** Changes the lag model (and optionally the jitter) from now on; queued writes keep their due times. */
  setLag(lag: LagModel, jitter = this.jitter): void {
    validateLag(lag, jitter);
    this.lag = lag;
    this.jitter = jitter;
    this.zeroLag = lag === 0 && jitter === 0;
    if (!this.zeroLag) for (const link of this.links) this.materialize(link);
  }

  /** @internal Gives a mirrored replica a keyspace of its own (a copy of its primary, values shared). */
  materialize(link: ShardLink): void {
    if (!link.mirror) return;
    link.setReplica(this.detached(copyKeyspace(this.cache.shards[link.index].keyspace)));
  }

  /** The lag model in force. */
  getLag(): { lag: LagModel; jitter: number } {
    return { lag: this.lag, jitter: this.jitter };
  }

  // ------------------------------------------------------------------------------ observing

  /** The replication status of a primary shard (applies whatever is due first). */
  status(shard: number): ShardReplicationStatus {
    const link = this.link(shard);
    const now = this.cache.clock.now();
    this.pump(link, now);
    const placement = this.cache.topology.shards[shard];
    const resync = link.resync;
    return {
      shard,
      primaryNode: placement.primaryNode,
      replicaNode: link.replica === null && resync === null ? null : placement.replicaNode,
      replicaState: !this.enabled ? 'none' : resync !== null ? 'syncing' : link.replica === null ? 'down' : 'online',
      primaryOffset: link.primaryOffset,
      replicaOffset: link.replicaOffset,
      pendingEffects: resync !== null ? resync.writes : link.pendingEffects,
      pendingBytes: resync !== null ? link.primaryOffset - resync.startOffset : link.pendingBytes,
      lagMs: resync !== null ? now - resync.startedAt : this.lagMs(link, now),
      state: link.state,
      replid: link.replid,
      backlogBytes: this.backlogBytes,
      resync: resync === null ? null : { reason: resync.reason, startedAt: resync.startedAt, endsAt: resync.endsAt, bytes: resync.bytes },
    };
  }

  /** The status of every shard, in shard order. */
  statuses(): ShardReplicationStatus[] {
    return this.links.map((link) => this.status(link.index));
  }

  /** Replicas (0 or 1) that have applied every write `client` made so far (WAIT). */
  acknowledged(client: ClientState): number {
    return this.acknowledgedAt(client, this.writes.get(client));
  }

  /** The stream offset each shard had reached after `client`'s last write to it (a copy; WAIT's target). */
  writeOffsets(client: ClientState): number[] | undefined {
    return this.writes.get(client)?.slice();
  }

  /** Replicas (0 or 1) that have applied the shards' streams up to `written` (see {@link writeOffsets}). */
  acknowledgedAt(client: ClientState, written: readonly number[] | undefined): number {
    if (!this.enabled) return 0;
    const now = this.cache.clock.now();
    if (written !== undefined) {
      for (let i = 0; i < written.length; i++) {
        const offset = written[i];
        if (offset === undefined || offset === 0) continue;
        const link = this.links[i];
        this.pump(link, now);
        if (link.replica === null || link.replicaOffset < offset) return 0;
      }
      return 1;
    }
    // No writes yet: the replicas this connection's shards have.
    return client.shards.every((s) => this.links[s.index].replica !== null) ? 1 : 0;
  }

  /** @internal */
  replicaOf(keyspace: Keyspace): number | null {
    for (const link of this.links) if (link.replica === keyspace && !link.mirror) return link.index;
    return null;
  }

  /** @internal */
  isPrimary(shard: Shard): boolean {
    return this.cache.shards[shard.index] === shard;
  }

  /**
   * A read-only view of a shard's replica: `execute` against it shows what the replica has applied
   * (stale data under lag). Writes answer `READONLY`; keys of other shards answer `MOVED`.
   */
  replicaView(shard: number): ReplicaView {
    // A replica looked at on its own is a keyspace of its own from now on.
    this.materialize(this.link(shard));
    let view = this.views.get(shard);
    if (view === undefined) this.views.set(shard, (view = new ReplicaView(this, shard)));
    return view;
  }

  /**
   * Resolves when every replica has applied everything written so far (or at once), or with
   * false when `timeoutMs` passes first on the cache's clock (virtual: as the clock is advanced).
   */
  waitForReplicas(timeoutMs = 0): Promise<boolean> {
    const targets = this.links.map((l) => l.primaryOffset);
    const caughtUp = (): boolean => {
      const now = this.cache.clock.now();
      return this.links.every((l, i) => {
        this.pump(l, now);
        if (l.resync !== null) return false; // a replica loading its full copy has nothing yet
        return l.replica === null || l.replicaOffset >= targets[i];
      });
    };
    if (caughtUp()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const clock = this.cache.clock;
      const deadline = timeoutMs > 0 ? clock.now() + timeoutMs : Infinity;
      const check = (): void => {
        if (caughtUp()) return resolve(true);
        if (clock.now() >= deadline) return resolve(false);
        const next = Math.min(deadline, this.nextDue());
        clock.setTimeout(check, Math.max(0, next - clock.now()));
      };
      check();
    });
  }

  /** Applies at once everything queued for every live replica (as if the lag had passed). */
  catchUp(): void {
    for (const link of this.links) this.pump(link, Infinity);
  }

  /**
   * The time a full resync of `shard` takes now: `resyncBaseMs` plus the primary's dataset bytes
   * (as INFO memory estimates them) at `resyncBytesPerSecond`.
   */
  resyncDurationMs(shard: number): number {
    const keyspace = this.cache.shards[this.link(shard).index].keyspace;
    return this.resyncTime(estimateDatasetBytes(keyspace, this.cache.stats.dirty));
  }

  private resyncTime(bytes: number): number {
    return Math.ceil(this.options.resyncBaseMs + (bytes * 1000) / this.options.resyncBytesPerSecond);
  }

  /**
   * The xxhash64 digest (16 hex digits) of the live data of a primary shard, or of the whole
   * cache when `shard` is omitted. Needs the hasher loaded: `await cache.ready()` once.
   */
  digest(shard?: number): string {
    const now = this.cache.clock.now();
    if (shard === undefined) return digestKeyspaces(this.cache.shards.map((s) => s.keyspace), now);
    return digestKeyspaces([this.cache.shards[this.link(shard).index].keyspace], now);
  }

  /** The digest of a shard's replica as it stands (what it has applied); throws when it has none. */
  replicaDigest(shard: number): string {
    const link = this.link(shard);
    const now = this.cache.clock.now();
    this.pump(link, now);
    if (link.replica === null) throw new Error(`shard ${shard} has no live replica`);
    return digestKeyspaces([link.replica], now);
  }

  /** Loads the digest hasher (same as `cache.ready()`). */
  ready(): Promise<void> {
    return loadDigest();
  }

  /** True once the digest hasher is loaded. */
  get digestReady(): boolean {
    return digestReady();
  }

  // ------------------------------------------------------------------------------ the stream

  /** Nesting depth of the running atomic units (EXEC, scripts); 0 outside them. */
  private unitDepth = 0;
  /** Changes held back while a unit runs, in order. */
  private unitChanges: ChangeRecord[] = [];

  /**
   * @internal EXEC and scripts call this before they run their commands: what those change
   * reaches each replica as one `MULTI … EXEC` batch (one due time, applied whole), as Redis
   * propagates a transaction, so a lagging replica or a failover never shows half of one.
   */
  beginUnit(): void {
    this.unitDepth++;
  }

  /** @internal The end of a unit: its changes go into the stream, one batch per shard. */
  endUnit(): void {
    if (--this.unitDepth > 0) return;
    const changes = this.unitChanges;
    if (changes.length === 0) return;
    this.unitChanges = [];
    if (changes.length === 1) {
      this.onChange(changes[0]);
      return;
    }
    // A transaction touches one shard (one slot) but the Enterprise policy may spread it: one
    // batch per shard, in the order the shards were first written.
    const byShard = new Map<Shard, ChangeRecord[]>();
    for (const change of changes) {
      const list = byShard.get(change.shard);
      if (list === undefined) byShard.set(change.shard, [change]);
      else list.push(change);
    }
    for (const [shard, list] of byShard) {
      if (list.length === 1) {
        this.onChange(list[0]);
        continue;
      }
      const keys: string[] = [];
      const events: string[] = [];
      const effects: Bytes[][] = [['MULTI']];
      for (const change of list) {
        for (let i = 0; i < change.keys.length; i++) {
          keys.push(change.keys[i]);
          events.push(change.events[i]);
        }
        for (const effect of change.effects) effects.push(effect as Bytes[]);
      }
      effects.push(['EXEC']);
      this.onChange({ shard, command: 'exec', keys, events, effects, time: list[0].time, client: list[0].client });
    }
  }

  private onChange(change: ChangeRecord): void {
    if (this.unitDepth > 0) {
      this.unitChanges.push(change);
      return;
    }
    const link = this.links[change.shard.index];
    const bytes = respBytes(change.effects);
    const offset = (link.primaryOffset += bytes);
    const client = change.client;
    if (client !== undefined) {
      // The last writer is remembered apart: one connection writing in a row skips the WeakMap.
      let written = this.lastWritten;
      if (client !== this.lastWriter) {
        written = this.writes.get(client);
        if (written === undefined) this.writes.set(client, (written = []));
        this.lastWriter = client;
        this.lastWritten = written;
      }
      written![link.index] = offset;
    }
    const replica = link.replica;
    if (replica === null) {
      if (link.resync !== null) link.resync.writes++;
      return;
    }
    if (link.mirror) {
      link.replicaOffset = offset;
      return;
    }
    if (this.zeroLag && link.head === link.queue.length) {
      this.applyNow(change, replica, link);
      link.replicaOffset = offset;
      return;
    }
    const now = change.time;
    const lag = this.lagFor(link, change, bytes, offset);
    if (lag <= 0 && link.head === link.queue.length) {
      this.applyNow(change, replica, link);
      link.replicaOffset = offset;
      return;
    }
    const due = Math.max(now + lag, link.lastDue);
    link.lastDue = due;
    link.queue.push({
      command: change.command,
      keys: change.keys.slice(),
      effects: change.effects.map((e) => e.slice()),
      bytes,
      offset,
      time: now,
      due,
    });
    link.pendingBytes += bytes;
    if (link.pendingBytes > this.backlogBytes) {
      this.fullResync(link, 'backlog-exceeded');
      return;
    }
    this.arm(link);
    this.checkThreshold(link, now);
    if (this.sampler === null) this.ensureSampler();
  }

  private lagFor(link: ShardLink, change: ChangeRecord, bytes: number, offset: number): number {
    const model = this.lag;
    let ms: number;
    if (typeof model === 'number') ms = model;
    else if (typeof model === 'function') {
      ms = model({
        shard: link.index,
        command: change.command,
        keys: change.keys,
        effects: change.effects,
        bytes,
        offset,
        time: change.time,
      });
      if (!(ms >= 0)) ms = 0;
    } else ms = model[link.index] ?? 0;
    if (this.jitter > 0) ms += this.cache.rng.below(this.jitter);
    return Math.ceil(ms);
  }

  /** Applies a change the moment it happens (replica caught up, no lag). */
  private applyNow(change: ChangeRecord, replica: Keyspace, link: ShardLink): void {
    const primary = change.shard.keyspace;
    const keys = change.keys;
    if (keys.length === 1) {
      const key = keys[0];
      const value = primary.valueOf(key);
      if (value instanceof RedisObject) this.replay(link, change.effects, change.time);
      else if (value === undefined) replica.delete(key);
      else replica.set(key, value, false, primary.expireTime(key));
      return;
    }
    for (let i = 0; i < keys.length; i++) {
      if (primary.valueOf(keys[i]) instanceof RedisObject) {
        this.replay(link, change.effects, change.time);
        return;
      }
    }
    // Strings only: the replica takes the primary's resulting state (values are immutable).
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const value = primary.valueOf(key);
      if (value === undefined) replica.delete(key);
      else replica.set(key, value, false, primary.expireTime(key));
    }
  }

  /** Replays effects on the replica keyspace through the command table. */
  private replay(link: ShardLink, effects: readonly (readonly Bytes[])[], now: number): void {
    replayEffects(this.core, link, effects, now);
  }

  /**
   * @internal Writes effects into a primary shard's keyspace without reporting them (geo-replication
   * merges, src/geo): the caller tells the other change listeners itself. Returns the failures.
   */
  replayOn(shard: Shard, effects: readonly (readonly Bytes[])[], now: number): number {
    return replayEffects(this.core, replayTarget(shard.index, shard.keyspace, this.link(shard.index).replicaClient), effects, now);
  }

  /** @internal Applies every queued batch due at `now` (Infinity: everything). */
  pump(link: ShardLink, now: number): void {
    if (link.head === link.queue.length || link.replica === null) return;
    const queue = link.queue;
    const from = link.head;
    while (link.head < queue.length && queue[link.head].due <= now) {
      const entry = queue[link.head++];
      this.replay(link, entry.effects, this.cache.clock.now());
      link.replicaOffset = entry.offset;
      link.pendingBytes -= entry.bytes;
    }
    if (link.head === queue.length) {
      link.queue = [];
      link.head = 0;
      link.pendingBytes = 0;
    } else if (link.head > 1024 && link.head * 2 > queue.length) {
      link.queue = queue.slice(link.head);
      link.head = 0;
    }
    this.checkThreshold(link, this.cache.clock.now());
    // WAIT's waiters look again when something was applied.
    if (link.head !== from || link.queue !== queue) notifyConditionWaiters(this.cache);
  }

  private arm(link: ShardLink): void {
    if (link.head === link.queue.length) return;
    const due = link.queue[link.head].due;
    if (link.timer !== null && link.timerDue <= due) return;
    link.timer?.cancel();
    const clock = this.cache.clock;
    link.timerDue = due;
    link.timer = clock.setTimeout(() => {
      link.timer = null;
      link.timerDue = Infinity;
      this.pump(link, clock.now());
      this.arm(link);
    }, Math.max(0, due - clock.now()));
  }

  private nextDue(): number {
    let next = Infinity;
    for (const link of this.links) {
      if (link.replica !== null && link.head < link.queue.length) next = Math.min(next, link.queue[link.head].due);
      if (link.resync !== null) next = Math.min(next, link.resync.endsAt);
    }
    return next;
  }

  private lagMs(link: ShardLink, now: number): number {
    return link.head === link.queue.length ? 0 : Math.max(0, now - link.queue[link.head].time);
  }

  private checkThreshold(link: ShardLink, now: number): void {
    const events = this.cache.events;
    if (!events.wants('replication-lag')) return;
    const lag = this.lagMs(link, now);
    const above = lag > this.options.lagThresholdMs;
    if (above === link.above) return;
    link.above = above;
    this.emitLag(link, now, above ? 'threshold-up' : 'threshold-down');
  }

  private emitLag(link: ShardLink, now: number, reason: 'sample' | 'threshold-up' | 'threshold-down'): void {
    this.cache.events.emit('replication-lag', now, {
      shard: link.index,
      lagMs: this.lagMs(link, now),
      pendingEffects: link.pendingEffects,
      pendingBytes: link.pendingBytes,
      reason,
    });
  }

  /**
   * Lag sampling runs only while someone wants `replication-lag` events and some replica is
   * behind (or was at the last sample, which then reports it caught up): an idle cache keeps no
   * timer, so advancing a virtual clock by years costs nothing.
   */
  private ensureSampler(): void {
    if (this.sampler !== null || this.stopped) return;
    const interval = this.options.lagSampleIntervalMs;
    if (!(interval > 0) || !this.cache.events.wants('replication-lag')) return;
    const clock = this.cache.clock;
    const tick = (): void => {
      this.sampler = null;
      if (this.stopped || !this.cache.events.wants('replication-lag')) return;
      const now = clock.now();
      let again = false;
      for (const link of this.links) {
        if (link.replica === null) continue;
        this.pump(link, now);
        const behind = link.head < link.queue.length;
        if (behind || link.sampledBehind) {
          this.emitLag(link, now, 'sample');
          link.sampledBehind = behind;
          again ||= behind;
        }
      }
      if (again) this.sampler = clock.setTimeout(tick, interval);
    };
    this.sampler = clock.setTimeout(tick, interval);
  }

  private stopped = false;

  /** @internal Stops the sampler and pending timers (cache.close()). */
  stop(): void {
    this.stopped = true;
    this.sampler?.cancel();
    this.sampler = null;
    for (const link of this.links) {
      link.timer?.cancel();
      link.timer = null;
      link.timerDue = Infinity;
    }
  }

  // ------------------------------------------------------------------------------ primitives for faults

  /**
   * @internal The shards were laid out anew (scaling): one link per shard, every shard up, each
   * replica an in-sync copy of its primary's new data (the scaling synced them), replication ids
   * new; a shard keeps its stream offset, a new one starts at 0.
   */
  reshape(): void {
    for (const link of this.links) {
      this.abandonResync(link);
      this.clearQueue(link);
    }
    this.views.clear();
    const shards = this.cache.shards;
    this.links.length = Math.min(this.links.length, shards.length);
    for (let i = this.links.length; i < shards.length; i++) this.links.push(new ShardLink(i, '', this.template));
    for (const link of this.links) {
      link.state = 'up';
      link.above = false;
      link.replid = replidOf(`replid:${this.cache.topology.shards[link.index].id}`);
      link.replid2 = '0000000000000000000000000000000000000000';
      link.secondOffset = -1;
      link.setReplica(null);
      if (this.enabled) this.attachInSync(link, this.zeroLag ? null : copyKeyspace(shards[link.index].keyspace));
    }
  }

  /** @internal */
  link(shard: number): ShardLink {
    const link = this.links[shard];
    if (link === undefined || !Number.isInteger(shard)) {
      throw new RangeError(`no shard ${shard}: the cache has shards 0-${this.links.length - 1}`);
    }
    return link;
  }

  /** @internal A keyspace without the primary's hooks (replicas never expire or evict on their own). */
  detached(keyspace: Keyspace): Keyspace {
    keyspace.onRemoved = null;
    keyspace.onSubkeysExpired = null;
    keyspace.track(null, false, 0);
    keyspace.counters = { keyspaceHits: 0, keyspaceMisses: 0 };
    keyspace.clockNow = () => this.cache.clock.now();
    return keyspace;
  }

  /** @internal Drops the queue (the replica goes, or is rebuilt). */
  clearQueue(link: ShardLink): void {
    link.queue = [];
    link.head = 0;
    link.pendingBytes = 0;
    link.lastDue = 0;
    link.timer?.cancel();
    link.timer = null;
    link.timerDue = Infinity;
  }

  /**
   * @internal The primary is gone at `now`: the replica keeps what was due by then; the rest of the
   * stream is lost. Returns the lost tail.
   */
  cutStream(link: ShardLink, now: number): LostTail {
    this.pump(link, now);
    const lost: LostTail = { effects: 0, keys: [], from: link.replicaOffset, to: link.primaryOffset };
    const seen = new Set<string>();
    for (let i = link.head; i < link.queue.length; i++) {
      lost.effects++;
      for (const key of link.queue[i].keys) {
        if (!seen.has(key)) {
          seen.add(key);
          lost.keys.push(key);
        }
      }
    }
    this.clearQueue(link);
    return lost;
  }

  /** @internal The replica copy is gone (its node failed). */
  dropReplica(link: ShardLink): void {
    this.abandonResync(link);
    this.clearQueue(link);
    link.replica = null;
    link.mirror = false;
    link.above = false;
  }

  /**
   * @internal Starts rebuilding the replica as a full copy of the primary. The copy takes
   * {@link resyncDurationMs}; meanwhile the replica is `syncing`: it holds nothing usable, cannot
   * be promoted, acknowledges no write (WAIT, ROLE, INFO show it). When the copy completes the
   * replica equals the primary as it is then (the writes made meanwhile were buffered for it).
   */
  fullResync(link: ShardLink, reason: ResyncReason): void {
    this.abandonResync(link);
    this.clearQueue(link);
    link.replica = null;
    link.mirror = false;
    link.above = false;
    link.replicaOffset = 0;
    const clock = this.cache.clock;
    const now = clock.now();
    const primary = this.cache.shards[link.index].keyspace;
    const bytes = estimateDatasetBytes(primary, this.cache.stats.dirty);
    const durationMs = this.resyncTime(bytes);
    const node = this.cache.topology.shards[link.index].replicaNode ?? -1;
    const resync: Resync = { reason, node, startedAt: now, endsAt: now + durationMs, bytes, startOffset: link.primaryOffset, writes: 0, timer: null };
    link.resync = resync;
    this.cache.events.emit('full-resync-started', now, { shard: link.index, node, reason, keys: primary.size, bytes, durationMs });
    resync.timer = clock.setTimeout(() => {
      resync.timer = null;
      if (link.resync === resync) this.completeResync(link);
    }, durationMs);
  }

  private completeResync(link: ShardLink): void {
    const resync = link.resync!;
    link.resync = null;
    const primary = this.cache.shards[link.index].keyspace;
    if (this.zeroLag) link.setMirror(primary);
    else link.setReplica(this.detached(copyKeyspace(primary)));
    link.replicaOffset = link.primaryOffset;
    this.cache.events.emit('full-resync-completed', this.cache.clock.now(), {
      shard: link.index,
      node: resync.node,
      reason: resync.reason,
      keys: primary.size,
      durationMs: this.cache.clock.now() - resync.startedAt,
    });
    this.resyncEnded?.(link.index, true);
    notifyConditionWaiters(this.cache);
  }

  /** @internal Stops a resync in progress (its source or its target failed). */
  abandonResync(link: ShardLink): void {
    const resync = link.resync;
    if (resync === null) return;
    resync.timer?.cancel();
    resync.timer = null;
    link.resync = null;
    this.resyncEnded?.(link.index, false);
  }

  /** @internal Drops every tracked connection that reaches `shard` (a failover closes them). */
  dropConnections(shard: number, error: Error): void {
    if (this.connections.size === 0) return;
    const target = this.cache.shards[shard];
    for (const conn of Array.from(this.connections)) {
      if (conn.state.shards.includes(target)) conn.drop(error);
    }
  }

  /**
   * @internal Promotes the replica: it becomes the shard's keyspace; the old primary keyspace is
   * returned (the caller keeps it as the new replica in a planned failover, or drops it).
   */
  promote(link: ShardLink): Keyspace | null {
    const shard = this.cache.shards[link.index];
    const mirrored = link.mirror;
    const old = mirrored ? null : shard.keyspace;
    const promoted = link.replica!;
    this.clearQueue(link);
    // A mirror is the primary's data already: the same keyspace keeps serving.
    if (!mirrored) this.cache.installKeyspace(shard, promoted);
    link.replid2 = link.replid;
    link.secondOffset = link.replicaOffset + 1;
    link.replid = replidOf(`${link.replid}:${link.replicaOffset}`);
    link.primaryOffset = link.replicaOffset;
    link.replica = null;
    link.mirror = false;
    return old;
  }

  /**
   * @internal Makes the old primary's keyspace the replica again, in sync (planned failover);
   * null (the promoted replica was a mirror) makes the replica a mirror again.
   */
  attachInSync(link: ShardLink, keyspace: Keyspace | null): void {
    if (keyspace === null || this.zeroLag) link.setMirror(this.cache.shards[link.index].keyspace);
    else link.setReplica(this.detached(keyspace));
    link.replicaOffset = link.primaryOffset;
    notifyConditionWaiters(this.cache);
  }

  /** @internal The replica as the view executes against it (pumped to now). */
  viewKeyspace(shard: number): { link: ShardLink; keyspace: Keyspace | null } {
    const link = this.link(shard);
    this.materialize(link);
    this.pump(link, this.cache.clock.now());
    return { link, keyspace: link.replica };
  }

  /** @internal Runs a command on a replica. */
  executeOnReplica(shard: number, argv: readonly Bytes[]): Reply {
    const { link, keyspace } = this.viewKeyspace(shard);
    if (keyspace === null) throw new ReplyError(`ERR shard ${shard} has no live replica`);
    const core = this.core;
    const spec = lookupCommand(core, argv);
    if (spec.flags.includes('write')) throw READONLY_REPLICA;
    if (spec.keys !== undefined && this.cache.policy !== 'NoCluster') {
      const topology = this.cache.topology;
      for (const pos of keyPositions(spec.keys, argv)) {
        const slot = slotOfName(keyName(argv[pos]));
        if (topology.slotToShard[slot] !== shard) {
          const owner = topology.nodes[topology.shards[topology.slotToShard[slot]].primaryNode];
          throw new ReplyError(`MOVED ${slot} ${owner.ip}:${owner.port}`);
        }
      }
    }
    const ctx = new ExecContext(core, link.replicaClient, link.replicaShard, keyspace, this.cache.clock.now());
    return spec.exec(ctx, argv);
  }
}

function validateLag(lag: LagModel, jitter: number): void {
  const bad = (n: unknown): boolean => typeof n !== 'number' || !(n >= 0) || !Number.isFinite(n);
  if (typeof lag === 'number' ? bad(lag) : Array.isArray(lag) ? lag.some(bad) : typeof lag !== 'function') {
    throw new RangeError('replication lag must be a non-negative number of ms, an array of them, or a function');
  }
  if (bad(jitter)) throw new RangeError('replication jitter must be a non-negative number of ms');
}

/**
 * A read-only view of one shard's replica (`cache.replication.replicaView(shard)`): it answers
 * what the replica has applied so far. Reads only; keys must belong to the shard.
 */
export class ReplicaView {
  /** @internal */
  constructor(
    private readonly replication: Replication,
    /** The primary shard this replica follows. */
    readonly shard: number,
  ) {}

  /** Runs a read command against the replica; replies as `cache.execute` does. */
  execute(argv: readonly Bytes[]): PlainReply {
    return toPlain(this.replication.executeOnReplica(this.shard, argv), false);
  }

  /** Like {@link execute}, with the typed reply. */
  executeReply(argv: readonly Bytes[]): Reply {
    return this.replication.executeOnReplica(this.shard, argv);
  }

  /** Stream offset the replica has applied. */
  get offset(): number {
    return this.replication.viewKeyspace(this.shard).link.replicaOffset;
  }

  /** Keys the replica holds (including expired ones not yet removed), or 0 without a live replica. */
  get size(): number {
    return this.replication.viewKeyspace(this.shard).keyspace?.size ?? 0;
  }

  /** The replica's digest (see `cache.replication.digest`). */
  digest(): string {
    return this.replication.replicaDigest(this.shard);
  }
}
