/**
 * RedisJSON 2.8's paths: JSONPath (`$…`) and the legacy syntax (`.a.b`, `a[0]`, `.`), which
 * RedisJSON turns into JSONPath (`.` → `$`, `.a` → `$.a`, `a` → `$.a`) but answers differently
 * (one value, other errors).
 *
 * The grammar is RedisJSON's (its `json_path` crate): `.name`, `..` (recursive descent), `*`,
 * `[0,-1]` (indexes; a negative one counts from the end, one past the start clamps to 0),
 * `[1:3]`, `[:2]`, `[1:]`, `[::2]` (slices), `['a',"b"]` (names), and filters `[?(@.price < 10 &&
 * @.name =~ "re")]` with `==`, `!=`, `<`, `<=`, `>`, `>=`, `=~` (a regular expression), `&&`, `||`
 * and parentheses; terms are `@…`, `$…`, numbers, quoted strings and `true`/`false`. Spaces may
 * sit between tokens. The evaluation order is the crate's: a recursive descent visits a node, then
 * each child in order with its own descendants.
 */
import { JsonError, type JsonObject, type JsonValue } from './json.js';

/** One step of a compiled path. */
type Step =
  | { readonly kind: 'key'; readonly name: string }
  | { readonly kind: 'keys'; readonly names: readonly string[] }
  | { readonly kind: 'all' }
  | { readonly kind: 'scan' }
  | { readonly kind: 'indexes'; readonly list: readonly number[] }
  | { readonly kind: 'range'; readonly start: number | null; readonly end: number | null; readonly step: number }
  | { readonly kind: 'filter'; readonly expr: Filter };

type Term =
  | { readonly kind: 'current' | 'root'; readonly steps: readonly Step[] }
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'bool'; readonly value: boolean };

type Op = '==' | '!=' | '<' | '<=' | '>' | '>=' | '=~';

type Filter =
  | { readonly kind: 'test'; readonly left: Term; readonly op?: Op; readonly right?: Term }
  | { readonly kind: 'chain'; readonly first: Filter; readonly rest: ReadonlyArray<readonly ['&&' | '||', Filter]> };

/** A path as a command received it. */
export class JsonPath {
  /** The JSONPath text evaluated (legacy paths converted). */
  readonly path: string;
  /** True for the legacy syntax (no leading `$`). */
  readonly legacy: boolean;
  constructor(readonly original: string) {
    if (original.startsWith('$')) {
      this.path = original;
      this.legacy = false;
    } else {
      this.legacy = true;
      this.path = original === '.' ? '$' : original.startsWith('.') ? `$${original}` : `$.${original}`;
    }
  }
  /** `$` or `.`: the whole document. */
  get isRoot(): boolean {
    return this.path === '$';
  }
}

/** The legacy root `.`, every command's default path. */
export const LEGACY_ROOT = new JsonPath('.');

/** A location in a document: member names and array indexes from the root. */
export type Location = ReadonlyArray<string | number>;

/** One match: the value and where it is. */
export interface Match {
  readonly value: JsonValue;
  readonly location: Location;
}

/** A compiled JSONPath. */
export class Query {
  constructor(readonly steps: readonly Step[]) {}

  /** At most one match by construction: names and single indexes only (RedisJSON's `is_static`). */
  get isStatic(): boolean {
    return this.steps.every(
      (s) => s.kind === 'key' || (s.kind === 'keys' && s.names.length === 1) || (s.kind === 'indexes' && s.list.length === 1),
    );
  }

  /** Every match, in the crate's order. */
  select(root: JsonValue): Match[] {
    const out: Match[] = [];
    walk(this.steps, 0, root, [], root, out);
    return out;
  }
}

const cache = new Map<string, Query>();

/** Compiles a JSONPath, or throws RedisJSON's `Error occurred on position …` error. */
export function compilePath(path: string): Query {
  let query = cache.get(path);
  if (query === undefined) {
    query = new PathParser(path).parseQuery();
    if (cache.size > 1000) cache.clear();
    cache.set(path, query);
  }
  return query;
}

// ---- evaluation --------------------------------------------------------------------------------

function childEntries(v: JsonValue): Array<[string | number, JsonValue]> {
  if (Array.isArray(v)) return v.map((item, i) => [i, item]);
  if (v instanceof Map) return [...v];
  return [];
}

/** calc_abs_index: a negative index counts from the end and clamps to 0; a large one to the length. */
function absIndex(i: number, n: number): number {
  return i >= 0 ? Math.min(i, n) : Math.max(i + n, 0);
}

function walk(steps: readonly Step[], at: number, v: JsonValue, loc: (string | number)[], root: JsonValue, out: Match[]): void {
  if (at === steps.length) {
    out.push({ value: v, location: loc });
    return;
  }
  const step = steps[at];
  const next = at + 1;
  switch (step.kind) {
    case 'scan':
      walk(steps, next, v, loc, root, out);
      scan(steps, next, v, loc, root, out);
      return;
    case 'all':
      for (const [k, child] of childEntries(v)) walk(steps, next, child, [...loc, k], root, out);
      return;
    case 'key':
      if (v instanceof Map && v.has(step.name)) walk(steps, next, v.get(step.name)!, [...loc, step.name], root, out);
      return;
    case 'keys':
      if (!(v instanceof Map)) return;
      for (const name of step.names) if (v.has(name)) walk(steps, next, v.get(name)!, [...loc, name], root, out);
      return;
    case 'indexes':
      if (!Array.isArray(v)) return;
      for (const raw of step.list) {
        const i = absIndex(raw, v.length);
        if (i < v.length) walk(steps, next, v[i], [...loc, i], root, out);
      }
      return;
    case 'range': {
      if (!Array.isArray(v)) return;
      const n = v.length;
      const start = step.start === null ? 0 : absIndex(step.start, n);
      const end = step.end === null ? n : absIndex(step.end, n);
      for (let i = start; i < end; i += step.step) walk(steps, next, v[i], [...loc, i], root, out);
      return;
    }
    case 'filter':
      if (Array.isArray(v) || v instanceof Map) {
        for (const [k, child] of childEntries(v)) {
          if (evalFilter(step.expr, child, root)) walk(steps, next, child, [...loc, k], root, out);
        }
      } else if (evalFilter(step.expr, v, root)) {
        walk(steps, next, v, loc, root, out);
      }
      return;
  }
}

function scan(steps: readonly Step[], at: number, v: JsonValue, loc: (string | number)[], root: JsonValue, out: Match[]): void {
  for (const [k, child] of childEntries(v)) {
    const childLoc = [...loc, k];
    walk(steps, at, child, childLoc, root, out);
    scan(steps, at, child, childLoc, root, out);
  }
}

/** A filter operand's value: a JSON value, a literal, or nothing (a path that does not give exactly one match). */
type Operand =
  | { readonly t: 'int'; readonly v: number | bigint }
  | { readonly t: 'float'; readonly v: number }
  | { readonly t: 'str'; readonly v: string }
  | { readonly t: 'bool'; readonly v: boolean }
  | { readonly t: 'null' }
  | { readonly t: 'value'; readonly v: JsonValue }
  | { readonly t: 'invalid' };

function operand(term: Term, current: JsonValue, root: JsonValue): Operand {
  switch (term.kind) {
    case 'int':
      return { t: 'int', v: term.value };
    case 'float':
      return { t: 'float', v: term.value };
    case 'string':
      return { t: 'str', v: term.value };
    case 'bool':
      return { t: 'bool', v: term.value };
    case 'current':
    case 'root': {
      const base = term.kind === 'current' ? current : root;
      if (term.steps.length === 0) return { t: 'value', v: base };
      const found: Match[] = [];
      walk(term.steps, 0, base, [], root, found);
      return found.length === 1 ? { t: 'value', v: found[0].value } : { t: 'invalid' };
    }
  }
}

/** A JSON value as a comparable operand; containers are not comparable. */
function scalarOf(o: Operand): Operand {
  if (o.t !== 'value') return o;
  const v = o.v;
  if (v === null) return { t: 'null' };
  switch (typeof v) {
    case 'bigint':
      return { t: 'int', v };
    case 'number':
      return { t: 'float', v };
    case 'string':
      return { t: 'str', v };
    case 'boolean':
      return { t: 'bool', v };
  }
  return { t: 'invalid' };
}

/** The crate's partial order: numbers with numbers, strings, booleans, null with null; else none. */
function compare(a: Operand, b: Operand): number | null {
  const x = scalarOf(a);
  const y = scalarOf(b);
  if ((x.t === 'int' || x.t === 'float') && (y.t === 'int' || y.t === 'float')) {
    if (x.t === 'int' && y.t === 'int') return x.v < y.v ? -1 : x.v > y.v ? 1 : 0;
    const p = Number(x.v);
    const q = Number(y.v);
    if (Number.isNaN(p) || Number.isNaN(q)) return null;
    return p < q ? -1 : p > q ? 1 : 0;
  }
  if (x.t === 'str' && y.t === 'str') {
    const p = Buffer.from(x.v, 'utf8');
    const q = Buffer.from(y.v, 'utf8');
    return Buffer.compare(p, q);
  }
  if (x.t === 'bool' && y.t === 'bool') return Number(x.v) - Number(y.v);
  if (x.t === 'null' && y.t === 'null') return 0;
  return null;
}

function deepEqual(a: JsonValue, b: JsonValue): boolean {
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) {
    return Number(a) === Number(b);
  }
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !deepEqual(v, b.get(k)!)) return false;
    return true;
  }
  return a === b;
}

function equals(a: Operand, b: Operand): boolean {
  if (a.t === 'value' && b.t === 'value') return deepEqual(a.v, b.v);
  return compare(a, b) === 0;
}

/** Rust's regex inline flags at the start (`(?i)`) become JavaScript flags. */
function regexOf(pattern: string): RegExp | null {
  let flags = 'u';
  let source = pattern;
  const inline = /^\(\?([imsx]+)\)/.exec(source);
  if (inline !== null) {
    source = source.slice(inline[0].length);
    for (const f of inline[1]) if (f !== 'x' && !flags.includes(f)) flags += f;
  }
  try {
    return new RegExp(source, flags);
  } catch {
    try {
      return new RegExp(source, flags.replace('u', ''));
    } catch {
      return null;
    }
  }
}

function matchesRegex(a: Operand, b: Operand): boolean {
  if (a.t !== 'value' || typeof a.v !== 'string') return false;
  let pattern: string;
  if (b.t === 'str') pattern = b.v;
  else if (b.t === 'value' && typeof b.v === 'string') pattern = b.v;
  else return false;
  const re = regexOf(pattern);
  return re !== null && re.test(a.v);
}

function evalTest(f: Extract<Filter, { kind: 'test' }>, current: JsonValue, root: JsonValue): boolean {
  const left = operand(f.left, current, root);
  if (f.op === undefined) return left.t !== 'invalid';
  const right = operand(f.right!, current, root);
  switch (f.op) {
    case '==':
      return equals(left, right);
    case '!=':
      return !equals(left, right);
    case '=~':
      return matchesRegex(left, right);
  }
  const c = compare(left, right);
  if (c === null) return false;
  switch (f.op) {
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    default:
      return c >= 0;
  }
}

/** `&&` binds tighter than `||`: `A || B && C` is `A || (B && C)`. */
function evalFilter(f: Filter, current: JsonValue, root: JsonValue): boolean {
  if (f.kind === 'test') return evalTest(f, current, root);
  let result = evalFilter(f.first, current, root);
  for (let i = 0; i < f.rest.length; i++) {
    const [relation, operandFilter] = f.rest[i];
    if (relation === '&&') {
      if (result) result = evalFilter(operandFilter, current, root);
    } else {
      if (result) return true;
      result = evalFilter(operandFilter, current, root);
    }
  }
  return result;
}

// ---- parsing ------------------------------------------------------------------------------------

const LITERAL = /^[A-Za-z0-9\-_`~+#%$^/:]+/;

class PathParser {
  private i = 0;
  /** The furthest position a token was expected at, and what was expected there (pest's error). */
  private failAt = -1;
  private expected: string[] = [];
  constructor(private readonly s: string) {}

  private expect(what: string): void {
    if (this.i > this.failAt) {
      this.failAt = this.i;
      this.expected = [what];
    } else if (this.i === this.failAt && !this.expected.includes(what)) {
      this.expected.push(what);
    }
  }

  private fail(): JsonError {
    const pos = Math.max(this.failAt, 0);
    const s = this.s;
    const at = pos >= s.length ? `"${s} <<<<----"` : `"${s.slice(0, pos)} ---->>>> ${s.slice(pos)}"`;
    const msg = this.expected.length > 0 ? `expected one of the following: ${this.expected.join(', ')}` : 'parsing error';
    return new JsonError(`Error occurred on position ${pos}, ${at}, ${msg}.`);
  }

  private spaces(): void {
    while (this.s[this.i] === ' ') this.i++;
  }

  /** Consumes `token` after optional spaces, or notes it as expected and answers false. */
  private eat(token: string, name = `"${token}"`): boolean {
    const save = this.i;
    this.spaces();
    if (this.s.startsWith(token, this.i)) {
      this.i += token.length;
      return true;
    }
    this.expect(name);
    this.i = save;
    return false;
  }

  parseQuery(): Query {
    if (!this.s.startsWith('$')) {
      this.expect('"$"');
      throw this.fail();
    }
    this.i = 1;
    const steps = this.parseRoot(true) ?? [];
    this.spaces();
    if (this.i < this.s.length) {
      this.expect('EOI');
      throw this.fail();
    }
    return new Query(steps);
  }

  /** `root`: a first element (a bare name or `*`) or elements; null when none matched. */
  private parseRoot(allowFirst: boolean): Step[] | null {
    const steps: Step[] = [];
    if (allowFirst) {
      const save = this.i;
      this.spaces();
      const lit = this.literal();
      if (lit !== null) steps.push({ kind: 'key', name: lit });
      else if (this.s[this.i] === '*') {
        this.i++;
        steps.push({ kind: 'all' });
      } else this.i = save;
    }
    for (;;) {
      const step = this.element();
      if (step === null) break;
      steps.push(...step);
    }
    return steps.length === 0 ? null : steps;
  }

  private literal(): string | null {
    const m = LITERAL.exec(this.s.slice(this.i));
    if (m === null) {
      this.expect('<string>');
      return null;
    }
    this.i += m[0].length;
    return m[0];
  }

  private element(): Step[] | null {
    const save = this.i;
    this.spaces();
    if (this.s.startsWith('..', this.i)) {
      this.i += 2;
      this.spaces();
      const lit = this.literal();
      if (lit !== null) return [{ kind: 'scan' }, { kind: 'key', name: lit }];
      if (this.s[this.i] === '*') {
        this.i++;
        return [{ kind: 'scan' }, { kind: 'all' }];
      }
      this.expect("'*'");
      if (this.s[this.i] === '[') {
        this.i++;
        const b = this.bracket();
        if (b !== null && this.eat(']')) return [{ kind: 'scan' }, b];
      } else this.expect('"["');
      this.i = save;
      throw this.fail();
    }
    if (this.s[this.i] === '.') {
      this.i++;
      this.spaces();
      const lit = this.literal();
      if (lit !== null) return [{ kind: 'key', name: lit }];
      if (this.s[this.i] === '*') {
        this.i++;
        return [{ kind: 'all' }];
      }
      this.expect("'*'");
      this.spaces();
      if (this.s[this.i] !== '[') {
        this.expect('"["');
        this.i = save;
        throw this.fail();
      }
    }
    this.spaces();
    if (this.s[this.i] !== '[') {
      this.expect("'..'");
      this.expect('"["');
      this.i = save;
      return null;
    }
    this.i++;
    const b = this.bracket();
    if (b === null || !this.eat(']')) {
      this.i = save;
      throw this.fail();
    }
    return [b];
  }

  private bracket(): Step | null {
    this.spaces();
    const save = this.i;
    const range = this.range();
    if (range !== null) return range;
    this.i = save;
    const numbers = this.numbersList();
    if (numbers !== null) return { kind: 'indexes', list: numbers };
    this.i = save;
    const strings = this.stringList();
    if (strings !== null) return { kind: 'keys', names: strings };
    this.i = save;
    this.spaces();
    if (this.s[this.i] === '*') {
      this.i++;
      return { kind: 'all' };
    }
    this.expect("'*'");
    if (this.s[this.i] === '?') {
      this.i++;
      const f = this.filter();
      if (f !== null) return { kind: 'filter', expr: f };
      return null;
    }
    this.expect('"?"');
    return null;
  }

  private number(): number | null {
    this.spaces();
    const m = /^-?(?:[1-9][0-9]*|[0-9])/.exec(this.s.slice(this.i));
    if (m === null) {
      this.expect("'<number>'");
      return null;
    }
    this.i += m[0].length;
    return Number(m[0]);
  }

  private posNumber(): number | null {
    this.spaces();
    const m = /^[1-9][0-9]*/.exec(this.s.slice(this.i));
    if (m === null) {
      this.expect('pos_number');
      return null;
    }
    this.i += m[0].length;
    return Number(m[0]);
  }

  /** The optional `:step` or `:` that ends a slice. */
  private stepPart(): number | null {
    const save = this.i;
    if (this.eat(':')) {
      const s2 = this.i;
      const step = this.posNumber();
      if (step !== null) return step;
      this.i = s2;
      return 1;
    }
    this.i = save;
    return 1;
  }

  private range(): Step | null {
    const save = this.i;
    const first = this.number();
    if (first !== null) {
      if (!this.eat(':')) {
        this.i = save;
        return null;
      }
      const s2 = this.i;
      const second = this.number();
      if (second === null) this.i = s2;
      const step = this.stepPart()!;
      return { kind: 'range', start: first, end: second, step };
    }
    this.i = save;
    if (!this.eat(':')) return null;
    const s2 = this.i;
    const end = this.number();
    if (end === null) this.i = s2;
    const step = this.stepPart()!;
    return { kind: 'range', start: null, end, step };
  }

  private numbersList(): number[] | null {
    const first = this.number();
    if (first === null) return null;
    const list = [first];
    for (;;) {
      const save = this.i;
      if (!this.eat(',')) break;
      const n = this.number();
      if (n === null) {
        this.i = save;
        break;
      }
      list.push(n);
    }
    return list;
  }

  /** A quoted name: `'…'` or `"…"`, with `\\` and the quote escaped. */
  private quoted(): string | null {
    this.spaces();
    const q = this.s[this.i];
    if (q !== '"' && q !== "'") {
      this.expect('string');
      return null;
    }
    let j = this.i + 1;
    let out = '';
    while (j < this.s.length && this.s[j] !== q) {
      if (this.s[j] === '\\') {
        const e = this.s[j + 1];
        if (e !== q && e !== '\\') {
          this.i = j;
          this.expect('string');
          return null;
        }
        out += e;
        j += 2;
        continue;
      }
      out += this.s[j++];
    }
    if (j >= this.s.length) {
      this.i = j;
      this.expect(`"${q}"`);
      return null;
    }
    this.i = j + 1;
    return out;
  }

  private stringList(): string[] | null {
    const save = this.i;
    const first = this.quoted();
    if (first === null) {
      this.i = save;
      return null;
    }
    const list = [first];
    for (;;) {
      const s2 = this.i;
      if (!this.eat(',')) break;
      const next = this.quoted();
      if (next === null) {
        this.i = s2;
        break;
      }
      list.push(next);
    }
    return list;
  }

  private filter(): Filter | null {
    const first = this.innerFilter();
    if (first === null) return null;
    const rest: Array<['&&' | '||', Filter]> = [];
    for (;;) {
      const save = this.i;
      const relation = this.eat('&&') ? '&&' : this.eat('||') ? '||' : null;
      if (relation === null) break;
      const next = this.innerFilter();
      if (next === null) {
        this.i = save;
        return null;
      }
      rest.push([relation, next]);
    }
    return rest.length === 0 ? first : { kind: 'chain', first, rest };
  }

  private innerFilter(): Filter | null {
    const save = this.i;
    const left = this.term();
    if (left !== null) {
      const s2 = this.i;
      const op = this.op();
      if (op !== null) {
        const right = this.term();
        if (right !== null) return { kind: 'test', left, op, right };
      }
      this.i = s2;
      return { kind: 'test', left };
    }
    this.i = save;
    if (this.eat('(')) {
      const f = this.filter();
      if (f !== null && this.eat(')')) return f;
    }
    this.i = save;
    return null;
  }

  private op(): Op | null {
    for (const op of ['>=', '>', '<=', '<', '==', '!=', '=~'] as const) if (this.eat(op)) return op;
    return null;
  }

  private term(): Term | null {
    this.spaces();
    const c = this.s[this.i];
    if (c === '@' || c === '$') {
      this.i++;
      const steps = this.parseRoot(true) ?? [];
      return { kind: c === '@' ? 'current' : 'root', steps };
    }
    this.expect('from_current');
    this.expect('from_root');
    const m = /^-?(?:[1-9][0-9]*|[0-9])(?:\.[0-9]+)?/.exec(this.s.slice(this.i));
    if (m !== null) {
      this.i += m[0].length;
      const int = /^-?\d+$/.test(m[0]) && Number.isSafeInteger(Number(m[0]));
      return int ? { kind: 'int', value: Number(m[0]) } : { kind: 'float', value: Number(m[0]) };
    }
    this.expect('decimal');
    const str = this.quoted();
    if (str !== null) return { kind: 'string', value: str };
    if (this.s.startsWith('true', this.i)) {
      this.i += 4;
      return { kind: 'bool', value: true };
    }
    if (this.s.startsWith('false', this.i)) {
      this.i += 5;
      return { kind: 'bool', value: false };
    }
    this.expect('boolean_true');
    this.expect('boolean_false');
    return null;
  }
}

/** The value at a location, with the container holding it (null for the root). */
export function locate(root: JsonValue, location: Location): { parent: JsonValue[] | JsonObject | null; key: string | number; value: JsonValue } | null {
  let parent: JsonValue[] | JsonObject | null = null;
  let key: string | number = '';
  let value = root;
  for (const step of location) {
    if (Array.isArray(value) && typeof step === 'number') {
      if (step >= value.length) return null;
      parent = value;
      key = step;
      value = value[step];
    } else if (value instanceof Map && typeof step === 'string') {
      if (!value.has(step)) return null;
      parent = value;
      key = step;
      value = value.get(step)!;
    } else {
      return null;
    }
  }
  return { parent, key, value };
}
