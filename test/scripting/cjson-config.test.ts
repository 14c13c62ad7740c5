import { describe, expect, it } from 'vitest';
import { ManagedRedis } from '../../src/index.js';

const run = (cache: ManagedRedis, script: string) => cache.execute(['EVAL', script, '0']);

describe('cjson configuration functions (lua-cjson semantics)', () => {
  it('report the defaults', () => {
    const cache = new ManagedRedis({ clock: 'virtual' });
    expect(run(cache, 'return {cjson.encode_max_depth(), cjson.decode_max_depth(), cjson.encode_number_precision()}')).toEqual([1000, 1000, 14]);
    expect(run(cache, 'local c, r, s = cjson.encode_sparse_array() return {tostring(c), r, s}')).toEqual(['false', 2, 10]);
    expect(run(cache, 'return tostring(cjson.encode_invalid_numbers()) .. tostring(cjson.decode_invalid_numbers()) .. tostring(cjson.encode_keep_buffer())')).toBe('falsetruetrue');
  });

  it('change how later calls encode and decode', () => {
    const cache = new ManagedRedis({ clock: 'virtual' });
    expect(run(cache, 'cjson.encode_number_precision(3) return cjson.encode({1.23456})')).toBe('[1.23]');
    expect(run(cache, 'cjson.encode_invalid_numbers("null") return cjson.encode({1/0})')).toBe('[null]');
    expect(run(cache, 'cjson.encode_invalid_numbers(true) return cjson.encode({-1/0})')).toBe('[-inf]');
    expect(run(cache, 'cjson.encode_sparse_array(true) return cjson.encode({[1]=1, [20]=2})')).toMatch(/^\{/);
    expect(() => run(cache, 'cjson.encode_max_depth(1) return cjson.encode({{1}})')).toThrow(/excessive nesting/);
    expect(() => run(cache, 'cjson.decode_max_depth(1) return cjson.decode("[[1]]")')).toThrow(/too many nested/);
    expect(() => run(cache, 'cjson.decode_invalid_numbers(false) return cjson.decode("[nan]")')).toThrow(/invalid number/);
  });

  it("refuse bad settings with lua-cjson's argument errors", () => {
    const cache = new ManagedRedis({ clock: 'virtual' });
    expect(() => run(cache, 'return cjson.encode_number_precision(15)')).toThrow(/expected integer between 1 and 14/);
    expect(() => run(cache, "return cjson.encode_keep_buffer('maybe')")).toThrow(/invalid option 'maybe'/);
    expect(() => run(cache, 'return cjson.encode_max_depth(1, 2)')).toThrow(/found too many arguments/);
  });
});
