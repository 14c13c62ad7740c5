/**
 * Lists at 10k elements: LPUSH and RPOP (a queue: push at the head, pop at the tail) through the
 * emulator's ioredis-compatible client against ioredis-mock on the same data, and the synchronous
 * API against a plain JS array used as a queue (`unshift` / `pop`). LRANGE of 100 and LINDEX in the
 * middle for information. Target (issue 3): every collection operation ≥ 3× ioredis-mock.
 */
import RedisMock from 'ioredis-mock';
import { ManagedRedis } from '../src/index.js';
import { fmt, ratio, type Result } from './lib.js';

const ELEMENTS = 10_000;

interface ListClient {
  lpush(key: string, ...values: string[]): Promise<unknown>;
  rpush(key: string, ...values: string[]): Promise<unknown>;
  rpop(key: string): Promise<unknown>;
  lrange(key: string, start: number, stop: number): Promise<unknown>;
  lindex(key: string, index: number): Promise<unknown>;
  del(...keys: string[]): Promise<unknown>;
}

/** Best rate over rounds of `ops` calls, each round after an untimed `reset`. */
async function rounds(
  name: string,
  ops: number,
  reset: () => Promise<void> | void,
  body: (i: number) => Promise<unknown> | unknown,
  minMs = 1500,
): Promise<Result> {
  let best = 0;
  const start = performance.now();
  let round = 0;
  while (performance.now() - start < minMs || round < 3) {
    await reset();
    const t0 = performance.now();
    for (let i = 0; i < ops; i++) await body(i);
    const rate = ops / ((performance.now() - t0) / 1000);
    if (round > 0 && rate > best) best = rate; // round 0 warms up
    round++;
  }
  return { name, opsPerSec: best };
}

/** Same for synchronous bodies (no await per call). */
function roundsSync(name: string, ops: number, reset: () => void, body: (i: number) => unknown, minMs = 1500): Result {
  let best = 0;
  const start = performance.now();
  let round = 0;
  while (performance.now() - start < minMs || round < 3) {
    reset();
    const t0 = performance.now();
    for (let i = 0; i < ops; i++) body(i);
    const rate = ops / ((performance.now() - t0) / 1000);
    if (round > 0 && rate > best) best = rate;
    round++;
  }
  return { name, opsPerSec: best };
}

export async function runListBench(): Promise<boolean> {
  const values = Array.from({ length: ELEMENTS }, (_, i) => `job:${i}:${'x'.repeat(40)}`);
  const cache = new ManagedRedis({ sku: 'Balanced_B5', clusterPolicy: 'OSS' });
  const client = cache.createClient() as unknown as ListClient;
  const mock = new RedisMock() as unknown as ListClient & { disconnect(): void };

  const results: Record<string, Result> = {};
  const add = (r: Result): void => {
    results[r.name] = r;
    console.log(`  ${r.name.padEnd(46)} ${fmt(r.opsPerSec)}`);
  };

  console.log(`\nLists: ${ELEMENTS} elements, 46-byte values, Balanced_B5 / OSS`);
  for (const [name, redis] of [['ioredis-mock', mock], ['emulator client', client]] as const) {
    // A list of 10k grows to 20k by LPUSH, then goes back to 10k by RPOP.
    const fill = async (): Promise<void> => {
      await redis.del('q');
      await redis.rpush('q', ...values);
    };
    add(await rounds(`${name} await lpush (10k list)`, ELEMENTS, fill, (i) => redis.lpush('q', values[i])));
    const fillDouble = async (): Promise<void> => {
      await fill();
      await redis.rpush('q', ...values);
    };
    add(await rounds(`${name} await rpop (10k list)`, ELEMENTS, fillDouble, () => redis.rpop('q')));
    await fill();
    add(await rounds(`${name} await lrange 100 (10k list)`, 2000, () => undefined, (i) => redis.lrange('q', i, i + 99), 1000));
    add(await rounds(`${name} await lindex middle`, 2000, () => undefined, () => redis.lindex('q', ELEMENTS / 2), 1000));
  }

  // The synchronous API against a plain JS array used as a queue (for information).
  const sync = cache as unknown as Record<string, (...args: Array<string | number>) => unknown>;
  let array: string[] = [];
  add(roundsSync('JS array unshift (10k queue)', ELEMENTS, () => void (array = values.slice()), (i) => array.unshift(values[i])));
  add(roundsSync('JS array pop (10k queue)', ELEMENTS, () => void (array = values.concat(values)), () => array.pop()));
  const syncFill = (): void => {
    sync.del('s');
    sync.rpush('s', ...values);
  };
  add(roundsSync('emulator sync lpush (10k list)', ELEMENTS, syncFill, (i) => sync.lpush('s', values[i])));
  add(roundsSync('emulator sync rpop (10k list)', ELEMENTS, () => {
    syncFill();
    sync.rpush('s', ...values);
  }, () => sync.rpop('s')));

  console.log('\nRatios');
  let ok = true;
  const vs = (op: string, label: string, target = 3): boolean =>
    ratio(label, results[`emulator client await ${op}`], results[`ioredis-mock await ${op}`], target);
  ok = vs('lpush (10k list)', 'async LPUSH (10k list) vs ioredis-mock') && ok;
  ok = vs('rpop (10k list)', 'async RPOP (10k list) vs ioredis-mock') && ok;
  ok = vs('lrange 100 (10k list)', 'async LRANGE 100 (10k list) vs ioredis-mock') && ok;
  ok = vs('lindex middle', 'async LINDEX middle (10k list) vs ioredis-mock') && ok;
  ratio('sync LPUSH vs JS array unshift (information)', results['emulator sync lpush (10k list)'], results['JS array unshift (10k queue)'], 0);
  ratio('sync RPOP vs JS array pop (information)', results['emulator sync rpop (10k list)'], results['JS array pop (10k queue)'], 0);
  cache.close();
  mock.disconnect();
  return ok;
}

// Run directly: `npx tsx bench/lists.bench.ts`.
if (import.meta.url === `file://${process.argv[1]}`) {
  const ok = await runListBench();
  console.log(ok ? '\nList targets hold.' : '\nSome list targets miss.');
}
