/**
 * Glob-style matching with Redis's exact rules (`stringmatchlen` in Redis 7.4), byte by byte.
 *
 * Patterns and subjects are latin1 byte strings (one char per byte, as `keyName` and `binary`
 * produce). The rules, including the odd corners Redis has, are:
 *
 * - `*` matches any run of bytes (consecutive stars count as one), `?` exactly one byte.
 * - `\x` matches `x` literally; a `\` that ends the pattern matches a `\`.
 * - `[...]` matches one byte from a set: `[^...]` negates, `a-z` is a range (the ends may come in
 *   either order and are compared as C `char`s, that is signed bytes), `\x` inside a set is `x`.
 *   A set without its closing `]` runs to the end of the pattern; `[a-]` is the range `a`..`]`.
 * - Only ASCII letters fold in the case-insensitive variant (the C locale's `tolower`).
 * - A pattern that needs more than 1000 levels of `*` recursion never matches (Redis 7.4.1's guard
 *   against abusive patterns).
 */

/** Byte at `i` of a compiled pattern, or 0 past its end (C strings are NUL-terminated). */
type Pattern = Uint8Array;

const STAR = 0x2a;
const QUESTION = 0x3f;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const CARET = 0x5e;
const BACKSLASH = 0x5c;
const DASH = 0x2d;

/** The C `char` value of a byte: bytes 0x80..0xff are negative, as on x86 builds of Redis. */
function signed(b: number): number {
  return b > 127 ? b - 256 : b;
}

/** C-locale `tolower` on a (signed) char value: only `A`..`Z` change. */
function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

interface MatchState {
  skipLongerMatches: boolean;
}

function matchImpl(
  p: Pattern,
  pi: number,
  plen: number,
  s: string,
  si: number,
  slen: number,
  nocase: boolean,
  state: MatchState,
  nesting: number,
): boolean {
  if (nesting > 1000) return false;
  const pend = p.length;
  const at = (i: number): number => (i < pend ? p[i] : 0);

  while (plen > 0 && slen > 0) {
    const pc = at(pi);
    switch (pc) {
      case STAR: {
        while (plen > 0 && at(pi + 1) === STAR) {
          pi++;
          plen--;
        }
        if (plen === 1) return true;
        while (slen > 0) {
          if (matchImpl(p, pi + 1, plen - 1, s, si, slen, nocase, state, nesting + 1)) return true;
          if (state.skipLongerMatches) return false;
          si++;
          slen--;
        }
        state.skipLongerMatches = true;
        return false;
      }
      case QUESTION:
        si++;
        slen--;
        break;
      case OPEN: {
        pi++;
        plen--;
        const not = at(pi) === CARET;
        if (not) {
          pi++;
          plen--;
        }
        let match = false;
        const sc = s.charCodeAt(si);
        for (;;) {
          const c0 = at(pi);
          if (c0 === BACKSLASH && plen >= 2) {
            pi++;
            plen--;
            if (at(pi) === sc) match = true;
          } else if (c0 === CLOSE) {
            break;
          } else if (plen === 0) {
            pi--;
            plen++;
            break;
          } else if (plen >= 3 && at(pi + 1) === DASH) {
            let start = signed(c0);
            let end = signed(at(pi + 2));
            let c = signed(sc);
            if (start > end) {
              const t = start;
              start = end;
              end = t;
            }
            if (nocase) {
              start = lower(start);
              end = lower(end);
              c = lower(c);
            }
            pi += 2;
            plen -= 2;
            if (c >= start && c <= end) match = true;
          } else if (nocase ? lower(c0) === lower(sc) : c0 === sc) {
            match = true;
          }
          pi++;
          plen--;
        }
        if (not) match = !match;
        if (!match) return false;
        si++;
        slen--;
        break;
      }
      case BACKSLASH:
      default: {
        if (pc === BACKSLASH && plen >= 2) {
          pi++;
          plen--;
        }
        const a = at(pi);
        const b = s.charCodeAt(si);
        if (nocase ? lower(a) !== lower(b) : a !== b) return false;
        si++;
        slen--;
        break;
      }
    }
    pi++;
    plen--;
    if (slen === 0) {
      while (at(pi) === STAR) {
        pi++;
        plen--;
      }
      break;
    }
  }
  return plen === 0 && slen === 0;
}

/** Whether `subject` matches `pattern` (both latin1 byte strings), as Redis's `stringmatchlen`. */
export function stringMatch(pattern: string, subject: string, nocase = false): boolean {
  return compileGlob(pattern, nocase)(subject);
}

/** A matcher for one pattern, to test many subjects (KEYS, SCAN MATCH, PSUBSCRIBE …). */
export type GlobMatcher = (subject: string) => boolean;

function hasSpecial(pattern: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = pattern.charCodeAt(i);
    if (c === STAR || c === QUESTION || c === OPEN || c === BACKSLASH) return true;
  }
  return false;
}

function lowerAscii(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += String.fromCharCode(lower(s.charCodeAt(i)));
  return out;
}

/**
 * Compiles a pattern (a latin1 byte string) into a matcher. Plain patterns (`abc`) and prefix
 * patterns (`abc*`, `*`) take a fast path with the same answers as the general matcher.
 */
export function compileGlob(pattern: string, nocase = false): GlobMatcher {
  // Trailing run of stars after a plain prefix: `prefix*…*`.
  let end = pattern.length;
  while (end > 0 && pattern.charCodeAt(end - 1) === STAR) end--;
  if (!hasSpecial(pattern, 0, end)) {
    const prefix = nocase ? lowerAscii(pattern.slice(0, end)) : pattern.slice(0, end);
    const fold = nocase ? lowerAscii : (s: string) => s;
    if (end === pattern.length) return (s) => fold(s) === prefix;
    // A star needs at least one byte of subject to stand on when nothing precedes it.
    if (end === 0) return (s) => s.length > 0;
    return (s) => s.length >= prefix.length && fold(s.slice(0, prefix.length)) === prefix;
  }
  const bytes = Uint8Array.from(pattern, (ch) => ch.charCodeAt(0) & 0xff);
  return (s) => matchImpl(bytes, 0, bytes.length, s, 0, s.length, nocase, { skipLongerMatches: false }, 0);
}
