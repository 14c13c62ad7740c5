/**
 * One shard's keyspace: the data, an expiry index that keys without a TTL never touch, and lazy
 * plus active expiry driven by the cache's clock.
 *
 * A key without a TTL maps straight to its value. A key with a TTL maps to an {@link Entry} that
 * holds the value, the expiry time and the LRU/LFU stamp together, so one Map lookup finds all
 * three (a separate expiry Map and stamp Map cost a hash lookup each, and at hundreds of thousands
 * of keys every lookup is a cache miss). The expiry index that active expiry walks is an array of
 * those entries, each knowing its position, so adding and removing a TTL never hashes again.
 */
import type { Bytes } from './bytes.js';
import type { AccessTracker } from './access.js';
import { bucketGrowth, EXPIRE_ENTRY, keyBytes, stringValueBytes } from './memory.js';

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
  /**
   * About the bytes Redis spends on this value (`MEMORY USAGE` without the key), in O(1): types
   * keep running sums of their parts. A type without a model counts as a small fixed size.
   */
  memoryUsage(): number {
    return 96;
  }
  /** The keyspace whose {@link Keyspace.bytes} counts this value (set while it is stored). */
  owner: Keyspace | null = null;
  /** What {@link owner}'s total holds for this value: its {@link memoryUsage} when last counted. */
  accounted = 0;
  /**
   * Mutation primitives call this after changing the value's size: the owning keyspace's total
   * follows in O(1). Values not stored anywhere (being built, or removed) count nowhere.
   */
  protected resized(): void {
    const owner = this.owner;
    if (owner === null) return;
    const bytes = this.memoryUsage();
    owner.bytes += bytes - this.accounted;
    this.accounted = bytes;
  }
}

/** The bytes a value takes in the memory model (strings by size and encoding, objects by their own figure). */
export function valueBytes(value: StoredValue): number {
  return value instanceof RedisObject ? value.memoryUsage() : stringValueBytes(value);
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

/** `Entry.when` of a key without a TTL (an entry kept only for its access stamp). */
export const NO_TTL = Infinity;

/**
 * What a key with a TTL (or, under an `allkeys-*` policy, any key) maps to: its value, its
 * absolute expiry time in ms, its access stamp, and its place in the expiry index.
 */
export class Entry {
  /** Position in the keyspace's expiry index; -1 when the entry has no TTL. */
  index = -1;
  /** Position in the keyspace's index of every entry (`allkeys-*` policies sample it); -1 outside. */
  pos = -1;
  /** LRU/LFU stamp (see AccessTracker); undefined until the entry is first stamped. */
  stamp: number | undefined = undefined;

  constructor(
    public key: string,
    public value: StoredValue,
    /** Absolute expiry time in ms, or {@link NO_TTL}. */
    public when: number,
  ) {}
}

/** What the table maps a key to: the value itself, or its {@link Entry}. */
type Slot = StoredValue | Entry;

export class Keyspace {
  /**
   * Key name (latin1 byte string) → value, or → {@link Entry} for keys with a TTL. Read it through
   * the methods (they unwrap entries and expire keys whose time has passed); SCAN iterates its keys.
   */
  readonly table = new Map<string, Slot>();
  /** The expiry index: every entry with a TTL, in no particular order (each knows its position). */
  private readonly volatile: Entry[] = [];
  /** Every entry while {@link trackAll} (each knows its position): what `allkeys-*` eviction samples. */
  private readonly everyEntry: Entry[] = [];
  /** Where the next active expiry cycle resumes in {@link volatile}. */
  private activeExpiryCursor = 0;
  /**
   * The dataset estimate: the bytes Redis would spend on these keys, their values, their TTLs and
   * the two dicts' bucket arrays (src/keyspace/memory.ts), kept current by every write in O(1).
   */
  bytes = 0;
  /**
   * Eviction starts when {@link bytes} exceeds this: the shard's maxmemory less the fixed
   * overhead a Redis process has before any key. Infinity when there is no limit.
   */
  evictAbove = Infinity;
  /** Keys removed by eviction so far (INFO `evicted_keys`). */
  evictedCount = 0;
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
  /**
   * LRU/LFU stamping, present only while the maxmemory policy needs it (see {@link track}). Under
   * the `volatile-*` policies only keys with a TTL can be evicted, so only their entries are
   * stamped (`trackAll` false) and keys without a TTL pay nothing; under `allkeys-*` every key
   * gets an entry for its stamp.
   */
  access: AccessTracker | null = null;
  trackAll = false;
  /** The time for stamps when a write has none at hand (the cache's clock). */
  clockNow: () => number = () => 0;
  /** Keys added so far (lets SCAN reuse a snapshot when nothing was inserted). */
  insertions = 0;
  /** Told about each key a write creates (keyspace event `new`); null unless someone asks. */
  onAdded: ((key: string) => void) | null = null;
  /**
   * Told about each key a write creates, for the blocking manager: Redis wakes blocked clients
   * only when a key is added (dbAdd), never when an existing key is overwritten in place.
   */
  onCreated: ((key: string) => void) | null = null;
  /** Told about each read lookup that misses (keyspace event `keymiss`); null unless someone asks. */
  onMiss: ((key: string) => void) | null = null;

  /** The live value of `key` at time `now`, expiring it first when its time has passed. */
  get(key: string, now: number): StoredValue | undefined {
    const slot = this.table.get(key);
    if (typeof slot !== 'object' || !(slot instanceof Entry)) return slot;
    if (slot.when <= now) {
      this.expireEntry(slot);
      return undefined;
    }
    if (this.access !== null) slot.stamp = this.access.touched(slot.stamp, now);
    return slot.value;
  }

  /** Like {@link get} without counting as an access (Redis's LOOKUP_NOTOUCH). */
  peek(key: string, now: number): StoredValue | undefined {
    const slot = this.table.get(key);
    if (typeof slot !== 'object' || !(slot instanceof Entry)) return slot;
    if (slot.when <= now) {
      this.expireEntry(slot);
      return undefined;
    }
    return slot.value;
  }

  /**
   * The stored value whatever its TTL, without expiring or touching anything (for code that
   * already looked the key up and checks it still holds the same object).
   */
  valueOf(key: string): StoredValue | undefined {
    const slot = this.table.get(key);
    return typeof slot === 'object' && slot instanceof Entry ? slot.value : slot;
  }

  /** True when the table holds `key`, even if its time has passed and it is not collected yet. */
  holds(key: string): boolean {
    return this.table.has(key);
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

  /**
   * Stores a value. Its TTL becomes `when` (absolute ms) when given; otherwise SET semantics drop
   * any TTL, unless `keepTtl`.
   */
  set(key: string, value: StoredValue, keepTtl = false, when = NO_TTL): void {
    const table = this.table;
    // A plain SET with no TTLs and no stamps anywhere needs no lookup first: storing replaces.
    if (when === NO_TTL && this.volatile.length === 0 && this.access === null && !this.trackAll) {
      const old = table.get(key) as StoredValue | undefined;
      table.set(key, value);
      if (old === undefined) this.bytes += keyBytes(key) + bucketGrowth(table.size);
      else this.release(old);
      this.adopt(value);
      this.stored(key, value, old === undefined);
      return;
    }
    let slot = table.get(key);
    // A key whose time has passed expires before it is overwritten (Redis's writes look the key up
    // first, so `expired` is reported and the write creates a new key).
    if (typeof slot === 'object' && slot instanceof Entry && slot.when <= this.clockNow()) {
      this.expireEntry(slot);
      slot = undefined;
    }
    const added = slot === undefined;
    if (typeof slot === 'object' && slot instanceof Entry) {
      // The key keeps its entry (and its place in the expiry index) when it keeps a TTL or a stamp.
      if (when !== NO_TTL) this.setWhen(slot, when);
      else if (!keepTtl) {
        if (slot.index >= 0) this.unindex(slot);
        slot.when = NO_TTL;
        if (!this.trackAll) {
          table.set(key, value);
          this.release(slot.value);
          this.adopt(value);
          this.stored(key, value, false);
          return;
        }
      }
      this.release(slot.value);
      slot.value = value;
      this.adopt(value);
      if (this.access !== null) slot.stamp = this.access.stored(slot.stamp, this.clockNow());
      this.stored(key, value, false);
      return;
    }
    if (added) this.bytes += keyBytes(key) + bucketGrowth(table.size + 1);
    else this.release(slot as StoredValue);
    this.adopt(value);
    if (when !== NO_TTL || this.trackAll) {
      const entry = new Entry(key, value, NO_TTL);
      if (when !== NO_TTL) this.setWhen(entry, when);
      if (this.access !== null) entry.stamp = this.access.stored(undefined, this.clockNow());
      if (this.trackAll) entry.pos = this.everyEntry.push(entry) - 1;
      table.set(key, entry);
    } else table.set(key, value);
    this.stored(key, value, added);
  }

  /** What follows storing a value: types that index their parts hear of it; `new` for a new key. */
  private stored(key: string, value: StoredValue, added: boolean): void {
    if (added) this.insertions++;
    if (typeof value === 'object' && value instanceof RedisObject && value.stored !== undefined) value.stored(this, key);
    if (added) {
      if (this.onAdded !== null) this.onAdded(key);
      if (this.onCreated !== null) this.onCreated(key);
    }
  }

  /** Replaces the value of an existing key, keeping its TTL (in-place updates: APPEND, INCR). */
  replace(key: string, value: StoredValue): void {
    const slot = this.table.get(key);
    if (typeof slot === 'object' && slot instanceof Entry) {
      this.release(slot.value);
      slot.value = value;
    } else {
      this.table.set(key, value);
      if (slot === undefined) this.bytes += keyBytes(key) + bucketGrowth(this.table.size);
      else this.release(slot);
    }
    this.adopt(value);
  }

  /** Removes a key; true when it was there. */
  delete(key: string): boolean {
    const slot = this.table.get(key);
    if (slot === undefined) return false;
    this.table.delete(key);
    this.bytes -= keyBytes(key) + bucketGrowth(this.table.size + 1);
    if (typeof slot === 'object' && slot instanceof Entry) {
      if (slot.index >= 0) this.unindex(slot);
      if (slot.pos >= 0) this.unlist(slot);
      this.release(slot.value);
    } else this.release(slot);
    return true;
  }

  /** A value enters the accounting (stored under a key). */
  private adopt(value: StoredValue): void {
    if (typeof value === 'object' && value instanceof RedisObject) {
      value.owner = this;
      this.bytes += value.accounted = value.memoryUsage();
    } else this.bytes += stringValueBytes(value);
  }

  /** A value leaves the accounting (overwritten or removed). */
  private release(value: StoredValue): void {
    if (typeof value === 'object' && value instanceof RedisObject) {
      if (value.owner === this) {
        value.owner = null;
        this.bytes -= value.accounted;
      }
    } else this.bytes -= stringValueBytes(value);
  }

  /** Takes an entry out of the index of every entry: the last entry takes its place. */
  private unlist(entry: Entry): void {
    const all = this.everyEntry;
    const last = all.pop()!;
    if (last !== entry) {
      all[entry.pos] = last;
      last.pos = entry.pos;
    }
    entry.pos = -1;
  }

  /**
   * Moves a key's value to another name with its TTL and access stamp (RENAME: the object moves).
   * `dst` must not exist.
   */
  rename(src: string, dst: string): void {
    const slot = this.table.get(src);
    if (slot === undefined) return;
    this.table.delete(src);
    if (typeof slot === 'object' && slot instanceof Entry) slot.key = dst;
    this.table.set(dst, slot);
    this.bytes += keyBytes(dst) - keyBytes(src);
    this.stored(dst, typeof slot === 'object' && slot instanceof Entry ? slot.value : slot, true);
  }

  /** Absolute expiry time in ms, or undefined when the key has no TTL. */
  expireTime(key: string): number | undefined {
    if (this.volatile.length === 0) return undefined;
    const slot = this.table.get(key);
    return typeof slot === 'object' && slot instanceof Entry && slot.when !== NO_TTL ? slot.when : undefined;
  }

  /** Sets the absolute expiry time of an existing key. */
  setExpire(key: string, when: number): void {
    const slot = this.table.get(key);
    if (slot === undefined) return;
    if (typeof slot === 'object' && slot instanceof Entry) {
      // A key becomes an eviction candidate of a volatile policy: its clock starts now.
      if (slot.index < 0 && this.access !== null && !this.trackAll) slot.stamp = this.access.stored(undefined, this.clockNow());
      this.setWhen(slot, when);
      return;
    }
    const entry = new Entry(key, slot, NO_TTL);
    this.setWhen(entry, when);
    if (this.access !== null) entry.stamp = this.access.stored(undefined, this.clockNow());
    this.table.set(key, entry);
  }

  /** Drops the TTL; true when there was one. */
  persist(key: string): boolean {
    if (this.volatile.length === 0) return false;
    const slot = this.table.get(key);
    if (typeof slot !== 'object' || !(slot instanceof Entry) || slot.index < 0) return false;
    this.unindex(slot);
    slot.when = NO_TTL;
    if (!this.trackAll) this.table.set(key, slot.value);
    return true;
  }

  /** Number of keys, counting keys whose TTL has passed but have not been collected yet. */
  get size(): number {
    return this.table.size;
  }

  /** Number of keys with a TTL (INFO keyspace `expires`). */
  get volatileCount(): number {
    return this.volatile.length;
  }

  /** Every key name, in insertion order. */
  keys(): IterableIterator<string> {
    return this.table.keys();
  }

  /** Every key with its value and expiry time (undefined without a TTL), expired or not. */
  *entries(): IterableIterator<[key: string, value: StoredValue, when: number | undefined]> {
    for (const [key, slot] of this.table) {
      if (typeof slot === 'object' && slot instanceof Entry) yield [key, slot.value, slot.when === NO_TTL ? undefined : slot.when];
      else yield [key, slot, undefined];
    }
  }

  /** Every expiry time, one per key with a TTL. */
  *expiryTimes(): IterableIterator<number> {
    for (const entry of this.volatile) yield entry.when;
  }

  /** How many times {@link clear} ran (lets observers that track keys notice a flush). */
  clears = 0;

  /** Removes everything. */
  clear(): void {
    this.clears++;
    for (const slot of this.table.values()) {
      const value = typeof slot === 'object' && slot instanceof Entry ? slot.value : slot;
      if (value instanceof RedisObject && value.owner === this) value.owner = null;
    }
    this.table.clear();
    this.bytes = 0;
    this.everyEntry.length = 0;
    this.volatile.length = 0;
    this.activeExpiryCursor = 0;
    this.subkeys = null;
  }

  /** The access stamp of a key (undefined when it has none). */
  stampOf(key: string): number | undefined {
    const slot = this.table.get(key);
    return typeof slot === 'object' && slot instanceof Entry ? slot.stamp : undefined;
  }

  /** Sets the access stamp of a key that carries one (an entry); false when it has none. */
  setStamp(key: string, stamp: number): boolean {
    const slot = this.table.get(key);
    if (typeof slot !== 'object' || !(slot instanceof Entry)) return false;
    slot.stamp = stamp;
    return true;
  }

  /**
   * Starts (or, with a null tracker, stops) access tracking: under `allkeys-*` every key gets an
   * entry to carry its stamp. Existing keys count as accessed now.
   */
  track(access: AccessTracker | null, trackAll: boolean, now: number): void {
    this.access = access;
    // allkeys-random stamps nothing but still samples every key: it keeps entries too.
    this.trackAll = trackAll;
    const all = this.everyEntry;
    for (const entry of all) entry.pos = -1;
    all.length = 0;
    for (const [key, slot] of this.table) {
      if (typeof slot === 'object' && slot instanceof Entry) {
        if (access === null) slot.stamp = undefined;
        else if (this.trackAll || slot.index >= 0) slot.stamp = access.stored(undefined, now);
        // An entry kept only for a stamp goes back to a bare value when nothing stamps it.
        if (!this.trackAll && slot.index < 0) this.table.set(key, slot.value);
        else if (this.trackAll) slot.pos = all.push(slot) - 1;
      } else if (this.trackAll) {
        const entry = new Entry(key, slot, NO_TTL);
        if (access !== null) entry.stamp = access.stored(undefined, now);
        entry.pos = all.push(entry) - 1;
        this.table.set(key, entry);
      }
    }
  }

  /**
   * Removes a key for memory (eviction): reported as `evicted` to the listener, like expiry.
   * True when it was there.
   */
  evict(key: string): boolean {
    if (!this.delete(key)) return false;
    this.evictedCount++;
    this.onRemoved?.(key, 'evicted');
    return true;
  }

  /** How many keys `allkeys-*` eviction may sample (every key while {@link trackAll}). */
  get sampleableCount(): number {
    return this.trackAll ? this.everyEntry.length : this.volatile.length;
  }

  /**
   * The entry at a position of the sampled index: every entry under `allkeys-*` (`all` true),
   * the entries with a TTL otherwise. Eviction draws positions at random.
   */
  entryAt(position: number, all: boolean): Entry {
    return all ? this.everyEntry[position] : this.volatile[position];
  }

  /** Number of entries in the index of every entry (allkeys sampling). */
  get allEntryCount(): number {
    return this.everyEntry.length;
  }

  /** Removes a key whose TTL has passed and tells the listener. */
  expire(key: string): void {
    const slot = this.table.get(key);
    if (typeof slot === 'object' && slot instanceof Entry) this.expireEntry(slot);
  }

  private expireEntry(entry: Entry): void {
    this.table.delete(entry.key);
    this.bytes -= keyBytes(entry.key) + bucketGrowth(this.table.size + 1);
    if (entry.index >= 0) this.unindex(entry);
    if (entry.pos >= 0) this.unlist(entry);
    this.release(entry.value);
    this.expiredCount++;
    this.onRemoved?.(entry.key, 'expired');
  }

  /** Gives an entry an expiry time, adding it to the index when it had none. */
  private setWhen(entry: Entry, when: number): void {
    entry.when = when;
    if (entry.index < 0) {
      entry.index = this.volatile.push(entry) - 1;
      this.bytes += EXPIRE_ENTRY + bucketGrowth(this.volatile.length);
    }
  }

  /** Takes an entry out of the expiry index: the last entry takes its place. */
  private unindex(entry: Entry): void {
    const index = this.volatile;
    const last = index.pop()!;
    if (last !== entry) {
      index[entry.index] = last;
      last.index = entry.index;
    }
    entry.index = -1;
    this.bytes -= EXPIRE_ENTRY + bucketGrowth(index.length + 1);
  }

  /**
   * One active expiry cycle, as Redis's `activeExpireCycle` does it: walk the expiry index from
   * where the last cycle stopped, collect what has expired, and stop after `budget` keys looked at
   * (or sooner, once few of the keys looked at were expired). Returns how many keys it removed.
   */
  activeExpire(now: number, budget = 200): number {
    if (this.subkeys !== null) this.subkeys.cycle(this, now);
    const index = this.volatile;
    if (index.length === 0) return 0;
    let removed = 0;
    let looked = 0;
    // Counts for the current pass over the index: a pass that finds few expired keys ends the cycle.
    let passLooked = 0;
    let passRemoved = 0;
    let i = this.activeExpiryCursor;
    while (looked < budget) {
      if (i >= index.length) {
        i = 0;
        if (passLooked === 0 || passRemoved * 4 < passLooked || index.length === 0) break;
        passLooked = passRemoved = 0;
        continue;
      }
      looked++;
      passLooked++;
      const entry = index[i];
      if (entry.when <= now) {
        // The last entry moves into position i: look at i again.
        this.expireEntry(entry);
        removed++;
        passRemoved++;
      } else i++;
    }
    this.activeExpiryCursor = i;
    return removed;
  }
}
