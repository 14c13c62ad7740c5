/**
 * RESTORE's side: checks a DUMP payload's trailer (`verifyDumpPayload`: RDB version ≤ 12, CRC-64)
 * and builds the value (`rdbLoadObject`) with the encoding Redis 7.4 would give it under the
 * cache's thresholds — every RDB object type Redis 7.4 loads except modules: the 7.4 types, the
 * 7.0/7.2 ones, and the ziplist-era ones (RDB ≤ 9) that older servers dump.
 *
 * Where Redis checks a payload only shallowly (`sanitize-dump-payload no`) and would trust a
 * malformed listpack, this loader reads every element and refuses what does not hold together
 * (bad sizes, duplicate members or fields, an empty collection) with `ERR Bad data format`.
 */
import { ReplyError } from '../../protocol/errors.js';
import { parseDouble, parseInt64 } from '../../protocol/numbers.js';
import type { StoredValue } from '../keyspace.js';
import { isAscii, type Bytes } from '../bytes.js';
import { ListValue } from '../types/list.js';
import { SetValue, compareIntegerMembers, isIntegerMember, type SetEncoding, type SetLimits } from '../types/set.js';
import { ZSet, type ZsetLimits } from '../types/zset.js';
import { NODE_MAX, SMALL_NODE_MAX, ScoreTree } from '../types/zset-tree.js';
import { RedisHash, type HashEncoding, type HashLimits } from '../types/hash.js';
import {
  Consumer,
  ConsumerGroup,
  Nack,
  StreamEntry,
  StreamNode,
  StreamValue,
  entryListpackBytes,
  makeId,
  type StreamId,
} from '../types/stream.js';
import { crc64 } from './crc64.js';
import { BAD_DATA_FORMAT, RdbReader } from './format.js';
import { readListpack, type ListpackElement } from './listpack.js';
import { readZiplist } from './ziplist.js';
import * as T from './dump.js';

/** RESTORE's answer to a payload too short, from a newer RDB version, or with a wrong checksum. */
export const BAD_PAYLOAD = new ReplyError('ERR DUMP payload version or checksum are wrong');

/** The thresholds that decide the encoding of a loaded value (the cache's settings). */
export interface LoadLimits {
  list: { fill: number };
  set: SetLimits;
  zset: ZsetLimits;
  hash: HashLimits;
  /** `stream-node-max-bytes` (the tail node's preallocation in the memory model). */
  streamNodeMaxBytes: number;
}

/**
 * `verifyDumpPayload`: at least the 10-byte trailer, an RDB version Redis 7.4 reads (≤ 12), and a
 * CRC-64 that matches. Throws {@link BAD_PAYLOAD} otherwise; returns the RDB version.
 */
export function verifyPayload(payload: Buffer): number {
  if (payload.length < 10) throw BAD_PAYLOAD;
  const footer = payload.length - 10;
  const version = payload.readUInt16LE(footer);
  if (version > T.RDB_VERSION) throw BAD_PAYLOAD;
  if (crc64(payload.subarray(0, footer + 2)) !== payload.readBigUInt64LE(footer + 2)) throw BAD_PAYLOAD;
  return version;
}

/**
 * The value a verified payload holds (`rdbLoadObjectType` + `rdbLoadObject`); throws
 * `ERR Bad data format` for what does not load. Bytes after the value are ignored, and a value
 * cut short reads on into the trailer, as Redis's loader does.
 */
export function loadPayload(payload: Buffer, limits: LoadLimits): StoredValue {
  // Redis reads the value from the whole payload: a value cut short reads on into the trailer.
  const r = new RdbReader(payload, payload.length);
  return loadObject(r, r.byte(), limits);
}

/**
 * `rdbLoadObject`: the value of RDB object `type` at the reader's position (DUMP payloads and
 * whole RDB files share it). Throws `ERR Bad data format` for what does not load.
 */
export function loadObject(r: RdbReader, type: number, limits: LoadLimits): StoredValue {
  switch (type) {
    case T.RDB_TYPE_STRING:
      return bytesValue(r.string());
    case T.RDB_TYPE_LIST:
      return loadPlainList(r, limits);
    case T.RDB_TYPE_LIST_QUICKLIST:
    case T.RDB_TYPE_LIST_QUICKLIST_2:
      return loadQuicklist(r, limits, type === T.RDB_TYPE_LIST_QUICKLIST_2);
    case T.RDB_TYPE_LIST_ZIPLIST: {
      const values = notEmpty(ziplist(r.string())).map(elementValue);
      return ListValue.fromNodes(chunkForQuicklist(values, limits.list.fill), limits.list.fill, true);
    }
    case T.RDB_TYPE_SET:
      return loadPlainSet(r, limits.set);
    case T.RDB_TYPE_SET_INTSET:
      return loadIntset(r.string(), limits.set);
    case T.RDB_TYPE_SET_LISTPACK: {
      const members = notEmpty(listpack(r.string())).map(memberName);
      return SetValue.restored(members.length > limits.set.listpackEntries ? 'hashtable' : 'listpack', distinct(members));
    }
    case T.RDB_TYPE_ZSET:
    case T.RDB_TYPE_ZSET_2:
      return loadPlainZset(r, limits.zset, type === T.RDB_TYPE_ZSET_2);
    case T.RDB_TYPE_ZSET_LISTPACK:
      return loadPackedZset(listpack(r.string()), limits.zset);
    case T.RDB_TYPE_ZSET_ZIPLIST:
      return loadPackedZset(ziplist(r.string()), limits.zset);
    case T.RDB_TYPE_HASH:
      return loadPlainHash(r, limits.hash);
    case T.RDB_TYPE_HASH_METADATA:
    case T.RDB_TYPE_HASH_METADATA_PRE_GA:
      return loadHashWithTtls(r, limits.hash, type === T.RDB_TYPE_HASH_METADATA);
    case T.RDB_TYPE_HASH_LISTPACK:
      return loadPackedHash(listpack(r.string()), limits.hash, false);
    case T.RDB_TYPE_HASH_ZIPLIST:
      return loadPackedHash(ziplist(r.string()), limits.hash, false);
    case T.RDB_TYPE_HASH_LISTPACK_EX:
      r.millis(); // the next field expiry, informational
      return loadPackedHash(listpack(r.string()), limits.hash, true);
    case T.RDB_TYPE_HASH_LISTPACK_EX_PRE_GA:
      return loadPackedHash(listpack(r.string()), limits.hash, true);
    case T.RDB_TYPE_STREAM_LISTPACKS:
    case T.RDB_TYPE_STREAM_LISTPACKS_2:
    case T.RDB_TYPE_STREAM_LISTPACKS_3:
      return loadStream(r, limits, type);
    default:
      // Modules (none are loaded on AMR's data path here), zipmaps (Redis 2.4) and unknown types.
      throw BAD_DATA_FORMAT;
  }
}

// ---------------------------------------------------------------------------------------------
// Elements

/** Bytes as a stored value: ASCII as a string (as a client's argument would be), else a Buffer. */
function bytesValue(bytes: Buffer): Bytes {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] > 0x7f) return Buffer.from(bytes);
  return bytes.toString('latin1');
}

/** Bytes as a member, field or stream part name (the canonical latin1 string). */
function nameOf(bytes: Buffer): string {
  return bytes.toString('latin1');
}

function elementValue(element: ListpackElement): Bytes {
  return typeof element === 'bigint' ? element.toString() : bytesValue(element);
}

function memberName(element: ListpackElement): string {
  return typeof element === 'bigint' ? element.toString() : nameOf(element);
}

function listpack(bytes: Buffer): ListpackElement[] {
  const elements = readListpack(bytes);
  if (elements === null) throw BAD_DATA_FORMAT;
  return elements;
}

function ziplist(bytes: Buffer): ListpackElement[] {
  const elements = readZiplist(bytes);
  if (elements === null) throw BAD_DATA_FORMAT;
  return elements;
}

/** An empty collection is no value (`emptykey`): RESTORE refuses it. */
function notEmpty<T>(items: T[]): T[] {
  if (items.length === 0) throw BAD_DATA_FORMAT;
  return items;
}

/** The members, refusing duplicates. */
function distinct(members: string[]): string[] {
  if (new Set(members).size !== members.length) throw BAD_DATA_FORMAT;
  return members;
}

// ---------------------------------------------------------------------------------------------
// Lists

function loadQuicklist(r: RdbReader, limits: LoadLimits, withContainers: boolean): ListValue {
  const count = r.len();
  if (count === 0) throw BAD_DATA_FORMAT;
  const nodes: Array<{ values: Bytes[]; plain: boolean }> = [];
  for (let i = 0; i < count; i++) {
    let container = 2;
    if (withContainers) {
      container = r.len();
      if (container !== 1 && container !== 2) throw BAD_DATA_FORMAT;
    }
    const data = r.string();
    if (data.length === 0) throw BAD_DATA_FORMAT;
    if (container === 1) {
      nodes.push({ values: [bytesValue(data)], plain: true });
      continue;
    }
    const values = (withContainers ? listpack(data) : ziplist(data)).map(elementValue);
    // Empty nodes are skipped; a list that ends up empty is refused.
    if (values.length > 0) nodes.push({ values, plain: false });
  }
  if (nodes.length === 0) throw BAD_DATA_FORMAT;
  return ListValue.fromNodes(nodes, limits.list.fill);
}

/** RDB_TYPE_LIST (RDB ≤ 6): elements pushed one by one onto a quicklist, then converted if small. */
function loadPlainList(r: RdbReader, limits: LoadLimits): ListValue {
  const count = r.len();
  if (count === 0) throw BAD_DATA_FORMAT;
  const values: Bytes[] = [];
  for (let i = 0; i < count; i++) values.push(bytesValue(r.string()));
  return ListValue.fromValues(values, limits.list.fill);
}

/** Elements pushed onto a new quicklist one by one (RDB_TYPE_LIST_ZIPLIST keeps the quicklist). */
function chunkForQuicklist(values: Bytes[], fill: number): Array<{ values: Bytes[]; plain: boolean }> {
  return Array.from(ListValue.fromValues(values, fill).nodeContents());
}

// ---------------------------------------------------------------------------------------------
// Sets

/**
 * RDB_TYPE_SET: an intset while the members are integers (when their count may be one), a listpack
 * once a non-integer arrives and everything fits, a hashtable otherwise (rdbLoadObject's order of
 * conversions, so the loaded encoding is Redis's).
 */
function loadPlainSet(r: RdbReader, limits: SetLimits): SetValue {
  const count = r.len();
  if (count === 0) throw BAD_DATA_FORMAT;
  let encoding: SetEncoding = count > limits.intsetEntries ? 'hashtable' : 'intset';
  const members: string[] = [];
  const seen = new Set<string>();
  let longest = 0;
  for (let i = 0; i < count; i++) {
    const member = nameOf(r.string());
    if (member.length > longest) longest = member.length;
    if (encoding === 'intset' && !isIntegerMember(member)) {
      if (members.length < limits.listpackEntries && longest <= limits.listpackValue) {
        encoding = 'listpack';
        members.sort(compareIntegerMembers);
      } else encoding = 'hashtable';
    }
    if (encoding === 'listpack' && !(members.length < limits.listpackEntries && member.length <= limits.listpackValue)) {
      encoding = 'hashtable';
    }
    if (seen.has(member)) throw BAD_DATA_FORMAT;
    seen.add(member);
    members.push(member);
  }
  return SetValue.restored(encoding, members);
}

function loadIntset(blob: Buffer, limits: SetLimits): SetValue {
  if (blob.length < 8) throw BAD_DATA_FORMAT;
  const width = blob.readUInt32LE(0);
  const count = blob.readUInt32LE(4);
  if ((width !== 2 && width !== 4 && width !== 8) || blob.length !== 8 + count * width || count === 0) throw BAD_DATA_FORMAT;
  const members: string[] = [];
  let previous: bigint | null = null;
  for (let i = 0; i < count; i++) {
    const at = 8 + i * width;
    const v = width === 2 ? BigInt(blob.readInt16LE(at)) : width === 4 ? BigInt(blob.readInt32LE(at)) : blob.readBigInt64LE(at);
    // An intset is sorted and has no duplicates.
    if (previous !== null && v <= previous) throw BAD_DATA_FORMAT;
    previous = v;
    members.push(v.toString());
  }
  return SetValue.restored(count > limits.intsetEntries ? 'hashtable' : 'intset', members);
}

// ---------------------------------------------------------------------------------------------
// Sorted sets

function byScoreThenMember(pairs: Array<[string, number]>): Array<[string, number]> {
  return pairs.sort((a, b) => (a[1] !== b[1] ? a[1] - b[1] : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function buildZset(pairs: Array<[string, number]>, listpack: boolean): ZSet {
  const sorted = byScoreThenMember(pairs);
  const members = sorted.map((p) => p[0]);
  // A listpack stores an integral score as an integer: -0 comes back as 0.
  const scores = sorted.map((p) => (listpack && p[1] === 0 ? 0 : p[1]));
  const zset = new ZSet(listpack, ScoreTree.fromSorted(members, scores, listpack ? SMALL_NODE_MAX : NODE_MAX));
  zset.ascii = members.every(isAscii);
  return zset;
}

/** RDB_TYPE_ZSET(_2): pairs into a skiplist, then a listpack when they all fit. */
function loadPlainZset(r: RdbReader, limits: ZsetLimits, binary: boolean): ZSet {
  const count = r.len();
  if (count === 0) throw BAD_DATA_FORMAT;
  const pairs: Array<[string, number]> = [];
  const seen = new Set<string>();
  let longest = 0;
  for (let i = 0; i < count; i++) {
    const member = nameOf(r.string());
    const score = binary ? r.double() : r.textDouble();
    if (Number.isNaN(score) || seen.has(member)) throw BAD_DATA_FORMAT;
    seen.add(member);
    if (member.length > longest) longest = member.length;
    pairs.push([member, score]);
  }
  return buildZset(pairs, count <= limits.entries && longest <= limits.value);
}

/** A listpack (or ziplist) score: an integer, or text read as `strtod` reads it. */
function scoreOf(element: ListpackElement): number {
  if (typeof element === 'bigint') return Number(element);
  const x = parseDouble(element);
  if (x === null) throw BAD_DATA_FORMAT;
  return x;
}

function loadPackedZset(elements: ListpackElement[], limits: ZsetLimits): ZSet {
  if (elements.length === 0 || elements.length % 2 !== 0) throw BAD_DATA_FORMAT;
  const pairs: Array<[string, number]> = [];
  const seen = new Set<string>();
  for (let i = 0; i < elements.length; i += 2) {
    const member = memberName(elements[i]);
    const score = scoreOf(elements[i + 1]);
    if (Number.isNaN(score) || seen.has(member)) throw BAD_DATA_FORMAT;
    seen.add(member);
    pairs.push([member, score]);
  }
  return buildZset(pairs, pairs.length <= limits.entries);
}

// ---------------------------------------------------------------------------------------------
// Hashes

type HashField = [field: string, value: Bytes, when: number | undefined];

function hashOf(encoding: HashEncoding, fields: HashField[]): RedisHash {
  const names = new Set<string>();
  for (const [field] of fields) {
    if (names.has(field)) throw BAD_DATA_FORMAT;
    names.add(field);
  }
  return RedisHash.restored(encoding, fields);
}

/** RDB_TYPE_HASH: a listpack unless there are too many fields or one part is too long. */
function loadPlainHash(r: RdbReader, limits: HashLimits): RedisHash {
  const count = r.len();
  if (count === 0) throw BAD_DATA_FORMAT;
  let encoding: HashEncoding = count > limits.entries ? 'hashtable' : 'listpack';
  const fields: HashField[] = [];
  for (let i = 0; i < count; i++) {
    const field = r.string();
    const value = r.string();
    if (field.length > limits.value || value.length > limits.value) encoding = 'hashtable';
    fields.push([nameOf(field), bytesValue(value), undefined]);
  }
  return hashOf(encoding, fields);
}

/** RDB_TYPE_HASH_METADATA: fields with TTLs (relative to the earliest one, or absolute before GA). */
function loadHashWithTtls(r: RdbReader, limits: HashLimits, relative: boolean): RedisHash {
  const minExpire = relative ? r.millis() : 0n;
  const count = r.len();
  if (count === 0) throw BAD_DATA_FORMAT;
  let encoding: HashEncoding = count > limits.entries ? 'hashtable' : 'listpackex';
  const fields: HashField[] = [];
  for (let i = 0; i < count; i++) {
    const ttl = r.lenBig();
    const when = ttl === 0n ? 0n : relative ? ttl + minExpire - 1n : ttl;
    if (when < 0n || when > EXPIRE_TIME_MAX) throw BAD_DATA_FORMAT;
    const field = r.string();
    const value = r.string();
    if (field.length > limits.value || value.length > limits.value) encoding = 'hashtable';
    fields.push([nameOf(field), bytesValue(value), when === 0n ? undefined : Number(when)]);
  }
  return hashOf(encoding, fields);
}

/** The largest field expiry time Redis accepts (`EB_EXPIRE_TIME_MAX`, 2^48 - 1). */
const EXPIRE_TIME_MAX = (1n << 48n) - 1n;

/** A listpack hash (pairs) or listpackex (triples with the TTL, 0 for none). */
function loadPackedHash(elements: ListpackElement[], limits: HashLimits, withTtls: boolean): RedisHash {
  const tuple = withTtls ? 3 : 2;
  if (elements.length === 0 || elements.length % tuple !== 0) throw BAD_DATA_FORMAT;
  const fields: HashField[] = [];
  for (let i = 0; i < elements.length; i += tuple) {
    let when: number | undefined;
    if (withTtls) {
      const ttl = elements[i + 2];
      if (typeof ttl !== 'bigint' || ttl < 0n || ttl > EXPIRE_TIME_MAX) throw BAD_DATA_FORMAT;
      if (ttl !== 0n) when = Number(ttl);
    }
    fields.push([memberName(elements[i]), elementValue(elements[i + 1]), when]);
  }
  const small: HashEncoding = withTtls ? 'listpackex' : 'listpack';
  return hashOf(fields.length > limits.entries ? 'hashtable' : small, fields);
}

// ---------------------------------------------------------------------------------------------
// Streams

const FLAG_DELETED = 1;
const FLAG_SAMEFIELDS = 2;
const U64 = (1n << 64n) - 1n;

function idFromRaw(raw: Buffer): StreamId {
  return makeId(raw.readBigUInt64BE(0), raw.readBigUInt64BE(8));
}

function integerOf(element: ListpackElement | undefined): bigint {
  if (element === undefined) throw BAD_DATA_FORMAT;
  if (typeof element === 'bigint') return element;
  const n = parseInt64(element);
  if (n === null) throw BAD_DATA_FORMAT;
  return BigInt(n);
}

/** One node's listpack: the master entry, then each entry relative to it. */
function loadStreamNode(master: StreamId, lp: Buffer): StreamNode {
  const el = listpack(lp);
  if (el.length === 0) throw BAD_DATA_FORMAT;
  let p = 0;
  const next = (): ListpackElement => {
    if (p >= el.length) throw BAD_DATA_FORMAT;
    return el[p++];
  };
  const live = Number(integerOf(next()));
  const deleted = Number(integerOf(next()));
  const masterCount = Number(integerOf(next()));
  if (masterCount < 0 || masterCount > el.length) throw BAD_DATA_FORMAT;
  const masterFields: string[] = [];
  for (let i = 0; i < masterCount; i++) masterFields.push(memberName(next()));
  if (integerOf(next()) !== 0n) throw BAD_DATA_FORMAT;
  const node = new StreamNode(master, masterFields);
  const msBase = master >> 64n;
  const seqBase = master & U64;
  let seenLive = 0;
  let seenDeleted = 0;
  let previous: StreamId = -1n;
  while (p < el.length) {
    const flags = Number(integerOf(next()));
    const ms = BigInt.asUintN(64, msBase + integerOf(next()));
    const seq = BigInt.asUintN(64, seqBase + integerOf(next()));
    const id = makeId(ms, seq);
    if (id <= previous) throw BAD_DATA_FORMAT;
    previous = id;
    const same = (flags & FLAG_SAMEFIELDS) !== 0;
    const fields: string[] = [];
    if (same) {
      for (const field of masterFields) fields.push(field, memberName(next()));
    } else {
      const count = Number(integerOf(next()));
      if (count < 0 || count * 2 > el.length - p) throw BAD_DATA_FORMAT;
      for (let i = 0; i < count * 2; i++) fields.push(memberName(next()));
    }
    const parts = integerOf(next());
    if (parts !== BigInt(same ? fields.length / 2 + 3 : fields.length + 4)) throw BAD_DATA_FORMAT;
    const isDeleted = (flags & FLAG_DELETED) !== 0;
    if (isDeleted) seenDeleted++;
    else seenLive++;
    const entry = new StreamEntry(id, fields, same, entryListpackBytes(id, master, fields, same), isDeleted);
    node.entries.push(entry);
    node.entryBytes += entry.bytes;
  }
  if (seenLive !== live || seenDeleted !== deleted || live === 0) throw BAD_DATA_FORMAT;
  node.live = live;
  node.deleted = deleted;
  return node;
}

function loadStream(r: RdbReader, limits: LoadLimits, type: number): StreamValue {
  const nodeCount = r.len();
  const nodes: StreamNode[] = [];
  for (let i = 0; i < nodeCount; i++) {
    const key = r.string();
    if (key.length !== 16) throw BAD_DATA_FORMAT;
    const master = idFromRaw(key);
    if (nodes.length > 0 && master <= nodes[nodes.length - 1].master) throw BAD_DATA_FORMAT;
    nodes.push(loadStreamNode(master, r.string()));
  }
  const length = r.len();
  let live = 0;
  for (const node of nodes) live += node.live;
  if (live !== length) throw BAD_DATA_FORMAT;
  const lastId = makeId(r.lenBig(), r.lenBig());
  let firstId: StreamId;
  let maxDeletedId: StreamId = 0n;
  let entriesAdded: bigint;
  if (type >= T.RDB_TYPE_STREAM_LISTPACKS_2) {
    firstId = makeId(r.lenBig(), r.lenBig());
    maxDeletedId = makeId(r.lenBig(), r.lenBig());
    entriesAdded = r.lenBig();
  } else {
    entriesAdded = BigInt(length);
    firstId = 0n;
    for (const node of nodes) {
      const e = node.entries.find((x) => !x.deleted);
      if (e !== undefined) {
        firstId = e.id;
        break;
      }
    }
  }
  const groups: ConsumerGroup[] = [];
  const groupNames = new Set<string>();
  const groupCount = r.len();
  for (let g = 0; g < groupCount; g++) {
    const name = nameOf(r.string());
    if (groupNames.has(name)) throw BAD_DATA_FORMAT;
    groupNames.add(name);
    const groupLastId = makeId(r.lenBig(), r.lenBig());
    // Without the counter (RDB_TYPE_STREAM_LISTPACKS) Redis estimates it; unknown (-1) here.
    const entriesRead = type >= T.RDB_TYPE_STREAM_LISTPACKS_2 ? BigInt.asIntN(64, r.lenBig()) : -1n;
    const group = new ConsumerGroup(name, groupLastId, entriesRead);
    const pelCount = r.len();
    for (let i = 0; i < pelCount; i++) {
      const id = idFromRaw(r.raw(16));
      const deliveryTime = Number(r.millis());
      const deliveryCount = r.lenBig();
      if (group.pel.has(id)) throw BAD_DATA_FORMAT;
      group.pel.set(id, new Nack(deliveryTime, deliveryCount, null));
    }
    const consumerCount = r.len();
    for (let c = 0; c < consumerCount; c++) {
      const consumerName = nameOf(r.string());
      if (group.consumers.has(consumerName)) throw BAD_DATA_FORMAT;
      const seen = Number(r.millis());
      const active = type >= T.RDB_TYPE_STREAM_LISTPACKS_3 ? Number(r.millis()) : seen;
      const consumer = new Consumer(consumerName, seen, active);
      group.consumers.set(consumerName, consumer);
      const owned = r.len();
      for (let i = 0; i < owned; i++) {
        const id = idFromRaw(r.raw(16));
        const nack = group.pel.get(id);
        if (nack === undefined || consumer.pel.has(id)) throw BAD_DATA_FORMAT;
        nack.consumer = consumer;
        consumer.pel.set(id, nack);
      }
    }
    // Every pending entry belongs to a consumer.
    for (const id of group.pel.keys) if (group.pel.get(id)!.consumer === null) throw BAD_DATA_FORMAT;
    groups.push(group);
  }
  const maxBytes = limits.streamNodeMaxBytes;
  return StreamValue.restored({
    nodes,
    length,
    lastId,
    firstId,
    maxDeletedId,
    entriesAdded,
    groups,
    prealloc: maxBytes > 0 && maxBytes < 4096 ? maxBytes : 4096,
  });
}
