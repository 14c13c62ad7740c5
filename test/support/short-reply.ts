/**
 * Typed replies (test/support/oracle.ts) in a short form that reads well in module tests, and the
 * module tests' harness.
 */
import type { Typed } from './oracle.js';
import { harness, type Harness, type HarnessOptions } from './command-harness.js';
import type { ModuleName } from '../../src/modules.js';

/** A typed reply in short form: bulk → string, integer → number, status → '+OK', error → '-…', RESP3 double → ',1.5', bool → '#true'. */
export function simple(t: Typed): unknown {
  switch (t[0]) {
    case '$':
      return t[1];
    case ':':
      return Number(t[1]);
    case '_':
      return null;
    case '+':
      return `+${String(t[1])}`;
    case '-':
      return `-${String(t[1])}`;
    case ',':
      return `,${String(t[1])}`;
    case '#':
      return `#${String(t[1])}`;
    case '*':
    case '~':
      return (t[1] as Typed[]).map(simple);
    case '%':
      return (t[1] as Array<[Typed, Typed]>).map(([k, v]) => [simple(k), simple(v)]);
  }
  throw new Error(`unexpected reply ${JSON.stringify(t)}`);
}


/** A command harness on a cache with `module` loaded, plus `r(...)`: run and answer in short form. */
export function moduleHarness(module: ModuleName, options: HarnessOptions = {}): Harness & { r(...argv: string[]): unknown } {
  const h = harness({ modules: [module], ...options });
  return Object.assign(h, { r: (...argv: string[]) => simple(h.run(...argv)) });
}
