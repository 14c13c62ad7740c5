/**
 * Replays recorded Redis 7.4.1 transcripts against the emulator and prints what matched.
 *
 *   npx tsx scripts/oracle-report.ts [group …|all] [--resp 2|3] [--show N] [--command NAME]
 *
 * `--command NAME` shows only mismatches whose failing step runs NAME.
 */
import { GROUPS, replayGroup, replayProbes } from '../test/support/oracle.js';
import { buildCommandTable } from '../src/commands/index.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : fallback;
};
const resps = flag('--resp', 'both');
const show = Number(flag('--show', '5'));
const command = flag('--command', '').toUpperCase();
const groups = args.length === 0 || args[0] === 'all' ? [...GROUPS] : args;

for (const group of groups) {
  for (const resp of resps === 'both' ? ([2, 3] as const) : ([Number(resps)] as Array<2 | 3>)) {
    const result = replayGroup(group, resp);
    console.log(`${group} RESP${resp}: ${result.matched}/${result.total} sequences fully matched`);
    const shown = result.mismatches.filter((m) => !command || String(m.argv[0]).toUpperCase() === command);
    for (const m of shown.slice(0, show)) {
      console.log(`  seed ${m.seed} step ${m.index}: ${JSON.stringify(m.argv)}${m.cmp ? ` (${m.cmp})` : ''}`);
      console.log(`    expected ${JSON.stringify(m.expected)}`);
      console.log(`    actual   ${JSON.stringify(m.actual)}`);
    }
  }
}

const table = buildCommandTable();
const probes = replayProbes((name) => table.has(name));
console.log(`probes of implemented commands: ${probes.checked - probes.mismatches.length}/${probes.checked} matched`);
for (const m of probes.mismatches.slice(0, show)) {
  console.log(`  ${JSON.stringify(m.argv)} expected ${JSON.stringify(m.expected)} actual ${JSON.stringify(m.actual)}`);
}
