/**
 * Flash Optimized tiering (Redis Enterprise Auto Tiering), per primary shard.
 *
 * On a Flash Optimized SKU a fifth of each shard's space is RAM and the rest NVMe (azure-facts §5).
 * Key names, indexes and dictionaries always stay in RAM; a value lives in RAM while it is hot and
 * on Flash once it is cold. Every command that reads or writes a key goes through RAM: a cold value
 * is brought back ("promoted") before use, and when RAM is full the least recently used values go
 * back to Flash ("demoted"). RAM fills first: nothing is demoted until RAM is full. A value larger
 * than 512 KB is never demoted (it is pinned in RAM), so big values can exhaust RAM while Flash still
 * has room: writes then fail with OOM, as AMR documents.
 *
 * The hot set is an `lru-cache` of key → value bytes (the memory model's figure, see
 * src/keyspace/memory.ts); what is not in it, and not pinned, is on Flash. Only Flash SKUs create a
 * tier: every other cache pays one null check per command.
 */
import { LRUCache } from 'lru-cache';
import { keyName, type Bytes } from './keyspace/bytes.js';
import type { Keyspace } from './keyspace/keyspace.js';
import { valueBytes } from './keyspace/keyspace.js';

/** Options of the Flash tier (Flash Optimized SKUs only). */
export interface FlashOptions {
  /** Share of each shard's memory that is RAM (default 0.2: AMR's 20% RAM, 80% NVMe). */
  ramFraction?: number;
  /** Values larger than this many bytes stay in RAM (default 512 KiB, AMR's guidance). */
  pinAboveBytes?: number;
}

/** Where a key's value is. */
export type FlashPlacement = 'ram' | 'flash' | 'pinned';

/** Counters and sizes of one shard's tiering (the Auto Tiering metrics). */
export interface FlashStats {
  shard: number;
  /** RAM available to this shard (its `maxmemory` × `ramFraction`). */
  ramLimitBytes: number;
  /** RAM in use: key names and their overhead, pinned values and hot values. */
  ramUsedBytes: number;
  /** Bytes of key names and per-key overhead (always in RAM). */
  ramKeyBytes: number;
  /** Bytes of values in RAM (hot and pinned). */
  ramValueBytes: number;
  /** Bytes of values on Flash. */
  flashValueBytes: number;
  valuesInRam: number;
  valuesOnFlash: number;
  /** Values kept in RAM for their size. */
  pinnedValues: number;
  /** Share of values in RAM (0–1; 1 when there are none). */
  ramValueRatio: number;
  /** Key accesses that found the value in RAM, and that had to read it from Flash. */
  ramHits: number;
  flashReads: number;
  /** RAM hit ratio: ramHits / (ramHits + flashReads), 1 before any access. */
  ramHitRatio: number;
  /** Values moved from RAM to Flash so far. */
  demotions: number;
}

/** One primary shard's tier. */
export class ShardTier {
  /** Hot values: key → bytes, least recently used first out. */
  private readonly hot = new LRUCache<string, number>({
    // No bound of its own (fit() demotes against the shard's RAM); sizes only satisfy the library.
    maxSize: Number.MAX_SAFE_INTEGER,
    sizeCalculation: (bytes) => Math.max(1, bytes),
  });
  private hotBytes = 0;
  /** Values too large for Flash: key → bytes. */
  private readonly pinned = new Map<string, number>();
  private pinnedBytes = 0;
  /** Values on Flash: key → bytes (a value does not change while it is there: any write promotes it). */
  private readonly cold = new Map<string, number>();
  private coldBytes = 0;
  ramHits = 0;
  flashReads = 0;
  demotions = 0;
  /** The keyspace's flush count when last looked at. */
  private clearsSeen: number;

  constructor(
    readonly index: number,
    private keyspace: Keyspace,
    private readonly options: Required<FlashOptions>,
    private readonly maxmemory: () => number,
  ) {
    this.clearsSeen = keyspace.clears;
  }

  /** RAM available to this shard (Infinity without a memory limit). */
  get ramLimit(): number {
    const maxmemory = this.maxmemory();
    return maxmemory > 0 ? Math.floor(maxmemory * this.options.ramFraction) : Infinity;
  }

  /** RAM in use: everything the memory model counts except the values on Flash. */
  get ramUsed(): number {
    return Math.max(0, this.keyspace.bytes - this.coldBytes);
  }

  /**
   * True when RAM cannot take more even with every hot value demoted: key names, their overhead
   * and pinned values fill it. Commands that may grow memory are refused (OOM) then.
   */
  get ramExhausted(): boolean {
    return this.ramUsed - this.hotBytes > this.ramLimit;
  }

  /** @internal A tier for another shard with the same options (scaling adds shards). */
  sibling(index: number, keyspace: Keyspace): ShardTier {
    return new ShardTier(index, keyspace, this.options, this.maxmemory);
  }

  /** The shard's data was replaced (a promoted replica): every value starts hot. */
  rebind(keyspace: Keyspace): void {
    this.keyspace = keyspace;
    this.clearsSeen = keyspace.clears;
    this.clear();
    for (const key of keyspace.keys()) this.place(key, false);
    this.fit();
  }

  /** Where a key's value is now, or null when the key does not exist. */
  placement(key: string): FlashPlacement | null {
    this.noticeFlush();
    if (!this.keyspace.holds(key)) return null;
    if (this.pinned.has(key)) return 'pinned';
    return this.cold.has(key) ? 'flash' : 'ram';
  }

  /** A command read or wrote the keys at these argv positions: their values come to RAM. */
  touched(argv: readonly Bytes[], positions: readonly number[]): void {
    this.noticeFlush();
    for (let i = 0; i < positions.length; i++) if (positions[i] < argv.length) this.place(keyName(argv[positions[i]]), true);
    this.fit();
  }

  /** A key left without a command naming it (expiry, eviction): it takes no tier any more. */
  forget(key: string): void {
    const hot = this.hot.peek(key);
    if (hot !== undefined) {
      this.hot.delete(key);
      this.hotBytes -= hot;
      return;
    }
    const pinned = this.pinned.get(key);
    if (pinned !== undefined) {
      this.pinned.delete(key);
      this.pinnedBytes -= pinned;
      return;
    }
    const cold = this.cold.get(key);
    if (cold !== undefined) {
      this.cold.delete(key);
      this.coldBytes -= cold;
    }
  }

  /** A flush empties the keyspace without naming keys: the tiers empty too. */
  private noticeFlush(): void {
    if (this.keyspace.clears === this.clearsSeen) return;
    this.clearsSeen = this.keyspace.clears;
    this.clear();
  }

  private clear(): void {
    this.hot.clear();
    this.pinned.clear();
    this.cold.clear();
    this.hotBytes = this.pinnedBytes = this.coldBytes = 0;
  }

  /** Puts a key's current value in RAM (hot or pinned), counting a RAM hit or a Flash read. */
  private place(key: string, counted: boolean): void {
    const wasCold = this.cold.has(key);
    const known = wasCold || this.hot.has(key) || this.pinned.has(key);
    this.forget(key);
    const value = this.keyspace.valueOf(key);
    if (value === undefined) return;
    if (counted && known) {
      if (wasCold) this.flashReads++;
      else this.ramHits++;
    }
    const bytes = valueBytes(value);
    if (bytes > this.options.pinAboveBytes) {
      this.pinned.set(key, bytes);
      this.pinnedBytes += bytes;
    } else {
      this.hot.set(key, bytes);
      this.hotBytes += bytes;
    }
  }

  /** Demotes the least recently used values to Flash until RAM is within its limit. */
  private fit(): void {
    const limit = this.ramLimit;
    while (this.ramUsed > limit && this.hot.size > 0) {
      const key = this.hot.rkeys().next().value as string; // the least recently used
      const bytes = this.hot.peek(key)!;
      this.hot.delete(key);
      this.hotBytes -= bytes;
      this.cold.set(key, bytes);
      this.coldBytes += bytes;
      this.demotions++;
    }
  }

  stats(): FlashStats {
    this.noticeFlush();
    const values = this.keyspace.size;
    const ramUsed = this.ramUsed;
    const ramValueBytes = this.hotBytes + this.pinnedBytes;
    const accesses = this.ramHits + this.flashReads;
    return {
      shard: this.index,
      ramLimitBytes: this.ramLimit,
      ramUsedBytes: ramUsed,
      ramKeyBytes: Math.max(0, ramUsed - ramValueBytes),
      ramValueBytes,
      flashValueBytes: this.coldBytes,
      valuesInRam: values - this.cold.size,
      valuesOnFlash: this.cold.size,
      pinnedValues: this.pinned.size,
      ramValueRatio: values === 0 ? 1 : (values - this.cold.size) / values,
      ramHits: this.ramHits,
      flashReads: this.flashReads,
      ramHitRatio: accesses === 0 ? 1 : this.ramHits / accesses,
      demotions: this.demotions,
    };
  }
}

/**
 * The tiering of a Flash Optimized cache (`cache.flash`; null on other SKUs): where each value is,
 * and each shard's Auto Tiering figures.
 */
export class FlashTiering {
  /** @internal */
  constructor(
    private tiers: readonly ShardTier[],
    private readonly shardOf: (key: Bytes) => number,
  ) {}

  /** @internal The shards' tiers after scaling. */
  retier(tiers: readonly ShardTier[]): void {
    this.tiers = tiers;
  }

  /** Where a key's value is: `'ram'` (hot), `'flash'` (cold), `'pinned'` (too big for Flash), or null. */
  placement(key: Bytes): FlashPlacement | null {
    return this.tiers[this.shardOf(key)].placement(keyName(key));
  }

  /** One shard's figures. */
  stats(shard: number): FlashStats;
  /** Every shard's figures, in shard order. */
  stats(): FlashStats[];
  stats(shard?: number): FlashStats | FlashStats[] {
    if (shard === undefined) return this.tiers.map((tier) => tier.stats());
    const tier = this.tiers[shard];
    if (tier === undefined) throw new RangeError(`no shard ${shard} (this cache has ${this.tiers.length})`);
    return tier.stats();
  }
}

/** Checks and completes the Flash options. */
export function flashOptions(options: FlashOptions | undefined): Required<FlashOptions> {
  const ramFraction = options?.ramFraction ?? 0.2;
  const pinAboveBytes = options?.pinAboveBytes ?? 512 * 1024;
  if (!(ramFraction > 0 && ramFraction <= 1)) throw new RangeError(`flash.ramFraction must be in (0, 1] (got ${String(ramFraction)})`);
  if (!(pinAboveBytes >= 0)) throw new RangeError(`flash.pinAboveBytes must be a non-negative number of bytes (got ${String(pinAboveBytes)})`);
  return { ramFraction, pinAboveBytes };
}
