/**
 * `npm run demo`: the default embedded cache (Balanced_B5, OSS policy) at work.
 * Writes land on the shard that owns their hash slot; a multi-key command across slots fails with
 * CROSSSLOT under OSS, uses a hash tag to stay in one slot, and fans out under Enterprise.
 */
import { ManagedRedis, ReplyError, keySlot } from '../src/index.js';

const cache = new ManagedRedis(); // Balanced_B5, OSS policy, high availability on: AMR's defaults
const { topology } = cache;

console.log(`SKU ${topology.sku}, policy ${topology.policy}, ${topology.shards.length} primary shards on ${topology.nodes.length} nodes`);
for (const shard of topology.shards) {
  const ranges = shard.slots.map(([a, b]) => `${a}-${b}`).join(', ');
  const node = topology.nodes[shard.primaryNode];
  const replica = shard.replicaNode === null ? 'none' : `on node ${shard.replicaNode}`;
  console.log(`  shard ${shard.index}: slots ${ranges}, primary on node ${shard.primaryNode} (${node.ip}:${node.port}), replica ${replica}`);
}

console.log('\nWrites across shards:');
for (const key of ['user:1', 'user:2', 'user:3', 'cart:{user:1}', 'session:42']) {
  cache.set(key, `value of ${key}`, 'EX', 3600);
  const slot = keySlot(key);
  const shard = cache.shardForSlot(slot).index;
  console.log(`  SET ${key.padEnd(14)} → slot ${String(slot).padStart(5)}, shard ${shard}`);
}
console.log(`  GET user:2 → ${JSON.stringify(cache.get('user:2'))}, TTL ${cache.ttl('user:2')} s, DBSIZE ${cache.dbsize()}`);

console.log('\nOSS policy: keys of one command must share a slot.');
try {
  cache.mget('user:1', 'user:2');
} catch (error) {
  console.log(`  MGET user:1 user:2 → (error) ${(error as ReplyError).message}`);
}
cache.mset('{user:1}:name', 'Ada', '{user:1}:email', 'ada@example.com');
console.log(`  MSET/MGET with a hash tag → ${JSON.stringify(cache.mget('{user:1}:name', '{user:1}:email'))}`);

console.log('\nEnterprise policy: DEL, MSET, MGET, EXISTS, UNLINK and TOUCH may cross slots (split by shard, merged).');
const enterprise = new ManagedRedis({ clusterPolicy: 'Enterprise' });
enterprise.mset('user:1', 'Ada', 'user:2', 'Grace', 'user:3', 'Edsger');
console.log(`  MGET user:1 user:2 user:3 → ${JSON.stringify(enterprise.mget('user:1', 'user:2', 'user:3'))}`);
console.log(`  EXISTS user:1 user:2 nope → ${enterprise.exists('user:1', 'user:2', 'nope')}`);
try {
  enterprise.execute(['RENAME', 'user:1', 'user:2']);
} catch (error) {
  console.log(`  RENAME user:1 user:2 → (error) ${(error as ReplyError).message}`);
}
console.log(`  DEL user:1 user:2 user:3 → ${enterprise.del('user:1', 'user:2', 'user:3')}`);

console.log('\nThe same cache through the ioredis-compatible client:');
const redis = cache.createClient();
await redis.set('visits', 0);
await redis.incrby('visits', 5);
const [[, visits], [, ttl]] = (await redis.pipeline().get('visits').ttl('user:1').exec()) ?? [];
console.log(`  pipeline GET visits, TTL user:1 → ${JSON.stringify([visits, ttl])}`);
await redis.quit();

cache.close();
enterprise.close();
