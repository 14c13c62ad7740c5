import type { CommandSpec } from './command.js';

export const introspectionCommands: CommandSpec[] = [];
