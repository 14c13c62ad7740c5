/**
 * Time for the whole cache. Nothing in the core reads `Date.now()` directly: commands read
 * `clock.now()` once each, and timers (active expiry, blocking timeouts, replication lag) are
 * scheduled here so that a virtual clock drives them deterministically.
 */

/** A scheduled callback. */
export interface TimerHandle {
  cancel(): void;
}

/** The cache's clock. */
export interface Clock {
  /** `'real'` follows the wall clock; `'virtual'` moves only when told to. */
  readonly kind: 'real' | 'virtual';
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Runs `fn` once `ms` milliseconds from now (on this clock). */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /**
   * Virtual clock: moves time forward by `ms`, firing due timers in time order.
   * Real clock: throws (real time cannot be moved).
   */
  advance(ms: number): void;
  /** Virtual clock: sets the time (it may not go backwards while timers are pending). */
  set(epochMs: number): void;
}

interface PendingTimer {
  due: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** A clock that only moves when told to. Timers fire during `advance`/`set`, in due order. */
export class VirtualClock implements Clock {
  readonly kind = 'virtual' as const;
  private current: number;
  private timers: PendingTimer[] = [];
  private seq = 0;

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: PendingTimer = { due: this.current + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    // Keep timers sorted by (due, seq); inserting from the end is cheap for the usual short lists.
    let i = this.timers.length;
    while (i > 0 && (this.timers[i - 1].due > timer.due)) i--;
    this.timers.splice(i, 0, timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('clock.advance needs a non-negative number of milliseconds');
    this.runUntil(this.current + ms);
  }

  set(epochMs: number): void {
    if (epochMs < this.current && this.timers.some((t) => !t.cancelled)) {
      throw new RangeError('the virtual clock cannot go backwards while timers are pending');
    }
    if (epochMs >= this.current) this.runUntil(epochMs);
    else this.current = epochMs;
  }

  private runUntil(target: number): void {
    while (this.timers.length > 0 && this.timers[0].due <= target) {
      const timer = this.timers.shift()!;
      if (timer.cancelled) continue;
      this.current = Math.max(this.current, timer.due);
      timer.fn();
    }
    this.current = target;
  }
}

/**
 * The wall clock. Like Redis, which reads the time once per command rather than on every lookup,
 * it caches the time briefly: it re-reads `Date.now()` every 32 calls and after every turn of the
 * event loop (a `setImmediate` drops the cached value), so a caller that sleeps, waits on a timer
 * or on I/O always sees fresh time, and a tight loop sees time move every 32 commands.
 */
export class RealClock implements Clock {
  readonly kind = 'real' as const;
  private cached = 0;
  private reads = 0;
  private readonly invalidate = (): void => {
    this.reads = 0;
  };
  now(): number {
    if (this.reads !== 0 && (++this.reads & 31) !== 0) return this.cached;
    if (this.reads === 0) {
      this.reads = 1;
      setImmediate(this.invalidate).unref?.();
    }
    return (this.cached = Date.now());
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const handle = setTimeout(fn, ms);
    handle.unref?.();
    return { cancel: () => clearTimeout(handle) };
  }
  advance(): void {
    throw new Error("clock.advance() needs clock: 'virtual'");
  }
  set(): void {
    throw new Error("clock.set() needs clock: 'virtual'");
  }
}

/** The clock a `clock` option names: one given, a virtual clock starting at `startTime`, or the real one. */
export function clockFor(option: 'real' | 'virtual' | Clock | undefined, startTime: number): Clock {
  if (typeof option === 'object') return option;
  return option === 'virtual' ? new VirtualClock(startTime) : new RealClock();
}
