/**
 * Pub/sub commands: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, SSUBSCRIBE,
 * SUNSUBSCRIBE, SPUBLISH and PUBSUB CHANNELS / NUMSUB / NUMPAT / SHARDCHANNELS / SHARDNUMSUB / HELP.
 *
 * Shard channels are declared with key positions (as Redis's `not_key` key specs), so dispatch
 * applies the slot rules to them: under OSS and Enterprise every channel of one SSUBSCRIBE must
 * hash to one slot (else CROSSSLOT); NoCluster has no such rule. The semantics live in
 * src/pubsub.ts.
 */
import { defineCommand, defineContainer, type CommandSpec } from './command.js';
import { keyName, text, type Bytes } from '../keyspace/bytes.js';
import {
  activeChannels,
  hubOf,
  patternCount,
  publish as publishMessage,
  existingHub,
  subscriberCounts,
} from '../pubsub.js';
import { executingTransaction } from '../transactions.js';
import { ReplyError } from '../protocol/errors.js';
import { StatusReply, type Reply } from '../protocol/reply.js';

const SSUBSCRIBE_DENIED = new ReplyError("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");

const subscribe = defineCommand({
  name: 'subscribe',
  arity: -2,
  flags: ['pubsub', 'noscript', 'loading', 'stale'],
  exec(ctx, argv) {
    return hubOf(ctx.cache).subscribe(ctx.client, 'channel', argv.slice(1));
  },
});

const unsubscribe = defineCommand({
  name: 'unsubscribe',
  arity: -1,
  flags: ['pubsub', 'noscript', 'loading', 'stale'],
  exec(ctx, argv) {
    return hubOf(ctx.cache).unsubscribe(ctx.client, 'channel', argv.slice(1));
  },
});

const psubscribe = defineCommand({
  name: 'psubscribe',
  arity: -2,
  flags: ['pubsub', 'noscript', 'loading', 'stale'],
  exec(ctx, argv) {
    return hubOf(ctx.cache).subscribe(ctx.client, 'pattern', argv.slice(1));
  },
});

const punsubscribe = defineCommand({
  name: 'punsubscribe',
  arity: -1,
  flags: ['pubsub', 'noscript', 'loading', 'stale'],
  exec(ctx, argv) {
    return hubOf(ctx.cache).unsubscribe(ctx.client, 'pattern', argv.slice(1));
  },
});

const ssubscribe = defineCommand({
  name: 'ssubscribe',
  arity: -2,
  flags: ['pubsub', 'noscript', 'loading', 'stale'],
  keys: { first: 1, last: -1, step: 1 },
  exec(ctx, argv) {
    // Redis refuses SSUBSCRIBE from a client that may not block, which EXEC makes every client
    // (SUBSCRIBE and PSUBSCRIBE keep an exception for MULTI).
    if (executingTransaction(ctx.client)) throw SSUBSCRIBE_DENIED;
    return hubOf(ctx.cache).subscribe(ctx.client, 'shard', argv.slice(1));
  },
});

const sunsubscribe = defineCommand({
  name: 'sunsubscribe',
  arity: -1,
  flags: ['pubsub', 'noscript', 'loading', 'stale'],
  keys: { first: 1, last: -1, step: 1 },
  exec(ctx, argv) {
    return hubOf(ctx.cache).unsubscribe(ctx.client, 'shard', argv.slice(1));
  },
});

const publish = defineCommand({
  name: 'publish',
  arity: 3,
  flags: ['pubsub', 'loading', 'stale', 'fast'],
  exec(ctx, argv) {
    return publishMessage(ctx.cache, keyName(argv[1]), argv[2]);
  },
});

const spublish = defineCommand({
  name: 'spublish',
  arity: 3,
  flags: ['pubsub', 'loading', 'stale', 'fast'],
  keys: { first: 1, last: 1, step: 1 },
  exec(ctx, argv) {
    const hub = existingHub(ctx.cache);
    return hub === undefined ? 0 : hub.spublish(keyName(argv[1]), argv[2]);
  },
});

// ---------------------------------------------------------------------------------------------
// PUBSUB

const PUBSUB_HELP = [
  'PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
  'HELP',
  '    Print this help.',
];

/** CHANNELS and SHARDCHANNELS take one optional pattern; more is the container's arity error. */
function channelsCommand(name: string, shard: boolean): CommandSpec {
  return defineCommand({
    name,
    arity: -2,
    flags: ['pubsub', 'loading', 'stale'],
    exec(ctx, argv) {
      if (argv.length > 3) throw subcommandSyntax(argv[1]);
      return activeChannels(ctx.cache, ctx.client, shard, argv.length === 3 ? argv[2] : undefined);
    },
  });
}

/** Redis checks that count itself: `ERR unknown subcommand or wrong number of arguments for 'channels'. Try PUBSUB HELP.` */
function subcommandSyntax(sub: Bytes): ReplyError {
  const echoed = text(sub).slice(0, 128).replace(/[\r\n]/g, ' ');
  return new ReplyError(`ERR unknown subcommand or wrong number of arguments for '${echoed}'. Try PUBSUB HELP.`);
}

const pubsubChannels = channelsCommand('pubsub|channels', false);
const pubsubShardChannels = channelsCommand('pubsub|shardchannels', true);

const pubsubNumsub = defineCommand({
  name: 'pubsub|numsub',
  arity: -2,
  flags: ['pubsub', 'loading', 'stale'],
  exec(ctx, argv) {
    return subscriberCounts(ctx.cache, false, argv.slice(2));
  },
});

const pubsubShardNumsub = defineCommand({
  name: 'pubsub|shardnumsub',
  arity: -2,
  flags: ['pubsub', 'loading', 'stale'],
  exec(ctx, argv) {
    return subscriberCounts(ctx.cache, true, argv.slice(2));
  },
});

const pubsubNumpat = defineCommand({
  name: 'pubsub|numpat',
  arity: 2,
  flags: ['pubsub', 'loading', 'stale'],
  exec(ctx) {
    return patternCount(ctx.cache);
  },
});

const pubsubHelp = defineCommand({
  name: 'pubsub|help',
  arity: 2,
  flags: ['loading', 'stale'],
  exec(): Reply {
    return PUBSUB_HELP.map((line) => new StatusReply(line));
  },
});

const pubsub = defineContainer('pubsub', -2, [], [
  pubsubChannels,
  pubsubNumsub,
  pubsubNumpat,
  pubsubShardChannels,
  pubsubShardNumsub,
  pubsubHelp,
]);

export const pubsubCommands: readonly CommandSpec[] = [
  subscribe,
  unsubscribe,
  psubscribe,
  punsubscribe,
  ssubscribe,
  sunsubscribe,
  publish,
  spublish,
  pubsub,
];
