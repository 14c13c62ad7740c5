/**
 * Replication, failover, maintenance and the scenario runner (docs/failover.md).
 */
export { Replication, ReplicaView, REPLICATION_DEFAULTS, defaultBacklogBytes } from './replication.js';
export { Faults } from './faults.js';
export type { ShardFaultState, MaintenanceRun } from './faults.js';
export { ShardUnavailableError } from './errors.js';
export { loadDigest, digestKeyspaces } from './digest.js';
export { at, runScenario } from './scenario.js';
export type { ScenarioAction, ScenarioWorkload, ScenarioOptions, ScenarioOp, ScenarioReport } from './scenario.js';
export type {
  LagModel,
  ReplicationEffect,
  ReplicationOptions,
  ShardReplicationStatus,
  ReplicationObserver,
} from './types.js';
