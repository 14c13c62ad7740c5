/**
 * RedisBloom 2.8's Bloom filters (`BF.*`) on a cache created with `modules: ['RedisBloom']`.
 *
 * There is no RedisBloom server here. Expectations come from the module's documentation (redis/docs
 * `content/commands/bf.*.md`, cited as `docs bf.x`), its source (RedisBloom/RedisBloom
 * `src/rebloom.c`, `src/sb.c`, `deps/bloom/bloom.c`; cited as `source`), and replies recorded
 * from a Redis 6.2 + RedisBloom v2.8.20 server in a public compatibility report (cited as
 * `recorded 2.8.20`).
 */
import { describe, expect, it } from 'vitest';
import { ManagedRedis } from '../../src/managed-redis.js';
import { murmurHash64A } from '../../src/keyspace/types/bloom.js';
import { harness, type HarnessOptions } from '../support/command-harness.js';
import { moduleHarness } from '../support/short-reply.js';

const bloom = (options: HarnessOptions = {}) => moduleHarness('RedisBloom', options);

const infoOf = (capacity: number, size: number, filters: number, items: number, expansion: number | null) => [
  '+Capacity', capacity, '+Size', size, '+Number of filters', filters, '+Number of items inserted', items, '+Expansion rate', expansion,
];

describe('the RedisBloom module', () => {
  it('is accepted (not on Flash, not with geo-replication); without it BF.* are unknown commands', () => {
    expect(harness().run('BF.ADD', 'k', 'a')).toEqual(['-', "ERR unknown command 'BF.ADD', with args beginning with: 'k' 'a' "]);
    expect(bloom().r('BF.ADD', 'k', 'a')).toBe(1);
    const make = (o: ConstructorParameters<typeof ManagedRedis>[0]) => () => new ManagedRedis({ clock: 'virtual', ...o });
    expect(make({ modules: ['RedisBloom', 'RedisJSON'] })).not.toThrow();
    expect(make({ sku: 'FlashOptimized_A250', modules: ['RedisBloom'] })).toThrow(/not available on Flash Optimized SKUs/);
    expect(make({ geoReplication: true, modules: [{ name: 'RedisBloom' }] })).toThrow(/not available with active geo-replication/);
    // The module's other structures come with it, and only with it.
    expect(harness().run('TDIGEST.CREATE', 'k')).toEqual(['-', "ERR unknown command 'TDIGEST.CREATE', with args beginning with: 'k' "]);
    expect(bloom().r('TDIGEST.CREATE', 'k')).toBe('+OK');
  });

  it('MODULE LIST shows bf with its args; ARM args set the defaults (azure-facts §8, source: RedisModule_OnLoad)', () => {
    const h = bloom({ modules: [{ name: 'RedisBloom', args: 'ERROR_RATE 0.01 INITIAL_SIZE 400' }] });
    expect(h.r('MODULE', 'LIST')).toEqual([
      ['name', 'bf', 'ver', 20802, 'path', '/opt/redislabs/lib/modules/redisbloom.so', 'args', ['ERROR_RATE', '0.01', 'INITIAL_SIZE', '400']],
    ]);
    expect(h.r('INFO', 'modules')).toBe('# Modules\r\nmodule:name=bf,ver=20802,api=1,filters=0,usedby=[],using=[],options=[]\r\n');
    h.r('BF.ADD', 'k', 'a');
    expect(h.r('BF.INFO', 'k', 'CAPACITY')).toEqual([400]);
    // recorded 2.8.20: INITIAL_SIZE 7 ERROR_RATE 0.05 gives Capacity 7, Expansion rate 2.
    const h7 = bloom({ modules: [{ name: 'RedisBloom', args: 'INITIAL_SIZE 7 ERROR_RATE 0.05' }] });
    h7.r('BF.ADD', 'k', 'a');
    expect(h7.r('BF.INFO', 'k', 'CAPACITY')).toEqual([7]);
    expect(h7.r('BF.INFO', 'k', 'EXPANSION')).toEqual([2]);
    const make = (args: string) => () => new ManagedRedis({ clock: 'virtual', modules: [{ name: 'RedisBloom', args }] });
    expect(make('EXPANSION 4')).toThrow('RedisBloom args: Unrecognized option');
    expect(make('INITIAL_SIZE')).toThrow('Invalid number of arguments passed');
    expect(make('INITIAL_SIZE 0')).toThrow('INITIAL_SIZE must be > 0');
    expect(make('ERROR_RATE 1')).toThrow('ERROR_RATE must be < 1');
    expect(make('CF_MAX_EXPANSIONS 8')).not.toThrow();
  });

  it('COMMAND INFO / DOCS as Redis reports module commands; TYPE is MBbloom--', () => {
    const h = bloom();
    const add = (h.r('COMMAND', 'INFO', 'bf.add') as unknown[][])[0];
    expect(add.slice(0, 6)).toEqual(['bf.add', -1, ['+write', '+denyoom', '+module'], 1, 1, 1]);
    const exists = (h.r('COMMAND', 'INFO', 'bf.exists') as unknown[][])[0];
    expect(exists.slice(0, 3)).toEqual(['bf.exists', -1, ['+readonly', '+fast', '+module']]);
    expect(h.r('COMMAND', 'DOCS', 'bf.card')).toEqual(['bf.card', ['group', 'module', 'module', 'bf']]);
    expect(h.r('COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'bf')).toEqual(expect.arrayContaining(['bf.add', 'cf.add']));
    h.r('BF.ADD', 'k', 'a');
    expect(h.r('TYPE', 'k')).toBe('+MBbloom--');
  });
});

describe('hashing and layout', () => {
  it('MurmurHash64A and the two-hash scheme match the reference C function (bloom_calc_hash64)', () => {
    // Values from Appleby's MurmurHash64A compiled from C (seed 0xc6a4a7935bd1e995, then seed = first hash):
    // 1-byte and 5-byte keys take the tail path, 12- and 13-byte keys a block and a tail.
    const seed = 0xc6a4a7935bd1e995n;
    const pairs: Array<[string, bigint, bigint]> = [
      ['a', 4797124023827371274n, 9122976111997029393n],
      ['hello', 6603887449968207513n, 12093380876958745252n],
      ['observation1', 12911886213090922927n, 7214428359547885890n],
      ['item:12345678', 15233864817680286054n, 2545309280728224657n],
    ];
    for (const [key, a, b] of pairs) {
      expect(murmurHash64A(Buffer.from(key), seed)).toBe(a);
      expect(murmurHash64A(Buffer.from(key), a)).toBe(b);
    }
  });

  it('docs bf.info: one item in a default filter: Capacity 100, Size 240', () => {
    const h = bloom();
    expect(h.r('BF.ADD', 'bf1', 'observation1')).toBe(1);
    expect(h.r('BF.INFO', 'bf1')).toEqual(infoOf(100, 240, 1, 1, 2));
    expect(h.r('BF.INFO', 'bf1', 'CAPACITY')).toEqual([100]);
    expect(h.r('BF.INFO', 'bf1', 'size')).toEqual([240]);
    expect(h.r('BF.INFO', 'bf1', 'Filters')).toEqual([1]);
    expect(h.r('BF.INFO', 'bf1', 'ITEMS')).toEqual([1]);
    expect(h.r('BF.INFO', 'bf1', 'EXPANSION')).toEqual([2]);
    expect(h.r('BF.INFO', 'bf1', 'nope')).toBe('-Invalid information value');
    expect(h.r('BF.INFO', 'missing')).toBe('-ERR not found');
  });

  it('recorded 2.8.20: SCANDUMP of a 10-item EXPANSION 2 filter with 40 items is a 179-byte header then 16, 32, 72 bytes', () => {
    const h = bloom();
    expect(h.r('BF.RESERVE', 'src', '0.01', '10', 'EXPANSION', '2')).toBe('+OK');
    const items = Array.from({ length: 40 }, (_, i) => `item:${i}`);
    expect(h.r('BF.MADD', 'src', ...items)).toEqual(items.map(() => 1));
    expect(h.r('BF.CARD', 'src')).toBe(40);
    const chunks: Array<[number, Buffer]> = [];
    let iter = 0;
    for (;;) {
      const reply = h.cache.executeBuffer(['BF.SCANDUMP', 'src', String(iter)]) as [number, Buffer];
      const data = reply[1];
      chunks.push([reply[0], data]);
      if (reply[0] === 0) break;
      iter = reply[0];
    }
    expect(chunks.map(([i, d]) => [i, d.length])).toEqual([
      [1, 179],
      [17, 16],
      [49, 32],
      [121, 72],
      [0, 0],
    ]);
    // LOADCHUNK rebuilds the same filter elsewhere.
    for (const [i, data] of chunks) if (i !== 0) expect(h.cache.execute(['BF.LOADCHUNK', 'dst', String(i), data])).toBe('OK');
    expect(h.r('BF.INFO', 'dst')).toEqual(h.r('BF.INFO', 'src'));
    expect(h.r('BF.MEXISTS', 'dst', ...items)).toEqual(items.map(() => 1));
    // recorded 2.8.20: a header sent to an existing key is refused.
    expect(() => h.cache.execute(['BF.LOADCHUNK', 'dst', '1', chunks[0][1]])).toThrow('ERR received bad data');
    expect(h.r('BF.LOADCHUNK', 'x', '1', 'short')).toBe('-ERR received bad data');
    expect(h.r('BF.LOADCHUNK', 'x', 'a', 'b')).toBe('-ERR Second argument must be numeric');
    expect(h.r('BF.SCANDUMP', 'src', 'a')).toBe('-Second argument must be numeric');
    expect(h.r('BF.SCANDUMP', 'nope', '0')).toBe('-ERR not found');
  });

  it('scaling: each sub-filter has expansion times the entries at half the error', () => {
    const h = bloom();
    h.r('BF.RESERVE', 'k', '0.01', '10', 'EXPANSION', '3');
    for (let i = 0; i < 11; i++) h.r('BF.ADD', 'k', `v${i}`);
    expect(h.r('BF.INFO', 'k', 'CAPACITY')).toEqual([40]);
    expect(h.r('BF.INFO', 'k', 'FILTERS')).toEqual([2]);
  });
});

describe('commands', () => {
  it('docs bf.add / bf.exists / bf.madd / bf.mexists / bf.card', () => {
    const h = bloom();
    expect(h.r('BF.ADD', 'bf', 'item1')).toBe(1);
    expect(h.r('BF.ADD', 'bf', 'item1')).toBe(0);
    expect(h.r('BF.EXISTS', 'bf', 'item1')).toBe(1);
    expect(h.r('BF.EXISTS', 'bf', 'item2')).toBe(0);
    expect(h.r('BF.MADD', 'bf', 'item1', 'item2', 'item2')).toEqual([0, 1, 0]);
    expect(h.r('BF.MEXISTS', 'bf', 'item1', 'item2', 'item3')).toEqual([1, 1, 0]);
    expect(h.r('BF.CARD', 'bf')).toBe(2);
    expect(h.r('BF.CARD', 'bf_new')).toBe(0);
    expect(h.r('BF.EXISTS', 'nokey', 'a')).toBe(0);
    expect(h.r('BF.MEXISTS', 'nokey', 'a', 'b')).toEqual([0, 0]);
    h.r('SET', 's', 'v');
    expect(h.r('BF.ADD', 's', 'a')).toBe('-WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(h.r('BF.CARD', 's')).toBe('-WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(h.r('BF.ADD', 'bf')).toBe("-ERR wrong number of arguments for 'bf.add' command");
    expect(h.r('BF.ADD', 'bf', 'a', 'b')).toBe("-ERR wrong number of arguments for 'bf.add' command");
    expect(h.r('BF.EXISTS', 'bf', 'a', 'b')).toBe("-ERR wrong number of arguments for 'bf.exists' command");
  });

  it('RESP3: booleans for adds and checks, a map for BF.INFO', () => {
    const h = bloom({ resp: 3 });
    expect(h.r('BF.ADD', 'k', 'a')).toBe('#true');
    expect(h.r('BF.MADD', 'k', 'a', 'b')).toEqual(['#false', '#true']);
    expect(h.r('BF.MEXISTS', 'k', 'a', 'z')).toEqual(['#true', '#false']);
    expect(h.r('BF.INFO', 'k')).toEqual([
      ['+Capacity', 100],
      ['+Size', 240],
      ['+Number of filters', 1],
      ['+Number of items inserted', 2],
      ['+Expansion rate', 2],
    ]);
  });

  it('BF.RESERVE: options and errors (source: BFReserve; recorded 2.8.20)', () => {
    const h = bloom();
    expect(h.r('BF.RESERVE', 'k', '0.001', '1000', 'NONSCALING')).toBe('+OK');
    expect(h.r('BF.INFO', 'k', 'EXPANSION')).toEqual([null]);
    expect(h.r('BF.RESERVE', 'k', '0.01', '10')).toBe('-ERR item exists');
    expect(h.r('BF.RESERVE', 'a', 'x', '10')).toBe('-ERR bad error rate');
    expect(h.r('BF.RESERVE', 'a', '1', '10')).toBe('-ERR (0 < error rate range < 1) ');
    expect(h.r('BF.RESERVE', 'a', '0.1', 'x')).toBe('-ERR bad capacity');
    expect(h.r('BF.RESERVE', 'a', '0.1', '0')).toBe('-ERR (capacity should be larger than 0)');
    expect(h.r('BF.RESERVE', 'a', '0.1', '10', 'EXPANSION')).toBe('-ERR no expansion');
    expect(h.r('BF.RESERVE', 'a', '0.1', '10', 'EXPANSION', 'x')).toBe('-ERR bad expansion');
    expect(h.r('BF.RESERVE', 'a', '0.01', '10', 'EXPANSION', '0')).toBe('-ERR expansion should be greater or equal to 1');
    expect(h.r('BF.RESERVE', 'a', '0.01', '10', 'NONSCALING', 'EXPANSION', '2')).toBe('-Nonscaling filters cannot expand');
    // recorded 2.8.20: an unknown option is ignored.
    expect(h.r('BF.RESERVE', 'u', '0.01', '10', 'UNKNOWN', '1')).toBe('+OK');
    expect(h.r('BF.RESERVE', 'a', '0.1')).toBe("-ERR wrong number of arguments for 'bf.reserve' command");
    expect(h.r('EXISTS', 'a')).toBe(0);
  });

  it('recorded 2.8.20: a full non-scaling filter answers an error and stops', () => {
    const h = bloom();
    h.r('BF.RESERVE', 'fixed', '0.01', '2', 'NONSCALING');
    expect(h.r('BF.MADD', 'fixed', 'a', 'b', 'c', 'd')).toEqual([1, 1, '-ERR non scaling filter is full']);
    expect(h.r('BF.ADD', 'fixed', 'e')).toBe('-ERR non scaling filter is full');
    expect(h.r('BF.INSERT', 'fi', 'CAPACITY', '2', 'NONSCALING', 'ITEMS', 'a', 'b', 'c', 'd')).toEqual([1, 1, '-ERR non scaling filter is full']);
  });

  it('BF.INSERT: options and errors (docs bf.insert; source: BFInsert; recorded 2.8.20)', () => {
    const h = bloom();
    expect(h.r('BF.INSERT', 'filter', 'ITEMS', 'foo', 'bar', 'baz')).toEqual([1, 1, 1]);
    expect(h.r('BF.INSERT', 'filter', 'CAPACITY', '10000', 'ITEMS', 'hello')).toEqual([1]);
    expect(h.r('BF.INFO', 'filter', 'CAPACITY')).toEqual([100]);
    expect(h.r('BF.INSERT', 'f2', 'CAPACITY', '1000', 'ERROR', '0.001', 'EXPANSION', '4', 'ITEMS', 'a')).toEqual([1]);
    expect(h.r('BF.INFO', 'f2')).toEqual(infoOf(1000, 32 + 64 + 1984, 1, 1, 4));
    expect(h.r('BF.INSERT', 'nokey', 'NOCREATE', 'ITEMS', 'foo')).toBe('-ERR not found');
    expect(h.r('BF.INSERT', 'nokey', 'NOCREATE', 'CAPACITY', '10', 'ITEMS', 'a')).toBe('-ERR not found');
    expect(h.r('BF.INSERT', 'x', 'EXPANSION', '0', 'ITEMS', 'a')).toBe('-ERR Bad argument received');
    expect(h.r('BF.INSERT', 'x', 'ERROR', '1', 'ITEMS', 'a')).toBe('-ERR Bad argument received');
    expect(h.r('BF.INSERT', 'x', 'ERROR', 'q', 'ITEMS', 'a')).toBe('-ERR Bad error rate');
    expect(h.r('BF.INSERT', 'x', 'CAPACITY', 'q', 'ITEMS', 'a')).toBe('-ERR Bad capacity');
    expect(h.r('BF.INSERT', 'x', 'BOGUS', 'ITEMS', 'a')).toBe('-ERR Unknown argument received');
    expect(h.r('BF.INSERT', 'x', 'CAPACITY', '10', 'ITEMS')).toBe("-ERR wrong number of arguments for 'bf.insert' command");
    expect(h.r('BF.INSERT', 'x', 'CAPACITY')).toBe("-ERR wrong number of arguments for 'bf.insert' command");
    expect(h.r('EXISTS', 'x', 'nokey')).toBe(0);
  });
});

describe('keyspace and replication', () => {
  it('COPY and RENAME treat a filter like any value; a copy is independent', () => {
    const cache = new ManagedRedis({ clock: 'virtual', modules: ['RedisBloom'] });
    cache.execute(['BF.MADD', '{t}a', 'x', 'y']);
    cache.execute(['COPY', '{t}a', '{t}b']);
    cache.execute(['BF.ADD', '{t}b', 'z']);
    expect(cache.execute(['BF.CARD', '{t}a'])).toBe(2);
    expect(cache.execute(['BF.CARD', '{t}b'])).toBe(3);
    expect(cache.execute(['BF.EXISTS', '{t}a', 'z'])).toBe(0);
    cache.execute(['RENAME', '{t}b', '{t}c']);
    expect(cache.execute(['BF.EXISTS', '{t}c', 'z'])).toBe(1);
  });

  it('MULTI and Lua run BF.* like any command', () => {
    const h = bloom();
    h.r('MULTI');
    h.r('BF.ADD', 'k', 'a');
    h.r('BF.MEXISTS', 'k', 'a', 'b');
    expect(h.r('EXEC')).toEqual([1, [1, 0]]);
    expect(h.r('EVAL', "return redis.call('BF.ADD', KEYS[1], 'b')", '1', 'k')).toBe(1);
    expect(h.r('BF.CARD', 'k')).toBe(2);
  });

  it('replicas apply the verbatim commands: a lagging replica differs, then matches; failover keeps the filters', async () => {
    const cache = new ManagedRedis({ modules: ['RedisBloom'], clock: 'virtual', seed: 1, activeExpiry: false, replication: { lag: 100 } });
    await cache.ready();
    const shard = cache.topology.slotToShard[Number(cache.execute(['CLUSTER', 'KEYSLOT', 'f']))];
    cache.execute(['BF.RESERVE', 'f', '0.01', '5']);
    cache.clock.advance(200);
    const first = cache.replication.digest(shard);
    expect(cache.replication.replicaDigest(shard)).toBe(first);
    cache.execute(['BF.MADD', 'f', 'a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(cache.replication.digest(shard)).not.toBe(first);
    expect(cache.replication.replicaDigest(shard)).toBe(first);
    cache.clock.advance(200);
    expect(cache.replication.replicaDigest(shard)).toBe(cache.replication.digest(shard));
    const done = cache.faults.failover(shard);
    cache.clock.advance(Math.max(0, done - cache.clock.now()) + 1);
    expect(cache.execute(['BF.CARD', 'f'])).toBe(7);
    expect(cache.execute(['BF.INFO', 'f', 'FILTERS'])).toEqual([2]);
  });
});

describe("RedisBloom's flow tests (tests/flow/test_overall.py)", () => {
  it('test_info, test_expansion, test_nonscaling_err, test_insert, test_multi: exact sizes, filter counts and replies', () => {
    const h = bloom();
    h.r('BF.RESERVE', 'bf', '0.001', '100');
    expect(h.r('BF.INFO', 'bf')).toEqual(infoOf(100, 296, 1, 0, 2));
    expect(h.r('BF.INFO', 'bf', 'capacity', 'size')).toBe("-ERR wrong number of arguments for 'bf.info' command");
    expect(h.r('BF.INFO', 'bf', 'wrong_value')).toBe('-Invalid information value');
    // test_expansion: 100 items into capacity 4 grow 23, 5 and 4 sub-filters.
    for (const [expansion, filters] of [['1', 23], ['2', 5], ['4', 4]] as const) {
      h.r('BF.RESERVE', `exp${expansion}`, '0.01', '4', 'expansion', expansion);
      for (let i = 0; i < 100; i++) h.r('BF.ADD', `exp${expansion}`, String(i));
      expect((h.r('BF.INFO', `exp${expansion}`) as unknown[])[5]).toBe(filters);
    }
    // test_nonscaling_err: the fourth item fails, the rest are not tried; no expansion rate.
    expect(h.r('BF.INSERT', 'ns', 'CAPACITY', '3', 'NONSCALING', 'ITEMS', 'a', 'b', 'c')).toEqual([1, 1, 1]);
    expect(h.r('BF.INSERT', 'ns', 'ITEMS', 'a', 'b', 'c', 'd', 'd')).toEqual([0, 0, 0, '-ERR non scaling filter is full']);
    expect(h.r('BF.INFO', 'ns')).toEqual(infoOf(3, 104, 1, 3, null));
    // test_insert: BF.DEBUG is not served; its `bytes:98880` is BF.INFO's Size less the 96-byte headers.
    expect(h.r('BF.INSERT', 'mf', 'ERROR', '0.001', 'CAPACITY', '50000', 'EXPANSION', '2', 'ITEMS', 'foo')).toEqual([1]);
    expect(h.r('BF.INSERT', 'mf', 'ERROR', '0.1', 'ITEMS', 'foo', 'bar', 'baz')).toEqual([0, 1, 1]);
    expect(h.r('BF.INFO', 'mf')).toEqual(infoOf(50000, 98880 + 96, 1, 3, 2));
    // test_multi
    expect(h.r('BF.MADD', 'm', 'foo', 'bar', 'baz')).toEqual([1, 1, 1]);
    expect(h.r('BF.MADD', 'm', 'foo', 'new1', 'bar')).toEqual([0, 1, 0]);
    expect(h.r('BF.MEXISTS', 'm', 'nonexist', 'foo')).toEqual([0, 1]);
    // test_very_high_error_rate: accepted, and adds work.
    h.r('BF.RESERVE', 'bf3', '0.9999999999999999', '100', 'NONSCALING');
    expect(h.r('BF.ADD', 'bf3', '1')).toBe(1);
  });
});
