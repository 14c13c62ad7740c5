/**
 * The RESP wire format: a streaming request parser (multibulk and inline requests, as
 * redis-server's `processMultibulkBuffer` / `processInlineBuffer` read them, with their protocol
 * error texts) and an encoder from the one reply shape (reply.ts) to RESP2 or RESP3 bytes, as
 * redis-server renders each reply kind.
 *
 * No I/O here: src/server/server.ts feeds socket data in and writes the encoded replies out.
 */
import { PushMessage, PubSubReplies } from '../pubsub.js';
import type { Bytes } from '../keyspace/bytes.js';
import {
  BigNumberReply,
  BoolReply,
  DoubleReply,
  MapReply,
  NullArrayReply,
  SetReply,
  StatusReply,
  VerbatimReply,
  type Reply,
} from './reply.js';

// ------------------------------------------------------------------------------------------------
// Requests

/** Longest line Redis waits for before refusing it (PROTO_INLINE_MAX_SIZE). */
export const PROTO_INLINE_MAX_SIZE = 64 * 1024;
/** Most arguments in one multibulk request (Redis checks `ll > INT_MAX`). */
const MAX_MULTIBULK = 2147483647;
/** Limits for a connection that has not authenticated yet (Redis's `authRequired`). */
const UNAUTH_MAX_ARGS = 10;
const UNAUTH_MAX_BULK = 16384;
/** Arguments up to this many ASCII bytes become strings (cheaper for keys); others stay bytes. */
const SHORT_ASCII_ARG = 128;

const CR = 13;
const LF = 10;
const NUL = 0;

/** A protocol error: the reply text (`ERR Protocol error: …`), after which Redis closes the connection. */
export class ProtocolError {
  constructor(readonly message: string) {}
}

/** What the parser needs to know about the connection it reads for. */
export interface ParserContext {
  /** True while the connection must still authenticate (the unauthenticated request limits apply). */
  authRequired(): boolean;
  /** The `proto-max-bulk-len` setting: the longest bulk argument. */
  maxBulkLength(): number;
}

/**
 * Reads requests from a byte stream. `push` each chunk as it arrives, then call `next()` until it
 * answers null (more bytes needed): each call answers one request's argv, or a
 * {@link ProtocolError} (the connection is then unusable: Redis replies with it and closes).
 * Empty requests (`*0`, `*-1`, blank inline lines) are skipped, as Redis skips them.
 */
export class RequestParser {
  private buffer: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** Chunks received after `buffer`, joined only when needed (a long argument is joined once). */
  private chunks: Buffer[] = [];
  private chunkBytes = 0;
  /** Arguments still expected in the multibulk request being read (0: between requests). */
  private multibulk = 0;
  /** Length of the bulk argument being read, or -1 before its `$` line. */
  private bulk = -1;
  private args: Bytes[] = [];
  private failed: ProtocolError | null = null;

  constructor(private readonly context: ParserContext) {}

  /** Bytes received but not yet consumed. */
  get pending(): number {
    return this.buffer.length - this.pos + this.chunkBytes;
  }

  /** Bytes of the arguments of a request read so far, its last argument still arriving (Redis shows them as `argv-mem`). */
  get partialArgBytes(): number {
    let sum = 0;
    for (const arg of this.args) sum += typeof arg === 'string' ? Buffer.byteLength(arg) : arg.length;
    return sum;
  }

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.chunkBytes += chunk.length;
  }

  private join(): void {
    if (this.chunks.length === 0) return;
    const parts = this.pos < this.buffer.length ? [this.buffer.subarray(this.pos), ...this.chunks] : this.chunks;
    this.buffer = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    this.pos = 0;
    this.chunks = [];
    this.chunkBytes = 0;
  }

  next(): Bytes[] | ProtocolError | null {
    if (this.failed !== null) return this.failed;
    // A bulk argument still arriving: wait until all of it is here, then join the chunks once.
    if (this.bulk >= 0 && this.pending < this.bulk + 2) return null;
    this.join();
    while (this.pos < this.buffer.length) {
      const result = this.multibulk > 0 || this.buffer[this.pos] === 0x2a /* '*' */ ? this.readMultibulk() : this.readInline();
      if (result === null) return null;
      if (result instanceof ProtocolError) return (this.failed = result);
      if (result.length > 0) return result;
    }
    return null;
  }

  /**
   * Where `byte` is, searching like C's strchr over the buffer: a NUL byte ends the search (Redis's
   * query buffer is searched as a C string), so the answer is -1 then as when it is absent.
   */
  private find(byte: number, from: number): number {
    const buffer = this.buffer;
    for (let i = from; i < buffer.length; i++) {
      const b = buffer[i];
      if (b === byte) return i;
      if (b === NUL) return -1;
    }
    return -1;
  }

  private fail(message: string): ProtocolError {
    return new ProtocolError(`ERR Protocol error: ${message}`);
  }

  /** One inline request (`SET k v\r\n`): its argv ([] for a blank line), null when incomplete. */
  private readInline(): Bytes[] | ProtocolError | null {
    const start = this.pos;
    const newline = this.find(LF, start);
    if (newline < 0) {
      return this.buffer.length - start > PROTO_INLINE_MAX_SIZE ? this.fail('too big inline request') : null;
    }
    const end = newline > start && this.buffer[newline - 1] === CR ? newline - 1 : newline;
    const args = splitInlineArgs(this.buffer.subarray(start, end));
    if (args === null) return this.fail('unbalanced quotes in request');
    this.pos = newline + 1;
    return args.map(toArg);
  }

  /** One multibulk request (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`), null when incomplete. */
  private readMultibulk(): Bytes[] | ProtocolError | null {
    const buffer = this.buffer;
    if (this.multibulk === 0) {
      const newline = this.find(CR, this.pos);
      if (newline < 0) {
        return buffer.length - this.pos > PROTO_INLINE_MAX_SIZE ? this.fail('too big mbulk count string') : null;
      }
      if (newline + 1 >= buffer.length) return null; // the \n is not here yet
      const count = parseLongLong(buffer, this.pos + 1, newline);
      if (count === null || count > MAX_MULTIBULK) return this.fail('invalid multibulk length');
      if (count > UNAUTH_MAX_ARGS && this.context.authRequired()) return this.fail('unauthenticated multibulk length');
      this.pos = newline + 2;
      if (count <= 0) return [];
      this.multibulk = count;
      this.args = [];
    }
    while (this.multibulk > 0) {
      if (this.bulk === -1) {
        const newline = this.find(CR, this.pos);
        if (newline < 0) {
          return buffer.length - this.pos > PROTO_INLINE_MAX_SIZE ? this.fail('too big bulk count string') : null;
        }
        if (newline + 1 >= buffer.length) return null;
        if (buffer[this.pos] !== 0x24 /* '$' */) {
          return this.fail(`expected '$', got '${String.fromCharCode(buffer[this.pos])}'`);
        }
        const length = parseLongLong(buffer, this.pos + 1, newline);
        if (length === null || length < 0 || length > this.context.maxBulkLength()) return this.fail('invalid bulk length');
        if (length > UNAUTH_MAX_BULK && this.context.authRequired()) return this.fail('unauthenticated bulk length');
        this.pos = newline + 2;
        this.bulk = length;
      }
      // Redis takes the two bytes after the argument as its CRLF without looking at them.
      if (buffer.length - this.pos < this.bulk + 2) return null;
      this.args.push(toArg(buffer.subarray(this.pos, this.pos + this.bulk)));
      this.pos += this.bulk + 2;
      this.bulk = -1;
      this.multibulk--;
    }
    const args = this.args;
    this.args = [];
    return args;
  }
}

/**
 * An argument from the wire: short ASCII arguments as strings (the canonical key form, so keys
 * need no conversion), anything else as a copy of its bytes (a slice would pin the whole chunk
 * for as long as the value is stored).
 */
function toArg(bytes: Buffer): Bytes {
  if (bytes.length <= SHORT_ASCII_ARG) {
    let ascii = true;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (ascii) return bytes.toString('latin1');
  }
  return Buffer.from(bytes);
}

/**
 * Redis's `string2ll` over `buffer[from, to)`: an optional `-`, then digits without leading zeros
 * ("0" alone is fine), within the signed 64-bit range; anything else is null.
 */
function parseLongLong(buffer: Buffer, from: number, to: number): number | null {
  const length = to - from;
  if (length === 0 || length > 20) return null;
  let i = from;
  const negative = buffer[i] === 0x2d;
  if (negative) {
    i++;
    if (i === to) return null;
  }
  if (buffer[i] === 0x30) return length === 1 ? 0 : null;
  let value = 0n;
  for (; i < to; i++) {
    const digit = buffer[i] - 0x30;
    if (digit < 0 || digit > 9) return null;
    value = value * 10n + BigInt(digit);
  }
  if (negative) value = -value;
  if (value > 9223372036854775807n || value < -9223372036854775808n) return null;
  return Number(value);
}

function isSpace(byte: number): boolean {
  // C's isspace: space, \t, \n, \v, \f, \r
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

/** `\n`, `\r`, `\t`, `\b`, `\a` inside double quotes; any other escaped byte stands for itself. */
const ESCAPES = new Map<number, number>([
  [0x6e, 0x0a],
  [0x72, 0x0d],
  [0x74, 0x09],
  [0x62, 0x08],
  [0x61, 0x07],
]);

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x61 + 10;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x41 + 10;
  return -1;
}

/**
 * Splits an inline request line as Redis's `sdssplitargs` does: blanks separate arguments,
 * `"…"` understands `\xHH`, `\n`, `\r`, `\t`, `\b`, `\a` and `\<any>`, `'…'` understands `\'`, a
 * closing quote must be followed by a blank or the end. Null for unbalanced quotes.
 */
export function splitInlineArgs(line: Buffer): Buffer[] | null {
  const args: Buffer[] = [];
  const n = line.length;
  let p = 0;
  // The line is a C string to sdssplitargs: a NUL ends it (the parser never passes one).
  const at = (i: number): number => (i < n ? line[i] : 0);
  for (;;) {
    while (p < n && isSpace(line[p])) p++;
    if (p >= n) return args;
    const current: number[] = [];
    let inDouble = false;
    let inSingle = false;
    let done = false;
    while (!done) {
      const c = at(p);
      if (inDouble) {
        if (c === 0x5c && at(p + 1) === 0x78 && hexValue(at(p + 2)) >= 0 && hexValue(at(p + 3)) >= 0) {
          current.push(hexValue(at(p + 2)) * 16 + hexValue(at(p + 3)));
          p += 3;
        } else if (c === 0x5c && at(p + 1) !== 0) {
          p++;
          const escaped = at(p);
          current.push(ESCAPES.get(escaped) ?? escaped);
        } else if (c === 0x22) {
          if (at(p + 1) !== 0 && !isSpace(at(p + 1))) return null;
          done = true;
        } else if (c === 0) {
          return null;
        } else {
          current.push(c);
        }
      } else if (inSingle) {
        if (c === 0x5c && at(p + 1) === 0x27) {
          p++;
          current.push(0x27);
        } else if (c === 0x27) {
          if (at(p + 1) !== 0 && !isSpace(at(p + 1))) return null;
          done = true;
        } else if (c === 0) {
          return null;
        } else {
          current.push(c);
        }
      } else if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0) {
        done = true;
      } else if (c === 0x22) {
        inDouble = true;
      } else if (c === 0x27) {
        inSingle = true;
      } else {
        current.push(c);
      }
      if (p < n) p++;
    }
    args.push(Buffer.from(current));
  }
}

// ------------------------------------------------------------------------------------------------
// Replies

/**
 * Collects the bytes of replies: ASCII/UTF-8 text accumulates in a string, byte values are added
 * as they are, so encoding a reply copies each value once.
 */
export class ReplyWriter {
  private parts: Buffer[] = [];
  private text = '';

  /** Appends the encoding of `reply` in protocol `resp`. */
  reply(reply: Reply, resp: 2 | 3): this {
    this.write(reply, resp);
    return this;
  }

  /**
   * Appends an out-of-band message (pub/sub message, keyspace notification, invalidation): a
   * RESP3 push (`>`), a plain array in RESP2.
   */
  push(message: readonly Reply[], resp: 2 | 3): this {
    this.text += `${resp === 3 ? '>' : '*'}${message.length}\r\n`;
    for (const item of message) this.write(item, resp);
    return this;
  }

  /** An error reply with `message` (its code first, e.g. `ERR …`). */
  error(message: string): this {
    // Redis never lets a newline into an error line (it would break the protocol).
    this.text += `-${message.replace(/[\r\n]/g, ' ')}\r\n`;
    return this;
  }

  /** Everything written so far, as one Buffer; the writer is empty afterwards. */
  take(): Buffer {
    this.flush();
    const parts = this.parts;
    this.parts = [];
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }

  private flush(): void {
    if (this.text !== '') {
      this.parts.push(Buffer.from(this.text, 'utf8'));
      this.text = '';
    }
  }

  private bulk(value: string | Buffer): void {
    if (typeof value === 'string') {
      this.text += `$${Buffer.byteLength(value, 'utf8')}\r\n${value}\r\n`;
      return;
    }
    this.text += `$${value.length}\r\n`;
    this.flush();
    this.parts.push(value);
    this.text = '\r\n';
  }

  private write(reply: Reply, resp: 2 | 3): void {
    if (typeof reply === 'string' || Buffer.isBuffer(reply)) return this.bulk(reply);
    if (typeof reply === 'number' || typeof reply === 'bigint') {
      this.text += `:${reply}\r\n`;
      return;
    }
    if (reply === null || reply === undefined) {
      this.text += resp === 3 ? '_\r\n' : '$-1\r\n';
      return;
    }
    if (Array.isArray(reply)) {
      this.text += `${reply instanceof PushMessage && resp === 3 ? '>' : '*'}${reply.length}\r\n`;
      for (const item of reply) this.write(item, resp);
      return;
    }
    if (reply instanceof StatusReply) {
      this.text += `+${reply.value}\r\n`;
    } else if (reply instanceof DoubleReply) {
      if (resp === 3) this.text += `,${reply.toString()}\r\n`;
      else this.bulk(reply.toString());
    } else if (reply instanceof MapReply) {
      this.text += resp === 3 ? `%${reply.entries.length}\r\n` : `*${reply.entries.length * 2}\r\n`;
      for (const [key, value] of reply.entries) {
        this.write(key, resp);
        this.write(value, resp);
      }
    } else if (reply instanceof SetReply) {
      this.text += `${resp === 3 ? '~' : '*'}${reply.items.length}\r\n`;
      for (const item of reply.items) this.write(item, resp);
    } else if (reply instanceof BoolReply) {
      if (resp === 3) this.text += reply.value ? '#t\r\n' : '#f\r\n';
      else this.text += reply.value ? ':1\r\n' : ':0\r\n';
    } else if (reply instanceof VerbatimReply) {
      if (resp === 3) {
        const body = `${reply.format}:${reply.text}`;
        this.text += `=${Buffer.byteLength(body, 'utf8')}\r\n${body}\r\n`;
      } else {
        this.bulk(reply.text);
      }
    } else if (reply instanceof BigNumberReply) {
      if (resp === 3) this.text += `(${reply.value}\r\n`;
      else this.bulk(reply.value.toString());
    } else if (reply instanceof NullArrayReply) {
      this.text += resp === 3 ? '_\r\n' : '*-1\r\n';
    } else if (reply instanceof Error) {
      this.error(reply.name === 'ReplyError' ? reply.message : `ERR ${reply.message}`);
    } else {
      this.error(`ERR reply of unknown kind`);
    }
  }
}

/**
 * The bytes of a command's reply in protocol `resp`. A subscribe-family command's confirmations
 * ({@link PubSubReplies}) are separate replies, one after the other (pushes in RESP3).
 */
export function encodeReply(reply: Reply, resp: 2 | 3): Buffer {
  const writer = new ReplyWriter();
  if (reply instanceof PubSubReplies) {
    for (const confirmation of reply) writer.reply(confirmation, resp);
  } else {
    writer.reply(reply, resp);
  }
  return writer.take();
}

/** The bytes of an out-of-band message (a push in RESP3, an array in RESP2). */
export function encodePush(message: readonly Reply[], resp: 2 | 3): Buffer {
  return new ReplyWriter().push(message, resp).take();
}
