/**
 * Eviction under maxmemory, as Redis 7.4's `performEvictions` (evict.c) does it for one shard:
 * while the shard uses more than its maxmemory, pick a key by the `maxmemory-policy` and delete it
 * (reported as `evicted`). When no key can be picked — `noeviction`, or a `volatile-*` policy and no
 * key has a TTL — eviction fails, and dispatch refuses commands flagged `denyoom` with Redis's OOM
 * error.
 *
 * The LRU, LFU and TTL policies use Redis's approximation: each round samples `maxmemory-samples`
 * keys (every key under `allkeys-*`, the keys with a TTL under `volatile-*`) into a pool of the 16
 * best candidates seen so far (kept between rounds, sorted by idle score), then evicts the best
 * one that still exists. The random policies evict a uniformly chosen key. Sampling draws from
 * the cache's seeded PRNG, so a run is deterministic for a seed.
 */
import type { Rng } from '../rng.js';
import type { Keyspace } from './keyspace.js';

/** Redis's EVPOOL_SIZE. */
export const EVICTION_POOL_SIZE = 16;

/** The eviction pool of one keyspace: candidate keys with their idle scores, ascending. */
class EvictionPool {
  readonly keys: (string | null)[] = new Array(EVICTION_POOL_SIZE).fill(null);
  readonly idle: number[] = new Array(EVICTION_POOL_SIZE).fill(0);

  /** `evictionPoolPopulate`'s insertion: keeps the 16 best (highest idle) candidates, sorted. */
  insert(key: string, idle: number): void {
    const keys = this.keys;
    const scores = this.idle;
    let k = 0;
    while (k < EVICTION_POOL_SIZE && keys[k] !== null && scores[k] < idle) k++;
    if (k === 0 && keys[EVICTION_POOL_SIZE - 1] !== null) return; // worse than every candidate in a full pool
    if (k < EVICTION_POOL_SIZE && keys[k] === null) {
      // An empty slot: insert here.
    } else if (keys[EVICTION_POOL_SIZE - 1] === null) {
      // Free space on the right: shift right from k.
      for (let i = EVICTION_POOL_SIZE - 1; i > k; i--) {
        keys[i] = keys[i - 1];
        scores[i] = scores[i - 1];
      }
    } else {
      // No free space: drop the worst (leftmost) and shift left up to k - 1.
      k--;
      for (let i = 0; i < k; i++) {
        keys[i] = keys[i + 1];
        scores[i] = scores[i + 1];
      }
    }
    keys[k] = key;
    scores[k] = idle;
  }

  clear(): void {
    this.keys.fill(null);
  }
}

const pools = new WeakMap<Keyspace, EvictionPool>();

/** What eviction needs from the cache: the policy, the sample size, the PRNG and the time. */
export interface EvictionParams {
  policy: string;
  samples: number;
  rng: Rng;
  now: number;
}

/**
 * Evicts keys from `db` until its dataset estimate is at most `db.evictAbove`. Returns false when
 * it is still above and nothing more can be evicted (the caller then refuses `denyoom` commands).
 */
export function performEvictions(db: Keyspace, params: EvictionParams): boolean {
  if (params.policy === 'noeviction') return db.bytes <= db.evictAbove;
  while (db.bytes > db.evictAbove) {
    const key = pickVictim(db, params);
    if (key === null) return false;
    db.evict(key);
  }
  return true;
}

/** The key the policy evicts next, or null when it has none to offer. */
export function pickVictim(db: Keyspace, params: EvictionParams): string | null {
  const { policy, rng } = params;
  const all = policy.startsWith('allkeys-');
  // allkeys-* keyspaces hold an entry for every key (Keyspace.track); volatile-* sample the TTL index.
  const count = all ? db.allEntryCount : db.volatileCount;
  if (count === 0) return null;
  if (policy.endsWith('-random')) return db.entryAt(rng.below(count), all).key;

  let pool = pools.get(db);
  if (pool === undefined) pools.set(db, (pool = new EvictionPool()));
  const access = db.access;
  const lfu = policy.endsWith('-lfu');
  const ttl = policy === 'volatile-ttl';
  for (;;) {
    // evictionPoolPopulate: sample, score, insert.
    const n = all ? db.allEntryCount : db.volatileCount;
    if (n === 0) return null;
    const samples = Math.min(params.samples, n);
    for (let i = 0; i < samples; i++) {
      const entry = db.entryAt(rng.below(n), all);
      let idle: number;
      if (ttl) idle = Number.MAX_SAFE_INTEGER - entry.when;
      else if (access === null) idle = 0;
      else if (lfu) idle = 255 - access.frequency(entry.stamp, params.now);
      else idle = access.idleMs(entry.stamp, params.now);
      pool.insert(entry.key, idle);
    }
    // The best candidate that still exists (and still has a TTL under volatile-*).
    const keys = pool.keys;
    for (let k = EVICTION_POOL_SIZE - 1; k >= 0; k--) {
      const key = keys[k];
      if (key === null) continue;
      keys[k] = null;
      if (all ? db.holds(key) : db.expireTime(key) !== undefined) return key;
    }
  }
}

/** Forgets a keyspace's pool (the policy changed, or the shard's data was replaced). */
export function resetEvictionPool(db: Keyspace): void {
  pools.get(db)?.clear();
}
