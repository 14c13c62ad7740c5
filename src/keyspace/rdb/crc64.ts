/**
 * CRC-64/Jones, the checksum Redis puts at the end of DUMP payloads and RDB files (crc64.c:
 * reflected polynomial 0x95ac9329ac4bc9b5, initial value 0, no final xor). The 64-bit state is kept
 * as two unsigned 32-bit halves so a long payload costs no BigInt arithmetic per byte.
 */

let tableHi: Uint32Array | null = null;
let tableLo: Uint32Array | null = null;

function buildTables(): void {
  tableHi = new Uint32Array(256);
  tableLo = new Uint32Array(256);
  const polyHi = 0x95ac9329;
  const polyLo = 0xac4bc9b5;
  for (let i = 0; i < 256; i++) {
    let hi = 0;
    let lo = i;
    for (let k = 0; k < 8; k++) {
      const carry = lo & 1;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi >>>= 1;
      if (carry) {
        hi = (hi ^ polyHi) >>> 0;
        lo = (lo ^ polyLo) >>> 0;
      }
    }
    tableHi[i] = hi;
    tableLo[i] = lo;
  }
}

/** The CRC-64/Jones of `bytes`, as Redis's `crc64(0, bytes, len)` computes it. */
export function crc64(bytes: Uint8Array): bigint {
  if (tableHi === null) buildTables();
  const th = tableHi!;
  const tl = tableLo!;
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < bytes.length; i++) {
    const index = (lo ^ bytes[i]) & 0xff;
    lo = ((lo >>> 8) | (hi << 24)) ^ tl[index];
    hi = (hi >>> 8) ^ th[index];
  }
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}
