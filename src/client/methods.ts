/**
 * The generated command methods and the small helpers clients, pipelines and clusters share.
 */
import type { Bytes } from '../keyspace/bytes.js';
import { ReplyError } from '../protocol/errors.js';
import { IOREDIS_METHOD_NAMES } from './args.js';
import type { Callback } from './callback.js';
import { replyErrorFor } from './reply.js';
import type { Script } from './script.js';

/** An error thrown by dispatch as ioredis rejects with it (a fresh ReplyError with `command`). */
export function wrapError(error: unknown, name: string, argv: readonly Bytes[]): unknown {
  return error instanceof ReplyError ? replyErrorFor(error, name, argv) : error;
}

/** ioredis's EXEC result shape: `[null, value]` per success, `[error]` per failure; null stays null. */
export function wrapMultiResult(results: unknown[] | null): Array<[Error | null, unknown]> | null {
  if (!results) return null;
  return results.map((item) => (item instanceof Error ? ([item] as unknown as [Error, unknown]) : [null, item]));
}

interface MethodHost {
  sendMethod(name: string, args: unknown[], buffers: boolean): unknown;
}

interface ScriptHost {
  runScript(script: Script, args: unknown[], buffers: boolean, callback?: Callback): unknown;
}

/** A method sending `name` (the generated command methods). */
export function commandMethod(name: string, buffers: boolean): (this: MethodHost, ...args: unknown[]) => any {
  return function (this: MethodHost, ...args: unknown[]) {
    return this.sendMethod(name, args, buffers);
  };
}

/** A method running a defined script (callback, if last, is taken off). */
export function scriptMethod(script: Script, buffers: boolean): (this: ScriptHost, ...args: unknown[]) => any {
  return function (this: ScriptHost, ...args: unknown[]) {
    let callback: Callback | undefined;
    if (args.length > 0 && typeof args[args.length - 1] === 'function') callback = args.pop() as Callback;
    return this.runScript(script, args, buffers, callback);
  };
}

/** Installs a method (and `…Buffer` twin) per ioredis command on a prototype, keeping own methods. */
export function installCommandMethods(proto: object): void {
  for (const name of IOREDIS_METHOD_NAMES) {
    for (const [method, buffers] of [[name, false], [`${name}Buffer`, true]] as const) {
      if (Object.prototype.hasOwnProperty.call(proto, method)) continue;
      Object.defineProperty(proto, method, { configurable: true, writable: true, value: commandMethod(name, buffers) });
    }
  }
}

/** Calls a node-style callback on a later microtask; an exception it throws surfaces, uncaught. */
export function callLater(callback: Callback, error: Error | null, value?: unknown): void {
  queueMicrotask(() => {
    try {
      if (error) callback(error);
      else if (value === undefined) callback(null);
      else callback(null, value);
    } catch (thrown) {
      setTimeout(() => {
        throw thrown;
      }, 0);
    }
  });
}
