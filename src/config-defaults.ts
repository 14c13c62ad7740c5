/**
 * The settings table CONFIG GET/SET and the rest of the emulator use: names, aliases, defaults as a
 * Redis 7.4 server reports them, AMR's values where AMR differs, and Redis's validation rules
 * (error texts to the letter). docs/config.md explains the choices.
 */
import { Config, ConfigValueError, type SettingDef } from './config.js';
import { parseInt64 } from './protocol/numbers.js';
import type { PersistenceOptions } from './persistence/persistence.js';
import { DEFAULT_OUTPUT_BUFFER_LIMITS, mergeOutputBufferLimits } from './client-limits.js';

// ---------------------------------------------------------------------------------------------
// Keyspace notification classes (`notify-keyspace-events`), as Redis's notify.c spells them.

export const NOTIFY_KEYSPACE = 1 << 0; // K
export const NOTIFY_KEYEVENT = 1 << 1; // E
export const NOTIFY_GENERIC = 1 << 2; // g
export const NOTIFY_STRING = 1 << 3; // $
export const NOTIFY_LIST = 1 << 4; // l
export const NOTIFY_SET = 1 << 5; // s
export const NOTIFY_HASH = 1 << 6; // h
export const NOTIFY_ZSET = 1 << 7; // z
export const NOTIFY_EXPIRED = 1 << 8; // x
export const NOTIFY_EVICTED = 1 << 9; // e
export const NOTIFY_STREAM = 1 << 10; // t
export const NOTIFY_KEY_MISS = 1 << 11; // m (not part of A)
export const NOTIFY_MODULE = 1 << 12; // d
export const NOTIFY_NEW = 1 << 13; // n (not part of A)
/** `A`: every class except key-miss and new-key events. */
export const NOTIFY_ALL =
  NOTIFY_GENERIC | NOTIFY_STRING | NOTIFY_LIST | NOTIFY_SET | NOTIFY_HASH | NOTIFY_ZSET | NOTIFY_EXPIRED |
  NOTIFY_EVICTED | NOTIFY_STREAM | NOTIFY_MODULE;

const NOTIFY_CHARS: Record<string, number> = {
  A: NOTIFY_ALL,
  g: NOTIFY_GENERIC,
  $: NOTIFY_STRING,
  l: NOTIFY_LIST,
  s: NOTIFY_SET,
  h: NOTIFY_HASH,
  z: NOTIFY_ZSET,
  x: NOTIFY_EXPIRED,
  e: NOTIFY_EVICTED,
  K: NOTIFY_KEYSPACE,
  E: NOTIFY_KEYEVENT,
  t: NOTIFY_STREAM,
  m: NOTIFY_KEY_MISS,
  d: NOTIFY_MODULE,
  n: NOTIFY_NEW,
};

/** The class flags of a `notify-keyspace-events` string, or null when it has an unknown character. */
export function parseNotifyKeyspaceEvents(classes: string): number | null {
  let flags = 0;
  for (const c of classes) {
    const bit = NOTIFY_CHARS[c];
    if (bit === undefined) return null;
    flags |= bit;
  }
  return flags;
}

/** The canonical string Redis reports for class flags (`KEA` → `AKE`). */
export function formatNotifyKeyspaceEvents(flags: number): string {
  let out = '';
  if ((flags & NOTIFY_ALL) === NOTIFY_ALL) out += 'A';
  else {
    if (flags & NOTIFY_GENERIC) out += 'g';
    if (flags & NOTIFY_STRING) out += '$';
    if (flags & NOTIFY_LIST) out += 'l';
    if (flags & NOTIFY_SET) out += 's';
    if (flags & NOTIFY_HASH) out += 'h';
    if (flags & NOTIFY_ZSET) out += 'z';
    if (flags & NOTIFY_EXPIRED) out += 'x';
    if (flags & NOTIFY_EVICTED) out += 'e';
    if (flags & NOTIFY_STREAM) out += 't';
    if (flags & NOTIFY_MODULE) out += 'd';
    if (flags & NOTIFY_NEW) out += 'n';
  }
  if (flags & NOTIFY_KEYSPACE) out += 'K';
  if (flags & NOTIFY_KEYEVENT) out += 'E';
  if (flags & NOTIFY_KEY_MISS) out += 'm';
  return out;
}

function validateNotify(value: string): string {
  const flags = parseNotifyKeyspaceEvents(value);
  if (flags === null) throw new ConfigValueError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
  return formatNotifyKeyspaceEvents(flags);
}

// ---------------------------------------------------------------------------------------------
// Numeric settings: Redis's numericParseString / numericBoundaryCheck.

const INT_MIN = -2147483648n;
const INT_MAX = 2147483647n;
const UINT_MAX = 4294967295n;
const LONG_MAX = 9223372036854775807n;
const ULLONG_MAX = 18446744073709551615n;

/**
 * Redis's `memtoull`: digits with an optional unit (b, k, kb, m, mb, g, gb; any case). No sign,
 * no fraction. Returns null when Redis would say "argument must be a memory value".
 */
export function parseMemory(value: string): bigint | null {
  if (value.startsWith('-')) return null;
  let i = 0;
  while (i < value.length && value.charCodeAt(i) >= 48 && value.charCodeAt(i) <= 57) i++;
  const unit = value.slice(i).toLowerCase();
  const multipliers: Record<string, bigint> = {
    '': 1n,
    b: 1n,
    k: 1000n,
    kb: 1024n,
    m: 1000n * 1000n,
    mb: 1024n * 1024n,
    g: 1000n * 1000n * 1000n,
    gb: 1024n * 1024n * 1024n,
  };
  const mul = multipliers[unit];
  if (mul === undefined || i >= 128) return null;
  // strtoull of an empty digit string is 0 without an error, so a bare unit ("kb") is 0.
  let n = i === 0 ? 0n : BigInt(value.slice(0, i));
  if (n > ULLONG_MAX) n = ULLONG_MAX; // strtoull saturates
  return (n * mul) & ULLONG_MAX; // and the multiplication wraps, as in C
}

interface NumericSpec {
  min: bigint;
  max: bigint;
  /** Accepts memory units (`1gb`); errors say "argument must be a memory value". */
  memory?: boolean;
}

function numeric(spec: NumericSpec): (value: string) => string {
  return (value) => {
    let n: bigint | null;
    if (spec.memory) {
      n = parseMemory(value);
      if (n === null) throw new ConfigValueError('argument must be a memory value');
    } else {
      const parsed = parseInt64(value);
      if (parsed === null) throw new ConfigValueError("argument couldn't be parsed into an integer");
      n = BigInt(parsed);
    }
    if (n < spec.min || n > spec.max) {
      throw new ConfigValueError(`argument must be between ${spec.min} and ${spec.max} inclusive`);
    }
    return n.toString();
  };
}

function bool(value: string): string {
  const lower = value.toLowerCase();
  if (lower !== 'yes' && lower !== 'no') throw new ConfigValueError("argument must be 'yes' or 'no'");
  return lower;
}

function enumOf(values: readonly string[]): (value: string) => string {
  return (value) => {
    const lower = value.toLowerCase();
    if (!values.includes(lower)) {
      throw new ConfigValueError(`argument(s) must be one of the following: ${values.join(', ')}`);
    }
    return lower;
  };
}

function validateSave(value: string): string {
  const parts = value.split(' ').filter((p) => p !== '');
  if (parts.length === 1 && parts[0] === '""') return '';
  if (parts.length % 2 !== 0) throw new ConfigValueError('Invalid save parameters');
  for (const p of parts) if (!/^\d+$/.test(p)) throw new ConfigValueError('Invalid save parameters');
  return parts.map((p) => String(BigInt(p))).join(' ');
}

/** The eviction policies, in the order Redis lists them in its error text. */
export const MAXMEMORY_POLICIES = [
  'volatile-lru',
  'volatile-lfu',
  'volatile-random',
  'volatile-ttl',
  'allkeys-lru',
  'allkeys-lfu',
  'allkeys-random',
  'noeviction',
] as const;

// ---------------------------------------------------------------------------------------------

export interface DefaultConfigInit {
  /** The ARM eviction policy (AMR default `volatile-lru`). */
  evictionPolicy: string;
  /** The ARM `notifyKeyspaceEvents` string (default empty). */
  notifyKeyspaceEvents: string;
  /** maxmemory of one shard, in bytes. */
  maxmemoryBytes: number;
  /** The SKU's client limit (maxclients); Redis's 10000 when not given. */
  maxClients?: number;
  /** True for the OSS cluster policy (cluster-enabled yes). */
  clusterEnabled?: boolean;
  /** The persistence option (appendonly, save). */
  persistence?: PersistenceOptions | null;
}

/** CONFIG `save` for an RDB interval: `<seconds> 1`; empty without RDB. */
function savePointOf(persistence: PersistenceOptions | null | undefined): string {
  if (persistence === undefined || persistence === null || !('rdb' in persistence)) return '';
  const hours = Number(persistence.rdb.slice(0, -1));
  return `${hours * 3600} 1`;
}

/**
 * The settings of a new cache. The first group is what AMR lets CONFIG GET/SET touch (RS-CFG, in
 * azure-facts §2.5); everything else is read by the emulator and hidden from CONFIG like on AMR.
 */
export function defaultConfig(init: DefaultConfigInit): Config {
  const notify = parseNotifyKeyspaceEvents(init.notifyKeyspaceEvents);
  if (notify === null) {
    throw new RangeError(
      `notifyKeyspaceEvents '${init.notifyKeyspaceEvents}' has an invalid class character; use 'Ag$lshzxeKEtmdn'`,
    );
  }
  const policy = init.evictionPolicy.toLowerCase();
  if (!(MAXMEMORY_POLICIES as readonly string[]).includes(policy)) {
    throw new RangeError(`evictionPolicy '${init.evictionPolicy}' is not one of ${MAXMEMORY_POLICIES.join(', ')}`);
  }

  const amr = (value: string, validate?: (v: string) => string, aliases?: string[]): SettingDef => ({
    value,
    settable: true,
    validate,
    aliases,
  });
  const hidden = (value: string, validate?: (v: string) => string, extra: Partial<SettingDef> = {}): SettingDef => ({
    value,
    settable: false,
    validate,
    ...extra,
  });
  const size = numeric({ min: 0n, max: LONG_MAX });
  const sizeMem = numeric({ min: 0n, max: LONG_MAX, memory: true });
  const intNonNeg = numeric({ min: 0n, max: INT_MAX });

  // CONFIG SET client-output-buffer-limit changes only the classes it names.
  const outputBufferLimits = hidden(DEFAULT_OUTPUT_BUFFER_LIMITS, (value) =>
    mergeOutputBufferLimits(config.get('client-output-buffer-limit') ?? DEFAULT_OUTPUT_BUFFER_LIMITS, value),
  );

  const config: Config = new Config({
    // --- AMR: CONFIG GET/SET allowed (RS-CFG) -------------------------------------------------
    activerehashing: amr('yes', bool),
    // RS-CFG: "Value must be between 0 and 60000 milliseconds" (Redis itself allows 0..LONG_MAX).
    'busy-reply-threshold': amr('5000', numeric({ min: 0n, max: 60000n }), ['lua-time-limit']),
    'hash-max-listpack-entries': amr('512', size, ['hash-max-ziplist-entries']),
    'hash-max-listpack-value': amr('64', sizeMem, ['hash-max-ziplist-value']),
    'hll-sparse-max-bytes': amr('3000', sizeMem),
    'list-compress-depth': amr('0', intNonNeg),
    'list-max-listpack-size': amr('-2', numeric({ min: INT_MIN, max: INT_MAX }), ['list-max-ziplist-size']),
    'notify-keyspace-events': amr(formatNotifyKeyspaceEvents(notify), validateNotify),
    'set-max-intset-entries': amr('512', size),
    // RS-CFG: slowlog-log-slower-than above 1000 µs, slowlog-max-len 128..1024.
    'slowlog-log-slower-than': amr('10000', numeric({ min: 1000n, max: LONG_MAX })),
    'slowlog-max-len': amr('128', numeric({ min: 128n, max: 1024n })),
    'stream-node-max-bytes': amr('4096', sizeMem),
    'stream-node-max-entries': amr('100', numeric({ min: 0n, max: LONG_MAX })),
    'zset-max-listpack-entries': amr('128', size, ['zset-max-ziplist-entries']),
    'zset-max-listpack-value': amr('64', sizeMem, ['zset-max-ziplist-value']),

    // --- Hidden on AMR (read by the emulator; visible with Config.exposeAll) ------------------
    'set-max-listpack-entries': hidden('128', size),
    'set-max-listpack-value': hidden('64', sizeMem),
    maxmemory: hidden(String(init.maxmemoryBytes), numeric({ min: 0n, max: ULLONG_MAX, memory: true })),
    'maxmemory-policy': hidden(policy, enumOf(MAXMEMORY_POLICIES)),
    'maxmemory-samples': hidden('5', numeric({ min: 1n, max: INT_MAX })),
    'maxmemory-eviction-tenacity': hidden('10', numeric({ min: 0n, max: 100n })),
    'lfu-log-factor': hidden('10', intNonNeg),
    'lfu-decay-time': hidden('1', intNonNeg),
    'active-expire-effort': hidden('1', numeric({ min: 1n, max: 10n })),
    'lazyfree-lazy-eviction': hidden('no', bool),
    'lazyfree-lazy-expire': hidden('no', bool),
    'lazyfree-lazy-server-del': hidden('no', bool),
    'lazyfree-lazy-user-del': hidden('no', bool),
    'lazyfree-lazy-user-flush': hidden('no', bool),
    activedefrag: hidden('no', bool),
    databases: hidden('1', undefined, { immutable: true }),
    'cluster-enabled': hidden(init.clusterEnabled ? 'yes' : 'no', undefined, { immutable: true }),
    port: hidden('10000', undefined, { immutable: true }),
    'io-threads': hidden('1', undefined, { immutable: true }),
    // DUMP compresses strings over 20 bytes with LZF, as RDB files do.
    rdbcompression: hidden('yes', bool),
    // The persistence option (hidden on AMR like the rest): AOF is appendonly everysec; an RDB
    // interval is a save point of that many seconds after at least one change.
    appendonly: hidden(init.persistence !== undefined && init.persistence !== null && 'aof' in init.persistence ? 'yes' : 'no', bool),
    appendfsync: hidden('everysec', enumOf(['everysec', 'always', 'no'])),
    save: hidden(savePointOf(init.persistence), validateSave),
    // AMR closes connections idle for 10 minutes (azure-facts §1.5, CONN); Redis's default is 0.
    timeout: hidden('600', numeric({ min: 0n, max: INT_MAX })),
    'tcp-keepalive': hidden('300', intNonNeg),
    maxclients: hidden(String(init.maxClients ?? 10000), numeric({ min: 1n, max: UINT_MAX })),
    hz: hidden('10', intNonNeg),
    'dynamic-hz': hidden('yes', bool),
    'proto-max-bulk-len': hidden('536870912', numeric({ min: 1048576n, max: LONG_MAX, memory: true })),
    'client-query-buffer-limit': hidden('1073741824', numeric({ min: 1048576n, max: LONG_MAX, memory: true })),
    'client-output-buffer-limit': outputBufferLimits,
    'tracking-table-max-keys': hidden('1000000', size),
    'latency-tracking': hidden('yes', bool),
    'latency-tracking-info-percentiles': hidden('50 99 99.9'),
    'latency-monitor-threshold': hidden('0', numeric({ min: 0n, max: LONG_MAX })),
    'replica-read-only': hidden('yes', bool, { aliases: ['slave-read-only'] }),
    'repl-backlog-size': hidden('1048576', numeric({ min: 1n, max: LONG_MAX, memory: true })),
    'min-replicas-to-write': hidden('0', intNonNeg, { aliases: ['min-slaves-to-write'] }),
    'min-replicas-max-lag': hidden('10', intNonNeg, { aliases: ['min-slaves-max-lag'] }),
  });
  return config;
}
