/**
 * The sorted set's member index (`zset-index.ts`) and the rank climb it enables in the counted
 * B+tree (`zset-tree.ts`): every member found exactly (short members compared from their entry,
 * long ones as strings, colliding hashes told apart), the entries' leaves and the nodes' parents
 * kept current through splits, merges and score updates, and ranks that agree with a naive sorted
 * array after long random runs.
 */
import { describe, expect, it } from 'vitest';
import { INLINE, MemberIndex, hashMember } from '../../src/keyspace/types/zset-index.js';
import { ScoreTree } from '../../src/keyspace/types/zset-tree.js';
import { DEFAULT_ZSET_LIMITS, ZADD_INCR, ZSet } from '../../src/keyspace/types/zset.js';

/** A small deterministic PRNG (LCG): `next()` in [0, 1). */
function prng(seed: number): () => number {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 4294967296;
}

/** Long members that differ only in the middle: same length, same first and last 512 bytes, so the same hash. */
function colliding(i: number): string {
  return 'p'.repeat(600) + String(i).padStart(6, '0') + 's'.repeat(600);
}

/** A member of one of several shapes: empty, short, exactly inline-sized, just past it, latin1 bytes, long. */
function someMember(rand: () => number): string {
  const n = Math.floor(rand() * 400);
  switch (Math.floor(rand() * 6)) {
    case 0:
      return n % 7 === 0 ? '' : `m${n}`;
    case 1:
      return `${n}`.padStart(INLINE, 'x');
    case 2:
      return `${n}`.padStart(INLINE + 1, 'y');
    case 3:
      return `\u00ff\u0000${String.fromCharCode(n & 0xff)}${n}`;
    case 4:
      return colliding(n);
    default:
      return `member:${n}:`.repeat(1 + (n % 5));
  }
}

function cmpPair(a: [number, string], b: [number, string]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

describe('MemberIndex', () => {
  it('hashes long members on their ends and length (so the colliding fixtures do collide)', () => {
    expect(hashMember(colliding(1))).toBe(hashMember(colliding(2)));
    expect(hashMember('member:1')).not.toBe(hashMember('member:2'));
  });

  it('tells apart members whose hash, length and first inline bytes agree', () => {
    const index = new MemberIndex();
    const a = index.add(colliding(1), 1);
    const b = index.add(colliding(2), 2);
    expect(index.find(colliding(1))).toBe(a);
    expect(index.find(colliding(2))).toBe(b);
    expect(index.find(colliding(3))).toBe(-1);
    // Short members: compared byte by byte from the entry, length included.
    const short = 'x'.repeat(INLINE);
    index.add(short, 3);
    expect(index.get(short)).toBe(3);
    expect(index.get(short.slice(1))).toBeUndefined();
    expect(index.get(`${short}x`)).toBeUndefined();
    expect(index.get(`${short.slice(1)}y`)).toBeUndefined();
    index.add('', 4);
    expect(index.get('')).toBe(4);
    expect(index.get('\u0000')).toBeUndefined();
    index.check();
  });

  it('agrees with a Map under a long random run of adds and removes (growing and shrinking)', () => {
    const rand = prng(7);
    const index = new MemberIndex();
    const model = new Map<string, number>();
    const entries = new Map<string, number>();
    for (let step = 0; step < 20_000; step++) {
      // Grow for a while, then shrink to almost nothing, so both table resizes run.
      const adding = step < 8000 ? rand() < 0.7 : step < 16_000 ? rand() < 0.2 : rand() < 0.5;
      const member = someMember(rand);
      if (adding) {
        if (model.has(member)) {
          expect(index.find(member)).toBe(entries.get(member));
          continue;
        }
        const score = Math.floor(rand() * 100) - 50;
        const e = index.add(member, score);
        model.set(member, score);
        entries.set(member, e);
        expect(index.memberOf(e)).toBe(member);
      } else {
        const e = index.find(member);
        expect(e).toBe(entries.get(member) ?? -1);
        if (e >= 0) {
          index.remove(e);
          model.delete(member);
          entries.delete(member);
        }
      }
      expect(index.size).toBe(model.size);
      if (step % 499 === 0) {
        index.check();
        for (const [m, s] of model) expect(index.get(m)).toBe(s);
        expect(new Map(index.entries())).toEqual(model);
        expect(new Set(index.keys())).toEqual(new Set(model.keys()));
        expect([...index.values()].sort()).toEqual([...model.values()].sort());
      }
    }
  });
});

describe('ScoreTree rank by member (leaf entries, parent pointers)', () => {
  for (const capacity of [4, 5, 8, 64]) {
    it(`agrees with a sorted array after random inserts, removals and score updates (capacity ${capacity})`, () => {
      const rand = prng(1000 + capacity);
      const tree = new ScoreTree(capacity);
      const model = new Map<string, number>();
      const sorted = () => [...model].map(([m, s]) => [s, m] as [number, string]).sort(cmpPair);
      for (let step = 0; step < 8000; step++) {
        const r = rand();
        const member = `m${Math.floor(rand() * 1500)}`;
        const score = Math.floor(rand() * 40) - 20;
        if (r < 0.45) {
          if (model.has(member)) continue;
          tree.insert(score, member);
          model.set(member, score);
        } else if (r < 0.65) {
          // A score update: the pair leaves the tree and comes back with its entry kept.
          const e = tree.index.find(member);
          if (e < 0) continue;
          tree.detach(e);
          tree.reinsert(e, score);
          expect(tree.index.find(member)).toBe(e);
          model.set(member, score);
        } else if (r < 0.85) {
          expect(tree.removeMember(member)).toBe(model.delete(member));
        } else if (model.size > 0) {
          const pairs = sorted();
          const i = Math.floor(rand() * pairs.length);
          tree.removeAt(i);
          expect([tree.removedScore, tree.removedMember]).toEqual(pairs[i]);
          model.delete(pairs[i][1]);
        }
        if (step % 101 === 0) {
          tree.check();
          const pairs = sorted();
          expect(tree.size).toBe(pairs.length);
          for (let k = 0; k < pairs.length; k++) {
            expect(tree.rankOfMember(pairs[k][1])).toBe(k);
            expect(tree.index.get(pairs[k][1])).toBe(pairs[k][0]);
          }
          expect(tree.rankOfMember('absent')).toBe(-1);
        }
      }
      // Empty it (merges and root collapses), then use it again.
      for (const [, m] of sorted()) expect(tree.removeMember(m)).toBe(true);
      tree.check();
      expect(tree.size).toBe(0);
      expect(tree.index.size).toBe(0);
      tree.insert(2, 'b');
      tree.insert(1, 'a');
      expect(tree.rankOfMember('b')).toBe(1);
      tree.check();
    });
  }

  it('ranks members of a bulk-built tree, and keeps doing so as it changes', () => {
    const members = Array.from({ length: 3000 }, (_, i) => `m${String(i).padStart(5, '0')}`);
    const scores = members.map((_, i) => Math.floor(i / 7));
    const tree = ScoreTree.fromSorted(members, scores, 5);
    tree.check();
    for (let i = 0; i < members.length; i += 13) expect(tree.rankOfMember(members[i])).toBe(i);
    // Move every third member to the front: ranks shift accordingly.
    const model = members.map((m, i) => [scores[i], m] as [number, string]);
    for (let i = 0; i < members.length; i += 3) {
      const e = tree.index.find(members[i]);
      tree.detach(e);
      tree.reinsert(e, -1);
      model[i] = [-1, members[i]];
    }
    model.sort(cmpPair);
    tree.check();
    for (let k = 0; k < model.length; k += 11) expect(tree.rankOfMember(model[k][1])).toBe(k);
  });

  it('ranks in a sorted set of long, colliding members', () => {
    const zset = new ZSet(false, new ScoreTree(4));
    const rand = prng(99);
    const model = new Map<string, number>();
    for (let step = 0; step < 3000; step++) {
      const member = colliding(Math.floor(rand() * 200));
      if (rand() < 0.7) {
        const by = Math.floor(rand() * 10) - 5;
        zset.add(by, member, ZADD_INCR, DEFAULT_ZSET_LIMITS);
        model.set(member, (model.get(member) ?? 0) + by);
      } else {
        expect(zset.delete(member)).toBe(model.delete(member));
      }
    }
    zset.tree.check();
    const pairs = [...model].map(([m, s]) => [s, m] as [number, string]).sort(cmpPair);
    expect(zset.length).toBe(pairs.length);
    pairs.forEach(([score, member], k) => {
      expect(zset.rank(member, false)).toBe(k);
      expect(zset.rank(member, true)).toBe(pairs.length - 1 - k);
      expect(zset.score(member)).toBe(score);
    });
    expect(zset.rank(colliding(999), false)).toBe(-1);
    expect(zset.rank(colliding(999), true)).toBe(-1);
  });
});
