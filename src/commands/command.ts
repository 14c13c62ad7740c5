/**
 * The declaration of a command: everything dispatch, routing, `COMMAND INFO`, the typed clients and
 * the compatibility table derive from. One declaration per command (or subcommand).
 */
import type { Bytes } from '../keyspace/bytes.js';
import type { Keyspace } from '../keyspace/keyspace.js';
import type { Reply } from '../protocol/reply.js';
import type { ClientState, CacheCore, Shard } from '../core-types.js';

/**
 * Where the keys of a command are: Redis's legacy `(first, last, step)` triple (last may be
 * negative, counting from the end), or a function for the odd ones (numkeys, STREAMS …).
 */
export type KeySpec = { first: number; last: number; step: number } | ((argv: readonly Bytes[]) => number[]);

/**
 * How a multi-key command runs across slots under the Enterprise policy: split the keys by shard,
 * run each part, then merge. `sum` adds integer replies (DEL, EXISTS, UNLINK, TOUCH), `mget` puts
 * values back in argument order, `mset` runs every part and answers OK.
 */
export type CrossSlotMerge = 'sum' | 'mget' | 'mset';

/** Command flags, as `COMMAND INFO` spells them. */
export type CommandFlag =
  | 'write'
  | 'readonly'
  | 'denyoom'
  | 'module'
  | 'admin'
  | 'pubsub'
  | 'noscript'
  | 'blocking'
  | 'loading'
  | 'stale'
  | 'skip_monitor'
  | 'skip_slowlog'
  | 'asking'
  | 'fast'
  | 'no_auth'
  | 'may_replicate'
  | 'no_mandatory_keys'
  | 'no_async_loading'
  | 'no_multi'
  | 'movablekeys'
  | 'allow_busy';

export interface CommandSpec {
  /** Lower-case name; subcommands are `container|sub` (e.g. `object|encoding`). */
  name: string;
  /**
   * A number for per-command counters (INFO commandstats, LATENCY HISTOGRAM), given to every
   * declared command and subcommand once by src/commands/index.ts; not part of a declaration.
   */
  id?: number;
  /** Redis arity: exact argument count including the name when positive, a minimum when negative. */
  arity: number;
  flags: readonly CommandFlag[];
  /** Key positions; omit for keyless commands. */
  keys?: KeySpec;
  /** Enterprise-policy fan-out for the few commands AMR lets cross slots. */
  crossSlot?: CrossSlotMerge;
  /** True for whole-database commands that cover every shard the connection reaches (DBSIZE, KEYS …). */
  allShards?: boolean;
  /**
   * True for commands that run other commands (EXEC, EVAL, FCALL …): what those write reaches the
   * replicas as one `MULTI … EXEC` unit, as Redis propagates it.
   */
  replicatesAsUnit?: boolean;
  /**
   * True when AMR blocks this command in the cache's configuration (CLUSTER under the Enterprise
   * policy, FLUSHALL/FLUSHDB with geo-replication): it then answers `ERR unknown command`, before
   * any arity or subcommand check, as a server without the command would.
   */
  blocked?: (cache: CacheCore) => boolean;
  /**
   * Set on a module's commands (RedisJSON's `JSON.*`): the module's name and the legacy key range
   * it registered, which `COMMAND INFO` reports (with one key spec derived from it, as Redis does for
   * module commands) and `COMMAND DOCS` / `COMMAND LIST FILTERBY MODULE` use.
   */
  module?: { readonly name: string; readonly firstKey: number; readonly lastKey: number; readonly keyStep: number };
  /** Subcommands by lower-case name; the container itself then only checks its own arity. */
  subcommands?: Readonly<Record<string, CommandSpec>>;
  /**
   * Runs the command. Parse and validate every argument before changing anything, so an error
   * never leaves a half-applied change. Throw a ReplyError for error replies.
   */
  exec(ctx: CommandContext, argv: readonly Bytes[]): Reply;
}

/** What a command sees while it runs. */
export interface CommandContext {
  /** The cache: config, topology, shards, clients, rng, stats. */
  readonly cache: CacheCore;
  /** The connection that sent the command. */
  readonly client: ClientState;
  /** The shard the command was routed to (for keyless commands, the connection's first shard). */
  readonly shard: Shard;
  /** That shard's keyspace. */
  readonly db: Keyspace;
  /** The time of this command, read once. */
  readonly now: number;
  /**
   * Reports that `key` changed. Call once per key a write touches (after validating). WATCH,
   * keyspace notifications, replication and eviction bookkeeping hang off this.
   */
  changed(key: string, event?: string): void;
  /**
   * A change Redis makes without `signalModifiedKey` (consumer-group state: XACK, XCLAIM,
   * XREADGROUP's PEL, XGROUP, XSETID): replicated and notified like any change, but a WATCH of the
   * key stays clean.
   */
  changedQuietly(key: string, event?: string): void;
  /** Two changes of one key in a row (SET … EX: `set`, `expire`). */
  changedTwice(key: string, first: string, second: string): void;
  /**
   * True while someone listens to the change hook (replication, WATCH, notifications): a command
   * may skip building effects for {@link propagate} when it is false.
   */
  readonly recording: boolean;
  /**
   * Replaces what is replicated for this command with normalised effects (absolute expiry times,
   * DEL for a removal …). Without it a write replicates as its own argv.
   */
  propagate(...effects: Bytes[][]): void;
}

/** Declares a command (identity: gives type checking and a single place to find declarations). */
export function defineCommand(spec: CommandSpec): CommandSpec {
  return spec;
}

/** A module command's flags as its `RedisModule_CreateCommand` strings name them. */
export type ModuleCommandFlags = 'readonly' | 'write' | 'write deny-oom';

/**
 * Declares a module command as the module registers it: arity -1, its flag string (plus
 * `module`), and its legacy key range `[first, last, step]` (`[0, 0, 0]`: keyless, the command
 * finds its keys itself). Routing uses the first key unless `keys` says more.
 */
export function defineModuleCommand(
  moduleName: string,
  name: string,
  flags: ModuleCommandFlags,
  range: readonly [number, number, number],
  exec: CommandSpec['exec'],
  keys?: CommandSpec['keys'],
): CommandSpec {
  const first = range[0];
  return defineCommand({
    name,
    arity: -1,
    flags: flags === 'readonly' ? ['readonly', 'module'] : flags === 'write' ? ['write', 'module'] : ['write', 'denyoom', 'module'],
    keys: first === 0 ? undefined : (keys ?? ((argv) => (argv.length > first ? [first] : []))),
    module: { name: moduleName, firstKey: first, lastKey: range[1], keyStep: range[2] },
    exec,
  });
}

/** A module's declarer: {@link defineModuleCommand} with the module's name filled in. */
export function moduleCommandDeclarer(
  moduleName: string,
): (name: string, flags: ModuleCommandFlags, range: readonly [number, number, number], exec: CommandSpec['exec'], keys?: CommandSpec['keys']) => CommandSpec {
  return (name, flags, range, exec, keys) => defineModuleCommand(moduleName, name, flags, range, exec, keys);
}

/** Declares a container command (OBJECT, CONFIG, CLUSTER …) from its subcommands. */
export function defineContainer(
  name: string,
  arity: number,
  flags: readonly CommandFlag[],
  subcommands: readonly CommandSpec[],
): CommandSpec {
  const table: Record<string, CommandSpec> = Object.create(null);
  for (const sub of subcommands) table[sub.name.slice(sub.name.indexOf('|') + 1)] = sub;
  return {
    name,
    arity,
    flags,
    subcommands: table,
    exec() {
      throw new Error(`container command ${name} has no exec of its own`);
    },
  };
}
