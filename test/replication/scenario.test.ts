import { beforeAll, describe, expect, it } from 'vitest';
import { ManagedRedis, at, keySlot, runScenario, type ScenarioReport } from '../../src/index.js';

beforeAll(async () => {
  await new ManagedRedis({ clock: 'virtual' }).ready();
});

function keyOn(shard: number, i: number): string {
  let n = 0;
  for (let j = 0; ; j++) {
    const key = `key:${j}`;
    if ((keySlot(key) < 8192 ? 0 : 1) === shard && n++ === i) return key;
  }
}

describe('scenario runner', () => {
  it('reports exactly the writes a failed primary had not replicated', () => {
    const cache = new ManagedRedis({ clock: 'virtual', seed: 1, replication: { lag: 250 } });
    const report = runScenario(cache, {
      durationMs: 15_000,
      actions: [at(1000, (c) => c.faults.failShard(0), 'shard 0 fails')],
      workload: { everyMs: 100, command: (i) => (i < 20 ? ['SET', keyOn(0, i), String(i)] : null) },
    });
    // SETs at 0…700 ms were applied by 950 ms; those at 800 and 900 ms were due after the failure.
    const lost = report.ops.filter((op) => op.outcome === 'lost').map((op) => op.argv);
    expect(lost).toEqual([
      ['SET', keyOn(0, 8), '8'],
      ['SET', keyOn(0, 9), '9'],
    ]);
    // From 1000 ms the shard had no primary until 1000 + 12 000 ms: every later SET failed.
    const failed = report.ops.filter((op) => op.outcome === 'failed');
    expect(failed.map((op) => op.i)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(failed[0].error).toBe('connect ECONNREFUSED 10.0.0.4:8501');
    expect(report).toMatchObject({ acknowledged: 8, failed: 10, lost: 2 });
    expect(report.downtimeMs).toEqual([12_000, 0]);
    expect(cache.execute(['GET', keyOn(0, 7)])).toBe('7');
    expect(cache.execute(['GET', keyOn(0, 8)])).toBe(null);
    const completed = report.events.find((e) => e.type === 'failover-completed');
    expect(completed?.data).toMatchObject({ effectsLost: 2, keysLost: [Buffer.from(keyOn(0, 8)), Buffer.from(keyOn(0, 9))] });
  });

  it('a shard that loses both copies loses every acknowledged write', () => {
    const cache = new ManagedRedis({ clock: 'virtual', seed: 1 });
    const report = runScenario(cache, {
      durationMs: 40_000,
      actions: [
        at(500, (c) => c.faults.failNode(0), 'node 0 fails'),
        at(600, (c) => c.faults.failNode(1), 'node 1 fails before the promotion'),
        at(30_000, (c) => c.faults.healNode(0), 'node 0 returns empty'),
      ],
      workload: { everyMs: 100, command: (i) => ['SET', keyOn(i % 2, i), String(i)] },
    });
    const shard0 = report.ops.filter((op) => op.shard === 0 && op.at < 500);
    expect(shard0.every((op) => op.outcome === 'lost')).toBe(true);
    expect(shard0).toHaveLength(3);
    expect(report.downtimeMs[0]).toBe(29_500);
  });

  it('planned failover and maintenance lose nothing', async () => {
    const cache = new ManagedRedis({ clock: 'virtual', seed: 2, replication: { lag: 40, jitter: 20, nodeReplacementMs: 2000 } });
    const report = runScenario(cache, {
      durationMs: 12_000,
      actions: [at(100, (c) => c.faults.failover(1)), at(1000, (c) => c.faults.maintenance())],
      workload: { everyMs: 10, command: (i) => ['INCR', `counter:${i % 7}`] },
    });
    expect(report.lost).toBe(0);
    expect(report.failed).toBeGreaterThan(0); // the short pauses of planned failovers
    expect(report.events.filter((e) => e.type === 'maintenance-completed')).toHaveLength(1);
    cache.replication.catchUp();
    for (const s of [0, 1]) expect(cache.replication.replicaDigest(s)).toBe(cache.replication.digest(s));
  });
});

/** A drill touching every moving part: lag function plus jitter, faults, planned failover, maintenance. */
function drill(seed: number): { report: ScenarioReport; digest: string } {
  const cache = new ManagedRedis({
    clock: 'virtual',
    seed,
    replication: {
      lag: (effect) => (effect.command === 'incr' ? 30 : 120),
      jitter: 80,
      nodeReplacementMs: 3000,
      lagThresholdMs: 150,
      lagSampleIntervalMs: 500,
    },
  });
  const report = runScenario(cache, {
    durationMs: 40_000,
    actions: [
      at(2_000, (c) => c.faults.failShard(0)),
      at(16_000, (c) => c.faults.healShard(0)),
      at(17_000, (c) => c.faults.failNode(1)),
      at(31_000, (c) => c.faults.healNode(1)),
      // After the full resyncs of node 1's copies (1 s plus the data at 100 MiB/s).
      at(33_000, (c) => c.faults.failover(1)),
      at(34_000, (c) => c.faults.maintenance()),
    ],
    workload: {
      everyMs: 50,
      command: (i, c) => {
        const k = c.rng.below(40);
        switch (i % 5) {
          case 0:
            return ['SET', `k:${k}`, String(i), 'PX', String(200 + c.rng.below(2000))];
          case 1:
            return ['INCR', `n:${k}`];
          case 2:
            return ['SADD', `s:${k % 4}`, String(k)];
          case 3:
            return ['SPOP', `s:${k % 4}`];
          default:
            return ['RPUSH', `l:${k % 3}`, String(i)];
        }
      },
    },
  });
  return { report, digest: cache.replication.digest() };
}

describe('determinism', () => {
  it('same seed, same scenario: identical event history, report and digest — over 100 seeds', () => {
    const histories = new Set<string>();
    for (let seed = 1; seed <= 100; seed++) {
      const a = drill(seed);
      const b = drill(seed);
      expect(b.digest).toBe(a.digest);
      expect(b.report.events).toEqual(a.report.events);
      expect(b.report.ops).toEqual(a.report.ops);
      expect(b.report.downtimeMs).toEqual(a.report.downtimeMs);
      expect(a.report.events.some((e) => e.type === 'failover-completed')).toBe(true);
      histories.add(JSON.stringify(a.report.events));
    }
    // The seed matters (jitter, workload): runs differ between seeds.
    expect(histories.size).toBeGreaterThan(90);
  });
});
