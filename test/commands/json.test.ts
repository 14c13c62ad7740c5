/**
 * RedisJSON 2.8 (`JSON.*`) on a cache created with `modules: ['RedisJSON']`.
 *
 * There is no RedisJSON server here to compare with: the expectations come from the module's own
 * documentation (redis/docs `content/commands/json.*.md`, cited per test as `docs json.x`) and its
 * source (RedisJSON/RedisJSON `src/commands.rs`, `src/key_value.rs`, `src/ivalue_manager.rs`,
 * `json_path/src/json_path.rs`; cited as `source`). serde_json's error texts and ryu's float
 * output come from those crates' behaviour as RedisJSON replies with it.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ManagedRedis } from '../../src/managed-redis.js';
import { harness, type HarnessOptions } from '../support/command-harness.js';
import { moduleHarness, simple } from '../support/short-reply.js';

const json = (options: HarnessOptions = {}) => moduleHarness('RedisJSON', options);

const OK = '+OK';

describe('the modules option', () => {
  it('loads RedisJSON; without it JSON.* are unknown commands', () => {
    const plain = harness();
    expect(plain.run('JSON.SET', 'k', '$', '1')).toEqual(['-', "ERR unknown command 'JSON.SET', with args beginning with: 'k' '$' '1' "]);
    expect(json().r('JSON.SET', 'k', '$', '1')).toBe(OK);
  });

  it('applies AMR creation rules (azure-facts §8)', () => {
    const make = (o: ConstructorParameters<typeof ManagedRedis>[0]) => () => new ManagedRedis({ clock: 'virtual', ...o });
    expect(make({ modules: ['RedisJSON', 'Nope' as never] })).toThrow(
      "Unknown module 'Nope'. Valid modules: RediSearch, RedisJSON, RedisBloom, RedisTimeSeries",
    );
    expect(make({ modules: ['RedisJSON', 'RedisJSON'] })).toThrow("Module 'RedisJSON' is listed twice");
    expect(make({ sku: 'FlashOptimized_A250', modules: ['RedisBloom'] })).toThrow(/not available on Flash Optimized SKUs/);
    expect(make({ geoReplication: true, modules: ['RedisTimeSeries'] })).toThrow(/not available with active geo-replication/);
    expect(make({ modules: ['RediSearch'] })).toThrow('RediSearch requires the Enterprise cluster policy (got OSS)');
    expect(make({ clusterPolicy: 'Enterprise', modules: ['RediSearch'] })).toThrow(/requires the noeviction eviction policy/);
    // All four modules are emulated: with its rules met, RediSearch loads.
    expect(make({ clusterPolicy: 'Enterprise', evictionPolicy: 'noeviction', modules: ['RediSearch', 'RedisJSON'] })).not.toThrow();
    expect(make({ modules: ['RedisBloom', 'RedisTimeSeries'] })).not.toThrow();
    // RedisJSON is allowed everywhere, Flash and geo-replication included; ARM names match case-insensitively.
    expect(make({ sku: 'FlashOptimized_A250', geoReplication: false, modules: ['redisjson' as never] })).not.toThrow();
    expect(make({ geoReplication: true, modules: ['RedisJSON'] })).not.toThrow();
  });

  it('MODULE LIST and HELLO list ReJSON 2.8.4; INFO modules has its line', () => {
    const h = json();
    const entry = ['name', 'ReJSON', 'ver', 20804, 'path', '/opt/redislabs/lib/modules/rejson.so', 'args', []];
    expect(h.r('MODULE', 'LIST')).toEqual([entry]);
    const h3 = json({ resp: 3 });
    expect(h3.run('MODULE', 'LIST')).toEqual([
      '*',
      [['%', [[['$', 'name'], ['$', 'ReJSON']], [['$', 'ver'], [':', '20804']], [['$', 'path'], ['$', '/opt/redislabs/lib/modules/rejson.so']], [['$', 'args'], ['*', []]]]]],
    ]);
    const hello = h.r('HELLO', '2') as unknown[];
    expect(hello.slice(-2)).toEqual(['modules', [entry]]);
    const info = String(h.r('INFO', 'modules'));
    expect(info).toBe('# Modules\r\nmodule:name=ReJSON,ver=20804,api=1,filters=0,usedby=[],using=[],options=[handle-io-errors]\r\n');
    expect(simple(harness().run('INFO', 'modules'))).toBe('# Modules\r\n');
  });

  it('COMMAND INFO / DOCS / COUNT / LIST show the module commands as Redis reports module commands', () => {
    const h = json();
    const plainCount = simple(harness().run('COMMAND', 'COUNT')) as number;
    expect(h.r('COMMAND', 'COUNT')).toBe(plainCount + 25);
    // moduleCreateCommandProxy: arity -1, flags + module, the legacy range and one RW/access/update key spec.
    expect(h.r('COMMAND', 'INFO', 'json.mset')).toEqual([
      [
        'json.mset',
        -1,
        ['+write', '+denyoom', '+module'],
        1,
        -1,
        3,
        [],
        [],
        [['flags', ['+RW', '+access', '+update'], 'begin_search', ['type', 'index', 'spec', ['index', 1]], 'find_keys', ['type', 'range', 'spec', ['lastkey', -1, 'keystep', 3, 'limit', 0]]]],
        [],
      ],
    ]);
    const debug = (h.r('COMMAND', 'INFO', 'JSON.DEBUG') as unknown[][])[0];
    expect(debug.slice(0, 6)).toEqual(['json.debug', -1, ['+readonly', '+module'], 2, 2, 1]);
    expect((debug[8] as unknown[][])[0][5]).toEqual(['type', 'range', 'spec', ['lastkey', 0, 'keystep', 1, 'limit', 0]]);
    expect(h.r('COMMAND', 'DOCS', 'json.get')).toEqual(['json.get', ['group', 'module', 'module', 'ReJSON']]);
    const listed = h.r('COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'rejson') as string[];
    expect(listed).toHaveLength(25);
    expect(listed).toContain('json.merge');
    expect(h.r('COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'other')).toEqual([]);
  });
});

describe('JSON.SET / JSON.GET', () => {
  it('docs json.set examples', () => {
    const h = json();
    expect(h.r('JSON.SET', 'doc', '$', '{"a":2}')).toBe(OK);
    expect(h.r('JSON.SET', 'doc', '$.a', '3')).toBe(OK);
    expect(h.r('JSON.GET', 'doc', '$')).toBe('[{"a":3}]');
    expect(h.r('JSON.SET', 'doc', '$', '{"a":2}')).toBe(OK);
    expect(h.r('JSON.SET', 'doc', '$.b', '8')).toBe(OK);
    expect(h.r('JSON.GET', 'doc', '$')).toBe('[{"a":2,"b":8}]');
    expect(h.r('JSON.SET', 'doc', '$', '{"f1": {"a":1}, "f2":{"a":2}}')).toBe(OK);
    expect(h.r('JSON.SET', 'doc', '$..a', '3')).toBe(OK);
    expect(h.r('JSON.GET', 'doc')).toBe('{"f1":{"a":3},"f2":{"a":3}}');
    // "Set a new value for a non-existing path … with a path that cannot be created": null.
    expect(h.r('JSON.SET', 'doc', '$.nokey.a', '1')).toBeNull();
  });

  it('NX and XX, and the root rules (source: json_set)', () => {
    const h = json();
    expect(h.r('JSON.SET', 'k', '$', '1', 'XX')).toBeNull();
    expect(h.r('JSON.SET', 'k', '$.a', '1')).toBe('-ERR new objects must be created at the root');
    expect(h.r('JSON.SET', 'k', '.', '{"a":1}', 'NX')).toBe(OK);
    expect(h.r('JSON.SET', 'k', '$', '{}', 'NX')).toBeNull();
    expect(h.r('JSON.SET', 'k', '$.a', '2', 'NX')).toBeNull();
    expect(h.r('JSON.SET', 'k', '$.b', '2', 'XX')).toBeNull();
    expect(h.r('JSON.SET', 'k', '$.b', '2', 'NX')).toBe(OK);
    expect(h.r('JSON.SET', 'k', '$.a', '5', 'xx')).toBe(OK);
    expect(h.r('JSON.GET', 'k')).toBe('{"a":5,"b":2}');
    expect(h.r('JSON.SET', 'k', '$', '1', 'NX', 'XX')).toBe('-ERR syntax error');
    expect(h.r('JSON.SET', 'k', '$', '1', 'BOGUS')).toBe('-ERR syntax error');
    expect(h.r('JSON.SET', 'k', '$')).toBe("-ERR wrong number of arguments for 'json.set' command");
    expect(h.r('JSON.SET', 'k', '$.*', '1', 'NX')).toBe('-Err wrong static path');
    expect(h.r('JSON.SET', 'k', '$', '[1]')).toBe(OK);
    expect(h.r('JSON.SET', 'k', '$[5]', '1')).toBe('-ERR array index out of range');
    expect(h.r('JSON.SET', 'k', '$[0]', '7')).toBe(OK);
    expect(h.r('JSON.GET', 'k')).toBe('[7]');
  });

  it('serializes as serde_json with ryu: 1.0 stays a double, integers up to u64, insertion order, escapes', () => {
    const h = json();
    h.r('JSON.SET', 'n', '$', '[1, 1.0, -0.0, 1e300, 1.5e-7, 0.1, 100.0, 1e15, 1e16, 123456789012345678901234, 18446744073709551615, -9223372036854775808]');
    expect(h.r('JSON.GET', 'n')).toBe(
      '[1,1.0,-0.0,1e300,1.5e-7,0.1,100.0,1000000000000000.0,1e16,1.2345678901234569e23,18446744073709551615,-9223372036854775808]',
    );
    expect(h.r('JSON.TYPE', 'n', '$[0:3]')).toEqual(['integer', 'number', 'number']);
    h.r('JSON.SET', 's', '$', '{"z":1,"a":2,"__proto__":{"constructor":3},"q":"\\u0001\\"\\\\\\n\\/é\\ud83d\\ude00"}');
    expect(h.r('JSON.GET', 's')).toBe('{"z":1,"a":2,"__proto__":{"constructor":3},"q":"\\u0001\\"\\\\\\n/é😀"}');
    expect(h.r('JSON.OBJKEYS', 's')).toEqual(['z', 'a', '__proto__', 'q']);
    expect(h.r('JSON.GET', 's', '$.__proto__.constructor')).toBe('[3]');
    // STRLEN counts UTF-8 bytes (source: get_str().len()).
    expect(h.r('JSON.STRLEN', 's', '.q')).toBe(11);
  });

  it('answers serde_json parse errors', () => {
    const h = json();
    const bad: Array<[string, string]> = [
      ['', 'EOF while parsing a value at line 1 column 0'],
      ['{"a":1', 'EOF while parsing an object at line 1 column 6'],
      ['[1,2', 'EOF while parsing a list at line 1 column 4'],
      ['[1,]', 'trailing comma at line 1 column 4'],
      ['{"a":1,}', 'trailing comma at line 1 column 8'],
      ['{a:1}', 'key must be a string at line 1 column 2'],
      ['{"a" 1}', 'expected `:` at line 1 column 6'],
      ['[1 2]', 'expected `,` or `]` at line 1 column 4'],
      ['abc', 'expected value at line 1 column 1'],
      ['tru', 'EOF while parsing a value at line 1 column 3'],
      ['trux', 'expected ident at line 1 column 4'],
      ['1 2', 'trailing characters at line 1 column 3'],
      ['01', 'invalid number at line 1 column 2'],
      ['1e400', 'number out of range at line 1 column 5'],
      ['"abc', 'EOF while parsing a string at line 1 column 4'],
      ['"a\\x"', 'invalid escape at line 1 column 4'],
      ['[\n1,\n]', 'trailing comma at line 3 column 1'],
    ];
    for (const [text, message] of bad) expect(h.r('JSON.SET', 'k', '$', text), text).toBe(`-${message}`);
    expect(h.r('EXISTS', 'k')).toBe(0);
    // serde_json's recursion limit: 127 nested containers parse, 128 do not.
    expect(h.r('JSON.SET', 'deep', '$', '['.repeat(127) + ']'.repeat(127))).toBe(OK);
    expect(h.r('JSON.SET', 'deep', '$', '['.repeat(128) + ']'.repeat(128))).toBe('-recursion limit exceeded at line 1 column 128');
  });

  it('docs json.get: formatting and several paths', () => {
    const h = json();
    h.r('JSON.SET', 'doc', '$', '{"a":2, "b": 3, "nested": {"a": 4, "b": null}}');
    expect(h.r('JSON.GET', 'doc', '$..b')).toBe('[3,null]');
    // Several paths answer an object keyed by path (RedisJSON's HashMap order varies; here: argument order).
    expect(h.r('JSON.GET', 'doc', '..a', '$..b')).toBe('{"..a":[2,4],"$..b":[3,null]}');
    expect(h.r('JSON.GET', 'doc', '.a', '.nested.b')).toBe('{".a":2,".nested.b":null}');
    expect(h.r('JSON.GET', 'doc', '.a', '.nope')).toBe("-ERR Path '.nope' does not exist");
    expect(h.r('JSON.GET', 'doc', 'INDENT', '\t', 'NEWLINE', '\n', 'SPACE', ' ', '$')).toBe(
      '[\n\t{\n\t\t"a": 2,\n\t\t"b": 3,\n\t\t"nested": {\n\t\t\t"a": 4,\n\t\t\t"b": null\n\t\t}\n\t}\n]',
    );
    expect(h.r('JSON.GET', 'doc', 'indent', '  ', '.nested')).toBe('{  "a":4,  "b":null}');
    expect(h.r('JSON.GET', 'doc', 'NOESCAPE', '.a')).toBe('2');
    expect(h.r('JSON.GET', 'doc', 'INDENT')).toBe("-ERR wrong number of arguments for 'json.get' command");
    expect(h.r('JSON.GET', 'nokey', '$')).toBeNull();
  });

  it('legacy paths answer one value and "does not exist" with the converted path (source: get_first)', () => {
    const h = json();
    h.r('JSON.SET', 'doc', '.', '{"a":{"b":[1,2,{"c":true}]}}');
    expect(h.r('JSON.GET', 'doc', '.a.b[2].c')).toBe('true');
    expect(h.r('JSON.GET', 'doc', 'a.b[-1]')).toBe('{"c":true}');
    expect(h.r('JSON.GET', 'doc', '[0]')).toBe("-ERR Path '$.[0]' does not exist");
    expect(h.r('JSON.GET', 'doc', '.nope')).toBe("-ERR Path '$.nope' does not exist");
    expect(h.r('JSON.GET', 'doc', '$.nope')).toBe('[]');
  });
});

describe('round trips', () => {
  it('any JSON text reads back as the same data, and its output is a fixed point', () => {
    const h = json();
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const text = JSON.stringify(value);
        expect(h.r('JSON.SET', 'k', '$', text)).toBe(OK);
        const out = h.r('JSON.GET', 'k') as string;
        expect(JSON.parse(out)).toEqual(JSON.parse(text));
        expect(h.r('JSON.SET', 'k2', '$', out)).toBe(OK);
        expect(h.r('JSON.GET', 'k2')).toBe(out);
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('doubles print as ryu does and read back exactly', () => {
    const h = json();
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => {
        const text = String(d).includes('.') || String(d).includes('e') ? String(d) : `${d}.0`;
        h.r('JSON.SET', 'd', '$', text);
        const out = h.r('JSON.GET', 'd') as string;
        expect(Number(out)).toBe(d === 0 ? out.startsWith('-') ? -0 : 0 : d);
        // ryu: a decimal point or an exponent always; plain notation only for exponents -5 … 15.
        expect(/[.e]/.test(out)).toBe(true);
        expect(h.r('JSON.TYPE', 'd')).toBe('number');
      }),
      { seed: 11, numRuns: 300 },
    );
  });
});

describe('JSONPath', () => {
  const store = () => {
    const h = json();
    h.r(
      'JSON.SET',
      'store',
      '$',
      '{"books":[{"title":"Dune","price":8.99,"tags":["sf"]},{"title":"Emma","price":12,"tags":[]},{"title":"Dracula","price":5,"tags":["horror","classic"]}],"owner":{"name":"Ann","price":1}}',
    );
    return h;
  };

  it('wildcards, recursive descent order, slices, unions, negative indexes', () => {
    const h = store();
    expect(h.r('JSON.GET', 'store', '$.books[*].title')).toBe('["Dune","Emma","Dracula"]');
    // A node's own match first, then each child with its descendants (source: calc_full_scan).
    expect(h.r('JSON.GET', 'store', '$..price')).toBe('[8.99,12,5,1]');
    expect(h.r('JSON.GET', 'store', '$.books[0:2].title')).toBe('["Dune","Emma"]');
    expect(h.r('JSON.GET', 'store', '$.books[:1].title')).toBe('["Dune"]');
    expect(h.r('JSON.GET', 'store', '$.books[1:].title')).toBe('["Emma","Dracula"]');
    expect(h.r('JSON.GET', 'store', '$.books[::2].title')).toBe('["Dune","Dracula"]');
    expect(h.r('JSON.GET', 'store', '$.books[-1].title')).toBe('["Dracula"]');
    expect(h.r('JSON.GET', 'store', '$.books[0,2].title')).toBe('["Dune","Dracula"]');
    // An index before the start clamps to 0; one past the end matches nothing (source: calc_abs_index).
    expect(h.r('JSON.GET', 'store', '$.books[-10].title')).toBe('["Dune"]');
    expect(h.r('JSON.GET', 'store', '$.books[7]')).toBe('[]');
    expect(h.r('JSON.GET', 'store', "$['owner']['name','price']")).toBe('["Ann",1]');
    expect(h.r('JSON.GET', 'store', '$..tags[0]')).toBe('["sf","horror"]');
    expect(h.r('JSON.GET', 'store', '$.owner.*')).toBe('["Ann",1]');
  });

  it('filters: comparisons, && before ||, regex, @ and $ terms, parentheses', () => {
    const h = store();
    expect(h.r('JSON.GET', 'store', '$.books[?(@.price < 10)].title')).toBe('["Dune","Dracula"]');
    expect(h.r('JSON.GET', 'store', '$.books[?(@.price < 10 && @.title =~ "^D.*a$")].title')).toBe('["Dracula"]');
    expect(h.r('JSON.GET', 'store', '$.books[?(@.price > 10 || @.title == "Dune" && @.price < 9)].title')).toBe('["Dune","Emma"]');
    expect(h.r('JSON.GET', 'store', '$.books[?((@.price > 10 || @.title == "Dune") && @.price < 9)].title')).toBe('["Dune"]');
    expect(h.r('JSON.GET', 'store', '$.books[?(@.tags[1])].title')).toBe('["Dracula"]');
    expect(h.r('JSON.GET', 'store', '$.books[?(@.price >= $.owner.price * 1)]')).toMatch(/^-Error occurred on position/);
    expect(h.r('JSON.GET', 'store', '$.books[?(@.price > $.owner.price)].title')).toBe('["Dune","Emma","Dracula"]');
    expect(h.r('JSON.GET', 'store', "$.books[?(@.title != 'Emma')].price")).toBe('[8.99,5]');
    // Different types never compare, so != holds (source: TermEvaluationResult::partial_cmp).
    expect(h.r('JSON.GET', 'store', '$.books[?(@.price != "12")].price')).toBe('[8.99,12,5]');
    expect(h.r('JSON.GET', 'store', '$.books[?(@.price == 12.0)].title')).toBe('["Emma"]');
    expect(h.r('JSON.GET', 'store', '$.books[?(@.title =~ "(?i)^d")].title')).toBe('["Dune","Dracula"]');
    // A filter on an object tests its values.
    expect(h.r('JSON.GET', 'store', '$.owner[?(@ == "Ann")]')).toBe('["Ann"]');
  });

  it('invalid paths answer "Error occurred on position …"', () => {
    const h = store();
    expect(h.r('JSON.GET', 'store', '$.books[')).toMatch(/^-Error occurred on position 8, "\$\.books\[ <<<<----", expected one of the following: /);
    expect(h.r('JSON.GET', 'store', '$.a b')).toMatch(/^-Error occurred on position 4, "\$\.a  ---->>>> b", /);
    expect(h.r('JSON.GET', 'store', '$[?(@.a ==)]')).toMatch(/^-Error occurred on position/);
  });
});

describe('writes', () => {
  it('docs json.del / json.forget', () => {
    const h = json();
    h.r('JSON.SET', 'doc', '$', '{"a": 1, "nested": {"a": 2, "b": 3}}');
    expect(h.r('JSON.DEL', 'doc', '$..a')).toBe(2);
    expect(h.r('JSON.GET', 'doc', '$')).toBe('[{"nested":{"b":3}}]');
    expect(h.r('JSON.FORGET', 'doc', '.nested.nope')).toBe(0);
    expect(h.r('JSON.DEL', 'doc')).toBe(1);
    expect(h.r('EXISTS', 'doc')).toBe(0);
    expect(h.r('JSON.DEL', 'doc')).toBe(0);
    // Higher indexes go first and nested matches go with their ancestor (source: prepare_paths_for_updating).
    h.r('JSON.SET', 'arr', '$', '[0,1,2,3,[4,5]]');
    expect(h.r('JSON.DEL', 'arr', '$[0,2,4,4]')).toBe(3);
    expect(h.r('JSON.GET', 'arr')).toBe('[1,3]');
    h.r('JSON.SET', 'n', '$', '{"a":{"a":{"a":1}}}');
    expect(h.r('JSON.DEL', 'n', '$..a')).toBe(1);
    expect(h.r('JSON.GET', 'n')).toBe('{}');
  });

  it('docs json.merge examples (RFC 7396)', () => {
    const h = json();
    h.r('JSON.SET', 'doc', '$', '{"a":2}');
    expect(h.r('JSON.MERGE', 'doc', '$.b', '8')).toBe(OK);
    expect(h.r('JSON.GET', 'doc', '$')).toBe('[{"a":2,"b":8}]');
    h.r('JSON.SET', 'doc', '$', '{"a":2}');
    expect(h.r('JSON.MERGE', 'doc', '$.a', '3')).toBe(OK);
    expect(h.r('JSON.GET', 'doc', '$')).toBe('[{"a":3}]');
    h.r('JSON.SET', 'doc', '$', '{"a":2}');
    expect(h.r('JSON.MERGE', 'doc', '$', '{"a":null}')).toBe(OK);
    expect(h.r('JSON.GET', 'doc', '$')).toBe('[{}]');
    h.r('JSON.SET', 'doc', '$', '{"a":[2,4,6,8]}');
    expect(h.r('JSON.MERGE', 'doc', '$.a', '[10,12]')).toBe(OK);
    expect(h.r('JSON.GET', 'doc', '$')).toBe('[{"a":[10,12]}]');
    h.r('JSON.SET', 'doc', '$', '{"f1": {"a":1}, "f2":{"a":2}}');
    expect(h.r('JSON.GET', 'doc')).toBe('{"f1":{"a":1},"f2":{"a":2}}');
    expect(h.r('JSON.MERGE', 'doc', '$', '{"f1": null, "f2":{"a":3, "b":4}, "f3":[2,4,6]}')).toBe(OK);
    expect(h.r('JSON.GET', 'doc')).toBe('{"f2":{"a":3,"b":4},"f3":[2,4,6]}');
    expect(h.r('JSON.MERGE', 'new', '$.a', '1')).toBe('-ERR new objects must be created at the root');
    expect(h.r('JSON.MERGE', 'new', '$', '{"x":{"y":null}}')).toBe(OK);
    expect(h.r('JSON.GET', 'new')).toBe('{"x":{"y":null}}');
  });

  it('docs json.mset / json.mget; MSET checks every triple before changing anything', () => {
    const h = json();
    expect(h.r('JSON.MSET', 'doc1', '$', '{"a":1}', 'doc2', '$', '{"f":{"a":2}}', 'doc3', '$', '{"f1":{"a":0},"f2":{"a":0}}')).toBe(OK);
    expect(h.r('JSON.MSET', 'doc1', '$', '{"a":2}', 'doc2', '$.f.a', '3', 'doc3', '$', '{"f1":{"a":1},"f2":{"a":2}}')).toBe(OK);
    expect(h.r('JSON.GET', 'doc1', '$')).toBe('[{"a":2}]');
    expect(h.r('JSON.GET', 'doc2', '$')).toBe('[{"f":{"a":3}}]');
    expect(h.r('JSON.GET', 'doc3')).toBe('{"f1":{"a":1},"f2":{"a":2}}');
    expect(h.r('JSON.MSET', 'doc1', '$', '5', 'doc9', '$.x', '1')).toBe('-ERR new objects must be created at the root');
    expect(h.r('JSON.MSET', 'doc1', '$', '5', 'doc2', '$', '{')).toBe('-EOF while parsing an object at line 1 column 1');
    expect(h.r('JSON.GET', 'doc1')).toBe('{"a":2}');
    expect(h.r('JSON.MSET', 'doc1', '$', '5', 'doc2')).toBe("-ERR wrong number of arguments for 'json.mset' command");
    h.r('JSON.SET', 'd1', '$', '{"a":1, "b": 2, "nested": {"a": 3}, "c": null}');
    h.r('JSON.SET', 'd2', '$', '{"a":4, "b": 5, "nested": {"a": 6}, "c": null}');
    h.r('SET', 'str', 'x');
    expect(h.r('JSON.MGET', 'd1', 'd2', 'str', 'none', '$..a')).toEqual(['[1,3]', '[4,6]', null, null]);
    expect(h.r('JSON.MGET', 'd1', 'd2', '.nested.a')).toEqual(['3', '6']);
    expect(h.r('JSON.MGET', 'd1', '.nope')).toEqual([null]);
    expect(h.r('JSON.MGET', 'd1')).toBe("-ERR wrong number of arguments for 'json.mget' command");
  });

  it('docs json.numincrby / json.nummultby; legacy replies and errors (source: json_num_op)', () => {
    const h = json();
    h.r('JSON.SET', 'doc', '.', '{"a":"b","b":[{"a":2}, {"a":5}, {"a":"c"}]}');
    expect(h.r('JSON.NUMINCRBY', 'doc', '$.a', '2')).toBe('[null]');
    expect(h.r('JSON.NUMINCRBY', 'doc', '$..a', '2')).toBe('[null,4,7,null]');
    h.r('JSON.SET', 'doc', '.', '{"a":"b","b":[{"a":2}, {"a":5}, {"a":"c"}]}');
    expect(h.r('JSON.NUMMULTBY', 'doc', '$.a', '2')).toBe('[null]');
    expect(h.r('JSON.NUMMULTBY', 'doc', '$..a', '2')).toBe('[null,4,10,null]');
    h.r('JSON.SET', 'n', '$', '{"i":1,"f":1.5,"s":"x"}');
    expect(h.r('JSON.NUMINCRBY', 'n', '.i', '2')).toBe('3');
    expect(h.r('JSON.NUMINCRBY', 'n', '.i', '0.5')).toBe('3.5');
    expect(h.r('JSON.NUMINCRBY', 'n', '.f', '0.5')).toBe('2.0');
    expect(h.r('JSON.NUMMULTBY', 'n', '.f', '1e308')).toBe('-result is not a number');
    expect(h.r('JSON.NUMPOWBY', 'n', '$.f', '2')).toBe('[4.0]');
    expect(h.r('JSON.NUMINCRBY', 'n', '.s', '1')).toBe("-ERR Path '$.s' does not exist or does not contains a number");
    expect(h.r('JSON.NUMINCRBY', 'n', '.i', '"x"')).toBe('-bad input number');
    expect(h.r('JSON.NUMINCRBY', 'n', '.i', 'x')).toBe('-expected value at line 1 column 1');
    expect(h.r('JSON.NUMINCRBY', 'none', '$', '1')).toBe("-ERR could not perform this operation on a key that doesn't exist");
    // Integers with integers stay i64, wrapping as RedisJSON's release build does.
    h.r('JSON.SET', 'w', '$', '9223372036854775807');
    expect(h.r('JSON.NUMINCRBY', 'w', '$', '1')).toBe('[-9223372036854775808]');
    expect(h.r('JSON.GET', 'n')).toBe('{"i":3.5,"f":4.0,"s":"x"}');
  });

  it('a failing number operation changes nothing, not even the matches before it', () => {
    const h = json();
    h.r('JSON.SET', 'n', '$', '[1.5, 1e308]');
    expect(h.r('JSON.NUMMULTBY', 'n', '$[*]', '10')).toBe('-result is not a number');
    expect(h.r('JSON.GET', 'n')).toBe('[1.5,1e308]');
  });

  it('docs json.toggle, json.clear, json.strappend, json.strlen', () => {
    const h = json();
    h.r('JSON.SET', 'doc', '$', '{"bool": true}');
    expect(h.r('JSON.TOGGLE', 'doc', '$.bool')).toEqual([0]);
    expect(h.r('JSON.GET', 'doc', '$')).toBe('[{"bool":false}]');
    expect(h.r('JSON.TOGGLE', 'doc', '$.bool')).toEqual([1]);
    expect(h.r('JSON.TOGGLE', 'doc', '.bool')).toBe('false');
    expect(h.r('JSON.TOGGLE', 'doc', '.nope')).toBe("-ERR Path '$.nope' does not exist or not a bool");
    h.r('JSON.SET', 'doc', '$', '{"obj":{"a":1, "b":2}, "arr":[1,2,3], "str": "foo", "bool": true, "int": 42, "float": 3.14}');
    expect(h.r('JSON.CLEAR', 'doc', '$.*')).toBe(4);
    expect(h.r('JSON.GET', 'doc', '$')).toBe('[{"obj":{},"arr":[],"str":"foo","bool":true,"int":0,"float":0}]');
    expect(h.r('JSON.CLEAR', 'doc', '$.*')).toBe(0);
    h.r('JSON.SET', 'doc', '$', '{"a":"foo", "nested": {"a": "hello"}, "nested2": {"a": 31}}');
    expect(h.r('JSON.STRAPPEND', 'doc', '$..a', '"baz"')).toEqual([6, 8, null]);
    expect(h.r('JSON.GET', 'doc', '$')).toBe('[{"a":"foobaz","nested":{"a":"hellobaz"},"nested2":{"a":31}}]');
    expect(h.r('JSON.STRLEN', 'doc', '$..a')).toEqual([6, 8, null]);
    expect(h.r('JSON.STRAPPEND', 'doc', '.a', '"!"')).toBe(7);
    expect(h.r('JSON.STRAPPEND', 'doc', '.a', '1')).toBe('-WRONGTYPE wrong type of path value - expected string but found 1');
    expect(h.r('JSON.STRLEN', 'doc', '.nested2.a')).toBe('-WRONGTYPE wrong type of path value - expected string but found integer');
    expect(h.r('JSON.STRLEN', 'none')).toBeNull();
    expect(h.r('JSON.STRLEN', 'none', '$')).toBe("-ERR could not perform this operation on a key that doesn't exist");
    h.r('JSON.SET', 's', '$', '"ab"');
    expect(h.r('JSON.STRAPPEND', 's', '"cd"')).toBe(4);
    expect(h.r('JSON.GET', 's')).toBe('"abcd"');
  });

  it('docs json.arrappend / arrinsert / arrindex (item:1), arrpop, arrtrim, arrlen', () => {
    const h = json();
    h.r(
      'JSON.SET',
      'item:1',
      '$',
      '{"name":"Noise-cancelling Bluetooth headphones","description":"Wireless Bluetooth headphones with noise-cancelling technology","connection":{"wireless":true,"type":"Bluetooth"},"price":99.98,"stock":25,"colors":["black","silver"]}',
    );
    expect(h.r('JSON.ARRAPPEND', 'item:1', '$.colors', '"blue"')).toEqual([3]);
    expect(h.r('JSON.GET', 'item:1', '$.colors[*]')).toBe('["black","silver","blue"]');
    expect(h.r('JSON.ARRINSERT', 'item:1', '$.colors', '2', '"yellow"', '"gold"')).toEqual([5]);
    expect(h.r('JSON.GET', 'item:1', '$.colors')).toBe('[["black","silver","yellow","gold","blue"]]');
    expect(h.r('JSON.ARRINDEX', 'item:1', '$..colors', '"silver"')).toEqual([1]);
    expect(h.r('JSON.ARRINDEX', 'item:1', '.colors', '"gold"', '-2')).toBe(3);
    expect(h.r('JSON.ARRINDEX', 'item:1', '.colors', '"gold"', '0', '3')).toBe(-1);
    expect(h.r('JSON.ARRINDEX', 'item:1', '$.price', '1')).toEqual([null]);
    expect(h.r('JSON.ARRINDEX', 'item:1', '.price', '1')).toBe('-WRONGTYPE wrong type of path value - expected array but found number');
    expect(h.r('JSON.ARRINDEX', 'item:1', '.colors', '"x"', 'a')).toBe("-Couldn't parse as integer");
    expect(h.r('JSON.ARRINSERT', 'item:1', '$.colors', '9', '"x"')).toBe('-ERR index out of bounds');
    expect(h.r('JSON.ARRINSERT', 'item:1', '.colors', '-1', '"x"')).toBe(6);
    expect(h.r('JSON.ARRLEN', 'item:1', '$..colors')).toEqual([6]);
    expect(h.r('JSON.ARRLEN', 'item:1', '.name')).toBe("-ERR Path '.name' does not exist or not an array");
    expect(h.r('JSON.ARRPOP', 'item:1', '$.colors')).toEqual(['"blue"']);
    expect(h.r('JSON.ARRPOP', 'item:1', '.colors', '0')).toBe('"black"');
    expect(h.r('JSON.ARRTRIM', 'item:1', '$.colors', '1', '2')).toEqual([2]);
    expect(h.r('JSON.GET', 'item:1', '.colors')).toBe('["yellow","gold"]');
    expect(h.r('JSON.ARRAPPEND', 'item:1', '.name', '1')).toBe("-ERR Path '.name' does not exist or not an array");
    expect(h.r('JSON.ARRAPPEND', 'item:1', '$.colors')).toBe("-ERR wrong number of arguments for 'json.arrappend' command");
    h.r('JSON.SET', 'e', '$', '[[], [1,2,3,4,5]]');
    expect(h.r('JSON.ARRPOP', 'e', '$[*]')).toEqual([null, '5']);
    expect(h.r('JSON.ARRPOP', 'e', '$[1]', '-99')).toEqual(['1']);
    expect(h.r('JSON.ARRTRIM', 'e', '$[1]', '-2', '99')).toEqual([2]);
    expect(h.r('JSON.GET', 'e')).toBe('[[],[3,4]]');
    expect(h.r('JSON.ARRTRIM', 'e', '.[1]', '5', '9')).toBe(0);
    expect(h.r('JSON.ARRPOP', 'e')).toBe('[]');
    expect(h.r('JSON.ARRPOP', 'e')).toBe('[]');
    expect(h.r('JSON.ARRPOP', 'e')).toBeNull();
  });

  it('docs json.objkeys / json.objlen / json.type', () => {
    const h = json();
    h.r('JSON.SET', 'doc', '$', '{"a":[3], "nested": {"a": {"b":2, "c": 1}}}');
    expect(h.r('JSON.OBJKEYS', 'doc', '$..a')).toEqual([null, ['b', 'c']]);
    expect(h.r('JSON.OBJLEN', 'doc', '$..a')).toEqual([null, 2]);
    expect(h.r('JSON.OBJLEN', 'doc', '.a')).toBe('-WRONGTYPE wrong type of path value - expected object but found array');
    expect(h.r('JSON.OBJKEYS', 'doc', '.a')).toBe("-ERR Path '$.a' does not exist or not an object");
    expect(h.r('JSON.OBJLEN', 'doc')).toBe(2);
    expect(h.r('JSON.OBJLEN', 'none', '$')).toBe("-ERR Path '$' does not exist or not an object");
    h.r('JSON.SET', 'doc', '$', '{"a":2, "nested": {"a": true}, "foo": "bar"}');
    expect(h.r('JSON.TYPE', 'doc', '$..foo')).toEqual(['string']);
    expect(h.r('JSON.TYPE', 'doc', '$..a')).toEqual(['integer', 'boolean']);
    expect(h.r('JSON.TYPE', 'doc', '$..dummy')).toEqual([]);
    expect(h.r('JSON.TYPE', 'doc')).toBe('object');
    expect(h.r('JSON.TYPE', 'doc', '.nope')).toBeNull();
    expect(h.r('JSON.TYPE', 'none')).toBeNull();
  });

  it('JSON.RESP and JSON.DEBUG', () => {
    const h = json();
    h.r('JSON.SET', 'doc', '$', '{"a":[1,2.5,"x",null,true],"o":{}}');
    expect(h.r('JSON.RESP', 'doc')).toEqual(['+{', 'a', ['+[', 1, '2.5', 'x', null, '+true'], 'o', ['+{']]);
    expect(h.r('JSON.RESP', 'doc', '$.a[1]')).toEqual(['2.5']);
    expect(json({ resp: 3 }).run('JSON.RESP', 'none')).toEqual(['_']);
    expect(h.r('JSON.DEBUG', 'HELP')).toEqual(['MEMORY <key> [path] - reports memory usage', 'HELP                - this message']);
    expect(h.r('JSON.DEBUG', 'nope')).toBe('-ERR unknown subcommand - try `JSON.DEBUG HELP`');
    expect(typeof h.r('JSON.DEBUG', 'MEMORY', 'doc')).toBe('number');
    expect((h.r('JSON.DEBUG', 'MEMORY', 'doc', '$..a') as number[]).length).toBe(1);
    expect(h.r('JSON.DEBUG', 'MEMORY', 'none')).toBe(0);
    expect(h.r('JSON.DEBUG', 'MEMORY', 'none', '$')).toEqual([]);
  });
});

describe('RESP3 replies (source: key_value.rs value_to_resp3, commands.rs is_resp3 branches)', () => {
  it('JSON.GET with a JSONPath answers native scalars, JSON text for strings and containers; JSON.TYPE is wrapped', () => {
    const h = json({ resp: 3 });
    h.r('JSON.SET', 'doc', '$', '{"i":1,"f":1.5,"b":true,"n":null,"s":"x","a":[1]}');
    expect(h.r('JSON.GET', 'doc', '$.*')).toEqual([1, ',1.5', '#true', null, '"x"', '[1]']);
    expect(h.r('JSON.GET', 'doc', '.a')).toBe('[1]');
    expect(h.r('JSON.GET', 'doc', '$.i', '$.s')).toEqual([['$.i', [1]], ['$.s', ['"x"']]]);
    expect(h.r('JSON.TYPE', 'doc', '$.i')).toEqual([['integer']]);
    expect(h.r('JSON.TYPE', 'doc')).toEqual(['object']);
    expect(h.r('JSON.NUMINCRBY', 'doc', '$.*', '1')).toEqual([2, ',2.5', null, null, null, null]);
    expect(h.r('JSON.NUMINCRBY', 'doc', '.i', '1')).toEqual([3]);
    expect(h.r('JSON.MGET', 'doc', '$.i')).toEqual(['[3]']);
  });
});

describe('the keyspace around JSON values', () => {
  it('TYPE ReJSON-RL, WRONGTYPE both ways, OBJECT ENCODING, MEMORY USAGE, COPY, RENAME', () => {
    const h = json();
    h.r('JSON.SET', 'doc', '$', '{"a":[1,2,3]}');
    expect(h.r('TYPE', 'doc')).toBe('+ReJSON-RL');
    expect(h.r('GET', 'doc')).toBe('-WRONGTYPE Operation against a key holding the wrong kind of value');
    h.r('SET', 'str', 'x');
    expect(h.r('JSON.GET', 'str')).toBe('-WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(h.r('JSON.SET', 'str', '$', '1')).toBe('-WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(h.r('OBJECT', 'ENCODING', 'doc')).toBe('raw');
    expect(typeof h.r('MEMORY', 'USAGE', 'doc')).toBe('number');
    expect(h.r('COPY', 'doc', 'copy')).toBe(1);
    h.r('JSON.ARRAPPEND', 'copy', '$.a', '4');
    expect(h.r('JSON.GET', 'doc')).toBe('{"a":[1,2,3]}');
    expect(h.r('JSON.GET', 'copy')).toBe('{"a":[1,2,3,4]}');
    expect(h.r('RENAME', 'copy', 'moved')).toBe(OK);
    expect(h.r('JSON.GET', 'moved', '$.a[3]')).toBe('[4]');
    expect(h.r('EXPIRE', 'moved', '10')).toBe(1);
    (h.cache.clock as unknown as { advance(ms: number): void }).advance(11_000);
    expect(h.r('JSON.GET', 'moved')).toBeNull();
  });

  it('raises json.* keyspace events (class d) and replicates the command verbatim (source: apply_changes)', () => {
    const h = json();
    h.r('JSON.SET', 'doc', '$', '{"a":1,"b":[true]}');
    h.r('JSON.NUMINCRBY', 'doc', '$.a', '1');
    h.r('JSON.TOGGLE', 'doc', '$.b[0]');
    h.r('JSON.ARRAPPEND', 'doc', '$.b', '1');
    h.r('JSON.NUMINCRBY', 'doc', '$.b', '1'); // nothing numeric: no event
    h.r('JSON.GET', 'doc');
    h.r('JSON.DEL', 'doc', '$.a');
    h.r('JSON.DEL', 'doc');
    expect(h.events()).toEqual(['doc:json.set', 'doc:json.numincrby', 'doc:json.toggle', 'doc:json.arrappend', 'doc:json.del', 'doc:json.del']);
    expect(h.changes[1].effects).toEqual([['JSON.NUMINCRBY', 'doc', '$.a', '1']]);
    expect(h.changes[1].command).toBe('json.numincrby');

    const events: string[] = [];
    const cache = new ManagedRedis({ modules: ['RedisJSON'], clock: 'virtual', clusterPolicy: 'NoCluster', notifyKeyspaceEvents: 'Ed' });
    const sub = cache.createClient();
    const pub = cache.createClient();
    return (async () => {
      sub.on('message', (_channel: string, message: string) => events.push(message));
      await sub.subscribe('__keyevent@0__:json.set', '__keyevent@0__:json.merge');
      await pub.call('JSON.SET', 'k', '$', '{}');
      await pub.call('JSON.MERGE', 'k', '$', '{"a":1}');
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(events).toEqual(['k', 'k']);
      await sub.quit();
      await pub.quit();
    })();
  });

  it('works inside MULTI/EXEC, under WATCH, and from Lua; ioredis call() reaches it', async () => {
    const h = json();
    h.r('JSON.SET', 'doc', '$', '{"n":1}');
    expect(h.r('MULTI')).toBe(OK);
    expect(h.r('JSON.NUMINCRBY', 'doc', '$.n', '5')).toBe('+QUEUED');
    expect(h.r('JSON.GET', 'doc', '.n')).toBe('+QUEUED');
    expect(h.r('EXEC')).toEqual(['[6]', '6']);
    const other = h.cache.openClient({ name: null });
    h.r('WATCH', 'doc');
    h.cache.executeReply(['JSON.SET', 'doc', '$.n', '7'], other);
    h.r('MULTI');
    h.r('JSON.GET', 'doc');
    expect(h.run('EXEC')).toEqual(['_']);
    expect(h.r('EVAL', "return redis.call('JSON.GET', KEYS[1], '$.n')", '1', 'doc')).toBe('[7]');
    const redis = h.cache.createClient();
    expect(await redis.call('JSON.SET', 'io', '$', '{"x":[1]}')).toBe('OK');
    expect(await redis.call('JSON.GET', 'io', '$.x[0]')).toBe('[1]');
    expect((redis as unknown as Record<string, unknown>).json).toBeUndefined();
    await redis.quit();
  });

  it('replicas apply the verbatim commands: a lagging replica differs, then matches; failover keeps the documents', async () => {
    const cache = new ManagedRedis({ modules: ['RedisJSON'], clock: 'virtual', seed: 1, activeExpiry: false, replication: { lag: 100 } });
    await cache.ready();
    const shard = cache.topology.slotToShard[Number(cache.execute(['CLUSTER', 'KEYSLOT', 'doc']))];
    cache.execute(['JSON.SET', 'doc', '$', '{"a":[1],"b":{"c":"x"}}']);
    cache.clock.advance(200);
    const first = cache.replication.digest(shard);
    expect(cache.replication.replicaDigest(shard)).toBe(first);
    cache.execute(['JSON.ARRAPPEND', 'doc', '$.a', '2']);
    cache.execute(['JSON.MERGE', 'doc', '$', '{"b":null}']);
    expect(cache.replication.digest(shard)).not.toBe(first);
    expect(cache.replication.replicaDigest(shard)).toBe(first);
    cache.clock.advance(200);
    expect(cache.replication.replicaDigest(shard)).toBe(cache.replication.digest(shard));
    const done = cache.faults.failover(shard);
    cache.clock.advance(Math.max(0, done - cache.clock.now()) + 1);
    expect(cache.execute(['JSON.GET', 'doc'])).toBe('{"a":[1,2]}');
  });

  it('routes by key under OSS: JSON.MSET and JSON.MGET keys must share a slot; hash tags do', () => {
    const h = json({ policy: 'OSS' });
    expect(h.r('JSON.MSET', 'a', '$', '1', 'b', '$', '2')).toBe("-CROSSSLOT Keys in request don't hash to the same slot");
    expect(h.r('JSON.MSET', '{t}a', '$', '1', '{t}b', '$', '2')).toBe(OK);
    expect(h.r('JSON.MGET', '{t}a', '{t}b', '$')).toEqual(['[1]', '[2]']);
    expect(h.r('JSON.MGET', 'a', 'b', '$')).toBe("-CROSSSLOT Keys in request don't hash to the same slot");
    expect(h.r('JSON.SET', 'x', '$', '1')).toBe(OK);
  });
});
