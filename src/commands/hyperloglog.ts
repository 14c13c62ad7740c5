/**
 * HyperLogLog: PFADD, PFCOUNT, PFMERGE. (Being built.)
 */
import type { CommandSpec } from './command.js';

export const hyperloglogCommands: readonly CommandSpec[] = [];
