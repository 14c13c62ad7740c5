/**
 * The stream commands: IDs and their parsing, XADD's ID rules and trimming (exact and by whole
 * nodes), ranges, deletion and the recorded first / max-deleted IDs, consumer groups (delivery,
 * PELs, history, acknowledgement, claiming, lag), XINFO, XSETID, errors to the letter, keyspace
 * events, replicated effects (a lagged replica ends equal), the generic key commands on streams,
 * blocking XREAD/XREADGROUP, and a scripted comparison with a live redis-server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManagedRedis } from '../../src/managed-redis.js';
import type { ChangeRecord, ClientState } from '../../src/core-types.js';
import type { Bytes } from '../../src/keyspace/bytes.js';
import { ID_MAX, StreamValue, formatId, makeId, parseStreamId, parseU64 } from '../../src/keyspace/types/stream.js';
import { isBlockedReply, waitForReply } from '../../src/blocking.js';
import type { Reply } from '../../src/protocol/reply.js';
import { toTyped, type Typed } from '../support/oracle.js';
import { describeLive } from '../support/live.js';
import { RespClient } from '../support/resp-client.js';

const T0 = 1_795_346_510_783;

function setup(options: ConstructorParameters<typeof ManagedRedis>[0] = {}) {
  const cache = new ManagedRedis({
    clusterPolicy: 'NoCluster',
    clock: 'virtual',
    startTime: T0,
    activeExpiry: false,
    evictionPolicy: 'noeviction',
    ...options,
  });
  const client = cache.openClient({ name: null });
  const changes: ChangeRecord[] = [];
  cache.changeListeners.push((c) => void changes.push(c));
  const run = (...argv: Bytes[]): Typed => {
    try {
      return toTyped(cache.executeReply(argv, client), client.resp as 2 | 3);
    } catch (error) {
      return ['-', (error as Error).message];
    }
  };
  /** The reply as plain JSON-able values: bulk → string, integer → number, nil → null. */
  const plain = (...argv: Bytes[]): unknown => {
    const conv = (t: Typed): unknown =>
      t[0] === '*' || t[0] === '~' ? (t[1] as Typed[]).map(conv) : t[0] === '%' ? (t[1] as Typed[][]).flatMap((p) => p.map(conv)) : t[0] === ':' ? Number(t[1]) : t[0] === '_' ? null : t[0] === '-' ? `ERR:${String(t[1])}` : t[1];
    return conv(run(...argv));
  };
  return { cache, client, run, plain, changes };
}

const err = (text: string): Typed => ['-', text];

describe('stream IDs', () => {
  it('parse as Redis does: strtoull fallbacks, -, +, ms-*, exclusive forms elsewhere', () => {
    expect(parseU64('007')).toBe(7n);
    expect(parseU64(' 5')).toBe(5n);
    expect(parseU64('+5')).toBe(5n);
    expect(parseU64('-1')).toBeNull();
    expect(parseU64('18446744073709551615')).toBe((1n << 64n) - 1n);
    expect(parseU64('18446744073709551616')).toBeNull();
    expect(parseU64('')).toBeNull();
    expect(parseU64('1x')).toBeNull();
    expect(parseStreamId('5', 0n, false)?.id).toBe(makeId(5n, 0n));
    expect(parseStreamId('5', (1n << 64n) - 1n, false)?.id).toBe(makeId(5n, (1n << 64n) - 1n));
    expect(parseStreamId('-', 0n, false)?.id).toBe(0n);
    expect(parseStreamId('+', 0n, false)?.id).toBe(ID_MAX);
    expect(parseStreamId('+', 0n, true)).toBeNull();
    expect(parseStreamId('5-*', 0n, true)).toBeNull();
    expect(parseStreamId('5-*', 0n, true, true)).toEqual({ id: makeId(5n, 0n), seqGiven: false });
    expect(parseStreamId('1-', 0n, true)).toBeNull();
    expect(parseStreamId('x'.repeat(128), 0n, true)).toBeNull();
    expect(formatId(ID_MAX)).toBe('18446744073709551615-18446744073709551615');
  });
});

describe('XADD', () => {
  it('explicit, ms-* and auto IDs; the top item rule; 0-0; the last possible ID', () => {
    const { run, cache } = setup();
    expect(run('XADD', 's', '5-3', 'f', 'v')).toEqual(['$', '5-3']);
    expect(run('XADD', 's', '5-*', 'f', 'v')).toEqual(['$', '5-4']);
    expect(run('XADD', 's', '4-*', 'f', 'v')).toEqual(err('ERR The ID specified in XADD is equal or smaller than the target stream top item'));
    expect(run('XADD', 's', '5-4', 'f', 'v')).toEqual(err('ERR The ID specified in XADD is equal or smaller than the target stream top item'));
    expect(run('XADD', 's', '6', 'f', 'v')).toEqual(['$', '6-0']);
    expect(run('XADD', 's', '*', 'f', 'v')).toEqual(['$', `${T0}-0`]);
    expect(run('XADD', 's', '*', 'f', 'v')).toEqual(['$', `${T0}-1`]);
    cache.clock.advance(5);
    expect(run('XADD', 's', '*', 'f', 'v')).toEqual(['$', `${T0 + 5}-0`]);
    expect(run('XADD', 'z', '0-0', 'f', 'v')).toEqual(err('ERR The ID specified in XADD must be greater than 0-0'));
    expect(run('EXISTS', 'z')).toEqual([':', '0']);
    expect(run('XADD', 'z', '0-*', 'f', 'v')).toEqual(['$', '0-1']);
    expect(run('XADD', 'm', '18446744073709551615-18446744073709551615', 'f', 'v')).toEqual(['$', '18446744073709551615-18446744073709551615']);
    expect(run('XADD', 'm', '*', 'f', 'v')).toEqual(err('ERR The stream has exhausted the last possible ID, unable to add more items'));
    expect(run('XADD', 'q', '18446744073709551615-*', 'f', 'v')).toEqual(['$', '18446744073709551615-0']);
  });

  it('NOMKSTREAM, arity, option errors, parse before change', () => {
    const { run } = setup();
    expect(run('XADD', 's', 'NOMKSTREAM', '1-1', 'f', 'v')).toEqual(['_']);
    expect(run('EXISTS', 's')).toEqual([':', '0']);
    expect(run('XADD', 's', '1-1', 'f')).toEqual(err("ERR wrong number of arguments for 'xadd' command"));
    expect(run('XADD', 's', '1-1', 'f', 'v', 'g')).toEqual(err("ERR wrong number of arguments for 'xadd' command"));
    expect(run('XADD', 's', 'abc', 'f', 'v')).toEqual(err('ERR Invalid stream ID specified as stream command argument'));
    expect(run('XADD', 's', 'MAXLEN', '-1', '1-1', 'f', 'v')).toEqual(err('ERR The MAXLEN argument must be >= 0.'));
    expect(run('XADD', 's', 'MAXLEN', '1', 'MINID', '1', '1-1', 'f', 'v')).toEqual(
      err('ERR syntax error, MAXLEN and MINID options at the same time are not compatible'),
    );
    expect(run('XADD', 's', 'LIMIT', '5', '1-1', 'f', 'v')).toEqual(err('ERR syntax error, LIMIT cannot be used without specifying a trimming strategy'));
    expect(run('XADD', 's', 'LIMIT', '0', '1-1', 'f', 'v')).toEqual(err('ERR syntax error, LIMIT cannot be used without the special ~ option'));
    expect(run('XADD', 's', 'MAXLEN', '1', 'LIMIT', '5', '1-1', 'f', 'v')).toEqual(err('ERR syntax error, LIMIT cannot be used without the special ~ option'));
    expect(run('XADD', 's', 'MAXLEN', '~', '1', 'LIMIT', '-1', '1-1', 'f', 'v')).toEqual(err('ERR The LIMIT argument must be >= 0.'));
    expect(run('XADD', 's', 'MAXLEN', 'x', '1-1', 'f', 'v')).toEqual(err('ERR value is not an integer or out of range'));
    expect(run('EXISTS', 's')).toEqual([':', '0']);
    expect(run('SET', 'str', 'x')).toEqual(['+', 'OK']);
    expect(run('XADD', 'str', '1-1', 'f', 'v')).toEqual(err('WRONGTYPE Operation against a key holding the wrong kind of value'));
  });

  it('trims exactly with = and by whole nodes with ~ (stream-node-max-entries)', () => {
    const { run, plain } = setup();
    run('CONFIG', 'SET', 'stream-node-max-entries', '3');
    for (let i = 1; i <= 10; i++) run('XADD', 's', `${i}-0`, 'f', String(i));
    // Four nodes keyed 1-0, 4-0, 7-0, 10-0: a 7-byte compressed root, a 4-way branch, then a
    // compressed 8-byte tail and a leaf under each: 10 radix tree nodes.
    expect((plain('XINFO', 'STREAM', 's') as unknown[]).slice(0, 6)).toEqual(['length', 10, 'radix-tree-keys', 4, 'radix-tree-nodes', 10]);
    // ~ removes only whole nodes: 10 → 7 → 4 would go below 5, so it stops at 7.
    expect(run('XTRIM', 's', 'MAXLEN', '~', '5')).toEqual([':', '3']);
    expect(run('XLEN', 's')).toEqual([':', '7']);
    expect(run('XTRIM', 's', 'MAXLEN', '=', '5')).toEqual([':', '2']);
    expect(plain('XRANGE', 's', '-', '+')).toEqual([6, 7, 8, 9, 10].map((i) => [`${i}-0`, ['f', String(i)]]));
    expect(run('XTRIM', 's', 'MINID', '8')).toEqual([':', '2']);
    expect(run('XTRIM', 's', 'MINID', '~', '10', 'LIMIT', '1')).toEqual([':', '0']);
    expect(run('XADD', 's', 'MAXLEN', '1', '11-0', 'f', 'v')).toEqual(['$', '11-0']);
    expect(plain('XRANGE', 's', '-', '+')).toEqual([['11-0', ['f', 'v']]]);
    expect(run('XTRIM', 's', 'BOGUS', 'x')).toEqual(err('ERR syntax error'));
    expect(run('XTRIM', 's', 'LIMIT', '0')).toEqual(err('ERR syntax error, XTRIM must be called with a trimming strategy'));
    expect(run('XTRIM', 'missing', 'MAXLEN', '0')).toEqual([':', '0']);
  });
});

describe('XRANGE XREVRANGE XLEN XDEL', () => {
  it('bounds, exclusive bounds, COUNT, XDEL bookkeeping', () => {
    const { run, plain } = setup();
    for (const id of ['1-1', '1-2', '2-0', '3-5']) run('XADD', 's', id, 'f', id);
    expect(plain('XRANGE', 's', '-', '+', 'COUNT', '2')).toEqual([['1-1', ['f', '1-1']], ['1-2', ['f', '1-2']]]);
    expect(plain('XRANGE', 's', '(1-1', '2')).toEqual([['1-2', ['f', '1-2']], ['2-0', ['f', '2-0']]]);
    expect(plain('XRANGE', 's', '1', '1')).toEqual([['1-1', ['f', '1-1']], ['1-2', ['f', '1-2']]]);
    expect(plain('XREVRANGE', 's', '+', '(2-0')).toEqual([['3-5', ['f', '3-5']]]);
    expect(run('XRANGE', 's', '-', '+', 'COUNT', '0')).toEqual(['_']);
    expect(run('XRANGE', 's', '-', '+', 'COUNT', '-5')).toEqual(['_']);
    expect(run('XRANGE', 'missing', '-', '+', 'COUNT', '0')).toEqual(['*', []]);
    expect(run('XRANGE', 's', '(-', '+')).toEqual(err('ERR Invalid stream ID specified as stream command argument'));
    expect(run('XRANGE', 's', '(18446744073709551615-18446744073709551615', '+')).toEqual(err('ERR invalid start ID for the interval'));
    expect(run('XRANGE', 's', '-', '(0-0')).toEqual(err('ERR invalid end ID for the interval'));
    expect(run('XRANGE', 's', '-', '+', 'COUNT')).toEqual(err('ERR syntax error'));
    expect(run('XLEN', 's')).toEqual([':', '4']);
    expect(run('XDEL', 's', '1-1', '9-9', '1-1')).toEqual([':', '1']);
    expect(run('XDEL', 's', 'abc')).toEqual(err('ERR Invalid stream ID specified as stream command argument'));
    expect(run('XDEL', 'missing', 'abc')).toEqual([':', '0']);
    expect((plain('XINFO', 'STREAM', 's') as unknown[]).slice(0, 14)).toEqual([
      'length', 3, 'radix-tree-keys', 1, 'radix-tree-nodes', 2, 'last-generated-id', '3-5',
      'max-deleted-entry-id', '1-1', 'entries-added', 4, 'recorded-first-entry-id', '1-2',
    ]);
    expect(run('XDEL', 's', '1-2', '2-0', '3-5')).toEqual([':', '3']);
    expect(plain('XINFO', 'STREAM', 's')).toEqual([
      'length', 0, 'radix-tree-keys', 0, 'radix-tree-nodes', 1, 'last-generated-id', '3-5', 'max-deleted-entry-id', '3-5',
      'entries-added', 4, 'recorded-first-entry-id', '0-0', 'groups', 0, 'first-entry', null, 'last-entry', null,
    ]);
    // An emptied stream stays (Redis never deletes a stream key for being empty).
    expect(run('TYPE', 's')).toEqual(['+', 'stream']);
  });

  it('a field or key named __proto__ is data', () => {
    const { plain } = setup();
    plain('XADD', '__proto__', '1-1', '__proto__', 'constructor', 'toString', 'x');
    expect(plain('XRANGE', '__proto__', '-', '+')).toEqual([['1-1', ['__proto__', 'constructor', 'toString', 'x']]]);
  });
});

describe('XREAD', () => {
  it('reads after each ID, $ and + (7.4), COUNT; RESP2 pairs, RESP3 map', () => {
    const { run, client } = setup();
    run('XADD', 'a', '1-0', 'f', '1');
    run('XADD', 'a', '2-0', 'f', '2');
    run('XADD', 'b', '5-0', 'g', '5');
    expect(run('XREAD', 'COUNT', '1', 'STREAMS', 'a', 'b', '0', '0')).toEqual([
      '*',
      [
        ['*', [['$', 'a'], ['*', [['*', [['$', '1-0'], ['*', [['$', 'f'], ['$', '1']]]]]]]]],
        ['*', [['$', 'b'], ['*', [['*', [['$', '5-0'], ['*', [['$', 'g'], ['$', '5']]]]]]]]],
      ],
    ]);
    expect(run('XREAD', 'STREAMS', 'a', '$')).toEqual(['_']);
    expect(run('XREAD', 'STREAMS', 'a', '+')).toEqual(['*', [['*', [['$', 'a'], ['*', [['*', [['$', '2-0'], ['*', [['$', 'f'], ['$', '2']]]]]]]]]]]);
    client.resp = 3;
    expect(run('XREAD', 'STREAMS', 'a', 'missing', '1-0', '0')).toEqual(['%', [[['$', 'a'], ['*', [['*', [['$', '2-0'], ['*', [['$', 'f'], ['$', '2']]]]]]]]]]);
    expect(run('XREAD', 'STREAMS', 'a', '2-0')).toEqual(['_']);
    expect(run('XREAD', 'COUNT', '1', 'STREAMS', 'a')).toEqual(err("ERR Unbalanced 'xread' list of streams: for each stream key an ID, '+', or '$' must be specified."));
    expect(run('XREAD', 'STREAMS', 'a', '>')).toEqual(err('ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.'));
    expect(run('XREAD', 'GROUP', 'g', 'c', 'STREAMS', 'a', '0')).toEqual(err('ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.'));
    expect(run('XREAD', 'NOACK', 'STREAMS', 'a', '0')).toEqual(err('ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.'));
    expect(run('XREAD', 'BLOCK', 'x', 'STREAMS', 'a', '0')).toEqual(err('ERR timeout is not an integer or out of range'));
    expect(run('XREAD', 'BLOCK', '-1', 'STREAMS', 'a', '0')).toEqual(err('ERR timeout is negative'));
    expect(run('XREAD', 'COUNT', '1', 'a', '0')).toEqual(err('ERR syntax error'));
    // A connection that may not block (this synchronous one, MULTI, scripts) gets the timeout answer.
    expect(run('XREAD', 'BLOCK', '0', 'STREAMS', 'a', '$')).toEqual(['_']);
  });
});

describe('consumer groups', () => {
  it('XGROUP CREATE/SETID/DESTROY/CREATECONSUMER/DELCONSUMER and their errors', () => {
    const { run, plain } = setup();
    expect(run('XGROUP', 'CREATE', 's', 'g', '$')).toEqual(
      err('ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.'),
    );
    expect(run('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM')).toEqual(['+', 'OK']);
    expect(run('XGROUP', 'CREATE', 's', 'g', '0')).toEqual(err('BUSYGROUP Consumer Group name already exists'));
    expect(run('XGROUP', 'CREATE', 's', 'h', '0', 'BOGUS')).toEqual(err("ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP."));
    expect(run('XGROUP', 'CREATE', 's', 'h', '0', 'ENTRIESREAD', '-2')).toEqual(err('ERR value for ENTRIESREAD must be positive or -1'));
    expect(run('XGROUP', 'SETID', 's', 'nope', '0')).toEqual(err("NOGROUP No such consumer group 'nope' for key name 's'"));
    expect(run('XGROUP', 'CREATECONSUMER', 's', 'g', 'c')).toEqual([':', '1']);
    expect(run('XGROUP', 'CREATECONSUMER', 's', 'g', 'c')).toEqual([':', '0']);
    expect(run('XGROUP', 'DELCONSUMER', 's', 'g', 'c')).toEqual([':', '0']);
    expect(run('XGROUP', 'DELCONSUMER', 's', 'g', 'c')).toEqual([':', '0']);
    expect(run('XGROUP', 'DESTROY', 's', 'nope')).toEqual([':', '0']);
    expect(run('XGROUP', 'NOPE', 's')).toEqual(err("ERR unknown subcommand 'NOPE'. Try XGROUP HELP."));
    expect(run('XGROUP', 'SETID', 's', 'g', '7', 'ENTRIESREAD', '3')).toEqual(['+', 'OK']);
    expect(plain('XINFO', 'GROUPS', 's')).toEqual([
      ['name', 'g', 'consumers', 0, 'pending', 0, 'last-delivered-id', '7-0', 'entries-read', 3, 'lag', 0],
    ]);
    expect(run('XGROUP', 'DESTROY', 's', 'g')).toEqual([':', '1']);
    expect(plain('XINFO', 'GROUPS', 's')).toEqual([]);
  });

  it('XREADGROUP delivers, records PELs, serves history, and XACK/XPENDING/XCLAIM/XAUTOCLAIM follow', () => {
    const { run, plain, cache } = setup();
    for (const id of ['1-0', '2-0', '3-0', '4-0']) run('XADD', 's', id, 'f', id);
    run('XGROUP', 'CREATE', 's', 'g', '0');
    expect(plain('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '2', 'STREAMS', 's', '>')).toEqual([
      ['s', [['1-0', ['f', '1-0']], ['2-0', ['f', '2-0']]]],
    ]);
    expect(plain('XREADGROUP', 'GROUP', 'g', 'bob', 'NOACK', 'COUNT', '1', 'STREAMS', 's', '>')).toEqual([['s', [['3-0', ['f', '3-0']]]]]);
    expect(plain('XPENDING', 's', 'g')).toEqual([2, '1-0', '2-0', [['alice', '2']]]);
    cache.clock.advance(100);
    expect(plain('XPENDING', 's', 'g', '-', '+', '10')).toEqual([['1-0', 'alice', 100, 1], ['2-0', 'alice', 100, 1]]);
    expect(plain('XPENDING', 's', 'g', 'IDLE', '101', '-', '+', '10')).toEqual([]);
    // History: the consumer's own PEL; a deleted entry comes back with a nil body.
    run('XDEL', 's', '1-0');
    expect(plain('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '0')).toEqual([['s', [['1-0', null], ['2-0', ['f', '2-0']]]]]);
    expect(plain('XPENDING', 's', 'g', '-', '+', '10', 'alice')).toEqual([['1-0', 'alice', 100, 1], ['2-0', 'alice', 0, 2]]);
    expect(plain('XINFO', 'GROUPS', 's')).toEqual([
      // 1-0 was the first entry: its tombstone lies before the stream's first ID, so the lag is known.
      ['name', 'g', 'consumers', 2, 'pending', 2, 'last-delivered-id', '3-0', 'entries-read', 3, 'lag', 1],
    ]);
    // XCLAIM moves 2-0 to bob; the missing 1-0 is dropped from the PEL.
    expect(plain('XCLAIM', 's', 'g', 'bob', '0', '1-0', '2-0', 'JUSTID')).toEqual(['2-0']);
    expect(plain('XPENDING', 's', 'g')).toEqual([1, '2-0', '2-0', [['bob', '1']]]);
    expect(plain('XCLAIM', 's', 'g', 'bob', '0', '4-0', 'FORCE', 'RETRYCOUNT', '7')).toEqual([['4-0', ['f', '4-0']]]);
    expect(plain('XPENDING', 's', 'g', '-', '+', '10')).toEqual([['2-0', 'bob', 0, 2], ['4-0', 'bob', 0, 7]]);
    expect(run('XCLAIM', 's', 'g', 'bob', 'x', '4-0')).toEqual(err('ERR Invalid min-idle-time argument for XCLAIM'));
    expect(run('XCLAIM', 's', 'g', 'bob', '0', '4-0', 'BOGUS')).toEqual(err("ERR Unrecognized XCLAIM option 'BOGUS'"));
    expect(run('XCLAIM', 's', 'nope', 'bob', '0', '4-0')).toEqual(err("NOGROUP No such key 's' or consumer group 'nope'"));
    // XAUTOCLAIM: cursor, claimed entries, deleted IDs.
    run('XDEL', 's', '2-0');
    expect(plain('XAUTOCLAIM', 's', 'g', 'carol', '0', '0', 'COUNT', '1')).toEqual(['4-0', [], ['2-0']]);
    expect(plain('XAUTOCLAIM', 's', 'g', 'carol', '0', '0', 'JUSTID')).toEqual(['0-0', ['4-0'], []]);
    expect(run('XAUTOCLAIM', 's', 'g', 'carol', '0', '0', 'COUNT', '0')).toEqual(err('ERR COUNT must be > 0'));
    expect(run('XAUTOCLAIM', 's', 'g', 'carol', '0', '0', 'COUNT', '576460752303423488')).toEqual(err('ERR COUNT must be > 0'));
    expect(run('XAUTOCLAIM', 's', 'g', 'carol', '0', '0', 'COUNT', '576460752303423487')).toEqual(
      err('ERR Insufficient memory, failed allocating transient memory, COUNT too high.'),
    );
    expect(plain('XACK', 's', 'g', '4-0', '4-0', '9-9')).toBe(1);
    expect(run('XACK', 's', 'g', 'abc')).toEqual(err('ERR Invalid stream ID specified as stream command argument'));
    expect(plain('XACK', 's', 'nope', 'abc')).toBe(0);
    expect(plain('XPENDING', 's', 'g')).toEqual([0, null, null, null]);
    // idle: since the consumer was last seen (alice: her history read at +100); inactive: since
    // it last got an entry (alice: at T0).
    expect(plain('XINFO', 'CONSUMERS', 's', 'g')).toEqual([
      ['name', 'alice', 'pending', 0, 'idle', 0, 'inactive', 100],
      ['name', 'bob', 'pending', 0, 'idle', 0, 'inactive', 0],
      ['name', 'carol', 'pending', 0, 'idle', 0, 'inactive', 0],
    ]);
    cache.clock.advance(5);
    expect((plain('XINFO', 'CONSUMERS', 's', 'g') as unknown[][])[0]).toEqual(['name', 'alice', 'pending', 0, 'idle', 5, 'inactive', 105]);
  });

  it('XREADGROUP errors and a consumer made even when nothing is read', () => {
    const { run, plain, changes } = setup();
    expect(run('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>')).toEqual(err("NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option"));
    run('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    expect(run('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '$')).toEqual(
      err('ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.'),
    );
    expect(run('XREADGROUP', 'COUNT', '1', 'NOACK', 'STREAMS', 's', '>')).toEqual(err('ERR Missing GROUP option for XREADGROUP'));
    expect(run('XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1', 'STREAMS', 's')).toEqual(err("ERR Unbalanced 'xreadgroup' list of streams: for each stream key an ID or '>' must be specified."));
    changes.length = 0;
    expect(run('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>')).toEqual(['_']);
    expect(changes.flatMap((c) => c.events)).toEqual(['xgroup-createconsumer']);
    expect(changes[0].effects).toEqual([['XGROUP', 'CREATECONSUMER', 's', 'g', 'c']]);
    expect(plain('XINFO', 'GROUPS', 's')).toEqual([['name', 'g', 'consumers', 1, 'pending', 0, 'last-delivered-id', '0-0', 'entries-read', null, 'lag', 0]]);
  });

  it('lag and entries-read as 7.4 computes them', () => {
    const { run, plain } = setup();
    for (let i = 1; i <= 5; i++) run('XADD', 's', `${i}-0`, 'f', 'v');
    run('XGROUP', 'CREATE', 's', 'g', '0');
    run('XGROUP', 'CREATE', 's', 'h', '$');
    run('XGROUP', 'CREATE', 's', 'k', '3-0', 'ENTRIESREAD', '3');
    const groups = () => (plain('XINFO', 'GROUPS', 's') as unknown[][]).map((g) => [g[1], g[9], g[11]]);
    expect(groups()).toEqual([['g', null, 5], ['h', null, 0], ['k', 3, 2]]);
    run('XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '2', 'STREAMS', 's', '>');
    expect(groups()[0]).toEqual(['g', 2, 3]);
    run('XDEL', 's', '4-0');
    // A tombstone after the group's position: entries-read no longer tells the lag.
    expect(groups()).toEqual([['g', 2, null], ['h', null, 0], ['k', 3, null]]);
    run('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>');
    expect(groups()[0]).toEqual(['g', 5, 0]);
  });
});

describe('XSETID and XINFO', () => {
  it('XSETID rules and errors', () => {
    const { run, plain } = setup();
    expect(run('XSETID', 's', '1-0')).toEqual(err('ERR no such key'));
    run('XADD', 's', '5-0', 'f', 'v');
    expect(run('XSETID', 's', '4-0')).toEqual(err('ERR The ID specified in XSETID is smaller than the target stream top item'));
    expect(run('XSETID', 's', '6-0', 'ENTRIESADDED', '0')).toEqual(err('ERR The entries_added specified in XSETID is smaller than the target stream length'));
    expect(run('XSETID', 's', '6-0', 'ENTRIESADDED', '-1')).toEqual(err('ERR entries_added must be positive'));
    expect(run('XSETID', 's', '6-0', 'MAXDELETEDID', '7-0')).toEqual(err('ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id'));
    expect(run('XSETID', 's', '6-0', 'BOGUS')).toEqual(err('ERR syntax error'));
    expect(run('XSETID', 's', '9-0', 'ENTRIESADDED', '10', 'MAXDELETEDID', '8-0')).toEqual(['+', 'OK']);
    expect((plain('XINFO', 'STREAM', 's') as unknown[]).slice(0, 12)).toEqual(['length', 1, 'radix-tree-keys', 1, 'radix-tree-nodes', 2, 'last-generated-id', '9-0', 'max-deleted-entry-id', '8-0', 'entries-added', 10]);
    expect(run('XSETID', 's', '7-0')).toEqual(err('ERR The ID specified in XSETID is smaller than current max_deleted_entry_id'));
    expect(run('XADD', 's', '9-0', 'f', 'v')).toEqual(err('ERR The ID specified in XADD is equal or smaller than the target stream top item'));
  });

  it('XINFO STREAM FULL, HELP and errors', () => {
    const { run, plain, cache } = setup();
    run('XADD', 's', '1-0', 'f', 'v');
    run('XADD', 's', '2-0', 'f', 'w', 'g', 'x');
    run('XGROUP', 'CREATE', 's', 'g', '0');
    run('XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1', 'STREAMS', 's', '>');
    cache.clock.advance(10);
    expect(plain('XINFO', 'STREAM', 's', 'FULL', 'COUNT', '1')).toEqual([
      'length', 2, 'radix-tree-keys', 1, 'radix-tree-nodes', 2, 'last-generated-id', '2-0', 'max-deleted-entry-id', '0-0',
      'entries-added', 2, 'recorded-first-entry-id', '1-0', 'entries', [['1-0', ['f', 'v']]],
      'groups', [[
        'name', 'g', 'last-delivered-id', '1-0', 'entries-read', 1, 'lag', 1, 'pel-count', 1,
        'pending', [['1-0', 'c', T0, 1]],
        'consumers', [['name', 'c', 'seen-time', T0, 'active-time', T0, 'pel-count', 1, 'pending', [['1-0', T0, 1]]]],
      ]],
    ]);
    expect(run('XINFO', 'STREAM', 's', 'FULL', 'COUNT')).toEqual(err("ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP."));
    expect(run('XINFO', 'STREAM', 'missing')).toEqual(err('ERR no such key'));
    expect(run('XINFO', 'CONSUMERS', 's', 'nope')).toEqual(err("NOGROUP No such consumer group 'nope' for key name 's'"));
    expect((plain('XINFO', 'HELP') as string[]).at(-1)).toBe('    Print this help.');
    expect((plain('XGROUP', 'HELP') as string[])[0]).toBe('XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
  });
});

describe('streams and the generic key commands', () => {
  it('TYPE, SCAN TYPE, OBJECT ENCODING, MEMORY USAGE, COPY, RENAME', () => {
    const { run, plain, cache } = setup();
    run('XADD', 's', '1-0', 'f', 'v');
    run('XGROUP', 'CREATE', 's', 'g', '0');
    run('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>');
    run('SET', 'str', 'x');
    expect(run('TYPE', 's')).toEqual(['+', 'stream']);
    expect(plain('SCAN', '0', 'TYPE', 'stream')).toEqual(['0', ['s']]);
    expect(run('OBJECT', 'ENCODING', 's')).toEqual(['$', 'stream']);
    const usage = plain('MEMORY', 'USAGE', 's') as number;
    expect(usage).toBeGreaterThan(4096);
    expect(run('COPY', 's', 't')).toEqual([':', '1']);
    // The copy is deep: acknowledging in one leaves the other's PEL alone.
    run('XACK', 't', 'g', '1-0');
    expect(plain('XPENDING', 's', 'g')).toEqual([1, '1-0', '1-0', [['c', '1']]]);
    expect(plain('XPENDING', 't', 'g')).toEqual([0, null, null, null]);
    run('XADD', 't', '2-0', 'f', 'v');
    expect(run('XLEN', 's')).toEqual([':', '1']);
    expect(run('RENAME', 't', 'u')).toEqual(['+', 'OK']);
    expect(run('XLEN', 'u')).toEqual([':', '2']);
    const value = cache.shards[0].keyspace.valueOf('u') as StreamValue;
    expect(value).toBeInstanceOf(StreamValue);
    // The keyspace's running total follows the stream's own estimate, which grows with the data
    // (a 5000-byte entry gets a node of its own; the old tail node gives back its preallocation).
    const db = cache.shards[0].keyspace;
    const before = db.bytes;
    const usage0 = value.memoryUsage();
    run('XADD', 'u', '3-0', 'field', 'x'.repeat(5000));
    expect(db.bytes - before).toBe(value.memoryUsage() - usage0);
    expect(value.memoryUsage()).toBeGreaterThan(usage0 + 5000 - 4096);
    run('XGROUP', 'CREATE', 'u', 'h', '0');
    const usage1 = value.memoryUsage();
    run('XREADGROUP', 'GROUP', 'h', 'c', 'STREAMS', 'u', '>');
    expect(value.memoryUsage()).toBeGreaterThan(usage1);
    expect(db.bytes - before).toBe(value.memoryUsage() - usage0);
    expect(run('XLEN', 'str')).toEqual(err('WRONGTYPE Operation against a key holding the wrong kind of value'));
  });
});

describe('keyspace events and replicated effects', () => {
  it('events per command; XADD * and approximate trims replicate as concrete IDs and exact trims', () => {
    const { run, changes } = setup();
    run('CONFIG', 'SET', 'stream-node-max-entries', '2');
    changes.length = 0;
    run('XADD', 's', '*', 'f', 'v');
    run('XADD', 's', `${T0}-*`, 'f', 'v');
    run('XADD', 's', 'MAXLEN', '~', '1', 'LIMIT', '5', '*', 'f', 'v');
    expect(changes.map((c) => c.events)).toEqual([['xadd'], ['xadd'], ['xadd', 'xtrim']]);
    expect(changes.map((c) => c.effects)).toEqual([
      [['XADD', 's', `${T0}-0`, 'f', 'v']],
      [['XADD', 's', `${T0}-1`, 'f', 'v']],
      [['XADD', 's', 'MAXLEN', '=', '1', `${T0}-2`, 'f', 'v']],
    ]);
  });

  it('keyspace notifications: class t, the event names and their order', () => {
    const cache = new ManagedRedis({ clusterPolicy: 'NoCluster', clock: 'virtual', startTime: T0, notifyKeyspaceEvents: 'Et' });
    const sub = cache.openClient({ name: null });
    const seen: string[] = [];
    sub.push = (message) => {
      if (message[0] === 'pmessage') seen.push(`${String(message[2]).replace('__keyevent@0__:', '')} ${String(message[3])}`);
    };
    cache.executeReply(['PSUBSCRIBE', '__keyevent@0__:*'], sub);
    const run = (...argv: string[]) => cache.execute(argv);
    run('XADD', 's', '1-0', 'f', 'v');
    run('XADD', 's', 'MAXLEN', '1', '2-0', 'f', 'v');
    run('XDEL', 's', '9-9');
    run('XDEL', 's', '2-0');
    run('XADD', 's', '3-0', 'f', 'v');
    run('XTRIM', 's', 'MAXLEN', '5');
    run('XTRIM', 's', 'MAXLEN', '0');
    run('XGROUP', 'CREATE', 's', 'g', '0');
    run('XGROUP', 'CREATECONSUMER', 's', 'g', 'c');
    run('XREADGROUP', 'GROUP', 'g', 'd', 'STREAMS', 's', '>');
    run('XGROUP', 'SETID', 's', 'g', '0');
    run('XGROUP', 'DELCONSUMER', 's', 'g', 'c');
    run('XSETID', 's', '10-0');
    run('XGROUP', 'DESTROY', 's', 'g');
    run('XGROUP', 'CREATE', 't', 'g', '$', 'MKSTREAM');
    expect(seen).toEqual([
      'xadd s', 'xadd s', 'xtrim s', 'xdel s', 'xadd s', 'xtrim s', 'xgroup-create s', 'xgroup-createconsumer s',
      'xgroup-createconsumer s', 'xgroup-setid s', 'xgroup-delconsumer s', 'xsetid s', 'xgroup-destroy s', 'xgroup-create t',
    ]);
  });

  it('a lagged replica replaying the effects of every group command ends equal', () => {
    const cache = new ManagedRedis({ clock: 'virtual', startTime: T0, seed: 3, activeExpiry: false, clusterPolicy: 'NoCluster', highAvailability: true, replication: { lag: 50 } });
    const run = (...argv: Bytes[]) => cache.execute(argv);
    for (let i = 1; i <= 6; i++) run('XADD', 'k', '*', 'f', String(i));
    cache.clock.advance(3);
    run('XGROUP', 'CREATE', 'k', 'g', '0');
    run('XREADGROUP', 'GROUP', 'g', 'a', 'COUNT', '3', 'STREAMS', 'k', '>');
    run('XREADGROUP', 'GROUP', 'g', 'b', 'NOACK', 'COUNT', '1', 'STREAMS', 'k', '>');
    cache.clock.advance(7);
    run('XCLAIM', 'k', 'g', 'b', '0', `${T0}-1`, `${T0}-2`);
    run('XDEL', 'k', `${T0}-2`);
    run('XAUTOCLAIM', 'k', 'g', 'c', '0', '0');
    run('XACK', 'k', 'g', `${T0}-0`);
    run('XTRIM', 'k', 'MINID', '~', `${T0}-5`);
    run('XGROUP', 'SETID', 'k', 'g', '$');
    run('XGROUP', 'CREATECONSUMER', 'k', 'g', 'd');
    run('XGROUP', 'DELCONSUMER', 'k', 'g', 'a');
    run('XSETID', 'k', `${T0 + 1000}-0`);
    const view = cache.replication.replicaView(0);
    const normalise = (reply: unknown): unknown =>
      JSON.parse(JSON.stringify(reply, (_k, v) => (typeof v === 'bigint' ? String(v) : v)).replace(/"(seen-time|active-time)",\d+/g, '"$1",0'));
    const replica = (): unknown => {
      try {
        return normalise(view.execute(['XINFO', 'STREAM', 'k', 'FULL']));
      } catch (error) {
        return (error as Error).message;
      }
    };
    const primary = normalise(cache.execute(['XINFO', 'STREAM', 'k', 'FULL']));
    expect(replica()).not.toEqual(primary);
    cache.clock.advance(100);
    expect(replica()).toEqual(primary);
  });
});

describe('blocking XREAD and XREADGROUP', () => {
  function blockingSetup() {
    const { cache, run } = setup();
    const connect = (): { client: ClientState; send(...argv: Bytes[]): { done: boolean; value?: Reply; error?: Error } } => {
      const client = cache.openClient({ name: null });
      client.canBlock = true;
      return {
        client,
        send(...argv: Bytes[]) {
          const reply = cache.executeReply(argv, client);
          const state: { done: boolean; value?: Reply; error?: Error } = { done: false };
          const promise = isBlockedReply(reply) ? waitForReply(cache, client, argv, reply) : Promise.resolve(reply);
          promise.then(
            (value) => Object.assign(state, { done: true, value }),
            (error: Error) => Object.assign(state, { done: true, error }),
          );
          return state;
        },
      };
    };
    const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
    return { cache, run, connect, tick };
  }

  it('XREAD BLOCK $ waits for an entry added after it, and times out with a null array', async () => {
    const { cache, run, connect, tick } = blockingSetup();
    run('XADD', 's', '1-0', 'f', 'old');
    const waiter = connect().send('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
    await tick();
    expect(waiter.done).toBe(false);
    run('XDEL', 's', '1-0');
    await tick();
    expect(waiter.done).toBe(false);
    run('XADD', 's', '2-0', 'f', 'new');
    await tick();
    expect(waiter.done).toBe(true);
    expect(toTyped(waiter.value!, 2)).toEqual(['*', [['*', [['$', 's'], ['*', [['*', [['$', '2-0'], ['*', [['$', 'f'], ['$', 'new']]]]]]]]]]]);
    const timed = connect().send('XREAD', 'BLOCK', '100', 'STREAMS', 's', '$');
    await tick();
    cache.clock.advance(99);
    await tick();
    expect(timed.done).toBe(false);
    cache.clock.advance(1);
    await tick();
    expect(timed.done).toBe(true);
    expect(toTyped(timed.value!, 2)).toEqual(['_']);
  });

  it('XREADGROUP BLOCK > is served by new entries, and woken with an error when the key or group goes', async () => {
    const { run, connect, tick } = blockingSetup();
    run('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    const a = connect().send('XREADGROUP', 'GROUP', 'g', 'c1', 'BLOCK', '0', 'STREAMS', 's', '>');
    const b = connect().send('XREADGROUP', 'GROUP', 'g', 'c2', 'BLOCK', '0', 'STREAMS', 's', '>');
    await tick();
    run('XADD', 's', '1-0', 'f', 'v');
    await tick();
    // First come, first served: c1 gets the entry; c2 keeps waiting.
    expect(a.done).toBe(true);
    expect(toTyped(a.value!, 2)).toEqual(['*', [['*', [['$', 's'], ['*', [['*', [['$', '1-0'], ['*', [['$', 'f'], ['$', 'v']]]]]]]]]]]);
    expect(b.done).toBe(false);
    expect(run('XPENDING', 's', 'g')).toEqual(['*', [[':', '1'], ['$', '1-0'], ['$', '1-0'], ['*', [['*', [['$', 'c1'], ['$', '1']]]]]]]);
    run('XGROUP', 'DESTROY', 's', 'g');
    await tick();
    expect(b.done).toBe(true);
    expect(b.error?.message).toBe("NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option");
    run('XGROUP', 'CREATE', 's', 'g', '$');
    const c = connect().send('XREADGROUP', 'GROUP', 'g', 'c3', 'BLOCK', '0', 'STREAMS', 's', '>');
    await tick();
    run('DEL', 's');
    await tick();
    expect(c.done).toBe(true);
    expect(c.error?.message).toBe('UNBLOCKED the stream key no longer exists');
  });

  it('inside MULTI a blocking read answers at once', () => {
    const { run, connect, cache } = blockingSetup();
    const conn = connect();
    cache.executeReply(['MULTI'], conn.client);
    cache.executeReply(['XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'], conn.client);
    expect(toTyped(cache.executeReply(['EXEC'], conn.client), 2)).toEqual(['*', [['_']]]);
    expect(run('EXISTS', 's')).toEqual([':', '0']);
    // A script may not use BLOCK at all (the error names the command as the script spelled it).
    expect(run('EVAL', "return redis.call('xread', 'BLOCK', '0', 'STREAMS', 's', '$')", '0')[1]).toMatch(
      /^ERR xread command is not allowed with BLOCK option from scripts/,
    );
    expect(run('EVAL', "return redis.call('XREAD', 'STREAMS', 's', '$')", '0')).toEqual(['_']);
  });

  it('a key that now holds another type wakes XREADGROUP with the 7.4 error', async () => {
    const { run, connect, tick } = blockingSetup();
    run('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    const waiter = connect().send('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>');
    const reader = connect().send('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
    await tick();
    run('SET', 's', 'x');
    await tick();
    expect(waiter.error?.message).toBe('UNBLOCKED the stream key no longer exists');
    // XREAD keeps waiting (its key may come back as a stream).
    expect(reader.done).toBe(false);
    run('DEL', 's');
    run('XADD', 's', '1-0', 'f', 'v');
    await tick();
    expect(reader.done).toBe(true);
  });
});

describeLive('streams against a live redis-server', (redis) => {
  let live: RespClient;
  const prefix = `streams-test:${process.pid}:${Date.now()}:`;
  beforeAll(async () => {
    live = await RespClient.connect(redis.standalone.port, redis.host);
  });
  afterAll(async () => {
    await live.hello(2);
    await live.call(['CONFIG', 'SET', 'stream-node-max-entries', '100']);
    const keys = (await live.call(['KEYS', `${prefix}*`]))[1] as Typed[];
    if (keys.length > 0) await live.call(['DEL', ...keys.map((t) => t[1] as string)]);
    live.close();
  });

  it('blocked XREAD/XREADGROUP are served by XADD, and a deleted key wakes XREADGROUP, as on the server', async () => {
    const other = await RespClient.connect(redis.standalone.port, redis.host);
    try {
      const { cache, run } = setup();
      const k = `${prefix}b`;
      const blocked = (argv: string[]): Promise<Typed> => {
        const c = cache.openClient({ name: null });
        c.canBlock = true;
        const reply = cache.executeReply(argv, c);
        if (!isBlockedReply(reply)) return Promise.resolve(toTyped(reply, 2));
        return waitForReply(cache, c, argv, reply).then(
          (r) => toTyped(r, 2),
          (e: Error) => ['-', e.message] as Typed,
        );
      };
      const both = async (setupArgv: string[][], block: string[], write: string[]): Promise<void> => {
        for (const argv of setupArgv) {
          await live.call(argv);
          run(...argv);
        }
        const theirs = other.call(block);
        const ours = blocked(block);
        // Write only once the server shows the connection blocked in that command.
        const name = block[0].toLowerCase();
        for (;;) {
          const list = String((await live.call(['CLIENT', 'LIST']))[1]);
          if (list.split('\n').some((line) => line.includes(`cmd=${name} `) && / flags=b /.test(line))) break;
        }
        await live.call(write);
        run(...write);
        expect(await ours, block.join(' ')).toEqual(await theirs);
      };
      await both([['DEL', k], ['XADD', k, '1-0', 'f', 'old']], ['XREAD', 'BLOCK', '2000', 'STREAMS', k, '$'], ['XADD', k, '2-0', 'f', 'new']);
      await both([['XGROUP', 'CREATE', k, 'g', '$']], ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '2000', 'STREAMS', k, '>'], ['XADD', k, '3-0', 'f', 'v']);
      await both([], ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '2000', 'STREAMS', k, '>'], ['DEL', k]);
    } finally {
      other.close();
    }
  });

  it('node layout, trimming, deletion and group bookkeeping agree with the server', async () => {
    const { run } = setup();
    const k = `${prefix}s`;
    const script: string[][] = [['CONFIG', 'SET', 'stream-node-max-entries', '4']];
    for (let i = 1; i <= 30; i++) script.push(['XADD', k, `${i}-${i % 3}`, 'f', String(i), ...(i % 5 === 0 ? ['g', 'x'.repeat(i * 40)] : [])]);
    script.push(['XINFO', 'STREAM', k]);
    script.push(['XDEL', k, '1-1', '2-2', '7-1', '8-2', '12-0']);
    script.push(['XINFO', 'STREAM', k]);
    script.push(['XTRIM', k, 'MAXLEN', '~', '20']);
    script.push(['XTRIM', k, 'MINID', '14-0']);
    script.push(['XINFO', 'STREAM', k]);
    script.push(['XGROUP', 'CREATE', k, 'g', '0']);
    script.push(['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '3', 'STREAMS', k, '>']);
    script.push(['XDEL', k, '15-0']);
    script.push(['XINFO', 'GROUPS', k]);
    script.push(['XAUTOCLAIM', k, 'g', 'd', '0', '0', 'COUNT', '2']);
    script.push(['XPENDING', k, 'g']);
    script.push(['XTRIM', k, 'MAXLEN', '~', '3']);
    script.push(['XINFO', 'STREAM', k]);
    script.push(['XINFO', 'GROUPS', k]);
    script.push(['XREVRANGE', k, '+', '-', 'COUNT', '3']);
    script.push(['CONFIG', 'SET', 'stream-node-max-entries', '100']);
    for (const argv of script) {
      const theirs = await live.call(argv);
      const ours = run(...argv);
      if (argv[0] === 'CONFIG') continue;
      expect(ours, argv.join(' ')).toEqual(theirs);
    }
  });
});

describe('WATCH and stream writes (signalModifiedKey as redis-server)', () => {
  it('entries added, trimmed or deleted touch a WATCH; consumer-group state does not', () => {
    const cases: Array<[string[], boolean]> = [
      [['XADD', 's', '9-9', 'f', 'v'], true],
      [['XDEL', 's', '1-1'], true],
      [['XTRIM', 's', 'MAXLEN', '0'], true],
      [['XTRIM', 's', 'MAXLEN', '100'], false], // removes nothing
      [['XACK', 's', 'g', '1-1'], false],
      [['XSETID', 's', '5-0'], false],
      [['XGROUP', 'SETID', 's', 'g', '0'], false],
      [['XGROUP', 'CREATE', 's', 'g2', '0'], false],
      [['XGROUP', 'CREATECONSUMER', 's', 'g', 'bob'], false],
      [['XGROUP', 'DESTROY', 's', 'g'], false],
      [['XREADGROUP', 'GROUP', 'g', 'carol', 'STREAMS', 's', '>'], false],
      [['XCLAIM', 's', 'g', 'dave', '0', '1-1'], false],
      [['XAUTOCLAIM', 's', 'g', 'erin', '0', '0'], false],
    ];
    for (const [argv, touches] of cases) {
      const cache = new ManagedRedis({ clock: 'virtual', activeExpiry: false });
      const other = cache.openClient({ name: null });
      cache.execute(['XADD', 's', '1-1', 'f', 'v']);
      cache.execute(['XGROUP', 'CREATE', 's', 'g', '0']);
      cache.execute(['XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '>']);
      const watcher = cache.openClient({ name: null });
      cache.executeReply(['WATCH', 's'], watcher);
      cache.executeReply(['MULTI'], watcher);
      cache.executeReply(['PING'], watcher);
      cache.executeReply(argv, other);
      const result = cache.executeReply(['EXEC'], watcher);
      expect([argv.join(' '), result === null || (result as { constructor: { name: string } }).constructor.name === 'NullArrayReply' ? 'aborted' : 'ran'])
        .toEqual([argv.join(' '), touches ? 'aborted' : 'ran']);
    }
    // XGROUP CREATE … MKSTREAM that creates the stream touches it.
    const cache = new ManagedRedis({ clock: 'virtual', activeExpiry: false });
    const watcher = cache.openClient({ name: null });
    cache.executeReply(['WATCH', 'fresh'], watcher);
    cache.executeReply(['MULTI'], watcher);
    cache.execute(['XGROUP', 'CREATE', 'fresh', 'g', '$', 'MKSTREAM']);
    expect(cache.executeReply(['EXEC'], watcher)).not.toEqual([]);
  });
});
