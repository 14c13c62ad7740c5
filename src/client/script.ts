/**
 * `defineCommand` scripts as ioredis runs them: the first call on a connection sends
 * `EVAL <lua> …`, later calls `EVALSHA <sha1> …`, and a NOSCRIPT reply makes it send EVAL again.
 * Keys (the first `numberOfKeys` arguments) get the client's `keyPrefix`. Until the server has
 * scripting, EVAL/EVALSHA answer the server's unknown-command error, as any unbuilt command does.
 */
import { createHash } from 'node:crypto';
import type { Bytes } from '../keyspace/bytes.js';
import type { Reply } from '../protocol/reply.js';
import { buildArgv } from './args.js';
import type { Connection } from './connection.js';

/** A script for `defineCommand` / the `scripts` option, as in ioredis. */
export interface ScriptDefinition {
  lua: string;
  /** Fixed number of keys; omit to pass the count as the first argument of each call. */
  numberOfKeys?: number;
  readOnly?: boolean;
}

export class Script {
  readonly sha: string;

  constructor(
    readonly lua: string,
    readonly numberOfKeys: number | null = null,
    readonly keyPrefix: string | Buffer = '',
    readonly readOnly = false,
  ) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  /** The EVALSHA argv for a call with `args` (callback already removed). */
  argv(args: unknown[]): Bytes[] {
    const rest = typeof this.numberOfKeys === 'number' ? [this.numberOfKeys, ...args] : args;
    return buildArgv('evalsha', [this.sha, ...rest], this.keyPrefix || undefined);
  }

  /** Runs a call on a connection (EVAL the first time, EVALSHA after, EVAL again on NOSCRIPT). */
  execute(conn: Connection, argv: Bytes[]): Reply {
    try {
      return this.send(conn, argv);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes('NOSCRIPT')) throw error;
      conn.scripts.delete(this.sha);
      return this.send(conn, argv);
    }
  }

  private send(conn: Connection, argv: Bytes[]): Reply {
    if (conn.scripts.has(this.sha)) return conn.execute(argv);
    conn.scripts.add(this.sha);
    const evalArgv = argv.slice();
    evalArgv[0] = 'eval';
    evalArgv[1] = this.lua;
    return conn.execute(evalArgv);
  }
}
