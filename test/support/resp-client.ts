/**
 * A tiny raw RESP2/RESP3 client over `node:net` for the live tests. It sends argv lists (strings,
 * Buffers, numbers) and answers each in the oracle transcripts' typed form (see `Typed` in
 * test/support/oracle.ts), so a live reply and an emulator reply compare with `sameReply`:
 *
 *   `["+",s]` status, `["-",s]` error, `[":",s]` integer, `["$",s]` UTF-8 bulk, `["$64",b64]`
 *   other bulk, `["*",[…]]` array, `["_"]` any null, `[",",s]` double, `["#",bool]`,
 *   `["(",s]` big number, `["=",s]` verbatim (`txt:…`), `["%",[[k,v]…]]` map, `["~",[…]]` set.
 *
 * Replies are matched to requests in order, so calls may be pipelined freely. RESP3 push messages
 * (`>`) are out of band: they collect in `pushes`.
 */
import { connect, type Socket } from 'node:net';
import type { Typed } from './oracle.js';

export type Arg = string | Buffer | number | bigint;

const CRLF = Buffer.from('\r\n');

/** Encodes one command as a RESP array of bulk strings. */
export function encodeCommand(argv: readonly Arg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`)];
  for (const arg of argv) {
    const bytes = Buffer.isBuffer(arg) ? arg : Buffer.from(String(arg), 'utf8');
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, CRLF);
  }
  return Buffer.concat(parts);
}

/** A bulk string in typed form: `$` when its bytes are valid UTF-8 (round-trip), else `$64`. */
export function typedBulk(bytes: Buffer): Typed {
  const decoded = bytes.toString('utf8');
  return Buffer.from(decoded, 'utf8').equals(bytes) ? ['$', decoded] : ['$64', bytes.toString('base64')];
}

/** Thrown inside the parser when the buffer holds only part of a reply. */
const INCOMPLETE = Symbol('incomplete');

/**
 * Parses one reply starting at `pos`; returns it and the position after it, or throws INCOMPLETE.
 * Attributes (`|`) are read and dropped.
 */
export function parseReply(buf: Buffer, pos: number): [Typed, number] {
  const lineEnd = buf.indexOf(CRLF, pos);
  if (lineEnd === -1) throw INCOMPLETE;
  const kind = String.fromCharCode(buf[pos]);
  const line = buf.toString('utf8', pos + 1, lineEnd);
  let next = lineEnd + 2;
  const blob = (): Buffer => {
    const length = Number(line);
    if (buf.length < next + length + 2) throw INCOMPLETE;
    const bytes = buf.subarray(next, next + length);
    next += length + 2;
    return bytes;
  };
  const items = (count: number): Typed[] => {
    const out: Typed[] = [];
    for (let i = 0; i < count; i++) {
      const [item, after] = parseReply(buf, next);
      out.push(item);
      next = after;
    }
    return out;
  };
  switch (kind) {
    case '+':
      return [['+', line], next];
    case '-':
      return [['-', line], next];
    case ':':
      return [[':', line], next];
    case ',':
      return [[',', line], next];
    case '(':
      return [['(', line], next];
    case '#':
      return [['#', line === 't'], next];
    case '_':
      return [['_'], next];
    case '$':
      if (line === '-1') return [['_'], next];
      return [typedBulk(Buffer.from(blob())), next];
    case '!':
      return [['-', blob().toString('utf8')], next];
    case '=':
      return [['=', blob().toString('utf8')], next];
    case '*':
      if (line === '-1') return [['_'], next];
      return [['*', items(Number(line))], next];
    case '~':
      return [['~', items(Number(line))], next];
    case '>':
      return [['>', items(Number(line))], next];
    case '%': {
      const flat = items(Number(line) * 2);
      const entries: Typed[][] = [];
      for (let i = 0; i < flat.length; i += 2) entries.push([flat[i], flat[i + 1]]);
      return [['%', entries], next];
    }
    case '|': {
      items(Number(line) * 2); // attribute map: ignored
      return parseReply(buf, next);
    }
    default:
      throw new Error(`RESP protocol error: unexpected type byte ${JSON.stringify(kind)} at ${pos}`);
  }
}

interface Pending {
  resolve(reply: Typed): void;
  reject(error: Error): void;
}

export class RespClient {
  /** RESP3 push messages received so far. */
  readonly pushes: Typed[] = [];
  /** The protocol in use (set by `hello`). */
  resp: 2 | 3 = 2;
  private readonly pending: Pending[] = [];
  private buffer: Buffer = Buffer.alloc(0);
  private closedError: Error | null = null;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  /** Connects to `host:port`. */
  static connect(port: number, host = '127.0.0.1', timeoutMs = 5_000): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} timed out`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', reject);
        resolve(new RespClient(socket));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  /** Sends one command; resolves with its typed reply (errors are replies, not rejections). */
  call(argv: readonly Arg[]): Promise<Typed> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.socket.write(encodeCommand(argv));
    });
  }

  /** Sends several commands in one write; resolves with their replies in order. */
  pipeline(commands: readonly (readonly Arg[])[]): Promise<Typed[]> {
    if (this.closedError) return Promise.reject(this.closedError);
    const replies = commands.map(
      () => new Promise<Typed>((resolve, reject) => this.pending.push({ resolve, reject })),
    );
    this.socket.write(Buffer.concat(commands.map(encodeCommand)));
    return Promise.all(replies);
  }

  /** Switches protocol with `HELLO <2|3>`; returns the HELLO reply. */
  async hello(version: 2 | 3): Promise<Typed> {
    const reply = await this.call(['HELLO', String(version)]);
    if (reply[0] !== '-') this.resp = version;
    return reply;
  }

  /** Closes the connection (pending calls reject). */
  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    let pos = 0;
    while (pos < this.buffer.length) {
      let reply: Typed;
      let after: number;
      try {
        [reply, after] = parseReply(this.buffer, pos);
      } catch (error) {
        if (error === INCOMPLETE) break;
        this.fail(error as Error);
        this.socket.destroy();
        return;
      }
      pos = after;
      if (reply[0] === '>') {
        this.pushes.push(reply);
        continue;
      }
      const waiter = this.pending.shift();
      if (waiter) waiter.resolve(reply);
    }
    this.buffer = pos === this.buffer.length ? Buffer.alloc(0) : this.buffer.subarray(pos);
  }

  private fail(error: Error): void {
    if (this.closedError === null) this.closedError = error;
    for (const waiter of this.pending.splice(0)) waiter.reject(error);
  }
}
