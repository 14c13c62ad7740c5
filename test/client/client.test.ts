/**
 * The ioredis-compatible client on a cache: methods and their Buffer twins, `call`, callbacks,
 * reply shapes and transforms, errors, keyPrefix, connection states and events.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManagedRedis, ReplyError } from '../../src/index.js';
import { Command } from '../../src/client/command.js';
import { RedisClient } from '../../src/client/client.js';
import { defineCommand } from '../../src/commands/command.js';
import { MapReply, DoubleReply, BoolReply, SetReply, VerbatimReply, BigNumberReply, NULL_ARRAY, status } from '../../src/protocol/reply.js';
import type { Reply } from '../../src/protocol/reply.js';

const caches: ManagedRedis[] = [];
function newCache(): ManagedRedis {
  const cache = new ManagedRedis({ clock: 'virtual', clusterPolicy: 'NoCluster', sku: 'Balanced_B1' });
  caches.push(cache);
  return cache;
}
afterEach(() => {
  for (const cache of caches.splice(0)) cache.close();
});

/** Adds a test-only command answering a fixed reply (to check conversions of every reply shape). */
function fixedReply(cache: ManagedRedis, name: string, reply: Reply, keys = false): void {
  const spec = defineCommand({
    name,
    arity: -1,
    flags: ['readonly'],
    keys: keys ? { first: 1, last: 1, step: 1 } : undefined,
    exec: () => reply,
  });
  (cache.commands as Map<string, typeof spec>).set(name, spec);
  (cache.commands as Map<string, typeof spec>).set(name.toUpperCase(), spec);
}

function events(client: RedisClient, names: string[]): string[] {
  const seen: string[] = [];
  for (const name of names) client.on(name, () => seen.push(`${name}:${client.status}`));
  return seen;
}

describe('commands', () => {
  it('has a method and a Buffer twin for every ioredis command', async () => {
    const redis = newCache().createClient();
    for (const name of ['get', 'set', 'hgetall', 'xadd', 'zrangebyscore', 'restore-asking', 'sentinel', 'bitfield_ro']) {
      expect(typeof (redis as unknown as Record<string, unknown>)[name]).toBe('function');
      expect(typeof (redis as unknown as Record<string, unknown>)[`${name}Buffer`]).toBe('function');
    }
    expect(await redis.set('k', 'v')).toBe('OK');
    expect(await redis.get('k')).toBe('v');
    expect(await redis.getBuffer('k')).toEqual(Buffer.from('v'));
    expect(await redis.setBuffer('k2', 'v')).toEqual(Buffer.from('OK'));
    expect(await redis.get('missing')).toBeNull();
    expect(await redis.getBuffer('missing')).toBeNull();
  });

  it('keeps binary values as bytes and decodes them as UTF-8 for string methods', async () => {
    const redis = newCache().createClient();
    const bytes = Buffer.from([0xff, 0x00, 0xc3, 0xa9]);
    await redis.set('bin', bytes);
    expect(await redis.getBuffer('bin')).toEqual(bytes);
    expect(await redis.get('bin')).toBe(bytes.toString('utf8'));
    expect(await redis.strlen('bin')).toBe(4);
    await redis.set(Buffer.from('ключ'), 'x');
    expect(await redis.get('ключ')).toBe('x');
  });

  it('flattens arrays and takes object forms for mset', async () => {
    const redis = newCache().createClient();
    expect(await redis.mset({ a: 1, b: 2 })).toBe('OK');
    expect(await redis.mset(new Map([['c', 3]]))).toBe('OK');
    expect(await redis.mget(['a', 'b'], 'c', ['missing'])).toEqual(['1', '2', '3', null]);
    expect(await redis.mgetBuffer('a', 'missing')).toEqual([Buffer.from('1'), null]);
    expect(await redis.del(['a', 'b'], 'c')).toBe(3);
  });

  it('sends numbers as their decimal text', async () => {
    const redis = newCache().createClient();
    await redis.set('n', 10);
    expect(await redis.incrby('n', 5)).toBe(15);
    expect(await redis.incrbyfloat('n', 0.5)).toBe('15.5');
    expect(await redis.expire('n', 100)).toBe(1);
    expect(await redis.ttl('n')).toBe(100);
  });

  it('call() sends any command, the name as given; callBuffer() gives Buffers', async () => {
    const redis = newCache().createClient();
    expect(await redis.call('SET', 'c', 'v')).toBe('OK');
    expect(await redis.call('get', ['c'])).toBe('v');
    expect(await redis.callBuffer('GET', 'c')).toEqual(Buffer.from('v'));
    expect(await redis.call(['GET', 'c'])).toBe('v');
    expect(await redis.send_command('GET', 'c')).toBe('v');
  });

  it('takes a node-style callback as the last argument', async () => {
    const redis = newCache().createClient();
    await redis.set('cb', 'v');
    const value = await new Promise((resolve, reject) =>
      redis.get('cb', (err, result) => (err ? reject(err) : resolve(result))),
    );
    expect(value).toBe('v');
    const error = await new Promise<Error>((resolve) => redis.call('nosuch', 'x', (err: Error) => resolve(err)));
    expect(error.message).toBe("ERR unknown command 'nosuch', with args beginning with: 'x' ");
    // The promise is returned as well.
    const promise = redis.get('cb', () => {});
    expect(await promise).toBe('v');
  });

  it('settles replies asynchronously, in call order', async () => {
    const redis = newCache().createClient();
    await redis.ping();
    const order: string[] = [];
    const p1 = redis.set('o', '1').then(() => order.push('set'));
    const p2 = redis.get('o').then((v) => order.push(`get:${v}`));
    order.push('sync');
    await Promise.all([p1, p2]);
    expect(order).toEqual(['sync', 'set', 'get:1']);
  });
});

describe('errors', () => {
  it('rejects commands AMR does not have with the server unknown-command error', async () => {
    const redis = newCache().createClient();
    const error = await redis.swapdb('0', '1').catch((e: Error) => e);
    expect(error).toBeInstanceOf(ReplyError);
    expect(error.message).toBe("ERR unknown command 'swapdb', with args beginning with: '0' '1' ");
    expect((error as ReplyError & { command: unknown }).command).toEqual({ name: 'swapdb', args: ['0', '1'] });
    const buffered = await redis.swapdbBuffer('0', '2').catch((e: Error) => e.message);
    expect(buffered).toBe("ERR unknown command 'swapdb', with args beginning with: '0' '2' ");
  });

  it('rejects with arity, type and syntax errors as the server words them', async () => {
    const redis = newCache().createClient();
    await expect(redis.call('get')).rejects.toThrow("ERR wrong number of arguments for 'get' command");
    await expect(redis.set('k', 'v', 'EX')).rejects.toThrow('ERR syntax error');
    await redis.set('s', 'abc');
    await expect(redis.incr('s')).rejects.toThrow('ERR value is not an integer or out of range');
  });

  it('gives each rejection its own error object', async () => {
    const redis = newCache().createClient();
    await redis.set('s', 'abc');
    const e1 = (await redis.incr('s').catch((e: Error) => e)) as Error;
    const e2 = (await redis.incr('s').catch((e: Error) => e)) as Error;
    expect(e1).not.toBe(e2);
    expect(e1.message).toBe(e2.message);
    expect((e1 as ReplyError).name).toBe('ReplyError');
  });
});

describe('reply shapes', () => {
  it('renders every typed reply the way ioredis reads RESP2', async () => {
    const cache = newCache();
    const redis = cache.createClient();
    const cases: Array<[Reply, unknown, unknown]> = [
      [status('PONG'), 'PONG', Buffer.from('PONG')],
      [new DoubleReply(1.5), '1.5', Buffer.from('1.5')],
      [new MapReply([['a', 1], ['b', 'x']]), ['a', 1, 'b', 'x'], [Buffer.from('a'), 1, Buffer.from('b'), Buffer.from('x')]],
      [new SetReply(['m']), ['m'], [Buffer.from('m')]],
      [new BoolReply(true), 1, 1],
      [new VerbatimReply('txt', 'hello'), 'hello', Buffer.from('hello')],
      [new BigNumberReply(12345678901234567890n), '12345678901234567890', Buffer.from('12345678901234567890')],
      [NULL_ARRAY, null, null],
      [[1, null, ['nested']], [1, null, ['nested']], [1, null, [Buffer.from('nested')]]],
    ];
    for (const [i, [reply, plain, buffers]] of cases.entries()) {
      fixedReply(cache, `fixed${i}`, reply);
      expect(await redis.call(`fixed${i}`)).toEqual(plain);
      expect(await redis.callBuffer(`fixed${i}`)).toEqual(buffers);
    }
  });

  it('reads 64-bit integers as ioredis does (floating point), or exactly with stringNumbers', async () => {
    const cache = newCache();
    fixedReply(cache, 'big', 9007199254740993n);
    fixedReply(cache, 'small', -42);
    expect(await cache.createClient().call('big')).toBe(9007199254740992);
    const strings = cache.createClient({ stringNumbers: true });
    expect(await strings.call('big')).toBe('9007199254740993');
    expect(await strings.call('small')).toBe('-42');
    await strings.set('n', '5');
    expect(await strings.incr('n')).toBe('6');
  });

  it('turns HGETALL into an object with own data properties for every field, by exact name', async () => {
    const cache = newCache();
    fixedReply(cache, 'hgetall', ['__proto__', 'p', 'constructor', 'c', 'toString', 't', 'f', 'v'], true);
    const redis = cache.createClient();
    const object = (await redis.hgetall('h')) as Record<string, string>;
    expect(Object.keys(object)).toEqual(['__proto__', 'constructor', 'toString', 'f']);
    expect(Object.getOwnPropertyDescriptor(object, '__proto__')?.value).toBe('p');
    expect(Object.getPrototypeOf(object)).toBe(Object.prototype);
    expect(object.constructor).toBe('c');
    const buffers = (await redis.hgetallBuffer('h')) as Record<string, Buffer>;
    expect(buffers.f).toEqual(Buffer.from('v'));
    expect(await redis.call('hgetall', 'h')).toEqual(object);
    expect(await redis.call('HGETALL', 'h')).toEqual(['__proto__', 'p', 'constructor', 'c', 'toString', 't', 'f', 'v']);
    fixedReply(cache, 'hgetall', []);
    expect(await redis.hgetall('empty')).toEqual({});
  });

  it('Command registries: argument and reply transformers apply by name', async () => {
    const cache = newCache();
    fixedReply(cache, 'testechoargs', ['x']);
    Command.setReplyTransformer('testechoargs', (result) => ({ wrapped: result }));
    expect(await cache.createClient().call('testechoargs')).toEqual({ wrapped: ['x'] });
    const command = new Command('get', ['cmd'], { replyEncoding: 'utf8' });
    const redis = cache.createClient();
    await redis.set('cmd', 'value');
    expect(await redis.sendCommand(command)).toBe('value');
    const raw = new Command('get', ['cmd']);
    expect(await redis.sendCommand(raw)).toEqual(Buffer.from('value'));
    expect(raw.getKeys()).toEqual(['cmd']);
    expect(Command.checkFlag('ENTER_SUBSCRIBER_MODE', 'SUBSCRIBE')).toBe(true);
  });

  it('a blocking command (also through sendCommand) waits for its key or its timeout, and later commands wait behind it (found by the ioredis differential)', async () => {
    const cache = new ManagedRedis({ clock: 'virtual', clusterPolicy: 'NoCluster', sku: 'Balanced_B1' });
    try {
      const redis = cache.createClient();
      await redis.ping();
      const timedOut = redis.sendCommand(new Command('blpop', ['q', '1'], { replyEncoding: 'utf8' }));
      // Sent while BLPOP waits: they answer after it, in order, as on one socket.
      const order: string[] = [];
      const get = redis.get('x').then((v) => order.push(`get ${v}`));
      const served = redis.sendCommand(new Command('brpop', ['r', '0'])).then((v) => {
        order.push('brpop');
        return v;
      });
      const after = redis.call('ECHO', 'after').then((v) => order.push(`echo ${v}`));
      cache.execute(['SET', 'x', 'set while blocked']);
      cache.clock.advance(1_000);
      expect(await timedOut).toBe(null);
      await get;
      expect(order).toEqual(['get set while blocked']);
      cache.execute(['RPUSH', 'r', 'v']);
      expect(await served).toEqual([Buffer.from('r'), Buffer.from('v')]);
      await after;
      expect(order).toEqual(['get set while blocked', 'brpop', 'echo after']);
    } finally {
      cache.close();
    }
  });
});

describe('keyPrefix', () => {
  it('prefixes single- and multi-key commands but not values or keyless commands', async () => {
    const cache = newCache();
    const redis = cache.createClient({ keyPrefix: 'app:' });
    await redis.set('a', 'a-value');
    await redis.mset({ b: 'b-value', c: 'c-value' });
    expect(cache.execute(['GET', 'app:a'])).toBe('a-value');
    expect(cache.execute(['MGET', 'app:b', 'app:c', 'b'])).toEqual(['b-value', 'c-value', null]);
    expect(await redis.mget('a', 'b', 'c')).toEqual(['a-value', 'b-value', 'c-value']);
    expect(await redis.exists('a', 'b', 'nope')).toBe(2);
    await redis.rename('a', 'renamed');
    expect(cache.execute(['EXISTS', 'app:renamed'])).toBe(1);
    expect(await redis.del('b', 'c')).toBe(2);
    // KEYS patterns are not keys for ioredis: replies carry the full names.
    expect(await redis.keys('app:*')).toEqual(['app:renamed']);
    expect(await redis.echo('a')).toBe('a');
    // Buffer keys get the prefix's bytes.
    await redis.set(Buffer.from([0xff]), 'x');
    expect(cache.execute(['EXISTS', Buffer.from([0x61, 0x70, 0x70, 0x3a, 0xff])])).toBe(1);
  });

  it('copies keyPrefix to duplicates and pipelines', async () => {
    const cache = newCache();
    const redis = cache.createClient({ keyPrefix: 'p:' });
    await redis.duplicate().set('d', '1');
    await redis.pipeline().set('e', '2').exec();
    expect(cache.execute(['MGET', 'p:d', 'p:e'])).toEqual(['1', '2']);
    await redis.duplicate({ keyPrefix: 'q:' }).set('d', '3');
    expect(cache.execute(['GET', 'q:d'])).toBe('3');
  });
});

describe('connection', () => {
  it('goes connecting → connect → ready, emitting each state', async () => {
    const redis = newCache().createClient();
    expect(redis.status).toBe('connecting');
    const seen = events(redis, ['connecting', 'connect', 'ready']);
    await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
    expect(redis.status).toBe('ready');
    expect(seen).toEqual(['connecting:connecting', 'connect:connect', 'ready:ready']);
  });

  it('is ready by the time the first awaited command settles', async () => {
    const redis = newCache().createClient();
    await redis.ping();
    expect(redis.status).toBe('ready');
  });

  it('lazyConnect waits in `wait` until connect() or the first command', async () => {
    const cache = newCache();
    const before = cache.clients.size;
    const lazy = cache.createClient({ lazyConnect: true });
    expect(lazy.status).toBe('wait');
    expect(cache.clients.size).toBe(before);
    await lazy.connect();
    expect(lazy.status).toBe('ready');
    expect(cache.clients.size).toBe(before + 1);
    await expect(lazy.connect()).rejects.toThrow('Redis is already connecting/connected');
    const lazy2 = cache.createClient({ lazyConnect: true });
    expect(await lazy2.ping()).toBe('PONG');
    expect(lazy2.status).toBe('ready');
  });

  it('quit() resolves OK, ends the connection, and later commands reject with Connection is closed.', async () => {
    const cache = newCache();
    const redis = cache.createClient({ connectionName: 'worker' });
    await redis.ping();
    const seen = events(redis, ['close', 'end']);
    const id = [...cache.clients.values()].find((c) => c.name === 'worker')?.id;
    expect(id).toBeDefined();
    expect(await redis.quit()).toBe('OK');
    expect(redis.status).toBe('end');
    expect(cache.clients.has(id!)).toBe(false);
    await expect(redis.get('k')).rejects.toThrow('Connection is closed.');
    await expect(redis.quit()).rejects.toThrow('Connection is closed.');
    await Promise.resolve();
    expect(seen).toEqual(['close:end', 'end:end']);
  });

  it('runs commands sent before ready, then quits', async () => {
    const cache = newCache();
    const redis = cache.createClient();
    const set = redis.set('early', '1');
    const quit = redis.quit();
    expect(await set).toBe('OK');
    expect(await quit).toBe('OK');
    expect(cache.execute(['GET', 'early'])).toBe('1');
  });

  it('disconnect() closes at once; connect() opens a new connection', async () => {
    const redis = newCache().createClient();
    await redis.ping();
    redis.disconnect();
    expect(redis.status).toBe('end');
    await expect(redis.get('k')).rejects.toThrow('Connection is closed.');
    await redis.connect();
    expect(await redis.ping()).toBe('PONG');
  });

  it('disconnect(true) reconnects after retryStrategy’s delay (on the cache clock)', async () => {
    const cache = newCache();
    const redis = cache.createClient({ retryStrategy: () => 50 });
    await redis.ping();
    const seen: string[] = [];
    for (const name of ['close', 'reconnecting', 'connecting', 'ready']) redis.on(name, () => seen.push(name));
    redis.disconnect(true);
    expect(redis.status).toBe('reconnecting');
    const pending = redis.get('k');
    cache.clock.advance(49);
    expect(redis.status).toBe('reconnecting');
    cache.clock.advance(1);
    expect(await pending).toBeNull();
    expect(redis.status).toBe('ready');
    expect(seen).toEqual(['close', 'reconnecting', 'connecting', 'ready']);
  });

  it('without retryStrategy a lost connection ends and queued commands fail', async () => {
    const cache = newCache();
    const redis = cache.createClient({ retryStrategy: null });
    await redis.ping();
    redis.simulateConnectionLoss();
    expect(redis.status).toBe('end');
    await expect(redis.ping()).rejects.toThrow('Connection is closed.');
  });

  it('enableOfflineQueue: false rejects commands until ready', async () => {
    const redis = newCache().createClient({ enableOfflineQueue: false });
    await expect(redis.ping()).rejects.toThrow("Stream isn't writeable and enableOfflineQueue options is false");
    if (redis.status !== 'ready') await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
    expect(await redis.ping()).toBe('PONG');
  });

  it('registers as a connection with ioredis’s client info', async () => {
    const cache = newCache();
    const redis = cache.createClient({ connectionName: 'named', clientInfoTag: 'test' });
    await redis.ping();
    const state = [...cache.clients.values()].find((c) => c.name === 'named')!;
    expect(state.libName).toBe('ioredis(test)');
    expect(state.libVersion).toMatch(/^5\./);
  });

  it('duplicate() opens another connection on the same cache', async () => {
    const cache = newCache();
    const redis = cache.createClient();
    const copy = redis.duplicate();
    await copy.set('shared', 'yes');
    expect(await redis.get('shared')).toBe('yes');
    expect(copy).not.toBe(redis);
    expect(copy.options.keyPrefix).toBe(redis.options.keyPrefix);
  });

  it('db: SELECT is sent at connect and its error is emitted (AMR has only db 0)', async () => {
    const cache = newCache();
    const redis = cache.createClient({ db: 2 });
    const error = await new Promise<Error>((resolve) => redis.once('error', resolve));
    expect(error.message).toMatch(/^ERR unknown command 'select'/);
  });

  it('defineCommand runs its script with keys prefixed, and the server caches it', async () => {
    const cache = newCache();
    const redis = cache.createClient({ keyPrefix: 'p:' });
    redis.defineCommand('myecho', { numberOfKeys: 1, lua: 'return {KEYS[1], ARGV[1]}' });
    const call = (redis as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>).myecho;
    expect(await call.call(redis, 'k', 'arg')).toEqual(['p:k', 'arg']);
    expect(await call.call(redis, 'k', 'again')).toEqual(['p:k', 'again']);
    // the script is now cached on the server, so EVALSHA finds it
    const sha = cache.execute(['SCRIPT', 'LOAD', 'return {KEYS[1], ARGV[1]}']) as string;
    expect(cache.execute(['SCRIPT', 'EXISTS', sha])).toEqual([1]);
  });

  it('a defineCommand error names the command as ioredis sent it: EVAL with the script first, EVALSHA after', async () => {
    // Found by the ioredis differential: ioredis turns its evalsha Command into an eval on a
    // connection that has not sent the script (Script.js), and the ReplyError's `command` says so.
    const lua = "return redis.call('INCR', KEYS[1])";
    const cache = newCache();
    const redis = cache.createClient({ keyPrefix: 'p:' });
    redis.defineCommand('bump', { numberOfKeys: 1, lua });
    cache.execute(['SET', 'p:k', 'text']);
    const bump = (redis as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>).bump;
    const first = (await bump.call(redis, 'k').catch((e: unknown) => e)) as Error & { command: unknown };
    expect(first.message).toMatch(/^ERR value is not an integer or out of range script: /);
    expect(first.command).toEqual({ name: 'eval', args: [lua, '1', 'p:k'] });
    const second = (await bump.call(redis, 'k').catch((e: unknown) => e)) as Error & { command: unknown };
    const sha = cache.execute(['SCRIPT', 'LOAD', lua]) as string;
    expect(second.command).toEqual({ name: 'evalsha', args: [sha, '1', 'p:k'] });
    // In a pipeline too.
    const [[error]] = (await redis.pipeline().call('SCRIPT', 'FLUSH').exec()) as unknown as [[Error | null]];
    expect(error).toBe(null);
    const [[third]] = (await (redis.pipeline() as unknown as Record<string, (...a: unknown[]) => { exec(): Promise<unknown> }>).bump('k').exec()) as [[Error & { command: unknown }]];
    expect(third.command).toEqual({ name: 'eval', args: [lua, '1', 'p:k'] });
  });

  it('a ReplyError has ioredis’s own properties only (command), with name on the prototype', async () => {
    // Found by the ioredis differential: redis-errors defines `name` as a prototype getter, so
    // Object.keys, spreading and deep equality see only `command`.
    const redis = newCache().createClient();
    const error = (await redis.call('NOSUCH').catch((e: unknown) => e)) as Error;
    expect(error.name).toBe('ReplyError');
    expect(Object.keys(error)).toEqual(['command']);
    expect({ ...error }).toEqual({ command: { name: 'NOSUCH', args: [] } });
  });

  it('scanStream pages through SCAN', async () => {
    const cache = newCache();
    const redis = cache.createClient();
    for (let i = 0; i < 25; i++) await redis.set(`scan:${i}`, 'v');
    await redis.set('other', 'v');
    const keys: string[] = [];
    for await (const batch of redis.scanStream({ match: 'scan:*', count: 5 })) keys.push(...(batch as string[]));
    expect(keys.sort()).toEqual(Array.from({ length: 25 }, (_, i) => `scan:${i}`).sort());
  });
});
