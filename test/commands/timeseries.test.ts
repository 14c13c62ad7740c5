/**
 * RedisTimeSeries 1.12 (`TS.*`) on a cache created with `modules: ['RedisTimeSeries']`.
 *
 * There is no RedisTimeSeries server here: expectations come from the command documentation
 * (redis/docs `content/commands/ts.*.md`, cited as `docs ts.x`) and the module's source
 * (RedisTimeSeries/RedisTimeSeries `src/module.c`, `src/reply.c`, `src/query_language.c`, cited as
 * `source`). RESP2 values are `%.15g` simple strings (reply.c ReplyWithSample), so `'+30'`.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ManagedRedis } from '../../src/managed-redis.js';
import { formatValue } from '../../src/keyspace/types/timeseries.js';
import { harness, type HarnessOptions } from '../support/command-harness.js';
import { moduleHarness, simple } from '../support/short-reply.js';
import { slotOfName } from '../../src/cluster/slots.js';

const ts = (options: HarnessOptions = {}) => moduleHarness('RedisTimeSeries', options);

const OK = '+OK';

describe('the RedisTimeSeries module', () => {
  it('is loaded by the modules option; without it TS.* are unknown commands', () => {
    expect(harness().run('TS.CREATE', 'k')).toEqual(['-', "ERR unknown command 'TS.CREATE', with args beginning with: 'k' "]);
    expect(ts().r('TS.CREATE', 'k')).toBe(OK);
    const make = (o: ConstructorParameters<typeof ManagedRedis>[0]) => () => new ManagedRedis({ clock: 'virtual', ...o });
    // azure-facts §8: not with geo-replication, not on Flash.
    expect(make({ geoReplication: true, modules: ['RedisTimeSeries'] })).toThrow(/not available with active geo-replication/);
    expect(make({ sku: 'FlashOptimized_A250', modules: ['RedisTimeSeries'] })).toThrow(/not available on Flash Optimized SKUs/);
    expect(make({ modules: ['RedisJSON', 'RedisTimeSeries'] })).not.toThrow();
  });

  it('MODULE LIST, INFO modules, TYPE, COMMAND INFO as Redis reports a module', () => {
    const h = ts();
    expect(h.r('MODULE', 'LIST')).toEqual([['name', 'timeseries', 'ver', 11203, 'path', '/opt/redislabs/lib/modules/redistimeseries.so', 'args', []]]);
    expect(String(h.r('INFO', 'modules'))).toContain('module:name=timeseries,ver=11203');
    h.r('TS.CREATE', 's');
    expect(h.r('TYPE', 's')).toBe('+TSDB-TYPE');
    // source module.c: ts.madd keys 1/-1/3, ts.createrule 1/2/1, ts.mget keyless.
    const info = h.r('COMMAND', 'INFO', 'ts.madd', 'ts.createrule', 'ts.mget') as unknown[][];
    expect(info.map((e) => e.slice(0, 6))).toEqual([
      ['ts.madd', -1, ['+write', '+denyoom', '+module'], 1, -1, 3],
      ['ts.createrule', -1, ['+write', '+denyoom', '+module'], 1, 2, 1],
      ['ts.mget', -1, ['+readonly', '+module'], 0, 0, 0],
    ]);
    expect(h.r('COMMAND', 'DOCS', 'ts.get')).toEqual(['ts.get', ['group', 'module', 'module', 'timeseries']]);
  });
});

describe('TS.CREATE / TS.ALTER / TS.INFO', () => {
  it('creates with options; TS.INFO reports them (docs ts.info field names, source TSDB_info)', () => {
    const h = ts();
    expect(h.r('TS.CREATE', 't', 'RETENTION', '60000', 'ENCODING', 'UNCOMPRESSED', 'CHUNK_SIZE', '128', 'DUPLICATE_POLICY', 'max', 'IGNORE', '5', '0.5', 'LABELS', 'sensor', 'a', 'room', 'k')).toBe(OK);
    const info = h.r('TS.INFO', 't') as unknown[];
    const map = new Map<unknown, unknown>();
    for (let i = 0; i < info.length; i += 2) map.set(info[i], info[i + 1]);
    expect([...map.keys()]).toEqual([
      '+totalSamples', '+memoryUsage', '+firstTimestamp', '+lastTimestamp', '+retentionTime', '+chunkCount', '+chunkSize',
      '+chunkType', '+duplicatePolicy', '+labels', '+sourceKey', '+rules', '+ignoreMaxTimeDiff', '+ignoreMaxValDiff',
    ]);
    expect(map.get('+retentionTime')).toBe(60000);
    expect(map.get('+chunkSize')).toBe(128);
    expect(map.get('+chunkType')).toBe('uncompressed');
    expect(map.get('+duplicatePolicy')).toBe('max');
    expect(map.get('+labels')).toEqual([['sensor', 'a'], ['room', 'k']]);
    expect(map.get('+sourceKey')).toBeNull();
    expect(map.get('+ignoreMaxTimeDiff')).toBe(5);
    expect(map.get('+ignoreMaxValDiff')).toBe('+0.5');
    expect(h.r('TS.ALTER', 't', 'RETENTION', '0', 'LABELS', 'x', 'y')).toBe(OK);
    const after = h.r('TS.INFO', 't') as unknown[];
    expect(after[9]).toBe(0);
    expect(after[19]).toEqual([['x', 'y']]);
    const debug = h.r('TS.INFO', 't', 'DEBUG') as unknown[];
    expect(debug[28]).toBe('+keySelfName');
    expect(debug[30]).toBe('+Chunks');
  });

  it('docs ts.info example: an empty series with two labels, with DEBUG', () => {
    const h = ts();
    h.r('TS.CREATE', 'telemetry:kitchen:temperature', 'LABELS', 'room', 'kitchen', 'type', 'temperature');
    const head = [
      '+totalSamples', 0, '+memoryUsage', 4246, '+firstTimestamp', 0, '+lastTimestamp', 0, '+retentionTime', 0,
      '+chunkCount', 1, '+chunkSize', 4096, '+chunkType', 'compressed', '+duplicatePolicy', null,
      '+labels', [['room', 'kitchen'], ['type', 'temperature']], '+sourceKey', null, '+rules', [],
    ];
    // 1.12's IGNORE fields follow (not in the docs example, which predates them).
    const ignore = ['+ignoreMaxTimeDiff', 0, '+ignoreMaxValDiff', '+0'];
    expect(h.r('TS.INFO', 'telemetry:kitchen:temperature')).toEqual([...head, ...ignore]);
    expect(h.r('TS.INFO', 'telemetry:kitchen:temperature', 'DEBUG')).toEqual([
      ...head, ...ignore, '+keySelfName', 'telemetry:kitchen:temperature', '+Chunks',
      [['+startTimestamp', 0, '+endTimestamp', 0, '+samples', 0, '+size', 4096, '+bytesPerSample', 'inf']],
    ]);
  });

  it('answers the module errors (source query_language.c / module.c)', () => {
    const h = ts();
    h.r('TS.CREATE', 't');
    expect(h.r('TS.CREATE', 't')).toBe('-ERR TSDB: key already exists');
    h.r('SET', 'str', 'x');
    expect(h.r('TS.CREATE', 'str')).toBe('-ERR TSDB: key already exists');
    expect(h.r('TS.CREATE', 'a', 'RETENTION', 'x')).toBe("-ERR TSDB: Couldn't parse RETENTION");
    expect(h.r('TS.CREATE', 'a', 'CHUNK_SIZE', '100')).toBe('-ERR TSDB: CHUNK_SIZE value must be a multiple of 8 in the range [48 .. 1048576]');
    expect(h.r('TS.CREATE', 'a', 'ENCODING', 'zip')).toBe('-ERR TSDB: unknown ENCODING parameter');
    expect(h.r('TS.CREATE', 'a', 'DUPLICATE_POLICY', 'often')).toBe('-ERR TSDB: Unknown DUPLICATE_POLICY');
    expect(h.r('TS.CREATE', 'a', 'IGNORE', '-1', '1')).toBe('-ERR TSDB: IGNORE arguments cannot be negative');
    expect(h.r('TS.CREATE', 'a', 'LABELS', 'k')).toBe("-ERR TSDB: Couldn't parse LABELS");
    expect(h.r('TS.CREATE', 'a', 'LABELS', 'k', 'v(1)')).toBe("-ERR TSDB: Couldn't parse LABELS");
    expect(h.r('EXISTS', 'a')).toBe(0);
    expect(h.r('TS.INFO', 'nope')).toBe('-ERR TSDB: the key does not exist');
    expect(h.r('TS.INFO', 'str')).toBe('-WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(h.r('TS.ALTER', 'nope', 'RETENTION', '1')).toBe('-ERR TSDB: the key does not exist');
    expect(h.r('TS.CREATE')).toBe("-ERR wrong number of arguments for 'ts.create' command");
  });
});

describe('TS.ADD / TS.MADD / TS.INCRBY / TS.DECRBY / TS.GET / TS.DEL', () => {
  it('adds samples, `*` from the cache clock; prints values as %.15g (source reply.c)', () => {
    const h = ts();
    const now = h.cache.clock.now();
    expect(h.r('TS.ADD', 'k', '*', '1.5')).toBe(now);
    expect(h.r('TS.GET', 'k')).toEqual([now, '+1.5']);
    expect(h.r('TS.ADD', 'k', String(now + 1), '0.1')).toBe(now + 1);
    expect(h.r('TS.GET', 'k')).toEqual([now + 1, '+0.1']);
    expect(h.r('TS.ADD', 'k', '1', 'x')).toBe('-ERR TSDB: invalid value');
    expect(h.r('TS.ADD', 'k', 'x', '1')).toBe('-ERR TSDB: invalid timestamp');
    expect(h.r('TS.ADD', 'k', '-1', '1')).toBe('-ERR TSDB: invalid timestamp, must be a nonnegative integer');
    expect(h.r('TS.ADD', 'k', '1', 'nan')).toBe('-ERR TSDB: invalid value');
    // TS.ADD creates with the create options (docs ts.add).
    expect(h.r('TS.ADD', 'new', '10', '1', 'LABELS', 'a', 'b', 'c')).toBe("-ERR TSDB: Couldn't parse LABELS");
    expect(h.r('TS.ADD', 'new', '10', '1', 'DUPLICATE_POLICY', 'sum', 'LABELS', 'a', 'b')).toBe(10);
    expect(h.r('TS.ADD', 'new', '10', '2')).toBe(10);
    expect(h.r('TS.GET', 'new')).toEqual([10, '+3']);
    expect(h.r('TS.GET', 'nope')).toBe('-ERR TSDB: the key does not exist');
    h.r('TS.CREATE', 'empty');
    expect(h.r('TS.GET', 'empty')).toEqual([]);
  });

  it('%.15g formatting', () => {
    expect([1, 0.1, 1 / 3, 1e20, 123456789012345678, 1e-5, 0.0001, -2.5, 1e15, 1e14, NaN].map(formatValue)).toEqual([
      '1', '0.1', '0.333333333333333', '1e+20', '1.23456789012346e+17', '1e-05', '0.0001', '-2.5', '1e+15', '100000000000000', 'NaN',
    ]);
  });

  it('duplicate policies and ON_DUPLICATE (docs ts.add / ts.create)', () => {
    const h = ts();
    h.r('TS.ADD', 'k', '5', '10');
    expect(h.r('TS.ADD', 'k', '5', '20')).toBe('-ERR TSDB: Error at upsert, update is not supported when DUPLICATE_POLICY is set to BLOCK mode');
    const cases: Array<[string, string]> = [['FIRST', '10'], ['LAST', '20'], ['MIN', '10'], ['MAX', '20'], ['SUM', '30']];
    for (const [policy, expected] of cases) {
      h.r('DEL', 'd');
      h.r('TS.ADD', 'd', '5', '10');
      expect(h.r('TS.ADD', 'd', '5', '20', 'ON_DUPLICATE', policy)).toBe(5);
      expect(h.r('TS.GET', 'd')).toEqual([5, `+${expected}`]);
    }
  });

  it('IGNORE drops close samples under policy LAST and answers the last timestamp (docs ts.create IGNORE)', () => {
    const h = ts();
    h.r('TS.CREATE', 'k', 'DUPLICATE_POLICY', 'LAST', 'IGNORE', '10', '1');
    expect(h.r('TS.ADD', 'k', '100', '5')).toBe(100);
    expect(h.r('TS.ADD', 'k', '105', '5.5')).toBe(100);
    expect(h.r('TS.ADD', 'k', '111', '5.5')).toBe(111);
    expect(h.r('TS.ADD', 'k', '112', '7')).toBe(112);
    expect(h.r('TS.RANGE', 'k', '-', '+')).toEqual([[100, '+5'], [111, '+5.5'], [112, '+7']]);
  });

  it('retention trims relative to the newest sample and refuses older samples (docs ts.create RETENTION)', () => {
    const h = ts();
    h.r('TS.CREATE', 'k', 'RETENTION', '100');
    for (const t of ['1000', '1050', '1100', '1150']) h.r('TS.ADD', 'k', t, '1');
    expect(h.r('TS.RANGE', 'k', '-', '+')).toEqual([[1050, '+1'], [1100, '+1'], [1150, '+1']]);
    expect(h.r('TS.ADD', 'k', '1000', '1')).toBe('-ERR TSDB: Timestamp is older than retention');
  });

  it('TS.MADD answers per sample, errors inside the array (docs ts.madd)', () => {
    const h = ts();
    h.r('TS.CREATE', 'a');
    expect(h.r('TS.MADD', 'a', '1', '1', 'nope', '1', '1', 'a', '2', 'x')).toEqual([1, '-ERR TSDB: the key does not exist', '-ERR TSDB: invalid value']);
    expect(h.r('TS.MADD', 'a', '1')).toBe("-ERR wrong number of arguments for 'ts.madd' command");
  });

  it('TS.INCRBY / TS.DECRBY (docs ts.incrby)', () => {
    const h = ts();
    expect(h.r('TS.INCRBY', 'c', '5', 'TIMESTAMP', '10')).toBe(10);
    expect(h.r('TS.INCRBY', 'c', '2.5', 'TIMESTAMP', '10')).toBe(10);
    expect(h.r('TS.GET', 'c')).toEqual([10, '+7.5']);
    expect(h.r('TS.DECRBY', 'c', '10', 'TIMESTAMP', '20')).toBe(20);
    expect(h.r('TS.GET', 'c')).toEqual([20, '+-2.5']);
    expect(h.r('TS.INCRBY', 'c', '1', 'TIMESTAMP', '5')).toBe('-ERR TSDB: timestamp must be equal to or higher than the maximum existing timestamp');
    expect(h.r('TS.INCRBY', 'c', 'x')).toBe('-ERR TSDB: invalid increase/decrease value');
    expect(h.r('TS.INCRBY', 'c', '1')).toBe(h.cache.clock.now());
  });

  it('TS.DEL removes a range and answers the count (docs ts.del)', () => {
    const h = ts();
    h.r('TS.MADD', 'k', '1', '1');
    h.r('TS.CREATE', 'k');
    h.r('TS.MADD', 'k', '1', '1', 'k', '2', '2', 'k', '3', '3');
    expect(h.r('TS.DEL', 'k', '2', '10')).toBe(2);
    expect(h.r('TS.RANGE', 'k', '-', '+')).toEqual([[1, '+1']]);
    expect(h.r('TS.DEL', 'k', 'x', '1')).toBe('-ERR TSDB: wrong fromTimestamp');
  });
});

describe('TS.RANGE / TS.REVRANGE', () => {
  function stock(h: ReturnType<typeof ts>): void {
    // docs ts.range "Align aggregation buckets".
    h.r('TS.CREATE', 'stock:ABC', 'LABELS', 'type', 'stock', 'name', 'ABC');
    h.r('TS.MADD', 'stock:ABC', '1000', '100', 'stock:ABC', '1010', '110', 'stock:ABC', '1020', '120');
    h.r('TS.MADD', 'stock:ABC', '2000', '200', 'stock:ABC', '2010', '210', 'stock:ABC', '2020', '220');
    h.r('TS.MADD', 'stock:ABC', '3000', '300', 'stock:ABC', '3010', '310', 'stock:ABC', '3020', '320');
  }

  it('docs ts.range: FILTER_BY_VALUE and avg', () => {
    const h = ts();
    h.r('TS.CREATE', 'temp:TLV', 'LABELS', 'type', 'temp', 'location', 'TLV');
    h.r('TS.MADD', 'temp:TLV', '1000', '30', 'temp:TLV', '1010', '35', 'temp:TLV', '1020', '9999', 'temp:TLV', '1030', '40');
    expect(h.r('TS.RANGE', 'temp:TLV', '-', '+', 'FILTER_BY_VALUE', '-100', '100')).toEqual([[1000, '+30'], [1010, '+35'], [1030, '+40']]);
    expect(h.r('TS.RANGE', 'temp:TLV', '-', '+', 'FILTER_BY_VALUE', '-100', '100', 'AGGREGATION', 'avg', '1000')).toEqual([[1000, '+35']]);
    expect(h.r('TS.RANGE', 'temp:TLV', '-', '+', 'FILTER_BY_TS', '1010', '1030')).toEqual([[1010, '+35'], [1030, '+40']]);
  });

  it('docs ts.range: ALIGN start and the default alignment', () => {
    const h = ts();
    stock(h);
    expect(h.r('TS.RANGE', 'stock:ABC', '-', '+', 'AGGREGATION', 'min', '20')).toEqual([
      [1000, '+100'], [1020, '+120'], [2000, '+200'], [2020, '+220'], [3000, '+300'], [3020, '+320'],
    ]);
    expect(h.r('TS.RANGE', 'stock:ABC', '5', '+', 'AGGREGATION', 'min', '20', 'ALIGN', 'start')).toEqual([
      [985, '+100'], [1005, '+110'], [1985, '+200'], [2005, '+210'], [2985, '+300'], [3005, '+310'],
    ]);
  });

  it('aggregators, BUCKETTIMESTAMP, EMPTY, COUNT, REVRANGE', () => {
    const h = ts();
    h.r('TS.MADD', 'x', '0', '0');
    h.r('TS.CREATE', 'x');
    h.r('TS.MADD', 'x', '0', '1', 'x', '2', '3', 'x', '4', '5', 'x', '31', '10');
    const agg = (name: string) => h.r('TS.RANGE', 'x', '0', '9', 'AGGREGATION', name, '10');
    expect(agg('sum')).toEqual([[0, '+9']]);
    expect(agg('avg')).toEqual([[0, '+3']]);
    expect(agg('range')).toEqual([[0, '+4']]);
    expect(agg('count')).toEqual([[0, '+3']]);
    expect(agg('first')).toEqual([[0, '+1']]);
    expect(agg('last')).toEqual([[0, '+5']]);
    expect(agg('var.p')).toEqual([[0, `+${formatValue(8 / 3)}`]]);
    expect(agg('var.s')).toEqual([[0, '+4']]);
    expect(agg('std.s')).toEqual([[0, '+2']]);
    expect(agg('std.p')).toEqual([[0, `+${formatValue(Math.sqrt(8 / 3))}`]]);
    // TWA over 0..4: (2·2 + 4·2) / 4 = 3 (no neighbours inside the query range).
    expect(agg('twa')).toEqual([[0, '+3']]);
    expect(h.r('TS.RANGE', 'x', '-', '+', 'AGGREGATION', 'sum', '10', 'BUCKETTIMESTAMP', '+')).toEqual([[10, '+9'], [40, '+10']]);
    expect(h.r('TS.RANGE', 'x', '-', '+', 'AGGREGATION', 'sum', '10', 'BUCKETTIMESTAMP', 'mid')).toEqual([[5, '+9'], [35, '+10']]);
    expect(h.r('TS.RANGE', 'x', '-', '+', 'AGGREGATION', 'sum', '10', 'EMPTY')).toEqual([[0, '+9'], [10, '+0'], [20, '+0'], [30, '+10']]);
    expect(h.r('TS.RANGE', 'x', '-', '+', 'AGGREGATION', 'max', '10', 'EMPTY')).toEqual([[0, '+5'], [10, '+NaN'], [20, '+NaN'], [30, '+10']]);
    expect(h.r('TS.RANGE', 'x', '-', '+', 'COUNT', '2')).toEqual([[0, '+1'], [2, '+3']]);
    expect(h.r('TS.REVRANGE', 'x', '-', '+', 'COUNT', '2')).toEqual([[31, '+10'], [4, '+5']]);
    expect(h.r('TS.REVRANGE', 'x', '-', '+', 'AGGREGATION', 'sum', '10')).toEqual([[30, '+10'], [0, '+9']]);
  });

  it('ALIGN end and a numeric alignment', () => {
    const h = ts();
    h.r('TS.CREATE', 'x');
    h.r('TS.MADD', 'x', '10', '1', 'x', '14', '2', 'x', '16', '4');
    // end: buckets aligned to the query's end (17): 7…11, 12…16.
    expect(h.r('TS.RANGE', 'x', '0', '17', 'AGGREGATION', 'sum', '5', 'ALIGN', 'end')).toEqual([[7, '+1'], [12, '+6']]);
    expect(h.r('TS.RANGE', 'x', '0', '17', 'AGGREGATION', 'sum', '5', 'ALIGN', '1')).toEqual([[6, '+1'], [11, '+2'], [16, '+4']]);
    expect(h.r('TS.RANGE', 'x', '-', '+', 'AGGREGATION', 'sum', '5', 'ALIGN', 'x')).toBe('-ERR TSDB: unknown ALIGN parameter');
  });

  it('range errors (source query_language.c)', () => {
    const h = ts();
    h.r('TS.CREATE', 'x');
    expect(h.r('TS.RANGE', 'x', 'a', '+')).toBe('-ERR TSDB: wrong fromTimestamp');
    expect(h.r('TS.RANGE', 'x', '-', 'b')).toBe('-ERR TSDB: wrong toTimestamp');
    expect(h.r('TS.RANGE', 'x', '-', '+', 'AGGREGATION', 'median', '10')).toBe('-ERR TSDB: Unknown aggregation type');
    expect(h.r('TS.RANGE', 'x', '-', '+', 'AGGREGATION', 'avg', '0')).toBe('-ERR TSDB: bucketDuration must be greater than zero');
    expect(h.r('TS.RANGE', 'x', '-', '+', 'AGGREGATION', 'avg')).toBe("-ERR TSDB: Couldn't parse AGGREGATION");
    expect(h.r('TS.RANGE', 'x', '-', '+', 'ALIGN', 'start')).toBe('-ERR TSDB: ALIGN parameter can only be used with AGGREGATION');
    expect(h.r('TS.RANGE', 'x', '-', '+', 'FILTER_BY_VALUE', '1')).toBe('-ERR TSDB: FILTER_BY_VALUE one or more arguments are missing');
    expect(h.r('TS.RANGE', 'x', '-', '+', 'COUNT')).toBe('-ERR TSDB: COUNT argument is missing');
    expect(h.r('TS.RANGE', 'x', '-')).toBe("-ERR wrong number of arguments for 'ts.range' command");
  });

  it('RESP3: samples carry doubles, TS.INFO is a map', () => {
    const h = ts({ resp: 3 });
    h.r('TS.ADD', 'k', '1', '2.5', 'LABELS', 'a', 'b');
    expect(h.r('TS.RANGE', 'k', '-', '+')).toEqual([[1, ',2.5']]);
    expect(h.r('TS.GET', 'k')).toEqual([1, ',2.5']);
    const info = h.r('TS.INFO', 'k') as Array<[unknown, unknown]>;
    expect(info[0]).toEqual(['+totalSamples', 1]);
    expect(info[9]).toEqual(['+labels', [['a', 'b']]]);
  });
});

describe('compaction rules', () => {
  it('writes closed buckets to the destination; LATEST reads the open one (docs ts.createrule, ts.get)', () => {
    const h = ts();
    h.r('TS.CREATE', 'raw');
    h.r('TS.CREATE', 'avg');
    expect(h.r('TS.CREATERULE', 'raw', 'avg', 'AGGREGATION', 'avg', '10')).toBe(OK);
    h.r('TS.MADD', 'raw', '1', '2', 'raw', '5', '4', 'raw', '12', '10');
    expect(h.r('TS.RANGE', 'avg', '-', '+')).toEqual([[0, '+3']]);
    expect(h.r('TS.GET', 'avg')).toEqual([0, '+3']);
    expect(h.r('TS.GET', 'avg', 'LATEST')).toEqual([10, '+10']);
    expect(h.r('TS.RANGE', 'avg', '-', '+', 'LATEST')).toEqual([[0, '+3'], [10, '+10']]);
    // A late sample in a closed bucket recomputes it.
    h.r('TS.ADD', 'raw', '3', '6');
    expect(h.r('TS.RANGE', 'avg', '-', '+')).toEqual([[0, '+4']]);
    const info = h.r('TS.INFO', 'raw') as unknown[];
    expect(info[23]).toEqual([['avg', 10, '+AVG', 0]]);
    expect((h.r('TS.INFO', 'avg') as unknown[])[21]).toBe('raw');
    expect(h.r('TS.CREATERULE', 'raw', 'avg', 'AGGREGATION', 'avg', '10')).toBe('-ERR TSDB: the destination key already has a src rule');
    expect(h.r('TS.CREATERULE', 'raw', 'raw', 'AGGREGATION', 'avg', '10')).toBe('-ERR TSDB: the source key and destination key should be different');
    expect(h.r('TS.CREATERULE', 'raw', 'none', 'AGGREGATION', 'avg', '10')).toBe('-ERR TSDB: the key does not exist');
    expect(h.r('TS.DELETERULE', 'raw', 'avg')).toBe(OK);
    expect(h.r('TS.DELETERULE', 'raw', 'avg')).toBe('-ERR TSDB: compaction rule does not exist');
    expect((h.r('TS.INFO', 'avg') as unknown[])[21]).toBeNull();
  });

  it('TS.DEL recomputes or removes the closed buckets it touches; MGET/MRANGE LATEST', () => {
    const h = ts();
    h.r('TS.CREATE', 'raw');
    h.r('TS.CREATE', 'max', 'LABELS', 'kind', 'max');
    h.r('TS.CREATERULE', 'raw', 'max', 'AGGREGATION', 'max', '10');
    h.r('TS.MADD', 'raw', '1', '5', 'raw', '2', '9', 'raw', '11', '1', 'raw', '25', '7');
    expect(h.r('TS.RANGE', 'max', '-', '+')).toEqual([[0, '+9'], [10, '+1']]);
    expect(h.r('TS.DEL', 'raw', '2', '2')).toBe(1);
    expect(h.r('TS.RANGE', 'max', '-', '+')).toEqual([[0, '+5'], [10, '+1']]);
    expect(h.r('TS.DEL', 'raw', '10', '19')).toBe(1);
    expect(h.r('TS.RANGE', 'max', '-', '+')).toEqual([[0, '+5']]);
    // A range millions of buckets wide touches only the buckets that lost samples.
    expect(h.r('TS.DEL', 'raw', '0', '9007199254740991')).toBe(2);
    expect(h.r('TS.RANGE', 'max', '-', '+')).toEqual([]);
    h.r('TS.MADD', 'raw', '1', '5', 'raw', '25', '7');
    expect(h.r('TS.MGET', 'LATEST', 'FILTER', 'kind=max')).toEqual([['max', [], [20, '+7']]]);
    expect(h.r('TS.MGET', 'FILTER', 'kind=max')).toEqual([['max', [], [0, '+5']]]);
    expect(h.r('TS.MRANGE', '-', '+', 'LATEST', 'FILTER', 'kind=max')).toEqual([['max', [], [[0, '+5'], [20, '+7']]]]);
  });

  it('source and destination must share a slot under OSS (keys 1 and 2 of TS.CREATERULE)', () => {
    const h = ts({ policy: 'OSS' });
    expect(h.r('TS.CREATERULE', 'a', 'b', 'AGGREGATION', 'avg', '10')).toBe("-CROSSSLOT Keys in request don't hash to the same slot");
    h.r('TS.CREATE', '{t}a');
    h.r('TS.CREATE', '{t}b');
    expect(h.r('TS.CREATERULE', '{t}a', '{t}b', 'AGGREGATION', 'avg', '10')).toBe(OK);
    expect(h.r('TS.MADD', 'a', '1', '1', 'b', '1', '1')).toBe("-CROSSSLOT Keys in request don't hash to the same slot");
  });

  it('alignTimestamp shifts the buckets', () => {
    const h = ts();
    h.r('TS.CREATE', 'raw');
    h.r('TS.CREATE', 'sum');
    h.r('TS.CREATERULE', 'raw', 'sum', 'AGGREGATION', 'sum', '10', '5');
    h.r('TS.MADD', 'raw', '5', '1', 'raw', '14', '2', 'raw', '15', '4');
    expect(h.r('TS.RANGE', 'sum', '-', '+')).toEqual([[5, '+3']]);
  });
});

describe('TS.MGET / TS.MRANGE / TS.QUERYINDEX', () => {
  function stocks(h: ReturnType<typeof ts>): void {
    // docs ts.mget example.
    h.r('TS.CREATE', 'stock:A', 'LABELS', 'type', 'stock', 'name', 'A');
    h.r('TS.CREATE', 'stock:B', 'LABELS', 'type', 'stock', 'name', 'B');
    h.r('TS.MADD', 'stock:A', '1000', '100', 'stock:A', '1010', '110', 'stock:A', '1020', '120');
    h.r('TS.MADD', 'stock:B', '1000', '120', 'stock:B', '1010', '110', 'stock:B', '1020', '100');
  }

  it('docs ts.mget: WITHLABELS and SELECTED_LABELS', () => {
    const h = ts();
    stocks(h);
    expect(h.r('TS.MGET', 'WITHLABELS', 'FILTER', 'type=stock')).toEqual([
      ['stock:A', [['type', 'stock'], ['name', 'A']], [1020, '+120']],
      ['stock:B', [['type', 'stock'], ['name', 'B']], [1020, '+100']],
    ]);
    expect(h.r('TS.MGET', 'SELECTED_LABELS', 'name', 'nope', 'FILTER', 'type=stock', 'name=(A,C)')).toEqual([['stock:A', [['name', 'A'], ['nope', null]], [1020, '+120']]]);
    expect(h.r('TS.MGET', 'FILTER', 'type=stock', 'name!=A')).toEqual([['stock:B', [], [1020, '+100']]]);
  });

  it('filter expressions (docs ts.mget FILTER)', () => {
    const h = ts();
    h.r('TS.CREATE', 'a', 'LABELS', 'x', '1', 'y', '1');
    h.r('TS.CREATE', 'b', 'LABELS', 'x', '2');
    h.r('TS.CREATE', 'c', 'LABELS', 'x', '3', 'y', '2');
    expect(h.r('TS.QUERYINDEX', 'x=(1,2,3)', 'y=')).toEqual(['b']);
    expect(h.r('TS.QUERYINDEX', 'x=(1,2,3)', 'y!=')).toEqual(['a', 'c']);
    expect(h.r('TS.QUERYINDEX', 'x!=(1,2)', 'x=(1,2,3)')).toEqual(['c']);
    expect(h.r('TS.QUERYINDEX', 'y!=1', 'x=(1,3)')).toEqual(['c']);
    expect(h.r('TS.QUERYINDEX', 'x!=1')).toBe('-ERR TSDB: please provide at least one matcher');
    expect(h.r('TS.QUERYINDEX', 'x')).toBe('-ERR TSDB: failed parsing labels');
    expect(h.r('TS.MGET', 'WITHLABELS', 'x=1')).toBe('-ERR TSDB: missing FILTER argument');
  });

  it('TS.MRANGE / TS.MREVRANGE with aggregation, and GROUPBY … REDUCE (docs ts.mrange)', () => {
    const h = ts();
    stocks(h);
    expect(h.r('TS.MRANGE', '-', '+', 'AGGREGATION', 'max', '100', 'FILTER', 'type=stock')).toEqual([
      ['stock:A', [], [[1000, '+120']]],
      ['stock:B', [], [[1000, '+120']]],
    ]);
    // docs ts.mrange syntax: WITHLABELS | SELECTED_LABELS before COUNT, ALIGN and AGGREGATION.
    expect(h.r('TS.MRANGE', '-', '+', 'WITHLABELS', 'COUNT', '1', 'AGGREGATION', 'min', '10', 'FILTER', 'name=A')).toEqual([
      ['stock:A', [['type', 'stock'], ['name', 'A']], [[1000, '+100']]],
    ]);
    expect(h.r('TS.MREVRANGE', '-', '+', 'SELECTED_LABELS', 'name', 'COUNT', '1', 'FILTER', 'type=stock')).toEqual([
      ['stock:A', [['name', 'A']], [[1020, '+120']]],
      ['stock:B', [['name', 'B']], [[1020, '+100']]],
    ]);
    expect(h.r('TS.MREVRANGE', '-', '+', 'COUNT', '1', 'SELECTED_LABELS', 'name', 'FILTER', 'type=stock')).toEqual([
      ['stock:A', [['name', 'A']], [[1020, '+120']]],
      ['stock:B', [['name', 'B']], [[1020, '+100']]],
    ]);
    h.r('TS.ADD', 'ts1', '1548149180000', '90', 'LABELS', 'metric', 'cpu', 'metric_name', 'system');
    h.r('TS.ADD', 'ts1', '1548149185000', '45');
    h.r('TS.ADD', 'ts2', '1548149180000', '99', 'LABELS', 'metric', 'cpu', 'metric_name', 'user');
    expect(h.r('TS.MRANGE', '-', '+', 'WITHLABELS', 'FILTER', 'metric=cpu', 'GROUPBY', 'metric_name', 'REDUCE', 'max')).toEqual([
      ['metric_name=system', [['metric_name', 'system'], ['__reducer__', 'max'], ['__source__', 'ts1']], [[1548149180000, '+90'], [1548149185000, '+45']]],
      ['metric_name=user', [['metric_name', 'user'], ['__reducer__', 'max'], ['__source__', 'ts2']], [[1548149180000, '+99']]],
    ]);
    expect(h.r('TS.MRANGE', '-', '+', 'FILTER', 'metric=cpu', 'GROUPBY', 'metric', 'REDUCE', 'sum')).toEqual([
      ['metric=cpu', [], [[1548149180000, '+189'], [1548149185000, '+45']]],
    ]);
    expect(h.r('TS.MRANGE', '-', '+', 'FILTER', 'metric=cpu', 'GROUPBY', 'metric', 'REDUCE', 'median')).toBe('-ERR TSDB: failed parsing reducer');
  });

  it('RESP3: TS.MGET and TS.MRANGE are maps keyed by series', () => {
    const h = ts({ resp: 3 });
    h.r('TS.ADD', 'a', '1', '1.5', 'LABELS', 'g', 'x');
    expect(h.r('TS.MGET', 'WITHLABELS', 'FILTER', 'g=x')).toEqual([['a', [[['g', 'x']], [1, ',1.5']]]]);
    expect(h.r('TS.MRANGE', '-', '+', 'AGGREGATION', 'max', '10', 'FILTER', 'g=x')).toEqual([
      ['a', [[], [['aggregators', ['max']]], [[0, ',1.5']]]],
    ]);
    expect(h.r('TS.MRANGE', '-', '+', 'FILTER', 'g=x', 'GROUPBY', 'g', 'REDUCE', 'sum')).toEqual([
      ['g=x', [[], [['reducers', ['sum']]], [['sources', ['a']]], [[1, ',1.5']]]],
    ]);
  });

  it('fans out over every shard under OSS and Enterprise (keyless commands)', () => {
    for (const policy of ['OSS', 'Enterprise'] as const) {
      const h = ts({ policy, sku: 'Balanced_B20' }); // 6 shards
      const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
      for (const k of keys) h.r('TS.ADD', k, '1', '1', 'LABELS', 'all', 'yes');
      const shards = new Set(keys.map((k) => h.cache.topology.slotToShard[slotOfName(k)]));
      expect(shards.size).toBeGreaterThan(1);
      expect(h.r('TS.QUERYINDEX', 'all=yes')).toEqual(keys);
      expect((h.r('TS.MGET', 'FILTER', 'all=yes') as unknown[]).length).toBe(6);
    }
  });
});

describe('keyspace, events, replication', () => {
  it('raises ts.* events in class d and replicates `*` resolved', () => {
    const h = ts();
    h.r('TS.ADD', 'k', '*', '1');
    h.r('TS.CREATE', 'dst');
    h.r('TS.CREATERULE', 'k', 'dst', 'AGGREGATION', 'sum', '10');
    h.r('TS.INCRBY', 'k', '1');
    expect(h.events()).toEqual(['k:ts.create', 'k:ts.add', 'dst:ts.create', 'k:ts.createrule:src', 'dst:ts.createrule:dest', 'k:ts.incrby']);
    expect(h.changes[0].effects).toEqual([['TS.ADD', 'k', String(h.cache.clock.now()), '1']]);
    h.r('TS.INCRBY', 'n', '2', 'LABELS', 'TIMESTAMP', 'x', 'RETENTION', '5');
    expect(h.changes.at(-1)!.effects).toEqual([['TS.INCRBY', 'n', '2', 'TIMESTAMP', String(h.cache.clock.now()), 'LABELS', 'TIMESTAMP', 'x', 'RETENTION', '5']]);
    expect((h.r('TS.INFO', 'n') as unknown[])[19]).toEqual([['TIMESTAMP', 'x'], ['RETENTION', '5']]);
  });

  it('replicas converge; failover keeps the series', async () => {
    const cache = new ManagedRedis({ modules: ['RedisTimeSeries'], clock: 'virtual', seed: 1, activeExpiry: false, replication: { lag: 100 } });
    await cache.ready();
    const shard = cache.topology.slotToShard[Number(cache.execute(['CLUSTER', 'KEYSLOT', 's']))];
    cache.execute(['TS.ADD', 's', '*', '1', 'LABELS', 'a', 'b']);
    cache.clock.advance(200);
    const first = cache.replication.digest(shard);
    expect(cache.replication.replicaDigest(shard)).toBe(first);
    cache.execute(['TS.ADD', 's', '*', '2']);
    expect(cache.replication.digest(shard)).not.toBe(first);
    expect(cache.replication.replicaDigest(shard)).toBe(first);
    cache.clock.advance(200);
    expect(cache.replication.replicaDigest(shard)).toBe(cache.replication.digest(shard));
    const done = cache.faults.failover(shard);
    cache.clock.advance(Math.max(0, done - cache.clock.now()) + 1);
    expect((cache.execute(['TS.INFO', 's']) as unknown[])[1]).toBe(2);
  });

  it('Lua and the ioredis-compatible client reach TS.* (as on a server, through call())', async () => {
    const h = ts();
    expect(h.r('EVAL', "return redis.call('TS.ADD', KEYS[1], '5', '2.5')", '1', 'k')).toBe(5);
    // Lua turns the simple-string value into a status reply.
    expect(h.r('EVAL', "return redis.call('TS.GET', KEYS[1])", '1', 'k')).toEqual([5, '+2.5']);
    const redis = h.cache.createClient();
    expect(await redis.call('TS.RANGE', 'k', '-', '+')).toEqual([[5, '2.5']]);
    await redis.quit();
  });

  it('MULTI/EXEC, COPY, RENAME and DEL treat a series like any value', () => {
    const h = ts();
    h.r('MULTI');
    h.r('TS.ADD', 'k', '1', '1');
    h.r('TS.GET', 'k');
    expect(h.r('EXEC')).toEqual([1, [1, '+1']]);
    expect(h.r('COPY', 'k', 'k2')).toBe(1);
    expect(h.r('TS.ADD', 'k2', '2', '2')).toBe(2);
    expect(h.r('TS.GET', 'k')).toEqual([1, '+1']);
    expect(h.r('RENAME', 'k2', 'k3')).toBe(OK);
    expect(h.r('TS.GET', 'k3')).toEqual([2, '+2']);
    expect(h.r('DEL', 'k3')).toBe(1);
    expect(h.r('TS.QUERYINDEX', 'a=b')).toEqual([]);
  });
});

describe('properties', () => {
  it('TS.REVRANGE is TS.RANGE reversed, COUNT takes the head of either', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 100 }), fc.double({ min: -1e6, max: 1e6, noNaN: true })), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 10 }),
        fc.option(fc.integer({ min: 1, max: 25 }), { nil: undefined }),
        (samples, count, bucket) => {
          const h = ts();
          h.r('TS.CREATE', 'k', 'DUPLICATE_POLICY', 'LAST');
          for (const [t, v] of samples) h.r('TS.ADD', 'k', String(t), String(v));
          const agg = bucket === undefined ? [] : ['AGGREGATION', 'sum', String(bucket)];
          const forward = h.r('TS.RANGE', 'k', '-', '+', ...agg) as unknown[];
          expect(h.r('TS.REVRANGE', 'k', '-', '+', ...agg)).toEqual([...forward].reverse());
          expect(h.r('TS.RANGE', 'k', '-', '+', 'COUNT', String(count), ...agg)).toEqual(forward.slice(0, count));
          // Without aggregation: the last value written per timestamp (policy LAST), printed as
          // %.15g, reads back within 15 significant digits.
          if (bucket === undefined) {
            const last = new Map(samples);
            const got = forward as Array<[number, string]>;
            expect(got.map(([t]) => t)).toEqual([...last.keys()].sort((a, b) => a - b));
            for (const [t, text] of got) {
              const v = last.get(t)!;
              expect(Math.abs(Number(text.slice(1)) - v)).toBeLessThanOrEqual(Math.abs(v) * 1e-14);
            }
          }
        },
      ),
      { numRuns: 100, seed: 11 },
    );
  });

  it('a compaction (with LATEST) equals the aggregated range of its source, whatever the order samples arrive in', () => {
    const aggs = ['avg', 'sum', 'min', 'max', 'range', 'count', 'first', 'last', 'std.p', 'std.s', 'var.p', 'var.s'];
    fc.assert(
      fc.property(
        fc.constantFrom(...aggs),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 20 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 300 }), fc.integer({ min: -50, max: 50 })), { minLength: 1, maxLength: 40 }),
        (agg, bucket, align, samples) => {
          const h = ts();
          h.r('TS.CREATE', 'src', 'DUPLICATE_POLICY', 'LAST');
          h.r('TS.CREATE', 'dst');
          h.r('TS.CREATERULE', 'src', 'dst', 'AGGREGATION', agg, String(bucket), String(align));
          // The first sample is the earliest: the rule compacts what arrives after it was created.
          h.r('TS.ADD', 'src', '0', '1');
          for (const [t, v] of samples) h.r('TS.ADD', 'src', String(t), String(v));
          const expected = h.r('TS.RANGE', 'src', '-', '+', 'AGGREGATION', agg, String(bucket), 'ALIGN', String(align));
          expect(h.r('TS.RANGE', 'dst', '-', '+', 'LATEST')).toEqual(expected);
        },
      ),
      { numRuns: 150, seed: 7 },
    );
  });
});
