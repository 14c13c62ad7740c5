/**
 * The limits Redis puts on a client connection, as settings and rules (no I/O): the RESP server
 * (src/server/server.ts) enforces them on its sockets, CLIENT LIST and INFO report what they see.
 *
 * - `client-output-buffer-limit` (`<class> <hard> <soft> <soft-seconds>` for the normal, replica
 *   and pubsub classes): a client whose unwritten replies reach the hard limit, or stay at or over
 *   the soft limit for more than soft-seconds, is disconnected (Redis's checkClientOutputBufferLimits).
 * - `client-query-buffer-limit`: a client whose unprocessed request bytes exceed it is disconnected.
 * - `timeout`: an idle connection is closed after that many seconds, except blocked, pub/sub and
 *   MONITOR connections (Redis's clientsCronHandleTimeout).
 * - `maxclients`: one connection more is refused with `-ERR max number of clients reached`.
 *
 * Times are on the cache's clock, in whole seconds as Redis's `server.unixtime`.
 */
import { ConfigValueError } from './config.js';
import { parseMemory } from './config-defaults.js';
import type { CacheCore, ClientState } from './core-types.js';

/** The classes of `client-output-buffer-limit` (Redis calls the replica class `slave`). */
export type OutputLimitClass = 'normal' | 'slave' | 'pubsub';

/** One class's limits, in bytes and seconds (0: no limit). */
export interface OutputLimit {
  readonly hard: number;
  readonly soft: number;
  readonly softSeconds: number;
}

/** Redis's default, which AMR keeps (no normal-client limit; pub/sub 32 MB hard, 8 MB for 60 s). */
export const DEFAULT_OUTPUT_BUFFER_LIMITS = 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60';

const CLASS_ORDER: readonly OutputLimitClass[] = ['normal', 'slave', 'pubsub'];

function limitClassByName(name: string): OutputLimitClass | null {
  switch (name.toLowerCase()) {
    case 'normal':
      return 'normal';
    case 'slave':
    case 'replica':
      return 'slave';
    case 'pubsub':
      return 'pubsub';
    default:
      return null; // `master` too: Redis refuses a limit for it
  }
}

/** A whole decimal integer (strtoll with its end checked, as Redis parses soft-seconds), or null. */
function wholeInteger(text: string): number | null {
  return /^[+-]?\d+$/.test(text) ? Number(text) : null;
}

/** Parses the classes a value names (`normal 1mb 0 0 …`), all or nothing, with Redis's error texts. */
export function parseOutputBufferLimits(value: string): Map<OutputLimitClass, OutputLimit> {
  const words = value.split(' ').filter((w) => w.length > 0);
  if (words.length % 4 !== 0) throw new ConfigValueError('Wrong number of arguments in buffer limit configuration.');
  const limits = new Map<OutputLimitClass, OutputLimit>();
  for (let i = 0; i < words.length; i += 4) {
    const cls = limitClassByName(words[i]);
    if (cls === null) throw new ConfigValueError('Invalid client class specified in buffer limit configuration.');
    const hard = parseMemory(words[i + 1]);
    const soft = parseMemory(words[i + 2]);
    const softSeconds = wholeInteger(words[i + 3]);
    if (hard === null || soft === null || softSeconds === null || softSeconds < 0) {
      throw new ConfigValueError('Error in hard, soft or soft_seconds setting in buffer limit configuration.');
    }
    limits.set(cls, { hard: Number(hard), soft: Number(soft), softSeconds });
  }
  return limits;
}

/**
 * CONFIG SET's value for `client-output-buffer-limit`: the classes named in `change` replace
 * those of `current`, the others stay; the result in Redis's form (every class, numbers in bytes).
 */
export function mergeOutputBufferLimits(current: string, change: string): string {
  const merged = parseOutputBufferLimits(current);
  for (const [cls, limit] of parseOutputBufferLimits(change)) merged.set(cls, limit);
  return CLASS_ORDER.map((cls) => {
    const limit = merged.get(cls) ?? { hard: 0, soft: 0, softSeconds: 0 };
    return `${cls} ${limit.hard} ${limit.soft} ${limit.softSeconds}`;
  }).join(' ');
}

const parsedLimits = new WeakMap<CacheCore, { text: string; limits: Map<OutputLimitClass, OutputLimit> }>();

/** The current limits of one class (parsed once per value of the setting). */
export function outputLimitOf(cache: CacheCore, cls: OutputLimitClass): OutputLimit {
  const text = cache.settings.get('client-output-buffer-limit') ?? DEFAULT_OUTPUT_BUFFER_LIMITS;
  let entry = parsedLimits.get(cache);
  if (entry === undefined || entry.text !== text) {
    entry = { text, limits: parseOutputBufferLimits(text) };
    parsedLimits.set(cache, entry);
  }
  return entry.limits.get(cls) ?? { hard: 0, soft: 0, softSeconds: 0 };
}

/**
 * The class a connection's output is limited by: `pubsub` while it has subscriptions (RESP2 or
 * RESP3: Redis flags both CLIENT_PUBSUB), else `normal` (MONITOR connections too, as in Redis).
 */
export function outputLimitClass(client: ClientState): OutputLimitClass {
  return client.subscriptions > 0 ? 'pubsub' : 'normal';
}

/** Seconds on the cache clock, as Redis's `server.unixtime`. */
function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/**
 * One connection's soft-limit timer: Redis notes when the output first reached the soft limit
 * and disconnects once it has stayed there for more than soft-seconds.
 */
export class OutputLimitWatch {
  /** Second at which the soft limit was first reached (0: below it). */
  private softReachedAt = 0;

  /** True when a connection with `used` unwritten bytes must be disconnected now. */
  exceeded(used: number, limit: OutputLimit, nowMs: number): boolean {
    if (limit.hard > 0 && used >= limit.hard) return true;
    if (limit.soft > 0 && used >= limit.soft) {
      const now = unixSeconds(nowMs);
      if (this.softReachedAt === 0) {
        this.softReachedAt = now;
        return false; // first time seen: the clock starts
      }
      return now - this.softReachedAt > limit.softSeconds;
    }
    this.softReachedAt = 0;
    return false;
  }
}

/**
 * True when the idle `timeout` (seconds; 0: none) closes this connection now: idle for longer than
 * it and not blocked, subscribed or monitoring (Redis exempts those).
 */
export function idleTimedOut(client: ClientState, blocked: boolean, timeoutSeconds: number, nowMs: number): boolean {
  if (timeoutSeconds <= 0 || blocked || client.subscriptions > 0 || client.monitoring === true) return false;
  return unixSeconds(nowMs) - unixSeconds(client.lastInteraction) > timeoutSeconds;
}

/**
 * The largest value recorded in the last 8 seconds, kept as Redis keeps
 * `client_recent_max_input_buffer` / `client_recent_max_output_buffer`: one slot per second of
 * the clock, a slot reused (zeroed) 8 seconds later.
 */
export class RecentPeak {
  private readonly slots = new Array<number>(8).fill(0);
  private readonly seconds = new Array<number>(8).fill(-1);

  record(value: number, nowMs: number): void {
    const second = unixSeconds(nowMs);
    const i = second % 8;
    if (this.seconds[i] !== second) {
      this.seconds[i] = second;
      this.slots[i] = 0;
    }
    if (value > this.slots[i]) this.slots[i] = value;
  }

  peak(nowMs: number): number {
    const second = unixSeconds(nowMs);
    let max = 0;
    for (let i = 0; i < 8; i++) if (second - this.seconds[i] < 8 && this.slots[i] > max) max = this.slots[i];
    return max;
  }
}

/** Counters and peaks of the limits (INFO clients and stats). */
export interface ClientLimitStats {
  /** `rejected_connections`: refused at maxclients. */
  rejectedConnections: number;
  /** `client_query_buffer_limit_disconnections`. */
  queryBufferLimitDisconnections: number;
  /** `client_output_buffer_limit_disconnections`. */
  outputBufferLimitDisconnections: number;
  /** `client_recent_max_input_buffer`: unprocessed request bytes. */
  readonly recentMaxInput: RecentPeak;
  /** `client_recent_max_output_buffer`: unwritten reply bytes. */
  readonly recentMaxOutput: RecentPeak;
}

const statsByCache = new WeakMap<CacheCore, ClientLimitStats>();

/** The limit counters of a cache (created on first use). */
export function clientLimitStats(cache: CacheCore): ClientLimitStats {
  let stats = statsByCache.get(cache);
  if (stats === undefined) {
    stats = {
      rejectedConnections: 0,
      queryBufferLimitDisconnections: 0,
      outputBufferLimitDisconnections: 0,
      recentMaxInput: new RecentPeak(),
      recentMaxOutput: new RecentPeak(),
    };
    statsByCache.set(cache, stats);
  }
  return stats;
}

/** Connections counted against `maxclients`: every client but the cache's own in-process caller. */
export function connectionCount(cache: CacheCore): number {
  let n = 0;
  for (const client of cache.clients.values()) if (client.internal !== true) n++;
  return n;
}

/**
 * The error a connection over `maxclients` gets before it is closed (Redis's acceptCommonHandler:
 * the cluster form when cluster mode is on, i.e. the OSS policy).
 */
export function maxClientsError(cache: CacheCore): string {
  return cache.policy === 'OSS' ? 'ERR max number of clients + cluster connections reached' : 'ERR max number of clients reached';
}
