/**
 * Microsoft Entra ID authentication and ACL users with access strings (src/entra.ts,
 * src/acl/user.ts): token lifecycle on the virtual clock, AUTH semantics, ACL introspection, and
 * every ACL decision compared with a live redis-server whose users are made with ACL SETUSER.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManagedRedis, type ManagedRedisOptions } from '../../src/managed-redis.js';
import { TokenExpiredError } from '../../src/entra.js';
import { parseAccessString, AccessStringError } from '../../src/acl/user.js';
import { toTyped, type Typed } from '../support/oracle.js';
import { ReplyError } from '../../src/protocol/errors.js';
import type { ClientState } from '../../src/core-types.js';
import type { Bytes } from '../../src/keyspace/bytes.js';
import { describeLive } from '../support/live.js';
import { RespClient } from '../support/resp-client.js';
import { NOPERM_TEXT_7_4 } from '../differential/known-differences.js';

const RO = 'a1b2c3d4-0000-4000-8000-000000000001';
const OWNER = 'a1b2c3d4-0000-4000-8000-000000000002';

function entraCache(extra: ManagedRedisOptions = {}): ManagedRedis {
  return new ManagedRedis({
    clock: 'virtual',
    clusterPolicy: 'NoCluster',
    activeExpiry: false,
    entra: { principals: [{ objectId: RO, accessString: '+@read ~cache:* &news*' }, { objectId: OWNER }] },
    ...extra,
  });
}

function run(cache: ManagedRedis, client: ClientState, ...argv: Bytes[]): Typed {
  try {
    return toTyped(cache.executeReply(argv, client), client.resp);
  } catch (error) {
    if (!(error instanceof ReplyError)) throw error;
    return ['-', error.message];
  }
}

const WRONGPASS: Typed = ['-', 'WRONGPASS invalid username-password pair or user is disabled.'];
const NOAUTH: Typed = ['-', 'NOAUTH Authentication required.'];

describe('Entra authentication', () => {
  it('needs AUTH <objectId> <token>; the default user cannot authenticate with access keys disabled', () => {
    const cache = entraCache();
    const c = cache.openClient({ name: null });
    expect(run(cache, c, 'GET', 'k')).toEqual(NOAUTH);
    expect(run(cache, c, 'AUTH', 'anything')).toEqual(WRONGPASS);
    expect(run(cache, c, 'AUTH', 'default', 'anything')).toEqual(WRONGPASS);
    expect(run(cache, c, 'AUTH', RO, 'not-a-token')).toEqual(WRONGPASS);
    expect(run(cache, c, 'AUTH', 'someone-else', cache.entra!.issueToken(RO))).toEqual(WRONGPASS);
    // A token is bound to its principal.
    expect(run(cache, c, 'AUTH', OWNER, cache.entra!.issueToken(RO))).toEqual(WRONGPASS);
    expect(run(cache, c, 'AUTH', RO, cache.entra!.issueToken(RO))).toEqual(['+', 'OK']);
    expect(run(cache, c, 'GET', 'cache:1')).toEqual(['_']);
    // +@read does not include ACL WHOAMI (@slow only).
    expect(run(cache, c, 'ACL', 'WHOAMI')).toEqual(['-', `NOPERM User ${RO} has no permissions to run the 'acl|whoami' command`]);
    expect(run(cache, c, 'AUTH', OWNER, cache.entra!.issueToken(OWNER))).toEqual(['+', 'OK']);
    expect(run(cache, c, 'ACL', 'WHOAMI')).toEqual(['$', OWNER]);
    // execute() is the in-process owner and needs nothing.
    expect(cache.execute(['SET', 'k', 'v'])).toBe('OK');
  });

  it('HELLO 3 AUTH <objectId> <token> authenticates and switches protocol; a bad token changes nothing', () => {
    const cache = entraCache();
    const c = cache.openClient({ name: null });
    expect(run(cache, c, 'HELLO', '3', 'AUTH', OWNER, 'bad')).toEqual(WRONGPASS);
    expect(c.resp).toBe(2);
    const reply = run(cache, c, 'HELLO', '3', 'AUTH', OWNER, cache.entra!.issueToken(OWNER));
    expect(reply[0]).toBe('%');
    expect(c.resp).toBe(3);
    expect(run(cache, c, 'ACL', 'WHOAMI')).toEqual(['$', OWNER]);
  });

  it('access keys alongside Entra: either authenticates, and AUTH as default leaves the principal', () => {
    const cache = entraCache({ accessKey: 'k3y' });
    const c = cache.openClient({ name: null });
    expect(run(cache, c, 'AUTH', 'k3y')).toEqual(['+', 'OK']);
    expect(run(cache, c, 'ACL', 'WHOAMI')).toEqual(['$', 'default']);
    expect(run(cache, c, 'AUTH', RO, cache.entra!.issueToken(RO))).toEqual(['+', 'OK']);
    expect(run(cache, c, 'SET', 'cache:1', 'v')).toEqual(['-', `NOPERM User ${RO} has no permissions to run the 'set' command`]);
    expect(run(cache, c, 'AUTH', 'default', 'k3y')).toEqual(['+', 'OK']);
    expect(run(cache, c, 'SET', 'cache:1', 'v')).toEqual(['+', 'OK']);
    // A refused AUTH leaves the connection authenticated as it was.
    expect(run(cache, c, 'AUTH', RO, 'bad')).toEqual(WRONGPASS);
    expect(run(cache, c, 'ACL', 'WHOAMI')).toEqual(['$', 'default']);
  });

  it('a cache with neither access key nor Entra stays open', () => {
    const cache = new ManagedRedis({ clock: 'virtual', activeExpiry: false });
    const c = cache.openClient({ name: null });
    expect(run(cache, c, 'GET', 'k')).toEqual(['_']);
    expect(cache.entra).toBeNull();
  });

  it('an expired token is refused, and a connection whose token expires is closed at that instant', () => {
    const cache = entraCache();
    cache.events.record();
    const token = cache.entra!.issueToken(RO, { lifetimeMs: 60_000 });
    const c = cache.openClient({ name: null });
    expect(run(cache, c, 'AUTH', RO, token)).toEqual(['+', 'OK']);
    expect(cache.entra!.expiryOf(c)).toBe(cache.clock.now() + 60_000);
    cache.clock.advance(59_999);
    expect(c.closed).toBe(false);
    cache.clock.advance(1);
    expect(c.closed).toBe(true);
    expect(cache.clients.has(c.id)).toBe(false);
    const late = cache.openClient({ name: null });
    expect(run(cache, late, 'AUTH', RO, token)).toEqual(WRONGPASS);
    const history = cache.events.history().map((e) => [e.type, e.data]);
    expect(history).toEqual([
      ['entra-token-expired', { objectId: RO, client: c.id }],
      ['entra-authentication-failed', { objectId: RO, client: late.id, reason: 'token-expired' }],
    ]);
  });

  it('re-AUTH with a fresh token before expiry keeps the connection', () => {
    const cache = entraCache();
    const c = cache.openClient({ name: null });
    run(cache, c, 'AUTH', RO, cache.entra!.issueToken(RO, { lifetimeMs: 60_000 }));
    cache.clock.advance(50_000);
    expect(run(cache, c, 'AUTH', RO, cache.entra!.issueToken(RO, { lifetimeMs: 60_000 }))).toEqual(['+', 'OK']);
    cache.clock.advance(50_000);
    expect(c.closed).toBe(false);
    cache.clock.advance(10_000);
    expect(c.closed).toBe(true);
  });

  it('validates the option and the token lifetime', () => {
    expect(() => entraCache({ entra: { principals: [{ objectId: RO, accessString: '+nosuchcmd' }] } })).toThrow(
      `entra principal ${RO}: invalid access string: Error in ACL SETUSER modifier '+nosuchcmd': Unknown command or category name in ACL`,
    );
    expect(() => entraCache({ entra: { principals: [{ objectId: '' }] } })).toThrow('objectId must be a non-empty string');
    expect(() => entraCache({ entra: { principals: [{ objectId: 'default' }] } })).toThrow("cannot be 'default'");
    expect(() => entraCache({ entra: { principals: [{ objectId: RO }, { objectId: RO }] } })).toThrow('listed twice');
    const cache = entraCache();
    expect(() => cache.entra!.issueToken('unknown')).toThrow('is not an Entra principal');
    expect(() => cache.entra!.issueToken(RO, { lifetimeMs: 0 })).toThrow('lifetimeMs must be a positive integer');
  });
});

describe('Entra with the ioredis-compatible client', () => {
  it('expiry disrupts the connection; the client reconnects and its AUTH with a refreshed password works', async () => {
    const cache = entraCache();
    const redis = cache.createClient({ username: RO, password: cache.entra!.issueToken(RO, { lifetimeMs: 1000 }), retryStrategy: () => 100 });
    const errors: Error[] = [];
    redis.on('error', (error: Error) => errors.push(error));
    expect(await redis.get('cache:1')).toBeNull();
    await expect(redis.set('cache:1', 'v')).rejects.toThrow(`NOPERM User ${RO} has no permissions to run the 'set' command`);
    await expect(redis.get('other')).rejects.toThrow('NOPERM No permissions to access a key');
    cache.clock.advance(1000);
    await Promise.resolve();
    expect(redis.status).toBe('reconnecting');
    expect(errors[0]).toBeInstanceOf(TokenExpiredError);
    expect(errors[0].message).toBe('read ECONNRESET');
    // As an app's credential provider does: the next connect uses a fresh token.
    redis.options.password = cache.entra!.issueToken(RO, { lifetimeMs: 1000 });
    const pending = redis.get('cache:1');
    cache.clock.advance(100);
    expect(await pending).toBeNull();
    expect(redis.status).toBe('ready');
    redis.disconnect();
  });

  it('redis.auth(objectId, newToken) before expiry keeps the connection', async () => {
    const cache = entraCache();
    const redis = cache.createClient({ username: OWNER, password: cache.entra!.issueToken(OWNER, { lifetimeMs: 1000 }) });
    await redis.set('k', 'v');
    cache.clock.advance(800);
    expect(await redis.auth(OWNER, cache.entra!.issueToken(OWNER, { lifetimeMs: 1000 }))).toBe('OK');
    cache.clock.advance(800);
    expect(redis.status).toBe('ready');
    expect(await redis.get('k')).toBe('v');
    redis.disconnect();
  });
});

describe('ACL introspection for Entra users', () => {
  it('WHOAMI, USERS, LIST, GETUSER, CLIENT LIST user= and CLIENT KILL USER', () => {
    const cache = entraCache();
    const admin = cache.openClient({ name: null });
    run(cache, admin, 'AUTH', OWNER, cache.entra!.issueToken(OWNER));
    const ro = cache.openClient({ name: null });
    run(cache, ro, 'AUTH', RO, cache.entra!.issueToken(RO));
    expect(run(cache, admin, 'ACL', 'USERS')).toEqual(['*', [['$', RO], ['$', OWNER], ['$', 'default']]]);
    expect(run(cache, admin, 'ACL', 'LIST')).toEqual([
      '*',
      [
        ['$', `user ${RO} on ~cache:* resetchannels &news* -@all +@read`],
        ['$', `user ${OWNER} on ~* &* +@all`],
        ['$', 'user default off ~* &* +@all'],
      ],
    ]);
    expect(run(cache, admin, 'ACL', 'GETUSER', RO)).toEqual([
      '*',
      [
        ['$', 'flags'], ['*', [['$', 'on']]],
        ['$', 'passwords'], ['*', []],
        ['$', 'commands'], ['$', '-@all +@read'],
        ['$', 'keys'], ['$', '~cache:*'],
        ['$', 'channels'], ['$', '&news*'],
        ['$', 'selectors'], ['*', []],
      ],
    ]);
    expect(run(cache, admin, 'ACL', 'GETUSER', 'nobody')).toEqual(['_']);
    expect(String(run(cache, admin, 'CLIENT', 'LIST')[1])).toContain(` user=${RO} `);
    expect(run(cache, ro, 'CLIENT', 'INFO')).toEqual(['-', `NOPERM User ${RO} has no permissions to run the 'client|info' command`]);
    expect(run(cache, admin, 'CLIENT', 'KILL', 'USER', 'nobody')).toEqual(['-', "ERR No such user 'nobody'"]);
    expect(run(cache, admin, 'CLIENT', 'KILL', 'USER', RO)).toEqual([':', '1']);
    expect(ro.closed).toBe(true);
  });

  it('keeps the command rules in Redis 7.4 order (a later rule replaces an earlier one for the same command)', () => {
    const user = parseAccessString('u', '+@read -get +hget -@hash +client|id +get +client');
    expect(user.commandRules).toEqual(['+@read', '+hget', '-@hash', '+get', '+client']);
    expect(parseAccessString('u', 'allcommands -get').commandRules).toEqual(['-get']);
    expect(() => parseAccessString('u', 'allkeys ~x')).toThrow(AccessStringError);
    expect(() => parseAccessString('u', '+client|id|x')).toThrow('Allowing first-arg of a subcommand is not supported');
    expect(() => parseAccessString('u', 'on')).toThrow("Error in ACL SETUSER modifier 'on': Syntax error");
  });

  it('a refused command inside MULTI aborts the transaction', () => {
    const cache = entraCache();
    const c = cache.openClient({ name: null });
    run(cache, c, 'AUTH', RO, cache.entra!.issueToken(RO));
    expect(run(cache, c, 'MULTI')).toEqual(['-', `NOPERM User ${RO} has no permissions to run the 'multi' command`]);
    const limited = entraCache({ entra: { principals: [{ objectId: RO, accessString: '+@read +@transaction ~cache:*' }] } });
    const l = limited.openClient({ name: null });
    run(limited, l, 'AUTH', RO, limited.entra!.issueToken(RO));
    expect(run(limited, l, 'MULTI')).toEqual(['+', 'OK']);
    expect(run(limited, l, 'GET', 'x')).toEqual(['-', 'NOPERM No permissions to access a key']);
    expect(run(limited, l, 'GET', 'cache:1')).toEqual(['+', 'QUEUED']);
    expect(run(limited, l, 'EXEC')).toEqual(['-', 'EXECABORT Transaction discarded because of previous errors.']);
  });
});

// ---- live comparisons ------------------------------------------------------------------------------

/**
 * Redis 7.0's NOPERM wording, in 7.4's (known-differences: NOPERM_TEXT_7_4): `user` names the user,
 * `subject` the command or key a script was refused.
 */
function as74(reply: Typed, user: string, subject?: { cmd?: string; key?: string }): Typed {
  if (reply[0] === '-') {
    return ['-', NOPERM_TEXT_7_4(String(reply[1]), user, subject)];
  }
  if (reply[0] === '$' && typeof reply[1] === 'string' && reply[1].startsWith('This user has no permissions to ')) {
    return ['$', `User ${user} ${reply[1].slice('This user '.length)}`];
  }
  return reply;
}

describeLive('ACL decisions against a live redis-server', (redis) => {
  const tag = `amr-acl-${process.pid}-${Date.now()}`;
  const p = `${tag}:`;
  const users: Record<string, string> = {
    [`${tag}-ro`]: `+@read +@scripting +@transaction -@hash +client|id ~${p}cache:* &news*`,
    [`${tag}-rw`]: `+@all %R~${p}r:* %W~${p}w:* resetchannels`,
    [`${tag}-str`]: `-@all +@string -set +@pubsub +eval ~* &chan:*`,
    [`${tag}-all`]: '+@all ~* &*',
    [`${tag}-none`]: 'nocommands resetkeys resetchannels +ping',
  };
  let admin: RespClient;
  beforeAll(async () => {
    admin = await RespClient.connect(redis.standalone.port, redis.host);
    for (const [name, rules] of Object.entries(users)) {
      expect(await admin.call(['ACL', 'SETUSER', name, 'reset', 'on', '>pw', ...rules.split(' ')])).toEqual(['+', 'OK']);
    }
  });
  afterAll(async () => {
    await admin.call(['ACL', 'DELUSER', ...Object.keys(users)]);
    const keys = (await admin.call(['KEYS', `${p}*`]))[1] as Array<[string, string]>;
    if (keys.length > 0) await admin.call(['DEL', ...keys.map((t) => t[1])]);
    admin.close();
  });

  const cacheFor = () =>
    new ManagedRedis({
      clock: 'virtual',
      clusterPolicy: 'NoCluster',
      activeExpiry: false,
      entra: { principals: Object.entries(users).map(([objectId, accessString]) => ({ objectId, accessString })) },
    });

  type Step = { argv: string[]; script?: { cmd?: string; key?: string } };
  const steps: Step[] = [
    { argv: ['GET', `${p}cache:1`] },
    { argv: ['GET', `${p}x`] },
    { argv: ['SET', `${p}cache:1`, 'v'] },
    { argv: ['SET', `${p}w:1`, 'v'] },
    { argv: ['GET', `${p}w:1`] },
    { argv: ['GET', `${p}r:1`] },
    { argv: ['STRLEN', `${p}w:1`] },
    { argv: ['APPEND', `${p}r:1`, 'x'] },
    { argv: ['COPY', `${p}r:1`, `${p}w:2`] },
    { argv: ['COPY', `${p}w:1`, `${p}r:2`] },
    { argv: ['MGET', `${p}cache:1`, `${p}x`] },
    { argv: ['MGET', `${p}cache:1`, `${p}cache:2`] },
    { argv: ['HGET', `${p}cache:h`, 'f'] },
    { argv: ['DEL', `${p}r:1`] },
    { argv: ['EXISTS', `${p}x`] },
    { argv: ['TYPE', `${p}cache:1`] },
    { argv: ['LRANGE', `${p}w:l`, '0', '-1'] },
    { argv: ['PUBLISH', 'news1', 'm'] },
    { argv: ['PUBLISH', 'chan:1', 'm'] },
    { argv: ['PUBLISH', 'other', 'm'] },
    { argv: ['PING'] },
    { argv: ['ECHO', 'a'] },
    { argv: ['ACL', 'WHOAMI'] },
    { argv: ['CLIENT', 'GETNAME'] },
    { argv: ['EVAL', "return redis.call('GET', KEYS[1])", '1', `${p}cache:1`] },
    { argv: ['EVAL', "return redis.call('GET', KEYS[1])", '1', `${p}x`] },
    { argv: ['EVAL', `return redis.call('GET', '${p}x')`, '0'], script: { cmd: 'get', key: `${p}x` } },
    { argv: ['EVAL', `return redis.call('SET', '${p}cache:1', 'v')`, '0'], script: { cmd: 'set', key: `${p}cache:1` } },
    { argv: ['EVAL', `return redis.call('APPEND', '${p}w:9', 'v')`, '0'], script: { cmd: 'append', key: `${p}w:9` } },
  ];

  const dryruns: string[][] = [
    ['GET', `${p}cache:1`],
    ['GET', `${p}x`],
    ['SET', `${p}w:1`, 'v'],
    ['GETDEL', `${p}w:1`],
    ['GETDEL', `${p}r:1`],
    ['CLIENT', 'ID'],
    ['CLIENT', 'INFO'],
    ['SUBSCRIBE', 'news1', 'other'],
    ['SUBSCRIBE', 'chan:1'],
    ['PSUBSCRIBE', 'news*'],
    ['PSUBSCRIBE', 'news1'],
    ['PSUBSCRIBE', 'chan:*'],
    ['SSUBSCRIBE', 'chan:2'],
    ['SPUBLISH', 'news2', 'm'],
    ['UNSUBSCRIBE', 'other'],
    ['ZADD', `${p}w:z`, '1', 'a'],
    ['LMOVE', `${p}r:l`, `${p}w:l`, 'LEFT', 'RIGHT'],
    ['SORT', `${p}r:l`, 'STORE', `${p}w:s`],
    ['BITOP', 'AND', `${p}w:b`, `${p}r:b`],
    ['XADD', `${p}w:s`, '*', 'f', 'v'],
    ['OBJECT', 'ENCODING', `${p}cache:1`],
    ['FLUSHALL'],
    ['INFO'],
    ['MULTI'],
    ['EVAL', 'return 1', '1', `${p}x`],
  ];

  for (const resp of [2, 3] as const) {
    it(`commands run as each user answer as on redis-server (RESP${resp})`, async () => {
      const cache = cacheFor();
      const stale = (await admin.call(['KEYS', `${p}*`]))[1] as Array<[string, string]>;
      if (stale.length > 0) await admin.call(['DEL', ...stale.map((t) => t[1])]);
      for (const name of Object.keys(users)) {
        const live = await RespClient.connect(redis.standalone.port, redis.host);
        try {
          const hello = resp === 3 ? ['HELLO', '3', 'AUTH', name, 'pw'] : ['AUTH', name, 'pw'];
          const liveAuth = await live.call(hello);
          if (resp === 3) live.resp = 3;
          const client = cache.openClient({ name: null });
          const emuAuth = run(cache, client, ...(resp === 3 ? ['HELLO', '3', 'AUTH', name, cache.entra!.issueToken(name)] : ['AUTH', name, cache.entra!.issueToken(name)]));
          expect(emuAuth[0], `${name} auth`).toBe(liveAuth[0]);
          for (const step of steps) {
            const expected = as74(await live.call(step.argv), name, step.script);
            const actual = run(cache, client, ...step.argv);
            expect(actual, `${name}: ${step.argv.join(' ')}`).toEqual(expected);
          }
        } finally {
          live.close();
        }
      }
    });
  }

  it('ACL DRYRUN answers as on redis-server for every user × command', async () => {
    const cache = cacheFor();
    const owner = cache.openClient({ name: null });
    run(cache, owner, 'AUTH', `${tag}-all`, cache.entra!.issueToken(`${tag}-all`));
    for (const name of Object.keys(users)) {
      for (const argv of dryruns) {
        const dry = ['ACL', 'DRYRUN', name, ...argv];
        expect(run(cache, owner, ...dry), dry.join(' ')).toEqual(as74(await admin.call(dry), name));
      }
    }
  });

  it('ACL GETUSER keys, channels and flags as on redis-server; commands as 7.4 keeps them', async () => {
    const cache = cacheFor();
    const owner = cache.openClient({ name: null });
    run(cache, owner, 'AUTH', `${tag}-all`, cache.entra!.issueToken(`${tag}-all`));
    for (const name of Object.keys(users)) {
      const live = (await admin.call(['ACL', 'GETUSER', name]))[1] as Typed[];
      const emu = run(cache, owner, 'ACL', 'GETUSER', name)[1] as Typed[];
      const field = (reply: Typed[], key: string) => reply[reply.findIndex((t) => t[1] === key) + 1];
      expect(field(emu, 'keys'), `${name} keys`).toEqual(field(live, 'keys'));
      expect(field(emu, 'channels'), `${name} channels`).toEqual(field(live, 'channels'));
      expect(field(emu, 'selectors'), `${name} selectors`).toEqual(field(live, 'selectors'));
    }
    const commands = (name: string) => run(cache, owner, 'ACL', 'GETUSER', name)[1] as Typed[];
    expect(commands(`${tag}-ro`)[5]).toEqual(['$', '-@all +@read +@scripting +@transaction -@hash +client|id']);
    expect(commands(`${tag}-str`)[5]).toEqual(['$', '-@all +@string -set +@pubsub +eval']);
    expect(commands(`${tag}-none`)[5]).toEqual(['$', '-@all +ping']);
  });
});
