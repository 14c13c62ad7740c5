/**
 * ACL, as Azure Managed Redis serves it: the `default` user, whose password is the access key
 * (the `accessKey` option; without it the user has none, `nopass`), and one user per Microsoft
 * Entra principal (the `entra` option, src/entra.ts) with its access string. The read-only
 * subcommands answer from those; the ones that manage users or files (SETUSER, DELUSER, GENPASS,
 * LOAD, SAVE, LOG) are blocked on AMR (users are managed through Azure) and answer Redis's
 * unknown-command error for the whole call.
 */
import { createHash } from 'node:crypto';
import { defineCommand, defineContainer, type CommandFlag, type CommandSpec } from './command.js';
import { text, type Bytes } from '../keyspace/bytes.js';
import { ReplyError, unknownCommand, wrongArity } from '../protocol/errors.js';
import { MapReply, OK, StatusReply, type Reply } from '../protocol/reply.js';
import type { CacheCore } from '../core-types.js';
import { commandsInCategory } from './introspection.js';
import { checkCommand, denialMessage, describeChannels, describeCommands, describeKeys, describeSelector, type AclUser } from '../acl/user.js';

/** Redis 7.4's ACL categories, in the order ACL CAT lists them. */
const CATEGORIES = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo', 'stream',
  'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting',
];

const HELP = [
  'ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CAT [<category>]',
  '    List all commands that belong to <category>, or all command categories',
  '    when no category is specified.',
  'DELUSER <username> [<username> ...]',
  '    Delete a list of users.',
  'DRYRUN <username> <command> [<arg> ...]',
  '    Returns whether the user can execute the given command without executing the command.',
  'GETUSER <username>',
  "    Get the user's details.",
  'GENPASS [<bits>]',
  '    Generate a secure 256-bit user password. The optional `bits` argument can',
  '    be used to specify a different size.',
  'LIST',
  '    Show users details in config file format.',
  'LOAD',
  '    Reload users from the ACL file.',
  'LOG [<count> | RESET]',
  '    Show the ACL log entries.',
  'SAVE',
  '    Save the current config to the ACL file.',
  'SETUSER <username> <attribute> [<attribute> ...]',
  '    Create or modify a user with the specified attributes.',
  'USERS',
  '    List all the registered usernames.',
  'WHOAMI',
  '    Return the current connection username.',
  'HELP',
  '    Print this help.',
];

/** The `default` user's password as ACL shows it: the SHA-256 of the access key, or none. */
function passwordHashes(cache: CacheCore): string[] {
  return cache.accessKey === null ? [] : [createHash('sha256').update(cache.accessKey).digest('hex')];
}

/**
 * The `default` user's flags: `on nopass` on an open cache, `on` with the access key, `off` when
 * only Entra authenticates (access keys disabled: nobody can AUTH as default).
 */
function defaultFlags(cache: CacheCore): string[] {
  if (cache.accessKey !== null) return ['on'];
  return cache.entra === null ? ['on', 'nopass'] : ['off'];
}

/** Every user name, in Redis's order (the users radix tree: byte order). */
function userNames(cache: CacheCore): string[] {
  const names = ['default', ...(cache.entra?.principals ?? [])];
  return names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** An Entra principal's user, or undefined (`default` and unknown names). */
function entraUser(cache: CacheCore, name: string): AclUser | undefined {
  return cache.entra?.user(name);
}

function sub(name: string, arity: number, flags: readonly CommandFlag[], exec: CommandSpec['exec']): CommandSpec {
  return defineCommand({ name: `acl|${name}`, arity, flags, exec });
}

/** A subcommand AMR blocks: the unknown-command error for the whole call. */
function blocked(name: string, arity: number, flags: readonly CommandFlag[]): CommandSpec {
  return sub(name, arity, flags, (_ctx, argv) => {
    throw unknownCommand(text(argv[0]), argv.slice(1).map(String));
  });
}

const ADMIN: readonly CommandFlag[] = ['admin', 'noscript', 'loading', 'stale'];
const PLAIN: readonly CommandFlag[] = ['noscript', 'loading', 'stale'];

const cat = sub('cat', -2, PLAIN, (ctx, argv) => {
  if (argv.length > 3) throw new ReplyError("ERR unknown subcommand or wrong number of arguments for 'CAT'. Try ACL HELP.");
  if (argv.length === 2) return CATEGORIES.slice();
  const category = text(argv[2]);
  if (!CATEGORIES.includes(category.toLowerCase())) throw new ReplyError(`ERR Unknown category '${category}'`);
  return commandsInCategory(ctx.cache, category);
});

const dryrun = sub('dryrun', -4, ADMIN, (ctx, argv) => {
  const name = text(argv[2]);
  const user = entraUser(ctx.cache, name);
  if (user === undefined && name !== 'default') throw new ReplyError(`ERR User '${name}' not found`);
  const commandArgv: Bytes[] = argv.slice(3);
  const commandName = text(commandArgv[0]);
  let spec = ctx.cache.commands.get(commandName) ?? ctx.cache.commands.get(commandName.toLowerCase());
  if (spec !== undefined && spec.subcommands !== undefined && commandArgv.length > 1) {
    spec = spec.subcommands[text(commandArgv[1]).toLowerCase()];
  }
  if (spec === undefined) throw new ReplyError(`ERR Command '${commandName}' not found`);
  if ((spec.arity > 0 && commandArgv.length !== spec.arity) || commandArgv.length < -spec.arity) throw wrongArity(spec.name);
  // The default user may run every command (+@all ~* &*).
  if (user === undefined) return OK;
  const denial = checkCommand(user, spec, commandArgv);
  return denial === null ? OK : denialMessage(user, spec, commandArgv, denial, true);
});

const getuser = sub('getuser', 3, ADMIN, (ctx, argv) => {
  const name = text(argv[2]);
  const user = entraUser(ctx.cache, name);
  if (user !== undefined) {
    // An Entra principal has no Redis password: the token is checked by Entra, not by ACL.
    return new MapReply([
      ['flags', ['on']],
      ['passwords', []],
      ['commands', describeCommands(user)],
      ['keys', describeKeys(user)],
      ['channels', describeChannels(user)],
      ['selectors', []],
    ]);
  }
  if (name !== 'default') return null;
  return new MapReply([
    ['flags', defaultFlags(ctx.cache)],
    ['passwords', passwordHashes(ctx.cache)],
    ['commands', '+@all'],
    ['keys', '~*'],
    ['channels', '&*'],
    ['selectors', []],
  ]);
});

const list = sub('list', 2, ADMIN, (ctx) =>
  userNames(ctx.cache).map((name) => {
    const user = entraUser(ctx.cache, name);
    if (user !== undefined) return `user ${name} on ${describeSelector(user)}`;
    const passwords = passwordHashes(ctx.cache).map((hash) => `#${hash} `).join('');
    return `user default ${defaultFlags(ctx.cache).join(' ')} ${passwords}~* &* +@all`;
  }),
);

const users = sub('users', 2, ADMIN, (ctx) => userNames(ctx.cache));

const whoami = sub('whoami', 2, PLAIN, (ctx) => ctx.client.user?.name ?? 'default');

const help = sub('help', 2, ['loading', 'stale'], () => HELP.map((line) => new StatusReply(line)) as Reply[]);

const acl = defineContainer('acl', -2, [], [
  cat,
  dryrun,
  getuser,
  list,
  users,
  whoami,
  help,
  blocked('deluser', -3, ADMIN),
  blocked('genpass', -2, PLAIN),
  blocked('load', 2, ADMIN),
  blocked('log', -2, ADMIN),
  blocked('save', 2, ADMIN),
  blocked('setuser', -3, ADMIN),
]);

export const aclCommands: readonly CommandSpec[] = [acl];
