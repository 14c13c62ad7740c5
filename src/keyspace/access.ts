/**
 * Per-key access tracking for the eviction policies and `OBJECT IDLETIME` / `OBJECT FREQ`, as
 * Redis keeps it in each object's 24-bit `lru` field:
 *
 * - LRU policies: the time of the last access, at the LRU clock's one-second resolution.
 * - LFU policies: a logarithmic access counter (0..255, new keys start at 5) and the minute it was
 *   last decremented; the counter decays by one per `lfu-decay-time` minutes without access and
 *   grows with probability `1 / ((counter - 5) * lfu-log-factor + 1)` per access.
 *
 * Keys are JavaScript strings and most values are primitives, so the stamp cannot live on the
 * value: it lives on the key's {@link Entry} in the keyspace (the object that also holds the
 * expiry time). This class is the arithmetic of stamps; the keyspace stores them. A keyspace only
 * carries a tracker while its policy needs one (see {@link accessModeFor}); without one, reads pay
 * nothing.
 */
import type { Rng } from '../rng.js';

/** Counter value of a new object under LFU (Redis's `LFU_INIT_VAL`). */
export const LFU_INIT_VAL = 5;

/** What a keyspace tracks for its maxmemory policy. */
export type AccessMode = 'lru' | 'lfu';

/** `lfu` for the LFU policies, `lru` for the LRU ones, null for policies that need no tracking. */
export function accessModeFor(maxmemoryPolicy: string | undefined): AccessMode | null {
  if (maxmemoryPolicy === undefined) return null;
  if (maxmemoryPolicy.endsWith('-lfu')) return 'lfu';
  if (maxmemoryPolicy.endsWith('-lru')) return 'lru';
  return null;
}

/** True for the `allkeys-*` policies: every key is an eviction candidate, so every key is stamped. */
export function isAllKeysPolicy(maxmemoryPolicy: string | undefined): boolean {
  return maxmemoryPolicy !== undefined && maxmemoryPolicy.startsWith('allkeys-');
}

/** True when the policy makes Redis track LFU counters (then OBJECT IDLETIME is refused). */
export function isLfuPolicy(maxmemoryPolicy: string | undefined): boolean {
  return accessModeFor(maxmemoryPolicy) === 'lfu';
}

/** True when the policy disables shared integers (any LRU or LFU policy, with a maxmemory set). */
export function disablesSharedIntegers(maxmemoryPolicy: string | undefined): boolean {
  return accessModeFor(maxmemoryPolicy) !== null;
}

/** The 16-bit minute clock of LFU (`LFUGetTimeInMinutes`). */
function minutes(now: number): number {
  return Math.floor(now / 60000) & 65535;
}

/** Minutes elapsed since a 16-bit minute stamp, with Redis's wrap-around (`LFUTimeElapsed`). */
function minutesSince(stamp: number, now: number): number {
  const current = minutes(now);
  return current >= stamp ? current - stamp : 65535 - stamp + current;
}

export interface AccessTrackerOptions {
  mode: AccessMode;
  rng: Rng;
  /** When tracking started: keys never stamped count as accessed then. */
  since: number;
  /** `lfu-log-factor` (default 10). */
  lfuLogFactor?: number;
  /** `lfu-decay-time` in minutes (default 1; 0 disables decay). */
  lfuDecayTime?: number;
}

/**
 * The arithmetic of access stamps. A stamp is a small integer: LRU, the last access in whole
 * seconds since tracking started (small, so V8 keeps it unboxed); LFU, `minutes * 256 + counter`.
 * `undefined` stands for a key never stamped: it counts as accessed when tracking started.
 */
export class AccessTracker {
  readonly mode: AccessMode;
  private readonly rng: Rng;
  private readonly since: number;
  private readonly logFactor: number;
  private readonly decayTime: number;
  private readonly baseSecond: number;

  constructor(options: AccessTrackerOptions) {
    this.mode = options.mode;
    this.rng = options.rng;
    this.since = options.since;
    this.baseSecond = Math.floor(options.since / 1000);
    this.logFactor = options.lfuLogFactor ?? 10;
    this.decayTime = options.lfuDecayTime ?? 1;
  }

  /** The stamp after a lookup that is not NOTOUCH (Redis's `updateLFU` / LRU clock update). */
  touched(stamp: number | undefined, now: number): number {
    if (this.mode === 'lru') return Math.floor(now / 1000) - this.baseSecond;
    const counter = this.logIncrement(this.decayed(stamp, now));
    return minutes(now) * 256 + counter;
  }

  /**
   * The stamp of a value object stored now (SET, COPY …). LRU: its clock starts now. LFU: a new
   * key starts at {@link LFU_INIT_VAL}; overwriting an existing key keeps its counter (Redis's
   * `dbSetValue` copies the old object's LFU field), so pass the old stamp then.
   */
  stored(previous: number | undefined, now: number): number {
    if (this.mode === 'lru') return Math.floor(now / 1000) - this.baseSecond;
    return previous ?? minutes(now) * 256 + LFU_INIT_VAL;
  }

  /**
   * The stamp RESTORE … IDLETIME / FREQ gives a value (`objectSetLRUOrLFU`): LRU, last accessed
   * `idleSeconds` ago; LFU, the counter `freq` as of now. Null when the option does not apply to
   * this mode (IDLETIME under LFU, FREQ under LRU), which leaves the stamp as it is.
   */
  restoredStamp(idleSeconds: number | null, freq: number | null, now: number): number | null {
    if (this.mode === 'lfu') return freq === null ? null : minutes(now) * 256 + freq;
    if (idleSeconds === null) return null;
    return Math.floor(now / 1000) - this.baseSecond - idleSeconds;
  }

  /**
   * A stamp as the figures an RDB file (and a move to another tracker) carries: `[idle seconds,
   * null]` in LRU mode, `[null, LFU counter]` in LFU mode; {@link restoredStamp} takes them back.
   */
  figures(stamp: number | undefined, now: number): [idleSeconds: number | null, freq: number | null] {
    return this.mode === 'lru' ? [Math.floor(this.idleMs(stamp, now) / 1000), null] : [null, this.frequency(stamp, now)];
  }

  /** Milliseconds since the last access, at the LRU clock's one-second resolution (LRU mode). */
  idleMs(stamp: number | undefined, now: number): number {
    const idle = (Math.floor(now / 1000) - this.baseSecond - (stamp ?? 0)) * 1000;
    return idle > 0 ? idle : 0;
  }

  /** The LFU counter after decay, without touching (`LFUDecrAndReturn`; LFU mode). */
  frequency(stamp: number | undefined, now: number): number {
    return this.decayed(stamp, now);
  }

  private decayed(stamp: number | undefined, now: number): number {
    const value = stamp ?? minutes(this.since) * 256 + LFU_INIT_VAL;
    const counter = value & 255;
    const periods = this.decayTime > 0 ? Math.floor(minutesSince(value >>> 8, now) / this.decayTime) : 0;
    if (periods === 0) return counter;
    return periods > counter ? 0 : counter - periods;
  }

  private logIncrement(counter: number): number {
    if (counter === 255) return 255;
    const base = counter - LFU_INIT_VAL < 0 ? 0 : counter - LFU_INIT_VAL;
    const p = 1 / (base * this.logFactor + 1);
    return this.rng.next() < p ? counter + 1 : counter;
  }
}
