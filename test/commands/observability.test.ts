/**
 * SLOWLOG, LATENCY HISTOGRAM, INFO commandstats/latencystats, MONITOR, WAITAOF and LOLWUT: what
 * dispatch records (src/command-log.ts) and what the commands answer, then the same sequences
 * against a private live redis-server (slow-log entries, MONITOR lines, call counters, LOLWUT's
 * deterministic pictures), with what cannot agree between two servers (durations, addresses,
 * times, the version text) set aside.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManagedRedis, type ManagedRedisOptions } from '../../src/managed-redis.js';
import type { ClientState } from '../../src/core-types.js';
import { REDIS_VERSION } from '../../src/info.js';
import { blockingStats } from '../../src/blocking.js';
import { monitorLine, quoteRepr, slowlogArgv } from '../../src/command-log.js';
import { schotter, skyline } from '../../src/lolwut.js';
import { MapReply, VerbatimReply } from '../../src/protocol/reply.js';
import { harness, T0, type Harness } from '../support/command-harness.js';
import { describeLive } from '../support/live.js';
import { RespClient, type Arg } from '../support/resp-client.js';
import { helpFooter74 } from '../support/help-footer.js';
import { privateServer } from './live-streams.js';
import type { Typed } from '../support/oracle.js';
import type { Bytes } from '../../src/keyspace/bytes.js';
import { connect, type Socket } from 'node:net';
import { encodeCommand } from '../support/resp-client.js';

const SEC = Math.floor(T0 / 1000);
const err = (s: string): Typed => ['-', s];

/** Logs every command (the threshold AMR's CONFIG SET refuses, set as the ARM side would). */
function logEverything(h: Harness): void {
  h.cache.settings.setInternal('slowlog-log-slower-than', '0');
}

/** SLOWLOG GET -1 as plain entries. */
function slowlog(h: Harness): unknown[] {
  return h.raw('SLOWLOG', 'GET', '-1') as unknown[];
}

function make(options: ManagedRedisOptions = {}): ManagedRedis {
  return new ManagedRedis({ clock: 'virtual', startTime: T0, seed: 7, activeExpiry: false, clusterPolicy: 'NoCluster', ...options });
}

/** A connection that collects the MONITOR lines it is sent. */
function monitorClient(cache: ManagedRedis): { state: ClientState; lines: string[] } {
  const state = cache.openClient({ name: null });
  const lines: string[] = [];
  state.canBlock = true;
  state.onMonitor = (line) => lines.push(line);
  expect(cache.executeReply(['MONITOR'], state)).toEqual(expect.objectContaining({ value: 'OK' }));
  return { state, lines };
}

/** A MONITOR line without its time: `[0 <source>] "arg" …`. */
const untimed = (line: string): string => line.slice(line.indexOf(' ') + 1);

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('SLOWLOG', () => {
  let h: Harness;
  afterEach(() => h.cache.close());

  it('logs nothing at AMR’s default threshold (10000 µs): commands take 0 µs without commandTiming', () => {
    h = harness();
    expect(h.run('CONFIG', 'GET', 'slowlog-*')).toEqual(['*', [['$', 'slowlog-log-slower-than'], ['$', '10000'], ['$', 'slowlog-max-len'], ['$', '128']]]);
    h.run('SET', 'k', 'v');
    expect(h.run('SLOWLOG', 'LEN')).toEqual([':', '0']);
    expect(h.run('SLOWLOG', 'GET')).toEqual(['*', []]);
  });

  it('AMR’s CONFIG SET range: above 1000 µs, length 128–1024', () => {
    h = harness();
    expect(h.run('CONFIG', 'SET', 'slowlog-log-slower-than', '0')[0]).toBe('-');
    expect(h.run('CONFIG', 'SET', 'slowlog-max-len', '10')[0]).toBe('-');
    expect(h.run('CONFIG', 'SET', 'slowlog-log-slower-than', '5000')).toEqual(['+', 'OK']);
    expect(h.run('CONFIG', 'SET', 'slowlog-max-len', '1024')).toEqual(['+', 'OK']);
  });

  it('at threshold 0 each command enters after it ran: id, time, 0 µs, arguments, address, name; newest first', () => {
    h = harness();
    logEverything(h);
    h.run('SET', 'k', 'v');
    h.cache.clock.advance(2500);
    h.run('CLIENT', 'SETNAME', 'worker');
    h.run('GET', 'k');
    const addr = h.client.addr;
    expect(slowlog(h).slice(0, 3)).toEqual([
      [2, SEC + 2, 0, ['GET', 'k'], addr, 'worker'],
      // The name is read after the command ran, so SETNAME's own entry carries it.
      [1, SEC + 2, 0, ['CLIENT', 'SETNAME', 'worker'], addr, 'worker'],
      [0, SEC, 0, ['SET', 'k', 'v'], addr, ''],
    ]);
  });

  it('GET count: 10 by default, -1 all, 0 none; LEN, RESET; errors', () => {
    h = harness();
    logEverything(h);
    for (let i = 0; i < 15; i++) h.run('ECHO', String(i));
    expect((h.raw('SLOWLOG', 'GET') as unknown[]).length).toBe(10);
    expect((h.raw('SLOWLOG', 'GET', '-1') as unknown[]).length).toBe(16);
    expect(h.run('SLOWLOG', 'GET', '0')).toEqual(['*', []]);
    expect(h.run('SLOWLOG', 'GET', '-2')).toEqual(err('ERR count should be greater than or equal to -1'));
    expect(h.run('SLOWLOG', 'GET', 'x')).toEqual(err('ERR count should be greater than or equal to -1'));
    expect(h.run('SLOWLOG', 'LEN')).toEqual([':', '20']);
    expect(h.run('SLOWLOG', 'RESET')).toEqual(['+', 'OK']);
    // RESET empties the log, then enters itself.
    expect(slowlog(h)).toEqual([[21, SEC, 0, ['SLOWLOG', 'RESET'], h.client.addr, '']]);
    expect(h.run('SLOWLOG', 'LEN', 'x')).toEqual(err("ERR wrong number of arguments for 'slowlog|len' command"));
    expect(h.run('SLOWLOG', 'RESET', 'x')).toEqual(err("ERR wrong number of arguments for 'slowlog|reset' command"));
    expect(h.run('SLOWLOG')).toEqual(err("ERR wrong number of arguments for 'slowlog' command"));
    expect(h.run('SLOWLOG', 'NOPE')).toEqual(err("ERR unknown subcommand 'NOPE'. Try SLOWLOG HELP."));
  });

  it('keeps slowlog-max-len entries; a negative threshold turns it off', () => {
    h = harness();
    logEverything(h);
    for (let i = 0; i < 140; i++) h.run('ECHO', String(i));
    expect(h.run('SLOWLOG', 'LEN')).toEqual([':', '128']);
    h.cache.settings.setInternal('slowlog-log-slower-than', '-1');
    h.run('RESET' as never);
    h.run('SLOWLOG', 'RESET');
    h.run('ECHO', 'x');
    expect(h.run('SLOWLOG', 'LEN')).toEqual([':', '0']);
  });

  it('trims arguments as Redis does: 32 kept (the last says how many more), 128 bytes each', () => {
    const many = Array.from({ length: 40 }, (_, i) => `a${i}`);
    const trimmed = slowlogArgv(['RPUSH', 'k', ...many]);
    expect(trimmed.length).toBe(32);
    expect(trimmed[31]).toBe('... (11 more arguments)');
    expect(trimmed[30]).toBe('a28');
    const long = Buffer.alloc(200, 0xfe);
    const [cut] = slowlogArgv([long]);
    expect(Buffer.from(cut as Buffer).subarray(0, 128).equals(long.subarray(0, 128))).toBe(true);
    expect(Buffer.from(cut as Buffer).subarray(128).toString()).toBe('... (72 more bytes)');
    expect(slowlogArgv(['x'.repeat(128)])).toEqual(['x'.repeat(128)]);
  });

  it('which commands enter: EXEC’s commands (not EXEC), a script and its commands (`?:0`), failed ones; not rejected ones', () => {
    h = harness();
    logEverything(h);
    h.run('SLOWLOG', 'RESET');
    h.run('MULTI');
    h.run('SET', 'a', '1');
    h.run('INCR', 'a');
    h.run('EXEC');
    h.run('EVAL', "redis.call('set','b','2') return 1", '0');
    h.run('LPOP', 'a'); // WRONGTYPE: it ran and failed
    h.run('GET'); // wrong arity: rejected before running
    h.run('AUTH', 'secret'); // ran (any password), arguments redacted
    h.run('HELLO', '2', 'AUTH', 'default', 'pw', 'SETNAME', 'n1');
    const addr = h.client.addr;
    const entries = slowlog(h).map((e) => [((e as unknown[])[3] as Bytes[]).map(String), (e as unknown[])[4]]);
    expect(entries.reverse()).toEqual([
      [['SLOWLOG', 'RESET'], addr],
      [['MULTI'], addr],
      [['SET', 'a', '1'], addr],
      [['INCR', 'a'], addr],
      [['set', 'b', '2'], '?:0'],
      [['EVAL', "redis.call('set','b','2') return 1", '0'], addr],
      [['LPOP', 'a'], addr],
      [['AUTH', '(redacted)'], addr],
      [['HELLO', '2', 'AUTH', '(redacted)', '(redacted)', 'SETNAME', 'n1'], addr],
    ]);
  });

  it('HELP as 7.4 words it', () => {
    h = harness();
    const help = h.raw('SLOWLOG', 'HELP') as Array<{ value: string }>;
    expect(help.map((line) => line.value)).toEqual([
      'SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
      'GET [<count>]',
      '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
      '    Entries are made of:',
      '    id, timestamp, time in microseconds, arguments array, client IP and port,',
      '    client name',
      'LEN',
      '    Return the length of the slowlog.',
      'RESET',
      '    Reset the slowlog.',
      'HELP',
      '    Print this help.',
    ]);
  });

  it('a blocked command enters once, when it is served, and its wait is not its duration', async () => {
    const cache = make();
    h = { cache } as Harness;
    cache.settings.setInternal('slowlog-log-slower-than', '0');
    const redis = cache.createClient();
    const other = cache.createClient();
    const popped = redis.blpop('q', 0);
    await tick();
    cache.clock.advance(5000);
    await other.rpush('q', 'x');
    expect(await popped).toEqual(['q', 'x']);
    const entries = cache.execute(['SLOWLOG', 'GET', '-1']) as unknown[][];
    const blpops = entries.filter((e) => (e[3] as string[])[0] === 'blpop');
    expect(blpops).toHaveLength(1);
    expect(blpops[0][2]).toBe(0);
    redis.disconnect();
    other.disconnect();
  });
});

describe('commandTiming: durations measured with performance.now()', () => {
  afterEach(() => vi.restoreAllMocks());

  it('records each command’s elapsed µs in commandstats, the histogram, latencystats and the slow log', () => {
    // Every command reads the clock twice; the spy makes each command take exactly 20 µs.
    let t = 0;
    let reads = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => (reads++ % 2 === 0 ? t : (t += 0.02)));
    const cache = make({ commandTiming: true });
    cache.settings.setInternal('slowlog-log-slower-than', '20');
    cache.execute(['SET', 'k', 'v']);
    cache.execute(['SET', 'k', 'w']);
    const stats = cache.execute(['INFO', 'commandstats']) as string;
    expect(stats).toContain('cmdstat_set:calls=2,usec=40,usec_per_call=20.00,rejected_calls=0,failed_calls=0\r\n');
    // 20 µs = 20000 ns: HdrHistogram's power-of-two step whose top reaches it is 32768 ns (top 33023).
    const histogram = cache.executeReply(['LATENCY', 'HISTOGRAM', 'set'], cache.openClient({ name: null })) as MapReply;
    expect(histogram).toEqual(new MapReply([['set', new MapReply([['calls', 2], ['histogram_usec', new MapReply([[33, 2]])]])]]));
    expect(cache.execute(['INFO', 'latencystats'])).toContain('latency_percentiles_usec_set:p50=20.095,p99=20.095,p99.9=20.095\r\n');
    const entries = cache.execute(['SLOWLOG', 'GET']) as unknown[][];
    expect(entries.map((e) => [e[2], e[3]])).toContainEqual([20, ['SET', 'k', 'v']]);
  });
});

describe('LATENCY HISTOGRAM and INFO commandstats', () => {
  let h: Harness;
  afterEach(() => h.cache.close());

  it('per command: calls and the cumulative 1 µs bucket (0 µs commands count as Redis’s 1 µs minimum)', () => {
    h = harness();
    h.run('SET', 'k', 'v');
    h.run('SET', 'k', 'w');
    h.run('CONFIG', 'GET', 'maxmemory');
    const one = (calls: number) => ['%', [[['$', 'calls'], [':', String(calls)]], [['$', 'histogram_usec'], ['%', [[[':', '1'], [':', String(calls)]]]]]]];
    expect(h.run('LATENCY', 'HISTOGRAM', 'set')).toEqual(['*', [['$', 'set'], ['*', [['$', 'calls'], [':', '2'], ['$', 'histogram_usec'], ['*', [[':', '1'], [':', '2']]]]]]]);
    h.client.resp = 3;
    // A container brings its subcommands; an unknown name nothing; names repeat as asked.
    expect(h.run('LATENCY', 'HISTOGRAM', 'SET', 'config', 'nosuch', 'CONFIG|GET', 'config|nosuch')).toEqual([
      '%',
      [
        [['$', 'set'], one(2)],
        [['$', 'config|get'], one(1)],
        [['$', 'config|get'], one(1)],
      ],
    ]);
    // No names: every command with calls, by name.
    const all = h.raw('LATENCY', 'HISTOGRAM') as MapReply;
    // Counted after it ran: the two LATENCY HISTOGRAM calls above, not this one.
    expect(all.entries.map(([name]) => name)).toEqual(['config|get', 'latency|histogram', 'set']);
  });

  it('latency-tracking no stops recording; the other LATENCY subcommands are blocked on AMR', () => {
    h = harness();
    h.cache.settings.setInternal('latency-tracking', 'no');
    h.run('SET', 'k', 'v');
    expect(h.run('LATENCY', 'HISTOGRAM', 'set')).toEqual(['*', []]);
    for (const sub of ['DOCTOR', 'LATEST', 'HELP', 'RESET']) {
      expect(h.run('LATENCY', sub)).toEqual(err(`ERR unknown command 'LATENCY', with args beginning with: '${sub}' `));
    }
    expect(h.run('LATENCY', 'HISTORY', 'command')).toEqual(err("ERR unknown command 'LATENCY', with args beginning with: 'HISTORY' 'command' "));
    expect(h.run('LATENCY')).toEqual(err("ERR wrong number of arguments for 'latency' command"));
    expect(h.run('LATENCY', 'NOPE')).toEqual(err("ERR unknown subcommand 'NOPE'. Try LATENCY HELP."));
  });

  it('INFO commandstats counts calls, rejected calls (arity, NOAUTH) and failed calls (an error while running)', () => {
    h = harness();
    h.run('SET', 'k', 'v');
    h.run('GET');
    h.run('LPUSH', 'k', 'x');
    h.run('INCR', 'k');
    const info = (h.raw('INFO', 'commandstats') as VerbatimReply).text;
    expect(info).toBe(
      '# Commandstats\r\n' +
        'cmdstat_get:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0\r\n' +
        'cmdstat_incr:calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=1\r\n' +
        'cmdstat_lpush:calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=1\r\n' +
        'cmdstat_set:calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0\r\n',
    );
    expect((h.raw('INFO', 'latencystats') as VerbatimReply).text).toContain('latency_percentiles_usec_set:p50=1.003,p99=1.003,p99.9=1.003\r\n');
    // CROSSSLOT is a rejection.
    const oss = harness({ policy: 'OSS' });
    oss.run('MSET', 'a', '1', 'b', '2');
    expect((oss.raw('INFO', 'commandstats') as VerbatimReply).text).toContain('cmdstat_mset:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0');
    oss.cache.close();
  });

  it('a blocked command counts once: when served, or at its timeout', async () => {
    const cache = make();
    h = { cache } as Harness;
    const redis = cache.createClient();
    const served = redis.blpop('q', 0);
    await tick();
    expect(cache.execute(['INFO', 'commandstats'])).not.toContain('cmdstat_blpop');
    cache.execute(['RPUSH', 'q', 'x']);
    await served;
    expect(cache.execute(['INFO', 'commandstats'])).toContain('cmdstat_blpop:calls=1,');
    const timedOut = redis.blpop('none', 1);
    await tick();
    cache.clock.advance(1000);
    expect(await timedOut).toBeNull();
    expect(cache.execute(['INFO', 'commandstats'])).toContain('cmdstat_blpop:calls=2,');
    redis.disconnect();
  });
});

describe('MONITOR', () => {
  it('formats lines as Redis: time, [0 address], quoted arguments with sdscatrepr escapes', () => {
    const cache = make();
    const client = cache.openClient({ name: null });
    expect(monitorLine(client, ['SET', 'q"uo te', Buffer.from([0, 0xff, 0x0a, 0x09, 0x5c, 0x07, 0x08, 0x0d])], T0 + 0.25)).toBe(
      `${SEC}.118250 [0 ${client.addr}] "SET" "q\\"uo te" "\\x00\\xff\\n\\t\\\\\\a\\b\\r"`,
    );
    expect(quoteRepr('ключ')).toBe('"\\xd0\\xba\\xd0\\xbb\\xd1\\x8e\\xd1\\x87"');
    cache.close();
  });

  it('the synchronous API cannot monitor; inside EXEC it is refused as for a client that may not block', async () => {
    const cache = make();
    expect(() => cache.execute(['MONITOR'])).toThrow("ERR MONITOR isn't allowed for DENY BLOCKING client");
    expect((cache as unknown as Record<string, unknown>).monitor).toBeUndefined();
    const redis = cache.createClient();
    const tx = await redis.multi().call('monitor').exec();
    expect(String((tx as [Error | null, unknown][])[0][0])).toContain("ERR MONITOR isn't allowed for DENY BLOCKING client");
    redis.disconnect();
    cache.close();
  });

  it('shows what other connections run: transactions at EXEC, scripts before their commands (as `lua`), secrets redacted; not admin or rejected commands', () => {
    const cache = make();
    const { lines } = monitorClient(cache);
    const c = cache.openClient({ name: null });
    const run = (...argv: string[]) => {
      try {
        cache.executeReply(argv, c);
      } catch {
        // errors are part of the sequence
      }
    };
    run('MULTI');
    run('SET', 'a', '1');
    run('INCR', 'a');
    run('EXEC');
    run('EVAL', "return redis.call('incr','a')", '0');
    run('AUTH', 'user', 'pw');
    run('HELLO', '3', 'AUTH', 'default', 'pw');
    run('GET'); // rejected
    run('LPOP', 'a'); // failed: shown
    run('CONFIG', 'GET', 'maxmemory'); // admin
    run('SLOWLOG', 'LEN'); // admin
    run('ECHO', '1');
    const a = `[0 ${c.addr}]`;
    expect(lines.map(untimed)).toEqual([
      `${a} "MULTI"`,
      `${a} "SET" "a" "1"`,
      `${a} "INCR" "a"`,
      `${a} "EXEC"`,
      `${a} "EVAL" "return redis.call('incr','a')" "0"`,
      `[0 lua] "incr" "a"`,
      `${a} "AUTH" "(redacted)" "(redacted)"`,
      `${a} "HELLO" "3" "AUTH" "(redacted)" "(redacted)"`,
      `${a} "LPOP" "a"`,
      `${a} "ECHO" "1"`,
    ]);
    expect(lines[0]).toBe(`${SEC}.118000 ${a} "MULTI"`);
    cache.close();
    // A script refused before it runs (CROSSSLOT) is not shown.
    const oss = make({ clusterPolicy: 'OSS' });
    const watcher = monitorClient(oss);
    expect(() => oss.execute(['EVAL', 'return 1', '2', 'a', 'b'])).toThrow('CROSSSLOT');
    oss.execute(['EVAL', 'return 1', '2', '{t}a', '{t}b']);
    expect(watcher.lines.map((l) => untimed(l).replace(/^\[0 [^\]]+\] /, ''))).toEqual(['"EVAL" "return 1" "2" "{t}a" "{t}b"']);
    oss.close();
  });

  it('a blocked command is shown when it blocks, not again when it is served; a closed monitor stops receiving', async () => {
    const cache = make();
    const { state, lines } = monitorClient(cache);
    const redis = cache.createClient();
    const popped = redis.blpop('q', 0);
    await tick();
    cache.execute(['RPUSH', 'q', 'x']);
    await popped;
    expect(lines.map((l) => untimed(l).replace(/^\[0 [^\]]+\] /, ''))).toEqual(['"blpop" "q" "0"', '"RPUSH" "q" "x"']);
    expect(cache.execute(['CLIENT', 'LIST', 'ID', String(state.id)])).toContain(' flags=O ');
    cache.closeClient(state);
    cache.execute(['PING']);
    expect(lines).toHaveLength(2);
    expect(cache.commandLog.monitors).toHaveLength(0);
    redis.disconnect();
    cache.close();
  });

  it('ioredis facade: monitor() resolves with a connection in `monitoring` that emits (time, args, source, database)', async () => {
    const cache = make();
    const redis = cache.createClient();
    const monitor = await redis.monitor();
    expect(monitor.status).toBe('monitoring');
    const events: unknown[][] = [];
    monitor.on('monitor', (...args: unknown[]) => events.push(args));
    await redis.set('k', 'say "hi"');
    await redis.get('k');
    await tick();
    const source = [...cache.clients.values()].find((c) => c.lastCommand === 'get')!.addr;
    expect(events).toEqual([
      [`${SEC}.118000`, ['set', 'k', 'say "hi"'], source, '0'],
      [`${SEC}.118000`, ['get', 'k'], source, '0'],
    ]);
    await expect(monitor.get('k')).rejects.toThrow("Connection is in monitoring mode, can't process commands.");
    monitor.disconnect();
    redis.disconnect();
    cache.close();
  });
});

describe('WAITAOF', () => {
  it('checks its arguments, then the role, then AOF; with appendonly no it answers [0, 0]', () => {
    const cache = make();
    expect(() => cache.execute(['WAITAOF', 'x', '0', '0'])).toThrow('ERR value is not an integer or out of range');
    expect(() => cache.execute(['WAITAOF', '2', '0', '0'])).toThrow('ERR value is out of range, value must between 0 and 1');
    expect(() => cache.execute(['WAITAOF', '-1', '0', '0'])).toThrow('ERR value is out of range, value must between 0 and 1');
    expect(() => cache.execute(['WAITAOF', '0', 'x', '0'])).toThrow('ERR value is not an integer or out of range');
    expect(() => cache.execute(['WAITAOF', '0', '-1', '0'])).toThrow('ERR value is out of range, must be positive');
    expect(() => cache.execute(['WAITAOF', '0', '0', 'x'])).toThrow('ERR timeout is not an integer or out of range');
    expect(() => cache.execute(['WAITAOF', '0', '0', '-1'])).toThrow('ERR timeout is negative');
    expect(() => cache.execute(['WAITAOF', '0', '0'])).toThrow("ERR wrong number of arguments for 'waitaof' command");
    expect(() => cache.execute(['WAITAOF', '1', '0', '0'])).toThrow('ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.');
    expect(cache.execute(['WAITAOF', '0', '0', '0'])).toEqual([0, 0]);
    // Replicas with AOF off never acknowledge: the synchronous facade answers at once.
    expect(cache.execute(['WAITAOF', '0', '1', '100'])).toEqual([0, 0]);
    expect(() => cache.replication.replicaView(0).execute(['WAITAOF', '0', '0', '0'])).toThrow(
      'ERR WAITAOF cannot be used with replica instances. Please also note that writes to replicas are just local and are not propagated.',
    );
    cache.close();
  });

  it('with AOF on: the local AOF at once, a replica once it applied the caller’s writes (as WAIT)', async () => {
    const cache = make({ replication: { lag: 300 } });
    cache.settings.setInternal('appendonly', 'yes');
    expect(cache.execute(['WAITAOF', '1', '1', '0'])).toEqual([1, 1]);
    const redis = cache.createClient();
    await redis.set('k', 'v');
    expect(await redis.call('waitaof', '1', '0', '0')).toEqual([1, 0]);
    let answer: unknown = null;
    const pending = redis.call('waitaof', '1', '1', '5000').then((reply) => (answer = reply));
    cache.clock.advance(299);
    await tick();
    expect(answer).toBeNull();
    expect(blockingStats(cache).blockedClients).toBe(1);
    cache.clock.advance(1);
    await pending;
    expect(answer).toEqual([1, 1]);
    // Two replicas asked, one exists: the timeout answers the count.
    const two = redis.call('waitaof', '0', '2', '1000');
    await tick();
    cache.clock.advance(1000);
    expect(await two).toEqual([1, 1]);
    redis.disconnect();
    cache.close();
  });

  it('with AOF off an async client waits out the timeout for replicas (they never acknowledge)', async () => {
    const cache = make({ replication: { lag: 10 } });
    const redis = cache.createClient();
    await redis.set('k', 'v');
    const pending = redis.call('waitaof', '0', '1', '500');
    await tick();
    cache.clock.advance(499);
    await tick();
    expect(blockingStats(cache).blockedClients).toBe(1);
    cache.clock.advance(1);
    expect(await pending).toEqual([0, 0]);
    redis.disconnect();
    cache.close();
  });
});

describe('LOLWUT', () => {
  let h: Harness;
  afterEach(() => h.cache.close());

  it('without a version with art: the version line, as a verbatim `txt` reply', () => {
    h = harness();
    expect(h.raw('LOLWUT')).toEqual(new VerbatimReply('txt', `Redis ver. ${REDIS_VERSION}\n`));
    for (const v of ['1', '4', '7', '8', '59', '-1']) expect(h.raw('LOLWUT', 'VERSION', v)).toEqual(new VerbatimReply('txt', `Redis ver. ${REDIS_VERSION}\n`));
    expect(h.raw('LOLWUT', 'VERSION')).toEqual(new VerbatimReply('txt', `Redis ver. ${REDIS_VERSION}\n`));
    h.client.resp = 3;
    expect(h.run('LOLWUT')).toEqual(['=', `txt:Redis ver. ${REDIS_VERSION}\n`]);
    expect(h.run('LOLWUT', 'VERSION', 'x')).toEqual(err('ERR value is not an integer or out of range'));
    expect(h.run('LOLWUT', 'VERSION', '5', '10', 'x')).toEqual(err('ERR value is not an integer or out of range'));
  });

  it('version 5 (Schotter): the first two rows of squares are not turned, so this picture is Redis’s exactly', () => {
    h = harness();
    const reply = h.raw('LOLWUT', 'VERSION', '5', '10', '2', '2') as VerbatimReply;
    expect(reply.text).toBe(
      '⠀⡤⠤⠤⠤⡤⠤⠤⠤⡄\n⠀⡇⠀⠀⠀⡇⠀⠀⠀⡇\n⠀⡧⠤⠤⠤⡧⠤⠤⠤⡇\n⠀⡇⠀⠀⠀⡇⠀⠀⠀⡇\n⠀⠧⠤⠤⠤⠧⠤⠤⠤⠇\n\n' +
        `Georg Nees - schotter, plotter on paper, 1968. Redis ver. ${REDIS_VERSION}\n`,
    );
  });

  it('the turned rows come from the cache’s seeded PRNG: same seed, same picture; another seed, another', () => {
    const pictures = [1, 1, 2].map((seed) => {
      const cache = make({ seed });
      const text = (cache.execute(['LOLWUT', 'VERSION', '5']) as string);
      const six = cache.execute(['LOLWUT', 'VERSION', '6']) as string;
      cache.close();
      return text + six;
    });
    expect(pictures[0]).toBe(pictures[1]);
    expect(pictures[0]).not.toBe(pictures[2]);
    h = harness();
  });

  it('version 6 (skyline): rows × columns of gray cells and its caption; arguments clamped', () => {
    let n = 0;
    const rand = () => (n = (n * 1103515245 + 12345) % 2147483648);
    const text = skyline('7.4.3', rand, 12, 5);
    const lines = text.split('\n');
    expect(lines).toHaveLength(5 + 3);
    for (const line of lines.slice(0, 5)) expect(line).toMatch(/^(?:\x1b\[0;(?:30;40|90;100|37;47|97;107)m \x1b\[0m){12}$/);
    expect(lines.slice(5)).toEqual(['Dedicated to the 8 bit game developers of past and present.', 'Original 8 bit image from Plaguemon by hikikomori. Redis ver. 7.4.3', '']);
    // The ground row is always a building or sky; the top-left cell of a 1×1 canvas is white sky or a building.
    expect(skyline('v', rand, -5, 0).split('\n')).toHaveLength(1 + 3);
    expect(schotter('v', rand, 0, 0, 0).split('\n')[0]).toBe('⠋');
    h = harness();
  });
});

// ---------------------------------------------------------------------------------------------
// Against a live redis-server of this file's own (slow log, counters and monitors are per server).

/** A raw connection that records the MONITOR lines it receives. */
class LiveMonitor {
  readonly lines: string[] = [];
  private buffer = '';
  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('latin1');
      let end: number;
      while ((end = this.buffer.indexOf('\r\n')) >= 0) {
        const line = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        if (line.startsWith('+') && line !== '+OK') this.lines.push(line.slice(1));
      }
    });
  }

  static async start(port: number): Promise<LiveMonitor> {
    const socket = connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const monitor = new LiveMonitor(socket);
    socket.write(encodeCommand(['MONITOR']));
    return monitor;
  }

  /** Waits until a line containing `marker` arrived. */
  async until(marker: string): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!this.lines.some((line) => line.includes(marker))) {
      if (Date.now() > deadline) throw new Error(`MONITOR line with ${marker} never came: ${this.lines.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** The commands both sides run for the slow-log and MONITOR comparisons. */
const SEQUENCE: Arg[][] = [
  ['SET', 'a', '1'],
  ['MULTI'],
  ['SET', 'a', '2'],
  ['INCR', 'a'],
  ['EXEC'],
  ['EVAL', "redis.call('set','b','2') return redis.call('incr','a')", '0'],
  ['EVAL', "return redis.call('lpop','a')", '0'],
  ['LPOP', 'a'],
  ['GET'],
  ['NOSUCH', 'x'],
  ['SET', 'q"uo te', Buffer.from([0, 0xff, 0x0a, 0x09, 0x5c])],
  ['RPUSH', 'list', ...Array.from({ length: 40 }, (_, i) => `e${i}`)],
  ['SET', 'long', 'v'.repeat(300)],
  ['GETRANGE', 'long', '0', '3'],
  ['CLIENT', 'SETNAME', 'cmp'],
  ['HELLO', '2', 'AUTH', 'default', 'pw'],
  ['AUTH', 'pw'],
  ['CONFIG', 'GET', 'maxmemory'],
  ['OBJECT', 'ENCODING', 'a'],
  ['ECHO', 'done'],
];

describeLive('observability against a live redis-server', () => {
  let server: { port: number; stop(): Promise<void> };
  let live: RespClient;
  beforeAll(async () => {
    server = await privateServer();
    live = await RespClient.connect(server.port);
  });
  afterAll(async () => {
    live?.close();
    await server?.stop();
  });

  /** Runs the sequence on a fresh emulator connection; returns the harness. */
  function emulated(): Harness {
    const h = harness();
    logEverything(h);
    return h;
  }

  it('SLOWLOG: the same entries (arguments, trimming, redaction, names, which commands) at threshold 0', async () => {
    await live.call(['CONFIG', 'SET', 'slowlog-log-slower-than', '0']);
    await live.call(['FLUSHALL']);
    await live.call(['SLOWLOG', 'RESET']);
    const h = emulated();
    h.run('SLOWLOG', 'RESET');
    for (const argv of SEQUENCE) {
      await live.call(argv);
      h.run(...(argv as (string | Buffer)[]));
    }
    const liveLog = await live.call(['SLOWLOG', 'GET', '-1']);
    const ours = h.run('SLOWLOG', 'GET', '-1');
    // id, time, duration and address differ between two servers; arguments, name and order must not.
    const view = (reply: Typed, addrOf: (addr: string) => string) =>
      (reply[1] as Typed[]).map((entry) => {
        const [, , , args, addr, name] = entry[1] as Typed[];
        return [args, addrOf(String(addr[1])), name];
      });
    const liveAddr = (addr: string) => (addr === '?:0' ? 'script' : 'client');
    expect(view(ours, liveAddr)).toEqual(view(liveLog, liveAddr));
    const ids = (reply: Typed) => (reply[1] as Typed[]).map((entry) => Number((entry[1] as Typed[])[0][1]));
    const liveIds = ids(liveLog);
    expect(ids(ours).map((id) => id - ids(ours).at(-1)!)).toEqual(liveIds.map((id) => id - liveIds.at(-1)!));
    for (const argv of [['SLOWLOG', 'GET', '-2'], ['SLOWLOG', 'GET', 'x'], ['SLOWLOG', 'GET', '0'], ['SLOWLOG', 'LEN', 'x'], ['SLOWLOG', 'NOPE'], ['SLOWLOG', 'GET', '1', '2']]) {
      expect(h.run(...argv), argv.join(' ')).toEqual(await live.call(argv));
    }
    expect(h.run('SLOWLOG', 'HELP')).toEqual(helpFooter74(await live.call(['SLOWLOG', 'HELP'])));
    await live.call(['CONFIG', 'SET', 'slowlog-log-slower-than', '10000']);
    h.cache.close();
  });

  it('MONITOR: the same lines for the same commands (time and client address set aside)', async () => {
    await live.call(['FLUSHALL']);
    const monitor = await LiveMonitor.start(server.port);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const sender = await RespClient.connect(server.port);
    for (const argv of SEQUENCE) await sender.call(argv);
    await monitor.until('"done"');
    sender.close();
    monitor.close();

    const cache = make();
    const { lines } = monitorClient(cache);
    const c = cache.openClient({ name: null });
    for (const argv of SEQUENCE) {
      try {
        cache.executeReply(argv as (string | Buffer)[], c);
      } catch {
        // errors are part of the sequence
      }
    }
    const strip = (line: string) => untimed(line).replace(/^\[0 (?!lua\])[^\]]+\]/, '[0 client]');
    expect(lines.map(strip)).toEqual(monitor.lines.map((line) => strip(Buffer.from(line, 'latin1').toString('latin1'))));
    cache.close();
  });

  it('LATENCY HISTOGRAM and INFO commandstats: the same commands with the same call, rejection and failure counts', async () => {
    await live.call(['FLUSHALL']);
    await live.call(['CONFIG', 'RESETSTAT']);
    const h = harness();
    const steps: Arg[][] = [['SET', 'k', 'v'], ['SET', 'k', 'w'], ['GET'], ['LPUSH', 'k', 'x'], ['CONFIG', 'GET', 'slowlog-max-len'], ['GET', 'k'], ['MULTI'], ['INCR', 'n'], ['EXEC']];
    for (const argv of steps) {
      await live.call(argv);
      h.run(...(argv as string[]));
    }
    const counts = (text: string) =>
      text
        .split('\r\n')
        .filter((line) => line.startsWith('cmdstat_') && !line.startsWith('cmdstat_config|resetstat') && !line.startsWith('cmdstat_flushall'))
        .map((line) => line.replace(/usec=\d+,usec_per_call=[\d.]+,/, ''))
        .sort();
    const liveInfo = (await live.call(['INFO', 'commandstats']))[1] as string;
    expect(counts((h.raw('INFO', 'commandstats') as VerbatimReply).text)).toEqual(counts(liveInfo));
    const histogramNames = async (argv: Arg[]) => {
      const reply = await live.call(argv);
      return (reply[1] as Typed[]).filter((_, i) => i % 2 === 0).map((t) => t[1]);
    };
    const ours = (argv: Arg[]) => (h.run(...(argv as string[]))[1] as Typed[]).filter((_, i) => i % 2 === 0).map((t) => t[1]);
    const named: Arg[] = ['LATENCY', 'HISTOGRAM', 'set', 'config', 'nosuch', 'CONFIG|GET', 'incr'];
    expect(ours(named)).toEqual((await histogramNames(named)).filter((n) => n !== 'config|resetstat'));
    // Each histogram's last bucket holds every call.
    const liveSet = ((await live.call(['LATENCY', 'HISTOGRAM', 'set']))[1] as Typed[])[1][1] as Typed[];
    const ourSet = (h.run('LATENCY', 'HISTOGRAM', 'set')[1] as Typed[])[1][1] as Typed[];
    expect(ourSet.slice(0, 3)).toEqual(liveSet.slice(0, 3));
    expect((ourSet[3][1] as Typed[]).at(-1)).toEqual((liveSet[3][1] as Typed[]).at(-1));
    h.cache.close();
  });

  it('LOLWUT: version 5 pictures without turned rows, version lines and errors are the same', async () => {
    const h = harness();
    const normal = (reply: Typed): Typed => (reply[0] === '$' ? ['$', String(reply[1]).replace(/Redis ver\. [0-9.]+/, 'Redis ver. X')] : reply);
    const cases: Arg[][] = [
      ['LOLWUT'],
      ['LOLWUT', 'VERSION', '5', '10', '2', '2'],
      ['LOLWUT', 'VERSION', '5', '66', '8', '2'],
      ['LOLWUT', 'VERSION', '5', '1', '1', '1'],
      ['LOLWUT', 'VERSION', '5', '3', '3', '1'],
      ['LOLWUT', 'VERSION', '5', '-5', '0', '0'],
      ['LOLWUT', 'VERSION', '5', '2000', '300', '1'],
      ['LOLWUT', 'VERSION', '5', '37', '7', '2', 'extra'],
      ['LOLWUT', 'VERSION', '5', '80', '1', '2'],
      ['LOLWUT', 'VERSION', '4'],
      ['LOLWUT', 'VERSION', '7'],
      ['LOLWUT', 'VERSION', '-1'],
      ['LOLWUT', 'VERSION'],
      ['LOLWUT', 'foo'],
      ['LOLWUT', 'VERSION', 'x'],
      ['LOLWUT', 'VERSION', '5', 'a'],
      ['LOLWUT', 'VERSION', '6', '10', 'b'],
    ];
    for (const argv of cases) expect(normal(h.run(...(argv as string[]))), argv.join(' ')).toEqual(normal(await live.call(argv)));
    // Turned rows are random on both sides: the shape (line count and widths) still agrees.
    const shape = (text: string) =>
      text
        .replace(/Redis ver\. [0-9.]+/, 'Redis ver. X')
        .split('\n')
        .map((line) => [...line].length);
    const liveFive = String((await live.call(['LOLWUT', 'VERSION', '5']))[1]);
    expect(shape(String(h.run('LOLWUT', 'VERSION', '5')[1]))).toEqual(shape(liveFive));
    // Version 6: cells per line (each cell is one colored space).
    const cells = (text: string) =>
      text
        .replace(/Redis ver\. [0-9.]+/, 'Redis ver. X')
        .split('\n')
        .map((line) => (line.includes('\x1b') ? line.split('\x1b[0m').length - 1 : line));
    const liveSix = String((await live.call(['LOLWUT', 'VERSION', '6', '30', '8']))[1]);
    expect(cells(String(h.run('LOLWUT', 'VERSION', '6', '30', '8')[1]))).toEqual(cells(liveSix));
    h.cache.close();
  });
});
