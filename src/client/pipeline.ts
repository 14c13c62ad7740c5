/**
 * ioredis's Pipeline: command methods queue and return the pipeline; `exec()` runs the queue back
 * to back on one connection and resolves with `[error, result]` pairs (`[error]` for a failure).
 * `redis.multi()` is a pipeline wrapped in MULTI … EXEC whose `exec()` unwraps the transaction:
 * the EXEC reply's pairs, or a rejection with EXECABORT (carrying `previousErrors`).
 */
import type { Bytes } from '../keyspace/bytes.js';
import { NO_REPLY, type Reply } from '../protocol/reply.js';
import { isBlockedReply, waitForReply } from '../blocking.js';
import { buildArgv } from './args.js';
import { asCallback, type Callback } from './callback.js';
import type { Connection } from './connection.js';
import { callLater, installCommandMethods, wrapError, wrapMultiResult } from './methods.js';
import { convertReply, replyTransformers } from './reply.js';
import type { Script } from './script.js';
import type { PipelineCommands } from './types.js';
import { refusedInSubscriberMode, SUBSCRIBER_MODE_MESSAGE, type Condition } from './subscriptions.js';

/** One queued command. */
export interface PipelineEntry {
  name: string;
  argv: Bytes[];
  buffers: boolean;
  callback?: Callback;
  script?: Script;
}

/** `[error]` for a failed command, `[null, result]` for a successful one. */
export type PipelineResult = Array<[Error | null, unknown]>;

/** What a pipeline needs from its client (a RedisClient or a cluster). @internal */
export interface PipelineHost {
  readonly options: { keyPrefix?: unknown; [option: string]: unknown };
  readonly isCluster: boolean;
  readonly stringNumbers: boolean;
  readonly scriptsSet: Record<string, Script>;
  readonly addedBuiltinSet: Set<string>;
  /**
   * The connection to run `entries` on; an Error each command fails with; null to wait for a
   * reconnect. Throws to reject the whole pipeline (cluster slot rules).
   */
  pipelineTarget(entries: readonly PipelineEntry[]): Connection | Error | null;
  whenConnected(run: () => void, fail: (error: Error) => void): void;
  /**
   * `start()` once the blocking command the client waits on, and what queued behind it, has
   * answered; null when nothing waits (then the pipeline runs at once).
   */
  behindBlocked?<T>(start: () => Promise<T>): Promise<T> | null;
  /** Makes the client's later commands wait until `pending` settles (this pipeline blocks). */
  holdUntil?(pending: Promise<unknown>): void;
}

export interface Pipeline extends PipelineCommands<Pipeline> {}

export class Pipeline {
  readonly isPipeline = true;
  readonly redis: PipelineHost;
  readonly options: PipelineHost['options'];
  readonly isCluster: boolean;
  private readonly queue: PipelineEntry[] = [];
  private readonly keyPrefix: string | Buffer | undefined;
  /** MULTIs queued and not yet closed by an EXEC. */
  private transactions = 0;
  private readonly transaction: boolean;
  private executed: Promise<PipelineResult> | null = null;

  constructor(redis: PipelineHost, transaction = false) {
    this.redis = redis;
    this.options = redis.options;
    this.isCluster = redis.isCluster;
    this.keyPrefix = (redis.options.keyPrefix as string | Buffer | undefined) || undefined;
    this.transaction = transaction;
    const self = this as unknown as Record<string, unknown>;
    const source = redis as unknown as Record<string, unknown>;
    for (const name of Object.keys(redis.scriptsSet)) {
      self[name] = source[name];
      self[`${name}Buffer`] = source[`${name}Buffer`];
    }
    for (const name of redis.addedBuiltinSet) {
      self[name] = source[name];
      self[`${name}Buffer`] = source[`${name}Buffer`];
    }
    if (transaction) this.multi();
  }

  /** Number of queued commands. */
  get length(): number {
    return this.queue.length;
  }

  /** @internal A generated method: queue `name(...args[, callback])`. */
  sendMethod(name: string, args: unknown[], buffers: boolean): this {
    let callback: Callback | undefined;
    if (args.length > 0 && typeof args[args.length - 1] === 'function') callback = args.pop() as Callback;
    this.queue.push({ name, argv: buildArgv(name, args, this.keyPrefix), buffers, callback });
    return this;
  }

  /** @internal A defined script's method. */
  runScript(script: Script, args: unknown[], buffers: boolean, callback?: Callback): this {
    this.queue.push({ name: 'evalsha', argv: script.argv(args), buffers, callback, script });
    return this;
  }

  /** Queues any command (`call('GET', 'k')`). */
  call(command: string, ...args: unknown[]): this {
    return this.sendMethod(String(command), args, false);
  }

  callBuffer(command: string, ...args: unknown[]): this {
    return this.sendMethod(String(command), args, true);
  }

  /** Queues `[name, ...args]` commands (the form `redis.pipeline([...])` takes). */
  addBatch(commands: unknown[][]): this {
    const self = this as unknown as Record<string, (...args: unknown[]) => unknown>;
    for (const command of commands) {
      const [name, ...args] = command;
      self[name as string].apply(this, args);
    }
    return this;
  }

  /** Queues MULTI (the next `exec()` queues the matching EXEC). */
  multi(): this {
    this.transactions++;
    this.queue.push({ name: 'multi', argv: ['multi'], buffers: false });
    return this;
  }

  /**
   * Runs the queue. A pipeline resolves with `[error, result]` pairs; a `multi()` pipeline with the
   * transaction's pairs, or rejects with the EXEC error (EXECABORT, with `previousErrors`).
   * On a plain pipeline with an open `multi()`, `exec()` queues EXEC and returns the pipeline.
   */
  exec(callback?: Callback<PipelineResult | null>): Promise<PipelineResult | null> {
    if (this.transaction) {
      if (this.transactions > 0) this.queueExec();
      const promise = this.execute().then((results) => {
        const execResult = results[results.length - 1];
        if (execResult === undefined) {
          throw new Error('Pipeline cannot be used to send any commands when the `exec()` has been called on it.');
        }
        if (execResult[0]) {
          const previousErrors: Error[] = [];
          for (let i = 0; i < results.length - 1; i++) if (results[i][0]) previousErrors.push(results[i][0] as Error);
          (execResult[0] as Error & { previousErrors?: Error[] }).previousErrors = previousErrors;
          throw execResult[0];
        }
        return wrapMultiResult(execResult[1] as unknown[] | null);
      });
      return asCallback(promise, callback);
    }
    if (this.transactions > 0) {
      this.queueExec();
      return this as never;
    }
    return asCallback(this.execute(), callback);
  }

  /** Deprecated in ioredis: `exec()` with the EXEC reply left as Buffers. */
  execBuffer(callback?: Callback<PipelineResult | null>): Promise<PipelineResult | null> {
    return this.exec(callback);
  }

  private queueExec(): void {
    this.transactions--;
    this.queue.push({ name: 'exec', argv: ['exec'], buffers: true });
  }

  private execute(): Promise<PipelineResult> {
    if (this.executed === null) {
      // Like commands on one socket, a pipeline waits behind a blocking command the client sent.
      const start = () => new Promise<PipelineResult>((resolve, reject) => this.attempt(resolve, reject));
      this.executed = this.queue.length === 0 ? Promise.resolve([]) : (this.redis.behindBlocked?.(start) ?? start());
    }
    return this.executed;
  }

  private attempt(resolve: (results: PipelineResult) => void, reject: (error: unknown) => void): void {
    let target: Connection | Error | null;
    try {
      target = this.redis.pipelineTarget(this.queue);
    } catch (error) {
      reject(error);
      return;
    }
    if (target === null) {
      this.redis.whenConnected(
        () => this.attempt(resolve, reject),
        (error) => resolve(this.failAll(error)),
      );
      return;
    }
    if (target instanceof Error) return resolve(this.failAll(target));
    this.runFrom(target, 0, new Array(this.queue.length), { silent: false }, resolve);
  }

  private failAll(error: Error): PipelineResult {
    const results: PipelineResult = this.queue.map(() => [error] as unknown as [Error, unknown]);
    this.notify(results);
    return results;
  }

  /**
   * Runs the queue from `start` on one connection, back to back. A blocking command with nothing to
   * serve holds the rest of the queue until it is served or times out, as on a real connection.
   * `done` gets the results, unless a command answered nothing (CLIENT REPLY OFF / SKIP): ioredis
   * waits for every reply, so the pipeline then never settles, as with a real server.
   */
  private runFrom(
    conn: Connection,
    start: number,
    results: PipelineResult,
    state: { silent: boolean; release?: () => void },
    done: (results: PipelineResult) => void,
  ): void {
    const queue = this.queue;
    const stringNumbers = this.redis.stringNumbers;
    const condition = (this.redis as { condition?: Condition | null }).condition ?? null;
    const failed = (entry: PipelineEntry, error: unknown) => [wrapError(error, entry.argv[0] as string, entry.argv) as Error] as unknown as [Error, unknown];
    for (let i = start; i < queue.length; i++) {
      const entry = queue[i];
      // ioredis refuses, command by command, what a subscriber connection may not send.
      if (refusedInSubscriberMode(condition, entry.name)) {
        results[i] = [new Error(SUBSCRIBER_MODE_MESSAGE)] as unknown as [Error, unknown];
        continue;
      }
      try {
        let reply: Reply;
        if (entry.script !== undefined) {
          const outcome = entry.script.execute(conn, entry.argv);
          if ('error' in outcome) {
            results[i] = [wrapError(outcome.error, outcome.sent[0] as string, outcome.sent) as Error] as unknown as [Error, unknown];
            continue;
          }
          reply = outcome.reply;
        } else {
          reply = conn.execute(entry.argv);
        }
        if (isBlockedReply(reply)) {
          // The client's later commands wait for the rest of this pipeline.
          if (state.release === undefined) this.redis.holdUntil?.(new Promise<void>((release) => (state.release = release)));
          const next = () => this.runFrom(conn, i + 1, results, state, done);
          waitForReply(conn.cache, conn.state, entry.argv, reply).then(
            (served) => {
              try {
                results[i] = [null, convert(entry, served, stringNumbers)];
              } catch (error) {
                results[i] = failed(entry, error);
              }
              next();
            },
            (error) => {
              results[i] = failed(entry, error);
              next();
            },
          );
          return;
        }
        if (reply === NO_REPLY) state.silent = true;
        results[i] = [null, entry.name === 'exec' && Array.isArray(reply) ? this.execItems(i, reply, stringNumbers) : convert(entry, reply, stringNumbers)];
      } catch (error) {
        results[i] = failed(entry, error);
      }
    }
    state.release?.();
    if (state.silent) return;
    this.notify(results);
    done(results);
  }

  /** The EXEC reply's items, each shaped as the command queued for it would be. */
  private execItems(position: number, items: Reply[], stringNumbers: boolean): unknown[] {
    const out: unknown[] = new Array(items.length);
    for (let j = 0; j < items.length; j++) {
      const item = items[j];
      const queued = this.queue[position - (items.length - j)];
      if (item instanceof Error || queued === undefined) {
        out[j] = convertReply(item, this.queue[position].buffers, stringNumbers);
        continue;
      }
      try {
        out[j] = convert(queued, item, stringNumbers);
      } catch (error) {
        out[j] = error;
      }
    }
    return out;
  }

  /** Calls per-command callbacks, in order. */
  private notify(results: PipelineResult): void {
    for (let i = 0; i < this.queue.length; i++) {
      const callback = this.queue[i].callback;
      if (callback !== undefined) callLater(callback, results[i][0], results[i][1]);
    }
  }
}

function convert(entry: PipelineEntry, reply: Reply, stringNumbers: boolean): unknown {
  const value = convertReply(reply, entry.buffers, stringNumbers);
  const transformer = replyTransformers[entry.name];
  return transformer === undefined ? value : transformer(value);
}

installCommandMethods(Pipeline.prototype);
