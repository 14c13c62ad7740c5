/**
 * The list commands of Redis 7.4 and the blocking pops: LPUSH … LMPOP, BLPOP, BRPOP, BLMOVE,
 * BRPOPLPUSH, BLMPOP, and the sorted-set ones BZPOPMIN, BZPOPMAX, BZMPOP (on the pop API of
 * `keyspace/types/zset.ts`). Parsing, validation order and replies live here; the value and its
 * listpack/quicklist layout are in `keyspace/types/list.ts`, waiting in `blocking.ts`.
 */
import { defineCommand, type CommandContext, type CommandSpec, type KeySpec } from './command.js';
import { keyName, type Bytes } from '../keyspace/bytes.js';
import { ListValue, Needle, listFill } from '../keyspace/types/list.js';
import {
  INDEX_OUT_OF_RANGE,
  LONG_RANGE_SYMMETRIC,
  LPOS_COUNT_NEGATIVE,
  LPOS_MAXLEN_NEGATIVE,
  LPOS_RANK_ZERO,
  NOT_INTEGER,
  NO_SUCH_KEY,
  NUMKEYS_NOT_POSITIVE,
  POSITIVE_RANGE,
  SYNTAX,
  WRONGTYPE,
  ZMPOP_COUNT_NOT_POSITIVE,
  wrongArity,
} from '../protocol/errors.js';
import { INT64_MIN, parseInt64 } from '../protocol/numbers.js';
import { NULL_ARRAY, OK, type Reply } from '../protocol/reply.js';
import { blockOrDeny, keyNames, parseTimeout } from '../blocking.js';
import { popZset, poppedReply, zsetForWrite } from '../keyspace/types/zset.js';

const ONE_KEY = { first: 1, last: 1, step: 1 } as const;
const TWO_KEYS = { first: 1, last: 2, step: 1 } as const;

/** Larger than any list can be: stands for integers beyond 2^53 in index arithmetic. */
const HUGE = Number.MAX_SAFE_INTEGER;

// --- argument helpers ---------------------------------------------------------------------------

/**
 * An option name as the C code compares it with strcasecmp: the bytes up to the first NUL, ASCII
 * letters upper-cased.
 */
function optionName(arg: Bytes): string {
  let s = typeof arg === 'string' ? arg : arg.toString('latin1');
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  return s.length > 8 ? '' : s.replace(/[a-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 32));
}

/** `LEFT` → head, `RIGHT` → tail (`getListPositionFromObjectOrReply`). */
function listEnd(arg: Bytes): boolean {
  const name = optionName(arg);
  if (name === 'LEFT') return true;
  if (name === 'RIGHT') return false;
  throw SYNTAX;
}

/** A `long` argument as a safe number (values past 2^53 saturate: no list is that long). */
function longArg(arg: Bytes): number {
  const n = parseInt64(arg);
  if (n === null) throw NOT_INTEGER;
  if (typeof n === 'bigint') return n > 0n ? HUGE : -HUGE;
  return n;
}

/** A `long` argument truncated to a C `int` (two's complement, low 32 bits). */
function int32Arg(arg: Bytes): number {
  const n = parseInt64(arg);
  if (n === null) throw NOT_INTEGER;
  return typeof n === 'bigint' ? Number(BigInt.asIntN(32, n)) : n | 0;
}

/** `getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX)` (LREM count, LPOS rank). */
function symmetricLongArg(arg: Bytes): number {
  const n = parseInt64(arg);
  if (n === null) throw NOT_INTEGER;
  if (typeof n === 'bigint') {
    if (n === INT64_MIN) throw LONG_RANGE_SYMMETRIC;
    return n > 0n ? HUGE : -HUGE;
  }
  return n;
}

/** `getPositiveLongFromObjectOrReply` with a message used for any failure. */
function nonNegativeArg(arg: Bytes, error: Error): number {
  const n = parseInt64(arg);
  if (n === null || n < 0) throw error;
  return typeof n === 'bigint' ? HUGE : n;
}

/** `getRangeLongFromObjectOrReply(1, LONG_MAX, msg)`. */
function positiveArg(arg: Bytes, error: Error): number {
  const n = parseInt64(arg);
  if (n === null || n < 1) throw error;
  return typeof n === 'bigint' ? HUGE : n;
}

// --- lookups ------------------------------------------------------------------------------------

/** A list looked up for reading (counted as a keyspace hit or miss). */
function readList(ctx: CommandContext, key: string): ListValue | undefined {
  const value = ctx.db.read(key, ctx.now);
  if (value !== undefined && !(value instanceof ListValue)) throw WRONGTYPE;
  return value;
}

/** A list looked up for writing. */
function writeList(ctx: CommandContext, key: string): ListValue | undefined {
  const value = ctx.db.get(key, ctx.now);
  if (value !== undefined && !(value instanceof ListValue)) throw WRONGTYPE;
  return value;
}

/** The list at `key`, created (empty, listpack) when missing. */
function createList(ctx: CommandContext, key: string, existing: ListValue | undefined): ListValue {
  if (existing !== undefined) return existing;
  const list = new ListValue();
  ctx.db.set(key, list);
  return list;
}

/**
 * After elements left one end (`listElementsRemoved`): the pop event, the key deleted when the
 * list emptied (with its `del` event), else a chance to go back to a listpack.
 */
function elementsRemoved(ctx: CommandContext, key: string, list: ListValue, head: boolean): void {
  ctx.changed(key, head ? 'lpop' : 'rpop');
  if (list.length === 0) {
    ctx.db.delete(key);
    ctx.changed(key, 'del');
  } else {
    list.shrink(listFill(ctx.cache.settings));
  }
}

/** Removes a list left empty by LREM/LTRIM (with `del`), or lets it shrink to a listpack. */
function afterRemoval(ctx: CommandContext, key: string, list: ListValue): void {
  if (list.length === 0) {
    ctx.db.delete(key);
    ctx.changed(key, 'del');
  } else {
    list.shrink(listFill(ctx.cache.settings));
  }
}

// --- push ---------------------------------------------------------------------------------------

function pushCommand(name: string, head: boolean, onlyExisting: boolean): CommandSpec {
  const event = head ? 'lpush' : 'rpush';
  return defineCommand({
    name,
    arity: -3,
    flags: ['write', 'denyoom', 'fast'],
    keys: ONE_KEY,
    exec(ctx, argv) {
      const key = keyName(argv[1]);
      const existing = writeList(ctx, key);
      if (existing === undefined && onlyExisting) return 0;
      const list = createList(ctx, key, existing);
      list.prepareGrow(listFill(ctx.cache.settings), argv, 2);
      for (let j = 2; j < argv.length; j++) list.push(argv[j], head);
      ctx.changed(key, event);
      return list.length;
    },
  });
}

const linsert = defineCommand({
  name: 'linsert',
  arity: 5,
  flags: ['write', 'denyoom'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const where = optionName(argv[2]);
    if (where !== 'AFTER' && where !== 'BEFORE') throw SYNTAX;
    const key = keyName(argv[1]);
    const list = writeList(ctx, key);
    if (list === undefined) return 0;
    // Redis converts before looking for the pivot (it cannot convert while iterating).
    list.prepareGrowOne(listFill(ctx.cache.settings), argv[4]);
    const pivot = new Needle(argv[3]);
    const size = list.length;
    for (let i = 0; i < size; i++) {
      if (pivot.matches(list.at(i))) {
        list.insertAt(i, argv[4], where === 'AFTER');
        ctx.changed(key, 'linsert');
        return list.length;
      }
    }
    return -1;
  },
});

// --- reads --------------------------------------------------------------------------------------

const llen = defineCommand({
  name: 'llen',
  arity: 2,
  flags: ['readonly', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    return readList(ctx, keyName(argv[1]))?.length ?? 0;
  },
});

const lindex = defineCommand({
  name: 'lindex',
  arity: 3,
  flags: ['readonly'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const list = readList(ctx, keyName(argv[1]));
    if (list === undefined) return null;
    let index = longArg(argv[2]);
    if (index < 0) index += list.length;
    if (index < 0 || index >= list.length) return null;
    return list.at(index);
  },
});

/** Resolves LRANGE-style `start`/`end` against a length: [from, to] inclusive, or null when empty. */
function resolveRange(start: number, end: number, length: number): [number, number] | null {
  if (start < 0) start += length;
  if (end < 0) end += length;
  if (start < 0) start = 0;
  if (start > end || start >= length) return null;
  if (end >= length) end = length - 1;
  return [start, end];
}

const lrange = defineCommand({
  name: 'lrange',
  arity: 4,
  flags: ['readonly'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const start = longArg(argv[2]);
    const end = longArg(argv[3]);
    const list = readList(ctx, keyName(argv[1]));
    if (list === undefined) return [];
    const range = resolveRange(start, end, list.length);
    return range === null ? [] : list.range(range[0], range[1]);
  },
});

const lpos = defineCommand({
  name: 'lpos',
  arity: -3,
  flags: ['readonly'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    let rank = 1;
    let count = -1; // -1: no COUNT option
    let maxlen = 0;
    for (let j = 3; j < argv.length; j++) {
      const opt = optionName(argv[j]);
      const more = j < argv.length - 1;
      if (opt === 'RANK' && more) {
        rank = symmetricLongArg(argv[++j]);
        if (rank === 0) throw LPOS_RANK_ZERO;
      } else if (opt === 'COUNT' && more) {
        count = nonNegativeArg(argv[++j], LPOS_COUNT_NEGATIVE);
      } else if (opt === 'MAXLEN' && more) {
        maxlen = nonNegativeArg(argv[++j], LPOS_MAXLEN_NEGATIVE);
      } else {
        throw SYNTAX;
      }
    }
    const fromTail = rank < 0;
    if (fromTail) rank = -rank;
    const list = readList(ctx, keyName(argv[1]));
    if (list === undefined) return count !== -1 ? [] : null;
    const needle = new Needle(argv[2]);
    const size = list.length;
    const matches: number[] = [];
    let seen = 0;
    for (let n = 0; n < size && (maxlen === 0 || n < maxlen); n++) {
      const index = fromTail ? size - 1 - n : n;
      if (!needle.matches(list.at(index))) continue;
      seen++;
      if (seen < rank) continue;
      if (count === -1) return index;
      matches.push(index);
      if (count !== 0 && matches.length >= count) break;
    }
    return count === -1 ? null : matches;
  },
});

// --- writes in place ----------------------------------------------------------------------------

const lset = defineCommand({
  name: 'lset',
  arity: 4,
  flags: ['write', 'denyoom'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const key = keyName(argv[1]);
    const list = ctx.db.get(key, ctx.now);
    if (list === undefined) throw NO_SUCH_KEY;
    if (!(list instanceof ListValue)) throw WRONGTYPE;
    // Redis passes the index on as a C `int` (listTypeReplaceAtIndex): only its low 32 bits count.
    let index = int32Arg(argv[2]);
    const fill = listFill(ctx.cache.settings);
    // As in Redis, the listpack → quicklist check runs before the index is known to be valid.
    list.prepareGrowOne(fill, argv[3]);
    if (index < 0) index += list.length;
    if (index < 0 || index >= list.length) throw INDEX_OUT_OF_RANGE;
    list.setAt(index, argv[3]);
    list.shrink(fill);
    ctx.changed(key, 'lset');
    return OK;
  },
});

const ltrim = defineCommand({
  name: 'ltrim',
  arity: 4,
  flags: ['write'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const start = longArg(argv[2]);
    const end = longArg(argv[3]);
    const key = keyName(argv[1]);
    const list = writeList(ctx, key);
    if (list === undefined) return OK;
    const length = list.length;
    const range = resolveRange(start, end, length);
    const left = range === null ? length : range[0];
    const right = range === null ? 0 : length - range[1] - 1;
    list.trim(left, right);
    ctx.changed(key, 'ltrim');
    afterRemoval(ctx, key, list);
    return OK;
  },
});

const lrem = defineCommand({
  name: 'lrem',
  arity: 4,
  flags: ['write'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const count = symmetricLongArg(argv[2]);
    const key = keyName(argv[1]);
    const list = writeList(ctx, key);
    if (list === undefined) return 0;
    const removed = list.removeMatching(new Needle(argv[3]), Math.abs(count), count < 0);
    if (removed > 0) {
      ctx.changed(key, 'lrem');
      afterRemoval(ctx, key, list);
    }
    return removed;
  },
});

// --- pops ---------------------------------------------------------------------------------------

function popCommand(name: string, head: boolean): CommandSpec {
  return defineCommand({
    name,
    arity: -2,
    flags: ['write', 'fast'],
    keys: ONE_KEY,
    exec(ctx, argv) {
      if (argv.length > 3) throw wrongArity(name);
      const hasCount = argv.length === 3;
      const count = hasCount ? nonNegativeArg(argv[2], POSITIVE_RANGE) : 0;
      const key = keyName(argv[1]);
      const list = writeList(ctx, key);
      if (list === undefined) return hasCount ? NULL_ARRAY : null;
      if (hasCount && count === 0) return [];
      if (!hasCount) {
        const value = list.pop(head);
        elementsRemoved(ctx, key, list, head);
        return value;
      }
      const values = list.popMany(head, count);
      elementsRemoved(ctx, key, list, head);
      return values;
    },
  });
}

/**
 * LMOVE's work once both ends are known: pop from `srcKey`, push to `dstKey` (created if needed),
 * notify as Redis does (the push first, then the pop and a possible `del`). Null when the source
 * is missing.
 */
function move(ctx: CommandContext, argv: readonly Bytes[], fromHead: boolean, toHead: boolean): Reply {
  const srcKey = keyName(argv[1]);
  const src = writeList(ctx, srcKey);
  if (src === undefined) return null;
  const dstKey = keyName(argv[2]);
  const dst = writeList(ctx, dstKey);
  const fill = listFill(ctx.cache.settings);
  const value = src.pop(fromHead);
  const target = createList(ctx, dstKey, dst);
  target.prepareGrowOne(fill, value);
  target.push(value, toHead);
  ctx.changed(dstKey, toHead ? 'lpush' : 'rpush');
  elementsRemoved(ctx, srcKey, src, fromHead);
  return value;
}

const lmove = defineCommand({
  name: 'lmove',
  arity: 5,
  flags: ['write', 'denyoom'],
  keys: TWO_KEYS,
  exec(ctx, argv) {
    const fromHead = listEnd(argv[3]);
    const toHead = listEnd(argv[4]);
    return move(ctx, argv, fromHead, toHead);
  },
});

const rpoplpush = defineCommand({
  name: 'rpoplpush',
  arity: 3,
  flags: ['write', 'denyoom'],
  keys: TWO_KEYS,
  exec: (ctx, argv) => move(ctx, argv, false, true),
});

/** LMPOP/BLMPOP arguments after the numkeys position. */
interface MpopArgs {
  first: number;
  numkeys: number;
  head: boolean;
  count: number;
}

/** Parses `numkeys key… LEFT|RIGHT [COUNT n]` starting at `at` (`lmpopGenericCommand`). */
function parseMpop(argv: readonly Bytes[], at: number): MpopArgs {
  const numkeys = positiveArg(argv[at], NUMKEYS_NOT_POSITIVE);
  const whereAt = at + numkeys + 1;
  if (whereAt >= argv.length) throw SYNTAX;
  const head = listEnd(argv[whereAt]);
  let count = -1;
  for (let j = whereAt + 1; j < argv.length; j++) {
    if (count === -1 && optionName(argv[j]) === 'COUNT' && j < argv.length - 1) {
      count = positiveArg(argv[++j], ZMPOP_COUNT_NOT_POSITIVE);
    } else {
      throw SYNTAX;
    }
  }
  return { first: at + 1, numkeys, head, count: count === -1 ? 1 : count };
}

/** Key positions of `numkeys key…` with numkeys at `at` (none when numkeys is unusable). */
function numkeysKeys(at: number): KeySpec {
  return (argv) => {
    if (argv.length <= at) return [];
    const n = parseInt64(argv[at]);
    if (n === null || typeof n === 'bigint' || n < 1 || at + n >= argv.length) return [];
    const positions: number[] = new Array(n);
    for (let i = 0; i < n; i++) positions[i] = at + 1 + i;
    return positions;
  };
}

/**
 * Pops up to `count` from the first non-empty list of the keys: `[key, [elements]]`, replicated as
 * `LPOP|RPOP key n`; undefined when every key is missing.
 */
function popFirstNonEmpty(ctx: CommandContext, argv: readonly Bytes[], args: MpopArgs): Reply[] | undefined {
  for (let i = args.first; i < args.first + args.numkeys; i++) {
    const key = keyName(argv[i]);
    const list = writeList(ctx, key);
    if (list === undefined) continue;
    const values = list.popMany(args.head, args.count);
    elementsRemoved(ctx, key, list, args.head);
    ctx.propagate([args.head ? 'LPOP' : 'RPOP', argv[i], String(values.length)]);
    return [argv[i], values];
  }
  return undefined;
}

const lmpop = defineCommand({
  name: 'lmpop',
  arity: -4,
  flags: ['write', 'movablekeys'],
  keys: numkeysKeys(1),
  exec(ctx, argv) {
    const args = parseMpop(argv, 1);
    return popFirstNonEmpty(ctx, argv, args) ?? NULL_ARRAY;
  },
});

// --- blocking -----------------------------------------------------------------------------------

function blockingPopCommand(name: string, head: boolean): CommandSpec {
  return defineCommand({
    name,
    arity: -3,
    flags: ['write', 'blocking'],
    keys: { first: 1, last: -2, step: 1 },
    exec(ctx, argv) {
      const last = argv.length - 1;
      const deadline = parseTimeout(argv[last], ctx.now);
      for (let i = 1; i < last; i++) {
        const key = keyName(argv[i]);
        const list = writeList(ctx, key);
        if (list === undefined) continue;
        const value = list.pop(head);
        elementsRemoved(ctx, key, list, head);
        ctx.propagate([head ? 'LPOP' : 'RPOP', argv[i]]);
        return [argv[i], value];
      }
      return blockOrDeny(ctx, keyNames(argv, 1, last), deadline, 'list', NULL_ARRAY);
    },
  });
}

/** BLMOVE / BRPOPLPUSH once parsed: move now, or wait on the source. */
function blockingMove(
  ctx: CommandContext,
  argv: readonly Bytes[],
  fromHead: boolean,
  toHead: boolean,
  deadline: number,
  effect: Bytes[],
): Reply {
  const srcKey = keyName(argv[1]);
  if (writeList(ctx, srcKey) === undefined) return blockOrDeny(ctx, [srcKey], deadline, 'list', null);
  const reply = move(ctx, argv, fromHead, toHead);
  ctx.propagate(effect);
  return reply;
}

const blmove = defineCommand({
  name: 'blmove',
  arity: 6,
  flags: ['write', 'denyoom', 'blocking'],
  keys: TWO_KEYS,
  exec(ctx, argv) {
    const fromHead = listEnd(argv[3]);
    const toHead = listEnd(argv[4]);
    const deadline = parseTimeout(argv[5], ctx.now);
    return blockingMove(ctx, argv, fromHead, toHead, deadline, ['LMOVE', argv[1], argv[2], argv[3], argv[4]]);
  },
});

const brpoplpush = defineCommand({
  name: 'brpoplpush',
  arity: 4,
  flags: ['write', 'denyoom', 'blocking'],
  keys: TWO_KEYS,
  exec(ctx, argv) {
    const deadline = parseTimeout(argv[3], ctx.now);
    return blockingMove(ctx, argv, false, true, deadline, ['RPOPLPUSH', argv[1], argv[2]]);
  },
});

const blmpop = defineCommand({
  name: 'blmpop',
  arity: -5,
  flags: ['write', 'blocking', 'movablekeys'],
  keys: numkeysKeys(2),
  exec(ctx, argv) {
    const args = parseMpop(argv, 2);
    const deadline = parseTimeout(argv[1], ctx.now);
    const reply = popFirstNonEmpty(ctx, argv, args);
    if (reply !== undefined) return reply;
    return blockOrDeny(ctx, keyNames(argv, args.first, args.first + args.numkeys), deadline, 'list', NULL_ARRAY);
  },
});

// --- blocking sorted-set pops (the sorted set itself is in keyspace/types/zset.ts) ---------------

/** BZPOPMIN / BZPOPMAX key… timeout: `[key, member, score]` from the first non-empty set. */
function blockingZpopCommand(name: string, max: boolean): CommandSpec {
  return defineCommand({
    name,
    arity: -3,
    flags: ['write', 'blocking', 'fast'],
    keys: { first: 1, last: -2, step: 1 },
    exec(ctx, argv) {
      const last = argv.length - 1;
      const deadline = parseTimeout(argv[last], ctx.now);
      for (let i = 1; i < last; i++) {
        const key = keyName(argv[i]);
        const zset = zsetForWrite(ctx, key);
        if (zset === undefined) continue;
        const popped = popZset(ctx, key, zset, max, 1);
        ctx.propagate([max ? 'ZPOPMAX' : 'ZPOPMIN', argv[i]]);
        return [argv[i], ...poppedReply(popped, false)];
      }
      return blockOrDeny(ctx, keyNames(argv, 1, last), deadline, 'zset', NULL_ARRAY);
    },
  });
}

const bzmpop = defineCommand({
  name: 'bzmpop',
  arity: -5,
  flags: ['write', 'blocking', 'movablekeys'],
  keys: numkeysKeys(2),
  exec(ctx, argv) {
    // zmpopGenericCommand: numkeys, MIN|MAX, COUNT, then the timeout (in blockingGenericZpopCommand).
    const numkeys = positiveArg(argv[2], NUMKEYS_NOT_POSITIVE);
    const whereAt = 3 + numkeys;
    if (whereAt >= argv.length) throw SYNTAX;
    const where = optionName(argv[whereAt]);
    if (where !== 'MIN' && where !== 'MAX') throw SYNTAX;
    let count = -1;
    for (let j = whereAt + 1; j < argv.length; j++) {
      if (count === -1 && optionName(argv[j]) === 'COUNT' && j < argv.length - 1) {
        count = positiveArg(argv[++j], ZMPOP_COUNT_NOT_POSITIVE);
      } else {
        throw SYNTAX;
      }
    }
    if (count === -1) count = 1;
    const deadline = parseTimeout(argv[1], ctx.now);
    const max = where === 'MAX';
    for (let i = 3; i < whereAt; i++) {
      const key = keyName(argv[i]);
      const zset = zsetForWrite(ctx, key);
      if (zset === undefined) continue;
      const popped = popZset(ctx, key, zset, max, count);
      // Redis replicates the requested count (the replica pops what is there).
      ctx.propagate([max ? 'ZPOPMAX' : 'ZPOPMIN', argv[i], String(count)]);
      return [argv[i], poppedReply(popped, true)];
    }
    return blockOrDeny(ctx, keyNames(argv, 3, whereAt), deadline, 'zset', NULL_ARRAY);
  },
});

export const listCommands: CommandSpec[] = [
  pushCommand('lpush', true, false),
  pushCommand('rpush', false, false),
  pushCommand('lpushx', true, true),
  pushCommand('rpushx', false, true),
  linsert,
  llen,
  lindex,
  lrange,
  lpos,
  lset,
  ltrim,
  lrem,
  popCommand('lpop', true),
  popCommand('rpop', false),
  lmove,
  rpoplpush,
  lmpop,
  blockingPopCommand('blpop', true),
  blockingPopCommand('brpop', false),
  blmove,
  brpoplpush,
  blmpop,
  blockingZpopCommand('bzpopmin', false),
  blockingZpopCommand('bzpopmax', true),
  bzmpop,
];
