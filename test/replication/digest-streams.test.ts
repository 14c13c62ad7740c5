import { beforeAll, describe, expect, it } from 'vitest';
import { ManagedRedis } from '../../src/index.js';

beforeAll(async () => {
  await new ManagedRedis({ clock: 'virtual' }).ready();
});

describe('dataset digests of streams', () => {
  it('cover entries, groups and pending entries: a lagging replica differs until it catches up', () => {
    const cache = new ManagedRedis({ clock: 'virtual', seed: 1, activeExpiry: false, replication: { lag: 100 } });
    const shard = cache.topology.slotToShard[Number(cache.execute(['CLUSTER', 'KEYSLOT', 's']))];
    cache.execute(['XADD', 's', '1-1', 'f', 'v']);
    cache.execute(['XGROUP', 'CREATE', 's', 'g', '0']);
    cache.clock.advance(200);
    expect(cache.replication.replicaDigest(shard)).toBe(cache.replication.digest(shard));
    const before = cache.replication.digest(shard);
    // A read by a consumer changes only group state (its PEL): the digest sees it.
    cache.execute(['XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '>']);
    const afterRead = cache.replication.digest(shard);
    expect(afterRead).not.toBe(before);
    expect(cache.replication.replicaDigest(shard)).toBe(before);
    cache.clock.advance(200);
    expect(cache.replication.replicaDigest(shard)).toBe(afterRead);
    // A new entry with the same fields but another value is another dataset.
    cache.execute(['XADD', 's', '2-1', 'f', 'w']);
    const other = new ManagedRedis({ clock: 'virtual', seed: 1, activeExpiry: false });
    for (const argv of [['XADD', 's', '1-1', 'f', 'v'], ['XGROUP', 'CREATE', 's', 'g', '0'], ['XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '>'], ['XADD', 's', '2-1', 'f', 'x']]) {
      other.execute(argv);
    }
    expect(other.replication.digest(shard)).not.toBe(cache.replication.digest(shard));
  });
});
