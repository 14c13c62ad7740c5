import { describe, expect, it } from 'vitest';
import { ManagedRedis } from '../../src/index.js';
import { respBytes } from '../../src/replication/replication.js';

function make(options: ConstructorParameters<typeof ManagedRedis>[0] = {}): ManagedRedis {
  return new ManagedRedis({ clock: 'virtual', seed: 7, activeExpiry: false, ...options });
}

/** Three keys in one slot (a transaction under OSS needs that), on the shard of `{u}`. */
const [a, b, c] = ['{u}a', '{u}b', '{u}c'];

describe('transactions and scripts replicate as one unit', () => {
  it('a transaction reaches a jittery replica whole: never half applied', () => {
    // Jitter alone would give each write its own due time; the unit has one.
    const cache = make({ replication: { lag: 50, jitter: 400 } });
    const shard = cache.topology.slotToShard[Number(cache.execute(['CLUSTER', 'KEYSLOT', a]))];
    const client = cache.createClient();
    return (async () => {
      const results = await client.multi().set(a, '1').set(b, '2').incr(c).exec();
      expect(results).toEqual([[null, 'OK'], [null, 'OK'], [null, 1]]);
      const view = cache.replication.replicaView(shard);
      const seen: string[] = [];
      for (let t = 0; t <= 500; t += 10) {
        const values = [view.execute(['GET', a]), view.execute(['GET', b]), view.execute(['GET', c])];
        seen.push(JSON.stringify(values));
        expect(values.every((v) => v === null) || values.join() === '1,2,1').toBe(true);
        cache.clock.advance(10);
      }
      expect(seen[0]).toBe('[null,null,null]');
      expect(seen.at(-1)).toBe('["1","2","1"]');
      client.disconnect();
    })();
  });

  it('the lag model sees one write for the unit, framed in MULTI … EXEC, and the offset counts the frame', () => {
    const calls: Array<{ command: string; effects: string[][] }> = [];
    const cache = make({
      replication: {
        lag: (write) => {
          calls.push({ command: write.command, effects: write.effects.map((e) => e.map(String)) });
          return 100;
        },
      },
    });
    const shard = cache.topology.slotToShard[Number(cache.execute(['CLUSTER', 'KEYSLOT', a]))];
    const before = cache.replication.status(shard).primaryOffset;
    cache.execute(['MULTI']);
    cache.execute(['SET', a, 'x']);
    cache.execute(['EXPIRE', b, '100']); // changes nothing: not replicated
    cache.execute(['RPUSH', b, 'p', 'q']);
    cache.execute(['EXEC']);
    expect(calls).toEqual([{ command: 'exec', effects: [['MULTI'], ['SET', a, 'x'], ['RPUSH', b, 'p', 'q'], ['EXEC']] }]);
    expect(cache.replication.status(shard).primaryOffset - before).toBe(
      respBytes([['MULTI'], ['SET', a, 'x'], ['RPUSH', b, 'p', 'q'], ['EXEC']]),
    );
    // A one-write transaction needs no frame, as in Redis.
    calls.length = 0;
    cache.execute(['MULTI']);
    cache.execute(['SET', a, 'y']);
    cache.execute(['GET', a]);
    cache.execute(['EXEC']);
    expect(calls).toEqual([{ command: 'set', effects: [['SET', a, 'y']] }]);
  });

  it('a script with several writes is one unit too', () => {
    const calls: string[] = [];
    const cache = make({ replication: { lag: (write) => (calls.push(write.command), 100) } });
    cache.execute(['EVAL', "redis.call('SET', KEYS[1], 'v'); redis.call('INCR', KEYS[2]); return 1", '2', a, b]);
    cache.execute(['FUNCTION', 'LOAD', "#!lua name=lib\nredis.register_function('two', function(keys) redis.call('SET', keys[1], 'f'); return redis.call('DEL', keys[2]) end)"]);
    cache.execute(['FCALL', 'two', '2', a, c]);
    expect(calls).toEqual(['exec', 'set']); // FCALL's DEL of a missing key writes nothing
  });

  it('a failover before the unit is applied loses all of it, not part', () => {
    // Writes of b lag far behind writes of a; a transaction writing both goes at b's pace, whole.
    const cache = make({ replication: { lag: (write) => (write.keys.includes(b) ? 3000 : 100) } });
    const shard = cache.topology.slotToShard[Number(cache.execute(['CLUSTER', 'KEYSLOT', a]))];
    cache.execute(['SET', a, 'before']);
    cache.clock.advance(200);
    cache.execute(['MULTI']);
    cache.execute(['SET', a, 'after']);
    cache.execute(['SET', b, 'new']);
    cache.execute(['EXEC']);
    cache.clock.advance(500); // SET a alone would have reached the replica by now
    cache.faults.failShard(shard);
    cache.clock.advance(60_000);
    expect([cache.execute(['GET', a]), cache.execute(['GET', b])]).toEqual(['before', null]);
  });
});
