/**
 * The typed synchronous API: one method per declared command on `ManagedRedis`, derived from the
 * command table, each with a `…Buffer` twin that returns bulk strings as Buffers.
 */
import type { Bytes } from './keyspace/bytes.js';
import { allCommands } from './commands/index.js';
import type { CommandSpec } from './commands/command.js';
import { toPlain, type PlainReply } from './protocol/plain.js';
import type { Reply } from './protocol/reply.js';

/** An argument: a string (its UTF-8 bytes), bytes, or a number (its decimal text). */
export type Arg = string | Buffer | number;

/** A synchronous command method: arguments in, the reply in ioredis's shape out. */
export type Fn<R = string | null> = (...args: Arg[]) => R;

/** The synchronous command methods. Replies take ioredis's shapes; errors are thrown. */
export interface SyncCommands {
  get(key: Arg): string | null;
  getBuffer(key: Arg): Buffer | null;
  set(key: Arg, value: Arg, ...options: Arg[]): 'OK' | string | null;
  setnx(key: Arg, value: Arg): number;
  setex(key: Arg, seconds: Arg, value: Arg): 'OK';
  psetex(key: Arg, milliseconds: Arg, value: Arg): 'OK';
  getset(key: Arg, value: Arg): string | null;
  getdel(key: Arg): string | null;
  getex(key: Arg, ...options: Arg[]): string | null;
  mget(...keys: Arg[]): Array<string | null>;
  mset(...keysAndValues: Arg[]): 'OK';
  msetnx(...keysAndValues: Arg[]): number;
  append(key: Arg, value: Arg): number;
  strlen(key: Arg): number;
  getrange(key: Arg, start: Arg, end: Arg): string;
  setrange(key: Arg, offset: Arg, value: Arg): number;
  incr(key: Arg): number;
  decr(key: Arg): number;
  incrby(key: Arg, increment: Arg): number;
  decrby(key: Arg, decrement: Arg): number;
  incrbyfloat(key: Arg, increment: Arg): string;
  lcs(key1: Arg, key2: Arg, ...options: Arg[]): PlainReply;
  del(...keys: Arg[]): number;
  unlink(...keys: Arg[]): number;
  exists(...keys: Arg[]): number;
  type(key: Arg): string;
  rename(key: Arg, newKey: Arg): 'OK';
  renamenx(key: Arg, newKey: Arg): number;
  copy(source: Arg, destination: Arg, ...options: Arg[]): number;
  touch(...keys: Arg[]): number;
  expire(key: Arg, seconds: Arg, ...options: Arg[]): number;
  pexpire(key: Arg, milliseconds: Arg, ...options: Arg[]): number;
  expireat(key: Arg, unixSeconds: Arg, ...options: Arg[]): number;
  pexpireat(key: Arg, unixMilliseconds: Arg, ...options: Arg[]): number;
  ttl(key: Arg): number;
  pttl(key: Arg): number;
  expiretime(key: Arg): number;
  pexpiretime(key: Arg): number;
  persist(key: Arg): number;
  keys(pattern: Arg): string[];
  scan(cursor: Arg, ...options: Arg[]): [string, string[]];
  randomkey(): string | null;
  dbsize(): number;
  flushdb(...options: Arg[]): 'OK';
  flushall(...options: Arg[]): 'OK';
  ping: Fn<string>;
  echo(message: Arg): string;
  time(): [string, string];
  info(...sections: Arg[]): string;
  /** Any other declared command, by lower-case name. */
  [command: string]: unknown;
}

function argvOf(name: string, args: readonly Arg[]): Bytes[] {
  const argv: Bytes[] = [name];
  for (const arg of args) argv.push(typeof arg === 'number' ? String(arg) : arg);
  return argv;
}

interface Runner {
  runSpec(spec: CommandSpec, argv: readonly Bytes[]): Reply;
}

/**
 * Commands without a synchronous method: MONITOR streams lines to its connection, which a
 * synchronous call has no way to deliver (`execute(['MONITOR'])` answers Redis's error for a
 * client that may not block).
 */
const WITHOUT_SYNC_METHOD = new Set(['monitor']);

/** Adds a method (and a `…Buffer` twin) per top-level command to the prototype. */
export function installSyncCommands(proto: object): void {
  for (const spec of allCommands) {
    const name = spec.name;
    if (name.includes('|') || name in proto || WITHOUT_SYNC_METHOD.has(name)) continue;
    // Container commands (OBJECT, CONFIG …) are looked up per call: the subcommand decides.
    const direct = spec.subcommands === undefined;
    // Single-key commands without options (GET, INCR, TTL …) skip building argv in a loop.
    const fixedOneArg = direct && spec.arity === 2;
    Object.defineProperty(proto, name, {
      configurable: true,
      writable: true,
      value: fixedOneArg
        ? function (this: Runner, arg: Arg) {
            // eslint-disable-next-line prefer-rest-params
            if (arguments.length !== 1) return toPlain(this.runSpec(spec, argvOf(name, Array.from(arguments))), false);
            return toPlain(this.runSpec(spec, [name, typeof arg === 'number' ? String(arg) : arg]), false);
          }
        : function (this: Runner & { lookup(argv: readonly Bytes[]): CommandSpec }) {
            // Built from `arguments` directly: no rest array on the hot path (SET k v EX n).
            const argv: Bytes[] = new Array(arguments.length + 1);
            argv[0] = name;
            for (let i = 0; i < arguments.length; i++) {
              // eslint-disable-next-line prefer-rest-params
              const arg = arguments[i] as Arg;
              argv[i + 1] = typeof arg === 'number' ? String(arg) : arg;
            }
            return toPlain(this.runSpec(direct ? spec : this.lookup(argv), argv), false);
          },
    });
    Object.defineProperty(proto, `${name}Buffer`, {
      configurable: true,
      writable: true,
      value: function (this: Runner & { lookup(argv: readonly Bytes[]): CommandSpec }, ...args: Arg[]) {
        const argv = argvOf(name, args);
        return toPlain(this.runSpec(direct ? spec : this.lookup(argv), argv), true);
      },
    });
  }
}
