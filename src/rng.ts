/**
 * The one seeded pseudo-random generator of a cache (sfc32). Everything random (RANDOMKEY,
 * sampling for eviction and active expiry, node ids, replication jitter) draws from it, so a seed
 * reproduces a run.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.nextUint32();
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An independent generator in the same state (a structure's own stream, copied with it). */
  clone(): Rng {
    const copy = new Rng(0);
    copy.a = this.a;
    copy.b = this.b;
    copy.c = this.c;
    copy.d = this.d;
    return copy;
  }

  /** `count` random bytes as lowercase hex. */
  hex(count: number): string {
    let out = '';
    for (let i = 0; i < count; i++) out += (this.nextUint32() & 0xff).toString(16).padStart(2, '0');
    return out;
  }
}
