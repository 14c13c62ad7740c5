/**
 * Waiting for something asynchronous to have happened (a socket closed, a command blocked, a
 * server's once-a-second check acted) without making time part of a test's verdict: the predicate
 * is polled until it holds, and only a generous limit turns "never" into a failure.
 */

/** Resolves once `predicate` holds, checking every few milliseconds; rejects after `limitMs`. */
export async function until(predicate: () => boolean | Promise<boolean>, what: string, limitMs = 8_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
