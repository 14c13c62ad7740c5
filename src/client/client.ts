/** PLACEHOLDER owned by the client helper: the ioredis-compatible client. */
import type { ManagedRedis } from '../managed-redis.js';

export interface ClientOptions {
  keyPrefix?: string;
}

export type RedisClient = {
  call(...args: unknown[]): Promise<unknown>;
};

export function createClient(cache: ManagedRedis, _options: ClientOptions): RedisClient {
  return {
    async call(...args: unknown[]) {
      return cache.execute(args.map((a) => (Buffer.isBuffer(a) ? a : String(a))));
    },
  };
}
