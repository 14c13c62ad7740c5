import type { CommandSpec } from './command.js';

export const clusterCommands: CommandSpec[] = [];
