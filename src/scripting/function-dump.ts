/**
 * FUNCTION DUMP / RESTORE payloads in Redis's format: for each library an RDB `FUNCTION2` record
 * (opcode 245, then the library code as an RDB string), followed by the RDB version (2 bytes,
 * little-endian) and a CRC-64 (Jones, as Redis's DUMP uses) of everything before it.
 */
import { ReplyError } from '../protocol/errors.js';
import type { ScriptingEngine } from './engine.js';
import { crc64 } from '../keyspace/rdb/crc64.js';
import { lzfDecompress } from '../keyspace/rdb/lzf.js';
import { RdbWriter } from '../keyspace/rdb/format.js';

const RDB_OPCODE_FUNCTION2 = 245;
/** RDB version of Redis 7.4. */
const RDB_VERSION = 12;
const BAD_PAYLOAD = new ReplyError('ERR DUMP payload version or checksum are wrong');

export function dumpLibraries(engine: ScriptingEngine): Buffer {
  return librariesPayload([...engine.libraries.values()].map((library) => library.code));
}

/** The FUNCTION DUMP payload of library codes (what {@link restoreLibraries} takes). */
export function librariesPayload(codes: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const code of codes) {
    parts.push(Buffer.from([RDB_OPCODE_FUNCTION2]), new RdbWriter(false).len(code.length).finish(), code);
  }
  const version = Buffer.alloc(2);
  version.writeUInt16LE(RDB_VERSION);
  parts.push(version);
  const body = Buffer.concat(parts);
  const crc = Buffer.alloc(8);
  crc.writeBigUInt64LE(crc64(body));
  return Buffer.concat([body, crc]);
}

/** Reads one RDB string (plain or LZF-compressed) at `pos`. */
function readString(data: Buffer, pos: number): { value: Buffer; next: number } {
  const readLen = (): { len: number; encoded: number } => {
    if (pos >= data.length) throw BAD_PAYLOAD;
    const first = data[pos];
    const type = first >> 6;
    if (type === 0) {
      pos += 1;
      return { len: first & 0x3f, encoded: -1 };
    }
    if (type === 1) {
      pos += 2;
      return { len: ((first & 0x3f) << 8) | data[pos - 1], encoded: -1 };
    }
    if (type === 2) {
      if (first === 0x80) {
        pos += 5;
        return { len: data.readUInt32BE(pos - 4), encoded: -1 };
      }
      if (first === 0x81) {
        pos += 9;
        return { len: Number(data.readBigUInt64BE(pos - 8)), encoded: -1 };
      }
      throw BAD_PAYLOAD;
    }
    pos += 1;
    return { len: 0, encoded: first & 0x3f };
  };
  const { len, encoded } = readLen();
  if (encoded === -1) {
    if (pos + len > data.length) throw BAD_PAYLOAD;
    return { value: data.subarray(pos, pos + len), next: pos + len };
  }
  if (encoded === 3) {
    const clen = readLen().len;
    const ulen = readLen().len;
    if (pos + clen > data.length) throw BAD_PAYLOAD;
    const value = lzfDecompress(data.subarray(pos, pos + clen), ulen);
    if (value === null) throw BAD_PAYLOAD;
    return { value, next: pos + clen };
  }
  if (encoded <= 2) {
    const size = 1 << encoded;
    const v = size === 1 ? data.readInt8(pos) : size === 2 ? data.readInt16LE(pos) : data.readInt32LE(pos);
    return { value: Buffer.from(String(v)), next: pos + size };
  }
  throw BAD_PAYLOAD;
}

export function restoreLibraries(engine: ScriptingEngine, payload: Buffer, policy: 'flush' | 'append' | 'replace'): void {
  if (payload.length < 10) throw BAD_PAYLOAD;
  const footer = payload.length - 10;
  const version = payload.readUInt16LE(footer);
  if (version > RDB_VERSION || crc64(payload.subarray(0, footer + 2)) !== payload.readBigUInt64LE(footer + 2)) throw BAD_PAYLOAD;
  const codes: Buffer[] = [];
  let pos = 0;
  while (pos < footer) {
    if (payload[pos] !== RDB_OPCODE_FUNCTION2) throw new ReplyError('ERR given type is not a function');
    const { value, next } = readString(payload, pos + 1);
    codes.push(Buffer.from(value));
    pos = next;
  }
  // Load into a scratch view first so a failure leaves the current libraries untouched.
  const saved = new Map(engine.libraries);
  const savedCodes = [...saved.values()].map((l) => l.code);
  try {
    if (policy === 'flush') engine.flushFunctions();
    for (const code of codes) {
      try {
        engine.loadLibrary(code, policy !== 'append');
      } catch (error) {
        if (error instanceof ReplyError && policy === 'append' && error.message.includes('already exists')) {
          throw new ReplyError(error.message.replace(/^ERR Library '(.*)' already exists$/, "ERR Library $1 already exists"));
        }
        throw error;
      }
    }
  } catch (error) {
    engine.flushFunctions();
    for (const code of savedCodes) engine.loadLibrary(code, true);
    throw error;
  }
}
