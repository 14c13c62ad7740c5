/**
 * The memory model: about the bytes Redis 7.4 (jemalloc, 64-bit) spends on a key and its value.
 * Every figure the emulator reports or acts on — INFO memory `used_memory`, `MEMORY USAGE`, the
 * maxmemory check that triggers eviction, replication's resync sizes — comes from these functions.
 * Each keyspace keeps a running total of them (`Keyspace.bytes`), updated by every write in O(1);
 * collections keep running sums of their parts so that their own figure is O(1) too
 * (`RedisObject.memoryUsage`). docs/eviction.md compares the model with a real server.
 */

/** jemalloc's size class for an allocation of `n` bytes (8, 16, 32, 48 … then 4 classes per doubling). */
export function allocSize(n: number): number {
  if (n <= 8) return 8;
  if (n <= 128) return ((n + 15) >>> 4) << 4;
  const power = 2 ** Math.floor(Math.log2(n - 1));
  const step = power / 4;
  return Math.ceil(n / step) * step;
}

/** sds header + bytes + NUL, rounded to jemalloc's class. */
export function sdsSize(len: number): number {
  const header = len < 32 ? 1 : len < 256 ? 3 : len < 65536 ? 5 : 9;
  return allocSize(header + len + 1);
}

/** A `robj` header. */
export const ROBJ = 16;
/** A dict entry of the main dictionary (key pointer, value pointer, next). */
export const DICT_ENTRY = 24;
/** A dict entry of the expires dictionary. */
export const EXPIRE_ENTRY = 24;
/** Strings up to this many bytes are `embstr`: object and bytes in one allocation. */
const EMBSTR_LIMIT = 44;

/** Bytes the key itself takes: its dict entry and its sds name (keys are latin1 byte strings). */
export function keyBytes(key: string): number {
  return DICT_ENTRY + sdsSize(key.length);
}

/** True for a string `tryObjectEncoding` would hold as a 64-bit integer (cheap first-char test first). */
function looksInteger(value: string): boolean {
  const n = value.length;
  if (n === 0 || n > 20) return false;
  const c = value.charCodeAt(0);
  if (c === 48) return n === 1;
  if (c === 45) {
    if (n === 1 || value.charCodeAt(1) === 48) return false;
  } else if (c < 49 || c > 57) return false;
  for (let i = 1; i < n; i++) {
    const d = value.charCodeAt(i);
    if (d < 48 || d > 57) return false;
  }
  // 19 digits (or 20 with a sign) may overflow a long: compare exactly.
  if (n >= 19) {
    const big = BigInt(value);
    return big >= -9223372036854775808n && big <= 9223372036854775807n;
  }
  return true;
}

/** Bytes of a string value of `len` bytes that is not int-encoded. */
function stringBodyBytes(len: number): number {
  return len <= EMBSTR_LIMIT ? allocSize(ROBJ + 3 + len + 1) : ROBJ + sdsSize(len);
}

/**
 * Bytes of a string value: an int-encoded string is the object alone; `embstr` up to 44 bytes is
 * one allocation; `raw` is the object plus an sds.
 *
 * A JavaScript string is measured by its length, which is its UTF-8 byte count when it is ASCII
 * (nearly every value) and an undercount otherwise (2–3 bytes per non-ASCII character count as
 * one). Measuring the UTF-8 length exactly (`Buffer.byteLength`) costs about 80 ns per value —
 * more than the rest of a SET's accounting together — so the model takes the length.
 */
export function stringValueBytes(value: string | Buffer): number {
  if (typeof value === 'string' && looksInteger(value)) return ROBJ;
  return stringBodyBytes(value.length);
}

/**
 * What a dict's bucket array grows by when it goes from `n - 1` to `n` entries (8 bytes a bucket,
 * a power of two of buckets at least as many as entries); shrinking from `n` to `n - 1` gives it back.
 */
export function bucketGrowth(n: number): number {
  const m = n - 1;
  if (m === 0) return 8;
  return (m & (m - 1)) === 0 ? 8 * m : 0;
}

/** A dict's bucket array for `n` entries (0 for an empty dict). */
export function bucketBytes(n: number): number {
  return n === 0 ? 0 : 8 * 2 ** Math.ceil(Math.log2(n));
}
