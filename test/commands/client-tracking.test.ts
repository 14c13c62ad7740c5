/**
 * Client-side caching (CLIENT TRACKING, CACHING, TRACKINGINFO) and CLIENT REPLY. The live part
 * replays multi-connection scripts against a private redis-server and compares everything each
 * connection receives — replies, invalidation pushes and redirected pub/sub messages, in order —
 * in RESP2 and RESP3. The rest checks what a live comparison cannot see (INFO counters, expiry
 * and eviction on the virtual clock, the cost when nobody tracks, the ioredis-compatible client).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import IORedis from 'ioredis';
import { ManagedRedis, type ManagedRedisOptions } from '../../src/managed-redis.js';
import type { Bytes } from '../../src/keyspace/bytes.js';
import type { Reply } from '../../src/protocol/reply.js';
import { toTyped, type Typed } from '../support/oracle.js';
import { describeLive } from '../support/live.js';
import { EmulatedStream, privateServer, RespStream } from './live-streams.js';

function newCache(options: ManagedRedisOptions = {}): ManagedRedis {
  return new ManagedRedis({ clusterPolicy: 'NoCluster', clock: 'virtual', evictionPolicy: 'noeviction', ...options });
}

/** A connection keeping its pushes (plain strings, `nil` for null) and answering typed replies. */
function connection(cache: ManagedRedis, resp: 2 | 3 = 3) {
  const client = cache.openClient({ name: null });
  client.resp = resp;
  const pushes: unknown[] = [];
  const plain = (m: Reply): unknown => (m === null ? 'nil' : Array.isArray(m) ? m.map(plain) : String(m));
  client.push = (message) => pushes.push(message.map(plain));
  const run = (...argv: Bytes[]): Typed => {
    try {
      return toTyped(cache.executeReply(argv, client), resp);
    } catch (error) {
      return ['-', (error as Error).message];
    }
  };
  return { client, pushes, run };
}

/** Lets deferred invalidations (those owed after the running command's reply) go out. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function infoField(cache: ManagedRedis, name: string): string {
  const text = String(cache.execute(['INFO', 'everything']));
  return /(?:^|\n)([a-z_]+):/.test(text) ? (text.match(new RegExp(`${name}:([^\\r\\n]*)`))?.[1] ?? '') : '';
}

describe('default mode', () => {
  it('remembers what a read-only command read and invalidates once on the next change', async () => {
    const cache = newCache();
    const reader = connection(cache);
    const writer = connection(cache);
    reader.run('CLIENT', 'TRACKING', 'ON');
    reader.run('MGET', 'a', 'b');
    expect(infoField(cache, 'tracking_total_keys')).toBe('2');
    expect(infoField(cache, 'tracking_total_items')).toBe('2');
    expect(infoField(cache, 'tracking_clients')).toBe('1');
    writer.run('SET', 'a', '1');
    writer.run('SET', 'a', '2'); // forgotten after the first invalidation
    expect(reader.pushes).toEqual([['invalidate', ['a']]]);
    expect(infoField(cache, 'tracking_total_keys')).toBe('1');
    // Writes do not remember: SET b then a change of b still invalidates (b was read by MGET).
    writer.run('SET', 'b', '1');
    expect(reader.pushes).toEqual([['invalidate', ['a']], ['invalidate', ['b']]]);
    await settle();
  });

  it('sends a change the connection made itself after its reply; NOLOOP sends none', async () => {
    const cache = newCache();
    const { run, pushes } = connection(cache);
    run('CLIENT', 'TRACKING', 'ON');
    run('GET', 'k');
    expect(run('SET', 'k', 'v')).toEqual(['+', 'OK']);
    expect(pushes).toEqual([]); // owed until the reply has gone
    await settle();
    expect(pushes).toEqual([['invalidate', ['k']]]);
    run('CLIENT', 'TRACKING', 'ON', 'NOLOOP');
    run('GET', 'k');
    run('SET', 'k', 'w');
    await settle();
    expect(pushes).toHaveLength(1);
  });

  it('invalidates on expiry (lazy and active) and on eviction', async () => {
    const cache = newCache({ activeExpiry: true });
    const reader = connection(cache);
    const writer = connection(cache);
    writer.run('SET', 'e', 'v', 'PX', '50');
    reader.run('CLIENT', 'TRACKING', 'ON');
    reader.run('GET', 'e');
    cache.clock.advance(200);
    expect(reader.pushes).toEqual([['invalidate', ['e']]]);
    // Eviction: a tiny maxmemory and allkeys-lru.
    const small = newCache({ evictionPolicy: 'allkeys-lru', maxmemoryBytes: 1_100_000 });
    const r = connection(small);
    const w = connection(small);
    r.run('CLIENT', 'TRACKING', 'ON');
    w.run('SET', 'victim', 'x');
    r.run('GET', 'victim');
    for (let i = 0; i < 400; i++) w.run('SET', `fill${i}`, 'x'.repeat(1000));
    expect(r.pushes).toContainEqual(['invalidate', ['victim']]);
    await settle();
  });

  it('FLUSHALL sends one null invalidation to every tracking connection and empties the table', async () => {
    const cache = newCache();
    const a = connection(cache);
    const b = connection(cache);
    const bcast = connection(cache);
    a.run('CLIENT', 'TRACKING', 'ON');
    bcast.run('CLIENT', 'TRACKING', 'ON', 'BCAST');
    a.run('GET', 'x');
    b.run('FLUSHALL'); // nothing to flush: still sent
    expect(a.pushes).toEqual([['invalidate', 'nil']]);
    expect(bcast.pushes).toEqual([['invalidate', 'nil']]);
    expect(infoField(cache, 'tracking_total_keys')).toBe('0');
    await settle();
  });

  it('consumer-group changes do not invalidate (Redis does not signal them)', () => {
    const cache = newCache();
    const reader = connection(cache);
    const writer = connection(cache);
    writer.run('XADD', 's', '1-1', 'f', 'v');
    writer.run('XGROUP', 'CREATE', 's', 'g', '0');
    reader.run('CLIENT', 'TRACKING', 'ON');
    reader.run('XLEN', 's');
    writer.run('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>');
    expect(reader.pushes).toEqual([]);
    writer.run('XADD', 's', '2-1', 'f', 'v');
    expect(reader.pushes).toEqual([['invalidate', ['s']]]);
  });

  it('a script remembers the keys its read-only commands read, for the caller', () => {
    const cache = newCache();
    const reader = connection(cache);
    const writer = connection(cache);
    reader.run('CLIENT', 'TRACKING', 'ON');
    reader.run('EVAL_RO', "return redis.call('GET', KEYS[1])", '1', 'sk');
    writer.run('SET', 'sk', '1');
    expect(reader.pushes).toEqual([['invalidate', ['sk']]]);
  });
});

describe('nobody tracking', () => {
  it('registers no listener and keeps no table', () => {
    const cache = newCache();
    const before = cache.changeListeners.length;
    const { run } = connection(cache);
    run('CLIENT', 'TRACKING', 'ON');
    expect(cache.tracking).not.toBeNull();
    expect(cache.changeListeners.length).toBe(before + 1);
    run('CLIENT', 'TRACKING', 'OFF');
    expect(cache.tracking).toBeNull();
  });

  it('a closing connection stops tracking and breaks redirects to it', async () => {
    const cache = newCache();
    const tracker = connection(cache);
    const target = connection(cache);
    tracker.run('CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(target.client.id));
    tracker.run('GET', 'k');
    cache.closeClient(target.client);
    const writer = connection(cache);
    writer.run('SET', 'k', 'v');
    expect(tracker.pushes).toEqual([['tracking-redir-broken', String(target.client.id)]]);
    expect(String(tracker.run('CLIENT', 'INFO')[1])).toContain('flags=tR ');
    cache.closeClient(tracker.client);
    expect(infoField(cache, 'tracking_clients')).toBe('0');
    await settle();
  });
});

describe('CLIENT REPLY on the synchronous API and the ioredis-compatible client', () => {
  it('execute answers null while replies are off; errors are not thrown', () => {
    const cache = newCache();
    expect(cache.execute(['CLIENT', 'REPLY', 'OFF'])).toBeNull();
    expect(cache.execute(['SET', 'k', 'v'])).toBeNull();
    expect(cache.execute(['NOSUCHCOMMAND'])).toBeNull();
    expect(cache.execute(['CLIENT', 'REPLY', 'ON'])).toBe('OK');
    expect(cache.execute(['GET', 'k'])).toBe('v');
    expect(cache.execute(['CLIENT', 'REPLY', 'SKIP'])).toBeNull();
    expect(cache.execute(['GET', 'k'])).toBeNull();
    expect(cache.execute(['GET', 'k'])).toBe('v');
  });

  it('leaves the promises of unanswered commands pending, as a real server does', async () => {
    const cache = newCache();
    const redis = cache.createClient();
    await redis.ping();
    const settled: string[] = [];
    void redis.call('CLIENT', 'REPLY', 'OFF').then(() => settled.push('off'));
    void redis.set('k', 'v').then(() => settled.push('set'));
    await redis.call('CLIENT', 'REPLY', 'ON');
    expect(await redis.get('k')).toBe('v');
    expect(settled).toEqual([]);
    redis.disconnect();
  });

  it('emits RESP2 redirected invalidations as ioredis does (message: keys joined by commas)', async () => {
    const cache = newCache();
    const sub = cache.createClient();
    const main = cache.createClient();
    const events: unknown[] = [];
    sub.on('message', (channel: string, message: string) => events.push(['message', channel, message]));
    sub.on('messageBuffer', (channel: Buffer, message: unknown) =>
      events.push(['messageBuffer', channel.toString(), Array.isArray(message) ? message.map(String) : message]),
    );
    const id = await sub.client('ID');
    await sub.subscribe('__redis__:invalidate');
    await main.call('CLIENT', 'TRACKING', 'ON', 'BCAST', 'REDIRECT', String(id));
    await main.mset('a', '1', 'b', '2');
    await main.flushall();
    await settle();
    expect(events).toEqual([
      ['message', '__redis__:invalidate', 'a,b'],
      ['messageBuffer', '__redis__:invalidate', ['a', 'b']],
      ['message', '__redis__:invalidate', ''],
      ['messageBuffer', '__redis__:invalidate', null],
    ]);
    sub.disconnect();
    main.disconnect();
  });
});

// ---------------------------------------------------------------------------------------------
// Live comparison

/**
 * A step: a connection and one command, or several sent together (read after the last); or time
 * passing (`['wait', ms]`: real time for the server, the virtual clock for the emulator).
 */
type Step = [number, Bytes[] | Bytes[][]] | ['wait', number];

/**
 * `{id:N}` in an argument stands for connection N's client id on each side; ids in replies
 * (TRACKINGINFO's redirect, tracking-redir-broken) are mapped back to that token.
 */
const SCRIPTS: Record<string, Step[]> = {
  'errors and TRACKINGINFO': [
    [0, ['CLIENT', 'TRACKINGINFO']],
    [0, ['CLIENT', 'TRACKING']],
    [0, ['CLIENT', 'TRACKING', 'maybe']],
    [0, ['CLIENT', 'TRACKING', 'on', 'bogus']],
    [0, ['CLIENT', 'TRACKING', 'on', 'PREFIX']],
    [0, ['CLIENT', 'TRACKING', 'on', 'REDIRECT', 'abc']],
    [0, ['CLIENT', 'TRACKING', 'on', 'REDIRECT', '0']],
    [0, ['CLIENT', 'TRACKING', 'on', 'REDIRECT', '99999']],
    [0, ['CLIENT', 'TRACKING', 'on', 'REDIRECT', '{id:1}', 'REDIRECT', '{id:1}']],
    [0, ['CLIENT', 'TRACKING', 'on', 'PREFIX', 'a']],
    [0, ['CLIENT', 'TRACKING', 'on', 'OPTIN', 'OPTOUT']],
    [0, ['CLIENT', 'TRACKING', 'on', 'BCAST', 'OPTIN']],
    [0, ['CLIENT', 'TRACKING', 'off', 'PREFIX', 'x']],
    [0, ['CLIENT', 'CACHING', 'yes']],
    [0, ['CLIENT', 'CACHING']],
    [0, ['CLIENT', 'TRACKINGINFO', 'x']],
    [0, ['CLIENT', 'TRACKING', 'on', 'OPTIN', 'REDIRECT', '{id:1}']],
    [0, ['CLIENT', 'TRACKINGINFO']],
    [0, ['CLIENT', 'TRACKING', 'on', 'OPTOUT']],
    [0, ['CLIENT', 'TRACKING', 'on', 'BCAST']],
    [0, ['CLIENT', 'CACHING', 'no']],
    [0, ['CLIENT', 'CACHING', 'maybe']],
    [0, [['CLIENT', 'CACHING', 'yes'], ['CLIENT', 'TRACKINGINFO']]],
    [0, ['CLIENT', 'INFO']],
    [0, ['CLIENT', 'TRACKING', 'off']],
    [0, ['CLIENT', 'TRACKING', 'on', 'OPTOUT', 'NOLOOP']],
    [0, ['CLIENT', 'CACHING', 'yes']],
    [0, [['CLIENT', 'CACHING', 'no'], ['CLIENT', 'TRACKINGINFO']]],
    [0, ['CLIENT', 'TRACKING', 'off']],
    [0, ['CLIENT', 'TRACKINGINFO']],
    [0, ['CLIENT', 'INFO']],
    [0, ['CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'ab', 'PREFIX', 'a']],
    [0, ['CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'ab']],
    [0, ['CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'abc']],
    [0, ['CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'x', 'PREFIX', 'ab']],
    [0, ['CLIENT', 'TRACKING', 'on', 'BCAST']],
    [0, ['CLIENT', 'TRACKINGINFO']],
    [0, ['CLIENT', 'INFO']],
    [0, ['CLIENT', 'TRACKING', 'on', 'PREFIX', 'q']],
    [0, ['CLIENT', 'REPLY']],
    [0, ['CLIENT', 'REPLY', 'maybe']],
  ],
  'default mode: reads, writes by others and by itself, NOLOOP, flushes': [
    [0, ['CLIENT', 'TRACKING', 'on']],
    [0, ['GET', 'a']],
    [1, ['SET', 'a', '1']],
    [1, ['SET', 'a', '2']],
    [0, ['MGET', 'a', 'b', 'c']],
    [1, ['INFO', 'clients', 'stats']],
    [0, ['MSET', 'a', '1', 'b', '2']],
    [1, ['INFO', 'clients', 'stats']],
    [1, ['DEL', 'c']],
    [0, ['GET', 'c']],
    [1, ['SET', 'c', 'v']],
    [0, ['EXISTS', 'c']],
    [0, ['LPUSH', 'c', 'x']],
    [0, ['GET', 'c']],
    [1, ['DEL', 'c']],
    [0, ['STRLEN', 'a']],
    [0, ['SET', 'a', 'v', 'EX', '100']],
    [0, ['TTL', 'a']],
    [1, ['PERSIST', 'a']],
    [0, ['HGET', 'h', 'f']],
    [1, ['HSET', 'h', 'f', 'v', 'g', 'w']],
    [0, ['GET', 'a']],
    [0, [['MULTI'], ['SET', 'a', 'in-multi'], ['GET', 'a'], ['EXEC']]],
    [0, ['GET', 'z1']],
    [0, ['GET', 'z2']],
    [1, [['MULTI'], ['SET', 'z1', '1'], ['SET', 'z2', '1'], ['EXEC']]],
    [0, ['CLIENT', 'TRACKING', 'on', 'NOLOOP']],
    [0, ['GET', 'a']],
    [0, ['SET', 'a', 'mine']],
    [1, ['SET', 'a', 'theirs']],
    [0, ['GET', 'a']],
    [1, ['FLUSHALL']],
    [0, ['GET', 'a']],
    [0, ['FLUSHDB']],
    [1, ['SET', 'a', '1']],
    [0, ['CLIENT', 'TRACKING', 'off']],
    [1, ['SET', 'a', '2']],
    [1, ['INFO', 'clients', 'stats']],
  ],
  'OPTIN and OPTOUT: CACHING applies to the next command or transaction': [
    [0, ['CLIENT', 'TRACKING', 'on', 'OPTIN']],
    [0, ['GET', 'k1']],
    [1, ['SET', 'k1', 'v']],
    [0, [['CLIENT', 'CACHING', 'yes'], ['GET', 'k1']]],
    [1, ['SET', 'k1', 'w']],
    [0, [['CLIENT', 'CACHING', 'yes'], ['CLIENT', 'GETNAME'], ['GET', 'k2']]],
    [1, ['SET', 'k2', 'v']],
    [0, [['CLIENT', 'CACHING', 'yes'], ['PING'], ['GET', 'k3']]],
    [1, ['SET', 'k3', 'v']],
    [0, [['CLIENT', 'CACHING', 'yes'], ['MULTI'], ['GET', 'k4'], ['GET', 'k5'], ['EXEC']]],
    [1, ['MSET', 'k4', 'v', 'k5', 'v']],
    [0, [['MULTI'], ['CLIENT', 'CACHING', 'yes'], ['GET', 'k6'], ['EXEC']]],
    [1, ['SET', 'k6', 'v']],
    [0, [['CLIENT', 'CACHING', 'yes'], ['NOSUCH'], ['GET', 'k7']]],
    [1, ['SET', 'k7', 'v']],
    [0, ['CLIENT', 'TRACKING', 'off']],
    [0, ['CLIENT', 'TRACKING', 'on', 'OPTOUT']],
    [0, ['GET', 'k1']],
    [1, ['SET', 'k1', 'x']],
    [0, [['CLIENT', 'CACHING', 'no'], ['GET', 'k2']]],
    [1, ['SET', 'k2', 'x']],
    [0, ['GET', 'k2']],
    [1, ['SET', 'k2', 'y']],
  ],
  'BCAST: prefixes, one message per prefix in byte order, NOLOOP': [
    [0, ['CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'b', 'PREFIX', 'a']],
    [2, ['CLIENT', 'TRACKING', 'on', 'BCAST', 'NOLOOP', 'PREFIX', 'a']],
    [1, ['INFO', 'clients', 'stats']],
    [1, ['MSET', 'b2', '1', 'a1', '1', 'b1', '2', 'c1', '3']],
    [0, ['MSET', 'b2', '1', 'a1', '1']],
    [2, ['MSET', 'a2', '1', 'a1', '1']],
    [2, ['SET', 'a3', '1']],
    [1, ['GET', 'a1']],
    [1, ['DEL', 'nothing']],
    [1, ['FLUSHALL']],
    [1, ['SET', 'a5', 'v']],
    [0, ['CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'c']],
    [1, ['SET', 'c9', 'v']],
    [0, ['CLIENT', 'INFO']],
    [2, ['CLIENT', 'TRACKING', 'off']],
    [1, ['INFO', 'clients', 'stats']],
  ],
  'REDIRECT: to a RESP2 subscriber, to a RESP3 connection, to one that went away': [
    [1, ['SUBSCRIBE', '__redis__:invalidate']],
    [0, ['CLIENT', 'TRACKING', 'on', 'REDIRECT', '{id:1}']],
    [0, ['CLIENT', 'INFO']],
    [0, ['MGET', 'a', 'b']],
    [0, ['MSET', 'a', '1', 'b', '2']],
    [0, ['FLUSHDB']],
    [0, ['CLIENT', 'TRACKING', 'on', 'REDIRECT', '{id:2}']],
    [0, ['GET', 'a']],
    [3, ['SET', 'a', '1']],
    [2, ['CLIENT', 'TRACKING', 'on']],
    [2, ['GET', 'x']],
    [3, ['SET', 'x', '1']],
    [2, ['QUIT']],
    [0, ['GET', 'a']],
    [3, ['SET', 'a', '2']],
    [0, ['CLIENT', 'TRACKINGINFO']],
    [0, ['CLIENT', 'INFO']],
  ],
  'expiry: a key that expires is invalidated': [
    [1, ['SET', 'k', 'v', 'PX', '100']],
    [0, ['CLIENT', 'TRACKING', 'on']],
    [0, ['GET', 'k']],
    ['wait', 600],
    [0, ['GET', 'k']],
    [1, ['SET', 'k', 'v']],
  ],
  'CLIENT REPLY: OFF, SKIP, ON, with pushes still delivered': [
    // Default mode: a connection's own invalidations follow each command's (withheld) reply.
    // (BCAST batches follow the server's event loop, which a pipelined batch shares.)
    [0, ['CLIENT', 'TRACKING', 'on']],
    [0, ['MGET', 'a1', 'a2', 'b']],
    [0, [['CLIENT', 'REPLY', 'OFF'], ['SET', 'a1', 'x'], ['GET', 'nokey'], ['GET'], ['CLIENT', 'REPLY', 'ON']]],
    [0, [['CLIENT', 'REPLY', 'SKIP'], ['SET', 'a2', '1'], ['GET', 'a2']]],
    [0, [['CLIENT', 'REPLY', 'SKIP'], ['CLIENT', 'REPLY', 'ON'], ['GET', 'a2']]],
    [0, [['CLIENT', 'REPLY', 'OFF'], ['CLIENT', 'REPLY', 'SKIP'], ['SET', 'b', '1'], ['CLIENT', 'REPLY', 'ON']]],
    [0, [['CLIENT', 'REPLY', 'SKIP'], ['CLIENT', 'REPLY', 'SKIP'], ['GET', 'a2'], ['GET', 'a2']]],
    [1, [['CLIENT', 'REPLY', 'SKIP'], ['SUBSCRIBE', 'ch']]],
    [2, ['PUBLISH', 'ch', 'hi']],
  ],
};

const SYNC = '__emulated_sync__';

function isSync(item: Typed): boolean {
  return JSON.stringify(item).includes(SYNC);
}

/** Replaces `{id:N}` with connection N's id. */
function withIds(argv: Bytes[], ids: number[]): Bytes[] {
  return argv.map((arg) => (typeof arg === 'string' ? arg.replace(/\{id:(\d+)\}/g, (_, n) => String(ids[Number(n)])) : arg));
}

/** Makes a recorded stream comparable: ids as tokens, CLIENT INFO reduced to its tracking fields. */
function normalise(items: Typed[], ids: number[]): unknown {
  const token = (value: Typed): Typed => {
    const at = ids.indexOf(Number(value[1]));
    return value[0] === ':' && at >= 0 ? [':', `{id:${at}}`] : value;
  };
  const walk = (item: Typed): unknown => {
    const [kind, value] = item;
    if ((kind === '$' || kind === '=') && typeof value === 'string' && value.includes('tracking_total_keys:')) {
      return ['info', ...value.split('\r\n').filter((line) => /^tracking_/.test(line))];
    }
    if ((kind === '$' || kind === '=') && typeof value === 'string' && value.includes(' redir=')) {
      const redir = Number(value.match(/ redir=(\S*)/)?.[1]);
      return ['client-info', value.match(/ flags=(\S*)/)?.[1], ids.includes(redir) ? `{id:${ids.indexOf(redir)}}` : redir];
    }
    if (kind === '%' && Array.isArray(value)) {
      return ['%', (value as Typed[][]).map(([k, v]) => [walk(k), k[1] === 'redirect' ? token(v) : walk(v)])];
    }
    if ((kind === '*' || kind === '>' || kind === '~') && Array.isArray(value)) {
      const list = value as Typed[];
      return [kind, list.map((v, i) => (i > 0 && (list[i - 1][1] === 'redirect' || list[i - 1][1] === 'tracking-redir-broken') ? token(v) : walk(v)))];
    }
    return item;
  };
  return items.map(walk);
}

describeLive('client-side caching against a live redis-server', () => {
  let server: { port: number; stop(): Promise<void> };
  beforeAll(async () => {
    server = await privateServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('the emulator client and ioredis resolve and emit the same for redirected invalidations', async () => {
    const cache = newCache();
    const record = async (sub: any, main: any): Promise<unknown[]> => {
      const log: unknown[] = [];
      const events: unknown[] = [];
      sub.on('message', (...args: unknown[]) => events.push(['message', ...args]));
      sub.on('messageBuffer', (channel: Buffer, payload: unknown) => events.push(['messageBuffer', channel, payload]));
      const id = await sub.client('ID');
      log.push(await sub.subscribe('__redis__:invalidate'));
      log.push(await main.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(id)));
      log.push(await main.mget('k1', 'k2'));
      log.push(await main.mset('k1', 'v', 'k2', 'v'));
      log.push(await main.call('CLIENT', 'TRACKING', 'OFF'));
      log.push(await main.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(id), 'BCAST', 'PREFIX', 'k'));
      log.push(await main.mset('k3', 'v', 'k1', 'w'));
      log.push(await main.flushall());
      log.push(await main.call('CLIENT', 'TRACKINGINFO'));
      await new Promise((resolve) => setTimeout(resolve, 50));
      return [log.map((entry) => (Array.isArray(entry) ? entry.map((v) => (v === Number(id) ? 'id' : v)) : entry)), events];
    };
    const realSub = new IORedis(server.port, '127.0.0.1');
    const realMain = new IORedis(server.port, '127.0.0.1');
    try {
      const expected = await record(realSub, realMain);
      const actual = await record(cache.createClient(), cache.createClient());
      expect(actual).toEqual(expected);
      expect((expected[1] as unknown[]).length).toBe(8);
    } finally {
      realSub.disconnect();
      realMain.disconnect();
      cache.close();
    }
  });

  for (const resp of [2, 3] as const) {
    for (const [name, script] of Object.entries(SCRIPTS)) {
      it(`RESP${resp}: ${name}`, async () => {
        const count = Math.max(...script.map(([c]) => (typeof c === 'number' ? c : 0))) + 1;
        const live = await Promise.all(Array.from({ length: count }, () => RespStream.connect(server.port)));
        const cache = newCache();
        const emulated = Array.from({ length: count }, () => new EmulatedStream(cache));
        const liveIds: number[] = [];
        const emulatedIds = emulated.map((e) => e.client.id);
        try {
          live[0].send(['FLUSHALL']);
          await live[0].sync();
          // The server frees the previous test's connections asynchronously: wait for them to go,
          // so INFO's tracking counters are this test's.
          for (let tries = 0; tries < 100; tries++) {
            live[0].send(['INFO', 'clients']);
            const [info] = await live[0].sync();
            if (String(info[1]).includes(`connected_clients:${count}\r\n`)) break;
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          for (let i = 0; i < count; i++) {
            // Connection 1 stays RESP2 in the redirect script: the target of pub/sub invalidations.
            const proto = name.startsWith('REDIRECT') && i === 1 ? 2 : resp;
            live[i].send(['HELLO', String(proto)]);
            emulated[i].send(['HELLO', String(proto)]);
            live[i].send(['CLIENT', 'ID']);
            const got = await live[i].sync();
            liveIds.push(Number(got[1][1]));
            emulated[i].sync();
          }
          const differences: string[] = [];
          const quit = new Set<number>();
          for (const [index, [conn, step]] of script.entries()) {
            if (conn === 'wait') {
              await new Promise((resolve) => setTimeout(resolve, step as number));
              cache.clock.advance(step as number);
              continue;
            }
            const batch = (Array.isArray(step[0]) ? step : [step]) as Bytes[][];
            for (const argv of batch) {
              live[conn].send(withIds(argv, liveIds));
              emulated[conn].send(withIds(argv, emulatedIds));
              if (String(argv[0]).toUpperCase() === 'QUIT') {
                quit.add(conn);
                cache.closeClient(emulated[conn].client);
              }
            }
            // The connection that acted is read first, with two sync PINGs: its first PING may be
            // read in the event loop of the step's commands, whose BCAST batch then follows the
            // PONG; the second comes after it. By then the server has sent every invalidation
            // the step causes, so the other connections' sync PINGs come after theirs.
            const order = [conn, ...Array.from({ length: count }, (_, i) => i).filter((i) => i !== conn)];
            for (const i of order) {
              if (quit.has(i)) continue;
              const syncs = i === conn ? 2 : 1;
              const received: Typed[] = [];
              for (let k = 0; k < syncs; k++) received.push(...(await live[i].sync()));
              const expected = normalise(received, liveIds);
              // The live side's sync is a PING: the emulated side sends as many (they spend a
              // CLIENT CACHING mark alike), and their answers are dropped.
              await new Promise((resolve) => setImmediate(resolve));
              for (let k = 0; k < syncs; k++) emulated[i].send(['PING', SYNC]);
              const actual = normalise(emulated[i].sync().filter((item) => !isSync(item)), emulatedIds);
              if (JSON.stringify(expected) !== JSON.stringify(actual)) {
                differences.push(
                  `step ${index} ${JSON.stringify(batch.map((a) => a.map(String)))} connection ${i}: live ${JSON.stringify(expected)} emulator ${JSON.stringify(actual)}`,
                );
              }
            }
          }
          expect(differences).toEqual([]);
        } finally {
          for (const c of live) c.close();
          cache.close();
        }
      });
    }
  }
});

describe('with replication', () => {
  it('a replica replaying FLUSHALL sends no second invalidation', async () => {
    const cache = newCache({ sku: 'Balanced_B5', clusterPolicy: 'OSS', replication: { lag: 50 } });
    const reader = connection(cache);
    const writer = connection(cache);
    reader.run('CLIENT', 'TRACKING', 'ON');
    writer.run('SET', 'k', 'v');
    writer.run('FLUSHALL');
    expect(reader.pushes).toEqual([['invalidate', 'nil']]);
    cache.clock.advance(500);
    await settle();
    expect(reader.pushes).toEqual([['invalidate', 'nil']]);
    cache.close();
  });
});

describe('overlapping prefixes past the first', () => {
  it('answers the error and turns tracking on, as Redis does (Redis then also answers OK)', () => {
    const cache = newCache();
    const { run } = connection(cache);
    expect(run('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'a', 'PREFIX', 'b', 'PREFIX', 'bc')).toEqual([
      '-',
      "ERR Prefix 'b' overlaps with another provided prefix 'bc'. Prefixes for a single client must not overlap.",
    ]);
    expect(run('CLIENT', 'TRACKINGINFO')).toEqual([
      '%',
      [
        [['$', 'flags'], ['~', [['$', 'on'], ['$', 'bcast']]]],
        [['$', 'redirect'], [':', '0']],
        [['$', 'prefixes'], ['*', [['$', 'a'], ['$', 'b'], ['$', 'bc']]]],
      ],
    ]);
    // The first prefix overlapping another is refused outright.
    run('CLIENT', 'TRACKING', 'OFF');
    expect(run('CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'a', 'PREFIX', 'ab')[0]).toBe('-');
    expect(run('CLIENT', 'TRACKINGINFO')).toEqual([
      '%',
      [
        [['$', 'flags'], ['~', [['$', 'off']]]],
        [['$', 'redirect'], [':', '-1']],
        [['$', 'prefixes'], ['*', []]],
      ],
    ]);
  });
});
