/**
 * Bitmaps: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO. (Being built.)
 */
import type { CommandSpec } from './command.js';

export const bitmapCommands: readonly CommandSpec[] = [];
