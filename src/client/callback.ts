/**
 * Node-style callbacks on promises, the way ioredis (standard-as-callback) attaches them: the
 * callback gets `(null, value)` — or `(null)` for `undefined` — or `(error)`, and an exception it
 * throws is rethrown outside the promise chain rather than swallowed.
 */

/** A node-style callback as ioredis methods accept it as their last argument. */
export type Callback<T = any> = (err?: Error | null, result?: T) => void;

function throwLater(error: unknown): void {
  setTimeout(() => {
    throw error;
  }, 0);
}

/** Attaches `callback` (when a function) to `promise` and returns `promise`. */
export function asCallback<T>(promise: Promise<T>, callback: Callback<T> | undefined): Promise<T> {
  if (typeof callback !== 'function') return promise;
  promise.then(
    (value) => {
      try {
        if (value === undefined) callback(null);
        else callback(null, value);
      } catch (error) {
        throwLater(error);
      }
    },
    (cause: unknown) => {
      let error = cause as Error;
      if (!cause) error = Object.assign(new Error(String(cause)), { cause });
      try {
        callback(error);
      } catch (thrown) {
        throwLater(thrown);
      }
    },
  );
  return promise;
}

/** Does nothing (for `.catch(noop)`). */
export function noop(): void {}
