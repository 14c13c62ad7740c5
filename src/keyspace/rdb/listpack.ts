/**
 * Listpacks, byte for byte as Redis's listpack.c lays them out: a 4-byte total size and a 2-byte
 * element count (65535 when there are more), the entries, and a 0xFF terminator. Each entry is an
 * encoding header with its data — integers in 7, 13, 16, 24, 32 or 64 bits, strings with a 6, 12
 * or 32-bit length — followed by its back-length. Strings that read as a 64-bit integer
 * (`lpStringToInt64`, the rules of `string2ll`) are stored as integers, as `lpAppend` does.
 */
import { parseInt64 } from '../../protocol/numbers.js';

/** An element to write: bytes (stored as an integer when they read as one) or an integer. */
export type ListpackInput = Uint8Array | number | bigint;

/** An element read back: its bytes, or the integer it was stored as. */
export type ListpackElement = Buffer | bigint;

const LP_HDR_SIZE = 6;
const LP_EOF = 0xff;
const LP_HDR_NUMELE_UNKNOWN = 65535;

/** Bytes the back-length of an entry of `l` encoding+data bytes takes. */
export function backlenSize(l: number): number {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

/** Bytes of an integer's encoding (7-bit, 13-bit, 16/24/32/64-bit forms), back-length excluded. */
function intEncodingBytes(n: number | bigint): number {
  if (typeof n === 'bigint') return n >= -2147483648n && n <= 2147483647n ? intEncodingBytes(Number(n)) : 9;
  if (n >= 0 && n <= 127) return 1;
  if (n >= -4096 && n <= 4095) return 2;
  if (n >= -32768 && n <= 32767) return 3;
  if (n >= -8388608 && n <= 8388607) return 4;
  if (n >= -2147483648 && n <= 2147483647) return 5;
  return 9;
}

/** Bytes one listpack entry holding the integer `n` takes (encoding and its 1-byte back-length). */
export function intEntrySize(n: number | bigint): number {
  return intEncodingBytes(n) + 1;
}

/** Bytes one listpack entry holding a string of `len` bytes takes (header, data, back-length). */
export function stringEntrySize(len: number): number {
  const enc = len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len;
  return enc + backlenSize(enc);
}

/** Writes one listpack into a growing array of chunks. */
export class ListpackWriter {
  private readonly chunks: Buffer[] = [];
  private size = LP_HDR_SIZE + 1;
  private count = 0;

  get length(): number {
    return this.count;
  }

  /** Appends an element (`lpAppend` for bytes, `lpAppendInteger` for numbers). */
  add(value: ListpackInput): this {
    if (typeof value === 'number' || typeof value === 'bigint') return this.addInteger(BigInt(value));
    if (value.length > 0 && value.length <= 20) {
      const n = parseInt64(Buffer.from(value.buffer, value.byteOffset, value.length));
      if (n !== null) return this.addInteger(BigInt(n));
    }
    return this.addString(value);
  }

  private addInteger(v: bigint): this {
    let entry: Buffer;
    if (v >= 0n && v <= 127n) {
      entry = Buffer.from([Number(v)]);
    } else if (v >= -4096n && v <= 4095n) {
      const u = Number(v < 0n ? (1n << 13n) + v : v);
      entry = Buffer.from([(u >> 8) | 0xc0, u & 0xff]);
    } else if (v >= -32768n && v <= 32767n) {
      entry = Buffer.alloc(3);
      entry[0] = 0xf1;
      entry.writeInt16LE(Number(v), 1);
    } else if (v >= -8388608n && v <= 8388607n) {
      entry = Buffer.alloc(4);
      entry[0] = 0xf2;
      entry.writeIntLE(Number(v), 1, 3);
    } else if (v >= -2147483648n && v <= 2147483647n) {
      entry = Buffer.alloc(5);
      entry[0] = 0xf3;
      entry.writeInt32LE(Number(v), 1);
    } else {
      entry = Buffer.alloc(9);
      entry[0] = 0xf4;
      entry.writeBigInt64LE(BigInt.asIntN(64, v), 1);
    }
    return this.push(entry);
  }

  private addString(s: Uint8Array): this {
    const len = s.length;
    let header: Buffer;
    if (len < 64) header = Buffer.from([0x80 | len]);
    else if (len < 4096) header = Buffer.from([0xe0 | (len >> 8), len & 0xff]);
    else {
      header = Buffer.alloc(5);
      header[0] = 0xf0;
      header.writeUInt32LE(len, 1);
    }
    this.chunks.push(header);
    return this.push(s, header.length);
  }

  /** Adds an entry's bytes (`headerLength` bytes of it already pushed) and its back-length. */
  private push(data: Uint8Array, headerLength = 0): this {
    if (data.length > 0) this.chunks.push(Buffer.from(data.buffer, data.byteOffset, data.length));
    const l = headerLength + data.length;
    const n = backlenSize(l);
    const back = Buffer.alloc(n);
    // The back-length is written so it reads backwards: its last byte holds the lowest 7 bits.
    for (let i = n - 1, v = l; i >= 0; i--, v = Math.floor(v / 128)) back[i] = (v & 127) | (i > 0 ? 128 : 0);
    this.chunks.push(back);
    this.size += l + n;
    this.count++;
    return this;
  }

  /** The finished listpack. */
  finish(): Buffer {
    const header = Buffer.alloc(LP_HDR_SIZE);
    header.writeUInt32LE(this.size, 0);
    header.writeUInt16LE(this.count < LP_HDR_NUMELE_UNKNOWN ? this.count : LP_HDR_NUMELE_UNKNOWN, 4);
    return Buffer.concat([header, ...this.chunks, Buffer.from([LP_EOF])], this.size);
  }
}

/** A listpack of these elements. */
export function listpackOf(values: Iterable<ListpackInput>): Buffer {
  const writer = new ListpackWriter();
  for (const v of values) writer.add(v);
  return writer.finish();
}

/**
 * Reads every element of a listpack, checking its structure (total size, terminator, each entry
 * and back-length inside the bounds, the element count); null when anything is off.
 */
export function readListpack(lp: Buffer): ListpackElement[] | null {
  if (lp.length < LP_HDR_SIZE + 1 || lp.readUInt32LE(0) !== lp.length || lp[lp.length - 1] !== LP_EOF) return null;
  const declared = lp.readUInt16LE(4);
  const out: ListpackElement[] = [];
  let p = LP_HDR_SIZE;
  const end = lp.length - 1;
  while (p < end) {
    const b = lp[p];
    let headerLength: number;
    let dataLength: number;
    let value: ListpackElement | null = null;
    if ((b & 0x80) === 0) {
      headerLength = 1;
      dataLength = 0;
      value = BigInt(b & 0x7f);
    } else if ((b & 0xc0) === 0x80) {
      headerLength = 1;
      dataLength = b & 0x3f;
    } else if ((b & 0xe0) === 0xc0) {
      if (p + 1 >= end) return null;
      headerLength = 2;
      dataLength = 0;
      const u = ((b & 0x1f) << 8) | lp[p + 1];
      value = BigInt(u >= 4096 ? u - 8192 : u);
    } else if ((b & 0xf0) === 0xe0) {
      if (p + 1 >= end) return null;
      headerLength = 2;
      dataLength = ((b & 0x0f) << 8) | lp[p + 1];
    } else if (b === 0xf0) {
      if (p + 5 > end) return null;
      headerLength = 5;
      dataLength = lp.readUInt32LE(p + 1);
    } else if (b === 0xf1 || b === 0xf2 || b === 0xf3 || b === 0xf4) {
      const width = b === 0xf1 ? 2 : b === 0xf2 ? 3 : b === 0xf3 ? 4 : 8;
      if (p + 1 + width > end) return null;
      headerLength = 1 + width;
      dataLength = 0;
      value = width === 8 ? lp.readBigInt64LE(p + 1) : BigInt(lp.readIntLE(p + 1, width));
    } else {
      return null;
    }
    const l = headerLength + dataLength;
    const n = backlenSize(l);
    if (p + l + n > end) return null;
    if (value === null) value = Buffer.from(lp.subarray(p + headerLength, p + l));
    // The back-length must say how long the entry is.
    let back = 0;
    for (let i = 0; i < n; i++) back = back * 128 + (lp[p + l + i] & 127);
    if (back !== l) return null;
    out.push(value);
    p += l + n;
  }
  if (p !== end) return null;
  if (declared !== LP_HDR_NUMELE_UNKNOWN && declared !== out.length) return null;
  return out;
}

/** An element's bytes (integers as their decimal text). */
export function elementBytes(element: ListpackElement): Buffer {
  return typeof element === 'bigint' ? Buffer.from(element.toString(), 'latin1') : element;
}
