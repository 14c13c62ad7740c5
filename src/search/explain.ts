/**
 * FT.EXPLAIN's plan text: the parsed query tree as RediSearch's QueryNode_DumpSb prints it —
 * `INTERSECT {`, `UNION {`, `EXACT {`, `NOT{`, `OPTIONAL{`, `TAG:@f {`, `NUMERIC {min <= @f <=
 * max}`, `GEO @f:{lon,lat --> r m}`, `PREFIX{p*}`, `FUZZY{w}`, `<WILDCARD>`, `<empty>`, two spaces
 * per level; a word expands to a UNION of itself, `+stem(expanded)` and its stem (docs
 * ft.explain, ft.explaincli).
 */
import type { KnnClause, QueryNode } from './query.js';
import { stemOf } from './text.js';

const f6 = (n: number): string => (Number.isFinite(n) ? n.toFixed(6) : n > 0 ? 'inf' : '-inf');

function fieldPrefix(fields: string[] | null): string {
  return fields === null ? '' : `@${fields.join('|')}:`;
}

function lines(node: QueryNode, depth: number, out: string[]): void {
  const pad = '  '.repeat(depth);
  const block = (head: string, children: QueryNode[]): void => {
    out.push(`${pad}${head}{`);
    for (const c of children) lines(c, depth + 1, out);
    out.push(`${pad}}`);
  };
  switch (node.kind) {
    case 'all':
      out.push(`${pad}<WILDCARD>`);
      return;
    case 'none':
      out.push(`${pad}<empty>`);
      return;
    case 'term': {
      const at = fieldPrefix(node.fields);
      if (node.fuzzy > 0) out.push(`${pad}${at}FUZZY{${node.word}}`);
      else if (node.match === 'prefix') out.push(`${pad}${at}PREFIX{${node.word}*}`);
      else if (node.match === 'suffix') out.push(`${pad}${at}SUFFIX{*${node.word}}`);
      else if (node.match === 'contains') out.push(`${pad}${at}INFIX{*${node.word}*}`);
      else if (node.verbatim) out.push(`${pad}${at}${node.word}`);
      else {
        const stemmed = stemOf(node.word);
        out.push(`${pad}${at}UNION {`);
        out.push(`${pad}  ${at}${node.word}`);
        out.push(`${pad}  ${at}+${stemmed ?? node.word}(expanded)`);
        if (stemmed !== null) out.push(`${pad}  ${at}${stemmed}(expanded)`);
        out.push(`${pad}}`);
      }
      return;
    }
    case 'phrase':
      out.push(`${pad}${fieldPrefix(node.fields)}EXACT {`);
      for (const w of node.words) out.push(`${pad}  ${fieldPrefix(node.fields)}${w}`);
      out.push(`${pad}}`);
      return;
    case 'and':
      block('INTERSECT ', node.children);
      return;
    case 'or':
      block('UNION ', node.children);
      return;
    case 'not':
      block('NOT', [node.child]);
      return;
    case 'optional':
      block('OPTIONAL', [node.child]);
      return;
    case 'tag':
      out.push(`${pad}TAG:@${node.field} {`);
      for (const v of node.values) {
        const text = v.match === 'prefix' ? `PREFIX{${v.value}*}` : v.match === 'suffix' ? `SUFFIX{*${v.value}}` : v.match === 'contains' ? `INFIX{*${v.value}*}` : v.value;
        out.push(`${pad}  ${text}`);
      }
      out.push(`${pad}}`);
      return;
    case 'numeric':
      out.push(`${pad}NUMERIC {${f6(node.min)} ${node.minExclusive ? '<' : '<='} @${node.field} ${node.maxExclusive ? '<' : '<='} ${f6(node.max)}}`);
      return;
    case 'geo':
      out.push(`${pad}GEO @${node.field}:{${f6(node.lon)},${f6(node.lat)} --> ${f6(node.radius)} m}`);
      return;
  }
}

/** The plan as lines (FT.EXPLAINCLI); FT.EXPLAIN joins them with newlines. */
export function explainLines(root: QueryNode, knn: KnnClause | null): string[] {
  const out: string[] = [];
  if (knn === null) lines(root, 0, out);
  else {
    out.push(`VECTOR {K=${knn.k} nearest vectors to \`$blob\` in @${knn.field}, yields distance as \`${knn.as}\``);
    lines(root, 1, out);
    out.push('}');
  }
  return out;
}
