/**
 * The ordered half of a sorted set: a counted B+tree of (score, member) pairs, ordered by score and
 * then by member bytes (members are latin1 byte strings, so `<` on them is a byte-wise compare).
 *
 * Every inner node keeps the number of pairs under each child, so the tree answers both "where is
 * this pair" and "which pair is at rank r" in O(log n): the order-statistic operations ZRANK,
 * ZRANGE by rank, ZCOUNT and friends need. Leaves hold up to {@link NODE_MAX} pairs and are linked
 * both ways, so a range is a seek followed by a walk.
 *
 * Layout: nodes are not objects but slots in a few typed arrays (struct of arrays). Node `id`'s
 * entries live at `id * stride …` (one stride for leaves, one for inner nodes); scores,
 * separators, sizes and child ids are unboxed, so a descent reads only the cache lines holding the
 * numbers it compares. At a million members the cost of an operation is its cache misses, and
 * an object per node would add several per level. (Measured: 64 pairs per leaf and 64 children per
 * inner node do as well as any mix of 16 to 128 at 1M members; small sets use 16 and 16.)
 *
 * Members: the tree keeps its sorted set's member index (`zset-index.ts`: member → score and
 * leaf), each leaf row holds the index entry of each of its pairs, and every node knows its parent.
 * ZRANK of a member goes from its entry to its leaf, finds the entry among the leaf's, and climbs,
 * adding the pairs under the children left of the path: no search by score on the way down (at a
 * million members that search and the `Map` lookup before it cost about twice as many misses).
 * Pairs that move between leaves (splits, merges) have their entries' leaves updated.
 *
 * Routing: child `i > 0` of an inner node holds pairs that are all `>= sep[i]` and `< sep[i + 1]`.
 * Separators are lower bounds, not exact minimums, so removals never need to touch them. A node
 * that falls below a quarter of its capacity merges with a neighbour when both fit in one, so the
 * tree stays O(log n) deep as it shrinks.
 */

/** Most children of an inner node. */
export const NODE_MAX = 64;
/** Most pairs in a leaf. */
export const LEAF_MAX = 64;

import { MemberIndex } from './zset-index.js';

const NONE = -1;
/** Words of per-leaf metadata: count, next, prev, parent. */
const LM = 4;
/** Words of per-inner-node metadata: count, total pairs, parent. */
const IM = 3;
/** Scores per block of a leaf summary (one cache line of doubles). */
const BLOCK_BITS = 3;
const BLOCK = 1 << BLOCK_BITS;

// Shared by every tree: operations are synchronous and never nested, so one scratch path serves
// all (a tree of 2^31 pairs is far less than 64 levels deep).
const PATH_NODE = new Int32Array(64);
const PATH_IDX = new Int32Array(64);
const NO_F64 = new Float64Array(0);
const NO_I32 = new Int32Array(0);

/** The inner node capacity of the trees of small (listpack-encoded) sorted sets. */
export const SMALL_NODE_MAX = 16;

export class ScoreTree {
  /** Capacities of inner nodes and leaves (tests use small ones to exercise splits and merges). */
  private readonly iCap: number;
  private readonly iMin: number;
  private readonly lCap: number;
  private readonly lMin: number;
  /** Slots per node: one more than the capacity, so a node may overflow by one before it splits. */
  private readonly iStride: number;
  private readonly lStride: number;

  // Leaves: scores and members at `id * lStride …`. One Int32Array holds, for `n` leaf slots,
  // per leaf [count, next, prev, parent] at `id * LM` (compact, so walks find them cached), then
  // from `eOff` (= n * LM) per leaf the entry in {@link index} of each pair at
  // `eOff + id * lStride …` (-1 past the count): one typed array rather than two (each costs
  // about 200 bytes however small). The arrays are replaced when they grow, so never keep them
  // across a change.
  private lScore: Float64Array;
  private lMember: string[];
  private lMeta: Int32Array;
  private eOff: number;
  /**
   * Per leaf, every 8th score (`+inf` past the end): a search reads this one cache line, then the
   * line of 8 scores it points to, instead of the four or so lines a binary search over the leaf
   * touches (at a million members each is a miss).
   */
  private lSum: Float64Array;
  private readonly sStride: number;
  private leafTop = 0;
  private leafFree: number[] | null = null;

  // Inner nodes (allocated on the first split): separators, child sizes and ids at `id * iStride …`;
  // per node [count, total pairs, parent] at `id * IM`.
  private iSep: Float64Array = NO_F64;
  private iSepMember: string[] = [];
  private iSize: Int32Array = NO_I32;
  private iChild: Int32Array = NO_I32;
  private iMeta: Int32Array = NO_I32;
  private innerTop = 0;
  private innerFree: number[] | null = null;

  /** The root: a leaf id when `height` is 0, else an inner id. */
  private root: number;
  /** Inner levels above the leaves. */
  private height = 0;
  /** Number of pairs. */
  size = 0;
  /** First and last leaves (the same leaf while there is one). */
  head: number;
  tail: number;
  /** Where the last {@link seek} (or {@link lowerBound}) landed: a leaf, an index in it, and its rank (-1: unknown). */
  seekLeaf = 0;
  seekIndex = 0;
  private seekRank = -1;
  /** Member → entry (score, leaf): the set's dictionary, kept by this tree. */
  readonly index: MemberIndex;
  /** The pair the last {@link removeAt} took out. */
  removedMember = '';
  /** The entry of the pair last taken out of the tree. */
  private removedEntry = NONE;
  removedScore = 0;
  private readonly pathNode = PATH_NODE;
  private readonly pathIdx = PATH_IDX;

  /**
   * `capacity`: children of an inner node; `leafCapacity`: pairs in a leaf (smaller, so the search
   * in a leaf touches few cache lines; the inner levels above stay small enough to stay cached).
   */
  constructor(capacity = NODE_MAX, leafCapacity = Math.min(LEAF_MAX, capacity), leafSlots = 1, members = 0) {
    this.index = new MemberIndex(members);
    if (capacity < 4 || leafCapacity < 4) throw new RangeError('ScoreTree capacities must be at least 4');
    this.iCap = capacity;
    this.iMin = capacity >>> 2;
    this.lCap = leafCapacity;
    this.lMin = leafCapacity >>> 2;
    this.iStride = capacity + 1;
    this.lStride = leafCapacity + 1;
    const slots = Math.max(1, leafSlots);
    this.lScore = new Float64Array(slots * this.lStride);
    this.lMember = new Array<string>(slots * this.lStride).fill('');
    this.eOff = slots * LM;
    this.lMeta = new Int32Array(slots * (LM + this.lStride)).fill(NONE);
    this.sStride = (leafCapacity + 1 + BLOCK - 1) >>> BLOCK_BITS;
    this.lSum = new Float64Array(slots * this.sStride).fill(Infinity);
    const leaf = this.allocLeaf();
    this.root = this.head = this.tail = this.seekLeaf = leaf;
  }

  /** The inner node capacity this tree was built with. */
  get capacity(): number {
    return this.iCap;
  }

  /** The leaf capacity this tree was built with. */
  get leafCapacity(): number {
    return this.lCap;
  }

  // -------------------------------------------------------------------------------------------
  // Node allocation

  private allocLeaf(): number {
    let id = this.leafFree?.pop();
    if (id === undefined) {
      if (this.leafTop * LM === this.eOff) this.growLeaves();
      id = this.leafTop++;
    }
    this.lMeta[id * LM] = 0;
    this.lMeta[id * LM + 1] = NONE;
    this.lMeta[id * LM + 2] = NONE;
    this.lMeta[id * LM + 3] = NONE;
    this.lSum.fill(Infinity, id * this.sStride, (id + 1) * this.sStride);
    return id;
  }

  private freeLeaf(id: number): void {
    const base = id * this.lStride;
    const count = this.lMeta[id * LM];
    for (let k = 0; k < count; k++) {
      this.lMember[base + k] = '';
      this.lMeta[this.eOff + id * this.lStride + k] = NONE;
    }
    this.lMeta[id * LM] = 0;
    (this.leafFree ??= []).push(id);
  }

  private growLeaves(): void {
    const slots = Math.max(4, (this.eOff / LM) * 2);
    const scores = new Float64Array(slots * this.lStride);
    scores.set(this.lScore);
    this.lScore = scores;
    const members = this.lMember;
    for (let k = members.length; k < slots * this.lStride; k++) members.push('');
    const old = this.lMeta;
    const oldOff = this.eOff;
    const meta = new Int32Array(slots * (LM + this.lStride)).fill(NONE);
    meta.set(old.subarray(0, oldOff));
    this.eOff = slots * LM;
    meta.set(old.subarray(oldOff), this.eOff);
    this.lMeta = meta;
    const sums = new Float64Array(slots * this.sStride).fill(Infinity);
    sums.set(this.lSum);
    this.lSum = sums;
  }

  private allocInner(): number {
    let id = this.innerFree?.pop();
    if (id === undefined) {
      if (this.innerTop * IM === this.iMeta.length) this.growInners();
      id = this.innerTop++;
    }
    this.iMeta[id * IM] = 0;
    this.iMeta[id * IM + 1] = 0;
    this.iMeta[id * IM + 2] = NONE;
    return id;
  }

  private freeInner(id: number): void {
    const base = id * this.iStride;
    const end = base + this.iMeta[id * IM];
    for (let k = base; k < end; k++) this.iSepMember[k] = '';
    this.iMeta[id * IM] = 0;
    (this.innerFree ??= []).push(id);
  }

  private growInners(): void {
    const slots = Math.max(4, (this.iMeta.length / IM) * 2);
    const n = slots * this.iStride;
    const sep = new Float64Array(n);
    sep.set(this.iSep);
    this.iSep = sep;
    this.iSize = grow32(this.iSize, n);
    this.iChild = grow32(this.iChild, n);
    for (let k = this.iSepMember.length; k < n; k++) this.iSepMember.push('');
    this.iMeta = grow32(this.iMeta, slots * IM);
  }

  // -------------------------------------------------------------------------------------------
  // Searching inside one node

  /** Index of the last child whose separator is <= (score, member), or 0. */
  private routeLE(node: number, score: number, member: string): number {
    const sep = this.iSep;
    const sm = this.iSepMember;
    const base = node * this.iStride;
    let lo = 1;
    let hi = this.iMeta[node * IM];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const s = sep[base + mid];
      if (s < score || (s === score && sm[base + mid] <= member)) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** Index of the last child whose separator is < (score, member) (`member` null: above every member), or 0. */
  private routeLT(node: number, score: number, member: string | null): number {
    const sep = this.iSep;
    const sm = this.iSepMember;
    const base = node * this.iStride;
    let lo = 1;
    let hi = this.iMeta[node * IM];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const s = sep[base + mid];
      if (s < score || (s === score && (member === null || sm[base + mid] < member))) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** First index in a leaf whose pair is >= (score, member) (`member` null: above every member). */
  private leafLowerBound(leaf: number, score: number, member: string | null): number {
    const ls = this.lScore;
    const lm = this.lMember;
    const base = leaf * this.lStride;
    // Narrow to the blocks of 8 that can hold the answer: after the last block starting below
    // `score`'s start, before the first block starting above it.
    const sums = this.lSum;
    const sbase = leaf * this.sStride;
    const send = sbase + this.sStride;
    let k = sbase;
    while (k < send && sums[k] < score) k++;
    let lo = k === sbase ? 0 : (k - 1 - sbase) << BLOCK_BITS;
    while (k < send && sums[k] === score) k++;
    let hi = Math.min(this.lMeta[leaf * LM], (k - sbase) << BLOCK_BITS);
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const s = ls[base + mid];
      if (s < score || (s === score && (member === null || lm[base + mid] < member))) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Recomputes a leaf's summary (after any change to it). */
  private summarise(leaf: number): void {
    const sums = this.lSum;
    const ls = this.lScore;
    const base = leaf * this.lStride;
    const count = this.lMeta[leaf * LM];
    const sbase = leaf * this.sStride;
    for (let k = 0; k < this.sStride; k++) {
      const at = k << BLOCK_BITS;
      sums[sbase + k] = at < count ? ls[base + at] : Infinity;
    }
  }

  /** Pairs under the children of `node` before child `i` (summing the shorter side). */
  private sizesBefore(node: number, i: number): number {
    const sizes = this.iSize;
    const base = node * this.iStride;
    const count = this.iMeta[node * IM];
    let total = 0;
    if (i * 2 <= count) {
      for (let k = base; k < base + i; k++) total += sizes[k];
      return total;
    }
    for (let k = base + i; k < base + count; k++) total += sizes[k];
    return this.iMeta[node * IM + 1] - total;
  }

  // -------------------------------------------------------------------------------------------
  // Bulk building

  /** A tree of pairs already in order (no duplicates), built in linear time. */
  static fromSorted(
    members: readonly string[],
    scores: readonly number[],
    capacity = NODE_MAX,
    leafCapacity = Math.min(LEAF_MAX, capacity),
  ): ScoreTree {
    const n = members.length;
    const leafFill = Math.max(2, (leafCapacity * 3) >>> 2);
    const fill = Math.max(2, (capacity * 3) >>> 2);
    const leafCount = Math.max(1, Math.ceil(n / leafFill));
    const tree = new ScoreTree(capacity, leafCapacity, leafCount, n);
    const index = tree.index;
    if (n === 0) return tree;
    const lStride = tree.lStride;
    const iStride = tree.iStride;
    let level: number[] = [];
    let sizes: number[] = [];
    let firstScores: number[] = [];
    let firstMembers: string[] = [];
    let prev = NONE;
    for (let k = 0; k < leafCount; k++) {
      // Spread pairs evenly so no leaf is left nearly empty.
      const from = Math.floor((k * n) / leafCount);
      const to = Math.floor(((k + 1) * n) / leafCount);
      const leaf = k === 0 ? tree.root : tree.allocLeaf();
      const base = leaf * lStride;
      for (let j = from; j < to; j++) {
        tree.lScore[base + j - from] = scores[j];
        tree.lMember[base + j - from] = members[j];
        const e = index.add(members[j], scores[j]);
        index.setLeaf(e, leaf);
        tree.lMeta[tree.eOff + leaf * tree.lStride + j - from] = e;
      }
      tree.lMeta[leaf * LM] = to - from;
      tree.summarise(leaf);
      if (prev !== NONE) {
        tree.lMeta[prev * LM + 1] = leaf;
        tree.lMeta[leaf * LM + 2] = prev;
      }
      prev = leaf;
      level.push(leaf);
      sizes.push(to - from);
      firstScores.push(scores[from]);
      firstMembers.push(members[from]);
    }
    tree.tail = prev;
    let height = 0;
    while (level.length > 1) {
      const count = Math.ceil(level.length / fill);
      const up: number[] = [];
      const upSizes: number[] = [];
      const upScores: number[] = [];
      const upMembers: string[] = [];
      for (let k = 0; k < count; k++) {
        const from = Math.floor((k * level.length) / count);
        const to = Math.floor(((k + 1) * level.length) / count);
        const node = tree.allocInner();
        const base = node * iStride;
        let total = 0;
        for (let j = from; j < to; j++) {
          if (height === 0) tree.lMeta[level[j] * LM + 3] = node;
          else tree.iMeta[level[j] * IM + 2] = node;
          tree.iChild[base + j - from] = level[j];
          tree.iSize[base + j - from] = sizes[j];
          tree.iSep[base + j - from] = firstScores[j];
          tree.iSepMember[base + j - from] = firstMembers[j];
          total += sizes[j];
        }
        tree.iMeta[node * IM] = to - from;
        tree.iMeta[node * IM + 1] = total;
        up.push(node);
        upSizes.push(total);
        upScores.push(firstScores[from]);
        upMembers.push(firstMembers[from]);
      }
      level = up;
      sizes = upSizes;
      firstScores = upScores;
      firstMembers = upMembers;
      height++;
    }
    tree.root = level[0];
    tree.height = height;
    tree.size = n;
    tree.seekLeaf = tree.head;
    return tree;
  }

  // -------------------------------------------------------------------------------------------
  // Changes

  /** Adds a pair that is not in the tree. */
  insert(score: number, member: string): void {
    this.place(score, member, this.index.add(member, score));
  }

  /**
   * Gives entry `e` (a member in {@link index} whose pair is not in the tree) a new score and puts
   * its pair back in order.
   */
  reinsert(e: number, score: number): void {
    this.index.setScore(e, score);
    this.place(score, this.index.memberOf(e), e);
  }

  /** Puts the pair of entry `e` in its leaf. */
  private place(score: number, member: string, e: number): void {
    this.seekRank = -1;
    let node = this.root;
    let depth = 0;
    for (let h = this.height; h > 0; h--) {
      const i = this.routeLE(node, score, member);
      this.iSize[node * this.iStride + i]++;
      this.iMeta[node * IM + 1]++;
      this.pathNode[depth] = node;
      this.pathIdx[depth] = i;
      depth++;
      node = this.iChild[node * this.iStride + i];
    }
    const leaf = node;
    const pos = this.leafLowerBound(leaf, score, member);
    const base = leaf * this.lStride;
    const count = this.lMeta[leaf * LM];
    const ebase = this.eOff + leaf * this.lStride;
    if (pos < count) {
      this.lScore.copyWithin(base + pos + 1, base + pos, base + count);
      this.lMeta.copyWithin(ebase + pos + 1, ebase + pos, ebase + count);
      const lm = this.lMember;
      for (let k = base + count; k > base + pos; k--) lm[k] = lm[k - 1];
    }
    this.lScore[base + pos] = score;
    this.lMember[base + pos] = member;
    this.lMeta[ebase + pos] = e;
    this.index.setLeaf(e, leaf);
    this.lMeta[leaf * LM] = count + 1;
    this.size++;
    if (count + 1 > this.lCap) this.splitLeaf(leaf, depth);
    else this.summarise(leaf);
  }

  private splitLeaf(leaf: number, depth: number): void {
    const right = this.allocLeaf();
    const stride = this.lStride;
    const count = this.lMeta[leaf * LM];
    const half = count >>> 1;
    const from = leaf * stride;
    const to = right * stride;
    const moved = count - half;
    this.lScore.copyWithin(to, from + half, from + count);
    const lm = this.lMember;
    const le = this.lMeta;
    const index = this.index;
    const efrom = this.eOff + leaf * this.lStride + half;
    const eto = this.eOff + right * this.lStride;
    for (let k = 0; k < moved; k++) {
      lm[to + k] = lm[from + half + k];
      lm[from + half + k] = '';
      const e = le[efrom + k];
      le[eto + k] = e;
      le[efrom + k] = NONE;
      index.setLeaf(e, right);
    }
    this.lMeta[leaf * LM] = half;
    this.lMeta[right * LM] = moved;
    const next = this.lMeta[leaf * LM + 1];
    this.lMeta[right * LM + 1] = next;
    this.lMeta[right * LM + 2] = leaf;
    if (next !== NONE) this.lMeta[next * LM + 2] = right;
    else this.tail = right;
    this.lMeta[leaf * LM + 1] = right;
    this.summarise(leaf);
    this.summarise(right);
    this.addChild(depth, leaf, right, half, moved, this.lScore[to], lm[to]);
  }

  /**
   * After `left` (the child at the path's position `depth - 1`) split off `right`: puts `right`
   * beside it in the parent, splitting upwards as needed.
   */
  private addChild(
    depth: number,
    left: number,
    right: number,
    leftSize: number,
    rightSize: number,
    sepScore: number,
    sepMember: string,
  ): void {
    const stride = this.iStride;
    // The children being linked are leaves when they sit at the bottom of the path.
    const leaves = depth === this.height;
    if (depth === 0) {
      const root = this.allocInner();
      this.setParent(left, leaves, root);
      this.setParent(right, leaves, root);
      const base = root * stride;
      this.iChild[base] = left;
      this.iChild[base + 1] = right;
      this.iSize[base] = leftSize;
      this.iSize[base + 1] = rightSize;
      this.iSep[base] = -Infinity;
      this.iSepMember[base] = '';
      this.iSep[base + 1] = sepScore;
      this.iSepMember[base + 1] = sepMember;
      this.iMeta[root * IM] = 2;
      this.iMeta[root * IM + 1] = leftSize + rightSize;
      this.root = root;
      this.height++;
      return;
    }
    const parent = this.pathNode[depth - 1];
    const i = this.pathIdx[depth - 1];
    const base = parent * stride;
    const count = this.iMeta[parent * IM];
    this.iSize[base + i] = leftSize;
    // Open a slot at i + 1.
    const at = base + i + 1;
    const end = base + count;
    this.iChild.copyWithin(at + 1, at, end);
    this.iSize.copyWithin(at + 1, at, end);
    this.iSep.copyWithin(at + 1, at, end);
    const sm = this.iSepMember;
    for (let k = end; k > at; k--) sm[k] = sm[k - 1];
    this.iChild[at] = right;
    this.setParent(right, leaves, parent);
    this.iSize[at] = rightSize;
    this.iSep[at] = sepScore;
    sm[at] = sepMember;
    this.iMeta[parent * IM] = count + 1;
    if (count + 1 > this.iCap) {
      const sibling = this.allocInner();
      const total = count + 1;
      const half = total >>> 1;
      const moved = total - half;
      const from = base + half;
      const to = sibling * stride;
      this.iChild.copyWithin(to, from, from + moved);
      this.iSize.copyWithin(to, from, from + moved);
      this.iSep.copyWithin(to, from, from + moved);
      let movedPairs = 0;
      for (let k = 0; k < moved; k++) {
        sm[to + k] = sm[from + k];
        sm[from + k] = '';
        movedPairs += this.iSize[to + k];
        this.setParent(this.iChild[to + k], leaves, sibling);
      }
      this.iMeta[parent * IM] = half;
      this.iMeta[sibling * IM] = moved;
      this.iMeta[sibling * IM + 1] = movedPairs;
      this.iMeta[parent * IM + 1] -= movedPairs;
      this.addChild(depth - 1, parent, sibling, this.iMeta[parent * IM + 1], movedPairs, this.iSep[to], sm[to]);
    }
  }

  private setParent(child: number, leaf: boolean, parent: number): void {
    if (leaf) this.lMeta[child * LM + 3] = parent;
    else this.iMeta[child * IM + 2] = parent;
  }

  /** Removes a pair (and its member from {@link index}); false when it is not there. */
  remove(score: number, member: string): boolean {
    if (!this.unlinkPair(score, member)) return false;
    this.index.remove(this.removedEntry);
    return true;
  }

  /** Removes `member` (whatever its score); false when it is not in the set. */
  removeMember(member: string): boolean {
    const e = this.index.find(member);
    if (e < 0) return false;
    const score = this.index.scoreOf(e);
    this.unlinkPair(score, member);
    this.index.remove(e);
    this.removedMember = member;
    this.removedScore = score;
    return true;
  }

  /**
   * Takes the pair of entry `e` out of the tree but keeps the entry: {@link reinsert} puts it back
   * (a score update).
   */
  detach(e: number): void {
    this.unlinkPair(this.index.scoreOf(e), this.index.memberOf(e));
  }

  /** Removes a pair from the tree, not from the index: false when it is not there; else its entry is {@link removedEntry}. */
  private unlinkPair(score: number, member: string): boolean {
    let node = this.root;
    let depth = 0;
    for (let h = this.height; h > 0; h--) {
      const i = this.routeLE(node, score, member);
      this.pathNode[depth] = node;
      this.pathIdx[depth] = i;
      depth++;
      node = this.iChild[node * this.iStride + i];
    }
    const pos = this.leafLowerBound(node, score, member);
    const k = node * this.lStride + pos;
    if (pos === this.lMeta[node * LM] || this.lScore[k] !== score || this.lMember[k] !== member) return false;
    this.removedEntry = this.lMeta[this.eOff + node * this.lStride + pos];
    this.removeFromLeaf(node, pos, depth);
    return true;
  }

  /**
   * Removes the pair at `rank` (0-based, in range) and its member; it is left in
   * {@link removedMember} / {@link removedScore}.
   */
  removeAt(rank: number): void {
    let node = this.root;
    let depth = 0;
    let r = rank;
    const stride = this.iStride;
    for (let h = this.height; h > 0; h--) {
      const base = node * stride;
      let i = 0;
      while (r >= this.iSize[base + i]) r -= this.iSize[base + i++];
      this.pathNode[depth] = node;
      this.pathIdx[depth] = i;
      depth++;
      node = this.iChild[base + i];
    }
    const k = node * this.lStride + r;
    this.removedMember = this.lMember[k];
    this.removedScore = this.lScore[k];
    const e = this.lMeta[this.eOff + node * this.lStride + r];
    this.removeFromLeaf(node, r, depth);
    this.index.remove(e);
  }

  private removeFromLeaf(leaf: number, pos: number, depth: number): void {
    this.seekRank = -1;
    const stride = this.iStride;
    const base = leaf * this.lStride;
    const count = this.lMeta[leaf * LM];
    const ebase = this.eOff + leaf * this.lStride;
    if (pos < count - 1) {
      this.lScore.copyWithin(base + pos, base + pos + 1, base + count);
      this.lMeta.copyWithin(ebase + pos, ebase + pos + 1, ebase + count);
      const lm = this.lMember;
      for (let k = base + pos; k < base + count - 1; k++) lm[k] = lm[k + 1];
    }
    this.lMember[base + count - 1] = '';
    this.lMeta[ebase + count - 1] = NONE;
    const n = count - 1;
    this.lMeta[leaf * LM] = n;
    this.summarise(leaf);
    this.size--;
    for (let d = 0; d < depth; d++) {
      const node = this.pathNode[d];
      this.iSize[node * stride + this.pathIdx[d]]--;
      this.iMeta[node * IM + 1]--;
    }
    if (depth === 0 || n >= this.lMin) return;
    const parent = this.pathNode[depth - 1];
    const i = this.pathIdx[depth - 1];
    const pbase = parent * stride;
    if (n === 0) {
      this.unlinkLeaf(leaf);
      this.removeChild(parent, i, depth - 1);
      return;
    }
    if (i > 0) {
      const left = this.iChild[pbase + i - 1];
      if (this.lMeta[left * LM] + n <= this.lCap) {
        this.appendLeaf(left, leaf);
        this.iSize[pbase + i - 1] += n;
        this.unlinkLeaf(leaf);
        this.removeChild(parent, i, depth - 1);
        return;
      }
    }
    if (i + 1 < this.iMeta[parent * IM]) {
      const right = this.iChild[pbase + i + 1];
      const m = this.lMeta[right * LM];
      if (m + n <= this.lCap) {
        this.appendLeaf(leaf, right);
        this.iSize[pbase + i] += m;
        this.unlinkLeaf(right);
        this.removeChild(parent, i + 1, depth - 1);
      }
    }
  }

  /** Appends the pairs of leaf `from` to leaf `to`. */
  private appendLeaf(to: number, from: number): void {
    const stride = this.lStride;
    const n = this.lMeta[from * LM];
    const at = to * stride + this.lMeta[to * LM];
    const src = from * stride;
    this.lScore.copyWithin(at, src, src + n);
    const lm = this.lMember;
    const le = this.lMeta;
    const eat = this.eOff + to * this.lStride + this.lMeta[to * LM];
    const esrc = this.eOff + from * this.lStride;
    for (let k = 0; k < n; k++) {
      lm[at + k] = lm[src + k];
      const e = le[esrc + k];
      le[eat + k] = e;
      this.index.setLeaf(e, to);
    }
    this.lMeta[to * LM] += n;
    this.summarise(to);
  }

  private unlinkLeaf(leaf: number): void {
    const prev = this.lMeta[leaf * LM + 2];
    const next = this.lMeta[leaf * LM + 1];
    if (prev !== NONE) this.lMeta[prev * LM + 1] = next;
    else this.head = next;
    if (next !== NONE) this.lMeta[next * LM + 2] = prev;
    else this.tail = prev;
    if (this.seekLeaf === leaf) {
      this.seekLeaf = this.head;
      this.seekIndex = 0;
    }
    this.freeLeaf(leaf);
  }

  /** Drops child `i` of `node` (at path depth `d`), merging or collapsing inner nodes as needed. */
  private removeChild(node: number, i: number, d: number): void {
    const stride = this.iStride;
    const base = node * stride;
    const count = this.iMeta[node * IM];
    const at = base + i;
    const end = base + count;
    this.iChild.copyWithin(at, at + 1, end);
    this.iSize.copyWithin(at, at + 1, end);
    this.iSep.copyWithin(at, at + 1, end);
    const sm = this.iSepMember;
    for (let k = at; k < end - 1; k++) sm[k] = sm[k + 1];
    sm[end - 1] = '';
    const left = count - 1;
    this.iMeta[node * IM] = left;
    if (d === 0) {
      // The root: collapse while it has a single child.
      while (this.height > 0 && this.iMeta[this.root * IM] === 1) {
        const old = this.root;
        this.root = this.iChild[old * stride];
        this.freeInner(old);
        this.height--;
        this.setParent(this.root, this.height === 0, NONE);
      }
      return;
    }
    if (left >= this.iMin) return;
    // Whether `node` and its siblings have leaves for children.
    const leaves = d === this.height - 1;
    const parent = this.pathNode[d - 1];
    const j = this.pathIdx[d - 1];
    const pbase = parent * stride;
    if (left === 0) {
      this.freeInner(node);
      this.removeChild(parent, j, d - 1);
      return;
    }
    if (j > 0) {
      const sibling = this.iChild[pbase + j - 1];
      if (this.iMeta[sibling * IM] + left <= this.iCap) {
        this.mergeInner(sibling, node, this.iSep[pbase + j], sm[pbase + j], leaves);
        this.iSize[pbase + j - 1] = this.iMeta[sibling * IM + 1];
        this.freeInner(node);
        this.removeChild(parent, j, d - 1);
        return;
      }
    }
    if (j + 1 < this.iMeta[parent * IM]) {
      const sibling = this.iChild[pbase + j + 1];
      if (this.iMeta[sibling * IM] + left <= this.iCap) {
        this.mergeInner(node, sibling, this.iSep[pbase + j + 1], sm[pbase + j + 1], leaves);
        this.iSize[pbase + j] = this.iMeta[node * IM + 1];
        this.freeInner(sibling);
        this.removeChild(parent, j + 1, d - 1);
      }
    }
  }

  /** Appends the children of `right` to `left`; `right`'s lower bound becomes its first child's separator. */
  private mergeInner(left: number, right: number, sepScore: number, sepMember: string, leaves: boolean): void {
    const stride = this.iStride;
    const n = this.iMeta[right * IM];
    const at = left * stride + this.iMeta[left * IM];
    const src = right * stride;
    this.iChild.copyWithin(at, src, src + n);
    this.iSize.copyWithin(at, src, src + n);
    this.iSep.copyWithin(at, src, src + n);
    const sm = this.iSepMember;
    for (let k = 0; k < n; k++) {
      sm[at + k] = sm[src + k];
      this.setParent(this.iChild[src + k], leaves, left);
    }
    this.iSep[at] = sepScore;
    sm[at] = sepMember;
    this.iMeta[left * IM] += n;
    this.iMeta[left * IM + 1] += this.iMeta[right * IM + 1];
  }

  // -------------------------------------------------------------------------------------------
  // Queries

  /**
   * 0-based rank of a pair known to be in the tree (a member's current score). Use
   * {@link rankIfPresent} when the pair may be absent.
   */
  rankOf(score: number, member: string): number {
    let node = this.root;
    let rank = 0;
    const stride = this.iStride;
    for (let h = this.height; h > 0; h--) {
      const i = this.routeLE(node, score, member);
      if (i > 0) rank += this.sizesBefore(node, i);
      node = this.iChild[node * stride + i];
    }
    return rank + this.leafLowerBound(node, score, member);
  }

  /**
   * 0-based rank of the pair of entry `e`: from the entry's leaf upwards, adding the pairs under
   * the children left of the path at each level. No search by score: the leaf's entries are
   * scanned for `e` (a few consecutive lines), then each parent's children for the child.
   */
  rankOfEntry(e: number): number {
    const le = this.lMeta;
    let node = this.index.leafOf(e);
    const row = this.eOff + node * this.lStride;
    let k = row;
    while (le[k] !== e) k++;
    let rank = k - row;
    let parent = le[node * LM + 3];
    const stride = this.iStride;
    const children = this.iChild;
    while (parent !== NONE) {
      const pbase = parent * stride;
      let i = pbase;
      while (children[i] !== node) i++;
      rank += this.sizesBefore(parent, i - pbase);
      node = parent;
      parent = this.iMeta[parent * IM + 2];
    }
    return rank;
  }

  /** 0-based rank of `member`, or -1 when it is not in the set. */
  rankOfMember(member: string): number {
    const e = this.index.find(member);
    return e < 0 ? -1 : this.rankOfEntry(e);
  }

  /** 0-based rank of a pair, or -1 when it is not in the tree. */
  rankIfPresent(score: number, member: string): number {
    const rank = this.rankOf(score, member);
    if (rank >= this.size) return -1;
    const leaf = this.seek(rank);
    const k = leaf * this.lStride + this.seekIndex;
    return this.lScore[k] === score && this.lMember[k] === member ? rank : -1;
  }

  /**
   * Rank of the first pair >= (score, member), or `size` when there is none. `member` null stands
   * for a member above every member: the rank of the first pair whose score is above `score`.
   * Leaves the cursor ({@link seekLeaf}, {@link seekIndex}) on that pair when there is one.
   */
  lowerBound(score: number, member: string | null): number {
    let node = this.root;
    let rank = 0;
    const stride = this.iStride;
    for (let h = this.height; h > 0; h--) {
      const i = this.routeLT(node, score, member);
      if (i > 0) rank += this.sizesBefore(node, i);
      node = this.iChild[node * stride + i];
    }
    const pos = this.leafLowerBound(node, score, member);
    rank += pos;
    this.setCursor(node, pos, rank);
    return rank;
  }

  /**
   * Rank of the first pair whose member is >= `value` (> with `exclusive`), searching as if members
   * were in order (they are when every score is equal, the case lex ranges are defined for).
   */
  lexLowerBound(value: string, exclusive: boolean): number {
    let node = this.root;
    let rank = 0;
    const stride = this.iStride;
    const sm = this.iSepMember;
    for (let h = this.height; h > 0; h--) {
      const base = node * stride;
      let lo = 1;
      let hi = this.iMeta[node * IM];
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const m = sm[base + mid];
        if (exclusive ? m <= value : m < value) lo = mid + 1;
        else hi = mid;
      }
      const i = lo - 1;
      if (i > 0) rank += this.sizesBefore(node, i);
      node = this.iChild[base + i];
    }
    const lm = this.lMember;
    const base = node * this.lStride;
    let lo = 0;
    let hi = this.lMeta[node * LM];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = lm[base + mid];
      if (exclusive ? m <= value : m < value) lo = mid + 1;
      else hi = mid;
    }
    rank += lo;
    this.setCursor(node, lo, rank);
    return rank;
  }

  /** Positions the cursor at `pos` of `leaf` (moving to the next leaf at its end). */
  private setCursor(leaf: number, pos: number, rank: number): void {
    if (pos === this.lMeta[leaf * LM]) {
      const next = this.lMeta[leaf * LM + 1];
      if (next === NONE) {
        this.seekRank = -1;
        return;
      }
      leaf = next;
      pos = 0;
    }
    this.seekLeaf = leaf;
    this.seekIndex = pos;
    this.seekRank = rank;
  }

  /** Finds the pair at `rank` (0-based, in range): returns its leaf and sets {@link seekLeaf} and {@link seekIndex}. */
  seek(rank: number): number {
    const at = this.seekRank;
    if (at >= 0) {
      // Next to the cursor in its leaf (a lower bound's neighbour, a walk's next step).
      if (rank === at) return this.seekLeaf;
      const index = this.seekIndex + (rank - at);
      if (index >= 0 && index < this.lMeta[this.seekLeaf * LM] && (rank - at === 1 || at - rank === 1)) {
        this.seekIndex = index;
        this.seekRank = rank;
        return this.seekLeaf;
      }
    }
    const headCount = this.lMeta[this.head * LM];
    if (rank < headCount) {
      this.seekLeaf = this.head;
      this.seekIndex = rank;
    } else if (this.size - 1 - rank < this.lMeta[this.tail * LM]) {
      this.seekLeaf = this.tail;
      this.seekIndex = this.lMeta[this.tail * LM] - (this.size - rank);
    } else {
      let node = this.root;
      let r = rank;
      const stride = this.iStride;
      const sizes = this.iSize;
      for (let h = this.height; h > 0; h--) {
        const base = node * stride;
        let i = base;
        while (r >= sizes[i]) r -= sizes[i++];
        node = this.iChild[i];
      }
      this.seekLeaf = node;
      this.seekIndex = r;
    }
    this.seekRank = rank;
    return this.seekLeaf;
  }

  /** The member at `rank` (in range). */
  memberAt(rank: number): string {
    const leaf = this.seek(rank);
    return this.lMember[leaf * this.lStride + this.seekIndex];
  }

  /** The score at `rank` (in range). */
  scoreAt(rank: number): number {
    const leaf = this.seek(rank);
    return this.lScore[leaf * this.lStride + this.seekIndex];
  }

  /**
   * Visits pairs from rank `start` (in range) forwards, or backwards with `reverse`, until `visit`
   * returns false or the pairs run out.
   */
  forEachFrom(start: number, reverse: boolean, visit: (member: string, score: number) => boolean | void): void {
    let leaf = this.seek(start);
    let k = this.seekIndex;
    const stride = this.lStride;
    while (leaf !== NONE) {
      const base = leaf * stride;
      if (reverse) {
        for (; k >= 0; k--) if (visit(this.lMember[base + k], this.lScore[base + k]) === false) return;
        leaf = this.lMeta[leaf * LM + 2];
        if (leaf !== NONE) k = this.lMeta[leaf * LM] - 1;
      } else {
        const count = this.lMeta[leaf * LM];
        for (; k < count; k++) if (visit(this.lMember[base + k], this.lScore[base + k]) === false) return;
        leaf = this.lMeta[leaf * LM + 1];
        k = 0;
      }
    }
  }

  /** Every pair in order, as two arrays. */
  toArrays(): { members: string[]; scores: number[] } {
    const members: string[] = [];
    const scores: number[] = [];
    for (let leaf = this.head; leaf !== NONE; leaf = this.lMeta[leaf * LM + 1]) {
      const base = leaf * this.lStride;
      for (let k = 0; k < this.lMeta[leaf * LM]; k++) {
        members.push(this.lMember[base + k]);
        scores.push(this.lScore[base + k]);
      }
    }
    return { members, scores };
  }

  /** Checks the structure's invariants (tests): throws on the first violation. */
  check(): void {
    const lStride = this.lStride;
    const iStride = this.iStride;
    let count = 0;
    let prevScore = -Infinity;
    let prevMember: string | null = null;
    let prevLeaf = NONE;
    for (let leaf = this.head; leaf !== NONE; leaf = this.lMeta[leaf * LM + 1]) {
      if (this.lMeta[leaf * LM + 2] !== prevLeaf) throw new Error('broken leaf links');
      if (this.lMeta[leaf * LM] === 0 && this.size !== 0) throw new Error('empty leaf in a non-empty tree');
      const base = leaf * lStride;
      for (let k = 0; k < this.lMeta[leaf * LM]; k++) {
        const s = this.lScore[base + k];
        const m = this.lMember[base + k];
        if (prevMember !== null && !(prevScore < s || (prevScore === s && prevMember < m))) {
          throw new Error(`out of order at ${count}`);
        }
        prevScore = s;
        prevMember = m;
        count++;
        const e = this.lMeta[this.eOff + leaf * this.lStride + k];
        const index = this.index;
        if (e < 0 || index.memberOf(e) !== m || !Object.is(index.scoreOf(e), s) || index.leafOf(e) !== leaf) {
          throw new Error(`pair ${count - 1} disagrees with its entry`);
        }
      }
      for (let k = 0; k < this.sStride; k++) {
        const at = k << BLOCK_BITS;
        const want = at < this.lMeta[leaf * LM] ? this.lScore[base + at] : Infinity;
        if (!Object.is(this.lSum[leaf * this.sStride + k], want)) throw new Error(`stale summary in leaf ${leaf}`);
      }
      prevLeaf = leaf;
    }
    if (prevLeaf !== this.tail) throw new Error('tail is not the last leaf');
    if (count !== this.size) throw new Error(`size ${this.size} but ${count} pairs`);
    this.index.check();
    if (this.index.size !== this.size) throw new Error(`index holds ${this.index.size} members, tree ${this.size}`);
    const parentOf = (node: number, leaf: boolean) => (leaf ? this.lMeta[node * LM + 3] : this.iMeta[node * IM + 2]);
    if (parentOf(this.root, this.height === 0) !== NONE) throw new Error('the root has a parent');
    const walk = (node: number, h: number, lowScore: number, lowMember: string | null): number => {
      if (h === 0) {
        const base = node * lStride;
        if (lowMember !== null && this.lMeta[node * LM] > 0) {
          const s = this.lScore[base];
          if (s < lowScore || (s === lowScore && this.lMember[base] < lowMember)) throw new Error('pair below its separator');
        }
        return this.lMeta[node * LM];
      }
      const base = node * iStride;
      const n = this.iMeta[node * IM];
      if (n === 0) throw new Error('empty inner node');
      let total = 0;
      for (let k = 0; k < n; k++) {
        const child = this.iChild[base + k];
        if (parentOf(child, h === 1) !== node) throw new Error(`child ${k} of ${node} has the wrong parent`);
        const got =
          k === 0 ? walk(child, h - 1, lowScore, lowMember) : walk(child, h - 1, this.iSep[base + k], this.iSepMember[base + k]);
        if (got !== this.iSize[base + k]) throw new Error(`size of child ${k} is ${this.iSize[base + k]}, holds ${got}`);
        total += got;
      }
      if (total !== this.iMeta[node * IM + 1]) throw new Error('inner total disagrees');
      return total;
    };
    walk(this.root, this.height, -Infinity, null);
  }
}

function grow32(old: Int32Array, length: number): Int32Array {
  const next = new Int32Array(length);
  next.set(old);
  return next;
}
