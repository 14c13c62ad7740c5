/**
 * SORT and SORT_RO. (Being built.)
 */
import type { CommandSpec } from './command.js';

export const sortCommands: readonly CommandSpec[] = [];
