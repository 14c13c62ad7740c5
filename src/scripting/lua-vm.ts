/**
 * The Lua VM: fengari (Lua 5.3 written in JavaScript, synchronous), loaded as a private instance
 * and adjusted towards the Lua 5.1 that Redis embeds:
 *
 * - every number a script makes from source text (literals, `tonumber`, string coercion) is a
 *   float, as all numbers are in Lua 5.1. Fengari's integers are 32-bit, so without this
 *   `1700000000 * 1000` would wrap around;
 * - floats print as Lua 5.1 prints them (`%.14g`: `5`, not `5.0`; `1e+15`; `inf`; `-nan`).
 *
 * The adjustments are made on a copy of fengari's modules loaded for the emulator alone: other
 * users of fengari in the process (ioredis-mock, for one) keep theirs unchanged.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';

/** The parts of fengari the engine uses (its API mirrors Lua's C API). */
export interface Fengari {
  lua: any;
  lauxlib: any;
  lualib: any;
  to_luastring(s: string): Uint8Array;
  to_jsstring(s: Uint8Array): string;
}

/** C's `%.14g` (Lua 5.1's LUA_NUMBER_FMT), as glibc prints it. */
export function formatLuaNumber(x: number, precision = 14): string {
  if (Number.isNaN(x)) return '-nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const exp = x.toExponential(precision - 1); // %.<precision>g: d.ddd…e±x
  const e = Number(exp.slice(exp.indexOf('e') + 1));
  if (e < -4 || e >= precision) {
    let mantissa = exp.slice(0, exp.indexOf('e'));
    if (mantissa.includes('.')) mantissa = mantissa.replace(/0+$/, '').replace(/\.$/, '');
    const sign = e < 0 ? '-' : '+';
    const digits = String(Math.abs(e)).padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  let fixed = x.toFixed(precision - 1 - e);
  if (fixed.includes('.')) fixed = fixed.replace(/0+$/, '').replace(/\.$/, '');
  return fixed;
}

let instance: Fengari | null = null;

/** The emulator's own fengari instance (loaded on first use). */
export function fengari(): Fengari {
  if (instance === null) instance = loadPrivate();
  return instance;
}

function loadPrivate(): Fengari {
  const load: NodeJS.Require = typeof require === 'function' ? require : createRequire(import.meta.url);
  const entry = load.resolve('fengari');
  const dir = path.dirname(entry) + path.sep;
  const ours = (key: string): boolean => key.startsWith(dir);
  // Take fengari's modules out of the cache so that ours load fresh, then put them back.
  const saved = new Map<string, NodeJS.Module | undefined>();
  for (const key of Object.keys(load.cache)) {
    if (ours(key)) {
      saved.set(key, load.cache[key]);
      delete load.cache[key];
    }
  }
  try {
    load(dir + 'defs.js'); // defs and luaconf require each other: defs first, as fengari loads them
    const conf = load(dir + 'luaconf.js');
    conf.LUA_COMPAT_FLOATSTRING = true;
    conf.lua_number2str = formatLuaNumber;
    const loaded = load(entry) as Fengari;
    const lobject = load(dir + 'lobject.js');
    const str2num = lobject.luaO_str2num;
    lobject.luaO_str2num = (s: Uint8Array, o: { ttisinteger(): boolean; setfltvalue(x: number): void; value: number }) => {
      const size = str2num(s, o);
      if (size !== 0) {
        if (o.ttisinteger()) o.setfltvalue(o.value);
        return size;
      }
      // Lua 5.1 converts with strtod, which also reads inf, infinity and nan.
      if (s.length < 16) {
        const m = /^\s*([-+]?)(inf|infinity|nan)\s*$/i.exec(Buffer.from(s).toString('latin1'));
        if (m !== null) {
          const v = m[2].toLowerCase() === 'nan' ? NaN : Infinity;
          o.setfltvalue(m[1] === '-' ? -v : v);
          return s.length + 1;
        }
      }
      return 0;
    };
    return loaded;
  } finally {
    for (const key of Object.keys(load.cache)) if (ours(key)) delete load.cache[key];
    for (const [key, module] of saved) load.cache[key] = module;
  }
}
