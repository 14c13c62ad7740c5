/**
 * Subscriber mode of the ioredis-compatible client, as ioredis 5 implements it:
 *
 * - the connection turns subscriber (`redis.mode === 'subscriber'`, `condition.subscriber` a
 *   {@link SubscriptionSet}) when the first subscribe confirmation arrives, and back to normal
 *   when an unsubscribe confirmation says no subscription is left;
 * - while subscriber, only SUBSCRIBE, PSUBSCRIBE, UNSUBSCRIBE, PUNSUBSCRIBE, SSUBSCRIBE,
 *   SUNSUBSCRIBE, PING and QUIT may be sent (by exact name, as ioredis checks); anything else
 *   rejects with ioredis's own error, without reaching the server;
 * - messages become events: `message` (channel, message as strings, only when someone listens)
 *   and `messageBuffer` (Buffers), `pmessage` (pattern, channel, message) and `pmessageBuffer`
 *   (pattern as a string, channel and message as Buffers), `smessage` and `smessageBuffer`;
 * - after a reconnect the previous subscriptions are subscribed again (`autoResubscribe`).
 */
import type { Reply } from '../protocol/reply.js';
import type { PubSubReplies } from '../pubsub.js';

type SetName = 'subscribe' | 'psubscribe' | 'ssubscribe';

function mapSet(name: string): SetName {
  if (name === 'unsubscribe') return 'subscribe';
  if (name === 'punsubscribe') return 'psubscribe';
  if (name === 'sunsubscribe') return 'ssubscribe';
  return name as SetName;
}

/** ioredis's record of a subscriber connection's channels, by kind. */
export class SubscriptionSet {
  private readonly set: Record<SetName, Record<string, true>> = {
    subscribe: Object.create(null),
    psubscribe: Object.create(null),
    ssubscribe: Object.create(null),
  };

  add(set: string, channel: string): void {
    this.set[mapSet(set)][channel] = true;
  }

  del(set: string, channel: string): void {
    delete this.set[mapSet(set)][channel];
  }

  channels(set: string): string[] {
    return Object.keys(this.set[mapSet(set)]);
  }

  isEmpty(): boolean {
    return (
      this.channels('subscribe').length === 0 &&
      this.channels('psubscribe').length === 0 &&
      this.channels('ssubscribe').length === 0
    );
  }
}

/** ioredis's connection condition: the selected db and the subscriber state. */
export interface Condition {
  select: number;
  subscriber: SubscriptionSet | false;
}

/** Commands ioredis sends on a subscriber connection (its `VALID_IN_SUBSCRIBER_MODE`, case-sensitive). */
const VALID_IN_SUBSCRIBER_MODE = new Set([
  'subscribe',
  'psubscribe',
  'unsubscribe',
  'punsubscribe',
  'ssubscribe',
  'sunsubscribe',
  'ping',
  'quit',
]);

export const SUBSCRIBER_MODE_MESSAGE = 'Connection in subscriber mode, only subscriber commands may be used';

/** True when ioredis would refuse to send `name` on this connection. */
export function refusedInSubscriberMode(condition: Condition | null, name: string): boolean {
  return condition !== null && condition.subscriber !== false && !VALID_IN_SUBSCRIBER_MODE.has(name);
}

function bytes(value: Reply): Buffer {
  if (Buffer.isBuffer(value)) return value;
  return Buffer.from(typeof value === 'string' ? value : String(value), 'utf8');
}

/**
 * A message's payload as ioredis's parser gives it: a Buffer, or — for the client-side caching
 * invalidations on `__redis__:invalidate` — an array of Buffers (the keys; its `toString()` joins
 * them with commas) or null (everything: FLUSHALL/FLUSHDB).
 */
function payloadOf(value: Reply): Buffer | Buffer[] | null {
  if (value === null) return null;
  if (Array.isArray(value)) return value.map(bytes);
  return bytes(value);
}

/** Applies subscribe/unsubscribe confirmations to the condition, as ioredis's data handler does. */
export function applyConfirmations(condition: Condition, replies: PubSubReplies): void {
  for (const reply of replies) {
    if (!Array.isArray(reply)) continue;
    const kind = String(reply[0]);
    const channel = reply[1];
    if (kind === 'subscribe' || kind === 'psubscribe' || kind === 'ssubscribe') {
      if (condition.subscriber === false) condition.subscriber = new SubscriptionSet();
      condition.subscriber.add(kind, bytes(channel).toString());
    } else if (condition.subscriber !== false) {
      if (channel !== null) condition.subscriber.del(kind, bytes(channel).toString());
      if (Number(reply[2]) === 0) condition.subscriber = false;
    }
  }
}

/** The emitter side the client offers. */
interface Emitter {
  listenerCount(event: string): number;
  emit(event: string, ...args: unknown[]): boolean;
}

/** Emits a pushed message as ioredis does (nothing unless the connection is in subscriber mode). */
export function emitMessage(client: Emitter, condition: Condition | null, message: Reply[]): void {
  if (condition === null || condition.subscriber === false) return;
  switch (message[0]) {
    case 'message':
    case 'smessage': {
      const kind = message[0] as string;
      const channel = bytes(message[1]);
      const payload = payloadOf(message[2]);
      // ioredis passes `payload.toString()` (or '' for a nil payload) and the payload as parsed.
      if (client.listenerCount(kind) > 0) client.emit(kind, channel.toString(), payload === null ? '' : payload.toString());
      client.emit(`${kind}Buffer`, channel, payload);
      break;
    }
    case 'pmessage': {
      const pattern = bytes(message[1]).toString();
      const channel = bytes(message[2]);
      const payload = bytes(message[3]);
      if (client.listenerCount('pmessage') > 0) client.emit('pmessage', pattern, channel.toString(), payload.toString());
      client.emit('pmessageBuffer', pattern, channel, payload);
      break;
    }
    default:
      break;
  }
}
