/**
 * The generic key commands: DEL, UNLINK, EXISTS, TOUCH, TYPE, RENAME, RENAMENX, COPY, the EXPIRE
 * and TTL families, PERSIST, KEYS, SCAN, RANDOMKEY, DBSIZE, FLUSHDB, FLUSHALL and OBJECT, as
 * Redis 7.4 answers them on a server with one database (AMR has only db 0).
 *
 * Lookups follow Redis's flags: lookups Redis makes with LOOKUP_NOTOUCH (EXISTS, TYPE, the TTL
 * family, OBJECT, SCAN … TYPE) use {@link peekRead} (expires, counts a hit or miss, never counts
 * as an access); TOUCH and COPY's source use `Keyspace.read` (a counted, touching read); write
 * lookups (RENAME, EXPIRE, PERSIST, COPY's destination) use `Keyspace.get`; DEL, SCAN and
 * RANDOMKEY only expire ({@link peek}).
 */
import { defineCommand, defineContainer, type CommandContext, type CommandSpec } from './command.js';
import { binary, isOption, byteLength, keyName, keyReply, type Bytes } from '../keyspace/bytes.js';
import { rawStrings, RedisObject, typeOf, type Keyspace, type StoredValue } from '../keyspace/keyspace.js';
import { compileGlob } from '../keyspace/glob.js';
import { stringEncoding } from '../keyspace/types/string.js';
import { parseCursor, scanStep, type ScanPart } from '../keyspace/scan.js';
import { LFU_INIT_VAL, disablesSharedIntegers, isLfuPolicy } from '../keyspace/access.js';
import {
  DB_INDEX_OUT_OF_RANGE,
  EXPIRE_GT_LT_CONFLICT,
  EXPIRE_NX_CONFLICT,
  INT_RANGE,
  INVALID_CURSOR,
  LFU_NOT_SELECTED,
  LFU_SELECTED,
  NOT_INTEGER,
  NOVALUES_ONLY_HSCAN,
  NO_SUCH_KEY,
  SAME_OBJECT,
  SYNTAX,
  invalidExpire,
  unsupportedOption,
} from '../protocol/errors.js';
import { INT64_MAX, parseInt64 } from '../protocol/numbers.js';
import { OK, StatusReply, type Reply } from '../protocol/reply.js';
import type { ChangeRecord, Shard } from '../core-types.js';
import { trackingFlushed } from '../tracking.js';

// ---------------------------------------------------------------------------------------------
// Helpers

/** A keyspace that may carry an access tracker (the LRU/LFU hook; see access.ts). */

/** The argument as C would print it with %s (its bytes as UTF-8 text). */
function argText(arg: Bytes): string {
  return typeof arg === 'string' ? arg : arg.toString('utf8');
}

/** The shards a whole-database command covers, in cursor order. */
function coveredShards(ctx: CommandContext): readonly Shard[] {
  const shards = ctx.client.shards;
  for (let i = 1; i < shards.length; i++) {
    if (shards[i].index < shards[i - 1].index) return [...shards].sort((a, b) => a.index - b.index);
  }
  return shards;
}

/** Integer copies made by COPY: Redis duplicates shared integers into objects of their own. */
const unsharedIntegers = new WeakSet<Buffer>();

/** Redis's refcount for shared integers (`OBJ_SHARED_REFCOUNT`). */
const SHARED_REFCOUNT = 2147483647;
/** Integers 0..9999 are shared objects unless the maxmemory policy is an LRU/LFU one. */
const SHARED_INTEGERS = 10000;

function isSharedInteger(ctx: CommandContext, value: Bytes): boolean {
  if (stringEncoding(value) !== 'int') return false;
  if (typeof value !== 'string' && unsharedIntegers.has(value)) return false;
  if (disablesSharedIntegers(ctx.cache.settings.get('maxmemory-policy'))) return false;
  const n = parseInt64(value);
  return typeof n === 'number' && n >= 0 && n < SHARED_INTEGERS;
}

/** A deep copy of a value for COPY, keeping what OBJECT ENCODING / REFCOUNT report. */
function duplicate(ctx: CommandContext, value: StoredValue): StoredValue {
  if (value instanceof RedisObject) return value.clone();
  if (isSharedInteger(ctx, value)) {
    // dupStringObject gives a shared integer an object of its own (refcount 1).
    const copy = Buffer.from(binary(value), 'latin1');
    unsharedIntegers.add(copy);
    return copy;
  }
  if (typeof value === 'string') return value;
  const copy = Buffer.from(value);
  if (rawStrings.has(value)) rawStrings.add(copy);
  if (unsharedIntegers.has(value)) unsharedIntegers.add(copy);
  // Other encoding marks (an INCRBYFLOAT result that reads as an integer) live with the string
  // type: keep the very Buffer then (stored strings are replaced, never written in place).
  return stringEncoding(copy) === stringEncoding(value) ? copy : value;
}

const TYPE_REPLIES = new Map<string, StatusReply>(
  ['none', 'string', 'list', 'set', 'zset', 'hash', 'stream'].map((t) => [t, new StatusReply(t)]),
);
const SCAN_TYPES = new Set(['string', 'list', 'set', 'zset', 'hash', 'stream']);

function typeReply(name: string): StatusReply {
  return TYPE_REPLIES.get(name) ?? new StatusReply(name);
}

// ---------------------------------------------------------------------------------------------
// DEL UNLINK EXISTS TOUCH TYPE

function deleteKeys(ctx: CommandContext, argv: readonly Bytes[]): number {
  const db = ctx.db;
  let deleted = 0;
  for (let i = 1; i < argv.length; i++) {
    const key = keyName(argv[i]);
    if (db.peek(key, ctx.now) === undefined) continue;
    db.delete(key);
    ctx.changed(key, 'del');
    deleted++;
  }
  return deleted;
}

const del = defineCommand({
  name: 'del',
  arity: -2,
  flags: ['write'],
  keys: { first: 1, last: -1, step: 1 },
  crossSlot: 'sum',
  exec: deleteKeys,
});

const unlink = defineCommand({
  name: 'unlink',
  arity: -2,
  flags: ['write', 'fast'],
  keys: { first: 1, last: -1, step: 1 },
  crossSlot: 'sum',
  exec: deleteKeys,
});

const exists = defineCommand({
  name: 'exists',
  arity: -2,
  flags: ['readonly', 'fast'],
  keys: { first: 1, last: -1, step: 1 },
  crossSlot: 'sum',
  exec(ctx, argv) {
    let count = 0;
    for (let i = 1; i < argv.length; i++) if (ctx.db.peekRead(keyName(argv[i]), ctx.now) !== undefined) count++;
    return count;
  },
});

const touch = defineCommand({
  name: 'touch',
  arity: -2,
  flags: ['readonly', 'fast'],
  keys: { first: 1, last: -1, step: 1 },
  crossSlot: 'sum',
  exec(ctx, argv) {
    let count = 0;
    for (let i = 1; i < argv.length; i++) if (ctx.db.read(keyName(argv[i]), ctx.now) !== undefined) count++;
    return count;
  },
});

const type = defineCommand({
  name: 'type',
  arity: 2,
  flags: ['readonly', 'fast'],
  keys: { first: 1, last: 1, step: 1 },
  exec(ctx, argv) {
    const value = ctx.db.peekRead(keyName(argv[1]), ctx.now);
    return typeReply(value === undefined ? 'none' : typeOf(value));
  },
});

// ---------------------------------------------------------------------------------------------
// RENAME RENAMENX COPY

function rename(ctx: CommandContext, argv: readonly Bytes[], nx: boolean): Reply {
  const db = ctx.db;
  const src = keyName(argv[1]);
  const dst = keyName(argv[2]);
  const value = db.get(src, ctx.now);
  if (value === undefined) throw NO_SUCH_KEY;
  if (src === dst) return nx ? 0 : OK;
  if (db.get(dst, ctx.now) !== undefined) {
    if (nx) return 0;
    db.delete(dst);
  }
  // The value object moves with its TTL and access stamp.
  db.rename(src, dst);
  ctx.changed(src, 'rename_from');
  ctx.changed(dst, 'rename_to');
  return nx ? 1 : OK;
}

const renameCommand = defineCommand({
  name: 'rename',
  arity: 3,
  flags: ['write'],
  keys: { first: 1, last: 2, step: 1 },
  exec: (ctx, argv) => rename(ctx, argv, false),
});

const renamenx = defineCommand({
  name: 'renamenx',
  arity: 3,
  flags: ['write', 'fast'],
  keys: { first: 1, last: 2, step: 1 },
  exec: (ctx, argv) => rename(ctx, argv, true),
});

const copy = defineCommand({
  name: 'copy',
  arity: -3,
  flags: ['write', 'denyoom'],
  keys: { first: 1, last: 2, step: 1 },
  exec(ctx, argv) {
    let replace = false;
    for (let j = 3; j < argv.length; j++) {
      if (isOption(argv[j], 'replace')) {
        replace = true;
      } else if (isOption(argv[j], 'db') && j + 1 < argv.length) {
        const id = parseInt64(argv[j + 1]);
        if (id === null) throw NOT_INTEGER;
        if (id < -2147483648 || id > 2147483647) throw INT_RANGE;
        // AMR has one database: any other index is out of range (as with `databases 1`).
        if (id !== 0) throw DB_INDEX_OUT_OF_RANGE;
        j++;
      } else {
        throw SYNTAX;
      }
    }
    const db = ctx.db;
    const src = keyName(argv[1]);
    const dst = keyName(argv[2]);
    if (src === dst) throw SAME_OBJECT;
    const value = db.read(src, ctx.now);
    if (value === undefined) return 0;
    const expire = db.expireTime(src);
    if (db.get(dst, ctx.now) !== undefined) {
      if (!replace) return 0;
      db.delete(dst);
    }
    db.set(dst, duplicate(ctx, value));
    if (expire !== undefined) db.setExpire(dst, expire);
    ctx.changed(dst, 'copy_to');
    return 1;
  },
});

// ---------------------------------------------------------------------------------------------
// EXPIRE PEXPIRE EXPIREAT PEXPIREAT PERSIST

const LLONG_MAX_DIV_1000 = INT64_MAX / 1000n;

function expireGeneric(ctx: CommandContext, argv: readonly Bytes[], name: string, seconds: boolean, relative: boolean): Reply {
  let nx = false;
  let xx = false;
  let gt = false;
  let lt = false;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j];
    if (isOption(opt, 'nx')) nx = true;
    else if (isOption(opt, 'xx')) xx = true;
    else if (isOption(opt, 'gt')) gt = true;
    else if (isOption(opt, 'lt')) lt = true;
    else throw unsupportedOption(argText(opt));
  }
  if (nx && (xx || gt || lt)) throw EXPIRE_NX_CONFLICT;
  if (gt && lt) throw EXPIRE_GT_LT_CONFLICT;

  const parsed = parseInt64(argv[2]);
  if (parsed === null) throw NOT_INTEGER;
  let when = BigInt(parsed);
  if (seconds) {
    if (when > LLONG_MAX_DIV_1000 || when < -LLONG_MAX_DIV_1000) throw invalidExpire(name);
    when *= 1000n;
  }
  const base = relative ? BigInt(ctx.now) : 0n;
  if (when > INT64_MAX - base) throw invalidExpire(name);
  when += base;

  const db = ctx.db;
  const key = keyName(argv[1]);
  if (db.get(key, ctx.now) === undefined) return 0;

  if (nx || xx || gt || lt) {
    const current = db.expireTime(key);
    if (nx && current !== undefined) return 0;
    if (xx && current === undefined) return 0;
    if (gt && (current === undefined || when <= BigInt(current))) return 0;
    if (lt && current !== undefined && when >= BigInt(current)) return 0;
  }

  if (when <= BigInt(ctx.now)) {
    db.delete(key);
    ctx.changed(key, 'del');
    ctx.propagate(['DEL', argv[1]]);
    return 1;
  }
  db.setExpire(key, Number(when));
  ctx.changed(key, 'expire');
  ctx.propagate(['PEXPIREAT', argv[1], when.toString()]);
  return 1;
}

function expireCommand(name: string, seconds: boolean, relative: boolean): CommandSpec {
  return defineCommand({
    name,
    arity: -3,
    flags: ['write', 'fast'],
    keys: { first: 1, last: 1, step: 1 },
    exec: (ctx, argv) => expireGeneric(ctx, argv, name, seconds, relative),
  });
}

const persist = defineCommand({
  name: 'persist',
  arity: 2,
  flags: ['write', 'fast'],
  keys: { first: 1, last: 1, step: 1 },
  exec(ctx, argv) {
    const key = keyName(argv[1]);
    if (ctx.db.get(key, ctx.now) === undefined) return 0;
    if (!ctx.db.persist(key)) return 0;
    ctx.changed(key, 'persist');
    return 1;
  },
});

// ---------------------------------------------------------------------------------------------
// TTL PTTL EXPIRETIME PEXPIRETIME

function ttlCommand(name: string, milliseconds: boolean, absolute: boolean): CommandSpec {
  return defineCommand({
    name,
    arity: 2,
    flags: ['readonly', 'fast'],
    keys: { first: 1, last: 1, step: 1 },
    exec(ctx, argv) {
      const key = keyName(argv[1]);
      if (ctx.db.peekRead(key, ctx.now) === undefined) return -2;
      const when = ctx.db.expireTime(key);
      if (when === undefined) return -1;
      let ttl = absolute ? when : when - ctx.now;
      if (ttl < 0) ttl = 0;
      return milliseconds ? ttl : Math.floor((ttl + 500) / 1000);
    },
  });
}

// ---------------------------------------------------------------------------------------------
// KEYS SCAN RANDOMKEY DBSIZE

const keys = defineCommand({
  name: 'keys',
  arity: 2,
  flags: ['readonly'],
  allShards: true,
  exec(ctx, argv) {
    const pattern = binary(argv[1]);
    const match = pattern === '*' ? null : compileGlob(pattern);
    const out: Reply[] = [];
    const now = ctx.now;
    for (const shard of coveredShards(ctx)) {
      const db = shard.keyspace;
      const volatile = db.volatileCount !== 0;
      for (const key of db.keys()) {
        if (match !== null && !match(key)) continue;
        // KEYS skips keys whose time has passed without collecting them (keyIsExpired).
        if (volatile) {
          const when = db.expireTime(key);
          if (when !== undefined && when <= now) continue;
        }
        out.push(keyReply(key));
      }
    }
    return out;
  },
});

const scan = defineCommand({
  name: 'scan',
  arity: -2,
  flags: ['readonly'],
  allShards: true,
  exec(ctx, argv) {
    const cursor = parseCursor(binary(argv[1]));
    if (cursor === null) throw INVALID_CURSOR;
    let count = 10;
    let match: ((key: string) => boolean) | null = null;
    let typeFilter: string | null = null;
    for (let i = 2; i < argv.length; ) {
      const remaining = argv.length - i;
      const opt = argv[i];
      if (isOption(opt, 'count') && remaining >= 2) {
        const n = parseInt64(argv[i + 1]);
        if (n === null) throw NOT_INTEGER;
        if (n < 1) throw SYNTAX;
        count = typeof n === 'bigint' ? Number.MAX_SAFE_INTEGER : n;
        i += 2;
      } else if (isOption(opt, 'match') && remaining >= 2) {
        const pattern = binary(argv[i + 1]);
        match = pattern === '*' ? null : compileGlob(pattern);
        i += 2;
      } else if (isOption(opt, 'type') && remaining >= 2) {
        // Redis 7.4 accepts an unknown type name and then returns nothing (the error is for 8.0).
        const name = binary(argv[i + 1]).toLowerCase();
        typeFilter = SCAN_TYPES.has(name) ? name : '';
        i += 2;
      } else if (isOption(opt, 'novalues')) {
        throw NOVALUES_ONLY_HSCAN;
      } else {
        throw SYNTAX;
      }
    }
    const shards = coveredShards(ctx);
    const parts: ScanPart[] = shards.map((shard) => ({
      index: shard.index,
      map: shard.keyspace.table,
      insertions: shard.keyspace.insertions,
    }));
    const step = scanStep(parts, cursor, count);
    const out: Reply[] = [];
    for (let i = 0; i < step.keys.length; i++) {
      const key = step.keys[i];
      if (match !== null && !match(key)) continue;
      const db = shards[step.from[i]].keyspace;
      // With TYPE, Redis looks each key up as a read (counted); otherwise it only expires it.
      const value = typeFilter === null ? db.peek(key, ctx.now) : db.peekRead(key, ctx.now);
      if (value === undefined) continue;
      if (typeFilter !== null && typeOf(value) !== typeFilter) continue;
      out.push(keyReply(key));
    }
    return [step.cursor.toString(), out];
  },
});

const randomkey = defineCommand({
  name: 'randomkey',
  arity: 1,
  flags: ['readonly'],
  allShards: true,
  exec(ctx) {
    const shards = coveredShards(ctx);
    for (;;) {
      let total = 0;
      for (const shard of shards) total += shard.keyspace.size;
      if (total === 0) return null;
      let pick = ctx.cache.rng.below(total);
      let db: Keyspace | null = null;
      for (const shard of shards) {
        if (pick < shard.keyspace.size) {
          db = shard.keyspace;
          break;
        }
        pick -= shard.keyspace.size;
      }
      let key: string | undefined;
      for (const k of db!.keys()) {
        if (pick-- === 0) {
          key = k;
          break;
        }
      }
      if (key === undefined) return null;
      // A key whose time has passed is collected, and another one drawn (dbRandomKey).
      if (db!.peek(key, ctx.now) === undefined) continue;
      return keyReply(key);
    }
  },
});

const dbsize = defineCommand({
  name: 'dbsize',
  arity: 1,
  flags: ['readonly', 'fast'],
  allShards: true,
  exec(ctx) {
    let total = 0;
    for (const shard of ctx.client.shards) total += shard.keyspace.size;
    return total;
  },
});

// ---------------------------------------------------------------------------------------------
// FLUSHDB FLUSHALL

/**
 * Reports the keys a flush removed from a shard other than the one the command was routed to,
 * straight to the change listeners (the context reports only its own shard).
 */
function reportFlushElsewhere(ctx: CommandContext, shard: Shard, removed: string[], command: string): void {
  ctx.cache.stats.dirty += removed.length;
  if (ctx.cache.changeListeners.length === 0 || removed.length === 0) return;
  const change: ChangeRecord = {
    shard,
    command,
    keys: removed,
    events: removed.map(() => ''),
    effects: [['FLUSHALL']],
    time: ctx.now,
  };
  for (const listener of ctx.cache.changeListeners) listener(change);
}

function flushCommand(name: string): CommandSpec {
  return defineCommand({
    name,
    arity: -1,
    flags: ['write'],
    allShards: true,
    // With active geo-replication AMR blocks both flushes outright (the control-plane flush stays).
    blocked: (cache) => cache.geoReplication,
    exec(ctx, argv) {
      if (argv.length > 2) throw SYNTAX;
      if (argv.length === 2 && !isOption(argv[1], 'sync') && !isOption(argv[1], 'async')) throw SYNTAX;
      for (const shard of ctx.client.shards) {
        const db = shard.keyspace;
        if (shard === ctx.shard) {
          for (const key of db.keys()) ctx.changed(key);
        } else {
          reportFlushElsewhere(ctx, shard, db.size === 0 ? [] : Array.from(db.keys()), name);
        }
        db.clear();
      }
      ctx.propagate(['FLUSHALL']);
      // Client-side caching: one "everything" invalidation per tracking connection, keys or not.
      trackingFlushed(ctx.cache);
      return OK;
    },
  });
}

// ---------------------------------------------------------------------------------------------
// OBJECT

const OBJECT_HELP: readonly string[] = [
  'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
  'HELP',
  '    Print this help.',
];

function objectKeyCommand(sub: string, exec: (ctx: CommandContext, value: StoredValue, key: string) => Reply): CommandSpec {
  return defineCommand({
    name: `object|${sub}`,
    arity: 3,
    flags: ['readonly'],
    keys: { first: 2, last: 2, step: 1 },
    exec(ctx, argv) {
      const key = keyName(argv[2]);
      // Counted, but no keymiss event (Redis's LOOKUP_NONOTIFY).
      const value = ctx.db.peekRead(key, ctx.now, false);
      return value === undefined ? null : exec(ctx, value, key);
    },
  });
}

const object = defineContainer('object', -2, [], [
  objectKeyCommand('encoding', (_ctx, value) =>
    value instanceof RedisObject ? value.encoding() : stringEncoding(value),
  ),
  objectKeyCommand('refcount', (ctx, value) =>
    !(value instanceof RedisObject) && isSharedInteger(ctx, value) ? SHARED_REFCOUNT : 1,
  ),
  objectKeyCommand('idletime', (ctx, _value, key) => {
    if (isLfuPolicy(ctx.cache.settings.get('maxmemory-policy'))) throw LFU_SELECTED;
    const access = ctx.db.access;
    return access && access.mode === 'lru' ? Math.floor(access.idleMs(ctx.db.stampOf(key), ctx.now) / 1000) : 0;
  }),
  objectKeyCommand('freq', (ctx, _value, key) => {
    if (!isLfuPolicy(ctx.cache.settings.get('maxmemory-policy'))) throw LFU_NOT_SELECTED;
    const access = ctx.db.access;
    return access && access.mode === 'lfu' ? access.frequency(ctx.db.stampOf(key), ctx.now) : LFU_INIT_VAL;
  }),
  defineCommand({
    name: 'object|help',
    arity: 2,
    flags: ['loading', 'stale'],
    exec: () => OBJECT_HELP.map((line) => new StatusReply(line)),
  }),
]);

// ---------------------------------------------------------------------------------------------

export const keyCommands: CommandSpec[] = [
  del,
  unlink,
  exists,
  touch,
  type,
  renameCommand,
  renamenx,
  copy,
  expireCommand('expire', true, true),
  expireCommand('pexpire', false, true),
  expireCommand('expireat', true, false),
  expireCommand('pexpireat', false, false),
  persist,
  ttlCommand('ttl', false, false),
  ttlCommand('pttl', true, false),
  ttlCommand('expiretime', false, true),
  ttlCommand('pexpiretime', true, true),
  keys,
  scan,
  randomkey,
  dbsize,
  flushCommand('flushdb'),
  flushCommand('flushall'),
  object,
];
