/**
 * The hash commands of Redis 7.4, field TTLs included: HSET HSETNX HGET HMGET HMSET HGETALL HDEL
 * HEXISTS HLEN HKEYS HVALS HSTRLEN HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN, and HEXPIRE HPEXPIRE
 * HEXPIREAT HPEXPIREAT HTTL HPTTL HEXPIRETIME HPEXPIRETIME HPERSIST. Parsing, the order of checks
 * and replies live here; the data structure and field expiry are in `keyspace/types/hash.ts`.
 */
import { defineCommand, type CommandContext, type CommandSpec } from './command.js';
import { binary, isOption, keyName, keyReply, type Bytes } from '../keyspace/bytes.js';
import {
  EXPIRE_DELETED,
  EXPIRE_NOT_MET,
  EXPIRE_NO_FIELD,
  EXPIRE_SET,
  RedisHash,
  countExpiredFields,
  fieldIndexOf,
  hashLimits,
  type HashLimits,
} from '../keyspace/types/hash.js';
import { addLongDouble, formatLongDoubleHuman, fromInteger, parseLongDouble } from '../keyspace/types/long-double.js';
import { compileGlob } from '../keyspace/glob.js';
import { parseCursor, scanStep } from '../keyspace/scan.js';
import {
  EXPIRE_NEGATIVE,
  FIELDS_MISSING,
  HASH_VALUE_NOT_FLOAT,
  HASH_VALUE_NOT_INTEGER,
  INVALID_CURSOR,
  NAN_OR_INF_INCR,
  NAN_OR_INF_VALUE,
  NOT_FLOAT,
  NOT_INTEGER,
  NUMFIELDS_MISMATCH,
  NUMFIELDS_NOT_POSITIVE,
  NUMFIELDS_NOT_POSITIVE_EXPIRE,
  OVERFLOW,
  SYNTAX,
  VALUE_OUT_OF_RANGE,
  WRONGTYPE,
  invalidExpire,
  valueRange,
  wrongArity,
} from '../protocol/errors.js';
import { INT64_MAX, INT64_MIN, parseInt64 } from '../protocol/numbers.js';
import { MapReply, OK, type Reply } from '../protocol/reply.js';

const ONE_KEY = { first: 1, last: 1, step: 1 } as const;

/** Largest absolute field expiry in ms Redis accepts (`HFE_MAX_ABS_TIME_MSEC` = 2^46 - 1). */
export const HFE_MAX_ABS_TIME_MSEC = 2 ** 46 - 1;
/** C's LONG_MAX as a number bound for comparisons of parsed int64 values. */
const LONG_MAX = INT64_MAX;

// ---------------------------------------------------------------------------------------------
// Lookups

function asHash(value: unknown): RedisHash | undefined {
  if (value === undefined) return undefined;
  if (value instanceof RedisHash) return value;
  throw WRONGTYPE;
}

/** A hash looked up for reading (`lookupKeyRead`: a keyspace hit or miss). */
function readHash(ctx: CommandContext, key: string): RedisHash | undefined {
  return asHash(ctx.db.read(key, ctx.now));
}

/** A hash looked up for writing (`lookupKeyWrite`). */
function writeHash(ctx: CommandContext, key: string): RedisHash | undefined {
  return asHash(ctx.db.get(key, ctx.now));
}

/** The hash at `key`, created (empty, not yet stored) when missing. Store it with {@link storeIfNew}. */
function hashForWrite(ctx: CommandContext, key: string): RedisHash {
  return writeHash(ctx, key) ?? new RedisHash();
}

/** Stores a hash created by {@link hashForWrite} once it has fields. */
function storeIfNew(ctx: CommandContext, key: string, hash: RedisHash): void {
  if (ctx.db.valueOf(key) !== hash) ctx.db.set(key, hash);
}

function limitsOf(ctx: CommandContext): HashLimits {
  return hashLimits(ctx.cache.settings as never);
}

/** A field argument as its canonical name (latin1 byte string, like keys). */
const fieldName = keyName;

/** A field name as a reply (the string itself when ASCII, its bytes otherwise). */
const fieldReply = keyReply;

/**
 * Lazy expiry of one field (Redis's `hashTypeGetValue` with HFE_LAZY_EXPIRE): the field's time
 * has passed, so it goes now — `hexpired` (and `del` when the hash empties), replicated as HDEL.
 * Returns true when the whole hash went with it.
 */
function expireFieldNow(ctx: CommandContext, keyArg: Bytes, key: string, hash: RedisHash, field: string): boolean {
  hash.delete(field);
  countExpiredFields(ctx.db, 1);
  ctx.changed(key, 'hexpired');
  ctx.propagate(['HDEL', keyArg, Buffer.from(field, 'latin1')]);
  if (hash.fields.size !== 0) return false;
  ctx.db.delete(key);
  ctx.changed(key, 'del');
  return true;
}

/** The value of a live field, expiring it lazily when its time has passed. */
function lookupField(
  ctx: CommandContext,
  keyArg: Bytes,
  key: string,
  hash: RedisHash,
  field: string,
): Bytes | undefined {
  const value = hash.fields.get(field);
  if (value === undefined) return undefined;
  if (hash.ttls !== null && hash.isExpired(field, ctx.now)) {
    expireFieldNow(ctx, keyArg, key, hash, field);
    return undefined;
  }
  return value;
}

/**
 * Deletes every field whose time has passed (`hashTypeExpireIfNeeded`, HRANDFIELD): true when
 * the hash emptied and went.
 */
function expireAllDue(ctx: CommandContext, keyArg: Bytes, key: string, hash: RedisHash): boolean {
  if (!hash.hasTtls || hash.nextExpiry() >= ctx.now) return false;
  const fields = hash.removeExpired(ctx.now, Infinity);
  if (fields.length === 0) return false;
  countExpiredFields(ctx.db, fields.length);
  ctx.changed(key, 'hexpired');
  ctx.propagate(['HDEL', keyArg, ...fields.map((f) => Buffer.from(f, 'latin1'))]);
  if (hash.fields.size !== 0) return false;
  ctx.db.delete(key);
  ctx.changed(key, 'del');
  return true;
}

/** An integer argument (`getLongLongFromObjectOrReply`). */
function integerArg(arg: Bytes): number | bigint {
  const n = parseInt64(arg);
  if (n === null) throw NOT_INTEGER;
  return n;
}

// ---------------------------------------------------------------------------------------------
// HSET HMSET HSETNX HGET HMGET HDEL HLEN HSTRLEN HEXISTS

function hsetCommand(name: 'hset' | 'hmset') {
  return defineCommand({
    name,
    arity: -4,
    flags: ['write', 'denyoom', 'fast'],
    keys: ONE_KEY,
    exec(ctx, argv) {
      if (argv.length % 2 === 1) throw wrongArity(name);
      const key = keyName(argv[1]);
      const hash = hashForWrite(ctx, key);
      const limits = limitsOf(ctx);
      hash.prepareWrite(argv, 2, argv.length - 1, limits);
      let created = 0;
      for (let i = 2; i < argv.length; i += 2) {
        if (hash.set(fieldName(argv[i]), argv[i + 1], limits)) created++;
      }
      storeIfNew(ctx, key, hash);
      ctx.changed(key, 'hset');
      return name === 'hset' ? created : OK;
    },
  });
}

const hsetnx = defineCommand({
  name: 'hsetnx',
  arity: 4,
  flags: ['write', 'denyoom', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const key = keyName(argv[1]);
    let hash = hashForWrite(ctx, key);
    const field = fieldName(argv[2]);
    if (lookupField(ctx, argv[1], key, hash, field) !== undefined) return 0;
    // The field may have expired just now and taken the hash with it: start a new one.
    if (hash.fields.size === 0 && ctx.db.valueOf(key) !== hash) hash = new RedisHash();
    const limits = limitsOf(ctx);
    hash.prepareWrite(argv, 2, 3, limits);
    hash.set(field, argv[3], limits);
    storeIfNew(ctx, key, hash);
    ctx.changed(key, 'hset');
    ctx.propagate(['HSET', argv[1], argv[2], argv[3]]);
    return 1;
  },
});

const hget = defineCommand({
  name: 'hget',
  arity: 3,
  flags: ['readonly', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const key = keyName(argv[1]);
    const hash = readHash(ctx, key);
    if (hash === undefined) return null;
    return lookupField(ctx, argv[1], key, hash, fieldName(argv[2])) ?? null;
  },
});

const hmget = defineCommand({
  name: 'hmget',
  arity: -3,
  flags: ['readonly', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const key = keyName(argv[1]);
    const hash = readHash(ctx, key);
    const out: Reply[] = new Array(argv.length - 2);
    for (let i = 2; i < argv.length; i++) {
      // A hash emptied by lazy expiry on the way has no fields left: the rest are nil too.
      out[i - 2] = hash === undefined ? null : (lookupField(ctx, argv[1], key, hash, fieldName(argv[i])) ?? null);
    }
    return out;
  },
});

const hdel = defineCommand({
  name: 'hdel',
  arity: -3,
  flags: ['write', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const key = keyName(argv[1]);
    const hash = writeHash(ctx, key);
    if (hash === undefined) return 0;
    let deleted = 0;
    let removed = false;
    for (let i = 2; i < argv.length; i++) {
      if (hash.delete(fieldName(argv[i]))) {
        deleted++;
        if (hash.fields.size === 0) {
          ctx.db.delete(key);
          removed = true;
          break;
        }
      }
    }
    if (deleted !== 0) {
      ctx.changed(key, 'hdel');
      if (removed) ctx.changed(key, 'del');
    }
    return deleted;
  },
});

const hlen = defineCommand({
  name: 'hlen',
  arity: 2,
  flags: ['readonly', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    // Like Redis, counts fields whose TTL has passed until they are collected.
    return readHash(ctx, keyName(argv[1]))?.fields.size ?? 0;
  },
});

const hstrlen = defineCommand({
  name: 'hstrlen',
  arity: 3,
  flags: ['readonly', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const key = keyName(argv[1]);
    const hash = readHash(ctx, key);
    if (hash === undefined) return 0;
    const value = lookupField(ctx, argv[1], key, hash, fieldName(argv[2]));
    if (value === undefined) return 0;
    return typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.length;
  },
});

const hexists = defineCommand({
  name: 'hexists',
  arity: 3,
  flags: ['readonly', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const key = keyName(argv[1]);
    const hash = readHash(ctx, key);
    if (hash === undefined) return 0;
    return lookupField(ctx, argv[1], key, hash, fieldName(argv[2])) === undefined ? 0 : 1;
  },
});

// ---------------------------------------------------------------------------------------------
// HGETALL HKEYS HVALS

const KEYS = 1;
const VALUES = 2;

function hgetallCommand(name: 'hgetall' | 'hkeys' | 'hvals', what: number) {
  return defineCommand({
    name,
    arity: 2,
    flags: ['readonly'],
    keys: ONE_KEY,
    exec(ctx, argv) {
      const hash = readHash(ctx, keyName(argv[1]));
      if (hash === undefined) return what === (KEYS | VALUES) ? new MapReply([]) : [];
      const now = ctx.now;
      const ttls = hash.hasTtls ? hash.ttls! : null;
      const ascii = hash.asciiOnly;
      if (what === (KEYS | VALUES)) {
        const entries: Array<[Reply, Reply]> = [];
        hash.fields.forEach((value, field) => {
          if (ttls !== null) {
            const when = ttls.get(field);
            if (when !== undefined && when < now) return;
          }
          entries.push([ascii ? field : fieldReply(field), value]);
        });
        return new MapReply(entries);
      }
      if (ttls === null) {
        // No TTLs: every field is live, so the reply is the Map's keys or values as they are.
        if (what === VALUES) return Array.from(hash.fields.values());
        return ascii ? Array.from(hash.fields.keys()) : Array.from(hash.fields.keys(), fieldReply);
      }
      const out: Reply[] = [];
      hash.fields.forEach((value, field) => {
        const when = ttls.get(field);
        if (when !== undefined && when < now) return;
        out.push(what === KEYS ? hash.fieldReply(field) : value);
      });
      return out;
    },
  });
}

// ---------------------------------------------------------------------------------------------
// HINCRBY HINCRBYFLOAT

const hincrby = defineCommand({
  name: 'hincrby',
  arity: 4,
  flags: ['write', 'denyoom', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const incr = integerArg(argv[3]);
    const key = keyName(argv[1]);
    let hash = hashForWrite(ctx, key);
    const field = fieldName(argv[2]);
    const current = lookupField(ctx, argv[1], key, hash, field);
    if (current === undefined && hash.fields.size === 0 && ctx.db.valueOf(key) !== hash) hash = new RedisHash();
    let value: number | bigint = 0;
    if (current !== undefined) {
      const parsed = parseInt64(current);
      if (parsed === null) throw HASH_VALUE_NOT_INTEGER;
      value = parsed;
    }
    let result: number | bigint;
    if (typeof value === 'number' && typeof incr === 'number' && Number.isSafeInteger(value + incr)) {
      result = value + incr;
    } else {
      const sum = BigInt(value) + BigInt(incr);
      if (sum > INT64_MAX || sum < INT64_MIN) throw OVERFLOW;
      result = Number.isSafeInteger(Number(sum)) ? Number(sum) : sum;
    }
    const text = String(result);
    hash.set(field, text, limitsOf(ctx), true);
    storeIfNew(ctx, key, hash);
    ctx.changed(key, 'hincrby');
    ctx.propagate(['HINCRBY', argv[1], argv[2], argv[3]]);
    return result;
  },
});

const hincrbyfloat = defineCommand({
  name: 'hincrbyfloat',
  arity: 4,
  flags: ['write', 'denyoom', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const incr = parseLongDouble(typeof argv[3] === 'string' ? Buffer.from(argv[3], 'utf8') : argv[3]);
    if (incr === null) throw NOT_FLOAT;
    if (incr.infinite) throw NAN_OR_INF_VALUE;
    const key = keyName(argv[1]);
    let hash = hashForWrite(ctx, key);
    const field = fieldName(argv[2]);
    const current = lookupField(ctx, argv[1], key, hash, field);
    if (current === undefined && hash.fields.size === 0 && ctx.db.valueOf(key) !== hash) hash = new RedisHash();
    let value = fromInteger(0);
    if (current !== undefined) {
      const parsed = parseLongDouble(typeof current === 'string' ? Buffer.from(current, 'utf8') : current);
      if (parsed === null) throw HASH_VALUE_NOT_FLOAT;
      value = parsed;
    }
    const sum = addLongDouble(value, incr);
    if (sum === null) throw NAN_OR_INF_INCR;
    const text = formatLongDoubleHuman(sum);
    hash.set(field, text, limitsOf(ctx), true);
    storeIfNew(ctx, key, hash);
    ctx.changed(key, 'hincrbyfloat');
    const effects: Bytes[][] = [['HSET', argv[1], argv[2], text]];
    const when = hash.fieldExpiry(field);
    if (when !== undefined) effects.push(['HPEXPIREAT', argv[1], String(when), 'FIELDS', '1', argv[2]]);
    ctx.propagate(...effects);
    return text;
  },
});

// ---------------------------------------------------------------------------------------------
// HRANDFIELD

const hrandfield = defineCommand({
  name: 'hrandfield',
  arity: -2,
  flags: ['readonly'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const key = keyName(argv[1]);
    if (argv.length >= 3) {
      const n = integerArg(argv[2]);
      if (n < -LONG_MAX) throw valueRange(-LONG_MAX, LONG_MAX);
      let withValues = false;
      if (argv.length > 4 || (argv.length === 4 && !isOption(argv[3], 'withvalues'))) throw SYNTAX;
      if (argv.length === 4) {
        withValues = true;
        if (n < -(LONG_MAX / 2n) || n > LONG_MAX / 2n) throw VALUE_OUT_OF_RANGE;
      }
      const hash = readHash(ctx, key);
      if (hash === undefined) return [];
      if (expireAllDue(ctx, argv[1], key, hash)) return [];
      return randomFields(ctx, hash, n, withValues);
    }
    const hash = readHash(ctx, key);
    if (hash === undefined) return null;
    if (expireAllDue(ctx, argv[1], key, hash)) return null;
    const fields = hash.fieldList();
    return fieldReply(fields[ctx.cache.rng.below(fields.length)]);
  },
});

/** HRANDFIELD with a count: distinct fields for a positive count, repeats allowed for a negative one. */
function randomFields(ctx: CommandContext, hash: RedisHash, n: number | bigint, withValues: boolean): Reply {
  const resp3 = ctx.client.resp === 3;
  const size = hash.fields.size;
  const out: Reply[] = [];
  const emit = (field: string, value: Bytes): void => {
    if (!withValues) out.push(fieldReply(field));
    else if (resp3) out.push([fieldReply(field), value]);
    else out.push(fieldReply(field), value);
  };
  if (n === 0 || n === 0n) return out;
  const rng = ctx.cache.rng;
  if (n < 0 || n === 1) {
    const count = typeof n === 'bigint' ? -n : n < 0 ? -n : n;
    if (count > 0xffffffff) throw VALUE_OUT_OF_RANGE; // far beyond any reply that fits in memory
    const fields = hash.fieldList();
    for (let i = 0; i < Number(count); i++) {
      const field = fields[rng.below(size)];
      emit(field, hash.fields.get(field)!);
    }
    return out;
  }
  if (n >= size) {
    for (const [field, value] of hash.fields) emit(field, value);
    return out;
  }
  // Distinct picks: a partial Fisher-Yates shuffle of the entries.
  const count = Number(n);
  const fields = hash.fieldList().slice();
  for (let i = 0; i < count; i++) {
    const j = i + rng.below(fields.length - i);
    const picked = fields[j];
    fields[j] = fields[i];
    fields[i] = picked;
    emit(picked, hash.fields.get(picked)!);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// HSCAN

const hscan = defineCommand({
  name: 'hscan',
  arity: -3,
  flags: ['readonly'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const cursor = parseCursor(binary(argv[2]));
    if (cursor === null) throw INVALID_CURSOR;
    const key = keyName(argv[1]);
    const hash = readHash(ctx, key);
    if (hash === undefined) return ['0', []];
    let count = 10;
    let match: ((s: string) => boolean) | null = null;
    let noValues = false;
    for (let i = 3; i < argv.length; ) {
      const remaining = argv.length - i;
      const opt = argv[i];
      if (isOption(opt, 'count') && remaining >= 2) {
        const n = integerArg(argv[i + 1]);
        if (n < 1) throw SYNTAX;
        count = typeof n === 'bigint' ? Number.MAX_SAFE_INTEGER : n;
        i += 2;
      } else if (isOption(opt, 'match') && remaining >= 2) {
        const pattern = binary(argv[i + 1]);
        match = pattern === '*' ? null : compileGlob(pattern);
        i += 2;
      } else if (isOption(opt, 'novalues')) {
        noValues = true;
        i++;
      } else {
        throw SYNTAX;
      }
    }
    const now = ctx.now;
    const out: Reply[] = [];
    const emit = (field: string): void => {
      if (match !== null && !match(field)) return;
      if (hash.isExpired(field, now)) return;
      out.push(hash.fieldReply(field));
      if (!noValues) out.push(hash.fields.get(field)!);
    };
    // Small (listpack) hashes answer everything in one call, whatever the cursor, as Redis does.
    if (hash.small) {
      for (const field of hash.fields.keys()) emit(field);
      return ['0', out];
    }
    const step = scanStep([{ index: 0, map: hash.fields, insertions: hash.insertions }], cursor, count);
    for (const field of step.keys) emit(field);
    return [step.cursor.toString(), out];
  },
});

// ---------------------------------------------------------------------------------------------
// Field TTLs: HEXPIRE HPEXPIRE HEXPIREAT HPEXPIREAT

const NX = 1;
const XX = 2;
const GT = 4;
const LT = 8;

/** Reads `FIELDS numfields field …` at `at` (the FIELDS keyword's index); returns the first field's index. */
function parseFields(argv: readonly Bytes[], at: number, notPositive: Error): number {
  if (!isOption(argv[at], 'fields')) throw FIELDS_MISSING;
  const n = parseInt64(argv[at + 1]);
  if (n === null || n < 1) throw notPositive;
  if (BigInt(n) !== BigInt(argv.length - at - 2)) throw NUMFIELDS_MISMATCH;
  return at + 2;
}

function hexpireCommand(name: 'hexpire' | 'hpexpire' | 'hexpireat' | 'hpexpireat') {
  const seconds = name === 'hexpire' || name === 'hexpireat';
  const relative = name === 'hexpire' || name === 'hpexpire';
  return defineCommand({
    name,
    arity: -6,
    flags: ['write', 'denyoom', 'fast'],
    keys: ONE_KEY,
    exec(ctx, argv) {
      const key = keyName(argv[1]);
      const hash = writeHash(ctx, key);
      // The expire time (`parseExpireTime`): >= 0, in range once made absolute in ms.
      const raw = integerArg(argv[2]);
      if (raw < 0) throw EXPIRE_NEGATIVE;
      if (typeof raw === 'bigint') throw invalidExpire(name); // beyond 2^53: past every bound
      let when = raw;
      if (seconds) {
        if (when > Math.floor(HFE_MAX_ABS_TIME_MSEC / 1000)) throw invalidExpire(name);
        when *= 1000;
      }
      const base = relative ? ctx.now : 0;
      if (when > HFE_MAX_ABS_TIME_MSEC - base) throw invalidExpire(name);
      when += base;
      let condition = 0;
      let fieldsAt = 3;
      if (isOption(argv[3], 'nx')) condition = NX;
      else if (isOption(argv[3], 'xx')) condition = XX;
      else if (isOption(argv[3], 'gt')) condition = GT;
      else if (isOption(argv[3], 'lt')) condition = LT;
      if (condition !== 0) fieldsAt++;
      const first = parseFields(argv, fieldsAt, NUMFIELDS_NOT_POSITIVE_EXPIRE);
      const replies: Reply[] = new Array(argv.length - first);
      if (hash === undefined) return replies.fill(EXPIRE_NO_FIELD);
      hash.allowTtls();
      const updated: Bytes[] = [];
      const deleted: Bytes[] = [];
      for (let i = first; i < argv.length; i++) {
        const field = fieldName(argv[i]);
        const code = setFieldExpiry(hash, field, when, condition, ctx.now);
        replies[i - first] = code;
        if (code === EXPIRE_SET) updated.push(argv[i]);
        else if (code === EXPIRE_DELETED) deleted.push(argv[i]);
      }
      if (deleted.length !== 0) countExpiredFields(ctx.db, deleted.length);
      if (updated.length + deleted.length !== 0) {
        ctx.changed(key, deleted.length !== 0 ? 'hdel' : 'hexpire');
        const effects: Bytes[][] = [];
        if (deleted.length !== 0) effects.push(['HDEL', argv[1], ...deleted]);
        if (updated.length !== 0) {
          effects.push(['HPEXPIREAT', argv[1], String(when), 'FIELDS', String(updated.length), ...updated]);
        }
        ctx.propagate(...effects);
      }
      if (hash.fields.size === 0) {
        ctx.db.delete(key);
        ctx.changed(key, 'del');
      } else if (updated.length !== 0) {
        fieldIndexOf(ctx.db).track(key, hash);
      }
      return replies;
    },
  });
}

/**
 * One field of the HEXPIRE family (`hashTypeSetEx`): -2 no such field, 0 condition not met, 1 set,
 * 2 deleted because the time is not in the future. A field without a TTL counts as never expiring:
 * XX and GT fail on it, LT succeeds. Fields past their time but not yet collected count as present,
 * as in Redis.
 */
function setFieldExpiry(hash: RedisHash, field: string, when: number, condition: number, now: number): number {
  if (!hash.fields.has(field)) return EXPIRE_NO_FIELD;
  const previous = hash.fieldExpiry(field);
  if (previous === undefined) {
    if (condition & (XX | GT)) return EXPIRE_NOT_MET;
  } else if (
    (condition === GT && previous >= when) ||
    (condition === LT && previous <= when) ||
    condition === NX
  ) {
    return EXPIRE_NOT_MET;
  }
  if (when <= now) {
    hash.delete(field);
    return EXPIRE_DELETED;
  }
  hash.setFieldExpiry(field, when);
  return EXPIRE_SET;
}

// ---------------------------------------------------------------------------------------------
// HTTL HPTTL HEXPIRETIME HPEXPIRETIME HPERSIST

function httlCommand(name: 'httl' | 'hpttl' | 'hexpiretime' | 'hpexpiretime') {
  const seconds = name === 'httl' || name === 'hexpiretime';
  const relative = name === 'httl' || name === 'hpttl';
  return defineCommand({
    name,
    arity: -5,
    flags: ['readonly', 'fast'],
    keys: ONE_KEY,
    exec(ctx, argv) {
      const hash = readHash(ctx, keyName(argv[1]));
      const first = parseFields(argv, 2, NUMFIELDS_NOT_POSITIVE);
      const replies: Reply[] = new Array(argv.length - first);
      if (hash === undefined) return replies.fill(-2);
      const now = ctx.now;
      const base = relative ? now : 0;
      for (let i = first; i < argv.length; i++) {
        const field = fieldName(argv[i]);
        let reply: number;
        if (!hash.fields.has(field)) reply = -2;
        else {
          const when = hash.fieldExpiry(field);
          if (when === undefined) reply = -1;
          // Redis's listpackex branch already says -2 at the expiry millisecond, its hashtable branch after it.
          else if (when < now || (when === now && hash.small)) reply = -2;
          else reply = seconds ? Math.floor((when + 999 - base) / 1000) : when - base;
        }
        replies[i - first] = reply;
      }
      return replies;
    },
  });
}

const hpersist = defineCommand({
  name: 'hpersist',
  arity: -5,
  flags: ['write', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const key = keyName(argv[1]);
    const hash = writeHash(ctx, key);
    const first = parseFields(argv, 2, NUMFIELDS_NOT_POSITIVE);
    const replies: Reply[] = new Array(argv.length - first);
    if (hash === undefined) return replies.fill(-2);
    const persisted: Bytes[] = [];
    for (let i = first; i < argv.length; i++) {
      const field = fieldName(argv[i]);
      let reply: number;
      if (!hash.fields.has(field)) reply = -2;
      else {
        const when = hash.fieldExpiry(field);
        if (when === undefined) reply = -1;
        else if (when < ctx.now) reply = -2;
        else {
          hash.persist(field);
          persisted.push(argv[i]);
          reply = 1;
        }
      }
      replies[i - first] = reply;
    }
    if (persisted.length !== 0) {
      ctx.changed(key, 'hpersist');
      ctx.propagate(['HPERSIST', argv[1], 'FIELDS', String(persisted.length), ...persisted]);
    }
    return replies;
  },
});

export const hashCommands: CommandSpec[] = [
  hsetCommand('hset'),
  hsetnx,
  hget,
  hmget,
  hsetCommand('hmset'),
  hgetallCommand('hgetall', KEYS | VALUES),
  hdel,
  hexists,
  hlen,
  hgetallCommand('hkeys', KEYS),
  hgetallCommand('hvals', VALUES),
  hstrlen,
  hincrby,
  hincrbyfloat,
  hrandfield,
  hscan,
  hexpireCommand('hexpire'),
  hexpireCommand('hpexpire'),
  hexpireCommand('hexpireat'),
  hexpireCommand('hpexpireat'),
  httlCommand('httl'),
  httlCommand('hpttl'),
  httlCommand('hexpiretime'),
  httlCommand('hpexpiretime'),
  hpersist,
];

/** True when a stored value is a hash (for other modules: SORT BY …). */
export function isHash(value: unknown): value is RedisHash {
  return value instanceof RedisHash;
}
