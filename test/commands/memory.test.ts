/**
 * MEMORY USAGE and MEMORY HELP. Sizes of strings are exact: the values below are what
 * redis-server answers for the same keys (embstr, int and raw encodings are the same in 7.0 and
 * 7.4); collections are estimates (docs/eviction.md), compared by the random differential only as
 * "a number".
 */
import { describe, expect, it } from 'vitest';
import { ManagedRedis } from '../../src/index.js';

function cache(): ManagedRedis {
  return new ManagedRedis({ clusterPolicy: 'NoCluster', clock: 'virtual' });
}

describe('MEMORY USAGE', () => {
  it('counts a string key as Redis does, and answers nil for a missing key', () => {
    const c = cache();
    c.execute(['SET', 'k', 'v']);
    c.execute(['SET', 'n', '12345']);
    c.execute(['SET', 'big', 'x'.repeat(100)]);
    expect(c.execute(['MEMORY', 'USAGE', 'k'])).toBe(64);
    expect(c.execute(['MEMORY', 'USAGE', 'n'])).toBe(48);
    expect(c.execute(['MEMORY', 'USAGE', 'big'])).toBe(160);
    expect(c.execute(['MEMORY', 'USAGE', 'k', 'SAMPLES', '0'])).toBe(64);
    expect(c.execute(['MEMORY', 'USAGE', 'nokey'])).toBeNull();
    c.close();
  });

  it('grows with a collection and finds a key whose TTL passed but is not collected yet (dict lookup, as Redis)', () => {
    const c = cache();
    c.execute(['RPUSH', 'l', 'a']);
    const small = c.execute(['MEMORY', 'USAGE', 'l']) as number;
    c.execute(['RPUSH', 'l', ...Array.from({ length: 200 }, (_, i) => `element-${i}`)]);
    expect(c.execute(['MEMORY', 'USAGE', 'l']) as number).toBeGreaterThan(small + 200 * 10);
    c.execute(['SET', 'gone', 'v', 'PX', '10']);
    c.clock.advance(20);
    expect(c.execute(['MEMORY', 'USAGE', 'gone'])).toBe(64);
    expect(c.execute(['DBSIZE'])).toBe(2); // still there: MEMORY USAGE did not expire it
    c.close();
  });

  it('checks its options in Redis\'s order, with Redis\'s errors', () => {
    const c = cache();
    c.execute(['SET', 'k', 'v']);
    const error = (argv: string[]) => {
      try {
        c.execute(argv);
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(error(['MEMORY', 'USAGE', 'k', 'SAMPLES'])).toBe('ERR syntax error');
    expect(error(['MEMORY', 'USAGE', 'k', 'SAMPLES', '-1'])).toBe('ERR syntax error');
    expect(error(['MEMORY', 'USAGE', 'k', 'SAMPLES', 'abc'])).toBe('ERR value is not an integer or out of range');
    expect(error(['MEMORY', 'USAGE', 'k', 'FOO', '1'])).toBe('ERR syntax error');
    expect(error(['MEMORY', 'USAGE', 'nokey', 'SAMPLES', 'abc'])).toBe('ERR value is not an integer or out of range');
    expect(error(['MEMORY', 'USAGE'])).toBe("ERR wrong number of arguments for 'memory|usage' command");
    expect(error(['MEMORY', 'FOO'])).toBe("ERR unknown subcommand 'FOO'. Try MEMORY HELP.");
    // Not offered by AMR (Redis Enterprise does not support them).
    expect(error(['MEMORY', 'DOCTOR'])).toBe("ERR unknown subcommand 'DOCTOR'. Try MEMORY HELP.");
    c.close();
  });

  it('MEMORY HELP lists the subcommands as Redis 7.4 does', () => {
    const c = cache();
    const help = c.execute(['MEMORY', 'HELP']) as string[];
    expect(help[0]).toBe('MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(help).toContain('USAGE <key> [SAMPLES <count>]');
    expect(help.slice(-2)).toEqual(['HELP', '    Print this help.']);
    expect(help).toHaveLength(14);
    c.close();
  });
});
