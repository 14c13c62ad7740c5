/**
 * The command table: every declared command, by lower-case name. Commands not here answer
 * `ERR unknown command`, as AMR does for the commands it blocks (docs/compat.md).
 */
import type { CommandSpec } from './command.js';
import { stringCommands } from './strings.js';
import { keyCommands } from './keys.js';
import { serverCommands } from './server.js';
import { clusterCommands } from './cluster.js';
import { introspectionCommands } from './introspection.js';
import { listCommands } from './lists.js';
import { hashCommands } from './hashes.js';
import { setCommands } from './sets.js';
import { zsetCommands } from './zsets.js';
import { scriptingCommands } from './scripting.js';
import { transactionCommands } from './transactions.js';
import { pubsubCommands } from './pubsub.js';
import { replicationCommands } from './replication.js';
import { aclCommands } from './acl.js';
import { bitmapCommands } from './bitmaps.js';
import { hyperloglogCommands } from './hyperloglog.js';
import { geoCommands } from './geo.js';
import { sortCommands } from './sort.js';
import { streamCommands } from './streams.js';
import { serializationCommands } from './serialization.js';
import { observabilityCommands } from './observability.js';

/** Every implemented command declaration. */
export const allCommands: readonly CommandSpec[] = [
  ...stringCommands,
  ...keyCommands,
  ...serverCommands,
  ...clusterCommands,
  ...introspectionCommands,
  ...listCommands,
  ...hashCommands,
  ...setCommands,
  ...zsetCommands,
  ...scriptingCommands,
  ...transactionCommands,
  ...pubsubCommands,
  ...replicationCommands,
  ...aclCommands,
  ...bitmapCommands,
  ...hyperloglogCommands,
  ...geoCommands,
  ...sortCommands,
  ...streamCommands,
  ...serializationCommands,
  ...observabilityCommands,
];

/**
 * Every declared command and subcommand, in the order they were numbered; each gets its place
 * here as its `id` (the index of its per-command counters, src/command-log.ts). The core commands
 * are numbered at load; a module's commands when a cache with that module is built
 * ({@link numberSpecs}).
 */
export const numberedSpecs: CommandSpec[] = [];

/** Numbers the commands (and subcommands) that have no `id` yet; returns {@link numberedSpecs}. */
export function numberSpecs(specs: readonly CommandSpec[]): readonly CommandSpec[] {
  const number = (spec: CommandSpec): void => {
    if (spec.id !== undefined) return;
    spec.id = numberedSpecs.length;
    numberedSpecs.push(spec);
    for (const sub of Object.values(spec.subcommands ?? {})) number(sub);
  };
  for (const spec of specs) number(spec);
  return numberedSpecs;
}
numberSpecs(allCommands);

/**
 * Name → declaration, under both the lower-case and upper-case spelling (the common ones), with
 * the commands of the cache's modules (RedisJSON's `JSON.*`) added.
 */
export function buildCommandTable(moduleCommands: readonly CommandSpec[] = []): Map<string, CommandSpec> {
  const table = new Map<string, CommandSpec>();
  for (const spec of [...allCommands, ...moduleCommands]) {
    if (table.has(spec.name)) throw new Error(`command ${spec.name} is declared twice`);
    table.set(spec.name, spec);
    table.set(spec.name.toUpperCase(), spec);
  }
  return table;
}
