/**
 * DUMP and RESTORE: a key's value in Redis 7.4's serialisation (src/keyspace/rdb/), so payloads
 * move between the emulator and real servers in both directions.
 *
 * RESTORE follows `restoreCommand` (cluster.c) step by step: options first (IDLETIME and FREQ
 * exclude each other: the second is a syntax error), then BUSYKEY, the TTL, the payload's version
 * and checksum, the value — all before anything changes. A TTL already in the past (ABSTTL) creates
 * nothing and still answers OK, deleting the old key under REPLACE (replicated as DEL). A relative
 * TTL replicates as the absolute time with ABSTTL appended, as Redis rewrites the command.
 */
import { defineCommand, type CommandSpec } from './command.js';
import type { Config } from '../config.js';
import { isOption, keyName, toBuffer, type Bytes } from '../keyspace/bytes.js';
import { NO_TTL } from '../keyspace/keyspace.js';
import { NOT_INTEGER, ReplyError, SYNTAX } from '../protocol/errors.js';
import { parseInt64 } from '../protocol/numbers.js';
import { OK, type Reply } from '../protocol/reply.js';
import { dumpPayload, type DumpOptions } from '../keyspace/rdb/dump.js';
import { loadPayload, verifyPayload, type LoadLimits } from '../keyspace/rdb/load.js';
import { hashLimits } from '../keyspace/types/hash.js';
import { setLimits } from '../keyspace/types/set.js';
import { zsetLimits } from '../keyspace/types/zset.js';
import { listFill } from '../keyspace/types/list.js';
import { streamLimits } from '../keyspace/types/stream.js';

export const BUSYKEY = new ReplyError('BUSYKEY Target key name already exists.');
export const INVALID_TTL = new ReplyError('ERR Invalid TTL value, must be >= 0');
export const INVALID_IDLETIME = new ReplyError('ERR Invalid IDLETIME value, must be >= 0');
export const INVALID_FREQ = new ReplyError('ERR Invalid FREQ value, must be >= 0 and <= 255');

/** `getLongLongFromObjectOrReply`: a signed 64-bit integer argument. */
function integerArg(arg: Bytes): bigint {
  const n = parseInt64(arg);
  if (n === null) throw NOT_INTEGER;
  return BigInt(n);
}

/** The thresholds of the cache's settings that decide a restored (or imported) value's encoding. */
export function loadLimits(settings: Config): LoadLimits {
  return {
    list: { fill: listFill(settings) },
    set: setLimits(settings),
    zset: zsetLimits(settings),
    hash: hashLimits(settings),
    streamNodeMaxBytes: streamLimits(settings).maxBytes,
  };
}

/** What the serialisation reads from the settings (`rdbcompression`, `list-compress-depth`). */
export function dumpOptions(settings: Config): DumpOptions {
  return {
    compress: settings.get('rdbcompression') !== 'no',
    listCompressDepth: Number(settings.get('list-compress-depth') ?? 0),
  };
}

const dump = defineCommand({
  name: 'dump',
  arity: 2,
  flags: ['readonly'],
  keys: { first: 1, last: 1, step: 1 },
  exec(ctx, argv) {
    const value = ctx.db.read(keyName(argv[1]), ctx.now);
    if (value === undefined) return null;
    return dumpPayload(value, dumpOptions(ctx.cache.settings));
  },
});

const restore = defineCommand({
  name: 'restore',
  arity: -4,
  flags: ['write', 'denyoom'],
  keys: { first: 1, last: 1, step: 1 },
  exec(ctx, argv): Reply {
    let replace = false;
    let absttl = false;
    let idle: bigint | null = null;
    let freq: bigint | null = null;
    for (let j = 4; j < argv.length; j++) {
      const more = argv.length - j - 1;
      if (isOption(argv[j], 'replace')) replace = true;
      else if (isOption(argv[j], 'absttl')) absttl = true;
      else if (isOption(argv[j], 'idletime') && more >= 1 && freq === null) {
        idle = integerArg(argv[++j]);
        if (idle < 0n) throw INVALID_IDLETIME;
      } else if (isOption(argv[j], 'freq') && more >= 1 && idle === null) {
        freq = integerArg(argv[++j]);
        if (freq < 0n || freq > 255n) throw INVALID_FREQ;
      } else throw SYNTAX;
    }
    const db = ctx.db;
    const key = keyName(argv[1]);
    if (!replace && db.get(key, ctx.now) !== undefined) throw BUSYKEY;
    let ttl = integerArg(argv[2]);
    if (ttl < 0n) throw INVALID_TTL;
    const payload = toBuffer(argv[3]);
    verifyPayload(payload);
    const value = loadPayload(payload, loadLimits(ctx.cache.settings));

    // Everything is checked: from here on the command succeeds.
    const deleted = replace && db.get(key, ctx.now) !== undefined;
    if (deleted) db.delete(key);
    // Redis adds in a long long: a relative TTL near 2^63 wraps negative, so the key is already expired.
    if (ttl !== 0n && !absttl) ttl = BigInt.asIntN(64, ttl + BigInt(ctx.now));
    if (ttl !== 0n && ttl <= BigInt(ctx.now)) {
      if (deleted) {
        ctx.changed(key, 'del');
        const lazy = ctx.cache.settings.get('lazyfree-lazy-server-del') === 'yes';
        ctx.propagate([lazy ? 'UNLINK' : 'DEL', argv[1]]);
      }
      return OK;
    }
    db.set(key, value, false, ttl === 0n ? NO_TTL : Number(ttl));
    const access = db.access;
    if (access !== null) {
      const stamp = access.restoredStamp(idle === null ? null : Number(idle), freq === null ? null : Number(freq), ctx.now);
      if (stamp !== null) db.setStamp(key, stamp);
    }
    ctx.changed(key, 'restore');
    if (ttl !== 0n && !absttl) ctx.propagate([argv[0], argv[1], ttl.toString(), ...argv.slice(3), 'ABSTTL']);
    return OK;
  },
});

export const serializationCommands: CommandSpec[] = [dump, restore];
