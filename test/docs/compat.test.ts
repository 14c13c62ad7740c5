import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { blockedArgv, renderCompat } from '../../scripts/gen-compat.js';
import { commandMetadata } from '../../src/commands/metadata.js';
import { buildCommandTable } from '../../src/commands/index.js';
import { ManagedRedis } from '../../src/index.js';
import { AMR_BLOCKED } from '../../scripts/compat-status.js';

describe('docs/compat.md', () => {
  it('is current with the command declarations (regenerate with npx tsx scripts/gen-compat.ts)', () => {
    const onDisk = readFileSync(new URL('../../docs/compat.md', import.meta.url), 'utf8');
    expect(onDisk).toBe(renderCompat());
  });

  it('lists as blocked only commands that answer unknown command', () => {
    const cache = new ManagedRedis({ clock: 'virtual' });
    const table = buildCommandTable();
    for (const name of Object.keys(AMR_BLOCKED)) {
      const [container, sub] = name.split('|');
      if (table.has(container) && !sub) throw new Error(`${name} is declared but listed as blocked`);
      const meta = commandMetadata(name);
      const argv = meta ? blockedArgv(meta) : name.split('|');
      expect(() => cache.execute(argv), name).toThrow(/^ERR unknown (command|subcommand)/);
    }
  });
});
