/**
 * AMR's import and export (azure-facts §7, IMPEXP) as cache methods: `cache.exportRdb()` writes the
 * whole dataset as one RDB 12 file (optionally gzipped, as AMR writes `.gz` blobs);
 * `cache.importRdb(blobs)` deletes everything, then loads one or several RDB files (version ≤ 12,
 * plain or gzipped), routing each key to the shard that owns its slot and dropping keys whose TTL
 * has passed, as a primary loading an RDB does. The file codec is src/keyspace/rdb/file.ts.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { ManagedRedis } from '../managed-redis.js';
import type { ChangeRecord, Shard } from '../core-types.js';
import { readRdbFile, writeRdbFile, RdbFileError, type RdbKey } from '../keyspace/rdb/file.js';
import { dumpOptions, loadLimits } from '../commands/serialization.js';
import { accessModeFor } from '../keyspace/access.js';
import { slotOfName } from '../cluster/slots.js';
import { usedMemory, REDIS_VERSION } from '../info.js';
import { existingScripting, scriptingOf } from '../scripting/engine.js';
import { librariesPayload, restoreLibraries } from '../scripting/function-dump.js';
import { trackingFlushed } from '../tracking.js';
import { copyKeyspace } from '../replication/replication.js';
import { ReplyError } from '../protocol/errors.js';
import { RedisHash } from '../keyspace/types/hash.js';

export { RdbFileError };

/** Options of `cache.exportRdb()`. */
export interface ExportRdbOptions {
  /** Gzip the file, as AMR writes its export blobs (`.gz`). Default false. */
  gzip?: boolean;
}

/** What an import loaded. */
export interface ImportRdbResult {
  /** Files loaded. */
  files: number;
  /** Keys now in the cache. */
  keysLoaded: number;
  /** Keys skipped because their TTL had passed (hashes whose every field had expired are skipped, not counted). */
  keysExpired: number;
  /** Function libraries loaded. */
  functions: number;
}

/** The whole dataset as an RDB 12 file (see src/keyspace/rdb/file.ts for the layout). */
export function exportRdb(cache: ManagedRedis, options: ExportRdbOptions = {}): Buffer {
  const now = cache.clock.now();
  const policy = cache.settings.get('maxmemory-policy');
  const access = accessModeFor(policy);
  let size = 0;
  let expires = 0;
  for (const shard of cache.shards) {
    size += shard.keyspace.size;
    expires += shard.keyspace.volatileCount;
  }
  const engine = existingScripting(cache);
  const file = writeRdbFile(
    {
      aux: [
        ['redis-ver', REDIS_VERSION],
        ['redis-bits', 64],
        ['ctime', Math.floor(now / 1000)],
        ['used-mem', usedMemory(cache)],
        ['aof-base', 0],
      ],
      functions: engine === undefined ? [] : [...engine.libraries.values()].map((library) => library.code),
      size,
      expires,
      keys: keysOf(cache.shards, now),
      access,
    },
    dumpOptions(cache.settings),
  );
  const out = options.gzip === true ? gzipSync(file) : file;
  cache.events.emit('rdb-exported', now, { keys: size, bytes: out.length, gzip: options.gzip === true });
  return out;
}

/** Every key of the shards with its expiry and access figures, shard by shard. */
function* keysOf(shards: readonly Shard[], now: number): Generator<RdbKey> {
  for (const shard of shards) {
    const db = shard.keyspace;
    const tracker = db.access;
    for (const [key, value, when] of db.entries()) {
      const [idleSeconds, freq] = tracker === null ? [null, null] : tracker.figures(db.stampOf(key), now);
      yield { key, value, expiresAt: when, idleSeconds, freq };
    }
  }
}

/**
 * AMR import: every file is read and checked first (signature, version ≤ 12, checksum, values,
 * no key in two files); then all existing data (and function libraries) is deleted and the keys
 * are loaded into the shards owning their slots. The cache is unavailable meanwhile — in process
 * the import is synchronous, so no command runs during it. Throws {@link RdbFileError} (nothing
 * changed) for a file that does not load, an Error while a shard is not serving.
 */
export function importRdb(cache: ManagedRedis, blobs: Buffer | readonly Buffer[]): ImportRdbResult {
  const files = Buffer.isBuffer(blobs) ? [blobs] : [...blobs];
  if (files.length === 0 || !files.every((b) => Buffer.isBuffer(b))) throw new TypeError('importRdb takes a Buffer or a non-empty array of Buffers');
  if (cache.status !== 'Running') throw new Error('cannot import while the cache is Scaling: wait for scaling-completed');
  for (const link of cache.replication.links) {
    if (link.state !== 'up') throw new Error(`cannot import while shard ${link.index} is ${link.state}: the cache must be running`);
  }
  const limits = loadLimits(cache.settings);
  const contents = files.map((blob, i) => {
    try {
      return readRdbFile(isGzip(blob) ? gunzip(blob) : blob, limits);
    } catch (error) {
      if (error instanceof RdbFileError && files.length > 1) throw new RdbFileError(`file ${i}: ${error.message}`);
      throw error;
    }
  });
  const seen = new Set<string>();
  for (const file of contents) {
    for (const { key } of file.keys) {
      if (seen.has(key)) throw new RdbFileError(`key '${key}' is in more than one of the imported files`);
      seen.add(key);
    }
  }
  const codes = contents.flatMap((file) => [...file.functions]);
  const engine = codes.length > 0 ? scriptingOf(cache) : existingScripting(cache);
  if (engine !== undefined) {
    try {
      restoreLibraries(engine, librariesPayload(codes), 'flush');
    } catch (error) {
      if (error instanceof ReplyError) throw new RdbFileError(`a function library does not load: ${error.message}`);
      throw error;
    }
  }

  // Everything is checked: from here on the import succeeds.
  const now = cache.clock.now();
  const removed = cache.shards.map((shard) => Array.from(shard.keyspace.keys()));
  for (const shard of cache.shards) shard.keyspace.clear();
  const added: string[][] = cache.shards.map(() => []);
  let expired = 0;
  let emptied = 0;
  for (const file of contents) {
    for (const entry of file.keys) {
      // A primary loading an RDB skips keys already expired (rdbLoadRioWithLoadingCtx).
      if (entry.expiresAt !== undefined && entry.expiresAt < now) {
        expired++;
        continue;
      }
      // Hash fields already expired are dropped too; a hash left without fields is not loaded.
      if (entry.value instanceof RedisHash && entry.value.hasTtls) {
        entry.value.removeExpired(now - 1, Infinity);
        if (entry.value.size === 0) {
          emptied++;
          continue;
        }
      }
      const shard = cache.shardForSlot(slotOfName(entry.key));
      const db = shard.keyspace;
      db.set(entry.key, entry.value, false, entry.expiresAt);
      const stamp = db.access?.restoredStamp(entry.idleSeconds, entry.freq, now) ?? null;
      if (stamp !== null) db.setStamp(entry.key, stamp);
      added[shard.index].push(entry.key);
    }
  }
  for (const shard of cache.shards) {
    announceReload(cache, shard, removed[shard.index], added[shard.index], now);
    shard.tier?.rebind(shard.keyspace);
    // The replica is rebuilt from the loaded data, in sync (as when the import completes on AMR).
    const link = cache.replication.links[shard.index];
    if (link.replica !== null) {
      cache.replication.clearQueue(link);
      cache.replication.attachInSync(link, copyKeyspace(shard.keyspace));
    }
  }
  trackingFlushed(cache);
  const result: ImportRdbResult = {
    files: files.length,
    keysLoaded: seen.size - expired - emptied,
    keysExpired: expired,
    functions: codes.length,
  };
  cache.persistence.lastLoad = { loaded: result.keysLoaded, expired };
  cache.persistence.imported();
  cache.events.emit('rdb-imported', now, { ...result });
  return result;
}

/**
 * Tells the change listeners which keys the import replaced (WATCH fails for them, blocked
 * clients waiting for a created key are served). No keyspace event, as Redis sends none on load;
 * nothing for the replica to replay (it is rebuilt afterwards).
 */
function announceReload(cache: ManagedRedis, shard: Shard, removed: string[], added: string[], now: number): void {
  const keys = removed.concat(added);
  cache.stats.dirty += keys.length;
  if (cache.changeListeners.length === 0 || keys.length === 0) return;
  const change: ChangeRecord = { shard, command: 'import', keys, events: keys.map(() => ''), effects: [], time: now };
  for (const listener of cache.changeListeners) listener(change);
}

function isGzip(blob: Buffer): boolean {
  return blob.length >= 2 && blob[0] === 0x1f && blob[1] === 0x8b;
}

function gunzip(blob: Buffer): Buffer {
  try {
    return gunzipSync(blob);
  } catch (error) {
    throw new RdbFileError(`the gzip stream does not decompress: ${(error as Error).message}`);
  }
}
