/**
 * One Lua state with Redis's script environment: the Lua 5.1 library names scripts use, `redis.*`,
 * `cjson`, `cmsgpack`, `bit`, `struct`, read-only globals and library tables, and the error handler
 * that records where an error happened (`script: <sha>, on @user_script:1.`).
 */
import { createHash } from 'node:crypto';
import { fengari, type Fengari } from './lua-vm.js';
import { installLibraries } from './libraries.js';

/** Lua type tags (Lua's C API numbering). */
export const T_NIL = 0;
export const T_BOOLEAN = 1;
export const T_LIGHTUSERDATA = 2;
export const T_NUMBER = 3;
export const T_STRING = 4;
export const T_TABLE = 5;
export const T_FUNCTION = 6;

/** A JavaScript function callable from Lua: reads its arguments off the stack, returns the number of results. */
export type LuaFunction = (L: unknown) => number;

/** The environment the bootstrap builds, in Lua (our own code, run once per state). */
const BOOTSTRAP = `
local js, dbg, kind = ...
local G = _G
local error, type, tostring, setmetatable, rawget, next, pairs = error, type, tostring, setmetatable, rawget, next, pairs
local getinfo = dbg.getinfo

-- Lua 5.1 names Redis scripts rely on
G.unpack = table.unpack
table.getn = function(t) return #t end
table.setn = function() error("'setn' is obsolete", 2) end
table.maxn = function(t)
  local n = 0
  for k in pairs(t) do if type(k) == 'number' and k > n then n = k end end
  return n
end
table.foreach = function(t, f)
  for k, v in pairs(t) do local r = f(k, v) if r ~= nil then return r end end
end
table.foreachi = function(t, f)
  for i = 1, #t do local r = f(i, t[i]) if r ~= nil then return r end end
end
table.pack, table.unpack, table.move = nil, nil, nil
math.mod = math.fmod
math.pow = function(a, b) return a ^ b end
math.log10 = function(x) return math.log(x, 10) end
math.ldexp = function(m, e) return m * 2 ^ e end
for _, name in ipairs({ 'floor', 'ceil', 'frexp', 'cosh', 'sinh', 'tanh', 'random', 'randomseed' }) do
  if js[name] then math[name] = js[name] end
end
math.tointeger, math.type, math.ult, math.maxinteger, math.mininteger = nil, nil, nil, nil, nil
string.gfind = string.gmatch
string.pack, string.unpack, string.packsize = nil, nil, nil
if js.format then string.format = js.format end
local load = load
G.loadstring = function(s, name) return load(s, name, 't') end
G.load = function(f, name) return load(f, name, 't') end
G.gcinfo = function() return math.floor(collectgarbage('count')) end
coroutine.isyieldable = nil
G.print, G.dofile, G.loadfile, G.require, G.package, G.utf8, G.debug, G.os, G.io = nil, nil, nil, nil, nil, nil, nil, nil, nil
G._VERSION = 'Lua 5.1'

local function readonly() error('Attempt to modify a readonly table', 2) end
local function missing(_, k) error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2) end
local function protect(t)
  return setmetatable({}, { __index = t, __newindex = readonly, __pairs = function() return next, t, nil end, __len = function() return #t end })
end

for _, name in ipairs({ 'string', 'table', 'math', 'coroutine', 'cjson', 'cmsgpack', 'bit', 'struct' }) do
  G[name] = protect(G[name])
end

local function api(fields, strict)
  local r = {}
  if strict then setmetatable(r, { __index = missing }) end
  for k, v in pairs(fields) do r[k] = v end
  r.LOG_DEBUG, r.LOG_VERBOSE, r.LOG_NOTICE, r.LOG_WARNING = 0, 1, 2, 3
  r.REDIS_VERSION, r.REDIS_VERSION_NUM = js.version, js.version_num
  return protect(r)
end

local run_redis = api({
  call = js.call, pcall = js.pcall, sha1hex = js.sha1hex, error_reply = js.error_reply,
  status_reply = js.status_reply, log = js.log, setresp = js.setresp, set_repl = js.set_repl,
  replicate_commands = js.replicate_commands, breakpoint = js.breakpoint, debug = js.debug,
  acl_check_cmd = js.acl_check_cmd,
  REPL_NONE = 0, REPL_AOF = 1, REPL_SLAVE = 2, REPL_REPLICA = 2, REPL_ALL = 3,
})

-- The runtime globals; the globals table scripts see is an empty proxy in front of them.
local run_env = {}
for k, v in pairs(G) do run_env[k] = v end
run_env.redis = run_redis
setmetatable(run_env, { __index = missing })

local load_env
if kind == 'function' then
  load_env = {}
  for k, v in pairs(G) do load_env[k] = v end
  load_env.redis = api({ register_function = js.register_function, log = js.log, setresp = js.setresp }, true)
  setmetatable(load_env, { __index = missing })
end

local proxy_meta = { __index = run_env, __newindex = readonly }
local proxy = setmetatable({}, proxy_meta)
run_env._G = proxy
if load_env then load_env._G = proxy end

local function use(env) proxy_meta.__index = env == 'load' and load_env or run_env end

local function handler(err)
  local i
  for level = 2, 4 do
    i = getinfo(level, 'Sl')
    if not i or (i.what ~= 'C' and i.what ~= 'J' and i.source ~= '=bootstrap') then break end
  end
  if type(err) ~= 'table' then err = { err = 'ERR ' .. tostring(err) } end
  if i and i.currentline and i.currentline >= 0 then
    err.source = i.source
    err.line = i.currentline
  end
  return err
end

return proxy, run_env, handler, use
`;

export class LuaSandbox {
  readonly f: Fengari;
  readonly L: unknown;
  /** Registry references of the runtime environment table, the error handler and the env switch. */
  private readonly runEnvRef: number;
  readonly handlerRef: number;
  private readonly useRef: number;
  /** Registry reference of the globals proxy (the `_ENV` of every chunk). */
  private readonly proxyRef: number;

  constructor(kind: 'eval' | 'function', functions: Record<string, LuaFunction>) {
    const f = (this.f = fengari());
    const { lua, lauxlib, lualib } = f;
    const L = (this.L = lauxlib.luaL_newstate());
    for (const [name, open] of [
      ['_G', lualib.luaopen_base],
      ['table', lualib.luaopen_table],
      ['string', lualib.luaopen_string],
      ['math', lualib.luaopen_math],
      ['coroutine', lualib.luaopen_coroutine],
    ] as const) {
      lauxlib.luaL_requiref(L, f.to_luastring(name), open, 1);
      lua.lua_pop(L, 1);
    }
    installLibraries(this);
    // The bootstrap chunk and its arguments: the JS functions, the debug library, the kind.
    this.load(BOOTSTRAP, '=bootstrap');
    lua.lua_createtable(L, 0, 32);
    for (const [name, fn] of Object.entries(functions)) {
      this.pushFunction(fn);
      lua.lua_setfield(L, -2, f.to_luastring(name));
    }
    lua.lua_pushstring(L, f.to_luastring('7.4.3'));
    lua.lua_setfield(L, -2, f.to_luastring('version'));
    lua.lua_pushnumber(L, 0x070403);
    lua.lua_setfield(L, -2, f.to_luastring('version_num'));
    lauxlib.luaL_requiref(L, f.to_luastring('debug'), lualib.luaopen_debug, 0);
    lua.lua_pushstring(L, f.to_luastring(kind));
    if (lua.lua_pcall(L, 3, 4, 0) !== 0) throw new Error(`Lua bootstrap failed: ${this.toText(-1)}`);
    this.useRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    this.handlerRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    this.runEnvRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    lua.lua_pushvalue(L, -1);
    this.proxyRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    // Chunks loaded from now on get the proxy as their globals.
    lua.lua_rawseti(L, lua.LUA_REGISTRYINDEX, lua.LUA_RIDX_GLOBALS);
  }

  /** Pushes a JS function, turning JS exceptions that are not Lua errors into Lua errors. */
  pushFunction(fn: LuaFunction): void {
    this.f.lua.lua_pushjsfunction(this.L, fn);
  }

  /** Compiles `source` as a chunk named `name`; pushes the function or throws the Lua message. */
  load(source: string | Buffer, name: string): void {
    const { lua, lauxlib, to_luastring } = this.f;
    const bytes = typeof source === 'string' ? Buffer.from(source, 'utf8') : source;
    const status = lauxlib.luaL_loadbuffer(this.L, bytes, bytes.length, to_luastring(name));
    if (status !== 0) {
      const message = this.toText(-1);
      lua.lua_pop(this.L, 1);
      throw new LuaCompileError(message);
    }
  }

  /** The value at `index` as JS text (UTF-8 decoding of a string; tostring otherwise). */
  toText(index: number): string {
    const bytes = this.f.lua.lua_tolstring(this.L, index);
    return bytes === null || bytes === undefined ? String(bytes) : Buffer.from(bytes).toString('utf8');
  }

  /** Sets a field of the runtime environment (KEYS, ARGV) without the read-only check. */
  setRunGlobal(name: Uint8Array): void {
    const { lua } = this.f;
    lua.lua_rawgeti(this.L, lua.LUA_REGISTRYINDEX, this.runEnvRef);
    lua.lua_insert(this.L, -2);
    lua.lua_setfield(this.L, -2, name);
    lua.lua_pop(this.L, 1);
  }

  /** Switches the globals between the library-loading API and the runtime API (functions). */
  useEnvironment(env: 'load' | 'run'): void {
    const { lua, to_luastring } = this.f;
    lua.lua_rawgeti(this.L, lua.LUA_REGISTRYINDEX, this.useRef);
    lua.lua_pushstring(this.L, to_luastring(env));
    lua.lua_call(this.L, 1, 0);
  }

  /** SHA1 hex of bytes, as `redis.sha1hex` and the script cache compute it. */
  static sha1(bytes: Uint8Array | string): string {
    return createHash('sha1').update(bytes).digest('hex');
  }
}

/** A compile error's Lua message (`user_script:1: unexpected symbol near '<eof>'`). */
export class LuaCompileError extends Error {}
