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

/** Writes on the minority side of a network split: Redis Cluster's answer with reads allowed while down. */
export const CLUSTER_DOWN = new ReplyError('CLUSTERDOWN The cluster is down');

/** A write sent to a replica view. */
export const READONLY_REPLICA = new ReplyError("READONLY You can't write against a read only replica.");
