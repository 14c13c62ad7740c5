/**
 * The RedisTimeSeries 1.12 commands (`TS.*`), registered only on a cache created with
 * `modules: ['RedisTimeSeries']` (src/modules.ts). Parsing and reply shapes live here; the series
 * model, aggregations and label filters are in `keyspace/types/timeseries.ts`.
 *
 * As the module registers them: arity -1, the `module` flag, its legacy key ranges (TS.MADD 1/-1/3,
 * TS.CREATERULE/DELETERULE 1/2/1, TS.MGET/MRANGE/MREVRANGE/QUERYINDEX keyless). Values print as
 * `%.15g` simple strings in RESP2 and as doubles in RESP3. Errors are `ERR TSDB: …`.
 */
import { moduleCommandDeclarer, type CommandContext, type CommandSpec } from './command.js';
import { keyName, keyReply, text, type Bytes } from '../keyspace/bytes.js';
import {
  AGGREGATORS,
  DUPLICATE_POLICIES,
  KEY_MISSING,
  TimeSeries,
  aggregate,
  bucketStart,
  formatValue,
  isPositive,
  matches,
  parseMatcher,
  tsdbError,
  type Aggregator,
  type CompactionRule,
  type DuplicatePolicy,
  type LabelMatcher,
} from '../keyspace/types/timeseries.js';
import { WRONGTYPE, wrongArity, type ReplyError } from '../protocol/errors.js';
import { DoubleReply, MapReply, OK, StatusReply, type Reply } from '../protocol/reply.js';

/** The module name MODULE LIST, COMMAND DOCS and COMMAND LIST FILTERBY MODULE give. */
export const TIMESERIES_MODULE_NAME = 'timeseries';

const E = {
  exists: tsdbError('key already exists'),
  labels: tsdbError("Couldn't parse LABELS"),
  retention: tsdbError("Couldn't parse RETENTION"),
  chunk: tsdbError("Couldn't parse CHUNK_SIZE"),
  chunkRange: tsdbError('CHUNK_SIZE value must be a multiple of 8 in the range [48 .. 1048576]'),
  encoding: tsdbError('unknown ENCODING parameter'),
  policy: tsdbError("Couldn't parse DUPLICATE_POLICY"),
  unknownPolicy: tsdbError('Unknown DUPLICATE_POLICY'),
  ignore: tsdbError("Couldn't parse IGNORE"),
  negativeIgnore: tsdbError('IGNORE arguments cannot be negative'),
  timestamp: tsdbError('invalid timestamp'),
  negativeTimestamp: tsdbError('invalid timestamp, must be a nonnegative integer'),
  value: tsdbError('invalid value'),
  increment: tsdbError('invalid increase/decrease value'),
  incrementOld: tsdbError('timestamp must be equal to or higher than the maximum existing timestamp'),
  fromTs: tsdbError('wrong fromTimestamp'),
  toTs: tsdbError('wrong toTimestamp'),
  count: tsdbError("Couldn't parse COUNT"),
  countMissing: tsdbError('COUNT argument is missing'),
  aggregation: tsdbError("Couldn't parse AGGREGATION"),
  aggType: tsdbError('Unknown aggregation type'),
  bucket: tsdbError('bucketDuration must be greater than zero'),
  align: tsdbError('unknown ALIGN parameter'),
  alignNeedsAgg: tsdbError('ALIGN parameter can only be used with AGGREGATION'),
  bucketTs: tsdbError('unknown BUCKETTIMESTAMP parameter'),
  bucketTsNeedsAgg: tsdbError('BUCKETTIMESTAMP flag should be the 3rd or 4th flag after AGGREGATION flag'),
  emptyNeedsAgg: tsdbError('EMPTY flag should be after AGGREGATION flag'),
  byValue: tsdbError('FILTER_BY_VALUE one or more arguments are missing'),
  min: tsdbError("Couldn't parse MIN"),
  max: tsdbError("Couldn't parse MAX"),
  byTs: tsdbError('FILTER_BY_TS one or more arguments are missing'),
  filterMissing: tsdbError('missing FILTER argument'),
  filterParse: tsdbError('failed parsing labels'),
  matcher: tsdbError('please provide at least one matcher'),
  withLabelsBoth: tsdbError('cannot accept WITHLABELS and SELECT_LABELS together'),
  groupBy: tsdbError('missing GROUPBY label'),
  reduce: tsdbError('missing REDUCE'),
  reducer: tsdbError('failed parsing reducer'),
  sameKey: tsdbError('the source key and destination key should be different'),
  destHasSrc: tsdbError('the destination key already has a src rule'),
  srcIsDest: tsdbError('the source key already has a source rule'),
  destHasRules: tsdbError('the destination key already has a dst rule'),
  noRule: tsdbError('compaction rule does not exist'),
} satisfies Record<string, ReplyError>;

const MAX_TIMESTAMP = Number.MAX_SAFE_INTEGER;

function upper(arg: Bytes): string {
  return text(arg).toUpperCase();
}

/** A timestamp argument: a non-negative 64-bit integer. */
function timestamp(arg: Bytes, bad: ReplyError = E.timestamp, negative: ReplyError = E.negativeTimestamp): number {
  const s = text(arg);
  if (!/^[+-]?\d+$/.test(s)) throw bad;
  const n = Number(s);
  if (n < 0) throw negative;
  if (n > MAX_TIMESTAMP) throw bad;
  return n;
}

/** A value argument: a finite double (the module refuses NaN and infinities). */
function double(arg: Bytes, bad: ReplyError): number {
  const s = text(arg).trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) throw bad;
  const n = Number(s);
  if (!Number.isFinite(n)) throw bad;
  return n;
}

function integer(arg: Bytes | undefined, bad: ReplyError): number {
  if (arg === undefined) throw bad;
  const s = text(arg);
  if (!/^[+-]?\d+$/.test(s)) throw bad;
  return Number(s);
}

function resp3(ctx: CommandContext): boolean {
  return ctx.client.resp === 3;
}

function valueReply(ctx: CommandContext, v: number): Reply {
  return resp3(ctx) ? new DoubleReply(v) : new StatusReply(formatValue(v));
}

function sampleReply(ctx: CommandContext, ts: number, v: number): Reply {
  return [ts, valueReply(ctx, v)];
}

/** The series at a key, undefined when absent; WRONGTYPE for another type. */
function lookup(ctx: CommandContext, key: string, write: boolean, db = ctx.db): TimeSeries | undefined {
  const value = write ? db.get(key, ctx.now) : db.read(key, ctx.now);
  if (value === undefined) return undefined;
  if (!(value instanceof TimeSeries)) throw WRONGTYPE;
  return value;
}

function existing(ctx: CommandContext, key: string, write: boolean): TimeSeries {
  const series = lookup(ctx, key, write);
  if (series === undefined) throw KEY_MISSING;
  return series;
}

// ---- series options (TS.CREATE, TS.ALTER, and the create options of TS.ADD / INCRBY) -------------

interface SeriesOptions {
  retention?: number;
  chunkSize?: number;
  uncompressed?: boolean;
  duplicatePolicy?: DuplicatePolicy;
  onDuplicate?: DuplicatePolicy;
  ignore?: [number, number];
  labels?: Array<[string, string]>;
  timestamp?: Bytes;
}

function duplicatePolicy(arg: Bytes | undefined): DuplicatePolicy {
  if (arg === undefined) throw E.policy;
  const p = text(arg).toLowerCase() as DuplicatePolicy;
  if (!DUPLICATE_POLICIES.includes(p)) throw E.unknownPolicy;
  return p;
}

/**
 * Parses the series options from `start`; `allowed` names the keywords the command takes
 * (others are skipped, as the module looks its keywords up and ignores the rest).
 */
function seriesOptions(argv: readonly Bytes[], start: number, allowed: ReadonlySet<string>): SeriesOptions {
  const o: SeriesOptions = {};
  for (let i = start; i < argv.length; i++) {
    const word = upper(argv[i]);
    if (!allowed.has(word)) continue;
    switch (word) {
      case 'RETENTION': {
        const n = integer(argv[++i], E.retention);
        if (n < 0) throw E.retention;
        o.retention = n;
        break;
      }
      case 'CHUNK_SIZE': {
        const n = integer(argv[++i], E.chunk);
        if (n < 48 || n > 1048576 || n % 8 !== 0) throw E.chunkRange;
        o.chunkSize = n;
        break;
      }
      case 'ENCODING': {
        const arg = argv[++i];
        if (arg === undefined) throw E.encoding;
        const enc = upper(arg);
        if (enc === 'UNCOMPRESSED') o.uncompressed = true;
        else if (enc === 'COMPRESSED') o.uncompressed = false;
        else throw E.encoding;
        break;
      }
      case 'UNCOMPRESSED':
        o.uncompressed = true;
        break;
      case 'DUPLICATE_POLICY':
        o.duplicatePolicy = duplicatePolicy(argv[++i]);
        break;
      case 'ON_DUPLICATE':
        o.onDuplicate = duplicatePolicy(argv[++i]);
        break;
      case 'IGNORE': {
        if (i + 2 >= argv.length) throw E.ignore;
        const t = integer(argv[i + 1], E.ignore);
        const v = double(argv[i + 2], E.ignore);
        if (t < 0 || v < 0) throw E.negativeIgnore;
        o.ignore = [t, v];
        i += 2;
        break;
      }
      case 'TIMESTAMP':
        if (i + 1 >= argv.length) throw E.timestamp;
        o.timestamp = argv[++i];
        break;
      case 'LABELS': {
        const rest = argv.slice(i + 1);
        if (rest.length % 2 !== 0) throw E.labels;
        const labels: Array<[string, string]> = [];
        for (let j = 0; j < rest.length; j += 2) {
          const k = text(rest[j]);
          const v = text(rest[j + 1]);
          if (k.length === 0 || v.length === 0 || /[(),]/.test(v)) throw E.labels;
          labels.push([k, v]);
        }
        o.labels = labels;
        i = argv.length;
        break;
      }
    }
  }
  return o;
}

const CREATE_OPTIONS = new Set(['RETENTION', 'CHUNK_SIZE', 'ENCODING', 'UNCOMPRESSED', 'DUPLICATE_POLICY', 'IGNORE', 'LABELS']);
const ADD_OPTIONS = new Set([...CREATE_OPTIONS, 'ON_DUPLICATE']);
const INCR_OPTIONS = new Set([...CREATE_OPTIONS, 'TIMESTAMP']);
const ALTER_OPTIONS = new Set(['RETENTION', 'CHUNK_SIZE', 'DUPLICATE_POLICY', 'IGNORE', 'LABELS']);

function applyOptions(series: TimeSeries, o: SeriesOptions): void {
  if (o.retention !== undefined) series.retention = o.retention;
  if (o.chunkSize !== undefined) series.chunkSize = o.chunkSize;
  if (o.uncompressed !== undefined) series.uncompressed = o.uncompressed;
  if (o.duplicatePolicy !== undefined) series.duplicatePolicy = o.duplicatePolicy;
  if (o.ignore !== undefined) [series.ignoreMaxTimeDiff, series.ignoreMaxValDiff] = o.ignore;
  if (o.labels !== undefined) series.labels = o.labels;
}

function createSeries(ctx: CommandContext, key: string, o: SeriesOptions): TimeSeries {
  const series = new TimeSeries();
  applyOptions(series, o);
  ctx.db.set(key, series);
  ctx.changed(key, 'ts.create');
  return series;
}

// ---- writing samples and compactions ------------------------------------------------------------

/** Stores a sample and runs the series' compaction rules (writes to their destinations). */
function addSample(ctx: CommandContext, key: string, series: TimeSeries, ts: number, value: number, override: DuplicatePolicy | null, event: string): void {
  series.upsert(ts, value, override);
  ctx.changed(key, event);
  for (const rule of series.rules) compact(ctx, series, rule, ts);
}

function destination(ctx: CommandContext, rule: CompactionRule): TimeSeries | undefined {
  const dest = ctx.db.get(rule.dest, ctx.now);
  return dest instanceof TimeSeries ? dest : undefined;
}

/** Writes one bucket's aggregate into a rule's destination (or removes it when the bucket is empty). */
function writeBucket(ctx: CommandContext, source: TimeSeries, rule: CompactionRule, start: number): void {
  const dest = destination(ctx, rule);
  if (dest === undefined) return;
  const value = source.ruleBucket(rule, start);
  const at = Math.max(0, start);
  if (value === undefined) {
    if (dest.deleteRange(at, at) > 0) ctx.changed(rule.dest, 'ts.del');
    return;
  }
  if (dest.indexOf(at) >= 0) dest.values[dest.indexOf(at)] = value;
  else dest.upsert(at, value, 'last');
  ctx.changed(rule.dest, 'ts.add');
}

/**
 * A rule sees a new sample: a sample in a later bucket closes the open one (its aggregate goes to
 * the destination); a sample in an already closed bucket recomputes that bucket.
 */
function compact(ctx: CommandContext, source: TimeSeries, rule: CompactionRule, ts: number): void {
  const start = bucketStart(ts, rule.bucket, rule.align);
  if (rule.open === null) {
    rule.open = start;
    rule.since = ts;
    return;
  }
  if (start > rule.open) {
    writeBucket(ctx, source, rule, rule.open);
    rule.open = start;
  } else if (start < rule.open) {
    writeBucket(ctx, source, rule, start);
  }
}

/** The `*` or explicit timestamp of a write. */
function writeTimestamp(ctx: CommandContext, arg: Bytes): number {
  return text(arg) === '*' ? ctx.now : timestamp(arg);
}

// ---- declarations --------------------------------------------------------------------------------

/** Declares a RedisTimeSeries command as the module registers it: name, flags, legacy key range. */
const tsCommand = moduleCommandDeclarer(TIMESERIES_MODULE_NAME);

// ---- TS.CREATE / TS.ALTER / TS.DEL -----------------------------------------------------------------

const create = tsCommand('ts.create', 'write deny-oom', [1, 1, 1], (ctx, argv) => {
  if (argv.length < 2) throw wrongArity('ts.create');
  const key = keyName(argv[1]);
  const o = seriesOptions(argv, 2, CREATE_OPTIONS);
  // Any value at the key, whatever its type, is `key already exists`.
  if (ctx.db.get(key, ctx.now) !== undefined) throw E.exists;
  createSeries(ctx, key, o);
  return OK;
});

const alter = tsCommand('ts.alter', 'write deny-oom', [1, 1, 1], (ctx, argv) => {
  if (argv.length < 2) throw wrongArity('ts.alter');
  const key = keyName(argv[1]);
  const o = seriesOptions(argv, 2, ALTER_OPTIONS);
  const series = existing(ctx, key, true);
  applyOptions(series, o);
  series.trim();
  series.touched();
  ctx.changed(key, 'ts.alter');
  return OK;
});

const del = tsCommand('ts.del', 'write', [1, 1, 1], (ctx, argv) => {
  if (argv.length !== 4) throw wrongArity('ts.del');
  const key = keyName(argv[1]);
  const from = timestamp(argv[2], E.fromTs, E.fromTs);
  const to = timestamp(argv[3], E.toTs, E.toTs);
  const series = existing(ctx, key, true);
  const [a, b] = series.span(from, to);
  const gone = series.timestamps.slice(a, b);
  const removed = series.deleteRange(from, to);
  if (removed > 0) {
    ctx.changed(key, 'ts.del');
    // The closed buckets of each rule that held removed samples are recomputed (or removed when
    // empty): only those, so a wide range costs what it removed, not its width in buckets.
    for (const rule of series.rules) {
      if (rule.open === null) continue;
      const buckets = new Set<number>();
      for (const t of gone) {
        const start = bucketStart(t, rule.bucket, rule.align);
        if (start < rule.open) buckets.add(start);
      }
      for (const start of buckets) writeBucket(ctx, series, rule, start);
    }
  }
  return removed;
});

// ---- TS.ADD / TS.MADD / TS.INCRBY / TS.DECRBY ------------------------------------------------------

const add = tsCommand('ts.add', 'write deny-oom', [1, 1, 1], (ctx, argv) => {
  if (argv.length < 4) throw wrongArity('ts.add');
  const key = keyName(argv[1]);
  const ts = writeTimestamp(ctx, argv[2]);
  const value = double(argv[3], E.value);
  const o = seriesOptions(argv, 4, ADD_OPTIONS);
  const override = o.onDuplicate ?? null;
  let series = lookup(ctx, key, true);
  if (series !== undefined) {
    if (series.ignores(ts, value)) return series.lastTimestamp;
    series.checkWrite(ts, override);
  } else {
    series = createSeries(ctx, key, o);
  }
  addSample(ctx, key, series, ts, value, override, 'ts.add');
  // A `*` timestamp reaches replicas resolved, so they store the same sample.
  if (ctx.recording && text(argv[2]) === '*') ctx.propagate(['TS.ADD', argv[1], String(ts), ...argv.slice(3)]);
  return ts;
});

const madd = tsCommand(
  'ts.madd',
  'write deny-oom',
  [1, -1, 3],
  (ctx, argv) => {
    if (argv.length < 4 || (argv.length - 1) % 3 !== 0) throw wrongArity('ts.madd');
    const replies: Reply[] = [];
    const effects: Bytes[][] = [];
    for (let i = 1; i < argv.length; i += 3) {
      try {
        const key = keyName(argv[i]);
        const ts = writeTimestamp(ctx, argv[i + 1]);
        const value = double(argv[i + 2], E.value);
        const series = existing(ctx, key, true);
        if (series.ignores(ts, value)) {
          replies.push(series.lastTimestamp);
          continue;
        }
        series.checkWrite(ts, null);
        addSample(ctx, key, series, ts, value, null, 'ts.add');
        effects.push(['TS.ADD', argv[i], String(ts), argv[i + 2]]);
        replies.push(ts);
      } catch (err) {
        replies.push(err as Error);
      }
    }
    if (ctx.recording && effects.length > 0) ctx.propagate(...effects);
    return replies;
  },
  (argv) => {
    const keys: number[] = [];
    for (let i = 1; i < argv.length; i += 3) keys.push(i);
    return keys;
  },
);

function incrby(name: string, sign: 1 | -1): CommandSpec {
  return tsCommand(name, 'write deny-oom', [1, 1, 1], (ctx, argv) => {
    if (argv.length < 3) throw wrongArity(name);
    const key = keyName(argv[1]);
    const delta = double(argv[2], E.increment);
    const o = seriesOptions(argv, 3, INCR_OPTIONS);
    const ts = o.timestamp !== undefined ? writeTimestamp(ctx, o.timestamp) : ctx.now;
    let series = lookup(ctx, key, true);
    if (series !== undefined && series.size > 0 && ts < series.lastTimestamp) throw E.incrementOld;
    const base = series !== undefined && series.size > 0 ? series.lastValue : 0;
    const value = base + sign * delta;
    if (series !== undefined) series.checkWrite(ts, 'last');
    else series = createSeries(ctx, key, o);
    // The sample at the newest timestamp is replaced: INCRBY always stores base + delta there.
    addSample(ctx, key, series, ts, value, 'last', name);
    // Replicas get the resolved timestamp (placed before LABELS, which takes the rest) and the
    // same create options; from the same prior state they compute the same value.
    if (ctx.recording) ctx.propagate([argv[0], argv[1], argv[2], 'TIMESTAMP', String(ts), ...withoutTimestamp(argv.slice(3))]);
    return ts;
  });
}

/** Options without their `TIMESTAMP ts` pair (LABELS and what follows it kept as they are). */
function withoutTimestamp(options: readonly Bytes[]): Bytes[] {
  const out: Bytes[] = [];
  for (let i = 0; i < options.length; i++) {
    const word = upper(options[i]);
    if (word === 'LABELS') return [...out, ...options.slice(i)];
    if (word === 'TIMESTAMP') i++;
    else out.push(options[i]);
  }
  return out;
}

// ---- TS.GET / TS.INFO -----------------------------------------------------------------------------

/** The unfinished bucket of a compaction series (LATEST), from its source's open bucket. */
function latestSample(ctx: CommandContext, key: string, series: TimeSeries): [number, number] | undefined {
  if (series.srcKey === null) return undefined;
  const value = ctx.db.read(series.srcKey, ctx.now);
  if (!(value instanceof TimeSeries)) return undefined;
  const rule = value.rules.find((r) => r.dest === key);
  if (rule === undefined || rule.open === null) return undefined;
  const v = value.ruleBucket(rule, rule.open);
  return v === undefined ? undefined : [Math.max(0, rule.open), v];
}

const get = tsCommand('ts.get', 'readonly', [1, 1, 1], (ctx, argv) => {
  if (argv.length < 2 || argv.length > 3) throw wrongArity('ts.get');
  const key = keyName(argv[1]);
  if (argv.length === 3 && upper(argv[2]) !== 'LATEST') throw wrongArity('ts.get');
  const series = existing(ctx, key, false);
  return lastSample(ctx, key, series, argv.length === 3);
});

function lastSample(ctx: CommandContext, key: string, series: TimeSeries, latest: boolean): Reply {
  if (latest) {
    const l = latestSample(ctx, key, series);
    if (l !== undefined) return sampleReply(ctx, l[0], l[1]);
  }
  if (series.size === 0) return [];
  return sampleReply(ctx, series.lastTimestamp, series.lastValue);
}

function labelsReply(ctx: CommandContext, labels: ReadonlyArray<readonly [string, string | null]>): Reply {
  return resp3(ctx) ? new MapReply(labels.map(([k, v]) => [k, v])) : labels.map(([k, v]) => [k, v]);
}

const info = tsCommand('ts.info', 'readonly', [1, 1, 1], (ctx, argv) => {
  if (argv.length < 2 || argv.length > 3) throw wrongArity('ts.info');
  const key = keyName(argv[1]);
  const debug = argv.length === 3 && upper(argv[2]) === 'DEBUG';
  const s = existing(ctx, key, false);
  const entries: Array<[string, Reply]> = [
    ['totalSamples', s.size],
    ['memoryUsage', s.memoryUsage()],
    ['firstTimestamp', s.firstTimestamp],
    ['lastTimestamp', s.lastTimestamp],
    ['retentionTime', s.retention],
    ['chunkCount', s.chunkCount()],
    ['chunkSize', s.chunkSize],
    ['chunkType', s.uncompressed ? 'uncompressed' : 'compressed'],
    ['duplicatePolicy', s.duplicatePolicy === null ? null : s.duplicatePolicy],
    ['labels', labelsReply(ctx, s.labels)],
    ['sourceKey', s.srcKey === null ? null : keyReply(s.srcKey)],
    ['rules', rulesReply(ctx, s.rules)],
    ['ignoreMaxTimeDiff', s.ignoreMaxTimeDiff],
    ['ignoreMaxValDiff', valueReply(ctx, s.ignoreMaxValDiff)],
  ];
  if (debug) {
    entries.push(['keySelfName', keyReply(key)]);
    entries.push(['Chunks', chunksReply(ctx, s)]);
  }
  if (resp3(ctx)) return new MapReply(entries.map(([k, v]) => [new StatusReply(k), v]));
  return entries.flatMap(([k, v]) => [new StatusReply(k), v]);
});

function rulesReply(ctx: CommandContext, rules: readonly CompactionRule[]): Reply {
  const row = (r: CompactionRule): Reply[] => [r.bucket, new StatusReply(r.aggregator.toUpperCase()), r.align];
  if (resp3(ctx)) return new MapReply(rules.map((r) => [keyReply(r.dest), row(r)]));
  return rules.map((r) => [keyReply(r.dest), ...row(r)]);
}

/** DEBUG's chunk list: the samples split into chunks of the modelled size. */
function chunksReply(ctx: CommandContext, s: TimeSeries): Reply {
  const count = s.chunkCount();
  const per = Math.max(1, Math.ceil(s.size / count));
  const out: Reply[] = [];
  for (let c = 0; c < count; c++) {
    const a = c * per;
    const b = Math.min(s.size, a + per);
    const n = Math.max(0, b - a);
    const fields: Array<[string, Reply]> = [
      ['startTimestamp', n > 0 ? s.timestamps[a] : 0],
      ['endTimestamp', n > 0 ? s.timestamps[b - 1] : 0],
      ['samples', n],
      ['size', s.chunkSize],
      // RedisModule_ReplyWithDouble: a bulk string in RESP2 (`inf` for an empty chunk).
      ['bytesPerSample', new DoubleReply(s.chunkSize / n)],
    ];
    out.push(resp3(ctx) ? new MapReply(fields.map(([k, v]) => [new StatusReply(k), v])) : fields.flatMap(([k, v]) => [new StatusReply(k), v]));
  }
  return out;
}

// ---- range queries ----------------------------------------------------------------------------------

type BucketTimestamp = 'start' | 'end' | 'mid';

interface RangeArgs {
  from: number | '-';
  to: number | '+';
  latest: boolean;
  filterTs: number[] | null;
  filterValue: [number, number] | null;
  count: number;
  align: number | 'start' | 'end';
  aggregation: { agg: Aggregator; bucket: number; bt: BucketTimestamp; empty: boolean } | null;
}

const RANGE_WORDS = new Set([
  'LATEST',
  'FILTER_BY_TS',
  'FILTER_BY_VALUE',
  'COUNT',
  'ALIGN',
  'AGGREGATION',
  'BUCKETTIMESTAMP',
  'EMPTY',
  'WITHLABELS',
  'SELECTED_LABELS',
  'FILTER',
  'GROUPBY',
]);

/** Parses `fromTimestamp toTimestamp` and the range options from `start`; stops at `stopAt` words. */
function rangeArgs(argv: readonly Bytes[], start: number): { args: RangeArgs; rest: number } {
  const args: RangeArgs = { from: 0, to: '+', latest: false, filterTs: null, filterValue: null, count: -1, align: 0, aggregation: null };
  args.from = text(argv[start]) === '-' ? '-' : timestamp(argv[start], E.fromTs, E.fromTs);
  args.to = text(argv[start + 1]) === '+' ? '+' : timestamp(argv[start + 1], E.toTs, E.toTs);
  let alignGiven = false;
  let bt: BucketTimestamp | null = null;
  let empty = false;
  let i = start + 2;
  for (; i < argv.length; i++) {
    const word = upper(argv[i]);
    if (word === 'LATEST') args.latest = true;
    else if (word === 'FILTER_BY_TS') {
      const list: number[] = [];
      while (i + 1 < argv.length && /^\d+$/.test(text(argv[i + 1]))) list.push(Number(text(argv[++i])));
      if (list.length === 0) throw E.byTs;
      args.filterTs = list.sort((a, b) => a - b);
    } else if (word === 'FILTER_BY_VALUE') {
      if (i + 2 >= argv.length) throw E.byValue;
      args.filterValue = [double(argv[i + 1], E.min), double(argv[i + 2], E.max)];
      i += 2;
    } else if (word === 'COUNT') {
      if (i + 1 >= argv.length) throw E.countMissing;
      const n = integer(argv[++i], E.count);
      if (n <= 0) throw tsdbError('Invalid COUNT value');
      args.count = n;
    } else if (word === 'ALIGN') {
      if (i + 1 >= argv.length) throw wrongArity('ts.range');
      const a = text(argv[++i]);
      if (a.toLowerCase() === 'start' || a === '-') args.align = 'start';
      else if (a.toLowerCase() === 'end' || a === '+') args.align = 'end';
      else if (/^\d+$/.test(a)) args.align = Number(a);
      else throw E.align;
      alignGiven = true;
    } else if (word === 'AGGREGATION') {
      if (i + 2 >= argv.length) throw E.aggregation;
      const agg = text(argv[i + 1]).toLowerCase() as Aggregator;
      if (!AGGREGATORS.includes(agg)) throw E.aggType;
      const bucket = integer(argv[i + 2], E.aggregation);
      if (bucket <= 0) throw E.bucket;
      args.aggregation = { agg, bucket, bt: 'start', empty: false };
      i += 2;
    } else if (word === 'BUCKETTIMESTAMP') {
      if (i + 1 >= argv.length) throw E.bucketTs;
      const b = text(argv[++i]).toLowerCase();
      if (b === '-' || b === 'low' || b === 'start') bt = 'start';
      else if (b === '+' || b === 'high' || b === 'end') bt = 'end';
      else if (b === '~' || b === 'mid') bt = 'mid';
      else throw E.bucketTs;
    } else if (word === 'EMPTY') empty = true;
    else if (word === 'SELECTED_LABELS') {
      // TS.MRANGE's label names (read by mrangeLabels); the range options may follow them.
      while (i + 1 < argv.length && !RANGE_WORDS.has(upper(argv[i + 1]))) i++;
    } else if (word === 'FILTER' || word === 'GROUPBY') break;
  }
  if (args.aggregation === null) {
    if (alignGiven) throw E.alignNeedsAgg;
    if (bt !== null) throw E.bucketTsNeedsAgg;
    if (empty) throw E.emptyNeedsAgg;
  } else {
    args.aggregation.bt = bt ?? 'start';
    args.aggregation.empty = empty;
  }
  return { args, rest: i };
}

/** The samples a range query answers for one series, in reply order. */
function runRange(ctx: CommandContext, key: string, series: TimeSeries, args: RangeArgs, reverse: boolean, applyCount = true): Array<[number, number]> {
  const from = args.from === '-' ? 0 : args.from;
  let ts = series.timestamps;
  let vs = series.values;
  const latest = args.latest ? latestSample(ctx, key, series) : undefined;
  if (latest !== undefined && (series.size === 0 || latest[0] > series.lastTimestamp)) {
    ts = [...ts, latest[0]];
    vs = [...vs, latest[1]];
  }
  const last = ts.length === 0 ? 0 : ts[ts.length - 1];
  const to = args.to === '+' ? last : args.to;
  const sel: Array<[number, number]> = [];
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i];
    if (t < from || t > to) continue;
    if (args.filterTs !== null && !args.filterTs.includes(t)) continue;
    const v = vs[i];
    if (args.filterValue !== null && (v < args.filterValue[0] || v > args.filterValue[1])) continue;
    sel.push([t, v]);
  }
  let out = args.aggregation === null ? sel : aggregateRange(sel, args, from, to);
  if (reverse) out = out.reverse();
  if (applyCount && args.count >= 0) out = out.slice(0, args.count);
  return out;
}

function aggregateRange(sel: Array<[number, number]>, args: RangeArgs, from: number, to: number): Array<[number, number]> {
  const { agg, bucket, bt, empty } = args.aggregation!;
  const align = args.align === 'start' ? from : args.align === 'end' ? to : args.align;
  const groups = new Map<number, Array<[number, number]>>();
  const starts: number[] = [];
  for (const s of sel) {
    const b = bucketStart(s[0], bucket, align);
    let g = groups.get(b);
    if (g === undefined) {
      groups.set(b, (g = []));
      starts.push(b);
    }
    g.push(s);
  }
  const out: Array<[number, number]> = [];
  const stamp = (b: number): number => (bt === 'start' ? Math.max(b, 0) : bt === 'end' ? b + bucket : b + Math.floor(bucket / 2));
  const all = empty && starts.length > 0 ? bucketsBetween(starts[0], starts[starts.length - 1], bucket) : starts;
  let prevLast: [number, number] | undefined;
  for (const b of all) {
    const g = groups.get(b);
    if (g === undefined) {
      // EMPTY: sums and counts of an empty bucket are 0, LAST carries the previous value, others NaN.
      const v = agg === 'sum' || agg === 'count' ? 0 : agg === 'last' && prevLast !== undefined ? prevLast[1] : NaN;
      out.push([stamp(b), v]);
      continue;
    }
    const idx = sel.indexOf(g[0]);
    const prev = idx > 0 ? sel[idx - 1] : undefined;
    const nextIdx = idx + g.length;
    const next = nextIdx < sel.length ? sel[nextIdx] : undefined;
    const v = aggregate(
      agg,
      g.map((s) => s[0]),
      g.map((s) => s[1]),
      { start: b, end: b + bucket, prev, next },
    );
    out.push([stamp(b), v]);
    prevLast = g[g.length - 1];
  }
  return out;
}

function bucketsBetween(first: number, last: number, bucket: number): number[] {
  const out: number[] = [];
  for (let b = first; b <= last; b += bucket) out.push(b);
  return out;
}

function rangeCommand(name: string, reverse: boolean): CommandSpec {
  return tsCommand(name, 'readonly', [1, 1, 1], (ctx, argv) => {
    if (argv.length < 4) throw wrongArity(name);
    const key = keyName(argv[1]);
    const series = existing(ctx, key, false);
    const { args } = rangeArgs(argv, 2);
    return runRange(ctx, key, series, args, reverse).map(([t, v]) => sampleReply(ctx, t, v));
  });
}

// ---- multi-series queries (fan out over every shard) ---------------------------------------------

/** Parses `FILTER expr…` (the filter runs to the end or to GROUPBY). */
function filters(argv: readonly Bytes[], start: number): { filters: LabelMatcher[]; end: number } {
  const out: LabelMatcher[] = [];
  let i = start;
  for (; i < argv.length; i++) {
    const t = text(argv[i]);
    if (t.toUpperCase() === 'GROUPBY') break;
    const m = parseMatcher(t);
    if (m === undefined) throw E.filterParse;
    out.push(m);
  }
  if (out.length === 0) throw E.filterParse;
  if (!out.some(isPositive)) throw E.matcher;
  return { filters: out, end: i };
}

/**
 * The series whose labels match, over every shard of the cache, in key order. RedisTimeSeries
 * answers these commands from its label index across the whole database: on a Redis Enterprise
 * (and AMR) cluster they fan out over the shards, so the emulator reads every primary.
 */
function query(ctx: CommandContext, fs: readonly LabelMatcher[]): Array<[string, TimeSeries]> {
  const found: Array<[string, TimeSeries]> = [];
  for (const shard of ctx.cache.shards) {
    for (const [key, value, when] of shard.keyspace.entries()) {
      if (when !== undefined && when <= ctx.now) continue;
      if (value instanceof TimeSeries && matches(value, fs)) found.push([key, value]);
    }
  }
  return found.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

type LabelChoice = { kind: 'none' } | { kind: 'all' } | { kind: 'selected'; names: string[] };

function chosenLabels(series: TimeSeries, choice: LabelChoice): Array<[string, string | null]> {
  if (choice.kind === 'none') return [];
  if (choice.kind === 'all') return series.labels;
  return choice.names.map((n) => [n, series.labels.find(([k]) => k === n)?.[1] ?? null]);
}

/** WITHLABELS / SELECTED_LABELS, from `start` up to FILTER. Returns where FILTER is. */
function labelChoice(argv: readonly Bytes[], start: number): { choice: LabelChoice; filterAt: number } {
  let choice: LabelChoice = { kind: 'none' };
  let i = start;
  for (; i < argv.length; i++) {
    const word = upper(argv[i]);
    if (word === 'FILTER') return { choice, filterAt: i };
    if (word === 'WITHLABELS') {
      if (choice.kind === 'selected') throw E.withLabelsBoth;
      choice = { kind: 'all' };
    } else if (word === 'SELECTED_LABELS') {
      if (choice.kind === 'all') throw E.withLabelsBoth;
      const names: string[] = [];
      while (i + 1 < argv.length && upper(argv[i + 1]) !== 'FILTER') names.push(text(argv[++i]));
      if (names.length === 0) throw wrongArity('ts.mget');
      choice = { kind: 'selected', names };
    }
  }
  throw E.filterMissing;
}

const mget = tsCommand('ts.mget', 'readonly', [0, 0, 0], (ctx, argv) => {
  if (argv.length < 3) throw wrongArity('ts.mget');
  let latest = false;
  let i = 1;
  if (upper(argv[1]) === 'LATEST') {
    latest = true;
    i = 2;
  }
  const { choice, filterAt } = labelChoice(argv, i);
  const { filters: fs, end } = filters(argv, filterAt + 1);
  if (end !== argv.length) throw E.filterParse;
  const rows = query(ctx, fs).map(([key, s]): [string, Reply, Reply] => [key, labelsReply(ctx, chosenLabels(s, choice)), lastSample(ctx, key, s, latest)]);
  if (resp3(ctx)) return new MapReply(rows.map(([k, l, v]) => [keyReply(k), [l, v]]));
  return rows.map(([k, l, v]) => [keyReply(k), l, v]);
});

const queryindex = tsCommand('ts.queryindex', 'readonly', [0, 0, 0], (ctx, argv) => {
  if (argv.length < 2) throw wrongArity('ts.queryindex');
  const { filters: fs, end } = filters(argv, 1);
  if (end !== argv.length) throw E.filterParse;
  const keys = query(ctx, fs).map(([k]) => keyReply(k));
  return keys;
});

const REDUCERS = ['avg', 'sum', 'min', 'max', 'range', 'count', 'std.p', 'std.s', 'var.p', 'var.s'] as const;
type Reducer = (typeof REDUCERS)[number];

function mrangeCommand(name: string, reverse: boolean): CommandSpec {
  return tsCommand(name, 'readonly', [0, 0, 0], (ctx, argv) => {
    if (argv.length < 4) throw wrongArity(name);
    const { args } = rangeArgs(argv, 1);
    // FILTER comes last (before GROUPBY); WITHLABELS / SELECTED_LABELS sit among the range options.
    let filterAt = -1;
    for (let i = 3; i < argv.length && filterAt < 0; i++) if (upper(argv[i]) === 'FILTER') filterAt = i;
    if (filterAt < 0) throw E.filterMissing;
    const choice = mrangeLabels(argv, 3, filterAt);
    const { filters: fs, end } = filters(argv, filterAt + 1);
    let group: { label: string; reducer: Reducer } | null = null;
    if (end < argv.length) {
      if (end + 1 >= argv.length) throw E.groupBy;
      if (end + 2 >= argv.length || upper(argv[end + 2]) !== 'REDUCE') throw E.reduce;
      if (end + 3 >= argv.length) throw E.reducer;
      const reducer = text(argv[end + 3]).toLowerCase() as Reducer;
      if (!REDUCERS.includes(reducer) || end + 4 !== argv.length) throw E.reducer;
      group = { label: text(argv[end + 1]), reducer };
    }
    const series = query(ctx, fs);
    const aggregators = args.aggregation === null ? [] : [args.aggregation.agg];
    if (group === null) {
      const rows = series.map(([key, s]) => ({
        key,
        labels: labelsReply(ctx, chosenLabels(s, choice)),
        samples: runRange(ctx, key, s, args, reverse).map(([t, v]) => sampleReply(ctx, t, v)),
      }));
      if (resp3(ctx)) {
        return new MapReply(rows.map((r) => [keyReply(r.key), [r.labels, new MapReply([['aggregators', aggregators]]), r.samples]]));
      }
      return rows.map((r) => [keyReply(r.key), r.labels, r.samples]);
    }
    return groupedReply(ctx, series, args, reverse, group, choice);
  });
}

/** WITHLABELS / SELECTED_LABELS among TS.MRANGE's options (names run to the next keyword). */
function mrangeLabels(argv: readonly Bytes[], start: number, filterAt: number): LabelChoice {
  let choice: LabelChoice = { kind: 'none' };
  for (let i = start; i < filterAt; i++) {
    const word = upper(argv[i]);
    if (word === 'WITHLABELS') {
      if (choice.kind === 'selected') throw E.withLabelsBoth;
      choice = { kind: 'all' };
    } else if (word === 'SELECTED_LABELS') {
      if (choice.kind === 'all') throw E.withLabelsBoth;
      const names: string[] = [];
      while (i + 1 < filterAt && !RANGE_WORDS.has(upper(argv[i + 1]))) names.push(text(argv[++i]));
      if (names.length === 0) throw wrongArity('ts.mrange');
      choice = { kind: 'selected', names };
    }
  }
  return choice;
}

function groupedReply(
  ctx: CommandContext,
  series: Array<[string, TimeSeries]>,
  args: RangeArgs,
  reverse: boolean,
  group: { label: string; reducer: Reducer },
  choice: LabelChoice,
): Reply {
  const groups = new Map<string, Array<[string, TimeSeries]>>();
  for (const entry of series) {
    const v = entry[1].labels.find(([k]) => k === group.label)?.[1];
    if (v === undefined) continue;
    const list = groups.get(v);
    if (list === undefined) groups.set(v, [entry]);
    else list.push(entry);
  }
  const names = [...groups.keys()].sort();
  const rows = names.map((value) => {
    const members = groups.get(value)!;
    const byTs = new Map<number, number[]>();
    for (const [key, s] of members) {
      for (const [t, v] of runRange(ctx, key, s, args, false, false)) {
        const list = byTs.get(t);
        if (list === undefined) byTs.set(t, [v]);
        else list.push(v);
      }
    }
    let samples = [...byTs.keys()].sort((a, b) => a - b).map((t): [number, number] => [t, reduce(group.reducer, byTs.get(t)!)]);
    if (reverse) samples = samples.reverse();
    if (args.count >= 0) samples = samples.slice(0, args.count);
    const sources = members.map(([k]) => k).join(',');
    const labels: Array<[string, string]> =
      choice.kind === 'none' ? [] : [[group.label, value], ['__reducer__', group.reducer], ['__source__', sources]];
    return { name: `${group.label}=${value}`, labels, sources: members.map(([k]) => keyReply(k)), samples: samples.map(([t, v]) => sampleReply(ctx, t, v)) };
  });
  if (resp3(ctx)) {
    return new MapReply(
      rows.map((r) => [
        r.name,
        [labelsReply(ctx, r.labels), new MapReply([['reducers', [group.reducer]]]), new MapReply([['sources', r.sources]]), r.samples],
      ]),
    );
  }
  return rows.map((r) => [r.name, labelsReply(ctx, r.labels), r.samples]);
}

function reduce(reducer: Reducer, vs: number[]): number {
  return aggregate(reducer, vs.map((_, i) => i), vs, { start: 0, end: 0 });
}

// ---- TS.CREATERULE / TS.DELETERULE ----------------------------------------------------------------

const BOTH_KEYS = { first: 1, last: 2, step: 1 };

const createrule = tsCommand('ts.createrule', 'write deny-oom', [1, 2, 1], (ctx, argv) => {
  if (argv.length !== 6 && argv.length !== 7) throw wrongArity('ts.createrule');
  const srcKey = keyName(argv[1]);
  const destKey = keyName(argv[2]);
  if (upper(argv[3]) !== 'AGGREGATION') throw E.aggregation;
  const agg = text(argv[4]).toLowerCase() as Aggregator;
  if (!AGGREGATORS.includes(agg)) throw E.aggType;
  const bucket = integer(argv[5], E.aggregation);
  if (bucket <= 0) throw E.bucket;
  const align = argv.length === 7 ? timestamp(argv[6], E.aggregation, E.aggregation) : 0;
  if (srcKey === destKey) throw E.sameKey;
  const src = existing(ctx, srcKey, true);
  const dest = existing(ctx, destKey, true);
  if (dest.srcKey !== null) throw E.destHasSrc;
  if (src.srcKey !== null) throw E.srcIsDest;
  if (dest.rules.length > 0) throw E.destHasRules;
  src.rules.push({ dest: destKey, bucket, aggregator: agg, align, since: -1, open: null });
  dest.srcKey = srcKey;
  src.touched();
  dest.touched();
  ctx.changed(srcKey, 'ts.createrule:src');
  ctx.changed(destKey, 'ts.createrule:dest');
  return OK;
}, BOTH_KEYS);

const deleterule = tsCommand('ts.deleterule', 'write', [1, 2, 1], (ctx, argv) => {
  if (argv.length !== 3) throw wrongArity('ts.deleterule');
  const srcKey = keyName(argv[1]);
  const destKey = keyName(argv[2]);
  const src = existing(ctx, srcKey, true);
  const index = src.rules.findIndex((r) => r.dest === destKey);
  if (index < 0) throw E.noRule;
  src.rules.splice(index, 1);
  src.touched();
  const dest = lookup(ctx, destKey, true);
  if (dest !== undefined) dest.srcKey = null;
  ctx.changed(srcKey, 'ts.deleterule:src');
  if (dest !== undefined) ctx.changed(destKey, 'ts.deleterule:dest');
  return OK;
}, BOTH_KEYS);

/** The 16 commands of RedisTimeSeries 1.12. */
export const timeseriesCommands: readonly CommandSpec[] = [
  create,
  alter,
  add,
  madd,
  incrby('ts.incrby', 1),
  incrby('ts.decrby', -1),
  del,
  get,
  mget,
  rangeCommand('ts.range', false),
  rangeCommand('ts.revrange', true),
  mrangeCommand('ts.mrange', false),
  mrangeCommand('ts.mrevrange', true),
  queryindex,
  info,
  createrule,
  deleterule,
];
