/**
 * `npx tsx examples/geo-failover.ts`: rehearses a region outage of an Azure Managed Redis active
 * geo-replication group on a virtual clock, with the same outcome on every run.
 *
 * Three linked caches (eastus, westus, northeurope) take writes in every region; cross-region lag
 * is 120 ms plus up to 40 ms of seeded jitter. At 1.9 s eastus goes down (100 ms after its last write): the writes it had not
 * shipped anywhere are lost (and counted), its clients get ECONNREFUSED, the other regions keep
 * serving and keep what they write for eastus (that metadata grows). At 6 s eastus recovers: it
 * resyncs from a peer and every region converges — counters incremented in every region add up,
 * the set keeps every member added anywhere.
 */
import { GeoReplicationGroup } from '../src/index.js';

const group = GeoReplicationGroup.create({
  nickname: 'shop',
  sku: 'Balanced_B5',
  clock: 'virtual',
  seed: 7,
  lag: 120,
  jitter: 40,
  members: [
    { name: 'shop-east', region: 'eastus' },
    { name: 'shop-west', region: 'westus' },
    { name: 'shop-europe', region: 'northeurope' },
  ],
});
await group.ready(); // loads the xxhash64 digest
group.events.record();
const [east, west, europe] = group.caches;
const start = group.clock.now();
const regions = [east, west, europe];

let refused = 0;
for (let tick = 0; tick < 80; tick++) {
  const at = tick * 100;
  if (at === 1_900) {
    const lost = group.failRegion('shop-east');
    console.log(`t=${at} ms  eastus fails: ${lost.effectsLost} writes lost (${lost.keysLost.map(String).join(', ')})`);
  }
  if (at === 4_000) {
    const held = group.status()[0];
    console.log(`t=${at} ms  peers hold ${held.undeliveredBatches} batches (${held.undeliveredBytes} bytes) for eastus; Geo Replication Healthy = ${group.healthMetric}`);
  }
  if (at === 6_000) {
    group.recoverRegion('shop-east');
    console.log(`t=${at} ms  eastus recovers and resyncs; Geo Replication Healthy = ${group.healthMetric}`);
  }
  const cache = regions[tick % 3];
  try {
    cache.execute(['INCRBY', 'orders', '1']);
    cache.execute(['SADD', 'customers', `c${tick}`]);
  } catch (error) {
    refused++;
    if (refused === 1) console.log(`t=${at} ms  a client in eastus: ${(error as Error).message}`);
  }
  group.clock.advance(100);
}
group.clock.advance(1_000);

console.log('\nGeo events:');
for (const event of group.events.history()) {
  if (event.type === 'geo-sync') continue;
  const data = { ...event.data } as Record<string, unknown>;
  if (Array.isArray(data.keysLost)) data.keysLost = (data.keysLost as Buffer[]).map(String);
  console.log(`  ${String(event.time - start).padStart(6)} ms  ${event.type.padEnd(24)} ${JSON.stringify(data)}`);
}

console.log('\nAfter convergence:');
for (const cache of regions) {
  console.log(`  ${cache.topology.hostname.padEnd(36)} orders=${String(cache.execute(['GET', 'orders']))} customers=${String(cache.execute(['SCARD', 'customers']))}`);
}
console.log(`  refused in eastus while down: ${refused}; digests equal: ${new Set(Object.values(group.digests())).size === 1}`);
group.close();
