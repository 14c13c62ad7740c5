/**
 * `ManagedRedis`: one emulated Azure Managed Redis instance — options, clock, PRNG, topology,
 * shards and the command table — and its synchronous entry point, `execute`.
 */
import { clockFor, type Clock, type TimerHandle } from './clock.js';
import { Rng } from './rng.js';
import { Keyspace } from './keyspace/keyspace.js';
import { AccessTracker, accessModeFor, isAllKeysPolicy } from './keyspace/access.js';
import type { Bytes } from './keyspace/bytes.js';
import { buildTopology, type Topology } from './cluster/topology.js';
import { defaultConfig } from './config-defaults.js';
import type { Config } from './config.js';
import { buildCommandTable, numberSpecs } from './commands/index.js';
import { CommandLog } from './command-log.js';
import type { CommandSpec } from './commands/command.js';
import { dispatch, lookupCommand } from './dispatch.js';
import { toPlain, type PlainReply } from './protocol/plain.js';
import type { Reply } from './protocol/reply.js';
import { EventBus } from './events.js';
import type { CacheCore, ChangeListener, ClientState, ClusterPolicy, GeoInfoSource, ServerStats, Shard } from './core-types.js';
import { getSku, validateOptions } from './cluster/skus.js';
import type { SkuName } from './cluster/skus.js';
import { createClient, type ClientOptions, type RedisClient } from './client/client.js';
import { installSyncCommands, type SyncCommands } from './sync-api.js';
import { releaseTransaction } from './transactions.js';
import { dropSubscriptions } from './pubsub.js';
import { trackNotifyFlags } from './notifications.js';
import { Replication } from './replication/replication.js';
import { Faults } from './replication/faults.js';
import { loadDigest } from './replication/digest.js';
import { STARTUP_BYTES } from './info.js';
import { resetEvictionPool } from './keyspace/eviction.js';
import type { ReplicationOptions } from './replication/types.js';
import { FlashTiering, flashOptions, ShardTier, type FlashOptions } from './flash.js';
import { keySlot } from './cluster/slots.js';
import { dropTracking, type ClientTracking } from './tracking.js';
import { resolveModules, type LoadedModule, type ModuleName, type ModuleSpec } from './modules.js';
import { EntraAuth, type EntraOptions } from './entra.js';
import type { ListenOptions, RespServer } from './server/server.js';
import { Persistence, resolvePersistence, type PersistenceOptions } from './persistence/persistence.js';
import { Scaling, type ScaleTarget, type ScalingRun } from './cluster/scaling.js';
import { exportRdb, importRdb, type ExportRdbOptions, type ImportRdbResult } from './persistence/import-export.js';

/** AMR's eviction policies (the ARM names, in Redis spelling). */
export type EvictionPolicy =
  | 'volatile-lru'
  | 'allkeys-lru'
  | 'volatile-lfu'
  | 'allkeys-lfu'
  | 'volatile-random'
  | 'allkeys-random'
  | 'volatile-ttl'
  | 'noeviction';

/** Options for {@link ManagedRedis}. Every option has AMR's default. */
export interface ManagedRedisOptions {
  /** The SKU, e.g. `Balanced_B5` (the default). Decides shard count and memory. */
  sku?: SkuName;
  /** `OSS` (AMR's default), `Enterprise` or `NoCluster` (SKUs up to 25 GB, not Flash). */
  clusterPolicy?: ClusterPolicy;
  /** Replica shards on other nodes (default true, as on AMR). */
  highAvailability?: boolean;
  /**
   * Part of an active geo-replication group: DEL/MSET/UNLINK must be single-slot, FLUSHALL/FLUSHDB
   * are blocked. This alone links nothing: {@link GeoReplicationGroup.create} makes linked members.
   */
  geoReplication?: boolean;
  /** `'real'` (default), `'virtual'`, or a clock of your own. */
  clock?: 'real' | 'virtual' | Clock;
  /** Start time of a virtual clock in ms since the epoch (default 2025-01-01T00:00:00Z). */
  startTime?: number;
  /** Seed of the one PRNG (default 0). */
  seed?: number;
  /** Eviction policy (default `volatile-lru`, as on AMR). See docs/eviction.md. */
  evictionPolicy?: EvictionPolicy;
  /**
   * Memory bound of the whole cache in bytes, split evenly over its primary shards (each shard's
   * `maxmemory` is this divided by the shard count, and each shard evicts on its own). Default:
   * the SKU's, about 80% of its size. Each shard's share must exceed the ~924 KB an empty Redis
   * process already uses (`used_memory_startup`); 0 means no limit. See docs/eviction.md.
   */
  maxmemoryBytes?: number;
  /** `notify-keyspace-events` flags (default empty). */
  notifyKeyspaceEvents?: string;
  /** Cache name, used in the hostname `<name>.<region>.redis.azure.net` (default `emulator`). */
  name?: string;
  /** Azure region for the hostname (default `eastus`). */
  region?: string;
  /** Remove expired keys in the background as Redis does, 10 times a second (default true). */
  activeExpiry?: boolean;
  /**
   * Replication and failover model (with `highAvailability`): lag model, jitter, backlog size,
   * detection/promotion times. See docs/failover.md.
   */
  replication?: ReplicationOptions;
  /**
   * Flash Optimized SKUs only: the RAM share of each shard (default 0.2) and the value size above
   * which values stay in RAM (default 512 KiB). See docs/flash.md.
   */
  flash?: FlashOptions;
  /**
   * An access key that connections must give with AUTH (or HELLO … AUTH) before other commands,
   * as AMR requires: `createClient({ password })` sends it at connect; a client without it gets
   * `NOAUTH Authentication required.`, a wrong one `WRONGPASS …`. Without this option any
   * credentials are accepted and no connection needs them. `execute()` and the typed methods never
   * need it. With {@link entra} too, both work (AMR's access keys enabled alongside Entra). See
   * docs/authentication.md.
   */
  accessKey?: string;
  /**
   * Modules chosen at creation, by their ARM names: `['RedisJSON']` adds the RedisJSON 2.8
   * commands (`JSON.SET`, `JSON.GET` …), `['RedisTimeSeries']` the RedisTimeSeries 1.12 `TS.*`
   * commands, `'RedisBloom'` the `BF.*` commands, `'RediSearch'` the RediSearch 2.10 `FT.*`
   * commands (indexes over HASH and, with RedisJSON, JSON keys), each with MODULE LIST's entry and INFO's modules
   * line; an entry may carry ARM's `args`, e.g. `{ name: 'RedisBloom', args: 'ERROR_RATE 0.01
   * INITIAL_SIZE 400' }`. AMR's rules apply (RediSearch needs the Enterprise policy and
   * noeviction, only RedisJSON runs on Flash, RedisBloom and RedisTimeSeries not with
   * geo-replication). Default: none. See
   * docs/modules.md.
   */
  modules?: ReadonlyArray<ModuleName | ModuleSpec>;
  /**
   * Microsoft Entra ID authentication: the principals (object IDs) with an access policy on the
   * cache, each with an optional ACL access string (default `+@all ~* &*`). Connections then
   * authenticate with `AUTH <objectId> <token>` using a token from `cache.entra.issueToken()`,
   * must re-AUTH before it expires (the server closes them at expiry, on the cache clock), and
   * run under their principal's ACL (`NOPERM` for what it does not grant). Without `accessKey`,
   * access keys are disabled, as on a new AMR cache: the default user cannot authenticate.
   * Without this option and `accessKey` the cache stays open. See docs/authentication.md.
   */
  entra?: EntraOptions;
  /**
   * AMR data persistence: `{ rdb: '1h' | '6h' | '12h' }` (a snapshot at that interval, counted from
   * the end of the previous backup) or `{ aof: '1s' }` (every write fsynced within a second); not
   * both, and not with `geoReplication`. Used only to recover a shard that lost both its primary and
   * its replica: it comes back from the last snapshot (losing the writes since) or from the AOF
   * (losing at most ~1 s of writes) instead of empty. INFO persistence and CONFIG `appendonly` /
   * `save` reflect it. Default: off. See docs/persistence.md.
   */
  persistence?: PersistenceOptions;
  /**
   * Measure each command's real duration with `performance.now()` (default false). Without it every
   * command takes 0 µs: INFO commandstats' `usec`, LATENCY HISTOGRAM and the slow log are then
   * deterministic, and timing costs nothing. See docs/observability.md.
   */
  commandTiming?: boolean;
}

/** The virtual clock's default start: 2025-01-01T00:00:00Z. */
export const DEFAULT_START_TIME = 1735689600000;

/** How often active expiry runs (Redis's default `hz` is 10). */
const ACTIVE_EXPIRY_INTERVAL_MS = 100;

export interface ManagedRedis extends SyncCommands {}

/**
 * An in-process Azure Managed Redis instance.
 *
 * ```ts
 * const cache = new ManagedRedis({ sku: 'Balanced_B5', clusterPolicy: 'OSS', clock: 'virtual', seed: 1 });
 * cache.execute(['SET', 'k', 'v']); // 'OK'
 * const redis = cache.createClient(); // ioredis-compatible
 * ```
 */
export class ManagedRedis implements CacheCore {
  /** The cache's clock; with `clock: 'virtual'`, `advance(ms)` drives TTLs and timers. */
  readonly clock: Clock;
  /** The one seeded PRNG. */
  readonly rng: Rng;
  /** Settings as CONFIG GET reports them. */
  readonly settings: Config;
  /** Nodes, shards and slots of the SKU. */
  readonly topology: Topology;
  readonly policy: ClusterPolicy;
  readonly geoReplication: boolean;
  /** @internal Set while the cache is a member of a {@link GeoReplicationGroup} (INFO `crdt`). */
  geo: GeoInfoSource | null = null;
  /** The access key connections must AUTH with (the `accessKey` option), or null. */
  readonly accessKey: string | null;
  /**
   * Microsoft Entra ID authentication (the `entra` option): principals, `issueToken()`, token
   * expiry. Null when Entra is not enabled.
   */
  readonly entra: EntraAuth | null;
  /** Primary shards, in slot order. */
  readonly shards: readonly Shard[];
  /** Typed events (failover, expiry …). */
  readonly events = new EventBus();
  readonly stats: ServerStats;
  readonly commands: ReadonlyMap<string, CommandSpec>;
  /** Modules loaded at creation (the `modules` option). */
  readonly modules: readonly LoadedModule[];
  readonly changeListeners: ChangeListener[] = [];
  /** Per-command counters, latency histograms, the slow log and MONITOR clients (docs/observability.md). */
  readonly commandLog: CommandLog;
  /** @internal Serves blocked clients after the running top-level command (src/blocking.ts). */
  pendingServe: (() => void) | null = null;
  /** @internal Client-side caching tables while any connection tracks (src/tracking.ts). */
  tracking: ClientTracking | null = null;
  readonly clients = new Map<number, ClientState>();
  private readonly slotToShard: Uint16Array;
  private nextClientId = 1;
  private readonly defaultClient: ClientState;
  private activeExpiryTimer: TimerHandle | null = null;
  private closed = false;
  /** RESP servers started by {@link listen} and still listening. */
  private readonly servers = new Set<RespServer>();
  /**
   * Replicas, replication offsets and lag, replica views, dataset digests (see docs/failover.md).
   * Present with and without high availability (without it no shard has a replica).
   */
  readonly replication: Replication;
  /** Fault injection (shards, nodes, zones, network splits), planned failover and maintenance runs. */
  readonly faults: Faults;
  /**
   * Data persistence (the `persistence` option): RDB snapshots or the AOF on the clock, INFO
   * persistence's figures, and recovery of shards that lost every copy. Present when off too
   * (`mode` null). See docs/persistence.md.
   */
  readonly persistence: Persistence;
  /** Scaling (`cache.scale()`): the run in progress, `status`, `skusForScaling()`. See docs/scaling.md. */
  readonly scaling: Scaling;
  /** @internal The `maxmemoryBytes` option (a whole-cache figure), or undefined for the SKU's. */
  readonly maxmemoryOption: number | undefined;
  /**
   * Flash Optimized SKUs: where values are (RAM or NVMe) and each shard's Auto Tiering figures
   * (src/flash.ts, docs/flash.md). Null on the in-memory tiers.
   */
  readonly flash: FlashTiering | null;

  constructor(options: ManagedRedisOptions = {}) {
    const resolved = validateOptions(options);
    const persistence = resolvePersistence(options.persistence, resolved.geoReplication);
    this.policy = resolved.clusterPolicy;
    this.geoReplication = resolved.geoReplication;
    if (options.accessKey !== undefined && (typeof options.accessKey !== 'string' || options.accessKey === '')) {
      throw new RangeError('accessKey must be a non-empty string');
    }
    this.accessKey = options.accessKey ?? null;
    this.clock = clockFor(options.clock, options.startTime ?? DEFAULT_START_TIME);
    this.rng = new Rng(options.seed ?? 0);
    this.entra = options.entra === undefined ? null : new EntraAuth(options.entra, this.clock, this.events, this);
    this.stats = {
      commandsProcessed: 0,
      connectionsReceived: 0,
      keyspaceHits: 0,
      keyspaceMisses: 0,
      dirty: 0,
      startTime: this.clock.now(),
      errorReplies: 0,
      errorCounts: new Map(),
    };
    this.topology = buildTopology({
      sku: resolved.sku,
      policy: resolved.clusterPolicy,
      highAvailability: resolved.highAvailability,
      hostname: `${options.name ?? 'emulator'}.${options.region ?? 'eastus'}.redis.azure.net`,
      randomHex: (bytes) => this.rng.hex(bytes),
    });
    this.slotToShard = this.topology.slotToShard;
    this.shards = this.topology.shards.map((placement) => {
      const shard: Shard = { index: placement.index, keyspace: new Keyspace(), gate: null, tier: null };
      this.wireKeyspace(shard, shard.keyspace);
      return shard;
    });
    const maxmemoryPerShard = maxmemoryPerShardOf(options.maxmemoryBytes, this.shards.length, resolved.maxmemoryPerShardBytes);
    this.maxmemoryOption = options.maxmemoryBytes;
    this.settings = defaultConfig({
      evictionPolicy: options.evictionPolicy ?? 'volatile-lru',
      notifyKeyspaceEvents: options.notifyKeyspaceEvents ?? '',
      maxmemoryBytes: maxmemoryPerShard,
      persistence,
      maxClients: getSku(resolved.sku).maxClients,
    });
    this.settings.onChange((name) => {
      if (name === 'maxmemory') for (const shard of this.shards) this.applyMemoryLimit(shard.keyspace);
      else if (name === 'maxmemory-policy') {
        this.applyAccessTracking();
        for (const shard of this.shards) resetEvictionPool(shard.keyspace);
      }
    });
    for (const shard of this.shards) this.applyMemoryLimit(shard.keyspace);
    if (getSku(resolved.sku).flash) {
      const tierOptions = flashOptions(options.flash);
      const maxmemory = () => Number(this.settings.get('maxmemory') ?? 0);
      for (const shard of this.shards) shard.tier = new ShardTier(shard.index, shard.keyspace, tierOptions, maxmemory);
      this.flash = new FlashTiering(
        this.shards.map((shard) => shard.tier!),
        (key) => this.slotToShard[keySlot(key)],
      );
    } else {
      if (options.flash !== undefined) throw new RangeError(`The flash options apply to Flash Optimized SKUs only; ${resolved.sku} keeps all data in memory`);
      this.flash = null;
    }
    this.modules = resolveModules(options.modules, {
      sku: resolved.sku,
      flash: getSku(resolved.sku).flash,
      policy: resolved.clusterPolicy,
      geoReplication: resolved.geoReplication,
      evictionPolicy: options.evictionPolicy ?? 'volatile-lru',
      seed: options.seed ?? 0,
    });
    const moduleCommands = this.modules.flatMap((m) => m.commands);
    this.commands = buildCommandTable(moduleCommands);
    this.commandLog = new CommandLog(this, numberSpecs(moduleCommands), options.commandTiming === true);
    trackNotifyFlags(this, options.notifyKeyspaceEvents);
    this.applyAccessTracking();
    // The in-process owner (execute, the typed methods) needs no key.
    this.defaultClient = this.openClient({ name: null, authenticated: true });
    this.defaultClient.internal = true;
    this.replication = new Replication(this, options.replication ?? {}, maxmemoryPerShard || resolved.maxmemoryPerShardBytes, this.defaultClient);
    this.persistence = new Persistence(this, persistence, this.defaultClient);
    this.faults = new Faults(this, this.replication);
    this.scaling = new Scaling(this);
    if (options.activeExpiry !== false) this.scheduleActiveExpiry();
  }

  /**
   * Resolves once the asynchronous parts are loaded: the xxhash64 WebAssembly module behind
   * `cache.replication.digest()`. Await it once before the first digest; everything else is
   * synchronous and ready at construction.
   */
  ready(): Promise<void> {
    return loadDigest();
  }

  /** Gives a keyspace a primary shard's hooks (expiry/eviction reporting, counters, clock). */
  private wireKeyspace(shard: Shard, keyspace: Keyspace): void {
    keyspace.onRemoved = (key, reason) => this.keyRemoved(shard, key, reason);
    keyspace.onSubkeysExpired = (key, events, effects) => this.subkeysExpired(shard, key, events, effects);
    keyspace.counters = this.stats;
    keyspace.clockNow = () => this.clock.now();
    // The settings exist from construction on (the shards are wired before them, then again).
    if (this.settings !== undefined) this.applyMemoryLimit(keyspace);
  }

  /**
   * Sets where a primary keyspace starts evicting: the shard's `maxmemory` less the memory an
   * empty Redis process already uses (what INFO's `used_memory` adds to the dataset).
   */
  private applyMemoryLimit(keyspace: Keyspace): void {
    const maxmemory = Number(this.settings.get('maxmemory') ?? 0);
    keyspace.evictAbove = maxmemory > 0 ? maxmemory - STARTUP_BYTES : Infinity;
  }

  /**
   * @internal Makes `keyspace` the serving data of `shard` (a promoted replica, or an empty
   * primary after both copies were lost): primary hooks and a fresh access tracker.
   */
  installKeyspace(shard: Shard, keyspace: Keyspace): void {
    this.wireKeyspace(shard, keyspace);
    const policy = this.settings.get('maxmemory-policy');
    const mode = accessModeFor(policy);
    const now = this.clock.now();
    // The keys it holds become eviction candidates from now (their idle time starts at promotion).
    keyspace.track(mode === null ? null : new AccessTracker({ mode, rng: this.rng, since: now }), isAllKeysPolicy(policy), now);
    shard.keyspace = keyspace;
    shard.tier?.rebind(keyspace);
  }

  /** The shard that owns a slot. */
  shardForSlot(slot: number): Shard {
    return this.shards[this.slotToShard[slot]];
  }

  /**
   * Runs one command synchronously and returns its reply as ioredis would (statuses and bulk
   * strings as strings, integers as numbers). Throws a ReplyError for error replies.
   */
  execute(argv: readonly Bytes[]): PlainReply {
    return toPlain(dispatch(this, this.defaultClient, argv), false);
  }

  /** Like {@link execute}, with bulk strings as Buffers. */
  executeBuffer(argv: readonly Bytes[]): PlainReply {
    return toPlain(dispatch(this, this.defaultClient, argv), true);
  }

  /**
   * Runs one command and returns the typed reply (status, double, map … kept distinct), for a
   * given connection. For facades and exact comparisons.
   */
  executeReply(argv: readonly Bytes[], client: ClientState = this.defaultClient): Reply {
    return dispatch(this, client, argv);
  }

  /** Runs a command whose declaration the caller already holds (the typed methods). */
  runSpec(spec: CommandSpec, argv: readonly Bytes[], client: ClientState = this.defaultClient): Reply {
    return dispatch(this, client, argv, spec);
  }

  /** Looks up a declaration, checking arity (throws the server's errors). */
  lookup(argv: readonly Bytes[]): CommandSpec {
    return lookupCommand(this, argv);
  }

  /** An ioredis-compatible client on this cache. */
  createClient(options: ClientOptions = {}): RedisClient {
    return createClient(this, options);
  }

  /**
   * Serves this cache over TCP with the Redis protocol (RESP2 and RESP3), on `127.0.0.1` and a
   * free port by default, so any Redis client — node-redis, ioredis, redis-cli — can use it. Each
   * TCP connection is one emulated client (MULTI/EXEC, WATCH, pub/sub, blocking commands, AUTH
   * with the `accessKey`, HELLO 3, CLIENT …). `close()` on the result, or on the cache, stops it.
   * See docs/resp-server.md.
   *
   * ```ts
   * const server = await cache.listen();
   * const client = createClient({ url: server.url }); // node-redis
   * ```
   */
  async listen(options: ListenOptions = {}): Promise<RespServer> {
    // Loaded on demand: the cache itself never needs node:net.
    const { listen } = await import('./server/server.js');
    const server = await listen(this, options);
    this.servers.add(server);
    server.closed.then(() => this.servers.delete(server));
    return server;
  }

  /** Registers a connection (facades call this; CLIENT LIST shows it). */
  openClient(init: { name: string | null; node?: number; authenticated?: boolean; addr?: string }): ClientState {
    const id = this.nextClientId++;
    // A node without primary shards (the replica-only node of a one-shard SKU) serves nothing
    // itself: the connection behaves as one to the bootstrap endpoint.
    const requested = init.node === undefined ? null : this.topology.nodes[init.node];
    const node = requested && this.topology.shards.some((s) => s.primaryNode === requested.index) ? requested : null;
    const client: ClientState = {
      id,
      name: init.name,
      resp: 2,
      createdAt: this.clock.now(),
      lastInteraction: this.clock.now(),
      lastCommand: 'NULL',
      addr: init.addr ?? `127.0.0.1:${40000 + id}`,
      laddr: node ? `${node.ip}:${node.port}` : `${this.topology.hostname}:${this.topology.port}`,
      libName: '',
      libVersion: '',
      shards: node
        ? this.shards.filter((s) => this.topology.shards[s.index].primaryNode === node.index)
        : this.shards,
      closed: false,
      authenticated: (this.accessKey === null && this.entra === null) || init.authenticated === true,
      user: null,
      disconnect: null,
      canBlock: false,
      multi: null,
      inMulti: false,
      watch: null,
      watching: 0,
      pubsub: null,
      subscriptions: 0,
      push: null,
      tracking: null,
      replyMode: 'on',
    };
    this.clients.set(id, client);
    this.stats.connectionsReceived++;
    return client;
  }

  /** Forgets a connection. */
  closeClient(client: ClientState): void {
    client.closed = true;
    this.clients.delete(client.id);
    this.entra?.endSession(client);
    releaseTransaction(this, client);
    dropSubscriptions(this, client);
    dropTracking(this, client);
    this.commandLog.removeMonitor(client);
    const onClose = client.onClose;
    if (onClose) {
      client.onClose = null;
      onClose();
    }
  }

  /** Stops background timers (active expiry) and the RESP servers of {@link listen}. The cache stays usable. */
  close(): void {
    this.closed = true;
    for (const server of this.servers) void server.close();
    this.activeExpiryTimer?.cancel();
    this.activeExpiryTimer = null;
    this.replication.stop();
    this.persistence.stop();
  }

  /**
   * Scales the cache to another SKU (and, for a NoCluster cache, to the OSS or Enterprise policy),
   * on the cache's clock, as AMR does: AMR's rules are checked first (no move between in-memory
   * and Flash tiers; a scale-down only to the same shard count, when the used memory fits, and not
   * with geo-replication; the policy changes only from NoCluster) — a RangeError says which one
   * failed. With high availability the nodes are replaced one by one (data kept, short connection
   * blips) and the data is resharded over the new SKU's shards; without it the cache is offline
   * and loses its data until the run ends. {@link status} is `Scaling` meanwhile. Events
   * `scaling-started`, `scaling-step`, `scaling-completed`. See docs/scaling.md.
   */
  scale(target: ScaleTarget): ScalingRun {
    return this.scaling.start(target);
  }

  /** ARM's `resourceState`: `Scaling` while {@link scale} runs, else `Running`. */
  get status(): 'Running' | 'Scaling' {
    return this.scaling.status;
  }

  /**
   * AMR export: the whole dataset as one RDB file, version 12 as Redis 7.4 writes it (AUX fields,
   * function libraries, every key with its expiry and LRU idle time or LFU counter, CRC-64), or
   * gzipped with `{ gzip: true }` as AMR writes its `.gz` blobs. The cache stays available. Emits
   * `rdb-exported`. See docs/persistence.md.
   */
  exportRdb(options: ExportRdbOptions = {}): Buffer {
    return exportRdb(this, options);
  }

  /**
   * AMR import: deletes all existing data (and function libraries), then loads one or several RDB
   * files (RDB version ≤ 12, plain or gzipped; several blobs as AMR allows), each key into the shard
   * owning its slot; keys whose TTL has passed are dropped, as a primary loading an RDB drops them.
   * Every file is checked (signature, version, CRC-64, values) before anything changes: a bad one
   * throws an `RdbFileError` and leaves the cache as it was. The cache is unavailable during an
   * import; in process it is synchronous, so no command runs meanwhile. Emits `rdb-imported`.
   */
  importRdb(blobs: Buffer | readonly Buffer[]): ImportRdbResult {
    return importRdb(this, blobs);
  }

  /**
   * Gives every shard the LRU/LFU tracker its maxmemory policy needs (none for noeviction, random
   * and ttl policies). Call again after the policy changes.
   */
  applyAccessTracking(): void {
    const policy = this.settings.get('maxmemory-policy');
    const mode = accessModeFor(policy);
    for (const shard of this.shards) {
      const now = this.clock.now();
      shard.keyspace.track(mode === null ? null : new AccessTracker({ mode, rng: this.rng, since: now }), isAllKeysPolicy(policy), now);
    }
  }

  private scheduleActiveExpiry(): void {
    if (this.closed) return;
    this.activeExpiryTimer = this.clock.setTimeout(() => {
      const now = this.clock.now();
      for (const shard of this.shards) shard.keyspace.activeExpire(now);
      this.scheduleActiveExpiry();
    }, ACTIVE_EXPIRY_INTERVAL_MS);
  }

  /** Hash fields removed by active expiry: `hexpired` (and `del` when the hash empties), replicated as HDEL. */
  private subkeysExpired(shard: Shard, key: string, events: readonly string[], effects: Bytes[][]): void {
    this.stats.dirty++;
    if (this.changeListeners.length === 0) return;
    const change = {
      shard,
      command: 'expired',
      keys: events.map(() => key),
      events,
      effects,
      time: this.clock.now(),
    };
    for (const listener of this.changeListeners) listener(change);
  }

  /** Expiry and eviction go through the same change hook as commands, as a DEL. */
  private keyRemoved(shard: Shard, key: string, reason: 'expired' | 'evicted'): void {
    this.stats.dirty++;
    shard.tier?.forget(key);
    const type = reason === 'expired' ? 'key-expired' : 'key-evicted';
    if (this.events.wants(type)) this.events.emit(type, this.clock.now(), { key: Buffer.from(key, 'latin1'), shard: shard.index });
    if (this.changeListeners.length === 0) return;
    const change = {
      shard,
      command: reason,
      keys: [key],
      events: [reason],
      effects: [[ 'DEL', Buffer.from(key, 'latin1') ]],
      time: this.clock.now(),
    };
    for (const listener of this.changeListeners) listener(change);
  }
}

/**
 * The per-shard maxmemory for a `maxmemoryBytes` option (a whole-cache figure), or the SKU's when
 * not given. Throws a RangeError naming the problem for a value that cannot work.
 */
function maxmemoryPerShardOf(total: number | undefined, shards: number, skuDefault: number): number {
  if (total === undefined) return skuDefault;
  if (typeof total !== 'number' || !Number.isSafeInteger(total) || total < 0) {
    throw new RangeError(`maxmemoryBytes must be a non-negative integer number of bytes (got ${String(total)})`);
  }
  if (total === 0) return 0;
  const perShard = Math.floor(total / shards);
  if (perShard <= STARTUP_BYTES) {
    throw new RangeError(
      `maxmemoryBytes ${total} leaves each of the ${shards} primary shards ${perShard} bytes, no more than the ` +
        `${STARTUP_BYTES} bytes an empty shard already uses; give at least ${(STARTUP_BYTES + 1) * shards} ` +
        `(more for data), or 0 for no limit`,
    );
  }
  return perShard;
}

installSyncCommands(ManagedRedis.prototype);
