/**
 * How Redis 7.4 writes doubles (`d2string` + `fpconv_dtoa`, since 7.2): integral values within
 * ±2^62 as integers, otherwise the shortest round-trip digits, in plain notation when the
 * exponent is small and as `d.ddde+N` / `d.ddde-N` otherwise. Redis 7.0 used `%.17g`; that
 * difference is recorded in test/differential/known-differences.ts.
 */
const LLONG_HALF = 4611686018427387904; // LLONG_MAX / 2 as a double: d2string's integer fast path

export function formatDouble(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  if (Number.isInteger(value) && value >= -LLONG_HALF && value <= LLONG_HALF) {
    return Math.abs(value) < 1e21 ? BigInt(value).toString() : String(value);
  }
  const negative = value < 0;
  // toExponential() without an argument gives the shortest digits that round-trip.
  const [mantissa, exponentText] = Math.abs(value).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const ndigits = digits.length;
  const k = Number(exponentText) - (ndigits - 1); // value = digits × 10^k
  const exp = Math.abs(k + ndigits - 1);
  const sign = negative ? '-' : '';
  if (k >= 0 && exp < ndigits + 7) return sign + digits + '0'.repeat(k);
  if (k < 0 && (k > -7 || exp < 4)) {
    const offset = ndigits + k;
    if (offset <= 0) return `${sign}0.${'0'.repeat(-offset)}${digits}`;
    return `${sign}${digits.slice(0, offset)}.${digits.slice(offset)}`;
  }
  const e = k + ndigits - 1;
  const head = ndigits > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${head}e${e < 0 ? '-' : '+'}${Math.abs(e)}`;
}
