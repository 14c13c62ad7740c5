/**
 * The recorded Redis 7.4.1 transcripts (../shared/oracle/redis-7.4.1) replayed through the RESP
 * server: each sequence on a fresh cache (as test/oracle/replay.test.ts builds it) behind
 * `cache.listen()`, sent by a raw RESP client over TCP, in RESP2 and in RESP3 (HELLO 3), and the
 * typed replies decoded from the wire compared with the recorded ones. This checks the encoder
 * and the server against Redis 7.4.1 itself, on top of the in-process replay.
 *
 * A blocking command that times out (`BRPOP k 0.01`) blocks on the TCP connection: the replay
 * advances the virtual clock in 10 ms steps until it answers, as time passed for the recording.
 *
 * By default a sample (the first 25 sequences of each group); `ORACLE_TCP_SAMPLE=all` replays all.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { blockingStats } from '../../src/blocking.js';
import { GROUPS, cacheForSequence, decodeArg, isFlatMap, loadGroup, oracleAvailable, sameReply, type Sequence, type StepMismatch, type Typed } from '../support/oracle.js';
import { RespClient } from '../support/resp-client.js';

const SAMPLE = process.env.ORACLE_TCP_SAMPLE === 'all' ? Infinity : Number(process.env.ORACLE_TCP_SAMPLE ?? 25);

/** Waits for `reply`, advancing the virtual clock while the connection is blocked in a command. */
async function answer(reply: Promise<Typed>, cache: ReturnType<typeof cacheForSequence>): Promise<Typed> {
  let settled = false;
  const done = reply.finally(() => {
    settled = true;
  });
  for (let advanced = 0; !settled; ) {
    await new Promise((resolve) => setImmediate(resolve));
    if (settled) break;
    if (blockingStats(cache).blockedClients > 0) {
      if (advanced > 60_000) throw new Error('still blocked after 60 s of virtual time');
      cache.clock.advance(10);
      advanced += 10;
    }
  }
  return done;
}

async function replayOverTcp(sequence: Sequence, resp: 2 | 3): Promise<{ commands: number; mismatch: StepMismatch | null }> {
  const cache = cacheForSequence(sequence);
  const server = await cache.listen();
  const client = await RespClient.connect(server.port);
  let commands = 0;
  try {
    if (resp === 3) await client.hello(3);
    for (let index = 0; index < sequence.steps.length; index++) {
      const step = sequence.steps[index];
      if (step.argv === undefined) continue; // out-of-band pushes: checked by the pub/sub suites
      const argv = step.argv.map(decodeArg);
      const expected = (resp === 2 ? step.resp2 : step.resp3) ?? step.resp2!;
      const actual = await answer(client.call(argv), cache);
      commands++;
      if (!sameReply(actual, expected, step.cmp, isFlatMap(step.argv))) {
        return { commands, mismatch: { seed: sequence.seed, index, argv: step.argv, expected, actual, cmp: step.cmp } };
      }
    }
    return { commands, mismatch: null };
  } finally {
    client.close();
    await server.close();
    cache.close();
  }
}

if (!oracleAvailable()) {
  it.skipIf(process.env.CI !== 'true')('needs the oracle transcripts (CI=true)', () => {
    throw new Error('oracle transcripts not found');
  });
} else {
  describe('oracle transcripts through the RESP server (TCP)', () => {
    const totals = { sequences: 0, commands: 0, mismatches: 0 };
    const lines: string[] = [];
    afterAll(() => {
      console.log(
        `oracle over TCP: ${totals.sequences} sequences, ${totals.commands} commands, ${totals.mismatches} mismatches\n` +
          lines.map((l) => `  ${l}`).join('\n'),
      );
    });

    for (const group of GROUPS) {
      for (const resp of [2, 3] as const) {
        it(`${group} RESP${resp}`, async () => {
          const sequences = loadGroup(group).slice(0, SAMPLE);
          const mismatches: StepMismatch[] = [];
          let commands = 0;
          for (const sequence of sequences) {
            const result = await replayOverTcp(sequence, resp);
            commands += result.commands;
            if (result.mismatch) mismatches.push(result.mismatch);
          }
          totals.sequences += sequences.length;
          totals.commands += commands;
          totals.mismatches += mismatches.length;
          lines.push(`${group} RESP${resp}: ${sequences.length - mismatches.length}/${sequences.length} sequences, ${commands} commands`);
          const shown = mismatches
            .slice(0, 3)
            .map((m) => `seed ${m.seed} step ${m.index}: ${JSON.stringify(m.argv)}\n  expected ${JSON.stringify(m.expected)}\n  actual   ${JSON.stringify(m.actual)}`)
            .join('\n');
          expect(mismatches, shown).toEqual([]);
          expect(commands).toBeGreaterThan(0);
        });
      }
    }
  });
}
