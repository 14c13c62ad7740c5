/**
 * How ioredis turns a method call into the argv it sends: arrays flattened one level, objects and
 * Maps spread into field/value pairs for MSET/MSETNX/HSET/HMSET, every other non-Buffer argument
 * made a string (`null`/`undefined` become `''`), then `keyPrefix` put in front of the arguments
 * ioredis's own command table calls keys. The client reproduces this exactly so the emulator sees
 * the bytes a real server would.
 */
import type { Bytes } from '../keyspace/bytes.js';
import { IOREDIS_COMMAND_TABLE } from './ioredis-commands.js';

/** ioredis's key positions of a command: `[keyStart, keyStop, step]` (see ioredis-commands.ts). */
type KeyRange = readonly [number, number, number];

const KEY_RANGES = new Map<string, KeyRange>();
for (const [name, start, stop, step] of IOREDIS_COMMAND_TABLE) KEY_RANGES.set(name, [start, stop, step]);

/** Names of the commands ioredis defines methods for (its table without MONITOR, plus SENTINEL). */
export const IOREDIS_METHOD_NAMES: readonly string[] = [
  ...IOREDIS_COMMAND_TABLE.map((row) => row[0] as string).filter((name) => name !== 'monitor'),
  'sentinel',
];

/** True when ioredis's table knows the command (case-insensitive), i.e. it computes its keys. */
export function ioredisKnows(name: string): boolean {
  return KEY_RANGES.has(name) || KEY_RANGES.has(name.toLowerCase());
}

/** Rewrites the (flattened) arguments of a command before they are stringified. */
export type ArgumentTransformer = (args: unknown[]) => unknown[];

function entriesOf(value: unknown): unknown[] | null {
  if (value instanceof Map) {
    const out: unknown[] = [];
    value.forEach((v, k) => out.push(k, v));
    return out;
  }
  if (typeof value === 'object' && value !== null) {
    const out: unknown[] = [];
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) out.push(key, record[key]);
    return out;
  }
  return null;
}

const msetTransformer: ArgumentTransformer = (args) => {
  if (args.length === 1) return entriesOf(args[0]) ?? args;
  return args;
};

const hsetTransformer: ArgumentTransformer = (args) => {
  if (args.length === 2) {
    const pairs = entriesOf(args[1]);
    if (pairs !== null) return [args[0], ...pairs];
  }
  return args;
};

/**
 * Argument transformers by exact command name, as ioredis registers them (`call('HSET', k, obj)`
 * is not transformed, `call('hset', k, obj)` is). `Command.setArgumentTransformer` adds to it.
 */
export const argumentTransformers: Record<string, ArgumentTransformer> = Object.assign(Object.create(null), {
  mset: msetTransformer,
  msetnx: msetTransformer,
  hset: hsetTransformer,
  hmset: hsetTransformer,
});

/** ioredis's `toArg`: `null`/`undefined` → `''`, anything else → `String(value)`. */
function toArg(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

/**
 * The argv ioredis sends for `name(...args)`: flattened, transformed, stringified, prefixed.
 * `args` must not contain the callback.
 */
export function buildArgv(name: string, args: readonly unknown[], keyPrefix: string | Buffer | undefined): Bytes[] {
  const transformer = argumentTransformers[name];
  let argv: Bytes[];
  if (transformer === undefined) {
    // The common case: no transformer, so flatten and stringify in one pass.
    argv = [name];
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      if (typeof arg === 'string') argv.push(arg);
      else if (Array.isArray(arg)) for (let j = 0; j < arg.length; j++) argv.push(stringify(arg[j]));
      else argv.push(stringify(arg));
    }
  } else {
    let flat: unknown[] = [];
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      if (Array.isArray(arg)) for (let j = 0; j < arg.length; j++) flat.push(arg[j]);
      else flat.push(arg);
    }
    flat = transformer(flat);
    argv = new Array(flat.length + 1);
    argv[0] = name;
    for (let i = 0; i < flat.length; i++) argv[i + 1] = stringify(flat[i]);
  }
  if (keyPrefix) prefixKeys(argv, keyPrefix);
  return argv;
}

/** A flattened argument as sent: strings and Buffers as they are, anything else via `toArg`. */
function stringify(arg: unknown): Bytes {
  return typeof arg === 'string' || Buffer.isBuffer(arg) ? arg : toArg(arg);
}

/** Puts `prefix` in front of each key argument of `argv`, as ioredis's Command does. */
export function prefixKeys(argv: Bytes[], prefix: string | Buffer): void {
  const positions = ioredisKeyPositions(argv);
  if (positions.length === 0) return;
  let prefixBuffer: Buffer | null = Buffer.isBuffer(prefix) ? prefix : null;
  for (const pos of positions) {
    // Like ioredis, a key position just past the end (`get()` with no key) becomes
    // `prefix + undefined`; positions further out are left alone.
    if (pos > argv.length) break;
    const key = argv[pos];
    if (Buffer.isBuffer(key)) {
      prefixBuffer ??= Buffer.from(prefix as string);
      argv[pos] = Buffer.concat([prefixBuffer, key]);
    } else if (Buffer.isBuffer(prefix)) {
      argv[pos] = Buffer.concat([prefix, Buffer.from(String(key))]);
    } else {
      argv[pos] = prefix + String(key);
    }
  }
}

/**
 * The argv positions (1-based: argv[0] is the name) ioredis treats as keys, from its own command
 * table and special cases (numkeys commands, SORT's BY/GET/STORE, XREAD's STREAMS, GEORADIUS's
 * STORE …). Commands ioredis does not know have none. Used for `keyPrefix` and cluster routing.
 */
export function ioredisKeyPositions(argv: readonly Bytes[]): number[] {
  const raw = argv[0];
  let name = typeof raw === 'string' ? raw : String(raw);
  let range = KEY_RANGES.get(name);
  if (range === undefined) {
    name = name.toLowerCase();
    range = KEY_RANGES.get(name);
    if (range === undefined) return [];
  }
  // `a` is the argument list without the name; results are shifted by one at the end.
  const a = argv.length;
  const keys: number[] = [];
  const numkeys = (countAt: number): void => {
    // ioredis trusts the count (a numkeys of 1e9 would loop that long): bound it.
    const count = Math.min(Number(argv[countAt + 1]), 0x10000);
    for (let i = 0; i < count; i++) keys.push(countAt + 1 + i + 1);
  };
  const afterToken = (from: number, token: string): number | null => {
    for (let i = from; i < a - 1 - 1; i++) {
      if (String(argv[i + 1]).toLowerCase() === token) return i + 1;
    }
    return null;
  };
  switch (name) {
    case 'zunionstore':
    case 'zinterstore':
    case 'zdiffstore':
      keys.push(1);
      numkeys(1);
      return keys;
    case 'eval':
    case 'evalsha':
    case 'eval_ro':
    case 'evalsha_ro':
    case 'fcall':
    case 'fcall_ro':
    case 'blmpop':
    case 'bzmpop':
      numkeys(1);
      return keys;
    case 'sintercard':
    case 'lmpop':
    case 'zunion':
    case 'zinter':
    case 'zmpop':
    case 'zintercard':
    case 'zdiff':
      numkeys(0);
      return keys;
    case 'georadius':
    case 'georadiusbymember': {
      keys.push(1);
      const from = name === 'georadius' ? 5 : 4;
      const store = afterToken(from, 'store');
      if (store !== null) keys.push(store + 1);
      const dist = afterToken(from, 'storedist');
      if (dist !== null) keys.push(dist + 1);
      return keys;
    }
    case 'sort':
    case 'sort_ro': {
      keys.push(1);
      const n = a - 1;
      for (let i = 1; i < n - 1; i++) {
        const arg = argv[i + 1];
        if (typeof arg !== 'string') continue;
        const directive = arg.toUpperCase();
        if (directive === 'GET') {
          i += 1;
          if (argv[i + 1] !== '#') keys.push(i + 1);
        } else if (directive === 'BY' || directive === 'STORE') {
          i += 1;
          keys.push(i + 1);
        }
      }
      return keys;
    }
    case 'migrate': {
      const n = a - 1;
      if (argv[3] === '') {
        for (let i = 5; i < n - 1; i++) {
          const arg = argv[i + 1];
          if (typeof arg === 'string' && arg.toUpperCase() === 'KEYS') {
            for (let j = i + 1; j < n; j++) keys.push(j + 1);
            break;
          }
        }
      } else {
        keys.push(3);
      }
      return keys;
    }
    case 'xread':
    case 'xreadgroup': {
      const n = a - 1;
      for (let i = name === 'xread' ? 0 : 3; i < n - 1; i++) {
        if (String(argv[i + 1]).toUpperCase() === 'STREAMS') {
          for (let j = i + 1; j <= i + (n - 1 - i) / 2; j++) keys.push(j + 1);
          break;
        }
      }
      return keys;
    }
    default: {
      const [start, stop, step] = range;
      if (step <= 0) return keys;
      const n = a - 1;
      const end = stop > 0 ? stop : n + stop + 1;
      for (let i = start - 1; i < end; i += step) keys.push(i + 1);
      return keys;
    }
  }
}
