/**
 * RedisBloom's Cuckoo filter (the `MBbloomCF` module type), laid out as RedisBloom 2.8 lays it out
 * so that bucket placement, counts, CF.INFO figures and SCANDUMP chunks match the module:
 *
 * - an item is hashed once with MurmurHash64A, seed 0; its fingerprint is `hash mod 255 + 1`
 *   (one byte, never 0, which marks an empty slot); its two buckets are `hash` and
 *   `hash ^ (fp · 0x5bd1e995)`, each taken modulo the sub-filter's bucket count;
 * - the first sub-filter has `nextPow2(capacity / bucketSize)` buckets (at least 1), sub-filter
 *   `i` has `expansion^i` times that (the expansion rounded up to a power of two; 0 = never grow);
 * - an insert takes the first free slot of the item's two buckets, newest sub-filter first; if none
 *   is free it kicks fingerprints around the newest sub-filter for at most `maxIterations` moves
 *   (the victim slot advancing one per move, no randomness), undoes the moves when that fails, then
 *   grows (or reports the filter full when the expansion is 0);
 * - a delete removes one copy from the newest sub-filter that has one and, past 10% deletes,
 *   moves fingerprints of later sub-filters back into earlier ones, dropping an emptied last one.
 */
import { RedisObject } from '../keyspace.js';
import { murmurHash64A } from './bloom.js';

const ALT_MULTIPLIER = 0x5bd1e995n;
/** sizeof(CuckooFilter) and sizeof(SubCF) on a 64-bit build: CF.INFO's Size and MEMORY USAGE. */
const FILTER_STRUCT = 40;
const SUBFILTER_STRUCT = 16;
/** The packed CFHeader SCANDUMP sends first: four u64 then three u16. */
export const CF_HEADER_BYTES = 38;
/** Sub-filters past this size are refused instead of allocated (the module would try). */
const MAX_FILTER_BYTES = 512 * 1024 * 1024;

/** What an insert did: the module's `CuckooInsertStatus`. */
export type CuckooInsert = 'inserted' | 'exists' | 'nospace';

/** `getNextN2`: the next power of two (0 stays 0, as the module's bit trick leaves it). */
function nextPow2(n: number): number {
  if (n <= 0) return 0;
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** An item's fingerprint and its two bucket hashes (`LookupParams`). */
interface Lookup {
  readonly fp: number;
  readonly h1: bigint;
  readonly h2: bigint;
}

function altHash(fp: number, index: bigint): bigint {
  return (index ^ (BigInt(fp) * ALT_MULTIPLIER)) & 0xffffffffffffffffn;
}

function lookupOf(item: Uint8Array): Lookup {
  const hash = murmurHash64A(item, 0n);
  const fp = Number(hash % 255n) + 1;
  return { fp, h1: hash, h2: altHash(fp, hash) };
}

/** One sub-filter: `numBuckets` buckets of `bucketSize` one-byte slots. */
export class SubCuckoo {
  constructor(
    readonly numBuckets: number,
    readonly bucketSize: number,
    readonly data: Uint8Array,
  ) {}

  static create(numBuckets: number, bucketSize: number): SubCuckoo | null {
    const bytes = numBuckets * bucketSize;
    if (!Number.isSafeInteger(bytes) || bytes > MAX_FILTER_BYTES || numBuckets > 0xffffffff) return null;
    return new SubCuckoo(numBuckets, bucketSize, new Uint8Array(bytes));
  }

  /** The first slot of the bucket a hash picks (`SubCF_GetIndex`). */
  bucketAt(hash: bigint): number {
    return Number(hash % BigInt(this.numBuckets)) * this.bucketSize;
  }

  private slotWith(at: number, fp: number): number {
    for (let i = 0; i < this.bucketSize; i++) if (this.data[at + i] === fp) return at + i;
    return -1;
  }

  find(p: Lookup): boolean {
    return this.slotWith(this.bucketAt(p.h1), p.fp) >= 0 || this.slotWith(this.bucketAt(p.h2), p.fp) >= 0;
  }

  /** An empty slot in either of the item's buckets, or -1. */
  freeSlot(p: Lookup): number {
    const a = this.slotWith(this.bucketAt(p.h1), 0);
    return a >= 0 ? a : this.slotWith(this.bucketAt(p.h2), 0);
  }

  count(p: Lookup): number {
    let n = 0;
    for (const at of [this.bucketAt(p.h1), this.bucketAt(p.h2)]) {
      for (let i = 0; i < this.bucketSize; i++) if (this.data[at + i] === p.fp) n++;
    }
    return n;
  }

  delete(p: Lookup): boolean {
    for (const at of [this.bucketAt(p.h1), this.bucketAt(p.h2)]) {
      const slot = this.slotWith(at, p.fp);
      if (slot >= 0) {
        this.data[slot] = 0;
        return true;
      }
    }
    return false;
  }

  clone(): SubCuckoo {
    return new SubCuckoo(this.numBuckets, this.bucketSize, this.data.slice());
  }
}

/** A RedisBloom Cuckoo filter (the module's `CuckooFilter`). */
export class CuckooFilter extends RedisObject {
  readonly type = 'MBbloomCF';
  numItems = 0;
  numDeletes = 0;

  private constructor(
    /** Buckets of the first sub-filter (CF.INFO's "Number of buckets"). */
    readonly numBuckets: number,
    readonly bucketSize: number,
    readonly maxIterations: number,
    /** The growth factor, a power of two; 0 means the filter never grows. */
    readonly expansion: number,
    readonly filters: SubCuckoo[],
  ) {
    super();
  }

  /** `CuckooFilter_Init`: null when the first sub-filter is too large to allocate. */
  static create(capacity: number, bucketSize: number, maxIterations: number, expansion: number): CuckooFilter | null {
    const numBuckets = Math.max(1, nextPow2(Math.floor(capacity / bucketSize)));
    const cf = new CuckooFilter(numBuckets, bucketSize, maxIterations, nextPow2(expansion), []);
    return cf.grow() ? cf : null;
  }

  /** Adds a sub-filter of `expansion^n` times the first one's buckets (`CuckooFilter_Grow`). */
  private grow(): boolean {
    const sub = SubCuckoo.create(this.numBuckets * this.expansion ** this.filters.length, this.bucketSize);
    if (sub === null) return false;
    this.filters.push(sub);
    return true;
  }

  has(item: Uint8Array): boolean {
    const p = lookupOf(item);
    return this.filters.some((f) => f.find(p));
  }

  count(item: Uint8Array): number {
    const p = lookupOf(item);
    let n = 0;
    for (const f of this.filters) n += f.count(p);
    return n;
  }

  /** `CuckooFilter_Insert` (or `_InsertUnique` when `unique`). */
  insert(item: Uint8Array, unique: boolean): CuckooInsert {
    const p = lookupOf(item);
    if (unique && this.filters.some((f) => f.find(p))) return 'exists';
    const result = this.insertLookup(p);
    if (result === 'inserted') this.resized();
    return result;
  }

  private insertLookup(p: Lookup): CuckooInsert {
    for (;;) {
      for (let i = this.filters.length - 1; i >= 0; i--) {
        const slot = this.filters[i].freeSlot(p);
        if (slot >= 0) {
          this.filters[i].data[slot] = p.fp;
          this.numItems++;
          return 'inserted';
        }
      }
      if (this.kickOut(this.filters[this.filters.length - 1], p)) {
        this.numItems++;
        return 'inserted';
      }
      if (this.expansion === 0 || !this.grow()) return 'nospace';
    }
  }

  /** `Filter_KOInsert`: relocate fingerprints until one lands in a free slot; undo on failure. */
  private kickOut(sub: SubCuckoo, p: Lookup): boolean {
    const n = BigInt(sub.numBuckets);
    const size = this.bucketSize;
    let fp = p.fp;
    let victim = 0;
    let ii = p.h1 % n;
    const swap = (at: number): void => {
      const old = sub.data[at];
      sub.data[at] = fp;
      fp = old;
    };
    for (let counter = 0; counter < this.maxIterations; counter++) {
      swap(Number(ii) * size + victim);
      ii = altHash(fp, ii) % n;
      const base = Number(ii) * size;
      for (let s = 0; s < size; s++) {
        if (sub.data[base + s] === 0) {
          sub.data[base + s] = fp;
          return true;
        }
      }
      victim = (victim + 1) % size;
    }
    for (let counter = 0; counter < this.maxIterations; counter++) {
      victim = (victim + size - 1) % size;
      ii = altHash(fp, ii) % n;
      swap(Number(ii) * size + victim);
    }
    return false;
  }

  /** `CuckooFilter_Delete`: true when a copy of the fingerprint was removed. */
  delete(item: Uint8Array): boolean {
    const p = lookupOf(item);
    for (let i = this.filters.length - 1; i >= 0; i--) {
      if (!this.filters[i].delete(p)) continue;
      this.numItems--;
      this.numDeletes++;
      if (this.filters.length > 1 && this.numDeletes > this.numItems * 0.1) this.compact(false);
      this.resized();
      return true;
    }
    return false;
  }

  /** `CuckooFilter_Compact`: move fingerprints to earlier sub-filters, drop an emptied last one. */
  compact(keepGoing: boolean): void {
    for (let i = this.filters.length - 1; i >= 1; i--) {
      if (!this.compactSingle(i) && !keepGoing) break;
    }
    this.numDeletes = 0;
  }

  private compactSingle(index: number): boolean {
    const sub = this.filters[index];
    let ok = true;
    for (let bucket = 0; bucket < sub.numBuckets; bucket++) {
      for (let s = 0; s < sub.bucketSize; s++) {
        const at = bucket * sub.bucketSize + s;
        const fp = sub.data[at];
        if (fp === 0) continue;
        // The bucket index stands in for the hash: earlier sub-filters have no more buckets.
        const p: Lookup = { fp, h1: BigInt(bucket), h2: altHash(fp, BigInt(bucket)) };
        let moved = false;
        for (let j = 0; j < index && !moved; j++) {
          const slot = this.filters[j].freeSlot(p);
          if (slot >= 0) {
            this.filters[j].data[slot] = fp;
            sub.data[at] = 0;
            moved = true;
          }
        }
        if (!moved) ok = false;
      }
    }
    if (ok && index === this.filters.length - 1) this.filters.pop();
    return ok;
  }

  /** `CFSize` / `CFMemUsage`: CF.INFO's Size. */
  bytes(): number {
    let total = FILTER_STRUCT + SUBFILTER_STRUCT * this.filters.length;
    for (const f of this.filters) total += f.data.length;
    return total;
  }

  encoding(): string {
    return 'raw';
  }

  clone(): CuckooFilter {
    const copy = new CuckooFilter(this.numBuckets, this.bucketSize, this.maxIterations, this.expansion, this.filters.map((f) => f.clone()));
    copy.numItems = this.numItems;
    copy.numDeletes = this.numDeletes;
    return copy;
  }

  override memoryUsage(): number {
    return this.bytes();
  }

  // ---- CF.SCANDUMP / CF.LOADCHUNK -----------------------------------------------------------------

  /** The packed `CFHeader` (little-endian). */
  encodeHeader(): Buffer {
    const out = Buffer.alloc(CF_HEADER_BYTES);
    out.writeBigUInt64LE(BigInt(this.numItems), 0);
    out.writeBigUInt64LE(BigInt(this.numBuckets), 8);
    out.writeBigUInt64LE(BigInt(this.numDeletes), 16);
    out.writeBigUInt64LE(BigInt(this.filters.length), 24);
    out.writeUInt16LE(this.bucketSize, 32);
    out.writeUInt16LE(this.maxIterations, 34);
    out.writeUInt16LE(this.expansion, 36);
    return out;
  }

  /** `CFHeader_Load`: empty sub-filters from a header; null for parameters the module refuses. */
  static fromHeader(buf: Buffer): CuckooFilter | null {
    const numItems = buf.readBigUInt64LE(0);
    const numBuckets = Number(buf.readBigUInt64LE(8));
    const numDeletes = buf.readBigUInt64LE(16);
    const numFilters = Number(buf.readBigUInt64LE(24));
    const bucketSize = buf.readUInt16LE(32);
    const maxIterations = buf.readUInt16LE(34);
    const expansion = buf.readUInt16LE(36);
    if (numBuckets < 1 || nextPow2(numBuckets) !== numBuckets || bucketSize < 1 || bucketSize > 255 || maxIterations < 1) return null;
    if (numFilters < 1 || numFilters > 0xffff || (expansion !== 0 && nextPow2(expansion) !== expansion) || (expansion === 0 && numFilters > 1)) return null;
    if (numItems > BigInt(Number.MAX_SAFE_INTEGER) || numDeletes > BigInt(Number.MAX_SAFE_INTEGER)) return null;
    const cf = new CuckooFilter(numBuckets, bucketSize, maxIterations, expansion, []);
    let total = 0;
    for (let i = 0; i < numFilters; i++) {
      if (!cf.grow()) return null;
      total += cf.filters[i].data.length;
      if (total > MAX_FILTER_BYTES) return null;
    }
    cf.numItems = Number(numItems);
    cf.numDeletes = Number(numDeletes);
    return cf;
  }

  /** The sub-filter and offset a 1-based byte position points into. */
  private locate(pos: number): { sub: SubCuckoo; offset: number } | null {
    let offset = pos - 1;
    for (const sub of this.filters) {
      if (offset < sub.data.length) return { sub, offset };
      offset -= sub.data.length;
    }
    return null;
  }

  /** `CF_GetEncodedChunk`: the next position and the bytes at `pos` (≥ 1), or null at the end. */
  chunk(pos: number, limit: number): { next: number; data: Buffer } | null {
    const at = this.locate(pos);
    if (at === null) return null;
    const { sub, offset } = at;
    // A sub-filter within the limit is sent whole, from its start, as the module does.
    if (sub.data.length <= limit) return { next: pos + sub.data.length, data: Buffer.from(sub.data) };
    const len = Math.min(limit, sub.data.length - offset);
    return { next: pos + len, data: Buffer.from(sub.data.subarray(offset, offset + len)) };
  }

  /** `CF_LoadEncodedChunk`: false when the chunk does not fit the filter. */
  loadChunk(pos: number, data: Buffer): boolean {
    if (data.length === 0 || pos - data.length < 1) return false;
    const at = this.locate(pos - data.length);
    if (at === null || data.length > at.sub.data.length - at.offset) return false;
    at.sub.data.set(data, at.offset);
    return true;
  }
}
