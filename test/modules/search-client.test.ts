/**
 * End to end: node-redis v5's `client.ft.*` (which parses the replies into objects, so a wrong
 * shape fails here) against the RESP server of a cache with RediSearch and RedisJSON.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, SCHEMA_FIELD_TYPE, SCHEMA_VECTOR_FIELD_ALGORITHM } from 'redis';
import { ManagedRedis } from '../../src/index.js';
import type { RespServer } from '../../src/server/server.js';

/** node-redis's RESP2 shapes of FT.SEARCH, FT.SEARCH NOCONTENT and FT.AGGREGATE (its reply types are a RESP union). */
type Found = { total: number; documents: Array<{ id: string; value: Record<string, unknown> }> };
type FoundIds = { total: number; documents: string[] };
type Aggregated = { total: number; results: Array<Record<string, unknown>> };

describe('node-redis client.ft against the RESP server', () => {
  let cache: ManagedRedis;
  let server: RespServer;
  let client: ReturnType<typeof createClient>;
  beforeAll(async () => {
    cache = new ManagedRedis({ clusterPolicy: 'Enterprise', evictionPolicy: 'noeviction', modules: ['RediSearch', 'RedisJSON'] });
    server = await cache.listen();
    client = createClient({ url: server.url, RESP: 2 });
    client.on('error', () => {});
    await client.connect();
  });
  afterAll(async () => {
    client.destroy();
    await server.close();
    cache.close();
  });

  it('creates a hash index, searches, aggregates and reads FT.INFO', async () => {
    expect(
      await client.ft.create('products', {
        name: { type: SCHEMA_FIELD_TYPE.TEXT, SORTABLE: true },
        brand: SCHEMA_FIELD_TYPE.TAG,
        price: { type: SCHEMA_FIELD_TYPE.NUMERIC, SORTABLE: true },
      }, { ON: 'HASH', PREFIX: 'prod:' }),
    ).toBe('OK');
    await client.hSet('prod:1', { name: 'red shirt', brand: 'acme', price: '10' });
    await client.hSet('prod:2', { name: 'blue shirt', brand: 'acme', price: '20' });
    await client.hSet('prod:3', { name: 'green hat', brand: 'zeta', price: '5' });
    expect(await client.ft._list()).toEqual(['products']);

    const found = (await client.ft.search('products', 'shirt', { SORTBY: { BY: 'price', DIRECTION: 'DESC' } })) as Found;
    expect(found.total).toBe(2);
    expect(found.documents.map((d) => d.id)).toEqual(['prod:2', 'prod:1']);
    expect(found.documents[0].value).toEqual({ name: 'blue shirt', brand: 'acme', price: '20' });

    const some = await client.ft.search('products', '@brand:{acme}', { RETURN: ['name'], LIMIT: { from: 0, size: 1 }, SORTBY: 'price' });
    expect(some).toEqual({ total: 2, documents: [{ id: 'prod:1', value: { name: 'red shirt' } }] });

    const ids = (await client.ft.searchNoContent('products', '@price:[6 +inf]')) as FoundIds;
    expect(ids.total).toBe(2);
    expect([...ids.documents].sort()).toEqual(['prod:1', 'prod:2']);

    const grouped = (await client.ft.aggregate('products', '*', {
      STEPS: [
        { type: 'GROUPBY', properties: '@brand', REDUCE: [{ type: 'SUM', property: '@price', AS: 'total' }] },
        { type: 'SORTBY', BY: '@total' },
      ],
    })) as Aggregated;
    expect(grouped.results).toEqual([{ brand: 'zeta', total: '5' }, { brand: 'acme', total: '30' }]);

    const info = (await client.ft.info('products')) as { index_name: string; num_docs: number; attributes: Array<Record<string, unknown>> };
    expect(info.index_name).toBe('products');
    expect(info.num_docs).toBe(3);
    expect(info.attributes.map((a) => a.attribute)).toEqual(['name', 'brand', 'price']);
  });

  it('indexes JSON with vector KNN through client.ft.search', async () => {
    await client.ft.create('vecs', {
      '$.title': { type: SCHEMA_FIELD_TYPE.TEXT, AS: 'title' },
      '$.v': { type: SCHEMA_FIELD_TYPE.VECTOR, ALGORITHM: SCHEMA_VECTOR_FIELD_ALGORITHM.HNSW, TYPE: 'FLOAT32', DIM: 2, DISTANCE_METRIC: 'L2', AS: 'v' },
    }, { ON: 'JSON', PREFIX: 'j:' });
    await client.json.set('j:1', '$', { title: 'near', v: [1, 1] });
    await client.json.set('j:2', '$', { title: 'far', v: [10, 10] });
    const blob = Buffer.from(new Float32Array([1, 2]).buffer);
    const res = await client.ft.search('vecs', '*=>[KNN 1 @v $q AS d]', { PARAMS: { q: blob }, RETURN: ['d', 'title'], DIALECT: 2 });
    expect(res).toEqual({ total: 1, documents: [{ id: 'j:1', value: { d: '1', title: 'near' } }] });
  });

  it('the module errors reach the client as errors', async () => {
    await expect(client.ft.search('missing', '*')).rejects.toThrow('missing: no such index');
    await expect(client.ft.create('products', { x: SCHEMA_FIELD_TYPE.TEXT })).rejects.toThrow('Index already exists');
  });
});
