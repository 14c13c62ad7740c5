/**
 * List values: the elements in a `denque` (O(1) at both ends, O(1) indexed reads), plus a small
 * model of the layout Redis 7.4 would give the same list, so `OBJECT ENCODING` answers exactly:
 *
 * - `listpack` while the list is small: one listpack whose byte size is tracked entry by entry
 *   (Redis's entry encodings: small integers in 2..10 bytes, strings with a 1/2/5-byte header and
 *   a 1..5-byte back-length).
 * - `quicklist` once a write would take it past `list-max-listpack-size` (-2: 8 KB; a positive
 *   value: that many entries, and never above 8 KB). The quicklist is modelled node by node —
 *   the count and listpack byte size of each node, and `plain` nodes for single elements larger
 *   than a node may hold — with Redis's rules for where a push, an insert, a replace and a delete
 *   land (node full → new node; insert in a full node → split, then merge neighbours).
 * - back to `listpack` (Redis 7.2+) after a removal leaves one packed node under half the limit.
 *
 * Elements are kept as they arrived (`string` for UTF-8 text, `Buffer` for other bytes) and never
 * mutated; replies hand them out as they are.
 */
import Denque from 'denque';
import { byteLength, toBuffer, type Bytes } from '../bytes.js';
import { RedisObject, type StoredValue } from '../keyspace.js';
import { parseInt64 } from '../../protocol/numbers.js';
import type { Config, SettingDef } from '../../config.js';
import { allocSize, ROBJ } from '../memory.js';
import { intEntrySize, stringEntrySize } from '../rdb/listpack.js';

// --- listpack entry sizes -----------------------------------------------------------------------

/** Bytes of an empty listpack: 4-byte total length, 2-byte element count, 1-byte terminator. */
const LP_EMPTY = 7;

/** Size in bytes of one listpack entry holding `value` (header, data and back-length). */
export function entrySize(value: Bytes): number {
  return entrySizeOf(value, byteLength(value));
}

/** {@link entrySize} when the byte length of `value` is known (integer-looking values are stored as integers). */
function entrySizeOf(value: Bytes, len: number): number {
  if (len <= 20) {
    const n = parseInt64(value);
    if (n !== null) return intEntrySize(n);
  }
  return stringEntrySize(len);
}

// --- quicklist limits (quicklist.c) -------------------------------------------------------------

const SIZE_SAFETY_LIMIT = 8192;
const SIZE_ESTIMATE_OVERHEAD = 8;
const OPTIMIZATION_LEVEL = [4096, 8192, 16384, 32768, 65536];
/** A quicklist clamps its fill to -5 … 32767. */
const FILL_MAX = 32767;

/** Byte limit of a node for a negative fill. */
function negFillLimit(fill: number): number {
  return OPTIMIZATION_LEVEL[Math.min(-fill - 1, OPTIMIZATION_LEVEL.length - 1)];
}

/** `quicklistNodeExceedsLimit`: would a node of `sz` bytes and `count` entries be too big? */
function exceedsLimit(fill: number, sz: number, count: number): boolean {
  if (fill < 0) return sz > negFillLimit(fill);
  if (sz > SIZE_SAFETY_LIMIT) return true;
  return count > (fill === 0 ? 1 : fill);
}

/** Elements this large live alone in a `plain` node. */
function isLarge(len: number, fill: number): boolean {
  return fill >= 0 ? len > SIZE_SAFETY_LIMIT : len > negFillLimit(fill);
}

/** One quicklist node: a listpack of `count` entries and `sz` bytes, or one plain element. */
interface QuickNode {
  count: number;
  sz: number;
  plain: boolean;
}

function allowInsert(node: QuickNode | undefined, fill: number, len: number): boolean {
  if (node === undefined || node.plain || isLarge(len, fill)) return false;
  return !exceedsLimit(fill, node.sz + len + SIZE_ESTIMATE_OVERHEAD, node.count + 1);
}

function allowMerge(a: QuickNode | undefined, b: QuickNode | undefined, fill: number): boolean {
  if (a === undefined || b === undefined || a.plain || b.plain) return false;
  return !exceedsLimit(fill, a.sz + b.sz - LP_EMPTY, a.count + b.count);
}

function packedNode(count: number, sz: number): QuickNode {
  return { count, sz, plain: false };
}

// --- settings -----------------------------------------------------------------------------------

const fillSettings = new WeakMap<Config, SettingDef | null>();
let lastFillText = '-2';
let lastFill = -2;

/** The current `list-max-listpack-size` of a cache (read at write time, as Redis does). */
export function listFill(settings: Config): number {
  let def = fillSettings.get(settings);
  if (def === undefined) {
    def = settings.def('list-max-listpack-size') ?? null;
    fillSettings.set(settings, def);
  }
  if (def === null) return -2;
  const text = def.value;
  if (text !== lastFillText) {
    lastFillText = text;
    lastFill = Number(text);
  }
  return lastFill;
}

// --- equality -----------------------------------------------------------------------------------

/** A value to compare list elements with, in both representations. */
export class Needle {
  readonly text: string | null;
  readonly bytes: Buffer;
  constructor(value: Bytes) {
    this.text = typeof value === 'string' ? value : null;
    this.bytes = toBuffer(value);
  }
  matches(element: Bytes): boolean {
    if (typeof element === 'string') {
      if (this.text !== null) return element === this.text;
      return byteLength(element) === this.bytes.length && Buffer.from(element, 'utf8').equals(this.bytes);
    }
    return element.equals(this.bytes);
  }
}

// --- the value ----------------------------------------------------------------------------------

export class ListValue extends RedisObject {
  readonly type = 'list';
  /** The elements, head first. */
  readonly items: Denque<Bytes>;
  /** Quicklist nodes head first, or null while the list is a single listpack. */
  private nodes: QuickNode[] | null = null;
  /** Byte size of the listpack (listpack encoding only). */
  private lpBytes = LP_EMPTY;
  /** The fill the quicklist was created with (clamped as quicklistSetFill does). */
  private fill = -2;
  /** Listpack entry sizes of every element, summed (memory estimate of the quicklist encoding). */
  private itemBytes = 0;

  constructor(items?: Denque<Bytes>) {
    super();
    this.items = items ?? new Denque<Bytes>();
  }

  get length(): number {
    return this.items.length;
  }

  encoding(): string {
    return this.nodes === null ? 'listpack' : 'quicklist';
  }

  clone(): ListValue {
    const copy = new ListValue(new Denque(this.items.toArray()));
    copy.nodes = this.nodes === null ? null : this.nodes.map((n) => ({ ...n }));
    copy.lpBytes = this.lpBytes;
    copy.fill = this.fill;
    copy.itemBytes = this.itemBytes;
    return copy;
  }

  /**
   * The memory estimate, O(1): a listpack is one allocation of {@link listpackBytes}; a quicklist
   * is its header, a node and an empty listpack per node, and the elements' entries.
   */
  override memoryUsage(): number {
    if (this.nodes === null) return ROBJ + allocSize(this.lpBytes);
    return ROBJ + 48 + this.nodes.length * (32 + LP_EMPTY) + this.itemBytes;
  }

  /**
   * A list built from values in order, as SORT … STORE builds one: a quicklist filled from the
   * tail, then converted to a listpack when it fits in one node under the limit.
   */
  static fromValues(values: readonly Bytes[], fill: number): ListValue {
    const list = new ListValue(new Denque(values.slice()));
    list.nodes = [];
    list.fill = clampFill(fill);
    for (const v of values) {
      list.quickPush(v, false);
      list.itemBytes += entrySize(v);
    }
    list.tryShrink(fill, false);
    return list;
  }

  /**
   * A list as RESTORE loads one: the payload's quicklist nodes as they are (`plain` nodes hold one
   * element), then — unless `keepQuicklist` — a single small node becomes a listpack
   * (`listTypeTryConversion` after loading).
   */
  static fromNodes(nodes: ReadonlyArray<{ values: readonly Bytes[]; plain: boolean }>, fill: number, keepQuicklist = false): ListValue {
    const values: Bytes[] = [];
    for (const node of nodes) for (const v of node.values) values.push(v);
    const list = new ListValue(new Denque(values));
    list.nodes = [];
    list.fill = clampFill(fill);
    for (const node of nodes) {
      if (node.plain) {
        list.nodes.push({ count: 1, sz: byteLength(node.values[0]), plain: true });
        list.itemBytes += entrySize(node.values[0]);
        continue;
      }
      let sz = LP_EMPTY;
      for (const v of node.values) sz += entrySize(v);
      list.itemBytes += sz - LP_EMPTY;
      list.nodes.push(packedNode(node.values.length, sz));
    }
    if (!keepQuicklist) list.tryShrink(fill, false);
    return list;
  }

  /**
   * The elements node by node, head first, as DUMP writes them: one packed node for a listpack,
   * else each quicklist node's elements and whether it is a plain node.
   */
  *nodeContents(): IterableIterator<{ values: Bytes[]; plain: boolean }> {
    if (this.nodes === null) {
      yield { values: this.items.toArray(), plain: false };
      return;
    }
    let at = 0;
    for (const node of this.nodes) {
      const values: Bytes[] = [];
      for (let i = 0; i < node.count; i++) values.push(this.items.peekAt(at + i)!);
      at += node.count;
      yield { values, plain: node.plain };
    }
  }

  /**
   * The modelled layout, for tests and introspection: null for a listpack (see {@link listpackBytes}),
   * else a copy of the quicklist nodes head first.
   */
  layout(): Array<{ count: number; sz: number; plain: boolean }> | null {
    return this.nodes === null ? null : this.nodes.map((n) => ({ ...n }));
  }

  /** Bytes of the listpack (listpack encoding only). */
  get listpackBytes(): number {
    return this.lpBytes;
  }

  // --- conversions ------------------------------------------------------------------------------

  /**
   * `listTypeTryConversionAppend`: before adding `values` (or replacing with one of them), turn a
   * listpack into a quicklist when the raw bytes and count would exceed the limit.
   */
  prepareGrow(fill: number, values: readonly Bytes[], from = 0, to = values.length): void {
    if (this.nodes !== null) return;
    let addBytes = 0;
    for (let i = from; i < to; i++) addBytes += byteLength(values[i]);
    if (!exceedsLimit(fill, this.lpBytes + addBytes, this.items.length + (to - from))) return;
    this.toQuicklist(fill);
  }

  /** Like {@link prepareGrow} for one value. */
  prepareGrowOne(fill: number, value: Bytes): void {
    if (this.nodes !== null) return;
    if (!exceedsLimit(fill, this.lpBytes + byteLength(value), this.items.length + 1)) return;
    this.toQuicklist(fill);
  }

  private toQuicklist(fill: number): void {
    this.nodes = this.items.length > 0 ? [packedNode(this.items.length, this.lpBytes)] : [];
    this.fill = clampFill(fill);
    this.lpBytes = LP_EMPTY;
    this.resized();
  }

  /** After removals (`LIST_CONV_SHRINKING`): a single small packed node becomes a listpack again. */
  shrink(fill: number): void {
    if (this.nodes !== null) {
      this.tryShrink(fill, true);
      this.resized();
    }
  }

  private tryShrink(fill: number, shrinking: boolean): void {
    const nodes = this.nodes!;
    if (nodes.length !== 1 || nodes[0].plain) return;
    let szLimit = fill < 0 ? negFillLimit(fill) : Infinity;
    let countLimit = fill >= 0 ? (fill === 0 ? 1 : fill) : 4294967295;
    if (shrinking) {
      szLimit = Math.floor(szLimit / 2);
      countLimit = Math.floor(countLimit / 2);
    }
    if (nodes[0].sz > szLimit || this.items.length > countLimit) return;
    this.lpBytes = nodes[0].sz;
    this.nodes = null;
  }

  // --- ends -------------------------------------------------------------------------------------

  /** Adds one element at the head or the tail (call {@link prepareGrow} first). */
  push(value: Bytes, head: boolean): void {
    if (head) this.items.unshift(value);
    else this.items.push(value);
    const size = entrySize(value);
    this.itemBytes += size;
    if (this.nodes === null) this.lpBytes += size;
    else this.quickPush(value, head);
    this.resized();
  }

  private quickPush(value: Bytes, head: boolean): void {
    const nodes = this.nodes!;
    const len = byteLength(value);
    const fill = this.fill;
    if (isLarge(len, fill)) {
      const node: QuickNode = { count: 1, sz: len, plain: true };
      if (head) nodes.unshift(node);
      else nodes.push(node);
      return;
    }
    const end = head ? nodes[0] : nodes[nodes.length - 1];
    if (allowInsert(end, fill, len)) {
      end.count++;
      end.sz += entrySizeOf(value, len);
    } else {
      const node = packedNode(1, LP_EMPTY + entrySizeOf(value, len));
      if (head) nodes.unshift(node);
      else nodes.push(node);
    }
  }

  /** Removes and returns the element at the head or the tail (the list must not be empty). */
  pop(head: boolean): Bytes {
    const value = (head ? this.items.shift() : this.items.pop())!;
    const nodes = this.nodes;
    const size = entrySize(value);
    this.itemBytes -= size;
    if (nodes === null) {
      this.lpBytes -= size;
      this.resized();
      return value;
    }
    const at = head ? 0 : nodes.length - 1;
    const node = nodes[at];
    if (--node.count === 0) {
      if (head) nodes.shift();
      else nodes.pop();
    } else {
      node.sz -= size;
    }
    this.resized();
    return value;
  }

  /** Removes up to `count` elements from one end; returns them in the order they left. */
  popMany(head: boolean, count: number): Bytes[] {
    const n = Math.min(count, this.items.length);
    const out: Bytes[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = (head ? this.items.shift() : this.items.pop())!;
    for (let i = 0; i < n; i++) this.itemBytes -= entrySize(out[i]);
    this.dropEnd(head, out);
    this.resized();
    return out;
  }

  /** Accounts for `removed` (taken from one end, in order) in the layout model. */
  private dropEnd(head: boolean, removed: readonly Bytes[]): void {
    const nodes = this.nodes;
    if (nodes === null) {
      for (const v of removed) this.lpBytes -= entrySize(v);
      return;
    }
    let i = 0;
    while (i < removed.length) {
      const node = head ? nodes[0] : nodes[nodes.length - 1];
      const left = removed.length - i;
      if (left >= node.count) {
        i += node.count;
        if (head) nodes.shift();
        else nodes.pop();
      } else {
        node.count -= left;
        for (; i < removed.length; i++) node.sz -= entrySize(removed[i]);
      }
    }
  }

  /** LTRIM: drops `left` elements from the head and `right` from the tail. */
  trim(left: number, right: number): void {
    if (left > 0) this.popMany(true, left);
    if (right > 0) this.popMany(false, right);
  }

  // --- reads ------------------------------------------------------------------------------------

  /** The element at a 0-based index (must be in range). */
  at(index: number): Bytes {
    return this.items.peekAt(index)!;
  }

  /** Elements `start..end` inclusive (in range), reversed when asked. */
  range(start: number, end: number, reverse = false): Bytes[] {
    const n = end - start + 1;
    const out: Bytes[] = new Array(n);
    const items = this.items;
    if (reverse) for (let i = 0; i < n; i++) out[i] = items.peekAt(end - i)!;
    else for (let i = 0; i < n; i++) out[i] = items.peekAt(start + i)!;
    return out;
  }

  // --- middle -----------------------------------------------------------------------------------

  /** Node number and offset in it of the element at `index`. */
  private locate(index: number): { node: number; offset: number; start: number } {
    const nodes = this.nodes!;
    const size = this.items.length;
    if (index < size / 2) {
      let start = 0;
      for (let k = 0; k < nodes.length; k++) {
        if (index < start + nodes[k].count) return { node: k, offset: index - start, start };
        start += nodes[k].count;
      }
    } else {
      let start = size;
      for (let k = nodes.length - 1; k >= 0; k--) {
        start -= nodes[k].count;
        if (index >= start) return { node: k, offset: index - start, start };
      }
    }
    throw new Error(`list index ${index} out of the layout`);
  }

  /** Sum of entry sizes of the elements `from..to-1`. */
  private entriesSize(from: number, to: number): number {
    let sz = 0;
    for (let i = from; i < to; i++) sz += entrySize(this.items.peekAt(i)!);
    return sz;
  }

  /**
   * Splits node `k` (whose first element is at `start`) after (`after`) or before its element at
   * `offset`: the node keeps `[0, offset]` (after) or `[offset, end]` (before); returns the other part.
   */
  private split(k: number, start: number, offset: number, after: boolean): QuickNode {
    const node = this.nodes![k];
    const keepFrom = after ? 0 : offset;
    const keepTo = after ? offset + 1 : node.count;
    const keptSz = LP_EMPTY + this.entriesSize(start + keepFrom, start + keepTo);
    const other = packedNode(node.count - (keepTo - keepFrom), node.sz - keptSz + LP_EMPTY);
    node.count = keepTo - keepFrom;
    node.sz = keptSz;
    return other;
  }

  /** `_quicklistMergeNodes` around node `c`; returns the index of the node `c` ended up in. */
  private mergeAround(c: number): number {
    const nodes = this.nodes!;
    const fill = this.fill;
    const merge = (a: number): void => {
      // nodes[a] and nodes[a + 1] become one node at a.
      nodes[a].count += nodes[a + 1].count;
      nodes[a].sz += nodes[a + 1].sz - LP_EMPTY;
      nodes.splice(a + 1, 1);
    };
    if (c >= 2 && allowMerge(nodes[c - 1], nodes[c - 2], fill)) {
      merge(c - 2);
      c--;
    }
    if (c + 2 < nodes.length && allowMerge(nodes[c + 1], nodes[c + 2], fill)) merge(c + 1);
    if (c >= 1 && allowMerge(nodes[c], nodes[c - 1], fill)) {
      merge(c - 1);
      c--;
    }
    if (c + 1 < nodes.length && allowMerge(nodes[c], nodes[c + 1], fill)) merge(c);
    return c;
  }

  /**
   * LINSERT: puts `value` after or before the element at `index` (call {@link prepareGrowOne}
   * first).
   */
  insertAt(index: number, value: Bytes, after: boolean): void {
    const size = entrySize(value);
    this.itemBytes += size;
    if (this.nodes === null) {
      this.lpBytes += size;
    } else {
      this.quickInsert(index, value, after);
    }
    this.items.splice(after ? index + 1 : index, 0, value);
    this.resized();
  }

  private quickInsert(index: number, value: Bytes, after: boolean): void {
    const nodes = this.nodes!;
    const fill = this.fill;
    const len = byteLength(value);
    const { node: k, offset, start } = this.locate(index);
    const node = nodes[k];
    const full = !allowInsert(node, fill, len);
    const atTail = after && offset === node.count - 1;
    const atHead = !after && offset === 0;
    const availNext = atTail && allowInsert(nodes[k + 1], fill, len);
    const availPrev = atHead && allowInsert(nodes[k - 1], fill, len);
    if (isLarge(len, fill)) {
      const plain: QuickNode = { count: 1, sz: len, plain: true };
      if (node.plain || atTail || atHead) {
        nodes.splice(after ? k + 1 : k, 0, plain);
      } else {
        const other = this.split(k, start, offset, after);
        if (after) nodes.splice(k + 1, 0, plain, other);
        else nodes.splice(k, 0, other, plain);
      }
      return;
    }
    const size = entrySize(value);
    if (!full) {
      node.count++;
      node.sz += size;
    } else if (atTail && availNext) {
      nodes[k + 1].count++;
      nodes[k + 1].sz += size;
    } else if (atHead && availPrev) {
      nodes[k - 1].count++;
      nodes[k - 1].sz += size;
    } else if (atTail || atHead) {
      nodes.splice(after ? k + 1 : k, 0, packedNode(1, LP_EMPTY + size));
    } else {
      const other = this.split(k, start, offset, after);
      other.count++;
      other.sz += size;
      let center = k;
      if (after) nodes.splice(k + 1, 0, other);
      else {
        nodes.splice(k, 0, other);
        center = k + 1;
      }
      this.mergeAround(center);
    }
  }

  /** LSET: replaces the element at `index` (in range; call {@link prepareGrowOne} first). */
  setAt(index: number, value: Bytes): void {
    const old = this.items.peekAt(index)!;
    this.itemBytes += entrySize(value) - entrySize(old);
    if (this.nodes !== null) this.quickReplace(index, old, value);
    else this.lpBytes += entrySize(value) - entrySize(old);
    // Denque has no indexed write: splice the one element.
    this.items.splice(index, 1, value);
    this.resized();
  }

  private quickReplace(index: number, old: Bytes, value: Bytes): void {
    const nodes = this.nodes!;
    const fill = this.fill;
    const len = byteLength(value);
    const { node: k, offset, start } = this.locate(index);
    const node = nodes[k];
    if (!node.plain && !isLarge(len, fill)) {
      node.sz += entrySize(value) - entrySize(old);
      return;
    }
    if (node.plain) {
      if (isLarge(len, fill)) {
        node.sz = len;
        return;
      }
      // Insert after the plain element, then drop the plain node.
      this.quickInsert(index, value, true);
      nodes.splice(nodes.indexOf(node), 1);
      return;
    }
    // A large value in a packed node: cut the node after the element, give the value a plain node
    // of its own, then delete the old element from the end of the first part.
    const parts: QuickNode[] = [{ count: 1, sz: len, plain: true }];
    if (offset !== node.count - 1) parts.push(this.split(k, start, offset, true));
    nodes.splice(k + 1, 0, ...parts);
    if (node.count === 1) {
      nodes.splice(k, 1);
    } else {
      node.count--;
      node.sz -= entrySize(old);
      this.mergeAround(k + 1);
    }
  }

  /**
   * LREM: removes up to `limit` elements equal to `needle` (all when 0), scanning from the head,
   * or from the tail when `fromTail`. Returns how many were removed.
   */
  removeMatching(needle: Needle, limit: number, fromTail: boolean): number {
    const items = this.items;
    const size = items.length;
    const hits: number[] = [];
    for (let j = 0; j < size; j++) {
      const i = fromTail ? size - 1 - j : j;
      if (needle.matches(items.peekAt(i)!)) {
        hits.push(i);
        if (limit !== 0 && hits.length === limit) break;
      }
    }
    if (hits.length === 0) return 0;
    for (const i of hits) this.itemBytes -= entrySize(items.peekAt(i)!);
    // Layout: each removal shrinks its node; emptied nodes go (no merging, as quicklistDelIndex).
    if (this.nodes === null) {
      for (const i of hits) this.lpBytes -= entrySize(items.peekAt(i)!);
    } else {
      const nodes = this.nodes;
      const ascending = fromTail ? hits.slice().reverse() : hits;
      let k = 0;
      let end = nodes[0].count; // original index just past node k (counts read before any change)
      for (const i of ascending) {
        while (i >= end) end += nodes[++k].count;
        const node = nodes[k];
        node.count--;
        if (!node.plain) node.sz -= entrySize(items.peekAt(i)!);
      }
      this.nodes = nodes.filter((n) => n.count > 0);
    }
    if (hits.length === size) {
      items.clear();
    } else if (hits.length <= 8) {
      const order = fromTail ? hits : hits.slice().reverse();
      for (const i of order) items.removeOne(i);
    } else {
      const kept: Bytes[] = [];
      const gone = new Set(hits);
      for (let i = 0; i < size; i++) if (!gone.has(i)) kept.push(items.peekAt(i)!);
      items.clear();
      for (const v of kept) items.push(v);
    }
    this.resized();
    return hits.length;
  }
}

function clampFill(fill: number): number {
  return fill > FILL_MAX ? FILL_MAX : fill < -5 ? -5 : fill;
}

/** True when a stored value is a list. */
export function isList(value: StoredValue): value is ListValue {
  return value instanceof ListValue;
}
