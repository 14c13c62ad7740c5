/**
 * Geospatial indexes (sorted sets of geohashes): GEOADD, GEODIST, GEOHASH, GEOPOS, GEORADIUS*, GEOSEARCH*. (Being built.)
 */
import type { CommandSpec } from './command.js';

export const geoCommands: readonly CommandSpec[] = [];
