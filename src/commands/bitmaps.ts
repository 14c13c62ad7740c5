/**
 * Bitmaps: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO, as Redis 7.4 answers
 * them. Bitmaps are string values; parsing and replies live here, the bit-level semantics in
 * `keyspace/types/bitmap.ts`. Every argument is parsed before a key is looked up, in the order
 * bitops.c parses them, so the first error Redis reports is the one reported here.
 */
import { defineCommand, type CommandContext, type CommandSpec } from './command.js';
import { keyName, toBuffer, type Bytes } from '../keyspace/bytes.js';
import { protoMaxBulkLen } from '../keyspace/types/string.js';
import {
  BITFIELD_OVERFLOW_TYPE,
  BITFIELD_RO_GET_ONLY,
  BITOP_NOT_SINGLE,
  BITPOS_BIT,
  bitCount,
  bitOp,
  bitPos,
  getBit,
  parseBitfieldType,
  parseBitOffset,
  parseBitValue,
  runBitfield,
  setBitInPlace,
  writableBitmap,
  type BitfieldOp,
  type BitOp,
  type Overflow,
} from '../keyspace/types/bitmap.js';
import { NOT_INTEGER, SYNTAX } from '../protocol/errors.js';
import { intReply, parseInt64 } from '../protocol/numbers.js';
import type { Reply } from '../protocol/reply.js';
import { readString, writeLookupString } from './strings.js';

const ONE_KEY = { first: 1, last: 1, step: 1 } as const;

/** An int64 argument (`getLongLongFromObjectOrReply`). */
function int64Arg(arg: Bytes): bigint {
  const n = parseInt64(arg);
  if (n === null) throw NOT_INTEGER;
  return BigInt(n);
}

/**
 * An option name as `strcasecmp` sees it: the bytes up to the first NUL, ASCII letters folded
 * to lower case (non-ASCII bytes match no option).
 */
function option(arg: Bytes): string {
  let s = typeof arg === 'string' ? arg : arg.toString('latin1');
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  if (s.length > 16) return '';
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/**
 * Stores a bit-written value: a new key, or the existing one's value replaced (TTL kept). The
 * value is always a fresh Buffer (`writableBitmap`), so nothing handed out earlier changes.
 */
function storeBitmap(ctx: CommandContext, key: string, existed: boolean, bytes: Buffer): void {
  if (existed) ctx.db.replace(key, bytes);
  else ctx.db.set(key, bytes);
}

const setbit = defineCommand({
  name: 'setbit',
  arity: 4,
  flags: ['write', 'denyoom'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const offset = parseBitOffset(argv[2], protoMaxBulkLen(ctx.cache.settings));
    const on = parseBitValue(argv[3]);
    const key = keyName(argv[1]);
    const current = writeLookupString(ctx, key);
    const { bytes, grown } = writableBitmap(current, offset);
    const old = setBitInPlace(bytes, offset, on);
    // Redis unshares the value (it becomes `raw`) even when nothing changes; only a change (a
    // new or longer value, or a flipped bit) is a write that is signalled and propagated.
    storeBitmap(ctx, key, current !== undefined, bytes);
    if (grown || old !== on) ctx.changed(key, 'setbit');
    return old;
  },
});

const getbit = defineCommand({
  name: 'getbit',
  arity: 3,
  flags: ['readonly', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const offset = parseBitOffset(argv[2], protoMaxBulkLen(ctx.cache.settings));
    const value = readString(ctx, keyName(argv[1]));
    return value === undefined ? 0 : getBit(value, offset);
  },
});

/** The BYTE|BIT unit argument: true for BIT; a syntax error otherwise. */
function unitIsBit(arg: Bytes): boolean {
  const unit = option(arg);
  if (unit === 'bit') return true;
  if (unit === 'byte') return false;
  throw SYNTAX;
}

const bitcount = defineCommand({
  name: 'bitcount',
  arity: -2,
  flags: ['readonly'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    if (argv.length === 2) return bitCount(readString(ctx, keyName(argv[1])));
    if (argv.length !== 4 && argv.length !== 5) throw SYNTAX;
    const start = int64Arg(argv[2]);
    const end = int64Arg(argv[3]);
    const isBit = argv.length === 5 ? unitIsBit(argv[4]) : false;
    return bitCount(readString(ctx, keyName(argv[1])), [start, end, isBit]);
  },
});

const bitpos = defineCommand({
  name: 'bitpos',
  arity: -3,
  flags: ['readonly'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const bit = int64Arg(argv[2]);
    if (bit !== 0n && bit !== 1n) throw BITPOS_BIT;
    if (argv.length > 6) throw SYNTAX;
    let start: bigint | undefined;
    let end: bigint | undefined;
    let isBit = false;
    if (argv.length >= 4) {
      start = int64Arg(argv[3]);
      if (argv.length === 6) isBit = unitIsBit(argv[5]);
      if (argv.length >= 5) end = int64Arg(argv[4]);
    }
    const value = readString(ctx, keyName(argv[1]));
    return bitPos(value, bit === 1n ? 1 : 0, start, end, isBit);
  },
});

const BIT_OPS: Readonly<Record<string, BitOp>> = { and: 'and', or: 'or', xor: 'xor', not: 'not' };

const bitop = defineCommand({
  name: 'bitop',
  arity: -4,
  flags: ['write', 'denyoom'],
  keys: { first: 2, last: -1, step: 1 },
  exec(ctx, argv) {
    const name = option(argv[1]);
    const op = Object.hasOwn(BIT_OPS, name) ? BIT_OPS[name] : undefined;
    if (op === undefined) throw SYNTAX;
    if (op === 'not' && argv.length !== 4) throw BITOP_NOT_SINGLE;
    const sources: (Bytes | undefined)[] = [];
    for (let j = 3; j < argv.length; j++) sources.push(readString(ctx, keyName(argv[j])));
    const result = bitOp(op, sources);
    const target = keyName(argv[2]);
    if (result !== null) {
      // setKey: replaces whatever the destination held (any type), and drops its TTL.
      ctx.db.set(target, result);
      ctx.changed(target, 'set');
      return result.length;
    }
    // dbDelete: the destination goes whatever it held (a key past its TTL too, as in Redis).
    if (ctx.db.delete(target)) ctx.changed(target, 'del');
    return 0;
  },
});

/**
 * Parses BITFIELD's operations (`bitfieldGeneric`): GET type offset, SET type offset value,
 * INCRBY type offset increment, OVERFLOW WRAP|SAT|FAIL (applies to the operations after it).
 */
function parseBitfield(argv: readonly Bytes[], limit: number): BitfieldOp[] {
  const ops: BitfieldOp[] = [];
  let overflow: Overflow = 'wrap';
  for (let j = 2; j < argv.length; j++) {
    const remaining = argv.length - j - 1;
    const sub = option(argv[j]);
    let kind: BitfieldOp['kind'];
    if (sub === 'get' && remaining >= 2) kind = 'get';
    else if (sub === 'set' && remaining >= 3) kind = 'set';
    else if (sub === 'incrby' && remaining >= 3) kind = 'incrby';
    else if (sub === 'overflow' && remaining >= 1) {
      const policy = option(argv[++j]);
      if (policy === 'wrap' || policy === 'sat' || policy === 'fail') overflow = policy;
      else throw BITFIELD_OVERFLOW_TYPE;
      continue;
    } else throw SYNTAX;
    const type = parseBitfieldType(argv[j + 1]);
    const offset = parseBitOffset(argv[j + 2], limit, type.bits);
    const value = kind === 'get' ? 0n : int64Arg(argv[j + 3]);
    ops.push({ kind, type, offset, value, overflow });
    j += kind === 'get' ? 2 : 3;
  }
  return ops;
}

function bitfieldCommand(name: 'bitfield' | 'bitfield_ro') {
  const readonlyCommand = name === 'bitfield_ro';
  return defineCommand({
    name,
    arity: -2,
    flags: readonlyCommand ? ['readonly', 'fast'] : ['write', 'denyoom'],
    keys: ONE_KEY,
    exec(ctx, argv) {
      const ops = parseBitfield(argv, protoMaxBulkLen(ctx.cache.settings));
      let highest = -1;
      for (const op of ops) if (op.kind !== 'get') highest = Math.max(highest, op.offset + op.type.bits - 1);
      const key = keyName(argv[1]);
      let result: { replies: (bigint | null)[]; changes: number };
      if (highest < 0) {
        const value = readString(ctx, key);
        result = runBitfield(value === undefined ? undefined : toBuffer(value), ops, false);
      } else {
        if (readonlyCommand) throw BITFIELD_RO_GET_ONLY;
        const current = writeLookupString(ctx, key);
        const { bytes, grown } = writableBitmap(current, highest);
        result = runBitfield(bytes, ops, grown);
        // As in Redis the key is created (or grown, or made `raw`) even when no operation
        // changed it (all FAIL overflows); only changes are signalled and propagated.
        storeBitmap(ctx, key, current !== undefined, bytes);
        if (result.changes > 0) ctx.changed(key, 'setbit');
      }
      const replies: Reply[] = result.replies.map((r) => (r === null ? null : intReply(r)));
      return replies;
    },
  });
}

/** Every bitmap command of Redis 7.4. */
export const bitmapCommands: readonly CommandSpec[] = [
  setbit,
  getbit,
  bitcount,
  bitpos,
  bitop,
  bitfieldCommand('bitfield'),
  bitfieldCommand('bitfield_ro'),
];
