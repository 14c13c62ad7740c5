/**
 * RedisBloom 2.8's Cuckoo filter commands (`CF.*`), registered with the module (src/modules.ts).
 * The filter is `keyspace/types/cuckoo.ts`. Registration, replication and the key lookup
 * statuses are the Bloom commands' (`commands/bloom.ts`); error texts follow rebloom.c, bounds
 * checks as of the 2.6.12/2.8 fix for CVE-2024-25116.
 */
import { bloomCommand, argIndex, config, firstLetter, longLong } from './bloom.js';
import type { CommandContext, CommandSpec } from './command.js';
import { keyName, toBuffer, type Bytes } from '../keyspace/bytes.js';
import { MAX_SCANDUMP_CHUNK } from '../keyspace/types/bloom.js';
import { CF_HEADER_BYTES, CuckooFilter } from '../keyspace/types/cuckoo.js';
import { ReplyError, WRONGTYPE, wrongArity } from '../protocol/errors.js';
import { BoolReply, MapReply, OK, StatusReply, type Reply } from '../protocol/reply.js';

/** The module's CF defaults (rebloom.c): CF.ADD / CF.INSERT create filters with these. */
export const CF_DEFAULT_CAPACITY = 1000;
const CF_DEFAULT_BUCKETSIZE = 2;
const CF_DEFAULT_MAX_ITERATIONS = 20;
const CF_DEFAULT_EXPANSION = 1;

const err = (text: string): ReplyError => new ReplyError(text);
const NOT_FOUND = err('ERR not found');
const ITEM_EXISTS = err('ERR item exists');
const CAPACITY_TOO_SMALL = err('Capacity must be at least (BucketSize * 2)');

/** The filter at a key, undefined when absent; WRONGTYPE for another type. */
function lookup(ctx: CommandContext, key: string, write: boolean): CuckooFilter | undefined {
  const value = write ? ctx.db.get(key, ctx.now) : ctx.db.read(key, ctx.now);
  if (value === undefined) return undefined;
  if (!(value instanceof CuckooFilter)) throw WRONGTYPE;
  return value;
}

/** A creation error the module raises as it is found; null when the key is free. */
function create(capacity: number, bucketSize: number, maxIterations: number, expansion: number, text: string): CuckooFilter {
  const cf = CuckooFilter.create(capacity, bucketSize, maxIterations, expansion);
  if (cf === null) throw err(text);
  return cf;
}

// ---- CF.RESERVE --------------------------------------------------------------------------------------

/** `RMUtil_ArgIndex` then a bounded integer after it (the module's parse and range texts). */
function option(argv: readonly Bytes[], name: string, fallback: number, min: number, max: number): number {
  const at = argIndex(argv, name);
  if (at === -1) return fallback;
  const n = at + 1 < argv.length ? longLong(argv[at + 1]) : null;
  if (n === null) throw err(`Couldn't parse ${name}`);
  if (n < min || n > max) throw err(`${name}: value must be an integer between ${min} and ${max}, inclusive.`);
  return n;
}

const reserve = bloomCommand('cf.reserve', true, (ctx, argv) => {
  if (argv.length < 3 || argv.length % 2 === 0) throw wrongArity('cf.reserve');
  const capacity = longLong(argv[2]);
  if (capacity === null) throw err('Bad capacity');
  const maxIterations = option(argv, 'MAXITERATIONS', CF_DEFAULT_MAX_ITERATIONS, 1, 65535);
  const bucketSize = option(argv, 'BUCKETSIZE', CF_DEFAULT_BUCKETSIZE, 1, 255);
  const expansion = option(argv, 'EXPANSION', CF_DEFAULT_EXPANSION, 0, 32768);
  if (bucketSize * 2 > capacity) throw CAPACITY_TOO_SMALL;
  const key = keyName(argv[1]);
  if (lookup(ctx, key, true) !== undefined) throw ITEM_EXISTS;
  ctx.db.set(key, create(capacity, bucketSize, maxIterations, expansion, "Couldn't create Cuckoo Filter"));
  ctx.changed(key);
  return OK;
});

// ---- CF.ADD / CF.ADDNX / CF.INSERT / CF.INSERTNX ----------------------------------------------------

interface InsertOptions {
  unique: boolean;
  autocreate: boolean;
  multi: boolean;
  capacity: number;
}

/** `cfInsertCommon`. A single add answers an error when the filter is full; a multi add answers -1. */
function insert(ctx: CommandContext, key: string, items: readonly Bytes[], opts: InsertOptions): Reply {
  let cf = lookup(ctx, key, true);
  if (cf === undefined) {
    if (!opts.autocreate) throw NOT_FOUND;
    cf = create(opts.capacity, CF_DEFAULT_BUCKETSIZE, CF_DEFAULT_MAX_ITERATIONS, CF_DEFAULT_EXPANSION, 'Could not create filter');
    ctx.db.set(key, cf);
  }
  if (cf.filters.length >= config(ctx).cfMaxExpansions) {
    // A filter created just now stays, as in the module.
    ctx.changed(key);
    throw err('Maximum expansions reached');
  }
  const out: Reply[] = [];
  let full = false;
  for (const item of items) {
    const result = cf.insert(toBuffer(item), opts.unique);
    if (result === 'nospace' && !opts.multi) {
      full = true;
      break;
    }
    if (opts.multi) out.push(result === 'inserted' ? 1 : result === 'exists' ? 0 : -1);
    else out.push(new BoolReply(result === 'inserted'));
  }
  // The module replicates the command whatever it added (RedisModule_ReplicateVerbatim).
  ctx.changed(key);
  if (full) throw err('Filter is full');
  return opts.multi ? out : out[0];
}

function addCommand(name: string, unique: boolean): CommandSpec {
  return bloomCommand(name, true, (ctx, argv) => {
    if (argv.length !== 3) throw wrongArity(name);
    return insert(ctx, keyName(argv[1]), [argv[2]], { unique, autocreate: true, multi: false, capacity: CF_DEFAULT_CAPACITY });
  });
}

function insertCommand(name: string, unique: boolean): CommandSpec {
  return bloomCommand(name, true, (ctx, argv) => {
    if (argv.length < 4) throw wrongArity(name);
    const opts: InsertOptions = { unique, autocreate: true, multi: true, capacity: CF_DEFAULT_CAPACITY };
    let pos = 2;
    let itemsAt = -1;
    // Options are told apart by their first letter (CAPACITY, ITEMS, NOCREATE), as the module does.
    while (pos < argv.length && itemsAt < 0) {
      switch (firstLetter(argv[pos])) {
        case 'c': {
          if (++pos === argv.length) throw wrongArity(name);
          const n = longLong(argv[pos++]);
          if (n === null) throw err('Bad capacity');
          if (2 * CF_DEFAULT_BUCKETSIZE > n) throw CAPACITY_TOO_SMALL;
          opts.capacity = n;
          break;
        }
        case 'i':
          itemsAt = ++pos;
          break;
        case 'n':
          opts.autocreate = false;
          pos++;
          break;
        default:
          throw err('Unknown argument received');
      }
    }
    if (itemsAt < 0 || itemsAt === argv.length) throw wrongArity(name);
    return insert(ctx, keyName(argv[1]), argv.slice(itemsAt), opts);
  });
}

// ---- CF.EXISTS / CF.MEXISTS / CF.COUNT / CF.DEL ------------------------------------------------------

/** `CFCheck_RedisCommand`: a missing key or one of another type reads as an empty filter. */
function check(ctx: CommandContext, argv: readonly Bytes[]): CuckooFilter | undefined {
  const value = ctx.db.read(keyName(argv[1]), ctx.now);
  return value instanceof CuckooFilter ? value : undefined;
}

const exists = bloomCommand('cf.exists', false, (ctx, argv) => {
  if (argv.length !== 3) throw wrongArity('cf.exists');
  const cf = check(ctx, argv);
  return new BoolReply(cf !== undefined && cf.has(toBuffer(argv[2])));
});

const mexists = bloomCommand('cf.mexists', false, (ctx, argv) => {
  if (argv.length < 3) throw wrongArity('cf.mexists');
  const cf = check(ctx, argv);
  return argv.slice(2).map((item) => new BoolReply(cf !== undefined && cf.has(toBuffer(item))));
});

const count = bloomCommand('cf.count', false, (ctx, argv) => {
  if (argv.length !== 3) throw wrongArity('cf.count');
  const cf = check(ctx, argv);
  return cf === undefined ? 0 : cf.count(toBuffer(argv[2]));
});

const del = bloomCommand('cf.del', true, (ctx, argv) => {
  if (argv.length !== 3) throw wrongArity('cf.del');
  const key = keyName(argv[1]);
  const value = ctx.db.get(key, ctx.now);
  if (!(value instanceof CuckooFilter)) throw err('Not found');
  const removed = value.delete(toBuffer(argv[2]));
  ctx.changed(key);
  return new BoolReply(removed);
});

// ---- CF.INFO ----------------------------------------------------------------------------------------------

const info = bloomCommand('cf.info', false, (ctx, argv) => {
  if (argv.length !== 2) throw wrongArity('cf.info');
  const cf = lookup(ctx, keyName(argv[1]), false);
  if (cf === undefined) throw NOT_FOUND;
  const field = (name: string, value: number): [Reply, Reply] => [new StatusReply(name), value];
  return new MapReply([
    field('Size', cf.bytes()),
    field('Number of buckets', cf.numBuckets),
    field('Number of filters', cf.filters.length),
    field('Number of items inserted', cf.numItems),
    field('Number of items deleted', cf.numDeletes),
    field('Bucket size', cf.bucketSize),
    field('Expansion rate', cf.expansion),
    field('Max iterations', cf.maxIterations),
  ]);
});

// ---- CF.SCANDUMP / CF.LOADCHUNK -----------------------------------------------------------------------------

const scandump = bloomCommand('cf.scandump', false, (ctx, argv) => {
  if (argv.length !== 3) throw wrongArity('cf.scandump');
  const pos = longLong(argv[2]);
  if (pos === null) throw err('Invalid position');
  const cf = lookup(ctx, keyName(argv[1]), false);
  if (cf === undefined) throw NOT_FOUND;
  if (cf.numItems === 0) return [0, null];
  if (pos === 0) return [1, cf.encodeHeader()];
  const chunk = pos > 0 ? cf.chunk(pos, MAX_SCANDUMP_CHUNK) : null;
  return chunk === null ? [0, null] : [chunk.next, chunk.data];
});

const loadchunk = bloomCommand('cf.loadchunk', true, (ctx, argv) => {
  if (argv.length !== 4) throw wrongArity('cf.loadchunk');
  const key = keyName(argv[1]);
  const cf = lookup(ctx, key, true);
  const pos = longLong(argv[2]);
  if (pos === null || pos === 0) throw err('Invalid position');
  const blob = toBuffer(argv[3]);
  if (pos === 1) {
    if (cf !== undefined) throw ITEM_EXISTS;
    // Builds whose header carried a trailing pointer (46 bytes, as in the cf.scandump docs) load too.
    if (blob.length !== CF_HEADER_BYTES && blob.length !== CF_HEADER_BYTES + 8) throw err('Invalid header');
    const loaded = CuckooFilter.fromHeader(blob);
    if (loaded === null) throw err("Couldn't create filter!");
    ctx.db.set(key, loaded);
    ctx.changed(key);
    return OK;
  }
  if (cf === undefined) throw NOT_FOUND;
  if (!cf.loadChunk(pos, blob)) throw err("Couldn't load chunk!");
  // Replicated so replicas hold the same bits (see docs/modules.md).
  ctx.changed(key);
  return OK;
});

/** The Cuckoo filter commands of RedisBloom 2.8, in the module's registration order. */
export const cuckooCommands: readonly CommandSpec[] = [
  reserve,
  addCommand('cf.add', false),
  addCommand('cf.addnx', true),
  insertCommand('cf.insert', false),
  insertCommand('cf.insertnx', true),
  exists,
  mexists,
  count,
  del,
  info,
  scandump,
  loadchunk,
];
