/**
 * The client limits of the RESP server, each run as the same sequence against a private
 * redis-server 7.0 (its settings are changed freely) and the emulator over TCP (with
 * `settings.exposeAll`, so CONFIG SET reaches the hidden settings as on a plain Redis):
 * `maxclients`, the idle `timeout`, `client-query-buffer-limit`, `client-output-buffer-limit`
 * (normal hard limit, pubsub soft limit with its seconds) and what CLIENT LIST / INFO show of them.
 *
 * Time: the emulator runs on a virtual clock and the tests advance it; the real server runs on
 * the wall clock, so its side polls (bounded) until Redis's once-a-second check has acted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManagedRedis } from '../../src/index.js';
import type { RespServer } from '../../src/server/server.js';
import { until } from '../support/until.js';
import { RawConnection, encodeCommand } from '../support/raw-socket.js';
import { describeLive } from '../support/live.js';
import { privateServer } from '../commands/live-streams.js';
import { getSku } from '../../src/cluster/skus.js';

/** A server under test: its port, a control connection, and how its time moves. */
interface Side {
  name: 'redis' | 'emulator';
  port: number;
  control: RawConnection;
  /** Lets `ms` of server time pass: the virtual clock advances; the real server is waited for. */
  settle(ms: number): Promise<void>;
}

/** The CLIENT LIST line of client `id` as a field map, or null once it is gone. */
async function clientFields(side: Side, id: number): Promise<Map<string, string> | null> {
  const text = await side.control.call('CLIENT', 'LIST', 'ID', String(id));
  const line = text.split('\r\n')[1];
  if (line === undefined || !line.startsWith('id=')) return null;
  return new Map(line.trim().split(' ').map((f) => [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)]));
}

async function infoField(side: Side, section: string, field: string): Promise<number> {
  const text = await side.control.call('INFO', section);
  const match = new RegExp(`\\r\\n${field}:(\\d+)`).exec(text);
  return match === null ? NaN : Number(match[1]);
}

async function connectWithId(side: Side): Promise<{ conn: RawConnection; id: number }> {
  const conn = await RawConnection.connect(side.port);
  const id = Number(/^:(\d+)/.exec(await conn.call('CLIENT', 'ID'))![1]);
  return { conn, id };
}

describeLive('client limits: redis-server 7.0 and the emulator', () => {
  let live: { port: number; stop(): Promise<void> };
  let cache: ManagedRedis;
  let server: RespServer;
  const sides: Side[] = [];

  beforeAll(async () => {
    live = await privateServer();
    cache = new ManagedRedis({ clusterPolicy: 'NoCluster', clock: 'virtual', activeExpiry: false });
    cache.settings.exposeAll = true;
    server = await cache.listen();
    sides.push(
      {
        name: 'redis',
        port: live.port,
        control: await RawConnection.connect(live.port),
        settle: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      },
      {
        name: 'emulator',
        port: server.port,
        control: await RawConnection.connect(server.port),
        settle: async (ms) => {
          for (let t = 0; t < ms; t += 500) cache.clock.advance(500);
        },
      },
    );
  });
  afterAll(async () => {
    for (const side of sides) side.control.close();
    await server.close();
    cache.close();
    await live.stop();
  });

  it('CONFIG SET client-output-buffer-limit: the same values and errors', async () => {
    const sequence = [
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1mb 2k 3'],
      ['CONFIG', 'GET', 'client-output-buffer-limit'],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'REPLICA 1 2 3 pubsub 10 20 x'],
      ['CONFIG', 'GET', 'client-output-buffer-limit'],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'foo 1 2 3'],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'master 1 2 3'],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1 2'],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal -1 2 3'],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1 2 -3'],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1x 2 3'],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 1 1 1 normal x 0 0'],
      ['CONFIG', 'GET', 'client-output-buffer-limit'],
      ['CONFIG', 'SET', 'client-output-buffer-limit', ''],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60'],
      ['CONFIG', 'GET', 'client-output-buffer-limit'],
      ['CONFIG', 'SET', 'timeout', '-1'],
      ['CONFIG', 'SET', 'timeout', '2147483648'],
      ['CONFIG', 'SET', 'maxclients', '0'],
      ['CONFIG', 'SET', 'client-query-buffer-limit', '1000'],
    ];
    const [redis, emulator] = sides;
    for (const argv of sequence) {
      expect([argv.join(' '), await emulator.control.call(...argv)]).toEqual([argv.join(' '), await redis.control.call(...argv)]);
    }
  });

  it('maxclients: one connection more gets the error and is closed', async () => {
    for (const side of sides) {
      const before = await infoField(side, 'stats', 'rejected_connections');
      const connected = await infoField(side, 'clients', 'connected_clients');
      expect(await side.control.call('CONFIG', 'SET', 'maxclients', String(connected + 1))).toBe('+OK\r\n');
      const last = await RawConnection.connect(side.port);
      expect(await last.call('PING')).toBe('+PONG\r\n');
      const refused = await RawConnection.connect(side.port);
      expect([side.name, (await refused.readUntilClosed()).toString()]).toEqual([side.name, '-ERR max number of clients reached\r\n']);
      expect(await infoField(side, 'stats', 'rejected_connections')).toBe(before + 1);
      expect(await side.control.call('CONFIG', 'SET', 'maxclients', '10000')).toBe('+OK\r\n');
      last.close();
    }
  });

  it('timeout closes idle connections, not blocked, subscribed or MONITOR ones', async () => {
    for (const side of sides) {
      const open = async (...setup: string[][]) => {
        const { conn, id } = await connectWithId(side);
        for (const argv of setup) await conn.call(...argv);
        return { conn, id };
      };
      const idle = await open();
      const inMulti = await open(['MULTI']);
      const resp2Subscriber = await open(['SUBSCRIBE', 'limits:idle']);
      const resp3Subscriber = await open(['HELLO', '3'], ['SUBSCRIBE', 'limits:idle']);
      const monitor = await open(['MONITOR']);
      const blocked = await open();
      blocked.conn.send(encodeCommand(['BLPOP', `limits:nothing:${side.name}`, '0']));
      await until(async () => (await clientFields(side, blocked.id))?.get('flags') === 'b', 'the BLPOP to block');
      const partial = await open();
      partial.conn.send('*2\r\n$4\r\nECHO\r\n$10\r\nab');

      expect(await side.control.call('CONFIG', 'SET', 'timeout', '1')).toBe('+OK\r\n');
      const gone = [idle, inMulti, partial];
      const kept = [resp2Subscriber, resp3Subscriber, monitor, blocked];
      // The control connection stays busy; the others are idle for 1 s, then for more than 1 s.
      await side.settle(1000);
      await side.control.call('PING');
      if (side.name === 'emulator') for (const c of gone) expect(await clientFields(side, c.id)).not.toBeNull();
      for (let i = 0; i < 3; i++) {
        await side.settle(1000);
        await side.control.call('PING');
      }
      const allGone = async () => {
        for (const c of gone) if ((await clientFields(side, c.id)) !== null) return false;
        return true;
      };
      await until(allGone, `${side.name}: idle clients closed`);
      for (const c of gone) expect((await c.conn.readUntilClosed()).toString()).toBe(''); // no reply, just closed
      for (const c of kept) expect([side.name, c.id, await clientFields(side, c.id)]).not.toEqual([side.name, c.id, null]);
      expect(await side.control.call('CONFIG', 'SET', 'timeout', '0')).toBe('+OK\r\n');
      for (const c of [...gone, ...kept]) c.conn.close();
    }
  });

  it('client-query-buffer-limit: a partial request over it closes the connection without a reply', async () => {
    for (const side of sides) {
      expect(await side.control.call('CONFIG', 'SET', 'client-query-buffer-limit', '1mb')).toBe('+OK\r\n');
      // Under the limit: the partial argument shows as qbuf, and the request completes.
      const { conn: under, id } = await connectWithId(side);
      under.send('*2\r\n$4\r\nECHO\r\n$900000\r\n');
      under.send(Buffer.alloc(500_000, 97));
      await until(async () => (await clientFields(side, id))?.get('qbuf') === '500000', `${side.name}: qbuf=500000`);
      under.send(Buffer.concat([Buffer.alloc(400_000, 97), Buffer.from('\r\n')]));
      expect((await under.read()).length).toBe('$900000\r\n'.length + 900_002);
      // Over it: closed, nothing answered.
      const over = await RawConnection.connect(side.port);
      over.send('*2\r\n$4\r\nECHO\r\n$2000000\r\n');
      over.send(Buffer.alloc(1_100_000, 97));
      expect((await over.readUntilClosed()).length).toBe(0);
      expect(await side.control.call('CONFIG', 'SET', 'client-query-buffer-limit', '1gb')).toBe('+OK\r\n');
      under.close();
    }
    // 7.4's counter (not in 7.0's INFO).
    expect(await infoField(sides[1], 'stats', 'client_query_buffer_limit_disconnections')).toBe(1);
  });

  it('client-output-buffer-limit normal: a client that does not read its replies past the hard limit is closed', async () => {
    for (const side of sides) {
      expect(await side.control.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1mb 0 0')).toBe('+OK\r\n');
      expect(await side.control.call('SET', 'limits:big', 'x'.repeat(100_000))).toBe('+OK\r\n');
      const { conn, id } = await connectWithId(side);
      conn.raw.pause();
      conn.send(Buffer.concat(Array.from({ length: 300 }, () => encodeCommand(['GET', 'limits:big']))));
      await until(async () => (await clientFields(side, id)) === null, `${side.name}: the client to be closed`);
      expect(await side.control.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0')).toBe('+OK\r\n');
      conn.close();
    }
    expect(await infoField(sides[1], 'stats', 'client_output_buffer_limit_disconnections')).toBe(1);
  });

  it('client-output-buffer-limit pubsub: over the soft limit for longer than its seconds, a subscriber is closed', async () => {
    for (const side of sides) {
      expect(await side.control.call('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 64mb 1mb 1')).toBe('+OK\r\n');
      const { conn, id } = await connectWithId(side);
      await conn.call('SUBSCRIBE', 'limits:soft');
      conn.raw.pause();
      const payload = 'z'.repeat(100_000);
      // Publish until the server holds more than the soft limit unsent (the kernel takes some first).
      let fields: Map<string, string> | null = null;
      for (let i = 0; i < 400; i++) {
        await side.control.call('PUBLISH', 'limits:soft', payload);
        fields = await clientFields(side, id);
        if (Number(fields?.get('omem')) > 1024 * 1024) break;
      }
      expect(fields?.get('flags')).toBe('P');
      expect(Number(fields?.get('omem'))).toBeGreaterThan(1024 * 1024);
      expect(Number(fields?.get('oll'))).toBeGreaterThan(0);
      expect(fields?.get('events')).toBe('rw');
      if (side.name === 'emulator') {
        // Redis samples it once a second in its cron; the emulator on every write.
        expect(await infoField(side, 'clients', 'client_recent_max_output_buffer')).toBeGreaterThan(1024 * 1024);
        // Exactly as Redis counts: still there 1 s later (elapsed 1 is not more than 1), gone after 2.
        await side.settle(1000);
        expect(await clientFields(side, id)).not.toBeNull();
        await side.settle(1000);
        expect(await clientFields(side, id)).toBeNull();
        expect(await infoField(side, 'stats', 'client_output_buffer_limit_disconnections')).toBe(2);
        // The recent peak is forgotten after 8 seconds.
        await side.settle(9000);
        expect(await infoField(side, 'clients', 'client_recent_max_output_buffer')).toBe(0);
      } else {
        await until(async () => (await clientFields(side, id)) === null, 'redis: the subscriber to be closed');
      }
      expect(await side.control.call('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 32mb 8mb 60')).toBe('+OK\r\n');
      conn.close();
    }
  });
});

describe('client limits: AMR defaults', () => {
  let cache: ManagedRedis;
  let server: RespServer;
  beforeAll(async () => {
    cache = new ManagedRedis({ sku: 'Balanced_B1', clusterPolicy: 'NoCluster', clock: 'virtual', activeExpiry: false });
    server = await cache.listen();
  });
  afterAll(async () => {
    await server.close();
    cache.close();
  });

  it("maxclients is the SKU's connection limit; timeout is AMR's 10 minutes", async () => {
    const conn = await RawConnection.connect(server.port);
    const info = await conn.call('INFO', 'clients');
    expect(info).toContain(`\r\nmaxclients:${getSku('Balanced_B1').maxClients}\r\n`);
    expect(cache.settings.get('maxclients')).toBe(String(getSku('Balanced_B1').maxClients));
    expect(cache.settings.get('timeout')).toBe('600');
    expect(cache.settings.get('client-output-buffer-limit')).toBe('normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60');
    // Hidden on AMR, as the other server settings.
    expect(await conn.call('CONFIG', 'SET', 'timeout', '0')).toBe('-ERR Unsupported CONFIG parameter: timeout\r\n');
    // Idle for 600 s: kept; for more than 600 s: closed.
    cache.clock.advance(600_000);
    expect(conn.isClosed).toBe(false);
    expect(await conn.call('PING')).toBe('+PONG\r\n');
    cache.clock.advance(601_000);
    expect((await conn.readUntilClosed()).length).toBe(0);
  });

  it('maxclients counts in-process clients too, and not the cache itself; OSS answers the cluster text', async () => {
    const oss = new ManagedRedis({ sku: 'Balanced_B5', clusterPolicy: 'OSS', clock: 'virtual', activeExpiry: false });
    const ossServer = await oss.listen();
    try {
      oss.settings.setInternal('maxclients', '2');
      const inProcess = oss.openClient({ name: null });
      const first = await RawConnection.connect(ossServer.port);
      expect(await first.call('PING')).toBe('+PONG\r\n');
      // Redis's acceptCommonHandler with cluster mode on.
      const refused = await RawConnection.connect(ossServer.port);
      expect((await refused.readUntilClosed()).toString()).toBe('-ERR max number of clients + cluster connections reached\r\n');
      oss.closeClient(inProcess);
      const next = await RawConnection.connect(ossServer.port);
      expect(await next.call('PING')).toBe('+PONG\r\n');
      first.close();
      next.close();
    } finally {
      await ossServer.close();
      oss.close();
    }
  });
});
