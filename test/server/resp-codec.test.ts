/**
 * The RESP codec (src/protocol/resp.ts) on its own: requests split at every byte, Redis's
 * protocol errors (texts from networking.c's processMultibulkBuffer / processInlineBuffer, checked
 * against redis-server in resp-server-live.test.ts), inline argument splitting (sdssplitargs), and
 * the encoding of every reply kind in RESP2 and RESP3.
 */
import { describe, expect, it } from 'vitest';
import { encodePush, encodeReply, ProtocolError, RequestParser, splitInlineArgs } from '../../src/protocol/resp.js';
import {
  BigNumberReply,
  BoolReply,
  DoubleReply,
  MapReply,
  NULL_ARRAY,
  SetReply,
  StatusReply,
  VerbatimReply,
  type Reply,
} from '../../src/protocol/reply.js';
import { ReplyError } from '../../src/protocol/errors.js';
import { PubSubReplies, PushMessage } from '../../src/pubsub.js';
import type { Bytes } from '../../src/keyspace/bytes.js';

function parser(authRequired = false, maxBulk = 512 * 1024 * 1024): RequestParser {
  return new RequestParser({ authRequired: () => authRequired, maxBulkLength: () => maxBulk });
}

/** Every request (or the protocol error) in `input`, fed in chunks of `chunk` bytes. */
function parseAll(input: Buffer | string, chunk = Infinity, authRequired = false): Array<Bytes[] | string> {
  const p = parser(authRequired);
  const bytes = Buffer.from(input as string, typeof input === 'string' ? 'latin1' : undefined);
  const out: Array<Bytes[] | string> = [];
  for (let i = 0; i < bytes.length; i += Math.min(chunk, bytes.length)) {
    p.push(bytes.subarray(i, Math.min(bytes.length, i + chunk)));
    for (;;) {
      const request = p.next();
      if (request === null) break;
      if (request instanceof ProtocolError) return [...out, request.message];
      out.push(request);
    }
  }
  return out;
}

const text = (argv: Bytes[] | string) => (typeof argv === 'string' ? argv : argv.map((a) => (typeof a === 'string' ? a : `<${a.toString('hex')}>`)));

describe('request parser', () => {
  it('reads pipelined multibulk and inline requests, whole or one byte at a time', () => {
    const input = '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\nGET k\r\n*1\r\n$4\r\nPING\r\necho "a b"\n';
    const expected = [['SET', 'k', 'hello'], ['GET', 'k'], ['PING'], ['echo', 'a b']];
    expect(parseAll(input).map(text)).toEqual(expected);
    expect(parseAll(input, 1).map(text)).toEqual(expected);
    expect(parseAll(input, 7).map(text)).toEqual(expected);
  });

  it('skips empty requests (*0, *-1, blank lines) as Redis does', () => {
    expect(parseAll('*0\r\n*-1\r\n*-5\r\n\r\n   \r\n\nPING\r\n').map(text)).toEqual([['PING']]);
  });

  it('keeps binary arguments as bytes and short ASCII ones as strings', () => {
    const payload = Buffer.from([0xff, 0x00, 0x0d, 0x0a, 0x41]);
    const input = Buffer.concat([Buffer.from(`*2\r\n$3\r\nSET\r\n$${payload.length}\r\n`), payload, Buffer.from('\r\n')]);
    const [argv] = parseAll(input) as Bytes[][];
    expect(argv[0]).toBe('SET');
    expect(Buffer.isBuffer(argv[1]) && argv[1].equals(payload)).toBe(true);
    const long = 'x'.repeat(1000);
    const [big] = parseAll(`*1\r\n$1000\r\n${long}\r\n`) as Bytes[][];
    expect(Buffer.isBuffer(big[0]) && big[0].toString() === long).toBe(true);
  });

  it('reads a long argument arriving in many chunks', () => {
    const value = Buffer.alloc(8 * 1024 * 1024, 0x61);
    value[0] = 0xff; // not ASCII: kept as bytes
    const input = Buffer.concat([Buffer.from(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${value.length}\r\n`), value, Buffer.from('\r\n*1\r\n$4\r\nPING\r\n')]);
    const p = parser();
    const requests: Bytes[][] = [];
    for (let i = 0; i < input.length; i += 65536) {
      p.push(input.subarray(i, i + 65536));
      for (let r = p.next(); r !== null; r = p.next()) requests.push(r as Bytes[]);
    }
    expect(requests.length).toBe(2);
    expect(Buffer.isBuffer(requests[0][2]) && (requests[0][2] as Buffer).equals(value)).toBe(true);
    expect(requests[1]).toEqual(['PING']);
    expect(p.pending).toBe(0);
  });

  it('takes the two bytes after a bulk argument as its CRLF without checking them', () => {
    expect(parseAll('*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n').map(text)).toEqual([['PING'], ['PING']]);
  });

  it.each([
    ['*x\r\n', 'ERR Protocol error: invalid multibulk length'],
    ['*01\r\n', 'ERR Protocol error: invalid multibulk length'],
    ['*2147483648\r\n', 'ERR Protocol error: invalid multibulk length'],
    ['*99999999999999999999\r\n', 'ERR Protocol error: invalid multibulk length'],
    ['*1\r\n$-1\r\n', 'ERR Protocol error: invalid bulk length'],
    ['*1\r\n$01\r\n', 'ERR Protocol error: invalid bulk length'],
    ['*1\r\n$-0\r\n', 'ERR Protocol error: invalid bulk length'],
    ['*1\r\n$\r\n', 'ERR Protocol error: invalid bulk length'],
    ['*1\r\n$536870913\r\n', 'ERR Protocol error: invalid bulk length'],
    ["*2\r\n$3\r\nGET\r\n+a\r\n", "ERR Protocol error: expected '$', got '+'"],
    ['set a "b\r\n', 'ERR Protocol error: unbalanced quotes in request'],
    ['echo "a"b\r\n', 'ERR Protocol error: unbalanced quotes in request'],
    ["echo 'a\r\n", 'ERR Protocol error: unbalanced quotes in request'],
    ['x'.repeat(64 * 1024 + 1), 'ERR Protocol error: too big inline request'],
    [`*${'1'.repeat(64 * 1024 + 1)}`, 'ERR Protocol error: too big mbulk count string'],
    [`*1\r\n$${'1'.repeat(64 * 1024 + 1)}`, 'ERR Protocol error: too big bulk count string'],
  ])('%j is a protocol error: %s', (input, message) => {
    expect(parseAll(input).at(-1)).toBe(message);
    // After the error the parser answers it again: the connection is unusable.
    const p = parser();
    p.push(Buffer.from(input, 'latin1'));
    p.next();
    expect(p.next()).toBeInstanceOf(ProtocolError);
  });

  it('answers the requests before a protocol error first', () => {
    expect(parseAll('PING\r\n*1\r\n$4\r\nPING\r\n*x\r\n').map(text)).toEqual([['PING'], ['PING'], 'ERR Protocol error: invalid multibulk length']);
  });

  it('waits for more bytes on a line up to the 64 KiB limit', () => {
    expect(parseAll('x'.repeat(64 * 1024))).toEqual([]);
    expect(parseAll('*1\r\n$4\r\nPI')).toEqual([]);
    expect(parseAll('*1\r')).toEqual([]);
  });

  it('stops at a NUL byte when looking for a line end, as strchr does', () => {
    expect(parseAll('*1\x00\r\n')).toEqual([]);
    expect(parseAll('PI\x00NG\r\n')).toEqual([]);
  });

  it('limits requests before authentication: 10 arguments, 16 KiB per argument', () => {
    expect(parseAll('*11\r\n', Infinity, true)).toEqual(['ERR Protocol error: unauthenticated multibulk length']);
    expect(parseAll('*11\r\n', Infinity, false)).toEqual([]);
    expect(parseAll('*10\r\n', Infinity, true)).toEqual([]);
    expect(parseAll('*2\r\n$4\r\nAUTH\r\n$16385\r\n', Infinity, true)).toEqual(['ERR Protocol error: unauthenticated bulk length']);
    expect(parseAll('*2\r\n$4\r\nAUTH\r\n$16384\r\n', Infinity, true)).toEqual([]);
  });
});

describe('inline argument splitting (sdssplitargs)', () => {
  const split = (line: string) => splitInlineArgs(Buffer.from(line, 'latin1'))?.map((b) => b.toString('latin1')) ?? null;

  it('splits on blanks and understands both kinds of quotes', () => {
    expect(split('  set   k\tv  ')).toEqual(['set', 'k', 'v']);
    expect(split('echo "a\\x41\\n\\q\\xZZ"')).toEqual(['echo', 'aA\nqxZZ']);
    expect(split("echo 'b\\'c\\n'")).toEqual(['echo', "b'c\\n"]);
    expect(split('echo d"e f"')).toEqual(['echo', 'de f']);
    expect(split('echo "" \'\'')).toEqual(['echo', '', '']);
    expect(split('"\\r\\t\\b\\a\\"\\\\"')).toEqual(['\r\t\b\x07"\\']);
    expect(split('')).toEqual([]);
  });

  it('refuses unterminated quotes and a closing quote glued to more text', () => {
    expect(split('"abc')).toBeNull();
    expect(split("'abc")).toBeNull();
    expect(split('"a"b')).toBeNull();
    expect(split("'a'b")).toBeNull();
    expect(split('"a\\"')).toBeNull();
  });
});

describe('reply encoder', () => {
  const both = (reply: Reply) => [encodeReply(reply, 2).toString('latin1'), encodeReply(reply, 3).toString('latin1')];

  it.each<[string, Reply, string, string]>([
    ['status', new StatusReply('OK'), '+OK\r\n', '+OK\r\n'],
    ['bulk string (UTF-8 bytes counted)', 'héllo', '$6\r\nh\xc3\xa9llo\r\n', '$6\r\nh\xc3\xa9llo\r\n'],
    ['bulk bytes', Buffer.from([0, 0xff, 13, 10]), '$4\r\n\x00\xff\r\n\r\n', '$4\r\n\x00\xff\r\n\r\n'],
    ['empty bulk', '', '$0\r\n\r\n', '$0\r\n\r\n'],
    ['integer', 42, ':42\r\n', ':42\r\n'],
    ['negative integer', -7, ':-7\r\n', ':-7\r\n'],
    ['64-bit integer', 9223372036854775807n, ':9223372036854775807\r\n', ':9223372036854775807\r\n'],
    ['null', null, '$-1\r\n', '_\r\n'],
    ['null array', NULL_ARRAY, '*-1\r\n', '_\r\n'],
    ['array', ['a', 1, null], '*3\r\n$1\r\na\r\n:1\r\n$-1\r\n', '*3\r\n$1\r\na\r\n:1\r\n_\r\n'],
    ['empty array', [], '*0\r\n', '*0\r\n'],
    ['double', new DoubleReply(1.5), '$3\r\n1.5\r\n', ',1.5\r\n'],
    ['infinite double', new DoubleReply(-Infinity), '$4\r\n-inf\r\n', ',-inf\r\n'],
    ['map', new MapReply([['f', 'v'], ['n', 1]]), '*4\r\n$1\r\nf\r\n$1\r\nv\r\n$1\r\nn\r\n:1\r\n', '%2\r\n$1\r\nf\r\n$1\r\nv\r\n$1\r\nn\r\n:1\r\n'],
    ['set', new SetReply(['x']), '*1\r\n$1\r\nx\r\n', '~1\r\n$1\r\nx\r\n'],
    ['true', new BoolReply(true), ':1\r\n', '#t\r\n'],
    ['false', new BoolReply(false), ':0\r\n', '#f\r\n'],
    ['verbatim', new VerbatimReply('txt', 'a\r\nb'), '$4\r\na\r\nb\r\n', '=8\r\ntxt:a\r\nb\r\n'],
    ['big number', new BigNumberReply(123456789012345678901234567890n), '$30\r\n123456789012345678901234567890\r\n', '(123456789012345678901234567890\r\n'],
    ['error', new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value'), '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n', '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
    ['error with a newline', new ReplyError('ERR a\r\nb'), '-ERR a  b\r\n', '-ERR a  b\r\n'],
    ['nested (EXEC)', [new StatusReply('OK'), new ReplyError('ERR x'), [new DoubleReply(2)]], '*3\r\n+OK\r\n-ERR x\r\n*1\r\n$1\r\n2\r\n', '*3\r\n+OK\r\n-ERR x\r\n*1\r\n,2\r\n'],
  ])('%s', (_kind, reply, resp2, resp3) => {
    expect(both(reply)).toEqual([resp2, resp3]);
  });

  it('writes subscribe confirmations as separate replies, pushes in RESP3', () => {
    const confirmations = new PubSubReplies();
    for (const [channel, count] of [['a', 1], ['b', 2]] as const) {
      const message = new PushMessage();
      message.push('subscribe', channel, count);
      confirmations.push(message);
    }
    expect(both(confirmations)).toEqual([
      '*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n',
      '>3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n>3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n',
    ]);
  });

  it('writes out-of-band messages as arrays in RESP2 and pushes in RESP3', () => {
    const message: Reply[] = ['message', 'ch', Buffer.from('hi')];
    expect(encodePush(message, 2).toString()).toBe('*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n');
    expect(encodePush(message, 3).toString()).toBe('>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n');
  });
});
