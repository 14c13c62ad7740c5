/**
 * AMR's rules for creating an active geo-replication group (azure-facts.md §6.1 and §1.4: GEO,
 * HA, CONF, OVW): 2 to 5 caches in different regions with identical configuration, high
 * availability on, no persistence, not on Balanced B0/B1 or Flash, only RediSearch and RedisJSON
 * among the modules. Members keep the single-cache geo rules (DEL/MSET/UNLINK single-slot).
 */
import { describe, expect, it } from 'vitest';
import { GeoReplicationGroup, type GeoReplicationGroupOptions, type GeoMemberSpec } from '../../src/index.js';

const two: GeoMemberSpec[] = [
  { name: 'a', region: 'eastus' },
  { name: 'b', region: 'westus' },
];

function create(options: Partial<GeoReplicationGroupOptions>): GeoReplicationGroup {
  return GeoReplicationGroup.create({ nickname: 'g', clock: 'virtual', members: two, ...options });
}

describe('creation rules', () => {
  it('links 2 to 5 caches', () => {
    expect(() => create({ members: [two[0]] })).toThrow('An active geo-replication group links 2 to 5 caches (got 1)');
    const six = ['eastus', 'westus', 'northeurope', 'westeurope', 'japaneast', 'australiaeast'].map((region, i) => ({ name: `m${i}`, region }));
    expect(() => create({ members: six })).toThrow('An active geo-replication group links 2 to 5 caches (got 6)');
    expect(create({ members: six.slice(0, 5) }).caches).toHaveLength(5);
  });

  it('needs distinct regions and names', () => {
    expect(() => create({ members: [two[0], { name: 'b', region: 'eastus' }] })).toThrow(
      'Two members are in eastus: linked caches must be in different regions',
    );
    expect(() => create({ members: [two[0], { name: 'a', region: 'westus' }] })).toThrow('Two members are named a');
  });

  it('needs the same configuration on every member', () => {
    expect(() => create({ members: [two[0], { ...two[1], options: { sku: 'Balanced_B10' } }] })).toThrow(
      'Every cache of a geo-replication group needs the same configuration: sku is "Balanced_B5" on a and "Balanced_B10" on b',
    );
    expect(() => create({ members: [two[0], { ...two[1], options: { evictionPolicy: 'allkeys-lru' } }] })).toThrow(/evictionPolicy/);
    expect(() => create({ members: [two[0], { ...two[1], options: { clusterPolicy: 'Enterprise' } }] })).toThrow(/clusterPolicy/);
    expect(() => create({ members: [two[0], { ...two[1], options: { modules: ['RedisJSON'] } }] })).toThrow(/modules/);
    // Naming the shared value explicitly on one member is the same configuration.
    expect(create({ members: [two[0], { ...two[1], options: { sku: 'Balanced_B5', clusterPolicy: 'OSS' } }] }).caches).toHaveLength(2);
  });

  it('requires high availability and refuses persistence', () => {
    expect(() => create({ highAvailability: false })).toThrow('Active geo-replication requires high availability');
    expect(() => create({ persistence: { aof: '1s' } })).toThrow('Active geo-replication and data persistence are mutually exclusive');
    expect(() => create({ members: [two[0], { ...two[1], options: { persistence: { rdb: '1h' } } }] })).toThrow(/persistence/);
  });

  it('refuses SKUs without geo-replication and modules it does not allow', () => {
    expect(() => create({ sku: 'Balanced_B1' })).toThrow('Active geo-replication is not available on Balanced_B1 (Balanced B0 and B1 do not support it)');
    expect(() => create({ sku: 'FlashOptimized_A250' })).toThrow(/not available on Flash Optimized SKUs/);
    expect(() => create({ modules: ['RedisBloom'] })).toThrow(/RedisBloom/);
    expect(create({ modules: ['RedisJSON'] }).caches[0].modules.map((m) => m.name)).toEqual(['ReJSON']);
  });

  it('validates the lag options', () => {
    expect(() => create({ lag: -1 })).toThrow('lag must be a non-negative number of ms');
    expect(() => create({ jitter: -1 })).toThrow('jitter must be a non-negative number of ms');
  });
});

describe('members', () => {
  it('share one clock, have their own hostnames and keep the geo rules of a single cache', () => {
    const g = create({ clusterPolicy: 'Enterprise' });
    const [a, b] = g.caches;
    expect(a.clock).toBe(b.clock);
    expect(a.clock).toBe(g.clock);
    expect(a.topology.hostname).toBe('a.eastus.redis.azure.net');
    expect(b.topology.hostname).toBe('b.westus.redis.azure.net');
    expect(a.geoReplication).toBe(true);
    expect(() => a.execute(['DEL', 'x', 'y'])).toThrow("CROSSSLOT Keys in request don't hash to the same slot");
    expect(() => a.execute(['FLUSHALL'])).toThrow("ERR unknown command 'FLUSHALL'");
    expect(g.cache('b')).toBe(b);
    expect(() => g.cache('c')).toThrow('No member named c in geo-replication group g');
  });

  it('JSON documents replicate as whole-value last-write-wins', () => {
    const g = create({ modules: ['RedisJSON'], lag: 10 });
    const [a, b] = g.caches;
    a.execute(['JSON.SET', 'doc', '$', '{"a":1}']);
    g.clock.advance(20);
    expect(b.execute(['JSON.GET', 'doc'])).toBe('{"a":1}');
    a.execute(['JSON.SET', 'doc', '$.a', '2']);
    g.clock.advance(1);
    b.execute(['JSON.SET', 'doc', '$.b', '3']);
    g.clock.advance(20);
    for (const c of [a, b]) expect(c.execute(['JSON.GET', 'doc'])).toBe('{"a":1,"b":3}');
  });

  it('streams replicate as whole-value last-write-wins', async () => {
    const g = create({ lag: 10 });
    await g.ready();
    const [a, b] = g.caches;
    a.execute(['XADD', 's', '1-1', 'f', 'v']);
    g.clock.advance(20);
    expect(b.execute(['XLEN', 's'])).toBe(1);
    b.execute(['XADD', 's', '2-1', 'f', 'w']);
    g.clock.advance(20);
    expect(a.execute(['XLEN', 's'])).toBe(2);
    expect(new Set(Object.values(g.digests())).size).toBe(1);
  });
});

describe('clients of members', () => {
  it('transactions and scripts replicate command by command; a BLPOP in one region is served by a push in another', async () => {
    const g = create({ lag: 10 });
    const [a, b] = g.caches;
    const ca = a.createClient();
    const cb = b.createClient();
    await ca.multi().incr('n').incr('n').exec();
    await ca.eval("redis.call('INCRBY', KEYS[1], 5); return redis.call('SADD', KEYS[2], 'm')", 2, '{t}n', '{t}s');
    const popped = cb.blpop('q', 0);
    // Let the BLPOP block (a PING on the same client would now wait behind it, as in Redis).
    await new Promise((resolve) => setImmediate(resolve));
    expect(String(b.execute(['CLIENT', 'LIST']))).toContain('cmd=blpop');
    a.execute(['RPUSH', 'q', 'job']);
    g.clock.advance(20);
    expect(await popped).toEqual(['q', 'job']);
    expect([b.execute(['GET', 'n']), b.execute(['GET', '{t}n']), b.execute(['SMEMBERS', '{t}s'])]).toEqual(['2', '5', ['m']]);
    // The pop in region b replicates back: the list is gone in region a too.
    g.clock.advance(20);
    expect(a.execute(['EXISTS', 'q'])).toBe(0);
    ca.disconnect();
    cb.disconnect();
  });

  it('WATCH in one region sees a write merged from another', async () => {
    const g = create({ lag: 10 });
    const [a, b] = g.caches;
    const cb = b.createClient();
    await cb.watch('k');
    a.execute(['SET', 'k', 'from-a']);
    g.clock.advance(20);
    expect(await cb.multi().set('k', 'from-b').exec()).toBeNull();
    expect(b.execute(['GET', 'k'])).toBe('from-a');
    cb.disconnect();
  });
});
