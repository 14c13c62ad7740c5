/**
 * LZF, the compression of long RDB strings (Redis's lzf_c.c / lzf_d.c, liblzf 3.6 as Redis builds
 * it: HLOG 16, VERY_FAST, offsets in the hash table). The compressor walks the input exactly as
 * the C code does — the same hash, the same match search, the same two hash insertions after a
 * match — so the same input gives the same bytes Redis writes. One difference is deliberate: the C
 * code does not clear its hash table between calls (INIT_HTAB 0), so a stale slot can, rarely,
 * offer Redis a back reference this code does not see; both outputs decompress to the same bytes.
 */

const HLOG = 16;
const HSIZE = 1 << HLOG;
const MAX_LIT = 1 << 5;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

/** Slot → input offset of the last position with that hash; valid while `stamps[slot]` is the current call. */
const slots = new Int32Array(HSIZE);
const stamps = new Uint32Array(HSIZE);
let generation = 0;

/** The hash slot of the three bytes at `p` (lzf's IDX(NEXT(FRST(p), p)) for VERY_FAST and HLOG 16). */
function slotOf(input: Uint8Array, p: number): number {
  const a = input[p];
  const b = input[p + 1];
  const c = input[p + 2];
  return (((a << 8) | b) - 5 * ((b << 8) | c)) & (HSIZE - 1);
}

function lookup(slot: number): number {
  return stamps[slot] === generation ? slots[slot] : 0;
}

function remember(slot: number, position: number): void {
  stamps[slot] = generation;
  slots[slot] = position;
}

/**
 * Compresses `input` into at most `outLen` bytes, as `lzf_compress(in, len, out, outLen)`; null
 * when the output would not fit (the caller then stores the bytes as they are).
 */
export function lzfCompress(input: Uint8Array, outLen: number): Buffer | null {
  const inLen = input.length;
  if (inLen === 0 || outLen <= 0) return null;
  generation = (generation + 1) >>> 0;
  if (generation === 0) {
    stamps.fill(0);
    generation = 1;
  }
  const out = Buffer.allocUnsafe(outLen + 1);
  let ip = 0;
  let op = 1; // the first literal run's length byte is at 0
  let lit = 0;
  const inEnd = inLen;
  while (ip < inEnd - 2) {
    const slot = slotOf(input, ip);
    const ref = lookup(slot);
    remember(slot, ip);
    const off = ip - ref - 1;
    if (off >= 0 && off < MAX_OFF && ref > 0 && input[ref + 2] === input[ip + 2] && input[ref] === input[ip] && input[ref + 1] === input[ip + 1]) {
      let len = 2;
      let maxlen = inEnd - ip - len;
      if (maxlen > MAX_REF) maxlen = MAX_REF;
      if (op + 3 + 1 >= outLen && op - (lit === 0 ? 1 : 0) + 3 + 1 >= outLen) return null;
      out[op - lit - 1] = lit - 1;
      if (lit === 0) op--;
      let stopped = false;
      if (maxlen > 16) {
        // The C code's unrolled part compares 16 more bytes without looking at maxlen.
        for (let k = 0; k < 16; k++) {
          len++;
          if (input[ref + len] !== input[ip + len]) {
            stopped = true;
            break;
          }
        }
      }
      if (!stopped) {
        do len++;
        while (len < maxlen && input[ref + len] === input[ip + len]);
      }
      len -= 2;
      ip++;
      if (len < 7) {
        out[op++] = (off >> 8) + (len << 5);
      } else {
        out[op++] = (off >> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++;
      ip += len + 1;
      if (ip >= inEnd - 2) break;
      // VERY_FAST: hash the two positions before the new one.
      ip -= 2;
      remember(slotOf(input, ip), ip);
      ip++;
      remember(slotOf(input, ip), ip);
      ip++;
    } else {
      if (op >= outLen) return null;
      lit++;
      out[op++] = input[ip++];
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > outLen) return null;
  while (ip < inEnd) {
    lit++;
    out[op++] = input[ip++];
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = lit - 1;
  if (lit === 0) op--;
  return out.subarray(0, op);
}

/** Decompresses LZF data into exactly `outLen` bytes; null when the data is corrupt or the size is wrong. */
export function lzfDecompress(input: Uint8Array, outLen: number): Buffer | null {
  const out = Buffer.alloc(outLen);
  let i = 0;
  let o = 0;
  while (i < input.length) {
    const ctrl = input[i++];
    if (ctrl < 32) {
      const n = ctrl + 1;
      if (o + n > outLen || i + n > input.length) return null;
      out.set(input.subarray(i, i + n), o);
      i += n;
      o += n;
    } else {
      let len = ctrl >> 5;
      if (len === 7) {
        if (i >= input.length) return null;
        len += input[i++];
      }
      if (i >= input.length) return null;
      const ref = o - ((ctrl & 0x1f) << 8) - input[i++] - 1;
      len += 2;
      if (ref < 0 || o + len > outLen) return null;
      for (let k = 0; k < len; k++) out[o++] = out[ref + k];
    }
  }
  return o === outLen ? out : null;
}
