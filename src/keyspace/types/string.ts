/**
 * String values: bytes held as a JavaScript string (its UTF-8 bytes) or a Buffer, and the
 * semantics Redis gives them — integer and float parsing of stored values, in-place edits
 * (APPEND, SETRANGE), ranges, the encoding `OBJECT ENCODING` reports, and LCS.
 */
import { byteLength, toBuffer, type Bytes } from '../bytes.js';
import { rawStrings, RedisObject, type StoredValue } from '../keyspace.js';
import { INT64_MAX, INT64_MIN, intReply, parseInt64 } from '../../protocol/numbers.js';
import {
  LCS_TABLE_TOO_BIG,
  NAN_OR_INF_INCR,
  NOT_FLOAT,
  NOT_INTEGER,
  OVERFLOW,
  STRING_TOO_LONG,
} from '../../protocol/errors.js';
import { addLongDouble, formatLongDoubleHuman, fromInteger, parseLongDouble } from './long-double.js';

/** Redis's default `proto-max-bulk-len`: the largest string a command may build (512 MB). */
export const DEFAULT_PROTO_MAX_BULK_LEN = 512 * 1024 * 1024;

/** Strings up to this many bytes are `embstr` (OBJ_ENCODING_EMBSTR_SIZE_LIMIT). */
const EMBSTR_LIMIT = 44;

/**
 * Values Redis stores without trying the integer encoding (INCRBYFLOAT results, made with
 * `createStringObject`): `embstr` or `raw` by size even when they read as an integer. Only
 * Buffers can be marked, so such results are kept as Buffers when they look like integers.
 */
const notIntEncoded = new WeakSet<Buffer>();

/** True when a stored value is a string (not a list, hash …). */
export function isString(value: StoredValue): value is Bytes {
  return !(value instanceof RedisObject);
}

/**
 * The encoding Redis reports for a string value (`OBJECT ENCODING`): `int` when
 * `tryObjectEncoding` would hold it as a 64-bit integer (at most 20 chars that `string2l`
 * accepts), `embstr` up to 44 bytes, `raw` above — and `raw` for values edited in place by APPEND
 * or SETRANGE (marked in `rawStrings`), whatever their size.
 */
export function stringEncoding(value: Bytes): 'int' | 'embstr' | 'raw' {
  if (typeof value !== 'string') {
    if (rawStrings.has(value) || backingUsed.has(value.buffer)) return 'raw';
    if (notIntEncoded.has(value)) return value.length <= EMBSTR_LIMIT ? 'embstr' : 'raw';
  }
  if (value.length <= 20 && parseInt64(value) !== null) return 'int';
  return byteLength(value) <= EMBSTR_LIMIT ? 'embstr' : 'raw';
}

/**
 * A command argument as a value to store (SET, MSET, GETSET …: Redis's `tryObjectEncoding` of
 * the argument). A Buffer that carries an encoding mark of a stored value (one a GET returned) is
 * copied, so the new key gets the encoding a fresh argument would have.
 */
export function storable(arg: Bytes): Bytes {
  if (typeof arg === 'string' || !(rawStrings.has(arg) || notIntEncoded.has(arg) || backingUsed.has(arg.buffer))) {
    return arg;
  }
  return Buffer.from(arg);
}

/** The largest string a command may build: the `proto-max-bulk-len` setting, 512 MB by default. */
export function protoMaxBulkLen(settings: { get(name: string): string | undefined }): number {
  const configured = settings.get('proto-max-bulk-len');
  if (configured === undefined) return DEFAULT_PROTO_MAX_BULK_LEN;
  const n = Number(configured);
  return Number.isFinite(n) && n > 0 ? n : DEFAULT_PROTO_MAX_BULK_LEN;
}

/** Redis's `checkStringLength`: throws when `size + append` bytes would exceed the limit. */
export function checkStringLength(size: number, append: number, limit: number): void {
  if (size + append > limit) throw STRING_TOO_LONG;
}

// ---------------------------------------------------------------------------------------------
// In-place edits

/**
 * Growable backing stores of APPEND results: the ArrayBuffer a value is a view of, and how many of
 * its bytes are in use. A value may grow in place only when it ends exactly where the used part
 * ends, so views handed out earlier (a GET reply, a copy under another key) never change. Every
 * view of such a store is an APPEND result, hence `raw` (checked here rather than by adding each
 * view to `rawStrings`: a WeakSet entry per APPEND costs more than the append).
 */
const backingUsed = new WeakMap<ArrayBufferLike, { store: Buffer; used: number }>();

/** Results up to this size are plain copies; above, APPEND keeps spare room as Redis's sds does. */
const GROW_THRESHOLD = 64;
const SDS_MAX_PREALLOC = 1024 * 1024;

/** `old + suffix` as a new `raw` value; the old value is never modified. */
export function appendBytes(old: Bytes, suffix: Bytes): Buffer {
  const head = toBuffer(old);
  const tail = toBuffer(suffix);
  const total = head.length + tail.length;
  const backing = backingUsed.get(head.buffer);
  if (
    backing !== undefined &&
    backing.used === head.byteOffset + head.length &&
    backing.store.length - backing.used >= tail.length
  ) {
    // Grow in place: the bytes past `head` belong to no one.
    tail.copy(backing.store, backing.used);
    backing.used += tail.length;
    return backing.store.subarray(head.byteOffset, head.byteOffset + total);
  }
  if (total <= GROW_THRESHOLD) {
    const result = Buffer.concat([head, tail], total);
    rawStrings.add(result);
    return result;
  }
  const capacity = total < SDS_MAX_PREALLOC ? total * 2 : total + SDS_MAX_PREALLOC;
  const store = Buffer.allocUnsafeSlow(capacity);
  head.copy(store, 0);
  tail.copy(store, head.length);
  backingUsed.set(store.buffer, { store, used: total });
  return store.subarray(0, total);
}

/**
 * SETRANGE: `value` written at `offset` over `old` (missing = empty), zero-padded, as a new `raw`
 * value. The caller has checked the size limit and that `value` is not empty.
 */
export function setRangeBytes(old: Bytes | undefined, offset: number, value: Bytes): Buffer {
  const head = old === undefined ? Buffer.alloc(0) : toBuffer(old);
  const patch = toBuffer(value);
  const length = Math.max(head.length, offset + patch.length);
  const result = Buffer.alloc(length);
  head.copy(result, 0);
  patch.copy(result, offset);
  rawStrings.add(result);
  return result;
}

/**
 * GETRANGE / SUBSTR over a value's bytes, with Redis's index rules: negative indexes count from
 * the end, both negative with start after end is empty, then both are clamped to the string.
 */
export function getRange(value: Bytes, start: number | bigint, end: number | bigint): Bytes {
  if (start < 0 && end < 0 && start > end) return '';
  const length = byteLength(value);
  let from = Number(start);
  let to = Number(end);
  if (from < 0) from = length + from;
  if (to < 0) to = length + to;
  if (from < 0) from = 0;
  if (to < 0) to = 0;
  if (to >= length) to = length - 1;
  if (from > to || length === 0) return '';
  if (typeof value === 'string' && length === value.length) {
    return from === 0 && to === length - 1 ? value : value.slice(from, to + 1);
  }
  const bytes = toBuffer(value);
  return from === 0 && to === length - 1 ? bytes : bytes.subarray(from, to + 1);
}

// ---------------------------------------------------------------------------------------------
// Numbers

/**
 * INCRBY on a stored value (missing = 0): the new value (a `number` when it is a safe integer), or
 * a thrown error when the stored value is not an integer or the result would leave the 64-bit range.
 */
export function incrementInteger(current: Bytes | undefined, increment: number | bigint): number | bigint {
  let value: number | bigint = 0;
  if (current !== undefined) {
    const parsed = parseInt64(current);
    if (parsed === null) throw NOT_INTEGER;
    value = parsed;
  }
  if (typeof value === 'number' && typeof increment === 'number') {
    const sum = value + increment;
    if (Number.isSafeInteger(sum)) return sum;
  }
  const result = BigInt(value) + BigInt(increment);
  if (result > INT64_MAX || result < INT64_MIN) throw OVERFLOW;
  return intReply(result);
}

/**
 * INCRBYFLOAT on a stored value (missing = 0) in C `long double`, formatted as Redis stores it.
 * Throws "not a valid float" when the stored value or the increment does not parse (stored value
 * first), and "would produce NaN or Infinity" for such a result. The result is a value to store:
 * a Buffer marked as not integer-encoded when it reads as an integer.
 */
export function incrementFloat(current: Bytes | undefined, increment: Bytes): Bytes {
  const value = current === undefined ? fromInteger(0) : parseLongDouble(current);
  if (value === null) throw NOT_FLOAT;
  const incr = parseLongDouble(increment);
  if (incr === null) throw NOT_FLOAT;
  const sum = addLongDouble(value, incr);
  if (sum === null) throw NAN_OR_INF_INCR;
  const text = formatLongDoubleHuman(sum);
  if (text.length > 20 || parseInt64(text) === null) return text;
  const bytes = Buffer.from(text, 'latin1');
  notIntEncoded.add(bytes);
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// LCS

/** LCS options, as parsed by the command. */
export interface LcsOptions {
  /** Answer the length only (LEN). */
  len: boolean;
  /** Answer the matching ranges (IDX). */
  idx: boolean;
  /** Ranges shorter than this are left out (MINMATCHLEN, ≥ 0). */
  minMatchLen: number;
  /** Add each range's length (WITHMATCHLEN). */
  withMatchLen: boolean;
}

/** One matching range of an IDX answer: positions in the first and second string, and its length. */
export interface LcsRange {
  a: [number, number];
  b: [number, number];
  length: number;
}

export interface LcsResult {
  /** Length of the longest common subsequence. */
  length: number;
  /** The subsequence itself (unless only LEN was asked). */
  text: Buffer | null;
  /** The ranges, last first, as Redis emits them (IDX only). */
  ranges: LcsRange[];
}

/**
 * The longest common subsequence of two byte strings, with Redis's dynamic-programming table and
 * its backward walk (which fixes which of several equally long answers, and which ranges, come out).
 * Throws Redis's memory errors when the table would exceed `limit` bytes.
 */
export function longestCommonSubsequence(first: Bytes, second: Bytes, options: LcsOptions, limit: number): LcsResult {
  const a = toBuffer(first);
  const b = toBuffer(second);
  const alen = a.length;
  const blen = b.length;
  const cells = (alen + 1) * (blen + 1);
  if (cells * 4 > limit) {
    throw LCS_TABLE_TOO_BIG;
  }
  const width = blen + 1;
  const table = new Uint32Array(cells);
  for (let i = 1; i <= alen; i++) {
    const ai = a[i - 1];
    const row = i * width;
    const prev = row - width;
    for (let j = 1; j <= blen; j++) {
      if (ai === b[j - 1]) {
        table[row + j] = table[prev + j - 1] + 1;
      } else {
        const up = table[prev + j];
        const left = table[row + j - 1];
        table[row + j] = up > left ? up : left;
      }
    }
  }
  const length = table[alen * width + blen];
  const computeText = options.idx || !options.len;
  const text = computeText ? Buffer.alloc(length) : null;
  const ranges: LcsRange[] = [];
  let idx = length;
  let aStart = alen; // alen: no range open
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = alen;
  let j = blen;
  while (computeText && i > 0 && j > 0) {
    let emit = false;
    if (a[i - 1] === b[j - 1]) {
      text![idx - 1] = a[i - 1];
      if (aStart === alen) {
        aStart = i - 1;
        aEnd = i - 1;
        bStart = j - 1;
        bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      const up = table[(i - 1) * width + j];
      const left = table[i * width + j - 1];
      if (up > left) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1;
      if (options.idx && (options.minMatchLen === 0 || matchLen >= options.minMatchLen)) {
        ranges.push({ a: [aStart, aEnd], b: [bStart, bEnd], length: matchLen });
      }
      aStart = alen;
    }
  }
  return { length, text, ranges };
}
