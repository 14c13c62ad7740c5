/**
 * A cache and one connection for command tests (strings, hashes, sets, sorted sets, bitmaps, geo,
 * SORT): run commands and get the transcripts' typed replies (errors as `['-', text]`), look at
 * stored values, encodings and TTLs, plant a value of another type, and see every change record.
 */
import { ManagedRedis, type ManagedRedisOptions } from '../../src/managed-redis.js';
import type { ChangeRecord, ClientState } from '../../src/core-types.js';
import { keyName, type Bytes } from '../../src/keyspace/bytes.js';
import { slotOfName } from '../../src/cluster/slots.js';
import { ReplyError } from '../../src/protocol/errors.js';
import { toTyped, type Typed } from './oracle.js';
import { FakeList } from './fake-values.js';

/** The virtual clock's start in these tests (a time inside the transcripts' range). */
export const T0 = 1_795_345_897_118;

export interface Harness {
  cache: ManagedRedis;
  client: ClientState;
  /** Runs a command and answers in the transcripts' typed form (errors as `["-", text]`). */
  run(...argv: Bytes[]): Typed;
  /** Runs a command and answers the reply as dispatch returns it. */
  raw(...argv: Bytes[]): unknown;
  /** The raw stored value of a key (no expiry check). */
  stored(key: Bytes): unknown;
  /** The absolute expiry time of a key, if any. */
  expiry(key: Bytes): number | undefined;
  /** Stores a value of another type (a list stand-in) under a key. */
  wrongType(key: Bytes): void;
  /** The encoding OBJECT ENCODING answers. */
  encoding(key: Bytes): string;
  changes: ChangeRecord[];
  /** The `key:event` pairs reported since the last call. */
  events(): string[];
}

/** Harness options: the reply protocol, the cluster policy, the seed, active expiry, anything else for the cache. */
export type HarnessOptions = { resp?: 2 | 3; policy?: 'NoCluster' | 'OSS' | 'Enterprise'; active?: boolean } & ManagedRedisOptions;

export function harness(options: HarnessOptions = {}): Harness {
  const { resp, policy, active, ...rest } = options;
  const cache = new ManagedRedis({
    clusterPolicy: policy ?? 'NoCluster',
    clock: 'virtual',
    startTime: T0,
    evictionPolicy: 'noeviction',
    activeExpiry: active ?? false,
    ...rest,
  });
  const client = cache.openClient({ name: null });
  client.resp = resp ?? 2;
  const changes: ChangeRecord[] = [];
  cache.changeListeners.push((change) => changes.push(change));
  const keyspaceOf = (key: Bytes) => cache.shardForSlot(slotOfName(keyName(key))).keyspace;
  let seen = 0;
  const h: Harness = {
    cache,
    client,
    changes,
    run(...argv) {
      try {
        return toTyped(cache.executeReply(argv, client), client.resp);
      } catch (error) {
        if (!(error instanceof ReplyError)) throw error;
        return ['-', error.message];
      }
    },
    raw: (...argv) => cache.executeReply(argv, client),
    stored: (key) => keyspaceOf(key).valueOf(keyName(key)),
    expiry: (key) => keyspaceOf(key).expireTime(keyName(key)),
    wrongType: (key) => keyspaceOf(key).set(keyName(key), new FakeList()),
    encoding: (key) => String(h.run('OBJECT', 'ENCODING', key)[1]),
    events() {
      const out: string[] = [];
      for (const change of changes.slice(seen)) change.keys.forEach((key, i) => out.push(`${key}:${change.events[i]}`));
      seen = changes.length;
      return out;
    },
  };
  return h;
}

export const OK: Typed = ['+', 'OK'];
export const NIL: Typed = ['_'];
export const int = (n: number | string | bigint): Typed => [':', String(n)];
export const err = (s: string): Typed => ['-', s];
export const SYNTAX = err('ERR syntax error');
export const WRONGTYPE = err('WRONGTYPE Operation against a key holding the wrong kind of value');
export const NOT_INT = err('ERR value is not an integer or out of range');
