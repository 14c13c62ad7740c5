/**
 * Blocking pops interleaved with pushes, on a live `redis-server` and on the emulator, compared
 * step by step (random.test.ts runs it).
 *
 * A round:
 * 1. setup: a few writes that leave lists, sorted sets and a string on a small pool of keys;
 * 2. waiters: 1–4 clients issue a blocking command each (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP,
 *    BZPOPMIN, BZPOPMAX, BZMPOP), one after the other. Live: each on its own connection, and the
 *    next one is sent only once the server lists the previous one as blocked (`CLIENT LIST ID`,
 *    flag `b`) or it has answered, so the queue order is the order of the round. Emulator: each on
 *    its own connection state that can block (`canBlock`), awaiting `waitForReply` when the
 *    command returns the blocked marker;
 * 3. pushes: another client sends writes in a random order (RPUSH, LPUSH, ZADD, LMOVE,
 *    RPOPLPUSH, ZUNIONSTORE, ZRANGESTORE, RENAME, COPY, SET, DEL, SADD, and MULTI/EXEC of
 *    several). After each one, the live server is asked which waiters are still blocked: the ones
 *    that are not were served by that push (Redis serves blocked clients right after the command
 *    that made their key ready, before it reads the next one), and their replies are awaited.
 *    The emulator serves its waiters (`serveReadyClients`) and reports which promises settled;
 * 4. release: the waiters still blocked get the timed-out answer: live by `CLIENT UNBLOCK id`
 *    (or `… ERROR` in some rounds), emulator by moving its virtual clock past their deadlines
 *    (its timeout path; timeout 0 waits forever, so those are released with `unblockClient`);
 * 5. the final keyspaces are compared (key set, TYPE, the whole value of each key).
 *
 * What is compared: each setup and push reply; for each waiter whether it blocked or answered at
 * once and with what; after each push, which waiters were served and what each got (so who got
 * what and in what order); each release answer; the final state.
 *
 * Timeouts and determinism: real timeouts on the live server are used only where the outcome does
 * not depend on timing. A waiter gets a short real timeout (0.05–0.2 s) only when none of its keys
 * is written by any push or is the destination of any waiter's BLMOVE/BRPOPLPUSH: nothing can
 * serve it, so it times out whatever the timing, and on the live side its timed-out answer is
 * awaited at the end (the emulator's clock is moved past its deadline). Every other waiter gets
 * a long timeout (30 s, or 0: forever) and is released explicitly after the pushes, so no push
 * can race a deadline.
 */
import fc from 'fast-check';
import { ManagedRedis } from '../../src/managed-redis.js';
import { isBlockedReply, serveReadyClients, unblockClient, waitForReply, type BlockedReply } from '../../src/blocking.js';
import { ReplyError } from '../../src/protocol/errors.js';
import type { Reply } from '../../src/protocol/reply.js';
import type { ClientState } from '../../src/core-types.js';
import { toTyped, type Typed } from '../support/oracle.js';
import type { RespClient } from '../support/resp-client.js';
import { compareReplies, viewOf, type Call } from './harness.js';
import { knownDifferencesFor, type StepView } from './known-differences.js';

export interface Waiter {
  /** The command; its timeout argument is `TIMEOUT` until the round is built. */
  argv: string[];
  /** Keys it pops from (and BLMOVE/BRPOPLPUSH's destination, separately). */
  keys: string[];
  dst: string | null;
}
export type Push = { argv: string[] } | { tx: string[][] };

export interface Round {
  resp: 2 | 3;
  setup: string[][];
  waiters: Waiter[];
  pushes: Push[];
  /** How the waiters left blocked at the end are released: the timed-out answer, or an error. */
  release: 'timeout' | 'error';
}

// ---------------------------------------------------------------------------------------------
// Generation

const LISTS = ['q1', 'q2', 'q3'];
const ZSETS = ['z1', 'z2'];
const KEYS = [...LISTS, ...ZSETS];
/** Mostly a key of the wanted kind, sometimes any key (a list command on a sorted set …). */
const keyOf = (kind: 'list' | 'zset') =>
  fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...(kind === 'list' ? LISTS : ZSETS)) }, { weight: 1, arbitrary: fc.constantFrom(...KEYS) });
const element = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', '1', '2', '__proto__', 'ключ');
const elements = fc.array(element, { minLength: 1, maxLength: 3 });
const score = fc.constantFrom('0', '1', '2', '-1', '1.5', 'inf', '-inf', '0.1');
const side = fc.constantFrom('LEFT', 'RIGHT');
const countOpt = fc.option(fc.constantFrom('1', '2', '3', '10'), { freq: 2, nil: undefined }).map((c) => (c === undefined ? [] : ['COUNT', c]));
const T = 'TIMEOUT';

const waiterArb: fc.Arbitrary<Waiter> = fc.oneof(
  fc.tuple(fc.constantFrom('BLPOP', 'BRPOP'), fc.uniqueArray(keyOf('list'), { minLength: 1, maxLength: 3 })).map(([cmd, ks]) => ({ argv: [cmd, ...ks, T], keys: ks, dst: null })),
  fc.tuple(keyOf('list'), keyOf('list'), side, side).map(([src, dst, from, to]) => ({ argv: ['BLMOVE', src, dst, from, to, T], keys: [src], dst })),
  fc.tuple(keyOf('list'), keyOf('list')).map(([src, dst]) => ({ argv: ['BRPOPLPUSH', src, dst, T], keys: [src], dst })),
  fc.tuple(fc.uniqueArray(keyOf('list'), { minLength: 1, maxLength: 3 }), side, countOpt).map(([ks, s, c]) => ({ argv: ['BLMPOP', T, String(ks.length), ...ks, s, ...c], keys: ks, dst: null })),
  fc.tuple(fc.constantFrom('BZPOPMIN', 'BZPOPMAX'), fc.uniqueArray(keyOf('zset'), { minLength: 1, maxLength: 2 })).map(([cmd, ks]) => ({ argv: [cmd, ...ks, T], keys: ks, dst: null })),
  fc.tuple(fc.uniqueArray(keyOf('zset'), { minLength: 1, maxLength: 2 }), fc.constantFrom('MIN', 'MAX'), countOpt).map(([ks, m, c]) => ({ argv: ['BZMPOP', T, String(ks.length), ...ks, m, ...c], keys: ks, dst: null })),
);

const pushArgv: fc.Arbitrary<string[]> = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(fc.constantFrom('RPUSH', 'LPUSH'), keyOf('list'), elements).map(([cmd, k, es]) => [cmd, k, ...es]) },
  { weight: 4, arbitrary: fc.tuple(keyOf('zset'), fc.array(fc.tuple(score, element), { minLength: 1, maxLength: 3 })).map(([k, ps]) => ['ZADD', k, ...ps.flat()]) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('RPUSHX', 'LPUSHX'), keyOf('list'), elements).map(([cmd, k, es]) => [cmd, k, ...es]) },
  { weight: 2, arbitrary: fc.tuple(keyOf('list'), keyOf('list'), side, side).map(([a, b, s1, s2]) => ['LMOVE', a, b, s1, s2]) },
  { weight: 1, arbitrary: fc.tuple(keyOf('list'), keyOf('list')).map(([a, b]) => ['RPOPLPUSH', a, b]) },
  { weight: 1, arbitrary: fc.tuple(keyOf('zset'), keyOf('zset'), keyOf('zset')).map(([d, a, b]) => ['ZUNIONSTORE', d, '2', a, b]) },
  { weight: 1, arbitrary: fc.tuple(keyOf('zset'), keyOf('zset')).map(([d, s]) => ['ZRANGESTORE', d, s, '0', '-1']) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom(...KEYS)).map(([a, b]) => ['RENAME', a, b]) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...KEYS), fc.constantFrom(...KEYS)).map(([a, b]) => ['COPY', a, b]) },
  { weight: 1, arbitrary: fc.constantFrom(...KEYS).map((k) => ['SET', k, 'str']) },
  { weight: 1, arbitrary: fc.constantFrom(...KEYS).map((k) => ['DEL', k]) },
  { weight: 1, arbitrary: fc.constantFrom(...KEYS).map((k) => ['SADD', k, 'm']) },
);
const pushArb: fc.Arbitrary<Push> = fc.oneof(
  { weight: 5, arbitrary: pushArgv.map((argv) => ({ argv })) },
  { weight: 1, arbitrary: fc.array(pushArgv, { minLength: 2, maxLength: 3 }).map((tx) => ({ tx })) },
);

const setupArb = fc.array(
  fc.oneof(
    fc.tuple(keyOf('list'), elements).map(([k, es]) => ['RPUSH', k, ...es]),
    fc.tuple(keyOf('zset'), score, element).map(([k, s, e]) => ['ZADD', k, s, e]),
    fc.constantFrom(...KEYS).map((k) => ['SET', k, 'str']),
  ),
  { maxLength: 2 },
);

/** Keys a push may write (conservatively: every key it names). */
function pushKeys(push: Push): string[] {
  const all = 'tx' in push ? push.tx.flat() : push.argv;
  return all.filter((a) => KEYS.includes(a));
}

export const roundArb: fc.Arbitrary<Round> = fc
  .record({
    resp: fc.constantFrom<2 | 3>(2, 3),
    setup: setupArb,
    waiters: fc.array(waiterArb, { minLength: 1, maxLength: 4 }),
    pushes: fc.array(pushArb, { minLength: 1, maxLength: 5 }),
    release: fc.constantFrom<'timeout' | 'error'>('timeout', 'timeout', 'timeout', 'error'),
    shortTimeouts: fc.array(fc.constantFrom('0.05', '0.1', '0.2', null, null), { minLength: 4, maxLength: 4 }),
    longTimeouts: fc.array(fc.constantFrom('30', '0', '10.5'), { minLength: 4, maxLength: 4 }),
  })
  .map(({ resp, setup, waiters, pushes, release, shortTimeouts, longTimeouts }) => {
    // A short real timeout only where nothing can serve the waiter (see the module comment).
    const touched = new Set([...pushes.flatMap(pushKeys), ...waiters.flatMap((w) => (w.dst ? [w.dst] : []))]);
    const built = waiters.map((w, i) => {
      const short = shortTimeouts[i] !== null && w.keys.every((k) => !touched.has(k)) ? shortTimeouts[i] : null;
      return { ...w, argv: w.argv.map((a) => (a === T ? (short ?? longTimeouts[i]) : a)) };
    });
    return { resp, setup, waiters: built, pushes, release };
  });

/** The waiter's timeout text. */
function timeoutOf(w: Waiter): string {
  return w.argv[0] === 'BLMPOP' || w.argv[0] === 'BZMPOP' ? w.argv[1] : w.argv[w.argv.length - 1];
}
/** True when the waiter has a short real timeout (it is never served; it times out on its own). */
export function isShort(w: Waiter): boolean {
  return Number(timeoutOf(w)) > 0 && Number(timeoutOf(w)) < 1;
}

export function describeRound(round: Round): string {
  const show = (argv: string[]) => argv.join(' ');
  return [
    `RESP${round.resp}, release by ${round.release}`,
    ...round.setup.map((a) => `  setup: ${show(a)}`),
    ...round.waiters.map((w, i) => `  waiter ${i}: ${show(w.argv)}`),
    ...round.pushes.map((p, i) => `  push ${i}: ${'tx' in p ? `MULTI; ${p.tx.map(show).join('; ')}; EXEC` : show(p.argv)}`),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Running

/** What one side did in a round, in comparable form. */
export interface Transcript {
  /** [label, command, reply] in the order they happened. */
  events: Array<[string, string[], Typed]>;
}

const WAIT_MS = 3_000;

function withTimeout<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the live server did not answer within ${ms} ms: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A call whose settlement can be checked without awaiting it. */
interface Tracked {
  promise: Promise<Typed>;
  value: Typed | null;
}
function track(promise: Promise<Typed>): Tracked {
  const t: Tracked = { promise, value: null };
  promise.then((v) => (t.value = v), () => undefined);
  return t;
}

/** Flags of the given client ids, from `CLIENT LIST ID …`. */
async function flagsOf(admin: RespClient, ids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (ids.length === 0) return out;
  const reply = await admin.call(['CLIENT', 'LIST', 'ID', ...ids]);
  const text = String(reply[1]).replace(/^txt:/, ''); // RESP3: a verbatim string
  for (const line of text.split('\n')) {
    const id = /(?:^| )id=(\d+)/.exec(line)?.[1];
    const flags = /(?:^| )flags=(\S+)/.exec(line)?.[1];
    if (id && flags) out.set(id, flags);
  }
  return out;
}

/** The live side: an admin (pusher) connection and one connection per waiter. */
export class LiveRounds {
  private ids: string[] = [];
  private constructor(
    private readonly admin: RespClient,
    private readonly conns: RespClient[],
  ) {}

  static async open(connect: () => Promise<RespClient>, waiters = 4): Promise<LiveRounds> {
    const admin = await connect();
    const conns = await Promise.all(Array.from({ length: waiters }, connect));
    const live = new LiveRounds(admin, conns);
    live.ids = await Promise.all(conns.map(async (c) => String((await c.call(['CLIENT', 'ID']))[1])));
    return live;
  }

  close(): void {
    this.admin.close();
    for (const c of this.conns) c.close();
  }

  async run(round: Round, readState: (call: Call) => Promise<Array<[string, string[], Typed]>>): Promise<Transcript> {
    const events: Transcript['events'] = [];
    const admin = this.admin;
    await admin.call(['FLUSHALL']);
    await admin.hello(round.resp);
    await Promise.all(this.conns.map((c) => c.hello(round.resp)));
    for (const argv of round.setup) events.push(['setup', argv, await admin.call(argv)]);

    const calls: Array<Tracked | null> = [];
    const blocked = new Set<number>();
    // Only the waiters that can be served are followed command by command (short ones time out alone).
    const reported = new Set<number>();
    const followed = () => [...blocked].filter((i) => !isShort(round.waiters[i]) && !reported.has(i));
    /** Which followed waiters the last command served (Redis serves them before reading the next command). */
    const served = async (after: string) => {
      const watching = followed();
      const flags = await flagsOf(admin, watching.map((i) => this.ids[i]));
      for (const i of watching) {
        if ((flags.get(this.ids[i]) ?? '').includes('b')) continue;
        reported.add(i);
        const reply = await withTimeout(calls[i]!.promise, round.waiters[i].argv.join(' '));
        events.push([`waiter ${i} served after ${after}`, round.waiters[i].argv, reply]);
      }
    };
    for (let i = 0; i < round.waiters.length; i++) {
      const w = round.waiters[i];
      const call = track(this.conns[i].call(w.argv));
      calls.push(call);
      const started = performance.now();
      for (;;) {
        if (call.value !== null) break;
        const flags = (await flagsOf(admin, [this.ids[i]])).get(this.ids[i]) ?? '';
        if (flags.includes('b')) {
          blocked.add(i);
          break;
        }
        if (performance.now() - started > WAIT_MS) throw new Error(`waiter ${i} neither blocked nor answered: ${w.argv.join(' ')}`);
        await sleep(1);
      }
      // A short timeout may run out before the poll sees the flag (a slow machine): that waiter blocked.
      if (isShort(w) && call.value !== null && call.value[0] === '_') blocked.add(i);
      if (blocked.has(i)) events.push([`waiter ${i} blocked`, w.argv, ['_']]);
      else events.push([`waiter ${i} answered at once`, w.argv, call.value!]);
      // A BLMOVE/BRPOPLPUSH answered at once pushes to its destination, which may serve others.
      if (!blocked.has(i)) await served(`waiter ${i}`);
    }

    for (let p = 0; p < round.pushes.length; p++) {
      const push = round.pushes[p];
      if ('tx' in push) {
        const replies = await admin.pipeline([['MULTI'], ...push.tx, ['EXEC']]);
        replies.forEach((reply, j) => events.push([`push ${p}`, j === 0 ? ['MULTI'] : j <= push.tx.length ? push.tx[j - 1] : ['EXEC'], reply]));
      } else {
        events.push([`push ${p}`, push.argv, await admin.call(push.argv)]);
      }
      await served(`push ${p}`);
    }

    // Release: the followed waiters still blocked, in waiter order; then the short ones time out.
    for (const i of followed()) {
      const how = round.release === 'error' ? ['CLIENT', 'UNBLOCK', this.ids[i], 'ERROR'] : ['CLIENT', 'UNBLOCK', this.ids[i]];
      await admin.call(how);
      events.push([`waiter ${i} released (${round.release})`, round.waiters[i].argv, await withTimeout(calls[i]!.promise, how.join(' '))]);
    }
    for (const i of [...blocked].filter((j) => isShort(round.waiters[j]))) {
      events.push([`waiter ${i} timed out`, round.waiters[i].argv, await withTimeout(calls[i]!.promise, round.waiters[i].argv.join(' '))]);
    }
    events.push(...(await readState((argv) => admin.call(argv))));
    return { events };
  }
}

/** Runs a command on the emulator: its typed reply, or the blocked marker. */
function execute(cache: ManagedRedis, client: ClientState, argv: readonly string[], resp: 2 | 3): { typed: Typed } | { marker: BlockedReply } {
  let reply: Reply;
  try {
    reply = cache.executeReply(argv, client);
  } catch (error) {
    if (error instanceof ReplyError) return { typed: ['-', error.message] };
    throw error;
  }
  return isBlockedReply(reply) ? { marker: reply } : { typed: toTyped(reply, resp) };
}

/** The emulator side of a round: a fresh cache on a virtual clock, one connection state per client. */
export async function emulateRound(round: Round, readState: (call: Call) => Promise<Array<[string, string[], Typed]>>): Promise<Transcript> {
  const events: Transcript['events'] = [];
  const cache = new ManagedRedis({ clusterPolicy: 'NoCluster', clock: 'virtual', seed: 1, evictionPolicy: 'noeviction' });
  try {
    const admin = cache.openClient({ name: null });
    admin.resp = round.resp;
    const run = (client: ClientState, argv: readonly string[]): Typed => {
      const result = execute(cache, client, argv, round.resp);
      return 'typed' in result ? result.typed : ['CRASH', 'a command outside the waiters blocked'];
    };
    for (const argv of round.setup) events.push(['setup', argv, run(admin, argv)]);

    const clients: ClientState[] = [];
    const calls: Array<Tracked | null> = [];
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    const reported = new Set<number>();
    const followed = () => calls.flatMap((c, i) => (c !== null && !isShort(round.waiters[i]) && !reported.has(i) ? [i] : []));
    /** Serves the waiters whose keys the last command made ready (as Redis does between commands). */
    const served = async (after: string) => {
      serveReadyClients(cache);
      await settle();
      for (const i of followed()) {
        if (calls[i]!.value === null) continue;
        reported.add(i);
        events.push([`waiter ${i} served after ${after}`, round.waiters[i].argv, calls[i]!.value!]);
      }
    };
    for (let i = 0; i < round.waiters.length; i++) {
      const w = round.waiters[i];
      const client = cache.openClient({ name: null });
      client.resp = round.resp;
      client.canBlock = true;
      clients.push(client);
      const first = execute(cache, client, w.argv, round.resp);
      if ('marker' in first) {
        calls.push(
          track(
            waitForReply(cache, client, w.argv, first.marker).then(
              (reply) => toTyped(reply, round.resp),
              (error: Error): Typed => (error instanceof ReplyError ? ['-', error.message] : ['CRASH', String(error)]),
            ),
          ),
        );
        events.push([`waiter ${i} blocked`, w.argv, ['_']]);
      } else {
        calls.push(null);
        events.push([`waiter ${i} answered at once`, w.argv, first.typed]);
        await served(`waiter ${i}`);
      }
    }

    for (let p = 0; p < round.pushes.length; p++) {
      const push = round.pushes[p];
      const argvs = 'tx' in push ? [['MULTI'], ...push.tx, ['EXEC']] : [push.argv];
      for (const argv of argvs) events.push([`push ${p}`, argv, run(admin, argv)]);
      await served(`push ${p}`);
    }

    for (const i of followed()) {
      const forever = Number(timeoutOf(round.waiters[i])) === 0;
      if (round.release === 'error') unblockClient(cache, clients[i], true);
      else if (forever) unblockClient(cache, clients[i], false);
      else cache.clock.advance(Math.ceil(Number(timeoutOf(round.waiters[i])) * 1000) + 1);
      await settle();
      events.push([`waiter ${i} released (${round.release})`, round.waiters[i].argv, calls[i]!.value ?? ['PENDING', 'still blocked after its release']]);
    }
    const shorts = calls.flatMap((c, i) => (c !== null && isShort(round.waiters[i]) ? [i] : []));
    if (shorts.length > 0) {
      cache.clock.advance(1_000);
      await settle();
    }
    for (const i of shorts) events.push([`waiter ${i} timed out`, round.waiters[i].argv, calls[i]!.value ?? ['PENDING', 'still blocked after its deadline']]);
    events.push(...(await readState(async (argv) => run(admin, argv as string[]))));
    return { events };
  } finally {
    cache.close();
  }
}

/**
 * Compares the two transcripts event by event: the same events (labels) in the same order, and
 * replies equal under the usual rules (known differences applied). Null when they agree.
 */
export function compareTranscripts(
  round: Round,
  live: Transcript,
  emulator: Transcript,
  onKnown: (id: string) => void,
): { index: number; note: string } | { cutBy: string } | null {
  /** A served waiter's answer as the known differences see it: with the write that served it. */
  const servedView = (label: string, argv: string[]): StepView | null => {
    const m = /^waiter \d+ served after (push|waiter) (\d+)$/.exec(label);
    if (!m) return null;
    const by = m[1] === 'waiter' ? [round.waiters[Number(m[2])].argv] : pushCommands(round.pushes[Number(m[2])]);
    return { ...viewOf(argv), servedBy: by };
  };
  const n = Math.max(live.events.length, emulator.events.length);
  for (let i = 0; i < n; i++) {
    const r = live.events[i];
    const e = emulator.events[i];
    if (!r || !e) return { index: i, note: `one side has fewer events (${r ? 'emulator' : 'live'})` };
    if (r[0] !== e[0]) {
      // The emulator served a waiter the live server left blocked: a known difference that skips?
      const view = servedView(e[0], e[1]);
      const known = view && knownDifferencesFor(view).find((d) => d.action.skip && d.action.diverges);
      if (known) {
        onKnown(known.id);
        return { cutBy: known.id };
      }
      return { index: i, note: `different events: live "${r[0]}", emulator "${e[0]}"` };
    }
    const view = servedView(r[0], r[1]);
    if (view) {
      // Only an accepted pair here: a skipping entry is about a waiter only one side served.
      const known = knownDifferencesFor(view).find((d) => d.action.accept?.(r[2], e[2], view));
      if (known) {
        onKnown(known.id);
        if (known.action.diverges) return { cutBy: known.id };
        continue;
      }
    }
    const note = compareReplies(r[1], r[2], e[2], onKnown);
    if (note !== null) return { index: i, note };
  }
  return null;
}

/** The commands of a push (a transaction's without MULTI and EXEC). */
function pushCommands(push: Push): string[][] {
  return 'tx' in push ? push.tx : [push.argv];
}
