/**
 * Transactions: MULTI queueing, EXEC, DISCARD and optimistic locking with WATCH, as Redis 7.4 does
 * them.
 *
 * - Queueing (`queueInMulti`, called by dispatch for a connection in MULTI): the command is looked
 *   up and arity-checked, its own keys obey the slot rules, a RESP2 subscriber may not queue
 *   anything else than the subscriber commands; any such rejection answers its error and flags
 *   the transaction, so EXEC answers EXECABORT. Otherwise the answer is `QUEUED`. EXEC, DISCARD,
 *   MULTI, WATCH and QUIT are never queued. Once the transaction is flagged (a rejection, or a
 *   watched key changed), later commands still answer `QUEUED` but are not kept (Redis saves the
 *   memory), which decides what EXEC's slot check sees.
 * - EXEC: under OSS and Enterprise every key of the queued commands must hash to one slot, else
 *   `CROSSSLOT …` (the cluster checks this before EXEC runs); then EXECABORT for a flagged
 *   transaction; then a null array when a watched key changed (or expired since WATCH); else the
 *   queued commands run back to back through dispatch, each error reply becoming an element of
 *   the result. Blocking commands run as their non-blocking forms.
 * - WATCH listens on the cache's change hook, through which every write, expiry, eviction and
 *   flush reports its keys. A key that had already expired (but not been collected) when it was
 *   watched is not "changed" by its removal, as in Redis.
 */
import type { CacheCore, ChangeRecord, ClientState, MultiState, Shard } from './core-types.js';
import type { CommandSpec } from './commands/command.js';
import type { Keyspace } from './keyspace/keyspace.js';
import { keyName, type Bytes } from './keyspace/bytes.js';
import { checkCommandSlots, dispatch, evictUnderLimit, keyPositions, lookupCommand, route } from './dispatch.js';
import { slotOfName } from './cluster/slots.js';
import { checkSubscriberContext, PubSubReplies } from './pubsub.js';
import { assertPermitted } from './acl/user.js';
import {
  CROSSSLOT,
  DISCARD_WITHOUT_MULTI,
  EXECABORT,
  EXEC_WITHOUT_MULTI,
  MULTI_NESTED,
  OOM,
  ReplyError,
  unknownCommand,
  WATCH_INSIDE_MULTI,
  wrongArity,
} from './protocol/errors.js';
import { NULL_ARRAY, OK, QUEUED, type Reply } from './protocol/reply.js';

/** The commands a connection in MULTI runs at once instead of queueing. */
const NOT_QUEUED = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);

const NOT_ALLOWED_IN_MULTI = new ReplyError('ERR Command not allowed inside a transaction');

/**
 * Dispatch's path for a connection in MULTI: runs EXEC/DISCARD/MULTI/WATCH/QUIT, queues anything
 * else (answering `QUEUED`) or rejects it (flagging the transaction).
 */
export function queueInMulti(
  cache: CacheCore,
  client: ClientState,
  argv: readonly Bytes[],
  given: CommandSpec | undefined,
): Reply {
  const multi = client.multi!;
  let spec: CommandSpec;
  let control = false;
  try {
    if (given === undefined) spec = lookupCommand(cache, argv);
    else {
      spec = given;
      if (spec.blocked !== undefined && spec.blocked(cache)) throw unknownCommand(String(argv[0]), argv.slice(1).map(String));
      if ((spec.arity > 0 && argv.length !== spec.arity) || argv.length < -spec.arity) throw wrongArity(spec.name);
    }
    if (spec.flags.includes('no_multi')) throw NOT_ALLOWED_IN_MULTI;
    // ACL is checked at queue time too: a refused command aborts the transaction.
    if (client.user !== null) assertPermitted(client.user, spec, argv);
    // EXEC, DISCARD, MULTI, WATCH, QUIT run now; their own errors do not flag the transaction.
    if (NOT_QUEUED.has(rootName(spec.name))) control = true;
    else {
      checkCommandSlots(cache, spec, argv);
      checkSubscriberContext(client, spec.name);
    }
  } catch (error) {
    if (error instanceof ReplyError) multi.aborted = true;
    throw error;
  }
  if (control) return route(cache, client, argv, spec);
  // Queuing while out of memory is refused (any command, as Redis), and flags the transaction.
  if (anyShardOver(cache) && !evictUnderLimit(cache, commandShard(cache, client, spec, argv).keyspace, cache.clock.now())) {
    multi.aborted = true;
    throw OOM;
  }
  client.lastInteraction = cache.clock.now();
  client.lastCommand = spec.name;
  // A transaction that will not run keeps nothing more (Redis's queueMultiCommand).
  if (!multi.aborted && (client.watch === null || !client.watch.dirty)) multi.queue.push({ spec, argv: argv.slice() });
  return QUEUED;
}

function rootName(name: string): string {
  const bar = name.indexOf('|');
  return bar < 0 ? name : name.slice(0, bar);
}

/** True when a command name is EXEC (any case). */
export function isExec(name: Bytes): boolean {
  return name.length === 4 && String(name).toLowerCase() === 'exec';
}

/**
 * The error an EXEC that was rejected before running (wrong arity, subscriber context) answers:
 * Redis discards the transaction and its watched keys and answers
 * `EXECABORT Transaction discarded because of: <reason>`. EXEC's own errors pass through.
 */
export function execRejected(cache: CacheCore, client: ClientState, error: ReplyError): ReplyError {
  if (error === EXEC_WITHOUT_MULTI || error === EXECABORT || error === CROSSSLOT) return error;
  endMulti(client);
  unwatchAll(cache, client);
  const reason = error.message.startsWith('ERR ') ? error.message.slice(4) : error.message;
  return new ReplyError(`EXECABORT Transaction discarded because of: ${reason}`);
}

/** MULTI. */
export function beginTransaction(client: ClientState): Reply {
  if (client.multi !== null) throw MULTI_NESTED;
  const multi: MultiState = { queue: [], aborted: false };
  client.multi = multi;
  client.inMulti = true;
  return OK;
}

/** DISCARD: drops the queue and every watched key. */
export function discardTransaction(cache: CacheCore, client: ClientState): Reply {
  if (client.multi === null) throw DISCARD_WITHOUT_MULTI;
  endMulti(client);
  unwatchAll(cache, client);
  return OK;
}

function endMulti(client: ClientState): void {
  client.multi = null;
  client.inMulti = false;
}

/** The connection whose EXEC is running (SSUBSCRIBE refuses to run there). */
let executing: ClientState | null = null;

/** True while `client`'s EXEC runs its queued commands. */
export function executingTransaction(client: ClientState): boolean {
  return executing === client;
}

/** EXEC: see the module comment for the order of the checks. */
export function execTransaction(cache: CacheCore, client: ClientState, now: number): Reply {
  const multi = client.multi;
  if (multi === null) throw EXEC_WITHOUT_MULTI;
  endMulti(client);
  if (cache.policy !== 'NoCluster' && !oneSlot(multi.queue)) {
    unwatchAll(cache, client);
    throw CROSSSLOT;
  }
  if (multi.aborted) {
    unwatchAll(cache, client);
    throw EXECABORT;
  }
  // A transaction with a denyoom command is refused as a whole while its shard stays over the
  // limit, before WATCH is looked at (processCommand's OOM check); dispatch turns the error into
  // `EXECABORT Transaction discarded because of: OOM …` (execRejected).
  if (multi.queue.some((item) => item.spec.flags.includes('denyoom'))) {
    const first = multi.queue.find((item) => item.spec.keys !== undefined) ?? multi.queue[0];
    if (!evictUnderLimit(cache, commandShard(cache, client, first.spec, first.argv).keyspace, now)) throw OOM;
  }
  const watch = client.watch;
  const dirty = watch !== null && (watch.dirty || watchedKeyExpired(client, now));
  unwatchAll(cache, client);
  if (dirty) return NULL_ARRAY;
  const queue = multi.queue;
  const replies: Reply[] = new Array(queue.length);
  const canBlock = client.canBlock;
  const outer = executing;
  client.canBlock = false;
  executing = client;
  try {
    for (let i = 0; i < queue.length; i++) {
      const { spec, argv } = queue[i];
      try {
        const reply = dispatch(cache, client, argv, spec);
        // A subscribe confirmation takes the command's place (several are not representable).
        replies[i] = reply instanceof PubSubReplies && reply.length === 1 ? reply[0] : reply;
      } catch (error) {
        if (!(error instanceof ReplyError)) throw error;
        replies[i] = error;
      }
    }
  } finally {
    executing = outer;
    client.canBlock = canBlock;
  }
  return replies;
}

/** True when some shard holds more than its maxmemory allows (cheap: no routing). */
function anyShardOver(cache: CacheCore): boolean {
  for (const shard of cache.shards) if (shard.keyspace.bytes > shard.keyspace.evictAbove) return true;
  return false;
}

/** The shard a command would run on: its first key's, or the connection's for keyless commands. */
function commandShard(cache: CacheCore, client: ClientState, spec: CommandSpec, argv: readonly Bytes[]): Shard {
  if (spec.keys !== undefined && cache.policy !== 'NoCluster') {
    const positions = keyPositions(spec.keys, argv);
    if (positions.length > 0) return cache.shardForSlot(slotOfName(keyName(argv[positions[0]])));
  }
  return cache.shards.length === 1 ? cache.shards[0] : client.shards[0];
}

/** True when every key of the queued commands hashes to one slot. */
function oneSlot(queue: MultiState['queue']): boolean {
  let slot = -1;
  for (const { spec, argv } of queue) {
    if (spec.keys === undefined) continue;
    for (const pos of keyPositions(spec.keys, argv)) {
      const keySlot = slotOfName(keyName(argv[pos]));
      if (slot === -1) slot = keySlot;
      else if (keySlot !== slot) return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// WATCH

/** Watching connections per key, and the change listener while anyone watches. */
class WatchRegistry {
  readonly watchers = new Map<string, Set<ClientState>>();
  private attached = false;
  private readonly listener = (change: ChangeRecord): void => this.changed(change);

  constructor(private readonly cache: CacheCore) {}

  watch(client: ClientState, key: string, db: Keyspace, now: number): void {
    const state = (client.watch ??= { keys: new Map(), dirty: false });
    if (state.keys.has(key)) return;
    const when = db.expireTime(key);
    state.keys.set(key, { db, expired: when !== undefined && when <= now });
    client.watching = state.keys.size;
    let clients = this.watchers.get(key);
    if (clients === undefined) this.watchers.set(key, (clients = new Set()));
    clients.add(client);
    if (!this.attached) {
      this.attached = true;
      this.cache.changeListeners.push(this.listener);
    }
  }

  unwatchAll(client: ClientState): void {
    const state = client.watch;
    if (state === null) return;
    for (const key of state.keys.keys()) {
      const clients = this.watchers.get(key);
      if (clients !== undefined && clients.delete(client) && clients.size === 0) this.watchers.delete(key);
    }
    client.watch = null;
    client.watching = 0;
    if (this.watchers.size === 0) this.detachSoon();
  }

  private changed(change: ChangeRecord): void {
    const keys = change.keys;
    const unwatched = change.unwatched;
    for (let i = 0; i < keys.length; i++) {
      const clients = this.watchers.get(keys[i]);
      if (clients === undefined) continue;
      // Consumer-group changes do not touch WATCH in Redis (no signalModifiedKey).
      if (unwatched != null && onlyQuiet(keys, unwatched, keys[i])) continue;
      const key = keys[i];
      for (const client of clients) {
        const state = client.watch;
        if (state === null) continue;
        const entry = state.keys.get(key);
        // A key already expired when watched: its removal changes nothing logically.
        if (entry !== undefined && entry.expired && !entry.db.holds(key)) {
          entry.expired = false;
          continue;
        }
        state.dirty = true;
        // Nothing more to learn for a dirty transaction: stop watching (the dirty mark stays).
        this.unwatchAll(client);
        client.watch = state;
        state.keys.clear();
      }
    }
  }

  /** Stops listening once nobody watches; deferred because the listener list may be iterating. */
  private detachSoon(): void {
    if (!this.attached) return;
    queueMicrotask(() => {
      if (!this.attached || this.watchers.size > 0) return;
      const listeners = this.cache.changeListeners;
      const i = listeners.indexOf(this.listener);
      if (i >= 0) listeners.splice(i, 1);
      this.attached = false;
    });
  }
}

const registries = new WeakMap<CacheCore, WatchRegistry>();

function registryOf(cache: CacheCore): WatchRegistry {
  let registry = registries.get(cache);
  if (registry === undefined) registries.set(cache, (registry = new WatchRegistry(cache)));
  return registry;
}

/** WATCH key …: the keys live in `db` (the shard the command was routed to). */
export function watchKeys(cache: CacheCore, client: ClientState, keys: readonly Bytes[], db: Keyspace, now: number): Reply {
  if (client.multi !== null) throw WATCH_INSIDE_MULTI;
  // No point in watching more for a transaction that is already dirty.
  if (client.watch !== null && client.watch.dirty) return OK;
  const registry = registryOf(cache);
  for (const key of keys) registry.watch(client, keyName(key), db, now);
  return OK;
}

/** UNWATCH (also done by EXEC, DISCARD and a closing connection). */
export function unwatchAll(cache: CacheCore, client: ClientState): void {
  if (client.watch === null) return;
  const registry = registries.get(cache);
  if (registry !== undefined) registry.unwatchAll(client);
  else {
    client.watch = null;
    client.watching = 0;
  }
}

/** Redis's isWatchedKeyExpired: a watched key (not expired when watched) whose time has passed. */
function watchedKeyExpired(client: ClientState, now: number): boolean {
  const state = client.watch;
  if (state === null) return false;
  for (const [key, entry] of state.keys) {
    if (entry.expired || !entry.db.holds(key)) continue;
    const when = entry.db.expireTime(key);
    if (when !== undefined && when <= now) return true;
  }
  return false;
}

/** Forgets a closing connection's transaction and watched keys. */
export function releaseTransaction(cache: CacheCore, client: ClientState): void {
  endMulti(client);
  unwatchAll(cache, client);
}

/** INFO `total_watched_keys`: distinct keys watched by any connection. */
export function watchedKeyCount(cache: CacheCore): number {
  return registries.get(cache)?.watchers.size ?? 0;
}

/** True when every change of `key` in a record was a quiet one (see CommandContext.changedQuietly). */
export function onlyQuiet(keys: readonly string[], unwatched: readonly string[], key: string): boolean {
  let changes = 0;
  let quiet = 0;
  for (const k of keys) if (k === key) changes++;
  for (const k of unwatched) if (k === key) quiet++;
  return quiet === changes;
}
