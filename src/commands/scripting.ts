/**
 * Scripting commands: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT …, FUNCTION …, FCALL, FCALL_RO.
 * The Lua engine (src/scripting/) runs scripts synchronously; every `redis.call` goes through the
 * ordinary dispatch on the script's own connection, so each write reports its own change (a
 * script replicates as its effects) and EVAL itself reports nothing.
 */
import { defineCommand, defineContainer, type CommandContext, type CommandSpec } from './command.js';
import { byteLength, text, toBuffer, type Bytes } from '../keyspace/bytes.js';
import { parseInt64 } from '../protocol/numbers.js';
import { NOT_INTEGER, ReplyError, subcommandSyntaxError } from '../protocol/errors.js';
import { MapReply, OK, SetReply, StatusReply, type Reply } from '../protocol/reply.js';
import { flagNames, scriptingOf } from '../scripting/engine.js';
import { dumpLibraries, restoreLibraries } from '../scripting/function-dump.js';
import { stringMatch } from '../keyspace/glob.js';

const NOSCRIPT = new ReplyError('NOSCRIPT No matching script. Please use EVAL.');
const NUMKEYS_TOO_MANY = new ReplyError("ERR Number of keys can't be greater than number of args");
const NUMKEYS_NEGATIVE = new ReplyError("ERR Number of keys can't be negative");
const NOTBUSY = new ReplyError('NOTBUSY No scripts in execution right now.');
const FUNCTION_NOT_FOUND = new ReplyError('ERR Function not found');
const BAD_NUMKEYS = new ReplyError('ERR Bad number of keys provided');

/** EVAL-style key finder: `numkeys` at argv[2], the keys after it. */
export function numkeysKeys(argv: readonly Bytes[]): number[] {
  if (argv.length < 3) return [];
  const n = parseInt64(argv[2]);
  if (typeof n !== 'number' || n <= 0 || 3 + n > argv.length) return [];
  const positions: number[] = new Array(n);
  for (let i = 0; i < n; i++) positions[i] = 3 + i;
  return positions;
}

function splitKeys(argv: readonly Bytes[]): { keys: Bytes[]; args: Bytes[] } {
  const n = parseInt64(argv[2]);
  if (n === null) throw NOT_INTEGER;
  if (n > argv.length - 3) throw NUMKEYS_TOO_MANY;
  if (n < 0) throw NUMKEYS_NEGATIVE;
  const count = Number(n);
  return { keys: argv.slice(3, 3 + count), args: argv.slice(3 + count) };
}

const SCRIPT_FLAGS = ['noscript', 'stale', 'skip_monitor', 'no_mandatory_keys', 'movablekeys'] as const;

function evalCommand(name: string, readOnly: boolean, bySha: boolean): CommandSpec {
  return defineCommand({
    name,
    arity: -3,
    flags: readOnly ? ['readonly', ...SCRIPT_FLAGS] : [...SCRIPT_FLAGS],
    keys: numkeysKeys,
    replicatesAsUnit: true,
    exec(ctx: CommandContext, argv: readonly Bytes[]): Reply {
      // EVALSHA refuses a SHA of the wrong length before anything else (evalShaCommand), then
      // numkeys is checked, then the script is looked up (evalGenericCommand).
      if (bySha && byteLength(argv[1]) !== 40) throw NOSCRIPT;
      const { keys, args } = splitKeys(argv);
      const engine = scriptingOf(ctx.cache);
      let sha: string;
      if (bySha) {
        sha = text(argv[1]).toLowerCase();
        if (!engine.hasScript(sha)) throw NOSCRIPT;
      } else sha = engine.loadScript(toBuffer(argv[1]));
      return engine.runScript(sha, keys, args, ctx.client, ctx.shard, readOnly);
    },
  });
}

function fcallCommand(name: string, readOnly: boolean): CommandSpec {
  return defineCommand({
    name,
    arity: -3,
    flags: readOnly ? ['readonly', ...SCRIPT_FLAGS] : [...SCRIPT_FLAGS],
    keys: numkeysKeys,
    replicatesAsUnit: true,
    exec(ctx, argv) {
      // fcallCommandGeneric: the function first, then numkeys (whose parse error has its own text).
      const engine = scriptingOf(ctx.cache);
      const fn = engine.functions.get(text(argv[1]));
      if (fn === undefined) throw FUNCTION_NOT_FOUND;
      if (parseInt64(argv[2]) === null) throw BAD_NUMKEYS;
      const { keys, args } = splitKeys(argv);
      return engine.runFunction(fn, keys, args, ctx.client, ctx.shard, readOnly);
    },
  });
}

function helpReply(command: string, lines: readonly string[]): Reply {
  return [
    new StatusReply(`${command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`),
    ...lines.map((line) => new StatusReply(line)),
    new StatusReply('HELP'),
    new StatusReply('    Print this help.'),
  ];
}

const SCRIPT_HELP = [
  'DEBUG (YES|SYNC|NO)',
  '    Set the debug mode for subsequent scripts executed.',
  'EXISTS <sha1> [<sha1> ...]',
  '    Return information about the existence of the scripts in the script cache.',
  'FLUSH [ASYNC|SYNC]',
  '    Flush the Lua scripts cache. Very dangerous on replicas.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the scripts cache.',
  '    * SYNC: Synchronously flush the scripts cache.',
  'KILL',
  '    Kill the currently executing Lua script.',
  'LOAD <script>',
  '    Load a script into the scripts cache without executing it.',
];

const FUNCTION_HELP = [
  'LOAD [REPLACE] <FUNCTION CODE>',
  '    Create a new library with the given library name and code.',
  'DELETE <LIBRARY NAME>',
  '    Delete the given library.',
  'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
  '    Return general information on all the libraries:',
  '    * Library name',
  '    * The engine used to run the Library',
  '    * Library description',
  '    * Functions list',
  '    * Library code (if WITHCODE is given)',
  '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
  'STATS',
  '    Return information about the current function running:',
  '    * Function name',
  '    * Command used to run the function',
  '    * Duration in MS that the function is running',
  '    If no function is running, return nil',
  '    In addition, returns a list of available engines.',
  'KILL',
  '    Kill the current running function.',
  'FLUSH [ASYNC|SYNC]',
  '    Delete all the libraries.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the libraries.',
  '    * SYNC: Synchronously flush the libraries.',
  'DUMP',
  '    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command',
  'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
  '    Restore the libraries represented by the given payload, it is possible to give a restore policy to',
  '    control how to handle existing libraries (default APPEND):',
  '    * FLUSH: delete all existing libraries.',
  '    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.',
  '    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old',
  '      libraries with the new libraries (notice that even on this option there is a chance of failure',
  '      in case of functions name collision with another library).',
];

function flushMode(argv: readonly Bytes[], error: ReplyError): void {
  if (argv.length === 2) return;
  const mode = text(argv[2]).toLowerCase();
  if (argv.length > 3 || (mode !== 'sync' && mode !== 'async')) throw error;
}

const scriptCommand = defineContainer('script', -2, [], [
  defineCommand({
    name: 'script|load',
    arity: 3,
    flags: ['noscript', 'stale'],
    exec: (ctx, argv) => scriptingOf(ctx.cache).loadScript(toBuffer(argv[2])),
  }),
  defineCommand({
    name: 'script|exists',
    arity: -3,
    flags: ['noscript'],
    exec(ctx, argv) {
      const engine = scriptingOf(ctx.cache);
      return argv.slice(2).map((sha) => (engine.hasScript(text(sha)) ? 1 : 0));
    },
  }),
  defineCommand({
    name: 'script|flush',
    arity: -2,
    flags: ['noscript'],
    exec(ctx, argv) {
      flushMode(argv, new ReplyError('ERR SCRIPT FLUSH only support SYNC|ASYNC option'));
      scriptingOf(ctx.cache).flushScripts();
      return OK;
    },
  }),
  defineCommand({
    name: 'script|kill',
    arity: 2,
    flags: ['noscript', 'allow_busy'],
    exec() {
      throw NOTBUSY;
    },
  }),
  defineCommand({
    name: 'script|help',
    arity: 2,
    flags: ['loading', 'stale'],
    exec: () => helpReply('SCRIPT', SCRIPT_HELP),
  }),
]);

const functionCommand = defineContainer('function', -2, [], [
  defineCommand({
    name: 'function|load',
    arity: -3,
    flags: ['write', 'denyoom', 'noscript'],
    exec(ctx, argv) {
      let replace = false;
      let i = 2;
      for (; i < argv.length - 1; i++) {
        const option = text(argv[i]);
        if (option.toLowerCase() === 'replace') replace = true;
        else throw new ReplyError(`ERR Unknown option given: ${option.split('\0')[0]}`); // %s: up to a NUL
      }
      if (i !== argv.length - 1) throw new ReplyError('ERR Function code is missing');
      return scriptingOf(ctx.cache).loadLibrary(toBuffer(argv[argv.length - 1]), replace);
    },
  }),
  defineCommand({
    name: 'function|delete',
    arity: 3,
    flags: ['write', 'noscript'],
    exec(ctx, argv) {
      const engine = scriptingOf(ctx.cache);
      const library = engine.libraries.get(text(argv[2]));
      if (library === undefined) throw new ReplyError('ERR Library not found');
      engine.dropLibrary(library);
      return OK;
    },
  }),
  defineCommand({
    name: 'function|flush',
    arity: -2,
    flags: ['write', 'noscript'],
    exec(ctx, argv) {
      if (argv.length > 3) throw subcommandSyntaxError(argv);
      flushMode(argv, new ReplyError('ERR FUNCTION FLUSH only supports SYNC|ASYNC option'));
      scriptingOf(ctx.cache).flushFunctions();
      return OK;
    },
  }),
  defineCommand({
    name: 'function|list',
    arity: -2,
    flags: ['noscript'],
    exec(ctx, argv) {
      let withCode = false;
      let pattern: string | null = null;
      for (let i = 2; i < argv.length; i++) {
        const option = text(argv[i]);
        const lower = option.toLowerCase();
        if (lower === 'withcode' && !withCode) withCode = true;
        else if (lower === 'libraryname' && pattern === null) {
          if (i + 1 >= argv.length) throw new ReplyError('ERR library name argument was not given');
          pattern = text(argv[++i]);
        } else throw new ReplyError(`ERR Unknown argument ${option.split('\0')[0]}`); // %s: up to a NUL
      }
      const out: Reply[] = [];
      for (const library of scriptingOf(ctx.cache).libraries.values()) {
        if (pattern !== null && !stringMatch(pattern, library.name)) continue;
        const functions = [...library.functions.values()].map(
          (fn) =>
            new MapReply([
              ['name', fn.name],
              ['description', fn.description],
              ['flags', new SetReply(flagNames(fn.flags).map((f) => new StatusReply(f)))],
            ]),
        );
        const entries: Array<[Reply, Reply]> = [
          ['library_name', library.name],
          ['engine', 'LUA'],
          ['functions', functions],
        ];
        if (withCode) entries.push(['library_code', library.code]);
        out.push(new MapReply(entries));
      }
      return out;
    },
  }),
  defineCommand({
    name: 'function|stats',
    arity: 2,
    flags: ['noscript', 'allow_busy'],
    exec(ctx) {
      const engine = scriptingOf(ctx.cache);
      return new MapReply([
        ['running_script', null],
        [
          'engines',
          new MapReply([
            [
              'LUA',
              new MapReply([
                ['libraries_count', engine.libraries.size],
                ['functions_count', engine.functions.size],
              ]),
            ],
          ]),
        ],
      ]);
    },
  }),
  defineCommand({
    name: 'function|kill',
    arity: 2,
    flags: ['noscript', 'allow_busy'],
    exec() {
      throw NOTBUSY;
    },
  }),
  defineCommand({
    name: 'function|dump',
    arity: 2,
    flags: ['noscript'],
    exec: (ctx) => dumpLibraries(scriptingOf(ctx.cache)),
  }),
  defineCommand({
    name: 'function|restore',
    arity: -3,
    flags: ['write', 'denyoom', 'noscript'],
    exec(ctx, argv) {
      let policy: 'flush' | 'append' | 'replace' = 'append';
      if (argv.length > 4) throw subcommandSyntaxError(argv);
      if (argv.length === 4) {
        const p = text(argv[3]).toLowerCase();
        if (p !== 'flush' && p !== 'append' && p !== 'replace') {
          throw new ReplyError('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
        }
        policy = p;
      }
      restoreLibraries(scriptingOf(ctx.cache), toBuffer(argv[2]), policy);
      return OK;
    },
  }),
  defineCommand({
    name: 'function|help',
    arity: 2,
    flags: ['loading', 'stale'],
    exec: () => helpReply('FUNCTION', FUNCTION_HELP),
  }),
]);

export const scriptingCommands: readonly CommandSpec[] = [
  evalCommand('eval', false, false),
  evalCommand('evalsha', false, true),
  evalCommand('eval_ro', true, false),
  evalCommand('evalsha_ro', true, true),
  fcallCommand('fcall', false),
  fcallCommand('fcall_ro', true),
  scriptCommand,
  functionCommand,
];
