/**
 * AMR data persistence (azure-facts §7, PERS): RDB snapshots every 1, 6 or 12 hours, or an AOF
 * fsynced every second. It is used only to recover a shard that lost both its primary and its
 * replica (docs/failover.md): such a shard comes back from its last snapshot or from its AOF
 * instead of empty. See docs/persistence.md.
 *
 * Model (on the cache's clock):
 * - RDB: a snapshot of every serving shard is forked at the start of a backup and completes after
 *   the backup's duration (`resyncBaseMs` plus the dataset bytes at `resyncBytesPerSecond`, the
 *   full-resync model: fork, write, load are alike); the next backup starts the interval after
 *   the previous one ended (AMR: "60 min plus a 15-min backup = 75 min between starts"). Only the
 *   latest completed snapshot is kept. Recovery loses every write made since that snapshot's fork.
 * - AOF: each shard's writes reach its AOF image at the next whole second of the clock (the
 *   `everysec` fsync); a shard whose primary is lost keeps what was fsynced by then, so at most
 *   ~1 s of writes is lost. The image is the replicated effects replayed on a keyspace of its own.
 * Without the option nothing is listened to and nothing is copied.
 */
import type { ManagedRedis } from '../managed-redis.js';
import type { ChangeRecord, ClientState } from '../core-types.js';
import type { TimerHandle } from '../clock.js';
import type { Keyspace } from '../keyspace/keyspace.js';
import type { Bytes } from '../keyspace/bytes.js';
import { copyKeyspace, replayEffects, replayTarget, type ReplayTarget } from '../replication/replication.js';
import { estimateDatasetBytes } from '../info.js';

/** The `persistence` option: RDB snapshots at an interval, or an AOF fsynced every second. Mutually exclusive. */
export type PersistenceOptions = { rdb: '1h' | '6h' | '12h' } | { aof: '1s' };

const RDB_INTERVALS: Record<string, number> = { '1h': 3_600_000, '6h': 21_600_000, '12h': 43_200_000 };
/** The AOF's fsync period (`appendfsync everysec`). */
export const AOF_FSYNC_MS = 1_000;

/** Checks the option (a clear RangeError for anything else). */
export function resolvePersistence(option: unknown, geoReplication: boolean): PersistenceOptions | null {
  if (option === undefined || option === null) return null;
  if (typeof option !== 'object') throw new TypeError(`persistence must be { rdb: '1h' | '6h' | '12h' } or { aof: '1s' }`);
  const o = option as Record<string, unknown>;
  const hasRdb = o.rdb !== undefined;
  const hasAof = o.aof !== undefined;
  if (hasRdb && hasAof) throw new RangeError('RDB and AOF persistence are mutually exclusive on AMR: give persistence { rdb } or { aof }, not both');
  if (!hasRdb && !hasAof) throw new RangeError(`persistence must be { rdb: '1h' | '6h' | '12h' } or { aof: '1s' }`);
  if (geoReplication) throw new RangeError('Data persistence is not available with active geo-replication on AMR');
  if (hasRdb && !(typeof o.rdb === 'string' && Object.hasOwn(RDB_INTERVALS, o.rdb))) {
    throw new RangeError(`persistence.rdb must be '1h', '6h' or '12h' (got ${JSON.stringify(o.rdb)})`);
  }
  if (hasAof && o.aof !== '1s') {
    throw new RangeError(`persistence.aof must be '1s' (got ${JSON.stringify(o.aof)}; AMR's 'always' is deprecated and not offered)`);
  }
  return hasRdb ? { rdb: o.rdb as '1h' | '6h' | '12h' } : { aof: '1s' };
}

/** Writes since a point (a snapshot's fork): how many, and which keys they touched. */
class Since {
  writes = 0;
  readonly keys = new Set<string>();
  note(keys: readonly string[]): void {
    this.writes++;
    for (let i = 0; i < keys.length; i++) this.keys.add(keys[i]);
  }
}

/** One shard's RDB state. */
interface RdbShard {
  /** The last completed snapshot (null: none taken yet while the shard had data). */
  snapshot: Keyspace | null;
  snapshotTime: number;
  sinceSnapshot: Since;
  /** The backup in progress: its forked copy and the writes since its fork. */
  running: { copy: Keyspace; since: Since } | null;
}

/** A write waiting for the next fsync. */
interface Pending {
  readonly effects: readonly (readonly Bytes[])[];
  readonly keys: readonly string[];
  readonly durableAt: number;
}

/** One shard's AOF state. */
interface AofShard {
  image: ReplayTarget;
  pending: Pending[];
  timer: TimerHandle | null;
  /** Writes dropped when the primary was lost (reported on recovery). */
  lost: { writes: number; keys: Set<string> };
}

/** What a recovery restored. */
export interface Recovery {
  readonly keyspace: Keyspace;
  readonly source: 'rdb' | 'aof';
  /** Writes acknowledged but not in what was restored. */
  readonly writesLost: number;
  readonly keysLost: readonly string[];
  /** RDB: when the snapshot was forked. AOF: when the primary was lost. */
  readonly asOf: number;
}

/** `cache.persistence`: the persistence option's state, INFO persistence's figures, recovery. */
export class Persistence {
  /** `'rdb'`, `'aof'` or null (off). */
  readonly mode: 'rdb' | 'aof' | null;
  /** The RDB backup interval in ms (null without RDB). */
  readonly rdbIntervalMs: number | null;
  /** Clock time of the last completed save (INFO `rdb_last_save_time`): the start time until the first. */
  lastSaveTime: number;
  /** Completed RDB snapshots (INFO `rdb_saves`). */
  saves = 0;
  /** `stats.dirty` at the last completed save (INFO `rdb_changes_since_last_save`). */
  dirtyAtLastSave = 0;
  /** The backup in progress. */
  backup: { startedAt: number; endsAt: number } | null = null;
  /** Duration of the last completed backup in ms, or -1. */
  lastBackupMs = -1;
  /** The last import's figures (INFO `rdb_last_load_keys_loaded` / `_expired`). */
  lastLoad = { loaded: 0, expired: 0 };
  private rdb: RdbShard[] = [];
  private aof: AofShard[] = [];
  private timer: TimerHandle | null = null;

  /** @internal Made by ManagedRedis. */
  constructor(
    private readonly cache: ManagedRedis,
    options: PersistenceOptions | null,
    private readonly template: ClientState,
  ) {
    this.mode = options === null ? null : 'rdb' in options ? 'rdb' : 'aof';
    this.rdbIntervalMs = options !== null && 'rdb' in options ? RDB_INTERVALS[options.rdb] : null;
    this.lastSaveTime = cache.clock.now();
    if (this.mode === null) return;
    cache.changeListeners.push((change) => this.onChange(change));
    this.reshape();
  }

  /**
   * @internal (Re)builds the per-shard state from the shards' current data (at start, after an
   * import or a scaling): the data as it is now counts as saved.
   */
  reshape(): void {
    if (this.mode === null) return;
    const now = this.cache.clock.now();
    for (const state of this.aof) state.timer?.cancel();
    if (this.mode === 'rdb') {
      if (this.backup !== null) this.abandonBackup();
      this.rdb = this.cache.shards.map((shard) => ({
        snapshot: copyKeyspace(shard.keyspace),
        snapshotTime: now,
        sinceSnapshot: new Since(),
        running: null,
      }));
      this.schedule(now + this.rdbIntervalMs!);
    } else {
      this.aof = this.cache.shards.map((shard) => ({
        image: replayTarget(shard.index, copyKeyspace(shard.keyspace), this.template),
        pending: [],
        timer: null,
        lost: { writes: 0, keys: new Set() },
      }));
    }
  }

  /**
   * @internal The dataset was replaced by an import: the AOF is rewritten from it (Redis rewrites
   * its AOF after loading); an RDB cache keeps its last snapshot until the next backup.
   */
  imported(): void {
    if (this.mode === 'aof') this.reshape();
  }

  /** INFO `aof_enabled`. */
  get aofEnabled(): boolean {
    return this.mode === 'aof';
  }

  /** Clock time the next RDB backup starts (null without RDB or while one runs). */
  get nextBackupAt(): number | null {
    return this.timerDue;
  }

  private timerDue: number | null = null;

  private schedule(at: number): void {
    this.timer?.cancel();
    this.timerDue = at;
    this.timer = this.cache.clock.setTimeout(() => {
      this.timer = null;
      this.timerDue = null;
      this.startBackup();
    }, at - this.cache.clock.now());
  }

  /** Forks a snapshot of every serving shard; it completes after the backup's duration. */
  private startBackup(): void {
    const clock = this.cache.clock;
    const now = clock.now();
    let durationMs = 0;
    let bytes = 0;
    let keys = 0;
    this.cache.shards.forEach((shard, i) => {
      if (this.cache.replication.links[i].state !== 'up') return; // nothing to fork: keeps its last snapshot
      this.rdb[i].running = { copy: copyKeyspace(shard.keyspace), since: new Since() };
      durationMs = Math.max(durationMs, this.cache.replication.resyncDurationMs(i));
      bytes += estimateDatasetBytes(shard.keyspace);
      keys += shard.keyspace.size;
    });
    this.backup = { startedAt: now, endsAt: now + durationMs };
    const dirty = this.cache.stats.dirty;
    this.timer = clock.setTimeout(() => {
      this.timer = null;
      const end = clock.now();
      for (const state of this.rdb) {
        if (state.running === null) continue;
        state.snapshot = state.running.copy;
        state.snapshotTime = now;
        state.sinceSnapshot = state.running.since;
        state.running = null;
      }
      this.backup = null;
      this.saves++;
      this.lastSaveTime = end;
      this.lastBackupMs = end - now;
      this.dirtyAtLastSave = dirty;
      this.cache.events.emit('rdb-snapshot', end, { startedAt: now, durationMs: end - now, keys, bytes });
      // The interval counts from the end of the backup.
      this.schedule(end + this.rdbIntervalMs!);
    }, durationMs);
  }

  private abandonBackup(): void {
    this.timer?.cancel();
    this.timer = null;
    this.backup = null;
  }

  private onChange(change: ChangeRecord): void {
    const i = change.shard.index;
    if (this.mode === 'rdb') {
      const state = this.rdb[i];
      if (state === undefined) return;
      state.sinceSnapshot.note(change.keys);
      state.running?.since.note(change.keys);
      return;
    }
    const state = this.aof[i];
    if (state === undefined || change.command === 'import') return;
    const durableAt = (Math.floor(change.time / AOF_FSYNC_MS) + 1) * AOF_FSYNC_MS;
    state.pending.push({ effects: change.effects.map((e) => e.slice()), keys: change.keys.slice(), durableAt });
    if (state.timer === null) this.armFsync(i, durableAt);
  }

  private armFsync(shard: number, at: number): void {
    const state = this.aof[shard];
    state.timer = this.cache.clock.setTimeout(() => {
      state.timer = null;
      this.fsync(shard, this.cache.clock.now());
    }, at - this.cache.clock.now());
  }

  /** Applies the writes durable by `now` to the AOF image. */
  private fsync(shard: number, now: number): void {
    const state = this.aof[shard];
    let n = 0;
    while (n < state.pending.length && state.pending[n].durableAt <= now) {
      replayEffects(this.cache, state.image, state.pending[n].effects, now);
      n++;
    }
    state.pending.splice(0, n);
    if (state.pending.length > 0) this.armFsync(shard, state.pending[0].durableAt);
  }

  /**
   * @internal A shard's primary was lost now (Faults): the AOF keeps what was fsynced; the rest is
   * lost (remembered for the report should no copy survive).
   */
  primaryLost(shard: number): void {
    if (this.mode !== 'aof') return;
    const now = this.cache.clock.now();
    this.fsync(shard, now);
    const state = this.aof[shard];
    state.timer?.cancel();
    state.timer = null;
    for (const entry of state.pending) {
      state.lost.writes++;
      for (const key of entry.keys) state.lost.keys.add(key);
    }
    state.pending = [];
  }

  /** @internal A replica took over (Faults): the AOF continues from the promoted copy's data. */
  promoted(shard: number): void {
    if (this.mode !== 'aof') return;
    const state = this.aof[shard];
    state.image = replayTarget(shard, copyKeyspace(this.cache.shards[shard].keyspace), this.template);
    state.lost = { writes: 0, keys: new Set() };
  }

  /**
   * @internal A shard lost every copy and a copy returns: the data to bring back (a copy of the
   * last snapshot or of the AOF image) and what is missing from it; null without persistence.
   */
  recover(shard: number): Recovery | null {
    const now = this.cache.clock.now();
    if (this.mode === 'rdb') {
      const state = this.rdb[shard];
      state.running = null; // a backup of the lost shard in progress dies with it
      const recovery: Recovery = {
        keyspace: copyKeyspace(state.snapshot!),
        source: 'rdb',
        writesLost: state.sinceSnapshot.writes,
        keysLost: [...state.sinceSnapshot.keys],
        asOf: state.snapshotTime,
      };
      state.sinceSnapshot = new Since();
      return recovery;
    }
    if (this.mode === 'aof') {
      const state = this.aof[shard];
      const recovery: Recovery = {
        keyspace: copyKeyspace(state.image.replicaShard.keyspace),
        source: 'aof',
        writesLost: state.lost.writes,
        keysLost: [...state.lost.keys],
        asOf: now,
      };
      state.lost = { writes: 0, keys: new Set() };
      return recovery;
    }
    return null;
  }

  /** @internal Stops the timers (cache.close()). */
  stop(): void {
    this.timer?.cancel();
    this.timer = null;
    this.timerDue = null;
    for (const state of this.aof) {
      state.timer?.cancel();
      state.timer = null;
    }
  }
}
