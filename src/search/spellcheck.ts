/**
 * FT.SPELLCHECK: for each query word no document holds, suggestions from the index's words within
 * DISTANCE edits (1–4, default 1), scored by the share of documents holding them, plus the words
 * of TERMS INCLUDE dictionaries (score 0); words of TERMS EXCLUDE dictionaries are never reported
 * nor suggested (docs ft.spellcheck, RediSearch src/spell_check.c).
 */
import type { SearchIndex } from './engine.js';
import { levenshtein } from './matcher.js';
import { wordNodes, type QueryNode } from './query.js';

export interface SpellcheckResult {
  readonly term: string;
  readonly suggestions: Array<readonly [score: number, suggestion: string]>;
}

/** The query's plain words, in order, negated ones too (prefixes, fuzzy terms, tags and ranges are not checked). */
function words(root: QueryNode): string[] {
  const out: string[] = [];
  for (const n of wordNodes(root, true)) {
    const list = n.kind === 'phrase' ? n.words : n.match === 'exact' && n.fuzzy === 0 ? [n.word] : [];
    for (const w of list) if (!out.includes(w)) out.push(w);
  }
  return out;
}

export function spellcheck(
  index: SearchIndex,
  root: QueryNode,
  distance: number,
  include: ReadonlySet<string>,
  exclude: ReadonlySet<string>,
): SpellcheckResult[] {
  const checked = words(root);
  const out: SpellcheckResult[] = [];
  const indexed = index.terms();
  for (const term of checked) {
    if (index.docFrequency(term) > 0 || exclude.has(term)) continue;
    const found = new Map<string, number>();
    for (const candidate of indexed) {
      if (exclude.has(candidate) || levenshtein(candidate, term, distance) > distance) continue;
      found.set(candidate, index.numDocs === 0 ? 0 : index.docFrequency(candidate) / index.numDocs);
    }
    for (const candidate of include) {
      if (!found.has(candidate) && !exclude.has(candidate) && levenshtein(candidate, term, distance) <= distance) found.set(candidate, 0);
    }
    const suggestions = [...found].map(([s, score]) => [score, s] as const).sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? -1 : 1));
    out.push({ term, suggestions });
  }
  return out;
}
