/**
 * Connection and server commands: PING, ECHO, TIME, QUIT, HELLO, INFO, CONFIG, CLIENT, and the
 * AMR decisions around them (SELECT/RESET blocked, CONFIG limited to the RS-CFG settings).
 * The last block compares error texts with a live redis-server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManagedRedis, type ManagedRedisOptions } from '../../src/managed-redis.js';
import type { ClientState } from '../../src/core-types.js';
import { MapReply, StatusReply, VerbatimReply, type Reply } from '../../src/protocol/reply.js';
import { defineCommand } from '../../src/commands/command.js';
import { registerClientSubcommand, configNameMatch } from '../../src/commands/server.js';
import { bytesToHuman, printfFixed, allocSize } from '../../src/info.js';
import { defaultConfig, parseMemory, parseNotifyKeyspaceEvents, formatNotifyKeyspaceEvents } from '../../src/config-defaults.js';
import { toTyped, sameReply, type Typed } from '../support/oracle.js';
import { describeLive } from '../support/live.js';
import { RespClient } from '../support/resp-client.js';
import { helpFooter74 } from '../support/help-footer.js';

const T0 = 1735689600000; // 2025-01-01T00:00:00Z

function setup(options: ManagedRedisOptions = {}): { cache: ManagedRedis; client: ClientState; run: (...argv: Array<string | Buffer>) => Reply } {
  const cache = new ManagedRedis({ clock: 'virtual', seed: 7, activeExpiry: false, ...options });
  const client = cache.openClient({ name: null });
  const run = (...argv: Array<string | Buffer>): Reply => cache.executeReply(argv, client);
  return { cache, client, run };
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error reply');
}

function infoOf(reply: Reply): string {
  expect(reply).toBeInstanceOf(VerbatimReply);
  expect((reply as VerbatimReply).format).toBe('txt');
  return (reply as VerbatimReply).text;
}

/** INFO text → field map. */
function fields(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out.set(line.slice(0, i), line.slice(i + 1));
  }
  return out;
}

function headers(text: string): string[] {
  return text.split('\r\n').filter((l) => l.startsWith('# ')).map((l) => l.slice(2));
}

function mapEntries(reply: Reply): Array<[Reply, Reply]> {
  expect(reply).toBeInstanceOf(MapReply);
  return (reply as MapReply).entries;
}

describe('PING, ECHO, TIME, QUIT', () => {
  it('PING answers PONG as a status and echoes a message as a bulk string', () => {
    const { run } = setup();
    expect(run('PING')).toEqual(new StatusReply('PONG'));
    expect(run('ping', 'hello')).toBe('hello');
    const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x80]);
    expect(run('PING', bytes)).toEqual(bytes);
    expect(errorOf(() => run('PING', 'a', 'b'))).toBe("ERR wrong number of arguments for 'ping' command");
  });

  it('ECHO returns its argument byte for byte and checks arity', () => {
    const { run } = setup();
    const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x80]);
    expect(run('ECHO', bytes)).toEqual(bytes);
    expect(run('ECHO', '')).toBe('');
    expect(errorOf(() => run('ECHO'))).toBe("ERR wrong number of arguments for 'echo' command");
    expect(errorOf(() => run('ECHO', 'a', 'b'))).toBe("ERR wrong number of arguments for 'echo' command");
  });

  it('TIME reads the virtual clock: seconds and microseconds as bulk strings', () => {
    const { cache, run } = setup({ startTime: T0 + 123 });
    expect(run('TIME')).toEqual(['1735689600', '123000']);
    cache.clock.advance(1_999);
    expect(run('TIME')).toEqual(['1735689602', '122000']);
    expect(errorOf(() => run('TIME', 'x'))).toBe("ERR wrong number of arguments for 'time' command");
  });

  it('QUIT answers OK (with or without arguments, arity -1 since 7.2)', () => {
    const { run } = setup();
    expect(run('QUIT')).toEqual(new StatusReply('OK'));
    expect(run('QUIT', 'now')).toEqual(new StatusReply('OK'));
  });
});

describe('HELLO', () => {
  it('switches to RESP3 and answers the server map', () => {
    const { run, client } = setup();
    const reply = run('HELLO', '3');
    expect(client.resp).toBe(3);
    expect(mapEntries(reply)).toEqual([
      ['server', 'redis'],
      ['version', '7.4.3'],
      ['proto', 3],
      ['id', client.id],
      ['mode', 'cluster'],
      ['role', 'master'],
      ['modules', []],
    ]);
    expect(toTyped(reply, 2)[0]).toBe('*');
    expect(toTyped(reply, 3)[0]).toBe('%');
    run('HELLO', '2');
    expect(client.resp).toBe(2);
  });

  it('without a version reports the current protocol and changes nothing', () => {
    const { run, client } = setup();
    expect(mapEntries(run('HELLO'))[2]).toEqual(['proto', 2]);
    client.resp = 3;
    expect(mapEntries(run('HELLO'))[2]).toEqual(['proto', 3]);
    expect(client.resp).toBe(3);
  });

  it('reports mode standalone under NoCluster and Enterprise (no OSS cluster API), cluster under OSS', () => {
    expect(mapEntries(setup({ clusterPolicy: 'NoCluster' }).run('HELLO'))[4]).toEqual(['mode', 'standalone']);
    expect(mapEntries(setup({ clusterPolicy: 'Enterprise' }).run('HELLO'))[4]).toEqual(['mode', 'standalone']);
    expect(mapEntries(setup({ clusterPolicy: 'OSS' }).run('HELLO'))[4]).toEqual(['mode', 'cluster']);
  });

  it('takes AUTH (any credentials) and SETNAME options', () => {
    const { run, client } = setup();
    run('HELLO', '3', 'AUTH', 'object-id', 'entra-token', 'SETNAME', 'worker-1');
    expect(client.resp).toBe(3);
    expect(client.name).toBe('worker-1');
    expect(run('CLIENT', 'GETNAME')).toBe('worker-1');
    run('hello', '2', 'setname', '');
    expect(client.name).toBeNull();
  });

  it('answers the exact errors and changes nothing on error', () => {
    const { run, client } = setup();
    expect(errorOf(() => run('HELLO', '4'))).toBe('NOPROTO unsupported protocol version');
    expect(errorOf(() => run('HELLO', '1'))).toBe('NOPROTO unsupported protocol version');
    expect(errorOf(() => run('HELLO', '-1'))).toBe('NOPROTO unsupported protocol version');
    expect(errorOf(() => run('HELLO', 'three'))).toBe('ERR Protocol version is not an integer or out of range');
    expect(errorOf(() => run('HELLO', '99999999999999999999'))).toBe('ERR Protocol version is not an integer or out of range');
    expect(errorOf(() => run('HELLO', '3', 'AUTH', 'user'))).toBe("ERR Syntax error in HELLO option 'AUTH'");
    expect(errorOf(() => run('HELLO', '3', 'SETNAME'))).toBe("ERR Syntax error in HELLO option 'SETNAME'");
    expect(errorOf(() => run('HELLO', '3', 'Foo'))).toBe("ERR Syntax error in HELLO option 'Foo'");
    expect(errorOf(() => run('HELLO', '3', 'SETNAME', 'a b'))).toBe(
      'ERR Client names cannot contain spaces, newlines or special characters.',
    );
    expect(client.resp).toBe(2);
    expect(client.name).toBeNull();
  });
});

describe('SELECT and RESET are blocked on AMR', () => {
  it('answer ERR unknown command', () => {
    const { run } = setup();
    expect(errorOf(() => run('SELECT', '0'))).toBe("ERR unknown command 'SELECT', with args beginning with: '0' ");
    expect(errorOf(() => run('RESET'))).toBe("ERR unknown command 'RESET', with args beginning with: ");
  });
});

describe('INFO', () => {
  const DEFAULT = ['Server', 'Clients', 'Memory', 'Persistence', 'Stats', 'Replication', 'CPU', 'Modules', 'Errorstats', 'Cluster', 'Keyspace'];
  const ALL = ['Server', 'Clients', 'Memory', 'Persistence', 'Stats', 'Replication', 'CPU', 'Modules', 'Commandstats', 'Errorstats', 'Latencystats', 'Cluster', 'Keyspace'];

  it('answers a verbatim txt string (a bulk string in RESP2) in Redis layout', () => {
    const { run } = setup();
    const reply = run('INFO');
    const text = infoOf(reply);
    expect(toTyped(reply, 3)).toEqual(['=', `txt:${text}`]);
    expect(toTyped(reply, 2)).toEqual(['$', text]);
    expect(text.startsWith('# Server\r\nredis_version:7.4.3\r\n')).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.endsWith('\r\n\r\n')).toBe(false);
    expect(text).not.toMatch(/[^\r]\n/); // CRLF only
    expect(text).toContain('\r\n\r\n# Clients\r\n');
    expect(headers(text)).toEqual(DEFAULT);
  });

  it('selects sections case-insensitively and always prints them in Redis order', () => {
    const { run } = setup();
    expect(headers(infoOf(run('INFO', 'KEYSPACE', 'server')))).toEqual(['Server', 'Keyspace']);
    expect(headers(infoOf(run('INFO', 'default')))).toEqual(DEFAULT);
    expect(headers(infoOf(run('INFO', 'all')))).toEqual(ALL);
    expect(headers(infoOf(run('INFO', 'everything')))).toEqual(ALL);
    expect(headers(infoOf(run('INFO', 'commandstats', 'cpu')))).toEqual(['CPU', 'Commandstats']);
    expect(headers(infoOf(run('INFO', 'modules')))).toEqual(['Modules']);
    expect(infoOf(run('INFO', 'nosuchsection'))).toBe('');
    expect(infoOf(run('INFO', 'cluster'))).toBe('# Cluster\r\ncluster_enabled:1\r\n');
  });

  it('server section: AMR version, mode, port and times from the virtual clock', () => {
    const { cache, run } = setup({ startTime: T0 });
    cache.clock.advance(90_061_500); // 1 day, 1 h, 1 min, 1.5 s
    const f = fields(infoOf(run('INFO', 'server')));
    expect(f.get('redis_version')).toBe('7.4.3');
    expect(f.get('redis_mode')).toBe('cluster');
    expect(f.get('arch_bits')).toBe('64');
    expect(f.get('tcp_port')).toBe('10000');
    expect(f.get('uptime_in_seconds')).toBe('90061');
    expect(f.get('uptime_in_days')).toBe('1');
    expect(f.get('server_time_usec')).toBe(String((T0 + 90_061_500) * 1000));
    expect(f.get('lru_clock')).toBe(String(Math.floor((T0 + 90_061_500) / 1000) & 0xffffff));
    expect(f.get('run_id')).toMatch(/^[0-9a-f]{40}$/);
    expect(f.get('listener0')).toBe('name=tcp,bind=*,bind=-::*,port=10000');
    expect(fields(infoOf(setup({ clusterPolicy: 'NoCluster' }).run('INFO', 'server'))).get('redis_mode')).toBe('standalone');
  });

  it('reports the node port to a connection made to an OSS node endpoint', () => {
    const { cache } = setup();
    const nodeClient = cache.openClient({ name: null, node: 0 });
    const port = cache.topology.nodes[0].port;
    const f = fields(infoOf(cache.executeReply(['INFO', 'server'], nodeClient)));
    expect(f.get('tcp_port')).toBe(String(port));
  });

  it('is deterministic for a seed', () => {
    const a = infoOf(setup().run('INFO', 'everything'));
    const b = infoOf(setup().run('INFO', 'everything'));
    expect(a).toBe(b);
  });

  it('clients section: connected clients and the SKU connection limit', () => {
    const { cache, run } = setup();
    const before = Number(fields(infoOf(run('INFO', 'clients'))).get('connected_clients'));
    const extra = cache.openClient({ name: null });
    expect(Number(fields(infoOf(run('INFO', 'clients'))).get('connected_clients'))).toBe(before + 1);
    cache.closeClient(extra);
    expect(Number(fields(infoOf(run('INFO', 'clients'))).get('connected_clients'))).toBe(before);
    expect(fields(infoOf(run('INFO', 'clients'))).get('maxclients')).toBe('15000');
    const big = setup({ sku: 'Balanced_B10' });
    expect(fields(infoOf(big.run('INFO', 'clients'))).get('maxclients')).toBe('30000');
  });

  it('memory section: used_memory grows with data, human forms and the eviction policy', () => {
    const { cache, run } = setup({ evictionPolicy: 'allkeys-lfu' });
    const before = fields(infoOf(run('INFO', 'memory')));
    const used0 = Number(before.get('used_memory'));
    for (let i = 0; i < 200; i++) cache.shards[i % cache.shards.length].keyspace.set(`key:${i}`, 'x'.repeat(100));
    const after = fields(infoOf(run('INFO', 'memory')));
    const used1 = Number(after.get('used_memory'));
    expect(used1 - used0).toBeGreaterThan(200 * 100);
    expect(after.get('used_memory_human')).toBe(bytesToHuman(used1));
    expect(Number(after.get('used_memory_peak'))).toBeGreaterThanOrEqual(used1);
    expect(Number(after.get('used_memory_dataset')) + Number(after.get('used_memory_overhead'))).toBe(used1);
    expect(after.get('maxmemory_policy')).toBe('allkeys-lfu');
    expect(Number(after.get('maxmemory'))).toBeGreaterThan(0);
    expect(after.get('mem_allocator')).toBe('jemalloc-5.3.0');
  });

  it('stats section: commands processed exclude the INFO itself; expired keys counted', () => {
    const { cache, run } = setup({ startTime: T0 });
    const n0 = Number(fields(infoOf(run('INFO', 'stats'))).get('total_commands_processed'));
    run('PING');
    run('PING');
    expect(Number(fields(infoOf(run('INFO', 'stats'))).get('total_commands_processed'))).toBe(n0 + 3);
    cache.shards[0].keyspace.expiredCount += 0; // counters come from the keyspaces
    const expired = cache.shards.reduce((n, s) => n + s.keyspace.expiredCount, 0);
    expect(fields(infoOf(run('INFO', 'stats'))).get('expired_keys')).toBe(String(expired));
  });

  it('replication section: one online replica with HA, none without', () => {
    const ha = fields(infoOf(setup().run('INFO', 'replication')));
    expect(ha.get('role')).toBe('master');
    expect(ha.get('connected_slaves')).toBe('1');
    expect(ha.get('slave0')).toMatch(/^ip=[\d.]+,port=\d+,state=online,offset=0,lag=0$/);
    const solo = fields(infoOf(setup({ highAvailability: false }).run('INFO', 'replication')));
    expect(solo.get('connected_slaves')).toBe('0');
    expect(solo.has('slave0')).toBe(false);
  });

  it('cluster_enabled is 1 only under the OSS policy', () => {
    expect(infoOf(setup({ clusterPolicy: 'OSS' }).run('INFO', 'cluster'))).toBe('# Cluster\r\ncluster_enabled:1\r\n');
    expect(infoOf(setup({ clusterPolicy: 'Enterprise' }).run('INFO', 'cluster'))).toBe('# Cluster\r\ncluster_enabled:0\r\n');
    expect(infoOf(setup({ clusterPolicy: 'NoCluster' }).run('INFO', 'cluster'))).toBe('# Cluster\r\ncluster_enabled:0\r\n');
  });

  it('keyspace section: db0 keys, expires and avg_ttl; no db line when empty', () => {
    const { cache, run } = setup({ clusterPolicy: 'NoCluster', startTime: T0 });
    expect(infoOf(run('INFO', 'keyspace'))).toBe('# Keyspace\r\n');
    const ks = cache.shards[0].keyspace;
    ks.set('a', 'v');
    ks.set('b', 'v');
    ks.setExpire('b', T0 + 10_000);
    ks.set('c', 'v');
    ks.setExpire('c', T0 + 20_000);
    expect(infoOf(run('INFO', 'keyspace'))).toBe('# Keyspace\r\ndb0:keys=3,expires=2,avg_ttl=15000,subexpiry=0\r\n');
  });
});

describe('INFO helpers', () => {
  it('printfFixed rounds exact ties to even like C printf', () => {
    expect(printfFixed(0.125, 2)).toBe('0.12');
    expect(printfFixed(0.375, 2)).toBe('0.38');
    expect(printfFixed(2.5, 0)).toBe('2');
    expect(printfFixed(1.005, 2)).toBe('1.00');
    expect(printfFixed(919.28, 2)).toBe('919.28');
    expect(printfFixed(100, 2)).toBe('100.00');
  });

  it('bytesToHuman matches Redis', () => {
    expect(bytesToHuman(0)).toBe('0B');
    expect(bytesToHuman(1023)).toBe('1023B');
    expect(bytesToHuman(1152)).toBe('1.12K');
    expect(bytesToHuman(941344)).toBe('919.28K');
    expect(bytesToHuman(9371328)).toBe('8.94M');
    expect(bytesToHuman(2013294592)).toBe('1.88G');
  });

  it('allocSize follows jemalloc size classes', () => {
    expect([1, 9, 17, 100, 129, 161, 257, 4097].map(allocSize)).toEqual([8, 16, 32, 112, 160, 192, 320, 5120]);
  });
});

describe('CONFIG', () => {
  const AMR_NAMES = [
    'activerehashing',
    'busy-reply-threshold',
    'lua-time-limit',
    'hash-max-listpack-entries',
    'hash-max-ziplist-entries',
    'hash-max-listpack-value',
    'hash-max-ziplist-value',
    'hll-sparse-max-bytes',
    'list-compress-depth',
    'list-max-listpack-size',
    'list-max-ziplist-size',
    'notify-keyspace-events',
    'set-max-intset-entries',
    'slowlog-log-slower-than',
    'slowlog-max-len',
    'stream-node-max-bytes',
    'stream-node-max-entries',
    'zset-max-listpack-entries',
    'zset-max-ziplist-entries',
    'zset-max-listpack-value',
    'zset-max-ziplist-value',
  ];

  it('GET * lists exactly the settings AMR exposes, with Redis 7.4 defaults', () => {
    const { run } = setup();
    const entries = mapEntries(run('CONFIG', 'GET', '*'));
    expect(entries.map(([k]) => k).sort()).toEqual([...AMR_NAMES].sort());
    const values = new Map(entries as Array<[string, string]>);
    expect(values.get('hash-max-listpack-entries')).toBe('512');
    expect(values.get('zset-max-listpack-entries')).toBe('128');
    expect(values.get('list-max-listpack-size')).toBe('-2');
    expect(values.get('busy-reply-threshold')).toBe('5000');
    expect(values.get('activerehashing')).toBe('yes');
    expect(values.get('notify-keyspace-events')).toBe('');
  });

  it('GET matches globs case-insensitively, takes several patterns, and reports each name once', () => {
    const { run } = setup();
    expect(mapEntries(run('CONFIG', 'GET', 'HASH-MAX-LISTPACK-*'))).toEqual([
      ['hash-max-listpack-entries', '512'],
      ['hash-max-listpack-value', '64'],
    ]);
    expect(mapEntries(run('CONFIG', 'GET', 'lua*', 'busy*'))).toEqual([
      ['lua-time-limit', '5000'],
      ['busy-reply-threshold', '5000'],
    ]);
    expect(mapEntries(run('CONFIG', 'GET', 'activerehashing', 'ACTIVEREHASHING', 'active*'))).toEqual([['activerehashing', 'yes']]);
    // An exact name is reported as typed, and aliases are separate names.
    expect(mapEntries(run('CONFIG', 'GET', 'HASH-MAX-ZIPLIST-ENTRIES'))).toEqual([['HASH-MAX-ZIPLIST-ENTRIES', '512']]);
    expect(mapEntries(run('CONFIG', 'GET', 'nomatch*'))).toEqual([]);
  });

  it('GET of a setting AMR does not expose is an error (RS-CFG)', () => {
    const { run } = setup();
    expect(errorOf(() => run('CONFIG', 'GET', 'maxmemory'))).toBe('ERR Unsupported CONFIG parameter: maxmemory');
    expect(errorOf(() => run('CONFIG', 'GET', 'maxmemory-policy'))).toBe('ERR Unsupported CONFIG parameter: maxmemory-policy');
    expect(errorOf(() => run('CONFIG', 'GET', 'nosuch'))).toBe('ERR Unsupported CONFIG parameter: nosuch');
    expect(mapEntries(run('CONFIG', 'GET', 'maxmemory*'))).toEqual([]);
  });

  it('SET changes several settings at once, through aliases too', () => {
    const { cache, run } = setup();
    expect(run('CONFIG', 'SET', 'hash-max-ziplist-entries', '64', 'notify-keyspace-events', 'KEA')).toEqual(new StatusReply('OK'));
    expect(cache.settings.get('hash-max-listpack-entries')).toBe('64');
    expect(mapEntries(run('CONFIG', 'GET', 'hash-max-*-entries', 'notify-keyspace-events'))).toEqual([
      ['hash-max-listpack-entries', '64'],
      ['hash-max-ziplist-entries', '64'],
      ['notify-keyspace-events', 'AKE'],
    ]);
    // Redis treats an alias and its setting as two names: no duplicate error, the last one wins.
    run('CONFIG', 'SET', 'hash-max-ziplist-entries', '1', 'hash-max-listpack-entries', '2');
    expect(cache.settings.get('hash-max-listpack-entries')).toBe('2');
  });

  it('SET normalises values as Redis reports them', () => {
    const { cache, run } = setup();
    const set = (name: string, value: string): string | undefined => {
      run('CONFIG', 'SET', name, value);
      return cache.settings.get(name);
    };
    expect(set('notify-keyspace-events', 'Egxz$')).toBe('g$zxE');
    expect(set('notify-keyspace-events', 'Ag')).toBe('A');
    expect(set('notify-keyspace-events', 'Kx')).toBe('xK');
    expect(set('notify-keyspace-events', 'AKEmn')).toBe('AKEm');
    expect(set('notify-keyspace-events', '')).toBe('');
    expect(set('activerehashing', 'NO')).toBe('no');
    expect(set('hll-sparse-max-bytes', '4kb')).toBe('4096');
    expect(set('stream-node-max-bytes', '1K')).toBe('1000');
    expect(set('list-max-listpack-size', '-5')).toBe('-5');
  });

  it('SET is atomic: a bad value anywhere changes nothing', () => {
    const { cache, run } = setup();
    expect(errorOf(() => run('CONFIG', 'SET', 'set-max-intset-entries', '100', 'activerehashing', 'maybe'))).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'activerehashing') - argument must be 'yes' or 'no'",
    );
    expect(cache.settings.get('set-max-intset-entries')).toBe('512');
  });

  it('SET answers Redis 7 validation errors', () => {
    const { run } = setup();
    const fail = (...args: string[]): string => errorOf(() => run('CONFIG', 'SET', ...args));
    const prefix = (name: string): string => `ERR CONFIG SET failed (possibly related to argument '${name}') - `;
    expect(fail('hash-max-listpack-entries', 'abc')).toBe(prefix('hash-max-listpack-entries') + "argument couldn't be parsed into an integer");
    expect(fail('HASH-MAX-ZIPLIST-ENTRIES', '-1')).toBe(
      prefix('hash-max-ziplist-entries') + 'argument must be between 0 and 9223372036854775807 inclusive',
    );
    expect(fail('hll-sparse-max-bytes', '1.5gb')).toBe(prefix('hll-sparse-max-bytes') + 'argument must be a memory value');
    expect(fail('hll-sparse-max-bytes', '-1')).toBe(prefix('hll-sparse-max-bytes') + 'argument must be a memory value');
    expect(fail('notify-keyspace-events', 'Q')).toBe(prefix('notify-keyspace-events') + "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
    expect(fail('list-max-listpack-size', '+5')).toBe(prefix('list-max-listpack-size') + "argument couldn't be parsed into an integer");
    expect(fail('set-max-intset-entries', '1', 'set-max-intset-entries', '2')).toBe(prefix('set-max-intset-entries') + 'duplicate parameter');
    expect(fail('a', 'b', 'c')).toBe('ERR syntax error');
    expect(errorOf(() => run('CONFIG', 'SET', 'a'))).toBe("ERR wrong number of arguments for 'config|set' command");
  });

  it('SET enforces the RS limits on busy-reply-threshold and the slow log', () => {
    const { run } = setup();
    const prefix = (name: string): string => `ERR CONFIG SET failed (possibly related to argument '${name}') - `;
    expect(errorOf(() => run('CONFIG', 'SET', 'lua-time-limit', '60001'))).toBe(prefix('lua-time-limit') + 'argument must be between 0 and 60000 inclusive');
    expect(errorOf(() => run('CONFIG', 'SET', 'slowlog-max-len', '1025'))).toBe(prefix('slowlog-max-len') + 'argument must be between 128 and 1024 inclusive');
    expect(errorOf(() => run('CONFIG', 'SET', 'slowlog-log-slower-than', '999'))).toBe(
      prefix('slowlog-log-slower-than') + 'argument must be between 1000 and 9223372036854775807 inclusive',
    );
    expect(run('CONFIG', 'SET', 'busy-reply-threshold', '60000', 'slowlog-max-len', '1024')).toEqual(new StatusReply('OK'));
  });

  it('SET of anything else, the eviction policy included, is refused (ARM-only on AMR)', () => {
    const { cache, run } = setup();
    expect(errorOf(() => run('CONFIG', 'SET', 'maxmemory-policy', 'noeviction'))).toBe('ERR Unsupported CONFIG parameter: maxmemory-policy');
    expect(errorOf(() => run('CONFIG', 'SET', 'maxmemory', '1mb'))).toBe('ERR Unsupported CONFIG parameter: maxmemory');
    expect(errorOf(() => run('CONFIG', 'SET', 'activerehashing', 'no', 'Save', ''))).toBe('ERR Unsupported CONFIG parameter: Save');
    expect(cache.settings.get('activerehashing')).toBe('yes');
    expect(cache.settings.get('maxmemory-policy')).toBe('volatile-lru');
  });

  it('with exposeAll, behaves like a plain Redis 7.4 server', () => {
    const { cache, run } = setup();
    cache.settings.exposeAll = true;
    expect(mapEntries(run('CONFIG', 'GET', 'maxmemory-policy', 'databases', 'nosuch'))).toEqual([
      ['maxmemory-policy', 'volatile-lru'],
      ['databases', '1'],
    ]);
    run('CONFIG', 'SET', 'maxmemory', '1gb', 'maxmemory-policy', 'ALLKEYS-LRU');
    expect(cache.settings.get('maxmemory')).toBe('1073741824');
    expect(cache.settings.get('maxmemory-policy')).toBe('allkeys-lru');
    expect(errorOf(() => run('CONFIG', 'SET', 'nosuch', '1'))).toBe("ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'");
    expect(errorOf(() => run('CONFIG', 'SET', 'databases', '16'))).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config",
    );
    expect(errorOf(() => run('CONFIG', 'SET', 'maxmemory-policy', 'lru'))).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: " +
        'volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction',
    );
    expect(errorOf(() => run('CONFIG', 'SET', 'maxmemory', 'abc'))).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value",
    );
  });

  it('options reach the settings; listeners hear changes', () => {
    const { cache, run } = setup({ notifyKeyspaceEvents: 'KEA', evictionPolicy: 'noeviction' });
    expect(mapEntries(run('CONFIG', 'GET', 'notify-keyspace-events'))).toEqual([['notify-keyspace-events', 'AKE']]);
    expect(cache.settings.get('maxmemory-policy')).toBe('noeviction');
    const heard: string[] = [];
    cache.settings.onChange((name, value) => heard.push(`${name}=${value}`));
    run('CONFIG', 'SET', 'notify-keyspace-events', 'Ex');
    expect(heard).toEqual(['notify-keyspace-events=xE']);
    expect(() => new ManagedRedis({ notifyKeyspaceEvents: 'KEQ' })).toThrow(RangeError);
  });

  it('REWRITE answers OK, HELP lists the subcommands, RESETSTAT is not supported on AMR', () => {
    const { run } = setup();
    expect(run('CONFIG', 'REWRITE')).toEqual(new StatusReply('OK'));
    const help = run('CONFIG', 'HELP') as StatusReply[];
    expect(help[0]).toEqual(new StatusReply('CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:'));
    expect(help.at(-1)).toEqual(new StatusReply('    Print this help.'));
    expect(help).toHaveLength(11);
    expect(errorOf(() => run('CONFIG', 'RESETSTAT'))).toBe("ERR unknown subcommand 'RESETSTAT'. Try CONFIG HELP.");
    expect(errorOf(() => run('CONFIG', 'NOPE'))).toBe("ERR unknown subcommand 'NOPE'. Try CONFIG HELP.");
    expect(errorOf(() => run('CONFIG', 'GET'))).toBe("ERR wrong number of arguments for 'config|get' command");
    expect(errorOf(() => run('CONFIG'))).toBe("ERR wrong number of arguments for 'config' command");
  });
});

describe('CONFIG GET glob', () => {
  it('follows Redis glob rules', () => {
    expect(configNameMatch('*', 'maxmemory')).toBe(true);
    expect(configNameMatch('max*', 'MAXMEMORY')).toBe(true);
    expect(configNameMatch('max*', 'MAXMEMORY', false)).toBe(false);
    expect(configNameMatch('hash-max-*-entries', 'hash-max-ziplist-entries')).toBe(true);
    expect(configNameMatch('h?ll-*', 'hll-sparse-max-bytes')).toBe(false);
    expect(configNameMatch('h??-*', 'hll-sparse-max-bytes')).toBe(true);
    expect(configNameMatch('[a-c]*', 'busy-reply-threshold')).toBe(true);
    expect(configNameMatch('[^a-c]*', 'busy-reply-threshold')).toBe(false);
    expect(configNameMatch('[z-x]set-*', 'zset-max-listpack-value')).toBe(true);
    expect(configNameMatch('a\\ctive*', 'activerehashing')).toBe(true);
    expect(configNameMatch('**rehash**', 'activerehashing')).toBe(true);
    expect(configNameMatch('active', 'activerehashing')).toBe(false);
  });
});

describe('config-defaults helpers', () => {
  it('parseMemory follows memtoull', () => {
    expect(parseMemory('1gb')).toBe(1073741824n);
    expect(parseMemory('1G')).toBe(1000000000n);
    expect(parseMemory('100')).toBe(100n);
    expect(parseMemory('kb')).toBe(0n);
    expect(parseMemory('1.5gb')).toBeNull();
    expect(parseMemory('-1')).toBeNull();
    expect(parseMemory('1tb')).toBeNull();
  });

  it('notify flags round-trip', () => {
    expect(formatNotifyKeyspaceEvents(parseNotifyKeyspaceEvents('KEA')!)).toBe('AKE');
    expect(parseNotifyKeyspaceEvents('KEAZ')).toBeNull();
  });

  it('defaultConfig validates its inputs', () => {
    expect(() => defaultConfig({ evictionPolicy: 'lru', notifyKeyspaceEvents: '', maxmemoryBytes: 1 })).toThrow(RangeError);
    const config = defaultConfig({ evictionPolicy: 'allkeys-lru', notifyKeyspaceEvents: 'Kx', maxmemoryBytes: 5 });
    expect(config.get('maxmemory')).toBe('5');
    expect(config.get('notify-keyspace-events')).toBe('xK');
    expect(config.get('LUA-TIME-LIMIT')).toBe('5000');
  });
});

describe('CLIENT', () => {
  it('ID, GETNAME, SETNAME', () => {
    const { run, client } = setup();
    expect(run('CLIENT', 'ID')).toBe(client.id);
    expect(run('CLIENT', 'GETNAME')).toBeNull();
    expect(run('CLIENT', 'SETNAME', 'api-1')).toEqual(new StatusReply('OK'));
    expect(run('CLIENT', 'GETNAME')).toBe('api-1');
    run('CLIENT', 'SETNAME', '');
    expect(run('CLIENT', 'GETNAME')).toBeNull();
    for (const bad of ['a b', 'a\nb', 'é', 'tab\t', Buffer.from([0x61, 0x00])]) {
      expect(errorOf(() => run('CLIENT', 'SETNAME', bad))).toBe('ERR Client names cannot contain spaces, newlines or special characters.');
    }
    expect(errorOf(() => run('CLIENT', 'ID', 'x'))).toBe("ERR wrong number of arguments for 'client|id' command");
  });

  it('INFO describes the calling connection in the 7.4 field layout', () => {
    const { cache, run, client } = setup({ startTime: T0 });
    cache.clock.advance(5_000);
    run('CLIENT', 'SETINFO', 'LIB-NAME', 'ioredis');
    run('CLIENT', 'SETINFO', 'lib-ver', '5.4.1');
    const line = (run('CLIENT', 'INFO') as VerbatimReply).text;
    expect(line.endsWith('\n')).toBe(true);
    expect(line).toMatch(
      new RegExp(
        `^id=${client.id} addr=127\\.0\\.0\\.1:\\d+ laddr=\\S+ fd=\\d+ name= age=5 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 ` +
          'multi=-1 watch=0 qbuf=26 qbuf-free=20448 argv-mem=10 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 ' +
          'tot-mem=22426 events=r cmd=client\\|info user=default redir=-1 resp=2 lib-name=ioredis lib-ver=5\\.4\\.1\\n$',
      ),
    );
  });

  it('LIST shows every connection in id order with age, idle and last command', () => {
    const { cache, run, client } = setup({ startTime: T0 });
    const other = cache.openClient({ name: null });
    cache.executeReply(['CLIENT', 'SETNAME', 'other'], other);
    cache.executeReply(['PING'], other);
    cache.clock.advance(3_000);
    const text = (run('CLIENT', 'LIST') as VerbatimReply).text;
    const rows = text.split('\n').filter((l) => l !== '');
    // Every connection; not the cache's own in-process caller (id 1), which is no connection.
    const connections = [...cache.clients.values()].filter((c) => c.internal !== true).map((c) => c.id);
    expect(connections).not.toContain(1);
    expect(rows.map((r) => Number(/^id=(\d+)/.exec(r)![1]))).toEqual(connections);
    const otherRow = rows.find((r) => r.startsWith(`id=${other.id} `))!;
    expect(otherRow).toContain(' name=other age=3 idle=3 ');
    expect(otherRow).toContain(' qbuf=0 qbuf-free=0 argv-mem=0 ');
    expect(otherRow).toContain(' cmd=ping ');
    const selfRow = rows.find((r) => r.startsWith(`id=${client.id} `))!;
    expect(selfRow).toContain(' idle=0 ');
    expect(selfRow).toContain(' cmd=client|list ');
    expect(selfRow).toContain(' qbuf=26 ');
  });

  it('LIST TYPE and LIST ID filter; errors as Redis', () => {
    const { cache, run, client } = setup();
    const other = cache.openClient({ name: null });
    const ids = (reply: Reply): number[] =>
      (reply as VerbatimReply).text
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => Number(/^id=(\d+)/.exec(l)![1]));
    expect(ids(run('CLIENT', 'LIST', 'TYPE', 'normal'))).toEqual([client.id, other.id]);
    expect(ids(run('CLIENT', 'LIST', 'ID', '1'))).toEqual([]); // the in-process caller is no connection
    expect(ids(run('CLIENT', 'LIST', 'TYPE', 'replica'))).toEqual([]);
    expect((run('CLIENT', 'LIST', 'TYPE', 'pubsub') as VerbatimReply).text).toBe('');
    expect(ids(run('CLIENT', 'LIST', 'ID', String(other.id), '999', String(client.id)))).toEqual([other.id, client.id]);
    expect(errorOf(() => run('CLIENT', 'LIST', 'TYPE', 'foo'))).toBe("ERR Unknown client type 'foo'");
    expect(errorOf(() => run('CLIENT', 'LIST', 'ID', 'abc'))).toBe('ERR Invalid client ID');
    expect(errorOf(() => run('CLIENT', 'LIST', 'foo'))).toBe('ERR syntax error');
    expect(errorOf(() => run('CLIENT', 'LIST', 'foo', 'bar'))).toBe('ERR syntax error');
  });

  it('SETINFO validates option and value', () => {
    const { run } = setup();
    expect(errorOf(() => run('CLIENT', 'SETINFO', 'lib-foo', 'x'))).toBe("ERR Unrecognized option 'lib-foo'");
    expect(errorOf(() => run('CLIENT', 'SETINFO', 'LIB-NAME', 'a b'))).toBe('ERR LIB-NAME cannot contain spaces, newlines or special characters.');
    expect(errorOf(() => run('CLIENT', 'SETINFO', 'lib-name'))).toBe("ERR wrong number of arguments for 'client|setinfo' command");
  });

  it('KILL by id, address, type, age; SKIPME; old form', () => {
    const { cache, run, client } = setup({ startTime: T0 });
    const a = cache.openClient({ name: null });
    const old = cache.openClient({ name: null });
    cache.clock.advance(10_000);
    const b = cache.openClient({ name: null });
    expect(run('CLIENT', 'KILL', 'ID', String(a.id))).toBe(1);
    expect(a.closed).toBe(true);
    expect(cache.clients.has(a.id)).toBe(false);
    expect(run('CLIENT', 'KILL', 'ID', String(a.id))).toBe(0);
    expect(run('CLIENT', 'KILL', b.addr)).toEqual(new StatusReply('OK'));
    expect(b.closed).toBe(true);
    expect(errorOf(() => run('CLIENT', 'KILL', b.addr))).toBe('ERR No such client');
    // SKIPME yes by default: the caller survives a TYPE normal sweep.
    const c = cache.openClient({ name: null });
    const killed = run('CLIENT', 'KILL', 'TYPE', 'normal', 'MAXAGE', '5') as number;
    expect(killed).toBe(1); // everything older than 5 s except the caller
    expect(old.closed).toBe(true);
    expect(client.closed).toBe(false);
    expect(cache.execute(['PING'])).toBe('PONG'); // the in-process caller is no connection to kill
    expect(c.closed).toBe(false); // just opened
    expect(run('CLIENT', 'KILL', 'ID', String(client.id), 'SKIPME', 'no')).toBe(1);
    expect(client.closed).toBe(true);
  });

  it('KILL errors', () => {
    const { run } = setup();
    expect(errorOf(() => run('CLIENT', 'KILL', 'ID', '0'))).toBe('ERR client-id should be greater than 0');
    expect(errorOf(() => run('CLIENT', 'KILL', 'ID', 'abc'))).toBe('ERR client-id should be greater than 0');
    expect(errorOf(() => run('CLIENT', 'KILL', 'TYPE', 'foo'))).toBe("ERR Unknown client type 'foo'");
    expect(errorOf(() => run('CLIENT', 'KILL', 'USER', 'nobody'))).toBe("ERR No such user 'nobody'");
    expect(errorOf(() => run('CLIENT', 'KILL', 'SKIPME', 'maybe'))).toBe('ERR syntax error');
    expect(errorOf(() => run('CLIENT', 'KILL', 'ID', '1', 'ID'))).toBe('ERR syntax error');
    expect(errorOf(() => run('CLIENT', 'KILL', 'foo', 'bar'))).toBe('ERR syntax error');
    expect(errorOf(() => run('CLIENT', 'KILL', 'MAXAGE', 'x'))).toBe('ERR maxage is not an integer or out of range');
    expect(errorOf(() => run('CLIENT', 'KILL'))).toBe("ERR wrong number of arguments for 'client|kill' command");
  });

  it('NO-TOUCH sets the T flag', () => {
    const { run } = setup();
    expect(run('CLIENT', 'NO-TOUCH', 'on')).toEqual(new StatusReply('OK'));
    expect((run('CLIENT', 'INFO') as VerbatimReply).text).toContain(' flags=T ');
    run('CLIENT', 'NO-TOUCH', 'OFF');
    expect((run('CLIENT', 'INFO') as VerbatimReply).text).toContain(' flags=N ');
    expect(errorOf(() => run('CLIENT', 'NO-TOUCH', 'maybe'))).toBe('ERR syntax error');
  });

  it('PAUSE, UNPAUSE, NO-EVICT and GETREDIR are not supported on AMR', () => {
    const { run } = setup();
    expect(errorOf(() => run('CLIENT', 'PAUSE', '100'))).toBe("ERR unknown subcommand 'PAUSE'. Try CLIENT HELP.");
    expect(errorOf(() => run('CLIENT', 'unpause'))).toBe("ERR unknown subcommand 'unpause'. Try CLIENT HELP.");
    expect(errorOf(() => run('CLIENT', 'NO-EVICT', 'on'))).toBe("ERR unknown subcommand 'NO-EVICT'. Try CLIENT HELP.");
    expect(errorOf(() => run('CLIENT', 'GETREDIR'))).toBe("ERR unknown subcommand 'GETREDIR'. Try CLIENT HELP.");
  });

  it('HELP is the 7.4 text', () => {
    const { run } = setup();
    const help = (run('CLIENT', 'HELP') as StatusReply[]).map((s) => s.value);
    expect(help[0]).toBe('CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(help).toContain('    * MAXAGE <maxage>');
    expect(help).toContain('SETINFO <option> <value>');
    expect(help.slice(-4)).toEqual(['NO-TOUCH (ON|OFF)', '    Will not touch LRU/LFU stats when this mode is on.', 'HELP', '    Print this help.']);
    expect(help).toHaveLength(58);
  });

  it('other features can add CLIENT subcommands', () => {
    registerClientSubcommand(
      defineCommand({ name: 'client|trackinginfo-test', arity: 2, flags: [], exec: () => 'registered' }),
    );
    const { run } = setup();
    expect(run('CLIENT', 'TRACKINGINFO-TEST')).toBe('registered');
  });
});

// ---------------------------------------------------------------------------------------------
// Against a real redis-server (7.0 on Debian): error texts and replies that 7.0 and 7.4 share.

describe('ACL and MODULE as AMR serves them', () => {
  it('ACL CAT <category> lists the implemented commands of the category', () => {
    const { run } = setup();
    const strings = run('ACL', 'CAT', 'String') as string[];
    expect(strings).toContain('get');
    expect(strings).toContain('set');
    expect(strings).not.toContain('lpush');
    expect(run('ACL', 'CAT', 'connection') as string[]).toContain('client|list');
  });

  it('with an access key the default user shows its SHA-256 and no nopass flag', () => {
    const { run } = setup({ accessKey: 'k' });
    // The setup connection must authenticate first.
    expect(() => run('ACL', 'WHOAMI')).toThrow('NOAUTH Authentication required.');
    run('AUTH', 'k');
    const sha = '8254c329a92850f6d539dd376f4816ee2764517da5e0235514af433164480d7a';
    expect(toTyped(run('ACL', 'LIST'), 2)).toEqual(['*', [['$', `user default on #${sha} ~* &* +@all`]]]);
    const user = toTyped(run('ACL', 'GETUSER', 'default'), 3) as [string, Array<[Typed, Typed]>];
    expect(user[1].slice(0, 2)).toEqual([
      [['$', 'flags'], ['*', [['$', 'on']]]],
      [['$', 'passwords'], ['*', [['$', sha]]]],
    ]);
  });

  it('the subcommands that manage users, files and modules are blocked: unknown command for the whole call', () => {
    const { run } = setup();
    for (const argv of [['ACL', 'SETUSER', 'u', 'on'], ['ACL', 'DELUSER', 'u'], ['ACL', 'GENPASS'], ['ACL', 'LOAD'], ['ACL', 'SAVE'], ['ACL', 'LOG'], ['MODULE', 'LOAD', '/x.so'], ['MODULE', 'HELP']]) {
      expect(() => run(...argv)).toThrow(`ERR unknown command '${argv[0]}', with args beginning with: ${argv.slice(1).map((a) => `'${a}' `).join('')}`);
    }
  });
});

describeLive('differential: server commands vs redis-server', (redis) => {
  let live: RespClient;
  beforeAll(async () => {
    live = await RespClient.connect(redis.standalone.port, redis.host);
  });
  afterAll(() => live?.close());

  const SAME: Array<Array<string>> = [
    ['PING'],
    ['PING', 'hello'],
    ['PING', 'a', 'b'],
    ['ECHO'],
    ['ECHO', 'x'],
    ['TIME', 'x'],
    ['HELLO', '4'],
    ['HELLO', '1'],
    ['HELLO', 'x'],
    ['HELLO', '3', 'AUTH', 'a'],
    ['HELLO', '3', 'FOO'],
    ['HELLO', '2', 'SETNAME', 'a b'],
    ['CLIENT', 'SETNAME', 'a b'],
    ['CLIENT', 'SETNAME', 'a\nb'],
    ['CLIENT', 'GETNAME'],
    ['CLIENT', 'ID', 'x'],
    ['CLIENT', 'NOPE'],
    ['CLIENT'],
    ['CLIENT', 'LIST', 'TYPE', 'foo'],
    ['CLIENT', 'LIST', 'TYPE', 'master'],
    ['CLIENT', 'LIST', 'ID', 'abc'],
    ['CLIENT', 'LIST', 'foo'],
    ['CLIENT', 'LIST', 'foo', 'bar'],
    ['CLIENT', 'KILL', '1.2.3.4:5'],
    ['CLIENT', 'KILL', 'ID', '0'],
    ['CLIENT', 'KILL', 'ID', 'abc'],
    ['CLIENT', 'KILL', 'foo', 'bar'],
    ['CLIENT', 'KILL', 'ID', '999999'],
    ['CLIENT', 'KILL', 'TYPE', 'foo'],
    ['CLIENT', 'KILL', 'USER', 'nobody'],
    ['CLIENT', 'KILL', 'SKIPME', 'maybe'],
    ['CLIENT', 'KILL', 'ID', '1', 'ID'],
    ['CLIENT', 'KILL'],
    ['CONFIG'],
    ['CONFIG', 'NOPE'],
    ['CONFIG', 'GET'],
    ['CONFIG', 'SET', 'a'],
    ['CONFIG', 'SET', 'a', 'b', 'c'],
    ['CONFIG', 'HELP'],
    ['CONFIG', 'GET', 'activerehashing'],
    ['CONFIG', 'GET', 'hash-max-ziplist-entries'],
    ['CONFIG', 'GET', 'zset-max-listpack-*'],
    ['CONFIG', 'GET', 'LIST-MAX-ZIPLIST-SIZE'],
    ['CONFIG', 'SET', 'activerehashing', 'maybe'],
    ['CONFIG', 'SET', 'hash-max-listpack-entries', 'abc'],
    ['CONFIG', 'SET', 'HASH-MAX-ZIPLIST-ENTRIES', '-1'],
    ['CONFIG', 'SET', 'hll-sparse-max-bytes', '1.5gb'],
    ['CONFIG', 'SET', 'notify-keyspace-events', 'Q'],
    ['CONFIG', 'SET', 'list-max-listpack-size', 'abc'],
    ['CONFIG', 'SET', 'stream-node-max-entries', '-1'],
    ['CONFIG', 'SET', 'zset-max-listpack-value', 'x'],
    ['CONFIG', 'SET', 'set-max-intset-entries', '1', 'set-max-intset-entries', '2'],
    ['CONFIG', 'SET', 'activerehashing', 'yes', 'zset-max-listpack-value', 'x'],
    // ACL (the default user, no password) and MODULE LIST (no modules) as a stock server answers.
    ['ACL'],
    ['ACL', 'WHOAMI'],
    ['ACL', 'WHOAMI', 'x'],
    ['ACL', 'USERS'],
    ['ACL', 'LIST'],
    ['ACL', 'GETUSER', 'default'],
    ['ACL', 'GETUSER', 'nobody'],
    ['ACL', 'DRYRUN', 'default', 'get', 'k'],
    ['ACL', 'DRYRUN', 'default', 'get'],
    ['ACL', 'DRYRUN', 'default', 'client', 'list'],
    ['ACL', 'DRYRUN', 'nobody', 'get', 'k'],
    ['ACL', 'DRYRUN', 'default', 'nosuch'],
    ['ACL', 'CAT'],
    ['ACL', 'CAT', 'nope'],
    ['ACL', 'CAT', 'a', 'b'],
    ['ACL', 'HELP'],
    ['ACL', 'NOPE'],
    ['MODULE', 'LIST'],
    ['MODULE', 'LIST', 'x'],
  ];

  it.each(SAME.map((argv) => [argv.join(' '), argv]))('%s', async (_label, argv) => {
    const { run } = setup();
    let actual: Typed;
    try {
      actual = toTyped(run(...argv), 2);
    } catch (error) {
      actual = ['-', (error as Error).message];
    }
    const expected = helpFooter74(await live.call(argv));
    // CONFIG GET order is the server's hash order: compare as unordered pairs.
    const cmp = argv[0] === 'CONFIG' && argv[1] === 'GET' ? 'unordered' : undefined;
    if (!sameReply(actual, expected, cmp, true)) expect(actual).toEqual(expected);
  });

  // Redis-mode CONFIG (exposeAll): what AMR hides behaves like a plain server.
  const SAME_EXPOSED: Array<Array<string>> = [
    ['CONFIG', 'SET', 'nosuch', '1'],
    ['CONFIG', 'SET', 'maxmemory', 'abc'],
    ['CONFIG', 'SET', 'maxmemory', '-1'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'foo'],
    ['CONFIG', 'SET', 'appendfsync', 'sometimes'],
    ['CONFIG', 'SET', 'databases', '2'],
    ['CONFIG', 'SET', 'maxmemory', '1', 'nosuch', '2'],
    ['CONFIG', 'SET', 'hz', 'abc'],
    ['CONFIG', 'SET', 'maxmemory-samples', '0'],
    ['CONFIG', 'GET', 'nosuch'],
    ['CONFIG', 'GET', 'maxmemory-samples', 'MAXMEMORY-SAMPLES'],
  ];

  it.each(SAME_EXPOSED.map((argv) => [argv.join(' '), argv]))('exposeAll: %s', async (_label, argv) => {
    const { cache, run } = setup();
    cache.settings.exposeAll = true;
    let actual: Typed;
    try {
      actual = toTyped(run(...argv), 2);
    } catch (error) {
      actual = ['-', (error as Error).message];
    }
    expect(actual).toEqual(await live.call(argv));
  });

  it('INFO has the same section layout (7.4 adds fields, never sections)', async () => {
    const { run } = setup();
    const mine = headers(infoOf(run('INFO', 'everything')));
    const reply = await live.call(['INFO', 'everything']);
    expect(reply[0]).toBe('$');
    expect(mine).toEqual(headers(reply[1] as string));
  });

  it('HELLO 3 has the same keys and value types', async () => {
    const conn = await RespClient.connect(redis.standalone.port, redis.host);
    try {
      const expected = await conn.hello(3);
      const { run } = setup({ clusterPolicy: 'NoCluster' });
      const actual = toTyped(run('HELLO', '3'), 3);
      const shape = (t: Typed): unknown => (t[1] as Typed[][]).map(([k, v]) => [k, v[0]]);
      expect(shape(actual)).toEqual(shape(expected));
    } finally {
      conn.close();
    }
  });
});
