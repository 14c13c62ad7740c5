/**
 * ioredis's `Command`: a command object with its own promise, for code that builds commands by
 * hand and sends them with `redis.sendCommand(command)`. The client's generated methods do not
 * allocate one per call; this class exists for compatibility and for its static registries
 * (argument and reply transformers, command flags).
 */
import type { Bytes } from '../keyspace/bytes.js';
import { keySlot } from '../cluster/slots.js';
import type { Reply } from '../protocol/reply.js';
import { argumentTransformers, buildArgv, ioredisKeyPositions, type ArgumentTransformer } from './args.js';
import { asCallback, type Callback } from './callback.js';
import { convertReply, replyErrorFor, replyTransformers, type ReplyTransformer } from './reply.js';

/** Options of a {@link Command}, as in ioredis. */
export interface CommandOptions {
  /** `'utf8'` (default for methods) decodes replies; `null` keeps Buffers. */
  replyEncoding?: BufferEncoding | null;
  keyPrefix?: string | Buffer;
  readOnly?: boolean;
  errorStack?: Error;
}

const FLAGS: Record<string, readonly string[]> = {
  VALID_IN_SUBSCRIBER_MODE: ['subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe', 'ssubscribe', 'sunsubscribe', 'ping', 'quit'],
  VALID_IN_MONITOR_MODE: ['monitor', 'auth'],
  ENTER_SUBSCRIBER_MODE: ['subscribe', 'psubscribe', 'ssubscribe'],
  EXIT_SUBSCRIBER_MODE: ['unsubscribe', 'punsubscribe', 'sunsubscribe'],
  WILL_DISCONNECT: ['quit'],
  HANDSHAKE_COMMANDS: ['auth', 'select', 'client', 'readonly', 'info'],
  IGNORE_RECONNECT_ON_ERROR: ['client'],
  BLOCKING_COMMANDS: ['blpop', 'brpop', 'brpoplpush', 'blmove', 'bzpopmin', 'bzpopmax', 'bzmpop', 'blmpop', 'xread', 'xreadgroup'],
  LAST_ARG_TIMEOUT_COMMANDS: ['blpop', 'brpop', 'brpoplpush', 'blmove', 'bzpopmin', 'bzpopmax'],
  FIRST_ARG_TIMEOUT_COMMANDS: ['bzmpop', 'blmpop'],
  BLOCK_OPTION_COMMANDS: ['xread', 'xreadgroup'],
};

/** A command with its own promise (ioredis's `Command`). */
export class Command {
  /** Command groups by behaviour, as ioredis lists them. */
  static readonly FLAGS = FLAGS;

  /** True when `commandName` is in the flag group `flagName` (e.g. `ENTER_SUBSCRIBER_MODE`). */
  static checkFlag(flagName: string, commandName: string): boolean {
    return (FLAGS[flagName] ?? []).includes(commandName.toLowerCase());
  }

  /** Registers an argument transformer for a command name (affects every client). */
  static setArgumentTransformer(name: string, fn: ArgumentTransformer): void {
    argumentTransformers[name] = fn;
  }

  /** Registers a reply transformer for a command name (affects every client). */
  static setReplyTransformer(name: string, fn: ReplyTransformer): void {
    replyTransformers[name] = fn;
  }

  name: string;
  /** The arguments as sent: flattened, transformed, stringified, prefixed. */
  args: Bytes[];
  readonly promise: Promise<unknown>;
  readonly replyEncoding: BufferEncoding | null;
  isResolved = false;
  inTransaction = false;
  isReadOnly?: boolean;
  private resolvePromise!: (value: unknown) => void;
  private rejectPromise!: (error: unknown) => void;
  private keys?: Bytes[];
  private slot?: number | null;

  constructor(name: string, args: unknown[] = [], options: CommandOptions = {}, callback?: Callback) {
    this.name = name;
    this.replyEncoding = options.replyEncoding === undefined ? null : options.replyEncoding;
    this.args = buildArgv(name, args, options.keyPrefix).slice(1);
    if (options.readOnly) this.isReadOnly = true;
    this.promise = asCallback(
      new Promise((resolve, reject) => {
        this.resolvePromise = resolve;
        this.rejectPromise = reject;
      }),
      callback,
    );
  }

  /** The argument values ioredis treats as keys (after prefixing). */
  getKeys(): Bytes[] {
    if (this.keys === undefined) {
      const argv = [this.name, ...this.args];
      this.keys = ioredisKeyPositions(argv).filter((p) => p < argv.length).map((p) => argv[p]);
    }
    return this.keys;
  }

  /** The hash slot of the first key, or null for keyless commands. */
  getSlot(): number | null {
    if (this.slot === undefined) {
      const key = this.getKeys()[0];
      this.slot = key === undefined ? null : keySlot(key);
    }
    return this.slot;
  }

  /** Resolves with a converted reply (used by `sendCommand`). */
  resolve(value: unknown): void {
    if (this.isResolved) return;
    this.isResolved = true;
    this.resolvePromise(value);
  }

  reject(error: unknown): void {
    if (this.isResolved) return;
    this.isResolved = true;
    this.rejectPromise(error);
  }

  /** Settles from a typed reply or an error reply, with ioredis's conversions. @internal */
  settle(outcome: { reply: Reply } | { error: Error }, stringNumbers: boolean): void {
    if ('error' in outcome) {
      this.reject(outcome.error instanceof Error && outcome.error.name === 'ReplyError'
        ? replyErrorFor(outcome.error, this.name, [this.name, ...this.args])
        : outcome.error);
      return;
    }
    try {
      let value: unknown = convertReply(outcome.reply, this.replyEncoding === null, stringNumbers);
      const transformer = replyTransformers[this.name];
      if (transformer !== undefined) value = transformer(value);
      this.resolve(value);
    } catch (error) {
      this.reject(error);
    }
  }

  /** The argv to dispatch. @internal */
  argv(): Bytes[] {
    return [this.name, ...this.args];
  }
}
