/**
 * Every command of the emulated RedisBloom 2.8, by structure: what `modules: ['RedisBloom']`
 * registers (src/modules.ts) and what docs/compat.md lists as implemented.
 */
import { bloomCommands } from './bloom.js';
import type { CommandSpec } from './command.js';
import { countMinSketchCommands } from './count-min-sketch.js';
import { cuckooCommands } from './cuckoo.js';
import { tdigestCommands } from './tdigest.js';
import { topkCommands } from './topk.js';

export const redisBloomCommands: readonly CommandSpec[] = [...bloomCommands, ...cuckooCommands, ...countMinSketchCommands, ...topkCommands, ...tdigestCommands];
