/**
 * COMMAND and its subcommands, and the command metadata behind them: the metadata reproduces the
 * recorded Redis 7.4.1 replies exactly, the RESP3 shapes agree with a live server, the key-spec
 * algorithm agrees with a live server's COMMAND GETKEYSANDFLAGS, and the emulator's COMMAND reports
 * exactly the commands it implements.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { ManagedRedis } from '../../src/managed-redis.js';
import type { CommandContext, CommandSpec } from '../../src/commands/command.js';
import type { CacheCore } from '../../src/core-types.js';
import type { Bytes } from '../../src/keyspace/bytes.js';
import { introspectionCommands } from '../../src/commands/introspection.js';
import {
  METADATA_COMMAND_COUNT,
  allCommandMetadata,
  commandMetadata,
  docsReply,
  infoReply,
  keysOf,
  serverPosition,
} from '../../src/commands/metadata.js';
import { MapReply } from '../../src/protocol/reply.js';
import { ORACLE_DIR, toTyped, type Typed } from '../support/oracle.js';
import { describeLive } from '../support/live.js';
import { RespClient } from '../support/resp-client.js';

const caches: ManagedRedis[] = [];
afterEach(() => {
  for (const c of caches.splice(0)) c.close();
});

function cache(): ManagedRedis {
  const c = new ManagedRedis({ clock: 'virtual', clusterPolicy: 'NoCluster' });
  caches.push(c);
  return c;
}

function run(c: ManagedRedis, argv: Bytes[], resp: 2 | 3 = 2): Typed {
  const client = c.openClient({ name: null });
  client.resp = resp;
  try {
    return toTyped(c.executeReply(argv, client), resp);
  } catch (error) {
    return ['-', (error as Error).message];
  }
}

/** The names of the top-level commands a cache implements. */
function implementedNames(c: ManagedRedis): string[] {
  return [...new Set([...c.commands.values()].map((spec) => spec.name))];
}

const commandSpec = introspectionCommands.find((spec) => spec.name === 'command')!;

/** Runs a COMMAND subcommand against a hand-made command table. */
function runWith(specs: CommandSpec[], argv: Bytes[], resp: 2 | 3 = 2): Typed {
  const commands = new Map<string, CommandSpec>();
  for (const spec of [...specs, commandSpec]) {
    const bar = spec.name.indexOf('|');
    if (bar < 0) {
      commands.set(spec.name, spec);
      continue;
    }
    const base = spec.name.slice(0, bar);
    let container = commands.get(base);
    if (container === undefined) {
      const meta = commandMetadata(base)!;
      container = { name: base, arity: meta.arity, flags: [], subcommands: {}, exec: () => null };
      commands.set(base, container);
    }
    (container.subcommands as Record<string, CommandSpec>)[spec.name.slice(bar + 1)] = spec;
  }
  const ctx = { cache: { commands } as unknown as CacheCore } as CommandContext;
  const sub = commandSpec.subcommands![String(argv[1]).toLowerCase()];
  try {
    return toTyped(sub.exec(ctx, argv), resp);
  } catch (error) {
    return ['-', (error as Error).message];
  }
}

/** A declaration straight from the metadata, finding keys with Redis's algorithm. */
function declarationFromMetadata(name: string): CommandSpec {
  const meta = commandMetadata(name)!;
  return {
    name: meta.name,
    arity: meta.arity,
    flags: meta.flags as CommandSpec['flags'],
    keys: (argv) => (keysOf(meta, argv) ?? []).map((key) => key.pos),
    exec: () => null,
  };
}

// ---- the recorded metadata ----------------------------------------------------------------------

const INFO_FILE = path.join(ORACLE_DIR, 'command-info.json.gz');
const DOCS_FILE = path.join(ORACLE_DIR, 'command-docs.json.gz');
const recorded = existsSync(INFO_FILE) && existsSync(DOCS_FILE);
if (!recorded) console.warn(`!!!! SKIPPING metadata round trip: no ${INFO_FILE}`);

function loadTyped(file: string): Typed {
  return JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as Typed;
}

describe.skipIf(!recorded)('metadata.generated.ts against the recorded Redis 7.4.1 replies', () => {
  const info = recorded ? (loadTyped(INFO_FILE)[1] as Typed[]) : [];
  const docsFlat = recorded ? (loadTyped(DOCS_FILE)[1] as Typed[]) : [];

  it('holds every command of COMMAND INFO, in the server order', () => {
    expect(METADATA_COMMAND_COUNT).toBe(info.length);
    expect(allCommandMetadata().map((m) => m.name)).toEqual(info.map((e) => ((e[1] as Typed[])[0] as Typed)[1]));
  });

  it('reproduces every COMMAND INFO entry byte for byte (RESP2)', () => {
    const mismatched: string[] = [];
    for (const entry of info) {
      const name = ((entry[1] as Typed[])[0] as Typed)[1] as string;
      const ours = toTyped(infoReply(commandMetadata(name)!), 2);
      if (JSON.stringify(ours) !== JSON.stringify(entry)) mismatched.push(name);
    }
    expect(mismatched).toEqual([]);
    expect(info.length).toBe(250);
  });

  it('reproduces every COMMAND DOCS entry byte for byte (RESP2)', () => {
    const mismatched: string[] = [];
    for (let i = 0; i < docsFlat.length; i += 2) {
      const name = docsFlat[i][1] as string;
      const ours = toTyped(docsReply(commandMetadata(name)!), 2);
      if (JSON.stringify(ours) !== JSON.stringify(docsFlat[i + 1])) mismatched.push(name);
    }
    expect(mismatched).toEqual([]);
    expect(docsFlat.length).toBe(500);
  });
});

describe('metadata accessors', () => {
  it('decodes arity, flags, legacy key range, ACL categories, tips and key specs', () => {
    const zunionstore = commandMetadata('ZUNIONSTORE')!;
    expect(zunionstore).toMatchObject({
      name: 'zunionstore',
      arity: -4,
      flags: ['write', 'denyoom', 'movablekeys'],
      firstKey: 1,
      lastKey: 1,
      keyStep: 1,
      aclCategories: ['@write', '@sortedset', '@slow'],
      tips: [],
    });
    expect(zunionstore.keySpecs).toEqual([
      {
        notes: undefined,
        flags: ['OW', 'update'],
        beginSearch: { type: 'index', index: 1 },
        findKeys: { type: 'range', lastKey: 0, keyStep: 1, limit: 0 },
      },
      {
        notes: undefined,
        flags: ['RO', 'access'],
        beginSearch: { type: 'index', index: 2 },
        findKeys: { type: 'keynum', keyNumIndex: 0, firstKey: 1, keyStep: 1 },
      },
    ]);
    expect(commandMetadata('keys')!.tips).toEqual(['request_policy:all_shards', 'nondeterministic_output_order']);
    expect(commandMetadata('xread')!.keySpecs[0].beginSearch).toEqual({ type: 'keyword', keyword: 'STREAMS', startFrom: 1 });
    expect(commandMetadata('sort')!.keySpecs[1].beginSearch).toEqual({ type: 'unknown' });
    expect(commandMetadata('set')!.keySpecs[0].notes).toBe('RW and ACCESS due to the optional `GET` argument');
  });

  it('finds subcommands by full name, case-insensitively, and knows their container', () => {
    const encoding = commandMetadata('OBJECT|Encoding')!;
    expect(encoding).toMatchObject({ name: 'object|encoding', container: 'object', arity: 3, firstKey: 2 });
    expect(commandMetadata('object')!.subcommands.map((s) => s.name)).toContain('object|freq');
    expect(commandMetadata('object|nosuch')).toBeUndefined();
    expect(commandMetadata('get|x')).toBeUndefined();
    expect(commandMetadata('nosuch')).toBeUndefined();
    expect(commandMetadata('command|getkeys')!.arity).toBe(-3); // 7.4 (7.0 said -4)
  });

  it('decodes the docs: summary, group, history, deprecation and nested arguments', () => {
    const docs = commandMetadata('getset')!.docs;
    expect(docs).toMatchObject({
      summary: expect.stringContaining('Returns the previous string value'),
      since: '1.0.0',
      group: 'string',
      docFlags: ['deprecated'],
      deprecatedSince: '6.2.0',
      replacedBy: '`SET` with the `!GET` argument',
    });
    const bitpos = commandMetadata('bitpos')!.docs;
    expect(bitpos.history).toEqual([['7.0.0', 'Added the `BYTE|BIT` option.']]);
    expect(bitpos.arguments![0]).toEqual({
      name: 'key',
      type: 'key',
      displayText: 'key',
      keySpecIndex: 0,
      token: undefined,
      summary: undefined,
      since: undefined,
      deprecatedSince: undefined,
      flags: [],
      arguments: undefined,
    });
    const unit = bitpos.arguments![2].arguments![1].arguments![1];
    expect(unit).toMatchObject({ name: 'unit', type: 'oneof', since: '7.0.0', flags: ['optional'] });
    expect(unit.arguments!.map((a) => a.token)).toEqual(['BYTE', 'BIT']);
    expect(commandMetadata('sort')!.docs.arguments!.find((a) => a.token === 'GET')!.flags).toEqual([
      'optional',
      'multiple',
      'multiple_token',
    ]);
  });

  it('builds RESP3 shapes: sets for flags, categories, tips, key specs and history; maps for specs and docs', () => {
    const entry = toTyped(infoReply(commandMetadata('get')!), 3) as [string, Typed[]];
    expect(entry[1].map((t) => t[0])).toEqual(['$', ':', '~', ':', ':', ':', '~', '~', '~', '~']);
    expect((entry[1][8][1] as Typed[])[0][0]).toBe('%');
    const object = toTyped(infoReply(commandMetadata('object')!), 3) as [string, Typed[]];
    expect(object[1][9][0]).toBe('*'); // subcommands: an array when there are any
    const docs = toTyped(docsReply(commandMetadata('bitpos')!), 3);
    expect(docs[0]).toBe('%');
    const fields = new Map((docs[1] as Array<[Typed, Typed]>).map(([k, v]) => [k[1], v]));
    expect(fields.get('history')![0]).toBe('~');
    expect(fields.get('arguments')![0]).toBe('*');
    expect(serverPosition('bitpos')).toBe(0);
  });
});

// ---- the key-spec algorithm ------------------------------------------------------------------------

describe('keysOf: the keys Redis finds', () => {
  const keys = (argv: string[]) => {
    const found = keysOf(commandMetadata(argv[0])!, argv);
    return found === null ? null : found.map((k) => [argv[k.pos], k.flags.join(' ')]);
  };

  it('walks index, keyword, range and keynum specs', () => {
    expect(keys(['mset', 'a', '1', 'b', '2'])).toEqual([
      ['a', 'OW update'],
      ['b', 'OW update'],
    ]);
    expect(keys(['zunionstore', 'd', '2', 'a', 'b'])).toEqual([
      ['d', 'OW update'],
      ['a', 'RO access'],
      ['b', 'RO access'],
    ]);
    expect(keys(['xread', 'count', '1', 'STREAMS', 'a', 'b', '0', '0'])).toEqual([
      ['a', 'RO access'],
      ['b', 'RO access'],
    ]);
    expect(keys(['xread', 'streams', 'a', 'b', '0'])).toEqual([['a', 'RO access']]);
    expect(keys(['blpop', 'a', 'b', '0'])).toEqual([
      ['a', 'RW access delete'],
      ['b', 'RW access delete'],
    ]);
    expect(keys(['georadius', 'a', '1', '2', '3', 'm', 'store', 'x', 'storedist', 'y'])).toEqual([
      ['a', 'RO access'],
      ['x', 'OW update'],
      ['y', 'OW update'],
    ]);
  });

  it('falls back to the commands own extractors where the specs cannot tell', () => {
    expect(keys(['sort', 'a', 'by', 'x', 'store', 'b'])).toEqual([
      ['a', 'RO access'],
      ['b', 'OW update'],
    ]);
    expect(keys(['sort', 'a', 'store', 'b', 'store', 'c'])).toEqual([
      ['a', 'RO access'],
      ['c', 'OW update'],
    ]);
    expect(keys(['set', 'a', 'b'])).toEqual([['a', 'OW update']]);
    expect(keys(['set', 'a', 'b', 'GET'])).toEqual([['a', 'RW access update']]);
    expect(keys(['bitfield', 'a', 'get', 'u8', '0'])).toEqual([['a', 'RO access']]);
    expect(keys(['bitfield', 'a', 'incrby', 'u8', '0', '1'])).toEqual([['a', 'RW access update']]);
    expect(keys(['migrate', 'h', 'p', '', '0', '5', 'auth', 'keys', 'keys', 'a'])).toEqual([['a', 'RW access delete']]);
    expect(keys(['migrate', 'h', 'p', 'k', '0', '5', 'keys', 'a'])).toEqual([]);
    expect(keys(['migrate', 'h', 'p', 'k', '0', '5', 'copy', 'keys'])).toEqual([['k', 'RW access delete']]);
    // numkeys read leniently (atoi) by the old extractors: no flags, destination last
    expect(keys(['zunionstore', 'd', '2x', 'a', 'b'])).toEqual([
      ['a', ''],
      ['b', ''],
      ['d', ''],
    ]);
    expect(keys(['eval', 's', '0'])).toEqual([]);
    expect(keys(['zunionstore', 'd', '5', 'a', 'b'])).toEqual([]);
  });
});

describe('COMMAND GETKEYS and GETKEYSANDFLAGS on a given command table', () => {
  const table = ['mset', 'get', 'eval', 'zunionstore', 'spublish', 'xread', 'sort', 'set'].map(declarationFromMetadata);

  it('answers keys, and keys with their flags (a set in RESP3)', () => {
    expect(runWith(table, ['COMMAND', 'GETKEYS', 'MSET', 'a', '1', 'b', '2'])).toEqual(['*', [['$', 'a'], ['$', 'b']]]);
    expect(runWith(table, ['COMMAND', 'GETKEYSANDFLAGS', 'sort', 'a', 'store', 'b'], 3)).toEqual([
      '*',
      [
        ['*', [['$', 'a'], ['~', [['+', 'RO'], ['+', 'access']]]]],
        ['*', [['$', 'b'], ['~', [['+', 'OW'], ['+', 'update']]]]],
      ],
    ]);
    expect(runWith(table, ['COMMAND', 'GETKEYSANDFLAGS', 'set', 'a', 'b'], 2)).toEqual([
      '*',
      [['*', [['$', 'a'], ['*', [['+', 'OW'], ['+', 'update']]]]]],
    ]);
  });

  it("answers Redis's errors, in Redis's order of checks", () => {
    expect(runWith(table, ['COMMAND', 'GETKEYS', 'nosuch', 'a'])).toEqual(['-', 'ERR Invalid command specified']);
    expect(runWith(table, ['COMMAND', 'GETKEYS', 'lpush', 'a', 'b'])).toEqual(['-', 'ERR Invalid command specified']);
    expect(runWith(table, ['COMMAND', 'GETKEYS', 'command', 'nosuch'])).toEqual(['-', 'ERR Invalid command specified']);
    expect(runWith(table, ['COMMAND', 'GETKEYS', 'spublish', 'a', 'b'])).toEqual(['-', 'ERR The command has no key arguments']);
    expect(runWith(table, ['COMMAND', 'GETKEYS', 'command', 'count'])).toEqual(['-', 'ERR The command has no key arguments']);
    expect(runWith(table, ['COMMAND', 'GETKEYS', 'get'])).toEqual(['-', 'ERR Invalid number of arguments specified for command']);
    expect(runWith(table, ['COMMAND', 'GETKEYS', 'mset', 'a'])).toEqual(['-', 'ERR Invalid number of arguments specified for command']);
    expect(runWith(table, ['COMMAND', 'GETKEYS', 'zunionstore', 'd', '5', 'a', 'b'])).toEqual([
      '-',
      'ERR Invalid arguments specified for command',
    ]);
    expect(runWith(table, ['COMMAND', 'GETKEYS', 'xread', 'count', '2', 'a', 'b'])).toEqual([
      '-',
      'ERR Invalid arguments specified for command',
    ]);
    // no_mandatory_keys: no keys is an empty answer, not an error
    expect(runWith(table, ['COMMAND', 'GETKEYS', 'eval', 's', '0'])).toEqual(['*', []]);
    expect(runWith(table, ['COMMAND', 'GETKEYS', 'eval', 's', '2', 'a'])).toEqual(['*', []]);
  });

  it('reports the positions the declaration routes on', () => {
    const odd: CommandSpec = { ...declarationFromMetadata('mset'), keys: { first: 1, last: 1, step: 1 } };
    expect(runWith([odd], ['COMMAND', 'GETKEYS', 'mset', 'a', '1', 'b', '2'])).toEqual(['*', [['$', 'a']]]);
  });
});

// ---- the emulator's COMMAND ------------------------------------------------------------------------

describe('COMMAND on the emulator', () => {
  it('COUNT counts the implemented top-level commands; COMMAND and COMMAND INFO list each once', () => {
    const c = cache();
    const names = implementedNames(c);
    expect(names).toContain('command');
    expect(names).toContain('get');
    expect(run(c, ['COMMAND', 'COUNT'])).toEqual([':', String(names.length)]);
    for (const argv of [['COMMAND'], ['command', 'info']]) {
      const all = run(c, argv) as [string, Typed[]];
      expect(all[0]).toBe('*');
      expect(all[1].map((e) => (e[1] as Typed[])[0][1]).sort()).toEqual([...names].sort());
    }
  });

  it('COMMAND INFO answers the recorded entry for implemented commands and nil for the others', () => {
    const c = cache();
    for (const resp of [2, 3] as const) {
      const reply = run(c, ['COMMAND', 'INFO', 'GET', 'nosuch', 'get|x', 'Command|Count', 'object|'], resp) as [string, Typed[]];
      expect(reply[1][0]).toEqual(toTyped(infoReply(commandMetadata('get')!), resp));
      expect(reply[1][1]).toEqual(['_']);
      expect(reply[1][2]).toEqual(['_']);
      expect(reply[1][3]).toEqual(toTyped(infoReply(commandMetadata('command|count')!), resp));
      expect(reply[1][4]).toEqual(['_']);
    }
    // A Redis command the emulator does not implement is as unknown as a made-up one.
    const missing = allCommandMetadata().find((m) => !c.commands.has(m.name))!;
    expect(run(c, ['COMMAND', 'INFO', missing.name])).toEqual(['*', [['_']]]);
  });

  it('COMMAND INFO lists the implemented subcommands of a container, in the server order', () => {
    const c = cache();
    const entry = (run(c, ['COMMAND', 'INFO', 'command']) as [string, Typed[]])[1][0] as [string, Typed[]];
    const subs = (entry[1][9][1] as Typed[]).map((s) => (s[1] as Typed[])[0][1]);
    const recordedOrder = commandMetadata('command')!.subcommands.map((s) => s.name);
    expect(subs).toEqual(recordedOrder); // all seven are implemented
    expect(entry).toEqual(toTyped(infoReply(commandMetadata('command')!), 2));
  });

  it('COMMAND DOCS is a map (flat in RESP2) of the implemented commands it was asked about', () => {
    const c = cache();
    const expected = (resp: 2 | 3) =>
      toTyped(new MapReply([['get', docsReply(commandMetadata('get')!)]]), resp);
    expect(run(c, ['COMMAND', 'DOCS', 'nosuch', 'GET'], 2)).toEqual(expected(2));
    expect(run(c, ['COMMAND', 'DOCS', 'nosuch', 'GET'], 3)).toEqual(expected(3));
    expect(run(c, ['COMMAND', 'DOCS', 'nosuch'], 3)).toEqual(['%', []]);
    expect(run(c, ['COMMAND', 'DOCS', 'nosuch'], 2)).toEqual(['*', []]);
    const all = run(c, ['COMMAND', 'DOCS'], 3) as [string, Array<[Typed, Typed]>];
    expect(all[1].map(([k]) => k[1]).sort()).toEqual(implementedNames(c).sort());
    const command = all[1].find(([k]) => k[1] === 'command')![1];
    expect(command).toEqual(toTyped(docsReply(commandMetadata('command')!), 3));
  });

  it('COMMAND LIST names commands and subcommands, with FILTERBY PATTERN, ACLCAT and MODULE', () => {
    const c = cache();
    const listed = (argv: string[]) => ((run(c, argv) as [string, Typed[]])[1]).map((t) => t[1] as string);
    const all = listed(['COMMAND', 'LIST']);
    expect(all).toContain('get');
    expect(all).toContain('command|getkeysandflags');
    expect(all.indexOf('command|info')).toBeGreaterThan(all.indexOf('command'));
    expect(new Set(all).size).toBe(all.length);
    expect(listed(['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'COMMAND|GET*']).sort()).toEqual([
      'command|getkeys',
      'command|getkeysandflags',
    ]);
    expect(listed(['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', '*|[c-d]*']).sort()).toEqual([
      'command|count',
      'command|docs',
    ].concat(all.filter((n) => /^[^|]+\|[cd]/.test(n) && !n.startsWith('command|'))).sort());
    expect(listed(['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'G?T'])).toEqual(['get']);
    expect(listed(['command', 'list', 'filterby', 'aclcat', 'CONNECTION'])).toEqual(
      all.filter((n) => commandMetadata(n)?.aclCategories.includes('@connection')),
    );
    expect(listed(['COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'connection'])).toContain('command|docs');
    expect(listed(['COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', '@connection'])).toEqual([]);
    expect(listed(['COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'json'])).toEqual([]);
    expect(run(c, ['COMMAND', 'LIST', 'x'])).toEqual(['-', 'ERR syntax error']);
    expect(run(c, ['COMMAND', 'LIST', 'FILTERBY', 'foo', 'x'])).toEqual(['-', 'ERR syntax error']);
    expect(run(c, ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN'])).toEqual(['-', 'ERR syntax error']);
    expect(run(c, ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'a', 'b'])).toEqual(['-', 'ERR syntax error']);
  });

  it('GETKEYS and GETKEYSANDFLAGS go through the declarations', () => {
    const c = cache();
    expect(run(c, ['COMMAND', 'GETKEYS', 'get', 'k'])).toEqual(['*', [['$', 'k']]]);
    expect(run(c, ['COMMAND', 'GETKEYSANDFLAGS', 'GET', 'k'], 3)).toEqual(['*', [['*', [['$', 'k'], ['~', [['+', 'RO'], ['+', 'access']]]]]]]);
    expect(run(c, ['COMMAND', 'GETKEYS', 'command', 'info'])).toEqual(['-', 'ERR The command has no key arguments']);
    expect(run(c, ['COMMAND', 'GETKEYS', 'nosuch'])).toEqual(['-', 'ERR Invalid command specified']);
    expect(run(c, ['COMMAND', 'GETKEYS', 'get'])).toEqual(['-', 'ERR Invalid number of arguments specified for command']);
    expect(run(c, ['COMMAND', 'GETKEYS'])).toEqual(['-', "ERR wrong number of arguments for 'command|getkeys' command"]);
  });

  it('HELP, arity and unknown subcommands', () => {
    const c = cache();
    const help = run(c, ['COMMAND', 'HELP']) as [string, Typed[]];
    expect(help[1][0]).toEqual(['+', 'COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:']);
    expect(help[1]).toHaveLength(21);
    expect(help[1].at(-1)).toEqual(['+', '    Print this help.']);
    expect(run(c, ['COMMAND', 'NOPE'])).toEqual(['-', "ERR unknown subcommand 'NOPE'. Try COMMAND HELP."]);
    expect(run(c, ['COMMAND', 'COUNT', 'x'])).toEqual(['-', "ERR wrong number of arguments for 'command|count' command"]);
    expect(run(c, ['COMMAND', 'HELP', 'x'])).toEqual(['-', "ERR wrong number of arguments for 'command|help' command"]);
  });
});

// ---- against a live server ----------------------------------------------------------------------------

/** The type found at each field path of a RESP3 COMMAND DOCS reply (`doc/arguments[]/flags` …). */
function kindsByPath(reply: Typed): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (t: Typed, at: string): void => {
    const kind = t[0];
    const seen = out.get(at);
    out.set(at, seen === undefined || seen === kind ? kind : `${seen}|${kind}`);
    if (kind === '%') {
      for (const [k, v] of t[1] as Array<[Typed, Typed]>) {
        walk(v, at.endsWith('/subcommands') ? `${at}/*` : `${at}/${k[1] as string}`);
      }
    } else if (kind === '*' || kind === '~') {
      for (const item of t[1] as Typed[]) walk(item, `${at}[]`);
    }
  };
  for (const [, doc] of reply[1] as Array<[Typed, Typed]>) walk(doc, 'doc');
  return out;
}

describeLive('COMMAND metadata shapes against a live redis-server', (redis) => {
  async function live(commands: string[][], resp: 2 | 3): Promise<Typed[]> {
    const client = await RespClient.connect(redis.standalone.port, redis.host);
    try {
      if (resp === 3) await client.hello(3);
      return await client.pipeline(commands);
    } finally {
      client.close();
    }
  }

  it('COMMAND INFO in RESP3 has the live server shapes wherever 7.0 and 7.4 agree in RESP2', async () => {
    const [all2] = await live([['COMMAND']], 2);
    const [all3] = await live([['COMMAND']], 3);
    const byName = (t: Typed) => new Map((t[1] as Typed[]).map((e) => [(e[1] as Typed[])[0][1] as string, e]));
    const live2 = byName(all2);
    const live3 = byName(all3);
    let compared = 0;
    const differ: string[] = [];
    for (const meta of allCommandMetadata()) {
      if (!live2.has(meta.name)) continue;
      if (JSON.stringify(toTyped(infoReply(meta), 2)) !== JSON.stringify(live2.get(meta.name))) continue;
      compared++;
      if (JSON.stringify(toTyped(infoReply(meta), 3)) !== JSON.stringify(live3.get(meta.name))) differ.push(meta.name);
    }
    expect(differ).toEqual([]);
    expect(compared).toBeGreaterThan(100);
  });

  it('COMMAND DOCS in RESP3 has the live server types at every field path both have', async () => {
    // The docs texts changed a lot in 7.2, so compare the type found at each field path instead.
    const [all3] = await live([['COMMAND', 'DOCS']], 3);
    const theirs = kindsByPath(all3);
    const ours = kindsByPath(toTyped(new MapReply(allCommandMetadata().map((m) => [m.name, docsReply(m)])), 3));
    const shared = [...ours.keys()].filter((p) => theirs.has(p));
    const differ = shared.filter((p) => ours.get(p) !== theirs.get(p)).map((p) => `${p}: ours ${ours.get(p)} live ${theirs.get(p)}`);
    expect(differ).toEqual([]);
    expect(shared.length).toBeGreaterThan(40);
    expect(shared).toEqual(expect.arrayContaining(['doc/history', 'doc/history[]', 'doc/arguments[]/flags', 'doc/subcommands/*/arguments[]']));
  });

  it('GETKEYSANDFLAGS from the key specs matches the live server (commands whose specs agree)', async () => {
    const cases: string[][] = [
      ['mset', 'a', '1', 'b', '2'],
      ['mset', 'a', '1', 'b'],
      ['get', 'a'],
      ['set', 'a', 'b'],
      ['set', 'a', 'b', 'get'],
      ['set', 'a', 'b', 'ex', '1', 'GET'],
      ['bitfield', 'a', 'get', 'u8', '0'],
      ['bitfield', 'a', 'get', 'u8', '0', 'set', 'u8', '0', '1'],
      ['bitfield', 'a', 'overflow', 'sat'],
      ['bitfield', 'a', 'bogus'],
      ['sort', 'a'],
      ['sort', 'a', 'by', 'x', 'store', 'b'],
      ['sort', 'a', 'limit', '0', '1', 'get', 'store', 'store', 'c'],
      ['sort', 'a', 'store'],
      ['sort_ro', 'a', 'by', 'x'],
      ['migrate', 'h', 'p', 'k', '0', '5'],
      ['migrate', 'h', 'p', '', '0', '5', 'keys', 'a', 'b'],
      ['migrate', 'h', 'p', 'k', '0', '5', 'keys', 'a', 'b'],
      ['migrate', 'h', 'p', 'k', '0', '5', 'copy', 'keys'],
      ['migrate', 'h', 'p', '', '0', '5', 'auth2', 'keys', 'x', 'keys', 'a'],
      ['zunionstore', 'd', '2', 'a', 'b'],
      ['zunionstore', 'd', '5', 'a', 'b'],
      ['zunionstore', 'd', '0', 'a', 'b'],
      ['zunionstore', 'd', '2x', 'a', 'b'],
      ['zunionstore', 'd', '-1', 'a', 'b'],
      ['zinter', '2', 'a', 'b', 'weights', '1', '2'],
      ['zdiff', '1', 'a'],
      ['eval', 's', '0'],
      ['eval', 's', '2', 'a', 'b', 'c'],
      ['eval', 's', '3', 'a'],
      ['eval', 's', 'x', 'a'],
      ['evalsha', 'h', '1', 'a'],
      ['fcall', 'f', '1', 'a', 'b'],
      ['lmpop', '2', 'a', 'b', 'left'],
      ['lmpop', '0', 'a', 'left'],
      ['blmpop', '0', '1', 'a', 'left'],
      ['bzmpop', '0', '2', 'a', 'b', 'min'],
      ['sintercard', '2', 'a', 'b', 'limit', '1'],
      ['sintercard', '3', 'a', 'b'],
      ['xread', 'streams', 'a', 'b', '0', '0'],
      ['xread', 'count', '2', 'STREAMS', 'a', '0'],
      ['xread', 'streams', 'a', 'b', '0'],
      ['xread', 'count', '2', 'a', 'b'],
      ['xreadgroup', 'group', 'g', 'c', 'streams', 'a', 'b', '0', '0'],
      ['georadius', 'a', '1', '2', '3', 'm', 'store', 'x'],
      ['georadius', 'a', '1', '2', '3', 'm', 'store'],
      ['georadius', 'a', '1', '2', '3', 'm', 'store', 'x', 'storedist', 'y'],
      ['georadiusbymember', 'a', 'm', '3', 'km', 'storedist', 'y'],
      ['geosearchstore', 'd', 's', 'frommember', 'm', 'byradius', '1', 'm'],
      ['blpop', 'a', 'b', '0'],
      ['brpoplpush', 'a', 'b', '0'],
      ['lmove', 'a', 'b', 'left', 'right'],
      ['bitop', 'and', 'd', 'a', 'b'],
      ['pfcount', 'a', 'b'],
      ['lcs', 'a', 'b'],
      ['object', 'encoding', 'k'],
      ['memory', 'usage', 'k', 'samples', '5'],
      ['xinfo', 'stream', 'k', 'full'],
      ['rename', 'a', 'b'],
      ['copy', 'a', 'b', 'replace'],
      ['smove', 'a', 'b', 'm'],
      ['getex', 'a', 'persist'],
      ['del', 'a', 'b', 'c'],
      ['watch', 'a', 'b'],
      ['restore', 'k', '0', 'x'],
    ];
    const [all] = await live([['COMMAND']], 2);
    const liveInfo = new Map(
      (all[1] as Typed[]).flatMap((e) => {
        const entry = e[1] as Typed[];
        const subs = (entry[9][1] as Typed[]).map((s) => [(s[1] as Typed[])[0][1] as string, s] as const);
        return [[entry[0][1] as string, e] as const, ...subs];
      }),
    );
    const replies = await live(
      cases.map((argv) => ['COMMAND', 'GETKEYSANDFLAGS', ...argv]),
      2,
    );
    let compared = 0;
    const differ: string[] = [];
    cases.forEach((argv, i) => {
      const name = commandMetadata(argv[0])!.subcommands.length > 0 ? `${argv[0]}|${argv[1]}` : argv[0];
      const meta = commandMetadata(name)!;
      const liveEntry = liveInfo.get(name) as [string, Typed[]] | undefined;
      const ourEntry = toTyped(infoReply(meta), 2) as [string, Typed[]];
      // Only where 7.0 has the same arity, flags and key specs as 7.4.
      if (liveEntry === undefined || JSON.stringify(liveEntry[1].slice(0, 9).filter((_, j) => j !== 6 && j !== 7)) !==
        JSON.stringify(ourEntry[1].slice(0, 9).filter((_, j) => j !== 6 && j !== 7))) return;
      compared++;
      const ours = runWith([declarationFromMetadata(name)], ['COMMAND', 'GETKEYSANDFLAGS', ...argv]);
      if (JSON.stringify(ours) !== JSON.stringify(replies[i])) {
        differ.push(`${argv.join(' ')}: ours ${JSON.stringify(ours)} live ${JSON.stringify(replies[i])}`);
      }
    });
    expect(differ).toEqual([]);
    expect(compared).toBeGreaterThan(40);
  });
});
