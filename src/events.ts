/**
 * The typed event bus of a cache. Emitting costs one check when nobody listens and history is off.
 */

/** A node replaced by a new VM (a maintenance or scaling step): its old and new id and endpoint. */
export interface NodeReplaced {
  step: number;
  node: number;
  oldId: string;
  newId: string;
  oldEndpoint: string;
  newEndpoint: string;
}

/** Every event the cache emits, by name. Later features add their own. */
export interface CacheEvents {
  /** A key was removed because its TTL passed (lazily or by active expiry). */
  'key-expired': { key: Buffer; shard: number };
  /** A key was evicted under memory pressure. */
  'key-evicted': { key: Buffer; shard: number };
  /**
   * Replication lag of a shard: sampled every `lagSampleIntervalMs` (`reason: 'sample'`), and when
   * the lag crosses `lagThresholdMs` upwards (`'threshold-up'`) or back down (`'threshold-down'`).
   */
  'replication-lag': {
    shard: number;
    /** Age in ms of the oldest write the replica has not applied (0 when caught up). */
    lagMs: number;
    /** Batches of effects appended and not applied. */
    pendingEffects: number;
    pendingBytes: number;
    reason: 'sample' | 'threshold-up' | 'threshold-down';
  };
  /** A failover began: planned (roles swap cooperatively) or not (the failure was detected). */
  'failover-started': { shard: number; planned: boolean; fromNode: number; toNode: number };
  /**
   * A replica was promoted. `effectsLost` batches of effects (one per write command) the primary
   * had acknowledged but the replica had not applied are gone; `keysLost` are the keys they touched
   * (in stream order, without repeats); `lostOffsets` is the stream range `[from, to)` they held.
   */
  'failover-completed': {
    shard: number;
    planned: boolean;
    fromNode: number;
    toNode: number;
    effectsLost: number;
    keysLost: Buffer[];
    lostOffsets: [number, number];
  };
  /** A shard stopped serving (no primary). */
  'shard-down': {
    shard: number;
    node: number;
    reason: 'shard-failure' | 'node-failure' | 'network-split' | 'planned-failover' | 'scaling';
  };
  /** A shard serves again. `dataLost` when it came back empty (no copy survived); `keysLost` counts the keys lost then. */
  'shard-up': { shard: number; node: number; dataLost: boolean; keysLost: number };
  /** A node (VM) failed. */
  'node-down': { node: number; id: string; zone: string };
  /** A node is back (its copies return as replicas, or as empty primaries when no copy survived). */
  'node-up': { node: number; id: string; zone: string };
  /** Every node of an availability zone failed. */
  'zone-down': { zone: string; nodes: number[] };
  'zone-up': { zone: string; nodes: number[] };
  /** The network split: nodes in `minority` lost quorum (their primaries stop accepting writes). */
  'network-split': { majority: number[]; minority: number[] };
  'network-healed': { minority: number[] };
  /**
   * A replica started rebuilding from a full copy of its primary (`bytes` of dataset, taking
   * `durationMs`); until `full-resync-completed` it holds nothing usable and cannot be promoted.
   */
  'full-resync-started': {
    shard: number;
    node: number;
    reason: 'replica-returned' | 'backlog-exceeded' | 'node-replaced' | 'replica-recreated';
    keys: number;
    bytes: number;
    durationMs: number;
  };
  /** The full copy is loaded: the replica is online and caught up. */
  'full-resync-completed': {
    shard: number;
    node: number;
    reason: 'replica-returned' | 'backlog-exceeded' | 'node-replaced' | 'replica-recreated';
    keys: number;
    durationMs: number;
  };
  /** A shard runs without a replica: a new one will be created on another node at `at` (after the grace period). */
  'replica-recreation-scheduled': { shard: number; at: number };
  /** The grace period passed: a new replica of `shard` is being created on `node` (a full resync follows). */
  'replica-recreation-started': { shard: number; node: number; previousNode: number | null };
  /** Connections reaching a shard were closed by the server (failover): `connections` of them. */
  'connections-dropped': { shard: number; connections: number; reason: 'shard-failure' | 'node-failure' | 'network-split' | 'planned-failover' | 'scaling' };
  /** A maintenance run (patching) started: nodes are replaced one at a time. */
  'maintenance-started': { nodes: number };
  /** One node was replaced: new id and endpoint; CLUSTER SLOTS/SHARDS/NODES show the new node. */
  'maintenance-step': NodeReplaced;
  'maintenance-completed': { steps: number };
  /**
   * `cache.scale()` started: the cache is `Scaling` until `scaling-completed` (estimated at
   * `endsAt`). `highAvailability` false: the cache is offline and its data is lost meanwhile.
   */
  'scaling-started': {
    fromSku: string;
    toSku: string;
    fromPolicy: string;
    toPolicy: string;
    fromShards: number;
    toShards: number;
    highAvailability: boolean;
    endsAt: number;
  };
  /** One node was replaced by a VM of the new size (the node-by-node part of an HA scaling, as in maintenance). */
  'scaling-step': NodeReplaced;
  /**
   * The new layout took over: `toShards` primaries on `nodes` nodes with new ids and endpoints;
   * `keysMoved` keys changed shard (resharding); the cache is `Running` again. `keysLost` counts
   * the keys dropped by a scaling without HA.
   */
  'scaling-completed': { sku: string; policy: string; shards: number; nodes: number; keysMoved: number; keysLost: number; durationMs: number };
  /** `cache.exportRdb()` wrote the dataset: `keys` keys in a file of `bytes` bytes (gzipped or not). */
  'rdb-exported': { keys: number; bytes: number; gzip: boolean };
  /** `cache.importRdb()` replaced the dataset with `files` RDB files: keys loaded, keys dropped as expired, function libraries. */
  'rdb-imported': { files: number; keysLoaded: number; keysExpired: number; functions: number };
  /** An RDB backup (the `persistence: { rdb }` option) completed: forked at `startedAt`, taking `durationMs`. */
  'rdb-snapshot': { startedAt: number; durationMs: number; keys: number; bytes: number };
  /**
   * A shard that lost every copy came back from persistence (after its `shard-up`): `source` the
   * RDB snapshot (as of `asOf`, its fork time) or the AOF; `keysRecovered` keys restored;
   * `writesLost` acknowledged writes not in it and `keysLost` the keys they touched.
   */
  'shard-recovered': { shard: number; node: number; source: 'rdb' | 'aof'; asOf: number; keysRecovered: number; writesLost: number; keysLost: Buffer[] };
  /**
   * A connection authenticated as a Microsoft Entra principal did not re-AUTH before its token
   * expired: the server closed it (AMR's `MicrosoftEntraTokenExpired`). `client` is its CLIENT ID.
   */
  'entra-token-expired': { objectId: string; client: number };
  /**
   * AUTH named an Entra principal with a token that is not one issued to it (`invalid-token`) or
   * that has expired (`token-expired`): WRONGPASS (AMR's `MicrosoftEntraAuthenticationFailure`).
   */
  'entra-authentication-failed': { objectId: string; client: number; reason: 'invalid-token' | 'token-expired' };
  /**
   * Geo-replication (on a group's bus, `group.events`): a link applied `batches` write batches
   * from `from` at `to`; `lagMs` is the age of the oldest one when applied.
   */
  'geo-sync': { from: string; to: string; batches: number; lagMs: number };
  /**
   * A region of a geo-replication group went down: `effectsLost` write batches it had acknowledged
   * and no other region had received are gone, touching `keysLost`.
   */
  'geo-region-down': { member: string; region: string; effectsLost: number; keysLost: Buffer[] };
  /** A region rejoined: it loaded a full copy of `source`'s data (`keys` keys with CRDT metadata). */
  'geo-region-up': { member: string; region: string; source: string | null; keys: number };
  /** AMR's `Geo Replication Healthy` metric changed (1 healthy, 0 not); `membersDown` are the regions down. */
  'geo-replication-health': { healthy: boolean; value: 0 | 1; membersDown: string[] };
  /** A member was force-unlinked from its group. */
  'geo-unlinked': { member: string; region: string };
  /** The control-plane flush wiped every linked member (`members`: those up). */
  'geo-flush': { members: string[] };
}

/** An event as recorded in the history: its name, the clock's time, and its payload. */
export interface RecordedEvent<K extends keyof CacheEvents = keyof CacheEvents> {
  type: K;
  time: number;
  data: CacheEvents[K];
}

/** A listener for one event type: the event's data with the cache time it happened at. */
export type Listener<K extends keyof CacheEvents> = (data: CacheEvents[K] & { time: number }) => void;

export class EventBus {
  private readonly listeners = new Map<keyof CacheEvents, Set<Listener<never>>>();
  private recorded: RecordedEvent[] | null = null;

  /** Calls `listener` for every `type` event. Returns a function that unsubscribes. */
  on<K extends keyof CacheEvents>(type: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => this.off(type, listener);
  }

  off<K extends keyof CacheEvents>(type: K, listener: Listener<K>): void {
    this.listeners.get(type)?.delete(listener as Listener<never>);
  }

  /** True when an event of this type would reach anyone (listeners or history). */
  wants(type: keyof CacheEvents): boolean {
    return this.recorded !== null || (this.listeners.get(type)?.size ?? 0) > 0;
  }

  emit<K extends keyof CacheEvents>(type: K, time: number, data: CacheEvents[K]): void {
    this.recorded?.push({ type, time, data } as RecordedEvent);
    const set = this.listeners.get(type);
    if (!set || set.size === 0) return;
    const payload = { ...data, time };
    for (const listener of set) (listener as Listener<K>)(payload);
  }

  /** Starts keeping every event (for assertions); returns nothing. */
  record(): void {
    this.recorded ??= [];
  }

  /** Every event since {@link record} was called, in order. */
  history(): readonly RecordedEvent[] {
    return this.recorded ?? [];
  }
}
