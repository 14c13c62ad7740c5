/**
 * The list commands: exact replies and errors (Redis 7.4, checked against the 7.4.1 transcripts and
 * a live 7.0 server), RESP2 null shapes, the listpack/quicklist encodings Redis 7.4 reports, binary
 * elements, replication effects and keyspace events, CROSSSLOT, and a differential run against
 * the live `redis-server`.
 */
import { describe, expect, it } from 'vitest';
import { ManagedRedis } from '../../src/managed-redis.js';
import type { ChangeRecord, ClientState } from '../../src/core-types.js';
import type { Bytes } from '../../src/keyspace/bytes.js';
import { ListValue, entrySize } from '../../src/keyspace/types/list.js';
import { NULL_ARRAY, type Reply } from '../../src/protocol/reply.js';
import { toTyped, sameReply, type Typed } from '../support/oracle.js';
import { describeLive } from '../support/live.js';
import { RespClient } from '../support/resp-client.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const NOT_INTEGER = 'ERR value is not an integer or out of range';
const SYMMETRIC = 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807';

interface Harness {
  cache: ManagedRedis;
  client: ClientState;
  /** The typed reply (errors as `["-", text]`). */
  run(...argv: Bytes[]): Typed;
  /** The Reply value itself (errors thrown). */
  raw(...argv: Bytes[]): Reply;
  encoding(key: string): string;
  changes: ChangeRecord[];
}

function harness(options: { resp?: 2 | 3; policy?: 'NoCluster' | 'OSS' | 'Enterprise' } = {}): Harness {
  const cache = new ManagedRedis({
    clusterPolicy: options.policy ?? 'NoCluster',
    clock: 'virtual',
    evictionPolicy: 'noeviction',
    activeExpiry: false,
  });
  const client = cache.openClient({ name: null });
  client.resp = options.resp ?? 2;
  const changes: ChangeRecord[] = [];
  cache.changeListeners.push((c) => changes.push(c));
  const run = (...argv: Bytes[]): Typed => {
    try {
      return toTyped(cache.executeReply(argv, client), client.resp);
    } catch (error) {
      return ['-', (error as Error).message];
    }
  };
  return {
    cache,
    client,
    run,
    raw: (...argv) => cache.executeReply(argv, client),
    encoding: (key) => String(cache.executeReply(['OBJECT', 'ENCODING', key], client)),
    changes,
  };
}

const int = (n: number): Typed => [':', String(n)];
const bulk = (s: string): Typed => ['$', s];
const arr = (...items: Typed[]): Typed => ['*', items];
const strs = (...items: string[]): Typed => ['*', items.map(bulk)];
const err = (message: string): Typed => ['-', message];
const NIL: Typed = ['_'];

describe('LPUSH RPUSH LPUSHX RPUSHX LLEN', () => {
  it('push at either end and answer the new length', () => {
    const h = harness();
    expect(h.run('LPUSH', 'l', 'a', 'b', 'c')).toEqual(int(3));
    expect(h.run('RPUSH', 'l', 'x', 'y')).toEqual(int(5));
    expect(h.run('LRANGE', 'l', '0', '-1')).toEqual(strs('c', 'b', 'a', 'x', 'y'));
    expect(h.run('LLEN', 'l')).toEqual(int(5));
    expect(h.run('LLEN', 'missing')).toEqual(int(0));
  });

  it('LPUSHX/RPUSHX only push onto an existing list', () => {
    const h = harness();
    expect(h.run('LPUSHX', 'l', 'a')).toEqual(int(0));
    expect(h.run('RPUSHX', 'l', 'a', 'b')).toEqual(int(0));
    expect(h.run('EXISTS', 'l')).toEqual(int(0));
    h.run('RPUSH', 'l', 'm');
    expect(h.run('LPUSHX', 'l', 'a', 'b')).toEqual(int(3));
    expect(h.run('RPUSHX', 'l', 'z')).toEqual(int(4));
    expect(h.run('LRANGE', 'l', '0', '-1')).toEqual(strs('b', 'a', 'm', 'z'));
  });

  it('every list command refuses another type with WRONGTYPE', () => {
    const h = harness();
    h.run('SET', 's', 'v');
    const commands: string[][] = [
      ['LPUSH', 's', 'a'], ['RPUSH', 's', 'a'], ['LPUSHX', 's', 'a'], ['RPUSHX', 's', 'a'],
      ['LPOP', 's'], ['RPOP', 's', '2'], ['LLEN', 's'], ['LINDEX', 's', '0'], ['LSET', 's', '0', 'v'],
      ['LRANGE', 's', '0', '-1'], ['LTRIM', 's', '0', '1'], ['LINSERT', 's', 'BEFORE', 'a', 'b'],
      ['LREM', 's', '0', 'a'], ['LPOS', 's', 'a'], ['LMOVE', 's', 'd', 'LEFT', 'LEFT'],
      ['RPOPLPUSH', 's', 'd'], ['LMPOP', '1', 's', 'LEFT'], ['BLPOP', 's', '0'], ['BRPOP', 's', '0'],
      ['BLMOVE', 's', 'd', 'LEFT', 'LEFT', '0'], ['BRPOPLPUSH', 's', 'd', '0'], ['BLMPOP', '0', '1', 's', 'LEFT'],
    ];
    for (const argv of commands) expect(h.run(...argv), argv.join(' ')).toEqual(err(WRONGTYPE));
  });

  it('keys named like Object.prototype members are plain data, and binary elements round-trip', () => {
    const h = harness();
    const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x80]);
    expect(h.run('RPUSH', '__proto__', 'constructor', bytes, 'é')).toEqual(int(3));
    const range = h.raw('LRANGE', '__proto__', '0', '-1') as Bytes[];
    expect(range[0]).toBe('constructor');
    expect(Buffer.from(range[1] as Buffer)).toEqual(bytes);
    // The same bytes as a string and as a Buffer are the same element.
    expect(h.run('LPOS', '__proto__', Buffer.from('é', 'utf8'))).toEqual(int(2));
    expect(h.run('LREM', '__proto__', '0', bytes)).toEqual(int(1));
    expect(h.run('LINSERT', '__proto__', 'AFTER', Buffer.from('constructor'), 'toString')).toEqual(int(3));
    expect(h.run('LRANGE', '__proto__', '0', '-1')).toEqual(strs('constructor', 'toString', 'é'));
  });
});

describe('LPOP RPOP', () => {
  it('pop one element as a bulk string, or several as an array', () => {
    const h = harness();
    h.run('RPUSH', 'l', 'a', 'b', 'c', 'd', 'e');
    expect(h.run('LPOP', 'l')).toEqual(bulk('a'));
    expect(h.run('RPOP', 'l')).toEqual(bulk('e'));
    expect(h.run('LPOP', 'l', '2')).toEqual(strs('b', 'c'));
    expect(h.run('RPOP', 'l', '5')).toEqual(strs('d'));
    expect(h.run('EXISTS', 'l')).toEqual(int(0));
    h.run('RPUSH', 'l', 'a', 'b', 'c');
    expect(h.run('RPOP', 'l', '2')).toEqual(strs('c', 'b'));
  });

  it('answer nil bulk without a count and a null array with one (RESP2 `$-1` / `*-1`)', () => {
    const h = harness();
    expect(h.raw('LPOP', 'missing')).toBeNull();
    expect(h.raw('RPOP', 'missing', '1')).toBe(NULL_ARRAY);
    expect(h.raw('LPOP', 'missing', '0')).toBe(NULL_ARRAY);
    h.run('RPUSH', 'l', 'a');
    expect(h.raw('LPOP', 'l', '0')).toEqual([]);
    expect(h.run('LLEN', 'l')).toEqual(int(1));
  });

  it('refuse a negative or non-integer count with the same message, and more arguments as arity', () => {
    const h = harness();
    h.run('RPUSH', 'l', 'a');
    expect(h.run('LPOP', 'l', '-1')).toEqual(err('ERR value is out of range, must be positive'));
    expect(h.run('LPOP', 'l', 'abc')).toEqual(err('ERR value is out of range, must be positive'));
    expect(h.run('RPOP', 'l', '1', '2')).toEqual(err("ERR wrong number of arguments for 'rpop' command"));
    expect(h.run('LPOP', 'l', '9223372036854775807')).toEqual(strs('a'));
  });
});

describe('LINDEX LRANGE LSET LTRIM', () => {
  it('LINDEX counts from either end; a missing key answers nil before the index is parsed', () => {
    const h = harness();
    h.run('RPUSH', 'l', 'a', 'b', 'c');
    expect(h.run('LINDEX', 'l', '0')).toEqual(bulk('a'));
    expect(h.run('LINDEX', 'l', '-1')).toEqual(bulk('c'));
    expect(h.run('LINDEX', 'l', '3')).toEqual(NIL);
    expect(h.run('LINDEX', 'l', '-4')).toEqual(NIL);
    expect(h.run('LINDEX', 'l', '-9223372036854775808')).toEqual(NIL);
    expect(h.run('LINDEX', 'l', '1.5')).toEqual(err(NOT_INTEGER));
    expect(h.run('LINDEX', 'missing', 'abc')).toEqual(NIL);
  });

  it('LRANGE clamps and parses its indexes before looking the key up', () => {
    const h = harness();
    h.run('RPUSH', 'l', 'a', 'b', 'c', 'd');
    expect(h.run('LRANGE', 'l', '1', '2')).toEqual(strs('b', 'c'));
    expect(h.run('LRANGE', 'l', '-2', '100')).toEqual(strs('c', 'd'));
    expect(h.run('LRANGE', 'l', '-100', '0')).toEqual(strs('a'));
    expect(h.run('LRANGE', 'l', '3', '1')).toEqual(strs());
    expect(h.run('LRANGE', 'l', '4', '10')).toEqual(strs());
    expect(h.run('LRANGE', 'l', '-9223372036854775808', '9223372036854775807')).toEqual(strs('a', 'b', 'c', 'd'));
    expect(h.run('LRANGE', 'missing', '0', 'x')).toEqual(err(NOT_INTEGER));
    expect(h.run('LRANGE', 'missing', '0', '-1')).toEqual(strs());
  });

  it('LSET checks the key, then the index; the index is a C int (low 32 bits), as in 7.4', () => {
    const h = harness();
    expect(h.run('LSET', 'missing', 'x', 'v')).toEqual(err('ERR no such key'));
    h.run('RPUSH', 'l', 'a', 'b', 'c');
    expect(h.run('LSET', 'l', '1.5', 'v')).toEqual(err(NOT_INTEGER));
    expect(h.run('LSET', 'l', '3', 'v')).toEqual(err('ERR index out of range'));
    expect(h.run('LSET', 'l', '-1', 'z')).toEqual(['+', 'OK']);
    expect(h.run('LSET', 'l', '4294967296', 'first')).toEqual(['+', 'OK']); // int 0
    expect(h.run('LSET', 'l', '9223372036854775807', 'last')).toEqual(['+', 'OK']); // int -1
    expect(h.run('LSET', 'l', '-9223372036854775808', 'zero')).toEqual(['+', 'OK']); // int 0
    expect(h.run('LRANGE', 'l', '0', '-1')).toEqual(strs('zero', 'b', 'last'));
  });

  it('LTRIM keeps a range, deletes an emptied list, and answers OK for a missing key', () => {
    const h = harness();
    expect(h.run('LTRIM', 'missing', '0', '1')).toEqual(['+', 'OK']);
    h.run('RPUSH', 'l', 'a', 'b', 'c', 'd', 'e');
    expect(h.run('LTRIM', 'l', '1', '-2')).toEqual(['+', 'OK']);
    expect(h.run('LRANGE', 'l', '0', '-1')).toEqual(strs('b', 'c', 'd'));
    expect(h.run('LTRIM', 'l', '2', '1')).toEqual(['+', 'OK']);
    expect(h.run('EXISTS', 'l')).toEqual(int(0));
    expect(h.run('LTRIM', 'l', 'a', '1')).toEqual(err(NOT_INTEGER));
  });
});

describe('LINSERT LREM LPOS', () => {
  it('LINSERT before/after the first pivot; -1 without a pivot, 0 without a key', () => {
    const h = harness();
    expect(h.run('LINSERT', 'l', 'BEFORE', 'a', 'x')).toEqual(int(0));
    expect(h.run('LINSERT', 'l', 'SIDEWAYS', 'a', 'x')).toEqual(err('ERR syntax error'));
    h.run('RPUSH', 'l', 'a', 'b', 'a');
    expect(h.run('LINSERT', 'l', 'after', 'a', 'x')).toEqual(int(4));
    expect(h.run('LINSERT', 'l', 'Before', 'a', 'y')).toEqual(int(5));
    expect(h.run('LINSERT', 'l', 'BEFORE', 'nope', 'z')).toEqual(int(-1));
    // strcasecmp stops at a NUL byte.
    expect(h.run('LINSERT', 'l', Buffer.from('AFTER\0junk'), 'b', 'c')).toEqual(int(6));
    expect(h.run('LRANGE', 'l', '0', '-1')).toEqual(strs('y', 'a', 'x', 'b', 'c', 'a'));
  });

  it('LREM removes from the head, the tail, or everywhere', () => {
    const h = harness();
    h.run('RPUSH', 'l', 'a', 'b', 'a', 'c', 'a', 'b', 'a');
    expect(h.run('LREM', 'l', '2', 'a')).toEqual(int(2));
    expect(h.run('LRANGE', 'l', '0', '-1')).toEqual(strs('b', 'c', 'a', 'b', 'a'));
    expect(h.run('LREM', 'l', '-1', 'b')).toEqual(int(1));
    expect(h.run('LRANGE', 'l', '0', '-1')).toEqual(strs('b', 'c', 'a', 'a'));
    expect(h.run('LREM', 'l', '0', 'a')).toEqual(int(2));
    expect(h.run('LREM', 'l', '0', 'zz')).toEqual(int(0));
    expect(h.run('LREM', 'l', '0', 'b')).toEqual(int(1));
    expect(h.run('LREM', 'l', '0', 'c')).toEqual(int(1));
    expect(h.run('EXISTS', 'l')).toEqual(int(0));
    expect(h.run('LREM', 'l', '1.5', 'a')).toEqual(err(NOT_INTEGER));
    expect(h.run('LREM', 'l', '-9223372036854775808', 'a')).toEqual(err(SYMMETRIC));
    expect(h.run('LREM', 'missing', '0', 'a')).toEqual(int(0));
  });

  it('LREM with many matches on a long list keeps the rest in order', () => {
    const h = harness();
    const values: string[] = [];
    for (let i = 0; i < 3000; i++) values.push(i % 3 === 0 ? 'x' : `v${i}`);
    h.run('RPUSH', 'l', ...values);
    expect(h.run('LREM', 'l', '-600', 'x')).toEqual(int(600));
    const expected = values.filter((v, i) => v !== 'x' || i < 1200);
    expect(h.run('LRANGE', 'l', '0', '-1')).toEqual(strs(...expected));
    expect(h.run('LREM', 'l', '0', 'x')).toEqual(int(400));
    expect(h.run('LLEN', 'l')).toEqual(int(2000));
  });

  it('LPOS with RANK, COUNT and MAXLEN', () => {
    const h = harness();
    h.run('RPUSH', 'l', 'a', 'b', 'c', '1', '2', '3', 'c', 'c');
    expect(h.run('LPOS', 'l', 'c')).toEqual(int(2));
    expect(h.run('LPOS', 'l', 'c', 'RANK', '2')).toEqual(int(6));
    expect(h.run('LPOS', 'l', 'c', 'RANK', '-1')).toEqual(int(7));
    expect(h.run('LPOS', 'l', 'c', 'COUNT', '0')).toEqual(arr(int(2), int(6), int(7)));
    expect(h.run('LPOS', 'l', 'c', 'COUNT', '2', 'RANK', '-1')).toEqual(arr(int(7), int(6)));
    expect(h.run('LPOS', 'l', 'c', 'COUNT', '0', 'MAXLEN', '7')).toEqual(arr(int(2), int(6)));
    expect(h.run('LPOS', 'l', 'c', 'RANK', '4')).toEqual(NIL);
    expect(h.run('LPOS', 'l', 'c', 'RANK', '4', 'COUNT', '1')).toEqual(arr());
    expect(h.run('LPOS', 'l', 'c', 'MAXLEN', '2')).toEqual(NIL);
    expect(h.run('LPOS', 'missing', 'c')).toEqual(NIL);
    expect(h.run('LPOS', 'missing', 'c', 'COUNT', '1')).toEqual(arr());
  });

  it('LPOS errors, checked while parsing the options in order', () => {
    const h = harness();
    const rankZero =
      "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
    expect(h.run('LPOS', 'l', 'a', 'RANK', '0')).toEqual(err(rankZero));
    expect(h.run('LPOS', 'l', 'a', 'RANK', 'x')).toEqual(err(NOT_INTEGER));
    expect(h.run('LPOS', 'l', 'a', 'RANK', '-9223372036854775808')).toEqual(err(SYMMETRIC));
    expect(h.run('LPOS', 'l', 'a', 'COUNT', '-1')).toEqual(err("ERR COUNT can't be negative"));
    expect(h.run('LPOS', 'l', 'a', 'COUNT', 'x')).toEqual(err("ERR COUNT can't be negative"));
    expect(h.run('LPOS', 'l', 'a', 'MAXLEN', '-1')).toEqual(err("ERR MAXLEN can't be negative"));
    expect(h.run('LPOS', 'l', 'a', 'RANK')).toEqual(err('ERR syntax error'));
    expect(h.run('LPOS', 'l', 'a', 'COUNT', '-1', 'RANK', '0')).toEqual(err("ERR COUNT can't be negative"));
    h.run('SET', 's', 'v');
    expect(h.run('LPOS', 's', 'a', 'RANK', '0')).toEqual(err(rankZero));
    expect(h.run('LPOS', 's', 'a')).toEqual(err(WRONGTYPE));
  });
});

describe('LMOVE RPOPLPUSH LMPOP', () => {
  it('LMOVE moves between ends; the same key rotates', () => {
    const h = harness();
    h.run('RPUSH', 'src', 'a', 'b', 'c');
    expect(h.run('LMOVE', 'src', 'dst', 'LEFT', 'RIGHT')).toEqual(bulk('a'));
    expect(h.run('LMOVE', 'src', 'dst', 'right', 'left')).toEqual(bulk('c'));
    expect(h.run('LRANGE', 'dst', '0', '-1')).toEqual(strs('c', 'a'));
    expect(h.run('RPOPLPUSH', 'dst', 'dst')).toEqual(bulk('a'));
    expect(h.run('LRANGE', 'dst', '0', '-1')).toEqual(strs('a', 'c'));
    expect(h.run('LMOVE', 'src', 'src', 'LEFT', 'RIGHT')).toEqual(bulk('b'));
    expect(h.run('LRANGE', 'src', '0', '-1')).toEqual(strs('b'));
    expect(h.run('RPOPLPUSH', 'src', 'dst')).toEqual(bulk('b'));
    expect(h.run('EXISTS', 'src')).toEqual(int(0));
    expect(h.raw('LMOVE', 'src', 'dst', 'LEFT', 'LEFT')).toBeNull();
    expect(h.run('LMOVE', 'src', 'dst', 'LEFT', 'UP')).toEqual(err('ERR syntax error'));
  });

  it('a destination of another type leaves the source untouched', () => {
    const h = harness();
    h.run('RPUSH', 'src', 'a');
    h.run('SET', 'dst', 'v');
    expect(h.run('LMOVE', 'src', 'dst', 'LEFT', 'LEFT')).toEqual(err(WRONGTYPE));
    expect(h.run('RPOPLPUSH', 'src', 'dst')).toEqual(err(WRONGTYPE));
    expect(h.run('LRANGE', 'src', '0', '-1')).toEqual(strs('a'));
  });

  it('LMPOP pops from the first non-empty list, with COUNT', () => {
    const h = harness();
    h.run('RPUSH', 'b', '1', '2', '3');
    expect(h.run('LMPOP', '2', 'a', 'b', 'LEFT')).toEqual(arr(bulk('b'), strs('1')));
    expect(h.run('LMPOP', '2', 'a', 'b', 'RIGHT', 'COUNT', '10')).toEqual(arr(bulk('b'), strs('3', '2')));
    expect(h.raw('LMPOP', '2', 'a', 'b', 'RIGHT')).toBe(NULL_ARRAY);
  });

  it('LMPOP argument errors in Redis order', () => {
    const h = harness();
    expect(h.run('LMPOP', '0', 'a', 'LEFT')).toEqual(err('ERR numkeys should be greater than 0'));
    expect(h.run('LMPOP', 'x', 'a', 'LEFT')).toEqual(err('ERR numkeys should be greater than 0'));
    expect(h.run('LMPOP', '2', 'a', 'LEFT')).toEqual(err('ERR syntax error'));
    expect(h.run('LMPOP', '1', 'a', 'UP')).toEqual(err('ERR syntax error'));
    expect(h.run('LMPOP', '1', 'a', 'LEFT', 'COUNT', '0')).toEqual(err('ERR count should be greater than 0'));
    expect(h.run('LMPOP', '1', 'a', 'LEFT', 'COUNT', 'x')).toEqual(err('ERR count should be greater than 0'));
    expect(h.run('LMPOP', '1', 'a', 'LEFT', 'COUNT', '1', 'COUNT', '1')).toEqual(err('ERR syntax error'));
    expect(h.run('LMPOP', '1', 'a', 'LEFT', 'COUNT')).toEqual(err('ERR syntax error'));
  });
});

describe('blocking pops on a connection that cannot block', () => {
  it('answer at once: with data as the pop, without as a timeout (null array, or nil for the moves)', () => {
    const h = harness();
    expect(h.raw('BLPOP', 'a', 'b', '0')).toBe(NULL_ARRAY);
    expect(h.raw('BRPOP', 'a', '1')).toBe(NULL_ARRAY);
    expect(h.raw('BLMPOP', '0', '1', 'a', 'LEFT')).toBe(NULL_ARRAY);
    expect(h.raw('BLMOVE', 'a', 'b', 'LEFT', 'LEFT', '0')).toBeNull();
    expect(h.raw('BRPOPLPUSH', 'a', 'b', '0')).toBeNull();
    h.run('RPUSH', 'b', 'x', 'y', 'z');
    expect(h.run('BLPOP', 'a', 'b', '0')).toEqual(strs('b', 'x'));
    expect(h.run('BRPOP', 'a', 'b', '0')).toEqual(strs('b', 'z'));
    expect(h.run('BLMOVE', 'b', 'c', 'LEFT', 'RIGHT', '0')).toEqual(bulk('y'));
    expect(h.run('BRPOPLPUSH', 'c', 'd', '0')).toEqual(bulk('y'));
    h.run('RPUSH', 'e', '1', '2');
    expect(h.run('BLMPOP', '0', '2', 'a', 'e', 'RIGHT', 'COUNT', '5')).toEqual(arr(bulk('e'), strs('2', '1')));
  });

  it('parse the timeout first (BLPOP) or after the other arguments (BLMOVE, BLMPOP)', () => {
    const h = harness();
    h.run('SET', 's', 'v');
    expect(h.run('BLPOP', 's', 'abc')).toEqual(err('ERR timeout is not a float or out of range'));
    expect(h.run('BLPOP', 's', '-1')).toEqual(err('ERR timeout is negative'));
    expect(h.run('BLMOVE', 's', 'd', 'UP', 'LEFT', 'abc')).toEqual(err('ERR syntax error'));
    expect(h.run('BLMPOP', 'abc', '1', 's', 'LEFTX')).toEqual(err('ERR syntax error'));
    expect(h.run('BLMPOP', 'abc', '1', 's', 'LEFT')).toEqual(err('ERR timeout is not a float or out of range'));
    expect(h.run('BLMPOP', '0', '1', 's', 'LEFT')).toEqual(err(WRONGTYPE));
    // A missing key before a key of another type is skipped; the wrong type then answers.
    expect(h.run('BLPOP', 'missing', 's', '0')).toEqual(err(WRONGTYPE));
  });
});

describe('replication effects and keyspace events', () => {
  it('pops that empty a list report the pop and then del; moves report the push first', () => {
    const h = harness();
    h.run('RPUSH', 'src', 'a');
    h.changes.length = 0;
    h.run('LMOVE', 'src', 'dst', 'LEFT', 'RIGHT');
    expect(h.changes).toHaveLength(1);
    expect(h.changes[0].keys).toEqual(['dst', 'src', 'src']);
    expect(h.changes[0].events).toEqual(['rpush', 'lpop', 'del']);
    expect(h.changes[0].effects).toEqual([['LMOVE', 'src', 'dst', 'LEFT', 'RIGHT']]);
  });

  it('LMPOP and the blocking forms replicate as LPOP/RPOP/LMOVE/RPOPLPUSH', () => {
    const h = harness();
    h.run('RPUSH', 'l', 'a', 'b', 'c', 'd', 'e', 'f');
    h.changes.length = 0;
    h.run('LMPOP', '1', 'l', 'LEFT', 'COUNT', '2');
    h.run('BLPOP', 'l', '0');
    h.run('BRPOP', 'l', '0');
    h.run('BLMPOP', '0', '1', 'l', 'RIGHT', 'COUNT', '9');
    h.run('RPUSH', 'm', 'x', 'y');
    h.run('BLMOVE', 'm', 'n', 'RIGHT', 'LEFT', '0');
    h.run('BRPOPLPUSH', 'm', 'n', '0');
    expect(h.changes.map((c) => c.effects)).toEqual([
      [['LPOP', 'l', '2']],
      [['LPOP', 'l']],
      [['RPOP', 'l']],
      [['RPOP', 'l', '2']], // what was there, not the COUNT asked for
      [['RPUSH', 'm', 'x', 'y']],
      [['LMOVE', 'm', 'n', 'RIGHT', 'LEFT']],
      [['RPOPLPUSH', 'm', 'n']],
    ]);
  });

  it('LTRIM, LREM, LSET and LINSERT report their events; a failed LINSERT reports nothing', () => {
    const h = harness();
    h.run('RPUSH', 'l', 'a', 'b', 'c');
    h.changes.length = 0;
    h.run('LINSERT', 'l', 'AFTER', 'a', 'x');
    h.run('LINSERT', 'l', 'AFTER', 'nope', 'x');
    h.run('LSET', 'l', '0', 'z');
    h.run('LREM', 'l', '0', 'x');
    h.run('LTRIM', 'l', '5', '6');
    expect(h.changes.map((c) => c.events)).toEqual([['linsert'], ['lset'], ['lrem'], ['ltrim', 'del']]);
  });
});

describe('cluster routing', () => {
  it('multi-key list commands must stay in one slot under OSS', () => {
    const h = harness({ policy: 'OSS' });
    const crossslot = err("CROSSSLOT Keys in request don't hash to the same slot");
    expect(h.run('LMOVE', 'a', 'b', 'LEFT', 'LEFT')).toEqual(crossslot);
    expect(h.run('RPOPLPUSH', 'a', 'b')).toEqual(crossslot);
    expect(h.run('LMPOP', '2', 'a', 'b', 'LEFT')).toEqual(crossslot);
    expect(h.run('BLPOP', 'a', 'b', '0')).toEqual(crossslot);
    expect(h.run('BLMPOP', '0', '2', 'a', 'b', 'LEFT')).toEqual(crossslot);
    expect(h.run('BLMOVE', 'a', 'b', 'LEFT', 'LEFT', '0')).toEqual(crossslot);
    expect(h.run('BZPOPMIN', 'a', 'b', '0')).toEqual(crossslot);
    h.run('RPUSH', '{t}a', '1');
    expect(h.run('LMOVE', '{t}a', '{t}b', 'LEFT', 'LEFT')).toEqual(bulk('1'));
    expect(h.run('BLPOP', '{t}x', '{t}b', '0')).toEqual(strs('{t}b', '1'));
  });
});

describe('encodings (Redis 7.4 rules)', () => {
  /** A 60-byte element: a listpack entry of 62 bytes. */
  const v60 = (i: number): string => `${String(i).padStart(4, '0')}`.padEnd(60, 'x');

  it('entry sizes follow the listpack encodings', () => {
    expect(entrySize('0')).toBe(2);
    expect(entrySize('127')).toBe(2);
    expect(entrySize('128')).toBe(3);
    expect(entrySize('-4096')).toBe(3);
    expect(entrySize('32767')).toBe(4);
    expect(entrySize('8388607')).toBe(5);
    expect(entrySize('2147483647')).toBe(6);
    expect(entrySize('9223372036854775807')).toBe(10);
    expect(entrySize('01')).toBe(4); // not canonical: a 2-byte string
    expect(entrySize('')).toBe(2);
    expect(entrySize('x'.repeat(63))).toBe(65);
    expect(entrySize('x'.repeat(64))).toBe(67);
    expect(entrySize('x'.repeat(125))).toBe(128);
    expect(entrySize('x'.repeat(126))).toBe(130); // 128 bytes of header and data: a 2-byte back-length
    expect(entrySize('x'.repeat(4095))).toBe(4099);
    expect(entrySize('x'.repeat(4096))).toBe(4103);
  });

  it('a list turns into a quicklist when a push would take the listpack past 8 KB', () => {
    const h = harness();
    for (let i = 0; i < 132; i++) h.run('RPUSH', 'l', v60(i));
    // 7 + 132 × 62 = 8191 bytes; one more 60-byte element would make 8251 > 8192.
    expect(h.encoding('l')).toBe('listpack');
    h.run('RPUSH', 'l', v60(132));
    expect(h.encoding('l')).toBe('quicklist');
    expect(h.run('LLEN', 'l')).toEqual(int(133));
  });

  it('it shrinks back only to one packed node of at most half the limit', () => {
    const h = harness();
    for (let i = 0; i < 133; i++) h.run('RPUSH', 'l', v60(i));
    // Nodes: [132 entries, 8191 bytes] [1 entry].
    h.run('RPOP', 'l');
    expect(h.encoding('l')).toBe('quicklist'); // one node, but 8191 > 4096
    h.run('LPOP', 'l', '66'); // 8191 - 66 × 62 = 4099 > 4096
    expect(h.encoding('l')).toBe('quicklist');
    h.run('LPOP', 'l'); // 4037
    expect(h.encoding('l')).toBe('listpack');
    h.run('RPUSH', 'l', 'small');
    expect(h.encoding('l')).toBe('listpack');
  });

  it('count-limited fills (the Redis test suite scenarios with list-max-listpack-size 3)', () => {
    const h = harness();
    h.cache.settings.setInternal('list-max-listpack-size', '3');
    const fresh = (key: string, ...values: string[]): void => {
      h.run('DEL', key);
      h.run('RPUSH', key, ...values);
    };
    fresh('l', 'a', 'b', 'c');
    expect(h.encoding('l')).toBe('listpack');
    h.run('RPUSH', 'l', 'd');
    expect(h.encoding('l')).toBe('quicklist');
    fresh('l', 'a', 'b', 'c');
    h.run('LINSERT', 'l', 'AFTER', 'b', 'd');
    expect(h.encoding('l')).toBe('quicklist');
    fresh('l', 'a', 'b', 'c');
    h.run('LSET', 'l', '0', 'd'.repeat(50001));
    expect(h.encoding('l')).toBe('quicklist');
    fresh('{t}s', 'a', 'b', 'c');
    fresh('{t}d', 'd', 'e', 'f');
    h.run('LMOVE', '{t}s', '{t}d', 'RIGHT', 'RIGHT');
    expect(h.encoding('{t}d')).toBe('quicklist');
    // Back down: one node with at most 3 / 2 = 1 entry.
    fresh('l', 'a', 'b', 'c', 'd');
    expect(h.encoding('l')).toBe('quicklist');
    h.run('RPOP', 'l', '3');
    expect(h.encoding('l')).toBe('listpack');
    fresh('l', 'a', 'a', 'a', 'd');
    h.run('LREM', 'l', '3', 'a');
    expect(h.encoding('l')).toBe('listpack');
    fresh('l', 'a', 'b', 'c', 'd');
    h.run('LTRIM', 'l', '1', '1');
    expect(h.encoding('l')).toBe('listpack');
  });

  it('fill 0 holds one entry per listpack; fills below -5 act as -5 (64 KB)', () => {
    const h = harness();
    h.cache.settings.setInternal('list-max-listpack-size', '0');
    h.run('RPUSH', 'l', 'a');
    expect(h.encoding('l')).toBe('listpack');
    h.run('RPUSH', 'l', 'b');
    expect(h.encoding('l')).toBe('quicklist');
    h.cache.settings.setInternal('list-max-listpack-size', '-6');
    h.run('RPUSH', 'big', 'x'.repeat(60000));
    expect(h.encoding('big')).toBe('listpack');
    h.run('RPUSH', 'big', 'x'.repeat(5536));
    expect(h.encoding('big')).toBe('quicklist');
  });

  it('an element larger than a node gets a plain node; popping it lets the list shrink', () => {
    const h = harness();
    h.run('RPUSH', 'l', 'a', 'b');
    h.run('RPUSH', 'l', 'x'.repeat(9000));
    expect(h.encoding('l')).toBe('quicklist');
    expect(h.run('LINDEX', 'l', '2')).toEqual(bulk('x'.repeat(9000)));
    h.run('RPOP', 'l');
    expect(h.encoding('l')).toBe('listpack');
  });

  it('middle inserts split full nodes and merge neighbours (the element order stays right)', () => {
    const h = harness();
    const values: string[] = [];
    for (let i = 0; i < 400; i++) values.push(v60(i));
    h.run('RPUSH', 'l', ...values);
    const expected = values.slice();
    for (let i = 0; i < 200; i++) {
      const pivot = expected[(i * 37) % expected.length];
      const after = i % 2 === 0;
      const value = i % 5 === 0 ? 'y'.repeat(9000) : `ins${i}`;
      expect(h.run('LINSERT', 'l', after ? 'AFTER' : 'BEFORE', pivot, value)).toEqual(int(expected.length + 1));
      expected.splice(expected.indexOf(pivot) + (after ? 1 : 0), 0, value);
    }
    for (let i = 0; i < 100; i++) {
      const index = (i * 53) % expected.length;
      const value = i % 7 === 0 ? 'z'.repeat(10000) : `set${i}`;
      h.run('LSET', 'l', String(index), value);
      expected[index] = value;
    }
    expect(h.run('LRANGE', 'l', '0', '-1')).toEqual(strs(...expected));
    expect(h.encoding('l')).toBe('quicklist');
    h.run('LTRIM', 'l', '0', '2');
    expect(h.run('LRANGE', 'l', '0', '-1')).toEqual(strs(...expected.slice(0, 3)));
  });

  it('COPY keeps the encoding; the copy is independent', () => {
    const h = harness();
    for (let i = 0; i < 140; i++) h.run('RPUSH', '{t}l', v60(i));
    h.run('COPY', '{t}l', '{t}c');
    expect(h.encoding('{t}c')).toBe('quicklist');
    // Nodes [132, 8]: popping 130 from the head still leaves two nodes.
    h.run('LPOP', '{t}c', '130');
    expect(h.encoding('{t}c')).toBe('quicklist');
    h.run('RPOP', '{t}c', '8');
    expect(h.run('LLEN', '{t}l')).toEqual(int(140));
    expect(h.encoding('{t}c')).toBe('listpack');
    expect(h.encoding('{t}l')).toBe('quicklist');
  });

  it('ListValue.fromValues (SORT … STORE) picks the encoding of a freshly built list', () => {
    expect(ListValue.fromValues(['a', 'b'], -2).encoding()).toBe('listpack');
    const many = Array.from({ length: 200 }, (_, i) => v60(i));
    const list = ListValue.fromValues(many, -2);
    expect(list.encoding()).toBe('quicklist');
    expect(list.range(0, 199)).toEqual(many);
  });
});

// ---------------------------------------------------------------------------------------------
// Live: the same commands against Debian's redis-server (7.0). Known 7.0/7.4 differences are
// skipped: OBJECT ENCODING of lists (7.0: always quicklist), LSET indexes past 32 bits (7.4 keeps
// the low 32 bits), LREM count / LPOS RANK of -2^63 (7.4 refuses it), timeouts of inf or 1e400
// (7.4: out of range; 7.0: negative).

/** A seeded generator of list command argvs over a few keys of one slot. */
function generator(seed: number, tag: string): () => string[] {
  let state = seed;
  const rnd = (): number => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)];
  const keys = [`{${tag}}a`, `{${tag}}b`, `{${tag}}c`, `{${tag}}s`];
  const values = ['a', 'b', 'c', '1', '-1', '100', '9223372036854775807', 'x'.repeat(70), '', 'é', '0', '12345678901'];
  const ints = ['0', '1', '-1', '2', '-2', '5', '-5', '100', 'abc', '1.5', '9223372036854775807', '4294967295'];
  const end = (): string => pick(['LEFT', 'RIGHT', 'left', 'UP']);
  return () => {
    const k = pick(keys);
    const k2 = pick(keys);
    const v = pick(values);
    const i = pick(ints);
    switch (Math.floor(rnd() * 24)) {
      case 0: return ['LPUSH', k, v, pick(values)];
      case 1: return ['RPUSH', k, v];
      case 2: return ['LPUSHX', k, v];
      case 3: return ['RPUSHX', k, v, pick(values)];
      case 4: return rnd() < 0.5 ? ['LPOP', k] : ['LPOP', k, i];
      case 5: return rnd() < 0.5 ? ['RPOP', k] : ['RPOP', k, i];
      case 6: return ['LLEN', k];
      case 7: return ['LINDEX', k, i];
      case 8: return ['LSET', k, pick(['0', '1', '-1', '5', 'x', '-3']), v];
      case 9: return ['LRANGE', k, i, pick(ints)];
      case 10: return ['LTRIM', k, i, pick(ints)];
      case 11: return ['LINSERT', k, pick(['BEFORE', 'AFTER', 'after', 'X']), pick(values), v];
      case 12: return ['LREM', k, i, v];
      case 13: {
        const argv = ['LPOS', k, v];
        for (let n = Math.floor(rnd() * 3); n > 0; n--) argv.push(pick(['RANK', 'COUNT', 'MAXLEN', 'rank', 'FOO']), pick(ints));
        return argv;
      }
      case 14: return ['LMOVE', k, k2, end(), end()];
      case 15: return ['RPOPLPUSH', k, k2];
      case 16: {
        const argv = ['LMPOP', pick(['1', '2', '0', '-1', 'x', '3']), k, k2, end()];
        if (rnd() < 0.5) argv.push('COUNT', pick(ints));
        return argv;
      }
      case 17: return ['BLPOP', k, k2, pick(['0.01', '-1', 'abc', '0.001'])];
      case 18: return ['BRPOP', k, pick(['0.01', 'nan'])];
      case 19: return ['BLMOVE', k, k2, end(), end(), '0.01'];
      case 20: return ['BRPOPLPUSH', k, k2, '0.01'];
      case 21: {
        const argv = ['BLMPOP', pick(['0.01', '-1']), pick(['1', '2', '0']), k, k2, end()];
        if (rnd() < 0.3) argv.push('COUNT', pick(ints));
        return argv;
      }
      case 22: return ['SET', keys[3], 'str'];
      default: return ['LRANGE', k, '0', '-1'];
    }
  };
}

describeLive('lists against a live redis-server', (redis) => {
  it('fixed sequences answer the same, RESP2 and RESP3', async () => {
    const live = await RespClient.connect(redis.standalone.port, redis.host);
    try {
      const tag = `lists-fixed-${process.pid}`;
      const k = (name: string): string => `{${tag}}${name}`;
      const sequence: string[][] = [
        ['RPUSH', k('l'), 'a', 'b', 'c', 'a', '1', '2', '-7', ''],
        ['LPOS', k('l'), 'a', 'RANK', '-1', 'COUNT', '0', 'MAXLEN', '0'],
        ['LINSERT', k('l'), 'BEFORE', '1', 'é'],
        ['LREM', k('l'), '-1', 'a'],
        ['LRANGE', k('l'), '-100', '100'],
        ['LSET', k('l'), '-2', 'zz'],
        ['LMOVE', k('l'), k('m'), 'RIGHT', 'LEFT'],
        ['LMPOP', '2', k('x'), k('l'), 'RIGHT', 'COUNT', '3'],
        ['BLMPOP', '0.01', '1', k('l'), 'LEFT', 'COUNT', '2'],
        ['BLPOP', k('x'), k('m'), '0.01'],
        ['BRPOPLPUSH', k('l'), k('m'), '0.01'],
        ['LPOP', k('l'), '0'],
        ['LPOP', k('nope'), '0'],
        ['RPOP', k('l'), '-1'],
        ['LTRIM', k('l'), '1', '0'],
        ['EXISTS', k('l'), k('m')],
        ['RPUSH', k('l'), 'q'],
        ['BLPOP', k('l'), '0x10'],
      ];
      for (const resp of [2, 3] as const) {
        await live.hello(resp);
        await live.call(['DEL', k('l'), k('m'), k('x')]);
        const h = harness({ resp });
        for (const argv of sequence) {
          const expected = await live.call(argv);
          expect(h.run(...argv), `RESP${resp} ${argv.join(' ')}`).toEqual(expected);
        }
      }
    } finally {
      live.close();
    }
  });

  it('seeded random sequences answer the same (0 mismatches)', async () => {
    const live = await RespClient.connect(redis.standalone.port, redis.host);
    const mismatches: string[] = [];
    try {
      for (let seed = 1; seed <= 25; seed++) {
        for (const resp of [2, 3] as const) {
          const tag = `lists-rand-${process.pid}-${seed}`;
          await live.hello(resp);
          await live.call(['DEL', `{${tag}}a`, `{${tag}}b`, `{${tag}}c`, `{${tag}}s`]);
          const next = generator(seed, tag);
          const h = harness({ resp });
          for (let step = 0; step < 40; step++) {
            const argv = next();
            const expected = await live.call(argv);
            const actual = h.run(...argv);
            if (!sameReply(actual, expected)) {
              mismatches.push(`seed ${seed} RESP${resp} ${JSON.stringify(argv)}: live ${JSON.stringify(expected)} ours ${JSON.stringify(actual)}`);
              break;
            }
          }
          await live.call(['DEL', `{${tag}}a`, `{${tag}}b`, `{${tag}}c`, `{${tag}}s`]);
        }
      }
    } finally {
      live.close();
    }
    expect(mismatches).toEqual([]);
  });

  it('null shapes in RESP2: `*-1` for BLPOP/BLMPOP/LMPOP/LPOP-with-count, `$-1` for LPOP and moves', async () => {
    const live = await RespClient.connect(redis.standalone.port, redis.host);
    try {
      const raw = async (argv: string[]): Promise<string> => {
        // RespClient folds both nulls into one typed form: read the bytes of a private socket.
        const { connect } = await import('node:net');
        return new Promise((resolve, reject) => {
          const socket = connect({ port: redis.standalone.port, host: redis.host }, () => {
            socket.write(`*${argv.length}\r\n${argv.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
          });
          socket.once('data', (data) => {
            resolve(data.toString('latin1'));
            socket.destroy();
          });
          socket.once('error', reject);
        });
      };
      const key = `{lists-null-${process.pid}}none`;
      const h = harness();
      const cases: Array<[string[], Reply]> = [
        [['LPOP', key], null],
        [['LPOP', key, '1'], NULL_ARRAY],
        [['LMPOP', '1', key, 'LEFT'], NULL_ARRAY],
        [['BLPOP', key, '0.01'], NULL_ARRAY],
        [['BLMPOP', '0.01', '1', key, 'LEFT'], NULL_ARRAY],
        [['LMOVE', key, key, 'LEFT', 'LEFT'], null],
        [['LINDEX', key, '0'], null],
      ];
      for (const [argv, ours] of cases) {
        const bytes = await raw(argv);
        expect(bytes, argv.join(' ')).toBe(ours === null ? '$-1\r\n' : '*-1\r\n');
        expect(h.raw(...argv), argv.join(' ')).toBe(ours);
      }
    } finally {
      live.close();
    }
  });
});

describe('layout model invariants under random operations', () => {
  it('node counts and byte sizes always add up, and the elements match a plain array', () => {
    for (const fill of ['-2', '-1', '5', '0']) {
      const h = harness();
      h.cache.settings.setInternal('list-max-listpack-size', fill);
      let seed = 7 + Number(fill) * 13;
      const rnd = (): number => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed / 0x7fffffff;
      };
      const sizes = [0, 1, 5, 40, 63, 64, 200, 1500, 5000, 9000];
      const value = (): string => {
        const n = sizes[Math.floor(rnd() * sizes.length)];
        return rnd() < 0.2 ? String(Math.floor(rnd() * 1e6) - 5e5) : 'v'.repeat(n);
      };
      const reference: string[] = [];
      for (let step = 0; step < 1500; step++) {
        const op = Math.floor(rnd() * 9);
        const index = reference.length === 0 ? 0 : Math.floor(rnd() * reference.length);
        if (op <= 1) {
          const v = value();
          h.run(op === 0 ? 'LPUSH' : 'RPUSH', 'l', v);
          if (op === 0) reference.unshift(v);
          else reference.push(v);
        } else if (op === 2 && reference.length > 0) {
          const n = 1 + Math.floor(rnd() * 4);
          h.run(rnd() < 0.5 ? 'LPOP' : 'RPOP', 'l', String(n));
          // Re-read to follow which end was popped.
          reference.length = 0;
          reference.push(...((h.raw('LRANGE', 'l', '0', '-1') as string[]) ?? []));
        } else if (op === 3 && reference.length > 0) {
          const v = value();
          const after = rnd() < 0.5;
          const pivot = reference[index];
          h.run('LINSERT', 'l', after ? 'AFTER' : 'BEFORE', pivot, v);
          reference.splice(reference.indexOf(pivot) + (after ? 1 : 0), 0, v);
        } else if (op === 4 && reference.length > 0) {
          const v = value();
          h.run('LSET', 'l', String(index), v);
          reference[index] = v;
        } else if (op === 5 && reference.length > 0) {
          const target = reference[index];
          const count = Math.floor(rnd() * 5) - 2;
          h.run('LREM', 'l', String(count), target);
          let left = Math.abs(count);
          if (count >= 0) {
            for (let i = 0; i < reference.length; i++) {
              if (reference[i] === target && (count === 0 || left-- > 0)) reference.splice(i--, 1);
            }
          } else {
            for (let i = reference.length - 1; i >= 0; i--) {
              if (reference[i] === target && left-- > 0) reference.splice(i, 1);
            }
          }
        } else if (op === 6 && reference.length > 0) {
          const start = Math.floor(rnd() * 3);
          const stop = -1 - Math.floor(rnd() * 3);
          h.run('LTRIM', 'l', String(start), String(stop));
          reference.splice(0, reference.length, ...reference.slice(start, reference.length + stop + 1));
        } else {
          const v = value();
          h.run('RPUSH', 'l', v, value());
          reference.push(v);
          reference.push((h.raw('LINDEX', 'l', '-1') as string));
        }
        const stored = h.cache.shards[0].keyspace.valueOf('l');
        if (reference.length === 0) {
          expect(stored, `step ${step}`).toBeUndefined();
          continue;
        }
        expect(stored).toBeInstanceOf(ListValue);
        const list = stored as ListValue;
        const items = list.range(0, list.length - 1) as string[];
        expect(items, `fill ${fill} step ${step}`).toEqual(reference);
        const layout = list.layout();
        if (layout === null) {
          expect(list.listpackBytes).toBe(7 + items.reduce((sum, v) => sum + entrySize(v), 0));
          expect(h.encoding('l')).toBe('listpack');
          continue;
        }
        expect(h.encoding('l')).toBe('quicklist');
        expect(layout.reduce((sum, n) => sum + n.count, 0)).toBe(items.length);
        let at = 0;
        for (const node of layout) {
          expect(node.count).toBeGreaterThan(0);
          const members = items.slice(at, at + node.count);
          if (node.plain) {
            expect(node.count).toBe(1);
            expect(node.sz).toBe(Buffer.byteLength(members[0]));
          } else {
            expect(node.sz, `fill ${fill} step ${step}`).toBe(7 + members.reduce((sum, v) => sum + entrySize(v), 0));
          }
          at += node.count;
        }
      }
    }
  });
});
