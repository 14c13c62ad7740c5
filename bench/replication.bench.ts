/**
 * Replication cost: synchronous SET with high availability on (lag 0: every write reaches the
 * replica as it happens) against HA off, in the same run; and heap per key with HA on against HA
 * off (replicas share immutable string values with their primaries). Heap figures need
 * --expose-gc (bench/run.ts runs this file in a child process for them).
 */
import { ManagedRedis } from '../src/index.js';
import { fmt, makeKey, makeValue, measureSync, ratio } from './lib.js';

const KEYS = 200_000;
const HEAP_KEYS = 300_000;

function gc(): boolean {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) return false;
  for (let i = 0; i < 3; i++) collect();
  return true;
}

/** Heap bytes per key for a cache filled with HEAP_KEYS 100-byte values; null without --expose-gc. */
export function heapPerKey(highAvailability: boolean): number | null {
  if (!gc()) return null;
  const before = process.memoryUsage().heapUsed;
  const cache = new ManagedRedis({ highAvailability, activeExpiry: false });
  for (let i = 0; i < HEAP_KEYS; i++) cache.set(makeKey(i), makeValue(i));
  gc();
  const after = process.memoryUsage().heapUsed;
  if (cache.dbsize() !== HEAP_KEYS) throw new Error('unexpected key count');
  return (after - before) / HEAP_KEYS;
}

/** Runs the replication benchmark; returns whether every target holds. */
export async function runReplicationBench(): Promise<boolean> {
  const keys = Array.from({ length: KEYS }, (_, i) => makeKey(i));
  const values = Array.from({ length: KEYS }, (_, i) => makeValue(i));
  console.log(`\nReplication: ${KEYS} keys, 100-byte values, Balanced_B5 / OSS (2 shards)`);
  const off = new ManagedRedis({ highAvailability: false, activeExpiry: false });
  const on = new ManagedRedis({ highAvailability: true, activeExpiry: false });
  // Alternate the two so neither benefits from running second.
  const offSet = measureSync('sync SET, HA off', KEYS, (i) => off.set(keys[i], values[i]));
  const onSet = measureSync('sync SET, HA on (lag 0)', KEYS, (i) => on.set(keys[i], values[i]));
  const offSet2 = measureSync('sync SET, HA off', KEYS, (i) => off.set(keys[i], values[i]));
  const onSet2 = measureSync('sync SET, HA on (lag 0)', KEYS, (i) => on.set(keys[i], values[i]));
  const bestOff = offSet.opsPerSec > offSet2.opsPerSec ? offSet : offSet2;
  const bestOn = onSet.opsPerSec > onSet2.opsPerSec ? onSet : onSet2;
  console.log(`  ${bestOff.name.padEnd(46)} ${fmt(bestOff.opsPerSec)}`);
  console.log(`  ${bestOn.name.padEnd(46)} ${fmt(bestOn.opsPerSec)}`);
  if (on.replication.status(0).pendingEffects !== 0) throw new Error('lag 0 must leave nothing queued');
  let holds = ratio('sync SET, HA on vs HA off', bestOn, bestOff, 0.6);

  const heapOff = heapPerKey(false);
  const heapOn = heapPerKey(true);
  if (heapOff === null || heapOn === null) {
    console.log('  heap per key: run with --expose-gc to measure');
  } else {
    const r = heapOn / heapOff;
    const ok = r <= 2.2;
    console.log(`  HA off: ${heapOff.toFixed(1)} B/key   HA on: ${heapOn.toFixed(1)} B/key`);
    console.log(`  ${'heap per key, HA on vs HA off'.padEnd(46)} ${r.toFixed(2)}×  (target ≤ 2.2×)  ${ok ? 'holds' : 'MISSES'}`);
    holds &&= ok;
  }
  return holds;
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const ok = await runReplicationBench();
  console.log(ok ? 'All replication targets hold.' : 'Some replication targets miss.');
}
