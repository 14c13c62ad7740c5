/**
 * Exact emulation of the C `long double` arithmetic Redis uses for INCRBYFLOAT (and HINCRBYFLOAT):
 * the x87 80-bit extended format — a 64-bit mantissa with an explicit leading bit, exponents down
 * to 2^-16382 for normal values and gradual underflow to 2^-16445 — as produced by glibc's
 * `strtold`, one `+`, and `printf("%.17Lf")`.
 *
 * A finite value is `sign × mant × 2^exp` with `mant < 2^64` (zero has `mant = 0`). All rounding is
 * round-half-even on the exact value, as the FPU and glibc do in the default rounding mode.
 */

/** A finite extended-precision value, or an infinity. NaN never needs representing here. */
export interface LongDouble {
  readonly negative: boolean;
  /** Mantissa, 0 ≤ mant < 2^64 (0 for zero; ignored for infinities). */
  readonly mant: bigint;
  /** Binary exponent of the mantissa's least significant bit. */
  readonly exp: number;
  /** True for ±infinity. */
  readonly infinite: boolean;
}

/** The smallest exponent of the mantissa's last bit (the subnormal quantum is 2^-16445). */
const MIN_LSB_EXP = -16445;
/** Values at or above 2^16384 overflow to infinity. */
const MAX_BIT_LENGTH_PLUS_EXP = 16384;
/** `string2ld` refuses texts of this many bytes or more (`MAX_LONG_DOUBLE_CHARS`). */
export const MAX_LONG_DOUBLE_CHARS = 5 * 1024;

const ZERO: LongDouble = { negative: false, mant: 0n, exp: 0, infinite: false };

function infinity(negative: boolean): LongDouble {
  return { negative, mant: 0n, exp: 0, infinite: true };
}

/** Number of significant bits of a non-negative bigint. */
function bitLength(n: bigint): number {
  if (n === 0n) return 0;
  if (n < 0x20000000000000n) {
    const x = Number(n); // exact below 2^53
    return x < 4294967296 ? 32 - Math.clz32(x) : 64 - Math.clz32(Math.floor(x / 4294967296));
  }
  const hex = n.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0], 16)));
}

const powersOfTen: bigint[] = [1n];

/** 10^k, cached for the exponents decimal texts use most. */
function pow10(k: number): bigint {
  if (k > 512) return 10n ** BigInt(k);
  for (let i = powersOfTen.length; i <= k; i++) powersOfTen.push(powersOfTen[i - 1] * 10n);
  return powersOfTen[k];
}

/**
 * Rounds the exact value `sign × n × 2^e2` (plus less than one unit of `n` when `sticky`) to the
 * extended format. Callers passing `sticky` give `n` at least 66 significant bits.
 */
export function roundExtended(negative: boolean, n: bigint, e2: number, sticky = false): LongDouble {
  if (n === 0n) return negative ? { ...ZERO, negative } : ZERO;
  const bits = bitLength(n);
  const shift = Math.max(bits - 64, MIN_LSB_EXP - e2);
  let mant = n;
  let exp = e2;
  if (shift > 0) {
    const big = BigInt(shift);
    mant = n >> big;
    const dropped = n - (mant << big);
    const half = 1n << (big - 1n);
    if (dropped > half || (dropped === half && (sticky || (mant & 1n) === 1n))) mant += 1n;
    exp = e2 + shift;
    if (mant === 1n << 64n) {
      mant >>= 1n;
      exp += 1;
    }
  }
  if (mant === 0n) return { ...ZERO, negative };
  if (bitLength(mant) + exp > MAX_BIT_LENGTH_PLUS_EXP) return infinity(negative);
  return { negative, mant, exp, infinite: false };
}

/** The exact value of a 64-bit integer. */
export function fromInteger(n: bigint | number): LongDouble {
  const big = BigInt(n);
  return roundExtended(big < 0n, big < 0n ? -big : big, 0);
}

/** True when the value is zero. */
export function isZero(value: LongDouble): boolean {
  return !value.infinite && value.mant === 0n;
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
const INFINITE = /^([+-]?)(?:inf|infinity)$/i;

/** An exponent text as a number, saturated far beyond any value that matters. */
function exponentOf(text: string | undefined): number {
  if (text === undefined) return 0;
  const negative = text.startsWith('-');
  const digits = text.replace(/^[+-]/, '').replace(/^0+/, '');
  const magnitude = digits.length > 9 ? 1e9 : Number(digits || '0');
  return negative ? -magnitude : magnitude;
}

/** What `strtold` makes of a complete decimal or hex text (null when it is not one), with ERANGE. */
function strtold(s: string): { value: LongDouble; erange: boolean } | null {
  const dec = DECIMAL.exec(s);
  if (dec !== null) {
    const intDigits = dec[2];
    const fracDigits = dec[3] ?? '';
    if (intDigits.length === 0 && fracDigits.length === 0) return null;
    const negative = dec[1] === '-';
    const digits = (intDigits + fracDigits).replace(/^0+/, '');
    if (digits.length === 0) return { value: negative ? { ...ZERO, negative } : ZERO, erange: false };
    const e10 = exponentOf(dec[4]) - fracDigits.length;
    const magnitude = digits.length + e10; // value < 10^magnitude, value ≥ 10^(magnitude-1)
    if (magnitude - 1 > 4940) return { value: infinity(negative), erange: true };
    if (magnitude < -4960) return { value: { ...ZERO, negative }, erange: true };
    const d = BigInt(digits);
    let value: LongDouble;
    if (e10 >= 0) {
      value = roundExtended(negative, d * pow10(e10), 0);
    } else {
      const den = pow10(-e10);
      const k = Math.max(0, 67 + bitLength(den) - bitLength(d));
      const scaled = d << BigInt(k);
      const q = scaled / den;
      value = roundExtended(negative, q, -k, q * den !== scaled);
    }
    return { value, erange: value.infinite || value.mant === 0n };
  }
  const hex = HEX.exec(s);
  if (hex !== null) {
    const intDigits = hex[2];
    const fracDigits = hex[3] ?? '';
    if (intDigits.length === 0 && fracDigits.length === 0) return null;
    const negative = hex[1] === '-';
    const n = BigInt('0x' + (intDigits + fracDigits || '0'));
    if (n === 0n) return { value: negative ? { ...ZERO, negative } : ZERO, erange: false };
    const e2 = exponentOf(hex[4]) - 4 * fracDigits.length;
    const top = bitLength(n) + e2;
    if (top > MAX_BIT_LENGTH_PLUS_EXP + 1) return { value: infinity(negative), erange: true };
    if (top < MIN_LSB_EXP - 2) return { value: { ...ZERO, negative }, erange: true };
    const value = roundExtended(negative, n, e2);
    return { value, erange: value.infinite || value.mant === 0n };
  }
  const inf = INFINITE.exec(s);
  if (inf !== null) return { value: infinity(inf[1] === '-'), erange: false };
  return null;
}

/**
 * Parses a value as Redis's `string2ld` does: `strtold` over all the bytes (a NUL ends it early,
 * which fails), no leading space, nothing left over, no NaN, no overflow and no underflow to zero. Infinity written
 * out (`inf`) is accepted. Returns null when Redis answers "not a valid float".
 */
export function parseLongDouble(bytes: Buffer | string): LongDouble | null {
  const length = typeof bytes === 'string' ? bytes.length : bytes.length;
  if (length === 0 || length >= MAX_LONG_DOUBLE_CHARS) return null;
  const s = typeof bytes === 'string' ? bytes : bytes.toString('latin1');
  // strtold stops at a NUL, and string2ld wants every byte consumed; it also rejects leading space.
  if (s.includes('\0')) return null;
  const parsed = strtold(s);
  if (parsed === null) return null;
  if (parsed.erange && (parsed.value.infinite || parsed.value.mant === 0n)) return null;
  return parsed.value;
}

/** `a + b` in extended precision; an infinite or NaN result is reported as null. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | null {
  if (a.infinite || b.infinite) return null; // inf, -inf or NaN: all refused by the caller
  if (a.mant === 0n) return b.mant === 0n ? { ...ZERO, negative: a.negative && b.negative } : b;
  if (b.mant === 0n) return a;
  const exp = Math.min(a.exp, b.exp);
  const av = a.mant << BigInt(a.exp - exp);
  const bv = b.mant << BigInt(b.exp - exp);
  const sum = (a.negative ? -av : av) + (b.negative ? -bv : bv);
  if (sum === 0n) return ZERO;
  const result = roundExtended(sum < 0n, sum < 0n ? -sum : sum, exp);
  return result.infinite ? null : result;
}

const TEN_POW_17 = pow10(17);

/**
 * Formats as Redis's `ld2string(…, LD_STR_HUMAN)`: `%.17Lf` (the exact binary value rounded to 17
 * decimals, ties to even), then trailing zeros and a trailing point removed, and `-0` written `0`.
 */
export function formatLongDoubleHuman(value: LongDouble): string {
  if (value.infinite) return value.negative ? '-inf' : 'inf';
  let intPart: bigint;
  let fracPart: bigint;
  if (value.exp >= 0) {
    intPart = value.mant << BigInt(value.exp);
    fracPart = 0n;
  } else {
    const shift = BigInt(-value.exp);
    const scaled = value.mant * TEN_POW_17;
    let q = scaled >> shift;
    const rem = scaled - (q << shift);
    const half = 1n << (shift - 1n);
    if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
    intPart = q / TEN_POW_17;
    fracPart = q % TEN_POW_17;
  }
  let text = intPart.toString();
  if (fracPart !== 0n) text += '.' + fracPart.toString().padStart(17, '0').replace(/0+$/, '');
  if (value.negative && text !== '0') text = '-' + text;
  return text;
}
