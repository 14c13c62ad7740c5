/**
 * Access to the real servers started by test/support/global-setup.ts, from inside test files.
 *
 *   describeLive('differential: strings', (redis) => { it(…, async () => { redis.standalone.port … }) });
 *
 * Without servers the suite is skipped with a loud warning, or, when `CI=true`, replaced by a
 * failing test that says why.
 */
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import type { LiveRedis } from './redis-server.js';
import { RespClient } from './resp-client.js';

export type AvailableRedis = Extract<LiveRedis, { available: true }>;

/** What global setup provided. */
export function liveRedis(): LiveRedis {
  return inject('redis') ?? { available: false, reason: 'global setup did not run (test/support/global-setup.ts)' };
}

const PLACEHOLDER: AvailableRedis = {
  available: true,
  version: 'none',
  host: '127.0.0.1',
  standalone: { port: 0 },
  differential: { port: 0 },
  oracleLive: { port: 0 },
  clientDifferential: { port: 0 },
  cluster: { ports: [0, 0, 0] },
};

/** A describe block that needs the live servers. */
export function describeLive(name: string, body: (redis: AvailableRedis) => void): void {
  const live = liveRedis();
  if (live.available) {
    describe(name, () => body(live));
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs a live redis-server (CI=true)', () => {
        throw new Error(`live redis-server unavailable: ${live.reason}`);
      });
    });
    return;
  }
  // Skipped on purpose outside CI only, when redis-server is not installed (a developer machine
  // without Debian's package): the suite is still listed, loudly. Under CI=true it fails above.
  console.warn(`!!!! SKIPPING live tests "${name}": ${live.reason}`);
  describe.skip(name, () => body(PLACEHOLDER));
}

/** One connection to the live standalone server and a key prefix of a test file's own. */
export interface LiveSession {
  /** The connection (open from `beforeAll` until `afterAll`). */
  live: RespClient;
  /** Unique to this run: every key the tests write on the live server starts with it. */
  prefix: string;
  redis: AvailableRedis;
}

/**
 * A {@link describeLive} block with one {@link RespClient} on the standalone server, opened before
 * the tests; afterwards the keys under the session's prefix are deleted and the connection closed.
 */
export function describeLiveSession(name: string, stem: string, body: (session: LiveSession) => void): void {
  describeLive(name, (redis) => {
    const session: LiveSession = { live: undefined as unknown as RespClient, prefix: `${stem}:${process.pid}:${Date.now()}:`, redis };
    beforeAll(async () => {
      session.live = await RespClient.connect(redis.standalone.port, redis.host);
    });
    afterAll(async () => {
      const keys = (await session.live.call(['KEYS', `${session.prefix}*`]))[1] as Array<[string, string]>;
      if (keys.length > 0) await session.live.call(['DEL', ...keys.map((t) => t[1])]);
      session.live.close();
    });
    body(session);
  });
}
