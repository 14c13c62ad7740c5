/**
 * One emulated connection: a registered ClientState on the cache, through which every command of
 * a client goes to the one synchronous dispatch path (MULTI/EXEC included: the server side queues
 * and runs transactions, src/transactions.ts).
 */
import type { Bytes } from '../keyspace/bytes.js';
import type { ManagedRedis } from '../managed-redis.js';
import type { ClientState } from '../core-types.js';
import type { Reply } from '../protocol/reply.js';
import { PubSubReplies } from '../pubsub.js';
import { cancelBlocked } from '../blocking.js';
import { ConnectionRefusedError } from '../replication/errors.js';

/** What a connection hands its client, each on a microtask, in order (src/client/subscriptions.ts). */
export interface ConnectionEvents {
  /** Subscribe-family confirmations of a command that just ran. */
  confirmations(replies: PubSubReplies): void;
  /** A pub/sub message (`['message', channel, payload]` …) pushed to this connection. */
  message(message: Reply[]): void;
  /** A MONITOR line (the status reply's text) for a connection that ran MONITOR. */
  monitor?(line: string): void;
  /**
   * The server closed the connection (a failover of a shard it reaches): the connection is closed
   * already and its blocked command failed with `error`; the client runs its close/reconnect.
   */
  dropped?(error: Error): void;
}

/** Options for opening a connection. */
export interface ConnectionInit {
  /** CLIENT SETNAME at connect (ioredis's `connectionName`). */
  name: string | null;
  /** Connect to one node's endpoint (whole-database commands then cover that node's shards). */
  node?: number;
  /** CLIENT SETINFO LIB-NAME / LIB-VER, as ioredis sends them at connect. */
  libName?: string;
  libVersion?: string;
  /** The client's `ip:port` as CLIENT LIST shows it (the RESP server gives the socket's peer). */
  addr?: string;
}

export class Connection {
  readonly state: ClientState;
  /** SHA1s of the scripts this connection has sent with EVAL (ioredis then switches to EVALSHA). */
  readonly scripts = new Set<string>();
  /** Who hears about confirmations and messages (the client), or null. */
  events: ConnectionEvents | null = null;
  /** Deliveries waiting for the next microtask, in order. */
  private inbox: Array<() => void> = [];
  private flushing = false;
  /**
   * The error the endpoint answered the connect with, or null when it accepted it: a connection to
   * a node endpoint whose node is down is refused (`connect ECONNREFUSED <ip>:<port>`). The client
   * then fails the connect and retries per its `retryStrategy`.
   */
  readonly refusal: Error | null = null;

  constructor(
    readonly cache: ManagedRedis,
    init: ConnectionInit,
  ) {
    this.state = cache.openClient({ name: init.name, node: init.node, addr: init.addr });
    if (init.libName !== undefined) this.state.libName = init.libName;
    if (init.libVersion !== undefined) this.state.libVersion = init.libVersion;
    this.state.canBlock = true; // an async client waits for blocking commands (src/blocking.ts)
    this.state.push = (message) => this.enqueue(() => this.events?.message(message));
    // The server closes it when its Entra token expires (src/entra.ts).
    this.state.disconnect = (error) => this.drop(error);
    this.state.onMonitor = (line) => this.enqueue(() => this.events?.monitor?.(line));
    const node = init.node === undefined ? undefined : cache.topology.nodes[init.node];
    if (node !== undefined && !cache.faults.isNodeUp(node.index)) this.refusal = new ConnectionRefusedError(node.ip, node.port);
    // A failover of a shard this connection reaches closes it (src/replication/faults.ts).
    else cache.replication.connections.add(this);
  }

  /**
   * The server closes this connection (a failover of a shard it reaches, as AMR's old primary
   * closes its connections): a blocked command fails with `error`, the connection is forgotten,
   * and the client is told (it emits `error`, `close`, then reconnects per its `retryStrategy`).
   */
  drop(error: Error): void {
    if (this.state.closed) return;
    cancelBlocked(this.cache, this.state, error);
    this.close();
    this.events?.dropped?.(error);
  }

  /** Runs `delivery` on a later microtask, after every delivery queued before it. */
  private enqueue(delivery: () => void): void {
    this.inbox.push(delivery);
    if (this.flushing) return;
    this.flushing = true;
    queueMicrotask(() => {
      const inbox = this.inbox;
      this.inbox = [];
      this.flushing = false;
      for (const run of inbox) run();
    });
  }

  /** True once closed. */
  get closed(): boolean {
    return this.state.closed;
  }

  /** Runs one command on this connection: the reply, or throws the error reply. */
  execute(argv: readonly Bytes[]): Reply {
    const reply = this.cache.executeReply(argv, this.state);
    if (reply instanceof PubSubReplies) this.enqueue(() => this.events?.confirmations(reply));
    return reply;
  }

  /** Sends QUIT (never queued inside MULTI, as in Redis) and closes. */
  quit(): void {
    if (!this.state.closed) {
      try {
        this.cache.executeReply(['quit'], this.state);
      } catch {
        // A cache without QUIT: closing is all that matters.
      }
    }
    this.close();
  }

  /** Forgets the connection on the cache (CLIENT LIST no longer shows it). */
  close(): void {
    this.cache.replication.connections.delete(this);
    cancelBlocked(this.cache, this.state);
    if (!this.state.closed) this.cache.closeClient(this.state);
    this.state.push = null;
    this.state.disconnect = null;
    this.state.onMonitor = null;
  }
}
