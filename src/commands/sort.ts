/**
 * SORT and SORT_RO: option parsing in Redis's order (left to right, the first error wins, before
 * the key is looked up), the cluster rule for BY/GET patterns, and the key finders. The sorting
 * itself is in `keyspace/types/sort.ts`.
 */
import { defineCommand, type CommandContext, type CommandSpec } from './command.js';
import { binary, isOption, keyName, type Bytes } from '../keyspace/bytes.js';
import { slotOfName } from '../cluster/slots.js';
import { sortGeneric, type LookupState, type SortOptions } from '../keyspace/types/sort.js';
import { NOT_INTEGER, ReplyError, SYNTAX } from '../protocol/errors.js';
import { parseInt64 } from '../protocol/numbers.js';
import type { Reply } from '../protocol/reply.js';

const BY_DENIED = new ReplyError(
  'ERR BY option of SORT denied in Cluster mode when keys formed by the pattern may be in different slots.',
);
const GET_DENIED = new ReplyError(
  'ERR GET option of SORT denied in Cluster mode when keys formed by the pattern may be in different slots.',
);

/** `getLongFromObjectOrReply`. */
function longArg(arg: Bytes): number {
  const n = parseInt64(arg);
  if (n === null) throw NOT_INTEGER;
  return Number(n);
}

/**
 * `patternHashSlot`: the slot every key a pattern can form hashes to, or -1 when a wildcard (or an
 * escape) comes before a hash tag pins it.
 */
export function patternHashSlot(pattern: string): number {
  let s = -1;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i);
    if (c === 42 /* * */ || c === 63 /* ? */ || c === 91 /* [ */ || c === 92 /* \ */) return -1;
    if (s === -1 && c === 123 /* { */) s = i;
    else if (s >= 0 && c === 125 /* } */ && i === s + 1) s = -2;
    else if (s >= 0 && c === 125) return crc16Slot(pattern.slice(s + 1, i));
  }
  return crc16Slot(pattern);
}

const CRC_TABLE = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let crc = i << 8;
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  CRC_TABLE[i] = crc;
}

/** CRC16 of every byte, mod 16384 (no hash-tag rule). */
function crc16Slot(bytes: string): number {
  let crc = 0;
  for (let i = 0; i < bytes.length; i++) crc = ((crc << 8) & 0xffff) ^ CRC_TABLE[((crc >> 8) ^ bytes.charCodeAt(i)) & 0xff];
  return crc & 16383;
}

function sortCommand(ctx: CommandContext, argv: readonly Bytes[], readonly: boolean): Reply {
  const opts: SortOptions = {
    desc: false,
    alpha: false,
    limitStart: 0,
    limitCount: -1,
    by: null,
    dontsort: false,
    gets: [],
    store: null,
    fromScript: ctx.client.id === 0, // the scripting engine's client (Redis's CLIENT_SCRIPT)
  };
  const cluster = ctx.cache.policy !== 'NoCluster';
  const key = keyName(argv[1]);
  for (let j = 2; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const arg = argv[j];
    if (isOption(arg, 'asc')) opts.desc = false;
    else if (isOption(arg, 'desc')) opts.desc = true;
    else if (isOption(arg, 'alpha')) opts.alpha = true;
    else if (isOption(arg, 'limit') && left >= 2) {
      opts.limitStart = longArg(argv[j + 1]);
      opts.limitCount = longArg(argv[j + 2]);
      j += 2;
    } else if (!readonly && isOption(arg, 'store') && left >= 1) {
      opts.store = keyName(argv[j + 1]);
      j++;
    } else if (isOption(arg, 'by') && left >= 1) {
      const pattern = binary(argv[j + 1]);
      opts.by = pattern;
      if (!cString(pattern).includes('*')) opts.dontsort = true;
      else if (cluster && patternHashSlot(pattern) !== slotOfName(key)) throw BY_DENIED;
      j++;
    } else if (isOption(arg, 'get') && left >= 1) {
      const pattern = binary(argv[j + 1]);
      // Redis 7.4.1 compares every GET pattern, `#` included (redis/redis#13607; later releases exempt `#`).
      if (cluster && patternHashSlot(pattern) !== slotOfName(key)) throw GET_DENIED;
      opts.gets.push(pattern);
      j++;
    } else {
      throw SYNTAX;
    }
  }
  const state: LookupState = { propagated: false };
  const reply = sortGeneric(ctx, key, opts, state);
  // Lazily expired hash fields went out as HDEL effects; the SORT … STORE itself follows them.
  if (state.propagated && opts.store !== null) ctx.propagate(argv as Bytes[]);
  return reply;
}

function cString(s: string): string {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

/** SORT's keys (`sortGetKeys`): the key, and the last STORE destination (LIMIT, GET and BY arguments skipped). */
function sortKeys(argv: readonly Bytes[]): number[] {
  let store = -1;
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i];
    if (isOption(arg, 'limit')) i += 2;
    else if (isOption(arg, 'store') && i + 1 < argv.length) store = i + 1;
    else if (isOption(arg, 'get') || isOption(arg, 'by')) i += 1;
  }
  return store >= 0 ? [1, store] : [1];
}

const sort = defineCommand({
  name: 'sort',
  arity: -2,
  flags: ['write', 'denyoom', 'movablekeys'],
  keys: sortKeys,
  exec: (ctx, argv) => sortCommand(ctx, argv, false),
});

const sortRo = defineCommand({
  name: 'sort_ro',
  arity: -2,
  flags: ['readonly', 'movablekeys'],
  keys: () => [1],
  exec: (ctx, argv) => sortCommand(ctx, argv, true),
});

export const sortCommands: readonly CommandSpec[] = [sort, sortRo];
