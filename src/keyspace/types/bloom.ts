/**
 * RedisBloom's scalable Bloom filter (the `MBbloom--` module type), laid out as RedisBloom 2.8
 * lays it out so that sizes, capacities, answers and SCANDUMP chunks match the module:
 *
 * - each item is hashed with MurmurHash64A twice (seed `0xc6a4a7935bd1e995`, then the first hash
 *   as the seed of the second); bit `i` of `k` is `(a + i·b) mod 2^64 mod bits`;
 * - a sub-filter for `n` entries at error `e` has `bpe = -ln(e) / ln(2)^2` bits per entry,
 *   `floor(n·bpe)` bits rounded up to whole 64-bit words, and `ceil(ln(2)·bpe)` hashes (the module
 *   creates filters with `NOROUND | FORCE64`, so bit counts are not powers of two);
 * - a scaling chain starts at half the requested error; when the newest sub-filter holds its
 *   `entries`, a new one is added with `entries·expansion` entries and half the error.
 *
 * `BF.INFO`'s Size is the module's `BFMemUsage`: the chain header (32 bytes), 64 bytes per
 * sub-filter struct and each sub-filter's bit array.
 */
import { RedisObject } from '../keyspace.js';

const M64 = 0xc6a4a7935bd1e995n;
const MASK64 = (1n << 64n) - 1n;
const LN2 = 0.693147180559945;
/** ln(2)², as the module writes it. */
const LN2_SQUARED = 0.480453013918201;
/** The error of each new sub-filter relative to the previous one (and of the first to the requested one). */
const TIGHTENING = 0.5;

/** The module's option bits (bloom.h), kept for SCANDUMP headers. */
export const BLOOM_OPT_NOROUND = 1;
export const BLOOM_OPT_FORCE64 = 4;
export const BLOOM_OPT_NO_SCALING = 8;

/** sizeof(SBChain), sizeof(SBLink) on a 64-bit build: BF.INFO Size and MEMORY USAGE. */
const CHAIN_STRUCT = 32;
const LINK_STRUCT = 64;
/** A SCANDUMP header: the packed chain header and one packed link record per sub-filter. */
const HEADER_BYTES = 20;
const LINK_RECORD_BYTES = 53;
/** BF.SCANDUMP's largest data chunk (MAX_SCANDUMP_SIZE). */
export const MAX_SCANDUMP_CHUNK = 16 * 1024 * 1024;
/** Bit arrays past this size are refused instead of allocated (the module would try and likely fail). */
const MAX_FILTER_BYTES = 512 * 1024 * 1024;

/** MurmurHash64A (Austin Appleby's 64-bit MurmurHash2), little-endian blocks. */
export function murmurHash64A(data: Uint8Array, seed: bigint): bigint {
  const len = data.length;
  let h = (seed ^ ((BigInt(len) * M64) & MASK64)) & MASK64;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const blocks = len >> 3;
  for (let i = 0; i < blocks; i++) {
    let k = view.getBigUint64(i * 8, true);
    k = (k * M64) & MASK64;
    k ^= k >> 47n;
    k = (k * M64) & MASK64;
    h ^= k;
    h = (h * M64) & MASK64;
  }
  const tail = blocks * 8;
  const rest = len & 7;
  if (rest > 0) {
    for (let i = rest - 1; i >= 0; i--) h ^= BigInt(data[tail + i]) << BigInt(8 * i);
    h = (h * M64) & MASK64;
  }
  h ^= h >> 47n;
  h = (h * M64) & MASK64;
  h ^= h >> 47n;
  return h;
}

/** The two 64-bit hashes an item's bit positions derive from (`bloom_calc_hash64`). */
export interface BloomHash {
  readonly a: bigint;
  readonly b: bigint;
}

export function bloomHash(item: Uint8Array): BloomHash {
  const a = murmurHash64A(item, M64);
  return { a, b: murmurHash64A(item, a) };
}

/** One sub-filter (the module's `struct bloom` plus its SBLink item count). */
export class BloomLink {
  /** Items added to this sub-filter (`SBLink.size`). */
  size = 0;
  constructor(
    /** Items it is sized for (`entries`): the capacity BF.INFO adds up. */
    readonly entries: number,
    readonly error: number,
    readonly bpe: number,
    readonly hashes: number,
    /** Bits in the array (always `bytes · 8`). */
    readonly bits: number,
    readonly bf: Uint8Array,
  ) {}

  /** `bloom_init` with `NOROUND`; null when the parameters are refused. */
  static create(entries: number, error: number): BloomLink | null {
    if (entries < 1 || !(error > 0) || error >= 1) return null;
    const bpe = Math.abs(-(Math.log(error) / LN2_SQUARED));
    let bits = Math.floor(entries * bpe);
    if (bits === 0) bits = 1;
    const bytes = bits % 64 !== 0 ? (Math.floor(bits / 64) + 1) * 8 : bits / 8;
    if (!Number.isSafeInteger(bytes) || bytes > MAX_FILTER_BYTES) return null;
    return new BloomLink(entries, error, bpe, Math.ceil(LN2 * bpe), bytes * 8, new Uint8Array(bytes));
  }

  /** Whether every bit of the item is set. */
  has(hash: BloomHash): boolean {
    const mod = BigInt(this.bits);
    for (let i = 0; i < this.hashes; i++) {
      const x = Number(((hash.a + BigInt(i) * hash.b) & MASK64) % mod);
      if ((this.bf[x >> 3] & (1 << (x & 7))) === 0) return false;
    }
    return true;
  }

  /** Sets the item's bits; true when one of them was not set before. */
  set(hash: BloomHash): boolean {
    const mod = BigInt(this.bits);
    let changed = false;
    for (let i = 0; i < this.hashes; i++) {
      const x = Number(((hash.a + BigInt(i) * hash.b) & MASK64) % mod);
      const mask = 1 << (x & 7);
      if ((this.bf[x >> 3] & mask) === 0) {
        this.bf[x >> 3] |= mask;
        changed = true;
      }
    }
    return changed;
  }

  clone(): BloomLink {
    const copy = new BloomLink(this.entries, this.error, this.bpe, this.hashes, this.bits, this.bf.slice());
    copy.size = this.size;
    return copy;
  }
}

/** What {@link ScalingBloom.add} did with an item. */
export type BloomAdd = 'added' | 'exists' | 'full';

/** A RedisBloom filter: a chain of sub-filters (the module's `SBChain`). */
export class ScalingBloom extends RedisObject {
  readonly type = 'MBbloom--';
  /** Items added over all sub-filters (BF.CARD, BF.INFO's "Number of items inserted"). */
  size = 0;

  private constructor(
    readonly options: number,
    /** The expansion rate (`growth`). */
    readonly growth: number,
    readonly links: BloomLink[],
  ) {
    super();
  }

  /** `SB_NewChain`: null when the first sub-filter cannot be created. */
  static create(capacity: number, errorRate: number, expansion: number, nonScaling: boolean): ScalingBloom | null {
    const first = BloomLink.create(capacity, nonScaling ? errorRate : errorRate * TIGHTENING);
    if (first === null) return null;
    const options = BLOOM_OPT_NOROUND | BLOOM_OPT_FORCE64 | (nonScaling ? BLOOM_OPT_NO_SCALING : 0);
    return new ScalingBloom(options, expansion, [first]);
  }

  get nonScaling(): boolean {
    return (this.options & BLOOM_OPT_NO_SCALING) !== 0;
  }

  /** Capacity: the sum of the sub-filters' entries. */
  capacity(): number {
    let total = 0;
    for (const link of this.links) total += link.entries;
    return total;
  }

  /** The module's `BFMemUsage`: BF.INFO's Size. */
  bytes(): number {
    let total = CHAIN_STRUCT;
    for (const link of this.links) total += LINK_STRUCT + link.bf.length;
    return total;
  }

  has(item: Uint8Array): boolean {
    const hash = bloomHash(item);
    for (let i = this.links.length - 1; i >= 0; i--) if (this.links[i].has(hash)) return true;
    return false;
  }

  /** `SBChain_Add`: an item already seen is `exists`; a full non-scaling filter is `full`. */
  add(item: Uint8Array): BloomAdd {
    const hash = bloomHash(item);
    for (let i = this.links.length - 1; i >= 0; i--) if (this.links[i].has(hash)) return 'exists';
    let current = this.links[this.links.length - 1];
    if (current.size >= current.entries) {
      if (this.nonScaling) return 'full';
      const next = BloomLink.create(current.entries * this.growth, current.error * TIGHTENING);
      if (next === null) return 'full';
      this.links.push(next);
      current = next;
    }
    if (!current.set(hash)) return 'exists';
    current.size++;
    this.size++;
    this.resized();
    return 'added';
  }

  encoding(): string {
    return 'raw';
  }

  clone(): ScalingBloom {
    const copy = new ScalingBloom(this.options, this.growth, this.links.map((l) => l.clone()));
    copy.size = this.size;
    return copy;
  }

  override memoryUsage(): number {
    return this.bytes();
  }

  // ---- BF.SCANDUMP / BF.LOADCHUNK ---------------------------------------------------------------

  /** The packed header SCANDUMP sends first (`dumpedChainHeader` and its link records, little-endian). */
  encodeHeader(): Buffer {
    const out = Buffer.alloc(HEADER_BYTES + LINK_RECORD_BYTES * this.links.length);
    out.writeBigUInt64LE(BigInt(this.size), 0);
    out.writeUInt32LE(this.links.length, 8);
    out.writeUInt32LE(this.options, 12);
    out.writeUInt32LE(this.growth >>> 0, 16);
    let at = HEADER_BYTES;
    for (const link of this.links) {
      out.writeBigUInt64LE(BigInt(link.bf.length), at);
      out.writeBigUInt64LE(BigInt(link.bits), at + 8);
      out.writeBigUInt64LE(BigInt(link.size), at + 16);
      out.writeDoubleLE(link.error, at + 24);
      out.writeDoubleLE(link.bpe, at + 32);
      out.writeUInt32LE(link.hashes, at + 40);
      out.writeBigUInt64LE(BigInt(link.entries), at + 44);
      out.writeUInt8(0, at + 52); // n2: 0, the bit count is not a power of two
      at += LINK_RECORD_BYTES;
    }
    return out;
  }

  /** A filter with empty bit arrays from a SCANDUMP header; null for data the module refuses. */
  static fromHeader(buf: Buffer): ScalingBloom | null {
    if (buf.length < HEADER_BYTES) return null;
    const nfilters = buf.readUInt32LE(8);
    if (nfilters === 0 || buf.length !== HEADER_BYTES + LINK_RECORD_BYTES * nfilters) return null;
    const options = buf.readUInt32LE(12);
    if ((options & ~(BLOOM_OPT_NOROUND | 2 | BLOOM_OPT_FORCE64 | BLOOM_OPT_NO_SCALING)) !== 0) return null;
    const links: BloomLink[] = [];
    let total = 0;
    for (let i = 0, at = HEADER_BYTES; i < nfilters; i++, at += LINK_RECORD_BYTES) {
      const bytes = Number(buf.readBigUInt64LE(at));
      const bits = Number(buf.readBigUInt64LE(at + 8));
      const size = Number(buf.readBigUInt64LE(at + 16));
      const error = buf.readDoubleLE(at + 24);
      const bpe = buf.readDoubleLE(at + 32);
      const hashes = buf.readUInt32LE(at + 40);
      const entries = Number(buf.readBigUInt64LE(at + 44));
      const n2 = buf.readUInt8(at + 52);
      // bloom_validate_integrity (bit arrays addressed by power-of-two sizes are not produced here).
      if (!(error > 0) || error >= 1 || n2 !== 0 || bits === 0 || bits !== bytes * 8 || hashes !== Math.ceil(LN2 * bpe)) return null;
      if (bytes > MAX_FILTER_BYTES) return null;
      const link = new BloomLink(entries, error, bpe, hashes, bits, new Uint8Array(bytes));
      link.size = size;
      total += size;
      links.push(link);
    }
    const sb = new ScalingBloom(options, buf.readUInt32LE(16), links);
    sb.size = Number(buf.readBigUInt64LE(0));
    if (sb.size !== total) return null;
    return sb;
  }

  /** The sub-filter and offset a 1-based byte iterator points into (`getLinkPos`). */
  private linkAt(iter: number): { link: BloomLink; offset: number } | null {
    if (iter < 1) return null;
    let pos = iter - 1;
    for (const link of this.links) {
      if (pos < link.bf.length) return { link, offset: pos };
      pos -= link.bf.length;
    }
    return null;
  }

  /** SCANDUMP's data chunk at `iter` (≥ 1): the next iterator and the bytes, or null at the end. */
  chunk(iter: number): { next: number; data: Buffer } | null {
    const at = this.linkAt(iter);
    if (at === null) return null;
    const len = Math.min(MAX_SCANDUMP_CHUNK, at.link.bf.length - at.offset);
    return { next: iter + len, data: Buffer.from(at.link.bf.subarray(at.offset, at.offset + len)) };
  }

  /** LOADCHUNK of a data chunk: the error text when the module refuses it, else null. */
  loadChunk(iter: number, data: Buffer): string | null {
    if (iter <= 0 || iter < data.length) return 'ERR received bad data';
    const at = this.linkAt(iter - data.length);
    if (at === null) return 'ERR invalid offset - no link found';
    if (data.length > at.link.bf.length - at.offset) return 'ERR invalid chunk - Too big for current filter';
    at.link.bf.set(data, at.offset);
    return null;
  }
}
