/**
 * Redis glob matching (`stringmatchlen`): KEYS/SCAN MATCH semantics byte by byte.
 *
 * The table below was recorded from a real redis-server: every subject was stored as a key, then
 * `KEYS <pattern>` asked for each pattern; the lists are the sorted keys it answered. Strings are
 * latin1 byte strings (`\x80`, `\xff` are single bytes).
 */
import { describe, expect, it } from 'vitest';
import { compileGlob, stringMatch, stringMatchGeneral } from '../../src/keyspace/glob.js';
import { describeLive } from '../support/live.js';
import { RespClient } from '../support/resp-client.js';

const SUBJECTS: string[] = ["", "a", "b", "c", "d", "A", "ab", "abc", "aXc", "a*", "*", "?", "\\", "]", "[", "-", "^", "!", "\u0080", "\u00ff", "0", "z", "hello", "hallo", "hbllo", "hllo", "heeello", "x]", "a[", "ab[", "abc.def", ".", "ba", "aab", "a\\", "e", "acb", "axxbyyc", "ac"];

/** pattern → the subjects a real server's KEYS returned for it. */
const RECORDED: Array<[string, string[]]> = [
  ["**", ["!", "*", "-", ".", "0", "?", "A", "[", "\\", "]", "^", "a", "a*", "aXc", "a[", "a\\", "aab", "ab", "ab[", "abc", "abc.def", "ac", "acb", "axxbyyc", "b", "ba", "c", "d", "e", "hallo", "hbllo", "heeello", "hello", "hllo", "x]", "z", "\u0080", "\u00ff"]],
  ["", [""]],
  ["?", ["!", "*", "-", ".", "0", "?", "A", "[", "\\", "]", "^", "a", "b", "c", "d", "e", "z", "\u0080", "\u00ff"]],
  ["a", ["a"]],
  ["a*", ["a", "a*", "aXc", "a[", "a\\", "aab", "ab", "ab[", "abc", "abc.def", "ac", "acb", "axxbyyc"]],
  ["*a", ["a", "ba"]],
  ["*a*", ["a", "a*", "aXc", "a[", "a\\", "aab", "ab", "ab[", "abc", "abc.def", "ac", "acb", "axxbyyc", "ba", "hallo"]],
  ["a?c", ["aXc", "abc"]],
  ["[abc]", ["a", "b", "c"]],
  ["[^abc]", ["!", "*", "-", ".", "0", "?", "A", "[", "\\", "]", "^", "d", "e", "z", "\u0080", "\u00ff"]],
  ["[a-c]", ["a", "b", "c"]],
  ["[c-a]", ["a", "b", "c"]],
  ["[a-]", ["]", "^", "a"]],
  ["[-a]", ["-", "a"]],
  ["[]", []],
  ["[", []],
  ["[^", ["!", "*", "-", ".", "0", "?", "A", "[", "\\", "]", "^", "a", "b", "c", "d", "e", "z", "\u0080", "\u00ff"]],
  ["a[", []],
  ["[a", ["a"]],
  ["[ab", ["a", "b"]],
  ["[^a", ["!", "*", "-", ".", "0", "?", "A", "[", "\\", "]", "^", "b", "c", "d", "e", "z", "\u0080", "\u00ff"]],
  ["\\", ["\\"]],
  ["a\\", ["a\\"]],
  ["\\a", ["a"]],
  ["\\*", ["*"]],
  ["\\?", ["?"]],
  ["[\\]]", ["]"]],
  ["[\\", ["\\"]],
  ["[a\\", ["\\", "a"]],
  ["a[\\]b", ["ab"]],
  ["[]]", []],
  ["[!a]", ["!", "a"]],
  ["[a-c-e]", ["-", "a", "b", "c", "e"]],
  ["[\u0080-\u00ff]", ["\u0080", "\u00ff"]],
  ["[a-\u00ff]", ["!", "*", "-", ".", "0", "?", "A", "[", "\\", "]", "^", "a", "\u00ff"]],
  ["[\u00ff-a]", ["!", "*", "-", ".", "0", "?", "A", "[", "\\", "]", "^", "a", "\u00ff"]],
  ["A*", ["A"]],
  ["[A-Z]", ["A"]],
  ["*[", []],
  ["*?", ["!", "*", "-", ".", "0", "?", "A", "[", "\\", "]", "^", "a", "a*", "aXc", "a[", "a\\", "aab", "ab", "ab[", "abc", "abc.def", "ac", "acb", "axxbyyc", "b", "ba", "c", "d", "e", "hallo", "hbllo", "heeello", "hello", "hllo", "x]", "z", "\u0080", "\u00ff"]],
  ["?*", ["!", "*", "-", ".", "0", "?", "A", "[", "\\", "]", "^", "a", "a*", "aXc", "a[", "a\\", "aab", "ab", "ab[", "abc", "abc.def", "ac", "acb", "axxbyyc", "b", "ba", "c", "d", "e", "hallo", "hbllo", "heeello", "hello", "hllo", "x]", "z", "\u0080", "\u00ff"]],
  ["a**b", ["aab", "ab", "acb"]],
  ["a*b*c", ["abc", "axxbyyc"]],
  ["*.*", [".", "abc.def"]],
  ["h?llo", ["hallo", "hbllo", "hello"]],
  ["h[ae]llo", ["hallo", "hello"]],
  ["h[^e]llo", ["hallo", "hbllo"]],
  ["h[a-b]llo", ["hallo", "hbllo"]],
  ["[^-]", ["!", "*", ".", "0", "?", "A", "[", "\\", "]", "^", "a", "b", "c", "d", "e", "z", "\u0080", "\u00ff"]],
  ["[--]", ["-", ".", "0", "?", "A", "[", "\\", "]"]],
  ["[---]", ["-"]],
  ["[^]]", ["x]"]],
  ["x]", ["x]"]],
  ["]", ["]"]],
  ["[[]", ["["]],
  ["\\[", ["["]],
  ["*\\", ["\\", "a\\"]],
  ["[^\\]]", ["!", "*", "-", ".", "0", "?", "A", "[", "\\", "^", "a", "b", "c", "d", "e", "z", "\u0080", "\u00ff"]],
  ["[a-\\]", ["\\", "]", "^", "a"]],
  ["ab[", []],
  ["ab[^", ["ab[", "abc"]],
];

describe('glob: recorded KEYS answers of a real server', () => {
  for (const [pattern, expected] of RECORDED) {
    it(`KEYS ${JSON.stringify(pattern)}`, () => {
      const match = compileGlob(pattern);
      const got = SUBJECTS.filter((s) => match(s)).sort();
      expect(got).toEqual([...expected].sort());
    });
  }
});

describe('glob: corners', () => {
  it('an unterminated class runs to the end of the pattern', () => {
    expect(stringMatch('[abc', 'b')).toBe(true);
    expect(stringMatch('[abc', 'bc')).toBe(false);
    expect(stringMatch('x[^', 'xq')).toBe(true);
  });

  it('`[a-]` is the range a..] (ends swap when reversed)', () => {
    expect(stringMatch('[a-]', ']')).toBe(true);
    expect(stringMatch('[a-]', '`')).toBe(true);
    expect(stringMatch('[a-]', 'b')).toBe(false);
    expect(stringMatch('[a-]', '-')).toBe(false);
    expect(stringMatch('[z-a]', 'm')).toBe(true);
  });

  it('range ends compare as signed chars: [a-\xff] spans \xff..a', () => {
    expect(stringMatch('[a-\xff]', 'z')).toBe(false);
    expect(stringMatch('[a-\xff]', '0')).toBe(true);
    expect(stringMatch('[a-\xff]', '\x80')).toBe(false);
    expect(stringMatch('[\x80-\xff]', '\x90')).toBe(true);
  });

  it('a star needs at least one byte when it is the whole pattern', () => {
    expect(stringMatch('*', '')).toBe(false);
    expect(stringMatch('**', 'x')).toBe(true);
    expect(stringMatch('', '')).toBe(true);
    expect(stringMatch('a*', 'a')).toBe(true);
  });

  it('escapes: \\x is x, a trailing backslash is itself', () => {
    expect(stringMatch('\\*', '*')).toBe(true);
    expect(stringMatch('\\*', 'a')).toBe(false);
    expect(stringMatch('a\\', 'a\\')).toBe(true);
    expect(stringMatch('[\\]]', ']')).toBe(true);
  });

  it('the case-insensitive variant folds ASCII letters only', () => {
    expect(stringMatch('HeLLo', 'hello', true)).toBe(true);
    expect(stringMatch('HeLLo', 'hello', false)).toBe(false);
    expect(stringMatch('[A-C]x', 'bX', true)).toBe(true);
    expect(stringMatch('h[E]llo', 'hello', true)).toBe(true);
    expect(stringMatch('\xc0', '\xe0', true)).toBe(false);
    expect(stringMatch('AB*', 'abc', true)).toBe(true);
    expect(stringMatch('ab', 'AB', true)).toBe(true);
  });

  it('gives up beyond 1000 levels of star recursion, as Redis 7.4.1 does', () => {
    expect(stringMatch('*a'.repeat(1000), 'a'.repeat(1000))).toBe(true);
    expect(stringMatch('*a'.repeat(1001), 'a'.repeat(1001))).toBe(false);
  });

  it('stays fast on patterns that would backtrack exponentially', () => {
    expect(stringMatch('a*a*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(60))).toBe(false);
  });
});

describe('glob: the literal-and-star shortcut', () => {
  it('answers as the general matcher, with and without case folding', () => {
    let seed = 99;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = ['a', 'b', 'A', 'B', '*', '\xe0', '\xc0', 'x'];
    const mismatches: string[] = [];
    for (let t = 0; t < 3000; t++) {
      let pattern = '';
      for (let j = rnd(7); j > 0; j--) pattern += alphabet[rnd(alphabet.length)];
      let subject = '';
      for (let j = rnd(7); j > 0; j--) subject += alphabet[rnd(alphabet.length)].replace('*', 'y');
      for (const nocase of [false, true]) {
        if (compileGlob(pattern, nocase)(subject) !== stringMatchGeneral(pattern, subject, nocase)) {
          mismatches.push(`${JSON.stringify(pattern)} ~ ${JSON.stringify(subject)} nocase=${nocase}`);
        }
      }
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
  });
});

describeLive('glob: random patterns against a real server', (redis) => {
  it('agrees with KEYS on 600 random patterns over 300 subjects', async () => {
    // The shared server holds other tests' keys: everything here lives under a unique prefix.
    const prefix = `glob-test:${process.pid}:${Date.now()}:`;
    const client = await RespClient.connect(redis.standalone.port);
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed % n;
    };
    const patternAlphabet = ['a', 'b', 'A', '*', '?', '[', ']', '^', '-', '\\', '\x80', '\xff', '0'];
    const subjectAlphabet = ['a', 'b', 'A', 'B', ']', '^', '-', '\\', '\x80', '\xff', '0', '['];
    const subjects = new Set<string>();
    for (let i = 0; i < 300; i++) {
      let s = prefix;
      for (let j = rnd(6); j > 0; j--) s += subjectAlphabet[rnd(subjectAlphabet.length)];
      subjects.add(s);
    }
    const keys = [...subjects].map((s) => Buffer.from(s, 'latin1'));
    try {
      await client.pipeline(keys.map((k) => ['SET', k, '1']));
      const mismatches: string[] = [];
      for (let t = 0; t < 600; t++) {
        let pattern = prefix;
        for (let j = 1 + rnd(7); j > 0; j--) pattern += patternAlphabet[rnd(patternAlphabet.length)];
        const reply = await client.call(['KEYS', Buffer.from(pattern, 'latin1')]);
        const real = new Set(
          (reply[1] as Array<[string, string]>).map(([kind, v]) =>
            kind === '$64' ? Buffer.from(v, 'base64').toString('latin1') : Buffer.from(v, 'utf8').toString('latin1'),
          ),
        );
        const match = compileGlob(pattern);
        for (const s of subjects) {
          if (match(s) !== real.has(s)) mismatches.push(`${JSON.stringify(pattern)} ~ ${JSON.stringify(s)}`);
        }
      }
      expect(mismatches.slice(0, 10)).toEqual([]);
    } finally {
      await client.call(['DEL', ...keys]);
      client.close();
    }
  });
});
