/**
 * Keys and values are bytes. A JavaScript string stands for its UTF-8 bytes, a Buffer for itself.
 *
 * Keys are stored under one canonical JavaScript string per byte sequence: the `latin1` reading of
 * the bytes (one char per byte). For ASCII keys, the common case, that is the string itself, so
 * the hot path converts nothing.
 */

/** A command argument or a stored string value: a string (its UTF-8 bytes) or raw bytes. */
export type Bytes = string | Buffer;

/** True when every char of `s` is ASCII (so its UTF-8 bytes and its latin1 bytes agree). */
export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * The last key string found to be ASCII by a pass over its chars that had to happen anyway (the
 * hash slot's CRC, src/cluster/slots.ts): the command that then asks for its {@link keyName} does
 * not scan it again. Strings are immutable, so a string equal to it is ASCII too.
 */
let knownAscii = '';

/** Records that `s` is ASCII (every char ≤ 0x7f), for the next {@link keyName} of it. */
export function noteAscii(s: string): void {
  knownAscii = s;
}

/** The canonical key name for a key argument (a latin1 byte string). */
export function keyName(arg: Bytes): string {
  if (typeof arg === 'string') return arg === knownAscii || isAscii(arg) ? arg : Buffer.from(arg, 'utf8').toString('latin1');
  return arg.toString('latin1');
}

/** The key name as a reply value: the string itself when ASCII, its bytes otherwise. */
export function keyReply(name: string): string | Buffer {
  return isAscii(name) ? name : Buffer.from(name, 'latin1');
}

/** The bytes of a value or argument. */
export function toBuffer(value: Bytes): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

/** Byte length of a value or argument. */
export function byteLength(value: Bytes): number {
  return typeof value === 'string' ? (isAscii(value) ? value.length : Buffer.byteLength(value, 'utf8')) : value.length;
}

/** The argument as text (for option names, numbers, patterns): UTF-8 decoding of its bytes. */
export function text(arg: Bytes): string {
  return typeof arg === 'string' ? arg : arg.toString('utf8');
}

/** Byte equality of two values, whatever their representation. */
export function bytesEqual(a: Bytes, b: Bytes): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  return toBuffer(a).equals(toBuffer(b));
}

/** The latin1 byte string of a value (for byte-wise comparison and matching). */
export function binary(value: Bytes): string {
  return typeof value === 'string' ? keyName(value) : value.toString('latin1');
}

/**
 * True when an argument is the option `name` (lower case) as Redis's `strcasecmp` compares them:
 * the argument's bytes up to its first NUL, ASCII letters folded (`EX\0junk` is `ex`).
 */
export function isOption(arg: Bytes, name: string): boolean {
  // Fewer chars than the name cannot match: extra UTF-8 bytes are never ASCII letters.
  if (arg.length < name.length) return false;
  let s = binary(arg);
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  if (s.length !== name.length) return false;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== name.charCodeAt(i)) return false;
  }
  return true;
}
