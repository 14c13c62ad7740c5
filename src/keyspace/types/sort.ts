/**
 * SORT and SORT_RO (Redis 7.4's sort.c): the elements of a list, set or sorted set, sorted
 * numerically or as strings (ALPHA), by themselves or by the values of other keys (`BY pattern`,
 * `*` replaced by the element, `->field` for a hash field), limited, and answered as the elements
 * or other keys' values (`GET pattern`, `#` for the element), or stored as a list.
 *
 * What this module reproduces of Redis, beyond the obvious:
 *
 * - A `BY` pattern without `*` (`nosort`) sorts nothing: lists and sorted sets keep their own
 *   order (reversed with DESC, LIMIT taken as a range), a set its iteration order — except with
 *   STORE or inside a script, where a set is sorted ALPHA to be deterministic.
 * - Numeric sorting reads each weight with `strtod` (C string, leading white space allowed, the
 *   rest consumed; NaN, overflow and underflow are errors) and breaks ties by comparing the
 *   elements' bytes; missing weights count as 0. ALPHA with BY puts missing weights first and
 *   keeps ties in their order.
 * - A full sort is stable (glibc's merge sort); with BY and a LIMIT that does not cover everything
 *   Redis sorts partially with `pqsort`, whose tie order is reproduced.
 * - Sorting a sorted set converts it to the skiplist encoding, as Redis does.
 * - The sorted set's loading order for a real sort is its score order here (Redis's is its hash
 *   table's); it shows only in the order of ALPHA + BY ties.
 */
import type { CommandContext } from '../../commands/command.js';
import { binary, keyReply, type Bytes } from '../bytes.js';
import { ReplyError, WRONGTYPE } from '../../protocol/errors.js';
import type { Reply } from '../../protocol/reply.js';
import { ListValue, listFill } from './list.js';
import { SetValue } from './set.js';
import { ZSet } from './zset.js';
import { RedisHash, countExpiredFields } from './hash.js';
import { isString } from './string.js';
import { pqsort } from './pqsort.js';

export const SORT_SCORE_ERROR = new ReplyError("ERR One or more scores can't be converted into double");

/** Parsed SORT options. Patterns and elements are latin1 byte strings. */
export interface SortOptions {
  desc: boolean;
  alpha: boolean;
  limitStart: number;
  limitCount: number;
  /** The last BY pattern (null without BY). */
  by: string | null;
  /** True once a BY pattern without `*` was given (it stays set even if a later BY has one). */
  dontsort: boolean;
  gets: string[];
  /** The STORE destination (canonical key name), or null. */
  store: string | null;
  /** True when the command runs from a script (sets are then always sorted). */
  fromScript: boolean;
}

interface Item {
  /** The element (latin1 byte string). */
  obj: string;
  score: number;
  /** The BY value compared with ALPHA (latin1), or null when missing. */
  cmp: string | null;
}

/** The part of a C string before its first NUL. */
function cString(s: string): string {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

const SPACE = /^[ \t\n\v\f\r]*/;
const INF_NAN = /^[+-]?(?:inf(?:inity)?|nan(?:\([0-9A-Za-z_]*\))?)/i;
const HEX = /^([+-]?)0[xX]((?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+))(?:[pP]([+-]?\d+))?/;
const DEC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const MIN_NORMAL = 2.2250738585072014e-308;

/**
 * A weight as SORT reads it: `strtod` over the C string, which must consume everything; NaN,
 * overflow and underflow (a subnormal or zero result of a nonzero number) are errors (null).
 */
export function sortWeight(raw: string): number | null {
  const s = cString(raw);
  if (s.length === 0) return 0; // nothing converted, and the end pointer is at the NUL
  const body = s.slice(SPACE.exec(s)![0].length);
  let m = INF_NAN.exec(body);
  if (m !== null) {
    if (m[0].length !== body.length || /nan/i.test(m[0])) return null;
    return m[0].startsWith('-') ? -Infinity : Infinity;
  }
  let value: number;
  m = HEX.exec(body);
  if (m !== null) {
    if (m[0].length !== body.length) return null;
    const [intDigits, fracDigits = ''] = m[2].split('.');
    let mantissa = 0;
    for (const d of intDigits + fracDigits) mantissa = mantissa * 16 + parseInt(d, 16);
    value = mantissa * Math.pow(2, Number(m[3] ?? 0) - 4 * fracDigits.length);
    if (m[1] === '-') value = -value;
    if (value === 0 && /[1-9a-fA-F]/.test(m[2])) return null;
  } else {
    m = DEC.exec(body);
    if (m === null || m[0].length !== body.length) return null;
    value = Number(m[0]);
    if (value === 0 && /[1-9]/.test(m[0].replace(/[eE].*$/, ''))) return null;
  }
  if (!Number.isFinite(value)) return null;
  if (value !== 0 && Math.abs(value) < MIN_NORMAL) return null;
  return value;
}

/** What pattern lookups did besides reading: true once a lazily expired hash field was replicated as HDEL. */
export interface LookupState {
  propagated: boolean;
}

/** The value of a live hash field, expiring it lazily (as `hashTypeGetValue` does) when its time passed. */
function hashField(ctx: CommandContext, key: string, hash: RedisHash, field: string, state: LookupState): Bytes | undefined {
  const value = hash.fields.get(field);
  if (value === undefined) return undefined;
  if (hash.ttls !== null && hash.isExpired(field, ctx.now)) {
    hash.delete(field);
    countExpiredFields(ctx.db, 1);
    ctx.changed(key, 'hexpired');
    ctx.propagate(['HDEL', keyReply(key), keyReply(field)]);
    state.propagated = true;
    if (hash.fields.size === 0) {
      ctx.db.delete(key);
      ctx.changed(key, 'del');
    }
    return undefined;
  }
  return value;
}

/**
 * `lookupKeyByPattern`: `#` is the element itself; otherwise the first `*` is replaced by the
 * element and the key read (a string), or with `->field` after the `*`, that field of a hash.
 * Null when there is nothing (no `*`, a missing key or field, another type).
 */
export function lookupByPattern(ctx: CommandContext, pattern: string, subst: string, state: LookupState): string | null {
  if (pattern.charCodeAt(0) === 35 /* # */ && (pattern.length === 1 || pattern.charCodeAt(1) === 0)) return subst;
  const c = cString(pattern);
  const star = c.indexOf('*');
  if (star < 0) return null;
  const arrow = c.indexOf('->', star + 1);
  const hasField = arrow >= 0 && arrow + 2 < c.length;
  const fieldLen = hasField ? pattern.length - arrow - 2 : 0;
  const field = hasField ? pattern.slice(arrow + 2) : '';
  const postfixEnd = pattern.length - (fieldLen ? fieldLen + 2 : 0);
  const key = pattern.slice(0, star) + subst + pattern.slice(star + 1, postfixEnd);
  const value = ctx.db.read(key, ctx.now);
  if (value === undefined) return null;
  if (hasField) {
    if (!(value instanceof RedisHash)) return null;
    const v = hashField(ctx, key, value, field, state);
    return v === undefined ? null : binary(v);
  }
  if (!isString(value)) return null;
  return binary(value);
}

/** `compareStringObjects`: bytes, then length. */
function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `strcoll` in the C locale: the bytes up to the first NUL. */
function collate(a: string, b: string): number {
  return compareBytes(cString(a), cString(b));
}

/** Runs SORT on the value at `key` (already parsed options); returns the reply. */
export function sortGeneric(ctx: CommandContext, key: string, opts: SortOptions, state: LookupState): Reply {
  const value = ctx.db.read(key, ctx.now);
  if (
    value !== undefined &&
    !(value instanceof ListValue) &&
    !(value instanceof SetValue) &&
    !(value instanceof ZSet)
  ) {
    throw WRONGTYPE;
  }
  let { dontsort, alpha, by: sortby } = opts;
  const desc = opts.desc;
  if (dontsort && value instanceof SetValue && (opts.store !== null || opts.fromScript)) {
    dontsort = false;
    alpha = true;
    sortby = null;
  }
  if (value instanceof ZSet && value.listpack) value.toSkiplist();

  let vectorlen = value === undefined ? 0 : value instanceof ListValue ? value.length : value instanceof SetValue ? value.size : value.length;
  let start = Math.min(Math.max(opts.limitStart, 0), vectorlen);
  const limitCount = Math.min(Math.max(opts.limitCount, -1), vectorlen);
  let end = limitCount < 0 ? vectorlen - 1 : start + limitCount - 1;
  if (start >= vectorlen) {
    start = vectorlen - 1;
    end = vectorlen - 2;
  }
  if (end >= vectorlen) end = vectorlen - 1;

  const full = vectorlen;
  if ((value instanceof ZSet || value instanceof ListValue) && dontsort && (start !== 0 || end !== vectorlen - 1)) {
    vectorlen = end - start + 1;
  }

  let vector: Item[] = [];
  const item = (obj: string): Item => ({ obj, score: 0, cmp: null });
  if (value instanceof ListValue && dontsort) {
    if (end >= start) {
      const from = desc ? full - start - 1 : start;
      const count = vectorlen;
      const elems = desc ? value.range(from - count + 1, from, true) : value.range(from, from + count - 1);
      vector = elems.map((e) => item(binary(e)));
      end -= start;
      start = 0;
    }
  } else if (value instanceof ListValue) {
    vector = value.range(0, full - 1).map((e) => item(binary(e)));
  } else if (value instanceof SetValue) {
    for (const m of value.members()) vector.push(item(m));
  } else if (value instanceof ZSet && dontsort) {
    const tree = value.tree;
    let rank = desc ? full - 1 - start : start;
    for (let k = 0; k < vectorlen; k++) {
      vector.push(item(tree.memberAt(rank)));
      rank += desc ? -1 : 1;
    }
    end -= start;
    start = 0;
  } else if (value instanceof ZSet) {
    value.tree.forEachFrom(0, false, (member) => {
      vector.push(item(member));
    });
  }

  let conversionError = false;
  if (!dontsort) {
    for (const it of vector) {
      let byval: string | null;
      if (sortby !== null) {
        byval = lookupByPattern(ctx, sortby, it.obj, state);
        if (byval === null) continue;
      } else {
        byval = it.obj;
      }
      if (alpha) {
        if (sortby !== null) it.cmp = byval;
      } else {
        const score = sortWeight(byval);
        if (score === null) conversionError = true;
        else it.score = score;
      }
    }
    const sign = desc ? -1 : 1;
    const store = opts.store !== null;
    let cmp: (a: Item, b: Item) => number;
    if (!alpha) {
      cmp = (a, b) => sign * (a.score > b.score ? 1 : a.score < b.score ? -1 : compareBytes(a.obj, b.obj));
    } else if (sortby !== null) {
      cmp = (a, b) => {
        let r: number;
        if (a.cmp === null || b.cmp === null) r = a.cmp === b.cmp ? 0 : a.cmp === null ? -1 : 1;
        else r = store ? compareBytes(a.cmp, b.cmp) : collate(a.cmp, b.cmp);
        return sign * r;
      };
    } else {
      cmp = (a, b) => sign * (store ? compareBytes(a.obj, b.obj) : collate(a.obj, b.obj));
    }
    if (sortby !== null && (start !== 0 || end !== vectorlen - 1)) pqsort(vector, cmp, start, end);
    else vector.sort(cmp);
  }

  const outputlen = opts.gets.length > 0 ? opts.gets.length * (end - start + 1) : end - start + 1;
  if (conversionError) throw SORT_SCORE_ERROR;

  if (opts.store === null) {
    const out: Reply[] = [];
    for (let j = start; j <= end; j++) {
      const obj = vector[j].obj;
      if (opts.gets.length === 0) out.push(keyReply(obj));
      for (const pattern of opts.gets) {
        const v = lookupByPattern(ctx, pattern, obj, state);
        out.push(v === null ? null : keyReply(v));
      }
    }
    return out;
  }

  const values: Bytes[] = [];
  for (let j = start; j <= end; j++) {
    const obj = vector[j].obj;
    if (opts.gets.length === 0) values.push(keyReply(obj));
    for (const pattern of opts.gets) {
      const v = lookupByPattern(ctx, pattern, obj, state);
      values.push(v === null ? '' : keyReply(v));
    }
  }
  const dst = opts.store;
  if (outputlen > 0) {
    ctx.db.set(dst, ListValue.fromValues(values, listFill(ctx.cache.settings)));
    ctx.changed(dst, 'sortstore');
  } else if (ctx.db.delete(dst)) {
    ctx.changed(dst, 'del');
  }
  return outputlen;
}
