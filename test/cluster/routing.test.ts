/**
 * Key routing by slot and the multi-key rules of each policy (azure-facts §2.4):
 * keys land in the shard owning their slot; OSS refuses cross-slot multi-key commands; Enterprise
 * fans DEL/EXISTS/MGET/MSET/UNLINK/TOUCH out over the shards; geo-replication makes DEL/MSET/UNLINK
 * single-slot again; NoCluster has no slot checks.
 *
 * Tests whose commands are not implemented yet are skipped (listed by `it.runIf`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManagedRedis, type ManagedRedisOptions } from '../../src/managed-redis.js';
import { keySlot } from '../../src/cluster/slots.js';
import { keyName } from '../../src/keyspace/bytes.js';

const CROSSSLOT = "CROSSSLOT Keys in request don't hash to the same slot";

const probe = new ManagedRedis({ clock: 'virtual', activeExpiry: false });
const has = (...names: string[]) => names.every((n) => probe.commands.has(n));
probe.close();

const caches: ManagedRedis[] = [];
afterEach(() => {
  for (const c of caches.splice(0)) c.close();
});

function cache(options: ManagedRedisOptions = {}): ManagedRedis {
  const c = new ManagedRedis({ clock: 'virtual', seed: 9, ...options });
  caches.push(c);
  return c;
}

function error(c: ManagedRedis, argv: Array<string | Buffer>): string {
  try {
    c.execute(argv);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`${argv.join(' ')} did not fail`);
}

/** Indexes of the shards holding `key`. */
function holders(c: ManagedRedis, key: string | Buffer): number[] {
  return c.shards.filter((s) => s.keyspace.holds(keyName(key))).map((s) => s.index);
}

function ownerOf(c: ManagedRedis, key: string | Buffer): number {
  return c.topology.slotToShard[keySlot(key)];
}

/** `count` keys that live on pairwise different shards of `c`. */
function keysOnDifferentShards(c: ManagedRedis, count: number): string[] {
  const byShard = new Map<number, string>();
  for (let i = 0; byShard.size < count; i++) {
    const key = `key:${i}`;
    if (!byShard.has(ownerOf(c, key))) byShard.set(ownerOf(c, key), key);
  }
  return [...byShard.values()];
}

/** Two keys in different slots of the same shard. */
function keysInOneShardTwoSlots(c: ManagedRedis): [string, string] {
  for (let i = 1; ; i++) {
    const a = 'k0';
    const b = `k${i}`;
    if (ownerOf(c, a) === ownerOf(c, b) && keySlot(a) !== keySlot(b)) return [a, b];
  }
}

describe('routing', () => {
  it.runIf(has('set', 'get'))('stores every key in the shard that owns its slot, and only there', () => {
    const c = cache({ sku: 'Balanced_B20' }); // 6 shards
    const keys = [...Array.from({ length: 200 }, (_, i) => `user:${i}`), '{tag}a', '{tag}b', 'café', Buffer.from([0xff, 0, 1])];
    for (const key of keys) expect(c.execute(['SET', key, 'v'])).toBe('OK');
    for (const key of keys) {
      expect(holders(c, key)).toEqual([ownerOf(c, key)]);
      expect(c.execute(['GET', key])).toBe('v');
    }
    // The keys really are spread over all six shards.
    expect(new Set(keys.map((k) => ownerOf(c, k))).size).toBe(6);
    expect(c.shards.reduce((n, s) => n + s.keyspace.size, 0)).toBe(keys.length);
  });

  it.runIf(has('set', 'get'))('routes a key the same way from any connection', () => {
    const c = cache();
    const onNode1 = c.openClient({ name: null, node: 1 });
    c.executeReply(['SET', 'somekey', 'x'], onNode1);
    expect(holders(c, 'somekey')).toEqual([ownerOf(c, 'somekey')]);
  });

  it.runIf(has('set'))('puts everything in one shard under NoCluster', () => {
    const c = cache({ clusterPolicy: 'NoCluster' });
    expect(c.shards).toHaveLength(1);
    for (const key of ['a', 'b', 'c']) c.execute(['SET', key, '1']);
    expect(c.shards[0].keyspace.size).toBe(3);
  });
});

describe('OSS policy: every key of a command in one slot', () => {
  it.runIf(has('mset', 'mget', 'del', 'exists'))('refuses MSET/MGET/DEL/EXISTS across slots, even within one shard', () => {
    const c = cache();
    expect(error(c, ['MSET', 'a', '1', 'b', '2'])).toBe(CROSSSLOT);
    const [x, y] = keysInOneShardTwoSlots(c);
    expect(error(c, ['MSET', x, '1', y, '2'])).toBe(CROSSSLOT);
    expect(error(c, ['MGET', x, y])).toBe(CROSSSLOT);
    expect(error(c, ['DEL', x, y])).toBe(CROSSSLOT);
    expect(error(c, ['EXISTS', x, y])).toBe(CROSSSLOT);
    // Nothing was written by the refused MSETs.
    expect(c.shards.every((s) => s.keyspace.size === 0)).toBe(true);
  });

  it.runIf(has('mset', 'mget', 'del', 'exists'))('accepts multi-key commands whose keys share a hash tag', () => {
    const c = cache();
    expect(c.execute(['MSET', '{u1}.name', 'ann', '{u1}.age', '7'])).toBe('OK');
    expect(holders(c, '{u1}.name')).toEqual([ownerOf(c, 'u1')]);
    expect(holders(c, '{u1}.age')).toEqual([ownerOf(c, 'u1')]);
    expect(c.execute(['MGET', '{u1}.name', '{u1}.age', '{u1}.none'])).toEqual(['ann', '7', null]);
    expect(c.execute(['EXISTS', '{u1}.name', '{u1}.age', '{u1}.name'])).toBe(3);
    expect(c.execute(['DEL', '{u1}.name', '{u1}.age'])).toBe(2);
  });

  it.runIf(has('mset', 'unlink', 'touch'))('refuses UNLINK and TOUCH across slots', () => {
    const c = cache();
    expect(error(c, ['UNLINK', 'a', 'b'])).toBe(CROSSSLOT);
    expect(error(c, ['TOUCH', 'a', 'b'])).toBe(CROSSSLOT);
  });
});

describe('Enterprise policy: DEL, EXISTS, MGET, MSET, UNLINK, TOUCH fan out', () => {
  it.runIf(has('mset', 'mget'))('MSET writes each key to its own shard; MGET answers in argument order', () => {
    const c = cache({ clusterPolicy: 'Enterprise', sku: 'Balanced_B20' });
    const keys = keysOnDifferentShards(c, 6);
    const argv = ['MSET', ...keys.flatMap((k, i) => [k, `v${i}`])];
    expect(c.execute(argv)).toBe('OK');
    for (const key of keys) expect(holders(c, key)).toEqual([ownerOf(c, key)]);
    const reversed = [...keys].reverse();
    expect(c.execute(['MGET', ...reversed, 'missing'])).toEqual([...reversed.map((k) => `v${keys.indexOf(k)}`), null]);
  });

  it.runIf(has('mset', 'exists', 'del'))('EXISTS and DEL add up the counts of every shard', () => {
    const c = cache({ clusterPolicy: 'Enterprise', sku: 'Balanced_B20' });
    const keys = keysOnDifferentShards(c, 4);
    c.execute(['MSET', ...keys.flatMap((k) => [k, 'x'])]);
    expect(c.execute(['EXISTS', ...keys, keys[0], 'nope'])).toBe(5);
    expect(c.execute(['DEL', ...keys, 'nope'])).toBe(4);
    expect(c.shards.every((s) => s.keyspace.size === 0)).toBe(true);
  });

  it.runIf(has('mset', 'unlink', 'touch'))('UNLINK and TOUCH fan out too', () => {
    const c = cache({ clusterPolicy: 'Enterprise' });
    const keys = keysOnDifferentShards(c, 2);
    c.execute(['MSET', keys[0], '1', keys[1], '2']);
    expect(c.execute(['TOUCH', ...keys, 'nope'])).toBe(2);
    expect(c.execute(['UNLINK', ...keys])).toBe(2);
  });

  it.runIf(has('msetnx'))('still refuses other multi-key commands across slots (MSETNX)', () => {
    const c = cache({ clusterPolicy: 'Enterprise' });
    const keys = keysOnDifferentShards(c, 2);
    expect(error(c, ['MSETNX', keys[0], '1', keys[1], '2'])).toBe(CROSSSLOT);
  });

  it.runIf(has('mset', 'mget', 'exists', 'touch', 'del', 'unlink'))(
    'with geo-replication, DEL/MSET/UNLINK must be single-slot; MGET/EXISTS/TOUCH still cross slots',
    () => {
      const c = cache({ clusterPolicy: 'Enterprise', geoReplication: true });
      const [a, b] = keysOnDifferentShards(c, 2);
      expect(error(c, ['MSET', a, '1', b, '2'])).toBe(CROSSSLOT);
      expect(c.execute(['MSET', `{${a}}x`, '1', `{${a}}y`, '2'])).toBe('OK');
      c.execute(['SET', a, '1']);
      c.execute(['SET', b, '2']);
      expect(c.execute(['MGET', a, b])).toEqual(['1', '2']);
      expect(c.execute(['EXISTS', a, b])).toBe(2);
      expect(c.execute(['TOUCH', a, b])).toBe(2);
      expect(error(c, ['DEL', a, b])).toBe(CROSSSLOT);
      expect(error(c, ['UNLINK', a, b])).toBe(CROSSSLOT);
      expect(c.execute(['DEL', a])).toBe(1);
    },
  );

  it.runIf(has('mset', 'del'))('geo-replication under OSS changes nothing: cross-slot is refused anyway', () => {
    const c = cache({ geoReplication: true });
    expect(error(c, ['MSET', 'a', '1', 'b', '2'])).toBe(CROSSSLOT);
  });
});

describe('NoCluster policy: no slot checks', () => {
  it.runIf(has('mset', 'mget', 'del', 'exists'))('runs cross-slot multi-key commands', () => {
    const c = cache({ clusterPolicy: 'NoCluster' });
    expect(c.execute(['MSET', 'a', '1', 'b', '2'])).toBe('OK');
    expect(c.execute(['MGET', 'a', 'b'])).toEqual(['1', '2']);
    expect(c.execute(['EXISTS', 'a', 'b'])).toBe(2);
    expect(c.execute(['DEL', 'a', 'b'])).toBe(2);
  });

  it.runIf(has('msetnx'))('even MSETNX across slots', () => {
    const c = cache({ clusterPolicy: 'NoCluster', geoReplication: true });
    expect(c.execute(['MSETNX', 'a', '1', 'b', '2'])).toBe(1);
  });
});
