/**
 * Sets at 10k members: SADD, SISMEMBER and SINTER (two 10k sets sharing half their members)
 * through the emulator's ioredis-compatible client against ioredis-mock on the same data, and the
 * synchronous API for information. Target (issue 3): every collection operation ≥ 3× ioredis-mock.
 */
import RedisMock from 'ioredis-mock';
import { ManagedRedis } from '../src/index.js';
import { fmt, measureAsync, measureSync, ratio, type Result } from './lib.js';

const MEMBERS = 10_000;

interface SetClient {
  sadd(key: string, ...members: string[]): Promise<unknown>;
  sismember(key: string, member: string): Promise<unknown>;
  sinter(...keys: string[]): Promise<unknown>;
  del(...keys: string[]): Promise<unknown>;
}

export async function runSetBench(): Promise<boolean> {
  const members = Array.from({ length: MEMBERS }, (_, i) => `member:${i}`);
  // The second set shares the upper half of the first and adds 5k of its own.
  const others = Array.from({ length: MEMBERS }, (_, i) => `member:${i + MEMBERS / 2}`);
  const probe = (i: number) => members[(i * 7919) % MEMBERS];

  const cache = new ManagedRedis({ sku: 'Balanced_B5', clusterPolicy: 'OSS' });
  const client = cache.createClient() as unknown as SetClient;
  const mock = new RedisMock() as unknown as SetClient & { disconnect(): void };

  const results: Record<string, Result> = {};
  const add = (r: Result) => {
    results[r.name] = r;
    console.log(`  ${r.name.padEnd(46)} ${fmt(r.opsPerSec)}`);
  };

  console.log(`\nSets: ${MEMBERS} members, Balanced_B5 / OSS`);
  for (const [name, redis] of [['ioredis-mock', mock], ['emulator client', client]] as const) {
    await redis.del('{s}a', '{s}b');
    add(await measureAsync(`${name} await sadd (10k set)`, MEMBERS, (i) => redis.sadd('{s}a', members[i]), 1000));
    await redis.sadd('{s}b', ...others);
    add(await measureAsync(`${name} await sismember`, MEMBERS, (i) => redis.sismember('{s}a', probe(i)), 1000));
    add(await measureAsync(`${name} await sinter 10k ∩ 10k`, 20, () => redis.sinter('{s}a', '{s}b'), 1500));
  }

  // The synchronous API (no promise per call), for information.
  const sync = cache as unknown as Record<string, (...args: string[]) => unknown>;
  sync.del('{s}c');
  add(measureSync('emulator sync sadd (10k set)', MEMBERS, (i) => sync.sadd('{s}c', members[i]), 1000));
  add(measureSync('emulator sync sismember', MEMBERS, (i) => sync.sismember('{s}c', probe(i)), 1000));
  add(measureSync('emulator sync sinter 10k ∩ 10k', 20, () => sync.sinter('{s}a', '{s}b'), 1500));

  console.log('\nRatios');
  let ok = true;
  const vs = (op: string, label: string) =>
    ratio(label, results[`emulator client await ${op}`], results[`ioredis-mock await ${op}`], 3);
  ok = vs('sadd (10k set)', 'async SADD (10k set) vs ioredis-mock') && ok;
  ok = vs('sismember', 'async SISMEMBER (10k set) vs ioredis-mock') && ok;
  ok = vs('sinter 10k ∩ 10k', 'async SINTER 10k ∩ 10k vs ioredis-mock') && ok;
  cache.close();
  mock.disconnect();
  return ok;
}

// Run directly: `npx tsx bench/sets.bench.ts`.
if (import.meta.url === `file://${process.argv[1]}`) {
  const ok = await runSetBench();
  console.log(ok ? '\nSet targets hold.' : '\nSome set targets miss.');
}
