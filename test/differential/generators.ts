/**
 * fast-check generators of command sequences for the differential test (random.test.ts).
 *
 * Every implemented command (from `allCommands` at run time) gets an argument generator: a
 * hand-written one for the string and generic key commands, a generic one (arguments drawn from
 * the shared pools, subcommands for containers) for the rest. Arguments come from small pools so
 * that commands in one sequence collide on the same keys: plain, hash-tagged (`{t}a`), binary,
 * non-ASCII and `__proto__` keys; values with int64 edges, floats, `inf`, spaces and binary bytes.
 *
 * Absolute times (EXPIREAT, PXAT …) are symbolic (`{ at, offset }`) and resolved against the
 * server's clock when the sequence runs. Relative TTLs are either ≤ 0 or ≥ 100 s, so no key
 * expires while a sequence runs (a sequence takes milliseconds): expiry races would be noise.
 */
import fc from 'fast-check';
import type { CommandSpec } from '../../src/commands/command.js';
import { EXCLUDED_FROM_RANDOM } from './known-differences.js';

/** An absolute time `offset` seconds (`at: 's'`) or ms (`at: 'ms'`) from the sequence start. */
export interface AbsTime {
  readonly at: 's' | 'ms';
  readonly offset: number;
}

export type Arg = string | Buffer | AbsTime;

/**
 * One generated step: a command, or a fixture that makes `key` hold a value of another type
 * (a hash) on both sides, for WRONGTYPE paths. Fixture replies are not compared.
 */
export type Step = { argv: Arg[] } | { fixture: 'hash'; key: Arg };

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
  ping: fc.oneof(mostly(value, 1, 2), tok()),
  echo: mostly(value, 1, 2),
};

/** Relative weights (default 4): commands that wipe the state are drawn less often. */
const WEIGHTS: Readonly<Record<string, number>> = { flushall: 1, flushdb: 1 };

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
  return specs.filter((spec) => commandArb(spec) !== null).map((spec) => spec.name);
}

/** Names of implemented commands with no hand-written generator (they get generic arguments). */
export function genericCommands(specs: readonly CommandSpec[]): string[] {
  return coveredCommands(specs).filter((n) => ARGS[n] === undefined);
}

/** Sequences over the given command declarations. */
export function sequenceArb(specs: readonly CommandSpec[], maxLength = 30): fc.Arbitrary<Sequence> {
  const steps = specs.flatMap((spec) => {
    const arbitrary = commandArb(spec);
    return arbitrary === null ? [] : [{ weight: WEIGHTS[spec.name] ?? 4, arbitrary }];
  });
  const fixture = key.map((k): Step => ({ fixture: 'hash', key: k }));
  const step = fc.oneof(...steps, { weight: 12, arbitrary: fixture });
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
  return 'fixture' in step ? `(fixture: ${showArgs([step.key])} := hash)` : showArgs(step.argv);
}
