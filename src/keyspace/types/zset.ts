/**
 * Sorted set values: a counted B+tree of (score, member) pairs (`zset-tree.ts`: rank, range and
 * order in O(log n)) with its member index (`zset-index.ts`: member → score and leaf, so ZSCORE is
 * O(1) and ZRANK climbs from the member's leaf). Members are byte strings (canonical
 * latin1 JavaScript strings, one char per byte), so `<` orders them as Redis's memcmp does.
 *
 * The encoding Redis 7.4 would have is tracked alongside (`listpack` while small, then `skiplist`,
 * one-way), with the behaviour that goes with it: a listpack stores a score of -0 as the integer 0,
 * walks lex ranges element by element (their results are then exact even when scores differ),
 * and answers ZSCAN in one call.
 *
 * API for other command modules (the blocking BZPOPMIN / BZPOPMAX / BZMPOP in lists):
 *
 * - {@link zsetForWrite}`(ctx, key)` — the sorted set at `key` for a write lookup, `undefined`
 *   when there is none; throws WRONGTYPE for another type.
 * - {@link popZset}`(ctx, key, zset, max, count)` — removes up to `count` pairs from the low
 *   (`max` false) or high end, reports `zpopmin`/`zpopmax` (and `del` when the set empties, which
 *   deletes the key) through `ctx.changed`, and returns the pairs. It does not propagate: a
 *   blocking pop replicates as `ZPOPMIN key` (single) or `ZPOPMIN key count` (BZMPOP), which the
 *   caller passes to `ctx.propagate`.
 * - {@link poppedReply}`(popped, nested, resp)` — the pairs as a reply: flat `[m, s, m, s]`, or
 *   nested `[[m, s], …]` (ZMPOP/BZMPOP in both protocols; ZPOPMIN with a count in RESP3).
 *   Members go out as bulk strings, scores as {@link DoubleReply}.
 */
import { RedisObject, type StoredValue } from '../keyspace.js';
import type { Config } from '../../config.js';
import type { Rng } from '../../rng.js';
import type { CommandContext } from '../../commands/command.js';
import { isAscii, keyReply } from '../bytes.js';
import { WRONGTYPE } from '../../protocol/errors.js';
import { DoubleReply, type Reply } from '../../protocol/reply.js';
import type { MemberIndex } from './zset-index.js';
import { NODE_MAX, SMALL_NODE_MAX, ScoreTree } from './zset-tree.js';
import { allocationSize, listpackEntryBytes } from './set.js';

/** The size thresholds of the listpack encoding (read from the cache's settings). */
export interface ZsetLimits {
  /** `zset-max-listpack-entries`. */
  readonly entries: number;
  /** `zset-max-listpack-value` (bytes). */
  readonly value: number;
}

export const DEFAULT_ZSET_LIMITS: ZsetLimits = { entries: 128, value: 64 };

function numberSetting(config: Config, name: string, fallback: number): number {
  const raw = config.get(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  return Number.isFinite(n) ? n : fallback;
}

function readLimits(config: Config): ZsetLimits {
  return {
    entries: numberSetting(config, 'zset-max-listpack-entries', 128),
    value: numberSetting(config, 'zset-max-listpack-value', 64),
  };
}

const limitsCache = new WeakMap<Config, ZsetLimits>();

/** The current sorted set thresholds of a cache's settings (cached; refreshed when a setting changes). */
export function zsetLimits(config: Config): ZsetLimits {
  let limits = limitsCache.get(config);
  if (limits === undefined) {
    limits = readLimits(config);
    limitsCache.set(config, limits);
    config.onChange((name) => {
      if (name.startsWith('zset-max-')) limitsCache.set(config, readLimits(config));
    });
  }
  return limits;
}

// ZADD input flags (`ZADD_IN_*`) and result flags (`ZADD_OUT_*`).
export const ZADD_INCR = 1;
export const ZADD_NX = 2;
export const ZADD_XX = 4;
export const ZADD_GT = 8;
export const ZADD_LT = 16;

export const ZADD_OUT_NAN = 1;
export const ZADD_OUT_ADDED = 2;
export const ZADD_OUT_UPDATED = 4;
export const ZADD_OUT_NOP = 8;

export class ZSet extends RedisObject {
  readonly type = 'zset';
  /** The pairs in order, with the member index. */
  tree: ScoreTree;
  /** True while Redis would keep this set as a listpack. */
  listpack: boolean;
  /** The score {@link add} ended with (ZADD INCR / ZINCRBY reply). */
  newScore = 0;
  /**
   * True while every member ever added was ASCII: replies can then send members as they are,
   * without reading their bytes (at a million members each read is a cache miss).
   */
  ascii = true;
  /** Running sums for the memory model: member bytes, and listpack entry bytes of members and scores. */
  private memberBytes = 0;
  private listpackSum = 0;

  /** A small set (listpack) gets a tree of small nodes; converting to a skiplist rebuilds it with large ones. */
  constructor(listpack: boolean, tree: ScoreTree = new ScoreTree(listpack ? SMALL_NODE_MAX : NODE_MAX)) {
    super();
    this.listpack = listpack;
    this.tree = tree;
    if (tree.size !== 0) {
      const { members, scores } = tree.toArrays();
      for (let i = 0; i < members.length; i++) this.count(members[i], scores[i], 1);
    }
  }

  /** Adds a pair's sizes to the running sums (`sign` 1) or takes them out (-1). */
  private count(member: string, score: number, sign: 1 | -1): void {
    this.memberBytes += sign * member.length;
    this.listpackSum += sign * (listpackEntryBytes(member) + scoreEntryBytes(score));
  }

  /**
   * About the bytes Redis would use for this value, for MEMORY USAGE, INFO and maxmemory: a
   * listpack of member and score entries, or the skiplist (a node per pair, its member sds) with the
   * dict beside it.
   */
  override memoryUsage(): number {
    const n = this.tree.size;
    if (this.listpack) return ZSET_OBJECT + allocationSize(7 + this.listpackSum);
    const buckets = n <= 4 ? 4 : 2 ** Math.ceil(Math.log2(n));
    // zset struct, dict with buckets, skiplist header and its 32-level head node; per pair a node
    // (about 1.33 levels), a dict entry and the member's sds.
    return ZSET_OBJECT + 16 + 56 + buckets * 8 + 32 + 640 + n * (48 + 24 + 4) + this.memberBytes;
  }

  encoding(): string {
    return this.listpack ? 'listpack' : 'skiplist';
  }

  /** Member → score (read-only; changed through the methods here). */
  get dict(): MemberIndex {
    return this.tree.index;
  }

  get length(): number {
    return this.tree.size;
  }

  /** A deep copy with the same encoding (COPY). */
  clone(): ZSet {
    const { members, scores } = this.tree.toArrays();
    const copy = new ZSet(this.listpack, ScoreTree.fromSorted(members, scores, this.tree.capacity));
    copy.ascii = this.ascii;
    return copy;
  }

  /** A member as a reply: the string itself when ASCII, its bytes otherwise. */
  reply(member: string): string | Buffer {
    return this.ascii ? member : keyReply(member);
  }

  score(member: string): number | undefined {
    return this.tree.index.get(member);
  }

  /** Stores a pair that is not in the set (no checks, no conversion). */
  private insert(member: string, score: number): void {
    // A listpack keeps an integral score as an integer: -0 comes back as 0.
    if (this.listpack && score === 0) score = 0;
    if (this.ascii && !isAscii(member)) this.ascii = false;
    this.tree.insert(score, member);
    this.count(member, score, 1);
    this.resized();
  }

  /** Converts to the skiplist encoding (one-way); a tree of small nodes is rebuilt with large ones. */
  toSkiplist(): void {
    this.listpack = false;
    if (this.tree.capacity < NODE_MAX) {
      const { members, scores } = this.tree.toArrays();
      this.tree = ScoreTree.fromSorted(members, scores, NODE_MAX);
    }
    this.resized();
  }

  /** `zsetTypeMaybeConvert`: a listpack expecting more than it may hold becomes a skiplist. */
  expectAdditions(count: number, limits: ZsetLimits): void {
    if (this.listpack && count > limits.entries) this.toSkiplist();
  }

  /**
   * `zsetAdd`: adds or updates a member under the ZADD flags. Returns the `ZADD_OUT_*` flags;
   * {@link newScore} holds the resulting score when something was done.
   */
  add(score: number, member: string, flags: number, limits: ZsetLimits): number {
    if (Number.isNaN(score)) return ZADD_OUT_NAN;
    const index = this.tree.index;
    const e = index.find(member);
    if (e >= 0) {
      const current = index.scoreOf(e);
      if (flags & ZADD_NX) return ZADD_OUT_NOP;
      if (flags & ZADD_INCR) {
        score += current;
        if (Number.isNaN(score)) return ZADD_OUT_NAN;
      }
      if ((flags & ZADD_LT && score >= current) || (flags & ZADD_GT && score <= current)) return ZADD_OUT_NOP;
      this.newScore = score;
      if (score !== current) {
        const stored = this.listpack && score === 0 ? 0 : score;
        this.listpackSum += scoreEntryBytes(stored) - scoreEntryBytes(current);
        this.tree.detach(e);
        this.tree.reinsert(e, stored);
        this.resized();
        return ZADD_OUT_UPDATED;
      }
      return 0;
    }
    if (flags & ZADD_XX) return ZADD_OUT_NOP;
    if (this.listpack && (this.tree.size + 1 > limits.entries || member.length > limits.value)) this.toSkiplist();
    this.insert(member, score);
    this.newScore = score;
    return ZADD_OUT_ADDED;
  }

  /** Removes a member; true when it was there. */
  delete(member: string): boolean {
    if (!this.tree.removeMember(member)) return false;
    this.count(member, this.tree.removedScore, -1);
    this.resized();
    return true;
  }

  /** 0-based rank of a member (from the top with `reverse`), or -1. */
  rank(member: string, reverse: boolean): number {
    const rank = this.tree.rankOfMember(member);
    return reverse && rank >= 0 ? this.tree.size - 1 - rank : rank;
  }

  /** Removes the pair at `rank`; returns its member (its score is in `tree.removedScore`). */
  removeAt(rank: number): string {
    this.tree.removeAt(rank);
    this.count(this.tree.removedMember, this.tree.removedScore, -1);
    this.resized();
    return this.tree.removedMember;
  }

  /** Removes the pairs of ranks `start..end` (inclusive, in range); returns how many. */
  removeRanks(start: number, end: number): number {
    for (let r = start; r <= end; r++) this.removeAt(start);
    return end - start + 1;
  }

  /**
   * `zsetConvertToListpackIfNeeded` (the STORE commands): back to a listpack when the set is small
   * enough and its longest member fits.
   */
  convertToListpackIfSmall(limits: ZsetLimits, longest: number): void {
    if (this.listpack || this.tree.size > limits.entries || longest > limits.value) return;
    this.listpack = true;
    // The listpack keeps integral scores as integers: -0 becomes 0.
    const { members, scores } = this.tree.toArrays();
    for (let i = 0; i < scores.length; i++) if (Object.is(scores[i], -0)) scores[i] = 0;
    this.tree = ScoreTree.fromSorted(members, scores, SMALL_NODE_MAX);
    this.resized();
  }
}

const ZSET_OBJECT = 16;

/** Bytes of a score's listpack entry: an integer encoding when integral, else its text (`d2string`). */
function scoreEntryBytes(score: number): number {
  if (Number.isInteger(score) && Math.abs(score) < 9.2e18) return listpackEntryBytes(String(score));
  const text = score === Infinity ? 'inf' : score === -Infinity ? '-inf' : String(score);
  return text.length + 2;
}

/** True when a stored value is a sorted set. */
export function isZset(value: StoredValue | undefined): value is ZSet {
  return value instanceof ZSet;
}

/** `zsetTypeCreate`: a new, empty sorted set sized for `sizeHint` pairs whose members are about `lengthHint` bytes. */
export function createZset(sizeHint: number, lengthHint: number, limits: ZsetLimits): ZSet {
  return new ZSet(sizeHint <= limits.entries && lengthHint <= limits.value);
}

/**
 * A sorted set built from pairs given in any order (members distinct), in the skiplist encoding
 * (the STORE commands then call {@link ZSet.convertToListpackIfSmall}).
 */
export function zsetFromPairs(members: string[], scores: number[]): ZSet {
  const order = new Array<number>(members.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => {
    const sa = scores[a];
    const sb = scores[b];
    if (sa !== sb) return sa < sb ? -1 : 1;
    const ma = members[a];
    const mb = members[b];
    return ma < mb ? -1 : ma > mb ? 1 : 0;
  });
  const sortedMembers = order.map((i) => members[i]);
  const sortedScores = order.map((i) => scores[i]);
  const zset = new ZSet(false, ScoreTree.fromSorted(sortedMembers, sortedScores));
  for (let i = 0; i < sortedMembers.length && zset.ascii; i++) if (!isAscii(sortedMembers[i])) zset.ascii = false;
  return zset;
}

// ---------------------------------------------------------------------------------------------
// Ranges

/** A score interval (`zrangespec`). */
export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

/** A lex bound: `-` (below everything), `+` (above everything) or a member, inclusive or not. */
export interface LexBound {
  /** -1 for `-`, 1 for `+`, 0 for a value. */
  kind: -1 | 0 | 1;
  value: string;
  exclusive: boolean;
}

export interface LexRange {
  min: LexBound;
  max: LexBound;
}

export function scoreGteMin(score: number, range: ScoreRange): boolean {
  return range.minex ? score > range.min : score >= range.min;
}

export function scoreLteMax(score: number, range: ScoreRange): boolean {
  return range.maxex ? score < range.max : score <= range.max;
}

/** `sdscmplex`: a member against a bound. */
function compareLex(member: string, bound: LexBound): number {
  if (bound.kind !== 0) return -bound.kind;
  return member < bound.value ? -1 : member > bound.value ? 1 : 0;
}

export function lexGteMin(member: string, range: LexRange): boolean {
  const c = compareLex(member, range.min);
  return range.min.exclusive ? c > 0 : c >= 0;
}

export function lexLteMax(member: string, range: LexRange): boolean {
  const c = compareLex(member, range.max);
  return range.max.exclusive ? c < 0 : c <= 0;
}

/** True when a score range can hold nothing whatever the set (`min > max`, or equal and open). */
function emptyScoreRange(range: ScoreRange): boolean {
  return range.min > range.max || (range.min === range.max && (range.minex || range.maxex));
}

function emptyLexRange(range: LexRange): boolean {
  const a = range.min;
  const b = range.max;
  let cmp: number;
  if (a.kind === b.kind && a.kind !== 0) cmp = 0;
  else if (a.kind !== 0) cmp = a.kind;
  else if (b.kind !== 0) cmp = -b.kind;
  else cmp = a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  return cmp > 0 || (cmp === 0 && (a.exclusive || b.exclusive));
}

/** Rank of the first pair in a score range, or -1. */
export function firstInScoreRange(zset: ZSet, range: ScoreRange): number {
  const tree = zset.tree;
  if (tree.size === 0 || emptyScoreRange(range)) return -1;
  const rank = tree.lowerBound(range.min, range.minex ? null : '');
  if (rank >= tree.size || !scoreLteMax(tree.scoreAt(rank), range)) return -1;
  return rank;
}

/** Rank of the last pair in a score range, or -1. */
export function lastInScoreRange(zset: ZSet, range: ScoreRange): number {
  const tree = zset.tree;
  if (tree.size === 0 || emptyScoreRange(range)) return -1;
  const rank = tree.lowerBound(range.max, range.maxex ? '' : null) - 1;
  if (rank < 0 || !scoreGteMin(tree.scoreAt(rank), range)) return -1;
  return rank;
}

/**
 * `zzlIsInLexRange` / `zslIsInLexRange`: false when the range cannot hold anything (by its bounds,
 * or because the last member is below the minimum or the first above the maximum).
 */
function mayHoldLex(zset: ZSet, range: LexRange): boolean {
  const tree = zset.tree;
  if (tree.size === 0 || emptyLexRange(range)) return false;
  if (!lexGteMin(tree.memberAt(tree.size - 1), range)) return false;
  return lexLteMax(tree.memberAt(0), range);
}

/**
 * Rank of the first pair in a lex range, or -1. A listpack is walked from the front (the first
 * member >= min, which must also be <= max); a skiplist is searched as if members were in order.
 */
export function firstInLexRange(zset: ZSet, range: LexRange): number {
  if (!mayHoldLex(zset, range)) return -1;
  const tree = zset.tree;
  if (zset.listpack) {
    let rank = 0;
    let found = -1;
    tree.forEachFrom(0, false, (member) => {
      if (lexGteMin(member, range)) {
        if (lexLteMax(member, range)) found = rank;
        return false;
      }
      rank++;
    });
    return found;
  }
  const min = range.min;
  const rank = min.kind === -1 ? 0 : min.kind === 1 ? tree.size : tree.lexLowerBound(min.value, min.exclusive);
  if (rank >= tree.size || !lexLteMax(tree.memberAt(rank), range)) return -1;
  return rank;
}

/** Rank of the last pair in a lex range, or -1 (a listpack is walked from the back). */
export function lastInLexRange(zset: ZSet, range: LexRange): number {
  if (!mayHoldLex(zset, range)) return -1;
  const tree = zset.tree;
  if (zset.listpack) {
    let rank = tree.size - 1;
    let found = -1;
    tree.forEachFrom(rank, true, (member) => {
      if (lexLteMax(member, range)) {
        if (lexGteMin(member, range)) found = rank;
        return false;
      }
      rank--;
    });
    return found;
  }
  const max = range.max;
  const rank =
    (max.kind === -1 ? 0 : max.kind === 1 ? tree.size : tree.lexLowerBound(max.value, !max.exclusive)) - 1;
  if (rank < 0 || !lexGteMin(tree.memberAt(rank), range)) return -1;
  return rank;
}

/** How many pairs a lex range holds: a listpack counts its walk, a skiplist subtracts ranks. */
export function lexCount(zset: ZSet, range: LexRange): number {
  const first = firstInLexRange(zset, range);
  if (first < 0) return 0;
  if (zset.listpack) return walkLex(zset, first, range);
  const last = lastInLexRange(zset, range);
  return last < 0 ? zset.length - first : last - first + 1;
}

/** Pairs from `first` on while their member is <= the range's max. */
function walkLex(zset: ZSet, first: number, range: LexRange): number {
  let count = 0;
  zset.tree.forEachFrom(first, false, (member) => {
    if (!lexLteMax(member, range)) return false;
    count++;
  });
  return count;
}

/** ZREMRANGEBYLEX: removes the pairs from the first in range on while they stay <= max. */
export function removeLexRange(zset: ZSet, range: LexRange): number {
  const first = firstInLexRange(zset, range);
  if (first < 0) return 0;
  const count = walkLex(zset, first, range);
  if (count > 0) zset.removeRanks(first, first + count - 1);
  return count;
}

/** ZREMRANGEBYSCORE. */
export function removeScoreRange(zset: ZSet, range: ScoreRange): number {
  const first = firstInScoreRange(zset, range);
  if (first < 0) return 0;
  const last = lastInScoreRange(zset, range);
  return zset.removeRanks(first, last);
}

// ---------------------------------------------------------------------------------------------
// Walking pairs for replies

/**
 * Visits `count` pairs from `start` (a rank in range) forwards, or backwards with `reverse`, while
 * `keep` (optional) accepts them; returns how many were visited.
 */
export function walk(
  zset: ZSet,
  start: number,
  count: number,
  reverse: boolean,
  visit: (member: string, score: number) => void,
  keep?: (member: string, score: number) => boolean,
): number {
  let done = 0;
  if (count <= 0) return 0;
  zset.tree.forEachFrom(start, reverse, (member, score) => {
    if (keep !== undefined && !keep(member, score)) return false;
    visit(member, score);
    return ++done < count;
  });
  return done;
}

// ---------------------------------------------------------------------------------------------
// Popping (ZPOPMIN, ZPOPMAX, ZMPOP and the blocking forms)

/** Pairs taken out of a sorted set, in the order they were popped. */
export interface Popped {
  members: string[];
  scores: number[];
}

/** The sorted set at `key` for a write lookup (`lookupKeyWrite`), or undefined; throws WRONGTYPE. */
export function zsetForWrite(ctx: CommandContext, key: string): ZSet | undefined {
  const value = ctx.db.get(key, ctx.now);
  if (value === undefined) return undefined;
  if (!(value instanceof ZSet)) throw WRONGTYPE;
  return value;
}

/**
 * Pops up to `count` (>= 1) pairs from the low end (`max` false) or the high end of `zset`, the
 * value at `key`; reports `zpopmin`/`zpopmax`, and deletes the key (reporting `del`) when it
 * empties. Does not propagate (see the module comment).
 */
export function popZset(ctx: CommandContext, key: string, zset: ZSet, max: boolean, count: number): Popped {
  const n = Math.min(count, zset.length);
  const members: string[] = [];
  const scores: number[] = [];
  for (let i = 0; i < n; i++) {
    const member = zset.removeAt(max ? zset.length - 1 : 0);
    members.push(member);
    scores.push(zset.tree.removedScore);
  }
  ctx.changed(key, max ? 'zpopmax' : 'zpopmin');
  if (zset.length === 0) {
    ctx.db.delete(key);
    ctx.changed(key, 'del');
  }
  return { members, scores };
}

/** Popped pairs as a reply: flat `[m, s, …]` or nested `[[m, s], …]`. */
export function poppedReply(popped: Popped, nested: boolean): Reply[] {
  const out: Reply[] = [];
  for (let i = 0; i < popped.members.length; i++) {
    const member = keyReply(popped.members[i]);
    const score = new DoubleReply(popped.scores[i]);
    if (nested) out.push([member, score]);
    else out.push(member, score);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Random members (ZRANDMEMBER)

/** A uniformly chosen rank. */
export function randomRank(zset: ZSet, rng: Rng): number {
  return rng.below(zset.length);
}

/**
 * `count` distinct ranks (count < size), in the order Redis would reply: ascending for a listpack
 * (`lpRandomPairsUnique` keeps listpack order), in the order drawn otherwise.
 */
export function distinctRandomRanks(zset: ZSet, count: number, rng: Rng): number[] {
  const size = zset.length;
  if (zset.listpack) {
    // Selection sampling: each rank is kept with probability (still needed / still left).
    const out: number[] = [];
    let needed = count;
    for (let r = 0; r < size && needed > 0; r++) {
      if (rng.below(size - r) < needed) {
        out.push(r);
        needed--;
      }
    }
    return out;
  }
  if (count * 3 > size) {
    // Redis copies the set and removes random members until `count` are left.
    const ranks = new Array<number>(size);
    for (let i = 0; i < size; i++) ranks[i] = i;
    for (let left = size; left > count; left--) {
      const j = rng.below(left);
      ranks[j] = ranks[left - 1];
    }
    ranks.length = count;
    return ranks;
  }
  const seen = new Set<number>();
  const out: number[] = [];
  while (out.length < count) {
    const r = rng.below(size);
    if (seen.has(r)) continue;
    seen.add(r);
    out.push(r);
  }
  return out;
}
