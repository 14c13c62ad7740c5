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
 * value: it lives in one Map per keyspace. That costs one Map write per read, so a keyspace
 * only carries a tracker while its policy needs one (see {@link accessModeFor}); without one,
 * reads pay nothing.
 *
 * The keyspace drives it: `touch` on every lookup that is not NOTOUCH, `stored` when a new value
 * object is stored, `stampOf`/`restore` for RENAME, `forget` when a key leaves, `clear` on FLUSH.
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

export class AccessTracker {
  readonly mode: AccessMode;
  private readonly rng: Rng;
  private readonly since: number;
  private readonly logFactor: number;
  private readonly decayTime: number;
  /**
   * LRU: last access, in whole seconds since {@link baseSecond} (small integers, so V8 stores them
   * unboxed: no allocation per access). LFU: `minutes * 256 + counter`.
   */
  private readonly stamps = new Map<string, number>();
  private readonly baseSecond: number;

  constructor(options: AccessTrackerOptions) {
    this.mode = options.mode;
    this.rng = options.rng;
    this.since = options.since;
    this.baseSecond = Math.floor(options.since / 1000);
    this.logFactor = options.lfuLogFactor ?? 10;
    this.decayTime = options.lfuDecayTime ?? 1;
  }

  /** A lookup that updates the access time / counter (Redis's `lookupKey` without NOTOUCH). */
  touch(key: string, now: number): void {
    if (this.mode === 'lru') {
      this.stamps.set(key, Math.floor(now / 1000) - this.baseSecond);
      return;
    }
    const counter = this.logIncrement(this.decayed(key, now));
    this.stamps.set(key, minutes(now) * 256 + counter);
  }

  /**
   * A new value object is stored under `key` (SET, COPY …). LRU: the object's clock starts now.
   * LFU: a new key starts at {@link LFU_INIT_VAL}; overwriting an existing key keeps its counter
   * (Redis's `dbSetValue` copies the old object's LFU field).
   */
  stored(key: string, now: number, overwrite: boolean): void {
    if (this.mode === 'lru') this.stamps.set(key, Math.floor(now / 1000) - this.baseSecond);
    else if (!overwrite || !this.stamps.has(key)) this.stamps.set(key, minutes(now) * 256 + LFU_INIT_VAL);
  }

  /** The stamp of a key, to carry it along when its value object moves (RENAME). */
  stampOf(key: string): number | undefined {
    return this.stamps.get(key);
  }

  /** Gives `key` a stamp taken with {@link stampOf} (RENAME: the object keeps its history). */
  restore(key: string, stamp: number | undefined): void {
    if (stamp === undefined) this.stamps.delete(key);
    else this.stamps.set(key, stamp);
  }

  /** The key left (DEL, expiry, eviction). */
  forget(key: string): void {
    this.stamps.delete(key);
  }

  /** FLUSHALL / FLUSHDB. */
  clear(): void {
    this.stamps.clear();
  }

  /** Milliseconds since the last access, at the LRU clock's one-second resolution (LRU mode). */
  idleMs(key: string, now: number): number {
    const stamp = this.stamps.get(key) ?? 0;
    const idle = (Math.floor(now / 1000) - this.baseSecond - stamp) * 1000;
    return idle > 0 ? idle : 0;
  }

  /** The LFU counter after decay, without touching (`LFUDecrAndReturn`; LFU mode). */
  frequency(key: string, now: number): number {
    return this.decayed(key, now);
  }

  private decayed(key: string, now: number): number {
    const stamp = this.stamps.get(key) ?? minutes(this.since) * 256 + LFU_INIT_VAL;
    const counter = stamp & 255;
    const periods = this.decayTime > 0 ? Math.floor(minutesSince(stamp >>> 8, now) / this.decayTime) : 0;
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
