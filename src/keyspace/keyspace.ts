/**
 * One shard's keyspace: the data, an expiry index that keys without a TTL never touch, and lazy
 * plus active expiry driven by the cache's clock.
 */
import type { Bytes } from './bytes.js';
import type { AccessTracker } from './access.js';

/** A value of a non-string type (list, hash, set, zset, stream): each type module subclasses it. */
export abstract class RedisObject {
  /** The name `TYPE` answers. */
  abstract readonly type: string;
  /** The name `OBJECT ENCODING` answers. */
  abstract encoding(): string;
  /** A deep copy (COPY, replicas). */
  abstract clone(): RedisObject;
  /**
   * Called when {@link Keyspace.set} stores the value under a key (a new key, RENAME, COPY). Types
   * whose parts expire on their own (hash fields with a TTL) use it to index the key for active
   * expiry; the others leave it out.
   */
  stored?(db: Keyspace, key: string): void;
}

/**
 * Active expiry of parts of values (hash fields with a TTL), kept per keyspace by the type that
 * has such parts (hash.ts creates it when a first field gets a TTL).
 */
export interface SubkeyExpiry {
  /** One active expiry cycle's share: removes parts whose time has passed at `now`. */
  cycle(db: Keyspace, now: number): void;
}

/** Told about what active expiry did inside a value: keyspace events (`hexpired`, `del`) and the effects to replicate (`HDEL`). */
export type SubkeyListener = (key: string, events: readonly string[], effects: Bytes[][]) => void;

/** What a key holds: a string value (bytes) or a typed object. */
export type StoredValue = Bytes | RedisObject;

/** Strings written in place by APPEND/SETRANGE: Redis reports them as `raw` whatever their size. */
export const rawStrings = new WeakSet<Buffer>();

/** The type name `TYPE` answers for a stored value. */
export function typeOf(value: StoredValue): string {
  return value instanceof RedisObject ? value.type : 'string';
}

/** Why a key left: `expired` (its TTL passed) or `evicted` (memory pressure). */
export type RemovalReason = 'expired' | 'evicted';

/** Told about keys that leave without a command deleting them (expiry, eviction). */
export type RemovalListener = (key: string, reason: RemovalReason) => void;

export class Keyspace {
  /** Key name (latin1 byte string) → value. */
  readonly data = new Map<string, StoredValue>();
  /** Key name → absolute expiry time in ms; only keys with a TTL are here. */
  readonly expires = new Map<string, number>();
  /** Set by the owner (shard) to hear about expired and evicted keys. */
  onRemoved: RemovalListener | null = null;
  /** Set by the owner (shard) to hear about parts of values removed by active expiry (hash fields). */
  onSubkeysExpired: SubkeyListener | null = null;
  /** The index of values with expiring parts (hash fields with a TTL); null until one exists. */
  subkeys: SubkeyExpiry | null = null;
  /** Keys removed by expiry so far (INFO `expired_keys`). */
  expiredCount = 0;
  /** Where read lookups are counted (INFO `keyspace_hits` / `keyspace_misses`); the cache's stats. */
  counters: { keyspaceHits: number; keyspaceMisses: number } = { keyspaceHits: 0, keyspaceMisses: 0 };
  private activeExpiryCursor: Iterator<[string, number]> | null = null;
  /**
   * LRU/LFU stamps, present only while the maxmemory policy needs them. Under the `volatile-*`
   * policies only keys with a TTL can be evicted, so only they are tracked (`trackAll` false):
   * keys without a TTL pay nothing on the hot path, as with Redis's expiry index.
   */
  access: AccessTracker | null = null;
  trackAll = false;
  /** The time for stamps when a write has none at hand (the cache's clock). */
  clockNow: () => number = () => 0;
  /** Keys added so far (lets SCAN reuse a snapshot when nothing was inserted). */
  insertions = 0;
  /** Told about each key a write creates (keyspace event `new`); null unless someone asks. */
  onAdded: ((key: string) => void) | null = null;
  /** Told about each read lookup that misses (keyspace event `keymiss`); null unless someone asks. */
  onMiss: ((key: string) => void) | null = null;

  /** The live value of `key` at time `now`, expiring it first when its time has passed. */
  get(key: string, now: number): StoredValue | undefined {
    const value = this.data.get(key);
    if (value === undefined) return undefined;
    if (this.expires.size === 0) {
      if (this.access !== null && this.trackAll) this.access.touch(key, now);
      return value;
    }
    const when = this.expires.get(key);
    if (when !== undefined && when <= now) {
      this.expire(key);
      return undefined;
    }
    if (this.access !== null && (this.trackAll || when !== undefined)) this.access.touch(key, now);
    return value;
  }

  /** Like {@link get} without counting as an access (Redis's LOOKUP_NOTOUCH). */
  peek(key: string, now: number): StoredValue | undefined {
    const value = this.data.get(key);
    if (value === undefined || this.expires.size === 0) return value;
    const when = this.expires.get(key);
    if (when !== undefined && when <= now) {
      this.expire(key);
      return undefined;
    }
    return value;
  }

  /**
   * A no-touch read lookup that still counts as a keyspace hit or miss (EXISTS, TYPE, TTL …).
   * `notify` false: no `keymiss` event either (OBJECT, as Redis's LOOKUP_NONOTIFY).
   */
  peekRead(key: string, now: number, notify = true): StoredValue | undefined {
    const value = this.peek(key, now);
    if (value === undefined) {
      this.counters.keyspaceMisses++;
      if (this.onMiss !== null && notify) this.onMiss(key);
    } else this.counters.keyspaceHits++;
    return value;
  }

  /**
   * A read lookup (Redis's `lookupKeyRead`): like {@link get}, and counted as a keyspace hit or
   * miss. Read commands use this; writes that look a key up first use {@link get}.
   */
  read(key: string, now: number): StoredValue | undefined {
    const value = this.get(key, now);
    if (value === undefined) {
      this.counters.keyspaceMisses++;
      if (this.onMiss !== null) this.onMiss(key);
    } else this.counters.keyspaceHits++;
    return value;
  }

  /** True when `key` exists at `now`. */
  has(key: string, now: number): boolean {
    return this.get(key, now) !== undefined;
  }

  /** Stores a value and drops any TTL (SET semantics), unless `keepTtl`. */
  set(key: string, value: StoredValue, keepTtl = false): void {
    // One look at the expiry index serves three purposes: a key whose time has passed expires
    // before it is overwritten (Redis's writes look the key up first, so `expired` is reported and
    // the write creates a new key), SET drops the TTL, and a volatile policy tracks TTL keys.
    let when: number | undefined;
    if (this.expires.size !== 0) {
      when = this.expires.get(key);
      if (when !== undefined && when <= this.clockNow()) {
        this.expire(key);
        when = undefined;
      }
    }
    const sizeBefore = this.data.size;
    this.data.set(key, value);
    const added = this.data.size !== sizeBefore;
    if (added) this.insertions++;
    if (when !== undefined && !keepTtl) {
      this.expires.delete(key);
      if (this.access !== null && !this.trackAll) this.access.forget(key);
      when = undefined;
    }
    if (this.access !== null && (this.trackAll || when !== undefined)) this.access.stored(key, this.clockNow(), !added);
    if (typeof value === 'object' && value instanceof RedisObject && value.stored !== undefined) value.stored(this, key);
    if (this.onAdded !== null && added) this.onAdded(key);
  }

  /** Replaces the value of an existing key, keeping its TTL (in-place updates: APPEND, INCR). */
  replace(key: string, value: StoredValue): void {
    this.data.set(key, value);
  }

  /** Removes a key; true when it was there. */
  delete(key: string): boolean {
    if (!this.data.delete(key)) return false;
    if (this.expires.size !== 0) this.expires.delete(key);
    this.access?.forget(key);
    return true;
  }

  /** Absolute expiry time in ms, or undefined when the key has no TTL. */
  expireTime(key: string): number | undefined {
    return this.expires.size === 0 ? undefined : this.expires.get(key);
  }

  /** Sets the absolute expiry time of an existing key. */
  setExpire(key: string, when: number): void {
    const hadTtl = this.access !== null && !this.trackAll && this.expires.has(key);
    this.expires.set(key, when);
    // A key becomes an eviction candidate of a volatile policy: its clock starts now.
    if (this.access !== null && !this.trackAll && !hadTtl) this.access.stored(key, this.clockNow(), false);
  }

  /** Drops the TTL; true when there was one. */
  persist(key: string): boolean {
    const had = this.expires.size !== 0 && this.expires.delete(key);
    if (had && this.access !== null && !this.trackAll) this.access.forget(key);
    return had;
  }

  /** Number of keys, counting keys whose TTL has passed but have not been collected yet. */
  get size(): number {
    return this.data.size;
  }

  /** Removes everything. */
  clear(): void {
    this.data.clear();
    this.expires.clear();
    this.access?.clear();
    this.activeExpiryCursor = null;
    this.subkeys = null;
  }

  /** Removes a key whose TTL has passed and tells the listener. */
  expire(key: string): void {
    this.data.delete(key);
    this.expires.delete(key);
    this.access?.forget(key);
    this.expiredCount++;
    this.onRemoved?.(key, 'expired');
  }

  /**
   * One active expiry cycle, as Redis's `activeExpireCycle` does it: walk the expiry index from
   * where the last cycle stopped, collect what has expired, and stop after `budget` keys looked at
   * (or sooner, once few of the keys looked at were expired). Returns how many keys it removed.
   */
  activeExpire(now: number, budget = 200): number {
    if (this.subkeys !== null) this.subkeys.cycle(this, now);
    if (this.expires.size === 0) return 0;
    let removed = 0;
    let looked = 0;
    // Counts for the current pass over the index: a pass that finds few expired keys ends the cycle.
    let passLooked = 0;
    let passRemoved = 0;
    let cursor = this.activeExpiryCursor ?? this.expires.entries();
    while (looked < budget) {
      const step = cursor.next();
      if (step.done) {
        this.activeExpiryCursor = null;
        if (passLooked === 0 || passRemoved * 4 < passLooked || this.expires.size === 0) return removed;
        cursor = this.expires.entries();
        passLooked = passRemoved = 0;
        continue;
      }
      looked++;
      passLooked++;
      const [key, when] = step.value;
      if (when <= now) {
        this.expire(key);
        removed++;
        passRemoved++;
      }
    }
    this.activeExpiryCursor = cursor;
    return removed;
  }
}
