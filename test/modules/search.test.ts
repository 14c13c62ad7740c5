/**
 * RediSearch 2.10 (`FT.*`) on a cache created with `modules: ['RediSearch']`: the module entry,
 * index definitions (FT.CREATE, FT.ALTER, FT.INFO, FT._LIST, FT.DROPINDEX) and how indexes follow
 * the keyspace.
 *
 * There is no RediSearch server here: expectations come from the command pages (redis/docs
 * `content/commands/ft.*.md`, cited as `docs ft.x`) and the module's source and tests
 * (RediSearch/RediSearch `src/spec.c`, `src/info/info_command.c`, `tests/pytests/test_resp3.py`,
 * cited as `source`). Module errors carry no `ERR` prefix (RedisModule_ReplyWithError).
 */
import { describe, expect, it } from 'vitest';
import { ManagedRedis } from '../../src/managed-redis.js';
import { harness } from '../support/command-harness.js';
import { moduleHarness } from '../support/short-reply.js';

const search = (options: Parameters<typeof moduleHarness>[1] = {}) => moduleHarness('RediSearch', { policy: 'Enterprise', ...options });
const OK = '+OK';

/** FT.INFO's flat RESP2 reply as a Map. */
function infoMap(reply: unknown): Map<unknown, unknown> {
  const list = reply as unknown[];
  const map = new Map<unknown, unknown>();
  for (let i = 0; i < list.length; i += 2) map.set(list[i], list[i + 1]);
  return map;
}

describe('the RediSearch module', () => {
  it('is loaded by the modules option under AMR rules; without it FT.* are unknown commands', () => {
    expect(harness({ policy: 'Enterprise' }).run('FT._LIST')).toEqual(['-', "ERR unknown command 'FT._LIST', with args beginning with: "]);
    const make = (o: ConstructorParameters<typeof ManagedRedis>[0]) => () => new ManagedRedis({ clock: 'virtual', ...o });
    // azure-facts §8: Enterprise policy and noeviction.
    expect(make({ clusterPolicy: 'OSS', evictionPolicy: 'noeviction', modules: ['RediSearch'] })).toThrow(/requires the Enterprise cluster policy/);
    expect(make({ clusterPolicy: 'Enterprise', evictionPolicy: 'allkeys-lru', modules: ['RediSearch'] })).toThrow(/requires the noeviction/);
    expect(search().r('FT._LIST')).toEqual([]);
  });

  it('MODULE LIST, INFO modules and COMMAND INFO report `search` 2.10.7 as a module', () => {
    const h = search();
    expect(h.r('MODULE', 'LIST')).toEqual([['name', 'search', 'ver', 21007, 'path', '/opt/redislabs/lib/modules/redisearch.so', 'args', []]]);
    expect(String(h.r('INFO', 'modules'))).toContain('module:name=search,ver=21007,api=1');
    const info = h.r('COMMAND', 'INFO', 'ft.create', 'ft.search', 'ft.dropindex') as unknown[][];
    expect(info.map((e) => e.slice(0, 6))).toEqual([
      ['ft.create', -1, ['+write', '+denyoom', '+module'], 0, 0, 0],
      ['ft.search', -1, ['+readonly', '+module'], 0, 0, 0],
      ['ft.dropindex', -1, ['+write', '+module'], 0, 0, 0],
    ]);
    expect(h.r('COMMAND', 'DOCS', 'ft.search')).toEqual(['ft.search', ['group', 'module', 'module', 'search']]);
  });
});

describe('FT.CREATE', () => {
  it('creates each field type; a second index of the same name is refused (source spec.c)', () => {
    const h = search();
    expect(
      h.r('FT.CREATE', 'idx', 'ON', 'HASH', 'PREFIX', '2', 'p:', 'q:', 'LANGUAGE', 'english', 'SCORE', '0.5', 'STOPWORDS', '2', 'foo', 'bar',
        'SCHEMA', 'title', 'AS', 't', 'TEXT', 'WEIGHT', '2', 'NOSTEM', 'SORTABLE', 'tags', 'TAG', 'SEPARATOR', ';', 'CASESENSITIVE',
        'n', 'NUMERIC', 'SORTABLE', 'loc', 'GEO', 'v', 'VECTOR', 'HNSW', '6', 'TYPE', 'FLOAT32', 'DIM', '2', 'DISTANCE_METRIC', 'COSINE',
        'body', 'TEXT', 'NOINDEX'),
    ).toBe(OK);
    expect(h.r('FT.CREATE', 'idx', 'SCHEMA', 'x', 'TEXT')).toBe('-Index already exists');
    const info = infoMap(h.r('FT.INFO', 'idx'));
    expect(info.get('index_name')).toBe('idx');
    expect(info.get('index_definition')).toEqual(['key_type', 'HASH', 'prefixes', ['p:', 'q:'], 'default_score', '0.5']);
    expect(info.get('attributes')).toEqual([
      ['identifier', 'title', 'attribute', 't', 'type', 'TEXT', 'WEIGHT', '2', '+SORTABLE', '+NOSTEM'],
      ['identifier', 'tags', 'attribute', 'tags', 'type', 'TAG', 'SEPARATOR', ';', '+CASESENSITIVE'],
      ['identifier', 'n', 'attribute', 'n', 'type', 'NUMERIC', '+SORTABLE'],
      ['identifier', 'loc', 'attribute', 'loc', 'type', 'GEO'],
      ['identifier', 'v', 'attribute', 'v', 'type', 'VECTOR', 'algorithm', 'HNSW', 'data_type', 'FLOAT32', 'dim', 2, 'distance_metric', 'COSINE', 'M', 16, 'ef_construction', 200],
      ['identifier', 'body', 'attribute', 'body', 'type', 'TEXT', 'WEIGHT', '1', '+NOINDEX'],
    ]);
    expect(info.get('stopwords_list')).toEqual(['foo', 'bar']);
  });

  it('answers the module errors for bad definitions, creating nothing', () => {
    const h = search();
    const bad: Array<[string[], string]> = [
      [['FT.CREATE', 'i', 'PREFIX', '1', 'a'], '-No schema found'],
      [['FT.CREATE', 'i', 'SCHEMA'], '-Fields arguments are missing'],
      [['FT.CREATE', 'i', 'SCHEMA', 'f', 'TEXTY'], '-Invalid field type for field `f`'],
      [['FT.CREATE', 'i', 'SCHEMA', 'f'], '-Field `f` does not have a type'],
      [['FT.CREATE', 'i', 'SCHEMA', 'f', 'TEXT', 'f', 'TAG'], '-Duplicate field in schema - f'],
      [['FT.CREATE', 'i', 'SCHEMA', 't', 'TAG', 'SEPARATOR', ';;'], '-Tag separator must be a single character'],
      [['FT.CREATE', 'i', 'ON', 'LIST', 'SCHEMA', 'f', 'TEXT'], '-Invalid `ON` value: LIST'],
      [['FT.CREATE', 'i', 'BOGUS', 'SCHEMA', 'f', 'TEXT'], '-Unknown argument `BOGUS`'],
      [['FT.CREATE', 'i', 'SCHEMA', 'v', 'VECTOR', 'FLAT', '4', 'TYPE', 'FLOAT32', 'DIM', '2'], '-Missing mandatory parameter: cannot create FLAT index without specifying DISTANCE_METRIC argument'],
      [['FT.CREATE', 'i', 'SCHEMA', 'v', 'VECTOR', 'IVF', '2', 'DIM', '2'], '-Bad arguments for vector similarity algorithm: unknown algorithm'],
      [['FT.CREATE', 'i', 'SCHEMA', 'v', 'VECTOR', 'FLAT', '6', 'TYPE', 'INT8', 'DIM', '2', 'DISTANCE_METRIC', 'L2'], '-Bad arguments for vector similarity FLAT index type'],
      [['FT.CREATE', 'i', 'SCHEMA', 'v', 'VECTOR', 'FLAT', '8', 'TYPE', 'FLOAT32', 'DIM', '2', 'DISTANCE_METRIC', 'L2', 'M', '4'], '-Bad arguments for algorithm FLAT: M'],
      [['FT.CREATE', 'i', 'FILTER', '@n >', 'SCHEMA', 'f', 'TEXT'], '-Syntax error at offset 4 near @n >'],
      [['FT.CREATE'], "-ERR wrong number of arguments for 'ft.create' command"],
    ];
    for (const [argv, error] of bad) expect(h.r(...argv), argv.join(' ')).toBe(error);
    expect(h.r('FT._LIST')).toEqual([]);
  });
});

describe('indexing follows the keyspace', () => {
  it('indexes existing keys at creation (synchronously) and later writes, on every shard', () => {
    const h = search();
    expect(h.cache.shards.length).toBeGreaterThan(1);
    for (let i = 0; i < 20; i++) h.r('HSET', `doc:${i}`, 'title', `hello number${i}`, 'n', String(i));
    h.r('HSET', 'other:1', 'title', 'hello');
    h.r('SET', 'doc:str', 'hello');
    expect(h.r('FT.CREATE', 'idx', 'PREFIX', '1', 'doc:', 'SCHEMA', 'title', 'TEXT', 'n', 'NUMERIC')).toBe(OK);
    // The keys live on different shards; the index spans them all.
    const shardsUsed = new Set(Array.from({ length: 20 }, (_, i) => h.cache.shards.findIndex((s) => s.keyspace.holds(`doc:${i}`))));
    expect(shardsUsed.size).toBeGreaterThan(1);
    expect((h.r('FT.SEARCH', 'idx', 'hello', 'NOCONTENT', 'LIMIT', '0', '0') as unknown[])[0]).toBe(20);
    expect(infoMap(h.r('FT.INFO', 'idx')).get('num_docs')).toBe(20);
    expect(infoMap(h.r('FT.INFO', 'idx')).get('indexing')).toBe(0);
    h.r('HSET', 'doc:20', 'title', 'goodbye');
    expect(h.r('FT.SEARCH', 'idx', 'goodbye', 'NOCONTENT')).toEqual([1, 'doc:20']);
  });

  it('follows HSET updates, HDEL, DEL, UNLINK, RENAME, EXPIRE, FLUSHALL and type changes', () => {
    const h = search();
    h.r('FT.CREATE', 'idx', 'PREFIX', '1', 'd:', 'SCHEMA', 'title', 'TEXT');
    const find = (q: string) => h.r('FT.SEARCH', 'idx', q, 'NOCONTENT');
    h.r('HSET', 'd:1', 'title', 'apple');
    h.r('HSET', 'd:2', 'title', 'apple');
    expect(find('apple')).toEqual([2, 'd:1', 'd:2']);
    h.r('HSET', 'd:1', 'title', 'banana');
    expect(find('apple')).toEqual([1, 'd:2']);
    expect(find('banana')).toEqual([1, 'd:1']);
    h.r('HDEL', 'd:1', 'title');
    expect(find('banana')).toEqual([0]);
    h.r('DEL', 'd:2');
    expect(find('apple')).toEqual([0]);
    // RENAME within one slot (a hash tag): out of the prefix, then back in under another name.
    h.r('HSET', 'd:{t}3', 'title', 'cherry');
    expect(h.r('RENAME', 'd:{t}3', 'zz:{t}3')).toBe(OK);
    expect(find('cherry')).toEqual([0]);
    h.r('RENAME', 'zz:{t}3', 'd:{t}4');
    expect(find('cherry')).toEqual([1, 'd:{t}4']);
    h.r('PEXPIRE', 'd:{t}4', '100');
    h.cache.clock.advance(50);
    expect(find('cherry')).toEqual([1, 'd:{t}4']);
    // Past its time the key is gone for the index even before expiry collects it.
    h.cache.clock.advance(100);
    expect(find('cherry')).toEqual([0]);
    h.r('HSET', 'd:5', 'title', 'date');
    h.r('DEL', 'd:5');
    h.r('SET', 'd:5', 'date');
    expect(find('date')).toEqual([0]);
    h.r('DEL', 'd:5');
    h.r('HSET', 'd:5', 'title', 'date');
    h.r('HSET', 'd:6', 'title', 'date');
    h.r('UNLINK', 'd:6');
    expect(find('date')).toEqual([1, 'd:5']);
    h.r('FLUSHALL');
    expect(find('date')).toEqual([0]);
    expect(infoMap(h.r('FT.INFO', 'idx')).get('num_docs')).toBe(0);
  });

  it('FILTER: only keys whose fields satisfy the expression are indexed (docs ft.create)', () => {
    const h = search();
    h.r('FT.CREATE', 'idx', 'FILTER', "@kind == 'book' && startswith(@__key, 'item:')", 'SCHEMA', 'title', 'TEXT');
    h.r('HSET', 'item:1', 'title', 'hello', 'kind', 'book');
    h.r('HSET', 'item:2', 'title', 'hello', 'kind', 'film');
    h.r('HSET', 'other:3', 'title', 'hello', 'kind', 'book');
    expect(h.r('FT.SEARCH', 'idx', 'hello', 'NOCONTENT')).toEqual([1, 'item:1']);
    h.r('HSET', 'item:2', 'kind', 'book');
    h.r('HSET', 'item:1', 'kind', 'film');
    expect(h.r('FT.SEARCH', 'idx', 'hello', 'NOCONTENT')).toEqual([1, 'item:2']);
    expect((h.r('FT.INFO', 'idx') as unknown[])[5]).toEqual(['key_type', 'HASH', 'prefixes', [''], 'filter', "@kind == 'book' && startswith(@__key, 'item:')", 'default_score', '1']);
  });

  it('follows writes inside MULTI/EXEC and Lua; FT.SEARCH runs from Lua too', () => {
    const h = search();
    h.r('FT.CREATE', 'idx', 'SCHEMA', 't', 'TEXT');
    h.r('MULTI');
    h.r('HSET', 'm:{a}1', 't', 'queued');
    h.r('HSET', 'm:{a}2', 't', 'queued');
    expect(h.r('EXEC')).toEqual([1, 1]);
    expect(h.r('FT.SEARCH', 'idx', 'queued', 'NOCONTENT')).toEqual([2, 'm:{a}1', 'm:{a}2']);
    const script = "redis.call('HSET', KEYS[1], 't', 'scripted'); return redis.call('FT.SEARCH', 'idx', 'scripted', 'NOCONTENT')";
    expect(h.r('EVAL', script, '1', 'lua:1')).toEqual([1, 'lua:1']);
  });

  it('hash fields past their TTL are left out of replies, and out of the index once expiry removes them', () => {
    const h = search({ active: true });
    h.r('FT.CREATE', 'i', 'SCHEMA', 't', 'TEXT', 'u', 'TEXT');
    h.r('HSET', 'a', 't', 'hello', 'u', 'world');
    expect(h.r('HPEXPIRE', 'a', '100', 'FIELDS', '1', 'u')).toEqual([1]);
    expect(h.r('FT.SEARCH', 'i', 'world', 'NOCONTENT')).toEqual([1, 'a']);
    h.cache.clock.advance(1000);
    expect(h.r('FT.SEARCH', 'i', 'world', 'NOCONTENT')).toEqual([0]);
    expect(h.r('FT.SEARCH', 'i', 'hello')).toEqual([1, 'a', ['t', 'hello']]);
  });

  it('counts documents that cannot be indexed as failures and leaves them out (source spec.c)', () => {
    const h = search();
    h.r('FT.CREATE', 'idx', 'SCHEMA', 'n', 'NUMERIC', 'g', 'GEO', 'v', 'VECTOR', 'FLAT', '6', 'TYPE', 'FLOAT32', 'DIM', '2', 'DISTANCE_METRIC', 'L2');
    h.r('HSET', 'a', 'n', 'ten');
    h.r('HSET', 'b', 'g', 'not a point');
    h.r('HSET', 'c', 'v', 'abc');
    h.r('HSET', 'ok', 'n', '10', 'g', '2.35,48.85');
    const info = infoMap(h.r('FT.INFO', 'idx'));
    expect(info.get('num_docs')).toBe(1);
    expect(info.get('hash_indexing_failures')).toBe(3);
    expect((info.get('Index Errors') as unknown[]).slice(0, 2)).toEqual(['indexing failures', 3]);
    expect(h.r('FT.SEARCH', 'idx', '*', 'NOCONTENT')).toEqual([1, 'ok']);
  });

  it('FT.DROPINDEX keeps the documents; DD deletes them on every shard', () => {
    const h = search();
    for (let i = 0; i < 10; i++) h.r('HSET', `k:${i}`, 'f', 'x');
    h.r('HSET', 'keep', 'f', 'x');
    h.r('FT.CREATE', 'a', 'PREFIX', '1', 'k:', 'SCHEMA', 'f', 'TEXT');
    h.r('FT.CREATE', 'b', 'PREFIX', '1', 'k:', 'SCHEMA', 'f', 'TEXT');
    expect(h.r('FT.DROPINDEX', 'a')).toBe(OK);
    expect(h.r('DBSIZE')).toBe(11);
    expect(h.r('FT.DROPINDEX', 'a')).toBe('-Unknown Index name');
    expect(h.r('FT.DROPINDEX', 'b', 'DD')).toBe(OK);
    expect(h.r('DBSIZE')).toBe(1);
    expect(h.r('FT._LIST')).toEqual([]);
  });

  it('FT.ALTER SCHEMA ADD adds fields and re-reads the documents', () => {
    const h = search();
    h.r('HSET', 'd', 'a', 'one', 'b', 'two');
    h.r('FT.CREATE', 'idx', 'SCHEMA', 'a', 'TEXT');
    expect(h.r('FT.SEARCH', 'idx', '@b:two', 'NOCONTENT')).toEqual([0]);
    expect(h.r('FT.ALTER', 'idx', 'SCHEMA', 'ADD', 'b', 'TEXT')).toBe(OK);
    expect(h.r('FT.SEARCH', 'idx', '@b:two', 'NOCONTENT')).toEqual([1, 'd']);
    expect(h.r('FT.ALTER', 'idx', 'SCHEMA', 'ADD', 'a', 'TAG')).toBe('-Duplicate field in schema - a');
    expect(h.r('FT.ALTER', 'nope', 'SCHEMA', 'ADD', 'c', 'TEXT')).toBe('-Unknown index name');
  });

  it('indexes JSON documents with JSONPath fields when RedisJSON is loaded too', () => {
    const h = moduleHarness('RediSearch', { policy: 'Enterprise', modules: ['RediSearch', 'RedisJSON'] });
    h.r('JSON.SET', 'u:1', '$', '{"name":"Ann Lee","age":31,"tags":["a","b"],"addr":{"city":"Paris"},"loc":"2.35,48.85"}');
    h.r('JSON.SET', 'u:2', '$', '{"name":"Bob","age":25,"tags":["b"],"addr":{"city":"Rome"}}');
    expect(
      h.r('FT.CREATE', 'users', 'ON', 'JSON', 'PREFIX', '1', 'u:', 'SCHEMA', '$.name', 'AS', 'name', 'TEXT', '$.age', 'AS', 'age', 'NUMERIC', 'SORTABLE',
        '$.tags[*]', 'AS', 'tags', 'TAG', '$.addr.city', 'AS', 'city', 'TAG', '$.loc', 'AS', 'loc', 'GEO'),
    ).toBe(OK);
    expect(h.r('FT.SEARCH', 'users', '@name:ann')).toEqual([1, 'u:1', ['$', '{"name":"Ann Lee","age":31,"tags":["a","b"],"addr":{"city":"Paris"},"loc":"2.35,48.85"}']]);
    expect(h.r('FT.SEARCH', 'users', '@tags:{b}', 'SORTBY', 'age', 'RETURN', '2', 'name', 'age')).toEqual([2, 'u:2', ['age', '25', 'name', 'Bob'], 'u:1', ['age', '31', 'name', 'Ann Lee']]);
    expect(h.r('FT.SEARCH', 'users', '@city:{rome}', 'NOCONTENT')).toEqual([1, 'u:2']);
    expect(h.r('FT.SEARCH', 'users', '@age:[30 +inf]', 'RETURN', '1', '$.addr.city')).toEqual([1, 'u:1', ['$.addr.city', 'Paris']]);
    expect(h.r('FT.SEARCH', 'users', '@loc:[2.3 48.8 10 km]', 'NOCONTENT')).toEqual([1, 'u:1']);
    h.r('JSON.SET', 'u:2', '$.age', '45');
    expect(h.r('FT.SEARCH', 'users', '@age:[40 50]', 'NOCONTENT')).toEqual([1, 'u:2']);
    h.r('JSON.DEL', 'u:2');
    expect(h.r('FT.SEARCH', 'users', '*', 'NOCONTENT')).toEqual([1, 'u:1']);
    // A hash under the prefix is not a JSON document: not indexed.
    h.r('HSET', 'u:3', 'name', 'Ann');
    expect(h.r('FT.SEARCH', 'users', 'ann', 'NOCONTENT')).toEqual([1, 'u:1']);
    // A JSON value of the wrong type for its field is an indexing failure.
    h.r('JSON.SET', 'u:4', '$', '{"name":"Cy","age":"old"}');
    expect(infoMap(h.r('FT.INFO', 'users')).get('hash_indexing_failures')).toBe(1);
  });

  it('re-reads a shard after a failover promotes its replica (lost writes leave the index too)', () => {
    // A 50 ms replication lag: the replica is a copy of its own, behind the primary.
    const h = search({ highAvailability: true, replication: { lag: 50 } });
    h.r('FT.CREATE', 'idx', 'SCHEMA', 'f', 'TEXT');
    h.r('HSET', 'a', 'f', 'hello');
    const shard = h.cache.shards.findIndex((s) => s.keyspace.holds('a'));
    const before = h.cache.shards[shard].keyspace;
    // Unplanned: the write may not have reached the replica yet.
    h.cache.faults.failShard(shard);
    h.cache.clock.advance(120_000);
    expect(h.cache.shards[shard].keyspace).not.toBe(before);
    expect(h.r('EXISTS', 'a')).toBe(0);
    expect(h.r('FT.SEARCH', 'idx', 'hello', 'NOCONTENT')).toEqual([0]);
    h.r('HSET', 'a', 'f', 'again');
    expect(h.r('FT.SEARCH', 'idx', 'again', 'NOCONTENT')).toEqual([1, 'a']);
  });
});

describe('FT._LIST FT.INFO aliases', () => {
  it('lists indexes; FT.INFO of a missing index is an error; aliases resolve in queries', () => {
    const h = search();
    h.r('FT.CREATE', 'i1', 'SCHEMA', 'f', 'TEXT');
    h.r('FT.CREATE', 'i2', 'SCHEMA', 'f', 'TEXT');
    expect(h.r('FT._LIST')).toEqual(['i1', 'i2']);
    expect(h.r('FT.INFO', 'nope')).toBe('-Unknown index name');
    h.r('HSET', 'x', 'f', 'word');
    expect(h.r('FT.ALIASADD', 'al', 'i1')).toBe(OK);
    expect(h.r('FT.ALIASADD', 'al', 'i2')).toBe('-Alias already exists');
    expect(h.r('FT.ALIASADD', 'al2', 'nope')).toBe('-Unknown index name (or name is an alias itself)');
    expect(h.r('FT.SEARCH', 'al', 'word', 'NOCONTENT')).toEqual([1, 'x']);
    expect(h.r('FT.ALIASUPDATE', 'al', 'i2')).toBe(OK);
    expect(infoMap(h.r('FT.INFO', 'al')).get('index_name')).toBe('i2');
    expect(h.r('FT.ALIASDEL', 'al')).toBe(OK);
    expect(h.r('FT.ALIASDEL', 'al')).toBe('-Alias does not exist');
    expect(h.r('FT.SEARCH', 'al', 'word')).toBe('-al: no such index');
  });

  it('FT.INFO under RESP3 is a map with attribute maps and flags (source test_resp3.py test_info)', () => {
    const h = search({ resp: 3 });
    h.r('FT.CREATE', 'idx1', 'PREFIX', '1', 'doc', 'SCHEMA', 'f1', 'TEXT', 'f2', 'TEXT', 'SORTABLE');
    const info = new Map(h.r('FT.INFO', 'idx1') as Array<[unknown, unknown]>);
    expect(info.get('attributes')).toEqual([
      [['identifier', 'f1'], ['attribute', 'f1'], ['type', 'TEXT'], ['WEIGHT', ',1'], ['flags', []]],
      [['identifier', 'f2'], ['attribute', 'f2'], ['type', 'TEXT'], ['WEIGHT', ',1'], ['flags', ['+SORTABLE']]],
    ]);
    expect(info.get('index_definition')).toEqual([['key_type', 'HASH'], ['prefixes', ['doc']], ['default_score', ',1']]);
  });

  it('FT.CONFIG GET answers the defaults; SET is refused on AMR', () => {
    const h = search();
    expect(h.r('FT.CONFIG', 'GET', 'DEFAULT_DIALECT')).toEqual([['DEFAULT_DIALECT', '1']]);
    expect(h.r('FT.CONFIG', 'GET', 'MINPREFIX')).toEqual([['MINPREFIX', '2']]);
    expect(h.r('FT.CONFIG', 'SET', 'TIMEOUT', '100')).toBe('-FT.CONFIG cannot change module configuration');
  });

  it('TEMPORARY indexes disappear after their idle time', () => {
    const h = search();
    h.r('FT.CREATE', 'tmp', 'TEMPORARY', '10', 'SCHEMA', 'f', 'TEXT');
    h.cache.clock.advance(5_000);
    expect(h.r('FT.SEARCH', 'tmp', '*', 'NOCONTENT')).toEqual([0]);
    h.cache.clock.advance(9_000);
    expect(h.r('FT._LIST')).toEqual(['tmp']);
    h.cache.clock.advance(1_000);
    expect(h.r('FT._LIST')).toEqual([]);
  });
});
