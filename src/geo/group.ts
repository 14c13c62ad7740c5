/**
 * Active geo-replication: 2 to 5 linked {@link ManagedRedis} caches in different regions, every one
 * a read/write primary, converging through CRDT merges (src/geo/crdt.ts) on one shared clock.
 * See docs/geo-replication.md.
 *
 * Each member captures its own writes from the change hook as CRDT operations (one batch per
 * command) and ships the batch to every peer over a link with its own lag; a link applies its
 * batches in order when the clock passes their due time, merges them into the peer's CRDT state
 * and rewrites the keys they touched in the peer's keyspace (through the command table, so the
 * peer's own replicas, WATCH, keyspace notifications and client-side caching see the change).
 */
import { clockFor, type Clock, type TimerHandle } from '../clock.js';
import { Rng } from '../rng.js';
import { EventBus } from '../events.js';
import { DEFAULT_START_TIME, ManagedRedis, type ManagedRedisOptions } from '../managed-redis.js';
import type { ChangeListener, ChangeRecord } from '../core-types.js';
import type { Bytes } from '../keyspace/bytes.js';
import { bytesEqual, keyReply } from '../keyspace/bytes.js';
import { RedisObject, type StoredValue } from '../keyspace/keyspace.js';
import { slotOfName } from '../cluster/slots.js';
import { respBytes } from '../replication/replication.js';
import { loadDigest } from '../replication/digest.js';
import { dumpPayload } from '../keyspace/rdb/dump.js';
import { JsonDocument, stringifyJson } from '../keyspace/types/json.js';
import { RedisHash } from '../keyspace/types/hash.js';
import { ZSet } from '../keyspace/types/zset.js';
import { SetValue } from '../keyspace/types/set.js';
import { ListValue } from '../keyspace/types/list.js';
import { capture, CrdtState, materialize, type Op, type Target } from './crdt.js';

/** A member of the group: its cache name and Azure region (distinct in the group). */
export interface GeoMemberSpec {
  readonly name: string;
  readonly region: string;
  /**
   * Settings this member differs in. AMR requires the same configuration on every member, so any
   * difference in SKU, clustering policy, eviction policy, modules, high availability or memory
   * is refused at creation; so is any `persistence`.
   */
  readonly options?: GeoMemberOptions;
}

/** The per-member settings {@link GeoMemberSpec.options} may name (checked for equality). */
export interface GeoMemberOptions
  extends Pick<ManagedRedisOptions, 'sku' | 'clusterPolicy' | 'highAvailability' | 'evictionPolicy' | 'modules' | 'maxmemoryBytes'> {
  /** Data persistence (AMR's RDB or AOF): active geo-replication and persistence are mutually exclusive. */
  readonly persistence?: ManagedRedisOptions['persistence'];
}

/** The link between two members, as the lag model sees it. */
export interface GeoLinkInfo {
  readonly from: string;
  readonly to: string;
  readonly fromRegion: string;
  readonly toRegion: string;
}

/**
 * Cross-region lag in ms: one figure for every link, or a function of the link (called once per
 * shipped batch and link). Seeded jitter (`jitter`) is added on top; a link never reorders.
 */
export type GeoLagModel = number | ((link: GeoLinkInfo) => number);

/** Options of {@link GeoReplicationGroup.create}. */
export interface GeoReplicationGroupOptions
  extends Omit<ManagedRedisOptions, 'clock' | 'seed' | 'name' | 'region' | 'geoReplication' | 'startTime'> {
  /** The group nickname (ARM `groupNickname`). */
  readonly nickname: string;
  /** 2 to 5 members in distinct regions. */
  readonly members: readonly GeoMemberSpec[];
  /** One clock for every member: `'real'` (default), `'virtual'`, or a clock of your own. */
  readonly clock?: 'real' | 'virtual' | Clock;
  /** Start of a virtual clock (default 2025-01-01T00:00:00Z). */
  readonly startTime?: number;
  /** Seed of the group's PRNG (link jitter); member `i` gets seed `seed + i` for its own draws (default 0). */
  readonly seed?: number;
  /** Cross-region lag (default 0: applied on the next clock tick). */
  readonly lag?: GeoLagModel;
  /** Extra lag drawn from `[0, jitter)` ms with the group's seeded PRNG (default 0). */
  readonly jitter?: number;
}

/** One link's replication state. */
export interface GeoLinkStatus extends GeoLinkInfo {
  /** Batches (one per write command) shipped and not yet applied at `to`. */
  readonly pendingBatches: number;
  readonly pendingBytes: number;
  /** Age in ms of the oldest batch not yet applied (0 when caught up). */
  readonly lagMs: number;
  /** Batches applied at `to` so far. */
  readonly appliedBatches: number;
}

/** One member's state in the group. */
export interface GeoMemberStatus {
  readonly name: string;
  readonly region: string;
  /** `up`; `down` after {@link GeoReplicationGroup.failRegion}; `unlinked` after {@link GeoReplicationGroup.forceUnlink}. */
  readonly state: 'up' | 'down' | 'unlinked';
  /** Keys with CRDT metadata. */
  readonly keys: number;
  /** Tombstones and counter cuts waiting for writes still in flight (INFO crdt `crdt_gc_pending`). */
  readonly gcPending: number;
  /** Batches this member wrote (its replication sequence). */
  readonly writes: number;
  /**
   * While the member is down: what its peers hold for it and cannot hand off (batches, bytes).
   * It grows with every write elsewhere until the member recovers or is force-unlinked.
   */
  readonly undeliveredBatches: number;
  readonly undeliveredBytes: number;
}

/** What {@link GeoReplicationGroup.failRegion} reports. */
export interface RegionFailure {
  /** Write batches (one per command) the region had acknowledged and no other region had received: lost. */
  readonly effectsLost: number;
  /** Keys those writes touched, in write order, without repeats. */
  readonly keysLost: Buffer[];
}

interface Batch {
  readonly origin: number;
  readonly seq: number;
  /** The writer's hybrid logical clock reading. */
  readonly time: number;
  readonly count: number;
  /** The clock time the write was made (lag is counted from it). */
  readonly written: number;
  /** The writer's applied batches per origin when it wrote (what its removals could have seen). */
  readonly seen: readonly number[];
  readonly ops: readonly Op[];
  readonly keys: readonly string[];
  readonly bytes: number;
}

interface Queued {
  readonly batch: Batch;
  readonly due: number;
}

class Link {
  queue: Queued[] = [];
  head = 0;
  lastDue = 0;
  pendingBytes = 0;
  applied = 0;
  timer: TimerHandle | null = null;
  timerDue = Infinity;
  constructor(
    readonly from: Member,
    readonly to: Member,
  ) {}

  get pending(): number {
    return this.queue.length - this.head;
  }

  clear(): void {
    this.queue = [];
    this.head = 0;
    this.pendingBytes = 0;
    this.timer?.cancel();
    this.timer = null;
    this.timerDue = Infinity;
  }
}

class Member {
  state: CrdtState;
  /** Batches written so far (the last one's number). */
  seq = 0;
  up = true;
  linked = true;
  listener: ChangeListener | null = null;
  constructor(
    readonly index: number,
    readonly name: string,
    readonly region: string,
    readonly cache: ManagedRedis,
    size: number,
  ) {
    this.state = new CrdtState(size);
  }
}

/** Settings that must be equal on every member (AMR: "identical configuration"). */
const SAME_EVERYWHERE = ['sku', 'clusterPolicy', 'highAvailability', 'evictionPolicy', 'modules', 'maxmemoryBytes', 'persistence'] as const;

/** What a member has when it does not name a setting (ManagedRedis's defaults, AMR's). */
const AMR_DEFAULTS: Record<(typeof SAME_EVERYWHERE)[number], unknown> = {
  sku: 'Balanced_B5',
  clusterPolicy: 'OSS',
  highAvailability: true,
  evictionPolicy: 'volatile-lru',
  modules: [],
  maxmemoryBytes: 'the SKU default',
  persistence: null,
};

/**
 * An active geo-replication group (AMR's "Active geo-replication", Redis Enterprise
 * Active-Active): linked caches, each writable, converging by CRDT rules.
 *
 * ```ts
 * const group = GeoReplicationGroup.create({
 *   nickname: 'orders', sku: 'Balanced_B5', clock: 'virtual', seed: 7, lag: 80,
 *   members: [{ name: 'orders-east', region: 'eastus' }, { name: 'orders-west', region: 'westus' }],
 * });
 * const [east, west] = group.caches;
 * east.execute(['INCRBY', 'visits', '7']);
 * west.execute(['INCRBY', 'visits', '3']);
 * group.clock.advance(100);
 * west.execute(['GET', 'visits']); // '10'
 * ```
 */
export class GeoReplicationGroup {
  /** The group nickname. */
  readonly nickname: string;
  /** The clock every member runs on. */
  readonly clock: Clock;
  /** Group events: `geo-sync`, `geo-region-down`, `geo-region-up`, `geo-replication-health`, `geo-unlinked`, `geo-flush`. */
  readonly events = new EventBus();
  /** The member caches, in the order given. */
  readonly caches: readonly ManagedRedis[];
  private readonly members: Member[];
  private readonly links: Link[][];
  private readonly rng: Rng;
  private lag: GeoLagModel;
  private readonly jitter: number;
  private wasHealthy = true;

  /** Creates the members and links them. Throws a RangeError naming the AMR rule a configuration breaks. */
  static create(options: GeoReplicationGroupOptions): GeoReplicationGroup {
    return new GeoReplicationGroup(options);
  }

  private constructor(options: GeoReplicationGroupOptions) {
    const { nickname, members: specs, clock, startTime, seed, lag, jitter, persistence, ...shared } = options;
    if (typeof nickname !== 'string' || nickname === '') throw new RangeError('A geo-replication group needs a nickname');
    if (!Array.isArray(specs) || specs.length < 2 || specs.length > 5) {
      throw new RangeError(`An active geo-replication group links 2 to 5 caches (got ${Array.isArray(specs) ? specs.length : 'none'})`);
    }
    const names = new Set<string>();
    const regions = new Set<string>();
    for (const spec of specs) {
      if (names.has(spec.name)) throw new RangeError(`Two members are named ${spec.name}: each linked cache needs its own name`);
      if (regions.has(spec.region)) throw new RangeError(`Two members are in ${spec.region}: linked caches must be in different regions`);
      names.add(spec.name);
      regions.add(spec.region);
    }
    const configs = specs.map((spec) => ({ ...shared, persistence, ...spec.options }));
    const shown = (config: (typeof configs)[number], setting: (typeof SAME_EVERYWHERE)[number]): string =>
      JSON.stringify(config[setting] ?? AMR_DEFAULTS[setting]);
    for (const setting of SAME_EVERYWHERE) {
      const first = shown(configs[0], setting);
      for (let i = 1; i < configs.length; i++) {
        const other = shown(configs[i], setting);
        if (other !== first) {
          throw new RangeError(
            `Every cache of a geo-replication group needs the same configuration: ${setting} is ${first} on ${specs[0].name} and ${other} on ${specs[i].name}`,
          );
        }
      }
    }
    if (configs[0].highAvailability === false) throw new RangeError('Active geo-replication requires high availability');
    if (configs[0].persistence !== undefined && configs[0].persistence !== null) {
      throw new RangeError('Active geo-replication and data persistence are mutually exclusive');
    }
    if (!(jitter === undefined || jitter >= 0)) throw new RangeError('jitter must be a non-negative number of ms');
    if (typeof lag === 'number' && !(lag >= 0)) throw new RangeError('lag must be a non-negative number of ms');
    this.nickname = nickname;
    this.clock = clockFor(clock, startTime ?? DEFAULT_START_TIME);
    this.rng = new Rng(seed ?? 0);
    this.lag = lag ?? 0;
    this.jitter = jitter ?? 0;
    this.members = specs.map((spec, index) => {
      const { persistence: _p, ...cacheOptions } = configs[index];
      const cache = new ManagedRedis({ ...cacheOptions, clock: this.clock, seed: (seed ?? 0) + index, name: spec.name, region: spec.region, geoReplication: true });
      return new Member(index, spec.name, spec.region, cache, specs.length);
    });
    this.caches = this.members.map((m) => m.cache);
    this.links = this.members.map((from) => this.members.map((to) => new Link(from, to)));
    for (const member of this.members) {
      member.state = this.newState();
      member.listener = (change) => this.captured(member, change);
      member.cache.changeListeners.push(member.listener);
      member.cache.geo = { crdtInfo: () => this.crdtInfo(member) };
      // A failover inside the region swaps in a replica that may lack the last writes: the
      // member's keyspace is brought back to what its CRDT state holds (nothing the state holds is lost).
      member.cache.events.on('shard-up', ({ shard }) => {
        if (member.up && member.linked) this.reconcile(member, shard);
      });
    }
  }

  // ------------------------------------------------------------------------------ observing

  /** The member cache named `name`. */
  cache(name: string): ManagedRedis {
    return this.member(name).cache;
  }

  /** Every member's state, in member order. */
  status(): GeoMemberStatus[] {
    return this.members.map((m) => {
      let batches = 0;
      let bytes = 0;
      if (!m.up) {
        for (const from of this.members) {
          const link = this.links[from.index][m.index];
          batches += link.pending;
          bytes += link.pendingBytes;
        }
      }
      return {
        name: m.name,
        region: m.region,
        state: !m.linked ? 'unlinked' : m.up ? 'up' : 'down',
        keys: m.state.keys.size,
        gcPending: m.state.gcPending,
        writes: m.seq,
        undeliveredBatches: batches,
        undeliveredBytes: bytes,
      };
    });
  }

  /** Every link between linked members (both directions), with what it has in flight. */
  linkStatus(): GeoLinkStatus[] {
    const now = this.clock.now();
    const out: GeoLinkStatus[] = [];
    for (const from of this.members) {
      for (const to of this.members) {
        if (from === to || !to.linked) continue;
        const link = this.links[from.index][to.index];
        if (!from.linked && link.pending === 0) continue;
        out.push({
          ...this.info(link),
          pendingBatches: link.pending,
          pendingBytes: link.pendingBytes,
          lagMs: link.pending === 0 ? 0 : Math.max(0, now - link.queue[link.head].batch.written),
          appliedBatches: link.applied,
        });
      }
    }
    return out;
  }

  /**
   * AMR's `Geo Replication Healthy` metric: 1 while every linked member is up, 0 while one is down
   * (a region failure not yet recovered or force-unlinked). 0 does not mean data loss.
   */
  get healthMetric(): 0 | 1 {
    return this.members.every((m) => !m.linked || m.up) ? 1 : 0;
  }

  /**
   * The xxhash64 dataset digest of every member (name → digest): equal digests mean the members
   * have converged. Needs the hasher loaded once (`await group.ready()`).
   */
  digests(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const m of this.members) if (m.up) out[m.name] = m.cache.replication.digest();
    return out;
  }

  /** Loads the digest hasher (as `cache.ready()`). */
  ready(): Promise<void> {
    return loadDigest();
  }

  /** Changes the lag model from now on (batches in flight keep their due times). */
  setLag(lag: GeoLagModel): void {
    if (typeof lag === 'number' && !(lag >= 0)) throw new RangeError('lag must be a non-negative number of ms');
    this.lag = lag;
  }

  // ------------------------------------------------------------------------------ control

  /**
   * Applies at once every batch in flight to every member that is up (as if the lag had passed):
   * a full sync. Members that are up then hold the same data.
   */
  sync(): void {
    for (const row of this.links) for (const link of row) if (link.to.up && link.to.linked) this.pump(link, Infinity);
  }

  /**
   * Region `name` goes down: its caches stop serving (every node fails, connections see
   * `ECONNREFUSED`/`ECONNRESET`), its un-replicated writes are lost — batches no other region had
   * received; batches some region had received are handed on to the others — and its peers keep
   * what they write for it (their metadata grows). No failover to another region happens: clients
   * must reroute themselves. Returns what was lost (also in the `geo-region-down` event).
   */
  failRegion(name: string): RegionFailure {
    const m = this.member(name);
    if (!m.linked) throw new Error(`${name} was force-unlinked from the group`);
    if (!m.up) throw new Error(`${name} is already down`);
    const survivors = this.members.filter((s) => s !== m && s.linked && s.up);
    let maxSeen = 0;
    for (const s of survivors) maxSeen = Math.max(maxSeen, s.state.applied[m.index]);
    const lost = new Map<number, Batch>();
    for (const to of this.members) {
      if (to === m) continue;
      const link = this.links[m.index][to.index];
      const kept: Queued[] = [];
      for (let i = link.head; i < link.queue.length; i++) {
        const entry = link.queue[i];
        if (entry.batch.seq > maxSeen) lost.set(entry.batch.seq, entry.batch);
        else kept.push(entry);
      }
      link.clear();
      link.queue = kept;
      for (const entry of kept) link.pendingBytes += entry.batch.bytes;
      this.arm(link);
    }
    const keys: string[] = [];
    const seenKeys = new Set<string>();
    for (const batch of Array.from(lost.values()).sort((a, b) => a.seq - b.seq)) {
      for (const key of batch.keys) {
        if (seenKeys.has(key)) continue;
        seenKeys.add(key);
        keys.push(key);
      }
    }
    m.up = false;
    m.state = this.newState();
    for (const node of m.cache.topology.nodes) m.cache.faults.failNode(node.index);
    const keysLost = keys.map((k) => Buffer.from(k, 'latin1'));
    this.events.emit('geo-region-down', this.clock.now(), { member: m.name, region: m.region, effectsLost: lost.size, keysLost });
    this.checkHealth();
    return { effectsLost: lost.size, keysLost };
  }

  /**
   * Region `name` returns and rejoins: its nodes come back, the batches in flight between the
   * other regions are applied (a full sync), and it loads a full copy of the first live peer's
   * data and CRDT metadata; what its peers held for it is then released. Throws for a member
   * that is up or was force-unlinked (AMR: delete and recreate it).
   */
  recoverRegion(name: string): void {
    const m = this.member(name);
    if (!m.linked) throw new Error(`${name} was force-unlinked: delete and recreate the cache to rejoin`);
    if (m.up) throw new Error(`${name} is up`);
    for (const node of m.cache.topology.nodes) m.cache.faults.healNode(node.index);
    this.sync();
    const source = this.members.find((s) => s !== m && s.linked && s.up) ?? null;
    for (const from of this.members) this.links[from.index][m.index].clear();
    const state = source === null ? this.newState() : source.state.clone();
    state.applied[m.index] = Math.max(state.applied[m.index], m.seq);
    m.state = state;
    m.up = true;
    const now = this.clock.now();
    for (const shard of m.cache.shards) this.reconcile(m, shard.index);
    this.events.emit('geo-region-up', now, { member: m.name, region: m.region, source: source?.name ?? null, keys: state.keys.size });
    this.checkHealth();
  }

  /**
   * Removes member `name` from the group (ARM `forceUnlink`): its peers stop keeping metadata for
   * it. A member that is up ships what it has in flight first and then runs on alone; one that
   * is down stays down (AMR: delete and recreate it to rejoin).
   */
  forceUnlink(name: string): void {
    const m = this.member(name);
    if (!m.linked) return;
    if (m.up) for (const to of this.members) if (to !== m && to.up && to.linked) this.pump(this.links[m.index][to.index], Infinity);
    m.linked = false;
    for (const from of this.members) this.links[from.index][m.index].clear();
    if (m.listener !== null) {
      const at = m.cache.changeListeners.indexOf(m.listener);
      if (at >= 0) m.cache.changeListeners.splice(at, 1);
    }
    m.cache.geo = null;
    this.events.emit('geo-unlinked', this.clock.now(), { member: m.name, region: m.region });
    this.checkHealth();
  }

  /**
   * The control-plane flush (portal "Flush Caches", ARM `flush`): wipes every linked member's data
   * and drops the writes in flight. `FLUSHALL`/`FLUSHDB` stay blocked on the members.
   */
  flush(): void {
    const flushed: string[] = [];
    for (const row of this.links) for (const link of row) link.clear();
    for (const m of this.members) {
      if (!m.linked) continue;
      const old = m.state;
      m.state = this.newState();
      m.state.applied = old.applied;
      m.state.observe(old.hlcTime, old.hlcCount);
      if (!m.up) continue;
      // Every key goes, as a DEL its replicas and watchers see (FLUSHALL itself is blocked).
      for (const shard of m.cache.shards) this.reconcile(m, shard.index);
      flushed.push(m.name);
    }
    this.events.emit('geo-flush', this.clock.now(), { members: flushed });
  }

  /** Stops every member's timers (as `cache.close()`) and the links'. */
  close(): void {
    for (const row of this.links) for (const link of row) link.clear();
    for (const m of this.members) m.cache.close();
  }

  // ------------------------------------------------------------------------------ capture

  private member(name: string): Member {
    const m = this.members.find((x) => x.name === name);
    if (m === undefined) throw new RangeError(`No member named ${name} in geo-replication group ${this.nickname}`);
    return m;
  }

  private info(link: Link): GeoLinkInfo {
    return { from: link.from.name, to: link.to.name, fromRegion: link.from.region, toRegion: link.to.region };
  }

  /** A member's change hook: the command's changes become one batch of CRDT operations, shipped to every peer. */
  private captured(m: Member, change: ChangeRecord): void {
    if (!m.up || !m.linked) return;
    const now = change.time;
    const seq = m.seq + 1;
    const state = m.state;
    const seen = state.applied.slice();
    const [time, count] = [Math.max(now, state.hlcTime), now > state.hlcTime ? 0 : state.hlcCount + 1];
    let idx = 0;
    const mint = () => ({ time, count, origin: m.index, seq, idx: idx++ });
    const ops: Op[] = [];
    const keys: string[] = [];
    const done = new Set<string>();
    for (const key of change.keys) {
      if (done.has(key)) continue;
      done.add(key);
      const keyspace = change.shard.keyspace;
      let value: StoredValue | undefined = keyspace.valueOf(key);
      let at = keyspace.expireTime(key) ?? Infinity;
      if (at <= now) {
        value = undefined;
        at = Infinity;
      }
      const events = change.events.filter((_, i) => change.keys[i] === key);
      const keyOps = capture(state.keys.get(key), { key, value, at, events, command: change.command, argv: change.argv, now }, mint);
      if (keyOps.length === 0) continue;
      // Applied to the member's own state before the next key is captured.
      state.applied[m.index] = seq;
      for (const op of keyOps) state.apply(op);
      state.collect(key);
      ops.push(...keyOps);
      keys.push(key);
      // A counter's value is the CRDT's sum (an INCRBYFLOAT rounding the other way is corrected).
      if (keyOps.some((op) => op.op === 'incr')) this.refresh(m, key, now);
    }
    if (ops.length === 0) return;
    m.seq = seq;
    state.applied[m.index] = seq;
    state.tick(now);
    const batch: Batch = { origin: m.index, seq, time, count, written: now, seen, ops, keys, bytes: respBytes(change.effects) };
    for (const to of this.members) {
      if (to === m || !to.linked) continue;
      const link = this.links[m.index][to.index];
      const due = Math.max(now + this.lagFor(link), link.lastDue);
      link.lastDue = due;
      link.queue.push({ batch, due });
      link.pendingBytes += batch.bytes;
      this.arm(link);
    }
  }

  /**
   * The last batch of `origin` that every live member has applied and that every batch in flight
   * was written after (CRDT counter compaction: no removal can name part of what precedes it).
   */
  private stableSeq(origin: number): number {
    let stable = Infinity;
    for (const m of this.members) if (m.linked && m.up) stable = Math.min(stable, m.state.applied[origin]);
    for (const row of this.links) {
      for (const link of row) for (let i = link.head; i < link.queue.length; i++) stable = Math.min(stable, link.queue[i].batch.seen[origin]);
    }
    return stable;
  }

  /** An empty CRDT state for a member, able to compact counters. */
  private newState(): CrdtState {
    const state = new CrdtState(this.members.length);
    state.stable = (origin) => this.stableSeq(origin);
    return state;
  }

  private lagFor(link: Link): number {
    let ms = typeof this.lag === 'number' ? this.lag : this.lag(this.info(link));
    if (!(ms >= 0)) ms = 0;
    if (this.jitter > 0) ms += this.rng.below(this.jitter);
    return Math.ceil(ms);
  }

  // ------------------------------------------------------------------------------ delivery

  private arm(link: Link): void {
    if (link.pending === 0 || !link.to.up || !link.to.linked) return;
    const due = link.queue[link.head].due;
    if (link.timer !== null && link.timerDue <= due) return;
    link.timer?.cancel();
    link.timerDue = due;
    link.timer = this.clock.setTimeout(() => {
      link.timer = null;
      link.timerDue = Infinity;
      this.pump(link, this.clock.now());
      this.arm(link);
    }, Math.max(0, due - this.clock.now()));
  }

  /** Applies the link's batches due by `until`, in order. */
  private pump(link: Link, until: number): void {
    const to = link.to;
    if (link.pending === 0 || !to.up || !to.linked) return;
    const now = this.clock.now();
    let delivered = 0;
    let oldest = Infinity;
    while (link.head < link.queue.length && link.queue[link.head].due <= until) {
      const { batch } = link.queue[link.head++];
      link.pendingBytes -= batch.bytes;
      link.applied++;
      delivered++;
      oldest = Math.min(oldest, batch.written);
      this.merge(to, batch, now);
    }
    if (link.head === link.queue.length) link.clear();
    if (delivered !== 0 && this.events.wants('geo-sync')) {
      this.events.emit('geo-sync', now, { from: link.from.name, to: to.name, batches: delivered, lagMs: now - oldest });
    }
  }

  /** Merges a peer's batch into a member and rewrites the keys it touched. */
  private merge(m: Member, batch: Batch, now: number): void {
    const state = m.state;
    // A batch already in the state (a region that loaded a peer's copy) is not applied twice.
    if (batch.seq <= state.applied[batch.origin]) return;
    for (const op of batch.ops) state.apply(op);
    state.applied[batch.origin] = batch.seq;
    state.observe(batch.time, batch.count);
    for (const key of Array.from(state.waiting)) state.collect(key);
    for (const key of batch.keys) {
      state.collect(key);
      this.refresh(m, key, now);
    }
  }

  /**
   * Rewrites `key` in a member's keyspace to `target` through the command table (without
   * capturing it again), then tells the member's other change listeners — its replicas, WATCH,
   * keyspace notifications, client-side caching — with the same effects.
   */
  private write(m: Member, key: string, target: Target | null, now: number, current?: StoredValue, currentAt = Infinity): void {
    const shard = m.cache.shardForSlot(slotOfName(key));
    const effects = (current !== undefined && target !== null && changeEffects(key, target, current, currentAt)) || rebuildEffects(key, target);
    m.cache.replication.replayOn(shard, effects, now);
    const listeners = m.cache.changeListeners;
    if (listeners.length <= 1) return;
    const events = target === null ? ['del'] : [REBUILD_EVENT[target.kind]];
    if (target !== null && target.at !== Infinity) events.push('expire');
    const record: ChangeRecord = { shard, command: 'crdt-merge', keys: events.map(() => key), events, effects, time: now };
    for (const listener of listeners.slice()) if (listener !== m.listener) listener(record);
  }

  /** Rewrites a shard's keys that differ from the member's CRDT state. */
  private reconcile(m: Member, shardIndex: number): void {
    const now = this.clock.now();
    const shard = m.cache.shards[shardIndex];
    const keys = new Set<string>();
    for (const key of shard.keyspace.keys()) keys.add(key);
    for (const key of m.state.keys.keys()) if (m.cache.shardForSlot(slotOfName(key)) === shard) keys.add(key);
    for (const key of keys) this.refresh(m, key, now);
  }

  /** Rewrites `key` in a member's keyspace when it differs from what the member's CRDT state shows. */
  private refresh(m: Member, key: string, now: number): void {
    const target = materialize(m.state.keys.get(key), now);
    const keyspace = m.cache.shardForSlot(slotOfName(key)).keyspace;
    let at = keyspace.expireTime(key) ?? Infinity;
    const value = at <= now ? undefined : keyspace.valueOf(key);
    if (value === undefined) at = Infinity;
    if (!matches(target, value, at)) this.write(m, key, target, now, value, at);
  }

  private checkHealth(): void {
    const healthy = this.healthMetric === 1;
    if (healthy === this.wasHealthy) return;
    this.wasHealthy = healthy;
    const down = this.members.filter((m) => m.linked && !m.up).map((m) => m.name);
    this.events.emit('geo-replication-health', this.clock.now(), { healthy, value: healthy ? 1 : 0, membersDown: down });
  }

  /** The fields of INFO's `crdt` section for a member (Redis Enterprise's names where they fit). */
  private crdtInfo(m: Member): [string, string | number][] {
    const now = this.clock.now();
    const fields: [string, string | number][] = [
      ['crdt_config_version', 1],
      ['crdt_group_nickname', this.nickname],
      ['crdt_replid', m.index + 1],
      ['crdt_clock', `${m.state.hlcTime}.${m.state.hlcCount}`],
      ['crdt_ovc', m.state.applied.map((seq, i) => `${i + 1}:${seq}`).join(',')],
      ['crdt_gc_pending', m.state.gcPending],
      ['crdt_geo_replication_healthy', this.healthMetric],
      ['peers', this.members.filter((p) => p !== m && p.linked).length],
    ];
    let i = 0;
    for (const peer of this.members) {
      if (peer === m || !peer.linked) continue;
      const incoming = this.links[peer.index][m.index];
      const lag = incoming.pending === 0 ? 0 : Math.max(0, now - incoming.queue[incoming.head].batch.written);
      fields.push([
        `peer${i++}`,
        `name=${peer.name},region=${peer.region},state=${peer.up ? 'up' : 'down'},pending_batches=${incoming.pending},pending_bytes=${incoming.pendingBytes},lag_ms=${lag}`,
      ]);
    }
    return fields;
  }
}

const REBUILD_EVENT: Record<Target['kind'], string> = {
  string: 'set',
  set: 'sadd',
  hash: 'hset',
  zset: 'zadd',
  list: 'rpush',
  object: 'restore',
};

function arg(name: string): Bytes {
  return keyReply(name);
}

function scoreText(score: number): string {
  return score === Infinity ? 'inf' : score === -Infinity ? '-inf' : String(score);
}

/** The normalised effects that make a keyspace hold `target` under `key` (what replicas replay). */
function rebuildEffects(key: string, target: Target | null): Bytes[][] {
  const k = arg(key);
  if (target === null) return [['DEL', k]];
  const effects: Bytes[][] = [];
  switch (target.kind) {
    case 'string':
      effects.push(target.at === Infinity ? ['SET', k, target.value] : ['SET', k, target.value, 'PXAT', String(target.at)]);
      return effects;
    case 'set':
      effects.push(['DEL', k], ['SADD', k, ...target.members.map(arg)]);
      break;
    case 'hash':
      effects.push(['DEL', k], ['HSET', k, ...target.fields.flatMap(([f, v]) => [arg(f), v])]);
      for (const [f, , at] of target.fields) if (at !== undefined) effects.push(['HPEXPIREAT', k, String(at), 'FIELDS', '1', arg(f)]);
      break;
    case 'zset':
      effects.push(['DEL', k], ['ZADD', k, ...target.pairs.flatMap(([m, s]) => [scoreText(s), arg(m)])]);
      break;
    case 'list':
      effects.push(['DEL', k], ['RPUSH', k, ...target.values]);
      break;
    case 'object':
      if (target.value instanceof JsonDocument) effects.push(['DEL', k], ['JSON.SET', k, '$', stringifyJson(target.value.root)]);
      else effects.push(['RESTORE', k, '0', dumpPayload(target.value, { compress: false, listCompressDepth: 0 }), 'REPLACE']);
      break;
  }
  if (target.at !== Infinity) effects.push(['PEXPIREAT', k, String(target.at)]);
  return effects;
}

/**
 * The effects that turn a set, hash or sorted set into `target` member by member (additions
 * first, so the key never empties and keeps its TTL), or null when the whole value must be
 * rebuilt (another type, a list, a string, an object).
 */
function changeEffects(key: string, target: Target, current: StoredValue, currentAt: number): Bytes[][] | null {
  const k = arg(key);
  const effects: Bytes[][] = [];
  if (target.kind === 'set' && current instanceof SetValue) {
    const wanted = new Set(target.members);
    const added = target.members.filter((m) => !current.has(m));
    const removed = Array.from(current.members()).filter((m) => !wanted.has(m));
    if (added.length !== 0) effects.push(['SADD', k, ...added.map(arg)]);
    if (removed.length !== 0) effects.push(['SREM', k, ...removed.map(arg)]);
  } else if (target.kind === 'hash' && current instanceof RedisHash) {
    const wanted = new Set<string>();
    const set: Bytes[] = [];
    const ttls: Bytes[][] = [];
    for (const [f, v, at] of target.fields) {
      wanted.add(f);
      const mine = current.fields.get(f);
      if (mine !== undefined && bytesEqual(mine, v) && current.fieldExpiry(f) === at) continue;
      set.push(arg(f), v);
      if (at !== undefined) ttls.push(['HPEXPIREAT', k, String(at), 'FIELDS', '1', arg(f)]);
    }
    const removed = Array.from(current.fields.keys()).filter((f) => !wanted.has(f));
    if (set.length !== 0) effects.push(['HSET', k, ...set], ...ttls);
    if (removed.length !== 0) effects.push(['HDEL', k, ...removed.map(arg)]);
  } else if (target.kind === 'zset' && current instanceof ZSet) {
    const wanted = new Set<string>();
    const add: Bytes[] = [];
    for (const [m, score] of target.pairs) {
      wanted.add(m);
      if (current.dict.get(m) !== score) add.push(scoreText(score), arg(m));
    }
    const removed: string[] = [];
    for (const m of current.dict.keys()) if (!wanted.has(m)) removed.push(m);
    if (add.length !== 0) effects.push(['ZADD', k, ...add]);
    if (removed.length !== 0) effects.push(['ZREM', k, ...removed.map(arg)]);
  } else return null;
  if (target.at !== currentAt) effects.push(target.at === Infinity ? ['PERSIST', k] : ['PEXPIREAT', k, String(target.at)]);
  return effects;
}

/** True when a keyspace value (and its expiry time) is what `target` describes. */
function matches(target: Target | null, value: StoredValue | undefined, at: number): boolean {
  if (target === null || value === undefined) return target === null && value === undefined;
  if (target.at !== at) return false;
  switch (target.kind) {
    case 'string':
      return !(value instanceof RedisObject) && bytesEqual(value, target.value);
    case 'set':
      return value instanceof SetValue && value.size === target.members.length && target.members.every((m) => value.has(m));
    case 'hash':
      return (
        value instanceof RedisHash &&
        value.size === target.fields.length &&
        target.fields.every(([f, v, fieldAt]) => {
          const mine = value.fields.get(f);
          return mine !== undefined && bytesEqual(mine, v) && value.fieldExpiry(f) === fieldAt;
        })
      );
    case 'zset':
      return value instanceof ZSet && value.length === target.pairs.length && target.pairs.every(([m, s]) => value.dict.get(m) === s);
    case 'list': {
      if (!(value instanceof ListValue) || value.length !== target.values.length) return false;
      const items = value.length === 0 ? [] : value.range(0, value.length - 1);
      return items.every((v, i) => bytesEqual(v, target.values[i]));
    }
    case 'object':
      // Whole-value snapshots (streams, JSON documents) are not compared: a merge rewrites them.
      return false;
  }
}
