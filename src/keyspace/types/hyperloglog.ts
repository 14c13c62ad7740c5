/**
 * HyperLogLog values, byte for byte as Redis stores them (hyperloglog.c): they are ordinary string
 * values whose bytes are Redis's own representation, so GET, SET, DUMP-free copies and replication
 * of the raw string all agree with a real server.
 *
 * Layout: a 16-byte header — "HYLL", an encoding byte (0 dense, 1 sparse), 3 unused bytes, the
 * cached cardinality as 8 bytes little-endian whose most significant bit flags the cache as
 * invalid — then the registers. 16,384 registers (P = 14) of 6 bits each: dense packs them in
 * 12,288 bytes (LSB first); sparse run-length codes them with the ZERO (00xxxxxx, 1–64 zero
 * registers), XZERO (01xxxxxx xxxxxxxx, 1–16,384 zero registers) and VAL (1vvvvvxx, 1–4
 * registers of value 1–32) opcodes. A sparse value is promoted to dense when a register would
 * exceed 32 or the string would grow past `hll-sparse-max-bytes`.
 *
 * Elements hash with MurmurHash64A (seed 0xadc83b19); the low 14 bits pick the register, the run
 * of zeros above them (+1) is the candidate value. The cardinality is Ertl's improved estimator
 * (hllSigma / hllTau), as Redis has used since 5.0.
 *
 * Values are never changed in place (a GET reply may share the stored Buffer): every change
 * builds a new Buffer, marked `raw` as Redis's HLL strings are.
 */
import { toBuffer, type Bytes } from '../bytes.js';
import { rawStrings } from '../keyspace.js';
import { ReplyError } from '../../protocol/errors.js';

/** PFADD/PFCOUNT/PFMERGE on a string that is not an HLL. */
export const NOT_HLL = new ReplyError('WRONGTYPE Key is not a valid HyperLogLog string value.');
/** A value that passed the header checks but whose registers do not decode. */
export const INVALID_HLL = new ReplyError('INVALIDOBJ Corrupted HLL object detected');

const HLL_P = 14;
const HLL_Q = 64 - HLL_P;
/** Registers per HLL (2^14). */
export const HLL_REGISTERS = 1 << HLL_P;
const HLL_P_MASK = HLL_REGISTERS - 1;
const HLL_BITS = 6;
const HLL_REGISTER_MAX = (1 << HLL_BITS) - 1;
/** Header bytes: magic, encoding, 3 unused, 8 of cached cardinality. */
export const HLL_HDR_SIZE = 16;
/** The exact length of a dense HLL string (12,304 bytes). */
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + Math.floor((HLL_REGISTERS * HLL_BITS + 7) / 8);
/** Encoding byte of a dense HLL. */
export const HLL_DENSE = 0;
/** Encoding byte of a sparse HLL. */
export const HLL_SPARSE = 1;
const HLL_MAX_ENCODING = 1;

const SPARSE_VAL_MAX_VALUE = 32;
const SPARSE_VAL_MAX_LEN = 4;
const SPARSE_ZERO_MAX_LEN = 64;
const SPARSE_XZERO_MAX_LEN = 16384;
/** 0.5 / ln(2) */
const HLL_ALPHA_INF = 0.721347520444481703680;

/** `hll-sparse-max-bytes` by default. */
export const DEFAULT_SPARSE_MAX_BYTES = 3000;

// ---------------------------------------------------------------------------------------------
// MurmurHash64A over 64-bit values held as two unsigned 32-bit halves.

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;
const SEED = 0xadc83b19;

let rHi = 0;
let rLo = 0;

/** (ah:al) × (bh:bl) mod 2^64 into rHi:rLo (unsigned 32-bit halves). */
function mul64(ah: number, al: number, bh: number, bl: number): void {
  // The high half of al × bl from 16-bit pieces (every partial sum exact in a double).
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  const t = a1 * b0 + ((a0 * b0) >>> 16);
  const w = (t % 65536) + a0 * b1;
  const high = a1 * b1 + Math.floor(t / 65536) + Math.floor(w / 65536);
  rHi = (high + Math.imul(al, bh) + Math.imul(ah, bl)) >>> 0;
  rLo = Math.imul(al, bl) >>> 0;
}

/**
 * MurmurHash64A(data, seed 0xadc83b19) as Redis computes it on a little-endian machine; the
 * result is left in rHi:rLo.
 */
function murmur64a(data: Uint8Array, len: number): void {
  mul64(0, len >>> 0, M_HI, M_LO);
  let hHi = rHi;
  let hLo = (rLo ^ SEED) >>> 0;
  const blocks = len - (len & 7);
  for (let i = 0; i < blocks; i += 8) {
    const kLo = (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)) >>> 0;
    const kHi = (data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24)) >>> 0;
    mul64(kHi, kLo, M_HI, M_LO);
    // k ^= k >> 47
    let k2Hi = rHi;
    let k2Lo = (rLo ^ (rHi >>> 15)) >>> 0;
    mul64(k2Hi, k2Lo, M_HI, M_LO);
    k2Hi = rHi;
    k2Lo = rLo;
    hHi = (hHi ^ k2Hi) >>> 0;
    hLo = (hLo ^ k2Lo) >>> 0;
    mul64(hHi, hLo, M_HI, M_LO);
    hHi = rHi;
    hLo = rLo;
  }
  const rest = len & 7;
  if (rest !== 0) {
    const t = blocks;
    // The C switch falls through from `len & 7` down to 1.
    if (rest >= 7) hHi ^= data[t + 6] << 16;
    if (rest >= 6) hHi ^= data[t + 5] << 8;
    if (rest >= 5) hHi ^= data[t + 4];
    if (rest >= 4) hLo ^= data[t + 3] << 24;
    if (rest >= 3) hLo ^= data[t + 2] << 16;
    if (rest >= 2) hLo ^= data[t + 1] << 8;
    hLo ^= data[t];
    mul64(hHi >>> 0, hLo >>> 0, M_HI, M_LO);
    hHi = rHi;
    hLo = rLo;
  }
  // h ^= h >> 47; h *= m; h ^= h >> 47
  hLo = (hLo ^ (hHi >>> 15)) >>> 0;
  mul64(hHi, hLo, M_HI, M_LO);
  rLo = (rLo ^ (rHi >>> 15)) >>> 0;
}

/** MurmurHash64A with Redis's HLL seed, as an unsigned 64-bit BigInt (for tests and tools). */
export function murmurHash64A(data: Bytes): bigint {
  const bytes = toBuffer(data);
  murmur64a(bytes, bytes.length);
  return (BigInt(rHi) << 32n) | BigInt(rLo);
}

let patIndex = 0;
/** Where string elements are encoded for hashing (no allocation per element). */
const scratch = Buffer.allocUnsafeSlow(1024);

/**
 * hllPatLen: the register an element falls into (left in `patIndex`) and the length of the
 * "000…1" pattern of the remaining 50 hash bits (1–51).
 */
function patLen(element: Bytes): number {
  if (typeof element !== 'string') murmur64a(element, element.length);
  else if (element.length * 3 <= scratch.length) murmur64a(scratch, scratch.write(element, 0, 'utf8'));
  else {
    const bytes = Buffer.from(element, 'utf8');
    murmur64a(bytes, bytes.length);
  }
  patIndex = rLo & HLL_P_MASK;
  const low = rLo >>> HLL_P; // 18 bits
  if (low !== 0) return 32 - Math.clz32(low & -low);
  if (rHi !== 0) return 18 + 32 - Math.clz32(rHi & -rHi);
  return HLL_Q + 1;
}

/** The register and count an element sets (hllPatLen), for tests and tools. */
export function elementRegister(element: Bytes): { index: number; count: number } {
  const count = patLen(element);
  return { index: patIndex, count };
}

// ---------------------------------------------------------------------------------------------
// Dense registers (at offset HLL_HDR_SIZE of a dense value). A read past the end sees the zero
// byte that ends every sds string; a write there changes nothing (the bits written are zero).

function denseGet(b: Uint8Array, regnum: number): number {
  const bit = regnum * HLL_BITS;
  const byte = HLL_HDR_SIZE + (bit >>> 3);
  const fb = bit & 7;
  const b0 = b[byte];
  const b1 = byte + 1 < b.length ? b[byte + 1] : 0;
  return ((b0 >>> fb) | (b1 << (8 - fb))) & HLL_REGISTER_MAX;
}

function denseSetRegister(b: Uint8Array, regnum: number, value: number): void {
  const bit = regnum * HLL_BITS;
  const byte = HLL_HDR_SIZE + (bit >>> 3);
  const fb = bit & 7;
  const fb8 = 8 - fb;
  b[byte] = (b[byte] & ~(HLL_REGISTER_MAX << fb)) | (value << fb);
  if (byte + 1 < b.length) b[byte + 1] = (b[byte + 1] & ~(HLL_REGISTER_MAX >>> fb8)) | (value >>> fb8);
}

/** hllDenseSet: raises register `index` to `count`; 1 when it changed. */
function denseSet(b: Uint8Array, index: number, count: number): number {
  if (count > denseGet(b, index)) {
    denseSetRegister(b, index, count);
    return 1;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Working copies

/**
 * A value being changed: its bytes in `buf` (with spare room for sparse edits; the byte at `len`
 * is kept zero, as the sds terminator Redis's decoders read past the last opcode).
 */
class HllWork {
  constructor(
    public buf: Uint8Array,
    public len: number,
  ) {}

  get encoding(): number {
    return this.buf[4];
  }

  /** Makes room for `extra` more bytes and the terminator (sdsMakeRoomFor). */
  reserve(extra: number): void {
    if (this.len + extra + 1 <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.len + extra + 1));
    grown.set(this.buf.subarray(0, this.len));
    this.buf = grown;
  }

  /** The finished value: a new Buffer of exactly `len` bytes, `raw` as Redis's HLL strings. */
  result(): Buffer {
    const out = Buffer.from(this.buf.buffer, this.buf.byteOffset, this.len);
    rawStrings.add(out);
    return out;
  }
}

/** createHLLObject: an empty sparse HLL (one XZERO covering every register). */
function newHll(): HllWork {
  const len = HLL_HDR_SIZE + Math.floor((HLL_REGISTERS + (SPARSE_XZERO_MAX_LEN - 1)) / SPARSE_XZERO_MAX_LEN) * 2;
  const buf = new Uint8Array(len + 8);
  buf[0] = 0x48; // H
  buf[1] = 0x59; // Y
  buf[2] = 0x4c; // L
  buf[3] = 0x4c; // L
  buf[4] = HLL_SPARSE;
  let p = HLL_HDR_SIZE;
  let aux = HLL_REGISTERS;
  while (aux > 0) {
    const xzero = Math.min(SPARSE_XZERO_MAX_LEN, aux);
    buf[p] = ((xzero - 1) >>> 8) | 0x40;
    buf[p + 1] = (xzero - 1) & 0xff;
    p += 2;
    aux -= xzero;
  }
  return new HllWork(buf, len);
}

/** A working copy of a stored value. */
function workOf(value: Buffer): HllWork {
  const extra = value[4] === HLL_SPARSE ? 16 : 0;
  const buf = new Uint8Array(value.length + extra);
  buf.set(value);
  return new HllWork(buf, value.length);
}

/**
 * isHLLObjectOrReply for a string value: its bytes when they look like an HLL (magic, a known
 * encoding, the exact dense size), else WRONGTYPE's HLL variant.
 */
export function hllBytes(value: Bytes): Buffer {
  const b = toBuffer(value);
  if (
    b.length < HLL_HDR_SIZE ||
    b[0] !== 0x48 ||
    b[1] !== 0x59 ||
    b[2] !== 0x4c ||
    b[3] !== 0x4c ||
    b[4] > HLL_MAX_ENCODING ||
    (b[4] === HLL_DENSE && b.length !== HLL_DENSE_SIZE)
  ) {
    throw NOT_HLL;
  }
  return b;
}

// ---------------------------------------------------------------------------------------------
// Sparse representation

/** hllSparseToDense: false when the sparse registers do not add up to HLL_REGISTERS. */
function sparseToDense(w: HllWork): boolean {
  if (w.encoding === HLL_DENSE) return true;
  const s = w.buf;
  const end = w.len;
  const dense = new Uint8Array(HLL_DENSE_SIZE);
  dense.set(s.subarray(0, HLL_HDR_SIZE)); // magic and cached cardinality
  dense[4] = HLL_DENSE;
  let idx = 0;
  let p = HLL_HDR_SIZE;
  while (p < end) {
    const op = s[p];
    if ((op & 0xc0) === 0) {
      idx += (op & 0x3f) + 1;
      p++;
    } else if ((op & 0xc0) === 0x40) {
      idx += (((op & 0x3f) << 8) | s[p + 1]) + 1;
      p += 2;
    } else {
      let runlen = (op & 3) + 1;
      const regval = ((op >>> 2) & 0x1f) + 1;
      if (runlen + idx > HLL_REGISTERS) break;
      while (runlen--) denseSetRegister(dense, idx++, regval);
      p++;
    }
  }
  if (idx !== HLL_REGISTERS) return false;
  w.buf = dense;
  w.len = HLL_DENSE_SIZE;
  return true;
}

function valOp(value: number, len: number): number {
  return (((value - 1) << 2) | (len - 1)) | 0x80;
}

/**
 * hllSparseSet: raises register `index` to `count` in a sparse value, splitting and merging
 * opcodes exactly as Redis does, or promoting to dense. 1 when changed, 0 when not, -1 when the
 * value is corrupt.
 */
function sparseSet(w: HllWork, index: number, count: number, sparseMax: number): number {
  promote: {
    if (count > SPARSE_VAL_MAX_VALUE) break promote;
    w.reserve(3);
    let s = w.buf;
    const sparse = HLL_HDR_SIZE;
    let end = w.len;
    let p = sparse;
    let first = 0;
    let prev = -1;
    let span = 0;
    while (p < end) {
      const op = s[p];
      let oplen = 1;
      if ((op & 0xc0) === 0) span = (op & 0x3f) + 1;
      else if (op & 0x80) span = (op & 3) + 1;
      else {
        span = (((op & 0x3f) << 8) | s[p + 1]) + 1;
        oplen = 2;
      }
      if (index <= first + span - 1) break;
      prev = p;
      p += oplen;
      first += span;
    }
    if (span === 0 || p >= end) return -1;

    const op = s[p];
    const isXzero = (op & 0xc0) === 0x40;
    let next = isXzero ? p + 2 : p + 1;
    if (next >= end) next = -1;
    const isZero = (op & 0xc0) === 0;
    const isVal = (op & 0x80) !== 0;
    const runlen = isZero ? (op & 0x3f) + 1 : isXzero ? (((op & 0x3f) << 8) | s[p + 1]) + 1 : (op & 3) + 1;

    updated: {
      if (isVal) {
        const oldcount = ((op >>> 2) & 0x1f) + 1;
        if (oldcount >= count) return 0;
        if (runlen === 1) {
          s[p] = valOp(count, 1);
          break updated;
        }
      }
      if (isZero && runlen === 1) {
        s[p] = valOp(count, 1);
        break updated;
      }
      // General case: split the opcode into up to three (at most 5 bytes).
      const seq: number[] = [];
      const last = first + span - 1;
      if (isZero || isXzero) {
        if (index !== first) {
          const len = index - first;
          if (len > SPARSE_ZERO_MAX_LEN) seq.push(((len - 1) >>> 8) | 0x40, (len - 1) & 0xff);
          else seq.push(len - 1);
        }
        seq.push(valOp(count, 1));
        if (index !== last) {
          const len = last - index;
          if (len > SPARSE_ZERO_MAX_LEN) seq.push(((len - 1) >>> 8) | 0x40, (len - 1) & 0xff);
          else seq.push(len - 1);
        }
      } else {
        const curval = ((op >>> 2) & 0x1f) + 1;
        if (index !== first) seq.push(valOp(curval, index - first));
        seq.push(valOp(count, 1));
        if (index !== last) seq.push(valOp(curval, last - index));
      }
      const oldlen = isXzero ? 2 : 1;
      const deltalen = seq.length - oldlen;
      if (deltalen > 0 && w.len + deltalen > sparseMax) break promote;
      if (deltalen !== 0 && next >= 0) s.copyWithin(next + deltalen, next, end);
      w.len += deltalen;
      s[w.len] = 0;
      for (let i = 0; i < seq.length; i++) s[p + i] = seq[i];
      end += deltalen;
    }

    // Merge adjacent VAL opcodes of equal value, scanning up to 5 opcodes from prev.
    s = w.buf;
    p = prev >= 0 ? prev : sparse;
    let scanlen = 5;
    while (p < end && scanlen-- > 0) {
      const op1 = s[p];
      if ((op1 & 0xc0) === 0x40) {
        p += 2;
        continue;
      } else if ((op1 & 0xc0) === 0) {
        p++;
        continue;
      }
      if (p + 1 < end && s[p + 1] & 0x80) {
        const v1 = ((op1 >>> 2) & 0x1f) + 1;
        const op2 = s[p + 1];
        const v2 = ((op2 >>> 2) & 0x1f) + 1;
        if (v1 === v2) {
          const len = (op1 & 3) + 1 + (op2 & 3) + 1;
          if (len <= SPARSE_VAL_MAX_LEN) {
            s[p + 1] = valOp(v1, len);
            s.copyWithin(p, p + 1, end + 1);
            w.len--;
            s[w.len] = 0;
            end--;
            continue;
          }
        }
      }
      p++;
    }
    invalidateCache(w.buf);
    return 1;
  }
  // Promote to dense, then set the register there (which must change it).
  if (!sparseToDense(w)) return -1;
  return denseSet(w.buf, index, count);
}

function invalidateCache(b: Uint8Array): void {
  b[15] |= 0x80;
}

/** hllAdd: adds one element to a working value; 1 when a register changed, 0 when not, -1 when corrupt. */
function addElement(w: HllWork, element: Bytes, sparseMax: number): number {
  const count = patLen(element);
  const index = patIndex;
  const encoding = w.encoding;
  if (encoding === HLL_DENSE) return denseSet(w.buf, index, count);
  if (encoding === HLL_SPARSE) return sparseSet(w, index, count, sparseMax);
  return -1;
}

// ---------------------------------------------------------------------------------------------
// Commands' semantics

export interface PfaddResult {
  /** The new value to store, or null when nothing changed (and the key existed). */
  value: Buffer | null;
  /** True when at least one register changed or the key was created (PFADD answers 1). */
  updated: boolean;
}

/**
 * PFADD: adds `elements` to an HLL (`current`: the stored value's bytes, already checked with
 * {@link hllBytes}, or undefined for a new key). Throws INVALIDOBJ for a corrupt value, before
 * anything is stored.
 */
export function pfadd(current: Buffer | undefined, elements: readonly Bytes[], sparseMax: number): PfaddResult {
  let start = 0;
  if (current !== undefined && current[4] === HLL_DENSE) {
    // A dense value is copied only once an element raises a register (most adds to a large HLL
    // change nothing, and the copy is 12 KB).
    while (start < elements.length) {
      const count = patLen(elements[start]);
      if (count > denseGet(current, patIndex)) break;
      start++;
    }
    if (start === elements.length) return { value: null, updated: false };
  }
  const w = current === undefined ? newHll() : workOf(current);
  let updated = current === undefined ? 1 : 0;
  for (let i = start; i < elements.length; i++) {
    const element = elements[i];
    const r = addElement(w, element, sparseMax);
    if (r === -1) throw INVALID_HLL;
    updated += r;
  }
  if (updated === 0) return { value: null, updated: false };
  invalidateCache(w.buf);
  return { value: w.result(), updated: true };
}

/** Register histogram of a dense or sparse value; null when a sparse value does not decode. */
function histogram(b: Uint8Array, len: number): Int32Array | null {
  const reghisto = new Int32Array(64);
  if (b[4] === HLL_DENSE) {
    for (let j = 0; j < HLL_REGISTERS; j++) reghisto[denseGet(b, j)]++;
    return reghisto;
  }
  let idx = 0;
  let p = HLL_HDR_SIZE;
  while (p < len) {
    const op = b[p];
    if ((op & 0xc0) === 0) {
      const runlen = (op & 0x3f) + 1;
      idx += runlen;
      reghisto[0] += runlen;
      p++;
    } else if ((op & 0xc0) === 0x40) {
      const runlen = (((op & 0x3f) << 8) | (p + 1 < len ? b[p + 1] : 0)) + 1;
      idx += runlen;
      reghisto[0] += runlen;
      p += 2;
    } else {
      const runlen = (op & 3) + 1;
      idx += runlen;
      reghisto[((op >>> 2) & 0x1f) + 1] += runlen;
      p++;
    }
  }
  return idx === HLL_REGISTERS ? reghisto : null;
}

function hllSigma(x: number): number {
  if (x === 1) return Infinity;
  let zPrime: number;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

function hllTau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrime: number;
  let y = 1.0;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    const d = 1 - x;
    z -= d * d * y;
  } while (zPrime !== z);
  return z / 3;
}

/** hllCount's estimator over a register histogram (Ertl, arXiv:1702.01284). */
function estimate(reghisto: Int32Array): number {
  const m = HLL_REGISTERS;
  let z = m * hllTau((m - reghisto[HLL_Q + 1]) / m);
  for (let j = HLL_Q; j >= 1; --j) {
    z += reghisto[j];
    z *= 0.5;
  }
  z += m * hllSigma(reghisto[0] / m);
  return Math.round((HLL_ALPHA_INF * m * m) / z);
}

const TWO_63 = 2 ** 63;

/**
 * The estimate as hllCount's uint64: `llroundl` of a value out of the 64-bit range (a crafted
 * dense value whose registers are all above 50 gives +∞) yields LLONG_MIN on x86-64, so the
 * cardinality is 2^63 — which also leaves the cache-invalid bit set when it is cached.
 */
function toCard(estimate: number): number | bigint {
  return estimate < TWO_63 ? estimate : 1n << 63n;
}

/** A cardinality as PFCOUNT answers it (addReplyLongLong: 2^63 and above read as negative). */
function cardReply(card: number | bigint): number | bigint {
  if (typeof card === 'number') return card <= Number.MAX_SAFE_INTEGER ? card : BigInt(card);
  return BigInt.asIntN(64, card);
}

export interface PfcountResult {
  /** The cardinality (a BigInt only above 2^53, for a crafted cached value). */
  count: number | bigint;
  /** The value with the cardinality cached, to store; null when the cache was valid. */
  value: Buffer | null;
}

/** PFCOUNT of one HLL: the cached cardinality, or a fresh estimate cached into a new value. */
export function pfcountOne(b: Buffer): PfcountResult {
  if ((b[15] & 0x80) === 0) return { count: cardReply(b.readBigUInt64LE(8)), value: null };
  const reghisto = histogram(b, b.length);
  if (reghisto === null) throw INVALID_HLL;
  const card = toCard(estimate(reghisto));
  const out = Buffer.from(b);
  out.writeBigUInt64LE(BigInt(card), 8);
  rawStrings.add(out);
  return { count: cardReply(card), value: out };
}

/** hllMerge: max[i] = MAX(max[i], register i of `b`); false when a sparse value does not decode. */
function mergeInto(max: Uint8Array, b: Uint8Array): boolean {
  if (b[4] === HLL_DENSE) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const val = denseGet(b, i);
      if (val > max[i]) max[i] = val;
    }
    return true;
  }
  const end = b.length;
  let p = HLL_HDR_SIZE;
  let i = 0;
  while (p < end) {
    const op = b[p];
    if ((op & 0xc0) === 0) {
      i += (op & 0x3f) + 1;
      p++;
    } else if ((op & 0xc0) === 0x40) {
      i += (((op & 0x3f) << 8) | (p + 1 < end ? b[p + 1] : 0)) + 1;
      p += 2;
    } else {
      let runlen = (op & 3) + 1;
      const regval = ((op >>> 2) & 0x1f) + 1;
      if (runlen + i > HLL_REGISTERS) break;
      while (runlen--) {
        if (regval > max[i]) max[i] = regval;
        i++;
      }
      p++;
    }
  }
  return i === HLL_REGISTERS;
}

/**
 * The registers of a union being built (PFCOUNT of several keys, PFMERGE): one byte per register,
 * and whether any input was dense.
 */
export class HllUnion {
  readonly max = new Uint8Array(HLL_REGISTERS);
  dense = false;

  /** Merges one HLL (checked with {@link hllBytes}); throws INVALIDOBJ when it does not decode. */
  add(b: Buffer): void {
    if (b[4] === HLL_DENSE) this.dense = true;
    if (!mergeInto(this.max, b)) throw INVALID_HLL;
  }

  /** hllCount of the union (the HLL_RAW encoding), as PFCOUNT answers it. */
  count(): number | bigint {
    const reghisto = new Int32Array(64);
    const max = this.max;
    for (let j = 0; j < HLL_REGISTERS; j++) reghisto[max[j]]++;
    return cardReply(toCard(estimate(reghisto)));
  }

  /**
   * PFMERGE's write: the destination (`current`, checked, or undefined for a new key) with every
   * register raised to the union's, dense when any input was dense, the cache invalidated.
   */
  mergeTo(current: Buffer | undefined, sparseMax: number): Buffer {
    const w = current === undefined ? newHll() : workOf(current);
    if (this.dense && !sparseToDense(w)) throw INVALID_HLL;
    const max = this.max;
    for (let j = 0; j < HLL_REGISTERS; j++) {
      if (max[j] === 0) continue;
      const encoding = w.encoding;
      if (encoding === HLL_DENSE) denseSet(w.buf, j, max[j]);
      else if (encoding === HLL_SPARSE) sparseSet(w, j, max[j], sparseMax);
    }
    invalidateCache(w.buf);
    return w.result();
  }
}
