/**
 * What docs/compat.md says about commands that are not implemented: the ones Azure Managed Redis
 * blocks (with the source), and the issue that will bring the others.
 */

/** Commands (or `container|sub`) AMR does not offer, with why (azure-facts §2.5). */
export const AMR_BLOCKED: Record<string, string> = {
  bgrewriteaof: 'AMR configuration docs',
  bgsave: 'AMR configuration docs',
  save: 'AMR configuration docs',
  shutdown: 'AMR configuration docs',
  lastsave: 'Redis Enterprise: persistence commands',
  move: 'AMR configuration docs',
  select: 'AMR configuration docs: one database',
  swapdb: 'Redis Enterprise: not supported',
  psync: 'AMR configuration docs',
  sync: 'AMR configuration docs',
  replicaof: 'AMR configuration docs',
  slaveof: 'Redis Enterprise: not supported',
  replconf: 'AMR configuration docs',
  failover: 'Redis Enterprise: not supported',
  'restore-asking': 'Redis Enterprise: not supported',
  migrate: 'Redis Enterprise: not supported',
  asking: 'Redis Enterprise: not supported',
  readonly: 'Redis Enterprise: not supported',
  readwrite: 'Redis Enterprise: not supported',
  reset: 'Redis Enterprise: not supported',
  debug: 'Redis Enterprise: not supported',
  pfdebug: 'Redis Enterprise: not supported',
  pfselftest: 'Redis Enterprise: not supported',
  'module|load': 'AMR configuration docs',
  'module|loadex': 'Redis Enterprise: not supported',
  'module|unload': 'Redis Enterprise: not supported',
  'module|help': 'Redis Enterprise: not supported',
  'client|getredir': 'Redis Enterprise: not supported',
  'client|no-evict': 'Redis Enterprise: not supported',
  'client|pause': 'Redis Enterprise: not supported',
  'client|unpause': 'Redis Enterprise: not supported',
  'config|resetstat': 'Redis Enterprise: not supported',
  'acl|deluser': 'Redis Enterprise: not supported',
  'acl|genpass': 'Redis Enterprise: not supported',
  'acl|load': 'Redis Enterprise: not supported',
  'acl|log': 'Redis Enterprise: not supported',
  'acl|save': 'Redis Enterprise: not supported',
  'acl|setuser': 'Redis Enterprise: not supported',
  'latency|doctor': 'Redis Enterprise: not supported',
  'latency|graph': 'Redis Enterprise: not supported',
  'latency|help': 'Redis Enterprise: not supported',
  'latency|history': 'Redis Enterprise: not supported',
  'latency|latest': 'Redis Enterprise: not supported',
  'latency|reset': 'Redis Enterprise: not supported',
  'memory|doctor': 'Redis Enterprise: not supported',
  'memory|malloc-stats': 'Redis Enterprise: not supported',
  'memory|purge': 'Redis Enterprise: not supported',
  'memory|stats': 'Redis Enterprise: not supported',
  'script|debug': 'Redis Enterprise: not supported',
  'cluster|addslots': 'AMR: CLUSTER write subcommands disabled',
  'cluster|addslotsrange': 'AMR: CLUSTER write subcommands disabled',
  'cluster|bumpepoch': 'AMR: CLUSTER write subcommands disabled',
  'cluster|count-failure-reports': 'Redis Enterprise: not supported',
  'cluster|delslots': 'AMR: CLUSTER write subcommands disabled',
  'cluster|delslotsrange': 'AMR: CLUSTER write subcommands disabled',
  'cluster|failover': 'AMR: CLUSTER write subcommands disabled',
  'cluster|flushslots': 'AMR: CLUSTER write subcommands disabled',
  'cluster|forget': 'AMR: CLUSTER write subcommands disabled',
  'cluster|links': 'Redis Enterprise: not supported',
  'cluster|meet': 'AMR: CLUSTER write subcommands disabled',
  'cluster|myshardid': 'Redis Enterprise: not supported',
  'cluster|replicas': 'Redis Enterprise: not supported',
  'cluster|replicate': 'AMR: CLUSTER write subcommands disabled',
  'cluster|reset': 'AMR: CLUSTER write subcommands disabled',
  'cluster|saveconfig': 'AMR: CLUSTER write subcommands disabled',
  'cluster|set-config-epoch': 'AMR: CLUSTER write subcommands disabled',
  'cluster|setslot': 'AMR: CLUSTER write subcommands disabled',
  'cluster|slaves': 'Redis Enterprise: not supported',
};

/** Which open issue brings a command that is not built yet. */
export function laterNote(name: string, group: string): string {
  if (['list', 'hash', 'set', 'sorted-set'].includes(group)) return 'issue 3, collections';
  if (['transactions', 'scripting', 'pubsub'].includes(group)) return 'issue 4';
  if (['notify-keyspace-events'].includes(name)) return 'issue 4';
  return '';
}

/**
 * RediSearch 2.10 commands not emulated yet: with `modules: ['RediSearch']` they answer
 * `ERR unknown command` (docs/modules.md lists them too).
 */
export const SEARCH_NOT_YET: readonly string[] = [
  'FT.PROFILE',
];
