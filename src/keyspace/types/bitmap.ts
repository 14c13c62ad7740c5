/**
 * Bitmaps: bit-level semantics of string values, as Redis 7.4's bitops.c gives them. Bits are
 * numbered from the most significant bit of the first byte; a string is padded with zero bits to
 * the right. Reads work on any stored string (an int-encoded one reads as its decimal text);
 * writes produce a new Buffer marked `raw` and never modify a value in place (a stored Buffer may
 * be shared with a GET reply or another key).
 */
import { toBuffer, type Bytes } from '../bytes.js';
import { rawStrings } from '../keyspace.js';
import { INT64_MAX, parseInt64 } from '../../protocol/numbers.js';
import { ReplyError } from '../../protocol/errors.js';

export const BIT_OFFSET_RANGE = new ReplyError('ERR bit offset is not an integer or out of range');
export const BIT_VALUE_RANGE = new ReplyError('ERR bit is not an integer or out of range');
export const BITFIELD_TYPE = new ReplyError(
  'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.',
);
export const BITPOS_BIT = new ReplyError('ERR The bit argument must be 1 or 0.');
export const BITOP_NOT_SINGLE = new ReplyError('ERR BITOP NOT must be called with a single source key.');
export const BITFIELD_OVERFLOW_TYPE = new ReplyError('ERR Invalid OVERFLOW type specified');
export const BITFIELD_RO_GET_ONLY = new ReplyError('ERR BITFIELD_RO only supports the GET subcommand');

/** The bytes of an argument up to its first NUL, as latin1 text (what C string functions see). */
function cString(arg: Bytes): string {
  const s = typeof arg === 'string' ? arg : arg.toString('latin1');
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

/**
 * A bit offset argument (`getBitOffsetFromArgument`): a non-negative int64 whose byte lies below
 * `limit` (proto-max-bulk-len). With `bits` > 0 (BITFIELD), `#n` means `n * bits`, multiplied in
 * 64-bit two's complement as the C code does (so a huge `#n` may wrap to a small offset).
 */
export function parseBitOffset(arg: Bytes, limit: number, bits = 0): number {
  const hash = bits > 0 && (typeof arg === 'string' ? arg.charCodeAt(0) === 35 : arg.length > 0 && arg[0] === 35);
  const text = hash ? arg.slice(1) : arg;
  const parsed = parseInt64(text);
  if (parsed === null) throw BIT_OFFSET_RANGE;
  let offset = BigInt(parsed);
  if (hash) offset = BigInt.asIntN(64, offset * BigInt(bits));
  if (offset < 0n || offset >> 3n >= BigInt(limit)) throw BIT_OFFSET_RANGE;
  return Number(offset);
}

/** SETBIT's value argument: 0 or 1 (`getLongFromObjectOrReply` then `on & ~1`). */
export function parseBitValue(arg: Bytes): 0 | 1 {
  const n = parseInt64(arg);
  if (n === 0 || n === 1) return n;
  throw BIT_VALUE_RANGE;
}

/** A BITFIELD type (`i1`..`i64`, `u1`..`u63`; lower-case letter, read as a C string). */
export interface BitfieldType {
  signed: boolean;
  bits: number;
}

export function parseBitfieldType(arg: Bytes): BitfieldType {
  const s = cString(arg);
  const kind = s.charCodeAt(0);
  if (kind !== 105 /* i */ && kind !== 117 /* u */) throw BITFIELD_TYPE;
  const signed = kind === 105;
  const bits = parseInt64(s.slice(1));
  if (bits === null || bits < 1 || (signed && bits > 64) || (!signed && bits > 63)) throw BITFIELD_TYPE;
  return { signed, bits: Number(bits) };
}

// ---------------------------------------------------------------------------------------------
// Single bits

/** GETBIT: the bit at `offset` (0 past the end). */
export function getBit(value: Bytes, offset: number): 0 | 1 {
  const bytes = toBuffer(value);
  const byte = Math.floor(offset / 8);
  if (byte >= bytes.length) return 0;
  return ((bytes[byte] >> (7 - (offset & 7))) & 1) as 0 | 1;
}

/**
 * The value a bit write starts from (`lookupStringForBitCommand`): a copy of `current` (missing =
 * empty) zero-padded to hold bit `maxBit`, marked `raw`. `grown` is true when the key is new or
 * the value got longer.
 */
export function writableBitmap(current: Bytes | undefined, maxBit: number): { bytes: Buffer; grown: boolean } {
  const need = Math.floor(maxBit / 8) + 1;
  const old = current === undefined ? undefined : toBuffer(current);
  const oldLength = old === undefined ? 0 : old.length;
  // One pass over the old bytes and one over the padding (alloc would zero everything first).
  const bytes = Buffer.allocUnsafe(Math.max(need, oldLength));
  if (old !== undefined) old.copy(bytes, 0);
  bytes.fill(0, oldLength);
  rawStrings.add(bytes);
  return { bytes, grown: current === undefined || need > oldLength };
}

/** Sets one bit of a writable bitmap in place; returns the bit's previous value. */
export function setBitInPlace(bytes: Buffer, offset: number, on: 0 | 1): 0 | 1 {
  const byte = Math.floor(offset / 8);
  const shift = 7 - (offset & 7);
  const old = ((bytes[byte] >> shift) & 1) as 0 | 1;
  bytes[byte] = (bytes[byte] & ~(1 << shift)) | (on << shift);
  return old;
}

// ---------------------------------------------------------------------------------------------
// Counting and searching

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1];

function popcount(bytes: Uint8Array, from: number, to: number): number {
  let count = 0;
  for (let i = from; i <= to; i++) count += POPCOUNT[bytes[i]];
  return count;
}

/** Clamps a BITCOUNT/BITPOS range as Redis does; null for a range that is empty from the start. */
interface Range {
  start: number;
  end: number;
  firstMask: number;
  lastMask: number;
}

function clampRange(start: bigint, end: bigint, total: bigint, isBit: boolean): Range {
  if (start < 0n) start = total + start;
  if (end < 0n) end = total + end;
  if (start < 0n) start = 0n;
  if (end < 0n) end = 0n;
  if (end >= total) end = total - 1n;
  let firstMask = 0;
  let lastMask = 0;
  if (isBit && start <= end) {
    firstMask = ~((1 << (8 - Number(start & 7n))) - 1) & 0xff;
    lastMask = (1 << (7 - Number(end & 7n))) - 1;
    start >>= 3n;
    end >>= 3n;
  }
  return { start: Number(start), end: Number(end), firstMask, lastMask };
}

/**
 * BITCOUNT over a value (missing = 0). `range` is `[start, end, isBit]` as given (int64s), or
 * undefined for the whole string.
 */
export function bitCount(value: Bytes | undefined, range?: [bigint, bigint, boolean]): number {
  if (range !== undefined) {
    const [start, end] = range;
    if (start < 0n && end < 0n && start > end) return 0;
  }
  if (value === undefined) return 0;
  const bytes = toBuffer(value);
  let r: Range;
  if (range === undefined) r = { start: 0, end: bytes.length - 1, firstMask: 0, lastMask: 0 };
  else {
    const total = BigInt(bytes.length) * (range[2] ? 8n : 1n);
    r = clampRange(range[0], range[1], total, range[2]);
  }
  if (r.start > r.end) return 0;
  let count = popcount(bytes, r.start, r.end);
  if (r.firstMask !== 0) count -= POPCOUNT[bytes[r.start] & r.firstMask];
  if (r.lastMask !== 0) count -= POPCOUNT[bytes[r.end] & r.lastMask];
  return count;
}

/**
 * `redisBitpos`: the first bit equal to `bit` in `bytes[from..from+count)`, relative to `from`;
 * -1 when looking for a 1 that is not there, `count * 8` when looking for a 0 that is not there.
 */
function firstBit(bytes: Uint8Array, from: number, count: number, bit: 0 | 1): number {
  const skip = bit ? 0 : 0xff;
  for (let i = 0; i < count; i++) {
    const b = bytes[from + i];
    if (b !== skip) {
      for (let j = 7; j >= 0; j--) if (((b >> j) & 1) === bit) return i * 8 + (7 - j);
    }
  }
  return bit ? -1 : count * 8;
}

/**
 * BITPOS over a value (missing = an endless run of zeros). `start`/`end` as given (undefined when
 * not given); `isBit` for the BIT unit. Mirrors bitops.c's handling of partial edge bytes and of
 * a clear bit sought past an explicit end.
 */
export function bitPos(
  value: Bytes | undefined,
  bit: 0 | 1,
  start: bigint | undefined,
  end: bigint | undefined,
  isBit: boolean,
): number {
  if (value === undefined) return bit ? -1 : 0;
  const bytes = toBuffer(value);
  const endGiven = end !== undefined;
  let r: Range;
  if (start === undefined) r = { start: 0, end: bytes.length - 1, firstMask: 0, lastMask: 0 };
  else {
    const total = BigInt(bytes.length);
    const last = end ?? (isBit ? (total << 3n) + 7n : total - 1n);
    r = clampRange(start, last, isBit ? total << 3n : total, isBit);
  }
  if (r.start > r.end) return -1;
  let from = r.start;
  let count = r.end - r.start + 1;
  let pos: number;
  found: {
    if (r.firstMask) {
      let tmp = bit ? bytes[from] & ~r.firstMask : bytes[from] | r.firstMask;
      if (r.lastMask && count === 1) tmp = bit ? tmp & ~r.lastMask : tmp | r.lastMask;
      pos = firstBit(Uint8Array.of(tmp & 0xff), 0, 1, bit);
      if (count === 1 || (pos !== -1 && pos !== 8)) break found;
      from++;
      count--;
    }
    const middle = count - (r.lastMask ? 1 : 0);
    if (middle > 0) {
      pos = firstBit(bytes, from, middle, bit);
      if (count === middle || (pos !== -1 && pos !== middle * 8)) break found;
      from += middle;
      count -= middle;
    }
    const tmp = bit ? bytes[r.end] & ~r.lastMask : bytes[r.end] | r.lastMask;
    pos = firstBit(Uint8Array.of(tmp & 0xff), 0, 1, bit);
  }
  if (endGiven && bit === 0 && pos === count * 8) return -1;
  return pos === -1 ? -1 : pos + from * 8;
}

// ---------------------------------------------------------------------------------------------
// BITOP

export type BitOp = 'and' | 'or' | 'xor' | 'not';

/** BITOP over source values (missing = empty): the result, or null when every source is empty. */
export function bitOp(op: BitOp, sources: readonly (Bytes | undefined)[]): Buffer | null {
  const inputs = sources.map((s) => (s === undefined ? Buffer.alloc(0) : toBuffer(s)));
  let maxLength = 0;
  for (const b of inputs) if (b.length > maxLength) maxLength = b.length;
  if (maxLength === 0) return null;
  const result = Buffer.alloc(maxLength);
  if (op === 'not') {
    const src = inputs[0];
    for (let i = 0; i < maxLength; i++) result[i] = ~src[i] & 0xff;
  } else {
    const first = inputs[0];
    first.copy(result, 0);
    if (op === 'and') {
      // Bytes past a shorter source are zero, so AND leaves them zero.
      for (let k = 1; k < inputs.length; k++) {
        const src = inputs[k];
        for (let i = 0; i < maxLength; i++) result[i] &= i < src.length ? src[i] : 0;
      }
      if (first.length < maxLength) result.fill(0, first.length);
    } else {
      for (let k = 1; k < inputs.length; k++) {
        const src = inputs[k];
        if (op === 'or') for (let i = 0; i < src.length; i++) result[i] |= src[i];
        else for (let i = 0; i < src.length; i++) result[i] ^= src[i];
      }
    }
  }
  rawStrings.add(result);
  return result;
}

// ---------------------------------------------------------------------------------------------
// BITFIELD

export type Overflow = 'wrap' | 'sat' | 'fail';

export interface BitfieldOp {
  kind: 'get' | 'set' | 'incrby';
  type: BitfieldType;
  offset: number;
  /** The SET value or INCRBY increment (int64). */
  value: bigint;
  overflow: Overflow;
}

/** The unsigned value of `bits` bits at bit `offset` (bits past the end read as 0). */
export function readField(bytes: Uint8Array, offset: number, bits: number): bigint {
  let value = 0n;
  for (let i = 0; i < bits; i++) {
    const at = offset + i;
    const byte = Math.floor(at / 8);
    const bit = byte < bytes.length ? (bytes[byte] >> (7 - (at & 7))) & 1 : 0;
    value = (value << 1n) | BigInt(bit);
  }
  return value;
}

/** Writes the low `bits` bits of `value` at bit `offset` (in range). */
function writeField(bytes: Uint8Array, offset: number, bits: number, value: bigint): void {
  let v = BigInt.asUintN(bits, value);
  for (let i = bits - 1; i >= 0; i--) {
    const at = offset + i;
    const byte = Math.floor(at / 8);
    const shift = 7 - (at & 7);
    bytes[byte] = (bytes[byte] & ~(1 << shift)) | (Number(v & 1n) << shift);
    v >>= 1n;
  }
}

function fieldValue(raw: bigint, type: BitfieldType): bigint {
  return type.signed ? BigInt.asIntN(type.bits, raw) : raw;
}

/**
 * `value + incr` in the field's range, by the overflow policy: the value to store, or null when
 * it overflows under FAIL. For an unsigned field the C code sees a negative SET value as a huge
 * unsigned one, which is what `asUintN(64)` reproduces.
 */
function applyOverflow(value: bigint, incr: bigint, type: BitfieldType, overflow: Overflow): bigint | null {
  const { signed, bits } = type;
  let max: bigint;
  let min: bigint;
  let sum: bigint;
  if (signed) {
    max = bits === 64 ? INT64_MAX : (1n << BigInt(bits - 1)) - 1n;
    min = -max - 1n;
    sum = value + incr;
  } else {
    max = (1n << BigInt(bits)) - 1n;
    min = 0n;
    sum = BigInt.asUintN(64, value) + incr;
  }
  if (sum >= min && sum <= max) return sum;
  if (overflow === 'fail') return null;
  if (overflow === 'sat') {
    if (!signed) return sum > max ? max : min;
    // checkSignedBitfieldOverflow decides the direction with `incr > maxincr` before it looks
    // at `value < min`, and `maxincr = (uint64_t)max - value` wraps negative for a SET value far
    // below the range (below min for i63): such a value saturates to max, as Redis does.
    const maxIncr = BigInt.asIntN(64, max - value);
    const up = value > max || (bits !== 64 && incr > maxIncr) || (value >= 0n && incr > 0n && incr > maxIncr);
    return up ? max : min;
  }
  return signed ? BigInt.asIntN(bits, sum) : BigInt.asUintN(bits, sum);
}

/**
 * Runs BITFIELD operations left to right over `bytes` (a writable bitmap large enough for every
 * write, or the stored value / undefined when every operation is a GET). Returns one reply per
 * operation (null for a FAIL overflow) and how many writes changed the value (or landed on a
 * value that was created or grown: `grown`).
 */
export function runBitfield(
  bytes: Uint8Array | undefined,
  ops: readonly BitfieldOp[],
  grown: boolean,
): { replies: (bigint | null)[]; changes: number } {
  const replies: (bigint | null)[] = [];
  let changes = 0;
  const empty = new Uint8Array(0);
  for (const op of ops) {
    const { type, offset } = op;
    if (op.kind === 'get') {
      replies.push(fieldValue(readField(bytes ?? empty, offset, type.bits), type));
      continue;
    }
    const target = bytes!;
    const old = fieldValue(readField(target, offset, type.bits), type);
    const next = op.kind === 'incrby' ? applyOverflow(old, op.value, type, op.overflow) : applyOverflow(op.value, 0n, type, op.overflow);
    if (next === null) {
      replies.push(null);
      continue;
    }
    replies.push(op.kind === 'incrby' ? next : old);
    writeField(target, offset, type.bits, next);
    if (grown || next !== old) changes++;
  }
  return { replies, changes };
}
