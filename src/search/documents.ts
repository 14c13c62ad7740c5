/**
 * Documents as an index holds them: each HASH or JSON key under the index's prefixes, read into
 * per-field values (text words with positions, tags, numbers, points, vectors) when it changes.
 * RediSearch gives a document a new id each time it is (re)indexed; ties in score order by it.
 */
import type { StoredValue } from '../keyspace/keyspace.js';
import { RedisHash } from '../keyspace/types/hash.js';
import { JsonDocument, stringifyJson, type JsonValue } from '../keyspace/types/json.js';
import { compilePath, JsonPath } from '../keyspace/types/json-path.js';
import { text } from '../keyspace/bytes.js';
import type { FieldSpec, IndexSchema } from './schema.js';
import { splitTags, stemOf, tokenize } from './text.js';

/** Positions of one word in one TEXT field. */
export type Positions = number[];

export interface IndexedDoc {
  readonly key: string;
  readonly docId: number;
  /** The shard whose keyspace holds the key. */
  readonly shard: number;
  readonly score: number;
  readonly payload: string | null;
  /** Word (or `+stem`) → TEXT field attribute → positions. */
  readonly terms: Map<string, Map<string, Positions>>;
  /** The largest weighted frequency of any word (TFIDF's norm). */
  readonly maxFreq: number;
  /** Words indexed (TFIDF.DOCNORM's norm, BM25's length). */
  readonly len: number;
  /** Field attribute → value as indexed. */
  readonly text: Map<string, string>;
  readonly tags: Map<string, string[]>;
  readonly numbers: Map<string, number[]>;
  readonly points: Map<string, Array<readonly [number, number]>>;
  readonly vectors: Map<string, Float64Array>;
}

/** Why a document could not be indexed (FT.INFO's indexing failures). */
export class IndexingFailure extends Error {}

/** The raw values of a field in a stored value: strings for hashes, JSON values for documents. */
function fieldValues(value: StoredValue, field: FieldSpec): Array<string | JsonValue> {
  if (value instanceof RedisHash) {
    const v = value.fields.get(fieldKey(field.identifier));
    return v === undefined ? [] : [field.type === 'VECTOR' ? v.toString() : text(v)];
  }
  if (value instanceof JsonDocument) {
    return compilePath(new JsonPath(field.identifier).path)
      .select(value.root)
      .map((m) => m.value);
  }
  return [];
}

/** A hash field name as stored (latin1 bytes of the UTF-8 name). */
function fieldKey(name: string): string {
  return Buffer.from(name, 'utf8').toString('latin1');
}

/** The raw bytes of a hash field (vector blobs). */
function hashBytes(value: RedisHash, name: string): Buffer | undefined {
  const v = value.fields.get(fieldKey(name));
  if (v === undefined) return undefined;
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
}

const jsonTypeName = (v: JsonValue): string =>
  v === null ? 'Null' : typeof v === 'boolean' ? 'Boolean' : typeof v === 'string' ? 'String' : typeof v === 'number' || typeof v === 'bigint' ? 'Number' : Array.isArray(v) ? 'Array' : 'Object';

/** Scalars of a JSON match: an array contributes its elements (one level), as RediSearch does. */
function scalars(values: Array<string | JsonValue>): Array<string | JsonValue> {
  const out: Array<string | JsonValue> = [];
  for (const v of values) {
    if (Array.isArray(v)) out.push(...v);
    else out.push(v);
  }
  return out;
}

export function parseGeo(s: string): readonly [number, number] | null {
  const m = /^\s*([+-]?[\d.]+(?:e[+-]?\d+)?)\s*[, ]\s*([+-]?[\d.]+(?:e[+-]?\d+)?)\s*$/i.exec(s);
  if (m === null) return null;
  const lon = Number(m[1]);
  const lat = Number(m[2]);
  if (!Number.isFinite(lon) || !Number.isFinite(lat) || lon < -180 || lon > 180 || lat < -85.05112878 || lat > 85.05112878) return null;
  return [lon, lat];
}

/** A vector blob (little-endian floats) as numbers, or null when its length is wrong. */
export function decodeVector(blob: Buffer, type: 'FLOAT32' | 'FLOAT64', dim: number): Float64Array | null {
  const size = type === 'FLOAT32' ? 4 : 8;
  if (blob.length !== size * dim) return null;
  const out = new Float64Array(dim);
  for (let i = 0; i < dim; i++) out[i] = size === 4 ? blob.readFloatLE(i * 4) : blob.readDoubleLE(i * 8);
  return out;
}

/**
 * Reads a stored value into an indexed document, or throws IndexingFailure with RediSearch's
 * reason (a NUMERIC field that is not a number, a vector of the wrong size …).
 */
export function indexDocument(
  schema: IndexSchema,
  stopwords: ReadonlySet<string>,
  key: string,
  value: StoredValue,
  docId: number,
  shard: number,
): IndexedDoc {
  const doc: IndexedDoc & { maxFreq: number; len: number; score: number; payload: string | null } = {
    key,
    docId,
    shard,
    score: schema.definition.score,
    payload: null,
    terms: new Map(),
    maxFreq: 0,
    len: 0,
    text: new Map(),
    tags: new Map(),
    numbers: new Map(),
    points: new Map(),
    vectors: new Map(),
  };
  const freqs = new Map<string, number>();
  const isJson = value instanceof JsonDocument;
  for (const field of schema.fields) {
    const raw = fieldValues(value, field);
    if (raw.length === 0) continue;
    switch (field.type) {
      case 'TEXT': {
        const strings: string[] = [];
        for (const v of scalars(raw)) {
          if (typeof v === 'string') strings.push(v);
          else if (v !== null) throw new IndexingFailure(`Invalid JSON type: ${jsonTypeName(v)} type can represent only NUMERIC field`);
        }
        if (strings.length === 0) continue;
        doc.text.set(field.attribute, strings.join(isJson ? ' ' : ''));
        if (field.noIndex) continue;
        let base = 0;
        for (const s of strings) {
          const tokens = tokenize(s, stopwords);
          for (const t of tokens) {
            addTerm(doc.terms, freqs, t.term, field, base + t.position);
            const stemmed = field.noStem ? null : stemOf(t.term);
            if (stemmed !== null) addTerm(doc.terms, freqs, `+${stemmed}`, field, base + t.position);
          }
          doc.len += tokens.length;
          // Values of a multi-value field are apart, so phrases do not span them.
          base += tokens.length + 100;
        }
        break;
      }
      case 'TAG': {
        const tags: string[] = [];
        for (const v of scalars(raw)) {
          if (typeof v === 'string') tags.push(...(isJson ? splitTags(v, '\u0000', field.caseSensitive) : splitTags(v, field.separator, field.caseSensitive)));
          else if (typeof v === 'boolean') tags.push(String(v));
          else if (v !== null) throw new IndexingFailure(`Invalid JSON type: ${jsonTypeName(v)} type can represent only NUMERIC field`);
        }
        if (tags.length === 0) continue;
        doc.text.set(field.attribute, tags.join(field.separator));
        if (!field.noIndex || field.sortable) doc.tags.set(field.attribute, tags);
        break;
      }
      case 'NUMERIC': {
        const numbers: number[] = [];
        for (const v of scalars(raw)) {
          if (typeof v === 'number' || typeof v === 'bigint') numbers.push(Number(v));
          else if (typeof v === 'string' && !isJson) {
            const n = Number(v.trim());
            if (v.trim() === '' || Number.isNaN(n)) throw new IndexingFailure(`Invalid numeric value: '${v}'`);
            numbers.push(n);
          } else if (v !== null) throw new IndexingFailure(`Invalid JSON type: ${jsonTypeName(v)} type can represent only TEXT, TAG, GEO or GEOMETRY field`);
        }
        if (numbers.length > 0) doc.numbers.set(field.attribute, numbers);
        break;
      }
      case 'GEO': {
        const points: Array<readonly [number, number]> = [];
        for (const v of scalars(raw)) {
          if (typeof v !== 'string') {
            if (v === null) continue;
            throw new IndexingFailure(`Invalid JSON type: ${jsonTypeName(v)} type can represent only NUMERIC field`);
          }
          const p = parseGeo(v);
          if (p === null) throw new IndexingFailure('Invalid geo string');
          points.push(p);
        }
        if (points.length > 0) doc.points.set(field.attribute, points);
        break;
      }
      case 'VECTOR': {
        const opts = field.vector!;
        let vec: Float64Array | null;
        if (value instanceof RedisHash) {
          vec = decodeVector(hashBytes(value, field.identifier)!, opts.type, opts.dim);
          if (vec === null) throw new IndexingFailure(`Could not add vector with blob size ${hashBytes(value, field.identifier)!.length} (expected size ${opts.dim * (opts.type === 'FLOAT32' ? 4 : 8)})`);
        } else {
          const arr = raw[0];
          if (!Array.isArray(arr) || arr.length !== opts.dim || !arr.every((x) => typeof x === 'number' || typeof x === 'bigint')) {
            throw new IndexingFailure(`Invalid vector length. Expected ${opts.dim}`);
          }
          vec = Float64Array.from(arr.map(Number));
          if (opts.type === 'FLOAT32') vec = Float64Array.from(Float32Array.from(vec));
        }
        doc.vectors.set(field.attribute, vec);
        break;
      }
    }
  }
  if (schema.definition.scoreField !== null) {
    const s = fieldValues(value, { identifier: schema.definition.scoreField, type: 'NUMERIC' } as FieldSpec)[0];
    const n = typeof s === 'string' ? Number(s) : typeof s === 'number' ? s : NaN;
    if (Number.isFinite(n) && n >= 0 && n <= 1) doc.score = n;
  }
  if (schema.definition.payloadField !== null && value instanceof RedisHash) {
    const p = value.fields.get(fieldKey(schema.definition.payloadField));
    if (p !== undefined) doc.payload = text(p);
  }
  for (const f of freqs.values()) if (f > doc.maxFreq) doc.maxFreq = f;
  doc.maxFreq = Math.max(1, Math.floor(doc.maxFreq));
  return doc;
}

function addTerm(terms: Map<string, Map<string, Positions>>, freqs: Map<string, number>, term: string, field: FieldSpec, position: number): void {
  let byField = terms.get(term);
  if (byField === undefined) terms.set(term, (byField = new Map()));
  let positions = byField.get(field.attribute);
  if (positions === undefined) byField.set(field.attribute, (positions = []));
  positions.push(position);
  freqs.set(term, (freqs.get(term) ?? 0) + field.weight);
}

/**
 * The value a RETURN / LOAD of a field answers for a stored value (null: missing). Hash fields whose
 * TTL passed before `now` are missing (pass -Infinity to read every stored field).
 */
export function loadField(value: StoredValue, identifier: string, now: number): string | Buffer | null {
  if (value instanceof RedisHash) {
    const name = fieldKey(identifier);
    const v = value.fields.get(name);
    if (v === undefined || value.isExpired(name, now)) return null;
    return typeof v === 'string' ? v : Buffer.from(v);
  }
  if (value instanceof JsonDocument) {
    if (identifier === '$') return stringifyJson(value.root);
    const path = new JsonPath(identifier);
    const matches = compilePath(path.path).select(value.root);
    if (matches.length === 0) return null;
    const first = matches[0].value;
    // DIALECT 1/2 answer the first match, strings as their text, others as JSON.
    return typeof first === 'string' ? first : stringifyJson(first);
  }
  return null;
}

/** Every field of a stored value as FT.SEARCH returns it without RETURN (live hash fields, or `$`). */
export function allFields(value: StoredValue, now: number): Array<[string | Buffer, string | Buffer]> {
  if (value instanceof RedisHash) {
    const out: Array<[string | Buffer, string | Buffer]> = [];
    for (const f of value.liveFields(now)) out.push([value.fieldReply(f), value.fields.get(f)!]);
    return out;
  }
  if (value instanceof JsonDocument) return [['$', stringifyJson(value.root)]];
  return [];
}
