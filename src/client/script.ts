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

  /**
   * Runs a call on a connection (EVAL the first time, EVALSHA after, EVAL again on NOSCRIPT).
   * `sent` is the argv that went out last: an error names it as its command, as ioredis's does
   * (`{ name: 'eval', args: [lua, …] }` on a connection's first call).
   */
  execute(conn: Connection, argv: Bytes[]): { sent: Bytes[]; reply: Reply } | { sent: Bytes[]; error: unknown } {
    let sent = this.toSend(conn, argv);
    try {
      return { sent, reply: conn.execute(sent) };
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes('NOSCRIPT')) return { sent, error };
    }
    conn.scripts.delete(this.sha);
    sent = this.toSend(conn, argv);
    try {
      return { sent, reply: conn.execute(sent) };
    } catch (error) {
      return { sent, error };
    }
  }

  /** EVALSHA when this connection has sent the script, else EVAL with the script's text. */
  private toSend(conn: Connection, argv: Bytes[]): Bytes[] {
    if (conn.scripts.has(this.sha)) return argv;
    conn.scripts.add(this.sha);
    const evalArgv = argv.slice();
    evalArgv[0] = 'eval';
    evalArgv[1] = this.lua;
    return evalArgv;
  }
}
