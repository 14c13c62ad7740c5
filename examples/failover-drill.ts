/**
 * `npx tsx examples/failover-drill.ts`: rehearses an unplanned failover of Azure Managed Redis on a
 * virtual clock, with the same outcome on every run.
 *
 * The replica of each shard applies writes 250 ms (plus up to 50 ms of seeded jitter) after the
 * primary acknowledges them. At 2.75 s shard 0's node fails: the writes its replica had not applied
 * are lost, and commands for shard 0's slots fail with ECONNREFUSED until the replica is promoted
 * 10 + 2 s later. Shard 1 keeps serving throughout; both shards run without a replica (a new one
 * would be created after 10 minutes). At 20 s the node returns and its copies resync as replicas
 * (1 s); at 25 s a planned failover moves shard 0 back (nothing lost).
 */
import { ManagedRedis, at, runScenario } from '../src/index.js';

const cache = new ManagedRedis({
  sku: 'Balanced_B5', // 2 shards on 2 nodes, HA on (AMR's default)
  clock: 'virtual',
  seed: 42,
  replication: { lag: 250, jitter: 50 },
});
await cache.ready(); // loads the xxhash64 digest

const start = cache.clock.now();
const report = runScenario(cache, {
  durationMs: 30_000,
  actions: [
    at(2_750, (c) => c.faults.failNode(0), 'node 0 fails'),
    at(20_000, (c) => c.faults.healNode(0), 'node 0 returns'),
    at(25_000, (c) => c.faults.failover(0), 'planned failover of shard 0 back to node 0'),
  ],
  workload: { everyMs: 100, command: (i) => ['SET', `order:${i}`, `placed at ${i * 100} ms`] },
});

console.log('Timeline (event bus):');
for (const event of report.events) {
  if (event.type === 'replication-lag') continue;
  const data = { ...event.data } as Record<string, unknown>;
  if (Array.isArray(data.keysLost)) data.keysLost = (data.keysLost as Buffer[]).map(String);
  if (typeof data.at === 'number') data.at = `${data.at - start} ms`; // clock times, from the start
  console.log(`  ${String(event.time - start).padStart(6)} ms  ${event.type.padEnd(28)} ${JSON.stringify(data)}`);
}

console.log('\nReport:');
console.log(`  operations acknowledged ${report.acknowledged}, failed ${report.failed}, lost ${report.lost}`);
console.log(`  downtime per shard (ms): ${report.downtimeMs.join(', ')}`);
const lost = report.ops.filter((op) => op.outcome === 'lost');
console.log(`  lost writes: ${lost.map((op) => `${op.argv[1]} (t=${op.at} ms)`).join(', ')}`);
const firstFailure = report.ops.find((op) => op.outcome === 'failed');
console.log(`  first failed command: ${firstFailure?.argv.join(' ')} → ${firstFailure?.error}`);
console.log(`  dataset digest: ${report.digest}`);
for (let shard = 0; shard < cache.shards.length; shard++) {
  cache.replication.catchUp();
  const same = cache.replication.replicaDigest(shard) === cache.replication.digest(shard);
  console.log(`  shard ${shard}: primary on node ${cache.topology.shards[shard].primaryNode}, replica in sync: ${same}`);
}
