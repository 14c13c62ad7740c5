/**
 * Runs a generated command sequence on a live `redis-server` and on a fresh emulator side by side
 * and compares every reply in the transcripts' typed form.
 *
 * - The live side: one connection, `RESET` + `FLUSHALL` (+ `HELLO 3`) before each sequence, then
 *   `TIME` gives the sequence start `t0`.
 * - The emulator: a new NoCluster `ManagedRedis` on a virtual clock set to `t0` and moved forward
 *   with the real time that passes, so TTLs line up.
 * - Comparison: exact (type, bytes, error text), except where known-differences.ts says otherwise
 *   and for replies that are not deterministic: TTL-like integers compare within a tolerance,
 *   KEYS as a set, RANDOMKEY and SCAN by membership (a hidden `KEYS *` follows them on both sides).
 * - After the last step the whole keyspace is compared: key set, then TYPE, GET and PTTL per key.
 */
import { ManagedRedis } from '../../src/managed-redis.js';
import { RedisObject } from '../../src/keyspace/keyspace.js';
import { keyName } from '../../src/keyspace/bytes.js';
import { ReplyError } from '../../src/protocol/errors.js';
import { isFlatMap, sameReply, toTyped, type Typed } from '../support/oracle.js';
import type { RespClient } from '../support/resp-client.js';
import { resolveArg, showArgs, showStep, type Sequence, type Step } from './generators.js';
import { applyKnownDifferences, type StepView } from './known-differences.js';

/** A hash for the WRONGTYPE fixture, when the emulator has no hash commands yet. */
class FixtureHash extends RedisObject {
  readonly type = 'hash';
  encoding(): string {
    return 'listpack';
  }
  clone(): RedisObject {
    return new FixtureHash();
  }
}

export interface Mismatch {
  /** Index of the step in the sequence (or -1 for the final state check). */
  step: number;
  command: string;
  redis: Typed;
  emulator: Typed;
  note: string;
}

export interface Outcome {
  /** Commands compared (fixtures and hidden follow-ups not counted). */
  commands: number;
  /** Replies not compared because of a known difference, by id. */
  skipped: Map<string, number>;
  /** The first mismatch (later steps run on diverged state, so they are not reported). */
  mismatch: Mismatch | null;
  /** Error replies the live server sent, by text (to see which error paths were exercised). */
  errors: Map<string, number>;
}

/** How long one live command may take before the run fails (nothing generated should block). */
const LIVE_TIMEOUT_MS = 5_000;

/** Replies whose element order Redis does not define: compared as multisets (maps: sets of pairs). */
const UNORDERED = new Set(['KEYS', 'SMEMBERS', 'SINTER', 'SUNION', 'SDIFF', 'HKEYS', 'HVALS', 'HGETALL']);

/** Replies drawn at random: compared by shape (kind, null or not, length). */
const RANDOM = new Set(['SRANDMEMBER', 'HRANDFIELD', 'ZRANDMEMBER']);

/** Replies whose integers depend on elapsed time: tolerance per command. */
const APPROX: Readonly<Record<string, number>> = { TTL: 1, EXPIRETIME: 1, PTTL: 250, PEXPIRETIME: 250 };

function viewOf(argv: readonly (string | Buffer)[]): StepView {
  const args = argv.slice(1).map((a) => (typeof a === 'string' ? a : a.toString('utf8')));
  return { name: String(argv[0]).toUpperCase(), sub: (args[0] ?? '').toUpperCase(), args };
}

function canonical(reply: Typed): string {
  return JSON.stringify(reply);
}

/** Integer replies within `tolerance`; negative values (-1 no TTL, -2 no key) must agree exactly. */
function approxEqual(a: Typed, b: Typed, tolerance: number): boolean {
  if (a[0] !== ':' || b[0] !== ':') return canonical(a) === canonical(b);
  const x = Number(a[1]);
  const y = Number(b[1]);
  if (x < 0 || y < 0) return x === y;
  return Math.abs(x - y) <= tolerance;
}

/** The elements of a typed array reply as canonical strings. */
function items(reply: Typed): string[] | null {
  return reply[0] === '*' && Array.isArray(reply[1]) ? (reply[1] as Typed[]).map(canonical) : null;
}

/** A typed bulk reply back to the bytes it stands for. */
export function typedToBytes(reply: Typed): Buffer {
  return reply[0] === '$64' ? Buffer.from(String(reply[1]), 'base64') : Buffer.from(String(reply[1]), 'utf8');
}

/** Random picks: same kind, both null or neither, arrays of the same length. */
function compareRandom(redis: Typed, emulator: Typed): string | null {
  if (redis[0] !== emulator[0]) return 'different reply types';
  if (Array.isArray(redis[1]) && Array.isArray(emulator[1]) && redis[1].length !== emulator[1].length) return 'different counts';
  return null;
}

/**
 * SSCAN/HSCAN/ZSCAN: [cursor, items]. Small collections come back in one call, but which ones
 * depends on the encoding (7.0 and 7.4 differ for sets), so a complete first call on both sides
 * must hold the same elements (pairs for HSCAN and ZSCAN), and anything else only the shape.
 */
function compareKeyScan(view: StepView, redis: Typed, emulator: Typed): string | null {
  const shape = (r: Typed) => (r[0] === '*' && Array.isArray(r[1]) && r[1].length === 2 ? (r[1] as Typed[]) : null);
  const r = shape(redis);
  const e = shape(emulator);
  if (!r || !e) return canonical(redis) === canonical(emulator) ? null : 'different replies';
  if (e[0][0] !== '$' || e[1][0] !== '*') return 'emulator reply is not [cursor, [elements]]';
  if (view.args[1] !== '0' || r[0][1] !== '0' || e[0][1] !== '0') return null;
  const pairs = view.name !== 'SSCAN' && !view.args.some((a, i) => i >= 2 && a.toUpperCase() === 'NOVALUES');
  return sameReply(e[1], r[1], 'unordered', pairs) ? null : 'complete scans returned different elements';
}

export class DifferentialRunner {
  private cache: ManagedRedis | null = null;
  private client: ReturnType<ManagedRedis['openClient']> | null = null;
  private started = 0;
  private advanced = 0;
  private resp: 2 | 3 = 2;

  constructor(
    private readonly redis: RespClient,
    private readonly implemented: ReadonlySet<string>,
  ) {}

  /** Runs one sequence on both sides; resolves with what it compared and the first mismatch. */
  async run(sequence: Sequence): Promise<Outcome> {
    const outcome: Outcome = { commands: 0, skipped: new Map(), mismatch: null, errors: new Map() };
    const setup: string[][] = [['RESET'], ['FLUSHALL']];
    if (sequence.resp === 3) setup.push(['HELLO', '3']);
    setup.push(['TIME']);
    const replies = await this.redis.pipeline(setup);
    const time = replies[replies.length - 1][1] as Typed[];
    const t0 = Number(time[0][1]) * 1000 + Math.floor(Number(time[1][1]) / 1000);
    this.resp = sequence.resp;
    this.cache = new ManagedRedis({ clusterPolicy: 'NoCluster', clock: 'virtual', startTime: t0, seed: 1, evictionPolicy: 'noeviction' });
    this.client = this.cache.openClient({ name: null });
    this.client.resp = sequence.resp;
    this.started = performance.now();
    this.advanced = 0;
    try {
      for (let index = 0; index < sequence.steps.length; index++) {
        const mismatch = await this.step(sequence.steps[index], t0, outcome);
        if (mismatch) {
          outcome.mismatch = { ...mismatch, step: index };
          return outcome;
        }
      }
      const final = await this.compareState(outcome);
      if (final) outcome.mismatch = { ...final, step: -1 };
      return outcome;
    } finally {
      this.cache.close();
      this.cache = null;
    }
  }

  /** Moves the emulator's virtual clock to the real time elapsed since the sequence started. */
  private syncClock(): void {
    const elapsed = Math.floor(performance.now() - this.started);
    if (elapsed > this.advanced) {
      this.cache!.clock.advance(elapsed - this.advanced);
      this.advanced = elapsed;
    }
  }

  private emulate(argv: readonly (string | Buffer)[]): Typed {
    this.syncClock();
    try {
      return toTyped(this.cache!.executeReply(argv, this.client!), this.resp);
    } catch (error) {
      if (error instanceof ReplyError) return ['-', error.message];
      const e = error as Error;
      return ['CRASH', `${e.name}: ${e.message} ${(e.stack ?? '').split('\n').slice(1, 4).join(' ')}`];
    }
  }

  private async both(argv: readonly (string | Buffer)[]): Promise<[Typed, Typed]> {
    const redis = await this.live(argv);
    return [redis, this.emulate(argv)];
  }

  /** One live call; fails loudly rather than hang when the server does not answer (a blocked command). */
  private async live(argv: readonly (string | Buffer)[]): Promise<Typed> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the live server did not answer within ${LIVE_TIMEOUT_MS} ms: ${showArgs(argv)}`)),
        LIVE_TIMEOUT_MS,
      );
    });
    try {
      return await Promise.race([this.redis.call(argv), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async fixture(key: string | Buffer): Promise<void> {
    await this.live(['DEL', key]);
    await this.live(['HSET', key, 'f', 'v']);
    if (this.implemented.has('hset')) {
      this.emulate(['DEL', key]);
      this.emulate(['HSET', key, 'f', 'v']);
      return;
    }
    const db = this.cache!.shards[0].keyspace;
    const name = keyName(key);
    db.delete(name);
    db.set(name, new FixtureHash());
  }

  private async step(step: Step, t0: number, outcome: Outcome): Promise<Omit<Mismatch, 'step'> | null> {
    if ('fixture' in step) {
      await this.fixture(resolveArg(step.key, t0));
      return null;
    }
    const argv = step.argv.map((a) => resolveArg(a, t0));
    const [redis, emulator] = await this.both(argv);
    outcome.commands++;
    if (redis[0] === '-') {
      const text = String(redis[1]).replace(/'[^']*'/g, "'…'");
      outcome.errors.set(text, (outcome.errors.get(text) ?? 0) + 1);
    }
    const command = showArgs(step.argv);
    const view = viewOf(argv);
    if (view.name === 'OBJECT' && argv.length > 2 && redis[0] !== '-' && emulator[0] !== '-') {
      view.keyType = String((await this.live(['TYPE', argv[2]]))[1]);
    }
    if (emulator[0] === 'CRASH') return { command, redis, emulator, note: 'the emulator threw a non-Redis error' };
    const note = await this.judge(view, redis, emulator, outcome);
    return note === null ? null : { command, redis, emulator, note };
  }

  /** Compares two replies, applying the known differences; null when they agree, else why not. */
  private async judge(view: StepView, redis: Typed, emulator: Typed, outcome?: Outcome): Promise<string | null> {
    const count = (id: string) => outcome?.skipped.set(id, (outcome.skipped.get(id) ?? 0) + 1);
    const known = applyKnownDifferences(view, redis, emulator);
    if (known.verdict !== 'compare') {
      count(known.id);
      return null;
    }
    known.ids.forEach(count);
    return this.compare(view, known.redis, known.emulator);
  }

  /** Null when the replies agree, else why not. */
  private async compare(view: StepView, redis: Typed, emulator: Typed): Promise<string | null> {
    if (redis[0] === '-' || emulator[0] === '-') return canonical(redis) === canonical(emulator) ? null : 'different replies';
    const tolerance = view.name === 'OBJECT' && view.sub === 'IDLETIME' ? 1 : APPROX[view.name];
    if (tolerance !== undefined) return approxEqual(redis, emulator, tolerance) ? null : `differ by more than ${tolerance}`;
    if (UNORDERED.has(view.name)) {
      return sameReply(emulator, redis, 'unordered', isFlatMap([view.name, ...view.args])) ? null : 'different elements';
    }
    if (view.name === 'RANDOMKEY') return this.compareRandomKey(redis, emulator);
    if (view.name === 'SCAN') return this.compareScan(view, redis, emulator);
    if (/^[HSZ]SCAN$/.test(view.name)) return compareKeyScan(view, redis, emulator);
    if (RANDOM.has(view.name)) return compareRandom(redis, emulator);
    return canonical(redis) === canonical(emulator) ? null : 'different replies';
  }

  /** Both sides' `KEYS *` (as canonical typed items), or null when KEYS is not implemented. */
  private async allKeys(): Promise<[Set<string>, Set<string>] | null> {
    if (!this.implemented.has('keys')) return null;
    const [redis, emulator] = await this.both(['KEYS', '*']);
    return [new Set(items(redis) ?? []), new Set(items(emulator) ?? [])];
  }

  private async compareRandomKey(redis: Typed, emulator: Typed): Promise<string | null> {
    if ((redis[0] === '_') !== (emulator[0] === '_')) return 'one side found no key';
    if (redis[0] === '_') return null;
    const all = await this.allKeys();
    if (all === null) return null;
    if (!all[0].has(canonical(redis))) return 'live RANDOMKEY reply is not a key (harness problem)';
    if (!all[1].has(canonical(emulator))) return 'emulator RANDOMKEY reply is not one of its keys';
    return null;
  }

  private async compareScan(view: StepView, redis: Typed, emulator: Typed): Promise<string | null> {
    const shape = (r: Typed) => (r[0] === '*' && Array.isArray(r[1]) && r[1].length === 2 ? (r[1] as Typed[]) : null);
    const r = shape(redis);
    const e = shape(emulator);
    if (!r || !e) return canonical(redis) === canonical(emulator) ? null : 'different replies';
    const rItems = items(r[1]);
    const eItems = items(e[1]);
    if (!rItems || !eItems || e[0][0] !== '$') return 'emulator SCAN reply is not [cursor, [keys]]';
    if (new Set(eItems).size !== eItems.length) return 'emulator SCAN returned a key twice';
    const all = await this.allKeys();
    if (all && eItems.some((k) => !all[1].has(k))) return 'emulator SCAN returned a key that does not exist';
    const complete = (c: Typed[]) => c[0][1] === '0';
    if (view.sub === '0' && complete(r) && complete(e)) {
      const same = rItems.length === eItems.length && [...rItems].sort().join() === [...eItems].sort().join();
      if (!same) return 'full SCAN iterations returned different key sets';
    }
    return null;
  }

  /** Compares the whole keyspace: key sets, then TYPE, GET (strings) and PTTL of each key. */
  private async compareState(outcome: Outcome): Promise<Omit<Mismatch, 'step'> | null> {
    if (!this.implemented.has('keys')) return null;
    const [redisKeys, emulatorKeys] = await this.both(['KEYS', '*']);
    if (!sameReply(emulatorKeys, redisKeys, 'unordered')) {
      return { command: 'KEYS * (final state)', redis: redisKeys, emulator: emulatorKeys, note: 'different keyspaces after the sequence' };
    }
    const keys = ((redisKeys[1] as Typed[]) ?? []).map(typedToBytes);
    for (const key of keys) {
      const checks: string[][] = [];
      if (this.implemented.has('type')) checks.push(['TYPE']);
      if (this.implemented.has('pttl')) checks.push(['PTTL']);
      for (const [command] of checks) {
        const [redis, emulator] = await this.both([command, key]);
        const note = await this.judge(viewOf([command, key]), redis, emulator, outcome);
        if (note !== null) return { command: `${command} ${showArgs([key])} (final state)`, redis, emulator, note: 'different state after the sequence' };
        if (command === 'TYPE' && redis[1] === 'string' && this.implemented.has('get')) {
          const [r, e] = await this.both(['GET', key]);
          if (canonical(r) !== canonical(e)) {
            return { command: `GET ${showArgs([key])} (final state)`, redis: r, emulator: e, note: 'different value after the sequence' };
          }
        }
      }
    }
    return null;
  }
}

export function describeSequence(sequence: Sequence, upTo = sequence.steps.length): string {
  return [`RESP${sequence.resp}`, ...sequence.steps.slice(0, upTo).map((s, i) => `  ${i}: ${showStep(s)}`)].join('\n');
}
