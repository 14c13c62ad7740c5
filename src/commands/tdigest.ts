/**
 * RedisBloom 2.8's t-digest commands (`TDIGEST.*`), registered with the module (src/modules.ts).
 * The digest is `keyspace/types/tdigest.ts`. Registered through rmutil as the module does
 * (`write deny-oom` or `readonly`, keys 1/1/1: TDIGEST.MERGE declares only its destination).
 * Every check runs in `rm_tdigest.c`'s order (the key before the arguments, where the module opens
 * it first); error texts are the module's. Writes replicate verbatim; the module raises no keyspace
 * events. Doubles are replied with `RedisModule_ReplyWithDouble`: a bulk string in RESP2
 * (`nan`, `inf`, `-inf` included), a double in RESP3.
 */
import { argIndex, bloomCommand, longLong, valueAt } from './bloom.js';
import type { CommandContext, CommandSpec } from './command.js';
import { parseScoreArg } from './zsets.js';
import { keyName, toBuffer, type Bytes } from '../keyspace/bytes.js';
import { TDigest } from '../keyspace/types/tdigest.js';
import { ReplyError, WRONGTYPE, wrongArity } from '../protocol/errors.js';
import { DoubleReply, MapReply, OK, StatusReply, type Reply } from '../protocol/reply.js';

const err = (text: string): ReplyError => new ReplyError(`ERR T-Digest: ${text}`);
const WRITE = ['write', 'denyoom'] as const;
const READ = ['readonly'] as const;
/** `TD_DEFAULT_COMPRESSION`. */
const DEFAULT_COMPRESSION = 100;
/** `(long long)NAN` on x86-64 (`cvttsd2si`): what RANK of a digest whose CDF is nan replies. */
const LLONG_FROM_NAN = -(2n ** 63n);

/** `_TDigest_KeyCheck`: the digest at a key; the module's errors for a missing key or another type. */
function digestAt(ctx: CommandContext, key: string, write: boolean): TDigest {
  return valueAt(ctx, key, write, TDigest, 'ERR T-Digest: key does not exist');
}

/** `_TDigest_ParseCompressionParameter`. */
function compressionArg(arg: Bytes): number {
  const n = longLong(arg);
  if (n === null) throw err('error parsing compression parameter');
  if (n <= 0) throw err('compression parameter needs to be a positive integer');
  return n;
}

/**
 * Each argument parsed as a double the way the module's `RedisModule_StringToDouble` parses it
 * (NaN and out-of-range values refused); an unparsable one throws `ERR T-Digest: <message>`.
 * `check` runs on each value as it is read, as the module's loops check.
 */
function doubles(args: readonly Bytes[], error: string, check?: (value: number) => void): number[] {
  return args.map((arg) => {
    const value = parseScoreArg(arg);
    if (value === null) throw err(error);
    check?.(value);
    return value;
  });
}

const doubleReplies = (values: readonly number[]): Reply[] => values.map((v) => new DoubleReply(v));

/** TDIGEST.CREATE key [COMPRESSION compression]. */
const create = bloomCommand('tdigest.create', WRITE, (ctx, argv) => {
  if (argv.length !== 2 && argv.length !== 4) throw wrongArity('tdigest.create');
  const key = keyName(argv[1]);
  const existing = ctx.db.get(key, ctx.now);
  if (existing !== undefined) throw existing instanceof TDigest ? err('key already exists') : WRONGTYPE;
  let compression = DEFAULT_COMPRESSION;
  if (argv.length === 4) {
    // The keyword is looked for in both arguments; the value is always the last one.
    if (argIndex(argv.slice(2), 'COMPRESSION') === -1) throw err('wrong keyword');
    compression = compressionArg(argv[3]);
  }
  const digest = TDigest.create(compression);
  if (digest === null) throw err('allocation failed');
  ctx.db.set(key, digest);
  ctx.changed(key);
  return OK;
});

const reset = bloomCommand('tdigest.reset', WRITE, (ctx, argv) => {
  if (argv.length !== 2) throw wrongArity('tdigest.reset');
  const key = keyName(argv[1]);
  digestAt(ctx, key, true).reset();
  ctx.changed(key);
  return OK;
});

/** TDIGEST.ADD key value [value …]: every value is parsed before any is added. */
const add = bloomCommand('tdigest.add', WRITE, (ctx, argv) => {
  if (argv.length < 3) throw wrongArity('tdigest.add');
  const key = keyName(argv[1]);
  const digest = digestAt(ctx, key, true);
  const values = doubles(argv.slice(2), 'error parsing val parameter', (v) => {
    if (!Number.isFinite(v)) throw err('val parameter needs to be a finite number');
  });
  for (const value of values) {
    // Only a weight sum past 2^63 fails (after merges); the values before it stay added and
    // nothing is replicated, as in the module.
    if (!digest.add(value, 1)) throw err('overflow detected');
  }
  ctx.changed(key);
  return OK;
});

/** TDIGEST.MERGE destination numkeys source [source …] [COMPRESSION compression] [OVERRIDE]. */
const merge = bloomCommand('tdigest.merge', WRITE, (ctx, argv) => {
  if (argv.length < 4) throw wrongArity('tdigest.merge');
  const destKey = keyName(argv[1]);
  const existing = ctx.db.get(destKey, ctx.now);
  if (existing !== undefined && !(existing instanceof TDigest)) throw WRONGTYPE;
  const start = existing;
  const numKeys = longLong(argv[2]);
  if (numKeys === null) throw err('error parsing numkeys');
  if (numKeys <= 0) throw err('numkeys needs to be a positive integer');
  if (numKeys > argv.length - 3) throw wrongArity('tdigest.merge');
  let compression = start?.compression ?? 0;
  // Without COMPRESSION, a new destination takes the largest compression of its sources.
  let useMax = start === undefined;
  let override = false;
  const rest = argv.slice(3 + numKeys);
  if (rest.length > 0) {
    const at = argIndex(rest, 'COMPRESSION');
    if (at !== -1) {
      useMax = false;
      if (at + 1 >= rest.length) throw wrongArity('tdigest.merge');
      compression = compressionArg(rest[at + 1]);
    }
    // Other arguments beside a keyword go unread, as in the module.
    if (argIndex(rest, 'OVERRIDE') !== -1) {
      override = true;
      if (at === -1) {
        useMax = true;
        compression = 0;
      }
    } else if (at === -1) {
      throw err('wrong keyword');
    }
  }
  const sources: TDigest[] = [];
  for (let i = 0; i < numKeys; i++) {
    const name = argv[3 + i];
    let source: TDigest;
    if (!toBuffer(name).equals(toBuffer(argv[1]))) source = digestAt(ctx, keyName(name), false);
    else if (start !== undefined) source = start;
    else throw err('key does not exist');
    if (useMax) compression = Math.max(compression, source.compression);
    sources.push(source);
  }
  const merged = TDigest.create(compression);
  if (merged === null) throw err('allocation of destination digest failed');
  // The old contents first (unless OVERRIDE); the module ignores an overflow there.
  if (start !== undefined && !override) merged.mergeFrom(start);
  for (const source of sources) {
    if (!merged.mergeFrom(source)) throw err('overflow detected');
  }
  // RedisModule_ModuleTypeSetValue replaces the key: any TTL goes with the old value.
  ctx.db.set(destKey, merged);
  ctx.changed(destKey);
  return OK;
});

function extreme(name: string, pick: (digest: TDigest) => number): CommandSpec {
  return bloomCommand(name, READ, (ctx, argv) => {
    if (argv.length !== 2) throw wrongArity(name);
    const digest = digestAt(ctx, keyName(argv[1]), false);
    return new DoubleReply(digest.size() > 0 ? pick(digest) : NaN);
  });
}

/** TDIGEST.QUANTILE key quantile [quantile …]: each ascending run is one walk over the centroids. */
const quantile = bloomCommand('tdigest.quantile', READ, (ctx, argv) => {
  if (argv.length < 3) throw wrongArity('tdigest.quantile');
  const digest = digestAt(ctx, keyName(argv[1]), false);
  const qs = doubles(argv.slice(2), 'error parsing quantile', (q) => {
    if (q < 0 || q > 1) throw err('quantile should be in [0,1]');
  });
  const out: number[] = [];
  for (let i = 0; i < qs.length; i++) {
    const runStart = i;
    while (i < qs.length - 1 && qs[i] <= qs[i + 1]) i++;
    out.push(...digest.quantiles(qs.slice(runStart, i + 1)));
  }
  return doubleReplies(out);
});

const cdf = bloomCommand('tdigest.cdf', READ, (ctx, argv) => {
  if (argv.length < 3) throw wrongArity('tdigest.cdf');
  const digest = digestAt(ctx, keyName(argv[1]), false);
  const values = doubles(argv.slice(2), 'error parsing cdf');
  return doubleReplies(values.map((v) => digest.cdf(v)));
});

const trimmedMean = bloomCommand('tdigest.trimmed_mean', READ, (ctx, argv) => {
  if (argv.length !== 4) throw wrongArity('tdigest.trimmed_mean');
  const digest = digestAt(ctx, keyName(argv[1]), false);
  const [low] = doubles([argv[2]], 'error parsing low_cut_percentile');
  const [high] = doubles([argv[3]], 'error parsing high_cut_percentile');
  if (low < 0 || low > 1 || high < 0 || high > 1) throw err('low_cut_percentile and high_cut_percentile should be in [0,1]');
  if (low >= high) throw err('low_cut_percentile should be lower than high_cut_percentile');
  return new DoubleReply(digest.trimmedMean(low, high));
});

/** C's `round` (halves away from zero). */
const roundHalfAway = (x: number): number => Math.sign(x) * Math.round(Math.abs(x));

/** `_halfRoundDown`: halves toward zero, other fractions to the nearest integer. */
function halfRoundDown(x: number): number {
  const whole = Math.trunc(x);
  const fraction = x - whole;
  if (Math.abs(fraction) <= 0.5) return whole;
  return whole >= 0 ? whole + 1 : whole - 1;
}

/** A rank as `(long long)` makes it: nan (a digest whose CDF is nan) becomes LLONG_MIN. */
const rankReply = (rank: number): number | bigint => (Number.isNaN(rank) ? LLONG_FROM_NAN : rank);

/**
 * TDIGEST.RANK / REVRANK: -2 for an empty digest, -1 or the count outside [min, max], else the CDF
 * times the count, rounded half down (RANK) or half away from zero (REVRANK).
 */
function rankCommand(name: string, reverse: boolean): CommandSpec {
  return bloomCommand(name, READ, (ctx, argv) => {
    if (argv.length < 3) throw wrongArity(name);
    const digest = digestAt(ctx, keyName(argv[1]), false);
    const values = doubles(argv.slice(2), 'error parsing value');
    const size = digest.size();
    return values.map((value) => {
      if (size === 0) return -2;
      if (value < digest.min) return reverse ? size : -1;
      if (value > digest.max) return reverse ? -1 : size;
      const scaled = digest.cdf(value) * size;
      return rankReply(reverse ? roundHalfAway(size - roundHalfAway(scaled)) : halfRoundDown(scaled));
    });
  });
}

/**
 * TDIGEST.BYRANK / BYREVRANK: nan for an empty digest, min (max) for rank 0, inf (-inf) from the
 * count up, else the quantile at rank / count (reverse: (count − rank − 1) / count).
 */
function byRankCommand(name: string, reverse: boolean): CommandSpec {
  return bloomCommand(name, READ, (ctx, argv) => {
    if (argv.length < 3) throw wrongArity(name);
    const digest = digestAt(ctx, keyName(argv[1]), false);
    const ranks = argv.slice(2).map((arg) => {
      const rank = longLong(arg);
      if (rank === null) throw err('error parsing rank');
      if (rank < 0) throw err('rank needs to be non negative');
      return rank;
    });
    const size = digest.size();
    return doubleReplies(
      ranks.map((rank) => {
        if (size === 0) return NaN;
        if (rank === 0) return reverse ? digest.max : digest.min;
        if (rank >= size) return reverse ? -Infinity : Infinity;
        return digest.quantile((reverse ? size - rank - 1 : rank) / size);
      }),
    );
  });
}

/** TDIGEST.INFO: a map in RESP3, a flat array in RESP2 (`RedisModule_ReplyWithMapOrArray`). */
const info = bloomCommand('tdigest.info', READ, (ctx, argv) => {
  if (argv.length !== 2) throw wrongArity('tdigest.info');
  const digest = digestAt(ctx, keyName(argv[1]), false);
  const fields: Array<[string, number]> = [
    ['Compression', digest.compression],
    ['Capacity', digest.cap],
    ['Merged nodes', digest.mergedNodes],
    ['Unmerged nodes', digest.unmergedNodes],
    ['Merged weight', digest.mergedWeight],
    ['Unmerged weight', digest.unmergedWeight],
    ['Observations', digest.size()],
    ['Total compressions', digest.totalCompressions],
    ['Memory usage', digest.memoryUsage()],
  ];
  return new MapReply(fields.map(([name, value]) => [new StatusReply(name), value]));
});

/** The t-digest commands of RedisBloom 2.8, in the module's registration order. */
export const tdigestCommands: readonly CommandSpec[] = [
  create,
  add,
  reset,
  merge,
  extreme('tdigest.min', (d) => d.min),
  extreme('tdigest.max', (d) => d.max),
  quantile,
  byRankCommand('tdigest.byrank', false),
  byRankCommand('tdigest.byrevrank', true),
  rankCommand('tdigest.rank', false),
  rankCommand('tdigest.revrank', true),
  cdf,
  trimmedMean,
  info,
];
