/**
 * RedisBloom 2.8's Cuckoo filters (`CF.*`) on a cache created with `modules: ['RedisBloom']`.
 *
 * There is no RedisBloom server here. Expectations come from the command docs (RedisBloom
 * `docs/commands/cf.*.md`, cited as `docs cf.x`) and the module's source (`src/rebloom.c`,
 * `src/cuckoo.c`, `src/cf.c`/`cf.h`; cited as `source`). The docs' CF.SCANDUMP example pins the
 * hashing: `item1` in a filter of 4 buckets of 2 lands as fingerprint 7 at byte 4.
 */
import { describe, expect, it } from 'vitest';
import { ManagedRedis } from '../../src/managed-redis.js';
import { harness, type HarnessOptions } from '../support/command-harness.js';
import { moduleHarness } from '../support/short-reply.js';

const bloom = (options: HarnessOptions = {}) => moduleHarness('RedisBloom', options);

const infoOf = (size: number, buckets: number, filters: number, items: number, deleted: number, bucketSize: number, expansion: number, maxIter: number) => [
  '+Size', size, '+Number of buckets', buckets, '+Number of filters', filters, '+Number of items inserted', items,
  '+Number of items deleted', deleted, '+Bucket size', bucketSize, '+Expansion rate', expansion, '+Max iterations', maxIter,
];

const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value';

describe('Cuckoo filters: registration', () => {
  it('CF.* exist only with the module; TYPE MBbloomCF; COMMAND INFO as the module registers them', () => {
    expect(harness().run('CF.ADD', 'k', 'a')[0]).toBe('-');
    const h = bloom();
    expect(h.r('CF.ADD', 'k', 'a')).toBe(1);
    expect(h.r('TYPE', 'k')).toBe('+MBbloomCF');
    expect(h.r('OBJECT', 'ENCODING', 'k')).toBe('raw');
    const add = (h.r('COMMAND', 'INFO', 'cf.add') as unknown[][])[0];
    expect(add.slice(0, 6)).toEqual(['cf.add', -1, ['+write', '+denyoom', '+module'], 1, 1, 1]);
    const count = (h.r('COMMAND', 'INFO', 'cf.count') as unknown[][])[0];
    expect(count.slice(0, 3)).toEqual(['cf.count', -1, ['+readonly', '+fast', '+module']]);
    expect(h.r('COMMAND', 'DOCS', 'cf.info')).toEqual(['cf.info', ['group', 'module', 'module', 'bf']]);
  });
});

describe('Cuckoo filters: layout and hashing', () => {
  it('docs cf.info: CF.RESERVE cf 1000 is 512 buckets of 2, Size 1080', () => {
    const h = bloom();
    expect(h.r('CF.RESERVE', 'cf', '1000')).toBe('+OK');
    expect(h.r('CF.INFO', 'cf')).toEqual(infoOf(1080, 512, 1, 0, 0, 2, 1, 20));
    // CF.ADD creates a filter with the module default capacity 1000: the same figures.
    h.r('CF.ADD', 'auto', 'x');
    expect(h.r('CF.INFO', 'auto')).toEqual(infoOf(1080, 512, 1, 1, 0, 2, 1, 20));
  });

  it('docs cf.scandump: header, then the bucket bytes with item1 as fingerprint 7 at byte 4, then (0, nil)', () => {
    const h = bloom();
    expect(h.r('CF.RESERVE', 'cf', '8')).toBe('+OK');
    expect(h.r('CF.ADD', 'cf', 'item1')).toBe(1);
    const header = h.cache.executeBuffer(['CF.SCANDUMP', 'cf', '0']) as [number, Buffer];
    expect(header[0]).toBe(1);
    // numItems 1, numBuckets 4, numDeletes 0, numFilters 1 (u64 each), bucket size 2, max iterations 20, expansion 1 (u16).
    expect(header[1].toString('hex')).toBe('0100000000000000' + '0400000000000000' + '0000000000000000' + '0100000000000000' + '0200' + '1400' + '0100');
    const data = h.cache.executeBuffer(['CF.SCANDUMP', 'cf', '1']) as [number, Buffer];
    expect(data[0]).toBe(9);
    expect([...data[1]]).toEqual([0, 0, 0, 0, 7, 0, 0, 0]);
    expect(h.r('CF.SCANDUMP', 'cf', '9')).toEqual([0, null]);
    // docs: loading the chunks back (here the docs' 46-byte header, with its trailing pointer) restores the filter.
    const docsHeader = Buffer.concat([header[1], Buffer.from('389ae0d8c37f0000', 'hex')]);
    expect(h.cache.execute(['CF.LOADCHUNK', 'copy', '1', docsHeader])).toBe('OK');
    expect(h.cache.execute(['CF.LOADCHUNK', 'copy', '9', data[1]])).toBe('OK');
    expect(h.r('CF.EXISTS', 'copy', 'item1')).toBe(1);
    expect(h.r('CF.INFO', 'copy')).toEqual(h.r('CF.INFO', 'cf'));
  });

  it('docs cf.insert: a 2-slot filter without expansion takes the same item twice, then answers -1', () => {
    const h = bloom();
    expect(h.r('CF.RESERVE', 'cf2', '2', 'BUCKETSIZE', '1', 'EXPANSION', '0')).toBe('+OK');
    expect(h.r('CF.INSERT', 'cf2', 'ITEMS', '1', '1', '1', '1')).toEqual([1, 1, -1, -1]);
    expect(h.r('CF.ADD', 'cf2', '1')).toBe('-Filter is full');
    expect(h.r('CF.COUNT', 'cf2', '1')).toBe(2);
  });

  it('source CuckooFilter_Grow: a full filter grows by expansion (rounded to a power of two); compaction drops emptied sub-filters', () => {
    const h = bloom();
    expect(h.r('CF.RESERVE', 'g', '4', 'BUCKETSIZE', '1', 'EXPANSION', '3')).toBe('+OK');
    const items = Array.from({ length: 20 }, (_, i) => `i${i}`);
    expect(h.r('CF.INSERT', 'g', 'ITEMS', ...items)).toEqual(items.map(() => 1));
    const info = h.r('CF.INFO', 'g') as unknown[];
    // Expansion 3 becomes 4: sub-filters of 4, 16, 64 … buckets.
    expect(info[13]).toBe(4);
    const filters = info[5] as number;
    expect(filters).toBeGreaterThan(1);
    const buckets = Array.from({ length: filters }, (_, i) => 4 * 4 ** i).reduce((a, b) => a + b, 0);
    expect(info[1]).toBe(40 + 16 * filters + buckets);
    expect(h.r('CF.MEXISTS', 'g', ...items)).toEqual(items.map(() => 1));
    for (const item of items) expect(h.r('CF.DEL', 'g', item)).toBe(1);
    const after = h.r('CF.INFO', 'g') as unknown[];
    expect(after[5]).toBe(1);
    expect(after[7]).toBe(0);
  });

  it('kick-outs move fingerprints between buckets: a filter holds items up to its slot count', () => {
    const h = bloom();
    h.r('CF.RESERVE', 'k', '64', 'BUCKETSIZE', '4', 'EXPANSION', '0', 'MAXITERATIONS', '500');
    const items = Array.from({ length: 64 }, (_, i) => `member:${i}`);
    const replies = h.r('CF.INSERT', 'k', 'ITEMS', ...items) as number[];
    // 16 buckets of 4: relocation fills most slots before the first refusal.
    const firstFull = replies.indexOf(-1);
    expect(firstFull === -1 || firstFull > 48).toBe(true);
    const inserted = items.filter((_, i) => replies[i] === 1);
    expect(h.r('CF.MEXISTS', 'k', ...inserted)).toEqual(inserted.map(() => 1));
  });
});

describe('Cuckoo filters: commands', () => {
  it('docs cf.add / cf.addnx / cf.exists / cf.mexists / cf.count / cf.del', () => {
    const h = bloom();
    expect(h.r('CF.ADD', 'cf', 'item1')).toBe(1);
    expect(h.r('CF.ADD', 'cf', 'item1')).toBe(1);
    expect(h.r('CF.ADDNX', 'cf', 'item1')).toBe(0);
    expect(h.r('CF.ADDNX', 'cf', 'item3')).toBe(1);
    expect(h.r('CF.EXISTS', 'cf', 'item1')).toBe(1);
    expect(h.r('CF.EXISTS', 'cf', 'item2')).toBe(0);
    expect(h.r('CF.MEXISTS', 'cf', 'item1', 'item2', 'item3')).toEqual([1, 0, 1]);
    // docs cf.count / cf.del
    expect(h.r('CF.INSERT', 'c', 'ITEMS', 'item1', 'item2', 'item2')).toEqual([1, 1, 1]);
    expect(h.r('CF.COUNT', 'c', 'item1')).toBe(1);
    expect(h.r('CF.COUNT', 'c', 'item2')).toBe(2);
    expect(h.r('CF.DEL', 'c', 'item1')).toBe(1);
    expect(h.r('CF.DEL', 'c', 'item1')).toBe(0);
    expect(h.r('CF.DEL', 'c', 'item2')).toBe(1);
    expect(h.r('CF.DEL', 'c', 'item2')).toBe(1);
    expect(h.r('CF.DEL', 'c', 'item2')).toBe(0);
    expect(h.r('CF.INFO', 'c')).toEqual(infoOf(1080, 512, 1, 0, 3, 2, 1, 20));
    // source CFCheck: a missing key or another type reads as empty.
    expect(h.r('CF.EXISTS', 'none', 'a')).toBe(0);
    expect(h.r('CF.COUNT', 'none', 'a')).toBe(0);
    h.r('SET', 's', 'v');
    expect(h.r('CF.MEXISTS', 's', 'a')).toEqual([0]);
    expect(h.r('CF.ADD', 's', 'a')).toBe(WRONGTYPE);
    expect(h.r('CF.INFO', 's')).toBe(WRONGTYPE);
    expect(h.r('CF.DEL', 's', 'a')).toBe('-Not found');
    expect(h.r('CF.DEL', 'none', 'a')).toBe('-Not found');
    expect(h.r('CF.INFO', 'none')).toBe('-ERR not found');
    expect(h.r('CF.ADD', 'cf')).toBe("-ERR wrong number of arguments for 'cf.add' command");
    expect(h.r('CF.EXISTS', 'cf', 'a', 'b')).toBe("-ERR wrong number of arguments for 'cf.exists' command");
    expect(h.r('CF.INFO', 'cf', 'x')).toBe("-ERR wrong number of arguments for 'cf.info' command");
  });

  it('RESP3: booleans for CF.ADD/ADDNX/EXISTS/MEXISTS/DEL, integers for CF.INSERT and CF.COUNT, a map for CF.INFO', () => {
    const h = bloom({ resp: 3 });
    expect(h.r('CF.ADD', 'k', 'a')).toBe('#true');
    expect(h.r('CF.ADDNX', 'k', 'a')).toBe('#false');
    expect(h.r('CF.MEXISTS', 'k', 'a', 'z')).toEqual(['#true', '#false']);
    expect(h.r('CF.INSERTNX', 'k', 'ITEMS', 'a', 'b')).toEqual([0, 1]);
    expect(h.r('CF.COUNT', 'k', 'a')).toBe(1);
    expect(h.r('CF.DEL', 'k', 'a')).toBe('#true');
    expect((h.r('CF.INFO', 'k') as unknown[])[0]).toEqual(['+Size', 1080]);
  });

  it('source CFReserve: options, ranges and their texts; nothing is created on an error', () => {
    const h = bloom();
    expect(h.r('CF.RESERVE', 'a', '1000', 'BUCKETSIZE', '8', 'MAXITERATIONS', '20', 'EXPANSION', '2')).toBe('+OK');
    expect(h.r('CF.INFO', 'a')).toEqual(infoOf(40 + 16 + 128 * 8, 128, 1, 0, 0, 8, 2, 20));
    expect(h.r('CF.RESERVE', 'a', '1000')).toBe('-ERR item exists');
    expect(h.r('CF.RESERVE', 'b', 'x')).toBe('-Bad capacity');
    expect(h.r('CF.RESERVE', 'b', '1000', 'BUCKETSIZE', 'x')).toBe("-Couldn't parse BUCKETSIZE");
    expect(h.r('CF.RESERVE', 'b', '1000', 'BUCKETSIZE', '256')).toBe('-BUCKETSIZE: value must be an integer between 1 and 255, inclusive.');
    expect(h.r('CF.RESERVE', 'b', '1000', 'MAXITERATIONS', '0')).toBe('-MAXITERATIONS: value must be an integer between 1 and 65535, inclusive.');
    expect(h.r('CF.RESERVE', 'b', '1000', 'MAXITERATIONS', 'q')).toBe("-Couldn't parse MAXITERATIONS");
    expect(h.r('CF.RESERVE', 'b', '1000', 'EXPANSION', '-1')).toBe('-EXPANSION: value must be an integer between 0 and 32768, inclusive.');
    expect(h.r('CF.RESERVE', 'b', '1000', 'EXPANSION', 'q')).toBe("-Couldn't parse EXPANSION");
    expect(h.r('CF.RESERVE', 'b', '3')).toBe('-Capacity must be at least (BucketSize * 2)');
    expect(h.r('CF.RESERVE', 'b', '100', 'BUCKETSIZE', '60')).toBe('-Capacity must be at least (BucketSize * 2)');
    expect(h.r('CF.RESERVE', 'b', '100', 'BUCKETSIZE')).toBe("-ERR wrong number of arguments for 'cf.reserve' command");
    expect(h.r('CF.RESERVE', 'b')).toBe("-ERR wrong number of arguments for 'cf.reserve' command");
    expect(h.r('EXISTS', 'b')).toBe(0);
  });

  it('source CFInsert: CAPACITY, NOCREATE, ITEMS by first letter; errors', () => {
    const h = bloom();
    expect(h.r('CF.INSERT', 'cf', 'CAPACITY', '1000', 'ITEMS', 'item1', 'item2')).toEqual([1, 1]);
    expect(h.r('CF.INSERT', 'small', 'CAPACITY', '8', 'ITEMS', 'a')).toEqual([1]);
    expect((h.r('CF.INFO', 'small') as unknown[])[3]).toBe(4);
    expect(h.r('CF.INSERT', 'cf1', 'CAPACITY', '1000', 'NOCREATE', 'ITEMS', 'item1')).toBe('-ERR not found');
    expect(h.r('CF.INSERTNX', 'cf', 'NOCREATE', 'ITEMS', 'item1', 'item3')).toEqual([0, 1]);
    expect(h.r('CF.INSERT', 'x', 'CAPACITY', 'q', 'ITEMS', 'a')).toBe('-Bad capacity');
    expect(h.r('CF.INSERT', 'x', 'CAPACITY', '3', 'ITEMS', 'a')).toBe('-Capacity must be at least (BucketSize * 2)');
    expect(h.r('CF.INSERT', 'x', 'BOGUS', 'ITEMS', 'a')).toBe('-Unknown argument received');
    expect(h.r('CF.INSERT', 'x', 'CAPACITY', '10', 'ITEMS')).toBe("-ERR wrong number of arguments for 'cf.insert' command");
    expect(h.r('CF.INSERT', 'x', 'ITEMS')).toBe("-ERR wrong number of arguments for 'cf.insert' command");
    expect(h.r('EXISTS', 'x', 'cf1')).toBe(0);
  });

  it('source cfInsertCommon: CF_MAX_EXPANSIONS caps the number of sub-filters', () => {
    const h = bloom({ modules: [{ name: 'RedisBloom', args: 'CF_MAX_EXPANSIONS 2' }] });
    h.r('CF.RESERVE', 'k', '2', 'BUCKETSIZE', '1', 'EXPANSION', '1');
    const replies = [];
    for (let i = 0; i < 12 && replies.at(-1) !== '-Maximum expansions reached'; i++) replies.push(h.r('CF.ADD', 'k', `v${i}`));
    expect(replies.at(-1)).toBe('-Maximum expansions reached');
    expect((h.r('CF.INFO', 'k') as unknown[])[5]).toBe(2);
  });

  it('source CFScanDump / CFLoadChunk: errors; an empty filter dumps (0, nil)', () => {
    const h = bloom();
    h.r('CF.RESERVE', 'e', '100');
    expect(h.r('CF.SCANDUMP', 'e', '0')).toEqual([0, null]);
    expect(h.r('CF.SCANDUMP', 'e', 'x')).toBe('-Invalid position');
    expect(h.r('CF.SCANDUMP', 'none', '0')).toBe('-ERR not found');
    expect(h.r('CF.LOADCHUNK', 'n', '0', 'x')).toBe('-Invalid position');
    expect(h.r('CF.LOADCHUNK', 'n', '1', 'short')).toBe('-Invalid header');
    expect(h.r('CF.LOADCHUNK', 'e', '1', 'short')).toBe('-ERR item exists');
    expect(h.r('CF.LOADCHUNK', 'n', '9', 'abc')).toBe('-ERR not found');
    expect(h.r('CF.LOADCHUNK', 'e', '9999', 'abc')).toBe("-Couldn't load chunk!");
    expect(h.r('CF.LOADCHUNK', 'n', '1', '\0'.repeat(38))).toBe("-Couldn't create filter!");
    expect(h.r('EXISTS', 'n')).toBe(0);
  });

  it('SCANDUMP/LOADCHUNK round trip of a grown filter', () => {
    const h = bloom();
    h.r('CF.RESERVE', 'src', '4', 'BUCKETSIZE', '2', 'EXPANSION', '2');
    const items = Array.from({ length: 30 }, (_, i) => `it${i}`);
    h.r('CF.INSERT', 'src', 'ITEMS', ...items);
    let pos = 0;
    for (;;) {
      const [next, data] = h.cache.executeBuffer(['CF.SCANDUMP', 'src', String(pos)]) as [number, Buffer | null];
      if (next === 0) break;
      expect(h.cache.execute(['CF.LOADCHUNK', 'dst', String(next), data!])).toBe('OK');
      pos = next;
    }
    expect(h.r('CF.INFO', 'dst')).toEqual(h.r('CF.INFO', 'src'));
    expect(h.r('CF.MEXISTS', 'dst', ...items)).toEqual(items.map(() => 1));
  });
});

describe('Cuckoo filters: keyspace and replication', () => {
  it('COPY gives an independent filter; MULTI runs CF.*', () => {
    const h = bloom();
    h.r('CF.ADD', '{t}a', 'x');
    h.r('COPY', '{t}a', '{t}b');
    h.r('CF.ADD', '{t}b', 'y');
    expect(h.r('CF.EXISTS', '{t}a', 'y')).toBe(0);
    h.r('MULTI');
    h.r('CF.ADD', 'm', 'a');
    h.r('CF.COUNT', 'm', 'a');
    expect(h.r('EXEC')).toEqual([1, 1]);
  });

  it('replicas apply the verbatim commands and digest the filters', async () => {
    const cache = new ManagedRedis({ modules: ['RedisBloom'], clock: 'virtual', seed: 1, activeExpiry: false, replication: { lag: 100 } });
    await cache.ready();
    const shard = cache.topology.slotToShard[Number(cache.execute(['CLUSTER', 'KEYSLOT', 'f']))];
    cache.execute(['CF.RESERVE', 'f', '8']);
    cache.clock.advance(200);
    const first = cache.replication.digest(shard);
    expect(cache.replication.replicaDigest(shard)).toBe(first);
    cache.execute(['CF.INSERT', 'f', 'ITEMS', 'a', 'b', 'c']);
    cache.execute(['CF.DEL', 'f', 'b']);
    expect(cache.replication.digest(shard)).not.toBe(first);
    expect(cache.replication.replicaDigest(shard)).toBe(first);
    cache.clock.advance(200);
    expect(cache.replication.replicaDigest(shard)).toBe(cache.replication.digest(shard));
  });
});

describe("RedisBloom's flow tests (tests/flow/test_cuckoo.py)", () => {
  it('test_bucket_size, test_expansion, test_max_expansions, test_expansion_0, test_info, test_insert, test_mem_usage', () => {
    const h = bloom();
    // CF.DEBUG is not served: its `buckets:` and `filters:` are CF.INFO's.
    const filtersAfter1000 = (key: string, capacity: string, ...options: string[]) => {
      h.r('CF.RESERVE', key, capacity, ...options);
      for (let i = 0; i < 1000; i++) h.r('CF.ADD', key, String(i));
      const info = h.r('CF.INFO', key) as unknown[];
      return [info[3], info[5]];
    };
    expect(filtersAfter1000('a', '64', 'BUCKETSIZE', '1')).toEqual([64, 18]);
    expect(filtersAfter1000('b', '64', 'BUCKETSIZE', '2')).toEqual([32, 17]);
    expect(filtersAfter1000('c', '256', 'BUCKETSIZE', '4', 'MAXITERATIONS', '500')).toEqual([64, 4]);
    expect(filtersAfter1000('e1', '64', 'EXPANSION', '1')).toEqual([32, 17]);
    expect(filtersAfter1000('e2', '64', 'EXPANSION', '2')).toEqual([32, 5]);
    expect(filtersAfter1000('e4', '64', 'EXPANSION', '4', 'MAXITERATIONS', '500')).toEqual([32, 3]);
    h.r('CF.RESERVE', 'max', '4');
    for (let i = 0; i < 124; i++) expect(h.r('CF.ADD', 'max', String(i))).toBe(1);
    expect(h.r('CF.ADD', 'max', '2048')).toBe('-Maximum expansions reached');
    h.r('CF.RESERVE', 'z', '4', 'EXPANSION', '0');
    for (const item of ['1', '2', '3', '4']) expect(h.r('CF.ADD', 'z', item)).toBe(1);
    expect(h.r('CF.INSERT', 'z', 'ITEMS', '5', '6')).toEqual([-1, -1]);
    h.r('CF.RESERVE', 'i', '1000');
    expect(h.r('CF.INFO', 'i')).toEqual(infoOf(1080, 512, 1, 0, 0, 2, 1, 20));
    expect(h.r('MEMORY', 'USAGE', 'i')).toBe(1112);
    expect(h.r('CF.INSERT', 'f3', 'CAPACITY', '10000', 'ITEMS', 'foo')).toEqual([1]);
    expect((h.r('CF.INFO', 'f3') as unknown[])[3]).toBe(8192);
    expect(h.r('CF.INSERTNX', 'f3', 'ITEMS', 'foo', 'bar', 'baz')).toEqual([0, 1, 1]);
    expect(h.r('CF.INSERT', 'f4', 'nocreate', 'items', 'foo')).toBe('-ERR not found');
  });
});
