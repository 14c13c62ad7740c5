/**
 * Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH — queue-time rejections and EXECABORT,
 * run-time errors inside EXEC's reply, the exact errors of misplaced commands, WATCH broken by any
 * client's write, by expiry (lazy, active, or a watched key past its time at EXEC) and by flushes,
 * the slot rules of OSS and Enterprise checked at EXEC as a cluster node does, and blocking
 * commands inside a transaction. The live part replays multi-connection scripts on a private
 * redis-server (RESP2 and RESP3), checks the CROSSSLOT cases on the live cluster, and runs WATCH
 * with the real ioredis beside the emulator's client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import IORedis from 'ioredis';
import { ManagedRedis, type ManagedRedisOptions } from '../../src/managed-redis.js';
import type { Bytes } from '../../src/keyspace/bytes.js';
import { slotOfName } from '../../src/cluster/slots.js';
import { toTyped, type Typed } from '../support/oracle.js';
import { describeLive } from '../support/live.js';
import { RespClient } from '../support/resp-client.js';
import { privateServer } from './live-streams.js';

const T0 = 1_795_345_897_118;
const EXECABORT = ['-', 'EXECABORT Transaction discarded because of previous errors.'];
const CROSSSLOT = ['-', "CROSSSLOT Keys in request don't hash to the same slot"];
const OK = ['+', 'OK'];
const QUEUED = ['+', 'QUEUED'];
const NIL = ['_'];

function newCache(options: ManagedRedisOptions = {}): ManagedRedis {
  return new ManagedRedis({ clusterPolicy: 'NoCluster', clock: 'virtual', startTime: T0, activeExpiry: false, ...options });
}

function connection(cache: ManagedRedis, resp: 2 | 3 = 2) {
  const client = cache.openClient({ name: null });
  client.resp = resp;
  return {
    client,
    run(...argv: Bytes[]): Typed {
      try {
        return toTyped(cache.executeReply(argv, client), resp);
      } catch (error) {
        return ['-', (error as Error).message];
      }
    },
  };
}

describe('MULTI and EXEC', () => {
  it('queues, then runs back to back; run-time errors take their place in the reply', () => {
    const { run } = connection(newCache());
    expect(run('SET', 'list', 'x')).toEqual(OK);
    expect(run('MULTI')).toEqual(OK);
    expect(run('SET', 'a', '1')).toEqual(QUEUED);
    expect(run('LPUSH', 'list', 'v')).toEqual(QUEUED);
    expect(run('INCR', 'a')).toEqual(QUEUED);
    expect(run('GET', 'a')).toEqual(QUEUED);
    expect(run('GET', 'a')).toEqual(QUEUED);
    expect(run('EXEC')).toEqual([
      '*',
      [OK, ['-', 'WRONGTYPE Operation against a key holding the wrong kind of value'], [':', '2'], ['$', '2'], ['$', '2']],
    ]);
    expect(run('MULTI')).toEqual(OK);
    expect(run('EXEC')).toEqual(['*', []]);
  });

  it('answers misplaced commands with the server errors, without aborting the transaction', () => {
    const { run } = connection(newCache());
    expect(run('EXEC')).toEqual(['-', 'ERR EXEC without MULTI']);
    expect(run('DISCARD')).toEqual(['-', 'ERR DISCARD without MULTI']);
    run('MULTI');
    expect(run('MULTI')).toEqual(['-', 'ERR MULTI calls can not be nested']);
    expect(run('WATCH', 'a')).toEqual(['-', 'ERR WATCH inside MULTI is not allowed']);
    run('SET', 'a', '1');
    expect(run('EXEC')).toEqual(['*', [OK]]);
    run('MULTI');
    run('SET', 'a', '2');
    expect(run('DISCARD')).toEqual(OK);
    expect(run('GET', 'a')).toEqual(['$', '1']);
  });

  it('a command rejected while queueing aborts the transaction at EXEC', () => {
    const cache = newCache();
    const { run } = connection(cache);
    for (const bad of [['NOSUCH'], ['GET'], ['OBJECT', 'NOPE', 'k'], ['CONFIG']]) {
      run('MULTI');
      run('SET', 'a', 'changed');
      expect(run(...bad)[0]).toBe('-');
      run('SET', 'b', 'changed');
      expect(run('EXEC')).toEqual(EXECABORT);
      expect(run('GET', 'a')).toEqual(NIL);
    }
    // QUIT is never queued.
    run('MULTI');
    expect(run('QUIT')).toEqual(OK);
  });

  it('EXEC with arguments discards the transaction and its watched keys', () => {
    const cache = newCache();
    const a = connection(cache);
    a.run('WATCH', 'k');
    expect(a.run('EXEC', 'x')).toEqual(['-', "EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command"]);
    connection(cache).run('SET', 'k', '1');
    a.run('MULTI');
    expect(a.run('EXEC')).toEqual(['*', []]);
    a.run('MULTI');
    a.run('SET', 'k', '2');
    expect(a.run('EXEC', 'x')[1]).toMatch(/^EXECABORT Transaction discarded because of: /);
    expect(a.run('EXEC')).toEqual(['-', 'ERR EXEC without MULTI']);
    expect(a.run('GET', 'k')).toEqual(['$', '1']);
    expect(a.run('DISCARD', 'x')).toEqual(['-', "ERR wrong number of arguments for 'discard' command"]);
  });

  it('shows in CLIENT LIST (flag x, multi=<queued>) and counts the errors', () => {
    const cache = newCache();
    const { client, run } = connection(cache);
    run('MULTI');
    run('SET', 'a', '1');
    run('GET', 'a');
    expect(client.inMulti).toBe(true);
    const line = String(cache.execute(['CLIENT', 'LIST'])).split('\n').find((l) => l.startsWith(`id=${client.id} `))!;
    expect(line).toContain(' flags=x ');
    expect(line).toContain(' multi=2 ');
    run('DISCARD');
    expect(client.inMulti).toBe(false);
  });

  it('blocking commands inside MULTI answer at once, as their timed-out form', () => {
    const cache = newCache();
    const { client, run } = connection(cache);
    client.canBlock = true;
    run('MULTI');
    run('BLPOP', 'empty', '0');
    run('BRPOPLPUSH', 'empty', 'dst', '0');
    run('BZPOPMIN', 'empty', '0');
    expect(run('EXEC')).toEqual(['*', [NIL, NIL, NIL]]);
    expect(client.canBlock).toBe(true);
  });
});

describe('WATCH', () => {
  it('a write by any client breaks the transaction; nothing runs', () => {
    const cache = newCache();
    const a = connection(cache);
    const b = connection(cache);
    a.run('SET', 'k', '1');
    a.run('WATCH', 'k');
    b.run('SET', 'k', '1'); // same value: still a change
    a.run('MULTI');
    a.run('SET', 'k', '2');
    expect(a.run('EXEC')).toEqual(NIL);
    expect(a.run('EXEC')).toEqual(['-', 'ERR EXEC without MULTI']);
    expect(a.run('GET', 'k')).toEqual(['$', '1']);
    // The watch ended with EXEC.
    a.run('MULTI');
    a.run('SET', 'k', '3');
    expect(a.run('EXEC')).toEqual(['*', [OK]]);
  });

  it('renders the aborted EXEC as a null array in RESP2 and a null in RESP3', () => {
    const cache = newCache();
    const a = connection(cache);
    a.run('WATCH', 'k');
    connection(cache).run('SET', 'k', '1');
    a.run('MULTI');
    const reply = cache.executeReply(['EXEC'], a.client);
    expect(toTyped(reply, 2)).toEqual(NIL);
    expect(String(cache.execute(['INFO', 'clients']))).toContain('watching_clients:0');
  });

  it('own writes before MULTI count; reads, failed writes and other keys do not', () => {
    const cache = newCache();
    const a = connection(cache);
    const b = connection(cache);
    a.run('WATCH', 'k');
    a.run('SET', 'k', 'x');
    a.run('MULTI');
    expect(a.run('EXEC')).toEqual(NIL);
    a.run('WATCH', 'k', 'other');
    b.run('GET', 'k');
    b.run('LPUSH', 'k', 'v'); // WRONGTYPE: no change
    b.run('SET', 'unrelated', '1');
    b.run('DEL', 'missing');
    a.run('MULTI');
    a.run('GET', 'k');
    expect(a.run('EXEC')).toEqual(['*', [['$', 'x']]]);
  });

  it('a watched key that is created, or deleted, breaks it', () => {
    const cache = newCache();
    const a = connection(cache);
    const b = connection(cache);
    a.run('WATCH', 'new');
    b.run('SET', 'new', '1');
    b.run('DEL', 'new');
    a.run('MULTI');
    expect(a.run('EXEC')).toEqual(NIL);
  });

  it('INFO counts watching clients and watched keys', () => {
    const cache = newCache();
    connection(cache).run('WATCH', 'a', 'b');
    connection(cache).run('WATCH', 'b', 'c');
    const info = String(cache.execute(['INFO', 'clients']));
    expect(info).toContain('watching_clients:2\r\n');
    expect(info).toContain('total_watched_keys:3\r\n');
  });

  it('UNWATCH and DISCARD forget the watched keys', () => {
    const cache = newCache();
    const a = connection(cache);
    const b = connection(cache);
    a.run('WATCH', 'k');
    expect(a.client.watching).toBe(1);
    a.run('UNWATCH');
    expect(a.client.watching).toBe(0);
    b.run('SET', 'k', '1');
    a.run('MULTI');
    expect(a.run('EXEC')).toEqual(['*', []]);
    a.run('WATCH', 'k');
    a.run('MULTI');
    a.run('DISCARD');
    b.run('SET', 'k', '2');
    a.run('MULTI');
    expect(a.run('EXEC')).toEqual(['*', []]);
  });

  it('expiry breaks it: lazy, active, or a watched key past its time at EXEC', () => {
    const cache = newCache();
    const a = connection(cache);
    const b = connection(cache);
    // Past its time at EXEC, never collected: EXEC checks (Redis's isWatchedKeyExpired).
    a.run('SET', 'k', '1', 'PX', '100');
    a.run('WATCH', 'k');
    cache.clock.advance(200);
    a.run('MULTI');
    expect(a.run('EXEC')).toEqual(NIL);
    // Collected lazily by another client's read.
    a.run('SET', 'k', '1', 'PX', '100');
    a.run('WATCH', 'k');
    cache.clock.advance(200);
    b.run('GET', 'k');
    a.run('MULTI');
    expect(a.run('EXEC')).toEqual(NIL);
    // Collected by active expiry.
    const active = newCache({ activeExpiry: true });
    const c = connection(active);
    c.run('SET', 'k', '1', 'PX', '100');
    c.run('WATCH', 'k');
    active.clock.advance(1000);
    expect(active.shards[0].keyspace.holds('k')).toBe(false);
    c.run('MULTI');
    expect(c.run('EXEC')).toEqual(NIL);
    active.close();
  });

  it('a key already expired when watched is not changed by its removal, only by a new value', () => {
    const cache = newCache();
    const a = connection(cache);
    const b = connection(cache);
    a.run('SET', 'k', '1', 'PX', '100');
    cache.clock.advance(200);
    a.run('WATCH', 'k');
    b.run('GET', 'k'); // collects it
    a.run('MULTI');
    expect(a.run('EXEC')).toEqual(['*', []]);
    a.run('SET', 'k', '1', 'PX', '100');
    cache.clock.advance(200);
    a.run('WATCH', 'k');
    b.run('SET', 'k', 'new');
    a.run('MULTI');
    expect(a.run('EXEC')).toEqual(NIL);
  });

  it('FLUSHALL breaks it for keys that existed', () => {
    const cache = newCache();
    const a = connection(cache);
    const b = connection(cache);
    a.run('WATCH', 'missing');
    b.run('FLUSHALL');
    a.run('MULTI');
    expect(a.run('EXEC')).toEqual(['*', []]);
    a.run('SET', 'k', '1');
    a.run('WATCH', 'k');
    b.run('FLUSHALL');
    a.run('MULTI');
    expect(a.run('EXEC')).toEqual(NIL);
  });

  it('a dirty transaction keeps no more commands, which EXEC\'s slot check then does not see', () => {
    const cache = newCache({ clusterPolicy: 'OSS' });
    const a = connection(cache);
    a.run('WATCH', 'k');
    connection(cache).run('SET', 'k', '1');
    a.run('MULTI');
    expect(a.run('SET', 'k', '2')).toEqual(QUEUED);
    expect(a.run('SET', 'other', '2')).toEqual(QUEUED);
    expect(slotOfName('k')).not.toBe(slotOfName('other'));
    expect(a.run('EXEC')).toEqual(NIL);
  });

  it('a closed connection stops watching', () => {
    const cache = newCache();
    const a = connection(cache);
    a.run('WATCH', 'k');
    cache.closeClient(a.client);
    expect(a.client.watching).toBe(0);
    expect(a.client.watch).toBeNull();
  });
});

describe('slot rules', () => {
  const [k1, k2] = ['a', 'b'];
  it('under OSS and Enterprise every key of the transaction shares one slot (CROSSSLOT at EXEC)', () => {
    expect(slotOfName(k1)).not.toBe(slotOfName(k2));
    for (const clusterPolicy of ['OSS', 'Enterprise'] as const) {
      const { run } = connection(newCache({ clusterPolicy }));
      run('MULTI');
      expect(run('SET', k1, '1')).toEqual(QUEUED);
      expect(run('SET', k2, '1')).toEqual(QUEUED);
      expect(run('EXEC')).toEqual(CROSSSLOT);
      expect(run('GET', k1)).toEqual(NIL);
      run('MULTI');
      run('SET', '{t}a', '1');
      run('SET', '{t}b', '2');
      run('PING');
      expect(run('EXEC')).toEqual(['*', [OK, OK, ['+', 'PONG']]]);
    }
  });

  it('one command crossing slots is rejected while queueing (EXECABORT), except what Enterprise merges', () => {
    const oss = connection(newCache({ clusterPolicy: 'OSS' }));
    oss.run('MULTI');
    expect(oss.run('MGET', k1, k2)).toEqual(CROSSSLOT);
    expect(oss.run('EXEC')).toEqual(EXECABORT);
    const enterprise = connection(newCache({ clusterPolicy: 'Enterprise' }));
    enterprise.run('MULTI');
    expect(enterprise.run('MGET', k1, k2)).toEqual(QUEUED);
    expect(enterprise.run('EXEC')).toEqual(CROSSSLOT);
  });

  it('CROSSSLOT comes before EXECABORT for what was queued before the rejection, after it otherwise', () => {
    const { run } = connection(newCache({ clusterPolicy: 'OSS' }));
    run('MULTI');
    run('SET', k1, '1');
    run('SET', k2, '1');
    run('NOSUCH');
    expect(run('EXEC')).toEqual(CROSSSLOT);
    run('MULTI');
    run('SET', k1, '1');
    run('NOSUCH');
    run('SET', k2, '1');
    expect(run('EXEC')).toEqual(EXECABORT);
  });

  it('NoCluster has no slot rule', () => {
    const { run } = connection(newCache({ clusterPolicy: 'NoCluster' }));
    run('MULTI');
    run('MSET', k1, '1', k2, '2');
    run('MGET', k1, k2);
    expect(run('EXEC')).toEqual(['*', [OK, ['*', [['$', '1'], ['$', '2']]]]]);
  });

  it('WATCH keys obey the slot rules of one command', () => {
    const { run } = connection(newCache({ clusterPolicy: 'OSS' }));
    expect(run('WATCH', k1, k2)).toEqual(CROSSSLOT);
    expect(run('WATCH', '{t}a', '{t}b')).toEqual(OK);
  });
});

describe('the ioredis-compatible client', () => {
  it('multi() and watch() resolve as ioredis does: pairs, null when a watched key changed', async () => {
    const cache = newCache();
    const redis = cache.createClient();
    const other = cache.createClient();
    expect(await redis.multi().set('a', '1').incr('a').exec()).toEqual([
      [null, 'OK'],
      [null, 2],
    ]);
    await redis.watch('a');
    await other.set('a', '5');
    expect(await redis.multi().incr('a').exec()).toBeNull();
    expect(await redis.multi({ pipeline: false })).toBe('OK');
    expect(await redis.incr('a')).toBe('QUEUED');
    expect(await redis.exec()).toEqual([[null, 6]]);
  });
});

// ---------------------------------------------------------------------------------------------
// Live comparisons

/** `[connection, argv]`; `SLEEP ms` waits (live) or advances the virtual clock (emulator). */
type Script = Array<[number, Bytes[]]>;

const SCRIPTS: Record<string, Script> = {
  'queueing, errors and EXECABORT': [
    [0, ['MULTI']], [0, ['SET', 'a', '1']], [0, ['NOSUCH', 'x']], [0, ['GET']], [0, ['SET', 'b', '2']], [0, ['EXEC']],
    [0, ['GET', 'a']], [0, ['MULTI']], [0, ['MULTI']], [0, ['WATCH', 'a']], [0, ['SET', 'a', '1']], [0, ['LPUSH', 'a', 'x']],
    [0, ['INCR', 'a']], [0, ['EXEC']], [0, ['EXEC']], [0, ['DISCARD']], [0, ['MULTI']], [0, ['OBJECT', 'NOPE']],
    [0, ['EXEC']], [0, ['MULTI']], [0, ['EXEC', 'x']], [0, ['EXEC']], [0, ['DISCARD', 'x']], [0, ['MULTI', 'x']],
    [0, ['UNWATCH', 'x']], [0, ['WATCH']],
  ],
  'WATCH across connections': [
    [0, ['SET', 'k', '1']], [0, ['WATCH', 'k', 'other']], [1, ['SET', 'k', '1']], [0, ['MULTI']], [0, ['SET', 'k', '2']],
    [0, ['EXEC']], [0, ['GET', 'k']], [0, ['WATCH', 'k']], [1, ['GET', 'k']], [1, ['SET', 'unrelated', '1']],
    [0, ['MULTI']], [0, ['INCR', 'k']], [0, ['EXEC']], [0, ['WATCH', 'k']], [0, ['UNWATCH']], [1, ['DEL', 'k']],
    [0, ['MULTI']], [0, ['EXEC']], [0, ['WATCH', 'nokey']], [1, ['SET', 'nokey', '1']], [0, ['MULTI']], [0, ['EXEC']],
    [0, ['WATCH', 'k']], [0, ['EXEC', 'x']], [1, ['SET', 'k', '9']], [0, ['MULTI']], [0, ['EXEC']],
  ],
  'WATCH and expiry': [
    [0, ['SET', 'k', '1', 'PX', '100']], [0, ['WATCH', 'k']], [0, ['SLEEP', '300']], [0, ['MULTI']], [0, ['EXEC']],
    [0, ['SET', 'j', '1', 'PX', '100']], [0, ['SLEEP', '300']], [0, ['WATCH', 'j']], [1, ['GET', 'j']], [0, ['MULTI']],
    [0, ['EXEC']], [0, ['WATCH', 'j']], [1, ['SET', 'j', 'x']], [0, ['MULTI']], [0, ['EXEC']],
  ],
  'WATCH and FLUSHALL': [
    [0, ['SET', 'k', '1']], [0, ['WATCH', 'k']], [1, ['FLUSHALL']], [0, ['MULTI']], [0, ['EXEC']],
    [0, ['WATCH', 'gone']], [1, ['FLUSHALL']], [0, ['MULTI']], [0, ['EXEC']],
  ],
  'blocking commands inside MULTI': [
    [0, ['MULTI']], [0, ['BLPOP', 'empty', '0']], [0, ['BLMOVE', 'empty', 'd', 'LEFT', 'LEFT', '0']],
    [0, ['BZPOPMAX', 'empty', '0']], [0, ['RPUSH', 'l', 'x']], [0, ['BRPOP', 'l', '0']], [0, ['EXEC']],
  ],
};

describeLive('transactions against a live redis-server', (redis) => {
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
        const live = await Promise.all(Array.from({ length: count }, () => RespClient.connect(server.port)));
        const cache = newCache({ evictionPolicy: 'noeviction', activeExpiry: true });
        const emulated = Array.from({ length: count }, () => connection(cache, resp));
        try {
          await live[0].call(['FLUSHALL']);
          for (const c of live) await c.hello(resp);
          const differences: string[] = [];
          for (const [index, [conn, argv]] of script.entries()) {
            if (argv[0] === 'SLEEP') {
              await new Promise((resolve) => setTimeout(resolve, Number(argv[1])));
              cache.clock.advance(Number(argv[1]));
              continue;
            }
            const expected = await live[conn].call(argv);
            const actual = emulated[conn].run(...argv);
            if (JSON.stringify(expected) !== JSON.stringify(actual)) {
              differences.push(`step ${index} ${JSON.stringify(argv.map(String))}: live ${JSON.stringify(expected)} emulator ${JSON.stringify(actual)}`);
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

  it('cluster: CROSSSLOT at EXEC and at queue time, as a cluster node answers', async () => {
    // Two keys in different slots served by one node (no MOVED), and a hash-tagged pair.
    const prefix = `tx-live:${process.pid}:${Date.now()}:`;
    const nodes = await Promise.all(redis.cluster.ports.map((port) => RespClient.connect(port, redis.host)));
    try {
      const slots = (await nodes[0].call(['CLUSTER', 'SLOTS']))[1] as Typed[];
      const ranges = slots.map((range) => {
        const [from, to, node] = range[1] as Typed[];
        return { from: Number(from[1]), to: Number(to[1]), port: Number((node[1] as Typed[])[1][1]) };
      });
      const portOf = (key: string) => ranges.find((r) => slotOfName(key) >= r.from && slotOfName(key) <= r.to)!.port;
      const k1 = `${prefix}a`;
      let k2 = '';
      for (let i = 0; k2 === ''; i++) {
        const candidate = `${prefix}b${i}`;
        if (portOf(candidate) === portOf(k1) && slotOfName(candidate) !== slotOfName(k1)) k2 = candidate;
      }
      const node = nodes[redis.cluster.ports.indexOf(portOf(k1))];
      const tagged = [`{${k1}}x`, `{${k1}}y`];
      const steps: Bytes[][] = [
        ['MULTI'], ['SET', k1, '1'], ['SET', k2, '1'], ['EXEC'],
        ['MULTI'], ['SET', k1, '1'], ['SET', k2, '1'], ['NOSUCH'], ['EXEC'],
        ['MULTI'], ['SET', k1, '1'], ['NOSUCH'], ['SET', k2, '1'], ['EXEC'],
        ['MULTI'], ['MGET', k1, k2], ['EXEC'],
        ['WATCH', k1, k2], ['WATCH', ...tagged],
        ['MULTI'], ['SET', tagged[0], '1'], ['SET', tagged[1], '2'], ['MGET', ...tagged], ['EXEC'],
        ['DEL', ...tagged],
      ];
      const { run } = connection(newCache({ clusterPolicy: 'OSS' }));
      const differences: string[] = [];
      for (const step of steps) {
        const expected = await node.call(step);
        const actual = run(...step);
        if (JSON.stringify(expected) !== JSON.stringify(actual)) {
          differences.push(`${JSON.stringify(step)}: live ${JSON.stringify(expected)} emulator ${JSON.stringify(actual)}`);
        }
      }
      expect(differences).toEqual([]);
    } finally {
      for (const n of nodes) n.close();
    }
  });

  it('WATCH with ioredis and with the emulator client resolve the same', async () => {
    const scenario = async (a: any, b: any): Promise<unknown[]> => {
      const log: unknown[] = [];
      // Errors inside results compared by name and message (ioredis's ReplyError keeps its name on the prototype).
      const plain = (value: unknown): unknown =>
        value instanceof Error ? { name: value.name, message: value.message } : Array.isArray(value) ? value.map(plain) : value;
      const settle = async (p: Promise<unknown>) => {
        try {
          log.push(['ok', plain(await p)]);
        } catch (error) {
          log.push(['error', (error as Error).message, ((error as { previousErrors?: Error[] }).previousErrors ?? []).map((e) => e.message)]);
        }
      };
      await settle(a.del('w1', 'w2'));
      await settle(a.watch('w1'));
      await settle(b.set('w1', 'x'));
      await settle(a.multi().set('w1', 'mine').get('w1').exec());
      await settle(a.watch('w1', 'w2'));
      await settle(a.multi().set('w2', '1').incr('w2').get('w1').exec());
      await settle(a.multi().set('w1', '1').call('nosuch').exec());
      await settle(a.multi().lpush('w1', 'x').set('w2', '7').exec());
      await settle(a.watch('w1'));
      await settle(a.unwatch());
      await settle(b.del('w1'));
      await settle(a.multi().get('w1').exec());
      await settle(a.del('w1', 'w2'));
      return log;
    };
    const realA = new IORedis(server.port, '127.0.0.1');
    const realB = new IORedis(server.port, '127.0.0.1');
    const cache = newCache();
    try {
      const expected = await scenario(realA, realB);
      const actual = await scenario(cache.createClient(), cache.createClient());
      expect(actual).toEqual(expected);
    } finally {
      realA.disconnect();
      realB.disconnect();
      cache.close();
    }
  });
});
