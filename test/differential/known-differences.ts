/**
 * Known, accepted differences between the live server the differential tests run against (Debian's
 * `redis-server` 7.0 on a stock configuration) and what the emulator answers (Redis 7.4 as Azure
 * Managed Redis runs it). Each entry says why. The comparison reads this file and nothing else for
 * exceptions, so every accepted difference is listed here, once.
 *
 * Kinds:
 * - `redis-7.0-vs-7.4` — the server changed between 7.0 and 7.4 (the emulator follows 7.4, which
 *   the recorded 7.4.1 transcripts confirm; see test/oracle).
 * - `amr-vs-stock` — Azure Managed Redis differs from a stock server by design (one database, no
 *   admin commands, its own configuration).
 * - `server-specific` — the answer describes the server process itself (clock, connections,
 *   version, memory) and cannot agree between two servers.
 * - `emulator-limitation` — a deliberate simplification in the emulator, documented in docs/compat.md.
 *
 * Measured: replaying the 7.4.1 transcripts of the `strings` and `keys` groups against the 7.0
 * server (test/differential/oracle-vs-live.test.ts) shows no difference at all; the entries below
 * for those commands are about options the transcripts do not exercise.
 */
import type { Typed } from '../support/oracle.js';
import { loadPayload, type LoadLimits } from '../../src/keyspace/rdb/load.js';
import { RedisObject, type StoredValue } from '../../src/keyspace/keyspace.js';
import { toBuffer, type Bytes } from '../../src/keyspace/bytes.js';
import { ListValue } from '../../src/keyspace/types/list.js';
import { DEFAULT_SET_LIMITS, SetValue } from '../../src/keyspace/types/set.js';
import { DEFAULT_ZSET_LIMITS, ZSet } from '../../src/keyspace/types/zset.js';
import { RedisHash } from '../../src/keyspace/types/hash.js';
import { StreamValue, formatId } from '../../src/keyspace/types/stream.js';

export type DifferenceKind = 'redis-7.0-vs-7.4' | 'amr-vs-stock' | 'server-specific' | 'emulator-limitation';

/** A command step as the comparison sees it: upper-case name and the arguments as text. */
export interface StepView {
  /** Upper-case command name. */
  name: string;
  /** Upper-case subcommand (second argument) when there is one, else ''. */
  sub: string;
  /** All arguments after the name, as UTF-8 text. */
  args: string[];
  /** For OBJECT steps: the live server's TYPE of the key (the harness looks it up). */
  keyType?: string;
  /**
   * For the answer of a blocked command served by another client's write (the blocking rounds):
   * the commands of that write (one command, or a transaction's).
   */
  servedBy?: readonly (readonly string[])[];
}

export interface KnownDifference {
  id: string;
  kind: DifferenceKind;
  reason: string;
  /** True when the difference applies to this step. */
  applies(step: StepView): boolean;
  /**
   * `skip`: the replies are not compared (the step still runs on both sides).
   * `normalise`: both replies go through the function before the usual comparison.
   * `accept`: a pair of replies it returns true for counts as equal; otherwise the usual comparison.
   * `diverges`: with `skip` or `accept`, the step may also leave the two keyspaces different (7.0
   * refuses a write that 7.4 makes, or pops another element), so the sequence stops being compared
   * after it.
   */
  action: { skip?: true; diverges?: true; normalise?(reply: Typed): Typed; accept?(redis: Typed, emulator: Typed, step: StepView): boolean };
}

const HASH_FIELD_TTL =
  'redis-7.0-vs-7.4: hash-field expiration is new in 7.4 (the live 7.0 server answers "unknown command"); checked by the hashttl transcripts';

/**
 * Commands (or `container|sub`) the random sequences never generate, and why. Everything else that
 * the emulator declares is generated.
 */
export const EXCLUDED_FROM_RANDOM: Readonly<Record<string, string>> = {
  time: 'server-specific: the wall clock of each server',
  quit: 'closes the connection',
  hello: 'server-specific: server version, connection id and role; the protocol is chosen per sequence instead',
  info: 'server-specific: process, memory and statistics text',
  config: 'amr-vs-stock: AMR configuration differs from a stock server by design, and CONFIG SET would change the shared server',
  client: 'server-specific: connection ids, addresses, ages; CLIENT KILL/SETNAME change connection state',
  command: 'redis-7.0-vs-7.4: command table, key specs and docs changed (new commands and flags); checked against the 7.4.1 COMMAND INFO/DOCS instead (test/commands)',
  cluster: 'amr-vs-stock: a NoCluster cache and a stock standalone server describe different topologies; checked against a live cluster in test/differential/cluster.test.ts and test/cluster',
  monitor: 'turns the connection into a monitor stream',
  subscribe: 'pub/sub changes the connection mode',
  psubscribe: 'pub/sub changes the connection mode',
  ssubscribe: 'pub/sub changes the connection mode',
  unsubscribe: 'pub/sub: the confirmations are RESP3 push messages, not replies (the pub/sub suite covers them)',
  punsubscribe: 'pub/sub: the confirmations are RESP3 push messages, not replies (the pub/sub suite covers them)',
  sunsubscribe: 'pub/sub: the confirmations are RESP3 push messages, not replies (the pub/sub suite covers them)',
  role: 'amr-vs-stock: an AMR shard has a replica; the live standalone server has none',
  shutdown: 'would stop the server',
  debug: 'server-specific and disabled on the live server',
  save: 'persistence: AMR blocks it; writes files on the live server',
  bgsave: 'persistence: AMR blocks it; writes files on the live server',
  bgrewriteaof: 'persistence: AMR blocks it',
  lastsave: 'server-specific: a timestamp',
  latency: 'server-specific: latencies of each server (compared on a private server in test/commands/observability.test.ts)',
  slowlog: 'server-specific: durations, times and addresses (compared on a private server in test/commands/observability.test.ts)',
  acl: 'amr-vs-stock: AMR manages users through Entra ID',
  wait: 'amr-vs-stock: AMR has a replica per shard, the live server has none',
  waitaof: 'redis-7.0-vs-7.4: WAITAOF is new in 7.2 (the live 7.0 server does not know it); AMR persistence and replicas differ too. Checked against 7.4 source texts in test/commands/observability.test.ts',
  reset: 'resets the connection (used by the harness between sequences)',
  select: 'amr-vs-stock: AMR has one database',
  swapdb: 'amr-vs-stock: AMR has one database',
  hexpire: HASH_FIELD_TTL,
  hpexpire: HASH_FIELD_TTL,
  hexpireat: HASH_FIELD_TTL,
  hpexpireat: HASH_FIELD_TTL,
  httl: HASH_FIELD_TTL,
  hpttl: HASH_FIELD_TTL,
  hexpiretime: HASH_FIELD_TTL,
  hpexpiretime: HASH_FIELD_TTL,
  hpersist: HASH_FIELD_TTL,
  auth: 'amr-vs-stock: AMR always has an access key (the emulator accepts any credentials unless given one); the stock server has no password and refuses AUTH',
  module: 'amr-vs-stock: AMR blocks MODULE LOAD/LOADEX/UNLOAD/HELP (unknown command); the stock server tries to load files. MODULE LIST is compared in test/commands/server.test.ts',
  multi: 'not drawn on its own (a MULTI left open would queue the rest of the sequence): the sequences hold whole transactions (MULTI, commands, EXEC or DISCARD) instead, with blocking commands inside',
};

/**
 * Applies `f` to every status line of an array reply (HELP texts). Bulk lines too: a client such
 * as ioredis hands statuses and bulk strings out alike, so the client differential sees them as bulk.
 */
function mapStatuses(reply: Typed, f: (line: string) => string): Typed {
  if (reply[0] !== '*' || !Array.isArray(reply[1])) return reply;
  return ['*', (reply[1] as Typed[]).map((item) => (item[0] === '+' || item[0] === '$' ? ([item[0], f(String(item[1]))] as Typed) : item))];
}

/** A double as Redis 7.0 (`%.17g`) or 7.4 (shortest round trip) prints it → one canonical text. */
const DOUBLE = /^[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?|inf|nan)$/i;
function canonicalDoubles(reply: Typed): Typed {
  const kind = reply[0];
  if ((kind === '$' || kind === ',') && DOUBLE.test(String(reply[1]))) {
    const n = Number(String(reply[1]).replace(/^\+?inf$/i, 'Infinity').replace(/^-inf$/i, '-Infinity'));
    return [kind, Number.isNaN(n) ? 'nan' : String(n)];
  }
  if ((kind === '*' || kind === '~' || kind === '>') && Array.isArray(reply[1])) return [kind, (reply[1] as Typed[]).map(canonicalDoubles)];
  if (kind === '%' && Array.isArray(reply[1])) {
    return [kind, (reply[1] as Typed[][]).map(([k, v]) => [canonicalDoubles(k), canonicalDoubles(v)])];
  }
  return reply;
}

/** Sorted-set commands whose replies carry scores. */
const SCORE_COMMANDS = new Set([
  'ZSCORE', 'ZMSCORE', 'ZINCRBY', 'ZADD', 'ZRANGE', 'ZREVRANGE', 'ZRANGEBYSCORE', 'ZREVRANGEBYSCORE', 'ZPOPMIN', 'ZPOPMAX',
  'BZPOPMIN', 'BZPOPMAX', 'ZMPOP', 'BZMPOP', 'ZRANDMEMBER', 'ZUNION', 'ZINTER', 'ZDIFF', 'ZSCAN', 'ZRANK', 'ZREVRANK',
]);

const BLOCKING_NAMES = new Set(['BLPOP', 'BRPOP', 'BLMOVE', 'BRPOPLPUSH', 'BZPOPMIN', 'BZPOPMAX', 'BLMPOP', 'BZMPOP']);

/** The keys a blocking command waits on, in argument order. */
function waitedKeys(s: StepView): string[] {
  const a = s.args;
  if (s.name === 'BLMPOP' || s.name === 'BZMPOP') return a.slice(2, 2 + Number(a[1]));
  if (s.name === 'BLMOVE' || s.name === 'BRPOPLPUSH') return [a[0]];
  return a.slice(0, -1);
}

/** The key named first in a served blocking pop's reply ([key, …]), or null. */
function servedKey(reply: Typed): string | null {
  if (reply[0] !== '*' || !Array.isArray(reply[1])) return null;
  const first = (reply[1] as Typed[])[0];
  return first && first[0] === '$' ? String(first[1]) : null;
}

/** `DUMP` payload = type + value + 2-byte RDB version + 8-byte CRC64. */
function dumpWithoutTrailer(reply: Typed): Typed {
  const bytes = bulkBytes(reply);
  if (bytes === null || bytes.length < 10) return reply;
  return ['$64', bytes.subarray(0, bytes.length - 10).toString('base64')];
}

function bulkBytes(reply: Typed): Buffer | null {
  if (reply[0] === '$64') return Buffer.from(String(reply[1]), 'base64');
  if (reply[0] === '$') return Buffer.from(String(reply[1]), 'utf8');
  return null;
}

/**
 * RDB types whose bytes may differ between 7.0 and 7.4 for the same value: RDB_TYPE_SET and
 * RDB_TYPE_HASH (dict order; small sets of strings are listpacks since 7.2), RDB_TYPE_ZSET_LISTPACK
 * (scores printed with %.17g in 7.0, shortest round trip in 7.4) and RDB_TYPE_STREAM_LISTPACKS_2
 * (7.2 added the consumers' active time, type 21).
 */
const DUMP_TYPES_DIFFERING = new Set([2, 4, 17, 19]);

const DUMP_LIMITS: LoadLimits = {
  list: { fill: -2 },
  set: DEFAULT_SET_LIMITS,
  zset: DEFAULT_ZSET_LIMITS,
  hash: { entries: 128, value: 64 },
  streamNodeMaxBytes: 4096,
};

/** What a DUMP payload holds, in a canonical text (order-free where the type is unordered). */
function payloadContents(payload: Buffer): string | null {
  let value: StoredValue;
  try {
    value = loadPayload(payload, DUMP_LIMITS);
  } catch {
    return null;
  }
  const hex = (b: Bytes) => toBuffer(b).toString('hex');
  if (!(value instanceof RedisObject)) return `string:${hex(value)}`;
  if (value instanceof ListValue) return `list:${value.items.toArray().map(hex).join(',')}`;
  if (value instanceof SetValue) return `set:${[...value.members()].sort().join(',')}`;
  if (value instanceof ZSet) return `zset:${JSON.stringify(value.tree.toArrays())}`;
  if (value instanceof RedisHash) return `hash:${JSON.stringify([...value.fields].map(([f, v]) => [f, hex(v)]).sort())}`;
  if (value instanceof StreamValue) {
    const entries = value.range(0n, (1n << 128n) - 1n, 0).map((e) => [formatId(e.id), e.fields]);
    const groups = value.sortedGroups().map((g) => [
      g.name,
      formatId(g.lastId),
      String(g.entriesRead),
      g.pel.keys.map((id) => [formatId(id), g.pel.get(id)!.deliveryTime, String(g.pel.get(id)!.deliveryCount), g.pel.get(id)!.consumer?.name]),
      g.sortedConsumers().map((c) => [c.name, c.seenTime, c.pel.keys.map(formatId)]),
    ]);
    const meta = [value.length, value.lastId, value.firstId, value.maxDeletedId, value.entriesAdded].map(String);
    return `stream:${JSON.stringify([meta, entries, groups])}`;
  }
  return null;
}

/**
 * DUMP replies are equal when their serialised values are (the trailer holds the RDB version), or,
 * for the types that differ between 7.0 and 7.4 in bytes only, when both load to the same value.
 */
function sameDump(redis: Typed, emulator: Typed): boolean {
  const a = bulkBytes(redis);
  const b = bulkBytes(emulator);
  if (a === null || b === null || a.length < 10 || b.length < 10) return false;
  if (a.subarray(0, a.length - 10).equals(b.subarray(0, b.length - 10))) return true;
  if (!DUMP_TYPES_DIFFERING.has(a[0])) return false;
  const contents = payloadContents(a);
  return contents !== null && contents === payloadContents(b);
}

export const KNOWN_DIFFERENCES: readonly KnownDifference[] = [
  {
    id: 'bitcount-bitpos-parse-before-lookup',
    kind: 'redis-7.0-vs-7.4',
    reason:
      'Since 7.2 (redis/redis#11734) BITCOUNT and BITPOS parse start, end and BYTE|BIT before looking the key up, so a ' +
      'malformed range is an error for a missing key and comes before WRONGTYPE; 7.0 looks the key up first and answers ' +
      '0 (BITCOUNT), 0 or -1 (BITPOS) for a missing key and WRONGTYPE for another type, whatever the range. Accepted ' +
      'when the emulator answers an argument error and the live server one of those answers; the 7.4.1 transcripts ' +
      'confirm the 7.4 order (a lone start on a missing key is a syntax error).',
    applies: (s) => s.name === 'BITCOUNT' || s.name === 'BITPOS',
    action: {
      accept: (redis, emulator, step) => {
        if (emulator[0] !== '-' || (emulator[1] !== 'ERR syntax error' && emulator[1] !== 'ERR value is not an integer or out of range')) {
          return false;
        }
        if (redis[0] === '-') return String(redis[1]).startsWith('WRONGTYPE');
        const missing = step.name === 'BITCOUNT' ? ['0'] : step.args[1] === '1' ? ['-1'] : ['0'];
        return redis[0] === ':' && missing.includes(String(redis[1]));
      },
    },
  },
  {
    id: 'sort-alpha-by-ties',
    kind: 'emulator-limitation',
    reason:
      'SORT … ALPHA BY pattern keeps elements whose BY values tie (both missing, or equal) in the order it loaded them; ' +
      'for a sorted set (converted to a skiplist, loaded from its dict) and a hashtable-encoded set that is the hash ' +
      "table's order, which depends on the server's random hash seed. The emulator loads a sorted set in score order. " +
      'Without LIMIT the replies are compared as multisets, with LIMIT by length; with STORE the stored list may differ, ' +
      'so the sequence is not compared further.',
    applies: (s) =>
      (s.name === 'SORT' || s.name === 'SORT_RO') &&
      s.args.some((a) => a.toUpperCase() === 'ALPHA') &&
      s.args.some((a, i) => a.toUpperCase() === 'BY' && (s.args[i + 1] ?? '').split('\0')[0].includes('*')),
    action: {
      diverges: true,
      accept: (redis, emulator, step) => {
        if (redis[0] === ':' && emulator[0] === ':') return redis[1] === emulator[1];
        if (redis[0] !== '*' || emulator[0] !== '*') return false;
        const a = redis[1] as Typed[];
        const b = emulator[1] as Typed[];
        if (a.length !== b.length) return false;
        if (step.args.some((x) => x.toUpperCase() === 'LIMIT')) return true;
        const key = (items: Typed[]) => items.map((t) => JSON.stringify(t)).sort().join('\n');
        return key(a) === key(b);
      },
    },
  },
  ...((): KnownDifference[] => {
    /** The fields of a map reply (RESP3 `%`, or RESP2's flat array) as [name, value] pairs; null if neither. */
    const fields = (reply: Typed): Array<[Typed, Typed]> | null => {
      if (reply[0] === '%' && Array.isArray(reply[1])) return reply[1] as Array<[Typed, Typed]>;
      if (reply[0] === '*' && Array.isArray(reply[1])) {
        const items = reply[1] as Typed[];
        if (items.length % 2 !== 0) return null;
        const out: Array<[Typed, Typed]> = [];
        for (let i = 0; i < items.length; i += 2) out.push([items[i], items[i + 1]]);
        return out;
      }
      return null;
    };
    /** Rebuilds a map reply in its own protocol form after `f` mapped (or, with null, dropped) each field. */
    const mapFields = (reply: Typed, f: (name: string, value: Typed) => Typed | null): Typed => {
      const pairs = fields(reply);
      if (pairs === null) return reply;
      const kept: Array<[Typed, Typed]> = [];
      for (const [k, v] of pairs) {
        const mapped = f(String(k[1]), v);
        if (mapped !== null) kept.push([k, mapped]);
      }
      return reply[0] === '%' ? ['%', kept] : ['*', kept.flat()];
    };
    const items = (reply: Typed): Typed[] => (reply[0] === '*' && Array.isArray(reply[1]) ? (reply[1] as Typed[]) : []);
    const zeroTime = (v: Typed): Typed => (v[0] === ':' && v[1] !== '-1' ? [':', '0'] : v);
    const fieldOf = (reply: Typed, name: string): Typed | undefined => fields(reply)?.find(([k]) => k[1] === name)?.[1];
    /** A consumer that owns no pending entry (one 7.4 may have made in XCLAIM/XAUTOCLAIM where 7.0 made none). */
    const idle = (consumer: Typed, countField: string) => JSON.stringify(fieldOf(consumer, countField)) === JSON.stringify([':', '0']);
    return [
      {
        id: 'xread-unbalanced-message',
        kind: 'redis-7.0-vs-7.4',
        reason:
          "An odd number of arguments after STREAMS: 7.0 answers \"Unbalanced XREAD list of streams: for each stream key an ID or '$' must be " +
          "specified.\" for both commands; 7.4 names the command ('xread' / 'xreadgroup') and the IDs it takes (XREAD: \"an ID, '+', or '$'\", " +
          "XREADGROUP: \"an ID or '>'\").",
        applies: (st) => st.name === 'XREAD' || st.name === 'XREADGROUP',
        action: {
          accept: (redis, emulator) =>
            redis[0] === '-' &&
            String(redis[1]).startsWith('ERR Unbalanced XREAD list of streams') &&
            emulator[0] === '-' &&
            String(emulator[1]).startsWith("ERR Unbalanced 'xread"),
        },
      },
      {
        id: 'stream-pending-times',
        kind: 'server-specific',
        reason:
          'Delivery and idle times of pending entries and consumers come from each server\'s clock (XPENDING\'s idle ms, XINFO CONSUMERS ' +
          'idle/inactive, XINFO STREAM FULL seen-time/active-time/delivery times): read as 0 on both sides (-1, "never active", is kept). ' +
          "7.0 has neither XINFO CONSUMERS' inactive (7.2) nor XINFO STREAM FULL's active-time (7.2): those fields are left out.",
        applies: (st) => st.name === 'XPENDING' || (st.name === 'XINFO' && (st.sub === 'CONSUMERS' || st.sub === 'STREAM')),
        action: {
          normalise: (reply) => {
            if (reply[0] === '-') return reply;
            if (reply[0] === '*' && items(reply).every((e) => e[0] === '*' && items(e).length === 4)) {
              // XPENDING key group start end count: [id, consumer, idle, deliveries]
              return ['*', items(reply).map((e) => ['*', items(e).map((x, i) => (i === 2 ? zeroTime(x) : x))] as Typed)];
            }
            if (reply[0] === '*' && items(reply).length > 0 && items(reply).every((c) => fieldOf(c, 'idle') !== undefined)) {
              // XINFO CONSUMERS
              return ['*', items(reply).map((c) => mapFields(c, (k, v) => (k === 'inactive' ? null : k === 'idle' ? zeroTime(v) : v)))];
            }
            if (fieldOf(reply, 'radix-tree-keys') === undefined || fieldOf(reply, 'entries') === undefined) return reply;
            // XINFO STREAM … FULL
            return mapFields(reply, (k, v) => {
              if (k !== 'groups') return v;
              return ['*', items(v).map((group) =>
                mapFields(group, (gk, gv) => {
                  if (gk === 'pending') return ['*', items(gv).map((e) => ['*', items(e).map((x, i) => (i === 2 ? zeroTime(x) : x))] as Typed)];
                  if (gk !== 'consumers') return gv;
                  return ['*', items(gv).map((c) =>
                    mapFields(c, (ck, cv) => {
                      if (ck === 'active-time') return null;
                      if (ck === 'seen-time') return zeroTime(cv);
                      if (ck === 'pending') return ['*', items(cv).map((e) => ['*', items(e).map((x, i) => (i === 1 ? zeroTime(x) : x))] as Typed)];
                      return cv;
                    }),
                  )];
                }),
              )];
            });
          },
        },
      },
      {
        id: 'xsetid-below-max-deleted',
        kind: 'redis-7.0-vs-7.4',
        reason:
          'XSETID with an ID below the stream\'s max-deleted-entry-id: 7.4 refuses it ("ERR The ID specified in XSETID is smaller ' +
          'than current max_deleted_entry_id", checked before the top item); 7.0 has no such check and answers OK (an empty ' +
          'stream) or the top-item error. Accepted in that case; after an OK the two last IDs differ, so the sequence is not ' +
          'compared further.',
        applies: (st) => st.name === 'XSETID',
        action: {
          diverges: true,
          accept: (redis, emulator) =>
            JSON.stringify(emulator) === JSON.stringify(['-', 'ERR The ID specified in XSETID is smaller than current max_deleted_entry_id']) &&
            (JSON.stringify(redis) === JSON.stringify(['+', 'OK']) ||
              JSON.stringify(redis) === JSON.stringify(['-', 'ERR The ID specified in XSETID is smaller than the target stream top item'])),
        },
      },
      {
        id: 'xclaim-creates-consumer',
        kind: 'redis-7.0-vs-7.4',
        reason:
          'Since 7.2 XCLAIM and XAUTOCLAIM look the consumer up, or create it, before claiming (and mark it seen); 7.0 creates it only when ' +
          'an entry is claimed, so after a claim of nothing 7.4 has a consumer without pending entries that 7.0 lacks (the 7.4.1 ' +
          'transcripts show it in XINFO GROUPS). Consumers without pending entries are left out of XINFO CONSUMERS and XINFO STREAM ' +
          "FULL, XINFO GROUPS' consumer count is not compared, and XGROUP CREATECONSUMER answering 0 (7.4: exists) where 7.0 answers 1 is accepted.",
        applies: (st) =>
          (st.name === 'XINFO' && (st.sub === 'GROUPS' || st.sub === 'CONSUMERS' || st.sub === 'STREAM')) ||
          (st.name === 'XGROUP' && st.sub === 'CREATECONSUMER'),
        action: {
          accept: (redis, emulator, st) =>
            st.name === 'XGROUP' && JSON.stringify(redis) === JSON.stringify([':', '1']) && JSON.stringify(emulator) === JSON.stringify([':', '0']),
          normalise: (reply) => {
            if (reply[0] === '-') return reply;
            if (reply[0] === '*' && items(reply).length > 0 && items(reply).every((g) => fieldOf(g, 'lag') !== undefined && fieldOf(g, 'consumers') !== undefined && fieldOf(g, 'pel-count') === undefined)) {
              // XINFO GROUPS
              return ['*', items(reply).map((g) => mapFields(g, (k, v) => (k === 'consumers' ? [':', '?'] : v)))];
            }
            if (reply[0] === '*' && items(reply).length > 0 && items(reply).every((c) => fieldOf(c, 'idle') !== undefined)) {
              // XINFO CONSUMERS
              return ['*', items(reply).filter((c) => !idle(c, 'pending'))];
            }
            if (fieldOf(reply, 'radix-tree-keys') === undefined || fieldOf(reply, 'entries') === undefined) return reply;
            return mapFields(reply, (k, v) =>
              k !== 'groups'
                ? v
                : ['*', items(v).map((group) => mapFields(group, (gk, gv) => (gk === 'consumers' ? ['*', items(gv).filter((c) => !idle(c, 'pel-count'))] : gv)))],
            );
          },
        },
      },
    ];
  })(),
  {
    id: 'dump-rdb-version',
    kind: 'redis-7.0-vs-7.4',
    reason:
      'FUNCTION DUMP payloads end with the RDB version (10 in 7.0, 12 in 7.4) and a CRC64 over it; the serialised value before that trailer is compared.',
    applies: (s) => s.name === 'FUNCTION' && s.sub === 'DUMP',
    action: { normalise: dumpWithoutTrailer },
  },
  {
    id: 'dump-rdb-version-and-encodings',
    kind: 'redis-7.0-vs-7.4',
    reason:
      'DUMP payloads end with the RDB version (10 in 7.0, 12 in 7.4) and a CRC64 over it, so the serialised values before ' +
      'that trailer are compared byte for byte. Where 7.0 and 7.4 serialise the same value differently — small sets of ' +
      'strings (hashtable in 7.0, listpack since 7.2), dict order of hashtable sets and hashes, listpack sorted-set scores ' +
      '(%.17g in 7.0, shortest round trip in 7.4), streams (active time of consumers since 7.2) — both payloads are loaded ' +
      'and their contents compared instead.',
    applies: (s) => s.name === 'DUMP',
    action: { accept: sameDump },
  },
  {
    id: 'lolwut-version',
    kind: 'server-specific',
    reason:
      'LOLWUT ends with the server version ("Redis ver. 7.0.15" on the live server, "Redis ver. 7.4.3" as AMR reports it); the version text is read as one. ' +
      'The art of VERSION 5 and 6 is drawn with the C library\'s rand() (lolwut5.c, lolwut6.c), which the emulator replaces with its seeded PRNG, ' +
      'so the art is compared by its shape: the length of each line.',
    applies: (s) => s.name === 'LOLWUT',
    action: {
      normalise: (reply) => {
        if (reply[0] !== '$' && reply[0] !== '=') return reply;
        const text = String(reply[1]).replace(/Redis ver\. [0-9.]+/, 'Redis ver. X');
        const lines = text.split('\n');
        const art = lines.findIndex((line) => line.includes('Redis ver. X'));
        if (art <= 0) return [reply[0], text];
        return [reply[0], [...lines.slice(0, art).map((line) => `<${[...line].length} characters>`), ...lines.slice(art)].join('\n')];
      },
    },
  },
  {
    id: 'help-footer',
    kind: 'redis-7.0-vs-7.4',
    reason:
      'Every HELP reply ends with "    Prints this help." in 7.0 and "    Print this help." since 7.2 (the 7.4 wording is what the emulator sends).',
    applies: (s) => s.sub === 'HELP',
    action: { normalise: (reply) => mapStatuses(reply, (line) => (line === '    Prints this help.' ? '    Print this help.' : line)) },
  },
  {
    id: 'scan-novalues',
    kind: 'redis-7.0-vs-7.4',
    reason:
      'NOVALUES (HSCAN, new in 7.4) is a syntax error for 7.0; 7.4 knows the option and answers SCAN … NOVALUES with "ERR NOVALUES option can only be used in HSCAN", so that error is read as 7.0\'s syntax error.',
    applies: (s) => s.name === 'SCAN' && s.args.some((a) => a.toUpperCase() === 'NOVALUES'),
    action: {
      normalise: (reply) =>
        reply[0] === '-' && reply[1] === 'ERR NOVALUES option can only be used in HSCAN' ? ['-', 'ERR syntax error'] : reply,
    },
  },
  {
    id: 'hscan-novalues',
    kind: 'redis-7.0-vs-7.4',
    reason: 'HSCAN … NOVALUES is new in 7.4 (fields only); 7.0 answers a syntax error.',
    applies: (s) => s.name === 'HSCAN' && s.args.some((a, i) => i >= 2 && a.toUpperCase() === 'NOVALUES'),
    action: { skip: true },
  },
  {
    id: 'double-formatting',
    kind: 'redis-7.0-vs-7.4',
    reason:
      'Since 7.2 scores print as the shortest text that round-trips ("0.1", "5e-324", "1.2345678912345679e+8"); 7.0 prints ' +
      '%.17g ("0.10000000000000001", "4.9406564584124654e-324", "123456789.12345679"). Numeric bulk strings of sorted-set ' +
      'replies are compared as numbers.',
    applies: (s) => SCORE_COMMANDS.has(s.name),
    action: { normalise: canonicalDoubles },
  },
  {
    id: 'small-set-and-list-encodings',
    kind: 'redis-7.0-vs-7.4',
    reason:
      'Since 7.2 small sets of non-integers are "listpack" (7.0: "hashtable") and small lists are "listpack" (7.0: "quicklist").',
    applies: (s) => s.name === 'OBJECT' && s.sub === 'ENCODING' && (s.keyType === 'set' || s.keyType === 'list'),
    action: {
      accept: (redis, emulator) =>
        redis[0] === '$' &&
        JSON.stringify(emulator) === '["$","listpack"]' &&
        (redis[1] === 'hashtable' || redis[1] === 'quicklist'),
    },
  },
  {
    id: 'zrank-withscore',
    kind: 'redis-7.0-vs-7.4',
    reason: 'ZRANK/ZREVRANK take WITHSCORE since 7.2 (arity -3); 7.0 has arity 3 and answers any other count with an arity error.',
    applies: (s) => (s.name === 'ZRANK' || s.name === 'ZREVRANK') && s.args.length !== 2,
    action: { skip: true },
  },
  {
    id: 'sort-nosort-order',
    kind: 'redis-7.0-vs-7.4',
    reason:
      'SORT … BY nosort returns a set in its internal order, which changed with the listpack encoding of small sets (7.2); ' +
      'without LIMIT the elements are compared as a multiset, with LIMIT not at all.',
    applies: (s) => (s.name === 'SORT' || s.name === 'SORT_RO') && s.args.some((a, i) => a.toUpperCase() === 'BY' && s.args[i + 1]?.toLowerCase() === 'nosort'),
    action: {
      normalise: (reply) =>
        reply[0] === '*' && Array.isArray(reply[1]) ? ['*', [...(reply[1] as Typed[])].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))] : reply,
    },
  },
  {
    id: 'sort-nosort-limit',
    kind: 'redis-7.0-vs-7.4',
    reason: 'SORT … BY nosort LIMIT picks elements in the set\'s internal order, which changed in 7.2 (see sort-nosort-order).',
    applies: (s) =>
      (s.name === 'SORT' || s.name === 'SORT_RO') &&
      s.args.some((a, i) => a.toUpperCase() === 'BY' && s.args[i + 1]?.toLowerCase() === 'nosort') &&
      s.args.some((a) => a.toUpperCase() === 'LIMIT'),
    action: { skip: true },
  },
  {
    id: 'llong-min-range-checks',
    kind: 'redis-7.0-vs-7.4',
    reason:
      'LPOS … RANK and LREM counts of -9223372036854775808 are rejected since 7.2 ("ERR value is out of range, value must ' +
      'between -9223372036854775807 and 9223372036854775807"); 7.0 accepts them.',
    applies: (s) => (s.name === 'LPOS' || s.name === 'LREM') && s.args.includes('-9223372036854775808'),
    action: { skip: true, diverges: true },
  },
  {
    id: 'lset-llong-index',
    kind: 'redis-7.0-vs-7.4',
    reason: 'LSET with an index of ±9223372036854775807 answered OK on the recorded 7.4.1 server and "ERR index out of range" on 7.0.',
    applies: (s) => s.name === 'LSET' && /^-?922337203685477580[78]$/.test(s.args[1] ?? ''),
    action: { skip: true, diverges: true },
  },
  {
    id: 'bitcount-start-without-end',
    kind: 'redis-7.0-vs-7.4',
    reason: 'BITCOUNT key start (no end) is a syntax error since 7.2; 7.0 ignores the lone start.',
    applies: (s) => s.name === 'BITCOUNT' && s.args.length === 2,
    action: { skip: true },
  },
  {
    id: 'scan-cursor-parsing',
    kind: 'redis-7.0-vs-7.4',
    reason:
      'SCAN/SSCAN/HSCAN/ZSCAN cursors: 7.0 parses them with strtoul after rejecting a leading space, so "-1" wraps to ' +
      '2^64-1 and "" reads as 0; 7.4 parses them with string2ull, which rejects negative integers and the empty string ' +
      'but lets strtoull skip leading spaces. Both read it as a C string (up to a NUL byte). The cursor is parsed ' +
      'before the key and the options in both.',
    applies: (s) => {
      const arg = s.name === 'SCAN' ? s.args[0] : /^[HSZ]SCAN$/.test(s.name) ? s.args[1] : undefined;
      if (arg === undefined) return false;
      const cursor = arg.split('\u0000')[0]; // both read the argument as a C string
      return cursor === '' || /^\s/.test(cursor) || (/^-[1-9][0-9]*$/.test(cursor) && BigInt(cursor) >= -(2n ** 63n));
    },
    action: { skip: true },
  },
  {
    id: 'blocking-timeout-overflow',
    kind: 'redis-7.0-vs-7.4',
    reason:
      'A blocking timeout whose milliseconds exceed LLONG_MAX as a long double (inf, 1e400, 9223372036854775807) answers "ERR timeout ' +
      'is out of range" in 7.4, whose getTimeoutFromObjectOrReply checks the scaled value before converting it; 7.0 ' +
      'converts first, the overflow comes out negative, and it answers "ERR timeout is negative". The 7.4.1 transcripts ' +
      'never send such a timeout: the emulator follows 7.4\'s timeout.c (test/commands/blocking.test.ts).',
    applies: (s) => {
      const timeout = s.name === 'BLMPOP' || s.name === 'BZMPOP' ? s.args[0] : BLOCKING_NAMES.has(s.name) ? s.args[s.args.length - 1] : undefined;
      return timeout !== undefined && !timeout.startsWith('-') && (/^\+?inf$/i.test(timeout) || Number(timeout) * 1000 >= 2 ** 63);
    },
    action: {
      accept: (redis, emulator) =>
        redis[0] === '-' && redis[1] === 'ERR timeout is negative' && emulator[0] === '-' && emulator[1] === 'ERR timeout is out of range',
    },
  },
  {
    id: 'blocked-client-reexecuted',
    kind: 'redis-7.0-vs-7.4',
    reason:
      'Since 7.2 a blocked command whose key becomes ready is executed again from the start (7.2 reworked blocking so ' +
      'that unblocked clients re-process their command), so a client ' +
      'waiting on several keys pops from the first of them, in argument order, that holds data, and gets WRONGTYPE ' +
      'when an earlier one now holds another type; 7.0 served it from the key that became ready. This shows when one ' +
      'write (a transaction, an LMOVE into a waited key) makes several of its keys ready, or when an earlier key ' +
      'changed type while it waited. Accepted when the emulator answered from a key before the live server\'s in the ' +
      'command\'s key order, or with WRONGTYPE; the two sides then hold different data, so the round stops there. ' +
      'The 7.4.1 transcripts have one connection, so they cannot show it; docs/blocking.md describes the re-execution.',
    applies: (s) => s.servedBy !== undefined && BLOCKING_NAMES.has(s.name) && new Set(waitedKeys(s)).size > 1,
    action: {
      diverges: true,
      accept: (redis, emulator, step) => {
        const keys = waitedKeys(step);
        const live = servedKey(redis);
        if (live === null || !keys.includes(live)) return false;
        if (emulator[0] === '-') return String(emulator[1]).startsWith('WRONGTYPE');
        const mine = servedKey(emulator);
        return mine !== null && keys.indexOf(mine) < keys.indexOf(live);
      },
    },
  },
  {
    id: 'expire-beyond-2^53-ms',
    kind: 'emulator-limitation',
    reason:
      'Expiry times are held as JavaScript numbers (ms since the epoch), exact up to 2^53 (year 287396). Larger ones ' +
      '(EXPIRE k 4611686018427388 …) are rounded to the nearest double, so TTLs that far out may be off by a few hundred ms.',
    applies: (s) => /^P?(TTL|EXPIRETIME)$/.test(s.name),
    action: {
      accept: (redis, emulator) => {
        if (redis[0] !== ':' || emulator[0] !== ':') return false;
        const a = BigInt(String(redis[1]));
        const b = BigInt(String(emulator[1]));
        const limit = 2n ** 53n;
        const diff = a > b ? a - b : b - a;
        return a > limit && b > limit && diff <= 4096n;
      },
    },
  },
  {
    id: 'lua-compile-messages',
    kind: 'emulator-limitation',
    reason:
      'Scripts run on fengari (Lua 5.3 in JavaScript), whose parser words syntax errors differently from Redis\'s Lua 5.1 ' +
      '("syntax error near <eof>" vs "\'=\' expected near \'<eof>\'"); both must still be compile errors of the same kind.',
    applies: (s) => ['EVAL', 'EVAL_RO', 'SCRIPT', 'FUNCTION'].includes(s.name),
    action: {
      accept: (redis, emulator) => {
        if (redis[0] !== '-' || emulator[0] !== '-') return false;
        const prefix = (text: string) => /^ERR Error compiling (?:script \(new function\)|function): user_(?:script|function):/.exec(text)?.[0];
        const p = prefix(String(redis[1]));
        return p !== undefined && p === prefix(String(emulator[1]));
      },
    },
  },
  {
    id: 'memory-usage-estimate',
    kind: 'emulator-limitation',
    reason:
      'MEMORY USAGE answers from the emulator\'s memory model (docs/eviction.md): exact for strings, an estimate for ' +
      'collections (and 7.0 encodes small sets and lists differently from 7.4). A number must meet a number, nil a nil, ' +
      'errors must match exactly.',
    applies: (s) => s.name === 'MEMORY' && s.sub === 'USAGE',
    action: { accept: (redis, emulator) => redis[0] === ':' && emulator[0] === ':' },
  },
  {
    id: 'copy-db',
    kind: 'amr-vs-stock',
    reason:
      'AMR has one database: COPY … DB n answers "ERR DB index is out of range" for n in 1..15, where a stock server (16 databases) copies into database n.',
    applies: (s) =>
      s.name === 'COPY' &&
      s.args.some((a, i) => i >= 2 && a.toUpperCase() === 'DB' && /^(?:[1-9]|1[0-5])$/.test(s.args[i + 1] ?? '')),
    action: { skip: true },
  },
  {
    id: 'acl-denial-texts',
    kind: 'redis-7.0-vs-7.4',
    reason:
      'Redis 7.2 reworded ACL denials (getAclErrorMessage in src/acl.c): a refused command is "NOPERM User <name> has ' +
      "no permissions to run the '<cmd>' command\" (7.0: \"NOPERM this user has no permissions …\"), a refused key or " +
      'channel "NOPERM No permissions to access a key|channel" (7.0: "… one of the keys|channels used as arguments"), ' +
      'ACL DRYRUN "User <name> has no permissions to …" (7.0: "This user …"), and a script\'s refused call "ERR ACL ' +
      'failure in script: User <name> has no permissions to …" (7.0: "ERR The user executing the script can\'t …"). ' +
      'Same decisions, new words: 7.0\'s are rewritten to 7.4\'s before comparing (NOPERM_TEXT_7_4).',
    applies: (s) => s.name === 'ACL' && s.sub === 'DRYRUN',
    action: {
      normalise: (reply) =>
        reply[0] === '$' && typeof reply[1] === 'string' && reply[1].startsWith('This user has no permissions to ')
          ? ['$', `User default ${reply[1].slice('This user '.length)}`]
          : reply,
    },
  },
];

/** The known differences that apply to a step. */
export function knownDifferencesFor(step: StepView): KnownDifference[] {
  return KNOWN_DIFFERENCES.filter((d) => d.applies(step));
}

/**
 * How the known differences treat a pair of replies: `skip` (not compared; `id` says which entry),
 * `accept` (counts as equal), or the pair after every applicable normalisation, to compare as usual.
 */
export function applyKnownDifferences(
  step: StepView,
  redis: Typed,
  emulator: Typed,
): { verdict: 'skip' | 'accept'; id: string; diverges?: boolean } | { verdict: 'compare'; redis: Typed; emulator: Typed; ids: string[] } {
  const applicable = knownDifferencesFor(step);
  const skip = applicable.find((d) => d.action.skip);
  if (skip) return { verdict: 'skip', id: skip.id, diverges: skip.action.diverges === true && JSON.stringify(redis) !== JSON.stringify(emulator) };
  const accept = applicable.find((d) => d.action.accept?.(redis, emulator, step));
  if (accept) return { verdict: 'accept', id: accept.id, diverges: accept.action.diverges === true };
  const ids: string[] = [];
  for (const d of applicable) {
    const normalise = d.action.normalise;
    if (!normalise) continue;
    const a = normalise(redis);
    const b = normalise(emulator);
    if (JSON.stringify(a) !== JSON.stringify(redis) || JSON.stringify(b) !== JSON.stringify(emulator)) ids.push(d.id);
    redis = a;
    emulator = b;
  }
  return { verdict: 'compare', redis, emulator, ids };
}

/**
 * Rewrites a Redis 7.0 ACL denial error into Redis 7.4's words (known difference
 * `acl-denial-texts`): `user` is the refused user; for a script's refused call, `subject` names the
 * command (`cmd`) or key (`key`) 7.4 mentions and 7.0 does not.
 */
export function NOPERM_TEXT_7_4(text: string, user: string, subject: { cmd?: string; key?: string } = {}): string {
  const command = /^NOPERM this user has no permissions to run the '(.+)' command$/.exec(text);
  if (command !== null) return `NOPERM User ${user} has no permissions to run the '${command[1]}' command`;
  if (text === 'NOPERM this user has no permissions to access one of the keys used as arguments') return 'NOPERM No permissions to access a key';
  if (text === 'NOPERM this user has no permissions to access one of the channels used as arguments') return 'NOPERM No permissions to access a channel';
  const scriptCommand = /^ERR The user executing the script can't run this command or subcommand (script: .*)$/.exec(text);
  if (scriptCommand !== null) return `ERR ACL failure in script: User ${user} has no permissions to run the '${subject.cmd}' command ${scriptCommand[1]}`;
  const scriptKey = /^ERR The user executing the script can't access at least one of the keys mentioned in the command arguments (script: .*)$/.exec(text);
  if (scriptKey !== null) return `ERR ACL failure in script: User ${user} has no permissions to access the '${subject.key}' key ${scriptKey[1]}`;
  return text;
}
