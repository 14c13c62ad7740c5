import { beforeAll, describe, expect, it } from 'vitest';
import { ManagedRedis, ShardUnavailableError, keySlot } from '../../src/index.js';
import { respBytes } from '../../src/replication/replication.js';

beforeAll(async () => {
  await new ManagedRedis({ clock: 'virtual' }).ready();
});

/** Keys known to hash to shard 0 and shard 1 of a 2-shard cache (slots 0-8191 / 8192-16383). */
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

describe('replication stream and replica views', () => {
  it('lag 0: the replica has every write at once, offsets agree, digests match', () => {
    const cache = make();
    const [a] = keysOn(0, 1);
    cache.execute(['SET', a, 'v1']);
    cache.execute(['RPUSH', 'list{' + a + '}', 'x', 'y']);
    cache.execute(['HSET', 'h{' + a + '}', 'f', '1']);
    const status = cache.replication.status(0);
    expect(status.replicaState).toBe('online');
    expect(status.primaryOffset).toBeGreaterThan(0);
    expect(status.replicaOffset).toBe(status.primaryOffset);
    expect(status.lagMs).toBe(0);
    const view = cache.replication.replicaView(0);
    expect(view.execute(['GET', a])).toBe('v1');
    expect(view.execute(['LRANGE', 'list{' + a + '}', '0', '-1'])).toEqual(['x', 'y']);
    expect(cache.replication.replicaDigest(0)).toBe(cache.replication.digest(0));
    // Once a view exists the replica is a keyspace of its own and still follows every write.
    cache.execute(['SET', a, 'v2']);
    cache.execute(['LPOP', 'list{' + a + '}']);
    expect(view.execute(['GET', a])).toBe('v2');
    expect(view.execute(['LRANGE', 'list{' + a + '}', '0', '-1'])).toEqual(['y']);
    expect(cache.replication.replicaDigest(0)).toBe(cache.replication.digest(0));
  });

  it('offsets count the RESP size of the replicated effects', () => {
    const cache = make();
    const [a] = keysOn(1, 1);
    cache.execute(['SET', a, 'hello']);
    expect(cache.replication.status(1).primaryOffset).toBe(respBytes([['SET', a, 'hello']]));
    // *3\r\n$3\r\nSET\r\n$<n>\r\n<key>\r\n$5\r\nhello\r\n
    expect(respBytes([['SET', 'k', 'hello']])).toBe(Buffer.byteLength('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n'));
    // Strings count by length, unread (exact for ASCII; non-ASCII text is undercounted); Buffers
    // count their bytes.
    const ascii = 'x'.repeat(100);
    const text = 'é'.repeat(100);
    expect(respBytes([['SET', 'k', ascii]])).toBe(Buffer.byteLength(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100\r\n${ascii}\r\n`));
    expect(respBytes([['SET', 'k', text]])).toBe(respBytes([['SET', 'k', ascii]]));
    expect(respBytes([['SET', 'k', Buffer.from(text)]])).toBe(Buffer.byteLength(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$200\r\n${text}\r\n`));
  });

  it('fixed lag: the replica is stale until the clock reaches each write plus the lag', () => {
    const cache = make({ replication: { lag: 1000 } });
    const [a] = keysOn(0, 1);
    cache.execute(['SET', a, 'old']);
    const view = cache.replication.replicaView(0);
    expect(view.execute(['GET', a])).toBe(null);
    cache.clock.advance(999);
    expect(view.execute(['GET', a])).toBe(null);
    expect(cache.replication.status(0).lagMs).toBe(999);
    expect(cache.replication.status(0).pendingEffects).toBe(1);
    cache.clock.advance(1);
    expect(view.execute(['GET', a])).toBe('old');
    cache.clock.advance(500);
    cache.execute(['SET', a, 'new']);
    cache.clock.advance(500);
    expect(view.execute(['GET', a])).toBe('old');
    expect(cache.replication.status(0).pendingEffects).toBe(1);
    cache.clock.advance(500);
    expect(view.execute(['GET', a])).toBe('new');
    expect(cache.replication.replicaDigest(0)).toBe(cache.replication.digest(0));
  });

  it('per-shard lag, a function of the effect, and run-time changes', () => {
    const cache = make({ replication: { lag: [0, 5000] } });
    const [a] = keysOn(0, 1);
    const [b] = keysOn(1, 1);
    cache.execute(['SET', a, '1']);
    cache.execute(['SET', b, '1']);
    expect(cache.replication.replicaView(0).execute(['GET', a])).toBe('1');
    expect(cache.replication.replicaView(1).execute(['GET', b])).toBe(null);
    cache.replication.setLag((effect) => (effect.command === 'del' ? 100 : 0));
    cache.execute(['DEL', a]);
    cache.execute(['SET', a, '2']); // queued behind the DEL: never overtakes it
    expect(cache.replication.replicaView(0).execute(['GET', a])).toBe('1');
    cache.clock.advance(100);
    expect(cache.replication.replicaView(0).execute(['GET', a])).toBe('2');
    cache.clock.advance(4900);
    expect(cache.replication.replicaView(1).execute(['GET', b])).toBe('1');
  });

  it('replicates normalised effects: relative expiry as an absolute time, SPOP as SREM', () => {
    const cache = make({ replication: { lag: 10 } });
    const [a] = keysOn(0, 1);
    cache.execute(['SET', a, 'v', 'EX', '100']);
    cache.execute(['SADD', `s{${a}}`, 'a', 'b', 'c', 'd']);
    cache.execute(['SPOP', `s{${a}}`]);
    cache.clock.advance(10);
    const view = cache.replication.replicaView(0);
    expect(view.execute(['PEXPIRETIME', a])).toBe(cache.execute(['PEXPIRETIME', a]));
    expect((view.execute(['SMEMBERS', `s{${a}}`]) as string[]).sort()).toEqual(
      (cache.execute(['SMEMBERS', `s{${a}}`]) as string[]).sort(),
    );
    expect(cache.replication.replicaDigest(0)).toBe(cache.replication.digest(0));
  });

  it('jitter comes from the seeded PRNG: same seed, same due times', () => {
    const run = (seed: number) => {
      const cache = make({ seed, replication: { lag: 100, jitter: 50 } });
      const [a] = keysOn(0, 1);
      const seen: number[] = [];
      for (let i = 0; i < 20; i++) cache.execute(['SET', a, String(i)]);
      for (let t = 0; t < 200; t++) {
        cache.clock.advance(1);
        seen.push(cache.replication.status(0).replicaOffset);
      }
      return seen;
    };
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(4));
  });

  it('a replica view refuses writes and keys of other shards', () => {
    const cache = make();
    const [b] = keysOn(1, 1);
    const view = cache.replication.replicaView(0);
    expect(() => view.execute(['SET', 'x', '1'])).toThrow("READONLY You can't write against a read only replica.");
    const slot = keySlot(b);
    expect(() => view.execute(['GET', b])).toThrow(`MOVED ${slot} 10.0.0.5:8502`);
  });

  it('ROLE on a primary and on a replica view; INFO replication', () => {
    const cache = make({ replication: { lag: 1000 } });
    const [a] = keysOn(0, 1);
    cache.execute(['SET', a, 'v']);
    const offset = cache.replication.status(0).primaryOffset;
    expect(cache.execute(['ROLE'])).toEqual(['master', offset, [['10.0.0.5', '8502', '0']]]);
    expect(cache.replication.replicaView(0).execute(['ROLE'])).toEqual(['slave', '10.0.0.4', 8501, 'connected', 0]);
    const info = cache.execute(['INFO', 'replication']) as string;
    expect(info).toContain(`master_repl_offset:${offset}\r\n`);
    expect(info).toContain('slave0:ip=10.0.0.5,port=8502,state=online,offset=0,lag=0\r\n');
    cache.clock.advance(1000);
    expect(cache.execute(['ROLE'])).toEqual(['master', offset, [['10.0.0.5', '8502', String(offset)]]]);
  });

  it('WAIT answers at once with the replicas that applied the caller’s writes', () => {
    const cache = make({ replication: { lag: 1000 } });
    expect(cache.execute(['WAIT', '1', '0'])).toBe(1);
    const [a] = keysOn(0, 1);
    cache.execute(['SET', a, 'v']);
    expect(cache.execute(['WAIT', '1', '100'])).toBe(0);
    cache.clock.advance(1000);
    expect(cache.execute(['WAIT', '1', '100'])).toBe(1);
    expect(() => cache.execute(['WAIT', 'x', '0'])).toThrow('ERR value is not an integer or out of range');
    expect(() => cache.execute(['WAIT', '1', '-1'])).toThrow('ERR timeout is negative');
    expect(() => cache.execute(['WAIT', '1'])).toThrow("ERR wrong number of arguments for 'wait' command");
    const off = make({ highAvailability: false });
    expect(off.execute(['WAIT', '1', '0'])).toBe(0);
  });

  it('waitForReplicas resolves on the cache clock', async () => {
    const cache = make({ replication: { lag: 300 } });
    cache.execute(['SET', keysOn(0, 1)[0], 'v']);
    const early = cache.replication.waitForReplicas(100);
    cache.clock.advance(100);
    await expect(early).resolves.toBe(false);
    const late = cache.replication.waitForReplicas(1000);
    cache.clock.advance(200);
    await expect(late).resolves.toBe(true);
  });

  it('a replica further behind than the backlog goes through a full resync', () => {
    const cache = make({ replication: { lag: 10_000, backlogBytes: 200 } });
    cache.events.record();
    const keys = keysOn(0, 10);
    for (const k of keys) cache.execute(['SET', k, 'x'.repeat(20)]);
    const resyncs = cache.events.history().filter((e) => e.type === 'full-resync-started');
    expect(resyncs).toHaveLength(1);
    expect(resyncs[0].data).toMatchObject({ shard: 0, node: 1, reason: 'backlog-exceeded' });
    // The resync takes time: the replica holds nothing usable meanwhile, then equals the primary.
    const status = cache.replication.status(0);
    expect(status.replicaState).toBe('syncing');
    expect(status.replicaOffset).toBe(0);
    cache.clock.advance(status.resync!.endsAt - cache.clock.now());
    expect(cache.replication.status(0)).toMatchObject({ replicaState: 'online', pendingBytes: 0, replicaOffset: status.primaryOffset });
    expect(cache.replication.replicaDigest(0)).toBe(cache.replication.digest(0));
  });

  it('the default backlog is 1 % of shard memory, within 1–250 MB', () => {
    expect(make().replication.backlogBytes).toBe(Math.floor((6 * 1024 ** 3 * 0.8) / 2 / 100));
    expect(make({ replication: { backlogBytes: 4096 } }).replication.backlogBytes).toBe(4096);
    expect(make({ sku: 'Balanced_B0' }).replication.backlogBytes).toBe(Math.max(1024 * 1024, Math.floor((0.5 * 1024 ** 3 * 0.8) / 100)));
    expect(make({ sku: 'MemoryOptimized_M2000', clusterPolicy: 'Enterprise' }).replication.backlogBytes).toBe(
      Math.min(250 * 1024 * 1024, Math.floor((1920 * 1024 ** 3 * 0.8) / 192 / 100)),
    );
  });

  it('replication-lag events: samples while behind, and threshold crossings', () => {
    const cache = make({ replication: { lag: 3000, lagThresholdMs: 1500, lagSampleIntervalMs: 1000 } });
    cache.events.record();
    const [a] = keysOn(0, 1);
    const t0 = cache.clock.now();
    cache.execute(['SET', a, 'v']);
    cache.clock.advance(10_000);
    const lag = cache.events
      .history()
      .filter((e) => e.type === 'replication-lag')
      .map((e) => [e.time - t0, (e.data as { reason: string }).reason, (e.data as { lagMs: number }).lagMs]);
    expect(lag).toEqual([
      [1000, 'sample', 1000],
      [2000, 'threshold-up', 2000],
      [2000, 'sample', 2000],
      [3000, 'threshold-down', 0],
      [3000, 'sample', 0],
    ]);
    // Nobody listening: no timers are kept (advancing years costs nothing).
    const quiet = make({ replication: { lag: 3000 } });
    quiet.execute(['SET', a, 'v']);
    quiet.clock.advance(10 * 365 * 24 * 3600 * 1000);
    expect(quiet.replication.status(0).pendingEffects).toBe(0);
  });

  it('emits key-expired through the event bus', () => {
    const cache = make();
    cache.events.record();
    const [a] = keysOn(0, 1);
    cache.execute(['SET', a, 'v', 'PX', '10']);
    cache.clock.advance(10);
    expect(cache.execute(['GET', a])).toBe(null);
    expect(cache.events.history().filter((e) => e.type === 'key-expired')).toEqual([
      { type: 'key-expired', time: cache.clock.now(), data: { key: Buffer.from(a), shard: 0 } },
    ]);
  });
});

describe('unplanned failover', () => {
  it('loses exactly the unapplied tail, fails commands to the shard meanwhile, other shards serve', () => {
    const cache = make({ replication: { lag: 500 } });
    cache.events.record();
    const [a, b, c] = keysOn(0, 3);
    const [other] = keysOn(1, 1);
    cache.execute(['SET', a, 'applied']);
    cache.clock.advance(500);
    cache.execute(['SET', b, 'lost']);
    cache.clock.advance(100);
    cache.execute(['SET', c, 'lost too']);
    cache.execute(['SET', a, 'overwritten, lost']);
    const t0 = cache.clock.now();
    cache.faults.failShard(0);

    let error: unknown;
    try {
      cache.execute(['GET', a]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ShardUnavailableError);
    expect((error as ShardUnavailableError).code).toBe('ECONNREFUSED');
    expect((error as Error).message).toBe('connect ECONNREFUSED 10.0.0.4:8501');
    expect(cache.execute(['SET', other, 'fine'])).toBe('OK');
    expect(cache.faults.shardState(0).state).toBe('failing-over');

    cache.clock.advance(11_999);
    expect(() => cache.execute(['GET', a])).toThrow(ShardUnavailableError);
    cache.clock.advance(1);
    expect(cache.execute(['GET', a])).toBe('applied');
    expect(cache.execute(['GET', b])).toBe(null);
    expect(cache.execute(['GET', c])).toBe(null);

    const events = cache.events.history().filter((e) => e.type !== 'replication-lag');
    expect(events.at(-1)).toEqual({ type: 'replica-recreation-scheduled', time: t0 + 12_000, data: { shard: 0, at: t0 + 612_000 } });
    expect(events.slice(0, -1)).toEqual([
      { type: 'shard-down', time: t0, data: { shard: 0, node: 0, reason: 'shard-failure' } },
      { type: 'failover-started', time: t0 + 10_000, data: { shard: 0, planned: false, fromNode: 0, toNode: 1 } },
      {
        type: 'failover-completed',
        time: t0 + 12_000,
        data: {
          shard: 0,
          planned: false,
          fromNode: 0,
          toNode: 1,
          effectsLost: 3,
          keysLost: [Buffer.from(b), Buffer.from(c), Buffer.from(a)],
          lostOffsets: [
            respBytes([['SET', a, 'applied']]),
            respBytes([['SET', a, 'applied'], ['SET', b, 'lost'], ['SET', c, 'lost too'], ['SET', a, 'overwritten, lost']]),
          ],
        },
      },
      { type: 'shard-up', time: t0 + 12_000, data: { shard: 0, node: 1, dataLost: false, keysLost: 0 } },
    ]);
    // Roles swapped in the topology; the shard runs without a replica until its old primary heals.
    expect(cache.topology.shards[0].primaryNode).toBe(1);
    expect(cache.replication.status(0).replicaState).toBe('down');
    cache.faults.healShard(0);
    expect(cache.replication.status(0).replicaState).toBe('syncing');
    expect(cache.events.history().at(-1)).toMatchObject({ type: 'full-resync-started', data: { shard: 0, node: 0, reason: 'replica-returned' } });
    cache.clock.advance(1500);
    expect(cache.replication.status(0).replicaState).toBe('online');
    expect(cache.replication.replicaDigest(0)).toBe(cache.replication.digest(0));
  });

  it('the ioredis-compatible client reconnects, then rejects with the connection error until promotion', async () => {
    const cache = make();
    const redis = cache.createClient();
    const errors: Error[] = [];
    redis.on('error', (e: Error) => errors.push(e));
    const [a] = keysOn(1, 1);
    await redis.set(a, 'v');
    cache.faults.failNode(1);
    expect(redis.status).toBe('reconnecting'); // the failover closed the connection
    expect(errors.map((e) => e.message)).toEqual(['read ECONNRESET']);
    cache.clock.advance(50); // ioredis's first retry delay
    await new Promise((r) => setTimeout(r, 0));
    expect(redis.status).toBe('ready');
    await expect(redis.get(a)).rejects.toMatchObject({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 10.0.0.5:8502' });
    cache.clock.advance(12_000);
    await expect(redis.get(a)).resolves.toBe('v');
    redis.disconnect();
  });

  it('detection and promotion times are options', () => {
    const cache = make({ replication: { detectionMs: 1000, promotionMs: 500 } });
    cache.faults.failShard(1);
    cache.clock.advance(1499);
    expect(cache.faults.shardState(1).state).toBe('failing-over');
    cache.clock.advance(1);
    expect(cache.faults.shardState(1).state).toBe('up');
  });

  it('a node failure fails over its primaries and loses its replicas; healing resyncs them', () => {
    const cache = make({ sku: 'Balanced_B20' });
    cache.events.record();
    const topology = cache.topology;
    const onNode0 = topology.nodes[0].primaryShards.slice();
    const replicasOn0 = topology.nodes[0].replicaShards.slice();
    cache.faults.failNode(0);
    for (const s of onNode0) expect(cache.faults.shardState(s).state).toBe('failing-over');
    for (const s of replicasOn0) expect(cache.replication.status(s).replicaState).toBe('down');
    cache.clock.advance(12_000);
    for (const s of onNode0) expect(cache.faults.shardState(s).state).toBe('up');
    expect(topology.nodes[0].primaryShards).toEqual([]);
    cache.faults.healNode(0);
    const resyncs = cache.events.history().filter((e) => e.type === 'full-resync-started').map((e) => (e.data as { shard: number }).shard);
    expect(resyncs.sort((x, y) => x - y)).toEqual([...onNode0, ...replicasOn0].sort((x, y) => x - y));
  });

  it('a zone failure takes its nodes down; losing both copies loses the data', () => {
    const cache = make();
    cache.events.record();
    const [a] = keysOn(0, 1);
    cache.execute(['SET', a, 'v']);
    cache.faults.failZone('1'); // node 0 (zone 1): shard 0's primary
    cache.faults.failNode(1); // before promotion: shard 0's replica too
    cache.clock.advance(60_000);
    expect(cache.faults.shardState(0).state).toBe('down');
    expect(() => cache.execute(['GET', a])).toThrow(ShardUnavailableError);
    cache.faults.healZone('1');
    expect(cache.faults.shardState(0).state).toBe('up');
    expect(cache.execute(['GET', a])).toBe(null);
    const types = cache.events.history().map((e) => e.type);
    expect(types.slice(0, 2)).toEqual(['zone-down', 'node-down']);
    expect(cache.events.history().find((e) => e.type === 'shard-up' && (e.data as { shard: number }).shard === 0)?.data).toEqual({
      shard: 0,
      node: 0,
      dataLost: true,
      keysLost: 1,
    });
  });

  it('without high availability a node failure loses its shards until healed, as AMR warns', () => {
    const cache = make({ highAvailability: false, sku: 'Balanced_B20' });
    const [a] = keysOn(0, 1);
    cache.execute(['SET', a, 'v']);
    const shard = cache.topology.slotToShard[keySlot(a)];
    cache.faults.failNode(cache.topology.shards[shard].primaryNode);
    cache.clock.advance(3_600_000);
    expect(() => cache.execute(['GET', a])).toThrow(ShardUnavailableError);
    cache.faults.healNode(cache.topology.shards[shard].primaryNode);
    expect(cache.execute(['GET', a])).toBe(null);
    expect(() => cache.faults.failover(0)).toThrow('planned failover needs high availability');
  });
});

describe('planned failover and maintenance', () => {
  it('failover(shard) swaps roles after a short pause and loses nothing', () => {
    const cache = make({ replication: { lag: 2000 } });
    cache.events.record();
    const [a] = keysOn(0, 1);
    cache.execute(['SET', a, 'kept']);
    const done = cache.faults.failover(0);
    expect(done).toBe(cache.clock.now() + 500);
    expect(() => cache.execute(['GET', a])).toThrow(ShardUnavailableError);
    cache.clock.advance(500);
    expect(cache.execute(['GET', a])).toBe('kept');
    expect(cache.topology.shards[0].primaryNode).toBe(1);
    expect(cache.topology.nodes[1].primaryShards).toEqual([0, 1]);
    const completed = cache.events.history().find((e) => e.type === 'failover-completed');
    expect(completed?.data).toMatchObject({ shard: 0, planned: true, fromNode: 0, toNode: 1, effectsLost: 0 });
    // The old primary is an in-sync replica.
    expect(cache.replication.status(0).replicaState).toBe('online');
    expect(cache.replication.replicaView(0).execute(['GET', a])).toBe('kept');
    // CLUSTER SLOTS now lists one endpoint, the node holding both primaries.
    expect(cache.execute(['CLUSTER', 'SLOTS'])).toEqual([[0, 16383, ['10.0.0.5', 8502, cache.topology.nodes[1].id, []]]]);
  });

  it('failoverNode moves every primary off a node', () => {
    const cache = make({ sku: 'Balanced_B20' });
    const before = cache.topology.nodes[1].primaryShards.slice();
    cache.faults.failoverNode(1);
    cache.clock.advance(500);
    expect(cache.topology.nodes[1].primaryShards).toEqual([]);
    for (const s of before) expect(cache.topology.shards[s].primaryNode).not.toBe(1);
  });

  it('maintenance replaces the nodes one at a time; endpoints change; nothing is lost', () => {
    const cache = make({ replication: { lag: 50 } });
    cache.events.record();
    const keys = keysOn(0, 5).concat(keysOn(1, 5));
    for (const k of keys) cache.execute(['SET', k, k]);
    const oldIds = cache.topology.nodes.map((n) => n.id);
    const resync = Math.max(cache.replication.resyncDurationMs(0), cache.replication.resyncDurationMs(1));
    expect(resync).toBeGreaterThanOrEqual(1000);
    const run = cache.faults.maintenance();
    expect(run.endsAt - run.startedAt).toBe(2 * (500 + 30_000 + resync + 500 + 1));
    cache.clock.advance(500);
    const step0 = cache.events.history().find((e) => e.type === 'maintenance-step');
    expect(step0?.data).toMatchObject({ step: 0, node: 0, oldId: oldIds[0], oldEndpoint: '10.0.0.4:8501', newEndpoint: '10.0.0.6:8503' });
    cache.clock.advance(run.endsAt - cache.clock.now());
    const types = cache.events.history().map((e) => e.type);
    expect(types[0]).toBe('maintenance-started');
    expect(types.at(-1)).toBe('maintenance-completed');
    expect(cache.topology.nodes.map((n) => `${n.ip}:${n.port}`)).toEqual(['10.0.0.6:8503', '10.0.0.7:8504']);
    expect(cache.topology.nodes.map((n) => n.id)).not.toEqual(oldIds);
    // Primaries are back where they were; CLUSTER SHARDS shows the new endpoints.
    expect(cache.topology.shards.map((s) => s.primaryNode)).toEqual([0, 1]);
    const shards = cache.executeReply(['CLUSTER', 'SHARDS']);
    expect(JSON.stringify(shards)).toContain('10.0.0.6');
    for (const k of keys) expect(cache.execute(['GET', k])).toBe(k);
    for (const s of [0, 1]) expect(cache.replication.replicaDigest(s)).toBe(cache.replication.digest(s));
    expect(types.filter((t) => t === 'failover-completed')).toHaveLength(4);
  });
});

describe('quorum and network splits', () => {
  it('the minority side refuses writes, serves reads, and its primaries fail over to the majority', () => {
    const cache = make({ sku: 'Balanced_B20', replication: { lag: 100 } }); // 8 vCPUs: 2 nodes
    const nodes = cache.topology.nodes.length;
    expect(nodes).toBe(2);
    const [a] = keysOn(0, 1);
    const shard = cache.topology.slotToShard[keySlot(a)];
    cache.execute(['SET', a, 'before']);
    cache.clock.advance(100);
    const primary = cache.topology.shards[shard].primaryNode;
    // A tie goes to the side holding node 0: isolate node 1.
    cache.faults.splitNetwork([1]);
    const minorityShard = cache.topology.nodes[1].primaryShards[0];
    const [m] = (() => {
      for (let i = 0; ; i++) if (cache.topology.slotToShard[keySlot(`m${i}`)] === minorityShard) return [`m${i}`];
    })();
    expect(() => cache.execute(['SET', m, 'x'])).toThrow('CLUSTERDOWN The cluster is down');
    expect(cache.execute(['GET', m])).toBe(null);
    if (primary === 0) expect(cache.execute(['SET', a, 'majority'])).toBe('OK');
    cache.clock.advance(12_000);
    expect(cache.topology.shards[minorityShard].primaryNode).toBe(0);
    expect(cache.execute(['SET', m, 'x'])).toBe('OK');
    cache.faults.healNetwork();
    expect(cache.replication.status(minorityShard === 0 ? 1 : 0).replicaState).toBe('syncing');
    cache.clock.advance(1100);
    for (let s = 0; s < cache.shards.length; s++) {
      expect(cache.replication.status(s).replicaState).toBe('online');
      expect(cache.replication.replicaDigest(s)).toBe(cache.replication.digest(s));
    }
  });

  it('with fewer than half of the nodes up, writes stop and promotions wait', () => {
    const big = make({ sku: 'Balanced_B350' });
    expect(big.topology.nodes.length).toBe(6);
    for (const n of [0, 1, 2, 3]) big.faults.failNode(n);
    expect(big.faults.hasQuorum).toBe(false);
    const live = big.topology.nodes[4].primaryShards[0];
    let key = '';
    for (let i = 0; ; i++) if (big.topology.slotToShard[keySlot(`q${i}`)] === live) { key = `q${i}`; break; }
    expect(() => big.execute(['SET', key, 'x'])).toThrow('CLUSTERDOWN The cluster is down');
    expect(big.execute(['GET', key])).toBe(null);
    big.clock.advance(60_000);
    // Node 3's primaries have their replicas on node 4: detected, but not promoted without quorum.
    const stuck = big.topology.shards.filter((s) => big.faults.shardState(s.index).state === 'failing-over');
    expect(stuck.length).toBeGreaterThan(0);
    for (const s of stuck) expect(s.primaryNode).toBe(3);
    big.faults.healNode(0);
    expect(big.faults.hasQuorum).toBe(true);
    expect(big.execute(['SET', key, 'x'])).toBe('OK');
    for (const s of stuck) {
      expect(big.faults.shardState(s.index).state).toBe('up');
      expect(s.primaryNode).toBe(4);
    }
  });
});
