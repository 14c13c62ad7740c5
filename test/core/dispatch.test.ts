import { describe, expect, it } from 'vitest';
import { ManagedRedis, ReplyError, keySlot } from '../../src/index.js';
import type { ChangeRecord } from '../../src/index.js';

describe('dispatch', () => {
  const cache = new ManagedRedis({ clock: 'virtual' });

  it('finds commands whatever their case', () => {
    expect(cache.execute(['set', 'a', '1'])).toBe('OK');
    expect(cache.execute(['GeT', 'a'])).toBe('1');
    expect(cache.execute([Buffer.from('GET'), 'a'])).toBe('1');
  });

  it('answers unknown commands and wrong arity with the server text', () => {
    expect(() => cache.execute(['NOPE', 'x', 'y'])).toThrow(
      new ReplyError("ERR unknown command 'NOPE', with args beginning with: 'x' 'y' "),
    );
    expect(() => cache.execute(['GET'])).toThrow("ERR wrong number of arguments for 'get' command");
    expect(() => cache.execute(['OBJECT', 'NOPE'])).toThrow("ERR unknown subcommand 'NOPE'. Try OBJECT HELP.");
  });

  it('stores each key in the shard that owns its slot', () => {
    for (const key of ['a', 'b', 'user:1', '{t}x', 'ключ']) {
      cache.execute(['SET', key, 'v']);
      const owner = cache.shardForSlot(keySlot(key));
      const name = Buffer.from(key, 'utf8').toString('latin1');
      for (const shard of cache.shards) expect(shard.keyspace.holds(name)).toBe(shard === owner);
    }
  });

  it('treats a string and a Buffer with equal bytes as the same key', () => {
    cache.execute(['SET', 'ключ', 'x']);
    expect(cache.execute(['GET', Buffer.from('ключ', 'utf8')])).toBe('x');
  });

  it('reports changes through the one hook, and nothing for reads', () => {
    const changes: ChangeRecord[] = [];
    cache.changeListeners.push((c) => changes.push(c));
    cache.execute(['SET', 'hooked', '1']);
    cache.execute(['GET', 'hooked']);
    cache.execute(['DEL', 'hooked']);
    cache.changeListeners.length = 0;
    expect(changes.map((c) => [c.command, c.keys])).toEqual([
      ['set', ['hooked']],
      ['del', ['hooked']],
    ]);
  });

  it('reports expiry as a DEL effect', () => {
    const changes: ChangeRecord[] = [];
    cache.changeListeners.push((c) => changes.push(c));
    cache.execute(['SET', 'short', '1', 'PX', '5']);
    cache.clock.advance(10);
    expect(cache.execute(['GET', 'short'])).toBeNull();
    cache.changeListeners.length = 0;
    const expired = changes.find((c) => c.command === 'expired');
    expect(expired?.keys).toEqual(['short']);
    expect(expired?.effects[0].map(String)).toEqual(['DEL', 'short']);
  });

  it('leaves nothing half-applied when a command fails', () => {
    cache.execute(['SET', 'counter', '10']);
    expect(() => cache.execute(['INCRBY', 'counter', 'x'])).toThrow('ERR value is not an integer or out of range');
    expect(cache.execute(['GET', 'counter'])).toBe('10');
  });

  it('keeps working when a nested command runs inside another (context reuse)', () => {
    const seen: unknown[] = [];
    cache.changeListeners.push(() => seen.push(cache.execute(['GET', 'nested'])));
    cache.execute(['SET', 'nested', 'n']);
    cache.changeListeners.length = 0;
    expect(seen).toEqual(['n']);
    expect(cache.execute(['GET', 'nested'])).toBe('n');
  });
});

describe('commands AMR blocks', () => {
  it('answers unknown command for CLUSTER under Enterprise, even with bad arity or subcommand', () => {
    const enterprise = new ManagedRedis({ clusterPolicy: 'Enterprise', clock: 'virtual' });
    expect(() => enterprise.execute(['CLUSTER'])).toThrow("ERR unknown command 'CLUSTER', with args beginning with: ");
    expect(() => enterprise.execute(['CLUSTER', 'FOO'])).toThrow(
      "ERR unknown command 'CLUSTER', with args beginning with: 'FOO' ",
    );
    const oss = new ManagedRedis({ clock: 'virtual' });
    expect(() => oss.execute(['CLUSTER'])).toThrow("ERR wrong number of arguments for 'cluster' command");
    expect(oss.execute(['CLUSTER', 'KEYSLOT', '123456789'])).toBe(12739);
  });

  it('counts error replies by code for INFO errorstats', () => {
    const cache = new ManagedRedis({ clock: 'virtual' });
    expect(() => cache.execute(['GET'])).toThrow();
    expect(() => cache.execute(['NOPE'])).toThrow();
    expect(cache.stats.errorReplies).toBe(2);
    expect(cache.stats.errorCounts.get('ERR')).toBe(2);
  });
});

describe('keyspace statistics and fan-out validation', () => {
  it('counts read lookups as hits and misses, not write lookups', () => {
    const cache = new ManagedRedis({ clock: 'virtual' });
    cache.execute(['SET', 'a', '1']);
    cache.execute(['GET', 'a']);
    cache.execute(['GET', 'missing']);
    cache.execute(['APPEND', 'a', 'x']);
    expect([cache.stats.keyspaceHits, cache.stats.keyspaceMisses]).toEqual([1, 1]);
  });

  it('rejects an Enterprise cross-slot MSET with a missing value before writing anything', () => {
    const cache = new ManagedRedis({ clusterPolicy: 'Enterprise', clock: 'virtual' });
    const [a, b] = ['a', 'b'];
    expect(cache.shardForSlot(keySlot(a))).not.toBe(cache.shardForSlot(keySlot(b)));
    expect(() => cache.execute(['MSET', a, '1', b])).toThrow("ERR wrong number of arguments for 'mset' command");
    expect(cache.execute(['EXISTS', a, b])).toBe(0);
  });
});

describe('single-shard clustered SKUs', () => {
  it('still refuse cross-slot commands under OSS, as a one-shard cluster does', () => {
    const cache = new ManagedRedis({ sku: 'Balanced_B0', clock: 'virtual' });
    expect(cache.shards.length).toBe(1);
    expect(() => cache.execute(['MSET', 'a', '1', 'b', '2'])).toThrow("CROSSSLOT Keys in request don't hash to the same slot");
    expect(cache.execute(['MSET', '{u}a', '1', '{u}b', '2'])).toBe('OK');
  });
});
