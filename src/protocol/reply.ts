/**
 * One reply shape for every facade and both protocols.
 *
 * Commands return plain JavaScript values wherever the Redis type is unambiguous, so the hot path
 * allocates nothing extra:
 *
 * | Redis reply        | value                                        |
 * |--------------------|----------------------------------------------|
 * | bulk string        | `string` (its UTF-8 bytes) or `Buffer`       |
 * | integer            | `number` (safe integer) or `bigint`          |
 * | null (nil)         | `null`                                       |
 * | array              | `Reply[]`                                    |
 * | status (`+OK`)     | {@link StatusReply}                          |
 * | double (RESP3 `,`) | {@link DoubleReply} (RESP2: a bulk string)   |
 * | map (RESP3 `%`)    | {@link MapReply} (RESP2: a flat array)       |
 * | set (RESP3 `~`)    | {@link SetReply} (RESP2: an array)           |
 * | boolean (RESP3 `#`)| {@link BoolReply} (RESP2: integer 0/1)       |
 * | verbatim (`=`)     | {@link VerbatimReply} (RESP2: a bulk string) |
 * | big number (`(`)   | {@link BigNumberReply} (RESP2: bulk string)  |
 * | null array (RESP2 `*-1`) | {@link NULL_ARRAY} (RESP3: null)       |
 * | nothing (CLIENT REPLY OFF) | {@link NO_REPLY}                       |
 *
 * Errors are thrown as {@link ReplyError} (see `errors.ts`) and, inside arrays (EXEC), carried as
 * values.
 */
import { formatDouble } from './number-format.js';

/** A RESP simple string such as `OK`, `PONG` or `QUEUED`. */
export class StatusReply {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** A double. RESP3 sends it as a double; RESP2 as a bulk string in Redis's formatting. */
export class DoubleReply {
  constructor(readonly value: number) {}
  /** The text Redis 7.4 writes for this double (RESP2 bulk string and RESP3 double alike). */
  toString(): string {
    return formatDouble(this.value);
  }
}

/** An ordered map. RESP3 `%`; RESP2 flattens it to `[k1, v1, k2, v2, …]`. */
export class MapReply {
  constructor(readonly entries: Array<[Reply, Reply]>) {}
}

/** An unordered set. RESP3 `~`; RESP2 sends an array. */
export class SetReply {
  constructor(readonly items: Reply[]) {}
}

/** RESP3 boolean; RESP2 sends integer 1 or 0. */
export class BoolReply {
  constructor(readonly value: boolean) {}
}

/** RESP3 verbatim string (`=`, with a 3-letter format); RESP2 sends a bulk string. */
export class VerbatimReply {
  constructor(
    readonly format: string,
    readonly text: string,
  ) {}
}

/** RESP3 big number; RESP2 sends a bulk string. */
export class BigNumberReply {
  constructor(readonly value: bigint) {}
}

/** RESP2's null array (`*-1`), distinct from a nil bulk string only in RESP2. */
export class NullArrayReply {
  private constructor() {}
  static readonly instance = new NullArrayReply();
}

/**
 * No reply at all: what a connection gets while `CLIENT REPLY OFF` (or the command after
 * `CLIENT REPLY SKIP`) holds its replies back. A facade writes nothing for it; the synchronous API
 * returns `null`; the ioredis-compatible client leaves the command's promise pending, as a real
 * server's silence would.
 */
export class NoReply {
  private constructor() {}
  static readonly instance = new NoReply();
}

/** Any reply a command can produce. */
export type Reply =
  | string
  | Buffer
  | number
  | bigint
  | null
  | Reply[]
  | StatusReply
  | DoubleReply
  | MapReply
  | SetReply
  | BoolReply
  | VerbatimReply
  | BigNumberReply
  | NullArrayReply
  | NoReply
  | Error;

export const OK = new StatusReply('OK');
export const PONG = new StatusReply('PONG');
export const QUEUED = new StatusReply('QUEUED');
export const NULL_ARRAY = NullArrayReply.instance;
export const NO_REPLY = NoReply.instance;

/** Shared status replies for the few statuses commands send, so none allocates. */
export function status(value: string): StatusReply {
  if (value === 'OK') return OK;
  if (value === 'PONG') return PONG;
  if (value === 'QUEUED') return QUEUED;
  return new StatusReply(value);
}
