/**
 * Side by side: the real ioredis against a live redis-server, and the emulator's client against an
 * emulated cache (no clustering, like the standalone server). Same calls, same reply shapes,
 * same errors — including pipelines, transactions and ioredis's own quirks.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import IORedis from 'ioredis';
import { describeLive } from '../support/live.js';
import { ManagedRedis } from '../../src/index.js';
import type { RedisClient } from '../../src/client/client.js';

type Outcome = { ok: unknown } | { error: string; name: string };

async function outcome(promise: Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: await promise };
  } catch (error) {
    return { error: (error as Error).message, name: (error as Error).name };
  }
}

/** Pipeline results with errors reduced to name and message. */
function pairs(results: unknown): unknown {
  if (!Array.isArray(results)) return results;
  return results.map((pair: unknown[]) =>
    pair[0] ? [{ name: (pair[0] as Error).name, message: (pair[0] as Error).message }, ...pair.slice(1)] : pair,
  );
}

type Client = Record<string, (...args: unknown[]) => Promise<unknown>>;
/** A pipeline or transaction being built, whichever client made it. */
type Chain = { [method: string]: (...args: unknown[]) => Chain } & { exec(): Promise<unknown> };

describeLive('client vs ioredis on redis-server', (live) => {
  const prefix = `client-live:${process.pid}:${Date.now()}:`;
  let real: IORedis;
  let cache: ManagedRedis;
  let ours: RedisClient;

  beforeAll(async () => {
    real = new IORedis(live.standalone.port, live.host, { keyPrefix: prefix });
    cache = new ManagedRedis({ clusterPolicy: 'NoCluster', sku: 'Balanced_B1' });
    ours = cache.createClient({ keyPrefix: prefix });
    await real.ping();
  });

  afterAll(async () => {
    const keys = await real.keys(`${prefix}*`);
    if (keys.length > 0) await real.call('DEL', ...keys);
    await real.quit();
    await ours.quit();
    cache.close();
  });

  async function both(method: string, ...args: unknown[]): Promise<[Outcome, Outcome]> {
    return [
      await outcome((real as unknown as Client)[method](...args)),
      await outcome((ours as unknown as Client)[method](...args)),
    ];
  }

  const CALLS: Array<[string, ...unknown[]]> = [
    ['set', 'a', '1'],
    ['get', 'a'],
    ['getBuffer', 'a'],
    ['incr', 'a'],
    ['incrby', 'a', 10],
    ['incrbyfloat', 'a', 1.5],
    ['incrbyfloat', 'a', '1e3'],
    ['decrby', 'a', 'x'],
    ['mset', { b: '2', c: '3' }],
    ['mset', new Map([['d', 4]])],
    ['mget', ['a', 'b'], 'c', 'nope'],
    ['mgetBuffer', 'a', 'nope'],
    ['msetnx', 'b', '9', 'z', '9'],
    ['exists', 'a', 'b', 'nope', 'a'],
    ['del', ['b', 'c'], 'nope'],
    ['set', 'e', 'v', 'EX', 100, 'GET'],
    ['set', 'e', 'w', 'NX'],
    ['set', 'e', 'w', 'XX', 'GET'],
    ['ttl', 'e'],
    ['expire', 'e', 200, 'GT'],
    ['ttl', 'e'],
    ['persist', 'e'],
    ['ttl', 'e'],
    ['type', 'e'],
    ['type', 'nope'],
    ['append', 'e', 'xyz'],
    ['strlen', 'e'],
    ['getrange', 'e', 1, -2],
    ['setrange', 'e', 10, 'pad'],
    ['getBuffer', 'e'],
    ['rename', 'e', 'f'],
    ['renamenx', 'f', 'a'],
    ['rename', 'nope', 'g'],
    ['copy', 'f', 'g'],
    ['getdel', 'g'],
    ['getex', 'f', 'PX', 100000],
    ['getex', 'f', 'PERSIST'],
    ['setnx', 'f', 'x'],
    ['getset', 'f', Buffer.from([0xff, 0xfe])],
    ['get', 'f'],
    ['getBuffer', 'f'],
    ['lcs', 'a', 'f'],
    ['set', 'k'],
    ['set', 'k', 'v', 'EX'],
    ['set', 'k', 'v', 'EX', 0],
    ['incr', 'f'],
    ['get'],
    ['call', 'GET', 'a'],
    ['callBuffer', 'get', 'a'],
    ['call', 'nosuchcommand', 'x', 1],
    ['ping'],
    ['pingBuffer'],
    ['echo', 'hello'],
    ['expiretime', 'a'],
    ['pexpiretime', 'nope'],
  ];

  it('gives the same replies and errors for string and key commands', async () => {
    for (const [method, ...args] of CALLS) {
      const [theirs, mine] = await both(method, ...args);
      expect(mine, `${method}(${args.map(String).join(', ')})`).toEqual(theirs);
    }
  });

  it('gives the same pipeline pairs, with an error in the middle', async () => {
    const build = (client: IORedis | RedisClient) =>
      (client.pipeline() as unknown as Chain)
        .set('p', '1')
        .incr('p')
        .call('nosuch', 'arg')
        .set('p', 'abc')
        .incr('p')
        .getBuffer('p')
        .mget('p', 'nope')
        .exec();
    expect(pairs(await build(ours))).toEqual(pairs(await build(real)));
  });

  it('gives the same multi() results and runtime errors', async () => {
    const build = (client: IORedis | RedisClient) =>
      (client.multi() as unknown as Chain).set('m', 'x').incr('m').getBuffer('m').del('m').exec();
    expect(pairs(await build(ours))).toEqual(pairs(await build(real)));
  });

  it('rejects multi() with EXECABORT and the same previousErrors', async () => {
    const run = async (client: IORedis | RedisClient) => {
      const error = (await (client.multi() as unknown as Chain)
        .set('m', '1')
        .call('nosuch', 'a')
        .call('get')
        .exec()
        .catch((e: unknown) => e)) as Error & { previousErrors: Error[] };
      return { name: error.name, message: error.message, previous: error.previousErrors.map((e) => [e.name, e.message]) };
    };
    expect(await run(ours)).toEqual(await run(real));
  });

  it('multi({ pipeline: false }) answers QUEUED and exec() pairs the same way', async () => {
    const run = async (client: IORedis | RedisClient) => {
      const c = client as unknown as Client & { multi(o: { pipeline: false }): Promise<unknown>; exec(): Promise<unknown> };
      const steps: unknown[] = [];
      steps.push(await outcome(c.multi({ pipeline: false })));
      steps.push(await outcome(c.set('q', '1')));
      steps.push(await outcome(c.incr('q')));
      steps.push(await outcome(c.call('multi')));
      steps.push(pairs(await c.exec()));
      steps.push(await outcome(c.exec()));
      steps.push(await outcome(c.discard()));
      return steps;
    };
    expect(await run(ours)).toEqual(await run(real));
  });

  it('emits the same connection events', async () => {
    const sequence = async (make: (options: object) => IORedis | RedisClient, scenario: (client: IORedis | RedisClient) => Promise<unknown>) => {
      const client = make({ lazyConnect: true, keyPrefix: prefix });
      const seen: string[] = [];
      for (const event of ['wait', 'connecting', 'connect', 'ready', 'close', 'reconnecting', 'end']) client.on(event, () => seen.push(event));
      await scenario(client);
      // Every scenario ends the connection; a real socket closes when the machine gets to it, so
      // wait for the end (bounded) rather than a fixed time that a busy machine overruns.
      for (let waited = 0; client.status !== 'end' && waited < 2000; waited += 5) await new Promise((resolve) => setTimeout(resolve, 5));
      await new Promise((resolve) => setTimeout(resolve, 10));
      return [seen.join(','), client.status];
    };
    const makeReal = (options: object) => new IORedis(live.standalone.port, live.host, options);
    const makeOurs = (options: object) => cache.createClient(options as Record<string, unknown>);
    const scenarios: Array<(client: IORedis | RedisClient) => Promise<unknown>> = [
      (c) => c.quit(),
      async (c) => c.disconnect(),
      async (c) => {
        await c.ping();
        c.disconnect();
      },
      async (c) => {
        await c.connect();
        await c.quit();
      },
    ];
    for (const scenario of scenarios) expect(await sequence(makeOurs, scenario)).toEqual(await sequence(makeReal, scenario));
  });

  it('quit resolves OK and later commands reject the same way', async () => {
    const realCopy = real.duplicate();
    const ourCopy = ours.duplicate();
    await realCopy.ping();
    await ourCopy.ping();
    expect(await ourCopy.quit()).toBe(await realCopy.quit());
    await new Promise((resolve) => setTimeout(resolve, 20));
    const [theirs, mine] = [await outcome(realCopy.get('a')), await outcome(ourCopy.get('a'))];
    expect(mine).toEqual(theirs);
    expect(ourCopy.status).toBe(realCopy.status);
  });
});
