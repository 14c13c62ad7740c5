/**
 * The keyspace's own bookkeeping: keys with a TTL live in entries indexed for active expiry, keys
 * without one are bare values. Random operations are checked against a naive model (a Map of
 * value and expiry time) under each access-tracking mode.
 */
import { describe, expect, it } from 'vitest';
import { Keyspace, NO_TTL } from '../../src/keyspace/keyspace.js';
import { AccessTracker } from '../../src/keyspace/access.js';
import { Rng } from '../../src/rng.js';

type Model = Map<string, { value: string; when: number }>;

function modelGet(model: Model, key: string, now: number): string | undefined {
  const item = model.get(key);
  if (item === undefined) return undefined;
  if (item.when <= now) {
    model.delete(key);
    return undefined;
  }
  return item.value;
}

const modes = [
  { name: 'no tracking', access: null, trackAll: false },
  { name: 'volatile-lru', access: 'lru', trackAll: false },
  { name: 'allkeys-lfu', access: 'lfu', trackAll: true },
] as const;

describe('keyspace entries and the expiry index', () => {
  for (const mode of modes) {
    it(`matches a naive model over random operations (${mode.name})`, () => {
      const rng = new Rng(42);
      let now = 1_000_000;
      const db = new Keyspace();
      db.clockNow = () => now;
      const removed: string[] = [];
      db.onRemoved = (key, reason) => {
        expect(reason).toBe('expired');
        removed.push(key);
      };
      if (mode.access !== null) db.track(new AccessTracker({ mode: mode.access, rng: new Rng(1), since: now }), mode.trackAll, now);
      const model: Model = new Map();
      const keys = ['a', 'b', 'c', 'd', 'e', '__proto__', 'constructor'];
      for (let step = 0; step < 4_000; step++) {
        const key = keys[rng.below(keys.length)];
        const other = keys[rng.below(keys.length)];
        const op = rng.below(10);
        const value = `v${step}`;
        if (op === 0) {
          db.set(key, value);
          model.set(key, { value, when: NO_TTL });
        } else if (op === 1) {
          const when = now + 1 + rng.below(50);
          db.set(key, value, false, when);
          model.set(key, { value, when });
        } else if (op === 2) {
          // SET … KEEPTTL: a key whose time has passed is gone first.
          const old = modelGet(model, key, now) === undefined ? NO_TTL : model.get(key)!.when;
          db.set(key, value, true);
          model.set(key, { value, when: old });
        } else if (op === 3 && db.get(key, now) !== undefined) {
          const when = now + 1 + rng.below(50);
          db.setExpire(key, when);
          modelGet(model, key, now);
          model.get(key)!.when = when;
        } else if (op === 4) {
          const had = db.expireTime(key) !== undefined && db.get(key, now) !== undefined;
          const present = modelGet(model, key, now) !== undefined;
          const persisted = present && db.persist(key);
          expect(persisted).toBe(present && had);
          if (present) model.get(key)!.when = NO_TTL;
        } else if (op === 5) {
          const present = db.get(key, now) !== undefined;
          expect(db.delete(key)).toBe(present);
          expect(modelGet(model, key, now) !== undefined).toBe(present);
          model.delete(key);
        } else if (op === 6 && key !== other && db.get(key, now) !== undefined) {
          if (db.get(other, now) !== undefined) db.delete(other);
          db.rename(key, other);
          modelGet(model, key, now);
          model.set(other, model.get(key)!);
          model.delete(key);
          modelGet(model, other, now);
        } else if (op === 7 && db.get(key, now) !== undefined) {
          db.replace(key, value);
          modelGet(model, key, now);
          model.get(key)!.value = value;
        } else if (op === 8) {
          now += rng.below(20);
        } else if (op === 9) {
          db.activeExpire(now, 1 + rng.below(5));
        }
        // Every step: the keyspace answers as the model does (expiring lazily as it reads).
        for (const k of keys) {
          const expected = modelGet(model, k, now);
          expect(db.peek(k, now)).toBe(expected);
          if (expected !== undefined) {
            const when = model.get(k)!.when;
            expect(db.expireTime(k)).toBe(when === NO_TTL ? undefined : when);
          }
        }
        expect(db.size).toBe(model.size);
        expect(db.volatileCount).toBe([...model.values()].filter((item) => item.when !== NO_TTL).length);
        if (mode.access !== null) {
          for (const k of keys) {
            if (!model.has(k)) continue;
            const stamped = db.stampOf(k) !== undefined;
            // volatile-*: only keys with a TTL are candidates (stamped); allkeys-*: every key.
            expect(stamped).toBe(mode.trackAll || model.get(k)!.when !== NO_TTL);
          }
        }
      }
      expect(removed.length).toBe(db.expiredCount);
    });
  }

  it('active expiry collects every expired key over enough cycles and leaves the rest', () => {
    const db = new Keyspace();
    for (let i = 0; i < 1000; i++) db.set(`k${i}`, 'v', false, i % 2 === 0 ? 100 : 10_000);
    for (let i = 0; i < 1000; i++) db.set(`p${i}`, 'v');
    let cycles = 0;
    while (db.size > 1500 && cycles < 100) {
      db.activeExpire(500);
      cycles++;
    }
    expect(db.size).toBe(1500);
    expect(db.volatileCount).toBe(500);
    expect(db.expiredCount).toBe(500);
    // A cycle that finds nothing expired stops early.
    expect(db.activeExpire(500)).toBe(0);
  });

  it('keeps a renamed key’s TTL and moves it out of the way of its old name', () => {
    const db = new Keyspace();
    db.set('src', 'v', false, 5000);
    db.rename('src', 'dst');
    expect(db.expireTime('dst')).toBe(5000);
    expect(db.holds('src')).toBe(false);
    db.set('src', 'w');
    expect(db.expireTime('src')).toBeUndefined();
    expect(db.activeExpire(6000)).toBe(1);
    expect(db.holds('dst')).toBe(false);
    expect(db.valueOf('src')).toBe('w');
  });
});
