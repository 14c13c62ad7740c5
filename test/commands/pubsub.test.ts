/**
 * Pub/sub: SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE and their UNSUBSCRIBEs, PUBLISH, SPUBLISH, PUBSUB
 * introspection, the RESP2 subscriber context, slot rules for shard channels, and the
 * ioredis-compatible client's subscriber mode and events. The live part replays multi-connection
 * scripts against a private redis-server and compares everything each connection receives
 * (replies, confirmations, messages, in order), RESP2 and RESP3, then runs the real ioredis side
 * by side with the emulator's client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import IORedis from 'ioredis';
import { ManagedRedis, type ManagedRedisOptions } from '../../src/managed-redis.js';
import type { ClientState } from '../../src/core-types.js';
import type { Bytes } from '../../src/keyspace/bytes.js';
import { slotOfName } from '../../src/cluster/slots.js';
import { PubSubReplies } from '../../src/pubsub.js';
import type { Reply } from '../../src/protocol/reply.js';
import { toTyped, type Typed } from '../support/oracle.js';
import { describeLive } from '../support/live.js';
import { EmulatedStream, privateServer, RespStream } from './live-streams.js';
import { helpFooter74 } from '../support/help-footer.js';

const CONTEXT_ERROR = (name: string): string =>
  `ERR Can't execute '${name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`;

function newCache(options: ManagedRedisOptions = {}): ManagedRedis {
  return new ManagedRedis({ clusterPolicy: 'NoCluster', clock: 'virtual', ...options });
}

/** A connection whose pushed messages are kept (as plain strings) and whose replies are typed. */
function connection(cache: ManagedRedis, resp: 2 | 3 = 2) {
  const client = cache.openClient({ name: null });
  client.resp = resp;
  const messages: string[][] = [];
  client.push = (message) => messages.push(message.map((m) => (m === null ? 'nil' : String(m))));
  const run = (...argv: Bytes[]): Typed => {
    try {
      return toTyped(cache.executeReply(argv, client), resp);
    } catch (error) {
      return ['-', (error as Error).message];
    }
  };
  return { client, messages, run };
}

/** The confirmations of a subscribe-family reply as plain strings. */
function confirmations(cache: ManagedRedis, client: ClientState, ...argv: Bytes[]): string[][] {
  const reply = cache.executeReply(argv, client);
  expect(reply).toBeInstanceOf(PubSubReplies);
  return (reply as Reply[]).map((item) => (item as Reply[]).map((m) => (m === null ? 'nil' : String(m))));
}

describe('subscribing', () => {
  it('confirms each channel with the connection count, shard channels counted apart', () => {
    const cache = newCache();
    const { client } = connection(cache);
    expect(confirmations(cache, client, 'SUBSCRIBE', 'a', 'b', 'a')).toEqual([
      ['subscribe', 'a', '1'],
      ['subscribe', 'b', '2'],
      ['subscribe', 'a', '2'],
    ]);
    expect(confirmations(cache, client, 'PSUBSCRIBE', 'n*')).toEqual([['psubscribe', 'n*', '3']]);
    expect(confirmations(cache, client, 'SSUBSCRIBE', 's')).toEqual([['ssubscribe', 's', '1']]);
    expect(client.subscriptions).toBe(4);
    expect(confirmations(cache, client, 'SUNSUBSCRIBE')).toEqual([['sunsubscribe', 's', '0']]);
    expect(confirmations(cache, client, 'UNSUBSCRIBE', 'zz', 'a')).toEqual([
      ['unsubscribe', 'zz', '3'],
      ['unsubscribe', 'a', '2'],
    ]);
    expect(confirmations(cache, client, 'PUNSUBSCRIBE')).toEqual([['punsubscribe', 'n*', '1']]);
    expect(confirmations(cache, client, 'UNSUBSCRIBE')).toEqual([['unsubscribe', 'b', '0']]);
    // Nothing left: one confirmation with a nil channel.
    expect(confirmations(cache, client, 'UNSUBSCRIBE')).toEqual([['unsubscribe', 'nil', '0']]);
    expect(confirmations(cache, client, 'PUNSUBSCRIBE')).toEqual([['punsubscribe', 'nil', '0']]);
    expect(client.subscriptions).toBe(0);
  });

  it('checks arity like Redis', () => {
    const cache = newCache();
    const { run } = connection(cache);
    expect(run('SUBSCRIBE')).toEqual(['-', "ERR wrong number of arguments for 'subscribe' command"]);
    expect(run('PSUBSCRIBE')).toEqual(['-', "ERR wrong number of arguments for 'psubscribe' command"]);
    expect(run('SSUBSCRIBE')).toEqual(['-', "ERR wrong number of arguments for 'ssubscribe' command"]);
    expect(run('PUBLISH', 'a')).toEqual(['-', "ERR wrong number of arguments for 'publish' command"]);
    expect(run('SPUBLISH', 'a', 'b', 'c')).toEqual(['-', "ERR wrong number of arguments for 'spublish' command"]);
  });
});

describe('publishing', () => {
  it('delivers to channel subscribers, then to each matching pattern, and counts deliveries', () => {
    const cache = newCache();
    const a = connection(cache);
    const b = connection(cache);
    const publisher = connection(cache);
    a.run('SUBSCRIBE', 'news.1');
    b.run('PSUBSCRIBE', 'news.*', 'news.?');
    a.run('PSUBSCRIBE', 'n*');
    expect(publisher.run('PUBLISH', 'news.1', 'hello')).toEqual([':', '4']);
    expect(a.messages).toEqual([
      ['message', 'news.1', 'hello'],
      ['pmessage', 'n*', 'news.1', 'hello'],
    ]);
    expect(b.messages).toEqual([
      ['pmessage', 'news.*', 'news.1', 'hello'],
      ['pmessage', 'news.?', 'news.1', 'hello'],
    ]);
    expect(publisher.run('PUBLISH', 'other', 'x')).toEqual([':', '0']);
    expect(publisher.run('PUBLISH', 'news.12', 'x')).toEqual([':', '2']);
  });

  it('keeps channel names and payloads as bytes', () => {
    const cache = newCache();
    const sub = cache.openClient({ name: null });
    const received: Reply[][] = [];
    sub.push = (message) => received.push(message);
    const channel = Buffer.from([0xff, 0x00, 0x41]);
    cache.executeReply(['SUBSCRIBE', channel, 'ключ'], sub);
    expect(cache.executeReply(['PUBLISH', channel, Buffer.from([1, 2, 3])])).toBe(1);
    expect(cache.executeReply(['PUBLISH', 'ключ', 'значение'])).toBe(1);
    expect(received[0][1]).toEqual(channel);
    expect(received[0][2]).toEqual(Buffer.from([1, 2, 3]));
    expect(Buffer.from(received[1][1] as Buffer).toString('utf8')).toBe('ключ');
    expect(String(received[1][2])).toBe('значение');
  });

  it('SPUBLISH reaches shard-channel subscribers only', () => {
    const cache = newCache();
    const sub = connection(cache);
    sub.run('SSUBSCRIBE', 'orders');
    sub.run('SUBSCRIBE', 'orders');
    expect(connection(cache).run('SPUBLISH', 'orders', 'x')).toEqual([':', '1']);
    expect(sub.messages).toEqual([['smessage', 'orders', 'x']]);
  });

  it('a closed connection stops receiving and leaves the counts', () => {
    const cache = newCache();
    const sub = connection(cache);
    sub.run('SUBSCRIBE', 'a');
    sub.run('PSUBSCRIBE', 'a*');
    sub.run('SSUBSCRIBE', 'a');
    cache.closeClient(sub.client);
    expect(cache.execute(['PUBLISH', 'a', 'x'])).toBe(0);
    expect(cache.execute(['PUBSUB', 'NUMSUB', 'a'])).toEqual(['a', 0]);
    expect(cache.execute(['PUBSUB', 'NUMPAT'])).toBe(0);
    expect(cache.execute(['PUBSUB', 'SHARDCHANNELS'])).toEqual([]);
    expect(sub.messages).toEqual([]);
  });
});

describe('the RESP2 subscriber context', () => {
  it('allows only the subscriber commands, PING answering ["pong", message]', () => {
    const cache = newCache();
    const { run } = connection(cache);
    run('SUBSCRIBE', 'a');
    expect(run('GET', 'k')).toEqual(['-', CONTEXT_ERROR('get')]);
    expect(run('CONFIG', 'GET', 'x')).toEqual(['-', CONTEXT_ERROR('config|get')]);
    expect(run('HELLO', '3')).toEqual(['-', CONTEXT_ERROR('hello')]);
    expect(run('MULTI')).toEqual(['-', CONTEXT_ERROR('multi')]);
    expect(run('PUBSUB', 'NUMSUB', 'a')).toEqual(['-', CONTEXT_ERROR('pubsub|numsub')]);
    expect(run('PING')).toEqual(['*', [['$', 'pong'], ['$', '']]]);
    expect(run('PING', 'hi')).toEqual(['*', [['$', 'pong'], ['$', 'hi']]]);
    expect(run('QUIT')).toEqual(['+', 'OK']);
  });

  it('lookup and arity errors come first; the slot rules before the context error', () => {
    const cache = newCache({ clusterPolicy: 'OSS' });
    const { run } = connection(cache);
    run('SUBSCRIBE', 'a');
    expect(run('NOSUCH')).toEqual(['-', "ERR unknown command 'NOSUCH', with args beginning with: "]);
    expect(run('GET')).toEqual(['-', "ERR wrong number of arguments for 'get' command"]);
    expect(run('MGET', 'a', 'b')).toEqual(['-', "CROSSSLOT Keys in request don't hash to the same slot"]);
    expect(run('MGET', '{a}1', '{a}2')).toEqual(['-', CONTEXT_ERROR('mget')]);
  });

  it('ends when the last subscription goes; RESP3 has no such context', () => {
    const cache = newCache();
    const two = connection(cache);
    two.run('SUBSCRIBE', 'a');
    two.run('PSUBSCRIBE', 'p');
    two.run('UNSUBSCRIBE');
    expect(two.run('GET', 'k')).toEqual(['-', CONTEXT_ERROR('get')]);
    two.run('PUNSUBSCRIBE');
    expect(two.run('GET', 'k')).toEqual(['_']);
    const three = connection(cache, 3);
    three.run('SUBSCRIBE', 'a');
    expect(three.run('GET', 'k')).toEqual(['_']);
    expect(three.run('PING')).toEqual(['+', 'PONG']);
  });
});

describe('PUBSUB', () => {
  it('CHANNELS, NUMSUB, NUMPAT, SHARDCHANNELS, SHARDNUMSUB', () => {
    const cache = newCache();
    const a = connection(cache);
    const b = connection(cache);
    a.run('SUBSCRIBE', 'news', 'sport');
    b.run('SUBSCRIBE', 'news');
    a.run('PSUBSCRIBE', 'n*', 'x*');
    b.run('PSUBSCRIBE', 'n*');
    b.run('SSUBSCRIBE', 'orders', 'other');
    const run = connection(cache).run;
    expect(run('PUBSUB', 'CHANNELS')).toEqual(['*', [['$', 'news'], ['$', 'sport']]]);
    expect(run('PUBSUB', 'CHANNELS', 'n*')).toEqual(['*', [['$', 'news']]]);
    expect(run('PUBSUB', 'NUMSUB', 'news', 'sport', 'none')).toEqual([
      '*',
      [['$', 'news'], [':', '2'], ['$', 'sport'], [':', '1'], ['$', 'none'], [':', '0']],
    ]);
    expect(run('PUBSUB', 'NUMSUB')).toEqual(['*', []]);
    expect(run('PUBSUB', 'NUMPAT')).toEqual([':', '2']);
    expect(run('PUBSUB', 'SHARDCHANNELS')).toEqual(['*', [['$', 'orders'], ['$', 'other']]]);
    expect(run('PUBSUB', 'SHARDCHANNELS', 'or*')).toEqual(['*', [['$', 'orders']]]);
    expect(run('PUBSUB', 'SHARDNUMSUB', 'orders', 'news')).toEqual(['*', [['$', 'orders'], [':', '1'], ['$', 'news'], [':', '0']]]);
  });

  it('answers the server error texts', () => {
    const run = connection(newCache()).run;
    expect(run('PUBSUB')).toEqual(['-', "ERR wrong number of arguments for 'pubsub' command"]);
    expect(run('PUBSUB', 'foo')).toEqual(['-', "ERR unknown subcommand 'foo'. Try PUBSUB HELP."]);
    expect(run('PUBSUB', 'NUMPAT', 'x')).toEqual(['-', "ERR wrong number of arguments for 'pubsub|numpat' command"]);
    expect(run('PUBSUB', 'channels', 'a', 'b')).toEqual([
      '-',
      "ERR unknown subcommand or wrong number of arguments for 'channels'. Try PUBSUB HELP.",
    ]);
    const help = run('PUBSUB', 'HELP');
    expect((help[1] as Typed[])[0]).toEqual(['+', 'PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:']);
    expect((help[1] as Typed[]).length).toBe(14);
  });

  it('feeds INFO stats and CLIENT LIST', () => {
    const cache = newCache();
    const a = connection(cache);
    a.run('SUBSCRIBE', 'x', 'y');
    a.run('PSUBSCRIBE', 'p*');
    a.run('SSUBSCRIBE', 's');
    const info = String(cache.execute(['INFO', 'stats']));
    expect(info).toContain('pubsub_channels:2\r\n');
    expect(info).toContain('pubsub_patterns:1\r\n');
    expect(info).toContain('pubsubshard_channels:1\r\n');
    expect(String(cache.execute(['CLIENT', 'LIST']))).toMatch(/id=\d+ .* flags=P .* sub=2 psub=1 ssub=1 /);
  });
});

describe('shard channels and the cluster policies', () => {
  const [c1, c2] = ['chan-a', 'chan-b'];
  it('the channels of one SSUBSCRIBE, SUNSUBSCRIBE or SPUBLISH share a slot under OSS and Enterprise', () => {
    expect(slotOfName(c1)).not.toBe(slotOfName(c2));
    for (const policy of ['OSS', 'Enterprise'] as const) {
      const { run } = connection(newCache({ clusterPolicy: policy }));
      expect(run('SSUBSCRIBE', c1, c2)).toEqual(['-', "CROSSSLOT Keys in request don't hash to the same slot"]);
      expect(run('SSUBSCRIBE', '{t}a', '{t}b')[0]).toBe('*');
      expect(run('SUNSUBSCRIBE', c1, c2)).toEqual(['-', "CROSSSLOT Keys in request don't hash to the same slot"]);
    }
    const { run } = connection(newCache({ clusterPolicy: 'NoCluster' }));
    expect(run('SSUBSCRIBE', c1, c2)[0]).toBe('*');
  });

  it('SHARDCHANNELS on a node connection lists the channels of its own shards', () => {
    const cache = newCache({ clusterPolicy: 'OSS', sku: 'Balanced_B5' });
    const sub = cache.openClient({ name: null });
    const names = Array.from({ length: 40 }, (_, i) => `ch${i}`);
    for (const name of names) cache.executeReply(['SSUBSCRIBE', name], sub);
    const node0 = cache.openClient({ name: null, node: 0 });
    const own = cache.executeReply(['PUBSUB', 'SHARDCHANNELS'], node0) as string[];
    const expected = names.filter((n) => node0.shards.includes(cache.shardForSlot(slotOfName(n))));
    expect(own.slice().sort()).toEqual(expected.sort());
    expect((cache.executeReply(['PUBSUB', 'SHARDCHANNELS']) as string[]).length).toBe(40);
  });
});

describe('the ioredis-compatible client in subscriber mode', () => {
  it('emits message, messageBuffer, pmessage, pmessageBuffer, smessage, smessageBuffer', async () => {
    const cache = newCache();
    const sub = cache.createClient();
    const pub = cache.createClient();
    const events: unknown[][] = [];
    for (const name of ['message', 'messageBuffer', 'pmessage', 'pmessageBuffer', 'smessage', 'smessageBuffer']) {
      sub.on(name, (...args: unknown[]) => events.push([name, ...args]));
    }
    expect(await sub.subscribe('news')).toBe(1);
    expect(await sub.psubscribe('n*', 'x*')).toBe(3);
    expect(await sub.ssubscribe('orders')).toBe(1);
    expect(sub.mode).toBe('subscriber');
    expect(await pub.publish('news', 'hi')).toBe(2);
    expect(await pub.spublish('orders', 'o')).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual([
      ['message', 'news', 'hi'],
      ['messageBuffer', Buffer.from('news'), Buffer.from('hi')],
      ['pmessage', 'n*', 'news', 'hi'],
      ['pmessageBuffer', 'n*', Buffer.from('news'), Buffer.from('hi')],
      ['smessage', 'orders', 'o'],
      ['smessageBuffer', Buffer.from('orders'), Buffer.from('o')],
    ]);
  });

  it('refuses other commands with ioredis\'s own error, and leaves subscriber mode with the last unsubscribe', async () => {
    const cache = newCache();
    const sub = cache.createClient();
    await sub.subscribe('a');
    await expect(sub.get('k')).rejects.toThrow('Connection in subscriber mode, only subscriber commands may be used');
    expect(await sub.ping()).toEqual(['pong', '']);
    expect(await sub.unsubscribe()).toBe(0);
    expect(sub.mode).toBe('normal');
    expect(await sub.get('k')).toBeNull();
  });

  it('a pipeline on a subscriber connection refuses, command by command, what ioredis refuses', async () => {
    const cache = newCache();
    const sub = cache.createClient();
    await sub.subscribe('a');
    const results = await sub.pipeline().get('k').ping().exec();
    expect(results).toEqual([[new Error('Connection in subscriber mode, only subscriber commands may be used')], [null, ['pong', '']]]);
  });

  it('a command sent in the same tick as SUBSCRIBE reaches the server, which refuses it (as with a socket)', async () => {
    const cache = newCache();
    const sub = cache.createClient();
    await sub.ping();
    const subscribed = sub.subscribe('a');
    const get = sub.get('k').catch((e: Error) => e.message);
    expect(await subscribed).toBe(1);
    expect(await get).toBe(CONTEXT_ERROR('get'));
  });

  it('subscribes again after a reconnect (autoResubscribe)', async () => {
    const cache = newCache();
    const sub = cache.createClient({ retryStrategy: () => 10 });
    const seen: string[] = [];
    sub.on('message', (channel: string, message: string) => seen.push(`${channel}:${message}`));
    sub.on('pmessage', (pattern: string, channel: string, message: string) => seen.push(`${pattern}:${channel}:${message}`));
    await sub.subscribe('a', 'b');
    await sub.psubscribe('p*');
    const ready = new Promise<void>((resolve) => sub.once('ready', () => resolve()));
    sub.simulateConnectionLoss();
    expect(cache.execute(['PUBSUB', 'NUMSUB', 'a'])).toEqual(['a', 0]);
    (cache.clock as { advance(ms: number): void }).advance(10);
    await ready;
    await new Promise((resolve) => setImmediate(resolve));
    expect(cache.execute(['PUBSUB', 'NUMSUB', 'a', 'b'])).toEqual(['a', 1, 'b', 1]);
    await cache.createClient().publish('pq', 'x');
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['p*:pq:x']);
  });
});

// ---------------------------------------------------------------------------------------------
// Live comparisons

type Script = Array<[connection: number, argv: Bytes[]]>;

/** Unordered in Redis: confirmations of a bare (P|S)UNSUBSCRIBE, PUBSUB CHANNELS lists. */
function normalise(step: Bytes[], items: Typed[]): Typed[] {
  const name = String(step[0]).toUpperCase();
  if (name === 'PUBLISH') {
    // Patterns are visited in the server's dictionary order: compare one connection's pattern
    // messages as a set, in place.
    const at = items.flatMap((item, i) => (isPatternMessage(item) ? [i] : []));
    const sorted = at.map((i) => items[i]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    const out = items.slice();
    at.forEach((i, k) => (out[i] = sorted[k]));
    return out;
  }
  if (/^[PS]?UNSUBSCRIBE$/.test(name) && step.length === 1) {
    // The counts follow the (random) order; keep only kind and channel, sorted.
    return items.map((item) => [item[0], (item[1] as Typed[]).slice(0, 2)] as Typed).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  if (name === 'PUBSUB' && /channels/i.test(String(step[1]))) {
    return items.map((item) => (item[0] === '*' ? (['*', (item[1] as Typed[]).slice().sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))] as Typed) : item));
  }
  return items;
}

function isPatternMessage(item: Typed): boolean {
  return (item[0] === '>' || item[0] === '*') && Array.isArray(item[1]) && JSON.stringify((item[1] as Typed[])[0]) === '["$","pmessage"]';
}

const SCRIPTS: Record<string, Script> = {
  'subscribe, publish, unsubscribe': [
    [0, ['SUBSCRIBE', 'a', 'b', 'a']],
    [1, ['PUBLISH', 'a', 'one']],
    [1, ['PUBLISH', 'c', 'none']],
    [0, ['GET', 'k']],
    [0, ['PING']],
    [0, ['PING', 'msg']],
    [0, ['UNSUBSCRIBE', 'a', 'zz']],
    [1, ['PUBLISH', 'a', 'gone']],
    [1, ['PUBLISH', 'b', 'two']],
    [0, ['UNSUBSCRIBE']],
    [0, ['UNSUBSCRIBE']],
    [0, ['GET', 'k']],
  ],
  'patterns and channels together': [
    [0, ['PSUBSCRIBE', 'h?llo', 'h*']],
    [1, ['SUBSCRIBE', 'hello']],
    [2, ['PUBLISH', 'hello', 'x']],
    [2, ['PUBLISH', 'hallo', 'y']],
    [2, ['PUBLISH', 'hxllo', Buffer.from([0, 255, 1])]],
    [2, ['PUBSUB', 'NUMPAT']],
    [2, ['PUBSUB', 'NUMSUB', 'hello', 'h*']],
    [2, ['PUBSUB', 'CHANNELS']],
    [0, ['PUNSUBSCRIBE', 'h*']],
    [2, ['PUBLISH', 'hello', 'z']],
    [0, ['PUNSUBSCRIBE']],
    [0, ['PUNSUBSCRIBE']],
    [1, ['UNSUBSCRIBE', 'hello']],
  ],
  'shard channels': [
    [0, ['SSUBSCRIBE', 's1', 's2']],
    [0, ['SUBSCRIBE', 'c']],
    [1, ['SPUBLISH', 's1', 'm']],
    [1, ['PUBLISH', 's1', 'not shard']],
    [1, ['PUBSUB', 'SHARDCHANNELS']],
    [1, ['PUBSUB', 'SHARDNUMSUB', 's1', 's3']],
    [0, ['SUNSUBSCRIBE', 's1']],
    [0, ['GET', 'k']],
    [0, ['UNSUBSCRIBE', 'c']],
    [0, ['GET', 'k']],
    [0, ['SUNSUBSCRIBE', 's2']],
    [0, ['SUNSUBSCRIBE']],
    [0, ['GET', 'k']],
  ],
  'errors and arity': [
    [0, ['SUBSCRIBE']],
    [0, ['PUBSUB']],
    [0, ['PUBSUB', 'NOPE']],
    [0, ['PUBSUB', 'NUMPAT', 'x']],
    [0, ['PUBSUB', 'CHANNELS', 'a', 'b']],
    [0, ['PUBSUB', 'SHARDCHANNELS', 'a', 'b']],
    [0, ['PUBSUB', 'HELP']],
    [0, ['PUBLISH', 'x']],
    [0, ['SSUBSCRIBE', 'x']],
    [0, ['MULTI']],
    [0, ['CONFIG', 'GET', 'maxmemory']],
    [0, ['SUNSUBSCRIBE', 'x']],
  ],
  'a subscriber publishing to itself': [
    [0, ['SUBSCRIBE', 'me']],
    [0, ['PSUBSCRIBE', 'm*']],
    [1, ['PUBLISH', 'me', 'hi']],
    [0, ['UNSUBSCRIBE', 'me']],
    [0, ['PUNSUBSCRIBE', 'm*']],
    [0, ['PUBLISH', 'me', 'nobody']],
  ],
  'SUBSCRIBE in a transaction, SSUBSCRIBE refused there': [
    [0, ['MULTI']],
    [0, ['SUBSCRIBE', 'q']],
    [0, ['SSUBSCRIBE', 'r']],
    [0, ['EXEC']],
    [1, ['PUBLISH', 'q', 'after']],
    [0, ['UNSUBSCRIBE']],
  ],
};

describeLive('pub/sub against a live redis-server', () => {
  let server: { port: number; stop(): Promise<void> };
  beforeAll(async () => {
    server = await privateServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  for (const resp of [2, 3] as const) {
    for (const [name, script] of Object.entries(SCRIPTS)) {
      it(`RESP${resp}: ${name}`, async () => {
        const count = Math.max(...script.map(([c]) => c)) + 1;
        const live = await Promise.all(Array.from({ length: count }, () => RespStream.connect(server.port)));
        const cache = newCache({ evictionPolicy: 'noeviction' });
        const emulated = Array.from({ length: count }, () => new EmulatedStream(cache));
        try {
          for (let i = 0; i < count; i++) {
            live[i].send(['HELLO', String(resp)]);
            emulated[i].send(['HELLO', String(resp)]);
            await live[i].sync();
            emulated[i].sync();
          }
          const differences: string[] = [];
          // A connection in MULTI would queue the sync PING: it is read after its EXEC/DISCARD.
          const inMulti = new Set<number>();
          for (const [index, [conn, argv]] of script.entries()) {
            live[conn].send(argv);
            emulated[conn].send(argv);
            const name = String(argv[0]).toUpperCase();
            if (name === 'MULTI') inMulti.add(conn);
            else if (name === 'EXEC' || name === 'DISCARD') inMulti.delete(conn);
            for (let i = 0; i < count; i++) {
              if (inMulti.has(i)) continue;
              const expected = normalise(argv, helpFooter74(await live[i].sync()));
              const actual = normalise(argv, emulated[i].sync());
              if (JSON.stringify(expected) !== JSON.stringify(actual)) {
                differences.push(
                  `step ${index} ${JSON.stringify(argv.map(String))} connection ${i}: live ${JSON.stringify(expected)} emulator ${JSON.stringify(actual)}`,
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

  it('the emulator client and ioredis resolve and emit the same', async () => {
    const cache = newCache();
    // Replies and events are kept apart: the publisher's reply and the subscriber's message come
    // on two connections, in no defined order.
    const record = async (sub: any, pub: any): Promise<unknown[]> => {
      const log: unknown[] = [];
      const events: unknown[] = [];
      for (const name of ['message', 'messageBuffer', 'pmessage', 'pmessageBuffer', 'smessage', 'smessageBuffer']) {
        sub.on(name, (...args: unknown[]) => events.push([name, ...args]));
      }
      const settle = async (p: Promise<unknown>) => {
        try {
          log.push(['ok', await p]);
        } catch (error) {
          log.push(['error', (error as Error).message]);
        }
      };
      await settle(sub.subscribe('ch1', 'ch2'));
      log.push(['mode', sub.mode]);
      await settle(sub.psubscribe('ch*'));
      await settle(sub.get('x'));
      await settle(sub.ping());
      await settle(sub.ping('hey'));
      await settle(pub.publish('ch1', 'payload'));
      await new Promise((resolve) => setTimeout(resolve, 50));
      await settle(sub.unsubscribe('ch1'));
      await settle(sub.unsubscribe('zz'));
      // Named: ioredis waits for a zero count on a bare (P)UNSUBSCRIBE (it hangs while the other
      // kind of subscription remains), which the emulator does not reproduce.
      await settle(sub.punsubscribe('ch*'));
      await settle(sub.unsubscribe());
      log.push(['mode', sub.mode]);
      await settle(sub.get('x'));
      await settle(sub.unsubscribe());
      await settle(sub.ssubscribe('sh'));
      await settle(pub.spublish('sh', 'shard'));
      await new Promise((resolve) => setTimeout(resolve, 50));
      await settle(sub.sunsubscribe());
      log.push(['mode', sub.mode]);
      return [log, events];
    };
    const realSub = new IORedis(server.port, '127.0.0.1');
    const realPub = new IORedis(server.port, '127.0.0.1');
    try {
      const expected = await record(realSub, realPub);
      const actual = await record(cache.createClient(), cache.createClient());
      expect(actual).toEqual(expected);
    } finally {
      realSub.disconnect();
      realPub.disconnect();
      cache.close();
    }
  });
});
