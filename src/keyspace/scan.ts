/**
 * Cursor iteration over the keys of one or more shards with Redis's SCAN guarantees:
 *
 * 1. A full iteration (from cursor 0 back to 0) returns every key that was present for the whole
 *    iteration at least once, whatever is added or removed meanwhile.
 * 2. A key that was absent for the whole iteration is never returned.
 * 3. The cursor is a number (a decimal string on the wire) and holds all the state: any
 *    connection can continue an iteration, and abandoned iterations cost nothing.
 *
 * How: keys are visited in the order of a 48-bit hash of their bytes, a total order that does not
 * depend on what else the shard holds. A cursor is `shard index × 2^48 + hash position`: "continue
 * with the keys whose hash is at least this". A batch always ends between two different hash
 * values, so a key is never skipped, even when it shares its hash with another.
 *
 * Finding "the keys whose hash is at least h" fast needs the keys sorted by hash. That sorted
 * list is a cache (a snapshot of the key names) kept per Map; keys deleted since are skipped on
 * the way, and keys added since are simply not in it, which the guarantees allow for keys that
 * were not there when the iteration began. So a snapshot may serve any iteration that began
 * before it was taken: a call with cursor 0 (an iteration beginning) drops the snapshots of every
 * part it covers, and each is taken again when an iteration next reaches it.
 * (With an insertion counter on the Map's owner, a fresh snapshot could be skipped when nothing
 * was inserted; see `ScanSource.insertions`.)
 */

/** Bits of the hash position in a cursor; the shard index sits above them. */
export const HASH_BITS = 48;
const HASH_SPACE = 2 ** HASH_BITS;
const HASH_SPACE_BIG = BigInt(HASH_SPACE);

/** A 48-bit hash of a latin1 byte string (two 32-bit multiply-xorshift lanes). */
export function hash48(key: string): number {
  let a = 0x9e3779b1 ^ key.length;
  let b = 0x85ebca77;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x2c1b3c6d);
    a ^= a >>> 15;
    b = Math.imul(b + c, 0x297a2d39) ^ (a >>> 7);
    b ^= b >>> 13;
  }
  a ^= b;
  a = Math.imul(a ^ (a >>> 16), 0x85ebca6b);
  a = Math.imul(a ^ (a >>> 13), 0xc2b2ae35);
  a ^= a >>> 16;
  b = Math.imul(b ^ (b >>> 15), 0x27d4eb2f);
  b = Math.imul(b ^ a ^ (b >>> 12), 0x165667b1);
  b ^= b >>> 16;
  return (b & 0xffff) * 4294967296 + (a >>> 0);
}

/** The keys of one Map sorted by hash: parallel arrays. */
interface Snapshot {
  readonly keys: string[];
  readonly hashes: Float64Array;
  readonly insertions: number | undefined;
}

const snapshots = new WeakMap<object, Snapshot>();

/**
 * Sorts key names by hash: an LSD radix sort of the indices on three 16-bit digits of the 48-bit
 * hash (linear time; equal hashes keep their relative order, which the cursor does not rely on).
 */
function buildSnapshot(map: ReadonlyMap<string, unknown>, insertions: number | undefined): Snapshot {
  const unsorted = Array.from(map.keys());
  const n = unsorted.length;
  const low = new Uint32Array(n);
  const high = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const h = hash48(unsorted[i]);
    low[i] = h % 4294967296;
    high[i] = Math.floor(h / 4294967296);
  }
  let order = new Uint32Array(n);
  let spare = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const counts = new Uint32Array(65537);
  for (let pass = 0; pass < 3; pass++) {
    const digit = (i: number): number => (pass === 0 ? low[i] & 0xffff : pass === 1 ? low[i] >>> 16 : high[i]);
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[digit(i) + 1]++;
    for (let d = 0; d < 65536; d++) counts[d + 1] += counts[d];
    for (let i = 0; i < n; i++) {
      const index = order[i];
      spare[counts[digit(index)]++] = index;
    }
    [order, spare] = [spare, order];
  }
  const keys = new Array<string>(n);
  const hashes = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const index = order[i];
    keys[i] = unsorted[index];
    hashes[i] = high[index] * 4294967296 + low[index];
  }
  return { keys, hashes, insertions };
}

/** What can be scanned: a Map of key names, and optionally a counter of insertions into it. */
export interface ScanSource {
  readonly map: ReadonlyMap<string, unknown>;
  /** Increases whenever a key is added; lets a beginning iteration reuse a snapshot. */
  readonly insertions?: number;
}

function snapshotOf(source: ScanSource): Snapshot {
  const cached = snapshots.get(source.map);
  if (cached !== undefined) return cached;
  const fresh = buildSnapshot(source.map, source.insertions);
  snapshots.set(source.map, fresh);
  return fresh;
}

/**
 * An iteration begins: a snapshot taken before now may miss keys inserted since, which are
 * present for the whole of this iteration, so drop it (unless nothing was inserted).
 */
function beginIteration(source: ScanSource): void {
  const cached = snapshots.get(source.map);
  if (cached === undefined) return;
  if (source.insertions !== undefined && cached.insertions === source.insertions) return;
  snapshots.delete(source.map);
}

/** First index whose hash is >= h. */
function lowerBound(hashes: Float64Array, h: number): number {
  let lo = 0;
  let hi = hashes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (hashes[mid] < h) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Drops cached snapshots of a Map (optional: stale snapshots are still correct). */
export function forgetSnapshot(map: object): void {
  snapshots.delete(map);
}

/** A decoded cursor: which part (shard) and where in it. */
export interface CursorPosition {
  part: number;
  hash: number;
}

/** Splits a cursor into part (shard index) and hash position. */
export function decodeCursor(cursor: bigint): CursorPosition {
  return { part: Number(cursor / HASH_SPACE_BIG), hash: Number(cursor % HASH_SPACE_BIG) };
}

/** Builds a cursor from part and hash position. */
export function encodeCursor(part: number, hash: number): bigint {
  return BigInt(part) * HASH_SPACE_BIG + BigInt(hash);
}

/**
 * Parses a cursor argument as Redis 7.4 does (`string2ull`): a strict decimal int64 that is not
 * negative, or else anything C's `strtoull` reads to the end (leading white space, a sign, leading
 * zeros; a `-` wraps around), up to 2^64 - 1. Returns null for `ERR invalid cursor`.
 */
export function parseCursor(text: string): bigint | null {
  if (/^(0|-?[1-9][0-9]*)$/.test(text)) {
    const v = BigInt(text);
    if (v >= -(2n ** 63n) && v < 2n ** 63n) return v < 0n ? null : v;
  }
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/.exec(text);
  if (m === null) return null;
  const magnitude = BigInt(m[2]);
  if (magnitude >= 2n ** 64n) return null;
  return m[1] === '-' ? (2n ** 64n - magnitude) % 2n ** 64n : magnitude;
}

/** One part of a multi-part scan (a shard): its index in the cursor and its keys. */
export interface ScanPart extends ScanSource {
  readonly index: number;
}

export interface ScanStep {
  /** Keys sampled, in visiting order (live when sampled; filter them further as needed). */
  keys: string[];
  /** Which part each key came from (index into `parts`). */
  from: number[];
  /** The cursor to continue with; 0n when the iteration is complete. */
  cursor: bigint;
}

/**
 * One SCAN step over `parts` (in cursor order, by ascending `index`): samples about `count` keys
 * still present in their Map, starting at `cursor`, and returns them with the next cursor.
 * A step stops only between two different hash values, so it may return a few more than `count`.
 */
export function scanStep(parts: readonly ScanPart[], cursor: bigint, count: number): ScanStep {
  const keys: string[] = [];
  const from: number[] = [];
  if (cursor === 0n) for (const part of parts) beginIteration(part);
  const start = decodeCursor(cursor);
  let p = 0;
  while (p < parts.length && parts[p].index < start.part) p++;
  let hash = p < parts.length && parts[p].index === start.part ? start.hash : 0;
  let sampled = 0;
  for (; p < parts.length; p++, hash = 0) {
    const part = parts[p];
    const snap = snapshotOf(part);
    const { hashes } = snap;
    let i = lowerBound(hashes, hash);
    let lastHash = -1;
    for (; i < hashes.length; i++) {
      const h = hashes[i];
      if (sampled >= count && h !== lastHash) {
        return { keys, from, cursor: encodeCursor(part.index, h) };
      }
      const key = snap.keys[i];
      if (!part.map.has(key)) continue;
      sampled++;
      lastHash = h;
      keys.push(key);
      from.push(p);
    }
    if (sampled >= count) {
      const next = p + 1 < parts.length ? encodeCursor(parts[p + 1].index, 0) : 0n;
      return { keys, from, cursor: next };
    }
  }
  return { keys, from, cursor: 0n };
}

/** Hash positions fit below this bound (exported for tests). */
export const HASH_LIMIT = HASH_SPACE;

/**
 * One step over a single Map (HSCAN, SSCAN, ZSCAN over a hash-table encoding): the keys sampled
 * (still present) and the next cursor, 0n at the end. Same guarantees as {@link scanStep}.
 */
export function scanMap(map: ReadonlyMap<string, unknown>, cursor: bigint, count: number): { keys: string[]; cursor: bigint } {
  const step = scanStep([{ index: 0, map }], cursor, count);
  return { keys: step.keys, cursor: step.cursor };
}
