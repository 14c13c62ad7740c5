/**
 * Scripting for one cache: the EVAL script cache, function libraries, and running a script —
 * `redis.call` through the emulator's synchronous dispatch, conversions between Redis replies and
 * Lua values both ways (RESP2 and RESP3 rules), and Redis's error texts.
 */
import type { CacheCore, ClientState, Shard } from '../core-types.js';
import type { CommandSpec } from '../commands/command.js';
import { checkCommand, denialMessage, type AclUser } from '../acl/user.js';
import { dispatch, keyPositions } from '../dispatch.js';
import { keyName, type Bytes } from '../keyspace/bytes.js';
import { slotOfName } from '../cluster/slots.js';
import { ReplyError } from '../protocol/errors.js';
import { formatDouble } from '../protocol/number-format.js';
import {
  BigNumberReply,
  BoolReply,
  DoubleReply,
  MapReply,
  NullArrayReply,
  SetReply,
  StatusReply,
  VerbatimReply,
  type Reply,
} from '../protocol/reply.js';
import { LuaCompileError, LuaSandbox, T_BOOLEAN, T_NUMBER, T_STRING, T_TABLE, type LuaFunction } from './sandbox.js';
import { checkBytes, numericFunctions, raise } from './libraries.js';
import { formatLuaNumber } from './lua-vm.js';

type L = unknown;

/** Script flags (shebang `flags=` and function flags). */
export interface ScriptFlags {
  noWrites: boolean;
  allowOom: boolean;
  allowStale: boolean;
  noCluster: boolean;
  allowCrossSlot: boolean;
}

export const NO_FLAGS: ScriptFlags = { noWrites: false, allowOom: false, allowStale: false, noCluster: false, allowCrossSlot: false };

const FLAG_NAMES: Record<string, keyof ScriptFlags> = {
  'no-writes': 'noWrites',
  'allow-oom': 'allowOom',
  'allow-stale': 'allowStale',
  'no-cluster': 'noCluster',
  'allow-cross-slot-keys': 'allowCrossSlot',
};

export function parseFlagNames(names: readonly string[]): ScriptFlags | null {
  const flags = { ...NO_FLAGS };
  for (const name of names) {
    const key = FLAG_NAMES[name];
    if (key === undefined) return null;
    flags[key] = true;
  }
  return flags;
}

export function flagNames(flags: ScriptFlags): string[] {
  return Object.entries(FLAG_NAMES)
    .filter(([, key]) => flags[key])
    .map(([name]) => name);
}

/** A cached EVAL script. */
interface CachedScript {
  body: Buffer;
  ref: number;
  flags: ScriptFlags;
  /** True when the body has a `#!lua` shebang (flags then apply as declared). */
  shebang: boolean;
}

/** A registered function of a library. */
export interface LuaFunctionEntry {
  name: string;
  ref: number;
  flags: ScriptFlags;
  description: string | null;
  library: LibraryEntry;
}

export interface LibraryEntry {
  name: string;
  code: Buffer;
  functions: Map<string, LuaFunctionEntry>;
}

/** What the running script may do and where it runs. */
interface RunState {
  readOnly: boolean;
  /** The script's declared slot (-1: none yet), for the cluster rules. */
  slot: number;
  shard: Shard;
  flags: ScriptFlags;
  /** The ACL user of the connection that ran the script (null: default); its commands run as it. */
  user: AclUser | null;
}

const ARG_ERROR = 'Lua redis lib command arguments must be strings or integers';

export class ScriptingEngine {
  private evalBox: LuaSandbox | null = null;
  private functionBox: LuaSandbox | null = null;
  readonly scripts = new Map<string, CachedScript>();
  readonly libraries = new Map<string, LibraryEntry>();
  readonly functions = new Map<string, LuaFunctionEntry>();
  /** The connection scripts' commands run on (Redis's "lua client"). */
  private readonly luaClient: ClientState;
  private run: RunState | null = null;
  /** The library being loaded by FUNCTION LOAD (register_function adds to it). */
  private loading: LibraryEntry | null = null;
  private keysName: Uint8Array | null = null;
  private argvName: Uint8Array | null = null;

  constructor(private readonly cache: CacheCore) {
    this.luaClient = {
      id: 0,
      name: null,
      resp: 2,
      createdAt: cache.clock.now(),
      lastInteraction: cache.clock.now(),
      lastCommand: 'NULL',
      addr: '',
      laddr: '',
      libName: '',
      libVersion: '',
      shards: cache.shards,
      closed: false,
      authenticated: true,
      user: null,
      disconnect: null,
      canBlock: false,
      multi: null,
      inMulti: false,
      watch: null,
      watching: 0,
      pubsub: null,
      subscriptions: 0,
      push: null,
      tracking: null,
      replyMode: 'on',
      lua: true,
    } as unknown as ClientState;
  }

  /** True while a script runs (SCRIPT KILL / FUNCTION KILL see nothing to kill: scripts are synchronous). */
  get busy(): boolean {
    return this.run !== null;
  }

  private sandbox(kind: 'eval' | 'function'): LuaSandbox {
    if (kind === 'eval') return (this.evalBox ??= this.createSandbox('eval'));
    return (this.functionBox ??= this.createSandbox('function'));
  }

  private createSandbox(kind: 'eval' | 'function'): LuaSandbox {
    // The sandbox object exists only after its constructor returns; the callbacks reach it lazily.
    let sb!: LuaSandbox;
    const holder = { get: () => sb };
    const fns: Record<string, LuaFunction> = {
      call: (L) => this.redisCall(holder.get(), L, true),
      pcall: (L) => this.redisCall(holder.get(), L, false),
      sha1hex: (L) => this.sha1hex(holder.get(), L),
      error_reply: (L) => this.errorReply(holder.get(), L),
      status_reply: (L) => this.statusReply(holder.get(), L),
      log: (L) => this.log(holder.get(), L),
      setresp: (L) => this.setResp(holder.get(), L),
      set_repl: (L) => this.setRepl(holder.get(), L),
      replicate_commands: (L) => {
        holder.get().f.lua.lua_pushboolean(L, true);
        return 1;
      },
      breakpoint: (L) => {
        holder.get().f.lua.lua_pushboolean(L, false);
        return 1;
      },
      debug: () => 0,
      acl_check_cmd: (L) => this.aclCheck(holder.get(), L),
      register_function: (L) => this.registerFunction(holder.get(), L),
    };
    // Numeric helpers need the sandbox too; they only use its fengari handle and state.
    const numeric = { floor: 0, ceil: 0, frexp: 0, cosh: 0, sinh: 0, tanh: 0, format: 0 } as Record<string, unknown>;
    for (const name of Object.keys(numeric)) fns[name] = (L) => numericFunctions(holder.get())[name](L);
    fns.random = (L) => this.random(holder.get(), L);
    fns.randomseed = () => 0;
    sb = new LuaSandbox(kind, fns);
    // Replace the lazy numeric wrappers by direct ones now that the sandbox exists.
    return sb;
  }

  // -------------------------------------------------------------------------------------------
  // EVAL scripts

  /** Compiles and caches a script body; returns its SHA1. Throws the compile error reply. */
  loadScript(body: Buffer): string {
    const sha = LuaSandbox.sha1(body);
    if (this.scripts.has(sha)) return sha;
    const { flags, shebang, code } = parseShebang(body);
    const sb = this.sandbox('eval');
    try {
      sb.load(code, '@user_script');
    } catch (error) {
      if (error instanceof LuaCompileError) throw new ReplyError(`ERR Error compiling script (new function): ${error.message}`);
      throw error;
    }
    const ref = sb.f.lauxlib.luaL_ref(sb.L, sb.f.lua.LUA_REGISTRYINDEX);
    this.scripts.set(sha, { body, ref, flags, shebang });
    return sha;
  }

  hasScript(sha: string): boolean {
    return this.scripts.has(sha.toLowerCase());
  }

  flushScripts(): void {
    const sb = this.evalBox;
    if (sb !== null) for (const s of this.scripts.values()) sb.f.lauxlib.luaL_unref(sb.L, sb.f.lua.LUA_REGISTRYINDEX, s.ref);
    this.scripts.clear();
  }

  /** Flags of a cached script (for the read-only and cluster checks before it runs). */
  scriptFlags(sha: string): ScriptFlags | undefined {
    return this.scripts.get(sha)?.flags;
  }

  runScript(sha: string, keys: readonly Bytes[], args: readonly Bytes[], client: ClientState, shard: Shard, readOnly: boolean): Reply {
    const script = this.scripts.get(sha)!;
    const sb = this.sandbox('eval');
    const ro = readOnly || script.flags.noWrites;
    if (script.flags.noCluster && this.cache.policy !== 'NoCluster') {
      throw new ReplyError("ERR Can not run script on cluster, 'no-cluster' flag is set.");
    }
    const { lua } = sb.f;
    const L = sb.L;
    this.pushArray(sb, keys);
    sb.setRunGlobal((this.keysName ??= sb.f.to_luastring('KEYS')));
    this.pushArray(sb, args);
    sb.setRunGlobal((this.argvName ??= sb.f.to_luastring('ARGV')));
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, script.ref);
    return this.execute(sb, 0, sha, client, shard, keys, ro, script.flags);
  }

  // -------------------------------------------------------------------------------------------
  // Functions

  /** FUNCTION LOAD: runs the library code with the registration API; returns the library name. */
  loadLibrary(code: Buffer, replace: boolean): string {
    const { name, body } = parseLibraryShebang(code);
    const existing = this.libraries.get(name);
    if (existing !== undefined && !replace) throw new ReplyError(`ERR Library '${name}' already exists`);
    const sb = this.sandbox('function');
    const { lua, lauxlib } = sb.f;
    const L = sb.L;
    try {
      sb.load(body, '@user_function');
    } catch (error) {
      if (error instanceof LuaCompileError) throw new ReplyError(`ERR Error compiling function: ${error.message}`);
      throw error;
    }
    const library: LibraryEntry = { name, code, functions: new Map() };
    this.loading = library;
    sb.useEnvironment('load');
    let status: number;
    const base = lua.lua_gettop(L) - 1;
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, sb.handlerRef);
    lua.lua_insert(L, base + 1);
    try {
      status = lua.lua_pcall(L, 0, 0, base + 1);
    } finally {
      sb.useEnvironment('run');
      this.loading = null;
    }
    if (status === 0) lua.lua_settop(L, base);
    const dropRefs = (): void => {
      for (const fn of library.functions.values()) lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, fn.ref);
    };
    if (status !== 0) {
      const message = errorText(sb, -1);
      lua.lua_settop(L, base);
      dropRefs();
      throw new ReplyError(`ERR Error registering functions: ${message}`);
    }
    if (library.functions.size === 0) {
      dropRefs();
      throw new ReplyError('ERR No functions registered');
    }
    for (const fname of library.functions.keys()) {
      const other = this.functions.get(fname);
      if (other !== undefined && other.library.name !== name) {
        dropRefs();
        throw new ReplyError(`ERR Function ${fname} already exists`);
      }
    }
    if (existing !== undefined) this.dropLibrary(existing);
    this.libraries.set(name, library);
    for (const fn of library.functions.values()) this.functions.set(fn.name, fn);
    return name;
  }

  dropLibrary(library: LibraryEntry): void {
    const sb = this.functionBox;
    for (const fn of library.functions.values()) {
      this.functions.delete(fn.name);
      if (sb !== null) sb.f.lauxlib.luaL_unref(sb.L, sb.f.lua.LUA_REGISTRYINDEX, fn.ref);
    }
    this.libraries.delete(library.name);
  }

  flushFunctions(): void {
    for (const library of [...this.libraries.values()]) this.dropLibrary(library);
  }

  runFunction(fn: LuaFunctionEntry, keys: readonly Bytes[], args: readonly Bytes[], client: ClientState, shard: Shard, readOnly: boolean): Reply {
    if (readOnly && !fn.flags.noWrites) throw new ReplyError('ERR Can not execute a script with write flag using *_ro command.');
    if (fn.flags.noCluster && this.cache.policy !== 'NoCluster') {
      throw new ReplyError("ERR Can not run script on cluster, 'no-cluster' flag is set.");
    }
    const sb = this.sandbox('function');
    const { lua } = sb.f;
    lua.lua_rawgeti(sb.L, lua.LUA_REGISTRYINDEX, fn.ref);
    this.pushArray(sb, keys);
    this.pushArray(sb, args);
    return this.execute(sb, 2, fn.name, client, shard, keys, readOnly || fn.flags.noWrites, fn.flags);
  }

  private registerFunction(sb: LuaSandbox, L: L): number {
    const { lua, to_luastring } = sb.f;
    const library = this.loading;
    if (library === null) return raise(sb, L, 'redis.register_function can only be called on FUNCTION LOAD command');
    const n = lua.lua_gettop(L);
    let name: string | null = null;
    let flags: ScriptFlags = { ...NO_FLAGS };
    let description: string | null = null;
    let callbackRef: number | null = null;
    const fail = (message: string): never => {
      lua.lua_pushstring(L, to_luastring(message));
      lua.lua_error(L);
      throw new Error('unreachable');
    };
    if (n === 1) {
      if (lua.lua_type(L, 1) !== T_TABLE) {
        fail('calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).');
      }
      lua.lua_pushnil(L);
      while (lua.lua_next(L, 1) !== 0) {
        if (lua.lua_type(L, -2) !== T_STRING) fail('named argument key given to redis.register_function is not a string');
        const key = sb.toText(-2);
        if (key === 'function_name') {
          if (lua.lua_type(L, -1) !== T_STRING) fail('function_name argument given to redis.register_function must be a string');
          name = sb.toText(-1);
        } else if (key === 'description') {
          if (lua.lua_type(L, -1) !== T_STRING) fail('description argument given to redis.register_function must be a string');
          description = sb.toText(-1);
        } else if (key === 'callback') {
          if (lua.lua_type(L, -1) !== 6) fail('callback argument given to redis.register_function must be a function');
          if (callbackRef !== null) sb.f.lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, callbackRef);
          lua.lua_pushvalue(L, -1);
          callbackRef = sb.f.lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
        } else if (key === 'flags') {
          if (lua.lua_type(L, -1) !== T_TABLE) fail('flags argument to redis.register_function must be a table representing function flags');
          const names: string[] = [];
          const count = lua.lua_rawlen(L, -1);
          for (let i = 1; i <= count; i++) {
            lua.lua_rawgeti(L, -1, i);
            if (lua.lua_type(L, -1) !== T_STRING) fail('unknown flag given');
            names.push(sb.toText(-1));
            lua.lua_pop(L, 1);
          }
          const parsed = parseFlagNames(names);
          if (parsed === null) fail('unknown flag given');
          flags = parsed!;
        } else fail('unknown argument given to redis.register_function');
        lua.lua_pop(L, 1);
      }
      if (name === null) fail('redis.register_function must get a function name argument');
      if (callbackRef === null) fail('redis.register_function must get a callback argument');
    } else if (n === 2) {
      if (lua.lua_type(L, 1) !== T_STRING) fail('first argument to redis.register_function must be a string');
      if (lua.lua_type(L, 2) !== 6) fail('second argument to redis.register_function must be a function');
      name = sb.toText(1);
      lua.lua_pushvalue(L, 2);
      callbackRef = sb.f.lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    } else {
      fail('wrong number of arguments to redis.register_function');
    }
    if (!/^[A-Za-z0-9_]+$/.test(name!)) fail('Function names can only contain letters, numbers, or underscores(_) and must be at least one character long');
    if (library.functions.has(name!)) fail('Function already exists in the library');
    const ref = callbackRef!;
    library.functions.set(name!, { name: name!, ref, flags, description, library });
    return 0;
  }

  // -------------------------------------------------------------------------------------------
  // Running

  /** Calls the function on the stack (with `nargs` arguments above it) and converts its result. */
  private execute(
    sb: LuaSandbox,
    nargs: number,
    name: string,
    client: ClientState,
    shard: Shard,
    keys: readonly Bytes[],
    readOnly: boolean,
    flags: ScriptFlags,
  ): Reply {
    const { lua } = sb.f;
    const L = sb.L;
    const base = lua.lua_gettop(L) - nargs - 1;
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, sb.handlerRef);
    lua.lua_insert(L, base + 1);
    const luaClient = this.luaClient;
    luaClient.resp = 2;
    (luaClient as { shards: readonly Shard[] }).shards = [shard];
    const slot = keys.length > 0 ? slotOfName(keyName(keys[0])) : -1;
    const outer = this.run;
    this.run = { readOnly, slot, shard, flags, user: client.user ?? null };
    try {
      const status = lua.lua_pcall(L, nargs, 1, base + 1);
      if (status !== 0) throw this.scriptError(sb, name);
      const reply = this.toReply(sb, -1, luaClient.resp, 0);
      if (reply instanceof ReplyError) throw reply;
      return reply;
    } finally {
      this.run = outer;
      lua.lua_settop(L, base);
      void client;
    }
  }

  /** The error reply for an error a script raised (the handler left a table on the stack). */
  private scriptError(sb: LuaSandbox, name: string): ReplyError {
    const { lua, to_luastring } = sb.f;
    const L = sb.L;
    if (lua.lua_type(L, -1) !== T_TABLE) return new ReplyError(`ERR ${errorText(sb, -1)}`);
    const field = (key: string): string | null => {
      lua.lua_getfield(L, -1, to_luastring(key));
      const t = lua.lua_type(L, -1);
      const value = t === T_STRING || t === T_NUMBER ? sb.toText(-1) : null;
      lua.lua_pop(L, 1);
      return value;
    };
    let message = field('err') ?? 'ERR unknown error';
    message = lua51Message(cString(message));
    const source = field('source');
    const line = field('line');
    const text = source !== null && line !== null ? `${message} script: ${name}, on ${source}:${line}.` : message;
    return new ReplyError(text.replace(/[\r\n]/g, ' '));
  }

  private redisCall(sb: LuaSandbox, L: L, raiseErrors: boolean): number {
    const { lua } = sb.f;
    const run = this.run;
    const n = lua.lua_gettop(L);
    let failure: string | null = null;
    let reply: Reply = null;
    if (run === null) return raise(sb, L, 'redis.call can only be called inside a script invocation');
    if (n === 0) failure = '-ERR Please specify at least one argument for this redis lib call';
    const argv: Bytes[] = new Array(n);
    for (let i = 1; i <= n && failure === null; i++) {
      const t = lua.lua_type(L, i);
      if (t === T_STRING) {
        const bytes = lua.lua_tolstring(L, i) as Uint8Array;
        argv[i - 1] = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
      } else if (t === T_NUMBER) {
        argv[i - 1] = formatDouble(lua.lua_tonumber(L, i));
      } else failure = `-ERR ${ARG_ERROR}`;
    }
    if (failure === null) {
      try {
        reply = this.callCommand(argv, run);
      } catch (error) {
        if (!(error instanceof ReplyError)) throw error;
        failure = `-${error.message}`;
      }
    }
    if (failure !== null) {
      pushErrorTable(sb, L, failure);
      if (raiseErrors) {
        lua.lua_error(L);
      }
      return 1;
    }
    this.pushReply(sb, L, reply, this.luaClient.resp);
    return 1;
  }

  /** Runs one command of a script: Redis's script checks, then the ordinary dispatch. */
  private callCommand(argv: Bytes[], run: RunState): Reply {
    const cache = this.cache;
    const name = String(argv[0]);
    let spec: CommandSpec | undefined = cache.commands.get(name) ?? cache.commands.get(name.toLowerCase());
    if (spec === undefined || (spec.blocked !== undefined && spec.blocked(cache))) {
      throw new ReplyError('ERR Unknown Redis command called from script');
    }
    const arityOk = (s: CommandSpec): boolean => !((s.arity > 0 && argv.length !== s.arity) || argv.length < -s.arity);
    if (!arityOk(spec)) throw new ReplyError('ERR Wrong number of args calling Redis command from script');
    if (spec.subcommands !== undefined && argv.length > 1) {
      const sub = spec.subcommands[String(argv[1]).toLowerCase()];
      if (sub === undefined) throw new ReplyError('ERR Unknown Redis command called from script');
      if (!arityOk(sub)) throw new ReplyError('ERR Wrong number of args calling Redis command from script');
      spec = sub;
    }
    if (spec.flags.includes('noscript')) throw new ReplyError('ERR This Redis command is not allowed from script');
    // The script's commands run as the calling connection's user (Redis's scriptVerifyACL).
    if (run.user !== null) {
      const denial = checkCommand(run.user, spec, argv);
      if (denial !== null) throw new ReplyError(`ERR ACL failure in script: ${denialMessage(run.user, spec, argv, denial, true)}`);
    }
    if (run.readOnly && spec.flags.includes('write')) throw new ReplyError('ERR Write commands are not allowed from read-only scripts.');
    if (cache.policy !== 'NoCluster' && spec.keys !== undefined) {
      const positions = keyPositions(spec.keys, argv);
      for (const pos of positions) {
        const slot = slotOfName(keyName(argv[pos]));
        if (cache.shardForSlot(slot) !== run.shard) {
          throw new ReplyError('ERR Script attempted to access a non local key in a cluster node');
        }
        if (run.slot === -1) run.slot = slot;
        else if (slot !== run.slot && !run.flags.allowCrossSlot) {
          throw new ReplyError('ERR Script attempted to access keys that do not hash to the same slot');
        }
      }
    }
    return dispatch(cache, this.luaClient, argv, spec);
  }

  // -------------------------------------------------------------------------------------------
  // redis.* helpers

  private sha1hex(sb: LuaSandbox, L: L): number {
    const { lua, to_luastring } = sb.f;
    if (lua.lua_gettop(L) !== 1) return raise(sb, L, 'wrong number of arguments');
    const t = lua.lua_type(L, 1);
    const bytes = t === T_STRING || t === T_NUMBER ? lua.lua_tolstring(L, 1) : new Uint8Array(0);
    lua.lua_pushstring(L, to_luastring(LuaSandbox.sha1(bytes)));
    return 1;
  }

  private errorReply(sb: LuaSandbox, L: L): number {
    const { lua } = sb.f;
    if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, 1) !== T_STRING) return raise(sb, L, 'wrong number or type of arguments');
    const text = Buffer.from(lua.lua_tolstring(L, 1)).toString('utf8');
    pushErrorTable(sb, L, text.startsWith('-') ? text : `-${text}`);
    return 1;
  }

  private statusReply(sb: LuaSandbox, L: L): number {
    const { lua, to_luastring } = sb.f;
    if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, 1) !== T_STRING) return raise(sb, L, 'wrong number or type of arguments');
    lua.lua_createtable(L, 0, 1);
    lua.lua_pushvalue(L, 1);
    lua.lua_setfield(L, -2, to_luastring('ok'));
    return 1;
  }

  private log(sb: LuaSandbox, L: L): number {
    const { lua } = sb.f;
    if (lua.lua_gettop(L) < 2) return raise(sb, L, 'redis.log() requires two arguments or more.');
    if (lua.lua_type(L, 1) !== T_NUMBER) return raise(sb, L, 'First argument must be a number (log level).');
    const level = lua.lua_tonumber(L, 1);
    if (level < 0 || level > 3) return raise(sb, L, 'Invalid debug level.');
    return 0;
  }

  private setResp(sb: LuaSandbox, L: L): number {
    const { lua } = sb.f;
    if (lua.lua_gettop(L) !== 1) return raise(sb, L, 'redis.setresp() requires one argument.');
    const resp = lua.lua_tonumber(L, 1);
    if (resp !== 2 && resp !== 3) return raise(sb, L, 'RESP version must be 2 or 3.');
    this.luaClient.resp = resp;
    return 0;
  }

  private setRepl(sb: LuaSandbox, L: L): number {
    const { lua } = sb.f;
    if (this.run === null) return raise(sb, L, 'redis.set_repl can only be called inside a script invocation');
    if (lua.lua_gettop(L) !== 1) return raise(sb, L, 'redis.set_repl() requires one argument.');
    const flags = lua.lua_tonumber(L, 1);
    if (!(flags >= 0 && flags <= 3) || !Number.isInteger(flags)) {
      return raise(sb, L, 'Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.');
    }
    return 0;
  }

  private aclCheck(sb: LuaSandbox, L: L): number {
    const { lua } = sb.f;
    const n = lua.lua_gettop(L);
    if (n === 0) return raise(sb, L, 'Please specify at least one argument for this redis lib call');
    const name = Buffer.from(checkBytes(sb, L, 1, 'acl_check_cmd')).toString('utf8');
    if (this.cache.commands.get(name.toLowerCase()) === undefined) return raise(sb, L, 'Invalid command passed to redis.acl_check_cmd()');
    lua.lua_pushboolean(L, true);
    return 1;
  }

  private random(sb: LuaSandbox, L: L): number {
    const { lua } = sb.f;
    const r = this.cache.rng.next();
    const n = lua.lua_gettop(L);
    if (n === 0) lua.lua_pushnumber(L, r);
    else if (n === 1) {
      const u = Math.trunc(lua.lua_tonumber(L, 1));
      if (!(u >= 1)) return raise(sb, L, "bad argument #1 to 'random' (interval is empty)");
      lua.lua_pushnumber(L, Math.floor(r * u) + 1);
    } else if (n === 2) {
      const lo = Math.trunc(lua.lua_tonumber(L, 1));
      const up = Math.trunc(lua.lua_tonumber(L, 2));
      if (!(lo <= up)) return raise(sb, L, "bad argument #2 to 'random' (interval is empty)");
      lua.lua_pushnumber(L, Math.floor(r * (up - lo + 1)) + lo);
    } else return raise(sb, L, 'wrong number of arguments');
    return 1;
  }

  // -------------------------------------------------------------------------------------------
  // Conversions

  private pushArray(sb: LuaSandbox, items: readonly Bytes[]): void {
    const { lua } = sb.f;
    const L = sb.L;
    lua.lua_createtable(L, items.length, 0);
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (typeof item === 'string') lua.lua_pushstring(L, item);
      else lua.lua_pushlstring(L, item, item.length);
      lua.lua_rawseti(L, -2, i + 1);
    }
  }

  /** Redis reply → Lua value (redisProtocolToLuaType), by the script's RESP version. */
  private pushReply(sb: LuaSandbox, L: L, reply: Reply, resp: 2 | 3): void {
    const { lua, to_luastring } = sb.f;
    lua.lua_checkstack(L, 4);
    if (typeof reply === 'string') {
      lua.lua_pushstring(L, reply);
      return;
    }
    if (typeof reply === 'number') {
      lua.lua_pushnumber(L, reply);
      return;
    }
    if (reply === null || reply instanceof NullArrayReply) {
      if (resp === 2) lua.lua_pushboolean(L, false);
      else lua.lua_pushnil(L);
      return;
    }
    if (Buffer.isBuffer(reply)) {
      lua.lua_pushlstring(L, reply, reply.length);
      return;
    }
    if (typeof reply === 'bigint') {
      lua.lua_pushnumber(L, Number(reply));
      return;
    }
    if (Array.isArray(reply)) {
      lua.lua_createtable(L, reply.length, 0);
      for (let i = 0; i < reply.length; i++) {
        this.pushReply(sb, L, reply[i], resp);
        lua.lua_rawseti(L, -2, i + 1);
      }
      return;
    }
    if (reply instanceof StatusReply) {
      lua.lua_createtable(L, 0, 1);
      lua.lua_pushstring(L, reply.value);
      lua.lua_setfield(L, -2, to_luastring('ok'));
      return;
    }
    if (reply instanceof Error) {
      pushErrorTable(sb, L, `-${reply.message}`);
      return;
    }
    if (reply instanceof DoubleReply) {
      if (resp === 2) lua.lua_pushstring(L, reply.toString());
      else {
        lua.lua_createtable(L, 0, 1);
        lua.lua_pushnumber(L, reply.value);
        lua.lua_setfield(L, -2, to_luastring('double'));
      }
      return;
    }
    if (reply instanceof MapReply) {
      if (resp === 2) {
        lua.lua_createtable(L, reply.entries.length * 2, 0);
        let i = 1;
        for (const [k, v] of reply.entries) {
          this.pushReply(sb, L, k, resp);
          lua.lua_rawseti(L, -2, i++);
          this.pushReply(sb, L, v, resp);
          lua.lua_rawseti(L, -2, i++);
        }
      } else {
        lua.lua_createtable(L, 0, 1);
        lua.lua_createtable(L, 0, reply.entries.length);
        for (const [k, v] of reply.entries) {
          this.pushReply(sb, L, k, resp);
          this.pushReply(sb, L, v, resp);
          lua.lua_rawset(L, -3);
        }
        lua.lua_setfield(L, -2, to_luastring('map'));
      }
      return;
    }
    if (reply instanceof SetReply) {
      if (resp === 2) this.pushReply(sb, L, reply.items, resp);
      else {
        lua.lua_createtable(L, 0, 1);
        lua.lua_createtable(L, 0, reply.items.length);
        for (const item of reply.items) {
          this.pushReply(sb, L, item, resp);
          lua.lua_pushboolean(L, true);
          lua.lua_rawset(L, -3);
        }
        lua.lua_setfield(L, -2, to_luastring('set'));
      }
      return;
    }
    if (reply instanceof BoolReply) {
      if (resp === 2) lua.lua_pushnumber(L, reply.value ? 1 : 0);
      else lua.lua_pushboolean(L, reply.value);
      return;
    }
    if (reply instanceof VerbatimReply) {
      if (resp === 2) lua.lua_pushstring(L, reply.text);
      else {
        lua.lua_createtable(L, 0, 1);
        lua.lua_createtable(L, 0, 2);
        lua.lua_pushstring(L, reply.text);
        lua.lua_setfield(L, -2, to_luastring('string'));
        lua.lua_pushstring(L, reply.format);
        lua.lua_setfield(L, -2, to_luastring('format'));
        lua.lua_setfield(L, -2, to_luastring('verbatim_string'));
      }
      return;
    }
    if (reply instanceof BigNumberReply) {
      if (resp === 2) lua.lua_pushstring(L, reply.value.toString());
      else {
        lua.lua_createtable(L, 0, 1);
        lua.lua_pushstring(L, reply.value.toString());
        lua.lua_setfield(L, -2, to_luastring('big_number'));
      }
      return;
    }
    lua.lua_pushnil(L);
  }

  /** Lua value → Redis reply (luaReplyToRedisReply). */
  private toReply(sb: LuaSandbox, index: number, resp: 2 | 3, depth: number): Reply {
    const { lua, to_luastring } = sb.f;
    const L = sb.L;
    const t = lua.lua_type(L, index);
    switch (t) {
      case T_STRING: {
        const bytes = lua.lua_tolstring(L, index) as Uint8Array;
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
      }
      case T_BOOLEAN:
        if (resp === 2) return lua.lua_toboolean(L, index) ? 1 : null;
        return new BoolReply(lua.lua_toboolean(L, index));
      case T_NUMBER:
        return luaNumberToInteger(lua.lua_tonumber(L, index));
      case T_TABLE:
        break;
      default:
        return null;
    }
    lua.lua_checkstack(L, 4);
    const abs = lua.lua_absindex(L, index);
    const field = (name: string): number => {
      lua.lua_getfield(L, abs, to_luastring(name));
      return lua.lua_type(L, -1);
    };
    if (field('err') === T_STRING) {
      const text = sb.toText(-1);
      lua.lua_pop(L, 1);
      return new ReplyError(errorLine(lua51Message(text)));
    }
    lua.lua_pop(L, 1);
    if (field('ok') === T_STRING) {
      const text = cString(sb.toText(-1)).replace(/[\r\n]/g, ' ');
      lua.lua_pop(L, 1);
      return new StatusReply(text);
    }
    lua.lua_pop(L, 1);
    if (field('double') === T_NUMBER) {
      const v = lua.lua_tonumber(L, -1);
      lua.lua_pop(L, 1);
      return new DoubleReply(v);
    }
    lua.lua_pop(L, 1);
    if (field('big_number') === T_STRING) {
      const text = sb.toText(-1);
      lua.lua_pop(L, 1);
      try {
        return new BigNumberReply(BigInt(text));
      } catch {
        return text;
      }
    }
    lua.lua_pop(L, 1);
    if (field('map') === T_TABLE) {
      const entries: Array<[Reply, Reply]> = [];
      const map = lua.lua_absindex(L, -1);
      lua.lua_pushnil(L);
      while (lua.lua_next(L, map) !== 0) {
        const k = this.toReply(sb, -2, resp, depth + 1);
        const v = this.toReply(sb, -1, resp, depth + 1);
        entries.push([k, v]);
        lua.lua_pop(L, 1);
      }
      lua.lua_pop(L, 1);
      return new MapReply(entries);
    }
    lua.lua_pop(L, 1);
    if (field('set') === T_TABLE) {
      const items: Reply[] = [];
      const set = lua.lua_absindex(L, -1);
      lua.lua_pushnil(L);
      while (lua.lua_next(L, set) !== 0) {
        items.push(this.toReply(sb, -2, resp, depth + 1));
        lua.lua_pop(L, 1);
      }
      lua.lua_pop(L, 1);
      return new SetReply(items);
    }
    lua.lua_pop(L, 1);
    if (field('verbatim_string') === T_TABLE) {
      lua.lua_getfield(L, -1, to_luastring('format'));
      lua.lua_getfield(L, -2, to_luastring('string'));
      if (lua.lua_type(L, -2) === T_STRING && lua.lua_type(L, -1) === T_STRING) {
        const reply = new VerbatimReply(sb.toText(-2), sb.toText(-1));
        lua.lua_pop(L, 3);
        return reply;
      }
      lua.lua_pop(L, 2);
    }
    lua.lua_pop(L, 1);
    const items: Reply[] = [];
    for (let i = 1; ; i++) {
      lua.lua_rawgeti(L, abs, i);
      if (lua.lua_type(L, -1) === 0) {
        lua.lua_pop(L, 1);
        break;
      }
      items.push(this.toReply(sb, -1, resp, depth + 1));
      lua.lua_pop(L, 1);
    }
    return items;
  }
}

/** `(long long)` of a Lua number, as x86 converts: out-of-range and NaN give INT64_MIN. */
export function luaNumberToInteger(x: number): number | bigint {
  const t = Math.trunc(x);
  if (Number.isSafeInteger(t)) return t === 0 ? 0 : t;
  if (!(t >= -9223372036854775808 && t < 9223372036854775808)) return -9223372036854775808n;
  return BigInt(t);
}

/**
 * Pushes Redis's error table for an error reply text: `-CODE msg` keeps its code, text without a
 * leading '-' gets `ERR` (luaPushError's two formats).
 */
function pushErrorTable(sb: LuaSandbox, L: L, text: string): void {
  const { lua, to_luastring } = sb.f;
  let message: string;
  if (text.startsWith('-')) {
    const space = text.indexOf(' ');
    message = space < 0 ? `ERR ${text.slice(1)}` : `${text.slice(1, space)} ${text.slice(space + 1)}`;
  } else message = `ERR ${text}`;
  message = message.replace(/[\r\n]+$/, '');
  lua.lua_createtable(L, 0, 1);
  lua.lua_pushstring(L, to_luastring(message));
  lua.lua_setfield(L, -2, to_luastring('err'));
}

/** The message of a Lua error value (string, or a table's `err`). */
function errorText(sb: LuaSandbox, index: number): string {
  const { lua, to_luastring } = sb.f;
  const L = sb.L;
  if (lua.lua_type(L, index) === T_TABLE) {
    lua.lua_getfield(L, index, to_luastring('err'));
    const text = sb.toText(-1);
    lua.lua_pop(L, 1);
    return lua51Message(text);
  }
  return lua51Message(sb.toText(index));
}

/**
 * Lua 5.3 names the variable after the type (`attempt to call a nil value (global 'f')`); Lua 5.1,
 * which Redis runs, names it first (`attempt to call global 'f' (a nil value)`).
 */
/** A Lua string as Redis reads it with a C `%s`: up to the first NUL byte. */
function cString(text: string): string {
  const nul = text.indexOf('\u0000');
  return nul < 0 ? text : text.slice(0, nul);
}

/**
 * An error text a script returns (`redis.error_reply`, `{err = …}`) as Redis sends it
 * (luaReplyToRedisReply → addReplyErrorFormat "-%s"): up to the first NUL, newlines at the end
 * trimmed, the others turned into spaces (a leading one too: the "-" ahead of it keeps it from the trim).
 */
function errorLine(text: string): string {
  return cString(text).replace(/[\r\n]+$/, '').replace(/[\r\n]/g, ' ');
}

export function lua51Message(text: string): string {
  return text.replace(
    /attempt to ([a-z ]+?) a ([a-z]+) value \((global|local|field|upvalue|method|constant) '([^']*)'\)/g,
    (_m, op: string, type: string, kind: string, name: string) =>
      kind === 'constant' ? `attempt to ${op} a ${type} value` : `attempt to ${op} ${kind} '${name}' (a ${type} value)`,
  );
}

/** `#!lua flags=…` at the top of an EVAL script. */
function parseShebang(body: Buffer): { flags: ScriptFlags; shebang: boolean; code: Buffer } {
  if (body.length < 2 || body[0] !== 0x23 || body[1] !== 0x21) return { flags: NO_FLAGS, shebang: false, code: body };
  const end = body.indexOf(0x0a);
  const line = body.subarray(0, end < 0 ? body.length : end).toString('utf8');
  const parts = line.slice(2).split(' ').filter((p) => p !== '');
  if (parts[0] !== 'lua') throw new ReplyError(`ERR Unexpected engine in script shebang: ${parts[0] ?? ''}`);
  let flags: ScriptFlags = { ...NO_FLAGS };
  for (const part of parts.slice(1)) {
    if (!part.startsWith('flags=')) throw new ReplyError(`ERR Unknown lua shebang option: ${part}`);
    const names = part.slice(6) === '' ? [] : part.slice(6).split(',');
    const parsed = parseFlagNames(names);
    if (parsed === null) throw new ReplyError(`ERR Unexpected flag in script shebang: ${names.find((n) => FLAG_NAMES[n] === undefined)}`);
    flags = parsed;
  }
  // The shebang line stays a (blank) line, so line numbers match.
  const code = Buffer.concat([Buffer.from(' '.repeat(0)), end < 0 ? Buffer.alloc(0) : body.subarray(end)]);
  return { flags, shebang: true, code };
}

/** `#!<engine> name=<lib> …` at the top of a FUNCTION LOAD payload. */
function parseLibraryShebang(code: Buffer): { name: string; body: Buffer } {
  if (code.length < 2 || code[0] !== 0x23 || code[1] !== 0x21) throw new ReplyError('ERR Missing library metadata');
  const end = code.indexOf(0x0a);
  const line = code.subarray(0, end < 0 ? code.length : end).toString('utf8');
  const parts = line.slice(2).split(' ').filter((p) => p !== '');
  if (parts.length === 0) throw new ReplyError('ERR Invalid library metadata');
  if (parts[0].toLowerCase() !== 'lua') throw new ReplyError(`ERR Engine '${parts[0]}' not found`);
  let name: string | null = null;
  for (const part of parts.slice(1)) {
    if (part.startsWith('name=')) name = part.slice(5);
    else throw new ReplyError(`ERR Invalid metadata value given: ${part}`);
  }
  if (name === null) throw new ReplyError('ERR Library name was not given');
  if (!/^[A-Za-z0-9_]+$/.test(name)) {
    throw new ReplyError('ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long');
  }
  const body = end < 0 ? Buffer.alloc(0) : code.subarray(end);
  return { name, body };
}

const engines = new WeakMap<CacheCore, ScriptingEngine>();

/** The scripting engine of a cache if something already made it (export needs no Lua VM). */
export function existingScripting(cache: CacheCore): ScriptingEngine | undefined {
  return engines.get(cache);
}

/** The scripting engine of a cache (made on first use). */
export function scriptingOf(cache: CacheCore): ScriptingEngine {
  let engine = engines.get(cache);
  if (engine === undefined) engines.set(cache, (engine = new ScriptingEngine(cache)));
  return engine;
}

export { formatLuaNumber };
