/**
 * RedisBloom 2.8's Top-K commands (`TOPK.*`), registered with the module (src/modules.ts). The
 * structure is `keyspace/types/topk.ts`. Registered through rmutil as the module does (TOPK.COUNT
 * as `write`, as in its source), keys 1/1/1. Error texts follow `rm_topk.c`.
 */
import { bloomCommand, config, longLong, valueAt } from './bloom.js';
import type { CommandContext, CommandSpec } from './command.js';
import { keyName, toBuffer, type Bytes } from '../keyspace/bytes.js';
import { murmurHash2 } from '../keyspace/types/count-min-sketch.js';
import { TopK } from '../keyspace/types/topk.js';
import { ReplyError, wrongArity } from '../protocol/errors.js';
import { parseDouble } from '../protocol/numbers.js';
import { BoolReply, DoubleReply, MapReply, OK, StatusReply, type Reply } from '../protocol/reply.js';

const err = (text: string): ReplyError => new ReplyError(text);
const WRITE = ['write', 'denyoom'] as const;
const UINT32_MAX = 0xffffffff;
/** The module's text, its C line continuation included (the indentation of the next line is part of it). */
const BAD_INCREMENT = `TopK: increment must be an integer greater or equal to 0${' '.repeat(28)}and smaller or equal to 100,000`;
/** TOPK.RESERVE key k without the rest: the module's defaults. */
const DEFAULT_WIDTH = 8;
const DEFAULT_DEPTH = 7;
const DEFAULT_DECAY = 0.9;

/** `GetTopKKey`. */
function topkAt(ctx: CommandContext, key: string, write: boolean): TopK {
  return valueAt(ctx, key, write, TopK, 'TopK: key does not exist');
}

/**
 * An item as the module replies it: a simple string of the copy it keeps, which C reads up to the
 * first NUL byte.
 */
function itemReply(item: Buffer): StatusReply {
  const nul = item.indexOf(0);
  return new StatusReply((nul >= 0 ? item.subarray(0, nul) : item).toString('utf8'));
}

const reserve = bloomCommand('topk.reserve', WRITE, (ctx, argv) => {
  if (argv.length !== 3 && argv.length !== 6) throw wrongArity('topk.reserve');
  const key = keyName(argv[1]);
  if (ctx.db.get(key, ctx.now) !== undefined) throw err('TopK: key already exists');
  const k = longLong(argv[2]);
  if (k === null || k < 1) throw err('TopK: invalid k');
  let width = DEFAULT_WIDTH;
  let depth = DEFAULT_DEPTH;
  let decay = DEFAULT_DECAY;
  if (argv.length === 6) {
    const w = longLong(argv[3]);
    if (w === null || w < 1 || w > UINT32_MAX) throw err('TopK: invalid width');
    const d = longLong(argv[4]);
    if (d === null || d < 1 || d > UINT32_MAX) throw err('TopK: invalid depth');
    const y = parseDouble(argv[5]);
    if (y === null || !(y > 0 && y <= 1)) throw err("TopK: invalid decay value. must be '<= 1' & '> 0'");
    [width, depth, decay] = [w, d, y];
  }
  // k is kept in 32 bits by the module; a structure past 512 MiB is refused rather than allocated.
  // The structure's random stream: the cache's seed mixed with the key, the same on replicas.
  const seed = murmurHash2(toBuffer(argv[1]), (config(ctx).seed ?? 0) >>> 0);
  const topk = k > UINT32_MAX ? null : TopK.create(k, width, depth, decay, seed);
  if (topk === null) throw err('ERR Insufficient memory to create topk data structure');
  ctx.db.set(key, topk);
  ctx.changed(key);
  return OK;
});

function addAll(ctx: CommandContext, key: string, topk: TopK, pairs: ReadonlyArray<[Buffer, number]>): Reply[] {
  const out = pairs.map(([item, n]) => {
    const expelled = topk.add(item, n);
    return expelled === null ? null : itemReply(expelled);
  });
  ctx.changed(key);
  return out;
}

const add = bloomCommand('topk.add', WRITE, (ctx, argv) => {
  if (argv.length < 3) throw wrongArity('topk.add');
  const key = keyName(argv[1]);
  const topk = topkAt(ctx, key, true);
  return addAll(ctx, key, topk, argv.slice(2).map((item) => [toBuffer(item), 1]));
});

const incrby = bloomCommand('topk.incrby', WRITE, (ctx, argv) => {
  if (argv.length < 4 || argv.length % 2 === 1) throw wrongArity('topk.incrby');
  const key = keyName(argv[1]);
  const topk = topkAt(ctx, key, true);
  // The module has announced its reply array when it reads an increment, so a bad one is an
  // error element of that array (flow test_incrby). Increments are all checked first here, and a
  // bad one answers `[error]` with nothing added; the module adds the items before it and stops,
  // leaving the array shorter than announced.
  const pairs: Array<[Buffer, number]> = [];
  for (let i = 2; i < argv.length; i += 2) {
    const n = longLong(argv[i + 1]);
    if (n === null || n < 0 || n > 100000) return [err(BAD_INCREMENT)];
    pairs.push([toBuffer(argv[i]), n]);
  }
  return addAll(ctx, key, topk, pairs);
});

function perItem(name: string, flags: readonly ['readonly'] | readonly ['write'], answer: (topk: TopK, item: Buffer) => Reply): CommandSpec {
  return bloomCommand(name, flags, (ctx, argv) => {
    if (argv.length < 3) throw wrongArity(name);
    const topk = topkAt(ctx, keyName(argv[1]), false);
    return argv.slice(2).map((item) => answer(topk, toBuffer(item)));
  });
}

// Booleans in RESP3 (1/0 in RESP2), as RedisBloom's 2.6/2.8 RESP3 flow test records.
const query = perItem('topk.query', ['readonly'], (topk, item) => new BoolReply(topk.query(item)));
const count = perItem('topk.count', ['write'], (topk, item) => topk.count(item));

/** `strncasecmp(arg, "WITHCOUNT", len(arg)) == 0`: any prefix of WITHCOUNT, even empty, is accepted. */
function isWithCount(arg: Bytes): boolean {
  const text = toBuffer(arg).toString('latin1').toLowerCase();
  return text.length <= 9 && 'withcount'.startsWith(text);
}

const list = bloomCommand('topk.list', ['readonly'], (ctx, argv) => {
  if (argv.length !== 2 && argv.length !== 3) throw wrongArity('topk.list');
  const withCount = argv.length === 3;
  if (withCount && !isWithCount(argv[2])) throw err('WITHCOUNT keyword expected');
  const topk = topkAt(ctx, keyName(argv[1]), false);
  const out: Reply[] = [];
  for (const { item, count: n } of topk.list()) {
    out.push(itemReply(item));
    if (withCount) out.push(n);
  }
  return out;
});

const info = bloomCommand('topk.info', ['readonly'], (ctx, argv) => {
  if (argv.length !== 2) throw wrongArity('topk.info');
  const topk = topkAt(ctx, keyName(argv[1]), false);
  // A map in RESP3 (decay a double), as RedisBloom's 2.6/2.8 RESP3 flow test records.
  return new MapReply([
    [new StatusReply('k'), topk.k],
    [new StatusReply('width'), topk.width],
    [new StatusReply('depth'), topk.depth],
    [new StatusReply('decay'), new DoubleReply(topk.decay)],
  ]);
});

/** The Top-K commands of RedisBloom 2.8, in the module's registration order. */
export const topkCommands: readonly CommandSpec[] = [reserve, add, incrby, query, count, list, info];
