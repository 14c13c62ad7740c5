/**
 * Microsoft Entra ID authentication as Azure Managed Redis does it: each principal (managed
 * identity or service principal) is a Redis ACL user named by its object ID, with an access
 * string (`+@all ~* &*` by default); a connection authenticates with `AUTH <objectId> <token>`
 * and must re-AUTH with a fresh token before the token expires, or the server closes it.
 *
 * Tokens are opaque strings this module issues ({@link EntraAuth.issueToken}); they expire on the
 * cache clock, so a virtual clock drives expiry deterministically.
 */
import type { CacheCore, ClientState } from './core-types.js';
import type { Clock, TimerHandle } from './clock.js';
import type { EventBus } from './events.js';
import { AccessStringError, parseAccessString, type AclUser } from './acl/user.js';
import { WRONGPASS } from './protocol/errors.js';

/** AMR's default access policy for an Entra principal (Data Owner: full access). */
export const DEFAULT_ACCESS_STRING = '+@all ~* &*';

/** Tokens live an hour unless told otherwise (Entra access tokens live 60–90 minutes). */
const DEFAULT_TOKEN_LIFETIME_MS = 60 * 60 * 1000;

/** The longest lifetime a timer can wait for (Node's setTimeout limit, for the real clock). */
const MAX_TOKEN_LIFETIME_MS = 2 ** 31 - 1;

/** One Entra principal with access to the cache. */
export interface EntraPrincipal {
  /** The object ID of the managed identity or service principal: the Redis user name. */
  objectId: string;
  /**
   * Its access policy as a Redis ACL access string, e.g. `+@read ~cache:*` (custom access
   * policies are a preview feature on AMR). Default `+@all ~* &*`. Rules: `+cmd`, `-cmd`,
   * `+@cat`, `-@cat`, `+container|sub`, `allcommands`, `nocommands`, `~pat`, `%R~pat`, `%W~pat`,
   * `allkeys`, `resetkeys`, `&pat`, `allchannels`, `resetchannels`.
   */
  accessString?: string;
}

/** The `entra` option of {@link ManagedRedis}: Microsoft Entra ID authentication is enabled. */
export interface EntraOptions {
  /** The principals with an access policy assignment on the cache. */
  principals: readonly EntraPrincipal[];
}

/** Options of {@link EntraAuth.issueToken}. */
export interface IssueTokenOptions {
  /** How long the token is valid on the cache clock, in ms (default one hour). */
  lifetimeMs?: number;
}

/** What the server closes a connection with when its token expired without a re-AUTH. */
export class TokenExpiredError extends Error {
  readonly code = 'ECONNRESET';
  readonly errno = -104;
  readonly syscall = 'read';
  constructor(
    /** The principal whose token expired. */
    readonly objectId: string,
  ) {
    super('read ECONNRESET');
  }
}

interface IssuedToken {
  readonly objectId: string;
  readonly expiresAt: number;
}

interface Session {
  readonly objectId: string;
  readonly expiresAt: number;
  readonly timer: TimerHandle;
}

/**
 * The cache's Entra side (`cache.entra`): principals as ACL users, the tokens issued to them, and
 * the expiry of each authenticated connection's token.
 */
export class EntraAuth {
  private readonly users = new Map<string, AclUser>();
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly sessions = new Map<ClientState, Session>();
  private issued = 0;

  /** @internal */
  constructor(
    options: EntraOptions,
    private readonly clock: Clock,
    private readonly events: EventBus,
    private readonly cache: CacheCore,
  ) {
    if (typeof options !== 'object' || options === null || !Array.isArray(options.principals)) {
      throw new RangeError('entra.principals must be an array of { objectId, accessString? }');
    }
    for (const principal of options.principals) {
      const objectId = principal?.objectId;
      if (typeof objectId !== 'string' || objectId === '' || /[\s\0]/.test(objectId)) {
        throw new RangeError(`entra principal objectId must be a non-empty string without spaces (got ${String(objectId)})`);
      }
      if (objectId === 'default') throw new RangeError("entra principal objectId cannot be 'default' (the access-key user)");
      if (this.users.has(objectId)) throw new RangeError(`entra principal ${objectId} is listed twice`);
      const accessString = principal.accessString ?? DEFAULT_ACCESS_STRING;
      if (typeof accessString !== 'string') throw new RangeError(`entra principal ${objectId}: accessString must be a string`);
      try {
        this.users.set(objectId, parseAccessString(objectId, accessString));
      } catch (error) {
        if (error instanceof AccessStringError) throw new RangeError(`entra principal ${objectId}: invalid access string: ${error.message}`);
        throw error;
      }
    }
  }

  /** The principals' object IDs, in the order given. */
  get principals(): string[] {
    return Array.from(this.users.keys());
  }

  /** The ACL user of a principal, or undefined. */
  user(objectId: string): AclUser | undefined {
    return this.users.get(objectId);
  }

  /**
   * Issues a token for a principal, as Entra would for scope `https://redis.azure.com/.default`:
   * an opaque string that `AUTH <objectId> <token>` accepts until the cache clock passes its
   * expiry. Throws for an object ID that is not a principal of this cache.
   */
  issueToken(objectId: string, options: IssueTokenOptions = {}): string {
    if (!this.users.has(objectId)) throw new RangeError(`${objectId} is not an Entra principal of this cache`);
    const lifetime = options.lifetimeMs ?? DEFAULT_TOKEN_LIFETIME_MS;
    if (typeof lifetime !== 'number' || !Number.isSafeInteger(lifetime) || lifetime <= 0 || lifetime > MAX_TOKEN_LIFETIME_MS) {
      throw new RangeError(`lifetimeMs must be a positive integer up to ${MAX_TOKEN_LIFETIME_MS} (got ${String(lifetime)})`);
    }
    const expiresAt = this.clock.now() + lifetime;
    // Shaped like a JWT (header.payload.signature); the signature is only a serial number.
    const header = Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url');
    const payload = Buffer.from(JSON.stringify({ oid: objectId, aud: 'https://redis.azure.com', exp: Math.floor(expiresAt / 1000) })).toString('base64url');
    const token = `${header}.${payload}.${(++this.issued).toString(36)}`;
    this.tokens.set(token, { objectId, expiresAt });
    return token;
  }

  /** When the token a connection authenticated with expires (cache clock, ms), or null. */
  expiryOf(client: ClientState): number | null {
    return this.sessions.get(client)?.expiresAt ?? null;
  }

  /**
   * @internal AUTH as a principal: true when `username` names one (the token is then checked:
   * a wrong or expired one throws WRONGPASS); false when it names none.
   */
  authenticate(client: ClientState, username: string, password: string): boolean {
    const user = this.users.get(username);
    if (user === undefined) return false;
    const now = this.clock.now();
    const token = this.tokens.get(password);
    if (token === undefined || token.objectId !== username || token.expiresAt <= now) {
      if (this.events.wants('entra-authentication-failed')) {
        const reason = token === undefined || token.objectId !== username ? 'invalid-token' : 'token-expired';
        this.events.emit('entra-authentication-failed', now, { objectId: username, client: client.id, reason });
      }
      throw WRONGPASS;
    }
    this.endSession(client);
    client.user = user;
    client.authenticated = true;
    const timer = this.clock.setTimeout(() => this.expire(client), token.expiresAt - now);
    this.sessions.set(client, { objectId: username, expiresAt: token.expiresAt, timer });
    return true;
  }

  /** @internal The connection authenticated as someone else, or closed: its expiry no longer applies. */
  endSession(client: ClientState): void {
    const session = this.sessions.get(client);
    if (session === undefined) return;
    session.timer.cancel();
    this.sessions.delete(client);
  }

  /** The token of a connection expired without a re-AUTH: AMR disrupts the connection. */
  private expire(client: ClientState): void {
    const session = this.sessions.get(client);
    if (session === undefined) return;
    this.sessions.delete(client);
    if (client.closed) return;
    this.events.emit('entra-token-expired', this.clock.now(), { objectId: session.objectId, client: client.id });
    const error = new TokenExpiredError(session.objectId);
    if (client.disconnect !== null) client.disconnect(error);
    else this.cache.closeClient(client);
  }
}
