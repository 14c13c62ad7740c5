/**
 * RedisBloom's t-digest (the `TDIS-TYPE` module type): the merging digest of the t-digest-c library
 * RedisBloom 2.8 vendors (`deps/t-digest-c/src/tdigest.c`), step for step, so that answers match
 * the module's to the last bit.
 *
 * - Two parallel arrays of `cap = 6·compression + 10` slots hold centroids (mean, weight): the
 *   merged ones first, then a buffer of unmerged points. ADD appends to the buffer; when the
 *   arrays are one short of full the buffer is merged in (`td_compress`).
 * - A merge sorts every slot by mean (the library's own quicksort: its order of equal means decides
 *   which weights meet, so it is reproduced, not replaced by Array#sort) and sweeps left to right,
 *   folding a neighbour into the current centroid while the combined weight `w` keeps
 *   `w · compression / (2π·n·ln n) ≤ q(1−q)` at both ends of the centroid (q: its quantile
 *   bounds), the scale function of the library.
 * - Queries merge first (`td_compress`), so reads change the merged/unmerged counts TDIGEST.INFO
 *   shows, as they do in the module.
 * - RedisBloom 2.8's library leaves a digest of total weight 1 unmerged (`total_weight <= 1`
 *   returns before merging): a digest of one observation answers `nan` to QUANTILE, CDF and
 *   TRIMMED_MEAN (RedisBloom issue #870, fixed after 2.8). That is reproduced.
 *
 * Weights are the library's `long long`; here they are doubles, exact up to 2^53 (a digest reaches
 * that only by merging into itself some 40 times).
 */
import { RedisObject } from '../keyspace.js';

/** `LLONG_MAX` as a double (2^63): a weight sum reaching it overflows the library's `long long`. */
const LLONG_LIMIT = 2 ** 63;
/** Digests past this size are refused (the module would try to allocate them). */
const MAX_DIGEST_BYTES = 512 * 1024 * 1024;

export class TDigest extends RedisObject {
  readonly type = 'TDIS-TYPE';
  /** Smallest and largest value added; `DBL_MAX` / `-DBL_MAX` while empty (`td_reset`). */
  min = Number.MAX_VALUE;
  max = -Number.MAX_VALUE;
  mergedNodes = 0;
  unmergedNodes = 0;
  mergedWeight = 0;
  unmergedWeight = 0;
  totalCompressions = 0;

  private constructor(
    /** The compression parameter (δ), a positive integer. */
    readonly compression: number,
    /** Slots for centroids, merged and unmerged (`6·δ + 10`). */
    readonly cap: number,
    readonly means: Float64Array,
    readonly weights: Float64Array,
  ) {
    super();
  }

  /** `td_init`: an empty digest, or null when it cannot be allocated. */
  static create(compression: number): TDigest | null {
    const cap = 6 * Math.floor(compression) + 10;
    if (!(compression >= 1) || !Number.isSafeInteger(cap) || cap * 16 > MAX_DIGEST_BYTES) return null;
    return new TDigest(compression, cap, new Float64Array(cap), new Float64Array(cap));
  }

  /** `td_reset`: empty again (the slots keep their stale contents, as in the library). */
  reset(): void {
    this.min = Number.MAX_VALUE;
    this.max = -Number.MAX_VALUE;
    this.mergedNodes = 0;
    this.mergedWeight = 0;
    this.unmergedNodes = 0;
    this.unmergedWeight = 0;
    this.totalCompressions = 0;
  }

  /** `td_size`: the number of observations. */
  size(): number {
    return this.mergedWeight + this.unmergedWeight;
  }

  /** `td_add`: buffers `value` with `weight`; false when a weight sum would overflow (EDOM). */
  add(value: number, weight: number): boolean {
    if (this.mergedNodes + this.unmergedNodes >= this.cap - 1) this.compress();
    const pos = this.mergedNodes + this.unmergedNodes;
    if (pos >= this.cap) return false;
    const unmerged = this.unmergedWeight + weight;
    if (unmerged >= LLONG_LIMIT || unmerged + this.mergedWeight >= LLONG_LIMIT) return false;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.means[pos] = value;
    this.weights[pos] = weight;
    this.unmergedNodes++;
    this.unmergedWeight = unmerged;
    return true;
  }

  /** `td_merge`: adds every centroid of `from` (both merged first); false on overflow. */
  mergeFrom(from: TDigest): boolean {
    this.compress();
    from.compress();
    const count = from.mergedNodes + from.unmergedNodes;
    for (let i = 0; i < count; i++) {
      if (!this.add(from.means[i], from.weights[i])) return false;
    }
    return true;
  }

  /** `td_compress`: merges the buffer into the centroids. */
  compress(): void {
    if (this.unmergedNodes === 0) return;
    const n = this.mergedNodes + this.unmergedNodes;
    sortByMean(this.means, this.weights, n);
    const total = this.mergedWeight + this.unmergedWeight;
    // The 2.8 library's early return: one observation stays in the buffer (see the file comment).
    if (total <= 1) return;
    const normalizer = this.compression / (2 * Math.PI * total * Math.log(total));
    const means = this.means;
    const weights = this.weights;
    let cur = 0;
    let weightSoFar = 0;
    for (let i = 1; i < n; i++) {
      const proposed = weights[cur] + weights[i];
      const z = proposed * normalizer;
      const q0 = weightSoFar / total;
      const q2 = (weightSoFar + proposed) / total;
      if (z <= q0 * (1 - q0) && z <= q2 * (1 - q2)) {
        weights[cur] += weights[i];
        means[cur] += ((means[i] - means[cur]) * weights[i]) / weights[cur];
      } else {
        weightSoFar += weights[cur];
        cur++;
        weights[cur] = weights[i];
        means[cur] = means[i];
      }
      if (cur !== i) {
        weights[i] = 0;
        means[i] = 0;
      }
    }
    this.mergedNodes = cur + 1;
    this.mergedWeight = total;
    this.unmergedNodes = 0;
    this.unmergedWeight = 0;
    this.totalCompressions++;
  }

  /** `td_cdf`: the estimated fraction of observations below `value` (plus half of those equal). */
  cdf(value: number): number {
    this.compress();
    const n = this.mergedNodes;
    if (n === 0) return NaN;
    if (value < this.min) return 0;
    if (value > this.max) return 1;
    if (n === 1) {
      const width = this.max - this.min;
      return value - this.min <= width ? 0.5 : (value - this.min) / width;
    }
    const means = this.means;
    const weights = this.weights;
    const total = this.mergedWeight;
    if (value < means[0]) {
      const width = means[0] - this.min;
      if (!(width > 0)) return 0;
      if (value === this.min) return 0.5 / total;
      return (1 + ((value - this.min) / width) * (weights[0] / 2 - 1)) / total;
    }
    if (value > means[n - 1]) {
      const width = this.max - means[n - 1];
      if (!(width > 0)) return 1;
      if (value === this.max) return 1 - 0.5 / total;
      return 1 - (1 + ((this.max - value) / width) * (weights[n - 1] / 2 - 1)) / total;
    }
    let weightSoFar = 0;
    for (let it = 0; it < n - 1; it++) {
      if (means[it] === value) {
        // One or more centroids exactly at the value count as one.
        let dw = 0;
        while (it < n && means[it] === value) dw += weights[it++];
        return (weightSoFar + dw / 2) / total;
      }
      if (means[it] <= value && value < means[it + 1]) {
        const left = weights[it];
        const right = weights[it + 1];
        const dw = (left + right) / 2;
        if (!(means[it + 1] - means[it] > 0)) return (weightSoFar + dw) / total;
        // A singleton's whole weight sits at its mean: it takes no part in the interpolation.
        let leftExcluded = 0;
        let rightExcluded = 0;
        if (left === 1) {
          if (right === 1) return (weightSoFar + 1) / total;
          leftExcluded = 0.5;
        } else if (right === 1) {
          rightExcluded = 0.5;
        }
        const base = weightSoFar + left / 2 + leftExcluded;
        return (base + ((dw - leftExcluded - rightExcluded) * (value - means[it])) / (means[it + 1] - means[it])) / total;
      }
      weightSoFar += weights[it];
    }
    return 1 - 0.5 / total;
  }

  /** `td_quantile`: the value at fraction `q` (TDIGEST.BYRANK, BYREVRANK). */
  quantile(q: number): number {
    this.compress();
    if (q < 0 || q > 1 || this.mergedNodes === 0) return NaN;
    if (this.mergedNodes === 1) return this.means[0];
    const index = q * this.mergedWeight;
    if (index < 1) return this.min;
    return this.valueAtIndex(index, { weightSoFar: this.weights[0] / 2, node: 0 });
  }

  /**
   * `td_quantiles`: the values at ascending fractions `qs`, walking the centroids once (TDIGEST.QUANTILE
   * calls it per ascending run). Unlike {@link quantile} it has no `index < 1` shortcut.
   */
  quantiles(qs: readonly number[]): number[] {
    this.compress();
    const n = this.mergedNodes;
    if (n === 0) return qs.map(() => NaN);
    if (n === 1) return qs.map((q) => (q < 0 || q > 1 ? NaN : this.means[0]));
    const cursor = { weightSoFar: this.weights[0] / 2, node: 0 };
    return qs.map((q) => this.valueAtIndex(q * this.mergedWeight, cursor));
  }

  /** `td_internal_iterate_centroids_to_index`: interpolates the value at a cumulative weight. */
  private valueAtIndex(index: number, cursor: { weightSoFar: number; node: number }): number {
    const means = this.means;
    const weights = this.weights;
    const n = this.mergedNodes;
    const total = this.mergedWeight;
    const leftWeight = weights[0];
    if (leftWeight > 1 && index < leftWeight / 2) {
      // One sample sits at min: interpolate with the rest of the first centroid.
      return this.min + ((index - 1) / (leftWeight / 2 - 1)) * (means[0] - this.min);
    }
    if (index > total - 1) return this.max;
    const rightWeight = weights[n - 1];
    const rightMean = means[n - 1];
    if (rightWeight > 1 && total - index <= rightWeight / 2) {
      return this.max - ((total - index - 1) / (rightWeight / 2 - 1)) * (this.max - rightMean);
    }
    for (; cursor.node < n - 1; cursor.node++) {
      const i = cursor.node;
      const dw = (weights[i] + weights[i + 1]) / 2;
      if (cursor.weightSoFar + dw > index) {
        let leftUnit = 0;
        if (weights[i] === 1) {
          if (index - cursor.weightSoFar < 0.5) return means[i];
          leftUnit = 0.5;
        }
        let rightUnit = 0;
        if (weights[i + 1] === 1) {
          if (cursor.weightSoFar + dw - index <= 0.5) return means[i + 1];
          rightUnit = 0.5;
        }
        const z1 = index - cursor.weightSoFar - leftUnit;
        const z2 = cursor.weightSoFar + dw - index - rightUnit;
        return weightedAverage(means[i], z2, means[i + 1], z1);
      }
      cursor.weightSoFar += dw;
    }
    const z1 = index - total - rightWeight / 2;
    const z2 = rightWeight / 2 - z1;
    return weightedAverage(rightMean, z1, this.max, z2);
  }

  /** `td_trimmed_mean`: the mean of the observations between the two cut fractions. */
  trimmedMean(low: number, high: number): number {
    this.compress();
    if (this.mergedNodes === 0 || low < 0 || low > 1 || high < 0 || high > 1) return NaN;
    if (this.mergedNodes === 1) return this.means[0];
    const leftmost = Math.floor(this.mergedWeight * low);
    const rightmost = Math.ceil(this.mergedWeight * high);
    let done = 0;
    let sum = 0;
    let count = 0;
    for (let i = 0; i < this.mergedNodes; i++) {
      const weight = this.weights[i];
      let add = weight;
      add -= Math.min(Math.max(0, leftmost - done), add);
      add = Math.min(Math.max(0, rightmost - done), add);
      done += weight;
      sum += this.means[i] * add;
      count += add;
      if (done >= rightmost) break;
    }
    return sum / count;
  }

  encoding(): string {
    return 'raw';
  }

  clone(): TDigest {
    const copy = new TDigest(this.compression, this.cap, this.means.slice(), this.weights.slice());
    copy.min = this.min;
    copy.max = this.max;
    copy.mergedNodes = this.mergedNodes;
    copy.unmergedNodes = this.unmergedNodes;
    copy.mergedWeight = this.mergedWeight;
    copy.unmergedWeight = this.unmergedWeight;
    copy.totalCompressions = this.totalCompressions;
    return copy;
  }

  /** `TDigestMemUsage`: `sizeof(tdigest)` (a pointer's 8 bytes, as the module writes it) plus both arrays. */
  override memoryUsage(): number {
    return 8 + 2 * this.cap * 8;
  }
}

/** `weighted_average`: the weighted mean of two values, clamped between them. */
function weightedAverage(x1: number, w1: number, x2: number, w2: number): number {
  if (x1 > x2) [x1, w1, x2, w2] = [x2, w2, x1, w1];
  const x = (x1 * w1 + x2 * w2) / (w1 + w2);
  return Math.max(x1, Math.min(x, x2));
}

/**
 * The library's `td_qsort` over the first `n` slots: a quicksort with the middle element as pivot
 * and a Lomuto partition on `<`, moving weights with their means. Ranges go on an explicit stack
 * (the C recursion goes as deep as a run of equal means); the two sides are disjoint, so the order
 * they are sorted in does not change the result.
 *
 * On a range of equal means the partition scans everything to move only the pivot, which makes
 * the library quadratic there (many equal values and a large compression). Such a range is
 * recognised during its parent's scan and its steps are replayed in O(1) each: swap the middle
 * slot with the last, then the first with the last, and continue one slot further.
 */
function sortByMean(means: Float64Array, weights: Float64Array, n: number): void {
  const swap = (a: number, b: number): void => {
    const m = means[a];
    means[a] = means[b];
    means[b] = m;
    const w = weights[a];
    weights[a] = weights[b];
    weights[b] = w;
  };
  // Triples: start, end, 1 when every mean in the range is known equal.
  const stack: number[] = [0, n - 1, 0];
  while (stack.length > 0) {
    const equal = stack.pop()!;
    const end = stack.pop()!;
    let start = stack.pop()!;
    if (equal === 1) {
      // What the partition does on equal means: the pivot lands at `start`, the rest follows.
      for (; end - start > 1; start++) {
        swap((start + end) >>> 1, end);
        swap(start, end);
      }
      continue;
    }
    if (!(start < end)) continue;
    if (end - start === 1) {
      if (means[start] > means[end]) swap(start, end);
      continue;
    }
    const pivotIndex = (start + end) >>> 1;
    const pivot = means[pivotIndex];
    swap(pivotIndex, end);
    let i = start - 1;
    let leftEqual = 1;
    let rightEqual = 1;
    for (let j = start; j < end; j++) {
      const m = means[j];
      if (m < pivot) {
        if (i >= start && m !== means[start]) leftEqual = 0;
        swap(++i, j);
      } else if (m > pivot) {
        rightEqual = 0;
      }
    }
    swap(i + 1, end);
    const p = i + 1;
    if (p > start) stack.push(start, p - 1, leftEqual);
    stack.push(p + 1, end, rightEqual);
  }
}
