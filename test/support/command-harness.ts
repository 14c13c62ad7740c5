/**
 * A cache and one connection for command tests (strings, bitmaps, geo, SORT): run commands and get the
 * transcripts' typed replies (errors as `['-', text]`), look at stored values and TTLs, plant a
 * value of another type, and see every change record.
 */
import { ManagedRedis } from '../../src/managed-redis.js';
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
  /** Stores a non-string value under a key. */
  wrongType(key: Bytes): void;
  changes: ChangeRecord[];
}

export function harness(options: { resp?: 2 | 3; policy?: 'NoCluster' | 'OSS' | 'Enterprise'; seed?: number } = {}): Harness {
  const cache = new ManagedRedis({
    clusterPolicy: options.policy ?? 'NoCluster',
    clock: 'virtual',
    startTime: T0,
    seed: options.seed,
    evictionPolicy: 'noeviction',
    activeExpiry: false,
  });
  const client = cache.openClient({ name: null });
  client.resp = options.resp ?? 2;
  const changes: ChangeRecord[] = [];
  cache.changeListeners.push((change) => changes.push(change));
  const keyspaceOf = (key: Bytes) => cache.shardForSlot(slotOfName(keyName(key))).keyspace;
  return {
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
  };
}

export const OK: Typed = ['+', 'OK'];
export const NIL: Typed = ['_'];
export const int = (n: number | string | bigint): Typed => [':', String(n)];
export const err = (s: string): Typed => ['-', s];
export const SYNTAX = err('ERR syntax error');
export const WRONGTYPE = err('WRONGTYPE Operation against a key holding the wrong kind of value');
export const NOT_INT = err('ERR value is not an integer or out of range');
