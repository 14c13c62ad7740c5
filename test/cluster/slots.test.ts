/**
 * Hash slots: CRC16/XMODEM of the key's bytes (or of its first non-empty {tag}) mod 16384, checked
 * against known vectors, against slots a real redis-server 7.0 cluster gave for the same bytes
 * (recorded below), and live against the cluster the test run starts.
 */
import { describe, expect, it } from 'vitest';
import { keySlot, slotOfName, SLOT_COUNT } from '../../src/cluster/slots.js';
import { keyName } from '../../src/keyspace/bytes.js';
import { ManagedRedis } from '../../src/managed-redis.js';
import { describeLive } from '../support/live.js';
import { RespClient } from '../support/resp-client.js';
import { Rng } from '../../src/rng.js';

/** Key bytes (base64) → the slot `CLUSTER KEYSLOT` answered on a live redis-server 7.0.15 cluster. */
const RECORDED: ReadonlyArray<readonly [string, number]> = [
  ['MTIzNDU2Nzg5', 12739],
  ['e3VzZXIxMDAwfS5mb2xsb3dpbmc=', 3443],
  ['e3VzZXIxMDAwfS5mb2xsb3dlcnM=', 3443],
  ['Zm9ve317YmFyfQ==', 8363],
  ['Zm9ve3tiYXJ9fXphcA==', 4015],
  ['Zm9ve2Jhcn17emFwfQ==', 5061],
  ['', 0],
  ['YQ==', 15495],
  ['Yg==', 3300],
  ['Zm9v', 12182],
  ['YmFy', 5061],
  ['e30=', 15257],
  ['e2F9Yg==', 15495],
  ['ew==', 4092],
  ['fQ==', 12090],
  ['fXs=', 12793],
  ['e31h', 10875],
  ['YXti', 13340],
  ['YX1ie2N9', 7365],
  ['Y2Fmw6k=', 5735],
  ['5pel5pys', 10949],
  ['8J+YgA==', 2959],
  ['e8OpfXg=', 10180],
  ['AA==', 0],
  ['//4AAQ==', 9169],
  ['gA==', 4488],
  ['e/99YWJj', 7920],
  ['AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/w==', 16155]
];

const keyslot = (cache: ManagedRedis, key: string | Buffer) => cache.execute(['CLUSTER', 'KEYSLOT', key]);

describe('CRC16 hash slots', () => {
  it('matches the CRC16/XMODEM check value: 123456789 → 0x31C3 → slot 12739', () => {
    expect(0x31c3 % SLOT_COUNT).toBe(12739);
    expect(keySlot('123456789')).toBe(12739);
    expect(keySlot('')).toBe(0);
  });

  it('hashes only the first non-empty {tag}', () => {
    expect(keySlot('{user1000}.following')).toBe(keySlot('user1000'));
    expect(keySlot('{user1000}.followers')).toBe(keySlot('{user1000}.following'));
    // "{}" is empty: the whole key is hashed.
    expect(keySlot('foo{}{bar}')).toBe(8363);
    expect(keySlot('foo{}{bar}')).not.toBe(keySlot('bar'));
    // The tag is "{bar" (from the first "{" to the first "}" after it).
    expect(keySlot('foo{{bar}}zap')).toBe(keySlot('{bar'));
    expect(keySlot('foo{{bar}}zap')).toBe(4015);
    // Only the first tag counts.
    expect(keySlot('foo{bar}{zap}')).toBe(keySlot('bar'));
    expect(keySlot('foo{bar}{zap}')).toBe(5061);
    expect(keySlot('{a}b')).toBe(keySlot('a'));
    // An unclosed "{" or a "}" before the "{" is no tag.
    expect(keySlot('a{b')).toBe(13340);
    expect(keySlot('}{')).toBe(12793);
  });

  it('hashes bytes: a string key is its UTF-8 bytes, a Buffer itself', () => {
    expect(keySlot('café')).toBe(keySlot(Buffer.from('café', 'utf8')));
    expect(keySlot('café')).toBe(5735);
    expect(keySlot('café')).not.toBe(keySlot(Buffer.from('café', 'latin1')));
    expect(keySlot('{é}x')).toBe(keySlot('é'));
    expect(keySlot(Buffer.from([0xff, 0xfe, 0x00, 0x01]))).toBe(9169);
  });

  it(`agrees with the slots a real Redis cluster computed (${RECORDED.length} recorded keys)`, () => {
    const cache = new ManagedRedis({ clock: 'virtual' });
    for (const [b64, slot] of RECORDED) {
      const key = Buffer.from(b64, 'base64');
      expect(keySlot(key), `key ${JSON.stringify(key.toString('latin1'))}`).toBe(slot);
      expect(keyslot(cache, key)).toBe(slot);
      const asText = key.toString('utf8');
      if (Buffer.from(asText, 'utf8').equals(key)) expect(keyslot(cache, asText)).toBe(slot);
    }
    cache.close();
  });

  it('canonical key names and their slots agree for any bytes', () => {
    const rng = new Rng(7);
    for (let i = 0; i < 500; i++) {
      const bytes = Buffer.from(Array.from({ length: rng.below(12) }, () => rng.below(256)));
      const slot = keySlot(bytes);
      expect(slotOfName(keyName(bytes))).toBe(slot);
      expect(Number.isInteger(slot) && slot >= 0 && slot < SLOT_COUNT).toBe(true);
    }
  });
});

describeLive('CLUSTER KEYSLOT against a live redis-server cluster', (redis) => {
  it('gives the same slot for random binary, UTF-8 and hash-tagged keys', async () => {
    const rng = new Rng(2024);
    const alphabet = ['a', 'b', '{', '}', 'é', '日', '😀', '\0', 'x'];
    const keys: Array<string | Buffer> = [];
    for (let i = 0; i < 300; i++) {
      keys.push(Buffer.from(Array.from({ length: rng.below(16) }, () => rng.below(256))));
      keys.push(Array.from({ length: rng.below(10) }, () => alphabet[rng.below(alphabet.length)]).join(''));
    }
    const client = await RespClient.connect(redis.cluster.ports[0], redis.host);
    const cache = new ManagedRedis({ clock: 'virtual' });
    try {
      const live = await client.pipeline(keys.map((key) => ['CLUSTER', 'KEYSLOT', key]));
      keys.forEach((key, i) => {
        expect(live[i][0]).toBe(':');
        expect(keyslot(cache, key), `key ${JSON.stringify(String(key))}`).toBe(Number(live[i][1]));
      });
    } finally {
      client.close();
      cache.close();
    }
  });
});

describe('keySlot fast path', () => {
  it('agrees with the general rule for random ASCII, tagged, non-ASCII and binary keys', () => {
    const alphabet = ['a', 'b', '{', '}', 'é', 'ключ', '😀', '\u0000', 'x', '1', ':'];
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (let i = 0; i < 5000; i++) {
      let key = '';
      const length = next() % 12;
      for (let j = 0; j < length; j++) key += alphabet[next() % alphabet.length];
      expect(keySlot(key)).toBe(slotOfName(keyName(key)));
      const bytes = Buffer.from(key, 'utf8');
      expect(keySlot(bytes)).toBe(slotOfName(keyName(bytes)));
    }
  });
});
