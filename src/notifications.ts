/**
 * Keyspace notifications (`notify-keyspace-events`), as Redis's notify.c sends them.
 *
 * Every write reports its keys with Redis's event names through the cache's change hook
 * (`ctx.changed(key, 'lpush')` …), and so do expiry (`expired`, lazy and active), eviction
 * (`evicted`) and hash-field expiry (`hexpired`). While the setting has classes on and someone
 * subscribes to a channel or a pattern, this module listens on that hook and publishes each event
 * whose class is enabled:
 *
 * - with `K`, on `__keyspace@0__:<key>` with the event name as the message;
 * - with `E`, on `__keyevent@0__:<event>` with the key as the message;
 *
 * keyspace first, then keyevent, per event, in the order the command made them. Two events come
 * from the keyspace itself rather than the change hook: `new` (class `n`, a write created the
 * key), noted on the running command's context so it takes its place among the command's events,
 * and `keymiss` (class `m`, a read lookup found nothing), published when the lookup happens.
 *
 * Nobody subscribed, or no class enabled: nothing listens and nothing is paid.
 */
import type { CacheCore, ChangeRecord, Shard } from './core-types.js';
import type { Keyspace } from './keyspace/keyspace.js';
import { keyReply } from './keyspace/bytes.js';
import { currentContext } from './dispatch.js';
import {
  NOTIFY_EVICTED,
  NOTIFY_EXPIRED,
  NOTIFY_GENERIC,
  NOTIFY_HASH,
  NOTIFY_KEYEVENT,
  NOTIFY_KEYSPACE,
  NOTIFY_KEY_MISS,
  NOTIFY_LIST,
  NOTIFY_MODULE,
  NOTIFY_NEW,
  NOTIFY_SET,
  NOTIFY_STREAM,
  NOTIFY_STRING,
  NOTIFY_ZSET,
  parseNotifyKeyspaceEvents,
} from './config-defaults.js';
import type { PubSubHub } from './pubsub.js';

/** The class Redis files each event under (the `type` argument of its notifyKeyspaceEvent calls). */
const EVENT_CLASSES: Record<string, number> = Object.assign(Object.create(null), {
  // generic
  del: NOTIFY_GENERIC,
  rename_from: NOTIFY_GENERIC,
  rename_to: NOTIFY_GENERIC,
  move_from: NOTIFY_GENERIC,
  move_to: NOTIFY_GENERIC,
  copy_to: NOTIFY_GENERIC,
  restore: NOTIFY_GENERIC,
  expire: NOTIFY_GENERIC,
  persist: NOTIFY_GENERIC,
  // strings (bitmaps and HyperLogLogs are strings)
  set: NOTIFY_STRING,
  setrange: NOTIFY_STRING,
  incrby: NOTIFY_STRING,
  incrbyfloat: NOTIFY_STRING,
  append: NOTIFY_STRING,
  setbit: NOTIFY_STRING,
  pfadd: NOTIFY_STRING,
  // lists
  lpush: NOTIFY_LIST,
  rpush: NOTIFY_LIST,
  lpop: NOTIFY_LIST,
  rpop: NOTIFY_LIST,
  linsert: NOTIFY_LIST,
  lset: NOTIFY_LIST,
  lrem: NOTIFY_LIST,
  ltrim: NOTIFY_LIST,
  sortstore: NOTIFY_LIST,
  // sets
  sadd: NOTIFY_SET,
  srem: NOTIFY_SET,
  spop: NOTIFY_SET,
  sinterstore: NOTIFY_SET,
  sunionstore: NOTIFY_SET,
  sdiffstore: NOTIFY_SET,
  // hashes
  hset: NOTIFY_HASH,
  hdel: NOTIFY_HASH,
  hincrby: NOTIFY_HASH,
  hincrbyfloat: NOTIFY_HASH,
  hexpire: NOTIFY_HASH,
  hexpired: NOTIFY_HASH,
  hpersist: NOTIFY_HASH,
  // sorted sets (geo sets are sorted sets)
  zadd: NOTIFY_ZSET,
  zincr: NOTIFY_ZSET,
  zrem: NOTIFY_ZSET,
  zremrangebyscore: NOTIFY_ZSET,
  zremrangebyrank: NOTIFY_ZSET,
  zremrangebylex: NOTIFY_ZSET,
  zpopmin: NOTIFY_ZSET,
  zpopmax: NOTIFY_ZSET,
  zunionstore: NOTIFY_ZSET,
  zinterstore: NOTIFY_ZSET,
  zdiffstore: NOTIFY_ZSET,
  zrangestore: NOTIFY_ZSET,
  georadiusstore: NOTIFY_ZSET,
  geosearchstore: NOTIFY_ZSET,
  // removals nobody asked for, and the keyspace's own events
  expired: NOTIFY_EXPIRED,
  evicted: NOTIFY_EVICTED,
  new: NOTIFY_NEW,
  keymiss: NOTIFY_KEY_MISS,
});

/** The class of an event name: the table, streams (`x…`), module events (`json.…`), else generic. */
export function eventClass(event: string): number {
  const known = EVENT_CLASSES[event];
  if (known !== undefined) return known;
  // RedisJSON raises its events (`json.set`, `json.del` …) as REDISMODULE_NOTIFY_MODULE.
  if (event.startsWith('json.')) return NOTIFY_MODULE;
  // RedisTimeSeries likewise (`ts.add`, `ts.create`, `ts.createrule:src` …).
  if (event.startsWith('ts.')) return NOTIFY_MODULE;
  return event.charCodeAt(0) === 0x78 /* x */ ? NOTIFY_STREAM : NOTIFY_GENERIC;
}

const KEYSPACE_PREFIX = '__keyspace@0__:';
const KEYEVENT_PREFIX = '__keyevent@0__:';

/**
 * The classes as Redis holds them. Redis keeps an integer and prints it back without `n` when `A`
 * is set (`CONFIG SET notify-keyspace-events AKEn` reads back `AKE`, yet new-key events are
 * sent), so the setting's text alone cannot tell: the flags as given (option or CONFIG SET) are
 * remembered with the text they produced, and used while the setting still holds that text.
 */
const requested = new WeakMap<CacheCore, { value: string; flags: number }>();

/**
 * Records the flags the cache was configured with and those of every later CONFIG SET (done at
 * construction by ManagedRedis).
 */
export function trackNotifyFlags(cache: CacheCore, initial: string | undefined): void {
  const def = cache.settings.def('notify-keyspace-events');
  if (def === undefined) return;
  const remember = (raw: string, value: string): void => {
    const flags = parseNotifyKeyspaceEvents(raw);
    if (flags !== null) requested.set(cache, { value, flags });
  };
  if (initial !== undefined) remember(initial, def.value);
  const validate = def.validate;
  def.validate = (raw: string): string => {
    const value = validate === undefined ? raw : validate(raw);
    remember(raw, value);
    return value;
  };
}

/** The enabled classes plus K/E; 0 when neither K nor E is on (nothing is ever sent then). */
export function notifyFlags(cache: CacheCore): number {
  const value = cache.settings.get('notify-keyspace-events') ?? '';
  if (value === '') return 0;
  const known = requested.get(cache);
  const flags = known !== undefined && known.value === value ? known.flags : (parseNotifyKeyspaceEvents(value) ?? 0);
  return flags & (NOTIFY_KEYSPACE | NOTIFY_KEYEVENT) ? flags : 0;
}

/** Publishes keyspace events of one cache while they can reach someone. */
export class KeyspaceNotifier {
  /** The flags when the listener was last (re)attached; the current flags are read per change. */
  private on: boolean;
  private attached = false;
  /** Keyspaces whose `new`/`keymiss` hooks are installed. */
  private readonly hooked = new Set<Keyspace>();
  private readonly listener = (change: ChangeRecord): void => this.changed(change);
  private readonly added = (key: string): void => {
    if ((notifyFlags(this.cache) & NOTIFY_NEW) === 0) return;
    const ctx = currentContext();
    if (ctx !== null) ctx.note(key, 'new');
  };
  private readonly missed = (key: string): void => this.emit(key, 'keymiss', notifyFlags(this.cache));

  constructor(
    private readonly cache: CacheCore,
    private readonly hub: PubSubHub,
  ) {
    this.on = notifyFlags(cache) !== 0;
    cache.settings.onChange((name) => {
      if (name !== 'notify-keyspace-events') return;
      this.on = notifyFlags(cache) !== 0;
      this.update();
    });
    hub.watchers.push(() => this.update());
    this.update();
  }

  /** Listens while events are on and someone subscribes to a channel or pattern; else stops. */
  private update(): void {
    const wanted = this.on && this.hub.listening;
    if (wanted && !this.attached) {
      this.attached = true;
      this.cache.changeListeners.push(this.listener);
      for (const shard of this.cache.shards) this.hookShard(shard);
    } else if (!wanted && this.attached) {
      this.attached = false;
      for (const db of this.hooked) {
        if (db.onAdded === this.added) db.onAdded = null;
        if (db.onMiss === this.missed) db.onMiss = null;
      }
      this.hooked.clear();
      // The listener list may be iterating right now: take the listener out afterwards.
      queueMicrotask(() => {
        if (this.attached) return;
        const listeners = this.cache.changeListeners;
        const i = listeners.indexOf(this.listener);
        if (i >= 0) listeners.splice(i, 1);
      });
    }
  }

  /** The keyspace tells about created keys (`new`) and read misses (`keymiss`). */
  private hookShard(shard: Shard): void {
    const db = shard.keyspace;
    db.onAdded = this.added;
    db.onMiss = this.missed;
    this.hooked.add(db);
  }

  private changed(change: ChangeRecord): void {
    const flags = notifyFlags(this.cache);
    // A shard whose keyspace was replaced (failover) gets the hooks again.
    if (!this.hooked.has(change.shard.keyspace)) this.hookShard(change.shard);
    const keys = change.keys;
    const events = change.events;
    for (let i = 0; i < keys.length; i++) {
      const event = events[i];
      if (event !== '') this.emit(keys[i], event, flags);
    }
  }

  /** Sends one event on the keyspace and keyevent channels the flags ask for. */
  private emit(key: string, event: string, flags: number): void {
    if ((flags & eventClass(event)) === 0) return;
    if (flags & NOTIFY_KEYSPACE) this.hub.publish(KEYSPACE_PREFIX + key, event);
    if (flags & NOTIFY_KEYEVENT) this.hub.publish(KEYEVENT_PREFIX + event, keyReply(key));
  }
}

const notifiers = new WeakMap<CacheCore, KeyspaceNotifier>();

/** Starts keyspace notifications for a cache's hub (done when the hub is created). */
export function attachNotifier(cache: CacheCore, hub: PubSubHub): void {
  if (!notifiers.has(cache)) notifiers.set(cache, new KeyspaceNotifier(cache, hub));
}
