/**
 * The RedisJSON 2.8 commands (`JSON.*`), registered only on a cache created with
 * `modules: ['RedisJSON']` (src/modules.ts). Argument parsing, key lookup and reply shapes live
 * here; the value model, paths and document operations are in `keyspace/types/json*.ts`.
 *
 * As a module registers them: arity -1 (the module counts its own arguments and answers Redis's
 * `wrong number of arguments` error), the `module` flag, and legacy key ranges (COMMAND INFO).
 * Writes replicate verbatim and raise `json.<command>` keyspace events (class `d`).
 */
import { moduleCommandDeclarer, type CommandContext, type CommandSpec } from './command.js';
import { keyName, type Bytes } from '../keyspace/bytes.js';
import { JsonDocument, JsonError, cloneJson, parseJson, stringifyJson, typeName, type JsonFormat, type JsonValue } from '../keyspace/types/json.js';
import { JsonPath, LEGACY_ROOT, type Match } from '../keyspace/types/json-path.js';
import {
  NEW_AT_ROOT,
  NO_KEY,
  applySet,
  cleared,
  clearable,
  deleteAt,
  deletionOrder,
  expectedType,
  first,
  indexOf,
  insertIndex,
  mergePatch,
  numOp,
  numberText,
  parseOperand,
  pathMissing,
  pathMissingOr,
  planSet,
  popIndex,
  replaceAt,
  select,
  trimArray,
  type NumOp,
  type Update,
} from '../keyspace/types/json-ops.js';
import { jsonMemory } from '../keyspace/types/json.js';
import { WRONGTYPE, SYNTAX, wrongArity } from '../protocol/errors.js';
import { BoolReply, DoubleReply, MapReply, OK, StatusReply, type Reply } from '../protocol/reply.js';

/** The module name MODULE LIST, COMMAND DOCS and COMMAND LIST FILTERBY MODULE give. */
export const REJSON_MODULE_NAME = 'ReJSON';

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const NOT_UTF8 = new JsonError("Couldn't parse as UTF-8 string");
const NOT_INTEGER = new JsonError("Couldn't parse as integer");
const WRONG_FORMAT = new JsonError('ERR wrong format');

/** An argument as text; RedisJSON refuses bytes that are not UTF-8. */
function str(arg: Bytes): string {
  if (typeof arg === 'string') return arg;
  try {
    return UTF8.decode(arg);
  } catch {
    throw NOT_UTF8;
  }
}

/** redis-module-rs's `parse_integer`: a strict 64-bit decimal. */
function integer(arg: Bytes): number {
  const s = str(arg);
  if (!/^-?(0|[1-9][0-9]*)$/.test(s)) throw NOT_INTEGER;
  const n = BigInt(s);
  if (n < -(2n ** 63n) || n > 2n ** 63n - 1n) throw NOT_INTEGER;
  return Number(n);
}

/** A JSON argument (serde_json's errors for bad text). */
function json(arg: Bytes): JsonValue {
  return parseJson(str(arg));
}

/** RedisJSON's `FORMAT` argument of JSON.SET / JSON.MERGE / JSON.GET: only JSON is served. */
function checkFormat(arg: Bytes | undefined, name: string): void {
  if (arg === undefined) throw wrongArity(name);
  if (str(arg).toUpperCase() !== 'JSON') throw WRONG_FORMAT;
}

/** The document at a key, undefined when absent; WRONGTYPE for another type. */
function lookup(ctx: CommandContext, key: string, write: boolean): JsonDocument | undefined {
  const value = write ? ctx.db.get(key, ctx.now) : ctx.db.read(key, ctx.now);
  if (value === undefined) return undefined;
  if (!(value instanceof JsonDocument)) throw WRONGTYPE;
  return value;
}

/** The document a write needs (`could not perform this operation on a key that doesn't exist`). */
function existing(ctx: CommandContext, key: string): JsonDocument {
  const doc = lookup(ctx, key, true);
  if (doc === undefined) throw NO_KEY;
  return doc;
}

/** Records a change to a document: memory, the change hook (WATCH, events, verbatim replication). */
function changed(ctx: CommandContext, key: string, doc: JsonDocument, event: string): void {
  doc.touched();
  ctx.changed(key, event);
}

function isResp3(ctx: CommandContext): boolean {
  return ctx.client.resp === 3;
}

/** Which matches satisfy a test, in match order (null where one does not). */
function filterMatches(matches: Match[], test: (v: JsonValue) => boolean): Array<Match | null> {
  return matches.map((m) => (test(m.value) ? m : null));
}

const isArray = (v: JsonValue): v is JsonValue[] => Array.isArray(v);
const isString = (v: JsonValue): v is string => typeof v === 'string';
const isNumber = (v: JsonValue): v is bigint | number => typeof v === 'bigint' || typeof v === 'number';
const isBool = (v: JsonValue): v is boolean => typeof v === 'boolean';

/** An integer reply (RedisJSON's lengths and indexes). */
function int(n: number | bigint): Reply {
  return typeof n === 'bigint' ? n : n;
}

/** A value as RESP3 gives it (JSON.GET in RESP3): scalars native, strings and containers as JSON text. */
function resp3Value(v: JsonValue, format?: JsonFormat): Reply {
  if (v === null) return null;
  if (typeof v === 'boolean') return new BoolReply(v);
  if (typeof v === 'bigint') return v >= -(2n ** 63n) && v < 2n ** 63n ? (Number.isSafeInteger(Number(v)) ? Number(v) : v) : new DoubleReply(Number(v));
  if (typeof v === 'number') return new DoubleReply(v);
  return stringifyJson(v, format);
}

/** JSON.RESP's mapping: `[` / `{` markers, booleans as simple strings, doubles as doubles. */
function respValue(v: JsonValue): Reply {
  if (v === null) return null;
  if (typeof v === 'boolean') return new StatusReply(v ? 'true' : 'false');
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : BigInt.asIntN(64, v);
  if (typeof v === 'number') return new DoubleReply(v);
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return [new StatusReply('['), ...v.map(respValue)];
  const out: Reply[] = [new StatusReply('{')];
  for (const [k, item] of v) out.push(k, respValue(item));
  return out;
}

function keyOf(argv: readonly Bytes[], index: number, name: string): string {
  if (argv.length <= index) throw wrongArity(name);
  return keyName(argv[index]);
}

// ---- declarations ---------------------------------------------------------------------------------

/** Declares a RedisJSON command as the module registers it: name, flags, legacy key range. */
const jsonCommand = moduleCommandDeclarer(REJSON_MODULE_NAME);

// ---- JSON.SET / JSON.MERGE / JSON.MSET ---------------------------------------------------------------

const set = jsonCommand('json.set', 'write deny-oom', [1, 1, 1], (ctx, argv) => {
  if (argv.length < 4) throw wrongArity('json.set');
  const key = keyName(argv[1]);
  const path = new JsonPath(str(argv[2]));
  let mode: 'none' | 'nx' | 'xx' = 'none';
  for (let i = 4; i < argv.length; i++) {
    const opt = str(argv[i]).toUpperCase();
    if (opt === 'NX' && mode === 'none') mode = 'nx';
    else if (opt === 'XX' && mode === 'none') mode = 'xx';
    else if (opt === 'FORMAT') checkFormat(argv[++i], 'json.set');
    else throw SYNTAX;
  }
  const doc = lookup(ctx, key, true);
  const value = json(argv[3]);
  if (doc === undefined) {
    if (mode === 'xx') return null;
    if (!path.isRoot) throw NEW_AT_ROOT;
    ctx.db.set(key, new JsonDocument(value));
    ctx.changed(key, 'json.set');
    return OK;
  }
  if (path.isRoot) {
    if (mode === 'nx') return null;
    doc.setRoot(value);
    ctx.changed(key, 'json.set');
    return OK;
  }
  const updates = planSet(doc.root, path, mode);
  if (updates.length === 0 || !applySet(doc, updates, value)) return null;
  changed(ctx, key, doc, 'json.set');
  return OK;
});

const merge = jsonCommand('json.merge', 'write deny-oom', [1, 1, 1], (ctx, argv) => {
  if (argv.length < 4) throw wrongArity('json.merge');
  const key = keyName(argv[1]);
  const path = new JsonPath(str(argv[2]));
  for (let i = 4; i < argv.length; i++) {
    if (str(argv[i]).toUpperCase() === 'FORMAT') checkFormat(argv[++i], 'json.merge');
    else throw SYNTAX;
  }
  const doc = lookup(ctx, key, true);
  const value = json(argv[3]);
  if (doc === undefined) {
    if (!path.isRoot) throw NEW_AT_ROOT;
    ctx.db.set(key, new JsonDocument(value));
    ctx.changed(key, 'json.merge');
    return OK;
  }
  if (path.isRoot) {
    doc.root = mergePatch(doc.root, value);
    changed(ctx, key, doc, 'json.merge');
    return OK;
  }
  const updates = planSet(doc.root, path, 'none');
  if (updates.length === 0 || !applySet(doc, updates, value, true)) return null;
  changed(ctx, key, doc, 'json.merge');
  return OK;
});

const mset = jsonCommand(
  'json.mset',
  'write deny-oom',
  [1, -1, 3],
  (ctx, argv) => {
    if (argv.length < 4 || (argv.length - 1) % 3 !== 0) throw wrongArity('json.mset');
    // Every triple is checked (type, path, JSON) before any key changes.
    const plans: Array<{ key: string; updates: Update[] | null; value: JsonValue }> = [];
    for (let i = 1; i < argv.length; i += 3) {
      const key = keyName(argv[i]);
      const doc = lookup(ctx, key, true);
      const path = new JsonPath(str(argv[i + 1]));
      let updates: Update[] | null = null;
      if (!path.isRoot) {
        if (doc === undefined) throw NEW_AT_ROOT;
        updates = planSet(doc.root, path, 'none');
      }
      plans.push({ key, updates, value: json(argv[i + 2]) });
    }
    for (const { key, updates, value } of plans) {
      const doc = lookup(ctx, key, true);
      if (updates === null) {
        if (doc === undefined) ctx.db.set(key, new JsonDocument(value));
        else doc.setRoot(value);
        ctx.changed(key, 'json.mset');
      } else if (doc !== undefined && updates.length > 0 && applySet(doc, updates, value)) {
        changed(ctx, key, doc, 'json.mset');
      }
    }
    return OK;
  },
  (argv) => {
    const out: number[] = [];
    for (let i = 1; i < argv.length; i += 3) out.push(i);
    return out;
  },
);

// ---- JSON.GET / JSON.MGET / JSON.RESP / JSON.TYPE ------------------------------------------------------

const get = jsonCommand('json.get', 'readonly', [1, 1, 1], (ctx, argv) => {
  const key = keyOf(argv, 1, 'json.get');
  const format: JsonFormat = {};
  const paths: JsonPath[] = [];
  for (let i = 2; i < argv.length; i++) {
    const arg = str(argv[i]);
    // RedisJSON takes anything longer than its longest option name for a path.
    const opt = arg.length > 8 ? '' : arg.toUpperCase();
    const value = (): string => {
      if (i + 1 >= argv.length) throw wrongArity('json.get');
      return str(argv[++i]);
    };
    if (opt === 'INDENT') format.indent = value();
    else if (opt === 'NEWLINE') format.newline = value();
    else if (opt === 'SPACE') format.space = value();
    else if (opt === 'NOESCAPE') continue;
    else if (opt === 'FORMAT') checkFormat(argv[++i], 'json.get');
    else paths.push(new JsonPath(arg));
  }
  if (paths.length === 0) paths.push(LEGACY_ROOT);
  const doc = lookup(ctx, key, false);
  if (doc === undefined) return null;
  const legacy = paths.every((p) => p.legacy);
  if (paths.length === 1) {
    const path = paths[0];
    if (legacy) return stringifyJson(first(doc.root, path), format);
    const values = select(doc.root, path).map((m) => m.value);
    return isResp3(ctx) ? values.map((v) => resp3Value(v, format)) : stringifyJson(values, format);
  }
  // Several paths: an object of path → value(s); a path that does not compile is left out.
  const results = new Map<string, JsonValue>();
  let missing: string | null = null;
  for (const path of paths) {
    let found: Match[];
    try {
      found = select(doc.root, path);
    } catch (error) {
      if (error instanceof JsonError) continue;
      throw error;
    }
    if (legacy) {
      if (found.length === 0) missing ??= path.original;
      else results.set(path.original, found[0].value);
    } else {
      results.set(path.original, found.map((m) => m.value));
    }
  }
  if (missing !== null) throw pathMissing(missing);
  if (isResp3(ctx)) {
    return new MapReply(
      [...results].map(([p, v]) => [p, legacy ? resp3Value(v, format) : (v as JsonValue[]).map((x) => resp3Value(x, format))]),
    );
  }
  return stringifyJson(results, format);
});

const mget = jsonCommand(
  'json.mget',
  'readonly',
  [1, 1, 1],
  (ctx, argv) => {
    if (argv.length < 3) throw wrongArity('json.mget');
    const path = new JsonPath(str(argv[argv.length - 1]));
    const out: Reply[] = [];
    for (let i = 1; i < argv.length - 1; i++) {
      // Any failure for one key (another type, a missing path, a bad path) is a null for that key.
      let value: Reply = null;
      try {
        const doc = lookup(ctx, keyName(argv[i]), false);
        if (doc !== undefined) {
          value = path.legacy ? stringifyJson(first(doc.root, path)) : stringifyJson(select(doc.root, path).map((m) => m.value));
        }
      } catch (error) {
        if (!(error instanceof JsonError) && error !== WRONGTYPE) throw error;
      }
      out.push(value);
    }
    return out;
  },
  // The module declares only the first key; the emulator routes on all of them (see docs/modules.md).
  (argv) => Array.from({ length: Math.max(0, argv.length - 2) }, (_, i) => i + 1),
);

const resp = jsonCommand('json.resp', 'readonly', [1, 1, 1], (ctx, argv) => {
  const key = keyOf(argv, 1, 'json.resp');
  const path = argv.length > 2 ? new JsonPath(str(argv[2])) : LEGACY_ROOT;
  const doc = lookup(ctx, key, false);
  if (doc === undefined) return null;
  if (path.legacy) return respValue(first(doc.root, path));
  return select(doc.root, path).map((m) => respValue(m.value));
});

const type = jsonCommand('json.type', 'readonly', [1, 1, 1], (ctx, argv) => {
  const key = keyOf(argv, 1, 'json.type');
  const path = argv.length > 2 ? new JsonPath(str(argv[2])) : LEGACY_ROOT;
  const doc = lookup(ctx, key, false);
  let value: Reply;
  if (path.legacy) {
    value = null;
    if (doc !== undefined) {
      try {
        value = typeName(first(doc.root, path));
      } catch (error) {
        if (!(error instanceof JsonError)) throw error;
      }
    }
  } else {
    value = doc === undefined ? null : select(doc.root, path).map((m) => typeName(m.value));
  }
  // RedisJSON wraps the reply in an array under RESP3.
  return isResp3(ctx) ? [value] : value;
});

// ---- JSON.DEL / JSON.FORGET / JSON.CLEAR ----------------------------------------------------------------

function del(name: string): CommandSpec {
  return jsonCommand(name, 'write', [1, 1, 1], (ctx, argv) => {
    const key = keyOf(argv, 1, name);
    const path = argv.length > 2 ? new JsonPath(str(argv[2])) : LEGACY_ROOT;
    const doc = lookup(ctx, key, true);
    if (doc === undefined) return 0;
    if (path.isRoot) {
      ctx.db.delete(key);
      ctx.changed(key, 'json.del');
      return 1;
    }
    let count = 0;
    for (const location of deletionOrder(select(doc.root, path).map((m) => m.location))) {
      if (deleteAt(doc, location)) count++;
    }
    if (count > 0) changed(ctx, key, doc, 'json.del');
    return count;
  });
}

const clear = jsonCommand('json.clear', 'write', [1, 1, 1], (ctx, argv) => {
  const key = keyOf(argv, 1, 'json.clear');
  const path = argv.length > 2 ? new JsonPath(str(argv[2])) : LEGACY_ROOT;
  const doc = existing(ctx, key);
  let count = 0;
  for (const m of select(doc.root, path)) {
    if (clearable(m.value) && replaceAt(doc, m.location, cleared(m.value))) count++;
  }
  if (count > 0) changed(ctx, key, doc, 'json.clear');
  return count;
});

// ---- numbers, booleans, strings ---------------------------------------------------------------------------

function numCommand(name: string, op: NumOp): CommandSpec {
  return jsonCommand(name, 'write', [1, 1, 1], (ctx, argv) => {
    if (argv.length < 4) throw wrongArity(name);
    const key = keyName(argv[1]);
    const path = new JsonPath(str(argv[2]));
    const operandText = str(argv[3]);
    const doc = existing(ctx, key);
    const targets = filterMatches(select(doc.root, path), isNumber);
    const hits = targets.filter((t): t is Match => t !== null);
    if (path.legacy && !isResp3(ctx) && hits.length === 0) throw pathMissingOr(path.path, 'does not contains a number');
    // Every result is computed before the document changes.
    const results = targets.map((t) => (t === null ? null : numOp(op, t.value as bigint | number, parseOperand(parseJson(operandText)))));
    targets.forEach((t, i) => {
      if (t !== null) replaceAt(doc, t.location, results[i]);
    });
    if (hits.length > 0) changed(ctx, key, doc, name);
    if (isResp3(ctx)) return results.map((r) => (r === null ? null : typeof r === 'bigint' ? int(Number(r)) : new DoubleReply(r)));
    if (path.legacy) return numberText(results.filter((r) => r !== null).pop()!);
    return stringifyJson(results);
  });
}

const toggle = jsonCommand('json.toggle', 'write deny-oom', [1, 1, 1], (ctx, argv) => {
  if (argv.length < 3) throw wrongArity('json.toggle');
  const key = keyName(argv[1]);
  const path = new JsonPath(str(argv[2]));
  const doc = existing(ctx, key);
  const targets = filterMatches(select(doc.root, path), isBool);
  const hits = targets.filter((t): t is Match => t !== null);
  if (path.legacy && hits.length === 0) throw pathMissingOr(path.path, 'not a bool');
  const results = targets.map((t) => {
    if (t === null) return null;
    const value = !(t.value as boolean);
    replaceAt(doc, t.location, value);
    return value;
  });
  if (hits.length > 0) changed(ctx, key, doc, 'json.toggle');
  if (path.legacy) return String(results.filter((r) => r !== null).pop());
  return results.map((r) => (r === null ? null : r ? 1 : 0));
});

const strappend = jsonCommand('json.strappend', 'write deny-oom', [1, 1, 1], (ctx, argv) => {
  if (argv.length < 3) throw wrongArity('json.strappend');
  const key = keyName(argv[1]);
  const path = argv.length > 3 ? new JsonPath(str(argv[2])) : LEGACY_ROOT;
  const text = str(argv[argv.length > 3 ? 3 : 2]);
  const doc = existing(ctx, key);
  const targets = filterMatches(select(doc.root, path), isString);
  const hits = targets.filter((t): t is Match => t !== null);
  if (path.legacy && hits.length === 0) throw pathMissingOr(path.path, 'not a string');
  let suffix = '';
  if (hits.length > 0) {
    const value = parseJson(text);
    if (typeof value !== 'string') throw expectedType('string', text);
    suffix = value;
  }
  const results = targets.map((t) => {
    if (t === null) return null;
    const value = (t.value as string) + suffix;
    replaceAt(doc, t.location, value);
    return Buffer.byteLength(value, 'utf8');
  });
  if (hits.length > 0) changed(ctx, key, doc, 'json.strappend');
  if (path.legacy) return results.filter((r) => r !== null).pop()!;
  return results;
});

const strlen = jsonCommand('json.strlen', 'readonly', [1, 1, 1], (ctx, argv) => {
  const key = keyOf(argv, 1, 'json.strlen');
  const path = argv.length > 2 ? new JsonPath(str(argv[2])) : LEGACY_ROOT;
  const doc = lookup(ctx, key, false);
  if (path.legacy) {
    if (doc === undefined) return null;
    const value = first(doc.root, path);
    if (typeof value !== 'string') throw expectedType('string', typeName(value));
    return Buffer.byteLength(value, 'utf8');
  }
  if (doc === undefined) throw NO_KEY;
  return select(doc.root, path).map((m) => (typeof m.value === 'string' ? Buffer.byteLength(m.value, 'utf8') : null));
});

// ---- arrays -------------------------------------------------------------------------------------------------

/** Runs an array write on every array match: legacy paths answer the last result or `… or not an array`. */
function arrayWrite(
  ctx: CommandContext,
  key: string,
  path: JsonPath,
  event: string,
  missingPath: string,
  change: (arr: JsonValue[]) => Reply,
  always = false,
): Reply {
  const doc = existing(ctx, key);
  const targets = filterMatches(select(doc.root, path), isArray);
  const hits = targets.filter((t): t is Match => t !== null);
  if (path.legacy && hits.length === 0) throw pathMissingOr(missingPath, 'not an array');
  const results = targets.map((t) => (t === null ? null : change(t.value as JsonValue[])));
  if (hits.length > 0 || (always && path.legacy)) changed(ctx, key, doc, event);
  if (path.legacy) return results.filter((r) => r !== null).pop() ?? null;
  return results;
}

const arrappend = jsonCommand('json.arrappend', 'write deny-oom', [1, 1, 1], (ctx, argv) => {
  if (argv.length < 4) throw wrongArity('json.arrappend');
  const key = keyName(argv[1]);
  const path = new JsonPath(str(argv[2]));
  const values = argv.slice(3).map(json);
  return arrayWrite(ctx, key, path, 'json.arrappend', path.original, (arr) => {
    arr.push(...values.map(cloneJson));
    return arr.length;
  });
});

const arrinsert = jsonCommand('json.arrinsert', 'write deny-oom', [1, 1, 1], (ctx, argv) => {
  if (argv.length < 5) throw wrongArity('json.arrinsert');
  const key = keyName(argv[1]);
  const path = new JsonPath(str(argv[2]));
  const index = integer(argv[3]);
  const values = argv.slice(4).map(json);
  const doc = existing(ctx, key);
  // Bounds are checked on every array before any changes.
  for (const m of select(doc.root, path)) if (Array.isArray(m.value)) insertIndex(index, m.value.length);
  return arrayWrite(ctx, key, path, 'json.arrinsert', path.path, (arr) => {
    arr.splice(insertIndex(index, arr.length), 0, ...values.map(cloneJson));
    return arr.length;
  });
});

const arrindex = jsonCommand('json.arrindex', 'readonly', [1, 1, 1], (ctx, argv) => {
  if (argv.length < 4) throw wrongArity('json.arrindex');
  if (argv.length > 6) throw wrongArity('json.arrindex');
  const key = keyName(argv[1]);
  const path = new JsonPath(str(argv[2]));
  const valueText = str(argv[3]);
  const start = argv.length > 4 ? integer(argv[4]) : 0;
  const stop = argv.length > 5 ? integer(argv[5]) : 0;
  const doc = lookup(ctx, key, false);
  const value = parseJson(valueText);
  if (doc === undefined) throw pathMissing(path.original);
  if (path.legacy) {
    const arr = first(doc.root, path);
    if (!Array.isArray(arr)) throw expectedType('array', typeName(arr));
    return indexOf(arr, value, start, stop);
  }
  return select(doc.root, path).map((m) => (Array.isArray(m.value) ? indexOf(m.value, value, start, stop) : null));
});

const arrlen = jsonCommand('json.arrlen', 'readonly', [1, 1, 1], (ctx, argv) => {
  const key = keyOf(argv, 1, 'json.arrlen');
  const doc = lookup(ctx, key, false);
  const path = argv.length > 2 ? new JsonPath(str(argv[2])) : LEGACY_ROOT;
  if (path.legacy) {
    if (doc === undefined) return null;
    const found = select(doc.root, path);
    if (found.length === 0 || !Array.isArray(found[0].value)) throw pathMissingOr(path.original, 'not an array');
    return found[0].value.length;
  }
  if (doc === undefined) throw NO_KEY;
  return select(doc.root, path).map((m) => (Array.isArray(m.value) ? m.value.length : null));
});

const arrpop = jsonCommand('json.arrpop', 'write', [1, 1, 1], (ctx, argv) => {
  const key = keyOf(argv, 1, 'json.arrpop');
  const path = argv.length > 2 ? new JsonPath(str(argv[2])) : LEGACY_ROOT;
  // A missing or unreadable index means the last element, as in RedisJSON.
  let index = argv.length > 2 ? -1 : Number.MAX_SAFE_INTEGER;
  if (argv.length > 3) {
    try {
      index = integer(argv[3]);
    } catch {
      index = -1;
    }
  }
  return arrayWrite(
    ctx,
    key,
    path,
    'json.arrpop',
    path.path,
    (arr) => {
      if (arr.length === 0) return null;
      const [popped] = arr.splice(popIndex(index, arr.length), 1);
      return stringifyJson(popped);
    },
    true,
  );
});

const arrtrim = jsonCommand('json.arrtrim', 'write', [1, 1, 1], (ctx, argv) => {
  if (argv.length < 5) throw wrongArity('json.arrtrim');
  const key = keyName(argv[1]);
  const path = new JsonPath(str(argv[2]));
  const start = integer(argv[3]);
  const stop = integer(argv[4]);
  return arrayWrite(ctx, key, path, 'json.arrtrim', path.path, (arr) => trimArray(arr, start, stop));
});

// ---- objects ---------------------------------------------------------------------------------------------------

/**
 * The object a legacy path names (its first match), or null when the key or the path is missing;
 * `wrongType` makes the error for a match that is not an object (OBJKEYS and OBJLEN word it apart).
 */
function legacyObject(doc: ReturnType<typeof lookup>, path: JsonPath, wrongType: (value: JsonValue) => Error): Map<string, JsonValue> | null {
  if (doc === undefined) return null;
  const found = select(doc.root, path);
  if (found.length === 0) return null;
  const value = found[0].value;
  if (!(value instanceof Map)) throw wrongType(value);
  return value;
}

const objkeys = jsonCommand('json.objkeys', 'readonly', [1, 1, 1], (ctx, argv) => {
  const key = keyOf(argv, 1, 'json.objkeys');
  const path = argv.length > 2 ? new JsonPath(str(argv[2])) : LEGACY_ROOT;
  const doc = lookup(ctx, key, false);
  if (path.legacy) {
    const object = legacyObject(doc, path, () => pathMissingOr(path.path, 'not an object'));
    return object === null ? null : [...object.keys()];
  }
  if (doc === undefined) throw NO_KEY;
  return select(doc.root, path).map((m) => (m.value instanceof Map ? [...m.value.keys()] : null));
});

const objlen = jsonCommand('json.objlen', 'readonly', [1, 1, 1], (ctx, argv) => {
  const key = keyOf(argv, 1, 'json.objlen');
  const path = argv.length > 2 ? new JsonPath(str(argv[2])) : LEGACY_ROOT;
  const doc = lookup(ctx, key, false);
  if (path.legacy) {
    const object = legacyObject(doc, path, (v) => expectedType('object', typeName(v)));
    return object === null ? null : object.size;
  }
  if (doc === undefined) throw pathMissingOr(path.path, 'not an object');
  return select(doc.root, path).map((m) => (m.value instanceof Map ? m.value.size : null));
});

// ---- JSON.DEBUG ------------------------------------------------------------------------------------------------

const DEBUG_HELP = ['MEMORY <key> [path] - reports memory usage', 'HELP                - this message'];

const debug = jsonCommand('json.debug', 'readonly', [2, 2, 1], (ctx, argv) => {
  if (argv.length < 2) throw wrongArity('json.debug');
  const sub = str(argv[1]).toUpperCase();
  if (sub === 'HELP') return [...DEBUG_HELP];
  if (sub !== 'MEMORY') throw new JsonError('ERR unknown subcommand - try `JSON.DEBUG HELP`');
  const key = keyOf(argv, 2, 'json.debug');
  const path = argv.length > 3 ? new JsonPath(str(argv[3])) : LEGACY_ROOT;
  const doc = lookup(ctx, key, false);
  if (path.legacy) return doc === undefined ? 0 : jsonMemory(first(doc.root, path));
  return doc === undefined ? [] : select(doc.root, path).map((m) => jsonMemory(m.value));
});

/** Every RedisJSON 2.8 command, in the module's registration order. */
export const jsonCommands: readonly CommandSpec[] = [
  del('json.del'),
  get,
  mget,
  set,
  mset,
  type,
  numCommand('json.numincrby', 'incr'),
  toggle,
  numCommand('json.nummultby', 'mult'),
  numCommand('json.numpowby', 'pow'),
  strappend,
  strlen,
  arrappend,
  arrindex,
  arrinsert,
  arrlen,
  arrpop,
  arrtrim,
  objkeys,
  objlen,
  clear,
  debug,
  del('json.forget'),
  resp,
  merge,
];
