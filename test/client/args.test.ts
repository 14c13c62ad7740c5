/**
 * The argv ioredis would send: flattening, MSET/HSET object forms, stringification, and
 * keyPrefix at ioredis's key positions — checked against ioredis's own table and key finder.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { getKeyIndexes, list as ioredisCommandList, exists } from '@ioredis/commands';
import IORedis from 'ioredis';
import { buildArgv, ioredisKeyPositions, IOREDIS_METHOD_NAMES, prefixKeys } from '../../src/client/args.js';
import { IOREDIS_COMMAND_TABLE, IOREDIS_VERSION } from '../../src/client/ioredis-commands.js';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

describe('generated ioredis command table', () => {
  it('matches the installed @ioredis/commands (run scripts/gen-ioredis-commands.mjs when it does not)', () => {
    const table = require('@ioredis/commands/built/commands.json') as Record<string, { keyStart: number; keyStop: number; step: number }>;
    expect(IOREDIS_COMMAND_TABLE.map((row) => row[0])).toEqual(Object.keys(table).sort());
    for (const [name, start, stop, step] of IOREDIS_COMMAND_TABLE) {
      expect([name, start, stop, step]).toEqual([name, table[name].keyStart, table[name].keyStop, table[name].step]);
    }
    expect(IOREDIS_VERSION).toBe((require('ioredis/package.json') as { version: string }).version);
  });

  it('gives a method name for every command ioredis has a method for', () => {
    const real = new IORedis({ lazyConnect: true });
    const realMethods = ioredisCommandList.filter((name) => typeof (real as unknown as Record<string, unknown>)[name] === 'function');
    for (const name of realMethods) if (name !== 'monitor') expect(IOREDIS_METHOD_NAMES).toContain(name);
    expect(IOREDIS_METHOD_NAMES).toContain('sentinel');
    expect(IOREDIS_METHOD_NAMES).not.toContain('monitor');
    real.disconnect();
  });
});

describe('buildArgv', () => {
  it('flattens arrays one level and stringifies like ioredis', () => {
    expect(buildArgv('mget', [['a', 'b'], 'c'], undefined)).toEqual(['mget', 'a', 'b', 'c']);
    expect(buildArgv('set', ['k', 12.5], undefined)).toEqual(['set', 'k', '12.5']);
    expect(buildArgv('set', ['k', null], undefined)).toEqual(['set', 'k', '']);
    expect(buildArgv('set', ['k', undefined], undefined)).toEqual(['set', 'k', '']);
    expect(buildArgv('set', ['k', true], undefined)).toEqual(['set', 'k', 'true']);
    expect(buildArgv('set', ['k', 10n], undefined)).toEqual(['set', 'k', '10']);
    // Nested arrays are not flattened twice: ioredis sends String(['b', 'c']).
    expect(buildArgv('rpush', ['l', ['a', ['b', 'c']]], undefined)).toEqual(['rpush', 'l', 'a', 'b,c']);
    const buf = Buffer.from([0xff, 0x00]);
    const argv = buildArgv('set', [buf, buf], undefined);
    expect(argv[1]).toBe(buf);
    expect(argv[2]).toBe(buf);
  });

  it('spreads objects and Maps for mset/msetnx/hset/hmset, by exact name', () => {
    expect(buildArgv('mset', [{ a: 1, b: 'x' }], undefined)).toEqual(['mset', 'a', '1', 'b', 'x']);
    expect(buildArgv('msetnx', [new Map<unknown, unknown>([['a', 1], [2, 'y']])], undefined)).toEqual(['msetnx', 'a', '1', '2', 'y']);
    expect(buildArgv('hset', ['h', { f: 1, __proto__x: 2 }], undefined)).toEqual(['hset', 'h', 'f', '1', '__proto__x', '2']);
    expect(buildArgv('hmset', ['h', new Map([['f', 'v']])], undefined)).toEqual(['hmset', 'h', 'f', 'v']);
    // An own `__proto__` key (from JSON.parse) is data like any other.
    expect(buildArgv('hset', ['h', JSON.parse('{"__proto__":"p"}')], undefined)).toEqual(['hset', 'h', '__proto__', 'p']);
    // Upper-case names are not transformed (ioredis keys transformers by exact name).
    expect(buildArgv('HSET', ['h', { f: 1 }], undefined)).toEqual(['HSET', 'h', '[object Object]']);
    // Only the one-object form is spread.
    expect(buildArgv('hset', ['h', 'f', { a: 1 }], undefined)).toEqual(['hset', 'h', 'f', '[object Object]']);
  });

  it('prefixes the keys ioredis finds, including multi-key and numkeys forms', () => {
    expect(buildArgv('mset', [{ a: 1, b: 2 }], 'p:')).toEqual(['mset', 'p:a', '1', 'p:b', '2']);
    expect(buildArgv('del', ['a', 'b', 'c'], 'p:')).toEqual(['del', 'p:a', 'p:b', 'p:c']);
    expect(buildArgv('rename', ['a', 'b'], 'p:')).toEqual(['rename', 'p:a', 'p:b']);
    expect(buildArgv('eval', ['return 1', 2, 'k1', 'k2', 'arg'], 'p:')).toEqual(['eval', 'return 1', '2', 'p:k1', 'p:k2', 'arg']);
    expect(buildArgv('zunionstore', ['d', 2, 'a', 'b', 'WEIGHTS', 1, 2], 'p:')).toEqual([
      'zunionstore', 'p:d', '2', 'p:a', 'p:b', 'WEIGHTS', '1', '2',
    ]);
    expect(buildArgv('xread', ['COUNT', 1, 'STREAMS', 's1', 's2', '0', '0'], 'p:')).toEqual([
      'xread', 'COUNT', '1', 'STREAMS', 'p:s1', 'p:s2', '0', '0',
    ]);
    expect(buildArgv('sort', ['l', 'BY', 'w_*', 'GET', '#', 'GET', 'o_*', 'STORE', 'd'], 'p:')).toEqual([
      'sort', 'p:l', 'BY', 'p:w_*', 'GET', '#', 'GET', 'p:o_*', 'STORE', 'p:d',
    ]);
    // Keyless commands and commands ioredis does not know are left alone.
    expect(buildArgv('ping', ['a'], 'p:')).toEqual(['ping', 'a']);
    expect(buildArgv('hgetf', ['h', 'x'], 'p:')).toEqual(['hgetf', 'h', 'x']);
    // Case-insensitive lookup of the command.
    expect(buildArgv('GET', ['a'], 'p:')).toEqual(['GET', 'p:a']);
    // ioredis quirk: a missing key becomes `prefix + undefined` (so `get()` is not an arity error).
    expect(buildArgv('get', [], 'p:')).toEqual(['get', 'p:undefined']);
    expect(buildArgv('eval', ['s', 2], 'p:')).toEqual(['eval', 's', '2', 'p:undefined', 'p:undefined']);
  });

  it('prefixes Buffer keys with bytes and string keys with a Buffer prefix', () => {
    const argv = buildArgv('get', [Buffer.from([0xff])], 'p:');
    expect(argv[1]).toEqual(Buffer.from([0x70, 0x3a, 0xff]));
    const viaBufferPrefix: (string | Buffer)[] = ['get', 'k'];
    prefixKeys(viaBufferPrefix, Buffer.from('b:'));
    expect(viaBufferPrefix[1]).toEqual(Buffer.from('b:k'));
  });

  it('finds the same key positions as @ioredis/commands for random argument lists', () => {
    const names = ioredisCommandList.filter((name) => name !== 'migrate');
    const word = fc.oneof(
      fc.constantFrom('STORE', 'storedist', 'BY', 'GET', '#', 'STREAMS', 'KEYS', '', '0', '1', '2', '3'),
      // (no numeric-looking strings: ioredis trusts a numkeys of 1e9 and loops that long)
      fc.string({ maxLength: 3 }).filter((s) => Number.isNaN(Number(s))),
      fc.integer({ min: 0, max: 4 }).map(String),
    );
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.array(word, { maxLength: 9 }), (name, args) => {
        const expected = (getKeyIndexes(name, args) as number[]).map((i) => i + 1);
        expect(ioredisKeyPositions([name, ...args])).toEqual(expected);
      }),
      { numRuns: 5000 },
    );
    // MIGRATE has its own layout (KEYS after an empty key argument).
    const migrate = ['h', '1', '', '0', '5', 'COPY', 'KEYS', 'a', 'b'];
    expect(ioredisKeyPositions(['migrate', ...migrate])).toEqual((getKeyIndexes('migrate', migrate) as number[]).map((i) => i + 1));
    expect(exists('migrate')).toBe(true);
  });
});
