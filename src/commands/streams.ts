/**
 * Streams: XADD, XRANGE, XREAD, consumer groups …. (Being built.)
 */
import type { CommandSpec } from './command.js';

export const streamCommands: readonly CommandSpec[] = [];
