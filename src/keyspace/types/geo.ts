/**
 * Geospatial indexes on sorted sets, as Redis 7.4 builds them (geo.c, geohash.c,
 * geohash_helper.c): a point is stored as the score of its member, a 52-bit interleaved geohash of
 * its longitude (-180..180, odd bits) and latitude (-85.05112878..85.05112878, even bits).
 *
 * A radius or box search covers the centre's geohash cell and its eight neighbours at a step
 * (precision) estimated from the search size, reads each cell's score range from the sorted set,
 * and keeps the points whose haversine distance (earth radius 6372797.560856 m) or box offsets fit.
 * The order in which points are found (cell by cell, scores ascending) is the order Redis returns
 * when no sorting is asked for, and the order COUNT … ANY stops in.
 *
 * Numbers are formatted as Redis prints them: distances with 4 decimals (`fixedpoint_d2string`),
 * coordinates at 17 decimals with trailing zeros dropped (`addReplyHumanLongDouble`), and the
 * coordinates of the out-of-range error with `%f`.
 */
import type { ZSet } from './zset.js';
import { firstInScoreRange } from './zset.js';
import { asin, cos, sin } from './geo-math.js';
import { pqsort } from './pqsort.js';

export { pqsort };

export const GEO_STEP_MAX = 26;
export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;
export const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;
const D_R = Math.PI / 180.0;

const deg2rad = (ang: number): number => ang * D_R;
const rad2deg = (ang: number): number => ang / D_R;

// ---------------------------------------------------------------------------------------------
// Bit interleaving on 64-bit values held as BigInt (search cells) or as two 32-bit halves (points)

const TWO32 = 4294967296;

/** Spreads the low 16 bits of `v` to the even bits of a 32-bit word. */
function spread16(v: number): number {
  v &= 0xffff;
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  v = (v | (v << 1)) & 0x55555555;
  return v >>> 0;
}

/** Gathers the even bits of a 32-bit word into 16 bits. */
function compact16(v: number): number {
  v &= 0x55555555;
  v = (v | (v >>> 1)) & 0x33333333;
  v = (v | (v >>> 2)) & 0x0f0f0f0f;
  v = (v | (v >>> 4)) & 0x00ff00ff;
  v = (v | (v >>> 8)) & 0x0000ffff;
  return v >>> 0;
}

/** `interleave64(x, y)`: x (latitude) in the even bits, y (longitude) in the odd bits. */
function interleave(x: number, y: number): bigint {
  const lo = (spread16(x) | (spread16(y) << 1)) >>> 0;
  const hi = (spread16(x >>> 16) | (spread16(y >>> 16) << 1)) >>> 0;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** The 64-bit pattern C's `(uint64_t)score` gives for a double (x86-64 semantics for odd inputs). */
function scoreBits(score: number): bigint {
  if (score >= 0 && score < 2 ** 64) return BigInt(Math.trunc(score));
  if (score < 0 && score > -(2 ** 63)) return BigInt(Math.trunc(score)) & 0xffffffffffffffffn;
  if (score >= 2 ** 64) return 0n;
  return 0x8000000000000000n; // NaN, -inf and values below -2^63
}

/** A geohash cell: `bits` at `step` bits per coordinate (`GeoHashBits`). */
export interface HashBits {
  bits: bigint;
  step: number;
}

export interface Range {
  min: number;
  max: number;
}

export interface Area {
  longitude: Range;
  latitude: Range;
}

const COORD_LONG: Range = { min: GEO_LONG_MIN, max: GEO_LONG_MAX };
const COORD_LAT: Range = { min: GEO_LAT_MIN, max: GEO_LAT_MAX };
const STANDARD_LAT: Range = { min: -90, max: 90 };

/** `geohashEncode`; null where Redis returns 0 (outside the supported constraints). */
export function geohashEncode(
  longRange: Range,
  latRange: Range,
  longitude: number,
  latitude: number,
  step: number,
): HashBits | null {
  if (step > 32 || step === 0) return null;
  if (longitude > GEO_LONG_MAX || longitude < GEO_LONG_MIN || latitude > GEO_LAT_MAX || latitude < GEO_LAT_MIN) {
    return null;
  }
  if (latitude < latRange.min || latitude > latRange.max || longitude < longRange.min || longitude > longRange.max) {
    return null;
  }
  let latOffset = (latitude - latRange.min) / (latRange.max - latRange.min);
  let longOffset = (longitude - longRange.min) / (longRange.max - longRange.min);
  latOffset *= 2 ** step;
  longOffset *= 2 ** step;
  // Conversion to uint32_t truncates.
  return { bits: interleave(Math.trunc(latOffset) >>> 0, Math.trunc(longOffset) >>> 0), step };
}

/** The 52-bit score of a point (`geohashEncodeWGS84` at step 26, `geohashAlign52Bits`), as the double ZADD stores. */
export function encodeScore(longitude: number, latitude: number): number {
  // geohashEncode at step 26 without BigInt: the offsets are below 2^27, the result below 2^54.
  const latOffset = ((latitude - COORD_LAT.min) / (COORD_LAT.max - COORD_LAT.min)) * 2 ** GEO_STEP_MAX;
  const longOffset = ((longitude - COORD_LONG.min) / (COORD_LONG.max - COORD_LONG.min)) * 2 ** GEO_STEP_MAX;
  const x = Math.trunc(latOffset) >>> 0;
  const y = Math.trunc(longOffset) >>> 0;
  const lo = (spread16(x) | (spread16(y) << 1)) >>> 0;
  const hi = (spread16(x >>> 16) | (spread16(y >>> 16) << 1)) >>> 0;
  return hi * TWO32 + lo; // one rounding, as ZADD's strtod of the decimal bits
}

/** `geohashDecode` of a cell in the given ranges. */
function geohashDecode(longRange: Range, latRange: Range, hash: HashBits): Area {
  const bits = hash.bits & 0xffffffffffffffffn;
  const hi = Number(bits >> 32n);
  const lo = Number(bits & 0xffffffffn);
  const ilato = (compact16(lo) | (compact16(hi) << 16)) >>> 0;
  const ilono = (compact16(lo >>> 1) | (compact16(hi >>> 1) << 16)) >>> 0;
  return decodeParts(longRange, latRange, ilato, ilono, hash.step);
}

function decodeParts(longRange: Range, latRange: Range, ilato: number, ilono: number, step: number): Area {
  const latScale = latRange.max - latRange.min;
  const longScale = longRange.max - longRange.min;
  const div = 2 ** step;
  // (ilato + 1) is uint32_t arithmetic in Redis.
  const latNext = (ilato + 1) % TWO32;
  const lonNext = (ilono + 1) % TWO32;
  return {
    latitude: {
      min: latRange.min + ((ilato * 1.0) / div) * latScale,
      max: latRange.min + ((latNext * 1.0) / div) * latScale,
    },
    longitude: {
      min: longRange.min + ((ilono * 1.0) / div) * longScale,
      max: longRange.min + ((lonNext * 1.0) / div) * longScale,
    },
  };
}

/** The centre of a decoded area, clamped to the supported constraints (`geohashDecodeAreaToLongLat`). */
function areaCentre(area: Area): [number, number] {
  let x = (area.longitude.min + area.longitude.max) / 2;
  if (x > GEO_LONG_MAX) x = GEO_LONG_MAX;
  if (x < GEO_LONG_MIN) x = GEO_LONG_MIN;
  let y = (area.latitude.min + area.latitude.max) / 2;
  if (y > GEO_LAT_MAX) y = GEO_LAT_MAX;
  if (y < GEO_LAT_MIN) y = GEO_LAT_MIN;
  return [x, y];
}

/** `decodeGeohash(score)`: the longitude and latitude a score stands for (always decodable at step 26). */
export function decodeScore(score: number): [number, number] {
  let hi: number;
  let lo: number;
  if (score >= 0 && score < 2 ** 53) {
    const t = Math.trunc(score);
    hi = Math.floor(t / TWO32);
    lo = t - hi * TWO32;
  } else {
    const bits = scoreBits(score);
    hi = Number(bits >> 32n);
    lo = Number(bits & 0xffffffffn);
  }
  const ilato = (compact16(lo) | (compact16(hi) << 16)) >>> 0;
  const ilono = (compact16(lo >>> 1) | (compact16(hi >>> 1) << 16)) >>> 0;
  return areaCentre(decodeParts(COORD_LONG, COORD_LAT, ilato, ilono, GEO_STEP_MAX));
}

const GEO_ALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';

/** GEOHASH's 11-character standard geohash of a stored score (re-encoded with latitude -90..90). */
export function geohashString(score: number): string {
  const [x, y] = decodeScore(score);
  const hash = geohashEncode(COORD_LONG, STANDARD_LAT, x, y, 26);
  const bits = hash === null ? 0n : hash.bits;
  let out = '';
  for (let i = 0; i < 11; i++) {
    const idx = i === 10 ? 0 : Number((bits >> BigInt(52 - (i + 1) * 5)) & 0x1fn);
    out += GEO_ALPHABET[idx];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Distances

/** `geohashGetLatDistance`. */
function latDistance(lat1d: number, lat2d: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(deg2rad(lat2d) - deg2rad(lat1d));
}

/** `geohashGetDistance`: haversine great-circle distance in meters. */
export function geoDistance(lon1d: number, lat1d: number, lon2d: number, lat2d: number): number {
  const lon1r = deg2rad(lon1d);
  const lon2r = deg2rad(lon2d);
  const v = sin((lon2r - lon1r) / 2);
  if (v === 0.0) return latDistance(lat1d, lat2d);
  const lat1r = deg2rad(lat1d);
  const lat2r = deg2rad(lat2d);
  const u = sin((lat2r - lat1r) / 2);
  const a = u * u + cos(lat1r) * cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * asin(Math.sqrt(a));
}

// ---------------------------------------------------------------------------------------------
// Search shapes and the nine cells

/** A search area (`GeoShape`): centre, and a radius or a width × height box, in `conversion` units. */
export interface GeoShape {
  /** Longitude and latitude of the centre. */
  xy: [number, number];
  /** Meters per unit. */
  conversion: number;
  circular: boolean;
  radius: number;
  width: number;
  height: number;
}

/** `geohashEstimateStepsByRadius`. */
function estimateSteps(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

/** `geohashBoundingBox`: [min lon, min lat, max lon, max lat]. */
function boundingBox(shape: GeoShape): [number, number, number, number] {
  const [longitude, latitude] = shape.xy;
  const height = shape.conversion * (shape.circular ? shape.radius : shape.height / 2);
  const width = shape.conversion * (shape.circular ? shape.radius : shape.width / 2);
  const latDelta = rad2deg(height / EARTH_RADIUS_IN_METERS);
  const longDeltaTop = rad2deg(width / EARTH_RADIUS_IN_METERS / cos(deg2rad(latitude + latDelta)));
  const longDeltaBottom = rad2deg(width / EARTH_RADIUS_IN_METERS / cos(deg2rad(latitude - latDelta)));
  const southern = latitude < 0;
  return [
    southern ? longitude - longDeltaBottom : longitude - longDeltaTop,
    latitude - latDelta,
    southern ? longitude + longDeltaBottom : longitude + longDeltaTop,
    latitude + latDelta,
  ];
}

const MASK64 = 0xffffffffffffffffn;
const ODD64 = 0xaaaaaaaaaaaaaaaan;
const EVEN64 = 0x5555555555555555n;

function moveX(hash: HashBits, d: number): HashBits {
  if (d === 0) return hash;
  const shift = BigInt(64 - hash.step * 2);
  let x = hash.bits & ODD64;
  const y = hash.bits & EVEN64;
  const zz = EVEN64 >> shift;
  if (d > 0) x = (x + (zz + 1n)) & MASK64;
  else {
    x = x | zz;
    x = (x - (zz + 1n)) & MASK64;
  }
  x &= ODD64 >> shift;
  return { bits: x | y, step: hash.step };
}

function moveY(hash: HashBits, d: number): HashBits {
  if (d === 0) return hash;
  const shift = BigInt(64 - hash.step * 2);
  const x = hash.bits & ODD64;
  let y = hash.bits & EVEN64;
  const zz = ODD64 >> shift;
  if (d > 0) y = (y + (zz + 1n)) & MASK64;
  else {
    y = y | zz;
    y = (y - (zz + 1n)) & MASK64;
  }
  y &= EVEN64 >> shift;
  return { bits: x | y, step: hash.step };
}

const ZERO: HashBits = { bits: 0n, step: 0 };

/**
 * `geohashCalculateAreasByShapeWGS84`: the centre cell and its neighbours in Redis's search order
 * (self, N, S, E, W, NE, NW, SE, SW); a neighbour the search cannot need is the zero cell.
 */
export function searchCells(shape: GeoShape): HashBits[] {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(shape);
  const [longitude, latitude] = shape.xy;
  let radiusMeters = shape.circular
    ? shape.radius
    : Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2));
  radiusMeters *= shape.conversion;
  let steps = estimateSteps(radiusMeters, latitude);

  const cellsAt = (step: number): { hash: HashBits; n: HashBits[]; area: Area } => {
    const hash = geohashEncode(COORD_LONG, COORD_LAT, longitude, latitude, step) ?? { bits: 0n, step };
    const east = moveX(hash, 1);
    const west = moveX(hash, -1);
    const south = moveY(hash, -1);
    const north = moveY(hash, 1);
    const northWest = moveY(moveX(hash, -1), 1);
    const southWest = moveY(moveX(hash, -1), -1);
    const northEast = moveY(moveX(hash, 1), 1);
    const southEast = moveY(moveX(hash, 1), -1);
    return {
      hash,
      // north, south, east, west, north_east, north_west, south_east, south_west
      n: [north, south, east, west, northEast, northWest, southEast, southWest],
      area: geohashDecode(COORD_LONG, COORD_LAT, hash),
    };
  };

  let cells = cellsAt(steps);
  const [north, south, east, west] = cells.n;
  let decrease = false;
  if (geohashDecode(COORD_LONG, COORD_LAT, north).latitude.max < maxLat) decrease = true;
  if (geohashDecode(COORD_LONG, COORD_LAT, south).latitude.min > minLat) decrease = true;
  if (geohashDecode(COORD_LONG, COORD_LAT, east).longitude.max < maxLon) decrease = true;
  if (geohashDecode(COORD_LONG, COORD_LAT, west).longitude.min > minLon) decrease = true;
  if (steps > 1 && decrease) {
    steps--;
    cells = cellsAt(steps);
  }
  const n = cells.n.slice();
  const area = cells.area;
  if (steps >= 2) {
    // Indexes: 0 north, 1 south, 2 east, 3 west, 4 NE, 5 NW, 6 SE, 7 SW.
    if (area.latitude.min < minLat) n[1] = n[7] = n[6] = ZERO;
    if (area.latitude.max > maxLat) n[0] = n[4] = n[5] = ZERO;
    if (area.longitude.min < minLon) n[3] = n[7] = n[5] = ZERO;
    if (area.longitude.max > maxLon) n[2] = n[6] = n[4] = ZERO;
  }
  return [cells.hash, ...n];
}

/** A point found by a search. */
export interface GeoPoint {
  member: string;
  score: number;
  longitude: number;
  latitude: number;
  /** Meters from the centre (the caller divides by the unit). */
  dist: number;
}

/**
 * `geohashGetDistance` with V8's own sin, cos and asin: within about 1e-8 relative of the exact
 * result (the worst case near antipodes), used only to reject points clearly outside a search.
 */
function roughDistance(lon1d: number, lat1d: number, lon2d: number, lat2d: number): number {
  const v = Math.sin((deg2rad(lon2d) - deg2rad(lon1d)) / 2);
  if (v === 0.0) return latDistance(lat1d, lat2d);
  const lat1r = deg2rad(lat1d);
  const lat2r = deg2rad(lat2d);
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
}

/** True when a distance limit is certainly exceeded, judged from the rough distance. */
function clearlyBeyond(rough: number, limit: number): boolean {
  return rough > limit * (1 + 1e-6) + 1e-6;
}

/** `geoWithinShape`: the point of `score` with its distance when inside the shape, else null. */
function withinShape(shape: GeoShape, member: string, score: number): GeoPoint | null {
  const [x, y] = decodeScore(score);
  const [cx, cy] = shape.xy;
  let dist: number;
  if (shape.circular) {
    const radius = shape.radius * shape.conversion;
    if (clearlyBeyond(roughDistance(cx, cy, x, y), radius)) return null;
    dist = geoDistance(cx, cy, x, y);
    if (dist > radius) return null;
  } else {
    const widthM = shape.width * shape.conversion;
    const heightM = shape.height * shape.conversion;
    if (latDistance(y, cy) > heightM / 2) return null;
    if (clearlyBeyond(roughDistance(x, y, cx, y), widthM / 2)) return null;
    if (geoDistance(x, y, cx, y) > widthM / 2) return null;
    dist = geoDistance(cx, cy, x, y);
  }
  return { member, score, longitude: x, latitude: y, dist };
}

/**
 * `membersOfAllNeighbors`: the points of `zset` inside `shape`, in the order Redis finds them.
 * With `limit` (COUNT … ANY) the search stops once that many are found.
 */
export function pointsInShape(zset: ZSet, shape: GeoShape, limit: number): GeoPoint[] {
  const cells = searchCells(shape);
  const found: GeoPoint[] = [];
  let last = -1;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (cell.bits === 0n && cell.step === 0) continue;
    if (last >= 0 && cells[last].bits === cell.bits && cells[last].step === cell.step) continue;
    if (found.length > 0 && limit > 0 && found.length >= limit) break;
    const shift = BigInt(52 - cell.step * 2);
    const min = Number((cell.bits << shift) & MASK64);
    const max = Number(((cell.bits + 1n) << shift) & MASK64);
    collectRange(zset, min, max, shape, found, limit);
    last = i;
  }
  return found;
}

/** `geoGetPointsInRange`: scores in [min, max). */
function collectRange(zset: ZSet, min: number, max: number, shape: GeoShape, out: GeoPoint[], limit: number): void {
  const first = firstInScoreRange(zset, { min, max, minex: false, maxex: true });
  if (first < 0) return;
  zset.tree.forEachFrom(first, false, (member, score) => {
    if (!(score < max)) return false;
    const point = withinShape(shape, member, score);
    if (point !== null) out.push(point);
    if (out.length > 0 && limit > 0 && out.length >= limit) return false;
  });
}

/**
 * Sorts found points by distance (ascending, or descending with `desc`) as Redis does: a full
 * (stable) sort when every point is returned, `pqsort` of the first `count` otherwise.
 */
export function sortPoints(points: GeoPoint[], desc: boolean, count: number): void {
  const asc = (p: GeoPoint, q: GeoPoint): number => (p.dist > q.dist ? 1 : p.dist === q.dist ? 0 : -1);
  const cmp = desc ? (p: GeoPoint, q: GeoPoint): number => -asc(p, q) : asc;
  if (count >= points.length) points.sort(cmp);
  else pqsort(points, cmp, 0, count - 1);
}

// ---------------------------------------------------------------------------------------------
// Number formatting

/** Rounds half to even (`llrint` in the default rounding mode). */
function rint(x: number): number {
  const r = Math.round(x);
  if (Math.abs(x - Math.trunc(x)) === 0.5) return 2 * Math.round(x / 2);
  return r;
}

/** `fixedpoint_d2string(d, 4)`: a distance with 4 decimals (scaled, rounded half to even). */
export function formatDistance(d: number): string {
  if (d === 0) return '0.0000';
  const scaled = rint(d * 10000);
  if (!Number.isFinite(scaled) || Math.abs(scaled) >= 2 ** 63) return '-922337203685477.5808';
  let value = BigInt(scaled);
  let sign = '';
  if (value < 0n) {
    sign = '-';
    value = -value;
  }
  const digits = value.toString().padStart(5, '0');
  return `${sign}${digits.slice(0, -4)}.${digits.slice(-4)}`;
}

/**
 * The exact decimal value of a double rounded (half to even, as glibc's printf) to `places`
 * decimals: sign, integer digits, '.', `places` digits. For `%f` and `%.17Lf`.
 */
export function exactFixed(x: number, places: number): string {
  if (Number.isNaN(x)) return x < 0 ? '-nan' : 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  const negative = x < 0 || Object.is(x, -0);
  x = Math.abs(x);
  // x = mantissa × 2^exp exactly.
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const hi = buf.getUint32(0);
  const lo = buf.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) exp = -1074;
  else {
    mantissa |= 1n << 52n;
    exp = biased - 1075;
  }
  const scale = 10n ** BigInt(places);
  let scaled: bigint;
  if (exp >= 0) scaled = (mantissa << BigInt(exp)) * scale;
  else {
    const num = mantissa * scale;
    const den = 1n << BigInt(-exp);
    scaled = num / den;
    const rem = num - scaled * den;
    const twice = rem * 2n;
    if (twice > den || (twice === den && (scaled & 1n) === 1n)) scaled += 1n;
  }
  const digits = scaled.toString().padStart(places + 1, '0');
  const intPart = digits.slice(0, digits.length - places);
  const frac = digits.slice(digits.length - places);
  return `${negative ? '-' : ''}${intPart}${places > 0 ? `.${frac}` : ''}`;
}

/** `%f`. */
export function formatF(x: number): string {
  return exactFixed(x, 6);
}

/** `ld2string(…, LD_STR_HUMAN)` of a double: `%.17Lf` without trailing zeros (and "-0" as "0"). */
export function formatHuman(x: number): string {
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  let s = exactFixed(x, 17);
  if (s.includes('.')) {
    s = s.replace(/0+$/, '');
    if (s.endsWith('.')) s = s.slice(0, -1);
  }
  if (s === '-0') s = '0';
  return s;
}
