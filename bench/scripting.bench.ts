/**
 * Scripting: EVALSHA of a small script (one GET and one SET) through the emulator's
 * ioredis-compatible client, against ioredis-mock's EVAL of the same script (ioredis-mock has no
 * script cache of its own to speak of). Target (issue 4): ≥ 20× ioredis-mock.
 */
import RedisMock from 'ioredis-mock';
import { ManagedRedis } from '../src/index.js';
import { fmt, measureAsync, ratio, type Result } from './lib.js';

const SCRIPT = "local v = redis.call('GET', KEYS[1]) redis.call('SET', KEYS[1], ARGV[1]) return v";

interface ScriptClient {
  eval(script: string, numkeys: number, ...args: string[]): Promise<unknown>;
  evalsha(sha: string, numkeys: number, ...args: string[]): Promise<unknown>;
  script(sub: 'LOAD', script: string): Promise<unknown>;
}

export async function runScriptingBench(): Promise<boolean> {
  const cache = new ManagedRedis({ sku: 'Balanced_B5', clusterPolicy: 'OSS' });
  const client = cache.createClient() as unknown as ScriptClient;
  const mock = new RedisMock() as unknown as ScriptClient & { disconnect(): void };
  const results: Record<string, Result> = {};
  const add = (r: Result) => {
    results[r.name] = r;
    console.log(`  ${r.name.padEnd(46)} ${fmt(r.opsPerSec)}`);
  };

  console.log('\nScripting: one GET and one SET per call, Balanced_B5 / OSS');
  add(await measureAsync('ioredis-mock await eval', 200, (i) => mock.eval(SCRIPT, 1, `k${i % 100}`, `v${i}`), 1500));
  const sha = (await client.script('LOAD', SCRIPT)) as string;
  add(await measureAsync('emulator client await evalsha', 5_000, (i) => client.evalsha(sha, 1, `k${i % 100}`, `v${i}`), 1500));
  add(await measureAsync('emulator client await eval', 5_000, (i) => client.eval(SCRIPT, 1, `k${i % 100}`, `v${i}`), 1000));

  console.log('\nRatios');
  const ok = ratio('async EVALSHA vs ioredis-mock EVAL', results['emulator client await evalsha'], results['ioredis-mock await eval'], 20);
  cache.close();
  mock.disconnect();
  return ok;
}

// Run directly: `npx tsx bench/scripting.bench.ts`.
if (import.meta.url === `file://${process.argv[1]}`) {
  const ok = await runScriptingBench();
  console.log(ok ? '\nScripting target holds.' : '\nThe scripting target misses.');
}
