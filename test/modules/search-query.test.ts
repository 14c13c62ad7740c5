/**
 * RediSearch 2.10's query language and FT.SEARCH: terms, operators, phrases, prefixes, field
 * modifiers, tags, numeric and geo ranges, parameters, dialects, stop words, stemming, vector KNN,
 * scoring, and FT.SEARCH's options and reply shapes.
 *
 * Sources (no RediSearch server here): redis/docs `develop/interact/search-and-query/advanced-
 * concepts/query_syntax.md`, `dialects.md`, `scoring.md`, `stemming.md`, `stopwords.md`,
 * `vectors.md` and `commands/ft.search.md` (cited as `docs`); RediSearch `src/ext/default.c`
 * (TFIDF: Σ weight·tf·idf · doc score / max freq / slop), `src/index.c` (idf = logb(1 + (N+1)/df)
 * with N = documents + 1, the doc table's size), `src/stopwords.h`, `tests/pytests/test_resp3.py`
 * (cited as `source`).
 */
import { describe, expect, it } from 'vitest';
import { moduleHarness } from '../support/short-reply.js';

const search = (options: Parameters<typeof moduleHarness>[1] = {}) => moduleHarness('RediSearch', { policy: 'Enterprise', ...options });
const OK = '+OK';

/** A cache with index `i` over one TEXT field `t` and the given `[key, text]` hashes, in order. */
function textIndex(...docs: Array<[string, string]>) {
  const h = search();
  h.r('FT.CREATE', 'i', 'SCHEMA', 't', 'TEXT');
  for (const [key, text] of docs) h.r('HSET', key, 't', text);
  return h;
}

/** A cache with an index over `doc:` hashes and a few documents. */
function library() {
  const h = search();
  expect(
    h.r('FT.CREATE', 'idx', 'PREFIX', '1', 'doc:', 'SCHEMA', 'title', 'TEXT', 'WEIGHT', '2', 'body', 'TEXT', 'tags', 'TAG',
      'price', 'NUMERIC', 'SORTABLE', 'loc', 'GEO', 'code', 'TEXT', 'NOSTEM'),
  ).toBe(OK);
  h.r('HSET', 'doc:1', 'title', 'Running shoes', 'body', 'light shoes for the road', 'tags', 'Sport,Outdoor', 'price', '80', 'loc', '2.35,48.85', 'code', 'running');
  h.r('HSET', 'doc:2', 'title', 'Hiking boots', 'body', 'boots for the mountain trail', 'tags', 'outdoor', 'price', '120', 'loc', '6.86,45.92');
  h.r('HSET', 'doc:3', 'title', 'Run faster', 'body', 'a book about running and racing', 'tags', 'book, sport', 'price', '15.5', 'loc', '-0.12,51.5');
  h.r('HSET', 'doc:4', 'title', 'Cooking at home', 'body', 'recipes for the busy runner', 'tags', 'book', 'price', '25');
  return h;
}

const ids = (reply: unknown): unknown[] => (reply as unknown[]).slice(1);

describe('query syntax (docs query_syntax)', () => {
  const h = library();
  const q = (query: string, ...extra: string[]) => h.r('FT.SEARCH', 'idx', query, 'NOCONTENT', ...extra);

  it('terms, implicit AND, | OR, - NOT, parentheses, ~ optional', () => {
    expect(q('shoes')).toEqual([1, 'doc:1']);
    expect(q('boots trail')).toEqual([1, 'doc:2']);
    expect(q('boots road')).toEqual([0]);
    expect(ids(q('boots | road')).sort()).toEqual(['doc:1', 'doc:2']);
    // `for` is a stop word: `for -mountain` is `-mountain`.
    expect(ids(q('for -mountain')).sort()).toEqual(['doc:1', 'doc:3', 'doc:4']);
    expect(ids(q('@tags:{outdoor} -mountain'))).toEqual(['doc:1']);
    expect(ids(q('(boots | shoes) -light'))).toEqual(['doc:2']);
    expect(ids(q('for ~trail'))[0]).toBe('doc:2');
    expect(ids(q('-shoes')).sort()).toEqual(['doc:2', 'doc:3', 'doc:4']);
  });

  it('exact phrases, prefixes, suffixes, infixes and fuzzy terms', () => {
    expect(q('"running shoes"')).toEqual([1, 'doc:1']);
    expect(q('"shoes running"')).toEqual([0]);
    expect(ids(q('run*')).sort()).toEqual(['doc:1', 'doc:3', 'doc:4']);
    expect(q('*ipes')).toEqual([1, 'doc:4']);
    expect(q('*ountai*')).toEqual([1, 'doc:2']);
    expect(q('%boats%')).toEqual([1, 'doc:2']);
    // Two edits: boots, and book (doc:3's body).
    expect(ids(q('%%bots%%')).sort()).toEqual(['doc:2', 'doc:3']);
    // A prefix needs two characters (MINPREFIX 2).
    expect(q('r*')).toBe('-Syntax error at offset 0 near r*');
  });

  it('stemming (Snowball English): a word matches its inflections; VERBATIM and NOSTEM turn it off', () => {
    expect(ids(q('run')).sort()).toEqual(['doc:1', 'doc:3']);
    expect(ids(q('runs')).sort()).toEqual(['doc:1', 'doc:3']);
    expect(ids(q('run', 'VERBATIM'))).toEqual(['doc:3']);
    expect(q('@code:run')).toEqual([0]);
    expect(q('@code:running')).toEqual([1, 'doc:1']);
    expect(ids(q('boot'))).toEqual(['doc:2']);
  });

  it('stop words are not indexed and drop out of queries; NOSTOPWORDS keeps them', () => {
    // src/stopwords.h: "for", "the", "a", "at" … are default stop words.
    expect(q('the')).toEqual([0]);
    expect(q('the boots')).toEqual([1, 'doc:2']);
    expect(q('the boots', 'NOSTOPWORDS')).toEqual([0]);
    const custom = search();
    custom.r('FT.CREATE', 'i', 'STOPWORDS', '1', 'shoes', 'SCHEMA', 't', 'TEXT');
    custom.r('HSET', 'a', 't', 'the shoes');
    expect(custom.r('FT.SEARCH', 'i', 'the', 'NOCONTENT')).toEqual([1, 'a']);
    expect(custom.r('FT.SEARCH', 'i', 'shoes', 'NOCONTENT')).toEqual([0]);
    const none = search();
    none.r('FT.CREATE', 'i', 'STOPWORDS', '0', 'SCHEMA', 't', 'TEXT');
    none.r('HSET', 'a', 't', 'the shoes');
    expect(none.r('FT.SEARCH', 'i', 'the', 'NOCONTENT')).toEqual([1, 'a']);
  });

  it('field modifiers, several fields, INFIELDS', () => {
    expect(q('@title:shoes')).toEqual([1, 'doc:1']);
    expect(q('@body:shoes')).toEqual([1, 'doc:1']);
    expect(q('@title:road')).toEqual([0]);
    expect(q('@title|body:road')).toEqual([1, 'doc:1']);
    expect(q('@title:(running shoes)')).toEqual([1, 'doc:1']);
    expect(q('road', 'INFIELDS', '1', 'title')).toEqual([0]);
    expect(q('@nosuchfield:road')).toEqual([0]);
  });

  it('tags: any of several, case folding, prefixes, CASESENSITIVE', () => {
    expect(ids(q('@tags:{sport}')).sort()).toEqual(['doc:1', 'doc:3']);
    expect(ids(q('@tags:{SPORT | book}')).sort()).toEqual(['doc:1', 'doc:3', 'doc:4']);
    expect(ids(q('@tags:{out*}')).sort()).toEqual(['doc:1', 'doc:2']);
    expect(q('@tags:{sport} @tags:{book}')).toEqual([1, 'doc:3']);
    expect(q('-@tags:{book} @tags:{sport}')).toEqual([1, 'doc:1']);
    const cs = search();
    cs.r('FT.CREATE', 'i', 'SCHEMA', 't', 'TAG', 'CASESENSITIVE', 'SEPARATOR', '|');
    cs.r('HSET', 'a', 't', 'Red|blue green');
    expect(cs.r('FT.SEARCH', 'i', '@t:{red}', 'NOCONTENT')).toEqual([0]);
    expect(cs.r('FT.SEARCH', 'i', '@t:{Red}', 'NOCONTENT')).toEqual([1, 'a']);
    expect(cs.r('FT.SEARCH', 'i', '@t:{blue\\ green}', 'NOCONTENT')).toEqual([1, 'a']);
    expect(cs.r('FT.TAGVALS', 'i', 't')).toEqual(['Red', 'blue green']);
  });

  it('numeric ranges: inclusive, ( exclusive, -inf/+inf; FILTER does the same', () => {
    expect(ids(q('@price:[25 80]')).sort()).toEqual(['doc:1', 'doc:4']);
    expect(q('@price:[(25 80]')).toEqual([1, 'doc:1']);
    expect(q('@price:[25 (80]')).toEqual([1, 'doc:4']);
    expect(ids(q('@price:[-inf 20]'))).toEqual(['doc:3']);
    expect(ids(q('@price:[100 +inf]'))).toEqual(['doc:2']);
    expect(q('@price:[15.5 15.5]')).toEqual([1, 'doc:3']);
    expect(ids(q('*', 'FILTER', 'price', '(25', '+inf')).sort()).toEqual(['doc:1', 'doc:2']);
    expect(q('@price:[abc 10]')).toBe('-Bad lower range: abc');
    // source tests/pytests/test.py: FILTER wants a signed infinity.
    expect(q('*', 'FILTER', 'price', '5', 'inf')).toBe('-Bad upper range: inf');
    expect(q('*', 'FILTER', 'price', 'inf', '5')).toBe('-Bad lower range: inf');
  });

  it('geo radius queries and GEOFILTER (m, km, mi, ft)', () => {
    // Paris to London is about 344 km.
    expect(ids(q('@loc:[2.35 48.85 400 km]')).sort()).toEqual(['doc:1', 'doc:3']);
    expect(q('@loc:[2.35 48.85 300 km]')).toEqual([1, 'doc:1']);
    expect(ids(q('*', 'GEOFILTER', 'loc', '2.35', '48.85', '250', 'mi')).sort()).toEqual(['doc:1', 'doc:3']);
    expect(q('@loc:[2.35 48.85 10 parsecs]')).toBe('-Invalid GeoFilter unit');
  });

  it('parameters ($name) in DIALECT 2; a missing one is an error', () => {
    expect(ids(q('@price:[$lo $hi]', 'PARAMS', '4', 'lo', '20', 'hi', '90', 'DIALECT', '2')).sort()).toEqual(['doc:1', 'doc:4']);
    expect((q('@tags:{$t}', 'PARAMS', '2', 't', 'outdoor', 'DIALECT', '2') as unknown[]).length).toBe(3);
    expect(q('@title:$w', 'PARAMS', '2', 'w', 'boots', 'DIALECT', '2')).toEqual([1, 'doc:2']);
    expect(q('@title:$w', 'PARAMS', '2', 'x', 'boots', 'DIALECT', '2')).toBe('-No such parameter `w`');
    expect(q('*', 'PARAMS', '3', 'a', 'b', 'c')).toBe('-Parameters must be specified in PARAM VALUE pairs');
  });

  it('DIALECT 1 reads `a b | c d` as `a (b | c) d`; DIALECT 2 as `(a b) | (c d)` (docs query_syntax, ft.explain)', () => {
    // boots trail | light road: D1 = boots (trail | light) road → nothing; D2 = (boots trail) | (light road) → doc:1, doc:2.
    expect(q('boots trail | light road')).toEqual([0]);
    expect(q('boots trail | light')).toEqual([1, 'doc:2']);
    expect(ids(q('boots trail | light road', 'DIALECT', '2')).sort()).toEqual(['doc:1', 'doc:2']);
  });

  it('attributes: $weight changes the score, $slop and $inorder constrain the distance and order', () => {
    // doc:1's body `light shoes for the road`: light 1, shoes 2, road 3 (stop words take no position).
    expect(q('(light road)=>{$slop:0}')).toEqual([0]);
    expect(q('(light road)=>{$slop:1}')).toEqual([1, 'doc:1']);
    expect(q('(road light)=>{$slop:1; $inorder:true}')).toEqual([0]);
    expect(q('light road', 'SLOP', '0')).toEqual([0]);
    expect(q('road light', 'SLOP', '1')).toEqual([1, 'doc:1']);
    expect(q('road light', 'SLOP', '1', 'INORDER')).toEqual([0]);
  });

  it('syntax errors name the offset (source query_parser)', () => {
    expect(q('(shoes')).toBe('-Syntax error at offset 6 near shoes');
    expect(q('@title:')).toMatch(/^-Syntax error at offset 7/);
    expect(q('"unterminated')).toMatch(/^-Syntax error at offset 0/);
    expect(q('*=>[KNN 2 @v $b]')).toMatch(/^-Syntax error/);
  });
});

describe('scoring (docs scoring, source default.c)', () => {
  it('TFIDF: Σ weight·tf·idf / max term frequency / slop, idf = logb(1 + (N+1)/df)', () => {
    const h = search();
    h.r('FT.CREATE', 'i', 'SCHEMA', 't', 'TEXT', 'w', 'TEXT', 'WEIGHT', '3');
    h.r('HSET', 'a', 't', 'hello world');
    h.r('HSET', 'b', 't', 'hello hello there');
    h.r('HSET', 'c', 't', 'goodbye', 'w', 'hello');
    // N = 3 documents → 4; df(hello) = 3 → idf = logb(1 + 4/3) = 1; df(world) = 1 → idf = logb(5) = 2.
    // a: 1·1 = 1 / maxfreq 1 → 1; b: tf 2 / maxfreq 2 → 1; c: field weight 3 → tf 3 / maxfreq 3 → 1.
    expect(h.r('FT.SEARCH', 'i', 'hello', 'WITHSCORES', 'NOCONTENT')).toEqual([3, 'a', '1', 'b', '1', 'c', '1']);
    // a: hello 1 + world 2 = 3, the words are adjacent (slop 1).
    expect(h.r('FT.SEARCH', 'i', 'hello world', 'WITHSCORES', 'NOCONTENT')).toEqual([1, 'a', '3']);
    // `*` scores 1 / max frequency (source test_resp3.py: doc1 with two equal words scores 0.5).
    expect(h.r('FT.SEARCH', 'i', '*', 'WITHSCORES', 'NOCONTENT')).toEqual([3, 'a', '1', 'b', '0.5', 'c', '0.3333333333333333']);
    // $weight multiplies a clause.
    expect(h.r('FT.SEARCH', 'i', '(world)=>{$weight:2}', 'WITHSCORES', 'NOCONTENT')).toEqual([1, 'a', '4']);
    expect(h.r('FT.SEARCH', 'i', 'hello', 'SCORER', 'DOCSCORE', 'WITHSCORES', 'NOCONTENT')).toEqual([3, 'a', '1', 'b', '1', 'c', '1']);
    expect(h.r('FT.SEARCH', 'i', 'hello', 'SCORER', 'NOPE')).toBe('-Scoring function `NOPE` not found');
  });

  it('results order by score, then by when the document was (re)indexed', () => {
    const h = textIndex(['x', 'apple pie'], ['y', 'apple'], ['z', 'apple']);
    expect(h.r('FT.SEARCH', 'i', 'apple', 'NOCONTENT')).toEqual([3, 'x', 'y', 'z']);
    h.r('HSET', 'x', 't', 'apple pie');
    expect(h.r('FT.SEARCH', 'i', 'apple', 'NOCONTENT')).toEqual([3, 'y', 'z', 'x']);
  });
});

describe('FT.SEARCH options and replies', () => {
  const h = library();

  it('RESP2: count, then key and field list; NOCONTENT; RETURN with AS; LIMIT; SORTBY', () => {
    expect(h.r('FT.SEARCH', 'idx', 'boots')).toEqual([
      1, 'doc:2', ['title', 'Hiking boots', 'body', 'boots for the mountain trail', 'tags', 'outdoor', 'price', '120', 'loc', '6.86,45.92'],
    ]);
    // RETURN's count includes the AS and the alias (docs ft.search).
    expect(h.r('FT.SEARCH', 'idx', 'boots', 'RETURN', '4', 'title', 'price', 'AS', 'cost')).toEqual([1, 'doc:2', ['title', 'Hiking boots', 'cost', '120']]);
    expect(h.r('FT.SEARCH', 'idx', 'boots', 'RETURN', '0')).toEqual([1, 'doc:2']);
    expect(h.r('FT.SEARCH', 'idx', '*', 'SORTBY', 'price', 'NOCONTENT')).toEqual([4, 'doc:3', 'doc:4', 'doc:1', 'doc:2']);
    expect(h.r('FT.SEARCH', 'idx', '*', 'SORTBY', 'price', 'DESC', 'LIMIT', '1', '2', 'NOCONTENT')).toEqual([4, 'doc:1', 'doc:4']);
    expect(h.r('FT.SEARCH', 'idx', '*', 'LIMIT', '0', '0')).toEqual([4]);
    expect(h.r('FT.SEARCH', 'idx', '*', 'SORTBY', 'price', 'WITHSORTKEYS', 'LIMIT', '0', '2', 'RETURN', '1', 'price')).toEqual([4, 'doc:3', '#15.5', ['price', '15.5'], 'doc:4', '#25', ['price', '25']]);
    expect(h.r('FT.SEARCH', 'idx', '*', 'SORTBY', 'title', 'WITHSORTKEYS', 'LIMIT', '0', '1', 'NOCONTENT')).toEqual([4, 'doc:4', '$cooking at home']);
    expect(h.r('FT.SEARCH', 'idx', 'boots', 'WITHPAYLOADS', 'NOCONTENT')).toEqual([1, 'doc:2', null]);
    expect(h.r('FT.SEARCH', 'idx', '*', 'INKEYS', '2', 'doc:4', 'doc:9', 'NOCONTENT')).toEqual([1, 'doc:4']);
  });

  it('answers the module errors for bad options and unknown indexes', () => {
    expect(h.r('FT.SEARCH', 'nope', '*')).toBe('-nope: no such index');
    expect(h.r('FT.SEARCH', 'idx', '*', 'BOGUS')).toBe('-Unknown argument `BOGUS` at position 0 for <main>');
    expect(h.r('FT.SEARCH', 'idx', '*', 'LIMIT', '0', '2000000')).toBe('-LIMIT exceeds maximum of 1000000');
    expect(h.r('FT.SEARCH', 'idx', '*', 'LIMIT', 'a', '1')).toBe('-Bad arguments for LIMIT: Could not convert argument to expected type');
    expect(h.r('FT.SEARCH', 'idx', '*', 'SORTBY', 'noexist')).toBe('-Property `noexist` not loaded nor in schema');
    expect(h.r('FT.SEARCH', 'idx', '*', 'DIALECT', '5')).toBe('-DIALECT requires a non negative integer >=1 and <= 4');
    expect(h.r('FT.SEARCH', 'idx')).toBe("-ERR wrong number of arguments for 'ft.search' command");
  });

  it('HIGHLIGHT wraps matched words (and their inflections); SUMMARIZE cuts fragments', () => {
    expect(h.r('FT.SEARCH', 'idx', 'run', 'HIGHLIGHT', 'FIELDS', '1', 'title', 'RETURN', '1', 'title')).toEqual([
      2, 'doc:3', ['title', '<b>Run</b> faster'], 'doc:1', ['title', '<b>Running</b> shoes'],
    ]);
    expect(h.r('FT.SEARCH', 'idx', 'racing', 'HIGHLIGHT', 'TAGS', '[', ']', 'RETURN', '1', 'body')).toEqual([1, 'doc:3', ['body', 'a book about running and [racing]']]);
    expect(h.r('FT.SEARCH', 'idx', 'mountain', 'SUMMARIZE', 'FIELDS', '1', 'body', 'LEN', '2', 'RETURN', '1', 'body')).toEqual([1, 'doc:2', ['body', 'the mountain... ']]);
  });

  it('RESP3: a map of attributes, results (id, extra_attributes, values), total_results, format, warning (source test_resp3.py)', () => {
    const r3 = search({ resp: 3 });
    r3.r('HSET', 'doc1', 'f1', '3', 'f2', '3');
    r3.r('HSET', 'doc2', 'f1', '3', 'f2', '2', 'f3', '4');
    r3.r('FT.CREATE', 'idx1', 'PREFIX', '1', 'doc', 'SCHEMA', 'f1', 'TEXT', 'f2', 'TEXT');
    expect(r3.r('FT.SEARCH', 'idx1', '*')).toEqual([
      ['attributes', []],
      ['results', [
        [['id', 'doc2'], ['extra_attributes', [['f1', '3'], ['f2', '2'], ['f3', '4']]], ['values', []]],
        [['id', 'doc1'], ['extra_attributes', [['f1', '3'], ['f2', '3']]], ['values', []]],
      ]],
      ['total_results', 2],
      ['format', '+STRING'],
      ['warning', []],
    ]);
    const sorted = r3.r('FT.SEARCH', 'idx1', '*', 'WITHSCORES', 'WITHPAYLOADS', 'WITHSORTKEYS', 'RETURN', '2', 'f1', 'f2', 'SORTBY', 'f2', 'DESC') as Array<[string, unknown]>;
    expect(sorted[1][1]).toEqual([
      [['id', 'doc1'], ['score', ',0.5'], ['payload', null], ['sortkey', '$3'], ['extra_attributes', [['f2', '3'], ['f1', '3']]], ['values', []]],
      [['id', 'doc2'], ['score', ',1'], ['payload', null], ['sortkey', '$2'], ['extra_attributes', [['f2', '2'], ['f1', '3']]], ['values', []]],
    ]);
  });
});

describe('vector search (KNN; exact for FLAT and HNSW)', () => {
  const f32 = (...xs: number[]) => {
    const b = Buffer.alloc(xs.length * 4);
    xs.forEach((x, i) => b.writeFloatLE(x, i * 4));
    return b;
  };
  const f64 = (...xs: number[]) => {
    const b = Buffer.alloc(xs.length * 8);
    xs.forEach((x, i) => b.writeDoubleLE(x, i * 8));
    return b;
  };
  function vectors(metric: string, type = 'FLOAT32', algorithm = 'FLAT') {
    const h = search();
    const enc = type === 'FLOAT32' ? f32 : f64;
    expect(h.r('FT.CREATE', 'v', 'SCHEMA', 'vec', 'VECTOR', algorithm, '6', 'TYPE', type, 'DIM', '2', 'DISTANCE_METRIC', metric, 'kind', 'TAG')).toBe(OK);
    const put = (key: string, x: number, y: number, kind: string) => h.raw('HSET', key, 'vec', enc(x, y), 'kind', kind);
    put('a', 1, 0, 'x');
    put('b', 0, 1, 'y');
    put('c', 1, 1, 'x');
    put('d', 3, 0, 'y');
    const knn = (query: string, blob: Buffer, ...extra: string[]) =>
      h.raw('FT.SEARCH', 'v', query, 'PARAMS', '2', 'q', blob, 'RETURN', '1', 'dist', 'DIALECT', '2', ...extra);
    return { h, enc, knn };
  }
  const short = (reply: unknown) => JSON.parse(JSON.stringify(reply, (_, v) => (v?.type === 'Buffer' ? Buffer.from(v.data).toString() : v)));

  it('L2 is the squared Euclidean distance, nearest first', () => {
    const { enc, knn } = vectors('L2');
    expect(short(knn('*=>[KNN 2 @vec $q AS dist]', enc(1, 0.1)))).toEqual([2, 'a', ['dist', '0.0100000007078'], 'c', ['dist', '0.80999994278']]);
  });

  it('IP is 1 − dot product; COSINE is 1 − cosine similarity; FLOAT64 and HNSW alike', () => {
    const ip = vectors('IP');
    expect(short(ip.knn('*=>[KNN 2 @vec $q AS dist]', ip.enc(1, 0)))).toEqual([2, 'd', ['dist', '-2'], 'a', ['dist', '0']]);
    const cos = vectors('COSINE', 'FLOAT64', 'HNSW');
    expect(short(cos.knn('*=>[KNN 3 @vec $q AS dist]', cos.enc(2, 0)))).toEqual([3, 'a', ['dist', '0'], 'd', ['dist', '0'], 'c', ['dist', '0.292893218813']]);
  });

  it('a filter before the arrow (hybrid query), the default score name, errors', () => {
    const { h, enc, knn } = vectors('L2');
    expect(short(knn('(@kind:{y})=>[KNN 1 @vec $q AS dist]', enc(1, 0)))).toEqual([1, 'b', ['dist', '2']]);
    expect(short(h.raw('FT.SEARCH', 'v', '*=>[KNN 1 @vec $q]', 'PARAMS', '2', 'q', enc(3, 0), 'RETURN', '1', '__vec_score', 'DIALECT', '2'))).toEqual([1, 'd', ['__vec_score', '0']]);
    expect(h.run('FT.SEARCH', 'v', '*=>[KNN 1 @vec $q]', 'PARAMS', '2', 'q', Buffer.alloc(3), 'DIALECT', '2')).toEqual([
      '-',
      "Error parsing vector similarity query: query vector blob size (3) does not match index's expected size (8).",
    ]);
    expect(h.run('FT.SEARCH', 'v', '*=>[KNN 1 @kind $q]', 'PARAMS', '2', 'q', enc(1, 0), 'DIALECT', '2')[0]).toBe('-');
  });
});

describe('FT.EXPLAIN / FT.EXPLAINCLI', () => {
  it('prints the plan of the docs example: an intersection of two unions (DIALECT 1), words with their expansions', () => {
    const h = search();
    h.r('FT.CREATE', 'rd', 'SCHEMA', 'title', 'TEXT', 'date', 'NUMERIC', 't', 'TAG');
    const query = '(foo bar)|(hello world) @date:[100 200]|@date:[500 +inf]';
    // docs ft.explaincli's example, line for line.
    const cli = [
      'INTERSECT {', '  UNION {', '    INTERSECT {', '      UNION {', '        foo', '        +foo(expanded)', '      }',
      '      UNION {', '        bar', '        +bar(expanded)', '      }', '    }', '    INTERSECT {', '      UNION {',
      '        hello', '        +hello(expanded)', '      }', '      UNION {', '        world', '        +world(expanded)',
      '      }', '    }', '  }', '  UNION {', '    NUMERIC {100.000000 <= @date <= 200.000000}',
      '    NUMERIC {500.000000 <= @date <= inf}', '  }', '}', '',
    ];
    expect(h.r('FT.EXPLAINCLI', 'rd', query)).toEqual(cli);
    expect(h.r('FT.EXPLAIN', 'rd', query)).toBe(cli.join('\n'));
    expect(h.r('FT.EXPLAINCLI', 'rd', '@title:running -@t:{a | b*} "x y" ~z', 'VERBATIM')).toEqual([
      'INTERSECT {', '  @title:running', '  NOT{', '    TAG:@t {', '      a', '      PREFIX{b*}', '    }', '  }',
      '  EXACT {', '    x', '    y', '  }', '  OPTIONAL{', '    z', '  }', '}', '',
    ]);
    expect(h.r('FT.EXPLAINCLI', 'rd', 'runs')).toEqual(['UNION {', '  runs', '  +run(expanded)', '  run(expanded)', '}', '']);
    expect(h.r('FT.EXPLAIN', 'nope', 'x')).toBe('-Unknown index name');
  });
});

describe('synonyms and dictionaries', () => {
  it('FT.SYNUPDATE groups make a word match its synonyms; FT.SYNDUMP lists the groups of each term', () => {
    const h = textIndex(['a', 'a fast car'], ['b', 'a quick automobile']);
    expect(h.r('FT.SEARCH', 'i', 'car', 'NOCONTENT')).toEqual([1, 'a']);
    expect(h.r('FT.SYNUPDATE', 'i', 'g1', 'car', 'automobile')).toBe(OK);
    expect(h.r('FT.SEARCH', 'i', 'car', 'NOCONTENT')).toEqual([2, 'a', 'b']);
    expect(ids(h.r('FT.SEARCH', 'i', 'automobile', 'NOCONTENT')).sort()).toEqual(['a', 'b']);
    h.r('FT.SYNUPDATE', 'i', 'g2', 'SKIPINITIALSCAN', 'car', 'auto');
    expect(h.r('FT.SYNDUMP', 'i')).toEqual(['car', ['g1', 'g2'], 'automobile', ['g1'], 'auto', ['g2']]);
  });

  it('FT.DICTADD / FT.DICTDEL count what changed; FT.DICTDUMP lists the terms', () => {
    const h = search();
    expect(h.r('FT.DICTADD', 'd', 'foo', 'bar', 'foo')).toBe(2);
    expect(h.r('FT.DICTDUMP', 'd')).toEqual(['bar', 'foo']);
    expect(h.r('FT.DICTDEL', 'd', 'foo', 'nope')).toBe(1);
    expect(h.r('FT.DICTDEL', 'd', 'bar')).toBe(1);
    expect(h.r('FT.DICTDUMP', 'd')).toBe('-could not open dict key');
  });
});

describe('FT.SPELLCHECK', () => {
  it('suggests indexed words within DISTANCE, scored by the share of documents holding them (docs ft.spellcheck)', () => {
    const h = textIndex(['a', 'hello world'], ['b', 'help me'], ['c', 'hell help']);
    expect(h.r('FT.SPELLCHECK', 'i', 'held world')).toEqual([['TERM', 'held', [['0.6666666666666666', 'help'], ['0.3333333333333333', 'hell']]]]);
    expect(h.r('FT.SPELLCHECK', 'i', 'hexlo', 'DISTANCE', '2')).toEqual([
      ['TERM', 'hexlo', [['0.6666666666666666', 'help'], ['0.3333333333333333', 'hell'], ['0.3333333333333333', 'hello']]],
    ]);
    expect(h.r('FT.SPELLCHECK', 'i', 'zzz')).toEqual([['TERM', 'zzz', []]]);
    h.r('FT.DICTADD', 'extra', 'hels');
    h.r('FT.DICTADD', 'skip', 'help', 'zzz');
    expect(h.r('FT.SPELLCHECK', 'i', 'held zzz', 'TERMS', 'INCLUDE', 'extra', 'TERMS', 'EXCLUDE', 'skip')).toEqual([
      ['TERM', 'held', [['0.3333333333333333', 'hell'], ['0', 'hels']]],
    ]);
    const r3 = textIndex(['a', 'hello']);
    r3.r('HELLO', '3');
    expect(r3.r('FT.SPELLCHECK', 'i', 'hellp')).toEqual([['results', [['hellp', [[['hello', ',1']]]]]]]);
    expect(h.r('FT.SPELLCHECK', 'i', 'held', 'DISTANCE', '5')).toBe('-DISTANCE argument should be between 1 to 4');
    expect(h.r('FT.SPELLCHECK', 'i', 'held', 'TERMS', 'INCLUDE', 'nope')).toBe('-Dict does not exist: nope');
  });
});

describe('suggestions (FT.SUGADD / FT.SUGGET / FT.SUGDEL / FT.SUGLEN)', () => {
  it('ranks prefix matches as the module trie does: exact match first, shorter completions higher, a tenth of the best trimmed', () => {
    const h = search();
    expect(h.r('FT.SUGADD', 'ac', 'hello world', '1')).toBe(1);
    expect(h.r('FT.SUGADD', 'ac', 'hello', '2', 'PAYLOAD', 'p')).toBe(2);
    expect(h.r('FT.SUGADD', 'ac', 'help', '1', 'INCR')).toBe(3);
    expect(h.r('FT.SUGADD', 'ac', 'help', '1', 'INCR')).toBe(3);
    // score / sqrt(1 + |len − prefix len|): help 2/√2, hello 2/√3, hello world 1/√9 (floats).
    expect(h.r('FT.SUGGET', 'ac', 'hel', 'WITHSCORES', 'WITHPAYLOADS')).toEqual([
      'help', '1.4142135381698608', null, 'hello', '1.154700517654419', 'p', 'hello world', '0.3333333432674408', null,
    ]);
    expect(h.r('FT.SUGGET', 'ac', 'HEL', 'MAX', '1')).toEqual(['help']);
    expect(h.r('FT.SUGGET', 'ac', 'hello')).toEqual(['hello']);
    expect(h.r('FT.SUGGET', 'ac', 'hexl')).toEqual([]);
    // One edit from a prefix of each (hexl → hel…), times exp(−2).
    expect(h.r('FT.SUGGET', 'ac', 'hexl', 'FUZZY')).toEqual(['help', 'hello', 'hello world']);
    expect(h.r('FT.SUGLEN', 'ac')).toBe(3);
    expect(h.r('TYPE', 'ac')).toBe('+trietype0');
    expect(h.r('FT.SUGDEL', 'ac', 'help')).toBe(1);
    expect(h.r('FT.SUGDEL', 'ac', 'help')).toBe(0);
    expect(h.r('FT.SUGLEN', 'ac')).toBe(2);
    expect(h.r('FT.SUGLEN', 'missing')).toBe(0);
    expect(h.r('FT.SUGGET', 'missing', 'a')).toEqual([]);
    h.r('SET', 's', 'x');
    expect(h.r('FT.SUGADD', 's', 'a', '1')).toBe('-WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(h.r('FT.SUGADD', 'ac', 'a', 'x')).toBe('-ERR invalid score');
    h.r('FT.SUGDEL', 'ac', 'hello');
    h.r('FT.SUGDEL', 'ac', 'hello world');
    expect(h.r('EXISTS', 'ac')).toBe(0);
  });
});
