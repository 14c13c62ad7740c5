/**
 * azure-managed-redis-emulator: an in-process Azure Managed Redis.
 *
 * @packageDocumentation
 */
export { ManagedRedis, DEFAULT_START_TIME } from './managed-redis.js';
export type { ManagedRedisOptions, EvictionPolicy } from './managed-redis.js';
export { EntraAuth, TokenExpiredError, DEFAULT_ACCESS_STRING } from './entra.js';
export type { EntraOptions, EntraPrincipal, IssueTokenOptions } from './entra.js';
export type { AclUser, KeyPattern } from './acl/user.js';
export { VirtualClock, RealClock } from './clock.js';
export type { Clock, TimerHandle } from './clock.js';
export { EventBus } from './events.js';
export type { CacheEvents, RecordedEvent, NodeReplaced } from './events.js';
export { ReplyError } from './protocol/errors.js';
export {
  StatusReply,
  DoubleReply,
  MapReply,
  SetReply,
  BoolReply,
  VerbatimReply,
  BigNumberReply,
  NullArrayReply,
} from './protocol/reply.js';
export type { Reply } from './protocol/reply.js';
export type { PlainReply } from './protocol/plain.js';
export { keySlot } from './cluster/slots.js';
export type { ClusterPolicy, ClientState, ChangeRecord } from './core-types.js';
export type { SyncCommands, Arg } from './sync-api.js';
export { SKUS, SKU_NAMES, getSku, DEFAULT_SKU } from './cluster/skus.js';
export type { SkuName, SkuInfo, SkuTier } from './cluster/skus.js';
export { MODULE_NAMES } from './modules.js';
export type { ModuleName, ModuleSpec, LoadedModule } from './modules.js';
export type { Topology, NodeInfo, ShardPlacement } from './cluster/topology.js';
export type { FlashTiering, FlashStats, FlashPlacement, FlashOptions } from './flash.js';
export type { CommandLog, SlowlogEntry, Samples } from './command-log.js';
export { RedisClient, createClient } from './client/client.js';
export type { ClientOptions, ClientStatus } from './client/client.js';
// The RESP server (`cache.listen()`): types only, so importing the package never loads node:net.
export type { RespServer, ListenOptions, ListenTlsOptions, NodeEndpoint } from './server/server.js';
export { Pipeline } from './client/pipeline.js';
export type { PipelineResult } from './client/pipeline.js';
export type { ClusterClient, ClusterOptions } from './client/cluster.js';
export {
  Replication,
  ReplicaView,
  Faults,
  ShardUnavailableError,
  REPLICATION_DEFAULTS,
  loadDigest,
  at,
  runScenario,
} from './replication/index.js';
export type {
  LagModel,
  ReplicationEffect,
  ReplicationOptions,
  ShardReplicationStatus,
  ShardFaultState,
  MaintenanceRun,
  ScenarioAction,
  ScenarioWorkload,
  ScenarioOptions,
  ScenarioOp,
  ScenarioReport,
} from './replication/index.js';
export { Persistence, AOF_FSYNC_MS } from './persistence/persistence.js';
export type { PersistenceOptions, Recovery } from './persistence/persistence.js';
export { RdbFileError } from './persistence/import-export.js';
export type { ExportRdbOptions, ImportRdbResult } from './persistence/import-export.js';
export { Scaling, checkScale, SCALING_NODE_MS } from './cluster/scaling.js';
export type { ScaleTarget, ScalingRun, ScaleSource } from './cluster/scaling.js';
// Active geo-replication: linked caches converging by CRDT merges (docs/geo-replication.md).
export { GeoReplicationGroup } from './geo/group.js';
export type {
  GeoReplicationGroupOptions,
  GeoMemberSpec,
  GeoMemberOptions,
  GeoLagModel,
  GeoLinkInfo,
  GeoLinkStatus,
  GeoMemberStatus,
  RegionFailure,
} from './geo/group.js';
// Types that public members and signatures refer to (so the API reference can show them).
export type { Bytes } from './keyspace/bytes.js';
export type { Listener } from './events.js';
export type { Fn } from './sync-api.js';
export type { CacheCore, ChangeListener, ClientSubscriptions, GeoInfoSource, MultiState, ServerStats, Shard, WatchState } from './core-types.js';
export type { CommandSpec, CommandContext, CommandFlag, KeySpec, CrossSlotMerge } from './commands/command.js';
export type { Config } from './config.js';
export type { Rng } from './rng.js';
export type { ReplicationObserver } from './replication/types.js';
export type { PipelineHost } from './client/pipeline.js';
export type { Condition } from './client/subscriptions.js';
export type { Script } from './client/script.js';
export type { NoReply } from './protocol/reply.js';
export type { ClientTracking, TrackingState, TrackingOptions } from './tracking.js';
export type { BloomConfig } from './commands/bloom.js';
