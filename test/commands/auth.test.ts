import { describe, expect, it } from 'vitest';
import { ManagedRedis, ReplyError } from '../../src/index.js';

const NOAUTH = 'NOAUTH Authentication required.';
const WRONGPASS = 'WRONGPASS invalid username-password pair or user is disabled.';
const HELLO_NOAUTH =
  'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time';

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ReplyError);
    return (error as Error).message;
  }
  throw new Error('expected a rejection');
}

describe('AUTH without an access key', () => {
  it('accepts any credentials, as the emulator cannot know the real key', async () => {
    const cache = new ManagedRedis({ clock: 'virtual' });
    const client = cache.createClient();
    expect(await client.auth('anything')).toBe('OK');
    expect(await client.auth('someone', 'token')).toBe('OK');
    expect(await failure(client.call('AUTH', 'a', 'b', 'c'))).toBe('ERR syntax error');
    expect(await failure(client.call('AUTH'))).toBe("ERR wrong number of arguments for 'auth' command");
    expect(await client.call('HELLO', '3', 'AUTH', 'u', 'p')).toBeTruthy();
    expect(cache.execute(['AUTH', 'x'])).toBe('OK');
    client.disconnect();
  });
});

describe('AUTH with an access key', () => {
  const make = () => new ManagedRedis({ clock: 'virtual', accessKey: 'secret-key' });

  it('refuses commands before AUTH, with lookup and arity errors first', async () => {
    const cache = make();
    const client = cache.createClient();
    expect(await failure(client.get('k'))).toBe(NOAUTH);
    expect(await failure(client.ping())).toBe(NOAUTH);
    expect(await failure(client.call('NOSUCHCOMMAND'))).toBe("ERR unknown command 'NOSUCHCOMMAND', with args beginning with: ");
    expect(await failure(client.call('GET'))).toBe("ERR wrong number of arguments for 'get' command");
    expect(await failure(client.call('MULTI'))).toBe(NOAUTH);
    // The in-process owner needs no key.
    expect(cache.execute(['SET', 'k', 'v'])).toBe('OK');
    client.disconnect();
  });

  it('AUTH with the key (as default) authenticates; anything else is WRONGPASS', async () => {
    const client = make().createClient();
    expect(await failure(client.auth('wrong'))).toBe(WRONGPASS);
    expect(await failure(client.auth('admin', 'secret-key'))).toBe(WRONGPASS);
    expect(await failure(client.get('k'))).toBe(NOAUTH);
    expect(await client.auth('secret-key')).toBe('OK');
    expect(await client.get('k')).toBeNull();
    const other = client.duplicate({ password: undefined });
    expect(await failure(other.get('k'))).toBe(NOAUTH);
    expect(await other.auth('default', 'secret-key')).toBe('OK');
    expect(await other.set('k', 'v')).toBe('OK');
    client.disconnect();
    other.disconnect();
  });

  it('HELLO needs an authenticated connection or its AUTH option, checked before the protocol changes', async () => {
    const client = make().createClient();
    expect(await failure(client.call('HELLO', '3'))).toBe(HELLO_NOAUTH);
    expect(await failure(client.call('HELLO', '3', 'AUTH', 'default', 'nope'))).toBe(WRONGPASS);
    expect(await failure(client.get('k'))).toBe(NOAUTH);
    const reply = (await client.call('HELLO', '2', 'AUTH', 'default', 'secret-key', 'SETNAME', 'app')) as unknown[];
    expect(reply.slice(0, 2)).toEqual(['server', 'redis']);
    expect(await client.client('GETNAME')).toBe('app');
    client.disconnect();
  });

  it('createClient({ password }) authenticates at connect; a wrong key is fatal to the connection', async () => {
    const cache = make();
    const good = cache.createClient({ password: 'secret-key' });
    expect(await good.set('k', 'v')).toBe('OK');
    const withUser = cache.createClient({ username: 'default', password: 'secret-key' });
    expect(await withUser.get('k')).toBe('v');
    const bad = cache.createClient({ password: 'bad', retryStrategy: () => null });
    const errors: string[] = [];
    bad.on('error', (error: Error) => errors.push(error.message));
    await new Promise<void>((resolve) => bad.once('end', () => resolve()));
    expect(errors).toEqual([WRONGPASS]);
    expect(bad.status).toBe('end');
    good.disconnect();
    withUser.disconnect();
  });

  it('refuses an empty access key at construction', () => {
    expect(() => new ManagedRedis({ accessKey: '' })).toThrow('accessKey must be a non-empty string');
  });
});
