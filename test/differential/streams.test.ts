/**
 * Seeded random sequences of stream commands only (the generators of generators.ts, drawn from
 * the stream declarations), run on the live `redis-server` and on a fresh emulator, every reply
 * compared (known-differences.ts applies). The whole-suite random test draws a stream command only
 * now and then, so streams there rarely grow groups and PELs; here every step is one, on three
 * stream keys, so XADD, groups, deliveries, claims, trims and XINFO meet the same streams.
 *
 *   DIFF_SEED=123 DIFF_STREAM_RUNS=2000 npx vitest run test/differential/streams.test.ts
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { allCommands } from '../../src/commands/index.js';
import { describeLive } from '../support/live.js';
import { RespClient } from '../support/resp-client.js';
import { sequenceArb, type Sequence, type Step } from './generators.js';
import { DifferentialRunner, describeSequence } from './harness.js';

const SEED = Number(process.env.DIFF_SEED ?? 20_261_123);
const RUNS = Number(process.env.DIFF_STREAM_RUNS ?? 300);

/**
 * A prefix that fills the stream keys with entries of increasing IDs (random steps seldom append
 * more than a few: most drawn IDs are not above the top item), some with long values, so that
 * streams span several nodes (stream-node-max-entries 100, stream-node-max-bytes 4096) before the
 * random steps trim, delete, read and claim.
 */
const fill: fc.Arbitrary<Step[]> = fc
  .array(
    fc.tuple(
      fc.constantFrom('xs1', 'xs2', '{t}xs'),
      fc.integer({ min: 0, max: 140 }),
      fc.integer({ min: 0, max: 30 }),
      fc.constantFrom('f', 'g'),
    ),
    { maxLength: 3 },
  )
  .map((specs) =>
    specs.flatMap(([key, count, longEvery, field]) => {
      const steps: Step[] = [];
      for (let i = 1; i <= count; i++) {
        const long = longEvery > 0 && i % longEvery === 0;
        steps.push({ argv: ['XADD', key, `${i}-${i % 3}`, field, long ? 'v'.repeat(400 + 37 * i) : String(i)] });
      }
      return steps;
    }),
  );

describeLive('differential: random stream command sequences vs a live redis-server', (redis) => {
  let client: RespClient;
  beforeAll(async () => {
    client = await RespClient.connect(redis.differential.port, redis.host);
  });
  afterAll(() => client?.close());

  it(`replies agree (seed ${SEED}, ${RUNS} sequences)`, async () => {
    const streams = allCommands.filter((spec) => /^x[a-z]+$/.test(spec.name));
    expect(streams.map((s) => s.name).sort()).toEqual(
      ['xack', 'xadd', 'xautoclaim', 'xclaim', 'xdel', 'xgroup', 'xinfo', 'xlen', 'xpending', 'xrange', 'xread', 'xreadgroup', 'xrevrange', 'xsetid', 'xtrim'],
    );
    const runner = new DifferentialRunner(client, new Set(allCommands.map((spec) => spec.name)));
    const arb = fc
      .tuple(fc.oneof({ weight: 1, arbitrary: fc.constant<Step[]>([]) }, { weight: 2, arbitrary: fill }), sequenceArb(streams, 40))
      .map(([prefix, sequence]): Sequence => ({ resp: sequence.resp, steps: [...prefix, ...sequence.steps] }));
    const sequences = fc.sample(arb, { seed: SEED, numRuns: RUNS });
    let commands = 0;
    const failures: string[] = [];
    const errors = new Map<string, number>();
    const drawn = new Map<string, number>();
    for (const sequence of sequences) {
      const outcome = await runner.run(sequence);
      commands += outcome.commands;
      for (const [text, n] of outcome.errors) errors.set(text, (errors.get(text) ?? 0) + n);
      for (const step of sequence.steps) {
        if ('argv' in step) drawn.set(String(step.argv[0]).toLowerCase(), (drawn.get(String(step.argv[0]).toLowerCase()) ?? 0) + 1);
      }
      const m = outcome.mismatch;
      if (m) {
        const upTo = m.step < 0 ? sequence.steps.length : m.step + 1;
        failures.push(
          `${describeSequence(sequence, upTo)}\n  step ${m.step}: ${m.command} — ${m.note}\n` +
            `    redis-server ${JSON.stringify(m.redis)}\n    emulator     ${JSON.stringify(m.emulator)}`,
        );
      }
    }
    const replies = [...errors.values()].reduce((a, b) => a + b, 0);
    console.log(
      `stream differential (redis-server ${redis.version}, seed ${SEED}): ${sequences.length} sequences, ${commands} commands, ` +
        `${failures.length} mismatches; ${replies} error replies with ${errors.size} distinct texts\n` +
        `  drawn: ${[...drawn].sort((a, b) => b[1] - a[1]).map(([n, c]) => `${n} ${c}`).join(', ')}`,
    );
    expect(failures.length, failures.slice(0, 3).join('\n\n')).toBe(0);
    // The sequences reach the interesting paths, not only errors.
    expect(errors.size).toBeGreaterThan(20);
    expect(commands).toBeGreaterThan(RUNS * 20);
  }, Math.max(60_000, RUNS * 100));
});
