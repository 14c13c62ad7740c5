/**
 * SLOWLOG, LATENCY HISTOGRAM, MONITOR and LOLWUT. The data behind the first three is recorded by
 * dispatch in the cache's command log (src/command-log.ts); docs/observability.md describes it.
 * The other LATENCY subcommands are blocked on AMR (azure-facts §2.5) and answer Redis's
 * unknown-command error.
 */
import { defineCommand, defineContainer, type CommandFlag, type CommandSpec } from './command.js';
import { text, type Bytes } from '../keyspace/bytes.js';
import { parseInt64 } from '../protocol/numbers.js';
import { NOT_INTEGER, ReplyError, unknownCommand } from '../protocol/errors.js';
import { MapReply, OK, VerbatimReply, type Reply } from '../protocol/reply.js';
import { helpReply } from './server.js';
import { REDIS_VERSION } from '../info.js';
import { schotter, skyline, versionOnly, type Rand } from '../lolwut.js';
import type { CacheCore } from '../core-types.js';

const ADMIN: readonly CommandFlag[] = ['admin', 'loading', 'stale'];
const ADMIN_NOSCRIPT: readonly CommandFlag[] = ['admin', 'noscript', 'loading', 'stale'];

// ---------------------------------------------------------------------------------------------
// SLOWLOG

const SLOWLOG_COUNT = new ReplyError('ERR count should be greater than or equal to -1');

const slowlogGet = defineCommand({
  name: 'slowlog|get',
  arity: -2,
  flags: ADMIN,
  exec(ctx, argv): Reply {
    if (argv.length > 3) throw new ReplyError(`ERR unknown subcommand or wrong number of arguments for '${text(argv[1])}'. Try SLOWLOG HELP.`);
    let count = 10;
    if (argv.length === 3) {
      const n = parseInt64(argv[2]);
      if (n === null || n < -1) throw SLOWLOG_COUNT;
      count = n === -1 ? Infinity : Number(n);
    }
    const entries = ctx.cache.commandLog.slowlog;
    const out: Reply[] = [];
    for (let i = 0; i < entries.length && i < count; i++) {
      const e = entries[i];
      out.push([e.id, e.time, e.duration, e.argv.slice(), e.addr, e.name]);
    }
    return out;
  },
});

const slowlogLen = defineCommand({
  name: 'slowlog|len',
  arity: 2,
  flags: ADMIN,
  exec: (ctx) => ctx.cache.commandLog.slowlog.length,
});

const slowlogReset = defineCommand({
  name: 'slowlog|reset',
  arity: 2,
  flags: ADMIN,
  exec(ctx): Reply {
    ctx.cache.commandLog.resetSlowlog();
    return OK;
  },
});

const SLOWLOG_HELP = [
  'GET [<count>]',
  '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
  '    Entries are made of:',
  '    id, timestamp, time in microseconds, arguments array, client IP and port,',
  '    client name',
  'LEN',
  '    Return the length of the slowlog.',
  'RESET',
  '    Reset the slowlog.',
];

const slowlogHelp = defineCommand({
  name: 'slowlog|help',
  arity: 2,
  flags: ['loading', 'stale'],
  exec: () => helpReply('SLOWLOG', SLOWLOG_HELP),
});

const slowlog = defineContainer('slowlog', -2, [], [slowlogGet, slowlogLen, slowlogReset, slowlogHelp]);

// ---------------------------------------------------------------------------------------------
// LATENCY HISTOGRAM (the other LATENCY subcommands are blocked on AMR)

/**
 * The commands a LATENCY HISTOGRAM argument names, as Redis's lookupCommandBySds finds them: a
 * command, `container|sub`, or a container, which brings its subcommands; nothing for a name that
 * is no command.
 */
function namedIds(cache: CacheCore, name: string): number[] {
  const lower = name.toLowerCase();
  const bar = lower.indexOf('|');
  let spec = cache.commands.get(bar < 0 ? lower : lower.slice(0, bar));
  if (spec !== undefined && bar >= 0) spec = spec.subcommands?.[lower.slice(bar + 1)];
  if (spec === undefined || lower.indexOf('|', bar + 1) > 0) return [];
  if (spec.subcommands !== undefined && bar < 0) return Object.values(spec.subcommands).map((sub) => sub.id!);
  return [spec.id!];
}

const latencyHistogram = defineCommand({
  name: 'latency|histogram',
  arity: -2,
  flags: ADMIN_NOSCRIPT,
  exec(ctx, argv): Reply {
    const log = ctx.cache.commandLog;
    const ids = argv.length === 2 ? log.usedIds() : argv.slice(2).flatMap((arg) => namedIds(ctx.cache, text(arg)));
    const entries: Array<[Reply, Reply]> = [];
    for (const id of ids) {
      const { total } = log.histogram(id);
      if (total <= 0) continue;
      entries.push([
        log.specs[id].name,
        new MapReply([
          ['calls', total],
          ['histogram_usec', log.cumulative(id)],
        ]),
      ]);
    }
    return new MapReply(entries);
  },
});

/** A LATENCY subcommand AMR blocks: the unknown-command error for the whole call. */
function blockedLatency(name: string, arity: number, flags: readonly CommandFlag[]): CommandSpec {
  return defineCommand({
    name: `latency|${name}`,
    arity,
    flags,
    exec(_ctx, argv: readonly Bytes[]): Reply {
      throw unknownCommand(text(argv[0]), argv.slice(1).map(String));
    },
  });
}

const latency = defineContainer('latency', -2, [], [
  latencyHistogram,
  blockedLatency('doctor', 2, ADMIN_NOSCRIPT),
  blockedLatency('graph', 3, ADMIN_NOSCRIPT),
  blockedLatency('help', 2, ['loading', 'stale']),
  blockedLatency('history', 3, ADMIN_NOSCRIPT),
  blockedLatency('latest', 2, ADMIN_NOSCRIPT),
  blockedLatency('reset', -2, ADMIN_NOSCRIPT),
]);

// ---------------------------------------------------------------------------------------------
// MONITOR

const MONITOR_DENIED = new ReplyError("ERR MONITOR isn't allowed for DENY BLOCKING client");

const monitor = defineCommand({
  name: 'monitor',
  arity: 1,
  flags: ADMIN_NOSCRIPT,
  exec(ctx): Reply {
    const client = ctx.client;
    // Redis refuses a client that expects a reply per command (inside EXEC, scripts); here also a
    // facade with nowhere to send the lines (the synchronous API).
    if (!client.canBlock || typeof client.onMonitor !== 'function') throw MONITOR_DENIED;
    ctx.cache.commandLog.addMonitor(client);
    return OK;
  },
});

// ---------------------------------------------------------------------------------------------
// LOLWUT

/** A `long` argument of a LOLWUT version (getLongFromObjectOrReply). */
function longArg(arg: Bytes): number {
  const n = parseInt64(arg);
  if (n === null) throw NOT_INTEGER;
  return Number(n);
}

const lolwut = defineCommand({
  name: 'lolwut',
  arity: -1,
  flags: ['readonly', 'fast'],
  exec(ctx, argv): Reply {
    let version = REDIS_VERSION;
    let args = argv.slice(1);
    if (argv.length >= 3 && text(argv[1]).toLowerCase() === 'version') {
      const n = parseInt64(argv[2]);
      if (n === null) throw NOT_INTEGER;
      // Redis prints the number as an unsigned int ("%u.0.0") and picks the art by its text.
      version = `${Number(BigInt.asUintN(32, BigInt(n)))}.0.0`;
      args = argv.slice(3);
    }
    const rand: Rand = () => ctx.cache.rng.nextUint32() >>> 1;
    const art = (v: string): string => {
      if ((v.startsWith('5.') && v[2] !== '9') || v.startsWith('4.9')) {
        const [cols, perRow, perCol] = args.slice(0, 3).map(longArg);
        return schotter(REDIS_VERSION, rand, cols, perRow, perCol);
      }
      if ((v.startsWith('6.') && v[2] !== '9') || v.startsWith('5.9')) {
        const [cols, rows] = args.slice(0, 2).map(longArg);
        return skyline(REDIS_VERSION, rand, cols, rows);
      }
      return versionOnly(REDIS_VERSION);
    };
    return new VerbatimReply('txt', art(version));
  },
});

/** SLOWLOG, LATENCY, MONITOR, LOLWUT. */
export const observabilityCommands: CommandSpec[] = [slowlog, latency, monitor, lolwut];
