/**
 * The RediSearch 2.10 commands (`FT.*`), registered only on a cache created with
 * `modules: ['RediSearch']` (src/modules.ts). Argument parsing and the index, query, search and
 * aggregation semantics live in src/search/; this file declares the commands and shapes replies
 * (RESP2 arrays; RESP3 maps as the module's reply.c builds them).
 *
 * As the module registers them: arity -1, the `module` flag, keyless (the index name is not a
 * key; on AMR the Enterprise coordinator fans each command out to every shard). Errors carry no
 * `ERR` prefix, as the module sends them.
 */
import { moduleCommandDeclarer, type CommandContext, type CommandSpec } from './command.js';
import { keyName, keyReply, text, toBuffer, type Bytes } from '../keyspace/bytes.js';
import type { ChangeRecord } from '../core-types.js';
import { ReplyError, WRONGTYPE, wrongArity } from '../protocol/errors.js';
import { DoubleReply, MapReply, OK, StatusReply, type Reply } from '../protocol/reply.js';
import { SearchEngine, type SearchIndex } from '../search/engine.js';
import { Args, parseCreate, parseFields, parseNumberArg, searchError, type FieldSpec } from '../search/schema.js';
import { SuggestionDictionary } from '../search/suggestions.js';
import { spellcheck } from '../search/spellcheck.js';
import {
  allFields,
  formatNumber,
  highlight,
  liveValue,
  loadField,
  parseDialect,
  parseSearch,
  runSearch,
  DEFAULT_DIALECT,
  summarize,
  MAX_RESULTS,
  type SearchRow,
} from '../search/search.js';
import { parseAggregate, runAggregate } from '../search/aggregate.js';
import { explainLines } from '../search/explain.js';
import { parseQuery } from '../search/query.js';
import type { Value } from '../search/expression.js';

/** The name MODULE LIST, COMMAND DOCS and COMMAND LIST FILTERBY MODULE give. */
export const SEARCH_MODULE_NAME = 'search';

const ftCommand = moduleCommandDeclarer(SEARCH_MODULE_NAME);

/** The cache's RediSearch state (created with the module entry, src/modules.ts). */
function engineOf(ctx: CommandContext): SearchEngine {
  for (const m of ctx.cache.modules) if (m.search !== undefined) return m.search;
  throw new Error('RediSearch is not loaded');
}

const str = (b: Bytes): string => text(b);
const strings = (argv: readonly Bytes[], from: number): string[] => argv.slice(from).map(str);
const buffers = (argv: readonly Bytes[], from: number): Buffer[] => argv.slice(from).map(toBuffer);
const resp3 = (ctx: CommandContext): boolean => ctx.client.resp === 3;

/** A key as a reply (its bytes). */
const keyOut = (key: string): string | Buffer => keyReply(key);

/** The engine, synced, and the index named by argv[1] (or the module's error). */
function openIndex(ctx: CommandContext, argv: readonly Bytes[], name: string, missing: (index: string) => string): { engine: SearchEngine; index: SearchIndex } {
  if (argv.length < 2) throw wrongArity(name);
  const engine = engineOf(ctx);
  engine.sync(ctx.now);
  const indexName = str(argv[1]);
  const index = engine.lookup(indexName);
  if (index === undefined) throw searchError(missing(indexName));
  return { engine, index };
}

const unknownIndex = (): string => 'Unknown index name';
const noSuchIndex = (name: string): string => `${name}: no such index`;

// ---- FT.CREATE FT.ALTER FT.DROPINDEX FT._LIST ------------------------------------------------------

const create = ftCommand('ft.create', 'write deny-oom', [0, 0, 0], (ctx, argv) => {
  if (argv.length < 2) throw wrongArity('ft.create');
  const schema = parseCreate(strings(argv, 1));
  const engine = engineOf(ctx);
  engine.sync(ctx.now);
  if (engine.indexes.has(schema.name)) throw searchError('Index already exists');
  engine.attach(ctx.cache);
  engine.create(schema, ctx.cache.shards, ctx.now);
  return OK;
});

const alter = ftCommand('ft.alter', 'write deny-oom', [0, 0, 0], (ctx, argv) => {
  if (argv.length < 5) throw wrongArity('ft.alter');
  const { engine, index } = openIndex(ctx, argv, 'ft.alter', unknownIndex);
  const args = new Args(strings(argv, 2));
  args.take('SKIPINITIALSCAN');
  if (!args.take('SCHEMA')) throw searchError('ALTER must be followed by SCHEMA');
  if (!args.take('ADD')) throw searchError('Unknown action passed to ALTER SCHEMA');
  if (args.done) throw searchError('No fields provided');
  const fields: FieldSpec[] = [...index.schema.fields];
  parseFields(args, index.schema.definition.on, fields);
  index.schemaChanged({ ...index.schema, fields });
  engine.reindex(index);
  return OK;
});

/** Deletes the index's documents (FT.DROPINDEX DD) from every shard, reporting each removal. */
function deleteDocuments(ctx: CommandContext, index: SearchIndex): void {
  for (const [shardIndex, keys] of index.keysByShard()) {
    const shard = ctx.cache.shards[shardIndex];
    const removed = keys.filter((k) => shard.keyspace.delete(k));
    if (shard === ctx.shard) {
      for (const k of removed) ctx.changed(k, 'del');
      continue;
    }
    ctx.cache.stats.dirty += removed.length;
    if (ctx.cache.changeListeners.length === 0 || removed.length === 0) continue;
    const change: ChangeRecord = {
      shard,
      command: 'ft.dropindex',
      keys: removed,
      events: removed.map(() => 'del'),
      effects: removed.map((k) => ['DEL', keyOut(k)]),
      time: ctx.now,
    };
    for (const listener of ctx.cache.changeListeners) listener(change);
  }
}

const dropindex = ftCommand('ft.dropindex', 'write', [0, 0, 0], (ctx, argv) => {
  if (argv.length < 2 || argv.length > 3) throw wrongArity('ft.dropindex');
  const dd = argv.length === 3;
  if (dd && str(argv[2]).toUpperCase() !== 'DD') throw searchError(`Unknown argument \`${str(argv[2])}\``);
  const { engine, index } = openIndex(ctx, argv, 'ft.dropindex', () => 'Unknown Index name');
  engine.drop(index.schema.name);
  if (dd) deleteDocuments(ctx, index);
  return OK;
});

const list = ftCommand('ft._list', 'readonly', [0, 0, 0], (ctx) => {
  const engine = engineOf(ctx);
  engine.sync(ctx.now);
  return [...engine.indexes.keys()];
});

// ---- FT.INFO -------------------------------------------------------------------------------------------

/** key/value pairs: a map in RESP3, a flat array in RESP2. */
function kv(ctx: CommandContext, entries: Array<[string, Reply]>): Reply {
  return resp3(ctx) ? new MapReply(entries) : entries.flat();
}

function fieldInfo(ctx: CommandContext, f: FieldSpec): Reply {
  const entries: Array<[string, Reply]> = [
    ['identifier', f.identifier],
    ['attribute', f.attribute],
    ['type', f.type],
  ];
  if (f.type === 'TEXT') entries.push(['WEIGHT', new DoubleReply(f.weight)]);
  if (f.type === 'TAG') entries.push(['SEPARATOR', f.separator]);
  if (f.vector !== null) {
    const v = f.vector;
    entries.push(['algorithm', v.algorithm], ['data_type', v.type], ['dim', v.dim], ['distance_metric', v.metric]);
    if (v.algorithm === 'HNSW') entries.push(['M', v.m], ['ef_construction', v.efConstruction]);
  }
  const flags: string[] = [];
  if (f.caseSensitive) flags.push('CASESENSITIVE');
  if (f.sortable) flags.push('SORTABLE');
  if (f.unf && f.type !== 'NUMERIC' && f.type !== 'GEO') flags.push('UNF');
  if (f.noStem) flags.push('NOSTEM');
  if (f.noIndex) flags.push('NOINDEX');
  if (f.withSuffixTrie) flags.push('WITHSUFFIXTRIE');
  if (resp3(ctx)) return new MapReply([...entries, ['flags', flags.map((s) => new StatusReply(s))]]);
  return [...entries.flat(), ...flags.map((s) => new StatusReply(s))];
}

const info = ftCommand('ft.info', 'readonly', [0, 0, 0], (ctx, argv) => {
  if (argv.length !== 2) throw wrongArity('ft.info');
  const { engine, index } = openIndex(ctx, argv, 'ft.info', unknownIndex);
  const s = index.schema;
  const options: Reply[] = [];
  if (s.options.noFreqs) options.push(new StatusReply('NOFREQS'));
  if (s.options.noFields) options.push(new StatusReply('NOFIELDS'));
  if (s.options.noOffsets) options.push(new StatusReply('NOOFFSETS'));
  if (s.options.noHighlight) options.push(new StatusReply('NOHL'));
  if (s.options.maxTextFields) options.push(new StatusReply('MAXTEXTFIELDS'));
  const def: Array<[string, Reply]> = [
    ['key_type', s.definition.on],
    ['prefixes', [...s.definition.prefixes]],
  ];
  if (s.definition.filter !== null) def.push(['filter', s.definition.filter]);
  if (s.definition.language !== 'english') def.push(['default_language', s.definition.language]);
  if (s.definition.languageField !== null) def.push(['language_field', s.definition.languageField]);
  def.push(['default_score', new DoubleReply(s.definition.score)]);
  if (s.definition.scoreField !== null) def.push(['score_field', s.definition.scoreField]);
  if (s.definition.payloadField !== null) def.push(['payload_field', s.definition.payloadField]);
  const numDocs = index.numDocs;
  const records = index.numRecords;
  const mb = (bytes: number): DoubleReply => new DoubleReply(bytes / 0x100000);
  const errors = (): Reply =>
    kv(ctx, [
      ['indexing failures', index.failures],
      ['last indexing error', index.lastError ?? 'N/A'],
      ['last indexing error key', index.lastErrorKey === null ? 'N/A' : keyOut(index.lastErrorKey)],
    ]);
  const cursors = [...engine.cursors.values()].filter((c) => c.index === s.name).length;
  const entries: Array<[string, Reply]> = [
    ['index_name', s.name],
    ['index_options', options],
    ['index_definition', kv(ctx, def)],
    ['attributes', s.fields.map((f) => fieldInfo(ctx, f))],
    ['num_docs', numDocs],
    ['max_doc_id', index.maxDocId],
    ['num_terms', index.numTerms],
    ['num_records', records],
    // Sizes are a model (a few bytes per record and document), not measured allocations.
    ['inverted_sz_mb', mb(records * 8)],
    ['vector_index_sz_mb', mb([...index.docs.values()].reduce((n, d) => n + [...d.vectors.values()].reduce((m, v) => m + v.length * 4, 0), 0))],
    ['total_inverted_index_blocks', index.numTerms],
    ['offset_vectors_sz_mb', mb(s.options.noOffsets ? 0 : records)],
    ['doc_table_size_mb', mb(numDocs * 72)],
    ['sortable_values_size_mb', mb(0)],
    ['key_table_size_mb', mb(numDocs * 24)],
    ['tag_overhead_sz_mb', mb(0)],
    ['text_overhead_sz_mb', mb(index.numTerms * 16)],
    ['total_index_memory_sz_mb', mb(records * 9 + numDocs * 96 + index.numTerms * 16)],
    ['geoshapes_sz_mb', mb(0)],
    ['records_per_doc_avg', new DoubleReply(numDocs === 0 ? NaN : records / numDocs)],
    ['bytes_per_record_avg', new DoubleReply(records === 0 ? NaN : 8)],
    ['offsets_per_term_avg', new DoubleReply(records === 0 ? NaN : s.options.noOffsets ? 0 : 1)],
    ['offset_bits_per_record_avg', new DoubleReply(records === 0 || s.options.noOffsets ? NaN : 8)],
    ['hash_indexing_failures', index.failures],
    ['total_indexing_time', new DoubleReply(0)],
    // The initial scan runs synchronously, so an index is never still indexing.
    ['indexing', 0],
    ['percent_indexed', new DoubleReply(1)],
    ['number_of_uses', index.uses],
    ['cleaning', 0],
    ['gc_stats', kv(ctx, [
      ['bytes_collected', 0],
      ['total_ms_run', 0],
      ['total_cycles', 0],
      ['average_cycle_time_ms', new DoubleReply(NaN)],
      ['last_run_time_ms', 0],
      ['gc_numeric_trees_missed', 0],
      ['gc_blocks_denied', 0],
    ])],
    ['cursor_stats', kv(ctx, [
      ['global_idle', cursors],
      ['global_total', cursors],
      ['index_capacity', 128],
      ['index_total', cursors],
    ])],
  ];
  if (s.options.stopwords !== null) entries.push(['stopwords_list', [...s.options.stopwords]]);
  entries.push(
    ['dialect_stats', kv(ctx, [1, 2, 3, 4].map((d) => [`dialect_${d}`, index.dialects.has(d) ? 1 : 0]))],
    ['Index Errors', errors()],
    [
      'field statistics',
      s.fields.map((f) =>
        kv(ctx, [
          ['identifier', f.identifier],
          ['attribute', f.attribute],
          ['Index Errors', kv(ctx, [['indexing failures', 0], ['last indexing error', 'N/A'], ['last indexing error key', 'N/A']])],
        ]),
      ),
    ],
  );
  return kv(ctx, entries);
});

// ---- FT.SEARCH -------------------------------------------------------------------------------------

/** A field value from a document for RETURN: the stored bytes, or the KNN distance. */
function rowFields(ctx: CommandContext, index: SearchIndex, row: SearchRow, req: ReturnType<typeof parseSearch>, knnAs: string | null, terms: Set<string>): Array<[Reply, Reply]> {
  const value = liveValue(ctx.cache, row.doc, ctx.now);
  const out: Array<[Reply, Reply]> = [];
  const distance = row.distance === null ? null : formatNumber(row.distance);
  const decorate = (name: string, v: Reply): Reply => {
    if (typeof v !== 'string' && !Buffer.isBuffer(v)) return v;
    const field = index.fields.find((f) => f.attribute === name || f.identifier === name);
    if (field === undefined || field.type !== 'TEXT') return v;
    let t = v.toString();
    const inList = (list: string[] | null): boolean => list === null || list.includes(name) || list.includes(field.attribute);
    if (req.summarize !== null && inList(req.summarize.fields)) {
      const tags = req.highlight !== null && inList(req.highlight.fields) ? req.highlight : null;
      return summarize(t, terms, req.summarize.frags, req.summarize.len, req.summarize.separator, tags);
    }
    if (req.highlight !== null && inList(req.highlight.fields)) t = highlight(t, terms, req.highlight.open, req.highlight.close);
    return t;
  };
  if (req.returns !== null) {
    // The SORTBY field is loaded first when it is returned (the sorter loads it before RETURN does).
    const order = [...req.returns];
    if (req.sortBy !== null) {
      const at = order.findIndex((r) => r.name === req.sortBy!.field || r.as === req.sortBy!.field);
      if (at > 0) order.unshift(...order.splice(at, 1));
    }
    for (const { name, as } of order) {
      if (name === knnAs) {
        if (distance !== null) out.push([as, distance]);
        continue;
      }
      if (value === null) continue;
      const field = index.fields.find((f) => f.attribute === name);
      const v = loadField(value, field?.identifier ?? name, ctx.now);
      if (v !== null) out.push([as, decorate(name, v)]);
    }
    return out;
  }
  if (distance !== null && knnAs !== null) out.push([knnAs, distance]);
  if (value !== null) for (const [f, v] of allFields(value, ctx.now)) out.push([f, decorate(f.toString(), v)]);
  return out;
}

function sortKeyReply(v: string | number | null): Reply {
  if (v === null) return null;
  return typeof v === 'number' ? `#${formatNumber(v)}` : `$${v}`;
}

const search = ftCommand('ft.search', 'readonly', [0, 0, 0], (ctx, argv) => {
  if (argv.length < 3) throw wrongArity('ft.search');
  const req = parseSearch(strings(argv, 2), buffers(argv, 2));
  const { index } = openIndex(ctx, argv, 'ft.search', noSuchIndex);
  const { total, rows, knn, terms } = runSearch(ctx.cache, index, req, ctx.now);
  const knnAs = knn?.as ?? null;
  if (resp3(ctx)) {
    const results = rows.map((row) => {
      const entries: Array<[Reply, Reply]> = [['id', keyOut(row.doc.key)]];
      if (req.withScores) entries.push(['score', new DoubleReply(row.score)]);
      if (req.withPayloads) entries.push(['payload', row.doc.payload]);
      if (req.withSortKeys) entries.push(['sortkey', sortKeyReply(row.sortKey)]);
      if (!req.noContent) entries.push(['extra_attributes', new MapReply(rowFields(ctx, index, row, req, knnAs, terms))]);
      entries.push(['values', []]);
      return new MapReply(entries);
    });
    return new MapReply([
      ['attributes', []],
      ['results', results],
      ['total_results', total],
      ['format', new StatusReply('STRING')],
      ['warning', []],
    ]);
  }
  const out: Reply[] = [total];
  for (const row of rows) {
    out.push(keyOut(row.doc.key));
    if (req.withScores) out.push(new DoubleReply(row.score));
    if (req.withPayloads) out.push(row.doc.payload);
    if (req.withSortKeys) out.push(sortKeyReply(row.sortKey));
    if (!req.noContent) out.push(rowFields(ctx, index, row, req, knnAs, terms).flat());
  }
  return out;
});

// ---- FT.AGGREGATE FT.CURSOR ----------------------------------------------------------------------------

function valueReply(v: Value): Reply {
  if (v === null) return null;
  if (Array.isArray(v)) return v.map(valueReply);
  return typeof v === 'number' ? formatNumber(v) : v;
}

function rowReply(ctx: CommandContext, row: Map<string, Value>): Reply {
  const entries: Array<[Reply, Reply]> = [...row].map(([k, v]) => [k, valueReply(v)]);
  if (resp3(ctx)) return new MapReply([['extra_attributes', new MapReply(entries)], ['values', []]]);
  return entries.flat();
}

function chunkReply(ctx: CommandContext, total: number, rows: Array<Map<string, Value>>): Reply {
  if (resp3(ctx)) {
    return new MapReply([
      ['attributes', []],
      ['results', rows.map((r) => rowReply(ctx, r))],
      ['total_results', total],
      ['format', new StatusReply('STRING')],
      ['warning', []],
    ]);
  }
  return [total, ...rows.map((r) => rowReply(ctx, r))];
}

const aggregate = ftCommand('ft.aggregate', 'readonly', [0, 0, 0], (ctx, argv) => {
  if (argv.length < 3) throw wrongArity('ft.aggregate');
  const req = parseAggregate(strings(argv, 2), buffers(argv, 2));
  const { engine, index } = openIndex(ctx, argv, 'ft.aggregate', noSuchIndex);
  const { total, rows } = runAggregate(ctx.cache, index, req, ctx.now);
  if (req.cursor === null) return chunkReply(ctx, total, rows);
  const first = rows.slice(0, req.cursor.count);
  const rest = rows.slice(req.cursor.count);
  let id = 0;
  if (rest.length > 0) {
    // Cursor ids are random 64-bit numbers in RediSearch; drawn from the cache's seeded generator.
    do id = ctx.cache.rng.nextUint32() * 1000 + (ctx.cache.rng.nextUint32() % 1000);
    while (id === 0 || engine.cursors.has(id));
    engine.cursors.set(id, { id, index: index.schema.name, rows: rest, count: req.cursor.count, maxIdle: req.cursor.maxIdle, lastRead: ctx.now });
  }
  return [chunkReply(ctx, total, first), id];
});

const cursorRead: CommandSpec = ftCommand('ft.cursor', 'readonly', [0, 0, 0], (ctx, argv) => {
  if (argv.length < 4) throw wrongArity('ft.cursor');
  const sub = str(argv[1]).toUpperCase();
  const engine = engineOf(ctx);
  engine.sync(ctx.now);
  const index = engine.lookup(str(argv[2]));
  if (sub !== 'READ' && sub !== 'DEL' && sub !== 'GC') throw searchError(`Unknown subcommand \`${str(argv[1])}\``);
  if (index === undefined) throw searchError(`${str(argv[2])}: no such index`);
  const idText = str(argv[3]);
  const id = /^\d+$/.test(idText) ? Number(idText) : NaN;
  if (Number.isNaN(id)) throw searchError('Bad cursor ID');
  const cursor = engine.cursors.get(id);
  if (cursor === undefined || cursor.index !== index.schema.name) throw searchError('Cursor not found');
  if (sub === 'DEL') {
    engine.cursors.delete(id);
    return OK;
  }
  let count = cursor.count;
  if (argv.length >= 6 && str(argv[4]).toUpperCase() === 'COUNT') {
    const c = str(argv[5]);
    if (!/^\d+$/.test(c)) throw searchError('Bad arguments for COUNT: Could not convert argument to expected type');
    count = Number(c) || cursor.count;
  }
  const rows = cursor.rows.splice(0, count) as Array<Map<string, Value>>;
  cursor.lastRead = ctx.now;
  if (cursor.rows.length === 0) engine.cursors.delete(id);
  return [chunkReply(ctx, 0, rows), cursor.rows.length === 0 ? 0 : id];
});

// ---- FT.EXPLAIN FT.EXPLAINCLI -------------------------------------------------------------------------

/** The plan of `FT.EXPLAIN idx query [DIALECT d]` (PARAMS too, for `$` values), as lines. */
function plan(ctx: CommandContext, argv: readonly Bytes[], name: string): string[] {
  if (argv.length < 3) throw wrongArity(name);
  const req = parseSearch(strings(argv, 2), buffers(argv, 2));
  const { index } = openIndex(ctx, argv, name, unknownIndex);
  const parsed = parseQuery(req.query, { dialect: req.dialect, params: req.params, stopwords: index.stopwords, verbatim: req.verbatim });
  return explainLines(parsed.root, parsed.knn);
}

const explain = ftCommand('ft.explain', 'readonly', [0, 0, 0], (ctx, argv) => `${plan(ctx, argv, 'ft.explain').join('\n')}\n`);

const explainCli = ftCommand('ft.explaincli', 'readonly', [0, 0, 0], (ctx, argv) => [...plan(ctx, argv, 'ft.explaincli'), '']);

// ---- FT.SPELLCHECK ---------------------------------------------------------------------------------

const spellcheckCommand = ftCommand('ft.spellcheck', 'readonly', [0, 0, 0], (ctx, argv) => {
  if (argv.length < 3) throw wrongArity('ft.spellcheck');
  const { engine, index } = openIndex(ctx, argv, 'ft.spellcheck', unknownIndex);
  let distance = 1;
  let dialect = DEFAULT_DIALECT;
  const include = new Set<string>();
  const exclude = new Set<string>();
  const args = new Args(strings(argv, 3));
  while (!args.done) {
    const word = args.next()!.toUpperCase();
    if (word === 'DISTANCE') {
      const d = args.next();
      if (d === undefined || !/^\d+$/.test(d) || Number(d) < 1 || Number(d) > 4) throw searchError('DISTANCE argument should be between 1 to 4');
      distance = Number(d);
    } else if (word === 'TERMS') {
      const mode = args.next()?.toUpperCase();
      if (mode !== 'INCLUDE' && mode !== 'EXCLUDE') throw searchError('bad format: TERMS {INCLUDE | EXCLUDE}');
      const name = args.need('TERM arg is given but no TERM params comes after');
      const dict = engine.dictionaries.get(name);
      if (dict === undefined) throw searchError(`Dict does not exist: ${name}`);
      for (const t of dict) (mode === 'INCLUDE' ? include : exclude).add(t.toLowerCase());
    } else if (word === 'DIALECT') {
      dialect = parseDialect(args);
    } else throw searchError(`Unknown argument \`${word}\``);
  }
  const parsed = parseQuery(str(argv[2]), { dialect, params: new Map(), stopwords: index.stopwords, verbatim: true });
  const results = spellcheck(index, parsed.root, distance, include, exclude);
  if (resp3(ctx)) {
    return new MapReply([
      ['results', new MapReply(results.map((r) => [r.term, r.suggestions.map(([score, s]) => new MapReply([[s, new DoubleReply(score)]]))]))],
    ]);
  }
  return results.map((r) => ['TERM', r.term, r.suggestions.map(([score, s]) => [new DoubleReply(score), s])]);
});

// ---- FT.SUGADD FT.SUGGET FT.SUGDEL FT.SUGLEN ---------------------------------------------------------

/** The suggestion dictionary at a key (undefined: none); WRONGTYPE for another type. */
function dictionaryAt(ctx: CommandContext, key: string, write: boolean): SuggestionDictionary | undefined {
  const value = write ? ctx.db.get(key, ctx.now) : ctx.db.read(key, ctx.now);
  if (value === undefined) return undefined;
  if (!(value instanceof SuggestionDictionary)) throw WRONGTYPE;
  return value;
}

const sugAdd = ftCommand('ft.sugadd', 'write deny-oom', [1, 1, 1], (ctx, argv) => {
  if (argv.length < 4) throw wrongArity('ft.sugadd');
  const key = keyName(argv[1]);
  const score = parseNumberArg(str(argv[3]));
  if (score === null || !Number.isFinite(score)) throw new ReplyError('ERR invalid score');
  let incr = false;
  let payload: string | null = null;
  for (let i = 4; i < argv.length; i++) {
    const opt = str(argv[i]).toUpperCase();
    if (opt === 'INCR') incr = true;
    else if (opt === 'PAYLOAD' && i + 1 < argv.length) payload = str(argv[++i]);
    else throw new ReplyError('ERR Unknown argument `' + str(argv[i]) + '`');
  }
  let dict = dictionaryAt(ctx, key, true);
  if (dict === undefined) {
    dict = new SuggestionDictionary();
    ctx.db.set(key, dict);
  }
  const size = dict.add(str(argv[2]), score, incr, payload);
  ctx.changed(key);
  return size;
});

const sugGet = ftCommand('ft.sugget', 'readonly', [1, 1, 1], (ctx, argv) => {
  if (argv.length < 3) throw wrongArity('ft.sugget');
  let fuzzy = false;
  let withScores = false;
  let withPayloads = false;
  let max = 5;
  for (let i = 3; i < argv.length; i++) {
    const opt = str(argv[i]).toUpperCase();
    if (opt === 'FUZZY') fuzzy = true;
    else if (opt === 'WITHSCORES') withScores = true;
    else if (opt === 'WITHPAYLOADS') withPayloads = true;
    else if (opt === 'MAX' && i + 1 < argv.length) {
      const n = str(argv[++i]);
      if (!/^\d+$/.test(n)) throw searchError('Invalid argument for MAX');
      max = Number(n);
    } else throw searchError(`Unknown argument \`${str(argv[i])}\``);
  }
  const prefix = str(argv[2]);
  const dict = dictionaryAt(ctx, keyName(argv[1]), false);
  if (dict === undefined || prefix.length === 0) return [];
  const out: Reply[] = [];
  for (const s of dict.search(prefix, fuzzy, max)) {
    out.push(s.text);
    if (withScores) out.push(new DoubleReply(s.rank));
    if (withPayloads) out.push(s.payload);
  }
  return out;
});

const sugDel = ftCommand('ft.sugdel', 'write', [1, 1, 1], (ctx, argv) => {
  if (argv.length !== 3) throw wrongArity('ft.sugdel');
  const key = keyName(argv[1]);
  const dict = dictionaryAt(ctx, key, true);
  if (dict === undefined || !dict.delete(str(argv[2]))) return 0;
  if (dict.entries.size === 0) ctx.db.delete(key);
  ctx.changed(key);
  return 1;
});

const sugLen = ftCommand('ft.suglen', 'readonly', [1, 1, 1], (ctx, argv) => {
  if (argv.length !== 2) throw wrongArity('ft.suglen');
  return dictionaryAt(ctx, keyName(argv[1]), false)?.entries.size ?? 0;
});

// ---- FT.TAGVALS FT.ALIAS* FT.DICT* FT.SYN* FT.CONFIG ---------------------------------------------------

const tagvals = ftCommand('ft.tagvals', 'readonly', [0, 0, 0], (ctx, argv) => {
  if (argv.length !== 3) throw wrongArity('ft.tagvals');
  const { index } = openIndex(ctx, argv, 'ft.tagvals', unknownIndex);
  const name = str(argv[2]);
  const field = index.fields.find((f) => f.attribute === name);
  if (field === undefined) throw searchError(`No such field \`${name}\``);
  if (field.type !== 'TAG') throw searchError(`Not a tag field \`${name}\``);
  const values = new Set<string>();
  for (const doc of index.docs.values()) for (const t of doc.tags.get(field.attribute) ?? []) values.add(field.caseSensitive ? t : t.toLowerCase());
  return [...values].sort();
});

const aliasAdd = (name: string, update: boolean): CommandSpec =>
  ftCommand(name, 'write deny-oom', [0, 0, 0], (ctx, argv) => {
    if (argv.length !== 3) throw wrongArity(name);
    const engine = engineOf(ctx);
    engine.sync(ctx.now);
    const alias = str(argv[1]);
    const target = str(argv[2]);
    if (!engine.indexes.has(target)) throw searchError('Unknown index name (or name is an alias itself)');
    if (engine.indexes.has(alias) || (!update && engine.aliases.has(alias))) throw searchError('Alias already exists');
    engine.aliases.set(alias, target);
    return OK;
  });

const aliasDel = ftCommand('ft.aliasdel', 'write', [0, 0, 0], (ctx, argv) => {
  if (argv.length !== 2) throw wrongArity('ft.aliasdel');
  const engine = engineOf(ctx);
  if (!engine.aliases.delete(str(argv[1]))) throw searchError('Alias does not exist');
  return OK;
});

const dictAdd = ftCommand('ft.dictadd', 'write deny-oom', [0, 0, 0], (ctx, argv) => {
  if (argv.length < 3) throw wrongArity('ft.dictadd');
  const engine = engineOf(ctx);
  const name = str(argv[1]);
  let dict = engine.dictionaries.get(name);
  if (dict === undefined) engine.dictionaries.set(name, (dict = new Set()));
  let added = 0;
  for (const t of strings(argv, 2)) if (!dict.has(t)) (dict.add(t), added++);
  return added;
});

const dictDel = ftCommand('ft.dictdel', 'write', [0, 0, 0], (ctx, argv) => {
  if (argv.length < 3) throw wrongArity('ft.dictdel');
  const engine = engineOf(ctx);
  const name = str(argv[1]);
  const dict = engine.dictionaries.get(name);
  if (dict === undefined) throw searchError('could not open dict key');
  let removed = 0;
  for (const t of strings(argv, 2)) if (dict.delete(t)) removed++;
  if (dict.size === 0) engine.dictionaries.delete(name);
  return removed;
});

const dictDump = ftCommand('ft.dictdump', 'readonly', [0, 0, 0], (ctx, argv) => {
  if (argv.length !== 2) throw wrongArity('ft.dictdump');
  const dict = engineOf(ctx).dictionaries.get(str(argv[1]));
  if (dict === undefined) throw searchError('could not open dict key');
  return [...dict].sort();
});

const synUpdate = ftCommand('ft.synupdate', 'write', [0, 0, 0], (ctx, argv) => {
  if (argv.length < 4) throw wrongArity('ft.synupdate');
  const { index } = openIndex(ctx, argv, 'ft.synupdate', unknownIndex);
  const group = str(argv[2]);
  let from = 3;
  if (str(argv[3]).toUpperCase() === 'SKIPINITIALSCAN') from = 4;
  if (from >= argv.length) throw wrongArity('ft.synupdate');
  let terms = index.synonyms.get(group);
  if (terms === undefined) index.synonyms.set(group, (terms = new Set()));
  for (const t of strings(argv, from)) terms.add(t.toLowerCase());
  return OK;
});

const synDump = ftCommand('ft.syndump', 'readonly', [0, 0, 0], (ctx, argv) => {
  if (argv.length !== 2) throw wrongArity('ft.syndump');
  const { index } = openIndex(ctx, argv, 'ft.syndump', unknownIndex);
  const byTerm = new Map<string, string[]>();
  for (const [group, terms] of index.synonyms) {
    for (const t of terms) {
      const groups = byTerm.get(t) ?? [];
      groups.push(group);
      byTerm.set(t, groups);
    }
  }
  const entries: Array<[Reply, Reply]> = [...byTerm].map(([t, groups]) => [t, groups]);
  return resp3(ctx) ? new MapReply(entries) : entries.flat();
});

/** FT.CONFIG's options with RediSearch 2.10's defaults (AMR does not let them change). */
const CONFIG: ReadonlyArray<[string, string | null]> = [
  ['EXTLOAD', null],
  ['SAFEMODE', 'deprecated'],
  ['CONCURRENT_WRITE_MODE', 'false'],
  ['NOGC', 'false'],
  ['MINPREFIX', '2'],
  ['FORKGC_SLEEP_BEFORE_EXIT', '0'],
  ['MAXDOCTABLESIZE', '1000000'],
  ['MAXSEARCHRESULTS', String(MAX_RESULTS)],
  ['MAXAGGREGATERESULTS', 'unlimited'],
  ['MAXEXPANSIONS', '200'],
  ['MAXPREFIXEXPANSIONS', '200'],
  ['TIMEOUT', '500'],
  ['INDEX_THREADS', '8'],
  ['SEARCH_THREADS', '20'],
  ['FRISOINI', null],
  ['ON_TIMEOUT', 'return'],
  ['GCSCANSIZE', '100'],
  ['MIN_PHONETIC_TERM_LEN', '3'],
  ['GC_POLICY', 'fork'],
  ['FORK_GC_RUN_INTERVAL', '30'],
  ['FORK_GC_CLEAN_THRESHOLD', '100'],
  ['FORK_GC_RETRY_INTERVAL', '5'],
  ['FORK_GC_CLEAN_NUMERIC_EMPTY_NODES', 'true'],
  ['_FORK_GC_CLEAN_NUMERIC_EMPTY_NODES', 'true'],
  ['_MAX_RESULTS_TO_UNSORTED_MODE', '1000'],
  ['UNION_ITERATOR_HEAP', '20'],
  ['CURSOR_MAX_IDLE', '300000'],
  ['NO_MEM_POOLS', 'false'],
  ['PARTIAL_INDEXED_DOCS', 'false'],
  ['UPGRADE_INDEX', 'Upgrade config for upgrading'],
  ['_NUMERIC_COMPRESS', 'false'],
  ['_FREE_RESOURCE_ON_THREAD', 'true'],
  ['_PRINT_PROFILE_CLOCK', 'true'],
  ['RAW_DOCID_ENCODING', 'false'],
  ['_NUMERIC_RANGES_PARENTS', '0'],
  ['DEFAULT_DIALECT', '1'],
  ['VSS_MAX_RESIZE', '0'],
  ['MULTI_TEXT_SLOP', '100'],
  ['WORKERS', '0'],
  ['MIN_OPERATION_WORKERS', '4'],
  ['TIERED_HNSW_BUFFER_LIMIT', '1024'],
];

const config = ftCommand('ft.config', 'readonly', [0, 0, 0], (ctx, argv) => {
  if (argv.length < 2) throw wrongArity('ft.config');
  const sub = str(argv[1]).toUpperCase();
  if (sub === 'SET') throw searchError('FT.CONFIG cannot change module configuration');
  if (sub === 'HELP') {
    if (argv.length !== 3) throw wrongArity('ft.config');
    const name = str(argv[2]).toUpperCase();
    return CONFIG.filter(([k]) => name === '*' || k === name).map(([k, v]) => [k, 'Description', 'N/A', 'Value', v]);
  }
  if (sub !== 'GET') throw searchError('No such configuration action');
  if (argv.length !== 3) throw wrongArity('ft.config');
  const name = str(argv[2]).toUpperCase();
  const entries = CONFIG.filter(([k]) => name === '*' || k === name);
  if (resp3(ctx)) return new MapReply(entries.map(([k, v]) => [k, v]));
  return entries.map(([k, v]) => [k, v]);
});

/** The RediSearch commands the emulator serves. */
export const searchCommands: readonly CommandSpec[] = [
  create,
  alter,
  dropindex,
  list,
  info,
  search,
  aggregate,
  cursorRead,
  explain,
  explainCli,
  spellcheckCommand,
  sugAdd,
  sugGet,
  sugDel,
  sugLen,
  tagvals,
  aliasAdd('ft.aliasadd', false),
  aliasAdd('ft.aliasupdate', true),
  aliasDel,
  dictAdd,
  dictDel,
  dictDump,
  synUpdate,
  synDump,
  config,
];
