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
 * - After the last step the whole keyspace is compared: key set, then TYPE, PTTL and the value of
 *   each key (GET, LRANGE, HGETALL, SMEMBERS, ZRANGE … WITHSCORES).
 */
import { ManagedRedis } from '../../src/managed-redis.js';
import { RedisObject } from '../../src/keyspace/keyspace.js';
import { keyName } from '../../src/keyspace/bytes.js';
import { ReplyError } from '../../src/protocol/errors.js';
import type { Reply } from '../../src/protocol/reply.js';
import { isBlockedReply, waitForReply } from '../../src/blocking.js';
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
  /**
   * The known difference (`diverges`) after which the two keyspaces may differ, so the rest of the
   * sequence was not compared; null when the whole sequence was.
   */
  cutBy: string | null;
}

/** How long one live command may take before the run fails (nothing generated should block). */
const LIVE_TIMEOUT_MS = 5_000;

/** Replies whose element order Redis does not define: compared as multisets (maps: sets of pairs). */
const UNORDERED = new Set(['KEYS', 'SMEMBERS', 'SINTER', 'SUNION', 'SDIFF', 'HKEYS', 'HVALS', 'HGETALL']);

/**
 * Replies drawn at random (which members is up to the server's PRNG): compared by invariants, not
 * by value. Each side's reply must have the same kind and length as the other's, and on its own
 * side: every pick is a member (with its own value or score, WITHVALUES/WITHSCORES), the length is
 * min(count, size) for a count ≥ 0 (picks distinct) and |count| for a negative count (repeats
 * allowed), and a single pick is null exactly when the collection is empty. The collection is
 * read with a hidden SMEMBERS, HGETALL or ZRANGE … WITHSCORES on each side after the step, which
 * must agree as a multiset first. SPOP is checked the same way against the set before the step,
 * and then the emulator's set is made equal to the live one (SREM/SADD on the emulator only, which
 * keeps the TTL and the encoding), so that the sequence goes on from the same state.
 */
export const RANDOM = new Set(['SRANDMEMBER', 'HRANDFIELD', 'ZRANDMEMBER', 'SPOP']);

/** Commands that may block; run outside MULTI with a connection that can block, on both sides. */
export const BLOCKING = new Set(['BLPOP', 'BRPOP', 'BLMOVE', 'BRPOPLPUSH', 'BLMPOP', 'BZPOPMIN', 'BZPOPMAX', 'BZMPOP']);

/** How the final-state check reads a key's whole value, by TYPE (compared under the usual rules). */
const VALUE_OF: Readonly<Record<string, string[]>> = {
  string: ['GET'],
  list: ['LRANGE', '0', '-1'],
  hash: ['HGETALL'],
  set: ['SMEMBERS'],
  zset: ['ZRANGE', '0', '-1', 'WITHSCORES'],
};

/** Replies whose integers depend on elapsed time: tolerance per command. */
const APPROX: Readonly<Record<string, number>> = { TTL: 1, EXPIRETIME: 1, PTTL: 250, PEXPIRETIME: 250 };

export function viewOf(argv: readonly (string | Buffer)[]): StepView {
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

/** A number as Redis prints it (`inf`, `-inf`, `%.17g` or shortest round trip). */
function numberOf(text: unknown): number {
  const t = String(text).toLowerCase();
  return t === 'inf' || t === '+inf' ? Infinity : t === '-inf' ? -Infinity : Number(t);
}

/**
 * A collection's content as canonical member → canonical value (null for sets): from SMEMBERS,
 * HGETALL (flat or a RESP3 map) or ZRANGE … WITHSCORES (flat or RESP3 pairs; scores as numbers).
 */
function contentOf(reply: Typed, kind: 'set' | 'hash' | 'zset'): Map<string, string | null> | null {
  const out = new Map<string, string | null>();
  if (reply[0] === '_') return out;
  if (reply[0] === '%' && Array.isArray(reply[1])) {
    for (const [k, v] of reply[1] as Typed[][]) out.set(canonical(k), canonical(v));
    return out;
  }
  if (!Array.isArray(reply[1]) || reply[0] === '-') return null;
  const list = reply[1] as Typed[];
  if (kind === 'set') {
    for (const m of list) out.set(canonical(m), null);
    return out;
  }
  const value = (v: Typed) => (kind === 'zset' ? String(numberOf(v[1])) : canonical(v));
  if (list.every((e) => e[0] === '*')) {
    for (const e of list) out.set(canonical((e[1] as Typed[])[0]), value((e[1] as Typed[])[1]));
    return out;
  }
  for (let i = 0; i + 1 < list.length; i += 2) out.set(canonical(list[i]), value(list[i + 1]));
  return out;
}

/** Which collection a random command reads, and the hidden command that lists its content. */
function contentCommand(view: StepView, key: string | Buffer): { kind: 'set' | 'hash' | 'zset'; argv: (string | Buffer)[] } {
  if (view.name === 'HRANDFIELD') return { kind: 'hash', argv: ['HGETALL', key] };
  if (view.name === 'ZRANDMEMBER') return { kind: 'zset', argv: ['ZRANGE', key, '0', '-1', 'WITHSCORES'] };
  return { kind: 'set', argv: ['SMEMBERS', key] };
}

/**
 * The invariants of one side's random pick (see RANDOM) against that side's collection; null when
 * they hold, else what is wrong.
 */
function checkRandomPick(view: StepView, reply: Typed, content: Map<string, string | null>, kind: 'set' | 'hash' | 'zset'): string | null {
  if (view.args.length === 1) {
    if (content.size === 0) return reply[0] === '_' ? null : 'a pick from an empty collection';
    return reply[0] === '$' || reply[0] === '$64' ? (content.has(canonical(reply)) ? null : 'a pick that is not a member') : 'not a bulk string';
  }
  if (!Array.isArray(reply[1])) return 'not an array';
  const n = BigInt(view.args[1]);
  const withValues = view.args.length > 2;
  const list = reply[1] as Typed[];
  let picks: Array<[Typed, Typed | null]>;
  if (!withValues) picks = list.map((m) => [m, null]);
  else if (list.every((e) => e[0] === '*' && Array.isArray(e[1]) && e[1].length === 2)) picks = list.map((e) => (e[1] as Typed[]).slice(0, 2) as [Typed, Typed]);
  else {
    if (list.length % 2 !== 0) return 'an odd number of items WITHVALUES/WITHSCORES';
    picks = [];
    for (let i = 0; i < list.length; i += 2) picks.push([list[i], list[i + 1]]);
  }
  const size = BigInt(content.size);
  const expected = size === 0n ? 0n : n >= 0n ? (n < size ? n : size) : -n;
  if (BigInt(picks.length) !== expected) return `${picks.length} picks where ${expected} were due`;
  const names = picks.map(([m]) => canonical(m));
  if (n > 0n && new Set(names).size !== names.length) return 'repeated picks for a positive count';
  for (const [m, v] of picks) {
    if (!content.has(canonical(m))) return `${canonical(m)} is not a member`;
    if (v !== null) {
      const value = kind === 'zset' ? String(numberOf(v[1])) : canonical(v);
      if (content.get(canonical(m)) !== value) return `the value given with ${canonical(m)} is not its value`;
    }
  }
  return null;
}

/**
 * SSCAN/HSCAN/ZSCAN: [cursor, items]. Small collections come back in one call, but which ones
 * depends on the encoding (7.0 and 7.4 differ for sets), so a complete first call on both sides
 * must hold the same elements (pairs for HSCAN and ZSCAN), and anything else only the shape.
 */
export function compareKeyScan(view: StepView, redis: Typed, emulator: Typed): string | null {
  const shape = (r: Typed) => (r[0] === '*' && Array.isArray(r[1]) && r[1].length === 2 ? (r[1] as Typed[]) : null);
  const r = shape(redis);
  const e = shape(emulator);
  if (!r || !e) return canonical(redis) === canonical(emulator) ? null : 'different replies';
  if (e[0][0] !== '$' || e[1][0] !== '*') return 'emulator reply is not [cursor, [elements]]';
  if (view.args[1] !== '0' || r[0][1] !== '0' || e[0][1] !== '0') return null;
  const pairs = view.name !== 'SSCAN' && !view.args.some((a, i) => i >= 2 && a.toUpperCase() === 'NOVALUES');
  return sameReply(e[1], r[1], 'unordered', pairs) ? null : 'complete scans returned different elements';
}

/** One command on one side, answering in typed form. */
export type Call = (argv: (string | Buffer)[]) => Promise<Typed>;

/**
 * Compares two replies to `argv` outside a sequence (the blocking rounds): the known differences,
 * then the TTL tolerance, multiset comparison of unordered replies, or exact equality. Null when
 * they agree, else why not. `onKnown` hears the id of each known difference that applied.
 */
export function compareReplies(argv: readonly (string | Buffer)[], redis: Typed, emulator: Typed, onKnown: (id: string) => void = () => undefined): string | null {
  const view = viewOf(argv);
  const known = applyKnownDifferences(view, redis, emulator);
  if (known.verdict !== 'compare') {
    onKnown(known.id);
    return null;
  }
  known.ids.forEach(onKnown);
  const [r, e] = [known.redis, known.emulator];
  if (r[0] === '-' || e[0] === '-') return canonical(r) === canonical(e) ? null : 'different replies';
  const tolerance = APPROX[view.name];
  if (tolerance !== undefined) return approxEqual(r, e, tolerance) ? null : `differ by more than ${tolerance}`;
  if (UNORDERED.has(view.name)) return sameReply(e, r, 'unordered', isFlatMap([view.name, ...view.args])) ? null : 'different elements';
  return canonical(r) === canonical(e) ? null : 'different replies';
}

/**
 * The whole keyspace as events to compare: `KEYS *`, then per key (sorted) TYPE, PTTL and the whole
 * value (GET, LRANGE, HGETALL, SMEMBERS, ZRANGE … WITHSCORES).
 */
export async function readState(call: Call): Promise<Array<[string, string[], Typed]>> {
  const events: Array<[string, string[], Typed]> = [];
  const keys = await call(['KEYS', '*']);
  events.push(['final state', ['KEYS', '*'], keys]);
  const names = ((items(keys) ?? []) as string[]).sort().map((c) => typedToBytes(JSON.parse(c) as Typed).toString('utf8'));
  for (const key of names) {
    const type = await call(['TYPE', key]);
    events.push(['final state', ['TYPE', key], type]);
    events.push(['final state', ['PTTL', key], await call(['PTTL', key])]);
    const read = VALUE_OF[String(type[1])];
    if (read !== undefined) {
      const argv = [read[0], key, ...read.slice(1)];
      events.push(['final state', argv, await call(argv)]);
    }
  }
  return events;
}

export class DifferentialRunner {
  private cache: ManagedRedis | null = null;
  private client: ReturnType<ManagedRedis['openClient']> | null = null;
  private started = 0;
  private advanced = 0;
  private resp: 2 | 3 = 2;
  /** Set by `judge` when a known difference that leaves the keyspaces different was skipped. */
  private diverged: string | null = null;

  constructor(
    private readonly redis: RespClient,
    private readonly implemented: ReadonlySet<string>,
  ) {}

  /** Runs one sequence on both sides; resolves with what it compared and the first mismatch. */
  async run(sequence: Sequence): Promise<Outcome> {
    const outcome: Outcome = { commands: 0, skipped: new Map(), mismatch: null, errors: new Map(), cutBy: null };
    this.diverged = null;
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
        if (this.diverged !== null) {
          outcome.cutBy = this.diverged;
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
    if ('tx' in step) return this.transaction(step.tx.map((argv) => argv.map((a) => resolveArg(a, t0))), step.end, outcome);
    const argv = step.argv.map((a) => resolveArg(a, t0));
    const view = viewOf(argv);
    // SPOP: the set before the step, to check the popped members against.
    const before = view.name === 'SPOP' && argv.length >= 2 ? await this.both(['SMEMBERS', argv[1]]) : null;
    const [redis, emulator] = BLOCKING.has(view.name) ? await this.bothBlocking(argv) : await this.both(argv);
    this.count(outcome, redis);
    const command = showArgs(step.argv);
    if (view.name === 'OBJECT' && argv.length > 2 && redis[0] !== '-' && emulator[0] !== '-') {
      view.keyType = String((await this.live(['TYPE', argv[2]]))[1]);
    }
    if (emulator[0] === 'CRASH') return { command, redis, emulator, note: 'the emulator threw a non-Redis error' };
    const note =
      RANDOM.has(view.name) && redis[0] !== '-' && emulator[0] !== '-'
        ? await this.compareRandomPicks(view, argv[1], redis, emulator, before)
        : await this.judge(view, redis, emulator, outcome);
    if (note === null && view.name === 'SPOP' && redis[0] !== '-') await this.resyncSet(argv[1]);
    return note === null ? null : { command, redis, emulator, note };
  }

  /** Counts a compared command, and the error text the live server answered, if any. */
  private count(outcome: Outcome, redis: Typed): void {
    outcome.commands++;
    if (redis[0] === '-') {
      const text = String(redis[1]).replace(/'[^']*'/g, "'…'");
      outcome.errors.set(text, (outcome.errors.get(text) ?? 0) + 1);
    }
  }

  /**
   * MULTI, the commands, EXEC (or DISCARD) on both sides. Every reply is compared: QUEUED or the
   * queueing error, then EXEC's array element by element, each as a reply of its own command (so
   * unordered and random replies inside a transaction follow the same rules). Blocking commands
   * inside never block, on either side (Redis runs them as their non-blocking forms).
   */
  private async transaction(commands: (string | Buffer)[][], end: 'EXEC' | 'DISCARD', outcome: Outcome): Promise<Omit<Mismatch, 'step'> | null> {
    const all = [['MULTI'], ...commands, [end]];
    const replies: Array<[Typed, Typed]> = [];
    for (const argv of all) {
      const pair = await this.both(argv);
      this.count(outcome, pair[0]);
      replies.push(pair);
    }
    const label = (i: number) => `${showArgs(all[i])} (in ${showArgs(['MULTI'])}…${end})`;
    for (let i = 0; i < all.length; i++) {
      const [redis, emulator] = replies[i];
      if (emulator[0] === 'CRASH') return { command: label(i), redis, emulator, note: 'the emulator threw a non-Redis error' };
      const last = i === all.length - 1;
      if (last && end === 'EXEC' && redis[0] === '*' && emulator[0] === '*' && Array.isArray(redis[1]) && Array.isArray(emulator[1])) {
        const r = redis[1] as Typed[];
        const e = emulator[1] as Typed[];
        if (r.length !== e.length || r.length !== commands.length) return { command: label(i), redis, emulator, note: 'EXEC answered a different number of replies' };
        for (let j = 0; j < r.length; j++) {
          const view = viewOf(commands[j]);
          const note = RANDOM.has(view.name) && r[j][0] !== '-' ? null : await this.judge(view, r[j], e[j], outcome);
          if (note !== null) return { command: `${showArgs(commands[j])} (in EXEC)`, redis: r[j], emulator: e[j], note };
        }
        continue;
      }
      const note = await this.judge(viewOf(all[i]), redis, emulator, outcome);
      if (note !== null) return { command: label(i), redis, emulator, note };
    }
    return null;
  }

  /**
   * A blocking command outside MULTI, on a connection that can block on both sides. The emulator
   * goes first: when it must wait, it waits on its virtual clock from the current time; the live
   * server then blocks for the timeout (real time), and moving the virtual clock on by the real
   * time that passed fires the emulator's deadline. Generated timeouts are short and positive (or
   * malformed), so neither side can wait for good.
   */
  private async bothBlocking(argv: readonly (string | Buffer)[]): Promise<[Typed, Typed]> {
    this.syncClock();
    const cache = this.cache!;
    const client = this.client!;
    client.canBlock = true;
    let first: Reply | Typed;
    try {
      first = cache.executeReply(argv, client);
    } catch (error) {
      first = error instanceof ReplyError ? ['-', error.message] : ['CRASH', `${(error as Error).name}: ${(error as Error).message}`];
    } finally {
      client.canBlock = false;
    }
    if (!isBlockedReply(first)) {
      const emulator = Array.isArray(first) && typeof first[0] === 'string' && (first[0] === '-' || first[0] === 'CRASH') ? (first as Typed) : toTyped(first as Reply, this.resp);
      return [await this.live(argv), emulator];
    }
    const marker = first;
    if (marker.deadline === 0) throw new Error(`harness: ${showArgs(argv)} would block the live connection for good`);
    const pending = waitForReply(cache, client, argv, marker).then(
      (reply) => toTyped(reply, this.resp),
      (error: Error): Typed => (error instanceof ReplyError ? ['-', error.message] : ['CRASH', `${error.name}: ${error.message}`]),
    );
    const redis = await this.live(argv);
    this.syncClock();
    const left = marker.deadline - cache.clock.now();
    if (left > 0) {
      // The live server answered a little before the emulator's deadline (its clock is not ours).
      cache.clock.advance(left);
      this.advanced += left;
    }
    return [redis, await pending];
  }

  /**
   * SRANDMEMBER, HRANDFIELD, ZRANDMEMBER, SPOP: the invariants of each side's picks (see RANDOM),
   * then the same kind and length on both sides.
   */
  private async compareRandomPicks(view: StepView, key: string | Buffer, redis: Typed, emulator: Typed, before: [Typed, Typed] | null): Promise<string | null> {
    const kindOf = (r: Typed) => (r[0] === '$64' ? '$' : r[0]); // a pick of binary bytes is still a bulk string
    if (kindOf(redis) !== kindOf(emulator)) return 'different reply types';
    const { kind, argv } = contentCommand(view, key);
    const [r, e] = before ?? (await this.both(argv));
    const rContent = contentOf(r, kind);
    const eContent = contentOf(e, kind);
    if (rContent === null || eContent === null) return `hidden ${showArgs(argv)} did not list the collection`;
    const same = rContent.size === eContent.size && [...rContent].every(([m, v]) => eContent.has(m) && eContent.get(m) === v);
    if (!same) return `the collections differ (hidden ${showArgs(argv)})`;
    const live = checkRandomPick(view, redis, rContent, kind);
    if (live !== null) return `the live reply breaks the invariant (harness problem): ${live}`;
    const mine = checkRandomPick(view, emulator, eContent, kind);
    if (mine !== null) return mine;
    if (Array.isArray(redis[1]) && Array.isArray(emulator[1]) && redis[1].length !== emulator[1].length) return 'different counts';
    return null;
  }

  /** After SPOP: makes the emulator's set hold what the live one holds (SREM/SADD, emulator only). */
  private async resyncSet(key: string | Buffer): Promise<void> {
    const [r, e] = await this.both(['SMEMBERS', key]);
    if (r[0] !== '*' && r[0] !== '~' && r[0] !== '_') return;
    const live = new Set(items(['*', r[1] ?? []]) ?? []);
    const mine = new Set(items(['*', e[1] ?? []]) ?? []);
    const bytes = (c: string) => typedToBytes(JSON.parse(c) as Typed);
    const extra = [...mine].filter((m) => !live.has(m)).map(bytes);
    const missing = [...live].filter((m) => !mine.has(m)).map(bytes);
    if (extra.length > 0) this.emulate(['SREM', key, ...extra]);
    if (missing.length > 0) this.emulate(['SADD', key, ...missing]);
  }

  /** Compares two replies, applying the known differences; null when they agree, else why not. */
  private async judge(view: StepView, redis: Typed, emulator: Typed, outcome?: Outcome): Promise<string | null> {
    const count = (id: string) => outcome?.skipped.set(id, (outcome.skipped.get(id) ?? 0) + 1);
    const known = applyKnownDifferences(view, redis, emulator);
    if (known.verdict !== 'compare') {
      count(known.id);
      // `skip` and `accept` entries alike may say the keyspaces can differ from here on.
      if (known.diverges === true) this.diverged = known.id;
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
        const read = command === 'TYPE' ? VALUE_OF[String(redis[1])] : undefined;
        if (read !== undefined) {
          const argv = [read[0], key, ...read.slice(1)];
          const [r, e] = await this.both(argv);
          const note = await this.judge(viewOf(argv), r, e, outcome);
          if (note !== null) {
            return { command: `${showArgs(argv)} (final state)`, redis: r, emulator: e, note: `different value after the sequence: ${note}` };
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
