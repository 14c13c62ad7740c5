/**
 * Dataset digest: xxhash64 over a canonical form of a keyspace, so that a caught-up replica can be
 * proved equal to its primary (and a run to another run). The hasher is WebAssembly and loads
 * asynchronously: {@link loadDigest} (or `await cache.ready()`) once before the first digest.
 *
 * Canonical form, per live key in byte order of the key name: key, type tag, absolute expiry (or
 * none), then the value — a string's bytes; a list's elements in order; a hash's live fields in
 * byte order with value and field expiry; a set's members in byte order; a zset's members in byte
 * order with their score as IEEE-754 bytes. Every item is length-prefixed. Encodings are not part
 * of the digest (a replica may encode differently; its data is what must match).
 */
import type { SuggestionDictionary } from '../search/suggestions.js';
import xxhashInit from 'xxhash-wasm';
import type { Keyspace, StoredValue } from '../keyspace/keyspace.js';
import { RedisObject } from '../keyspace/keyspace.js';
import { stringifyJson, type JsonDocument } from '../keyspace/types/json.js';
import type { ScalingBloom } from '../keyspace/types/bloom.js';
import type { TimeSeries } from '../keyspace/types/timeseries.js';
import type { CuckooFilter } from '../keyspace/types/cuckoo.js';
import type { CountMinSketch } from '../keyspace/types/count-min-sketch.js';
import type { TDigest } from '../keyspace/types/tdigest.js';
import type { TopK } from '../keyspace/types/topk.js';

type Hasher = Awaited<ReturnType<typeof xxhashInit>>;
type Stream = ReturnType<Hasher['create64']>;

let hasher: Hasher | null = null;
let loading: Promise<void> | null = null;

/** Loads the xxhash64 WebAssembly module (once per process; later calls return the same promise). */
export function loadDigest(): Promise<void> {
  loading ??= xxhashInit().then((h) => {
    hasher = h;
  });
  return loading;
}

/** True once {@link loadDigest} has finished. */
export function digestReady(): boolean {
  return hasher !== null;
}

/** Writes length-prefixed items into the hash stream through a reusable buffer. */
class Writer {
  private buf = Buffer.allocUnsafe(1 << 16);
  private pos = 0;
  constructor(private readonly stream: Stream) {}

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
  }

  flush(): void {
    if (this.pos > 0) this.stream.update(this.buf.subarray(0, this.pos));
    this.pos = 0;
  }

  tag(byte: number): void {
    this.room(1);
    this.buf[this.pos++] = byte;
  }

  number(n: number): void {
    this.room(8);
    this.buf.writeDoubleLE(n, this.pos);
    this.pos += 8;
  }

  latin1(s: string): void {
    this.number(s.length);
    this.room(s.length);
    this.pos += this.buf.write(s, this.pos, 'latin1');
  }

  bytes(v: string | Buffer): void {
    if (typeof v === 'string') {
      const n = Buffer.byteLength(v, 'utf8');
      this.number(n);
      this.room(n);
      this.pos += this.buf.write(v, this.pos, 'utf8');
    } else {
      this.number(v.length);
      this.room(v.length);
      v.copy(this.buf, this.pos);
      this.pos += v.length;
    }
  }
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface HashLike {
  fields: Map<string, string | Buffer>;
  ttls: Map<string, number> | null;
}
interface ListLike {
  items: { toArray(): Array<string | Buffer> };
}
interface SetLike {
  members(): Iterable<string>;
}
interface ZSetLike {
  dict: Map<string, number>;
}
interface StreamLike {
  lastId: bigint;
  entriesAdded: bigint;
  maxDeletedId: bigint;
  range(start: bigint, end: bigint, count: number): Array<{ idText: string; fields: readonly string[] }>;
  groups: Map<
    string,
    {
      name: string;
      lastId: bigint;
      entriesRead: bigint;
      consumers: Map<string, unknown>;
      pel: { keys: readonly bigint[]; get(id: bigint): { consumer: { name: string } | null; deliveryCount: bigint | number } | undefined };
    }
  >;
}

function writeValue(w: Writer, value: StoredValue, now: number): void {
  if (!(value instanceof RedisObject)) {
    w.tag(0x73); // s
    w.bytes(value);
    return;
  }
  switch (value.type) {
    case 'list': {
      w.tag(0x6c);
      const items = (value as unknown as ListLike).items.toArray();
      w.number(items.length);
      for (const item of items) w.bytes(item);
      return;
    }
    case 'hash': {
      w.tag(0x68);
      const hash = value as unknown as HashLike;
      const fields: string[] = [];
      for (const field of hash.fields.keys()) {
        const when = hash.ttls?.get(field);
        if (when === undefined || when > now) fields.push(field);
      }
      fields.sort(byteOrder);
      w.number(fields.length);
      for (const field of fields) {
        w.latin1(field);
        w.bytes(hash.fields.get(field)!);
        w.number(hash.ttls?.get(field) ?? -1);
      }
      return;
    }
    case 'set': {
      w.tag(0x74);
      const members = Array.from((value as unknown as SetLike).members()).sort(byteOrder);
      w.number(members.length);
      for (const member of members) w.latin1(member);
      return;
    }
    case 'zset': {
      w.tag(0x7a);
      const dict = (value as unknown as ZSetLike).dict;
      const members = Array.from(dict.keys()).sort(byteOrder);
      w.number(members.length);
      for (const member of members) {
        w.latin1(member);
        w.number(dict.get(member)!);
      }
      return;
    }
    case 'stream': {
      // Entries in ID order, the stream's IDs and counters, and each group's position, consumers
      // and pending entries (owner, delivery count); times are left out, as for the other types.
      w.tag(0x78);
      const stream = value as unknown as StreamLike;
      w.latin1(`${stream.lastId} ${stream.entriesAdded} ${stream.maxDeletedId}`);
      const entries = stream.range(0n, (1n << 128n) - 1n, 0);
      w.number(entries.length);
      for (const entry of entries) {
        w.latin1(entry.idText);
        w.number(entry.fields.length);
        for (const field of entry.fields) w.latin1(field);
      }
      const groups = [...stream.groups.values()].sort((a, b) => byteOrder(a.name, b.name));
      w.number(groups.length);
      for (const group of groups) {
        w.latin1(`${group.name} ${group.lastId} ${group.entriesRead}`);
        const consumers = [...group.consumers.keys()].sort(byteOrder);
        w.number(consumers.length);
        for (const name of consumers) w.latin1(name);
        w.number(group.pel.keys.length);
        for (const id of group.pel.keys) {
          const nack = group.pel.get(id)!;
          w.latin1(`${id} ${nack.consumer?.name ?? ''} ${nack.deliveryCount}`);
        }
      }
      return;
    }
    case 'ReJSON-RL':
      // RedisJSON documents by their serialization (member order is part of the value).
      w.tag(0x6a);
      w.bytes(Buffer.from(stringifyJson((value as JsonDocument).root), 'utf8'));
      return;
    case 'MBbloom--': {
      // RedisBloom filters by their SCANDUMP header (parameters, counts) and bit arrays.
      const sb = value as ScalingBloom;
      w.tag(0x62);
      w.bytes(sb.encodeHeader());
      for (const link of sb.links) w.bytes(Buffer.from(link.bf));
      return;
    }
    case 'TSDB-TYPE': {
      // RedisTimeSeries series: samples, then the options and labels that are part of the value.
      const series = value as TimeSeries;
      w.tag(0x54);
      w.number(series.size);
      for (let i = 0; i < series.size; i++) w.latin1(`${series.timestamps[i]} ${series.values[i]}`);
      w.latin1(`${series.retention} ${series.duplicatePolicy ?? ''} ${series.srcKey ?? ''}`);
      w.number(series.labels.length);
      for (const [k, v] of series.labels) w.latin1(`${k}=${v}`);
      w.number(series.rules.length);
      for (const r of series.rules) w.latin1(`${r.dest} ${r.bucket} ${r.aggregator} ${r.align}`);
      return;
    }
    case 'MBbloomCF': {
      // Cuckoo filters by their SCANDUMP header and bucket arrays.
      const cf = value as CuckooFilter;
      w.tag(0x63);
      w.bytes(cf.encodeHeader());
      for (const sub of cf.filters) w.bytes(Buffer.from(sub.data));
      return;
    }
    case 'CMSk-TYPE': {
      // Count-Min sketches by their dimensions, total and counters.
      const cms = value as CountMinSketch;
      w.tag(0x6b);
      w.latin1(`${cms.width} ${cms.depth} ${cms.counter}`);
      w.bytes(Buffer.from(cms.cells.buffer, cms.cells.byteOffset, cms.cells.byteLength));
      return;
    }
    case 'TopK-TYPE': {
      // Top-K by its parameters, buckets and heap (in heap order, which later answers depend on).
      const topk = value as TopK;
      w.tag(0x4b);
      w.latin1(`${topk.k} ${topk.width} ${topk.depth} ${topk.decay}`);
      w.bytes(Buffer.from(topk.fps.buffer, topk.fps.byteOffset, topk.fps.byteLength));
      w.bytes(Buffer.from(topk.counts.buffer, topk.counts.byteOffset, topk.counts.byteLength));
      for (const e of topk.heap) {
        w.number(e.count);
        w.bytes(e.item ?? Buffer.alloc(0));
      }
      return;
    }
    case 'TDIS-TYPE': {
      // T-digests by what merging cannot change: reads merge the buffer on the primary only (as
      // in the module), so the centroids of a caught-up replica may differ while the data agrees.
      const td = value as TDigest;
      w.tag(0x64);
      w.latin1(`${td.compression} ${td.size()} ${td.min} ${td.max}`);
      return;
    }
    case 'trietype0': {
      // RediSearch suggestion dictionaries: each string with its score and payload, in string order.
      const dict = value as SuggestionDictionary;
      w.tag(0x74);
      const entries = [...dict.entries.values()].sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
      w.number(entries.length);
      for (const e of entries) w.latin1(`${e.text}\u0000${e.score}\u0000${e.payload ?? ''}`);
      return;
    }
    default:
      // A type without a canonical form yet: its type name and encoding stand in.
      w.tag(0x3f);
      w.latin1(value.type);
      w.latin1(value.encoding());
  }
}

/**
 * The xxhash64 digest of the live data of some keyspaces at time `now`, as 16 lowercase hex
 * digits. Keys are taken over all the keyspaces together, in byte order.
 */
export function digestKeyspaces(keyspaces: readonly Keyspace[], now: number): string {
  if (hasher === null) {
    throw new Error('the digest hasher is not loaded yet: await cache.ready() (or loadDigest()) first');
  }
  const stream = hasher.create64();
  const w = new Writer(stream);
  const entries: Array<[key: string, value: StoredValue, when: number | undefined]> = [];
  for (const ks of keyspaces) {
    for (const entry of ks.entries()) {
      const when = entry[2];
      if (when === undefined || when > now) entries.push(entry);
    }
  }
  entries.sort((a, b) => byteOrder(a[0], b[0]));
  w.number(entries.length);
  for (const [key, value, when] of entries) {
    w.latin1(key);
    w.number(when ?? -1);
    writeValue(w, value, now);
  }
  w.flush();
  return stream.digest().toString(16).padStart(16, '0');
}
