/**
 * Every declared command and subcommand against Redis 7.4.1's COMMAND INFO: arity, flags (as a
 * set) and key positions. Declarations are the single source the emulator routes on, so a
 * disagreement here is a routing or CROSSSLOT bug, or a wrong arity error, waiting to happen.
 *
 * One test per declaration; a failure lists `name.field: declared …, COMMAND INFO …` lines.
 * Key finders that are functions are run on sample argvs and compared with the keys Redis finds
 * with its key specs (metadata.ts `keysOf`).
 */
import { describe, expect, it } from 'vitest';
import { allCommands } from '../../src/commands/index.js';
import type { CommandSpec } from '../../src/commands/command.js';
import { keyPositions } from '../../src/dispatch.js';
import { commandMetadata, hasKeyArguments, keysOf, type CommandMetadata } from '../../src/commands/metadata.js';

/** Every declaration, subcommands included, with the container's name for subcommands. */
function declared(): CommandSpec[] {
  const out: CommandSpec[] = [];
  for (const spec of allCommands) {
    out.push(spec);
    for (const sub of Object.values(spec.subcommands ?? {})) out.push(sub);
  }
  return out;
}

/**
 * Valid argvs for the commands whose keys move (numkeys, keywords, options), by full name. Any
 * command also gets generic argvs (`k1 k2 …` of every length its arity allows, up to six more).
 */
const SAMPLES: Record<string, string[][]> = {
  eval: [['eval', 'return 1', '2', 'k1', 'k2', 'a1'], ['eval', 's', '0'], ['eval', 's', '1', 'k1']],
  evalsha: [['evalsha', 'abc', '2', 'k1', 'k2', 'a1'], ['evalsha', 'abc', '0', 'a']],
  eval_ro: [['eval_ro', 's', '1', 'k1', 'a1']],
  evalsha_ro: [['evalsha_ro', 'abc', '1', 'k1', 'a1']],
  fcall: [['fcall', 'f', '2', 'k1', 'k2', 'a'], ['fcall', 'f', '0']],
  fcall_ro: [['fcall_ro', 'f', '1', 'k1']],
  zunionstore: [['zunionstore', 'd', '2', 'k1', 'k2'], ['zunionstore', 'd', '1', 'k1', 'weights', '2', 'aggregate', 'max']],
  zinterstore: [['zinterstore', 'd', '2', 'k1', 'k2', 'weights', '1', '2']],
  zdiffstore: [['zdiffstore', 'd', '2', 'k1', 'k2']],
  zunion: [['zunion', '2', 'k1', 'k2', 'withscores']],
  zinter: [['zinter', '3', 'k1', 'k2', 'k3']],
  zdiff: [['zdiff', '1', 'k1']],
  zintercard: [['zintercard', '2', 'k1', 'k2', 'limit', '1']],
  sintercard: [['sintercard', '2', 'k1', 'k2'], ['sintercard', '1', 'k1', 'limit', '5']],
  lmpop: [['lmpop', '2', 'k1', 'k2', 'left', 'count', '2'], ['lmpop', '1', 'k1', 'right']],
  zmpop: [['zmpop', '1', 'k1', 'min'], ['zmpop', '2', 'k1', 'k2', 'max', 'count', '3']],
  blmpop: [['blmpop', '0', '2', 'k1', 'k2', 'left']],
  bzmpop: [['bzmpop', '1.5', '1', 'k1', 'max', 'count', '3']],
  sort: [
    ['sort', 'k1'],
    ['sort', 'k1', 'by', 'w_*', 'limit', '0', '10', 'get', '#', 'get', 'o_*', 'desc', 'alpha', 'store', 'd'],
    ['sort', 'k1', 'store', 'd'],
  ],
  sort_ro: [['sort_ro', 'k1', 'by', 'w_*', 'get', '#']],
  migrate: [
    ['migrate', 'h', '6379', 'k1', '0', '5000'],
    ['migrate', 'h', '6379', '', '0', '5000', 'copy', 'replace', 'auth', 'pw', 'keys', 'k1', 'k2'],
  ],
  georadius: [['georadius', 'k1', '15', '37', '200', 'km', 'withdist', 'store', 'd'], ['georadius', 'k1', '15', '37', '200', 'km']],
  georadiusbymember: [['georadiusbymember', 'k1', 'm', '200', 'km', 'storedist', 'd'], ['georadiusbymember', 'k1', 'm', '2', 'km']],
  georadius_ro: [['georadius_ro', 'k1', '15', '37', '200', 'km', 'asc']],
  georadiusbymember_ro: [['georadiusbymember_ro', 'k1', 'm', '200', 'km']],
  geosearchstore: [['geosearchstore', 'd', 'k1', 'frommember', 'm', 'byradius', '1', 'km', 'storedist']],
  xread: [['xread', 'count', '2', 'block', '0', 'streams', 'k1', 'k2', '0', '0'], ['xread', 'streams', 'k1', '$']],
  xreadgroup: [['xreadgroup', 'group', 'g', 'c', 'count', '1', 'streams', 'k1', 'k2', '>', '>']],
  set: [['set', 'k1', 'v'], ['set', 'k1', 'v', 'ex', '10', 'get']],
  mset: [['mset', 'k1', 'v1', 'k2', 'v2', 'k3', 'v3']],
  msetnx: [['msetnx', 'k1', 'v1', 'k2', 'v2']],
  bitop: [['bitop', 'and', 'd', 'k1', 'k2'], ['bitop', 'not', 'd', 'k1']],
  blpop: [['blpop', 'k1', 'k2', '0']],
  brpop: [['brpop', 'k1', '0.5']],
  bzpopmin: [['bzpopmin', 'k1', 'k2', '0']],
  bzpopmax: [['bzpopmax', 'k1', '0']],
  lmove: [['lmove', 'k1', 'k2', 'left', 'right']],
  blmove: [['blmove', 'k1', 'k2', 'left', 'right', '0']],
  smove: [['smove', 'k1', 'k2', 'm']],
  rename: [['rename', 'k1', 'k2']],
  renamenx: [['renamenx', 'k1', 'k2']],
  copy: [['copy', 'k1', 'k2', 'db', '0', 'replace']],
  lcs: [['lcs', 'k1', 'k2', 'idx', 'minmatchlen', '2']],
  'object|encoding': [['object', 'encoding', 'k1']],
  'memory|usage': [['memory', 'usage', 'k1', 'samples', '5']],
  'xinfo|stream': [['xinfo', 'stream', 'k1', 'full', 'count', '5']],
  'xgroup|create': [['xgroup', 'create', 'k1', 'g', '$', 'mkstream']],
};

/** Generic argvs: the command's name tokens, then k1 k2 … for every length the arity allows. */
function genericSamples(spec: CommandSpec): string[][] {
  const head = spec.name.split('|');
  const min = Math.abs(spec.arity);
  const max = spec.arity > 0 ? spec.arity : min + 6;
  const out: string[][] = [];
  for (let length = Math.max(min, head.length); length <= max; length++) {
    const argv = [...head];
    while (argv.length < length) argv.push(`k${argv.length - head.length + 1}`);
    out.push(argv);
  }
  return out;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join(' ') === [...b].sort().join(' ');
}

/** What disagrees between a declaration and COMMAND INFO, one line per field. */
function disagreements(spec: CommandSpec): string[] {
  const name = spec.name;
  const meta = commandMetadata(name);
  if (meta === undefined) return [`${name}: not a Redis 7.4.1 command (no COMMAND INFO entry)`];
  const problems: string[] = [];
  if (spec.arity !== meta.arity) problems.push(`${name}.arity: declared ${spec.arity}, COMMAND INFO ${meta.arity}`);
  if (!sameSet(spec.flags, meta.flags)) {
    const missing = meta.flags.filter((f) => !spec.flags.includes(f as never));
    const extra = spec.flags.filter((f) => !meta.flags.includes(f));
    problems.push(
      `${name}.flags: declared [${spec.flags.join(', ')}], COMMAND INFO [${meta.flags.join(', ')}]` +
        `${missing.length ? ` (missing ${missing.join(', ')})` : ''}${extra.length ? ` (extra ${extra.join(', ')})` : ''}`,
    );
  }
  problems.push(...keyDisagreements(spec, meta));
  if (spec.subcommands !== undefined) {
    for (const sub of Object.values(spec.subcommands)) {
      if (!sub.name.startsWith(`${name}|`)) problems.push(`${name}.subcommands: ${sub.name} is not named ${name}|…`);
    }
  }
  return problems;
}

function keyDisagreements(spec: CommandSpec, meta: CommandMetadata): string[] {
  const name = spec.name;
  const legacy = `${meta.firstKey}/${meta.lastKey}/${meta.keyStep}`;
  const keys = spec.keys;
  if (keys === undefined) {
    if (hasKeyArguments(meta)) return [`${name}.keys: none declared, COMMAND INFO has key specs (legacy range ${legacy})`];
    if (meta.firstKey !== 0) return [`${name}.keys: none declared, COMMAND INFO legacy range ${legacy}`];
    return [];
  }
  if (typeof keys !== 'function') {
    const problems: string[] = [];
    const declaredRange = `${keys.first}/${keys.last}/${keys.step}`;
    if (declaredRange !== legacy) problems.push(`${name}.keys: declared ${declaredRange}, COMMAND INFO legacy range ${legacy}`);
    else if (meta.flags.includes('movablekeys')) {
      problems.push(`${name}.keys: a fixed range ${declaredRange} for a movablekeys command (keys elsewhere are missed)`);
    }
    return problems;
  }
  if (!hasKeyArguments(meta) && meta.firstKey === 0) return [`${name}.keys: a key finder, COMMAND INFO has no keys`];
  const problems: string[] = [];
  const handWritten = SAMPLES[name] ?? [];
  for (const argv of [...handWritten, ...genericSamples(spec)]) {
    const redis = keysOf(meta, argv);
    const valid = redis !== null && redis.length > 0;
    if (!valid && !handWritten.includes(argv)) continue; // generic argv Redis itself rejects
    let ours: number[];
    try {
      ours = keyPositions(keys, argv);
    } catch (error) {
      if (!valid) continue;
      problems.push(`${name}.keys(${argv.join(' ')}): key finder threw ${(error as Error).message}`);
      continue;
    }
    const theirs = (redis ?? []).map((k) => k.pos);
    if (ours.join(',') !== theirs.join(',')) {
      const order = sameSet(ours.map(String), theirs.map(String)) ? ' (same keys, other order)' : '';
      problems.push(
        `${name}.keys(${argv.join(' ')}): declared positions [${ours.join(', ')}], key specs [${theirs.join(', ')}]${order}`,
      );
    }
  }
  return problems;
}

const specs = declared();

describe('declarations agree with Redis 7.4.1 COMMAND INFO', () => {
  it('there are declarations to check', () => {
    expect(specs.length).toBeGreaterThan(0);
  });

  it.each(specs.map((spec) => [spec.name, spec] as const))('%s', (_name, spec) => {
    expect(disagreements(spec)).toEqual([]);
  });
});

describe('the checker itself', () => {
  const base = (name: string): CommandSpec => {
    const meta = commandMetadata(name)!;
    return {
      name,
      arity: meta.arity,
      flags: meta.flags as CommandSpec['flags'],
      keys:
        meta.firstKey === 0 ? undefined : { first: meta.firstKey, last: meta.lastKey, step: meta.keyStep },
      exec: () => null,
    };
  };

  it('accepts declarations copied from the metadata', () => {
    expect(disagreements(base('get'))).toEqual([]);
    expect(disagreements(base('mset'))).toEqual([]);
    expect(disagreements(base('ping'))).toEqual([]);
    expect(disagreements({ ...base('zunionstore'), keys: (argv) => [1, ...Array.from({ length: Number(argv[2]) }, (_, i) => 3 + i)] })).toEqual([]);
  });

  it('names the command and the field that disagree', () => {
    expect(disagreements({ ...base('get'), arity: -2 })).toEqual(['get.arity: declared -2, COMMAND INFO 2']);
    expect(disagreements({ ...base('get'), flags: ['readonly'] })).toEqual([
      'get.flags: declared [readonly], COMMAND INFO [readonly, fast] (missing fast)',
    ]);
    expect(disagreements({ ...base('mset'), keys: { first: 1, last: -1, step: 1 } })).toEqual([
      'mset.keys: declared 1/-1/1, COMMAND INFO legacy range 1/-1/2',
    ]);
    expect(disagreements({ ...base('get'), keys: undefined })).toEqual([
      'get.keys: none declared, COMMAND INFO has key specs (legacy range 1/1/1)',
    ]);
    expect(disagreements(base('sort'))).toEqual([
      'sort.keys: a fixed range 1/1/1 for a movablekeys command (keys elsewhere are missed)',
    ]);
    const wrongFinder = disagreements({ ...base('zunionstore'), keys: () => [1] });
    expect(wrongFinder[0]).toBe('zunionstore.keys(zunionstore d 2 k1 k2): declared positions [1], key specs [1, 3, 4]');
    expect(disagreements({ ...base('get'), name: 'nosuch' })).toEqual(['nosuch: not a Redis 7.4.1 command (no COMMAND INFO entry)']);
  });
});
