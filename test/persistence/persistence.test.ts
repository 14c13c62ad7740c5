/**
 * The `persistence` option: its validation, CONFIG and INFO persistence, RDB backups on the
 * virtual clock (the interval counted from the end of the previous backup), and recovery of a
 * shard that lost both copies — from the last snapshot (the writes since lost) or from the AOF
 * (at most the last second of writes lost) — reported on the event bus.
 */
import { describe, expect, it } from 'vitest';
import { ManagedRedis, type ManagedRedisOptions } from '../../src/managed-redis.js';
import type { RecordedEvent } from '../../src/events.js';

const T0 = 1_735_689_600_000;

function cache(options: ManagedRedisOptions = {}): ManagedRedis {
  const c = new ManagedRedis({ clock: 'virtual', activeExpiry: false, ...options });
  c.events.record();
  return c;
}

const ofType = (c: ManagedRedis, ...types: string[]): RecordedEvent[] => c.events.history().filter((e) => types.includes(e.type));
const infoField = (c: ManagedRedis, field: string): string => String(c.execute(['INFO', 'persistence'])).match(new RegExp(`${field}:([^\\r]*)`))![1];

/** Both nodes of a 2-node HA cache fail, then node 0 returns. */
function loseEverything(c: ManagedRedis): void {
  c.faults.failNode(0);
  c.faults.failNode(1);
  c.faults.healNode(0);
}

describe('the persistence option', () => {
  it('RDB and AOF exclude each other, and neither goes with geo-replication', () => {
    expect(() => new ManagedRedis({ persistence: { rdb: '1h', aof: '1s' } as never })).toThrow(
      'RDB and AOF persistence are mutually exclusive on AMR: give persistence { rdb } or { aof }, not both',
    );
    expect(() => new ManagedRedis({ sku: 'Balanced_B5', geoReplication: true, persistence: { aof: '1s' } })).toThrow(
      'Data persistence is not available with active geo-replication on AMR',
    );
    expect(() => new ManagedRedis({ persistence: { rdb: '2h' } as never })).toThrow("persistence.rdb must be '1h', '6h' or '12h' (got \"2h\")");
    expect(() => new ManagedRedis({ persistence: { aof: 'always' } as never })).toThrow(/persistence.aof must be '1s'.*'always' is deprecated/);
    expect(() => new ManagedRedis({ persistence: {} as never })).toThrow("persistence must be { rdb: '1h' | '6h' | '12h' } or { aof: '1s' }");
    expect(new ManagedRedis({ persistence: { rdb: '6h' } }).persistence.rdbIntervalMs).toBe(21_600_000);
  });

  it('CONFIG appendonly / save follow it (hidden on AMR, visible with exposeAll)', () => {
    const aof = cache({ persistence: { aof: '1s' } });
    const rdb = cache({ persistence: { rdb: '12h' } });
    const off = cache();
    // AMR answers CONFIG GET only for its subset (azure-facts §2.5).
    expect(() => aof.execute(['CONFIG', 'GET', 'appendonly'])).toThrow('ERR Unsupported CONFIG parameter: appendonly');
    for (const c of [aof, rdb, off]) c.settings.exposeAll = true;
    expect(aof.execute(['CONFIG', 'GET', 'appendonly'])).toEqual(['appendonly', 'yes']);
    expect(aof.execute(['CONFIG', 'GET', 'appendfsync'])).toEqual(['appendfsync', 'everysec']);
    expect(rdb.execute(['CONFIG', 'GET', 'save'])).toEqual(['save', '43200 1']);
    expect(rdb.execute(['CONFIG', 'GET', 'appendonly'])).toEqual(['appendonly', 'no']);
    expect(off.execute(['CONFIG', 'GET', 'save'])).toEqual(['save', '']);
  });

  it('INFO persistence: aof_enabled and the AOF fields Redis adds while the AOF is on', () => {
    const aof = cache({ persistence: { aof: '1s' } });
    aof.execute(['SET', 'k', 'v']);
    expect(infoField(aof, 'aof_enabled')).toBe('1');
    expect(Number(infoField(aof, 'aof_current_size'))).toBeGreaterThan(0);
    expect(infoField(aof, 'aof_delayed_fsync')).toBe('0');
    const off = cache();
    expect(infoField(off, 'aof_enabled')).toBe('0');
    expect(String(off.execute(['INFO', 'persistence']))).not.toContain('aof_current_size');
  });
});

describe('RDB backups on the clock', () => {
  it('every interval, counted from the end of the previous backup; INFO rdb_* follows', () => {
    const c = cache({ persistence: { rdb: '1h' } });
    for (let i = 0; i < 100; i++) c.execute(['SET', `k${i}`, 'x'.repeat(100)]);
    const duration = Math.max(c.replication.resyncDurationMs(0), c.replication.resyncDurationMs(1));
    expect(duration).toBeGreaterThanOrEqual(1000);
    expect(infoField(c, 'rdb_changes_since_last_save')).toBe('100');
    expect(c.persistence.nextBackupAt).toBe(T0 + 3_600_000);
    c.clock.advance(3_600_000);
    expect(infoField(c, 'rdb_bgsave_in_progress')).toBe('1');
    expect(infoField(c, 'rdb_saves')).toBe('0');
    c.clock.advance(duration);
    expect(infoField(c, 'rdb_bgsave_in_progress')).toBe('0');
    expect(infoField(c, 'rdb_saves')).toBe('1');
    expect(infoField(c, 'rdb_last_save_time')).toBe(String(Math.floor((T0 + 3_600_000 + duration) / 1000)));
    expect(infoField(c, 'rdb_changes_since_last_save')).toBe('0');
    // The next starts an hour after this one ended.
    expect(c.persistence.nextBackupAt).toBe(T0 + 3_600_000 + duration + 3_600_000);
    c.clock.advance(3_600_000 + 5_000);
    const snapshots = ofType(c, 'rdb-snapshot');
    expect(snapshots.map((e) => e.time)).toEqual([T0 + 3_600_000 + duration, T0 + 7_200_000 + 2 * duration]);
    expect(snapshots[0].data).toMatchObject({ startedAt: T0 + 3_600_000, durationMs: duration, keys: 100 });
  });
});

describe('recovery after losing both copies of a shard', () => {
  it('without persistence the shard comes back empty (as before)', () => {
    const c = cache({ clusterPolicy: 'NoCluster' });
    c.execute(['SET', 'k', 'v']);
    loseEverything(c);
    expect(c.execute(['DBSIZE'])).toBe(0);
    expect(ofType(c, 'shard-recovered')).toEqual([]);
    expect(ofType(c, 'shard-up').at(-1)!.data).toEqual({ shard: 0, node: 0, dataLost: true, keysLost: 1 });
  });

  it('RDB: the last snapshot comes back; the writes since it are lost and reported', () => {
    const c = cache({ clusterPolicy: 'NoCluster', persistence: { rdb: '1h' } });
    c.execute(['SET', 'before', '1']);
    c.execute(['RPUSH', 'list', 'a', 'b']);
    c.clock.advance(3_600_000 + 10_000); // the first backup has completed
    c.execute(['SET', 'after', '2']);
    c.execute(['RPUSH', 'list', 'c']);
    c.clock.advance(1_000);
    loseEverything(c);
    expect(c.execute(['GET', 'before'])).toBe('1');
    expect(c.execute(['LRANGE', 'list', '0', '-1'])).toEqual(['a', 'b']);
    expect(c.execute(['EXISTS', 'after'])).toBe(0);
    const recovered = ofType(c, 'shard-recovered');
    expect(recovered).toHaveLength(1);
    expect(recovered[0].data).toEqual({
      shard: 0,
      node: 0,
      source: 'rdb',
      asOf: T0 + 3_600_000,
      keysRecovered: 2,
      writesLost: 2,
      keysLost: [Buffer.from('after'), Buffer.from('list')],
    });
    expect(ofType(c, 'shard-up').at(-1)!.data).toEqual({ shard: 0, node: 0, dataLost: true, keysLost: 2 });
  });

  it('RDB before the first backup: the data as it was when persistence started (here: empty)', () => {
    const c = cache({ clusterPolicy: 'NoCluster', persistence: { rdb: '12h' } });
    c.execute(['SET', 'k', 'v']);
    loseEverything(c);
    expect(c.execute(['DBSIZE'])).toBe(0);
    expect(ofType(c, 'shard-recovered')[0].data).toMatchObject({ source: 'rdb', keysRecovered: 0, writesLost: 1 });
  });

  it('AOF: what was fsynced (the last whole second) comes back; at most ~1 s of writes is lost', () => {
    const c = cache({ clusterPolicy: 'NoCluster', persistence: { aof: '1s' } });
    c.execute(['SET', 'a', '1']);
    c.execute(['HSET', 'h', 'f', 'v']);
    c.clock.advance(1_200); // fsynced at T0 + 1000
    c.execute(['SET', 'b', '2']); // durable at T0 + 2000
    c.clock.advance(700);
    c.execute(['HSET', 'h', 'g', 'w']); // T0 + 1900: not fsynced when the node fails
    loseEverything(c);
    expect(c.execute(['GET', 'a'])).toBe('1');
    expect(c.execute(['GET', 'b'])).toBe(null);
    expect(c.execute(['HGETALL', 'h'])).toEqual(['f', 'v']);
    expect(ofType(c, 'shard-recovered')[0].data).toEqual({
      shard: 0,
      node: 0,
      source: 'aof',
      asOf: T0 + 1_900,
      keysRecovered: 2,
      writesLost: 2,
      keysLost: [Buffer.from('b'), Buffer.from('h')],
    });
  });

  it('AOF: nothing lost when the last write was fsynced; a cache without HA recovers on its node', () => {
    const c = cache({ highAvailability: false, persistence: { aof: '1s' } });
    c.execute(['MSET', '{t}a', '1', '{t}b', '2']);
    c.clock.advance(1_000);
    c.faults.failNode(0);
    c.clock.advance(60_000);
    c.faults.healNode(0);
    expect(c.execute(['MGET', '{t}a', '{t}b'])).toEqual(['1', '2']);
    const recovered = ofType(c, 'shard-recovered');
    expect(recovered.map((e) => (e.data as { writesLost: number }).writesLost)).toEqual([0, 0]);
    expect(ofType(c, 'shard-up').map((e) => (e.data as { dataLost: boolean }).dataLost)).toEqual([false, false]);
  });

  it('AOF follows a promoted replica: writes lost in a failover stay lost after a later recovery', () => {
    const c = cache({ clusterPolicy: 'NoCluster', persistence: { aof: '1s' }, replication: { lag: 5_000 } });
    c.execute(['SET', 'kept', '1']);
    c.clock.advance(6_000); // replicated and fsynced
    c.execute(['SET', 'unreplicated', '2']);
    c.clock.advance(1_000); // fsynced, not replicated
    c.faults.failShard(0);
    c.clock.advance(12_000); // the replica is promoted without it
    expect(c.execute(['EXISTS', 'unreplicated'])).toBe(0);
    c.clock.advance(2_000);
    loseEverything(c);
    expect(c.execute(['GET', 'kept'])).toBe('1');
    expect(c.execute(['EXISTS', 'unreplicated'])).toBe(0);
  });

  it('an import is what the AOF recovers afterwards', () => {
    const source = new ManagedRedis({ clock: 'virtual' });
    source.execute(['SET', 'imported', 'yes']);
    const c = cache({ clusterPolicy: 'NoCluster', persistence: { aof: '1s' } });
    c.execute(['SET', 'old', 'x']);
    c.clock.advance(1_000);
    c.importRdb(source.exportRdb());
    loseEverything(c);
    expect(c.execute(['KEYS', '*'])).toEqual(['imported']);
  });
});
