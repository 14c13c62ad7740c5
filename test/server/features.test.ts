/**
 * Features built beside the RESP server reach TCP clients too: MONITOR lines, CLIENT REPLY OFF/SKIP
 * (nothing written), client-side caching's RESP3 invalidation pushes, and an Entra token expiry
 * closing the socket. Byte-level expectations are redis-server's framing of the same messages.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { ManagedRedis } from '../../src/index.js';
import type { RespServer } from '../../src/server/server.js';
import { RawConnection } from '../support/raw-socket.js';

let cache: ManagedRedis | null = null;
let server: RespServer | null = null;
const open: RawConnection[] = [];

async function start(options: ConstructorParameters<typeof ManagedRedis>[0] = {}): Promise<RespServer> {
  cache = new ManagedRedis({ clusterPolicy: 'NoCluster', ...options });
  server = await cache.listen();
  return server;
}

async function raw(): Promise<RawConnection> {
  const conn = await RawConnection.connect(server!.port, server!.host);
  open.push(conn);
  return conn;
}

afterEach(async () => {
  for (const conn of open.splice(0)) conn.close();
  await server?.close();
  cache?.close();
  server = null;
  cache = null;
});

describe('RESP server and the features beside it', () => {
  it('sends MONITOR lines to a node-redis monitor as other clients run commands', async () => {
    const { url } = await start();
    const monitor = createClient({ url });
    await monitor.connect();
    const lines: string[] = [];
    await monitor.monitor((line: string) => lines.push(line));
    const conn = await raw();
    conn.send('SET greeting "hello world"\r\n');
    expect((await conn.read()).toString()).toBe('+OK\r\n');
    await conn.pending(30);
    expect(lines.some((line) => /^\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "SET" "greeting" "hello world"$/.test(line))).toBe(true);
    await monitor.disconnect();
  });

  it('writes nothing for a command whose reply CLIENT REPLY SKIP or OFF withholds', async () => {
    await start();
    const conn = await raw();
    conn.send('CLIENT REPLY SKIP\r\nSET k skipped\r\nGET k\r\n');
    expect((await conn.read()).toString()).toBe('$7\r\nskipped\r\n');
    conn.send('CLIENT REPLY OFF\r\nSET k off\r\nGET k\r\nCLIENT REPLY ON\r\nGET k\r\n');
    expect((await conn.read()).toString()).toBe('+OK\r\n');
    expect((await conn.read()).toString()).toBe('$3\r\noff\r\n');
    expect((await conn.pending(30)).length).toBe(0);
  });

  it('pushes a RESP3 invalidation to a tracking connection when another client changes a key it read', async () => {
    await start();
    const tracker = await raw();
    tracker.send('HELLO 3\r\n');
    await tracker.read();
    tracker.send('CLIENT TRACKING ON\r\nGET cached\r\n');
    expect((await tracker.read(2)).toString()).toBe('+OK\r\n_\r\n');
    const writer = await raw();
    writer.send('SET cached v\r\n');
    expect((await writer.read()).toString()).toBe('+OK\r\n');
    expect((await tracker.read()).toString()).toBe('>2\r\n$10\r\ninvalidate\r\n*1\r\n$6\r\ncached\r\n');
  });

  it('closes the socket of an Entra connection when its token expires on the cache clock', async () => {
    await start({ clock: 'virtual', entra: { principals: [{ objectId: 'app-1' }] } });
    const token = cache!.entra!.issueToken('app-1', { lifetimeMs: 60_000 });
    const conn = await raw();
    conn.send(`AUTH app-1 ${token}\r\nPING\r\n`);
    expect((await conn.read(2)).toString()).toBe('+OK\r\n+PONG\r\n');
    cache!.clock.advance(59_999);
    conn.send('PING\r\n');
    expect((await conn.read()).toString()).toBe('+PONG\r\n');
    cache!.clock.advance(1);
    await conn.readUntilClosed();
    expect(conn.isClosed).toBe(true);
  });
});
