/**
 * Set values: members are byte strings (canonical latin1 JavaScript strings, one char per byte),
 * held in a Map (member → slot in a dense array) for O(1) membership, insertion, removal and
 * uniform random choice.
 *
 * The encoding Redis 7.4 would have is tracked alongside, with its conversion rules (one-way):
 *
 * - `intset` — every member reads as a 64-bit integer (`string2ll`) and there are at most
 *   `set-max-intset-entries` (512) of them; Redis iterates an intset in ascending numeric order.
 * - `listpack` — at most `set-max-listpack-entries` (128) members of at most
 *   `set-max-listpack-value` (64) bytes each (new in 7.2); iterated in insertion order.
 * - `hashtable` — anything else; iteration order is Redis's own business (here: insertion order).
 *
 * The iteration order matters because Redis's replies follow it (SMEMBERS, SINTER, SUNION …, and
 * the order an intset turns into a listpack), so it is reproduced for intset and listpack.
 */
import { RedisObject, type StoredValue } from '../keyspace.js';
import type { Config } from '../../config.js';
import type { Rng } from '../../rng.js';
import { parseInt64 } from '../../protocol/numbers.js';

export type SetEncoding = 'intset' | 'listpack' | 'hashtable';

/** The size thresholds of the set encodings (read from the cache's settings). */
export interface SetLimits {
  /** `set-max-intset-entries`, capped at 2^30 as Redis caps it. */
  readonly intsetEntries: number;
  /** `set-max-listpack-entries`. */
  readonly listpackEntries: number;
  /** `set-max-listpack-value` (bytes). */
  readonly listpackValue: number;
}

/** Redis's defaults (7.4). */
export const DEFAULT_SET_LIMITS: SetLimits = { intsetEntries: 512, listpackEntries: 128, listpackValue: 64 };

const INTSET_CAP = 2 ** 30;

function numberSetting(config: Config, name: string, fallback: number): number {
  const raw = config.get(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  return Number.isFinite(n) ? n : fallback;
}

function readLimits(config: Config): SetLimits {
  return {
    intsetEntries: Math.min(numberSetting(config, 'set-max-intset-entries', 512), INTSET_CAP),
    listpackEntries: numberSetting(config, 'set-max-listpack-entries', 128),
    listpackValue: numberSetting(config, 'set-max-listpack-value', 64),
  };
}

const limitsCache = new WeakMap<Config, SetLimits>();

/** The current set thresholds of a cache's settings (cached; refreshed when a setting changes). */
export function setLimits(config: Config): SetLimits {
  let limits = limitsCache.get(config);
  if (limits === undefined) {
    limits = readLimits(config);
    limitsCache.set(config, limits);
    config.onChange((name) => {
      if (name.startsWith('set-max-')) limitsCache.set(config, readLimits(config));
    });
  }
  return limits;
}

/** True when a member reads as a 64-bit integer the way `string2ll` accepts it (canonical form). */
export function isIntegerMember(member: string): boolean {
  const n = member.length;
  if (n === 0 || n > 20) return false;
  const c = member.charCodeAt(0);
  if (c !== 45 /* - */ && (c < 48 || c > 57)) return false;
  return parseInt64(member) !== null;
}

/** Orders two canonical int64 decimal strings numerically. */
export function compareIntegerMembers(a: string, b: string): number {
  const negA = a.charCodeAt(0) === 45;
  const negB = b.charCodeAt(0) === 45;
  if (negA !== negB) return negA ? -1 : 1;
  const sign = negA ? -1 : 1;
  if (a.length !== b.length) return (a.length - b.length) * sign;
  return a < b ? -sign : a > b ? sign : 0;
}

export class SetValue extends RedisObject {
  readonly type = 'set';
  /** The encoding Redis would have for this set. */
  enc: SetEncoding;
  /** Member → its slot in {@link dense}; the Map's order is the listpack order. */
  readonly index = new Map<string, number>();
  /** The members, densely packed (order meaningless), for uniform random choice. */
  private dense: string[] = [];
  /** Members ever added (lets a beginning SSCAN reuse its snapshot when nothing was added). */
  insertions = 0;
  /** The total byte length of the members (for the memory estimate). */
  private memberBytes = 0;
  /** The members' listpack entry sizes, summed (for the memory estimate). */
  private listpackSum = 0;
  /** Integer members needing 4 and 8 bytes in an intset (the intset's width follows the widest). */
  private wide4 = 0;
  private wide8 = 0;
  /** The intset iteration order (ascending numeric), cached until the next change. */
  private sorted: string[] | null = null;

  constructor(encoding: SetEncoding) {
    super();
    this.enc = encoding;
  }

  encoding(): string {
    return this.enc;
  }

  get size(): number {
    return this.dense.length;
  }

  has(member: string): boolean {
    return this.index.has(member);
  }

  /**
   * Adds a member with Redis's conversions (`setTypeAddAux`); true when it was not there.
   * An intset takes integers up to its limit, then becomes a hashtable; a non-integer turns it
   * into a listpack (members in ascending order, then the new one) when it and the intset's
   * longest member fit, into a hashtable otherwise; a listpack that is full or gets a member
   * too long becomes a hashtable.
   */
  add(member: string, limits: SetLimits): boolean {
    if (this.index.has(member)) return false;
    if (this.enc === 'intset') {
      if (isIntegerMember(member)) {
        this.insert(member);
        if (this.dense.length > limits.intsetEntries) this.enc = 'hashtable';
        this.resized();
        return true;
      }
      if (
        this.dense.length < limits.listpackEntries &&
        member.length <= limits.listpackValue &&
        this.longestLength() <= limits.listpackValue
      ) {
        this.reorder(this.iterationOrder());
        this.enc = 'listpack';
      } else {
        this.enc = 'hashtable';
      }
      this.insert(member);
      this.resized();
      return true;
    }
    if (this.enc === 'listpack' && !(this.dense.length < limits.listpackEntries && member.length <= limits.listpackValue)) {
      this.enc = 'hashtable';
    }
    this.insert(member);
    this.resized();
    return true;
  }

  /** Removes a member; true when it was there. The empty set is the caller's to delete. */
  remove(member: string): boolean {
    const slot = this.index.get(member);
    if (slot === undefined) return false;
    this.index.delete(member);
    this.count(member, -1);
    const last = this.dense.pop()!;
    if (last !== member) {
      this.dense[slot] = last;
      this.index.set(last, slot);
    }
    this.sorted = null;
    this.resized();
    return true;
  }

  /**
   * A size hint before adding many members (`setTypeMaybeConvert`): a listpack or intset that
   * could not hold that many becomes a hashtable straight away.
   */
  expectAdditions(count: number, limits: SetLimits): void {
    if (
      (this.enc === 'listpack' && count > limits.listpackEntries) ||
      (this.enc === 'intset' && count > limits.intsetEntries)
    ) {
      this.enc = 'hashtable';
      this.resized();
    }
  }

  /** Becomes an intset when small enough (`maybeConvertToIntset`); the caller knows every member is an integer. */
  convertToIntsetIfSmall(limits: SetLimits): void {
    if (this.enc === 'intset' || this.dense.length > limits.intsetEntries) return;
    this.enc = 'intset';
    this.sorted = null;
    this.resized();
  }

  /**
   * The members in Redis's iteration order: ascending numeric for an intset, insertion order
   * otherwise. The array may be shared with the set (intset): do not modify it.
   */
  iterationOrder(): readonly string[] {
    if (this.enc === 'intset') {
      if (this.sorted === null) this.sorted = Array.from(this.index.keys()).sort(compareIntegerMembers);
      return this.sorted;
    }
    return Array.from(this.index.keys());
  }

  /** The members in iteration order, without materialising an array when the order is the Map's. */
  members(): Iterable<string> {
    return this.enc === 'intset' ? this.iterationOrder() : this.index.keys();
  }

  /** A uniformly chosen member (the set must not be empty). */
  random(rng: Rng): string {
    return this.dense[rng.below(this.dense.length)];
  }

  /**
   * About the bytes Redis would use for this value (the object, and the intset, listpack or
   * hashtable with its members), for the memory figures (INFO, maxmemory).
   */
  override memoryUsage(): number {
    const n = this.dense.length;
    if (this.enc === 'intset') {
      const width = this.wide8 !== 0 ? 8 : this.wide4 !== 0 ? 4 : 2;
      return OBJECT_BYTES + allocationSize(8 + n * width);
    }
    // Listpack: header and end marker, then the entries.
    if (this.enc === 'listpack') return OBJECT_BYTES + allocationSize(7 + this.listpackSum);
    let buckets = 4;
    while (buckets < n) buckets *= 2;
    // Dict and its buckets; per member an sds (header, bytes, NUL, allocator rounding) and an entry.
    return OBJECT_BYTES + 56 + buckets * 8 + n * (8 + 2 + 8) + this.memberBytes;
  }

  /**
   * A set with the given encoding and members in that order, as RESTORE loads one (the loader has
   * applied Redis's conversion rules; the members are distinct).
   */
  static restored(encoding: SetEncoding, members: Iterable<string>): SetValue {
    const set = new SetValue(encoding);
    for (const member of members) set.insert(member);
    return set;
  }

  /** The byte width of each member in an intset holding these members: 2, 4 or 8. */
  intsetWidth(): 2 | 4 | 8 {
    return this.wide8 !== 0 ? 8 : this.wide4 !== 0 ? 4 : 2;
  }

  /** A deep copy with the same encoding and order (COPY). */
  clone(): SetValue {
    const copy = new SetValue(this.enc);
    for (const member of this.index.keys()) copy.insert(member);
    return copy;
  }

  private insert(member: string): void {
    this.index.set(member, this.dense.length);
    this.dense.push(member);
    this.count(member, 1);
    this.insertions++;
    this.sorted = null;
  }

  /** Adds a member's sizes to the running sums (`sign` 1) or takes them out (-1). */
  private count(member: string, sign: 1 | -1): void {
    this.memberBytes += sign * member.length;
    this.listpackSum += sign * listpackEntryBytes(member);
    if (isIntegerMember(member)) {
      const v = Number(member);
      if (v < -2147483648 || v > 2147483647) this.wide8 += sign;
      else if (v < -32768 || v > 32767) this.wide4 += sign;
    }
  }

  /** Rebuilds the Map so its order is `order` (an intset turning into a listpack). */
  private reorder(order: readonly string[]): void {
    const members = order.slice();
    this.index.clear();
    this.dense = [];
    for (const member of members) {
      this.index.set(member, this.dense.length);
      this.dense.push(member);
    }
  }

  /** The byte length of the longest member (for an intset: the digits of its min or max, sign included). */
  private longestLength(): number {
    let longest = 0;
    for (const member of this.dense) if (member.length > longest) longest = member.length;
    return longest;
  }
}

const OBJECT_BYTES = 16;

/** jemalloc's size class for an allocation of `n` bytes (approximately). */
export function allocationSize(n: number): number {
  if (n <= 8) return 8;
  if (n <= 128) return Math.ceil(n / 16) * 16;
  const step = 2 ** Math.floor(Math.log2(n - 1)) / 4;
  return Math.ceil(n / step) * step;
}

/** Bytes of one listpack entry: integers in 1 to 9 bytes, strings with a 1, 2 or 5-byte header, plus the back length. */
export function listpackEntryBytes(member: string): number {
  let body: number;
  if (isIntegerMember(member)) {
    const v = Number(member);
    if (v >= 0 && v <= 127) body = 1;
    else if (v >= -4096 && v <= 4095) body = 2;
    else if (v >= -32768 && v <= 32767) body = 3;
    else if (v >= -8388608 && v <= 8388607) body = 4;
    else if (v >= -2147483648 && v <= 2147483647) body = 5;
    else body = 9;
  } else {
    const len = member.length;
    body = len + (len <= 63 ? 1 : len <= 4095 ? 2 : 5);
  }
  return body + (body < 128 ? 1 : body < 16384 ? 2 : 3);
}

/** True when a stored value is a set. */
export function isSet(value: StoredValue): value is SetValue {
  return value instanceof SetValue;
}

/**
 * A new, empty set able to hold `first` (`setTypeCreate`): an intset when `first` is an integer
 * and `expected` members fit in one, else a listpack when they fit in one, else a hashtable.
 */
export function createSet(first: string, expected: number, limits: SetLimits): SetValue {
  if (isIntegerMember(first) && expected <= limits.intsetEntries) return new SetValue('intset');
  if (expected <= limits.listpackEntries) return new SetValue('listpack');
  return new SetValue('hashtable');
}

// ---------------------------------------------------------------------------------------------
// Set algebra, as Redis 7.4 computes it (the encoding and order of a stored result follow from
// how Redis builds it, so the building is reproduced, not just the result).

/** The sets to intersect, smallest first (a stable sort: equal sizes keep their argument order). */
function bySize(sets: readonly SetValue[]): SetValue[] {
  return sets.slice().sort((a, b) => a.size - b.size);
}

/**
 * Visits the intersection of `sets` (all present) in the iteration order of the smallest; the
 * visitor returns false to stop early (SINTERCARD LIMIT).
 */
export function forEachInIntersection(sets: readonly SetValue[], visit: (member: string) => boolean | void): void {
  const ordered = bySize(sets);
  const first = ordered[0];
  const others = ordered.filter((set) => set !== first);
  outer: for (const member of first.members()) {
    for (const other of others) if (!other.has(member)) continue outer;
    if (visit(member) === false) return;
  }
}

/**
 * The intersection as SINTERSTORE stores it: starts as an intset when the smallest set is one,
 * as a listpack otherwise, grows with the usual conversions, and ends as an intset when every
 * member is an integer and it is small enough.
 */
export function storedIntersection(sets: readonly SetValue[], limits: SetLimits): SetValue {
  const first = bySize(sets)[0];
  const result = new SetValue(first.enc === 'intset' ? 'intset' : 'listpack');
  let onlyIntegers = true;
  forEachInIntersection(sets, (member) => {
    if (onlyIntegers && first.enc !== 'intset' && !isIntegerMember(member)) onlyIntegers = false;
    result.add(member, limits);
  });
  if (onlyIntegers && result.size > 0) result.convertToIntsetIfSmall(limits);
  return result;
}

/** SUNION / SUNIONSTORE: every member of every present set, added in turn to a set that starts as an intset. */
export function union(sets: readonly (SetValue | undefined)[], limits: SetLimits): SetValue {
  const result = new SetValue('intset');
  for (const set of sets) {
    if (set === undefined) continue;
    for (const member of set.members()) result.add(member, limits);
  }
  return result;
}

/**
 * SDIFF / SDIFFSTORE: the members of the first set in none of the others, built the way Redis
 * picks for the sizes at hand — adding the survivors of the first set one by one, or adding the
 * whole first set and removing the others' members (which can leave another encoding).
 */
export function difference(sets: readonly (SetValue | undefined)[], limits: SetLimits): SetValue {
  const result = new SetValue('intset');
  const first = sets[0];
  if (first === undefined) return result;
  for (let j = 1; j < sets.length; j++) if (sets[j] === first) return result;
  let oneWork = 0;
  let twoWork = 0;
  for (const set of sets) {
    if (set === undefined) continue;
    oneWork += first.size;
    twoWork += set.size;
  }
  const others = sets.slice(1).filter((set): set is SetValue => set !== undefined);
  if (Math.floor(oneWork / 2) <= twoWork) {
    outer: for (const member of first.members()) {
      for (const other of others) if (other.has(member)) continue outer;
      result.add(member, limits);
    }
    return result;
  }
  for (const member of first.members()) result.add(member, limits);
  for (const other of others) {
    if (result.size === 0) break;
    for (const member of other.members()) result.remove(member);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Random choices (SPOP, SRANDMEMBER), all drawn from the cache's generator.

/**
 * `count` distinct members (count < size) chosen uniformly, in iteration order: selection
 * sampling, as Redis walks a listpack once (`lpNextRandom`).
 */
export function sampleInOrder(set: SetValue, count: number, rng: Rng): string[] {
  const out: string[] = [];
  let available = set.size;
  for (const member of set.members()) {
    if (out.length === count) break;
    if (rng.below(available) < count - out.length) out.push(member);
    available--;
  }
  return out;
}

/** `count` distinct members (count < size) chosen uniformly, in no particular order. */
export function sampleDistinct(set: SetValue, count: number, rng: Rng): string[] {
  if (count * 3 > set.size) {
    // Most of the set: copy it and drop random members (Redis's "case 3").
    const all = Array.from(set.index.keys());
    let size = all.length;
    while (size > count) {
      const i = rng.below(size);
      all[i] = all[--size];
    }
    all.length = count;
    return all;
  }
  const chosen = new Set<string>();
  while (chosen.size < count) chosen.add(set.random(rng));
  return Array.from(chosen);
}
