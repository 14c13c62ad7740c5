/**
 * Seeded random command sequences (fast-check) over every implemented command, run on the live
 * `redis-server` (its own standalone instance, FLUSHALL between sequences) and on a fresh emulator,
 * comparing every reply (see harness.ts for how, known-differences.ts for the accepted exceptions).
 *
 * Prints `N sequences, M commands, K mismatches` and asserts K = 0. On a mismatch it prints the
 * first few failing sequences, then lets fast-check shrink the first one to a minimal sequence.
 *
 * The second test runs blocking-rounds.ts: several clients block (BLPOP … BZMPOP) and another
 * client's pushes arrive in a random order; who got what, in what order, and the timeouts are
 * compared, and it prints the same figures.
 *
 *   DIFF_SEED=123 DIFF_RUNS=2000 DIFF_ROUNDS=1000 npx vitest run test/differential/random.test.ts
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { allCommands } from '../../src/commands/index.js';
import { describeLive } from '../support/live.js';
import { RespClient } from '../support/resp-client.js';
import { coveredCommands, genericCommands, sequenceArb, type Sequence } from './generators.js';
import { DifferentialRunner, describeSequence, readState, type Mismatch } from './harness.js';
import { LiveRounds, compareTranscripts, describeRound, emulateRound, isShort, roundArb, type Round, type Transcript } from './blocking-rounds.js';

const SEED = Number(process.env.DIFF_SEED ?? 20_261_123);
const RUNS = Number(process.env.DIFF_RUNS ?? 600);
const SHOW = Number(process.env.DIFF_SHOW ?? 5);
const ROUNDS = Number(process.env.DIFF_ROUNDS ?? 250);

function describeMismatch(sequence: Sequence, mismatch: Mismatch): string {
  const upTo = mismatch.step < 0 ? sequence.steps.length : mismatch.step + 1;
  return (
    `${describeSequence(sequence, upTo)}\n` +
    `  ${mismatch.step < 0 ? 'after the last step' : `step ${mismatch.step}`}: ${mismatch.command} — ${mismatch.note}\n` +
    `    redis-server ${JSON.stringify(mismatch.redis)}\n` +
    `    emulator     ${JSON.stringify(mismatch.emulator)}`
  );
}

describeLive('differential: random command sequences vs a live redis-server', (redis) => {
  let client: RespClient;
  beforeAll(async () => {
    client = await RespClient.connect(redis.differential.port, redis.host);
  });
  afterAll(() => client?.close());

  it(`replies agree (seed ${SEED}, ${RUNS} sequences)`, async () => {
    const implemented = new Set(allCommands.map((spec) => spec.name));
    const arb = sequenceArb(allCommands);
    const runner = new DifferentialRunner(client, implemented);
    const sequences = fc.sample(arb, { seed: SEED, numRuns: RUNS });

    let commands = 0;
    const skipped = new Map<string, number>();
    const failures: Array<{ sequence: Sequence; mismatch: Mismatch }> = [];
    const perCommand = new Map<string, number>();
    const errors = new Map<string, number>();
    const cut = new Map<string, number>();
    for (const sequence of sequences) {
      const outcome = await runner.run(sequence);
      commands += outcome.commands;
      for (const [id, n] of outcome.skipped) skipped.set(id, (skipped.get(id) ?? 0) + n);
      for (const [text, n] of outcome.errors) errors.set(text, (errors.get(text) ?? 0) + n);
      for (const step of sequence.steps) {
        const names = 'fixture' in step ? ['(fixture)'] : 'tx' in step ? ['multi', ...step.tx.map((argv) => `${String(argv[0]).toLowerCase()} (in multi)`)] : [String(step.argv[0]).toLowerCase()];
        for (const name of names) perCommand.set(name, (perCommand.get(name) ?? 0) + 1);
      }
      if (outcome.cutBy !== null) cut.set(outcome.cutBy, (cut.get(outcome.cutBy) ?? 0) + 1);
      if (outcome.mismatch) failures.push({ sequence, mismatch: outcome.mismatch });
    }

    const generic = genericCommands(allCommands);
    console.log(
      `differential (redis-server ${redis.version}, seed ${SEED}): ` +
        `${sequences.length} sequences, ${commands} commands, ${failures.length} mismatches\n` +
        `  commands drawn: ${[...perCommand].sort((a, b) => b[1] - a[1]).map(([n, c]) => `${n} ${c}`).join(', ')}\n` +
        `  generic arguments only: ${generic.length ? generic.join(', ') : 'none'}\n` +
        `  error replies: ${[...errors.values()].reduce((a, b) => a + b, 0)} with ${errors.size} distinct texts` +
        (process.env.DIFF_ERRORS ? `\n${[...errors].sort((a, b) => b[1] - a[1]).map(([t, n]) => `    ${n} ${t}`).join('\n')}` : '') +
        '\n' +
        `  known differences applied: ${skipped.size ? [...skipped].map(([id, n]) => `${id} ×${n}`).join(', ') : 'none'}\n` +
        `  sequences cut short after a 7.0-vs-7.4 write difference: ${cut.size ? [...cut].map(([id, n]) => `${id} ×${n}`).join(', ') : 'none'}\n` +
        `  covered: ${coveredCommands(allCommands).length} of ${allCommands.length} declared commands; not drawn ` +
          `(EXCLUDED_FROM_RANDOM, with reasons): ${allCommands.map((c) => c.name).filter((n) => !coveredCommands(allCommands).includes(n)).join(', ')}`,
    );

    if (failures.length > 0) {
      const byCommand = new Map<string, number>();
      for (const f of failures) {
        const name = f.mismatch.command.split(' ')[0].replace(/"/g, '').toUpperCase();
        byCommand.set(name, (byCommand.get(name) ?? 0) + 1);
      }
      console.log(`mismatching commands: ${[...byCommand].sort((a, b) => b[1] - a[1]).map(([n, c]) => `${n} ${c}`).join(', ')}`);
      console.log(`first mismatches:\n${failures.slice(0, SHOW).map((f) => describeMismatch(f.sequence, f.mismatch)).join('\n\n')}`);
      // Shrink: replay the same seed as a property and let fast-check minimise the first failure.
      let last: { sequence: Sequence; mismatch: Mismatch } | null = null;
      const details = await fc.check(
        fc.asyncProperty(arb, async (sequence) => {
          const outcome = await runner.run(sequence);
          if (outcome.mismatch) last = { sequence, mismatch: outcome.mismatch };
          return outcome.mismatch === null;
        }),
        { seed: SEED, numRuns: RUNS },
      );
      if (details.failed && details.counterexample) {
        const [minimal] = details.counterexample;
        const outcome = await runner.run(minimal);
        const shown = outcome.mismatch ? { sequence: minimal, mismatch: outcome.mismatch } : last;
        console.log(
          `minimal failing sequence (after ${details.numShrinks} shrinks):\n` +
            (shown ? describeMismatch(shown.sequence, shown.mismatch) : describeSequence(minimal)),
        );
      }
    }
    expect(
      failures.length,
      `${failures.length} of ${sequences.length} sequences mismatched; first:\n` +
        (failures[0] ? describeMismatch(failures[0].sequence, failures[0].mismatch) : ''),
    ).toBe(0);
    expect(commands).toBeGreaterThan(0);
  }, Math.max(60_000, RUNS * 60));

  it(`blocking pops interleaved with pushes agree (seed ${SEED}, ${ROUNDS} rounds)`, async () => {
    const live = await LiveRounds.open(() => RespClient.connect(redis.differential.port, redis.host));
    try {
      const rounds = fc.sample(roundArb, { seed: SEED, numRuns: ROUNDS });
      let commands = 0;
      let waiters = 0;
      const outcomes = new Map<string, number>();
      const perCommand = new Map<string, number>();
      const known = new Map<string, number>();
      let cut = 0;
      const failures: Array<{ round: Round; live: Transcript; emulator: Transcript; index: number; note: string }> = [];
      for (const round of rounds) {
        const theirs = await live.run(round, readState);
        const ours = await emulateRound(round, readState);
        commands += round.setup.length + round.pushes.reduce((n, p) => n + ('tx' in p ? p.tx.length + 2 : 1), 0);
        waiters += round.waiters.length;
        for (const w of round.waiters) perCommand.set(w.argv[0], (perCommand.get(w.argv[0]) ?? 0) + 1);
        for (const [label] of theirs.events) {
          const kind = /^waiter \d+ (.*?)( after (?:push|waiter) \d+)?$/.exec(label)?.[1];
          if (kind) outcomes.set(kind, (outcomes.get(kind) ?? 0) + 1);
        }
        const result = compareTranscripts(round, theirs, ours, (id) => known.set(id, (known.get(id) ?? 0) + 1));
        if (result !== null && 'cutBy' in result) cut++;
        else if (result !== null) failures.push({ round, live: theirs, emulator: ours, ...result });
      }
      const short = rounds.reduce((n, r) => n + r.waiters.filter(isShort).length, 0);
      console.log(
        `blocking rounds (redis-server ${redis.version}, seed ${SEED}): ${rounds.length} sequences, ` +
          `${commands + waiters} commands (${waiters} blocking, ${short} of them with a real short timeout), ${failures.length} mismatches\n` +
          `  blocking commands: ${[...perCommand].sort().map(([n, c]) => `${n} ${c}`).join(', ')} ` +
          `(covered: ${perCommand.size} of ${allCommands.filter((c) => c.flags.includes('blocking') && c.name !== 'wait').length} declared blocking pops)\n` +
          `  waiter outcomes (live): ${[...outcomes].map(([k, n]) => `${k} ${n}`).join(', ')}\n` +
          `  known differences applied: ${known.size ? [...known].map(([id, n]) => `${id} ×${n}`).join(', ') : 'none'}` +
          ` (${cut} rounds not compared past one of them, where the two sides then hold different data)`,
      );
      const show = (f: (typeof failures)[number]) =>
        `${describeRound(f.round)}\n  event ${f.index}: ${f.note}\n` +
        `    redis-server ${JSON.stringify(f.live.events.slice(0, f.index + 1).map(([l, a, r]) => `${l}: ${a.join(' ')} → ${JSON.stringify(r)}`), null, 1)}\n` +
        `    emulator     ${JSON.stringify(f.emulator.events[f.index])}`;
      if (failures.length > 0) console.log(`first mismatches:\n${failures.slice(0, SHOW).map(show).join('\n\n')}`);
      expect(failures.length, failures[0] ? show(failures[0]) : '').toBe(0);
    } finally {
      live.close();
    }
  }, Math.max(60_000, ROUNDS * 120));
});
