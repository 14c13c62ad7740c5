/**
 * One emulated connection: a registered ClientState on the cache, through which every command of
 * a client goes to the one synchronous dispatch path.
 *
 * Until the server itself declares MULTI/EXEC, the connection answers MULTI, EXEC and DISCARD the
 * way Redis does (queue-time checks, `QUEUED`, EXECABORT, errors inside the EXEC array) and runs
 * the queued commands back to back at EXEC — atomic, because dispatch is synchronous. Once a
 * `multi` declaration exists in the command table, everything is passed through unchanged.
 */
import type { Bytes } from '../keyspace/bytes.js';
import { keyName } from '../keyspace/bytes.js';
import type { ManagedRedis } from '../managed-redis.js';
import type { ClientState } from '../core-types.js';
import { keyPositions } from '../dispatch.js';
import { slotOfName } from '../cluster/slots.js';
import {
  CROSSSLOT,
  DISCARD_WITHOUT_MULTI,
  EXECABORT,
  EXEC_WITHOUT_MULTI,
  MULTI_NESTED,
  WATCH_INSIDE_MULTI,
  ReplyError,
  wrongArity,
} from '../protocol/errors.js';
import { OK, QUEUED, type Reply } from '../protocol/reply.js';
import { PubSubReplies } from '../pubsub.js';
import { cancelBlocked } from '../blocking.js';
import { ConnectionRefusedError } from '../replication/errors.js';

/** What a connection hands its client, each on a microtask, in order (src/client/subscriptions.ts). */
export interface ConnectionEvents {
  /** Subscribe-family confirmations of a command that just ran. */
  confirmations(replies: PubSubReplies): void;
  /** A pub/sub message (`['message', channel, payload]` …) pushed to this connection. */
  message(message: Reply[]): void;
  /**
   * The server closed the connection (a failover of a shard it reaches): the connection is closed
   * already and its blocked command failed with `error`; the client runs its close/reconnect.
   */
  dropped?(error: Error): void;
}

/** Names the client-side transaction handles (lower case). */
const TRANSACTION_COMMANDS = new Set(['multi', 'exec', 'discard', 'watch']);

function transactionName(name: Bytes): string | null {
  if (typeof name !== 'string') name = name.toString('utf8');
  const n = name.length;
  if (n !== 4 && n !== 5 && n !== 7) return null;
  const lower = name.toLowerCase();
  return TRANSACTION_COMMANDS.has(lower) ? lower : null;
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
}

export class Connection {
  readonly state: ClientState;
  /** SHA1s of the scripts this connection has sent with EVAL (ioredis then switches to EVALSHA). */
  readonly scripts = new Set<string>();
  /** True while the cache has no MULTI of its own and this connection emulates it. */
  private readonly emulateTransactions: boolean;
  /** Queued argvs while inside MULTI (emulated), else null. */
  private queue: Bytes[][] | null = null;
  /** A queue-time error happened: EXEC answers EXECABORT. */
  private aborted = false;
  /** The slot every key of the transaction must share (OSS policy), once the first key is seen. */
  private slot = -1;
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
    this.state = cache.openClient({ name: init.name, node: init.node });
    if (init.libName !== undefined) this.state.libName = init.libName;
    if (init.libVersion !== undefined) this.state.libVersion = init.libVersion;
    this.emulateTransactions = !cache.commands.has('multi');
    this.state.canBlock = true; // an async client waits for blocking commands (src/blocking.ts)
    this.state.push = (message) => this.enqueue(() => this.events?.message(message));
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
    if (this.emulateTransactions && (this.queue !== null || transactionName(argv[0]) !== null)) {
      return this.transaction(argv);
    }
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
    this.queue = null;
    this.state.push = null;
  }

  private transaction(argv: readonly Bytes[]): Reply {
    const name = transactionName(argv[0]);
    if (name !== null && (name === 'watch' ? argv.length < 2 : argv.length !== 1)) {
      if (this.queue !== null) this.aborted = true;
      throw wrongArity(name);
    }
    if (this.queue === null) {
      if (name === 'multi') {
        this.queue = [];
        this.aborted = false;
        this.slot = -1;
        return OK;
      }
      if (name === 'exec') throw EXEC_WITHOUT_MULTI;
      if (name === 'discard') throw DISCARD_WITHOUT_MULTI;
      return this.cache.executeReply(argv, this.state);
    }
    if (name === 'multi') throw MULTI_NESTED;
    if (name === 'watch') throw WATCH_INSIDE_MULTI;
    if (name === 'discard') {
      this.queue = null;
      return OK;
    }
    if (name === 'exec') {
      const queued = this.queue;
      this.queue = null;
      if (this.aborted) throw EXECABORT;
      const replies: Reply[] = new Array(queued.length);
      for (let i = 0; i < queued.length; i++) {
        try {
          replies[i] = this.cache.executeReply(queued[i], this.state);
        } catch (error) {
          if (!(error instanceof ReplyError)) throw error;
          replies[i] = error;
        }
      }
      return replies;
    }
    try {
      this.checkQueued(argv);
    } catch (error) {
      this.aborted = true;
      throw error;
    }
    this.queue.push(argv.slice());
    return QUEUED;
  }

  /** Queue-time checks: the command exists, its arity, and (OSS) one slot for the whole transaction. */
  private checkQueued(argv: readonly Bytes[]): void {
    const spec = this.cache.lookup(argv);
    if (this.cache.policy !== 'OSS' || spec.keys === undefined || this.cache.shards.length === 1) return;
    let slot = this.slot;
    for (const pos of keyPositions(spec.keys, argv)) {
      const keySlot = slotOfName(keyName(argv[pos]));
      if (slot === -1) slot = keySlot;
      else if (keySlot !== slot) throw CROSSSLOT;
    }
    this.slot = slot;
  }
}
