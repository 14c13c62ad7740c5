/**
 * The ioredis-compatible client: one emulated connection on a ManagedRedis, with ioredis's
 * methods, argument conventions, reply shapes, connection states and events.
 *
 * Every command goes through the cache's one synchronous dispatch path when it is called (so
 * calls run in call order), and its promise settles on a microtask, like a reply arriving.
 *
 * Extension points for later features:
 * - pub/sub: SUBSCRIBE & co. go through dispatch; confirmations and messages come back through
 *   the connection (src/client/subscriptions.ts) and switch `condition.subscriber` as ioredis does.
 * - blocking commands: `Connection.execute` is the one place a deferred reply would surface.
 * - scripting: `defineCommand` already sends EVAL/EVALSHA as ioredis does.
 * - MULTI/EXEC/WATCH on the server: `Connection` stops emulating MULTI once the command exists.
 */
import { EventEmitter } from 'node:events';
import type { ManagedRedis } from '../managed-redis.js';
import type { Bytes } from '../keyspace/bytes.js';
import type { TimerHandle } from '../clock.js';
import { buildArgv, IOREDIS_METHOD_NAMES } from './args.js';
import { asCallback, noop, type Callback } from './callback.js';
import { Command } from './command.js';
import { emitMonitorLine, MONITORING_MODE_MESSAGE } from './monitor.js';
import { Connection } from './connection.js';
import { isBlockedReply, waitForReply, type BlockedReply } from '../blocking.js';
import { IOREDIS_VERSION } from './ioredis-commands.js';
import { CONNECTION_CLOSED_MESSAGE, convertReply, replyTransformers } from './reply.js';
import { NO_REPLY } from '../protocol/reply.js';
import { Pipeline, type PipelineEntry, type PipelineHost } from './pipeline.js';
import { ScanStream, type ScanStreamOptions } from './scan-stream.js';
import { Script, type ScriptDefinition } from './script.js';
import { commandMethod, installCommandMethods, scriptMethod, wrapError, wrapMultiResult } from './methods.js';
import { applyConfirmations, emitMessage, refusedInSubscriberMode, SUBSCRIBER_MODE_MESSAGE, type Condition } from './subscriptions.js';
import type { ClientCommands } from './types.js';

export type { Callback } from './callback.js';
export type { ScriptDefinition } from './script.js';

/** ioredis's connection states: `wait` (lazyConnect) → `connecting` → `connect` → `ready` → `close` → `end`. */
export type ClientStatus = 'wait' | 'connecting' | 'connect' | 'ready' | 'monitoring' | 'close' | 'reconnecting' | 'end';

/**
 * Client options: ioredis's `RedisOptions` (the ones that mean something in process are listed;
 * the others — host, port, password, tls, timeouts … — are accepted and kept in `options`).
 */
export interface ClientOptions {
  /** Prefix for every key argument, at the positions ioredis's command table gives. */
  keyPrefix?: string;
  /** CLIENT SETNAME at connect. */
  connectionName?: string | null;
  /** Do not connect until `connect()` or the first command (status stays `wait`). */
  lazyConnect?: boolean;
  /** Integer replies as strings (exact for 64-bit values). */
  stringNumbers?: boolean;
  /** SELECT this database at connect (AMR has only db 0; the server answers as it does). */
  db?: number;
  /** Queue commands while not ready (default true); when false they reject until `ready`. */
  enableOfflineQueue?: boolean;
  /** Skip CLIENT SETINFO (lib-name `ioredis`, lib-ver) at connect. */
  disableClientInfo?: boolean;
  /** Suffix for lib-name: `ioredis(<tag>)`. */
  clientInfoTag?: string;
  /** Delay before reconnecting after `disconnect(true)` or a dropped connection; no number = give up. */
  retryStrategy?: ((times: number) => number | void | null) | null;
  /** Scripts to define as methods (see `defineCommand`). */
  scripts?: Record<string, ScriptDefinition>;
  /** Emulator: connect to this node's endpoint (whole-database commands cover its shards only). */
  node?: number;
  /** Any other ioredis option (kept, not interpreted). */
  [option: string]: unknown;
}

/** ioredis's default options (`Redis.defaultOptions`). */
export const DEFAULT_OPTIONS: Readonly<ClientOptions> = Object.freeze({
  port: 6379,
  host: 'localhost',
  family: 0,
  connectTimeout: 10000,
  disconnectTimeout: 2000,
  retryStrategy: (times: number) => Math.min(times * 50, 2000),
  keepAlive: 0,
  noDelay: true,
  connectionName: null,
  disableClientInfo: false,
  clientInfoTag: undefined,
  sentinels: null,
  name: null,
  role: 'master',
  natMap: null,
  enableTLSForSentinelMode: false,
  updateSentinels: true,
  failoverDetector: false,
  username: null,
  password: null,
  db: 0,
  enableOfflineQueue: true,
  enableReadyCheck: true,
  autoResubscribe: true,
  autoResendUnfulfilledCommands: true,
  lazyConnect: false,
  keyPrefix: '',
  reconnectOnError: null,
  readOnly: false,
  stringNumbers: false,
  maxRetriesPerRequest: 20,
  maxLoadingRetryTime: 10000,
  enableAutoPipelining: false,
  autoPipeliningIgnoredCommands: [],
  sentinelMaxConnections: 10,
  blockingTimeoutGrace: 100,
});

/** `options` completed with ioredis's defaults (a key left `undefined` takes the default). */
export function withDefaults<T extends object>(options: T, defaults: object = DEFAULT_OPTIONS): T {
  const out: Record<string, unknown> = { ...(options as Record<string, unknown>) };
  for (const [key, value] of Object.entries(defaults)) if (out[key] === undefined) out[key] = value;
  return out as T;
}

const OFFLINE_QUEUE_DISABLED = "Stream isn't writeable and enableOfflineQueue options is false";

/** What a waiting command does once the connection is back, or when it never comes back. */
interface OfflineItem {
  run(): void;
  fail(error: Error): void;
}

export interface RedisClient extends ClientCommands {}

/**
 * An ioredis-compatible client on an emulated cache (`cache.createClient()`; the
 * `azure-managed-redis-emulator/ioredis` `Redis` class is a subclass that finds its cache by
 * host and port).
 */
export class RedisClient extends EventEmitter implements PipelineHost {
  /** The emulated cache this client talks to. */
  readonly cache: ManagedRedis;
  /** The options, completed with ioredis's defaults. */
  readonly options: ClientOptions;
  /** Connection state, as ioredis reports it. */
  status: ClientStatus = 'wait';
  readonly isCluster = false;
  /** Scripts defined with `defineCommand`, by name. */
  readonly scriptsSet: Record<string, Script> = {};
  /** Builtin commands added with `addBuiltinCommand`. */
  readonly addedBuiltinSet = new Set<string>();
  /** ioredis's per-connection condition (selected db, subscriber state). */
  condition: Condition | null = null;
  /** The condition of the connection that closed, until the next one is ready (autoResubscribe). */
  private prevCondition: Condition | null = null;

  /** @internal The open connection, or null before connecting / after closing. */
  conn: Connection | null = null;
  /** The error the last connect's AUTH got (wrong access key), or null. */
  private authFailure: Error | null = null;
  /** @internal */
  readonly stringNumbers: boolean;
  private readonly offlineQueueEnabled: boolean;
  private readonly keyPrefix: string | Buffer | undefined;
  private offlineQueue: OfflineItem[] = [];
  private epoch = 0;
  private manuallyClosing = false;
  private retryAttempts = 0;
  private reconnectTimer: TimerHandle | null = null;

  constructor(cache: ManagedRedis, options: ClientOptions = {}) {
    super();
    this.cache = cache;
    this.options = withDefaults(options);
    this.stringNumbers = this.options.stringNumbers === true;
    this.offlineQueueEnabled = this.options.enableOfflineQueue !== false;
    this.keyPrefix = (this.options.keyPrefix as string | Buffer | undefined) || undefined;
    if (this.options.scripts) {
      for (const [name, definition] of Object.entries(this.options.scripts)) this.defineCommand(name, definition);
    }
    if (this.options.lazyConnect) this.setStatus('wait');
    else this.connect().catch(noop);
  }

  /** ioredis's connection mode: `normal` (subscriber and monitor modes arrive with pub/sub). */
  get mode(): 'normal' | 'subscriber' | 'monitor' {
    return this.options.monitor ? 'monitor' : this.condition?.subscriber ? 'subscriber' : 'normal';
  }

  /** Commands waiting in automatic pipelines: always 0 (commands run when called). */
  get autoPipelineQueueSize(): number {
    return 0;
  }

  // ---------------------------------------------------------------- connection lifecycle

  /**
   * Connects (done automatically unless `lazyConnect`). Resolves once `ready`; rejects if already
   * connecting or connected, or if the connection closes first.
   */
  connect(callback?: Callback<void>): Promise<void> {
    const promise = new Promise<void>((resolve, reject) => {
      if (this.status === 'connecting' || this.status === 'connect' || this.status === 'ready') {
        reject(new Error('Redis is already connecting/connected'));
        return;
      }
      const epoch = ++this.epoch;
      this.setStatus('connecting');
      this.openConnection();
      const onReady = () => {
        this.removeListener('close', onClose);
        resolve();
      };
      const onClose = () => {
        this.removeListener('ready', onReady);
        reject(new Error(CONNECTION_CLOSED_MESSAGE));
      };
      this.once('ready', onReady);
      this.once('close', onClose);
      // An endpoint that refuses (its node is down, src/client/connection.ts): error, close, retry.
      const refusal = this.conn?.refusal ?? this.authFailure;
      if (refusal !== null) return void queueMicrotask(() => epoch === this.epoch && this.simulateConnectionLoss(refusal));
      // connect → ready on the next microtasks; commands sent meanwhile wait in the offline
      // queue and run, in order, once ready — as with a real connection.
      queueMicrotask(() => {
        if (epoch !== this.epoch) return;
        this.setStatus('connect');
        queueMicrotask(() => {
          if (epoch !== this.epoch) return;
          this.setStatus('ready');
          this.retryAttempts = 0;
          this.resubscribe();
          this.flushOfflineQueue(null);
        });
      });
    });
    return asCallback(promise, callback);
  }

  /** @internal Resolves when the client is ready (now, if it is); rejects if it closes first. */
  connectPromise(): Promise<void> {
    if (this.status === 'ready') return Promise.resolve();
    if (this.status === 'end') return Promise.reject(new Error(CONNECTION_CLOSED_MESSAGE));
    return new Promise((resolve, reject) => {
      const onReady = () => {
        this.removeListener('close', onClose);
        resolve();
      };
      const onClose = () => {
        this.removeListener('ready', onReady);
        reject(new Error(CONNECTION_CLOSED_MESSAGE));
      };
      this.once('ready', onReady);
      this.once('close', onClose);
    });
  }

  /** Closes the connection at once; with `reconnect`, reconnects per `retryStrategy`. */
  disconnect(reconnect = false): void {
    if (!reconnect) this.manuallyClosing = true;
    if (this.reconnectTimer !== null && !reconnect) {
      this.reconnectTimer.cancel();
      this.reconnectTimer = null;
    }
    if (this.status === 'end') {
      this.manuallyClosing = false;
      return;
    }
    if (this.status === 'reconnecting' && !reconnect) {
      this.manuallyClosing = false;
      this.setStatus('end');
      this.flushOfflineQueue(new Error(CONNECTION_CLOSED_MESSAGE));
      return;
    }
    this.handleClose();
  }

  /** Same as `disconnect()` (deprecated in ioredis). */
  end(): void {
    this.disconnect();
  }

  /** Closes the connection gracefully: resolves `'OK'`; later commands reject with `Connection is closed.`. */
  quit(callback?: Callback<string>): Promise<string> {
    if (this.status === 'end') return asCallback(Promise.reject(new Error(CONNECTION_CLOSED_MESSAGE)), callback);
    if (this.conn !== null && this.status !== 'ready' && this.offlineQueue.length > 0) {
      // Commands sent before ready go first, then QUIT.
      return asCallback(
        new Promise<string>((resolve, reject) => this.whenConnected(() => this.quit().then(resolve, reject), reject)),
        callback,
      );
    }
    if (this.status === 'wait') {
      // ioredis starts connecting for the QUIT, then abandons the attempt: connecting → end.
      this.setStatus('connecting');
      this.setStatus('end');
      return asCallback(Promise.resolve('OK'), callback);
    }
    this.manuallyClosing = true;
    if (this.reconnectTimer !== null) {
      this.reconnectTimer.cancel();
      this.reconnectTimer = null;
    }
    this.conn?.quit();
    this.handleClose();
    return asCallback(Promise.resolve('OK'), callback);
  }

  /** `quit()` resolving with `Buffer('OK')`. */
  quitBuffer(callback?: Callback<Buffer>): Promise<Buffer> {
    return asCallback(
      this.quit().then(() => Buffer.from('OK')),
      callback,
    );
  }

  /** A new client with the same options (and cache), with `override` applied. */
  duplicate(override: Partial<ClientOptions> = {}): RedisClient {
    return this.spawn({ ...this.options, ...override });
  }

  /** Makes a sibling client (the ioredis facade overrides this to find the cache by address). */
  protected spawn(options: ClientOptions): RedisClient {
    return new RedisClient(this.cache, options);
  }

  private openConnection(): void {
    const options = this.options;
    const tag = options.clientInfoTag;
    const clientInfo = !options.disableClientInfo;
    this.conn = new Connection(this.cache, {
      name: typeof options.connectionName === 'string' && options.connectionName !== '' ? options.connectionName : null,
      node: typeof options.node === 'number' ? options.node : undefined,
      libName: clientInfo ? (tag ? `ioredis(${tag})` : 'ioredis') : undefined,
      libVersion: clientInfo ? IOREDIS_VERSION : undefined,
    });
    this.condition = { select: typeof options.db === 'number' ? options.db : 0, subscriber: false };
    const condition = this.condition;
    this.conn.events = {
      confirmations: (replies) => applyConfirmations(condition, replies),
      message: (message) => emitMessage(this, condition, message),
      monitor: (line) => emitMonitorLine(this, line),
      dropped: (error) => this.simulateConnectionLoss(error),
    };
    // ioredis sends AUTH first when a password is set; a refused one is fatal to the connection
    // (error, close, reconnect per retryStrategy), as ioredis's recoverFromFatalError does.
    this.authFailure = null;
    if (typeof options.password === 'string' && options.password !== '') {
      const argv = typeof options.username === 'string' && options.username !== '' ? ['auth', options.username, options.password] : ['auth', options.password];
      try {
        this.conn.execute(argv);
      } catch (error) {
        this.authFailure = wrapError(error, 'auth', argv) as Error;
      }
    }
    if (options.db) {
      try {
        this.conn.execute(['select', String(options.db)]);
      } catch (error) {
        queueMicrotask(() => this.silentEmit('error', wrapError(error, 'select', ['select', String(options.db)])));
      }
    }
  }

  /** After a reconnect: subscribe again to what the previous connection had (ioredis's autoResubscribe). */
  private resubscribe(): void {
    const previous = this.prevCondition;
    this.prevCondition = null;
    if (previous === null || previous.subscriber === false || !this.options.autoResubscribe) return;
    const set = previous.subscriber;
    const channels = set.channels('subscribe');
    if (channels.length > 0) this.sendMethod('subscribe', [channels], false).catch(noop);
    const patterns = set.channels('psubscribe');
    if (patterns.length > 0) this.sendMethod('psubscribe', [patterns], false).catch(noop);
    for (const channel of set.channels('ssubscribe')) this.sendMethod('ssubscribe', [channel], false).catch(noop);
  }

  /** ioredis's close handling: `close`, then `end` or `reconnecting` per `retryStrategy`. */
  private handleClose(): void {
    if (this.status === 'ready' && this.prevCondition === null) this.prevCondition = this.condition;
    this.epoch++;
    if (this.conn !== null) {
      this.conn.close();
      this.conn = null;
    }
    this.setStatus('close');
    if (this.manuallyClosing) {
      this.manuallyClosing = false;
      this.finalClose();
      return;
    }
    const strategy = this.options.retryStrategy;
    const delay = typeof strategy === 'function' ? strategy(++this.retryAttempts) : undefined;
    if (typeof delay !== 'number') {
      this.finalClose();
      return;
    }
    this.setStatus('reconnecting', delay);
    this.reconnectTimer = this.cache.clock.setTimeout(() => {
      this.reconnectTimer = null;
      this.connect().catch(noop);
    }, delay);
  }

  private finalClose(): void {
    this.setStatus('end');
    this.flushOfflineQueue(new Error(CONNECTION_CLOSED_MESSAGE));
  }

  /**
   * Drops the connection as a network failure would (no `quit`): `close`, then reconnect per
   * `retryStrategy`. For failover drills.
   */
  simulateConnectionLoss(error?: Error): void {
    if (error !== undefined) this.silentEmit('error', error);
    if (this.status === 'end' || this.conn === null) return;
    this.handleClose();
  }

  /** @internal */
  setStatus(status: ClientStatus, arg?: unknown): void {
    this.status = status;
    queueMicrotask(() => this.emit(status, arg));
  }

  /** Emits only when someone listens; an unheard `error` is printed, as ioredis does. */
  silentEmit(event: string, arg?: unknown): boolean {
    if (event === 'error' && this.status === 'end') return false;
    if (this.listenerCount(event) > 0) return this.emit(event, arg);
    if (arg instanceof Error) console.error('[ioredis] Unhandled error event:', arg.stack);
    return false;
  }

  private flushOfflineQueue(error: Error | null): void {
    if (this.offlineQueue.length === 0) return;
    const queue = this.offlineQueue;
    this.offlineQueue = [];
    for (const item of queue) {
      if (error === null) item.run();
      else item.fail(error);
    }
  }

  /**
   * @internal The connection to run a command on now; an Error when the command must fail; null
   * when it must wait for a reconnect.
   */
  acquire(): Connection | Error | null {
    const conn = this.conn;
    if (conn !== null && this.status === 'ready') return conn;
    if (this.status === 'wait') {
      this.connect().catch(noop);
      return this.acquire();
    }
    if (this.status === 'end') return new Error(CONNECTION_CLOSED_MESSAGE);
    if (!this.offlineQueueEnabled) return new Error(OFFLINE_QUEUE_DISABLED);
    return null;
  }

  /** @internal Queues work until the connection is back (or fails it when it ends). */
  whenConnected(run: () => void, fail: (error: Error) => void): void {
    this.offlineQueue.push({ run, fail });
  }

  // ---------------------------------------------------------------- sending commands

  /** @internal A generated method: `name(...args[, callback])`. */
  sendMethod(name: string, args: unknown[], buffers: boolean): Promise<unknown> {
    let callback: Callback | undefined;
    if (args.length > 0 && typeof args[args.length - 1] === 'function') callback = args.pop() as Callback;
    const promise = this.run(name, buildArgv(name, args, this.keyPrefix), buffers);
    return callback === undefined ? promise : asCallback(promise, callback);
  }

  /**
   * Settles when the blocking command this connection waits on, and everything queued behind it,
   * has answered; null when nothing waits. A real socket answers in order, so commands sent
   * meanwhile wait behind it.
   */
  private blockedTail: Promise<void> | null = null;

  /** Runs `next` once the commands already waiting on this connection have answered. */
  private afterBlocked<T>(next: () => Promise<T>): Promise<T> {
    const result = this.blockedTail === null ? next() : this.blockedTail.then(next);
    this.holdUntil(result);
    return result;
  }

  /** @internal A pipeline's start, behind a waiting blocking command (null when none waits). */
  behindBlocked<T>(start: () => Promise<T>): Promise<T> | null {
    return this.blockedTail === null ? null : this.afterBlocked(start);
  }

  /** @internal Makes later commands wait until `pending` settles. */
  holdUntil(pending: Promise<unknown>): void {
    const tail = pending.then(noop, noop);
    this.blockedTail = tail;
    void tail.then(() => {
      if (this.blockedTail === tail) this.blockedTail = null;
    });
  }

  /** @internal Runs a built argv and settles as ioredis would. */
  run(name: string, argv: Bytes[], buffers: boolean): Promise<unknown> {
    if (this.blockedTail !== null) return this.afterBlocked(() => this.runNow(name, argv, buffers));
    return this.runNow(name, argv, buffers);
  }

  private runNow(name: string, argv: Bytes[], buffers: boolean): Promise<unknown> {
    const conn = this.conn;
    if (conn === null || this.status !== 'ready') {
      if (this.status === 'monitoring' && conn !== null) return this.runMonitoring(conn, name, argv, buffers);
      return this.runSlow(name, argv, buffers);
    }
    if (this.condition !== null && this.condition.subscriber !== false && refusedInSubscriberMode(this.condition, name)) {
      return Promise.reject(new Error(SUBSCRIBER_MODE_MESSAGE));
    }
    let value: unknown;
    try {
      const reply = conn.execute(argv);
      // A blocking command with nothing to serve yet: wait on the cache's clock (src/blocking.ts).
      if (isBlockedReply(reply)) {
        const blocked = this.runBlocked(conn, name, argv, reply, buffers);
        this.holdUntil(blocked);
        return blocked;
      }
      // CLIENT REPLY OFF / SKIP: a server that sends nothing leaves ioredis's promise pending.
      if (reply === NO_REPLY) return new Promise(noop);
      value = convertReply(reply, buffers, this.stringNumbers);
      const transformer = replyTransformers[name];
      if (transformer !== undefined) value = transformer(value);
    } catch (error) {
      return Promise.reject(wrapError(error, name, argv));
    }
    return Promise.resolve(value);
  }

  /** A monitoring connection runs only MONITOR and AUTH, as ioredis allows (VALID_IN_MONITOR_MODE). */
  private runMonitoring(conn: Connection, name: string, argv: Bytes[], buffers: boolean): Promise<unknown> {
    if (!Command.checkFlag('VALID_IN_MONITOR_MODE', name)) return Promise.reject(new Error(MONITORING_MODE_MESSAGE));
    try {
      return Promise.resolve(convertReply(conn.execute(argv), buffers, this.stringNumbers));
    } catch (error) {
      return Promise.reject(wrapError(error, name, argv));
    }
  }

  private runBlocked(conn: Connection, name: string, argv: Bytes[], marker: BlockedReply, buffers: boolean): Promise<unknown> {
    return waitForReply(conn.cache, conn.state, argv, marker).then(
      (reply) => {
        const value = convertReply(reply, buffers, this.stringNumbers);
        const transformer = replyTransformers[name];
        return transformer === undefined ? value : transformer(value);
      },
      (error) => {
        throw wrapError(error, name, argv);
      },
    );
  }

  private runSlow(name: string, argv: Bytes[], buffers: boolean): Promise<unknown> {
    const target = this.acquire();
    if (target instanceof Error) return Promise.reject(target);
    if (target === null) {
      return new Promise((resolve, reject) =>
        this.whenConnected(() => this.run(name, argv, buffers).then(resolve, reject), reject),
      );
    }
    return this.run(name, argv, buffers);
  }

  /**
   * Sends any command: `call('GET', 'k')`. Arguments follow the method conventions (arrays
   * flattened, numbers stringified); the name is sent as given. Resolves with the reply.
   */
  call(command: string | unknown[], ...args: unknown[]): Promise<unknown> {
    if (Array.isArray(command)) return this.call(...(command as [string, ...unknown[]]), ...args);
    return this.sendMethod(String(command), args, false);
  }

  /** Like `call`, with bulk replies as Buffers. */
  callBuffer(command: string | unknown[], ...args: unknown[]): Promise<unknown> {
    if (Array.isArray(command)) return this.callBuffer(...(command as [string, ...unknown[]]), ...args);
    return this.sendMethod(String(command), args, true);
  }

  /** Alias of `call` (node_redis compatibility, as in ioredis). */
  send_command(command: string, ...args: unknown[]): Promise<unknown> {
    return this.call(command, ...args);
  }

  /** Sends a hand-built {@link Command}; returns its promise. */
  sendCommand(command: Command): Promise<unknown> {
    if (this.blockedTail !== null) {
      void this.afterBlocked(() => {
        this.sendCommandNow(command);
        return command.promise;
      });
      return command.promise;
    }
    this.sendCommandNow(command);
    return command.promise;
  }

  private sendCommandNow(command: Command): void {
    const run = (conn: Connection) => {
      try {
        const argv = command.argv();
        const reply = conn.execute(argv);
        // A blocking command with nothing to serve yet waits, as for the methods (runBlocked).
        if (isBlockedReply(reply)) {
          this.holdUntil(
            waitForReply(conn.cache, conn.state, argv, reply).then(
              (served) => command.settle({ reply: served }, this.stringNumbers),
              (error: Error) => command.settle({ error }, this.stringNumbers),
            ),
          );
          return;
        }
        // CLIENT REPLY OFF / SKIP: no reply, so the command never settles (as with a real server).
        if (reply !== NO_REPLY) command.settle({ reply }, this.stringNumbers);
      } catch (error) {
        command.settle({ error: error as Error }, this.stringNumbers);
      }
    };
    const target = this.acquire();
    if (target instanceof Error) command.reject(target);
    else if (refusedInSubscriberMode(this.condition, command.name)) command.reject(new Error(SUBSCRIBER_MODE_MESSAGE));
    else if (target === null) this.whenConnected(() => run(this.conn!), (error) => command.reject(error));
    else run(target);
  }

  // ---------------------------------------------------------------- pipelines and transactions

  /** A pipeline: queue commands, then `exec()` resolves with `[error, result]` pairs. */
  pipeline(commands?: unknown[][]): Pipeline {
    const pipeline = new Pipeline(this, false);
    if (Array.isArray(commands)) pipeline.addBatch(commands);
    return pipeline;
  }

  /**
   * A transaction. By default a pipeline wrapped in MULTI/EXEC whose `exec()` resolves with the
   * transaction's `[error, result]` pairs (or rejects with EXECABORT). With `{ pipeline: false }`
   * it sends MULTI now; later commands resolve `'QUEUED'` and `redis.exec()` runs them.
   */
  multi(options: { pipeline: false }): Promise<'OK'>;
  multi(commands?: unknown[][] | { pipeline?: true }, options?: { pipeline?: true }): Pipeline;
  multi(commands?: unknown[][] | { pipeline?: boolean }, options?: { pipeline?: boolean }): Pipeline | Promise<'OK'> {
    if (options === undefined && !Array.isArray(commands)) {
      options = commands;
      commands = undefined;
    }
    if (options && options.pipeline === false) return this.sendMethod('multi', [], false) as Promise<'OK'>;
    const pipeline = new Pipeline(this, true);
    if (Array.isArray(commands)) pipeline.addBatch(commands);
    return pipeline;
  }

  /** EXEC after `multi({ pipeline: false })`: resolves with `[error, result]` pairs (null if aborted by WATCH). */
  exec(callback?: Callback<Array<[Error | null, unknown]> | null>): Promise<Array<[Error | null, unknown]> | null> {
    const promise = this.sendMethod('exec', [], false).then((results) => wrapMultiResult(results as unknown[] | null));
    return asCallback(promise, callback);
  }

  /** @internal The connection a pipeline runs on. */
  pipelineTarget(_entries: readonly PipelineEntry[]): Connection | Error | null {
    return this.acquire();
  }

  // ---------------------------------------------------------------- scripts, builtins, streams

  /** Defines `name(...)` / `nameBuffer(...)` running a Lua script (EVALSHA, falling back to EVAL). */
  defineCommand(name: string, definition: ScriptDefinition): void {
    const script = new Script(definition.lua, definition.numberOfKeys ?? null, this.keyPrefix ?? '', definition.readOnly);
    this.scriptsSet[name] = script;
    (this as Record<string, unknown>)[name] = scriptMethod(script, false);
    (this as Record<string, unknown>)[`${name}Buffer`] = scriptMethod(script, true);
  }

  /** @internal Runs a script call. */
  runScript(script: Script, args: unknown[], buffers: boolean, callback?: Callback): Promise<unknown> {
    return asCallback(this.runScriptArgv(script, script.argv(args), buffers), callback);
  }

  /** @internal */
  runScriptArgv(script: Script, argv: Bytes[], buffers: boolean): Promise<unknown> {
    const target = this.acquire();
    if (target instanceof Error) return Promise.reject(target);
    if (target === null) {
      return new Promise((resolve, reject) =>
        this.whenConnected(() => this.runScriptArgv(script, argv, buffers).then(resolve, reject), reject),
      );
    }
    const outcome = script.execute(target, argv);
    if ('error' in outcome) return Promise.reject(wrapError(outcome.error, outcome.sent[0] as string, outcome.sent));
    try {
      return Promise.resolve(convertReply(outcome.reply, buffers, this.stringNumbers));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Adds a method (and `…Buffer` twin) for a command ioredis's table lacks. */
  addBuiltinCommand(commandName: string): void {
    this.addedBuiltinSet.add(commandName);
    (this as Record<string, unknown>)[commandName] = commandMethod(commandName, false);
    (this as Record<string, unknown>)[`${commandName}Buffer`] = commandMethod(commandName, true);
  }

  /** The command names that have methods. */
  getBuiltinCommands(): string[] {
    return IOREDIS_METHOD_NAMES.slice();
  }

  /** `{ string, buffer }` functions sending `commandName` (call them with the client as `this`). */
  createBuiltinCommand(commandName: string): { string: (...args: unknown[]) => Promise<unknown>; buffer: (...args: unknown[]) => Promise<unknown> } {
    return { string: commandMethod(commandName, false), buffer: commandMethod(commandName, true) };
  }

  /**
   * MONITOR on a duplicate connection, as ioredis does: resolves with that connection once the
   * server accepted MONITOR (its status is then `monitoring`). It emits `'monitor'` with
   * `(time, args, source, database)` for every command others run, parsed from the server's line
   * as ioredis parses it; it runs no other command but AUTH and MONITOR.
   */
  monitor(callback?: Callback<RedisClient>): Promise<RedisClient> {
    const monitor = this.duplicate({ lazyConnect: true, monitor: true });
    const promise = monitor.call('monitor').then(
      () => {
        monitor.setStatus('monitoring');
        return monitor;
      },
      (error: Error) => {
        monitor.disconnect();
        throw error;
      },
    );
    return asCallback(promise, callback);
  }

  /** A readable stream of SCAN batches (arrays of keys). */
  scanStream(options: ScanStreamOptions = {}): ScanStream {
    return new ScanStream({ objectMode: true, redis: this, command: 'scan', ...options });
  }
  scanBufferStream(options: ScanStreamOptions = {}): ScanStream {
    return new ScanStream({ objectMode: true, redis: this, command: 'scanBuffer', ...options });
  }
  sscanStream(key: string, options: ScanStreamOptions = {}): ScanStream {
    return new ScanStream({ objectMode: true, redis: this, command: 'sscan', key, ...options });
  }
  sscanBufferStream(key: string, options: ScanStreamOptions = {}): ScanStream {
    return new ScanStream({ objectMode: true, redis: this, command: 'sscanBuffer', key, ...options });
  }
  hscanStream(key: string, options: ScanStreamOptions = {}): ScanStream {
    return new ScanStream({ objectMode: true, redis: this, command: 'hscan', key, ...options });
  }
  hscanBufferStream(key: string, options: ScanStreamOptions = {}): ScanStream {
    return new ScanStream({ objectMode: true, redis: this, command: 'hscanBuffer', key, ...options });
  }
  zscanStream(key: string, options: ScanStreamOptions = {}): ScanStream {
    return new ScanStream({ objectMode: true, redis: this, command: 'zscan', key, ...options });
  }
  zscanBufferStream(key: string, options: ScanStreamOptions = {}): ScanStream {
    return new ScanStream({ objectMode: true, redis: this, command: 'zscanBuffer', key, ...options });
  }
}

installCommandMethods(RedisClient.prototype);

/** An ioredis-compatible client on `cache` (what `cache.createClient(options)` returns). */
export function createClient(cache: ManagedRedis, options: ClientOptions = {}): RedisClient {
  return new RedisClient(cache, options);
}
