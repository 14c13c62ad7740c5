/**
 * String GET/SET: the emulator's synchronous API against lru-cache and a Map, and its async
 * ioredis-compatible client against ioredis-mock; pipelines of 1000. 200k keys, 100-byte values,
 * default SKU (Balanced_B5) with the OSS policy.
 */
import { LRUCache } from 'lru-cache';
import RedisMock from 'ioredis-mock';
import { ManagedRedis } from '../src/index.js';
import { fmt, makeKey, makeValue, measureAsync, measureSync, ratio, type Result } from './lib.js';

const KEYS = 200_000;
const TTL_SECONDS = 3600;

export async function runStringBench(): Promise<boolean> {
  const keys = Array.from({ length: KEYS }, (_, i) => makeKey(i));
  const values = Array.from({ length: KEYS }, (_, i) => makeValue(i));
  const mask = (i: number) => i % KEYS;

  const cache = new ManagedRedis({ sku: 'Balanced_B5', clusterPolicy: 'OSS' });
  const lru = new LRUCache<string, string>({ max: KEYS * 2, ttl: TTL_SECONDS * 1000 });
  const map = new Map<string, string>();

  const results: Record<string, Result> = {};
  const add = (r: Result) => {
    results[r.name] = r;
    console.log(`  ${r.name.padEnd(46)} ${fmt(r.opsPerSec)}`);
  };

  console.log(`\nStrings: ${KEYS} keys, 100-byte values, Balanced_B5 / OSS (2 shards)`);
  add(measureSync('Map.set', KEYS, (i) => map.set(keys[i], values[i])));
  add(measureSync('lru-cache set (ttl)', KEYS, (i) => lru.set(keys[i], values[i])));
  add(measureSync('emulator sync SET … EX', KEYS, (i) => cache.set(keys[i], values[i], 'EX', TTL_SECONDS)));
  add(measureSync('emulator sync SET', KEYS, (i) => cache.set(keys[i], values[i])));
  add(measureSync('Map.get', KEYS, (i) => map.get(keys[i])));
  add(measureSync('lru-cache get (ttl)', KEYS, (i) => lru.get(keys[i])));
  add(measureSync('emulator sync GET', KEYS, (i) => cache.get(keys[i])));

  const client = cache.createClient();
  const mock = new RedisMock();
  // Both hold the same 200k keys: a lookup in a bigger table costs more (cache misses).
  for (let i = 0; i < KEYS; i++) await mock.set(keys[i], values[i]);
  const ASYNC_OPS = 50_000;
  const spread = (i: number) => (i * 4 + (i >> 14)) % KEYS; // 50k keys spread over all 200k
  add(await measureAsync('ioredis-mock await set', ASYNC_OPS, (i) => mock.set(keys[spread(i)], values[spread(i)]), 1000));
  add(await measureAsync('emulator client await set', ASYNC_OPS, (i) => client.set(keys[spread(i)], values[spread(i)]), 1000));
  add(await measureAsync('ioredis-mock await get', ASYNC_OPS, (i) => mock.get(keys[spread(i)]), 1000));
  add(await measureAsync('emulator client await get', ASYNC_OPS, (i) => client.get(keys[spread(i)]), 1000));
  // The floor of any in-process async cache: one awaited promise around one Map lookup, no Redis
  // semantics at all. Its ratio to ioredis-mock bounds what an async client can reach here.
  add(await measureAsync('floor: await Promise.resolve(Map.get)', ASYNC_OPS, (i) => Promise.resolve(map.get(keys[spread(i)])), 1000));
  // The same three GETs with keys drawn all over the table (a multiplicative stride): every lookup
  // misses the CPU caches, and that memory latency, the same for everyone, narrows every ratio.
  const scatter = (i: number) => (i * 7919) % KEYS;
  add(await measureAsync('scattered keys: ioredis-mock await get', ASYNC_OPS, (i) => mock.get(keys[scatter(i)]), 1000));
  add(await measureAsync('scattered keys: emulator client await get', ASYNC_OPS, (i) => client.get(keys[scatter(i)]), 1000));
  add(await measureAsync('scattered keys: floor', ASYNC_OPS, (i) => Promise.resolve(map.get(keys[scatter(i)])), 1000));

  const PIPE = 1000;
  const pipeRounds = 50;
  const pipelineRate = async (redis: { pipeline(): { get(k: string): unknown; exec(): Promise<unknown> } }, name: string) =>
    measureAsync(name, pipeRounds, async (round) => {
      const p = redis.pipeline();
      for (let j = 0; j < PIPE; j++) p.get(keys[mask(round * PIPE + j)]);
      await p.exec();
    }, 1000);
  const mockPipe = await pipelineRate(mock as never, 'ioredis-mock pipeline of 1000 GETs');
  const ourPipe = await pipelineRate(client as never, 'emulator pipeline of 1000 GETs');
  add({ name: mockPipe.name + ' (cmds)', opsPerSec: mockPipe.opsPerSec * PIPE });
  add({ name: ourPipe.name + ' (cmds)', opsPerSec: ourPipe.opsPerSec * PIPE });

  console.log('\nRatios');
  let ok = true;
  ok = ratio('sync GET vs lru-cache get', results['emulator sync GET'], results['lru-cache get (ttl)'], 0.5) && ok;
  ok = ratio('sync SET vs lru-cache set', results['emulator sync SET'], results['lru-cache set (ttl)'], 0.3) && ok;
  ok = ratio('sync SET EX vs lru-cache set (ttl)', results['emulator sync SET … EX'], results['lru-cache set (ttl)'], 0.3) && ok;
  ratio('sync GET vs Map.get (information)', results['emulator sync GET'], results['Map.get'], 0);
  ok = ratio('async GET vs ioredis-mock', results['emulator client await get'], results['ioredis-mock await get'], 3) && ok;
  ok = ratio('async SET vs ioredis-mock', results['emulator client await set'], results['ioredis-mock await set'], 3) && ok;
  ok = ratio('pipeline of 1000 vs ioredis-mock', results[ourPipe.name + ' (cmds)'], results[mockPipe.name + ' (cmds)'], 3) && ok;
  ratio('floor (awaited Map.get) vs ioredis-mock get (information)', results['floor: await Promise.resolve(Map.get)'], results['ioredis-mock await get'], 0);
  ratio('scattered keys: async GET vs ioredis-mock (information)', results['scattered keys: emulator client await get'], results['scattered keys: ioredis-mock await get'], 0);
  ratio('scattered keys: floor vs ioredis-mock (information)', results['scattered keys: floor'], results['scattered keys: ioredis-mock await get'], 0);
  cache.close();
  mock.disconnect();
  return ok;
}
