/**
 * Cluster behaviour against a real three-primary `redis-server` cluster:
 *
 * - key slots: `CLUSTER KEYSLOT` of the real cluster vs `keySlot` (src/cluster/slots.ts) for a few
 *   hundred ASCII, UTF-8, binary and hash-tagged keys, tag edge cases included;
 * - multi-key commands: with keys in different slots the real cluster and the emulator under the
 *   OSS policy answer the same CROSSSLOT error; with keys in one slot (by hash tag, or by a CRC16
 *   collision without a tag) neither does, and the replies agree.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { keySlot } from '../../src/cluster/slots.js';
import { allCommands } from '../../src/commands/index.js';
import { ManagedRedis } from '../../src/managed-redis.js';
import { ReplyError } from '../../src/protocol/errors.js';
import { Rng } from '../../src/rng.js';
import { toTyped, type Typed } from '../support/oracle.js';
import { describeLive } from '../support/live.js';
import { RespClient } from '../support/resp-client.js';

type Key = string | Buffer;

/** ASCII, UTF-8, binary and tagged keys, with the hash-tag edge cases spelled out. */
function slotKeys(): Key[] {
  const rng = new Rng(7);
  const keys: Key[] = [
    '', 'a', 'foo', 'user:1000', '__proto__', 'constructor', '123456789',
    'ключ', 'ü', '日本語', '😀', 'naïve café',
    '{user1000}.following', '{user1000}.followers', '{}', '{}x', 'x{}', '{', '}', '{a', 'a}', '}{a}', '{{a}}', '{a}{b}',
    'a{b}c{d}', '{ключ}x', 'x{😀}', '{ }', '{\u0000}',
    Buffer.from([0xff, 0x00, 0xfe, 0x80]), Buffer.from([0x7b, 0xff, 0x7d, 0x00]), Buffer.from([0x7b, 0x7d, 0x7b, 0xc3, 0x7d]),
    Buffer.alloc(0), Buffer.from([0x00]),
  ];
  const alphabet = ['a', 'z', '0', ':', '{', '}', 'é', 'ж', '日', '😀', '\u0000', ' '];
  for (let i = 0; i < 120; i++) {
    keys.push(Array.from({ length: 1 + rng.below(12) }, () => alphabet[rng.below(alphabet.length)]).join(''));
    keys.push(Buffer.from(Array.from({ length: rng.below(16) }, () => rng.below(256))));
    keys.push(`{tag${rng.below(1000)}}:${rng.below(1_000_000)}`);
  }
  for (let i = 0; i < 60; i++) keys.push(`key:${i}:${rng.below(1 << 30).toString(36)}`);
  return keys;
}

/** Multi-key command templates; only those whose command the emulator implements run. */
const MULTI_KEY: Array<{ name: string; argv(k1: Key, k2: Key, k3: Key): Key[] }> = [
  { name: 'mget', argv: (a, b) => ['MGET', a, b] },
  { name: 'mset', argv: (a, b) => ['MSET', a, '1', b, '2'] },
  { name: 'msetnx', argv: (a, b) => ['MSETNX', a, '1', b, '2'] },
  { name: 'del', argv: (a, b) => ['DEL', a, b] },
  { name: 'unlink', argv: (a, b) => ['UNLINK', a, b] },
  { name: 'exists', argv: (a, b) => ['EXISTS', a, b] },
  { name: 'touch', argv: (a, b) => ['TOUCH', a, b] },
  { name: 'rename', argv: (a, b) => ['RENAME', a, b] },
  { name: 'renamenx', argv: (a, b) => ['RENAMENX', a, b] },
  { name: 'copy', argv: (a, b) => ['COPY', a, b] },
  { name: 'lcs', argv: (a, b) => ['LCS', a, b] },
  { name: 'mget', argv: (a, b, c) => ['MGET', a, b, c] },
  { name: 'del', argv: (a, b, c) => ['DEL', a, c, b] },
  { name: 'sdiff', argv: (a, b) => ['SDIFF', a, b] },
  { name: 'sinter', argv: (a, b) => ['SINTER', a, b] },
  { name: 'sunion', argv: (a, b) => ['SUNION', a, b] },
  { name: 'sintercard', argv: (a, b) => ['SINTERCARD', '2', a, b] },
  { name: 'sdiffstore', argv: (a, b) => ['SDIFFSTORE', a, b] },
  { name: 'smove', argv: (a, b) => ['SMOVE', a, b, 'm'] },
  { name: 'lmove', argv: (a, b) => ['LMOVE', a, b, 'LEFT', 'RIGHT'] },
  { name: 'rpoplpush', argv: (a, b) => ['RPOPLPUSH', a, b] },
  { name: 'lmpop', argv: (a, b) => ['LMPOP', '2', a, b, 'LEFT'] },
  { name: 'zunion', argv: (a, b) => ['ZUNION', '2', a, b] },
  { name: 'zunionstore', argv: (a, b, c) => ['ZUNIONSTORE', c, '2', a, b] },
  { name: 'zinter', argv: (a, b) => ['ZINTER', '2', a, b] },
  { name: 'zdiff', argv: (a, b) => ['ZDIFF', '2', a, b] },
  { name: 'zintercard', argv: (a, b) => ['ZINTERCARD', '2', a, b] },
  { name: 'zrangestore', argv: (a, b) => ['ZRANGESTORE', a, b, '0', '-1'] },
  { name: 'zmpop', argv: (a, b) => ['ZMPOP', '2', a, b, 'MIN'] },
  { name: 'pfcount', argv: (a, b) => ['PFCOUNT', a, b] },
  { name: 'pfmerge', argv: (a, b) => ['PFMERGE', a, b] },
  { name: 'bitop', argv: (a, b, c) => ['BITOP', 'AND', c, a, b] },
  { name: 'xread', argv: (a, b) => ['XREAD', 'STREAMS', a, b, '0', '0'] },
  { name: 'sort', argv: (a, b) => ['SORT', a, 'STORE', b] },
  { name: 'watch', argv: (a, b) => ['WATCH', a, b] },
  { name: 'eval', argv: (a, b) => ['EVAL', 'return 1', '2', a, b] },
];

function emulate(cache: ManagedRedis, argv: Key[]): Typed {
  try {
    return toTyped(cache.executeReply(argv), 2);
  } catch (error) {
    if (error instanceof ReplyError) return ['-', error.message];
    throw error;
  }
}

describeLive('differential: cluster slots and CROSSSLOT vs a live redis-server cluster', (redis) => {
  const clients = new Map<number, RespClient>();
  /** Slot → port of the node that serves it. */
  const owner = new Int32Array(16384).fill(-1);
  beforeAll(async () => {
    for (const port of redis.cluster.ports) clients.set(port, await RespClient.connect(port, redis.host));
    const slots = await clients.get(redis.cluster.ports[0])!.call(['CLUSTER', 'SLOTS']);
    for (const range of slots[1] as Typed[]) {
      const [start, end, primary] = range[1] as Typed[];
      const port = Number((primary[1] as Typed[])[1][1]);
      for (let s = Number(start[1]); s <= Number(end[1]); s++) owner[s] = port;
    }
  });
  afterAll(() => {
    for (const client of clients.values()) client.close();
  });
  const any = () => clients.get(redis.cluster.ports[0])!;
  const nodeFor = (key: Key) => clients.get(owner[keySlot(key)])!;

  it('CLUSTER KEYSLOT agrees with keySlot for ASCII, UTF-8, binary and tagged keys', async () => {
    const keys = slotKeys();
    const replies = await any().pipeline(keys.map((k) => ['CLUSTER', 'KEYSLOT', k]));
    const wrong = keys
      .map((k, i) => ({ key: Buffer.isBuffer(k) ? `<${k.toString('hex')}>` : JSON.stringify(k), live: replies[i], ours: keySlot(k) }))
      .filter((r) => r.live[0] !== ':' || Number(r.live[1]) !== r.ours);
    console.log(`cluster: ${keys.length} keys, ${keys.length - wrong.length} slots agree with CLUSTER KEYSLOT`);
    expect(wrong).toEqual([]);
    expect(keys.length).toBeGreaterThan(300);
  });

  it('the cluster covers every slot (sanity check of the fleet)', () => {
    expect(owner.every((port) => port > 0)).toBe(true);
    expect(new Set(owner).size).toBe(redis.cluster.ports.length);
  });

  it('multi-key commands: same CROSSSLOT errors, same replies within one slot', async () => {
    const implemented = new Set(allCommands.map((s) => s.name));
    const templates = MULTI_KEY.filter((t) => implemented.has(t.name));
    // A fresh tag per run, so data left on the shared cluster by earlier runs cannot interfere.
    const tag = `x${process.pid}${Date.now().toString(36)}`;
    const crossPairs: Key[][] = [
      ['a', 'b', 'c'],
      [`{${tag}}a`, 'b', `{${tag}}c`],
      [Buffer.from([0xff, 0x01]), 'ключ', '__proto__'],
      [`{${tag}}a`, `{other${tag}}c`, `{${tag}}b`],
    ];
    // Two untagged keys whose CRC16 slots collide: one slot, no tag.
    const base = `k${tag}`;
    const twins: string[] = [];
    for (let i = 0; twins.length < 2; i++) if (keySlot(`t${tag}${i}`) === keySlot(base)) twins.push(`t${tag}${i}`);
    const samePairs: Key[][] = [
      [`{${tag}}a`, `{${tag}}b`, `{${tag}}c`],
      [base, ...twins],
    ];
    const cache = new ManagedRedis({ clusterPolicy: 'OSS', clock: 'virtual' });
    let checked = 0;
    const problems: string[] = [];
    try {
      for (const template of templates) {
        for (const [k1, k2, k3] of crossPairs) {
          const argv = template.argv(k1, k2, k3);
          const live = await any().call(argv);
          const ours = emulate(cache, argv);
          checked++;
          if (live[0] !== '-' || !String(live[1]).startsWith('CROSSSLOT')) {
            problems.push(`${argv.map(String).join(' ')}: the live cluster did not answer CROSSSLOT: ${JSON.stringify(live)}`);
          } else if (JSON.stringify(live) !== JSON.stringify(ours)) {
            problems.push(`${argv.map(String).join(' ')}: live ${JSON.stringify(live)} emulator ${JSON.stringify(ours)}`);
          }
        }
        for (const [k1, k2, k3] of samePairs) {
          const argv = template.argv(k1, k2, k3);
          const live = await nodeFor(k1).call(argv);
          const ours = emulate(cache, argv);
          checked++;
          if (JSON.stringify(live) !== JSON.stringify(ours)) {
            problems.push(`${argv.map(String).join(' ')} (one slot): live ${JSON.stringify(live)} emulator ${JSON.stringify(ours)}`);
          }
        }
      }
    } finally {
      cache.close();
      for (const keys of samePairs) await nodeFor(keys[0]).call(['DEL', ...new Set(keys.map(String))]);
    }
    console.log(`cluster: ${checked} multi-key commands over ${templates.length} templates, ${problems.length} differences`);
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(0);
  });
});
