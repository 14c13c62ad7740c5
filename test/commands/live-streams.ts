/**
 * Helpers for the pub/sub, notification and transaction tests that compare the emulator with a
 * live `redis-server`:
 *
 * - {@link privateServer}: a `redis-server` of the test file's own (its keyspace and settings may
 *   be flushed and changed freely, which the shared fleet forbids);
 * - {@link RespStream}: a raw connection that records everything the server sends, replies and
 *   pushes alike, in arrival order — what a subscriber sees — cut into steps with a PING sentinel;
 * - {@link EmulatedStream}: the same record for an emulator connection, built from its replies
 *   (subscribe confirmations split as Redis writes them) and its pushed messages.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePorts, startServer, stopServer, HOST } from '../support/redis-server.js';
import { encodeCommand, parseReply, type Arg } from '../support/resp-client.js';
import { toTyped, type Typed } from '../support/oracle.js';
import type { ManagedRedis } from '../../src/managed-redis.js';
import type { ClientState } from '../../src/core-types.js';
import type { Bytes } from '../../src/keyspace/bytes.js';
import { PubSubReplies } from '../../src/pubsub.js';
import { NO_REPLY, type Reply } from '../../src/protocol/reply.js';

/**
 * Starts a `redis-server` for one test file (with `extraArgs` on its command line); `stop()` ends
 * it and removes its directory.
 */
export async function privateServer(extraArgs: readonly string[] = []): Promise<{ port: number; stop(): Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'amr-emulator-private-'));
  const [port] = await freePorts(1);
  const server = await startServer(dir, port, undefined, extraArgs);
  return {
    port,
    stop: async () => {
      await stopServer(server);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const SENTINEL = '__stream_sync__';

function isSentinel(item: Typed, token: string): boolean {
  if (item[0] === '$') return item[1] === token;
  // A RESP2 subscriber answers PING with ["pong", message].
  if (item[0] === '*' && Array.isArray(item[1]) && item[1].length === 2) {
    const [kind, message] = item[1] as Typed[];
    return kind[1] === 'pong' && message[1] === token;
  }
  return false;
}

/** A raw connection recording every reply and push in arrival order. */
export class RespStream {
  private readonly items: Typed[] = [];
  private buffer: Buffer = Buffer.alloc(0);
  private waiter: (() => void) | null = null;
  private counter = 0;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => {});
  }

  static connect(port: number, host = HOST): Promise<RespStream> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host });
      socket.once('connect', () => resolve(new RespStream(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends a command without waiting. */
  send(argv: readonly Arg[]): void {
    this.socket.write(encodeCommand(argv));
  }

  /** Everything received since the last sync, once the server has answered a PING sentinel. */
  async sync(timeoutMs = 2000): Promise<Typed[]> {
    const token = `${SENTINEL}${++this.counter}`;
    this.send(['PING', token]);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.items.findIndex((item) => isSentinel(item, token));
      if (at >= 0) return this.items.splice(0, at + 1).slice(0, at);
      if (Date.now() > deadline) throw new Error(`no answer to the sync PING (have ${JSON.stringify(this.items)})`);
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setTimeout(resolve, 20);
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    let pos = 0;
    while (pos < this.buffer.length) {
      try {
        const [item, after] = parseReply(this.buffer, pos);
        this.items.push(item);
        pos = after;
      } catch (error) {
        if (typeof error === 'symbol') break; // incomplete
        throw error;
      }
    }
    this.buffer = this.buffer.subarray(pos);
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }
}

/** Renders a pushed message or confirmation as the protocol sends it (a push in RESP3). */
function pushTyped(message: Reply[], resp: 2 | 3): Typed {
  return [resp === 3 ? '>' : '*', message.map((m) => toTyped(m, resp))];
}

/** An emulator connection recording its replies and pushes the way {@link RespStream} does. */
export class EmulatedStream {
  readonly client: ClientState;
  private items: Typed[] = [];

  constructor(
    private readonly cache: ManagedRedis,
    resp: 2 | 3 = 2,
  ) {
    this.client = cache.openClient({ name: null });
    this.client.resp = resp;
    this.client.push = (message) => this.items.push(pushTyped(message, this.client.resp));
  }

  /** Runs a command; its reply (confirmations one by one) joins the record after any pushes it caused. */
  send(argv: readonly Bytes[]): void {
    let reply: Reply;
    try {
      reply = this.cache.executeReply(argv, this.client);
    } catch (error) {
      this.items.push(['-', (error as Error).message]);
      return;
    }
    // CLIENT REPLY OFF / SKIP: nothing is sent.
    if (reply === NO_REPLY) return;
    if (reply instanceof PubSubReplies) {
      for (const item of reply) this.items.push(pushTyped(item as Reply[], this.client.resp));
    } else {
      this.items.push(toTyped(reply, this.client.resp));
    }
  }

  /** Everything recorded since the last call. */
  sync(): Typed[] {
    const out = this.items;
    this.items = [];
    return out;
  }
}
