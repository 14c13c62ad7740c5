/**
 * `npx tsx examples/scale-and-restore.ts`: AMR's control-plane operations on a virtual clock.
 *
 * 1. A Balanced_B5 cache (2 shards) with RDB persistence every hour holds 1,000 orders.
 * 2. It scales to Balanced_B20: the two nodes are replaced one at a time, then the keys are
 *    resharded over 6 shards; the cache serves throughout and nothing is lost.
 * 3. A backup runs an hour after scaling; 10 more orders come after it. Then every node fails at
 *    once: each shard comes back from its snapshot, and the 10 later orders are reported lost.
 * 4. The dataset is exported as an RDB file (what AMR writes to blob storage) and imported into a
 *    new cache of another SKU.
 */
import { ManagedRedis } from '../src/index.js';

const cache = new ManagedRedis({ sku: 'Balanced_B5', clock: 'virtual', seed: 1, persistence: { rdb: '1h' } });
const start = cache.clock.now();
const ms = (t: number) => `${String(t - start).padStart(8)} ms`;
const log = (text: string) => console.log(`${ms(cache.clock.now())}  ${text}`);
for (const type of ['scaling-started', 'scaling-step', 'scaling-completed', 'rdb-snapshot', 'shard-recovered', 'rdb-exported', 'rdb-imported'] as const) {
  cache.events.on(type, (event) => {
    const { time, ...data } = event as Record<string, unknown>;
    if (Array.isArray(data.keysLost)) data.keysLost = `${(data.keysLost as Buffer[]).length} keys`;
    log(`${type.padEnd(18)} ${JSON.stringify(data)}`);
  });
}

for (let i = 0; i < 1000; i++) cache.execute(['SET', `order:${i}`, `placed ${i}`]);
log(`${cache.execute(['DBSIZE'])} keys on ${cache.shards.length} shards; may scale to: ${cache.scaling.skusForScaling().slice(0, 5).map((s) => s.name).join(', ')} …`);

const run = cache.scale({ sku: 'Balanced_B20' });
log(`status ${cache.status}; estimated end in ${((run.endsAt - run.startedAt) / 60_000).toFixed(1)} min`);
cache.clock.advance(run.endsAt - cache.clock.now());
log(`status ${cache.status}: ${cache.execute(['DBSIZE'])} keys on ${cache.shards.length} shards, ${(cache.execute(['CLUSTER', 'SLOTS']) as unknown[]).length} slot ranges`);

cache.clock.advance(3_600_000 + 60_000); // the next backup (an hour after the last one ended)
for (let i = 1000; i < 1010; i++) cache.execute(['SET', `order:${i}`, `placed ${i}`]);
for (const node of cache.topology.nodes) cache.faults.failNode(node.index);
for (const node of cache.topology.nodes) cache.faults.healNode(node.index);
log(`after losing every node: ${cache.execute(['DBSIZE'])} keys (order:1005 → ${String(cache.execute(['GET', 'order:1005']))})`);

const file = cache.exportRdb({ gzip: true });
const copy = new ManagedRedis({ sku: 'MemoryOptimized_M20', clock: 'virtual' });
copy.events.on('rdb-imported', (e) => console.log(`${' '.repeat(11)}  copy: rdb-imported ${JSON.stringify(e)}`));
copy.importRdb(file);
console.log(`${' '.repeat(11)}  copy: ${copy.execute(['GET', 'order:42'])}; ${file.length} bytes gzipped`);
