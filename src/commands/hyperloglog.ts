/**
 * HyperLogLog: PFADD, PFCOUNT, PFMERGE, on string values holding Redis's own HLL bytes. Lookups,
 * type checks and change reports live here; the representation, hashing and estimator are in
 * `keyspace/types/hyperloglog.ts`. PFDEBUG and PFSELFTEST are not available on Azure Managed
 * Redis and stay unknown commands.
 */
import { defineCommand, type CommandContext, type CommandSpec } from './command.js';
import { keyName, toBuffer, type Bytes } from '../keyspace/bytes.js';
import { rawStrings } from '../keyspace/keyspace.js';
import { isString, stringEncoding } from '../keyspace/types/string.js';
import { DEFAULT_SPARSE_MAX_BYTES, HllUnion, hllBytes, pfadd, pfcountOne } from '../keyspace/types/hyperloglog.js';
import { WRONGTYPE } from '../protocol/errors.js';
import { OK } from '../protocol/reply.js';

const ONE_KEY = { first: 1, last: 1, step: 1 } as const;
const ALL_KEYS = { first: 1, last: -1, step: 1 } as const;

/** `hll-sparse-max-bytes`: the size past which a sparse HLL is promoted to dense. */
function sparseMaxBytes(ctx: CommandContext): number {
  const raw = ctx.cache.settings.get('hll-sparse-max-bytes');
  if (raw === undefined) return DEFAULT_SPARSE_MAX_BYTES;
  const n = Number(raw);
  return Number.isFinite(n) ? n : DEFAULT_SPARSE_MAX_BYTES;
}

/** isHLLObjectOrReply: WRONGTYPE for other types, its HLL variant for strings that are no HLL. */
function hllOf(value: Bytes | object): Buffer {
  if (!isString(value as never)) throw WRONGTYPE;
  return hllBytes(value as Bytes);
}

/**
 * dbUnshareStringValue: Redis edits HLLs in place, so a value that is not `raw` (an `embstr` one
 * written by SET) becomes a `raw` copy first, whether or not the command then changes it.
 */
function unshare(ctx: CommandContext, key: string, value: Bytes, bytes: Buffer): Buffer {
  if (stringEncoding(value) === 'raw') return bytes;
  const copy = Buffer.from(bytes);
  rawStrings.add(copy);
  ctx.db.replace(key, copy);
  return copy;
}

const pfaddCommand = defineCommand({
  name: 'pfadd',
  arity: -2,
  flags: ['write', 'denyoom', 'fast'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const key = keyName(argv[1]);
    const stored = ctx.db.get(key, ctx.now);
    let current: Buffer | undefined;
    if (stored !== undefined) current = unshare(ctx, key, stored as Bytes, hllOf(stored));
    const result = pfadd(current, argv.slice(2), sparseMaxBytes(ctx));
    if (!result.updated) return 0;
    if (current === undefined) ctx.db.set(key, result.value!);
    else ctx.db.replace(key, result.value!);
    ctx.changed(key, 'pfadd');
    return 1;
  },
});

const pfcountCommand = defineCommand({
  name: 'pfcount',
  arity: -2,
  flags: ['readonly'],
  keys: ALL_KEYS,
  exec(ctx, argv) {
    if (argv.length > 2) {
      // The cardinality of the union, computed without writing anything.
      const union = new HllUnion();
      for (let j = 1; j < argv.length; j++) {
        const value = ctx.db.read(keyName(argv[j]), ctx.now);
        if (value === undefined) continue;
        union.add(hllOf(value));
      }
      return union.count();
    }
    const key = keyName(argv[1]);
    const stored = ctx.db.read(key, ctx.now);
    if (stored === undefined) return 0;
    const bytes = unshare(ctx, key, stored as Bytes, hllOf(stored));
    const { count, value } = pfcountOne(bytes);
    if (value !== null) {
      // Caching the estimate changes the string: WATCH sees it and it replicates (no event).
      ctx.db.replace(key, value);
      ctx.changed(key);
    }
    return count;
  },
});

const pfmergeCommand = defineCommand({
  name: 'pfmerge',
  arity: -2,
  flags: ['write', 'denyoom'],
  keys: ALL_KEYS,
  exec(ctx, argv) {
    // Every input, the destination included, is checked and merged before anything changes.
    const union = new HllUnion();
    for (let j = 1; j < argv.length; j++) {
      const value = ctx.db.read(keyName(argv[j]), ctx.now);
      if (value === undefined) continue;
      union.add(hllOf(value));
    }
    const key = keyName(argv[1]);
    const stored = ctx.db.get(key, ctx.now);
    const current = stored === undefined ? undefined : toBuffer(stored as Bytes);
    const merged = union.mergeTo(current, sparseMaxBytes(ctx));
    if (current === undefined) ctx.db.set(key, merged);
    else ctx.db.replace(key, merged);
    ctx.changed(key, 'pfadd');
    return OK;
  },
});

export const hyperloglogCommands: readonly CommandSpec[] = [pfaddCommand, pfcountCommand, pfmergeCommand];
