/**
 * Blocking commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP).
 *
 * A blocking command first runs as its non-blocking form. With data it answers at once. Without:
 * - a connection that cannot block (the synchronous facade, EXEC, scripts: `client.canBlock`
 *   false) gets the timed-out answer right away, as Redis answers a client that may not block;
 * - otherwise the command returns a {@link BlockedReply} marker (never rendered) holding its keys
 *   and absolute deadline. The facade then awaits {@link waitForReply}.
 *
 * A per-cache manager keeps a FIFO queue of waiting clients per key and listens to the change
 * hook. When a key with waiters changes, it serves them first-come first-served by running their
 * command again through `dispatch` (Redis re-executes a blocked command once its key is ready),
 * so the served pop replicates as its normal effect (`LPOP key`, `LMOVE …`). A waiter whose key is
 * missing or of another type is skipped and keeps its place; an error from the re-run (WRONGTYPE
 * on a BLMOVE destination) is its answer. Deadlines are timers on the cache's clock, so a virtual
 * clock drives them.
 *
 * WAIT blocks the same way on a condition instead of a key ({@link ConditionBlockedReply}): the
 * replication layer calls {@link notifyConditionWaiters} whenever a replica's applied offset moves,
 * and the waiter answers as soon as its condition holds, or at its deadline.
 *
 * Serving happens right after the top-level command that made a key ready (dispatch calls
 * `cache.pendingServe`), before the next command runs, as Redis serves blocked clients between
 * commands; never inside MULTI/EXEC or a script. See docs/blocking.md.
 */
import { dispatchAgain, lookupCommand } from './dispatch.js';
import type { CacheCore, ChangeRecord, ClientState } from './core-types.js';
import type { TimerHandle } from './clock.js';
import { keyName, type Bytes } from './keyspace/bytes.js';
import { typeOf } from './keyspace/keyspace.js';
import { slotOfName } from './cluster/slots.js';
import { parseLongDouble, roundExtended } from './keyspace/types/long-double.js';
import { ReplyError, TIMEOUT_NEGATIVE, TIMEOUT_NOT_FLOAT, TIMEOUT_OUT_OF_RANGE } from './protocol/errors.js';
import { NULL_ARRAY, type Reply } from './protocol/reply.js';
import type { CommandContext } from './commands/command.js';

/** The value type a blocked command waits for (`condition`: no key, a condition such as WAIT's). */
export type BlockKind = 'list' | 'zset' | 'stream' | 'condition';

/**
 * What a blocking command returns (in place of a reply) when it must wait. Not a reply: the
 * protocol never renders it; a facade that sees it calls {@link waitForReply}.
 */
export class BlockedReply {
  constructor(
    /** Canonical names of the keys it waits on, in argument order, without repeats. */
    readonly keys: readonly string[],
    /** Absolute deadline in ms on the cache's clock; 0 waits forever. */
    readonly deadline: number,
    readonly kind: BlockKind,
    /**
     * The command to run again when a key is ready, when it differs from what the client sent
     * (XREAD's `$` becomes the stream's last ID at blocking time, so a re-run cannot spin).
     */
    readonly rerun: readonly Bytes[] | null = null,
  ) {}
}

/**
 * The marker of a command that waits for a condition rather than a key (WAIT: the replica has
 * applied the caller's writes). The facade waits for it exactly as for a key: {@link waitForReply}.
 * `poll` answers the reply once the condition holds (null: keep waiting); it runs when the
 * condition may have changed ({@link notifyConditionWaiters}) and at the deadline, where
 * `timedOut` gives the reply when it still does not hold (also CLIENT UNBLOCK's timeout answer).
 */
export class ConditionBlockedReply extends BlockedReply {
  constructor(
    deadline: number,
    readonly poll: () => Reply | null,
    readonly timedOut: () => Reply,
  ) {
    super([], deadline, 'condition');
  }
}

/** True when a command's result is the marker of a command that must wait. */
export function isBlockedReply(reply: unknown): reply is BlockedReply {
  return reply instanceof BlockedReply;
}

const LLONG_MAX = 9223372036854775807n;
const LLONG_MIN = -9223372036854775808n;

/**
 * Parses a blocking timeout in seconds as Redis does (`getTimeoutFromObjectOrReply`): a long
 * double, times 1000, rounded up to whole milliseconds; returns the absolute deadline in ms
 * (0 for "forever", which a timeout rounding to 0 ms also means).
 */
export function parseTimeout(arg: Bytes, now: number): number {
  const value = parseLongDouble(arg);
  if (value === null) throw TIMEOUT_NOT_FLOAT;
  let ms: bigint;
  if (value.infinite) {
    if (!value.negative) throw TIMEOUT_OUT_OF_RANGE;
    ms = LLONG_MIN; // (long long) of -inf on x86-64
  } else {
    // ftval *= 1000 in extended precision, then the range check and ceill.
    const scaled = roundExtended(value.negative, value.mant * 1000n, value.exp);
    if (scaled.infinite) {
      if (!scaled.negative) throw TIMEOUT_OUT_OF_RANGE;
      ms = LLONG_MIN;
    } else {
      const magnitude = ceilMagnitude(scaled.mant, scaled.exp, !scaled.negative);
      if (!scaled.negative && magnitude > LLONG_MAX) throw TIMEOUT_OUT_OF_RANGE;
      ms = scaled.negative ? -magnitude : magnitude;
      if (ms < LLONG_MIN) ms = LLONG_MIN; // the conversion overflows to LLONG_MIN
    }
  }
  if (ms < 0n) throw TIMEOUT_NEGATIVE;
  if (ms === 0n) return 0;
  if (ms > LLONG_MAX - BigInt(now)) throw TIMEOUT_OUT_OF_RANGE;
  return Number(ms) + now;
}

/** |mant × 2^exp| rounded up (`up`) or toward zero. */
function ceilMagnitude(mant: bigint, exp: number, up: boolean): bigint {
  if (exp >= 0) return mant << BigInt(exp);
  const shift = BigInt(-exp);
  const whole = mant >> shift;
  return up && (whole << shift) !== mant ? whole + 1n : whole;
}

/**
 * The answer of a blocking command that found nothing: the marker when the connection may
 * block, or `denied` (the timed-out reply Redis sends to a client that may not block).
 */
export function blockOrDeny(
  ctx: CommandContext,
  keys: readonly string[],
  deadline: number,
  kind: BlockKind,
  denied: Reply,
  rerun: readonly Bytes[] | null = null,
): Reply {
  if (!ctx.client.canBlock) return denied;
  const unique = keys.length > 1 ? Array.from(new Set(keys)) : keys;
  return new BlockedReply(unique, deadline, kind, rerun) as unknown as Reply;
}

// --- the manager ---------------------------------------------------------------------------------

interface Waiter {
  readonly client: ClientState;
  readonly argv: readonly Bytes[];
  readonly keys: readonly string[];
  readonly kind: BlockKind;
  readonly deadline: number;
  readonly since: number;
  /** Condition waiters (WAIT): see {@link ConditionBlockedReply}. */
  readonly condition: ConditionBlockedReply | null;
  timer: TimerHandle | null;
  done: boolean;
  resolve(reply: Reply): void;
  reject(error: Error): void;
}

/** Longest single timer (Node's setTimeout limit); longer waits re-arm. */
const MAX_TIMER_MS = 2147483647;

class BlockingManager {
  /** Waiting clients per key, in blocking order. */
  private readonly queues = new Map<string, Waiter[]>();
  /** The waiter of each blocked connection (a connection blocks on one command at a time). */
  private readonly waiters = new Map<ClientState, Waiter>();
  /** Keys with waiters that changed since the last serving pass, in the order they changed. */
  private readonly ready = new Set<string>();
  /** Waiters on a condition (WAIT), in blocking order. */
  private readonly conditions = new Set<Waiter>();
  private polling = false;
  private pollAgain = false;
  private scheduled = false;
  private serving = false;
  private attached = false;
  /** Keys with stream waiters (XREAD/XREADGROUP BLOCK) → how many wait on each. */
  private readonly streamKeys = new Map<string, number>();
  /** Waited keys created since the last change record (only a created key wakes waiters). */
  private readonly created = new Set<string>();
  private readonly onCreated = (key: string): void => {
    if (this.queues.has(key)) this.created.add(key);
  };
  private readonly listener = (change: ChangeRecord): void => {
    // Stream waiters: XADD signals its key on every entry, and a deleted or retyped key (or a
    // destroyed group) wakes XREADGROUP with its error; any change of the key is looked at.
    if (this.streamKeys.size > 0) {
      let any = false;
      for (const key of change.keys) {
        if (this.streamKeys.has(key)) {
          this.ready.add(key);
          any = true;
        }
      }
      if (any) {
        this.cache.pendingServe = this.serveNow;
        this.schedule();
      }
    }
    // Redis signals a key as ready when a write adds it (dbAdd: a push creating a list, RENAME,
    // COPY, a STORE onto a missing key); overwriting an existing key in place wakes nobody.
    if (this.created.size === 0) return;
    for (const key of change.keys) if (this.created.delete(key)) this.ready.add(key);
    if (this.ready.size > 0) {
      // Dispatch serves them right after the top-level command; the microtask is the fallback.
      this.cache.pendingServe = this.serveNow;
      this.schedule();
    }
  };
  private readonly serveNow = (): void => this.serve();

  constructor(private readonly cache: CacheCore) {}

  get blockedCount(): number {
    return this.waiters.size;
  }

  get blockingKeyCount(): number {
    return this.queues.size;
  }

  isBlocked(client: ClientState): boolean {
    return this.waiters.has(client);
  }

  argvOf(client: ClientState): readonly Bytes[] | null {
    return this.waiters.get(client)?.argv ?? null;
  }

  wait(client: ClientState, argv: readonly Bytes[], marker: BlockedReply): Promise<Reply> {
    if (this.waiters.has(client)) {
      return Promise.reject(new Error('the connection is already blocked by another command'));
    }
    return new Promise<Reply>((resolve, reject) => {
      const waiter: Waiter = {
        client,
        argv: (marker.rerun ?? argv).slice(),
        keys: marker.keys,
        kind: marker.kind,
        deadline: marker.deadline,
        since: this.cache.clock.now(),
        condition: marker instanceof ConditionBlockedReply ? marker : null,
        timer: null,
        done: false,
        resolve,
        reject,
      };
      this.waiters.set(client, waiter);
      if (waiter.condition !== null) {
        this.conditions.add(waiter);
        this.arm(waiter);
        // The condition may hold already (it changed between the command and this call).
        this.pollConditions();
        return;
      }
      for (const key of waiter.keys) {
        let queue = this.queues.get(key);
        if (queue === undefined) this.queues.set(key, (queue = []));
        queue.push(waiter);
        if (waiter.kind === 'stream') this.streamKeys.set(key, (this.streamKeys.get(key) ?? 0) + 1);
      }
      this.attach();
      // Every shard's keyspace tells of created keys (again each time: a failover swaps keyspaces).
      for (const shard of this.cache.shards) shard.keyspace.onCreated = this.onCreated;
      this.arm(waiter);
      // A key may have been filled between the command and this call: look once.
      for (const key of waiter.keys) if (this.hasData(key, waiter.kind)) this.ready.add(key);
      if (this.ready.size > 0) this.schedule();
    });
  }

  /** Serves every waiter whose key became ready, until no ready key is left (BLMOVE chains). */
  serve(): void {
    if (this.serving) return; // the outer pass picks up keys made ready meanwhile
    if (this.cache.pendingServe === this.serveNow) this.cache.pendingServe = null;
    this.serving = true;
    try {
      while (this.ready.size > 0) {
        const key: string = this.ready.values().next().value!;
        this.ready.delete(key);
        this.serveKey(key);
      }
    } finally {
      this.serving = false;
    }
    this.detachIfIdle();
  }

  private serveKey(key: string): void {
    const queue = this.queues.get(key);
    if (queue === undefined) return;
    // Only the clients waiting now: a re-run that blocks again must not loop.
    for (const waiter of queue.slice()) {
      if (waiter.done) continue;
      if (waiter.client.closed) {
        this.finish(waiter, null, new Error('Connection is closed.'));
        continue;
      }
      if (!this.hasData(key, waiter.kind)) {
        // XREADGROUP: the stream it reads through its group is gone (deleted or another type).
        if (waiter.kind === 'stream' && String(waiter.argv[0]).toLowerCase() === 'xreadgroup') {
          this.finish(waiter, null, new ReplyError('UNBLOCKED the stream key no longer exists'));
        }
        continue;
      }
      let reply: Reply;
      try {
        reply = dispatchAgain(this.cache, waiter.client, waiter.argv);
      } catch (error) {
        this.finish(waiter, null, error instanceof Error ? error : new Error(String(error)));
        continue;
      }
      if (reply instanceof BlockedReply) continue; // still nothing for it: it keeps its place
      this.finish(waiter, reply, null, true);
    }
  }

  /** True when `key` holds a value of the kind a waiter wants (Redis serves only then). */
  private hasData(key: string, kind: BlockKind): boolean {
    const cache = this.cache;
    const shard = cache.shards.length === 1 ? cache.shards[0] : cache.shardForSlot(slotOfName(key));
    const value = shard.keyspace.peek(key, cache.clock.now());
    return value !== undefined && typeOf(value) === kind;
  }

  /** Re-evaluates the condition waiters (in blocking order); re-entrant calls ask for one more pass. */
  pollConditions(): void {
    if (this.conditions.size === 0) return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    this.polling = true;
    try {
      do {
        this.pollAgain = false;
        for (const waiter of Array.from(this.conditions)) {
          if (waiter.done) continue;
          if (waiter.client.closed) {
            this.finish(waiter, null, new Error('Connection is closed.'));
            continue;
          }
          const reply = waiter.condition!.poll();
          if (reply !== null) this.finish(waiter, reply, null);
        }
      } while (this.pollAgain);
    } finally {
      this.polling = false;
    }
  }

  cancel(client: ClientState, error: Error): boolean {
    const waiter = this.waiters.get(client);
    if (waiter === undefined) return false;
    this.finish(waiter, null, error);
    this.detachIfIdle();
    return true;
  }

  /** CLIENT UNBLOCK: answers as a timeout, or with the given error. */
  unblock(client: ClientState, error: ReplyError | null): boolean {
    const waiter = this.waiters.get(client);
    if (waiter === undefined) return false;
    const timedOut = error !== null ? null : waiter.condition !== null ? waiter.condition.timedOut() : NULL_ARRAY;
    this.finish(waiter, timedOut, error);
    this.detachIfIdle();
    return true;
  }

  private arm(waiter: Waiter): void {
    if (waiter.deadline === 0) return;
    const clock = this.cache.clock;
    const delay = Math.min(Math.max(0, waiter.deadline - clock.now()), MAX_TIMER_MS);
    const fire = (): void => {
      waiter.timer = null;
      if (waiter.done) return;
      if (clock.now() < waiter.deadline) {
        this.arm(waiter);
        return;
      }
      if (waiter.condition !== null) {
        // The condition is looked at once more at the deadline (WAIT answers the count then).
        this.finish(waiter, waiter.condition.poll() ?? waiter.condition.timedOut(), null);
        return;
      }
      // A push that happened before the deadline is served first.
      this.serve();
      if (waiter.done) return;
      this.finish(waiter, NULL_ARRAY, null);
      this.detachIfIdle();
    };
    if (clock.kind === 'real') {
      // A referenced timer: like the socket of a real blocked connection, a pending timeout keeps
      // the process alive until it answers (the clock's own timers are unreferenced).
      const handle = setTimeout(fire, delay);
      waiter.timer = { cancel: () => clearTimeout(handle) };
    } else {
      waiter.timer = clock.setTimeout(fire, delay);
    }
  }

  /**
   * Ends a wait with its reply or error. A reply that did not come from running the command again
   * (a timeout, WAIT's condition, CLIENT UNBLOCK) counts the call now, as Redis's
   * updateStatsOnUnblock does (a re-run counted itself).
   */
  private finish(waiter: Waiter, reply: Reply | null, error: Error | null, rerun = false): void {
    if (waiter.done) return;
    waiter.done = true;
    if (!rerun && error === null) {
      const cache = this.cache;
      cache.commandLog.unblocked(lookupCommand(cache, waiter.argv), waiter.client, waiter.argv, cache.clock.now());
    }
    waiter.timer?.cancel();
    waiter.timer = null;
    if (this.waiters.get(waiter.client) === waiter) this.waiters.delete(waiter.client);
    if (waiter.condition !== null) this.conditions.delete(waiter);
    for (const key of waiter.keys) {
      if (waiter.kind === 'stream') {
        const n = (this.streamKeys.get(key) ?? 1) - 1;
        if (n <= 0) this.streamKeys.delete(key);
        else this.streamKeys.set(key, n);
      }
      const queue = this.queues.get(key);
      if (queue === undefined) continue;
      const i = queue.indexOf(waiter);
      if (i >= 0) queue.splice(i, 1);
      if (queue.length === 0) this.queues.delete(key);
    }
    if (error !== null) waiter.reject(error);
    else waiter.resolve(reply!);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.serve();
    });
  }

  private attach(): void {
    if (this.attached) return;
    this.attached = true;
    this.cache.changeListeners.push(this.listener);
  }

  /**
   * Stops listening once nobody waits, so commands go back to the no-listener fast path. Deferred
   * to a microtask: the listener list may be being iterated right now.
   */
  private detachIfIdle(): void {
    if (!this.attached || this.waiters.size > 0) return;
    queueMicrotask(() => {
      if (!this.attached || this.waiters.size > 0) return;
      const listeners = this.cache.changeListeners;
      const i = listeners.indexOf(this.listener);
      if (i >= 0) listeners.splice(i, 1);
      this.attached = false;
      this.ready.clear();
      this.created.clear();
      for (const shard of this.cache.shards) if (shard.keyspace.onCreated === this.onCreated) shard.keyspace.onCreated = null;
    });
  }
}

const managers = new WeakMap<CacheCore, BlockingManager>();

function managerOf(cache: CacheCore): BlockingManager {
  let manager = managers.get(cache);
  if (manager === undefined) managers.set(cache, (manager = new BlockingManager(cache)));
  return manager;
}

/**
 * Waits until a blocked command can be served (the reply of its re-run), times out (a null array:
 * `*-1` in RESP2, as Redis answers every blocked list and sorted-set command), or is cancelled.
 * Call it right after `dispatch` returned `marker` for `argv` on `client`. An error reply of the
 * re-run rejects the promise with its ReplyError.
 */
export function waitForReply(
  cache: CacheCore,
  client: ClientState,
  argv: readonly Bytes[],
  marker: BlockedReply,
): Promise<Reply> {
  return managerOf(cache).wait(client, argv, marker);
}

/**
 * Serves now the waiters whose keys changed (otherwise done at the next microtask). A facade may
 * call it after each top-level command so a blocked client is served before the next command
 * runs, as in Redis.
 */
export function serveReadyClients(cache: CacheCore): void {
  managers.get(cache)?.serve();
}

/**
 * Drops a connection's blocked command (disconnect, QUIT): its promise rejects with `error`.
 * Returns whether the connection was blocked.
 */
export function cancelBlocked(cache: CacheCore, client: ClientState, error = new Error('Connection is closed.')): boolean {
  return managers.get(cache)?.cancel(client, error) ?? false;
}

/**
 * CLIENT UNBLOCK: ends a connection's wait with the timed-out answer, or (`withError`) with
 * `-UNBLOCKED client unblocked via CLIENT UNBLOCK`. Returns whether it was blocked.
 */
export function unblockClient(cache: CacheCore, client: ClientState, withError = false): boolean {
  const error = withError ? new ReplyError('UNBLOCKED client unblocked via CLIENT UNBLOCK') : null;
  return managers.get(cache)?.unblock(client, error) ?? false;
}

/**
 * Tells the condition waiters (WAIT) that what they wait for may have changed (a replica applied
 * writes, resynced or was lost): each one whose condition now holds is answered. Costs a map
 * lookup when nobody waits.
 */
export function notifyConditionWaiters(cache: CacheCore): void {
  managers.get(cache)?.pollConditions();
}

/** True while the connection waits in a blocking command (CLIENT LIST flag `b`). */
export function isClientBlocked(cache: CacheCore, client: ClientState): boolean {
  return managers.get(cache)?.isBlocked(client) ?? false;
}

/** The command a blocked connection waits in (its arguments: CLIENT LIST `argv-mem`), or null when it is not blocked. */
export function blockedArgv(cache: CacheCore, client: ClientState): readonly Bytes[] | null {
  return managers.get(cache)?.argvOf(client) ?? null;
}

/** INFO `blocked_clients` and `total_blocking_keys`. */
export function blockingStats(cache: CacheCore): { blockedClients: number; blockingKeys: number } {
  const manager = managers.get(cache);
  return { blockedClients: manager?.blockedCount ?? 0, blockingKeys: manager?.blockingKeyCount ?? 0 };
}

/** The canonical key names of argv positions (helper for the blocking commands). */
export function keyNames(argv: readonly Bytes[], from: number, to: number): string[] {
  const keys: string[] = [];
  for (let i = from; i < to; i++) keys.push(keyName(argv[i]));
  return keys;
}
