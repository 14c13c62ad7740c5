/**
 * Test certificates for the TLS tests, made with the `openssl` CLI at test time (the library never
 * shells out): a CA and an RSA server certificate it signs, valid for 127.0.0.1 and localhost.
 * RSA because AMR's TLS 1.2 cipher suites are ECDHE-RSA ones.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestCertificates {
  /** The CA certificate (PEM) clients trust. */
  ca: string;
  /** The server's private key and certificate (PEM). */
  key: string;
  cert: string;
  /** Files of the same, for command-line tools (redis-cli --cacert, redis-server --tls-*). */
  files: { ca: string; key: string; cert: string };
  /** Removes the files. */
  remove(): void;
}

/**
 * Whether the TLS tests run. Their certificates come from the `openssl` CLI (the library itself
 * never shells out), so without it they are skipped — with a loud message, as the live tests are
 * without redis-server — except under CI=true, where they run and fail (.ci/run installs openssl).
 */
export function tlsTestsRun(): boolean {
  if (opensslAvailable() || process.env.CI === 'true') return true;
  console.warn('[tls tests] SKIPPED: the openssl CLI is not installed, and the TLS tests make their certificates with it (apt-get install openssl)');
  return false;
}

/** True when the `openssl` CLI is on PATH. */
export function opensslAvailable(): boolean {
  const probe = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  return !probe.error && probe.status === 0;
}

/** Makes a CA and a server certificate for 127.0.0.1 / localhost in a temporary directory. */
export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(path.join(tmpdir(), 'amr-emulator-tls-'));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=Emulator Test CA',
    '-keyout', file('ca.key'), '-out', file('ca.crt'));
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', file('server.key'), '-out', file('server.csr'));
  writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial',
    '-days', '2', '-extfile', file('server.ext'), '-out', file('server.crt'));
  return {
    ca: readFileSync(file('ca.crt'), 'utf8'),
    key: readFileSync(file('server.key'), 'utf8'),
    cert: readFileSync(file('server.crt'), 'utf8'),
    files: { ca: file('ca.crt'), key: file('server.key'), cert: file('server.crt') },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
