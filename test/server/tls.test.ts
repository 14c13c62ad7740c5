/**
 * `listen({ tls })`: the RESP server over TLS, as AMR's port 10000 serves it by default — TLS 1.2
 * and 1.3 only, AMR's cipher suites (azure-facts §9) — with node-redis (`rediss://`), ioredis
 * (`tls: { ca }`) and `redis-cli --tls`; and what a real `redis-server --tls-port` does with a
 * plaintext client or an old protocol version, compared with the emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { createClient } from 'redis';
import IORedis from 'ioredis';
import { ManagedRedis } from '../../src/index.js';
import type { RespServer } from '../../src/server/server.js';
import { RawConnection } from '../support/raw-socket.js';
import { makeTestCertificates, tlsTestsRun, type TestCertificates } from '../support/tls-certs.js';
import { freePorts } from '../support/redis-server.js';
import { describeLive } from '../support/live.js';
import { privateServer } from '../commands/live-streams.js';

const run = promisify(execFile);

/** What a TLS handshake with these client options ends in: the protocol and cipher, or the failure. */
function handshake(port: number, options: ConnectionOptions): Promise<{ protocol: string | null; cipher: string } | 'refused'> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ...options });
    socket.once('secureConnect', () => {
      const result = { protocol: socket.getProtocol(), cipher: socket.getCipher().name };
      socket.destroy();
      resolve(result);
    });
    socket.once('error', () => resolve('refused'));
    socket.once('close', () => resolve('refused'));
  });
}

// Skipped only on a machine without the openssl CLI, outside CI (tlsTestsRun says why, loudly).
const tlsRuns = tlsTestsRun();
const describeTls = tlsRuns ? describe : describe.skip;

describeTls('listen({ tls })', () => {
  let certs: TestCertificates;
  let cache: ManagedRedis;
  let server: RespServer;
  beforeAll(async () => {
    certs = makeTestCertificates();
    cache = new ManagedRedis({ clusterPolicy: 'NoCluster' });
    server = await cache.listen({ tls: { key: certs.key, cert: certs.cert } });
  });
  afterAll(async () => {
    await server.close();
    cache.close();
    certs.remove();
  });

  it('names a rediss:// URL', () => {
    expect(server.tls).toBe(true);
    expect(server.url).toBe(`rediss://127.0.0.1:${server.port}`);
  });

  it('node-redis over rediss://, RESP2 and RESP3', async () => {
    for (const RESP of [2, 3] as const) {
      const client = createClient({ url: server.url, RESP, socket: { tls: true, ca: certs.ca } });
      client.on('error', () => {});
      await client.connect();
      try {
        expect(await client.set(`tls:nr:${RESP}`, 'v')).toBe('OK');
        expect(await client.get(`tls:nr:${RESP}`)).toBe('v');
        await client.hSet(`tls:h:${RESP}`, { a: '1' });
        expect(await client.hGetAll(`tls:h:${RESP}`)).toEqual({ a: '1' });
        // The TLS connection is a client like any other.
        expect(await client.sendCommand(['CLIENT', 'INFO'])).toMatch(new RegExp(`resp=${RESP}`));
      } finally {
        client.destroy();
      }
    }
  });

  it('ioredis with tls: { ca }', async () => {
    const redis = new IORedis(server.port, '127.0.0.1', { tls: { ca: certs.ca }, lazyConnect: true });
    redis.on('error', () => {});
    await redis.connect();
    try {
      expect(await redis.set('tls:io', '1')).toBe('OK');
      expect(await redis.incr('tls:io')).toBe(2);
      expect(await redis.pipeline().get('tls:io').ping().exec()).toEqual([
        [null, '2'],
        [null, 'PONG'],
      ]);
    } finally {
      redis.disconnect();
    }
  });

  it('redis-cli --tls --cacert', async () => {
    const cli = (...args: string[]) =>
      run('redis-cli', ['--tls', '--cacert', certs.files.ca, '-h', '127.0.0.1', '-p', String(server.port), ...args]).then((r) => r.stdout);
    expect(await cli('SET', 'tls:cli', 'x')).toBe('OK\n');
    expect(await cli('GET', 'tls:cli')).toBe('x\n');
  });

  it('TLS 1.2 negotiates an ECDHE-RSA AES-CBC suite, TLS 1.3 an AES-GCM suite', async () => {
    const tls12 = await handshake(server.port, { ca: certs.ca, maxVersion: 'TLSv1.2' });
    expect(tls12).toEqual({ protocol: 'TLSv1.2', cipher: 'ECDHE-RSA-AES256-SHA384' });
    // A TLS 1.2 client that offers only the AES-128 suite gets it.
    const tls12aes128 = await handshake(server.port, { ca: certs.ca, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-SHA256' });
    expect(tls12aes128).toEqual({ protocol: 'TLSv1.2', cipher: 'ECDHE-RSA-AES128-SHA256' });
    const tls13 = await handshake(server.port, { ca: certs.ca });
    expect(tls13).not.toBe('refused');
    expect(tls13 !== 'refused' && tls13.protocol).toBe('TLSv1.3');
    expect(['TLS_AES_256_GCM_SHA384', 'TLS_AES_128_GCM_SHA256']).toContain(tls13 !== 'refused' && tls13.cipher);
  });

  it('refuses TLS 1.1, CHACHA20 and the TLS 1.2 GCM suites AMR does not list', async () => {
    expect(await handshake(server.port, { ca: certs.ca, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' })).toBe('refused');
    expect(await handshake(server.port, { ca: certs.ca, ciphers: 'TLS_CHACHA20_POLY1305_SHA256' })).toBe('refused');
    expect(await handshake(server.port, { ca: certs.ca, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-CHACHA20-POLY1305' })).toBe('refused');
    expect(await handshake(server.port, { ca: certs.ca, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES256-GCM-SHA384' })).toBe('refused');
    // Nothing half-open was left behind: only handshakes that completed became clients.
    expect(server.connections).toBe(0);
  });

  it('a plaintext client on the TLS port is closed without a reply', async () => {
    const raw = await RawConnection.connect(server.port);
    raw.send('*1\r\n$4\r\nPING\r\n');
    expect((await raw.readUntilClosed()).length).toBe(0);
  });

  it('cluster mode serves every node port over TLS too', async () => {
    const oss = new ManagedRedis({ sku: 'Balanced_B5', clusterPolicy: 'OSS' });
    const cluster = await oss.listen({ cluster: true, tls: { key: certs.key, cert: certs.cert } });
    try {
      expect(cluster.nodes.length).toBeGreaterThan(0);
      for (const node of cluster.nodes) {
        expect(node.url).toBe(`rediss://127.0.0.1:${node.port}`);
        expect(await handshake(node.port, { ca: certs.ca })).not.toBe('refused');
      }
    } finally {
      await cluster.close();
      oss.close();
    }
  });
});

describe('listen({ tls: true }): a self-signed certificate made without OpenSSL', () => {
  let cache: ManagedRedis;
  let server: RespServer;
  beforeAll(async () => {
    cache = new ManagedRedis({ clusterPolicy: 'NoCluster' });
    server = await cache.listen({ tls: true });
  });
  afterAll(async () => {
    await server.close();
    cache.close();
  });

  it('is a valid X.509 certificate for localhost, 127.0.0.1 and ::1 that clients verify', async () => {
    expect(server.certificate).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    const x509 = new X509Certificate(server.certificate!);
    expect(x509.subject).toBe('CN=localhost');
    expect(x509.issuer).toBe('CN=localhost');
    expect(x509.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(x509.verify(x509.publicKey)).toBe(true); // signed by its own key
    expect(x509.publicKey.asymmetricKeyType).toBe('rsa');
    const client = createClient({ url: server.url, socket: { tls: true, ca: server.certificate! } });
    client.on('error', () => {});
    await client.connect();
    try {
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.destroy();
    }
    // The AMR TLS 1.2 suite works with the generated RSA key; without trusting it, verification fails.
    expect(await handshake(server.port, { ca: server.certificate!, maxVersion: 'TLSv1.2' })).toEqual({ protocol: 'TLSv1.2', cipher: 'ECDHE-RSA-AES256-SHA384' });
    expect(await handshake(server.port, {})).toBe('refused');
  });

  it('a plaintext server has no certificate', async () => {
    const plain = await cache.listen();
    try {
      expect([plain.tls, plain.certificate, plain.url.startsWith('redis://')]).toEqual([false, null, true]);
    } finally {
      await plain.close();
    }
  });
});

describeLive('TLS: the emulator and redis-server --tls-port', () => {
  let certs: TestCertificates;
  let live: { port: number; stop(): Promise<void> };
  let liveTlsPort: number;
  let cache: ManagedRedis;
  let server: RespServer;
  beforeAll(async () => {
    if (!tlsRuns) return;
    certs = makeTestCertificates();
    [liveTlsPort] = await freePorts(1);
    live = await privateServer([
      '--tls-port', String(liveTlsPort),
      '--tls-cert-file', certs.files.cert,
      '--tls-key-file', certs.files.key,
      '--tls-ca-cert-file', certs.files.ca,
      '--tls-auth-clients', 'no',
    ]);
    cache = new ManagedRedis({ clusterPolicy: 'NoCluster' });
    server = await cache.listen({ tls: { key: certs.key, cert: certs.cert } });
  });
  afterAll(async () => {
    await server?.close();
    cache?.close();
    await live?.stop();
    certs?.remove();
  });

  it.runIf(tlsRuns)('both close a plaintext client without a reply and refuse TLS 1.1', async () => {
    for (const port of [liveTlsPort, server.port]) {
      const raw = await RawConnection.connect(port);
      raw.send('*1\r\n$4\r\nPING\r\n');
      expect((await raw.readUntilClosed()).length).toBe(0);
      expect(await handshake(port, { ca: certs.ca, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' })).toBe('refused');
    }
  });

  it.runIf(tlsRuns)('answer redis-cli --tls alike', async () => {
    const cli = (port: number, ...args: string[]) =>
      run('redis-cli', ['--tls', '--cacert', certs.files.ca, '-h', '127.0.0.1', '-p', String(port), ...args]).then((r) => r.stdout);
    for (const args of [['PING'], ['ECHO', 'héllo'], ['HELLO', '3', 'SETNAME', 'x']]) {
      const [real, emulated] = [await cli(liveTlsPort, ...args), await cli(server.port, ...args)];
      if (args[0] === 'HELLO') {
        // The version and the connection id differ; the shape does not.
        const shape = (text: string) => text.replace(/\d+(\.\d+)*/g, 'N').split('\n').length;
        expect(shape(emulated)).toBe(shape(real));
      } else {
        expect(emulated).toBe(real);
      }
    }
  });
});
