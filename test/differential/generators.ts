/**
 * fast-check generators of command sequences for the differential test (random.test.ts).
 *
 * Every implemented command (from `allCommands` at run time) gets an argument generator: a
 * hand-written one for the string, generic key, list, hash, set, sorted-set and blocking commands,
 * a generic one (arguments drawn from the shared pools, subcommands for containers) for the rest.
 * Arguments come from small pools so that commands in one sequence collide on the same keys:
 * plain, hash-tagged (`{t}a`), binary, non-ASCII and `__proto__` keys; values with int64 edges,
 * floats, `inf`, spaces and binary bytes; members and fields that include `__proto__`,
 * `constructor`, bytes and integers (intsets); scores with ±inf, exclusive bounds, int64 edges and
 * `nan` text; lex bounds. Collection commands favour three keys, so that reads find what pushes
 * left, and sometimes land on a string or the hash fixture (WRONGTYPE).
 *
 * Blocking commands appear on their own with short timeouts (a live server that finds nothing
 * waits them out) and inside generated transactions (`MULTI … EXEC|DISCARD`), where they never
 * block, so any timeout goes there, 0 included. Their interleaving with pushes from other clients
 * is blocking-rounds.ts's job.
 *
 * Absolute times (EXPIREAT, PXAT …) are symbolic (`{ at, offset }`) and resolved against the
 * server's clock when the sequence runs. Relative TTLs are either ≤ 0 or ≥ 100 s, so no key
 * expires while a sequence runs (a sequence takes milliseconds): expiry races would be noise.
 */
import fc from 'fast-check';
import type { CommandSpec } from '../../src/commands/command.js';
import { EXCLUDED_FROM_RANDOM } from './known-differences.js';
import { crc64 } from '../../src/keyspace/rdb/crc64.js';

/** An absolute time `offset` seconds (`at: 's'`) or ms (`at: 'ms'`) from the sequence start. */
export interface AbsTime {
  readonly at: 's' | 'ms';
  readonly offset: number;
}

export type Arg = string | Buffer | AbsTime;

/**
 * One generated step: a command; a fixture that makes `key` hold a value of another type
 * (a hash) on both sides, for WRONGTYPE paths (fixture replies are not compared); or a
 * transaction `MULTI, commands…, EXEC|DISCARD` (every reply compared, EXEC's element by element),
 * where blocking commands run as their non-blocking forms.
 */
export type Step = { argv: Arg[] } | { fixture: 'hash'; key: Arg } | { tx: Arg[][]; end: 'EXEC' | 'DISCARD' };

export interface Sequence {
  resp: 2 | 3;
  steps: Step[];
}

// ---------------------------------------------------------------------------------------------
// Pools

export const BINARY_KEY = Buffer.from([0xff, 0x00, 0xfe, 0x80]);
const BINARY_VALUE = Buffer.from([0x00, 0xc3, 0x28, 0xff, 0x0a]);

/** Keys: few, so commands collide; tagged pairs share a slot. */
export const KEYS: readonly Arg[] = ['a', 'b', 'c', '{t}a', '{t}b', 'k:1', '__proto__', 'ключ', BINARY_KEY];

const INT64_EDGES = [
  '9223372036854775807',
  '-9223372036854775808',
  '9223372036854775806',
  '-9223372036854775807',
  '9223372036854775808',
  '-9223372036854775809',
];

export const VALUES: readonly Arg[] = [
  '', '0', '1', '-1', '10', '007', '0x10', ' 1', '1 ', '+1', '-0', '3.14', '-2.5', '0.1', '1e3', '1.5e308',
  '5e-324', '1e-5', 'inf', '-inf', 'nan', 'abc', 'hello world', 'ü', 'ключ', '17.0', '1.', '12345678901234567890',
  'x'.repeat(50), BINARY_VALUE, ...INT64_EDGES,
];

const INTS: readonly string[] = [
  '0', '1', '-1', '2', '3', '5', '10', '100', '-5', '-100', 'abc', '1.5', '', ' 1', '0x10', '+2', '007', ...INT64_EDGES,
];

const FLOATS: readonly string[] = [
  '0', '1', '1.5', '-2.5', '0.1', '1e3', '1e308', '1.7976931348623157e308', '-1.7976931348623157e308', '5e-324',
  'inf', '-inf', '+inf', 'nan', 'abc', '', '1e', '.5', '5.', '0x10', ' 1', '1 ', '-0', '10', ...INT64_EDGES,
];

/** Relative TTLs in seconds: never small and positive (see the module comment). */
const TTL_S: readonly string[] = [
  '0', '-1', '-100', '100', '1000', '10000', 'abc', '1.5', '', '9223372036854775807', '-9223372036854775808',
  '9223372036854775', '9223372036854776', '4611686018427388', '-9223372036854775',
];
const TTL_MS: readonly string[] = [
  '0', '-1', '100000', '5000000', 'abc', '1.5', '9223372036854775807', '9223372036854775806',
  '-9223372036854775808', '9223372036854775000',
];

const PATTERNS: readonly Arg[] = [
  '*', 'a*', '*a*', '?', '{t}*', '\\{t\\}*', '[ab]', '[^a]*', '[a-c]', 'k:?', 'ключ', '*\\*', '[', 'a\\', '**',
  '__proto__', Buffer.from([0xff, 0x2a]),
];

const RANGE: readonly string[] = [
  '0', '1', '2', '3', '-1', '-2', '-100', '100', '9223372036854775807', '-9223372036854775808', 'abc',
];

/**
 * A DUMP payload in RDB version 10 (what both the live 7.0 server and the emulator's 7.4 accept)
 * for a serialised value given in hex: type byte and value, then the version and the CRC-64.
 */
function payloadV10(valueHex: string): Buffer {
  const body = Buffer.concat([Buffer.from(valueHex, 'hex'), Buffer.from([10, 0])]);
  const crc = Buffer.alloc(8);
  crc.writeBigUInt64LE(crc64(body));
  return Buffer.concat([body, crc]);
}

/** RESTORE payloads: a string, a list, an intset, a hash, a sorted set; then broken ones. */
const RESTORE_PAYLOADS: readonly Arg[] = [
  payloadV10('000568656c6c6f'),
  payloadV10('1201021111000000040081610281620201010201ff'),
  payloadV10('0b0e0200000003000000010002000300'),
  payloadV10('100d0d000000020081660281760 2ff'.replace(' ', '')),
  payloadV10('1114140000000400816102010181620283322e3504ff'),
  Buffer.concat([payloadV10('000568656c6c6f').subarray(0, -1), Buffer.from([0])]), // checksum wrong
  payloadV10('000568656c6c'), // value cut short: bad data format
  'short',
];

// ---------------------------------------------------------------------------------------------
// Building blocks

const from = <T>(items: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...items);
const key = from(KEYS);
const smallInt = fc.integer({ min: -5, max: 50 }).map(String);
const value: fc.Arbitrary<Arg> = fc.oneof(
  { weight: 6, arbitrary: from(VALUES) },
  { weight: 2, arbitrary: smallInt },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);
const int = fc.oneof({ weight: 3, arbitrary: from(INTS) }, { weight: 2, arbitrary: smallInt });
const float = fc.oneof({ weight: 3, arbitrary: from(FLOATS) }, { weight: 1, arbitrary: smallInt });
const ttlS = from(TTL_S);
const ttlMs = from(TTL_MS);
const absS: fc.Arbitrary<Arg> = fc.oneof(
  fc.constantFrom<AbsTime>({ at: 's', offset: -1000 }, { at: 's', offset: -2 }, { at: 's', offset: 100 }, { at: 's', offset: 100000 }),
  from(['0', '1', '-1', 'abc', '9223372036854775807', '9223372036854775']),
);
const absMs: fc.Arbitrary<Arg> = fc.oneof(
  fc.constantFrom<AbsTime>(
    { at: 'ms', offset: -100000 },
    { at: 'ms', offset: -1 },
    { at: 'ms', offset: 100000 },
    { at: 'ms', offset: 10000000 },
  ),
  from(['0', '1', '-1', 'abc', '9223372036854775807']),
);

/** The command name, usually upper case, sometimes lower or mixed case. */
function name(command: string): fc.Arbitrary<string> {
  const mixed = [...command].map((ch, i) => (i % 2 ? ch.toLowerCase() : ch.toUpperCase())).join('');
  return fc.oneof({ weight: 8, arbitrary: fc.constant(command.toUpperCase()) }, { weight: 1, arbitrary: fc.constantFrom(command, mixed) });
}

const tok = (...words: Arg[]) => fc.constant<Arg[]>(words);
const pair = (word: string, arb: fc.Arbitrary<Arg>) => arb.map((v): Arg[] => [word, v]);
/** Up to `max` option groups, concatenated. */
const options = (max: number, ...groups: fc.Arbitrary<Arg[]>[]) =>
  fc.array(fc.oneof(...groups), { maxLength: max }).map((parts) => parts.flat());

type ArgsArb = fc.Arbitrary<Arg[]>;
const seq = (...parts: Array<fc.Arbitrary<Arg> | fc.Arbitrary<Arg[]>>): ArgsArb =>
  fc.tuple(...parts).map((items) => items.flatMap((item) => (Array.isArray(item) ? item : [item])) as Arg[]);

const keys = (min: number, max: number) => fc.array(key, { minLength: min, maxLength: max });
/** Mostly `n` items, sometimes fewer or more (arity errors). */
const mostly = <T>(arb: fc.Arbitrary<T>, n: number, max: number) =>
  fc.oneof({ weight: 6, arbitrary: fc.array(arb, { minLength: n, maxLength: n }) }, { weight: 1, arbitrary: fc.array(arb, { maxLength: max }) });
const keyValues = (max: number) =>
  fc
    .tuple(fc.array(fc.tuple(key, value), { maxLength: max }), fc.option(key, { freq: 8, nil: undefined }))
    .map(([pairs, dangling]) => [...pairs.flat(), ...(dangling === undefined ? [] : [dangling])]);

const setExpiry = fc.oneof(pair('EX', ttlS), pair('PX', ttlMs), pair('EXAT', absS), pair('PXAT', absMs));
const expireFlags = options(2, tok('NX'), tok('XX'), tok('GT'), tok('LT'), tok('gt'), tok('BOGUS'));

// ---------------------------------------------------------------------------------------------
// Collections: lists, hashes, sets, sorted sets

const BINARY_MEMBER = Buffer.from([0x80, 0x00, 0xff]);

/**
 * Keys for collection commands: mostly three of the shared keys (so pushes and reads meet on the
 * same collections), sometimes any key of the pool (strings and the hash fixture: WRONGTYPE).
 */
const ckey = fc.oneof({ weight: 5, arbitrary: from<Arg>(['a', 'b', '{t}a']) }, { weight: 3, arbitrary: key });

/** Members, fields and list elements: a few common ones, integers (intsets), prototype names, bytes. */
const COMMON_MEMBERS: readonly Arg[] = ['a', 'b', 'c', 'd', '1', '2', '10'];
const MEMBERS: readonly Arg[] = [
  'x', '0', '-1', '', '3.14', 'inf', 'nan', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'ключ', 'ü',
  BINARY_MEMBER, '9223372036854775807', '-9223372036854775808', '12345678901234567890', 'a'.repeat(70),
];
const member: fc.Arbitrary<Arg> = fc.oneof({ weight: 5, arbitrary: from(COMMON_MEMBERS) }, { weight: 3, arbitrary: from(MEMBERS) });
const members = (max: number) => fc.array(member, { minLength: 1, maxLength: max });

/** Scores: mostly valid (inf, int64 edges, 2^53+1, denormals), sometimes not a float at all. */
const GOOD_SCORES: readonly string[] = [
  '0', '1', '2', '3', '-1', '1.5', '-2.5', '10', '100', '0.1', 'inf', '-inf', '+inf', '-0', '1e308', '5e-324',
  '9007199254740993', '9223372036854775807', '-9223372036854775808', '1.7976931348623157e308',
];
const BAD_SCORES: readonly string[] = ['nan', 'abc', '', '(1', '1e', '0x10', ' 1', '1 ', 'NaN'];
const score = fc.oneof({ weight: 9, arbitrary: from(GOOD_SCORES) }, { weight: 1, arbitrary: from(BAD_SCORES) });

/** Score range bounds: inclusive, exclusive `(`, infinities, and malformed ones. */
const SCORE_BOUNDS: readonly string[] = [
  '-inf', '+inf', 'inf', '0', '1', '2', '(1', '(0', '(2', '1.5', '-1', '(-inf', '(+inf', '10', '(10', '5e-324',
  '(5e-324', '9223372036854775807', '(abc', 'abc', 'nan', '', '(', '-inf', '+inf',
];
const scoreBound = from(SCORE_BOUNDS);

/** Lex range bounds: `-`, `+`, `[x`, `(x`, and invalid ones. */
const LEX_BOUNDS: readonly Arg[] = [
  '-', '+', '[a', '(a', '[b', '(b', '[c', '(c', '[1', '(10', '[', '(', 'a', '[ключ', '[__proto__', '-x', '+inf',
  Buffer.from([0x28, 0xff]), '[d', '(d',
];
const lexBound = from(LEX_BOUNDS);

/** Counts (pops, LPOS, LIMIT): small, zero, negative, malformed, int64 edges. */
const COUNTS: readonly string[] = [
  '0', '1', '2', '3', '5', '10', '-1', '-2', 'abc', '1.5', '', '9223372036854775807', '-9223372036854775808',
];
const count = fc.oneof({ weight: 4, arbitrary: from(['1', '2', '3', '0', '5']) }, { weight: 2, arbitrary: from(COUNTS) });
/**
 * Counts for SRANDMEMBER, HRANDFIELD and ZRANDMEMBER. A large negative count asks for that many
 * picks with repeats, so only small negatives (and LLONG_MIN, which is refused) are drawn.
 */
const randCount = from(['0', '1', '2', '3', '5', '10', '100', '-1', '-2', '-5', '-9223372036854775808', 'abc', '9223372036854775807']);

const limit = fc.tuple(from(['0', '1', '2', '-1', 'abc', '9223372036854775807']), from(['0', '1', '2', '-1', '5', 'abc'])).map(([o, c]): Arg[] => ['LIMIT', o, c]);
const cursor = from(['0', '0', '0', '0', '1', '2', 'abc', '-1', '18446744073709551615']);
const keyScanOptions = options(
  3,
  pair('MATCH', from<Arg>(['*', 'a*', '?', '[ab]*', '*1*', '__proto__', 'ключ', '['])),
  pair('COUNT', from(['1', '2', '10', '100', '0', '-1', 'abc'])),
  tok('BOGUS'),
);

/** `numkeys key…`: mostly consistent, sometimes a bad or mismatching count. */
const numkeys = (max: number) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.array(ckey, { minLength: 1, maxLength: max }).map((ks): Arg[] => [String(ks.length), ...ks]) },
    { weight: 1, arbitrary: seq(from(['0', '-1', 'abc', '3', '9223372036854775807']), fc.array(ckey, { maxLength: 2 })) },
  );
const side = from(['LEFT', 'RIGHT', 'left', 'UP']);
const minmax = from(['MIN', 'MAX', 'min', 'MID']);
const weights = (n: number) => fc.array(from(['1', '2', '0', '-1', '1.5', 'inf', '-inf', 'nan', 'abc']), { minLength: n, maxLength: n });

/** ZUNION/ZINTER(STORE) tail: `numkeys key… [WEIGHTS w…] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]`. */
const zsetAlgebra = (withScores: boolean) =>
  numkeys(3).chain((nk) => {
    const n = Number.isInteger(Number(nk[0])) && Number(nk[0]) >= 0 && Number(nk[0]) < 5 ? Number(nk[0]) : 1;
    const groups: fc.Arbitrary<Arg[]>[] = [
      weights(n).map((w): Arg[] => ['WEIGHTS', ...w]),
      from(['SUM', 'MIN', 'MAX', 'sum', 'AVG']).map((a): Arg[] => ['AGGREGATE', a]),
    ];
    if (withScores) groups.push(tok('WITHSCORES'));
    return options(3, ...groups).map((opts): Arg[] => [...nk, ...opts]);
  });

/**
 * ZRANGE-style `start stop [BYSCORE|BYLEX] [REV] [LIMIT o c] [WITHSCORES]`: bounds of the chosen
 * kind (sometimes of another kind), options in any order.
 */
const zrangeTail = (withScores: boolean) =>
  fc.constantFrom<'index' | 'BYSCORE' | 'BYLEX'>('index', 'BYSCORE', 'BYLEX').chain((mode) => {
    const bound = mode === 'index' ? fc.oneof({ weight: 5, arbitrary: from<Arg>(RANGE) }, { weight: 1, arbitrary: scoreBound }) : mode === 'BYSCORE' ? scoreBound : lexBound;
    const opts: Arg[][] = [['REV'], ['WITHSCORES']];
    if (!withScores) opts.pop();
    return fc
      .tuple(bound, bound, fc.shuffledSubarray([...opts, ...(mode === 'index' ? [] : [[mode]])]), fc.option(limit, { freq: 3, nil: undefined }))
      .map(([lo, hi, chosen, lim]): Arg[] => [lo, hi, ...chosen.flat(), ...(lim ?? [])]);
  });

/** The two ends of ZRANGEBYSCORE-style commands, then `[WITHSCORES] [LIMIT o c]` in either order. */
const byTail = (bound: fc.Arbitrary<Arg>, withScores: boolean) =>
  seq(bound, bound, options(2, limit, ...(withScores ? [tok('WITHSCORES')] : []), tok('BOGUS')));

const COLLECTION_ARGS: Record<string, ArgsArb> = {
  // Lists
  lpush: seq(ckey, members(5)),
  rpush: seq(ckey, members(5)),
  lpushx: seq(ckey, members(3)),
  rpushx: seq(ckey, members(3)),
  linsert: seq(ckey, from(['BEFORE', 'AFTER', 'after', 'MIDDLE']), member, member),
  llen: seq(ckey),
  lindex: seq(ckey, from(RANGE)),
  lrange: seq(ckey, from(RANGE), from(RANGE)),
  lpos: seq(ckey, member, options(3, pair('RANK', from(['1', '2', '-1', '-2', '0', 'abc', '9223372036854775807', '-9223372036854775808'])), pair('COUNT', count), pair('MAXLEN', count), tok('BOGUS'))),
  lset: seq(ckey, from(RANGE), member),
  ltrim: seq(ckey, from(RANGE), from(RANGE)),
  lrem: seq(ckey, from(['0', '1', '2', '-1', '-2', 'abc', '9223372036854775807']), member),
  lpop: seq(ckey, options(1, count.map((c): Arg[] => [c]))),
  rpop: seq(ckey, options(1, count.map((c): Arg[] => [c]))),
  lmove: seq(ckey, ckey, side, side),
  rpoplpush: seq(ckey, ckey),
  lmpop: seq(numkeys(3), side, options(1, pair('COUNT', count))),
  // Hashes (the field-TTL commands are not here: 7.0 lacks them; see EXCLUDED_FROM_RANDOM)
  hset: seq(ckey, fc.array(fc.tuple(member, value), { minLength: 1, maxLength: 4 }).map((ps) => ps.flat())),
  hmset: seq(ckey, fc.array(fc.tuple(member, value), { minLength: 1, maxLength: 3 }).map((ps) => ps.flat())),
  hsetnx: seq(ckey, member, value),
  hget: seq(ckey, member),
  hmget: seq(ckey, members(4)),
  hgetall: seq(ckey),
  hdel: seq(ckey, members(3)),
  hexists: seq(ckey, member),
  hlen: seq(ckey),
  hkeys: seq(ckey),
  hvals: seq(ckey),
  hstrlen: seq(ckey, member),
  hincrby: seq(ckey, member, int),
  hincrbyfloat: seq(ckey, member, float),
  hrandfield: seq(ckey, fc.option(seq(randCount, options(1, tok('WITHVALUES'), tok('withvalues'), tok('BOGUS'))), { freq: 3, nil: [] as Arg[] })),
  hscan: seq(ckey, cursor, options(3, pair('MATCH', from<Arg>(['*', 'a*', '?', '[ab]*'])), pair('COUNT', from(['1', '10', '0', 'abc'])), tok('NOVALUES'))),
  // Sets
  sadd: seq(ckey, members(5)),
  srem: seq(ckey, members(3)),
  smove: seq(ckey, ckey, member),
  sismember: seq(ckey, member),
  smismember: seq(ckey, members(4)),
  scard: seq(ckey),
  smembers: seq(ckey),
  spop: seq(ckey, options(1, count.map((c): Arg[] => [c]))),
  srandmember: seq(ckey, options(1, randCount.map((c): Arg[] => [c]))),
  sinter: fc.array(ckey, { minLength: 1, maxLength: 3 }),
  sunion: fc.array(ckey, { minLength: 1, maxLength: 3 }),
  sdiff: fc.array(ckey, { minLength: 1, maxLength: 3 }),
  sinterstore: fc.array(ckey, { minLength: 2, maxLength: 4 }),
  sunionstore: fc.array(ckey, { minLength: 2, maxLength: 4 }),
  sdiffstore: fc.array(ckey, { minLength: 2, maxLength: 4 }),
  sintercard: seq(numkeys(3), options(1, pair('LIMIT', from(['0', '1', '2', '-1', 'abc'])))),
  sscan: seq(ckey, cursor, keyScanOptions),
  // Sorted sets
  zadd: seq(
    ckey,
    options(3, tok('NX'), tok('XX'), tok('GT'), tok('LT'), tok('CH'), tok('INCR'), tok('ch')),
    fc.oneof(
      { weight: 6, arbitrary: fc.array(fc.tuple(score, member), { minLength: 1, maxLength: 4 }).map((ps) => ps.flat()) },
      { weight: 1, arbitrary: fc.array(fc.oneof(score, member), { maxLength: 3 }) },
    ),
  ),
  zincrby: seq(ckey, score, member),
  zrem: seq(ckey, members(3)),
  zcard: seq(ckey),
  zscore: seq(ckey, member),
  zmscore: seq(ckey, members(3)),
  zrank: seq(ckey, member, options(1, tok('WITHSCORE'))),
  zrevrank: seq(ckey, member, options(1, tok('WITHSCORE'))),
  zcount: seq(ckey, scoreBound, scoreBound),
  zlexcount: seq(ckey, lexBound, lexBound),
  zrange: seq(ckey, zrangeTail(true)),
  zrangestore: seq(ckey, ckey, zrangeTail(false)),
  zrevrange: seq(ckey, from(RANGE), from(RANGE), options(1, tok('WITHSCORES'), tok('BOGUS'))),
  zrangebyscore: seq(ckey, byTail(scoreBound, true)),
  zrevrangebyscore: seq(ckey, byTail(scoreBound, true)),
  zrangebylex: seq(ckey, byTail(lexBound, false)),
  zrevrangebylex: seq(ckey, byTail(lexBound, false)),
  zremrangebyrank: seq(ckey, from(RANGE), from(RANGE)),
  zremrangebyscore: seq(ckey, scoreBound, scoreBound),
  zremrangebylex: seq(ckey, lexBound, lexBound),
  zpopmin: seq(ckey, options(1, count.map((c): Arg[] => [c]))),
  zpopmax: seq(ckey, options(1, count.map((c): Arg[] => [c]))),
  zmpop: seq(numkeys(3), minmax, options(1, pair('COUNT', count))),
  zrandmember: seq(ckey, fc.option(seq(randCount, options(1, tok('WITHSCORES'), tok('BOGUS'))), { freq: 3, nil: [] as Arg[] })),
  zunion: zsetAlgebra(true),
  zinter: zsetAlgebra(true),
  zdiff: seq(numkeys(3), options(1, tok('WITHSCORES'), tok('BOGUS'))),
  zunionstore: seq(ckey, zsetAlgebra(false)),
  zinterstore: seq(ckey, zsetAlgebra(false)),
  zdiffstore: seq(ckey, numkeys(3)),
  zintercard: seq(numkeys(3), options(1, pair('LIMIT', from(['0', '1', '2', '-1', 'abc'])))),
  zscan: seq(ckey, cursor, keyScanOptions),
};

// ---------------------------------------------------------------------------------------------
// Blocking commands

/**
 * Timeouts of blocking commands outside MULTI. A timeout that expires costs real time on the live
 * server (its timer runs at 10 Hz, so ~100 ms), and 0 (or anything that rounds to 0) would block
 * the live connection for good: only short positive timeouts, and malformed ones (answered at once).
 */
const BLOCK_TIMEOUTS: readonly string[] = ['0.01', '0.02', '0.001'];
const BAD_TIMEOUTS: readonly string[] = ['abc', '-1', '', 'inf', '-inf', 'nan', '1e400', '-0.5', '9223372036854775807'];
const blockTimeout = fc.oneof({ weight: 3, arbitrary: from(BLOCK_TIMEOUTS) }, { weight: 1, arbitrary: from(BAD_TIMEOUTS) });
/** Inside MULTI a blocking command never blocks, so any timeout goes, 0 included. */
const txTimeout = fc.oneof({ weight: 3, arbitrary: from(['0', '0', '1', '0.01', '100']) }, { weight: 1, arbitrary: from(BAD_TIMEOUTS) });

function blockingArgs(timeout: fc.Arbitrary<string>): Record<string, ArgsArb> {
  return {
    blpop: seq(fc.array(ckey, { minLength: 1, maxLength: 3 }), timeout),
    brpop: seq(fc.array(ckey, { minLength: 1, maxLength: 3 }), timeout),
    blmove: seq(ckey, ckey, side, side, timeout),
    brpoplpush: seq(ckey, ckey, timeout),
    blmpop: seq(timeout, numkeys(3), side, options(1, pair('COUNT', count))),
    bzpopmin: seq(fc.array(ckey, { minLength: 1, maxLength: 3 }), timeout),
    bzpopmax: seq(fc.array(ckey, { minLength: 1, maxLength: 3 }), timeout),
    bzmpop: seq(timeout, numkeys(3), minmax, options(1, pair('COUNT', count))),
  };
}

/** The blocking commands and their arguments outside MULTI (short timeouts). */
const BLOCKING_ARGS = blockingArgs(blockTimeout);
/** The same inside MULTI, where they never block. */
const BLOCKING_IN_TX = blockingArgs(txTimeout);

/**
 * Bitmaps. Keys: mostly three shared ones so SETBIT/BITFIELD writes meet the reads, sometimes any
 * key (strings set by SET, the hash fixture: WRONGTYPE). Offsets that a write may use stay small
 * (a valid offset near 2^32 bits would make both servers allocate 512 MB); reads also get the
 * largest valid offset and the first invalid ones.
 */
const bkey = fc.oneof({ weight: 5, arbitrary: from<Arg>(['a', 'b', '{t}a']) }, { weight: 2, arbitrary: key });
const BAD_BIT_OFFSETS: readonly string[] = ['-1', 'abc', '1.5', '', '007', '+1', ' 1', '4294967296', '9223372036854775807', '-9223372036854775808'];
const writeBitOffset = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 80 }).map(String) },
  { weight: 2, arbitrary: from(['100', '127', '128', '255', '1000', '4095', '8191']) },
  { weight: 1, arbitrary: from(BAD_BIT_OFFSETS) },
);
const readBitOffset = fc.oneof({ weight: 5, arbitrary: writeBitOffset }, { weight: 1, arbitrary: from(['4294967295', '536870911']) });
const bitValue = fc.oneof({ weight: 6, arbitrary: from(['0', '1']) }, { weight: 1, arbitrary: from(['2', '-1', 'abc', '', '01', '1.0', '9223372036854775808']) });
/** BYTE|BIT, sometimes lower case or bogus. */
const bitUnit = from(['BYTE', 'BIT', 'bit', 'byte', 'BITS', '']);
const bitRangeBound = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: -20, max: 40 }).map(String) },
  { weight: 1, arbitrary: from(['9223372036854775807', '-9223372036854775808', '1.5', 'abc', '', '100000']) },
);
/** BITCOUNT's tail: nothing, `start end`, `start end unit`; rarely a lone start or too many. */
const bitcountTail = fc.oneof(
  { weight: 2, arbitrary: tok() },
  { weight: 4, arbitrary: seq(bitRangeBound, bitRangeBound) },
  { weight: 4, arbitrary: seq(bitRangeBound, bitRangeBound, bitUnit) },
  { weight: 1, arbitrary: seq(bitRangeBound) },
  { weight: 1, arbitrary: seq(bitRangeBound, bitRangeBound, bitUnit, bitUnit) },
);
/** BITPOS's tail after the bit: nothing, start, start end, start end unit; rarely too many. */
const bitposTail = fc.oneof(
  { weight: 2, arbitrary: tok() },
  { weight: 2, arbitrary: seq(bitRangeBound) },
  { weight: 3, arbitrary: seq(bitRangeBound, bitRangeBound) },
  { weight: 4, arbitrary: seq(bitRangeBound, bitRangeBound, bitUnit) },
  { weight: 1, arbitrary: seq(bitRangeBound, bitRangeBound, bitUnit, bitUnit) },
);
const BITFIELD_TYPES: readonly string[] = [
  'u1', 'i1', 'u2', 'i3', 'u4', 'i5', 'u7', 'i8', 'u8', 'i16', 'u16', 'i31', 'u32', 'i32', 'i63', 'u63', 'i64',
];
const BAD_BITFIELD_TYPES: readonly string[] = ['u64', 'i65', 'u0', 'i0', 'I8', 'U8', 'x8', 'i', '', 'i-1', 'i08', 'u 8'];
const bitfieldType = fc.oneof({ weight: 8, arbitrary: from(BITFIELD_TYPES) }, { weight: 1, arbitrary: from(BAD_BITFIELD_TYPES) });
/** A BITFIELD offset: plain, or `#n` (n fields of the type), with malformed and wrapping ones. */
const bitfieldOffset = fc.oneof(
  { weight: 5, arbitrary: writeBitOffset },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 12 }).map((n) => `#${n}`) },
  { weight: 1, arbitrary: from(['#-1', '#', '#abc', '##1', '#4611686018427387904', '#1.5']) },
);
const bitfieldValue = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -300, max: 300 }).map(String) },
  { weight: 3, arbitrary: int },
  { weight: 1, arbitrary: from(['127', '128', '-128', '-129', '255', '256', '65535', '2147483647', '-2147483648', '4294967295']) },
);
const bitfieldOps = (writes: boolean) =>
  fc
    .array(
      fc.oneof(
        { weight: 4, arbitrary: seq(from(['GET', 'get']), bitfieldType, bitfieldOffset) },
        ...(writes
          ? [
              { weight: 3, arbitrary: seq(from(['SET', 'set']), bitfieldType, bitfieldOffset, bitfieldValue) },
              { weight: 3, arbitrary: seq(from(['INCRBY', 'incrby']), bitfieldType, bitfieldOffset, bitfieldValue) },
              { weight: 2, arbitrary: seq(tok('OVERFLOW'), from(['WRAP', 'SAT', 'FAIL', 'fail', 'sat', 'BOGUS'])) },
            ]
          : [{ weight: 1, arbitrary: seq(tok('SET'), bitfieldType, bitfieldOffset, bitfieldValue) }]),
        { weight: 1, arbitrary: from<Arg[]>([['BOGUS'], ['GET', 'u8'], ['OVERFLOW'], ['INCRBY', 'u8', '0']]) },
      ),
      { maxLength: 4 },
    )
    .map((ops) => ops.flat());
/**
 * HyperLogLog. Keys: mostly the three shared ones, so PFADD/PFMERGE meet the reads and the
 * string and bitmap commands that write the same keys (SET, APPEND, SETRANGE, SETBIT on an HLL
 * make WRONGTYPE's HLL variant or INVALIDOBJ paths), sometimes any key (the hash fixture).
 * Elements: the value pool, a few generated ones, and now and then a run of 300–2,500 distinct
 * ones, which promotes a sparse HLL to dense (and so exercises PFMERGE into dense destinations).
 */
const hllKey = fc.oneof({ weight: 6, arbitrary: from<Arg>(['a', 'b', '{t}a']) }, { weight: 2, arbitrary: key });
const hllElements = fc.oneof(
  { weight: 4, arbitrary: fc.array(value, { maxLength: 6 }) },
  { weight: 4, arbitrary: fc.array(fc.integer({ min: 0, max: 5000 }).map((n) => `e${n}`), { maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 300, max: 2500 }))
      .map(([start, n]): Arg[] => Array.from({ length: n }, (_, i) => `r${start + i}`)),
  },
);
/**
 * Geo: three shared keys (so GEOADD meets the searches), sometimes any key (other types, ZADD's
 * arbitrary scores decoded as points). Coordinates near Sicily and San Francisco with the edges
 * (±180, ±85.05112878) and invalid ones; radii and boxes from 0 to half the globe; units in any case.
 */
const gkey = fc.oneof({ weight: 5, arbitrary: from<Arg>(['a', 'b', '{t}a']) }, { weight: 2, arbitrary: key });
const gmember = from<Arg>(['Palermo', 'Catania', 'SF', 'm1', 'm2', 'a', '1', '__proto__', BINARY_MEMBER, 'nope']);
const lonArg = fc.oneof(
  { weight: 4, arbitrary: from(['13.361389', '15.087269', '-122.27652', '-122.2', '0', '14.5', '15']) },
  { weight: 3, arbitrary: fc.double({ min: -180, max: 180, noNaN: true }).map((d) => d.toFixed(6)) },
  { weight: 1, arbitrary: from(['180', '-180', '181', '-180.000001', 'abc', '', 'inf', '1e400', ' 1']) },
);
const latArg = fc.oneof(
  { weight: 4, arbitrary: from(['38.115556', '37.502669', '37.805186', '37', '0', '38']) },
  { weight: 3, arbitrary: fc.double({ min: -85.05112878, max: 85.05112878, noNaN: true }).map((d) => d.toFixed(6)) },
  { weight: 1, arbitrary: from(['85.05112878', '-85.05112878', '85.05112879', '86', '-90', 'abc', 'nan']) },
);
const geoUnit = fc.oneof({ weight: 6, arbitrary: from(['m', 'km', 'ft', 'mi']) }, { weight: 1, arbitrary: from(['KM', 'Mi', 'x', '', 'meters']) });
const geoRadius = fc.oneof(
  { weight: 5, arbitrary: from(['0', '1', '100', '200', '500', '1000', '5000', '20000', '100000', '5000000', '20000000']) },
  { weight: 1, arbitrary: from(['-1', 'abc', '', '1e400', 'inf', '0.5']) },
);
const geoCount = fc.oneof({ weight: 5, arbitrary: from(['1', '2', '3', '10']) }, { weight: 1, arbitrary: from(['0', '-1', 'abc', '9223372036854775807']) });
/** WITH*, ASC|DESC, COUNT [ANY], and the odd lone ANY or bogus word. */
const geoReplyOptions = [
  tok('WITHDIST'), tok('WITHCOORD'), tok('WITHHASH'), tok('withdist'), tok('ASC'), tok('DESC'),
  pair('COUNT', geoCount), seq(tok('COUNT'), geoCount, tok('ANY')), tok('ANY'), tok('BOGUS'),
];
const geoFrom = fc.oneof(pair('FROMMEMBER', gmember), seq(tok('FROMLONLAT'), lonArg, latArg));
const geoBy = fc.oneof(
  seq(tok('BYRADIUS'), geoRadius, geoUnit),
  seq(tok('BYBOX'), geoRadius, geoRadius, geoUnit),
);
/** GEOSEARCH[STORE]'s shape: usually FROM… BY… (either order), sometimes one missing or doubled. */
const geoShape = fc.oneof(
  { weight: 6, arbitrary: seq(geoFrom, geoBy) },
  { weight: 2, arbitrary: seq(geoBy, geoFrom) },
  { weight: 1, arbitrary: seq(geoFrom) },
  { weight: 1, arbitrary: seq(geoBy, geoBy, geoFrom) },
);
const geoTriples = fc.array(seq(lonArg, latArg, gmember), { minLength: 1, maxLength: 4 }).map((t) => t.flat());

/**
 * SORT: keys where the collection generators leave lists, sets and sorted sets; BY and GET
 * patterns that name keys of the pool (`*` → `a`, `{t}*` → `{t}a`, `k:*` → `k:1`), hash fields
 * (`*->a`), constants (`nosort`), and `#`.
 */
const sortPattern = from<Arg>(['*', '{t}*', 'k:*', '*->a', '*->b', '{t}*->c', 'nosort', 'x', '#', '*->', 'k:*->1', '__proto__*']);
const sortOptions = (store: boolean) =>
  options(
    4,
    tok('ASC'), tok('DESC'), tok('ALPHA'), tok('alpha'), limit, pair('BY', sortPattern), pair('GET', sortPattern), tok('GET', '#'),
    ...(store ? [pair('STORE', ckey)] : [pair('STORE', ckey), tok('BOGUS')]), tok('LIMIT'),
  );
/**
 * Streams: three stream keys (sometimes any key: WRONGTYPE), explicit IDs only (`*` takes its ID
 * from each server's own clock), small ms parts so that XADDs collide with the top item, edge IDs
 * (0-0, the maximum, strtoull forms such as `007` and ` 5`), groups g1/g2 and consumers c1/c2.
 * Idle times are 0 or far beyond a sequence's duration, so that no claim depends on timing.
 */
const xkey = fc.oneof({ weight: 6, arbitrary: from<Arg>(['xs1', 'xs2', '{t}xs']) }, { weight: 1, arbitrary: key });
const XIDS: readonly string[] = [
  '0', '0-0', '0-1', '1', '1-0', '1-1', '2-0', '2-1', '3', '5-0', '10-3', '18446744073709551615-18446744073709551615',
  '18446744073709551615', '18446744073709551615-0', 'abc', '1-', '-1', '007', ' 5', '+5', '1-x', '',
];
const smallStreamId = fc.tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 3 })).map(([ms, seq]) => `${ms}-${seq}`);
const xid: fc.Arbitrary<Arg> = fc.oneof({ weight: 5, arbitrary: smallStreamId }, { weight: 2, arbitrary: from(XIDS) });
const xaddId: fc.Arbitrary<Arg> = fc.oneof(
  { weight: 6, arbitrary: smallStreamId },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 12 }).map((ms) => `${ms}-*`) },
  { weight: 1, arbitrary: from(XIDS) },
);
const xrangeBound: fc.Arbitrary<Arg> = fc.oneof(
  { weight: 4, arbitrary: smallStreamId },
  { weight: 3, arbitrary: from(['-', '+', '0', '5', '(1-0', '(5-0', '(0-0', '(18446744073709551615-18446744073709551615', '(-', '(', 'abc', '(3']) },
);
const xfield: fc.Arbitrary<Arg> = from(['f', 'f', 'g', '__proto__', 'ключ', '1']);
/** Values for stream entries: the shared pool, and long ones that fill a 4096-byte node in a few entries. */
const xvalue: fc.Arbitrary<Arg> = fc.oneof(
  { weight: 6, arbitrary: value },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 3000 }).map((n) => 'x'.repeat(n)) },
);
const xfields = fc.oneof(
  { weight: 8, arbitrary: fc.array(fc.tuple(xfield, xvalue), { minLength: 1, maxLength: 3 }).map((pairs) => pairs.flat()) },
  { weight: 1, arbitrary: fc.array(xfield, { maxLength: 3 }) },
);
const xgroupName: fc.Arbitrary<Arg> = fc.oneof({ weight: 8, arbitrary: from(['g1', 'g2']) }, { weight: 1, arbitrary: from(['__proto__', 'G1']) });
const xconsumer: fc.Arbitrary<Arg> = fc.oneof({ weight: 8, arbitrary: from(['c1', 'c2']) }, { weight: 1, arbitrary: from(['__proto__', 'ключ']) });
const xcount = from(['0', '1', '2', '3', '10', '-1', 'abc', '9223372036854775807']);
const xlimit = from(['0', '1', '2', '100', '-1', 'abc']);
const xtrimStrategy = fc.oneof(
  seq(from(['MAXLEN', 'maxlen']), options(1, tok('~'), tok('=')), from(['0', '1', '2', '3', '5', '-1', 'abc'])),
  seq(from(['MINID', 'minid']), options(1, tok('~'), tok('=')), xid),
);
const xtrimArgs = options(3, xtrimStrategy, pair('LIMIT', xlimit), tok('BOGUS'));
const xidle = from(['0', '-1', '100000000', 'abc']);
const xIds = (max: number) => fc.array(xid, { minLength: 1, maxLength: max });

/** Argument generators (everything after the command name) for the commands we know. */
const ARGS: Record<string, ArgsArb> = {
  // Strings
  get: seq(key),
  set: seq(
    key,
    value,
    options(
      3,
      tok('NX'), tok('XX'), tok('GET'), tok('KEEPTTL'), setExpiry, setExpiry, tok('nx'), tok('get'), tok('BOGUS'), tok('EX'),
    ),
  ),
  setnx: seq(key, value),
  setex: seq(key, ttlS, value),
  psetex: seq(key, ttlMs, value),
  getset: seq(key, value),
  getdel: seq(key),
  getex: seq(key, options(2, setExpiry, tok('PERSIST'), tok('persist'), tok('BOGUS'), tok('EX'))),
  mget: keys(1, 4),
  mset: keyValues(3),
  msetnx: keyValues(3),
  append: seq(key, value),
  strlen: seq(key),
  getrange: seq(key, from(RANGE), from(RANGE)),
  substr: seq(key, from(RANGE), from(RANGE)),
  setrange: seq(key, from(['0', '1', '2', '5', '10', '-1', 'abc', '1.5', '536870912', '536870913', '9223372036854775807']), value),
  incr: seq(key),
  decr: seq(key),
  incrby: seq(key, int),
  decrby: seq(key, int),
  incrbyfloat: seq(key, float),
  lcs: seq(
    key,
    key,
    options(3, tok('LEN'), tok('IDX'), pair('MINMATCHLEN', int), tok('WITHMATCHLEN'), tok('BOGUS'), tok('MINMATCHLEN')),
  ),
  // Generic key commands
  del: keys(1, 4),
  unlink: keys(1, 4),
  exists: keys(1, 4),
  touch: keys(1, 4),
  type: seq(key),
  ttl: seq(key),
  pttl: seq(key),
  expiretime: seq(key),
  pexpiretime: seq(key),
  persist: seq(key),
  expire: seq(key, ttlS, expireFlags),
  pexpire: seq(key, ttlMs, expireFlags),
  expireat: seq(key, absS, expireFlags),
  pexpireat: seq(key, absMs, expireFlags),
  rename: seq(key, key),
  renamenx: seq(key, key),
  copy: seq(key, key, options(2, tok('REPLACE'), pair('DB', from(['0', '1', '16', '-1', 'abc'])), tok('BOGUS'))),
  keys: seq(from(PATTERNS)),
  scan: seq(
    from(['0', '0', '0', '1', '17', 'abc', '-1', '18446744073709551615', '18446744073709551616']),
    options(
      3,
      pair('MATCH', from(PATTERNS)),
      pair('COUNT', from(['1', '2', '10', '100', '0', '-1', 'abc'])),
      pair('TYPE', from(['string', 'hash', 'list', 'none', 'bogus', 'STRING'])),
      tok('NOVALUES'),
      tok('BOGUS'),
    ),
  ),
  randomkey: tok(),
  dbsize: tok(),
  flushdb: options(1, tok('SYNC'), tok('ASYNC'), tok('BOGUS')),
  flushall: options(1, tok('SYNC'), tok('ASYNC'), tok('BOGUS')),
  object: fc.oneof(
    seq(from(['ENCODING', 'REFCOUNT', 'IDLETIME', 'FREQ', 'encoding']), key),
    tok('HELP'),
    seq(from(['ENCODING', 'NOPE']), keys(0, 2)),
  ),
  dump: seq(key),
  restore: seq(
    key,
    fc.oneof({ weight: 4, arbitrary: from(['0']) }, { weight: 2, arbitrary: ttlMs }, { weight: 1, arbitrary: from(['-1', 'abc']) }),
    from(RESTORE_PAYLOADS),
    options(
      3,
      tok('REPLACE'),
      tok('replace'),
      tok('ABSTTL'),
      // IDLETIME 0 only: a live server's OBJECT IDLETIME would then show the restored idle time.
      pair('IDLETIME', from(['0', '-1', 'abc'])),
      pair('FREQ', from(['0', '5', '255', '256', '-1'])),
      tok('BOGUS'),
      tok('IDLETIME'),
    ),
  ),
  ping: fc.oneof(mostly(value, 1, 2), tok()),
  // LOLWUT: version 5 with at most two rows of squares (deterministic: Redis turns only the lower
  // rows by rand()), versions without art, and junk; the version text is normalised (known-differences).
  lolwut: fc.oneof(
    seq(
      tok('VERSION', '5'),
      fc.integer({ min: -2, max: 70 }).map(String),
      fc.integer({ min: -1, max: 12 }).map(String),
      fc.constantFrom('-1', '0', '1', '2'),
    ),
    seq(tok('VERSION'), fc.constantFrom('1', '4', '7', '8', '59', '-1', 'x', '5.5')),
    seq(tok('VERSION', '5'), fc.constantFrom('x', '3.0', '')),
    tok(),
    tok('VERSION'),
    seq(value),
  ),
  echo: mostly(value, 1, 2),
  ...COLLECTION_ARGS,
  ...BLOCKING_ARGS,
  setbit: seq(bkey, writeBitOffset, bitValue),
  getbit: seq(bkey, readBitOffset),
  bitcount: seq(bkey, bitcountTail),
  bitpos: seq(bkey, fc.oneof({ weight: 6, arbitrary: from(['0', '1']) }, { weight: 1, arbitrary: from(['2', '-1', 'abc', '']) }), bitposTail),
  bitop: seq(
    from(['AND', 'OR', 'XOR', 'NOT', 'and', 'Not', 'DIFF', 'ONE', 'BOGUS']),
    bkey,
    fc.oneof({ weight: 2, arbitrary: fc.array(bkey, { minLength: 1, maxLength: 1 }) }, { weight: 3, arbitrary: fc.array(bkey, { minLength: 1, maxLength: 3 }) }),
  ),
  bitfield: seq(bkey, bitfieldOps(true)),
  bitfield_ro: seq(bkey, bitfieldOps(false)),
  pfadd: seq(hllKey, hllElements),
  pfcount: fc.array(hllKey, { minLength: 1, maxLength: 3 }),
  pfmerge: seq(hllKey, fc.array(hllKey, { maxLength: 3 })),
  geoadd: seq(gkey, options(2, tok('NX'), tok('XX'), tok('CH'), tok('ch')), fc.oneof({ weight: 8, arbitrary: geoTriples }, { weight: 1, arbitrary: seq(lonArg, latArg) })),
  geodist: seq(gkey, gmember, gmember, options(1, seq(geoUnit))),
  geohash: seq(gkey, fc.array(gmember, { maxLength: 4 })),
  geopos: seq(gkey, fc.array(gmember, { maxLength: 4 })),
  georadius: seq(gkey, lonArg, latArg, geoRadius, geoUnit, options(4, ...geoReplyOptions, pair('STORE', gkey), pair('STOREDIST', gkey))),
  georadius_ro: seq(gkey, lonArg, latArg, geoRadius, geoUnit, options(4, ...geoReplyOptions, pair('STORE', gkey))),
  georadiusbymember: seq(gkey, gmember, geoRadius, geoUnit, options(4, ...geoReplyOptions, pair('STORE', gkey), pair('STOREDIST', gkey))),
  georadiusbymember_ro: seq(gkey, gmember, geoRadius, geoUnit, options(4, ...geoReplyOptions)),
  geosearch: seq(gkey, geoShape, options(3, ...geoReplyOptions)),
  geosearchstore: seq(gkey, gkey, geoShape, options(3, tok('STOREDIST'), tok('ASC'), tok('DESC'), pair('COUNT', geoCount), seq(tok('COUNT'), geoCount, tok('ANY')), tok('WITHDIST'))),
  // No STORE with ALPHA + BY pattern: the stored order of ties may differ (known difference sort-alpha-by-ties).
  sort: seq(ckey, sortOptions(true)).map((args) => {
    const alpha = args.some((a) => typeof a === 'string' && a.toUpperCase() === 'ALPHA');
    const by = args.some((a, i) => a === 'BY' && String(args[i + 1]).includes('*'));
    if (!alpha || !by) return args;
    const out: Arg[] = [];
    for (let i = 0; i < args.length; i++) {
      if (args[i] === 'STORE') i++;
      else out.push(args[i]);
    }
    return out;
  }),
  sort_ro: seq(ckey, sortOptions(false)),
  xadd: seq(xkey, options(3, tok('NOMKSTREAM'), xtrimStrategy, pair('LIMIT', xlimit)), xaddId, xfields),
  xlen: seq(xkey),
  xrange: seq(xkey, xrangeBound, xrangeBound, options(1, pair('COUNT', xcount), tok('BOGUS'))),
  xrevrange: seq(xkey, xrangeBound, xrangeBound, options(1, pair('COUNT', xcount), tok('BOGUS'))),
  xdel: seq(xkey, xIds(3)),
  xtrim: seq(xkey, xtrimArgs),
  xread: seq(
    options(1, pair('COUNT', xcount)),
    fc.oneof(
      { weight: 8, arbitrary: fc.array(fc.tuple(xkey, fc.oneof(xid, from(['$', '0']))), { minLength: 1, maxLength: 2 }).map((p) => ['STREAMS', ...p.map((x) => x[0]), ...p.map((x) => x[1])]) },
      { weight: 1, arbitrary: seq(tok('STREAMS'), xkey) },
      { weight: 1, arbitrary: seq(tok('GROUP', 'g1', 'c1', 'STREAMS'), xkey, tok('0')) },
    ),
  ),
  xreadgroup: seq(
    tok('GROUP'),
    xgroupName,
    xconsumer,
    options(2, pair('COUNT', xcount), tok('NOACK')),
    fc.oneof(
      { weight: 8, arbitrary: fc.array(fc.tuple(xkey, fc.oneof({ weight: 3, arbitrary: from(['>']) }, { weight: 2, arbitrary: xid }, { weight: 1, arbitrary: from(['$']) })), { minLength: 1, maxLength: 2 }).map((p) => ['STREAMS', ...p.map((x) => x[0]), ...p.map((x) => x[1])]) },
      { weight: 1, arbitrary: seq(tok('STREAMS'), xkey) },
    ),
  ),
  xack: seq(xkey, xgroupName, xIds(3)),
  xpending: fc.oneof(
    seq(xkey, xgroupName),
    seq(xkey, xgroupName, options(1, pair('IDLE', xidle)), xrangeBound, xrangeBound, xcount, options(1, seq(xconsumer))),
  ),
  xclaim: seq(
    xkey,
    xgroupName,
    xconsumer,
    xidle,
    xIds(3),
    options(3, tok('JUSTID'), tok('FORCE'), pair('IDLE', from(['0', '200000000', '-5', 'abc'])), pair('TIME', from(['0', '1', '-1', 'abc', '9223372036854775807'])), pair('RETRYCOUNT', from(['0', '3', '-1', 'abc', '9223372036854775807'])), pair('LASTID', xid), tok('BOGUS')),
  ),
  xautoclaim: seq(xkey, xgroupName, xconsumer, xidle, xrangeBound, options(2, pair('COUNT', from(['1', '2', '5', '0', '-1', 'abc', '576460752303423487', '576460752303423488'])), tok('JUSTID'), tok('BOGUS'))),
  xsetid: seq(xkey, xid, options(2, pair('ENTRIESADDED', from(['0', '1', '5', '100', '-1', 'abc'])), pair('MAXDELETEDID', xid), tok('BOGUS'))),
  xgroup: fc.oneof(
    seq(tok('CREATE'), xkey, xgroupName, fc.oneof(xid, from(['$', '$', '0'])), options(2, tok('MKSTREAM'), pair('ENTRIESREAD', from(['0', '1', '3', '-1', '-2', 'abc'])), tok('BOGUS'))),
    seq(tok('SETID'), xkey, xgroupName, fc.oneof(xid, from(['$', '0'])), options(1, pair('ENTRIESREAD', from(['0', '1', '3', '-1', '-2', 'abc'])), tok('MKSTREAM'))),
    seq(tok('DESTROY'), xkey, xgroupName),
    seq(from(['CREATECONSUMER', 'DELCONSUMER']), xkey, xgroupName, xconsumer),
    tok('HELP'),
    seq(from(['NOPE', 'create']), xkey),
  ),
  xinfo: fc.oneof(
    seq(tok('STREAM'), xkey, options(1, tok('FULL'), seq(tok('FULL', 'COUNT'), xcount), tok('BOGUS'))),
    seq(tok('GROUPS'), xkey),
    seq(tok('CONSUMERS'), xkey, xgroupName),
    tok('HELP'),
    seq(tok('NOPE'), xkey),
  ),
};

/**
 * Relative weights (default 4): commands that wipe the state are drawn less often; the blocking
 * commands too, since one that finds nothing waits out its timeout on the live server (~100 ms);
 * commands that fill collections more often, so that reads find something.
 */
const WEIGHTS: Readonly<Record<string, number>> = {
  flushall: 1, flushdb: 1,
  blpop: 1, brpop: 1, blmove: 1, brpoplpush: 1, blmpop: 1, bzpopmin: 1, bzpopmax: 1, bzmpop: 1,
  lpush: 8, rpush: 8, hset: 8, sadd: 8, zadd: 10,
};

/** Commands drawn inside generated transactions: the blocking ones, and pushes and pops around them. */
const TX_ARGS: Record<string, ArgsArb> = {
  ...BLOCKING_IN_TX,
  ...Object.fromEntries(
    ['rpush', 'lpush', 'lpop', 'rpop', 'lmove', 'lrange', 'llen', 'zadd', 'zpopmin', 'zpopmax', 'zrange', 'zcard', 'sadd', 'hset'].map(
      (n) => [n, COLLECTION_ARGS[n]],
    ),
  ),
  del: keys(1, 3),
  set: seq(ckey, value),
};
const txCommand: fc.Arbitrary<Arg[]> = fc.oneof(
  ...Object.entries(TX_ARGS).map(([n, args]) => ({
    weight: n in BLOCKING_IN_TX ? 3 : 2,
    arbitrary: fc.tuple(name(n), withNoise(args)).map(([cmd, a]): Arg[] => [cmd, ...a]),
  })),
);
const txStep: fc.Arbitrary<Step> = fc.record({
  tx: fc.array(txCommand, { minLength: 1, maxLength: 4 }),
  end: fc.constantFrom<'EXEC' | 'DISCARD'>('EXEC', 'EXEC', 'EXEC', 'EXEC', 'DISCARD'),
});

/** Commands covered inside transactions (MULTI itself only there). */
export const TX_COVERED: readonly string[] = ['multi', ...Object.keys(TX_ARGS)];

/** Generic arguments: 0–4 draws from the key, value and integer pools. */
const genericArgs: ArgsArb = fc.array(fc.oneof(key, value, int), { maxLength: 4 });

/** Argument noise: sometimes the last argument is dropped or a junk one added (arity errors). */
function withNoise(args: ArgsArb): ArgsArb {
  return fc.oneof(
    { weight: 40, arbitrary: args },
    { weight: 1, arbitrary: args.map((a) => a.slice(0, -1)) },
    { weight: 1, arbitrary: args.map((a) => [...a, 'extra']) },
  );
}

function commandArb(spec: CommandSpec): fc.Arbitrary<Step> | null {
  if (EXCLUDED_FROM_RANDOM[spec.name] !== undefined) return null;
  const args = ARGS[spec.name];
  if (args !== undefined) {
    return fc.tuple(name(spec.name), withNoise(args)).map(([n, a]) => ({ argv: [n, ...a] }));
  }
  // A blocking command with generic arguments could block the live connection for good
  // (timeout 0); these need a hand-written generator that bounds the timeout.
  if (spec.flags.includes('blocking')) return null;
  if (spec.subcommands !== undefined) {
    const subs = Object.keys(spec.subcommands).filter((sub) => EXCLUDED_FROM_RANDOM[`${spec.name}|${sub}`] === undefined);
    return fc
      .tuple(name(spec.name), fc.constantFrom(...subs, 'nope'), genericArgs)
      .map(([n, sub, a]) => ({ argv: [n, sub.toUpperCase(), ...a] }));
  }
  return fc.tuple(name(spec.name), genericArgs).map(([n, a]) => ({ argv: [n, ...a] }));
}

/** Names of the commands the sequences draw from (for reporting). */
export function coveredCommands(specs: readonly CommandSpec[]): string[] {
  return specs.filter((spec) => commandArb(spec) !== null || TX_COVERED.includes(spec.name)).map((spec) => spec.name);
}

/** Names of implemented commands with no hand-written generator (they get generic arguments). */
export function genericCommands(specs: readonly CommandSpec[]): string[] {
  return coveredCommands(specs).filter((n) => ARGS[n] === undefined && !TX_COVERED.includes(n));
}

/** Sequences over the given command declarations. */
export function sequenceArb(specs: readonly CommandSpec[], maxLength = 30): fc.Arbitrary<Sequence> {
  const steps = specs.flatMap((spec) => {
    const arbitrary = commandArb(spec);
    return arbitrary === null ? [] : [{ weight: WEIGHTS[spec.name] ?? 4, arbitrary }];
  });
  const fixture = key.map((k): Step => ({ fixture: 'hash', key: k }));
  const step = fc.oneof(...steps, { weight: 12, arbitrary: fixture }, { weight: 16, arbitrary: txStep });
  return fc.record({
    resp: fc.constantFrom<2 | 3>(2, 3),
    steps: fc.array(step, { minLength: 1, maxLength, size: 'max' }),
  });
}

/** Resolves symbolic times against the sequence start `t0` (ms). */
export function resolveArg(arg: Arg, t0: number): string | Buffer {
  if (typeof arg === 'string' || Buffer.isBuffer(arg)) return arg;
  return arg.at === 'ms' ? String(t0 + arg.offset) : String(Math.floor(t0 / 1000) + arg.offset);
}

/** A readable rendering of an argument list (binary as `<hex>`, times as `t0+…`). */
export function showArgs(argv: readonly Arg[]): string {
  return argv
    .map((arg) => {
      if (Buffer.isBuffer(arg)) {
        const text = arg.toString('utf8');
        return Buffer.from(text, 'utf8').equals(arg) ? JSON.stringify(text) : `<${arg.toString('hex')}>`;
      }
      if (typeof arg === 'string') return JSON.stringify(arg);
      return `t0${arg.at === 's' ? '_s' : '_ms'}${arg.offset >= 0 ? '+' : ''}${arg.offset}`;
    })
    .join(' ');
}

export function showStep(step: Step): string {
  if ('fixture' in step) return `(fixture: ${showArgs([step.key])} := hash)`;
  if ('tx' in step) return `MULTI; ${step.tx.map(showArgs).join('; ')}; ${step.end}`;
  return showArgs(step.argv);
}
