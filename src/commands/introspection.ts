/**
 * COMMAND and its subcommands: what the server says about its commands. Everything comes from
 * Redis 7.4.1's recorded metadata (metadata.ts), limited to the commands this emulator implements
 * (the declarations in `ctx.cache.commands`) — AMR answers `unknown command` for the others, so
 * they are not reported either.
 */
import { defineCommand, defineContainer, type CommandSpec } from './command.js';
import {
  commandMetadata,
  docsEntries,
  hasKeyArguments,
  infoFields,
  keysOf,
  serverPosition,
  subcommandsField,
  type CommandMetadata,
  type FoundKey,
} from './metadata.js';
import { keyPositions } from '../dispatch.js';
import { binary, text, type Bytes } from '../keyspace/bytes.js';
import { stringMatch } from '../keyspace/glob.js';
import type { CacheCore } from '../core-types.js';
import { ReplyError, SYNTAX } from '../protocol/errors.js';
import { MapReply, SetReply, StatusReply, type Reply } from '../protocol/reply.js';

const INVALID_COMMAND = new ReplyError('ERR Invalid command specified');
const NO_KEY_ARGUMENTS = new ReplyError('ERR The command has no key arguments');
const INVALID_ARGUMENT_COUNT = new ReplyError('ERR Invalid number of arguments specified for command');
const INVALID_ARGUMENTS = new ReplyError('ERR Invalid arguments specified for command');

// ---- the implemented commands -----------------------------------------------------------------

interface Implemented {
  /** Top-level declarations: those in the metadata in the server's order, then any others. */
  readonly top: readonly CommandSpec[];
}

const implementedCache = new WeakMap<ReadonlyMap<string, CommandSpec>, Implemented>();

function orderOf(name: string): number {
  return serverPosition(name) ?? Number.MAX_SAFE_INTEGER;
}

function implemented(cache: CacheCore): Implemented {
  let found = implementedCache.get(cache.commands);
  if (found === undefined) {
    const unique = new Set<CommandSpec>(cache.commands.values());
    const top = [...unique].sort((a, b) => orderOf(a.name) - orderOf(b.name) || (a.name < b.name ? -1 : 1));
    found = { top };
    implementedCache.set(cache.commands, found);
  }
  return found;
}

/** A declaration's subcommands, in the server's order (those unknown to the metadata last). */
function subcommandsOf(spec: CommandSpec): CommandSpec[] | undefined {
  if (spec.subcommands === undefined) return undefined;
  const declared = Object.values(spec.subcommands);
  const meta = commandMetadata(spec.name);
  const order = new Map<string, number>();
  meta?.subcommands.forEach((sub, i) => order.set(sub.name, i));
  const rank = (s: CommandSpec): number => order.get(s.name) ?? Number.MAX_SAFE_INTEGER;
  return declared.sort((a, b) => rank(a) - rank(b) || (a.name < b.name ? -1 : 1));
}

/** Redis's lookupCommandBySds: `name` or `container|sub`, case-insensitive. */
function lookupByFullName(cache: CacheCore, fullName: string): CommandSpec | undefined {
  const parts = fullName.split('|');
  if (parts.length > 2) return undefined;
  const base = cache.commands.get(parts[0]) ?? cache.commands.get(parts[0].toLowerCase());
  if (base === undefined || parts.length === 1) return base;
  if (base.subcommands === undefined) return undefined;
  return base.subcommands[parts[1].toLowerCase()];
}

/** Redis's lookupCommand on an argv: the command, or its subcommand when it is a container. */
function lookupByArgv(cache: CacheCore, argv: readonly Bytes[]): CommandSpec | undefined {
  const name = text(argv[0]);
  const base = cache.commands.get(name) ?? cache.commands.get(name.toLowerCase());
  if (base === undefined || base.subcommands === undefined || argv.length === 1) return base;
  return base.subcommands[text(argv[1]).toLowerCase()];
}

// ---- replies -------------------------------------------------------------------------------------

/**
 * The one key spec Redis derives from a module command's legacy key range (moduleCreateCommandProxy):
 * RW, access and update, from `first`, a range to `last` (relative, or negative from the end).
 */
function moduleKeySpec(module: NonNullable<CommandSpec['module']>): MapReply {
  const { firstKey, lastKey, keyStep } = module;
  return new MapReply([
    ['flags', new SetReply(['RW', 'access', 'update'].map((f) => new StatusReply(f)))],
    ['begin_search', new MapReply([['type', 'index'], ['spec', new MapReply([['index', firstKey]])]])],
    [
      'find_keys',
      new MapReply([
        ['type', 'range'],
        ['spec', new MapReply([['lastkey', lastKey < 0 ? lastKey : lastKey - firstKey], ['keystep', keyStep], ['limit', 0]])],
      ]),
    ],
  ]);
}

/** A COMMAND INFO entry for a declaration without recorded metadata (none of Redis's own). */
function synthesizedFields(spec: CommandSpec): Reply[] {
  if (spec.module !== undefined) {
    // As Redis 7.4 reports a module command: no ACL categories, tips or subcommands of its own.
    const m = spec.module;
    return [
      spec.name,
      spec.arity,
      new SetReply(spec.flags.map((f) => new StatusReply(f))),
      m.firstKey,
      m.lastKey,
      m.keyStep,
      new SetReply([]),
      new SetReply([]),
      new SetReply(m.firstKey === 0 ? [] : [moduleKeySpec(m)]),
    ];
  }
  const keys = spec.keys !== undefined && typeof spec.keys !== 'function' ? spec.keys : { first: 0, last: 0, step: 0 };
  return [
    spec.name,
    spec.arity,
    new SetReply(spec.flags.map((f) => new StatusReply(f))),
    keys.first,
    keys.last,
    keys.step,
    new SetReply([]),
    new SetReply([]),
    new SetReply([]),
  ];
}

function infoOf(spec: CommandSpec): Reply {
  const meta = commandMetadata(spec.name);
  const fields = meta !== undefined ? infoFields(meta) : synthesizedFields(spec);
  fields.push(subcommandsField(subcommandsOf(spec)?.map(infoOf)));
  return fields;
}

function docsOf(spec: CommandSpec): MapReply {
  const meta = commandMetadata(spec.name);
  const entries: Array<[Reply, Reply]> =
    meta !== undefined
      ? docsEntries(meta)
      : spec.module !== undefined
        ? [
            ['group', 'module'],
            ['module', spec.module.name],
          ]
        : [['group', 'generic']];
  const subs = subcommandsOf(spec);
  if (subs !== undefined) entries.push(['subcommands', new MapReply(subs.map((sub) => [sub.name, docsOf(sub)]))]);
  return new MapReply(entries);
}

function allInfo(cache: CacheCore): Reply {
  return implemented(cache).top.map(infoOf);
}

// ---- GETKEYS ---------------------------------------------------------------------------------------

function getKeys(cache: CacheCore, argv: readonly Bytes[], withFlags: boolean): Reply {
  const target = argv.slice(2);
  const spec = lookupByArgv(cache, target);
  if (spec === undefined) throw INVALID_COMMAND;
  const meta = commandMetadata(spec.name);
  const hasKeys = meta !== undefined ? hasKeyArguments(meta) : spec.keys !== undefined;
  if (!hasKeys) throw NO_KEY_ARGUMENTS;
  if ((spec.arity > 0 && spec.arity !== target.length) || target.length < -spec.arity) throw INVALID_ARGUMENT_COUNT;

  // What Redis finds (positions, flags, and whether the argv makes sense at all) …
  const found = meta !== undefined ? keysOf(meta, target) : null;
  // … and where the declaration, which routes the command here, finds its keys.
  let positions: number[] | null = null;
  if (spec.keys !== undefined) {
    try {
      positions = keyPositions(spec.keys, target).filter((pos) => pos > 0 && pos < target.length);
    } catch (error) {
      if (!(error instanceof ReplyError)) throw error;
      positions = [];
    }
  }
  let keys: FoundKey[];
  if (found === null) {
    keys = (positions ?? []).map((pos) => ({ pos, flags: defaultFlags(meta) }));
  } else if (positions === null || found.length === 0) {
    keys = found;
  } else {
    const flagsAt = new Map(found.map((key) => [key.pos, key.flags]));
    keys = positions.map((pos) => ({ pos, flags: flagsAt.get(pos) ?? defaultFlags(meta) }));
  }
  if (keys.length === 0) {
    if (spec.flags.includes('no_mandatory_keys')) return [];
    throw INVALID_ARGUMENTS;
  }
  return keys.map(({ pos, flags }) =>
    withFlags ? [target[pos], new SetReply(flags.map((f) => new StatusReply(f)))] : target[pos],
  );
}

function defaultFlags(meta: CommandMetadata | undefined): readonly string[] {
  const spec = meta?.keySpecs.find((s) => !s.flags.includes('not_key'));
  return spec?.flags.filter((f) => f !== 'incomplete' && f !== 'variable_flags') ?? [];
}

// ---- LIST ------------------------------------------------------------------------------------------

type ListFilter = { kind: 'module' | 'aclcat' | 'pattern'; arg: string } | null;

function listed(spec: CommandSpec, filter: ListFilter): boolean {
  if (filter === null) return true;
  if (filter.kind === 'module') return spec.module !== undefined && spec.module.name.toLowerCase() === filter.arg.toLowerCase();
  if (filter.kind === 'pattern') return stringMatch(filter.arg, spec.name, true);
  const category = `@${filter.arg.toLowerCase()}`;
  return commandMetadata(spec.name)?.aclCategories.includes(category) ?? false;
}

/** Full names (`container|sub` for subcommands) of the implemented commands in an ACL category (ACL CAT). */
export function commandsInCategory(cache: CacheCore, category: string): string[] {
  return list(cache, { kind: 'aclcat', arg: category }) as string[];
}

function list(cache: CacheCore, filter: ListFilter): Reply {
  const names: Reply[] = [];
  const visit = (spec: CommandSpec): void => {
    if (listed(spec, filter)) names.push(spec.name);
    for (const sub of subcommandsOf(spec) ?? []) visit(sub);
  };
  for (const spec of implemented(cache).top) visit(spec);
  return names;
}

// ---- declarations ------------------------------------------------------------------------------------

const HELP = [
  'COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  '(no subcommand)',
  '    Return details about all Redis commands.',
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
  'GETKEYSANDFLAGS <full-command>',
  '    Return the keys and the access flags from a full Redis command.',
  'HELP',
  '    Print this help.',
];

const commandCount = defineCommand({
  name: 'command|count',
  arity: 2,
  flags: ['loading', 'stale'],
  exec(ctx) {
    return implemented(ctx.cache).top.length;
  },
});

const commandInfo = defineCommand({
  name: 'command|info',
  arity: -2,
  flags: ['loading', 'stale'],
  exec(ctx, argv) {
    if (argv.length === 2) return allInfo(ctx.cache);
    return argv.slice(2).map((name) => {
      const spec = lookupByFullName(ctx.cache, text(name));
      return spec === undefined ? null : infoOf(spec);
    });
  },
});

const commandDocs = defineCommand({
  name: 'command|docs',
  arity: -2,
  flags: ['loading', 'stale'],
  exec(ctx, argv) {
    const specs =
      argv.length === 2
        ? implemented(ctx.cache).top
        : argv
            .slice(2)
            .map((name) => lookupByFullName(ctx.cache, text(name)))
            .filter((spec): spec is CommandSpec => spec !== undefined);
    return new MapReply(specs.map((spec) => [spec.name, docsOf(spec)]));
  },
});

const commandList = defineCommand({
  name: 'command|list',
  arity: -2,
  flags: ['loading', 'stale'],
  exec(ctx, argv) {
    let filter: ListFilter = null;
    for (let i = 2; i < argv.length; i++) {
      const more = argv.length - 1 - i;
      if (text(argv[i]).toLowerCase() !== 'filterby' || more !== 2) throw SYNTAX;
      const kind = text(argv[i + 1]).toLowerCase();
      if (kind !== 'module' && kind !== 'aclcat' && kind !== 'pattern') throw SYNTAX;
      filter = { kind, arg: kind === 'pattern' ? binary(argv[i + 2]) : text(argv[i + 2]) };
      i += 2;
    }
    return list(ctx.cache, filter);
  },
});

const commandGetKeys = defineCommand({
  name: 'command|getkeys',
  arity: -3,
  flags: ['loading', 'stale'],
  exec(ctx, argv) {
    return getKeys(ctx.cache, argv, false);
  },
});

const commandGetKeysAndFlags = defineCommand({
  name: 'command|getkeysandflags',
  arity: -3,
  flags: ['loading', 'stale'],
  exec(ctx, argv) {
    return getKeys(ctx.cache, argv, true);
  },
});

const commandHelp = defineCommand({
  name: 'command|help',
  arity: 2,
  flags: ['loading', 'stale'],
  exec() {
    return HELP.map((line) => new StatusReply(line));
  },
});

const commandContainer = defineContainer('command', -1, ['loading', 'stale'], [
  commandGetKeysAndFlags,
  commandInfo,
  commandHelp,
  commandCount,
  commandList,
  commandGetKeys,
  commandDocs,
]);

/** COMMAND with no subcommand: the COMMAND INFO of every implemented command. */
const command: CommandSpec = {
  ...commandContainer,
  exec(ctx) {
    return allInfo(ctx.cache);
  },
};

export const introspectionCommands: CommandSpec[] = [command];
