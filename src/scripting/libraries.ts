/**
 * The libraries Redis loads into its Lua state, written here in TypeScript against the behaviour
 * Redis documents: `cjson` (lua-cjson's encoding and error texts), `cmsgpack` (lua-cmsgpack),
 * `bit` (LuaBitOp: 32-bit results, numbers folded as LuaBitOp folds them) and `struct`
 * (binary packing), plus the numeric helpers that keep Lua 5.1's float-only numbers.
 */
import type { LuaSandbox } from './sandbox.js';
import { formatLuaNumber } from './lua-vm.js';
import { T_BOOLEAN, T_LIGHTUSERDATA, T_NIL, T_NUMBER, T_STRING, T_TABLE } from './sandbox.js';

type L = unknown;

/** Raises a Lua error with the caller's position (`user_script:1: msg`), as luaL_error does. */
export function raise(sb: LuaSandbox, L: L, message: string): never {
  const { lua, lauxlib, to_luastring } = sb.f;
  lauxlib.luaL_where(L, 1);
  lua.lua_pushstring(L, to_luastring(message));
  lua.lua_concat(L, 2);
  lua.lua_error(L);
  throw new Error('unreachable');
}

const TYPE_NAMES = ['nil', 'boolean', 'userdata', 'number', 'string', 'table', 'function', 'userdata', 'thread'];

export function typeName(sb: LuaSandbox, L: L, index: number): string {
  const t = sb.f.lua.lua_type(L, index);
  return t < 0 ? 'no value' : TYPE_NAMES[t];
}

/** luaL_checknumber with Lua 5.1's message. */
export function checkNumber(sb: LuaSandbox, L: L, index: number, fname: string): number {
  const { lua } = sb.f;
  const t = lua.lua_type(L, index);
  if (t === T_NUMBER) return lua.lua_tonumber(L, index);
  if (t === T_STRING) {
    const n = lua.lua_tonumberx(L, index, null);
    if (n !== false && n !== null && n !== undefined && lua.lua_isnumber(L, index)) return lua.lua_tonumber(L, index);
  }
  return raise(sb, L, `bad argument #${index} to '${fname}' (number expected, got ${typeName(sb, L, index)})`);
}

/** luaL_checklstring with Lua 5.1's message; numbers are accepted as their text. */
export function checkBytes(sb: LuaSandbox, L: L, index: number, fname: string): Uint8Array {
  const { lua } = sb.f;
  const t = lua.lua_type(L, index);
  if (t === T_STRING || t === T_NUMBER) return lua.lua_tolstring(L, index);
  return raise(sb, L, `bad argument #${index} to '${fname}' (string expected, got ${typeName(sb, L, index)})`);
}

function pushBytes(sb: LuaSandbox, L: L, bytes: Uint8Array): void {
  sb.f.lua.lua_pushlstring(L, bytes, bytes.length);
}

/** Registers `fns` as a global table `name` in the state's real globals. */
function register(sb: LuaSandbox, name: string, fns: Record<string, (L: L) => number>, extra?: (L: L) => void): void {
  const { lua, to_luastring } = sb.f;
  const L = sb.L;
  lua.lua_createtable(L, 0, Object.keys(fns).length);
  for (const [key, fn] of Object.entries(fns)) {
    sb.pushFunction(fn);
    lua.lua_setfield(L, -2, to_luastring(key));
  }
  extra?.(L);
  lua.lua_setglobal(L, to_luastring(name));
}

// ---------------------------------------------------------------------------------------------
// bit (LuaBitOp)

const foldBuffer = new Float64Array(1);
const foldWords = new Int32Array(foldBuffer.buffer);

/** LuaBitOp's number → 32-bit fold: add 2^52 + 2^51 and keep the low word of the double. */
export function tobit(x: number): number {
  foldBuffer[0] = x + 6755399441055744;
  return foldWords[0];
}

function bitLibrary(sb: LuaSandbox): void {
  const { lua } = sb.f;
  const arg = (L: L, i: number, name: string): number => tobit(checkNumber(sb, L, i, name));
  const push = (L: L, v: number): number => {
    lua.lua_pushnumber(L, v | 0);
    return 1;
  };
  const variadic = (name: string, op: (a: number, b: number) => number) => (L: L) => {
    let acc = arg(L, 1, name);
    const n = lua.lua_gettop(L);
    for (let i = 2; i <= n; i++) acc = op(acc, arg(L, i, name));
    return push(L, acc);
  };
  register(sb, 'bit', {
    tobit: (L) => push(L, arg(L, 1, 'tobit')),
    bnot: (L) => push(L, ~arg(L, 1, 'bnot')),
    band: variadic('band', (a, b) => a & b),
    bor: variadic('bor', (a, b) => a | b),
    bxor: variadic('bxor', (a, b) => a ^ b),
    lshift: (L) => push(L, arg(L, 1, 'lshift') << (arg(L, 2, 'lshift') & 31)),
    rshift: (L) => push(L, arg(L, 1, 'rshift') >>> (arg(L, 2, 'rshift') & 31)),
    arshift: (L) => push(L, arg(L, 1, 'arshift') >> (arg(L, 2, 'arshift') & 31)),
    rol: (L) => {
      const x = arg(L, 1, 'rol');
      const n = arg(L, 2, 'rol') & 31;
      return push(L, (x << n) | (x >>> (32 - n)));
    },
    ror: (L) => {
      const x = arg(L, 1, 'ror');
      const n = arg(L, 2, 'ror') & 31;
      return push(L, (x >>> n) | (x << (32 - n)));
    },
    bswap: (L) => {
      const x = arg(L, 1, 'bswap');
      return push(L, ((x >>> 24) & 0xff) | ((x >>> 8) & 0xff00) | ((x & 0xff00) << 8) | (x << 24));
    },
    tohex: (L) => {
      let x = arg(L, 1, 'tohex');
      let n = lua.lua_isnoneornil(L, 2) ? 8 : arg(L, 2, 'tohex');
      let digits = '0123456789abcdef';
      if (n < 0) {
        n = -n;
        digits = '0123456789ABCDEF';
      }
      if (n > 8) n = 8;
      let out = '';
      for (let i = 0; i < n; i++) {
        out = digits[x & 15] + out;
        x >>>= 4;
      }
      lua.lua_pushstring(L, sb.f.to_luastring(out));
      return 1;
    },
  });
}

// ---------------------------------------------------------------------------------------------
// math helpers that keep results floats (Lua 5.1 has no integer subtype)

function mathHelpers(sb: LuaSandbox): Record<string, (L: L) => number> {
  const { lua } = sb.f;
  const one = (name: string, fn: (x: number) => number) => (L: L) => {
    lua.lua_pushnumber(L, fn(checkNumber(sb, L, 1, name)));
    return 1;
  };
  return {
    floor: one('floor', Math.floor),
    ceil: one('ceil', Math.ceil),
    cosh: one('cosh', Math.cosh),
    sinh: one('sinh', Math.sinh),
    tanh: one('tanh', Math.tanh),
    frexp: (L) => {
      const x = checkNumber(sb, L, 1, 'frexp');
      if (x === 0 || !Number.isFinite(x)) {
        lua.lua_pushnumber(L, x);
        lua.lua_pushnumber(L, 0);
        return 2;
      }
      let e = Math.max(-1073, Math.floor(Math.log2(Math.abs(x))) + 1);
      let m = x * 2 ** -e;
      while (Math.abs(m) < 0.5) {
        m *= 2;
        e--;
      }
      while (Math.abs(m) >= 1) {
        m /= 2;
        e++;
      }
      lua.lua_pushnumber(L, m);
      lua.lua_pushnumber(L, e);
      return 2;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// string.format with C's printf conversions (Lua 5.1: integer conversions truncate)

function formatFunction(sb: LuaSandbox): (L: L) => number {
  const { lua } = sb.f;
  return (L: L) => {
    const fmt = Buffer.from(checkBytes(sb, L, 1, 'format')).toString('latin1');
    const top = lua.lua_gettop(L);
    let argIndex = 1;
    let out = '';
    for (let i = 0; i < fmt.length; i++) {
      const c = fmt[i];
      if (c !== '%') {
        out += c;
        continue;
      }
      if (fmt[i + 1] === '%') {
        out += '%';
        i++;
        continue;
      }
      const spec = /^([-+ #0]*)(\d*)(?:\.(\d*))?([a-zA-Z])/.exec(fmt.slice(i + 1));
      if (spec === null) return raise(sb, L, `invalid option '%${fmt[i + 1] ?? ''}' to 'format'`);
      i += spec[0].length;
      const [, flags, widthText, precisionText, conv] = spec;
      argIndex++;
      if (argIndex > top && conv !== '%') return raise(sb, L, `bad argument #${argIndex} to 'format' (no value)`);
      let body: string;
      switch (conv) {
        case 'd':
        case 'i': {
          const n = Math.trunc(checkNumber(sb, L, argIndex, 'format'));
          body = intText(n, flags, precisionText);
          break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
          let n = BigInt(Math.trunc(checkNumber(sb, L, argIndex, 'format')));
          if (n < 0n) n += 1n << 64n;
          body = n.toString(conv === 'o' ? 8 : conv === 'u' ? 10 : 16);
          if (conv === 'X') body = body.toUpperCase();
          if (precisionText !== undefined) body = body.padStart(Number(precisionText), '0');
          if (flags.includes('#') && n !== 0n && conv !== 'u') body = (conv === 'o' ? '0' : conv === 'x' ? '0x' : '0X') + body;
          break;
        }
        case 'c':
          body = String.fromCharCode(Math.trunc(checkNumber(sb, L, argIndex, 'format')) & 0xff);
          break;
        case 'e':
        case 'E':
        case 'f':
        case 'F':
        case 'g':
        case 'G':
          body = floatText(checkNumber(sb, L, argIndex, 'format'), conv, flags, precisionText);
          break;
        case 'q':
          body = quoted(Buffer.from(checkBytes(sb, L, argIndex, 'format')).toString('latin1'));
          break;
        case 's': {
          lua.lua_getglobal(L, sb.f.to_luastring('tostring'));
          lua.lua_pushvalue(L, argIndex);
          lua.lua_call(L, 1, 1);
          body = Buffer.from(lua.lua_tolstring(L, -1)).toString('latin1');
          lua.lua_pop(L, 1);
          if (precisionText !== undefined) body = body.slice(0, Number(precisionText));
          break;
        }
        default:
          return raise(sb, L, `invalid option '%${conv}' to 'format'`);
      }
      const width = widthText === '' ? 0 : Number(widthText);
      if (body.length < width) {
        if (flags.includes('-')) body = body.padEnd(width, ' ');
        else if (flags.includes('0') && 'dieEfFgGxXuo'.includes(conv) && Number.isFinite(Number(body.replace(/^[-+ ]/, ''))) ) {
          const sign = /^[-+ ]/.test(body) ? body[0] : '';
          body = sign + body.slice(sign.length).padStart(width - sign.length, '0');
        } else body = body.padStart(width, ' ');
      }
      out += body;
    }
    const bytes = Buffer.from(out, 'latin1');
    lua.lua_pushlstring(L, bytes, bytes.length);
    return 1;
  };
}

function intText(n: number, flags: string, precision: string | undefined): string {
  let digits = Math.abs(n) < 2 ** 63 ? BigInt(n) : n < 0 ? -(1n << 63n) : -(1n << 63n);
  const negative = digits < 0n;
  if (negative) digits = -digits;
  let body = digits.toString();
  if (precision !== undefined) body = body.padStart(Number(precision), '0');
  return (negative ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '') + body;
}

function floatText(x: number, conv: string, flags: string, precisionText: string | undefined): string {
  const precision = precisionText === undefined ? 6 : Number(precisionText || '0');
  const sign = x < 0 || Object.is(x, -0) ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
  const a = Math.abs(x);
  let body: string;
  if (!Number.isFinite(a)) body = Number.isNaN(a) ? 'nan' : 'inf';
  else if (conv === 'f' || conv === 'F') body = a.toFixed(precision);
  else if (conv === 'e' || conv === 'E') body = expText(a, precision);
  else {
    const p = precision === 0 ? 1 : precision;
    const e = a === 0 ? 0 : Math.floor(Math.log10(Number(a.toExponential(p - 1))));
    body = e < -4 || e >= p ? expText(a, p - 1) : a.toFixed(Math.max(0, p - 1 - e));
    if (!flags.includes('#') && body.includes('.')) body = body.replace(/\.?0+(?=e|$)/, '');
  }
  if (conv === 'E' || conv === 'G' || conv === 'F') body = body.toUpperCase();
  return sign + body;
}

function expText(a: number, precision: number): string {
  const [m, e] = a.toExponential(precision).split('e');
  const exp = Number(e);
  return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

function quoted(s: string): string {
  let out = '"';
  for (const ch of s) {
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\0') out += '\\000';
    else out += ch;
  }
  return out + '"';
}

// ---------------------------------------------------------------------------------------------
// cjson (lua-cjson as Redis bundles it)

const JSON_MAX_DEPTH = 1000;
const INT_MAX = 2147483647;

/** lua-cjson's per-state settings, changed by `cjson.encode_max_depth(n)` and friends. */
interface CjsonConfig {
  encodeMaxDepth: number;
  decodeMaxDepth: number;
  numberPrecision: number;
  sparseConvert: boolean;
  sparseRatio: number;
  sparseSafe: number;
  /** false: refuse NaN/Inf; true: write them as `nan`/`inf`; 'null': write `null`. */
  encodeInvalidNumbers: boolean | 'null';
  decodeInvalidNumbers: boolean;
  /** Whether lua-cjson keeps its encode buffer between calls: only memory reuse, nothing visible. */
  keepBuffer: boolean;
}

function cjsonLibrary(sb: LuaSandbox): void {
  const { lua, to_luastring } = sb.f;
  // cjson.null: a light userdata, as in lua-cjson.
  const NULL = { cjsonNull: true };
  const cfg: CjsonConfig = {
    encodeMaxDepth: JSON_MAX_DEPTH,
    decodeMaxDepth: JSON_MAX_DEPTH,
    numberPrecision: 14,
    sparseConvert: false,
    sparseRatio: 2,
    sparseSafe: 10,
    encodeInvalidNumbers: false,
    decodeInvalidNumbers: true,
    keepBuffer: true,
  };

  /** `json_verify_arg_count`. */
  const maxArgs = (L: L, name: string, n: number): void => {
    if (lua.lua_gettop(L) > n) raise(sb, L, `bad argument #${n + 1} to '${name}' (found too many arguments)`);
  };
  /** `json_integer_option`: reads an optional integer in [min, max]; returns the (new) value. */
  const integerOption = (L: L, name: string, index: number, current: number, min: number, max: number): number => {
    if (lua.lua_type(L, index) <= T_NIL) return current;
    if (lua.lua_type(L, index) !== T_NUMBER && !lua.lua_isnumber(L, index)) {
      raise(sb, L, `bad argument #${index} to '${name}' (number expected, got ${typeName(sb, L, index)})`);
    }
    const value = Math.trunc(lua.lua_tonumber(L, index));
    if (value < min || value > max) raise(sb, L, `bad argument #${index} to '${name}' (expected integer between ${min} and ${max})`);
    return value;
  };
  /** `json_enum_option`: a boolean, or one of `options` by name; returns the option's index. */
  const enumOption = (L: L, name: string, index: number, current: number, options: readonly string[]): number => {
    const t = lua.lua_type(L, index);
    if (t <= T_NIL) return current;
    if (t === T_BOOLEAN) return lua.lua_toboolean(L, index) ? 1 : 0;
    const text = t === T_STRING || t === T_NUMBER ? Buffer.from(lua.lua_tolstring(L, index)).toString('latin1') : null;
    const found = text === null ? -1 : options.indexOf(text);
    if (found < 0) {
      if (text === null) raise(sb, L, `bad argument #${index} to '${name}' (string expected, got ${typeName(sb, L, index)})`);
      raise(sb, L, `bad argument #${index} to '${name}' (invalid option '${text}')`);
    }
    return found;
  };
  const pushNumbers = (L: L, ...values: number[]): number => {
    for (const v of values) lua.lua_pushnumber(L, v);
    return values.length;
  };

  const encodeValue = (L: L, index: number, depth: number, out: string[]): void => {
    const t = lua.lua_type(L, index);
    switch (t) {
      case T_STRING:
        out.push(jsonString(lua.lua_tolstring(L, index)));
        return;
      case T_NUMBER: {
        const n = lua.lua_tonumber(L, index);
        if (!Number.isFinite(n)) {
          if (cfg.encodeInvalidNumbers === false) raise(sb, L, 'Cannot serialise number: must not be NaN or Inf');
          out.push(cfg.encodeInvalidNumbers === 'null' ? 'null' : Number.isNaN(n) ? 'nan' : n > 0 ? 'inf' : '-inf');
          return;
        }
        out.push(formatLuaNumber(n, cfg.numberPrecision));
        return;
      }
      case T_BOOLEAN:
        out.push(lua.lua_toboolean(L, index) ? 'true' : 'false');
        return;
      case T_NIL:
        out.push('null');
        return;
      case T_LIGHTUSERDATA:
        if (lua.lua_touserdata(L, index) === NULL) {
          out.push('null');
          return;
        }
        break;
      case T_TABLE:
        encodeTable(L, index, depth + 1, out);
        return;
    }
    raise(sb, L, `Cannot serialise ${typeName(sb, L, index)}: type not supported`);
  };

  const encodeTable = (L: L, index: number, depth: number, out: string[]): void => {
    if (depth > cfg.encodeMaxDepth) raise(sb, L, `Cannot serialise, excessive nesting (${depth})`);
    lua.lua_checkstack(L, 4);
    const abs = lua.lua_absindex(L, index);
    // Array when every key is a positive integer (not too sparse), as lua-cjson decides.
    let max = 0;
    let items = 0;
    let isArray = true;
    lua.lua_pushnil(L);
    while (lua.lua_next(L, abs) !== 0) {
      lua.lua_pop(L, 1);
      if (isArray && lua.lua_type(L, -1) === T_NUMBER) {
        const k = lua.lua_tonumber(L, -1);
        if (Number.isInteger(k) && k >= 1) {
          if (k > max) max = k;
          items++;
          continue;
        }
      }
      isArray = false;
    }
    // lua-cjson: a sparse array is refused, or (encode_sparse_array(true)) written as an object.
    if (isArray && max > 0 && cfg.sparseRatio > 0 && max > items * cfg.sparseRatio && max > cfg.sparseSafe) {
      if (!cfg.sparseConvert) raise(sb, L, 'Cannot serialise table: excessively sparse array');
      isArray = false;
    }
    if (isArray && max > 0) {
      out.push('[');
      for (let i = 1; i <= max; i++) {
        if (i > 1) out.push(',');
        lua.lua_rawgeti(L, abs, i);
        encodeValue(L, -1, depth, out);
        lua.lua_pop(L, 1);
      }
      out.push(']');
      return;
    }
    out.push('{');
    let first = true;
    lua.lua_pushnil(L);
    while (lua.lua_next(L, abs) !== 0) {
      const kt = lua.lua_type(L, -2);
      let key: string;
      if (kt === T_STRING) key = jsonString(lua.lua_tolstring(L, -2));
      else if (kt === T_NUMBER) key = `"${formatLuaNumber(lua.lua_tonumber(L, -2), cfg.numberPrecision)}"`;
      else raise(sb, L, 'Cannot serialise table: table key must be a number or string');
      if (!first) out.push(',');
      first = false;
      out.push(key, ':');
      encodeValue(L, -1, depth, out);
      lua.lua_pop(L, 1);
    }
    out.push('}');
  };

  register(
    sb,
    'cjson',
    {
      encode: (L) => {
        if (lua.lua_gettop(L) !== 1) raise(sb, L, 'bad argument #1 to \'encode\' (expected 1 argument)');
        const out: string[] = [];
        encodeValue(L, 1, 0, out);
        const bytes = Buffer.from(out.join(''), 'latin1');
        pushBytes(sb, L, bytes);
        return 1;
      },
      decode: (L) => {
        if (lua.lua_gettop(L) !== 1) raise(sb, L, 'bad argument #1 to \'decode\' (expected 1 argument)');
        const bytes = checkBytes(sb, L, 1, 'decode');
        new JsonDecoder(sb, L, bytes, NULL, cfg.decodeMaxDepth, cfg.decodeInvalidNumbers).decodeDocument();
        return 1;
      },
      encode_keep_buffer: (L) => {
        maxArgs(L, 'encode_keep_buffer', 1);
        cfg.keepBuffer = enumOption(L, 'encode_keep_buffer', 1, cfg.keepBuffer ? 1 : 0, ['off', 'on']) === 1;
        lua.lua_pushboolean(L, cfg.keepBuffer);
        return 1;
      },
      encode_max_depth: (L) => {
        maxArgs(L, 'encode_max_depth', 1);
        cfg.encodeMaxDepth = integerOption(L, 'encode_max_depth', 1, cfg.encodeMaxDepth, 1, INT_MAX);
        return pushNumbers(L, cfg.encodeMaxDepth);
      },
      decode_max_depth: (L) => {
        maxArgs(L, 'decode_max_depth', 1);
        cfg.decodeMaxDepth = integerOption(L, 'decode_max_depth', 1, cfg.decodeMaxDepth, 1, INT_MAX);
        return pushNumbers(L, cfg.decodeMaxDepth);
      },
      encode_number_precision: (L) => {
        maxArgs(L, 'encode_number_precision', 1);
        cfg.numberPrecision = integerOption(L, 'encode_number_precision', 1, cfg.numberPrecision, 1, 14);
        return pushNumbers(L, cfg.numberPrecision);
      },
      encode_sparse_array: (L) => {
        maxArgs(L, 'encode_sparse_array', 3);
        cfg.sparseConvert = enumOption(L, 'encode_sparse_array', 1, cfg.sparseConvert ? 1 : 0, ['off', 'on']) === 1;
        cfg.sparseRatio = integerOption(L, 'encode_sparse_array', 2, cfg.sparseRatio, 0, INT_MAX);
        cfg.sparseSafe = integerOption(L, 'encode_sparse_array', 3, cfg.sparseSafe, 0, INT_MAX);
        lua.lua_pushboolean(L, cfg.sparseConvert);
        return 1 + pushNumbers(L, cfg.sparseRatio, cfg.sparseSafe);
      },
      encode_invalid_numbers: (L) => {
        maxArgs(L, 'encode_invalid_numbers', 1);
        const current = cfg.encodeInvalidNumbers === 'null' ? 2 : cfg.encodeInvalidNumbers ? 1 : 0;
        const chosen = enumOption(L, 'encode_invalid_numbers', 1, current, ['off', 'on', 'null']);
        cfg.encodeInvalidNumbers = chosen === 2 ? 'null' : chosen === 1;
        if (chosen === 2) lua.lua_pushstring(L, to_luastring('null'));
        else lua.lua_pushboolean(L, chosen === 1);
        return 1;
      },
      decode_invalid_numbers: (L) => {
        maxArgs(L, 'decode_invalid_numbers', 1);
        cfg.decodeInvalidNumbers = enumOption(L, 'decode_invalid_numbers', 1, cfg.decodeInvalidNumbers ? 1 : 0, ['off', 'on']) === 1;
        lua.lua_pushboolean(L, cfg.decodeInvalidNumbers);
        return 1;
      },
    },
    (L) => {
      lua.lua_pushlightuserdata(L, NULL);
      lua.lua_setfield(L, -2, to_luastring('null'));
      lua.lua_pushstring(L, to_luastring('cjson'));
      lua.lua_setfield(L, -2, to_luastring('_NAME'));
      lua.lua_pushstring(L, to_luastring('2.1.0'));
      lua.lua_setfield(L, -2, to_luastring('_VERSION'));
    },
  );
}

function jsonString(bytes: Uint8Array): string {
  // Bytes as latin1 chars; escapes as lua-cjson writes them (it escapes '/').
  let out = '"';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    switch (b) {
      case 0x22:
        out += '\\"';
        break;
      case 0x5c:
        out += '\\\\';
        break;
      case 0x2f:
        out += '\\/';
        break;
      case 0x08:
        out += '\\b';
        break;
      case 0x0c:
        out += '\\f';
        break;
      case 0x0a:
        out += '\\n';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x09:
        out += '\\t';
        break;
      default:
        out += b < 0x20 || b === 0x7f ? `\\u${b.toString(16).padStart(4, '0')}` : String.fromCharCode(b);
    }
  }
  return out + '"';
}

type Token =
  | { type: 'T_OBJ_BEGIN' | 'T_OBJ_END' | 'T_ARR_BEGIN' | 'T_ARR_END' | 'T_COLON' | 'T_COMMA' | 'T_END' | 'T_NULL'; at: number }
  | { type: 'T_STRING'; at: number; value: Uint8Array }
  | { type: 'T_NUMBER'; at: number; value: number }
  | { type: 'T_BOOLEAN'; at: number; value: boolean }
  | { type: 'T_ERROR'; at: number; message: string };

class JsonDecoder {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly sb: LuaSandbox,
    private readonly L: L,
    private readonly s: Uint8Array,
    private readonly nullValue: object,
    private readonly maxDepth: number = JSON_MAX_DEPTH,
    private readonly invalidNumbers: boolean = true,
  ) {}

  decodeDocument(): void {
    const s = this.s;
    if (s.length >= 2 && (s[0] === 0 || s[1] === 0)) raise(this.sb, this.L, 'JSON parser does not support UTF-16 or UTF-32');
    this.value(this.next());
    const end = this.next();
    if (end.type !== 'T_END') this.fail('the end', end);
  }

  private fail(expected: string, token: Token): never {
    const found = token.type === 'T_ERROR' ? token.message : token.type;
    return raise(this.sb, this.L, `Expected ${expected} but found ${found} at character ${token.at + 1}`);
  }

  private value(token: Token): void {
    const { lua } = this.sb.f;
    const L = this.L;
    lua.lua_checkstack(L, 4);
    switch (token.type) {
      case 'T_STRING':
        lua.lua_pushlstring(L, token.value, token.value.length);
        return;
      case 'T_NUMBER':
        lua.lua_pushnumber(L, token.value);
        return;
      case 'T_BOOLEAN':
        lua.lua_pushboolean(L, token.value);
        return;
      case 'T_NULL':
        lua.lua_pushlightuserdata(L, this.nullValue);
        return;
      case 'T_OBJ_BEGIN':
        this.object(token);
        return;
      case 'T_ARR_BEGIN':
        this.array(token);
        return;
      default:
        this.fail('value', token);
    }
  }

  private nest(token: Token): void {
    if (++this.depth > this.maxDepth) {
      raise(this.sb, this.L, `Found too many nested data structures (${this.depth}) at character ${token.at + 1}`);
    }
  }

  private object(open: Token): void {
    const { lua } = this.sb.f;
    this.nest(open);
    lua.lua_createtable(this.L, 0, 0);
    let token = this.next();
    if (token.type === 'T_OBJ_END') {
      this.depth--;
      return;
    }
    for (;;) {
      if (token.type !== 'T_STRING') this.fail('object key string', token);
      lua.lua_pushlstring(this.L, token.value, token.value.length);
      const colon = this.next();
      if (colon.type !== 'T_COLON') this.fail('colon', colon);
      this.value(this.next());
      lua.lua_rawset(this.L, -3);
      token = this.next();
      if (token.type === 'T_OBJ_END') break;
      if (token.type !== 'T_COMMA') this.fail('comma or object end', token);
      token = this.next();
    }
    this.depth--;
  }

  private array(open: Token): void {
    const { lua } = this.sb.f;
    this.nest(open);
    lua.lua_createtable(this.L, 0, 0);
    let token = this.next();
    if (token.type === 'T_ARR_END') {
      this.depth--;
      return;
    }
    for (let i = 1; ; i++) {
      this.value(token);
      lua.lua_rawseti(this.L, -2, i);
      token = this.next();
      if (token.type === 'T_ARR_END') break;
      if (token.type !== 'T_COMMA') this.fail('comma or array end', token);
      token = this.next();
    }
    this.depth--;
  }

  private next(): Token {
    const s = this.s;
    while (this.pos < s.length && (s[this.pos] === 0x20 || s[this.pos] === 0x09 || s[this.pos] === 0x0a || s[this.pos] === 0x0d)) this.pos++;
    const at = this.pos;
    if (at >= s.length) return { type: 'T_END', at };
    const c = s[at];
    const single: Record<number, Token['type']> = { 0x7b: 'T_OBJ_BEGIN', 0x7d: 'T_OBJ_END', 0x5b: 'T_ARR_BEGIN', 0x5d: 'T_ARR_END', 0x3a: 'T_COLON', 0x2c: 'T_COMMA' };
    if (single[c] !== undefined) {
      this.pos++;
      return { type: single[c], at } as Token;
    }
    if (c === 0x22) return this.string(at);
    if (c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x69 || c === 0x49 || c === 0x6e || c === 0x4e) {
      // strtod's number syntax (lua-cjson accepts inf/nan and hex here).
      const rest = Buffer.from(s.subarray(at, at + 400)).toString('latin1');
      if (c === 0x6e && rest.startsWith('null')) {
        this.pos += 4;
        return { type: 'T_NULL', at };
      }
      const m = /^[-+]?(?:0[xX][0-9a-fA-F]+|inf(?:inity)?|nan|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)/i.exec(rest);
      if (m === null) return { type: 'T_ERROR', at, message: 'invalid token' };
      this.pos += m[0].length;
      const text = m[0].toLowerCase();
      const negative = text.startsWith('-');
      const body = text.replace(/^[-+]/, '');
      let value: number;
      // decode_invalid_numbers(false): only plain decimal JSON numbers.
      if (!this.invalidNumbers && (body.startsWith('inf') || body === 'nan' || body.startsWith('0x'))) {
        return { type: 'T_ERROR', at, message: 'invalid number' };
      }
      if (body.startsWith('inf')) value = Infinity;
      else if (body === 'nan') value = NaN;
      else if (body.startsWith('0x')) value = parseInt(body.slice(2), 16);
      else value = Number(body);
      return { type: 'T_NUMBER', at, value: negative ? -value : value };
    }
    const rest = Buffer.from(s.subarray(at, at + 5)).toString('latin1');
    if (rest.startsWith('true')) {
      this.pos += 4;
      return { type: 'T_BOOLEAN', at, value: true };
    }
    if (rest.startsWith('false')) {
      this.pos += 5;
      return { type: 'T_BOOLEAN', at, value: false };
    }
    return { type: 'T_ERROR', at, message: 'invalid token' };
  }

  private string(at: number): Token {
    const s = this.s;
    const out: number[] = [];
    let i = at + 1;
    for (;;) {
      if (i >= s.length) return { type: 'T_ERROR', at, message: 'unexpected end of string' };
      const c = s[i];
      if (c === 0x22) break;
      if (c !== 0x5c) {
        out.push(c);
        i++;
        continue;
      }
      const e = s[i + 1];
      const simple: Record<number, number> = { 0x22: 0x22, 0x5c: 0x5c, 0x2f: 0x2f, 0x62: 8, 0x66: 12, 0x6e: 10, 0x72: 13, 0x74: 9 };
      if (simple[e] !== undefined) {
        out.push(simple[e]);
        i += 2;
        continue;
      }
      if (e !== 0x75) return { type: 'T_ERROR', at, message: 'invalid escape code' };
      const hex = Buffer.from(s.subarray(i + 2, i + 6)).toString('latin1');
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) return { type: 'T_ERROR', at, message: 'invalid unicode escape code' };
      let cp = parseInt(hex, 16);
      i += 6;
      if (cp >= 0xd800 && cp <= 0xdbff) {
        const low = Buffer.from(s.subarray(i, i + 6)).toString('latin1');
        if (!/^\\u[dD][c-fC-F][0-9a-fA-F]{2}$/.test(low)) return { type: 'T_ERROR', at, message: 'invalid unicode escape code' };
        cp = 0x10000 + ((cp - 0xd800) << 10) + (parseInt(low.slice(2), 16) - 0xdc00);
        i += 6;
      }
      for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) out.push(b);
    }
    this.pos = i + 1;
    return { type: 'T_STRING', at, value: Uint8Array.from(out) };
  }
}

// ---------------------------------------------------------------------------------------------
// cmsgpack (lua-cmsgpack)

const MSGPACK_MAX_NESTING = 16;

function cmsgpackLibrary(sb: LuaSandbox): void {
  const { lua } = sb.f;

  const encode = (L: L, index: number, depth: number, out: Buffer[]): void => {
    const t = lua.lua_type(L, index);
    switch (t) {
      case T_STRING: {
        const b = lua.lua_tolstring(L, index) as Uint8Array;
        const n = b.length;
        if (n < 32) out.push(Buffer.from([0xa0 | n]));
        else if (n <= 0xff) out.push(Buffer.from([0xd9, n]));
        else if (n <= 0xffff) out.push(Buffer.from([0xda, n >> 8, n & 0xff]));
        else {
          const h = Buffer.alloc(5);
          h[0] = 0xdb;
          h.writeUInt32BE(n, 1);
          out.push(h);
        }
        out.push(Buffer.from(b));
        return;
      }
      case T_BOOLEAN:
        out.push(Buffer.from([lua.lua_toboolean(L, index) ? 0xc3 : 0xc2]));
        return;
      case T_NUMBER:
        out.push(encodeNumber(lua.lua_tonumber(L, index)));
        return;
      case T_TABLE:
        if (depth >= MSGPACK_MAX_NESTING) {
          out.push(Buffer.from([0xc0]));
          return;
        }
        encodeTable(L, index, depth + 1, out);
        return;
      default:
        out.push(Buffer.from([0xc0]));
    }
  };

  const encodeTable = (L: L, index: number, depth: number, out: Buffer[]): void => {
    lua.lua_checkstack(L, 4);
    const abs = lua.lua_absindex(L, index);
    let count = 0;
    let max = 0;
    let isArray = true;
    lua.lua_pushnil(L);
    while (lua.lua_next(L, abs) !== 0) {
      lua.lua_pop(L, 1);
      count++;
      if (lua.lua_type(L, -1) === T_NUMBER) {
        const k = lua.lua_tonumber(L, -1);
        if (Number.isInteger(k) && k >= 1) {
          if (k > max) max = k;
          continue;
        }
      }
      isArray = false;
    }
    if (isArray && max === count) {
      out.push(header(count, 0x90, 0xdc, 0xdd));
      for (let i = 1; i <= count; i++) {
        lua.lua_rawgeti(L, abs, i);
        encode(L, -1, depth, out);
        lua.lua_pop(L, 1);
      }
      return;
    }
    out.push(header(count, 0x80, 0xde, 0xdf));
    lua.lua_pushnil(L);
    while (lua.lua_next(L, abs) !== 0) {
      encode(L, -2, depth, out);
      encode(L, -1, depth, out);
      lua.lua_pop(L, 1);
    }
  };

  const decode = (L: L, s: Uint8Array, pos: number): number => {
    const need = (n: number): void => {
      if (pos + n > s.length) raise(sb, L, 'Missing bytes in input.');
    };
    need(1);
    const view = new DataView(s.buffer, s.byteOffset, s.byteLength);
    const c = s[pos++];
    lua.lua_checkstack(L, 4);
    const pushStr = (n: number): number => {
      need(n);
      lua.lua_pushlstring(L, s.subarray(pos, pos + n), n);
      return pos + n;
    };
    const pushArray = (n: number): number => {
      lua.lua_createtable(L, n, 0);
      for (let i = 1; i <= n; i++) {
        pos = decode(L, s, pos);
        lua.lua_rawseti(L, -2, i);
      }
      return pos;
    };
    const pushMap = (n: number): number => {
      lua.lua_createtable(L, 0, n);
      for (let i = 0; i < n; i++) {
        pos = decode(L, s, pos);
        pos = decode(L, s, pos);
        lua.lua_rawset(L, -3);
      }
      return pos;
    };
    if (c <= 0x7f) return lua.lua_pushnumber(L, c), pos;
    if (c >= 0xe0) return lua.lua_pushnumber(L, c - 256), pos;
    if ((c & 0xe0) === 0xa0) return pushStr(c & 0x1f);
    if ((c & 0xf0) === 0x90) return pushArray(c & 0x0f);
    if ((c & 0xf0) === 0x80) return pushMap(c & 0x0f);
    switch (c) {
      case 0xc0:
        lua.lua_pushnil(L);
        return pos;
      case 0xc2:
      case 0xc3:
        lua.lua_pushboolean(L, c === 0xc3);
        return pos;
      case 0xca:
        need(4);
        lua.lua_pushnumber(L, view.getFloat32(pos));
        return pos + 4;
      case 0xcb:
        need(8);
        lua.lua_pushnumber(L, view.getFloat64(pos));
        return pos + 8;
      case 0xcc:
        need(1);
        lua.lua_pushnumber(L, view.getUint8(pos));
        return pos + 1;
      case 0xcd:
        need(2);
        lua.lua_pushnumber(L, view.getUint16(pos));
        return pos + 2;
      case 0xce:
        need(4);
        lua.lua_pushnumber(L, view.getUint32(pos));
        return pos + 4;
      case 0xcf:
        need(8);
        lua.lua_pushnumber(L, Number(view.getBigUint64(pos)));
        return pos + 8;
      case 0xd0:
        need(1);
        lua.lua_pushnumber(L, view.getInt8(pos));
        return pos + 1;
      case 0xd1:
        need(2);
        lua.lua_pushnumber(L, view.getInt16(pos));
        return pos + 2;
      case 0xd2:
        need(4);
        lua.lua_pushnumber(L, view.getInt32(pos));
        return pos + 4;
      case 0xd3:
        need(8);
        lua.lua_pushnumber(L, Number(view.getBigInt64(pos)));
        return pos + 8;
      case 0xc4:
      case 0xd9:
        need(1);
        return (pos += 1), pushStr(view.getUint8(pos - 1));
      case 0xc5:
      case 0xda:
        need(2);
        return (pos += 2), pushStr(view.getUint16(pos - 2));
      case 0xc6:
      case 0xdb:
        need(4);
        return (pos += 4), pushStr(view.getUint32(pos - 4));
      case 0xdc:
        need(2);
        return (pos += 2), pushArray(view.getUint16(pos - 2));
      case 0xdd:
        need(4);
        return (pos += 4), pushArray(view.getUint32(pos - 4));
      case 0xde:
        need(2);
        return (pos += 2), pushMap(view.getUint16(pos - 2));
      case 0xdf:
        need(4);
        return (pos += 4), pushMap(view.getUint32(pos - 4));
      default:
        return raise(sb, L, 'Bad data format in input.');
    }
  };

  const unpackAll = (L: L, s: Uint8Array, offset: number, limit: number): number => {
    let pos = offset;
    let count = 0;
    while (pos < s.length && (limit <= 0 || count < limit)) {
      pos = decode(L, s, pos);
      count++;
    }
    return count;
  };

  register(sb, 'cmsgpack', {
    pack: (L) => {
      const n = lua.lua_gettop(L);
      if (n === 0) raise(sb, L, 'MessagePack pack needs input.');
      const out: Buffer[] = [];
      for (let i = 1; i <= n; i++) encode(L, i, 0, out);
      const bytes = Buffer.concat(out);
      lua.lua_pushlstring(L, bytes, bytes.length);
      return 1;
    },
    unpack: (L) => {
      const s = checkBytes(sb, L, 1, 'unpack');
      return unpackAll(L, s, 0, 0);
    },
    unpack_one: (L) => {
      const s = checkBytes(sb, L, 1, 'unpack_one');
      const offset = lua.lua_isnoneornil(L, 2) ? 0 : checkNumber(sb, L, 2, 'unpack_one');
      lua.lua_settop(L, 2);
      const base = lua.lua_gettop(L);
      let pos = offset;
      if (pos < s.length) pos = decode(L, s, pos);
      const got = lua.lua_gettop(L) - base;
      lua.lua_pushnumber(L, pos >= s.length ? -1 : pos);
      lua.lua_insert(L, -1 - got);
      return got + 1;
    },
    unpack_limit: (L) => {
      const s = checkBytes(sb, L, 1, 'unpack_limit');
      const limit = checkNumber(sb, L, 2, 'unpack_limit');
      const offset = lua.lua_isnoneornil(L, 3) ? 0 : checkNumber(sb, L, 3, 'unpack_limit');
      lua.lua_settop(L, 3);
      let pos = offset;
      let count = 0;
      while (pos < s.length && (limit <= 0 || count < limit)) {
        pos = decode(L, s, pos);
        count++;
      }
      lua.lua_pushnumber(L, pos >= s.length ? -1 : pos);
      lua.lua_insert(L, -1 - count);
      return count + 1;
    },
  });
}

function header(n: number, fix: number, b16: number, b32: number): Buffer {
  if (n < 16) return Buffer.from([fix | n]);
  if (n <= 0xffff) return Buffer.from([b16, n >> 8, n & 0xff]);
  const h = Buffer.alloc(5);
  h[0] = b32;
  h.writeUInt32BE(n, 1);
  return h;
}

function encodeNumber(n: number): Buffer {
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 63) {
    if (n >= 0) {
      if (n <= 127) return Buffer.from([n]);
      if (n <= 0xff) return Buffer.from([0xcc, n]);
      if (n <= 0xffff) return Buffer.from([0xcd, n >> 8, n & 0xff]);
      if (n <= 0xffffffff) {
        const b = Buffer.alloc(5);
        b[0] = 0xce;
        b.writeUInt32BE(n, 1);
        return b;
      }
      const b = Buffer.alloc(9);
      b[0] = 0xcf;
      b.writeBigUInt64BE(BigInt(n), 1);
      return b;
    }
    if (n >= -32) return Buffer.from([n & 0xff]);
    if (n >= -128) return Buffer.from([0xd0, n & 0xff]);
    if (n >= -32768) {
      const b = Buffer.alloc(3);
      b[0] = 0xd1;
      b.writeInt16BE(n, 1);
      return b;
    }
    if (n >= -2147483648) {
      const b = Buffer.alloc(5);
      b[0] = 0xd2;
      b.writeInt32BE(n, 1);
      return b;
    }
    const b = Buffer.alloc(9);
    b[0] = 0xd3;
    b.writeBigInt64BE(BigInt(n), 1);
    return b;
  }
  if (Math.fround(n) === n || Number.isNaN(n)) {
    const b = Buffer.alloc(5);
    b[0] = 0xca;
    b.writeFloatBE(n, 1);
    return b;
  }
  const b = Buffer.alloc(9);
  b[0] = 0xcb;
  b.writeDoubleBE(n, 1);
  return b;
}

// ---------------------------------------------------------------------------------------------
// struct (Roberto Ierusalimschy's struct library)

function structLibrary(sb: LuaSandbox): void {
  const { lua } = sb.f;
  interface Item {
    kind: string;
    size: number;
  }
  const parse = (L: L, fmt: string, fname: string): Array<Item | { little: boolean }> => {
    const items: Array<Item | { little: boolean }> = [];
    for (let i = 0; i < fmt.length; i++) {
      const c = fmt[i];
      let digits = '';
      while (i + 1 < fmt.length && fmt[i + 1] >= '0' && fmt[i + 1] <= '9') digits += fmt[++i];
      const n = digits === '' ? -1 : Number(digits);
      switch (c) {
        case ' ':
        case '!':
          break;
        case '>':
          items.push({ little: false });
          break;
        case '<':
        case '=':
          items.push({ little: true });
          break;
        case 'x':
        case 'b':
        case 'B':
          items.push({ kind: c, size: 1 });
          break;
        case 'h':
        case 'H':
          items.push({ kind: c, size: 2 });
          break;
        case 'l':
        case 'L':
        case 'T':
          items.push({ kind: c, size: 8 });
          break;
        case 'i':
        case 'I': {
          const size = n === -1 ? 4 : n;
          if (size < 1 || size > 8) raise(sb, L, `integral size ${size} is larger than limit of 8`);
          items.push({ kind: c, size });
          break;
        }
        case 'f':
          items.push({ kind: c, size: 4 });
          break;
        case 'd':
          items.push({ kind: c, size: 8 });
          break;
        case 'c':
          items.push({ kind: c, size: n === -1 ? 1 : n });
          break;
        case 's':
          items.push({ kind: c, size: 0 });
          break;
        default:
          raise(sb, L, `invalid format option '${c}'`);
      }
      void fname;
    }
    return items;
  };
  const signed = (k: string): boolean => k === 'b' || k === 'h' || k === 'l' || k === 'i';
  register(sb, 'struct', {
    pack: (L) => {
      const fmt = Buffer.from(checkBytes(sb, L, 1, 'pack')).toString('latin1');
      const out: Buffer[] = [];
      let little = true;
      let arg = 2;
      for (const item of parse(L, fmt, 'pack')) {
        if ('little' in item) {
          little = item.little;
          continue;
        }
        const { kind, size } = item;
        if (kind === 'x') {
          out.push(Buffer.alloc(1));
        } else if (kind === 'f' || kind === 'd') {
          const b = Buffer.alloc(size);
          const v = checkNumber(sb, L, arg++, 'pack');
          if (size === 4) little ? b.writeFloatLE(v) : b.writeFloatBE(v);
          else little ? b.writeDoubleLE(v) : b.writeDoubleBE(v);
          out.push(b);
        } else if (kind === 'c' || kind === 's') {
          const s = Buffer.from(checkBytes(sb, L, arg++, 'pack'));
          if (kind === 's') out.push(s, Buffer.alloc(1));
          else {
            const len = size === 0 ? s.length : size;
            if (s.length < len) raise(sb, L, `bad argument #${arg - 1} to 'pack' (string too short)`);
            out.push(s.subarray(0, len));
          }
        } else {
          let v = BigInt(Math.trunc(checkNumber(sb, L, arg++, 'pack')));
          const b = Buffer.alloc(size);
          v = BigInt.asUintN(size * 8, v);
          for (let i = 0; i < size; i++) {
            const byte = Number((v >> BigInt(8 * i)) & 0xffn);
            b[little ? i : size - 1 - i] = byte;
          }
          out.push(b);
        }
      }
      const bytes = Buffer.concat(out);
      lua.lua_pushlstring(L, bytes, bytes.length);
      return 1;
    },
    unpack: (L) => {
      const fmt = Buffer.from(checkBytes(sb, L, 1, 'unpack')).toString('latin1');
      const data = Buffer.from(checkBytes(sb, L, 2, 'unpack'));
      let pos = lua.lua_isnoneornil(L, 3) ? 0 : checkNumber(sb, L, 3, 'unpack') - 1;
      let little = true;
      let count = 0;
      let lastNumber = -1;
      for (const item of parse(L, fmt, 'unpack')) {
        if ('little' in item) {
          little = item.little;
          continue;
        }
        let { size } = item;
        const { kind } = item;
        if (kind === 'c' && size === 0) size = lastNumber < 0 ? data.length - pos : lastNumber;
        if (kind !== 's' && pos + size > data.length) raise(sb, L, "bad argument #2 to 'unpack' (data string too short)");
        lua.lua_checkstack(L, 2);
        if (kind === 'x') {
          pos += 1;
          continue;
        }
        if (kind === 'f' || kind === 'd') {
          const v = size === 4 ? (little ? data.readFloatLE(pos) : data.readFloatBE(pos)) : little ? data.readDoubleLE(pos) : data.readDoubleBE(pos);
          lua.lua_pushnumber(L, v);
        } else if (kind === 'c') {
          lua.lua_pushlstring(L, data.subarray(pos, pos + size), size);
        } else if (kind === 's') {
          const end = data.indexOf(0, pos);
          if (end < 0) raise(sb, L, "bad argument #2 to 'unpack' (unfinished string in data)");
          size = end - pos + 1;
          lua.lua_pushlstring(L, data.subarray(pos, end), end - pos);
        } else {
          let v = 0n;
          for (let i = 0; i < size; i++) v |= BigInt(data[pos + (little ? i : size - 1 - i)]) << BigInt(8 * i);
          if (signed(kind)) v = BigInt.asIntN(size * 8, v);
          lastNumber = Number(v);
          lua.lua_pushnumber(L, Number(v));
        }
        pos += size;
        count++;
      }
      lua.lua_pushnumber(L, pos + 1);
      return count + 1;
    },
    size: (L) => {
      const fmt = Buffer.from(checkBytes(sb, L, 1, 'size')).toString('latin1');
      let total = 0;
      for (const item of parse(L, fmt, 'size')) {
        if ('little' in item) continue;
        if (item.kind === 's' || (item.kind === 'c' && item.size === 0)) raise(sb, L, "bad argument #1 to 'size' (options 'c0' - 's' have undefined sizes)");
        total += item.size;
      }
      lua.lua_pushnumber(L, total);
      return 1;
    },
  });
}

/** Registers cjson, cmsgpack, bit and struct as globals of a fresh state. */
export function installLibraries(sb: LuaSandbox): void {
  bitLibrary(sb);
  cjsonLibrary(sb);
  cmsgpackLibrary(sb);
  structLibrary(sb);
}

/** The JS functions the bootstrap installs into math and string. */
export function numericFunctions(sb: LuaSandbox): Record<string, (L: L) => number> {
  return { ...mathHelpers(sb), format: formatFunction(sb) };
}
