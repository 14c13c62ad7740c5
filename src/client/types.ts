/**
 * Types of the generated command methods. Every command in ioredis's table has a method and a
 * `…Buffer` twin; the common ones are typed precisely, the rest take any arguments and resolve
 * with the reply as ioredis shapes it.
 */
import type { IoredisCommandName } from './ioredis-commands.js';
import type { Callback } from './callback.js';

/** A command name ioredis defines a method for (its table without MONITOR, plus SENTINEL). */
export type CommandMethodName = Exclude<IoredisCommandName, 'monitor'> | 'sentinel';

/** A key: a string (its UTF-8 bytes) or bytes. */
export type RedisKey = string | Buffer;

/** An argument: strings and Buffers go as they are, numbers as their decimal text, arrays are flattened. */
export type RedisValue = string | Buffer | number;

/** Methods the clients define themselves rather than generate. */
type OwnMethods = 'quit' | 'multi' | 'exec' | 'monitor';

type Generated<R> = {
  [K in CommandMethodName | `${CommandMethodName}Buffer`]: (...args: any[]) => R;
};

/** The command methods of a client: each resolves with the reply, or rejects with the error reply. */
export interface ClientCommands extends Omit<Generated<Promise<any>>, OwnMethods> {
  get(key: RedisKey, callback?: Callback<string | null>): Promise<string | null>;
  getBuffer(key: RedisKey, callback?: Callback<Buffer | null>): Promise<Buffer | null>;
  set(key: RedisKey, value: RedisValue, ...args: any[]): Promise<'OK' | string | null>;
  setBuffer(key: RedisKey, value: RedisValue, ...args: any[]): Promise<Buffer | null>;
  del(...args: any[]): Promise<number>;
  exists(...args: any[]): Promise<number>;
  incr(key: RedisKey, callback?: Callback<number>): Promise<number>;
  decr(key: RedisKey, callback?: Callback<number>): Promise<number>;
  incrby(key: RedisKey, increment: number | string, callback?: Callback<number>): Promise<number>;
  decrby(key: RedisKey, decrement: number | string, callback?: Callback<number>): Promise<number>;
  incrbyfloat(key: RedisKey, increment: number | string, callback?: Callback<string>): Promise<string>;
  mget(...args: any[]): Promise<Array<string | null>>;
  mgetBuffer(...args: any[]): Promise<Array<Buffer | null>>;
  mset(...args: any[]): Promise<'OK'>;
  expire(key: RedisKey, seconds: number | string, ...args: any[]): Promise<number>;
  pexpire(key: RedisKey, milliseconds: number | string, ...args: any[]): Promise<number>;
  ttl(key: RedisKey, callback?: Callback<number>): Promise<number>;
  pttl(key: RedisKey, callback?: Callback<number>): Promise<number>;
  keys(pattern: string, callback?: Callback<string[]>): Promise<string[]>;
  scan(cursor: number | string, ...args: any[]): Promise<[cursor: string, elements: string[]]>;
  type(key: RedisKey, callback?: Callback<string>): Promise<string>;
  ping(...args: any[]): Promise<string>;
  echo(message: RedisValue, callback?: Callback<string>): Promise<string>;
  dbsize(callback?: Callback<number>): Promise<number>;
  flushall(...args: any[]): Promise<'OK'>;
  flushdb(...args: any[]): Promise<'OK'>;
  info(...args: any[]): Promise<string>;
  hget(key: RedisKey, field: RedisValue, callback?: Callback<string | null>): Promise<string | null>;
  hgetBuffer(key: RedisKey, field: RedisValue, callback?: Callback<Buffer | null>): Promise<Buffer | null>;
  hset(key: RedisKey, ...args: any[]): Promise<number>;
  hgetall(key: RedisKey, callback?: Callback<Record<string, string>>): Promise<Record<string, string>>;
  hgetallBuffer(key: RedisKey, callback?: Callback<Record<string, Buffer>>): Promise<Record<string, Buffer>>;
  hdel(key: RedisKey, ...args: any[]): Promise<number>;
  lpush(key: RedisKey, ...args: any[]): Promise<number>;
  rpush(key: RedisKey, ...args: any[]): Promise<number>;
  lrange(key: RedisKey, start: number | string, stop: number | string, callback?: Callback<string[]>): Promise<string[]>;
  sadd(key: RedisKey, ...args: any[]): Promise<number>;
  smembers(key: RedisKey, callback?: Callback<string[]>): Promise<string[]>;
  zadd(key: RedisKey, ...args: any[]): Promise<number | string | null>;
  zrange(key: RedisKey, ...args: any[]): Promise<string[]>;
}

/** The command methods of a pipeline: each queues its command and returns the pipeline. */
export type PipelineCommands<P> = Omit<Generated<P>, OwnMethods | 'execBuffer'>;
