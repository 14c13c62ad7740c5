/**
 * The CRDT layer of an active geo-replication member (docs/geo-replication.md): per key, the
 * metadata that lets concurrent writes made in different regions merge to the same value
 * wherever they are applied, in any order.
 *
 * The shape follows Redis Enterprise's Active-Active rules (azure-facts.md §6.2):
 * - every write mints **stamps** `(time, counter, origin, seq, idx)`: a hybrid logical clock (the
 *   clock's time, and a counter so a write made after seeing another in the same millisecond
 *   sorts after it), the member that made it, its batch number there and its place in the batch.
 *   `origin.seq.idx` is the write's **tag**, unique in the group;
 * - removals are **observed-removes**: they name the tags (and, for counters, the increments per
 *   origin up to a batch number) they saw; what they did not see survives (add wins). A removal
 *   that arrives before the write it saw leaves a tombstone that the write consumes on arrival;
 * - **registers** (a string, a hash field, a sorted-set score, a whole stream or JSON document)
 *   keep the assignments no one has overwritten yet — the one with the greatest stamp wins (LWW) —
 *   and the increments (INCRBY, HINCRBYFLOAT, ZINCRBY …) made since, which add up;
 * - sets are OR-Sets (a tag per add), lists keep each element under a dense position identifier
 *   that sorts the same everywhere, expiry is a register whose concurrent values resolve to the
 *   longest TTL, PERSIST beating every EXPIRE.
 *
 * Local writes are captured by difference: after a command ran, the key's value in the keyspace is
 * compared with the value the CRDT state describes (which it equalled before the command), and the
 * operations that turn one into the other are minted. So every command, including those with no
 * effect list of their own (SORT … STORE, SINTERSTORE, RESTORE …), replicates with the same rules.
 */
import { bytesEqual, keyName, type Bytes } from '../keyspace/bytes.js';
import { RedisObject, type StoredValue } from '../keyspace/keyspace.js';
import { SetValue } from '../keyspace/types/set.js';
import { RedisHash } from '../keyspace/types/hash.js';
import { ZSet } from '../keyspace/types/zset.js';
import { ListValue } from '../keyspace/types/list.js';
import { addLongDouble, formatLongDoubleHuman, fromInteger, parseLongDouble, type LongDouble } from '../keyspace/types/long-double.js';

// ------------------------------------------------------------------------------------- stamps

/** When and where a write was made; compares as a tuple in this order. */
export interface Stamp {
  /** The hybrid logical clock's time: the shared clock's ms, or a later one already seen. */
  readonly time: number;
  /** The hybrid logical clock's counter within {@link time}. */
  readonly count: number;
  readonly origin: number;
  readonly seq: number;
  readonly idx: number;
}

/**
 * Total order of stamps (the greater wins): time, then the hybrid-logical-clock counter (a write
 * made in the same millisecond after seeing another sorts after it), then the member — the
 * **smaller** member index winning a true tie, as Redis Enterprise's documented example of two
 * ZADDs at the exact same time shows instance 1 winning — then batch and index.
 */
export function compareStamps(a: Stamp, b: Stamp): number {
  return a.time - b.time || a.count - b.count || b.origin - a.origin || a.seq - b.seq || a.idx - b.idx;
}

/** The unique tag of a write: `origin.seq.idx`. */
export function tagOf(s: Stamp): string {
  return `${s.origin}.${s.seq}.${s.idx}`;
}

function tagOrigin(tag: string): [origin: number, seq: number] {
  const dot = tag.indexOf('.');
  return [Number(tag.slice(0, dot)), Number(tag.slice(dot + 1, tag.indexOf('.', dot + 1)))];
}

function maxStamp(a: Stamp | null, b: Stamp | null): Stamp | null {
  if (a === null) return b;
  if (b === null) return a;
  return compareStamps(a, b) >= 0 ? a : b;
}

// ------------------------------------------------------------------------------------- registers

/** A number a counter adds: extended precision for strings and hash fields, a double for scores. */
export type Delta = LongDouble | number;

interface Assignment {
  readonly stamp: Stamp;
  readonly value: Bytes | number | RedisObject;
  /** Hash fields: the field's absolute expiry time (HEXPIRE …), when it has one. */
  readonly at?: number;
}

interface Increment {
  readonly stamp: Stamp;
  readonly delta: Delta;
}

/** What an observed-remove of a register names: the assignments' tags, and per origin the last batch of increments seen. */
export interface Removal {
  readonly tags: readonly string[];
  readonly cuts: readonly (readonly [origin: number, seq: number])[];
}

const NOTHING: Removal = { tags: [], cuts: [] };

/**
 * A last-write-wins register that also counts: the live assignments (one per origin at most, as
 * each new one removes those it saw) and the increments made since, per origin in batch order.
 */
export class Register {
  readonly assignments = new Map<string, Assignment>();
  /** Origin → its increments in batch order, and their sum folded in that order. */
  increments: Map<number, { list: Increment[]; sum: Delta }> | null = null;
  /** Origin → increments up to this batch were removed, and some of them have not arrived yet. */
  cuts: Map<number, number> | null = null;

  get live(): boolean {
    return this.assignments.size !== 0 || (this.increments !== null && this.increments.size !== 0);
  }

  /** True while the register must be kept although dead (a cut waits for increments in flight). */
  get pending(): boolean {
    return this.cuts !== null && this.cuts.size !== 0;
  }

  /** The winning assignment (greatest stamp). */
  winner(): Assignment | undefined {
    let best: Assignment | undefined;
    for (const a of this.assignments.values()) if (best === undefined || compareStamps(a.stamp, best.stamp) > 0) best = a;
    return best;
  }

  /** The greatest stamp among live parts. */
  top(): Stamp | null {
    let top: Stamp | null = this.winner()?.stamp ?? null;
    if (this.increments !== null) for (const { list } of this.increments.values()) top = maxStamp(top, list[list.length - 1].stamp);
    return top;
  }

  /** What an observed-remove of everything here names. */
  observed(): Removal {
    const tags = Array.from(this.assignments.keys());
    const cuts: [number, number][] = [];
    if (this.increments !== null) for (const [origin, { list }] of this.increments) cuts.push([origin, list[list.length - 1].stamp.seq]);
    return tags.length === 0 && cuts.length === 0 ? NOTHING : { tags, cuts };
  }

  /** The counters' total over origins in member order (the same fold on every member), or null without increments. */
  incrementTotal(): Delta | null {
    if (this.increments === null || this.increments.size === 0) return null;
    const origins = Array.from(this.increments.keys()).sort((a, b) => a - b);
    let total: Delta | null = null;
    for (const origin of origins) total = total === null ? this.increments.get(origin)!.sum : addDelta(total, this.increments.get(origin)!.sum);
    return total;
  }
}

/** An origin's increments of one register are folded once there are more than this many. */
const COMPACT_ABOVE = 32;

/**
 * Folds the increments up to batch `stable` into one entry (the last one's stamp). A removal
 * names, per origin, the last increment it saw; none can fall between folded entries, since every
 * removal made or still to come saw them all. The fold is the same left fold the sum is, so the
 * value does not change.
 */
function compact(list: Increment[], stable: number): void {
  let k = 0;
  while (k < list.length && list[k].stamp.seq <= stable) k++;
  if (k < 2) return;
  let delta = list[0].delta;
  for (let i = 1; i < k; i++) delta = addDelta(delta, list[i].delta);
  list.splice(0, k, { stamp: list[k - 1].stamp, delta });
}

function addDelta(a: Delta, b: Delta): Delta {
  if (typeof a === 'number') return a + (b as number);
  // A sum out of range stays at its last value (Redis refused the increment that overflowed).
  return addLongDouble(a, b as LongDouble) ?? a;
}

/** A string counter's text: the winning assignment read as a number (0 when it is not one) plus the increments. */
function counterText(register: Register): Bytes {
  const total = register.incrementTotal() as LongDouble;
  const base = register.winner()?.value as Bytes | undefined;
  const parsed = base === undefined ? null : parseLongDouble(base);
  return formatLongDoubleHuman(parsed === null ? total : (addLongDouble(parsed, total) ?? parsed));
}

/** A sorted-set score: the winning assignment plus the ZINCRBY increments. */
function scoreOf(register: Register): number {
  const base = (register.winner()?.value as number | undefined) ?? 0;
  const total = register.incrementTotal();
  return total === null ? base : base + (total as number);
}

// ------------------------------------------------------------------------------------- lists

/** A list element: a dense position identifier (unique: it ends with the tag's numbers), its tag and value. */
export interface ListElement {
  readonly id: readonly number[];
  readonly stamp: Stamp;
  readonly value: Bytes;
}

/** Lexicographic order of identifiers, a prefix first. */
export function compareIds(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/**
 * An identifier strictly between `a` and `b` (null: the list's ends), ending with the unique
 * `suffix`, so that two members inserting at the same place never mint the same one. Pushes at the
 * ends stay one number long plus the suffix.
 */
export function idBetween(a: readonly number[] | null, b: readonly number[] | null, suffix: readonly number[]): number[] {
  if (a === null && b === null) return [0, ...suffix];
  if (a === null) return [b![0] - 1, ...suffix];
  if (b === null) return [a[0] + 1, ...suffix];
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  if (i === a.length) return [...a, b[i] - 1, ...suffix];
  if (b[i] - a[i] >= 2) return [...a.slice(0, i), a[i] + 1, ...suffix];
  return [...a.slice(0, i + 1), i + 1 < a.length ? a[i + 1] + 1 : 0, ...suffix];
}

function insertSorted(list: ListElement[], element: ListElement): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareIds(list[mid].id, element.id) < 0) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, element);
}

// ------------------------------------------------------------------------------------- keys

/** The data types the merge rules know; `object` (streams, JSON documents) is a whole-value register. */
export type Kind = 'string' | 'set' | 'hash' | 'zset' | 'list' | 'object';

/** The CRDT state of one key: a part per data type written to it (concurrent writes may disagree on the type) and its expiry. */
export class KeyState {
  string: Register | null = null;
  object: Register | null = null;
  /** Member → tag → stamp (OR-Set). */
  set: Map<string, Map<string, Stamp>> | null = null;
  hash: Map<string, Register> | null = null;
  zset: Map<string, Register> | null = null;
  /** Elements in identifier order. */
  list: ListElement[] | null = null;
  /** Expiry assignments: tag → absolute time (Infinity: PERSIST). The greatest live one wins. */
  expiry: Map<string, { stamp: Stamp; at: number }> | null = null;

  /** The type whose data the key shows: the live one, or among several the one written last. */
  kind(): Kind | null {
    let kind: Kind | null = null;
    let count = 0;
    for (const k of KINDS) {
      if (this.isLive(k)) {
        kind = k;
        count++;
      }
    }
    if (count <= 1) return kind;
    let best: Stamp | null = null;
    for (const k of KINDS) {
      if (!this.isLive(k)) continue;
      const top = this.topOf(k);
      if (best === null || (top !== null && compareStamps(top, best) > 0)) {
        best = top;
        kind = k;
      }
    }
    return kind;
  }

  isLive(kind: Kind): boolean {
    switch (kind) {
      case 'string':
        return this.string !== null && this.string.live;
      case 'object':
        return this.object !== null && this.object.live;
      case 'set':
        return this.set !== null && this.set.size !== 0;
      case 'list':
        return this.list !== null && this.list.length !== 0;
      case 'hash':
        return liveRegisters(this.hash);
      case 'zset':
        return liveRegisters(this.zset);
    }
  }

  private topOf(kind: Kind): Stamp | null {
    let top: Stamp | null = null;
    switch (kind) {
      case 'string':
        return this.string!.top();
      case 'object':
        return this.object!.top();
      case 'set':
        for (const tags of this.set!.values()) for (const s of tags.values()) top = maxStamp(top, s);
        return top;
      case 'list':
        for (const e of this.list!) top = maxStamp(top, e.stamp);
        return top;
      case 'hash':
      case 'zset':
        for (const r of (kind === 'hash' ? this.hash : this.zset)!.values()) if (r.live) top = maxStamp(top, r.top());
        return top;
    }
  }

  /** The expiry time the key shows (Infinity: none). */
  expiresAt(): number {
    if (this.expiry === null || this.expiry.size === 0) return Infinity;
    let at = -Infinity;
    for (const e of this.expiry.values()) if (e.at > at) at = e.at;
    return at;
  }

  /** True when nothing here is live or waiting: the state can be forgotten. */
  get empty(): boolean {
    if (KINDS.some((k) => this.isLive(k))) return false;
    if (this.string?.pending || this.object?.pending) return false;
    for (const map of [this.hash, this.zset]) if (map !== null) for (const r of map.values()) if (r.pending) return false;
    // An expiry written concurrently with the key's removal survives it, and must apply to a
    // concurrent write arriving later: the state stays until it is removed too.
    return this.expiry === null || this.expiry.size === 0;
  }

  /** A deep copy (a region resyncing from a peer); values are immutable and shared. */
  clone(): KeyState {
    const copy = new KeyState();
    copy.string = cloneRegister(this.string);
    copy.object = cloneRegister(this.object);
    if (this.set !== null) copy.set = new Map(Array.from(this.set, ([m, tags]) => [m, new Map(tags)]));
    if (this.hash !== null) copy.hash = new Map(Array.from(this.hash, ([f, r]) => [f, cloneRegister(r)!]));
    if (this.zset !== null) copy.zset = new Map(Array.from(this.zset, ([m, r]) => [m, cloneRegister(r)!]));
    if (this.list !== null) copy.list = this.list.slice();
    if (this.expiry !== null) copy.expiry = new Map(this.expiry);
    return copy;
  }
}

const KINDS: readonly Kind[] = ['string', 'set', 'hash', 'zset', 'list', 'object'];

function liveRegisters(map: Map<string, Register> | null): boolean {
  if (map === null) return false;
  for (const r of map.values()) if (r.live) return true;
  return false;
}

function cloneRegister(r: Register | null): Register | null {
  if (r === null) return null;
  const copy = new Register();
  for (const [tag, a] of r.assignments) copy.assignments.set(tag, a);
  if (r.increments !== null) copy.increments = new Map(Array.from(r.increments, ([o, v]) => [o, { list: v.list.slice(), sum: v.sum }]));
  if (r.cuts !== null) copy.cuts = new Map(r.cuts);
  return copy;
}

// ------------------------------------------------------------------------------------- operations

/** A register's address in a key: the string, a hash field, a sorted-set member, or the whole object. */
export interface RegisterAddress {
  readonly kind: 'string' | 'object' | 'hash' | 'zset';
  /** Hash field or sorted-set member; null for `string` and `object`. */
  readonly field: string | null;
}

/** One replicated operation on one key. Plain data: values are immutable (objects are snapshots). */
export type Op =
  | (RegisterAddress & { readonly op: 'assign'; readonly key: string; readonly stamp: Stamp; readonly value: Bytes | number | RedisObject; readonly at?: number; readonly removal: Removal })
  | (RegisterAddress & { readonly op: 'incr'; readonly key: string; readonly stamp: Stamp; readonly delta: Delta })
  | (RegisterAddress & { readonly op: 'unset'; readonly key: string; readonly removal: Removal })
  | { readonly op: 'sadd'; readonly key: string; readonly member: string; readonly stamp: Stamp }
  | { readonly op: 'srem'; readonly key: string; readonly member: string; readonly tags: readonly string[] }
  | { readonly op: 'linsert'; readonly key: string; readonly element: ListElement }
  | { readonly op: 'lrem'; readonly key: string; readonly tags: readonly string[] }
  | { readonly op: 'expire'; readonly key: string; readonly stamp: Stamp; readonly at: number; readonly tags: readonly string[] }
  | { readonly op: 'noexpire'; readonly key: string; readonly tags: readonly string[] };

/** A member's CRDT state: the keys, what it has applied from each origin, and tombstones waiting for their writes. */
export class CrdtState {
  readonly keys = new Map<string, KeyState>();
  /** Origin → the last batch applied from it (batches from one origin arrive in order). */
  applied: number[];
  /** Tags removed before their write arrived (consumed when it does). */
  readonly tombstones = new Set<string>();
  /** Keys holding a register cut that waits for increments still in flight. */
  readonly waiting = new Set<string>();
  /**
   * The last batch of `origin` that every member has applied and that no removal still in flight
   * was made without (set by the group): increments up to it can be folded into one entry.
   */
  stable: ((origin: number) => number) | null = null;
  /** Hybrid logical clock: the latest time seen, and the counter within it. */
  hlcTime = 0;
  hlcCount = 0;

  constructor(members: number) {
    this.applied = new Array<number>(members).fill(0);
  }

  /** True when this member has applied the batch a tag was made in. */
  seen(tag: string): boolean {
    const [origin, seq] = tagOrigin(tag);
    return this.applied[origin] >= seq;
  }

  /** Applies one operation (local or remote). */
  apply(op: Op): void {
    let state = this.keys.get(op.key);
    if (state === undefined) this.keys.set(op.key, (state = new KeyState()));
    switch (op.op) {
      case 'assign': {
        const reg = this.register(state, op);
        this.removeFrom(reg, op.removal, op.key);
        if (!this.tombstones.delete(tagOf(op.stamp))) reg.assignments.set(tagOf(op.stamp), { stamp: op.stamp, value: op.value, at: op.at });
        break;
      }
      case 'incr': {
        const reg = this.register(state, op);
        const origin = op.stamp.origin;
        const cut = reg.cuts?.get(origin);
        if (cut !== undefined && op.stamp.seq <= cut) break;
        reg.increments ??= new Map();
        const mine = reg.increments.get(origin);
        if (mine === undefined) reg.increments.set(origin, { list: [{ stamp: op.stamp, delta: op.delta }], sum: op.delta });
        else {
          mine.list.push({ stamp: op.stamp, delta: op.delta });
          mine.sum = addDelta(mine.sum, op.delta);
          if (mine.list.length > COMPACT_ABOVE && this.stable !== null) compact(mine.list, this.stable(origin));
        }
        break;
      }
      case 'unset':
        this.removeFrom(this.register(state, op), op.removal, op.key);
        break;
      case 'sadd': {
        const tag = tagOf(op.stamp);
        if (this.tombstones.delete(tag)) break;
        state.set ??= new Map();
        let tags = state.set.get(op.member);
        if (tags === undefined) state.set.set(op.member, (tags = new Map()));
        tags.set(tag, op.stamp);
        break;
      }
      case 'srem': {
        const tags = state.set?.get(op.member);
        for (const tag of op.tags) if (!tags?.delete(tag) && !this.seen(tag)) this.tombstones.add(tag);
        if (tags !== undefined && tags.size === 0) state.set!.delete(op.member);
        break;
      }
      case 'linsert':
        if (this.tombstones.delete(tagOf(op.element.stamp))) break;
        insertSorted((state.list ??= []), op.element);
        break;
      case 'lrem': {
        const remove = new Set(op.tags);
        const list = state.list ?? [];
        const kept = list.filter((e) => !remove.delete(tagOf(e.stamp)));
        state.list = kept;
        for (const tag of remove) if (!this.seen(tag)) this.tombstones.add(tag);
        break;
      }
      case 'expire':
      case 'noexpire': {
        state.expiry ??= new Map();
        for (const tag of op.tags) if (!state.expiry.delete(tag) && !this.seen(tag)) this.tombstones.add(tag);
        if (op.op === 'expire' && !this.tombstones.delete(tagOf(op.stamp))) state.expiry.set(tagOf(op.stamp), { stamp: op.stamp, at: op.at });
        break;
      }
    }
  }

  /** The register an operation addresses (made when missing). */
  private register(state: KeyState, address: RegisterAddress): Register {
    switch (address.kind) {
      case 'string':
        return (state.string ??= new Register());
      case 'object':
        return (state.object ??= new Register());
      case 'hash':
      case 'zset': {
        const map = address.kind === 'hash' ? (state.hash ??= new Map()) : (state.zset ??= new Map());
        let reg = map.get(address.field!);
        if (reg === undefined) map.set(address.field!, (reg = new Register()));
        return reg;
      }
    }
  }

  private removeFrom(reg: Register, removal: Removal, key: string): void {
    for (const tag of removal.tags) if (!reg.assignments.delete(tag) && !this.seen(tag)) this.tombstones.add(tag);
    for (const [origin, seq] of removal.cuts) {
      const mine = reg.increments?.get(origin);
      if (mine !== undefined) {
        const kept = mine.list.filter((i) => i.stamp.seq > seq);
        if (kept.length === 0) reg.increments!.delete(origin);
        else if (kept.length !== mine.list.length) {
          let sum = kept[0].delta;
          for (let i = 1; i < kept.length; i++) sum = addDelta(sum, kept[i].delta);
          reg.increments!.set(origin, { list: kept, sum });
        }
      }
      // Increments up to `seq` that have not arrived yet must not count when they do.
      if (this.applied[origin] < seq) {
        reg.cuts ??= new Map();
        reg.cuts.set(origin, Math.max(reg.cuts.get(origin) ?? 0, seq));
        this.waiting.add(key);
      }
    }
  }

  /**
   * Forgets what is no longer needed after a batch: cuts whose increments have all arrived, dead
   * registers and members, keys with nothing live or waiting.
   */
  collect(key: string): void {
    const state = this.keys.get(key);
    if (state === undefined) return;
    let waits = false;
    const sweep = (reg: Register | null): Register | null => {
      if (reg === null) return null;
      if (reg.cuts !== null) {
        for (const [origin, seq] of reg.cuts) if (this.applied[origin] >= seq) reg.cuts.delete(origin);
        if (reg.cuts.size === 0) reg.cuts = null;
        else waits = true;
      }
      return reg.live || reg.pending ? reg : null;
    };
    state.string = sweep(state.string);
    state.object = sweep(state.object);
    for (const map of [state.hash, state.zset]) {
      if (map === null) continue;
      for (const [field, reg] of map) if (sweep(reg) === null) map.delete(field);
    }
    if (state.hash?.size === 0) state.hash = null;
    if (state.zset?.size === 0) state.zset = null;
    if (state.set?.size === 0) state.set = null;
    if (state.list?.length === 0) state.list = null;
    if (state.expiry?.size === 0) state.expiry = null;
    if (!waits) this.waiting.delete(key);
    if (state.empty) this.keys.delete(key);
  }

  /** A deep copy (a recovering region takes a peer's state). */
  clone(): CrdtState {
    const copy = new CrdtState(this.applied.length);
    copy.applied = this.applied.slice();
    for (const [key, state] of this.keys) copy.keys.set(key, state.clone());
    for (const tag of this.tombstones) copy.tombstones.add(tag);
    for (const key of this.waiting) copy.waiting.add(key);
    copy.stable = this.stable;
    copy.hlcTime = this.hlcTime;
    copy.hlcCount = this.hlcCount;
    return copy;
  }

  /** The clock reading for a local write at `now` (`[time, counter]`); the state moves to it. */
  tick(now: number): [number, number] {
    if (now > this.hlcTime) {
      this.hlcTime = now;
      this.hlcCount = 0;
    } else this.hlcCount++;
    return [this.hlcTime, this.hlcCount];
  }

  /** Takes in a peer's clock reading (a batch applied here). */
  observe(time: number, count: number): void {
    if (time > this.hlcTime) {
      this.hlcTime = time;
      this.hlcCount = count;
    } else if (time === this.hlcTime && count > this.hlcCount) this.hlcCount = count;
  }

  /** Metadata waiting to be collected: tombstones and register cuts (INFO crdt's `crdt_gc_pending`). */
  get gcPending(): number {
    return this.tombstones.size + this.waiting.size;
  }
}

// ------------------------------------------------------------------------------------- materialising

/** The value a key shows, as the state describes it. */
export type Target =
  | { readonly kind: 'string'; readonly value: Bytes; readonly at: number }
  | { readonly kind: 'set'; readonly members: string[]; readonly at: number }
  | { readonly kind: 'hash'; readonly fields: [field: string, value: Bytes, at: number | undefined][]; readonly at: number }
  | { readonly kind: 'zset'; readonly pairs: [member: string, score: number][]; readonly at: number }
  | { readonly kind: 'list'; readonly values: Bytes[]; readonly at: number }
  | { readonly kind: 'object'; readonly value: RedisObject; readonly at: number };

/** What `state` shows at `now`: null when nothing is live or its expiry has passed. */
export function materialize(state: KeyState | undefined, now: number): Target | null {
  if (state === undefined) return null;
  const kind = state.kind();
  if (kind === null) return null;
  const at = state.expiresAt();
  if (at <= now) return null;
  switch (kind) {
    case 'string':
      return { kind, value: stringValue(state.string!), at };
    case 'object':
      return { kind, value: state.object!.winner()!.value as RedisObject, at };
    case 'set':
      return { kind, members: Array.from(state.set!.keys()), at };
    case 'list':
      return { kind, values: state.list!.map((e) => e.value), at };
    case 'hash': {
      const fields: [string, Bytes, number | undefined][] = [];
      for (const [field, reg] of state.hash!) {
        if (!reg.live) continue;
        const w = reg.winner();
        fields.push([field, reg.increments !== null && reg.increments.size !== 0 ? counterText(reg) : (w!.value as Bytes), w?.at]);
      }
      return { kind, fields, at };
    }
    case 'zset': {
      const pairs: [string, number][] = [];
      for (const [member, reg] of state.zset!) if (reg.live) pairs.push([member, scoreOf(reg)]);
      return { kind, pairs, at };
    }
  }
}

function stringValue(reg: Register): Bytes {
  return reg.increments !== null && reg.increments.size !== 0 ? counterText(reg) : (reg.winner()!.value as Bytes);
}

// ------------------------------------------------------------------------------------- capturing local writes

/** The kind of a stored value. */
export function kindOf(value: StoredValue): Kind {
  if (!(value instanceof RedisObject)) return 'string';
  if (value instanceof SetValue) return 'set';
  if (value instanceof RedisHash) return 'hash';
  if (value instanceof ZSet) return 'zset';
  if (value instanceof ListValue) return 'list';
  return 'object';
}

/** What a command did to one key, as the capture needs it. */
export interface KeyChange {
  readonly key: string;
  /** The value after the command (undefined: absent, or expired at `now`). */
  readonly value: StoredValue | undefined;
  /** Its expiry time after the command (Infinity: none). */
  readonly at: number;
  /** Keyspace events the command reported for the key. */
  readonly events: readonly string[];
  /** The command (lower case) and its arguments, for the counters (INCRBY's increment …). */
  readonly command: string;
  readonly argv: readonly Bytes[] | undefined;
  readonly now: number;
}

/** Mints the stamps of one batch. */
export type Mint = () => Stamp;

const INTEGER_COUNTERS: Record<string, (argv: readonly Bytes[]) => bigint> = {
  incr: () => 1n,
  decr: () => -1n,
  incrby: (argv) => BigInt(String(argv[2])),
  decrby: (argv) => -BigInt(String(argv[2])),
};

/** Events that change only a key's TTL. */
const TTL_EVENTS = new Set(['expire', 'persist', 'new']);

/**
 * The operations that turn what `state` shows into `change`'s value (see the module comment).
 * Returns them unapplied; the caller applies them to the state in order.
 */
export function capture(state: KeyState | undefined, change: KeyChange, mint: Mint): Op[] {
  const { key, value, now } = change;
  const ops: Op[] = [];
  const before = materialize(state, now);
  const kind = value === undefined ? null : kindOf(value);
  // A key that went, changed type, or had expired in the state's view starts over: everything
  // this member saw of it is removed (observed-remove), as Redis's DEL-before-write does.
  const startOver = state !== undefined && (before === null || kind === null || before.kind !== kind);
  if (startOver) ops.push(...removeAll(key, state!));
  if (value === undefined || kind === null) return ops;
  const fresh = startOver || state === undefined;
  switch (kind) {
    case 'string':
      captureString(ops, fresh ? undefined : state!.string!, before?.kind === 'string' && !fresh ? before.value : undefined, value as Bytes, change, mint);
      break;
    case 'object':
      if (fresh || !change.events.every((e) => TTL_EVENTS.has(e))) {
        ops.push({ op: 'assign', key, kind: 'object', field: null, stamp: mint(), value: (value as RedisObject).clone(), removal: fresh ? NOTHING : state!.object!.observed() });
      }
      break;
    case 'set': {
      const old = fresh ? undefined : state!.set!;
      const set = value as SetValue;
      for (const member of set.members()) if (old === undefined || !old.has(member)) ops.push({ op: 'sadd', key, member, stamp: mint() });
      if (old !== undefined) for (const [member, tags] of old) if (!set.has(member)) ops.push({ op: 'srem', key, member, tags: Array.from(tags.keys()) });
      break;
    }
    case 'hash':
      captureFields(ops, key, 'hash', fresh ? undefined : state!.hash!, hashEntries(value as RedisHash), change, mint);
      break;
    case 'zset':
      captureFields(ops, key, 'zset', fresh ? undefined : state!.zset!, (value as ZSet).dict, change, mint);
      break;
    case 'list':
      captureList(ops, key, fresh ? [] : state!.list!, value as ListValue, mint);
      break;
  }
  captureExpiry(ops, key, fresh ? undefined : state, fresh ? Infinity : before!.at, change, mint);
  return ops;
}

/** Observed-removes of everything a key's state holds. */
export function removeAll(key: string, state: KeyState): Op[] {
  const ops: Op[] = [];
  if (state.string !== null) ops.push({ op: 'unset', key, kind: 'string', field: null, removal: state.string.observed() });
  if (state.object !== null) ops.push({ op: 'unset', key, kind: 'object', field: null, removal: state.object.observed() });
  if (state.set !== null) for (const [member, tags] of state.set) ops.push({ op: 'srem', key, member, tags: Array.from(tags.keys()) });
  if (state.hash !== null) for (const [field, reg] of state.hash) ops.push({ op: 'unset', key, kind: 'hash', field, removal: reg.observed() });
  if (state.zset !== null) for (const [field, reg] of state.zset) ops.push({ op: 'unset', key, kind: 'zset', field, removal: reg.observed() });
  if (state.list !== null && state.list.length !== 0) ops.push({ op: 'lrem', key, tags: state.list.map((e) => tagOf(e.stamp)) });
  if (state.expiry !== null && state.expiry.size !== 0) ops.push({ op: 'noexpire', key, tags: Array.from(state.expiry.keys()) });
  return ops;
}

function captureString(ops: Op[], reg: Register | undefined, old: Bytes | undefined, value: Bytes, change: KeyChange, mint: Mint): void {
  const key = change.key;
  const integer = INTEGER_COUNTERS[change.command];
  if (integer !== undefined && change.argv !== undefined) {
    ops.push({ op: 'incr', key, kind: 'string', field: null, stamp: mint(), delta: fromInteger(integer(change.argv)) });
    return;
  }
  if (change.command === 'incrbyfloat' && change.argv !== undefined) {
    const delta = parseLongDouble(change.argv[2]);
    if (delta !== null) {
      ops.push({ op: 'incr', key, kind: 'string', field: null, stamp: mint(), delta });
      return;
    }
  }
  if (old !== undefined && bytesEqual(old, value) && !change.events.includes('set')) return;
  ops.push({ op: 'assign', key, kind: 'string', field: null, stamp: mint(), value, removal: reg?.observed() ?? NOTHING });
}

/** A hash's fields with their expiry times. */
function hashEntries(hash: RedisHash): Map<string, [Bytes, number | undefined]> {
  const out = new Map<string, [Bytes, number | undefined]>();
  for (const [field, v] of hash.fields) out.set(field, [v, hash.fieldExpiry(field)]);
  return out;
}

function captureFields(
  ops: Op[],
  key: string,
  kind: 'hash' | 'zset',
  old: Map<string, Register> | undefined,
  now: ReadonlyMap<string, number | [Bytes, number | undefined]>,
  change: KeyChange,
  mint: Mint,
): void {
  const argv = change.argv;
  // The field a counter command increments (HINCRBY key field n, ZINCRBY key n member).
  const counted =
    argv === undefined
      ? null
      : change.command === 'hincrby' || change.command === 'hincrbyfloat'
        ? keyName(argv[2])
        : change.command === 'zincrby'
          ? keyName(argv[3])
          : null;
  for (const [field, entry] of now) {
    const reg = old?.get(field);
    const value = kind === 'zset' ? (entry as number) : (entry as [Bytes, number | undefined])[0];
    const at = kind === 'hash' ? (entry as [Bytes, number | undefined])[1] : undefined;
    const live = reg !== undefined && reg.live;
    if (live) {
      const w = reg.winner();
      const current = kind === 'zset' ? scoreOf(reg) : reg.increments !== null && reg.increments.size !== 0 ? counterText(reg) : (w!.value as Bytes);
      const same = kind === 'zset' ? current === value : bytesEqual(current as Bytes, value as Bytes) && w?.at === at;
      if (same) continue;
    }
    if (field === counted) {
      const raw = argv![kind === 'hash' ? 3 : 2];
      const delta: Delta | null = kind === 'zset' ? Number(String(raw)) : parseLongDouble(raw);
      if (delta !== null && !(typeof delta === 'number' && Number.isNaN(delta))) {
        ops.push({ op: 'incr', key, kind, field, stamp: mint(), delta });
        continue;
      }
    }
    ops.push({ op: 'assign', key, kind, field, stamp: mint(), value, at, removal: reg?.observed() ?? NOTHING });
  }
  if (old !== undefined) for (const [field, reg] of old) if (reg.live && !now.has(field)) ops.push({ op: 'unset', key, kind, field, removal: reg.observed() });
}

function captureList(ops: Op[], key: string, old: readonly ListElement[], list: ListValue, mint: Mint): void {
  const values = list.length === 0 ? [] : list.range(0, list.length - 1);
  let p = 0;
  while (p < old.length && p < values.length && bytesEqual(old[p].value, values[p])) p++;
  let s = 0;
  while (s < old.length - p && s < values.length - p && bytesEqual(old[old.length - 1 - s].value, values[values.length - 1 - s])) s++;
  const removeFrom = p;
  const removeTo = old.length - s;
  const insert = values.slice(p, values.length - s);
  // LTRIM on both ends: the new list is a run of the old one.
  if (insert.length !== 0 && insert.length < removeTo - removeFrom) {
    for (let o = removeFrom + 1; o + insert.length <= removeTo; o++) {
      let k = 0;
      while (k < insert.length && bytesEqual(old[o + k].value, insert[k])) k++;
      if (k === insert.length) {
        const tags = [...old.slice(removeFrom, o), ...old.slice(o + insert.length, removeTo)].map((e) => tagOf(e.stamp));
        ops.push({ op: 'lrem', key, tags });
        return;
      }
    }
  }
  if (removeTo > removeFrom) ops.push({ op: 'lrem', key, tags: old.slice(removeFrom, removeTo).map((e) => tagOf(e.stamp)) });
  let prev = p > 0 ? old[p - 1].id : null;
  const next = s > 0 ? old[old.length - s].id : null;
  for (const value of insert) {
    const stamp = mint();
    const id = idBetween(prev, next, [stamp.origin, stamp.seq, stamp.idx]);
    ops.push({ op: 'linsert', key, element: { id, stamp, value } });
    prev = id;
  }
}

function captureExpiry(ops: Op[], key: string, state: KeyState | undefined, before: number, change: KeyChange, mint: Mint): void {
  const at = change.at;
  if (at === before) return;
  const tags = state?.expiry === null || state?.expiry === undefined ? [] : Array.from(state.expiry.keys());
  if (at !== Infinity) ops.push({ op: 'expire', key, stamp: mint(), at, tags });
  // PERSIST (or GETEX PERSIST) beats concurrent EXPIREs; an overwrite that drops the TTL only removes what it saw.
  else if (change.events.includes('persist')) ops.push({ op: 'expire', key, stamp: mint(), at: Infinity, tags });
  else if (tags.length !== 0) ops.push({ op: 'noexpire', key, tags });
}
