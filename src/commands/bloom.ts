/**
 * RedisBloom 2.8's Bloom filter commands (`BF.*`), registered only on a cache created with
 * `modules: ['RedisBloom']` (src/modules.ts). The filter itself is `keyspace/types/bloom.ts`.
 *
 * As the module registers them (`RedisModule_CreateCommand(…, 1, 1, 1)`): arity -1, `write
 * deny-oom` or `readonly fast` plus `module`, key range 1/1/1. Writes replicate verbatim; RedisBloom
 * 2.8 raises no keyspace events of its own. Error texts follow the module's source (rebloom.c).
 */
import { defineCommand, type CommandContext, type CommandFlag, type CommandSpec } from './command.js';
import { keyName, toBuffer, type Bytes } from '../keyspace/bytes.js';
import { ScalingBloom } from '../keyspace/types/bloom.js';
import { ReplyError, WRONGTYPE, wrongArity } from '../protocol/errors.js';
import { parseDouble, parseInt64 } from '../protocol/numbers.js';
import { BoolReply, MapReply, OK, StatusReply, type Reply } from '../protocol/reply.js';

/** The name RedisBloom registers (`RedisModule_Init(ctx, "bf", …)`): MODULE LIST, COMMAND DOCS. */
export const BLOOM_MODULE_NAME = 'bf';

/** Module-wide defaults, set by the module's load arguments (`ERROR_RATE`, `INITIAL_SIZE`, `CF_MAX_EXPANSIONS`). */
export interface BloomConfig {
  readonly errorRate: number;
  readonly initialSize: number;
  readonly cfMaxExpansions: number;
  /** The cache's seed: Top-K structures seed their random streams from it and their key. */
  readonly seed?: number;
}

/** RedisBloom's built-in defaults. */
export const BLOOM_DEFAULTS: BloomConfig = { errorRate: 0.01, initialSize: 100, cfMaxExpansions: 32 };

const BF_DEFAULT_EXPANSION = 2;

const err = (text: string): ReplyError => new ReplyError(text);
const NOT_FOUND = err('ERR not found');
const ITEM_EXISTS = err('ERR item exists');
const FILTER_FULL = err('ERR non scaling filter is full');
const CANNOT_CREATE = err('ERR could not create filter');

/** The filter at a key, undefined when absent; WRONGTYPE for another type. */
function lookup(ctx: CommandContext, key: string, write: boolean): ScalingBloom | undefined {
  const value = write ? ctx.db.get(key, ctx.now) : ctx.db.read(key, ctx.now);
  if (value === undefined) return undefined;
  if (!(value instanceof ScalingBloom)) throw WRONGTYPE;
  return value;
}

/**
 * The module value of class `kind` at a key (the CMS, Top-K and T-Digest `Get…Key` helpers): the
 * module's `missing` error when there is none, WRONGTYPE for another type.
 */
export function valueAt<T>(ctx: CommandContext, key: string, write: boolean, kind: { prototype: T }, missing: string): T {
  const value = write ? ctx.db.get(key, ctx.now) : ctx.db.read(key, ctx.now);
  if (value === undefined) throw err(missing);
  if (!(value instanceof (kind as unknown as abstract new () => T))) throw WRONGTYPE;
  return value as T;
}

/** `RedisModule_StringToLongLong`: a strict 64-bit integer, null otherwise. */
export function longLong(arg: Bytes): number | null {
  const n = parseInt64(arg);
  return n === null ? null : Number(n);
}

/** `RMUtil_ArgIndex`: the first argument equal (case-insensitively) to `name`, or -1. */
export function argIndex(argv: readonly Bytes[], name: string): number {
  for (let i = 0; i < argv.length; i++) if (toBuffer(argv[i]).toString('latin1').toLowerCase() === name.toLowerCase()) return i;
  return -1;
}

export function firstLetter(arg: Bytes, at = 0): string {
  const b = toBuffer(arg);
  return at < b.length ? String.fromCharCode(b[at]).toLowerCase() : '';
}

// ---- declarations ------------------------------------------------------------------------------------

/**
 * A RedisBloom command as the module registers it, keys 1/1/1: `write` is `CREATE_WRCMD`'s
 * `write deny-oom`, `false` is `CREATE_ROCMD`'s `readonly fast`; other modes (rmutil's) are given
 * as flags.
 */
export function bloomCommand(name: string, write: boolean | readonly CommandFlag[], exec: CommandSpec['exec']): CommandSpec {
  const flags: readonly CommandFlag[] = write === true ? ['write', 'denyoom'] : write === false ? ['readonly', 'fast'] : write;
  return defineCommand({
    name,
    arity: -1,
    flags: [...flags, 'module'],
    keys: (argv) => (argv.length > 1 ? [1] : []),
    module: { name: BLOOM_MODULE_NAME, firstKey: 1, lastKey: 1, keyStep: 1 },
    exec,
  });
}

/** Creation parameters of a filter made on demand (BF.ADD, BF.MADD, BF.INSERT). */
interface CreateOptions {
  capacity: number;
  errorRate: number;
  expansion: number;
  nonScaling: boolean;
  autocreate: boolean;
}

/**
 * `bfInsertCommon`: creates the filter when asked, then adds items in order. A full non-scaling
 * filter answers an error for that item and the rest are not tried.
 */
function insert(ctx: CommandContext, key: string, items: readonly Bytes[], opts: CreateOptions): Reply[] {
  let sb = lookup(ctx, key, true);
  if (sb === undefined) {
    if (!opts.autocreate) throw NOT_FOUND;
    const created = ScalingBloom.create(opts.capacity, opts.errorRate, opts.expansion, opts.nonScaling);
    if (created === null) throw CANNOT_CREATE;
    ctx.db.set(key, created);
    sb = created;
  }
  const out: Reply[] = [];
  for (const item of items) {
    const result = sb.add(toBuffer(item));
    if (result === 'full') {
      out.push(FILTER_FULL);
      break;
    }
    out.push(new BoolReply(result === 'added'));
  }
  // The module replicates the command whatever it added (RedisModule_ReplicateVerbatim).
  ctx.changed(key);
  return out;
}

/** The module-wide defaults of the cache's RedisBloom (its load arguments). */
export function config(ctx: CommandContext): BloomConfig {
  for (const m of ctx.cache.modules) if (m.bloom !== undefined) return m.bloom;
  return BLOOM_DEFAULTS;
}

function defaults(ctx: CommandContext): CreateOptions {
  const { initialSize, errorRate } = config(ctx);
  return { capacity: initialSize, errorRate, expansion: BF_DEFAULT_EXPANSION, nonScaling: false, autocreate: true };
}

// ---- BF.RESERVE -------------------------------------------------------------------------------------------

const reserve = bloomCommand('bf.reserve', true, (ctx, argv) => {
  if (argv.length < 4 || argv.length > 7) throw wrongArity('bf.reserve');
  const errorRate = parseDouble(argv[2]);
  if (errorRate === null || Number.isNaN(errorRate)) throw err('ERR bad error rate');
  if (errorRate >= 1 || errorRate <= 0) throw err('ERR (0 < error rate range < 1) ');
  const capacity = longLong(argv[3]);
  if (capacity === null) throw err('ERR bad capacity');
  if (capacity <= 0) throw err('ERR (capacity should be larger than 0)');
  const nonScaling = argIndex(argv, 'NONSCALING') !== -1;
  let expansion = BF_DEFAULT_EXPANSION;
  const ex = argIndex(argv, 'EXPANSION');
  if (ex !== -1 && ex + 1 === argv.length) throw err('ERR no expansion');
  if (ex !== -1) {
    if (nonScaling) throw err('Nonscaling filters cannot expand');
    const n = longLong(argv[ex + 1]);
    if (n === null) throw err('ERR bad expansion');
    if (n <= 0) throw err('ERR expansion should be greater or equal to 1');
    expansion = n;
  }
  const key = keyName(argv[1]);
  if (lookup(ctx, key, true) !== undefined) throw ITEM_EXISTS;
  const sb = ScalingBloom.create(capacity, errorRate, expansion, nonScaling);
  if (sb === null) throw CANNOT_CREATE;
  ctx.db.set(key, sb);
  ctx.changed(key);
  return OK;
});

// ---- BF.ADD / BF.MADD / BF.INSERT -----------------------------------------------------------------------

const add = bloomCommand('bf.add', true, (ctx, argv) => {
  if (argv.length !== 3) throw wrongArity('bf.add');
  const [reply] = insert(ctx, keyName(argv[1]), [argv[2]], defaults(ctx));
  if (reply instanceof Error) throw reply;
  return reply;
});

const madd = bloomCommand('bf.madd', true, (ctx, argv) => {
  if (argv.length < 3) throw wrongArity('bf.madd');
  return insert(ctx, keyName(argv[1]), argv.slice(2), defaults(ctx));
});

const insertCommand = bloomCommand('bf.insert', true, (ctx, argv) => {
  if (argv.length < 4) throw wrongArity('bf.insert');
  const opts = defaults(ctx);
  let itemsAt = -1;
  let pos = 2;
  // The module tells its options apart by their first letters (ITEMS, ERROR, EXPANSION, CAPACITY, NOCREATE, NONSCALING).
  while (pos < argv.length && itemsAt < 0) {
    const arg = argv[pos];
    switch (firstLetter(arg)) {
      case 'i':
        itemsAt = ++pos;
        break;
      case 'e': {
        if (++pos === argv.length) throw wrongArity('bf.insert');
        if (firstLetter(arg, 1) === 'r') {
          const rate = parseDouble(argv[pos++]);
          if (rate === null || Number.isNaN(rate)) throw err('ERR Bad error rate');
          opts.errorRate = rate;
        } else {
          const n = longLong(argv[pos++]);
          if (n === null) throw err('ERR Bad expansion');
          opts.expansion = n;
        }
        break;
      }
      case 'c': {
        if (++pos === argv.length) throw wrongArity('bf.insert');
        const n = longLong(argv[pos++]);
        if (n === null) throw err('ERR Bad capacity');
        opts.capacity = n;
        break;
      }
      case 'n':
        if (firstLetter(arg, 2) === 'c') opts.autocreate = false;
        else opts.nonScaling = true;
        pos++;
        break;
      default:
        throw err('ERR Unknown argument received');
    }
  }
  if (itemsAt < 0 || itemsAt === argv.length) throw wrongArity('bf.insert');
  if (opts.errorRate <= 0 || opts.errorRate >= 1 || opts.capacity < 1 || opts.expansion < 1) throw err('ERR Bad argument received');
  return insert(ctx, keyName(argv[1]), argv.slice(itemsAt), opts);
});

// ---- BF.EXISTS / BF.MEXISTS / BF.CARD / BF.INFO ----------------------------------------------------------

/** `BFCheck`: a missing key (and, as in the module's source, a key of another type) answers 0. */
function check(ctx: CommandContext, argv: readonly Bytes[], multi: boolean): Reply {
  const value = ctx.db.read(keyName(argv[1]), ctx.now);
  const sb = value instanceof ScalingBloom ? value : undefined;
  const answers = argv.slice(2).map((item) => new BoolReply(sb !== undefined && sb.has(toBuffer(item))));
  return multi ? answers : answers[0];
}

const exists = bloomCommand('bf.exists', false, (ctx, argv) => {
  if (argv.length !== 3) throw wrongArity('bf.exists');
  return check(ctx, argv, false);
});

const mexists = bloomCommand('bf.mexists', false, (ctx, argv) => {
  if (argv.length < 3) throw wrongArity('bf.mexists');
  return check(ctx, argv, true);
});

const card = bloomCommand('bf.card', false, (ctx, argv) => {
  if (argv.length !== 2) throw wrongArity('bf.card');
  const sb = lookup(ctx, keyName(argv[1]), false);
  return sb === undefined ? 0 : sb.size;
});

const INFO_FIELDS: Record<string, (sb: ScalingBloom) => Reply> = {
  capacity: (sb) => sb.capacity(),
  size: (sb) => sb.bytes(),
  filters: (sb) => sb.links.length,
  items: (sb) => sb.size,
  expansion: (sb) => (sb.nonScaling ? null : sb.growth),
};

const info = bloomCommand('bf.info', false, (ctx, argv) => {
  if (argv.length !== 2 && argv.length !== 3) throw wrongArity('bf.info');
  const sb = lookup(ctx, keyName(argv[1]), false);
  if (sb === undefined) throw NOT_FOUND;
  if (argv.length === 3) {
    const field = toBuffer(argv[2]).toString('latin1').toLowerCase();
    const read = Object.hasOwn(INFO_FIELDS, field) ? INFO_FIELDS[field] : undefined;
    if (read === undefined) throw err('Invalid information value');
    return [read(sb)];
  }
  return new MapReply([
    [new StatusReply('Capacity'), INFO_FIELDS.capacity(sb)],
    [new StatusReply('Size'), INFO_FIELDS.size(sb)],
    [new StatusReply('Number of filters'), INFO_FIELDS.filters(sb)],
    [new StatusReply('Number of items inserted'), INFO_FIELDS.items(sb)],
    [new StatusReply('Expansion rate'), INFO_FIELDS.expansion(sb)],
  ]);
});

// ---- BF.SCANDUMP / BF.LOADCHUNK ---------------------------------------------------------------------------

const scandump = bloomCommand('bf.scandump', false, (ctx, argv) => {
  if (argv.length !== 3) throw wrongArity('bf.scandump');
  const sb = lookup(ctx, keyName(argv[1]), false);
  if (sb === undefined) throw NOT_FOUND;
  const iter = longLong(argv[2]);
  if (iter === null) throw err('Second argument must be numeric');
  if (iter === 0) return [1, sb.encodeHeader()];
  const chunk = sb.chunk(iter);
  return chunk === null ? [0, ''] : [chunk.next, chunk.data];
});

const loadchunk = bloomCommand('bf.loadchunk', true, (ctx, argv) => {
  if (argv.length !== 4) throw wrongArity('bf.loadchunk');
  const iter = longLong(argv[2]);
  if (iter === null) throw err('ERR Second argument must be numeric');
  const data = toBuffer(argv[3]);
  const key = keyName(argv[1]);
  const sb = lookup(ctx, key, true);
  if (sb === undefined && iter === 1) {
    const loaded = ScalingBloom.fromHeader(data);
    if (loaded === null) throw err('ERR received bad data');
    ctx.db.set(key, loaded);
    ctx.changed(key);
    return OK;
  }
  if (sb === undefined) throw NOT_FOUND;
  const refused = sb.loadChunk(iter, data);
  if (refused !== null) throw err(refused);
  ctx.changed(key);
  return OK;
});

/** The Bloom filter commands of RedisBloom 2.8, in the module's registration order. */
export const bloomCommands: readonly CommandSpec[] = [reserve, add, madd, insertCommand, exists, mexists, info, card, scandump, loadchunk];
