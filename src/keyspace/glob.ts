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

/**
 * A compiled pattern: its bytes followed by two zero bytes, standing for C's NUL terminator (the
 * matcher reads one or two bytes past a position the way Redis does).
 */
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

/** Redis's `skipLongerMatches`: one flag per top-level match (the matcher never re-enters). */
let skipLongerMatches = false;

function matchImpl(p: Pattern, pi: number, plen: number, s: string, si: number, slen: number, nocase: boolean, nesting: number): boolean {
  if (nesting > 1000) return false;

  while (plen > 0 && slen > 0) {
    const pc = p[pi];
    if (pc === STAR) {
      while (plen > 0 && p[pi + 1] === STAR) {
        pi++;
        plen--;
      }
      if (plen === 1) return true;
      while (slen > 0) {
        if (matchImpl(p, pi + 1, plen - 1, s, si, slen, nocase, nesting + 1)) return true;
        if (skipLongerMatches) return false;
        si++;
        slen--;
      }
      skipLongerMatches = true;
      return false;
    } else if (pc === QUESTION) {
      si++;
      slen--;
    } else if (pc === OPEN) {
      pi++;
      plen--;
      const not = p[pi] === CARET;
      if (not) {
        pi++;
        plen--;
      }
      let match = false;
      const sc = s.charCodeAt(si);
      for (;;) {
        const c0 = p[pi];
        if (c0 === BACKSLASH && plen >= 2) {
          pi++;
          plen--;
          if (p[pi] === sc) match = true;
        } else if (c0 === CLOSE) {
          break;
        } else if (plen === 0) {
          pi--;
          plen++;
          break;
        } else if (plen >= 3 && p[pi + 1] === DASH) {
          let start = signed(c0);
          let end = signed(p[pi + 2]);
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
    } else {
      if (pc === BACKSLASH && plen >= 2) {
        pi++;
        plen--;
      }
      const a = p[pi];
      const b = s.charCodeAt(si);
      if (nocase ? lower(a) !== lower(b) : a !== b) return false;
      si++;
      slen--;
    }
    pi++;
    plen--;
    if (slen === 0) {
      while (p[pi] === STAR) {
        pi++;
        plen--;
      }
      break;
    }
  }
  return plen === 0 && slen === 0;
}

/**
 * The general matcher alone, without the string-search shortcut `compileGlob` takes for patterns
 * of literals and stars (the reference the shortcut is tested against).
 */
export function stringMatchGeneral(pattern: string, subject: string, nocase = false): boolean {
  const bytes = new Uint8Array(pattern.length + 2);
  for (let i = 0; i < pattern.length; i++) bytes[i] = pattern.charCodeAt(i) & 0xff;
  skipLongerMatches = false;
  return matchImpl(bytes, 0, pattern.length, subject, 0, subject.length, nocase, 0);
}

/** Whether `subject` matches `pattern` (both latin1 byte strings), as Redis's `stringmatchlen`. */
export function stringMatch(pattern: string, subject: string, nocase = false): boolean {
  return compileGlob(pattern, nocase)(subject);
}

/** A matcher for one pattern, to test many subjects (KEYS, SCAN MATCH, PSUBSCRIBE …). */
export type GlobMatcher = (subject: string) => boolean;

/** ASCII-only lower case (latin1 bytes 0x80..0xff are left alone, as C's `tolower`). */
function lowerAscii(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (run) => run.toLowerCase()) : s;
}

/**
 * Patterns made of literal bytes and stars only. For a non-empty subject Redis's matcher then
 * agrees with plain glob semantics (a star matches any run, the empty one included), so the
 * literal pieces are found with string search: the first at the start, the last at the end, the
 * others leftmost in order. An empty subject matches only the empty pattern.
 */
function literalStarMatcher(pattern: string, nocase: boolean): GlobMatcher {
  const fold = nocase ? lowerAscii : (s: string): string => s;
  const pieces = fold(pattern).split('*');
  if (pieces.length === 1) {
    const literal = pieces[0];
    return (s) => s.length === literal.length && fold(s) === literal;
  }
  const first = pieces[0];
  const last = pieces[pieces.length - 1];
  const middle = pieces.slice(1, -1).filter((piece) => piece.length > 0);
  const minimum = first.length + last.length;
  if (middle.length === 0 && last.length === 0) {
    return (s) => s.length >= minimum && s.length > 0 && (first.length === 0 || fold(s.slice(0, first.length)) === first);
  }
  return (subject) => {
    if (subject.length < minimum || subject.length === 0) return false;
    const s = fold(subject);
    if (!s.startsWith(first) || !s.endsWith(last)) return false;
    let at = first.length;
    const end = s.length - last.length;
    for (const piece of middle) {
      const found = s.indexOf(piece, at);
      if (found < 0 || found + piece.length > end) return false;
      at = found + piece.length;
    }
    return true;
  };
}

/**
 * Compiles a pattern (a latin1 byte string) into a matcher. Patterns of literals and stars take
 * a string-search path with the same answers as the general matcher.
 */
export function compileGlob(pattern: string, nocase = false): GlobMatcher {
  if (pattern.length <= 1000 && !/[?[\\]/.test(pattern)) return literalStarMatcher(pattern, nocase);
  const bytes = new Uint8Array(pattern.length + 2);
  for (let i = 0; i < pattern.length; i++) bytes[i] = pattern.charCodeAt(i) & 0xff;
  const length = pattern.length;
  return (s) => {
    skipLongerMatches = false;
    return matchImpl(bytes, 0, length, s, 0, s.length, nocase, 0);
  };
}
