/**
 * The bitmap commands: exact replies and errors of Redis 7.4 (bitops.c; checked against the 7.4.1
 * transcripts and a live 7.0 server), the order in which arguments are checked, stored
 * representation and encoding, keyspace events and replication effects, cross-slot BITOP, the
 * proto-max-bulk-len limit, a property test against a naive bit-array model, and a differential
 * run against the live `redis-server`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ManagedRedis } from '../../src/managed-redis.js';
import type { Bytes } from '../../src/keyspace/bytes.js';
import { slotOfName } from '../../src/cluster/slots.js';
import { stringEncoding } from '../../src/keyspace/types/string.js';
import { ReplyError } from '../../src/protocol/errors.js';
import { toTyped, sameReply, type Typed } from '../support/oracle.js';
import { describeLiveSession } from '../support/live.js';
import { err, harness, int, NIL, NOT_INT, OK, SYNTAX, T0, WRONGTYPE, type Harness } from '../support/command-harness.js';


const ints = (...ns: (number | string | null)[]): Typed => ['*', ns.map((n) => (n === null ? NIL : int(n)))];
const OFFSET = err('ERR bit offset is not an integer or out of range');
const BIT = err('ERR bit is not an integer or out of range');
const TYPE = err('ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.');
const BIT01 = err('ERR The bit argument must be 1 or 0.');
const NOT_SINGLE = err('ERR BITOP NOT must be called with a single source key.');
const hex = (h: Harness, key: Bytes) => {
  const value = h.stored(key);
  return value === undefined ? undefined : Buffer.from(value as Buffer | string).toString('hex');
};

let h: Harness;
afterEach(() => h?.cache.close());

describe('SETBIT and GETBIT', () => {
  it('numbers bits from the most significant bit of the first byte and answers the old bit', () => {
    h = harness();
    expect(h.run('SETBIT', 'k', '7', '1')).toEqual(int(0));
    expect(hex(h, 'k')).toBe('01');
    expect(h.run('SETBIT', 'k', '0', '1')).toEqual(int(0));
    expect(hex(h, 'k')).toBe('81');
    expect(h.run('SETBIT', 'k', '0', '0')).toEqual(int(1));
    expect(h.run('GETBIT', 'k', '7')).toEqual(int(1));
    expect(h.run('GETBIT', 'k', '6')).toEqual(int(0));
    // Past the end: zero, and reading does not grow the value.
    expect(h.run('GETBIT', 'k', '100000')).toEqual(int(0));
    expect(h.run('STRLEN', 'k')).toEqual(int(1));
    expect(h.run('GETBIT', 'missing', '3')).toEqual(int(0));
  });

  it('grows the value with zero bytes to reach the offset', () => {
    h = harness();
    h.run('SET', 'k', 'a');
    expect(h.run('SETBIT', 'k', '23', '1')).toEqual(int(0));
    expect(hex(h, 'k')).toBe('610001');
    expect(h.run('SETBIT', 'fresh', '100', '0')).toEqual(int(0));
    expect(h.run('STRLEN', 'fresh')).toEqual(int(13));
  });

  it('reads an integer-encoded value as its decimal text', () => {
    h = harness();
    h.run('SET', 'n', '1'); // "1" is 0x31 = 00110001
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((i) => h.run('GETBIT', 'n', String(i))[1])).toEqual(['0', '0', '1', '1', '0', '0', '0', '1']);
    expect(h.run('SETBIT', 'n', '6', '1')).toEqual(int(0));
    expect(h.run('GET', 'n')).toEqual(['$', '3']);
  });

  it('checks the offset, then the bit, then the key type', () => {
    h = harness();
    h.wrongType('l');
    for (const bad of ['-1', 'abc', '1.5', '', '+1', '01', '4294967296', '9223372036854775808']) {
      expect(h.run('SETBIT', 'k', bad, '1')).toEqual(OFFSET);
      expect(h.run('GETBIT', 'k', bad)).toEqual(OFFSET);
    }
    expect(h.run('GETBIT', 'k', '#1')).toEqual(OFFSET);
    for (const bad of ['2', '-1', 'abc', '', '01', '9223372036854775808']) expect(h.run('SETBIT', 'k', '0', bad)).toEqual(BIT);
    expect(h.run('SETBIT', 'l', 'x', 'y')).toEqual(OFFSET);
    expect(h.run('SETBIT', 'l', '0', 'y')).toEqual(BIT);
    expect(h.run('SETBIT', 'l', '0', '1')).toEqual(WRONGTYPE);
    expect(h.run('GETBIT', 'l', 'x')).toEqual(OFFSET);
    expect(h.run('GETBIT', 'l', '0')).toEqual(WRONGTYPE);
    expect(h.run('GETBIT', 'l', '4294967295')).toEqual(WRONGTYPE);
    expect(h.run('EXISTS', 'k')).toEqual(int(0));
  });

  it('refuses offsets whose byte would pass proto-max-bulk-len', () => {
    h = harness();
    h.cache.settings.setInternal('proto-max-bulk-len', '10');
    expect(h.run('SETBIT', 'k', '79', '1')).toEqual(int(0));
    expect(h.run('SETBIT', 'k', '80', '1')).toEqual(OFFSET);
    expect(h.run('GETBIT', 'k', '80')).toEqual(OFFSET);
    expect(h.run('BITFIELD', 'k', 'GET', 'u8', '79')).toEqual(ints(128));
    expect(h.run('BITFIELD', 'k', 'GET', 'u8', '80')).toEqual(OFFSET);
    expect(h.run('BITFIELD', 'k', 'GET', 'u8', '#9')).toEqual(ints(1));
    expect(h.run('BITFIELD', 'k', 'GET', 'u8', '#10')).toEqual(OFFSET);
    expect(h.run('STRLEN', 'k')).toEqual(int(10));
  });

  it('stores a new raw Buffer: earlier replies and other keys holding the same bytes never change', () => {
    h = harness();
    const shared = Buffer.from('ab');
    h.run('SET', 'k', shared);
    h.run('SET', 'other', shared);
    const before = h.raw('GET', 'k') as Buffer;
    expect(h.run('SETBIT', 'k', '0', '1')).toEqual(int(0));
    expect(before.toString()).toBe('ab');
    expect(shared.toString()).toBe('ab');
    expect(h.run('GET', 'other')).toEqual(['$', 'ab']);
    expect(hex(h, 'k')).toBe('e162');
    expect(h.run('OBJECT', 'ENCODING', 'k')).toEqual(['$', 'raw']);
  });

  it('makes the value raw even when no bit changes, but reports no change then', () => {
    h = harness();
    h.run('SET', 'k', 'abc');
    expect(h.run('OBJECT', 'ENCODING', 'k')).toEqual(['$', 'embstr']);
    h.changes.length = 0;
    expect(h.run('SETBIT', 'k', '0', '0')).toEqual(int(0));
    expect(h.run('OBJECT', 'ENCODING', 'k')).toEqual(['$', 'raw']);
    expect(h.changes).toEqual([]);
    expect(h.run('SETBIT', 'k', '1', '1')).toEqual(int(1));
    expect(h.changes).toEqual([]);
    h.run('SET', 'n', '12');
    expect(h.run('OBJECT', 'ENCODING', 'n')).toEqual(['$', 'int']);
    h.run('SETBIT', 'n', '0', '0');
    expect(h.run('OBJECT', 'ENCODING', 'n')).toEqual(['$', 'raw']);
    expect(stringEncoding(h.stored('n') as Bytes)).toBe('raw');
  });

  it('reports a setbit event and replicates its argv when a bit flips or the value grows; keeps the TTL', () => {
    h = harness();
    h.run('SET', 'k', 'a', 'EX', '100');
    h.changes.length = 0;
    h.run('SETBIT', 'k', '7', '0'); // 'a' = 0x61: bit 7 is 1
    h.run('SETBIT', 'k', '15', '0'); // grows, bit stays 0
    expect(h.changes.map((c) => [c.command, c.keys, c.events, c.effects.map((e) => e.map(String))])).toEqual([
      ['setbit', ['k'], ['setbit'], [['SETBIT', 'k', '7', '0']]],
      ['setbit', ['k'], ['setbit'], [['SETBIT', 'k', '15', '0']]],
    ]);
    expect(h.run('TTL', 'k')).toEqual(int(100));
    expect(hex(h, 'k')).toBe('6000');
  });

  it('treats __proto__ as an ordinary key', () => {
    h = harness();
    expect(h.run('SETBIT', '__proto__', '1', '1')).toEqual(int(0));
    expect(h.run('GETBIT', '__proto__', '1')).toEqual(int(1));
    expect(h.run('BITCOUNT', '__proto__')).toEqual(int(1));
  });

  it('checks arity', () => {
    h = harness();
    expect(h.run('SETBIT', 'k', '1')).toEqual(err("ERR wrong number of arguments for 'setbit' command"));
    expect(h.run('GETBIT', 'k')).toEqual(err("ERR wrong number of arguments for 'getbit' command"));
    expect(h.run('BITCOUNT')).toEqual(err("ERR wrong number of arguments for 'bitcount' command"));
    expect(h.run('BITPOS', 'k')).toEqual(err("ERR wrong number of arguments for 'bitpos' command"));
    expect(h.run('BITOP', 'AND', 'd')).toEqual(err("ERR wrong number of arguments for 'bitop' command"));
    expect(h.run('BITFIELD')).toEqual(err("ERR wrong number of arguments for 'bitfield' command"));
    expect(h.run('BITFIELD_RO')).toEqual(err("ERR wrong number of arguments for 'bitfield_ro' command"));
  });
});

describe('BITCOUNT', () => {
  it('counts set bits of the whole value or of a byte range with negative indexes', () => {
    h = harness();
    h.run('SET', 'k', 'foobar');
    expect(h.run('BITCOUNT', 'k')).toEqual(int(26));
    expect(h.run('BITCOUNT', 'k', '0', '0')).toEqual(int(4));
    expect(h.run('BITCOUNT', 'k', '1', '1')).toEqual(int(6));
    expect(h.run('BITCOUNT', 'k', '1', '1', 'BYTE')).toEqual(int(6));
    expect(h.run('BITCOUNT', 'k', '0', '-1')).toEqual(int(26));
    expect(h.run('BITCOUNT', 'k', '-2', '-1')).toEqual(int(7));
    expect(h.run('BITCOUNT', 'k', '-100', '100')).toEqual(int(26));
    expect(h.run('BITCOUNT', 'k', '4', '2')).toEqual(int(0));
    expect(h.run('BITCOUNT', 'k', '-1', '-2')).toEqual(int(0));
    expect(h.run('BITCOUNT', 'k', '-9223372036854775808', '9223372036854775807')).toEqual(int(26));
    expect(h.run('BITCOUNT', 'missing')).toEqual(int(0));
    expect(h.run('BITCOUNT', 'missing', '0', '-1')).toEqual(int(0));
  });

  it('counts bit ranges with partial first and last bytes', () => {
    h = harness();
    h.run('SET', 'k', 'foobar');
    expect(h.run('BITCOUNT', 'k', '5', '30', 'BIT')).toEqual(int(17));
    expect(h.run('BITCOUNT', 'k', '5', '30', 'bit')).toEqual(int(17));
    expect(h.run('BITCOUNT', 'k', '1', '1', 'BIT')).toEqual(int(1));
    expect(h.run('BITCOUNT', 'k', '0', '0', 'BIT')).toEqual(int(0));
    expect(h.run('BITCOUNT', 'k', '-3', '-1', 'BIT')).toEqual(int(1));
    expect(h.run('BITCOUNT', 'k', '3', '4', 'BIT')).toEqual(int(0));
    expect(h.run('BITCOUNT', 'k', '1', '2', 'BIT')).toEqual(int(2));
  });

  it('parses the range before looking the key up (7.4), so errors come before WRONGTYPE and missing keys', () => {
    h = harness();
    h.wrongType('l');
    expect(h.run('BITCOUNT', 'missing', '0')).toEqual(SYNTAX);
    expect(h.run('BITCOUNT', 'missing', 'a', '1')).toEqual(NOT_INT);
    expect(h.run('BITCOUNT', 'missing', '0', 'b')).toEqual(NOT_INT);
    expect(h.run('BITCOUNT', 'missing', '0', '1', 'BITS')).toEqual(SYNTAX);
    expect(h.run('BITCOUNT', 'missing', '0', '1', 'BIT', 'x')).toEqual(SYNTAX);
    expect(h.run('BITCOUNT', 'l', 'x', '1')).toEqual(NOT_INT);
    expect(h.run('BITCOUNT', 'l', '0', '1', 'nope')).toEqual(SYNTAX);
    expect(h.run('BITCOUNT', 'l')).toEqual(WRONGTYPE);
    expect(h.run('BITCOUNT', 'l', '0', '1')).toEqual(WRONGTYPE);
  });
});

describe('BITPOS', () => {
  it('finds the first set or clear bit (the examples of the Redis docs)', () => {
    h = harness();
    h.run('SET', 'k', Buffer.from([0xff, 0xf0, 0x00]));
    expect(h.run('BITPOS', 'k', '0')).toEqual(int(12));
    h.run('SET', 'k', Buffer.from([0x00, 0xff, 0xf0]));
    expect(h.run('BITPOS', 'k', '1', '0')).toEqual(int(8));
    expect(h.run('BITPOS', 'k', '1', '2')).toEqual(int(16));
    expect(h.run('BITPOS', 'k', '1', '2', '-1', 'BYTE')).toEqual(int(16));
    expect(h.run('BITPOS', 'k', '1', '7', '15', 'BIT')).toEqual(int(8));
    expect(h.run('BITPOS', 'k', '1', '7', '-3', 'BIT')).toEqual(int(8));
    h.run('SET', 'k', Buffer.from([0, 0, 0]));
    expect(h.run('BITPOS', 'k', '1')).toEqual(int(-1));
  });

  it('treats the right of the value as zeros only when no end is given', () => {
    h = harness();
    h.run('SET', 'k', Buffer.from([0xff, 0xff, 0xff]));
    expect(h.run('BITPOS', 'k', '0')).toEqual(int(24));
    expect(h.run('BITPOS', 'k', '0', '1')).toEqual(int(24));
    expect(h.run('BITPOS', 'k', '0', '0', '-1')).toEqual(int(-1));
    expect(h.run('BITPOS', 'k', '0', '3', '10', 'BIT')).toEqual(int(-1));
    expect(h.run('BITPOS', 'k', '0', '5')).toEqual(int(-1)); // start past the end: empty range
    expect(h.run('BITPOS', 'missing', '0')).toEqual(int(0));
    expect(h.run('BITPOS', 'missing', '1')).toEqual(int(-1));
    expect(h.run('BITPOS', 'missing', '0', '5', '10', 'BIT')).toEqual(int(0));
    h.run('SET', 'empty', '');
    expect(h.run('BITPOS', 'empty', '0')).toEqual(int(-1));
    expect(h.run('BITPOS', 'empty', '1')).toEqual(int(-1));
  });

  it('handles bit ranges that start and end inside one byte', () => {
    h = harness();
    h.run('SET', 'k', Buffer.from([0b10100101, 0b00001111]));
    expect(h.run('BITPOS', 'k', '1', '1', '1', 'BIT')).toEqual(int(-1));
    expect(h.run('BITPOS', 'k', '1', '1', '2', 'BIT')).toEqual(int(2));
    expect(h.run('BITPOS', 'k', '0', '2', '2', 'BIT')).toEqual(int(-1));
    expect(h.run('BITPOS', 'k', '0', '2', '3', 'BIT')).toEqual(int(3));
    expect(h.run('BITPOS', 'k', '1', '8', '11', 'BIT')).toEqual(int(-1));
    expect(h.run('BITPOS', 'k', '1', '6', '12', 'BIT')).toEqual(int(7));
    expect(h.run('BITPOS', 'k', '0', '12', '15', 'BIT')).toEqual(int(-1));
    expect(h.run('BITPOS', 'k', '0', '7', '15', 'BIT')).toEqual(int(8));
  });

  it('checks the bit, then the range, then the key type', () => {
    h = harness();
    h.wrongType('l');
    expect(h.run('BITPOS', 'l', '2')).toEqual(BIT01);
    expect(h.run('BITPOS', 'l', '-1')).toEqual(BIT01);
    expect(h.run('BITPOS', 'l', 'x')).toEqual(NOT_INT);
    expect(h.run('BITPOS', 'l', '1', 'x')).toEqual(NOT_INT);
    expect(h.run('BITPOS', 'l', '1', '0', '1', 'bogus')).toEqual(SYNTAX);
    expect(h.run('BITPOS', 'l', '1', '0', 'x', 'bogus')).toEqual(SYNTAX); // the unit is checked before the end
    expect(h.run('BITPOS', 'missing', '1', '0', 'x', 'BIT')).toEqual(NOT_INT);
    expect(h.run('BITPOS', 'missing', '1', '0', '1', 'BIT', 'x')).toEqual(SYNTAX);
    expect(h.run('BITPOS', 'l', '1')).toEqual(WRONGTYPE);
    expect(h.run('BITPOS', 'l', '0', '0', '1', 'BIT')).toEqual(WRONGTYPE);
  });
});

describe('BITOP', () => {
  it('combines values of different lengths, missing ones as empty, and answers the result length', () => {
    h = harness();
    h.run('SET', 'a', Buffer.from([0xf0, 0x0f, 0xff]));
    h.run('SET', 'b', Buffer.from([0xcc]));
    expect(h.run('BITOP', 'AND', 'd', 'a', 'b')).toEqual(int(3));
    expect(hex(h, 'd')).toBe('c00000');
    expect(h.run('BITOP', 'or', 'd', 'a', 'b', 'missing')).toEqual(int(3));
    expect(hex(h, 'd')).toBe('fc0fff');
    expect(h.run('BITOP', 'XOR', 'd', 'a', 'b', 'b')).toEqual(int(3));
    expect(hex(h, 'd')).toBe('f00fff');
    expect(h.run('BITOP', 'Not', 'd', 'a')).toEqual(int(3));
    expect(hex(h, 'd')).toBe('0ff000');
    expect(h.run('BITOP', 'AND', 'd', 'a', 'missing')).toEqual(int(3));
    expect(hex(h, 'd')).toBe('000000');
    expect(h.run('BITOP', 'AND', 'd', 'a')).toEqual(int(3));
    expect(hex(h, 'd')).toBe('f00fff');
    expect(h.run('OBJECT', 'ENCODING', 'd')).toEqual(['$', 'raw']);
  });

  it('reads integer-encoded sources as text; the result is raw whatever its size', () => {
    h = harness();
    h.run('SET', 'n', '1');
    expect(h.run('BITOP', 'OR', 'd', 'n')).toEqual(int(1));
    expect(h.run('GET', 'd')).toEqual(['$', '1']);
    expect(h.run('OBJECT', 'ENCODING', 'd')).toEqual(['$', 'raw']);
  });

  it('deletes the destination when every source is empty or missing', () => {
    h = harness();
    h.run('SET', 'd', 'x');
    h.run('SET', 'e', '');
    h.changes.length = 0;
    expect(h.run('BITOP', 'OR', 'd', 'missing', 'e')).toEqual(int(0));
    expect(h.run('EXISTS', 'd')).toEqual(int(0));
    expect(h.run('BITOP', 'OR', 'd', 'missing')).toEqual(int(0));
    expect(h.changes.map((c) => [c.keys, c.events, c.effects.map((e) => e.map(String))])).toEqual([
      [['d'], ['del'], [['BITOP', 'OR', 'd', 'missing', 'e']]],
    ]);
  });

  it('overwrites a destination of any type and drops its TTL, reporting a set event', () => {
    h = harness();
    h.run('SET', 'a', 'x');
    h.wrongType('d');
    expect(h.run('BITOP', 'NOT', 'd', 'a')).toEqual(int(1));
    expect(h.run('TYPE', 'd')).toEqual(['+', 'string']);
    h.run('EXPIRE', 'd', '100');
    h.changes.length = 0;
    expect(h.run('BITOP', 'AND', 'd', 'a', 'd')).toEqual(int(1));
    expect(h.run('TTL', 'd')).toEqual(int(-1));
    expect(h.changes.map((c) => [c.command, c.keys, c.events])).toEqual([['bitop', ['d'], ['set']]]);
  });

  it('checks the operation, then NOT\'s single source, then the source types', () => {
    h = harness();
    h.wrongType('l');
    h.run('SET', 'd', 'keep');
    for (const op of ['DIFF', 'ANDOR', 'ONE', 'NAND', 'an', '']) expect(h.run('BITOP', op, 'd', 'l')).toEqual(SYNTAX);
    expect(h.run('BITOP', 'NOT', 'd', 'a', 'b')).toEqual(NOT_SINGLE);
    expect(h.run('BITOP', 'NOT', 'd', 'l')).toEqual(WRONGTYPE);
    expect(h.run('BITOP', 'OR', 'd', 'missing', 'l')).toEqual(WRONGTYPE);
    expect(h.run('GET', 'd')).toEqual(['$', 'keep']);
  });

  it('needs its keys in one slot under OSS', () => {
    h = harness({ policy: 'OSS' });
    expect(h.run('BITOP', 'AND', 'key:0', 'key:1')).toEqual(err("CROSSSLOT Keys in request don't hash to the same slot"));
    h.run('SET', '{t}a', 'x');
    expect(h.run('BITOP', 'AND', '{t}d', '{t}a', '{t}b')).toEqual(int(1));
  });
});

describe('BITFIELD', () => {
  it('answers the examples of the Redis docs', () => {
    h = harness();
    expect(h.run('BITFIELD', 'k', 'INCRBY', 'i5', '100', '1', 'GET', 'u4', '0')).toEqual(ints(1, 0));
    const step = () => h.run('BITFIELD', 'm', 'incrby', 'u2', '100', '1', 'OVERFLOW', 'SAT', 'incrby', 'u2', '102', '1');
    expect([step(), step(), step(), step()]).toEqual([ints(1, 1), ints(2, 2), ints(3, 3), ints(0, 3)]);
    expect(h.run('BITFIELD', 'f', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '102', '4')).toEqual(ints(null));
  });

  it('SET answers the old value, INCRBY the new one; operations apply left to right', () => {
    h = harness();
    expect(h.run('BITFIELD', 'k', 'SET', 'u8', '0', '255', 'GET', 'u8', '0', 'SET', 'i8', '0', '-1', 'GET', 'i8', '0')).toEqual(
      ints(0, 255, -1, -1),
    );
    expect(h.run('BITFIELD', 'k', 'INCRBY', 'u8', '0', '1', 'GET', 'u4', '4', 'SET', 'u4', '#1', '15')).toEqual(ints(0, 0, 0));
    expect(hex(h, 'k')).toBe('0f');
    // # offsets count fields of the type.
    expect(h.run('BITFIELD', 'h', 'SET', 'u8', '#2', '65', 'GET', 'u8', '16')).toEqual(ints(0, 65));
    expect(hex(h, 'h')).toBe('000041');
    expect(h.run('BITFIELD', 'k')).toEqual(['*', []]);
  });

  it('wraps, saturates or fails per the OVERFLOW in force, for signed and unsigned fields', () => {
    h = harness();
    expect(h.run('BITFIELD', 'k', 'SET', 'i8', '0', '127', 'INCRBY', 'i8', '0', '1')).toEqual(ints(0, -128));
    expect(h.run('BITFIELD', 'k', 'OVERFLOW', 'SAT', 'INCRBY', 'i8', '0', '-10')).toEqual(ints(-128));
    expect(h.run('BITFIELD', 'k', 'OVERFLOW', 'SAT', 'INCRBY', 'i8', '0', '1000')).toEqual(ints(127));
    expect(h.run('BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'i8', '0', '1', 'GET', 'i8', '0')).toEqual(ints(null, 127));
    expect(h.run('BITFIELD', 'k', 'OVERFLOW', 'wrap', 'INCRBY', 'i8', '0', '257')).toEqual(ints(-128));
    // SET values out of the type's range go through the same policy.
    expect(h.run('BITFIELD', 'u', 'SET', 'u8', '0', '-1', 'GET', 'u8', '0')).toEqual(ints(0, 255));
    expect(h.run('BITFIELD', 'u', 'OVERFLOW', 'SAT', 'SET', 'u8', '0', '-5', 'GET', 'u8', '0')).toEqual(ints(255, 255));
    expect(h.run('BITFIELD', 'u', 'OVERFLOW', 'SAT', 'SET', 'u8', '0', '300', 'SET', 'i8', '0', '-300', 'GET', 'i8', '0')).toEqual(
      ints(255, -1, -128),
    );
    expect(h.run('BITFIELD', 'u', 'OVERFLOW', 'FAIL', 'SET', 'u8', '0', '256', 'SET', 'u8', '0', '7')).toEqual(ints(null, 128));
    expect(h.run('BITFIELD', 'u', 'OVERFLOW', 'SAT', 'INCRBY', 'u8', '0', '-100')).toEqual(ints(0));
  });

  it('saturates a SET value far below a signed range to max, as the C overflow check does', () => {
    h = harness();
    // checkSignedBitfieldOverflow's `maxincr = max - value` wraps past INT64_MAX (answers checked
    // against redis-server).
    const cases: [string, string, string][] = [
      ['i8', '-9223372036854775808', '127'],
      ['i8', '-129', '-128'],
      ['i60', '-9000000000000000000', '576460752303423487'],
      ['i62', '-6917529027641081857', '2305843009213693951'],
      ['i62', '-6917529027641081856', '-2305843009213693952'],
      ['i63', '-4611686018427387905', '4611686018427387903'],
      ['i64', '-9223372036854775808', '-9223372036854775808'],
    ];
    for (const [type, value, stored] of cases) {
      expect(h.run('BITFIELD', `k${type}${value}`, 'OVERFLOW', 'SAT', 'SET', type, '0', value, 'GET', type, '0')).toEqual(ints(0, stored));
    }
    expect(h.run('BITFIELD', 'w', 'OVERFLOW', 'WRAP', 'SET', 'i63', '0', '-4611686018427387905', 'GET', 'i63', '0')).toEqual(
      ints(0, '4611686018427387903'),
    );
    expect(h.run('BITFIELD', 'i', 'OVERFLOW', 'SAT', 'INCRBY', 'i63', '0', '-4611686018427387905')).toEqual(ints('-4611686018427387904'));
  });

  it('handles 63- and 64-bit fields at the int64 edges', () => {
    h = harness();
    const max = '9223372036854775807';
    const min = '-9223372036854775808';
    expect(h.run('BITFIELD', 'k', 'SET', 'i64', '0', max, 'INCRBY', 'i64', '0', '1')).toEqual(ints(0, min));
    expect(h.run('BITFIELD', 'k', 'OVERFLOW', 'SAT', 'INCRBY', 'i64', '0', '-1', 'INCRBY', 'i64', '0', min)).toEqual(ints(min, min));
    expect(h.run('BITFIELD', 'k', 'OVERFLOW', 'SAT', 'INCRBY', 'i64', '0', '-1', 'INCRBY', 'i64', '0', max, 'INCRBY', 'i64', '0', max)).toEqual(
      ints(min, '-1', '9223372036854775806'),
    );
    expect(h.run('BITFIELD', 'k', 'OVERFLOW', 'SAT', 'SET', 'u63', '0', max, 'INCRBY', 'u63', '0', '5')).toEqual(ints('4611686018427387903', max));
    expect(h.run('BITFIELD', 'k', 'INCRBY', 'u63', '0', '1')).toEqual(ints(0));
    expect(h.run('BITFIELD', 'k', 'SET', 'i64', '3', '-2', 'GET', 'i64', '3', 'GET', 'u63', '3', 'GET', 'i1', '66')).toEqual(
      ints(0, -2, max, 0),
    );
    // Fields may straddle any byte boundary, past the current end too.
    expect(h.run('BITFIELD', 'w', 'SET', 'u13', '5', '8191', 'GET', 'u16', '0', 'GET', 'i3', '16')).toEqual(ints(0, 2047, -2));
  });

  it('multiplies # offsets in 64 bits as the C code does', () => {
    h = harness();
    // 2^62 × 64 wraps to 0; 3 × 2^62 wraps negative.
    expect(h.run('BITFIELD', 'k', 'SET', 'i64', '#4611686018427387904', '1')).toEqual(ints(0));
    expect(h.run('STRLEN', 'k')).toEqual(int(8));
    expect(h.run('BITFIELD', 'k', 'GET', 'i3', '#4611686018427387904')).toEqual(OFFSET);
  });

  it('checks every operation before running any, in Redis\'s order', () => {
    h = harness();
    h.wrongType('l');
    h.run('SET', 'k', 'x');
    for (const type of ['u64', 'i65', 'u0', 'i0', 'I8', 'U8', 'x8', 'i', '', 'i-1', 'i08', 'u 8', 'i8 ']) {
      expect(h.run('BITFIELD', 'k', 'GET', type, '0')).toEqual(TYPE);
    }
    expect(h.run('BITFIELD', 'k', 'GET', Buffer.from('i8\0junk'), '0')).toEqual(ints(120)); // read as a C string ('x')
    for (const offset of ['-1', '#-1', '#', '##1', 'abc', '#1.5', '1.5', '4294967296']) {
      expect(h.run('BITFIELD', 'k', 'GET', 'u8', offset)).toEqual(OFFSET);
    }
    expect(h.run('BITFIELD', 'k', 'SET', 'u8', '0', 'abc')).toEqual(NOT_INT);
    expect(h.run('BITFIELD', 'k', 'INCRBY', 'u8', '0', '9223372036854775808')).toEqual(NOT_INT);
    expect(h.run('BITFIELD', 'k', 'SET', 'x8', 'bad', 'bad')).toEqual(TYPE);
    expect(h.run('BITFIELD', 'k', 'SET', 'u8', 'bad', 'bad')).toEqual(OFFSET);
    expect(h.run('BITFIELD', 'k', 'OVERFLOW', 'BOGUS')).toEqual(err('ERR Invalid OVERFLOW type specified'));
    expect(h.run('BITFIELD', 'k', 'OVERFLOW')).toEqual(SYNTAX);
    expect(h.run('BITFIELD', 'k', 'GET', 'u8')).toEqual(SYNTAX);
    expect(h.run('BITFIELD', 'k', 'SET', 'u8', '0')).toEqual(SYNTAX);
    expect(h.run('BITFIELD', 'k', 'BOGUS', 'u8', '0')).toEqual(SYNTAX);
    // An error after a valid write leaves the value untouched.
    expect(h.run('BITFIELD', 'k', 'SET', 'u8', '0', '1', 'GET', 'u64', '0')).toEqual(TYPE);
    expect(h.run('GET', 'k')).toEqual(['$', 'x']);
    // Argument errors come before WRONGTYPE.
    expect(h.run('BITFIELD', 'l', 'GET', 'u64', '0')).toEqual(TYPE);
    expect(h.run('BITFIELD', 'l', 'GET', 'u8', '0')).toEqual(WRONGTYPE);
    expect(h.run('BITFIELD', 'l', 'SET', 'u8', '0', '1')).toEqual(WRONGTYPE);
    expect(h.run('BITFIELD', 'l')).toEqual(WRONGTYPE);
  });

  it('reports one setbit event per command with changes, and none when nothing changed', () => {
    h = harness();
    h.changes.length = 0;
    h.run('BITFIELD', 'k', 'SET', 'u8', '0', '1', 'SET', 'u8', '8', '2', 'GET', 'u8', '0');
    h.run('BITFIELD', 'k', 'SET', 'u8', '0', '1'); // same value
    h.run('BITFIELD', 'k', 'GET', 'u8', '0');
    h.run('BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '1000');
    expect(h.changes.map((c) => [c.command, c.keys, c.events, c.effects.map((e) => e.map(String))])).toEqual([
      ['bitfield', ['k'], ['setbit'], [['BITFIELD', 'k', 'SET', 'u8', '0', '1', 'SET', 'u8', '8', '2', 'GET', 'u8', '0']]],
    ]);
  });

  it('creates the key even when every write fails, as Redis does (without reporting a change)', () => {
    h = harness();
    h.changes.length = 0;
    expect(h.run('BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '100', '5')).toEqual(ints(null));
    expect(h.run('STRLEN', 'k')).toEqual(int(13));
    expect(h.changes).toEqual([]);
  });

  it('BITFIELD with only GETs reads (missing = zeros) and does not create or convert the key', () => {
    h = harness();
    expect(h.run('BITFIELD', 'k', 'GET', 'u8', '0', 'OVERFLOW', 'SAT', 'GET', 'i4', '#3')).toEqual(ints(0, 0));
    expect(h.run('EXISTS', 'k')).toEqual(int(0));
    h.run('SET', 'k', 'abc');
    expect(h.run('BITFIELD', 'k', 'GET', 'u8', '8')).toEqual(ints(98));
    expect(h.run('OBJECT', 'ENCODING', 'k')).toEqual(['$', 'embstr']);
  });

  it('BITFIELD_RO accepts GET (and OVERFLOW) only', () => {
    h = harness();
    h.run('SET', 'k', 'abc');
    h.wrongType('l');
    expect(h.run('BITFIELD_RO', 'k', 'GET', 'u8', '0', 'GET', 'i16', '#1')).toEqual(ints(97, 25344));
    expect(h.run('BITFIELD_RO', 'k', 'OVERFLOW', 'FAIL', 'GET', 'u8', '0')).toEqual(ints(97));
    expect(h.run('BITFIELD_RO', 'k')).toEqual(['*', []]);
    const roOnly = err('ERR BITFIELD_RO only supports the GET subcommand');
    expect(h.run('BITFIELD_RO', 'k', 'SET', 'u8', '0', '1')).toEqual(roOnly);
    expect(h.run('BITFIELD_RO', 'l', 'INCRBY', 'u8', '0', '1')).toEqual(roOnly);
    expect(h.run('BITFIELD_RO', 'k', 'GET', 'u8', '0', 'SET', 'u8', '0', '1', 'BOGUS')).toEqual(SYNTAX);
    expect(h.run('BITFIELD_RO', 'k', 'SET', 'u64', '0', '1')).toEqual(TYPE);
    expect(h.run('BITFIELD_RO', 'l', 'GET', 'u8', '0')).toEqual(WRONGTYPE);
    expect(h.run('GET', 'k')).toEqual(['$', 'abc']);
  });

  it('answers the same in RESP3', () => {
    h = harness({ resp: 3 });
    expect(h.run('BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'SET', 'u1', '0', '2', 'SET', 'u1', '0', '1')).toEqual(ints(null, 0));
    expect(h.run('BITCOUNT', 'k')).toEqual(int(1));
  });

  it('keeps a MULTI with a failing BITFIELD from applying it, and the rest of the transaction runs', () => {
    h = harness();
    expect(h.run('MULTI')).toEqual(OK);
    h.run('BITFIELD', 'k', 'SET', 'u8', '0', '1', 'GET', 'u64', '0');
    h.run('SETBIT', 'k', '7', '1');
    expect(h.run('EXEC')).toEqual(['*', [TYPE, int(0)]]);
    expect(hex(h, 'k')).toBe('01');
  });
});

describe('keyspace notifications', () => {
  it('sends setbit, set and del as redis-server does (checked with notify-keyspace-events KEAn)', () => {
    const cache = new ManagedRedis({ clusterPolicy: 'NoCluster', clock: 'virtual', startTime: T0, activeExpiry: false, notifyKeyspaceEvents: 'KEA' });
    const client = cache.openClient({ name: null });
    const lines: string[] = [];
    client.push = (message) => {
      if (message[0] === 'pmessage') lines.push(`${String(message[2])} ${String(message[3])}`);
    };
    cache.executeReply(['PSUBSCRIBE', '__keyevent*'], client);
    try {
      cache.execute(['SETBIT', 'n1', '3', '1']);
      cache.execute(['SETBIT', 'n1', '3', '1']); // no change: no event
      cache.execute(['BITFIELD', 'n2', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '100', '5']); // creates n2, no change
      cache.execute(['BITOP', 'OR', 'd', 'n1']);
      cache.execute(['BITOP', 'OR', 'd', 'nothing']);
      cache.execute(['BITFIELD', 'n1', 'SET', 'u8', '0', '1', 'SET', 'u8', '8', '1']); // one event for two writes
      expect(lines).toEqual([
        '__keyevent@0__:setbit n1',
        '__keyevent@0__:set d',
        '__keyevent@0__:del d',
        '__keyevent@0__:setbit n1',
      ]);
    } finally {
      cache.close();
    }
  });
});

describe('replication', () => {
  it('a lagged replica that replays the effects of bit writes ends with the same data as its primary', async () => {
    // With a lag the replica replays each write's effects through the command table (lag 0
    // would copy the primary's string values instead).
    const cache = new ManagedRedis({ clock: 'virtual', seed: 7, activeExpiry: false, replication: { lag: 100 } });
    await cache.ready();
    try {
      const k = (name: string) => `{b}${name}`;
      const shard = cache.shards.findIndex((s) => s === cache.shardForSlot(slotOfName(k('x'))));
      // A view made now is a replica of its own that follows the writes from here on.
      const view = cache.replication.replicaView(shard);
      const steps: string[][] = [
        ['SETBIT', k('x'), '100', '1'],
        ['SETBIT', k('x'), '100', '1'],
        ['SETBIT', k('x'), '3', '1'],
        ['SET', k('y'), 'hello'],
        ['BITOP', 'XOR', k('z'), k('x'), k('y')],
        ['BITOP', 'NOT', k('w'), k('y')],
        ['BITOP', 'AND', k('w'), k('missing')],
        ['BITFIELD', k('x'), 'SET', 'i8', '#3', '-5', 'INCRBY', 'u4', '0', '9', 'OVERFLOW', 'FAIL', 'INCRBY', 'u4', '0', '9'],
        ['BITFIELD', k('y'), 'OVERFLOW', 'SAT', 'INCRBY', 'i16', '4', '30000', 'GET', 'u8', '0'],
      ];
      for (const step of steps) cache.execute(step);
      expect(cache.replication.replicaDigest(shard)).not.toBe(cache.replication.digest(shard));
      cache.clock.advance(1000);
      expect(cache.replication.replicaDigest(shard)).toBe(cache.replication.digest(shard));
      for (const key of ['x', 'y', 'z', 'w']) {
        expect(view.execute(['GET', k(key)])).toEqual(cache.execute(['GET', k(key)]));
      }
    } finally {
      cache.close();
    }
  });
});

describe('through the ioredis-compatible client', () => {
  it('answers numbers, arrays with nulls, and rejects with ReplyError', async () => {
    const cache = new ManagedRedis({ clusterPolicy: 'NoCluster', clock: 'virtual', startTime: T0 });
    const redis = cache.createClient();
    try {
      expect(await redis.setbit('k', 7, 1)).toBe(0);
      expect(await redis.getbit('k', 7)).toBe(1);
      expect(await redis.bitcount('k')).toBe(1);
      expect(await redis.bitpos('k', 1)).toBe(7);
      expect(await redis.bitop('NOT', 'd', 'k')).toBe(1);
      expect(await redis.getBuffer('d')).toEqual(Buffer.from([0xfe]));
      expect(await redis.bitfield('k', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '255', 'GET', 'u8', '0')).toEqual([null, 1]);
      expect(await redis.call('BITFIELD_RO', 'k', 'GET', 'i8', '0')).toEqual([1]);
      const error = await redis.setbit('k', -1, 1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ReplyError);
      expect((error as Error).message).toBe('ERR bit offset is not an integer or out of range');
    } finally {
      redis.disconnect();
      cache.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Against a naive model: one array of bits, every command written from its definition.

class Model {
  bits: number[] = [];
  private bytesLength(): number {
    return Math.ceil(this.bits.length / 8);
  }
  bit(i: number): number {
    return this.bits[i] ?? 0;
  }
  grow(bitsNeeded: number): void {
    const bytes = Math.ceil(bitsNeeded / 8);
    while (this.bits.length < bytes * 8) this.bits.push(0);
  }
  field(offset: number, width: number, signed: boolean): bigint {
    let v = 0n;
    for (let i = 0; i < width; i++) v = (v << 1n) | BigInt(this.bit(offset + i));
    return signed ? BigInt.asIntN(width, v) : v;
  }
  write(offset: number, width: number, value: bigint): void {
    const u = BigInt.asUintN(width, value);
    for (let i = 0; i < width; i++) this.bits[offset + i] = Number((u >> BigInt(width - 1 - i)) & 1n);
  }
  /**
   * The bit range [from, to] a start/end pair selects (unit bytes or bits), or null when empty.
   * BITCOUNT (`negativeShortcut`) answers 0 for two negative indexes with start > end before
   * clamping; BITPOS clamps them.
   */
  range(start: number, end: number, isBit: boolean, negativeShortcut: boolean): [number, number] | null {
    const total = isBit ? this.bytesLength() * 8 : this.bytesLength();
    if (negativeShortcut && start < 0 && end < 0 && start > end) return null;
    if (start < 0) start = Math.max(0, total + start);
    if (end < 0) end = Math.max(0, total + end);
    end = Math.min(end, total - 1);
    if (start > end) return null;
    return isBit ? [start, end] : [start * 8, end * 8 + 7];
  }
  count(r: [number, number] | null): number {
    if (r === null) return 0;
    let n = 0;
    for (let i = r[0]; i <= r[1]; i++) n += this.bit(i);
    return n;
  }
}

describe('bitmaps against a naive bit-array model', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('setbit' as const), offset: fc.integer({ min: 0, max: 70 }), on: fc.integer({ min: 0, max: 1 }) }),
    fc.record({
      kind: fc.constant('field' as const),
      write: fc.constantFrom('get', 'set', 'incrby'),
      signed: fc.boolean(),
      width: fc.integer({ min: 1, max: 64 }),
      offset: fc.integer({ min: 0, max: 70 }),
      value: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      overflow: fc.constantFrom('WRAP', 'SAT', 'FAIL'),
    }),
    fc.record({ kind: fc.constant('count' as const), start: fc.integer({ min: -12, max: 12 }), end: fc.integer({ min: -12, max: 12 }), bit: fc.boolean() }),
    fc.record({
      kind: fc.constant('pos' as const),
      target: fc.integer({ min: 0, max: 1 }),
      start: fc.option(fc.integer({ min: -80, max: 80 }), { nil: undefined }),
      end: fc.option(fc.integer({ min: -80, max: 80 }), { nil: undefined }),
      bit: fc.boolean(),
    }),
  );

  it('SETBIT, BITFIELD, BITCOUNT and BITPOS agree with the model', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        const cache = new ManagedRedis({ clusterPolicy: 'NoCluster', clock: 'virtual', startTime: T0 });
        const client = cache.openClient({ name: null });
        const model = new Model();
        let exists = false;
        try {
          for (const o of ops) {
            if (o.kind === 'setbit') {
              const reply = cache.execute(['SETBIT', 'k', String(o.offset), String(o.on)]);
              expect(reply).toBe(model.bit(o.offset));
              model.grow(o.offset + 1);
              model.bits[o.offset] = o.on;
              exists = true;
            } else if (o.kind === 'field') {
              const width = o.signed ? o.width : Math.min(o.width, 63);
              const type = `${o.signed ? 'i' : 'u'}${width}`;
              const argv = ['BITFIELD', 'k', 'OVERFLOW', o.overflow, o.write.toUpperCase(), type, String(o.offset)];
              if (o.write !== 'get') argv.push(String(o.value));
              const reply = cache.executeReply(argv, client) as unknown[];
              const old = model.field(o.offset, width, o.signed);
              let expected: bigint | null = old;
              if (o.write !== 'get') {
                model.grow(o.offset + width);
                exists = true;
                const min = o.signed ? -(2n ** BigInt(width - 1)) : 0n;
                const max = o.signed ? 2n ** BigInt(width - 1) - 1n : 2n ** BigInt(width) - 1n;
                const raw = o.write === 'incrby' ? old + o.value : o.signed ? o.value : BigInt.asUintN(64, o.value);
                let next: bigint | null = raw;
                if (raw < min || raw > max) {
                  if (o.overflow === 'FAIL') next = null;
                  else if (o.overflow === 'SAT') {
                    // Redis's C computes `max - value` in 64 bits: when that passes INT64_MAX (a
                    // SET value far below a signed range) it saturates to max instead of min.
                    const wraps = o.signed && o.write === 'set' && max - raw > 2n ** 63n - 1n;
                    next = raw > max || wraps ? max : min;
                  }
                  else next = o.signed ? BigInt.asIntN(width, raw) : BigInt.asUintN(width, raw);
                }
                if (next !== null) model.write(o.offset, width, next);
                expected = next === null ? null : o.write === 'incrby' ? next : old;
              }
              expect(reply.map((r) => (r === null ? null : BigInt(r as number)))).toEqual([expected]);
            } else if (o.kind === 'count') {
              const reply = cache.execute(['BITCOUNT', 'k', String(o.start), String(o.end), o.bit ? 'BIT' : 'BYTE']);
              expect(reply).toBe(model.count(model.range(o.start, o.end, o.bit, true)));
            } else {
              const argv = ['BITPOS', 'k', String(o.target)];
              const isBit = o.bit && o.start !== undefined && o.end !== undefined;
              if (o.start !== undefined) argv.push(String(o.start));
              if (o.start !== undefined && o.end !== undefined) argv.push(String(o.end));
              if (isBit) argv.push('BIT');
              const reply = cache.execute(argv);
              let expected: number;
              if (!exists) expected = o.target ? -1 : 0;
              else {
                const endGiven = o.start !== undefined && o.end !== undefined;
                const r = model.range(o.start ?? 0, endGiven ? o.end! : -1, isBit, false);
                expected = -1;
                if (r !== null) {
                  for (let i = r[0]; i <= r[1]; i++) {
                    if (model.bit(i) === o.target) {
                      expected = i;
                      break;
                    }
                  }
                  if (expected === -1 && o.target === 0 && !endGiven) expected = r[1] + 1;
                }
              }
              expect(reply).toBe(expected);
            }
          }
        } finally {
          cache.close();
        }
      }),
      { numRuns: Number(process.env.BITMAP_RUNS ?? 300), seed: Number(process.env.BITMAP_SEED ?? 42) },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Against a live redis-server (7.0): a script of steps whose answers 7.0 and 7.4 share.

type Step = Bytes[];

function liveScript(p: string): Step[] {
  const k = (name: string) => `${p}${name}`;
  return [
    ['SET', k('s'), 'foobar'],
    ['BITCOUNT', k('s')],
    ['BITCOUNT', k('s'), '1', '3'],
    ['BITCOUNT', k('s'), '-3', '-1', 'BIT'],
    ['BITCOUNT', k('s'), '5', '30', 'bit'],
    ['BITCOUNT', k('s'), '-1', '-5'],
    ['BITPOS', k('s'), '1'],
    ['BITPOS', k('s'), '0', '2'],
    ['BITPOS', k('s'), '1', '3', '40', 'BIT'],
    ['BITPOS', k('s'), '0', '-1', '-1', 'BYTE'],
    ['BITPOS', k('s'), '2'],
    ['SETBIT', k('b'), '13', '1'],
    ['SETBIT', k('b'), '13', '1'],
    ['SETBIT', k('b'), '0', '1'],
    ['GET', k('b')],
    ['GETBIT', k('b'), '13'],
    ['GETBIT', k('b'), '4294967295'],
    ['GETBIT', k('b'), '4294967296'],
    ['SETBIT', k('b'), '-1', '1'],
    ['SETBIT', k('b'), '1', '2'],
    ['SETBIT', k('b'), 'x', 'y'],
    ['OBJECT', 'ENCODING', k('b')],
    ['SET', k('n'), '12345'],
    ['GETBIT', k('n'), '2'],
    ['SETBIT', k('n'), '1', '0'],
    ['OBJECT', 'ENCODING', k('n')],
    ['BITOP', 'AND', k('d'), k('s'), k('b')],
    ['GET', k('d')],
    ['BITOP', 'OR', k('d'), k('s'), k('b'), k('missing')],
    ['GET', k('d')],
    ['BITOP', 'XOR', k('d'), k('s'), k('n')],
    ['GET', k('d')],
    ['BITOP', 'NOT', k('d'), k('s')],
    ['GET', k('d')],
    ['BITOP', 'NOT', k('d'), k('s'), k('b')],
    ['BITOP', 'NAND', k('d'), k('s')],
    ['BITOP', 'OR', k('d'), k('missing')],
    ['EXISTS', k('d')],
    ['BITFIELD', k('f'), 'SET', 'i8', '0', '-100', 'GET', 'u8', '0', 'INCRBY', 'i5', '100', '1', 'GET', 'u4', '0'],
    ['BITFIELD', k('f'), 'OVERFLOW', 'SAT', 'INCRBY', 'u2', '102', '7', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '102', '1'],
    ['BITFIELD', k('f'), 'SET', 'i64', '#1', '-9223372036854775808', 'INCRBY', 'i64', '#1', '-1', 'GET', 'u63', '65'],
    ['BITFIELD', k('f'), 'OVERFLOW', 'SAT', 'SET', 'u8', '#3', '-7', 'SET', 'i3', '#11', '100', 'GET', 'i3', '#11'],
    ['BITFIELD', k('f'), 'SET', 'i64', '#4611686018427387904', '7'],
    ['BITFIELD', k('f'), 'GET', 'u64', '0'],
    ['BITFIELD', k('f'), 'GET', 'i8', '#-1'],
    ['BITFIELD', k('f'), 'SET', 'i8', '0', 'x'],
    ['BITFIELD', k('f'), 'OVERFLOW', 'NOPE'],
    ['BITFIELD', k('f'), 'GET', 'i8'],
    ['BITFIELD', k('f')],
    ['GET', k('f')],
    ['BITFIELD_RO', k('f'), 'GET', 'i16', '3', 'GET', 'u1', '#77'],
    ['BITFIELD_RO', k('f'), 'SET', 'i16', '3', '1'],
    ['BITFIELD', k('new'), 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '100', '5'],
    ['STRLEN', k('new')],
    ['RPUSH', k('l'), 'x'],
    ['BITFIELD', k('l'), 'GET', 'u8', '0'],
    ['BITFIELD', k('l'), 'GET', 'u64', '0'],
    ['SETBIT', k('l'), '0', '1'],
    ['GETBIT', k('l'), '0'],
    ['BITOP', 'AND', k('d'), k('s'), k('l')],
    ['BITCOUNT', k('l')],
    ['BITPOS', k('l'), '1'],
  ];
}

describeLiveSession('bitmaps against a live redis-server', 'bitmaps-test', (session) => {
  const { prefix } = session;

  for (const resp of [2, 3] as const) {
    it(`hand-written steps answer as the live server (RESP${resp})`, async () => {
      await session.live.hello(resp);
      const cache = new ManagedRedis({ clusterPolicy: 'NoCluster', clock: 'virtual', startTime: Date.now(), evictionPolicy: 'noeviction' });
      const client = cache.openClient({ name: null });
      client.resp = resp;
      const differences: string[] = [];
      try {
        for (const step of liveScript(`${prefix}${resp}:`)) {
          const expected = await session.live.call(step);
          let actual: Typed;
          try {
            actual = toTyped(cache.executeReply(step, client), resp);
          } catch (error) {
            actual = ['-', (error as Error).message];
          }
          if (!sameReply(actual, expected)) {
            differences.push(`${JSON.stringify(step.map(String))}: live ${JSON.stringify(expected)} emulator ${JSON.stringify(actual)}`);
          }
        }
      } finally {
        cache.close();
      }
      expect(differences).toEqual([]);
    });
  }
});
