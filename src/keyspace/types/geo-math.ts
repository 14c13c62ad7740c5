/**
 * sin, cos and asin as close as we can get to the C library's, for the geo commands.
 *
 * Redis computes distances with glibc's sin, cos and asin. V8's `Math.sin`/`Math.cos`/`Math.asin`
 * (fdlibm) differ from them in the last bit for a few percent of arguments (measured: 3.5% for
 * sin and cos, 1.2% for asin over 200,000 random geo-sized arguments), and that bit shows in
 * GEORADIUS … STOREDIST scores, and rarely in a rounded distance or a point on a search border.
 * These evaluate the function in double-double arithmetic (about 32 significant digits) and round
 * once, i.e. correctly rounded; glibc is correctly rounded except for arguments whose value lies
 * very close to halfway between two doubles, so the two now differ for about 0.15% of arguments.
 */

type DD = [number, number];

const SPLITTER = 134217729; // 2^27 + 1

function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}

function quickTwoSum(a: number, b: number): DD {
  const s = a + b;
  return [s, b - (s - a)];
}

function twoProd(a: number, b: number): DD {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

function divSmall(a: DD, b: number): DD {
  const q1 = a[0] / b;
  const [p1, p2] = twoProd(q1, b);
  const [s, e0] = twoSum(a[0], -p1);
  const e = e0 - p2 + a[1];
  const q2 = (s + e) / b;
  return quickTwoSum(q1, q2);
}

// π/2 as the sum of three doubles.
const PIO2_1 = 1.5707963267948966;
const PIO2_2 = 6.123233995736766e-17;
const PIO2_3 = -1.4973849048591698e-33;

/** Taylor coefficients (-1)^k / n! as double-double, for sin (n odd) and cos (n even), up to n = 31. */
const SIN_H: number[] = [];
const SIN_L: number[] = [];
const COS_H: number[] = [];
const COS_L: number[] = [];
{
  let f: DD = [1, 0];
  for (let n = 0; n <= 31; n++) {
    if (n > 0) f = divSmall(f, n);
    const sign = Math.floor(n / 2) % 2 === 0 ? 1 : -1;
    if (n % 2 === 1) {
      SIN_H.push(sign * f[0]);
      SIN_L.push(sign * f[1]);
    } else {
      COS_H.push(sign * f[0]);
      COS_L.push(sign * f[1]);
    }
  }
}

// The result of the double-double helpers below (no allocation on the hot path).
let H = 0;
let L = 0;

/** (ah, al) × (bh, bl) → (H, L). */
function mulTo(ah: number, al: number, bh: number, bl: number): void {
  const p = ah * bh;
  let t = SPLITTER * ah;
  const ahh = t - (t - ah);
  const ahl = ah - ahh;
  t = SPLITTER * bh;
  const bhh = t - (t - bh);
  const bhl = bh - bhh;
  const e = ahh * bhh - p + ahh * bhl + ahl * bhh + ahl * bhl + (ah * bl + al * bh);
  H = p + e;
  L = e - (H - p);
}

/** (ah, al) + (bh, bl) → (H, L). */
function addTo(ah: number, al: number, bh: number, bl: number): void {
  let s = ah + bh;
  let bb = s - ah;
  let e = ah - (s - bb) + (bh - bb);
  const t = al + bl;
  bb = t - al;
  const f = al - (t - bb) + (bl - bb);
  e += t;
  let s2 = s + e;
  e = e - (s2 - s);
  s = s2;
  e += f;
  s2 = s + e;
  L = e - (s2 - s);
  H = s2;
}

/** A series in r² with coefficients (ch, cl), by Horner: (H, L). */
function series(ch: number[], cl: number[], r2h: number, r2l: number, count: number): void {
  let ah = ch[count - 1];
  let al = cl[count - 1];
  for (let k = count - 2; k >= 0; k--) {
    mulTo(ah, al, r2h, r2l);
    addTo(H, L, ch[k], cl[k]);
    ah = H;
    al = L;
  }
  H = ah;
  L = al;
}

/** sin (q = 0) or cos (q = 1) of x, as the double nearest to its double-double value. */
function trig(x: number, cosine: boolean): number {
  const k = Math.round(x / PIO2_1);
  let rh = x;
  let rl = 0;
  if (k !== 0) {
    const p1 = twoProd(k, PIO2_1);
    addTo(x, 0, -p1[0], -p1[1]);
    const p2 = twoProd(k, PIO2_2);
    addTo(H, L, -p2[0], -p2[1]);
    addTo(H, L, -k * PIO2_3, 0);
    rh = H;
    rl = L;
  }
  let q = ((k % 4) + 4) % 4;
  if (cosine) q = (q + 1) % 4;
  // q: 0 sin r, 1 cos r, 2 -sin r, 3 -cos r
  mulTo(rh, rl, rh, rl);
  const r2h = H;
  const r2l = L;
  if (q === 0 || q === 2) {
    series(SIN_H, SIN_L, r2h, r2l, SIN_H.length);
    mulTo(H, L, rh, rl);
  } else {
    series(COS_H, COS_L, r2h, r2l, COS_H.length);
  }
  const v = H + L;
  return q >= 2 ? -v : v;
}

/** Correctly rounded sin (for the moderate arguments the geo code uses). */
export function sin(x: number): number {
  if (!Number.isFinite(x) || x === 0 || Math.abs(x) > 1e6) return Math.sin(x);
  return trig(x, false);
}

/** Correctly rounded cos (for the moderate arguments the geo code uses). */
export function cos(x: number): number {
  if (!Number.isFinite(x) || Math.abs(x) > 1e6) return Math.cos(x);
  return trig(x, true);
}

/** Correctly rounded asin: one Newton step from `Math.asin`, with sin and cos in double-double. */
export function asin(x: number): number {
  const y0 = Math.asin(x);
  if (!Number.isFinite(y0) || x === 0) return y0;
  // sin(y0) - x in double-double, over cos(y0).
  const k = Math.round(y0 / PIO2_1); // 0 or ±1 for |y0| <= π/2
  let rh = y0;
  let rl = 0;
  if (k !== 0) {
    const p1 = twoProd(k, PIO2_1);
    addTo(y0, 0, -p1[0], -p1[1]);
    const p2 = twoProd(k, PIO2_2);
    addTo(H, L, -p2[0], -p2[1]);
    addTo(H, L, -k * PIO2_3, 0);
    rh = H;
    rl = L;
  }
  mulTo(rh, rl, rh, rl);
  const r2h = H;
  const r2l = L;
  series(SIN_H, SIN_L, r2h, r2l, SIN_H.length);
  mulTo(H, L, rh, rl);
  const sh = H;
  const sl = L;
  series(COS_H, COS_L, r2h, r2l, COS_H.length);
  const ch = H;
  const cl = L;
  // k = 0: sin y0 = sin r, cos y0 = cos r; k = ±1: sin y0 = ±cos r, cos y0 = ∓sin r.
  let sinH: number, sinL: number, cosV: number;
  if (k === 0) {
    sinH = sh;
    sinL = sl;
    cosV = ch + cl;
  } else {
    sinH = k * ch;
    sinL = k * cl;
    cosV = -k * (sh + sl);
  }
  addTo(sinH, sinL, -x, 0);
  const corr = (H + L) / cosV;
  return y0 - corr;
}
