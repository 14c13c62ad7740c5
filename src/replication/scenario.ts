/**
 * A scenario runner for failover drills: a timeline of actions (`at(ms, …)`) and a client
 * workload, run on a virtual clock, ending in a report — operations acknowledged, failed and lost,
 * downtime per shard, the event history and the dataset digest. Same seed, same scenario: same
 * report. See docs/failover.md.
 */
import type { ManagedRedis } from '../managed-redis.js';
import type { Bytes } from '../keyspace/bytes.js';
import { keyName } from '../keyspace/bytes.js';
import { keyPositions } from '../dispatch.js';
import { slotOfName } from '../cluster/slots.js';
import type { RecordedEvent } from '../events.js';
import type { PlainReply } from '../protocol/plain.js';
import { digestReady } from './digest.js';

/** One step of the timeline. */
export interface ScenarioAction {
  /** Time in ms from the start of the scenario. */
  readonly at: number;
  readonly run: (cache: ManagedRedis) => void;
  readonly label: string;
}

/** A timeline step: `at(12_000, (cache) => cache.faults.failNode(0), 'node 0 fails')`. */
export function at(ms: number, run: (cache: ManagedRedis) => void, label = ''): ScenarioAction {
  if (!(ms >= 0)) throw new RangeError('at(ms) needs a non-negative time');
  return { at: ms, run, label };
}

/** The client workload: one command every `everyMs`, made by `command(i)` (null skips a tick). */
export interface ScenarioWorkload {
  readonly everyMs: number;
  readonly command: (i: number, cache: ManagedRedis) => readonly Bytes[] | null;
}

export interface ScenarioOptions {
  /** How long the scenario runs, in ms of the virtual clock. */
  readonly durationMs: number;
  readonly actions?: readonly ScenarioAction[];
  readonly workload?: ScenarioWorkload;
}

/** One workload command and what became of it. */
export interface ScenarioOp {
  readonly i: number;
  /** Ms from the start. */
  readonly at: number;
  readonly argv: readonly string[];
  /** The shard its keys hash to (null for keyless commands). */
  readonly shard: number | null;
  /** `acknowledged` (and kept), `failed` (error), or `lost` (acknowledged, then lost in a failover or with its shard). */
  outcome: 'acknowledged' | 'failed' | 'lost';
  readonly reply?: PlainReply;
  readonly error?: string;
}

export interface ScenarioReport {
  /** Commands that succeeded and whose effect survived. */
  readonly acknowledged: number;
  readonly failed: number;
  /** Acknowledged writes lost: the unreplicated tail of a failed primary, or a shard lost entirely. */
  readonly lost: number;
  readonly ops: readonly ScenarioOp[];
  /** Ms each shard had no primary, by shard index (the shards the cache had at the start; a scaling may add more). */
  readonly downtimeMs: readonly number[];
  /** The event history of the run. */
  readonly events: readonly RecordedEvent[];
  /** `cache.replication.digest()` at the end (null until `await cache.ready()` has run). */
  readonly digest: string | null;
}

interface WriteRecord {
  op: ScenarioOp;
  shard: number;
  offset: number;
  epoch: number;
}

/**
 * Runs a scenario on a cache with a virtual clock: schedules the actions and the workload on the
 * clock (an action and a command due at the same ms: the action first), advances the clock by
 * `durationMs`, and reports. Turns on event recording.
 */
export function runScenario(cache: ManagedRedis, options: ScenarioOptions): ScenarioReport {
  const clock = cache.clock;
  if (clock.kind !== 'virtual') throw new Error("runScenario needs a cache with clock: 'virtual'");
  cache.events.record();
  const start = clock.now();
  const shards = cache.shards.length;
  const epoch = new Array<number>(shards).fill(0);
  const downSince: (number | null)[] = new Array(shards).fill(null);
  const downtime = new Array<number>(shards).fill(0);
  const ops: ScenarioOp[] = [];
  const writes: WriteRecord[] = [];

  // Shards a scaling adds (indexes past the start's count) are not followed.
  const offShardDown = cache.events.on('shard-down', (e) => {
    if (e.shard >= shards) return;
    epoch[e.shard]++;
    downSince[e.shard] ??= e.time;
  });
  const offShardUp = cache.events.on('shard-up', (e) => {
    if (e.shard >= shards) return;
    const since = downSince[e.shard];
    if (since !== null) downtime[e.shard] += e.time - since;
    downSince[e.shard] = null;
    if (e.dataLost) {
      for (const w of writes) if (w.shard === e.shard && w.epoch < epoch[e.shard]) w.op.outcome = 'lost';
    }
  });
  const offFailover = cache.events.on('failover-completed', (e) => {
    if (e.planned) return;
    const [from, to] = e.lostOffsets;
    for (const w of writes) {
      if (w.shard === e.shard && w.epoch === epoch[e.shard] - 1 && w.offset > from && w.offset <= to) w.op.outcome = 'lost';
    }
  });

  for (const action of options.actions ?? []) clock.setTimeout(() => action.run(cache), action.at);
  const workload = options.workload;
  if (workload !== undefined) {
    if (!(workload.everyMs > 0)) throw new RangeError('workload.everyMs must be positive');
    for (let i = 0, t = 0; t < options.durationMs; i++, t += workload.everyMs) {
      clock.setTimeout(() => runOp(i, t), t);
    }
  }

  function runOp(i: number, t: number): void {
    const argv = workload!.command(i, cache);
    if (argv === null) return;
    const shard = shardOf(argv);
    const text = argv.map((a) => (typeof a === 'string' ? a : a.toString('latin1')));
    try {
      const reply = cache.execute(argv);
      const op: ScenarioOp = { i, at: t, argv: text, shard, outcome: 'acknowledged', reply };
      ops.push(op);
      if (shard !== null && isWrite(argv)) {
        const status = cache.replication.links[shard];
        writes.push({ op, shard, offset: status.primaryOffset, epoch: epoch[shard] });
      }
    } catch (error) {
      ops.push({ i, at: t, argv: text, shard, outcome: 'failed', error: (error as Error).message });
    }
  }

  function shardOf(argv: readonly Bytes[]): number | null {
    try {
      const spec = cache.lookup(argv);
      if (spec.keys === undefined) return null;
      const positions = keyPositions(spec.keys, argv);
      if (positions.length === 0) return null;
      return cache.topology.slotToShard[slotOfName(keyName(argv[positions[0]]))];
    } catch {
      return null;
    }
  }

  function isWrite(argv: readonly Bytes[]): boolean {
    try {
      return cache.lookup(argv).flags.includes('write');
    } catch {
      return false;
    }
  }

  clock.advance(options.durationMs);
  offShardDown();
  offShardUp();
  offFailover();
  const end = clock.now();
  for (let s = 0; s < shards; s++) {
    const since = downSince[s];
    if (since !== null) downtime[s] += end - since;
  }
  let acknowledged = 0;
  let failed = 0;
  let lost = 0;
  for (const op of ops) {
    if (op.outcome === 'acknowledged') acknowledged++;
    else if (op.outcome === 'failed') failed++;
    else lost++;
  }
  void start;
  return {
    acknowledged,
    failed,
    lost,
    ops,
    downtimeMs: downtime,
    events: cache.events.history().slice(),
    digest: digestReady() ? cache.replication.digest() : null,
  };
}
