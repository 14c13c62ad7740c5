/**
 * Vitest global setup: starts the real `redis-server`s the live tests compare against (one
 * standalone server and a three-primary cluster on free loopback ports) and stops them when the
 * run ends, failed or not. Test files get the ports with `inject('redis')` (test/support/live.ts).
 *
 * Without `redis-server` the live tests skip with a loud message; with `CI=true` they fail.
 * `REDIS_LIVE=0` skips starting the servers (the live tests then skip, or fail under CI).
 */
import type { TestProject } from 'vitest/node';
import { startFleet, type LiveRedis } from './redis-server.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const fleet =
    process.env.REDIS_LIVE === '0'
      ? { live: { available: false, reason: 'REDIS_LIVE=0' } as LiveRedis, stop: async () => {} }
      : await startFleet();
  const live = fleet.live;
  if (live.available) {
    console.log(
      `[live redis] redis-server ${live.version}: standalone on ${live.host}:${live.standalone.port}, ` +
        `differential on ${live.differential.port}, ${live.oracleLive.port} and ${live.clientDifferential.port}, ` +
        `cluster on ${live.cluster.ports.join(', ')} (ready in ${Date.now() - started} ms)`,
    );
  } else {
    const banner = '!'.repeat(100);
    console.warn(
      `\n${banner}\n!! LIVE REDIS TESTS ${process.env.CI === 'true' ? 'WILL FAIL (CI=true)' : 'ARE SKIPPED'}: ${live.reason}\n` +
        `!! Install Debian's redis-server (apt-get install -y redis-server) to compare against a real server.\n${banner}\n`,
    );
  }
  project.provide('redis', live);
  return async () => {
    await fleet.stop();
  };
}
