/**
 * Runs every benchmark side by side with the alternatives and prints ratios against the targets
 * the issues set. Figures are recorded in docs/performance.md. Not a test: nothing here fails CI.
 *
 *   npm run bench                 # everything
 *   npm run bench -- strings zsets  # some groups (strings, heap, lists, hashes, sets, zsets, …)
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));

function heapPerKey(which: 'map' | 'emulator'): number {
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(here, 'heap.bench.ts'), which], {
    encoding: 'utf8',
  });
  return (JSON.parse(out.trim().split('\n').pop()!) as { perKey: number }).perKey;
}

async function runHeapBench(): Promise<boolean> {
  console.log('\nHeap per key, 1M keys, 100-byte values (high availability off)');
  const mapBytes = heapPerKey('map');
  const ourBytes = heapPerKey('emulator');
  const ratio = ourBytes / mapBytes;
  const holds = ratio <= 1.3;
  console.log(`  Map: ${mapBytes.toFixed(1)} B/key   emulator: ${ourBytes.toFixed(1)} B/key`);
  console.log(`  heap per key vs Map                            ${ratio.toFixed(2)}×  (target ≤ 1.3×)  ${holds ? 'holds' : 'MISSES'}`);
  return holds;
}

/** Each group loads its module only when it runs, so one group can be run alone. */
const GROUPS: Record<string, () => Promise<boolean>> = {
  strings: async () => (await import('./strings.bench.js')).runStringBench(),
  heap: runHeapBench,
  lists: async () => (await import('./lists.bench.js')).runListBench(),
  hashes: async () => (await import('./hashes.bench.js')).runHashBench(),
  sets: async () => (await import('./sets.bench.js')).runSetBench(),
  zsets: async () => (await import('./zsets.bench.js')).runZsetBench(),
  tx: async () => (await import('./tx.bench.js')).runTxBench(),
  scripting: async () => (await import('./scripting.bench.js')).runScriptingBench(),
  replication: async () => (await import('./replication.bench.js')).runReplicationBench(),
};

const wanted = process.argv.slice(2).filter((a) => a in GROUPS);
console.log(`node ${process.version}, ${new Date().toISOString().slice(0, 10)}, ${wanted.length ? wanted.join(' ') : 'all groups'}`);
const missed: string[] = [];
for (const [name, run] of Object.entries(GROUPS)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  try {
    if (!(await run())) missed.push(name);
  } catch (error) {
    console.log(`\n${name}: could not run (${(error as Error).message})`);
    missed.push(name);
  }
}
console.log(`\n${missed.length === 0 ? 'All targets hold.' : `Targets missed in: ${missed.join(', ')} (see MISSES above).`}`);
process.exit(0);
