/**
 * Geospatial indexes (sorted sets of geohashes): GEOADD, GEODIST, GEOHASH, GEOPOS, GEORADIUS,
 * GEORADIUSBYMEMBER and their _RO forms, GEOSEARCH, GEOSEARCHSTORE. Parsing, lookups and replies
 * live here, in Redis's order of checks (`georadiusGeneric`); the geohash arithmetic, the nine-cell
 * search, distances and number formatting are in `keyspace/types/geo.ts`.
 */
import { defineCommand, type CommandContext, type CommandSpec } from './command.js';
import { binary, isOption, keyName, keyReply, type Bytes } from '../keyspace/bytes.js';
import {
  ZADD_NX,
  ZADD_OUT_ADDED,
  ZADD_OUT_UPDATED,
  ZADD_XX,
  ZSet,
  createZset,
  zsetFromPairs,
  zsetLimits,
} from '../keyspace/types/zset.js';
import {
  GEO_LAT_MAX,
  GEO_LAT_MIN,
  GEO_LONG_MAX,
  GEO_LONG_MIN,
  decodeScore,
  encodeScore,
  formatDistance,
  formatF,
  formatHuman,
  geoDistance,
  geohashString,
  pointsInShape,
  sortPoints,
  type GeoShape,
} from '../keyspace/types/geo.js';
import { NOT_FLOAT, NOT_INTEGER, ReplyError, SYNTAX, WRONGTYPE } from '../protocol/errors.js';
import { parseInt64 } from '../protocol/numbers.js';
import { DoubleReply, NULL_ARRAY, type Reply } from '../protocol/reply.js';
import { parseScoreArg } from './zsets.js';

const ONE_KEY = { first: 1, last: 1, step: 1 } as const;

const UNSUPPORTED_UNIT = new ReplyError('ERR unsupported unit provided. please use M, KM, FT, MI');
const COULD_NOT_DECODE = new ReplyError('ERR could not decode requested zset member');
const NEED_NUMERIC_RADIUS = new ReplyError('ERR need numeric radius');
const NEED_NUMERIC_WIDTH = new ReplyError('ERR need numeric width');
const NEED_NUMERIC_HEIGHT = new ReplyError('ERR need numeric height');
const RADIUS_NEGATIVE = new ReplyError('ERR radius cannot be negative');
const BOX_NEGATIVE = new ReplyError('ERR height or width cannot be negative');
const COUNT_NOT_POSITIVE = new ReplyError('ERR COUNT must be > 0');
const ANY_NEEDS_COUNT = new ReplyError('ERR the ANY argument requires COUNT argument');

/** A coordinate as `addReplyHumanLongDouble` sends it: a double in RESP3, its text in RESP2. */
class HumanDouble extends DoubleReply {
  private readonly text: string;
  constructor(value: number) {
    super(value);
    this.text = formatHuman(value);
  }
  override toString(): string {
    return this.text;
  }
}

/** `getDoubleFromObjectOrReply`. */
function doubleArg(arg: Bytes, error: ReplyError = NOT_FLOAT): number {
  const value = parseScoreArg(arg);
  if (value === null) throw error;
  return value;
}

/** `extractLongLatOrReply`: two doubles, then the range check. */
function lonLatArgs(lonArg: Bytes, latArg: Bytes): [number, number] {
  const lon = doubleArg(lonArg);
  const lat = doubleArg(latArg);
  if (lon < GEO_LONG_MIN || lon > GEO_LONG_MAX || lat < GEO_LAT_MIN || lat > GEO_LAT_MAX) {
    throw new ReplyError(`ERR invalid longitude,latitude pair ${formatF(lon)},${formatF(lat)}`);
  }
  return [lon, lat];
}

/** `extractUnitOrReply`: meters per unit. */
function unitArg(arg: Bytes): number {
  if (isOption(arg, 'm')) return 1;
  if (isOption(arg, 'km')) return 1000;
  if (isOption(arg, 'ft')) return 0.3048;
  if (isOption(arg, 'mi')) return 1609.34;
  throw UNSUPPORTED_UNIT;
}

/** The sorted set at `key` for reading (`lookupKeyRead` + `checkType`). */
function readZset(ctx: CommandContext, key: string): ZSet | undefined {
  const value = ctx.db.read(key, ctx.now);
  if (value !== undefined && !(value instanceof ZSet)) throw WRONGTYPE;
  return value;
}

// ---------------------------------------------------------------------------------------------
// GEOADD

const geoadd = defineCommand({
  name: 'geoadd',
  arity: -5,
  flags: ['write', 'denyoom'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    let nx = false;
    let xx = false;
    let ch = false;
    let idx = 2;
    for (; idx < argv.length; idx++) {
      const arg = argv[idx];
      if (isOption(arg, 'nx')) nx = true;
      else if (isOption(arg, 'xx')) xx = true;
      else if (isOption(arg, 'ch')) ch = true;
      else break;
    }
    if ((argv.length - idx) % 3 !== 0 || (xx && nx)) throw SYNTAX;
    const elements = (argv.length - idx) / 3;
    if (elements === 0) throw SYNTAX; // ZADD without pairs
    const scores = new Array<number>(elements);
    for (let i = 0; i < elements; i++) {
      const [lon, lat] = lonLatArgs(argv[idx + i * 3], argv[idx + i * 3 + 1]);
      scores[i] = encodeScore(lon, lat);
    }

    const key = keyName(argv[1]);
    const flags = (nx ? ZADD_NX : 0) | (xx ? ZADD_XX : 0);
    const limits = zsetLimits(ctx.cache.settings);
    let zset = readZsetForWrite(ctx, key);
    if (zset === undefined) {
      if (xx) return 0;
      zset = createZset(elements, keyName(argv[idx + 2]).length, limits);
      ctx.db.set(key, zset);
    } else {
      zset.expectAdditions(elements, limits);
    }
    let added = 0;
    let updated = 0;
    for (let i = 0; i < elements; i++) {
      const result = zset.add(scores[i], keyName(argv[idx + i * 3 + 2]), flags, limits);
      if (result & ZADD_OUT_ADDED) added++;
      if (result & ZADD_OUT_UPDATED) updated++;
    }
    if (added + updated > 0) {
      ctx.changed(key, 'zadd');
      if (ctx.recording) {
        // Redis rewrites GEOADD into the ZADD it runs; that is what a replica applies.
        const effect: Bytes[] = ['zadd'];
        for (let j = 1; j < idx; j++) effect.push(argv[j]);
        for (let i = 0; i < elements; i++) effect.push(String(scores[i]), argv[idx + i * 3 + 2]);
        ctx.propagate(effect);
      }
    }
    return ch ? added + updated : added;
  },
});

/** The sorted set at `key` for a write lookup (`lookupKeyWrite`). */
function readZsetForWrite(ctx: CommandContext, key: string): ZSet | undefined {
  const value = ctx.db.get(key, ctx.now);
  if (value !== undefined && !(value instanceof ZSet)) throw WRONGTYPE;
  return value;
}

// ---------------------------------------------------------------------------------------------
// GEOHASH GEOPOS GEODIST

const geohash = defineCommand({
  name: 'geohash',
  arity: -2,
  flags: ['readonly'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const zset = readZset(ctx, keyName(argv[1]));
    const out: Reply[] = [];
    for (let j = 2; j < argv.length; j++) {
      const score = zset?.score(keyName(argv[j]));
      out.push(score === undefined ? null : geohashString(score));
    }
    return out;
  },
});

const geopos = defineCommand({
  name: 'geopos',
  arity: -2,
  flags: ['readonly'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    const zset = readZset(ctx, keyName(argv[1]));
    const out: Reply[] = [];
    for (let j = 2; j < argv.length; j++) {
      const score = zset?.score(keyName(argv[j]));
      if (score === undefined) out.push(NULL_ARRAY);
      else {
        const [x, y] = decodeScore(score);
        out.push([new HumanDouble(x), new HumanDouble(y)]);
      }
    }
    return out;
  },
});

const geodist = defineCommand({
  name: 'geodist',
  arity: -4,
  flags: ['readonly'],
  keys: ONE_KEY,
  exec(ctx, argv) {
    let toMeter = 1;
    if (argv.length === 5) toMeter = unitArg(argv[4]);
    else if (argv.length > 5) throw SYNTAX;
    const zset = readZset(ctx, keyName(argv[1]));
    if (zset === undefined) return null;
    const s1 = zset.score(keyName(argv[2]));
    const s2 = zset.score(keyName(argv[3]));
    if (s1 === undefined || s2 === undefined) return null;
    const [x1, y1] = decodeScore(s1);
    const [x2, y2] = decodeScore(s2);
    return formatDistance(geoDistance(x1, y1, x2, y2) / toMeter);
  },
});

// ---------------------------------------------------------------------------------------------
// GEORADIUS GEORADIUSBYMEMBER GEOSEARCH GEOSEARCHSTORE (`georadiusGeneric`)

const RADIUS_COORDS = 1;
const RADIUS_MEMBER = 2;
const RADIUS_NOSTORE = 4;
const GEOSEARCH = 8;
const GEOSEARCHSTORE = 16;

const SORT_NONE = 0;
const SORT_ASC = 1;
const SORT_DESC = 2;

/** `extractDistanceOrReply`: radius (in units) and meters per unit. */
function distanceArgs(argv: readonly Bytes[], at: number): [number, number] {
  const radius = doubleArg(argv[at], NEED_NUMERIC_RADIUS);
  if (radius < 0) throw RADIUS_NEGATIVE;
  return [radius, unitArg(argv[at + 1])];
}

function georadiusGeneric(ctx: CommandContext, argv: readonly Bytes[], srcKeyIndex: number, flags: number): Reply {
  let storeKey: Bytes | null = null;
  let storeDist = false;
  const zset = readZset(ctx, keyName(argv[srcKeyIndex]));

  const shape: GeoShape = { xy: [0, 0], conversion: 1, circular: true, radius: 0, width: 0, height: 0 };
  let baseArgs: number;
  if (flags & RADIUS_COORDS) {
    baseArgs = 6;
    shape.xy = lonLatArgs(argv[2], argv[3]);
    [shape.radius, shape.conversion] = distanceArgs(argv, baseArgs - 2);
  } else if (flags & RADIUS_MEMBER && zset === undefined) {
    baseArgs = 5;
  } else if (flags & RADIUS_MEMBER) {
    baseArgs = 5;
    const score = zset!.score(keyName(argv[2]));
    if (score === undefined) throw COULD_NOT_DECODE;
    shape.xy = decodeScore(score);
    [shape.radius, shape.conversion] = distanceArgs(argv, baseArgs - 2);
  } else {
    baseArgs = 2;
    if (flags & GEOSEARCHSTORE) {
      baseArgs = 3;
      storeKey = argv[1];
    }
  }

  let withDist = false;
  let withHash = false;
  let withCoords = false;
  let fromMember = false;
  let fromLoc = false;
  let byRadius = false;
  let byBox = false;
  let sort = SORT_NONE;
  let any = false;
  let count = 0;
  const remaining = argv.length - baseArgs;
  for (let i = 0; i < remaining; i++) {
    const arg = argv[baseArgs + i];
    const at = baseArgs + i;
    if (isOption(arg, 'withdist')) withDist = true;
    else if (isOption(arg, 'withhash')) withHash = true;
    else if (isOption(arg, 'withcoord')) withCoords = true;
    else if (isOption(arg, 'any')) any = true;
    else if (isOption(arg, 'asc')) sort = SORT_ASC;
    else if (isOption(arg, 'desc')) sort = SORT_DESC;
    else if (isOption(arg, 'count') && i + 1 < remaining) {
      const n = parseInt64(argv[at + 1]);
      if (n === null) throw NOT_INTEGER;
      if (n <= 0) throw COUNT_NOT_POSITIVE;
      count = Number(n);
      i++;
    } else if (isOption(arg, 'store') && i + 1 < remaining && !(flags & RADIUS_NOSTORE) && !(flags & GEOSEARCH)) {
      storeKey = argv[at + 1];
      storeDist = false;
      i++;
    } else if (isOption(arg, 'storedist') && i + 1 < remaining && !(flags & RADIUS_NOSTORE) && !(flags & GEOSEARCH)) {
      storeKey = argv[at + 1];
      storeDist = true;
      i++;
    } else if (isOption(arg, 'storedist') && flags & GEOSEARCH && flags & GEOSEARCHSTORE) {
      storeDist = true;
    } else if (isOption(arg, 'frommember') && i + 1 < remaining && flags & GEOSEARCH && !fromLoc) {
      if (zset !== undefined) {
        const score = zset.score(keyName(argv[at + 1]));
        if (score === undefined) throw COULD_NOT_DECODE;
        shape.xy = decodeScore(score);
      }
      fromMember = true;
      i++;
    } else if (isOption(arg, 'fromlonlat') && i + 2 < remaining && flags & GEOSEARCH && !fromMember) {
      shape.xy = lonLatArgs(argv[at + 1], argv[at + 2]);
      fromLoc = true;
      i += 2;
    } else if (isOption(arg, 'byradius') && i + 2 < remaining && flags & GEOSEARCH && !byBox) {
      [shape.radius, shape.conversion] = distanceArgs(argv, at + 1);
      shape.circular = true;
      byRadius = true;
      i += 2;
    } else if (isOption(arg, 'bybox') && i + 3 < remaining && flags & GEOSEARCH && !byRadius) {
      const width = doubleArg(argv[at + 1], NEED_NUMERIC_WIDTH);
      const height = doubleArg(argv[at + 2], NEED_NUMERIC_HEIGHT);
      if (height < 0 || width < 0) throw BOX_NEGATIVE;
      shape.width = width;
      shape.height = height;
      shape.conversion = unitArg(argv[at + 3]);
      shape.circular = false;
      byBox = true;
      i += 3;
    } else {
      throw SYNTAX;
    }
  }

  if (storeKey !== null && (withDist || withHash || withCoords)) {
    const what = flags & GEOSEARCHSTORE ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS';
    throw new ReplyError(`ERR ${what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`);
  }
  if (flags & GEOSEARCH && !(fromMember || fromLoc)) {
    throw new ReplyError(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${commandName(argv[0])}`);
  }
  if (flags & GEOSEARCH && !(byRadius || byBox)) {
    throw new ReplyError(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${commandName(argv[0])}`);
  }
  if (any && count === 0) throw ANY_NEEDS_COUNT;

  if (zset === undefined) {
    if (storeKey !== null) {
      const dst = keyName(storeKey);
      if (ctx.db.delete(dst)) ctx.changed(dst, 'del');
      return 0;
    }
    return [];
  }

  if (count !== 0 && sort === SORT_NONE && !any) sort = SORT_ASC;
  const points = pointsInShape(zset, shape, any ? count : 0);
  if (points.length === 0 && storeKey === null) return [];

  const returned = count === 0 || points.length < count ? points.length : count;
  if (sort !== SORT_NONE) sortPoints(points, sort === SORT_DESC, returned);

  if (storeKey === null) {
    const options = (withDist ? 1 : 0) + (withHash ? 1 : 0) + (withCoords ? 1 : 0);
    const out: Reply[] = new Array(returned);
    for (let i = 0; i < returned; i++) {
      const p = points[i];
      const member = keyReply(p.member);
      if (options === 0) {
        out[i] = member;
        continue;
      }
      const item: Reply[] = [member];
      if (withDist) item.push(formatDistance(p.dist / shape.conversion));
      if (withHash) item.push(integerReply(p.score));
      if (withCoords) item.push([new HumanDouble(p.longitude), new HumanDouble(p.latitude)]);
      out[i] = item;
    }
    return out;
  }

  const dst = keyName(storeKey);
  if (returned === 0) {
    if (ctx.db.delete(dst)) ctx.changed(dst, 'del');
    return 0;
  }
  const members: string[] = [];
  const scores: number[] = [];
  const seen = new Set<string>();
  let longest = 0;
  for (let i = 0; i < returned; i++) {
    const p = points[i];
    if (seen.has(p.member)) continue;
    seen.add(p.member);
    members.push(p.member);
    scores.push(storeDist ? p.dist / shape.conversion : p.score);
    if (p.member.length > longest) longest = p.member.length;
  }
  const stored = zsetFromPairs(members, scores);
  stored.convertToListpackIfSmall(zsetLimits(ctx.cache.settings), longest);
  ctx.db.set(dst, stored);
  ctx.changed(dst, flags & GEOSEARCH ? 'geosearchstore' : 'georadiusstore');
  return returned;
}

/** The command name as the client typed it (Redis quotes `argv[0]` in some errors). */
function commandName(arg: Bytes): string {
  return typeof arg === 'string' ? arg : arg.toString('utf8');
}

/** `addReplyLongLong(score)`: the score truncated to an integer. */
function integerReply(score: number): number | bigint {
  const n = Math.trunc(score);
  return Number.isSafeInteger(n) ? n : BigInt(n);
}

/** GEORADIUS / GEORADIUSBYMEMBER keys: the source, and the last STORE/STOREDIST destination (`georadiusGetKeys`). */
function georadiusKeys(argv: readonly Bytes[]): number[] {
  let store = -1;
  for (let i = 5; i < argv.length; i++) {
    if ((isOption(argv[i], 'store') || isOption(argv[i], 'storedist')) && i + 1 < argv.length) {
      store = i + 1;
      i++;
    }
  }
  return store >= 0 ? [1, store] : [1];
}

const georadius = defineCommand({
  name: 'georadius',
  arity: -6,
  flags: ['write', 'denyoom', 'movablekeys'],
  keys: georadiusKeys,
  exec: (ctx, argv) => georadiusGeneric(ctx, argv, 1, RADIUS_COORDS),
});

const georadiusbymember = defineCommand({
  name: 'georadiusbymember',
  arity: -5,
  flags: ['write', 'denyoom', 'movablekeys'],
  keys: georadiusKeys,
  exec: (ctx, argv) => georadiusGeneric(ctx, argv, 1, RADIUS_MEMBER),
});

const georadiusRo = defineCommand({
  name: 'georadius_ro',
  arity: -6,
  flags: ['readonly'],
  keys: ONE_KEY,
  exec: (ctx, argv) => georadiusGeneric(ctx, argv, 1, RADIUS_COORDS | RADIUS_NOSTORE),
});

const georadiusbymemberRo = defineCommand({
  name: 'georadiusbymember_ro',
  arity: -5,
  flags: ['readonly'],
  keys: ONE_KEY,
  exec: (ctx, argv) => georadiusGeneric(ctx, argv, 1, RADIUS_MEMBER | RADIUS_NOSTORE),
});

const geosearch = defineCommand({
  name: 'geosearch',
  arity: -7,
  flags: ['readonly'],
  keys: ONE_KEY,
  exec: (ctx, argv) => georadiusGeneric(ctx, argv, 1, GEOSEARCH),
});

const geosearchstore = defineCommand({
  name: 'geosearchstore',
  arity: -8,
  flags: ['write', 'denyoom'],
  keys: { first: 1, last: 2, step: 1 },
  exec: (ctx, argv) => georadiusGeneric(ctx, argv, 2, GEOSEARCH | GEOSEARCHSTORE),
});

export const geoCommands: readonly CommandSpec[] = [
  geoadd,
  geodist,
  geohash,
  geopos,
  georadius,
  georadiusbymember,
  georadiusRo,
  georadiusbymemberRo,
  geosearch,
  geosearchstore,
];
