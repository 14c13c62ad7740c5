/**
 * RediSearch's default tokenizer as TEXT fields and queries use it: split on its separator
 * characters (a backslash makes the next character part of the word), fold to lower case, drop
 * stop words; and the tag splitter of TAG fields.
 */
import { stem } from './stemmer.js';

/** RediSearch's default stop words (stopwords.h, DEFAULT_STOPWORDS). */
export const DEFAULT_STOPWORDS: readonly string[] = [
  'a', 'is', 'the', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'for', 'if', 'in', 'into', 'it',
  'no', 'not', 'of', 'on', 'or', 'such', 'that', 'their', 'then', 'there', 'these', 'they', 'this', 'to',
  'was', 'will', 'with',
];

/** The default tokenizer's separators (toksep.h): whitespace and ASCII punctuation except `_`. */
const SEPARATORS = new Set([...' \t\n\r\v\f,.<>{}[]"\':;!@#$%^&*()-+=~|/?`\\']);

export function isSeparator(c: string): boolean {
  return SEPARATORS.has(c);
}

/** One word of a text value: its folded form and its position (1-based, stop words skipped). */
export interface Token {
  readonly term: string;
  readonly position: number;
}

/**
 * Splits a text value into words as the default tokenizer does: separators end a word, `\x` puts
 * `x` in the word, words are lower-cased; stop words are dropped and take no position.
 */
export function tokenize(value: string, stopwords: ReadonlySet<string>): Token[] {
  const out: Token[] = [];
  let word = '';
  let position = 0;
  const flush = (): void => {
    if (word.length === 0) return;
    const term = word.toLowerCase();
    word = '';
    if (stopwords.has(term)) return;
    out.push({ term, position: ++position });
  };
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && i + 1 < value.length) {
      word += value[++i];
    } else if (SEPARATORS.has(c)) {
      flush();
    } else {
      word += c;
    }
  }
  flush();
  return out;
}

/** The stem a word is indexed under besides itself (`+stem` in RediSearch), or null when equal. */
export function stemOf(term: string): string | null {
  // Only plain lower-case words are stemmed (numbers and other scripts are left alone).
  if (!/^[a-z']+$/.test(term)) return null;
  const s = stem(term);
  return s === term ? null : s;
}

/**
 * A TAG field's values: split on the separator, trimmed of surrounding spaces, empty ones
 * dropped, lower-cased unless CASESENSITIVE.
 */
export function splitTags(value: string, separator: string, caseSensitive: boolean): string[] {
  const out: string[] = [];
  for (const part of value.split(separator)) {
    const tag = part.trim();
    if (tag.length === 0) continue;
    out.push(caseSensitive ? tag : tag.toLowerCase());
  }
  return out;
}
