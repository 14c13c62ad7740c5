/**
 * The RediSearch query language (DIALECT 1 and 2) parsed into a tree: terms, implicit AND, `|`,
 * `-`, `~`, `( )`, `"exact phrases"`, `prefix*` / `*suffix` / `*infix*`, `%fuzzy%`,
 * `@field:` modifiers, `@tag:{a | b}`, `@num:[min max]`, `@geo:[lon lat r unit]`, `*`, `$params`
 * (DIALECT 2), `=>{$weight; $slop; $inorder}` attributes and `=>[KNN k @vec $blob AS name]`.
 */
import { searchError } from './schema.js';
import { isSeparator } from './text.js';

export type TermMatch = 'exact' | 'prefix' | 'suffix' | 'contains';

export type QueryNode =
  | { kind: 'term'; word: string; fields: string[] | null; match: TermMatch; fuzzy: number; verbatim: boolean; weight: number }
  | { kind: 'phrase'; words: string[]; fields: string[] | null; weight: number }
  | { kind: 'and'; children: QueryNode[]; slop: number | null; inorder: boolean; weight: number }
  | { kind: 'or'; children: QueryNode[]; weight: number }
  | { kind: 'not'; child: QueryNode }
  | { kind: 'optional'; child: QueryNode }
  | { kind: 'all' }
  | { kind: 'none' }
  | { kind: 'tag'; field: string; values: Array<{ value: string; match: TermMatch }>; weight: number }
  | { kind: 'numeric'; field: string; min: number; max: number; minExclusive: boolean; maxExclusive: boolean }
  | { kind: 'geo'; field: string; lon: number; lat: number; radius: number };

export interface KnnClause {
  readonly k: number;
  readonly field: string;
  readonly blob: Buffer;
  /** The score field's name (`AS name`, else `__<field>_score`). */
  readonly as: string;
}

export interface ParsedQuery {
  readonly root: QueryNode;
  readonly knn: KnnClause | null;
}

export interface QueryContext {
  readonly dialect: number;
  readonly params: ReadonlyMap<string, Buffer>;
  readonly stopwords: ReadonlySet<string> | null;
  readonly verbatim: boolean;
}

const UNIT_METERS: Record<string, number> = { m: 1, km: 1000, mi: 1609.34, ft: 0.3048 };

export function syntaxError(offset: number, near: string): Error {
  return searchError(`Syntax error at offset ${offset} near ${near}`);
}

class Parser {
  private i = 0;
  constructor(
    private readonly q: string,
    private readonly ctx: QueryContext,
  ) {}

  parse(): ParsedQuery {
    let knn: KnnClause | null = null;
    let text = this.q;
    // `filter=>[KNN …]`: the vector part is DIALECT 2's.
    const arrow = findKnnArrow(text);
    if (arrow >= 0) {
      if (this.ctx.dialect < 2) throw syntaxError(arrow + 2, text.slice(arrow + 2).split(/\s/)[0] || '[');
      knn = this.parseKnn(text.slice(arrow + 3), arrow + 3);
      text = text.slice(0, arrow);
    }
    const sub = new Parser(text, this.ctx);
    const root = sub.parseTop();
    return { root, knn };
  }

  private parseTop(): QueryNode {
    this.ws();
    if (this.i >= this.q.length) return { kind: 'none' };
    const node = this.parseUnion();
    this.ws();
    if (this.i < this.q.length) throw this.errorHere();
    return node;
  }

  private errorHere(): Error {
    const rest = this.q.slice(this.i);
    // At the end of the query the parser names the last word it read.
    const near = rest.split(/\s/)[0] || this.q.slice(0, this.i).trim().split(/[\s()]/).filter((w) => w.length > 0).pop() || rest;
    return syntaxError(this.i, near);
  }

  private ws(): void {
    while (this.i < this.q.length && /\s/.test(this.q[this.i])) this.i++;
  }

  private peek(): string | undefined {
    return this.q[this.i];
  }

  private atEndOfGroup(): boolean {
    this.ws();
    const c = this.peek();
    return c === undefined || c === ')' || c === '|';
  }

  private parseUnion(): QueryNode {
    if (this.ctx.dialect < 2) return this.parseDialect1();
    const children = [this.parseIntersect()];
    while (this.peek() === '|') {
      this.i++;
      children.push(this.parseIntersect());
    }
    return children.length === 1 ? children[0] : { kind: 'or', children, weight: 1 };
  }

  /**
   * DIALECT 1: `|` binds tighter than the implicit AND — it joins the atom before it and the one
   * after — so `a b | c d` is `a (b | c) d` (docs ft.explain's plan of `(foo bar)|(hello world)
   * @date:[100 200]|@date:[500 +inf]`: an intersection of two unions).
   */
  private parseDialect1(): QueryNode {
    const items: QueryNode[] = [];
    for (;;) {
      this.ws();
      const c = this.peek();
      if (c === undefined || c === ')') break;
      if (c === '|') {
        this.i++;
        if (items.length === 0) throw this.errorHere();
        const left = items.pop()!;
        this.ws();
        const right = this.parseUnary();
        items.push(left.kind === 'or' ? { ...left, children: [...left.children, right] } : { kind: 'or', children: [left, right], weight: 1 });
        continue;
      }
      items.push(this.parseUnary());
    }
    if (items.length === 0) throw this.errorHere();
    return items.length === 1 ? items[0] : { kind: 'and', children: items, slop: null, inorder: false, weight: 1 };
  }

  private parseIntersect(): QueryNode {
    const items: QueryNode[] = [];
    while (!this.atEndOfGroup()) items.push(this.parseUnary());
    if (items.length === 0) throw this.errorHere();
    return items.length === 1 ? items[0] : { kind: 'and', children: items, slop: null, inorder: false, weight: 1 };
  }

  private parseUnary(): QueryNode {
    this.ws();
    const c = this.peek();
    if (c === '-') {
      this.i++;
      return { kind: 'not', child: this.parseUnary() };
    }
    if (c === '~') {
      this.i++;
      return { kind: 'optional', child: this.parseUnary() };
    }
    const node = this.parseAtom(null);
    return this.parseAttributes(node);
  }

  /** `=>{$weight: w; $slop: s; $inorder: true}` after an atom. */
  private parseAttributes(node: QueryNode): QueryNode {
    this.ws();
    if (!this.q.startsWith('=>', this.i) || this.q[this.i + 2] === '[') return node;
    const start = this.i;
    this.i += 2;
    this.ws();
    if (this.peek() !== '{') throw syntaxError(start, '=>');
    const close = this.q.indexOf('}', this.i);
    if (close < 0) throw syntaxError(start, '=>');
    const body = this.q.slice(this.i + 1, close);
    this.i = close + 1;
    let out: QueryNode = node;
    for (const part of body.split(';')) {
      if (part.trim() === '') continue;
      const m = /^\s*\$(\w+)\s*:\s*(\S+)\s*$/.exec(part);
      if (m === null) throw syntaxError(start, part.trim());
      const name = m[1].toLowerCase();
      let value = m[2];
      if (value.startsWith('$')) value = this.param(value.slice(1), start).toString();
      if (name === 'weight') {
        const w = Number(value);
        if (!Number.isFinite(w) || w < 0) throw searchError(`Invalid value (${value}) for \`weight\``);
        if ('weight' in out) out = { ...out, weight: w } as QueryNode;
      } else if (name === 'slop') {
        const s = Number(value);
        if (!Number.isInteger(s)) throw searchError(`Invalid value (${value}) for \`slop\``);
        out = out.kind === 'and' ? { ...out, slop: s } : out;
      } else if (name === 'inorder') {
        const b = value.toLowerCase();
        if (b !== 'true' && b !== 'false') throw searchError(`Invalid value (${value}) for \`inorder\``);
        out = out.kind === 'and' ? { ...out, inorder: b === 'true' } : out;
      } else if (name === 'phonetic') {
        // Phonetic matching is not emulated: the attribute is accepted and ignored.
      } else {
        throw searchError(`Invalid attribute ${name}`);
      }
    }
    return out;
  }

  private param(name: string, offset: number): Buffer {
    const v = this.ctx.params.get(name);
    if (v === undefined) throw searchError(`No such parameter \`${name}\``);
    void offset;
    return v;
  }

  private parseAtom(fields: string[] | null): QueryNode {
    this.ws();
    const start = this.i;
    const c = this.peek();
    if (c === undefined) throw this.errorHere();
    if (c === '(') {
      this.i++;
      const inner = fields === null ? this.parseUnion() : this.withFields(fields, () => this.parseUnion());
      this.ws();
      if (this.peek() !== ')') throw this.errorHere();
      this.i++;
      return inner;
    }
    if (c === '@') return this.parseModifier();
    if (c === '"') return this.parsePhrase(fields);
    if (c === '*' && (this.i + 1 >= this.q.length || /[\s)|]/.test(this.q[this.i + 1]))) {
      this.i++;
      return { kind: 'all' };
    }
    if (c === '%') return this.parseFuzzy(fields);
    if (c === '$' && this.ctx.dialect >= 2) {
      this.i++;
      const name = this.readWord();
      const value = this.param(name, start).toString('utf8');
      return this.termNode(value.toLowerCase(), fields, 'exact', start);
    }
    let match: TermMatch = 'exact';
    if (c === '*') {
      this.i++;
      match = 'suffix';
    }
    const word = this.readWord();
    if (word.length === 0) throw syntaxError(start, this.q.slice(start).split(/\s/)[0] || c);
    if (this.peek() === '*') {
      this.i++;
      match = match === 'suffix' ? 'contains' : 'prefix';
    }
    return this.termNode(word.toLowerCase(), fields, match, start);
  }

  private termNode(word: string, fields: string[] | null, match: TermMatch, start: number): QueryNode {
    if (match === 'exact' && this.ctx.stopwords !== null && this.ctx.stopwords.has(word)) return { kind: 'none' };
    if (match === 'prefix' && word.length < 2) throw syntaxError(start, word + '*');
    return { kind: 'term', word, fields, match, fuzzy: 0, verbatim: this.ctx.verbatim, weight: 1 };
  }

  /** Reads a term: characters up to a separator; `\x` takes `x` literally. */
  private readWord(): string {
    let word = '';
    while (this.i < this.q.length) {
      const c = this.q[this.i];
      if (c === '\\' && this.i + 1 < this.q.length) {
        word += this.q[this.i + 1];
        this.i += 2;
        continue;
      }
      if (isSeparator(c) || c === '*' || c === '%') break;
      word += c;
      this.i++;
    }
    return word;
  }

  private parseFuzzy(fields: string[] | null): QueryNode {
    const start = this.i;
    let level = 0;
    while (this.peek() === '%') {
      level++;
      this.i++;
    }
    const word = this.readWord().toLowerCase();
    let closing = 0;
    while (this.peek() === '%') {
      closing++;
      this.i++;
    }
    if (level > 3 || closing !== level || word.length === 0) throw syntaxError(start, this.q.slice(start).split(/\s/)[0]);
    return { kind: 'term', word, fields, match: 'exact', fuzzy: level, verbatim: true, weight: 1 };
  }

  private parsePhrase(fields: string[] | null): QueryNode {
    const start = this.i;
    this.i++;
    const words: string[] = [];
    let word = '';
    const flush = (): void => {
      if (word.length > 0) {
        const w = word.toLowerCase();
        if (this.ctx.stopwords === null || !this.ctx.stopwords.has(w)) words.push(w);
      }
      word = '';
    };
    for (;;) {
      const c = this.q[this.i];
      if (c === undefined) throw syntaxError(start, this.q.slice(start).split(/\s/)[0]);
      this.i++;
      if (c === '"') break;
      if (c === '\\' && this.i < this.q.length) {
        word += this.q[this.i++];
      } else if (isSeparator(c)) flush();
      else word += c;
    }
    flush();
    if (words.length === 0) return { kind: 'none' };
    if (words.length === 1) return { kind: 'term', word: words[0], fields, match: 'exact', fuzzy: 0, verbatim: true, weight: 1 };
    return { kind: 'phrase', words, fields, weight: 1 };
  }

  private withFields(fields: string[], body: () => QueryNode): QueryNode {
    return applyFields(body(), fields);
  }

  /** `@a|b:target`. */
  private parseModifier(): QueryNode {
    const start = this.i;
    this.i++;
    const fields: string[] = [];
    for (;;) {
      const name = this.readFieldName();
      if (name.length === 0) throw syntaxError(start, this.q.slice(start).split(/\s/)[0]);
      fields.push(name);
      if (this.peek() === '|') {
        this.i++;
        continue;
      }
      break;
    }
    if (this.peek() !== ':') throw syntaxError(this.i, this.q.slice(this.i).split(/\s/)[0] || '@');
    this.i++;
    this.ws();
    const c = this.peek();
    if (c === '{') return this.parseTags(fields[0]);
    if (c === '[') return this.parseRange(fields[0]);
    if (c === '-') {
      this.i++;
      return { kind: 'not', child: applyFields(this.parseAtom(fields), fields) };
    }
    return applyFields(this.parseAttributes(this.parseAtom(fields)), fields);
  }

  private readFieldName(): string {
    let name = '';
    while (this.i < this.q.length) {
      const c = this.q[this.i];
      if (c === '\\' && this.i + 1 < this.q.length) {
        name += this.q[this.i + 1];
        this.i += 2;
        continue;
      }
      if (/[\s:|@{}[\]()"]/.test(c)) break;
      name += c;
      this.i++;
    }
    return name;
  }

  private parseTags(field: string): QueryNode {
    const start = this.i;
    this.i++;
    const values: Array<{ value: string; match: TermMatch }> = [];
    let current = '';
    let escapedEnd = false;
    const push = (): void => {
      let v = current.trim();
      let match: TermMatch = 'exact';
      if (this.ctx.dialect >= 2 && v.startsWith('$') && !v.includes(' ')) v = this.param(v.slice(1), start).toString('utf8');
      if (v.endsWith('*') && !escapedEnd) {
        v = v.slice(0, -1);
        match = 'prefix';
        if (v.startsWith('*')) {
          v = v.slice(1);
          match = 'contains';
        }
      } else if (v.startsWith('*')) {
        v = v.slice(1);
        match = 'suffix';
      }
      if (v.length === 0) throw syntaxError(start, this.q.slice(start).split(/\s/)[0]);
      values.push({ value: v, match });
      current = '';
      escapedEnd = false;
    };
    for (;;) {
      const c = this.q[this.i];
      if (c === undefined) throw syntaxError(start, this.q.slice(start).split(/\s/)[0]);
      this.i++;
      if (c === '\\' && this.i < this.q.length) {
        current += this.q[this.i++];
        escapedEnd = true;
        continue;
      }
      escapedEnd = false;
      if (c === '}') {
        push();
        break;
      }
      if (c === '|') push();
      else current += c;
    }
    return { kind: 'tag', field, values, weight: 1 };
  }

  private parseRange(field: string): QueryNode {
    const start = this.i;
    const close = this.q.indexOf(']', this.i);
    if (close < 0) throw syntaxError(start, this.q.slice(start).split(/\s/)[0]);
    const parts = this.q.slice(this.i + 1, close).trim().split(/\s+/).filter((p) => p.length > 0);
    this.i = close + 1;
    const resolve = (p: string): string => (this.ctx.dialect >= 2 && p.startsWith('$') ? this.param(p.slice(1), start).toString('utf8') : p);
    if (parts.length === 4 || (parts.length === 2 && parts[0].toUpperCase() === 'VECTOR_RANGE')) {
      if (parts[0].toUpperCase() === 'VECTOR_RANGE') throw searchError('VECTOR_RANGE queries are not supported by this emulator');
      const [lon, lat, radius] = parts.slice(0, 3).map((p) => Number(resolve(p)));
      const unit = resolve(parts[3]).toLowerCase();
      if (![lon, lat, radius].every(Number.isFinite)) throw syntaxError(start, parts.join(' '));
      const meters = UNIT_METERS[unit];
      if (meters === undefined) throw searchError(`Invalid GeoFilter unit`);
      return { kind: 'geo', field, lon, lat, radius: radius * meters };
    }
    if (parts.length !== 2) throw syntaxError(start, this.q.slice(start, close + 1));
    const bound = (raw: string, which: 'lower' | 'upper'): [number, boolean] => {
      let p = resolve(raw);
      let exclusive = false;
      if (p.startsWith('(')) {
        exclusive = true;
        p = p.slice(1);
        if (p.startsWith('$') && this.ctx.dialect >= 2) p = resolve(p);
      }
      const n = /^[+-]?inf$/i.test(p) ? (p.startsWith('-') ? -Infinity : Infinity) : /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(p) ? Number(p) : NaN;
      if (Number.isNaN(n)) throw searchError(`Bad ${which} range: ${p}`);
      return [n, exclusive];
    };
    const [min, minExclusive] = bound(parts[0], 'lower');
    const [max, maxExclusive] = bound(parts[1], 'upper');
    return { kind: 'numeric', field, min, max, minExclusive, maxExclusive };
  }

  /** `KNN k @field $blob [EF_RUNTIME n] [AS name]]`. */
  private parseKnn(rest: string, offset: number): KnnClause {
    const close = rest.lastIndexOf(']');
    if (close < 0) throw syntaxError(offset, rest);
    const tail = rest.slice(close + 1).trim();
    if (tail.length > 0) throw syntaxError(offset + close + 1, tail);
    const parts = rest.slice(0, close).trim().split(/\s+/);
    if (parts[0]?.toUpperCase() !== 'KNN' || parts.length < 4) throw syntaxError(offset, parts[0] ?? rest);
    let kText = parts[1];
    if (kText.startsWith('$')) kText = this.param(kText.slice(1), offset).toString('utf8');
    if (!/^\d+$/.test(kText)) throw searchError(`Invalid K value`);
    const field = parts[2];
    if (!field.startsWith('@')) throw syntaxError(offset, field);
    const blobName = parts[3];
    if (!blobName.startsWith('$')) throw syntaxError(offset, blobName);
    const blob = this.param(blobName.slice(1), offset);
    let as = `__${field.slice(1)}_score`;
    for (let j = 4; j < parts.length; j += 2) {
      const key = parts[j].toUpperCase();
      const value = parts[j + 1];
      if (value === undefined) throw syntaxError(offset, parts[j]);
      if (key === 'AS') as = value;
      else if (key === 'EF_RUNTIME' || key === 'EPSILON') {
        // HNSW's search parameters: the emulator's search is exact, so they change nothing.
      } else throw syntaxError(offset, parts[j]);
    }
    return { k: Number(kText), field: field.slice(1), blob, as };
  }
}

/** The position of `=>[` outside quotes and braces, or -1. */
function findKnnArrow(q: string): number {
  let inQuote = false;
  for (let i = 0; i < q.length; i++) {
    const c = q[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '"') inQuote = !inQuote;
    if (!inQuote && c === '=' && q[i + 1] === '>' && q[i + 2] === '[') return i;
  }
  return -1;
}

/** Rewrites the field list of every text term and phrase (null: all TEXT fields). */
export function mapTextFields(node: QueryNode, map: (fields: string[] | null) => string[] | null): QueryNode {
  switch (node.kind) {
    case 'term':
    case 'phrase':
      return { ...node, fields: map(node.fields) };
    case 'and':
    case 'or':
      return { ...node, children: node.children.map((c) => mapTextFields(c, map)) };
    case 'not':
    case 'optional':
      return { ...node, child: mapTextFields(node.child, map) };
    default:
      return node;
  }
}

export type TermNode = Extract<QueryNode, { kind: 'term' }>;
export type PhraseNode = Extract<QueryNode, { kind: 'phrase' }>;

/** The query's words and phrases, in order; negated ones only when `negated` is true. */
export function wordNodes(node: QueryNode, negated: boolean, out: Array<TermNode | PhraseNode> = []): Array<TermNode | PhraseNode> {
  switch (node.kind) {
    case 'term':
    case 'phrase':
      out.push(node);
      break;
    case 'and':
    case 'or':
      for (const c of node.children) wordNodes(c, negated, out);
      break;
    case 'not':
      if (negated) wordNodes(node.child, negated, out);
      break;
    case 'optional':
      wordNodes(node.child, negated, out);
      break;
    default:
      break;
  }
  return out;
}

/** Narrows text terms and phrases under a `@field:` modifier to those fields (an inner modifier wins). */
function applyFields(node: QueryNode, fields: string[]): QueryNode {
  return mapTextFields(node, (own) => own ?? fields);
}

/** Parses a query string under the given dialect, PARAMS, stop words and VERBATIM. */
export function parseQuery(query: string, ctx: QueryContext): ParsedQuery {
  return new Parser(query, ctx).parse();
}
