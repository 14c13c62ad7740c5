/**
 * The RESP server facade: a `net.Server` on loopback whose every TCP connection is one emulated
 * client of a {@link ManagedRedis}, so any Redis client (node-redis, ioredis, redis-cli, other
 * languages) talks to the emulated cache over RESP2 or RESP3 with its own reply handling.
 *
 * Each socket gets a {@link Connection} (the machinery the ioredis-compatible client uses), and
 * every request goes through the cache's one synchronous dispatch path. Requests of a connection
 * run one at a time in arrival order: a blocked command (BLPOP …) holds back the replies to later
 * ones, as in Redis. The only module of the package that imports `node:net`.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { ManagedRedis } from '../managed-redis.js';
import type { Bytes } from '../keyspace/bytes.js';
import { Connection } from '../client/connection.js';
import { isBlockedReply, waitForReply, type BlockedReply } from '../blocking.js';
import { ReplyError } from '../protocol/errors.js';
import { encodePush, encodeReply, ProtocolError, RequestParser, ReplyWriter } from '../protocol/resp.js';
import { NO_REPLY, status, type Reply } from '../protocol/reply.js';
import { namesEndpoints, rewriteEndpoints, type EndpointMap, type ListeningEndpoint } from './endpoints.js';
import type { TimerHandle } from '../clock.js';
import {
  clientLimitStats,
  connectionCount,
  idleTimedOut,
  maxClientsError,
  outputLimitClass,
  outputLimitOf,
  OutputLimitWatch,
} from '../client-limits.js';

/** Options of {@link ManagedRedis.listen}. */
export interface ListenOptions {
  /** Interface to bind (default `127.0.0.1`). */
  host?: string;
  /** TCP port (default 0: any free port; read the chosen one from {@link RespServer.port}). */
  port?: number;
  /**
   * Listen on a Unix domain socket (a named pipe on Windows) at this path instead of TCP; `host`
   * and `port` are then ignored and `cluster` is refused. The node-redis facade uses it.
   */
  path?: string;
  /**
   * Do not keep the process alive just for listening (`server.unref()`); open connections still
   * do. The node-redis facade uses it, so a script ends once its clients quit. Default false.
   */
  unref?: boolean;
  /**
   * Close connections idle longer than the `timeout` setting (AMR: 10 minutes of the cache clock).
   * Default true; the node-redis facade turns it off, as in-process clients are never closed for
   * idling — a virtual clock's jumps would otherwise drop them between two steps of a test.
   */
  idleTimeout?: boolean;
  /**
   * Connect every client to this node's endpoint instead of the bootstrap endpoint (port 10000):
   * whole-database commands (DBSIZE, KEYS, SCAN, FLUSHALL …) then cover that node's shards only,
   * and connections are refused while the node is down.
   */
  node?: number;
  /**
   * OSS cluster policy only: also listen on one free port per node (see {@link RespServer.nodes})
   * and answer CLUSTER SLOTS / SHARDS / NODES with those ports, so cluster-aware clients
   * (node-redis `createCluster`, ioredis `Cluster`) can follow the topology. Default false.
   */
  cluster?: boolean;
  /**
   * Serve TLS instead of plaintext, as AMR's port 10000 does by default (either one, never both:
   * AMR's `clientProtocol` is Encrypted or Plaintext). TLS 1.2 and 1.3 only, with AMR's cipher
   * suites; the URL becomes `rediss://`. See {@link ListenTlsOptions}. `true`: a fresh self-signed
   * certificate for localhost / 127.0.0.1 (clients trust {@link RespServer.certificate}).
   */
  tls?: ListenTlsOptions | true;
}

/**
 * The certificate the server presents (PEM strings or buffers, as node:tls takes them). The
 * protocol versions and ciphers are AMR's and not options: TLS 1.2 (ECDHE-RSA with AES-256-CBC-
 * SHA384 or AES-128-CBC-SHA256, so a TLS 1.2 client needs an RSA certificate) and TLS 1.3
 * (TLS_AES_256_GCM_SHA384, TLS_AES_128_GCM_SHA256; no CHACHA20).
 */
export interface ListenTlsOptions {
  /** Private key (PEM). */
  key?: string | Buffer;
  /** Certificate chain (PEM). */
  cert?: string | Buffer;
  /** Passphrase of an encrypted `key` or `pfx`. */
  passphrase?: string;
  /** Key and certificate as one PKCS#12 bundle, instead of `key` and `cert`. */
  pfx?: string | Buffer;
}

/** One node endpoint of a cluster-mode server (`listen({ cluster: true })`). */
export interface NodeEndpoint {
  /** The emulated node's index in `cache.topology.nodes`. */
  readonly node: number;
  readonly host: string;
  readonly port: number;
  /** `redis://host:port`. */
  readonly url: string;
}

/**
 * Unwritten reply bytes past which a connection stops reading requests until the client reads
 * (back-pressure: a client that pipelines without reading cannot grow the server's memory).
 */
const OUTPUT_HIGH_WATER = 1024 * 1024;
/** Unread request bytes past which a blocked connection stops reading (it keeps reading up to this to see a disconnect). */
const INPUT_HIGH_WATER = 1024 * 1024;
/**
 * How often the server looks at every connection (idle `timeout`, the soft output limits, the
 * recent buffer peaks), on the cache's clock: Redis's clientsCron visits each client about once a second.
 */
const CRON_INTERVAL_MS = 1000;

/** Redis closes, without a reply, a connection whose first word is one of these (an HTTP request). */
const SECURITY_WARNING_COMMANDS = new Set(['post', 'host:']);

/**
 * AMR's TLS settings (azure-facts §9): TLS 1.2 and 1.3 only; TLS 1.2 with ECDHE_RSA AES-256-CBC-
 * SHA384 (P-384) and AES-128-CBC-SHA256 (P-256); TLS 1.3 with the two AES-GCM suites, no CHACHA20.
 */
const AMR_TLS = {
  minVersion: 'TLSv1.2',
  maxVersion: 'TLSv1.3',
  ciphers: 'TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256:ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA256',
  ecdhCurve: 'P-384:P-256',
  honorCipherOrder: true,
} as const;

/** A running RESP server (what {@link ManagedRedis.listen} resolves with). */
export class RespServer {
  /** The address it listens on. */
  readonly host: string;
  /** The TCP port it listens on (0 on a socket path). */
  readonly port: number;
  /**
   * `redis://host:port` (`rediss://` with TLS), for `createClient({ url })` (node-redis) or
   * `new Redis(url)` (ioredis); on a socket path, the path itself (what `new Redis(path)` takes).
   */
  readonly url: string;
  /** The socket path it listens on (`listen({ path })`), or null on TCP. */
  readonly path: string | null;
  /** True when it serves TLS (`listen({ tls })`). */
  readonly tls: boolean;
  /**
   * With `listen({ tls: true })`: the self-signed certificate (PEM) it presents, for clients' `ca`
   * option; otherwise null.
   */
  readonly certificate: string | null;
  /** With `cluster: true`: one listening endpoint per node of the topology; else empty. */
  readonly nodes: readonly NodeEndpoint[];
  /** Resolves once the server has stopped listening and its connections are closed. */
  readonly closed: Promise<void>;
  private readonly sessions = new Set<Session>();
  private closing = false;
  private cron: TimerHandle | null = null;

  /** @internal Use {@link ManagedRedis.listen}. */
  constructor(
    /** The cache it serves. */
    readonly cache: ManagedRedis,
    private readonly listeners: ReadonlyArray<{ server: Server; node: number | undefined }>,
    private readonly endpoints: EndpointMap | null,
    tls: boolean,
    certificate: string | null,
    private readonly closesIdle = true,
  ) {
    this.tls = tls;
    this.certificate = certificate;
    const [main, ...nodes] = listeners.map(({ server, node }) => ({ node, ...addressOf(server, tls) }));
    this.host = main.host;
    this.port = main.port;
    this.url = main.url;
    this.path = main.path;
    this.nodes = nodes.map((n) => ({ node: n.node!, host: n.host, port: n.port, url: n.url }));
    this.closed = Promise.all(listeners.map(({ server }) => new Promise<void>((resolve) => server.once('close', () => resolve())))).then(() => {});
    // A TLS connection becomes a client once its handshake is done (a failed one never does).
    const event = tls ? 'secureConnection' : 'connection';
    for (const { server, node } of listeners) server.on(event, (socket: Socket) => this.accept(socket, node));
    this.scheduleCron();
  }

  /** Every second of the cache clock: each connection's idle timeout, soft output limit and buffer peaks. */
  private scheduleCron(): void {
    this.cron = this.cache.clock.setTimeout(() => {
      if (this.closing) return;
      const now = this.cache.clock.now();
      for (const session of [...this.sessions]) session.cron(now);
      this.scheduleCron();
    }, CRON_INTERVAL_MS);
  }

  /** Open connections. */
  get connections(): number {
    return this.sessions.size;
  }

  /** Stops listening and closes every connection (their blocked commands are dropped). Idempotent. */
  close(): Promise<void> {
    if (!this.closing) {
      this.closing = true;
      this.cron?.cancel();
      for (const { server } of this.listeners) server.close();
      for (const session of this.sessions) session.destroy();
    }
    return this.closed;
  }

  private accept(socket: Socket, node: number | undefined): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    // One connection over maxclients gets Redis's error, then the socket closes.
    if (connectionCount(this.cache) >= Number(this.cache.settings.get('maxclients') ?? 10000)) {
      clientLimitStats(this.cache).rejectedConnections++;
      socket.on('error', () => socket.destroy());
      socket.end(`-${maxClientsError(this.cache)}\r\n`);
      return;
    }
    const session = new Session(this.cache, socket, node, this.endpoints, (closed) => this.sessions.delete(closed), this.closesIdle);
    if (!session.closed) this.sessions.add(session);
  }
}

function addressOf(server: Server, tls: boolean): { host: string; port: number; url: string; path: string | null } {
  const address = server.address() as AddressInfo | string;
  if (typeof address === 'string') return { host: '', port: 0, url: address, path: address };
  const host = address.address;
  const scheme = tls ? 'rediss' : 'redis';
  return { host, port: address.port, url: `${scheme}://${address.family === 'IPv6' ? `[${host}]` : host}:${address.port}`, path: null };
}

function startListening(host: string, port: number, tls: ListenTlsOptions | undefined, path?: string): Promise<Server> {
  const server =
    tls === undefined
      ? createServer({ noDelay: true })
      : createTlsServer({ key: tls.key, cert: tls.cert, passphrase: tls.passphrase, pfx: tls.pfx, ...AMR_TLS, noDelay: true });
  // A failed handshake (a plaintext client on the TLS port, an old protocol version, no common
  // cipher) just closes that socket, as redis-server does.
  if (tls !== undefined) server.on('tlsClientError', (_error, socket: TLSSocket) => socket.destroy());
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const where = path === undefined ? { port, host } : { path };
    server.listen(where, () => {
      server.removeListener('error', reject);
      resolve(server);
    });
  });
}

/** Starts a RESP server for `cache` (see {@link ManagedRedis.listen}). */
export async function listen(cache: ManagedRedis, options: ListenOptions = {}): Promise<RespServer> {
  const host = options.host ?? '127.0.0.1';
  if (options.cluster && options.path !== undefined) throw new Error('listen({ cluster: true }) needs TCP ports: it cannot take a socket path');
  if (options.cluster && cache.policy !== 'OSS') {
    throw new Error(`listen({ cluster: true }) needs the OSS cluster policy (this cache uses ${cache.policy}): other policies have one endpoint`);
  }
  const generated = options.tls === true ? (await import('./self-signed.js')).selfSignedCertificate() : null;
  const tls = options.tls === true ? generated! : options.tls;
  const listeners = [{ server: await startListening(host, options.port ?? 0, tls, options.path), node: options.node }];
  if (options.unref) listeners[0].server.unref();
  let endpoints: Map<string, ListeningEndpoint> | null = null;
  if (options.cluster) {
    endpoints = new Map();
    try {
      // Every node, also one holding only replicas now: a failover can make it an endpoint.
      for (const node of cache.topology.nodes) {
        const server = await startListening(host, 0, tls);
        if (options.unref) server.unref();
        listeners.push({ server, node: node.index });
        endpoints.set(`${node.ip}:${node.port}`, { host, port: (server.address() as AddressInfo).port });
      }
    } catch (error) {
      for (const { server } of listeners) server.close();
      throw error;
    }
  }
  return new RespServer(cache, listeners, endpoints, tls !== undefined, generated?.cert ?? null, options.idleTimeout !== false);
}

/** One TCP connection: a socket, a request parser and the emulated connection it drives. */
class Session {
  private readonly conn: Connection;
  private readonly parser: RequestParser;
  /** A blocked command is waiting: later requests wait for its reply. */
  private blocked = false;
  /** Paused because the client does not read its replies. */
  private backlogged = false;
  /** A request of this connection is executing. */
  private running = false;
  /** The cache closed this connection while its own command ran: close once its reply is out. */
  private closeAfterReply = false;
  /** Replies are done (QUIT, protocol error, CLIENT KILL): the socket ends once written. */
  private ending = false;
  /** When the unwritten output first reached its class's soft limit. */
  private readonly outputWatch = new OutputLimitWatch();
  closed = false;

  constructor(
    private readonly cache: ManagedRedis,
    private readonly socket: Socket,
    node: number | undefined,
    private readonly endpoints: EndpointMap | null,
    private readonly onClosed: (session: Session) => void,
    private readonly closesIdle: boolean,
  ) {
    socket.setNoDelay(true);
    this.conn = new Connection(cache, {
      name: null,
      node,
      addr: `${socket.remoteAddress ?? '127.0.0.1'}:${socket.remotePort ?? 0}`,
    });
    const state = this.conn.state;
    this.parser = new RequestParser({
      authRequired: () => !state.authenticated,
      maxBulkLength: () => Number(cache.settings.get('proto-max-bulk-len') ?? 536870912),
    });
    socket.on('close', () => this.cleanUp());
    socket.on('error', () => this.destroy());
    // A node endpoint that is down refuses the connection (closes it at once).
    if (this.conn.refusal !== null) {
      this.destroy();
      return;
    }
    // Messages go out as they happen, in order with the replies (before the reply of a PUBLISH
    // this connection sent to itself, as in Redis): a push in RESP3, an array in RESP2.
    state.push = (message) => this.writeMessage(message);
    // CLIENT KILL (or the cache) closed it: at once, or after the reply to its own CLIENT KILL.
    state.onClose = () => {
      if (this.running) this.closeAfterReply = true;
      else this.end();
    };
    this.conn.events = {
      confirmations: () => {}, // written with the reply itself (encodeReply)
      message: (message) => this.writeMessage(message),
      // A failover (or an expired Entra token) closed the connection: the socket closes, a
      // blocked command gets no reply.
      dropped: () => this.destroy(),
      // MONITOR: each command others run, as a status line (src/command-log.ts formats it).
      monitor: (line) => this.write(encodeReply(status(line), this.conn.state.resp)),
    };
    // What CLIENT LIST shows of the socket: unwritten replies (omem), a partial request (qbuf).
    state.outputBytes = () => (this.closed ? 0 : this.socket.writableLength);
    state.pendingRequest = () => ({ bytes: this.parser.pending, argvBytes: this.parser.partialArgBytes });
    socket.on('data', (chunk: Buffer) => {
      state.lastInteraction = cache.clock.now(); // Redis: on every read and write
      this.parser.push(chunk);
      this.process();
      this.checkQueryBuffer();
    });
    socket.on('drain', () => {
      if (!this.backlogged) return;
      this.backlogged = false;
      this.process();
    });
  }

  /** Runs the requests received so far, in order, until one blocks or the client stops reading. */
  private process(): void {
    // The replies of a pipeline go out in one write (corked until the batch is done).
    this.socket.cork();
    while (!this.blocked && !this.backlogged && !this.ending && !this.closed) {
      const request = this.parser.next();
      if (request === null) break;
      if (request instanceof ProtocolError) {
        this.write(new ReplyWriter().error(request.message).take());
        this.end();
        break;
      }
      this.run(request);
    }
    this.socket.uncork();
    this.updateReading();
  }

  /**
   * Request bytes received and not yet run (a partial request, or what waits behind a blocked
   * command) over `client-query-buffer-limit`: the connection closes without a reply, as Redis
   * closes it ("Closing client that reached max query buffer length").
   */
  private checkQueryBuffer(): void {
    if (this.closed) return;
    const pending = this.parser.pending;
    const now = this.cache.clock.now();
    const stats = clientLimitStats(this.cache);
    stats.recentMaxInput.record(pending, now);
    if (pending > Number(this.cache.settings.get('client-query-buffer-limit') ?? 1073741824)) {
      stats.queryBufferLimitDisconnections++;
      this.destroy();
    }
  }

  /**
   * Unwritten replies over the connection's `client-output-buffer-limit` class (normal, or pubsub
   * while subscribed): hard limit at once, soft limit once exceeded for longer than its seconds.
   * Redis frees such a client at once, dropping what it had not sent.
   */
  private checkOutputBuffer(now: number): void {
    const used = this.socket.writableLength;
    const stats = clientLimitStats(this.cache);
    stats.recentMaxOutput.record(used, now);
    const state = this.conn.state;
    if (this.outputWatch.exceeded(used, outputLimitOf(this.cache, outputLimitClass(state)), now)) {
      stats.outputBufferLimitDisconnections++;
      this.destroy();
    }
  }

  /** The server's once-a-second look at this connection (see {@link RespServer}). */
  cron(now: number): void {
    if (this.closed) return;
    const state = this.conn.state;
    const timeout = this.closesIdle ? Number(this.cache.settings.get('timeout') ?? 0) : 0;
    if (idleTimedOut(state, this.blocked, timeout, now)) {
      this.destroy();
      return;
    }
    this.checkOutputBuffer(now);
    if (!this.closed) clientLimitStats(this.cache).recentMaxInput.record(this.parser.pending, now);
  }

  /** Reads from the socket only while there is room for more requests and their replies. */
  private updateReading(): void {
    if (this.closed) return;
    const full = this.backlogged || (this.blocked && this.parser.pending > INPUT_HIGH_WATER);
    if (full && !this.socket.isPaused()) this.socket.pause();
    else if (!full && this.socket.isPaused()) this.socket.resume();
  }

  private run(argv: Bytes[]): void {
    const name = typeof argv[0] === 'string' ? argv[0].toLowerCase() : argv[0].toString('latin1').toLowerCase();
    if (SECURITY_WARNING_COMMANDS.has(name)) {
      this.destroy();
      return;
    }
    let reply: Reply;
    this.running = true;
    try {
      reply = this.conn.execute(argv);
    } catch (error) {
      this.running = false;
      this.fail(error);
      if (this.closeAfterReply) this.end();
      return;
    }
    this.running = false;
    if (isBlockedReply(reply)) {
      this.waitFor(argv, reply);
      return;
    }
    if (this.endpoints !== null && namesEndpoints(argv)) reply = rewriteEndpoints(reply, this.endpoints);
    // CLIENT REPLY OFF / SKIP: nothing goes out for this command.
    if (reply !== NO_REPLY) this.write(encodeReply(reply, this.conn.state.resp));
    if (name === 'quit' || this.closeAfterReply) this.end();
  }

  /** Holds later requests until the blocked command is served, times out or is cancelled. */
  private waitFor(argv: Bytes[], marker: BlockedReply): void {
    this.blocked = true;
    waitForReply(this.cache, this.conn.state, argv, marker).then(
      (reply) => {
        if (this.closed) return;
        this.blocked = false;
        if (reply !== NO_REPLY) this.write(encodeReply(reply, this.conn.state.resp));
        this.process();
      },
      (error) => {
        if (this.closed) return;
        this.blocked = false;
        this.fail(error);
        this.process();
      },
    );
  }

  /**
   * An error reply; or, for a connection-level error (a shard with no serving primary, a reset in
   * a failover: errors with a `syscall`, not replies), the socket closes as AMR's node closes it.
   */
  private fail(error: unknown): void {
    if (error instanceof ReplyError) {
      this.write(new ReplyWriter().error(error.message).take());
    } else if (error instanceof Error && 'syscall' in error) {
      this.destroy();
    } else {
      this.write(new ReplyWriter().error(`ERR ${error instanceof Error ? error.message : String(error)}`).take());
    }
  }

  private writeMessage(message: Reply[]): void {
    if (this.closed || this.ending) return;
    this.write(encodePush(message, this.conn.state.resp));
  }

  private write(bytes: Buffer): void {
    if (this.closed || this.ending) return;
    this.socket.write(bytes);
    const now = this.cache.clock.now();
    this.conn.state.lastInteraction = now;
    if (this.socket.writableLength > 0) this.checkOutputBuffer(now);
    if (this.socket.writableLength > OUTPUT_HIGH_WATER) this.backlogged = true;
  }

  /** Closes after the replies written so far (QUIT, protocol error, CLIENT KILL). */
  end(): void {
    if (this.closed || this.ending) return;
    this.ending = true;
    this.socket.end();
    this.release();
  }

  /** Closes at once, dropping unwritten replies. */
  destroy(): void {
    if (this.closed) return;
    this.socket.destroy();
    this.cleanUp();
  }

  private release(): void {
    this.conn.state.onClose = null;
    this.conn.close();
  }

  private cleanUp(): void {
    if (this.closed) return;
    this.closed = true;
    this.release();
    this.onClosed(this);
  }
}
