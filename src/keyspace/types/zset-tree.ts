/**
 * The ordered half of a sorted set: a counted B+tree of (score, member) pairs, ordered by score and
 * then by member bytes (members are latin1 byte strings, so `<` on them is a byte-wise compare).
 *
 * Every inner node keeps the number of pairs under each child, so the tree answers both "where is
 * this pair" and "which pair is at rank r" in O(log n): the order-statistic operations ZRANK,
 * ZRANGE by rank, ZCOUNT and friends need. Leaves hold up to {@link NODE_MAX} pairs in two parallel
 * arrays and are linked both ways, so a range is a seek followed by a walk.
 *
 * Routing: child `i > 0` of an inner node holds pairs that are all `>= sep[i]` and `< sep[i + 1]`.
 * Separators are lower bounds, not exact minimums, so removals never need to touch them. A node
 * that falls below a quarter of its capacity merges with a neighbour when both fit in one, so the
 * tree stays O(log n) deep as it shrinks.
 */

/** Most pairs a leaf holds before it splits (and most children of an inner node). */
export const NODE_MAX = 64;

/** A leaf: pairs in order, in two parallel arrays, linked to its neighbours. */
export class Leaf {
  next: Leaf | null = null;
  prev: Leaf | null = null;
  constructor(
    public members: string[],
    public scores: number[],
  ) {}
}

class Inner {
  constructor(
    public children: Node[],
    /** Pairs under each child. */
    public sizes: number[],
    /** Lower bounds of the children (index 0 is only meaningful when this node is split off). */
    public sepScores: number[],
    public sepMembers: string[],
    public size: number,
  ) {}
}

type Node = Leaf | Inner;

/** Index of the last child whose separator is <= (score, member), or 0. */
function routeLE(inner: Inner, score: number, member: string): number {
  const ss = inner.sepScores;
  const sm = inner.sepMembers;
  let lo = 1;
  let hi = ss.length; // answer in [0, hi): find first separator > key, minus one
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const s = ss[mid];
    if (s < score || (s === score && sm[mid] <= member)) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Index of the last child whose separator is < (score, member) (`member` null: above every member), or 0. */
function routeLT(inner: Inner, score: number, member: string | null): number {
  const ss = inner.sepScores;
  const sm = inner.sepMembers;
  let lo = 1;
  let hi = ss.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const s = ss[mid];
    if (s < score || (s === score && (member === null || sm[mid] < member))) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** First position in a leaf whose pair is >= (score, member) (`member` null: above every member). */
function leafLowerBound(leaf: Leaf, score: number, member: string | null): number {
  const ss = leaf.scores;
  const sm = leaf.members;
  let lo = 0;
  let hi = ss.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const s = ss[mid];
    if (s < score || (s === score && (member === null || sm[mid] < member))) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function sumBefore(sizes: number[], i: number): number {
  let total = 0;
  for (let j = 0; j < i; j++) total += sizes[j];
  return total;
}

export class ScoreTree {
  /** Capacities (tests use small ones to exercise splits and merges). */
  private readonly leafMax: number;
  private readonly leafMin: number;
  private readonly innerMax: number;
  private readonly innerMin: number;
  /** Fill of nodes built in bulk (room to grow before the first split). */
  private readonly bulkFill: number;
  private root: Node;
  /** Inner levels above the leaves (0: the root is a leaf). */
  private height = 0;
  /** Number of pairs. */
  size = 0;
  /** First and last leaves (the same leaf while there is one). */
  head: Leaf;
  tail: Leaf;
  /** Where the last {@link seek} landed: a leaf and an index in it. */
  seekLeaf: Leaf;
  seekIndex = 0;
  /** The pair the last {@link removeAt} took out. */
  removedMember = '';
  removedScore = 0;
  // Scratch path of the last descent (reused, so descents allocate nothing).
  private readonly pathNodes: Inner[] = [];
  private readonly pathIdx: number[] = [];

  constructor(capacity = NODE_MAX) {
    if (capacity < 4) throw new RangeError('ScoreTree capacity must be at least 4');
    this.leafMax = this.innerMax = capacity;
    this.leafMin = this.innerMin = capacity >>> 2;
    this.bulkFill = Math.max(2, (capacity * 3) >>> 2);
    const leaf = new Leaf([], []);
    this.root = this.head = this.tail = this.seekLeaf = leaf;
  }

  /** A tree of pairs already in order (no duplicates), built in linear time. */
  static fromSorted(members: string[], scores: number[], capacity = NODE_MAX): ScoreTree {
    const tree = new ScoreTree(capacity);
    const fill = tree.bulkFill;
    const n = members.length;
    if (n === 0) return tree;
    let level: Node[] = [];
    let sizes: number[] = [];
    let firstScores: number[] = [];
    let firstMembers: string[] = [];
    let prev: Leaf | null = null;
    const leafCount = Math.ceil(n / fill);
    for (let k = 0; k < leafCount; k++) {
      // Spread pairs evenly so no leaf is left nearly empty.
      const from = Math.floor((k * n) / leafCount);
      const to = Math.floor(((k + 1) * n) / leafCount);
      const leaf = new Leaf(members.slice(from, to), scores.slice(from, to));
      if (prev === null) tree.head = leaf;
      else {
        prev.next = leaf;
        leaf.prev = prev;
      }
      prev = leaf;
      level.push(leaf);
      sizes.push(to - from);
      firstScores.push(scores[from]);
      firstMembers.push(members[from]);
    }
    tree.tail = prev!;
    let height = 0;
    while (level.length > 1) {
      const count = Math.ceil(level.length / fill);
      const up: Node[] = [];
      const upSizes: number[] = [];
      const upScores: number[] = [];
      const upMembers: string[] = [];
      for (let k = 0; k < count; k++) {
        const from = Math.floor((k * level.length) / count);
        const to = Math.floor(((k + 1) * level.length) / count);
        const childSizes = sizes.slice(from, to);
        let total = 0;
        for (const s of childSizes) total += s;
        up.push(new Inner(level.slice(from, to), childSizes, firstScores.slice(from, to), firstMembers.slice(from, to), total));
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

  /** Adds a pair that is not in the tree. */
  insert(score: number, member: string): void {
    let node = this.root;
    let depth = 0;
    for (let h = this.height; h > 0; h--) {
      const inner = node as Inner;
      const i = routeLE(inner, score, member);
      inner.sizes[i]++;
      inner.size++;
      this.pathNodes[depth] = inner;
      this.pathIdx[depth] = i;
      depth++;
      node = inner.children[i];
    }
    const leaf = node as Leaf;
    const pos = leafLowerBound(leaf, score, member);
    if (pos === leaf.scores.length) {
      leaf.scores.push(score);
      leaf.members.push(member);
    } else {
      leaf.scores.splice(pos, 0, score);
      leaf.members.splice(pos, 0, member);
    }
    this.size++;
    if (leaf.scores.length > this.leafMax) this.splitLeaf(leaf, depth);
  }

  private splitLeaf(leaf: Leaf, depth: number): void {
    const half = leaf.scores.length >>> 1;
    const right = new Leaf(leaf.members.splice(half), leaf.scores.splice(half));
    right.next = leaf.next;
    right.prev = leaf;
    if (leaf.next !== null) leaf.next.prev = right;
    else this.tail = right;
    leaf.next = right;
    this.addChild(depth, leaf, right, leaf.scores.length, right.scores.length, right.scores[0], right.members[0]);
  }

  /**
   * After `left` (the child at the path's position `depth - 1`) split off `right`: puts `right`
   * beside it in the parent, splitting upwards as needed.
   */
  private addChild(
    depth: number,
    left: Node,
    right: Node,
    leftSize: number,
    rightSize: number,
    sepScore: number,
    sepMember: string,
  ): void {
    if (depth === 0) {
      this.root = new Inner([left, right], [leftSize, rightSize], [-Infinity, sepScore], ['', sepMember], leftSize + rightSize);
      this.height++;
      return;
    }
    const parent = this.pathNodes[depth - 1];
    const i = this.pathIdx[depth - 1];
    parent.sizes[i] = leftSize;
    parent.children.splice(i + 1, 0, right);
    parent.sizes.splice(i + 1, 0, rightSize);
    parent.sepScores.splice(i + 1, 0, sepScore);
    parent.sepMembers.splice(i + 1, 0, sepMember);
    if (parent.children.length > this.innerMax) {
      const half = parent.children.length >>> 1;
      const sizes = parent.sizes.splice(half);
      let moved = 0;
      for (const s of sizes) moved += s;
      const sibling = new Inner(
        parent.children.splice(half),
        sizes,
        parent.sepScores.splice(half),
        parent.sepMembers.splice(half),
        moved,
      );
      parent.size -= moved;
      this.addChild(depth - 1, parent, sibling, parent.size, moved, sibling.sepScores[0], sibling.sepMembers[0]);
    }
  }

  /** Removes a pair; false when it is not there. */
  remove(score: number, member: string): boolean {
    let node = this.root;
    let depth = 0;
    for (let h = this.height; h > 0; h--) {
      const inner = node as Inner;
      const i = routeLE(inner, score, member);
      this.pathNodes[depth] = inner;
      this.pathIdx[depth] = i;
      depth++;
      node = inner.children[i];
    }
    const leaf = node as Leaf;
    const pos = leafLowerBound(leaf, score, member);
    if (pos === leaf.scores.length || leaf.scores[pos] !== score || leaf.members[pos] !== member) return false;
    this.removeFromLeaf(leaf, pos, depth);
    return true;
  }

  /** Removes the pair at `rank` (0-based, in range); it is left in {@link removedMember} / {@link removedScore}. */
  removeAt(rank: number): void {
    let node = this.root;
    let depth = 0;
    let r = rank;
    for (let h = this.height; h > 0; h--) {
      const inner = node as Inner;
      const sizes = inner.sizes;
      let i = 0;
      while (r >= sizes[i]) r -= sizes[i++];
      this.pathNodes[depth] = inner;
      this.pathIdx[depth] = i;
      depth++;
      node = inner.children[i];
    }
    const leaf = node as Leaf;
    this.removedMember = leaf.members[r];
    this.removedScore = leaf.scores[r];
    this.removeFromLeaf(leaf, r, depth);
  }

  private removeFromLeaf(leaf: Leaf, pos: number, depth: number): void {
    if (pos === leaf.scores.length - 1) {
      leaf.scores.pop();
      leaf.members.pop();
    } else {
      leaf.scores.splice(pos, 1);
      leaf.members.splice(pos, 1);
    }
    this.size--;
    for (let d = 0; d < depth; d++) {
      const inner = this.pathNodes[d];
      inner.sizes[this.pathIdx[d]]--;
      inner.size--;
    }
    if (depth === 0) return;
    const n = leaf.scores.length;
    if (n >= this.leafMin) return;
    const parent = this.pathNodes[depth - 1];
    const i = this.pathIdx[depth - 1];
    if (n === 0) {
      this.unlinkLeaf(leaf);
      this.removeChild(parent, i, depth - 1);
      return;
    }
    if (i > 0) {
      const left = parent.children[i - 1] as Leaf;
      if (left.scores.length + n <= this.leafMax) {
        for (let k = 0; k < n; k++) {
          left.scores.push(leaf.scores[k]);
          left.members.push(leaf.members[k]);
        }
        parent.sizes[i - 1] += n;
        this.unlinkLeaf(leaf);
        this.removeChild(parent, i, depth - 1);
        return;
      }
    }
    if (i + 1 < parent.children.length) {
      const right = parent.children[i + 1] as Leaf;
      const m = right.scores.length;
      if (m + n <= this.leafMax) {
        for (let k = 0; k < m; k++) {
          leaf.scores.push(right.scores[k]);
          leaf.members.push(right.members[k]);
        }
        parent.sizes[i] += m;
        this.unlinkLeaf(right);
        this.removeChild(parent, i + 1, depth - 1);
      }
    }
  }

  private unlinkLeaf(leaf: Leaf): void {
    if (leaf.prev !== null) leaf.prev.next = leaf.next;
    else this.head = leaf.next!;
    if (leaf.next !== null) leaf.next.prev = leaf.prev;
    else this.tail = leaf.prev!;
    if (this.seekLeaf === leaf) {
      this.seekLeaf = this.head;
      this.seekIndex = 0;
    }
  }

  /** Drops child `i` of `inner` (at path depth `d`), merging or collapsing inner nodes as needed. */
  private removeChild(inner: Inner, i: number, d: number): void {
    inner.children.splice(i, 1);
    inner.sizes.splice(i, 1);
    inner.sepScores.splice(i, 1);
    inner.sepMembers.splice(i, 1);
    const count = inner.children.length;
    if (d === 0) {
      // The root: collapse while it has a single child.
      while (this.height > 0 && (this.root as Inner).children.length === 1) {
        this.root = (this.root as Inner).children[0];
        this.height--;
      }
      return;
    }
    if (count >= this.innerMin) return;
    const parent = this.pathNodes[d - 1];
    const j = this.pathIdx[d - 1];
    if (count === 0) {
      this.removeChild(parent, j, d - 1);
      return;
    }
    if (j > 0) {
      const left = parent.children[j - 1] as Inner;
      if (left.children.length + count <= this.innerMax) {
        this.mergeInner(left, inner, parent.sepScores[j], parent.sepMembers[j]);
        parent.sizes[j - 1] = left.size;
        this.removeChild(parent, j, d - 1);
        return;
      }
    }
    if (j + 1 < parent.children.length) {
      const right = parent.children[j + 1] as Inner;
      if (right.children.length + count <= this.innerMax) {
        this.mergeInner(inner, right, parent.sepScores[j + 1], parent.sepMembers[j + 1]);
        parent.sizes[j] = inner.size;
        this.removeChild(parent, j + 1, d - 1);
      }
    }
  }

  /** Appends the children of `right` to `left`; `right`'s lower bound becomes its first child's separator. */
  private mergeInner(left: Inner, right: Inner, sepScore: number, sepMember: string): void {
    for (let k = 0; k < right.children.length; k++) {
      left.children.push(right.children[k]);
      left.sizes.push(right.sizes[k]);
      left.sepScores.push(k === 0 ? sepScore : right.sepScores[k]);
      left.sepMembers.push(k === 0 ? sepMember : right.sepMembers[k]);
    }
    left.size += right.size;
  }

  /** 0-based rank of a pair, or -1 when it is not in the tree. */
  rankOf(score: number, member: string): number {
    let node = this.root;
    let rank = 0;
    for (let h = this.height; h > 0; h--) {
      const inner = node as Inner;
      const i = routeLE(inner, score, member);
      if (i > 0) rank += sumBefore(inner.sizes, i);
      node = inner.children[i];
    }
    const leaf = node as Leaf;
    const pos = leafLowerBound(leaf, score, member);
    if (pos === leaf.scores.length || leaf.scores[pos] !== score || leaf.members[pos] !== member) return -1;
    return rank + pos;
  }

  /**
   * Rank of the first pair >= (score, member), or `size` when there is none. `member` null stands
   * for a member above every member: the rank of the first pair whose score is above `score`.
   */
  lowerBound(score: number, member: string | null): number {
    let node = this.root;
    let rank = 0;
    for (let h = this.height; h > 0; h--) {
      const inner = node as Inner;
      const i = routeLT(inner, score, member);
      if (i > 0) rank += sumBefore(inner.sizes, i);
      node = inner.children[i];
    }
    return rank + leafLowerBound(node as Leaf, score, member);
  }

  /**
   * Rank of the first pair whose member is >= `value` (> with `exclusive`), searching as if members
   * were in order (they are when every score is equal, the case lex ranges are defined for).
   */
  lexLowerBound(value: string, exclusive: boolean): number {
    let node = this.root;
    let rank = 0;
    for (let h = this.height; h > 0; h--) {
      const inner = node as Inner;
      const sm = inner.sepMembers;
      let lo = 1;
      let hi = sm.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const m = sm[mid];
        if (exclusive ? m <= value : m < value) lo = mid + 1;
        else hi = mid;
      }
      const i = lo - 1;
      if (i > 0) rank += sumBefore(inner.sizes, i);
      node = inner.children[i];
    }
    const members = (node as Leaf).members;
    let lo = 0;
    let hi = members.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = members[mid];
      if (exclusive ? m <= value : m < value) lo = mid + 1;
      else hi = mid;
    }
    return rank + lo;
  }

  /** Finds the pair at `rank` (0-based, in range): sets {@link seekLeaf} and {@link seekIndex}. */
  seek(rank: number): Leaf {
    if (rank < this.head.scores.length) {
      this.seekLeaf = this.head;
      this.seekIndex = rank;
      return this.head;
    }
    const fromEnd = this.size - 1 - rank;
    if (fromEnd < this.tail.scores.length) {
      this.seekLeaf = this.tail;
      this.seekIndex = this.tail.scores.length - 1 - fromEnd;
      return this.tail;
    }
    let node = this.root;
    let r = rank;
    for (let h = this.height; h > 0; h--) {
      const inner = node as Inner;
      const sizes = inner.sizes;
      let i = 0;
      while (r >= sizes[i]) r -= sizes[i++];
      node = inner.children[i];
    }
    this.seekLeaf = node as Leaf;
    this.seekIndex = r;
    return node as Leaf;
  }

  /** The member at `rank` (in range). */
  memberAt(rank: number): string {
    const leaf = this.seek(rank);
    return leaf.members[this.seekIndex];
  }

  /** The score at `rank` (in range). */
  scoreAt(rank: number): number {
    const leaf = this.seek(rank);
    return leaf.scores[this.seekIndex];
  }

  /** Every pair in order, as two arrays. */
  toArrays(): { members: string[]; scores: number[] } {
    const members: string[] = [];
    const scores: number[] = [];
    for (let leaf: Leaf | null = this.head; leaf !== null; leaf = leaf.next) {
      for (let k = 0; k < leaf.scores.length; k++) {
        members.push(leaf.members[k]);
        scores.push(leaf.scores[k]);
      }
    }
    return { members, scores };
  }

  /** Checks the structure's invariants (tests): throws on the first violation. */
  check(): void {
    let count = 0;
    let prevScore = -Infinity;
    let prevMember: string | null = null;
    let prevLeaf: Leaf | null = null;
    for (let leaf: Leaf | null = this.head; leaf !== null; leaf = leaf.next) {
      if (leaf.prev !== prevLeaf) throw new Error('broken leaf links');
      if (leaf.scores.length !== leaf.members.length) throw new Error('leaf arrays differ in length');
      if (leaf.scores.length === 0 && this.size !== 0) throw new Error('empty leaf in a non-empty tree');
      for (let k = 0; k < leaf.scores.length; k++) {
        const s = leaf.scores[k];
        const m = leaf.members[k];
        if (prevMember !== null && !(prevScore < s || (prevScore === s && prevMember < m))) {
          throw new Error(`out of order at ${count}`);
        }
        prevScore = s;
        prevMember = m;
        count++;
      }
      prevLeaf = leaf;
    }
    if (prevLeaf !== this.tail) throw new Error('tail is not the last leaf');
    if (count !== this.size) throw new Error(`size ${this.size} but ${count} pairs`);
    const walk = (node: Node, h: number, lowScore: number, lowMember: string | null): number => {
      if (h === 0) {
        const leaf = node as Leaf;
        if (lowMember !== null && leaf.scores.length > 0) {
          const s = leaf.scores[0];
          if (s < lowScore || (s === lowScore && leaf.members[0] < lowMember)) throw new Error('pair below its separator');
        }
        return leaf.scores.length;
      }
      const inner = node as Inner;
      if (inner.children.length === 0) throw new Error('empty inner node');
      let total = 0;
      for (let k = 0; k < inner.children.length; k++) {
        const n =
          k === 0
            ? walk(inner.children[k], h - 1, lowScore, lowMember)
            : walk(inner.children[k], h - 1, inner.sepScores[k], inner.sepMembers[k]);
        if (n !== inner.sizes[k]) throw new Error(`size of child ${k} is ${inner.sizes[k]}, holds ${n}`);
        total += n;
      }
      if (total !== inner.size) throw new Error('inner size disagrees');
      return total;
    };
    walk(this.root, this.height, -Infinity, null);
  }
}
