/**
 * Pub/sub: channels, patterns and shard channels per cache, as Redis keeps them.
 *
 * - Subscriptions live on a per-cache hub (created at the first SUBSCRIBE; a cache nobody
 *   subscribes on pays nothing) and on the connection (`client.pubsub`, `client.subscriptions`).
 * - A message goes to a connection through `client.push` (see core-types.ts), synchronously and
 *   in order; the facade decides when to hand it on (the ioredis-compatible client uses a
 *   microtask). A connection without a `push` callback drops its messages.
 * - The subscribe family answers with one confirmation per channel, which Redis sends as separate
 *   replies (RESP2 arrays, RESP3 pushes): the command's reply is a {@link PubSubReplies} holding
 *   them in order, so a facade can tell them from an ordinary array reply.
 * - PUBLISH reaches channel subscribers first (in subscription order), then pattern subscribers
 *   (patterns in the order they were first subscribed to); a connection matching through two
 *   patterns gets two messages and counts twice, as in Redis.
 * - A connection in RESP2 with any subscription may only run (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE,
 *   PING, QUIT and RESET ({@link checkSubscriberContext}, called by dispatch).
 *
 * Channel names, patterns and payloads are bytes: names are kept as latin1 byte strings (as keys
 * are) and come back as `keyReply` values.
 */
import type { CacheCore, ClientState, ClientSubscriptions } from './core-types.js';
import { keyName, keyReply, type Bytes } from './keyspace/bytes.js';
import { compileGlob, type GlobMatcher } from './keyspace/glob.js';
import { slotOfName } from './cluster/slots.js';
import { ReplyError } from './protocol/errors.js';
import type { Reply } from './protocol/reply.js';
import type { OptionalStats } from './info.js';
import { attachNotifier } from './notifications.js';

/**
 * The confirmations of a subscribe-family command (`['subscribe', channel, count]` …), which Redis
 * writes as one reply each. An array, so every facade that handles arrays handles it; a RESP
 * writer sends each item on its own (as a push under RESP3).
 */
export class PubSubReplies extends Array<Reply> {}

/**
 * One subscribe confirmation: `[kind, channel, count]`, a push under RESP3 (also where EXEC's
 * array holds it). An array like any other for everything else.
 */
export class PushMessage extends Array<Reply> {}

function confirmation(kind: string, channel: Reply, count: number): PushMessage {
  const message = new PushMessage();
  message.push(kind, channel, count);
  return message;
}

/** What kind of subscription: channels (SUBSCRIBE), patterns (PSUBSCRIBE), shard channels (SSUBSCRIBE). */
export type SubscriptionKind = 'channel' | 'pattern' | 'shard';

const SUBSCRIBE_NAMES: Record<SubscriptionKind, readonly [string, string]> = {
  channel: ['subscribe', 'unsubscribe'],
  pattern: ['psubscribe', 'punsubscribe'],
  shard: ['ssubscribe', 'sunsubscribe'],
};

interface PatternEntry {
  readonly match: GlobMatcher;
  readonly clients: Set<ClientState>;
}

/** Told when the cache goes from no subscription to some, or back (keyspace notifications listen). */
export type SubscriptionWatcher = () => void;

/** The per-cache registry of subscriptions. */
export class PubSubHub {
  /** Channel → subscribers, in subscription order. */
  readonly channels = new Map<string, Set<ClientState>>();
  /** Pattern → its matcher and subscribers. */
  readonly patterns = new Map<string, PatternEntry>();
  /** Shard channel → subscribers. */
  readonly shardChannels = new Map<string, Set<ClientState>>();
  /** Called after channel or pattern subscriptions change (not shard ones). */
  readonly watchers: SubscriptionWatcher[] = [];

  constructor(readonly cache: CacheCore) {}

  /** True when some connection subscribes to a channel or a pattern (keyspace events may reach it). */
  get listening(): boolean {
    return this.channels.size !== 0 || this.patterns.size !== 0;
  }

  subscribe(client: ClientState, kind: SubscriptionKind, names: readonly Bytes[]): PubSubReplies {
    const subs = subscriptionsOf(client);
    const replies = new PubSubReplies();
    const verb = SUBSCRIBE_NAMES[kind][0];
    let changed = false;
    for (const arg of names) {
      const name = keyName(arg);
      const own = kind === 'channel' ? subs.channels : kind === 'pattern' ? subs.patterns : subs.shardChannels;
      if (!own.has(name)) {
        own.add(name);
        client.subscriptions++;
        changed = true;
        if (kind === 'pattern') {
          let entry = this.patterns.get(name);
          if (entry === undefined) this.patterns.set(name, (entry = { match: compileGlob(name), clients: new Set() }));
          entry.clients.add(client);
        } else {
          const table = kind === 'channel' ? this.channels : this.shardChannels;
          let clients = table.get(name);
          if (clients === undefined) table.set(name, (clients = new Set()));
          clients.add(client);
        }
      }
      replies.push(confirmation(verb, keyReply(name), countFor(subs, kind)));
    }
    if (changed) this.count();
    if (changed && kind !== 'shard') this.notifyWatchers();
    return replies;
  }

  /** UNSUBSCRIBE / PUNSUBSCRIBE / SUNSUBSCRIBE: the named ones, or all (none named). */
  unsubscribe(client: ClientState, kind: SubscriptionKind, names: readonly Bytes[]): PubSubReplies {
    const subs = subscriptionsOf(client);
    const own = kind === 'channel' ? subs.channels : kind === 'pattern' ? subs.patterns : subs.shardChannels;
    const verb = SUBSCRIBE_NAMES[kind][1];
    const replies = new PubSubReplies();
    const targets = names.length === 0 ? Array.from(own) : names.map(keyName);
    let changed = false;
    for (const name of targets) {
      if (own.delete(name)) {
        client.subscriptions--;
        changed = true;
        this.forget(client, kind, name);
      }
      replies.push(confirmation(verb, keyReply(name), countFor(subs, kind)));
    }
    // Nothing to unsubscribe from: one confirmation with a nil channel.
    if (targets.length === 0) replies.push(confirmation(verb, null, countFor(subs, kind)));
    if (changed) this.count();
    if (changed && kind !== 'shard') this.notifyWatchers();
    return replies;
  }

  /** Drops every subscription of a connection that goes away, without confirmations. */
  dropClient(client: ClientState): void {
    const subs = client.pubsub;
    if (subs === null) return;
    const hadAny = subs.channels.size !== 0 || subs.patterns.size !== 0;
    for (const name of subs.channels) this.forget(client, 'channel', name);
    for (const name of subs.patterns) this.forget(client, 'pattern', name);
    for (const name of subs.shardChannels) this.forget(client, 'shard', name);
    subs.channels.clear();
    subs.patterns.clear();
    subs.shardChannels.clear();
    client.subscriptions = 0;
    this.count();
    if (hadAny) this.notifyWatchers();
  }

  /**
   * PUBLISH: delivers to the channel's subscribers, then to every matching pattern's subscribers.
   * `channel` is a latin1 byte string. Returns the number of deliveries.
   */
  publish(channel: string, message: Bytes): number {
    let receivers = 0;
    const clients = this.channels.get(channel);
    if (clients !== undefined) {
      const name = keyReply(channel);
      for (const client of clients) {
        deliver(client, ['message', name, message]);
        receivers++;
      }
    }
    if (this.patterns.size !== 0) {
      let name: string | Buffer | undefined;
      for (const [pattern, entry] of this.patterns) {
        if (!entry.match(channel)) continue;
        name ??= keyReply(channel);
        const patternReply = keyReply(pattern);
        for (const client of entry.clients) {
          deliver(client, ['pmessage', patternReply, name, message]);
          receivers++;
        }
      }
    }
    return receivers;
  }

  /** SPUBLISH: delivers to the shard channel's subscribers. */
  spublish(channel: string, message: Bytes): number {
    const clients = this.shardChannels.get(channel);
    if (clients === undefined) return 0;
    const name = keyReply(channel);
    for (const client of clients) deliver(client, ['smessage', name, message]);
    return clients.size;
  }

  private forget(client: ClientState, kind: SubscriptionKind, name: string): void {
    if (kind === 'pattern') {
      const entry = this.patterns.get(name);
      if (entry !== undefined && entry.clients.delete(client) && entry.clients.size === 0) this.patterns.delete(name);
      return;
    }
    const table = kind === 'channel' ? this.channels : this.shardChannels;
    const clients = table.get(name);
    if (clients !== undefined && clients.delete(client) && clients.size === 0) table.delete(name);
  }

  private notifyWatchers(): void {
    for (const watcher of this.watchers) watcher();
  }

  /** INFO stats: `pubsub_channels`, `pubsub_patterns`, `pubsubshard_channels`. */
  private count(): void {
    const stats = this.cache.stats as OptionalStats;
    stats.pubsubChannels = this.channels.size;
    stats.pubsubPatterns = this.patterns.size;
    stats.pubsubShardChannels = this.shardChannels.size;
  }
}

function subscriptionsOf(client: ClientState): ClientSubscriptions {
  return (client.pubsub ??= { channels: new Set(), patterns: new Set(), shardChannels: new Set() });
}

/** The count a confirmation carries: channels + patterns, or shard channels (Redis counts them apart). */
function countFor(subs: ClientSubscriptions, kind: SubscriptionKind): number {
  return kind === 'shard' ? subs.shardChannels.size : subs.channels.size + subs.patterns.size;
}

function deliver(client: ClientState, message: Reply[]): void {
  const push = client.push;
  if (push !== null && !client.closed) push(message);
}

const hubs = new WeakMap<CacheCore, PubSubHub>();

/** The cache's hub, created on first use. */
export function hubOf(cache: CacheCore): PubSubHub {
  let hub = hubs.get(cache);
  if (hub === undefined) {
    hubs.set(cache, (hub = new PubSubHub(cache)));
    attachNotifier(cache, hub);
  }
  return hub;
}

/** The cache's hub if anyone ever subscribed, else undefined. */
export function existingHub(cache: CacheCore): PubSubHub | undefined {
  return hubs.get(cache);
}

/** PUBLISH from anywhere (keyspace notifications, scripts): the number of deliveries. */
export function publish(cache: CacheCore, channel: string, message: Bytes): number {
  const hub = hubs.get(cache);
  return hub === undefined ? 0 : hub.publish(channel, message);
}

/** Forgets a closing connection's subscriptions (CLIENT KILL, QUIT, a dropped client). */
export function dropSubscriptions(cache: CacheCore, client: ClientState): void {
  if (client.pubsub !== null) hubs.get(cache)?.dropClient(client);
}

// ---------------------------------------------------------------------------------------------
// The RESP2 subscriber context

/** The commands a RESP2 connection with subscriptions may run. */
const SUBSCRIBER_COMMANDS = new Set([
  'subscribe',
  'psubscribe',
  'ssubscribe',
  'unsubscribe',
  'punsubscribe',
  'sunsubscribe',
  'ping',
  'quit',
  'reset',
]);

/** `ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`. */
export function notInSubscriberContext(name: string): ReplyError {
  return new ReplyError(
    `ERR Can't execute '${name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
  );
}

/** True when a command may run on this connection as far as the subscriber context goes. */
export function allowedInSubscriberContext(name: string): boolean {
  return SUBSCRIBER_COMMANDS.has(name);
}

/** Throws the server's error when a RESP2 subscriber sends a command outside the allowed set. */
export function checkSubscriberContext(client: ClientState, name: string): void {
  if (client.subscriptions > 0 && client.resp === 2 && !SUBSCRIBER_COMMANDS.has(name)) {
    throw notInSubscriberContext(name);
  }
}

// ---------------------------------------------------------------------------------------------
// PUBSUB introspection

/** Active channels (or shard channels) matching a pattern (all without one), in subscription order. */
export function activeChannels(cache: CacheCore, client: ClientState, shard: boolean, pattern?: Bytes): Reply[] {
  const hub = hubs.get(cache);
  if (hub === undefined) return [];
  const table = shard ? hub.shardChannels : hub.channels;
  const match = pattern === undefined ? null : compileGlob(keyName(pattern));
  const out: Reply[] = [];
  for (const name of table.keys()) {
    if (match !== null && !match(name)) continue;
    if (shard && !servedBy(cache, client, name)) continue;
    out.push(keyReply(name));
  }
  return out;
}

/** Shard channels belong to the shard of their slot: a connection to one node sees its own. */
function servedBy(cache: CacheCore, client: ClientState, channel: string): boolean {
  if (cache.policy === 'NoCluster' || client.shards.length === cache.shards.length) return true;
  return client.shards.includes(cache.shardForSlot(slotOfName(channel)));
}

/** PUBSUB NUMSUB / SHARDNUMSUB: `[channel, count, …]`. */
export function subscriberCounts(cache: CacheCore, shard: boolean, channels: readonly Bytes[]): Reply[] {
  const hub = hubs.get(cache);
  const out: Reply[] = [];
  for (const arg of channels) {
    const name = keyName(arg);
    const clients = hub === undefined ? undefined : (shard ? hub.shardChannels : hub.channels).get(name);
    out.push(keyReply(name), clients === undefined ? 0 : clients.size);
  }
  return out;
}

/** PUBSUB NUMPAT: distinct patterns subscribed to. */
export function patternCount(cache: CacheCore): number {
  return hubs.get(cache)?.patterns.size ?? 0;
}
