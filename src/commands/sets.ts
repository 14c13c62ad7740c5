/**
 * The set commands of Redis 7.4: SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER
 * SMOVE SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE SSCAN. Parsing, lookups,
 * replies and change reports live here; the data structure, encodings and set algebra are in
 * `keyspace/types/set.ts`.
 */
import { defineCommand, type CommandContext, type CommandSpec } from './command.js';
import { binary, isOption, keyName, keyReply, type Bytes } from '../keyspace/bytes.js';
import { compileGlob } from '../keyspace/glob.js';
import { parseCursor, scanStep } from '../keyspace/scan.js';
import {
  SetValue,
  createSet,
  difference,
  forEachInIntersection,
  isSet,
  sampleDistinct,
  sampleInOrder,
  setLimits,
  storedIntersection,
  union,
  type SetLimits,
} from '../keyspace/types/set.js';
import {
  INVALID_CURSOR,
  LIMIT_NEGATIVE,
  LONG_RANGE_SYMMETRIC,
  NOT_INTEGER,
  NOVALUES_ONLY_HSCAN,
  NUMKEYS_EXCEED_ARGS,
  NUMKEYS_NOT_POSITIVE,
  POSITIVE_RANGE,
  SYNTAX,
  WRONGTYPE,
} from '../protocol/errors.js';
import { INT64_MIN, parseInt64 } from '../protocol/numbers.js';
import { SetReply, type Reply } from '../protocol/reply.js';

const ONE_KEY = { first: 1, last: 1, step: 1 } as const;
const ALL_KEYS = { first: 1, last: -1, step: 1 } as const;

/** Replicated SREM commands carry at most this many members each (as Redis batches SPOP's). */
const SREM_BATCH = 1024;

/** A set looked up for reading (`lookupKeyRead`: counted as a keyspace hit or miss). */
function readSet(ctx: CommandContext, key: string): SetValue | undefined {
  const value = ctx.db.read(key, ctx.now);
  if (value !== undefined && !isSet(value)) throw WRONGTYPE;
  return value;
}

/** A set looked up for writing (`lookupKeyWrite`: not counted). */
function writeSet(ctx: CommandContext, key: string): SetValue | undefined {
  const value = ctx.db.get(key, ctx.now);
  if (value !== undefined && !isSet(value)) throw WRONGTYPE;
  return value;
}

function limitsOf(ctx: CommandContext): SetLimits {
  return setLimits(ctx.cache.settings);
}

/** The member names of a set as reply values. */
function memberReplies(members: Iterable<string>): Reply[] {
  const out: Reply[] = [];
  for (const member of members) out.push(keyReply(member));
  return out;
}

/** Removes a key whose set became empty, reporting `del`. */
function deleteEmptied(ctx: CommandContext, key: string): void {
  ctx.db.delete(key);
  ctx.changed(key, 'del');
}

// ---------------------------------------------------------------------------------------------
// SADD SREM SMOVE

const sadd = defineCommand({
  name: 'sadd',
  arity: -3,
  flags: ['write', 'denyoom', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const key = keyName(argv[1]);
    const limits = limitsOf(ctx);
    const count = argv.length - 2;
    let set = writeSet(ctx, key);
    if (set === undefined) {
      set = createSet(keyName(argv[2]), count, limits);
      ctx.db.set(key, set);
    } else {
      set.expectAdditions(count, limits);
    }
    let added = 0;
    for (let j = 2; j < argv.length; j++) if (set.add(keyName(argv[j]), limits)) added++;
    if (added !== 0) ctx.changed(key, 'sadd');
    return added;
  },
});

const srem = defineCommand({
  name: 'srem',
  arity: -3,
  flags: ['write', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const key = keyName(argv[1]);
    const set = writeSet(ctx, key);
    if (set === undefined) return 0;
    let removed = 0;
    let emptied = false;
    for (let j = 2; j < argv.length; j++) {
      if (!set.remove(keyName(argv[j]))) continue;
      removed++;
      if (set.size === 0) {
        ctx.db.delete(key);
        emptied = true;
        break;
      }
    }
    if (removed !== 0) {
      ctx.changed(key, 'srem');
      if (emptied) ctx.changed(key, 'del');
    }
    return removed;
  },
});

const smove = defineCommand({
  name: 'smove',
  arity: 4,
  flags: ['write', 'fast'],
  keys: { first: 1, last: 2, step: 1 },
  exec(ctx, argv) {
    const srcKey = keyName(argv[1]);
    const dstKey = keyName(argv[2]);
    const member = keyName(argv[3]);
    const src = ctx.db.get(srcKey, ctx.now);
    const dst = ctx.db.get(dstKey, ctx.now);
    if (src === undefined) return 0;
    if (!isSet(src) || (dst !== undefined && !isSet(dst))) throw WRONGTYPE;
    if (src === dst) return src.has(member) ? 1 : 0;
    if (!src.remove(member)) return 0;
    ctx.changed(srcKey, 'srem');
    if (src.size === 0) deleteEmptied(ctx, srcKey);
    const limits = limitsOf(ctx);
    let target = dst as SetValue | undefined;
    if (target === undefined) {
      target = createSet(member, 1, limits);
      ctx.db.set(dstKey, target);
    }
    if (target.add(member, limits)) ctx.changed(dstKey, 'sadd');
    return 1;
  },
});

// ---------------------------------------------------------------------------------------------
// SISMEMBER SMISMEMBER SCARD SMEMBERS

const sismember = defineCommand({
  name: 'sismember',
  arity: 3,
  flags: ['readonly', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const set = readSet(ctx, keyName(argv[1]));
    return set !== undefined && set.has(keyName(argv[2])) ? 1 : 0;
  },
});

const smismember = defineCommand({
  name: 'smismember',
  arity: -3,
  flags: ['readonly', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const set = readSet(ctx, keyName(argv[1]));
    const out: Reply[] = new Array(argv.length - 2);
    for (let j = 2; j < argv.length; j++) out[j - 2] = set !== undefined && set.has(keyName(argv[j])) ? 1 : 0;
    return out;
  },
});

const scard = defineCommand({
  name: 'scard',
  arity: 2,
  flags: ['readonly', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    return readSet(ctx, keyName(argv[1]))?.size ?? 0;
  },
});

const smembers = defineCommand({
  name: 'smembers',
  arity: 2,
  flags: ['readonly'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const set = readSet(ctx, keyName(argv[1]));
    return new SetReply(set === undefined ? [] : memberReplies(set.members()));
  },
});

// ---------------------------------------------------------------------------------------------
// SPOP SRANDMEMBER

/** Replicates removed members as SREM commands of at most {@link SREM_BATCH} members. */
function propagateSrem(ctx: CommandContext, keyArg: Bytes, members: readonly string[]): void {
  const effects: Bytes[][] = [];
  for (let i = 0; i < members.length; i += SREM_BATCH) {
    const batch: Bytes[] = ['SREM', keyArg];
    for (const member of members.slice(i, i + SREM_BATCH)) batch.push(keyReply(member));
    effects.push(batch);
  }
  if (effects.length !== 0) ctx.propagate(...effects);
}

/** SPOP key count: Redis's three strategies, which decide the reply order and the encoding left. */
function spopWithCount(ctx: CommandContext, argv: readonly Bytes[]): Reply {
  const n = parseInt64(argv[2]);
  if (n === null || n < 0) throw POSITIVE_RANGE;
  const key = keyName(argv[1]);
  const set = writeSet(ctx, key);
  if (set === undefined || n === 0) return new SetReply([]);
  const size = set.size;
  const count = Number(n);
  ctx.changed(key, 'spop');
  if (count >= size) {
    // The whole set, in the order a union of it alone gives; the key goes, replicated as DEL.
    ctx.db.read(key, ctx.now); // Redis answers through SUNION's read lookup (a keyspace hit)
    const reply = memberReplies(union([set], limitsOf(ctx)).members());
    deleteEmptied(ctx, key);
    ctx.propagate(['DEL', argv[1]]);
    return new SetReply(reply);
  }
  const remaining = size - count;
  const rng = ctx.cache.rng;
  let popped: string[];
  if (remaining * 5 > count) {
    // Few popped: draw them (a listpack in one ordered pass).
    if (set.enc === 'listpack') {
      popped = sampleInOrder(set, count, rng);
      for (const member of popped) set.remove(member);
    } else {
      popped = [];
      for (let i = 0; i < count; i++) {
        const member = set.random(rng);
        set.remove(member);
        popped.push(member);
      }
    }
  } else {
    // Most popped: draw the members that stay into a new set, and answer the old one's rest.
    const limits = limitsOf(ctx);
    let kept: SetValue;
    if (set.enc === 'listpack') {
      kept = new SetValue('listpack');
      for (const member of sampleInOrder(set, remaining, rng)) {
        set.remove(member);
        kept.add(member, limits);
      }
    } else {
      kept = new SetValue(set.enc === 'intset' ? 'intset' : 'listpack');
      for (let i = 0; i < remaining; i++) {
        const member = set.random(rng);
        set.remove(member);
        kept.add(member, limits);
      }
    }
    popped = Array.from(set.members());
    ctx.db.replace(key, kept);
  }
  propagateSrem(ctx, argv[1], popped);
  return new SetReply(memberReplies(popped));
}

const spop = defineCommand({
  name: 'spop',
  arity: -2,
  flags: ['write', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    if (argv.length === 3) return spopWithCount(ctx, argv);
    if (argv.length > 3) throw SYNTAX;
    const key = keyName(argv[1]);
    const set = writeSet(ctx, key);
    if (set === undefined) return null;
    const member = set.random(ctx.cache.rng);
    set.remove(member);
    ctx.changed(key, 'spop');
    const reply = keyReply(member);
    ctx.propagate(['SREM', argv[1], reply]);
    if (set.size === 0) deleteEmptied(ctx, key);
    return reply;
  },
});

/** SRANDMEMBER key count: with repetition for a negative count, distinct members otherwise. */
function srandmemberWithCount(ctx: CommandContext, argv: readonly Bytes[]): Reply {
  const n = parseInt64(argv[2]);
  if (n === null) throw NOT_INTEGER;
  if (n === INT64_MIN) throw LONG_RANGE_SYMMETRIC;
  const unique = n >= 0;
  const count = unique ? Number(n) : -Number(n);
  const set = readSet(ctx, keyName(argv[1]));
  if (set === undefined || count === 0) return [];
  const rng = ctx.cache.rng;
  if (!unique || count === 1) {
    const out: Reply[] = new Array(count);
    for (let i = 0; i < count; i++) out[i] = keyReply(set.random(rng));
    return out;
  }
  if (count >= set.size) return memberReplies(set.members());
  if (set.enc === 'listpack') return memberReplies(sampleInOrder(set, count, rng));
  return memberReplies(sampleDistinct(set, count, rng));
}

const srandmember = defineCommand({
  name: 'srandmember',
  arity: -2,
  flags: ['readonly'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    if (argv.length === 3) return srandmemberWithCount(ctx, argv);
    if (argv.length > 3) throw SYNTAX;
    const set = readSet(ctx, keyName(argv[1]));
    return set === undefined ? null : keyReply(set.random(ctx.cache.rng));
  },
});

// ---------------------------------------------------------------------------------------------
// SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE

/**
 * Looks up the source sets (`lookupKeyRead` each, in order: every lookup counts, and a key of
 * another type fails the command even after a missing one). Missing keys are `undefined`.
 */
function sourceSets(ctx: CommandContext, argv: readonly Bytes[], from: number, to = argv.length): (SetValue | undefined)[] {
  const sets: (SetValue | undefined)[] = [];
  for (let j = from; j < to; j++) sets.push(readSet(ctx, keyName(argv[j])));
  return sets;
}

/** Stores a computed set under the destination, or deletes the destination when it is empty. */
function storeResult(ctx: CommandContext, dstKey: string, result: SetValue | undefined, event: string): number {
  if (result === undefined || result.size === 0) {
    if (ctx.db.delete(dstKey)) ctx.changed(dstKey, 'del');
    return 0;
  }
  ctx.db.set(dstKey, result);
  ctx.changed(dstKey, event);
  return result.size;
}

const sinter = defineCommand({
  name: 'sinter',
  arity: -2,
  flags: ['readonly'],
  keys: ALL_KEYS,
  exec(ctx, argv) {
    const sets = sourceSets(ctx, argv, 1);
    if (sets.includes(undefined)) return new SetReply([]);
    const out: Reply[] = [];
    forEachInIntersection(sets as SetValue[], (member) => {
      out.push(keyReply(member));
    });
    return new SetReply(out);
  },
});

const sinterstore = defineCommand({
  name: 'sinterstore',
  arity: -3,
  flags: ['write', 'denyoom'],
  keys: ALL_KEYS,
  exec(ctx, argv) {
    const sets = sourceSets(ctx, argv, 2);
    const result = sets.includes(undefined) ? undefined : storedIntersection(sets as SetValue[], limitsOf(ctx));
    return storeResult(ctx, keyName(argv[1]), result, 'sinterstore');
  },
});

/** The positions of SINTERCARD's keys: `numkeys` of them after it, when numkeys is valid. */
function sintercardKeys(argv: readonly Bytes[]): number[] {
  const n = argv.length > 1 ? parseInt64(argv[1]) : null;
  if (n === null || n < 1 || n > argv.length - 2) return [];
  const positions: number[] = [];
  for (let i = 0; i < Number(n); i++) positions.push(2 + i);
  return positions;
}

const sintercard = defineCommand({
  name: 'sintercard',
  arity: -3,
  flags: ['readonly', 'movablekeys'],
  keys: sintercardKeys,
  exec(ctx, argv) {
    const n = parseInt64(argv[1]);
    if (n === null || n < 1) throw NUMKEYS_NOT_POSITIVE;
    if (n > argv.length - 2) throw NUMKEYS_EXCEED_ARGS;
    const numkeys = Number(n);
    let limit = 0;
    for (let j = 2 + numkeys; j < argv.length; j++) {
      if (isOption(argv[j], 'limit') && j < argv.length - 1) {
        const l = parseInt64(argv[++j]);
        if (l === null || l < 0) throw LIMIT_NEGATIVE;
        limit = Number(l);
      } else {
        throw SYNTAX;
      }
    }
    const sets = sourceSets(ctx, argv, 2, 2 + numkeys);
    if (sets.includes(undefined)) return 0;
    let cardinality = 0;
    forEachInIntersection(sets as SetValue[], () => {
      cardinality++;
      return limit === 0 || cardinality < limit;
    });
    return cardinality;
  },
});

const sunion = defineCommand({
  name: 'sunion',
  arity: -2,
  flags: ['readonly'],
  keys: ALL_KEYS,
  exec(ctx, argv) {
    const result = union(sourceSets(ctx, argv, 1), limitsOf(ctx));
    return new SetReply(memberReplies(result.members()));
  },
});

const sunionstore = defineCommand({
  name: 'sunionstore',
  arity: -3,
  flags: ['write', 'denyoom'],
  keys: ALL_KEYS,
  exec(ctx, argv) {
    const result = union(sourceSets(ctx, argv, 2), limitsOf(ctx));
    return storeResult(ctx, keyName(argv[1]), result, 'sunionstore');
  },
});

const sdiff = defineCommand({
  name: 'sdiff',
  arity: -2,
  flags: ['readonly'],
  keys: ALL_KEYS,
  exec(ctx, argv) {
    const result = difference(sourceSets(ctx, argv, 1), limitsOf(ctx));
    return new SetReply(memberReplies(result.members()));
  },
});

const sdiffstore = defineCommand({
  name: 'sdiffstore',
  arity: -3,
  flags: ['write', 'denyoom'],
  keys: ALL_KEYS,
  exec(ctx, argv) {
    const result = difference(sourceSets(ctx, argv, 2), limitsOf(ctx));
    return storeResult(ctx, keyName(argv[1]), result, 'sdiffstore');
  },
});

// ---------------------------------------------------------------------------------------------
// SSCAN

const sscan = defineCommand({
  name: 'sscan',
  arity: -3,
  flags: ['readonly'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const cursor = parseCursor(binary(argv[2]));
    if (cursor === null) throw INVALID_CURSOR;
    const set = readSet(ctx, keyName(argv[1]));
    if (set === undefined) return ['0', []];
    let count = 10;
    let match: ((member: string) => boolean) | null = null;
    for (let i = 3; i < argv.length; ) {
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
      } else if (isOption(opt, 'novalues')) {
        throw NOVALUES_ONLY_HSCAN;
      } else {
        throw SYNTAX;
      }
    }
    // Small encodings answer everything at once, with cursor 0, whatever the cursor given.
    if (set.enc !== 'hashtable') {
      const out: Reply[] = [];
      for (const member of set.members()) if (match === null || match(member)) out.push(keyReply(member));
      return ['0', out];
    }
    const step = scanStep([{ index: 0, map: set.index, insertions: set.insertions }], cursor, count);
    const out: Reply[] = [];
    for (const member of step.keys) if (match === null || match(member)) out.push(keyReply(member));
    return [step.cursor.toString(), out];
  },
});

export const setCommands: CommandSpec[] = [
  sadd,
  srem,
  smove,
  sismember,
  smismember,
  scard,
  smembers,
  spop,
  srandmember,
  sinter,
  sintercard,
  sinterstore,
  sunion,
  sunionstore,
  sdiff,
  sdiffstore,
  sscan,
];
