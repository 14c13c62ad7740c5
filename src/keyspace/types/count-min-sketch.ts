/**
 * RedisBloom's Count-Min Sketch (the `CMSk-TYPE` module type), as RedisBloom 2.8 keeps it:
 * `depth` rows of `width` unsigned 32-bit counters; row `i` counts an item at
 * `MurmurHash2(item, seed i) mod width`. Counters saturate at 2^32 − 1 (an increment that reaches it
 * is reported as an overflow); the total count is a 64-bit unsigned sum of the increments.
 */
import { RedisObject } from '../keyspace.js';

const UINT32_MAX = 0xffffffff;
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);
const UINT64_MASK = (1n << 64n) - 1n;
/** Sketches past this size are refused instead of allocated (the module would try). */
const MAX_SKETCH_BYTES = 512 * 1024 * 1024;
const M32 = 0x5bd1e995;

/** Austin Appleby's 32-bit MurmurHash2 (little-endian blocks), as RedisBloom's contrib copy. */
export function murmurHash2(data: Uint8Array, seed: number): number {
  let len = data.length;
  let h = (seed ^ len) >>> 0;
  let at = 0;
  while (len >= 4) {
    let k = (data[at] | (data[at + 1] << 8) | (data[at + 2] << 16) | (data[at + 3] << 24)) >>> 0;
    k = Math.imul(k, M32);
    k ^= k >>> 24;
    k = Math.imul(k, M32);
    h = Math.imul(h, M32) ^ k;
    at += 4;
    len -= 4;
  }
  // The tail bytes, as the reference's fall-through switch takes them.
  if (len > 0) {
    if (len === 3) h ^= data[at + 2] << 16;
    if (len >= 2) h ^= data[at + 1] << 8;
    h ^= data[at];
    h = Math.imul(h, M32);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M32);
  h ^= h >>> 15;
  return h >>> 0;
}

/** `CMS_DimFromProb`: width `ceil(2 / error)`, depth `ceil(log10f(prob) / log10f(0.5))` in single precision. */
export function dimensionsFromProbability(error: number, probability: number): { width: number; depth: number } {
  const f = Math.fround;
  const depth = Math.ceil(f(f(Math.log10(f(probability))) / f(Math.log10(0.5))));
  return { width: Math.ceil(2 / error), depth };
}

export class CountMinSketch extends RedisObject {
  readonly type = 'CMSk-TYPE';
  /** The sum of all increments (`counter`, a size_t). */
  counter = 0n;

  private constructor(
    readonly width: number,
    readonly depth: number,
    readonly cells: Uint32Array,
  ) {
    super();
  }

  /** A sketch of `width × depth` zero counters, or null when too large to allocate. */
  static create(width: number, depth: number): CountMinSketch | null {
    const cells = width * depth;
    if (!Number.isSafeInteger(cells) || cells * 4 > MAX_SKETCH_BYTES) return null;
    return new CountMinSketch(width, depth, new Uint32Array(cells));
  }

  private cellOf(item: Uint8Array, row: number): number {
    return (murmurHash2(item, row) % this.width) + row * this.width;
  }

  /** `CMS_IncrBy`: the item's new estimate; 2^32 − 1 when a counter saturated. */
  incrBy(item: Uint8Array, value: bigint): number {
    let min = Infinity;
    for (let row = 0; row < this.depth; row++) {
      const at = this.cellOf(item, row);
      const sum = BigInt(this.cells[at]) + value;
      this.cells[at] = sum > BigInt(UINT32_MAX) ? UINT32_MAX : Number(sum);
      min = Math.min(min, this.cells[at]);
    }
    this.counter = (this.counter + value) & UINT64_MASK;
    this.resized();
    return min;
  }

  query(item: Uint8Array): number {
    let min = Infinity;
    for (let row = 0; row < this.depth; row++) min = Math.min(min, this.cells[this.cellOf(item, row)]);
    return min;
  }

  /** The total count as the module replies it (a long long). */
  count(): bigint {
    return BigInt.asIntN(64, this.counter);
  }

  /**
   * `CMS_Merge` into this sketch: each cell becomes the weighted sum of the sources' cells. False
   * (and nothing changed) when a cell would leave 0…2^32 − 1 or the total would overflow or be negative.
   */
  merge(sources: readonly CountMinSketch[], weights: readonly bigint[]): boolean {
    const merged = new Uint32Array(this.cells.length);
    for (let at = 0; at < merged.length; at++) {
      let sum = 0n;
      for (let k = 0; k < sources.length; k++) {
        const product = BigInt(sources[k].cells[at]) * weights[k];
        sum += product;
        if (product > INT64_MAX || product < INT64_MIN || sum > INT64_MAX || sum < INT64_MIN) return false;
      }
      if (sum < 0n || sum > BigInt(UINT32_MAX)) return false;
      merged[at] = Number(sum);
    }
    let total = 0n;
    for (let k = 0; k < sources.length; k++) {
      const product = sources[k].counter * weights[k];
      total += product;
      if (product > INT64_MAX || product < INT64_MIN || total > INT64_MAX || total < INT64_MIN) return false;
    }
    if (total < 0n) return false;
    this.cells.set(merged);
    this.counter = total;
    this.resized();
    return true;
  }

  encoding(): string {
    return 'raw';
  }

  clone(): CountMinSketch {
    const copy = new CountMinSketch(this.width, this.depth, this.cells.slice());
    copy.counter = this.counter;
    return copy;
  }

  /** `CMSMemUsage`: `sizeof(cms)` (a pointer's 8 bytes, as the module writes it) plus 8 bytes per counter. */
  override memoryUsage(): number {
    return 8 + this.cells.length * 8;
  }
}
