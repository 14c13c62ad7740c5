/**
 * RediSearch 2.10's FT.AGGREGATE pipeline and FT.CURSOR: LOAD, GROUPBY with reducers, SORTBY,
 * APPLY expressions, FILTER, LIMIT, WITHCURSOR.
 *
 * Sources: redis/docs `commands/ft.aggregate.md`, `develop/interact/search-and-query/advanced-
 * concepts/aggregations.md` (reducers, APPLY functions) and RediSearch `tests/pytests/test_resp3.py`
 * (test_aggregate, test_cursor) for the RESP3 shape. Numbers print as RediSearch prints computed
 * values (`%.12g`).
 */
import { describe, expect, it } from 'vitest';
import { moduleHarness } from '../support/short-reply.js';

function shop(resp: 2 | 3 = 2) {
  const h = moduleHarness('RediSearch', { policy: 'Enterprise', resp });
  h.r('FT.CREATE', 'idx', 'PREFIX', '1', 'p:', 'SCHEMA', 'name', 'TEXT', 'brand', 'TAG', 'price', 'NUMERIC', 'SORTABLE', 'ts', 'NUMERIC');
  const items: Array<[string, string, number, number]> = [
    ['red shirt', 'acme', 10, 86400],
    ['blue shirt', 'acme', 20, 90000],
    ['green hat', 'zeta', 5, 172800],
    ['red hat', 'zeta', 15, 180000],
    ['black shoes', 'omni', 50, 259200],
  ];
  items.forEach(([name, brand, price, ts], i) => h.r('HSET', `p:${i + 1}`, 'name', name, 'brand', brand, 'price', String(price), 'ts', String(ts)));
  return h;
}

const rows = (reply: unknown) => (reply as unknown[]).slice(1);

describe('FT.AGGREGATE', () => {
  const h = shop();
  const agg = (...args: string[]) => h.r('FT.AGGREGATE', 'idx', ...args);

  it('LOAD fields (with AS) and LOAD *', () => {
    expect(agg('@brand:{omni}', 'LOAD', '2', '@name', '@price')).toEqual([1, ['name', 'black shoes', 'price', '50']]);
    expect(agg('@brand:{omni}', 'LOAD', '3', '@name', 'AS', 'title')).toEqual([1, ['title', 'black shoes']]);
    expect(agg('@brand:{omni}', 'LOAD', '*')).toEqual([1, ['name', 'black shoes', 'brand', 'omni', 'price', '50', 'ts', '259200']]);
    expect(agg('@brand:{omni}')).toEqual([1, []]);
    expect(agg('@brand:{omni}', 'LOAD', '3', '@__key', 'AS', 'k')).toEqual([1, ['k', 'p:5']]);
    expect(rows(agg('*', 'APPLY', '@__key', 'AS', 'k', 'SORTBY', '2', '@k', 'DESC', 'LIMIT', '0', '1'))).toEqual([['k', 'p:5']]);
  });

  it('GROUPBY with COUNT, COUNT_DISTINCT, SUM, MIN, MAX, AVG, TOLIST, STDDEV, QUANTILE, FIRST_VALUE', () => {
    const reply = agg('*', 'GROUPBY', '1', '@brand',
      'REDUCE', 'COUNT', '0', 'AS', 'n',
      'REDUCE', 'COUNT_DISTINCT', '1', '@name', 'AS', 'names',
      'REDUCE', 'SUM', '1', '@price', 'AS', 'sum',
      'REDUCE', 'MIN', '1', '@price', 'AS', 'min',
      'REDUCE', 'MAX', '1', '@price', 'AS', 'max',
      'REDUCE', 'AVG', '1', '@price', 'AS', 'avg',
      'REDUCE', 'STDDEV', '1', '@price', 'AS', 'sd',
      'REDUCE', 'QUANTILE', '2', '@price', '0.5', 'AS', 'median',
      'REDUCE', 'FIRST_VALUE', '4', '@name', 'BY', '@price', 'DESC', 'AS', 'priciest',
      'SORTBY', '2', '@brand', 'ASC');
    expect(reply).toEqual([3,
      ['brand', 'acme', 'n', '2', 'names', '2', 'sum', '30', 'min', '10', 'max', '20', 'avg', '15', 'sd', '7.07106781187', 'median', '20', 'priciest', 'blue shirt'],
      ['brand', 'omni', 'n', '1', 'names', '1', 'sum', '50', 'min', '50', 'max', '50', 'avg', '50', 'sd', '0', 'median', '50', 'priciest', 'black shoes'],
      ['brand', 'zeta', 'n', '2', 'names', '2', 'sum', '20', 'min', '5', 'max', '15', 'avg', '10', 'sd', '7.07106781187', 'median', '15', 'priciest', 'red hat'],
    ]);
    expect(agg('shirt', 'GROUPBY', '1', '@brand', 'REDUCE', 'TOLIST', '1', '@name', 'AS', 'all')).toEqual([1, ['brand', 'acme', 'all', ['red shirt', 'blue shirt']]]);
    expect(agg('*', 'GROUPBY', '0', 'REDUCE', 'COUNT', '0')).toEqual([1, ['__generated_aliascount', '5']]);
  });

  it('SORTBY with MAX, APPLY expressions, FILTER, LIMIT', () => {
    // The count is of the rows the steps before LIMIT produce (SORTBY … MAX keeps 2).
    expect(agg('*', 'LOAD', '1', '@name', 'SORTBY', '2', '@price', 'DESC', 'MAX', '2')).toEqual([2, ['name', 'black shoes', 'price', '50'], ['name', 'blue shirt', 'price', '20']]);
    expect(agg('*', 'APPLY', '@price * 2 + 1', 'AS', 'x', 'FILTER', '@x > 30', 'SORTBY', '2', '@x', 'ASC')).toEqual([
      3, ['price', '15', 'x', '31'], ['price', '20', 'x', '41'], ['price', '50', 'x', '101'],
    ]);
    expect(rows(agg('*', 'LOAD', '1', '@name', 'APPLY', 'upper(substr(@name, 0, 3))', 'AS', 'p', 'SORTBY', '2', '@p', 'ASC', 'LIMIT', '1', '2'))).toEqual([
      ['name', 'blue shirt', 'p', 'BLU'],
      ['name', 'green hat', 'p', 'GRE'],
    ]);
    expect(rows(agg('@brand:{omni}', 'APPLY', 'timefmt(@ts)', 'AS', 't', 'APPLY', 'dayofweek(@ts)', 'AS', 'dow', 'APPLY', 'format("%s-%s", @brand, @price)', 'AS', 'f'))).toEqual([
      ['ts', '259200', 't', '1970-01-04T00:00:00Z', 'dow', '0', 'brand', 'omni', 'price', '50', 'f', 'omni-50'],
    ]);
    expect(rows(agg('@brand:{zeta}', 'APPLY', 'sqrt(@price - 1) * (2 ^ 2)', 'AS', 'v', 'APPLY', 'startswith(@name, "red")', 'AS', 's', 'SORTBY', '2', '@v', 'ASC'))).toEqual([
      ['price', '5', 'v', '8', 'name', 'green hat', 's', '0'],
      ['price', '15', 'v', '14.9666295471', 'name', 'red hat', 's', '1'],
    ]);
    expect(rows(agg('*', 'GROUPBY', '1', '@brand', 'REDUCE', 'SUM', '1', '@price', 'AS', 's', 'FILTER', '@s >= 30 && @brand != "omni"'))).toEqual([['brand', 'acme', 's', '30']]);
  });

  it('answers errors for unknown properties, reducers and bad expressions', () => {
    expect(agg('*', 'GROUPBY', '1', '@nosuch')).toBe('-Property `nosuch` not loaded nor in schema');
    expect(agg('*', 'GROUPBY', '1', 'brand')).toBe('-Bad arguments for GROUPBY: Unknown property `brand`. Did you mean `@brand`?');
    expect(agg('*', 'GROUPBY', '1', '@brand', 'REDUCE', 'MEDIAN', '1', '@price')).toBe('-Bad arguments for REDUCE: No such reducer `MEDIAN`');
    expect(agg('*', 'APPLY', 'nosuchfn(@price)', 'AS', 'x')).toBe("-Unknown function name 'nosuchfn'");
    expect(agg('*', 'APPLY', '@price +', 'AS', 'x')).toMatch(/^-Syntax error at offset/);
    expect(agg('*', 'GROUPBY', '1', '@brand', 'SORTBY', '2', '@price', 'ASC')).toBe('-Property `price` not loaded nor in schema');
    expect(h.r('FT.AGGREGATE', 'nope', '*')).toBe('-nope: no such index');
  });
});

describe('FT.CURSOR', () => {
  it('WITHCURSOR hands rows out COUNT at a time; READ to the end answers cursor 0; DEL forgets it', () => {
    const h = shop();
    const first = h.r('FT.AGGREGATE', 'idx', '*', 'LOAD', '1', '@price', 'SORTBY', '2', '@price', 'ASC', 'WITHCURSOR', 'COUNT', '2') as [unknown[], number];
    expect(first[0]).toEqual([5, ['price', '5'], ['price', '10']]);
    const id = first[1];
    expect(id).toBeGreaterThan(0);
    expect(h.r('FT.CURSOR', 'READ', 'idx', String(id))).toEqual([[0, ['price', '15'], ['price', '20']], id]);
    expect(h.r('FT.CURSOR', 'READ', 'idx', String(id))).toEqual([[0, ['price', '50']], 0]);
    expect(h.r('FT.CURSOR', 'READ', 'idx', String(id))).toBe('-Cursor not found');
    const again = h.r('FT.AGGREGATE', 'idx', '*', 'WITHCURSOR', 'COUNT', '1') as [unknown[], number];
    expect(h.r('FT.CURSOR', 'DEL', 'idx', String(again[1]))).toBe('+OK');
    expect(h.r('FT.CURSOR', 'DEL', 'idx', String(again[1]))).toBe('-Cursor not found');
    // Everything fits in the first chunk: no cursor is kept.
    expect((h.r('FT.AGGREGATE', 'idx', '@brand:{omni}', 'WITHCURSOR') as unknown[])[1]).toBe(0);
  });

  it('RESP3 chunks are maps with results of extra_attributes (source test_resp3.py test_cursor)', () => {
    const h = shop(3);
    const [chunk, id] = h.r('FT.AGGREGATE', 'idx', '@brand:{acme}', 'LOAD', '1', '@name', 'SORTBY', '2', '@price', 'DESC', 'WITHCURSOR', 'COUNT', '1') as [unknown, number];
    expect(chunk).toEqual([
      ['attributes', []],
      ['results', [[['extra_attributes', [['name', 'blue shirt'], ['price', '20']]], ['values', []]]]],
      ['total_results', 2],
      ['format', '+STRING'],
      ['warning', []],
    ]);
    const [next, end] = h.r('FT.CURSOR', 'READ', 'idx', String(id)) as [Array<[string, unknown]>, number];
    expect(next[2]).toEqual(['total_results', 0]);
    expect(end).toBe(0);
  });
});
