/**
 * Scaling: AMR's rules (checkScale, skusForScaling), and runs on the virtual clock — with high
 * availability (node by node, data kept, resharded over the new shard count, connections dropped
 * once, CLUSTER replies and routing following the new layout) and without (offline, data lost) —
 * with their events, status, memory limits, Flash tiers, persistence and determinism.
 */
import { describe, expect, it } from 'vitest';
import { ManagedRedis, type ManagedRedisOptions } from '../../src/managed-redis.js';
import { checkScale, SCALING_NODE_MS } from '../../src/cluster/scaling.js';
import { slotOfName } from '../../src/cluster/slots.js';
import { getSku } from '../../src/cluster/skus.js';
import { CASES } from '../support/dump-cases.js';
import { Cluster, useEmulator } from '../../src/ioredis.js';
import { at, runScenario } from '../../src/replication/index.js';

function cache(options: ManagedRedisOptions = {}): ManagedRedis {
  const c = new ManagedRedis({ clock: 'virtual', seed: 7, activeExpiry: false, ...options });
  c.events.record();
  return c;
}

const types = (c: ManagedRedis) => c.events.history().map((e) => e.type);
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Runs a scaling to its end. */
function scaled(c: ManagedRedis, target: Parameters<ManagedRedis['scale']>[0]): void {
  const run = c.scale(target);
  c.clock.advance(run.endsAt - c.clock.now());
  expect(c.status).toBe('Running');
}

describe('AMR scaling rules', () => {
  const from = { sku: 'Balanced_B20' as const, policy: 'OSS' as const, geoReplication: false, usedBytes: 10_000_000 };

  it('up in size or to a faster tier at the same size is allowed', () => {
    expect(checkScale(from, { sku: 'Balanced_B50' }).sku.name).toBe('Balanced_B50');
    expect(checkScale(from, { sku: 'ComputeOptimized_X20' }).sku.primaryShards).toBe(12);
  });

  it('no move between the in-memory tiers and Flash Optimized', () => {
    expect(() => checkScale({ ...from, sku: 'Balanced_B250' }, { sku: 'FlashOptimized_A250' })).toThrow(
      'Scaling between the in-memory tiers and Flash Optimized is not supported (Balanced_B250 → FlashOptimized_A250)',
    );
    expect(() => checkScale({ ...from, sku: 'FlashOptimized_A500' }, { sku: 'MemoryOptimized_M500' })).toThrow(/not supported/);
  });

  it('down only to the same shard count, when the used memory fits, and never with geo-replication', () => {
    expect(() => checkScale(from, { sku: 'Balanced_B10' })).toThrow(
      'Balanced_B20 cannot scale down to Balanced_B10: it runs 6 primary shards and Balanced_B10 2; a scale-down needs a compatible shard configuration (see skusForScaling())',
    );
    const b10 = { ...from, sku: 'Balanced_B10' as const };
    expect(checkScale(b10, { sku: 'Balanced_B5' }).sku.name).toBe('Balanced_B5');
    const full = Math.floor(6 * 1024 ** 3 * 0.8);
    expect(() => checkScale({ ...b10, usedBytes: full }, { sku: 'Balanced_B5' })).toThrow(
      `Used memory (${full} bytes) must be below Balanced_B5's capacity (${full} bytes) to scale down; flush or delete keys first`,
    );
    expect(() => checkScale({ ...b10, geoReplication: true }, { sku: 'Balanced_B5' })).toThrow('A geo-replicated cache cannot scale down (Balanced_B10 → Balanced_B5)');
    expect(checkScale({ ...b10, geoReplication: true }, { sku: 'Balanced_B20' }).sku.name).toBe('Balanced_B20');
    // Fewer vCPUs at the same size is a scale-down too (X5: 4 vCPUs, B5: 2).
    expect(checkScale({ ...from, sku: 'ComputeOptimized_X5' }, { sku: 'Balanced_B5' }).sku.name).toBe('Balanced_B5');
    expect(() => checkScale({ ...from, sku: 'ComputeOptimized_X10' }, { sku: 'Balanced_B10' })).toThrow(/cannot scale down/);
  });

  it('the cluster policy changes only from NoCluster, and NoCluster must change above 25 GB', () => {
    expect(() => checkScale(from, { sku: 'Balanced_B50', clusterPolicy: 'Enterprise' })).toThrow(
      'The OSS cluster policy cannot be changed (only a NoCluster cache may move to OSS or Enterprise); delete and recreate the cache',
    );
    const small = { ...from, sku: 'Balanced_B5' as const, policy: 'NoCluster' as const };
    expect(() => checkScale(small, { sku: 'Balanced_B50' })).toThrow(
      "The NoCluster policy is only available for caches of 25 GB or less; change the cluster policy to OSS or Enterprise (scale({ sku: 'Balanced_B50', clusterPolicy: 'OSS' })) to scale to Balanced_B50 (60 GB)",
    );
    expect(checkScale(small, { sku: 'Balanced_B50', clusterPolicy: 'Enterprise' }).policy).toBe('Enterprise');
    expect(checkScale(small, { sku: 'Balanced_B5', clusterPolicy: 'OSS' }).policy).toBe('OSS');
    expect(() => checkScale(small, { sku: 'Balanced_B5' })).toThrow('The cache is already Balanced_B5 with the NoCluster policy');
    expect(() => checkScale(from, { sku: 'Balanced_B7' as never })).toThrow(/Unknown SKU 'Balanced_B7'/);
  });

  it('skusForScaling lists what the rules allow now, with sizes (ARM listSkusForScaling)', () => {
    const c = cache({ sku: 'Balanced_B10' });
    const names = c.scaling.skusForScaling().map((s) => s.name);
    expect(names).toContain('Balanced_B5'); // down, 2 shards both
    expect(names).not.toContain('Balanced_B10');
    expect(names).not.toContain('Balanced_B0'); // 1 shard: not compatible
    expect(names.some((n) => n.startsWith('Flash'))).toBe(false);
    expect(c.scaling.skusForScaling()).toContainEqual({ name: 'Balanced_B50', sizeInGB: 60 });
  });

  it('one run at a time, on a healthy cache, not during maintenance', () => {
    const c = cache();
    c.scale({ sku: 'Balanced_B10' });
    expect(() => c.scale({ sku: 'Balanced_B20' })).toThrow('a scaling run is already in progress (Balanced_B5 → Balanced_B10)');
    expect(() => c.faults.maintenance()).toThrow('a maintenance or scaling run is already in progress');
    // Also while the reshard that follows the node-by-node part runs.
    c.clock.advance(c.scaling.run!.endsAt - c.clock.now() - 10);
    expect(c.status).toBe('Scaling');
    expect(() => c.faults.maintenance()).toThrow('a maintenance or scaling run is already in progress');
    const sick = cache();
    sick.faults.failNode(1);
    expect(() => sick.scale({ sku: 'Balanced_B10' })).toThrow('the cache has failed nodes');
  });
});

describe('scaling with high availability', () => {
  it('node by node, then resharded: data kept, every key in its new shard, CLUSTER replies follow', async () => {
    const c = cache({ replication: { lag: 20 } });
    await c.ready();
    for (let i = 0; i < 300; i++) c.execute(['SET', `key:${i}`, `v${i}`, ...(i % 3 === 0 ? ['PX', '3600000'] : [])]);
    c.execute(['HSET', 'h', 'f', 'v']);
    const oldNodes = c.topology.nodes.map((n) => `${n.ip}:${n.port}`);
    const run = c.scale({ sku: 'Balanced_B20' });
    expect(c.status).toBe('Scaling');
    // 2 nodes, each: planned failover, a VM of the new size, resyncs, fail back; then the reshard.
    expect(run.endsAt - run.startedAt).toBeGreaterThan(2 * SCALING_NODE_MS);
    expect(run.endsAt - run.startedAt).toBeLessThan(11 * 60_000);
    c.clock.advance(SCALING_NODE_MS);
    expect(c.status).toBe('Scaling');
    expect(c.execute(['GET', 'key:1'])).toBe('v1'); // serving meanwhile (planned failovers only blip)
    c.execute(['SET', 'written:during', 'yes']);
    c.clock.advance(run.endsAt - c.clock.now());
    expect(c.status).toBe('Running');
    expect(c.shards).toHaveLength(6);
    expect(c.execute(['DBSIZE'])).toBe(302);
    expect(c.execute(['GET', 'written:during'])).toBe('yes');
    expect(c.execute(['PTTL', 'key:0'])).toBeGreaterThan(3_000_000);
    expect(c.execute(['HGET', 'h', 'f'])).toBe('v');
    for (const shard of c.shards) {
      for (const key of shard.keyspace.keys()) expect(c.topology.slotToShard[slotOfName(key)]).toBe(shard.index);
      expect(c.replication.replicaDigest(shard.index)).toBe(c.replication.digest(shard.index));
    }
    const slots = c.execute(['CLUSTER', 'SLOTS']) as Array<[number, number, [string, number]]>;
    expect(slots.map((r) => [r[0], r[1]])).toEqual([[0, 2730], [2731, 5460], [5461, 8191], [8192, 10922], [10923, 13652], [13653, 16383]]);
    const endpoints = new Set(slots.map((r) => `${r[2][0]}:${r[2][1]}`));
    for (const old of oldNodes) expect(endpoints.has(old)).toBe(false);
    expect(c.execute(['CLUSTER', 'SHARDS'])).toHaveLength(2); // two nodes serve the six shards
    const history = c.events.history();
    expect(history.filter((e) => e.type === 'scaling-step')).toHaveLength(2);
    expect(history.at(-1)).toMatchObject({
      type: 'scaling-completed',
      time: run.endsAt,
      data: { sku: 'Balanced_B20', policy: 'OSS', shards: 6, nodes: 2, keysLost: 0 },
    });
    expect((history.at(-1)!.data as { keysMoved: number }).keysMoved).toBeGreaterThan(100);
    expect(types(c)[0]).toBe('scaling-started');
    const maxmemory = Math.floor((24 * 1024 ** 3 * 0.8) / 6);
    c.settings.exposeAll = true;
    expect(c.execute(['CONFIG', 'GET', 'maxmemory'])).toEqual(['maxmemory', String(maxmemory)]);
  });

  it('connections blip: the ioredis-compatible client is dropped, reconnects and carries on', async () => {
    const c = cache();
    const redis = c.createClient();
    const errors: string[] = [];
    redis.on('error', (e: Error) => errors.push(e.message));
    await redis.set('k', 'v');
    const run = c.scale({ sku: 'Balanced_B10' });
    expect(redis.status).toBe('reconnecting'); // the first planned failover closed it
    c.clock.advance(run.endsAt - c.clock.now());
    await tick();
    c.clock.advance(2_000);
    await tick();
    expect(redis.status).toBe('ready');
    await expect(redis.get('k')).resolves.toBe('v');
    expect(errors.every((m) => m === 'read ECONNRESET')).toBe(true);
    expect(c.events.history().some((e) => e.type === 'connections-dropped' && (e.data as { reason: string }).reason === 'scaling')).toBe(true);
    redis.disconnect();
  });

  it('a Cluster client with a stale slot map follows the new layout (as after MOVED)', async () => {
    const c = cache();
    useEmulator(c, 7300);
    const cluster = new Cluster([{ host: '127.0.0.1', port: 7300 }]);
    try {
      await cluster.set('user:1', 'a');
      scaled(c, { sku: 'Balanced_B20' });
      await tick();
      c.clock.advance(5_000);
      await tick();
      await expect(cluster.get('user:1')).resolves.toBe('a');
      await cluster.set('user:2', 'b');
      expect(c.execute(['GET', 'user:2'])).toBe('b');
    } finally {
      cluster.disconnect();
    }
  });

  it('NoCluster → OSS: the policy changes with the SKU; CROSSSLOT applies from then on', () => {
    const c = cache({ clusterPolicy: 'NoCluster' });
    c.execute(['MSET', 'a', '1', 'b', '2']);
    expect(() => c.execute(['CLUSTER', 'SLOTS'])).toThrow();
    scaled(c, { sku: 'Balanced_B50', clusterPolicy: 'OSS' });
    expect(c.policy).toBe('OSS');
    expect(c.shards).toHaveLength(12);
    expect(c.execute(['MGET', 'a'])).toEqual(['1']);
    expect(() => c.execute(['MGET', 'a', 'b'])).toThrow("CROSSSLOT Keys in request don't hash to the same slot");
    expect(c.execute(['CLUSTER', 'SLOTS'])).toHaveLength(12);
  });

  it('LRU idle times survive the move; AOF persistence covers the new shards', () => {
    const c = cache({ evictionPolicy: 'allkeys-lru', persistence: { aof: '1s' } });
    for (let i = 0; i < 50; i++) c.execute(['SET', `k${i}`, 'v']);
    c.clock.advance(100_000);
    const run = c.scale({ sku: 'Balanced_B20' });
    c.clock.advance(run.endsAt - c.clock.now());
    const elapsed = Math.floor((run.endsAt - run.startedAt) / 1000) + 100;
    for (let i = 0; i < 50; i++) expect(Math.abs(Number(c.execute(['OBJECT', 'IDLETIME', `k${i}`])) - elapsed)).toBeLessThanOrEqual(1);
    // Every copy of every shard lost: the AOF brings the data back.
    for (const node of c.topology.nodes) c.faults.failNode(node.index);
    for (const node of c.topology.nodes) c.faults.healNode(node.index);
    expect(c.execute(['DBSIZE'])).toBe(50);
  });

  it('Flash Optimized A250 → A500: twelve shards, each with its tier', () => {
    const c = cache({ sku: 'FlashOptimized_A250' });
    for (let i = 0; i < 100; i++) c.execute(['SET', `f${i}`, 'x'.repeat(100)]);
    scaled(c, { sku: 'FlashOptimized_A500' });
    expect(c.flash!.stats()).toHaveLength(12);
    for (let i = 0; i < 100; i++) expect(c.flash!.placement(`f${i}`)).toBe('ram');
    expect(c.execute(['GET', 'f7'])).toBe('x'.repeat(100));
  });

  it('moving keys sends no keyspace event', () => {
    const c = cache({ notifyKeyspaceEvents: 'KEAn' });
    for (let i = 0; i < 20; i++) c.execute(['SET', `k${i}`, 'v']);
    const seen: unknown[] = [];
    const sub = c.openClient({ name: null });
    sub.push = (message) => seen.push(message);
    c.executeReply(['PSUBSCRIBE', '__key*__:*'], sub);
    seen.length = 0;
    scaled(c, { sku: 'Balanced_B20' });
    expect(seen).toEqual([]);
    expect(c.execute(['DBSIZE'])).toBe(20);
  });

  it('a maxmemoryBytes option is split over the new shard count', () => {
    const c = cache({ maxmemoryBytes: 60_000_000 });
    c.settings.exposeAll = true;
    expect(c.execute(['CONFIG', 'GET', 'maxmemory'])).toEqual(['maxmemory', '30000000']);
    scaled(c, { sku: 'Balanced_B20' });
    expect(c.execute(['CONFIG', 'GET', 'maxmemory'])).toEqual(['maxmemory', '10000000']);
    expect(String(c.execute(['INFO', 'memory']))).toContain('maxmemory:60000000\r\n');
  });

  it('to every SKU it may scale to: the same data (digest), each key in its shard, the SKU\'s shard count', async () => {
    const base = cache({ sku: 'Balanced_B10', replication: { lag: 5 } });
    await base.ready();
    const targets = base.scaling.skusForScaling();
    expect(targets.length).toBeGreaterThan(20);
    for (const target of targets) {
      const c = cache({ sku: 'Balanced_B10', replication: { lag: 5 } });
      for (let i = 0; i < CASES.length; i++) for (const argv of CASES[i].build) c.execute(argv.map((a, j) => (j === 1 && a === 'k' ? `case:${i}` : a)));
      c.execute(['SET', 'ttl', 'x', 'PX', '86400000']);
      const before = c.replication.digest();
      scaled(c, { sku: target.name });
      expect(c.replication.digest(), target.name).toBe(before);
      expect(c.shards, target.name).toHaveLength(getSku(target.name).primaryShards);
      for (const shard of c.shards) {
        for (const key of shard.keyspace.keys()) expect(c.topology.slotToShard[slotOfName(key)]).toBe(shard.index);
        expect(c.replication.replicaDigest(shard.index)).toBe(c.replication.digest(shard.index));
      }
    }
  });

  it('the same seed gives the same story', () => {
    const story = () => {
      const c = cache({ seed: 3, replication: { lag: 10, jitter: 5 } });
      for (let i = 0; i < 100; i++) c.execute(['SET', `k${i}`, String(i)]);
      scaled(c, { sku: 'ComputeOptimized_X10' });
      return JSON.stringify(c.events.history()) + JSON.stringify(c.execute(['CLUSTER', 'NODES']));
    };
    expect(story()).toBe(story());
  });
});

describe('scaling under a workload (runScenario)', () => {
  const drill = async (highAvailability: boolean) => {
    const c = new ManagedRedis({ clock: 'virtual', seed: 1, highAvailability, replication: { lag: 50 } });
    await c.ready();
    return runScenario(c, {
      durationMs: 11 * 60_000,
      actions: [at(1_000, (cache) => void cache.scale({ sku: 'Balanced_B20' }), 'scale to B20')],
      workload: { everyMs: 100, command: (i) => ['SET', `k:${i}`, String(i)] },
    });
  };

  it('with HA: nothing acknowledged is lost; only the planned failovers blip', async () => {
    const report = await drill(true);
    expect(report.lost).toBe(0);
    expect(report.failed).toBeGreaterThan(0);
    expect(report.failed).toBeLessThan(30); // 4 planned failovers of 500 ms, one write every 100 ms
    expect(report.downtimeMs).toEqual([1_000, 1_000]);
  });

  it('without HA: the writes before are lost, the ones during fail', async () => {
    const report = await drill(false);
    expect(report.lost).toBe(10); // t = 0 … 900 ms
    expect(report.failed).toBeGreaterThan(2_900);
    for (const ms of report.downtimeMs) expect(ms).toBeGreaterThanOrEqual(SCALING_NODE_MS);
  });
});

describe('scaling without high availability', () => {
  it('the cache is offline and loses its data for the run; it comes back empty on the new layout', () => {
    const c = cache({ highAvailability: false });
    c.execute(['MSET', '{t}a', '1', '{t}b', '2']);
    c.execute(['SET', 'other', '3']);
    const run = c.scale({ sku: 'Balanced_B20' });
    expect(c.status).toBe('Scaling');
    expect(() => c.execute(['GET', '{t}a'])).toThrow(expect.objectContaining({ code: 'ECONNREFUSED' }));
    c.clock.advance(run.endsAt - c.clock.now() - 1);
    expect(() => c.execute(['SET', 'x', '1'])).toThrow(/ECONNREFUSED/);
    c.clock.advance(1);
    expect(c.status).toBe('Running');
    expect(c.execute(['DBSIZE'])).toBe(0);
    expect(c.execute(['SET', 'x', '1'])).toBe('OK');
    expect(c.shards).toHaveLength(6);
    const history = c.events.history();
    expect(history.filter((e) => e.type === 'shard-down').map((e) => (e.data as { reason: string }).reason)).toEqual(['scaling', 'scaling']);
    expect(history.filter((e) => e.type === 'shard-up')).toHaveLength(6);
    expect(history.at(-1)).toMatchObject({ type: 'scaling-completed', data: { keysLost: 3, keysMoved: 0, shards: 6 } });
    expect(run.endsAt - run.startedAt).toBeGreaterThanOrEqual(SCALING_NODE_MS);
  });
});
