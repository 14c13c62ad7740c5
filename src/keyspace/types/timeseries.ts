/**
 * RedisTimeSeries 1.12 series (the `TSDB-TYPE` module type): samples kept sorted by timestamp,
 * retention relative to the newest sample, duplicate policies, the IGNORE window, labels, and
 * compaction rules whose destination buckets are (re)computed from the source's samples.
 *
 * Samples live in two parallel arrays (timestamps and values); chunks are not modelled beyond the
 * counts TS.INFO reports. Aggregations and label filters used by the range commands are here too.
 */
import { RedisObject } from '../keyspace.js';
import { ReplyError } from '../../protocol/errors.js';

export type DuplicatePolicy = 'block' | 'first' | 'last' | 'min' | 'max' | 'sum';
export const DUPLICATE_POLICIES: readonly DuplicatePolicy[] = ['block', 'first', 'last', 'min', 'max', 'sum'];

export type Aggregator =
  | 'avg'
  | 'sum'
  | 'min'
  | 'max'
  | 'range'
  | 'count'
  | 'first'
  | 'last'
  | 'std.p'
  | 'std.s'
  | 'var.p'
  | 'var.s'
  | 'twa';
export const AGGREGATORS: readonly Aggregator[] = ['avg', 'sum', 'min', 'max', 'range', 'count', 'first', 'last', 'std.p', 'std.s', 'var.p', 'var.s', 'twa'];

/** A TSDB error reply (`ERR TSDB: …`, as RedisTimeSeries' RTS_ReplyGeneralError sends them). */
export function tsdbError(message: string): ReplyError {
  return new ReplyError(`ERR TSDB: ${message}`);
}

export const KEY_MISSING = tsdbError('the key does not exist');
export const TOO_OLD = tsdbError('Timestamp is older than retention');
export const BLOCKED_DUPLICATE = tsdbError('Error at upsert, update is not supported when DUPLICATE_POLICY is set to BLOCK mode');

/** The default CHUNK_SIZE (bytes) of RedisTimeSeries' configuration. */
export const DEFAULT_CHUNK_SIZE = 4096;

/** A compaction rule of a source series. */
export interface CompactionRule {
  readonly dest: string;
  readonly bucket: number;
  readonly aggregator: Aggregator;
  readonly align: number;
  /** The first sample the rule saw (samples before the rule existed are not compacted), or -1. */
  since: number;
  /** Start of the bucket still open (not yet written to the destination; may be below 0), or null before any sample. */
  open: number | null;
}

/** `printf("%.15g")`: how RedisTimeSeries writes a value in RESP2 (NaN as `NaN`). */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const [mantissa, expText] = value.toExponential(14).split('e');
  const exp = Number(expText);
  const trim = (s: string): string => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (exp < -4 || exp >= 15) {
    return `${trim(mantissa)}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return trim(value.toFixed(Math.max(0, 14 - exp)));
}

/**
 * Start of the bucket holding `ts` (buckets of `bucket` ms aligned to `align`). The first bucket
 * may start below 0; replies report such a start as 0 (the module's normalisation), but its end
 * stays where the alignment puts it.
 */
export function bucketStart(ts: number, bucket: number, align: number): number {
  return ts - ((((ts - align) % bucket) + bucket) % bucket);
}

/** Index of the first sample at or after `ts`. */
function lowerBound(arr: readonly number[], ts: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid] < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class TimeSeries extends RedisObject {
  readonly type = 'TSDB-TYPE';
  timestamps: number[] = [];
  values: number[] = [];
  retention = 0;
  chunkSize = DEFAULT_CHUNK_SIZE;
  uncompressed = false;
  /** Null: not set on the series (the module's global default, BLOCK, applies). */
  duplicatePolicy: DuplicatePolicy | null = null;
  ignoreMaxTimeDiff = 0;
  ignoreMaxValDiff = 0;
  labels: Array<[string, string]> = [];
  rules: CompactionRule[] = [];
  /** The series this one is a compaction of. */
  srcKey: string | null = null;

  encoding(): string {
    return 'raw';
  }

  clone(): TimeSeries {
    const copy = new TimeSeries();
    copy.timestamps = [...this.timestamps];
    copy.values = [...this.values];
    copy.retention = this.retention;
    copy.chunkSize = this.chunkSize;
    copy.uncompressed = this.uncompressed;
    copy.duplicatePolicy = this.duplicatePolicy;
    copy.ignoreMaxTimeDiff = this.ignoreMaxTimeDiff;
    copy.ignoreMaxValDiff = this.ignoreMaxValDiff;
    copy.labels = this.labels.map(([k, v]) => [k, v]);
    copy.rules = this.rules.map((r) => ({ ...r }));
    copy.srcKey = this.srcKey;
    return copy;
  }

  /** Bytes per sample as modelled: 16 uncompressed, about 2 compressed (Gorilla on regular data). */
  private bytesPerSample(): number {
    return this.uncompressed ? 16 : 2;
  }

  chunkCount(): number {
    return Math.max(1, Math.ceil((this.timestamps.length * this.bytesPerSample()) / this.chunkSize));
  }

  /**
   * A model of the module's figure: fixed parts, label bytes, rules, and whole chunks (an empty
   * series with two labels and the default chunk size reports 4246, as in docs ts.info).
   */
  override memoryUsage(): number {
    let labels = 0;
    for (const [k, v] of this.labels) labels += k.length + v.length;
    return 124 + labels + this.rules.length * 64 + this.chunkCount() * this.chunkSize;
  }

  get size(): number {
    return this.timestamps.length;
  }

  get lastTimestamp(): number {
    return this.timestamps.length === 0 ? 0 : this.timestamps[this.timestamps.length - 1];
  }

  get lastValue(): number {
    return this.values[this.values.length - 1];
  }

  get firstTimestamp(): number {
    return this.timestamps.length === 0 ? 0 : this.timestamps[0];
  }

  /** Index of the sample at `ts`, or -1. */
  indexOf(ts: number): number {
    const i = lowerBound(this.timestamps, ts);
    return i < this.timestamps.length && this.timestamps[i] === ts ? i : -1;
  }

  /** Indexes [from, to) of the samples with from ≤ ts ≤ to. */
  span(from: number, to: number): [number, number] {
    return [lowerBound(this.timestamps, from), lowerBound(this.timestamps, to + 1)];
  }

  /** The effective duplicate policy of a write (ON_DUPLICATE, else the series', else BLOCK). */
  policy(override: DuplicatePolicy | null): DuplicatePolicy {
    return override ?? this.duplicatePolicy ?? 'block';
  }

  /** True when a new sample falls in the IGNORE window (in order, policy LAST, close in time and value). */
  ignores(ts: number, value: number): boolean {
    if (this.srcKey !== null || this.size === 0) return false;
    if (this.ignoreMaxTimeDiff === 0 && this.ignoreMaxValDiff === 0) return false;
    if (this.policy(null) !== 'last') return false;
    const last = this.lastTimestamp;
    return ts >= last && ts - last <= this.ignoreMaxTimeDiff && Math.abs(value - this.lastValue) <= this.ignoreMaxValDiff;
  }

  /** Checks a write of `ts` could be stored (retention, BLOCK); throws the module's error. */
  checkWrite(ts: number, override: DuplicatePolicy | null): void {
    if (this.size > 0 && this.retention > 0 && ts < this.lastTimestamp && this.lastTimestamp - ts > this.retention) throw TOO_OLD;
    if (this.indexOf(ts) >= 0 && this.policy(override) === 'block') throw BLOCKED_DUPLICATE;
  }

  /**
   * Stores a sample (after {@link checkWrite}): appends, inserts, or merges with the sample at the
   * same timestamp by the policy. Returns the stored value. Retention is applied afterwards.
   */
  upsert(ts: number, value: number, override: DuplicatePolicy | null): number {
    const n = this.timestamps.length;
    if (n === 0 || ts > this.timestamps[n - 1]) {
      this.timestamps.push(ts);
      this.values.push(value);
    } else {
      const i = lowerBound(this.timestamps, ts);
      if (i < n && this.timestamps[i] === ts) {
        const old = this.values[i];
        const policy = this.policy(override);
        const merged =
          policy === 'first' ? old : policy === 'last' ? value : policy === 'min' ? Math.min(old, value) : policy === 'max' ? Math.max(old, value) : old + value;
        this.values[i] = merged;
        this.trim();
        return merged;
      }
      this.timestamps.splice(i, 0, ts);
      this.values.splice(i, 0, value);
    }
    this.trim();
    this.resized();
    return value;
  }

  /** Drops samples older than the retention window (relative to the newest sample). */
  trim(): void {
    if (this.retention === 0 || this.size === 0) return;
    const cut = lowerBound(this.timestamps, this.lastTimestamp - this.retention);
    if (cut > 0) {
      this.timestamps.splice(0, cut);
      this.values.splice(0, cut);
      this.resized();
    }
  }

  /** Removes samples in [from, to]; returns how many. */
  deleteRange(from: number, to: number): number {
    const [a, b] = this.span(from, to);
    if (b <= a) return 0;
    this.timestamps.splice(a, b - a);
    this.values.splice(a, b - a);
    this.resized();
    return b - a;
  }

  setSamples(timestamps: number[], values: number[]): void {
    this.timestamps = timestamps;
    this.values = values;
    this.resized();
  }

  /** Recomputes memory after option changes (labels, rules, chunk size). */
  touched(): void {
    this.resized();
  }

  /**
   * The aggregate of one closed or open bucket of a rule, from this series' samples in
   * [start, start + bucket) (only those the rule saw); undefined when there are none.
   */
  ruleBucket(rule: CompactionRule, start: number): number | undefined {
    const from = Math.max(start, rule.since);
    const [a, b] = this.span(from, start + rule.bucket - 1);
    if (b <= a) return undefined;
    return aggregate(rule.aggregator, this.timestamps.slice(a, b), this.values.slice(a, b), {
      start,
      end: start + rule.bucket,
      prev: a > 0 && this.timestamps[a - 1] >= rule.since ? [this.timestamps[a - 1], this.values[a - 1]] : undefined,
      next: b < this.size ? [this.timestamps[b], this.values[b]] : undefined,
    });
  }
}

/** Neighbours and bounds of a bucket, for TWA. */
export interface BucketContext {
  start: number;
  end: number;
  prev?: [number, number];
  next?: [number, number];
}

/** One bucket's aggregate over its samples (at least one). */
export function aggregate(agg: Aggregator, ts: readonly number[], vs: readonly number[], bucket: BucketContext): number {
  const n = vs.length;
  switch (agg) {
    case 'sum':
      return vs.reduce((a, b) => a + b, 0);
    case 'avg':
      return vs.reduce((a, b) => a + b, 0) / n;
    case 'min':
      return Math.min(...vs);
    case 'max':
      return Math.max(...vs);
    case 'range':
      return Math.max(...vs) - Math.min(...vs);
    case 'count':
      return n;
    case 'first':
      return vs[0];
    case 'last':
      return vs[n - 1];
    case 'var.p':
    case 'var.s':
    case 'std.p':
    case 'std.s': {
      const mean = vs.reduce((a, b) => a + b, 0) / n;
      const sq = vs.reduce((a, v) => a + (v - mean) * (v - mean), 0);
      const sample = agg.endsWith('.s');
      const variance = sample ? (n > 1 ? sq / (n - 1) : 0) : sq / n;
      return agg.startsWith('std') ? Math.sqrt(variance) : variance;
    }
    case 'twa':
      return twa(ts, vs, bucket);
  }
}

/** Value at `t` on the line through two samples. */
function interpolate(a: [number, number], b: [number, number], t: number): number {
  if (b[0] === a[0]) return b[1];
  return a[1] + ((b[1] - a[1]) * (t - a[0])) / (b[0] - a[0]);
}

/**
 * Time-weighted average: the area under the linear interpolation of the samples (extended to the
 * bucket's edges through the neighbouring samples when there are some) over the covered time.
 */
function twa(ts: readonly number[], vs: readonly number[], b: BucketContext): number {
  const points: Array<[number, number]> = ts.map((t, i) => [t, vs[i]]);
  if (b.prev !== undefined && points[0][0] > b.start) points.unshift([b.start, interpolate(b.prev, points[0], b.start)]);
  const last = points[points.length - 1];
  if (b.next !== undefined && last[0] < b.end) points.push([b.end, interpolate(last, b.next, b.end)]);
  if (points.length === 1) return points[0][1];
  let area = 0;
  for (let i = 1; i < points.length; i++) area += ((points[i][1] + points[i - 1][1]) / 2) * (points[i][0] - points[i - 1][0]);
  const span = points[points.length - 1][0] - points[0][0];
  return span === 0 ? points[0][1] : area / span;
}

// ---- label filters (TS.MGET / TS.MRANGE / TS.QUERYINDEX) -------------------------------------------

export interface LabelMatcher {
  readonly label: string;
  readonly negate: boolean;
  /** Empty: `l=` (label absent) / `l!=` (label present). */
  readonly values: readonly string[];
}

/** Parses one filter expression (`l=v`, `l!=v`, `l=`, `l!=`, `l=(a,b)`, `l!=(a,b)`); undefined when malformed. */
export function parseMatcher(text: string): LabelMatcher | undefined {
  const neq = text.indexOf('!=');
  const eq = text.indexOf('=');
  if (eq <= 0) return undefined;
  const negate = neq >= 0 && neq + 1 === eq;
  const label = text.slice(0, negate ? neq : eq);
  if (label.length === 0) return undefined;
  const rest = text.slice(eq + 1);
  if (rest.startsWith('(')) {
    if (!rest.endsWith(')')) return undefined;
    const values = rest.slice(1, -1).split(',');
    if (values.some((v) => v.length === 0)) return undefined;
    return { label, negate, values };
  }
  if (/[(),]/.test(rest)) return undefined;
  return { label, negate, values: rest.length === 0 ? [] : [rest] };
}

/** True for a matcher that selects series by itself (`l=v`, `l=(a,b)`): a query needs one. */
export function isPositive(m: LabelMatcher): boolean {
  return !m.negate && m.values.length > 0;
}

export function matches(series: TimeSeries, filters: readonly LabelMatcher[]): boolean {
  for (const f of filters) {
    const found = series.labels.find(([k]) => k === f.label);
    const value = found?.[1];
    let ok: boolean;
    if (f.values.length === 0) ok = f.negate ? value !== undefined : value === undefined;
    else ok = f.negate ? value === undefined || !f.values.includes(value) : value !== undefined && f.values.includes(value);
    if (!ok) return false;
  }
  return true;
}
