/**
 * The sorted set commands of Redis 7.4: parsing, lookups and replies. The value type, its ordered
 * structure and the range semantics live in `keyspace/types/zset.ts`.
 */
import { defineCommand, type CommandContext, type CommandSpec } from './command.js';
import { keyName, keyReply, type Bytes } from '../keyspace/bytes.js';
import { compileGlob } from '../keyspace/glob.js';
import { parseCursor, scanStep } from '../keyspace/scan.js';
import { SetValue } from '../keyspace/types/set.js';
import {
  ZADD_GT,
  ZADD_INCR,
  ZADD_LT,
  ZADD_NX,
  ZADD_OUT_ADDED,
  ZADD_OUT_NAN,
  ZADD_OUT_NOP,
  ZADD_OUT_UPDATED,
  ZADD_XX,
  ZSet,
  createZset,
  distinctRandomRanks,
  firstInLexRange,
  firstInScoreRange,
  lastInLexRange,
  lastInScoreRange,
  lexCount,
  lexGteMin,
  lexLteMax,
  popZset,
  poppedReply,
  removeLexRange,
  removeScoreRange,
  scoreGteMin,
  scoreLteMax,
  walk,
  zsetForWrite,
  zsetFromPairs,
  zsetLimits,
  type LexBound,
  type LexRange,
  type ScoreRange,
} from '../keyspace/types/zset.js';
import {
  INVALID_CURSOR,
  LEX_RANGE_INVALID,
  LIMIT_NEGATIVE,
  LONG_RANGE_SYMMETRIC,
  MIN_MAX_NOT_FLOAT,
  NOT_FLOAT,
  NOT_INTEGER,
  NOVALUES_ONLY_HSCAN,
  NUMKEYS_NOT_POSITIVE,
  POSITIVE_RANGE,
  SCORE_NAN,
  SYNTAX,
  VALUE_OUT_OF_RANGE,
  WEIGHT_NOT_FLOAT,
  WRONGTYPE,
  ZADD_GT_LT_NX,
  ZADD_INCR_PAIRS,
  ZADD_XX_NX,
  ZMPOP_COUNT_NOT_POSITIVE,
  ZRANGE_LIMIT_BY_RANK,
  ZRANGE_WITHSCORES_BYLEX,
  atLeastOneInputKey,
  wrongArity,
} from '../protocol/errors.js';
import { parseDouble, parseInt64 } from '../protocol/numbers.js';
import { formatDouble } from '../protocol/number-format.js';
import { DoubleReply, NULL_ARRAY, type Reply } from '../protocol/reply.js';

const ONE_KEY = { first: 1, last: 1, step: 1 } as const;
const LONG_MAX = 9223372036854775807n;

// ---------------------------------------------------------------------------------------------
// Arguments

/** An option name as `strcasecmp` sees it: bytes up to the first NUL, upper-cased (ASCII only). */
function option(arg: Bytes): string {
  let s = typeof arg === 'string' ? arg : arg.toString('latin1');
  if (s.length > 16) return '';
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  return s.toUpperCase();
}

/** A `long` argument (`getLongFromObjectOrReply`), as a number (exact enough for every comparison made with it). */
function longArg(arg: Bytes): number {
  const n = parseInt64(arg);
  if (n === null) throw NOT_INTEGER;
  return Number(n);
}

/**
 * `getRangeLongFromObjectOrReply` with a message: a `long` in [min, ∞), else `error` (for text
 * that is not an integer too, as Redis answers then with the same message).
 */
function rangeLongArg(arg: Bytes, min: number, error: Error): number {
  const n = parseInt64(arg);
  if (n === null || n < min) throw error;
  return Number(n);
}

/** `getPositiveLongFromObjectOrReply`: a `long` >= 0, else `error` (non-integers included). */
function positiveLongArg(arg: Bytes, error: Error = POSITIVE_RANGE): number {
  return rangeLongArg(arg, 0, error);
}

/**
 * A double argument as `getDoubleFromObject` reads it (`string2d`): strtod over the whole
 * argument, no leading space, no NaN, and no overflow to infinity or underflow to zero.
 */
export function parseScoreArg(arg: Bytes): number | null {
  const s = typeof arg === 'string' ? arg : arg.toString('latin1');
  const value = parseDouble(s);
  if (value === null || Number.isNaN(value)) return null;
  if (value === Infinity || value === -Infinity) {
    // Only a spelled-out infinity is one; a finite number too large overflowed (ERANGE).
    return /inf/i.test(s) ? value : null;
  }
  if (value === 0 && /^[+-]?(0[xX])?[0.]*[1-9a-fA-F]/.test(s.replace(/[pP][+-]?\d+$|[eE][+-]?\d+$/, ''))) {
    return null; // a nonzero number that underflowed to zero (ERANGE)
  }
  return value;
}

function scoreArg(arg: Bytes): number {
  const value = parseScoreArg(arg);
  if (value === null) throw NOT_FLOAT;
  return value;
}

const C_SPACE = /^[ \t\n\v\f\r]+/;

/**
 * A number as `strtod` reads a range bound: C-string semantics (up to a NUL), leading white space
 * allowed, the whole rest consumed, overflow to infinity allowed; NaN and anything else refused.
 * An empty string reads as 0 (strtod converts nothing and stops at the end).
 */
function strtodWhole(text: string): number | null {
  const nul = text.indexOf('\0');
  if (nul >= 0) text = text.slice(0, nul);
  if (text.length === 0) return 0;
  const body = text.replace(C_SPACE, '');
  if (body.length === 0) return null;
  const value = parseDouble(body);
  if (value === null || Number.isNaN(value)) return null;
  return value;
}

/** `zslParseRange`: `[(]number` bounds. */
function parseScoreRange(minArg: Bytes, maxArg: Bytes): ScoreRange {
  const min = typeof minArg === 'string' ? minArg : minArg.toString('latin1');
  const max = typeof maxArg === 'string' ? maxArg : maxArg.toString('latin1');
  const minex = min.charCodeAt(0) === 40; /* ( */
  const maxex = max.charCodeAt(0) === 40;
  const lo = strtodWhole(minex ? min.slice(1) : min);
  const hi = strtodWhole(maxex ? max.slice(1) : max);
  if (lo === null || hi === null) throw MIN_MAX_NOT_FLOAT;
  return { min: lo, max: hi, minex, maxex };
}

/** `zslParseLexRangeItem`: `-`, `+`, `(value` or `[value`. */
function parseLexBound(arg: Bytes): LexBound | null {
  const s = keyName(arg);
  const c = s.charCodeAt(0);
  if (c === 43 /* + */ || c === 45 /* - */) {
    if (s.length > 1 && s.charCodeAt(1) !== 0) return null;
    return { kind: c === 43 ? 1 : -1, value: '', exclusive: true };
  }
  if (c === 40 /* ( */) return { kind: 0, value: s.slice(1), exclusive: true };
  if (c === 91 /* [ */) return { kind: 0, value: s.slice(1), exclusive: false };
  return null;
}

function parseLexRange(minArg: Bytes, maxArg: Bytes): LexRange {
  const min = parseLexBound(minArg);
  const max = parseLexBound(maxArg);
  if (min === null || max === null) throw LEX_RANGE_INVALID;
  return { min, max };
}

// ---------------------------------------------------------------------------------------------
// Lookups and replies

function readZset(ctx: CommandContext, key: string): ZSet | undefined {
  const value = ctx.db.read(key, ctx.now);
  if (value === undefined) return undefined;
  if (!(value instanceof ZSet)) throw WRONGTYPE;
  return value;
}

/** Members (and scores) as a reply: flat in RESP2, `[member, score]` pairs in RESP3 when with scores. */
class PairsReply {
  readonly members: string[] = [];
  readonly scores: number[] = [];
  /** True when every member is known to be ASCII (sent as it is). */
  ascii = false;
  push = (member: string, score: number): void => {
    this.members.push(member);
    this.scores.push(score);
  };
  reply(withScores: boolean, resp: 2 | 3): Reply[] {
    const out: Reply[] = [];
    const { members, scores, ascii } = this;
    for (let i = 0; i < members.length; i++) {
      const member = ascii ? members[i] : keyReply(members[i]);
      if (!withScores) out.push(member);
      else if (resp === 3) out.push([member, new DoubleReply(scores[i])]);
      else out.push(member, new DoubleReply(scores[i]));
    }
    return out;
  }
}

/**
 * Stores the result of ZUNIONSTORE / ZINTERSTORE / ZDIFFSTORE at `dst` (or deletes `dst` when it is
 * empty) and answers the count: built as a skiplist, then a listpack when small enough.
 */
function storeResult(
  ctx: CommandContext,
  dst: string,
  members: string[],
  scores: number[],
  event: string,
): number {
  if (members.length === 0) {
    if (ctx.db.delete(dst)) ctx.changed(dst, 'del');
    return 0;
  }
  const zset = zsetFromPairs(members, scores);
  let longest = 0;
  for (const m of members) if (m.length > longest) longest = m.length;
  zset.convertToListpackIfSmall(zsetLimits(ctx.cache.settings), longest);
  ctx.db.set(dst, zset);
  ctx.changed(dst, event);
  return members.length;
}

// ---------------------------------------------------------------------------------------------
// ZADD / ZINCRBY / ZREM

function zaddGeneric(ctx: CommandContext, argv: readonly Bytes[], incrbyCommand: boolean): Reply {
  let flags = incrbyCommand ? ZADD_INCR : 0;
  let ch = false;
  let idx = 2;
  for (; idx < argv.length; idx++) {
    const opt = option(argv[idx]);
    if (opt === 'NX') flags |= ZADD_NX;
    else if (opt === 'XX') flags |= ZADD_XX;
    else if (opt === 'CH') ch = true;
    else if (opt === 'INCR') flags |= ZADD_INCR;
    else if (opt === 'GT') flags |= ZADD_GT;
    else if (opt === 'LT') flags |= ZADD_LT;
    else break;
  }
  const incr = (flags & ZADD_INCR) !== 0;
  const elements = argv.length - idx;
  if (elements % 2 !== 0 || elements === 0) throw SYNTAX;
  const pairs = elements / 2;
  const nx = (flags & ZADD_NX) !== 0;
  const gt = (flags & ZADD_GT) !== 0;
  const lt = (flags & ZADD_LT) !== 0;
  if (nx && flags & ZADD_XX) throw ZADD_XX_NX;
  if ((gt && nx) || (lt && nx) || (gt && lt)) throw ZADD_GT_LT_NX;
  if (incr && pairs > 1) throw ZADD_INCR_PAIRS;
  const scores = new Array<number>(pairs);
  for (let j = 0; j < pairs; j++) scores[j] = scoreArg(argv[idx + j * 2]);

  const key = keyName(argv[1]);
  const limits = zsetLimits(ctx.cache.settings);
  let zset = zsetForWrite(ctx, key);
  if (zset === undefined) {
    if (flags & ZADD_XX) return incr ? null : 0;
    zset = createZset(pairs, keyName(argv[idx + 1]).length, limits);
    ctx.db.set(key, zset);
  } else {
    zset.expectAdditions(pairs, limits);
  }
  let added = 0;
  let updated = 0;
  let processed = 0;
  let score = 0;
  try {
    for (let j = 0; j < pairs; j++) {
      const result = zset.add(scores[j], keyName(argv[idx + 1 + j * 2]), flags, limits);
      if (result & ZADD_OUT_NAN) throw SCORE_NAN;
      if (result & ZADD_OUT_ADDED) added++;
      if (result & ZADD_OUT_UPDATED) updated++;
      if (!(result & ZADD_OUT_NOP)) {
        processed++;
        score = zset.newScore;
      }
    }
  } finally {
    if (added + updated > 0) ctx.changed(key, incr ? 'zincr' : 'zadd');
  }
  if (incr) return processed > 0 ? new DoubleReply(score) : null;
  return ch ? added + updated : added;
}

const zadd = defineCommand({
  name: 'zadd',
  arity: -4,
  flags: ['write', 'denyoom', 'fast'],
  keys: ONE_KEY,
  exec: (ctx, argv) => zaddGeneric(ctx, argv, false),
});

const zincrby = defineCommand({
  name: 'zincrby',
  arity: 4,
  flags: ['write', 'denyoom', 'fast'],
  keys: ONE_KEY,
  exec: (ctx, argv) => zaddGeneric(ctx, argv, true),
});

const zrem = defineCommand({
  name: 'zrem',
  arity: -3,
  flags: ['write', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const key = keyName(argv[1]);
    const zset = zsetForWrite(ctx, key);
    if (zset === undefined) return 0;
    let deleted = 0;
    let emptied = false;
    for (let j = 2; j < argv.length; j++) {
      if (zset.delete(keyName(argv[j]))) deleted++;
      if (zset.length === 0) {
        ctx.db.delete(key);
        emptied = true;
        break;
      }
    }
    if (deleted > 0) {
      ctx.changed(key, 'zrem');
      if (emptied) ctx.changed(key, 'del');
    }
    return deleted;
  },
});

// ---------------------------------------------------------------------------------------------
// Reads: ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK ZCOUNT ZLEXCOUNT

const zcard = defineCommand({
  name: 'zcard',
  arity: 2,
  flags: ['readonly', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    return readZset(ctx, keyName(argv[1]))?.length ?? 0;
  },
});

const zscore = defineCommand({
  name: 'zscore',
  arity: 3,
  flags: ['readonly', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const zset = readZset(ctx, keyName(argv[1]));
    if (zset === undefined) return null;
    const score = zset.dict.get(keyName(argv[2]));
    return score === undefined ? null : new DoubleReply(score);
  },
});

const zmscore = defineCommand({
  name: 'zmscore',
  arity: -3,
  flags: ['readonly', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const zset = readZset(ctx, keyName(argv[1]));
    const out: Reply[] = [];
    for (let j = 2; j < argv.length; j++) {
      const score = zset?.dict.get(keyName(argv[j]));
      out.push(score === undefined ? null : new DoubleReply(score));
    }
    return out;
  },
});

function zrankGeneric(ctx: CommandContext, argv: readonly Bytes[], reverse: boolean, name: string): Reply {
  if (argv.length > 4) throw wrongArity(name);
  let withScore = false;
  if (argv.length === 4) {
    if (option(argv[3]) !== 'WITHSCORE') throw SYNTAX;
    withScore = true;
  }
  const zset = readZset(ctx, keyName(argv[1]));
  if (zset === undefined) return withScore ? NULL_ARRAY : null;
  const member = keyName(argv[2]);
  const rank = zset.rank(member, reverse);
  if (rank < 0) return withScore ? NULL_ARRAY : null;
  return withScore ? [rank, new DoubleReply(zset.dict.get(member)!)] : rank;
}

const zrank = defineCommand({
  name: 'zrank',
  arity: -3,
  flags: ['readonly', 'fast'],
  keys: ONE_KEY,
  exec: (ctx, argv) => zrankGeneric(ctx, argv, false, 'zrank'),
});

const zrevrank = defineCommand({
  name: 'zrevrank',
  arity: -3,
  flags: ['readonly', 'fast'],
  keys: ONE_KEY,
  exec: (ctx, argv) => zrankGeneric(ctx, argv, true, 'zrevrank'),
});

const zcount = defineCommand({
  name: 'zcount',
  arity: 4,
  flags: ['readonly', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const range = parseScoreRange(argv[2], argv[3]);
    const zset = readZset(ctx, keyName(argv[1]));
    if (zset === undefined) return 0;
    const first = firstInScoreRange(zset, range);
    if (first < 0) return 0;
    return lastInScoreRange(zset, range) - first + 1;
  },
});

const zlexcount = defineCommand({
  name: 'zlexcount',
  arity: 4,
  flags: ['readonly', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const range = parseLexRange(argv[2], argv[3]);
    const zset = readZset(ctx, keyName(argv[1]));
    if (zset === undefined) return 0;
    return lexCount(zset, range);
  },
});

// ---------------------------------------------------------------------------------------------
// ZRANGE and its relatives

const RANK = 1;
const SCORE = 2;
const LEX = 3;

/**
 * ZRANGE, ZRANGESTORE and the older Z[REV]RANGE[BYSCORE|BYLEX] (`zrangeGenericCommand`): `start`
 * is the position of the source key; `type`/`reverse` null when the options decide.
 */
function zrangeGeneric(
  ctx: CommandContext,
  argv: readonly Bytes[],
  start: number,
  store: boolean,
  fixedType: number | null,
  fixedReverse: boolean | null,
): Reply {
  let type = fixedType;
  let reverse = fixedReverse;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = start + 3; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const opt = option(argv[j]);
    if (!store && opt === 'WITHSCORES') withScores = true;
    else if (opt === 'LIMIT' && left >= 2) {
      offset = longArg(argv[j + 1]);
      limit = longArg(argv[j + 2]);
      j += 2;
    } else if (reverse === null && opt === 'REV') reverse = true;
    else if (type === null && opt === 'BYLEX') type = LEX;
    else if (type === null && opt === 'BYSCORE') type = SCORE;
    else throw SYNTAX;
  }
  reverse ??= false;
  type ??= RANK;
  if (limit !== -1 && type === RANK) throw ZRANGE_LIMIT_BY_RANK;
  if (withScores && type === LEX) throw ZRANGE_WITHSCORES_BYLEX;
  let minIdx = start + 1;
  let maxIdx = start + 2;
  if (reverse && type !== RANK) [minIdx, maxIdx] = [maxIdx, minIdx];

  let rankStart = 0;
  let rankEnd = 0;
  let scoreRange: ScoreRange | null = null;
  let lexRange: LexRange | null = null;
  if (type === RANK) {
    rankStart = longArg(argv[minIdx]);
    rankEnd = longArg(argv[maxIdx]);
  } else if (type === SCORE) scoreRange = parseScoreRange(argv[minIdx], argv[maxIdx]);
  else lexRange = parseLexRange(argv[minIdx], argv[maxIdx]);

  const out = new PairsReply();
  const zset = readZset(ctx, keyName(argv[start]));
  let sizeHint = 0;
  if (zset !== undefined) {
    out.ascii = zset.ascii;
    if (type === RANK) sizeHint = rangeByRank(zset, rankStart, rankEnd, reverse, out);
    else if (type === SCORE) rangeByScore(zset, scoreRange!, offset, limit, reverse, out);
    else rangeByLex(zset, lexRange!, offset, limit, reverse, out);
  }
  if (store) return storeRange(ctx, keyName(argv[1]), out, sizeHint);
  return out.reply(withScores, ctx.client.resp);
}

/**
 * ZRANGESTORE's destination, built as Redis builds it: a set sized for the rank range's length
 * (0 for score and lex ranges: a listpack), then each pair added in reply order, converting on the
 * way (so a score of -0 added while it is still a listpack reads back as 0).
 */
function storeRange(ctx: CommandContext, dst: string, out: PairsReply, sizeHint: number): number {
  const { members, scores } = out;
  if (members.length === 0) {
    if (ctx.db.delete(dst)) ctx.changed(dst, 'del');
    return 0;
  }
  const limits = zsetLimits(ctx.cache.settings);
  const zset = createZset(sizeHint, 0, limits);
  for (let i = 0; i < members.length; i++) zset.add(scores[i], members[i], 0, limits);
  ctx.db.set(dst, zset);
  ctx.changed(dst, 'zrangestore');
  return members.length;
}

/** Collects a rank range; returns its length. */
function rangeByRank(zset: ZSet, start: number, end: number, reverse: boolean, out: PairsReply): number {
  const length = zset.length;
  if (start < 0) start += length;
  if (end < 0) end += length;
  if (start < 0) start = 0;
  if (start > end || start >= length) return 0;
  if (end >= length) end = length - 1;
  const count = end - start + 1;
  walk(zset, reverse ? length - 1 - start : start, count, reverse, out.push);
  return count;
}

function rangeByScore(
  zset: ZSet,
  range: ScoreRange,
  offset: number,
  limit: number,
  reverse: boolean,
  out: PairsReply,
): void {
  const length = zset.length;
  if (offset < 0 || (offset > 0 && offset >= length)) return;
  const count = limit < 0 ? Infinity : limit;
  if (count === 0) return;
  if (reverse) {
    const last = lastInScoreRange(zset, range);
    if (last < 0 || last - offset < 0) return;
    walk(zset, last - offset, count, true, out.push, (_m, s) => scoreGteMin(s, range));
  } else {
    const first = firstInScoreRange(zset, range);
    if (first < 0 || first + offset >= length) return;
    walk(zset, first + offset, count, false, out.push, (_m, s) => scoreLteMax(s, range));
  }
}

function rangeByLex(
  zset: ZSet,
  range: LexRange,
  offset: number,
  limit: number,
  reverse: boolean,
  out: PairsReply,
): void {
  const length = zset.length;
  if (offset < 0 || (offset > 0 && offset >= length)) return;
  const count = limit < 0 ? Infinity : limit;
  if (count === 0) return;
  if (reverse) {
    const last = lastInLexRange(zset, range);
    if (last < 0 || last - offset < 0) return;
    walk(zset, last - offset, count, true, out.push, (m) => lexGteMin(m, range));
  } else {
    const first = firstInLexRange(zset, range);
    if (first < 0 || first + offset >= length) return;
    walk(zset, first + offset, count, false, out.push, (m) => lexLteMax(m, range));
  }
}

const zrange = defineCommand({
  name: 'zrange',
  arity: -4,
  flags: ['readonly'],
  keys: ONE_KEY,
  exec: (ctx, argv) => zrangeGeneric(ctx, argv, 1, false, null, null),
});

const zrangestore = defineCommand({
  name: 'zrangestore',
  arity: -5,
  flags: ['write', 'denyoom'],
  keys: { first: 1, last: 2, step: 1 },
  exec: (ctx, argv) => zrangeGeneric(ctx, argv, 2, true, null, null),
});

const zrevrange = defineCommand({
  name: 'zrevrange',
  arity: -4,
  flags: ['readonly'],
  keys: ONE_KEY,
  exec: (ctx, argv) => zrangeGeneric(ctx, argv, 1, false, RANK, true),
});

const zrangebyscore = defineCommand({
  name: 'zrangebyscore',
  arity: -4,
  flags: ['readonly'],
  keys: ONE_KEY,
  exec: (ctx, argv) => zrangeGeneric(ctx, argv, 1, false, SCORE, false),
});

const zrevrangebyscore = defineCommand({
  name: 'zrevrangebyscore',
  arity: -4,
  flags: ['readonly'],
  keys: ONE_KEY,
  exec: (ctx, argv) => zrangeGeneric(ctx, argv, 1, false, SCORE, true),
});

const zrangebylex = defineCommand({
  name: 'zrangebylex',
  arity: -4,
  flags: ['readonly'],
  keys: ONE_KEY,
  exec: (ctx, argv) => zrangeGeneric(ctx, argv, 1, false, LEX, false),
});

const zrevrangebylex = defineCommand({
  name: 'zrevrangebylex',
  arity: -4,
  flags: ['readonly'],
  keys: ONE_KEY,
  exec: (ctx, argv) => zrangeGeneric(ctx, argv, 1, false, LEX, true),
});

// ---------------------------------------------------------------------------------------------
// ZREMRANGEBYRANK / ZREMRANGEBYSCORE / ZREMRANGEBYLEX

function zremrangeGeneric(ctx: CommandContext, argv: readonly Bytes[], type: number): Reply {
  let start = 0;
  let end = 0;
  let scoreRange: ScoreRange | null = null;
  let lexRange: LexRange | null = null;
  if (type === RANK) {
    start = longArg(argv[2]);
    end = longArg(argv[3]);
  } else if (type === SCORE) scoreRange = parseScoreRange(argv[2], argv[3]);
  else lexRange = parseLexRange(argv[2], argv[3]);
  const key = keyName(argv[1]);
  const zset = zsetForWrite(ctx, key);
  if (zset === undefined) return 0;
  let deleted: number;
  if (type === RANK) {
    const length = zset.length;
    if (start < 0) start += length;
    if (end < 0) end += length;
    if (start < 0) start = 0;
    if (start > end || start >= length) return 0;
    if (end >= length) end = length - 1;
    deleted = zset.removeRanks(start, end);
  } else if (type === SCORE) deleted = removeScoreRange(zset, scoreRange!);
  else deleted = removeLexRange(zset, lexRange!);
  if (deleted > 0) {
    ctx.changed(key, type === RANK ? 'zremrangebyrank' : type === SCORE ? 'zremrangebyscore' : 'zremrangebylex');
    if (zset.length === 0) {
      ctx.db.delete(key);
      ctx.changed(key, 'del');
    }
  }
  return deleted;
}

const zremrangebyrank = defineCommand({
  name: 'zremrangebyrank',
  arity: 4,
  flags: ['write'],
  keys: ONE_KEY,
  exec: (ctx, argv) => zremrangeGeneric(ctx, argv, RANK),
});

const zremrangebyscore = defineCommand({
  name: 'zremrangebyscore',
  arity: 4,
  flags: ['write'],
  keys: ONE_KEY,
  exec: (ctx, argv) => zremrangeGeneric(ctx, argv, SCORE),
});

const zremrangebylex = defineCommand({
  name: 'zremrangebylex',
  arity: 4,
  flags: ['write'],
  keys: ONE_KEY,
  exec: (ctx, argv) => zremrangeGeneric(ctx, argv, LEX),
});

// ---------------------------------------------------------------------------------------------
// ZPOPMIN / ZPOPMAX / ZMPOP

function zpopGeneric(ctx: CommandContext, argv: readonly Bytes[], max: boolean): Reply {
  if (argv.length > 3) throw SYNTAX;
  const counted = argv.length === 3;
  const count = counted ? positiveLongArg(argv[2]) : 1;
  const key = keyName(argv[1]);
  const zset = zsetForWrite(ctx, key);
  if (zset === undefined || count === 0) return [];
  return poppedReply(popZset(ctx, key, zset, max, count), counted && ctx.client.resp === 3);
}

const zpopmin = defineCommand({
  name: 'zpopmin',
  arity: -2,
  flags: ['write', 'fast'],
  keys: ONE_KEY,
  exec: (ctx, argv) => zpopGeneric(ctx, argv, false),
});

const zpopmax = defineCommand({
  name: 'zpopmax',
  arity: -2,
  flags: ['write', 'fast'],
  keys: ONE_KEY,
  exec: (ctx, argv) => zpopGeneric(ctx, argv, true),
});

/** Positions of `numkeys` keys counted at `countAt` (none when the count is not usable). */
function numkeysPositions(argv: readonly Bytes[], countAt: number, before: number[] = []): number[] {
  if (countAt >= argv.length) return before;
  const n = parseInt64(argv[countAt]);
  if (n === null || typeof n === 'bigint' || n < 1 || countAt + n >= argv.length) return before;
  const out = before.slice();
  for (let i = 1; i <= n; i++) out.push(countAt + i);
  return out;
}

const zmpop = defineCommand({
  name: 'zmpop',
  arity: -4,
  flags: ['write', 'movablekeys'],
  keys: (argv) => numkeysPositions(argv, 1),
  exec(ctx, argv) {
    const numkeys = rangeLongArg(argv[1], 1, NUMKEYS_NOT_POSITIVE);
    const whereIdx = 2 + numkeys;
    if (whereIdx >= argv.length) throw SYNTAX;
    const where = option(argv[whereIdx]);
    if (where !== 'MIN' && where !== 'MAX') throw SYNTAX;
    let count = -1;
    for (let j = whereIdx + 1; j < argv.length; j++) {
      if (count === -1 && option(argv[j]) === 'COUNT' && j < argv.length - 1) {
        count = rangeLongArg(argv[++j], 1, ZMPOP_COUNT_NOT_POSITIVE);
      } else throw SYNTAX;
    }
    if (count === -1) count = 1;
    const max = where === 'MAX';
    for (let i = 2; i < whereIdx; i++) {
      const key = keyName(argv[i]);
      const zset = zsetForWrite(ctx, key);
      if (zset === undefined) continue;
      const popped = popZset(ctx, key, zset, max, count);
      ctx.propagate([max ? 'ZPOPMAX' : 'ZPOPMIN', argv[i], String(popped.members.length)]);
      return [keyReply(key), poppedReply(popped, true)];
    }
    return NULL_ARRAY;
  },
});

// ---------------------------------------------------------------------------------------------
// ZRANDMEMBER

const LONG_HALF = LONG_MAX / 2n;
/** The most members a ZRANDMEMBER with a negative count may ask for (see there). */
const MAX_REPLY_ITEMS = 50_000_000n;

const zrandmember = defineCommand({
  name: 'zrandmember',
  arity: -2,
  flags: ['readonly'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const rng = ctx.cache.rng;
    if (argv.length >= 3) {
      const raw = parseInt64(argv[2]);
      if (raw === null) throw NOT_INTEGER;
      const big = BigInt(raw);
      if (big < -LONG_MAX || big > LONG_MAX) throw LONG_RANGE_SYMMETRIC;
      let withScores = false;
      if (argv.length > 4 || (argv.length === 4 && option(argv[3]) !== 'WITHSCORES')) throw SYNTAX;
      if (argv.length === 4) {
        withScores = true;
        if (big < -LONG_HALF || big > LONG_HALF) throw VALUE_OUT_OF_RANGE;
      }
      // Redis would try to build a reply of any length a negative count asks for; a JavaScript
      // array cannot hold more than this, so such counts are refused rather than crash the process.
      if (big < -MAX_REPLY_ITEMS) throw VALUE_OUT_OF_RANGE;
      const l = Number(raw);
      const zset = readZset(ctx, keyName(argv[1]));
      if (zset === undefined) return [];
      const out = new PairsReply();
      out.ascii = zset.ascii;
      const size = zset.length;
      const count = Math.abs(l);
      if (count === 0) return [];
      const tree = zset.tree;
      if (l < 0 || count === 1) {
        for (let i = 0; i < count; i++) {
          const rank = rng.below(size);
          out.push(tree.memberAt(rank), tree.scoreAt(rank));
        }
      } else if (count >= size) {
        // The whole set, in the order Redis iterates a sorted set for these commands: from the top.
        walk(zset, size - 1, size, true, out.push);
      } else {
        for (const rank of distinctRandomRanks(zset, count, rng)) out.push(tree.memberAt(rank), tree.scoreAt(rank));
      }
      return out.reply(withScores, ctx.client.resp);
    }
    const zset = readZset(ctx, keyName(argv[1]));
    if (zset === undefined) return null;
    return zset.reply(zset.tree.memberAt(rng.below(zset.length)));
  },
});

// ---------------------------------------------------------------------------------------------
// ZUNION / ZINTER / ZDIFF, their STORE forms, ZINTERCARD

const UNION = 1;
const INTER = 2;
const DIFF = 3;

interface Source {
  zset: ZSet | null;
  set: SetValue | null;
  weight: number;
  size: number;
}

/** Visits every member of a source with its score (a plain set's members score 1). */
function forEachMember(src: Source, visit: (member: string, score: number) => boolean | void): void {
  if (src.zset !== null) {
    // Redis walks sorted sets from the top for these operations.
    if (src.zset.length > 0) src.zset.tree.forEachFrom(src.zset.length - 1, true, visit);
  } else if (src.set !== null) {
    for (const member of src.set.members()) if (visit(member, 1) === false) return;
  }
}

function findScore(src: Source, member: string): number | undefined {
  if (src.zset !== null) return src.zset.dict.get(member);
  if (src.set !== null) return src.set.has(member) ? 1 : undefined;
  return undefined;
}

const AGG_SUM = 1;
const AGG_MIN = 2;
const AGG_MAX = 3;

function aggregate(target: number, value: number, how: number): number {
  if (how === AGG_SUM) {
    const sum = target + value;
    return Number.isNaN(sum) ? 0 : sum;
  }
  if (how === AGG_MIN) return value < target ? value : target;
  return value > target ? value : target;
}

function zsetOpGeneric(
  ctx: CommandContext,
  argv: readonly Bytes[],
  name: string,
  dst: string | null,
  numkeysIndex: number,
  op: number,
  cardinalityOnly: boolean,
): Reply {
  const setnum = longArg(argv[numkeysIndex]);
  if (setnum < 1) throw atLeastOneInputKey(name);
  if (setnum > argv.length - (numkeysIndex + 1)) throw SYNTAX;
  const sources: Source[] = [];
  let j = numkeysIndex + 1;
  for (let i = 0; i < setnum; i++, j++) {
    const value = ctx.db.read(keyName(argv[j]), ctx.now);
    const src: Source = { zset: null, set: null, weight: 1, size: 0 };
    if (value !== undefined) {
      if (value instanceof ZSet) {
        src.zset = value;
        src.size = value.length;
      } else if (value instanceof SetValue) {
        src.set = value;
        src.size = value.size;
      } else throw WRONGTYPE;
    }
    sources.push(src);
  }
  let how = AGG_SUM;
  let withScores = false;
  let limit = 0;
  while (j < argv.length) {
    const remaining = argv.length - j;
    const opt = option(argv[j]);
    if (op !== DIFF && !cardinalityOnly && remaining >= setnum + 1 && opt === 'WEIGHTS') {
      j++;
      for (let i = 0; i < setnum; i++, j++) {
        const w = parseScoreArg(argv[j]);
        if (w === null) throw WEIGHT_NOT_FLOAT;
        sources[i].weight = w;
      }
    } else if (op !== DIFF && !cardinalityOnly && remaining >= 2 && opt === 'AGGREGATE') {
      const which = option(argv[j + 1]);
      if (which === 'SUM') how = AGG_SUM;
      else if (which === 'MIN') how = AGG_MIN;
      else if (which === 'MAX') how = AGG_MAX;
      else throw SYNTAX;
      j += 2;
    } else if (remaining >= 1 && dst === null && !cardinalityOnly && opt === 'WITHSCORES') {
      withScores = true;
      j++;
    } else if (cardinalityOnly && remaining >= 2 && opt === 'LIMIT') {
      limit = positiveLongArg(argv[j + 1], LIMIT_NEGATIVE);
      j += 2;
    } else throw SYNTAX;
  }
  // Smallest first (a stable sort, as Redis's qsort behaves on these small arrays).
  const ordered = op === DIFF ? sources : sources.slice().sort((a, b) => a.size - b.size);

  const members: string[] = [];
  const scores: number[] = [];
  let cardinality = 0;
  if (op === INTER) {
    const first = ordered[0];
    if (first.size > 0) {
      forEachMember(first, (member, s) => {
        let score = first.weight * s;
        if (Number.isNaN(score)) score = 0;
        for (let k = 1; k < ordered.length; k++) {
          const other = ordered[k];
          const sameObject = (other.zset !== null && other.zset === first.zset) || (other.set !== null && other.set === first.set);
          const found = sameObject ? s : findScore(other, member);
          if (found === undefined) return;
          score = aggregate(score, found * other.weight, how);
        }
        if (cardinalityOnly) {
          cardinality++;
          if (limit > 0 && cardinality >= limit) return false;
        } else {
          members.push(member);
          scores.push(score);
        }
      });
    }
  } else if (op === UNION) {
    const accumulator = new Map<string, number>();
    for (const src of ordered) {
      if (src.size === 0) continue;
      forEachMember(src, (member, s) => {
        let score = src.weight * s;
        if (Number.isNaN(score)) score = 0;
        const existing = accumulator.get(member);
        accumulator.set(member, existing === undefined ? score : aggregate(existing, score, how));
      });
    }
    for (const [member, score] of accumulator) {
      members.push(member);
      scores.push(score);
    }
  } else {
    const first = ordered[0];
    if (first.size > 0) {
      const sameAsFirst = ordered.some(
        (src, k) => k > 0 && ((src.zset !== null && src.zset === first.zset) || (src.set !== null && src.set === first.set)),
      );
      if (!sameAsFirst) {
        forEachMember(first, (member, s) => {
          for (let k = 1; k < ordered.length; k++) if (findScore(ordered[k], member) !== undefined) return;
          members.push(member);
          scores.push(s);
        });
      }
    }
  }

  if (dst !== null) {
    return storeResult(ctx, dst, members, scores, op === UNION ? 'zunionstore' : op === INTER ? 'zinterstore' : 'zdiffstore');
  }
  if (cardinalityOnly) return cardinality;
  const result = zsetFromPairs(members, scores);
  const out = new PairsReply();
  out.ascii = result.ascii;
  if (result.length > 0) walk(result, 0, result.length, false, out.push);
  return out.reply(withScores, ctx.client.resp);
}

/** Keys of ZUNION-style commands: numkeys at `countAt`, then the keys; the destination first for the STORE forms. */
function storeKeys(argv: readonly Bytes[]): number[] {
  return numkeysPositions(argv, 2, [1]);
}

const zunionstore = defineCommand({
  name: 'zunionstore',
  arity: -4,
  flags: ['write', 'denyoom', 'movablekeys'],
  keys: storeKeys,
  exec: (ctx, argv) => zsetOpGeneric(ctx, argv, 'zunionstore', keyName(argv[1]), 2, UNION, false),
});

const zinterstore = defineCommand({
  name: 'zinterstore',
  arity: -4,
  flags: ['write', 'denyoom', 'movablekeys'],
  keys: storeKeys,
  exec: (ctx, argv) => zsetOpGeneric(ctx, argv, 'zinterstore', keyName(argv[1]), 2, INTER, false),
});

const zdiffstore = defineCommand({
  name: 'zdiffstore',
  arity: -4,
  flags: ['write', 'denyoom', 'movablekeys'],
  keys: storeKeys,
  exec: (ctx, argv) => zsetOpGeneric(ctx, argv, 'zdiffstore', keyName(argv[1]), 2, DIFF, false),
});

const zunion = defineCommand({
  name: 'zunion',
  arity: -3,
  flags: ['readonly', 'movablekeys'],
  keys: (argv) => numkeysPositions(argv, 1),
  exec: (ctx, argv) => zsetOpGeneric(ctx, argv, 'zunion', null, 1, UNION, false),
});

const zinter = defineCommand({
  name: 'zinter',
  arity: -3,
  flags: ['readonly', 'movablekeys'],
  keys: (argv) => numkeysPositions(argv, 1),
  exec: (ctx, argv) => zsetOpGeneric(ctx, argv, 'zinter', null, 1, INTER, false),
});

const zdiff = defineCommand({
  name: 'zdiff',
  arity: -3,
  flags: ['readonly', 'movablekeys'],
  keys: (argv) => numkeysPositions(argv, 1),
  exec: (ctx, argv) => zsetOpGeneric(ctx, argv, 'zdiff', null, 1, DIFF, false),
});

const zintercard = defineCommand({
  name: 'zintercard',
  arity: -3,
  flags: ['readonly', 'movablekeys'],
  keys: (argv) => numkeysPositions(argv, 1),
  exec: (ctx, argv) => zsetOpGeneric(ctx, argv, 'zintercard', null, 1, INTER, true),
});

// ---------------------------------------------------------------------------------------------
// ZSCAN

const zscan = defineCommand({
  name: 'zscan',
  arity: -3,
  flags: ['readonly'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const cursor = parseCursor(keyName(argv[2]));
    if (cursor === null) throw INVALID_CURSOR;
    const zset = readZset(ctx, keyName(argv[1]));
    if (zset === undefined) return ['0', []];
    let count = 10;
    let match: ((member: string) => boolean) | null = null;
    for (let i = 3; i < argv.length; ) {
      const remaining = argv.length - i;
      const opt = option(argv[i]);
      if (opt === 'COUNT' && remaining >= 2) {
        const n = longArg(argv[i + 1]);
        if (n < 1) throw SYNTAX;
        count = n;
        i += 2;
      } else if (opt === 'MATCH' && remaining >= 2) {
        const pattern = keyName(argv[i + 1]);
        match = pattern === '*' ? null : compileGlob(pattern);
        i += 2;
      } else if (opt === 'NOVALUES') {
        throw NOVALUES_ONLY_HSCAN;
      } else throw SYNTAX;
    }
    const out: Reply[] = [];
    if (zset.listpack) {
      // A listpack is answered whole, in order, whatever the cursor.
      walk(zset, 0, zset.length, false, (member, score) => {
        if (match === null || match(member)) out.push(keyReply(member), formatDouble(score));
      });
      return ['0', out];
    }
    const step = scanStep([{ index: 0, map: zset.dict }], cursor, count);
    for (const member of step.keys) {
      if (match !== null && !match(member)) continue;
      out.push(keyReply(member), formatDouble(zset.dict.get(member)!));
    }
    return [step.cursor.toString(), out];
  },
});

export const zsetCommands: CommandSpec[] = [
  zadd,
  zincrby,
  zrem,
  zcard,
  zscore,
  zmscore,
  zrank,
  zrevrank,
  zcount,
  zlexcount,
  zrange,
  zrangestore,
  zrevrange,
  zrangebyscore,
  zrevrangebyscore,
  zrangebylex,
  zrevrangebylex,
  zremrangebyrank,
  zremrangebyscore,
  zremrangebylex,
  zpopmin,
  zpopmax,
  zmpop,
  zrandmember,
  zunionstore,
  zinterstore,
  zdiffstore,
  zunion,
  zinter,
  zdiff,
  zintercard,
  zscan,
];
