import type { CommandSpec } from './command.js';

export const zsetCommands: CommandSpec[] = [];
