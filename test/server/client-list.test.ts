/**
 * CLIENT LIST over TCP, field by field against redis-server 7.0: the same connections in the same
 * states on a private server and on the emulator (subscribers in RESP2 and RESP3, shard
 * subscriber, blocked, in MULTI with WATCH, tracking with REDIRECT, MONITOR, a partial request, a
 * client that does not read its replies, idle RESP2 and RESP3 ones), then every line compared.
 *
 * Normalised away: ids (mapped to the connection they name), `addr`, `laddr`, `fd`, `age`, `idle`
 * (sockets and time), and the allocation figures that follow each version's allocator and buffer
 * sizing rather than the connection's state: `qbuf-free`, `rbs`, `rbp`, `tot-mem`, and the exact
 * `omem`/`oll` of a client that does not read (compared as zero / not zero; its `qbuf` differs by
 * the emulator's back-pressure, see docs/resp-server.md). `watch`, `lib-name`
 * and `lib-ver` are 7.2/7.4 fields 7.0 does not print (the emulator prints 7.4's line).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManagedRedis } from '../../src/index.js';
import type { RespServer } from '../../src/server/server.js';
import { until } from '../support/until.js';
import { RawConnection, encodeCommand } from '../support/raw-socket.js';
import { describeLive } from '../support/live.js';
import { privateServer } from '../commands/live-streams.js';

type Fields = Map<string, string>;

function parseList(reply: string): Fields[] {
  const body = reply.slice(reply.indexOf('\r\n') + 2);
  return body
    .split('\n')
    .filter((line) => line.startsWith('id='))
    .map((line) => new Map(line.trim().split(' ').map((f) => [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)])));
}

const DROPPED = ['addr', 'laddr', 'fd', 'age', 'idle', 'qbuf-free', 'rbs', 'rbp', 'tot-mem'];
const ONLY_74 = ['watch', 'lib-name', 'lib-ver'];

/** The connections of the scenario by role, with their ids on one server. */
type Roles = Map<string, number>;

/** Opens the scenario's connections on a server; answers the roles' ids and the lister. */
async function scenario(port: number, keep: RawConnection[]): Promise<{ roles: Roles; lister: RawConnection }> {
  const roles: Roles = new Map();
  const open = async (role: string, ...setup: string[][]): Promise<RawConnection> => {
    const conn = await RawConnection.connect(port);
    keep.push(conn);
    roles.set(role, Number(/^:(\d+)/.exec(await conn.call('CLIENT', 'ID'))![1]));
    for (const argv of setup) await conn.call(...argv);
    return conn;
  };
  const lister = await open('lister');
  await lister.call('SET', 'cl:big', 'x'.repeat(100_000));
  await open('resp3-subscriber', ['HELLO', '3'], ['SUBSCRIBE', 'cl:ch'], ['PSUBSCRIBE', 'cl:p*']);
  await open('resp2-subscriber', ['SUBSCRIBE', 'cl:ch2']);
  await open('shard-subscriber', ['SSUBSCRIBE', 'cl:sch']);
  const blocked = await open('blocked');
  blocked.send(encodeCommand(['BLPOP', 'cl:nokey', '0']));
  await open('multi', ['CLIENT', 'SETNAME', 'nm'], ['WATCH', 'k1', 'k2'], ['MULTI'], ['SET', 'k1', 'v'], ['GET', 'k2']);
  await open('tracking', ['CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(roles.get('lister'))]);
  await open('monitor', ['MONITOR']);
  const partial = await open('partial');
  partial.send('*3\r\n$3\r\nSET\r\n$5\r\ncl:pk\r\n$10\r\nab');
  const flooded = await open('not-reading');
  flooded.raw.pause();
  flooded.send(Buffer.concat(Array.from({ length: 100 }, () => encodeCommand(['GET', 'cl:big']))));
  await open('idle');
  await open('resp3', ['HELLO', '3']);
  // Settled: the BLPOP has blocked, the partial request is read, replies pile up unread.
  await until(async () => {
    const rows = parseList(await lister.call('CLIENT', 'LIST'));
    const of = (role: string) => rows.find((r) => Number(r.get('id')) === roles.get(role));
    return of('blocked')?.get('flags') === 'b' && of('partial')?.get('qbuf') === '2' && Number(of('not-reading')?.get('omem')) > 0;
  }, 'the connections to settle');
  return { roles, lister };
}

/** One line normalised: ids named by role, volatile fields dropped, 7.4-only fields dropped. */
function normalise(fields: Fields, roles: Roles): Record<string, string> {
  const roleOf = new Map([...roles].map(([role, id]) => [String(id), role]));
  const out: Record<string, string> = {};
  for (const [key, value] of fields) {
    if (DROPPED.includes(key) || ONLY_74.includes(key)) continue;
    if (key === 'id') out.role = roleOf.get(value) ?? `unknown ${value}`;
    else if (key === 'redir') out.redir = value === '-1' ? value : (roleOf.get(value) ?? value);
    else if (key === 'omem' || key === 'oll') out[key] = value === '0' ? '0' : 'more than 0';
    else out[key] = value;
  }
  // Back-pressure: the emulator stops running the requests of a client that does not read once
  // 1 MB of replies waits (they wait in its query buffer); Redis runs them all and buffers the replies.
  if (out.role === 'not-reading') delete out.qbuf;
  return out;
}

describeLive('CLIENT LIST: the emulator and redis-server 7.0, field by field', () => {
  let live: { port: number; stop(): Promise<void> };
  let cache: ManagedRedis;
  let server: RespServer;
  const connections: RawConnection[] = [];
  const results: Array<{ roles: Roles; lister: RawConnection }> = [];

  beforeAll(async () => {
    live = await privateServer();
    cache = new ManagedRedis({ clusterPolicy: 'NoCluster', clock: 'virtual', activeExpiry: false });
    server = await cache.listen();
    results.push(await scenario(live.port, connections), await scenario(server.port, connections));
  });
  afterAll(async () => {
    for (const conn of connections) conn.close();
    await server.close();
    cache.close();
    await live.stop();
  });

  it('every line has the same fields and values', async () => {
    const [real, emulated] = await Promise.all(
      results.map(async ({ roles, lister }) => {
        const rows = parseList(await lister.call('CLIENT', 'LIST')).map((row) => normalise(row, roles));
        return rows.sort((a, b) => a.role.localeCompare(b.role));
      }),
    );
    expect(emulated.map((r) => r.role)).toEqual([...results[1].roles.keys()].sort());
    expect(emulated).toEqual(real);
  });

  it('the emulator adds 7.4 fields: watch=, lib-name=, lib-ver=', async () => {
    const { roles, lister } = results[1];
    const rows = parseList(await lister.call('CLIENT', 'LIST'));
    const multi = rows.find((r) => Number(r.get('id')) === roles.get('multi'))!;
    expect([multi.get('watch'), multi.get('lib-name'), multi.get('lib-ver')]).toEqual(['2', '', '']);
    expect([...multi.keys()].slice(-3)).toEqual(['resp', 'lib-name', 'lib-ver']);
    // No io-thread field: that is Redis 8.0's.
    expect(multi.has('io-thread')).toBe(false);
  });

  it('TYPE pubsub and TYPE normal select the same connections', async () => {
    for (const type of ['pubsub', 'normal']) {
      const [real, emulated] = await Promise.all(
        results.map(async ({ roles, lister }) =>
          parseList(await lister.call('CLIENT', 'LIST', 'TYPE', type))
            .map((row) => normalise(row, roles).role)
            .sort(),
        ),
      );
      expect([type, emulated]).toEqual([type, real]);
    }
  });

  it('CLIENT INFO of the asking connection is the same', async () => {
    const [real, emulated] = await Promise.all(
      results.map(async ({ roles, lister }) => {
        const reply = await lister.call('CLIENT', 'INFO');
        return normalise(parseList(reply)[0], roles);
      }),
    );
    expect(emulated).toEqual(real);
  });

  it('INFO clients counts the same connections', async () => {
    const counts = await Promise.all(
      results.map(async ({ lister }) => {
        const info = await lister.call('INFO', 'clients');
        const field = (name: string) => new RegExp(`\\r\\n${name}:(\\d+)`).exec(info)?.[1];
        return ['connected_clients', 'blocked_clients', 'tracking_clients'].map((name) => `${name}:${field(name)}`);
      }),
    );
    expect(counts[1]).toEqual(counts[0]);
  });

  it("the cache's in-process caller is not a listed connection; it lists itself", () => {
    const own = String(cache.execute(['CLIENT', 'LIST']));
    expect(own).toMatch(/^id=1 /);
    expect(own.split('\n').filter((l) => l !== '').length).toBe(results[1].roles.size + 1);
    expect(String(cache.execute(['INFO', 'clients']))).toContain(`\r\nconnected_clients:${results[1].roles.size + 1}\r\n`);
  });
});
