/**
 * RedisBloom 2.8's Top-K (`TOPK.*`) on a cache created with `modules: ['RedisBloom']`.
 *
 * Expectations come from the command docs (RedisBloom `docs/commands/topk.*.md`, cited as
 * `docs topk.x`) and the module's source (`src/rm_topk.c`, `src/topk.c`; cited as `source`). Where
 * no bucket is shared (wide sketches), HeavyKeeper counts exactly and the answers follow from the
 * heap rules alone; where buckets collide, decay draws from the structure's seeded stream.
 */
import { describe, expect, it } from 'vitest';
import { ManagedRedis } from '../../src/managed-redis.js';
import type { HarnessOptions } from '../support/command-harness.js';
import { moduleHarness } from '../support/short-reply.js';

const bloom = (options: HarnessOptions = {}) => moduleHarness('RedisBloom', options);

const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value';

describe('Top-K', () => {
  it('docs topk.reserve / topk.info; the short form takes width 8, depth 7, decay 0.9 (source createTopK)', () => {
    const h = bloom();
    expect(h.r('TOPK.RESERVE', 'topk', '50', '2000', '7', '0.925')).toBe('+OK');
    expect(h.r('TOPK.INFO', 'topk')).toEqual(['+k', 50, '+width', 2000, '+depth', 7, '+decay', '0.925']);
    expect(h.r('TOPK.RESERVE', 'short', '5')).toBe('+OK');
    expect(h.r('TOPK.INFO', 'short')).toEqual(['+k', 5, '+width', 8, '+depth', 7, '+decay', '0.9']);
    expect(h.r('TYPE', 'short')).toBe('+TopK-TYPE');
    expect(h.r('MEMORY', 'USAGE', 'short')).toBeGreaterThanOrEqual(2088 + 8 * 7 * 8 + 5 * 24);
    const count = (h.r('COMMAND', 'INFO', 'topk.count') as unknown[][])[0];
    expect(count.slice(0, 6)).toEqual(['topk.count', -1, ['+write', '+module'], 1, 1, 1]);
    const add = (h.r('COMMAND', 'INFO', 'topk.add') as unknown[][])[0];
    expect(add.slice(0, 3)).toEqual(['topk.add', -1, ['+write', '+denyoom', '+module']]);
    const query = (h.r('COMMAND', 'INFO', 'topk.query') as unknown[][])[0];
    expect(query.slice(0, 3)).toEqual(['topk.query', -1, ['+readonly', '+module']]);
  });

  it('source TopK_Add: items enter while the heap has room; reaching the heap minimum expels it', () => {
    const h = bloom();
    h.r('TOPK.RESERVE', 't', '3', '1000', '4', '0.9');
    expect(h.r('TOPK.INCRBY', 't', 'a', '5', 'b', '3', 'c', '1')).toEqual([null, null, null]);
    expect(h.r('TOPK.INCRBY', 't', 'd', '2')).toEqual(['+c']);
    expect(h.r('TOPK.LIST', 't', 'WITHCOUNT')).toEqual(['+a', 5, '+b', 3, '+d', 2]);
    expect(h.r('TOPK.LIST', 't')).toEqual(['+a', '+b', '+d']);
    expect(h.r('TOPK.QUERY', 't', 'a', 'c', 'zz')).toEqual([1, 0, 0]);
    // TOPK.COUNT reads the buckets: c keeps its count outside the list.
    expect(h.r('TOPK.COUNT', 't', 'a', 'c', 'zz')).toEqual([5, 1, 0]);
    // c reaches the minimum (2): equal is enough to replace it.
    expect(h.r('TOPK.ADD', 't', 'c')).toEqual(['+d']);
    expect(h.r('TOPK.ADD', 't', 'a')).toEqual([null]);
    expect(h.r('TOPK.LIST', 't', 'WITHCOUNT')).toEqual(['+a', 6, '+b', 3, '+c', 2]);
    // source TOPK.LIST: any prefix of WITHCOUNT is taken (strncasecmp over the argument's length).
    expect(h.r('TOPK.LIST', 't', 'with')).toEqual(['+a', 6, '+b', 3, '+c', 2]);
  });

  it('HeavyKeeper decay: a heavier newcomer wears down a shared bucket and takes it over; seeded runs repeat', () => {
    const run = (seed: number) => {
      const cache = new ManagedRedis({ clock: 'virtual', seed, modules: ['RedisBloom'] });
      cache.execute(['TOPK.RESERVE', 'hk', '1', '1', '1', '0.9']);
      cache.execute(['TOPK.INCRBY', 'hk', 'a', '10']);
      const replies = [cache.execute(['TOPK.INCRBY', 'hk', 'b', '100']), cache.execute(['TOPK.LIST', 'hk', 'WITHCOUNT']), cache.execute(['TOPK.COUNT', 'hk', 'a', 'b'])];
      for (let i = 0; i < 20; i++) replies.push(cache.execute(['TOPK.ADD', 'hk', i % 2 === 0 ? 'a' : 'x']));
      replies.push(cache.execute(['TOPK.LIST', 'hk', 'WITHCOUNT']));
      return replies;
    };
    const first = run(7);
    expect(first[0]).toEqual(['a']);
    const [name, count] = first[1] as [string, number];
    expect(name).toBe('b');
    // b took the bucket over with the units a's decay left: fewer than 100, at least a's 10.
    expect(count).toBeGreaterThanOrEqual(10);
    expect(count).toBeLessThan(100);
    expect(first[2]).toEqual([0, count]);
    expect(run(7)).toEqual(first);
  });

  it('source: errors and their texts; nothing is created or changed on an error', () => {
    const h = bloom();
    h.r('TOPK.RESERVE', 't', '2', '10', '2', '0.5');
    expect(h.r('TOPK.RESERVE', 't', '2')).toBe('-TopK: key already exists');
    expect(h.r('TOPK.RESERVE', 'n', '0')).toBe('-TopK: invalid k');
    expect(h.r('TOPK.RESERVE', 'n', '2', '0', '2', '0.5')).toBe('-TopK: invalid width');
    expect(h.r('TOPK.RESERVE', 'n', '2', '2', 'x', '0.5')).toBe('-TopK: invalid depth');
    expect(h.r('TOPK.RESERVE', 'n', '2', '2', '2', '1.5')).toBe("-TopK: invalid decay value. must be '<= 1' & '> 0'");
    expect(h.r('TOPK.RESERVE', 'n', '2', '2', '2', '0')).toBe("-TopK: invalid decay value. must be '<= 1' & '> 0'");
    expect(h.r('TOPK.RESERVE', 'n', '2', '2')).toBe("-ERR wrong number of arguments for 'topk.reserve' command");
    expect(h.r('TOPK.ADD', 'n', 'a')).toBe('-TopK: key does not exist');
    expect(h.r('TOPK.LIST', 'n')).toBe('-TopK: key does not exist');
    expect(h.r('TOPK.LIST', 't', 'WITHCOUNTS')).toBe('-WITHCOUNT keyword expected');
    const increment = `-TopK: increment must be an integer greater or equal to 0${' '.repeat(28)}and smaller or equal to 100,000`;
    // flow test_incrby: the error is the first element of the reply array.
    expect(h.r('TOPK.INCRBY', 't', 'a', '-1')).toEqual([increment]);
    expect(h.r('TOPK.INCRBY', 't', 'a', '123456')).toEqual([increment]);
    expect(h.r('TOPK.INCRBY', 't', 'a', '1', 'b', '100001')).toEqual([increment]);
    expect(h.r('TOPK.LIST', 't')).toEqual([]);
    expect(h.r('TOPK.INCRBY', 't', 'a')).toBe("-ERR wrong number of arguments for 'topk.incrby' command");
    expect(h.r('TOPK.QUERY', 't')).toBe("-ERR wrong number of arguments for 'topk.query' command");
    h.r('SET', 's', 'v');
    expect(h.r('TOPK.QUERY', 's', 'a')).toBe(WRONGTYPE);
    expect(h.r('TOPK.ADD', 's', 'a')).toBe(WRONGTYPE);
    expect(h.r('EXISTS', 'n')).toBe(0);
  });

  it('flow test_topk.py: test_incrby, test_list_info, test_no_init_params, test_list_with_count, test_empty_string', () => {
    const h = bloom();
    h.r('TOPK.RESERVE', 'inc', '3', '10', '3', '1');
    expect(h.r('TOPK.INCRBY', 'inc', 'bar', '3', 'baz', '6', '42', '2')).toEqual([null, null, null]);
    expect(h.r('TOPK.INCRBY', 'inc', '42', '8', 'xyzzy', '4')).toEqual([null, '+bar']);
    expect(h.r('TOPK.COUNT', 'inc', 'bar', 'baz', '42', 'xyzzy', '4')).toEqual([3, 6, 10, 4, 0]);
    h.r('TOPK.RESERVE', 'li', '2', '50', '5', '0.9');
    h.r('TOPK.ADD', 'li', 'foo', 'bar', 'baz', '42', 'foo', 'bar', 'baz');
    h.r('TOPK.ADD', 'li', 'foo', 'baz', '42', 'foo', 'baz');
    h.r('TOPK.ADD', 'li', 'foo', 'bar', 'baz', 'foo', 'baz');
    expect(h.r('TOPK.LIST', 'li')).toEqual(['+foo', '+baz']);
    expect(h.r('TOPK.ADD', 'li', 'bar', 'bar', 'bar', 'bar', 'bar')).toEqual([null, null, '+foo', null, null]);
    expect(h.r('TOPK.LIST', 'li')).toEqual(['+bar', '+baz']);
    expect(h.r('TOPK.LIST', 'li', '_topk_')).toBe('-WITHCOUNT keyword expected');
    h.r('TOPK.RESERVE', 'ni', '3');
    h.r('TOPK.ADD', 'ni', ...'foo bar baz 42 foo bar baz foo foo foo foo'.split(' '));
    h.r('TOPK.ADD', 'ni', ...'foo baz 42 foo baz foo foo foo foo foo'.split(' '));
    h.r('TOPK.ADD', 'ni', ...'foo bar baz foo baz baz baz baz'.split(' '));
    expect(h.r('TOPK.LIST', 'ni')).toEqual(['+foo', '+baz', '+bar']);
    h.r('TOPK.RESERVE', 'wc', '3');
    h.r('TOPK.ADD', 'wc', ...'foo bar baz 42 foo bar baz'.split(' '));
    h.r('TOPK.ADD', 'wc', ...'foo baz 42 foo'.split(' '));
    h.r('TOPK.ADD', 'wc', ...'foo bar baz foo'.split(' '));
    expect(h.r('TOPK.LIST', 'wc', 'WITHCOUNT')).toEqual(['+foo', 6, '+baz', 4, '+bar', 3]);
    h.r('TOPK.RESERVE', 'e', '3');
    h.r('TOPK.ADD', 'e', '');
    expect(h.r('TOPK.LIST', 'e', 'withcount')).toEqual(['+', 1]);
    h.r('TOPK.INCRBY', 'e', '', '100');
    for (const items of ['foo bar baz', 'foo bar baz ', 'foo bar ', 'foo ']) h.r('TOPK.ADD', 'e', ...items.split(' '));
    expect(h.r('TOPK.LIST', 'e', 'WITHCOUNT')).toEqual(['+', 104, '+foo', 4, '+bar', 3]);
    expect(h.r('TOPK.QUERY', 'e', 'bla', 'foo', '')).toEqual([0, 1, 1]);
    h.r('TOPK.INCRBY', 'e', 'foo', '500', 'bar', '500', 'baz', '500');
    expect(h.r('TOPK.LIST', 'e', 'WITHCOUNT')).toEqual(['+foo', 504, '+bar', 503, '+baz', 502]);
  });

  it('flow resp3 (RedisBloom tests/flow/test_resp3.py, 2.6/2.8): TOPK.INFO is a map with a double decay, TOPK.QUERY answers booleans; TOPK.ADD answers nulls', () => {
    const h = bloom({ resp: 3 });
    h.r('TOPK.RESERVE', 't', '1', '50', '3', '0.9');
    expect(h.r('TOPK.ADD', 't', 'a')).toEqual([null]);
    expect(h.r('TOPK.INFO', 't')).toEqual([['+k', 1], ['+width', 50], ['+depth', 3], ['+decay', ',0.9']]);
    h.r('TOPK.RESERVE', 'topk', '2', '50', '5', '0.9');
    h.r('TOPK.ADD', 'topk', 'foo', 'bar', 'baz', '42', 'foo', 'bar', 'baz');
    h.r('TOPK.ADD', 'topk', 'foo', 'baz', '42', 'foo', 'baz');
    h.r('TOPK.ADD', 'topk', 'foo', 'bar', 'baz', 'foo', 'baz');
    expect(h.r('TOPK.QUERY', 'topk', 'foo', 'bar', 'baz', 'dan')).toEqual(['#true', '#false', '#true', '#false']);
  });

  it('replicas replay TOPK.ADD with the same random stream: digests converge; COPY takes the stream along', async () => {
    const cache = new ManagedRedis({ modules: ['RedisBloom'], clock: 'virtual', seed: 3, activeExpiry: false, replication: { lag: 100 } });
    await cache.ready();
    const shard = cache.topology.slotToShard[Number(cache.execute(['CLUSTER', 'KEYSLOT', '{h}t']))];
    cache.execute(['TOPK.RESERVE', '{h}t', '2', '2', '2', '0.9']);
    for (let i = 0; i < 30; i++) cache.execute(['TOPK.ADD', '{h}t', `item${i % 7}`]);
    cache.execute(['COPY', '{h}t', '{h}u']);
    cache.clock.advance(200);
    expect(cache.replication.replicaDigest(shard)).toBe(cache.replication.digest(shard));
    // The copy continues the same stream: the same adds give the same answers.
    const a = cache.execute(['TOPK.INCRBY', '{h}t', 'zz', '50']);
    const b = cache.execute(['TOPK.INCRBY', '{h}u', 'zz', '50']);
    expect(b).toEqual(a);
    cache.clock.advance(200);
    expect(cache.replication.replicaDigest(shard)).toBe(cache.replication.digest(shard));
  });
});
