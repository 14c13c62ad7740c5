/**
 * The one path every facade takes: look up the command, check arity, find its keys, route them by
 * the cluster policy, run it, report what changed. Synchronous; promises live only at the edges.
 */
import { keyName, type Bytes } from './keyspace/bytes.js';
import type { Keyspace } from './keyspace/keyspace.js';
import type { CommandContext, CommandSpec, KeySpec } from './commands/command.js';
import type { CacheCore, ChangeRecord, ClientState, Shard } from './core-types.js';
import { keySlot, slotOfName } from './cluster/slots.js';
import { CROSSSLOT, NOAUTH, OOM, ReplyError, unknownCommand, unknownSubcommand, wrongArity } from './protocol/errors.js';
import { performEvictions } from './keyspace/eviction.js';
import { NO_REPLY, OK, type Reply } from './protocol/reply.js';
import { execRejected, executingTransaction, isExec, queueInMulti } from './transactions.js';
import { allowedInSubscriberContext, notInSubscriberContext, PubSubReplies } from './pubsub.js';
import { assertPermitted } from './acl/user.js';
import { BlockedReply } from './blocking.js';
import type { CommandLog } from './command-log.js';

/** The context a command runs in (one per command; cheap to make). */
export class ExecContext implements CommandContext {
  /** Keys changed and their events; only recorded while someone listens. */
  keys: string[] | null = null;
  events: string[] | null = null;
  effects: Bytes[][] | null = null;
  /** Keys of {@link changedQuietly} changes (WATCH ignores them); only recorded while someone listens. */
  unwatched: string[] | null = null;
  dirty = 0;

  constructor(
    public cache: CacheCore,
    public client: ClientState,
    public shard: Shard,
    public db: Keyspace,
    public now: number,
  ) {}

  get recording(): boolean {
    return this.cache.changeListeners.length !== 0;
  }

  changed(key: string, event = ''): void {
    this.dirty++;
    if (this.cache.changeListeners.length === 0) return;
    // A literal of one: `[]` then push would allocate room for 16 on every write.
    if (this.keys === null) {
      this.keys = [key];
      this.events = [event];
    } else {
      this.keys.push(key);
      this.events!.push(event);
    }
  }

  changedQuietly(key: string, event = ''): void {
    this.changed(key, event);
    if (this.cache.changeListeners.length === 0) return;
    if (this.unwatched === null) this.unwatched = [key];
    else this.unwatched.push(key);
  }

  /**
   * Two changes of one key (SET … EX: `set` then `expire`): the same as two {@link changed} calls,
   * without growing one-element lists for the second.
   */
  changedTwice(key: string, first: string, second: string): void {
    if (this.keys !== null || this.cache.changeListeners.length === 0) {
      this.changed(key, first);
      this.changed(key, second);
      return;
    }
    this.dirty += 2;
    this.keys = [key, key];
    this.events = [first, second];
  }

  /**
   * Records a keyspace event that is no change of its own, in order with the command's changes:
   * `new` when a write creates a key (the keyspace tells the notifications module, which notes it
   * on the running command's context; see src/notifications.ts).
   */
  note(key: string, event: string): void {
    if (this.cache.changeListeners.length === 0) return;
    // A literal of one: `[]` then push would allocate room for 16 on every write.
    if (this.keys === null) {
      this.keys = [key];
      this.events = [event];
    } else {
      this.keys.push(key);
      this.events!.push(event);
    }
  }

  propagate(...effects: Bytes[][]): void {
    if (this.cache.changeListeners.length === 0) return;
    // The rest array is fresh: the first call adopts it rather than copying.
    if (this.effects === null) this.effects = effects;
    else for (let i = 0; i < effects.length; i++) this.effects.push(effects[i]);
  }
}

/** Finds the command a name refers to (case-insensitive), or throws Redis's unknown-command error. */
export function lookupCommand(cache: CacheCore, argv: readonly Bytes[]): CommandSpec {
  const raw = argv[0];
  const name = typeof raw === 'string' ? raw : raw.toString('utf8');
  let spec = cache.commands.get(name);
  if (spec === undefined) spec = cache.commands.get(name.toLowerCase());
  if (spec === undefined || (spec.blocked !== undefined && spec.blocked(cache))) {
    throw unknownCommand(name, argv.slice(1).map(String));
  }
  if ((spec.arity > 0 && argv.length !== spec.arity) || argv.length < -spec.arity) throw rejected(cache, spec, wrongArity(spec.name));
  // A container called without a subcommand runs itself (only COMMAND's arity allows that).
  if (spec.subcommands !== undefined && argv.length > 1) {
    const subName = String(argv[1]);
    const sub = spec.subcommands[subName.toLowerCase()];
    if (sub === undefined) throw unknownSubcommand(subName, spec.name);
    if ((sub.arity > 0 && argv.length !== sub.arity) || argv.length < -sub.arity) throw rejected(cache, sub, wrongArity(sub.name));
    return sub;
  }
  return spec;
}

/** Counts a command refused before it ran (INFO commandstats' rejected_calls) and returns the error. */
function rejected(cache: CacheCore, spec: CommandSpec, error: ReplyError): ReplyError {
  cache.commandLog.reject(spec);
  return error;
}

/** The argv positions of a command's keys. */
export function keyPositions(keys: KeySpec, argv: readonly Bytes[]): number[] {
  if (typeof keys === 'function') return keys(argv);
  const last = keys.last < 0 ? argv.length + keys.last : keys.last;
  const positions: number[] = [];
  for (let i = keys.first; i <= last && i < argv.length; i += keys.step) positions.push(i);
  return positions;
}

/**
 * Runs one command for a client and returns its reply (errors are thrown as ReplyError).
 * `spec` may be passed by callers that already looked it up (typed methods, EXEC).
 */
export function dispatch(cache: CacheCore, client: ClientState, argv: readonly Bytes[], spec?: CommandSpec): Reply {
  // Client-side caching and CLIENT REPLY OFF/SKIP need work around a top-level command; without
  // them the plain path below costs two field checks.
  if ((cache.tracking !== null || client.replyMode !== 'on') && current === null && !aroundCommand) {
    return dispatchAround(cache, client, argv, spec);
  }
  try {
    // A connection in MULTI queues its commands (src/transactions.ts).
    if (client.multi != null) return queueInMulti(cache, client, argv, spec);
    const reply = route(cache, client, argv, spec);
    // Blocked clients whose keys this command filled are served before the next command runs
    // (not inside EXEC or a script: those commands run with an outer context).
    if (cache.pendingServe !== null && current === null) cache.pendingServe();
    return reply;
  } catch (error) {
    if (error instanceof ReplyError) {
      // A rejected EXEC (arity, subscriber context) discards the transaction (src/transactions.ts).
      const reply = isExec(argv[0]) ? execRejected(cache, client, error) : error;
      countError(cache, reply);
      throw reply;
    }
    throw error;
  }
}

/** True while {@link dispatchAround} runs a top-level command (blocked clients it serves are inside it). */
let aroundCommand = false;

/**
 * A top-level command with client-side caching on or replies withheld: invalidations owed to the
 * previous command's connection go out first; afterwards BCAST batches go out and a CLIENT
 * CACHING mark is spent (src/tracking.ts), and CLIENT REPLY OFF/SKIP withhold the reply.
 */
function dispatchAround(cache: CacheCore, client: ClientState, argv: readonly Bytes[], spec?: CommandSpec): Reply {
  if (cache.tracking !== null && cache.tracking.hasDeferred) cache.tracking.flushDeferred();
  // CLIENT REPLY SKIP has answered (nothing): this is the command whose reply it skips.
  if (client.replyMode === 'skip-next') client.replyMode = 'skip';
  aroundCommand = true;
  let reply: Reply;
  try {
    reply = dispatch(cache, client, argv, spec);
  } catch (error) {
    if (client.replyMode === 'on' || !(error instanceof ReplyError)) throw error;
    reply = error;
  } finally {
    aroundCommand = false;
    if (cache.tracking !== null) cache.tracking.afterCommand(client, argv);
  }
  return client.replyMode === 'on' ? reply : withheld(client, reply);
}

/**
 * CLIENT REPLY OFF / SKIP: the reply (or error) a top-level command would have sent is withheld
 * ({@link NO_REPLY}); subscribe confirmations are pushes and still go, as in Redis.
 */
function withheld(client: ClientState, reply: Reply): Reply {
  const mode = client.replyMode;
  if (mode === 'skip') client.replyMode = 'on';
  // `skip-next`: a CLIENT REPLY SKIP (which answered NO_REPLY itself) or an EXEC holding one.
  else if (mode === 'skip-next') return reply;
  return reply instanceof PubSubReplies ? reply : NO_REPLY;
}

/** The connection whose top-level command is running (Redis's `server.current_client`), or null. */
let executing: ClientState | null = null;

/** The connection whose top-level command runs now (EXEC's or the script caller's for their inner commands), or null. */
export function executingClient(): ClientState | null {
  return executing;
}

/** INFO errorstats / total_error_replies: error replies by their first word. */
function countError(cache: CacheCore, error: ReplyError): void {
  const stats = cache.stats;
  stats.errorReplies++;
  const code = error.code;
  stats.errorCounts.set(code, (stats.errorCounts.get(code) ?? 0) + 1);
}

/** Looks up (or checks) the command, routes it by its keys and runs it. */
export function route(cache: CacheCore, client: ClientState, argv: readonly Bytes[], spec: CommandSpec | undefined): Reply {
  if (spec === undefined) spec = lookupCommand(cache, argv);
  else if (spec.blocked !== undefined && spec.blocked(cache)) throw unknownCommand(String(argv[0]), argv.slice(1).map(String));
  else if ((spec.arity > 0 && argv.length !== spec.arity) || argv.length < -spec.arity) throw rejected(cache, spec, wrongArity(spec.name));
  // An Entra principal runs under its ACL (Redis checks it before the cluster rules); the default
  // user (null) may run everything. A denial counts as a rejected call (INFO commandstats).
  if (client.user !== null) {
    try {
      assertPermitted(client.user, spec, argv);
    } catch (error) {
      throw error instanceof ReplyError ? rejected(cache, spec, error) : error;
    }
  }
  // A RESP2 connection with subscriptions runs only the subscriber commands (after the slot
  // rules, which the cluster checks first).
  if (client.subscriptions > 0 && client.resp === 2 && !allowedInSubscriberContext(spec.name)) {
    cache.commandLog.reject(spec);
    checkCommandSlots(cache, spec, argv);
    throw notInSubscriberContext(spec.name);
  }
  if (!client.authenticated && !spec.flags.includes('no_auth')) throw rejected(cache, spec, NOAUTH);
  cache.stats.commandsProcessed++;
  const now = cache.clock.now();
  client.lastInteraction = now;
  client.lastCommand = spec.name;
  // INFO commandstats, LATENCY HISTOGRAM, SLOWLOG and MONITOR (src/command-log.ts). Usually only
  // the call is counted; the log observes the command (duration, monitors, slow log) when needed.
  const log = cache.commandLog;
  if (log.observing) return observe(cache, client, spec, argv, now, log);
  try {
    const reply = execute(cache, client, spec, argv, now);
    // Counted after it ran, as Redis's call() counts (INFO commandstats does not count itself); a
    // blocked command counts when it is served or times out (src/blocking.ts).
    if (!(reply instanceof BlockedReply)) log.calls[spec.id!]++;
    return reply;
  } catch (error) {
    if (error instanceof ReplyError) log.fail(spec, error);
    throw error;
  }
}

/** Set while a blocked command runs again to be served: MONITOR showed it when it blocked. */
let reprocessing = false;

/** Runs a blocked command again for its client (src/blocking.ts), as Redis reprocesses it. */
export function dispatchAgain(cache: CacheCore, client: ClientState, argv: readonly Bytes[]): Reply {
  const outer = reprocessing;
  reprocessing = true;
  try {
    return dispatch(cache, client, argv);
  } finally {
    reprocessing = outer;
  }
}

/** {@link route}'s slower path: the command is timed, shown to MONITOR clients, slow-logged. */
function observe(cache: CacheCore, client: ClientState, spec: CommandSpec, argv: readonly Bytes[], now: number, log: CommandLog): Reply {
  const feed = !reprocessing;
  const start = log.begin();
  let reply: Reply;
  try {
    // A script is shown to MONITOR before it runs, once its keys passed the slot rules.
    if (feed && log.monitors.length > 0 && spec.flags.includes('skip_monitor')) {
      checkCommandSlots(cache, spec, argv);
      log.beforeScript(spec, client, argv, now);
    }
    reply = execute(cache, client, spec, argv, now);
  } catch (error) {
    if (error instanceof ReplyError) log.end(spec, client, argv, start, now, error, feed);
    throw error;
  }
  if (reply instanceof BlockedReply) log.blocked(spec, client, argv, now, feed);
  else log.end(spec, client, argv, start, now, null, feed);
  return reply;
}

/** Routes a command that passed the checks by its keys and runs it. */
function execute(cache: CacheCore, client: ClientState, spec: CommandSpec, argv: readonly Bytes[], now: number): Reply {
  const keys = spec.keys;
  // NoCluster has no slot rules; a one-shard OSS/Enterprise cache still has them (as a real
  // one-shard cluster does).
  if (keys === undefined || cache.policy === 'NoCluster') {
    const shard = cache.shards.length === 1 ? cache.shards[0] : client.shards[0];
    // Whole-database commands (DBSIZE, KEYS, SCAN, FLUSHALL …) need every shard they cover serving.
    if (spec.allShards === true) for (const s of client.shards) if (s.gate !== null) s.gate(spec);
    return run(cache, client, spec, argv, shard, now);
  }
  // Fast path: exactly one key at position 1 (GET, SET, INCR …).
  if (typeof keys !== 'function' && keys.first === 1 && keys.last === 1) {
    if (argv.length < 2) return run(cache, client, spec, argv, client.shards[0], now);
    return run(cache, client, spec, argv, cache.shardForSlot(keySlot(argv[1])), now);
  }
  const positions = keyPositions(keys, argv);
  if (positions.length === 0) return run(cache, client, spec, argv, client.shards[0], now);
  const firstSlot = slotOfName(keyName(argv[positions[0]]));
  let crossSlot = false;
  for (let i = 1; i < positions.length; i++) {
    if (slotOfName(keyName(argv[positions[i]])) !== firstSlot) {
      crossSlot = true;
      break;
    }
  }
  if (!crossSlot) return run(cache, client, spec, argv, cache.shardForSlot(firstSlot), now);
  if (!mayCrossSlots(cache, spec)) throw CROSSSLOT;
  return fanOut(cache, client, spec, argv, positions, now);
}

/**
 * Throws CROSSSLOT when a command's own keys span slots and the policy does not let it (the check
 * route makes before running; MULTI makes it at queue time).
 */
export function checkCommandSlots(cache: CacheCore, spec: CommandSpec, argv: readonly Bytes[]): void {
  if (spec.keys === undefined || cache.policy === 'NoCluster') return;
  const positions = keyPositions(spec.keys, argv);
  if (positions.length < 2) return;
  const firstSlot = slotOfName(keyName(argv[positions[0]]));
  for (let i = 1; i < positions.length; i++) {
    if (slotOfName(keyName(argv[positions[i]])) !== firstSlot) {
      if (!mayCrossSlots(cache, spec)) throw CROSSSLOT;
      return;
    }
  }
}

/** Enterprise lets DEL, MSET, MGET, EXISTS, UNLINK and TOUCH cross slots (not DEL/MSET/UNLINK with geo-replication). */
function mayCrossSlots(cache: CacheCore, spec: CommandSpec): boolean {
  if (cache.policy !== 'Enterprise' || spec.crossSlot === undefined) return false;
  if (cache.geoReplication && (spec.name === 'del' || spec.name === 'mset' || spec.name === 'unlink')) return false;
  return true;
}

/** Splits a multi-key command by shard, runs each part, merges the replies. */
function fanOut(
  cache: CacheCore,
  client: ClientState,
  spec: CommandSpec,
  argv: readonly Bytes[],
  positions: number[],
  now: number,
): Reply {
  const step = spec.crossSlot === 'mset' ? 2 : 1;
  // Validate the whole command before any part runs: nothing may be half-applied.
  if (step === 2 && (argv.length - 1) % 2 !== 0) throw wrongArity(spec.name);
  const parts = new Map<Shard, { argv: Bytes[]; order: number[] }>();
  positions.forEach((pos, order) => {
    const shard = cache.shardForSlot(slotOfName(keyName(argv[pos])));
    let part = parts.get(shard);
    if (part === undefined) parts.set(shard, (part = { argv: [argv[0]], order: [] }));
    for (let j = 0; j < step; j++) part.argv.push(argv[pos + j]);
    part.order.push(order);
  });
  if (spec.crossSlot === 'sum') {
    let total = 0;
    for (const [shard, part] of parts) total += run(cache, client, spec, part.argv, shard, now) as number;
    return total;
  }
  if (spec.crossSlot === 'mget') {
    const values: Reply[] = new Array(positions.length);
    for (const [shard, part] of parts) {
      const reply = run(cache, client, spec, part.argv, shard, now) as Reply[];
      part.order.forEach((order, i) => (values[order] = reply[i]));
    }
    return values;
  }
  for (const [shard, part] of parts) run(cache, client, spec, part.argv, shard, now);
  return OK;
}

// One spare context per process, reused by every command that is not nested inside another
// (EXEC, scripts): saves an allocation per command on the hot path. A command must not keep its
// context after it returns (a blocked command records what it needs instead).
let spare: ExecContext | null = null;

/** The context of the command running now (the innermost one), or null between commands. */
let current: ExecContext | null = null;

/** The running command's context (for events the keyspace raises mid-command), or null. */
export function currentContext(): ExecContext | null {
  return current;
}

function run(
  cache: CacheCore,
  client: ClientState,
  spec: CommandSpec,
  argv: readonly Bytes[],
  shard: Shard,
  now: number,
): Reply {
  let ctx = spare;
  if (ctx === null) ctx = new ExecContext(cache, client, shard, shard.keyspace, now);
  else {
    spare = null;
    ctx.cache = cache;
    ctx.client = client;
    ctx.shard = shard;
    ctx.db = shard.keyspace;
    ctx.now = now;
  }
  const outer = current;
  current = ctx;
  // Redis's current client: the top-level command's connection, also for what EXEC and scripts run.
  const outerExecuting = executing;
  if (outer === null) executing = client;
  let ran = false;
  // EXEC and scripts: their writes reach the replicas as one unit (src/replication/replication.ts).
  const unit = outer === null && spec.replicatesAsUnit === true ? cache.replication : undefined;
  if (unit !== undefined) unit.beginUnit();
  try {
    // A shard without a serving primary (failover, lost copies) fails keyed commands.
    if (shard.gate !== null && spec.keys !== undefined) shard.gate(spec);
    // Over maxmemory: a top-level command evicts first (performEvictions) and a denyoom command is
    // refused when nothing could go. Inside EXEC nothing is checked (EXEC was, as a whole); inside
    // a script a denyoom command is refused while the shard is over (Redis's pre-command OOM state).
    if (shard.keyspace.bytes > shard.keyspace.evictAbove) {
      if (outer === null) makeRoom(cache, spec, shard.keyspace, now);
      else if (!executingTransaction(client) && spec.flags.includes('denyoom')) throw OOM;
    }
    // Flash Optimized: a write that may grow memory fails while key names and pinned values fill
    // the shard's RAM; the keys a command names come to RAM (src/flash.ts).
    const tier = shard.tier;
    if (tier !== null && outer === null && tier.ramExhausted && spec.flags.includes('denyoom')) throw OOM;
    ran = true;
    const reply = spec.exec(ctx, argv);
    if (tier !== null && spec.keys !== undefined) tier.touched(argv, keyPositions(spec.keys, argv));
    if (ctx.dirty !== 0) {
      cache.stats.dirty += ctx.dirty;
      if (ctx.keys !== null) report(cache, ctx, spec, argv);
    }
    return reply;
  } finally {
    // Client-side caching remembers what a read-only command read, whatever it answered.
    if (ran && cache.tracking !== null) cache.tracking.afterRun(spec, argv);
    if (unit !== undefined) unit.endUnit();
    current = outer;
    executing = outerExecuting;
    ctx.dirty = 0;
    ctx.keys = ctx.events = ctx.effects = ctx.unwatched = null;
    spare = ctx;
  }
}

/**
 * Evicts from a shard over its maxmemory, as Redis does before every command, by the
 * `maxmemory-policy`; throws Redis's OOM error for a `denyoom` command when the shard stays over
 * (noeviction, or a volatile policy with no key that has a TTL). Other commands run regardless.
 */
function makeRoom(cache: CacheCore, spec: CommandSpec, db: Keyspace, now: number): void {
  if (!evictUnderLimit(cache, db, now) && spec.flags.includes('denyoom')) throw OOM;
}

/**
 * Evicts from a shard over its maxmemory by the `maxmemory-policy`; true when it is within the
 * limit afterwards (also used at MULTI queue time and by EXEC, src/transactions.ts).
 */
export function evictUnderLimit(cache: CacheCore, db: Keyspace, now: number): boolean {
  if (db.bytes <= db.evictAbove) return true;
  const settings = cache.settings;
  return performEvictions(db, {
    policy: settings.get('maxmemory-policy') ?? 'noeviction',
    samples: Number(settings.get('maxmemory-samples') ?? 5),
    rng: cache.rng,
    now,
  });
}

function report(cache: CacheCore, ctx: ExecContext, spec: CommandSpec, argv: readonly Bytes[]): void {
  const change: ChangeRecord = {
    shard: ctx.shard,
    command: spec.name,
    keys: ctx.keys!,
    events: ctx.events!,
    effects: ctx.effects ?? [argv as Bytes[]],
    time: ctx.now,
    client: ctx.client,
    unwatched: ctx.unwatched,
    argv,
  };
  for (const listener of cache.changeListeners) listener(change);
}

export { ReplyError };
