/**
 * Whole RDB files: `cache.exportRdb()` and `cache.importRdb()` — the file layout Redis 7.4 writes
 * (header, AUX fields, SELECTDB/RESIZEDB, EXPIRETIME_MS/IDLE/FREQ, EOF, CRC-64), round trips of
 * every type and encoding, AMR's import rules (everything deleted first, several blobs, keys routed
 * to their shards, expired keys dropped, RDB > 12 refused, checksum checked, nothing changed on a
 * bad file), gzip, events; and against a real redis-server 7.0: a file it SAVEs loads here, and a
 * file exported here (its version rewritten to 7.0's 10, the types allowing) loads there and passes
 * redis-check-rdb.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ManagedRedis } from '../../src/managed-redis.js';
import { RdbFileError, readRdbFile } from '../../src/keyspace/rdb/file.js';
import { crc64 } from '../../src/keyspace/rdb/crc64.js';
import { loadLimits } from '../../src/commands/serialization.js';
import { slotOfName } from '../../src/cluster/slots.js';
import { keyName, type Bytes } from '../../src/keyspace/bytes.js';
import { harness, NIL, OK, T0, type Harness } from '../support/command-harness.js';
import { CASES, type Case } from '../support/dump-cases.js';
import { describeLive } from '../support/live.js';
import { RespClient } from '../support/resp-client.js';
import { freePorts, startServer, stopServer, HOST, type RedisProcess } from '../support/redis-server.js';
import type { Typed } from '../support/oracle.js';

/** A case's commands with its key `k` renamed. */
function caseCommands(c: Case, key: string): Bytes[][] {
  return c.build.map((argv) => argv.map((arg, i) => (i === 1 && arg === 'k' ? key : arg)));
}

const caseKey = (i: number) => `case:${i}`;

/** Builds every case (under `case:<i>`) in a harness. */
function buildAll(h: Harness, cases: readonly Case[] = CASES): void {
  cases.forEach((c, i) => {
    for (const argv of caseCommands(c, caseKey(CASES.indexOf(c) >= 0 ? CASES.indexOf(c) : i))) {
      const reply = h.run(...argv);
      if (reply[0] === '-') throw new Error(`${c.name}: ${String(reply[1])}`);
    }
  });
}

/** A file with another version number in its header and a CRC made for it. */
function withFileVersion(file: Buffer, version: number): Buffer {
  const body = Buffer.from(file.subarray(0, file.length - 8));
  body.write(String(version).padStart(4, '0'), 5, 'latin1');
  const crc = Buffer.alloc(8);
  crc.writeBigUInt64LE(crc64(body));
  return Buffer.concat([body, crc]);
}

/** A key's contents in the transcripts' typed form, whatever the encoding (dict order sorted away). */
async function contents(run: (...argv: Bytes[]) => Typed | Promise<Typed>, key: string): Promise<unknown> {
  const type = String((await run('TYPE', key))[1]);
  const sorted = (reply: Typed) => [...(reply[1] as Typed[])].map((e) => JSON.stringify(e)).sort();
  switch (type) {
    case 'string':
      return [type, await run('GET', key)];
    case 'list':
      return [type, await run('LRANGE', key, '0', '-1')];
    case 'set':
      return [type, sorted(await run('SMEMBERS', key))];
    case 'zset':
      // Scores as numbers: 7.0 prints 17 significant digits where 7.4 prints the shortest form.
      return [type, ((await run('ZRANGE', key, '0', '-1', 'WITHSCORES'))[1] as Typed[]).map((e, i) => (i % 2 === 1 ? Number(e[1]) : e[1]))];
    case 'hash':
      return [type, sorted(await run('HGETALL', key))];
    case 'stream':
      return [type, await run('XRANGE', key, '-', '+')];
    default:
      return [type];
  }
}

describe('exportRdb: the file Redis 7.4 writes', () => {
  it('header REDIS0012, AUX fields in rdbSaveInfoAuxFields order, SELECTDB 0, RESIZEDB, keys, EOF and CRC-64', () => {
    const h = harness({ evictionPolicy: 'noeviction' });
    h.run('SET', 'a', '1');
    h.run('SET', 'b', 'hello', 'PXAT', String(T0 + 60_000));
    const file = h.cache.exportRdb();
    expect(file.subarray(0, 9).toString('latin1')).toBe('REDIS0012');
    const read = readRdbFile(file, loadLimits(h.cache.settings));
    expect(read.version).toBe(12);
    expect([...read.aux.keys()]).toEqual(['redis-ver', 'redis-bits', 'ctime', 'used-mem', 'aof-base']);
    expect(read.aux.get('redis-ver')!.toString()).toBe('7.4.3');
    expect(read.aux.get('redis-bits')!.toString()).toBe('64');
    expect(read.aux.get('ctime')!.toString()).toBe(String(Math.floor(T0 / 1000)));
    expect(read.aux.get('used-mem')!.toString()).toBe(String(h.run('INFO', 'memory')[1]).match(/used_memory:(\d+)/)![1]);
    // Integers are integer-encoded as rdbSaveAuxFieldStrInt writes them: redis-bits is c0 40.
    expect(file.indexOf(Buffer.from('redis-bits\xc0\x40', 'latin1'))).toBeGreaterThan(0);
    // The data section, byte for byte: SELECTDB 0, RESIZEDB 2 1, then each key (noeviction: no IDLE).
    const expireMs = Buffer.alloc(8);
    expireMs.writeBigInt64LE(BigInt(T0 + 60_000));
    const data = Buffer.concat([
      Buffer.from('fe00fb0201', 'hex'),
      Buffer.from('000161c001', 'hex'), // string 'a' = integer-encoded 1
      Buffer.from('fc', 'hex'),
      expireMs,
      Buffer.from('0001620568656c6c6f', 'hex'),
      Buffer.from('ff', 'hex'),
    ]);
    expect(file.subarray(file.length - 8 - data.length, file.length - 8).toString('hex')).toBe(data.toString('hex'));
    expect(file.readBigUInt64LE(file.length - 8)).toBe(crc64(file.subarray(0, file.length - 8)));
  });

  it('IDLE seconds under an LRU policy, FREQ under LFU, nothing under the others', () => {
    const lru = harness({ evictionPolicy: 'allkeys-lru' });
    lru.run('SET', 'k', 'v');
    lru.cache.clock.advance(100_000);
    const lruFile = lru.cache.exportRdb();
    expect(lruFile.includes(Buffer.from('f8406400016b', 'hex'))).toBe(true); // IDLE 100 (a 14-bit length), type 0, key 'k'
    const back = harness({ evictionPolicy: 'allkeys-lru', startTime: T0 + 100_000 });
    back.cache.importRdb(lruFile);
    expect(back.run('OBJECT', 'IDLETIME', 'k')).toEqual([':', '100']);

    const lfu = harness({ evictionPolicy: 'allkeys-lfu' });
    lfu.run('SET', 'k', 'v');
    for (let i = 0; i < 30; i++) lfu.run('GET', 'k');
    const freq = lfu.run('OBJECT', 'FREQ', 'k');
    const lfuFile = lfu.cache.exportRdb();
    expect(lfuFile.includes(Buffer.from(`f9${Number(freq[1]).toString(16).padStart(2, '0')}00016b`, 'hex'))).toBe(true);
    const lfuBack = harness({ evictionPolicy: 'allkeys-lfu' });
    lfuBack.cache.importRdb(lfuFile);
    expect(lfuBack.run('OBJECT', 'FREQ', 'k')).toEqual(freq);

    const none = harness({ evictionPolicy: 'volatile-ttl' });
    none.run('SET', 'k', 'v');
    const plain = none.cache.exportRdb();
    expect(plain.includes(Buffer.from('fe00fb010000016b0176', 'hex'))).toBe(true);
  });

  it('gzipped as AMR writes its .gz blobs; the cache stays available; rdb-exported', () => {
    const h = harness();
    h.run('SET', 'k', 'v');
    h.cache.events.record();
    const gz = h.cache.exportRdb({ gzip: true });
    expect([gz[0], gz[1]]).toEqual([0x1f, 0x8b]);
    expect(gunzipSync(gz)).toEqual(h.cache.exportRdb());
    expect(h.run('GET', 'k')).toEqual(['$', 'v']);
    expect(h.cache.events.history()[0]).toEqual({ type: 'rdb-exported', time: T0, data: { keys: 1, bytes: gz.length, gzip: true } });
  });

  it('module values cannot be written: a clear error naming the key', () => {
    const h = harness({ modules: ['RedisJSON'] });
    h.run('JSON.SET', 'doc', '$', '{"a":1}');
    expect(() => h.cache.exportRdb()).toThrow(/key 'doc' cannot be written: DUMP of a ReJSON-RL value/);
  });
});

describe('importRdb', () => {
  it('round-trips every type and encoding into a cache of another shape, each key in its shard, TTLs kept', async () => {
    const from = harness({ evictionPolicy: 'noeviction' });
    buildAll(from);
    from.run('PEXPIRE', caseKey(0), '50000');
    from.run('SET', '__proto__', 'p', 'PX', '7000');
    const file = from.cache.exportRdb();
    const to = harness({ policy: 'OSS', sku: 'Balanced_B20', evictionPolicy: 'noeviction' });
    to.run('SET', 'old', 'gone');
    const result = to.cache.importRdb(file);
    expect(result).toEqual({ files: 1, keysLoaded: CASES.length + 1, keysExpired: 0, functions: 0 });
    expect(to.run('EXISTS', 'old')).toEqual([':', '0']);
    CASES.forEach((c, i) => {
      const key = caseKey(i);
      expect(to.raw('DUMP', key), c.name).toEqual(from.raw('DUMP', key));
      expect(to.encoding(key), c.name).toBe(c.restored ?? from.encoding(key));
      const owner = to.cache.shardForSlot(slotOfName(keyName(key)));
      expect(owner.keyspace.holds(keyName(key))).toBe(true);
    });
    expect(to.run('PTTL', caseKey(0))).toEqual([':', '50000']);
    await Promise.all([from.cache.ready(), to.cache.ready()]);
    expect(to.cache.replication.digest()).toBe(from.cache.replication.digest());
    expect(to.run('PTTL', '__proto__')).toEqual([':', '7000']);
    expect(to.run('DBSIZE')).toEqual([':', String(CASES.length + 1)]);
  });

  it('hash field TTLs (7.4) travel in the file, listpack and hashtable hashes alike', () => {
    const from = harness();
    from.run('HSET', 'small', 'a', '1', 'b', '2');
    from.run('HPEXPIRE', 'small', '60000', 'FIELDS', '1', 'a');
    from.run('HSET', 'big', ...Array.from({ length: 600 }, (_, i) => [`f${i}`, `v${i}`]).flat());
    from.run('HPEXPIRE', 'big', '30000', 'FIELDS', '2', 'f1', 'f2');
    const file = from.cache.exportRdb();
    expect(file.includes(Buffer.from([25, 5, ...Buffer.from('small')]))).toBe(true); // HASH_LISTPACK_EX
    expect(file.includes(Buffer.from([24, 3, ...Buffer.from('big')]))).toBe(true); // HASH_METADATA
    const to = harness();
    to.cache.importRdb(file);
    expect(to.run('HPTTL', 'small', 'FIELDS', '2', 'a', 'b')).toEqual(['*', [[':', '60000'], [':', '-1']]]);
    expect(to.run('HPTTL', 'big', 'FIELDS', '2', 'f1', 'f3')).toEqual(['*', [[':', '30000'], [':', '-1']]]);
    // Loaded later, fields whose TTL has passed are dropped, as a primary loading an RDB drops them.
    const later = harness({ startTime: T0 + 45_000 });
    expect(later.cache.importRdb(file)).toMatchObject({ keysLoaded: 2 });
    expect(later.run('HLEN', 'big')).toEqual([':', '598']);
    const gone = harness({ startTime: T0 + 90_000 });
    from.run('HPEXPIRE', 'small', '60000', 'FIELDS', '1', 'b');
    expect(gone.cache.importRdb(from.cache.exportRdb())).toMatchObject({ keysLoaded: 1, keysExpired: 0 });
    expect(gone.run('EXISTS', 'small')).toEqual([':', '0']);
    to.cache.clock.advance(30_001);
    expect(to.run('HEXISTS', 'big', 'f1')).toEqual([':', '0']);
    expect(to.run('HEXISTS', 'big', 'f3')).toEqual([':', '1']);
  });

  it('drops keys whose TTL has passed, as a primary loading an RDB does; INFO rdb_last_load_keys_*', () => {
    const from = harness();
    from.run('SET', 'soon', 'x', 'PX', '1000');
    from.run('SET', 'later', 'y', 'PX', '5000');
    from.run('SET', 'forever', 'z');
    const later = harness({ startTime: T0 + 2000 });
    expect(later.cache.importRdb(from.cache.exportRdb())).toMatchObject({ keysLoaded: 2, keysExpired: 1 });
    expect(later.run('KEYS', '*')[1]).toHaveLength(2);
    const info = String(later.run('INFO', 'persistence')[1]);
    expect(info).toContain('rdb_last_load_keys_expired:1\r\n');
    expect(info).toContain('rdb_last_load_keys_loaded:2\r\n');
  });

  it('takes several blobs (as AMR does), plain or gzipped, and refuses a key found in two', () => {
    const a = harness();
    a.run('MSET', 'x', '1', 'y', '2');
    const b = harness();
    b.run('RPUSH', 'list', 'a', 'b');
    const to = harness({ policy: 'Enterprise', sku: 'Balanced_B20' });
    expect(to.cache.importRdb([a.cache.exportRdb(), b.cache.exportRdb({ gzip: true })])).toMatchObject({ files: 2, keysLoaded: 3 });
    expect(to.run('MGET', 'x', 'y')).toEqual(['*', [['$', '1'], ['$', '2']]]);
    expect(to.run('LRANGE', 'list', '0', '-1')).toEqual(['*', [['$', 'a'], ['$', 'b']]]);
    expect(() => to.cache.importRdb([a.cache.exportRdb(), a.cache.exportRdb()])).toThrow("key 'x' is in more than one of the imported files");
    expect(to.run('DBSIZE')).toEqual([':', '3']);
  });

  it('refuses a bad file with a clear RdbFileError and changes nothing', () => {
    const from = harness();
    from.run('SET', 'k', 'v');
    from.run('HSET', 'h', 'f', 'v');
    const good = from.cache.exportRdb();
    const to = harness();
    to.run('SET', 'keep', 'me');
    const refused = (file: Buffer, message: string | RegExp) => {
      expect(() => to.cache.importRdb(file)).toThrow(RdbFileError);
      expect(() => to.cache.importRdb(file)).toThrow(message);
      expect(to.run('KEYS', '*')).toEqual(['*', [['$', 'keep']]]);
    };
    refused(withFileVersion(good, 13), "Can't handle RDB format version 13");
    refused(Buffer.from('NOTREDIS0012'), 'Wrong signature trying to load DB from file');
    const flipped = Buffer.from(good);
    flipped[good.length - 12] ^= 0x01; // a byte of the last value
    refused(flipped, /Wrong RDB checksum expected: \([0-9a-f]+\) got: \([0-9a-f]+\)\. Aborting now\./);
    refused(good.subarray(0, good.length - 20), /Bad RDB data format/);
    refused(good.subarray(0, good.length - 4), /Short read loading DB/);
    const otherDb = Buffer.from(good);
    otherDb[otherDb.indexOf(Buffer.from('fe00fb', 'hex')) + 1] = 1;
    refused(withFileVersion(otherDb, 12), 'the file holds keys of database 1');
    refused(Buffer.from('1f8b0800', 'hex'), /the gzip stream does not decompress/);
    // A checksum of 0 means the writer had rdbchecksum off: not checked, as Redis does.
    const unchecked = Buffer.from(good);
    unchecked.writeBigUInt64LE(0n, good.length - 8);
    expect(to.cache.importRdb(unchecked)).toMatchObject({ keysLoaded: 2 });
  });

  it('every older version loads (the header says 10, the types are 7.0 types)', () => {
    const from = harness();
    from.run('SET', 'k', 'v');
    from.run('ZADD', 'z', '1', 'a');
    const to = harness();
    expect(to.cache.importRdb(withFileVersion(from.cache.exportRdb(), 10))).toMatchObject({ keysLoaded: 2 });
    expect(to.run('ZSCORE', 'z', 'a')).toEqual(['$', '1']);
  });

  it('fails WATCH on replaced keys, carries function libraries, rebuilds replicas, emits rdb-imported', async () => {
    const from = harness();
    from.run('FUNCTION', 'LOAD', "#!lua name=lib\nredis.register_function('hello', function() return 'hi' end)");
    from.run('SET', 'k', 'new');
    const file = from.cache.exportRdb();
    const to = harness({ policy: 'OSS', sku: 'Balanced_B5', replication: { lag: 100 } });
    await to.cache.ready();
    to.run('SET', 'k', 'old');
    to.run('WATCH', 'k');
    to.cache.events.record();
    expect(to.cache.importRdb(file)).toEqual({ files: 1, keysLoaded: 1, keysExpired: 0, functions: 1 });
    to.run('MULTI');
    to.run('SET', 'k', 'mine');
    expect(to.run('EXEC')).toEqual(NIL);
    expect(to.run('FCALL', 'hello', '0')).toEqual(['$', 'hi']);
    for (let s = 0; s < to.cache.shards.length; s++) expect(to.cache.replication.replicaDigest(s)).toBe(to.cache.replication.digest(s));
    expect(to.cache.events.history().map((e) => e.type)).toEqual(['rdb-imported']);
    // A library that does not load refuses the whole import.
    // Same length, so the file still parses: `return 'h'( end` does not compile.
    const bad = Buffer.from(file.toString('latin1').replace("'hi'", "'h'("), 'latin1');
    expect(bad.equals(file)).toBe(false);
    expect(() => to.cache.importRdb(withFileVersion(bad, 12))).toThrow(/a function library does not load: ERR Error compiling function/);
    expect(to.run('GET', 'k')).toEqual(['$', 'new']);
  });

  it('sends no keyspace event for the keys it loads (Redis sends none on load)', () => {
    const from = harness();
    from.run('SET', 'k', 'v');
    const to = harness({ notifyKeyspaceEvents: 'KEAn' });
    const seen: unknown[] = [];
    const sub = to.cache.openClient({ name: null });
    sub.push = (message) => seen.push(message);
    to.cache.executeReply(['PSUBSCRIBE', '__key*__:*'], sub);
    seen.length = 0;
    to.cache.importRdb(from.cache.exportRdb());
    expect(to.run('GET', 'k')).toEqual(['$', 'v']);
    expect(seen).toEqual([]);
    to.run('SET', 'n', '1');
    expect(seen.length).toBeGreaterThan(0); // the subscription still works
  });

  it('refuses while a shard is not serving or the cache is scaling', () => {
    const cache = new ManagedRedis({ clock: 'virtual' });
    const file = cache.exportRdb();
    cache.faults.failShard(1);
    expect(() => cache.importRdb(file)).toThrow('cannot import while shard 1 is failing-over: the cache must be running');
    const scaling = new ManagedRedis({ clock: 'virtual' });
    scaling.scale({ sku: 'Balanced_B10' });
    expect(() => scaling.importRdb(file)).toThrow('cannot import while the cache is Scaling: wait for scaling-completed');
  });
});

describeLive('RDB files and a real redis-server 7.0', () => {
  const dirs: string[] = [];
  const servers: RedisProcess[] = [];
  /** Starts a server of our own in a fresh directory, loading `dump.rdb` from it when given. */
  async function server(file?: Buffer): Promise<{ dir: string; client: RespClient }> {
    const dir = mkdtempSync(path.join(tmpdir(), 'amr-rdb-'));
    dirs.push(dir);
    if (file !== undefined) writeFileSync(path.join(dir, 'dump.rdb'), file);
    const [port] = await freePorts(1);
    servers.push(await startServer(dir, port));
    return { dir, client: await RespClient.connect(port, HOST) };
  }
  afterAll(async () => {
    await Promise.all(servers.map((s) => stopServer(s)));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  let saved: { file: Buffer; live: RespClient };
  beforeAll(async () => {
    const { dir, client } = await server();
    await client.call(['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru']); // IDLE opcodes in the file
    for (let i = 0; i < CASES.length; i++) for (const argv of caseCommands(CASES[i], caseKey(i))) await client.call(argv);
    await client.call(['SET', 'ttl', 'x', 'PX', '600000']);
    expect(await client.call(['SAVE'])).toEqual(OK);
    saved = { file: readFileSync(path.join(dir, 'dump.rdb')), live: client };
  });

  it('a file redis-server SAVEs (RDB 10) loads here: every value and TTL the same', async () => {
    expect(saved.file.subarray(0, 9).toString('latin1')).toBe('REDIS0010');
    const h = harness({ policy: 'OSS', sku: 'Balanced_B20', startTime: Date.now() });
    expect(h.cache.importRdb(saved.file)).toMatchObject({ keysLoaded: CASES.length + 1, keysExpired: 0 });
    for (let i = 0; i < CASES.length; i++) {
      const key = caseKey(i);
      expect(await contents(h.run, key), CASES[i].name).toEqual(await contents((...argv) => saved.live.call(argv), key));
    }
    const pttl = Number(h.run('PTTL', 'ttl')[1]);
    expect(pttl).toBeGreaterThan(500_000);
    expect(pttl).toBeLessThanOrEqual(600_000);
  });

  it('a file exported here, its version rewritten to 10, loads into redis-server 7.0 and passes redis-check-rdb', async () => {
    // 7.0 reads RDB ≤ 10: the types 7.2/7.4 added (listpack sets, stream v3, field TTLs) are left out.
    const older = CASES.filter((c) => !c.since72 && c.encoding !== 'stream');
    const h = harness({ startTime: Date.now() });
    buildAll(h, older);
    h.run('SET', 'ttl', 'x', 'PX', '600000');
    const exported = h.cache.exportRdb();
    const dir = mkdtempSync(path.join(tmpdir(), 'amr-rdb-check-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'v12.rdb'), exported);
    const v12 = spawnSync('redis-check-rdb', [path.join(dir, 'v12.rdb')], { encoding: 'utf8' });
    expect(v12.stdout + v12.stderr).toContain("Can't handle RDB format version 12");
    const v10 = withFileVersion(exported, 10);
    writeFileSync(path.join(dir, 'v10.rdb'), v10);
    const check = spawnSync('redis-check-rdb', [path.join(dir, 'v10.rdb')], { encoding: 'utf8' });
    expect(check.stdout).toContain('RDB looks OK!');
    expect(check.status).toBe(0);

    const { client } = await server(v10);
    expect(await client.call(['DBSIZE'])).toEqual([':', String(older.length + 1)]);
    for (const c of older) {
      const key = caseKey(CASES.indexOf(c));
      expect(await contents((...argv) => client.call(argv), key), c.name).toEqual(await contents(h.run, key));
      // The server holds the very value: its DUMP restores here to the same bytes.
      const theirs = await client.call(['DUMP', key]);
      expect(h.run('RESTORE', `${key}:back`, '0', Buffer.from(String(theirs[1]), theirs[0] === '$64' ? 'base64' : 'utf8'))).toEqual(OK);
    }
    const pttl = Number((await client.call(['PTTL', 'ttl']))[1]);
    expect(pttl).toBeGreaterThan(500_000);
    expect(pttl).toBeLessThanOrEqual(600_000);
  });

  it('the data section is byte for byte what redis-server writes (one key with a TTL, noeviction)', async () => {
    const { dir, client } = await server();
    const at = Date.now() + 3_600_000;
    await client.call(['SET', 'greeting', 'hello world', 'PXAT', String(at)]);
    await client.call(['SAVE']);
    const theirs = readFileSync(path.join(dir, 'dump.rdb'));
    const h = harness({ evictionPolicy: 'noeviction' });
    h.run('SET', 'greeting', 'hello world', 'PXAT', String(at));
    const ours = h.cache.exportRdb();
    const section = (file: Buffer) => file.subarray(file.indexOf(Buffer.from('fe00fb', 'hex')), file.length - 8).toString('hex');
    expect(section(ours)).toBe(section(theirs));
    // And the same AUX fields, in the same order.
    const aux = (file: Buffer) => [...readRdbFile(file, loadLimits(h.cache.settings)).aux.keys()];
    expect(aux(ours)).toEqual(aux(theirs));
  });
});
