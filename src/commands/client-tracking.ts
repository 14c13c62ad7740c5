/**
 * CLIENT TRACKING, CLIENT CACHING, CLIENT TRACKINGINFO (client-side caching, src/tracking.ts) and
 * CLIENT REPLY, with Redis 7.4's checks in its order (clientCommand in networking.c). CLIENT
 * GETREDIR stays undeclared: AMR does not offer it.
 */
import { defineCommand } from './command.js';
import { isOption, keyName, keyReply } from '../keyspace/bytes.js';
import { parseInt64 } from '../protocol/numbers.js';
import { ReplyError, SYNTAX } from '../protocol/errors.js';
import { MapReply, NO_REPLY, OK, SetReply } from '../protocol/reply.js';
import { trackingOf, type TrackingOptions } from '../tracking.js';
import { executingTransaction } from '../transactions.js';

const NOT_INTEGER = new ReplyError('ERR value is not an integer or out of range');
const SINGLE_REDIRECT = new ReplyError('ERR A client can only redirect to a single other client');
const NO_REDIRECT_TARGET = new ReplyError('ERR The client ID you want redirect to does not exist');
const PREFIX_NEEDS_BCAST = new ReplyError('ERR PREFIX option requires BCAST mode to be enabled');
const BCAST_SWITCH = new ReplyError(
  "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.",
);
const OPTIN_OPTOUT_BCAST = new ReplyError('ERR OPTIN and OPTOUT are not compatible with BCAST');
const OPTIN_AND_OPTOUT = new ReplyError("ERR You can't specify both OPTIN mode and OPTOUT mode");
const OPT_SWITCH = new ReplyError(
  "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.",
);
const CACHING_NOT_TRACKING = new ReplyError(
  'ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled',
);
const CACHING_YES_NEEDS_OPTIN = new ReplyError('ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.');
const CACHING_NO_NEEDS_OPTOUT = new ReplyError('ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.');

function overlap(prefix: string, other: string, existing: boolean): ReplyError {
  const shown = (p: string): string => Buffer.from(p, 'latin1').toString('utf8');
  return new ReplyError(
    `ERR Prefix '${shown(prefix)}' overlaps with ${existing ? 'an existing prefix' : 'another provided prefix'} '${shown(other)}'. ` +
      'Prefixes for a single client must not overlap.',
  );
}

/** One prefix is a prefix of the other (Redis's stringCheckPrefix). */
function overlaps(a: string, b: string): boolean {
  return a.length <= b.length ? b.startsWith(a) : a.startsWith(b);
}

const clientTracking = defineCommand({
  name: 'client|tracking',
  arity: -3,
  flags: ['noscript', 'loading', 'stale'],
  exec(ctx, argv) {
    const options: TrackingOptions = { redirect: 0, bcast: false, optin: false, optout: false, noloop: false, prefixes: [] };
    const prefixes: string[] = [];
    for (let j = 3; j < argv.length; j++) {
      const more = j < argv.length - 1;
      if (isOption(argv[j], 'redirect') && more) {
        j++;
        if (options.redirect !== 0) throw SINGLE_REDIRECT;
        const id = parseInt64(argv[j]);
        if (id === null) throw NOT_INTEGER;
        // The target must exist now (it may go later: the redirect then breaks).
        const target = ctx.cache.clients.get(Number(id));
        if (target === undefined || target.closed) throw NO_REDIRECT_TARGET;
        options.redirect = Number(id);
      } else if (isOption(argv[j], 'bcast')) options.bcast = true;
      else if (isOption(argv[j], 'optin')) options.optin = true;
      else if (isOption(argv[j], 'optout')) options.optout = true;
      else if (isOption(argv[j], 'noloop')) options.noloop = true;
      else if (isOption(argv[j], 'prefix') && more) prefixes.push(keyName(argv[++j]));
      else throw SYNTAX;
    }
    const client = ctx.client;
    if (isOption(argv[2], 'off')) {
      ctx.cache.tracking?.disable(client);
      return OK;
    }
    if (!isOption(argv[2], 'on')) throw SYNTAX;
    const state = client.tracking;
    if (!options.bcast && prefixes.length > 0) throw PREFIX_NEEDS_BCAST;
    if (state !== null && state.bcast !== options.bcast) throw BCAST_SWITCH;
    if (options.bcast && (options.optin || options.optout)) throw OPTIN_OPTOUT_BCAST;
    if (options.optin && options.optout) throw OPTIN_AND_OPTOUT;
    if (state !== null && ((options.optin && state.optout) || (options.optout && state.optin))) throw OPT_SWITCH;
    let overlapError: ReplyError | null = null;
    if (options.bcast) {
      // Redis's checkPrefixCollisionsOrReply, which returns the index of a clash between two new
      // prefixes: past the first prefix that reads as success, so Redis enables tracking and
      // answers the error and then OK. The emulator answers the error and enables tracking.
      for (let i = 0; i < prefixes.length && overlapError === null; i++) {
        for (const existing of state?.prefixes ?? []) {
          if (overlaps(existing, prefixes[i])) throw overlap(prefixes[i], existing, true);
        }
        for (let k = i + 1; k < prefixes.length; k++) {
          if (!overlaps(prefixes[i], prefixes[k])) continue;
          if (i === 0) throw overlap(prefixes[i], prefixes[k], false);
          overlapError = overlap(prefixes[i], prefixes[k], false);
          break;
        }
      }
    }
    options.prefixes = prefixes;
    trackingOf(ctx.cache).enable(client, options);
    if (overlapError !== null) throw overlapError;
    return OK;
  },
});

const clientCaching = defineCommand({
  name: 'client|caching',
  arity: 3,
  flags: ['noscript', 'loading', 'stale'],
  exec(ctx, argv) {
    const state = ctx.client.tracking;
    if (state === null) throw CACHING_NOT_TRACKING;
    if (isOption(argv[2], 'yes')) {
      if (!state.optin) throw CACHING_YES_NEEDS_OPTIN;
    } else if (isOption(argv[2], 'no')) {
      if (!state.optout) throw CACHING_NO_NEEDS_OPTOUT;
    } else {
      throw SYNTAX;
    }
    // Spent after the next command that is not a CLIENT subcommand (src/tracking.ts).
    state.caching = true;
    return OK;
  },
});

const clientTrackinginfo = defineCommand({
  name: 'client|trackinginfo',
  arity: 2,
  flags: ['noscript', 'loading', 'stale'],
  exec(ctx) {
    const state = ctx.client.tracking;
    const flags: string[] = [state === null ? 'off' : 'on'];
    if (state !== null) {
      if (state.bcast) flags.push('bcast');
      if (state.optin) flags.push('optin');
      if (state.optin && state.caching) flags.push('caching-yes');
      if (state.optout) flags.push('optout');
      if (state.optout && state.caching) flags.push('caching-no');
      if (state.noloop) flags.push('noloop');
      if (state.brokenRedirect) flags.push('broken_redirect');
    }
    const prefixes = state === null ? [] : [...state.prefixes].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(keyReply);
    return new MapReply([
      ['flags', new SetReply(flags)],
      ['redirect', state === null ? -1 : state.redirect],
      ['prefixes', prefixes],
    ]);
  },
});

/**
 * CLIENT REPLY ON | OFF | SKIP. OFF and SKIP answer nothing themselves; dispatch withholds the
 * replies that follow (see ClientState.replyMode). Inside EXEC, where Redis would leave a gap in
 * EXEC's array, the emulator answers OK there and the mode applies from the next command.
 */
const clientReply = defineCommand({
  name: 'client|reply',
  arity: 3,
  flags: ['noscript', 'loading', 'stale'],
  exec(ctx, argv) {
    const client = ctx.client;
    if (isOption(argv[2], 'on')) {
      client.replyMode = 'on';
      return OK;
    }
    if (isOption(argv[2], 'off')) client.replyMode = 'off';
    else if (isOption(argv[2], 'skip')) {
      // The next top-level command turns `skip-next` into `skip` (dispatch).
      if (client.replyMode !== 'off') client.replyMode = 'skip-next';
    } else throw SYNTAX;
    return executingTransaction(client) ? OK : NO_REPLY;
  },
});

export const clientTrackingCommands = [clientTracking, clientCaching, clientTrackinginfo, clientReply];
