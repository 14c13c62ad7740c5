/**
 * Runs every benchmark side by side with the alternatives and prints ratios against the targets
 * the issues set. Figures are recorded in docs/performance.md. Not a test: nothing here fails CI.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { runStringBench } from './strings.bench.js';

const here = path.dirname(fileURLToPath(import.meta.url));

function heap(which: 'map' | 'emulator'): number {
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(here, 'heap.bench.ts'), which], {
    encoding: 'utf8',
  });
  return (JSON.parse(out.trim().split('\n').pop()!) as { perKey: number }).perKey;
}

console.log(`node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
const stringsHold = await runStringBench();

console.log('\nHeap per key, 1M keys, 100-byte values (high availability off)');
const mapBytes = heap('map');
const ourBytes = heap('emulator');
const heapRatio = ourBytes / mapBytes;
const heapHolds = heapRatio <= 1.3;
console.log(`  Map: ${mapBytes.toFixed(1)} B/key   emulator: ${ourBytes.toFixed(1)} B/key`);
console.log(`  heap per key vs Map                            ${heapRatio.toFixed(2)}×  (target ≤ 1.3×)  ${heapHolds ? 'holds' : 'MISSES'}`);
console.log(`\n${stringsHold && heapHolds ? 'All targets hold.' : 'Some targets miss (see MISSES above).'}`);
