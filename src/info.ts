/**
 * The text of `INFO`: Redis 7.4's sections, fields and layout (`# Section` headers, `field:value`
 * lines, CRLF, a blank line between sections), with the values an AMR endpoint reports where they
 * are known (redis_version 7.4.3, tcp_port 10000, cluster_enabled per policy) and emulator values
 * everywhere else. Everything comes from the cache's clock and state, nothing from the host.
 * docs/config.md lists the choices.
 */
import { moduleInfoLines } from './modules.js';
import { blockingStats } from './blocking.js';
import { createHash } from 'node:crypto';
import type { CacheCore, ClientState, ServerStats, Shard } from './core-types.js';
import { valueBytes, type Keyspace, type StoredValue } from './keyspace/keyspace.js';
import { allocSize, bucketBytes, EXPIRE_ENTRY, keyBytes } from './keyspace/memory.js';
import { getSku } from './cluster/skus.js';
import { watchedKeyCount } from './transactions.js';
import { clientLimitStats, connectionCount } from './client-limits.js';

/** The Redis version AMR reports (azure-facts §1.5: `redis_version:7.4.3` seen in the field). */
export const REDIS_VERSION = '7.4.3';

/** What INFO looks at: the cache, the asking connection, the shard the command ran on, the time. */
export interface InfoContext {
  readonly cache: CacheCore;
  readonly client: ClientState;
  readonly shard: Shard;
  readonly now: number;
}

/**
 * Counters other parts of the emulator may add to `cache.stats`; INFO reports them when present
 * and zero otherwise.
 */
export interface OptionalStats {
  /** Error replies by their first word (`ERR`, `WRONGTYPE` …). */
  errorCounts?: Map<string, number>;
  /** Hash fields removed by field TTLs (`expired_subkeys`). */
  expiredSubkeys?: number;
  pubsubChannels?: number;
  pubsubPatterns?: number;
  pubsubShardChannels?: number;
  /** Lua scripts cached by SCRIPT LOAD / EVAL. */
  cachedScripts?: number;
  functions?: number;
  libraries?: number;
}

/** Clients may carry these; CLIENT LIST and INFO clients read them when present. */
export interface OptionalClientState {
  /** Blocked in BLPOP, XREAD BLOCK … */
  blocked?: boolean;
  /** Subscribed channels + patterns + shard channels. */
  subscriptions?: number;
  watching?: number;
}

// ---------------------------------------------------------------------------------------------
// Formatting helpers (C printf semantics).

/**
 * `%.Nf` as C's printf writes it: round half to even on exact binary ties (JavaScript's toFixed
 * rounds them up: 0.125 → "0.13", printf → "0.12").
 */
export function printfFixed(x: number, digits: number): string {
  const s = x.toFixed(digits);
  if (!Number.isFinite(x) || Math.abs(x) >= 1e21) return s;
  // x = mantissa * 2^exponent exactly; x * 10^digits is a tie when twice it is an odd integer.
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (biased === 0 ? 1 : biased) - 1075;
  if (exponent >= 0) return s; // an integer: no tie possible
  const twice = mantissa * 2n * 10n ** BigInt(digits);
  const denominator = 1n << BigInt(-exponent);
  if (twice % denominator !== 0n || (twice / denominator) % 2n === 0n) return s;
  // Exact tie: C rounds half to even, toFixed rounds away from zero.
  const lower = twice / denominator / 2n; // floor of |x| * 10^digits
  const pick = lower % 2n === 0n ? lower : lower + 1n;
  const scale = 10n ** BigInt(digits);
  const int = (pick / scale).toString();
  const frac = (pick % scale).toString().padStart(digits, '0');
  return `${x < 0 ? '-' : ''}${int}${digits > 0 ? '.' + frac : ''}`;
}

/** Redis's bytesToHuman: `919.28K`, `8.94M`, `0B`. */
export function bytesToHuman(n: number): string {
  const units: Array<[number, string]> = [
    [1024, 'K'],
    [1024 ** 2, 'M'],
    [1024 ** 3, 'G'],
    [1024 ** 4, 'T'],
    [1024 ** 5, 'P'],
  ];
  if (n < 1024) return `${n}B`;
  for (let i = 0; i < units.length; i++) {
    const next = i + 1 < units.length ? units[i + 1][0] : Infinity;
    if (n < next) return `${printfFixed(n / units[i][0], 2)}${units[i][1]}`;
  }
  return `${n}B`;
}

// ---------------------------------------------------------------------------------------------
// Memory estimate.

export { allocSize };

/**
 * Bytes a value takes in Redis, approximately (the memory model of src/keyspace/memory.ts):
 * strings by size and encoding, typed objects by their own O(1) `memoryUsage()`.
 */
export function estimateValueBytes(value: StoredValue): number {
  return valueBytes(value);
}

/** Bytes one key and its value take (key sds, dict entry, value, expiry entry): `MEMORY USAGE`. */
export function estimateKeyBytes(keyspace: Keyspace, key: string, value: StoredValue): number {
  let bytes = keyBytes(key) + valueBytes(value);
  if (keyspace.expireTime(key) !== undefined) bytes += EXPIRE_ENTRY;
  return bytes;
}

/**
 * Bytes of all keys and values of a shard, with the two dicts' bucket arrays: the keyspace's
 * running total, kept by every write. O(1). `_dirty` is unused (kept for callers).
 */
export function estimateDatasetBytes(keyspace: Keyspace, _dirty?: number): number {
  return keyspace.bytes;
}

/**
 * The same figure computed from scratch, key by key (O(n)): what the running total must equal.
 * Collections are measured by their own `memoryUsage()` (tests check those against their contents).
 */
export function recomputeDatasetBytes(keyspace: Keyspace): number {
  let bytes = 0;
  for (const [key, value, when] of keyspace.entries()) {
    bytes += keyBytes(key) + valueBytes(value);
    if (when !== undefined) bytes += EXPIRE_ENTRY;
  }
  return bytes + bucketBytes(keyspace.size) + bucketBytes(keyspace.volatileCount);
}

/** Memory a Redis 7.4 process uses right after start (used_memory_startup of an empty 7.4 server). */
export const STARTUP_BYTES = 946400;
/** What one idle connection costs (CLIENT LIST tot-mem of an idle client). */
export const IDLE_CLIENT_BYTES = 1024 + 912;

export interface MemoryFigures {
  used: number;
  startup: number;
  dataset: number;
  overhead: number;
  clients: number;
  keys: number;
}

/** The memory figures of the shards an endpoint serves. */
export function memoryFigures(cache: CacheCore, shards: readonly Shard[]): MemoryFigures {
  let dataset = 0;
  let keys = 0;
  for (const shard of shards) {
    dataset += estimateDatasetBytes(shard.keyspace, cache.stats.dirty);
    keys += shard.keyspace.size;
  }
  const startup = STARTUP_BYTES * shards.length;
  const clients = IDLE_CLIENT_BYTES * cache.clients.size;
  const overhead = startup + clients;
  return { used: overhead + dataset, startup, dataset, overhead, clients, keys };
}

/** used_memory of the shards a connection reaches: what INFO and the eviction check see. */
export function usedMemory(cache: CacheCore, shards: readonly Shard[] = cache.shards): number {
  return memoryFigures(cache, shards).used;
}

// ---------------------------------------------------------------------------------------------
// Sections.

const DEFAULT_SECTIONS = [
  'server',
  'clients',
  'memory',
  'persistence',
  'stats',
  'replication',
  'cpu',
  'module_list',
  'errorstats',
  'cluster',
  'keyspace',
];

/** Deterministic hex derived from a seed string (run_id, replid, build id). */
function hexOf(seed: string, chars: number): string {
  return createHash('sha1').update(seed).digest('hex').slice(0, chars);
}

const peaks = new WeakMap<CacheCore, number>();

function portOf(addr: string): number {
  const i = addr.lastIndexOf(':');
  const port = Number(addr.slice(i + 1));
  return Number.isInteger(port) ? port : 10000;
}

/** The `maxclients` setting: the SKU's max client connections unless changed. */
function maxClientsOf(cache: CacheCore): number {
  return Number(cache.settings.get('maxclients') ?? 10000);
}

function totalSystemMemory(cache: CacheCore): number {
  try {
    return Math.round((getSku(cache.topology.sku).sizeGB / 0.8) * 1024 ** 3);
  } catch {
    return 8 * 1024 ** 3;
  }
}

function lines(fields: Array<[string, string | number]>): string {
  let out = '';
  for (const [k, v] of fields) out += `${k}:${v}\r\n`;
  return out;
}

function ratio(a: number, b: number): string {
  return printfFixed(b === 0 ? 0 : a / b, 2);
}

/** The INFO text for the requested section names (already as the user typed them). */
export function infoText(ctx: InfoContext, args: readonly string[]): string {
  let all = false;
  let everything = false;
  const wanted = new Set<string>();
  if (args.length === 0) for (const s of DEFAULT_SECTIONS) wanted.add(s);
  for (const raw of args) {
    const name = raw.toLowerCase();
    if (name === 'default') for (const s of DEFAULT_SECTIONS) wanted.add(s);
    else if (name === 'all') all = true;
    else if (name === 'everything') {
      all = true;
      everything = true;
    } else wanted.add(name);
  }
  void everything; // no module sections exist: "everything" is "all"
  const want = (name: string): boolean => all || wanted.has(name);

  const { cache, client, shard, now } = ctx;
  const stats = cache.stats as ServerStats & OptionalStats;
  const topology = cache.topology;
  const placement = topology.shards[shard.index];
  const shards = client.shards.length > 0 ? client.shards : cache.shards;
  const clusterEnabled = cache.policy === 'OSS';
  const port = portOf(client.laddr);
  const uptime = Math.max(0, Math.floor((now - stats.startTime) / 1000));
  const ha = topology.highAvailability && placement?.replicaNode != null;

  const sections: string[] = [];
  const add = (title: string, body: string): void => {
    sections.push(`# ${title}\r\n${body}`);
  };

  if (want('server')) {
    const runSeed = placement?.id ?? `${topology.hostname}:${shard.index}`;
    add(
      'Server',
      lines([
        ['redis_version', REDIS_VERSION],
        ['redis_git_sha1', '00000000'],
        ['redis_git_dirty', 0],
        ['redis_build_id', hexOf(`build:${REDIS_VERSION}`, 16)],
        ['redis_mode', clusterEnabled ? 'cluster' : 'standalone'],
        ['os', 'Linux 5.15.0-1079-azure x86_64'],
        ['arch_bits', 64],
        ['monotonic_clock', 'POSIX clock_gettime'],
        ['multiplexing_api', 'epoll'],
        ['atomicvar_api', 'c11-builtin'],
        ['gcc_version', '11.4.0'],
        ['process_id', 1000 + (parseInt(hexOf(`pid:${runSeed}`, 4), 16) % 60000)],
        ['process_supervised', 'no'],
        ['run_id', hexOf(`run:${runSeed}`, 40)],
        ['tcp_port', port],
        ['server_time_usec', now * 1000],
        ['uptime_in_seconds', uptime],
        ['uptime_in_days', Math.floor(uptime / 86400)],
        ['hz', 10],
        ['configured_hz', 10],
        ['lru_clock', Math.floor(now / 1000) & 0xffffff],
        ['executable', '/opt/redis/bin/redis-server'],
        ['config_file', ''],
        ['io_threads_active', 0],
        ['listener0', `name=tcp,bind=*,bind=-::*,port=${port}`],
      ]),
    );
  }

  if (want('clients')) {
    let pubsub = 0;
    let watching = 0;
    const blocking = blockingStats(cache);
    const limits = clientLimitStats(cache);
    for (const c of cache.clients.values()) {
      const o = c as ClientState & OptionalClientState;
      if ((o.subscriptions ?? 0) > 0) pubsub++;
      if ((o.watching ?? 0) > 0) watching++;
    }
    add(
      'Clients',
      lines([
        // The asking connection counts itself, also the cache's in-process caller.
        ['connected_clients', connectionCount(cache) + (client.internal === true ? 1 : 0)],
        ['cluster_connections', 0],
        ['maxclients', maxClientsOf(cache)],
        // 7.4 reads every request into one shared 20 KB buffer; a longer partial one shows.
        ['client_recent_max_input_buffer', Math.max(20480, limits.recentMaxInput.peak(now))],
        ['client_recent_max_output_buffer', limits.recentMaxOutput.peak(now)],
        ['blocked_clients', blocking.blockedClients],
        ['tracking_clients', cache.tracking?.clients ?? 0],
        ['pubsub_clients', pubsub],
        ['watching_clients', watching],
        ['clients_in_timeout_table', blocking.blockedClients],
        ['total_watched_keys', watchedKeyCount(cache)],
        ['total_blocking_keys', blocking.blockingKeys],
        ['total_blocking_keys_on_nokey', 0],
      ]),
    );
  }

  if (want('memory')) {
    const mem = memoryFigures(cache, shards);
    const peak = Math.max(peaks.get(cache) ?? 0, mem.used);
    peaks.set(cache, peak);
    const allocated = mem.used;
    const active = Math.ceil((allocated * 1.03) / 4096) * 4096;
    const resident = Math.ceil((active * 1.25) / 4096) * 4096;
    const rss = resident + 4096 * 256;
    const net = mem.used - mem.startup;
    const maxmemoryPerShard = Number(cache.settings.get('maxmemory') ?? 0);
    const maxmemory = maxmemoryPerShard * shards.length;
    const systemMemory = totalSystemMemory(cache);
    add(
      'Memory',
      lines([
        ['used_memory', mem.used],
        ['used_memory_human', bytesToHuman(mem.used)],
        ['used_memory_rss', rss],
        ['used_memory_rss_human', bytesToHuman(rss)],
        ['used_memory_peak', peak],
        ['used_memory_peak_human', bytesToHuman(peak)],
        ['used_memory_peak_perc', `${printfFixed((mem.used * 100) / peak, 2)}%`],
        ['used_memory_overhead', mem.overhead],
        ['used_memory_startup', mem.startup],
        ['used_memory_dataset', mem.dataset],
        ['used_memory_dataset_perc', `${printfFixed(net > 0 ? (mem.dataset * 100) / net : 0, 2)}%`],
        ['allocator_allocated', allocated],
        ['allocator_active', active],
        ['allocator_resident', resident],
        ['allocator_muzzy', 0],
        ['total_system_memory', systemMemory],
        ['total_system_memory_human', bytesToHuman(systemMemory)],
        ['used_memory_lua', 31744],
        ['used_memory_vm_eval', 31744],
        ['used_memory_lua_human', bytesToHuman(31744)],
        ['used_memory_scripts_eval', 0],
        ['number_of_cached_scripts', stats.cachedScripts ?? 0],
        ['number_of_functions', stats.functions ?? 0],
        ['number_of_libraries', stats.libraries ?? 0],
        ['used_memory_vm_functions', 32768],
        ['used_memory_vm_total', 64512],
        ['used_memory_vm_total_human', bytesToHuman(64512)],
        ['used_memory_functions', 192],
        ['used_memory_scripts', 192],
        ['used_memory_scripts_human', bytesToHuman(192)],
        ['maxmemory', maxmemory],
        ['maxmemory_human', bytesToHuman(maxmemory)],
        ['maxmemory_policy', cache.settings.get('maxmemory-policy') ?? 'volatile-lru'],
        ['allocator_frag_ratio', ratio(active, allocated)],
        ['allocator_frag_bytes', active - allocated],
        ['allocator_rss_ratio', ratio(resident, active)],
        ['allocator_rss_bytes', resident - active],
        ['rss_overhead_ratio', ratio(rss, resident)],
        ['rss_overhead_bytes', rss - resident],
        ['mem_fragmentation_ratio', ratio(rss, mem.used)],
        ['mem_fragmentation_bytes', rss - mem.used],
        ['mem_not_counted_for_evict', 0],
        ['mem_replication_backlog', 0],
        ['mem_total_replication_buffers', 0],
        ['mem_clients_slaves', 0],
        ['mem_clients_normal', mem.clients],
        ['mem_cluster_links', 0],
        ['mem_aof_buffer', 0],
        ['mem_allocator', 'jemalloc-5.3.0'],
        ['mem_overhead_db_hashtable_rehashing', 0],
        ['active_defrag_running', 0],
        ['lazyfree_pending_objects', 0],
        ['lazyfreed_objects', 0],
      ]),
    );
  }

  if (want('persistence')) {
    const aof = cache.settings.get('appendonly') === 'yes' ? 1 : 0;
    const persistence = cache.persistence ?? { dirtyAtLastSave: 0, lastSaveTime: stats.startTime, lastBackupMs: -1, saves: 0, lastLoad: { loaded: 0, expired: 0 }, backup: null };
    const now = cache.clock.now();
    const backup = persistence.backup;
    const seconds = (ms: number): number => Math.floor(ms / 1000);
    let aofBytes = 0;
    if (aof === 1) for (const s of shards) aofBytes += estimateDatasetBytes(s.keyspace);
    add(
      'Persistence',
      lines([
        ['loading', 0],
        ['async_loading', 0],
        ['current_cow_peak', 0],
        ['current_cow_size', 0],
        ['current_cow_size_age', 0],
        ['current_fork_perc', '0.00'],
        ['current_save_keys_processed', 0],
        ['current_save_keys_total', 0],
        ['rdb_changes_since_last_save', stats.dirty - persistence.dirtyAtLastSave],
        ['rdb_bgsave_in_progress', backup === null ? 0 : 1],
        ['rdb_last_save_time', seconds(persistence.lastSaveTime)],
        ['rdb_last_bgsave_status', 'ok'],
        ['rdb_last_bgsave_time_sec', persistence.lastBackupMs < 0 ? -1 : seconds(persistence.lastBackupMs)],
        ['rdb_current_bgsave_time_sec', backup === null ? -1 : seconds(now - backup.startedAt)],
        ['rdb_saves', persistence.saves],
        ['rdb_last_cow_size', 0],
        ['rdb_last_load_keys_expired', persistence.lastLoad.expired],
        ['rdb_last_load_keys_loaded', persistence.lastLoad.loaded],
        ['aof_enabled', aof],
        ['aof_rewrite_in_progress', 0],
        ['aof_rewrite_scheduled', 0],
        ['aof_last_rewrite_time_sec', -1],
        ['aof_current_rewrite_time_sec', -1],
        ['aof_last_bgrewrite_status', 'ok'],
        ['aof_rewrites', 0],
        ['aof_rewrites_consecutive_failures', 0],
        ['aof_last_write_status', 'ok'],
        ['aof_last_cow_size', 0],
        ['module_fork_in_progress', 0],
        ['module_fork_last_cow_size', 0],
        // Redis adds these while the AOF is on (the sizes: the dataset as the AOF's base).
        ...(aof === 1
          ? ([
              ['aof_current_size', aofBytes],
              ['aof_base_size', aofBytes],
              ['aof_pending_rewrite', 0],
              ['aof_buffer_length', 0],
              ['aof_pending_bio_fsync', 0],
              ['aof_delayed_fsync', 0],
            ] as Array<[string, string | number]>)
          : []),
      ]),
    );
  }

  if (want('stats')) {
    let expired = 0;
    let evicted = 0;
    for (const s of shards) {
      expired += s.keyspace.expiredCount;
      evicted += s.keyspace.evictedCount;
    }
    let errors = 0;
    for (const n of stats.errorCounts?.values() ?? []) errors += n;
    // Redis counts a command after it ran: INFO does not count itself.
    const processed = Math.max(0, stats.commandsProcessed - 1);
    add(
      'Stats',
      lines([
        ['total_connections_received', stats.connectionsReceived],
        ['total_commands_processed', processed],
        ['instantaneous_ops_per_sec', 0],
        ['total_net_input_bytes', 0],
        ['total_net_output_bytes', 0],
        ['total_net_repl_input_bytes', 0],
        ['total_net_repl_output_bytes', 0],
        ['instantaneous_input_kbps', '0.00'],
        ['instantaneous_output_kbps', '0.00'],
        ['instantaneous_input_repl_kbps', '0.00'],
        ['instantaneous_output_repl_kbps', '0.00'],
        ['rejected_connections', clientLimitStats(cache).rejectedConnections],
        ['sync_full', ha ? 1 : 0],
        ['sync_partial_ok', 0],
        ['sync_partial_err', 0],
        ['expired_subkeys', stats.expiredSubkeys ?? 0],
        ['expired_keys', expired],
        ['expired_stale_perc', '0.00'],
        ['expired_time_cap_reached_count', 0],
        ['expire_cycle_cpu_milliseconds', 0],
        ['evicted_keys', evicted],
        ['evicted_clients', 0],
        ['evicted_scripts', 0],
        ['total_eviction_exceeded_time', 0],
        ['current_eviction_exceeded_time', 0],
        ['keyspace_hits', stats.keyspaceHits],
        ['keyspace_misses', stats.keyspaceMisses],
        ['pubsub_channels', stats.pubsubChannels ?? 0],
        ['pubsub_patterns', stats.pubsubPatterns ?? 0],
        ['pubsubshard_channels', stats.pubsubShardChannels ?? 0],
        ['latest_fork_usec', 0],
        ['total_forks', 0],
        ['migrate_cached_sockets', 0],
        ['slave_expires_tracked_keys', 0],
        ['active_defrag_hits', 0],
        ['active_defrag_misses', 0],
        ['active_defrag_key_hits', 0],
        ['active_defrag_key_misses', 0],
        ['total_active_defrag_time', 0],
        ['current_active_defrag_time', 0],
        ['tracking_total_keys', cache.tracking?.table.size ?? 0],
        ['tracking_total_items', cache.tracking?.items ?? 0],
        ['tracking_total_prefixes', cache.tracking?.prefixes.size ?? 0],
        ['unexpected_error_replies', 0],
        ['total_error_replies', errors],
        ['dump_payload_sanitizations', 0],
        ['total_reads_processed', processed],
        ['total_writes_processed', processed],
        ['io_threaded_reads_processed', 0],
        ['io_threaded_writes_processed', 0],
        ['client_query_buffer_limit_disconnections', clientLimitStats(cache).queryBufferLimitDisconnections],
        ['client_output_buffer_limit_disconnections', clientLimitStats(cache).outputBufferLimitDisconnections],
        ['reply_buffer_shrinks', 0],
        ['reply_buffer_expands', 0],
        ['eventloop_cycles', Math.floor((now - stats.startTime) / 100) + processed],
        ['eventloop_duration_sum', 0],
        ['eventloop_duration_cmd_sum', 0],
        ['instantaneous_eventloop_cycles_per_sec', 0],
        ['instantaneous_eventloop_duration_usec', 0],
        ['acl_access_denied_auth', 0],
        ['acl_access_denied_cmd', 0],
        ['acl_access_denied_key', 0],
        ['acl_access_denied_channel', 0],
      ]),
    );
  }

  if (want('replication')) {
    const seed = placement?.id ?? `${topology.hostname}:${shard.index}`;
    // Offsets, lag and the replica's state come from the replication layer when there is one.
    const repl = cache.replication?.isPrimary(shard) ? cache.replication.status(shard.index) : null;
    // A replica in a full resync is connected (state send_bulk, offset 0) but acknowledges nothing yet.
    const online = repl ? repl.replicaState === 'online' || repl.replicaState === 'syncing' : ha;
    const offset = repl?.primaryOffset ?? 0;
    const backlog = repl?.backlogBytes ?? 1048576;
    const fields: Array<[string, string | number]> = [
      ['role', 'master'],
      ['connected_slaves', online ? 1 : 0],
    ];
    if (online) {
      const node = topology.nodes[repl?.replicaNode ?? placement.replicaNode!];
      const lag = repl ? Math.floor(repl.lagMs / 1000) : 0;
      fields.push(['slave0', `ip=${node?.ip ?? '10.0.0.5'},port=${node?.port ?? 8502},state=${repl?.replicaState === 'syncing' ? 'send_bulk' : 'online'},offset=${repl?.replicaOffset ?? 0},lag=${lag}`]);
    }
    fields.push(
      ['master_failover_state', repl?.state === 'failing-over' ? 'failover-in-progress' : 'no-failover'],
      ['master_replid', repl?.replid ?? hexOf(`replid:${seed}`, 40)],
      ['master_replid2', '0000000000000000000000000000000000000000'],
      ['master_repl_offset', offset],
      ['second_repl_offset', -1],
      ['repl_backlog_active', ha ? 1 : 0],
      ['repl_backlog_size', backlog],
      ['repl_backlog_first_byte_offset', ha ? Math.max(1, offset - backlog + 1) : 0],
      ['repl_backlog_histlen', ha ? Math.min(offset, backlog) : 0],
    );
    add('Replication', lines(fields));
  }

  if (want('cpu')) {
    add(
      'CPU',
      lines([
        ['used_cpu_sys', '0.000000'],
        ['used_cpu_user', '0.000000'],
        ['used_cpu_sys_children', '0.000000'],
        ['used_cpu_user_children', '0.000000'],
        ['used_cpu_sys_main_thread', '0.000000'],
        ['used_cpu_user_main_thread', '0.000000'],
      ]),
    );
  }

  if (want('module_list') || want('modules')) add('Modules', moduleInfoLines(ctx.cache.modules));

  if (want('commandstats')) {
    // Counted by dispatch (src/command-log.ts); commands in name order (Redis's is its hash order).
    const log = cache.commandLog;
    const fields: Array<[string, string]> = [];
    for (const id of log.usedIds()) {
      const calls = log.calls[id];
      const usec = log.usec[id];
      const perCall = calls === 0 ? 0 : usec / calls;
      fields.push([
        `cmdstat_${log.specs[id].name}`,
        `calls=${calls},usec=${usec},usec_per_call=${printfFixed(perCall, 2)},rejected_calls=${log.rejected[id]},failed_calls=${log.failed[id]}`,
      ]);
    }
    add('Commandstats', lines(fields));
  }

  if (want('errorstats')) {
    const errs = [...(stats.errorCounts ?? new Map<string, number>())].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    add('Errorstats', lines(errs.map(([code, n]) => [`errorstat_${code}`, `count=${n}`])));
  }

  if (want('latencystats')) {
    // The `latency-tracking-info-percentiles` of each command's histogram (LATENCY HISTOGRAM's data).
    const log = cache.commandLog;
    const percentiles = (cache.settings.get('latency-tracking-info-percentiles') ?? '')
      .split(' ')
      .filter((p) => p !== '')
      .map(Number);
    const fields: Array<[string, string]> = [];
    for (const id of log.usedIds()) {
      if (log.histogram(id).total <= 0) continue;
      const values = percentiles.map((p) => `p${p}=${printfFixed(log.percentile(id, p), 3)}`);
      fields.push([`latency_percentiles_usec_${log.specs[id].name}`, values.join(',')]);
    }
    add('Latencystats', lines(fields));
  }

  if (want('cluster')) add('Cluster', lines([['cluster_enabled', clusterEnabled ? 1 : 0]]));

  // Redis Enterprise's Active-Active section, on members of a geo-replication group (src/geo).
  if (want('crdt') && cache.geo !== null) add('CRDT', lines(cache.geo.crdtInfo()));

  if (want('keyspace')) {
    let keys = 0;
    let expires = 0;
    let ttlSum = 0;
    let ttlCount = 0;
    for (const s of shards) {
      keys += s.keyspace.size;
      expires += s.keyspace.volatileCount;
      for (const when of s.keyspace.expiryTimes()) {
        if (when > now) {
          ttlSum += when - now;
          ttlCount++;
        }
      }
    }
    const avgTtl = ttlCount === 0 ? 0 : Math.floor(ttlSum / ttlCount);
    add('Keyspace', keys > 0 ? lines([['db0', `keys=${keys},expires=${expires},avg_ttl=${avgTtl},subexpiry=0`]]) : '');
  }

  return sections.join('\r\n');
}
