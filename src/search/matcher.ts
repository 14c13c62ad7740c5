/**
 * Runs a parsed query against an index's documents and scores the matches as RediSearch 2.10
 * does: each match yields a result tree (terms with frequency, positions and IDF; unions and
 * intersections of them; "virtual" results for tags, numbers, geo and `*`), which the scorer
 * folds. TFIDF, RediSearch's default: Σ(weight·tf·idf) · document score / max term frequency /
 * slop, with idf = logb(1 + (N+1)/df) (src/ext/default.c, src/index.c).
 */
import type { IndexedDoc } from './documents.js';
import type { QueryNode, TermMatch } from './query.js';
import type { FieldSpec } from './schema.js';
import { stemOf } from './text.js';

/** A matched result, the shape RediSearch's scorers walk. */
export type Hit =
  | { kind: 'term'; weight: number; freq: number; idf: number; bm25Idf: number; positions: number[] }
  | { kind: 'agg'; weight: number; children: Hit[] }
  | { kind: 'virtual'; weight: number; freq: number };

/** What the matcher needs from the index. */
export interface MatchIndex {
  readonly fields: readonly FieldSpec[];
  /** Documents holding a word (or `+stem`) in any TEXT field. */
  docFrequency(term: string): number;
  readonly numDocs: number;
  readonly avgDocLen: number;
  /** FT.SYNUPDATE groups: a word's synonyms (itself excluded). */
  synonymsOf(word: string): readonly string[];
  /** The keys of the documents holding a word (or `+stem`). */
  holders(term: string): ReadonlySet<string> | undefined;
}

const EARTH_RADIUS = 6372797.560856;

export function haversine(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const rad = Math.PI / 180;
  const u = Math.sin(((lat2 - lat1) * rad) / 2);
  const v = Math.sin(((lon2 - lon1) * rad) / 2);
  return 2 * EARTH_RADIUS * Math.asin(Math.sqrt(u * u + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * v * v));
}

/** The last row of the edit-distance table of `a` against `b`: entry j is the distance to b's first j characters. */
export function editDistanceRow(a: readonly string[], b: readonly string[]): number[] {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev;
}

/** The Levenshtein distance (more than `max` when the lengths alone say so). */
export function levenshtein(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const ca = [...a];
  const cb = [...b];
  return editDistanceRow(ca, cb)[cb.length];
}

function wordMatches(candidate: string, word: string, match: TermMatch): boolean {
  switch (match) {
    case 'exact':
      return candidate === word;
    case 'prefix':
      return candidate.startsWith(word);
    case 'suffix':
      return candidate.endsWith(word);
    case 'contains':
      return candidate.includes(word);
  }
}

export class Matcher {
  private readonly textFields: ReadonlySet<string>;
  private readonly fieldWeights: ReadonlyMap<string, number>;
  constructor(private readonly index: MatchIndex) {
    this.textFields = new Set(index.fields.filter((f) => f.type === 'TEXT').map((f) => f.attribute));
    this.fieldWeights = new Map(index.fields.map((f) => [f.attribute, f.weight]));
  }

  idf(term: string): number {
    return Math.floor(Math.log2(1 + (this.index.numDocs + 1) / Math.max(1, this.index.docFrequency(term))));
  }

  bm25Idf(term: string): number {
    const n = this.index.numDocs;
    const df = Math.min(n, this.index.docFrequency(term));
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** The hit of one word form in a document, limited to some fields. */
  private formHit(doc: IndexedDoc, form: string, fields: readonly string[] | null, weight: number): Hit | null {
    const byField = doc.terms.get(form);
    if (byField === undefined) return null;
    let freq = 0;
    const positions: number[] = [];
    for (const [field, pos] of byField) {
      if (fields !== null && !fields.includes(field)) continue;
      freq += pos.length * (this.fieldWeights.get(field) ?? 1);
      positions.push(...pos);
    }
    if (positions.length === 0) return null;
    positions.sort((a, b) => a - b);
    return { kind: 'term', weight, freq: Math.max(1, Math.floor(freq)), idf: this.idf(form), bm25Idf: this.bm25Idf(form), positions };
  }

  /** The forms an exact word matches: itself, `+stem`, its stem, its synonyms (cached per node). */
  private readonly exactForms = new WeakMap<QueryNode, string[]>();

  private wordForms(node: Extract<QueryNode, { kind: 'term' }>): string[] {
    let forms = this.exactForms.get(node);
    if (forms === undefined) {
      forms = [node.word];
      if (!node.verbatim) {
        const stemmed = stemOf(node.word);
        forms.push(`+${stemmed ?? node.word}`);
        if (stemmed !== null) forms.push(stemmed);
      }
      // Synonyms: RediSearch indexes a word of a group under the group too; matching any member is the same.
      for (const synonym of this.index.synonymsOf(node.word)) if (!forms.includes(synonym)) forms.push(synonym);
      this.exactForms.set(node, forms);
    }
    return forms;
  }

  private termForms(node: Extract<QueryNode, { kind: 'term' }>, doc: IndexedDoc): string[] {
    if (node.match === 'exact' && node.fuzzy === 0) return this.wordForms(node);
    const out: string[] = [];
    for (const term of doc.terms.keys()) {
      if (term.startsWith('+')) continue;
      if (node.fuzzy > 0 ? levenshtein(term, node.word, node.fuzzy) <= node.fuzzy : wordMatches(term, node.word, node.match)) out.push(term);
    }
    return out;
  }

  private union(children: Hit[], weight: number): Hit | null {
    if (children.length === 0) return null;
    if (children.length === 1 && weight === 1) return children[0];
    return { kind: 'agg', weight, children };
  }

  /**
   * The keys that can match `node`, from the inverted index, or null when any document may (the
   * caller then tries them all). Only narrows: every match is still checked by {@link match}.
   */
  candidates(node: QueryNode): Set<string> | null {
    switch (node.kind) {
      case 'none':
        return new Set();
      case 'term': {
        if (node.match !== 'exact' || node.fuzzy !== 0) return null;
        const out = new Set<string>();
        for (const form of this.wordForms(node)) for (const key of this.index.holders(form) ?? []) out.add(key);
        return out;
      }
      case 'phrase': {
        let out: Set<string> | null = null;
        for (const w of node.words) {
          const keys: ReadonlySet<string> = this.index.holders(w) ?? new Set<string>();
          out = out === null ? new Set(keys) : intersect(out, keys);
        }
        return out;
      }
      case 'and': {
        let out: Set<string> | null = null;
        for (const child of node.children) {
          if (child.kind === 'not' || child.kind === 'optional' || child.kind === 'none') continue;
          const keys: Set<string> | null = this.candidates(child);
          if (keys === null) continue;
          out = out === null ? keys : intersect(out, keys);
        }
        return out;
      }
      case 'or': {
        const out = new Set<string>();
        for (const child of node.children) {
          const keys = this.candidates(child);
          if (keys === null) return null;
          for (const k of keys) out.add(k);
        }
        return out;
      }
      default:
        return null;
    }
  }

  /** The result of `node` for `doc`, or null when it does not match. */
  match(node: QueryNode, doc: IndexedDoc): Hit | null {
    switch (node.kind) {
      case 'all':
        return { kind: 'virtual', weight: 1, freq: 1 };
      case 'none':
        return null;
      case 'term': {
        const fields = node.fields === null ? null : node.fields.filter((f) => this.textFields.has(f));
        if (fields !== null && fields.length === 0) return null;
        const hits: Hit[] = [];
        for (const form of this.termForms(node, doc)) {
          const hit = this.formHit(doc, form, fields, node.weight);
          if (hit !== null) hits.push(hit);
        }
        return this.union(hits, 1);
      }
      case 'phrase': {
        const fields = node.fields === null ? null : node.fields.filter((f) => this.textFields.has(f));
        return this.phrase(doc, node.words, fields, node.weight);
      }
      case 'and': {
        const children: Hit[] = [];
        let positives = 0;
        for (const child of node.children) {
          if (child.kind === 'not') {
            if (this.match(child.child, doc) !== null) return null;
            continue;
          }
          if (child.kind === 'optional') {
            const hit = this.match(child.child, doc);
            if (hit !== null) children.push(hit);
            continue;
          }
          if (child.kind === 'none') continue;
          positives++;
          const hit = this.match(child, doc);
          if (hit === null) return null;
          children.push(hit);
        }
        if (positives === 0 && children.length === 0) children.push({ kind: 'virtual', weight: 1, freq: 1 });
        if (node.slop !== null || node.inorder) {
          const lists = children.filter((h): h is Extract<Hit, { kind: 'term' }> => h.kind === 'term').map((h) => h.positions);
          if (!withinSlop(lists, node.slop ?? Infinity, node.inorder)) return null;
        }
        return { kind: 'agg', weight: node.weight, children };
      }
      case 'or': {
        const hits: Hit[] = [];
        for (const child of node.children) {
          const hit = this.match(child, doc);
          if (hit !== null) hits.push(hit);
        }
        return hits.length === 0 ? null : { kind: 'agg', weight: node.weight, children: hits };
      }
      case 'not':
        return this.match(node.child, doc) === null ? { kind: 'virtual', weight: 1, freq: 1 } : null;
      case 'optional':
        return this.match(node.child, doc) ?? { kind: 'virtual', weight: 0, freq: 0 };
      case 'tag': {
        const tags = doc.tags.get(node.field);
        if (tags === undefined) return null;
        const spec = this.index.fields.find((f) => f.attribute === node.field);
        const cs = spec?.caseSensitive ?? false;
        for (const { value, match } of node.values) {
          const v = cs ? value : value.toLowerCase();
          if (tags.some((t) => wordMatches(t, v, match))) return { kind: 'virtual', weight: node.weight, freq: 1 };
        }
        return null;
      }
      case 'numeric': {
        const values = doc.numbers.get(node.field);
        if (values === undefined) return null;
        const ok = values.some(
          (v) => (node.minExclusive ? v > node.min : v >= node.min) && (node.maxExclusive ? v < node.max : v <= node.max),
        );
        return ok ? { kind: 'virtual', weight: 1, freq: 1 } : null;
      }
      case 'geo': {
        const points = doc.points.get(node.field);
        if (points === undefined) return null;
        return points.some(([lon, lat]) => haversine(node.lon, node.lat, lon, lat) <= node.radius) ? { kind: 'virtual', weight: 1, freq: 1 } : null;
      }
    }
  }

  /** An exact phrase: the words at consecutive positions of one field. */
  private phrase(doc: IndexedDoc, words: string[], fields: string[] | null, weight: number): Hit | null {
    const perWord = words.map((w) => doc.terms.get(w));
    if (perWord.some((m) => m === undefined)) return null;
    const candidates = fields ?? [...this.textFields];
    let found = false;
    for (const field of candidates) {
      const lists = perWord.map((m) => m!.get(field));
      if (lists.some((l) => l === undefined)) continue;
      const rest = lists.slice(1).map((l) => new Set(l));
      if (lists[0]!.some((p) => rest.every((s, i) => s.has(p + i + 1)))) {
        found = true;
        break;
      }
    }
    if (!found) return null;
    const children = words.map((w) => this.formHit(doc, w, fields, 1)!);
    return { kind: 'agg', weight, children };
  }
}

function intersect(a: ReadonlySet<string>, b: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const k of a) if (b.has(k)) out.add(k);
  return out;
}

/** True when one position from each list fits in a window of `slop` gaps (in order if asked). */
function withinSlop(lists: number[][], slop: number, inorder: boolean): boolean {
  if (lists.length < 2) return true;
  const pick = (i: number, chosen: number[]): boolean => {
    if (i === lists.length) {
      const sorted = inorder ? chosen : [...chosen].sort((a, b) => a - b);
      for (let j = 1; j < sorted.length; j++) if (sorted[j] <= sorted[j - 1]) return false;
      return sorted[sorted.length - 1] - sorted[0] - (sorted.length - 1) <= slop;
    }
    for (const p of lists[i].slice(0, 64)) if (pick(i + 1, [...chosen, p])) return true;
    return false;
  };
  return pick(0, []);
}

// ---- scoring --------------------------------------------------------------------------------------

function tfidf(hit: Hit): number {
  switch (hit.kind) {
    case 'term':
      return hit.weight * hit.freq * hit.idf;
    case 'agg':
      return hit.weight * hit.children.reduce((sum, c) => sum + tfidf(c), 0);
    case 'virtual':
      return hit.weight * hit.freq;
  }
}

function bm25(hit: Hit, avgDocLen: number, std: boolean): number {
  const k1 = 1.2;
  const b = 0.5;
  switch (hit.kind) {
    case 'term': {
      const idf = std ? hit.bm25Idf : hit.idf;
      return hit.weight * idf * hit.freq / (hit.freq + k1 * (1 - b + b * avgDocLen));
    }
    case 'agg':
      return hit.weight * hit.children.reduce((sum, c) => sum + bm25(c, avgDocLen, std), 0);
    case 'virtual':
      return hit.freq === 0 ? 0 : hit.weight * hit.freq / (hit.freq + k1 * (1 - b + b * avgDocLen));
  }
}

function dismax(hit: Hit): number {
  switch (hit.kind) {
    case 'term':
    case 'virtual':
      return hit.weight * hit.freq;
    case 'agg':
      return hit.weight * hit.children.reduce((sum, c) => sum + dismax(c), 0);
  }
}

/** IndexResult_MinOffsetDelta: how far apart the matched words are (1 for a single word). */
function slopOf(hit: Hit): number {
  if (hit.kind !== 'agg') return 1;
  const lists = hit.children.map(firstPositions).filter((l) => l.length > 0);
  if (lists.length < 2) return 1;
  let dist = 0;
  for (let i = 0; i + 1 < lists.length; i += 2) {
    let best = Infinity;
    for (const p1 of lists[i]) for (const p2 of lists[i + 1]) best = Math.min(best, Math.abs(p2 - p1));
    dist += best * best;
  }
  return dist > 0 ? Math.max(1, Math.floor(Math.sqrt(dist))) : 1;
}

function firstPositions(hit: Hit): number[] {
  if (hit.kind === 'term') return hit.positions;
  if (hit.kind === 'agg') {
    const all: number[] = [];
    for (const c of hit.children) all.push(...firstPositions(c));
    return all.sort((a, b) => a - b);
  }
  return [];
}

export const SCORERS = ['TFIDF', 'TFIDF.DOCNORM', 'BM25', 'BM25STD', 'DISMAX', 'DOCSCORE', 'HAMMING'] as const;
export type ScorerName = (typeof SCORERS)[number];

/** A document's score for a hit under a scorer (RediSearch's src/ext/default.c formulas). */
export function score(scorer: ScorerName, hit: Hit, doc: IndexedDoc, avgDocLen: number): number {
  switch (scorer) {
    case 'TFIDF':
    case 'TFIDF.DOCNORM': {
      if (doc.score === 0) return 0;
      const norm = scorer === 'TFIDF' ? doc.maxFreq : Math.max(1, doc.len);
      return (doc.score * tfidf(hit)) / norm / slopOf(hit);
    }
    case 'BM25':
    case 'BM25STD':
      return (doc.score * bm25(hit, avgDocLen, scorer === 'BM25STD')) / (scorer === 'BM25' ? slopOf(hit) : 1);
    case 'DISMAX':
      return dismax(hit);
    case 'DOCSCORE':
      return doc.score;
    case 'HAMMING':
      return 0;
  }
}
