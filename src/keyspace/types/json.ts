/**
 * RedisJSON values (the `ReJSON-RL` module type): the value model, a parser that answers
 * serde_json's errors, and the serializer RedisJSON 2.8 replies with (serde_json's compact output,
 * ryu's shortest float text, and RedisJSON's INDENT / NEWLINE / SPACE formatter).
 *
 * The model: `null`, `boolean`, `bigint` for integers (RedisJSON keeps i64/u64 integers apart from
 * doubles: `1` and `1.0` differ and `JSON.TYPE` answers `integer` or `number`), `number` for
 * doubles, `string`, arrays, and objects as a `Map` (insertion order kept; a key named `__proto__`
 * or `constructor` is data).
 */
import { RedisObject } from '../keyspace.js';
import { ReplyError } from '../../protocol/errors.js';

/** A JSON value as RedisJSON stores it. */
export type JsonValue = null | boolean | bigint | number | string | JsonValue[] | JsonObject;
/** A JSON object: member names in insertion order. */
export type JsonObject = Map<string, JsonValue>;

/** serde_json's recursion limit: a document may nest 127 containers, the 128th is refused. */
export const MAX_NESTING = 128;

const I64_MIN = -(2n ** 63n);
const U64_MAX = 2n ** 64n - 1n;

/** An error RedisJSON replies with (its text is the whole reply, code included when it has one). */
export class JsonError extends ReplyError {}

export function isObject(v: JsonValue): v is JsonObject {
  return v instanceof Map;
}

/** RedisJSON's type names (`JSON.TYPE`, error texts). */
export function typeName(v: JsonValue): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return 'boolean';
    case 'bigint':
      return 'integer';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
  }
  return Array.isArray(v) ? 'array' : 'object';
}

/** A deep copy. */
export function cloneJson(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(cloneJson);
  if (v instanceof Map) {
    const copy: JsonObject = new Map();
    for (const [k, item] of v) copy.set(k, cloneJson(item));
    return copy;
  }
  return v;
}

/** RedisJSON's `is_equal` (ARRINDEX): same type and equal; integers never equal doubles. */
export function jsonEquals(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEquals(a[i], b[i])) return false;
    return true;
  }
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) {
      if (!b.has(k) || !jsonEquals(v, b.get(k)!)) return false;
    }
    return true;
  }
  return false;
}

// ---- parsing (serde_json's grammar and error texts) ---------------------------------------------

/**
 * Parses JSON text as serde_json does for RedisJSON: RFC 8259, no trailing commas, integers that
 * fit i64/u64 stay integers, others and decimals become doubles, and errors read like serde_json's
 * (`expected value at line 1 column 1`, `EOF while parsing an object at line 1 column 6` …).
 */
export function parseJson(input: string): JsonValue {
  return new Parser(input).parseDocument();
}

class Parser {
  private i = 0;
  private depth = MAX_NESTING;
  constructor(private readonly s: string) {}

  /** serde_json's position_of_index: 1-based line, column = chars since the line start. */
  private at(index: number, message: string): JsonError {
    let line = 1;
    let start = 0;
    for (let j = 0; j < index && j < this.s.length; j++) {
      if (this.s.charCodeAt(j) === 10) {
        line++;
        start = j + 1;
      }
    }
    // Columns count bytes in serde_json; count the UTF-8 bytes of the line so far.
    const column = Buffer.byteLength(this.s.slice(start, Math.min(index, this.s.length)), 'utf8');
    return new JsonError(`${message} at line ${line} column ${column}`);
  }

  /** An error at the last consumed character (serde_json's `error`). */
  private error(message: string): JsonError {
    return this.at(this.i, message);
  }

  /** An error at the next, peeked character (serde_json's `peek_error`). */
  private peekError(message: string): JsonError {
    return this.at(Math.min(this.i + 1, this.s.length), message);
  }

  private skipWhitespace(): number {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d) this.i++;
      else return c;
    }
    return -1;
  }

  parseDocument(): JsonValue {
    const value = this.parseValue();
    if (this.skipWhitespace() !== -1) throw this.peekError('trailing characters');
    return value;
  }

  private parseValue(): JsonValue {
    const c = this.skipWhitespace();
    if (c === -1) throw this.peekError('EOF while parsing a value');
    switch (c) {
      case 0x6e: // n
        this.i++;
        this.ident('ull');
        return null;
      case 0x74: // t
        this.i++;
        this.ident('rue');
        return true;
      case 0x66: // f
        this.i++;
        this.ident('alse');
        return false;
      case 0x22: // "
        this.i++;
        return this.parseString();
      case 0x5b: // [
        return this.parseArray();
      case 0x7b: // {
        return this.parseObject();
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.parseNumber();
        throw this.peekError('expected value');
    }
  }

  private ident(rest: string): void {
    for (let k = 0; k < rest.length; k++) {
      if (this.i >= this.s.length) throw this.error('EOF while parsing a value');
      const ch = this.s[this.i++];
      if (ch !== rest[k]) throw this.error('expected ident');
    }
  }

  private enter(): void {
    if (--this.depth === 0) throw this.peekError('recursion limit exceeded');
  }

  private parseArray(): JsonValue[] {
    this.enter();
    this.i++;
    const out: JsonValue[] = [];
    let c = this.skipWhitespace();
    if (c === 0x5d) {
      this.i++;
      this.depth++;
      return out;
    }
    if (c === -1) throw this.peekError('EOF while parsing a list');
    for (;;) {
      out.push(this.parseValue());
      c = this.skipWhitespace();
      if (c === 0x5d) {
        this.i++;
        break;
      }
      if (c === -1) throw this.peekError('EOF while parsing a list');
      if (c !== 0x2c) throw this.peekError('expected `,` or `]`');
      this.i++;
      c = this.skipWhitespace();
      if (c === 0x5d) throw this.peekError('trailing comma');
      if (c === -1) throw this.peekError('EOF while parsing a value');
    }
    this.depth++;
    return out;
  }

  private parseObject(): JsonObject {
    this.enter();
    this.i++;
    const out: JsonObject = new Map();
    let c = this.skipWhitespace();
    if (c === 0x7d) {
      this.i++;
      this.depth++;
      return out;
    }
    for (;;) {
      if (c === -1) throw this.peekError('EOF while parsing an object');
      if (c !== 0x22) throw this.peekError('key must be a string');
      this.i++;
      const key = this.parseString();
      c = this.skipWhitespace();
      if (c === -1) throw this.peekError('EOF while parsing an object');
      if (c !== 0x3a) throw this.peekError('expected `:`');
      this.i++;
      const value = this.parseValue();
      // serde_json keeps the last value of a repeated name, at the first name's place.
      out.set(key, value);
      c = this.skipWhitespace();
      if (c === 0x7d) {
        this.i++;
        break;
      }
      if (c === -1) throw this.peekError('EOF while parsing an object');
      if (c !== 0x2c) throw this.peekError('expected `,` or `}`');
      this.i++;
      c = this.skipWhitespace();
      if (c === 0x7d) throw this.peekError('trailing comma');
    }
    this.depth++;
    return out;
  }

  private parseString(): string {
    const s = this.s;
    let out = '';
    let start = this.i;
    for (;;) {
      if (this.i >= s.length) throw this.error('EOF while parsing a string');
      const c = s.charCodeAt(this.i);
      if (c === 0x22) {
        out += s.slice(start, this.i);
        this.i++;
        return out;
      }
      if (c < 0x20) {
        this.i++;
        throw this.error('control character (\\u0000-\\u001F) found while parsing a string');
      }
      if (c !== 0x5c) {
        this.i++;
        continue;
      }
      out += s.slice(start, this.i);
      this.i++;
      if (this.i >= s.length) throw this.error('EOF while parsing a string');
      const e = s[this.i++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u':
          out += this.unicodeEscape();
          break;
        default:
          throw this.error('invalid escape');
      }
      start = this.i;
    }
  }

  private hex4(): number {
    let n = 0;
    for (let k = 0; k < 4; k++) {
      if (this.i >= this.s.length) throw this.error('EOF while parsing a string');
      const d = parseInt(this.s[this.i++], 16);
      if (Number.isNaN(d)) throw this.error('invalid escape');
      n = n * 16 + d;
    }
    return n;
  }

  private unicodeEscape(): string {
    const n = this.hex4();
    if (n >= 0xdc00 && n <= 0xdfff) throw this.error('lone leading surrogate in hex escape');
    if (n < 0xd800 || n > 0xdbff) return String.fromCharCode(n);
    if (this.s[this.i] !== '\\' || this.s[this.i + 1] !== 'u') {
      if (this.i >= this.s.length) throw this.error('EOF while parsing a string');
      throw this.error('unexpected end of hex escape');
    }
    this.i += 2;
    const low = this.hex4();
    if (low < 0xdc00 || low > 0xdfff) throw this.error('lone leading surrogate in hex escape');
    return String.fromCharCode(n, low);
  }

  private digits(): void {
    while (this.i < this.s.length) {
      const c = this.s.charCodeAt(this.i);
      if (c < 0x30 || c > 0x39) return;
      this.i++;
    }
  }

  private parseNumber(): JsonValue {
    const s = this.s;
    const begin = this.i;
    if (s[this.i] === '-') this.i++;
    if (this.i >= s.length) throw this.error('EOF while parsing a value');
    const first = s.charCodeAt(this.i);
    if (first === 0x30) {
      this.i++;
      const next = s.charCodeAt(this.i);
      if (next >= 0x30 && next <= 0x39) throw this.peekError('invalid number');
    } else if (first >= 0x31 && first <= 0x39) {
      this.digits();
    } else {
      this.i++;
      throw this.error('invalid number');
    }
    let decimal = false;
    if (s[this.i] === '.') {
      decimal = true;
      this.i++;
      const d = s.charCodeAt(this.i);
      if (!(d >= 0x30 && d <= 0x39)) {
        if (this.i >= s.length) throw this.error('EOF while parsing a value');
        this.i++;
        throw this.error('invalid number');
      }
      this.digits();
    }
    if (s[this.i] === 'e' || s[this.i] === 'E') {
      decimal = true;
      this.i++;
      if (s[this.i] === '+' || s[this.i] === '-') this.i++;
      const d = s.charCodeAt(this.i);
      if (!(d >= 0x30 && d <= 0x39)) {
        if (this.i >= s.length) throw this.error('EOF while parsing a value');
        this.i++;
        throw this.error('invalid number');
      }
      this.digits();
    }
    const textValue = s.slice(begin, this.i);
    if (!decimal) {
      const n = BigInt(textValue);
      if (n >= I64_MIN && n <= U64_MAX) return n;
    }
    const f = Number(textValue);
    if (!Number.isFinite(f)) throw this.error('number out of range');
    return f;
  }
}

// ---- serialization ----------------------------------------------------------------------------------

/**
 * ryu's text for a finite double, as serde_json writes it: the shortest digits that read back,
 * `1.0` for whole numbers, plain notation for decimal exponents -5 … 15, else `1e300`, `1.5e-7`.
 */
export function formatJsonDouble(value: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const sign = value < 0 ? '-' : '';
  const [mantissa, exp] = Math.abs(value).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const length = digits.length;
  const e = Number(exp);
  // kk: where the decimal point goes, counted from the first digit.
  const kk = e + 1;
  let out: string;
  if (kk >= length && kk <= 16) out = `${digits}${'0'.repeat(kk - length)}.0`;
  else if (kk > 0 && kk <= 16) out = `${digits.slice(0, kk)}.${digits.slice(kk)}`;
  else if (kk > -5 && kk <= 0) out = `0.${'0'.repeat(-kk)}${digits}`;
  else if (length === 1) out = `${digits}e${kk - 1}`;
  else out = `${digits[0]}.${digits.slice(1)}e${kk - 1}`;
  return sign + out;
}

const ESCAPES: Record<number, string> = { 0x22: '\\"', 0x5c: '\\\\', 0x08: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t' };

/** serde_json's string output: `"` and `\` escaped, control characters as `\b`… or `\u00xx`, the rest raw. */
export function quoteJsonString(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c) continue;
    out += s.slice(start, i) + (ESCAPES[c] ?? `\\u00${c.toString(16).padStart(2, '0')}`);
    start = i + 1;
  }
  return out + s.slice(start) + '"';
}

/** JSON.GET's INDENT / NEWLINE / SPACE strings (each absent by default: compact output). */
export interface JsonFormat {
  indent?: string;
  newline?: string;
  space?: string;
}

/** Serializes as RedisJSON does: compact by default, else its formatter's layout. */
export function stringifyJson(value: JsonValue, format?: JsonFormat): string {
  if (format === undefined || (format.indent === undefined && format.newline === undefined && format.space === undefined)) {
    return compact(value);
  }
  return pretty(value, format, 0);
}

function scalar(v: JsonValue): string | undefined {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    case 'number':
      return Number.isFinite(v) ? formatJsonDouble(v) : 'null';
    case 'string':
      return quoteJsonString(v);
  }
  return undefined;
}

function compact(v: JsonValue): string {
  const s = scalar(v);
  if (s !== undefined) return s;
  if (Array.isArray(v)) return `[${v.map(compact).join(',')}]`;
  const parts: string[] = [];
  for (const [k, item] of v as JsonObject) parts.push(`${quoteJsonString(k)}:${compact(item)}`);
  return `{${parts.join(',')}}`;
}

/** RedisJSON's formatter: a newline and `indent` × depth before each element and before a non-empty container's close. */
function pretty(v: JsonValue, f: JsonFormat, depth: number): string {
  const s = scalar(v);
  if (s !== undefined) return s;
  const line = (d: number) => (f.newline ?? '') + (f.indent ?? '').repeat(d);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[${v.map((item) => line(depth + 1) + pretty(item, f, depth + 1)).join(',')}${line(depth)}]`;
  }
  const obj = v as JsonObject;
  if (obj.size === 0) return '{}';
  const parts: string[] = [];
  for (const [k, item] of obj) parts.push(`${line(depth + 1)}${quoteJsonString(k)}:${f.space ?? ''}${pretty(item, f, depth + 1)}`);
  return `{${parts.join(',')}${line(depth)}}`;
}

// ---- memory ---------------------------------------------------------------------------------------

/**
 * An estimate of the bytes RedisJSON's ijson representation takes (`JSON.DEBUG MEMORY`): 8 for the
 * value slot, plus the heap parts (16 for a number outside 24 bits or a double, a string's bytes
 * and header, containers' slots and members). ijson's exact capacities are not modelled.
 */
export function jsonMemory(v: JsonValue): number {
  const SLOT = 8;
  if (v === null || typeof v === 'boolean') return SLOT;
  if (typeof v === 'bigint') return SLOT + (v >= -(2n ** 23n) && v < 2n ** 23n ? 0 : 16);
  if (typeof v === 'number') return SLOT + 16;
  if (typeof v === 'string') return SLOT + (v.length === 0 ? 0 : Buffer.byteLength(v, 'utf8') + 16);
  if (Array.isArray(v)) {
    if (v.length === 0) return SLOT;
    let sum = SLOT + SLOT * (v.length + 2);
    for (const item of v) sum += jsonMemory(item);
    return sum;
  }
  if (v.size === 0) return SLOT;
  let sum = SLOT + SLOT * (v.size * 3 + 2);
  for (const [k, item] of v) sum += Buffer.byteLength(k, 'utf8') + 16 + jsonMemory(item);
  return sum;
}

// ---- the stored value ------------------------------------------------------------------------------

/** A key holding a RedisJSON document (`TYPE` answers `ReJSON-RL`). */
export class JsonDocument extends RedisObject {
  readonly type = 'ReJSON-RL';
  /** {@link jsonMemory} of the root, recomputed after each change (MEMORY USAGE reads it in O(1)). */
  private bytes: number;
  constructor(public root: JsonValue) {
    super();
    this.bytes = jsonMemory(root);
  }
  encoding(): string {
    // Module values have no encoding of their own; OBJECT ENCODING answers `raw`.
    return 'raw';
  }
  clone(): JsonDocument {
    return new JsonDocument(cloneJson(this.root));
  }
  override memoryUsage(): number {
    return 56 + this.bytes;
  }
  /** Replaces the whole document and keeps the keyspace's memory total right. */
  setRoot(root: JsonValue): void {
    this.root = root;
    this.touched();
  }
  /** Call after changing the document in place. */
  touched(): void {
    this.bytes = jsonMemory(this.root);
    this.resized();
  }
}
