/**
 * Real clients over TCP against the RESP server: node-redis v5 (RESP2 and RESP3), ioredis and
 * redis-cli, each with its own reply handling; plus the connection behaviours a socket adds —
 * AUTH with the access key, a blocked command holding back later replies, CLIENT KILL closing
 * the socket, a failover dropping it, back-pressure and the pub/sub output limit.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { connect } from 'node:net';
import { createClient, createCluster, ErrorReply, WatchError } from 'redis';
import IORedis from 'ioredis';
import { ManagedRedis } from '../../src/index.js';
import type { RespServer } from '../../src/server/server.js';
import { until } from '../support/until.js';
import { RawConnection } from '../support/raw-socket.js';
import { encodeCommand } from '../support/resp-client.js';

const run = promisify(execFile);

/** True while some client waits in a blocking command (INFO `blocked_clients`). */
function someoneBlocked(cache: ManagedRedis): boolean {
  return !/blocked_clients:0\r\n/.test(String(cache.execute(['INFO', 'clients'])));
}

/** A NoCluster cache served over TCP for one describe block: opened before its tests, closed after. */
function serveForBlock(assign: (cache: ManagedRedis, server: RespServer) => void): void {
  let cache: ManagedRedis;
  let server: RespServer;
  beforeAll(async () => {
    cache = new ManagedRedis({ clusterPolicy: 'NoCluster' });
    server = await cache.listen();
    assign(cache, server);
  });
  afterAll(async () => {
    await server.close();
    cache.close();
  });
}

describe('node-redis over TCP', () => {
  let cache: ManagedRedis;
  let server: RespServer;
  serveForBlock((c, s) => ((cache = c), (server = s)));

  for (const RESP of [2, 3] as const) {
    describe(`RESP${RESP}`, () => {
      const clients: Array<{ destroy(): void; isOpen: boolean }> = [];
      const open = async () => {
        const client = createClient({ url: server.url, RESP });
        client.on('error', () => {});
        await client.connect();
        clients.push(client);
        return client;
      };
      afterEach(async () => {
        for (const client of clients.splice(0)) if (client.isOpen) client.destroy();
      });
      const k = (name: string) => `node-redis:${RESP}:${name}`;

      it('strings, counters and binary values', async () => {
        const client = await open();
        expect(await client.set(k('s'), 'héllo')).toBe('OK');
        expect(await client.get(k('s'))).toBe('héllo');
        expect(await client.get(k('missing'))).toBeNull();
        expect(await client.incrBy(k('n'), 5)).toBe(5);
        expect(await client.mGet([k('s'), k('missing')])).toEqual(['héllo', null]);
        const bytes = Buffer.from([0, 0xff, 0x0d, 0x0a]);
        await client.set(k('bin'), bytes);
        const got = await client.withTypeMapping({ [RESP === 3 ? 36 : 36]: Buffer }).get(k('bin'));
        expect(Buffer.isBuffer(got) && got.equals(bytes)).toBe(true);
      });

      it('a 20 MB value round-trips', async () => {
        const client = await open();
        const big = 'v'.repeat(20 * 1024 * 1024);
        expect(await client.set(k('big'), big)).toBe('OK');
        expect(await client.strLen(k('big'))).toBe(big.length);
        expect((await client.get(k('big')))?.length).toBe(big.length);
        await client.del(k('big'));
      });

      it('HGETALL is an object, __proto__ included as data', async () => {
        const client = await open();
        await client.hSet(k('h'), { f: 'v', g: 'w' });
        await client.hSet(k('h'), '__proto__', 'p');
        const all = await client.hGetAll(k('h'));
        expect({ ...all }).toEqual({ f: 'v', g: 'w', ['__proto__']: 'p' });
        expect(Object.prototype.hasOwnProperty.call(all, '__proto__')).toBe(true);
      });

      it('sorted sets with scores', async () => {
        const client = await open();
        await client.zAdd(k('z'), [
          { score: 1.5, value: 'a' },
          { score: 2, value: 'b' },
        ]);
        expect(await client.zRangeWithScores(k('z'), 0, -1)).toEqual([
          { value: 'a', score: 1.5 },
          { value: 'b', score: 2 },
        ]);
        expect(await client.zScore(k('z'), 'a')).toBe(1.5);
        expect(await client.zIncrBy(k('z'), 0.25, 'b')).toBe(2.25);
      });

      it('multi() runs a transaction; WATCH aborts it when another client writes', async () => {
        const client = await open();
        expect(await client.multi().set(k('m'), '1').incr(k('m')).get(k('m')).exec()).toEqual(['OK', 2, '2']);
        const other = await open();
        await client.watch(k('w'));
        await other.set(k('w'), 'changed');
        await expect(client.multi().set(k('w'), 'mine').exec()).rejects.toBeInstanceOf(WatchError);
        expect(await client.get(k('w'))).toBe('changed');
      });

      it('pub/sub with a duplicate client', async () => {
        const client = await open();
        const subscriber = client.duplicate();
        subscriber.on('error', () => {});
        await subscriber.connect();
        clients.push(subscriber);
        const received: string[][] = [];
        await subscriber.subscribe(k('ch'), (message, channel) => received.push([channel, message]));
        await subscriber.pSubscribe(`${k('')}p*`, (message, channel) => received.push(['p', channel, message]));
        expect(await client.publish(k('ch'), 'hello')).toBe(1);
        expect(await client.publish(k('pattern'), 'world')).toBe(1);
        await until(() => received.length === 2, 'both messages');
        expect(received).toEqual([
          [k('ch'), 'hello'],
          ['p', k('pattern'), 'world'],
        ]);
        await subscriber.unsubscribe(k('ch'));
        expect(await client.publish(k('ch'), 'gone')).toBe(0);
      });

      it('a blocking blPop is released by a push from another client', async () => {
        const client = await open();
        const blocker = await open();
        const popped = blocker.blPop(k('queue'), 0);
        await until(() => someoneBlocked(cache), 'the BLPOP to block');
        expect(await client.rPush(k('queue'), 'job')).toBe(1);
        expect(await popped).toEqual({ key: k('queue'), element: 'job' });
        expect(await client.lLen(k('queue'))).toBe(0);
      });

      it('error replies carry the server text (WRONGTYPE, unknown command, arity)', async () => {
        const client = await open();
        await client.hSet(k('hash'), 'f', 'v');
        const wrong = await client.incr(k('hash')).catch((error: unknown) => error);
        expect(wrong).toBeInstanceOf(ErrorReply);
        expect((wrong as Error).message).toBe('WRONGTYPE Operation against a key holding the wrong kind of value');
        await expect(client.sendCommand(['NOSUCH', 'x'])).rejects.toThrow("ERR unknown command 'NOSUCH', with args beginning with: 'x' ");
        await expect(client.sendCommand(['GET'])).rejects.toThrow("ERR wrong number of arguments for 'get' command");
      });

      it('sendCommand, CLIENT SETNAME/GETNAME/ID/LIST and HELLO', async () => {
        const client = await open();
        expect(await client.sendCommand(['PING'])).toBe('PONG');
        expect(await client.sendCommand(['ECHO', 'x'])).toBe('x');
        expect(await client.clientSetName(`node-redis-${RESP}`)).toBe('OK');
        expect(await client.clientGetName()).toBe(`node-redis-${RESP}`);
        const id = await client.clientId();
        const list = await client.clientList();
        const me = list.find((c) => c.id === id);
        expect(me).toMatchObject({ name: `node-redis-${RESP}`, libName: 'node-redis', resp: RESP });
        expect(me?.addr).toMatch(/^127\.0\.0\.1:\d+$/);
      });
    });
  }

  it('AUTH with the access key in the URL; a wrong key is refused with WRONGPASS', async () => {
    const secured = new ManagedRedis({ clusterPolicy: 'NoCluster', accessKey: 's3cret' });
    const secure = await secured.listen();
    try {
      const good = createClient({ url: `redis://default:s3cret@127.0.0.1:${secure.port}`, RESP: 3 });
      await good.connect();
      expect(await good.ping()).toBe('PONG');
      await good.close();
      const bad = createClient({ url: `redis://default:wrong@127.0.0.1:${secure.port}`, socket: { reconnectStrategy: false } });
      bad.on('error', () => {});
      await expect(bad.connect()).rejects.toThrow('WRONGPASS invalid username-password pair or user is disabled.');
      const anonymous = createClient({ url: `redis://127.0.0.1:${secure.port}` });
      anonymous.on('error', () => {});
      await anonymous.connect();
      await expect(anonymous.get('k')).rejects.toThrow('NOAUTH Authentication required.');
      await anonymous.close();
    } finally {
      await secure.close();
      secured.close();
    }
  });
});

describe('ioredis and redis-cli over TCP', () => {
  let cache: ManagedRedis;
  let server: RespServer;
  serveForBlock((c, s) => ((cache = c), (server = s)));

  it('ioredis: commands, pipeline, multi, hgetall, blpop and pub/sub', async () => {
    const redis = new IORedis(server.port, '127.0.0.1', { lazyConnect: true });
    const sub = new IORedis(server.url, { lazyConnect: true });
    await redis.connect();
    await sub.connect();
    try {
      expect(await redis.set('io:k', 'v')).toBe('OK');
      expect(await redis.get('io:k')).toBe('v');
      expect(await redis.pipeline().incr('io:n').incr('io:n').get('io:n').exec()).toEqual([
        [null, 1],
        [null, 2],
        [null, '2'],
      ]);
      expect(await redis.multi().set('io:m', 'x').get('io:m').exec()).toEqual([
        [null, 'OK'],
        [null, 'x'],
      ]);
      await redis.hset('io:h', { a: '1', b: '2' });
      expect(await redis.hgetall('io:h')).toEqual({ a: '1', b: '2' });
      await expect(redis.lpush('io:h', 'x')).rejects.toThrow('WRONGTYPE Operation against a key holding the wrong kind of value');
      const messages: string[] = [];
      sub.on('message', (channel: string, message: string) => messages.push(`${channel}:${message}`));
      await sub.subscribe('io:ch');
      expect(await redis.publish('io:ch', 'hi')).toBe(1);
      await until(() => messages.length === 1, 'the message');
      expect(messages).toEqual(['io:ch:hi']);
      const blocker = redis.duplicate();
      const popped = blocker.blpop('io:q', 0);
      await until(() => someoneBlocked(cache), 'the BLPOP to block');
      await redis.rpush('io:q', 'job');
      expect(await popped).toEqual(['io:q', 'job']);
      blocker.disconnect();
    } finally {
      redis.disconnect();
      sub.disconnect();
    }
  });

  it('redis-cli: arguments, RESP3, and lines from stdin', async () => {
    const cli = (...args: string[]) => run('redis-cli', ['-p', String(server.port), ...args]).then((r) => r.stdout);
    expect(await cli('SET', 'cli:k', 'hello world')).toBe('OK\n');
    expect(await cli('GET', 'cli:k')).toBe('hello world\n');
    expect(await cli('--no-raw', 'HGETALL', 'cli:missing')).toBe('(empty array)\n');
    await cli('HSET', 'cli:h', 'f', 'v');
    expect(await cli('-3', '--no-raw', 'HGETALL', 'cli:h')).toBe('1# "f" => "v"\n');
    expect(await cli('--no-raw', 'INCR', 'cli:k')).toBe('(error) ERR value is not an integer or out of range\n');
    const piped = await new Promise<string>((resolve, reject) => {
      const child = execFile('redis-cli', ['-p', String(server.port)], (error, stdout) => (error ? reject(error) : resolve(stdout)));
      child.stdin!.end('SET cli:p "a b"\nGET cli:p\n');
    });
    expect(piped).toBe('OK\na b\n');
  });
});

describe('connection behaviours', () => {
  let cache: ManagedRedis;
  let server: RespServer;
  serveForBlock((c, s) => ((cache = c), (server = s)));

  it('a blocked command holds back the replies to the requests pipelined after it', async () => {
    const conn = await RawConnection.connect(server.port);
    conn.send(Buffer.concat([encodeCommand(['BLPOP', 'held:q', '0']), encodeCommand(['PING']), encodeCommand(['ECHO', 'after'])]));
    await until(() => someoneBlocked(cache), 'the BLPOP to block');
    expect((await conn.pending(20)).length).toBe(0);
    cache.execute(['RPUSH', 'held:q', 'v']);
    expect((await conn.read(3)).toString()).toBe('*2\r\n$6\r\nheld:q\r\n$1\r\nv\r\n+PONG\r\n$5\r\nafter\r\n');
    conn.close();
  });

  it('a client that disconnects while blocked stops waiting (the next push is not lost)', async () => {
    const conn = await RawConnection.connect(server.port);
    conn.send(encodeCommand(['BLPOP', 'gone:q', '0']));
    await until(() => someoneBlocked(cache), 'the BLPOP to block');
    conn.close();
    await until(() => !someoneBlocked(cache), 'the wait to end');
    cache.execute(['RPUSH', 'gone:q', 'kept']);
    expect(cache.execute(['LRANGE', 'gone:q', '0', '-1'])).toEqual(['kept']);
  });

  it('CLIENT KILL closes the victim socket; killing itself answers first', async () => {
    const victim = await RawConnection.connect(server.port);
    victim.send(encodeCommand(['CLIENT', 'ID']));
    const id = /:(\d+)/.exec((await victim.read()).toString())![1];
    const killer = await RawConnection.connect(server.port);
    killer.send(encodeCommand(['CLIENT', 'KILL', 'ID', id]));
    expect((await killer.read()).toString()).toBe(':1\r\n');
    expect((await victim.readUntilClosed()).length).toBe(0);
    // From the synchronous facade too.
    const other = await RawConnection.connect(server.port);
    other.send(encodeCommand(['CLIENT', 'ID']));
    const otherId = /:(\d+)/.exec((await other.read()).toString())![1];
    expect(cache.execute(['CLIENT', 'KILL', 'ID', otherId])).toBe(1);
    await other.readUntilClosed();
    // Old form on itself: +OK, then closed.
    killer.send(encodeCommand(['CLIENT', 'INFO']));
    const addr = / addr=(\S+)/.exec((await killer.read()).toString())![1];
    killer.send(encodeCommand(['CLIENT', 'KILL', addr]));
    expect((await killer.readUntilClosed()).toString()).toBe('+OK\r\n');
    await until(() => server.connections === 0, 'every session to be gone');
  });

  it('QUIT answers +OK and closes; HELLO 3 switches the replies to RESP3', async () => {
    const conn = await RawConnection.connect(server.port);
    conn.send(encodeCommand(['HELLO', '3', 'SETNAME', 'raw']));
    expect((await conn.read()).toString()).toMatch(/^%7\r\n/);
    conn.send(encodeCommand(['CLIENT', 'GETNAME']));
    expect((await conn.read()).toString()).toBe('$3\r\nraw\r\n');
    conn.send(encodeCommand(['GET', 'no:such:key']));
    expect((await conn.read()).toString()).toBe('_\r\n');
    conn.send(Buffer.concat([encodeCommand(['QUIT']), encodeCommand(['PING'])]));
    expect((await conn.readUntilClosed()).toString()).toBe('+OK\r\n');
  });

  it('a client that stops reading pauses its connection instead of growing the output buffer', async () => {
    const value = 256 * 1024;
    cache.execute(['SET', 'big', 'x'.repeat(value)]);
    const requests = 200; // 50 MB of replies: far more than the socket buffers hold
    const expectedBytes = requests * (value + `$${value}\r\n\r\n`.length);
    const socket = connect({ port: server.port, host: '127.0.0.1' });
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.pause();
    const before = cache.stats.commandsProcessed;
    socket.write(Buffer.concat(Array.from({ length: requests }, () => encodeCommand(['GET', 'big']))));
    // Wait until the server stops making progress, then check it stopped well short.
    let last = -1;
    await until(() => {
      const now = cache.stats.commandsProcessed;
      const stable = now === last && now > before;
      last = now;
      return stable;
    }, 'processing to stall');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(cache.stats.commandsProcessed - before).toBeLessThan(requests);
    let received = 0;
    const done = new Promise<void>((resolve) =>
      socket.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received >= expectedBytes) resolve();
      }),
    );
    socket.resume();
    await done;
    expect(received).toBe(expectedBytes);
    expect(cache.stats.commandsProcessed - before).toBe(requests);
    socket.destroy();
  });

  it.each([2, 3])('a RESP%i subscriber that does not read is disconnected past the pub/sub output limit (32 MB)', async (resp) => {
    const conn = await RawConnection.connect(server.port);
    conn.send(Buffer.concat([encodeCommand(['HELLO', String(resp)]), encodeCommand(['SUBSCRIBE', 'flood'])]));
    await conn.read(2);
    conn.raw.pause();
    const payload = 'y'.repeat(1024 * 1024);
    let delivered = 0;
    for (let i = 0; i < 64; i++) delivered += cache.execute(['PUBLISH', 'flood', payload]) as number;
    expect(delivered).toBeGreaterThan(0);
    await until(() => cache.execute(['PUBSUB', 'NUMSUB', 'flood'])?.toString() === 'flood,0', 'the subscriber to be dropped');
    conn.close();
  });
});

describe('failover over TCP', () => {
  it('a failover closes the sockets that reach the shard; a blocked command gets no reply', async () => {
    const cache = new ManagedRedis({ clock: 'virtual', seed: 3 });
    const server = await cache.listen();
    try {
      const blocked = await RawConnection.connect(server.port);
      blocked.send(encodeCommand(['BLPOP', 'failover:q', '0']));
      await until(() => someoneBlocked(cache), 'the BLPOP to block');
      const idle = await RawConnection.connect(server.port);
      idle.send(encodeCommand(['PING']));
      expect((await idle.read()).toString()).toBe('+PONG\r\n');
      const slot = cache.execute(["CLUSTER", "KEYSLOT", "failover:q"]) as number;
      const shard = cache.topology.shards.findIndex((s) => s.slots.some(([from, to]) => slot >= from && slot <= to));
      cache.faults.failNode(cache.topology.shards[shard].primaryNode);
      expect((await blocked.readUntilClosed()).length).toBe(0);
      expect((await idle.readUntilClosed()).length).toBe(0);
      // A new connection is accepted; a command for the failing shard closes it (AMR refuses it).
      const fresh = await RawConnection.connect(server.port);
      fresh.send(encodeCommand(['GET', 'failover:q']));
      expect((await fresh.readUntilClosed()).length).toBe(0);
      cache.clock.advance(15_000); // the replica is promoted
      const after = await RawConnection.connect(server.port);
      after.send(encodeCommand(['LPUSH', 'failover:q', 'v']));
      expect((await after.read()).toString()).toBe(':1\r\n');
      after.close();
    } finally {
      await server.close();
      cache.close();
    }
  });

  it('node-redis sees the connection drop and reconnects', async () => {
    const cache = new ManagedRedis({ clock: 'virtual', seed: 3 });
    const server = await cache.listen();
    const client = createClient({ url: server.url, socket: { reconnectStrategy: 10 } });
    const errors: Error[] = [];
    client.on('error', (error: Error) => errors.push(error));
    try {
      await client.connect();
      await client.set('k', 'v');
      cache.faults.failNode(0);
      await until(() => errors.length > 0, 'the drop to reach node-redis');
      cache.clock.advance(15_000);
      await until(() => client.isReady, 'node-redis to reconnect');
      expect(await client.ping()).toBe('PONG');
    } finally {
      await client.close().catch(() => {});
      await server.close();
      cache.close();
    }
  });
});

describe('server lifecycle', () => {
  it('close() stops listening and closes the connections; cache.close() closes its servers', async () => {
    const cache = new ManagedRedis({ clusterPolicy: 'NoCluster' });
    const server = await cache.listen({ host: '127.0.0.1' });
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
    const conn = await RawConnection.connect(server.port);
    conn.send(encodeCommand(['PING']));
    await conn.read();
    expect(server.connections).toBe(1);
    await server.close();
    expect((await conn.readUntilClosed()).length).toBe(0);
    await expect(RawConnection.connect(server.port)).rejects.toThrow(/ECONNREFUSED/);
    const second = await cache.listen();
    cache.close();
    await second.closed;
    await expect(RawConnection.connect(second.port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('listen({ node }) serves one node endpoint: whole-database commands cover its shards only', async () => {
    const cache = new ManagedRedis({ sku: 'Balanced_B5', clusterPolicy: 'OSS' });
    const nodes = cache.topology.nodes.filter((n) => n.primaryShards.length > 0);
    const servers = await Promise.all(nodes.map((n) => cache.listen({ node: n.index })));
    try {
      for (let i = 0; i < 40; i++) cache.execute(['SET', `key:${i}`, 'v']);
      const sizes = await Promise.all(
        servers.map(async (s) => {
          const conn = await RawConnection.connect(s.port);
          conn.send(encodeCommand(['DBSIZE']));
          const size = Number(/:(\d+)/.exec((await conn.read()).toString())![1]);
          conn.close();
          return size;
        }),
      );
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(40);
      if (servers.length > 1) expect(sizes.every((s) => s < 40)).toBe(true);
    } finally {
      await Promise.all(servers.map((s) => s.close()));
      cache.close();
    }
  });
});

describe('cluster mode (OSS): one port per node', () => {
  let cache: ManagedRedis;
  let server: RespServer;
  beforeAll(async () => {
    cache = new ManagedRedis({ sku: 'Balanced_B5', clusterPolicy: 'OSS' });
    server = await cache.listen({ cluster: true });
  });
  afterAll(async () => {
    await server.close();
    cache.close();
  });

  it('CLUSTER SLOTS, SHARDS and NODES name the listening ports; the in-process replies keep AMR endpoints', async () => {
    expect(server.nodes.map((n) => n.node)).toEqual(cache.topology.nodes.map((n) => n.index));
    const nodes = cache.topology.nodes.filter((n) => n.primaryShards.length > 0);
    const endpoints = server.nodes.filter((n) => nodes.some((node) => node.index === n.node));
    const client = createClient({ url: server.url, RESP: 3 });
    await client.connect();
    try {
      const slots = (await client.sendCommand(['CLUSTER', 'SLOTS'])) as unknown[][];
      const listed = slots.map((row) => (row[2] as unknown[]).slice(0, 2));
      expect(listed).toEqual(endpoints.map((n) => ['127.0.0.1', n.port]));
      const shards = JSON.stringify(await client.sendCommand(['CLUSTER', 'SHARDS']));
      for (const n of endpoints) expect(shards).toContain(`"port":${n.port},"ip":"127.0.0.1","endpoint":"127.0.0.1"`);
      expect(shards).not.toContain(nodes[0].ip);
      const text = String(await client.sendCommand(['CLUSTER', 'NODES']));
      for (const n of endpoints) expect(text).toContain(` 127.0.0.1:${n.port}@${n.port + 10000} `);
      // The same question in process still answers AMR's endpoints.
      expect(JSON.stringify(cache.execute(['CLUSTER', 'SLOTS']))).toContain(`"${nodes[0].ip}",${nodes[0].port}`);
    } finally {
      client.destroy();
    }
  });

  it('node-redis createCluster and ioredis Cluster follow the topology to the node ports', async () => {
    const cluster = createCluster({ rootNodes: [{ url: server.url }] });
    cluster.on('error', () => {});
    await cluster.connect();
    const io = new IORedis.Cluster([{ host: server.host, port: server.port }]);
    try {
      for (let i = 0; i < 20; i++) await cluster.set(`cluster:${i}`, String(i));
      const nodePorts = server.nodes.filter((n) => cache.topology.nodes[n.node].primaryShards.length > 0).map((n) => n.port).sort();
      expect(cluster.masters.map((m) => m.port).sort()).toEqual(nodePorts);
      expect(await io.get('cluster:7')).toBe('7');
      expect(await io.mget('{t}a', '{t}b')).toEqual([null, null]);
      await expect(io.mget('cluster:1', 'cluster:2')).rejects.toThrow("CROSSSLOT Keys in request don't hash to the same slot");
      expect(io.nodes('master').map((n) => n.options.port).sort()).toEqual(nodePorts);
    } finally {
      await cluster.close();
      io.disconnect();
    }
  });

  it('a failed node refuses connections on its port; after the promotion CLUSTER SLOTS names the new primary', async () => {
    const drill = new ManagedRedis({ sku: 'Balanced_B5', clusterPolicy: 'OSS', clock: 'virtual', seed: 5 });
    const ports = await drill.listen({ cluster: true });
    try {
      const slotsOver = async (port: number) => {
        const conn = await RawConnection.connect(port);
        conn.send(encodeCommand(['CLUSTER', 'SLOTS']));
        const text = (await conn.read()).toString();
        conn.close();
        return [...text.matchAll(/\$9\r\n127\.0\.0\.1\r\n:(\d+)/g)].map((m) => Number(m[1]));
      };
      const [node0, node1] = ports.nodes;
      expect(await slotsOver(ports.port)).toEqual([node0.port, node1.port]);
      drill.faults.failNode(0);
      const refused = await RawConnection.connect(node0.port);
      expect((await refused.readUntilClosed()).length).toBe(0);
      drill.clock.advance(15_000); // detection and promotion: node 1 now serves every slot (one range)
      expect(await slotsOver(ports.port)).toEqual([node1.port]);
      expect(await slotsOver(node1.port)).toEqual([node1.port]);
    } finally {
      await ports.close();
      drill.close();
    }
  });

  it('cluster mode needs the OSS policy', async () => {
    const enterprise = new ManagedRedis({ clusterPolicy: 'Enterprise' });
    await expect(enterprise.listen({ cluster: true })).rejects.toThrow('listen({ cluster: true }) needs the OSS cluster policy');
    enterprise.close();
  });
});
