/**
 * Starting and stopping real `redis-server` processes for the live tests: one standalone server
 * and a three-primary cluster, on free loopback ports, in a temporary directory.
 *
 * The test run does this once (test/support/global-setup.ts) and hands the ports to the test files
 * through vitest's `provide`/`inject` (see test/support/live.ts). Everything binds to 127.0.0.1.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RespClient } from './resp-client.js';

/** What the live tests get: the servers' ports, or why there are none. */
export type LiveRedis =
  | {
      available: true;
      /** `redis-server --version` output, e.g. `7.0.15`. */
      version: string;
      host: string;
      /** A standalone server any test file may use; do not flush it or rely on its contents. */
      standalone: { port: number };
      /**
       * A standalone server reserved for test/differential/random.test.ts, which FLUSHALLs it
       * between sequences (test files run in parallel, so it must not share it).
       */
      differential: { port: number };
      /** A standalone server reserved for test/differential/oracle-vs-live.test.ts (it flushes it too). */
      oracleLive: { port: number };
      /** A standalone server reserved for test/differential/ioredis.test.ts (it flushes it too). */
      clientDifferential: { port: number };
      /** The nodes of a three-primary cluster (slots split by `redis-cli --cluster create`). */
      cluster: { ports: number[] };
    }
  | { available: false; reason: string };

declare module 'vitest' {
  export interface ProvidedContext {
    redis: LiveRedis;
  }
}

export const HOST = '127.0.0.1';

/** One running `redis-server` child process. */
export interface RedisProcess {
  readonly port: number;
  readonly child: ChildProcess;
  readonly logFile: string;
}

/** The version of the `redis-server` on PATH, or null when there is none. */
export function redisServerVersion(): string | null {
  const result = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) return null;
  return /v=(\S+)/.exec(result.stdout)?.[1] ?? result.stdout.trim();
}

/** True when `redis-cli` is on PATH (needed to create the cluster). */
export function redisCliAvailable(): boolean {
  const result = spawnSync('redis-cli', ['--version'], { encoding: 'utf8' });
  return !result.error && result.status === 0;
}

/** `count` distinct free TCP ports on loopback (all held open at once so they differ). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, HOST, () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function logTail(file: string): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
}

/** Every child and directory made here, so an exiting process can still remove what teardown missed. */
const running = new Set<ChildProcess>();
const directories = new Set<string>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
    for (const dir of directories) rmSync(dir, { recursive: true, force: true });
  });
}

/**
 * On Linux, `setpriv --pdeathsig KILL` makes the kernel kill each server when the test process
 * dies, however it dies (even SIGKILL), so no server outlives a run.
 */
const SETPRIV = (() => {
  if (process.platform !== 'linux') return null;
  const probe = spawnSync('setpriv', ['--pdeathsig', 'KILL', 'true']);
  return !probe.error && probe.status === 0 ? 'setpriv' : null;
})();

/**
 * Starts one `redis-server` on `port` with no persistence, bound to loopback, logging to a file in
 * `dir`; resolves once it answers PING.
 */
export async function startServer(
  dir: string,
  port: number,
  cluster?: { busPort: number },
  extraArgs: readonly string[] = [],
): Promise<RedisProcess> {
  installExitHook();
  const logFile = path.join(dir, `redis-${port}.log`);
  const args = [
    '--port', String(port),
    '--bind', HOST,
    '--dir', dir,
    '--save', '',
    '--appendonly', 'no',
    '--daemonize', 'no',
    '--logfile', logFile,
    '--loglevel', 'warning',
    '--pidfile', path.join(dir, `redis-${port}.pid`),
    ...extraArgs,
  ];
  if (cluster) {
    args.push(
      '--cluster-enabled', 'yes',
      '--cluster-config-file', path.join(dir, `nodes-${port}.conf`),
      '--cluster-port', String(cluster.busPort),
      // A short node timeout makes a fresh cluster turn `ok` quickly (the rejoin delay is the node
      // timeout, at least 500 ms); it is raised once the cluster is up (see startFleet).
      '--cluster-node-timeout', '500',
    );
  }
  const child = SETPRIV
    ? spawn(SETPRIV, ['--pdeathsig', 'KILL', 'redis-server', ...args], { stdio: 'ignore' })
    : spawn('redis-server', args, { stdio: 'ignore' });
  running.add(child);
  let exited: string | null = null;
  child.once('exit', (code, signal) => {
    running.delete(child);
    exited = `exited with ${signal ?? code}`;
  });
  child.once('error', (error) => {
    running.delete(child);
    exited = error.message;
  });
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (exited !== null) throw new Error(`redis-server on port ${port} ${exited}:\n${logTail(logFile)}`);
    try {
      const client = await RespClient.connect(port, HOST);
      try {
        const reply = await client.call(['PING']);
        if (reply[0] === '+' && reply[1] === 'PONG') return { port, child, logFile };
      } finally {
        client.close();
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server on port ${port} did not answer PING within 10 s:\n${logTail(logFile)}`);
    }
    await sleep(15);
  }
}

/** Stops a server (SIGTERM, then SIGKILL after 3 s) and waits for it to exit. */
export async function stopServer(server: RedisProcess): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Polls CLUSTER INFO on every node until all report `cluster_state:ok` and know every node. */
async function waitClusterOk(ports: number[], timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    let ok = true;
    for (const port of ports) {
      const client = await RespClient.connect(port, HOST);
      try {
        const reply = await client.call(['CLUSTER', 'INFO']);
        const info = String(reply[1]);
        if (!/cluster_state:ok/.test(info) || !new RegExp(`cluster_known_nodes:${ports.length}\\b`).test(info)) {
          ok = false;
          last = `${port}: ${info.split('\r\n').slice(0, 6).join(' ')}`;
          break;
        }
      } finally {
        client.close();
      }
    }
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`cluster did not reach cluster_state:ok: ${last}`);
    await sleep(25);
  }
}

/** Creates a cluster of the given nodes with `redis-cli --cluster create … --cluster-yes`. */
function createCluster(ports: number[]): void {
  const result = spawnSync(
    'redis-cli',
    ['--cluster', 'create', ...ports.map((p) => `${HOST}:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (result.error || result.status !== 0) {
    throw new Error(
      `redis-cli --cluster create failed (${result.error?.message ?? `status ${result.status}`}):\n${result.stdout}\n${result.stderr}`,
    );
  }
}

/** The running servers and a function that stops them all and removes their directory. */
export interface RedisFleet {
  live: LiveRedis;
  stop(): Promise<void>;
}

/**
 * Starts four standalone servers (one shared, three reserved for the differential tests) and a
 * cluster of `clusterNodes` primaries (3; 0 for none). Never throws: when something is missing or
 * fails, `live` says why (and whatever did start is stopped). A failed start is retried with new
 * ports, in case another process took a port between choosing it and binding it.
 */
export async function startFleet(options: { clusterNodes?: number } = {}): Promise<RedisFleet> {
  const version = redisServerVersion();
  if (version === null) {
    return { live: { available: false, reason: 'redis-server is not installed (not on PATH)' }, stop: async () => {} };
  }
  if ((options.clusterNodes ?? 3) > 0 && !redisCliAvailable()) {
    return { live: { available: false, reason: 'redis-cli is not installed (needed to create the cluster)' }, stop: async () => {} };
  }
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await startFleetOnce(version, options.clusterNodes ?? 3);
    } catch (error) {
      lastError = error;
    }
  }
  return {
    live: { available: false, reason: `starting redis-server failed (3 attempts): ${(lastError as Error).message}` },
    stop: async () => {},
  };
}

async function startFleetOnce(version: string, nodes: number): Promise<RedisFleet> {
  installExitHook();
  const dir = mkdtempSync(path.join(tmpdir(), 'amr-emulator-redis-'));
  directories.add(dir);
  const servers: RedisProcess[] = [];
  const stop = async () => {
    await Promise.all(servers.map(stopServer));
    rmSync(dir, { recursive: true, force: true });
    directories.delete(dir);
  };
  try {
    const standalones = 4;
    const ports = await freePorts(standalones + nodes * 2);
    const [standalonePort, differentialPort, oracleLivePort, clientDifferentialPort] = ports;
    const clusterPorts = ports.slice(standalones, standalones + nodes);
    const busPorts = ports.slice(standalones + nodes);
    const started = await Promise.allSettled([
      ...ports.slice(0, standalones).map((port) => startServer(dir, port)),
      ...clusterPorts.map((port, i) => startServer(dir, port, { busPort: busPorts[i] })),
    ]);
    for (const result of started) if (result.status === 'fulfilled') servers.push(result.value);
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    if (nodes > 0) {
      createCluster(clusterPorts);
      await waitClusterOk(clusterPorts);
    }
    // Now that it is up, a long node timeout keeps a busy machine from marking nodes as failing.
    for (const port of clusterPorts) {
      const client = await RespClient.connect(port, HOST);
      try {
        await client.call(['CONFIG', 'SET', 'cluster-node-timeout', '30000']);
      } finally {
        client.close();
      }
    }
    return {
      live: {
        available: true,
        version,
        host: HOST,
        standalone: { port: standalonePort },
        differential: { port: differentialPort },
        oracleLive: { port: oracleLivePort },
        clientDifferential: { port: clientDifferentialPort },
        cluster: { ports: clusterPorts },
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
