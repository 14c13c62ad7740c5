/**
 * `azure-managed-redis-emulator/ioredis`: a drop-in for the `ioredis` package, backed by emulated
 * Azure Managed Redis caches in process.
 *
 * ```ts
 * vi.mock('ioredis', () => import('azure-managed-redis-emulator/ioredis'));
 * import Redis from 'ioredis';
 * const redis = new Redis('redis://localhost:6379'); // an emulated cache, shared by address
 * ```
 *
 * Every client for the same host and port talks to one `ManagedRedis` (created with
 * {@link setEmulatorOptions}'s options on first use); {@link getEmulator} returns it, so a test can
 * drive its clock or inspect it, and {@link resetEmulators} gives the next test fresh caches.
 *
 * @packageDocumentation
 */
import type { ManagedRedis, ManagedRedisOptions } from './managed-redis.js';
import { ReplyError } from './protocol/errors.js';
import { DEFAULT_OPTIONS, RedisClient, type ClientOptions } from './client/client.js';
import { ClusterClient, type ClusterNode, type ClusterOptions } from './client/cluster.js';
import { Command } from './client/command.js';
import { Pipeline } from './client/pipeline.js';
import { ScanStream } from './client/scan-stream.js';
import {
  aliasEmulator,
  emulatorAt,
  getEmulatorOptions,
  registerEmulator,
  resetEmulators,
  setEmulatorOptions,
  type Address,
} from './client/registry.js';

export type { ClientOptions, ClientStatus, Callback, ScriptDefinition } from './client/client.js';
export type { ClusterNode, ClusterOptions, ClusterStatus } from './client/cluster.js';
export type { RedisKey, RedisValue } from './client/types.js';
export type { PipelineResult } from './client/pipeline.js';
export type { ScanStreamOptions, ScanStreamInit } from './client/scan-stream.js';
export type { CommandOptions } from './client/command.js';
export type { ArgumentTransformer } from './client/args.js';
export type { ReplyTransformer } from './client/reply.js';
export { resetEmulators, setEmulatorOptions, getEmulatorOptions };

/** ioredis's name for the client options. */
export type RedisOptions = ClientOptions;
/** ioredis's name for a pipeline or transaction being built. */
export type ChainableCommander = Pipeline;

/** The arguments `new Redis(…)` takes: port, host, URL or path, and options, in ioredis's forms. */
export type RedisArguments =
  | []
  | [port: number]
  | [pathOrUrl: string]
  | [options: ClientOptions]
  | [port: number, options: ClientOptions]
  | [port: number, host: string]
  | [pathOrUrl: string, options: ClientOptions]
  | [port: number, host: string, options: ClientOptions];

function isInt(value: string): boolean {
  const x = parseFloat(value);
  return !Number.isNaN(Number(value)) && (x | 0) === x;
}

/** ioredis's `parseURL`: `redis://user:pass@host:port/db?option=value`, `host:port`, a port, or a socket path. */
export function parseURL(url: string): Record<string, unknown> {
  if (isInt(url)) return { port: url };
  if (url.startsWith('/')) return { path: url };
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(url);
  let parsed: URL;
  try {
    parsed = new URL(hasScheme ? url : `redis://${url.startsWith('//') ? url.slice(2) : url}`);
  } catch {
    return {};
  }
  const result: Record<string, unknown> = {};
  if (parsed.username !== '' || parsed.password !== '') {
    result.username = decodeURIComponent(parsed.username);
    result.password = decodeURIComponent(parsed.password);
  }
  const redisScheme = parsed.protocol === 'redis:' || parsed.protocol === 'rediss:';
  if (parsed.pathname) {
    if (redisScheme) {
      if (parsed.pathname.length > 1) result.db = parsed.pathname.slice(1);
    } else if (parsed.pathname !== '/') {
      result.path = parsed.pathname;
    }
  }
  if (parsed.hostname) result.host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (parsed.port) result.port = parsed.port;
  for (const [key, value] of parsed.searchParams) {
    if (key === 'family') {
      const family = Number.parseInt(value, 10);
      if (!Number.isNaN(family) && result.family === undefined) result.family = family;
    } else if (result[key] === undefined) {
      result[key] = value;
    }
  }
  return result;
}

function fillMissing(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) if (target[key] === undefined) target[key] = value;
}

/** ioredis's constructor argument parsing (options fill gaps, a number is the port, a string a URL). */
export function parseRedisArguments(args: readonly unknown[]): ClientOptions {
  const options: Record<string, unknown> = {};
  let tls = false;
  for (const arg of args) {
    if (arg === null || arg === undefined) continue;
    if (typeof arg === 'object') fillMissing(options, arg as Record<string, unknown>);
    else if (typeof arg === 'string') {
      fillMissing(options, parseURL(arg));
      if (arg.startsWith('rediss://')) tls = true;
    } else if (typeof arg === 'number') options.port = arg;
    else throw new Error(`Invalid argument ${String(arg)}`);
  }
  if (tls && options.tls === undefined) options.tls = true;
  fillMissing(options, DEFAULT_OPTIONS as Record<string, unknown>);
  if (typeof options.port === 'string') options.port = Number.parseInt(options.port, 10);
  if (typeof options.db === 'string') options.db = Number.parseInt(options.db, 10);
  return options as ClientOptions;
}

/** The emulated cache at the address `new Redis(…args)` would connect to (created on first use). */
export function getEmulator(...args: RedisArguments | unknown[]): ManagedRedis {
  return emulatorAt(parseRedisArguments(args) as Address);
}

/**
 * Serves `cache` at the address `new Redis(…args)` would connect to, e.g. a cache with a virtual
 * clock or another SKU: `useEmulator(new ManagedRedis({ clock: 'virtual' }), 6379)`.
 */
export function useEmulator(cache: ManagedRedis, ...args: RedisArguments | unknown[]): ManagedRedis {
  return registerEmulator(cache, parseRedisArguments(args) as Address);
}

/**
 * A drop-in for ioredis's `Redis`: same constructor forms, methods, replies, states and events,
 * on the emulated cache at its host and port.
 */
export class Redis extends RedisClient {
  /** The cluster client class (`new Redis.Cluster(nodes, options)`). */
  static Cluster: typeof Cluster;
  static Command = Command;
  /** ioredis's default options. */
  static defaultOptions = DEFAULT_OPTIONS;

  /** Same as `new Redis(...)` (node-redis compatibility). */
  static createClient(...args: RedisArguments): Redis {
    return new Redis(...args);
  }

  /** The emulated cache at the address `new Redis(…args)` connects to. */
  static emulator(...args: RedisArguments | unknown[]): ManagedRedis {
    return getEmulator(...args);
  }

  /** Serves `cache` at the address `new Redis(…args)` connects to. */
  static useEmulator(cache: ManagedRedis, ...args: RedisArguments | unknown[]): ManagedRedis {
    return useEmulator(cache, ...args);
  }

  /** Forgets every emulated cache: the next client gets a fresh one. */
  static resetEmulators(): void {
    resetEmulators();
  }

  /** The ManagedRedis options new emulated caches get (default: `new ManagedRedis()`'s). */
  static get emulatorOptions(): ManagedRedisOptions {
    return getEmulatorOptions();
  }
  static set emulatorOptions(options: ManagedRedisOptions) {
    setEmulatorOptions(options);
  }

  constructor(...args: RedisArguments);
  constructor(...args: unknown[]);
  constructor(...args: unknown[]) {
    const options = parseRedisArguments(args);
    super(emulatorAt(options as Address), options);
  }

  protected override spawn(options: ClientOptions): Redis {
    return new Redis(options);
  }
}

function normalizeNode(node: ClusterNode): Address {
  let address: Address;
  if (typeof node === 'number') address = { port: node };
  else if (typeof node === 'string') address = parseURL(node);
  else address = { ...node };
  if (!address.host) address.host = '127.0.0.1';
  if (!address.port) address.port = 6379;
  return address;
}

/**
 * A drop-in for ioredis's `Cluster`, on the emulated cache of the first startup node's address
 * (the other startup addresses are served by the same cache unless they already have one).
 */
export class Cluster extends ClusterClient {
  constructor(startupNodes: ClusterNode[] = [], options: ClusterOptions = {}) {
    const addresses = (Array.isArray(startupNodes) ? startupNodes : [startupNodes]).map(normalizeNode);
    const cache = emulatorAt(addresses[0] ?? { host: '127.0.0.1', port: 6379 });
    for (const address of addresses.slice(1)) aliasEmulator(cache, address);
    super(cache, startupNodes, options);
  }

  protected override spawn(startupNodes: ClusterNode[], options: ClusterOptions): Cluster {
    return new Cluster(startupNodes, options);
  }
}

Redis.Cluster = Cluster;

/** ioredis's connector base class (exported for compatibility; the emulator needs no connector). */
export class AbstractConnector {
  connecting = false;
  constructor(readonly disconnectTimeout?: number) {}
  check(_info: unknown): boolean {
    return true;
  }
  disconnect(): void {}
}

/** Sentinel is not emulated (AMR has no Sentinel); constructing this throws. */
export class SentinelConnector extends AbstractConnector {
  constructor() {
    super();
    throw new Error('azure-managed-redis-emulator: Sentinel is not emulated (Azure Managed Redis has no Sentinel)');
  }
}

/** ioredis's sentinel address iterator (exported for compatibility). */
export class SentinelIterator implements Iterator<unknown> {
  private cursor = 0;
  constructor(private readonly sentinels: unknown[]) {}
  next(): IteratorResult<unknown> {
    const done = this.cursor >= this.sentinels.length;
    return { done, value: done ? undefined : this.sentinels[this.cursor++] };
  }
  reset(moveCurrentEndpointToFirst: boolean): void {
    if (moveCurrentEndpointToFirst && this.sentinels.length > 1 && this.cursor !== 1) {
      this.sentinels.unshift(...this.sentinels.splice(this.cursor - 1));
    }
    this.cursor = 0;
  }
  add(sentinel: unknown): boolean {
    this.sentinels.push(sentinel);
    return true;
  }
  toString(): string {
    return `${JSON.stringify(this.sentinels)} @${this.cursor}`;
  }
}

/** ioredis's `print`: logs `Reply: …` or `Error: …` (a callback for quick experiments). */
export function print(err: Error | null, reply?: unknown): void {
  if (err) console.log(`Error: ${String(err)}`);
  else console.log(`Reply: ${String(reply)}`);
}

export { ReplyError, Command, Pipeline, ScanStream };
export default Redis;

// CommonJS consumers (`jest.mock('ioredis', () => require('…/ioredis').default)`) get ioredis's
// shape: the class itself, carrying the named exports.
Object.assign(Redis, {
  default: Redis,
  Redis,
  ReplyError,
  Pipeline,
  ScanStream,
  AbstractConnector,
  SentinelConnector,
  SentinelIterator,
  print,
  getEmulator,
  useEmulator,
  setEmulatorOptions,
  getEmulatorOptions,
});
