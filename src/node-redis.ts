/**
 * `azure-managed-redis-emulator/node-redis`: makes the real `redis` (node-redis) package talk to
 * emulated Azure Managed Redis caches, so code that calls `createClient` / `createCluster` runs
 * against the emulator in tests without a server of its own.
 *
 * ```ts
 * vi.mock('redis', async (importOriginal) => {
 *   const { emulateNodeRedis } = await import('azure-managed-redis-emulator/node-redis');
 *   return emulateNodeRedis(await importOriginal());
 * });
 * ```
 *
 * The clients are node-redis's own, so every reply transformation, RESP3 type mapping, module
 * helper (`client.json`, `client.ft` …) and error class is the real one. They reach the cache over
 * a Unix domain socket (a named pipe on Windows) that the facade opens per cache: requests go
 * through the RESP server facade (`cache.listen()`), the same dispatch as every other client.
 * Clients for the same host and port share one cache — the same registry as the ioredis facade,
 * so `getEmulator`, `useEmulator`, `setEmulatorOptions` and `resetEmulators` work for both.
 *
 * @packageDocumentation
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ManagedRedis } from './managed-redis.js';
import type { RespServer } from './server/server.js';
import { emulatorAt, registerEmulator, type Address } from './client/registry.js';

export { resetEmulators, setEmulatorOptions, getEmulatorOptions } from './client/registry.js';

/** What the facade needs of the `redis` module: its two factories (everything else passes through). */
export interface NodeRedisModule {
  createClient: (options?: any) => any;
  createCluster?: (options: any) => any;
}

/** node-redis's client options, as far as the facade reads them. */
export interface NodeRedisClientOptions {
  url?: string;
  socket?: Record<string, unknown>;
  username?: string;
  password?: string;
  database?: number;
  [option: string]: unknown;
}

/**
 * The `redis` module with `createClient` and `createCluster` replaced by ones whose clients reach
 * emulated caches; everything else (`RESP_TYPES`, `SCHEMA_FIELD_TYPE`, error classes …) is the
 * module's own.
 */
export function emulateNodeRedis<M extends NodeRedisModule>(redis: M): M {
  const emulated: M = { ...redis, createClient: (options?: NodeRedisClientOptions) => createClient(redis, options) };
  if (typeof redis.createCluster === 'function') emulated.createCluster = (options: NodeRedisClusterOptions) => createCluster(redis, options);
  return emulated;
}

/** The cache a node-redis client with these options (or this URL) reaches. */
export function getEmulator(options: NodeRedisClientOptions | string = {}): ManagedRedis {
  return emulatorAt(addressOf(typeof options === 'string' ? { url: options } : options));
}

/** Serves `cache` where node-redis clients with these options (or this URL) connect. */
export function useEmulator(cache: ManagedRedis, options: NodeRedisClientOptions | string = {}): ManagedRedis {
  return registerEmulator(cache, addressOf(typeof options === 'string' ? { url: options } : options));
}

/**
 * The address a node-redis client connects to: the URL's host and port (`redis://` or
 * `rediss://`, default port 6379), else `socket.host` / `socket.port`, else localhost:6379, or a
 * `socket.path`.
 */
function addressOf(options: NodeRedisClientOptions): Address {
  if (typeof options.url === 'string') {
    const url = new URL(options.url);
    return { host: url.hostname.replace(/^\[|\]$/g, '') || undefined, port: url.port || undefined };
  }
  const socket = options.socket ?? {};
  if (typeof socket.path === 'string') return { path: socket.path };
  return { host: socket.host, port: socket.port };
}

/** Credentials and database a URL carries, as node-redis reads them (the URL wins over options, as there). */
function urlSettings(url: string): Partial<NodeRedisClientOptions> {
  const parsed = new URL(url);
  const settings: Partial<NodeRedisClientOptions> = {};
  if (parsed.username !== '') settings.username = decodeURIComponent(parsed.username);
  if (parsed.password !== '') settings.password = decodeURIComponent(parsed.password);
  const database = parsed.pathname.slice(1);
  if (database !== '') settings.database = Number(database);
  return settings;
}

/**
 * Where a cache's node-redis clients connect: a socket path chosen at once (a client is built
 * synchronously, before the server can have a TCP port) and the server starting on it.
 */
interface SocketEndpoint {
  path: string;
  ready: Promise<RespServer>;
}

const endpoints = new WeakMap<ManagedRedis, SocketEndpoint>();
let sockets = 0;

function socketEndpoint(cache: ManagedRedis): SocketEndpoint {
  let endpoint = endpoints.get(cache);
  if (endpoint === undefined) {
    const name = `amr-emulator-${process.pid}-${++sockets}`;
    const path = process.platform === 'win32' ? `\\\\?\\pipe\\${name}` : join(tmpdir(), `${name}.sock`);
    const ready = cache.listen({ path, unref: true, idleTimeout: false });
    // A failure surfaces at the client's connect(); this keeps it from being unhandled meanwhile.
    ready.catch(() => {});
    endpoints.set(cache, (endpoint = { path, ready }));
  }
  return endpoint;
}

/** Holds `connect` (and the connects of `duplicate()`s) until the cache's server listens. */
function connectWhenReady<C extends { connect: (...args: any[]) => Promise<any>; duplicate?: (...args: any[]) => any }>(
  client: C,
  ready: Promise<unknown>,
): C {
  const connect = client.connect;
  client.connect = async function (this: C, ...args: any[]) {
    await ready;
    return connect.apply(this, args);
  };
  const duplicate = client.duplicate;
  if (typeof duplicate === 'function') {
    client.duplicate = function (this: C, ...args: any[]) {
      return connectWhenReady(duplicate.apply(this, args), ready);
    };
  }
  return client;
}

function createClient(redis: NodeRedisModule, options: NodeRedisClientOptions = {}): unknown {
  const cache = emulatorAt(addressOf(options));
  const endpoint = socketEndpoint(cache);
  const { url, socket = {}, ...rest } = options;
  // The emulated server speaks plaintext on its socket: TLS settings (AMR's default) and the
  // TCP address are dropped; credentials, database, RESP version and the rest stay.
  const { host: _host, port: _port, tls: _tls, path: _path, ...socketRest } = socket;
  const settings = typeof url === 'string' ? urlSettings(url) : {};
  return connectWhenReady(redis.createClient({ ...rest, ...settings, socket: { ...socketRest, path: endpoint.path } }), endpoint.ready);
}

/** node-redis's cluster options, as far as the facade reads them. */
export interface NodeRedisClusterOptions {
  rootNodes: NodeRedisClientOptions[];
  defaults?: NodeRedisClientOptions;
  [option: string]: unknown;
}

const clusterServers = new WeakMap<ManagedRedis, Promise<RespServer>>();

/**
 * A node-redis cluster client on the cache its first root node names. The cache must use the OSS
 * policy, as on AMR (the others answer CLUSTER SLOTS with an error, and node-redis cannot start).
 * Its nodes are served on TCP ports (`listen({ cluster: true })`), which CLUSTER SLOTS/SHARDS
 * name; the root nodes become those endpoints when the cluster connects.
 */
function createCluster(redis: NodeRedisModule, options: NodeRedisClusterOptions): unknown {
  const cache = emulatorAt(addressOf(options.rootNodes?.[0] ?? {}));
  const rootNodes: NodeRedisClientOptions[] = [{}];
  const defaults = options.defaults ?? {};
  const { tls: _tls, ...defaultSocket } = defaults.socket ?? {};
  const cluster = redis.createCluster!({ ...options, rootNodes, defaults: { ...defaults, socket: defaultSocket } });
  const ready = (async () => {
    let server = clusterServers.get(cache);
    if (server === undefined) clusterServers.set(cache, (server = cache.listen({ cluster: cache.policy === 'OSS', unref: true, idleTimeout: false })));
    const listening = await server;
    // node-redis reads the root nodes when it connects: point them at the emulated endpoints.
    rootNodes.splice(0, rootNodes.length, { url: listening.url }, ...listening.nodes.map((node) => ({ url: node.url })));
    return listening;
  })();
  ready.catch(() => {});
  return connectWhenReady(cluster, ready);
}
