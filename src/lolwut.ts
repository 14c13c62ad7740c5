/**
 * LOLWUT's computer art, drawn as Redis draws it (lolwut.c, lolwut5.c, lolwut6.c): version 5 is
 * Georg Nees's "Schotter" in Braille characters, version 6 a skyline in four terminal grays; every
 * other version prints only the version line. Redis's pictures use the C library's `rand()`, seeded
 * from the clock at start-up; here the cache's seeded PRNG stands in for it, so the same seed
 * draws the same picture. The parts that use no randomness (version 5's first two rows of squares,
 * the layout, the captions) are byte for byte Redis's.
 */

/** What `rand()` gives: an integer in [0, RAND_MAX]. */
export type Rand = () => number;

/** glibc's RAND_MAX. */
export const RAND_MAX = 2147483647;

const f32 = Math.fround;

/** A pixel canvas (lwCanvas): colors 0-3, writes outside it ignored. */
class Canvas {
  readonly pixels: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
    background: number,
  ) {
    this.pixels = new Uint8Array(width * height).fill(background);
  }

  set(x: number, y: number, color: number): void {
    if (x < 0 || x >= this.width || y < 0 || y >= this.height) return;
    this.pixels[x + y * this.width] = color;
  }

  get(x: number, y: number): number {
    if (x < 0 || x >= this.width || y < 0 || y >= this.height) return 0;
    return this.pixels[x + y * this.width];
  }

  /** Bresenham's line. */
  line(x1: number, y1: number, x2: number, y2: number, color: number): void {
    const dx = Math.abs(x2 - x1);
    const dy = Math.abs(y2 - y1);
    const sx = x1 < x2 ? 1 : -1;
    const sy = y1 < y2 ? 1 : -1;
    let err = dx - dy;
    for (;;) {
      this.set(x1, y1, color);
      if (x1 === x2 && y1 === y2) break;
      const e2 = err * 2;
      if (e2 > -dy) {
        err -= dy;
        x1 += sx;
      }
      if (e2 < dx) {
        err += dx;
        y1 += sy;
      }
    }
  }

  /** A square centred on x,y, rotated by `angle`, with C's float/double arithmetic (lwDrawSquare). */
  square(x: number, y: number, size: number, angle: number, color: number): void {
    let side = f32(size / 1.4142135623);
    side = f32(cRound(side));
    const px: number[] = [];
    const py: number[] = [];
    let k = f32(Math.PI / 4 + angle);
    for (let j = 0; j < 4; j++) {
      px.push(cRound(Math.sin(k) * side + x));
      py.push(cRound(Math.cos(k) * side + y));
      k = f32(k + Math.PI / 2);
    }
    for (let j = 0; j < 4; j++) this.line(px[j], py[j], px[(j + 1) % 4], py[(j + 1) % 4], color);
  }
}

/** C's round(): halves away from zero. */
function cRound(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** Clamps a parsed argument as the LOLWUT versions do. */
function clamp(n: number, low: number, high: number): number {
  return n < low ? low : n > high ? high : n;
}

/** LOLWUT VERSION 5 [columns] [squares per row] [squares per column] (defaults 66, 8, 12). */
export function schotter(version: string, rand: Rand, cols = 66, perRow = 8, perCol = 12): string {
  cols = clamp(cols, 1, 1000);
  perRow = clamp(perRow, 1, 200);
  perCol = clamp(perCol, 1, 200);
  const width = cols * 2;
  const padding = width > 4 ? 2 : 0;
  const side = f32((width - padding * 2) / perRow);
  const height = Math.trunc(f32(side * perCol) + padding * 2);
  const canvas = new Canvas(width, height, 0);
  for (let y = 0; y < perCol; y++) {
    for (let x = 0; x < perRow; x++) {
      let sx = Math.trunc(f32(f32(f32(x * side) + f32(side / 2)) + padding));
      let sy = Math.trunc(f32(f32(f32(y * side) + f32(side / 2)) + padding));
      let angle = 0;
      if (y > 1) {
        const unit = (): number => f32(f32(f32(f32(rand()) / f32(RAND_MAX)) / perCol) * y);
        let r1 = unit();
        let r2 = unit();
        let r3 = unit();
        if (rand() % 2) r1 = -r1;
        if (rand() % 2) r2 = -r2;
        if (rand() % 2) r3 = -r3;
        angle = r1;
        sx = Math.trunc(f32(sx + f32(f32(r2 * side) / 3)));
        sy = Math.trunc(f32(sy + f32(f32(r3 * side) / 3)));
      }
      canvas.square(sx, sy, side, angle, 1);
    }
  }
  let text = '';
  for (let y = 0; y < canvas.height; y += 4) {
    for (let x = 0; x < canvas.width; x += 2) {
      let byte = 0;
      if (canvas.get(x, y)) byte |= 1 << 0;
      if (canvas.get(x, y + 1)) byte |= 1 << 1;
      if (canvas.get(x, y + 2)) byte |= 1 << 2;
      if (canvas.get(x + 1, y)) byte |= 1 << 3;
      if (canvas.get(x + 1, y + 1)) byte |= 1 << 4;
      if (canvas.get(x + 1, y + 2)) byte |= 1 << 5;
      if (canvas.get(x, y + 3)) byte |= 1 << 6;
      if (canvas.get(x + 1, y + 3)) byte |= 1 << 7;
      text += String.fromCharCode(0x2800 + byte);
    }
    if (y !== canvas.height - 1) text += '\n';
  }
  return `${text}\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. ${version}\n`;
}

/** The four grays of version 6, as ANSI foreground;background codes. */
const GRAYS = ['0;30;40m', '0;90;100m', '0;37;47m', '0;97;107m'];

interface Skyscraper {
  xoff: number;
  width: number;
  height: number;
  windows: boolean;
  color: number;
}

function skyscraper(canvas: Canvas, s: Skyscraper, rand: Rand): void {
  const startY = canvas.height - 1;
  const endY = startY - s.height + 1;
  for (let y = startY; y >= endY; y--) {
    for (let x = s.xoff; x < s.xoff + s.width; x++) {
      // The roof is four pixels narrower.
      if (y === endY && (x <= s.xoff + 1 || x >= s.xoff + s.width - 2)) continue;
      let color = s.color;
      if (s.windows && x > s.xoff + 1 && x < s.xoff + s.width - 2 && y > endY + 1 && y < startY - 1) {
        const relX = x - (s.xoff + 1);
        const relY = y - (endY + 1);
        // Windows two pixels wide and one tall; both pixels of a window share its color.
        if (Math.trunc(relX / 2) % 2 && relY % 2) {
          do color = 1 + (rand() % 2);
          while (color === s.color);
          if (relX % 2) color = canvas.get(x - 1, y);
        }
      }
      canvas.set(x, y, color);
    }
  }
}

/** LOLWUT VERSION 6 [columns] [rows] (defaults 80, 20). */
export function skyline(version: string, rand: Rand, cols = 80, rows = 20): string {
  cols = clamp(cols, 1, 1000);
  rows = clamp(rows, 1, 1000);
  const canvas = new Canvas(cols, rows, 3);
  const h = canvas.height;
  // Background skyscrapers without windows, the lighter gray first so it stays behind.
  for (let color = 2; color >= 1; color--) {
    for (let offset = -10; offset < canvas.width; ) {
      offset += rand() % 8;
      const width = 10 + (rand() % 9);
      const height = color === 2 ? Math.trunc(h / 2) + Math.trunc((rand() % h) / 2) : Math.trunc(h / 2) + Math.trunc((rand() % h) / 3);
      skyscraper(canvas, { xoff: offset, width, height, windows: false, color }, rand);
      offset += color === 2 ? Math.trunc(width / 2) : width + 1;
    }
  }
  // Foreground skyscrapers with windows.
  for (let offset = -10; offset < canvas.width; ) {
    offset += rand() % 8;
    let width = 5 + (rand() % 14);
    if (width % 4) width += width % 3;
    const height = Math.trunc(h / 3) + Math.trunc((rand() % h) / 2);
    skyscraper(canvas, { xoff: offset, width, height, windows: true, color: 0 }, rand);
    offset += width + 5;
  }
  let text = '';
  for (let y = 0; y < canvas.height; y++) {
    for (let x = 0; x < canvas.width; x++) text += `\x1b[${GRAYS[canvas.get(x, y)] ?? GRAYS[0]} \x1b[0m`;
    if (y !== canvas.height - 1) text += '\n';
  }
  return (
    `${text}\nDedicated to the 8 bit game developers of past and present.\n` +
    `Original 8 bit image from Plaguemon by hikikomori. Redis ver. ${version}\n`
  );
}

/** Any other version: the version line alone (lolwutUnstableCommand). */
export function versionOnly(version: string): string {
  return `Redis ver. ${version}\n`;
}
