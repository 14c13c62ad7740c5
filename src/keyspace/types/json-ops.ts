/**
 * What RedisJSON 2.8's commands do to a document, apart from argument parsing and key lookup
 * (src/commands/json.ts): selecting with either path syntax, JSON.SET's add-or-replace rules,
 * deletion order, RFC 7396 merge, number operations, array index normalisation, and the texts of
 * its errors (RedisJSON's `manager.rs` / `key_value.rs`).
 *
 * Every write first computes what it will do, then changes the document, so an error never
 * leaves half a change (RedisJSON itself can stop half way when, say, the second of two matches
 * overflows; see docs/modules.md).
 */
import { JsonError, cloneJson, jsonEquals, stringifyJson, typeName, type JsonFormat, type JsonObject, type JsonValue } from './json.js';
import { Query, compilePath, locate, type JsonPath, type Location, type Match } from './json-path.js';

// ---- error texts ---------------------------------------------------------------------------------

/** `ERR Path '<path>' does not exist`. */
export function pathMissing(path: string): JsonError {
  return new JsonError(`ERR Path '${path}' does not exist`);
}

/** `ERR Path '<path>' does not exist or <what>` (legacy-path writes and ARRLEN/OBJKEYS/OBJLEN). */
export function pathMissingOr(path: string, what: string): JsonError {
  return new JsonError(`ERR Path '${path}' does not exist or ${what}`);
}

/** `WRONGTYPE wrong type of path value - expected <t> but found <u>`. */
export function expectedType(expected: string, found: string): JsonError {
  return new JsonError(`WRONGTYPE wrong type of path value - expected ${expected} but found ${found}`);
}

export const NO_KEY = new JsonError("ERR could not perform this operation on a key that doesn't exist");
export const NEW_AT_ROOT = new JsonError('ERR new objects must be created at the root');
export const WRONG_STATIC_PATH = new JsonError('Err wrong static path');
export const INDEX_OUT_OF_RANGE = new JsonError('ERR array index out of range');
export const INDEX_OUT_OF_BOUNDS = new JsonError('ERR index out of bounds');
export const NOT_A_NUMBER = new JsonError('result is not a number');
export const BAD_NUMBER = new JsonError('bad input number');

// ---- selecting -------------------------------------------------------------------------------------

/** Every match of a path (compiling it; a bad path throws `Error occurred on position …`). */
export function select(root: JsonValue, path: JsonPath): Match[] {
  return compilePath(path.path).select(root);
}

/** The first match, else `ERR Path '<converted path>' does not exist` (RedisJSON's `get_first`). */
export function first(root: JsonValue, path: JsonPath): JsonValue {
  const found = select(root, path);
  if (found.length === 0) throw pathMissing(path.path);
  return found[0].value;
}

// ---- changing values in place -----------------------------------------------------------------------

/** A document holder: the root may be replaced. */
export interface Root {
  root: JsonValue;
}

/** Replaces the value at a location; false when it no longer exists. */
export function replaceAt(doc: Root, location: Location, value: JsonValue): boolean {
  if (location.length === 0) {
    doc.root = value;
    return true;
  }
  const found = locate(doc.root, location);
  if (found === null) return false;
  if (Array.isArray(found.parent)) found.parent[found.key as number] = value;
  else (found.parent as JsonObject).set(found.key as string, value);
  return true;
}

/** Adds a member to the object at `location` when it has no member of that name. */
export function addMember(doc: Root, location: Location, key: string, value: JsonValue): boolean {
  const found = locate(doc.root, location);
  if (found === null || !(found.value instanceof Map) || found.value.has(key)) return false;
  found.value.set(key, value);
  return true;
}

/** Removes the value at a location from its container. */
export function deleteAt(doc: Root, location: Location): boolean {
  const found = locate(doc.root, location);
  if (found === null || found.parent === null) return false;
  if (Array.isArray(found.parent)) found.parent.splice(found.key as number, 1);
  else (found.parent as JsonObject).delete(found.key as string);
  return true;
}

function isPrefix(a: Location, b: Location): boolean {
  if (a.length > b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * RedisJSON's `prepare_paths_for_updating`: drops locations inside others (only the outermost
 * goes) and orders the rest so that higher indexes of an array come before lower ones and longer
 * locations before shorter, so that removing one does not shift the next.
 */
export function deletionOrder(locations: readonly Location[]): Location[] {
  const unique: Location[] = [];
  const seen = new Set<string>();
  for (const loc of locations) {
    const id = JSON.stringify(loc);
    if (!seen.has(id)) {
      seen.add(id);
      unique.push(loc);
    }
  }
  const kept = unique.filter((loc) => !unique.some((other) => other !== loc && other.length < loc.length && isPrefix(other, loc)));
  return kept.sort((a, b) => {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= b.length) return -1;
      if (i >= a.length) return 1;
      const x = a[i];
      const y = b[i];
      if (typeof x === 'number' && typeof y === 'number') {
        if (x !== y) return y - x;
      } else if (typeof x === 'string' && typeof y === 'string') {
        if (x !== y) return x < y ? -1 : 1;
      } else {
        return typeof x === 'string' ? -1 : 1;
      }
    }
    return 0;
  });
}

// ---- JSON.SET / JSON.MERGE / JSON.MSET ----------------------------------------------------------------

/** One planned change of JSON.SET-like commands: replace at a location, or add a member. */
export type Update = { readonly kind: 'replace'; readonly location: Location } | { readonly kind: 'add'; readonly location: Location; readonly key: string };

/**
 * RedisJSON's `find_paths`: the matches to replace, else (not XX) where to add the path's last name;
 * `[]` means nothing to do. NX skips existing matches; a dynamic path that matches nothing is
 * `Err wrong static path`; an index that matches nothing is `ERR array index out of range`.
 */
export function planSet(root: JsonValue, path: JsonPath, mode: 'none' | 'nx' | 'xx'): Update[] {
  const query = compilePath(path.path);
  if (mode !== 'nx') {
    const found = query.select(root);
    if (found.length > 0) return found.map((m) => ({ kind: 'replace', location: m.location }));
  }
  if (mode === 'xx') return [];
  if (!query.isStatic) throw WRONG_STATIC_PATH;
  const steps = query.steps;
  const last = steps[steps.length - 1];
  if (last.kind === 'indexes') {
    if (query.select(root).length === 0) throw INDEX_OUT_OF_RANGE;
    return [];
  }
  const key = last.kind === 'key' ? last.name : last.kind === 'keys' ? last.names[0] : '';
  if (steps.length === 1) return [{ kind: 'add', location: [], key }];
  const parent = new Query(steps.slice(0, -1));
  return parent.select(root).map((m) => ({ kind: 'add', location: m.location, key }));
}

/** Applies planned updates with `value` (a copy for each after the first); true when any applied. */
export function applySet(doc: Root, updates: readonly Update[], value: JsonValue, merge = false): boolean {
  let updated = false;
  updates.forEach((u, i) => {
    const v = i === 0 ? value : cloneJson(value);
    if (u.kind === 'add') {
      if (addMember(doc, u.location, u.key, v)) updated = true;
    } else if (merge) {
      const found = locate(doc.root, u.location);
      if (found === null) return;
      replaceAt(doc, u.location, mergePatch(found.value, v));
      updated = true;
    } else if (replaceAt(doc, u.location, v)) {
      updated = true;
    }
  });
  return updated;
}

/** RFC 7396 JSON Merge Patch: objects merge member by member, a null member deletes, anything else replaces. */
export function mergePatch(target: JsonValue, patch: JsonValue): JsonValue {
  if (!(patch instanceof Map)) return patch;
  const out: JsonObject = target instanceof Map ? target : new Map();
  for (const [k, v] of patch) {
    if (v === null) out.delete(k);
    else out.set(k, mergePatch(out.has(k) ? out.get(k)! : null, v));
  }
  return out;
}

// ---- numbers ----------------------------------------------------------------------------------------

export type NumOp = 'incr' | 'mult' | 'pow';

/** Parses the number argument of NUMINCRBY/NUMMULTBY/NUMPOWBY (any JSON number; else `bad input number`). */
export function parseOperand(value: JsonValue): bigint | number {
  if (typeof value === 'bigint' || typeof value === 'number') return value;
  throw BAD_NUMBER;
}

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

function i64Pow(base: bigint, exp: bigint): bigint {
  // Rust's i64::pow(exp as u32) in a release build: the exponent's low 32 bits, wrapping products.
  let e = BigInt.asUintN(32, exp);
  let result = 1n;
  let b = base;
  while (e > 0n) {
    if (e & 1n) result = BigInt.asIntN(64, result * b);
    b = BigInt.asIntN(64, b * b);
    e >>= 1n;
  }
  return result;
}

/**
 * RedisJSON's `do_num_op`: an integer with an integer operand stays an integer (i64 arithmetic,
 * wrapping as its release build does); anything else is a double, and a NaN or infinite result
 * is `result is not a number`.
 */
export function numOp(op: NumOp, current: bigint | number, operand: bigint | number): bigint | number {
  if (typeof current === 'bigint' && current >= I64_MIN && current <= I64_MAX && typeof operand === 'bigint' && operand >= I64_MIN && operand <= I64_MAX) {
    if (op === 'incr') return BigInt.asIntN(64, current + operand);
    if (op === 'mult') return BigInt.asIntN(64, current * operand);
    return i64Pow(current, operand);
  }
  const a = Number(current);
  const b = Number(operand);
  const r = op === 'incr' ? a + b : op === 'mult' ? a * b : Math.pow(a, b);
  if (!Number.isFinite(r)) throw NOT_A_NUMBER;
  return r;
}

/** serde_json's Number display (the legacy NUMINCRBY reply). */
export function numberText(n: bigint | number): string {
  return stringifyJson(n);
}

// ---- arrays -------------------------------------------------------------------------------------------

/** RedisJSON's `normalize_arr_indices` (ARRINDEX): a negative start counts from the end, stop 0 means the end. */
export function searchRange(start: number, stop: number, len: number): [number, number] {
  const s = start < 0 ? Math.max(0, len + start) : Math.min(start, len - 1);
  const e = stop === 0 ? len : stop < 0 ? Math.max(0, len + stop) : Math.min(stop, len);
  return [s, e];
}

/** The first index of `value` in `arr[start, stop)`, or -1 (ARRINDEX). */
export function indexOf(arr: JsonValue[], value: JsonValue, start: number, stop: number): number {
  if (arr.length === 0) return -1;
  const [s, e] = searchRange(start, stop, arr.length);
  for (let i = s; i < e; i++) if (jsonEquals(arr[i], value)) return i;
  return -1;
}

/** ARRPOP's index: negative from the end (clamped to 0), past the end is the last element. */
export function popIndex(index: number, len: number): number {
  return index < 0 ? Math.max(0, len + index) : Math.min(index, len - 1);
}

/** ARRINSERT's index: negative from the end; must land in [0, len]. */
export function insertIndex(index: number, len: number): number {
  const i = index < 0 ? len + index : index;
  if (i < 0 || i > len) throw INDEX_OUT_OF_BOUNDS;
  return i;
}

function normalize(i: number, len: number): number {
  if (i < 0) return Math.max(0, len + i);
  return len > 0 ? Math.min(len - 1, i) : 0;
}

/** ARRTRIM: keeps `[start, stop]` (inclusive, normalised as RedisJSON does); answers the new length. */
export function trimArray(arr: JsonValue[], start: number, stop: number): number {
  const len = arr.length;
  const e = normalize(stop, len);
  const s = start < 0 || start < len ? normalize(start, len) : e + 1;
  if (s > e || len === 0) arr.length = 0;
  else {
    const kept = arr.slice(s, e + 1);
    arr.length = 0;
    arr.push(...kept);
  }
  return arr.length;
}

// ---- JSON.CLEAR ------------------------------------------------------------------------------------------

/** True for what JSON.CLEAR changes: non-empty containers and non-zero numbers. */
export function clearable(v: JsonValue): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'number') return v !== 0;
  return false;
}

/** The cleared form: an empty container, or integer 0 for any number. */
export function cleared(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return [];
  if (v instanceof Map) return new Map();
  return 0n;
}

// ---- serialization helpers for replies -----------------------------------------------------------------

/** JSON text of a list of values (the `$`-path replies of JSON.GET, JSON.MGET …). */
export function listText(values: readonly JsonValue[], format?: JsonFormat): string {
  return stringifyJson(values as JsonValue[], format);
}

export { typeName };
