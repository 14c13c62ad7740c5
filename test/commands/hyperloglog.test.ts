/**
 * HyperLogLog: PFADD, PFCOUNT, PFMERGE byte for byte. The stored strings are Redis's own
 * representation, so the tests compare raw GET bytes with what redis-server wrote for the same
 * commands (sparse values in hex, dense ones by SHA-256, all taken from redis-server 7.0, whose HLL
 * format and estimator are 7.4's), replay the 7.4.1 transcripts of the `hll` group, check the
 * hash, the estimator's edges, crafted and corrupted values, encodings, change reports, and
 * compare random sequences with a live server.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ManagedRedis } from '../../src/managed-redis.js';
import type { ChangeRecord, ClientState } from '../../src/core-types.js';
import { keyName, type Bytes } from '../../src/keyspace/bytes.js';
import { slotOfName } from '../../src/cluster/slots.js';
import { ReplyError } from '../../src/protocol/errors.js';
import { elementRegister, murmurHash64A, HLL_DENSE_SIZE } from '../../src/keyspace/types/hyperloglog.js';
import { oracleAvailable, replayGroup, toTyped, type Typed } from '../support/oracle.js';
import { describeLiveSession } from '../support/live.js';
import { FakeList } from '../support/fake-values.js';

const T0 = 1_795_345_897_118;

function harness(options: { policy?: 'NoCluster' | 'OSS' | 'Enterprise'; resp?: 2 | 3 } = {}) {
  const cache = new ManagedRedis({
    clusterPolicy: options.policy ?? 'NoCluster',
    clock: 'virtual',
    startTime: T0,
    seed: 7,
    evictionPolicy: 'noeviction',
    activeExpiry: false,
  });
  const client: ClientState = cache.openClient({ name: null });
  client.resp = options.resp ?? 2;
  const changes: ChangeRecord[] = [];
  cache.changeListeners.push((change) => changes.push(change));
  const keyspaceOf = (key: Bytes) => cache.shardForSlot(slotOfName(keyName(key))).keyspace;
  const run = (...argv: Bytes[]): Typed => {
    try {
      return toTyped(cache.executeReply(argv, client), client.resp);
    } catch (error) {
      if (!(error instanceof ReplyError)) throw error;
      return ['-', error.message];
    }
  };
  return {
    cache,
    client,
    changes,
    run,
    raw: (...argv: Bytes[]) => cache.executeReply(argv, client),
    /** The stored bytes of a key (GET). */
    bytes(key: Bytes): Buffer {
      const value = cache.executeReply(['GET', key], client);
      if (value === null) throw new Error(`no value at ${String(key)}`);
      return Buffer.from(value as Buffer | string);
    },
    hex(key: Bytes): string {
      return this.bytes(key).toString('hex');
    },
    sha(key: Bytes): string {
      return createHash('sha256').update(this.bytes(key)).digest('hex');
    },
    wrongType: (key: Bytes) => keyspaceOf(key).set(keyName(key), new FakeList()),
    encoding: (key: Bytes) => String(run('OBJECT', 'ENCODING', key)[1]),
  };
}
type Harness = ReturnType<typeof harness>;

const int = (n: number | string): Typed => [':', String(n)];
const err = (s: string): Typed => ['-', s];
const OK: Typed = ['+', 'OK'];
const NOT_HLL = err('WRONGTYPE Key is not a valid HyperLogLog string value.');
const INVALID = err('INVALIDOBJ Corrupted HLL object detected');
const WRONGTYPE = err('WRONGTYPE Operation against a key holding the wrong kind of value');
const range = (prefix: string, from: number, to: number) => Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}`);

/** A header: magic, encoding, 3 unused bytes, 8 cache bytes (invalid by default). */
const header = (encoding: number, card = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0x80])) =>
  Buffer.concat([Buffer.from('HYLL'), Buffer.from([encoding, 0, 0, 0]), card]);
const xzero = (n: number) => Buffer.from([((n - 1) >> 8) | 0x40, (n - 1) & 0xff]);
const zero = (n: number) => Buffer.from([n - 1]);
const val = (v: number, n: number) => Buffer.from([0x80 | ((v - 1) << 2) | (n - 1)]);
const EMPTY_SPARSE = '48594c4c0100000000000000000000807fff';

/** An 8-byte element whose hash has 33 zeros above the register bits (register 3655), found by search. */
const RUN_33 = Buffer.from('ba099dba00000000', 'hex');

let h: Harness;
afterEach(() => h?.cache.close());

describe('hashing', () => {
  /** MurmurHash64A in BigInt arithmetic, straight from the C. */
  function reference(data: Buffer): bigint {
    const m = 0xc6a4a7935bd1e995n;
    const mask = (1n << 64n) - 1n;
    let hash = (0xadc83b19n ^ ((BigInt(data.length) * m) & mask)) & mask;
    const blocks = data.length - (data.length & 7);
    for (let i = 0; i < blocks; i += 8) {
      let k = data.readBigUInt64LE(i);
      k = (k * m) & mask;
      k ^= k >> 47n;
      k = (k * m) & mask;
      hash ^= k;
      hash = (hash * m) & mask;
    }
    const rest = data.length & 7;
    if (rest > 0) {
      for (let i = rest - 1; i >= 0; i--) hash ^= BigInt(data[blocks + i]) << BigInt(8 * i);
      hash = (hash * m) & mask;
    }
    hash ^= hash >> 47n;
    hash = (hash * m) & mask;
    hash ^= hash >> 47n;
    return hash;
  }

  it('MurmurHash64A matches the 64-bit reference for every tail length and for multi-block inputs', () => {
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) & 0xff;
    for (let length = 0; length < 80; length++) {
      for (let round = 0; round < 20; round++) {
        const data = Buffer.from(Array.from({ length }, next));
        expect(murmurHash64A(data)).toBe(reference(data));
      }
    }
  });

  it('a string element hashes its UTF-8 bytes', () => {
    for (const s of ['', 'a', 'ключ', 'ü', '__proto__', 'x'.repeat(2000)]) {
      expect(murmurHash64A(s)).toBe(reference(Buffer.from(s, 'utf8')));
      expect(elementRegister(s)).toEqual(elementRegister(Buffer.from(s, 'utf8')));
    }
  });

  it('register and run length come from the low 14 bits and the zeros above them', () => {
    expect(elementRegister(RUN_33)).toEqual({ index: 3655, count: 33 });
    for (const e of ['a', 'b', 'c', 'e1', 'e2']) {
      const hash = murmurHash64A(e);
      const index = Number(hash & 16383n);
      let rest = (hash >> 14n) | (1n << 50n);
      let count = 1;
      while ((rest & 1n) === 0n) {
        count++;
        rest >>= 1n;
      }
      expect(elementRegister(e)).toEqual({ index, count });
    }
  });
});

describe('sparse representation (bytes from redis-server)', () => {
  it('PFADD of nothing creates the empty sparse HLL: one XZERO over 16384 registers, cache invalid', () => {
    h = harness();
    expect(h.run('PFADD', 'k')).toEqual(int(1));
    expect(h.hex('k')).toBe(EMPTY_SPARSE);
    expect(h.run('PFADD', 'k')).toEqual(int(0));
    expect(h.encoding('k')).toBe('raw');
    expect(h.run('TYPE', 'k')).toEqual(['+', 'string']);
  });

  it('PFADD splits XZERO into XZERO/VAL/ZERO runs and PFCOUNT caches the cardinality in the header', () => {
    h = harness();
    expect(h.run('PFADD', 'k', 'a', 'b', 'c')).toEqual(int(1));
    expect(h.hex('k')).toBe('48594c4c01000000000000000000008060f38050b1844bfb80425a');
    expect(h.run('PFADD', 'k', 'a', 'c')).toEqual(int(0));
    expect(h.run('PFCOUNT', 'k')).toEqual(int(3));
    expect(h.hex('k')).toBe('48594c4c01000000030000000000000060f38050b1844bfb80425a');
    expect(h.run('PFADD', 'r2', 'a', 'b', 'c', 'd', 'e', 'f', 'g')).toEqual(int(1));
    expect(h.hex('r2')).toBe('48594c4c010000000000000000000080466d80560c80443c84388050b184498c80426d80425a');
  });

  it('PFMERGE of two sparse HLLs writes the registers into a new sparse destination', () => {
    h = harness();
    h.run('PFADD', 's1', 'x', 'y');
    h.run('PFADD', 's2', 'y', 'z', 'w');
    expect(h.run('PFMERGE', 'm3', 's1', 's2')).toEqual(OK);
    expect(h.hex('m3')).toBe('48594c4c010000000000000000000080504784513b8058cd8845a08408');
    expect(h.run('PFCOUNT', 'm3')).toEqual(int(4));
  });

  it('replays the recorded 7.4.1 transcripts of the hll group completely', () => {
    if (!oracleAvailable()) return;
    for (const resp of [2, 3] as const) {
      const result = replayGroup('hll', resp);
      expect(result.mismatches.slice(0, 1)).toEqual([]);
      expect(result.matched).toBe(result.total);
      expect(result.total).toBe(200);
    }
  });
});

describe('promotion to dense (bytes from redis-server)', () => {
  it('promotes when the sparse string would pass hll-sparse-max-bytes (3000 by default)', () => {
    h = harness();
    let promotedAt = 0;
    let lastSparse = 0;
    for (let n = 0; n < 4000 && promotedAt === 0; n += 50) {
      h.run('PFADD', 'p', ...range('e', n, n + 50));
      const bytes = h.bytes('p');
      if (bytes[4] === 0) promotedAt = n + 50;
      else lastSparse = bytes.length;
    }
    expect(promotedAt).toBe(1700);
    expect(lastSparse).toBe(2949);
    expect(h.bytes('p').length).toBe(HLL_DENSE_SIZE);
    expect(h.sha('p')).toBe('4c862a27f21edfe87d58b1e7da7a030b6934a75ca70e2c993a66eae7e6ac854d');
    expect(h.run('PFCOUNT', 'p')).toEqual(int(1700));
    expect(h.sha('p')).toBe('283902a02da807b91556773a65889082c266520528317126aed066cfc698077b');
  });

  it('promotes when a register would exceed 32, the largest VAL', () => {
    h = harness();
    h.run('PFADD', 'q', 'a', 'b', 'c');
    expect(h.run('PFADD', 'q', RUN_33)).toEqual(int(1));
    const bytes = h.bytes('q');
    expect(bytes.subarray(0, 16).toString('hex')).toBe('48594c4c000000000000000000000080');
    expect(h.sha('q')).toBe('2d4022bcf8eefc0370f79a0323dddd6f45bc057e24271685c052e4e46768e198');
    // Register 3655 holds 33: bits 21930…21935 of the register area.
    const bit = 3655 * 6;
    const word = bytes[16 + (bit >> 3)] | (bytes[17 + (bit >> 3)] << 8);
    expect((word >> (bit & 7)) & 63).toBe(33);
    expect(h.run('PFCOUNT', 'q')).toEqual(int(4));
  });

  it('follows hll-sparse-max-bytes from CONFIG SET', () => {
    h = harness();
    expect(h.run('CONFIG', 'SET', 'hll-sparse-max-bytes', '30')).toEqual(OK);
    h.run('PFADD', 'r', 'a', 'b');
    expect(h.hex('r')).toBe('48594c4c01000000000000000000008071a6844bfb80425a');
    h.run('PFADD', 'r', 'c');
    expect(h.bytes('r').length).toBe(27);
    expect(h.sha('r')).toBe('e2a3871481554fd4484a15607dc515a1f785ea066a950e3a9fa52caf1b433aa3');
    // The limit is inclusive: a sparse string may reach it exactly.
    h.run('CONFIG', 'SET', 'hll-sparse-max-bytes', '27');
    h.run('PFADD', 'r27', 'a', 'b');
    h.run('PFADD', 'r27', 'c');
    expect(h.hex('r27')).toBe('48594c4c01000000000000000000008060f38050b1844bfb80425a');
    h.run('CONFIG', 'SET', 'hll-sparse-max-bytes', '26');
    h.run('PFADD', 'r26', 'a', 'b');
    h.run('PFADD', 'r26', 'c');
    expect(h.bytes('r26').length).toBe(HLL_DENSE_SIZE);
    h.run('CONFIG', 'SET', 'hll-sparse-max-bytes', '30');
    h.run('PFADD', 's', 'a', 'b', 'c', 'd', 'e', 'f', 'g');
    expect(h.sha('s')).toBe('7cb5753c28a3853f8cf62a83014cdcc9684fe7d406e60fb629bd669414975117');
    expect(h.bytes('s')[4]).toBe(0);
  });

  it('estimates large cardinalities as Redis does (100,000 elements)', () => {
    h = harness();
    for (let b = 0; b < 10; b++) h.run('PFADD', 'big', ...range('big:', b * 10000, (b + 1) * 10000));
    expect(h.run('PFCOUNT', 'big')).toEqual(int(100319));
    expect(h.sha('big')).toBe('f7987ad8399d47ffe637f20e39ede32d24da6035b73e73a4511f58bc98163f54');
    h.run('PFADD', 'k', 'a', 'b', 'c');
    expect(h.run('PFMERGE', 'm', 'k', 'big')).toEqual(OK);
    expect(h.bytes('m')[4]).toBe(0);
    expect(h.sha('m')).toBe('60ba7b96708a41cf2818b3f601b5ab92acc09456e35e3b7480096e3e9eb5befb');
    expect(h.run('PFCOUNT', 'm')).toEqual(int(100319));
  });
});

describe('PFCOUNT', () => {
  it('answers 0 for a missing key and the union of several keys without writing anything', () => {
    h = harness();
    expect(h.run('PFCOUNT', 'nope')).toEqual(int(0));
    h.run('PFADD', 'a', 'x', 'y');
    h.run('PFADD', 'b', 'y', 'z', 'w');
    const before = [h.hex('a'), h.hex('b')];
    h.changes.length = 0;
    expect(h.run('PFCOUNT', 'a', 'b', 'missing')).toEqual(int(4));
    expect([h.hex('a'), h.hex('b')]).toEqual(before);
    expect(h.changes).toEqual([]);
    expect(h.run('PFCOUNT', 'missing', 'other')).toEqual(int(0));
  });

  it('caching the estimate is a change (WATCH, replication of PFCOUNT itself) with no keyspace event; a valid cache is not', () => {
    h = harness();
    h.run('PFADD', 'k', 'a');
    h.changes.length = 0;
    expect(h.run('PFCOUNT', 'k')).toEqual(int(1));
    expect(h.changes).toHaveLength(1);
    expect(h.changes[0].keys).toEqual(['k']);
    expect(h.changes[0].events).toEqual(['']);
    expect(h.changes[0].effects).toEqual([['PFCOUNT', 'k']]);
    h.changes.length = 0;
    expect(h.run('PFCOUNT', 'k')).toEqual(int(1));
    expect(h.changes).toEqual([]);
  });

  it('WATCH sees the cache write of PFCOUNT, not a PFCOUNT or PFADD that changes nothing (as redis-server)', () => {
    h = harness();
    const other = h.cache.openClient({ name: null });
    const watched = (step: Bytes[]) => {
      h.run('WATCH', 'k');
      h.cache.executeReply(step, other);
      h.run('MULTI');
      h.run('PING');
      return h.run('EXEC');
    };
    h.run('PFADD', 'k', 'x');
    expect(watched(['PFCOUNT', 'k'])).toEqual(['_']);
    expect(watched(['PFCOUNT', 'k'])).toEqual(['*', [['+', 'PONG']]]);
    expect(watched(['PFADD', 'k', 'x'])).toEqual(['*', [['+', 'PONG']]]);
    expect(watched(['PFADD', 'k', 'y'])).toEqual(['_']);
  });

  it('returns a valid cached cardinality as stored, even one no estimate would give', () => {
    h = harness();
    h.run('SET', 'k', Buffer.concat([header(1, Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0])), xzero(16384)]));
    expect(h.run('PFCOUNT', 'k')).toEqual(int('9007199254740991'));
    h.run('SET', 'k', Buffer.concat([header(0, Buffer.from([1, 2, 3, 4, 5, 6, 7, 0x7f])), Buffer.alloc(12288)]));
    expect(h.run('PFCOUNT', 'k')).toEqual(int('9153291386265731585'));
    expect(h.run('PFADD', 'k', 'x')).toEqual(int(1));
    expect(h.run('PFCOUNT', 'k')).toEqual(int(1));
  });

  it('registers at 51, the longest run a hash can give, go through hllTau (crafted dense values, counts from redis-server)', () => {
    h = harness();
    const dense = (value: (register: number) => number) => {
      const bytes = Buffer.concat([header(0), Buffer.alloc(12288)]);
      for (let r = 0; r < 16384; r++) {
        const v = value(r);
        const bit = r * 6;
        const at = 16 + (bit >> 3);
        const word = (bytes[at] | ((bytes[at + 1] ?? 0) << 8)) | (v << (bit & 7));
        bytes[at] = word & 0xff;
        if (at + 1 < bytes.length) bytes[at + 1] = word >> 8;
      }
      return bytes;
    };
    h.run('SET', 'd1', dense((r) => (r < 100 ? 51 : 0)));
    expect(h.run('PFCOUNT', 'd1')).toEqual(int(100));
    h.run('SET', 'd2', dense((r) => (r < 10000 ? 51 : 5)));
    expect(h.run('PFCOUNT', 'd2')).toEqual(int(970603));
    h.run('SET', 'd3', dense((r) => (r % 3 === 0 ? 51 : r % 50)));
    expect(h.run('PFCOUNT', 'd3')).toEqual(int(440321));
    expect(h.run('PFCOUNT', 'd3', 'missing')).toEqual(int(440321));
  });

  it('an estimate out of range (every register above 50) is LLONG_MIN, as redis-server answers', () => {
    h = harness();
    h.run('SET', 'k', Buffer.concat([header(0), Buffer.alloc(12288, 0xff)]));
    expect(h.run('PFCOUNT', 'k')).toEqual(int('-9223372036854775808'));
    expect(h.bytes('k').subarray(8, 16).toString('hex')).toBe('0000000000000080');
    expect(h.run('PFCOUNT', 'k', 'k2')).toEqual(int('-9223372036854775808'));
    expect(h.run('PFADD', 'k', 'a')).toEqual(int(0));
  });

  it('a non-raw HLL string (SET writes embstr) becomes raw on PFCOUNT and PFADD, as dbUnshareStringValue does', () => {
    h = harness();
    const empty = Buffer.from(EMPTY_SPARSE, 'hex');
    h.run('SET', 'k', empty);
    expect(h.encoding('k')).toBe('embstr');
    expect(h.run('PFCOUNT', 'k')).toEqual(int(0));
    expect(h.encoding('k')).toBe('raw');
    h.run('SET', 'k', empty);
    expect(h.run('PFADD', 'k')).toEqual(int(0));
    expect(h.encoding('k')).toBe('raw');
    expect(h.hex('k')).toBe(EMPTY_SPARSE);
  });
});

describe('PFMERGE', () => {
  it('creates an absent destination even with no sources, and merges into a destination that is also a source', () => {
    h = harness();
    expect(h.run('PFMERGE', 'd')).toEqual(OK);
    expect(h.hex('d')).toBe(EMPTY_SPARSE);
    h.run('PFADD', 'a', 'x');
    h.run('PFADD', 'b', 'y');
    expect(h.run('PFMERGE', 'a', 'a', 'b', 'missing')).toEqual(OK);
    expect(h.run('PFCOUNT', 'a')).toEqual(int(2));
  });

  it('keeps the destination TTL, reports pfadd, and replicates as itself', () => {
    h = harness();
    h.run('PFADD', 'd', 'x');
    h.run('PEXPIRE', 'd', '100000');
    h.run('PFADD', 's', 'y');
    h.changes.length = 0;
    expect(h.run('PFMERGE', 'd', 's')).toEqual(OK);
    expect(h.changes.map((c) => [c.keys, c.events, c.effects])).toEqual([[['d'], ['pfadd'], [['PFMERGE', 'd', 's']]]]);
    expect(h.run('PTTL', 'd')).toEqual(int(100000));
  });

  it('a dense source makes the destination dense, keeping its header bytes but the cache flag', () => {
    h = harness();
    h.run('PFADD', 'dense', RUN_33);
    h.run('SET', 'dst', Buffer.concat([header(1, Buffer.from([5, 0, 0, 0, 0, 0, 0, 0])), xzero(16384)]));
    h.run('PFMERGE', 'dst', 'dense');
    const bytes = h.bytes('dst');
    expect(bytes.length).toBe(HLL_DENSE_SIZE);
    expect(bytes.subarray(0, 16).toString('hex')).toBe('48594c4c000000000500000000000080');
    // Even a dense source with one small register (redis-server: 12,304 bytes, count 1).
    h.run('SET', 'src', Buffer.concat([header(0), Buffer.from([1]), Buffer.alloc(12287)]));
    expect(h.run('PFMERGE', 'm', 'src')).toEqual(OK);
    expect(h.bytes('m').length).toBe(HLL_DENSE_SIZE);
    expect(h.run('PFCOUNT', 'm')).toEqual(int(1));
  });
});

describe('PFADD', () => {
  it('reports pfadd and replicates as itself only when a register changed', () => {
    h = harness();
    expect(h.run('PFADD', 'k', 'a', 'b')).toEqual(int(1));
    expect(h.changes.map((c) => [c.keys, c.events, c.effects])).toEqual([[['k'], ['pfadd'], [['PFADD', 'k', 'a', 'b']]]]);
    h.changes.length = 0;
    expect(h.run('PFADD', 'k', 'b', 'a')).toEqual(int(0));
    expect(h.changes).toEqual([]);
  });

  it('keeps the TTL of the key and treats __proto__ as an ordinary key and element', () => {
    h = harness();
    h.run('PFADD', '__proto__', '__proto__', 'constructor');
    h.run('PEXPIRE', '__proto__', '5000');
    expect(h.run('PFADD', '__proto__', 'more')).toEqual(int(1));
    expect(h.run('PTTL', '__proto__')).toEqual(int(5000));
    expect(h.run('PFCOUNT', '__proto__')).toEqual(int(3));
  });

  it('string commands see the HLL as a string: APPEND keeps a valid HLL, SETRANGE can corrupt it', () => {
    h = harness();
    h.run('PFADD', 'k', 'a');
    expect(h.run('STRLEN', 'k')).toEqual(int(h.bytes('k').length));
    h.run('SETRANGE', 'k', '16', Buffer.from([0x00]));
    expect(h.run('PFCOUNT', 'k')).toEqual(INVALID);
  });
});

describe('errors', () => {
  it('other types are WRONGTYPE; strings that are not HLLs get the HLL variant', () => {
    h = harness();
    h.wrongType('l');
    for (const argv of [['PFADD', 'l', 'a'], ['PFCOUNT', 'l'], ['PFCOUNT', 'x', 'l'], ['PFMERGE', 'l'], ['PFMERGE', 'x', 'l']]) {
      expect(h.run(...argv)).toEqual(WRONGTYPE);
    }
    const notHll: Bytes[] = [
      'hello',
      '12345678901234567',
      'HYLL',
      Buffer.concat([header(2), xzero(16384)]),
      Buffer.concat([header(0), Buffer.alloc(12287)]),
      Buffer.concat([header(0), Buffer.alloc(12289)]),
      Buffer.concat([Buffer.from('HYLl'), header(1).subarray(4), xzero(16384)]),
    ];
    for (const value of notHll) {
      h.run('SET', 's', value);
      for (const argv of [['PFADD', 's', 'a'], ['PFCOUNT', 's'], ['PFCOUNT', 's', 'x'], ['PFMERGE', 's'], ['PFMERGE', 'x', 's']]) {
        expect(h.run(...argv)).toEqual(NOT_HLL);
      }
      expect(h.bytes('s')).toEqual(Buffer.from(value as never));
    }
    expect(h.run('EXISTS', 'x')).toEqual(int(0));
  });

  it('checks every input of PFCOUNT and PFMERGE in order before changing anything', () => {
    h = harness();
    h.run('SET', 's', 'hello');
    h.wrongType('l');
    expect(h.run('PFCOUNT', 'l', 's')).toEqual(WRONGTYPE);
    expect(h.run('PFCOUNT', 's', 'l')).toEqual(NOT_HLL);
    expect(h.run('PFMERGE', 'new', 's', 'l')).toEqual(NOT_HLL);
    expect(h.run('EXISTS', 'new')).toEqual(int(0));
    h.run('PFADD', 'h', 'a');
    expect(h.run('PFMERGE', 's', 'h')).toEqual(NOT_HLL);
    expect(h.run('GET', 's')).toEqual(['$', 'hello']);
  });

  it('corrupted sparse values are INVALIDOBJ and stay as they were', () => {
    h = harness();
    const corrupt = [
      header(1), // no opcodes at all
      Buffer.concat([header(1), xzero(16383)]), // too few registers
      Buffer.concat([header(1), xzero(16384), zero(1)]), // too many
      Buffer.concat([header(1), xzero(16382), val(3, 4)]), // a VAL past the end
      Buffer.concat([header(1), xzero(16384 - 256), Buffer.from([0x40])]), // XZERO cut short: reads the terminator
    ];
    for (const value of corrupt) {
      h.run('SET', 'c', value);
      expect(h.run('PFCOUNT', 'c')).toEqual(INVALID);
      expect(h.run('PFCOUNT', 'c', 'x')).toEqual(INVALID);
      expect(h.run('PFMERGE', 'd', 'c')).toEqual(INVALID);
      expect(h.run('EXISTS', 'd')).toEqual(int(0));
      expect(h.bytes('c')).toEqual(value);
    }
    // An element whose register lies past the registers a short value covers.
    h.run('SET', 'c', Buffer.concat([header(1), xzero(3000)]));
    const beyond = range('z', 0, 200).find((e) => elementRegister(e).index >= 3000)!;
    expect(h.run('PFADD', 'c', 'a', beyond)).toEqual(INVALID);
    expect(h.hex('c')).toBe(Buffer.concat([header(1), xzero(3000)]).toString('hex'));
    // Registers beyond 16384 that no element reaches are not looked at by PFADD.
    const over = Buffer.concat([header(1), xzero(16384), zero(1)]);
    h.run('SET', 'c', over);
    expect(h.run('PFADD', 'c', 'a')).toEqual(int(1));
  });

  it('arity errors and cross-slot keys', () => {
    h = harness({ policy: 'OSS' });
    expect(h.run('PFADD')).toEqual(err("ERR wrong number of arguments for 'pfadd' command"));
    expect(h.run('PFCOUNT')).toEqual(err("ERR wrong number of arguments for 'pfcount' command"));
    expect(h.run('PFMERGE')).toEqual(err("ERR wrong number of arguments for 'pfmerge' command"));
    expect(h.run('PFCOUNT', 'a', 'b')).toEqual(err("CROSSSLOT Keys in request don't hash to the same slot"));
    expect(h.run('PFMERGE', '{t}a', '{t}b')).toEqual(OK);
    expect(h.run('PFDEBUG', 'GETREG', 'x')[0]).toBe('-');
    expect(String(h.run('PFSELFTEST')[1])).toMatch(/^ERR unknown command 'PFSELFTEST'/);
  });
});

describe('replication', () => {
  it('a lagged replica that replays PFADD, PFMERGE and the cache writes of PFCOUNT ends with the same bytes', async () => {
    // With a lag the replica replays each write's effects through the command table.
    const cache = new ManagedRedis({ clock: 'virtual', seed: 7, activeExpiry: false, replication: { lag: 100 } });
    await cache.ready();
    try {
      const k = (name: string) => `{h}${name}`;
      const shard = cache.shards.findIndex((s) => s === cache.shardForSlot(slotOfName(k('x'))));
      const view = cache.replication.replicaView(shard);
      const steps: Bytes[][] = [
        ['PFADD', k('x'), 'a', 'b', 'c'],
        ['PFCOUNT', k('x')],
        ['PFADD', k('y'), ...range('e', 0, 2000)],
        ['PFMERGE', k('z'), k('x'), k('y')],
        ['PFCOUNT', k('z')],
        ['PFADD', k('x'), RUN_33],
        ['PFCOUNT', k('x'), k('y')],
      ];
      for (const step of steps) cache.execute(step);
      expect(cache.replication.replicaDigest(shard)).not.toBe(cache.replication.digest(shard));
      cache.clock.advance(1000);
      expect(cache.replication.replicaDigest(shard)).toBe(cache.replication.digest(shard));
      for (const key of ['x', 'y', 'z']) {
        expect(view.execute(['GET', k(key)])).toEqual(cache.execute(['GET', k(key)]));
      }
    } finally {
      cache.close();
    }
  });
});

describeLiveSession('HyperLogLog against a live redis-server', 'hll-test', (session) => {
  const { prefix } = session;

  it('random PFADD/PFMERGE/PFCOUNT sequences leave the same bytes and answer the same', async () => {
    h = harness();
    let seed = 99;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    const element = (): Bytes => {
      if (rand(3) > 0) return `e${rand(100000)}`;
      return Buffer.from(Array.from({ length: rand(20) }, () => rand(256)));
    };
    const names = ['a', 'b', 'c'].map((k) => prefix + k);
    let compared = 0;
    for (let round = 0; round < 6; round++) {
      for (const name of names) {
        await session.live.call(['DEL', name]);
        h.run('DEL', name);
      }
      for (let i = 0; i < 40; i++) {
        const k = names[rand(3)];
        const op = rand(10);
        let argv: Bytes[];
        if (op < 5) argv = ['PFADD', k, ...Array.from({ length: [0, 1, 5, 40, 400, 1500][rand(6)] }, element)];
        else if (op < 7) argv = ['PFMERGE', k, ...Array.from({ length: rand(3) }, () => names[rand(3)])];
        else argv = ['PFCOUNT', k, ...Array.from({ length: rand(3) }, () => names[rand(3)])];
        for (const step of [argv, ['GET', k]]) {
          expect(h.run(...step), step.slice(0, 3).map(String).join(' ')).toEqual(await session.live.call(step));
          compared++;
        }
      }
    }
    expect(compared).toBe(480);
  });

  it('crafted sparse values (any mix of ZERO, XZERO and VAL runs) change as on the server', async () => {
    h = harness();
    let seed = 4242;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    const crafted = (): Buffer => {
      const parts = [header(1)];
      // Mostly short runs of small values, so that added elements land in VAL runs and split them.
      for (let left = 16384; left > 0; ) {
        const kind = rand(10);
        const n = Math.min(left, 1 + rand(kind < 4 ? 64 : kind < 5 ? 400 : 4));
        parts.push(kind < 4 ? zero(n) : kind < 5 ? xzero(n) : val(rand(4) === 0 ? 1 + rand(32) : 1 + rand(2), n));
        left -= n;
      }
      return Buffer.concat(parts);
    };
    const [k, m] = [prefix + 'crafted', prefix + 'merged'];
    let compared = 0;
    for (let round = 0; round < 40; round++) {
      const steps: Bytes[][] = [['SET', k, crafted()], ['PFCOUNT', k, m], ['DEL', m], ['PFMERGE', m, k], ['GET', m]];
      for (let j = 0; j < 4; j++) steps.push(['PFADD', k, ...Array.from({ length: rand(200) }, () => `c${rand(1e9)}`)], ['GET', k]);
      steps.push(['PFCOUNT', k], ['GET', k], ['PFMERGE', m, k], ['GET', m]);
      for (const step of steps) {
        expect(h.run(...step), step.slice(0, 2).map(String).join(' ')).toEqual(await session.live.call(step));
        compared++;
      }
    }
    expect(compared).toBe(40 * 17);
  });
});
