/**
 * Replies as ioredis hands them out. ioredis speaks RESP2 and reads every reply as Buffers, then
 * decodes them as UTF-8 unless a `…Buffer` method was used, so: bulk strings and statuses are
 * strings (or Buffers), integers are numbers (or strings with `stringNumbers`), nils are `null`,
 * RESP3-only shapes take their RESP2 form, and errors inside arrays (EXEC) are ReplyError objects.
 * Reply transformers (HGETALL → object) apply by exact command name, as in ioredis.
 */
import { ReplyError } from '../protocol/errors.js';
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
} from '../protocol/reply.js';
import type { Bytes } from '../keyspace/bytes.js';
import { PubSubReplies } from '../pubsub.js';

/** What a client method resolves with. */
export type ClientReply = string | Buffer | number | null | Error | ClientReply[] | Record<string, unknown>;

/**
 * A 64-bit integer the way ioredis's parser reads it: digit by digit in floating point (so values
 * beyond 2^53 round as they do with a real server), or its exact text with `stringNumbers`.
 */
function bigIntegerValue(value: bigint, stringNumbers: boolean): number | string {
  const text = value.toString();
  if (stringNumbers) return text;
  let n = 0;
  let i = 0;
  let sign = 1;
  if (text.charCodeAt(0) === 45) {
    sign = -1;
    i = 1;
  }
  for (; i < text.length; i++) n = n * 10 + (text.charCodeAt(i) - 48);
  return sign * n;
}

function bulk(value: string, buffers: boolean): string | Buffer {
  return buffers ? Buffer.from(value, 'utf8') : value;
}

/** Converts a typed reply to what ioredis resolves with. */
export function convertReply(reply: Reply, buffers: boolean, stringNumbers: boolean): ClientReply {
  if (typeof reply === 'string') return buffers ? Buffer.from(reply, 'utf8') : reply;
  if (typeof reply === 'number') return stringNumbers ? String(reply) : reply;
  if (reply === null) return null;
  if (Buffer.isBuffer(reply)) return buffers ? reply : reply.toString('utf8');
  if (Array.isArray(reply)) {
    // A subscribe-family command resolves with the count of its last confirmation (ioredis).
    if (reply instanceof PubSubReplies) return convertReply((reply[reply.length - 1] as Reply[])[2], buffers, stringNumbers);
    const out: ClientReply[] = new Array(reply.length);
    for (let i = 0; i < reply.length; i++) out[i] = convertReply(reply[i], buffers, stringNumbers);
    return out;
  }
  if (typeof reply === 'bigint') return bigIntegerValue(reply, stringNumbers);
  if (reply instanceof StatusReply) return bulk(reply.value, buffers);
  if (reply instanceof DoubleReply) return bulk(reply.toString(), buffers);
  if (reply instanceof MapReply) {
    const flat: ClientReply[] = [];
    for (const [k, v] of reply.entries) flat.push(convertReply(k, buffers, stringNumbers), convertReply(v, buffers, stringNumbers));
    return flat;
  }
  if (reply instanceof SetReply) return reply.items.map((item) => convertReply(item, buffers, stringNumbers));
  if (reply instanceof BoolReply) return stringNumbers ? (reply.value ? '1' : '0') : reply.value ? 1 : 0;
  if (reply instanceof VerbatimReply) return bulk(reply.text, buffers);
  if (reply instanceof BigNumberReply) return bulk(reply.value.toString(), buffers);
  if (reply instanceof NullArrayReply) return null;
  // An error inside an array (EXEC): ioredis's parser makes a new ReplyError for each.
  if (reply instanceof Error) return new ReplyError(reply.message);
  return reply as never;
}

/** Rewrites a converted reply; registered by exact command name. */
export type ReplyTransformer = (result: unknown) => unknown;

/** HGETALL's flat array → an object (keys such as `__proto__` become own data properties). */
function hgetallTransformer(result: unknown): unknown {
  if (!Array.isArray(result)) return result;
  const obj: Record<string, unknown> = {};
  for (let i = 0; i < result.length; i += 2) {
    const key = result[i] as string;
    const value = result[i + 1];
    if (key in obj) {
      Object.defineProperty(obj, key, { value, configurable: true, enumerable: true, writable: true });
    } else {
      obj[key] = value;
    }
  }
  return obj;
}

/**
 * Reply transformers by exact command name, as ioredis registers them (`hgetall` and
 * `hgetallBuffer` give objects, `call('HGETALL', …)` an array). `Command.setReplyTransformer`
 * adds to it.
 */
export const replyTransformers: Record<string, ReplyTransformer> = Object.assign(Object.create(null), {
  hgetall: hgetallTransformer,
});

/** The connection-level error ioredis rejects with once a connection has ended. */
export const CONNECTION_CLOSED_MESSAGE = 'Connection is closed.';

/**
 * An error reply as ioredis rejects with it: a fresh ReplyError (never a shared instance) carrying
 * the command it answered in `command`.
 */
export function replyErrorFor(error: Error, name: string, argv: readonly Bytes[]): ReplyError {
  const fresh = new ReplyError(error.message);
  (fresh as ReplyError & { command?: unknown }).command = { name, args: argv.slice(1) };
  return fresh;
}
