/** CLUSTER subcommands: reply shapes per policy, errors, and a comparison with a live Redis cluster. */
import { afterEach, describe, expect, it } from 'vitest';
import { ManagedRedis, type ManagedRedisOptions } from '../../src/managed-redis.js';
import { keySlot } from '../../src/cluster/slots.js';
import { keyName } from '../../src/keyspace/bytes.js';
import { MapReply, StatusReply, VerbatimReply, type Reply } from '../../src/protocol/reply.js';
import { toTyped, type Typed } from '../support/oracle.js';
import { describeLive } from '../support/live.js';
import { RespClient } from '../support/resp-client.js';
import { helpFooter74 } from '../support/help-footer.js';

const caches: ManagedRedis[] = [];
afterEach(() => {
  for (const c of caches.splice(0)) c.close();
});

function cache(options: ManagedRedisOptions = {}): ManagedRedis {
  const c = new ManagedRedis({ clock: 'virtual', seed: 3, ...options });
  caches.push(c);
  return c;
}

function reply(c: ManagedRedis, argv: Array<string | Buffer>, client?: ReturnType<ManagedRedis['openClient']>): Reply {
  return c.executeReply(argv, client);
}

function error(c: ManagedRedis, argv: Array<string | Buffer>): string {
  try {
    c.executeReply(argv);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`${argv.join(' ')} did not fail`);
}

/** Puts keys straight into the owning shards (no dependency on SET). */
function seed(c: ManagedRedis, keys: Array<string | Buffer>): void {
  for (const key of keys) c.shardForSlot(keySlot(key)).keyspace.set(keyName(key), 'v');
}

const SERVED = ['HELP', 'INFO', 'NODES', 'SLOTS', 'SHARDS', 'MYID'];
const BLOCKED: string[][] = [
  ['ADDSLOTS', '1'],
  ['ADDSLOTSRANGE', '1', '2'],
  ['BUMPEPOCH'],
  ['COUNT-FAILURE-REPORTS', 'x'],
  ['DELSLOTS', '1'],
  ['DELSLOTSRANGE', '1', '2'],
  ['FAILOVER'],
  ['FAILOVER', 'TAKEOVER'],
  ['FLUSHSLOTS'],
  ['FORGET', 'x'],
  ['LINKS'],
  ['MEET', '10.0.0.9', '8509'],
  ['MYSHARDID'],
  ['REPLICAS', 'x'],
  ['REPLICATE', 'x'],
  ['RESET'],
  ['RESET', 'HARD'],
  ['SAVECONFIG'],
  ['SET-CONFIG-EPOCH', '1'],
  ['SETSLOT', '1', 'STABLE'],
  ['SLAVES', 'x'],
];

describe('CLUSTER under the OSS policy (Balanced_B5: 2 nodes, 2 shards)', () => {
  it('INFO: a verbatim txt reply of a healthy 2-endpoint cluster', () => {
    const r = reply(cache(), ['CLUSTER', 'INFO']);
    expect(r).toBeInstanceOf(VerbatimReply);
    expect((r as VerbatimReply).format).toBe('txt');
    expect((r as VerbatimReply).text).toBe(
      [
        'cluster_state:ok',
        'cluster_slots_assigned:16384',
        'cluster_slots_ok:16384',
        'cluster_slots_pfail:0',
        'cluster_slots_fail:0',
        'cluster_known_nodes:2',
        'cluster_size:2',
        'cluster_current_epoch:2',
        'cluster_my_epoch:1',
        'cluster_stats_messages_sent:0',
        'cluster_stats_messages_received:0',
        'total_cluster_links_buffer_limit_exceeded:0',
        '',
      ].join('\r\n'),
    );
  });

  it('NODES: one master line per node endpoint with its slot ranges; myself is the connected node', () => {
    const c = cache();
    const [n0, n1] = c.topology.nodes;
    const r = reply(c, ['CLUSTER', 'NODES']) as VerbatimReply;
    expect(r).toBeInstanceOf(VerbatimReply);
    expect(r.text).toBe(
      `${n0.id} 10.0.0.4:8501@18501 myself,master - 0 0 1 connected 0-8191\n` +
        `${n1.id} 10.0.0.5:8502@18502 master - 0 ${c.clock.now()} 2 connected 8192-16383\n`,
    );
    const onNode1 = c.openClient({ name: null, node: 1 });
    const seen = (reply(c, ['CLUSTER', 'NODES'], onNode1) as VerbatimReply).text.split('\n');
    expect(seen[0]).toMatch(/ master - /);
    expect(seen[1]).toMatch(/ myself,master - 0 0 2 connected 8192-16383$/);
    expect(reply(c, ['CLUSTER', 'MYID'], onNode1)).toBe(n1.id);
    expect((reply(c, ['CLUSTER', 'INFO'], onNode1) as VerbatimReply).text).toContain('cluster_my_epoch:2\r\n');
  });

  it('SLOTS: [start, end, [ip, port, id, {}]] per range, no replica entries', () => {
    const c = cache();
    const [n0, n1] = c.topology.nodes;
    const r = reply(c, ['CLUSTER', 'SLOTS']) as Reply[];
    expect(r).toEqual([
      [0, 8191, ['10.0.0.4', 8501, n0.id, new MapReply([])]],
      [8192, 16383, ['10.0.0.5', 8502, n1.id, new MapReply([])]],
    ]);
    expect(toTyped(r, 2)).toEqual([
      '*',
      [
        ['*', [[':', '0'], [':', '8191'], ['*', [['$', '10.0.0.4'], [':', '8501'], ['$', n0.id], ['*', []]]]]],
        ['*', [[':', '8192'], [':', '16383'], ['*', [['$', '10.0.0.5'], [':', '8502'], ['$', n1.id], ['*', []]]]]],
      ],
    ]);
    expect((toTyped(r, 3)[1] as Typed[])[0]).toEqual([
      '*',
      [[':', '0'], [':', '8191'], ['*', [['$', '10.0.0.4'], [':', '8501'], ['$', n0.id], ['%', []]]]],
    ]);
  });

  it('SLOTS lists a node once per range, ordered by slot, when it owns several shards', () => {
    const c = cache({ sku: 'Balanced_B20' }); // 6 shards on 2 nodes
    const rows = reply(c, ['CLUSTER', 'SLOTS']) as Array<[number, number, [string, number, string, MapReply]]>;
    expect(rows.map(([a, b, [, port]]) => [a, b, port])).toEqual([
      [0, 2730, 8501],
      [2731, 5460, 8502],
      [5461, 8191, 8501],
      [8192, 10922, 8502],
      [10923, 13652, 8501],
      [13653, 16383, 8502],
    ]);
  });

  it('SHARDS: one map per node endpoint, its slot ranges flat, one master node map', () => {
    const c = cache({ sku: 'Balanced_B20' });
    const [n0] = c.topology.nodes;
    const r = reply(c, ['CLUSTER', 'SHARDS']) as MapReply[];
    expect(r).toHaveLength(2);
    expect(r[0]).toEqual(
      new MapReply([
        ['slots', [0, 2730, 5461, 8191, 10923, 13652]],
        [
          'nodes',
          [
            new MapReply([
              ['id', n0.id],
              ['port', 8501],
              ['ip', '10.0.0.4'],
              ['endpoint', '10.0.0.4'],
              ['role', 'master'],
              ['replication-offset', 0],
              ['health', 'online'],
            ]),
          ],
        ],
      ]),
    );
  });

  it('MYID on the bootstrap connection is the node of shard 0', () => {
    const c = cache();
    expect(reply(c, ['CLUSTER', 'MYID'])).toBe(c.topology.nodes[0].id);
    expect(reply(c, ['cluster', 'myid'])).toMatch(/^[0-9a-f]{40}$/);
  });

  it('KEYSLOT: the CRC16 slot, hash tags respected', () => {
    const c = cache();
    expect(reply(c, ['CLUSTER', 'KEYSLOT', '123456789'])).toBe(12739);
    expect(reply(c, ['CLUSTER', 'KEYSLOT', '{user1000}.following'])).toBe(reply(c, ['CLUSTER', 'KEYSLOT', 'user1000']));
    expect(error(c, ['CLUSTER', 'KEYSLOT'])).toBe("ERR wrong number of arguments for 'cluster|keyslot' command");
    expect(error(c, ['CLUSTER', 'KEYSLOT', 'a', 'b'])).toBe("ERR wrong number of arguments for 'cluster|keyslot' command");
  });

  it('COUNTKEYSINSLOT / GETKEYSINSLOT: keys of the owning shard in that slot', () => {
    const c = cache();
    const tagged = ['{t}a', '{t}b', '{t}c'];
    seed(c, [...tagged, 'x', 'y', 'z']);
    const slot = keySlot('t');
    expect(reply(c, ['CLUSTER', 'COUNTKEYSINSLOT', String(slot)])).toBe(3);
    expect(reply(c, ['CLUSTER', 'GETKEYSINSLOT', String(slot), '10'])).toEqual(tagged);
    expect(reply(c, ['CLUSTER', 'GETKEYSINSLOT', String(slot), '2'])).toEqual(tagged.slice(0, 2));
    expect(reply(c, ['CLUSTER', 'GETKEYSINSLOT', String(slot), '0'])).toEqual([]);
    expect(reply(c, ['CLUSTER', 'COUNTKEYSINSLOT', String(keySlot('x'))])).toBe(1);
    expect(reply(c, ['CLUSTER', 'COUNTKEYSINSLOT', String((slot + 1) % 16384)])).toBe(
      ['x', 'y', 'z'].filter((k) => keySlot(k) === (slot + 1) % 16384).length,
    );
    // Binary key names come back as their bytes.
    const binary = Buffer.from([0xff, 0x00, 0xfe]);
    seed(c, [binary]);
    expect(reply(c, ['CLUSTER', 'GETKEYSINSLOT', String(keySlot(binary)), '5'])).toContainEqual(binary);
  });

  it('slot argument errors as Redis', () => {
    const c = cache();
    expect(error(c, ['CLUSTER', 'COUNTKEYSINSLOT', '16384'])).toBe('ERR Invalid slot');
    expect(error(c, ['CLUSTER', 'COUNTKEYSINSLOT', '-1'])).toBe('ERR Invalid slot');
    expect(error(c, ['CLUSTER', 'COUNTKEYSINSLOT', '99999999999999999999'])).toBe('ERR value is not an integer or out of range');
    expect(error(c, ['CLUSTER', 'COUNTKEYSINSLOT', 'abc'])).toBe('ERR value is not an integer or out of range');
    expect(error(c, ['CLUSTER', 'COUNTKEYSINSLOT', '01'])).toBe('ERR value is not an integer or out of range');
    expect(error(c, ['CLUSTER', 'GETKEYSINSLOT', '16384', '1'])).toBe('ERR Invalid slot or number of keys');
    expect(error(c, ['CLUSTER', 'GETKEYSINSLOT', '1', '-1'])).toBe('ERR Invalid slot or number of keys');
    expect(error(c, ['CLUSTER', 'GETKEYSINSLOT', 'x', '-1'])).toBe('ERR value is not an integer or out of range');
    expect(error(c, ['CLUSTER', 'GETKEYSINSLOT', '99999', 'y'])).toBe('ERR value is not an integer or out of range');
    expect(error(c, ['CLUSTER', 'GETKEYSINSLOT', '1'])).toBe("ERR wrong number of arguments for 'cluster|getkeysinslot' command");
  });

  it('HELP: the Redis 7.4 help as status lines', () => {
    const r = reply(cache(), ['CLUSTER', 'HELP']) as StatusReply[];
    expect(r).toHaveLength(58);
    for (const line of r) expect(line).toBeInstanceOf(StatusReply);
    const text = r.map(String);
    expect(text[0]).toBe('CLUSTER <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(text).toContain('MYSHARDID');
    expect(text).toContain('    <id> <ip:port@bus-port[,hostname]> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...');
    expect(text.slice(-2)).toEqual(['HELP', '    Print this help.']);
  });

  it('container errors come from dispatch', () => {
    const c = cache();
    expect(error(c, ['CLUSTER'])).toBe("ERR wrong number of arguments for 'cluster' command");
    expect(error(c, ['CLUSTER', 'nope'])).toBe("ERR unknown subcommand 'nope'. Try CLUSTER HELP.");
    expect(error(c, ['CLUSTER', 'INFO', 'extra'])).toBe("ERR wrong number of arguments for 'cluster|info' command");
  });

  it('blocks the slot/node management subcommands with ERR unknown command', () => {
    const c = cache();
    for (const args of BLOCKED) {
      const echoed = args.map((a) => `'${a}' `).join('');
      expect(error(c, ['CLUSTER', ...args])).toBe(`ERR unknown command 'CLUSTER', with args beginning with: ${echoed}`);
    }
    expect(error(c, ['cluster', 'addslots', '5'])).toBe("ERR unknown command 'cluster', with args beginning with: 'addslots' '5' ");
  });
});

describe('CLUSTER under the Enterprise policy', () => {
  it('answers every subcommand with ERR unknown command (AMR blocks cluster commands)', () => {
    const c = cache({ clusterPolicy: 'Enterprise' });
    for (const sub of SERVED) {
      expect(error(c, ['CLUSTER', sub])).toBe(`ERR unknown command 'CLUSTER', with args beginning with: '${sub}' `);
    }
    expect(error(c, ['CLUSTER', 'KEYSLOT', 'foo'])).toBe("ERR unknown command 'CLUSTER', with args beginning with: 'KEYSLOT' 'foo' ");
    expect(error(c, ['CLUSTER', 'COUNTKEYSINSLOT', '1'])).toMatch(/^ERR unknown command 'CLUSTER'/);
    expect(error(c, ['CLUSTER', 'GETKEYSINSLOT', '1', '1'])).toMatch(/^ERR unknown command 'CLUSTER'/);
    for (const args of BLOCKED) expect(error(c, ['CLUSTER', ...args])).toMatch(/^ERR unknown command 'CLUSTER'/);
  });
});

describe('CLUSTER under the NoCluster policy', () => {
  it('answers as a non-clustered Redis', () => {
    const c = cache({ clusterPolicy: 'NoCluster' });
    for (const sub of SERVED) expect(error(c, ['CLUSTER', sub])).toBe('ERR This instance has cluster support disabled');
    expect(error(c, ['CLUSTER', 'KEYSLOT', 'a'])).toBe('ERR This instance has cluster support disabled');
    expect(error(c, ['CLUSTER', 'COUNTKEYSINSLOT', 'x'])).toBe('ERR This instance has cluster support disabled');
    // Arity and unknown subcommands are checked first, as in Redis.
    expect(error(c, ['CLUSTER', 'KEYSLOT'])).toBe("ERR wrong number of arguments for 'cluster|keyslot' command");
    expect(error(c, ['CLUSTER', 'nope'])).toBe("ERR unknown subcommand 'nope'. Try CLUSTER HELP.");
    // AMR's blocked subcommands stay blocked.
    expect(error(c, ['CLUSTER', 'ADDSLOTS', '1'])).toBe("ERR unknown command 'CLUSTER', with args beginning with: 'ADDSLOTS' '1' ");
  });
});

/** The structure of a typed reply with the values left out (kinds and nesting only). */
function shape(t: Typed): unknown {
  const [kind, value] = t;
  if (kind === '*' || kind === '~') return [kind, (value as Typed[]).map(shape)];
  if (kind === '%') return [kind, (value as Array<[Typed, Typed]>).map(([k, v]) => [k, shape(v)])];
  return kind;
}

const NODE_LINE = /^[0-9a-f]{40} [0-9.]+:\d+@\d+ (myself,)?master - 0 \d+ \d+ connected( \d+(-\d+)?)*$/;

describeLive('CLUSTER reply shapes against a live redis-server cluster', (redis) => {
  async function live(port: number, argv: string[], resp: 2 | 3 = 2): Promise<Typed> {
    const client = await RespClient.connect(port, redis.host);
    try {
      if (resp === 3) await client.hello(3);
      return await client.call(argv);
    } finally {
      client.close();
    }
  }
  const clusterPort = () => redis.cluster.ports[0];

  for (const resp of [2, 3] as const) {
    it(`SLOTS, SHARDS, INFO, NODES, MYID and HELP have Redis's shapes (RESP${resp})`, async () => {
      const c = cache(); // Balanced_B5: one range per endpoint, like the live 3-master cluster
      for (const sub of ['SLOTS', 'SHARDS']) {
        const theirs = await live(clusterPort(), ['CLUSTER', sub], resp);
        const ours = toTyped(reply(c, ['CLUSTER', sub]), resp);
        expect(ours[0]).toBe(theirs[0]);
        expect(shape((ours[1] as Typed[])[0])).toEqual(shape((theirs[1] as Typed[])[0]));
      }
      for (const sub of ['INFO', 'NODES']) {
        const theirs = await live(clusterPort(), ['CLUSTER', sub], resp);
        const ours = toTyped(reply(c, ['CLUSTER', sub]), resp);
        expect(ours[0]).toBe(theirs[0]);
        if (resp === 3) expect(String(ours[1]).slice(0, 4)).toBe(String(theirs[1]).slice(0, 4));
        if (sub === 'NODES') {
          const lines = (t: Typed) => {
            const all = String(t[1]).replace(/^txt:/, '').split('\n');
            expect(all.pop()).toBe(''); // every line ends with "\n"
            return all;
          };
          for (const line of [...lines(ours), ...lines(theirs)]) expect(line).toMatch(NODE_LINE);
        } else {
          const fields = (t: Typed) =>
            String(t[1])
              .replace(/^txt:/, '')
              .split('\r\n')
              .map((l) => l.split(':')[0])
              .filter((f) => !/^cluster_stats_messages_(?!sent$|received$)/.test(f));
          expect(fields(ours)).toEqual(fields(theirs));
        }
      }
      const theirId = await live(clusterPort(), ['CLUSTER', 'MYID'], resp);
      expect(shape(toTyped(reply(c, ['CLUSTER', 'MYID']), resp))).toEqual(shape(theirId));
      const theirHelp = helpFooter74(await live(clusterPort(), ['CLUSTER', 'HELP'], resp));
      const ourHelp = toTyped(reply(c, ['CLUSTER', 'HELP']), resp);
      expect(ourHelp[0]).toBe('*');
      expect((ourHelp[1] as Typed[]).every((line) => line[0] === '+')).toBe(true);
      // 7.4 adds MYSHARDID (2 lines) and spells the NODES format line differently; the rest agrees.
      const text = (t: Typed) => (t[1] as Typed[]).map((l) => `${l[0]}${l[1]}`);
      const diff = text(ourHelp).filter((l) => !text(theirHelp).includes(l));
      expect(diff.sort()).toEqual(
        [
          '+MYSHARDID',
          "+    Return the node's shard id.",
          '+    <id> <ip:port@bus-port[,hostname]> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...',
        ].sort(),
      );
    });
  }

  it('COUNTKEYSINSLOT and GETKEYSINSLOT answer and fail as Redis does', async () => {
    const c = cache();
    const cases: string[][] = [
      ['CLUSTER', 'COUNTKEYSINSLOT', '5'],
      ['CLUSTER', 'COUNTKEYSINSLOT', '16384'],
      ['CLUSTER', 'COUNTKEYSINSLOT', '-1'],
      ['CLUSTER', 'COUNTKEYSINSLOT', 'abc'],
      ['CLUSTER', 'COUNTKEYSINSLOT', '+1'],
      ['CLUSTER', 'COUNTKEYSINSLOT', '1', '2'],
      ['CLUSTER', 'GETKEYSINSLOT', '5', '10'],
      ['CLUSTER', 'GETKEYSINSLOT', '5', '0'],
      ['CLUSTER', 'GETKEYSINSLOT', '16384', '1'],
      ['CLUSTER', 'GETKEYSINSLOT', '1', '-1'],
      ['CLUSTER', 'GETKEYSINSLOT', 'x', '-1'],
      ['CLUSTER', 'GETKEYSINSLOT', '99999', 'y'],
      ['CLUSTER', 'GETKEYSINSLOT', '1', '99999999999999999999'],
      ['CLUSTER', 'KEYSLOT'],
      ['CLUSTER', 'nope'],
      ['CLUSTER'],
    ];
    for (const argv of cases) {
      const theirs = await live(clusterPort(), argv);
      let ours: Typed;
      try {
        ours = toTyped(reply(c, argv), 2);
      } catch (e) {
        ours = ['-', (e as Error).message];
      }
      expect(ours, argv.join(' ')).toEqual(theirs);
    }
  });

  it('NoCluster answers as the live standalone server', async () => {
    const c = cache({ clusterPolicy: 'NoCluster' });
    const cases: string[][] = [
      ['CLUSTER', 'INFO'],
      ['CLUSTER', 'HELP'],
      ['CLUSTER', 'SLOTS'],
      ['CLUSTER', 'SHARDS'],
      ['CLUSTER', 'NODES'],
      ['CLUSTER', 'MYID'],
      ['CLUSTER', 'KEYSLOT', 'a'],
      ['CLUSTER', 'KEYSLOT'],
      ['CLUSTER', 'COUNTKEYSINSLOT', 'x'],
      ['CLUSTER', 'GETKEYSINSLOT', '1', '2'],
      ['CLUSTER', 'nope'],
    ];
    for (const argv of cases) {
      const theirs = await live(redis.standalone.port, argv);
      let ours: Typed;
      try {
        ours = toTyped(reply(c, argv), 2);
      } catch (e) {
        ours = ['-', (e as Error).message];
      }
      expect(ours, argv.join(' ')).toEqual(theirs);
    }
  });
});
