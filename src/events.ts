/**
 * The typed event bus of a cache. Emitting costs one check when nobody listens and history is off.
 */

/** Every event the cache emits, by name. Later features add their own. */
export interface CacheEvents {
  /** A key was removed because its TTL passed (lazily or by active expiry). */
  'key-expired': { key: Buffer; shard: number };
  /** A key was evicted under memory pressure. */
  'key-evicted': { key: Buffer; shard: number };
}

/** An event as recorded in the history: its name, the clock's time, and its payload. */
export interface RecordedEvent<K extends keyof CacheEvents = keyof CacheEvents> {
  type: K;
  time: number;
  data: CacheEvents[K];
}

type Listener<K extends keyof CacheEvents> = (data: CacheEvents[K] & { time: number }) => void;

export class EventBus {
  private readonly listeners = new Map<keyof CacheEvents, Set<Listener<never>>>();
  private recorded: RecordedEvent[] | null = null;

  /** Calls `listener` for every `type` event. Returns a function that unsubscribes. */
  on<K extends keyof CacheEvents>(type: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => this.off(type, listener);
  }

  off<K extends keyof CacheEvents>(type: K, listener: Listener<K>): void {
    this.listeners.get(type)?.delete(listener as Listener<never>);
  }

  /** True when an event of this type would reach anyone (listeners or history). */
  wants(type: keyof CacheEvents): boolean {
    return this.recorded !== null || (this.listeners.get(type)?.size ?? 0) > 0;
  }

  emit<K extends keyof CacheEvents>(type: K, time: number, data: CacheEvents[K]): void {
    this.recorded?.push({ type, time, data } as RecordedEvent);
    const set = this.listeners.get(type);
    if (!set || set.size === 0) return;
    const payload = { ...data, time };
    for (const listener of set) (listener as Listener<K>)(payload);
  }

  /** Starts keeping every event (for assertions); returns nothing. */
  record(): void {
    this.recorded ??= [];
  }

  /** Every event since {@link record} was called, in order. */
  history(): readonly RecordedEvent[] {
    return this.recorded ?? [];
  }
}
