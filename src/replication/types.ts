/**
 * Public shapes of the replication layer: options, the lag model, and what observers (INFO,
 * ROLE, WAIT, tests) can read. See docs/failover.md.
 */
import type { Bytes } from '../keyspace/bytes.js';
import type { ClientState, Shard } from '../core-types.js';
import type { Keyspace } from '../keyspace/keyspace.js';

/** One batch of replicated effects: what one command (or one expiry/eviction) appended to a shard's stream. */
export interface ReplicationEffect {
  /** Primary shard index. */
  readonly shard: number;
  /** Command name (lower case), or `expired` / `evicted`. */
  readonly command: string;
  /** Keys changed (canonical latin1 names). */
  readonly keys: readonly string[];
  /** The normalised argv lists the replica replays. */
  readonly effects: readonly (readonly Bytes[])[];
  /** Bytes these effects take in the stream (RESP encoding), as counted by the offsets. */
  readonly bytes: number;
  /** Stream offset after these effects. */
  readonly offset: number;
  /** Clock time the primary made the change. */
  readonly time: number;
}

/**
 * How long the replica of a shard takes to apply an effect, in ms:
 * - a number: the same lag for every shard and effect (0 = synchronous, the default);
 * - an array: a lag per shard index (missing entries: 0);
 * - a function of the effect (called once per appended batch, in stream order).
 *
 * Seeded jitter (`jitter` option) is added on top. Effects apply in stream order whatever their
 * lags: a batch never overtakes the one before it.
 */
export type LagModel = number | readonly number[] | ((effect: ReplicationEffect) => number);

/** Options of the replication layer (`new ManagedRedis({ replication: { … } })`). */
export interface ReplicationOptions {
  /** The lag model (default 0: replicas apply every write as it happens). */
  lag?: LagModel;
  /** Extra lag drawn uniformly from `[0, jitter)` ms with the cache's seeded PRNG (default 0). */
  jitter?: number;
  /**
   * Replication backlog per shard in bytes (default 1 % of the shard's memory, clamped to 1–250 MB,
   * as Redis Enterprise sizes it). A replica more than this far behind goes through a full resync.
   */
  backlogBytes?: number;
  /** Unplanned failover: time for the cluster to detect a failed primary (default 10,000 ms). */
  detectionMs?: number;
  /** Unplanned failover: time to promote the replica once detected (default 2,000 ms; total 12 s, within AMR's 10–15 s). */
  promotionMs?: number;
  /** Planned failover (patching, `failover()`): time the shard pauses while roles swap (default 500 ms, AMR: under 1 s). */
  plannedFailoverMs?: number;
  /** Maintenance: time each node replacement takes, between planned failovers (default 30,000 ms). */
  nodeReplacementMs?: number;
  /** `replication-lag` sampling interval in ms when someone listens (default 1,000; 0 turns sampling off). */
  lagSampleIntervalMs?: number;
  /** A `replication-lag` event also fires when a shard's lag crosses this many ms, up or down (default 1,000). */
  lagThresholdMs?: number;
  /** Full resync: fixed part of its duration (handshake, fork, load), in ms (default 1,000). */
  resyncBaseMs?: number;
  /** Full resync: dataset bytes copied per second on top of `resyncBaseMs` (default 100 MiB/s). */
  resyncBytesPerSecond?: number;
  /**
   * A shard left without a replica (its replica's copy lost, or its primary promoted away from a
   * dead copy) gets a new replica on another node after this grace period, as Redis Enterprise's
   * replica HA does (default 600,000 ms: 10 minutes; `Infinity`: never).
   */
  replicaRecreationMs?: number;
}

/** Replication state of one shard, as INFO / ROLE / tests see it. */
export interface ShardReplicationStatus {
  readonly shard: number;
  /** Node of the serving primary. */
  readonly primaryNode: number;
  /** Node of the replica, or null (no HA, or replica lost and not yet back). */
  readonly replicaNode: number | null;
  /**
   * `online` when the replica is connected and applying; `syncing` during a full resync (it holds
   * nothing usable yet); `down` when lost; `none` without HA.
   */
  readonly replicaState: 'online' | 'syncing' | 'down' | 'none';
  /** Bytes the primary has appended to its stream. */
  readonly primaryOffset: number;
  /** Bytes the replica has applied. */
  readonly replicaOffset: number;
  /** Batches appended but not applied yet. */
  readonly pendingEffects: number;
  /** Bytes appended but not applied yet. */
  readonly pendingBytes: number;
  /** Age in ms of the oldest unapplied batch (0 when caught up). */
  readonly lagMs: number;
  /** Serving state: `up`, `failing-over` (no primary until promotion), `down` (no copy left until healed). */
  readonly state: 'up' | 'failing-over' | 'down';
  /** `master_replid` of the current primary. */
  readonly replid: string;
  /** Backlog size in bytes. */
  readonly backlogBytes: number;
  /**
   * The full resync in progress, or null. While it runs `replicaOffset` is 0, `lagMs` counts from
   * its start, and `pendingEffects` / `pendingBytes` are the writes buffered for the replica since.
   */
  readonly resync: {
    readonly reason: 'replica-returned' | 'backlog-exceeded' | 'node-replaced' | 'replica-recreated';
    readonly startedAt: number;
    readonly endsAt: number;
    readonly bytes: number;
  } | null;
}

/** What INFO replication, ROLE and WAIT read from the replication layer. */
export interface ReplicationObserver {
  /** The status of a primary shard. */
  status(shard: number): ShardReplicationStatus;
  /** Replicas (0 or 1) that have applied every write `client` made so far. */
  acknowledged(client: ClientState): number;
  /** The stream offset each shard had reached after `client`'s last write to it (a copy: WAIT's target). */
  writeOffsets(client: ClientState): number[] | undefined;
  /** Replicas (0 or 1) that have applied every shard's stream up to `written`. */
  acknowledgedAt(client: ClientState, written: readonly number[] | undefined): number;
  /** The replica shard a keyspace belongs to, when `keyspace` is a replica's (replica views). */
  replicaOf(keyspace: Keyspace): number | null;
  /** True when `shard` is a primary shard of the cache (not a replica view's stand-in). */
  isPrimary(shard: Shard): boolean;
  /** Brackets a command whose writes replicate as one MULTI … EXEC unit (EXEC, scripts). */
  beginUnit(): void;
  endUnit(): void;
}
