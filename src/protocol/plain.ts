/**
 * Turning a typed reply into the plain JavaScript values ioredis gives (RESP2 shapes): statuses
 * and bulk strings as strings (or Buffers when asked), integers as numbers, maps flattened.
 */
import { ReplyError } from './errors.js';
import {
  BigNumberReply,
  BoolReply,
  DoubleReply,
  MapReply,
  NoReply,
  NullArrayReply,
  OK,
  SetReply,
  StatusReply,
  VerbatimReply,
  type Reply,
} from './reply.js';

/** A reply as ioredis returns it. Errors inside arrays (EXEC) stay Error objects. */
export type PlainReply = string | Buffer | number | null | Error | PlainReply[];

/** Converts a reply; `buffers` gives bulk strings as Buffers (the `…Buffer` methods). */
export function toPlain(reply: Reply, buffers: boolean): PlainReply {
  if (typeof reply === 'string') return buffers ? Buffer.from(reply, 'utf8') : reply;
  if (typeof reply === 'number') return reply;
  if (reply === null) return null;
  // Every successful write answers the one OK status: skip the Buffer check (a prototype walk).
  if (reply === OK) return buffers ? Buffer.from('OK') : 'OK';
  if (Buffer.isBuffer(reply)) return buffers ? reply : reply.toString('utf8');
  if (typeof reply === 'bigint') return Number(reply);
  if (Array.isArray(reply)) return reply.map((item) => toPlain(item, buffers));
  if (reply instanceof StatusReply) return buffers ? Buffer.from(reply.value) : reply.value;
  if (reply instanceof DoubleReply) return toPlain(reply.toString(), buffers);
  if (reply instanceof MapReply) {
    const flat: PlainReply[] = [];
    for (const [k, v] of reply.entries) flat.push(toPlain(k, buffers), toPlain(v, buffers));
    return flat;
  }
  if (reply instanceof SetReply) return reply.items.map((item) => toPlain(item, buffers));
  if (reply instanceof BoolReply) return reply.value ? 1 : 0;
  if (reply instanceof VerbatimReply) return toPlain(reply.text, buffers);
  if (reply instanceof BigNumberReply) return toPlain(reply.value.toString(), buffers);
  if (reply instanceof NullArrayReply) return null;
  // CLIENT REPLY OFF / SKIP: the synchronous API answers null for "no reply".
  if (reply instanceof NoReply) return null;
  if (reply instanceof Error) return reply;
  return reply as never;
}

export { ReplyError };
