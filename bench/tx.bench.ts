/**
 * Transactions: MULTI/EXEC of 10 SETs through the ioredis-compatible `multi()` against
 * ioredis-mock's `multi()` (target ≥ 3×), plus a WATCH + MULTI/EXEC round and publish to one
 * subscriber for information. Default SKU (Balanced_B5) with the OSS policy; the keys of one
 * transaction share a hash tag, as they must on a cluster.
 */
import RedisMock from 'ioredis-mock';
import { ManagedRedis } from '../src/index.js';
import { fmt, makeValue, measureAsync, ratio, type Result } from './lib.js';

const TX_SIZE = 10;
const KEYS = 10_000;

export async function runTxBench(): Promise<boolean> {
  const cache = new ManagedRedis({ sku: 'Balanced_B5', clusterPolicy: 'OSS' });
  const client = cache.createClient();
  const mock = new RedisMock();
  const values = Array.from({ length: KEYS }, (_, i) => makeValue(i));
  // Transaction i writes {t<i>}:0 … {t<i>}:9 (one slot per transaction).
  const groups = Array.from({ length: KEYS / TX_SIZE }, (_, i) => Array.from({ length: TX_SIZE }, (_, j) => `{t${i}}:${j}`));

  const results: Record<string, Result> = {};
  const add = (r: Result) => {
    results[r.name] = r;
    console.log(`  ${r.name.padEnd(46)} ${fmt(r.opsPerSec)}`);
  };

  type Multi = { set(key: string, value: string): Multi; exec(): Promise<unknown> };
  const txRate = (redis: { multi(): Multi }, name: string) =>
    measureAsync(
      name,
      groups.length,
      async (i) => {
        const keys = groups[i % groups.length];
        let tx = redis.multi();
        for (let j = 0; j < TX_SIZE; j++) tx = tx.set(keys[j], values[(i * TX_SIZE + j) % KEYS]);
        await tx.exec();
      },
      1000,
    );

  console.log(`\nTransactions: MULTI/EXEC of ${TX_SIZE} SETs, 100-byte values, Balanced_B5 / OSS`);
  add(await txRate(mock as never, 'ioredis-mock multi() of 10 SETs'));
  add(await txRate(client as never, 'emulator multi() of 10 SETs'));
  add(
    await measureAsync(
      'emulator WATCH + multi() of 10 SETs',
      groups.length,
      async (i) => {
        const keys = groups[i % groups.length];
        await client.watch(keys[0]);
        let tx = client.multi();
        for (let j = 0; j < TX_SIZE; j++) tx = tx.set(keys[j], values[j]);
        await tx.exec();
      },
      1000,
    ),
  );

  const subscriber = cache.createClient();
  await subscriber.subscribe('bench');
  let received = 0;
  subscriber.on('messageBuffer', () => received++);
  add(await measureAsync('emulator publish to 1 subscriber', 20_000, () => client.publish('bench', 'payload'), 1000));

  console.log('\nRatios');
  const ok = ratio('multi() of 10 SETs vs ioredis-mock', results['emulator multi() of 10 SETs'], results['ioredis-mock multi() of 10 SETs'], 3);
  if (received === 0) console.log('  (no message was received: the publish figure is wrong)');
  await subscriber.quit();
  await client.quit();
  cache.close();
  mock.disconnect();
  return ok;
}

// Run directly: `npx tsx bench/tx.bench.ts`.
if (process.argv[1] !== undefined && /tx\.bench\.[cm]?[jt]s$/.test(process.argv[1])) {
  await runTxBench();
}
