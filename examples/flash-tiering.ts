/**
 * `npx tsx examples/flash-tiering.ts`: how values move between RAM and NVMe on a Flash Optimized
 * SKU, and the pitfall AMR warns about (large values pinned in RAM).
 *
 * A FlashOptimized_A250 cache, bounded to 24 MiB so the numbers stay small: each of its 6 primary
 * shards has 4 MiB, a fifth of it RAM. Writing 1,200 one-kilobyte values to one shard fills its RAM
 * first, then the least recently used values go to Flash; reading a cold value brings it back.
 * Then 100 KB values, above the 512 KB pin size lowered to 64 KB here, are kept in RAM until they
 * fill it, and writes fail with OOM although the shard's total is far below its maxmemory.
 */
import { ManagedRedis } from '../src/index.js';

const cache = new ManagedRedis({
  sku: 'FlashOptimized_A250',
  clock: 'virtual',
  maxmemoryBytes: 6 * 4 * 1024 * 1024,
  flash: { pinAboveBytes: 64 * 1024 },
});
const flash = cache.flash!;
const shard = cache.topology.slotToShard[Number(cache.execute(['CLUSTER', 'KEYSLOT', '{user}']))];
const show = (label: string) => {
  const s = flash.stats(shard);
  console.log(
    `${label.padEnd(34)} RAM ${String(s.ramUsedBytes).padStart(7)} / ${s.ramLimitBytes} B   values in RAM ${String(s.valuesInRam).padStart(4)}   on Flash ${String(s.valuesOnFlash).padStart(4)}   RAM hit ratio ${s.ramHitRatio.toFixed(2)}`,
  );
};

for (let i = 0; i < 600; i++) cache.set(`{user}:${i}`, 'x'.repeat(1000));
show('600 values (RAM fills first)');
for (let i = 600; i < 1200; i++) cache.set(`{user}:${i}`, 'x'.repeat(1000));
show('1,200 values');
console.log(`{user}:0 is on ${flash.placement('{user}:0')}, {user}:1199 in ${flash.placement('{user}:1199')}`);
cache.get('{user}:0');
show('after reading {user}:0');
console.log(`{user}:0 is in ${flash.placement('{user}:0')} again`);

cache.flushall();
const big = 'b'.repeat(100 * 1024);
for (let i = 0; ; i++) {
  try {
    cache.set(`{user}:big:${i}`, big);
  } catch (error) {
    show(`${i} pinned 100 KB values`);
    console.log(`the next write: ${(error as Error).message}`);
    break;
  }
}
cache.close();
