/**
 * ACL users as Redis 7.4 models them (one root selector; AMR's access strings have no `(…)`
 * selectors): the command bitmap with Redis's category expansion over 7.4.1's command table, the
 * first-arg exceptions (`+select|0`), key patterns with read/write permissions (`~p`, `%R~p`,
 * `%W~p`), channel patterns, and the ordered command rules ACL GETUSER / LIST describe.
 *
 * Semantics follow `ACLSetSelector` and `ACLSelectorCheckCmd` in Redis's src/acl.c.
 */
import { allCommandMetadata, keysOf, hasKeyArguments, commandMetadata, type CommandMetadata } from '../commands/metadata.js';
import { stringMatch } from '../keyspace/glob.js';
import { keyName, type Bytes } from '../keyspace/bytes.js';
import type { CommandSpec } from '../commands/command.js';
import { ReplyError } from '../protocol/errors.js';

/** One key pattern and what it grants (`~p` both, `%R~p` read, `%W~p` write). */
export interface KeyPattern {
  readonly pattern: string;
  read: boolean;
  write: boolean;
}

/** An ACL user (a Microsoft Entra principal on AMR), built from its access string. */
export interface AclUser {
  /** The user name: the principal's object ID. */
  readonly name: string;
  /** The access string it was built from, as given. */
  readonly accessString: string;
  /** SELECTOR_FLAG_ALLCOMMANDS: every command, no bitmap lookups. */
  allCommands: boolean;
  /** Redis's reserved bit: the rules started from `+@all` (they describe as `+@all …`). */
  futureCommands: boolean;
  /** Full names (`get`, `client|id`) of the allowed commands. */
  readonly allowed: Set<string>;
  /** Allowed first arguments of otherwise denied commands (`+select|0`), lower case. */
  readonly firstArgs: Map<string, string[]>;
  /** The command and category rules in Redis's kept order (`+@read`, `-hget`, `+client|id`). */
  commandRules: string[];
  allKeys: boolean;
  readonly keyPatterns: KeyPattern[];
  allChannels: boolean;
  readonly channels: string[];
}

/** Why a command is refused. */
export interface AclDenial {
  readonly kind: 'command' | 'key' | 'channel';
  /** The argv position of the key or channel refused (0 for the command). */
  readonly pos: number;
}

// ---- the command table the rules apply to (7.4.1's, including commands AMR blocks) --------------

let table: Map<string, CommandMetadata> | null = null;

function commandTable(): Map<string, CommandMetadata> {
  if (table !== null) return table;
  table = new Map();
  for (const meta of allCommandMetadata()) {
    table.set(meta.name, meta);
    for (const sub of meta.subcommands) table.set(sub.name, sub);
  }
  return table;
}

/** Redis's lookupCommandBySds: `name` or `container|sub`, case-insensitive. */
function lookup(name: string): CommandMetadata | undefined {
  const parts = name.toLowerCase().split('|');
  if (parts.length > 2) return undefined;
  const top = commandTable().get(parts[0]);
  if (top === undefined || top.container !== undefined) return undefined;
  if (parts.length === 1) return top;
  return top.subcommands.find((sub) => sub.name === `${parts[0]}|${parts[1]}`);
}

const CATEGORIES = new Set([
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo', 'stream',
  'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting',
]);

// ---- building a user ------------------------------------------------------------------------------

/** A rule Redis refuses, with ACL SETUSER's wording. */
export class AccessStringError extends Error {}

const ERRORS = {
  ENOENT: 'Unknown command or category name in ACL',
  EINVAL: 'Syntax error',
  EEXIST:
    "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns",
  EISDIR:
    "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels",
  ECHILD: 'Allowing first-arg of a subcommand is not supported',
} as const;

function fail(op: string, code: keyof typeof ERRORS): never {
  throw new AccessStringError(`Error in ACL SETUSER modifier '${op}': ${ERRORS[code]}`);
}

/**
 * Builds a user from an access string (`+@read ~cache:* &*`), applying each rule in order as
 * `ACL SETUSER` does to a fresh user (no commands, keys or channels: acl-pubsub-default is
 * `resetchannels`). Throws {@link AccessStringError} with Redis's message for a rule it refuses.
 */
export function parseAccessString(name: string, accessString: string): AclUser {
  const user: AclUser = {
    name,
    accessString,
    allCommands: false,
    futureCommands: false,
    allowed: new Set(),
    firstArgs: new Map(),
    commandRules: [],
    allKeys: false,
    keyPatterns: [],
    allChannels: false,
    channels: [],
  };
  for (const op of accessString.split(/\s+/)) if (op !== '') applyRule(user, op);
  return user;
}

function hasSpaces(text: string): boolean {
  return /[\s\0]/.test(text);
}

function applyRule(user: AclUser, op: string): void {
  const lower = op.toLowerCase();
  if (lower === 'allkeys' || lower === '~*') {
    user.allKeys = true;
    user.keyPatterns.length = 0;
  } else if (lower === 'resetkeys') {
    user.allKeys = false;
    user.keyPatterns.length = 0;
  } else if (lower === 'allchannels' || lower === '&*') {
    user.allChannels = true;
    user.channels.length = 0;
  } else if (lower === 'resetchannels') {
    user.allChannels = false;
    user.channels.length = 0;
  } else if (lower === 'allcommands' || lower === '+@all') {
    user.allCommands = true;
    user.futureCommands = true;
    for (const fullName of commandTable().keys()) user.allowed.add(fullName);
    user.commandRules = [];
    user.firstArgs.clear();
  } else if (lower === 'nocommands' || lower === '-@all') {
    user.allCommands = false;
    user.futureCommands = false;
    user.allowed.clear();
    user.commandRules = [];
    user.firstArgs.clear();
  } else if (op[0] === '~' || op[0] === '%') {
    addKeyPattern(user, op);
  } else if (op[0] === '&') {
    if (user.allChannels) fail(op, 'EISDIR');
    const pattern = op.slice(1);
    if (hasSpaces(pattern)) fail(op, 'EINVAL');
    if (!user.channels.includes(pattern)) user.channels.push(pattern);
  } else if ((op[0] === '+' || op[0] === '-') && op[1] === '@') {
    const category = lower.slice(2);
    if (!CATEGORIES.has(category)) fail(op, 'ENOENT');
    const allow = op[0] === '+';
    updateRules(user, lower.slice(1), allow);
    for (const meta of allCommandMetadata()) applyCategory(user, meta, `@${category}`, allow);
  } else if (op[0] === '+') {
    allowCommand(user, op);
  } else if (op[0] === '-') {
    const meta = lookup(op.slice(1));
    if (meta === undefined) fail(op, 'ENOENT');
    changePermission(user, meta, false);
    updateRules(user, meta.name, false);
  } else {
    fail(op, 'EINVAL');
  }
}

function addKeyPattern(user: AclUser, op: string): void {
  if (user.allKeys) fail(op, 'EEXIST');
  let read = true;
  let write = true;
  let offset = 1;
  if (op[0] === '%') {
    read = write = false;
    for (; offset < op.length; offset++) {
      const c = op[offset].toUpperCase();
      if (c === 'R' && !read) read = true;
      else if (c === 'W' && !write) write = true;
      else if (op[offset] === '~' && (read || write)) {
        offset++;
        break;
      } else fail(op, 'EINVAL');
    }
  }
  const pattern = op.slice(offset);
  if (hasSpaces(pattern)) fail(op, 'EINVAL');
  const existing = user.keyPatterns.find((p) => p.pattern === pattern);
  if (existing === undefined) user.keyPatterns.push({ pattern, read, write });
  else {
    existing.read ||= read;
    existing.write ||= write;
  }
}

/** `+cmd`, `+container|sub`, or `+cmd|firstarg` (the deprecated first-arg form). */
function allowCommand(user: AclUser, op: string): void {
  const body = op.slice(1);
  const bar = body.lastIndexOf('|');
  if (bar === -1) {
    const meta = lookup(body);
    if (meta === undefined) fail(op, 'ENOENT');
    changePermission(user, meta, true);
    updateRules(user, meta.name, true);
    return;
  }
  const meta = lookup(body.slice(0, bar));
  if (meta === undefined) fail(op, 'ENOENT');
  if (meta.container !== undefined) fail(op, 'ECHILD');
  const sub = body.slice(bar + 1);
  if (sub === '') fail(op, 'EINVAL');
  if (meta.subcommands.length > 0) {
    const subMeta = lookup(body);
    if (subMeta === undefined) fail(op, 'ENOENT');
    changePermission(user, subMeta, true);
  } else {
    const list = user.firstArgs.get(meta.name) ?? [];
    if (!list.some((arg) => arg === sub.toLowerCase())) list.push(sub.toLowerCase());
    user.firstArgs.set(meta.name, list);
  }
  updateRules(user, body, true);
}

/** ACLChangeSelectorPerm: a command's bit (and its subcommands'), dropping its first-args. */
function changePermission(user: AclUser, meta: CommandMetadata, allow: boolean): void {
  setBit(user, meta.name, allow);
  user.firstArgs.delete(meta.name);
  for (const sub of meta.subcommands) setBit(user, sub.name, allow);
}

function setBit(user: AclUser, name: string, allow: boolean): void {
  if (allow) user.allowed.add(name);
  else {
    user.allowed.delete(name);
    user.allCommands = false;
  }
}

function applyCategory(user: AclUser, meta: CommandMetadata, category: string, allow: boolean): void {
  if (meta.aclCategories.includes(category)) changePermission(user, meta, allow);
  for (const sub of meta.subcommands) applyCategory(user, sub, category, allow);
}

/**
 * ACLUpdateCommandRules: drop an earlier rule for the same command (or one of its subcommands),
 * then append this one, so the description replays to the same bitmap.
 */
function updateRules(user: AclUser, rule: string, allow: boolean): void {
  const name = rule.toLowerCase();
  user.commandRules = user.commandRules.filter((existing) => {
    const body = existing.slice(1);
    return !(body === name || body.startsWith(`${name}|`));
  });
  user.commandRules.push(`${allow ? '+' : '-'}${name}`);
}

// ---- describing a user ----------------------------------------------------------------------------

/** The command rules as ACL GETUSER shows them: `+@all` / `-@all`, then the kept rules. */
export function describeCommands(user: AclUser): string {
  return [user.futureCommands ? '+@all' : '-@all', ...user.commandRules].join(' ');
}

function describePattern(p: KeyPattern): string {
  return `${p.read && p.write ? '~' : p.read ? '%R~' : '%W~'}${p.pattern}`;
}

/** The key patterns as ACL GETUSER's `keys` field shows them. */
export function describeKeys(user: AclUser): string {
  return user.allKeys ? '~*' : user.keyPatterns.map(describePattern).join(' ');
}

/** The channel patterns as ACL GETUSER's `channels` field shows them. */
export function describeChannels(user: AclUser): string {
  return user.allChannels ? '&*' : user.channels.map((c) => `&${c}`).join(' ');
}

/** The selector part of an ACL LIST line (keys, channels, commands), as ACLDescribeSelector writes it. */
export function describeSelector(user: AclUser): string {
  let out = user.allKeys ? '~* ' : user.keyPatterns.map((p) => `${describePattern(p)} `).join('');
  out += user.allChannels ? '&* ' : `resetchannels ${user.channels.map((c) => `&${c} `).join('')}`;
  return out + describeCommands(user);
}

// ---- checking a command ---------------------------------------------------------------------------

/** The channel arguments Redis's getChannelsFromCommand finds (publish/subscribe ones only). */
const CHANNEL_COMMANDS: Record<string, { first: number; all: boolean; pattern: boolean }> = {
  publish: { first: 1, all: false, pattern: false },
  spublish: { first: 1, all: false, pattern: false },
  subscribe: { first: 1, all: true, pattern: false },
  ssubscribe: { first: 1, all: true, pattern: false },
  psubscribe: { first: 1, all: true, pattern: true },
};

function text(arg: Bytes): string {
  return typeof arg === 'string' ? arg : arg.toString('latin1');
}

/**
 * ACLSelectorCheckCmd: null when `user` may run this command with these arguments, else why not
 * (the command, the first key, or the first channel refused).
 */
export function checkCommand(user: AclUser, spec: CommandSpec, argv: readonly Bytes[]): AclDenial | null {
  const name = spec.name;
  if (!user.allCommands && !spec.flags.includes('no_auth') && !user.allowed.has(name)) {
    const firstArgs = user.firstArgs.get(name);
    const idx = name.includes('|') ? 2 : 1;
    if (firstArgs === undefined || argv.length < 2 || !firstArgs.includes(text(argv[idx]).toLowerCase())) {
      return { kind: 'command', pos: 0 };
    }
  }
  if (!user.allKeys) {
    const meta = commandMetadata(name);
    if (meta !== undefined && (hasKeyArguments(meta) || meta.flags.includes('movablekeys'))) {
      for (const key of keysOf(meta, argv) ?? []) {
        if (!keyAllowed(user, keyName(argv[key.pos]), key.flags)) return { kind: 'key', pos: key.pos };
      }
    }
  }
  if (!user.allChannels) {
    const channels = CHANNEL_COMMANDS[name];
    if (channels !== undefined) {
      const last = channels.all ? argv.length - 1 : channels.first;
      for (let pos = channels.first; pos <= last && pos < argv.length; pos++) {
        if (!channelAllowed(user, text(argv[pos]), channels.pattern)) return { kind: 'channel', pos };
      }
    }
  }
  return null;
}

/** ACLSelectorCheckKey: the key spec's access/insert/delete/update flags say what is needed. */
function keyAllowed(user: AclUser, key: string, flags: readonly string[]): boolean {
  const read = flags.includes('access');
  const write = flags.includes('insert') || flags.includes('delete') || flags.includes('update');
  for (const p of user.keyPatterns) {
    if ((read && !p.read) || (write && !p.write)) continue;
    if (stringMatch(p.pattern, key)) return true;
  }
  return false;
}

/** A PSUBSCRIBE pattern must equal an ACL pattern literally; a channel is matched against them. */
function channelAllowed(user: AclUser, channel: string, isPattern: boolean): boolean {
  return user.channels.some((p) => (isPattern ? p === channel : stringMatch(p, channel)));
}

/**
 * Redis 7.4's getAclErrorMessage: the text of a denial. `verbose` (ACL DRYRUN, scripts) names the
 * key or channel; the short form is what a refused command answers after `NOPERM `.
 */
export function denialMessage(user: AclUser, spec: CommandSpec, argv: readonly Bytes[], denial: AclDenial, verbose: boolean): string {
  if (denial.kind === 'command') return `User ${user.name} has no permissions to run the '${spec.name}' command`;
  const subject = text(argv[denial.pos]);
  if (denial.kind === 'key') return verbose ? `User ${user.name} has no permissions to access the '${subject}' key` : 'No permissions to access a key';
  return verbose ? `User ${user.name} has no permissions to access the '${subject}' channel` : 'No permissions to access a channel';
}

/** Throws the NOPERM error a refused command answers (the one check dispatch makes for non-default users). */
export function assertPermitted(user: AclUser, spec: CommandSpec, argv: readonly Bytes[]): void {
  const denial = checkCommand(user, spec, argv);
  if (denial !== null) throw new ReplyError(`NOPERM ${denialMessage(user, spec, argv, denial, false)}`);
}
