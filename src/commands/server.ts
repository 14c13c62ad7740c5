/**
 * Connection and server commands: PING, ECHO, TIME, QUIT, HELLO, INFO, CONFIG …, CLIENT ….
 *
 * AMR decisions (docs/config.md): SELECT and RESET are not declared, so they answer `ERR unknown
 * command` as AMR's blocked commands do; CONFIG RESETSTAT and CLIENT NO-EVICT / PAUSE / UNPAUSE /
 * GETREDIR are not declared either (`ERR unknown subcommand …`). CONFIG GET/SET see only the
 * settings AMR exposes; anything else is `ERR Unsupported CONFIG parameter: <name>`.
 */
import { moduleList } from '../modules.js';
import { defineCommand, defineContainer, type CommandFlag, type CommandSpec } from './command.js';
import { text, toBuffer, type Bytes } from '../keyspace/bytes.js';
import { parseInt64 } from '../protocol/numbers.js';
import { ReplyError, SYNTAX, WRONGPASS, unknownCommand, wrongArity } from '../protocol/errors.js';
import { MapReply, OK, PONG, StatusReply, VerbatimReply, type Reply } from '../protocol/reply.js';
import { ConfigValueError } from '../config.js';
import { infoText, REDIS_VERSION, IDLE_CLIENT_BYTES, type OptionalClientState } from '../info.js';
import type { CacheCore, ClientState } from '../core-types.js';
import { blockedArgv, unblockClient } from '../blocking.js';
import { keyName } from '../keyspace/bytes.js';
import { valueBytes } from '../keyspace/keyspace.js';
import { keyBytes } from '../keyspace/memory.js';
import { clientTrackingCommands } from './client-tracking.js';

// ---------------------------------------------------------------------------------------------
// Errors (texts of Redis 7.4 unless marked AMR)

const NOPROTO = new ReplyError('NOPROTO unsupported protocol version');
const PROTO_NOT_INT = new ReplyError('ERR Protocol version is not an integer or out of range');
const BAD_CLIENT_NAME = new ReplyError('ERR Client names cannot contain spaces, newlines or special characters.');
const INVALID_CLIENT_ID = new ReplyError('ERR Invalid client ID');
const CLIENT_ID_POSITIVE = new ReplyError('ERR client-id should be greater than 0');
const NO_SUCH_CLIENT = new ReplyError('ERR No such client');
const MAXAGE_NOT_INT = new ReplyError('ERR maxage is not an integer or out of range');
const MAXAGE_POSITIVE = new ReplyError('ERR maxage should be greater than 0');

/** AMR (RS proxy): a setting outside the RS-CFG list, for CONFIG GET and CONFIG SET alike. */
function unsupportedConfig(name: string): ReplyError {
  return new ReplyError(`ERR Unsupported CONFIG parameter: ${name}`);
}

/** A subcommand container's HELP reply: the header, the lines, then HELP itself (addReplyHelp). */
export function helpReply(command: string, lines: readonly string[]): Reply {
  return [
    new StatusReply(`${command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`),
    ...lines.map((line) => new StatusReply(line)),
    new StatusReply('HELP'),
    new StatusReply('    Print this help.'),
  ];
}

/** Case-insensitive comparison of an argument with an ASCII option name (lower case). */
function is(arg: Bytes, option: string): boolean {
  return text(arg).toLowerCase() === option;
}

/**
 * Redis's rule for client names and CLIENT SETINFO values: every byte between `!` and `~`
 * (so no spaces, newlines or non-ASCII), which keeps CLIENT LIST splittable on spaces.
 */
function validClientAttr(value: Bytes): boolean {
  const bytes = toBuffer(value);
  for (const b of bytes) if (b < 0x21 || b > 0x7e) return false;
  return true;
}

function modeOf(cache: CacheCore): string {
  return cache.policy === 'OSS' ? 'cluster' : 'standalone';
}

/**
 * Redis's glob (`stringmatchlen`) for CONFIG GET patterns: `*`, `?`, `[set]` with `^` and
 * ranges, `\\` escapes; `nocase` folds ASCII letters. Setting names are short ASCII.
 */
export function configNameMatch(pattern: string, name: string, nocase = true): boolean {
  const fold = (c: string): string => (nocase ? c.toLowerCase() : c);
  const match = (p: number, n: number): boolean => {
    while (p < pattern.length) {
      const c = pattern[p];
      if (c === '*') {
        while (pattern[p + 1] === '*') p++;
        if (p + 1 === pattern.length) return true;
        for (let k = n; k <= name.length; k++) if (match(p + 1, k)) return true;
        return false;
      }
      if (n >= name.length) return false;
      if (c === '?') {
        p++;
        n++;
        continue;
      }
      if (c === '[') {
        let q = p + 1;
        const negate = pattern[q] === '^';
        if (negate) q++;
        let found = false;
        const ch = fold(name[n]);
        while (q < pattern.length && pattern[q] !== ']') {
          if (pattern[q] === '\\' && q + 1 < pattern.length) {
            q++;
            if (fold(pattern[q]) === ch) found = true;
            q++;
          } else if (pattern[q + 1] === '-' && q + 2 < pattern.length && pattern[q + 2] !== ']') {
            let lo = fold(pattern[q]);
            let hi = fold(pattern[q + 2]);
            if (lo > hi) [lo, hi] = [hi, lo];
            if (ch >= lo && ch <= hi) found = true;
            q += 3;
          } else {
            if (fold(pattern[q]) === ch) found = true;
            q++;
          }
        }
        if (found === negate) return false;
        p = q + 1;
        n++;
        continue;
      }
      const literal = c === '\\' && p + 1 < pattern.length ? pattern[++p] : c;
      if (fold(literal) !== fold(name[n])) return false;
      p++;
      n++;
    }
    return n === name.length;
  };
  return match(0, 0);
}

// ---------------------------------------------------------------------------------------------
// PING ECHO TIME QUIT HELLO INFO

const ping = defineCommand({
  name: 'ping',
  arity: -1,
  flags: ['fast'],
  exec(ctx, argv) {
    if (argv.length > 2) throw wrongArity('ping');
    // A RESP2 subscriber gets `["pong", message]` (src/pubsub.ts).
    if (ctx.client.subscriptions > 0 && ctx.client.resp === 2) return ['pong', argv.length === 2 ? argv[1] : ''];
    return argv.length === 2 ? argv[1] : PONG;
  },
});

const echo = defineCommand({
  name: 'echo',
  arity: 2,
  flags: ['loading', 'stale', 'fast'],
  exec(_ctx, argv) {
    return argv[1];
  },
});

const time = defineCommand({
  name: 'time',
  arity: 1,
  flags: ['loading', 'stale', 'fast'],
  exec(ctx) {
    const ms = Math.floor(ctx.now);
    return [String(Math.floor(ms / 1000)), String((ms % 1000) * 1000)];
  },
});

/** QUIT answers OK; the facade closes the connection after the reply. */
const quit = defineCommand({
  name: 'quit',
  arity: -1,
  flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'],
  exec() {
    return OK;
  },
});

/**
 * Checks credentials: an Entra principal's token (src/entra.ts), or the access key (the `default`
 * user's password on AMR). A cache with neither accepts any credentials as `default`. A refused
 * AUTH leaves the connection as it was.
 */
function authenticate(ctx: { cache: CacheCore; client: ClientState }, username: Bytes, password: Bytes): void {
  const { cache, client } = ctx;
  const entra = cache.entra;
  const user = text(username);
  if (entra !== null && entra.authenticate(client, user, text(password))) return;
  const key = cache.accessKey;
  if (key === null ? entra !== null : user !== 'default' || text(password) !== key) throw WRONGPASS;
  entra?.endSession(client);
  client.user = null;
  client.authenticated = true;
}

/** AUTH [username] password. */
const auth = defineCommand({
  name: 'auth',
  arity: -2,
  flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'],
  exec(ctx, argv) {
    if (argv.length > 3) throw SYNTAX;
    if (argv.length === 2) authenticate(ctx, 'default', argv[1]);
    else authenticate(ctx, argv[1], argv[2]);
    return OK;
  },
});

const HELLO_NOAUTH = new ReplyError(
  'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
);

const hello = defineCommand({
  name: 'hello',
  arity: -1,
  flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'],
  exec(ctx, argv) {
    let version = 0;
    let next = 1;
    if (argv.length >= 2) {
      const parsed = parseInt64(argv[1]);
      if (parsed === null) throw PROTO_NOT_INT;
      if (parsed < 2 || parsed > 3) throw NOPROTO;
      version = Number(parsed);
      next = 2;
    }
    let name: Bytes | undefined;
    let credentials: [Bytes, Bytes] | undefined;
    for (let j = next; j < argv.length; j++) {
      const more = argv.length - 1 - j;
      const option = text(argv[j]);
      const lower = option.toLowerCase();
      if (lower === 'auth' && more >= 2) {
        credentials = [argv[j + 1], argv[j + 2]];
        j += 2;
      } else if (lower === 'setname' && more >= 1) {
        name = argv[j + 1];
        if (!validClientAttr(name)) throw BAD_CLIENT_NAME;
        j += 1;
      } else {
        throw new ReplyError(`ERR Syntax error in HELLO option '${option}'`);
      }
    }
    const client = ctx.client;
    // Credentials are checked before anything changes (helloCommand).
    if (credentials !== undefined) authenticate(ctx, credentials[0], credentials[1]);
    else if (!client.authenticated) throw HELLO_NOAUTH;
    if (name !== undefined) client.name = name.length === 0 ? null : text(name);
    if (version !== 0) client.resp = version as 2 | 3;
    return new MapReply([
      ['server', 'redis'],
      ['version', REDIS_VERSION],
      ['proto', client.resp],
      ['id', client.id],
      ['mode', modeOf(ctx.cache)],
      ['role', 'master'],
      ['modules', moduleList(ctx.cache.modules)],
    ]);
  },
});

const info = defineCommand({
  name: 'info',
  arity: -1,
  flags: ['loading', 'stale'],
  exec(ctx, argv) {
    return new VerbatimReply('txt', infoText(ctx, argv.slice(1).map(text)));
  },
});

// ---------------------------------------------------------------------------------------------
// CONFIG

const CONFIG_HELP = [
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
];

const configGet = defineCommand({
  name: 'config|get',
  arity: -3,
  flags: ['admin', 'noscript', 'loading', 'stale'],
  exec(ctx, argv) {
    const settings = ctx.cache.settings;
    // Reply key (lower case, for de-duplication) → [name as reported, canonical setting].
    const matches = new Map<string, [string, string]>();
    for (let i = 2; i < argv.length; i++) {
      const pattern = text(argv[i]);
      if (!/[[*?]/.test(pattern)) {
        const key = pattern.toLowerCase();
        if (matches.has(key)) continue;
        const canonical = settings.canonical(pattern);
        if (canonical === undefined || !settings.visible(canonical)) {
          if (settings.exposeAll) continue; // Redis: an unknown name is simply not in the reply
          throw unsupportedConfig(pattern);
        }
        matches.set(key, [pattern, canonical]);
        continue;
      }
      for (const [name, canonical] of settings.registeredNames()) {
        if (!settings.visible(canonical) || matches.has(name)) continue;
        if (configNameMatch(pattern, name)) matches.set(name, [name, canonical]);
      }
    }
    const entries: Array<[Reply, Reply]> = [];
    for (const [name, canonical] of matches.values()) entries.push([name, settings.get(canonical) ?? '']);
    return new MapReply(entries);
  },
});

const configSet = defineCommand({
  name: 'config|set',
  arity: -4,
  flags: ['admin', 'noscript', 'loading', 'stale'],
  exec(ctx, argv) {
    if (argv.length % 2 !== 0) throw SYNTAX;
    const settings = ctx.cache.settings;
    const names: string[] = [];
    const canonicals: string[] = [];
    // Names first: the first bad name (unknown, immutable, repeated) is the error.
    for (let i = 2; i < argv.length; i += 2) {
      const name = text(argv[i]);
      const canonical = settings.canonical(name);
      if (canonical === undefined || !settings.visible(canonical)) {
        if (settings.exposeAll) {
          throw new ReplyError(`ERR Unknown option or number of arguments for CONFIG SET - '${name}'`);
        }
        throw unsupportedConfig(name);
      }
      if (settings.def(canonical)!.immutable) {
        throw new ReplyError(`ERR CONFIG SET failed (possibly related to argument '${name}') - can't set immutable config`);
      }
      const registered = name.toLowerCase();
      if (names.includes(registered)) {
        throw new ReplyError(`ERR CONFIG SET failed (possibly related to argument '${name}') - duplicate parameter`);
      }
      names.push(registered);
      canonicals.push(canonical);
    }
    // Then values, all before anything changes.
    const values: string[] = [];
    for (let k = 0; k < names.length; k++) {
      try {
        values.push(settings.normalise(canonicals[k], text(argv[3 + 2 * k])));
      } catch (error) {
        if (!(error instanceof ConfigValueError)) throw error;
        throw new ReplyError(`ERR CONFIG SET failed (possibly related to argument '${names[k]}') - ${error.message}`);
      }
    }
    for (let k = 0; k < names.length; k++) settings.setInternal(canonicals[k], values[k]);
    return OK;
  },
});

/** AMR accepts CONFIG REWRITE (RS-CMD "supported"); there is no file to write. */
const configRewrite = defineCommand({
  name: 'config|rewrite',
  arity: 2,
  flags: ['admin', 'noscript', 'loading', 'stale'],
  exec() {
    return OK;
  },
});

const configHelp = defineCommand({
  name: 'config|help',
  arity: 2,
  flags: ['loading', 'stale'],
  exec() {
    return helpReply('CONFIG', CONFIG_HELP);
  },
});

const config = defineContainer('config', -2, [], [configGet, configSet, configRewrite, configHelp]);

// ---------------------------------------------------------------------------------------------
// CLIENT

const CLIENT_HELP = [
  'CACHING (YES|NO)',
  '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
  'GETREDIR',
  '    Return the client ID we are redirecting to when tracking is enabled.',
  'GETNAME',
  '    Return the name of the current connection.',
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  '    * ID <client-id>',
  '      Kill connections by client id.',
  '    * MAXAGE <maxage>',
  '      Kill connections older than the specified age.',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  'UNPAUSE',
  '    Stop the current client pause, resuming traffic.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Suspend all, or just write, clients for <timeout> milliseconds.',
  'REPLY (ON|OFF|SKIP)',
  '    Control the replies sent to the current connection.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'SETINFO <option> <value>',
  '    Set client meta attr. Options are:',
  '    * LIB-NAME: the client lib name.',
  '    * LIB-VER: the client lib version.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Unblock the specified blocked client.',
  'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
  '         [OPTIN] [OPTOUT] [NOLOOP]',
  '    Control server assisted client side caching.',
  'TRACKINGINFO',
  '    Report tracking status for the current connection.',
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
  'NO-TOUCH (ON|OFF)',
  '    Will not touch LRU/LFU stats when this mode is on.',
];

/** Connection state other features may attach (NO-TOUCH here; MULTI, pub/sub … elsewhere). */
type ClientExtras = ClientState & OptionalClientState & { noTouch?: boolean; inMulti?: boolean };

type ClientType = 'normal' | 'master' | 'replica' | 'pubsub';

function clientTypeByName(name: string): ClientType | null {
  switch (name.toLowerCase()) {
    case 'normal':
      return 'normal';
    case 'master':
      return 'master';
    case 'replica':
    case 'slave':
      return 'replica';
    case 'pubsub':
      return 'pubsub';
    default:
      return null;
  }
}

/**
 * Redis's getClientType: a connection with subscriptions is `pubsub` (RESP3 ones too: Redis sets
 * CLIENT_PUBSUB on any subscriber), everything else `normal` (MONITOR included).
 */
function clientType(client: ClientState): ClientType {
  return client.subscriptions > 0 ? 'pubsub' : 'normal';
}

function clientFlags(cache: CacheCore, client: ClientState): string {
  const extras = client as ClientExtras;
  // Redis's order: O (monitor) first, then P, x, b, t, T.
  let flags = client.monitoring === true ? 'O' : '';
  if (client.subscriptions > 0) flags += 'P';
  if (extras.inMulti) flags += 'x';
  if (blockedArgv(cache, client) !== null) flags += 'b';
  if (client.tracking !== null) {
    flags += 't';
    if (client.tracking.brokenRedirect) flags += 'R';
    if (client.tracking.bcast) flags += 'B';
  }
  if (extras.noTouch) flags += 'T';
  return flags === '' ? 'N' : flags;
}

/** Bytes of a command's arguments (Redis's `argv_len_sum`). */
function argvBytes(argv: readonly Bytes[]): number {
  let sum = 0;
  for (const arg of argv) sum += toBuffer(arg).length;
  return sum;
}

/** `multi-mem`: per queued command its argument bytes and one pointer per argument (Redis's mstate.argv_len_sums). */
function multiBytes(client: ClientState): number {
  let sum = 0;
  for (const queued of client.multi?.queue ?? []) sum += argvBytes(queued.argv) + 8 * queued.argv.length;
  return sum;
}

/** Redis's reply list blocks are 16 KB (PROTO_REPLY_CHUNK_BYTES): `oll` of unwritten bytes. */
const REPLY_CHUNK_BYTES = 16 * 1024;

/** Size of the RESP request a command arrived as (`*2\r\n$6\r\nclient\r\n$4\r\nlist\r\n` is 26). */
function requestSize(argv: readonly Bytes[]): number {
  let size = `*${argv.length}\r\n`.length;
  for (const arg of argv) {
    const len = toBuffer(arg).length;
    size += `$${len}\r\n`.length + len + 2;
  }
  return size;
}

/** The query buffer Redis 7.4 reads a request into: 16 KB requested, 20 KB jemalloc class. */
const QUERY_BUFFER_ALLOC = 20480;
const QUERY_BUFFER_USABLE = 20474;

/**
 * One CLIENT LIST / CLIENT INFO line in Redis 7.4's layout. The connection running the command
 * (`self`, with its argv) shows its query buffer; idle connections show none.
 */
export function clientInfoLine(
  cache: CacheCore,
  client: ClientState,
  now: number,
  fd: number,
  self?: readonly Bytes[],
): string {
  const age = Math.max(0, Math.floor((now - client.createdAt) / 1000));
  const idle = Math.max(0, Math.floor((now - client.lastInteraction) / 1000));
  let qbuf = 0;
  let qbufFree = 0;
  let argvMem = 0;
  let tot = IDLE_CLIENT_BYTES;
  if (self !== undefined) {
    qbuf = requestSize(self);
    qbufFree = Math.max(0, QUERY_BUFFER_USABLE - qbuf);
    argvMem = argvBytes(self);
    tot += QUERY_BUFFER_ALLOC + argvMem;
  } else {
    // Another connection: a partial request it is sending (a private query buffer in 7.4), or
    // the arguments of the command it is blocked in.
    const pending = client.pendingRequest?.();
    qbuf = pending?.bytes ?? 0;
    argvMem = pending?.argvBytes ?? 0;
    const blocked = blockedArgv(cache, client);
    if (blocked !== null) argvMem = argvBytes(blocked);
    tot += qbuf + argvMem;
  }
  const omem = client.outputBytes?.() ?? 0;
  const multiMem = multiBytes(client);
  tot += omem + multiMem;
  const extras = client as ClientExtras;
  const subs = client.pubsub;
  const sub = subs?.channels.size ?? 0;
  const psub = subs?.patterns.size ?? 0;
  const ssub = subs?.shardChannels.size ?? 0;
  const multi = client.multi ? client.multi.queue.length : -1;
  const oll = Math.ceil(omem / REPLY_CHUNK_BYTES);
  // `w`: replies wait to be written (Redis installs the write handler).
  const events = omem > 0 ? 'rw' : 'r';
  return (
    `id=${client.id} addr=${client.addr} laddr=${client.laddr} fd=${fd} name=${client.name ?? ''} ` +
    `age=${age} idle=${idle} flags=${clientFlags(cache, client)} db=0 sub=${sub} psub=${psub} ssub=${ssub} ` +
    `multi=${multi} watch=${extras.watching ?? 0} qbuf=${qbuf} qbuf-free=${qbufFree} ` +
    `argv-mem=${argvMem} multi-mem=${multiMem} rbs=1024 rbp=0 obl=0 oll=${oll} omem=${omem} tot-mem=${tot} events=${events} ` +
    `cmd=${client.lastCommand || 'NULL'} user=${client.user?.name ?? 'default'} redir=${client.tracking === null ? -1 : client.tracking.redirect} resp=${client.resp} ` +
    `lib-name=${client.libName} lib-ver=${client.libVersion}`
  );
}

/** File descriptors as Redis hands them out: the first connection gets 8. */
function fdOf(cache: CacheCore, client: ClientState): number {
  let fd = 8;
  for (const c of cache.clients.values()) {
    if (c === client) return fd;
    fd++;
  }
  return fd;
}

/**
 * The clients a connection sees: every connection, and the cache's in-process caller only when it
 * asks itself (it is no connection: a real server would not list it).
 */
function visibleClients(ctx: { cache: CacheCore; client: ClientState }): ClientState[] {
  return [...ctx.cache.clients.values()].filter((c) => c.internal !== true || c === ctx.client);
}

function lineFor(ctx: { cache: CacheCore; client: ClientState; now: number }, c: ClientState, argv: readonly Bytes[]): string {
  return clientInfoLine(ctx.cache, c, ctx.now, fdOf(ctx.cache, c), c === ctx.client ? argv : undefined);
}

const clientId = defineCommand({
  name: 'client|id',
  arity: 2,
  flags: ['noscript', 'loading', 'stale'],
  exec(ctx) {
    return ctx.client.id;
  },
});

const clientGetname = defineCommand({
  name: 'client|getname',
  arity: 2,
  flags: ['noscript', 'loading', 'stale'],
  exec(ctx) {
    return ctx.client.name;
  },
});

const clientSetname = defineCommand({
  name: 'client|setname',
  arity: 3,
  flags: ['noscript', 'loading', 'stale'],
  exec(ctx, argv) {
    const name = argv[2];
    if (!validClientAttr(name)) throw BAD_CLIENT_NAME;
    ctx.client.name = name.length === 0 ? null : text(name);
    return OK;
  },
});

const clientInfo = defineCommand({
  name: 'client|info',
  arity: 2,
  flags: ['noscript', 'loading', 'stale'],
  exec(ctx, argv) {
    return new VerbatimReply('txt', lineFor(ctx, ctx.client, argv) + '\n');
  },
});

const clientList = defineCommand({
  name: 'client|list',
  arity: -2,
  flags: ['admin', 'noscript', 'loading', 'stale'],
  exec(ctx, argv) {
    let selected: ClientState[];
    if (argv.length === 4 && is(argv[2], 'type')) {
      const type = clientTypeByName(text(argv[3]));
      if (type === null) throw new ReplyError(`ERR Unknown client type '${text(argv[3])}'`);
      selected = visibleClients(ctx).filter((c) => clientType(c) === type);
    } else if (argv.length > 3 && is(argv[2], 'id')) {
      selected = [];
      for (let i = 3; i < argv.length; i++) {
        const id = parseInt64(argv[i]);
        if (id === null) throw INVALID_CLIENT_ID;
        const found = ctx.cache.clients.get(Number(id));
        if (found !== undefined && (found.internal !== true || found === ctx.client)) selected.push(found);
      }
    } else if (argv.length !== 2) {
      throw SYNTAX;
    } else {
      selected = visibleClients(ctx);
    }
    let out = '';
    for (const c of selected) out += lineFor(ctx, c, argv) + '\n';
    return new VerbatimReply('txt', out);
  },
});

interface KillFilter {
  user?: string;
  id?: number;
  type?: ClientType;
  addr?: string;
  laddr?: string;
  skipme: boolean;
  maxAge?: number;
}

const clientKill = defineCommand({
  name: 'client|kill',
  arity: -3,
  flags: ['admin', 'noscript', 'loading', 'stale'],
  exec(ctx, argv) {
    const oldStyle = argv.length === 3;
    const filter: KillFilter = { skipme: true };
    if (oldStyle) {
      filter.addr = text(argv[2]);
      filter.skipme = false; // the old form may kill the caller
    } else {
      for (let i = 2; i < argv.length; i += 2) {
        const option = text(argv[i]).toLowerCase();
        const more = argv.length > i + 1;
        if (!more) throw SYNTAX;
        const value = argv[i + 1];
        if (option === 'id') {
          const id = parseInt64(value);
          if (id === null || id < 1) throw CLIENT_ID_POSITIVE;
          filter.id = Number(id);
        } else if (option === 'type') {
          const type = clientTypeByName(text(value));
          if (type === null) throw new ReplyError(`ERR Unknown client type '${text(value)}'`);
          filter.type = type;
        } else if (option === 'addr') {
          filter.addr = text(value);
        } else if (option === 'laddr') {
          filter.laddr = text(value);
        } else if (option === 'user') {
          const name = text(value);
          if (name !== 'default' && ctx.cache.entra?.user(name) === undefined) throw new ReplyError(`ERR No such user '${name}'`);
          filter.user = name;
        } else if (option === 'skipme') {
          if (is(value, 'yes')) filter.skipme = true;
          else if (is(value, 'no')) filter.skipme = false;
          else throw SYNTAX;
        } else if (option === 'maxage') {
          const age = parseInt64(value);
          if (age === null) throw MAXAGE_NOT_INT;
          if (age <= 0) throw MAXAGE_POSITIVE;
          filter.maxAge = Number(age);
        } else {
          throw SYNTAX;
        }
      }
    }
    const victims: ClientState[] = [];
    for (const c of visibleClients(ctx)) {
      if (filter.id !== undefined && c.id !== filter.id) continue;
      if (filter.type !== undefined && clientType(c) !== filter.type) continue;
      if (filter.addr !== undefined && c.addr !== filter.addr) continue;
      if (filter.laddr !== undefined && c.laddr !== filter.laddr) continue;
      if (filter.user !== undefined && (c.user?.name ?? 'default') !== filter.user) continue;
      if (filter.skipme && c === ctx.client) continue;
      if (filter.maxAge !== undefined && Math.floor((ctx.now - c.createdAt) / 1000) < filter.maxAge) continue;
      victims.push(c);
    }
    for (const c of victims) closeClient(ctx.cache, c);
    if (oldStyle) {
      if (victims.length === 0) throw NO_SUCH_CLIENT;
      return OK;
    }
    return victims.length;
  },
});

/** Closes a connection through the cache when it can (ManagedRedis.closeClient), else marks it closed. */
function closeClient(cache: CacheCore, client: ClientState): void {
  const closer = (cache as CacheCore & { closeClient?: (c: ClientState) => void }).closeClient;
  if (typeof closer === 'function') closer.call(cache, client);
  else client.closed = true;
}

const clientSetinfo = defineCommand({
  name: 'client|setinfo',
  arity: 4,
  flags: ['noscript', 'loading', 'stale'],
  exec(ctx, argv) {
    const attr = text(argv[2]);
    const lower = attr.toLowerCase();
    if (lower !== 'lib-name' && lower !== 'lib-ver') throw new ReplyError(`ERR Unrecognized option '${attr}'`);
    if (!validClientAttr(argv[3])) {
      throw new ReplyError(`ERR ${attr} cannot contain spaces, newlines or special characters.`);
    }
    if (lower === 'lib-name') ctx.client.libName = text(argv[3]);
    else ctx.client.libVersion = text(argv[3]);
    return OK;
  },
});

const clientNoTouch = defineCommand({
  name: 'client|no-touch',
  arity: 3,
  flags: ['noscript', 'loading', 'stale'],
  exec(ctx, argv) {
    const client = ctx.client as ClientExtras;
    if (is(argv[2], 'on')) client.noTouch = true;
    else if (is(argv[2], 'off')) client.noTouch = false;
    else throw SYNTAX;
    return OK;
  },
});

const clientUnblock = defineCommand({
  name: 'client|unblock',
  arity: -3,
  flags: ['admin', 'noscript', 'loading', 'stale'],
  exec(ctx, argv) {
    // Checked in Redis's order: the argument count, the reason, then the id.
    if (argv.length > 4) {
      throw new ReplyError(`ERR unknown subcommand or wrong number of arguments for '${text(argv[1])}'. Try CLIENT HELP.`);
    }
    let withError = false;
    if (argv.length === 4) {
      if (is(argv[3], 'error')) withError = true;
      else if (!is(argv[3], 'timeout')) throw new ReplyError('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
    }
    const id = parseInt64(argv[2]);
    if (id === null) throw new ReplyError('ERR value is not an integer or out of range');
    const target = ctx.cache.clients.get(Number(id));
    // A blocked client answers as at its timeout, or with -UNBLOCKED; 0 when it was not blocked.
    return target !== undefined && unblockClient(ctx.cache, target, withError) ? 1 : 0;
  },
});

const clientHelp = defineCommand({
  name: 'client|help',
  arity: 2,
  flags: ['loading', 'stale'],
  exec() {
    return helpReply('CLIENT', CLIENT_HELP);
  },
});

const client = defineContainer('client', -2, [], [
  clientId,
  clientGetname,
  clientSetname,
  clientInfo,
  clientList,
  clientKill,
  clientSetinfo,
  clientNoTouch,
  clientUnblock,
  clientHelp,
  ...clientTrackingCommands,
]);

/**
 * Adds a CLIENT subcommand declared elsewhere (TRACKING, CACHING, TRACKINGINFO, UNBLOCK, REPLY
 * belong to the features that implement them). Call at module load, before a cache is built.
 */
export function registerClientSubcommand(spec: CommandSpec): void {
  (client.subcommands as Record<string, CommandSpec>)[spec.name.slice(spec.name.indexOf('|') + 1)] = spec;
}

// ---------------------------------------------------------------------------------------------
// MEMORY USAGE, MEMORY HELP (DOCTOR, MALLOC-STATS, PURGE and STATS are not offered by AMR)

const MEMORY_HELP = [
  'DOCTOR',
  '    Return memory problems reports.',
  'MALLOC-STATS',
  '    Return internal statistics report from the memory allocator.',
  'PURGE',
  '    Attempt to purge dirty pages for reclamation by the allocator.',
  'STATS',
  '    Return information about the memory usage of the server.',
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
];

const memoryUsage = defineCommand({
  name: 'memory|usage',
  arity: -3,
  flags: ['readonly'],
  keys: { first: 2, last: 2, step: 1 },
  exec(ctx, argv) {
    // SAMPLES may repeat (the last wins); the estimate is exact per type, so it changes nothing.
    for (let j = 3; j < argv.length; j++) {
      if (!is(argv[j], 'samples') || j + 1 >= argv.length) throw SYNTAX;
      const samples = parseInt64(argv[j + 1]);
      if (samples === null) throw new ReplyError('ERR value is not an integer or out of range');
      if (samples < 0) throw SYNTAX;
      j++;
    }
    const key = keyName(argv[2]);
    // Redis finds the key in the dict directly: no expiry check, no access stamp, no hit or miss.
    const value = ctx.db.valueOf(key);
    if (value === undefined) return null;
    // The key's dict entry and name plus the value, as Redis counts it (the expiry entry is not).
    return keyBytes(key) + valueBytes(value);
  },
});

const memoryHelp = defineCommand({
  name: 'memory|help',
  arity: 2,
  flags: ['loading', 'stale'],
  exec: () => helpReply('MEMORY', MEMORY_HELP),
});

const memory = defineContainer('memory', -2, [], [memoryUsage, memoryHelp]);

/**
 * MODULE: AMR loads modules at creation only (MODULE LOAD, LOADEX, UNLOAD and HELP are blocked);
 * the emulator has none, so MODULE LIST answers an empty list.
 */
const moduleBlocked = (name: string, arity: number, flags: readonly CommandFlag[]): CommandSpec =>
  defineCommand({
    name: `module|${name}`,
    arity,
    flags,
    exec(_ctx, argv) {
      throw unknownCommand(text(argv[0]), argv.slice(1).map(String));
    },
  });

const moduleCommand = defineContainer('module', -2, [], [
  defineCommand({ name: 'module|list', arity: 2, flags: ['admin', 'noscript'], exec: (ctx) => moduleList(ctx.cache.modules) }),
  moduleBlocked('help', 2, ['loading', 'stale']),
  moduleBlocked('load', -3, ['admin', 'noscript', 'no_async_loading']),
  moduleBlocked('loadex', -3, ['admin', 'noscript', 'no_async_loading']),
  moduleBlocked('unload', 3, ['admin', 'noscript', 'no_async_loading']),
]);

export const serverCommands: CommandSpec[] = [ping, echo, time, quit, auth, hello, moduleCommand, info, config, client, memory];
