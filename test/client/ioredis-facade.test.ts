/**
 * The `azure-managed-redis-emulator/ioredis` module: ioredis's exports and constructor forms,
 * one shared emulated cache per address, and `Redis.Cluster`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as facade from '../../src/ioredis.js';
import Redis, {
  Cluster,
  getEmulator,
  parseRedisArguments,
  parseURL,
  ReplyError,
  resetEmulators,
  setEmulatorOptions,
  useEmulator,
} from '../../src/ioredis.js';
import { ManagedRedis } from '../../src/index.js';
import { keySlot } from '../../src/cluster/slots.js';

afterEach(() => {
  setEmulatorOptions({});
  resetEmulators();
});

describe('exports', () => {
  it('has what ioredis exports at run time', () => {
    for (const name of ['default', 'Redis', 'Cluster', 'Command', 'Pipeline', 'ScanStream', 'ReplyError', 'print', 'AbstractConnector', 'SentinelConnector', 'SentinelIterator']) {
      expect(facade, name).toHaveProperty(name);
    }
    expect(facade.default).toBe(facade.Redis);
    expect(Redis.Cluster).toBe(Cluster);
    expect(typeof Redis.Command).toBe('function');
    expect(Redis.defaultOptions.port).toBe(6379);
    // CommonJS shape: the class carries the named exports.
    expect((Redis as unknown as Record<string, unknown>).default).toBe(Redis);
    expect((Redis as unknown as Record<string, unknown>).ReplyError).toBe(ReplyError);
  });

  it('Sentinel is not emulated', () => {
    expect(() => new facade.SentinelConnector()).toThrow(/Sentinel is not emulated/);
  });
});

describe('addresses and shared caches', () => {
  it('parses ioredis’s constructor forms', () => {
    expect(parseRedisArguments([])).toMatchObject({ host: 'localhost', port: 6379, db: 0 });
    expect(parseRedisArguments([6380])).toMatchObject({ host: 'localhost', port: 6380 });
    expect(parseRedisArguments([6380, 'cache.example'])).toMatchObject({ host: 'cache.example', port: 6380 });
    expect(parseRedisArguments([6380, 'h', { keyPrefix: 'k:' }])).toMatchObject({ host: 'h', port: 6380, keyPrefix: 'k:' });
    expect(parseRedisArguments(['redis://user:p%40ss@h.example:6390/3?connectionName=x'])).toMatchObject({
      host: 'h.example',
      port: 6390,
      db: 3,
      username: 'user',
      password: 'p@ss',
      connectionName: 'x',
    });
    expect(parseRedisArguments(['rediss://:secret@h:10000'])).toMatchObject({ host: 'h', port: 10000, password: 'secret', tls: true });
    expect(parseRedisArguments(['h2:7000'])).toMatchObject({ host: 'h2', port: 7000 });
    expect(parseRedisArguments([{ port: 1 }, 6380])).toMatchObject({ port: 6380 });
    expect(parseRedisArguments(['redis://h:1', { port: 2, keyPrefix: 'x' }])).toMatchObject({ port: 1, keyPrefix: 'x' });
    expect(parseURL('6381')).toEqual({ port: '6381' });
    expect(parseURL('/tmp/redis.sock')).toEqual({ path: '/tmp/redis.sock' });
    expect(() => parseRedisArguments([true])).toThrow('Invalid argument true');
  });

  it('clients of one address share one cache; other addresses get their own', async () => {
    const a = new Redis();
    const b = new Redis(6379, '127.0.0.1');
    const c = new Redis('redis://localhost:6379');
    const other = new Redis({ port: 6380 });
    await a.set('shared', '1');
    expect(await b.get('shared')).toBe('1');
    expect(await c.get('shared')).toBe('1');
    expect(await other.get('shared')).toBeNull();
    expect(a.cache === b.cache).toBe(true);
    expect(a.cache === other.cache).toBe(false);
    expect(getEmulator() === a.cache).toBe(true);
    expect(Redis.emulator('redis://127.0.0.1:6380') === other.cache).toBe(true);
    expect(getEmulator().execute(['GET', 'shared'])).toBe('1');
    for (const client of [a, b, c, other]) client.disconnect();
  });

  it('duplicate() and createClient() stay on the same address', async () => {
    const redis = new Redis(6390, { keyPrefix: 'd:' });
    const copy = redis.duplicate();
    expect(copy).toBeInstanceOf(Redis);
    expect(copy.cache === redis.cache).toBe(true);
    await copy.set('k', 'v');
    expect(redis.cache.execute(['GET', 'd:k'])).toBe('v');
    expect(Redis.createClient(6390).cache === redis.cache).toBe(true);
  });

  it('useEmulator serves a cache of your own (a virtual clock, another SKU)', async () => {
    const cache = new ManagedRedis({ clock: 'virtual', clusterPolicy: 'NoCluster', sku: 'Balanced_B1' });
    useEmulator(cache, 'redis://localhost:6400');
    const redis = new Redis(6400);
    expect(redis.cache === cache).toBe(true);
    await redis.set('ttl', 'v', 'EX', 10);
    cache.clock.advance(10_000);
    expect(await redis.get('ttl')).toBeNull();
    // Cross-slot multi-key commands are fine without clustering.
    expect(await redis.mset('a', '1', 'b', '2')).toBe('OK');
  });

  it('new caches take setEmulatorOptions’ options; the default is ManagedRedis’s (OSS)', async () => {
    const oss = new Redis(6500);
    await expect(oss.mset('a', '1', 'b', '2')).rejects.toThrow("CROSSSLOT Keys in request don't hash to the same slot");
    setEmulatorOptions({ clusterPolicy: 'Enterprise' });
    expect(Redis.emulatorOptions).toEqual({ clusterPolicy: 'Enterprise' });
    const enterprise = new Redis(6501);
    expect(await enterprise.mset('a', '1', 'b', '2')).toBe('OK');
    expect(enterprise.cache.policy).toBe('Enterprise');
  });

  it('resetEmulators gives the next client a fresh cache', async () => {
    const before = new Redis();
    await before.set('k', 'v');
    resetEmulators();
    const after = new Redis();
    expect(after.cache === before.cache).toBe(false);
    expect(await after.get('k')).toBeNull();
  });
});

describe('Redis.Cluster', () => {
  const NODES = [{ host: '127.0.0.1', port: 7000 }, { host: '127.0.0.1', port: 7001 }];

  it('follows a failover: the slot table is refreshed, nodes come and go, commands reach the new primary', async () => {
    const cache = new ManagedRedis({ sku: 'Balanced_B5', clock: 'virtual', seed: 3 });
    useEmulator(cache, 7000);
    const cluster = new Cluster(NODES);
    const events: string[] = [];
    const nodeErrors: Array<[string, string]> = [];
    cluster.on('refresh', () => events.push('refresh'));
    cluster.on('-node', () => events.push('-node'));
    cluster.on('+node', () => events.push('+node'));
    cluster.on('node error', (error: Error, address: string) => nodeErrors.push([error.message, address]));
    await cluster.set('a', '1');
    const slot = keySlot('a');
    const shard = cache.topology.slotToShard[slot];
    const oldNode = cache.topology.nodes[cache.topology.shards[shard].primaryNode];
    expect(cluster.slots[slot]).toEqual([`${oldNode.ip}:${oldNode.port}`]);
    events.length = 0;
    const end = cache.faults.failover(shard);
    cache.clock.set(end + 1);
    await new Promise((resolve) => setTimeout(resolve, 0));
    // The old node's connection was reset: a node error, not an unhandled error event.
    expect(nodeErrors).toEqual([['read ECONNRESET', `${oldNode.ip}:${oldNode.port}`]]);
    const newNode = cache.topology.nodes[cache.topology.shards[shard].primaryNode];
    expect(newNode.index).not.toBe(oldNode.index);
    expect(await cluster.get('a')).toBe('1');
    expect(await cluster.set('a', '2')).toBe('OK');
    expect(cluster.slots[slot]).toEqual([`${newNode.ip}:${newNode.port}`]);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(events).toContain('refresh');
    // A node that serves no slot any more is dropped (Balanced_B5: the old node had only this shard).
    const served = new Set(cache.topology.shards.map((s) => s.primaryNode));
    expect(events.includes('-node')).toBe(!served.has(oldNode.index));
    expect(cluster.nodes('master')).toHaveLength(served.size);
    expect(cache.execute(['GET', 'a'])).toBe('2');
    cluster.disconnect();
  });

  it('shares the first startup node’s cache and routes keys by slot', async () => {
    const cluster = new Redis.Cluster(NODES);
    const cache = getEmulator(7000);
    expect(cluster.cache === cache).toBe(true);
    expect(getEmulator(7001) === cache).toBe(true);
    await cluster.set('a', '1');
    await cluster.set('b', '2');
    expect(await cluster.get('a')).toBe('1');
    expect(cache.execute(['GET', 'b'])).toBe('2');
    expect(cluster.status).toBe('ready');
    expect(cluster.isCluster).toBe(true);
    expect(cluster.slots[keySlot('a')]).toHaveLength(1);
  });

  it('keyless commands go to one node; nodes("master") reaches every primary', async () => {
    const cluster = new Cluster(NODES);
    const cache = cluster.cache;
    const keys = Array.from({ length: 40 }, (_, i) => `key:${i}`);
    for (const key of keys) await cluster.set(key, 'v');
    const masters = cluster.nodes('master');
    expect(masters.length).toBe(new Set(cache.topology.shards.map((s) => s.primaryNode)).size);
    expect(cluster.nodes('slave')).toEqual([]);
    expect(() => cluster.nodes('bad' as 'all')).toThrow('Invalid role "bad". Expected "all", "master" or "slave"');
    const counts = await Promise.all(masters.map((node) => node.dbsize()));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(40);
    expect(await cluster.dbsize()).toBe(counts[0]);
    await Promise.all(masters.map((node) => node.flushdb()));
    expect(cache.execute(['DBSIZE'])).toBe(0);
  });

  it('keyPrefix from options or redisOptions', async () => {
    const cluster = new Cluster(NODES, { redisOptions: { keyPrefix: 'c:' } });
    await cluster.set('{t}k', 'v');
    expect(cluster.cache.execute(['GET', 'c:{t}k'])).toBe('v');
  });

  it('pipelines must keep each command in one slot and all commands on one node', async () => {
    const cluster = new Cluster(NODES);
    const cache = cluster.cache;
    expect(await cluster.pipeline().set('{p}a', '1').get('{p}a').exec()).toEqual([[null, 'OK'], [null, '1']]);
    await expect(cluster.pipeline().mget('{p}a', '{q}b').exec()).rejects.toThrow('All the keys in a pipeline command should belong to the same slot');
    // Two keys on different nodes.
    const nodeOf = (key: string) => cache.topology.shards[cache.shardForSlot(keySlot(key)).index].primaryNode;
    let other = 'x0';
    for (let i = 0; nodeOf(other) === nodeOf('{p}a'); i++) other = `x${i}`;
    await expect(cluster.pipeline().get('{p}a').get(other).exec()).rejects.toThrow(
      'All keys in the pipeline should belong to the same slots allocation group',
    );
    expect(await cluster.multi().incr('{p}n').incr('{p}n').exec()).toEqual([[null, 1], [null, 2]]);
  });

  it('quit ends every node; later commands reject with Cluster is ended.', async () => {
    const cluster = new Cluster(NODES);
    await cluster.ping();
    const masters = cluster.nodes();
    expect(await cluster.quit()).toBe('OK');
    expect(cluster.status).toBe('end');
    for (const node of masters) expect(node.status).toBe('end');
    const error = (await cluster.get('a').catch((e: Error) => e)) as Error;
    expect(error.message).toBe('Cluster is ended.');
    expect(error.name).toBe('AbortError');
  });

  it('lazyConnect waits; duplicate() makes another cluster client on the same cache', async () => {
    const cluster = new Cluster(NODES, { lazyConnect: true });
    expect(cluster.status).toBe('wait');
    expect(await cluster.ping()).toBe('PONG');
    expect(cluster.status).toBe('ready');
    const copy = cluster.duplicate();
    expect(copy).toBeInstanceOf(Cluster);
    expect(copy.cache === cluster.cache).toBe(true);
  });
});
