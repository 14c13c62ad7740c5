/**
 * The RESP server against a live redis-server, byte for byte: the same raw request bytes go to
 * both over TCP and the raw reply bytes must be equal, for commands covering every reply kind in
 * RESP2 and RESP3 (after HELLO 2 / HELLO 3), for pub/sub confirmations and pushes, and for the
 * protocol errors (reply text and the connection closing after it).
 *
 * Replies that legitimately differ between the recording redis-server (7.0) and the emulated
 * 7.4 (HELLO's version, INFO and CLIENT INFO contents) are kept out of the byte comparison.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManagedRedis } from '../../src/index.js';
import type { RespServer } from '../../src/server/server.js';
import { describeLive } from '../support/live.js';
import { RawConnection } from '../support/raw-socket.js';
import { encodeCommand, type Arg } from '../support/resp-client.js';

/** One step: a request and how many replies it answers with (subscribe confirmations are several). */
interface Step {
  argv: Arg[];
  replies?: number;
}

const P = `resp-server-live:${process.pid}:${Date.now()}`;
const BINARY = Buffer.from([0xff, 0x00, 0x0d, 0x0a, 0x80, 0x41]);

/** Commands covering every reply kind; run in order on one connection per protocol. */
function replyKindSteps(resp: 2 | 3): Step[] {
  const k = (name: string) => `${P}:${resp}:${name}`;
  return [
    { argv: ['SET', k('s'), 'hello'] }, // status
    { argv: ['GET', k('s')] }, // bulk
    { argv: ['GET', k('missing')] }, // null bulk
    { argv: ['SET', k('bin'), BINARY] },
    { argv: ['GET', k('bin')] }, // binary bulk
    { argv: ['ECHO', 'héllo wörld'] }, // UTF-8 bulk
    { argv: ['ECHO', ''] }, // empty bulk
    { argv: ['INCR', k('n')] }, // integer
    { argv: ['INCRBY', k('n'), '-9223372036854775807'] }, // negative 64-bit integer
    { argv: ['APPEND', k('s'), ' world'] },
    { argv: ['PING'] },
    { argv: ['PING', 'hi'] },
    { argv: ['TYPE', k('s')] },
    { argv: ['HSET', k('h'), 'f', 'v', 'g', 'w'] },
    { argv: ['HGETALL', k('h')] }, // map
    { argv: ['HGETALL', k('missing')] }, // empty map
    { argv: ['HGET', k('s'), 'f'] }, // WRONGTYPE error
    { argv: ['NOSUCHCOMMAND', 'a', 'b'] }, // unknown command error
    { argv: ['GET'] }, // arity error
    { argv: ['RPUSH', k('l'), 'a', 'b', 'c'] },
    { argv: ['LRANGE', k('l'), '0', '-1'] }, // array
    { argv: ['LRANGE', k('missing'), '0', '-1'] }, // empty array
    { argv: ['MGET', k('s'), k('missing'), k('l')] }, // array with nulls
    { argv: ['SADD', k('set'), '3', '1', '2'] },
    { argv: ['SMEMBERS', k('set')] }, // set (an intset: sorted on both)
    { argv: ['ZADD', k('z'), '1.5', 'a', '2', 'b', 'inf', 'c'] },
    { argv: ['ZSCORE', k('z'), 'a'] }, // double
    { argv: ['ZSCORE', k('z'), 'c'] }, // infinite double
    { argv: ['ZSCORE', k('z'), 'missing'] }, // null double
    { argv: ['ZINCRBY', k('z'), '0.25', 'b'] },
    { argv: ['ZRANGE', k('z'), '0', '-1', 'WITHSCORES'] }, // pairs with doubles
    { argv: ['ZRANDMEMBER', k('missing'), '1', 'WITHSCORES'] },
    { argv: ['ZPOPMIN', k('missing')] },
    { argv: ['EVAL', "return {big_number='123456789012345678901234567890'}", '0'] }, // big number
    { argv: ['EVAL', 'return {double=3.25}', '0'] }, // double from Lua
    { argv: ['EVAL', "return {map={k='v'}}", '0'] }, // map from Lua
    { argv: ['EVAL', 'return {set={x=true}}', '0'] }, // set from Lua
    { argv: ['EVAL', "return {verbatim_string={format='txt',string='hi'}}", '0'] }, // verbatim
    { argv: ['EVAL', "return {err='My error'}", '0'] },
    { argv: ['EVAL', "return redis.status_reply('FINE')", '0'] },
    { argv: ['EVAL', 'return {1, {2, "x"}, false}', '0'] },
    { argv: ['MULTI'] },
    { argv: ['SET', k('t'), '1'] }, // QUEUED
    { argv: ['INCR', k('t')] },
    { argv: ['HGET', k('s'), 'f'] },
    { argv: ['ZSCORE', k('z'), 'a'] },
    { argv: ['EXEC'] }, // nested array with an error and a double
    { argv: ['EXEC'] }, // EXEC without MULTI
    { argv: ['BLPOP', k('nolist'), '0.01'] }, // null array on timeout
    { argv: ['OBJECT', 'ENCODING', k('n')] },
    { argv: ['DEL', k('s'), k('bin'), k('n'), k('h'), k('l'), k('set'), k('z'), k('t')] },
  ];
}

/** Pub/sub on one connection: confirmations (one reply per channel), PING in subscriber mode, messages. */
function pubsubSteps(resp: 2 | 3): Step[] {
  const ch = (name: string) => `${P}:${resp}:ch:${name}`;
  const steps: Step[] = [
    { argv: ['UNSUBSCRIBE'] }, // no subscription: one confirmation with a null channel
    { argv: ['SUBSCRIBE', ch('a'), ch('b')], replies: 2 },
    { argv: ['PSUBSCRIBE', `${P}:${resp}:ch:*`] },
    { argv: ['PING'] },
    { argv: ['PING', 'x'] },
  ];
  if (resp === 3) {
    // RESP3 may run any command while subscribed; the messages come as pushes before the reply.
    steps.push({ argv: ['PUBLISH', ch('a'), 'hello'], replies: 3 });
    steps.push({ argv: ['GET', `${P}:nokey`] });
  } else {
    steps.push({ argv: ['GET', `${P}:nokey`] }); // refused in RESP2 subscriber mode
  }
  steps.push({ argv: ['PUNSUBSCRIBE'] });
  // Named: UNSUBSCRIBE without names goes through Redis's channel dict in hash order.
  steps.push({ argv: ['UNSUBSCRIBE', ch('b'), ch('a')], replies: 2 });
  steps.push({ argv: ['PING'] });
  return steps;
}

/** Raw requests with protocol errors: the server answers (some requests, then the error) and closes. */
const PROTOCOL_ERRORS: Array<[string, string]> = [
  ['invalid multibulk length', '*1\r\n$4\r\nPING\r\n*x\r\nPING\r\n'],
  ['multibulk length with a leading zero', '*01\r\n'],
  ['negative bulk length', '*1\r\n$-1\r\n'],
  ['bulk length with a leading zero', '*1\r\n$01\r\n'],
  ['bulk length over proto-max-bulk-len', '*1\r\n$536870913\r\n'],
  ["expected '$'", '*2\r\n$3\r\nGET\r\n+a\r\n'],
  ['unbalanced double quote', 'PING\r\nset a "b\r\n'],
  ['closing quote glued to text', 'echo "a"b\r\n'],
  ['too big inline request', 'x'.repeat(70_000)],
  ['too big mbulk count string', `*${'1'.repeat(70_000)}`],
  ['too big bulk count string', `*1\r\n$${'1'.repeat(70_000)}`],
  ['QUIT then more', 'PING\r\nQUIT\r\nPING\r\n'],
];

/** Raw requests that do not close the connection: inline forms, empty requests, unchecked CRLF. */
const RAW_REQUESTS: Array<[string, string, number]> = [
  ['inline commands with quotes and escapes', 'echo "a\\x41\\n\\q\\xZZ" \'b\\\'c\' d"e f"\r\nECHO   x\t\r\nECHO "a\\x41\\n\\q\\xZZ"\r\n', 3],
  ['inline with a bare LF', 'echo x\nping\n', 2],
  ['empty requests are skipped', '*-5\r\n*0\r\n\r\n   \r\nPING\r\n', 1],
  ["a bulk's CRLF is not checked", '*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n', 2],
  ['a request split over writes', '*2\r\n$4\r\nEC', 0],
];

describeLive('RESP server: byte for byte against redis-server', (redis) => {
  let cache: ManagedRedis;
  let server: RespServer;

  beforeAll(async () => {
    cache = new ManagedRedis({ clusterPolicy: 'NoCluster', evictionPolicy: 'noeviction' });
    server = await cache.listen();
  });
  afterAll(async () => {
    await server.close();
    cache.close();
  });

  /** Runs the steps on a fresh connection to each server; returns the raw replies side by side. */
  async function exchange(port: number, resp: 2 | 3, steps: Step[]): Promise<Buffer[]> {
    const conn = await RawConnection.connect(port, redis.host);
    try {
      conn.send(encodeCommand(['HELLO', String(resp)]));
      await conn.read(); // HELLO's reply names the version: compared structurally below
      const out: Buffer[] = [];
      for (const step of steps) {
        conn.send(encodeCommand(step.argv));
        out.push(await conn.read(step.replies ?? 1));
      }
      return out;
    } finally {
      conn.close();
    }
  }

  async function compareSteps(resp: 2 | 3, steps: Step[]): Promise<void> {
    const [live, emulated] = await Promise.all([exchange(redis.standalone.port, resp, steps), exchange(server.port, resp, steps)]);
    for (let i = 0; i < steps.length; i++) {
      const label = `RESP${resp} ${steps[i].argv.map((a) => (Buffer.isBuffer(a) ? '<bytes>' : String(a))).join(' ')}`;
      expect(emulated[i].toString('latin1'), label).toBe(live[i].toString('latin1'));
    }
  }

  for (const resp of [2, 3] as const) {
    it(`every reply kind, RESP${resp}`, async () => {
      await compareSteps(resp, replyKindSteps(resp));
    });

    it(`pub/sub confirmations, subscriber-mode PING and messages, RESP${resp}`, async () => {
      await compareSteps(resp, pubsubSteps(resp));
    });

    it(`HELLO ${resp} answers the same map but for the version and id`, async () => {
      const hello = async (port: number) => {
        const conn = await RawConnection.connect(port, redis.host);
        conn.send(encodeCommand(['HELLO', String(resp)]));
        const bytes = (await conn.read()).toString('latin1');
        conn.close();
        return bytes.replace(/\$\d+\r\n\d+\.\d+\.\d+\r\n/, '$V\r\nVERSION\r\n').replace(/id\r\n:\d+/, 'id\r\n:ID');
      };
      expect(await hello(server.port)).toBe(await hello(redis.standalone.port));
    });

    it(`CLIENT INFO is a verbatim string in RESP3 and a bulk string in RESP2, RESP${resp}`, async () => {
      const info = async (port: number) => {
        const conn = await RawConnection.connect(port, redis.host);
        conn.send(encodeCommand(['HELLO', String(resp)]));
        await conn.read();
        conn.send(encodeCommand(['CLIENT', 'INFO']));
        const bytes = (await conn.read()).toString('latin1');
        conn.close();
        const header = /^([$=])(\d+)\r\n/.exec(bytes)!;
        const body = bytes.slice(header[0].length, -2);
        return { kind: header[1], lengthMatches: Number(header[2]) === Buffer.byteLength(body, 'latin1'), prefix: body.slice(0, resp === 3 ? 7 : 3) };
      };
      const emulated = await info(server.port);
      expect(emulated).toEqual(await info(redis.standalone.port));
      expect(emulated.lengthMatches).toBe(true);
    });
  }

  it.each(PROTOCOL_ERRORS)('%s: same bytes, then the connection closes', async (_name, request) => {
    const run = async (port: number) => {
      const conn = await RawConnection.connect(port, redis.host);
      conn.send(Buffer.from(request, 'latin1'));
      const bytes = await conn.readUntilClosed();
      return bytes.toString('latin1');
    };
    const [live, emulated] = await Promise.all([run(redis.standalone.port), run(server.port)]);
    expect(emulated).toBe(live);
    expect(live).not.toBe('');
  });

  it.each(RAW_REQUESTS)('%s: same bytes', async (_name, request, replies) => {
    const run = async (port: number) => {
      const conn = await RawConnection.connect(port, redis.host);
      conn.send(Buffer.from(request, 'latin1'));
      let bytes = replies > 0 ? await conn.read(replies) : Buffer.alloc(0);
      if (replies === 0) {
        // The rest of the split request: its reply comes only now.
        conn.send(Buffer.from('HO\r\n$2\r\nhi\r\n', 'latin1'));
        bytes = await conn.read(1);
      }
      conn.close();
      return bytes.toString('latin1');
    };
    const [live, emulated] = await Promise.all([run(redis.standalone.port), run(server.port)]);
    expect(emulated).toBe(live);
  });

  it('an HTTP request (POST / Host:) closes the connection without a reply, as Redis does', async () => {
    for (const request of ['POST / HTTP/1.1\r\n', 'Host: example\r\n']) {
      const run = async (port: number) => {
        const conn = await RawConnection.connect(port, redis.host);
        conn.send(request);
        return (await conn.readUntilClosed()).toString('latin1');
      };
      expect(await run(server.port)).toBe(await run(redis.standalone.port));
    }
  });

  it('a pipeline of every step in one write answers the same bytes in order', async () => {
    const steps = replyKindSteps(2).filter((s) => s.argv[0] !== 'BLPOP');
    const run = async (port: number) => {
      const conn = await RawConnection.connect(port, redis.host);
      conn.send(Buffer.concat(steps.map((s) => encodeCommand(s.argv))));
      const bytes = await conn.read(steps.length);
      conn.close();
      return bytes.toString('latin1');
    };
    expect(await run(server.port)).toBe(await run(redis.standalone.port));
  });
});

describe('RESP server: protocol limits before authentication', () => {
  // Redis's limits for a connection that must still authenticate (networking.c, since 7.0.? and
  // in 7.4): the live server runs without a password, so these are checked against the source.
  it('more than 10 arguments or a bulk over 16 KiB before AUTH is a protocol error', async () => {
    const cache = new ManagedRedis({ clusterPolicy: 'NoCluster', accessKey: 'secret' });
    const server = await cache.listen();
    try {
      const tooMany = await RawConnection.connect(server.port);
      tooMany.send('*11\r\n');
      expect((await tooMany.readUntilClosed()).toString()).toBe('-ERR Protocol error: unauthenticated multibulk length\r\n');
      const tooLong = await RawConnection.connect(server.port);
      tooLong.send('*2\r\n$4\r\nAUTH\r\n$16385\r\n');
      expect((await tooLong.readUntilClosed()).toString()).toBe('-ERR Protocol error: unauthenticated bulk length\r\n');
      const ok = await RawConnection.connect(server.port);
      ok.send(encodeCommand(['GET', 'k']));
      expect((await ok.read()).toString()).toBe('-NOAUTH Authentication required.\r\n');
      ok.send(encodeCommand(['AUTH', 'secret']));
      expect((await ok.read()).toString()).toBe('+OK\r\n');
      ok.send(encodeCommand(['MSET', 'a', '1', 'b', '2', 'c', '3', 'd', '4', 'e', '5', 'f', '6']));
      expect((await ok.read()).toString()).toBe('+OK\r\n');
      ok.close();
    } finally {
      await server.close();
      cache.close();
    }
  });
});
