/**
 * The shapes shared by the layers: shards, connections, the cache core that commands see.
 */
import type { Persistence } from './persistence/persistence.js';
import type { ShardTier } from './flash.js';
import type { Bytes } from './keyspace/bytes.js';
import type { Keyspace } from './keyspace/keyspace.js';
import type { Clock } from './clock.js';
import type { Rng } from './rng.js';
import type { Topology } from './cluster/topology.js';
import type { Config } from './config.js';
import type { CommandSpec } from './commands/command.js';
import type { Reply } from './protocol/reply.js';
import type { ReplicationObserver } from './replication/types.js';
import type { ClientTracking, TrackingState } from './tracking.js';
import type { LoadedModule } from './modules.js';
import type { AclUser } from './acl/user.js';
import type { EntraAuth } from './entra.js';
import type { CommandLog } from './command-log.js';

/** The three AMR clustering policies. */
export type ClusterPolicy = 'OSS' | 'Enterprise' | 'NoCluster';

/** A primary shard: a keyspace owning some slots. */
export interface Shard {
  /** 0-based shard number. */
  readonly index: number;
  /** The serving copy's data; replaced when a replica is promoted (failover). */
  keyspace: Keyspace;
  /**
   * Null while the shard serves normally. Set by the replication layer while it cannot (failover
   * in progress, both copies lost, minority side of a split): dispatch calls it before running a
   * keyed command routed here, and it throws the error the client sees.
   */
  gate: ((spec: CommandSpec) => void) | null;
  /** Flash Optimized SKUs: where this shard's values are (RAM or Flash); null on other SKUs. */
  tier: ShardTier | null;
}

/** One connection's state (CLIENT LIST fields, protocol, name …). */
export interface ClientState {
  readonly id: number;
  name: string | null;
  /** 2 or 3 (HELLO). */
  resp: 2 | 3;
  readonly createdAt: number;
  lastInteraction: number;
  lastCommand: string;
  /** `host:port` the client appears to connect from. */
  readonly addr: string;
  /** `host:port` of the endpoint it connected to. */
  readonly laddr: string;
  /** Library name / version set by CLIENT SETINFO. */
  libName: string;
  libVersion: string;
  /** Shards that whole-database commands (DBSIZE, KEYS, SCAN, FLUSHALL …) cover for this client. */
  readonly shards: readonly Shard[];
  closed: boolean;
  /**
   * False while a connection to a cache with an `accessKey` has not authenticated: every command
   * but AUTH, HELLO, QUIT and RESET answers NOAUTH. Always true without an access key.
   */
  authenticated: boolean;
  /**
   * The ACL user the connection runs as: null for `default` (every command, key and channel: no
   * checks), else a Microsoft Entra principal whose access string dispatch enforces (src/acl/user.ts).
   */
  user: AclUser | null;
  /**
   * Closes the connection from the server side (an expired Entra token): set by the asynchronous
   * client's connection, whose client then reconnects per its retryStrategy. Null: the cache just
   * forgets the connection.
   */
  disconnect: ((error: Error) => void) | null;
  /**
   * True when a blocking command (BLPOP, BLMOVE, BZPOPMIN …) may block this connection: the
   * asynchronous client sets it. False (the default) for the synchronous facade, and to be set
   * false while EXEC or a script runs: blocking commands then answer as timed out, as in Redis.
   */
  canBlock: boolean;
  /** The transaction being queued after MULTI (null outside MULTI): see src/transactions.ts. */
  multi: MultiState | null;
  /** True while in MULTI (CLIENT LIST flag `x`, `multi=`). */
  inMulti: boolean;
  /** Keys this connection WATCHes (null when none): see src/transactions.ts. */
  watch: WatchState | null;
  /** Number of keys watched (CLIENT LIST `watch=`, INFO `watching_clients`). */
  watching: number;
  /** Channels, patterns and shard channels subscribed to (null before the first SUBSCRIBE): see src/pubsub.ts. */
  pubsub: ClientSubscriptions | null;
  /** Channels + patterns + shard channels (CLIENT LIST flag `P`; a RESP2 connection with any is in subscriber mode). */
  subscriptions: number;
  /**
   * Where out-of-band messages for this connection go (pub/sub messages and, in RESP3, the
   * subscribe confirmations): each message is the array Redis sends (`['message', channel,
   * payload]` …), a push in RESP3 and a plain array in RESP2. Called synchronously, in order; a
   * facade defers delivery itself (the ioredis-compatible client uses a microtask). Null: dropped.
   */
  push: ((message: Reply[]) => void) | null;
  /** Client-side caching settings (CLIENT TRACKING ON), null while off: see src/tracking.ts. */
  tracking: TrackingState | null;
  /**
   * CLIENT REPLY: `on`; `off` (no replies); `skip-next` (set by CLIENT REPLY SKIP, whose own reply
   * is withheld) then `skip` (the next command's reply is withheld). See dispatch.
   */
  replyMode: 'on' | 'off' | 'skip-next' | 'skip';
  /**
   * Where MONITOR lines go once this connection runs MONITOR (the text of each status reply,
   * `1735689600.000000 [0 127.0.0.1:40001] "SET" "k" "v"`); a facade that can receive them sets
   * it. Absent or null: MONITOR is refused, as Redis refuses it to a client that may not block.
   */
  onMonitor?: ((line: string) => void) | null;
  /** True while the connection is in MONITOR mode (CLIENT LIST flag `O`). */
  monitoring?: boolean;
  /** True for the connection scripts' commands run on (MONITOR shows it as `lua`, SLOWLOG as `?:0`). */
  readonly lua?: boolean;
  /**
   * Called once when the cache closes this connection (QUIT, CLIENT KILL, a facade's close), so a
   * facade holding a real socket closes it too (src/server). Absent: nothing to do.
   */
  onClose?: (() => void) | null;
  /**
   * True for the cache's own in-process caller (`cache.execute`, the typed methods): not a
   * connection, so CLIENT LIST, CLIENT KILL, INFO `connected_clients` and `maxclients` see it only
   * from itself, as a real server never lists a client nobody connected.
   */
  internal?: boolean;
  /** Reply bytes written to the socket and not yet sent (CLIENT LIST `omem`); absent: none. Set by the RESP server. */
  outputBytes?: () => number;
  /**
   * A request being received and not yet run (CLIENT LIST `qbuf` and `argv-mem` of another
   * connection): its unread bytes and its arguments read so far. Set by the RESP server.
   */
  pendingRequest?: () => { bytes: number; argvBytes: number };
}

/** One queued command of a transaction. */
export interface QueuedCommand {
  readonly spec: CommandSpec;
  readonly argv: readonly Bytes[];
}

/** A connection's MULTI state. */
export interface MultiState {
  readonly queue: QueuedCommand[];
  /** A command was rejected while queueing: EXEC answers EXECABORT (Redis's CLIENT_DIRTY_EXEC). */
  aborted: boolean;
}

/** The keys a connection watches (WATCH) and whether one of them changed since. */
export interface WatchState {
  /** Canonical key name → the keyspace it was watched in and whether it was already expired then. */
  readonly keys: Map<string, { readonly db: Keyspace; expired: boolean }>;
  /** A watched key changed: EXEC answers a null array (Redis's CLIENT_DIRTY_CAS). */
  dirty: boolean;
}

/** A connection's pub/sub subscriptions, in subscription order. */
export interface ClientSubscriptions {
  readonly channels: Set<string>;
  readonly patterns: Set<string>;
  readonly shardChannels: Set<string>;
}

/** A change a command (or expiry/eviction) made, as reported through the one change hook. */
export interface ChangeRecord {
  readonly shard: Shard;
  /** The command name (lower case), or `expired` / `evicted` for removals nobody asked for. */
  readonly command: string;
  /** Keys changed, in order, with the keyspace event name for each. */
  readonly keys: readonly string[];
  readonly events: readonly string[];
  /** What to replay on a replica: normalised argv lists (absolute expiry times, DEL for removals). */
  readonly effects: readonly (readonly Bytes[])[];
  readonly time: number;
  /** The connection whose command made the change; absent for expiry and eviction. */
  readonly client?: ClientState;
  /** The command's arguments (absent for expiry, eviction and merges): geo-replication reads counters' increments. */
  readonly argv?: readonly Bytes[];
  /** Keys among {@link keys} changed without touching WATCH (consumer-group state); absent or null when none. */
  readonly unwatched?: readonly string[] | null;
}

export type ChangeListener = (change: ChangeRecord) => void;

/** What a member of a geo-replication group shows in INFO's `crdt` section. */
export interface GeoInfoSource {
  /** The section's fields, in order. */
  crdtInfo(): [string, string | number][];
}

/** Counters INFO reports. */
export interface ServerStats {
  commandsProcessed: number;
  connectionsReceived: number;
  keyspaceHits: number;
  keyspaceMisses: number;
  /** Changes since start (rdb_changes_since_last_save). */
  dirty: number;
  readonly startTime: number;
  /** Error replies sent (total_error_replies). */
  errorReplies: number;
  /** Error replies by their first word (`ERR`, `WRONGTYPE` …), for INFO errorstats. */
  readonly errorCounts: Map<string, number>;
}

/** What commands see of the cache. */
export interface CacheCore {
  readonly clock: Clock;
  readonly rng: Rng;
  readonly settings: Config;
  readonly topology: Topology;
  readonly policy: ClusterPolicy;
  readonly geoReplication: boolean;
  /** The geo-replication group's view of this member (INFO `crdt`), null when not linked (src/geo). */
  readonly geo: GeoInfoSource | null;
  /** The access key AUTH must give (the `accessKey` option), or null: any credentials are accepted. */
  readonly accessKey: string | null;
  /** Microsoft Entra ID authentication (the `entra` option), or null when it is not enabled. */
  readonly entra: EntraAuth | null;
  readonly shards: readonly Shard[];
  /** The shard that owns `slot`. */
  shardForSlot(slot: number): Shard;
  readonly clients: ReadonlyMap<number, ClientState>;
  readonly stats: ServerStats;
  /** Command declarations by lower-case name. */
  readonly commands: ReadonlyMap<string, CommandSpec>;
  /** Modules loaded at creation (the `modules` option): MODULE LIST, INFO modules, their commands. */
  readonly modules: readonly LoadedModule[];
  /** Forgets a connection (QUIT, CLIENT KILL). */
  closeClient(client: ClientState): void;
  /** Listeners of the change hook; empty when nobody listens (then reporting costs nothing). */
  readonly changeListeners: ChangeListener[];
  /** Replication state for INFO replication, ROLE and WAIT (absent on a bare core). */
  readonly replication?: ReplicationObserver;
  /** Data persistence state for INFO persistence (absent on a bare core). */
  readonly persistence?: Persistence;
  /**
   * Set while blocked clients wait to be served (a key they wait on changed): dispatch calls it
   * after the top-level command, so they are served before the next command runs, as in Redis.
   */
  pendingServe: (() => void) | null;
  /**
   * Client-side caching tables, created by the first CLIENT TRACKING ON and dropped once nobody
   * tracks and nothing is remembered (src/tracking.ts); null meanwhile, so it costs nothing.
   */
  tracking: ClientTracking | null;
  /** Per-command counters, latency histograms, the slow log and MONITOR clients (src/command-log.ts). */
  readonly commandLog: CommandLog;
}
