/**
 * The emulated servers behind the `ioredis` facade: one ManagedRedis per address, so every client
 * pointed at the same host and port shares one cache, as clients of one server share its data.
 * `localhost`, `127.0.0.1` and `::1` are the same address.
 */
import { ManagedRedis, type ManagedRedisOptions } from '../managed-redis.js';

/** Where a client connects: ioredis's `host`/`port` (or a unix socket `path`). */
export interface Address {
  host?: unknown;
  port?: unknown;
  path?: unknown;
}

const caches = new Map<string, ManagedRedis>();
let defaultOptions: ManagedRedisOptions = {};

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '0:0:0:0:0:0:0:1']);

/** The registry key of an address. */
export function addressKey(address: Address): string {
  if (typeof address.path === 'string' && address.path !== '') return `unix:${address.path}`;
  let host = typeof address.host === 'string' && address.host !== '' ? address.host.toLowerCase() : 'localhost';
  if (LOOPBACK.has(host)) host = 'localhost';
  const port = address.port === undefined || address.port === null || address.port === '' ? 6379 : Number(address.port);
  return `${host}:${port}`;
}

/** The cache at an address, created with the default options on first use. */
export function emulatorAt(address: Address): ManagedRedis {
  const key = addressKey(address);
  let cache = caches.get(key);
  if (cache === undefined) {
    cache = new ManagedRedis(defaultOptions);
    caches.set(key, cache);
  }
  return cache;
}

/** Serves `cache` at an address (replacing whatever was there for new clients). */
export function registerEmulator(cache: ManagedRedis, address: Address): ManagedRedis {
  caches.set(addressKey(address), cache);
  return cache;
}

/** Serves `cache` at an address unless the address already has one. */
export function aliasEmulator(cache: ManagedRedis, address: Address): void {
  const key = addressKey(address);
  if (!caches.has(key)) caches.set(key, cache);
}

/** Forgets every cache (stopping their timers); the next client at any address gets a fresh one. */
export function resetEmulators(): void {
  for (const cache of new Set(caches.values())) cache.close();
  caches.clear();
}

/** The ManagedRedis options new caches are created with. */
export function getEmulatorOptions(): ManagedRedisOptions {
  return { ...defaultOptions };
}

/** Sets the ManagedRedis options new caches are created with (existing caches keep theirs). */
export function setEmulatorOptions(options: ManagedRedisOptions): void {
  defaultOptions = { ...options };
}
