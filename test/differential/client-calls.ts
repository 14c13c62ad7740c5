/**
 * The client-level differential (ioredis.test.ts): the generated command sequences of
 * generators.ts, turned into ioredis method calls in the forms ioredis accepts, run through the real
 * `ioredis` on a live redis-server and through the emulator's `createClient()`, and the resolved
 * values and rejections compared as JavaScript values.
 *
 * Forms of one call (`planCall`), all meaning the same argv on the wire:
 * - `positional`: `client.hset('k', 'f', 'v')`
 * - `numbers`: arguments that are canonical numbers passed as numbers (`expire('k', 100)`)
 * - `nested`: arguments split into arrays (flattened one level by ioredis), sometimes with an empty one
 * - `buffers`: every string argument as a Buffer
 * - `object` / `map`: MSET/MSETNX/HSET/HMSET pairs as an object or a Map (ioredis's argument transformers)
 * - `call`: `client.call('HSET', …)` with the name as drawn (any case)
 * - `callback`: positional with a node-style callback, the result taken from the callback
 * - `command`: `client.sendCommand(new Command(name, args, { replyEncoding }))` with each side's
 *   `Command` class (ioredis's, or the one `azure-managed-redis-emulator/ioredis` exports)
 * and, for any of them but `call` and `command`, the `…Buffer` twin of the method (`callBuffer`
 * for `call`, no `replyEncoding` for `command`).
 *
 * Comparison (`judge`): exact first (Buffers vs strings, numbers vs strings, nulls, array order,
 * object keys in order, errors by class, `name`, `message`, own enumerable properties such as
 * `command` and `previousErrors`). When that fails, the accepted server differences of
 * known-differences.ts are looked up on a typed rendering of both values (`looseTyped`); otherwise
 * the JavaScript shapes must agree exactly and the values under the RESP differential's rules for
 * what the server leaves open (TTLs within a tolerance, unordered replies as multisets, random picks
 * and SCAN by shape).
 */
import { list as ioredisCommandList } from '@ioredis/commands';
import type { Typed } from '../support/oracle.js';
import { RANDOM, compareKeyScan, compareReplies, viewOf } from './harness.js';
import { applyKnownDifferences, type StepView } from './known-differences.js';
import { showArgs } from './generators.js';
import { Rng } from '../../src/rng.js';

/** The command methods ioredis has (one per entry of its command table, and a `…Buffer` twin). */
export const IOREDIS_METHODS: ReadonlySet<string> = new Set(ioredisCommandList.filter((name) => name !== 'monitor'));

export type Form = 'positional' | 'numbers' | 'nested' | 'buffers' | 'object' | 'map' | 'call' | 'callback' | 'command';
export const FORMS: readonly Form[] = ['positional', 'numbers', 'nested', 'buffers', 'object', 'map', 'call', 'callback', 'command'];

/** One client call: what to invoke, and the argv the generator drew (for the known differences). */
export interface ClientCall {
  argv: (string | Buffer)[];
  /** The method invoked: a command method, its `…Buffer` twin, `call` or `callBuffer`. */
  method: string;
  form: Form;
  /** Builds the arguments afresh for each client (a client could keep or change what it is given). */
  args(): unknown[];
  /** False for the fixture writes (WRONGTYPE set-up): run, not compared. */
  compared: boolean;
}

/** What a call gave: a resolved value or a rejection. */
export type Result = { ok: unknown } | { error: unknown };

/** A seeded generator of numbers in [0, 1), for the choice of forms (the cache's own PRNG). */
export function seededRandom(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next();
}

/** One of `items`, drawn with `random`. */
export const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)];

/**
 * A string argument as another JavaScript value ioredis sends as the same text: a number when
 * `String(Number(s)) === s`, a boolean for `true`/`false`, `null` or `undefined` for the empty
 * string (ioredis's toArg).
 */
function asNumber(arg: string | Buffer, random: () => number): unknown {
  if (arg === '') return random() < 0.5 ? null : undefined;
  if (arg === 'true' || arg === 'false') return arg === 'true';
  if (typeof arg !== 'string' || !/^-?\d+(?:\.\d+)?$/.test(arg)) return arg;
  const n = Number(arg);
  return String(n) === arg ? n : arg;
}

/** Pairs for an object or a Map: the arguments after `skip`, when they pair up. */
function pairsOf(rest: readonly (string | Buffer)[], skip: number): Array<[string | Buffer, string | Buffer]> | null {
  const tail = rest.slice(skip);
  if (tail.length < 2 || tail.length % 2 !== 0) return null;
  const out: Array<[string | Buffer, string | Buffer]> = [];
  for (let i = 0; i < tail.length; i += 2) out.push([tail[i], tail[i + 1]]);
  return out;
}

/** Where ioredis flattens an object or a Map into pairs: the arguments before the pairs. */
const PAIR_COMMANDS: Readonly<Record<string, number>> = { mset: 0, msetnx: 0, hset: 1, hmset: 1 };

/** Splits the arguments into runs, some passed as arrays (and now and then an empty array). */
function nested(rest: readonly (string | Buffer)[], random: () => number): () => unknown[] {
  const plan: Array<{ array: boolean; deep?: boolean; items: Array<string | Buffer> }> = [];
  for (let i = 0; i < rest.length; ) {
    const size = 1 + Math.floor(random() * 3);
    const items = rest.slice(i, i + size);
    // ioredis flattens one level: a one-string array inside an array is sent as String([s]) = s.
    const deep = items.length === 1 && typeof items[0] === 'string' && random() < 0.15;
    plan.push({ array: deep || random() < 0.6, deep, items });
    i += size;
  }
  if (random() < 0.2) plan.splice(Math.floor(random() * (plan.length + 1)), 0, { array: true, items: [] });
  return () => plan.flatMap((run): unknown[] => (run.deep ? [[[...run.items]]] : run.array ? [[...run.items]] : run.items));
}

/** Chooses how one generated command is called (see the file comment), with `random`. */
export function planCall(argv: (string | Buffer)[], random: () => number, forms: readonly Form[] = FORMS): ClientCall {
  const drawn = String(argv[0]);
  const name = drawn.toLowerCase();
  const rest = argv.slice(1);
  // DUMP payloads differ between 7.0 and 7.4 in their RDB version and checksum (known difference
  // dump-rdb-version), which only their bytes show: a string method decodes them lossily.
  const buffers = random() < 0.25 || name === 'dump' || (name === 'function' && String(argv[1]).toLowerCase() === 'dump');
  if (!IOREDIS_METHODS.has(name)) {
    return { argv, method: buffers ? 'callBuffer' : 'call', form: 'call', args: () => [drawn, ...rest], compared: true };
  }
  const skip = PAIR_COMMANDS[name];
  const pairs = skip === undefined ? null : pairsOf(rest, skip);
  // ioredis's `redis.exec(callback)` takes nothing but a callback (transaction.js): with arguments
  // before it, the callback is never called (on either client), so exec gets no callback form.
  // A Command sent by hand skips what ioredis's methods add around EXEC and MULTI (pairs).
  const usable = forms.filter((f) =>
    f === 'object' || f === 'map' ? pairs !== null : f === 'callback' ? name !== 'exec' : f === 'command' ? !['exec', 'multi'].includes(name) : true,
  );
  // Objects and Maps only exist for four commands: favour them there.
  const form = pairs !== null && random() < 0.5 ? pick(random, usable.filter((f) => f === 'object' || f === 'map')) : pick(random, usable);
  const method = form === 'call' ? (buffers ? 'callBuffer' : 'call') : form === 'command' ? 'sendCommand' : buffers ? `${name}Buffer` : name;
  const call = (args: () => unknown[]): ClientCall => ({ argv, method, form, args, compared: true });
  switch (form) {
    case 'numbers': {
      const values = rest.map((a) => asNumber(a, random));
      return call(() => [...values]);
    }
    case 'nested':
      return call(nested(rest, random));
    case 'buffers':
      return call(() => rest.map((a) => (typeof a === 'string' ? Buffer.from(a) : Buffer.from(a))));
    case 'object':
      // Object keys are strings: a Buffer field name becomes its UTF-8 text on both clients alike.
      return call(() => [...rest.slice(0, skip), Object.fromEntries(pairs!.map(([k, v]) => [String(k), v]))]);
    case 'map':
      return call(() => [...rest.slice(0, skip), new Map(pairs!)]);
    case 'call':
      return call(() => [drawn, ...rest]);
    case 'command':
      // The name as ioredis's methods send it; the options object goes last (see invoke).
      return call(() => [name, [...rest], buffers ? {} : { replyEncoding: 'utf8' }]);
    default:
      return call(() => [...rest]);
  }
}

/** A call that is run on both sides but not compared (fixture writes). */
export function plainCall(argv: (string | Buffer)[]): ClientCall {
  return { argv, method: String(argv[0]).toLowerCase(), form: 'positional', args: () => argv.slice(1), compared: false };
}

/** Where the numkeys argument sits (0-based, after the name) for the commands ioredis counts keys of. */
const NUMKEYS_AT: Readonly<Record<string, number>> = {
  eval: 1, evalsha: 1, eval_ro: 1, evalsha_ro: 1, fcall: 1, fcall_ro: 1, blmpop: 1, bzmpop: 1,
  zunionstore: 1, zinterstore: 1, zdiffstore: 1,
  sintercard: 0, lmpop: 0, zunion: 0, zinter: 0, zmpop: 0, zintercard: 0, zdiff: 0,
};

/**
 * True when real ioredis, with `keyPrefix`, would hang or crash on this call: it trusts a numkeys
 * argument and builds an array of that many key positions (`@ioredis/commands` getKeyIndexes),
 * which for 9223372036854775807 ends in V8's "invalid array size" abort. Such calls are left out
 * of the prefixed runs (the emulator bounds the count, so it answers the server's error instead).
 */
export function ioredisLoopsOnNumkeys(argv: readonly (string | Buffer)[]): boolean {
  const at = NUMKEYS_AT[String(argv[0]).toLowerCase()];
  if (at === undefined || argv.length <= at + 1) return false;
  return Number(String(argv[at + 1])) > 100_000;
}

type AnyClient = Record<string, unknown>;

/** A `Command` class: ioredis's, or the emulator's. */
export type CommandClass = new (name: string, args: unknown[], options: object) => object;

/**
 * Invokes a call on a client, resolving with what it gave. `Command` builds the command of the
 * `command` form.
 */
export async function invoke(client: AnyClient, call: ClientCall, Command?: CommandClass): Promise<Result> {
  const fn = client[call.method];
  if (typeof fn !== 'function') return { error: new TypeError(`the client has no method ${call.method}`) };
  try {
    if (call.form === 'command') {
      if (Command === undefined) throw new Error('the command form needs a Command class');
      const [name, args, options] = call.args() as [string, unknown[], object];
      return { ok: await (fn as (c: object) => Promise<unknown>).call(client, new Command(name, args, options)) };
    }
    if (call.form === 'callback') {
      return await new Promise<Result>((resolve) => {
        const promise = (fn as (...a: unknown[]) => unknown).call(client, ...call.args(), (error: unknown, value: unknown) =>
          resolve(error ? { error } : { ok: value }),
        );
        (promise as Promise<unknown> | undefined)?.catch?.(() => undefined);
      });
    }
    return { ok: await (fn as (...a: unknown[]) => Promise<unknown>).call(client, ...call.args()) };
  } catch (error) {
    return { error };
  }
}

/** How long one call may take before the run fails: nothing generated blocks for longer. */
const SETTLE_MS = 5_000;

/** `promise`, or a thrown error naming `what` when it has not settled in time (a hang is a failure). */
export async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${SETTLE_MS} ms: ${what}`)), SETTLE_MS);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Queues a call on a pipeline or multi() being built; a call in the callback form gets a per-command
 * callback, whose result goes to `heard` at the call's index.
 */
export function queue(chain: AnyClient, call: ClientCall, index: number, heard: Map<number, Result>): void {
  const fn = chain[call.method];
  if (typeof fn !== 'function') throw new TypeError(`the pipeline has no method ${call.method}`);
  const args = call.args();
  if (call.form === 'callback') args.push((error: unknown, value: unknown) => heard.set(index, error ? { error } : { ok: value }));
  (fn as (...a: unknown[]) => unknown).call(chain, ...args);
}

// ---------------------------------------------------------------------------------------------
// Comparison

function plainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value) && !(value instanceof Error);
}

/** Exact equality of two client values (see the file comment). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
  if (a instanceof Error || b instanceof Error) return a instanceof Error && b instanceof Error && sameError(a, b);
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  if (plainObject(a) || plainObject(b)) {
    if (!plainObject(a) || !plainObject(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameValue(a[k], b[k]));
  }
  return Object.is(a, b);
}

/** Errors: class name, `name`, `message`, and the same own enumerable properties (`command` …). */
function sameError(a: Error, b: Error): boolean {
  if (a.constructor.name !== b.constructor.name || a.name !== b.name || a.message !== b.message) return false;
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameValue((a as unknown as AnyClient)[k], (b as unknown as AnyClient)[k]));
}

export function sameResult(a: Result, b: Result): boolean {
  return 'ok' in a ? 'ok' in b && sameValue(a.ok, b.ok) : 'error' in b && sameValue(a.error, b.error);
}

/**
 * The JavaScript shape of a value: kinds all the way down (array items sorted, so order-free), or
 * with `deep` false only the kinds of the top-level items (nested arrays as `[…]`).
 */
function shape(value: unknown, deep = true): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Buffer.isBuffer(value)) return 'Buffer';
  if (value instanceof Error) return `${value.constructor.name}(${value.name})`;
  if (Array.isArray(value)) return deep ? `[${value.map((v) => shape(v)).sort().join(',')}]` : `[${value.map((v) => (Array.isArray(v) ? '[…]' : shape(v))).join(',')}]`;
  if (plainObject(value)) return `{${Object.values(value).map((v) => shape(v)).sort().join(',')}}`;
  return typeof value;
}

/**
 * A value in the typed form the server-level comparisons work on: strings and statuses alike as
 * bulk, and with `stringNumbers` (integers arrive as strings) integer-looking strings as integers.
 */
export function looseTyped(value: unknown, stringNumbers = false): Typed {
  if (value instanceof Error) return ['-', value.message];
  if (value === null || value === undefined) return ['_'];
  if (typeof value === 'number') return [':', String(value)];
  if (typeof value === 'string') return stringNumbers && /^-?\d+$/.test(value) ? [':', value] : ['$', value];
  if (Buffer.isBuffer(value)) {
    const text = value.toString('utf8');
    return Buffer.from(text, 'utf8').equals(value) ? ['$', text] : ['$64', value.toString('base64')];
  }
  if (Array.isArray(value)) return ['*', value.map((v) => looseTyped(v, stringNumbers))];
  if (plainObject(value)) return ['*', Object.entries(value).flatMap(([k, v]) => [looseTyped(k, stringNumbers), looseTyped(v, stringNumbers)])];
  return ['?', String(value)];
}

const valueOf = (r: Result): unknown => ('ok' in r ? r.ok : r.error);

/** How a pair of results compared. */
export interface Verdict {
  /** Null when they agree, else why not. */
  note: string | null;
  /** The known difference that applied, if one did. */
  known?: string;
  /** True when the two sides may hold different data from here on (stop comparing). */
  diverges?: boolean;
}

/**
 * Compares the results of one call (see the file comment). `keyType`: the live TYPE for OBJECT
 * steps; `stringNumbers`: the clients had that option.
 */
export function judge(argv: (string | Buffer)[], real: Result, ours: Result, options: { keyType?: string; stringNumbers?: boolean } = {}): Verdict {
  if (sameResult(real, ours)) return { note: null };
  const view = viewOf(argv);
  if (options.keyType !== undefined) view.keyType = options.keyType;
  // With `stringNumbers` an integer and a bulk string look alike: try both readings.
  const first = judgeAs(view, argv, real, ours, false);
  if (first.note === null || !options.stringNumbers) return first;
  const second = judgeAs(view, argv, real, ours, true);
  return second.note === null ? second : first;
}

function judgeAs(view: StepView, argv: (string | Buffer)[], real: Result, ours: Result, integers: boolean): Verdict {
  const typed = (r: Result) => looseTyped(valueOf(r), integers);
  const known = applyKnownDifferences(view, typed(real), typed(ours));
  if (known.verdict !== 'compare') return { note: null, known: known.id, diverges: known.diverges };
  const id = known.ids[0];
  const verdict = (note: string | null, diverges = false): Verdict => ({ note, ...(id ? { known: id } : {}), ...(diverges ? { diverges } : {}) });
  const [r, e] = [valueOf(real), valueOf(ours)];
  if ('error' in real || 'error' in ours) {
    if (!('error' in real && 'error' in ours) || !(r instanceof Error) || !(e instanceof Error)) return verdict('one side rejected');
    // Same error apart from a message the known differences rewrite.
    const rest = (x: Error) => Object.assign(Object.create(Object.getPrototypeOf(x) as object) as Error, x, { message: '' });
    if (!sameError(rest(r), rest(e))) return verdict('different error objects (class, name or properties)');
    return verdict(JSON.stringify(known.redis) === JSON.stringify(known.emulator) ? null : 'different error messages');
  }
  const name = view.name;
  // SCAN from a cursor the server did not hand out: which keys come back is open (harness.ts).
  if (name === 'SCAN') return verdict(shape(r, false) === shape(e, false) ? null : 'different JavaScript shapes');
  if (/^[HSZ]SCAN$/.test(name)) return verdict(compareKeyScan(view, known.redis, known.emulator));
  if (shape(r) !== shape(e)) return verdict('different JavaScript shapes');
  // Random picks and RANDOMKEY: the shape (kinds, counts) is all the two sides must share; an
  // SPOP that popped other members leaves the two sets different.
  if (RANDOM.has(name) || name === 'RANDOMKEY') return verdict(null, name === 'SPOP');
  if (name === 'OBJECT' && view.sub === 'IDLETIME') return verdict(Math.abs(Number(r) - Number(e)) <= 1 ? null : 'idle times differ by more than 1');
  return verdict(compareReplies(argv, known.redis, known.emulator));
}

/** A readable rendering of a client value (Buffers as `<hex>` or `Buffer"text"`, errors with their properties). */
export function show(value: unknown): string {
  if (Buffer.isBuffer(value)) return `Buffer${showArgs([value])}`;
  if (value instanceof Error) {
    const props = Object.keys(value).map((k) => `${k}: ${show((value as unknown as AnyClient)[k])}`);
    return `${value.constructor.name}(${JSON.stringify(value.message)}${props.length ? `, {${props.join(', ')}}` : ''})`;
  }
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (value instanceof Map) return `Map{${[...value].map(([k, v]) => `${show(k)} => ${show(v)}`).join(', ')}}`;
  if (plainObject(value)) return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${show(v)}`).join(', ')}}`;
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

export function showResult(result: Result): string {
  return 'ok' in result ? show(result.ok) : `rejects ${show(result.error)}`;
}

/** `hset(["k", {…}])`-like rendering of a call as made. */
export function showCall(call: ClientCall): string {
  return `${call.method}(${call.args().map(show).join(', ')})${call.form === 'callback' ? ' with a callback' : ''}`;
}

// ---------------------------------------------------------------------------------------------
// defineCommand and the scan streams

/**
 * Scripts defined with `defineCommand` on both clients: fixed and caller-given key counts, keys
 * handed back (so `keyPrefix` shows), a command error raised inside the script, a reply error.
 */
export const DEFINED_COMMANDS: Readonly<Record<string, { lua: string; numberOfKeys?: number }>> = {
  diffGet: { numberOfKeys: 1, lua: "return redis.call('GET', KEYS[1])" },
  diffPair: { numberOfKeys: 2, lua: 'return {KEYS[1], KEYS[2], ARGV[1], #ARGV}' },
  diffDynamic: { lua: 'return {#KEYS, KEYS[1], ARGV[1]}' },
  diffIncr: { numberOfKeys: 1, lua: "return redis.call('INCR', KEYS[1])" },
  diffFail: { numberOfKeys: 0, lua: "return redis.error_reply('MYERR ' .. tostring(ARGV[1]))" },
};

/** A call of one of the DEFINED_COMMANDS, on keys and values drawn from `keys` and `values`. */
export function definedCall(random: () => number, keys: readonly (string | Buffer)[], values: readonly (string | Buffer)[]): ClientCall {
  const name = pick(random, Object.keys(DEFINED_COMMANDS));
  const key = () => pick(random, keys);
  const value = () => pick(random, values);
  const rest: Array<string | Buffer> =
    name === 'diffPair' ? [key(), key(), value()]
    : name === 'diffDynamic' ? (() => { const n = Math.floor(random() * 3); return [String(n), ...Array.from({ length: n }, key), value()]; })()
    : name === 'diffFail' ? [value()]
    : [key()];
  const form = pick(random, ['positional', 'nested', 'buffers', 'callback'] as const);
  const method = random() < 0.25 ? `${name}Buffer` : name;
  const argv = [name.toUpperCase(), ...rest];
  const args = form === 'nested' ? nested(rest, random) : form === 'buffers' ? () => rest.map((a) => Buffer.from(a)) : () => [...rest];
  return { argv, method, form, args, compared: true };
}

/** Defines the DEFINED_COMMANDS on a client. */
export function defineAll(client: AnyClient): void {
  for (const [name, definition] of Object.entries(DEFINED_COMMANDS)) (client.defineCommand as (n: string, d: object) => void).call(client, name, definition);
}

export type StreamMethod = 'scanStream' | 'scanBufferStream' | 'hscanStream' | 'hscanBufferStream' | 'sscanStream' | 'sscanBufferStream' | 'zscanStream' | 'zscanBufferStream';

/**
 * Everything a scan stream emits, flattened, or how it failed. Batches depend on the server's
 * table layout, so the comparison sorts the items (pairs kept together for HSCAN and ZSCAN).
 */
export async function collectStream(client: AnyClient, method: StreamMethod, key: string | Buffer | undefined, options: object): Promise<Result> {
  const create = client[method] as (...a: unknown[]) => NodeJS.ReadableStream;
  const stream = key === undefined ? create.call(client, options) : create.call(client, key, options);
  return new Promise<Result>((resolve) => {
    const items: unknown[] = [];
    stream.on('data', (batch: unknown[]) => items.push(...batch));
    stream.on('error', (error: unknown) => resolve({ error }));
    stream.on('end', () => {
      const paired = /^[hz]scan/.test(method);
      const units: unknown[][] = [];
      for (let i = 0; i < items.length; i += paired ? 2 : 1) units.push(items.slice(i, i + (paired ? 2 : 1)));
      // Sorted by their rendering; each unit keeps its own kinds (Buffer or string).
      resolve({ ok: units.sort((a, b) => (show(a) < show(b) ? -1 : show(a) > show(b) ? 1 : 0)).flat() });
    });
  });
}
