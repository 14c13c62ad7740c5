/**
 * Hash values: fields (byte strings, held under their canonical latin1 names like keys) mapped to
 * values, the encoding Redis 7.4 would report (`listpack`, `listpackex`, `hashtable`), and the
 * Redis 7.4 hash-field TTLs.
 *
 * Field TTLs follow Redis 7.4:
 * - A field whose time has passed (`when < now`) is invisible to every read. Lookups by name (HGET,
 *   HEXISTS, HINCRBY, HEXPIRE …) remove it on the spot (lazy expiry); whole-hash reads (HGETALL,
 *   HKEYS, HSCAN …) skip it; HLEN, HDEL and HSET see it until it is collected, as Redis's do.
 * - Each keyspace keeps an index of the hashes that have fields with a TTL (a min-heap by earliest
 *   field expiry), and the cache's active expiry cycle (every 100 ms on the cache's clock)
 *   collects due fields from it, reporting `hexpired` (and `del` when a hash empties).
 * - A hash that loses its last field is deleted.
 */
import { isAscii, keyReply, type Bytes } from '../bytes.js';
import { RedisObject, type Keyspace, type SubkeyExpiry } from '../keyspace.js';
import { allocSize, DICT_ENTRY, ROBJ, sdsSize } from '../memory.js';

/** The encodings OBJECT ENCODING reports for a hash. */
export type HashEncoding = 'listpack' | 'listpackex' | 'hashtable';

const LISTPACK = 0;
const LISTPACK_EX = 1;
const HASHTABLE = 2;
const ENCODING_NAMES: readonly HashEncoding[] = ['listpack', 'listpackex', 'hashtable'];

/** A binary min-heap of (time, name) pairs; stale entries are skipped by the owner. */
class ExpiryHeap<T> {
  whens: number[] = [];
  items: T[] = [];

  get size(): number {
    return this.whens.length;
  }

  push(when: number, item: T): void {
    const whens = this.whens;
    const items = this.items;
    let i = whens.length;
    whens.push(when);
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (whens[parent] <= when) break;
      whens[i] = whens[parent];
      items[i] = items[parent];
      i = parent;
    }
    whens[i] = when;
    items[i] = item;
  }

  /** Removes the top entry (the caller read it with `whens[0]` / `items[0]`). */
  pop(): void {
    const whens = this.whens;
    const items = this.items;
    const lastWhen = whens.pop()!;
    const lastItem = items.pop()!;
    const n = whens.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && whens[child + 1] < whens[child]) child++;
      if (whens[child] >= lastWhen) break;
      whens[i] = whens[child];
      items[i] = items[child];
      i = child;
    }
    whens[i] = lastWhen;
    items[i] = lastItem;
  }

  clear(): void {
    this.whens = [];
    this.items = [];
  }
}

/** Encoding thresholds read from the settings (cached per settings object, refreshed on change). */
export interface HashLimits {
  /** `hash-max-listpack-entries`. */
  entries: number;
  /** `hash-max-listpack-value`. */
  value: number;
}

interface SettingsLike {
  get(name: string): string | undefined;
  onChange?(listener: (name: string) => void): unknown;
}

const limitsCache = new WeakMap<object, HashLimits>();
/** Settings objects we listen to (one listener each). */
const watched = new WeakSet<object>();

/** The listpack thresholds of a cache's settings (Redis's defaults when a setting is missing). */
export function hashLimits(settings: SettingsLike): HashLimits {
  let limits = limitsCache.get(settings);
  if (limits !== undefined) return limits;
  const read = (name: string, fallback: number): number => {
    const n = Number(settings.get(name));
    return Number.isFinite(n) && n >= 0 ? n : fallback;
  };
  limits = { entries: read('hash-max-listpack-entries', 128), value: read('hash-max-listpack-value', 64) };
  limitsCache.set(settings, limits);
  if (!watched.has(settings)) {
    watched.add(settings);
    settings.onChange?.((name) => {
      if (name.startsWith('hash-max-')) limitsCache.delete(settings);
    });
  }
  return limits;
}

/** Byte length of a value or argument (strings stand for their UTF-8 bytes). */
function lengthOf(value: Bytes): number {
  if (typeof value !== 'string') return value.length;
  const n = value.length;
  for (let i = 0; i < n; i++) if (value.charCodeAt(i) > 0x7f) return Buffer.byteLength(value, 'utf8');
  return n;
}

/**
 * Bytes of one listpack entry holding `value` (the memory model; lengths as JavaScript lengths,
 * see src/keyspace/memory.ts): an integer in 1 to 9 bytes, a string with a 1, 2 or 5-byte header,
 * then the back length.
 */
function listpackEntryBytes(value: Bytes): number {
  const len = value.length;
  let body: number;
  if (typeof value === 'string' && len > 0 && len <= 20 && isSmallIntegerText(value)) {
    const v = Number(value);
    body = v >= 0 && v <= 127 ? 1 : v >= -4096 && v <= 4095 ? 2 : v >= -32768 && v <= 32767 ? 3 : v >= -8388608 && v <= 8388607 ? 4 : v >= -2147483648 && v <= 2147483647 ? 5 : 9;
  } else body = len + (len <= 63 ? 1 : len <= 4095 ? 2 : 5);
  return body + (body < 128 ? 1 : body < 16384 ? 2 : 3);
}

/** Canonical decimal integer text (no leading zeros or plus sign), as listpacks store as integers. */
function isSmallIntegerText(value: string): boolean {
  const c = value.charCodeAt(0);
  if (c === 48) return value.length === 1;
  let i = c === 45 ? 1 : 0;
  if (i === 1 && (value.length === 1 || value.charCodeAt(1) === 48)) return false;
  for (; i < value.length; i++) {
    const d = value.charCodeAt(i);
    if (d < 48 || d > 57) return false;
  }
  return Number.isSafeInteger(Number(value)) || value.length < 20;
}

/** The result of setting a field's expiry (`hashTypeSetEx`): Redis's per-field reply codes. */
export const EXPIRE_NO_FIELD = -2;
export const EXPIRE_NOT_MET = 0;
export const EXPIRE_SET = 1;
export const EXPIRE_DELETED = 2;

/** NX XX GT LT of the HEXPIRE family. */
export type ExpireCondition = '' | 'NX' | 'XX' | 'GT' | 'LT';

export class RedisHash extends RedisObject {
  readonly type = 'hash';
  /** Field name (latin1 byte string) → value. */
  readonly fields = new Map<string, Bytes>();
  /** Field name → absolute expiry time in ms, for fields with a TTL; null until one has. */
  ttls: Map<string, number> | null = null;
  /** Fields by expiry time (may hold stale entries: checked against `ttls`). */
  private heap: ExpiryHeap<string> | null = null;
  private enc = LISTPACK;
  /** True while every field name ever added was ASCII (then a name is its own reply). */
  asciiOnly = true;
  /** Fields added so far (lets HSCAN reuse its sorted snapshot when nothing was added). */
  insertions = 0;
  /** Field names in an array (random picks), rebuilt after fields come or go. */
  private order: string[] | null = null;
  /** The key this hash was last indexed under for active expiry, and the time it was indexed at. */
  indexedKey: string | null = null;
  indexedWhen = Infinity;
  /** Listpack entry sizes of every field and value, summed (memory estimate). */
  private listpackSum = 0;
  /** sds sizes of every field and value, summed (memory estimate of the hashtable encoding). */
  private tableSum = 0;

  encoding(): string {
    return ENCODING_NAMES[this.enc];
  }

  /** True while the hash is in one of the listpack encodings. */
  get small(): boolean {
    return this.enc !== HASHTABLE;
  }

  clone(): RedisHash {
    const copy = new RedisHash();
    for (const [field, value] of this.fields) copy.fields.set(field, value);
    copy.listpackSum = this.listpackSum;
    copy.tableSum = this.tableSum;
    copy.enc = this.enc;
    copy.asciiOnly = this.asciiOnly;
    if (this.ttls !== null && this.ttls.size !== 0) {
      for (const [field, when] of this.ttls) copy.setFieldExpiry(field, when);
    }
    return copy;
  }

  /**
   * A hash as RESTORE loads one: `encoding` as the payload's type and Redis's load rules decided,
   * the fields in order, each with its absolute expiry time when it has one.
   */
  static restored(encoding: HashEncoding, fields: Iterable<readonly [field: string, value: Bytes, when: number | undefined]>): RedisHash {
    const hash = new RedisHash();
    hash.enc = ENCODING_NAMES.indexOf(encoding);
    for (const [field, value, when] of fields) {
      hash.fields.set(field, value);
      hash.count(field, value, 1);
      hash.insertions++;
      if (hash.asciiOnly && !isAscii(field)) hash.asciiOnly = false;
      if (when !== undefined) hash.setFieldExpiry(field, when);
    }
    return hash;
  }

  override stored(db: Keyspace, key: string): void {
    if (this.ttls !== null && this.ttls.size !== 0) fieldIndexOf(db).track(key, this);
  }

  get size(): number {
    return this.fields.size;
  }

  /**
   * The memory estimate, O(1) from running sums: a listpack of field and value entries (plus a TTL
   * entry per field in `listpackex`), or a dict with an entry and two sds per field (and the
   * field's TTL and its place in the expiry buckets for fields with one).
   */
  override memoryUsage(): number {
    const n = this.fields.size;
    const ttls = this.ttls === null ? 0 : this.ttls.size;
    if (this.enc === LISTPACK) return ROBJ + allocSize(7 + this.listpackSum);
    if (this.enc === LISTPACK_EX) return ROBJ + allocSize(7 + this.listpackSum + 2 * n + 8 * ttls);
    let buckets = 4;
    while (buckets < n) buckets *= 2;
    return ROBJ + 56 + buckets * 8 + n * DICT_ENTRY + this.tableSum + 16 * ttls;
  }

  /** Adds a field and value to the running sums (`sign` 1) or takes them out (-1). */
  private count(field: string, value: Bytes, sign: 1 | -1): void {
    this.listpackSum += sign * (listpackEntryBytes(field) + listpackEntryBytes(value));
    this.tableSum += sign * (sdsSize(field.length) + sdsSize(value.length));
  }

  // -------------------------------------------------------------------------------------------
  // Encoding

  /**
   * Redis's `hashTypeTryConversion` before a write of `pairs` field/value pairs whose arguments
   * are `args`: a listpack hash becomes a hashtable when more pairs arrive than the listpack may
   * hold, or when one argument is longer than `hash-max-listpack-value`.
   */
  prepareWrite(args: readonly Bytes[], start: number, end: number, limits: HashLimits): void {
    if (this.enc === HASHTABLE) return;
    if ((end - start + 1) >> 1 > limits.entries) {
      this.enc = HASHTABLE;
      this.resized();
      return;
    }
    for (let i = start; i <= end; i++) {
      if (lengthOf(args[i]) > limits.value) {
        this.enc = HASHTABLE;
        this.resized();
        return;
      }
    }
  }

  /** After a write: too many fields for a listpack make a hashtable. */
  checkSize(limits: HashLimits): void {
    if (this.enc !== HASHTABLE && this.fields.size > limits.entries) {
      this.enc = HASHTABLE;
      this.resized();
    }
  }

  /** Field expiry commands turn a listpack into a listpackex (the listpack that holds TTLs). */
  allowTtls(): void {
    if (this.enc === LISTPACK) {
      this.enc = LISTPACK_EX;
      this.resized();
    }
  }

  // -------------------------------------------------------------------------------------------
  // Fields

  /**
   * Sets a field (Redis's `hashTypeSet`): drops its TTL unless `keepTtl`. Returns true when the
   * field is new. An expired field not yet collected counts as present, as in Redis.
   */
  set(field: string, value: Bytes, limits: HashLimits, keepTtl = false): boolean {
    if (this.enc !== HASHTABLE && (lengthOf(value) > limits.value || field.length > limits.value)) {
      this.enc = HASHTABLE;
    }
    const old = this.fields.get(field);
    this.fields.set(field, value);
    if (!keepTtl && this.ttls !== null && this.ttls.size !== 0) this.ttls.delete(field);
    if (old !== undefined) this.count(field, old, -1);
    this.count(field, value, 1);
    if (old !== undefined) {
      this.resized();
      return false;
    }
    this.order = null;
    this.insertions++;
    if (this.asciiOnly) {
      for (let i = 0; i < field.length; i++) {
        if (field.charCodeAt(i) > 0x7f) {
          this.asciiOnly = false;
          break;
        }
      }
    }
    if (this.enc !== HASHTABLE && this.fields.size > limits.entries) this.enc = HASHTABLE;
    this.resized();
    return true;
  }

  /** Removes a field (expired or not); true when it was there. */
  delete(field: string): boolean {
    const old = this.fields.get(field);
    if (old === undefined) return false;
    this.fields.delete(field);
    this.count(field, old, -1);
    if (this.ttls !== null && this.ttls.size !== 0) this.ttls.delete(field);
    this.order = null;
    this.resized();
    return true;
  }

  /** The field's expiry time, or undefined when it has no TTL. */
  fieldExpiry(field: string): number | undefined {
    return this.ttls === null ? undefined : this.ttls.get(field);
  }

  /** True when the field is stored but its time has passed (`when < now`). */
  isExpired(field: string, now: number): boolean {
    if (this.ttls === null || this.ttls.size === 0) return false;
    const when = this.ttls.get(field);
    return when !== undefined && when < now;
  }

  /** True when some field has a TTL. */
  get hasTtls(): boolean {
    return this.ttls !== null && this.ttls.size !== 0;
  }

  /** Gives a field an expiry time (the field must exist). */
  setFieldExpiry(field: string, when: number): void {
    (this.ttls ??= new Map()).set(field, when);
    const heap = (this.heap ??= new ExpiryHeap());
    heap.push(when, field);
    if (heap.size > 2 * this.ttls.size + 32) this.rebuildHeap();
    this.resized();
  }

  /** Drops a field's TTL; true when it had one. */
  persist(field: string): boolean {
    if (this.ttls === null || !this.ttls.delete(field)) return false;
    this.resized();
    return true;
  }

  private rebuildHeap(): void {
    const heap = new ExpiryHeap<string>();
    if (this.ttls !== null) for (const [field, when] of this.ttls) heap.push(when, field);
    this.heap = heap;
  }

  /** The earliest field expiry time, or Infinity. */
  nextExpiry(): number {
    const heap = this.heap;
    const ttls = this.ttls;
    if (heap === null || ttls === null || ttls.size === 0) {
      if (heap !== null) this.heap = null;
      return Infinity;
    }
    while (heap.size !== 0) {
      const field = heap.items[0];
      const when = heap.whens[0];
      if (ttls.get(field) === when) return when;
      heap.pop();
    }
    return Infinity;
  }

  /** Removes up to `limit` fields whose time has come (`when <= now`, as Redis's active expiry); returns their names. */
  removeExpired(now: number, limit: number): string[] {
    const removed: string[] = [];
    const heap = this.heap;
    const ttls = this.ttls;
    if (heap === null || ttls === null) return removed;
    while (heap.size !== 0 && removed.length < limit) {
      const field = heap.items[0];
      const when = heap.whens[0];
      if (ttls.get(field) !== when) {
        heap.pop();
        continue;
      }
      if (when > now) break;
      heap.pop();
      ttls.delete(field);
      const old = this.fields.get(field);
      if (old !== undefined) this.count(field, old, -1);
      this.fields.delete(field);
      this.order = null;
      removed.push(field);
    }
    if (removed.length !== 0) this.resized();
    return removed;
  }

  /** A field name as a reply: the name itself when ASCII, its bytes otherwise. */
  fieldReply(field: string): string | Buffer {
    return this.asciiOnly ? field : keyReply(field);
  }

  /** Every stored field name in an array (do not modify it). */
  fieldList(): string[] {
    return (this.order ??= Array.from(this.fields.keys()));
  }

  /** Live field names (expired ones skipped), in the hash's order. */
  liveFields(now: number): string[] {
    const out: string[] = [];
    const ttls = this.hasTtls ? this.ttls! : null;
    for (const field of this.fields.keys()) {
      if (ttls !== null) {
        const when = ttls.get(field);
        if (when !== undefined && when < now) continue;
      }
      out.push(field);
    }
    return out;
  }
}

/** The field as a reply: the string itself when ASCII, its bytes otherwise. */
export const fieldReply = keyReply;

// ---------------------------------------------------------------------------------------------
// The keyspace's index of hashes with field TTLs (active expiry)

/** At most this many fields are removed per keyspace per active expiry cycle. */
export const FIELDS_PER_CYCLE = 1000;

/** Told about fields removed by active expiry of one keyspace. */
export interface FieldExpiryReport {
  (db: Keyspace, key: string, hash: RedisHash, fields: string[], keyDeleted: boolean): void;
}

class FieldExpiryIndex implements SubkeyExpiry {
  private readonly heap = new ExpiryHeap<{ key: string; hash: RedisHash }>();
  private compactAt = 1024;

  constructor(private readonly db: Keyspace) {}

  /** Indexes `hash` under `key` by its earliest field expiry (if not already indexed earlier). */
  track(key: string, hash: RedisHash): void {
    const when = hash.nextExpiry();
    if (when === Infinity) return;
    if (hash.indexedKey === key && hash.indexedWhen <= when) return;
    hash.indexedKey = key;
    hash.indexedWhen = when;
    this.heap.push(when, { key, hash });
    if (this.heap.size > this.compactAt) this.compact();
  }

  /** Drops entries of hashes that left their key or lost their TTLs (deleted, renamed, persisted). */
  private compact(): void {
    const entries = this.heap.items;
    const whens = this.heap.whens;
    this.heap.clear();
    for (let i = 0; i < entries.length; i++) {
      const { key, hash } = entries[i];
      if (hash.indexedKey === key && hash.indexedWhen === whens[i] && hash.hasTtls && this.db.valueOf(key) === hash) {
        this.heap.push(whens[i], entries[i]);
      }
    }
    this.compactAt = Math.max(1024, this.heap.size * 2);
  }

  /** How many hashes of `db` have fields with a TTL (INFO keyspace `subexpiry`). */
  count(db: Keyspace): number {
    const seen = new Set<RedisHash>();
    for (const { key, hash } of this.heap.items) {
      if (hash.indexedKey === key && hash.hasTtls && db.valueOf(key) === hash) seen.add(hash);
    }
    return seen.size;
  }

  cycle(db: Keyspace, now: number): void {
    const heap = this.heap;
    let budget = FIELDS_PER_CYCLE;
    while (heap.size !== 0 && budget > 0) {
      const when = heap.whens[0];
      if (when > now) break;
      const { key, hash } = heap.items[0];
      heap.pop();
      if (hash.indexedKey !== key || db.valueOf(key) !== hash) continue;
      hash.indexedKey = null;
      hash.indexedWhen = Infinity;
      // A key whose own TTL has passed goes as a whole (and reports `expired`).
      if (db.get(key, now) === undefined) continue;
      const fields = hash.removeExpired(now, budget);
      budget -= fields.length;
      if (fields.length !== 0) reportExpiredFields(db, key, hash, fields);
      if (hash.fields.size !== 0) this.track(key, hash);
    }
  }
}

/** The field expiry index of a keyspace (created on first use). */
export function fieldIndexOf(db: Keyspace): FieldExpiryIndex {
  let index = db.subkeys;
  if (!(index instanceof FieldExpiryIndex)) {
    index = new FieldExpiryIndex(db);
    db.subkeys = index;
  }
  return index as FieldExpiryIndex;
}

/** INFO keyspace `subexpiry`: the number of hashes in `db` that have fields with a TTL. */
export function hashesWithFieldTtls(db: Keyspace): number {
  const index = db.subkeys;
  return index instanceof FieldExpiryIndex ? index.count(db) : 0;
}

/**
 * Fields removed by active expiry: counts them (INFO `expired_subkeys`), deletes the hash when it
 * emptied, and tells the keyspace's listener (`hexpired`, `del`; replicated as HDEL).
 */
function reportExpiredFields(db: Keyspace, key: string, hash: RedisHash, fields: string[]): void {
  countExpiredFields(db, fields.length);
  const events = ['hexpired'];
  if (hash.fields.size === 0) {
    db.delete(key);
    events.push('del');
  }
  const listener = db.onSubkeysExpired;
  if (listener !== null) {
    const name = Buffer.from(key, 'latin1');
    listener(key, events, [['HDEL', name, ...fields.map((f) => Buffer.from(f, 'latin1'))]]);
  }
}

/** Adds to INFO's `expired_subkeys` (kept on the cache's stats, which the keyspace counts into). */
export function countExpiredFields(db: Keyspace, n: number): void {
  const stats = db.counters as { expiredSubkeys?: number };
  stats.expiredSubkeys = (stats.expiredSubkeys ?? 0) + n;
}
