/**
 * Seeded random command sequences (fast-check) over every implemented command, run on the live
 * `redis-server` (its own standalone instance, FLUSHALL between sequences) and on a fresh emulator,
 * comparing every reply (see harness.ts for how, known-differences.ts for the accepted exceptions).
 *
 * Prints `N sequences, M commands, K mismatches` and asserts K = 0. On a mismatch it prints the
 * first few failing sequences, then lets fast-check shrink the first one to a minimal sequence.
 *
 *   DIFF_SEED=123 DIFF_RUNS=2000 npx vitest run test/differential/random.test.ts
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { allCommands } from '../../src/commands/index.js';
import { describeLive } from '../support/live.js';
import { RespClient } from '../support/resp-client.js';
import { coveredCommands, genericCommands, sequenceArb, type Sequence } from './generators.js';
import { DifferentialRunner, describeSequence, type Mismatch } from './harness.js';

const SEED = Number(process.env.DIFF_SEED ?? 20_261_123);
const RUNS = Number(process.env.DIFF_RUNS ?? 600);
const SHOW = Number(process.env.DIFF_SHOW ?? 5);

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
    for (const sequence of sequences) {
      const outcome = await runner.run(sequence);
      commands += outcome.commands;
      for (const [id, n] of outcome.skipped) skipped.set(id, (skipped.get(id) ?? 0) + n);
      for (const [text, n] of outcome.errors) errors.set(text, (errors.get(text) ?? 0) + n);
      for (const step of sequence.steps) {
        const name = 'fixture' in step ? '(fixture)' : String(step.argv[0]).toLowerCase();
        perCommand.set(name, (perCommand.get(name) ?? 0) + 1);
      }
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
        `  covered: ${coveredCommands(allCommands).length} of ${allCommands.length} declared commands`,
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
  });
});
