/**
 * Number parsing exactly as Redis parses arguments: `string2ll` for integers, `strtod` rules for
 * doubles. Anything Redis rejects is rejected here (no leading `+`, no spaces, no leading zeros).
 */
import type { Bytes } from '../keyspace/bytes.js';

export const INT64_MAX = 9223372036854775807n;
export const INT64_MIN = -9223372036854775808n;

/**
 * Parses a signed 64-bit decimal integer as Redis's `string2ll` does. Returns a `number` when the
 * value is a safe integer, a `bigint` otherwise, or `null` when the text is not a valid int64.
 */
export function parseInt64(arg: Bytes): number | bigint | null {
  const s = typeof arg === 'string' ? arg : arg.toString('latin1');
  const len = s.length;
  if (len === 0 || len > 20) return null;
  let i = 0;
  let negative = false;
  if (s.charCodeAt(0) === 45 /* - */) {
    if (len === 1) return null;
    negative = true;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 48 /* 0 */) return len === 1 ? 0 : null; // "0" only: no "-0", no leading zeros
  if (first < 49 || first > 57) return null;
  if (len - i <= 15) {
    let n = 0;
    for (; i < len; i++) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return null;
      n = n * 10 + c;
    }
    return negative ? -n : n;
  }
  for (let j = i; j < len; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  const big = BigInt(s);
  if (big > INT64_MAX || big < INT64_MIN) return null;
  return Number.isSafeInteger(Number(big)) ? Number(big) : big;
}

/** Like {@link parseInt64} but always a bigint (or null). */
export function parseInt64Big(arg: Bytes): bigint | null {
  const n = parseInt64(arg);
  return n === null ? null : BigInt(n);
}

/** Normalises an integer result: `number` when safe, `bigint` otherwise. */
export function intReply(n: bigint): number | bigint {
  const asNumber = Number(n);
  return Number.isSafeInteger(asNumber) ? asNumber : n;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
const INFINITE = /^([+-]?)inf(?:inity)?$/i;

/**
 * Parses a double as Redis does with `strtod`: decimal, hexadecimal and `inf`/`infinity` forms,
 * no surrounding spaces, no trailing text. NaN is rejected (`nan` parses but Redis refuses it).
 * Returns null when Redis would answer "not a valid float".
 */
export function parseDouble(arg: Bytes): number | null {
  const s = typeof arg === 'string' ? arg : arg.toString('latin1');
  if (s.length === 0) return null;
  if (DECIMAL.test(s)) return Number(s);
  const inf = INFINITE.exec(s);
  if (inf) return inf[1] === '-' ? -Infinity : Infinity;
  const hex = HEX.exec(s);
  if (hex && (hex[2].length > 0 || (hex[3] ?? '').length > 0)) {
    const digits = hex[2] + (hex[3] ?? '');
    let value = 0;
    for (const d of digits) value = value * 16 + parseInt(d, 16);
    value *= Math.pow(2, Number(hex[4] ?? 0) - 4 * (hex[3] ?? '').length);
    return hex[1] === '-' ? -value : value;
  }
  return null;
}
