/**
 * FT.SEARCH: the request (options as RediSearch 2.10 parses them), the run (match, score, sort,
 * page) and the rows the command turns into a reply.
 */
import type { CacheCore } from '../core-types.js';
import type { StoredValue } from '../keyspace/keyspace.js';
import { allFields, decodeVector, loadField, type IndexedDoc } from './documents.js';
import type { SearchIndex } from './engine.js';
import { storedName } from './engine.js';
import { haversine, score, SCORERS, type Hit, type ScorerName } from './matcher.js';
import { mapTextFields, parseQuery, wordNodes, type KnnClause, type QueryNode } from './query.js';
import { Args, parseNumberArg, searchError } from './schema.js';
import { stemOf, tokenize } from './text.js';

export const MAX_RESULTS = 1_000_000;
export const DEFAULT_DIALECT = 1;

export interface SearchRequest {
  query: string;
  noContent: boolean;
  verbatim: boolean;
  noStopwords: boolean;
  withScores: boolean;
  withPayloads: boolean;
  withSortKeys: boolean;
  explainScore: boolean;
  filters: Array<{ field: string; min: number; max: number; minExclusive: boolean; maxExclusive: boolean }>;
  geoFilters: Array<{ field: string; lon: number; lat: number; radius: number }>;
  inKeys: string[] | null;
  inFields: string[] | null;
  returns: Array<{ name: string; as: string }> | null;
  summarize: { fields: string[] | null; frags: number; len: number; separator: string } | null;
  highlight: { fields: string[] | null; open: string; close: string } | null;
  slop: number | null;
  inorder: boolean;
  scorer: ScorerName;
  sortBy: { field: string; asc: boolean } | null;
  offset: number;
  limit: number;
  params: Map<string, Buffer>;
  dialect: number;
}

const UNITS: Record<string, number> = { m: 1, km: 1000, mi: 1609.34, ft: 0.3048 };

/** A non-negative integer option value, else the module's error. */
export function integerArg(args: Args, name: string): number {
  const v = args.next();
  if (v === undefined || !/^\d+$/.test(v)) throw searchError(`Bad arguments for ${name}: Could not convert argument to expected type`);
  return Number(v);
}

/** `name count items…`: the counted items. */
function counted(args: Args, name: string): string[] {
  const n = integerArg(args, name);
  if (args.i + n > args.argv.length) throw searchError(`Bad arguments for ${name}: Expected ${n} arguments, but only ${args.argv.length - args.i} were provided`);
  const items = args.argv.slice(args.i, args.i + n) as string[];
  args.i += n;
  return items;
}

/** PARAMS nargs name value …, shared with FT.AGGREGATE. */
export function parseParams(args: Args, params: Map<string, Buffer>, raw: readonly Buffer[]): void {
  const start = args.i + 1;
  const items = counted(args, 'PARAMS');
  if (items.length === 0 || items.length % 2 !== 0) throw searchError('Parameters must be specified in PARAM VALUE pairs');
  for (let j = 0; j < items.length; j += 2) {
    if (params.has(items[j])) throw searchError(`Duplicated parameter \`${items[j]}\``);
    params.set(items[j], raw[start + j + 1]);
  }
}

/** What FT.SEARCH and FT.AGGREGATE share: scorer, parameters, dialect. */
export interface CommonRequest {
  scorer: ScorerName;
  params: Map<string, Buffer>;
  dialect: number;
}

/**
 * Parses an option FT.SEARCH and FT.AGGREGATE both take (SCORER, PARAMS, DIALECT, TIMEOUT) into
 * `req`; false when `word` is none of them.
 */
export function parseCommonOption(word: string, args: Args, req: CommonRequest, raw: readonly Buffer[]): boolean {
  switch (word.toUpperCase()) {
    case 'SCORER': {
      const s = args.need('Bad arguments for SCORER: Expected an argument').toUpperCase();
      if (!(SCORERS as readonly string[]).includes(s)) throw searchError(`Scoring function \`${s}\` not found`);
      req.scorer = s as ScorerName;
      return true;
    }
    case 'PARAMS':
      parseParams(args, req.params, raw);
      return true;
    case 'DIALECT':
      req.dialect = parseDialect(args);
      return true;
    case 'TIMEOUT':
      integerArg(args, 'TIMEOUT');
      return true;
    default:
      return false;
  }
}

/** The error for an option neither command knows. */
export const unknownArgument = (word: string, position: number): Error => searchError(`Unknown argument \`${word}\` at position ${position} for <main>`);

export function parseDialect(args: Args): number {
  const v = args.next();
  if (v === undefined || !/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 4) throw searchError('DIALECT requires a non negative integer >=1 and <= 4');
  return Number(v);
}

/**
 * Parses FT.SEARCH's arguments after the index name. `raw` holds them as bytes (PARAMS values
 * such as vector blobs stay binary).
 */
export function parseSearch(argv: readonly string[], raw: readonly Buffer[]): SearchRequest {
  const req: SearchRequest = {
    query: argv[0],
    noContent: false,
    verbatim: false,
    noStopwords: false,
    withScores: false,
    withPayloads: false,
    withSortKeys: false,
    explainScore: false,
    filters: [],
    geoFilters: [],
    inKeys: null,
    inFields: null,
    returns: null,
    summarize: null,
    highlight: null,
    slop: null,
    inorder: false,
    scorer: 'TFIDF',
    sortBy: null,
    offset: 0,
    limit: 10,
    params: new Map(),
    dialect: DEFAULT_DIALECT,
  };
  const args = new Args(argv, 1);
  while (!args.done) {
    const position = args.i - 1;
    const word = args.next()!;
    switch (word.toUpperCase()) {
      case 'NOCONTENT':
        req.noContent = true;
        break;
      case 'VERBATIM':
        req.verbatim = true;
        break;
      case 'NOSTOPWORDS':
        req.noStopwords = true;
        break;
      case 'WITHSCORES':
        req.withScores = true;
        break;
      case 'WITHPAYLOADS':
        req.withPayloads = true;
        break;
      case 'WITHSORTKEYS':
        req.withSortKeys = true;
        break;
      case 'EXPLAINSCORE':
        req.explainScore = true;
        break;
      case 'INORDER':
        req.inorder = true;
        break;
      case 'FILTER': {
        const field = args.need('Bad arguments for FILTER: Expected an argument');
        const lo = args.next();
        const hi = args.next();
        const bound = (s: string | undefined, which: string): [number, boolean] => {
          const exclusive = s?.startsWith('(') ?? false;
          const text = exclusive ? s!.slice(1) : s;
          // Infinity must carry its sign here (RediSearch tests: `FILTER score 5 inf` → Bad upper range: inf).
          const n = /^inf$/i.test(text ?? '') ? null : parseNumberArg(text);
          if (n === null) throw searchError(`Bad ${which} range: ${s ?? ''}`);
          return [n, exclusive];
        };
        const [min, minExclusive] = bound(lo, 'lower');
        const [max, maxExclusive] = bound(hi, 'upper');
        req.filters.push({ field, min, max, minExclusive, maxExclusive });
        break;
      }
      case 'GEOFILTER': {
        const field = args.need('Bad arguments for GEOFILTER: Expected an argument');
        const nums = [args.next(), args.next(), args.next()].map(parseNumberArg);
        const unit = UNITS[(args.next() ?? '').toLowerCase()];
        if (nums.some((n) => n === null)) throw searchError('Bad arguments for GEOFILTER: Could not convert argument to expected type');
        if (unit === undefined) throw searchError('Invalid GeoFilter unit');
        req.geoFilters.push({ field, lon: nums[0]!, lat: nums[1]!, radius: nums[2]! * unit });
        break;
      }
      case 'INKEYS':
        req.inKeys = [...(req.inKeys ?? []), ...counted(args, 'INKEYS')];
        break;
      case 'INFIELDS':
        req.inFields = counted(args, 'INFIELDS');
        break;
      case 'RETURN': {
        const n = integerArg(args, 'RETURN');
        const end = args.i + n;
        if (end > args.argv.length) throw searchError(`Bad arguments for RETURN: Expected ${n} arguments, but only ${args.argv.length - args.i} were provided`);
        req.returns = [];
        while (args.i < end) {
          const name = args.next()!;
          let as = name;
          if (args.i < end && args.peek()!.toUpperCase() === 'AS') {
            args.i++;
            if (args.i >= end) throw searchError('Bad arguments for RETURN: AS requires an argument');
            as = args.next()!;
          }
          req.returns.push({ name, as });
        }
        if (n === 0) req.noContent = true;
        break;
      }
      case 'SUMMARIZE': {
        const s = { fields: null as string[] | null, frags: 3, len: 20, separator: '... ' };
        for (;;) {
          if (args.take('FIELDS')) s.fields = counted(args, 'FIELDS');
          else if (args.take('FRAGS')) s.frags = integerArg(args, 'FRAGS');
          else if (args.take('LEN')) s.len = integerArg(args, 'LEN');
          else if (args.take('SEPARATOR')) s.separator = args.need('Bad arguments for SEPARATOR: Expected an argument');
          else break;
        }
        req.summarize = s;
        break;
      }
      case 'HIGHLIGHT': {
        const h = { fields: null as string[] | null, open: '<b>', close: '</b>' };
        for (;;) {
          if (args.take('FIELDS')) h.fields = counted(args, 'FIELDS');
          else if (args.take('TAGS')) {
            h.open = args.need('Bad arguments for TAGS: Expected an argument');
            h.close = args.need('Bad arguments for TAGS: Expected an argument');
          } else break;
        }
        req.highlight = h;
        break;
      }
      case 'SLOP': {
        const v = args.next();
        if (v === undefined || !/^-?\d+$/.test(v)) throw searchError('Bad arguments for SLOP: Could not convert argument to expected type');
        req.slop = Number(v);
        break;
      }
      case 'LANGUAGE':
      case 'EXPANDER':
      case 'PAYLOAD':
        args.need(`Bad arguments for ${word.toUpperCase()}: Expected an argument`);
        break;
      case 'SORTBY': {
        const field = args.need('Bad arguments for SORTBY: Expected an argument');
        let asc = true;
        if (args.take('DESC')) asc = false;
        else args.take('ASC');
        args.take('WITHCOUNT');
        req.sortBy = { field: field.startsWith('@') ? field.slice(1) : field, asc };
        break;
      }
      case 'LIMIT': {
        const offset = args.next();
        const num = args.next();
        if (offset === undefined || num === undefined || !/^\d+$/.test(offset) || !/^\d+$/.test(num)) {
          throw searchError('Bad arguments for LIMIT: Could not convert argument to expected type');
        }
        if (Number(offset) + Number(num) > MAX_RESULTS) throw searchError(`LIMIT exceeds maximum of ${MAX_RESULTS}`);
        req.offset = Number(offset);
        req.limit = Number(num);
        break;
      }
      default:
        if (!parseCommonOption(word, args, req, raw)) throw unknownArgument(word, position);
    }
  }
  return req;
}

/** One matched document with what the reply needs. */
export interface SearchRow {
  readonly doc: IndexedDoc;
  readonly score: number;
  readonly hit: Hit;
  /** The KNN distance (when the query has a vector clause). */
  readonly distance: number | null;
  readonly sortKey: string | number | null;
}

/** The stored value of a document's key (null when the key expired in the meantime). */
export function liveValue(cache: CacheCore, doc: IndexedDoc, now: number): StoredValue | null {
  const db = cache.shards[doc.shard].keyspace;
  const when = db.expireTime(doc.key);
  if (when !== undefined && when <= now) return null;
  return db.valueOf(doc.key) ?? null;
}

/** The value a field sorts by: numbers for NUMERIC, normalised text otherwise (UNF keeps case). */
export function sortValue(index: SearchIndex, doc: IndexedDoc, value: StoredValue | null, name: string, now: number): string | number | null {
  const field = index.fields.find((f) => f.attribute === name || f.identifier === name);
  if (field !== undefined) {
    if (field.type === 'NUMERIC') return doc.numbers.get(field.attribute)?.[0] ?? null;
    const t = doc.text.get(field.attribute);
    if (t !== undefined) return field.unf ? t : t.toLowerCase();
  }
  if (value === null) return null;
  const loaded = loadField(value, field?.identifier ?? name, now);
  if (loaded === null) return null;
  const s = loaded.toString();
  const n = Number(s);
  return s.trim() !== '' && !Number.isNaN(n) ? n : s;
}

export function compareSortValues(a: string | number | null, b: string | number | null): number {
  if (a === null || b === null) return a === null ? (b === null ? 0 : 1) : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Distance of a vector to the query blob under the field's metric (vecsim's definitions). */
export function vectorDistance(metric: 'L2' | 'IP' | 'COSINE', a: Float64Array, b: Float64Array, float32: boolean): number {
  const r = float32 ? Math.fround : (x: number) => x;
  let dot = 0;
  let na = 0;
  let nb = 0;
  let l2 = 0;
  for (let i = 0; i < a.length; i++) {
    dot = r(dot + r(a[i] * b[i]));
    na = r(na + r(a[i] * a[i]));
    nb = r(nb + r(b[i] * b[i]));
    const d = r(a[i] - b[i]);
    l2 = r(l2 + r(d * d));
  }
  if (metric === 'L2') return l2;
  if (metric === 'IP') return r(1 - dot);
  const denom = Math.sqrt(na) * Math.sqrt(nb);
  return denom === 0 ? 1 : r(1 - r(dot / denom));
}

/** The query's terms (for HIGHLIGHT / SUMMARIZE): words and their stems, negated ones left out. */
export function queryTerms(node: QueryNode): Set<string> {
  const out = new Set<string>();
  for (const n of wordNodes(node, false)) {
    if (n.kind === 'phrase') {
      n.words.forEach((w) => out.add(w));
      continue;
    }
    out.add(n.word);
    if (!n.verbatim) out.add(`+${stemOf(n.word) ?? n.word}`);
  }
  return out;
}

/** Does a text word match the query's terms (itself or by stem)? */
function wordHit(word: string, terms: ReadonlySet<string>): boolean {
  const lower = word.toLowerCase();
  if (terms.has(lower)) return true;
  const s = stemOf(lower) ?? lower;
  return terms.has(`+${s}`);
}

/** HIGHLIGHT: the matched words of a text wrapped in the tags. */
export function highlight(value: string, terms: ReadonlySet<string>, open: string, close: string): string {
  return value.replace(/[\p{L}\p{N}_']+/gu, (w) => (wordHit(w, terms) ? `${open}${w}${close}` : w));
}

/** SUMMARIZE: up to `frags` fragments of `len` words around matched words, joined by the separator. */
export function summarize(value: string, terms: ReadonlySet<string>, frags: number, len: number, separator: string, tags: { open: string; close: string } | null): string {
  const words = value.split(/\s+/).filter((w) => w.length > 0);
  const hits: number[] = [];
  words.forEach((w, i) => {
    if (tokenize(w, new Set()).some((t) => wordHit(t.term, terms))) hits.push(i);
  });
  const mark = (w: string): string => (tags === null ? w : highlight(w, terms, tags.open, tags.close));
  if (hits.length === 0) return words.slice(0, len).map(mark).join(' ') + separator;
  const fragments: string[] = [];
  let lastEnd = -1;
  for (const h of hits) {
    if (fragments.length >= frags) break;
    const start = Math.max(lastEnd + 1, h - Math.floor(len / 2));
    if (h < start) continue;
    const end = Math.min(words.length, start + len);
    fragments.push(words.slice(start, end).map(mark).join(' '));
    lastEnd = end - 1;
  }
  return fragments.join(separator) + separator;
}

/** Runs a search: the matching documents, scored, sorted and counted (before LIMIT). */
export function runSearch(
  cache: CacheCore,
  index: SearchIndex,
  req: SearchRequest,
  now: number,
): { total: number; rows: SearchRow[]; knn: KnnClause | null; terms: Set<string> } {
  const parsed = parseQuery(req.query, {
    dialect: req.dialect,
    params: req.params,
    stopwords: req.noStopwords ? null : index.stopwords,
    verbatim: req.verbatim,
  });
  let root = parsed.root;
  if (req.inFields !== null) {
    const allowed = req.inFields;
    root = mapTextFields(root, (own) => (own === null ? allowed : own.filter((f) => allowed.includes(f))));
  }
  if (req.slop !== null || req.inorder) {
    if (root.kind === 'and') root = { ...root, slop: root.slop ?? req.slop, inorder: root.inorder || req.inorder };
  }
  // With a KNN clause an empty filter (only stop words) still means every document.
  if (parsed.knn !== null && root.kind === 'none') root = { kind: 'all' };
  for (const f of req.filters) {
    const field = index.fields.find((x) => x.attribute === f.field);
    if (field === undefined || field.type !== 'NUMERIC') throw searchError(`Unknown field \`${f.field}\``);
  }
  const inKeys = req.inKeys === null ? null : new Set(req.inKeys.map(storedName));
  const matcher = index.matcher;
  index.uses++;
  index.lastUsed = now;
  index.dialects.add(req.dialect);
  const rows: SearchRow[] = [];
  let knnField = null as null | { metric: 'L2' | 'IP' | 'COSINE'; query: Float64Array; float32: boolean };
  if (parsed.knn !== null) {
    const field = index.fields.find((f) => f.attribute === parsed.knn!.field);
    if (field === undefined || field.type !== 'VECTOR') throw searchError(`Expected a VECTOR field at offset ${req.query.indexOf('@' + parsed.knn.field)} near ${parsed.knn.field}`);
    const v = field.vector!;
    const query = decodeVector(parsed.knn.blob, v.type, v.dim);
    if (query === null) throw searchError(`Error parsing vector similarity query: query vector blob size (${parsed.knn.blob.length}) does not match index's expected size (${v.dim * (v.type === 'FLOAT32' ? 4 : 8)}).`);
    knnField = { metric: v.metric, query, float32: v.type === 'FLOAT32' };
  }
  for (const doc of candidateDocs(index, root)) {
    if (inKeys !== null && !inKeys.has(doc.key)) continue;
    const hit = matcher.match(root, doc);
    if (hit === null) continue;
    if (!req.filters.every((f) => (doc.numbers.get(f.field) ?? []).some((v) => (f.minExclusive ? v > f.min : v >= f.min) && (f.maxExclusive ? v < f.max : v <= f.max)))) continue;
    if (!req.geoFilters.every((g) => (doc.points.get(g.field) ?? []).some(([lon, lat]) => haversine(g.lon, g.lat, lon, lat) <= g.radius))) continue;
    if (liveValue(cache, doc, now) === null) continue;
    let distance: number | null = null;
    if (knnField !== null) {
      const vec = doc.vectors.get(parsed.knn!.field);
      if (vec === undefined) continue;
      distance = vectorDistance(knnField.metric, vec, knnField.query, knnField.float32);
    }
    rows.push({ doc, hit, distance, score: score(req.scorer, hit, doc, index.avgDocLen), sortKey: null });
  }
  let result = rows;
  if (parsed.knn !== null) {
    result.sort((a, b) => a.distance! - b.distance! || a.doc.docId - b.doc.docId);
    result = result.slice(0, parsed.knn.k);
  }
  if (req.sortBy !== null) {
    const by = req.sortBy;
    // source tests/pytests/test.py: `ft.search ix foo sortby noexist` is this error.
    if (!(parsed.knn !== null && by.field === parsed.knn.as) && !index.fields.some((f) => f.attribute === by.field || f.identifier === by.field)) {
      throw searchError(`Property \`${by.field}\` not loaded nor in schema`);
    }
    const keyed = result.map((r) => ({
      ...r,
      sortKey:
        parsed.knn !== null && by.field === parsed.knn.as ? r.distance : sortValue(index, r.doc, liveValue(cache, r.doc, now), by.field, now),
    }));
    keyed.sort((a, b) => {
      if (a.sortKey === null || b.sortKey === null) return compareSortValues(a.sortKey, b.sortKey) || a.doc.docId - b.doc.docId;
      const c = compareSortValues(a.sortKey, b.sortKey);
      return (by.asc ? c : -c) || a.doc.docId - b.doc.docId;
    });
    result = keyed;
  } else if (parsed.knn === null) {
    result.sort((a, b) => b.score - a.score || a.doc.docId - b.doc.docId);
  }
  return { total: result.length, rows: result.slice(req.offset, req.offset + req.limit), knn: parsed.knn, terms: queryTerms(root) };
}

/** The documents worth matching: those the inverted index names, or all of them. */
export function candidateDocs(index: SearchIndex, root: QueryNode): Iterable<IndexedDoc> {
  const keys = index.matcher.candidates(root);
  if (keys === null) return index.docs.values();
  const docs: IndexedDoc[] = [];
  for (const key of keys) {
    const doc = index.docs.get(key);
    if (doc !== undefined) docs.push(doc);
  }
  return docs;
}

/** A number as RediSearch prints a computed value (`%.12g`, as RSValue_NumToString). */
export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (Number.isInteger(n) && Math.abs(n) < 1e12) return String(n);
  let s = n.toPrecision(12);
  if (s.includes('e')) {
    let [mant, exp] = s.split('e');
    if (mant.includes('.')) mant = mant.replace(/0+$/, '').replace(/\.$/, '');
    const sign = exp.startsWith('-') ? '-' : '+';
    const digits = exp.replace(/^[+-]/, '').padStart(2, '0');
    return `${mant}e${sign}${digits}`;
  }
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

export { allFields, loadField };
