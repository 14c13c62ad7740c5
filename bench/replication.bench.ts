/**
 * Replication cost: synchronous SET with high availability on (lag 0: every write reaches the
 * replica as it happens) against HA off, in the same run; and heap per key with HA on against HA
 * off (replicas share immutable string values with their primaries). Heap figures need
 * --expose-gc (bench/run.ts runs this file in a child process for them).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ManagedRedis } from '../src/index.js';
import { fmt, makeKey, makeValue, measureSync, ratio } from './lib.js';

const here = fileURLToPath(import.meta.url);

const KEYS = 200_000;
const HEAP_KEYS = 300_000;

function gc(): boolean {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) return false;
  for (let i = 0; i < 3; i++) collect();
  return true;
}

/**
 * Heap bytes per key for a cache filled with HEAP_KEYS 100-byte values; null without --expose-gc.
 * `materialized`: the replicas are keyspaces of their own (as once a replica view was opened or a
 * lag above 0 was set) rather than mirrors of their primaries.
 */
export function heapPerKey(highAvailability: boolean, materialized = false): number | null {
  if (!gc()) return null;
  const before = process.memoryUsage().heapUsed;
  const cache = new ManagedRedis({ highAvailability, activeExpiry: false });
  if (materialized) for (let s = 0; s < cache.shards.length; s++) cache.replication.replicaView(s);
  for (let i = 0; i < HEAP_KEYS; i++) {
    // Flat strings, as a protocol parser hands them over (a concatenated value is a rope until
    // something reads its bytes, which replication does: without this HA on would look smaller).
    const key = makeKey(i);
    const value = makeValue(i);
    Buffer.byteLength(key);
    Buffer.byteLength(value);
    cache.set(key, value);
  }
  gc();
  const after = process.memoryUsage().heapUsed;
  if (cache.dbsize() !== HEAP_KEYS) throw new Error('unexpected key count');
  return (after - before) / HEAP_KEYS;
}

/** Measures heap per key in a fresh process (so earlier runs do not skew it). */
function heapInChild(mode: 'off' | 'on' | 'materialized'): number {
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', here, 'heap', mode], { encoding: 'utf8' });
  return (JSON.parse(out.trim().split('\n').pop()!) as { perKey: number }).perKey;
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

  // Once a replica is observed apart from its primary it is a keyspace of its own, fed on every write.
  const view = new ManagedRedis({ highAvailability: true, activeExpiry: false });
  for (let s = 0; s < view.shards.length; s++) view.replication.replicaView(s);
  const viewSet = measureSync('sync SET, HA on, replicas materialized', KEYS, (i) => view.set(keys[i], values[i]));
  console.log(`  ${viewSet.name.padEnd(46)} ${fmt(viewSet.opsPerSec)}`);
  // Information: the target is the default lag-0 shadow above. A materialized replica is a
  // second Map of every key, written on every SET, so each write pays a second cold hash lookup.
  ratio('sync SET, materialized replicas vs HA off (information)', viewSet, bestOff, 0);

  const heapOff = heapInChild('off');
  const heapOn = heapInChild('on');
  const heapView = heapInChild('materialized');
  console.log(`  HA off: ${heapOff.toFixed(1)} B/key   HA on: ${heapOn.toFixed(1)} B/key   materialized replicas: ${heapView.toFixed(1)} B/key`);
  for (const [label, value] of [
    ['heap per key, HA on vs HA off', heapOn],
    ['heap per key, materialized replicas vs HA off', heapView],
  ] as const) {
    const r = value / heapOff;
    const ok = r <= 2.2;
    console.log(`  ${label.padEnd(46)} ${r.toFixed(2)}×  (target ≤ 2.2×)  ${ok ? 'holds' : 'MISSES'}`);
    holds &&= ok;
  }
  return holds;
}

if (process.argv[2] === 'heap') {
  const mode = process.argv[3];
  console.log(JSON.stringify({ perKey: heapPerKey(mode !== 'off', mode === 'materialized') }));
} else if (process.argv[1] !== undefined && here.endsWith(process.argv[1].split('/').pop()!)) {
  const ok = await runReplicationBench();
  console.log(ok ? 'All replication targets hold.' : 'Some replication targets miss.');
}
