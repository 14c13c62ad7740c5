/**
 * The member half of a sorted set: a hash index member → entry, where an entry holds the member's
 * score and the tree leaf that holds its pair (`zset-tree.ts` keeps the leaf current as pairs move
 * between leaves). ZSCORE is then one index lookup, and ZRANK goes from the entry straight to its
 * leaf and sums counts upwards, instead of a `Map` lookup followed by a search down the tree.
 *
 * Why not a `Map`: at a million members a V8 `Map` hit costs a bucket, one or two chain entries in
 * insertion order, the candidate key strings and the score's heap number, each a cache (and TLB)
 * miss. Here a lookup reads one line of the slot table (32-bit hash and entry id, linear probing,
 * at most half full) and one 32-byte entry holding the score, the leaf, the length and, for a
 * member of at most {@link INLINE} bytes, the member itself, so it is compared without touching its
 * string. Longer members are compared as strings, after their hash and length agree.
 *
 * An index of up to {@link SMALL} members has neither slot table nor typed arrays (each costs
 * about 200 bytes however small, and most sorted sets are small): its entries are plain arrays and
 * a lookup compares the few members in turn. It becomes a hashed index when it grows past that
 * (entry ids are kept), and stays one.
 *
 * Members are byte strings (latin1, one char per byte), as everywhere in the keyspace. Entry ids
 * are stable while the member is in the set (freed ids are reused). The index implements
 * `ReadonlyMap<string, number>` (member → score) for the code that reads a sorted set as a map
 * (ZSCORE, ZSCAN, digests); it is changed only through its tree.
 */

/** Bytes of a member kept in its entry. */
export const INLINE = 16;
/**
 * Bytes per entry: score (f64), leaf (i32), length (i32, with {@link LONG} set when the member is
 * not kept inline), then {@link INLINE} member bytes packed four to a 32-bit word.
 */
const ENTRY_BYTES = 32;
/** Marks the length of a member compared as a string (longer than {@link INLINE}, or not bytes). */
const LONG = 0x40000000;
/** Most members of an index without a slot table. */
export const SMALL = 8;
const NO_I32 = new Int32Array(0);
const NO_F64 = new Float64Array(0);
/** Entry stride in 32-bit words and in doubles. */
const EW = ENTRY_BYTES >>> 2;
const ED = ENTRY_BYTES >>> 3;
/** Members longer than this are hashed on their first and last {@link HASH_EDGE} bytes and their length. */
const HASH_ALL = 1024;
const HASH_EDGE = 512;

/** A 32-bit hash of a byte string (FNV-1a steps, then murmur3's finaliser). */
export function hashMember(member: string): number {
  const len = member.length;
  let h = 0x811c9dc5 ^ len;
  if (len <= HASH_ALL) {
    for (let i = 0; i < len; i++) h = Math.imul(h ^ member.charCodeAt(i), 0x01000193);
  } else {
    for (let i = 0; i < HASH_EDGE; i++) h = Math.imul(h ^ member.charCodeAt(i), 0x01000193);
    for (let i = len - HASH_EDGE; i < len; i++) h = Math.imul(h ^ member.charCodeAt(i), 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The fewest slots of a slot table. */
const MIN_SLOTS = 32;

/** Slots for `count` members: a power of two, at least twice the count. */
function slotsFor(count: number): number {
  let slots = MIN_SLOTS;
  while (slots < count * 2) slots *= 2;
  return slots;
}

export class MemberIndex implements ReadonlyMap<string, number> {
  /** Per slot [hash, entry + 1]; entry + 1 = 0 marks an empty slot. Empty while the index is small. */
  private slots: Int32Array = NO_I32;
  /** Slot count - 1; -1 while the index is small. */
  private mask = -1;
  /** Entries (see {@link ENTRY_BYTES}), two views of one buffer; empty while the index is small. */
  private eF64: Float64Array = NO_F64;
  private eI32: Int32Array = NO_I32;
  /** While the index is small: per entry [score, leaf] (arrays grown to exact sizes, not by push). */
  private small: number[] | null = [];
  /** The member of each entry (null: free). */
  private members: Array<string | null> = [];
  /** Entries ever allocated; ids below it that are free are in {@link free}. */
  private top = 0;
  private free: number[] | null = null;
  /** Number of members. */
  size = 0;

  /** The member {@link find} last looked for, and its hash (an add after a failed find reuses it). */
  private lastMember: string | null = null;
  private lastHash = 0;

  /** `expected`: how many members are about to be added. */
  constructor(expected = 0) {
    if (expected > SMALL) this.toHashed(expected);
  }

  /** Leaves the small form: typed entries for at least `capacity` members, and a slot table. */
  private toHashed(capacity: number): void {
    const small = this.small!;
    this.small = null;
    const count = Math.max(capacity, this.members.length);
    this.eF64 = new Float64Array(count * ED);
    this.eI32 = new Int32Array(this.eF64.buffer);
    const members = resized(this.members, count, null);
    this.members = members;
    for (let e = 0; e < this.top; e++) {
      const member = members[e];
      if (member === null) this.eI32[e * EW + 3] = -1;
      else this.fill(e, member, small[e * 2], small[e * 2 + 1]);
    }
    this.rehash(slotsFor(capacity));
  }

  // -------------------------------------------------------------------------------------------
  // Lookups

  /** The entry of `member`, or -1. */
  find(member: string): number {
    const mask = this.mask;
    if (mask < 0) {
      const members = this.members;
      for (let e = 0; e < this.top; e++) if (members[e] === member) return e;
      return -1;
    }
    const h = hashMember(member);
    this.lastMember = member;
    this.lastHash = h;
    const slots = this.slots;
    let s = h & mask;
    for (;;) {
      const v = slots[s * 2 + 1];
      if (v === 0) return -1;
      if (slots[s * 2] === h && this.matches(v - 1, member)) return v - 1;
      s = (s + 1) & mask;
    }
  }

  /** True when hashed entry `e` holds `member`. */
  private matches(e: number, member: string): boolean {
    const len = member.length;
    const stored = this.eI32[e * EW + 3];
    if (stored === len) {
      // Inline: compare the packed bytes (a char above 0xff cannot be in an inline member).
      const words = this.eI32;
      const base = e * EW + 4;
      for (let k = 0; k < len; k += 4) {
        const c0 = member.charCodeAt(k);
        const c1 = k + 1 < len ? member.charCodeAt(k + 1) : 0;
        const c2 = k + 2 < len ? member.charCodeAt(k + 2) : 0;
        const c3 = k + 3 < len ? member.charCodeAt(k + 3) : 0;
        if ((c0 | c1 | c2 | c3) > 0xff) return false;
        if (words[base + (k >>> 2)] !== (c0 | (c1 << 8) | (c2 << 16) | (c3 << 24))) return false;
      }
      return true;
    }
    return stored === (len | LONG) && this.members[e] === member;
  }

  /** The score of entry `e`. */
  scoreOf(e: number): number {
    return this.mask < 0 ? this.small![e * 2] : this.eF64[e * ED];
  }

  /** The leaf holding entry `e`'s pair. */
  leafOf(e: number): number {
    return this.mask < 0 ? this.small![e * 2 + 1] : this.eI32[e * EW + 2];
  }

  /** The member of entry `e`. */
  memberOf(e: number): string {
    return this.members[e]!;
  }

  // -------------------------------------------------------------------------------------------
  // Changes (by the tree)

  /** Adds a member that is not in the index; returns its entry (its leaf is to be set). */
  add(member: string, score: number): number {
    if (this.mask < 0) {
      if (this.size + 1 > SMALL) this.toHashed(this.size + 1);
    } else if ((this.size + 1) * 2 > this.mask + 1) this.rehash(slotsFor(this.size + 1));
    let e: number;
    if (this.free !== null && this.free.length > 0) e = this.free.pop()!;
    else {
      if (this.top === this.members.length) this.growEntries();
      e = this.top++;
    }
    this.members[e] = member;
    this.size++;
    if (this.mask < 0) {
      this.small![e * 2] = score;
      this.small![e * 2 + 1] = -1;
      return e;
    }
    this.fill(e, member, score, -1);
    this.place(member === this.lastMember ? this.lastHash : hashMember(member), e);
    return e;
  }

  /** Writes hashed entry `e`. */
  private fill(e: number, member: string, score: number, leaf: number): void {
    const len = member.length;
    this.eF64[e * ED] = score;
    const words = this.eI32;
    const base = e * EW;
    words[base + 2] = leaf;
    words[base + 3] = len | LONG;
    if (len > INLINE) return;
    let bytes = 0;
    for (let w = 0; w < INLINE >>> 2; w++) {
      let word = 0;
      for (let b = 0; b < 4; b++) {
        const k = w * 4 + b;
        const c = k < len ? member.charCodeAt(k) : 0;
        bytes |= c;
        word |= c << (b * 8);
      }
      words[base + 4 + w] = word;
    }
    if (bytes <= 0xff) words[base + 3] = len;
  }

  private place(h: number, e: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let s = h & mask;
    while (slots[s * 2 + 1] !== 0) s = (s + 1) & mask;
    slots[s * 2] = h;
    slots[s * 2 + 1] = e + 1;
  }

  setScore(e: number, score: number): void {
    if (this.mask < 0) this.small![e * 2] = score;
    else this.eF64[e * ED] = score;
  }

  setLeaf(e: number, leaf: number): void {
    if (this.mask < 0) this.small![e * 2 + 1] = leaf;
    else this.eI32[e * EW + 2] = leaf;
  }

  /** Removes entry `e` (its id becomes free). */
  remove(e: number): void {
    const member = this.members[e]!;
    this.members[e] = null;
    (this.free ??= []).push(e);
    this.size--;
    if (this.mask < 0) return;
    this.eI32[e * EW + 3] = -1;
    const slots = this.slots;
    const mask = this.mask;
    let s = (member === this.lastMember ? this.lastHash : hashMember(member)) & mask;
    while (slots[s * 2 + 1] !== e + 1) s = (s + 1) & mask;
    // Backward-shift deletion: pull later slots of the run back over the hole when their home
    // position allows, so lookups never need tombstones.
    let hole = s;
    let j = s;
    for (;;) {
      j = (j + 1) & mask;
      if (slots[j * 2 + 1] === 0) break;
      const home = slots[j * 2] & mask;
      // Move j into the hole unless its home lies cyclically in (hole, j].
      if (hole <= j ? home <= hole || home > j : home <= hole && home > j) {
        slots[hole * 2] = slots[j * 2];
        slots[hole * 2 + 1] = slots[j * 2 + 1];
        hole = j;
      }
    }
    slots[hole * 2] = 0;
    slots[hole * 2 + 1] = 0;
    if (this.size * 8 < mask + 1 && mask + 1 > MIN_SLOTS) this.rehash(slotsFor(this.size));
  }

  /** A slot table of `slotCount` slots (a power of two), from the old one's hashes when there is one. */
  private rehash(slotCount: number): void {
    const old = this.slots;
    const oldMask = this.mask;
    this.slots = new Int32Array(slotCount * 2);
    this.mask = slotCount - 1;
    if (oldMask >= 0) {
      for (let s = 0; s <= oldMask; s++) if (old[s * 2 + 1] !== 0) this.place(old[s * 2], old[s * 2 + 1] - 1);
      return;
    }
    const members = this.members;
    for (let e = 0; e < this.top; e++) {
      const member = members[e];
      if (member !== null) this.place(hashMember(member), e);
    }
  }

  private growEntries(): void {
    const count = Math.max(2, this.members.length * 2);
    if (this.mask >= 0) {
      const f64 = new Float64Array(count * ED);
      f64.set(this.eF64);
      this.eF64 = f64;
      this.eI32 = new Int32Array(f64.buffer);
    } else this.small = resized(this.small!, count * 2, 0);
    this.members = resized(this.members, count, null);
  }

  // -------------------------------------------------------------------------------------------
  // ReadonlyMap<string, number>

  get(member: string): number | undefined {
    const e = this.find(member);
    return e < 0 ? undefined : this.scoreOf(e);
  }

  has(member: string): boolean {
    return this.find(member) >= 0;
  }

  *entries(): MapIterator<[string, number]> {
    const members = this.members;
    for (let e = 0; e < this.top; e++) {
      const member = members[e];
      if (member !== null) yield [member, this.scoreOf(e)];
    }
  }

  *keys(): MapIterator<string> {
    const members = this.members;
    for (let e = 0; e < this.top; e++) {
      const member = members[e];
      if (member !== null) yield member;
    }
  }

  *values(): MapIterator<number> {
    const members = this.members;
    for (let e = 0; e < this.top; e++) if (members[e] !== null) yield this.scoreOf(e);
  }

  [Symbol.iterator](): MapIterator<[string, number]> {
    return this.entries();
  }

  forEach(callback: (value: number, key: string, map: ReadonlyMap<string, number>) => void, thisArg?: unknown): void {
    for (const [member, score] of this.entries()) callback.call(thisArg, score, member, this);
  }

  /** True while the index is in its small form (tests). */
  get isSmall(): boolean {
    return this.mask < 0;
  }

  /** Checks the index's invariants (tests): throws on the first violation. */
  check(): void {
    let live = 0;
    for (let e = 0; e < this.top; e++) {
      const member = this.members[e];
      if (member === null) continue;
      live++;
      if (this.find(member) !== e) throw new Error(`member ${JSON.stringify(member)} not found at its entry`);
      if (this.mask >= 0 && (this.eI32[e * EW + 3] & ~LONG) !== member.length) throw new Error('stale member length');
    }
    if (live !== this.size) throw new Error(`size ${this.size} but ${live} members`);
    if (this.mask < 0) {
      if (this.size > SMALL) throw new Error('a large index in the small form');
      return;
    }
    let used = 0;
    for (let s = 0; s <= this.mask; s++) {
      const v = this.slots[s * 2 + 1];
      if (v === 0) continue;
      used++;
      const member = this.members[v - 1];
      if (member === null || hashMember(member) !== this.slots[s * 2]) throw new Error(`slot ${s} is stale`);
    }
    if (used !== this.size) throw new Error(`${used} slots used for ${this.size} members`);
    if (this.size * 2 > this.mask + 1) throw new Error('slot table over half full');
  }
}

/**
 * `array` grown to `length` elements (padded with `pad`). A short one is copied to exactly that
 * size (`push` would leave 16 or more spare elements); a long one is grown in place (`new Array`
 * of a large length can make a slow dictionary-mode array).
 */
function resized<T>(array: T[], length: number, pad: T): T[] {
  if (length > 64) {
    while (array.length < length) array.push(pad);
    return array;
  }
  const out = new Array<T>(length);
  for (let k = 0; k < length; k++) out[k] = k < array.length ? array[k] : pad;
  return out;
}
