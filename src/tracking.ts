/**
 * Server-assisted client-side caching (CLIENT TRACKING), as Redis's tracking.c keeps it.
 *
 * - Default mode: after a read-only command runs, the keys it named are remembered for the
 *   connection running it (the one that sent EXEC or the script, for commands inside them). The
 *   next change of such a key, by anyone, sends each connection that read it one invalidation and
 *   forgets the key. OPTIN remembers only after `CLIENT CACHING YES`, OPTOUT all but after
 *   `CLIENT CACHING NO`; either applies to the next command (or transaction) only.
 * - BCAST mode: nothing is remembered; every change of a key under one of the connection's
 *   prefixes is collected and sent as one message per prefix after the command (Redis batches per
 *   event loop; a command is the emulator's event loop).
 * - NOLOOP: no invalidation for a change the connection made itself.
 * - Messages: RESP3 connections get the push `['invalidate', [keys]]` (`['invalidate', null]`
 *   after FLUSHALL/FLUSHDB); with REDIRECT the message goes to the other connection instead, as a
 *   push when it speaks RESP3, or as the pub/sub message `['message', '__redis__:invalidate',
 *   [keys]]` when it is a RESP2 connection with a subscription. A RESP2 connection without REDIRECT
 *   gets nothing (RESP2 has no pushes). A redirect target that went away marks the connection
 *   `broken_redirect` and, in RESP3, pushes `['tracking-redir-broken', id]` to it.
 * - Order: an invalidation for the connection whose command is running (a change it made itself)
 *   comes after that command's reply, as Redis defers it to after the command: it is delivered
 *   when the next command starts, or on a microtask, whichever comes first. Other connections
 *   get theirs at once.
 *
 * Changes arrive through the cache's change hook (src/dispatch.ts): expiry and eviction included.
 * Nothing is set up until a connection turns tracking on; when no connection tracks and no key is
 * remembered, the listener goes away and `cache.tracking` is null again.
 */
import type { CacheCore, ChangeRecord, ClientState } from './core-types.js';
import type { CommandSpec } from './commands/command.js';
import { keyName, keyReply, type Bytes } from './keyspace/bytes.js';
import { executingClient, keyPositions } from './dispatch.js';
import { onlyQuiet } from './transactions.js';
import type { Reply } from './protocol/reply.js';

/** One connection's tracking settings (`client.tracking`; null while tracking is off). */
export interface TrackingState {
  /** Client id messages are redirected to; 0 for none. */
  redirect: number;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  /** CLIENT CACHING YES (OPTIN) / NO (OPTOUT) given for the next command. */
  caching: boolean;
  /** The redirect target was gone when a message was due (TRACKINGINFO `broken_redirect`, CLIENT LIST `R`). */
  brokenRedirect: boolean;
  /** BCAST prefixes (latin1 byte strings); empty otherwise. */
  readonly prefixes: Set<string>;
}

/** The options of a CLIENT TRACKING ON. */
export interface TrackingOptions {
  redirect: number;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  prefixes: readonly string[];
}

const INVALIDATE_CHANNEL = '__redis__:invalidate';

/** Commands that read keys yet remember none themselves: their inner commands do (call() in Redis). */
const NOT_REMEMBERING = new Set(['eval_ro', 'evalsha_ro', 'fcall_ro']);

/** A message owed to the connection whose command is running, sent once the command has answered. */
interface Deferred {
  readonly target: ClientState;
  /** Key name (latin1), a BCAST batch, or null for "everything" (a flush). */
  readonly keys: string | string[] | null;
}

/** The per-cache tracking tables (`cache.tracking`). */
export class ClientTracking {
  /** Key → ids of the connections that may cache it (Redis's TrackingTable). */
  readonly table = new Map<string, Set<number>>();
  /** Total ids over {@link table} (INFO `tracking_total_items`). */
  items = 0;
  /** BCAST prefix → its connections (Redis's PrefixTable). */
  readonly prefixes = new Map<string, Set<ClientState>>();
  /** BCAST: prefix → keys changed since the last broadcast → the connection that changed it last (null: expiry, eviction). */
  private readonly changedUnder = new Map<string, Map<string, ClientState | null>>();
  /** Connections with tracking on (INFO `tracking_clients`). */
  clients = 0;
  private deferred: Deferred[] = [];
  private flushScheduled = false;
  private readonly listener = (change: ChangeRecord): void => this.changed(change);

  constructor(private readonly cache: CacheCore) {
    cache.changeListeners.push(this.listener);
  }

  // ---- turning it on and off -------------------------------------------------------------------

  enable(client: ClientState, options: TrackingOptions): void {
    let state = client.tracking;
    if (state === null) {
      state = {
        redirect: 0,
        bcast: false,
        optin: false,
        optout: false,
        noloop: false,
        caching: false,
        brokenRedirect: false,
        prefixes: new Set(),
      };
      client.tracking = state;
      this.clients++;
    }
    // Redis's enableTracking: the mode flags are replaced, the CACHING mark is kept.
    state.redirect = options.redirect;
    state.brokenRedirect = false;
    state.optin = options.optin;
    state.optout = options.optout;
    state.noloop = options.noloop;
    if (options.bcast) {
      state.bcast = true;
      const prefixes = options.prefixes.length === 0 ? [''] : options.prefixes;
      for (const prefix of prefixes) {
        if (state.prefixes.has(prefix)) continue;
        state.prefixes.add(prefix);
        let members = this.prefixes.get(prefix);
        if (members === undefined) this.prefixes.set(prefix, (members = new Set()));
        members.add(client);
      }
    }
  }

  /** CLIENT TRACKING OFF, or the connection closing. Remembered keys are forgotten lazily, as in Redis. */
  disable(client: ClientState): void {
    const state = client.tracking;
    if (state === null) return;
    for (const prefix of state.prefixes) {
      const members = this.prefixes.get(prefix);
      if (members === undefined) continue;
      members.delete(client);
      if (members.size === 0) {
        this.prefixes.delete(prefix);
        this.changedUnder.delete(prefix);
      }
    }
    client.tracking = null;
    this.clients--;
    this.releaseIfIdle();
  }

  // ---- the read side ------------------------------------------------------------------------------

  /**
   * After a command ran (whatever it answered): a read-only command's keys are remembered for the
   * connection executing it (dispatch calls this only while `cache.tracking` exists).
   */
  afterRun(spec: CommandSpec, argv: readonly Bytes[]): void {
    if (spec.keys === undefined || !spec.flags.includes('readonly') || NOT_REMEMBERING.has(spec.name)) return;
    const tracking = executingClient()?.tracking;
    if (tracking == null || tracking.bcast) return;
    if ((tracking.optin && !tracking.caching) || (tracking.optout && tracking.caching)) return;
    let positions: number[];
    try {
      positions = keyPositions(spec.keys, argv);
    } catch {
      return;
    }
    const id = executingClient()!.id;
    for (const pos of positions) {
      if (pos >= argv.length) continue;
      const key = keyName(argv[pos]);
      let ids = this.table.get(key);
      if (ids === undefined) this.table.set(key, (ids = new Set()));
      if (!ids.has(id)) {
        ids.add(id);
        this.items++;
      }
    }
  }

  // ---- the write side -----------------------------------------------------------------------------

  private changed(change: ChangeRecord): void {
    // A flush sends one "everything" message instead (flushed()).
    if (change.command === 'flushall' || change.command === 'flushdb') return;
    const keys = change.keys;
    const unwatched = change.unwatched;
    // Evictions happen before the command runs: Redis sends their invalidations at once.
    const immediate = change.command === 'evicted';
    // Who changed the keys, for BCAST's NOLOOP: the command's connection (none for expiry and eviction).
    const modifier = change.client ?? null;
    for (let i = 0; i < keys.length; i++) {
      // Consumer-group changes do not signal the key in Redis (no signalModifiedKey).
      if (unwatched != null && onlyQuiet(keys, unwatched, keys[i])) continue;
      this.invalidate(keys[i], modifier, immediate);
    }
    this.releaseIfIdle();
  }

  /** Redis's trackingInvalidateKey: queue the key for BCAST, message everyone who read it, forget it. */
  private invalidate(key: string, modifier: ClientState | null, immediate: boolean): void {
    if (this.prefixes.size !== 0) {
      for (const prefix of this.prefixes.keys()) {
        if (!key.startsWith(prefix)) continue;
        let pending = this.changedUnder.get(prefix);
        if (pending === undefined) this.changedUnder.set(prefix, (pending = new Map()));
        pending.set(key, modifier);
      }
    }
    const ids = this.table.get(key);
    if (ids === undefined) return;
    const running = executingClient();
    for (const id of ids) {
      const target = this.cache.clients.get(id);
      const state = target?.tracking;
      if (target === undefined || state == null || state.bcast) continue;
      if (state.noloop && target === running) continue;
      if (target === running && !immediate) this.defer({ target, keys: key });
      else this.send(target, [keyReply(key)]);
    }
    this.items -= ids.size;
    this.table.delete(key);
  }

  /**
   * FLUSHALL / FLUSHDB (called by the flush commands, whether or not any key went): every tracking
   * connection is told that everything is invalid, and the table is emptied.
   */
  flushed(): void {
    const running = executingClient();
    for (const client of this.cache.clients.values()) {
      if (client.tracking === null) continue;
      if (client === running) this.defer({ target: client, keys: null });
      else this.send(client, null);
    }
    this.table.clear();
    this.items = 0;
  }

  /**
   * After a top-level command: BCAST batches go out (the running connection's after its reply),
   * and a CACHING mark is spent unless the command was a CLIENT subcommand or queued in MULTI.
   */
  afterCommand(client: ClientState, argv: readonly Bytes[]): void {
    const state = client.tracking;
    if (state !== null && state.caching && client.multi === null && !isClientCommand(argv[0])) state.caching = false;
    if (this.changedUnder.size !== 0) this.broadcast(client);
    this.releaseIfIdle();
  }

  /** Redis's trackingBroadcastInvalidationMessages: one message per prefix, keys in byte order. */
  private broadcast(running: ClientState): void {
    const prefixes = [...this.changedUnder.keys()].sort(compareBytes);
    for (const prefix of prefixes) {
      const changed = this.changedUnder.get(prefix)!;
      this.changedUnder.delete(prefix);
      const members = this.prefixes.get(prefix);
      if (members === undefined || changed.size === 0) continue;
      const keys = [...changed.keys()].sort(compareBytes);
      for (const client of members) {
        const state = client.tracking;
        if (state === null) continue;
        const own = state.noloop ? keys.filter((key) => changed.get(key) !== client) : keys;
        if (own.length === 0) continue;
        if (client === running) this.defer({ target: client, keys: own });
        else this.send(client, own.map(keyReply));
      }
    }
  }

  // ---- delivery -----------------------------------------------------------------------------------

  private defer(message: Deferred): void {
    this.deferred.push(message);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => this.flushDeferred());
  }

  /** True while messages wait for the running connection's reply to go first. */
  get hasDeferred(): boolean {
    return this.deferred.length !== 0;
  }

  /** Sends the messages owed to the last command's connection (its reply has gone by now). */
  flushDeferred(): void {
    this.flushScheduled = false;
    if (this.deferred.length === 0) return;
    const deferred = this.deferred;
    this.deferred = [];
    for (const { target, keys } of deferred) {
      if (target.closed || target.tracking === null) continue;
      this.send(target, keys === null ? null : typeof keys === 'string' ? [keyReply(keys)] : keys.map(keyReply));
    }
    this.releaseIfIdle();
  }

  /** Redis's sendTrackingMessage: to the connection, or to its redirect target. */
  private send(client: ClientState, keys: Reply[] | null): void {
    const state = client.tracking!;
    let receiver = client;
    if (state.redirect !== 0) {
      const target = this.cache.clients.get(state.redirect);
      if (target === undefined || target.closed) {
        state.brokenRedirect = true;
        if (client.resp === 3) deliver(client, ['tracking-redir-broken', state.redirect]);
        return;
      }
      receiver = target;
    }
    if (receiver.resp === 3) deliver(receiver, ['invalidate', keys]);
    else if (receiver !== client && receiver.subscriptions > 0) deliver(receiver, ['message', INVALIDATE_CHANNEL, keys]);
    // Else a RESP2 connection without a redirect: RESP2 cannot carry the message.
  }

  /** Stops listening once nobody tracks and nothing is remembered or owed. */
  private releaseIfIdle(): void {
    if (this.clients !== 0 || this.table.size !== 0 || this.deferred.length !== 0 || this.cache.tracking !== this) return;
    this.cache.tracking = null;
    // The listener list may be iterating right now: take the listener out afterwards.
    queueMicrotask(() => {
      if (this.cache.tracking === this) return;
      const listeners = this.cache.changeListeners;
      const i = listeners.indexOf(this.listener);
      if (i >= 0) listeners.splice(i, 1);
    });
  }
}

function deliver(client: ClientState, message: Reply[]): void {
  const push = client.push;
  if (push !== null && !client.closed) push(message);
}

/** Byte order of two latin1 byte strings (the order of Redis's radix trees). */
function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isClientCommand(name: Bytes): boolean {
  return name.length === 6 && String(name).toLowerCase() === 'client';
}

/** The cache's tracking tables, created by the first CLIENT TRACKING ON. */
export function trackingOf(cache: CacheCore): ClientTracking {
  return (cache.tracking ??= new ClientTracking(cache));
}

/** Forgets a closing connection's tracking (ManagedRedis.closeClient). */
export function dropTracking(cache: CacheCore, client: ClientState): void {
  if (client.tracking !== null) cache.tracking?.disable(client);
}

/** The flush commands' hook: a null invalidation for every tracking connection. */
export function trackingFlushed(cache: CacheCore): void {
  cache.tracking?.flushed();
}
