/**
 * The stream commands of Redis 7.4: XADD XLEN XRANGE XREVRANGE XDEL XTRIM XREAD XREADGROUP XACK
 * XPENDING XCLAIM XAUTOCLAIM XSETID XGROUP (CREATE CREATECONSUMER DELCONSUMER DESTROY SETID HELP)
 * XINFO (STREAM GROUPS CONSUMERS HELP). Parsing, error texts, replies, keyspace events and the
 * replicated effects live here; the data structure (nodes, IDs, groups, PELs) is in
 * `keyspace/types/stream.ts`.
 *
 * Replication follows Redis's propagation: XADD replicates the concrete ID it made and an exact
 * trim (`=` and the resulting MAXLEN/MINID, without LIMIT) where it trimmed approximately;
 * XREADGROUP, XCLAIM and XAUTOCLAIM replicate as `XCLAIM … TIME … RETRYCOUNT … FORCE JUSTID
 * LASTID …` per delivered entry, `XGROUP SETID … ENTRIESREAD …` and `XGROUP CREATECONSUMER`.
 */
import { defineCommand, defineContainer, type CommandContext, type CommandSpec } from './command.js';
import { binary, isOption, keyName, keyReply, text, type Bytes } from '../keyspace/bytes.js';
import {
  ConsumerGroup,
  ID_MAX,
  INVALID_ENTRIES_READ,
  Nack,
  StreamValue,
  decrId,
  formatId,
  incrId,
  isStream,
  parseStreamId,
  streamLimits,
  type Consumer,
  type StreamEntry,
  type StreamId,
  type TrimArgs,
} from '../keyspace/types/stream.js';
import { ReplyError, NOT_INTEGER, SYNTAX, TIMEOUT_NEGATIVE, TIMEOUT_OUT_OF_RANGE, WRONGTYPE, wrongArity } from '../protocol/errors.js';
import { INT64_MAX, intReply, parseInt64 } from '../protocol/numbers.js';
import { MapReply, NULL_ARRAY, OK, StatusReply, type Reply } from '../protocol/reply.js';
import { blockOrDeny } from '../blocking.js';
import { scriptingOf } from '../scripting/engine.js';

const ONE_KEY = { first: 1, last: 1, step: 1 } as const;
const SECOND_KEY = { first: 2, last: 2, step: 1 } as const;

// ---------------------------------------------------------------------------------------------
// Errors (Redis 7.4's texts)

const INVALID_ID = new ReplyError('ERR Invalid stream ID specified as stream command argument');
const XADD_ID_SMALL = new ReplyError('ERR The ID specified in XADD is equal or smaller than the target stream top item');
const XADD_ID_ZERO = new ReplyError('ERR The ID specified in XADD must be greater than 0-0');
const XADD_EXHAUSTED = new ReplyError('ERR The stream has exhausted the last possible ID, unable to add more items');
const MAXLEN_MINID = new ReplyError('ERR syntax error, MAXLEN and MINID options at the same time are not compatible');
const MAXLEN_NEGATIVE = new ReplyError('ERR The MAXLEN argument must be >= 0.');
const LIMIT_NEGATIVE = new ReplyError('ERR The LIMIT argument must be >= 0.');
const LIMIT_WITHOUT_STRATEGY = new ReplyError(
  'ERR syntax error, LIMIT cannot be used without specifying a trimming strategy',
);
const XTRIM_NO_STRATEGY = new ReplyError('ERR syntax error, XTRIM must be called with a trimming strategy');
const LIMIT_WITHOUT_APPROX = new ReplyError('ERR syntax error, LIMIT cannot be used without the special ~ option');
const INVALID_START = new ReplyError('ERR invalid start ID for the interval');
const INVALID_END = new ReplyError('ERR invalid end ID for the interval');
const NO_SUCH_KEY = new ReplyError('ERR no such key');
const XGROUP_NO_KEY = new ReplyError(
  'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.',
);
const BUSYGROUP = new ReplyError('BUSYGROUP Consumer Group name already exists');
const ENTRIESREAD_RANGE = new ReplyError('ERR value for ENTRIESREAD must be positive or -1');
const XSETID_SMALL = new ReplyError('ERR The ID specified in XSETID is smaller than the target stream top item');
const XSETID_SMALLER_THAN_MAXDEL = new ReplyError(
  'ERR The ID specified in XSETID is smaller than current max_deleted_entry_id',
);
const XSETID_SMALLER_THAN_GIVEN_MAXDEL = new ReplyError(
  'ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id',
);
const ENTRIES_ADDED_NEGATIVE = new ReplyError('ERR entries_added must be positive');
const ENTRIES_ADDED_SMALL = new ReplyError(
  'ERR The entries_added specified in XSETID is smaller than the target stream length',
);
const TIMEOUT_NOT_INTEGER = new ReplyError('ERR timeout is not an integer or out of range');
const GROUP_ONLY_XREADGROUP = new ReplyError(
  'ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.',
);
const NOACK_ONLY_XREADGROUP = new ReplyError(
  'ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.',
);
const MISSING_GROUP = new ReplyError('ERR Missing GROUP option for XREADGROUP');
const DOLLAR_IN_GROUP = new ReplyError(
  'ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.',
);
const PLUS_IN_GROUP = new ReplyError(
  'ERR The + ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The + ID would just return an empty result set.',
);
const GT_OUTSIDE_GROUP = new ReplyError(
  'ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.',
);
const AUTOCLAIM_COUNT = new ReplyError('ERR COUNT must be > 0');
const XAUTOCLAIM_ALLOC = new ReplyError('ERR Insufficient memory, failed allocating transient memory, COUNT too high.');

/** A user-supplied name as Redis prints it with `%s`: up to the first NUL, newlines as spaces. */
function printable(arg: Bytes): string {
  let s = text(arg);
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  return s.replace(/[\r\n]/g, ' ');
}

function noGroup(key: Bytes, group: Bytes, suffix = ''): ReplyError {
  return new ReplyError(`NOGROUP No such key '${printable(key)}' or consumer group '${printable(group)}'${suffix}`);
}

function noGroupForKey(group: Bytes, key: Bytes): ReplyError {
  return new ReplyError(`NOGROUP No such consumer group '${printable(group)}' for key name '${printable(key)}'`);
}

function subcommandSyntax(argv: readonly Bytes[]): ReplyError {
  return new ReplyError(
    `ERR unknown subcommand or wrong number of arguments for '${printable(argv[1]).slice(0, 128)}'. Try ${text(argv[0]).toUpperCase()} HELP.`,
  );
}

// ---------------------------------------------------------------------------------------------
// Argument helpers

/** The argument as a C string: latin1 bytes up to the first NUL. */
function cstr(arg: Bytes): string {
  const s = binary(arg);
  const nul = s.indexOf('\0');
  return nul >= 0 ? s.slice(0, nul) : s;
}

/** `getLongLongFromObjectOrReply`. */
function longLong(arg: Bytes, error: ReplyError = NOT_INTEGER): bigint {
  const n = parseInt64(arg);
  if (n === null) throw error;
  return BigInt(n);
}

function customError(message: string): ReplyError {
  return new ReplyError(`ERR ${message}`);
}

/** `streamParseStrictIDOrReply` (no `-`/`+`). */
function strictId(arg: Bytes, missingSeq = 0n): StreamId {
  const parsed = parseStreamId(binary(arg), missingSeq, true);
  if (parsed === null) throw INVALID_ID;
  return parsed.id;
}

/** `streamParseIDOrReply` (`-` and `+` allowed). */
function looseId(arg: Bytes, missingSeq = 0n): StreamId {
  const parsed = parseStreamId(binary(arg), missingSeq, false);
  if (parsed === null) throw INVALID_ID;
  return parsed.id;
}

/** `streamParseIntervalIDOrReply`: a `(`-prefixed bound is exclusive (and strict). */
function intervalId(arg: Bytes, missingSeq: bigint): { id: StreamId; exclusive: boolean } {
  const s = binary(arg);
  if (s.length > 1 && s[0] === '(') {
    const parsed = parseStreamId(s.slice(1), missingSeq, true);
    if (parsed === null) throw INVALID_ID;
    return { id: parsed.id, exclusive: true };
  }
  return { id: looseId(arg, missingSeq), exclusive: false };
}

function idReply(id: StreamId): string {
  return formatId(id);
}

function entryReply(entry: StreamEntry): Reply {
  const fields: Reply[] = new Array(entry.fields.length);
  for (let i = 0; i < entry.fields.length; i++) fields[i] = keyReply(entry.fields[i]);
  return [entry.idText, fields];
}

/** A stream looked up for reading (`lookupKeyRead`). */
function readStream(ctx: CommandContext, key: string): StreamValue | undefined {
  const value = ctx.db.read(key, ctx.now);
  if (value !== undefined && !isStream(value)) throw WRONGTYPE;
  return value;
}

/** A stream looked up for writing (`lookupKeyWrite`). */
function writeStream(ctx: CommandContext, key: string): StreamValue | undefined {
  const value = ctx.db.get(key, ctx.now);
  if (value !== undefined && !isStream(value)) throw WRONGTYPE;
  return value;
}

// ---------------------------------------------------------------------------------------------
// Propagation helpers

/** `streamPropagateXCLAIM`. */
function xclaimEffect(keyArg: Bytes, group: ConsumerGroup, groupArg: Bytes, id: StreamId, nack: Nack): Bytes[] {
  return [
    'XCLAIM',
    keyArg,
    groupArg,
    keyReply(nack.consumer?.name ?? ''),
    '0',
    formatId(id),
    'TIME',
    String(nack.deliveryTime),
    'RETRYCOUNT',
    String(BigInt.asIntN(64, nack.deliveryCount)),
    'FORCE',
    'JUSTID',
    'LASTID',
    formatId(group.lastId),
  ];
}

/** `streamPropagateGroupID`. */
function setIdEffect(keyArg: Bytes, group: ConsumerGroup, groupArg: Bytes): Bytes[] {
  return ['XGROUP', 'SETID', keyArg, groupArg, formatId(group.lastId), 'ENTRIESREAD', String(group.entriesRead)];
}

/** `streamPropagateConsumerCreation`. */
function createConsumerEffect(keyArg: Bytes, groupArg: Bytes, consumer: string): Bytes[] {
  return ['XGROUP', 'CREATECONSUMER', keyArg, groupArg, keyReply(consumer)];
}

// ---------------------------------------------------------------------------------------------
// XADD XTRIM

interface AddTrimArgs {
  trim: TrimArgs | null;
  /** argv index of the MAXLEN/MINID value (for the exact rewrite). */
  trimArgIdx: number;
  /** argv indexes of `LIMIT n` (dropped from the replicated command). */
  limitIdx: number;
  /** XADD: index of the ID argument. */
  idIdx: number;
  id: StreamId | null;
  seqGiven: boolean;
  noMkStream: boolean;
}

/** `streamParseAddOrTrimArgsOrReply`. */
function parseAddOrTrim(ctx: CommandContext, argv: readonly Bytes[], xadd: boolean): AddTrimArgs {
  const out: AddTrimArgs = { trim: null, trimArgIdx: -1, limitIdx: -1, idIdx: -1, id: null, seqGiven: true, noMkStream: false };
  let strategy: 'maxlen' | 'minid' | null = null;
  let approx = false;
  let maxlen = -1n;
  let minid = 0n;
  let limit = -1n;
  let limitGiven = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const moreargs = argv.length - 1 - i;
    const opt = cstr(argv[i]);
    if (xadd && opt === '*') {
      break;
    } else if (isOption(argv[i], 'maxlen') && moreargs > 0) {
      if (strategy !== null) throw MAXLEN_MINID;
      approx = false;
      const next = cstr(argv[i + 1]);
      if (moreargs >= 2 && next === '~') {
        approx = true;
        i++;
      } else if (moreargs >= 2 && next === '=') {
        i++;
      }
      maxlen = longLong(argv[i + 1]);
      if (maxlen < 0n) throw MAXLEN_NEGATIVE;
      i++;
      strategy = 'maxlen';
      out.trimArgIdx = i;
    } else if (isOption(argv[i], 'minid') && moreargs > 0) {
      if (strategy !== null) throw MAXLEN_MINID;
      approx = false;
      const next = cstr(argv[i + 1]);
      if (moreargs >= 2 && next === '~') {
        approx = true;
        i++;
      } else if (moreargs >= 2 && next === '=') {
        i++;
      }
      minid = strictId(argv[i + 1]);
      i++;
      strategy = 'minid';
      out.trimArgIdx = i;
    } else if (isOption(argv[i], 'limit') && moreargs > 0) {
      limit = longLong(argv[i + 1]);
      if (limit < 0n) throw LIMIT_NEGATIVE;
      limitGiven = true;
      out.limitIdx = i;
      i++;
    } else if (xadd && isOption(argv[i], 'nomkstream')) {
      out.noMkStream = true;
    } else if (xadd) {
      const parsed = parseStreamId(binary(argv[i]), 0n, true, true);
      if (parsed === null) throw INVALID_ID;
      out.id = parsed.id;
      out.seqGiven = parsed.seqGiven;
      break;
    } else {
      throw SYNTAX;
    }
  }
  out.idIdx = i;
  if (limitGiven && limit !== 0n && strategy === null) throw LIMIT_WITHOUT_STRATEGY;
  if (!xadd && strategy === null) throw XTRIM_NO_STRATEGY;
  let limitValue = 0;
  if (limitGiven) {
    if (!approx) throw LIMIT_WITHOUT_APPROX;
    limitValue = limit > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(limit);
  } else if (approx) {
    const maxEntries = streamLimits(ctx.cache.settings).maxEntries;
    limitValue = 100 * maxEntries;
    if (limitValue <= 0 || limitValue > 10000) limitValue = 10000;
  }
  if (strategy !== null) out.trim = { strategy, maxlen, minid, approx, limit: limitValue };
  return out;
}

/** The argv replicated for an approximate trim: `=` and the exact bound, without LIMIT. */
function exactTrimArgv(argv: readonly Bytes[], parsed: AddTrimArgs, s: StreamValue, idArg?: string): Bytes[] {
  const out: Bytes[] = argv.slice();
  if (parsed.trim !== null && parsed.trim.approx) {
    out[parsed.trimArgIdx - 1] = '=';
    out[parsed.trimArgIdx] =
      parsed.trim.strategy === 'maxlen' ? String(s.length) : formatId(s.firstIdWithTombstones() ?? ID_MAX);
  }
  if (idArg !== undefined) out[parsed.idIdx] = idArg;
  if (parsed.limitIdx >= 0 && parsed.trim !== null && parsed.trim.approx) out.splice(parsed.limitIdx, 2);
  return out;
}

const xadd = defineCommand({
  name: 'xadd',
  arity: -5,
  flags: ['write', 'denyoom', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const parsed = parseAddOrTrim(ctx, argv, true);
    const fieldPos = parsed.idIdx + 1;
    if (argv.length - fieldPos < 2 || (argv.length - fieldPos) % 2 === 1) throw wrongArity('xadd');
    if (parsed.id !== null && parsed.seqGiven && parsed.id === 0n) throw XADD_ID_ZERO;
    const key = keyName(argv[1]);
    let s = writeStream(ctx, key);
    if (s === undefined) {
      if (parsed.noMkStream) return null;
    } else if (s.lastId === ID_MAX) {
      throw XADD_EXHAUSTED;
    }
    const last = s?.lastId ?? 0n;
    // The new ID, checked before the key is created (an empty stream has last ID 0-0).
    let id: StreamId;
    if (parsed.id === null) {
      const ms = BigInt(Math.max(0, Math.floor(ctx.now)));
      id = ms > last >> 64n ? ms << 64n : last + 1n;
    } else if (parsed.seqGiven) {
      id = parsed.id;
    } else if (parsed.id >> 64n === last >> 64n) {
      if ((last & ((1n << 64n) - 1n)) === (1n << 64n) - 1n) throw XADD_ID_SMALL;
      id = last + 1n;
    } else {
      id = parsed.id;
    }
    if (id <= last) {
      if (s === undefined) {
        // Redis has created the key already: an empty stream stays behind.
        s = new StreamValue();
        ctx.db.set(key, s);
      }
      throw XADD_ID_SMALL;
    }
    const fields: string[] = [];
    for (let j = fieldPos; j < argv.length; j++) fields.push(keyName(argv[j]));
    if (s === undefined) {
      s = new StreamValue();
      ctx.db.set(key, s);
    }
    s.append(id, fields, streamLimits(ctx.cache.settings));
    ctx.changed(key, 'xadd');
    let trimmed = 0;
    if (parsed.trim !== null) {
      trimmed = s.trim(parsed.trim);
      if (trimmed > 0) ctx.changed(key, 'xtrim');
    }
    if (ctx.recording) {
      const rewriteId = parsed.id === null || !parsed.seqGiven ? formatId(id) : undefined;
      if (rewriteId !== undefined || (parsed.trim !== null && parsed.trim.approx)) {
        ctx.propagate(exactTrimArgv(argv, parsed, s, rewriteId));
      }
    }
    return formatId(id);
  },
});

const xtrim = defineCommand({
  name: 'xtrim',
  arity: -4,
  flags: ['write'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const parsed = parseAddOrTrim(ctx, argv, false);
    const key = keyName(argv[1]);
    const s = writeStream(ctx, key);
    if (s === undefined) return 0;
    const deleted = s.trim(parsed.trim!);
    if (deleted > 0) {
      ctx.changed(key, 'xtrim');
      if (parsed.trim!.approx && ctx.recording) ctx.propagate(exactTrimArgv(argv, parsed, s));
    }
    return deleted;
  },
});

// ---------------------------------------------------------------------------------------------
// XLEN XRANGE XREVRANGE XDEL

const xlen = defineCommand({
  name: 'xlen',
  arity: 2,
  flags: ['readonly', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    return readStream(ctx, keyName(argv[1]))?.length ?? 0;
  },
});

function xrangeGeneric(ctx: CommandContext, argv: readonly Bytes[], rev: boolean): Reply {
  const startArg = rev ? argv[3] : argv[2];
  const endArg = rev ? argv[2] : argv[3];
  const start = intervalId(startArg, 0n);
  let startId = start.id;
  if (start.exclusive) {
    const next = incrId(startId);
    if (!next.ok) throw INVALID_START;
    startId = next.id;
  }
  const end = intervalId(endArg, ID_MAX & ((1n << 64n) - 1n));
  let endId = end.id;
  if (end.exclusive) {
    const prev = decrId(endId);
    if (!prev.ok) throw INVALID_END;
    endId = prev.id;
  }
  let count = -1n;
  for (let j = 4; j < argv.length; j++) {
    const additional = argv.length - j - 1;
    if (isOption(argv[j], 'count') && additional >= 1) {
      count = longLong(argv[j + 1]);
      if (count < 0n) count = 0n;
      j++;
    } else {
      throw SYNTAX;
    }
  }
  const s = readStream(ctx, keyName(argv[1]));
  if (s === undefined) return [];
  if (count === 0n) return NULL_ARRAY;
  const limit = count === -1n ? 0 : count > 1000000000n ? 1000000000 : Number(count);
  return s.range(startId, endId, limit, rev).map(entryReply);
}

const xrange = defineCommand({
  name: 'xrange',
  arity: -4,
  flags: ['readonly'],
  keys: ONE_KEY,
  exec: (ctx, argv) => xrangeGeneric(ctx, argv, false),
});

const xrevrange = defineCommand({
  name: 'xrevrange',
  arity: -4,
  flags: ['readonly'],
  keys: ONE_KEY,
  exec: (ctx, argv) => xrangeGeneric(ctx, argv, true),
});

const xdel = defineCommand({
  name: 'xdel',
  arity: -3,
  flags: ['write', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const key = keyName(argv[1]);
    const s = writeStream(ctx, key);
    if (s === undefined) return 0;
    const ids: StreamId[] = [];
    for (let j = 2; j < argv.length; j++) ids.push(strictId(argv[j]));
    const deleted = s.deleteIds(ids);
    if (deleted > 0) ctx.changed(key, 'xdel');
    return deleted;
  },
});

// ---------------------------------------------------------------------------------------------
// XREAD XREADGROUP

/** Redis's key finder for XREAD/XREADGROUP (`xreadGetKeys`). */
function xreadKeys(argv: readonly Bytes[]): number[] {
  let streamsPos = -1;
  for (let i = 1; i < argv.length; i++) {
    if (isOption(argv[i], 'block') || isOption(argv[i], 'count')) i++;
    else if (isOption(argv[i], 'group')) i += 2;
    else if (isOption(argv[i], 'noack')) continue;
    else if (isOption(argv[i], 'streams')) {
      streamsPos = i;
      break;
    } else break;
  }
  const num = argv.length - streamsPos - 1;
  if (streamsPos === -1 || num === 0 || num % 2 !== 0) return [];
  const keys: number[] = [];
  for (let i = streamsPos + 1; i < streamsPos + 1 + num / 2; i++) keys.push(i);
  return keys;
}

/** Serves a group read of new entries (`streamReplyWithRange` with a group). */
function readNewForGroup(
  ctx: CommandContext,
  s: StreamValue,
  start: StreamId,
  count: number,
  group: ConsumerGroup,
  consumer: Consumer,
  noack: boolean,
  keyArg: Bytes,
  groupArg: Bytes,
  effects: Bytes[][],
): Reply[] {
  const out: Reply[] = [];
  const entries = s.range(start, ID_MAX, count);
  let propagateLastId = false;
  for (const entry of entries) {
    const id = entry.id;
    if (id > group.lastId) {
      if (group.entriesRead !== INVALID_ENTRIES_READ && !s.rangeHasTombstones(id, null)) {
        group.entriesRead++;
      } else if (s.entriesAdded !== 0n) {
        group.entriesRead = s.estimateDistance(id);
      }
      group.lastId = id;
      propagateLastId = true;
    }
    out.push(entryReply(entry));
    if (!noack) {
      let nack = group.pel.get(id);
      if (nack === undefined) {
        nack = new Nack(ctx.now, 1n, consumer);
        group.pel.set(id, nack);
        consumer.pel.set(id, nack);
        s.pelChanged(1);
      } else {
        nack.consumer?.pel.delete(id);
        nack.consumer = consumer;
        nack.deliveryTime = ctx.now;
        nack.deliveryCount = 1n;
        consumer.pel.set(id, nack);
      }
      consumer.activeTime = ctx.now;
      if (ctx.recording) effects.push(xclaimEffect(keyArg, group, groupArg, id, nack));
    }
  }
  if (propagateLastId && ctx.recording) effects.push(setIdEffect(keyArg, group, groupArg));
  return out;
}

/** Serves a consumer's history (`streamReplyWithRangeFromConsumerPEL`). */
function readHistory(ctx: CommandContext, s: StreamValue, start: StreamId, count: number, consumer: Consumer): Reply[] {
  const out: Reply[] = [];
  const pel = consumer.pel;
  for (let i = pel.lowerBound(start); i < pel.keys.length; i++) {
    if (count !== 0 && out.length >= count) break;
    const id = pel.keys[i];
    const entry = s.entry(id);
    if (entry === undefined) {
      out.push([formatId(id), NULL_ARRAY]);
    } else {
      const nack = pel.get(id)!;
      nack.deliveryTime = ctx.now;
      nack.deliveryCount = BigInt.asUintN(64, nack.deliveryCount + 1n);
      out.push(entryReply(entry));
    }
  }
  return out;
}

function xreadGeneric(ctx: CommandContext, argv: readonly Bytes[], xreadgroup: boolean): Reply {
  let timeout = -1n;
  let count = 0n;
  let streamsArg = 0;
  let streamsCount = 0;
  let noack = false;
  let groupArg: Bytes | null = null;
  let consumerArg: Bytes | null = null;
  for (let i = 1; i < argv.length; i++) {
    const moreargs = argv.length - i - 1;
    if (isOption(argv[i], 'block') && moreargs > 0) {
      // Scripts may not use BLOCK at all (MULTI may: it answers as a timeout).
      if (!ctx.client.canBlock && ctx.client.multi === null && !ctx.client.inMulti && scriptingOf(ctx.cache).busy) {
        throw new ReplyError(`ERR ${printable(argv[0])} command is not allowed with BLOCK option from scripts`);
      }
      i++;
      timeout = longLong(argv[i], TIMEOUT_NOT_INTEGER);
      if (timeout < 0n) throw TIMEOUT_NEGATIVE;
      if (timeout > 0n) {
        if (timeout > INT64_MAX - BigInt(ctx.now)) throw TIMEOUT_OUT_OF_RANGE;
      }
    } else if (isOption(argv[i], 'count') && moreargs > 0) {
      i++;
      count = longLong(argv[i]);
      if (count < 0n) count = 0n;
    } else if (isOption(argv[i], 'streams') && moreargs > 0) {
      streamsArg = i + 1;
      streamsCount = argv.length - streamsArg;
      if (streamsCount % 2 !== 0) {
        // 7.4 names the command (its full name, lower case) and, for XREAD, the `+` form.
        throw new ReplyError(
          xreadgroup
            ? "ERR Unbalanced 'xreadgroup' list of streams: for each stream key an ID or '>' must be specified."
            : "ERR Unbalanced 'xread' list of streams: for each stream key an ID, '+', or '$' must be specified.",
        );
      }
      streamsCount /= 2;
      break;
    } else if (isOption(argv[i], 'group') && moreargs >= 2) {
      if (!xreadgroup) throw GROUP_ONLY_XREADGROUP;
      groupArg = argv[i + 1];
      consumerArg = argv[i + 2];
      i += 2;
    } else if (isOption(argv[i], 'noack')) {
      if (!xreadgroup) throw NOACK_ONLY_XREADGROUP;
      noack = true;
    } else {
      throw SYNTAX;
    }
  }
  if (streamsArg === 0) throw SYNTAX;
  if (xreadgroup && groupArg === null) throw MISSING_GROUP;

  // Resolve every key, group and ID before serving anything.
  const ids: StreamId[] = new Array(streamsCount);
  const groups: (ConsumerGroup | null)[] = new Array(streamsCount);
  const rewritten: Bytes[] = argv.slice();
  let lastEntry: boolean[] = new Array(streamsCount).fill(false);
  for (let i = streamsArg + streamsCount; i < argv.length; i++) {
    const idx = i - streamsArg - streamsCount;
    const keyArg = argv[i - streamsCount];
    const o = readStream(ctx, keyName(keyArg));
    groups[idx] = null;
    if (groupArg !== null) {
      const group = o?.groups.get(keyName(groupArg));
      if (o === undefined || group === undefined) {
        throw noGroup(keyArg, groupArg, ' in XREADGROUP with GROUP option');
      }
      groups[idx] = group;
    }
    const arg = cstr(argv[i]);
    if (arg === '$') {
      if (xreadgroup) throw DOLLAR_IN_GROUP;
      ids[idx] = o?.lastId ?? 0n;
      rewritten[i] = formatId(ids[idx]);
      continue;
    }
    if (arg === '+') {
      if (xreadgroup) throw PLUS_IN_GROUP;
      if (o !== undefined && o.length > 0) {
        const last = o.lastValidId();
        ids[idx] = decrId(last).id;
        lastEntry[idx] = true;
      } else {
        ids[idx] = o?.lastId ?? 0n;
      }
      rewritten[i] = formatId(ids[idx]);
      continue;
    }
    if (arg === '>') {
      if (!xreadgroup) throw GT_OUTSIDE_GROUP;
      ids[idx] = ID_MAX;
      continue;
    }
    ids[idx] = strictId(argv[i]);
  }
  lastEntry = lastEntry.slice();

  const effects: Bytes[][] = [];
  const reply: Array<[Reply, Reply]> = [];
  const countN = count > 1000000000n ? 1000000000 : Number(count);
  for (let i = 0; i < streamsCount; i++) {
    const keyArg = argv[streamsArg + i];
    const key = keyName(keyArg);
    const s = readStream(ctx, key);
    if (s === undefined) continue;
    let gt = ids[i];
    let serve = false;
    let history = false;
    const group = groups[i];
    let consumer: Consumer | undefined;
    if (group !== null) {
      if (gt !== ID_MAX) {
        serve = true;
        history = true;
      } else if (s.length > 0) {
        const maxId = s.lastValidId();
        if (maxId > group.lastId) {
          serve = true;
          gt = group.lastId;
        }
      }
      const consumerName = keyName(consumerArg!);
      consumer = group.consumers.get(consumerName);
      if (consumer === undefined) {
        consumer = group.createConsumer(consumerName, ctx.now)!;
        ctx.changedQuietly(key, 'xgroup-createconsumer');
        effects.push(createConsumerEffect(keyArg, groupArg!, consumerName));
      }
      consumer.seenTime = ctx.now;
    } else if (s.length > 0) {
      if (s.lastValidId() > gt) serve = true;
    }
    if (!serve) continue;
    const start = incrId(gt).id;
    let items: Reply[];
    if (group === null) {
      items = s.range(start, ID_MAX, lastEntry[i] ? 1 : countN).map(entryReply);
    } else if (history) {
      items = readHistory(ctx, s, start, countN, consumer!);
    } else {
      items = readNewForGroup(ctx, s, start, countN, group, consumer!, noack, keyArg, groupArg!, effects);
      if (items.length > 0) ctx.changedQuietly(key, '');
    }
    reply.push([keyReply(key), items]);
  }
  if (effects.length > 0) ctx.propagate(...effects);
  // RESP3: a map of key → entries; RESP2: an array of [key, entries] pairs.
  if (reply.length > 0) return ctx.client.resp === 3 ? new MapReply(reply) : reply;
  if (timeout !== -1n) {
    const deadline = timeout === 0n ? 0 : ctx.now + Number(timeout);
    const keys = [];
    for (let i = 0; i < streamsCount; i++) keys.push(keyName(argv[streamsArg + i]));
    return blockOrDeny(ctx, keys, deadline, 'stream', NULL_ARRAY, rewritten);
  }
  return NULL_ARRAY;
}

const xread = defineCommand({
  name: 'xread',
  arity: -4,
  flags: ['readonly', 'blocking', 'movablekeys'],
  keys: xreadKeys,
  exec: (ctx, argv) => xreadGeneric(ctx, argv, false),
});

const xreadgroup = defineCommand({
  name: 'xreadgroup',
  arity: -7,
  flags: ['write', 'blocking', 'movablekeys'],
  keys: xreadKeys,
  exec: (ctx, argv) => xreadGeneric(ctx, argv, true),
});

// ---------------------------------------------------------------------------------------------
// XACK XPENDING XCLAIM XAUTOCLAIM

/** The stream and group of a group command, or null when either is missing. */
function lookupGroup(ctx: CommandContext, key: string, groupArg: Bytes): { s: StreamValue; group: ConsumerGroup } | null {
  const s = readStream(ctx, key);
  if (s === undefined) return null;
  const group = s.groups.get(keyName(groupArg));
  return group === undefined ? null : { s, group };
}

const xack = defineCommand({
  name: 'xack',
  arity: -4,
  flags: ['write', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const key = keyName(argv[1]);
    const found = lookupGroup(ctx, key, argv[2]);
    if (found === null) return 0;
    const ids: StreamId[] = [];
    for (let j = 3; j < argv.length; j++) ids.push(strictId(argv[j]));
    let acknowledged = 0;
    for (const id of ids) {
      const nack = found.group.pel.get(id);
      if (nack === undefined) continue;
      found.group.pel.delete(id);
      nack.consumer?.pel.delete(id);
      acknowledged++;
    }
    if (acknowledged > 0) {
      found.s.pelChanged(-acknowledged);
      ctx.changedQuietly(key, '');
    }
    return acknowledged;
  },
});

const xpending = defineCommand({
  name: 'xpending',
  arity: -3,
  flags: ['readonly'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const justInfo = argv.length === 3;
    if (argv.length !== 3 && (argv.length < 6 || argv.length > 9)) throw SYNTAX;
    let startId = 0n;
    let endId = ID_MAX;
    let count = 0n;
    let minIdle = 0n;
    let consumerArg: Bytes | null = null;
    if (argv.length >= 6) {
      let startIdx = 3;
      if (isOption(argv[3], 'idle')) {
        minIdle = longLong(argv[4]);
        if (argv.length < 8) throw SYNTAX;
        startIdx += 2;
      }
      count = longLong(argv[startIdx + 2]);
      if (count < 0n) count = 0n;
      const start = intervalId(argv[startIdx], 0n);
      startId = start.id;
      if (start.exclusive) {
        const next = incrId(startId);
        if (!next.ok) throw INVALID_START;
        startId = next.id;
      }
      const end = intervalId(argv[startIdx + 1], (1n << 64n) - 1n);
      endId = end.id;
      if (end.exclusive) {
        const prev = decrId(endId);
        if (!prev.ok) throw INVALID_END;
        endId = prev.id;
      }
      if (startIdx + 3 < argv.length) consumerArg = argv[startIdx + 3];
    }
    const key = keyName(argv[1]);
    const found = lookupGroup(ctx, key, argv[2]);
    if (found === null) throw noGroup(argv[1], argv[2]);
    const group = found.group;
    if (justInfo) {
      const size = group.pel.size;
      if (size === 0) return [0, null, null, NULL_ARRAY];
      const consumers: Reply[] = [];
      for (const consumer of group.sortedConsumers()) {
        if (consumer.pel.size === 0) continue;
        consumers.push([keyReply(consumer.name), String(consumer.pel.size)]);
      }
      return [size, formatId(group.pel.keys[0]), formatId(group.pel.keys[size - 1]), consumers];
    }
    let pel = group.pel;
    if (consumerArg !== null) {
      const consumer = group.consumers.get(keyName(consumerArg));
      if (consumer === undefined) return [];
      pel = consumer.pel;
    }
    const out: Reply[] = [];
    let remaining = count;
    for (let i = pel.lowerBound(startId); remaining > 0n && i < pel.keys.length; i++) {
      const id = pel.keys[i];
      if (id > endId) break;
      const nack = pel.get(id)!;
      if (minIdle !== 0n && BigInt(ctx.now - nack.deliveryTime) < minIdle) continue;
      remaining--;
      const elapsed = Math.max(0, ctx.now - nack.deliveryTime);
      out.push([formatId(id), keyReply(nack.consumer?.name ?? ''), elapsed, intReply(BigInt.asIntN(64, nack.deliveryCount))]);
    }
    return out;
  },
});

const xclaim = defineCommand({
  name: 'xclaim',
  arity: -6,
  flags: ['write', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const key = keyName(argv[1]);
    const found = lookupGroup(ctx, key, argv[2]);
    if (found === null) throw noGroup(argv[1], argv[2]);
    const { s, group } = found;
    let minIdle = longLong(argv[4], customError('Invalid min-idle-time argument for XCLAIM'));
    if (minIdle < 0n) minIdle = 0n;
    let j = 5;
    const ids: StreamId[] = [];
    for (; j < argv.length; j++) {
      const parsed = parseStreamId(binary(argv[j]), 0n, true);
      if (parsed === null) break;
      ids.push(parsed.id);
    }
    const now = ctx.now;
    let retryCount = -1n;
    let deliveryTime: bigint | null = null;
    let force = false;
    let justId = false;
    let lastId = 0n;
    for (; j < argv.length; j++) {
      const moreargs = argv.length - 1 - j;
      if (isOption(argv[j], 'force')) force = true;
      else if (isOption(argv[j], 'justid')) justId = true;
      else if (isOption(argv[j], 'idle') && moreargs > 0) {
        j++;
        deliveryTime = BigInt(now) - longLong(argv[j], customError('Invalid IDLE option argument for XCLAIM'));
      } else if (isOption(argv[j], 'time') && moreargs > 0) {
        j++;
        deliveryTime = longLong(argv[j], customError('Invalid TIME option argument for XCLAIM'));
      } else if (isOption(argv[j], 'retrycount') && moreargs > 0) {
        j++;
        retryCount = longLong(argv[j], customError('Invalid RETRYCOUNT option argument for XCLAIM'));
      } else if (isOption(argv[j], 'lastid') && moreargs > 0) {
        j++;
        lastId = strictId(argv[j]);
      } else {
        throw customError(`Unrecognized XCLAIM option '${printable(argv[j])}'`);
      }
    }
    const effects: Bytes[][] = [];
    let changed = false;
    let propagateLastId = false;
    if (lastId > group.lastId) {
      group.lastId = lastId;
      propagateLastId = true;
      changed = true;
    }
    let when: number;
    if (deliveryTime !== null) when = deliveryTime < 0n || deliveryTime > BigInt(now) ? now : Number(deliveryTime);
    else when = now;
    // 7.2+: the consumer is looked up (or created) and seen before anything is claimed.
    const name = keyName(argv[3]);
    let consumer = group.consumers.get(name);
    if (consumer === undefined) {
      consumer = group.createConsumer(name, now)!;
      ctx.changedQuietly(key, 'xgroup-createconsumer');
      effects.push(createConsumerEffect(argv[1], argv[2], name));
      changed = true;
    }
    consumer.seenTime = now;
    const out: Reply[] = [];
    let pelDelta = 0;
    for (const id of ids) {
      let nack = group.pel.get(id);
      if (s.entry(id) === undefined) {
        if (nack !== undefined) {
          effects.push(xclaimEffect(argv[1], group, argv[2], id, nack));
          propagateLastId = false;
          group.pel.delete(id);
          nack.consumer?.pel.delete(id);
          pelDelta--;
          changed = true;
        }
        continue;
      }
      if (force && nack === undefined) {
        nack = new Nack(now, 1n, null);
        group.pel.set(id, nack);
        pelDelta++;
      }
      if (nack === undefined) continue;
      if (nack.consumer !== null && minIdle !== 0n) {
        if (BigInt(now - nack.deliveryTime) < minIdle) continue;
      }
      if (nack.consumer !== consumer) nack.consumer?.pel.delete(id);
      nack.deliveryTime = when;
      if (retryCount >= 0n) nack.deliveryCount = retryCount;
      else if (!justId) nack.deliveryCount = BigInt.asUintN(64, nack.deliveryCount + 1n);
      if (nack.consumer !== consumer) {
        consumer.pel.set(id, nack);
        nack.consumer = consumer;
      }
      out.push(justId ? formatId(id) : entryReply(s.entry(id)!));
      consumer.activeTime = now;
      effects.push(xclaimEffect(argv[1], group, argv[2], id, nack));
      propagateLastId = false;
      changed = true;
    }
    if (propagateLastId) effects.push(setIdEffect(argv[1], group, argv[2]));
    if (pelDelta !== 0) s.pelChanged(pelDelta);
    if (changed) {
      ctx.changedQuietly(key, '');
      ctx.propagate(...effects);
    }
    return out;
  },
});

const xautoclaim = defineCommand({
  name: 'xautoclaim',
  arity: -6,
  flags: ['write', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    let minIdle = longLong(argv[4], customError('Invalid min-idle-time argument for XAUTOCLAIM'));
    if (minIdle < 0n) minIdle = 0n;
    const start = intervalId(argv[5], 0n);
    let startId = start.id;
    if (start.exclusive) {
      const next = incrId(startId);
      if (!next.ok) throw INVALID_START;
      startId = next.id;
    }
    let count = 100;
    let countBig = 100n;
    let justId = false;
    const maxCount = 576460752303423487n; // LONG_MAX / max(sizeof(streamID), 10)
    for (let j = 6; j < argv.length; j++) {
      const moreargs = argv.length - 1 - j;
      if (isOption(argv[j], 'count') && moreargs > 0) {
        const n = parseInt64(argv[j + 1]);
        if (n === null || BigInt(n) < 1n || BigInt(n) > maxCount) throw AUTOCLAIM_COUNT;
        countBig = BigInt(n);
        count = countBig > 100000000n ? 100000000 : Number(n);
        j++;
      } else if (isOption(argv[j], 'justid')) {
        justId = true;
      } else {
        throw SYNTAX;
      }
    }
    const key = keyName(argv[1]);
    const found = lookupGroup(ctx, key, argv[2]);
    if (found === null) throw noGroup(argv[1], argv[2]);
    const { s, group } = found;
    // Redis allocates COUNT stream IDs for the deleted ones up front; beyond the address space
    // (about 2^47 bytes on x86-64 Linux) the allocation fails.
    if (countBig * 16n >= 1n << 47n) throw XAUTOCLAIM_ALLOC;
    let attempts = count * 10;
    const now = ctx.now;
    const name = keyName(argv[3]);
    const claimed: Reply[] = [];
    const deleted: Reply[] = [];
    const effects: Bytes[][] = [];
    // 7.2+: the consumer is looked up (or created) and seen before anything is claimed.
    let consumer = group.consumers.get(name);
    if (consumer === undefined) {
      consumer = group.createConsumer(name, now)!;
      ctx.changedQuietly(key, 'xgroup-createconsumer');
      effects.push(createConsumerEffect(argv[1], argv[2], name));
    }
    consumer.seenTime = now;
    const pel = group.pel;
    let i = pel.lowerBound(startId);
    let pelDelta = 0;
    while (attempts-- > 0 && count > 0 && i < pel.keys.length) {
      const id = pel.keys[i];
      const nack = pel.get(id)!;
      if (s.entry(id) === undefined) {
        effects.push(xclaimEffect(argv[1], group, argv[2], id, nack));
        pel.delete(id);
        nack.consumer?.pel.delete(id);
        pelDelta--;
        deleted.push(formatId(id));
        count--;
        continue; // the next key moved into position i
      }
      i++;
      if (minIdle !== 0n && BigInt(now - nack.deliveryTime) < minIdle) continue;
      if (nack.consumer !== consumer) nack.consumer?.pel.delete(id);
      nack.deliveryTime = now;
      if (!justId) nack.deliveryCount = BigInt.asUintN(64, nack.deliveryCount + 1n);
      if (nack.consumer !== consumer) {
        consumer.pel.set(id, nack);
        nack.consumer = consumer;
      }
      claimed.push(justId ? formatId(id) : entryReply(s.entry(id)!));
      count--;
      consumer.activeTime = now;
      effects.push(xclaimEffect(argv[1], group, argv[2], id, nack));
    }
    const cursor = i < pel.keys.length ? formatId(pel.keys[i]) : '0-0';
    if (pelDelta !== 0) s.pelChanged(pelDelta);
    if (effects.length > 0) {
      ctx.changedQuietly(key, '');
      ctx.propagate(...effects);
    }
    return [cursor, claimed, deleted];
  },
});

// ---------------------------------------------------------------------------------------------
// XSETID

const xsetid = defineCommand({
  name: 'xsetid',
  arity: -3,
  flags: ['write', 'denyoom', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const id = strictId(argv[2]);
    let entriesAdded = -1n;
    let maxDeleted = 0n;
    let i = 3;
    while (i < argv.length) {
      const moreargs = argv.length - 1 - i;
      if (isOption(argv[i], 'entriesadded') && moreargs > 0) {
        entriesAdded = longLong(argv[i + 1]);
        if (entriesAdded < 0n) throw ENTRIES_ADDED_NEGATIVE;
        i += 2;
      } else if (isOption(argv[i], 'maxdeletedid') && moreargs > 0) {
        maxDeleted = strictId(argv[i + 1]);
        if (id < maxDeleted) throw XSETID_SMALLER_THAN_GIVEN_MAXDEL;
        i += 2;
      } else {
        throw SYNTAX;
      }
    }
    const key = keyName(argv[1]);
    const s = writeStream(ctx, key);
    if (s === undefined) throw NO_SUCH_KEY;
    // 7.2+: an ID below the stream's max deleted ID is refused (7.0 has no such check), before
    // the top-item check.
    if (id < s.maxDeletedId) throw XSETID_SMALLER_THAN_MAXDEL;
    if (s.length > 0) {
      if (id < s.lastValidId()) throw XSETID_SMALL;
      if (entriesAdded !== -1n && BigInt(s.length) > entriesAdded) throw ENTRIES_ADDED_SMALL;
    }
    s.lastId = id;
    if (entriesAdded !== -1n) s.entriesAdded = entriesAdded;
    if (maxDeleted !== 0n) s.maxDeletedId = maxDeleted;
    ctx.changedQuietly(key, 'xsetid');
    return OK;
  },
});

// ---------------------------------------------------------------------------------------------
// XGROUP

const XGROUP_HELP = [
  'XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CREATE <key> <groupname> <id|$> [option]',
  '    Create a new consumer group. Options are:',
  '    * MKSTREAM',
  '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read',
  "      Set the group's entries_read counter (internal use).",
  'CREATECONSUMER <key> <groupname> <consumer>',
  '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>',
  '    Remove the specified consumer.',
  'DESTROY <key> <groupname>',
  '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
  '    Set the current group ID and entries_read counter.',
  'HELP',
  '    Print this help.',
];

interface XgroupPrelude {
  s: StreamValue | undefined;
  group: ConsumerGroup | undefined;
  mkstream: boolean;
  entriesRead: bigint;
}

/** The part of `xgroupCommand` every subcommand but HELP goes through: options, key and group. */
function xgroupPrelude(ctx: CommandContext, argv: readonly Bytes[]): XgroupPrelude {
  const sub = cstr(argv[1]).toLowerCase();
  const create = sub === 'create';
  const setid = sub === 'setid';
  let mkstream = false;
  let entriesRead = INVALID_ENTRIES_READ;
  let i = 5;
  while (i < argv.length) {
    if (create && isOption(argv[i], 'mkstream')) {
      mkstream = true;
      i++;
    } else if ((create || setid) && isOption(argv[i], 'entriesread') && i + 1 < argv.length) {
      entriesRead = longLong(argv[i + 1]);
      if (entriesRead < 0n && entriesRead !== INVALID_ENTRIES_READ) throw ENTRIESREAD_RANGE;
      i += 2;
    } else {
      throw subcommandSyntax(argv);
    }
  }
  const s = writeStream(ctx, keyName(argv[2]));
  let group: ConsumerGroup | undefined;
  if (!mkstream) {
    if (s === undefined) throw XGROUP_NO_KEY;
    group = s.groups.get(keyName(argv[3]));
    if (group === undefined && (sub === 'setid' || sub === 'createconsumer' || sub === 'delconsumer')) {
      throw noGroupForKey(argv[3], argv[2]);
    }
  } else if (s !== undefined) {
    group = s.groups.get(keyName(argv[3]));
  }
  return { s, group, mkstream, entriesRead };
}

const xgroupCreate = defineCommand({
  name: 'xgroup|create',
  arity: -5,
  flags: ['write', 'denyoom'],
  keys: SECOND_KEY,
  exec(ctx, argv) {
    const p = xgroupPrelude(ctx, argv);
    if (argv.length > 8) throw subcommandSyntax(argv);
    let id: StreamId;
    if (cstr(argv[4]) === '$') id = p.s?.lastId ?? 0n;
    else id = strictId(argv[4]);
    const key = keyName(argv[2]);
    let s = p.s;
    if (s === undefined) {
      s = new StreamValue();
      ctx.db.set(key, s);
    }
    const name = keyName(argv[3]);
    if (s.groups.has(name)) throw BUSYGROUP;
    s.groups.set(name, new ConsumerGroup(name, id, p.entriesRead));
    s.touchedSize();
    // Only a stream MKSTREAM creates touches WATCH (signalModifiedKey); the group alone does not.
    if (p.s === undefined) ctx.changed(key, 'xgroup-create');
    else ctx.changedQuietly(key, 'xgroup-create');
    if (ctx.recording && cstr(argv[4]) === '$') {
      const effect = argv.slice();
      effect[4] = formatId(id);
      ctx.propagate(effect);
    }
    return OK;
  },
});

const xgroupSetid = defineCommand({
  name: 'xgroup|setid',
  arity: -5,
  flags: ['write'],
  keys: SECOND_KEY,
  exec(ctx, argv) {
    const p = xgroupPrelude(ctx, argv);
    if (argv.length !== 5 && argv.length !== 7) throw subcommandSyntax(argv);
    const s = p.s!;
    const group = p.group!;
    let id: StreamId;
    if (cstr(argv[4]) === '$') id = s.lastId;
    else id = looseId(argv[4]);
    group.lastId = id;
    group.entriesRead = p.entriesRead;
    const key = keyName(argv[2]);
    ctx.changedQuietly(key, 'xgroup-setid');
    if (ctx.recording && cstr(argv[4]) === '$') {
      const effect = argv.slice();
      effect[4] = formatId(id);
      ctx.propagate(effect);
    }
    return OK;
  },
});

const xgroupDestroy = defineCommand({
  name: 'xgroup|destroy',
  arity: 4,
  flags: ['write'],
  keys: SECOND_KEY,
  exec(ctx, argv) {
    const p = xgroupPrelude(ctx, argv);
    if (p.group === undefined) return 0;
    const s = p.s!;
    s.groups.delete(p.group.name);
    s.pelChanged(-p.group.pel.size);
    ctx.changedQuietly(keyName(argv[2]), 'xgroup-destroy');
    return 1;
  },
});

const xgroupCreateConsumer = defineCommand({
  name: 'xgroup|createconsumer',
  arity: 5,
  flags: ['write', 'denyoom'],
  keys: SECOND_KEY,
  exec(ctx, argv) {
    const p = xgroupPrelude(ctx, argv);
    const created = p.group!.createConsumer(keyName(argv[4]), ctx.now);
    if (created === null) return 0;
    p.s!.touchedSize();
    ctx.changedQuietly(keyName(argv[2]), 'xgroup-createconsumer');
    return 1;
  },
});

const xgroupDelConsumer = defineCommand({
  name: 'xgroup|delconsumer',
  arity: 5,
  flags: ['write'],
  keys: SECOND_KEY,
  exec(ctx, argv) {
    const p = xgroupPrelude(ctx, argv);
    const consumer = p.group!.consumers.get(keyName(argv[4]));
    if (consumer === undefined) return 0;
    const pending = p.group!.deleteConsumer(consumer);
    p.s!.pelChanged(-pending);
    ctx.changedQuietly(keyName(argv[2]), 'xgroup-delconsumer');
    return pending;
  },
});

const xgroupHelp = defineCommand({
  name: 'xgroup|help',
  arity: 2,
  flags: ['loading', 'stale'],
  exec: () => XGROUP_HELP.map((line) => new StatusReply(line)),
});

const xgroup = defineContainer('xgroup', -2, [], [
  xgroupCreate,
  xgroupSetid,
  xgroupDestroy,
  xgroupCreateConsumer,
  xgroupDelConsumer,
  xgroupHelp,
]);

// ---------------------------------------------------------------------------------------------
// XINFO

const XINFO_HELP = [
  'XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
  'HELP',
  '    Print this help.',
];

function infoStream(ctx: CommandContext, argv: readonly Bytes[]): StreamValue {
  const s = readStream(ctx, keyName(argv[2]));
  if (s === undefined) throw NO_SUCH_KEY;
  return s;
}

function nullable(n: bigint | null): Reply {
  return n === null ? null : intReply(n);
}

const xinfoStream = defineCommand({
  name: 'xinfo|stream',
  arity: -3,
  flags: ['readonly'],
  keys: SECOND_KEY,
  exec(ctx, argv) {
    const s = infoStream(ctx, argv);
    const extra = argv.length - 3;
    let full = false;
    let count = 10n;
    if (extra !== 0) {
      if (extra !== 1 && extra !== 3) throw subcommandSyntax(argv);
      if (!isOption(argv[3], 'full')) throw subcommandSyntax(argv);
      if (extra === 3) {
        if (!isOption(argv[4], 'count')) throw subcommandSyntax(argv);
        count = longLong(argv[5]);
        if (count < 0n) count = 10n;
      }
      full = true;
    }
    const entries: Array<[Reply, Reply]> = [
      ['length', s.length],
      ['radix-tree-keys', s.radixKeys],
      ['radix-tree-nodes', s.radixNodes()],
      ['last-generated-id', idReply(s.lastId)],
      ['max-deleted-entry-id', idReply(s.maxDeletedId)],
      ['entries-added', intReply(s.entriesAdded)],
      ['recorded-first-entry-id', idReply(s.firstId)],
    ];
    if (!full) {
      entries.push(['groups', s.groups.size]);
      const first = s.range(0n, ID_MAX, 1, false);
      const last = s.range(0n, ID_MAX, 1, true);
      entries.push(['first-entry', first.length > 0 ? entryReply(first[0]) : null]);
      entries.push(['last-entry', last.length > 0 ? entryReply(last[0]) : null]);
      return new MapReply(entries);
    }
    const limit = count === 0n ? 0 : count > 1000000000n ? 1000000000 : Number(count);
    entries.push(['entries', s.range(0n, ID_MAX, limit).map(entryReply)]);
    const groups: Reply[] = [];
    for (const group of s.sortedGroups()) {
      const pending: Reply[] = [];
      for (const id of group.pel.keys) {
        if (limit !== 0 && pending.length >= limit) break;
        const nack = group.pel.get(id)!;
        pending.push([formatId(id), keyReply(nack.consumer?.name ?? ''), nack.deliveryTime, intReply(BigInt.asIntN(64, nack.deliveryCount))]);
      }
      const consumers: Reply[] = [];
      for (const consumer of group.sortedConsumers()) {
        const own: Reply[] = [];
        for (const id of consumer.pel.keys) {
          if (limit !== 0 && own.length >= limit) break;
          const nack = consumer.pel.get(id)!;
          own.push([formatId(id), nack.deliveryTime, intReply(BigInt.asIntN(64, nack.deliveryCount))]);
        }
        consumers.push(
          new MapReply([
            ['name', keyReply(consumer.name)],
            ['seen-time', consumer.seenTime],
            ['active-time', consumer.activeTime],
            ['pel-count', consumer.pel.size],
            ['pending', own],
          ]),
        );
      }
      groups.push(
        new MapReply([
          ['name', keyReply(group.name)],
          ['last-delivered-id', formatId(group.lastId)],
          ['entries-read', group.entriesRead === INVALID_ENTRIES_READ ? null : intReply(group.entriesRead)],
          ['lag', nullable(s.lag(group))],
          ['pel-count', group.pel.size],
          ['pending', pending],
          ['consumers', consumers],
        ]),
      );
    }
    entries.push(['groups', groups]);
    return new MapReply(entries);
  },
});

const xinfoGroups = defineCommand({
  name: 'xinfo|groups',
  arity: 3,
  flags: ['readonly'],
  keys: SECOND_KEY,
  exec(ctx, argv) {
    const s = infoStream(ctx, argv);
    return s.sortedGroups().map(
      (group) =>
        new MapReply([
          ['name', keyReply(group.name)],
          ['consumers', group.consumers.size],
          ['pending', group.pel.size],
          ['last-delivered-id', formatId(group.lastId)],
          ['entries-read', group.entriesRead === INVALID_ENTRIES_READ ? null : intReply(group.entriesRead)],
          ['lag', nullable(s.lag(group))],
        ]),
    );
  },
});

const xinfoConsumers = defineCommand({
  name: 'xinfo|consumers',
  arity: 4,
  flags: ['readonly'],
  keys: SECOND_KEY,
  exec(ctx, argv) {
    const s = infoStream(ctx, argv);
    const group = s.groups.get(keyName(argv[3]));
    if (group === undefined) throw noGroupForKey(argv[3], argv[2]);
    const now = ctx.now;
    return group.sortedConsumers().map((consumer) => {
      const inactive = consumer.activeTime !== -1 ? now - consumer.activeTime : -1;
      const idle = Math.max(0, now - consumer.seenTime);
      return new MapReply([
        ['name', keyReply(consumer.name)],
        ['pending', consumer.pel.size],
        ['idle', idle],
        ['inactive', inactive],
      ]);
    });
  },
});

const xinfoHelp = defineCommand({
  name: 'xinfo|help',
  arity: 2,
  flags: ['loading', 'stale'],
  exec: () => XINFO_HELP.map((line) => new StatusReply(line)),
});

const xinfo = defineContainer('xinfo', -2, [], [xinfoStream, xinfoGroups, xinfoConsumers, xinfoHelp]);

export const streamCommands: readonly CommandSpec[] = [
  xadd,
  xlen,
  xrange,
  xrevrange,
  xdel,
  xtrim,
  xread,
  xreadgroup,
  xack,
  xpending,
  xclaim,
  xautoclaim,
  xsetid,
  xgroup,
  xinfo,
];
