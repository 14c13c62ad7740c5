/**
 * Every error text the emulator sends, in one place, to the letter of Redis 7.4.
 * Commands throw these; facades turn them into rejected promises or `[err, null]` pairs.
 */

/** An error reply from the (emulated) server. `message` is the full text Redis sends, code first. */
export class ReplyError extends Error {
  constructor(message: string) {
    super(message);
  }
  /** The error code: the first word of the message (`ERR`, `WRONGTYPE`, `CROSSSLOT` …). */
  get code(): string {
    const space = this.message.indexOf(' ');
    return space < 0 ? this.message : this.message.slice(0, space);
  }
}
// `name` lives on the prototype, as in ioredis's ReplyError (redis-errors): an error's own
// enumerable properties are then only what ioredis puts there (`command`, `previousErrors`), so
// `Object.keys`, spreading and deep equality see the same object as with ioredis.
Object.defineProperty(ReplyError.prototype, 'name', { value: 'ReplyError', writable: true, configurable: true, enumerable: false });

// Shared instances for the common errors: throwing them allocates nothing, and Error stack capture
// is the expensive part of an error.
function shared(message: string): ReplyError {
  return new ReplyError(message);
}

export const WRONGTYPE = shared('WRONGTYPE Operation against a key holding the wrong kind of value');
export const SYNTAX = shared('ERR syntax error');
export const NOT_INTEGER = shared('ERR value is not an integer or out of range');
export const NOT_FLOAT = shared('ERR value is not a valid float');
export const NO_SUCH_KEY = shared('ERR no such key');
export const OVERFLOW = shared('ERR increment or decrement would overflow');
export const NAN_OR_INF_INCR = shared('ERR increment would produce NaN or Infinity');
/** A command before AUTH on a cache with an access key. */
export const NOAUTH = shared('NOAUTH Authentication required.');
/** AUTH or HELLO … AUTH with credentials that do not match. */
export const WRONGPASS = shared('WRONGPASS invalid username-password pair or user is disabled.');

export const CROSSSLOT = shared("CROSSSLOT Keys in request don't hash to the same slot");
/** A `denyoom` command on a shard over its maxmemory that could evict nothing (server.c `shared.oomerr`). */
export const OOM = shared("OOM command not allowed when used memory > 'maxmemory'.");
export const OFFSET_RANGE = shared('ERR offset is out of range');
export const STRING_TOO_LONG = shared('ERR string exceeds maximum allowed size (proto-max-bulk-len)');
export const POSITIVE_RANGE = shared('ERR value is out of range, must be positive');
export const EXPIRE_NEGATIVE = shared('ERR invalid expire time, must be >= 0');
// Generic key commands (keys helper)
export const EXPIRE_NX_CONFLICT = shared('ERR NX and XX, GT or LT options at the same time are not compatible');
export const EXPIRE_GT_LT_CONFLICT = shared('ERR GT and LT options at the same time are not compatible');
export const SAME_OBJECT = shared('ERR source and destination objects are the same');
export const DB_INDEX_OUT_OF_RANGE = shared('ERR DB index is out of range');
export const INT_RANGE = shared('ERR value is out of range, value must between -2147483648 and 2147483647');
export const INVALID_CURSOR = shared('ERR invalid cursor');
export const NOVALUES_ONLY_HSCAN = shared('ERR NOVALUES option can only be used in HSCAN');
export const LFU_SELECTED = shared(
  'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
);
export const LFU_NOT_SELECTED = shared(
  'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
);
// Strings (strings helper)
export const DECREMENT_OVERFLOW = shared('ERR decrement would overflow');
export const LCS_NOT_STRINGS = shared('ERR The specified keys must contain string values');
export const LCS_LEN_AND_IDX = shared('ERR If you want both the length and indexes, please just use IDX.');
export const LCS_TABLE_TOO_BIG = shared(
  'ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len',
);
// Hashes (hashes helper)
export const HASH_VALUE_NOT_INTEGER = shared('ERR hash value is not an integer');
export const HASH_VALUE_NOT_FLOAT = shared('ERR hash value is not a float');
export const NAN_OR_INF_VALUE = shared('ERR value is NaN or Infinity');
export const VALUE_OUT_OF_RANGE = shared('ERR value is out of range');
export const FIELDS_MISSING = shared('ERR Mandatory argument FIELDS is missing or not at the right position');
export const NUMFIELDS_NOT_POSITIVE_EXPIRE = shared('ERR Parameter `numFields` should be greater than 0');
export const NUMFIELDS_NOT_POSITIVE = shared('ERR Number of fields must be a positive integer');
export const NUMFIELDS_MISMATCH = shared('ERR The `numfields` parameter must match the number of arguments');
// CLUSTER (cluster helper)
export const CLUSTER_DISABLED = shared('ERR This instance has cluster support disabled');
export const INVALID_SLOT = shared('ERR Invalid slot');
export const INVALID_SLOT_OR_KEYS = shared('ERR Invalid slot or number of keys');

// Transactions (MULTI/EXEC/DISCARD/WATCH).
export const EXECABORT = shared('EXECABORT Transaction discarded because of previous errors.');
export const EXEC_WITHOUT_MULTI = shared('ERR EXEC without MULTI');
export const DISCARD_WITHOUT_MULTI = shared('ERR DISCARD without MULTI');
export const MULTI_NESTED = shared('ERR MULTI calls can not be nested');
export const WATCH_INSIDE_MULTI = shared('ERR WATCH inside MULTI is not allowed');

export function wrongArity(command: string): ReplyError {
  return new ReplyError(`ERR wrong number of arguments for '${command.toLowerCase()}' command`);
}

export function invalidExpire(command: string): ReplyError {
  return new ReplyError(`ERR invalid expire time in '${command.toLowerCase()}' command`);
}

/** `ERR unknown command 'X', with args beginning with: 'a' 'b' ` (the trailing space is Redis's). */
export function unknownCommand(name: string, args: readonly (string | Buffer)[]): ReplyError {
  let echoed = '';
  for (let i = 0; i < args.length && echoed.length < 128; i++) {
    echoed += `'${String(args[i]).slice(0, 128 - echoed.length)}' `;
  }
  return new ReplyError(
    sanitize(`ERR unknown command '${name.slice(0, 128)}', with args beginning with: ${echoed}`),
  );
}

export function unknownSubcommand(subcommand: string, command: string): ReplyError {
  return new ReplyError(
    sanitize(`ERR unknown subcommand '${subcommand.slice(0, 128)}'. Try ${command.toUpperCase()} HELP.`),
  );
}

/** Redis replaces newlines in echoed user text so an error stays one line. */
function sanitize(text: string): string {
  return text.replace(/[\r\n]/g, ' ');
}

/** `getRangeLongFromObjectOrReply`'s own message: `ERR value is out of range, value must between MIN and MAX`. */
export function valueRange(min: bigint | number, max: bigint | number): ReplyError {
  return new ReplyError(`ERR value is out of range, value must between ${min} and ${max}`);
}

/** `ERR Unsupported option X` (EXPIRE family options). */
export function unsupportedOption(option: string): ReplyError {
  return new ReplyError(sanitize(`ERR Unsupported option ${option}`));
}

// numkeys-style commands (SINTERCARD, ZINTERCARD …) and signed long ranges.
export const NUMKEYS_NOT_POSITIVE = shared('ERR numkeys should be greater than 0');
export const NUMKEYS_EXCEED_ARGS = shared("ERR Number of keys can't be greater than number of args");
export const LIMIT_NEGATIVE = shared("ERR LIMIT can't be negative");
/** `getRangeLongFromObjectOrReply` without a message, for a signed range (SRANDMEMBER count: ±LONG_MAX). */
export const LONG_RANGE_SYMMETRIC = shared(
  'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807',
);

// Sorted sets (zsets helper).
export const ZADD_XX_NX = shared('ERR XX and NX options at the same time are not compatible');
export const ZADD_GT_LT_NX = shared('ERR GT, LT, and/or NX options at the same time are not compatible');
export const ZADD_INCR_PAIRS = shared('ERR INCR option supports a single increment-element pair');
export const SCORE_NAN = shared('ERR resulting score is not a number (NaN)');
export const MIN_MAX_NOT_FLOAT = shared('ERR min or max is not a float');
export const LEX_RANGE_INVALID = shared('ERR min or max not valid string range item');
export const ZRANGE_LIMIT_BY_RANK = shared(
  'ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX',
);
export const ZRANGE_WITHSCORES_BYLEX = shared('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
export const WEIGHT_NOT_FLOAT = shared('ERR weight value is not a float');
export const ZMPOP_COUNT_NOT_POSITIVE = shared('ERR count should be greater than 0');

/** `ERR at least 1 input key is needed for 'zunion' command` (ZUNION/ZINTER/ZDIFF, their STORE forms, ZINTERCARD). */
export function atLeastOneInputKey(command: string): ReplyError {
  return new ReplyError(`ERR at least 1 input key is needed for '${command}' command`);
}

// Lists and blocking commands (lists helper).
export const INDEX_OUT_OF_RANGE = shared('ERR index out of range');
export const LPOS_RANK_ZERO = shared(
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
);
export const LPOS_COUNT_NEGATIVE = shared("ERR COUNT can't be negative");
export const LPOS_MAXLEN_NEGATIVE = shared("ERR MAXLEN can't be negative");
export const TIMEOUT_NOT_FLOAT = shared('ERR timeout is not a float or out of range');
export const TIMEOUT_NEGATIVE = shared('ERR timeout is negative');
export const TIMEOUT_OUT_OF_RANGE = shared('ERR timeout is out of range');

/** Redis's `addReplySubcommandSyntaxError`: the subcommand as sent, the command upper-cased. */
export function subcommandSyntaxError(argv: readonly (string | Buffer)[]): ReplyError {
  return new ReplyError(
    sanitize(
      `ERR unknown subcommand or wrong number of arguments for '${String(argv[1]).slice(0, 128)}'. Try ${String(argv[0]).toUpperCase()} HELP.`,
    ),
  );
}
