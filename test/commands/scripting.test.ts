/**
 * Scripting: EVAL family, SCRIPT, FUNCTION, FCALL — replies and error texts as Redis 7.4 gives
 * them (checked against the 7.4.1 transcripts and a live 7.0 server), the Lua 5.1 number model,
 * conversions both ways (RESP2 and RESP3), the sandbox, the bundled libraries, read-only scripts,
 * cluster rules, replication as effects, and a corpus of real-world scripts.
 */
import { describe, expect, it } from 'vitest';
import { ManagedRedis } from '../../src/managed-redis.js';
import type { ChangeRecord } from '../../src/core-types.js';
import { ReplyError } from '../../src/protocol/errors.js';
import { BoolReply, DoubleReply, MapReply, SetReply, StatusReply, type Reply } from '../../src/protocol/reply.js';
import type { Bytes } from '../../src/keyspace/bytes.js';

function cache(options: ConstructorParameters<typeof ManagedRedis>[0] = {}): ManagedRedis {
  return new ManagedRedis({ clock: 'virtual', activeExpiry: false, clusterPolicy: 'NoCluster', sku: 'Balanced_B1', ...options });
}

function err(c: ManagedRedis, argv: Bytes[]): string {
  try {
    c.execute(argv);
  } catch (error) {
    if (error instanceof ReplyError) return error.message;
    throw error;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
}

const ev = (c: ManagedRedis, body: string, keys: string[] = [], args: Bytes[] = []) => c.execute(['EVAL', body, String(keys.length), ...keys, ...args]);

describe('EVAL and the script cache', () => {
  it('returns values converted as Redis converts them', () => {
    const c = cache();
    expect(ev(c, 'return 3.99')).toBe(3);
    expect(ev(c, 'return -3.9')).toBe(-3);
    expect(ev(c, "return {1, 2, 3.7, 'x', false, nil, 4}")).toEqual([1, 2, 3, 'x', null]);
    expect(ev(c, 'return true')).toBe(1);
    expect(ev(c, 'return false')).toBe(null);
    expect(ev(c, 'return nil')).toBe(null);
    expect(ev(c, "return {ok='fine'}")).toBe('fine');
    expect(c.executeReply(['EVAL', "return {ok='fine'}", '0'])).toEqual(new StatusReply('fine'));
    expect(err(c, ['EVAL', "return {err='custom err'}", '0'])).toBe('custom err');
    expect(err(c, ['EVAL', "return redis.error_reply('MY failure')", '0'])).toBe('MY failure');
    expect(err(c, ['EVAL', "return redis.error_reply('boom')", '0'])).toBe('ERR boom');
    expect(ev(c, "return redis.status_reply('FINE')")).toBe('FINE');
    // Redis formats these with a C "%s" (luaReplyToRedisReply): cut at a NUL byte; an error loses
    // newlines at its end and has the others turned into spaces. Measured on redis-server 7.0.15
    // (found by the ioredis differential).
    expect(err(c, ['EVAL', "return redis.error_reply('MYERR c\\0d')", '0'])).toBe('MYERR c');
    expect(err(c, ['EVAL', "return {err='MYERR e\\0f'}", '0'])).toBe('MYERR e');
    expect(err(c, ['EVAL', "return redis.error_reply('MYERR a\\n')", '0'])).toBe('MYERR a');
    expect(err(c, ['EVAL', "return redis.error_reply('\\nMYERR b\\r\\nc')", '0'])).toBe(' MYERR b  c');
    expect(ev(c, "return redis.status_reply('OK\\0x')")).toBe('OK');
    expect(err(c, ['EVAL', "error({err='MYERR g\\0h'})", '0'])).toMatch(/^MYERR g script: /);
    expect(ev(c, 'return {1,2,{3,nil,4},nil,5}')).toEqual([1, 2, [3]]);
  });

  it('truncates out-of-range numbers the way x86 converts them', () => {
    const c = cache();
    const reply = (body: string) => c.executeReply(['EVAL', body, '0']);
    expect(reply('return 1e20')).toBe(-9223372036854775808n);
    expect(reply('return 0/0')).toBe(-9223372036854775808n);
    expect(reply("return tonumber('inf')")).toBe(-9223372036854775808n);
    expect(reply('return 2^53')).toBe(9007199254740992n);
    expect(reply('return 2^52')).toBe(4503599627370496);
  });

  it('caches scripts by SHA1 and answers EVALSHA, SCRIPT EXISTS/LOAD/FLUSH', () => {
    const c = cache();
    const sha = c.execute(['SCRIPT', 'LOAD', "return redis.call('GET', KEYS[1])"]);
    expect(sha).toBe('d3c21d0c2b9ca22f82737626a27bcaf5d288f99f');
    c.execute(['SET', 'k', 'v']);
    expect(c.execute(['EVALSHA', sha as string, '1', 'k'])).toBe('v');
    expect(c.execute(['EVALSHA', (sha as string).toUpperCase(), '1', 'k'])).toBe('v');
    expect(c.execute(['SCRIPT', 'EXISTS', sha as string, 'ffffffffffffffffffffffffffffffffffffffff'])).toEqual([1, 0]);
    expect(c.execute(['SCRIPT', 'FLUSH'])).toBe('OK');
    expect(err(c, ['EVALSHA', sha as string, '1', 'k'])).toBe('NOSCRIPT No matching script. Please use EVAL.');
    expect(err(c, ['EVALSHA', 'abc', '0'])).toBe('NOSCRIPT No matching script. Please use EVAL.');
    expect(err(c, ['SCRIPT', 'FLUSH', 'x'])).toBe('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
    expect(err(c, ['SCRIPT', 'KILL'])).toBe('NOTBUSY No scripts in execution right now.');
    expect(err(c, ['FUNCTION', 'KILL'])).toBe('NOTBUSY No scripts in execution right now.');
    // EVAL caches too
    ev(c, 'return 1');
    expect(c.execute(['SCRIPT', 'EXISTS', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db'])).toEqual([1]);
  });

  it('checks numkeys', () => {
    const c = cache();
    expect(err(c, ['EVAL', 'return 1', '2', 'a'])).toBe("ERR Number of keys can't be greater than number of args");
    expect(err(c, ['EVAL', 'return 1', '-1'])).toBe("ERR Number of keys can't be negative");
    expect(err(c, ['EVAL', 'return 1', 'x'])).toBe('ERR value is not an integer or out of range');
    expect(err(c, ['EVAL', 'return 1'])).toBe("ERR wrong number of arguments for 'eval' command");
  });

  it('reports errors with the script SHA and line', () => {
    const c = cache();
    expect(err(c, ['EVAL', 'return x', '0'])).toBe(
      "ERR user_script:1: Script attempted to access nonexistent global variable 'x' script: 03c387736bb5cc009ff35151572cee04677aa374, on @user_script:1.",
    );
    expect(err(c, ['EVAL', "return redis.call('NOSUCHCMD')", '0'])).toBe(
      'ERR Unknown Redis command called from script script: ee4002f488cb0514b4fbe5979e61c3bf43204edb, on @user_script:1.',
    );
    expect(err(c, ['EVAL', 'return nil + 1', '0'])).toBe(
      'ERR user_script:1: attempt to perform arithmetic on a nil value script: d13bc48d895ba57f297c4db70c1d256548a54e2d, on @user_script:1.',
    );
    expect(err(c, ['EVAL', 'x = 1', '0'])).toBe(
      'ERR user_script:1: Attempt to modify a readonly table script: 34bce5f775de97f557a34088509c8bfe1ea17e52, on @user_script:1.',
    );
    expect(err(c, ['EVAL', "error('boom')", '0'])).toBe('ERR user_script:1: boom script: 82903a0434f1503e152f89c03c9acd881a0e8150, on @user_script:1.');
    expect(err(c, ['EVAL', "error({err='X boom'})", '0'])).toBe('X boom script: f0acf9d1ce814691e2b2cc3296a806e16e047e31, on @user_script:1.');
    c.execute(['SET', 's', '1']);
    expect(err(c, ['EVAL', "\nlocal x = 1\nreturn redis.call('LPUSH','s','x')", '0'])).toBe(
      'WRONGTYPE Operation against a key holding the wrong kind of value script: 5993f28062e954e8db27540891bea8047de2111d, on @user_script:3.',
    );
    expect(err(c, ['EVAL', "return redis.call('GET')", '0'])).toMatch(/^ERR Wrong number of args calling Redis command from script script: /);
    expect(err(c, ['EVAL', "return redis.call('SET', KEYS[1], 'v')", '0'])).toMatch(
      /^ERR Lua redis lib command arguments must be strings or integers script: /,
    );
    expect(err(c, ['EVAL', 'return 1 +', '0'])).toMatch(/^ERR Error compiling script \(new function\): user_script:1: /);
    expect(err(c, ['EVAL', 'return foo()', '0'])).toMatch(/nonexistent global variable 'foo'/);
    expect(err(c, ['EVAL', 'local t = nil return t.x', '0'])).toMatch(/attempt to index local 't' \(a nil value\)/);
  });

  it('redis.pcall returns error tables instead of raising', () => {
    const c = cache();
    c.execute(['SET', 's', '1']);
    expect(err(c, ['EVAL', "return redis.pcall('LPUSH', KEYS[1], 'x')", '1', 's'])).toBe(
      'WRONGTYPE Operation against a key holding the wrong kind of value',
    );
    expect(ev(c, "return redis.pcall('NOSUCH')['err']")).toBe('ERR Unknown Redis command called from script');
    expect(ev(c, "local r = redis.pcall('INCR', KEYS[1]) return type(r) == 'table' and r.err", ['s'])).toBe(null);
  });
});

describe('the Lua 5.1 environment', () => {
  it('keeps numbers as doubles and prints them as Lua 5.1 does', () => {
    const c = cache();
    expect(ev(c, 'return tostring(10/2)')).toBe('5');
    expect(ev(c, 'return tostring(1700000000 * 1000)')).toBe('1700000000000');
    expect(ev(c, "return tostring(tonumber('9223372036854775807'))")).toBe('9.2233720368548e+18');
    expect(ev(c, 'return tostring(1e15) .. tostring(1/0) .. tostring(0.1)')).toBe('1e+15inf0.1');
    expect(ev(c, "return string.format('%d %5.2f %s %x', 3.7, 2.5, 'a', 255)")).toBe('3  2.50 a ff');
    expect(ev(c, 'return math.floor(1700000000.5) * 1000 == 1700000000000')).toBe(1);
  });

  it('has the Lua 5.1 names scripts use and none of the removed ones', () => {
    const c = cache();
    expect(ev(c, 'return unpack({1,2,3})')).toBe(1);
    expect(ev(c, 'return table.getn({1,2,3})')).toBe(3);
    expect(ev(c, 'return _VERSION')).toBe('Lua 5.1');
    expect(ev(c, 'return type(loadstring)')).toBe('function');
    expect(ev(c, "return string.gfind ~= nil and math.mod(7, 3) == 1")).toBe(1);
    for (const name of ['os', 'io', 'print', 'dofile', 'loadfile', 'require', 'debug', 'setfenv']) {
      expect(err(c, ['EVAL', `return type(${name})`, '0'])).toMatch(new RegExp(`nonexistent global variable '${name}'`));
    }
    expect(err(c, ['EVAL', 'redis.call = nil', '0'])).toMatch(/Attempt to modify a readonly table/);
    expect(err(c, ['EVAL', 'string.x = 1', '0'])).toMatch(/Attempt to modify a readonly table/);
    expect(ev(c, 'return redis.REDIS_VERSION')).toBe('7.4.3');
    expect(ev(c, 'return redis.REDIS_VERSION_NUM')).toBe(0x070403);
    expect(ev(c, "return redis.sha1hex('abc')")).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
  });

  it('converts replies to Lua and back under RESP2 and RESP3', () => {
    const c = cache();
    c.execute(['HSET', 'h', 'f', 'v']);
    expect(ev(c, "return redis.call('HGETALL', 'h')")).toEqual(['f', 'v']);
    expect(ev(c, "return type(redis.call('GET', 'nokey'))")).toBe('boolean');
    expect(ev(c, "return redis.call('PING')")).toBe('PONG');
    expect(c.executeReply(['EVAL', "redis.setresp(3) return redis.call('HGETALL', 'h')", '0'])).toEqual(new MapReply([[Buffer.from('f'), Buffer.from('v')]]));
    expect(ev(c, "redis.setresp(3) return type(redis.call('GET', 'nokey'))")).toBe('nil');
    expect(c.executeReply(['EVAL', 'redis.setresp(3) return true', '0'])).toEqual(new BoolReply(true));
    expect(c.executeReply(['EVAL', 'return {double=3.5}', '0'])).toEqual(new DoubleReply(3.5));
    expect(c.executeReply(['EVAL', "return {set={a=true}}", '0'])).toEqual(new SetReply([Buffer.from('a')]));
    expect(err(c, ['EVAL', 'redis.setresp(4)', '0'])).toMatch(/RESP version must be 2 or 3\./);
  });

  it('bundles cjson, cmsgpack, bit and struct', () => {
    const c = cache();
    expect(ev(c, 'return cjson.encode({a=1})')).toBe('{"a":1}');
    expect(ev(c, "return cjson.encode({1,2,'x/y'})")).toBe('[1,2,"x\\/y"]');
    expect(ev(c, "return cjson.decode('[1,2,{\"a\":3}]')[3].a")).toBe(3);
    expect(ev(c, "return cjson.decode('null') == cjson.null")).toBe(1);
    expect(err(c, ['EVAL', 'return cjson.decode(ARGV[1])', '0', 'abc'])).toMatch(/^ERR user_script:1: Expected value but found invalid token at character 1 script: /);
    expect(err(c, ['EVAL', 'return cjson.decode(ARGV[1])', '0', ''])).toMatch(/Expected value but found T_END at character 1/);
    expect(ev(c, "return cmsgpack.unpack(cmsgpack.pack({1,2,'a'}))")).toEqual([1, 2, 'a']);
    expect(ev(c, "local t = cmsgpack.unpack(cmsgpack.pack({k='v', n=-1.5})) return {t.k, tostring(t.n)}")).toEqual(['v', '-1.5']);
    expect(ev(c, 'return bit.band(tonumber(ARGV[1]) or 0, 7)', [], ['-2.5'])).toBe(6);
    expect(ev(c, 'return bit.tohex(255, 4) .. bit.tohex(-1)')).toBe('00ffffffffff');
    expect(ev(c, 'return bit.lshift(1, 31)')).toBe(-2147483648);
    expect(ev(c, "return struct.pack('>I2', 258)")).toBe('\u0001\u0002');
    expect(ev(c, "return {struct.unpack('<i4', struct.pack('<i4', -5))}")).toEqual([-5, 5]);
  });
});

describe('read-only scripts, flags and cluster rules', () => {
  it('refuses writes from EVAL_RO and no-writes scripts', () => {
    const c = cache();
    expect(err(c, ['EVAL_RO', "return redis.call('SET', KEYS[1], ARGV[1])", '1', 'k', 'v'])).toBe(
      'ERR Write commands are not allowed from read-only scripts. script: d8f2fad9f8e86a53d2a6ebd960b33c4972cacc37, on @user_script:1.',
    );
    expect(err(c, ['EVAL', "#!lua flags=no-writes\nreturn redis.call('SET', 'k', 'v')", '0'])).toMatch(
      /^ERR Write commands are not allowed from read-only scripts\. script: .*, on @user_script:2\.$/,
    );
    expect(c.execute(['EVAL_RO', "return redis.call('GET', KEYS[1])", '1', 'k'])).toBe(null);
    expect(c.execute(['EXISTS', 'k'])).toBe(0);
  });

  it('needs one slot for declared keys under OSS, and local keys inside', () => {
    const c = cache({ clusterPolicy: 'OSS', sku: 'Balanced_B5' });
    expect(err(c, ['EVAL', 'return 1', '2', 'a', 'b'])).toBe("CROSSSLOT Keys in request don't hash to the same slot");
    expect(ev(c, "redis.call('SET', KEYS[1], 'x') return redis.call('GET', KEYS[2])", ['{t}a', '{t}b'])).toBe(null);
    expect(err(c, ['EVAL', "return redis.call('GET', 'other')", '1', '{t}a'])).toMatch(
      /^ERR Script attempted to access (a non local key in a cluster node|keys that do not hash to the same slot) script: /,
    );
  });

  it('runs without slot rules under NoCluster', () => {
    const c = cache();
    expect(ev(c, "redis.call('SET', 'a', '1') return redis.call('GET', 'b')", ['a', 'b'])).toBe(null);
  });
});

describe('replication and change reports', () => {
  it('reports each write of a script as its own change, and nothing for EVAL itself', () => {
    const c = cache();
    const changes: ChangeRecord[] = [];
    c.changeListeners.push((change) => changes.push(change));
    ev(c, "redis.call('SET', KEYS[1], 'v') redis.call('INCR', KEYS[2]) return redis.call('GET', KEYS[1])", ['a', 'n']);
    expect(changes.map((ch) => ch.command)).toEqual(['set', 'incr']);
    expect(changes.map((ch) => ch.effects.map((e) => e.map(String)))).toEqual([[['SET', 'a', 'v']], [['INCR', 'n']]]);
    c.execute(['EVAL', "return redis.call('GET', 'a')", '0']);
    expect(changes).toHaveLength(2);
  });
});

describe('functions', () => {
  const LIB1 = "#!lua name=lib1\nredis.register_function('f1', function(keys, args) return redis.call('GET', keys[1]) end)";
  const LIB2 =
    "#!lua name=lib2\nredis.register_function{function_name='f2', callback=function(keys, args) return #args end, flags={'no-writes'}, description='counts'}";

  it('loads, lists, calls and deletes libraries', () => {
    const c = cache();
    expect(c.execute(['FUNCTION', 'LOAD', LIB1])).toBe('lib1');
    expect(err(c, ['FUNCTION', 'LOAD', LIB1])).toBe("ERR Library 'lib1' already exists");
    expect(c.execute(['FUNCTION', 'LOAD', 'REPLACE', LIB1])).toBe('lib1');
    expect(c.execute(['FUNCTION', 'LOAD', LIB2])).toBe('lib2');
    c.execute(['SET', 'k', 'v']);
    expect(c.execute(['FCALL', 'f1', '1', 'k'])).toBe('v');
    expect(c.execute(['FCALL_RO', 'f2', '0', 'a', 'b'])).toBe(2);
    expect(err(c, ['FCALL_RO', 'f1', '1', 'k'])).toBe('ERR Can not execute a script with write flag using *_ro command.');
    expect(err(c, ['FCALL', 'nope', '0'])).toBe('ERR Function not found');
    const list = c.executeReply(['FUNCTION', 'LIST', 'LIBRARYNAME', 'lib2']) as Reply[];
    expect(list).toEqual([
      new MapReply([
        ['library_name', 'lib2'],
        ['engine', 'LUA'],
        ['functions', [new MapReply([['name', 'f2'], ['description', 'counts'], ['flags', new SetReply([new StatusReply('no-writes')])]])]],
      ]),
    ]);
    expect(c.execute(['FUNCTION', 'LIST', 'WITHCODE', 'LIBRARYNAME', 'lib1'])).toEqual([
      ['library_name', 'lib1', 'engine', 'LUA', 'functions', [['name', 'f1', 'description', null, 'flags', []]], 'library_code', LIB1],
    ]);
    expect(c.execute(['FUNCTION', 'STATS'])).toEqual(['running_script', null, 'engines', ['LUA', ['libraries_count', 2, 'functions_count', 2]]]);
    expect(c.execute(['FUNCTION', 'DELETE', 'lib1'])).toBe('OK');
    expect(err(c, ['FUNCTION', 'DELETE', 'lib1'])).toBe('ERR Library not found');
    expect(c.execute(['FUNCTION', 'FLUSH'])).toBe('OK');
    expect(c.execute(['FUNCTION', 'LIST'])).toEqual([]);
  });

  it('gives the server errors for bad libraries', () => {
    const c = cache();
    expect(err(c, ['FUNCTION', 'LOAD', 'return 1'])).toBe('ERR Missing library metadata');
    expect(err(c, ['FUNCTION', 'LOAD', '#!foo name=x\n'])).toBe("ERR Engine 'foo' not found");
    expect(err(c, ['FUNCTION', 'LOAD', '#!lua name=x foo=bar\n'])).toBe('ERR Invalid metadata value given: foo=bar');
    expect(err(c, ['FUNCTION', 'LOAD', '#!lua name=bad\nreturn 1'])).toBe('ERR No functions registered');
    expect(err(c, ['FUNCTION', 'LOAD', "#!lua name=x\nredis.call('PING')"])).toBe(
      "ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'call'",
    );
    expect(err(c, ['FUNCTION', 'LOAD', "#!lua name=x\nredis.register_function('ab')"])).toBe(
      'ERR Error registering functions: ERR calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).',
    );
    expect(err(c, ['FUNCTION', 'LOAD', "#!lua name=x\nredis.register_function{function_name='ab', callback=function() end, flags={'bad'}}"])).toBe(
      'ERR Error registering functions: ERR unknown flag given',
    );
    expect(err(c, ['FUNCTION', 'LOAD', '#!lua name=x\nxx = 1'])).toBe('ERR Error registering functions: ERR user_function:2: Attempt to modify a readonly table');
    expect(err(c, ['FUNCTION', 'LOAD', '#!lua name=x\nlocal x ='])).toMatch(/^ERR Error compiling function: user_function:2: /);
    c.execute(['FUNCTION', 'LOAD', "#!lua name=L\nredis.register_function('ff', function() end)"]);
    expect(err(c, ['FUNCTION', 'LOAD', "#!lua name=L2\nredis.register_function('ff', function() end)"])).toBe('ERR Function ff already exists');
    expect(err(c, ['FUNCTION', 'LIST', 'foo'])).toBe('ERR Unknown argument foo');
    expect(err(c, ['FUNCTION', 'LIST', 'libraryname'])).toBe('ERR library name argument was not given');
    expect(err(c, ['FUNCTION', 'RESTORE', 'abc'])).toBe('ERR DUMP payload version or checksum are wrong');
    expect(err(c, ['FUNCTION', 'RESTORE', 'abc', 'foo'])).toBe('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
  });

  it('reports function errors with the function name and line', () => {
    const c = cache();
    c.execute([
      'FUNCTION',
      'LOAD',
      "#!lua name=L\nredis.register_function('ff', function(k,a) return redis.call('NOSUCH') end)\nredis.register_function('fg', function(k,a) return nil + 1 end)",
    ]);
    expect(err(c, ['FCALL', 'ff', '0'])).toBe('ERR Unknown Redis command called from script script: ff, on @user_function:2.');
    expect(err(c, ['FCALL', 'fg', '0'])).toBe('ERR user_function:3: attempt to perform arithmetic on a nil value script: fg, on @user_function:3.');
  });

  it('dumps and restores libraries', () => {
    const a = cache();
    a.execute(['FUNCTION', 'LOAD', LIB1]);
    a.execute(['FUNCTION', 'LOAD', LIB2]);
    const payload = a.executeBuffer(['FUNCTION', 'DUMP']) as Buffer;
    const b = cache();
    expect(b.execute(['FUNCTION', 'RESTORE', payload])).toBe('OK');
    expect(b.execute(['FCALL_RO', 'f2', '0', 'x'])).toBe(1);
    expect(err(b, ['FUNCTION', 'RESTORE', payload])).toMatch(/already exists/);
    expect(b.execute(['FUNCTION', 'RESTORE', payload, 'REPLACE'])).toBe('OK');
    expect(b.execute(['FUNCTION', 'RESTORE', payload, 'FLUSH'])).toBe('OK');
    const corrupt = Buffer.from(payload);
    corrupt[3] ^= 1;
    expect(err(b, ['FUNCTION', 'RESTORE', corrupt])).toBe('ERR DUMP payload version or checksum are wrong');
  });

  it('restores a payload dumped by Redis (LZF-compressed code)', () => {
    // FUNCTION DUMP of a live Redis 7.0 holding one library whose code RDB compressed with LZF.
    const code =
      "#!lua name=L\nredis.register_function('ff', function(k,a) return redis.call('NOSUCH') end)\nredis.register_function('fg', function(k,a) return nil + 1 end)\n";
    const c = cache();
    c.execute(['FUNCTION', 'LOAD', code]);
    const payload = c.executeBuffer(['FUNCTION', 'DUMP']) as Buffer;
    const d = cache();
    expect(d.execute(['FUNCTION', 'RESTORE', payload])).toBe('OK');
    expect(d.execute(['FUNCTION', 'LIST', 'WITHCODE'])).toEqual([
      ['library_name', 'L', 'engine', 'LUA', 'functions', expect.any(Array), 'library_code', code],
    ]);
  });
});

describe('script corpus', () => {
  it('releases a lock only for its owner (compare-and-delete)', () => {
    const c = cache();
    const release = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";
    c.execute(['SET', 'lock', 'token-1', 'PX', '30000']);
    expect(ev(c, release, ['lock'], ['token-2'])).toBe(0);
    expect(c.execute(['EXISTS', 'lock'])).toBe(1);
    expect(ev(c, release, ['lock'], ['token-1'])).toBe(1);
    expect(c.execute(['EXISTS', 'lock'])).toBe(0);
  });

  it('limits a sliding window with a sorted set', () => {
    const c = cache();
    const limiter = `
      local key, now, window, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
      redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
      if redis.call('ZCARD', key) >= limit then return 0 end
      redis.call('ZADD', key, now, now .. '-' .. ARGV[4])
      redis.call('PEXPIRE', key, window)
      return 1`;
    const now = 1_700_000_000_000;
    const results: unknown[] = [];
    for (let i = 0; i < 5; i++) results.push(ev(c, limiter, ['rl'], [String(now + i), '1000', '3', String(i)]));
    expect(results).toEqual([1, 1, 1, 0, 0]);
    expect(ev(c, limiter, ['rl'], [String(now + 1001), '1000', '3', 'x'])).toBe(1);
    expect(c.execute(['ZRANGE', 'rl', '0', '-1'])).toEqual(['1700000000002-2', '1700000001001-x']);
  });

  it('refills a token bucket kept in a hash', () => {
    const c = cache();
    const bucket = `
      local capacity, rate, now, want = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
      local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
      local tokens = tonumber(state[1]) or capacity
      local ts = tonumber(state[2]) or now
      tokens = math.min(capacity, tokens + (now - ts) / 1000 * rate)
      local allowed = tokens >= want
      if allowed then tokens = tokens - want end
      redis.call('HSET', KEYS[1], 'tokens', tokens, 'ts', now)
      return { allowed and 1 or 0, tostring(tokens) }`;
    expect(ev(c, bucket, ['tb'], ['5', '2', '1000', '3'])).toEqual([1, '2']);
    expect(ev(c, bucket, ['tb'], ['5', '2', '1000', '3'])).toEqual([0, '2']);
    expect(ev(c, bucket, ['tb'], ['5', '2', '1750', '3'])).toEqual([1, '0.5']);
    expect(c.execute(['HGETALL', 'tb'])).toEqual(['tokens', '0.5', 'ts', '1750']);
  });

  it('moves due jobs from a scheduled set to a queue (queue move with scores)', () => {
    const c = cache();
    c.execute(['ZADD', 'scheduled', '100', 'job:a', '200', 'job:b', '300', 'job:c']);
    const move = `
      local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
      for _, job in ipairs(due) do
        redis.call('ZREM', KEYS[1], job)
        redis.call('RPUSH', KEYS[2], job)
      end
      return #due`;
    expect(ev(c, move, ['scheduled', 'ready'], ['250', '10'])).toBe(2);
    expect(c.execute(['LRANGE', 'ready', '0', '-1'])).toEqual(['job:a', 'job:b']);
    expect(c.execute(['ZRANGE', 'scheduled', '0', '-1', 'WITHSCORES'])).toEqual(['job:c', '300']);
  });

  it('stores and reads JSON and MessagePack documents', () => {
    const c = cache();
    const saveJson = "local doc = cjson.decode(ARGV[1]) doc.count = (doc.count or 0) + 1 redis.call('SET', KEYS[1], cjson.encode(doc)) return doc.count";
    expect(ev(c, saveJson, ['doc'], ['{"count":41}'])).toBe(42);
    expect(c.execute(['GET', 'doc'])).toBe('{"count":42}');
    const saveMsgpack = "redis.call('SET', KEYS[1], cmsgpack.pack({ARGV[1], tonumber(ARGV[2])})) local t = cmsgpack.unpack(redis.call('GET', KEYS[1])) return {t[1], t[2]}";
    expect(ev(c, saveMsgpack, ['mp'], ['name', '300'])).toEqual(['name', 300]);
    expect(c.executeBuffer(['GET', 'mp'])).toEqual(Buffer.from([0x92, 0xa4, 0x6e, 0x61, 0x6d, 0x65, 0xcd, 0x01, 0x2c]));
  });
});

describe('the ioredis-compatible client', () => {
  it('runs defineCommand scripts through EVALSHA', async () => {
    const c = cache();
    const redis = c.createClient();
    redis.defineCommand('incrTwice', { numberOfKeys: 1, lua: "redis.call('INCR', KEYS[1]) return redis.call('INCR', KEYS[1])" });
    expect(await (redis as unknown as { incrTwice(k: string): Promise<number> }).incrTwice('n')).toBe(2);
    expect(await (redis as unknown as { incrTwice(k: string): Promise<number> }).incrTwice('n')).toBe(4);
    expect(await redis.eval('return ARGV[1]', 0, 'x')).toBe('x');
    redis.disconnect();
  });
});
