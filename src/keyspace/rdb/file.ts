/**
 * Whole RDB files (rdb.c `rdbSaveRio` / `rdbLoadRioWithLoadingCtx`), built on the value codec DUMP
 * and RESTORE use (dump.ts, load.ts): no second encoder.
 *
 * A file Redis 7.4 writes: `REDIS0012`; AUX fields (`redis-ver`, `redis-bits`, `ctime`,
 * `used-mem`, `aof-base`; integers integer-encoded as `rdbSaveAuxFieldStrInt` does); each function
 * library as a `FUNCTION2` record; `SELECTDB 0`; `RESIZEDB` with the key and expiry counts; then per
 * key `EXPIRETIME_MS` (when it has a TTL), `IDLE` seconds (under an LRU maxmemory policy) or `FREQ`
 * (under LFU), the value's type byte, the key, the value; `EOF`; the CRC-64 of everything before,
 * little-endian. The reader takes every RDB version up to 12 (the opcodes of older and of
 * cluster-mode files included: `EXPIRETIME` in seconds, `SLOT_INFO`).
 */
import { crc64 } from './crc64.js';
import { RdbReader, RdbWriter } from './format.js';
import { RDB_VERSION, serialiseObject, type DumpOptions } from './dump.js';
import { loadObject, type LoadLimits } from './load.js';
import type { StoredValue } from '../keyspace.js';
import { ReplyError } from '../../protocol/errors.js';

const OPCODE_SLOT_INFO = 244;
const OPCODE_FUNCTION2 = 245;
const OPCODE_FUNCTION_PRE_GA = 246;
const OPCODE_MODULE_AUX = 247;
const OPCODE_IDLE = 248;
const OPCODE_FREQ = 249;
const OPCODE_AUX = 250;
const OPCODE_RESIZEDB = 251;
const OPCODE_EXPIRETIME_MS = 252;
const OPCODE_EXPIRETIME = 253;
const OPCODE_SELECTDB = 254;
const OPCODE_EOF = 255;

/** An RDB file that cannot be loaded; the message says why (Redis's own log line where it has one). */
export class RdbFileError extends Error {
  override readonly name = 'RdbFileError';
}

/** One key of a file. */
export interface RdbKey {
  /** Canonical key name (latin1 byte string). */
  readonly key: string;
  readonly value: StoredValue;
  /** Absolute expiry time in ms, or undefined without a TTL. */
  readonly expiresAt: number | undefined;
  /** `IDLE` seconds, when the file carries them. */
  readonly idleSeconds: number | null;
  /** `FREQ` (LFU counter), when the file carries it. */
  readonly freq: number | null;
}

/** What a file holds. */
export interface RdbFileContents {
  readonly version: number;
  /** AUX fields in file order (name → raw value). */
  readonly aux: ReadonlyMap<string, Buffer>;
  /** Function library codes (`FUNCTION2` records). */
  readonly functions: readonly Buffer[];
  readonly keys: readonly RdbKey[];
}

/** What goes into a file. */
export interface RdbFileInput {
  /** AUX fields in order; numbers are written integer-encoded. */
  readonly aux: ReadonlyArray<readonly [string, string | number]>;
  readonly functions: readonly Buffer[];
  /** Key and expiry counts for `RESIZEDB`. */
  readonly size: number;
  readonly expires: number;
  readonly keys: Iterable<RdbKey>;
  /** Which access opcode each key carries (the maxmemory policy's kind), or null for none. */
  readonly access: 'lru' | 'lfu' | null;
}

/** Writes an RDB 12 file. */
export function writeRdbFile(input: RdbFileInput, options: DumpOptions): Buffer {
  const w = new RdbWriter(options.compress);
  w.raw(Buffer.from(`REDIS${String(RDB_VERSION).padStart(4, '0')}`, 'latin1'));
  for (const [name, value] of input.aux) w.byte(OPCODE_AUX).string(Buffer.from(name)).string(Buffer.from(String(value)));
  for (const code of input.functions) w.byte(OPCODE_FUNCTION2).string(code);
  w.byte(OPCODE_SELECTDB).len(0);
  w.byte(OPCODE_RESIZEDB).len(input.size).len(input.expires);
  for (const entry of input.keys) {
    if (entry.expiresAt !== undefined) w.byte(OPCODE_EXPIRETIME_MS).millis(entry.expiresAt);
    if (input.access === 'lru') w.byte(OPCODE_IDLE).len(entry.idleSeconds ?? 0);
    else if (input.access === 'lfu') w.byte(OPCODE_FREQ).byte(entry.freq ?? 0);
    // The key goes between the value's type byte and its body (rdbSaveKeyValuePair).
    const value = new RdbWriter(options.compress);
    try {
      serialiseObject(value, entry.value, options);
    } catch (error) {
      // Module values (RedisJSON, RedisBloom, RedisTimeSeries) have no serialisation here.
      if (error instanceof ReplyError) throw new RdbFileError(`key '${entry.key}' cannot be written: ${error.message.replace(/^ERR /, '')}`);
      throw error;
    }
    const body = value.finish();
    w.raw(body.subarray(0, 1)).string(Buffer.from(entry.key, 'latin1')).raw(body.subarray(1));
  }
  w.byte(OPCODE_EOF);
  const file = w.finish();
  const crc = Buffer.alloc(8);
  crc.writeBigUInt64LE(crc64(file));
  return Buffer.concat([file, crc]);
}

/**
 * Reads a whole RDB file (version 1 to 12), checking its signature, version and CRC-64 (a stored
 * checksum of 0 means the writer had `rdbchecksum no`: not checked, as Redis does). Nothing is
 * returned unless the whole file loads. Throws {@link RdbFileError}.
 */
export function readRdbFile(file: Buffer, limits: LoadLimits): RdbFileContents {
  if (file.length < 9 || file.toString('latin1', 0, 5) !== 'REDIS') {
    throw new RdbFileError('Wrong signature trying to load DB from file');
  }
  const versionText = file.toString('latin1', 5, 9);
  const version = /^\d{4}$/.test(versionText) ? Number(versionText) : 0;
  if (version < 1 || version > RDB_VERSION) {
    throw new RdbFileError(`Can't handle RDB format version ${version > 0 ? version : JSON.stringify(versionText)}: Redis 7.4 (and AMR) load RDB versions 1 to ${RDB_VERSION}`);
  }
  const r = new RdbReader(file, file.length);
  r.pos = 9;
  const aux = new Map<string, Buffer>();
  const functions: Buffer[] = [];
  const keys: RdbKey[] = [];
  const seen = new Set<string>();
  let expiresAt: number | undefined;
  let idleSeconds: number | null = null;
  let freq: number | null = null;
  let current = 'the header';
  try {
    for (;;) {
      const type = r.byte();
      if (type === OPCODE_EOF) break;
      switch (type) {
        case OPCODE_AUX:
          current = 'an AUX field';
          aux.set(r.string().toString('latin1'), Buffer.from(r.string()));
          continue;
        case OPCODE_SELECTDB: {
          const db = r.len();
          if (db !== 0) {
            throw new RdbFileError(`the file holds keys of database ${db}: an AMR cache has one database (0); export only db 0`);
          }
          continue;
        }
        case OPCODE_RESIZEDB:
          r.len();
          r.len();
          continue;
        case OPCODE_SLOT_INFO:
          r.len();
          r.len();
          r.len();
          continue;
        case OPCODE_EXPIRETIME_MS:
          expiresAt = Number(r.millis());
          continue;
        case OPCODE_EXPIRETIME:
          expiresAt = r.raw(4).readInt32LE(0) * 1000;
          continue;
        case OPCODE_IDLE:
          idleSeconds = r.len();
          continue;
        case OPCODE_FREQ:
          freq = r.byte();
          continue;
        case OPCODE_FUNCTION2:
          current = 'a function library';
          functions.push(Buffer.from(r.string()));
          continue;
        case OPCODE_FUNCTION_PRE_GA:
          throw new RdbFileError('Pre-release function format not supported.');
        case OPCODE_MODULE_AUX:
          throw new RdbFileError('the file holds module data (MODULE_AUX): module values are not emulated');
        default: {
          const key = r.string().toString('latin1');
          current = `key '${key}'`;
          const value = loadObject(r, type, limits);
          if (seen.has(key)) throw new RdbFileError(`RDB has duplicated key '${key}' in DB 0`);
          seen.add(key);
          keys.push({ key, value, expiresAt, idleSeconds, freq });
          expiresAt = undefined;
          idleSeconds = null;
          freq = null;
        }
      }
    }
  } catch (error) {
    if (error instanceof RdbFileError) throw error;
    if (error instanceof ReplyError) {
      throw new RdbFileError(`Bad RDB data format in ${current} (near byte ${r.pos}): the file is corrupt or holds a type the emulator does not load (modules)`);
    }
    throw error;
  }
  if (version >= 5) {
    if (r.pos + 8 > file.length) throw new RdbFileError('Short read loading DB: the file ends before its checksum');
    const stored = file.readBigUInt64LE(r.pos);
    const expected = crc64(file.subarray(0, r.pos));
    if (stored !== 0n && stored !== expected) {
      throw new RdbFileError(`Wrong RDB checksum expected: (${expected.toString(16)}) got: (${stored.toString(16)}). Aborting now.`);
    }
  }
  return { version, aux, functions, keys };
}
