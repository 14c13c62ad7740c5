/**
 * Values of every type and encoding, each built by commands that run the same on the emulator and
 * on a live server: the DUMP/RESTORE tests and the RDB file tests share them.
 */
import type { Bytes } from '../../src/keyspace/bytes.js';
import { harness, type Harness } from './command-harness.js';

export const range = <T,>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

/**
 * Values of every type and encoding, each built by commands that run the same on the emulator and
 * on a live server. `order`: the payload holds a dict (hashtable set or hash), whose order only
 * Redis knows; `since72`: 7.0 serialises it differently (listpack sets, field TTLs, stream v3).
 */
export interface Case {
  name: string;
  build: Bytes[][];
  encoding: string;
  order?: true;
  since72?: true;
  /** The encoding after RESTORE when it is not the original's (strings loaded get Redis's usual encoding). */
  restored?: string;
}

export const BINARY = Buffer.from([0x00, 0xff, 0x80, 0x0d, 0x0a, 0xc3, 0x28]);

export const CASES: Case[] = [
  { name: 'embstr', build: [['SET', 'k', 'hello']], encoding: 'embstr' },
  { name: 'empty string', build: [['SET', 'k', '']], encoding: 'embstr' },
  { name: 'int8', build: [['SET', 'k', '-128']], encoding: 'int' },
  { name: 'int16', build: [['SET', 'k', '32767']], encoding: 'int' },
  { name: 'int32', build: [['SET', 'k', '-2147483648']], encoding: 'int' },
  { name: 'int64', build: [['SET', 'k', '9223372036854775807']], encoding: 'int' },
  { name: 'leading zero', build: [['SET', 'k', '007']], encoding: 'embstr' },
  { name: 'LZF string', build: [['SET', 'k', 'abcabcabcabc'.repeat(20) + 'xyz']], encoding: 'raw' },
  { name: 'incompressible 21 bytes', build: [['SET', 'k', 'abcdefghijklmnopqrstu']], encoding: 'embstr' },
  { name: 'binary', build: [['SET', 'k', Buffer.concat([BINARY, BINARY, BINARY, BINARY])]], encoding: 'embstr' },
  { name: 'long text', build: [['SET', 'k', range(300, (i) => `word${i % 17} `).join('')]], encoding: 'raw' },
  { name: 'appended', build: [['SET', 'k', 'ab'], ['APPEND', 'k', 'cd']], encoding: 'raw', restored: 'embstr' },
  { name: 'HLL sparse', build: [['PFADD', 'k', 'a', 'b', 'c']], encoding: 'raw', restored: 'embstr' },
  { name: 'HLL dense', build: [['PFADD', 'k', ...range(3000, (i) => `e${i}`)]], encoding: 'raw' },
  { name: 'list listpack', build: [['RPUSH', 'k', 'a', '1', '-5000', '70000', '9000000000', BINARY, '__proto__']], encoding: 'listpack' },
  { name: 'list quicklist', build: [['RPUSH', 'k', ...range(2000, (i) => `element-${i}`)]], encoding: 'quicklist' },
  // 7.0 keeps elements up to 1 GB in packed nodes; 7.2+ gives one above the node limit a plain node.
  { name: 'list plain node', build: [['RPUSH', 'k', 'a', 'x'.repeat(9000), 'b']], encoding: 'quicklist', since72: true },
  { name: 'list after LINSERT', build: [['RPUSH', 'k', ...range(3000, (i) => `v${i}`)], ['LINSERT', 'k', 'BEFORE', 'v1450', 'new'.repeat(30)], ['LPOP', 'k', '3']], encoding: 'quicklist' },
  { name: 'intset 16', build: [['SADD', 'k', '3', '1', '-2']], encoding: 'intset' },
  { name: 'intset 32', build: [['SADD', 'k', '3', '100000', '-2']], encoding: 'intset' },
  { name: 'intset 64', build: [['SADD', 'k', '3', '-9223372036854775808', '5']], encoding: 'intset' },
  { name: 'set listpack', build: [['SADD', 'k', 'b', 'a', '1', '__proto__']], encoding: 'listpack', since72: true },
  { name: 'set hashtable', build: [['SADD', 'k', ...range(300, (i) => `m${i}`)]], encoding: 'hashtable', order: true },
  { name: 'set hashtable (intsets past 512)', build: [['SADD', 'k', ...range(600, (i) => String(i))]], encoding: 'hashtable', order: true },
  { name: 'zset listpack', build: [['ZADD', 'k', '1', 'a', '2.5', 'b', '-3', 'c', 'inf', 'd', '-inf', 'e', '1e+20', 'f', '0.5', '__proto__']], encoding: 'listpack' },
  { name: 'zset skiplist', build: [['ZADD', 'k', ...range(200, (i) => [String(i / 7), `m${i}`]).flat()]], encoding: 'skiplist' },
  { name: 'zset skiplist (long member)', build: [['ZADD', 'k', '1', 'a', '2', 'y'.repeat(100)]], encoding: 'skiplist' },
  { name: 'hash listpack', build: [['HSET', 'k', 'f', 'v', 'n', '123', '__proto__', 'p', 'bin', BINARY]], encoding: 'listpack' },
  { name: 'hash listpack updated', build: [['HSET', 'k', 'a', '1', 'b', '2', 'c', '3'], ['HSET', 'k', 'a', 'x'], ['HDEL', 'k', 'b'], ['HSET', 'k', 'b', '9']], encoding: 'listpack' },
  { name: 'hash hashtable', build: [['HSET', 'k', ...range(600, (i) => [`f${i}`, `v${i}`]).flat()]], encoding: 'hashtable', order: true },
  { name: 'hash hashtable (long value)', build: [['HSET', 'k', 'a', 'z'.repeat(100)]], encoding: 'hashtable', order: true },
  { name: 'stream', build: [['XADD', 'k', '1-1', 'a', '1', 'b', 'two'], ['XADD', 'k', '1-2', 'a', '3', 'b', 'four'], ['XADD', 'k', '5-0', 'other', 'x']], encoding: 'stream' },
  { name: 'stream with deletions and nodes', build: [['XADD', 'k', '1-1', 'f', 'v'], ...range(250, (i) => ['XADD', 'k', `${i + 2}-0`, 'f', `v${i}`, 'g', String(i)]), ['XDEL', 'k', '1-1', '3-0', '100-0'], ['XTRIM', 'k', 'MAXLEN', '200']], encoding: 'stream' },
];

/** Runs a case's commands in a fresh emulator. */
export function built(c: Case, h: Harness = harness()): Harness {
  h.run('DEL', 'k');
  for (const argv of c.build) {
    const reply = h.run(...argv);
    if (reply[0] === '-') throw new Error(`${c.name}: ${argv.join(' ')} → ${String(reply[1])}`);
  }
  return h;
}

