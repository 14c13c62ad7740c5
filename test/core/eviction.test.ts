/**
 * Eviction under maxmemory: which keys each policy evicts (virtual clock, fixed seed), the OOM
 * error when nothing can go, determinism for a seed, the running memory total against a
 * from-scratch recomputation after random operations on every type, and how an eviction is
 * reported (keyspace notification, event, INFO, replica, WATCH). The live part checks the OOM text
 * and the volatile policies' refusal on a real redis-server.
 */
import { describe, expect, it } from 'vitest';
import { ManagedRedis, type EvictionPolicy, type ManagedRedisOptions } from '../../src/managed-redis.js';
import { RedisObject, type Keyspace } from '../../src/keyspace/keyspace.js';
import { recomputeDatasetBytes, STARTUP_BYTES } from '../../src/info.js';
import { allocSize, sdsSize } from '../../src/keyspace/memory.js';
import { entrySize, ListValue } from '../../src/keyspace/types/list.js';
import { SetValue } from '../../src/keyspace/types/set.js';
import { RedisHash } from '../../src/keyspace/types/hash.js';
import { Rng } from '../../src/rng.js';
import { NULL_ARRAY } from '../../src/protocol/reply.js';
import { describeLive } from '../support/live.js';
import { RespClient } from '../support/resp-client.js';
import { privateServer } from '../commands/live-streams.js';

const OOM = "OOM command not allowed when used memory > 'maxmemory'.";
const VALUE = 'x'.repeat(100);

/** One shard (NoCluster), a virtual clock, no background expiry, and `budget` bytes for data. */
function cacheWith(policy: EvictionPolicy, budget = 30_000, options: ManagedRedisOptions = {}): ManagedRedis {
  return new ManagedRedis({
    clusterPolicy: 'NoCluster',
    clock: 'virtual',
    seed: 7,
    activeExpiry: false,
    highAvailability: false,
    evictionPolicy: policy,
    maxmemoryBytes: STARTUP_BYTES + budget,
    ...options,
  });
}

function db(cache: ManagedRedis): Keyspace {
  return cache.shards[0].keyspace;
}

function infoField(cache: ManagedRedis, section: string, field: string): string {
  const text = String(cache.execute(['INFO', section]));
  return text.match(new RegExp(`^${field}:(.*)\\r$`, 'm'))![1];
}

function exists(cache: ManagedRedis, key: string): boolean {
  return db(cache).valueOf(key) !== undefined;
}

describe('eviction policies', () => {
  it('volatile-lru, volatile-lfu, volatile-random and volatile-ttl never evict a key without a TTL', () => {
    for (const policy of ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl'] as const) {
      const cache = cacheWith(policy);
      for (let i = 0; i < 40; i++) cache.set(`keep:${i}`, VALUE);
      for (let i = 0; i < 400; i++) {
        cache.set(`tmp:${i}`, VALUE, 'EX', 1000 + i);
        cache.clock.advance(1000);
      }
      const evicted = Number(infoField(cache, 'stats', 'evicted_keys'));
      expect(evicted, policy).toBeGreaterThan(100);
      for (let i = 0; i < 40; i++) expect(exists(cache, `keep:${i}`), `${policy} keep:${i}`).toBe(true);
      expect(db(cache).bytes).toBeLessThanOrEqual(db(cache).evictAbove + 200);
      cache.close();
    }
  });

  it('allkeys-random and allkeys-lru evict keys with and without a TTL', () => {
    for (const policy of ['allkeys-random', 'allkeys-lru', 'allkeys-lfu'] as const) {
      const cache = cacheWith(policy);
      for (let i = 0; i < 400; i++) {
        if (i % 2 === 0) cache.set(`p:${i}`, VALUE);
        else cache.set(`t:${i}`, VALUE, 'EX', 100_000);
        cache.clock.advance(1000);
      }
      const keys = Array.from(db(cache).keys());
      expect(keys.length, policy).toBeLessThan(300);
      expect(keys.filter((k) => k.startsWith('p:')).length, policy).toBeLessThan(200);
      expect(keys.filter((k) => k.startsWith('t:')).length, policy).toBeLessThan(200);
      cache.close();
    }
  });

  it('volatile-ttl evicts the keys nearest their expiry first', () => {
    const cache = cacheWith('volatile-ttl');
    const rng = new Rng(3);
    const ttl = new Map<string, number>();
    for (let i = 0; i < 600; i++) {
      const seconds = 1000 + rng.below(100_000);
      ttl.set(`k${i}`, seconds);
      cache.set(`k${i}`, VALUE, 'EX', seconds);
    }
    const survivors = [...ttl.keys()].filter((k) => exists(cache, k)).map((k) => ttl.get(k)!);
    const gone = [...ttl.keys()].filter((k) => !exists(cache, k)).map((k) => ttl.get(k)!);
    expect(gone.length).toBeGreaterThan(200);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(gone)).toBeLessThan(mean(survivors) * 0.6);
    // The longest-lived fifth of the keys is almost never a victim (the pool sees samples, not all keys).
    const cut = [...ttl.values()].sort((a, b) => a - b)[Math.floor(ttl.size * 0.8)];
    expect(gone.filter((s) => s >= cut).length).toBeLessThanOrEqual(gone.length * 0.02);
    expect(survivors.filter((s) => s >= cut).length).toBeGreaterThan(ttl.size * 0.19);
    cache.close();
  });

  it('allkeys-lru keeps the keys read recently', () => {
    const cache = cacheWith('allkeys-lru');
    const hot = Array.from({ length: 20 }, (_, i) => `hot:${i}`);
    for (const key of hot) cache.set(key, VALUE);
    for (let i = 0; i < 600; i++) {
      cache.set(`cold:${i}`, VALUE);
      cache.clock.advance(1000);
      // Every hot key read within the last few seconds.
      cache.get(hot[i % hot.length]);
    }
    expect(Number(infoField(cache, 'stats', 'evicted_keys'))).toBeGreaterThan(300);
    for (const key of hot) expect(exists(cache, key), key).toBe(true);
    cache.close();
  });

  it('volatile-lru keeps the keys read recently among keys with a TTL', () => {
    const cache = cacheWith('volatile-lru');
    const hot = Array.from({ length: 20 }, (_, i) => `hot:${i}`);
    for (const key of hot) cache.set(key, VALUE, 'EX', 1_000_000);
    for (let i = 0; i < 600; i++) {
      cache.set(`cold:${i}`, VALUE, 'EX', 1_000_000);
      cache.clock.advance(1000);
      cache.get(hot[i % hot.length]);
    }
    for (const key of hot) expect(exists(cache, key), key).toBe(true);
    cache.close();
  });

  it('allkeys-lfu keeps the keys read often, even when the others were touched more recently', () => {
    const cache = cacheWith('allkeys-lfu');
    const hot = Array.from({ length: 20 }, (_, i) => `hot:${i}`);
    for (const key of hot) cache.set(key, VALUE);
    for (let round = 0; round < 200; round++) for (const key of hot) cache.get(key);
    for (let i = 0; i < 600; i++) {
      cache.set(`cold:${i}`, VALUE);
      cache.get(`cold:${i}`);
      cache.clock.advance(100);
    }
    expect(Number(infoField(cache, 'stats', 'evicted_keys'))).toBeGreaterThan(300);
    for (const key of hot) expect(exists(cache, key), key).toBe(true);
    cache.close();
  });

  it('is deterministic for a seed', () => {
    const survivors = (seed: number, policy: EvictionPolicy) => {
      const cache = cacheWith(policy, 30_000, { seed });
      for (let i = 0; i < 500; i++) {
        cache.set(`k${i}`, VALUE, 'EX', 100_000 + (i % 17));
        cache.get(`k${(i * 7) % (i + 1)}`);
        cache.clock.advance(700);
      }
      const keys = Array.from(db(cache).keys()).join(',');
      cache.close();
      return keys;
    };
    for (const policy of ['allkeys-random', 'volatile-random', 'allkeys-lru', 'volatile-lfu'] as const) {
      expect(survivors(11, policy)).toBe(survivors(11, policy));
    }
    expect(survivors(11, 'allkeys-random')).not.toBe(survivors(12, 'allkeys-random'));
  });
});

describe('when nothing can be evicted', () => {
  it('noeviction: denyoom commands answer the OOM error; reads and deletes still run', () => {
    const cache = cacheWith('noeviction');
    let refused = 0;
    for (let i = 0; i < 400; i++) {
      try {
        cache.set(`k${i}`, VALUE);
      } catch (error) {
        expect((error as Error).message).toBe(OOM);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(100);
    expect(() => cache.execute(['LPUSH', 'l', 'a'])).toThrow(OOM);
    expect(() => cache.execute(['APPEND', 'k0', 'more'])).toThrow(OOM);
    expect(cache.get('k0')).toBe(VALUE);
    expect(cache.execute(['EXISTS', 'k1'])).toBe(1);
    expect(infoField(cache, 'stats', 'evicted_keys')).toBe('0');
    expect(Number(infoField(cache, 'stats', 'total_error_replies'))).toBeGreaterThan(100);
    // Deleting makes room again.
    for (let i = 0; i < 100; i++) cache.execute(['DEL', `k${i}`]);
    expect(cache.set('again', VALUE)).toBe('OK');
    cache.close();
  });

  it('a volatile policy with no key that has a TTL refuses writes the same way', () => {
    const cache = cacheWith('volatile-lru');
    expect(() => {
      for (let i = 0; i < 400; i++) cache.set(`k${i}`, VALUE);
    }).toThrow(OOM);
    // One key with a TTL is something to evict: the next write goes through after it goes.
    const dbsize = cache.execute(['DBSIZE']) as number;
    cache.execute(['EXPIRE', 'k0', '100']);
    expect(cache.set('new', VALUE)).toBe('OK');
    expect(exists(cache, 'k0')).toBe(false);
    expect(cache.execute(['DBSIZE'])).toBe(dbsize);
    cache.close();
  });
});

describe('configuration', () => {
  it('maxmemoryBytes is split over the primary shards and shown by INFO', () => {
    const cache = new ManagedRedis({ sku: 'Balanced_B5', maxmemoryBytes: 64 * 1024 * 1024, highAvailability: false });
    const shards = cache.shards.length;
    expect(Number(cache.settings.get('maxmemory'))).toBe(Math.floor((64 * 1024 * 1024) / shards));
    expect(Number(infoField(cache, 'memory', 'maxmemory'))).toBe(Math.floor((64 * 1024 * 1024) / shards) * shards);
    cache.close();
  });

  it('rejects a bound that cannot work, naming the problem', () => {
    expect(() => new ManagedRedis({ maxmemoryBytes: -1 })).toThrow(/non-negative integer/);
    expect(() => new ManagedRedis({ maxmemoryBytes: 1.5 })).toThrow(/non-negative integer/);
    expect(() => new ManagedRedis({ clusterPolicy: 'NoCluster', maxmemoryBytes: 500_000 })).toThrow(/already uses/);
    expect(() => new ManagedRedis({ clusterPolicy: 'NoCluster', maxmemoryBytes: 0 })).not.toThrow();
  });

  it('CONFIG SET maxmemory is refused as on AMR', () => {
    const cache = cacheWith('allkeys-lru');
    expect(() => cache.execute(['CONFIG', 'SET', 'maxmemory', '1000000'])).toThrow();
    cache.close();
  });
});

describe('how an eviction is reported', () => {
  it('keyspace notification `evicted`, key-evicted event, INFO evicted_keys, WATCH, and a DEL to the replica', () => {
    const cache = cacheWith('allkeys-lru', 30_000, { highAvailability: true, notifyKeyspaceEvents: 'Ee' });
    const messages: string[] = [];
    const sub = cache.openClient({ name: null });
    sub.push = (message) => {
      if (message[0] === 'pmessage') messages.push(`${String(message[2])} ${String(message[3])}`);
    };
    cache.executeReply(['PSUBSCRIBE', '__key*__:*'], sub);
    const events: string[] = [];
    cache.events.on('key-evicted', (e) => events.push(e.key.toString('latin1')));
    cache.set('first', VALUE);
    const watcher = cache.openClient({ name: null });
    cache.executeReply(['WATCH', 'first'], watcher);
    cache.clock.advance(5000);
    let i = 0;
    while (exists(cache, 'first')) {
      cache.set(`k${i++}`, VALUE);
      cache.clock.advance(10);
    }
    expect(events).toContain('first');
    const evicted = Number(infoField(cache, 'stats', 'evicted_keys'));
    expect(evicted).toBe(events.length);
    expect(messages).toContain('__keyevent@0__:evicted first');
    expect(messages.filter((m) => m.startsWith('__keyevent@0__:evicted')).length).toBe(evicted);
    cache.executeReply(['MULTI'], watcher);
    cache.executeReply(['SET', 'first', 'v'], watcher);
    expect(cache.executeReply(['EXEC'], watcher)).toBe(NULL_ARRAY);
    // The replica applied the eviction as a DEL.
    cache.clock.advance(10_000);
    const replica = cache.replication.replicaView(0);
    expect(replica.execute(['EXISTS', 'first'])).toBe(0);
    expect(replica.execute(['DBSIZE'])).toBe(cache.execute(['DBSIZE']));
    cache.close();
  });
});

// ---------------------------------------------------------------------------------------------
// The memory total against a from-scratch recomputation.

function listpackBytes(values: Iterable<string | Buffer>): number {
  let sum = 7;
  for (const v of values) sum += entrySize(v);
  return sum;
}

/** A value's memory figure recomputed from its contents (the model of each type, written out again). */
function scratchBytes(value: RedisObject): number | null {
  if (value instanceof ListValue) {
    const items = value.range(0, value.length - 1);
    const layout = value.layout();
    if (layout === null) return 16 + allocSize(listpackBytes(items));
    return 16 + 48 + layout.length * (32 + 7) + listpackBytes(items) - 7;
  }
  if (value instanceof SetValue) {
    const members = [...value.members()];
    const n = members.length;
    if (value.encoding() === 'intset') {
      let width = 2;
      for (const m of members) {
        const v = Number(m);
        if (v < -2147483648 || v > 2147483647) width = 8;
        else if (width < 4 && (v < -32768 || v > 32767)) width = 4;
      }
      return 16 + allocSize(8 + n * width);
    }
    if (value.encoding() === 'listpack') return 16 + allocSize(listpackBytes(members));
    let buckets = 4;
    while (buckets < n) buckets *= 2;
    return 16 + 56 + buckets * 8 + n * 18 + members.reduce((a, m) => a + m.length, 0);
  }
  if (value instanceof RedisHash) {
    const n = value.fields.size;
    const ttls = value.ttls?.size ?? 0;
    const pairs = [...value.fields].flat();
    if (value.encoding() === 'listpack') return 16 + allocSize(listpackBytes(pairs));
    if (value.encoding() === 'listpackex') return 16 + allocSize(listpackBytes(pairs) + 2 * n + 8 * ttls);
    let buckets = 4;
    while (buckets < n) buckets *= 2;
    let sds = 0;
    for (const [f, v] of value.fields) sds += sdsSize(f.length) + sdsSize(v.length);
    return 16 + 56 + buckets * 8 + n * 24 + sds + 16 * ttls;
  }
  return null;
}

function checkAccounting(cache: ManagedRedis, step: number): void {
  for (const shard of cache.shards) {
    const keyspace = shard.keyspace;
    expect(keyspace.bytes, `step ${step}`).toBe(recomputeDatasetBytes(keyspace));
    for (const [key, value] of keyspace.entries()) {
      if (!(value instanceof RedisObject)) continue;
      expect(value.owner, `step ${step} ${key}`).toBe(keyspace);
      expect(value.accounted, `step ${step} ${key}`).toBe(value.memoryUsage());
      const scratch = scratchBytes(value);
      if (scratch !== null) expect(value.memoryUsage(), `step ${step} ${key} ${value.type} ${value.encoding()}`).toBe(scratch);
    }
  }
}

describe('memory accounting', () => {
  it('the running total equals a from-scratch recomputation after random operations on every type', () => {
    const cache = new ManagedRedis({ sku: 'Balanced_B5', clock: 'virtual', seed: 5, activeExpiry: false, highAvailability: false });
    cache.settings.setInternal('list-max-listpack-size', '8');
    const rng = new Rng(99);
    const keys = ['{t}a', '{t}b', '{t}c', '{t}d', '{t}e', '{u}f', '{u}g'];
    const word = () => {
      const r = rng.below(10);
      if (r < 3) return String(rng.below(100_000) - 50_000);
      if (r < 4) return String(rng.below(2 ** 40));
      return 'w'.repeat(1 + rng.below(r === 9 ? 120 : 12)) + rng.below(1000);
    };
    const commands: Array<() => string[]> = [
      () => ['SET', pick(), word()],
      () => ['SET', pick(), word(), 'EX', String(1 + rng.below(5))],
      () => ['APPEND', pick(), word()],
      () => ['INCR', pick()],
      () => ['SETRANGE', pick(), String(rng.below(30)), word()],
      () => ['EXPIRE', pick(), String(1 + rng.below(5))],
      () => ['PERSIST', pick()],
      () => ['DEL', pick()],
      () => ['RENAME', pick(), pick()],
      () => ['COPY', pick(), pick(), 'REPLACE'],
      () => ['HSET', pick(), word(), word(), word(), word()],
      () => ['HDEL', pick(), word(), word()],
      () => ['HINCRBY', pick(), word(), '3'],
      () => ['HEXPIRE', pick(), String(1 + rng.below(5)), 'FIELDS', '1', word()],
      () => ['HPERSIST', pick(), 'FIELDS', '1', word()],
      () => ['LPUSH', pick(), word(), word()],
      () => ['RPUSH', pick(), ...Array.from({ length: rng.below(20) + 1 }, word)],
      () => ['RPOP', pick(), String(1 + rng.below(4))],
      () => ['LPOP', pick()],
      () => ['LSET', pick(), String(rng.below(5) - 2), word()],
      () => ['LINSERT', pick(), 'BEFORE', word(), word()],
      () => ['LREM', pick(), '0', word()],
      () => ['LTRIM', pick(), String(rng.below(3)), String(rng.below(20) - 3)],
      () => ['SADD', pick(), word(), word(), word()],
      () => ['SADD', pick(), ...Array.from({ length: rng.below(40) + 1 }, () => String(rng.below(2 ** 33)))],
      () => ['SREM', pick(), word(), word()],
      () => ['SPOP', pick(), String(rng.below(3))],
      () => ['SINTERSTORE', pick(), pick(), pick()],
      () => ['SUNIONSTORE', pick(), pick(), pick()],
      () => ['ZADD', pick(), String(rng.below(100)), word()],
      () => ['ZADD', pick(), ...Array.from({ length: rng.below(200) + 1 }, (_, i) => [String(rng.below(1000) / 7), `${word()}${i}`]).flat()],
      () => ['ZINCRBY', pick(), '0.5', word()],
      () => ['ZREM', pick(), word()],
      () => ['ZPOPMIN', pick(), String(1 + rng.below(5))],
      () => ['ZREMRANGEBYRANK', pick(), '0', String(rng.below(30))],
      () => ['ZUNIONSTORE', pick(), '2', pick(), pick()],
    ];
    function pick(): string {
      return keys[rng.below(keys.length)];
    }
    for (let step = 0; step < 6000; step++) {
      const argv = commands[rng.below(commands.length)]();
      try {
        cache.execute(argv);
      } catch {
        // WRONGTYPE, CROSSSLOT, no such key …: fine, the total must still be right.
      }
      if (rng.below(20) === 0) cache.clock.advance(1000);
      if (rng.below(50) === 0) for (const shard of cache.shards) shard.keyspace.activeExpire(cache.clock.now());
      if (step % 997 === 996) cache.execute(['FLUSHALL']);
      checkAccounting(cache, step);
    }
    cache.close();
  });

  it('INFO used_memory is the startup figure, the clients and the running totals', () => {
    const cache = cacheWith('allkeys-lru', 1_000_000);
    for (let i = 0; i < 100; i++) cache.set(`k${i}`, VALUE);
    cache.execute(['RPUSH', 'list', 'a', 'b', 'c']);
    const used = Number(infoField(cache, 'memory', 'used_memory'));
    const dataset = Number(infoField(cache, 'memory', 'used_memory_dataset'));
    expect(dataset).toBe(db(cache).bytes);
    expect(used).toBe(STARTUP_BYTES + db(cache).bytes + Number(infoField(cache, 'memory', 'used_memory_overhead')) - STARTUP_BYTES);
    cache.close();
  });
});

describeLive('eviction against redis-server', () => {
  it('the OOM text and the volatile policies refusing writes when no key has a TTL', async () => {
    const server = await privateServer();
    const redis = await RespClient.connect(server.port);
    try {
      const used = (await redis.call(['INFO', 'memory'])) as unknown as [string, string];
      const baseline = Number(String(used[1]).match(/used_memory:(\d+)/)![1]);
      await redis.call(['CONFIG', 'SET', 'maxmemory', String(baseline + 200_000)]);
      for (const policy of ['noeviction', 'volatile-lru', 'volatile-ttl']) {
        await redis.call(['FLUSHALL']);
        await redis.call(['CONFIG', 'SET', 'maxmemory-policy', policy]);
        let error: string | null = null;
        for (let i = 0; i < 5000 && error === null; i++) {
          const reply = (await redis.call(['SET', `k${i}`, VALUE])) as unknown as [string, string];
          if (reply[0] === '-') error = String(reply[1]);
        }
        expect(error, policy).toBe(OOM);
        // Reads still run.
        expect(((await redis.call(['GET', 'k0'])) as unknown as [string, unknown])[0]).toBe('$');
        const emulator = cacheWith(policy as EvictionPolicy, 200_000);
        expect(() => {
          for (let i = 0; i < 5000; i++) emulator.set(`k${i}`, VALUE);
        }).toThrow(error!);
        emulator.close();
      }
      // allkeys-lru on both: writes never fail; keys are evicted instead (which ones depends on
      // the one-second LRU clock, so a real-time run cannot tell recent from old).
      await redis.call(['FLUSHALL']);
      await redis.call(['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru']);
      for (let i = 0; i < 5000; i++) {
        const reply = (await redis.call(['SET', `k${i}`, VALUE])) as unknown as [string, string];
        expect(reply[0]).not.toBe('-');
      }
      const evicted = (await redis.call(['INFO', 'stats'])) as unknown as [string, string];
      expect(Number(String(evicted[1]).match(/evicted_keys:(\d+)/)![1])).toBeGreaterThan(0);
    } finally {
      redis.close();
      await server.stop();
    }
  }, 60_000);
});

describe('out of memory around transactions and scripts (processCommand’s rules)', () => {
  /** A noeviction cache filled until a SET is refused. */
  function full(): ManagedRedis {
    const cache = cacheWith('noeviction');
    for (let i = 0; ; i++) {
      try {
        cache.set(`k${i}`, VALUE);
      } catch {
        return cache;
      }
    }
  }

  it('queuing any command in MULTI is refused and the transaction aborts (redis-server answers the same)', () => {
    const cache = full();
    expect(cache.execute(['MULTI'])).toBe('OK');
    expect(() => cache.execute(['GET', 'k1'])).toThrow(OOM);
    expect(() => cache.execute(['SET', 'a', 'b'])).toThrow(OOM);
    expect(() => cache.execute(['EXEC'])).toThrow('EXECABORT Transaction discarded because of previous errors.');
    expect(cache.execute(['GET', 'a'])).toBeNull();
    cache.close();
  });

  it('EXEC with a denyoom command is refused as a whole when memory ran out after queuing', () => {
    const cache = cacheWith('noeviction');
    expect(cache.execute(['MULTI'])).toBe('OK');
    expect(cache.execute(['SET', 'a', 'b'])).toBe('QUEUED');
    // Another connection fills the shard meanwhile.
    const other = cache.openClient({ name: 'filler' });
    for (let i = 0; ; i++) {
      try {
        cache.executeReply(['SET', `k${i}`, VALUE], other);
      } catch {
        break;
      }
    }
    expect(() => cache.execute(['EXEC'])).toThrow(
      "EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'.",
    );
    expect(cache.execute(['GET', 'a'])).toBeNull();
    // Not in MULTI any more.
    expect(() => cache.execute(['EXEC'])).toThrow('ERR EXEC without MULTI');
    cache.close();
  });

  it('a transaction of reads still runs, and commands inside EXEC are not checked one by one', () => {
    const cache = cacheWith('noeviction');
    cache.execute(['MULTI']);
    cache.execute(['GET', 'k0']);
    const other = cache.openClient({ name: 'filler' });
    for (let i = 0; ; i++) {
      try {
        cache.executeReply(['SET', `k${i}`, VALUE], other);
      } catch {
        break;
      }
    }
    expect(cache.execute(['EXEC'])).toEqual([VALUE]);
    cache.close();
  });

  it('a script may read but its writes are refused while the shard is over the limit', () => {
    const cache = full();
    expect(cache.execute(['EVAL', "return redis.call('GET', KEYS[1])", '1', 'k1'])).toBe(VALUE);
    expect(() => cache.execute(['EVAL', "return redis.call('SET', KEYS[1], 'v')", '1', 'a'])).toThrow(
      /^OOM command not allowed when used memory > 'maxmemory'\. script: [0-9a-f]{40}, on @user_script:1\.$/,
    );
    cache.close();
  });
});
