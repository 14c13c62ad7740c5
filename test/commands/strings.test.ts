/**
 * The string commands: exact replies and errors (Redis 7.4, checked against the 7.4.1 transcripts
 * and a live 7.0 server), stored representation and encodings, replication effects and keyspace
 * events, cross-slot behaviour, and a differential run against the live `redis-server`.
 */
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { ManagedRedis } from '../../src/managed-redis.js';
import { keyName, type Bytes } from '../../src/keyspace/bytes.js';
import { slotOfName } from '../../src/cluster/slots.js';
import { stringEncoding } from '../../src/keyspace/types/string.js';
import {
  addLongDouble,
  formatLongDoubleHuman,
  parseLongDouble,
} from '../../src/keyspace/types/long-double.js';
import { toTyped, sameReply, type Typed } from '../support/oracle.js';
import { describeLive } from '../support/live.js';
import { RespClient } from '../support/resp-client.js';
import { FakeList } from '../support/fake-values.js';
import { err, harness, int, NIL, NOT_INT, OK, SYNTAX, T0, WRONGTYPE, type Harness } from '../support/command-harness.js';

const INT64_MAX = '9223372036854775807';
const INT64_MIN = '-9223372036854775808';

const bulk = (s: string): Typed => ['$', s];
const NOT_FLOAT = err('ERR value is not a valid float');
const invalidExpire = (cmd: string) => err(`ERR invalid expire time in '${cmd}' command`);

let h: Harness;
afterEach(() => h?.cache.close());

describe('GET and SET', () => {
  it('stores and answers bulk strings, with a status OK and nil for missing keys', () => {
    h = harness();
    expect(h.run('GET', 'k')).toEqual(NIL);
    expect(h.run('SET', 'k', 'v')).toEqual(OK);
    expect(h.run('GET', 'k')).toEqual(bulk('v'));
    expect(h.run('SET', 'k', '')).toEqual(OK);
    expect(h.run('GET', 'k')).toEqual(bulk(''));
  });

  it('keeps values as bytes: binary data round-trips, and lengths count UTF-8 bytes', () => {
    h = harness();
    const binary = Buffer.from([0xff, 0x00, 0xfe, 0x80, 0x0d, 0x0a]);
    expect(h.run('SET', binary, binary)).toEqual(OK);
    const reply = h.cache.executeReply(['GET', binary], h.client);
    expect(Buffer.isBuffer(reply) && reply.equals(binary)).toBe(true);
    expect(h.run('STRLEN', binary)).toEqual(int(6));
    expect(h.run('SET', 'ключ', 'ü')).toEqual(OK);
    expect(h.run('STRLEN', 'ключ')).toEqual(int(2));
    // A string and a Buffer with the same bytes are the same key.
    expect(h.run('GET', Buffer.from('ключ', 'utf8'))).toEqual(bulk('ü'));
  });

  it('answers the stored value itself, without copying', () => {
    h = harness();
    const value = Buffer.from('some bytes');
    h.run('SET', 'k', value);
    expect(h.cache.executeReply(['GET', 'k'], h.client)).toBe(value);
  });

  it('treats __proto__, constructor and hasOwnProperty as ordinary keys and values', () => {
    h = harness();
    for (const name of ['__proto__', 'constructor', 'hasOwnProperty', 'toString']) {
      expect(h.run('GET', name)).toEqual(NIL);
      expect(h.run('SET', name, name)).toEqual(OK);
      expect(h.run('GET', name)).toEqual(bulk(name));
      expect(h.run('INCR', `${name}:n`)).toEqual(int(1));
    }
    expect(h.run('MGET', '__proto__', 'constructor', 'nope')).toEqual(['*', [bulk('__proto__'), bulk('constructor'), NIL]]);
    expect(h.run('DECRBY', 'fresh__proto__', '3')).toEqual(int(-3));
  });

  it('answers WRONGTYPE for GET of another type', () => {
    h = harness();
    h.wrongType('l');
    expect(h.run('GET', 'l')).toEqual(WRONGTYPE);
  });

  it('checks arity', () => {
    h = harness();
    expect(h.run('GET')).toEqual(err("ERR wrong number of arguments for 'get' command"));
    expect(h.run('GET', 'a', 'b')).toEqual(err("ERR wrong number of arguments for 'get' command"));
    expect(h.run('SET', 'k')).toEqual(err("ERR wrong number of arguments for 'set' command"));
  });
});

describe('SET options', () => {
  const syntaxCases: string[][] = [
    ['NX', 'XX'],
    ['XX', 'NX'],
    ['EX', '10', 'PX', '10'],
    ['PX', '10', 'EX', '10'],
    ['EX', '10', 'EXAT', '10'],
    ['PXAT', '10', 'PX', '10'],
    ['EXAT', '10', 'PXAT', '10'],
    ['EX', '10', 'KEEPTTL'],
    ['KEEPTTL', 'EX', '10'],
    ['KEEPTTL', 'PXAT', '10'],
    ['PERSIST'],
    ['EX'],
    ['NX', 'PX'],
    ['FOO'],
    ['NXX'],
    ['GETT'],
    ['EX', '10', 'junk'],
  ];
  for (const options of syntaxCases) {
    it(`SET k v ${options.join(' ')} is a syntax error, checked before anything else`, () => {
      h = harness();
      h.wrongType('k');
      expect(h.run('SET', 'k', 'v', ...options)).toEqual(SYNTAX);
      expect(h.stored('k')).toBeInstanceOf(FakeList);
    });
  }

  it('accepts repeated options and any letter case (the last expiry wins)', () => {
    h = harness();
    expect(h.run('SET', 'k', 'v', 'ex', '10', 'EX', '20')).toEqual(OK);
    expect(h.expiry('k')).toBe(T0 + 20_000);
    expect(h.run('SET', 'k', 'v', 'px', '5', 'Px', '7')).toEqual(OK);
    expect(h.expiry('k')).toBe(T0 + 7);
    expect(h.run('SET', 'k', 'v', 'nx', 'NX')).toEqual(NIL);
    expect(h.run('SET', 'k', 'w', 'xx', 'Xx', 'get', 'GET', 'keepttl', 'KEEPTTL')).toEqual(bulk('v'));
    expect(h.expiry('k')).toBe(T0 + 7);
  });

  it('compares option names as C strings: the bytes after a NUL do not count, only ASCII letters fold', () => {
    h = harness();
    h.run('SET', 'k', '5');
    expect(h.run('SET', 'k', '6', 'NX\0zz')).toEqual(NIL);
    expect(h.run('GET', 'k')).toEqual(bulk('5'));
    // U+017F (long s) upper-cases to S in JavaScript; Redis compares bytes.
    expect(h.run('SET', 'k', 'v', 'PER\u017fIST')).toEqual(SYNTAX);
    expect(h.run('SET', 'k', 'v', 'ne')).toEqual(SYNTAX);
  });

  it('validates the expire time: positive integers, no overflow', () => {
    h = harness();
    expect(h.run('SET', 'k', 'v', 'EX', '0')).toEqual(invalidExpire('set'));
    expect(h.run('SET', 'k', 'v', 'PX', '-1')).toEqual(invalidExpire('set'));
    expect(h.run('SET', 'k', 'v', 'EXAT', '0')).toEqual(invalidExpire('set'));
    expect(h.run('SET', 'k', 'v', 'PXAT', '0')).toEqual(invalidExpire('set'));
    expect(h.run('SET', 'k', 'v', 'EX', 'abc')).toEqual(NOT_INT);
    expect(h.run('SET', 'k', 'v', 'EX', '1.5')).toEqual(NOT_INT);
    expect(h.run('SET', 'k', 'v', 'EX', ' 1')).toEqual(NOT_INT);
    expect(h.run('SET', 'k', 'v', 'EX', '9223372036854775808')).toEqual(NOT_INT);
    // EX × 1000 overflows, or EX × 1000 + now does.
    expect(h.run('SET', 'k', 'v', 'EX', '9223372036854776')).toEqual(invalidExpire('set'));
    expect(h.run('SET', 'k', 'v', 'EX', '9223372036854775')).toEqual(invalidExpire('set'));
    expect(h.run('SET', 'k', 'v', 'EXAT', '9223372036854776')).toEqual(invalidExpire('set'));
    expect(h.run('SET', 'k', 'v', 'PX', INT64_MAX)).toEqual(invalidExpire('set'));
    expect(h.run('GET', 'k')).toEqual(NIL);
    expect(h.run('SET', 'k', 'v', 'EX', '9223372036853')).toEqual(OK);
    expect(h.run('SET', 'k', 'v', 'EXAT', '9223372036854775')).toEqual(OK);
    expect(h.run('SET', 'k', 'v', 'PXAT', INT64_MAX)).toEqual(OK);
    expect(h.run('GET', 'k')).toEqual(bulk('v'));
  });

  it('sets, keeps and drops TTLs', () => {
    h = harness();
    h.run('SET', 'k', 'v', 'EX', '100');
    expect(h.expiry('k')).toBe(T0 + 100_000);
    h.run('SET', 'k', 'w', 'KEEPTTL');
    expect(h.expiry('k')).toBe(T0 + 100_000);
    h.run('SET', 'k', 'x', 'PXAT', String(T0 + 5));
    expect(h.expiry('k')).toBe(T0 + 5);
    h.run('SET', 'k', 'y', 'EXAT', String(Math.floor(T0 / 1000) + 50));
    expect(h.expiry('k')).toBe((Math.floor(T0 / 1000) + 50) * 1000);
    h.run('SET', 'k', 'z');
    expect(h.expiry('k')).toBeUndefined();
    h.run('SET', 'k', 'z', 'PX', '10');
    h.cache.clock.advance(10);
    expect(h.run('GET', 'k')).toEqual(NIL);
  });

  it('stores a key whose EXAT/PXAT is already past; it is gone at the next access, as in Redis', () => {
    h = harness();
    h.run('SET', 'k', 'old');
    expect(h.run('SET', 'k', 'v', 'EXAT', '1')).toEqual(OK);
    // Like Redis, the key still counts (DBSIZE) until something touches it or active expiry runs.
    expect(h.cache.shards[0].keyspace.size).toBe(1);
    expect(h.run('GET', 'k')).toEqual(NIL);
    expect(h.stored('k')).toBeUndefined();
    expect(h.changes[h.changes.length - 1].events).toEqual(['expired']);
    h.run('SET', 'k', 'old');
    expect(h.run('SET', 'k', 'v', 'PXAT', String(T0), 'GET')).toEqual(bulk('old'));
    expect(h.run('EXISTS', 'k')).toEqual(int(0));
    expect(h.cache.shards[0].keyspace.size).toBe(0);
  });

  it('NX, XX and GET: conditional writes answer nil (or the old value) and change nothing', () => {
    h = harness();
    expect(h.run('SET', 'k', 'v', 'XX')).toEqual(NIL);
    expect(h.run('SET', 'k', 'v', 'XX', 'GET')).toEqual(NIL);
    expect(h.stored('k')).toBeUndefined();
    expect(h.run('SET', 'k', 'v', 'NX')).toEqual(OK);
    expect(h.run('SET', 'k', 'w', 'NX')).toEqual(NIL);
    expect(h.run('SET', 'k', 'w', 'NX', 'GET')).toEqual(bulk('v'));
    expect(h.run('GET', 'k')).toEqual(bulk('v'));
    expect(h.run('SET', 'k', 'w', 'XX', 'GET')).toEqual(bulk('v'));
    expect(h.run('SET', 'k2', 'x', 'GET')).toEqual(NIL);
    expect(h.run('GET', 'k2')).toEqual(bulk('x'));
  });

  it('GET on another type is WRONGTYPE (after the expire check); without GET the value is replaced', () => {
    h = harness();
    h.wrongType('l');
    expect(h.run('SET', 'l', 'v', 'EX', '0', 'GET')).toEqual(invalidExpire('set'));
    expect(h.run('SET', 'l', 'v', 'EX', 'x', 'GET')).toEqual(NOT_INT);
    expect(h.run('SET', 'l', 'v', 'GET')).toEqual(WRONGTYPE);
    expect(h.run('SET', 'l', 'v', 'NX', 'GET')).toEqual(WRONGTYPE);
    expect(h.run('SET', 'l', 'v', 'NX')).toEqual(NIL);
    expect(h.stored('l')).toBeInstanceOf(FakeList);
    expect(h.run('SET', 'l', 'v', 'XX')).toEqual(OK);
    expect(h.run('GET', 'l')).toEqual(bulk('v'));
  });
});

describe('SETNX, SETEX, PSETEX, GETSET, GETDEL', () => {
  it('SETNX answers 1 or 0 and never looks at the type', () => {
    h = harness();
    expect(h.run('SETNX', 'k', 'a')).toEqual(int(1));
    expect(h.run('SETNX', 'k', 'b')).toEqual(int(0));
    expect(h.run('GET', 'k')).toEqual(bulk('a'));
    h.wrongType('l');
    expect(h.run('SETNX', 'l', 'b')).toEqual(int(0));
  });

  it('SETEX and PSETEX validate the time with their own name in the error', () => {
    h = harness();
    expect(h.run('SETEX', 'k', '0', 'v')).toEqual(invalidExpire('setex'));
    expect(h.run('SETEX', 'k', '-1', 'v')).toEqual(invalidExpire('setex'));
    expect(h.run('SETEX', 'k', 'abc', 'v')).toEqual(NOT_INT);
    expect(h.run('SETEX', 'k', '9223372036854775', 'v')).toEqual(invalidExpire('setex'));
    expect(h.run('PSETEX', 'k', '0', 'v')).toEqual(invalidExpire('psetex'));
    expect(h.run('PSETEX', 'k', INT64_MAX, 'v')).toEqual(invalidExpire('psetex'));
    expect(h.stored('k')).toBeUndefined();
    expect(h.run('SETEX', 'k', '100', 'v')).toEqual(OK);
    expect(h.expiry('k')).toBe(T0 + 100_000);
    expect(h.run('PSETEX', 'k', '1500', 'w')).toEqual(OK);
    expect(h.expiry('k')).toBe(T0 + 1500);
    h.wrongType('l');
    expect(h.run('SETEX', 'l', '10', 'v')).toEqual(OK);
    expect(h.run('GET', 'l')).toEqual(bulk('v'));
  });

  it('GETSET answers the old value and drops the TTL', () => {
    h = harness();
    expect(h.run('GETSET', 'k', 'a')).toEqual(NIL);
    h.run('SET', 'k', 'b', 'EX', '10');
    expect(h.run('GETSET', 'k', 'c')).toEqual(bulk('b'));
    expect(h.expiry('k')).toBeUndefined();
    h.wrongType('l');
    expect(h.run('GETSET', 'l', 'c')).toEqual(WRONGTYPE);
  });

  it('GETDEL answers the value and removes the key', () => {
    h = harness();
    expect(h.run('GETDEL', 'k')).toEqual(NIL);
    h.run('SET', 'k', 'v', 'EX', '10');
    expect(h.run('GETDEL', 'k')).toEqual(bulk('v'));
    expect(h.stored('k')).toBeUndefined();
    expect(h.expiry('k')).toBeUndefined();
    h.wrongType('l');
    expect(h.run('GETDEL', 'l')).toEqual(WRONGTYPE);
  });
});

describe('GETEX', () => {
  it('answers nil for a missing key before validating the expire time, but not before the syntax', () => {
    h = harness();
    expect(h.run('GETEX', 'k', 'EX', '0')).toEqual(NIL);
    expect(h.run('GETEX', 'k', 'EX', 'abc')).toEqual(NIL);
    expect(h.run('GETEX', 'k', 'FOO')).toEqual(SYNTAX);
    expect(h.run('GETEX', 'k', 'EX')).toEqual(SYNTAX);
    h.run('SET', 'k', 'v');
    expect(h.run('GETEX', 'k', 'EX', '0')).toEqual(invalidExpire('getex'));
    expect(h.run('GETEX', 'k', 'EX', 'abc')).toEqual(NOT_INT);
  });

  it('accepts only EX/PX/EXAT/PXAT/PERSIST, one kind at a time', () => {
    h = harness();
    h.run('SET', 'k', 'v');
    for (const options of [['KEEPTTL'], ['GET'], ['NX'], ['XX'], ['PERSIST', 'EX', '1'], ['EX', '1', 'PERSIST'], ['EX', '1', 'PX', '1']]) {
      expect(h.run('GETEX', 'k', ...options)).toEqual(SYNTAX);
    }
    expect(h.run('GETEX', 'k', 'PERSIST', 'persist')).toEqual(bulk('v'));
  });

  it('sets, replaces and removes TTLs, and deletes the key for a past EXAT/PXAT', () => {
    h = harness();
    h.run('SET', 'k', 'v');
    expect(h.run('GETEX', 'k')).toEqual(bulk('v'));
    expect(h.run('GETEX', 'k', 'EX', '10', 'EX', '20')).toEqual(bulk('v'));
    expect(h.expiry('k')).toBe(T0 + 20_000);
    expect(h.run('GETEX', 'k', 'PX', '30')).toEqual(bulk('v'));
    expect(h.expiry('k')).toBe(T0 + 30);
    expect(h.run('GETEX', 'k', 'PXAT', String(T0 + 99))).toEqual(bulk('v'));
    expect(h.expiry('k')).toBe(T0 + 99);
    expect(h.run('GETEX', 'k', 'PERSIST')).toEqual(bulk('v'));
    expect(h.expiry('k')).toBeUndefined();
    expect(h.run('GETEX', 'k', 'EXAT', '1')).toEqual(bulk('v'));
    expect(h.stored('k')).toBeUndefined();
    h.wrongType('l');
    expect(h.run('GETEX', 'l', 'EX', '0')).toEqual(WRONGTYPE);
  });
});

describe('MGET, MSET, MSETNX', () => {
  it('MGET answers nil for missing keys and for keys of other types', () => {
    h = harness();
    h.run('MSET', 'a', '1', 'b', '2');
    h.wrongType('l');
    expect(h.run('MGET', 'a', 'l', 'nope', 'b', 'a')).toEqual(['*', [bulk('1'), NIL, NIL, bulk('2'), bulk('1')]]);
  });

  it('MSET needs key/value pairs, overwrites any type and drops TTLs; the last duplicate wins', () => {
    h = harness();
    expect(h.run('MSET', 'a')).toEqual(err("ERR wrong number of arguments for 'mset' command"));
    expect(h.run('MSET', 'a', '1', 'b')).toEqual(err("ERR wrong number of arguments for 'mset' command"));
    expect(h.run('MSETNX', 'a', '1', 'b')).toEqual(err("ERR wrong number of arguments for 'msetnx' command"));
    h.run('SET', 'a', 'x', 'EX', '10');
    h.wrongType('l');
    expect(h.run('MSET', 'a', '1', 'l', '2', 'a', '3')).toEqual(OK);
    expect(h.run('MGET', 'a', 'l')).toEqual(['*', [bulk('3'), bulk('2')]]);
    expect(h.expiry('a')).toBeUndefined();
  });

  it('MSETNX sets all or nothing', () => {
    h = harness();
    h.run('SET', 'b', 'x');
    expect(h.run('MSETNX', 'a', '1', 'b', '2')).toEqual(int(0));
    expect(h.stored('a')).toBeUndefined();
    expect(h.run('MSETNX', 'a', '1', 'c', '2', 'a', '3')).toEqual(int(1));
    expect(h.run('MGET', 'a', 'b', 'c')).toEqual(['*', [bulk('3'), bulk('x'), bulk('2')]]);
    h.wrongType('l');
    expect(h.run('MSETNX', 'l', '1')).toEqual(int(0));
  });
});

describe('APPEND, STRLEN, GETRANGE, SUBSTR, SETRANGE', () => {
  it('APPEND creates or extends, counting bytes, and keeps the TTL', () => {
    h = harness();
    expect(h.run('APPEND', 'k', 'ab')).toEqual(int(2));
    h.cache.shards[0].keyspace.setExpire('k', T0 + 100);
    expect(h.run('APPEND', 'k', 'ü')).toEqual(int(4));
    expect(h.run('APPEND', 'k', '')).toEqual(int(4));
    expect(h.run('GET', 'k')).toEqual(bulk('abü'));
    expect(h.expiry('k')).toBe(T0 + 100);
    h.wrongType('l');
    expect(h.run('APPEND', 'l', 'x')).toEqual(WRONGTYPE);
    expect(h.run('STRLEN', 'l')).toEqual(WRONGTYPE);
    expect(h.run('STRLEN', 'nope')).toEqual(int(0));
  });

  it('APPEND grows values without changing values handed out before', () => {
    h = harness();
    h.run('SET', 'k', 'x'.repeat(100));
    h.run('APPEND', 'k', 'y');
    const before = h.cache.executeReply(['GET', 'k'], h.client) as Buffer;
    const snapshot = Buffer.from(before);
    h.run('SET', 'copy', before);
    for (let i = 0; i < 50; i++) h.run('APPEND', 'k', 'z');
    for (let i = 0; i < 50; i++) h.run('APPEND', 'copy', 'w');
    expect(before.equals(snapshot)).toBe(true);
    expect(h.run('GET', 'k')).toEqual(bulk('x'.repeat(100) + 'y' + 'z'.repeat(50)));
    expect(h.run('GET', 'copy')).toEqual(bulk('x'.repeat(100) + 'y' + 'w'.repeat(50)));
    expect(h.run('STRLEN', 'k')).toEqual(int(151));
  });

  it('APPEND refuses to pass proto-max-bulk-len', () => {
    h = harness();
    h.cache.settings.setInternal('proto-max-bulk-len', '10');
    h.run('SET', 'k', '12345');
    expect(h.run('APPEND', 'k', '123456')).toEqual(err('ERR string exceeds maximum allowed size (proto-max-bulk-len)'));
    expect(h.run('APPEND', 'k', '12345')).toEqual(int(10));
  });

  const ranges: Array<[string, string, string, string]> = [
    ['Hello World', '0', '4', 'Hello'],
    ['Hello World', '-5', '-1', 'World'],
    ['Hello World', '0', '-1', 'Hello World'],
    ['Hello World', '5', '3', ''],
    ['Hello World', '-1', '-5', ''],
    ['Hello World', '-100', '2', 'Hel'],
    ['Hello World', '0', '-100', 'H'],
    ['Hello World', '0', INT64_MIN, 'H'],
    ['Hello World', INT64_MIN, '-2', 'Hello Worl'],
    ['Hello World', '3', INT64_MAX, 'lo World'],
    ['Hello World', INT64_MAX, '-1', ''],
    ['Hello World', '-9223372036854775807', INT64_MIN, ''],
    ['Hello World', '4294967296', '-1', ''],
    ['Hello World', '11', '20', ''],
    ['12345', '1', '2', '23'],
    ['', '0', '-1', ''],
  ];
  for (const [value, start, end, expected] of ranges) {
    it(`GETRANGE ${JSON.stringify(value)} ${start} ${end} → ${JSON.stringify(expected)}`, () => {
      h = harness();
      h.run('SET', 'k', value);
      expect(h.run('GETRANGE', 'k', start, end)).toEqual(bulk(expected));
      expect(h.run('SUBSTR', 'k', start, end)).toEqual(bulk(expected));
    });
  }

  it('GETRANGE counts bytes, validates indexes before the key, and answers "" for missing keys', () => {
    h = harness();
    h.run('SET', 'k', 'ü€');
    const reply = h.cache.executeReply(['GETRANGE', 'k', '1', '3'], h.client) as Buffer;
    expect(Buffer.from(reply).equals(Buffer.from('ü€', 'utf8').subarray(1, 4))).toBe(true);
    expect(h.run('GETRANGE', 'nope', '0', '-1')).toEqual(bulk(''));
    h.wrongType('l');
    expect(h.run('GETRANGE', 'l', 'x', '1')).toEqual(NOT_INT);
    expect(h.run('GETRANGE', 'l', '0', '9223372036854775808')).toEqual(NOT_INT);
    expect(h.run('GETRANGE', 'l', '0', '1')).toEqual(WRONGTYPE);
  });

  it('SETRANGE pads with zero bytes, overwrites in the middle, and answers the new length', () => {
    h = harness();
    expect(h.run('SETRANGE', 'k', '3', 'ab')).toEqual(int(5));
    expect(h.run('GET', 'k')).toEqual(bulk('\0\0\0ab'));
    expect(h.run('SETRANGE', 'k', '1', 'XY')).toEqual(int(5));
    expect(h.run('GET', 'k')).toEqual(bulk('\0XYab'));
    h.run('SET', 'n', '12345');
    expect(h.run('SETRANGE', 'n', '2', 'ü')).toEqual(int(5));
    expect(h.run('GET', 'n')).toEqual(bulk('12ü5'));
  });

  it('SETRANGE with an empty value changes nothing, whatever the offset', () => {
    h = harness();
    expect(h.run('SETRANGE', 'k', '5', '')).toEqual(int(0));
    expect(h.stored('k')).toBeUndefined();
    expect(h.run('SETRANGE', 'k', '536870912', '')).toEqual(int(0));
    h.run('SET', 'k', 'hello');
    expect(h.run('SETRANGE', 'k', INT64_MAX, '')).toEqual(int(5));
  });

  it('SETRANGE checks the offset, then the type, then the size limit', () => {
    h = harness();
    const tooBig = err('ERR string exceeds maximum allowed size (proto-max-bulk-len)');
    expect(h.run('SETRANGE', 'k', '-1', 'x')).toEqual(err('ERR offset is out of range'));
    expect(h.run('SETRANGE', 'k', '9223372036854775808', 'x')).toEqual(NOT_INT);
    expect(h.run('SETRANGE', 'k', '536870912', 'x')).toEqual(tooBig);
    expect(h.run('SETRANGE', 'k', '536870911', 'xx')).toEqual(tooBig);
    expect(h.run('SETRANGE', 'k', INT64_MAX, 'x')).toEqual(tooBig);
    h.wrongType('l');
    expect(h.run('SETRANGE', 'l', '-1', 'x')).toEqual(err('ERR offset is out of range'));
    expect(h.run('SETRANGE', 'l', '0', '')).toEqual(WRONGTYPE);
    expect(h.run('SETRANGE', 'l', INT64_MAX, 'x')).toEqual(WRONGTYPE);
  });
});

describe('INCR, DECR, INCRBY, DECRBY', () => {
  it('counts from 0 and answers integers', () => {
    h = harness();
    expect(h.run('INCR', 'n')).toEqual(int(1));
    expect(h.run('INCRBY', 'n', '41')).toEqual(int(42));
    expect(h.run('DECR', 'n')).toEqual(int(41));
    expect(h.run('DECRBY', 'n', '-9')).toEqual(int(50));
    expect(h.run('DECRBY', 'm', '3')).toEqual(int(-3));
    expect(h.run('GET', 'n')).toEqual(bulk('50'));
  });

  it('works over the whole 64-bit range and refuses to leave it', () => {
    h = harness();
    const overflow = err('ERR increment or decrement would overflow');
    h.run('SET', 'n', INT64_MAX);
    expect(h.run('INCR', 'n')).toEqual(overflow);
    expect(h.run('INCRBY', 'n', '0')).toEqual(int(INT64_MAX));
    expect(h.run('INCRBY', 'n', INT64_MIN)).toEqual(int(-1));
    h.run('SET', 'n', INT64_MIN);
    expect(h.run('DECR', 'n')).toEqual(overflow);
    expect(h.run('INCRBY', 'n', '-1')).toEqual(overflow);
    expect(h.run('INCRBY', 'n', INT64_MAX)).toEqual(int(-1));
    expect(h.run('DECRBY', 'n', INT64_MIN)).toEqual(err('ERR decrement would overflow'));
    expect(h.run('DECRBY', 'n', '-9223372036854775807')).toEqual(int('9223372036854775806'));
    expect(h.run('INCR', 'n')).toEqual(int(INT64_MAX));
    expect(h.run('INCRBY', 'n', '9223372036854775808')).toEqual(NOT_INT);
    h.run('SET', 'n', '9007199254740991');
    expect(h.run('INCR', 'n')).toEqual(int('9007199254740992'));
    expect(h.run('INCR', 'n')).toEqual(int('9007199254740993'));
    expect(h.run('GET', 'n')).toEqual(bulk('9007199254740993'));
  });

  it('parses stored values as Redis string2ll does', () => {
    h = harness();
    for (const bad of ['', ' 1', '1 ', '+1', '01', '-0', '1.0', '1e3', '0x10', '9223372036854775808', 'abc', '1\0']) {
      h.run('SET', 'n', bad);
      expect(h.run('INCR', 'n'), JSON.stringify(bad)).toEqual(NOT_INT);
    }
    for (const [good, next] of [['0', '1'], ['-1', '0'], ['-9223372036854775807', '-9223372036854775806'], ['00', null]] as const) {
      h.run('SET', 'n', good);
      expect(h.run('INCR', 'n')).toEqual(next === null ? NOT_INT : int(next));
    }
  });

  it('checks the increment before the type, and the type before the stored value', () => {
    h = harness();
    h.wrongType('l');
    expect(h.run('INCRBY', 'l', 'x')).toEqual(NOT_INT);
    expect(h.run('DECRBY', 'l', INT64_MIN)).toEqual(err('ERR decrement would overflow'));
    expect(h.run('INCR', 'l')).toEqual(WRONGTYPE);
    expect(h.run('DECRBY', 'l', '1')).toEqual(WRONGTYPE);
  });

  it('keeps the TTL', () => {
    h = harness();
    h.run('SET', 'n', '1', 'EX', '10');
    h.run('INCR', 'n');
    expect(h.expiry('n')).toBe(T0 + 10_000);
  });
});

/** INCRBYFLOAT cases checked against a live Redis 7.0.15 on x86-64: [stored, increment, reply, encoding]. */
const INCRBYFLOAT_CASES: Array<[string | null, string, string, string]> = [
  [null, '0.1', '0.1', 'embstr'],
  ['0.1', '0.2', '0.3', 'embstr'],
  ['10.5', '0.1', '10.6', 'embstr'],
  [null, '1e-5', '0.00001', 'embstr'],
  ['1', '-1', '0', 'embstr'],
  ['-1', '-1e-30', '-1', 'embstr'],
  [null, '0x1p-18', '0.00000381469726562', 'embstr'],
  [null, '0x3p-19', '0.00000572204589844', 'embstr'],
  ['3', '1.5e3', '1503', 'embstr'],
  [null, '123456789.123456789', '123456789.12345678899873747', 'embstr'],
  ['9223372036854775807', '1', '9223372036854775808', 'embstr'],
  ['-9223372036854775808', '-1', '-9223372036854775809', 'embstr'],
  [null, '1e30', '1000000000000000000024696061952', 'embstr'],
  [null, '5e-324', '0', 'embstr'],
  ['2', '5e-324', '2', 'embstr'],
  ['inf', '1', 'ERR increment would produce NaN or Infinity', 'embstr'],
  [null, 'inf', 'ERR increment would produce NaN or Infinity', ''],
  [null, '-inf', 'ERR increment would produce NaN or Infinity', ''],
  [null, 'nan', 'ERR value is not a valid float', ''],
  [null, '1e5000', 'ERR value is not a valid float', ''],
  [null, '1e-5000', 'ERR value is not a valid float', ''],
  [null, '0e-99999', '0', 'embstr'],
  [null, ' 1', 'ERR value is not a valid float', ''],
  [null, '1 ', 'ERR value is not a valid float', ''],
  [null, '+.5', '0.5', 'embstr'],
  [null, '5.', '5', 'embstr'],
  [null, '.', 'ERR value is not a valid float', ''],
  [null, '0x', 'ERR value is not a valid float', ''],
  [null, '0x.8', '0.5', 'embstr'],
  [null, 'INFINITY', 'ERR increment would produce NaN or Infinity', ''],
  [null, '1e', 'ERR value is not a valid float', ''],
  ['1.5e3abc', '1', 'ERR value is not a valid float', 'embstr'],
  ['abc', '1', 'ERR value is not a valid float', 'embstr'],
  ['1.1e4932', '1.1e4932', 'ERR increment would produce NaN or Infinity', 'embstr'],
  [null, '0.000000000000000025', '0.00000000000000002', 'embstr'],
  [null, '0.000000000000000015', '0.00000000000000002', 'embstr'],
  [null, '-0.000000000000000001', '0', 'embstr'],
  ['123', '0', '123', 'embstr'],
  ['0x10', '0', '16', 'embstr'],
  ['1e3', '-1000', '0', 'embstr'],
  ['18446744073709551617', '0', '18446744073709551616', 'embstr'],
  [null, '3.0000000000000000001', '3', 'embstr'],
  ['5', '-1e-20', '5', 'embstr'],
  ['1\0', '1', 'ERR value is not a valid float', 'embstr'],
];

describe('INCRBYFLOAT', () => {
  for (const [stored, increment, reply, encoding] of INCRBYFLOAT_CASES) {
    it(`${stored === null ? '(missing)' : JSON.stringify(stored)} + ${JSON.stringify(increment)} → ${reply}`, () => {
      h = harness();
      if (stored !== null) h.run('SET', 'f', stored);
      const expected = reply.startsWith('ERR') ? err(reply) : bulk(reply);
      expect(h.run('INCRBYFLOAT', 'f', increment)).toEqual(expected);
      if (encoding === '') expect(h.stored('f')).toBeUndefined();
      else expect(stringEncoding(h.stored('f') as Bytes)).toBe(encoding);
      if (!reply.startsWith('ERR')) expect(h.run('GET', 'f')).toEqual(bulk(reply));
    });
  }

  it('computes in long double, beyond the range of a double', () => {
    h = harness();
    const reply = h.run('INCRBYFLOAT', 'f', '1e400');
    expect(reply[0]).toBe('$');
    expect((reply[1] as string).length).toBe(401);
    expect((reply[1] as string).startsWith('10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880')).toBe(true);
    expect(stringEncoding(h.stored('f') as Bytes)).toBe('raw');
    expect(h.run('INCRBYFLOAT', 'f', '-1e400')).toEqual(bulk('0'));
    expect(h.run('INCRBYFLOAT', 'g', '1.18973149535723176508e4932')).toEqual(NOT_FLOAT);
    expect(h.run('INCRBYFLOAT', 'g', '0x1p16384')).toEqual(NOT_FLOAT);
    expect(h.run('INCRBYFLOAT', 'g', '0x1p-16445')).toEqual(bulk('0'));
    expect(h.run('INCRBYFLOAT', 'h', '0x1p-16446')).toEqual(NOT_FLOAT);
  });

  it('checks the type first, then the stored value, then the increment; keeps the TTL', () => {
    h = harness();
    h.wrongType('l');
    expect(h.run('INCRBYFLOAT', 'l', 'abc')).toEqual(WRONGTYPE);
    h.run('SET', 'f', '1.5', 'EX', '10');
    expect(h.run('INCRBYFLOAT', 'f', 'abc')).toEqual(NOT_FLOAT);
    expect(h.run('INCRBYFLOAT', 'f', '1')).toEqual(bulk('2.5'));
    expect(h.expiry('f')).toBe(T0 + 10_000);
  });

  it('answers a bulk string in RESP3 too', () => {
    h = harness({ resp: 3 });
    expect(h.run('INCRBYFLOAT', 'f', '1.5')).toEqual(bulk('1.5'));
  });
});

describe('long double arithmetic', () => {
  const parse = (s: string) => parseLongDouble(s);
  it('parses decimal, hex and infinite forms as strtold, and refuses what string2ld refuses', () => {
    expect(formatLongDoubleHuman(parse('0.1')!)).toBe('0.1');
    expect(formatLongDoubleHuman(parse('0x1.8p1')!)).toBe('3');
    expect(parse('inf')!.infinite).toBe(true);
    expect(parse('-Infinity')!.negative).toBe(true);
    for (const bad of ['', ' 1', '1 ', 'nan', '-nan', 'nan(1)', '1e5000', '1e-5000', '0x', '1e', 'e1', '.', '--1', '1\0', 'infinit', 'x'.repeat(5120)]) {
      expect(parse(bad), JSON.stringify(bad)).toBeNull();
    }
    // string2ld copies into a 5120-byte buffer: 5119 bytes is the longest text it takes.
    expect(formatLongDoubleHuman(parse('0'.repeat(5118) + '1')!)).toBe('1');
    expect(parse('0'.repeat(5119) + '1')).toBeNull();
  });

  it('rounds sums to a 64-bit mantissa, ties to even', () => {
    const two63 = parse('9223372036854775808')!;
    expect(formatLongDoubleHuman(addLongDouble(two63, parse('1')!)!)).toBe('9223372036854775809');
    const two64 = parse('18446744073709551616')!;
    expect(formatLongDoubleHuman(addLongDouble(two64, parse('1')!)!)).toBe('18446744073709551616');
    expect(formatLongDoubleHuman(addLongDouble(two64, parse('2')!)!)).toBe('18446744073709551618');
    expect(formatLongDoubleHuman(addLongDouble(two64, parse('3')!)!)).toBe('18446744073709551620');
    expect(formatLongDoubleHuman(addLongDouble(two64, parse('5')!)!)).toBe('18446744073709551620');
    expect(addLongDouble(parse('inf')!, parse('1')!)).toBeNull();
    expect(addLongDouble(parse('1.1e4932')!, parse('1.1e4932')!)).toBeNull();
  });
});

describe('encodings (OBJECT ENCODING)', () => {
  it('follows tryObjectEncoding for stored arguments: int, embstr up to 44 bytes, raw above', () => {
    h = harness();
    const cases: Array<[string, string]> = [
      ['0', 'int'],
      ['12345', 'int'],
      [INT64_MAX, 'int'],
      [INT64_MIN, 'int'],
      ['9223372036854775808', 'embstr'],
      ['-0', 'embstr'],
      ['007', 'embstr'],
      ['+1', 'embstr'],
      [' 1', 'embstr'],
      ['1.5', 'embstr'],
      ['x'.repeat(44), 'embstr'],
      ['x'.repeat(45), 'raw'],
      ['ü'.repeat(22), 'embstr'],
      ['ü'.repeat(23), 'raw'],
    ];
    for (const [value, encoding] of cases) {
      for (const command of [['SET', 'k', value], ['MSET', 'k', value], ['GETSET', 'k', value], ['SETEX', 'k', '10', value], ['SETNX', 'fresh', value]]) {
        h.cache.shards[0].keyspace.delete('fresh');
        h.run(...command);
        const key = command[1];
        expect(stringEncoding(h.stored(key) as Bytes), `${command[0]} ${JSON.stringify(value)}`).toBe(encoding);
      }
    }
  });

  it('APPEND to an existing key and SETRANGE give raw; APPEND to a missing key encodes the argument', () => {
    h = harness();
    h.run('APPEND', 'a', '123');
    expect(stringEncoding(h.stored('a') as Bytes)).toBe('int');
    h.run('APPEND', 'a', '');
    expect(stringEncoding(h.stored('a') as Bytes)).toBe('raw');
    h.run('SETRANGE', 's', '0', '1');
    expect(stringEncoding(h.stored('s') as Bytes)).toBe('raw');
    h.run('SET', 's', 'abc');
    h.run('SETRANGE', 's', '0', 'x');
    expect(stringEncoding(h.stored('s') as Bytes)).toBe('raw');
    h.run('SETRANGE', 's', '0', '');
    expect(stringEncoding(h.stored('s') as Bytes)).toBe('raw');
    // INCR makes an integer again; a value read back and stored elsewhere is encoded afresh.
    h.run('SET', 'n', '5');
    h.run('APPEND', 'n', '0');
    h.run('INCR', 'n');
    expect(stringEncoding(h.stored('n') as Bytes)).toBe('int');
    h.run('APPEND', 'n', '');
    const raw = h.cache.executeReply(['GET', 'n'], h.client) as Bytes;
    h.run('SET', 'copy', raw);
    expect(stringEncoding(h.stored('copy') as Bytes)).toBe('int');
    h.run('INCRBYFLOAT', 'f', '3');
    h.run('SET', 'copy', h.cache.executeReply(['GET', 'f'], h.client) as Bytes);
    expect(stringEncoding(h.stored('f') as Bytes)).toBe('embstr');
    expect(stringEncoding(h.stored('copy') as Bytes)).toBe('int');
  });
});

describe('LCS', () => {
  function lcsHarness(resp: 2 | 3) {
    h = harness({ resp });
    h.run('MSET', 'a', 'ohmytext', 'b', 'mynewtext');
  }

  it('answers the subsequence, its length, or the matching ranges (RESP2 flat, RESP3 map)', () => {
    lcsHarness(2);
    expect(h.run('LCS', 'a', 'b')).toEqual(bulk('mytext'));
    expect(h.run('LCS', 'a', 'b', 'LEN')).toEqual(int(6));
    const matches = [
      ['*', [['*', [int(4), int(7)]], ['*', [int(5), int(8)]]]],
      ['*', [['*', [int(2), int(3)]], ['*', [int(0), int(1)]]]],
    ];
    expect(h.run('LCS', 'a', 'b', 'IDX')).toEqual(['*', [bulk('matches'), ['*', matches], bulk('len'), int(6)]]);
    expect(h.run('LCS', 'a', 'b', 'idx', 'minmatchlen', '4', 'withmatchlen')).toEqual([
      '*',
      [bulk('matches'), ['*', [['*', [['*', [int(4), int(7)]], ['*', [int(5), int(8)]], int(4)]]]], bulk('len'), int(6)],
    ]);
    lcsHarness(3);
    expect(h.run('LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '-5')).toEqual(['%', [[bulk('matches'), ['*', matches]], [bulk('len'), int(6)]]]);
  });

  it('treats missing keys as empty strings and ignores WITHMATCHLEN/MINMATCHLEN without IDX', () => {
    lcsHarness(2);
    expect(h.run('LCS', 'x', 'y')).toEqual(bulk(''));
    expect(h.run('LCS', 'a', 'y', 'LEN')).toEqual(int(0));
    expect(h.run('LCS', 'x', 'y', 'IDX')).toEqual(['*', [bulk('matches'), ['*', []], bulk('len'), int(0)]]);
    expect(h.run('LCS', 'a', 'b', 'WITHMATCHLEN', 'MINMATCHLEN', '100')).toEqual(bulk('mytext'));
    expect(h.run('LCS', 'a', 'a')).toEqual(bulk('ohmytext'));
  });

  it('checks the types, then the options, then LEN with IDX', () => {
    lcsHarness(2);
    h.wrongType('l');
    expect(h.run('LCS', 'l', 'a', 'FOO')).toEqual(err('ERR The specified keys must contain string values'));
    expect(h.run('LCS', 'a', 'l')).toEqual(err('ERR The specified keys must contain string values'));
    expect(h.run('LCS', 'a', 'b', 'FOO')).toEqual(SYNTAX);
    expect(h.run('LCS', 'a', 'b', 'MINMATCHLEN')).toEqual(SYNTAX);
    expect(h.run('LCS', 'a', 'b', 'MINMATCHLEN', 'x', 'LEN', 'IDX')).toEqual(NOT_INT);
    expect(h.run('LCS', 'a', 'b', 'LEN', 'IDX')).toEqual(err('ERR If you want both the length and indexes, please just use IDX.'));
    expect(h.run('LCS', 'a')).toEqual(err("ERR wrong number of arguments for 'lcs' command"));
  });

  it('refuses a table larger than proto-max-bulk-len', () => {
    h = harness();
    h.cache.settings.setInternal('proto-max-bulk-len', '1000');
    h.run('MSET', 'a', 'x'.repeat(20), 'b', 'x'.repeat(20));
    expect(h.run('LCS', 'a', 'b')).toEqual(err('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len'));
    h.run('MSET', 'a', 'x'.repeat(10), 'b', 'x'.repeat(10));
    expect(h.run('LCS', 'a', 'b', 'LEN')).toEqual(int(10));
  });
});

describe('replication effects and keyspace events', () => {
  function last(): { events: string[]; effects: string[][] } {
    const change = h.changes[h.changes.length - 1];
    return { events: [...change.events], effects: change.effects.map((e) => e.map(String)) };
  }

  it('normalises expiry to absolute times and removals to DEL', () => {
    h = harness();
    h.run('SET', 'k', 'v', 'EX', '10');
    expect(last()).toEqual({ events: ['set', 'expire'], effects: [['SET', 'k', 'v', 'PXAT', String(T0 + 10_000)]] });
    h.run('SET', 'k', 'v', 'PXAT', String(T0 + 5), 'GET');
    expect(last()).toEqual({ events: ['set', 'expire'], effects: [['SET', 'k', 'v', 'PXAT', String(T0 + 5)]] });
    h.run('SET', 'k', 'w', 'KEEPTTL', 'XX');
    expect(last()).toEqual({ events: ['set'], effects: [['SET', 'k', 'w', 'KEEPTTL']] });
    h.run('SETEX', 'k', '3', 'v');
    expect(last().effects).toEqual([['SET', 'k', 'v', 'PXAT', String(T0 + 3000)]]);
    h.run('PSETEX', 'k', '3', 'v');
    expect(last().effects).toEqual([['SET', 'k', 'v', 'PXAT', String(T0 + 3)]]);
    h.run('SET', 'k', 'v', 'EXAT', '1');
    expect(last()).toEqual({ events: ['set', 'expire'], effects: [['SET', 'k', 'v', 'PXAT', '1000']] });
    h.run('GET', 'k');
    expect(last()).toEqual({ events: ['expired'], effects: [['DEL', 'k']] });
    h.run('SET', 'k', 'v');
    h.run('GETEX', 'k', 'EX', '7');
    expect(last()).toEqual({ events: ['expire'], effects: [['PEXPIREAT', 'k', String(T0 + 7000)]] });
    h.run('GETEX', 'k', 'PERSIST');
    expect(last()).toEqual({ events: ['persist'], effects: [['PERSIST', 'k']] });
    const count = h.changes.length;
    h.run('GETEX', 'k', 'PERSIST');
    h.run('GETEX', 'k');
    expect(h.changes.length).toBe(count);
    h.run('GETEX', 'k', 'PXAT', '1');
    expect(last()).toEqual({ events: ['del'], effects: [['DEL', 'k']] });
    h.run('SET', 'k', 'v');
    h.run('GETDEL', 'k');
    expect(last()).toEqual({ events: ['del'], effects: [['DEL', 'k']] });
    h.run('GETSET', 'k', 'v');
    expect(last()).toEqual({ events: ['set'], effects: [['SET', 'k', 'v']] });
  });

  it('replicates INCRBYFLOAT as SET … KEEPTTL and names the events as Redis does', () => {
    h = harness();
    h.run('INCRBYFLOAT', 'f', '1.5');
    expect(last()).toEqual({ events: ['incrbyfloat'], effects: [['SET', 'f', '1.5', 'KEEPTTL']] });
    h.run('INCR', 'n');
    expect(last().events).toEqual(['incrby']);
    h.run('DECRBY', 'n', '5');
    expect(last()).toEqual({ events: ['incrby'], effects: [['DECRBY', 'n', '5']] });
    h.run('APPEND', 'a', 'x');
    expect(last().events).toEqual(['append']);
    h.run('SETRANGE', 'a', '3', 'x');
    expect(last().events).toEqual(['setrange']);
    h.run('MSET', 'a', '1', 'b', '2');
    expect(last().events).toEqual(['set', 'set']);
    h.run('MSETNX', 'c', '1', 'd', '2');
    expect(last().events).toEqual(['set', 'set']);
  });

  it('reports nothing for commands that change nothing', () => {
    h = harness();
    h.run('SET', 'k', 'v');
    const count = h.changes.length;
    h.run('SET', 'k', 'v', 'NX');
    h.run('SET', 'x', 'v', 'XX');
    h.run('SETNX', 'k', 'v');
    h.run('MSETNX', 'k', 'v');
    h.run('SETRANGE', 'k', '0', '');
    h.run('GETDEL', 'nope');
    h.run('INCR', 'k');
    h.run('GET', 'k');
    h.run('MGET', 'k', 'x');
    h.run('LCS', 'k', 'x');
    expect(h.changes.length).toBe(count);
  });
});

describe('cluster policies', () => {
  it('Enterprise fans MSET and MGET out over shards; MSETNX must stay in one slot', () => {
    h = harness({ policy: 'Enterprise' });
    expect(h.cache.shards.length).toBeGreaterThan(1);
    const keys = Array.from({ length: 20 }, (_, i) => `key:${i}`);
    expect(h.run('MSET', ...keys.flatMap((k, i) => [k, String(i)]))).toEqual(OK);
    expect(new Set(keys.map((k) => slotOfName(k) % h.cache.shards.length)).size).toBeGreaterThan(1);
    expect(h.run('MGET', ...keys, 'missing')).toEqual(['*', [...keys.map((_, i) => bulk(String(i))), NIL]]);
    expect(h.run('MSETNX', 'key:0', 'x', 'key:1', 'y')).toEqual(err("CROSSSLOT Keys in request don't hash to the same slot"));
    expect(h.run('MSETNX', '{t}a', 'x', '{t}b', 'y')).toEqual(int(1));
    expect(h.run('LCS', 'key:0', 'key:1')).toEqual(err("CROSSSLOT Keys in request don't hash to the same slot"));
  });

  it('OSS refuses cross-slot MSET and MGET', () => {
    h = harness({ policy: 'OSS' });
    expect(h.run('MSET', 'key:0', '1', 'key:1', '2')).toEqual(err("CROSSSLOT Keys in request don't hash to the same slot"));
    expect(h.run('MGET', 'key:0', 'key:1')).toEqual(err("CROSSSLOT Keys in request don't hash to the same slot"));
    expect(h.run('MSET', '{u}0', '1', '{u}1', '2')).toEqual(OK);
    expect(h.run('MGET', '{u}0', '{u}1')).toEqual(['*', [bulk('1'), bulk('2')]]);
  });
});

// ---------------------------------------------------------------------------------------------
// Differential: the same scripts against a live redis-server (7.0 on the test machines). The
// string commands have no 7.0/7.4 differences in the 7.4.1 transcripts (strings and keys groups
// replayed against 7.0.15 agree step for step), so every reply must match exactly.

/** A step: an argv, or `['__WRONGTYPE__', key]` to give the key a non-string value. */
type Step = Bytes[];

/** Deterministic PRNG for the generated scripts (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generatedFloatScript(seed: number, prefix: string): Step[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const digits = (n: number) => Array.from({ length: n }, () => String(Math.floor(rnd() * 10))).join('');
  const number = (): string => {
    const kind = rnd();
    if (kind < 0.25) return (rnd() < 0.5 ? '-' : '') + digits(1 + Math.floor(rnd() * 19));
    if (kind < 0.6) {
      const d = digits(1 + Math.floor(rnd() * 25));
      const p = Math.floor(rnd() * (d.length + 1));
      const exp = rnd() < 0.4 ? `e${Math.floor(rnd() * 50) - 25}` : '';
      return pick(['', '-', '+']) + d.slice(0, p) + '.' + d.slice(p) + exp;
    }
    if (kind < 0.85) return String((rnd() - 0.5) * 10 ** (Math.floor(rnd() * 40) - 20));
    if (kind < 0.95) {
      const hex = Array.from({ length: 1 + Math.floor(rnd() * 20) }, () => pick([...'0123456789abcdef'])).join('');
      return `${pick(['', '-'])}0x${hex.slice(0, 2)}.${hex.slice(2)}p${Math.floor(rnd() * 160) - 80}`;
    }
    return pick(['1e-300', '1e300', '5e-324', '1e4000', '-1e4000', '1e-4940', 'inf', 'abc', '1e', '0x', ' 1', '']);
  };
  const steps: Step[] = [];
  for (let k = 0; k < 60; k++) {
    const key = `${prefix}f${k}`;
    const n = 1 + Math.floor(rnd() * 5);
    if (rnd() < 0.3) steps.push(['SET', key, number()]);
    for (let i = 0; i < n; i++) steps.push(['INCRBYFLOAT', key, number()]);
    steps.push(['GET', key]);
  }
  return steps;
}

function generatedBytesScript(seed: number, prefix: string): Step[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const alphabet = ['a', 'b', 'c', 'ü', '\0', '\xff'];
  const value = (): Bytes => {
    const length = Math.floor(rnd() * 12);
    if (rnd() < 0.3) return Buffer.from(Array.from({ length }, () => Math.floor(rnd() * 256)));
    return Array.from({ length }, () => pick(alphabet)).join('');
  };
  const index = () =>
    pick(['0', '1', '2', '3', '-1', '-2', '-3', '5', '10', '-10', '-100', INT64_MAX, INT64_MIN, '4294967296', String(Math.floor(rnd() * 15) - 7)]);
  const keys = [0, 1, 2, 3].map((i) => `${prefix}{b}${i}`);
  const steps: Step[] = [];
  for (let i = 0; i < 400; i++) {
    const key = pick(keys);
    switch (Math.floor(rnd() * 10)) {
      case 0: steps.push(['SET', key, value()]); break;
      case 1: steps.push(['APPEND', key, value()]); break;
      case 2: steps.push(['SETRANGE', key, String(Math.floor(rnd() * 12)), value()]); break;
      case 3: steps.push(['GETRANGE', key, index(), index()]); break;
      case 4: steps.push(['SUBSTR', key, index(), index()]); break;
      case 5: steps.push(['STRLEN', key]); break;
      case 6: steps.push(['LCS', key, pick(keys), ...pick([[], ['LEN'], ['IDX'], ['IDX', 'WITHMATCHLEN'], ['IDX', 'MINMATCHLEN', '2', 'WITHMATCHLEN']])]); break;
      case 7: steps.push(['GET', key]); break;
      case 8: steps.push(['MGET', ...keys]); break;
      default: steps.push(['GETSET', key, value()]); break;
    }
  }
  return steps;
}

function handWrittenScript(p: string): Step[] {
  const k = (name: string) => p + name;
  return [
    ['SET', k('i'), INT64_MAX], ['INCR', k('i')], ['INCRBY', k('i'), INT64_MIN], ['DECRBY', k('i'), INT64_MIN],
    ['DECRBY', k('i'), '-9223372036854775807'], ['GET', k('i')], ['DECR', k('i')], ['INCRBY', k('i'), '9223372036854775808'],
    ['SET', k('i'), INT64_MIN], ['DECR', k('i')], ['INCRBY', k('i'), INT64_MAX], ['SET', k('i'), '+1'], ['INCR', k('i')],
    ['SET', k('i'), '-0'], ['INCR', k('i')], ['SET', k('i'), '007'], ['INCRBY', k('i'), '1'], ['INCRBYFLOAT', k('i'), '1'],
    ['SET', k('s'), 'v', 'NX', 'XX'], ['SET', k('s'), 'v', 'EX', '10', 'PX', '5'], ['SET', k('s'), 'v', 'KEEPTTL', 'EX', '5'],
    ['SET', k('s'), 'v', 'PERSIST'], ['SET', k('s'), 'v', 'EX'], ['SET', k('s'), 'v', 'EX', '0'], ['SET', k('s'), 'v', 'EX', '1.5'],
    ['SET', k('s'), 'v', 'EX', '9223372036854775'], ['SET', k('s'), 'v', 'PX', INT64_MAX], ['SET', k('s'), 'v', 'EX', '10', 'EX', '20'],
    ['TTL', k('s')], ['SET', k('s'), 'w', 'XX', 'GET', 'KEEPTTL'], ['TTL', k('s')], ['SET', k('s'), 'x', 'NX', 'GET'],
    ['SET', k('s'), 'y', 'GET'], ['TTL', k('s')], ['SET', k('s'), 'v', 'nx\0junk'], ['GET', k('s')],
    ['SETEX', k('s'), '0', 'v'], ['SETEX', k('s'), 'x', 'v'], ['PSETEX', k('s'), '-5', 'v'], ['SETEX', k('s'), '100', 'v'], ['TTL', k('s')],
    ['GETEX', k('nope'), 'EX', '0'], ['GETEX', k('nope'), 'BAD'], ['GETEX', k('s'), 'EX', '0'], ['GETEX', k('s'), 'PERSIST'], ['TTL', k('s')],
    ['SET', k('past'), 'v', 'EXAT', '1', 'GET'], ['EXISTS', k('past')], ['SET', k('past'), 'v', 'PXAT', '1000'], ['GET', k('past')],
    ['GETEX', k('s'), 'PX', '100000', 'PX', '200000'], ['PTTL', k('s')], ['GETEX', k('s'), 'KEEPTTL'], ['GETEX', k('s'), 'EXAT', '1'], ['EXISTS', k('s')],
    ['__WRONGTYPE__', k('l')],
    ['GET', k('l')], ['SET', k('l'), 'v', 'GET'], ['SET', k('l'), 'v', 'EX', '0', 'GET'], ['SET', k('l'), 'v', 'NX'], ['GETSET', k('l'), 'v'],
    ['GETDEL', k('l')], ['GETEX', k('l'), 'PERSIST'], ['APPEND', k('l'), 'x'], ['STRLEN', k('l')], ['GETRANGE', k('l'), 'x', '1'],
    ['GETRANGE', k('l'), '0', '1'], ['SETRANGE', k('l'), '-1', 'x'], ['SETRANGE', k('l'), '0', ''], ['INCR', k('l')], ['INCRBY', k('l'), 'x'],
    ['DECRBY', k('l'), INT64_MIN], ['INCRBYFLOAT', k('l'), 'x'], ['MGET', k('l'), k('i')], ['SETNX', k('l'), 'x'],
    ['LCS', k('l'), k('i'), 'BAD'], ['LCS', k('i'), k('l')], ['MSETNX', k('l'), 'x', k('new'), 'y'], ['EXISTS', k('new')],
    ['SETRANGE', k('r'), '5', ''], ['SETRANGE', k('r'), '536870912', 'x'], ['SETRANGE', k('r'), '536870911', 'xx'],
    ['SETRANGE', k('r'), '3', 'ab'], ['GET', k('r')], ['SETRANGE', k('r'), INT64_MAX, ''], ['APPEND', k('r'), 'ü'], ['STRLEN', k('r')],
    ['SET', k('bin'), Buffer.from([0xff, 0, 0xfe, 0x80])], ['GET', k('bin')], ['APPEND', k('bin'), Buffer.from([0xc3])], ['GETRANGE', k('bin'), '-2', '-1'],
    ['MSET', k('m1'), '1', k('m2')], ['MSETNX', k('m1'), '1'], ['MSETNX', k('m1'), '1', k('m1'), '2'], ['GET', k('m1')], ['MSETNX', k('m1'), '3', k('m3'), '4'],
    ['MSET', k('__proto__'), 'p', k('constructor'), 'c'], ['MGET', k('__proto__'), k('constructor'), k('toString')],
    ['SET', k('a'), 'ohmytext'], ['SET', k('b'), 'mynewtext'], ['LCS', k('a'), k('b')], ['LCS', k('a'), k('b'), 'LEN', 'IDX'],
    ['LCS', k('a'), k('b'), 'IDX', 'MINMATCHLEN', '-3', 'WITHMATCHLEN'], ['LCS', k('a'), k('b'), 'MINMATCHLEN'], ['LCS', k('a'), k('b'), 'MINMATCHLEN', 'z'],
    ['SET', k('e'), '12345'], ['OBJECT', 'ENCODING', k('e')], ['APPEND', k('e'), ''], ['OBJECT', 'ENCODING', k('e')],
    ['INCRBYFLOAT', k('e2'), '3'], ['OBJECT', 'ENCODING', k('e2')], ['SETRANGE', k('e3'), '0', 'a'], ['OBJECT', 'ENCODING', k('e3')],
    ['SET', k('e4'), 'x'.repeat(44)], ['OBJECT', 'ENCODING', k('e4')], ['SET', k('e4'), 'x'.repeat(45)], ['OBJECT', 'ENCODING', k('e4')],
    ['GETSET', k('e4'), '-12'], ['OBJECT', 'ENCODING', k('e4')], ['INCR', k('e4')], ['OBJECT', 'ENCODING', k('e4')],
  ];
}

describeLive('strings against a live redis-server', (redis) => {
  let live: RespClient;
  const prefix = `strings-test:${process.pid}:${Date.now()}:`;
  beforeAll(async () => {
    live = await RespClient.connect(redis.standalone.port, redis.host);
  });
  afterAll(async () => {
    const keys = (await live.call(['KEYS', `${prefix}*`]))[1] as Typed[];
    if (keys.length > 0) await live.call(['DEL', ...keys.map((t) => t[1] as string)]);
    live.close();
  });

  /** Runs a script on both, step by step, and lists every step whose replies differ. */
  async function compare(steps: Step[], resp: 2 | 3): Promise<string[]> {
    await live.hello(resp);
    const cache = new ManagedRedis({ clusterPolicy: 'NoCluster', clock: 'virtual', startTime: Date.now(), evictionPolicy: 'noeviction' });
    const client = cache.openClient({ name: null });
    client.resp = resp;
    // OBJECT ENCODING, TTL, PTTL and EXISTS belong to the keys commands; answer them here from the
    // keyspace and the string module, so this file tests the string commands alone.
    const keyspace = cache.shards[0].keyspace;
    const local = (step: Step): Typed | null => {
      const name = String(step[0]).toUpperCase();
      const key = keyName(step[step.length - 1]);
      const value = keyspace.get(key, cache.clock.now());
      if (name === 'OBJECT') return value === undefined ? ['_'] : ['$', stringEncoding(value as Bytes)];
      if (name === 'EXISTS') return [':', value === undefined ? '0' : '1'];
      if (name === 'TTL' || name === 'PTTL') {
        if (value === undefined) return [':', '-2'];
        const when = keyspace.expireTime(key);
        if (when === undefined) return [':', '-1'];
        const ms = when - cache.clock.now();
        return [':', String(name === 'PTTL' ? ms : Math.round(ms / 1000))];
      }
      return null;
    };
    const differences: string[] = [];
    try {
      for (const step of steps) {
        if (step[0] === '__WRONGTYPE__') {
          await live.call(['DEL', step[1]]);
          await live.call(['RPUSH', step[1], 'x']);
          cache.shards[0].keyspace.set(keyName(step[1]), new FakeList());
          continue;
        }
        const expected = await live.call(step);
        let actual = local(step);
        if (actual === null) {
          try {
            actual = toTyped(cache.executeReply(step, client), resp);
          } catch (error) {
            actual = ['-', (error as Error).message];
          }
        }
        // Live TTLs run on the wall clock, the emulator's on a virtual one that stands still.
        const ttl = String(step[0]) === 'TTL' ? 'approx:2' : String(step[0]) === 'PTTL' ? 'approx:2000' : undefined;
        if (!sameReply(actual, expected, ttl)) {
          differences.push(`${JSON.stringify(step.map(String))}: live ${JSON.stringify(expected)} emulator ${JSON.stringify(actual)}`);
        }
      }
    } finally {
      cache.close();
    }
    return differences;
  }

  for (const resp of [2, 3] as const) {
    it(`hand-written edge cases (RESP${resp})`, async () => {
      expect(await compare(handWrittenScript(`${prefix}h${resp}:`), resp)).toEqual([]);
    });

    it(`generated INCRBYFLOAT sequences (RESP${resp})`, async () => {
      expect(await compare(generatedFloatScript(1000 + resp, `${prefix}g${resp}:`), resp)).toEqual([]);
    });

    it(`generated byte-string edits and LCS (RESP${resp})`, async () => {
      expect(await compare(generatedBytesScript(2000 + resp, `${prefix}b${resp}:`), resp)).toEqual([]);
    });
  }
});
