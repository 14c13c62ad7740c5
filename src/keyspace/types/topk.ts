/**
 * RedisBloom's Top-K (the `TopK-TYPE` module type): HeavyKeeper as RedisBloom 2.8's `topk.c` runs it.
 *
 * - `depth` rows of `width` buckets, each a 32-bit fingerprint and a 32-bit count. Row `i` takes an
 *   item at `MurmurHash2(item, seed i) mod width`; the fingerprint is `MurmurHash2(item, 1919)`.
 * - Adding `n` to an item: an empty bucket takes its fingerprint and `n`; a bucket with its
 *   fingerprint gains `n`; another fingerprint's count decays, one step per unit of `n`, each with
 *   probability `decay^count`, and a bucket decayed to 0 is taken over with the units left. The
 *   module draws those chances from `rand()`. Here each structure draws from its own stream of
 *   the cache's PRNG, seeded from the cache's seed and the key at creation and copied with the
 *   value. Runs then reproduce, and replicas, which replay TOPK.ADD verbatim, keep the same heap.
 *   On a real primary and replica, `rand()` differs.
 * - The top `k` live in a min-heap. When the item's largest bucket count reaches the heap minimum,
 *   it updates its heap entry or replaces the minimum, which is then the expelled item.
 */
import { RedisObject } from '../keyspace.js';
import { murmurHash2 } from './count-min-sketch.js';
import { Rng } from '../../rng.js';

const FINGERPRINT_SEED = 1919;
const DECAY_TABLE = 256;
/** sizeof(TopK), sizeof(Bucket), sizeof(HeapBucket) on a 64-bit build: MEMORY USAGE. */
const TOPK_STRUCT = 2088;
const BUCKET_BYTES = 8;
const HEAP_BUCKET_BYTES = 24;
/** Structures past this size are refused instead of allocated. */
const MAX_TOPK_BYTES = 512 * 1024 * 1024;

interface HeapEntry {
  fp: number;
  item: Buffer | null;
  count: number;
}

export class TopK extends RedisObject {
  readonly type = 'TopK-TYPE';

  private constructor(
    readonly k: number,
    readonly width: number,
    readonly depth: number,
    readonly decay: number,
    readonly fps: Uint32Array,
    readonly counts: Uint32Array,
    readonly heap: HeapEntry[],
    private readonly decayTable: Float64Array,
    private readonly random: Rng,
  ) {
    super();
  }

  /** `TopK_Create`; null when the structure is too large to allocate. `seed` starts its random stream. */
  static create(k: number, width: number, depth: number, decay: number, seed: number): TopK | null {
    const cells = width * depth;
    if (!Number.isSafeInteger(cells) || cells * BUCKET_BYTES + k * HEAP_BUCKET_BYTES > MAX_TOPK_BYTES) return null;
    const table = new Float64Array(DECAY_TABLE);
    for (let i = 0; i < DECAY_TABLE; i++) table[i] = Math.pow(decay, i);
    const heap = Array.from({ length: k }, () => ({ fp: 0, item: null, count: 0 }));
    return new TopK(k, width, depth, decay, new Uint32Array(cells), new Uint32Array(cells), heap, table, new Rng(seed));
  }

  /** `decay^count`, from the table as the module computes it past its end. */
  private decayFor(count: number): number {
    if (count < DECAY_TABLE) return this.decayTable[count];
    const last = DECAY_TABLE - 1;
    return Math.pow(this.decayTable[last], Math.floor(count / last)) * this.decayTable[count % last];
  }

  private heapIndexOf(item: Buffer, fp: number): number {
    for (let i = 0; i < this.k; i++) {
      const e = this.heap[i];
      if (e.item !== null && e.fp === fp && e.item.equals(item)) return i;
    }
    return -1;
  }

  /** The module's `heapifyDown` on the count min-heap (its exact moves, which decide ties). */
  private heapifyDown(start: number): void {
    const a = this.heap;
    const len = this.k;
    if (len < 2 || Math.floor((len - 2) / 2) < start) return;
    let child = 2 * start + 1;
    if (child + 1 < len && a[child].count > a[child + 1].count) child++;
    if (a[child].count > a[start].count) return;
    const top = a[start];
    do {
      a[start] = a[child];
      start = child;
      if (Math.floor((len - 2) / 2) < child) break;
      child = 2 * child + 1;
      if (child + 1 < len && a[child].count > a[child + 1].count) child++;
    } while (a[child].count < top.count);
    a[start] = top;
  }

  /** `TopK_Add`: the item expelled from the top `k`, or null. */
  add(item: Buffer, increment: number): Buffer | null {
    const fp = murmurHash2(item, FINGERPRINT_SEED);
    const heapMin = this.heap[0].count;
    let maxCount = 0;
    for (let row = 0; row < this.depth; row++) {
      const at = row * this.width + (murmurHash2(item, row) % this.width);
      if (this.counts[at] === 0) {
        this.fps[at] = fp;
        this.counts[at] = increment;
        maxCount = Math.max(maxCount, this.counts[at]);
      } else if (this.fps[at] === fp) {
        this.counts[at] += increment;
        maxCount = Math.max(maxCount, this.counts[at]);
      } else {
        for (let left = increment; left > 0; left--) {
          // rand() / RAND_MAX in the module.
          if (this.random.next() < this.decayFor(this.counts[at])) {
            this.counts[at]--;
            if (this.counts[at] === 0) {
              this.fps[at] = fp;
              this.counts[at] = left;
              maxCount = Math.max(maxCount, left);
              break;
            }
          }
        }
      }
    }
    this.resized();
    if (maxCount < heapMin) return null;
    const index = this.heapIndexOf(item, fp);
    if (index >= 0) {
      // Not the larger of the two: the count may have decayed.
      this.heap[index].count = maxCount;
      this.heapifyDown(index);
      return null;
    }
    const expelled = this.heap[0].item;
    this.heap[0] = { fp, item: Buffer.from(item), count: maxCount };
    this.heapifyDown(0);
    return expelled;
  }

  query(item: Buffer): boolean {
    return this.heapIndexOf(item, murmurHash2(item, FINGERPRINT_SEED)) >= 0;
  }

  /** `TopK_Count`: the item's largest bucket count (an estimate, possibly far below the true count). */
  count(item: Buffer): number {
    const fp = murmurHash2(item, FINGERPRINT_SEED);
    const heapMin = this.heap[0].count;
    const inHeap = this.heapIndexOf(item, fp) >= 0;
    let result = 0;
    for (let row = 0; row < this.depth; row++) {
      const at = row * this.width + (murmurHash2(item, row) % this.width);
      if (this.fps[at] === fp && (!inHeap || this.counts[at] >= heapMin)) result = Math.max(result, this.counts[at]);
    }
    return result;
  }

  /** `TopK_List`: the heap's entries with a count, largest first (a stable sort stands in for qsort). */
  list(): Array<{ item: Buffer; count: number }> {
    const sorted = [...this.heap].sort((a, b) => b.count - a.count);
    const out: Array<{ item: Buffer; count: number }> = [];
    for (const e of sorted) {
      if (e.count === 0 || e.item === null) break;
      out.push({ item: e.item, count: e.count });
    }
    return out;
  }

  encoding(): string {
    return 'raw';
  }

  clone(): TopK {
    const heap = this.heap.map((e) => ({ ...e }));
    return new TopK(this.k, this.width, this.depth, this.decay, this.fps.slice(), this.counts.slice(), heap, this.decayTable, this.random.clone());
  }

  /** `TopKMemUsage`. */
  override memoryUsage(): number {
    return TOPK_STRUCT + this.fps.length * BUCKET_BYTES + this.k * HEAP_BUCKET_BYTES;
  }
}
