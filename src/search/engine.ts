/**
 * The RediSearch module's state in one cache: its indexes (with aliases, cursors, dictionaries),
 * kept current from the keyspace through the change hook — every write, delete, expiry, eviction,
 * rename or flush reports its keys there, and each index covering a key re-reads it. Indexes span
 * all primary shards, as the Enterprise coordinator's do on AMR. The scan an index does of existing
 * keys at creation (RediSearch does it in the background) runs synchronously here.
 */
import type { CacheCore, ChangeRecord, Shard } from '../core-types.js';
import type { Keyspace, StoredValue } from '../keyspace/keyspace.js';
import { RedisHash } from '../keyspace/types/hash.js';
import { JsonDocument } from '../keyspace/types/json.js';
import { indexDocument, IndexingFailure, loadField, type IndexedDoc } from './documents.js';
import { evaluate, parseExpression, truthy, type Expr } from './expression.js';
import { keyReply } from '../keyspace/bytes.js';
import { Matcher, type MatchIndex } from './matcher.js';
import { stopwordSet, type FieldSpec, type IndexSchema } from './schema.js';

/** A key's bytes as the keyspace names it (latin1 of the UTF-8), for prefix checks. */
export const storedName = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');

export class SearchIndex implements MatchIndex {
  readonly docs = new Map<string, IndexedDoc>();
  /** The inverted index: word (or `+stem`) → keys of the documents holding it. */
  private readonly postings = new Map<string, Set<string>>();
  private readonly prefixes: readonly string[];
  stopwords: ReadonlySet<string>;
  maxDocId = 0;
  totalLen = 0;
  failures = 0;
  lastError: string | null = null;
  lastErrorKey: string | null = null;
  /** FT.SEARCH / FT.AGGREGATE runs (FT.INFO's number_of_uses). */
  uses = 0;
  lastUsed: number;
  readonly dialects = new Set<number>();
  /** FT.SYNUPDATE groups: group id → terms. */
  readonly synonyms = new Map<string, Set<string>>();
  private matcherCache: Matcher | null = null;
  /** FT.CREATE's FILTER: an expression a key's fields must satisfy to be indexed. */
  private readonly filter: Expr | null;

  constructor(
    public schema: IndexSchema,
    now: number,
  ) {
    // Parsed first: a bad expression is FT.CREATE's error and creates nothing.
    this.filter = schema.definition.filter === null ? null : parseExpression(schema.definition.filter);
    this.prefixes = schema.definition.prefixes.map(storedName);
    this.stopwords = stopwordSet(schema);
    this.lastUsed = now;
  }

  get fields(): readonly FieldSpec[] {
    return this.schema.fields;
  }
  get numDocs(): number {
    return this.docs.size;
  }
  get avgDocLen(): number {
    return this.docs.size === 0 ? 0 : this.totalLen / this.docs.size;
  }
  docFrequency(term: string): number {
    return this.postings.get(term)?.size ?? 0;
  }
  /** The keys of the documents holding a word (or `+stem`), or undefined. */
  holders(term: string): ReadonlySet<string> | undefined {
    return this.postings.get(term);
  }

  /** The indexed words (stems left out). */
  terms(): string[] {
    return [...this.postings.keys()].filter((t) => !t.startsWith('+'));
  }
  get numTerms(): number {
    let n = 0;
    for (const t of this.postings.keys()) if (!t.startsWith('+')) n++;
    return n;
  }
  get numRecords(): number {
    let n = 0;
    for (const keys of this.postings.values()) n += keys.size;
    return n;
  }
  synonymsOf(word: string): string[] {
    const out: string[] = [];
    for (const terms of this.synonyms.values()) {
      if (!terms.has(word)) continue;
      for (const t of terms) if (t !== word && !out.includes(t)) out.push(t);
    }
    return out;
  }
  get matcher(): Matcher {
    return (this.matcherCache ??= new Matcher(this));
  }

  /** After FT.ALTER: new fields, so documents are read again. */
  schemaChanged(schema: IndexSchema): void {
    this.schema = schema;
    this.matcherCache = null;
  }

  covers(key: string): boolean {
    for (const p of this.prefixes) if (key.startsWith(p)) return true;
    return false;
  }

  private accepts(value: StoredValue | undefined): value is RedisHash | JsonDocument {
    return this.schema.definition.on === 'HASH' ? value instanceof RedisHash : value instanceof JsonDocument;
  }

  /** Re-reads one key: drops its old document and indexes the value it holds now, if any. */
  update(key: string, value: StoredValue | undefined, shard: number): void {
    this.remove(key);
    if (!this.accepts(value)) return;
    if (this.filter !== null && !this.passesFilter(key, value)) return;
    const docId = ++this.maxDocId;
    try {
      const doc = indexDocument(this.schema, this.stopwords, key, value, docId, shard);
      this.docs.set(key, doc);
      this.totalLen += doc.len;
      for (const term of doc.terms.keys()) {
        let keys = this.postings.get(term);
        if (keys === undefined) this.postings.set(term, (keys = new Set()));
        keys.add(key);
      }
    } catch (error) {
      if (!(error instanceof IndexingFailure)) throw error;
      this.failures++;
      this.lastError = error.message;
      this.lastErrorKey = key;
    }
  }

  /** FILTER sees the key's fields by name (`@__key` is the key) as strings. */
  private passesFilter(key: string, value: RedisHash | JsonDocument): boolean {
    const result = evaluate(this.filter!, (name) => {
      if (name === '__key') return keyReply(key).toString();
      const field = this.schema.fields.find((f) => f.attribute === name);
      const v = loadField(value, field?.identifier ?? name, -Infinity);
      return v === null ? null : v.toString();
    });
    return truthy(result);
  }

  remove(key: string): void {
    const old = this.docs.get(key);
    if (old === undefined) return;
    this.docs.delete(key);
    this.totalLen -= old.len;
    for (const term of old.terms.keys()) {
      const keys = this.postings.get(term);
      if (keys === undefined) continue;
      keys.delete(key);
      if (keys.size === 0) this.postings.delete(term);
    }
  }

  /** Indexes every covered key of a keyspace (the initial scan, and after a failover). */
  scan(db: Keyspace, shard: number): void {
    for (const key of db.keys()) if (this.covers(key)) this.update(key, db.valueOf(key), shard);
  }

  /** Forgets the documents of one shard (its keyspace was replaced by a failover). */
  dropShard(shard: number): void {
    for (const [key, doc] of [...this.docs]) if (doc.shard === shard) this.remove(key);
  }

  /** Every document's key, for FT.DROPINDEX DD. */
  keysByShard(): Map<number, string[]> {
    const out = new Map<number, string[]>();
    for (const doc of this.docs.values()) {
      let list = out.get(doc.shard);
      if (list === undefined) out.set(doc.shard, (list = []));
      list.push(doc.key);
    }
    return out;
  }
}

/** An FT.AGGREGATE WITHCURSOR result waiting to be read. */
export interface Cursor {
  readonly id: number;
  readonly index: string;
  readonly rows: unknown[];
  readonly count: number;
  /** MAXIDLE in ms; the cursor is dropped when unread for longer. */
  readonly maxIdle: number;
  lastRead: number;
}

export class SearchEngine {
  readonly indexes = new Map<string, SearchIndex>();
  readonly aliases = new Map<string, string>();
  readonly cursors = new Map<number, Cursor>();
  readonly dictionaries = new Map<string, Set<string>>();
  private cache: CacheCore | null = null;
  /** The keyspace each shard had when last seen: a failover swaps it, and its documents are re-read. */
  private readonly seen = new Map<number, Keyspace>();

  private readonly listener = (change: ChangeRecord): void => this.changed(change);

  /** Starts following the keyspace (on the first FT.CREATE). */
  attach(cache: CacheCore): void {
    if (this.cache !== null) return;
    this.cache = cache;
    for (const shard of cache.shards) this.seen.set(shard.index, shard.keyspace);
    cache.changeListeners.push(this.listener);
  }

  private changed(change: ChangeRecord): void {
    if (this.indexes.size === 0) return;
    const shard = change.shard;
    // Only the serving copy's changes (a replica applying effects reports nothing here anyway).
    if (this.seen.get(shard.index) !== shard.keyspace) return;
    // A flush empties the shard (expired keys not yet collected included): its documents all go.
    if (change.command === 'flushall' || change.command === 'flushdb') {
      for (const index of this.indexes.values()) index.dropShard(shard.index);
      return;
    }
    const keys = change.keys.length > 1 ? new Set(change.keys) : change.keys;
    for (const key of keys) {
      for (const index of this.indexes.values()) {
        if (index.covers(key)) index.update(key, shard.keyspace.valueOf(key), shard.index);
      }
    }
  }

  /** Before a query: re-reads shards whose keyspace a failover replaced; drops idle TEMPORARY indexes. */
  sync(now: number): void {
    const cache = this.cache;
    if (cache === null) return;
    for (const shard of cache.shards) {
      if (this.seen.get(shard.index) === shard.keyspace) continue;
      this.seen.set(shard.index, shard.keyspace);
      for (const index of this.indexes.values()) {
        index.dropShard(shard.index);
        index.scan(shard.keyspace, shard.index);
      }
    }
    for (const [name, index] of [...this.indexes]) {
      const ttl = index.schema.options.temporary;
      if (ttl !== null && now - index.lastUsed >= ttl * 1000) this.drop(name);
    }
    for (const [id, cursor] of [...this.cursors]) if (now - cursor.lastRead > cursor.maxIdle) this.cursors.delete(id);
  }

  /** Adds an index and indexes the keys it covers. */
  create(schema: IndexSchema, shards: readonly Shard[], now: number): SearchIndex {
    const index = new SearchIndex(schema, now);
    this.indexes.set(schema.name, index);
    if (!schema.options.skipInitialScan) for (const shard of shards) index.scan(shard.keyspace, shard.index);
    return index;
  }

  drop(name: string): void {
    this.indexes.delete(name);
    for (const [alias, target] of [...this.aliases]) if (target === name) this.aliases.delete(alias);
    for (const [id, cursor] of [...this.cursors]) if (cursor.index === name) this.cursors.delete(id);
  }

  /** An index by name or alias. */
  lookup(name: string): SearchIndex | undefined {
    return this.indexes.get(name) ?? this.indexes.get(this.aliases.get(name) ?? '');
  }

  /** Re-reads every covered key after FT.ALTER added fields. */
  reindex(index: SearchIndex): void {
    if (this.cache === null) return;
    for (const shard of this.cache.shards) {
      index.dropShard(shard.index);
      index.scan(shard.keyspace, shard.index);
    }
  }
}
