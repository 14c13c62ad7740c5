/**
 * `npx tsx examples/node-redis.ts`: the emulated cache served over TCP (`cache.listen()`) and used
 * by the real node-redis client (`npm install redis`): strings, a hash, a transaction, pub/sub on
 * a duplicate connection, a blocking pop released by another client, RESP3, an error reply, and
 * what redis-cli would be pointed at.
 */
import { createClient } from 'redis';
import { ManagedRedis } from '../src/index.js';

const cache = new ManagedRedis({ clusterPolicy: 'NoCluster' });
const server = await cache.listen(); // 127.0.0.1, a free port
console.log(`serving on ${server.url}  (try: redis-cli -p ${server.port})`);

const client = createClient({ url: server.url, RESP: 3 });
await client.connect();

await client.set('greeting', 'hello');
console.log('GET greeting        →', await client.get('greeting'));

await client.hSet('user:1', { name: 'Ada', lang: 'en' });
console.log('HGETALL user:1      →', await client.hGetAll('user:1'));

console.log('MULTI … EXEC        →', await client.multi().incr('visits').incr('visits').get('visits').exec());

// Pub/sub needs its own connection in node-redis.
const subscriber = client.duplicate();
await subscriber.connect();
const received = new Promise<string>((resolve) => subscriber.subscribe('news', (message) => resolve(message)));
await client.publish('news', 'emulator online');
console.log('message on news     →', await received);

// A blocking pop waits until another client pushes.
const worker = client.duplicate();
await worker.connect();
const job = worker.blPop('jobs', 0);
setTimeout(() => void client.rPush('jobs', 'job-1'), 10);
console.log('BLPOP jobs 0        →', await job);

try {
  await client.incr('user:1');
} catch (error) {
  console.log('INCR on a hash      →', (error as Error).message);
}

console.log('CLIENT LIST (names) →', (await client.clientList()).map((c) => `${c.id}:${c.libName || '-'}:resp${c.resp}`).join(' '));

await Promise.all([client.close(), subscriber.close(), worker.close()]);
await server.close();
cache.close();
