/**
 * DUMP: a value in the serialisation Redis 7.4's `createDumpPayload` produces — the RDB type byte,
 * the value as `rdbSaveObject` writes it for the value's current encoding, the RDB version (12) as
 * two little-endian bytes, and the CRC-64 of all that, little-endian.
 *
 * Per type (rdb.c, `rdbSaveObjectType` / `rdbSaveObject`):
 * - strings: RDB_TYPE_STRING, an RDB string (integer-encoded up to 32 bits, LZF above 20 bytes).
 * - lists: RDB_TYPE_LIST_QUICKLIST_2 — each quicklist node (a listpack as one node) as its
 *   container kind (1 plain, 2 packed) and its bytes as an RDB string.
 * - sets: RDB_TYPE_SET_INTSET (the intset's bytes), RDB_TYPE_SET_LISTPACK, RDB_TYPE_SET (members).
 * - sorted sets: RDB_TYPE_ZSET_LISTPACK, or RDB_TYPE_ZSET_2 from the greatest element down with
 *   binary scores.
 * - hashes: RDB_TYPE_HASH_LISTPACK, RDB_TYPE_HASH_LISTPACK_EX (the next field expiry, then
 *   field/value/TTL triples), RDB_TYPE_HASH, or RDB_TYPE_HASH_METADATA when some field has a TTL.
 * - streams: RDB_TYPE_STREAM_LISTPACKS_3 — each node's master ID and listpack, the counters, then
 *   the consumer groups with their PELs and consumers.
 *
 * The order inside hashtable-encoded sets and hashes is Redis's dict order there and insertion
 * order here, so those payloads differ from Redis's in order only (docs/dump-restore.md).
 */
import { toBuffer, type Bytes } from '../bytes.js';
import { RedisObject, type StoredValue } from '../keyspace.js';
import { ListValue } from '../types/list.js';
import { SetValue } from '../types/set.js';
import { ZSet } from '../types/zset.js';
import { RedisHash } from '../types/hash.js';
import { StreamValue, idMs, idSeq, type StreamId } from '../types/stream.js';
import { formatDouble } from '../../protocol/number-format.js';
import { crc64 } from './crc64.js';
import { ReplyError } from '../../protocol/errors.js';
import { lzfCompress } from './lzf.js';
import { ListpackWriter, listpackOf } from './listpack.js';
import { RdbWriter } from './format.js';

/** The RDB version Redis 7.4 writes (`RDB_VERSION`). */
export const RDB_VERSION = 12;

export const RDB_TYPE_STRING = 0;
export const RDB_TYPE_LIST = 1;
export const RDB_TYPE_SET = 2;
export const RDB_TYPE_ZSET = 3;
export const RDB_TYPE_HASH = 4;
export const RDB_TYPE_ZSET_2 = 5;
export const RDB_TYPE_MODULE_PRE_GA = 6;
export const RDB_TYPE_MODULE_2 = 7;
export const RDB_TYPE_HASH_ZIPMAP = 9;
export const RDB_TYPE_LIST_ZIPLIST = 10;
export const RDB_TYPE_SET_INTSET = 11;
export const RDB_TYPE_ZSET_ZIPLIST = 12;
export const RDB_TYPE_HASH_ZIPLIST = 13;
export const RDB_TYPE_LIST_QUICKLIST = 14;
export const RDB_TYPE_STREAM_LISTPACKS = 15;
export const RDB_TYPE_HASH_LISTPACK = 16;
export const RDB_TYPE_ZSET_LISTPACK = 17;
export const RDB_TYPE_LIST_QUICKLIST_2 = 18;
export const RDB_TYPE_STREAM_LISTPACKS_2 = 19;
export const RDB_TYPE_SET_LISTPACK = 20;
export const RDB_TYPE_STREAM_LISTPACKS_3 = 21;
export const RDB_TYPE_HASH_METADATA_PRE_GA = 22;
export const RDB_TYPE_HASH_LISTPACK_EX_PRE_GA = 23;
export const RDB_TYPE_HASH_METADATA = 24;
export const RDB_TYPE_HASH_LISTPACK_EX = 25;

const QUICKLIST_NODE_CONTAINER_PLAIN = 1;
const QUICKLIST_NODE_CONTAINER_PACKED = 2;
/** Quicklist nodes smaller than this are never compressed (`MIN_COMPRESS_BYTES`). */
const MIN_COMPRESS_BYTES = 48;
/** Compression must save at least this much (`MIN_COMPRESS_IMPROVE`). */
const MIN_COMPRESS_IMPROVE = 8;

/** What DUMP reads from the configuration. */
export interface DumpOptions {
  /** `rdbcompression` (default yes). */
  compress: boolean;
  /** `list-compress-depth` (default 0: quicklist nodes are not compressed in memory). */
  listCompressDepth: number;
}

/** The DUMP payload of a value. */
export function dumpPayload(value: StoredValue, options: DumpOptions): Buffer {
  const w = new RdbWriter(options.compress);
  serialiseObject(w, value, options);
  const trailer = Buffer.alloc(2);
  trailer.writeUInt16LE(RDB_VERSION);
  w.raw(trailer);
  const body = w.finish();
  const crc = Buffer.alloc(8);
  crc.writeBigUInt64LE(crc64(body));
  return Buffer.concat([body, crc]);
}

/** Writes the type byte and the value (`rdbSaveObjectType` + `rdbSaveObject`). */
export function serialiseObject(w: RdbWriter, value: StoredValue, options: DumpOptions): void {
  if (!(value instanceof RedisObject)) {
    w.byte(RDB_TYPE_STRING).string(toBuffer(value));
  } else if (value instanceof ListValue) {
    writeList(w, value, options);
  } else if (value instanceof SetValue) {
    writeSet(w, value);
  } else if (value instanceof ZSet) {
    writeZset(w, value);
  } else if (value instanceof RedisHash) {
    writeHash(w, value);
  } else if (value instanceof StreamValue) {
    writeStream(w, value);
  } else {
    // Module values (RedisJSON, RedisBloom, RedisTimeSeries): the modules' own RDB encodings are
    // not reproduced, so DUMP answers an error reply rather than a payload no module could load.
    throw new ReplyError(`ERR DUMP of a ${value.type} value (a module type) is not supported by the emulator`);
  }
}

/** A latin1 byte string (set members, hash fields, stream parts) as bytes. */
function bytesOf(name: string): Buffer {
  return Buffer.from(name, 'latin1');
}

function writeList(w: RdbWriter, list: ListValue, options: DumpOptions): void {
  w.byte(RDB_TYPE_LIST_QUICKLIST_2);
  const nodes = Array.from(list.nodeContents());
  w.len(nodes.length);
  const depth = list.encoding() === 'quicklist' ? options.listCompressDepth : 0;
  nodes.forEach((node, i) => {
    w.len(node.plain ? QUICKLIST_NODE_CONTAINER_PLAIN : QUICKLIST_NODE_CONTAINER_PACKED);
    const data = node.plain ? toBuffer(node.values[0]) : listpackOf(node.values.map(toBuffer));
    // With list-compress-depth, inner nodes are kept LZF-compressed and saved as they are.
    if (depth > 0 && nodes.length > depth * 2 && i >= depth && i < nodes.length - depth && data.length >= MIN_COMPRESS_BYTES) {
      const packed = lzfCompress(data, data.length);
      if (packed !== null && packed.length + MIN_COMPRESS_IMPROVE < data.length) {
        w.lzfBlob(packed, data.length);
        return;
      }
    }
    w.string(data);
  });
}

function writeSet(w: RdbWriter, set: SetValue): void {
  const encoding = set.encoding();
  if (encoding === 'intset') {
    const members = set.iterationOrder();
    const width = set.intsetWidth();
    const blob = Buffer.alloc(8 + members.length * width);
    blob.writeUInt32LE(width, 0);
    blob.writeUInt32LE(members.length, 4);
    members.forEach((m, i) => {
      const at = 8 + i * width;
      if (width === 2) blob.writeInt16LE(Number(m), at);
      else if (width === 4) blob.writeInt32LE(Number(m), at);
      else blob.writeBigInt64LE(BigInt(m), at);
    });
    w.byte(RDB_TYPE_SET_INTSET).string(blob);
  } else if (encoding === 'listpack') {
    w.byte(RDB_TYPE_SET_LISTPACK).string(listpackOf(Array.from(set.members(), bytesOf)));
  } else {
    w.byte(RDB_TYPE_SET).len(set.size);
    for (const member of set.members()) w.string(bytesOf(member));
  }
}

/** Half of LLONG_MAX as a double: `double2ll` turns integral scores within ±this into integers. */
const LLONG_HALF = 4611686018427387904;

function writeZset(w: RdbWriter, zset: ZSet): void {
  const { members, scores } = zset.tree.toArrays();
  if (zset.listpack) {
    const lp = new ListpackWriter();
    for (let i = 0; i < members.length; i++) {
      lp.add(bytesOf(members[i]));
      const score = scores[i];
      // zzlInsertAt: an integral score is stored as an integer, any other as its d2string text.
      if (Number.isInteger(score) && score >= -LLONG_HALF && score <= LLONG_HALF) lp.add(BigInt(score));
      else lp.add(Buffer.from(formatDouble(score), 'latin1'));
    }
    w.byte(RDB_TYPE_ZSET_LISTPACK).string(lp.finish());
    return;
  }
  w.byte(RDB_TYPE_ZSET_2).len(members.length);
  for (let i = members.length - 1; i >= 0; i--) w.string(bytesOf(members[i])).double(scores[i]);
}

function writeHash(w: RdbWriter, hash: RedisHash): void {
  const encoding = hash.encoding();
  const ttls = hash.hasTtls ? hash.ttls! : null;
  let minExpire = Infinity;
  if (ttls !== null) for (const when of ttls.values()) if (when < minExpire) minExpire = when;
  if (encoding === 'listpack') {
    const lp = new ListpackWriter();
    for (const [field, value] of hash.fields) lp.add(bytesOf(field)).add(toBuffer(value));
    w.byte(RDB_TYPE_HASH_LISTPACK).string(lp.finish());
  } else if (encoding === 'listpackex') {
    // A listpackex keeps the fields with a TTL first, by expiry time, then the others (TTL 0).
    const timed: Array<[string, Bytes, number]> = [];
    const untimed: Array<[string, Bytes]> = [];
    for (const [field, value] of hash.fields) {
      const when = ttls?.get(field);
      if (when === undefined) untimed.push([field, value]);
      else timed.push([field, value, when]);
    }
    timed.sort((a, b) => a[2] - b[2]);
    const lp = new ListpackWriter();
    for (const [field, value, when] of timed) lp.add(bytesOf(field)).add(toBuffer(value)).add(when);
    for (const [field, value] of untimed) lp.add(bytesOf(field)).add(toBuffer(value)).add(0);
    w.byte(RDB_TYPE_HASH_LISTPACK_EX).millis(minExpire === Infinity ? 0 : minExpire).string(lp.finish());
  } else if (minExpire === Infinity) {
    w.byte(RDB_TYPE_HASH).len(hash.size);
    for (const [field, value] of hash.fields) w.string(bytesOf(field)).string(toBuffer(value));
  } else {
    // TTLs relative to the earliest one, plus one (0 means no TTL).
    w.byte(RDB_TYPE_HASH_METADATA).millis(minExpire).len(hash.size);
    for (const [field, value] of hash.fields) {
      const when = ttls!.get(field);
      w.len(when === undefined ? 0 : when - minExpire + 1).string(bytesOf(field)).string(toBuffer(value));
    }
  }
}

/** A stream ID as Redis keys its radix trees: 128 bits, big-endian. */
export function rawStreamId(id: StreamId): Buffer {
  const b = Buffer.alloc(16);
  b.writeBigUInt64BE(idMs(id), 0);
  b.writeBigUInt64BE(idSeq(id), 8);
  return b;
}

/** A stream item's flags (`STREAM_ITEM_FLAG_*`). */
const FLAG_DELETED = 1;
const FLAG_SAMEFIELDS = 2;

function writeStream(w: RdbWriter, stream: StreamValue): void {
  w.byte(RDB_TYPE_STREAM_LISTPACKS_3).len(stream.nodes.length);
  for (const node of stream.nodes) {
    const lp = new ListpackWriter();
    lp.add(node.live).add(node.deleted).add(node.masterFields.length);
    for (const field of node.masterFields) lp.add(bytesOf(field));
    lp.add(0);
    for (const entry of node.entries) {
      const fields = entry.fields;
      const numFields = fields.length / 2;
      lp.add((entry.sameFields ? FLAG_SAMEFIELDS : 0) | (entry.deleted ? FLAG_DELETED : 0));
      lp.add(BigInt.asIntN(64, idMs(entry.id) - idMs(node.master)));
      lp.add(BigInt.asIntN(64, idSeq(entry.id) - idSeq(node.master)));
      if (!entry.sameFields) lp.add(numFields);
      for (let i = 0; i < fields.length; i++) if (!entry.sameFields || i % 2 === 1) lp.add(bytesOf(fields[i]));
      lp.add(entry.sameFields ? numFields + 3 : numFields * 2 + 4);
    }
    w.string(rawStreamId(node.master)).string(lp.finish());
  }
  w.len(stream.length);
  w.len(idMs(stream.lastId)).len(idSeq(stream.lastId));
  w.len(idMs(stream.firstId)).len(idSeq(stream.firstId));
  w.len(idMs(stream.maxDeletedId)).len(idSeq(stream.maxDeletedId));
  w.len(stream.entriesAdded);
  const groups = stream.sortedGroups();
  w.len(groups.length);
  for (const group of groups) {
    w.string(bytesOf(group.name)).len(idMs(group.lastId)).len(idSeq(group.lastId)).len(group.entriesRead);
    w.len(group.pel.size);
    for (const id of group.pel.keys) {
      const nack = group.pel.get(id)!;
      w.raw(rawStreamId(id)).millis(nack.deliveryTime).len(nack.deliveryCount);
    }
    const consumers = group.sortedConsumers();
    w.len(consumers.length);
    for (const consumer of consumers) {
      w.string(bytesOf(consumer.name)).millis(consumer.seenTime).millis(consumer.activeTime);
      w.len(consumer.pel.size);
      for (const id of consumer.pel.keys) w.raw(rawStreamId(id));
    }
  }
}
