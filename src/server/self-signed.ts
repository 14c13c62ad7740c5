/**
 * A self-signed certificate for `listen({ tls: true })`, made with node:crypto alone (no OpenSSL
 * CLI, no dependency): an RSA key (AMR's TLS 1.2 suites are ECDHE-RSA ones) and an X.509 v3
 * certificate for `localhost` and `127.0.0.1`, DER-encoded here and signed with SHA-256.
 * Clients trust it by passing {@link SelfSignedCertificate.cert} as their CA.
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { RealClock } from '../clock.js';

/** The key and certificate of a self-signed server certificate (PEM). */
export interface SelfSignedCertificate {
  readonly key: string;
  readonly cert: string;
}

// --- DER (X.690) -------------------------------------------------------------------------------

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(content.length), content]);
}

const sequence = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const explicit = (tag: number, item: Buffer): Buffer => tlv(0xa0 | tag, item);
const octets = (content: Buffer): Buffer => tlv(0x04, content);
const bits = (content: Buffer): Buffer => tlv(0x03, Buffer.concat([Buffer.from([0]), content]));
const utf8 = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));
const NULL = Buffer.from([0x05, 0x00]);

/** A non-negative INTEGER from big-endian bytes (a leading zero keeps it positive). */
function integer(bytes: Buffer): Buffer {
  return tlv(0x02, bytes[0] & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [40 * a + b];
  for (const n of rest) {
    const groups: number[] = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) groups.unshift((v & 0x7f) | 0x80);
    out.push(...groups);
  }
  return tlv(0x06, Buffer.from(out));
}

/** UTCTime (`YYMMDDHHMMSSZ`), valid for years 1950–2049 as X.509 requires. */
function utcTime(ms: number): Buffer {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  const text = `${two(d.getUTCFullYear() % 100)}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(text, 'latin1'));
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

// --- the certificate ---------------------------------------------------------------------------

const SHA256_WITH_RSA = sequence(oid('1.2.840.113549.1.1.11'), NULL);
const DAY_MS = 86_400_000;

/**
 * Makes a fresh RSA-2048 key and a certificate for `localhost` / `127.0.0.1` / `::1`, valid from
 * a day ago for a year of wall-clock time (TLS clients check it against their own clock, not the
 * cache's), signed by its own key.
 */
export function selfSignedCertificate(): SelfSignedCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const now = new RealClock().now();
  const name = sequence(set(sequence(oid('2.5.4.3'), utf8('localhost'))));
  // subjectAltName: dNSName [2], iPAddress [7].
  const altNames = sequence(
    tlv(0x82, Buffer.from('localhost', 'latin1')),
    tlv(0x87, Buffer.from([127, 0, 0, 1])),
    tlv(0x87, Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])),
  );
  const extensions = sequence(
    sequence(oid('2.5.29.17'), octets(altNames)),
    // extendedKeyUsage: serverAuth.
    sequence(oid('2.5.29.37'), octets(sequence(oid('1.3.6.1.5.5.7.3.1')))),
  );
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  // A serial unique to the key: 16 bytes of its hash.
  const serial = createHash('sha256').update(spki).digest().subarray(0, 16);
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))), // version 3
    integer(serial),
    SHA256_WITH_RSA,
    name, // issuer: itself
    sequence(utcTime(now - DAY_MS), utcTime(now + 365 * DAY_MS)),
    name,
    spki,
    explicit(3, extensions),
  );
  const signature = sign('sha256', tbs, privateKey);
  const certificate = sequence(tbs, SHA256_WITH_RSA, bits(signature));
  return {
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    cert: pem('CERTIFICATE', certificate),
  };
}
