/**
 * The RDB encoding primitives DUMP and RESTORE use (rdb.c): lengths in 1, 2, 5 or 9 bytes, strings
 * (small integers as 8/16/32-bit integers, long strings LZF-compressed when `rdbcompression` is
 * on, the rest verbatim), 8-byte little-endian millisecond times and binary doubles.
 */
import { parseInt64 } from '../../protocol/numbers.js';
import { ReplyError } from '../../protocol/errors.js';
import { lzfCompress, lzfDecompress } from './lzf.js';

/** RESTORE's answer to a payload whose checksum holds but whose contents do not parse. */
export const BAD_DATA_FORMAT = new ReplyError('ERR Bad data format');

const RDB_6BITLEN = 0;
const RDB_14BITLEN = 1;
const RDB_32BITLEN = 0x80;
const RDB_64BITLEN = 0x81;
const RDB_ENCVAL = 3;
const RDB_ENC_INT8 = 0;
const RDB_ENC_INT16 = 1;
const RDB_ENC_INT32 = 2;
const RDB_ENC_LZF = 3;

/** Builds a serialised value. */
export class RdbWriter {
  private readonly chunks: Buffer[] = [];
  private total = 0;

  constructor(
    /** `rdbcompression`: strings over 20 bytes are LZF-compressed when that saves at least 4 bytes. */
    readonly compress: boolean,
  ) {}

  raw(bytes: Uint8Array): this {
    const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    this.chunks.push(b);
    this.total += b.length;
    return this;
  }

  byte(b: number): this {
    return this.raw(Buffer.from([b]));
  }

  /** `rdbSaveLen`. */
  len(n: number | bigint): this {
    const v = BigInt.asUintN(64, BigInt(n));
    if (v < 64n) return this.byte(Number(v) | (RDB_6BITLEN << 6));
    if (v < 16384n) return this.raw(Buffer.from([(Number(v) >> 8) | (RDB_14BITLEN << 6), Number(v) & 0xff]));
    if (v <= 0xffffffffn) {
      const b = Buffer.alloc(5);
      b[0] = RDB_32BITLEN;
      b.writeUInt32BE(Number(v), 1);
      return this.raw(b);
    }
    const b = Buffer.alloc(9);
    b[0] = RDB_64BITLEN;
    b.writeBigUInt64BE(v, 1);
    return this.raw(b);
  }

  /** `rdbSaveRawString`: integer encoding for up to 11 bytes, then LZF, then verbatim. */
  string(s: Uint8Array): this {
    const len = s.length;
    if (len > 0 && len <= 11) {
      const n = parseInt64(Buffer.from(s.buffer, s.byteOffset, len));
      if (n !== null && typeof n === 'number' && n >= -2147483648 && n <= 2147483647) return this.integer(n);
    }
    if (this.compress && len > 20) {
      const packed = lzfCompress(s, len - 4);
      if (packed !== null) return this.lzfBlob(packed, len);
    }
    this.len(len);
    return len > 0 ? this.raw(s) : this;
  }

  /** `rdbEncodeInteger` (the caller checked the value fits in 32 bits). */
  private integer(n: number): this {
    if (n >= -128 && n <= 127) return this.raw(Buffer.from([(RDB_ENCVAL << 6) | RDB_ENC_INT8, n & 0xff]));
    if (n >= -32768 && n <= 32767) {
      const b = Buffer.alloc(3);
      b[0] = (RDB_ENCVAL << 6) | RDB_ENC_INT16;
      b.writeInt16LE(n, 1);
      return this.raw(b);
    }
    const b = Buffer.alloc(5);
    b[0] = (RDB_ENCVAL << 6) | RDB_ENC_INT32;
    b.writeInt32LE(n, 1);
    return this.raw(b);
  }

  /** `rdbSaveLzfBlob`: compressed data and the length it expands to. */
  lzfBlob(packed: Uint8Array, originalLength: number): this {
    this.byte((RDB_ENCVAL << 6) | RDB_ENC_LZF);
    this.len(packed.length);
    this.len(originalLength);
    return this.raw(packed);
  }

  /** `rdbSaveMillisecondTime`: 8 bytes little-endian. */
  millis(ms: number | bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(BigInt.asIntN(64, BigInt(ms)));
    return this.raw(b);
  }

  /** `rdbSaveBinaryDoubleValue`. */
  double(x: number): this {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(x);
    return this.raw(b);
  }

  finish(): Buffer {
    return Buffer.concat(this.chunks, this.total);
  }
}

/** Reads a serialised value; every read past the end or malformed encoding throws {@link BAD_DATA_FORMAT}. */
export class RdbReader {
  pos = 0;

  constructor(
    private readonly data: Buffer,
    /** Where the value ends (the payload's trailer starts there). */
    private readonly end: number,
  ) {}

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.end) throw BAD_DATA_FORMAT;
  }

  byte(): number {
    this.need(1);
    return this.data[this.pos++];
  }

  raw(n: number): Buffer {
    this.need(n);
    const out = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A length or, with `encoded`, the special encoding that follows (`rdbLoadLenByRef`). */
  private lenOrEncoding(): { value: bigint; encoded: boolean } {
    const first = this.byte();
    const type = (first & 0xc0) >> 6;
    if (type === RDB_ENCVAL) return { value: BigInt(first & 0x3f), encoded: true };
    if (type === RDB_6BITLEN) return { value: BigInt(first & 0x3f), encoded: false };
    if (type === RDB_14BITLEN) return { value: BigInt(((first & 0x3f) << 8) | this.byte()), encoded: false };
    if (first === RDB_32BITLEN) return { value: BigInt(this.raw(4).readUInt32BE(0)), encoded: false };
    if (first === RDB_64BITLEN) return { value: this.raw(8).readBigUInt64BE(0), encoded: false };
    throw BAD_DATA_FORMAT;
  }

  /** A length as an unsigned 64-bit integer. */
  lenBig(): bigint {
    const { value, encoded } = this.lenOrEncoding();
    if (encoded) throw BAD_DATA_FORMAT;
    return value;
  }

  /** A length that must fit the data (counts of elements, string sizes). */
  len(): number {
    const v = this.lenBig();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw BAD_DATA_FORMAT;
    return Number(v);
  }

  /** `rdbGenericLoadStringObject`: a string in any of its encodings, as bytes. */
  string(): Buffer {
    const { value, encoded } = this.lenOrEncoding();
    if (!encoded) {
      if (value > BigInt(this.end - this.pos)) throw BAD_DATA_FORMAT;
      return this.raw(Number(value));
    }
    switch (Number(value)) {
      case RDB_ENC_INT8:
        return Buffer.from(String(this.raw(1).readInt8(0)), 'latin1');
      case RDB_ENC_INT16:
        return Buffer.from(String(this.raw(2).readInt16LE(0)), 'latin1');
      case RDB_ENC_INT32:
        return Buffer.from(String(this.raw(4).readInt32LE(0)), 'latin1');
      case RDB_ENC_LZF: {
        const clen = this.len();
        const len = this.len();
        const packed = this.raw(clen);
        // A claimed size far beyond what LZF can expand to is corrupt (and would be a huge allocation).
        if (len > clen * 264 + 32) throw BAD_DATA_FORMAT;
        const out = lzfDecompress(packed, len);
        if (out === null) throw BAD_DATA_FORMAT;
        return out;
      }
      default:
        throw BAD_DATA_FORMAT;
    }
  }

  /** `rdbLoadMillisecondTime`: 8 bytes little-endian, signed. */
  millis(): bigint {
    return this.raw(8).readBigInt64LE(0);
  }

  /** `rdbLoadBinaryDoubleValue`. */
  double(): number {
    return this.raw(8).readDoubleLE(0);
  }

  /** `rdbLoadDoubleValue` (RDB_TYPE_ZSET before binary doubles): a length byte, then text. */
  textDouble(): number {
    const len = this.byte();
    if (len === 255) return -Infinity;
    if (len === 254) return Infinity;
    if (len === 253) return NaN;
    const text = this.raw(len).toString('latin1');
    const x = Number.parseFloat(text);
    if (Number.isNaN(x) && !/^\s*[+-]?nan/i.test(text)) throw BAD_DATA_FORMAT;
    return x;
  }
}
