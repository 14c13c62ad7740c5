/**
 * Typed replies (test/support/oracle.ts) in a short form that reads well in module tests.
 */
import type { Typed } from './oracle.js';

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

