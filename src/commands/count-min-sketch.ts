/**
 * RedisBloom 2.8's Count-Min Sketch commands (`CMS.*`), registered with the module
 * (src/modules.ts). The sketch is `keyspace/types/count-min-sketch.ts`. Registered through
 * rmutil as the module does: `write deny-oom` or `readonly`, keys 1/1/1 (CMS.MERGE declares only
 * its destination). Error texts follow `rm_cms.c`.
 */
import { argIndex, bloomCommand, longLong, valueAt } from './bloom.js';
import type { CommandContext, CommandSpec } from './command.js';
import { keyName, toBuffer, type Bytes } from '../keyspace/bytes.js';
import { CountMinSketch, dimensionsFromProbability } from '../keyspace/types/count-min-sketch.js';
import { ReplyError, wrongArity } from '../protocol/errors.js';
import { parseDouble, parseInt64Big } from '../protocol/numbers.js';
import { MapReply, OK, StatusReply, type Reply } from '../protocol/reply.js';

const err = (text: string): ReplyError => new ReplyError(text);
const WRITE = ['write', 'denyoom'] as const;
const READ = ['readonly'] as const;
const UINT32_MAX = 0xffffffff;

/** `GetCMSKey`: the sketch at a key; the module's errors for a missing key or another type. */
function sketchAt(ctx: CommandContext, key: string, write: boolean): CountMinSketch {
  return valueAt(ctx, key, write, CountMinSketch, 'CMS: key does not exist');
}

/** `parseCreateArgs` for CMS.INITBYDIM / CMS.INITBYPROB. */
function dimensions(argv: readonly Bytes[], byProbability: boolean): { width: number; depth: number } {
  let width: number;
  let depth: number;
  if (!byProbability) {
    const w = longLong(argv[2]);
    if (w === null || w < 1) throw err('CMS: invalid width');
    const d = longLong(argv[3]);
    if (d === null || d < 1) throw err('CMS: invalid depth');
    width = w;
    depth = d;
  } else {
    const error = parseDouble(argv[2]);
    if (error === null || !(error > 0 && error < 1)) throw err('CMS: invalid overestimation value');
    const probability = parseDouble(argv[3]);
    if (probability === null || !(probability > 0 && probability < 1)) throw err('CMS: invalid prob value');
    ({ width, depth } = dimensionsFromProbability(error, probability));
  }
  if (width < 1 || depth < 1 || BigInt(width) > (2n ** 63n - 1n) / BigInt(depth)) throw err('CMS: invalid init arguments');
  return { width, depth };
}

function initCommand(name: string, byProbability: boolean): CommandSpec {
  return bloomCommand(name, WRITE, (ctx, argv) => {
    if (argv.length !== 4) throw wrongArity(name);
    const key = keyName(argv[1]);
    if (ctx.db.get(key, ctx.now) !== undefined) throw err('CMS: key already exists');
    const { width, depth } = dimensions(argv, byProbability);
    // The module would try to allocate any size; a sketch past 512 MiB is refused here.
    const cms = CountMinSketch.create(width, depth);
    if (cms === null) throw err('CMS: invalid init arguments');
    ctx.db.set(key, cms);
    ctx.changed(key);
    return OK;
  });
}

const incrby = bloomCommand('cms.incrby', WRITE, (ctx, argv) => {
  if (argv.length < 4 || argv.length % 2 === 1) throw wrongArity('cms.incrby');
  const key = keyName(argv[1]);
  const cms = sketchAt(ctx, key, true);
  // Every pair is parsed before any counter moves.
  const pairs: Array<[Buffer, bigint]> = [];
  for (let i = 2; i < argv.length; i += 2) {
    const value = parseInt64Big(argv[i + 1]);
    if (value === null) throw err('CMS: Cannot parse number');
    if (value < 0n) throw err('CMS: Number cannot be negative');
    pairs.push([toBuffer(argv[i]), value]);
  }
  const out: Reply[] = pairs.map(([item, value]) => {
    const estimate = cms.incrBy(item, value);
    return estimate === UINT32_MAX ? err('CMS: INCRBY overflow') : estimate;
  });
  ctx.changed(key);
  return out;
});

const query = bloomCommand('cms.query', READ, (ctx, argv) => {
  if (argv.length < 3) throw wrongArity('cms.query');
  const cms = sketchAt(ctx, keyName(argv[1]), false);
  return argv.slice(2).map((item) => cms.query(toBuffer(item)));
});

/** CMS.MERGE destination numKeys source [source …] [WEIGHTS weight [weight …]] (`parseMergeArgs`). */
const merge = bloomCommand('cms.merge', WRITE, (ctx, argv) => {
  if (argv.length < 4) throw wrongArity('cms.merge');
  const key = keyName(argv[1]);
  const dest = sketchAt(ctx, key, true);
  const numKeys = longLong(argv[2]);
  if (numKeys === null) throw err('CMS: invalid numkeys');
  if (numKeys <= 0) throw err('CMS: Number of keys must be positive');
  const rest = argv.slice(3);
  const weightsAt = argIndex(rest, 'WEIGHTS');
  if (weightsAt < 0) {
    if (numKeys !== rest.length) throw err('CMS: wrong number of keys');
  } else if (weightsAt !== numKeys || rest.length !== 1 + numKeys * 2) {
    throw err('CMS: wrong number of keys/weights');
  }
  const sources: CountMinSketch[] = [];
  const weights: bigint[] = [];
  for (let i = 0; i < numKeys; i++) {
    let weight = 1n;
    if (weightsAt >= 0) {
      const parsed = parseInt64Big(rest[numKeys + 1 + i]);
      if (parsed === null) throw err('CMS: invalid weight value');
      weight = parsed;
    }
    const source = sketchAt(ctx, keyName(rest[i]), false);
    if (source.width !== dest.width || source.depth !== dest.depth) throw err('CMS: width/depth is not equal');
    sources.push(source);
    weights.push(weight);
  }
  if (!dest.merge(sources, weights)) throw err('CMS: MERGE overflow');
  ctx.changed(key);
  return OK;
});

const info = bloomCommand('cms.info', READ, (ctx, argv) => {
  if (argv.length !== 2) throw wrongArity('cms.info');
  const cms = sketchAt(ctx, keyName(argv[1]), false);
  return new MapReply([
    [new StatusReply('width'), cms.width],
    [new StatusReply('depth'), cms.depth],
    [new StatusReply('count'), Number(cms.count())],
  ]);
});

/** The Count-Min Sketch commands of RedisBloom 2.8, in the module's registration order. */
export const countMinSketchCommands: readonly CommandSpec[] = [
  initCommand('cms.initbydim', false),
  initCommand('cms.initbyprob', true),
  incrby,
  query,
  merge,
  info,
];
