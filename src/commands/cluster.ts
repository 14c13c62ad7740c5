/**
 * CLUSTER, answered from the emulated topology the way an AMR cache answers it.
 *
 * - OSS policy: the read-only subcommands answer like Redis 7.4 in cluster mode, with the cluster
 *   seen as AMR's OSS Cluster API shows it: one endpoint per node (`ip:85xx`) serving the slots of
 *   every primary shard on that node, all "master", no replica rows (azure-facts §2.2: Redis
 *   Enterprise's OSS Cluster API exposes one proxy per node holding primaries; replicas are not
 *   readable — READONLY is not supported — and AMR's observed topology lists primaries only).
 *   Failovers show: a node endpoint whose primary shard has no serving primary is `failed`
 *   (CLUSTER SHARDS `health`, CLUSTER NODES `fail` flag and `disconnected` link) and its slots
 *   count as failed in CLUSTER INFO (`cluster_state:fail`); once promoted, the slots move to the
 *   replica's node. CLUSTER SHARDS `replication-offset` is the sum of the node's primaries'
 *   `master_repl_offset`.
 * - Enterprise policy: AMR does not support cluster commands there (CLIB, ARM); every CLUSTER
 *   subcommand answers `ERR unknown command 'CLUSTER', with args beginning with: …`, the text
 *   AMR gives for blocked commands.
 * - NoCluster: a non-clustered Redis: `ERR This instance has cluster support disabled`.
 * - The subcommands AMR blocks under every policy (the slot/node management ones, and the
 *   read-only ones Redis Enterprise does not implement: LINKS, REPLICAS, SLAVES,
 *   COUNT-FAILURE-REPORTS, MYSHARDID) answer the unknown-command error too.
 *
 * Arity and unknown-subcommand errors come first, from dispatch, as in Redis — except under
 * Enterprise, where the declaration's `blocked` makes every CLUSTER call an unknown command.
 */
import { defineCommand, defineContainer, type CommandContext, type CommandFlag, type CommandSpec } from './command.js';
import { keyName, keyReply, type Bytes } from '../keyspace/bytes.js';
import { slotOfName, SLOT_COUNT } from '../cluster/slots.js';
import { endpointNodes, nodeForAddress, nodeSlotRanges, type NodeInfo } from '../cluster/topology.js';
import {
  CLUSTER_DISABLED,
  INVALID_SLOT,
  INVALID_SLOT_OR_KEYS,
  NOT_INTEGER,
  unknownCommand,
} from '../protocol/errors.js';
import { parseInt64 } from '../protocol/numbers.js';
import { MapReply, VerbatimReply, status, type Reply } from '../protocol/reply.js';

/** The Redis 7.4 CLUSTER HELP text (cluster.c, then cluster_legacy.c's extended help). */
const HELP_LINES: readonly string[] = [
  'CLUSTER <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'COUNTKEYSINSLOT <slot>',
  '    Return the number of keys in <slot>.',
  'GETKEYSINSLOT <slot> <count>',
  '    Return key names stored by current node in a slot.',
  'INFO',
  '    Return information about the cluster.',
  'KEYSLOT <key>',
  '    Return the hash slot for <key>.',
  'MYID',
  '    Return the node id.',
  'MYSHARDID',
  "    Return the node's shard id.",
  'NODES',
  '    Return cluster configuration seen by node. Output format:',
  '    <id> <ip:port@bus-port[,hostname]> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...',
  'REPLICAS <node-id>',
  '    Return <node-id> replicas.',
  'SLOTS',
  '    Return information about slots range mappings. Each range is made of:',
  '    start, end, master and replicas IP addresses, ports and ids',
  'SHARDS',
  '    Return information about slot range mappings and the nodes associated with them.',
  'ADDSLOTS <slot> [<slot> ...]',
  '    Assign slots to current node.',
  'ADDSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]',
  '    Assign slots which are between <start-slot> and <end-slot> to current node.',
  'BUMPEPOCH',
  '    Advance the cluster config epoch.',
  'COUNT-FAILURE-REPORTS <node-id>',
  '    Return number of failure reports for <node-id>.',
  'DELSLOTS <slot> [<slot> ...]',
  '    Delete slots information from current node.',
  'DELSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]',
  '    Delete slots information which are between <start-slot> and <end-slot> from current node.',
  'FAILOVER [FORCE|TAKEOVER]',
  '    Promote current replica node to being a master.',
  'FORGET <node-id>',
  '    Remove a node from the cluster.',
  'FLUSHSLOTS',
  '    Delete current node own slots information.',
  'MEET <ip> <port> [<bus-port>]',
  '    Connect nodes into a working cluster.',
  'REPLICATE <node-id>',
  '    Configure current node as replica to <node-id>.',
  'RESET [HARD|SOFT]',
  '    Reset current node (default: soft).',
  'SET-CONFIG-EPOCH <epoch>',
  '    Set config epoch of current node.',
  'SETSLOT <slot> (IMPORTING <node-id>|MIGRATING <node-id>|STABLE|NODE <node-id>)',
  '    Set slot state.',
  'SAVECONFIG',
  '    Force saving cluster configuration on disk.',
  'LINKS',
  '    Return information about all network links between this node and its peers.',
  '    Output format is an array where each array element is a map containing attributes of a link',
  'HELP',
  '    Print this help.',
];

/** AMR's answer to a CLUSTER call it does not serve: Redis's unknown-command error for the whole call. */
function blocked(argv: readonly Bytes[]): never {
  const name = typeof argv[0] === 'string' ? argv[0] : argv[0].toString('utf8');
  throw unknownCommand(name, argv.slice(1).map(String));
}

/** The policy gate of the subcommands AMR serves under the OSS policy. */
function requireOss(ctx: CommandContext, argv: readonly Bytes[]): void {
  const policy = ctx.cache.policy;
  if (policy === 'OSS') return;
  if (policy === 'NoCluster') throw CLUSTER_DISABLED;
  blocked(argv);
}

/** A read-only subcommand served under the OSS policy. */
function served(
  sub: string,
  arity: number,
  flags: readonly CommandFlag[],
  answer: (ctx: CommandContext, argv: readonly Bytes[]) => Reply,
): CommandSpec {
  return defineCommand({
    name: `cluster|${sub}`,
    arity,
    flags,
    exec(ctx, argv) {
      requireOss(ctx, argv);
      return answer(ctx, argv);
    },
  });
}

/** A subcommand AMR blocks whatever the policy (declared so COMMAND INFO and arity match Redis). */
function blockedSub(sub: string, arity: number, flags: readonly CommandFlag[]): CommandSpec {
  return defineCommand({ name: `cluster|${sub}`, arity, flags, exec: (_ctx, argv) => blocked(argv) });
}

/** The endpoint node the connection is talking to ("myself"). */
function myself(ctx: CommandContext): NodeInfo {
  const topology = ctx.cache.topology;
  return topology.nodes[nodeForAddress(topology, ctx.client.laddr)];
}

/** A slot argument: an integer (else NOT_INTEGER), or -1 when it is outside 0–16383. */
function slotArg(arg: Bytes): number {
  const n = parseInt64(arg);
  if (n === null) throw NOT_INTEGER;
  return typeof n === 'number' && n >= 0 && n < SLOT_COUNT ? n : -1;
}

/** Keys in the owning shard's keyspace whose slot is `slot`, up to `limit`. */
function keysInSlot(ctx: CommandContext, slot: number, limit: number): string[] {
  const keys: string[] = [];
  if (limit <= 0) return keys;
  for (const key of ctx.cache.shardForSlot(slot).keyspace.keys()) {
    if (slotOfName(key) === slot) {
      keys.push(key);
      if (keys.length >= limit) break;
    }
  }
  return keys;
}

function rangeText(range: [number, number]): string {
  return range[0] === range[1] ? String(range[0]) : `${range[0]}-${range[1]}`;
}

/** True when every primary shard on the node serves (no failover in progress, not lost). */
function nodeHealthy(ctx: CommandContext, node: NodeInfo): boolean {
  const replication = ctx.cache.replication;
  if (replication === undefined) return true;
  return node.primaryShards.every((s) => replication.status(s).state === 'up');
}

/** The stream offsets of the node's primaries, summed (one endpoint serves them all). */
function nodeOffset(ctx: CommandContext, node: NodeInfo): number {
  const replication = ctx.cache.replication;
  if (replication === undefined) return 0;
  let offset = 0;
  for (const s of node.primaryShards) offset += replication.status(s).primaryOffset;
  return offset;
}

/** The cluster bus port Redis would print in CLUSTER NODES (`port + 10000`; AMR has no bus). */
function busPort(node: NodeInfo): number {
  return node.port + 10000;
}

const help = served('help', 2, ['loading', 'stale'], () => HELP_LINES.map((line) => status(line)));

const info = served('info', 2, ['stale'], (ctx) => {
  const topology = ctx.cache.topology;
  const endpoints = endpointNodes(topology);
  const me = myself(ctx);
  let failed = 0;
  for (const node of endpoints) {
    if (nodeHealthy(ctx, node)) continue;
    for (const [start, end] of nodeSlotRanges(topology, node.index)) failed += end - start + 1;
  }
  const lines = [
    `cluster_state:${failed === 0 ? 'ok' : 'fail'}`,
    `cluster_slots_assigned:${SLOT_COUNT}`,
    `cluster_slots_ok:${SLOT_COUNT - failed}`,
    'cluster_slots_pfail:0',
    `cluster_slots_fail:${failed}`,
    `cluster_known_nodes:${endpoints.length}`,
    `cluster_size:${endpoints.length}`,
    `cluster_current_epoch:${endpoints.length}`,
    `cluster_my_epoch:${endpoints.indexOf(me) + 1}`,
    'cluster_stats_messages_sent:0',
    'cluster_stats_messages_received:0',
    'total_cluster_links_buffer_limit_exceeded:0',
  ];
  return new VerbatimReply('txt', lines.join('\r\n') + '\r\n');
});

const keyslot = served('keyslot', 3, ['stale'], (_ctx, argv) => slotOfName(keyName(argv[2])));

const nodes = served('nodes', 2, ['stale'], (ctx) => {
  const topology = ctx.cache.topology;
  const me = myself(ctx);
  let text = '';
  endpointNodes(topology).forEach((node, position) => {
    const isMe = node === me;
    const healthy = nodeHealthy(ctx, node);
    const slots = nodeSlotRanges(topology, node.index).map(rangeText).join(' ');
    const flags = (isMe ? 'myself,master' : 'master') + (healthy ? '' : ',fail');
    text +=
      `${node.id} ${node.ip}:${node.port}@${busPort(node)} ${flags} - ` +
      `0 ${isMe ? 0 : ctx.now} ${position + 1} ${healthy ? 'connected' : 'disconnected'}${slots === '' ? '' : ' ' + slots}\n`;
  });
  return new VerbatimReply('txt', text);
});

const slots = served('slots', 2, ['loading', 'stale'], (ctx) => {
  const topology = ctx.cache.topology;
  const rows: Array<{ start: number; end: number; node: NodeInfo }> = [];
  for (const node of endpointNodes(topology)) {
    for (const [start, end] of nodeSlotRanges(topology, node.index)) rows.push({ start, end, node });
  }
  rows.sort((a, b) => a.start - b.start);
  return rows.map(({ start, end, node }) => [start, end, [node.ip, node.port, node.id, new MapReply([])]]);
});

const shards = served('shards', 2, ['loading', 'stale'], (ctx) => {
  const topology = ctx.cache.topology;
  return endpointNodes(topology).map(
    (node) =>
      new MapReply([
        ['slots', nodeSlotRanges(topology, node.index).flat()],
        [
          'nodes',
          [
            new MapReply([
              ['id', node.id],
              ['port', node.port],
              ['ip', node.ip],
              ['endpoint', node.ip],
              ['role', 'master'],
              ['replication-offset', nodeOffset(ctx, node)],
              ['health', nodeHealthy(ctx, node) ? 'online' : 'failed'],
            ]),
          ],
        ],
      ]),
  );
});

const myid = served('myid', 2, ['stale'], (ctx) => myself(ctx).id);

const countkeysinslot = served('countkeysinslot', 3, ['stale'], (ctx, argv) => {
  const slot = slotArg(argv[2]);
  if (slot < 0) throw INVALID_SLOT;
  return keysInSlot(ctx, slot, Infinity).length;
});

const getkeysinslot = served('getkeysinslot', 4, ['stale'], (ctx, argv) => {
  const slot = slotArg(argv[2]);
  const count = parseInt64(argv[3]);
  if (count === null) throw NOT_INTEGER;
  if (slot < 0 || count < 0) throw INVALID_SLOT_OR_KEYS;
  return keysInSlot(ctx, slot, Number(count)).map(keyReply);
});

const ADMIN: readonly CommandFlag[] = ['admin', 'stale', 'no_async_loading'];

/** Every CLUSTER subcommand of Redis 7.4, with its COMMAND INFO arity and flags. */
export const clusterSubcommands: readonly CommandSpec[] = [
  help,
  info,
  keyslot,
  nodes,
  slots,
  shards,
  myid,
  countkeysinslot,
  getkeysinslot,
  blockedSub('myshardid', 2, ['stale']),
  blockedSub('links', 2, ['stale']),
  blockedSub('replicas', 3, ['admin', 'stale']),
  blockedSub('slaves', 3, ['admin', 'stale']),
  blockedSub('count-failure-reports', 3, ['admin', 'stale']),
  blockedSub('addslots', -3, ADMIN),
  blockedSub('addslotsrange', -4, ADMIN),
  blockedSub('bumpepoch', 2, ADMIN),
  blockedSub('delslots', -3, ADMIN),
  blockedSub('delslotsrange', -4, ADMIN),
  blockedSub('failover', -2, ADMIN),
  blockedSub('flushslots', 2, ADMIN),
  blockedSub('forget', 3, ADMIN),
  blockedSub('meet', -4, ADMIN),
  blockedSub('replicate', 3, ADMIN),
  blockedSub('reset', -2, ['admin', 'noscript', 'stale']),
  blockedSub('saveconfig', 2, ADMIN),
  blockedSub('set-config-epoch', 3, ADMIN),
  blockedSub('setslot', -4, ADMIN),
];

/** The subcommands AMR answers (under the OSS policy). */
export const SERVED_CLUSTER_SUBCOMMANDS: readonly string[] = [
  'help',
  'info',
  'keyslot',
  'nodes',
  'slots',
  'shards',
  'myid',
  'countkeysinslot',
  'getkeysinslot',
];

export const clusterCommands: CommandSpec[] = [
  // Under Enterprise AMR has no CLUSTER at all: unknown command before any arity/subcommand check.
  { ...defineContainer('cluster', -2, [], clusterSubcommands), blocked: (cache) => cache.policy === 'Enterprise' },
];
