/**
 * Issue 5, the remaining parts: WAIT that blocks on the cache's clock, full resyncs that take
 * time, replica re-creation after the grace period, keyless commands on a down shard, clients
 * disconnected by a failover, and what CLUSTER SHARDS/NODES/INFO show meanwhile.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ManagedRedis, ShardUnavailableError, keySlot } from '../../src/index.js';
import { MapReply } from '../../src/protocol/reply.js';
import { blockingStats } from '../../src/blocking.js';

beforeAll(async () => {
  await new ManagedRedis({ clock: 'virtual' }).ready();
});

function keysOn(shard: number, count: number, prefix = 'k'): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) {
    const key = `${prefix}${i}`;
    if ((keySlot(key) < 8192 ? 0 : 1) === shard) out.push(key);
  }
  return out;
}

function make(options: ConstructorParameters<typeof ManagedRedis>[0] = {}): ManagedRedis {
  return new ManagedRedis({ clock: 'virtual', seed: 7, activeExpiry: false, ...options });
}

/** Lets promise callbacks run (the client settles on microtasks). */
const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** A promise's state without waiting for it. */
function track<T>(promise: Promise<T>): { settled: boolean; value?: T; error?: unknown } {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

describe('WAIT blocks the asynchronous client on the cache clock', () => {
  it('resolves as soon as the replica applied the caller’s writes, not at the timeout', async () => {
    const cache = make({ replication: { lag: 300 } });
    const redis = cache.createClient();
    const [a] = keysOn(0, 1);
    await redis.set(a, 'v');
    const wait = track(redis.wait(1, 5000));
    cache.clock.advance(299);
    await tick();
    expect(wait.settled).toBe(false);
    expect(blockingStats(cache).blockedClients).toBe(1);
    cache.clock.advance(1);
    await tick();
    expect(wait).toEqual({ settled: true, value: 1 });
    expect(blockingStats(cache).blockedClients).toBe(0);
    redis.disconnect();
  });

  it('answers the count at the timeout; more replicas than exist wait for the timeout', async () => {
    const cache = make({ replication: { lag: 10_000 } });
    const redis = cache.createClient();
    await redis.set(keysOn(1, 1)[0], 'v');
    const early = track(redis.wait(1, 500));
    cache.clock.advance(499);
    await tick();
    expect(early.settled).toBe(false);
    cache.clock.advance(1);
    await tick();
    expect(early).toEqual({ settled: true, value: 0 });
    cache.clock.advance(10_000);
    // Two replicas asked, one exists: it blocks until the timeout, then counts the one.
    const two = track(redis.wait(2, 1000));
    await tick();
    expect(two.settled).toBe(false);
    cache.clock.advance(1000);
    await tick();
    expect(two).toEqual({ settled: true, value: 1 });
    // Enough already: at once, without blocking.
    await expect(redis.wait(1, 1000)).resolves.toBe(1);
    await expect(redis.wait(0, 0)).resolves.toBe(1);
    redis.disconnect();
  });

  it('timeout 0 blocks until the replica has applied, however long', async () => {
    const cache = make({ replication: { lag: 3_600_000 } });
    const redis = cache.createClient();
    await redis.set(keysOn(0, 1)[0], 'v');
    const wait = track(redis.wait(1, 0));
    cache.clock.advance(3_599_999);
    await tick();
    expect(wait.settled).toBe(false);
    cache.clock.advance(1);
    await tick();
    expect(wait).toEqual({ settled: true, value: 1 });
    redis.disconnect();
  });

  it('only the caller’s writes count: another connection’s later writes do not hold it', async () => {
    const cache = make({ replication: { lag: 1000 } });
    const mine = cache.createClient();
    const [a, b] = keysOn(0, 2);
    await mine.set(a, '1');
    cache.clock.advance(500);
    cache.execute(['SET', b, '2']); // due at 1500
    const wait = track(mine.wait(1, 0));
    cache.clock.advance(500);
    await tick();
    expect(wait).toEqual({ settled: true, value: 1 });
    expect(cache.replication.status(0).pendingEffects).toBe(1);
    mine.disconnect();
  });

  it('catchUp() and a closed connection end the wait', async () => {
    const cache = make({ replication: { lag: 60_000 } });
    const redis = cache.createClient({ connectionName: 'waiter' });
    await redis.set(keysOn(0, 1)[0], 'v');
    const caught = track(redis.wait(1, 0));
    await tick();
    cache.replication.catchUp();
    await tick();
    expect(caught).toEqual({ settled: true, value: 1 });

    await redis.set(keysOn(0, 1)[0], 'w');
    const closed = track(redis.wait(1, 0));
    await tick();
    redis.disconnect();
    await tick();
    expect((closed.error as Error).message).toBe('Connection is closed.');
  });

  it('does not block inside MULTI, in a script, or on the synchronous facade', async () => {
    const cache = make({ replication: { lag: 10_000 } });
    const redis = cache.createClient();
    const [a] = keysOn(0, 1);
    await redis.set(a, 'v');
    const results = await redis.multi().wait(1, 0).exec();
    expect(results).toEqual([[null, 0]]);
    // A script's WAIT answers at once too (its own connection has written nothing: Redis counts
    // the online replicas for a connection with no writes).
    await expect(redis.eval("return redis.call('WAIT', 1, 0)", 0)).resolves.toBe(1);
    cache.execute(['SET', a, 'v']);
    expect(cache.execute(['WAIT', '1', '0'])).toBe(0); // answers at once
    expect(cache.clock.now()).toBe(cache.clock.now());
    redis.disconnect();
  });

  it('a replica lost while waiting: the wait runs to its timeout and counts 0', async () => {
    const cache = make({ replication: { lag: 1000 } });
    const redis = cache.createClient({ node: 0 }); // shard 0's primary is on node 0, its replica on node 1
    await redis.set(keysOn(0, 1)[0], 'v');
    const wait = track(redis.wait(1, 2000));
    cache.faults.failNode(1); // the replica's node
    cache.clock.advance(2000);
    await tick();
    expect(wait).toEqual({ settled: true, value: 0 });
    redis.disconnect();
  });
});

describe('a full resync takes time', () => {
  it('a returning copy is syncing for base + bytes / rate: offsets, lag, ROLE, INFO and WAIT show it', async () => {
    const cache = make({ replication: { resyncBaseMs: 200, resyncBytesPerSecond: 1_000_000 } });
    cache.events.record();
    const keys = keysOn(0, 50);
    for (const k of keys) cache.execute(['SET', k, 'x'.repeat(1000)]);
    cache.faults.failShard(0);
    cache.clock.advance(12_000); // promoted on node 1; node 0's copy is dead
    cache.faults.healShard(0);
    const t0 = cache.clock.now();
    const started = cache.events.history().find((e) => e.type === 'full-resync-started')!;
    const { bytes, durationMs } = started.data as { bytes: number; durationMs: number };
    expect(bytes).toBeGreaterThan(50_000);
    expect(durationMs).toBe(Math.ceil(200 + (bytes * 1000) / 1_000_000));
    expect(started.data).toMatchObject({ shard: 0, node: 0, reason: 'replica-returned', keys: 50 });
    expect(cache.replication.resyncDurationMs(0)).toBe(durationMs);

    cache.execute(['SET', keys[0], 'during']);
    cache.clock.advance(durationMs - 1);
    const status = cache.replication.status(0);
    expect(status).toMatchObject({ replicaState: 'syncing', replicaNode: 0, replicaOffset: 0, pendingEffects: 1, lagMs: durationMs - 1 });
    expect(status.resync).toEqual({ reason: 'replica-returned', startedAt: t0, endsAt: t0 + durationMs, bytes });
    expect(cache.execute(['ROLE'])).toEqual(['master', status.primaryOffset, []]); // Redis lists online replicas only
    const info = cache.execute(['INFO', 'replication']) as string;
    expect(info).toContain('connected_slaves:1\r\n');
    expect(info).toContain('slave0:ip=10.0.0.4,port=8501,state=send_bulk,offset=0,lag=');
    expect(cache.execute(['WAIT', '1', '0'])).toBe(0);
    expect(() => cache.replication.replicaView(0).execute(['GET', keys[0]])).toThrow('ERR shard 0 has no live replica');
    expect(() => cache.faults.failover(0)).toThrow('shard 0 has no live replica to fail over to');

    cache.clock.advance(1);
    expect(cache.events.history().at(-1)).toEqual({
      type: 'full-resync-completed',
      time: t0 + durationMs,
      data: { shard: 0, node: 0, reason: 'replica-returned', keys: 50, durationMs },
    });
    expect(cache.replication.status(0)).toMatchObject({ replicaState: 'online', replicaOffset: status.primaryOffset, resync: null });
    expect(cache.replication.replicaView(0).execute(['GET', keys[0]])).toBe('during');
    expect(cache.replication.replicaDigest(0)).toBe(cache.replication.digest(0));
  });

  it('a primary lost while its replica resyncs takes the data with it', () => {
    const cache = make();
    cache.events.record();
    const [a] = keysOn(0, 1);
    cache.execute(['SET', a, 'v']);
    cache.faults.failShard(0);
    cache.clock.advance(12_000);
    cache.faults.healShard(0); // node 0's copy starts resyncing
    cache.clock.advance(500);
    cache.faults.failShard(0); // the new primary (node 1) fails before the copy is loaded
    expect(cache.faults.shardState(0).state).toBe('down');
    cache.clock.advance(60_000);
    expect(() => cache.execute(['GET', a])).toThrow(ShardUnavailableError);
    expect(cache.events.history().some((e) => e.type === 'full-resync-completed')).toBe(false);
    cache.faults.healShard(0);
    expect(cache.execute(['GET', a])).toBe(null);
  });

  it('waitForReplicas waits for a resync too', async () => {
    const cache = make();
    cache.faults.failShard(1);
    cache.clock.advance(12_000);
    cache.faults.healShard(1);
    const done = track(cache.replication.waitForReplicas(0));
    cache.clock.advance(999);
    await tick();
    expect(done.settled).toBe(false);
    cache.clock.advance(1);
    await tick();
    expect(done).toEqual({ settled: true, value: true });
  });
});

describe('replica re-creation after the grace period', () => {
  it('a shard left without a replica gets a new one after 10 minutes; a second failure before that loses data', () => {
    const cache = make();
    cache.events.record();
    const [a] = keysOn(0, 1);
    cache.execute(['SET', a, 'v']);
    cache.faults.failShard(0); // node 0 stays up: its shard process failed
    cache.clock.advance(12_000);
    const promotedAt = cache.clock.now();
    expect(cache.replication.status(0).replicaState).toBe('down');
    cache.clock.advance(599_999);
    expect(cache.replication.status(0).replicaState).toBe('down');
    cache.clock.advance(1);
    const types = cache.events.history().slice(-2).map((e) => [e.type, e.time - promotedAt, e.data]);
    expect(types[0]).toEqual(['replica-recreation-started', 600_000, { shard: 0, node: 0, previousNode: 0 }]);
    expect(types[1]).toEqual(['full-resync-started', 600_000, expect.objectContaining({ shard: 0, node: 0, reason: 'replica-recreated' })]);
    expect(cache.replication.status(0).replicaState).toBe('syncing');
    cache.clock.advance(cache.replication.status(0).resync!.endsAt - cache.clock.now());
    expect(cache.replication.status(0).replicaState).toBe('online');
    expect(cache.faults.shardState(0).deadCopies).toEqual([]);

    // Within the window, a second failure has no replica to promote: the shard's data is lost.
    const other = make();
    other.execute(['SET', a, 'v']);
    other.faults.failShard(0);
    other.clock.advance(12_000);
    other.clock.advance(300_000);
    other.faults.failShard(0);
    expect(other.faults.shardState(0).state).toBe('down');
  });

  it('on a larger cache the new replica goes to another live node, in another zone than the primary', () => {
    const cache = make({ sku: 'Balanced_B350' });
    cache.events.record();
    const topology = cache.topology;
    const shard = topology.nodes[2].primaryShards[0];
    cache.faults.failNode(2);
    cache.clock.advance(12_000 + 600_000);
    const started = cache.events.history().find((e) => e.type === 'replica-recreation-started' && (e.data as { shard: number }).shard === shard);
    expect(started).toBeDefined();
    const node = (started!.data as { node: number }).node;
    expect(node).not.toBe(2);
    expect(node).not.toBe(topology.shards[shard].primaryNode);
    expect(topology.nodes[node].zone).not.toBe(topology.nodes[topology.shards[shard].primaryNode].zone);
    expect(topology.shards[shard].replicaNode).toBe(node);
    expect(topology.nodes[node].replicaShards).toContain(shard);
    cache.clock.advance(2000);
    expect(cache.replication.status(shard).replicaState).toBe('online');
    // The node returns later: nothing of that shard comes back on it.
    cache.faults.healNode(2);
    expect(topology.nodes[2].replicaShards).not.toContain(shard);
  });

  it('a copy that heals within the grace period cancels the re-creation; the option changes the period', () => {
    const cache = make({ replication: { replicaRecreationMs: 60_000 } });
    cache.events.record();
    cache.faults.failShard(1);
    cache.clock.advance(12_000);
    cache.faults.healShard(1);
    cache.clock.advance(120_000);
    expect(cache.events.history().some((e) => e.type === 'replica-recreation-started')).toBe(false);
    expect(cache.events.history().find((e) => e.type === 'replica-recreation-scheduled')?.data).toEqual({
      shard: 1,
      at: cache.events.history().find((e) => e.type === 'failover-completed')!.time + 60_000,
    });
    const never = make({ replication: { replicaRecreationMs: Infinity } });
    never.events.record();
    never.faults.failShard(1);
    never.clock.advance(3_600_000);
    expect(never.events.history().some((e) => e.type.startsWith('replica-recreation'))).toBe(false);
  });
});

describe('keyless commands on a down shard', () => {
  it('whole-database commands fail as keyed ones do while a shard they cover has no primary', () => {
    for (const clusterPolicy of ['OSS', 'Enterprise'] as const) {
      const cache = make({ clusterPolicy });
      cache.execute(['SET', keysOn(1, 1)[0], 'v']);
      cache.faults.failShard(0);
      for (const argv of [['DBSIZE'], ['KEYS', '*'], ['SCAN', '0'], ['RANDOMKEY'], ['FLUSHALL'], ['FLUSHDB']]) {
        expect(() => cache.execute(argv), argv.join(' ')).toThrow(ShardUnavailableError);
      }
      expect(cache.execute(['PING'])).toBe('PONG');
      cache.clock.advance(12_000);
      expect(cache.execute(['DBSIZE'])).toBe(1);
    }
  });

  it('OSS: a connection to a node covers only its shards; the minority side refuses FLUSHALL only', async () => {
    const cache = make({ clusterPolicy: 'OSS' });
    cache.execute(['SET', keysOn(1, 1)[0], 'v']);
    const node1 = cache.createClient({ node: 1 });
    await node1.ping();
    cache.faults.failShard(0); // on node 0
    await expect(node1.dbsize()).resolves.toBe(1);
    node1.disconnect();

    const split = make({ sku: 'Balanced_B20' });
    split.faults.splitNetwork([1]);
    expect(() => split.execute(['FLUSHALL'])).toThrow('CLUSTERDOWN The cluster is down');
    expect(split.execute(['DBSIZE'])).toBe(0);
  });
});

describe('clients are disconnected by a failover', () => {
  it('close, reconnecting, ready; a blocked command fails with ECONNRESET; others keep their connection', async () => {
    const cache = make();
    const [a] = keysOn(0, 1);
    const node0 = cache.createClient({ node: 0 });
    const node1 = cache.createClient({ node: 1 });
    const seen: string[] = [];
    const errors: Error[] = [];
    await Promise.all([node0.ping(), node1.ping()]);
    await tick();
    for (const event of ['close', 'reconnecting', 'connect', 'ready', 'end']) node0.on(event, () => seen.push(event));
    node0.on('error', (e: Error) => errors.push(e));
    const blocked = node0.blpop(a, 0).catch((e: unknown) => e);
    await tick();
    cache.events.record();
    cache.faults.failShard(0);
    const error = (await blocked) as Error & { code: string; syscall: string; shard: number };
    expect(error.message).toBe('read ECONNRESET');
    expect(error).toMatchObject({ code: 'ECONNRESET', errno: -104, syscall: 'read', shard: 0 });
    expect(errors.map((e) => e.message)).toEqual(['read ECONNRESET']);
    expect(node1.status).toBe('ready');
    expect(cache.events.history().find((e) => e.type === 'connections-dropped')?.data).toEqual({
      shard: 0,
      connections: 1,
      reason: 'shard-failure',
    });
    await tick();
    expect(seen).toEqual(['close', 'reconnecting']);
    // Node 0 is up (only the shard process failed): the reconnect is accepted; shard 0's keys
    // are refused until the promotion.
    cache.clock.advance(50);
    await tick();
    expect(seen).toEqual(['close', 'reconnecting', 'connect', 'ready']);
    await expect(node0.get(a)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    cache.clock.advance(12_000);
    await expect(node0.set(a, 'after')).resolves.toBe('OK');
    node0.disconnect();
    node1.disconnect();
  });

  it('a connection to a failed node is refused until the node returns', async () => {
    const cache = make();
    const client = cache.createClient({ node: 1 });
    const errors: string[] = [];
    client.on('error', (e: Error) => errors.push(e.message));
    await client.ping();
    cache.faults.failNode(1);
    // Each attempt is refused (the state changes settle on microtasks: step the clock).
    for (let i = 0; i < 30; i++) {
      cache.clock.advance(2000);
      await tick();
    }
    expect(client.status).toBe('reconnecting');
    expect(errors[0]).toBe('read ECONNRESET');
    expect(errors.length).toBeGreaterThan(10);
    expect(new Set(errors.slice(1))).toEqual(new Set(['connect ECONNREFUSED 10.0.0.5:8502']));
    // A command sent meanwhile waits in the offline queue, and runs once the node is back.
    const pending = track(client.ping());
    cache.faults.healNode(1);
    cache.clock.advance(2000);
    await tick();
    await tick();
    expect(client.status).toBe('ready');
    expect(pending).toEqual({ settled: true, value: 'PONG' });
    client.disconnect();
  });

  it('a planned failover blips the connections of its shard too', async () => {
    const cache = make();
    const redis = cache.createClient();
    const closes: number[] = [];
    redis.on('close', () => closes.push(cache.clock.now()));
    redis.on('error', () => {});
    await redis.ping();
    cache.faults.failover(1);
    await tick();
    expect(closes).toHaveLength(1);
    cache.clock.advance(500);
    await tick();
    expect(redis.status).toBe('ready');
    await expect(redis.set(keysOn(1, 1)[0], 'v')).resolves.toBe('OK');
    redis.disconnect();
  });
});

describe('CLUSTER replies during a failover (AMR shows primaries only)', () => {
  it('SHARDS: no replica rows; health failed and offsets; NODES fail flag; INFO cluster_state', () => {
    const cache = make();
    const [a] = keysOn(0, 1);
    cache.execute(['SET', a, 'v']);
    const get = (map: MapReply, key: string) => map.entries.find(([k]) => k === key)?.[1];
    const shards = () => cache.executeReply(['CLUSTER', 'SHARDS']) as MapReply[];
    const node = (row: MapReply) => Object.fromEntries((get(row, 'nodes') as MapReply[])[0].entries as Array<[string, unknown]>);
    expect(shards().map((row) => (get(row, 'nodes') as MapReply[]).length)).toEqual([1, 1]);
    expect(node(shards()[0])['replication-offset']).toBe(cache.replication.status(0).primaryOffset);
    expect(shards().every((row) => node(row).role === 'master')).toBe(true);

    cache.faults.failShard(0);
    expect(node(shards()[0]).health).toBe('failed');
    expect(node(shards()[1]).health).toBe('online');
    const nodes = cache.execute(['CLUSTER', 'NODES']) as string;
    expect(nodes).toMatch(/ myself,master,fail - 0 0 1 disconnected 0-8191\n/);
    const info = cache.execute(['CLUSTER', 'INFO']) as string;
    expect(info).toContain('cluster_state:fail\r\n');
    expect(info).toContain('cluster_slots_ok:8192\r\n');
    expect(info).toContain('cluster_slots_fail:8192\r\n');

    cache.clock.advance(12_000);
    expect(shards()).toHaveLength(1); // node 1 serves every slot; node 0 holds no primary
    expect(node(shards()[0]).health).toBe('online');
    expect(cache.execute(['CLUSTER', 'INFO'])).toContain('cluster_state:ok\r\n');
  });
});
