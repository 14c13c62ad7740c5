/**
 * Stream values, modelled on Redis 7.4's layout closely enough that everything observable agrees:
 * entries live in "nodes" (Redis's listpacks, keyed in a radix tree by their master ID), each with
 * its master fields, its live and deleted counts and its entries (deleted ones stay, flagged, until
 * the whole node goes). Node boundaries decide what `XTRIM ~` removes and what `XINFO STREAM`
 * reports as `radix-tree-keys`/`radix-tree-nodes`, so new nodes are opened by Redis's rules
 * (`stream-node-max-entries`, `stream-node-max-bytes` against a listpack size model).
 *
 * IDs are one bigint: `ms << 64 | seq` (both parts unsigned 64-bit), so comparison, increment and
 * decrement are plain bigint arithmetic and `18446744073709551615-18446744073709551615` fits.
 *
 * Ordered access: the nodes are a sorted array searched by binary search, and each node's entries
 * a sorted array (at most `stream-node-max-entries` of them). Consumer-group PELs are sorted ID
 * arrays beside a Map. Both are O(n) to insert in the middle, which streams (appending at the end)
 * and PELs (filled in ID order) rarely do; a tree would be the next step for huge PELs.
 */
import { RedisObject } from '../keyspace.js';
import type { Config } from '../../config.js';
import { parseInt64 } from '../../protocol/numbers.js';
import { ROBJ, allocSize } from '../memory.js';
import { intEntrySize, stringEntrySize } from '../rdb/listpack.js';

// ---------------------------------------------------------------------------------------------
// IDs

export type StreamId = bigint;

const U64 = (1n << 64n) - 1n;
/** `18446744073709551615-18446744073709551615`. */
export const ID_MAX: StreamId = (1n << 128n) - 1n;
export const ID_ZERO: StreamId = 0n;

export function makeId(ms: bigint, seq: bigint): StreamId {
  return (ms << 64n) | seq;
}
export function idMs(id: StreamId): bigint {
  return id >> 64n;
}
export function idSeq(id: StreamId): bigint {
  return id & U64;
}
export function formatId(id: StreamId): string {
  return `${id >> 64n}-${id & U64}`;
}

/** `streamIncrID`: the next ID; from the maximum it wraps to 0-0 and reports failure. */
export function incrId(id: StreamId): { id: StreamId; ok: boolean } {
  return id === ID_MAX ? { id: 0n, ok: false } : { id: id + 1n, ok: true };
}
/** `streamDecrID`: the previous ID; from 0-0 it wraps to the maximum and reports failure. */
export function decrId(id: StreamId): { id: StreamId; ok: boolean } {
  return id === 0n ? { id: ID_MAX, ok: false } : { id: id - 1n, ok: true };
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * `string2ull`: `string2ll` when it accepts (negative values refused), otherwise `strtoull`
 * (leading white space, a sign, decimal digits to the end, no overflow; a `-` negates modulo 2^64).
 */
export function parseU64(s: string): bigint | null {
  const ll = parseInt64(s);
  if (ll !== null) {
    const v = BigInt(ll);
    return v < 0n ? null : v;
  }
  let i = 0;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  let negative = false;
  if (i < s.length && (s[i] === '+' || s[i] === '-')) {
    negative = s[i] === '-';
    i++;
  }
  const start = i;
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  if (i === start || i !== s.length || s.length === 0) return null;
  const v = BigInt(s.slice(start, i));
  if (v > U64) return null; // ERANGE
  return negative ? (U64 + 1n - v) & U64 : v;
}

export interface ParsedId {
  id: StreamId;
  /** False for the `ms-*` form (XADD). */
  seqGiven: boolean;
}

/**
 * `streamGenericParseIDOrReply`: `-` and `+` (unless strict), `ms` (the sequence is
 * `missingSeq`), `ms-seq`, and `ms-*` when `allowSeqStar`. The argument is a latin1 byte string;
 * like the C code, it is read up to its first NUL. Null when invalid.
 */
export function parseStreamId(
  arg: string,
  missingSeq: bigint,
  strict: boolean,
  allowSeqStar = false,
): ParsedId | null {
  if (arg.length > 127) return null;
  const nul = arg.indexOf('\0');
  const s = nul >= 0 ? arg.slice(0, nul) : arg;
  if (strict && (s === '-' || s === '+')) return null;
  if (s === '-') return { id: 0n, seqGiven: true };
  if (s === '+') return { id: ID_MAX, seqGiven: true };
  const dash = s.indexOf('-');
  const msText = dash >= 0 ? s.slice(0, dash) : s;
  const ms = parseU64(msText);
  if (ms === null) return null;
  if (dash < 0) return { id: makeId(ms, missingSeq), seqGiven: true };
  const seqText = s.slice(dash + 1);
  if (allowSeqStar && seqText === '*') return { id: makeId(ms, 0n), seqGiven: false };
  const seq = parseU64(seqText);
  if (seq === null) return null;
  return { id: makeId(ms, seq), seqGiven: true };
}

// ---------------------------------------------------------------------------------------------
// Listpack size model (for node boundaries and the memory estimate)

/** The bytes one listpack element takes holding these bytes (integers are stored as integers). */
function stringElementSize(s: string): number {
  if (s.length > 0 && s.length <= 20) {
    const n = parseInt64(s);
    if (n !== null) return intEntrySize(n);
  }
  return stringEntrySize(s.length);
}

/** The maximum listpack size Redis lets a node grow to (`STREAM_LISTPACK_MAX_SIZE`). */
const LISTPACK_MAX = 1 << 30;

// ---------------------------------------------------------------------------------------------
// Entries and nodes

export class StreamEntry {
  /** The ID as text, made on first use (replies format the same entries again and again). */
  private text: string | null = null;
  get idText(): string {
    return (this.text ??= formatId(this.id));
  }
  constructor(
    readonly id: StreamId,
    /** Field, value, field, value … as latin1 byte strings. */
    readonly fields: readonly string[],
    /** True when the entry was added with its node's master fields (SAMEFIELDS). */
    readonly sameFields: boolean,
    /** The entry's own listpack bytes. */
    readonly bytes: number,
    public deleted = false,
  ) {}
}

/**
 * The listpack bytes of one entry in a node whose master ID is `master`: flags, the ID as two
 * differences from the master, the field count and fields unless `same` (SAMEFIELDS), the values,
 * and the count of those parts.
 */
export function entryListpackBytes(id: StreamId, master: StreamId, fields: readonly string[], same: boolean): number {
  const numFields = fields.length / 2;
  const msDiff = BigInt.asIntN(64, idMs(id) - idMs(master));
  const seqDiff = BigInt.asIntN(64, idSeq(id) - idSeq(master));
  let bytes = intEntrySize(same ? 2 : 0) + intEntrySize(msDiff) + intEntrySize(seqDiff);
  if (!same) bytes += intEntrySize(numFields);
  for (let i = 0; i < fields.length; i++) if (!same || i % 2 === 1) bytes += stringElementSize(fields[i]);
  return bytes + intEntrySize(same ? numFields + 3 : numFields * 2 + 4);
}

export class StreamNode {
  entries: StreamEntry[] = [];
  live = 0;
  deleted = 0;
  /** Bytes of the entries (flags never change size: 0–3 are one-byte integers). */
  entryBytes = 0;
  /** Bytes of the master entry's field names. */
  readonly masterBytes: number;

  constructor(
    readonly master: StreamId,
    readonly masterFields: readonly string[],
  ) {
    let bytes = intEntrySize(masterFields.length) + intEntrySize(0);
    for (const f of masterFields) bytes += stringElementSize(f);
    this.masterBytes = bytes;
  }

  /** `lpBytes` of this node's listpack. */
  get bytes(): number {
    return 7 + intEntrySize(this.live) + intEntrySize(this.deleted) + this.masterBytes + this.entryBytes;
  }

  get lastId(): StreamId {
    return this.entries[this.entries.length - 1].id;
  }

  /** Index of the first entry with an ID >= id. */
  lowerBound(id: StreamId): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.entries[mid].id < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

// ---------------------------------------------------------------------------------------------
// Consumer groups

export class Nack {
  constructor(
    public deliveryTime: number,
    /** An unsigned 64-bit counter in Redis (RETRYCOUNT sets any int64 ≥ 0). */
    public deliveryCount: bigint,
    public consumer: Consumer | null,
  ) {}
}

/** A sorted map from IDs (a sorted array of keys beside a Map). */
export class IdMap<V> {
  readonly map = new Map<StreamId, V>();
  keys: StreamId[] = [];

  get size(): number {
    return this.keys.length;
  }
  get(id: StreamId): V | undefined {
    return this.map.get(id);
  }
  has(id: StreamId): boolean {
    return this.map.has(id);
  }
  /** Index of the first key >= id. */
  lowerBound(id: StreamId): number {
    const keys = this.keys;
    const n = keys.length;
    if (n === 0 || keys[n - 1] < id) return n;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (keys[mid] < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  set(id: StreamId, value: V): void {
    if (!this.map.has(id)) {
      const n = this.keys.length;
      if (n === 0 || this.keys[n - 1] < id) this.keys.push(id);
      else this.keys.splice(this.lowerBound(id), 0, id);
    }
    this.map.set(id, value);
  }
  delete(id: StreamId): boolean {
    if (!this.map.delete(id)) return false;
    this.keys.splice(this.lowerBound(id), 1);
    return true;
  }
}

export class Consumer {
  readonly pel = new IdMap<Nack>();
  constructor(
    readonly name: string,
    public seenTime: number,
    public activeTime: number,
  ) {}
}

/** `SCG_INVALID_ENTRIES_READ`. */
export const INVALID_ENTRIES_READ = -1n;

export class ConsumerGroup {
  readonly pel = new IdMap<Nack>();
  readonly consumers = new Map<string, Consumer>();
  constructor(
    readonly name: string,
    public lastId: StreamId,
    public entriesRead: bigint,
  ) {}

  /** The consumers in Redis's order (its radix tree: byte order of the names). */
  sortedConsumers(): Consumer[] {
    return [...this.consumers.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Creates a consumer unless it exists; null when it did. */
  createConsumer(name: string, now: number): Consumer | null {
    if (this.consumers.has(name)) return null;
    const consumer = new Consumer(name, now, -1);
    this.consumers.set(name, consumer);
    return consumer;
  }

  /** Removes a consumer and its pending entries from the group; returns how many it had. */
  deleteConsumer(consumer: Consumer): number {
    const pending = consumer.pel.size;
    for (const id of consumer.pel.keys) this.pel.delete(id);
    this.consumers.delete(consumer.name);
    return pending;
  }
}

// ---------------------------------------------------------------------------------------------
// The stream

/** The node limits of a cache's settings. */
export interface StreamLimits {
  maxBytes: number;
  maxEntries: number;
}

function readLimits(config: Config): StreamLimits {
  const bytes = Number(config.get('stream-node-max-bytes') ?? 4096);
  const entries = Number(config.get('stream-node-max-entries') ?? 100);
  return { maxBytes: Number.isFinite(bytes) ? bytes : 4096, maxEntries: Number.isFinite(entries) ? entries : 100 };
}

const limitsCache = new WeakMap<Config, StreamLimits>();

/** The node limits of a cache's settings (cached; refreshed when a stream-node-* setting changes). */
export function streamLimits(config: Config): StreamLimits {
  let limits = limitsCache.get(config);
  if (limits === undefined) {
    limits = readLimits(config);
    limitsCache.set(config, limits);
    config.onChange((name) => {
      if (name.startsWith('stream-node-')) limitsCache.set(config, readLimits(config));
    });
  }
  return limits;
}

export type TrimStrategy = 'maxlen' | 'minid';

export interface TrimArgs {
  strategy: TrimStrategy;
  maxlen: bigint;
  minid: StreamId;
  approx: boolean;
  /** 0: no limit. */
  limit: number;
}

export class StreamValue extends RedisObject {
  readonly type = 'stream';
  nodes: StreamNode[] = [];
  length = 0;
  lastId: StreamId = 0n;
  firstId: StreamId = 0n;
  maxDeletedId: StreamId = 0n;
  entriesAdded = 0n;
  readonly groups = new Map<string, ConsumerGroup>();
  /** Running sum of the nodes' listpack bytes (for the O(1) memory estimate). */
  private lpBytes = 0;
  /** Running count of PEL entries over all groups (memory estimate). */
  pelCount = 0;
  /** The tail listpack's preallocation: min(4096, stream-node-max-bytes) when it was made. */
  prealloc = 4096;

  encoding(): string {
    return 'stream';
  }

  override memoryUsage(): number {
    // As objectComputeSize counts a stream: the object and stream structs, the radix tree
    // (16 bytes per key and ~244 per node, about two nodes per key), the listpacks (the tail one
    // preallocated to min(4096, stream-node-max-bytes), the others shrunk to fit), and per group,
    // consumer and pending entry their structs plus their radix trees' share.
    const nodes = this.nodes.length;
    let bytes = ROBJ + 80 + 16 * nodes + 244 * (nodes === 0 ? 1 : nodes + 1);
    if (nodes > 0) {
      const tail = this.nodes[nodes - 1].bytes;
      bytes += this.lpBytes - tail + Math.ceil((this.lpBytes - tail) / 8) + allocSize(Math.max(tail, this.prealloc));
    }
    for (const group of this.groups.values()) {
      bytes += 40 + 244 + group.consumers.size * (32 + 244 + 8) + group.name.length;
    }
    return bytes + this.pelCount * (16 + 24 + 2 * 244);
  }

  /**
   * A stream as RESTORE loads one: its nodes, counters and consumer groups as the payload holds
   * them (the loader built and checked the parts).
   */
  static restored(parts: {
    nodes: StreamNode[];
    length: number;
    lastId: StreamId;
    firstId: StreamId;
    maxDeletedId: StreamId;
    entriesAdded: bigint;
    groups: ConsumerGroup[];
    prealloc: number;
  }): StreamValue {
    const stream = new StreamValue();
    stream.nodes = parts.nodes;
    stream.length = parts.length;
    stream.lastId = parts.lastId;
    stream.firstId = parts.firstId;
    stream.maxDeletedId = parts.maxDeletedId;
    stream.entriesAdded = parts.entriesAdded;
    stream.prealloc = parts.prealloc;
    for (const group of parts.groups) {
      stream.groups.set(group.name, group);
      stream.pelCount += group.pel.size;
    }
    stream.recount();
    return stream;
  }

  /** Tells the keyspace's running total that the size changed. */
  touchedSize(): void {
    this.resized();
  }

  clone(): StreamValue {
    const copy = new StreamValue();
    copy.nodes = this.nodes.map((node) => {
      const n = new StreamNode(node.master, node.masterFields);
      n.entries = node.entries.map((e) => new StreamEntry(e.id, e.fields, e.sameFields, e.bytes, e.deleted));
      n.live = node.live;
      n.deleted = node.deleted;
      n.entryBytes = node.entryBytes;
      return n;
    });
    copy.length = this.length;
    copy.lastId = this.lastId;
    copy.firstId = this.firstId;
    copy.maxDeletedId = this.maxDeletedId;
    copy.entriesAdded = this.entriesAdded;
    copy.lpBytes = this.lpBytes;
    for (const group of this.groups.values()) {
      const g = new ConsumerGroup(group.name, group.lastId, group.entriesRead);
      const consumers = new Map<Consumer, Consumer>();
      for (const consumer of group.consumers.values()) {
        const c = new Consumer(consumer.name, consumer.seenTime, consumer.activeTime);
        g.consumers.set(c.name, c);
        consumers.set(consumer, c);
      }
      for (const id of group.pel.keys) {
        const nack = group.pel.get(id)!;
        const owner = nack.consumer === null ? null : consumers.get(nack.consumer)!;
        const n = new Nack(nack.deliveryTime, nack.deliveryCount, owner);
        g.pel.set(id, n);
        owner?.pel.set(id, n);
      }
      copy.groups.set(g.name, g);
    }
    copy.pelCount = this.pelCount;
    copy.prealloc = this.prealloc;
    return copy;
  }

  // --- lookups ---------------------------------------------------------------------------------

  /** Index of the node that may hold `id`: the last node whose master is <= id (0 if none). */
  private nodeIndexFor(id: StreamId): number {
    const nodes = this.nodes;
    let lo = 0;
    let hi = nodes.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (nodes[mid].master <= id) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** The live entry with this ID, if any. */
  entry(id: StreamId): StreamEntry | undefined {
    if (this.nodes.length === 0) return undefined;
    const node = this.nodes[this.nodeIndexFor(id)];
    const i = node.lowerBound(id);
    const e = node.entries[i];
    return e !== undefined && e.id === id && !e.deleted ? e : undefined;
  }

  /** Live entries with start <= ID <= end, ascending (or descending with `rev`), at most `count` (0: all). */
  range(start: StreamId, end: StreamId, count: number, rev = false): StreamEntry[] {
    const out: StreamEntry[] = [];
    if (start > end || this.nodes.length === 0) return out;
    const nodes = this.nodes;
    if (!rev) {
      for (let n = this.nodeIndexFor(start); n < nodes.length; n++) {
        const node = nodes[n];
        if (node.master > end) break;
        for (let i = node.lowerBound(start); i < node.entries.length; i++) {
          const e = node.entries[i];
          if (e.id > end) return out;
          if (e.deleted) continue;
          out.push(e);
          if (count !== 0 && out.length >= count) return out;
        }
      }
    } else {
      for (let n = this.nodeIndexFor(end); n >= 0; n--) {
        const node = nodes[n];
        let i = node.lowerBound(end);
        if (i === node.entries.length || node.entries[i].id > end) i--;
        for (; i >= 0; i--) {
          const e = node.entries[i];
          if (e.id < start) return out;
          if (e.deleted) continue;
          out.push(e);
          if (count !== 0 && out.length >= count) return out;
        }
      }
    }
    return out;
  }

  /** The first (or last) live entry's ID; null when there is none (`streamGetEdgeID`). */
  edgeId(first: boolean): StreamId | null {
    const e = this.range(0n, ID_MAX, 1, !first);
    return e.length === 0 ? null : e[0].id;
  }

  /** The first entry's ID counting deleted ones still in a node (`streamGetEdgeID(s,1,0)`). */
  firstIdWithTombstones(): StreamId | null {
    for (const node of this.nodes) if (node.entries.length > 0) return node.entries[0].id;
    return null;
  }

  /** `streamLastValidID`. */
  lastValidId(): StreamId {
    return this.edgeId(false) ?? 0n;
  }

  // --- writes ----------------------------------------------------------------------------------

  /**
   * Appends an entry with a concrete ID (already checked to be greater than {@link lastId}),
   * opening a new node by Redis's rules.
   */
  append(id: StreamId, fields: readonly string[], limits: StreamLimits): void {
    const numFields = fields.length / 2;
    let node: StreamNode | undefined = this.nodes[this.nodes.length - 1];
    if (node !== undefined) {
      let maxBytes = limits.maxBytes;
      if (maxBytes <= 0 || maxBytes > LISTPACK_MAX) maxBytes = LISTPACK_MAX;
      let total = 0;
      for (const f of fields) total += f.length;
      if (node.bytes + total >= maxBytes) node = undefined;
      else if (limits.maxEntries > 0 && node.live + node.deleted >= limits.maxEntries) node = undefined;
    }
    let same = false;
    let before = 0;
    if (node !== undefined) before = node.bytes;
    if (node === undefined) {
      const master: string[] = [];
      for (let i = 0; i < fields.length; i += 2) master.push(fields[i]);
      node = new StreamNode(id, master);
      this.nodes.push(node);
      this.prealloc = limits.maxBytes > 0 && limits.maxBytes < 4096 ? limits.maxBytes : 4096;
      same = true;
    } else if (node.masterFields.length === numFields) {
      same = true;
      for (let i = 0; i < numFields; i++) {
        if (node.masterFields[i] !== fields[i * 2]) {
          same = false;
          break;
        }
      }
    }
    const bytes = entryListpackBytes(id, node.master, fields, same);
    node.entries.push(new StreamEntry(id, fields, same, bytes));
    node.entryBytes += bytes;
    node.live++;
    this.lpBytes += node.bytes - before;
    this.length++;
    this.entriesAdded++;
    this.lastId = id;
    if (this.length === 1) this.firstId = id;
    this.resized();
  }

  /** Recomputes the listpack byte total (after structural changes). */
  private recount(): void {
    let total = 0;
    for (const node of this.nodes) total += node.bytes;
    this.lpBytes = total;
    this.resized();
  }

  /** Marks one live entry deleted (`streamDeleteItem`); a node left without live entries goes. */
  deleteEntry(id: StreamId): boolean {
    if (this.nodes.length === 0) return false;
    const n = this.nodeIndexFor(id);
    const node = this.nodes[n];
    const i = node.lowerBound(id);
    const e = node.entries[i];
    if (e === undefined || e.id !== id || e.deleted) return false;
    if (node.live === 1) {
      this.nodes.splice(n, 1);
    } else {
      e.deleted = true;
      node.live--;
      node.deleted++;
    }
    this.length--;
    return true;
  }

  /** XDEL: deletes the IDs given, keeping max-deleted-entry-id and the first ID; returns how many. */
  deleteIds(ids: readonly StreamId[]): number {
    let deleted = 0;
    let firstEntry = false;
    for (const id of ids) {
      if (!this.deleteEntry(id)) continue;
      if (id === this.firstId) firstEntry = true;
      if (id > this.maxDeletedId) this.maxDeletedId = id;
      deleted++;
    }
    if (deleted > 0) {
      if (this.length === 0) this.firstId = 0n;
      else if (firstEntry) this.firstId = this.edgeId(true) ?? ID_MAX;
      this.recount();
    }
    return deleted;
  }

  /** `streamTrim`: returns the number of entries removed. */
  trim(args: TrimArgs): number {
    let deleted = 0;
    const maxlen = args.maxlen;
    while (this.nodes.length > 0) {
      if (args.strategy === 'maxlen' && BigInt(this.length) <= maxlen) break;
      const node = this.nodes[0];
      const entries = node.live;
      if (args.limit !== 0 && deleted + entries > args.limit) break;
      const removeNode =
        args.strategy === 'maxlen' ? BigInt(this.length - entries) >= maxlen : node.lastId < args.minid;
      if (removeNode) {
        this.nodes.shift();
        this.length -= entries;
        deleted += entries;
        continue;
      }
      if (args.approx) break;
      for (const e of node.entries) {
        const stop = args.strategy === 'maxlen' ? BigInt(this.length) <= maxlen : e.id >= args.minid;
        if (stop) break;
        if (!e.deleted) {
          e.deleted = true;
          node.live--;
          node.deleted++;
          this.length--;
          deleted++;
        }
      }
      break;
    }
    if (this.length === 0) this.firstId = 0n;
    else this.firstId = this.edgeId(true) ?? ID_MAX;
    this.recount();
    return deleted;
  }

  // --- introspection ---------------------------------------------------------------------------

  /** `raxSize(s->rax)`. */
  get radixKeys(): number {
    return this.nodes.length;
  }

  /** The node list {@link radixNodes} last counted, and its count. */
  private radixFor: StreamNode[] | null = null;
  private radixKeysAt = -1;
  private radixCount = 1;

  /**
   * `s->rax->numnodes` for the nodes' 128-bit big-endian keys, as a compacted radix tree has them
   * (counted again only when the set of nodes changed).
   */
  radixNodes(): number {
    const nodes = this.nodes;
    const n = nodes.length;
    if (this.radixFor === nodes && this.radixKeysAt === n && (n === 0 || this.radixLast === nodes[n - 1].master) && this.radixFirst === (n === 0 ? -1n : nodes[0].master)) {
      return this.radixCount;
    }
    this.radixFor = nodes;
    this.radixKeysAt = n;
    this.radixFirst = n === 0 ? -1n : nodes[0].master;
    this.radixLast = n === 0 ? -1n : nodes[n - 1].master;
    this.radixCount = this.countRadixNodes();
    return this.radixCount;
  }
  private radixFirst = -1n;
  private radixLast = -1n;

  private countRadixNodes(): number {
    const keys = this.nodes.map((node) => {
      const bytes = new Uint8Array(16);
      let v = node.master;
      for (let i = 15; i >= 0; i--) {
        bytes[i] = Number(v & 0xffn);
        v >>= 8n;
      }
      return bytes;
    });
    if (keys.length === 0) return 1;
    const count = (lo: number, hi: number, depth: number): number => {
      if (depth === 16) return 1;
      const a = keys[lo];
      const b = keys[hi - 1];
      let l = 0;
      while (depth + l < 16 && a[depth + l] === b[depth + l]) l++;
      if (l > 0) return 1 + count(lo, hi, depth + l);
      let total = 1;
      let start = lo;
      for (let i = lo + 1; i <= hi; i++) {
        if (i === hi || keys[i][depth] !== keys[start][depth]) {
          total += count(start, i, depth + 1);
          start = i;
        }
      }
      return total;
    };
    return count(0, keys.length, 0);
  }

  // --- consumer groups -------------------------------------------------------------------------

  /** The groups in Redis's order (byte order of the names). */
  sortedGroups(): ConsumerGroup[] {
    return [...this.groups.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** `streamRangeHasTombstones`. */
  rangeHasTombstones(start: StreamId | null, end: StreamId | null): boolean {
    if (this.length === 0 || this.maxDeletedId === 0n) return false;
    if (this.firstId > this.maxDeletedId) return false;
    const s = start ?? 0n;
    const e = end ?? ID_MAX;
    return s <= this.maxDeletedId && this.maxDeletedId <= e;
  }

  /** `streamEstimateDistanceFromFirstEverEntry`: the entries-read counter of an ID, or -1 when unknown. */
  estimateDistance(id: StreamId): bigint {
    if (this.entriesAdded === 0n) return 0n;
    const added = this.entriesAdded;
    const length = BigInt(this.length);
    if (this.length === 0 && id <= this.lastId) return added;
    if (id === this.lastId) return added;
    if (id > this.lastId) return INVALID_ENTRIES_READ;
    if (this.maxDeletedId === 0n || this.maxDeletedId < this.firstId) {
      if (id < this.firstId) return added - length;
      if (id === this.firstId) return added - length + 1n;
    }
    return INVALID_ENTRIES_READ;
  }

  /** A group's lag as XINFO reports it (`streamReplyWithCGLag`); null when it cannot be known. */
  lag(group: ConsumerGroup): bigint | null {
    if (this.entriesAdded === 0n) return 0n;
    const added = this.entriesAdded;
    if (group.entriesRead !== INVALID_ENTRIES_READ && !this.rangeHasTombstones(group.lastId, null)) {
      return added - group.entriesRead;
    }
    const read = this.estimateDistance(group.lastId);
    return read === INVALID_ENTRIES_READ ? null : added - read;
  }

  /** Counts a change in the number of PEL entries (memory estimate). */
  pelChanged(delta: number): void {
    this.pelCount += delta;
    this.resized();
  }
}

export function isStream(value: unknown): value is StreamValue {
  return value instanceof StreamValue;
}
