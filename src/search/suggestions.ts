/**
 * FT.SUGADD's suggestion dictionary: a key of RediSearch's module type `trietype0` holding
 * strings with float scores and optional payloads. FT.SUGGET ranks prefix (or FUZZY, one edit)
 * matches as the module's Trie_Search does (src/trie/trie_type.c): an exact match scores INT_MAX,
 * a fuzzy match is multiplied by exp(−2·distance), every match is divided by
 * √(1 + |length − prefix length|), the best MAX are kept, and results under a tenth of the best
 * are trimmed.
 */
import { RedisObject } from '../keyspace/keyspace.js';
import { editDistanceRow } from './matcher.js';

export interface Suggestion {
  /** The string as added (matched case-insensitively). */
  readonly text: string;
  score: number;
  payload: string | null;
}

const INT_MAX = 2147483647;
const TRIM_FACTOR = 10;

export class SuggestionDictionary extends RedisObject {
  readonly type = 'trietype0';
  /** Folded (lower-case) string → entry. */
  readonly entries = new Map<string, Suggestion>();

  encoding(): string {
    return 'raw';
  }

  clone(): SuggestionDictionary {
    const copy = new SuggestionDictionary();
    for (const [k, e] of this.entries) copy.entries.set(k, { ...e });
    return copy;
  }

  override memoryUsage(): number {
    let n = 64;
    for (const e of this.entries.values()) n += 48 + e.text.length + (e.payload?.length ?? 0);
    return n;
  }

  /** Adds (or with `incr` adds to) a suggestion; answers the dictionary's size. */
  add(text: string, score: number, incr: boolean, payload: string | null): number {
    const key = text.toLowerCase();
    const old = this.entries.get(key);
    // Scores are kept as the module's floats.
    const value = Math.fround(incr && old !== undefined ? old.score + score : score);
    this.entries.set(key, { text: old?.text ?? text, score: value, payload: payload ?? old?.payload ?? null });
    this.resized();
    return this.entries.size;
  }

  delete(text: string): boolean {
    const removed = this.entries.delete(text.toLowerCase());
    if (removed) this.resized();
    return removed;
  }

  /** Matches for a prefix, best first. */
  search(prefix: string, fuzzy: boolean, max: number): Array<Suggestion & { rank: number }> {
    const query = [...prefix.toLowerCase()];
    const len = Buffer.byteLength(prefix, 'utf8');
    const out: Array<Suggestion & { rank: number }> = [];
    for (const [key, entry] of [...this.entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const runes = [...key];
      const distance = prefixDistance(query, runes, fuzzy ? 1 : 0);
      if (distance === null) continue;
      let rank = runes.length > 0 && runes.length === query.length && key === query.join('') ? INT_MAX : entry.score;
      if (fuzzy) rank *= Math.exp(-2 * distance);
      rank = Math.fround(rank / Math.sqrt(1 + Math.abs(runes.length - len)));
      out.push({ ...entry, rank });
    }
    out.sort((a, b) => b.rank - a.rank);
    const kept = out.slice(0, max);
    let best = 0;
    for (let i = 0; i < kept.length; i++) {
      if (best > 0 && kept[i].rank < best / TRIM_FACTOR) return kept.slice(0, i);
      best = Math.max(best, kept[i].rank);
    }
    return kept;
  }
}

/** The fewest edits turning `query` into some prefix of `word` (null when more than `max`). */
function prefixDistance(query: string[], word: string[], max: number): number | null {
  const best = Math.min(...editDistanceRow(query, word));
  return best <= max ? best : null;
}
