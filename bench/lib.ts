/**
 * Tiny benchmark helpers: run a body repeatedly for a while and report operations per second of
 * this process's CPU time (user + system), so other processes on a busy machine skew the figures
 * far less than wall-clock time would. Every alternative is measured the same way, in one process.
 */

/** Milliseconds of CPU time this process has used. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

export interface Result {
  name: string;
  opsPerSec: number;
}

/** Runs `body(i)` for `ops` iterations per round until `minMs` has passed; best round wins. */
export function measureSync(name: string, ops: number, body: (i: number) => unknown, minMs = 1500): Result {
  for (let i = 0; i < Math.min(ops, 50_000); i++) body(i); // warm-up
  let best = 0;
  const start = cpuMs();
  while (cpuMs() - start < minMs) {
    const t0 = cpuMs();
    for (let i = 0; i < ops; i++) body(i);
    const rate = ops / ((cpuMs() - t0) / 1000);
    if (rate > best) best = rate;
  }
  return { name, opsPerSec: best };
}

/** Like {@link measureSync} for an async body awaited one call at a time. */
export async function measureAsync(
  name: string,
  ops: number,
  body: (i: number) => Promise<unknown>,
  minMs = 1500,
): Promise<Result> {
  for (let i = 0; i < Math.min(ops, 20_000); i++) await body(i);
  let best = 0;
  const start = cpuMs();
  while (cpuMs() - start < minMs) {
    const t0 = cpuMs();
    for (let i = 0; i < ops; i++) await body(i);
    const rate = ops / ((cpuMs() - t0) / 1000);
    if (rate > best) best = rate;
  }
  return { name, opsPerSec: best };
}

export function fmt(rate: number): string {
  if (rate >= 1e6) return `${(rate / 1e6).toFixed(2)}M ops/s`;
  if (rate >= 1e3) return `${(rate / 1e3).toFixed(1)}k ops/s`;
  return `${rate.toFixed(0)} ops/s`;
}

/** Prints `ours` against `theirs` as a ratio with the target, and returns whether it holds. */
export function ratio(label: string, ours: Result, theirs: Result, target: number): boolean {
  const r = ours.opsPerSec / theirs.opsPerSec;
  const holds = r >= target;
  console.log(
    `  ${label.padEnd(46)} ${r.toFixed(2)}×  (target ≥ ${target}×)  ${holds ? 'holds' : 'MISSES'}   [${fmt(ours.opsPerSec)} vs ${fmt(theirs.opsPerSec)}]`,
  );
  return holds;
}

/** 100-byte values, distinct per key. */
export function makeValue(i: number): string {
  const head = `value:${i}:`;
  return head + 'x'.repeat(100 - head.length);
}

export function makeKey(i: number): string {
  return `key:${i}`;
}
