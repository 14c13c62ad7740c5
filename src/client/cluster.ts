/**
 * ioredis's `Cluster` on an emulated cache: one connection per endpoint node (the nodes holding
 * primary shards), commands routed to the node that owns the slot of their first key (as ioredis
 * computes keys), keyless commands to one node (ioredis picks a random one; the emulator always
 * the first, so `cluster.keys('*')` shows that node's keys only, as it would show one node's).
 * Pipelines and `multi()` follow ioredis's cluster rules: every command's keys in one slot, and
 * all commands on one node.
 */
import { EventEmitter } from 'node:events';
import type { ManagedRedis } from '../managed-redis.js';
import type { Bytes } from '../keyspace/bytes.js';
import type { TimerHandle } from '../clock.js';
import { keySlot, SLOT_COUNT } from '../cluster/slots.js';
import { buildArgv, ioredisKeyPositions, IOREDIS_METHOD_NAMES } from './args.js';
import { asCallback, noop, type Callback } from './callback.js';
import { RedisClient, withDefaults, type ClientOptions } from './client.js';
import type { Command } from './command.js';
import type { Connection } from './connection.js';
import { commandMethod, installCommandMethods, scriptMethod, wrapMultiResult } from './methods.js';
import { Pipeline, type PipelineEntry, type PipelineHost } from './pipeline.js';
import { ScanStream, type ScanStreamOptions } from './scan-stream.js';
import { Script, type ScriptDefinition } from './script.js';
import type { ClientCommands } from './types.js';

/** A startup node as ioredis takes it: a port, `host:port` / URL string, or `{ host, port }`. */
export type ClusterNode = number | string | { host?: string; port?: number | string };

/** ioredis's `ClusterOptions` (the ones that mean something in process; others are kept). */
export interface ClusterOptions {
  /** Options for each node connection (keyPrefix, connectionName, stringNumbers …). */
  redisOptions?: ClientOptions;
  keyPrefix?: string;
  lazyConnect?: boolean;
  enableOfflineQueue?: boolean;
  /** Delay before reconnecting after `disconnect(true)`; no number = give up. */
  clusterRetryStrategy?: ((times: number, reason?: Error) => number | void | null) | null;
  scaleReads?: 'master' | 'slave' | 'all' | ((...args: unknown[]) => unknown);
  scripts?: Record<string, ScriptDefinition>;
  [option: string]: unknown;
}

/** ioredis's `Cluster` states. */
export type ClusterStatus = 'wait' | 'connecting' | 'connect' | 'ready' | 'disconnecting' | 'close' | 'reconnecting' | 'end';

/** ioredis's default cluster options. */
export const DEFAULT_CLUSTER_OPTIONS: Readonly<ClusterOptions> = Object.freeze({
  clusterRetryStrategy: (times: number) => Math.min(100 + times * 2, 2000),
  enableOfflineQueue: true,
  enableReadyCheck: true,
  scaleReads: 'master' as const,
  maxRedirections: 16,
  retryDelayOnMoved: 0,
  retryDelayOnFailover: 100,
  retryDelayOnClusterDown: 100,
  retryDelayOnTryAgain: 100,
  slotsRefreshTimeout: 1000,
  useSRVRecords: false,
  enableAutoPipelining: false,
  autoPipeliningIgnoredCommands: [],
  shardedSubscribers: false,
});

/** The error commands get after the cluster has ended (redis-errors' AbortError in ioredis). */
export class AbortError extends Error {
  override get name(): string {
    return 'AbortError';
  }
}

interface OfflineItem {
  run(): void;
  fail(error: Error): void;
}

export interface ClusterClient extends ClientCommands {}

export class ClusterClient extends EventEmitter implements PipelineHost {
  readonly cache: ManagedRedis;
  readonly startupNodes: ClusterNode[];
  readonly options: ClusterOptions;
  status: ClusterStatus = 'wait';
  readonly isCluster = true;
  readonly scriptsSet: Record<string, Script> = {};
  readonly addedBuiltinSet = new Set<string>();
  /** Slot → `['ip:port']` of the node serving it (filled at connect), as ioredis keeps it. */
  slots: string[][] = [];
  /** @internal */
  readonly stringNumbers: boolean;
  private readonly keyPrefix: string | Buffer | undefined;
  private nodeClients = new Map<number, RedisClient>();
  private offlineQueue: OfflineItem[] = [];
  private epoch = 0;
  private manuallyClosing = false;
  private retryAttempts = 0;
  private reconnectTimer: TimerHandle | null = null;

  constructor(cache: ManagedRedis, startupNodes: ClusterNode[] = [], options: ClusterOptions = {}) {
    super();
    this.cache = cache;
    this.startupNodes = startupNodes;
    this.options = withDefaults(options, DEFAULT_CLUSTER_OPTIONS);
    if (this.options.redisOptions?.keyPrefix && !this.options.keyPrefix) this.options.keyPrefix = this.options.redisOptions.keyPrefix;
    if (typeof this.options.scaleReads !== 'function' && !['all', 'master', 'slave'].includes(this.options.scaleReads as string)) {
      throw new Error(`Invalid option scaleReads "${String(this.options.scaleReads)}". Expected "all", "master", "slave" or a custom function`);
    }
    this.keyPrefix = this.options.keyPrefix || undefined;
    this.stringNumbers = this.options.redisOptions?.stringNumbers === true;
    if (this.options.scripts) {
      for (const [name, definition] of Object.entries(this.options.scripts)) this.defineCommand(name, definition);
    }
    if (this.options.lazyConnect) this.setStatus('wait');
    else this.connect().catch(noop);
  }

  /** Commands waiting in automatic pipelines: always 0. */
  get autoPipelineQueueSize(): number {
    return 0;
  }

  // ---------------------------------------------------------------- lifecycle

  /** Connects to every endpoint node; resolves once `ready`. */
  connect(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.status === 'connecting' || this.status === 'connect' || this.status === 'ready') {
        reject(new Error('Redis is already connecting/connected'));
        return;
      }
      const epoch = ++this.epoch;
      this.setStatus('connecting');
      this.slots = slotTable(this.cache);
      const ready: Promise<void>[] = [];
      for (const index of endpointNodeIndexes(this.cache)) ready.push(this.addNode(index).connectPromise());
      Promise.all(ready).then(
        () => {
          if (epoch !== this.epoch) {
            reject(new Error('Connection is aborted'));
            return;
          }
          this.emit('refresh');
          this.setStatus('connect');
          this.setStatus('ready');
          this.retryAttempts = 0;
          const queue = this.offlineQueue;
          this.offlineQueue = [];
          for (const item of queue) item.run();
          resolve();
        },
        (error: Error) => reject(error),
      );
    });
  }

  /** Disconnects every node; with `reconnect`, reconnects per `clusterRetryStrategy`. */
  disconnect(reconnect = false): void {
    const status = this.status;
    this.setStatus('disconnecting');
    if (!reconnect) this.manuallyClosing = true;
    if (this.reconnectTimer !== null && !reconnect) {
      this.reconnectTimer.cancel();
      this.reconnectTimer = null;
    }
    if (status === 'end') {
      this.setStatus('end');
      return;
    }
    for (const client of this.nodeClients.values()) client.disconnect();
    this.handleClose();
  }

  /** Quits every node; resolves `'OK'`. Later commands reject with `Cluster is ended.`. */
  quit(callback?: Callback<string>): Promise<string> {
    const status = this.status;
    this.setStatus('disconnecting');
    this.manuallyClosing = true;
    if (this.reconnectTimer !== null) {
      this.reconnectTimer.cancel();
      this.reconnectTimer = null;
    }
    const nodes = [...this.nodeClients.values()];
    if (status === 'wait' || nodes.length === 0) {
      this.handleClose();
      return asCallback(Promise.resolve('OK'), callback);
    }
    const promise = Promise.all(
      nodes.map((node) =>
        node.quit().catch((error: Error) => {
          if (error.message === 'Connection is closed.') return 'OK';
          throw error;
        }),
      ),
    ).then(() => {
      this.handleClose();
      return 'OK';
    });
    return asCallback(promise, callback);
  }

  /** A new cluster client with the same startup nodes and options. */
  duplicate(overrideStartupNodes: ClusterNode[] = [], overrideOptions: ClusterOptions = {}): ClusterClient {
    const startupNodes = overrideStartupNodes.length > 0 ? overrideStartupNodes : this.startupNodes.slice(0);
    return this.spawn(startupNodes, { ...this.options, ...overrideOptions });
  }

  protected spawn(startupNodes: ClusterNode[], options: ClusterOptions): ClusterClient {
    return new ClusterClient(this.cache, startupNodes, options);
  }

  /** The node connections: `master` / `all` give the primaries' endpoints; `slave` none yet. */
  nodes(role: 'all' | 'master' | 'slave' = 'all'): RedisClient[] {
    if (role !== 'all' && role !== 'master' && role !== 'slave') {
      throw new Error(`Invalid role "${String(role)}". Expected "all", "master" or "slave"`);
    }
    return role === 'slave' ? [] : [...this.nodeClients.values()];
  }

  /** Takes the slot table from the topology as it is now (it changes with failovers); calls back at once. */
  refreshSlotsCache(callback?: (err?: Error) => void): void {
    if (this.status === 'ready') this.refreshSlots();
    if (callback) queueMicrotask(() => callback());
  }

  private handleClose(): void {
    this.epoch++;
    this.nodeClients = new Map();
    this.setStatus('close');
    const strategy = this.options.clusterRetryStrategy;
    const delay = !this.manuallyClosing && typeof strategy === 'function' ? strategy.call(this, ++this.retryAttempts) : undefined;
    if (typeof delay === 'number') {
      this.setStatus('reconnecting');
      this.reconnectTimer = this.cache.clock.setTimeout(() => {
        this.reconnectTimer = null;
        this.connect().catch(noop);
      }, delay);
      return;
    }
    this.manuallyClosing = false;
    this.setStatus('end');
    const queue = this.offlineQueue;
    this.offlineQueue = [];
    for (const item of queue) item.fail(new Error('None of startup nodes is available'));
  }

  private setStatus(status: ClusterStatus): void {
    this.status = status;
    queueMicrotask(() => this.emit(status));
  }

  // ---------------------------------------------------------------- routing

  /** A connection to a node endpoint, with its errors reported as the cluster's `node error`. */
  private addNode(index: number): RedisClient {
    const client = new RedisClient(this.cache, { ...this.options.redisOptions, node: index, lazyConnect: false });
    const node = this.cache.topology.nodes[index];
    const address = `${node.ip}:${node.port}`;
    client.on('error', (error: Error) => this.emit('node error', error, address));
    this.nodeClients.set(index, client);
    queueMicrotask(() => this.emit('+node', client));
    return client;
  }

  /**
   * The node client a command goes to: the owner of its first key's slot, else the first node.
   * When a failover moved the slot to another node, a real node answers `MOVED` and ioredis
   * refreshes its slot table and resends; the emulator does that at once: the table is refreshed
   * (`refresh`, `+node` for a new endpoint, `-node` for one that serves no slot any more) and the
   * command goes to the slot's new node.
   */
  private nodeFor(argv: readonly Bytes[]): RedisClient | undefined {
    const positions = ioredisKeyPositions(argv);
    const first = positions.length > 0 && positions[0] < argv.length ? argv[positions[0]] : undefined;
    if (first === undefined) return this.nodeClients.values().next().value;
    const slot = keySlot(first);
    const index = nodeOfSlot(this.cache, slot);
    const node = this.cache.topology.nodes[index];
    const served = this.slots[slot];
    if (served === undefined || served[0] !== `${node.ip}:${node.port}`) this.refreshSlots();
    return this.nodeClients.get(index) ?? this.addNode(index);
  }

  /** Takes the slot table from the topology as it is now, as ioredis's refresh after MOVED does. */
  private refreshSlots(): void {
    this.slots = slotTable(this.cache);
    const endpoints = new Set(endpointNodeIndexes(this.cache));
    for (const index of endpoints) if (!this.nodeClients.has(index)) this.addNode(index);
    for (const [index, client] of this.nodeClients) {
      if (endpoints.has(index)) continue;
      this.nodeClients.delete(index);
      client.disconnect();
      queueMicrotask(() => this.emit('-node', client));
    }
    queueMicrotask(() => this.emit('refresh'));
  }

  /** @internal Where a command runs now: a node client, an Error to fail with, or null to wait. */
  route(argv: readonly Bytes[]): RedisClient | Error | null {
    if (this.status === 'ready') return this.nodeFor(argv) ?? new AbortError('Cluster is ended.');
    if (this.status === 'end') return new AbortError('Cluster is ended.');
    if (this.status === 'wait') {
      this.connect().catch(noop);
      return this.route(argv);
    }
    if (this.options.enableOfflineQueue === false) return new Error("Cluster isn't ready and enableOfflineQueue options is false");
    return null;
  }

  /** @internal */
  whenConnected(run: () => void, fail: (error: Error) => void): void {
    this.offlineQueue.push({ run, fail });
  }

  /** @internal A generated method. */
  sendMethod(name: string, args: unknown[], buffers: boolean): Promise<unknown> {
    let callback: Callback | undefined;
    if (args.length > 0 && typeof args[args.length - 1] === 'function') callback = args.pop() as Callback;
    const promise = this.runArgv(name, buildArgv(name, args, this.keyPrefix), buffers);
    return callback === undefined ? promise : asCallback(promise, callback);
  }

  private runArgv(name: string, argv: Bytes[], buffers: boolean): Promise<unknown> {
    const target = this.route(argv);
    if (target instanceof Error) return Promise.reject(target);
    if (target === null) {
      return new Promise((resolve, reject) => this.whenConnected(() => this.runArgv(name, argv, buffers).then(resolve, reject), reject));
    }
    return target.run(name, argv, buffers);
  }

  call(command: string, ...args: unknown[]): Promise<unknown> {
    return this.sendMethod(String(command), args, false);
  }

  callBuffer(command: string, ...args: unknown[]): Promise<unknown> {
    return this.sendMethod(String(command), args, true);
  }

  send_command(command: string, ...args: unknown[]): Promise<unknown> {
    return this.call(command, ...args);
  }

  /** Sends a hand-built Command to the node of its first key. */
  sendCommand(command: Command): Promise<unknown> {
    const target = this.route(command.argv());
    if (target instanceof Error) command.reject(target);
    else if (target === null) this.whenConnected(() => void this.sendCommand(command), (error) => command.reject(error));
    else void target.sendCommand(command);
    return command.promise;
  }

  pipeline(commands?: unknown[][]): Pipeline {
    const pipeline = new Pipeline(this, false);
    if (Array.isArray(commands)) pipeline.addBatch(commands);
    return pipeline;
  }

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

  exec(callback?: Callback<Array<[Error | null, unknown]> | null>): Promise<Array<[Error | null, unknown]> | null> {
    const promise = this.sendMethod('exec', [], false).then((results) => wrapMultiResult(results as unknown[] | null));
    return asCallback(promise, callback);
  }

  /** @internal ioredis's cluster pipeline rules, then the chosen node's connection. */
  pipelineTarget(entries: readonly PipelineEntry[]): Connection | Error | null {
    if (this.status === 'end') return new AbortError('Cluster is ended.');
    if (this.status !== 'ready') {
      if (this.status === 'wait') this.connect().catch(noop);
      return null;
    }
    const sampleKeys: Bytes[] = [];
    for (const entry of entries) {
      const keys = ioredisKeyPositions(entry.argv)
        .filter((p) => p < entry.argv.length)
        .map((p) => entry.argv[p]);
      if (keys.length === 0) continue;
      sampleKeys.push(keys[0]);
      const slot = keySlot(keys[0]);
      for (let i = 1; i < keys.length; i++) {
        if (keySlot(keys[i]) !== slot) throw new Error('All the keys in a pipeline command should belong to the same slot');
      }
    }
    let node: RedisClient | undefined;
    if (sampleKeys.length > 0) {
      const index = nodeOfSlot(this.cache, keySlot(sampleKeys[0]));
      for (let i = 1; i < sampleKeys.length; i++) {
        if (nodeOfSlot(this.cache, keySlot(sampleKeys[i])) !== index) {
          throw new Error('All keys in the pipeline should belong to the same slots allocation group');
        }
      }
      node = this.nodeClients.get(index);
    } else {
      node = this.nodeClients.values().next().value;
    }
    if (node === undefined) return new AbortError('Cluster is ended.');
    return node.acquire();
  }

  // ---------------------------------------------------------------- scripts, builtins, streams

  defineCommand(name: string, definition: ScriptDefinition): void {
    const script = new Script(definition.lua, definition.numberOfKeys ?? null, this.keyPrefix ?? '', definition.readOnly);
    this.scriptsSet[name] = script;
    (this as Record<string, unknown>)[name] = scriptMethod(script, false);
    (this as Record<string, unknown>)[`${name}Buffer`] = scriptMethod(script, true);
  }

  /** @internal */
  runScript(script: Script, args: unknown[], buffers: boolean, callback?: Callback): Promise<unknown> {
    const argv = script.argv(args);
    const run = (): Promise<unknown> => {
      const target = this.route(argv);
      if (target instanceof Error) return Promise.reject(target);
      if (target === null) return new Promise((resolve, reject) => this.whenConnected(() => run().then(resolve, reject), reject));
      return target.runScriptArgv(script, argv, buffers);
    };
    return asCallback(run(), callback);
  }

  addBuiltinCommand(commandName: string): void {
    this.addedBuiltinSet.add(commandName);
    (this as Record<string, unknown>)[commandName] = commandMethod(commandName, false);
    (this as Record<string, unknown>)[`${commandName}Buffer`] = commandMethod(commandName, true);
  }

  getBuiltinCommands(): string[] {
    return IOREDIS_METHOD_NAMES.slice();
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

installCommandMethods(ClusterClient.prototype);

/** Nodes that hold at least one primary shard (the endpoints a cluster client connects to). */
function endpointNodeIndexes(cache: ManagedRedis): number[] {
  const seen = new Set<number>();
  for (const shard of cache.topology.shards) seen.add(shard.primaryNode);
  return [...seen].sort((a, b) => a - b);
}

function nodeOfSlot(cache: ManagedRedis, slot: number): number {
  return cache.topology.shards[cache.shardForSlot(slot).index].primaryNode;
}

function slotTable(cache: ManagedRedis): string[][] {
  const table: string[][] = new Array(SLOT_COUNT);
  const keys = cache.topology.nodes.map((node) => [`${node.ip}:${node.port}`]);
  for (let slot = 0; slot < SLOT_COUNT; slot++) table[slot] = keys[nodeOfSlot(cache, slot)];
  return table;
}
