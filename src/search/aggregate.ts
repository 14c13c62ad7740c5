/**
 * FT.AGGREGATE: the query's documents become rows, then the steps run in the order given —
 * LOAD, GROUPBY … REDUCE, SORTBY, APPLY, FILTER, LIMIT — as RediSearch 2.10's pipeline does.
 * Reducers: COUNT, COUNT_DISTINCT, COUNT_DISTINCTISH (exact here), SUM, MIN, MAX, AVG, TOLIST,
 * FIRST_VALUE, QUANTILE (exact here), STDDEV, RANDOM_SAMPLE.
 */
import type { CacheCore } from '../core-types.js';
import type { Rng } from '../rng.js';
import { keyReply } from '../keyspace/bytes.js';
import type { IndexedDoc } from './documents.js';
import { allFields, loadField } from './documents.js';
import type { SearchIndex } from './engine.js';
import { evaluate, parseExpression, propertiesOf, toNumber, toText, type Expr, type Value } from './expression.js';
import { parseQuery } from './query.js';
import { Args, searchError } from './schema.js';
import { candidateDocs, DEFAULT_DIALECT, integerArg, liveValue, parseCommonOption, unknownArgument } from './search.js';
import { score, type ScorerName } from './matcher.js';

type Reducer = { fn: string; args: string[]; as: string };

type Step =
  | { kind: 'load'; fields: Array<{ name: string; as: string }> | '*' }
  | { kind: 'groupby'; props: string[]; reducers: Reducer[] }
  | { kind: 'sortby'; keys: Array<{ prop: string; asc: boolean }>; max: number | null }
  | { kind: 'apply'; expr: Expr; as: string }
  | { kind: 'filter'; expr: Expr }
  | { kind: 'limit'; offset: number; num: number };

export interface AggregateRequest {
  query: string;
  verbatim: boolean;
  steps: Step[];
  params: Map<string, Buffer>;
  dialect: number;
  scorer: ScorerName;
  addScores: boolean;
  cursor: { count: number; maxIdle: number } | null;
}

const REDUCERS: Record<string, number | null> = {
  COUNT: 0,
  COUNT_DISTINCT: 1,
  COUNT_DISTINCTISH: 1,
  SUM: 1,
  MIN: 1,
  MAX: 1,
  AVG: 1,
  TOLIST: 1,
  FIRST_VALUE: null,
  QUANTILE: 2,
  STDDEV: 1,
  RANDOM_SAMPLE: 2,
};

const prop = (s: string): string => (s.startsWith('@') ? s.slice(1) : s);

/** A count of the arguments that follow, all of which must be there. */
function count(args: Args, name: string): number {
  const n = integerArg(args, name);
  if (args.i + n > args.argv.length) throw searchError(`Bad arguments for ${name}: Expected ${n} arguments, but only ${args.argv.length - args.i} were provided`);
  return n;
}

export function parseAggregate(argv: readonly string[], raw: readonly Buffer[]): AggregateRequest {
  const req: AggregateRequest = {
    query: argv[0],
    verbatim: false,
    steps: [],
    params: new Map(),
    dialect: DEFAULT_DIALECT,
    scorer: 'TFIDF',
    addScores: false,
    cursor: null,
  };
  const args = new Args(argv, 1);
  while (!args.done) {
    const position = args.i - 1;
    const word = args.next()!;
    switch (word.toUpperCase()) {
      case 'VERBATIM':
        req.verbatim = true;
        break;
      case 'ADDSCORES':
        req.addScores = true;
        break;
      case 'LOAD': {
        const n = args.peek();
        if (n === '*') {
          args.i++;
          req.steps.push({ kind: 'load', fields: '*' });
          break;
        }
        const c = count(args, 'LOAD');
        const end = args.i + c;
        const fields: Array<{ name: string; as: string }> = [];
        while (args.i < end) {
          const name = prop(args.next()!);
          let as = name;
          if (args.i < end && args.peek()!.toUpperCase() === 'AS') {
            args.i++;
            as = args.next() ?? name;
          }
          fields.push({ name, as });
        }
        req.steps.push({ kind: 'load', fields });
        break;
      }
      case 'GROUPBY': {
        const n = count(args, 'GROUPBY');
        const props = (argv.slice(args.i, args.i + n) as string[]).map((p) => {
          if (!p.startsWith('@')) throw searchError(`Bad arguments for GROUPBY: Unknown property \`${p}\`. Did you mean \`@${p}\`?`);
          return prop(p);
        });
        args.i += n;
        const reducers: Reducer[] = [];
        while (args.take('REDUCE')) {
          const fn = args.need('Bad arguments for REDUCE: Expected an argument').toUpperCase();
          if (!(fn in REDUCERS)) throw searchError(`Bad arguments for REDUCE: No such reducer \`${fn}\``);
          const nargs = count(args, fn);
          const rargs = argv.slice(args.i, args.i + nargs) as string[];
          args.i += nargs;
          const expected = REDUCERS[fn];
          if (expected !== null && nargs !== expected) throw searchError(`Bad arguments for ${fn}: Expected ${expected} arguments, but only ${nargs} were provided`);
          if (fn === 'FIRST_VALUE' && nargs !== 1 && nargs !== 3 && nargs !== 4) throw searchError('Bad arguments for FIRST_VALUE: wrong number of arguments');
          let as = `__generated_alias${fn.toLowerCase()}${rargs.map(prop).join(',')}`;
          if (args.take('AS')) as = args.need('Bad arguments for AS: Expected an argument');
          reducers.push({ fn, args: rargs, as });
        }
        req.steps.push({ kind: 'groupby', props, reducers });
        break;
      }
      case 'SORTBY': {
        const n = count(args, 'SORTBY');
        const items = argv.slice(args.i, args.i + n) as string[];
        args.i += n;
        const keys: Array<{ prop: string; asc: boolean }> = [];
        for (const item of items) {
          const dir = item.toUpperCase();
          if ((dir === 'ASC' || dir === 'DESC') && keys.length > 0) keys[keys.length - 1].asc = dir === 'ASC';
          else if (item.startsWith('@')) keys.push({ prop: prop(item), asc: true });
          else throw searchError(`Bad arguments for SORTBY: Unknown property \`${item}\`. Did you mean \`@${item}\`?`);
        }
        let max: number | null = null;
        if (args.take('MAX')) max = integerArg(args, 'MAX');
        req.steps.push({ kind: 'sortby', keys, max });
        break;
      }
      case 'APPLY': {
        const expr = parseExpression(args.need('Bad arguments for APPLY: Expected an argument'));
        if (!args.take('AS')) throw searchError('AS is missing for APPLY');
        req.steps.push({ kind: 'apply', expr, as: args.need('Bad arguments for AS: Expected an argument') });
        break;
      }
      case 'FILTER':
        req.steps.push({ kind: 'filter', expr: parseExpression(args.need('Bad arguments for FILTER: Expected an argument')) });
        break;
      case 'LIMIT': {
        const o = args.next();
        const n = args.next();
        if (o === undefined || n === undefined || !/^\d+$/.test(o) || !/^\d+$/.test(n)) throw searchError('Bad arguments for LIMIT: Could not convert argument to expected type');
        req.steps.push({ kind: 'limit', offset: Number(o), num: Number(n) });
        break;
      }
      case 'WITHCURSOR': {
        const cursor = { count: 1000, maxIdle: 300_000 };
        for (;;) {
          if (args.take('COUNT')) cursor.count = integerArg(args, 'COUNT') || 1000;
          else if (args.take('MAXIDLE')) cursor.maxIdle = integerArg(args, 'MAXIDLE');
          else break;
        }
        req.cursor = cursor;
        break;
      }
      default:
        if (!parseCommonOption(word, args, req, raw)) throw unknownArgument(word, position);
    }
  }
  return req;
}

/** A row: property → value, in the order properties were added (the reply's order). */
type Row = Map<string, Value>;

function reduce(r: Reducer, rows: Row[], rng: Rng): Value {
  const values = (name: string): Value[] => rows.map((row) => row.get(name) ?? null).filter((v) => v !== null);
  const numbers = (name: string): number[] => values(name).map(toNumber).filter((n) => !Number.isNaN(n));
  const p = r.args.length > 0 ? prop(r.args[0]) : '';
  switch (r.fn) {
    case 'COUNT':
      return rows.length;
    case 'COUNT_DISTINCT':
    case 'COUNT_DISTINCTISH':
      return new Set(values(p).map(toText)).size;
    case 'SUM':
      return numbers(p).reduce((a, b) => a + b, 0);
    case 'MIN':
      return numbers(p).reduce((a, b) => Math.min(a, b), Infinity);
    case 'MAX':
      return numbers(p).reduce((a, b) => Math.max(a, b), -Infinity);
    case 'AVG': {
      const ns = numbers(p);
      return ns.length === 0 ? NaN : ns.reduce((a, b) => a + b, 0) / ns.length;
    }
    case 'TOLIST': {
      const seen = new Map<string, Value>();
      for (const v of values(p)) {
        for (const item of Array.isArray(v) ? v : [v]) if (!seen.has(toText(item))) seen.set(toText(item), item);
      }
      return [...seen.values()];
    }
    case 'FIRST_VALUE': {
      const by = r.args.length >= 3 && r.args[1].toUpperCase() === 'BY' ? prop(r.args[2]) : null;
      const asc = r.args.length < 4 || r.args[3].toUpperCase() !== 'DESC';
      if (by === null) return rows.length === 0 ? null : rows[0].get(p) ?? null;
      let best: Row | null = null;
      for (const row of rows) {
        const v = row.get(by) ?? null;
        if (v === null) continue;
        if (best === null) best = row;
        else {
          const c = compareValues(v, best.get(by) ?? null);
          if (asc ? c < 0 : c > 0) best = row;
        }
      }
      return best?.get(p) ?? null;
    }
    case 'QUANTILE': {
      const q = Number(r.args[1]);
      if (!(q >= 0 && q <= 1)) throw searchError('Quantile must be between 0.0 and 1.0');
      const ns = numbers(p).sort((a, b) => a - b);
      if (ns.length === 0) return null;
      return ns[Math.min(ns.length - 1, Math.floor(q * ns.length))];
    }
    case 'STDDEV': {
      const ns = numbers(p);
      if (ns.length < 2) return 0;
      const mean = ns.reduce((a, b) => a + b, 0) / ns.length;
      return Math.sqrt(ns.reduce((a, b) => a + (b - mean) ** 2, 0) / (ns.length - 1));
    }
    case 'RANDOM_SAMPLE': {
      const n = Number(r.args[1]);
      const vs = values(p);
      // Reservoir sampling with the cache's seeded generator.
      const out: Value[] = [];
      vs.forEach((v, i) => {
        if (out.length < n) out.push(v);
        else {
          const j = rng.nextUint32() % (i + 1);
          if (j < n) out[j] = v;
        }
      });
      return out;
    }
  }
  return null;
}

function compareValues(a: Value, b: Value): number {
  if (a === null || b === null) return a === null ? (b === null ? 0 : 1) : -1;
  const x = toNumber(a);
  const y = toNumber(b);
  if (!Number.isNaN(x) && !Number.isNaN(y)) return x - y;
  const s = toText(a);
  const t = toText(b);
  return s < t ? -1 : s > t ? 1 : 0;
}

export interface AggregateResult {
  /** RediSearch's count: rows out of the pipeline before the final LIMIT. */
  readonly total: number;
  readonly rows: Row[];
}

/** Runs an aggregation; rows are maps of property → value. */
export function runAggregate(cache: CacheCore, index: SearchIndex, req: AggregateRequest, now: number): AggregateResult {
  const parsed = parseQuery(req.query, { dialect: req.dialect, params: req.params, stopwords: index.stopwords, verbatim: req.verbatim });
  if (parsed.knn !== null) throw searchError('KNN queries in FT.AGGREGATE are not supported by this emulator');
  index.uses++;
  index.lastUsed = now;
  index.dialects.add(req.dialect);
  const matched: Array<{ doc: IndexedDoc; score: number }> = [];
  for (const doc of candidateDocs(index, parsed.root)) {
    const hit = index.matcher.match(parsed.root, doc);
    if (hit === null || liveValue(cache, doc, now) === null) continue;
    matched.push({ doc, score: score(req.scorer, hit, doc, index.avgDocLen) });
  }
  // The documents of a row, until a GROUPBY replaces rows with groups.
  const source = new Map<Row, IndexedDoc>();
  let rows: Row[] = matched.map(({ doc, score: s }) => {
    const row: Row = new Map();
    if (req.addScores) row.set('__score', s);
    source.set(row, doc);
    return row;
  });
  const known = new Set<string>(['__key', '__score']);
  if (req.addScores) known.add('__score');
  /** A property's value: the row's, else the document's schema field (loaded on demand). */
  const lookup = (row: Row, name: string): Value => {
    if (row.has(name)) return row.get(name)!;
    if (name === '__key') {
      const doc = source.get(row);
      return doc === undefined ? null : keyText(doc.key);
    }
    const doc = source.get(row);
    if (doc === undefined) return null;
    const field = index.fields.find((f) => f.attribute === name);
    if (field === undefined) return null;
    const value = liveValue(cache, doc, now);
    const loaded = value === null ? null : loadField(value, field.identifier, now);
    const v = loaded === null ? null : loaded.toString();
    row.set(name, v);
    return v;
  };
  // Before a GROUPBY every schema field can be loaded on demand; after it only the group's properties exist.
  let grouped = false;
  const check = (name: string): void => {
    if (known.has(name) || (!grouped && index.fields.some((f) => f.attribute === name))) return;
    throw searchError(`Property \`${name}\` not loaded nor in schema`);
  };
  let limited = false;
  let total = -1;
  for (const step of req.steps) {
    switch (step.kind) {
      case 'load':
        for (const row of rows) {
          const doc = source.get(row);
          if (doc === undefined) continue;
          const value = liveValue(cache, doc, now);
          if (value === null) continue;
          if (step.fields === '*') {
            for (const [f, v] of allFields(value, now)) row.set(f.toString(), v.toString());
          } else {
            for (const { name, as } of step.fields) {
              if (name === '__key') {
                row.set(as, keyText(doc.key));
                continue;
              }
              const field = index.fields.find((f) => f.attribute === name);
              const loaded = loadField(value, field?.identifier ?? name, now);
              if (loaded !== null) row.set(as, loaded.toString());
            }
          }
        }
        if (step.fields !== '*') for (const f of step.fields) known.add(f.as);
        else for (const f of index.fields) known.add(f.attribute);
        break;
      case 'groupby': {
        step.props.forEach(check);
        for (const r of step.reducers) for (const a of r.args) if (a.startsWith('@')) check(prop(a));
        const groups = new Map<string, { key: Value[]; rows: Row[] }>();
        for (const row of rows) {
          const key = step.props.map((p) => lookup(row, p));
          // A multi-value (array) property puts the row in one group per value.
          const combos = expand(key);
          for (const combo of combos) {
            const id = JSON.stringify(combo);
            let g = groups.get(id);
            if (g === undefined) groups.set(id, (g = { key: combo, rows: [] }));
            for (const r of step.reducers) for (const a of r.args) if (a.startsWith('@')) lookup(row, prop(a));
            g.rows.push(row);
          }
        }
        rows = [...groups.values()].map((g) => {
          const out: Row = new Map();
          step.props.forEach((p, i) => out.set(p, g.key[i]));
          for (const r of step.reducers) out.set(r.as, reduce(r, g.rows, cache.rng));
          return out;
        });
        source.clear();
        known.clear();
        grouped = true;
        step.props.forEach((p) => known.add(p));
        step.reducers.forEach((r) => known.add(r.as));
        break;
      }
      case 'sortby': {
        step.keys.forEach((k) => check(k.prop));
        for (const row of rows) for (const k of step.keys) lookup(row, k.prop);
        rows = [...rows].sort((a, b) => {
          for (const k of step.keys) {
            const av = a.get(k.prop) ?? null;
            const bv = b.get(k.prop) ?? null;
            if (av === null || bv === null) {
              const c = compareValues(av, bv);
              if (c !== 0) return c;
              continue;
            }
            const c = compareValues(av, bv);
            if (c !== 0) return k.asc ? c : -c;
          }
          return 0;
        });
        if (step.max !== null && step.max > 0) rows = rows.slice(0, step.max);
        break;
      }
      case 'apply':
        propertiesOf(step.expr).forEach(check);
        for (const row of rows) row.set(step.as, evaluate(step.expr, (n) => lookup(row, n)));
        known.add(step.as);
        break;
      case 'filter':
        propertiesOf(step.expr).forEach(check);
        rows = rows.filter((row) => {
          const v = evaluate(step.expr, (n) => lookup(row, n));
          return typeof v === 'number' ? v !== 0 && !Number.isNaN(v) : v !== null && (Array.isArray(v) ? v.length > 0 : v.length > 0);
        });
        break;
      case 'limit':
        if (!limited) total = rows.length;
        limited = true;
        rows = rows.slice(step.offset, step.offset + step.num);
        break;
    }
  }
  return { total: total >= 0 ? total : rows.length, rows };
}

/** All combinations of a group key whose parts may be lists (TOLIST results, multi-value fields). */
function expand(key: Value[]): Value[][] {
  let combos: Value[][] = [[]];
  for (const part of key) {
    const options = Array.isArray(part) ? (part.length === 0 ? [null] : part) : [part];
    combos = combos.flatMap((c) => options.map((o) => [...c, o]));
  }
  return combos;
}

function keyText(key: string): string {
  const r = keyReply(key);
  return typeof r === 'string' ? r : r.toString('utf8');
}
