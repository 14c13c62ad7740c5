/**
 * The geo commands: scores, geohashes, positions and distances to the digit (the Redis
 * documentation's Sicily examples and the 7.4.1 transcripts' formats), the nine-cell search with
 * its unsorted order, COUNT/ANY and pqsort ties, STORE/STOREDIST, errors in Redis's order,
 * replication and keyspace events, cluster routing, and a live comparison.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  decodeScore,
  encodeScore,
  exactFixed,
  formatDistance,
  formatF,
  formatHuman,
  geoDistance,
  geohashString,
  pqsort,
} from '../../src/keyspace/types/geo.js';
import { asin, cos, sin } from '../../src/keyspace/types/geo-math.js';
import type { Typed } from '../support/oracle.js';
import { describeLiveSession } from '../support/live.js';
import { harness as commandHarness, type Harness } from '../support/command-harness.js';

/** The shared command harness with this file's seed. */
const harness = (options: { resp?: 2 | 3; policy?: 'NoCluster' | 'OSS' | 'Enterprise' } = {}): Harness => commandHarness({ ...options, seed: 3 });

const bulk = (s: string): Typed => ['$', s];
const int = (n: number | string): Typed => [':', String(n)];
const err = (s: string): Typed => ['-', s];
const arr = (...items: Typed[]): Typed => ['*', items];
const strings = (...items: string[]): Typed => ['*', items.map(bulk)];
const NIL: Typed = ['_'];
const SYNTAX = err('ERR syntax error');

let h: Harness;
afterEach(() => h?.cache.close());

/** Palermo and Catania, as in the Redis documentation. */
function sicily(key = 'Sicily'): void {
  expect(h.run('GEOADD', key, '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania')).toEqual(int(2));
}

describe('geohash arithmetic and number formatting', () => {
  it('encodes a point as the 52-bit interleaved score Redis stores', () => {
    expect(encodeScore(13.361389, 38.115556)).toBe(3479099956230698);
    expect(encodeScore(15.087269, 37.502669)).toBe(3479447370796909);
    // At the edges the offsets reach 2^26: the score has bits beyond 52 (as the transcripts show).
    expect(encodeScore(180, 37.805186)).toBeGreaterThan(2 ** 52);
    expect(encodeScore(-180, -85.05112878)).toBe(0);
  });

  it('decodes scores to the centre of their cell, clamped to the supported range', () => {
    const [x, y] = decodeScore(3479099956230698);
    expect(formatHuman(x)).toBe('13.36138933897018433');
    expect(formatHuman(y)).toBe('38.11555639549629859');
    expect(decodeScore(encodeScore(180, 0))[0]).toBe(180);
    expect(decodeScore(encodeScore(0, 85.05112878))[1]).toBe(85.05112878);
  });

  it('re-encodes with latitude -90..90 for the standard 11-character geohash', () => {
    expect(geohashString(encodeScore(13.361389, 38.115556))).toBe('sqc8b49rny0');
    expect(geohashString(encodeScore(15.087269, 37.502669))).toBe('sqdtr74hyu0');
  });

  it('formats distances as fixedpoint_d2string: the scaled value rounded half to even', () => {
    expect(formatDistance(0)).toBe('0.0000');
    expect(formatDistance(166274.15156960033)).toBe('166274.1516');
    expect(formatDistance(0.00004)).toBe('0.0000');
    expect(formatDistance(0.03125)).toBe('0.0312'); // 312.5 rounds to even
    // 0.03135 × 10000 is 313.50000000000006 in doubles: 314, where printf's %.4f (7.0) gives 0.0313.
    expect(formatDistance(0.03135)).toBe('0.0314');
    expect(formatDistance(12.5)).toBe('12.5000');
  });

  it('formats coordinates with 17 decimals, trailing zeros and "-0" dropped, and %f exactly', () => {
    expect(formatHuman(180)).toBe('180');
    expect(formatHuman(-0.0000000000000000001)).toBe('0');
    expect(formatHuman(0.00000268220901489)).toBe('0.00000268220901489');
    expect(formatF(181)).toBe('181.000000');
    expect(formatF(-85.05112878)).toBe('-85.051129');
    expect(formatF(1e20)).toBe('100000000000000000000.000000');
    expect(formatF(-Infinity)).toBe('-inf');
    expect(exactFixed(0.5, 0)).toBe('0'); // half to even
    expect(exactFixed(2.5, 0)).toBe('2');
  });

  it('computes haversine distances with Redis earth radius', () => {
    const [x1, y1] = decodeScore(encodeScore(13.361389, 38.115556));
    const [x2, y2] = decodeScore(encodeScore(15.087269, 37.502669));
    expect(formatDistance(geoDistance(x1, y1, x2, y2))).toBe('166274.1516');
    // Same longitude: the latitude-only shortcut.
    expect(geoDistance(10, 0, 10, 1)).toBe(6372797.560856 * Math.abs(1 * (Math.PI / 180) - 0));
  });

  it('uses correctly rounded sin, cos and asin', () => {
    // cos(-1.3713561982762275) = 0.198120588359934971074…: the nearest double is …498, fdlibm and
    // the exact value agree on it only through the double-double evaluation.
    expect(cos(-1.3713561982762275)).toBe(0.19812058835993498);
    for (const x of [0.1, 0.5, 1, 1.5, -0.7, 3]) {
      expect(Math.abs(sin(x) - Math.sin(x))).toBeLessThanOrEqual(Math.abs(Math.sin(x)) * 2.3e-16);
      expect(Math.abs(cos(x) - Math.cos(x))).toBeLessThanOrEqual(Math.abs(Math.cos(x)) * 2.3e-16);
    }
    for (const x of [0, 0.25, 0.5, 0.999, 1]) expect(Math.abs(asin(x) - Math.asin(x))).toBeLessThanOrEqual(4.5e-16);
    expect(Number.isNaN(asin(1.5))).toBe(true);
  });

  it('pqsort sorts the requested range and leaves ties where the NetBSD quicksort puts them', () => {
    const values = [5, 3, 9, 1, 7, 3, 8, 2, 6, 4, 0, 3];
    const a = values.slice();
    pqsort(a, (x, y) => x - y, 0, 2);
    expect(a.slice(0, 3)).toEqual([0, 1, 2]);
    const b = values.slice();
    pqsort(b, (x, y) => x - y, 0, b.length - 1);
    expect(b).toEqual([...values].sort((x, y) => x - y));
  });
});

describe('GEOADD', () => {
  it('adds, updates with CH, honours NX and XX, and stores the score as ZADD would', () => {
    h = harness();
    sicily();
    expect(h.run('ZSCORE', 'Sicily', 'Palermo')).toEqual(bulk('3479099956230698'));
    expect(h.run('GEOADD', 'Sicily', 'CH', '13.361389', '38.115556', 'Palermo', '15', '37', 'Catania')).toEqual(int(1));
    expect(h.run('GEOADD', 'Sicily', 'NX', '0', '0', 'Palermo', '1', '1', 'new')).toEqual(int(1));
    expect(h.run('GEOADD', 'Sicily', 'XX', '1', '1', 'other', 'ch', '2', '2', 'new')).toEqual(SYNTAX);
    expect(h.run('GEOADD', 'Sicily', 'XX', 'CH', '2', '2', 'new', '3', '3', 'absent')).toEqual(int(1));
    expect(h.run('ZCARD', 'Sicily')).toEqual(int(3));
    expect(h.run('GEOADD', 'nokey', 'XX', '2', '2', 'm')).toEqual(int(0));
    expect(h.run('EXISTS', 'nokey')).toEqual(int(0));
  });

  it('refuses bad input before changing anything, in Redis order', () => {
    h = harness();
    expect(h.run('GEOADD', 'k', 'NX', 'XX', '1', '1', 'm')).toEqual(SYNTAX);
    expect(h.run('GEOADD', 'k', '1', '1', 'm', '2')).toEqual(SYNTAX);
    expect(h.run('GEOADD', 'k', 'NX', 'CH', 'CH')).toEqual(SYNTAX);
    expect(h.run('GEOADD', 'k', '1', '1', 'a', 'x', '1', 'b')).toEqual(err('ERR value is not a valid float'));
    expect(h.run('GEOADD', 'k', '1', '1', 'a', '181', '86', 'b')).toEqual(err('ERR invalid longitude,latitude pair 181.000000,86.000000'));
    expect(h.run('GEOADD', 'k', '13.361389', '86', 'a')).toEqual(err('ERR invalid longitude,latitude pair 13.361389,86.000000'));
    expect(h.run('EXISTS', 'k')).toEqual(int(0));
    h.run('SET', 's', 'v');
    expect(h.run('GEOADD', 's', '181', '0', 'a')).toEqual(err('ERR invalid longitude,latitude pair 181.000000,0.000000'));
    expect(h.run('GEOADD', 's', '1', '0', 'a')).toEqual(err('WRONGTYPE Operation against a key holding the wrong kind of value'));
  });

  it('replicates as the ZADD Redis rewrites it into, with the zadd event', () => {
    h = harness();
    h.run('GEOADD', 'g', 'CH', '13.361389', '38.115556', 'Palermo');
    const change = h.changes.at(-1)!;
    expect(change.events).toEqual(['zadd']);
    expect(change.effects).toEqual([['zadd', 'g', 'CH', '3479099956230698', 'Palermo']]);
    const before = h.changes.length;
    h.run('GEOADD', 'g', 'NX', '1', '1', 'Palermo');
    expect(h.changes.length).toBe(before);
  });

  it('treats __proto__ as an ordinary member', () => {
    h = harness();
    h.run('GEOADD', 'g', '1', '2', '__proto__');
    expect(h.run('GEOHASH', 'g', '__proto__', 'constructor')).toEqual(arr(bulk('s02equ04ve0'), NIL));
  });
});

describe('GEOPOS, GEOHASH, GEODIST', () => {
  it('answer as the documentation shows, with nil for missing members', () => {
    h = harness();
    sicily();
    expect(h.run('GEOPOS', 'Sicily', 'Palermo', 'Catania', 'NonExisting')).toEqual(
      arr(
        strings('13.36138933897018433', '38.11555639549629859'),
        strings('15.08726745843887329', '37.50266842333162032'),
        NIL,
      ),
    );
    expect(h.run('GEOHASH', 'Sicily', 'Palermo', 'Catania', 'x')).toEqual(arr(bulk('sqc8b49rny0'), bulk('sqdtr74hyu0'), NIL));
    expect(h.run('GEODIST', 'Sicily', 'Palermo', 'Catania')).toEqual(bulk('166274.1516'));
    expect(h.run('GEODIST', 'Sicily', 'Palermo', 'Catania', 'km')).toEqual(bulk('166.2742'));
    expect(h.run('GEODIST', 'Sicily', 'Palermo', 'Catania', 'MI')).toEqual(bulk('103.3182'));
    expect(h.run('GEODIST', 'Sicily', 'Palermo', 'Catania', 'ft')).toEqual(bulk('545518.8700'));
    expect(h.run('GEODIST', 'Sicily', 'Foo', 'Bar')).toEqual(NIL);
    expect(h.run('GEODIST', 'nokey', 'Foo', 'Bar')).toEqual(NIL);
    expect(h.run('GEOPOS', 'nokey', 'a')).toEqual(arr(NIL));
    expect(h.run('GEOHASH', 'nokey')).toEqual(arr());
  });

  it('send coordinates as RESP3 doubles and distances as bulk strings', () => {
    h = harness({ resp: 3 });
    sicily();
    expect(h.run('GEOPOS', 'Sicily', 'Palermo')).toEqual(arr(arr([',', '13.36138933897018433'], [',', '38.11555639549629859'])));
    expect(h.run('GEODIST', 'Sicily', 'Palermo', 'Catania')).toEqual(bulk('166274.1516'));
  });

  it('check the unit before the key, and the argument count', () => {
    h = harness();
    h.run('SET', 's', 'v');
    expect(h.run('GEODIST', 's', 'a', 'b', 'yards')).toEqual(err('ERR unsupported unit provided. please use M, KM, FT, MI'));
    expect(h.run('GEODIST', 's', 'a', 'b', 'km', 'x')).toEqual(SYNTAX);
    expect(h.run('GEODIST', 's', 'a', 'b')).toEqual(err('WRONGTYPE Operation against a key holding the wrong kind of value'));
    expect(h.run('GEOPOS', 's')).toEqual(err('WRONGTYPE Operation against a key holding the wrong kind of value'));
  });
});

describe('GEORADIUS and GEOSEARCH', () => {
  it('find the documented points with distances, hashes and coordinates', () => {
    h = harness();
    sicily();
    expect(h.run('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'WITHDIST')).toEqual(
      arr(arr(bulk('Palermo'), bulk('190.4424')), arr(bulk('Catania'), bulk('56.4413'))),
    );
    expect(h.run('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'WITHCOORD', 'WITHDIST', 'WITHHASH', 'ASC')).toEqual(
      arr(
        arr(bulk('Catania'), bulk('56.4413'), int('3479447370796909'), strings('15.08726745843887329', '37.50266842333162032')),
        arr(bulk('Palermo'), bulk('190.4424'), int('3479099956230698'), strings('13.36138933897018433', '38.11555639549629859')),
      ),
    );
    expect(h.run('GEORADIUSBYMEMBER', 'Sicily', 'Palermo', '200', 'km', 'DESC')).toEqual(strings('Catania', 'Palermo'));
    h.run('GEOADD', 'Sicily', '12.758489', '38.788135', 'edge1', '17.241510', '38.788135', 'edge2');
    const box = h.run('GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYBOX', '400', '400', 'km', 'ASC', 'WITHDIST');
    expect(box).toEqual(
      arr(
        arr(bulk('Catania'), bulk('56.4413')),
        arr(bulk('Palermo'), bulk('190.4424')),
        arr(bulk('edge2'), bulk('279.7403')),
        arr(bulk('edge1'), bulk('279.7405')),
      ),
    );
    expect(h.run('GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'ASC')).toEqual(strings('Catania', 'Palermo'));
    expect(h.run('GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'm')).toEqual(strings('Palermo'));
  });

  it('answer unsorted results in the order the cells are searched, and COUNT n ANY stops early', () => {
    h = harness();
    h.run('GEOADD', 'g', '0.001', '0', 'east', '-0.001', '0', 'west', '0', '0.001', 'north', '0', '-0.001', 'south', '0', '0', 'centre');
    const all = h.run('GEOSEARCH', 'g', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km');
    expect((all[1] as Typed[]).length).toBe(5);
    // Scores ascending within a cell: the unsorted order is the order of the sorted set where one cell holds them all.
    const zorder = h.run('ZRANGE', 'g', '0', '-1');
    expect(new Set((all[1] as Typed[]).map((t) => t[1]))).toEqual(new Set((zorder[1] as Typed[]).map((t) => t[1])));
    const any = h.run('GEOSEARCH', 'g', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km', 'COUNT', '2', 'ANY');
    expect(any).toEqual(['*', (all[1] as Typed[]).slice(0, 2)]);
    expect(h.run('GEOSEARCH', 'g', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km', 'COUNT', '1')).toEqual(strings('centre'));
    expect(h.run('GEOSEARCH', 'g', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km', 'COUNT', '1', 'DESC')[1]).toHaveLength(1);
  });

  it('check errors in Redis order', () => {
    h = harness();
    sicily('g');
    h.run('SET', 's', 'v');
    const WRONGTYPE = err('WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(h.run('GEORADIUS', 's', '181', '0', '1', 'km')).toEqual(WRONGTYPE);
    expect(h.run('GEORADIUS', 'g', '181', '0', '1', 'km')).toEqual(err('ERR invalid longitude,latitude pair 181.000000,0.000000'));
    expect(h.run('GEORADIUS', 'g', '15', '37', 'x', 'km')).toEqual(err('ERR need numeric radius'));
    expect(h.run('GEORADIUS', 'g', '15', '37', '-1', 'km')).toEqual(err('ERR radius cannot be negative'));
    expect(h.run('GEORADIUS', 'g', '15', '37', '1', 'yd')).toEqual(err('ERR unsupported unit provided. please use M, KM, FT, MI'));
    expect(h.run('GEORADIUS', 'g', '15', '37', '1', 'km', 'COUNT', '0')).toEqual(err('ERR COUNT must be > 0'));
    expect(h.run('GEORADIUS', 'g', '15', '37', '1', 'km', 'COUNT', 'x')).toEqual(err('ERR value is not an integer or out of range'));
    expect(h.run('GEORADIUS', 'g', '15', '37', '1', 'km', 'ANY')).toEqual(err('ERR the ANY argument requires COUNT argument'));
    expect(h.run('GEORADIUS', 'g', '15', '37', '1', 'km', 'WITHDIST', 'STORE', 'd')).toEqual(
      err('ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options'),
    );
    expect(h.run('GEORADIUS_RO', 'g', '15', '37', '1', 'km', 'STORE', 'd')).toEqual(SYNTAX);
    expect(h.run('GEORADIUSBYMEMBER', 'g', 'nope', 'x', 'km')).toEqual(err('ERR could not decode requested zset member'));
    expect(h.run('GEORADIUSBYMEMBER', 'nokey', 'nope', '1', 'km', 'BOGUS')).toEqual(SYNTAX);
    expect(h.run('GEOSEARCH', 'g', 'FROMMEMBER', 'nope', 'BYRADIUS', 'x', 'km')).toEqual(err('ERR could not decode requested zset member'));
    expect(h.run('geosearch', 'g', 'BYRADIUS', '1', 'km', 'ASC', 'WITHDIST')).toEqual(
      err('ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for geosearch'),
    );
    expect(h.run('GeoSearch', 'g', 'FROMLONLAT', '1', '1', 'ASC', 'DESC', 'ASC')).toEqual(
      err('ERR exactly one of BYRADIUS and BYBOX can be specified for GeoSearch'),
    );
    expect(h.run('GEOSEARCH', 'g', 'FROMLONLAT', '1', '1', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km')).toEqual(SYNTAX);
    expect(h.run('GEOSEARCH', 'g', 'FROMLONLAT', '1', '1', 'BYBOX', '-1', '1', 'km')).toEqual(err('ERR height or width cannot be negative'));
    expect(h.run('GEOSEARCH', 'g', 'FROMLONLAT', '1', '1', 'BYBOX', 'x', '1', 'km')).toEqual(err('ERR need numeric width'));
    expect(h.run('GEOSEARCH', 'g', 'FROMLONLAT', '1', '1', 'BYBOX', '1', 'x', 'km')).toEqual(err('ERR need numeric height'));
    expect(h.run('GEOSEARCH', 'g', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km', 'STOREDIST')).toEqual(SYNTAX);
    expect(h.run('GEOSEARCHSTORE', 'd', 'g', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km', 'WITHCOORD')).toEqual(
      err('ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options'),
    );
    // A missing source parses every option, then answers empty.
    expect(h.run('GEOSEARCH', 'nokey', 'FROMMEMBER', 'x', 'BYRADIUS', '1', 'km')).toEqual(arr());
    expect(h.run('GEORADIUSBYMEMBER', 'nokey', 'x', '1', 'km', 'WITHDIST')).toEqual(arr());
  });
});

describe('STORE, STOREDIST and GEOSEARCHSTORE', () => {
  it('store geohash scores or distances as a sorted set, with their events', () => {
    h = harness();
    sicily();
    expect(h.run('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'STORE', 'near')).toEqual(int(2));
    expect(h.run('ZRANGE', 'near', '0', '-1', 'WITHSCORES')).toEqual(
      strings('Palermo', '3479099956230698', 'Catania', '3479447370796909'),
    );
    expect(h.changes.at(-1)!.events).toEqual(['georadiusstore']);
    expect(h.run('GEOSEARCHSTORE', 'dist', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'STOREDIST', 'COUNT', '1')).toEqual(int(1));
    expect(h.changes.at(-1)!.events).toEqual(['geosearchstore']);
    const score = Number((h.run('ZSCORE', 'dist', 'Catania') as [string, string])[1]);
    expect(score).toBeCloseTo(56.4413, 4);
    expect(h.run('OBJECT', 'ENCODING', 'dist')).toEqual(bulk('listpack'));
  });

  it('delete the destination when nothing is found or the source is missing', () => {
    h = harness();
    sicily();
    h.run('SET', 'dst', 'x');
    expect(h.run('GEOSEARCHSTORE', 'dst', 'Sicily', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km')).toEqual(int(0));
    expect(h.run('EXISTS', 'dst')).toEqual(int(0));
    expect(h.changes.at(-1)!.events).toEqual(['del']);
    h.run('SET', 'dst', 'x');
    expect(h.run('GEORADIUS', 'nokey', '0', '0', '1', 'km', 'STOREDIST', 'dst')).toEqual(int(0));
    expect(h.run('EXISTS', 'dst')).toEqual(int(0));
  });

  it('route the destination with the source: CROSSSLOT under OSS, fine with a shared hash tag', () => {
    h = harness({ policy: 'OSS' });
    h.run('GEOADD', '{g}src', '15', '37', 'm');
    expect(h.run('GEOSEARCHSTORE', 'other', '{g}src', 'FROMLONLAT', '15', '37', 'BYRADIUS', '1', 'km')).toEqual(
      err("CROSSSLOT Keys in request don't hash to the same slot"),
    );
    expect(h.run('GEORADIUS', '{g}src', '15', '37', '1', 'km', 'STORE', 'other')).toEqual(
      err("CROSSSLOT Keys in request don't hash to the same slot"),
    );
    expect(h.run('GEORADIUS', '{g}src', '15', '37', '1', 'km', 'STORE', '{g}dst')).toEqual(int(1));
    expect(h.run('GEORADIUS_RO', '{g}src', '15', '37', '1', 'km')).toEqual(strings('m'));
  });
});

describeLiveSession('geo against a live redis-server', 'geo-test', (session) => {
  const { prefix } = session;

  it('answers a scripted session as redis-server does (searches, ties under COUNT, errors)', async () => {
    h = harness();
    const k = `${prefix}g`;
    const same = `${prefix}same`;
    const steps: string[][] = [
      ['GEOADD', k, '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania', '-122.27652', '37.805186', 'SF'],
      ['GEOADD', k, '180', '85.05112878', 'corner', '-180', '-85.05112878', 'other', '0', '0', 'zero'],
      ['GEOPOS', k, 'corner', 'other', 'zero', 'SF'],
      ['GEOHASH', k, 'corner', 'other', 'zero', 'SF'],
      ['GEODIST', k, 'Palermo', 'SF', 'mi'],
      ['GEODIST', k, 'corner', 'other', 'km'],
      ['GEORADIUS', k, '15', '37', '5000', 'km', 'WITHDIST', 'WITHHASH', 'WITHCOORD'],
      ['GEORADIUS', k, '0', '0', '20000', 'km', 'WITHDIST', 'DESC'],
      ['GEOSEARCH', k, 'FROMMEMBER', 'zero', 'BYBOX', '40000', '20000', 'km', 'WITHDIST'],
      ['GEOSEARCH', k, 'FROMLONLAT', '170', '80', 'BYRADIUS', '3000', 'km', 'WITHCOORD'],
      ['GEOSEARCH', k, 'FROMLONLAT', '-179.9', '-85', 'BYBOX', '100', '100', 'km'],
      ['GEOADD', same, '1', '1', 'a', '1', '1', 'b', '1', '1', 'c', '1', '1', 'd', '1', '1', 'e', '1', '1', 'f', '1', '1', 'g', '1', '1', 'h', '1.0001', '1', 'i'],
      ['GEOSEARCH', same, 'FROMLONLAT', '1', '1', 'BYRADIUS', '10', 'km', 'COUNT', '3'],
      ['GEOSEARCH', same, 'FROMLONLAT', '1', '1', 'BYRADIUS', '10', 'km', 'COUNT', '8', 'DESC'],
      ['GEOSEARCH', same, 'FROMLONLAT', '1', '1', 'BYRADIUS', '10', 'km', 'COUNT', '4', 'ANY'],
      ['GEOSEARCH', same, 'FROMLONLAT', '1', '1', 'BYRADIUS', '10', 'km', 'ASC'],
      ['GEORADIUSBYMEMBER', same, 'i', '100', 'km', 'COUNT', '2', 'WITHDIST'],
      ['GEOSEARCH', k, 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km', 'ANY'],
      ['GEOSEARCH', k, 'BYRADIUS', '1', 'km', 'FROMLONLAT', '1', '1', 'COUNT', '-3'],
      ['GEORADIUS', k, '1', '1', '1', 'km', 'STORE'],
      ['GEOADD', k, 'XX', 'NX', '1', '1', 'x'],
      ['GEOADD', k, '1', '-85.06', 'x'],
    ];
    for (const step of steps) {
      const mine = h.run(...step);
      const theirs = await session.live.call(step);
      expect(mine, step.join(' ')).toEqual(theirs);
    }
  });
});
