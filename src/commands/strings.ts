/**
 * The string commands of Redis 7.4: GET, SET and its relatives, MGET/MSET, in-place edits, counters
 * and LCS. Parsing and replies live here; the semantics are in `keyspace/types/string.ts`.
 */
import { defineCommand, type CommandContext, type CommandSpec } from './command.js';
import { byteLength, keyName, type Bytes } from '../keyspace/bytes.js';
import {
  appendBytes,
  checkStringLength,
  getRange,
  incrementFloat,
  incrementInteger,
  isString,
  longestCommonSubsequence,
  protoMaxBulkLen,
  setRangeBytes,
  storable,
} from '../keyspace/types/string.js';
import {
  DECREMENT_OVERFLOW,
  LCS_LEN_AND_IDX,
  LCS_NOT_STRINGS,
  NOT_INTEGER,
  OFFSET_RANGE,
  SYNTAX,
  WRONGTYPE,
  invalidExpire,
  wrongArity,
} from '../protocol/errors.js';
import { INT64_MAX, INT64_MIN, parseInt64 } from '../protocol/numbers.js';
import { MapReply, OK, type Reply } from '../protocol/reply.js';

const ONE_KEY = { first: 1, last: 1, step: 1 } as const;

/** A string value looked up for reading (`lookupKeyRead`: counted as a keyspace hit or miss). */
export function readString(ctx: CommandContext, key: string): Bytes | undefined {
  const value = ctx.db.read(key, ctx.now);
  if (value !== undefined && !isString(value)) throw WRONGTYPE;
  return value;
}

/** A string value looked up for writing (`lookupKeyWrite`: no hit/miss counted). */
export function writeLookupString(ctx: CommandContext, key: string): Bytes | undefined {
  const value = ctx.db.get(key, ctx.now);
  if (value !== undefined && !isString(value)) throw WRONGTYPE;
  return value;
}

/** An integer argument (`getLongLongFromObjectOrReply`). */
function integerArg(arg: Bytes): number | bigint {
  const n = parseInt64(arg);
  if (n === null) throw NOT_INTEGER;
  return n;
}

/**
 * An option name as the C code compares it: the bytes up to the first NUL, ASCII letters
 * upper-cased (only ASCII letters fold, so no Unicode case mapping can make a match).
 */
function optionName(arg: Bytes): string {
  let s = typeof arg === 'string' ? arg : arg.toString('latin1');
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  if (s.length > 16) return '';
  // Options are ASCII: a non-ASCII argument can match none, so it is returned as it is. One that
  // is upper case already (`EX`, the usual spelling) is returned without a copy.
  let lower = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return s;
    if (c >= 97 && c <= 122) lower = true;
  }
  return lower ? s.toUpperCase() : s;
}

// SET / GETEX options (`parseExtendedStringArgumentsOrReply`).
const NX = 1;
const XX = 2;
const GET = 4;
const KEEPTTL = 8;
const PERSIST = 16;
const EX = 32;
const PX = 64;
const EXAT = 128;
const PXAT = 256;
const ANY_EXPIRE = EX | PX | EXAT | PXAT;

interface ExtendedOptions {
  flags: number;
  /** The expire argument of EX/PX/EXAT/PXAT (the last one given). */
  expire: Bytes | undefined;
}

/** Parses SET options (`forSet`) or GETEX options from `start`; throws the syntax error. */
function parseExtended(argv: readonly Bytes[], start: number, forSet: boolean): ExtendedOptions {
  let flags = 0;
  let expire: Bytes | undefined;
  for (let j = start; j < argv.length; j++) {
    const opt = optionName(argv[j]);
    const hasNext = j < argv.length - 1;
    if (opt === 'NX' && forSet && !(flags & XX)) flags |= NX;
    else if (opt === 'XX' && forSet && !(flags & NX)) flags |= XX;
    else if (opt === 'GET' && forSet) flags |= GET;
    else if (opt === 'KEEPTTL' && forSet && !(flags & (PERSIST | ANY_EXPIRE))) flags |= KEEPTTL;
    else if (opt === 'PERSIST' && !forSet && !(flags & (ANY_EXPIRE | KEEPTTL))) flags |= PERSIST;
    else if (opt === 'EX' && hasNext && !(flags & (KEEPTTL | PERSIST | EXAT | PX | PXAT))) {
      flags |= EX;
      expire = argv[++j];
    } else if (opt === 'PX' && hasNext && !(flags & (KEEPTTL | PERSIST | EX | EXAT | PXAT))) {
      flags |= PX;
      expire = argv[++j];
    } else if (opt === 'EXAT' && hasNext && !(flags & (KEEPTTL | PERSIST | EX | PX | PXAT))) {
      flags |= EXAT;
      expire = argv[++j];
    } else if (opt === 'PXAT' && hasNext && !(flags & (KEEPTTL | PERSIST | EX | EXAT | PX))) {
      flags |= PXAT;
      expire = argv[++j];
    } else {
      throw SYNTAX;
    }
  }
  return { flags, expire };
}

/**
 * The absolute expiry time in ms of an expire argument (`getExpireMillisecondsOrReply`): a
 * positive integer, in seconds for EX/EXAT, relative to now for EX/PX, within the 64-bit range.
 */
function expireAt(ctx: CommandContext, arg: Bytes, flags: number, command: string): number | bigint {
  const n = integerArg(arg);
  const seconds = (flags & (EX | EXAT)) !== 0;
  if (n <= 0) throw invalidExpire(command);
  if (typeof n === 'number') {
    // Below 2^53 seconds × 1000 cannot overflow 64 bits; stay in doubles while exact.
    let ms = seconds ? n * 1000 : n;
    if (flags & (EX | PX)) ms += ctx.now;
    if (Number.isSafeInteger(ms)) return ms;
  }
  let ms = BigInt(n);
  if (seconds && ms > INT64_MAX / 1000n) throw invalidExpire(command);
  if (seconds) ms *= 1000n;
  if (flags & (EX | PX)) ms += BigInt(ctx.now);
  if (ms > INT64_MAX) throw invalidExpire(command); // the C addition would wrap negative
  return ms;
}

/**
 * Stores a SET-family value: drops or keeps the TTL, or applies an expiry time. A time already past
 * is stored as it is, as Redis does: the key then counts in DBSIZE until the next access or the
 * active expiry cycle removes it (as `expired`, replicated as DEL).
 */
function storeValue(
  ctx: CommandContext,
  keyArg: Bytes,
  key: string,
  value: Bytes,
  when: number | bigint | undefined,
  keepTtl: boolean,
): void {
  if (when === undefined) {
    ctx.db.set(key, value, keepTtl);
    ctx.changed(key, 'set');
    if (ctx.recording) ctx.propagate(keepTtl ? ['SET', keyArg, value, 'KEEPTTL'] : ['SET', keyArg, value]);
    return;
  }
  ctx.db.set(key, value, false, Number(when));
  ctx.changedTwice(key, 'set', 'expire');
  if (ctx.recording) ctx.propagate(['SET', keyArg, value, 'PXAT', String(when)]);
}

const get = defineCommand({
  name: 'get',
  arity: 2,
  flags: ['readonly', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    return readString(ctx, keyName(argv[1])) ?? null;
  },
});

const set = defineCommand({
  name: 'set',
  arity: -3,
  flags: ['write', 'denyoom'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const { flags, expire } = parseExtended(argv, 3, true);
    const key = keyName(argv[1]);
    const when = expire === undefined ? undefined : expireAt(ctx, expire, flags, 'set');
    let old: Bytes | null = null;
    let found = false;
    if (flags & GET) {
      old = readString(ctx, key) ?? null;
      found = old !== null;
    } else if (flags & (NX | XX)) {
      // A plain SET needs no lookup: storing replaces whatever was there.
      found = ctx.db.get(key, ctx.now) !== undefined;
    }
    if ((flags & NX && found) || (flags & XX && !found)) return flags & GET ? old : null;
    storeValue(ctx, argv[1], key, storable(argv[2]), when, (flags & KEEPTTL) !== 0);
    return flags & GET ? old : OK;
  },
});

const setnx = defineCommand({
  name: 'setnx',
  arity: 3,
  flags: ['write', 'denyoom', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const key = keyName(argv[1]);
    if (ctx.db.get(key, ctx.now) !== undefined) return 0;
    storeValue(ctx, argv[1], key, storable(argv[2]), undefined, false);
    return 1;
  },
});

function setexCommand(name: 'setex' | 'psetex', unit: number) {
  return defineCommand({
    name,
    arity: 4,
    flags: ['write', 'denyoom'],
    keys: ONE_KEY,
    exec(ctx, argv) {
      const when = expireAt(ctx, argv[2], unit, name);
      storeValue(ctx, argv[1], keyName(argv[1]), storable(argv[3]), when, false);
      return OK;
    },
  });
}

const getset = defineCommand({
  name: 'getset',
  arity: 3,
  flags: ['write', 'denyoom', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const key = keyName(argv[1]);
    const old = readString(ctx, key) ?? null;
    storeValue(ctx, argv[1], key, storable(argv[2]), undefined, false);
    return old;
  },
});

const getdel = defineCommand({
  name: 'getdel',
  arity: 2,
  flags: ['write', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const key = keyName(argv[1]);
    const value = readString(ctx, key);
    if (value === undefined) return null;
    ctx.db.delete(key);
    ctx.changed(key, 'del');
    ctx.propagate(['DEL', argv[1]]);
    return value;
  },
});

const getex = defineCommand({
  name: 'getex',
  arity: -2,
  flags: ['write', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const { flags, expire } = parseExtended(argv, 2, false);
    const key = keyName(argv[1]);
    const value = readString(ctx, key);
    if (value === undefined) return null;
    if (expire !== undefined) {
      const when = expireAt(ctx, expire, flags, 'getex');
      if (flags & (EXAT | PXAT) && when <= ctx.now) {
        ctx.db.delete(key);
        ctx.changed(key, 'del');
        ctx.propagate(['DEL', argv[1]]);
      } else {
        ctx.db.setExpire(key, Number(when));
        ctx.changed(key, 'expire');
        ctx.propagate(['PEXPIREAT', argv[1], String(when)]);
      }
    } else if (flags & PERSIST && ctx.db.persist(key)) {
      ctx.changed(key, 'persist');
      ctx.propagate(['PERSIST', argv[1]]);
    }
    return value;
  },
});

const mget = defineCommand({
  name: 'mget',
  arity: -2,
  flags: ['readonly', 'fast'],
  keys: { first: 1, last: -1, step: 1 },
  crossSlot: 'mget',
  exec(ctx, argv) {
    const values: Reply[] = new Array(argv.length - 1);
    for (let j = 1; j < argv.length; j++) {
      const value = ctx.db.read(keyName(argv[j]), ctx.now);
      values[j - 1] = value !== undefined && isString(value) ? value : null;
    }
    return values;
  },
});

function msetCommand(name: 'mset' | 'msetnx') {
  const nx = name === 'msetnx';
  return defineCommand({
    name,
    arity: -3,
    flags: ['write', 'denyoom'],
    keys: { first: 1, last: -1, step: 2 },
    ...(nx ? {} : { crossSlot: 'mset' as const }),
    exec(ctx, argv) {
      if (argv.length % 2 === 0) throw wrongArity(name);
      if (nx) {
        for (let j = 1; j < argv.length; j += 2) if (ctx.db.get(keyName(argv[j]), ctx.now) !== undefined) return 0;
      }
      for (let j = 1; j < argv.length; j += 2) {
        const key = keyName(argv[j]);
        ctx.db.set(key, storable(argv[j + 1]));
        ctx.changed(key, 'set');
      }
      return nx ? 1 : OK;
    },
  });
}

const append = defineCommand({
  name: 'append',
  arity: 3,
  flags: ['write', 'denyoom', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const key = keyName(argv[1]);
    const current = writeLookupString(ctx, key);
    let length: number;
    if (current === undefined) {
      const value = storable(argv[2]);
      ctx.db.set(key, value);
      length = byteLength(value);
    } else {
      checkStringLength(byteLength(current), byteLength(argv[2]), protoMaxBulkLen(ctx.cache.settings));
      const value = appendBytes(current, argv[2]);
      ctx.db.replace(key, value);
      length = value.length;
    }
    ctx.changed(key, 'append');
    return length;
  },
});

const strlen = defineCommand({
  name: 'strlen',
  arity: 2,
  flags: ['readonly', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const value = readString(ctx, keyName(argv[1]));
    return value === undefined ? 0 : byteLength(value);
  },
});

function getrangeCommand(name: 'getrange' | 'substr') {
  return defineCommand({
    name,
    arity: 4,
    flags: ['readonly'],
    keys: ONE_KEY,
    exec(ctx, argv) {
      const start = integerArg(argv[2]);
      const end = integerArg(argv[3]);
      const value = readString(ctx, keyName(argv[1]));
      return value === undefined ? '' : getRange(value, start, end);
    },
  });
}

const setrange = defineCommand({
  name: 'setrange',
  arity: 4,
  flags: ['write', 'denyoom'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const offset = integerArg(argv[2]);
    if (offset < 0) throw OFFSET_RANGE;
    const key = keyName(argv[1]);
    const patchLength = byteLength(argv[3]);
    const current = writeLookupString(ctx, key);
    if (patchLength === 0) return current === undefined ? 0 : byteLength(current);
    checkStringLength(Number(offset), patchLength, protoMaxBulkLen(ctx.cache.settings));
    const value = setRangeBytes(current, Number(offset), argv[3]);
    if (current === undefined) ctx.db.set(key, value);
    else ctx.db.replace(key, value);
    ctx.changed(key, 'setrange');
    return value.length;
  },
});

/** INCR/DECR/INCRBY/DECRBY once the increment is known. */
function incrementBy(ctx: CommandContext, argv: readonly Bytes[], increment: number | bigint): Reply {
  const key = keyName(argv[1]);
  const current = writeLookupString(ctx, key);
  const result = incrementInteger(current, increment);
  if (current === undefined) ctx.db.set(key, String(result));
  else ctx.db.replace(key, String(result));
  ctx.changed(key, 'incrby');
  return result;
}

const incr = defineCommand({
  name: 'incr',
  arity: 2,
  flags: ['write', 'denyoom', 'fast'],
  keys: ONE_KEY,
  exec: (ctx, argv) => incrementBy(ctx, argv, 1),
});

const decr = defineCommand({
  name: 'decr',
  arity: 2,
  flags: ['write', 'denyoom', 'fast'],
  keys: ONE_KEY,
  exec: (ctx, argv) => incrementBy(ctx, argv, -1),
});

const incrby = defineCommand({
  name: 'incrby',
  arity: 3,
  flags: ['write', 'denyoom', 'fast'],
  keys: ONE_KEY,
  exec: (ctx, argv) => incrementBy(ctx, argv, integerArg(argv[2])),
});

const decrby = defineCommand({
  name: 'decrby',
  arity: 3,
  flags: ['write', 'denyoom', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const decrement = integerArg(argv[2]);
    if (typeof decrement === 'bigint' && decrement === INT64_MIN) throw DECREMENT_OVERFLOW;
    return incrementBy(ctx, argv, typeof decrement === 'bigint' ? -decrement : -decrement);
  },
});

const incrbyfloat = defineCommand({
  name: 'incrbyfloat',
  arity: 3,
  flags: ['write', 'denyoom', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const key = keyName(argv[1]);
    const current = writeLookupString(ctx, key);
    const value = incrementFloat(current, argv[2]);
    if (current === undefined) ctx.db.set(key, value);
    else ctx.db.replace(key, value);
    ctx.changed(key, 'incrbyfloat');
    ctx.propagate(['SET', argv[1], value, 'KEEPTTL']);
    return value;
  },
});

const lcs = defineCommand({
  name: 'lcs',
  arity: -3,
  flags: ['readonly'],
  keys: { first: 1, last: 2, step: 1 },
  exec(ctx, argv) {
    const a = ctx.db.read(keyName(argv[1]), ctx.now);
    const b = ctx.db.read(keyName(argv[2]), ctx.now);
    if ((a !== undefined && !isString(a)) || (b !== undefined && !isString(b))) throw LCS_NOT_STRINGS;
    const options = { len: false, idx: false, minMatchLen: 0, withMatchLen: false };
    for (let j = 3; j < argv.length; j++) {
      const opt = optionName(argv[j]);
      if (opt === 'IDX') options.idx = true;
      else if (opt === 'LEN') options.len = true;
      else if (opt === 'WITHMATCHLEN') options.withMatchLen = true;
      else if (opt === 'MINMATCHLEN' && j < argv.length - 1) {
        const n = integerArg(argv[++j]);
        options.minMatchLen = n < 0 ? 0 : Number(n);
      } else throw SYNTAX;
    }
    if (options.idx && options.len) throw LCS_LEN_AND_IDX;
    const result = longestCommonSubsequence(a ?? '', b ?? '', options, protoMaxBulkLen(ctx.cache.settings));
    if (options.idx) {
      const matches: Reply[] = result.ranges.map((r) =>
        options.withMatchLen ? [[...r.a], [...r.b], r.length] : [[...r.a], [...r.b]],
      );
      return new MapReply([
        ['matches', matches],
        ['len', result.length],
      ]);
    }
    return options.len ? result.length : result.text!;
  },
});

/** Every string command of Redis 7.4. */
export const stringCommands: CommandSpec[] = [
  get,
  set,
  setnx,
  setexCommand('setex', EX),
  setexCommand('psetex', PX),
  getset,
  getdel,
  getex,
  mget,
  msetCommand('mset'),
  msetCommand('msetnx'),
  append,
  strlen,
  getrangeCommand('getrange'),
  getrangeCommand('substr'),
  setrange,
  incr,
  decr,
  incrby,
  decrby,
  incrbyfloat,
  lcs,
];
