/**
 * Heap bytes per key: 1M keys with 100-byte values in the emulator (high availability off) against
 * a Map holding the same data. Run with --expose-gc (bench/run.ts does).
 */
import { ManagedRedis } from '../src/index.js';
import { makeKey, makeValue } from './lib.js';

const N = 1_000_000;

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with --expose-gc');
  for (let i = 0; i < 3; i++) collect();
}

function heapPerKey(fill: () => unknown): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  const holder = fill();
  gc();
  const after = process.memoryUsage().heapUsed;
  if (holder === undefined) throw new Error('unreachable');
  return (after - before) / N;
}

const which = process.argv[2];
let perKey: number;
if (which === 'map') {
  perKey = heapPerKey(() => {
    const map = new Map<string, string>();
    for (let i = 0; i < N; i++) map.set(makeKey(i), makeValue(i));
    return map;
  });
} else {
  perKey = heapPerKey(() => {
    const cache = new ManagedRedis({ highAvailability: false, activeExpiry: false });
    for (let i = 0; i < N; i++) cache.set(makeKey(i), makeValue(i));
    return cache;
  });
}
console.log(JSON.stringify({ which, perKey }));
