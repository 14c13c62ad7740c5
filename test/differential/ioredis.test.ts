/**
 * Client-level differential: the real `ioredis` on a live redis-server against the emulator's
 * `createClient()` on a NoCluster cache, over the seeded command sequences of generators.ts (every
 * implemented command that ioredis has a method for; the others through `call`), each call made in
 * one of ioredis's argument forms (client-calls.ts). Every sequence runs four ways, each on a
 * flushed server and a fresh cache:
 *
 * - `direct`: one awaited call at a time (generated transactions as `multi({ pipeline: false })`,
 *   the commands, `exec()` or `discard()`), on clients without options;
 * - `prefixed`: the same with `keyPrefix` (and `stringNumbers` on every other sequence);
 * - `pipeline`: the calls queued on `pipeline()` and `exec()`ed together (`[err, result]` pairs);
 * - `multi`: the calls queued on `multi()` (EXEC's results, or the EXECABORT rejection).
 *
 * Resolved values and rejections are compared exactly (client-calls.ts `judge`), then the whole
 * keyspace (harness.ts `readState`). Prints `N sequences, M calls, K mismatches`; any mismatch not
 * in known-differences.ts fails the test.
 *
 *   IOREDIS_DIFF_SEED=7 IOREDIS_DIFF_RUNS=1000 npx vitest run test/differential/ioredis.test.ts
 */
import fc from 'fast-check';
import IORedis, { type RedisOptions } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { allCommands } from '../../src/commands/index.js';
import { ManagedRedis } from '../../src/managed-redis.js';
import { Command as EmulatorCommand } from '../../src/client/command.js';
import type { ClientOptions } from '../../src/client/client.js';
import { describeLive } from '../support/live.js';
import { KEYS, VALUES, resolveArg, sequenceArb, showArgs, type Sequence } from './generators.js';
import { BLOCKING, compareReplies, readState, viewOf, type Call } from './harness.js';
import { knownDifferencesFor } from './known-differences.js';
import {
  FORMS,
  IOREDIS_METHODS,
  collectStream,
  defineAll,
  definedCall,
  invoke,
  pick,
  within,
  ioredisLoopsOnNumkeys,
  judge,
  looseTyped,
  planCall,
  plainCall,
  queue,
  sameResult,
  seededRandom,
  showCall,
  showResult,
  type ClientCall,
  type CommandClass,
  type Form,
  type Result,
  type StreamMethod,
} from './client-calls.js';

const SEED = Number(process.env.IOREDIS_DIFF_SEED ?? 20_261_123);
const RUNS = Number(process.env.IOREDIS_DIFF_RUNS ?? 300);
const SHOW = Number(process.env.IOREDIS_DIFF_SHOW ?? 5);
const PREFIX = 'prè:';

type Mode = 'direct' | 'prefixed' | 'pipeline' | 'multi';
const MODES: readonly Mode[] = ['direct', 'prefixed', 'pipeline', 'multi'];
/**
 * Commands that end or open a transaction, or execute a queue: they cannot be queued themselves.
 * WATCH is refused inside MULTI without a result in EXEC's array, so EXEC's results would no
 * longer line up with the calls (the `direct` way sends it inside transactions).
 */
const NOT_QUEUED = new Set(['multi', 'exec', 'discard', 'watch']);

type AnyClient = Record<string, unknown>;

const POOL_KEYS = KEYS.filter((k): k is string | Buffer => typeof k === 'string' || Buffer.isBuffer(k));
const POOL_VALUES = VALUES.filter((v): v is string | Buffer => typeof v === 'string' || Buffer.isBuffer(v));

interface Mismatch {
  mode: Mode;
  where: string;
  real: string;
  ours: string;
  note: string;
}

interface Tally {
  calls: number;
  forms: Map<string, number>;
  known: Map<string, number>;
  cut: Map<string, number>;
  methods: Set<string>;
  /** Calls left out of the prefixed runs because real ioredis would loop on their numkeys. */
  left: number;
}

/** One step of a sequence, as calls: a single call, a fixture (uncompared), or a transaction. */
type Planned = { call: ClientCall } | { fixture: ClientCall[] } | { tx: ClientCall[]; end: 'EXEC' | 'DISCARD' };

function plan(sequence: Sequence, t0: number, random: () => number, forms?: readonly Form[]): Planned[] {
  return sequence.steps.map((step): Planned => {
    if ('fixture' in step) {
      const key = resolveArg(step.key, t0);
      return { fixture: [plainCall(['DEL', key]), plainCall(['HSET', key, 'f', 'v'])] };
    }
    if ('tx' in step) return { tx: step.tx.map((argv) => planCall(argv.map((a) => resolveArg(a, t0)), random, forms)), end: step.end };
    return { call: planCall(step.argv.map((a) => resolveArg(a, t0)), random, forms) };
  });
}

describeLive('differential: ioredis on redis-server vs the emulator client', (redis) => {
  let realPlain: IORedis;
  const options = () => ({ port: redis.clientDifferential.port, host: redis.host, lazyConnect: true, maxRetriesPerRequest: 0 });

  beforeAll(async () => {
    realPlain = new IORedis(options());
    await realPlain.connect();
  });
  afterAll(async () => {
    await realPlain?.quit().catch(() => undefined);
  });

  /** The whole keyspace of one side, read with `callBuffer` on a client without options. */
  const reader =
    (client: AnyClient): Call =>
    async (argv) =>
      looseTyped(await (client.callBuffer as (...a: unknown[]) => Promise<unknown>).call(client, ...argv).catch((e: unknown) => e));

  async function runOne(sequence: Sequence, index: number, mode: Mode, tally: Tally): Promise<Mismatch | null> {
    await realPlain.flushall();
    const time = (await realPlain.call('TIME')) as [string, string];
    const t0 = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000);
    const stringNumbers = mode === 'prefixed' && index % 2 === 1;
    // Every other prefixed run has a Buffer prefix (ioredis concatenates bytes then).
    const prefix = index % 4 >= 2 ? Buffer.from(PREFIX) : PREFIX;
    const clientOptions = mode === 'prefixed' ? { keyPrefix: prefix, stringNumbers } : {};
    const prefixed = (key: string | Buffer) => (mode === 'prefixed' ? Buffer.concat([Buffer.from(prefix), Buffer.from(key)]) : key);
    // A new connection per run on both sides: connection state (WATCH, the scripts ioredis has sent
    // on this socket, which decide EVAL or EVALSHA) starts afresh, as the emulator's does.
    // ioredis types keyPrefix as a string; its Command concatenates a Buffer prefix as bytes.
    const realClient = new IORedis({ ...options(), ...clientOptions } as RedisOptions);
    await realClient.connect();
    const real = realClient as unknown as AnyClient;
    defineAll(real);
    const cache = new ManagedRedis({ clusterPolicy: 'NoCluster', seed: 1, evictionPolicy: 'noeviction' });
    const oursPlain = cache.createClient();
    const ours = (mode === 'prefixed' ? cache.createClient(clientOptions as ClientOptions) : oursPlain) as unknown as AnyClient;
    defineAll(ours);
    const random = seededRandom(SEED ^ (index * 7919) ^ MODES.indexOf(mode));
    // A hand-built Command is sent on its own, never queued.
    let steps = plan(sequence, t0, random, mode === 'pipeline' || mode === 'multi' ? FORMS.filter((f) => f !== 'command') : undefined);
    if (mode === 'prefixed') {
      const keep = (call: ClientCall) => !ioredisLoopsOnNumkeys(call.argv) || (tally.left++, false);
      steps = steps.map((step) => ('call' in step && !keep(step.call) ? { fixture: [] } : 'tx' in step ? { ...step, tx: step.tx.filter(keep) } : step));
    }
    const count = (call: ClientCall) => {
      tally.calls++;
      tally.forms.set(call.form, (tally.forms.get(call.form) ?? 0) + 1);
      tally.methods.add(call.method);
    };
    let cut: string | null = null;
    const run = (side: 'ioredis' | 'emulator', client: AnyClient, call: ClientCall) =>
      within(invoke(client, call, side === 'ioredis' ? (IORedis.Command as unknown as CommandClass) : (EmulatorCommand as unknown as CommandClass)), `${side} ${showCall(call)} (sequence ${index}, ${mode})`);
    const note = (id: string) => tally.known.set(id, (tally.known.get(id) ?? 0) + 1);
    /** Judges one pair; a mismatch, or null (and notes a known difference or a divergence). */
    const check = async (call: ClientCall, r: Result, o: Result, where: string): Promise<Mismatch | null> => {
      const name = String(call.argv[0]).toUpperCase();
      let keyType: string | undefined;
      if (name === 'OBJECT' && call.argv.length > 2) keyType = await realPlain.type(prefixed(call.argv[2]));
      const verdict = judge(call.argv, r, o, { keyType, stringNumbers });
      if (verdict.known) note(verdict.known);
      if (verdict.diverges && cut === null) cut = verdict.known ?? `${name} (random pick)`;
      return verdict.note === null ? null : { mode, where, real: showResult(r), ours: showResult(o), note: verdict.note };
    };
    /**
     * An `exec()` result: both resolved with `[err, result]` pairs (compared pair by pair with the
     * queued calls), both `null`, or both rejected alike (EXECABORT with `previousErrors`).
     */
    const compareExec = async (calls: ClientCall[], r: Result, o: Result, where: string): Promise<Mismatch | null> => {
      const pairs = (x: Result) => ('ok' in x && Array.isArray(x.ok) && x.ok.length === calls.length ? (x.ok as Array<[unknown, unknown]>) : null);
      const [rp, op] = [pairs(r), pairs(o)];
      if (rp === null || op === null) {
        // A queued command that one server version refuses and the other runs (a known difference
        // with `skip`, such as ZRANK … WITHSCORE) aborts the whole transaction on one side only.
        const known = calls.flatMap((call) => knownDifferencesFor(viewOf(call.argv)).filter((d) => d.action.skip));
        if (known.length > 0 && !sameResult(r, o)) {
          note(known[0].id);
          cut ??= known[0].id;
          return null;
        }
        return check({ ...plainCall(['EXEC']), compared: true }, r, o, where);
      }
      for (let i = 0; i < calls.length; i++) {
        if (!calls[i].compared) continue;
        const asResult = ([error, value]: [unknown, unknown]): Result => (error ? { error } : { ok: value });
        const m = await check(calls[i], asResult(rp[i]), asResult(op[i]), `${where}, result ${i}: ${showCall(calls[i])}`);
        if (m) return m;
      }
      return null;
    };

    /** After the steps: calls of the defined commands, then scan streams over the keyspace. */
    const extras = async (): Promise<Mismatch | null> => {
      for (let i = 0; i < 3; i++) {
        const call = definedCall(random, POOL_KEYS, POOL_VALUES);
        count(call);
        const m = await check(call, await run('ioredis', real, call), await run('emulator', ours, call), `defined command: ${showCall(call)}`);
        if (m) return m;
      }
      const streams: Array<[StreamMethod, string | Buffer | undefined]> = [[random() < 0.25 ? 'scanBufferStream' : 'scanStream', undefined]];
      for (const key of [pick(random, POOL_KEYS), pick(random, POOL_KEYS)]) {
        const type = await realPlain.type(prefixed(key));
        const base = type === 'set' ? 'sscan' : type === 'zset' ? 'zscan' : 'hscan';
        streams.push([`${base}${random() < 0.25 ? 'BufferStream' : 'Stream'}` as StreamMethod, key]);
      }
      for (const [method, key] of streams) {
        const options: Record<string, unknown> = {};
        if (random() < 0.5) options.count = pick(random, [1, 2, 10]);
        if (random() < 0.4) options.match = pick(random, ['*', '{t}*', '*a*', 'k:?', '[ab]']);
        if (key === undefined && random() < 0.3) options.type = pick(random, ['string', 'hash', 'list', 'zset']);
        const what = `${method}(${key === undefined ? '' : `${showArgs([key])}, `}${JSON.stringify(options)})`;
        tally.calls++;
        tally.forms.set('stream', (tally.forms.get('stream') ?? 0) + 1);
        const [r, o] = [
          await within(collectStream(real, method, key, options), `ioredis ${what}`),
          await within(collectStream(ours, method, key, options), `emulator ${what}`),
        ];
        // Items as sorted units: an exact comparison (the stream's batches are the server's
        // business), except that scores may be printed as 7.0 or 7.4 print them (double-formatting).
        const same = method.startsWith('zscan') ? judge(['ZRANGE', key!, '0', '-1', 'WITHSCORES'], r, o, { stringNumbers }) : { note: sameResult(r, o) ? null : 'different items' };
        if (same.note !== null) return { mode, where: `scan stream ${what}`, real: showResult(r), ours: showResult(o), note: same.note };
      }
      return null;
    };

    try {
      if (mode === 'direct' || mode === 'prefixed') {
        for (let i = 0; i < steps.length && cut === null; i++) {
          const step = steps[i];
          if ('fixture' in step) {
            for (const call of step.fixture) await Promise.all([run('ioredis', real, call), run('emulator', ours, call)]);
          } else if ('call' in step) {
            count(step.call);
            // Blocking commands time out in real time on both sides (generated timeouts are short).
            const [r, o] = BLOCKING.has(String(step.call.argv[0]).toUpperCase())
              ? await Promise.all([run('ioredis', real, step.call), run('emulator', ours, step.call)])
              : [await run('ioredis', real, step.call), await run('emulator', ours, step.call)];
            const m = await check(step.call, r, o, `step ${i}: ${showCall(step.call)}`);
            if (m) return m;
          } else {
            const multi: ClientCall = { argv: ['MULTI'], method: 'multi', form: 'positional', args: () => [{ pipeline: false }], compared: true };
            const end: ClientCall = { argv: [step.end], method: step.end.toLowerCase(), form: 'positional', args: () => [], compared: true };
            for (const call of [multi, ...step.tx]) {
              count(call);
              const m = await check(call, await run('ioredis', real, call), await run('emulator', ours, call), `step ${i} (transaction): ${showCall(call)}`);
              if (m) return m;
            }
            count(end);
            const [r, o] = [await run('ioredis', real, end), await run('emulator', ours, end)];
            const m = await compareExec(step.tx, r, o, `step ${i}: ${step.end}`);
            if (m) return m;
          }
        }
        if (cut === null) {
          const m = await extras();
          if (m) return m;
        }
      } else {
        const calls = steps.flatMap((step) =>
          'fixture' in step ? step.fixture : 'call' in step ? [step.call] : mode === 'multi' ? step.tx : [],
        ).filter((call) => !NOT_QUEUED.has(String(call.argv[0]).toLowerCase()));
        // Transactions' commands only go into multi(): a blocking one there may have a timeout
        // of 0, which would block a pipeline for good.
        const runnable = [...calls, ...Array.from({ length: 3 }, () => definedCall(random, POOL_KEYS, POOL_VALUES))];
        const heard: [Map<number, Result>, Map<number, Result>] = [new Map(), new Map()];
        const build = async (client: AnyClient, side: 0 | 1): Promise<Result> => {
          const chain = (client[mode] as () => AnyClient).call(client);
          runnable.forEach((call, i) => queue(chain, call, i, heard[side]));
          try {
            return { ok: await (chain.exec as () => Promise<unknown>).call(chain) };
          } catch (error) {
            return { error };
          } finally {
            // Per-command callbacks run around exec()'s settling; let them all land.
            await new Promise((resolve) => setImmediate(resolve));
          }
        };
        runnable.filter((c) => c.compared).forEach(count);
        const what = (side: string) => `${side} ${mode}.exec() of sequence ${index}: ${runnable.map(showCall).join('; ')}`;
        const [r, o] = [await within(build(real, 0), what('ioredis')), await within(build(ours, 1), what('emulator'))];
        const m = await compareExec(runnable, r, o, `${mode}.exec() of ${runnable.length} calls`);
        if (m) return m;
        // Per-command callbacks: in a pipeline the command's result, in multi() its QUEUED.
        for (const [i, call] of runnable.entries()) {
          if (call.form !== 'callback' || cut !== null) continue;
          const [hr, ho] = [heard[0].get(i), heard[1].get(i)];
          if (hr === undefined || ho === undefined) {
            if (hr !== ho) return { mode, where: `callback of ${showCall(call)}`, real: String(hr && showResult(hr)), ours: String(ho && showResult(ho)), note: 'called on one side only' };
            continue;
          }
          const m = await check(call, hr, ho, `${mode} callback of result ${i}: ${showCall(call)}`);
          if (m) return m;
        }
      }
      if (cut !== null) {
        tally.cut.set(cut, (tally.cut.get(cut) ?? 0) + 1);
        return null;
      }
      const [theirs, mine] = [await readState(reader(realPlain as unknown as AnyClient)), await readState(reader(oursPlain as unknown as AnyClient))];
      for (let i = 0; i < Math.max(theirs.length, mine.length); i++) {
        const [label, argv, r] = theirs[i] ?? ['missing', [], ['_']];
        const e = mine[i]?.[2] ?? ['missing'];
        const note = compareReplies(argv, r, e);
        if (note !== null) return { mode, where: `${label}: ${showArgs(argv)}`, real: JSON.stringify(r), ours: JSON.stringify(e), note };
      }
      return null;
    } finally {
      await realClient.quit().catch(() => undefined);
      await oursPlain.quit().catch(() => undefined);
      if (ours !== (oursPlain as unknown as AnyClient)) await (ours.quit as () => Promise<unknown>)().catch(() => undefined);
      cache.close();
    }
  }

  it(`ioredis and the emulator client agree (seed ${SEED}, ${RUNS} sequences × ${MODES.length} ways)`, async () => {
    const arb = sequenceArb(allCommands, 20);
    const sequences = fc.sample(arb, { seed: SEED, numRuns: RUNS });
    const tally: Tally = { calls: 0, forms: new Map(), known: new Map(), cut: new Map(), methods: new Set(), left: 0 };
    const failures: Array<{ index: number; mismatch: Mismatch }> = [];
    let runs = 0;
    for (const [index, sequence] of sequences.entries()) {
      for (const mode of MODES) {
        runs++;
        const mismatch = await runOne(sequence, index, mode, tally);
        if (mismatch) failures.push({ index, mismatch });
      }
    }
    const drawn = new Set([...tally.methods].map((m) => m.replace(/Buffer$/, '')));
    const commandMethods = [...drawn].filter((m) => IOREDIS_METHODS.has(m));
    const implementedMethods = allCommands.filter((c) => IOREDIS_METHODS.has(c.name)).map((c) => c.name);
    const implemented = implementedMethods.length;
    const notCalled = implementedMethods.filter((n) => !drawn.has(n));
    const show = (f: (typeof failures)[number]) =>
      `sequence ${f.index} (${f.mismatch.mode}) ${f.mismatch.where}: ${f.mismatch.note}\n` +
      `    ioredis   ${f.mismatch.real}\n    emulator  ${f.mismatch.ours}`;
    console.log(
      `ioredis differential (redis-server ${redis.version}, seed ${SEED}): ${runs} sequences, ${tally.calls} calls, ${failures.length} mismatches\n` +
        `  forms: ${[...tally.forms].sort((a, b) => b[1] - a[1]).map(([f, n]) => `${f} ${n}`).join(', ')}\n` +
        `  command methods called: ${commandMethods.length} of the ${implemented} that ioredis has and the emulator implements ` +
        `(${[...tally.methods].filter((m) => m.endsWith('Buffer')).length} …Buffer twins); not called: ${notCalled.join(', ')}\n` +
        `  known differences applied: ${tally.known.size ? [...tally.known].map(([id, n]) => `${id} ×${n}`).join(', ') : 'none'}\n` +
        `  calls left out of keyPrefix runs (ioredis loops on a huge numkeys): ${tally.left}\n` +
        `  runs cut short after a difference that leaves the data different: ${tally.cut.size ? [...tally.cut].map(([id, n]) => `${id} ×${n}`).join(', ') : 'none'}`,
    );
    if (failures.length > 0) console.log(`first mismatches:\n${failures.slice(0, SHOW).map(show).join('\n\n')}`);
    expect(failures.length, failures[0] ? show(failures[0]) : '').toBe(0);
    expect(tally.calls).toBeGreaterThan(0);
  }, Math.max(60_000, RUNS * 2_000));
});
