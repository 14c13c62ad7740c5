/**
 * Keyspace notifications: the classes of `notify-keyspace-events` (g $ l s h z x e t m d n, A, K,
 * E), set as an option or with CONFIG SET, the `__keyspace@0__:` / `__keyevent@0__:` messages and
 * their order, `new` and `keymiss` from the keyspace, `expired` from lazy and active expiry,
 * `evicted`, hash-field expiry, and the cost when nobody listens. The live part runs command
 * sequences on a private redis-server with a pattern subscriber and compares the exact list of
 * messages it receives with the emulator's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManagedRedis, type ManagedRedisOptions } from '../../src/managed-redis.js';
import type { Bytes } from '../../src/keyspace/bytes.js';
import { eventClass } from '../../src/notifications.js';
import { NOTIFY_GENERIC, NOTIFY_HASH, NOTIFY_LIST, NOTIFY_STREAM, NOTIFY_STRING, NOTIFY_ZSET } from '../../src/config-defaults.js';
import { describeLive } from '../support/live.js';
import { RespClient } from '../support/resp-client.js';
import { privateServer } from './live-streams.js';

const T0 = 1_795_345_897_118;

function newCache(options: ManagedRedisOptions = {}): ManagedRedis {
  return new ManagedRedis({ clusterPolicy: 'NoCluster', clock: 'virtual', startTime: T0, activeExpiry: false, ...options });
}

/** A subscriber to every keyspace and keyevent channel; `take()` returns `channel message` lines. */
function listen(cache: ManagedRedis, pattern = '__key*__:*') {
  const client = cache.openClient({ name: null });
  let lines: string[] = [];
  client.push = (message) => {
    if (message[0] === 'pmessage') lines.push(`${String(message[2])} ${String(message[3])}`);
  };
  cache.executeReply(['PSUBSCRIBE', pattern], client);
  return {
    client,
    take(): string[] {
      const out = lines;
      lines = [];
      return out;
    },
  };
}

/** `keyspace`/`keyevent` pairs for events on a key, as Redis sends them with `KE`. */
function both(key: string, ...events: string[]): string[] {
  return events.flatMap((event) => [`__keyspace@0__:${key} ${event}`, `__keyevent@0__:${event} ${key}`]);
}

describe('classes and channels', () => {
  it('sends nothing while the setting is empty or has neither K nor E', () => {
    const cache = newCache();
    const sub = listen(cache);
    cache.execute(['SET', 'a', '1']);
    expect(sub.take()).toEqual([]);
    cache.execute(['CONFIG', 'SET', 'notify-keyspace-events', 'A']);
    cache.execute(['SET', 'a', '1']);
    expect(sub.take()).toEqual([]);
  });

  it('K sends on the keyspace channel, E on the keyevent channel, keyspace first', () => {
    const cache = newCache({ notifyKeyspaceEvents: 'K$' });
    const sub = listen(cache);
    cache.execute(['SET', 'a', '1']);
    expect(sub.take()).toEqual(['__keyspace@0__:a set']);
    cache.execute(['CONFIG', 'SET', 'notify-keyspace-events', 'E$']);
    cache.execute(['SET', 'a', '1']);
    expect(sub.take()).toEqual(['__keyevent@0__:set a']);
    cache.execute(['CONFIG', 'SET', 'notify-keyspace-events', 'KE$']);
    cache.execute(['SET', 'a', '1']);
    expect(sub.take()).toEqual(both('a', 'set'));
  });

  it('filters by class', () => {
    const cache = newCache({ notifyKeyspaceEvents: 'KEg' });
    const sub = listen(cache);
    cache.execute(['SET', 'a', '1']);
    cache.execute(['EXPIRE', 'a', '100']);
    cache.execute(['LPUSH', 'l', 'x']);
    cache.execute(['DEL', 'a', 'l']);
    expect(sub.take()).toEqual([...both('a', 'expire'), ...both('a', 'del'), ...both('l', 'del')]);
    cache.execute(['CONFIG', 'SET', 'notify-keyspace-events', 'KEl']);
    cache.execute(['RPUSH', 'l', 'x', 'y']);
    cache.execute(['SET', 's', 'v']);
    cache.execute(['LPOP', 'l']);
    expect(sub.take()).toEqual([...both('l', 'rpush'), ...both('l', 'lpop')]);
  });

  it('classifies every event name the commands use', () => {
    expect(eventClass('del')).toBe(NOTIFY_GENERIC);
    expect(eventClass('rename_from')).toBe(NOTIFY_GENERIC);
    expect(eventClass('incrby')).toBe(NOTIFY_STRING);
    expect(eventClass('setrange')).toBe(NOTIFY_STRING);
    expect(eventClass('ltrim')).toBe(NOTIFY_LIST);
    expect(eventClass('hexpired')).toBe(NOTIFY_HASH);
    expect(eventClass('zremrangebylex')).toBe(NOTIFY_ZSET);
    expect(eventClass('xgroup-create')).toBe(NOTIFY_STREAM);
    expect(eventClass('something-new')).toBe(NOTIFY_GENERIC);
  });

  it('A leaves out new-key and key-miss events; with n, CONFIG GET still reads AKE as in Redis', () => {
    const cache = newCache({ notifyKeyspaceEvents: 'KEA' });
    const sub = listen(cache);
    cache.execute(['GET', 'missing']);
    cache.execute(['SET', 'a', '1']);
    expect(sub.take()).toEqual(both('a', 'set'));
    cache.execute(['CONFIG', 'SET', 'notify-keyspace-events', 'AKEn']);
    expect(cache.execute(['CONFIG', 'GET', 'notify-keyspace-events'])).toEqual(['notify-keyspace-events', 'AKE']);
    cache.execute(['SET', 'b', '1']);
    cache.execute(['SET', 'b', '2']);
    expect(sub.take()).toEqual([...both('b', 'new', 'set'), ...both('b', 'set')]);
    cache.execute(['CONFIG', 'SET', 'notify-keyspace-events', 'AKE']);
    cache.execute(['SET', 'c', '1']);
    expect(sub.take()).toEqual(both('c', 'set'));
  });

  it('new comes where the key is created, among the command\'s own events', () => {
    const cache = newCache({ notifyKeyspaceEvents: 'AKEn' });
    const sub = listen(cache);
    cache.execute(['MSET', 'x', '1', 'y', '2']);
    expect(sub.take()).toEqual([...both('x', 'new', 'set'), ...both('y', 'new', 'set')]);
    cache.execute(['RPUSH', 'src', 'v']);
    sub.take();
    cache.execute(['LMOVE', 'src', 'dst', 'LEFT', 'RIGHT']);
    expect(sub.take()).toEqual([...both('dst', 'new', 'rpush'), ...both('src', 'lpop', 'del')]);
    cache.execute(['RENAME', 'dst', 'x']);
    expect(sub.take()).toEqual([...both('x', 'new'), ...both('dst', 'rename_from'), ...both('x', 'rename_to')]);
  });

  it('m sends keymiss for read lookups that find nothing (not for writes)', () => {
    const cache = newCache({ notifyKeyspaceEvents: 'Em' });
    const sub = listen(cache);
    cache.execute(['GET', 'a']);
    cache.execute(['EXISTS', 'b']);
    cache.execute(['SET', 'c', '1']);
    cache.execute(['INCR', 'd']);
    cache.execute(['MGET', 'c', 'e']);
    expect(sub.take()).toEqual(['__keyevent@0__:keymiss a', '__keyevent@0__:keymiss b', '__keyevent@0__:keymiss e']);
  });

  it('keys are bytes in channel names and messages', () => {
    const cache = newCache({ notifyKeyspaceEvents: 'KE$' });
    const client = cache.openClient({ name: null });
    const messages: Buffer[][] = [];
    client.push = (message) => messages.push(message.map((m) => (Buffer.isBuffer(m) ? m : Buffer.from(String(m)))));
    cache.executeReply(['PSUBSCRIBE', '*'], client);
    const key = Buffer.from([0xff, 0x00, 0x41]);
    cache.execute(['SET', key, 'v']);
    expect(messages[0][2]).toEqual(Buffer.concat([Buffer.from('__keyspace@0__:'), key]));
    expect(messages[1][3]).toEqual(key);
  });
});

describe('expiry and eviction', () => {
  it('expired from lazy expiry, before the command\'s own events', () => {
    const cache = newCache({ notifyKeyspaceEvents: 'AKEn' });
    const sub = listen(cache);
    cache.execute(['SET', 'a', '1', 'PX', '100']);
    sub.take();
    cache.clock.advance(200);
    expect(sub.take()).toEqual([]);
    cache.execute(['SET', 'a', '2']);
    expect(sub.take()).toEqual([...both('a', 'expired'), ...both('a', 'new', 'set')]);
    cache.execute(['SET', 'b', '1', 'PX', '100']);
    cache.clock.advance(200);
    sub.take();
    expect(cache.execute(['GET', 'b'])).toBeNull();
    expect(sub.take()).toEqual(both('b', 'expired'));
  });

  it('expired from active expiry, and hexpired from hash-field expiry', () => {
    const cache = newCache({ notifyKeyspaceEvents: 'KEA', activeExpiry: true });
    const sub = listen(cache);
    cache.execute(['SET', 'a', '1', 'PX', '50']);
    cache.execute(['HSET', 'h', 'f', '1', 'g', '2']);
    cache.execute(['HPEXPIRE', 'h', '50', 'FIELDS', '1', 'f']);
    sub.take();
    cache.clock.advance(1000);
    expect(sub.take().sort()).toEqual([...both('a', 'expired'), ...both('h', 'hexpired')].sort());
  });

  it('x and e select expired and evicted', () => {
    const cache = newCache({ notifyKeyspaceEvents: 'Exe' });
    const sub = listen(cache);
    cache.execute(['SET', 'a', '1', 'PX', '10']);
    cache.execute(['SET', 'b', '1']);
    cache.clock.advance(20);
    cache.execute(['GET', 'a']);
    // Eviction reports through the keyspace's removal hook, as the eviction loop does.
    const db = cache.shards[0].keyspace;
    db.delete('b');
    db.onRemoved!('b', 'evicted');
    expect(sub.take()).toEqual(['__keyevent@0__:expired a', '__keyevent@0__:evicted b']);
  });
});

describe('delivery', () => {
  it('events of a transaction come in command order at EXEC', () => {
    const cache = newCache({ notifyKeyspaceEvents: 'KEA' });
    const sub = listen(cache);
    const client = cache.openClient({ name: null });
    cache.executeReply(['MULTI'], client);
    cache.executeReply(['SET', 'a', '1'], client);
    cache.executeReply(['INCR', 'a'], client);
    cache.executeReply(['DEL', 'a'], client);
    expect(sub.take()).toEqual([]);
    cache.executeReply(['EXEC'], client);
    expect(sub.take()).toEqual([...both('a', 'set'), ...both('a', 'incrby'), ...both('a', 'del')]);
  });

  it('reaches the ioredis-compatible client as pmessage events', async () => {
    const cache = newCache({ notifyKeyspaceEvents: 'KEA' });
    const sub = cache.createClient();
    const seen: string[] = [];
    sub.on('pmessage', (pattern: string, channel: string, message: string) => seen.push(`${pattern} ${channel} ${message}`));
    await sub.psubscribe('__keyevent@0__:*');
    await cache.createClient().set('k', 'v');
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['__keyevent@0__:* __keyevent@0__:set k']);
  });

  it('costs nothing while nobody subscribes: no change listener, no keyspace hooks', () => {
    const cache = newCache({ notifyKeyspaceEvents: 'AKEnm' });
    const before = cache.changeListeners.length;
    const client = cache.openClient({ name: null });
    cache.executeReply(['SUBSCRIBE', 'x'], client);
    expect(cache.changeListeners.length).toBe(before + 1);
    expect(cache.shards[0].keyspace.onAdded).not.toBeNull();
    cache.executeReply(['UNSUBSCRIBE'], client);
    expect(cache.shards[0].keyspace.onAdded).toBeNull();
    expect(cache.shards[0].keyspace.onMiss).toBeNull();
    return new Promise<void>((resolve) =>
      queueMicrotask(() => {
        expect(cache.changeListeners.length).toBe(before);
        resolve();
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Live: the messages a subscriber receives for the same commands

/** `['SLEEP', ms]` waits (live) or advances the virtual clock (emulator). */
type Step = Bytes[];

const SEQUENCES: Record<string, Step[]> = {
  strings: [
    ['SET', 'a', '1'], ['SET', 'a', '2', 'KEEPTTL'], ['SET', 'a', '3', 'NX'], ['SET', 'a', '4', 'XX', 'GET'],
    ['SET', 'b', '1', 'PX', '100000'], ['SETNX', 'c', '1'], ['SETEX', 'd', '10', 'v'], ['PSETEX', 'e', '10000', 'v'],
    ['GETSET', 'a', '9'], ['GETDEL', 'a'], ['GETDEL', 'a'], ['GETEX', 'b', 'EX', '100'], ['GETEX', 'b', 'PERSIST'],
    ['GETEX', 'b', 'PX', '0'], ['MSET', 'f', '1', 'g', '2'], ['MSETNX', 'h', '1', 'f', '2'], ['MSETNX', 'h', '1', 'i', '2'],
    ['APPEND', 'f', 'x'], ['APPEND', 'n', 'x'], ['SETRANGE', 'f', '5', 'zz'], ['SETRANGE', 'm', '0', 'zz'],
    ['SETRANGE', 'o', '0', ''], ['INCR', 'i1'], ['DECR', 'i1'], ['INCRBY', 'i1', '5'], ['DECRBY', 'i1', '2'],
    ['INCRBYFLOAT', 'fl', '1.5'],
  ],
  keys: [
    ['SET', 'a', '1'], ['SET', 'b', '2'], ['DEL', 'a', 'b', 'c'], ['SET', 'a', '1'], ['UNLINK', 'a'],
    ['SET', 'x', '1'], ['RENAME', 'x', 'y'], ['SET', 'z', '1'], ['RENAME', 'y', 'z'], ['RENAMENX', 'z', 'w'],
    ['SET', 'q', '1'], ['RENAMENX', 'w', 'q'], ['COPY', 'w', 'v'], ['COPY', 'w', 'v', 'REPLACE'], ['COPY', 'w', 'v'],
    ['EXPIRE', 'w', '100'], ['PEXPIRE', 'w', '100000'], ['EXPIREAT', 'w', '9999999999'], ['PEXPIREAT', 'w', '9999999999000'],
    ['PERSIST', 'w'], ['PERSIST', 'w'], ['EXPIRE', 'w', '0'], ['EXPIRE', 'v', '-1'], ['PEXPIREAT', 'q', '1'],
    ['EXPIRE', 'nokey', '10'], ['SET', 'r', '1'], ['FLUSHALL'], ['SET', 's', '1'], ['FLUSHDB'],
  ],
  lists: [
    ['LPUSH', 'l', 'a', 'b'], ['RPUSH', 'l', 'c'], ['LPUSHX', 'l', 'd'], ['RPUSHX', 'l', 'e'], ['LPUSHX', 'nol', 'x'],
    ['LINSERT', 'l', 'BEFORE', 'a', 'z'], ['LINSERT', 'l', 'AFTER', 'nope', 'z'], ['LSET', 'l', '0', 'q'],
    ['LTRIM', 'l', '0', '2'], ['LREM', 'l', '0', 'q'], ['LPOP', 'l'], ['RPOP', 'l', '5'], ['LPOP', 'l'],
    ['RPUSH', 's', '1', '2', '3'], ['LMOVE', 's', 'd', 'LEFT', 'RIGHT'], ['RPOPLPUSH', 's', 'd'],
    ['LMOVE', 's', 's', 'LEFT', 'RIGHT'], ['LMPOP', '1', 's', 'LEFT', 'COUNT', '5'], ['LMPOP', '2', 's', 'd', 'RIGHT'],
    ['RPOPLPUSH', 'd', 'd'], ['LTRIM', 'd', '5', '10'], ['RPUSH', 'b', '1', '2'], ['BLPOP', 'b', '0.01'],
    ['BRPOP', 'b', '0.01'], ['RPUSH', 'b', '1'], ['BLMOVE', 'b', 'd', 'LEFT', 'LEFT', '0.01'],
    ['BRPOPLPUSH', 'd', 'e', '0.01'], ['BLMPOP', '0.01', '1', 'e', 'LEFT'],
  ],
  hashes: [
    ['HSET', 'h', 'a', '1', 'b', '2'], ['HSETNX', 'h', 'a', '1'], ['HSETNX', 'h', 'c', '1'], ['HMSET', 'h', 'd', '1'],
    ['HDEL', 'h', 'a', 'zz'], ['HINCRBY', 'h', 'n', '2'], ['HINCRBYFLOAT', 'h', 'f', '1.5'],
    ['HDEL', 'h', 'b', 'c', 'd', 'n', 'f'], ['HSET', 'h', 'x', '1'], ['HDEL', 'h', 'nope'],
  ],
  sets: [
    ['SADD', 's', 'a', 'b', 'c'], ['SADD', 's', 'a'], ['SREM', 's', 'a', 'zz'], ['SMOVE', 's', 't', 'b'],
    ['SMOVE', 's', 't', 'c'], ['SMOVE', 't', 't', 'b'], ['SPOP', 't'], ['SADD', 'u', '1', '2'], ['SPOP', 'u', '5'],
    ['SADD', 'x', '1', '2'], ['SADD', 'y', '2', '3'], ['SINTERSTORE', 'd', 'x', 'y'], ['SUNIONSTORE', 'd', 'x', 'y'],
    ['SDIFFSTORE', 'd', 'x', 'y'], ['SINTERSTORE', 'd', 'x', 'nokey'], ['SDIFFSTORE', 'd', 'nokey'],
  ],
  zsets: [
    ['ZADD', 'z', '1', 'a', '2', 'b'], ['ZADD', 'z', '1', 'a'], ['ZADD', 'z', 'INCR', '5', 'a'], ['ZINCRBY', 'z', '1', 'b'],
    ['ZREM', 'z', 'a', 'nope'], ['ZADD', 'z', '3', 'c', '4', 'd', '5', 'e'], ['ZREMRANGEBYRANK', 'z', '0', '0'],
    ['ZREMRANGEBYSCORE', 'z', '4', '4'], ['ZREMRANGEBYLEX', 'z', '-', '+'], ['ZADD', 'z', '1', 'm', '2', 'n'],
    ['ZPOPMIN', 'z'], ['ZPOPMAX', 'z', '5'], ['ZADD', 'x', '1', 'a', '2', 'b'], ['ZADD', 'y', '2', 'b', '3', 'c'],
    ['ZUNIONSTORE', 'd', '2', 'x', 'y'], ['ZINTERSTORE', 'd', '2', 'x', 'y'], ['ZDIFFSTORE', 'd', '2', 'x', 'y'],
    ['ZRANGESTORE', 'e', 'x', '0', '-1'], ['ZINTERSTORE', 'd', '2', 'x', 'nokey'], ['ZRANGESTORE', 'e', 'nokey', '0', '-1'],
    ['ZMPOP', '1', 'x', 'MIN', 'COUNT', '10'], ['BZPOPMIN', 'y', '0.01'], ['BZPOPMAX', 'y', '0.01'],
    ['BZMPOP', '0.01', '1', 'y', 'MAX'],
  ],
  'misses and reads': [
    ['GET', 'a'], ['MGET', 'a', 'b'], ['EXISTS', 'a'], ['TYPE', 'a'], ['TTL', 'a'], ['LRANGE', 'l', '0', '-1'],
    ['HGET', 'h', 'f'], ['SMEMBERS', 's'], ['ZSCORE', 'z', 'm'], ['STRLEN', 'a'], ['SET', 'a', '1', 'GET'],
    ['GETDEL', 'b'], ['LPOP', 'l'], ['RPOPLPUSH', 'l', 'm'], ['SINTER', 'a', 's'], ['SUNIONSTORE', 'd', 's', 't'],
    ['OBJECT', 'ENCODING', 'nokey'], ['HGETALL', 'nokey'], ['LLEN', 'nokey'], ['SCARD', 'nokey'], ['ZCARD', 'nokey'],
    ['GETRANGE', 'nokey', '0', '1'], ['LINDEX', 'nokey', '0'], ['ZRANGE', 'nokey', '0', '-1'], ['SISMEMBER', 'nokey', 'x'],
    ['HEXISTS', 'nokey', 'x'], ['APPEND', 'ap', 'x'], ['INCR', 'nn'], ['GETEX', 'nokey'],
  ],
  expiry: [
    ['SET', 'a', '1', 'PX', '100'], ['SLEEP', '400'], ['GET', 'a'], ['SET', 'b', '1', 'PX', '100'], ['SLEEP', '400'],
    ['SET', 'b', '2'], ['RPUSH', 'l', 'x'], ['PEXPIRE', 'l', '100'], ['SLEEP', '400'], ['LPUSH', 'l', 'y'],
  ],
  transactions: [
    ['MULTI'], ['SET', 'a', '1'], ['INCR', 'a'], ['DEL', 'a'], ['LPUSH', 'l', '1'], ['EXEC'],
    ['SET', 'a', 'x'], ['MULTI'], ['INCR', 'a'], ['SET', 'b', '1'], ['EXEC'],
  ],
};

const FLAG_SETS = ['KEA', 'AKEnm', 'Kg$', 'El', 'Ezx', 'Ksh'];

describeLive('keyspace notifications against a live redis-server', () => {
  let server: { port: number; stop(): Promise<void> };
  beforeAll(async () => {
    server = await privateServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function live(flags: string, steps: Step[]): Promise<string[]> {
    const cmd = await RespClient.connect(server.port);
    const sub = await RespClient.connect(server.port);
    try {
      await cmd.call(['FLUSHALL']);
      await cmd.call(['CONFIG', 'SET', 'notify-keyspace-events', flags]);
      await sub.hello(3);
      // RESP3: the confirmation is a push, so this call never gets a reply of its own.
      sub.call(['PSUBSCRIBE', '__key*__:*', 'sync']).catch(() => {});
      await cmd.call(['PING']);
      for (const step of steps) {
        if (step[0] === 'SLEEP') await new Promise((resolve) => setTimeout(resolve, Number(step[1])));
        else await cmd.call(step);
      }
      await cmd.call(['PUBLISH', 'sync', 'end']);
      const done = () => sub.pushes.some((p) => JSON.stringify(p).includes('"sync"') && JSON.stringify(p).includes('"end"'));
      for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
      return sub.pushes
        .map((p) => p[1] as Array<[string, string]>)
        .filter((m) => m[0][1] === 'pmessage' && m[1][1] !== 'sync')
        .map((m) => `${m[2][1]} ${m[3][1]}`);
    } finally {
      await cmd.call(['CONFIG', 'SET', 'notify-keyspace-events', '']);
      cmd.close();
      sub.close();
    }
  }

  function emulated(flags: string, steps: Step[]): string[] {
    const cache = newCache({ notifyKeyspaceEvents: flags, evictionPolicy: 'noeviction', activeExpiry: true });
    try {
      const sub = listen(cache);
      const client = cache.openClient({ name: null });
      for (const step of steps) {
        if (step[0] === 'SLEEP') cache.clock.advance(Number(step[1]));
        else {
          try {
            cache.executeReply(step, client);
          } catch {
            // error replies send no events
          }
        }
      }
      return sub.take();
    } finally {
      cache.close();
    }
  }

  for (const flags of FLAG_SETS) {
    for (const [name, steps] of Object.entries(SEQUENCES)) {
      it(`${flags}: ${name}`, async () => {
        const expected = await live(flags, steps);
        expect(emulated(flags, steps)).toEqual(expected);
      });
    }
  }
});
