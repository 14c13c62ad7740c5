/**
 * ROLE and WAIT, answered from the replication layer (src/replication/).
 */
import { defineCommand, type CommandContext, type CommandSpec } from './command.js';
import { parseInt64 } from '../protocol/numbers.js';
import { NOT_INTEGER, POSITIVE_RANGE, ReplyError, TIMEOUT_NEGATIVE } from '../protocol/errors.js';
import type { Reply } from '../protocol/reply.js';
import { ConditionBlockedReply } from '../blocking.js';

const WAIT_ON_REPLICA = new ReplyError(
  'ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is ' +
    'configured to be writable (which is not the default) writes to replicas are just local and are not propagated.',
);
const TIMEOUT_NOT_INTEGER = new ReplyError('ERR timeout is not an integer or out of range');
const WAITAOF_ON_REPLICA = new ReplyError(
  'ERR WAITAOF cannot be used with replica instances. Please also note that writes to replicas are just local and are not propagated.',
);
const WAITAOF_NO_AOF = new ReplyError('ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.');
const NUMLOCAL_RANGE = new ReplyError('ERR value is out of range, value must between 0 and 1');

/** The replica shard the command runs on (a replica view), or null on a primary. */
function replicaShard(ctx: CommandContext): number | null {
  return ctx.cache.replication?.replicaOf(ctx.db) ?? null;
}

const role = defineCommand({
  name: 'role',
  arity: 1,
  flags: ['noscript', 'loading', 'stale', 'fast'],
  exec(ctx): Reply {
    const replication = ctx.cache.replication;
    const topology = ctx.cache.topology;
    const asReplica = replicaShard(ctx);
    if (asReplica !== null && replication !== undefined) {
      const status = replication.status(asReplica);
      const primary = topology.nodes[status.primaryNode];
      return ['slave', primary.ip, primary.port, 'connected', status.replicaOffset];
    }
    if (replication === undefined) return ['master', 0, []];
    const status = replication.status(ctx.shard.index);
    const replicas: Reply[] = [];
    if (status.replicaState === 'online' && status.replicaNode !== null) {
      const node = topology.nodes[status.replicaNode];
      replicas.push([node.ip, String(node.port), String(status.replicaOffset)]);
    }
    return ['master', status.primaryOffset, replicas];
  },
});

const wait = defineCommand({
  name: 'wait',
  arity: 3,
  flags: ['blocking'],
  exec(ctx, argv): Reply {
    if (replicaShard(ctx) !== null) throw WAIT_ON_REPLICA;
    const wanted = parseInt64(argv[1]);
    if (wanted === null) throw NOT_INTEGER;
    const timeout = parseInt64(argv[2]);
    if (timeout === null) throw TIMEOUT_NOT_INTEGER;
    if (timeout < 0) throw TIMEOUT_NEGATIVE;
    const replication = ctx.cache.replication;
    if (replication === undefined) return 0;
    // The offsets this connection's writes reached, per shard, as of now (Redis's c->woff).
    const targets = replication.writeOffsets(ctx.client);
    const acked = replication.acknowledgedAt(ctx.client, targets);
    // Redis answers at once when enough replicas acknowledged, and when the connection may not
    // block (MULTI/EXEC, scripts, and here the synchronous facade): CLIENT_DENY_BLOCKING.
    if (acked >= wanted || !ctx.client.canBlock) return acked;
    const client = ctx.client;
    const count = (): number => replication.acknowledgedAt(client, targets);
    return new ConditionBlockedReply(
      timeout === 0 ? 0 : ctx.now + Number(timeout),
      () => {
        const n = count();
        return n >= wanted ? n : null;
      },
      count,
    ) as unknown as Reply;
  },
});

/**
 * WAITAOF numlocal numreplicas timeout: how many copies wrote this connection's writes to their
 * AOF. The local AOF (`appendonly yes`: AMR persistence with AOF) is modelled as written at once
 * (no fsync delay); a replica has written what it applied, when AOF is on (it is on for every
 * shard or none). With AOF off a replica never acknowledges (Redis's fsynced offset stays -1).
 */
const waitaof = defineCommand({
  name: 'waitaof',
  arity: 4,
  flags: ['blocking'],
  exec(ctx, argv): Reply {
    const numlocal = parseInt64(argv[1]);
    if (numlocal === null) throw NOT_INTEGER;
    if (numlocal < 0 || numlocal > 1) throw NUMLOCAL_RANGE;
    const numreplicas = parseInt64(argv[2]);
    if (numreplicas === null) throw NOT_INTEGER;
    if (numreplicas < 0) throw POSITIVE_RANGE;
    const timeout = parseInt64(argv[3]);
    if (timeout === null) throw TIMEOUT_NOT_INTEGER;
    if (timeout < 0) throw TIMEOUT_NEGATIVE;
    if (replicaShard(ctx) !== null) throw WAITAOF_ON_REPLICA;
    const aof = ctx.cache.settings.get('appendonly') === 'yes';
    if (numlocal > 0 && !aof) throw WAITAOF_NO_AOF;
    const local = aof ? 1 : 0;
    const replication = ctx.cache.replication;
    if (!aof || replication === undefined) {
      // Nothing can change: answer now, or wait out the timeout for replicas that never ack.
      if (numreplicas <= 0 || !ctx.client.canBlock) return [local, 0];
      return new ConditionBlockedReply(timeout === 0 ? 0 : ctx.now + Number(timeout), () => null, () => [local, 0]) as unknown as Reply;
    }
    const targets = replication.writeOffsets(ctx.client);
    const client = ctx.client;
    const count = (): number => replication.acknowledgedAt(client, targets);
    const acked = count();
    if (acked >= numreplicas || !client.canBlock) return [local, acked];
    return new ConditionBlockedReply(
      timeout === 0 ? 0 : ctx.now + Number(timeout),
      () => {
        const n = count();
        return n >= numreplicas ? [local, n] : null;
      },
      () => [local, count()],
    ) as unknown as Reply;
  },
});

/** ROLE, WAIT and WAITAOF. */
export const replicationCommands: CommandSpec[] = [role, wait, waitaof];
