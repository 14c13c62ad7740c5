/**
 * Region failure and recovery, force-unlink, the control-plane flush, observability (events, the
 * `Geo Replication Healthy` metric, INFO crdt, link lag) and determinism of a geo-replication
 * group. AMR's rules: azure-facts.md §6.1 (REL: "recent writes not yet replicated may be lost",
 * "on recovery the region automatically rejoins and resyncs", no automatic cross-region failover;
 * GEO: force-unlink, flush wipes every linked cache, FLUSHALL/FLUSHDB blocked).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { GeoReplicationGroup, ReplyError, type GeoReplicationGroupOptions } from '../../src/index.js';

function three(extra: Partial<GeoReplicationGroupOptions> = {}): GeoReplicationGroup {
  return GeoReplicationGroup.create({
    nickname: 'drill',
    clock: 'virtual',
    seed: 42,
    lag: 100,
    members: [
      { name: 'east', region: 'eastus' },
      { name: 'west', region: 'westus' },
      { name: 'europe', region: 'northeurope' },
    ],
    ...extra,
  });
}

beforeAll(async () => {
  await three().ready();
});

describe('region failure', () => {
  it('loses exactly the writes no other region had received, and counts them', () => {
    const g = three();
    g.events.record();
    const [east, west, europe] = g.caches;
    for (let i = 0; i < 10; i++) {
      east.execute(['SET', `order:${i}`, String(i)]);
      g.clock.advance(30);
    }
    // Written at 0…270 ms with 100 ms lag: the writes at 210, 240 and 270 ms are still in flight.
    const failure = g.failRegion('east');
    expect(failure.effectsLost).toBe(3);
    expect(failure.keysLost.map(String)).toEqual(['order:7', 'order:8', 'order:9']);
    g.clock.advance(1000);
    for (const c of [west, europe]) {
      expect(c.execute(['EXISTS', 'order:6'])).toBe(1);
      expect(c.execute(['EXISTS', 'order:7'])).toBe(0);
    }
    const down = g.events.history().find((e) => e.type === 'geo-region-down');
    expect(down?.data).toEqual({ member: 'east', region: 'eastus', effectsLost: 3, keysLost: failure.keysLost });
  });

  it('a write one surviving region had received is handed on to the others, not lost', () => {
    const g = three({ lag: (link) => (link.to === 'europe' ? 500 : 50) });
    const [east, west, europe] = g.caches;
    east.execute(['SET', 'k', 'v']);
    g.clock.advance(60);
    expect(west.execute(['GET', 'k'])).toBe('v');
    expect(europe.execute(['GET', 'k'])).toBe(null);
    expect(g.failRegion('east').effectsLost).toBe(0);
    g.clock.advance(500);
    expect(europe.execute(['GET', 'k'])).toBe('v');
  });

  it('the failed region refuses commands; the others keep serving (no cross-region failover)', async () => {
    const g = three();
    const [east, west] = g.caches;
    east.execute(['SET', 'a', '1']);
    g.clock.advance(200);
    const client = east.createClient();
    await client.ping();
    const errors: Error[] = [];
    client.on('error', (e: Error) => errors.push(e));
    g.failRegion('east');
    expect(() => east.execute(['GET', 'a'])).toThrow(/ECONNREFUSED/);
    expect(errors.length).toBeGreaterThan(0);
    expect(west.execute(['GET', 'a'])).toBe('1');
    west.execute(['SET', 'b', '2']);
    expect(g.healthMetric).toBe(0);
    client.disconnect();
  });

  it('peers keep what they cannot hand off while a region is down; recovery resyncs and converges', () => {
    const g = three();
    g.events.record();
    const [east, west, europe] = g.caches;
    east.execute(['SADD', 's', 'a']);
    g.clock.advance(200);
    g.failRegion('east');
    const before = g.status()[0];
    for (let i = 0; i < 20; i++) west.execute(['SADD', 's', `w${i}`]);
    europe.execute(['INCRBY', 'n', '5']);
    g.clock.advance(1000);
    const held = g.status()[0];
    expect(held.state).toBe('down');
    expect(held.undeliveredBatches).toBe(before.undeliveredBatches + 21);
    expect(held.undeliveredBytes).toBeGreaterThan(before.undeliveredBytes);
    g.recoverRegion('east');
    expect(g.status()[0]).toMatchObject({ state: 'up', undeliveredBatches: 0, undeliveredBytes: 0 });
    expect(east.execute(['SCARD', 's'])).toBe(21);
    expect(east.execute(['GET', 'n'])).toBe('5');
    // The recovered region writes again, and every region converges.
    east.execute(['INCRBY', 'n', '1']);
    g.clock.advance(200);
    const digests = Object.values(g.digests());
    expect(digests).toHaveLength(3);
    expect(new Set(digests).size).toBe(1);
    const types = g.events.history().filter((e) => e.type.startsWith('geo-') && e.type !== 'geo-sync').map((e) => [e.type, e.data]);
    expect(types).toEqual([
      ['geo-region-down', { member: 'east', region: 'eastus', effectsLost: 0, keysLost: [] }],
      ['geo-replication-health', { healthy: false, value: 0, membersDown: ['east'] }],
      ['geo-region-up', { member: 'east', region: 'eastus', source: 'west', keys: 2 }],
      ['geo-replication-health', { healthy: true, value: 1, membersDown: [] }],
    ]);
  });

  it('force-unlink of a dead region releases what the peers held for it', () => {
    const g = three();
    const [, west] = g.caches;
    g.failRegion('east');
    west.execute(['SET', 'x', '1']);
    expect(g.status()[0].undeliveredBatches).toBe(1);
    g.forceUnlink('east');
    expect(g.status()[0]).toMatchObject({ state: 'unlinked', undeliveredBatches: 0 });
    expect(g.healthMetric).toBe(1);
    expect(() => g.recoverRegion('east')).toThrow('east was force-unlinked: delete and recreate the cache to rejoin');
    expect(g.linkStatus().map((l) => `${l.from}->${l.to}`)).toEqual(['west->europe', 'europe->west']);
  });

  it('a live member force-unlinked ships what it has in flight, then runs alone', () => {
    const g = three();
    const [east, west] = g.caches;
    east.execute(['SET', 'k', '1']);
    g.forceUnlink('east');
    expect(west.execute(['GET', 'k'])).toBe('1');
    east.execute(['SET', 'k', '2']);
    g.clock.advance(1000);
    expect(west.execute(['GET', 'k'])).toBe('1');
    expect(east.execute(['INFO', 'crdt'])).toBe('');
  });

  it('an in-region failover loses nothing the region had captured: its keyspace is reconciled', () => {
    const g = three({ replication: { lag: 500 } });
    const [east, west] = g.caches;
    east.execute(['SET', 'k', 'v']);
    // The replica is 500 ms behind: the promotion after detection swaps in a copy without k.
    east.faults.failShard(east.shards.findIndex((s) => s.keyspace.valueOf('k') !== undefined));
    g.clock.advance(20_000);
    expect(east.execute(['GET', 'k'])).toBe('v');
    expect(west.execute(['GET', 'k'])).toBe('v');
  });
});

describe('control plane and observability', () => {
  it('flush wipes every linked cache and drops writes in flight; FLUSHALL and FLUSHDB stay blocked', () => {
    const g = three();
    g.events.record();
    const [east, west, europe] = g.caches;
    east.execute(['SET', 'a', '1']);
    g.clock.advance(200);
    west.execute(['SET', 'b', '2']);
    g.flush();
    g.clock.advance(1000);
    for (const c of g.caches) expect(c.execute(['DBSIZE'])).toBe(0);
    expect(() => europe.execute(['FLUSHALL'])).toThrow(ReplyError);
    expect(() => europe.execute(['FLUSHDB'])).toThrow("ERR unknown command 'FLUSHDB', with args beginning with: ");
    expect(g.events.history().find((e) => e.type === 'geo-flush')?.data).toEqual({ members: ['east', 'west', 'europe'] });
    east.execute(['SET', 'c', '3']);
    g.clock.advance(200);
    expect(europe.execute(['GET', 'c'])).toBe('3');
  });

  it('link status shows batches in flight and their age; geo-sync reports deliveries', () => {
    const g = three();
    const syncs: unknown[] = [];
    g.events.on('geo-sync', ({ time: _t, ...e }) => syncs.push(e));
    const [east] = g.caches;
    east.execute(['SET', 'a', '1']);
    g.clock.advance(40);
    east.execute(['SET', 'b', '2']);
    g.clock.advance(20);
    const link = g.linkStatus().find((l) => l.from === 'east' && l.to === 'west')!;
    expect(link).toMatchObject({ pendingBatches: 2, lagMs: 60, appliedBatches: 0 });
    g.clock.advance(100);
    expect(syncs).toEqual([
      { from: 'east', to: 'west', batches: 1, lagMs: 100 },
      { from: 'east', to: 'europe', batches: 1, lagMs: 100 },
      { from: 'east', to: 'west', batches: 1, lagMs: 100 },
      { from: 'east', to: 'europe', batches: 1, lagMs: 100 },
    ]);
  });

  it('INFO crdt lists the group, the clock, pending metadata and each peer', () => {
    const g = three();
    const [east, west] = g.caches;
    east.execute(['SET', 'a', '1']);
    g.clock.advance(30);
    const info = String(west.execute(['INFO', 'crdt']));
    expect(info).toContain('# CRDT\r\n');
    expect(info).toContain('crdt_group_nickname:drill\r\n');
    expect(info).toContain('crdt_ovc:1:0,2:0,3:0\r\n');
    expect(info).toContain('crdt_geo_replication_healthy:1\r\n');
    expect(info).toContain('peer0:name=east,region=eastus,state=up,pending_batches=1,pending_bytes=27,lag_ms=30\r\n');
    g.clock.advance(100);
    expect(String(west.execute(['INFO', 'crdt']))).toContain('crdt_ovc:1:1,2:0,3:0\r\n');
    expect(String(west.execute(['INFO']))).not.toContain('# CRDT');
  });

  it('the same seed and script give the same outcome (jittered lags included)', () => {
    const runOnce = (): unknown => {
      const g = three({ jitter: 80, seed: 9 });
      g.events.record();
      const [east, west, europe] = g.caches;
      for (let i = 0; i < 30; i++) {
        const tryOn = (c: (typeof g.caches)[number], argv: string[]): void => {
          try {
            c.execute(argv);
          } catch (e) {
            if (!String(e).includes('ECONNREFUSED')) throw e;
          }
        };
        tryOn([east, west, europe][i % 3], ['INCRBY', 'n', String(i)]);
        tryOn([east, west, europe][(i + 1) % 3], ['RPUSH', 'l', `e${i}`]);
        g.clock.advance(17);
        if (i === 12) g.failRegion('west');
        if (i === 20) g.recoverRegion('west');
      }
      g.clock.advance(1000);
      return { digests: g.digests(), events: g.events.history().map((e) => [e.type, e.time, JSON.stringify(e.data)]) };
    };
    const a = runOnce();
    expect(runOnce()).toEqual(a);
  });
});
