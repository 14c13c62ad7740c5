/**
 * What a client sees while a shard cannot serve. On a real AMR the node closes its connections
 * and new ones are refused until a replica is promoted, so the client gets a socket error, not a
 * Redis error reply. The emulator throws the same shape Node gives for a refused connection.
 */
import { ReplyError } from '../protocol/errors.js';

/**
 * A connection-type error for a command routed to a shard with no serving primary (failover in
 * progress, both copies lost): `connect ECONNREFUSED <ip>:<port>` with `code` `ECONNREFUSED`,
 * `errno` -111 and `syscall` `connect`, like Node's own. It is not a ReplyError: it is not
 * counted as an error reply, and the ioredis-compatible client rejects with it unchanged.
 */
export class ShardUnavailableError extends Error {
  readonly code = 'ECONNREFUSED';
  readonly errno = -111;
  readonly syscall = 'connect';
  constructor(
    /** The endpoint IP of the node that held the primary. */
    readonly address: string,
    readonly port: number,
    /** The shard that cannot serve. */
    readonly shard: number,
  ) {
    super(`connect ECONNREFUSED ${address}:${port}`);
  }
}

/**
 * What an in-flight command (a blocked BLPOP, WAIT …) of a connection the server closed in a
 * failover fails with: `read ECONNRESET`, `code` `ECONNRESET`, `errno` -104, `syscall` `read`,
 * like Node's own, plus the `shard` whose failover closed it. The ioredis-compatible client also
 * emits it as its `error` event before `close`.
 */
export class ConnectionResetError extends Error {
  readonly code = 'ECONNRESET';
  readonly errno = -104;
  readonly syscall = 'read';
  constructor(
    /** The shard whose failover closed the connection. */
    readonly shard: number,
  ) {
    super('read ECONNRESET');
  }
}

/**
 * A reconnect to a node endpoint whose node is down: `connect ECONNREFUSED <ip>:<port>` (the
 * client emits it as `error`, then retries per its `retryStrategy`).
 */
export class ConnectionRefusedError extends Error {
  readonly code = 'ECONNREFUSED';
  readonly errno = -111;
  readonly syscall = 'connect';
  constructor(
    readonly address: string,
    readonly port: number,
  ) {
    super(`connect ECONNREFUSED ${address}:${port}`);
  }
}

/** Writes on the minority side of a network split: Redis Cluster's answer with reads allowed while down. */
export const CLUSTER_DOWN = new ReplyError('CLUSTERDOWN The cluster is down');

/** A write sent to a replica view. */
export const READONLY_REPLICA = new ReplyError("READONLY You can't write against a read only replica.");
