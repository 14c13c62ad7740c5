/**
 * Pipelines and transactions as ioredis presents them: `[error, result]` pairs, `[error]` for a
 * failure, EXECABORT with `previousErrors` for queue-time errors, per-command reply shapes inside
 * EXEC, and `multi({ pipeline: false })` with `QUEUED` replies.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManagedRedis, ReplyError } from '../../src/index.js';
import { defineCommand } from '../../src/commands/command.js';

const caches: ManagedRedis[] = [];
function newCache(policy: 'NoCluster' | 'OSS' = 'NoCluster'): ManagedRedis {
  const cache = new ManagedRedis({ clock: 'virtual', clusterPolicy: policy, sku: policy === 'OSS' ? 'Balanced_B5' : 'Balanced_B1' });
  caches.push(cache);
  return cache;
}
afterEach(() => {
  for (const cache of caches.splice(0)) cache.close();
});

const EXECABORT = 'EXECABORT Transaction discarded because of previous errors.';

describe('pipeline', () => {
  it('resolves with [null, result] pairs and [error] for a failure in the middle', async () => {
    const redis = newCache().createClient();
    const results = await redis.pipeline().set('a', '1').incr('a').swapdb('0', '1').getBuffer('a').get('nope').exec();
    expect(results).toHaveLength(5);
    expect(results![0]).toEqual([null, 'OK']);
    expect(results![1]).toEqual([null, 2]);
    expect(results![2]).toHaveLength(1);
    expect(results![2][0]).toBeInstanceOf(ReplyError);
    expect(results![2][0]!.message).toBe("ERR unknown command 'swapdb', with args beginning with: '0' '1' ");
    expect(results![3]).toEqual([null, Buffer.from('2')]);
    expect(results![4]).toEqual([null, null]);
  });

  it('runs nothing until exec(), then everything in order', async () => {
    const cache = newCache();
    const redis = cache.createClient();
    const pipeline = redis.pipeline().set('p', '1').incr('p');
    expect(pipeline.length).toBe(2);
    await Promise.resolve();
    expect(cache.execute(['GET', 'p'])).toBeNull();
    expect(await pipeline.exec()).toEqual([[null, 'OK'], [null, 2]]);
    expect(await redis.pipeline().exec()).toEqual([]);
  });

  it('takes batches, call(), per-command callbacks and an exec callback', async () => {
    const redis = newCache().createClient();
    const seen: unknown[] = [];
    const results = await new Promise((resolve, reject) =>
      redis
        .pipeline([['set', 'b', 'x'], ['get', 'b']])
        .call('STRLEN', 'b')
        .get('b', (err: Error | null, value?: unknown) => seen.push([err, value]))
        .exec((err, res) => (err ? reject(err) : resolve(res))),
    );
    expect(results).toEqual([[null, 'OK'], [null, 'x'], [null, 1], [null, 'x']]);
    expect(seen).toEqual([[null, 'x']]);
  });

  it('fails every command with Connection is closed. after quit', async () => {
    const redis = newCache().createClient();
    await redis.quit();
    const results = await redis.pipeline().get('a').get('b').exec();
    expect(results!.map((r) => r[0]?.message)).toEqual(['Connection is closed.', 'Connection is closed.']);
  });

  it('a plain pipeline with multi() … exec() … exec() sends one transaction inside', async () => {
    const redis = newCache().createClient();
    const pipeline = redis.pipeline().set('t', '1').multi().incr('t').get('t');
    expect(pipeline.exec()).toBe(pipeline);
    const results = await pipeline.exec();
    expect(results).toEqual([[null, 'OK'], [null, 'OK'], [null, 'QUEUED'], [null, 'QUEUED'], [null, [2, '2']]]);
  });
});

describe('pipeline with a blocking command (found by the ioredis differential)', () => {
  it('waits for the blocking command, then runs the rest of the queue, like one real connection', async () => {
    const cache = newCache();
    const redis = cache.createClient();
    await redis.ping(); // connected: exec() runs the queue at once
    let settled = false;
    const done = redis.pipeline().blpop('q', 1).set('after', '1').exec().then((results) => {
      settled = true;
      return results;
    });
    await Promise.resolve();
    await Promise.resolve();
    // The commands behind BLPOP wait for it, as they would behind a blocked socket.
    expect(settled).toBe(false);
    expect(cache.execute(['GET', 'after'])).toBe(null);
    cache.clock.advance(1_000);
    expect(await done).toEqual([[null, null], [null, 'OK']]);
    expect(cache.execute(['GET', 'after'])).toBe('1');
  });

  it('is served by another client’s push, reply shaped as the method asks (Buffer twin)', async () => {
    const cache = newCache();
    const redis = cache.createClient();
    await redis.ping();
    const done = redis.pipeline().blpopBuffer('q', 0).call('BRPOP', 'q', '5').exec();
    await Promise.resolve();
    cache.execute(['RPUSH', 'q', 'a', 'b']);
    expect(await done).toEqual([
      [null, [Buffer.from('q'), Buffer.from('a')]],
      [null, ['q', 'b']],
    ]);
  });
});

describe('pipelines and a client’s blocking commands share one socket', () => {
  it('a pipeline exec()ed while a method’s BLPOP waits runs after it', async () => {
    const cache = newCache();
    const redis = cache.createClient();
    await redis.ping();
    const order: string[] = [];
    const blpop = redis.blpop('q', 1).then((v) => order.push(`blpop ${String(v)}`));
    const piped = redis.pipeline().set('p', '1').get('p').exec().then((r) => order.push(`pipeline ${JSON.stringify(r)}`));
    await Promise.resolve();
    expect(cache.execute(['GET', 'p'])).toBe(null);
    cache.clock.advance(1_000);
    await Promise.all([blpop, piped]);
    expect(order).toEqual(['blpop null', 'pipeline [[null,"OK"],[null,"1"]]']);
  });

  it('a method called while a pipeline’s blocking command waits runs after the pipeline', async () => {
    const cache = newCache();
    const redis = cache.createClient();
    await redis.ping();
    const order: string[] = [];
    const piped = redis.pipeline().blpop('q', 1).set('p', 'from pipeline').exec().then(() => order.push('pipeline'));
    const get = redis.get('p').then((v) => order.push(`get ${v}`));
    cache.clock.advance(1_000);
    await Promise.all([piped, get]);
    expect(order).toEqual(['pipeline', 'get from pipeline']);
  });
});

describe('multi()', () => {
  it('resolves with the transaction’s pairs, errors at run time in place', async () => {
    const redis = newCache().createClient();
    await redis.set('str', 'abc');
    const results = await redis.multi().set('m', '1').incr('str').incr('m').getBuffer('m').exec();
    expect(results).toHaveLength(4);
    expect(results![0]).toEqual([null, 'OK']);
    expect(results![1][0]!.message).toBe('ERR value is not an integer or out of range');
    expect(results![1]).toHaveLength(1);
    expect(results![2]).toEqual([null, 2]);
    expect(results![3]).toEqual([null, Buffer.from('2')]);
  });

  it('rejects with EXECABORT after a queue-time error, listing previousErrors', async () => {
    const cache = newCache();
    const redis = cache.createClient();
    const error = (await redis.multi().set('x', '1').swapdb('0', '1').call('get').exec().catch((e: Error) => e)) as ReplyError & {
      previousErrors: Error[];
    };
    expect(error).toBeInstanceOf(ReplyError);
    expect(error.message).toBe(EXECABORT);
    expect(error.previousErrors.map((e) => e.message)).toEqual([
      "ERR unknown command 'swapdb', with args beginning with: '0' '1' ",
      "ERR wrong number of arguments for 'get' command",
    ]);
    // Nothing ran.
    expect(cache.execute(['EXISTS', 'x'])).toBe(0);
  });

  it('applies each command’s reply transform inside EXEC', async () => {
    const cache = newCache();
    const spec = defineCommand({ name: 'hgetall', arity: 2, flags: ['readonly'], keys: { first: 1, last: 1, step: 1 }, exec: () => ['f', 'v'] });
    (cache.commands as Map<string, typeof spec>).set('hgetall', spec);
    (cache.commands as Map<string, typeof spec>).set('HGETALL', spec);
    const redis = cache.createClient();
    expect(await redis.multi().hgetall('h').hgetallBuffer('h').exec()).toEqual([[null, { f: 'v' }], [null, { f: Buffer.from('v') }]]);
    expect(await redis.pipeline().hgetall('h').exec()).toEqual([[null, { f: 'v' }]]);
  });

  it('takes a batch and calls per-command callbacks with QUEUED', async () => {
    const redis = newCache().createClient();
    const seen: unknown[] = [];
    const results = await redis
      .multi([['set', 'q', 'v']])
      .get('q', (err: Error | null, value?: unknown) => seen.push(value))
      .exec();
    expect(results).toEqual([[null, 'OK'], [null, 'v']]);
    expect(seen).toEqual(['QUEUED']);
  });

  it('is atomic: nothing runs between the queued commands', async () => {
    const cache = newCache();
    const redis = cache.createClient();
    const other = cache.createClient();
    await redis.set('n', '0');
    const tx = redis.multi().incr('n').incr('n').exec();
    const between = other.set('n', '100');
    expect(await tx).toEqual([[null, 1], [null, 2]]);
    await between;
    expect(await redis.get('n')).toBe('100');
  });

  it('OSS policy: keys of one transaction must share a slot (CROSSSLOT at EXEC, as a cluster node answers)', async () => {
    const redis = newCache('OSS').createClient();
    const ok = await redis.multi().set('{u}a', '1').set('{u}b', '2').exec();
    expect(ok).toEqual([[null, 'OK'], [null, 'OK']]);
    const error = (await redis.multi().set('{u}a', '1').set('{v}b', '2').exec().catch((e: Error) => e)) as ReplyError & {
      previousErrors: Error[];
    };
    expect(error.message).toBe("CROSSSLOT Keys in request don't hash to the same slot");
    expect(error.previousErrors).toEqual([]);
    // One command crossing slots is rejected when queued: the transaction aborts.
    const aborted = (await redis.multi().mget('{u}a', '{v}b').exec().catch((e: Error) => e)) as ReplyError & {
      previousErrors: Error[];
    };
    expect(aborted.message).toBe(EXECABORT);
    expect(aborted.previousErrors.map((e) => e.message)).toEqual(["CROSSSLOT Keys in request don't hash to the same slot"]);
  });
});

describe('multi({ pipeline: false })', () => {
  it('sends MULTI, answers QUEUED, and exec() wraps the results', async () => {
    const redis = newCache().createClient();
    expect(await redis.multi({ pipeline: false })).toBe('OK');
    expect(await redis.set('w', '1')).toBe('QUEUED');
    expect(await redis.incr('w')).toBe('QUEUED');
    expect(await redis.exec()).toEqual([[null, 'OK'], [null, 2]]);
    expect(await redis.get('w')).toBe('2');
  });

  it('answers the server’s errors for EXEC/DISCARD without MULTI and nested MULTI', async () => {
    const redis = newCache().createClient();
    await expect(redis.exec()).rejects.toThrow('ERR EXEC without MULTI');
    await expect(redis.discard()).rejects.toThrow('ERR DISCARD without MULTI');
    await redis.multi({ pipeline: false });
    await expect(redis.multi({ pipeline: false })).rejects.toThrow('ERR MULTI calls can not be nested');
    await expect(redis.call('watch', 'k')).rejects.toThrow('ERR WATCH inside MULTI is not allowed');
    expect(await redis.get('k')).toBe('QUEUED');
    // Neither error aborts the transaction.
    expect(await redis.exec()).toEqual([[null, null]]);
  });

  it('DISCARD drops the queue; a queue-time error makes EXEC answer EXECABORT', async () => {
    const cache = newCache();
    const redis = cache.createClient();
    await redis.multi({ pipeline: false });
    await redis.set('d', '1');
    expect(await redis.discard()).toBe('OK');
    expect(cache.execute(['EXISTS', 'd'])).toBe(0);
    await redis.multi({ pipeline: false });
    await expect(redis.call('set', 'd')).rejects.toThrow("ERR wrong number of arguments for 'set' command");
    await expect(redis.exec()).rejects.toThrow(EXECABORT);
    // The connection is out of the transaction again.
    expect(await redis.set('d', '2')).toBe('OK');
  });
});
