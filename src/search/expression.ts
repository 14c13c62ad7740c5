/**
 * FT.AGGREGATE's expression language (APPLY, FILTER): numbers, 'strings', @properties,
 * arithmetic (+ - * / % ^), comparisons, && || !, and the common functions of RediSearch 2.10's
 * aggregate/functions (string, math, date, geo).
 */
import { searchError } from './schema.js';
import { haversine } from './matcher.js';
import { formatNumber } from './search.js';

/** A value in an aggregate row. */
export type Value = string | number | null | Value[];

export type Expr =
  | { kind: 'num'; value: number }
  | { kind: 'str'; value: string }
  | { kind: 'prop'; name: string }
  | { kind: 'call'; name: string; args: Expr[] }
  | { kind: 'unary'; op: '-' | '!'; arg: Expr }
  | { kind: 'binary'; op: string; left: Expr; right: Expr };

const PRECEDENCE: Record<string, number> = {
  '||': 1,
  '&&': 2,
  '==': 3,
  '!=': 3,
  '<': 4,
  '<=': 4,
  '>': 4,
  '>=': 4,
  '+': 5,
  '-': 5,
  '*': 6,
  '/': 6,
  '%': 6,
  '^': 7,
};

class ExprParser {
  private i = 0;
  constructor(private readonly s: string) {}

  parse(): Expr {
    const e = this.binary(1);
    this.ws();
    if (this.i < this.s.length) throw this.error();
    return e;
  }

  private error(): Error {
    return searchError(`Syntax error at offset ${this.i} near ${this.s.slice(this.i).split(/\s/)[0] || this.s}`);
  }

  private ws(): void {
    while (/\s/.test(this.s[this.i] ?? '')) this.i++;
  }

  private op(): string | null {
    this.ws();
    for (const o of ['||', '&&', '==', '!=', '<=', '>=', '<', '>', '+', '-', '*', '/', '%', '^']) {
      if (this.s.startsWith(o, this.i)) return o;
    }
    return null;
  }

  private binary(min: number): Expr {
    let left = this.unary();
    for (;;) {
      const o = this.op();
      if (o === null || PRECEDENCE[o] < min) break;
      this.i += o.length;
      const right = this.binary(o === '^' ? PRECEDENCE[o] : PRECEDENCE[o] + 1);
      left = { kind: 'binary', op: o, left, right };
    }
    return left;
  }

  private unary(): Expr {
    this.ws();
    const c = this.s[this.i];
    if (c === '-' && !/\d/.test(this.s[this.i + 1] ?? '')) {
      this.i++;
      return { kind: 'unary', op: '-', arg: this.unary() };
    }
    if (c === '!') {
      this.i++;
      return { kind: 'unary', op: '!', arg: this.unary() };
    }
    return this.primary();
  }

  private primary(): Expr {
    this.ws();
    const c = this.s[this.i];
    if (c === undefined) throw this.error();
    if (c === '(') {
      this.i++;
      const e = this.binary(1);
      this.ws();
      if (this.s[this.i] !== ')') throw this.error();
      this.i++;
      return e;
    }
    if (c === '@') {
      const m = /^@([\w.$\[\]]+)/.exec(this.s.slice(this.i));
      if (m === null) throw this.error();
      this.i += m[0].length;
      return { kind: 'prop', name: m[1] };
    }
    if (c === "'" || c === '"') {
      let value = '';
      this.i++;
      for (;;) {
        const ch = this.s[this.i++];
        if (ch === undefined) throw this.error();
        if (ch === '\\') {
          value += this.s[this.i++] ?? '';
          continue;
        }
        if (ch === c) break;
        value += ch;
      }
      return { kind: 'str', value };
    }
    const num = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?|^[+-]?inf\b/i.exec(this.s.slice(this.i));
    if (num !== null) {
      this.i += num[0].length;
      return { kind: 'num', value: /inf/i.test(num[0]) ? (num[0].startsWith('-') ? -Infinity : Infinity) : Number(num[0]) };
    }
    const fn = /^([a-zA-Z_]\w*)\s*\(/.exec(this.s.slice(this.i));
    if (fn !== null) {
      const name = fn[1].toLowerCase();
      if (!(name in FUNCTIONS)) throw searchError(`Unknown function name '${fn[1]}'`);
      this.i += fn[0].length;
      const args: Expr[] = [];
      this.ws();
      if (this.s[this.i] === ')') this.i++;
      else {
        for (;;) {
          args.push(this.binary(1));
          this.ws();
          const ch = this.s[this.i++];
          if (ch === ')') break;
          if (ch !== ',') throw this.error();
        }
      }
      return { kind: 'call', name, args };
    }
    throw this.error();
  }
}

export function parseExpression(s: string): Expr {
  return new ExprParser(s).parse();
}

/** The properties an expression reads. */
export function propertiesOf(e: Expr, out: Set<string> = new Set()): Set<string> {
  if (e.kind === 'prop') out.add(e.name);
  else if (e.kind === 'call') e.args.forEach((a) => propertiesOf(a, out));
  else if (e.kind === 'unary') propertiesOf(e.arg, out);
  else if (e.kind === 'binary') {
    propertiesOf(e.left, out);
    propertiesOf(e.right, out);
  }
  return out;
}

export function toNumber(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    if (!Number.isNaN(n)) return n;
  }
  return NaN;
}

export function toText(v: Value): string {
  if (v === null) return '';
  if (typeof v === 'number') return formatNumber(v);
  if (Array.isArray(v)) return v.map(toText).join(',');
  return v;
}

export function truthy(v: Value): boolean {
  if (v === null) return false;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (Array.isArray(v)) return v.length > 0;
  return v.length > 0;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** strftime for the common conversions, in UTC (RediSearch formats with gmtime). */
function strftime(fmt: string, seconds: number): string {
  const d = new Date(Math.floor(seconds) * 1000);
  return fmt.replace(/%([a-zA-Z%])/g, (_, c: string) => {
    switch (c) {
      case 'Y': return String(d.getUTCFullYear());
      case 'm': return pad(d.getUTCMonth() + 1);
      case 'd': return pad(d.getUTCDate());
      case 'H': return pad(d.getUTCHours());
      case 'M': return pad(d.getUTCMinutes());
      case 'S': return pad(d.getUTCSeconds());
      case 'y': return pad(d.getUTCFullYear() % 100);
      case 'j': return pad(Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000) + 1, 3);
      case 'a': return DAYS[d.getUTCDay()];
      case 'b': return MONTHS[d.getUTCMonth()];
      case 'e': return String(d.getUTCDate()).padStart(2, ' ');
      case 'T': return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
      case 'F': return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
      case '%': return '%';
      default: return `%${c}`;
    }
  });
}

function parseTime(s: string, fmt: string): number | null {
  let re = '';
  const order: string[] = [];
  for (let i = 0; i < fmt.length; i++) {
    if (fmt[i] === '%' && i + 1 < fmt.length) {
      const c = fmt[++i];
      if ('YmdHMSj'.includes(c)) {
        re += c === 'Y' ? '(\\d{4})' : c === 'j' ? '(\\d{1,3})' : '(\\d{1,2})';
        order.push(c);
      } else if (c === '%') re += '%';
      else return null;
    } else re += fmt[i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  const m = new RegExp(`^${re}$`).exec(s);
  if (m === null) return null;
  const parts: Record<string, number> = { Y: 1900, m: 1, d: 1, H: 0, M: 0, S: 0 };
  order.forEach((c, i) => (parts[c] = Number(m[i + 1])));
  return Date.UTC(parts.Y, parts.m - 1, parts.d, parts.H, parts.M, parts.S) / 1000;
}

const num1 = (f: (x: number) => number) => (args: Value[]): Value => f(toNumber(args[0]));
const dateFn = (f: (d: Date) => number) => (args: Value[]): Value => {
  const n = toNumber(args[0]);
  return Number.isNaN(n) ? null : f(new Date(Math.floor(n) * 1000));
};

const FUNCTIONS: Record<string, (args: Value[]) => Value> = {
  upper: (a) => (a[0] === null ? null : toText(a[0]).toUpperCase()),
  lower: (a) => (a[0] === null ? null : toText(a[0]).toLowerCase()),
  strlen: (a) => toText(a[0]).length,
  substr: (a) => {
    const s = toText(a[0]);
    let offset = toNumber(a[1]);
    let count = toNumber(a[2]);
    if (offset < 0) offset = Math.max(0, s.length + offset);
    if (count < 0) count = Math.max(0, s.length - offset + count + 1);
    return s.substr(offset, count);
  },
  startswith: (a) => (toText(a[0]).startsWith(toText(a[1])) ? 1 : 0),
  contains: (a) => {
    const s = toText(a[0]);
    const sub = toText(a[1]);
    if (sub.length === 0) return s.length + 1;
    let n = 0;
    for (let i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) n++;
    return n;
  },
  format: (a) => {
    let k = 1;
    return toText(a[0]).replace(/%(s|%)/g, (_, c: string) => (c === '%' ? '%' : toText(a[k++] ?? null)));
  },
  split: (a) => {
    const sep = a.length > 1 ? toText(a[1]) : ',';
    const strip = a.length > 2 ? toText(a[2]) : ' ';
    const re = new RegExp(`[${sep.replace(/[\]\\^-]/g, '\\$&')}]`);
    const stripRe = new RegExp(`^[${strip.replace(/[\]\\^-]/g, '\\$&')}]+|[${strip.replace(/[\]\\^-]/g, '\\$&')}]+$`, 'g');
    return toText(a[0])
      .split(re)
      .map((p) => p.replace(stripRe, ''))
      .filter((p) => p.length > 0);
  },
  exists: (a) => (a[0] === null ? 0 : 1),
  abs: num1(Math.abs),
  ceil: num1(Math.ceil),
  floor: num1(Math.floor),
  log: num1(Math.log),
  log2: num1(Math.log2),
  exp: num1(Math.exp),
  sqrt: num1(Math.sqrt),
  timefmt: (a) => {
    const n = toNumber(a[0]);
    return Number.isNaN(n) ? null : strftime(a.length > 1 ? toText(a[1]) : '%FT%TZ', n);
  },
  parsetime: (a) => parseTime(toText(a[0]), toText(a[1])),
  minute: dateFn((d) => Math.floor(d.getTime() / 60000) * 60),
  hour: dateFn((d) => Math.floor(d.getTime() / 3600000) * 3600),
  day: dateFn((d) => Math.floor(d.getTime() / 86400000) * 86400),
  month: dateFn((d) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 1000),
  year: dateFn((d) => d.getUTCFullYear()),
  monthofyear: dateFn((d) => d.getUTCMonth()),
  dayofweek: dateFn((d) => d.getUTCDay()),
  dayofmonth: dateFn((d) => d.getUTCDate()),
  dayofyear: dateFn((d) => Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000)),
  geodistance: (a) => {
    const nums: number[] = [];
    for (const v of a) {
      if (typeof v === 'string' && v.includes(',')) nums.push(...v.split(',').map(Number));
      else nums.push(toNumber(v));
    }
    if (nums.length !== 4 || nums.some(Number.isNaN)) return null;
    return haversine(nums[0], nums[1], nums[2], nums[3]);
  },
};

/** Evaluates an expression on a row (a property's value is looked up by `get`). */
export function evaluate(e: Expr, get: (name: string) => Value): Value {
  switch (e.kind) {
    case 'num':
      return e.value;
    case 'str':
      return e.value;
    case 'prop':
      return get(e.name);
    case 'call':
      return FUNCTIONS[e.name](e.args.map((a) => evaluate(a, get)));
    case 'unary': {
      const v = evaluate(e.arg, get);
      return e.op === '-' ? -toNumber(v) : truthy(v) ? 0 : 1;
    }
    case 'binary': {
      if (e.op === '&&') return truthy(evaluate(e.left, get)) && truthy(evaluate(e.right, get)) ? 1 : 0;
      if (e.op === '||') return truthy(evaluate(e.left, get)) || truthy(evaluate(e.right, get)) ? 1 : 0;
      const l = evaluate(e.left, get);
      const r = evaluate(e.right, get);
      switch (e.op) {
        case '+': return toNumber(l) + toNumber(r);
        case '-': return toNumber(l) - toNumber(r);
        case '*': return toNumber(l) * toNumber(r);
        case '/': return toNumber(l) / toNumber(r);
        case '%': return Math.trunc(toNumber(l)) % Math.trunc(toNumber(r));
        case '^': return Math.pow(toNumber(l), toNumber(r));
        default: return compare(e.op, l, r) ? 1 : 0;
      }
    }
  }
}

function compare(op: string, l: Value, r: Value): boolean {
  const ln = toNumber(l);
  const rn = toNumber(r);
  const numeric = !Number.isNaN(ln) && !Number.isNaN(rn) && (typeof l === 'number' || typeof r === 'number');
  const c = numeric ? ln - rn : toText(l) < toText(r) ? -1 : toText(l) > toText(r) ? 1 : 0;
  switch (op) {
    case '==': return c === 0;
    case '!=': return c !== 0;
    case '<': return c < 0;
    case '<=': return c <= 0;
    case '>': return c > 0;
    default: return c >= 0;
  }
}
