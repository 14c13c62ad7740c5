/**
 * Hash HSET/HGET at 10k fields: the emulator's synchronous API against a plain Map, and its async
 * ioredis-compatible client against ioredis-mock on the same data (one hash of 10k fields, 100-byte
 * values, default SKU Balanced_B5 with the OSS policy). Also HSET with a field TTL present in the
 * hash, HGETALL of 1k fields and HSCAN of the whole 10k, for information.
 */
import RedisMock from 'ioredis-mock';
import { ManagedRedis } from '../src/index.js';
import { fmt, makeValue, measureAsync, measureSync, ratio, type Result } from './lib.js';

const FIELDS = 10_000;

export async function runHashBench(): Promise<boolean> {
  const fields = Array.from({ length: FIELDS }, (_, i) => `field:${i}`);
  const values = Array.from({ length: FIELDS }, (_, i) => makeValue(i));

  const cache = new ManagedRedis({ sku: 'Balanced_B5', clusterPolicy: 'OSS' });
  // The typed sync methods of the hash commands (SyncCommands lists the string and key ones).
  const sync = cache as unknown as Record<'hset' | 'hget' | 'hpexpire' | 'hscan', (...args: Array<string | number>) => unknown>;
  const map = new Map<string, string>();
  const results: Record<string, Result> = {};
  const add = (r: Result) => {
    results[r.name] = r;
    console.log(`  ${r.name.padEnd(46)} ${fmt(r.opsPerSec)}`);
  };

  console.log(`\nHashes: one hash of ${FIELDS} fields, 100-byte values, Balanced_B5 / OSS`);
  add(measureSync('Map.set (field → value)', FIELDS, (i) => map.set(fields[i], values[i])));
  add(measureSync('emulator sync HSET', FIELDS, (i) => sync.hset('h', fields[i], values[i])));
  add(measureSync('Map.get', FIELDS, (i) => map.get(fields[i])));
  add(measureSync('emulator sync HGET', FIELDS, (i) => sync.hget('h', fields[i])));
  sync.hpexpire('h', 3_600_000, 'FIELDS', 1, fields[0]);
  add(measureSync('emulator sync HGET (hash with a field TTL)', FIELDS, (i) => sync.hget('h', fields[i])));
  add(measureSync('emulator sync HSET (hash with a field TTL)', FIELDS, (i) => sync.hset('h', fields[i], values[i])));

  const client = cache.createClient();
  const mock = new RedisMock();
  for (let i = 0; i < FIELDS; i++) await mock.hset('h', fields[i], values[i]);
  // ioredis-mock copies the whole hash on every HSET (under 100 ops/s at 10k fields): few ops per round.
  add(await measureAsync('ioredis-mock await hset', 100, (i) => mock.hset('h', fields[(i * 97) % FIELDS], values[i]), 1000));
  add(await measureAsync('emulator client await hset', FIELDS, (i) => client.hset('h', fields[i], values[i]), 1000));
  add(await measureAsync('ioredis-mock await hget', FIELDS, (i) => mock.hget('h', fields[i]), 1000));
  add(await measureAsync('emulator client await hget', FIELDS, (i) => client.hget('h', fields[i]), 1000));

  // Whole-hash reads, for information (1k fields so that ioredis-mock finishes in time).
  const small = fields.slice(0, 1000);
  for (const f of small) {
    sync.hset('g', f, 'v');
    await mock.hset('g', f, 'v');
  }
  add(await measureAsync('ioredis-mock await hgetall (1k fields)', 200, () => mock.hgetall('g'), 1000));
  add(await measureAsync('emulator client await hgetall (1k fields)', 200, () => client.hgetall('g'), 1000));
  add(
    measureSync('emulator sync HSCAN of 10k fields, COUNT 100', 10, () => {
      let cursor = '0';
      do cursor = (sync.hscan('h', cursor, 'COUNT', 100) as [string, unknown])[0];
      while (cursor !== '0');
    }, 1000),
  );

  console.log('\nRatios');
  let ok = true;
  ok = ratio('async HSET vs ioredis-mock', results['emulator client await hset'], results['ioredis-mock await hset'], 3) && ok;
  ok = ratio('async HGET vs ioredis-mock', results['emulator client await hget'], results['ioredis-mock await hget'], 3) && ok;
  ratio('async HGETALL 1k vs ioredis-mock (information)', results['emulator client await hgetall (1k fields)'], results['ioredis-mock await hgetall (1k fields)'], 0);
  ratio('sync HSET vs Map.set (information)', results['emulator sync HSET'], results['Map.set (field → value)'], 0);
  ratio('sync HGET vs Map.get (information)', results['emulator sync HGET'], results['Map.get'], 0);
  cache.close();
  mock.disconnect();
  client.disconnect();
  return ok;
}

// Run directly: `npx tsx bench/hashes.bench.ts`.
if (import.meta.url === `file://${process.argv[1]}`) {
  const holds = await runHashBench();
  console.log(holds ? '\nAll hash targets hold.' : '\nSome hash targets miss.');
}
