/**
 * Cluster endpoints over TCP: with `listen({ cluster: true })` (OSS policy) every node of the
 * emulated topology gets its own listening port, and the replies that name node endpoints
 * (CLUSTER SLOTS, CLUSTER SHARDS, CLUSTER NODES) name those ports instead of AMR's `ip:85xx`, so a
 * cluster-aware client (node-redis `createCluster`, ioredis `Cluster`) connects to endpoints that
 * exist. Nothing else changes: the emulator runs every command whatever node it arrives on (no
 * MOVED), and a connection to a node's port covers that node's shards for whole-database commands.
 */
import type { Bytes } from '../keyspace/bytes.js';
import { MapReply, VerbatimReply, type Reply } from '../protocol/reply.js';

/** Where an emulated node endpoint really listens. */
export interface ListeningEndpoint {
  host: string;
  port: number;
}

/** Emulated `ip:port` of a node → where it listens. */
export type EndpointMap = ReadonlyMap<string, ListeningEndpoint>;

/** True for the CLUSTER subcommands whose replies name node endpoints. */
export function namesEndpoints(argv: readonly Bytes[]): boolean {
  if (argv.length !== 2) return false;
  const name = String(argv[0]).toLowerCase();
  if (name !== 'cluster') return false;
  const sub = String(argv[1]).toLowerCase();
  return sub === 'slots' || sub === 'shards' || sub === 'nodes';
}

/** The reply of CLUSTER SLOTS / SHARDS / NODES with every emulated endpoint replaced by its listening one. */
export function rewriteEndpoints(reply: Reply, endpoints: EndpointMap): Reply {
  if (reply instanceof VerbatimReply) {
    // CLUSTER NODES: `<id> <ip>:<port>@<bus> …` per line.
    const text = reply.text.replace(/ (\S+):(\d+)@(\d+) /g, (whole, ip: string, port: string, bus: string) => {
      const to = endpoints.get(`${ip}:${port}`);
      return to === undefined ? whole : ` ${to.host}:${to.port}@${Number(bus) - Number(port) + to.port} `;
    });
    return new VerbatimReply(reply.format, text);
  }
  if (!Array.isArray(reply)) return reply;
  return reply.map((item) => rewriteItem(item, endpoints));
}

function rewriteItem(item: Reply, endpoints: EndpointMap): Reply {
  if (Array.isArray(item)) {
    // CLUSTER SLOTS node entry: [ip, port, id, metadata].
    if (typeof item[0] === 'string' && typeof item[1] === 'number') {
      const to = endpoints.get(`${item[0]}:${item[1]}`);
      if (to !== undefined) return [to.host, to.port, ...item.slice(2)];
    }
    return item.map((inner) => rewriteItem(inner, endpoints));
  }
  if (item instanceof MapReply) {
    // CLUSTER SHARDS: a shard map whose `nodes` holds node maps with ip, port and endpoint.
    const fields = new Map(item.entries.map(([k, v]) => [String(k), v]));
    const ip = fields.get('ip');
    const port = fields.get('port');
    const to = typeof ip === 'string' && typeof port === 'number' ? endpoints.get(`${ip}:${port}`) : undefined;
    return new MapReply(
      item.entries.map(([key, value]): [Reply, Reply] => {
        if (to !== undefined && (key === 'ip' || key === 'endpoint')) return [key, to.host];
        if (to !== undefined && key === 'port') return [key, to.port];
        return [key, rewriteItem(value, endpoints)];
      }),
    );
  }
  return item;
}
