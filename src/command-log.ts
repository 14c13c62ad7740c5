/**
 * What Redis's `call()` records about each command it runs, per cache: the per-command counters of
 * INFO commandstats (calls, usec, rejected_calls, failed_calls), the latency histograms of LATENCY
 * HISTOGRAM and INFO latencystats, the slow log (SLOWLOG) and the MONITOR feed. Dispatch
 * (src/dispatch.ts) reports to it; docs/observability.md describes what users see.
 *
 * Durations. Commands take no time on a virtual clock, and timing every command on the real clock
 * with `performance.now()` would cost two clock reads per command (about 110 ns on this machine,
 * more than a GET). So a command's duration is 0 µs unless the cache was created with
 * `commandTiming: true`, which measures each command's real elapsed time. With durations of 0, the
 * counters still count, the histograms put every call in the 1 µs bucket (Redis records at least
 * 1 µs), and the slow log takes commands only at `slowlog-log-slower-than 0` — deterministic.
 *
 * Cost. While nothing needs more than a call count (no timing, no MONITOR client, a slow-log
 * threshold above 0, latency tracking on), dispatch adds one property test and one array increment
 * per command ({@link CommandLog.observing}, {@link CommandLog.calls}).
 */
import { toBuffer, type Bytes } from './keyspace/bytes.js';
import type { CommandSpec } from './commands/command.js';
import type { CacheCore, ClientState } from './core-types.js';
import { MapReply, type Reply } from './protocol/reply.js';
import type { ReplyError } from './protocol/errors.js';

/** Redis's slow-log entry limits (slowlog.h): arguments kept, and bytes kept of each. */
const SLOWLOG_ENTRY_MAX_ARGC = 32;
const SLOWLOG_ENTRY_MAX_STRING = 128;

/** LATENCY_HISTOGRAM_MIN_VALUE / MAX_VALUE of server.h, in ns: 1 µs to 1 s. */
const HISTOGRAM_MIN_NS = 1000;
const HISTOGRAM_MAX_NS = 1_000_000_000;

/** Errors Redis gives before running a command (rejected_calls), not while running it (failed_calls). */
const REJECTION_CODES = new Set(['OOM', 'CLUSTERDOWN', 'TRYAGAIN', 'MOVED', 'ASK', 'READONLY', 'CROSSSLOT', 'NOAUTH', 'MASTERDOWN', 'LOADING', 'BUSY']);

/** One slow-log entry (SLOWLOG GET's six fields). */
export interface SlowlogEntry {
  readonly id: number;
  /** Unix time in seconds (cache clock) when the command finished. */
  readonly time: number;
  /** Microseconds it ran. */
  readonly duration: number;
  /** The arguments, trimmed as Redis trims them (32 arguments, 128 bytes each). */
  readonly argv: readonly Bytes[];
  /** `ip:port` of the connection (`?:0` for a script's commands). */
  readonly addr: string;
  readonly name: string;
}

/**
 * HdrHistogram's bucketing for Redis's histograms (1 ns … 1 s, 2 significant digits): each value
 * falls in a sub-bucket whose width doubles with every power of two past 256.
 */
function bucketShift(ns: number): number {
  const bits = 32 - Math.clz32(ns | 255);
  return bits - 8;
}
function lowestEquivalent(ns: number): number {
  const shift = bucketShift(ns);
  return Math.floor(ns / 2 ** shift) * 2 ** shift;
}
function highestEquivalent(ns: number): number {
  return lowestEquivalent(ns) + 2 ** bucketShift(ns) - 1;
}

/** One command's latency samples (ns values at their bucket's lowest equivalent → count). */
export type Samples = Map<number, number>;

export class CommandLog {
  /** The declarations, by id. */
  readonly specs: readonly CommandSpec[];
  /** calls / usec / rejected_calls / failed_calls by command id (INFO commandstats). */
  readonly calls: Float64Array;
  readonly usec: Float64Array;
  readonly rejected: Float64Array;
  readonly failed: Float64Array;
  /** Calls made while `latency-tracking` was off: they are in no histogram. */
  readonly untracked: Float64Array;
  /** Measured durations (only with `commandTiming`), by command id; other calls count as 1 µs. */
  readonly samples: (Samples | undefined)[];
  /** Sampled calls per command id (the rest of the tracked calls are 0 µs). */
  readonly sampled: Float64Array;

  /** Newest first. */
  slowlog: SlowlogEntry[] = [];
  private nextSlowlogId = 0;
  /** Connections in MONITOR mode, in the order they started. */
  readonly monitors: ClientState[] = [];

  /** Measure real durations with performance.now() (the `commandTiming` option). */
  readonly timing: boolean;
  private slowerThan: number;
  private maxLen: number;
  private tracking: boolean;
  /**
   * True when a command needs more than its call counted: durations are measured, someone
   * monitors, the slow log takes 0 µs commands, or latency tracking is off. Dispatch then calls
   * {@link begin}/{@link end} around the command; otherwise it only counts the call.
   */
  observing = false;

  constructor(
    private readonly cache: CacheCore,
    specs: readonly CommandSpec[],
    timing: boolean,
  ) {
    this.specs = specs;
    const n = specs.length;
    this.calls = new Float64Array(n);
    this.usec = new Float64Array(n);
    this.rejected = new Float64Array(n);
    this.failed = new Float64Array(n);
    this.untracked = new Float64Array(n);
    this.sampled = new Float64Array(n);
    this.samples = new Array(n);
    this.timing = timing;
    const settings = cache.settings;
    this.slowerThan = Number(settings.get('slowlog-log-slower-than') ?? 10000);
    this.maxLen = Number(settings.get('slowlog-max-len') ?? 128);
    this.tracking = settings.get('latency-tracking') !== 'no';
    settings.onChange((name, value) => {
      if (name === 'slowlog-log-slower-than') this.slowerThan = Number(value);
      else if (name === 'slowlog-max-len') {
        this.maxLen = Number(value);
        if (this.slowlog.length > this.maxLen) this.slowlog.length = Math.max(0, this.maxLen);
      } else if (name === 'latency-tracking') this.tracking = value !== 'no';
      else return;
      this.update();
    });
    this.update();
  }

  private update(): void {
    this.observing = this.timing || this.monitors.length > 0 || this.slowerThan === 0 || !this.tracking;
  }

  // --- what dispatch reports ---------------------------------------------------------------

  /** The start mark of an observed command (a performance.now() reading, or 0 without timing). */
  begin(): number {
    return this.timing ? performance.now() : 0;
  }

  /**
   * An observed command ran (its reply or error is in): counts it, records its duration, feeds
   * MONITOR (unless it was fed before running, as scripts are) and the slow log.
   */
  end(spec: CommandSpec, client: ClientState, argv: readonly Bytes[], start: number, now: number, error: ReplyError | null, feed: boolean): void {
    const duration = this.timing ? Math.max(0, Math.round((performance.now() - start) * 1000)) : 0;
    const id = spec.id!;
    if (error !== null && REJECTION_CODES.has(error.code)) {
      this.rejected[id]++;
      return;
    }
    this.calls[id]++;
    if (error !== null) this.failed[id]++;
    this.usec[id] += duration;
    if (!this.tracking) this.untracked[id]++;
    else if (duration > 0) this.sample(id, duration);
    if (feed && this.monitors.length > 0 && !feedsBeforeRunning(spec) && !isAdmin(spec)) this.feedMonitors(client, argv, now);
    if (this.slowerThan >= 0 && duration >= this.slowerThan && !spec.flags.includes('skip_slowlog')) {
      this.pushSlowlog(client, argv, duration, now);
    }
  }

  /** Scripts (EVAL, FCALL …, the `skip_monitor` commands) appear in MONITOR before what they run. */
  beforeScript(spec: CommandSpec, client: ClientState, argv: readonly Bytes[], now: number): void {
    if (this.monitors.length > 0 && feedsBeforeRunning(spec)) this.feedMonitors(client, argv, now);
  }

  /** An observed command blocked: MONITOR shows it now; it counts when served or timed out. */
  blocked(spec: CommandSpec, client: ClientState, argv: readonly Bytes[], now: number, feed: boolean): void {
    if (feed && this.monitors.length > 0 && !feedsBeforeRunning(spec) && !isAdmin(spec)) this.feedMonitors(client, argv, now);
  }

  /** A command refused before it ran (arity, NOAUTH, CROSSSLOT, OOM …): rejected_calls. */
  reject(spec: CommandSpec): void {
    if (spec.id !== undefined) this.rejected[spec.id]++;
  }

  /** A command that failed while it ran, on the fast path (not observing). */
  fail(spec: CommandSpec, error: ReplyError): void {
    const id = spec.id!;
    if (REJECTION_CODES.has(error.code)) this.rejected[id]++;
    else {
      this.calls[id]++;
      this.failed[id]++;
    }
  }

  /** A blocked command answered at its timeout (or WAIT's condition): counted then, as Redis does. */
  unblocked(spec: CommandSpec, client: ClientState, argv: readonly Bytes[], now: number): void {
    const id = spec.id!;
    this.calls[id]++;
    if (!this.tracking) this.untracked[id]++;
    if (this.slowerThan === 0) this.pushSlowlog(client, argv, 0, now);
  }

  private sample(id: number, micros: number): void {
    let ns = micros * 1000;
    if (ns < HISTOGRAM_MIN_NS) ns = HISTOGRAM_MIN_NS;
    else if (ns > HISTOGRAM_MAX_NS) ns = HISTOGRAM_MAX_NS;
    const key = lowestEquivalent(ns);
    let samples = this.samples[id];
    if (samples === undefined) this.samples[id] = samples = new Map();
    samples.set(key, (samples.get(key) ?? 0) + 1);
    this.sampled[id]++;
  }

  // --- MONITOR -------------------------------------------------------------------------------

  /** Starts MONITOR for a connection (it then receives every command others run). */
  addMonitor(client: ClientState): void {
    if (!this.monitors.includes(client)) this.monitors.push(client);
    client.monitoring = true;
    this.update();
  }

  /** Ends MONITOR for a connection (closed, RESET). */
  removeMonitor(client: ClientState): void {
    const i = this.monitors.indexOf(client);
    if (i < 0) return;
    this.monitors.splice(i, 1);
    client.monitoring = false;
    this.update();
  }

  private feedMonitors(client: ClientState, argv: readonly Bytes[], now: number): void {
    const line = monitorLine(client, argv, now);
    for (const monitor of this.monitors.slice()) {
      if (monitor.closed) this.removeMonitor(monitor);
      else monitor.onMonitor?.(line);
    }
  }

  // --- SLOWLOG -------------------------------------------------------------------------------

  private pushSlowlog(client: ClientState, argv: readonly Bytes[], duration: number, now: number): void {
    if (this.maxLen === 0) return;
    this.slowlog.unshift({
      id: this.nextSlowlogId++,
      time: Math.floor(now / 1000),
      duration,
      argv: slowlogArgv(redact(argv)),
      addr: client.lua === true ? '?:0' : client.addr,
      name: client.name ?? '',
    });
    if (this.slowlog.length > this.maxLen) this.slowlog.length = this.maxLen;
  }

  /** SLOWLOG RESET. */
  resetSlowlog(): void {
    this.slowlog = [];
  }

  // --- reports -------------------------------------------------------------------------------

  /** Ids of the commands with anything counted, by name (INFO commandstats' and LATENCY HISTOGRAM's order). */
  usedIds(): number[] {
    const ids: number[] = [];
    for (let id = 0; id < this.specs.length; id++) {
      if (this.calls[id] !== 0 || this.rejected[id] !== 0 || this.failed[id] !== 0) ids.push(id);
    }
    return ids.sort((a, b) => (this.specs[a].name < this.specs[b].name ? -1 : 1));
  }

  /** The latency histogram of one command: its tracked calls and the ns values with their counts, ascending. */
  histogram(id: number): { total: number; values: Array<[ns: number, count: number]> } {
    const total = this.calls[id] - this.untracked[id];
    const values: Array<[number, number]> = [];
    const zero = total - this.sampled[id];
    if (zero > 0) values.push([lowestEquivalent(HISTOGRAM_MIN_NS), zero]);
    const samples = this.samples[id];
    if (samples !== undefined) {
      for (const [ns, count] of samples) {
        const at = values.findIndex(([v]) => v === ns);
        if (at >= 0) values[at][1] += count;
        else values.push([ns, count]);
      }
      values.sort((a, b) => a[0] - b[0]);
    }
    return { total, values };
  }

  /**
   * LATENCY HISTOGRAM's `histogram_usec` map: cumulative counts at power-of-two bucket bounds
   * from 1 µs up, each labelled by its highest equivalent value in µs, only where the count grew
   * (Redis's fillCommandCDF over an HdrHistogram log iterator).
   */
  cumulative(id: number): MapReply {
    const { values } = this.histogram(id);
    const entries: Array<[Reply, Reply]> = [];
    let level = 1024;
    let cumulative = 0;
    let previous = 0;
    let i = 0;
    while (i < values.length) {
      const top = highestEquivalent(level);
      while (i < values.length && values[i][0] <= top) cumulative += values[i++][1];
      if (cumulative > previous) entries.push([Math.floor(top / 1000), cumulative]);
      previous = cumulative;
      level *= 2;
    }
    return new MapReply(entries);
  }

  /** The value at a percentile (hdr_value_at_percentile), in µs, as INFO latencystats prints it. */
  percentile(id: number, percentile: number): number {
    const { total, values } = this.histogram(id);
    if (total <= 0) return 0;
    const wanted = Math.max(1, Math.floor((Math.min(percentile, 100) / 100) * total + 0.5));
    let seen = 0;
    for (const [ns, count] of values) {
      seen += count;
      if (seen >= wanted) return highestEquivalent(ns) / 1000;
    }
    return highestEquivalent(values[values.length - 1][0]) / 1000;
  }
}

function isAdmin(spec: CommandSpec): boolean {
  return spec.flags.includes('admin');
}

function feedsBeforeRunning(spec: CommandSpec): boolean {
  return spec.flags.includes('skip_monitor');
}

const REDACTED = '(redacted)';

/**
 * The arguments with secrets replaced as Redis's redactClientCommandArgument does: every argument
 * of AUTH, and the user name and password after HELLO's AUTH.
 */
export function redact(argv: readonly Bytes[]): readonly Bytes[] {
  const name = String(argv[0]).toLowerCase();
  if (name === 'auth') return argv.map((arg, i) => (i === 0 ? arg : REDACTED));
  if (name === 'hello') {
    const out = argv.slice();
    for (let i = 2; i < out.length; i++) {
      if (String(out[i]).toLowerCase() === 'auth' && i + 2 < out.length) {
        out[i + 1] = REDACTED;
        out[i + 2] = REDACTED;
        i += 2;
      } else if (String(out[i]).toLowerCase() === 'setname') i++;
    }
    return out;
  }
  return argv;
}

/** A slow-log copy of the arguments: at most 32 (the last says how many more), each at most 128 bytes. */
export function slowlogArgv(argv: readonly Bytes[]): Bytes[] {
  const kept = Math.min(argv.length, SLOWLOG_ENTRY_MAX_ARGC);
  const out: Bytes[] = [];
  for (let j = 0; j < kept; j++) {
    if (kept !== argv.length && j === kept - 1) {
      out.push(`... (${argv.length - kept + 1} more arguments)`);
      break;
    }
    const bytes = toBuffer(argv[j]);
    if (bytes.length > SLOWLOG_ENTRY_MAX_STRING) {
      out.push(Buffer.concat([bytes.subarray(0, SLOWLOG_ENTRY_MAX_STRING), Buffer.from(`... (${bytes.length - SLOWLOG_ENTRY_MAX_STRING} more bytes)`)]));
    } else out.push(typeof argv[j] === 'string' ? argv[j] : Buffer.from(bytes));
  }
  return out;
}

/** Redis's sdscatrepr: a quoted string with `\\`, `\"`, \n \r \t \a \b and `\xHH` for other unprintables. */
export function quoteRepr(arg: Bytes): string {
  const bytes = toBuffer(arg);
  let out = '"';
  for (const b of bytes) {
    switch (b) {
      case 0x5c:
        out += '\\\\';
        break;
      case 0x22:
        out += '\\"';
        break;
      case 0x0a:
        out += '\\n';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x09:
        out += '\\t';
        break;
      case 0x07:
        out += '\\a';
        break;
      case 0x08:
        out += '\\b';
        break;
      default:
        out += b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
    }
  }
  return out + '"';
}

/** One MONITOR line (without the `+` and CRLF of the status reply): `<sec>.<usec> [0 <addr>] "arg" …`. */
export function monitorLine(client: ClientState, argv: readonly Bytes[], now: number): string {
  const seconds = Math.floor(now / 1000);
  const micros = Math.round((now - seconds * 1000) * 1000);
  const source = client.lua === true ? 'lua' : client.addr;
  return `${seconds}.${String(micros).padStart(6, '0')} [0 ${source}] ${redact(argv).map(quoteRepr).join(' ')}`;
}
