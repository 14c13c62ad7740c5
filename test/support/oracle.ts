/**
 * Replaying the recorded Redis 7.4.1 transcripts (`../shared/oracle/redis-7.4.1/`) against the
 * emulator, and comparing replies in the transcripts' typed form.
 */
import { readFileSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { ManagedRedis } from '../../src/managed-redis.js';
import type { Bytes } from '../../src/keyspace/bytes.js';
import { PushMessage } from '../../src/pubsub.js';
import {
  BigNumberReply,
  BoolReply,
  DoubleReply,
  MapReply,
  NullArrayReply,
  SetReply,
  StatusReply,
  VerbatimReply,
  type Reply,
} from '../../src/protocol/reply.js';

/** A reply in the transcripts' typed JSON form: `["+", "OK"]`, `[":", "1"]`, `["*", [...]]` … */
export type Typed = [string, ...unknown[]];

export interface Step {
  argv?: Array<string | { b64: string }>;
  resp2?: Typed;
  resp3?: Typed;
  cmp?: string;
  pushes?: Typed[];
}

export interface Sequence {
  group: string;
  seed: number;
  t0: number;
  steps: Step[];
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** Where the oracle lives: `../shared/oracle/redis-7.4.1` beside the checkout. */
export const ORACLE_DIR = process.env.ORACLE_DIR ?? path.resolve(here, '../../../shared/oracle/redis-7.4.1');

export const GROUPS = [
  'strings', 'keys', 'lists', 'hashes', 'hashttl', 'sets', 'zsets', 'bitmaps', 'hll', 'geo', 'streams',
  'sort', 'tx', 'scripting', 'mixed',
] as const;

export function oracleAvailable(): boolean {
  return existsSync(path.join(ORACLE_DIR, 'strings.jsonl.gz'));
}

export function loadGroup(group: string): Sequence[] {
  const text = gunzipSync(readFileSync(path.join(ORACLE_DIR, `${group}.jsonl.gz`))).toString('utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Sequence);
}

export interface Probe {
  argv: string[];
  resp2: Typed;
}

export function loadProbes(): Probe[] {
  return JSON.parse(readFileSync(path.join(ORACLE_DIR, 'probes.json'), 'utf8')) as Probe[];
}

export function decodeArg(arg: string | { b64: string }): Bytes {
  return typeof arg === 'string' ? arg : Buffer.from(arg.b64, 'base64');
}

function bulk(bytes: Buffer): Typed {
  const decoded = bytes.toString('utf8');
  return Buffer.from(decoded, 'utf8').equals(bytes) ? ['$', decoded] : ['$64', bytes.toString('base64')];
}

/** Renders a reply in the transcripts' typed form, as the given protocol would send it. */
export function toTyped(reply: Reply, resp: 2 | 3): Typed {
  if (typeof reply === 'string') return ['$', reply];
  if (typeof reply === 'number' || typeof reply === 'bigint') return [':', String(reply)];
  if (reply === null) return ['_'];
  if (Buffer.isBuffer(reply)) return bulk(reply);
  // A subscribe confirmation is a push under RESP3 (also inside EXEC's array).
  if (reply instanceof PushMessage) return [resp === 3 ? '>' : '*', reply.map((r) => toTyped(r, resp))];
  if (Array.isArray(reply)) return ['*', reply.map((r) => toTyped(r, resp))];
  if (reply instanceof StatusReply) return ['+', reply.value];
  if (reply instanceof DoubleReply) return resp === 3 ? [',', reply.toString()] : ['$', reply.toString()];
  if (reply instanceof MapReply) {
    if (resp === 3) return ['%', reply.entries.map(([k, v]) => [toTyped(k, resp), toTyped(v, resp)])];
    return ['*', reply.entries.flatMap(([k, v]) => [toTyped(k, resp), toTyped(v, resp)])];
  }
  if (reply instanceof SetReply) return [resp === 3 ? '~' : '*', reply.items.map((r) => toTyped(r, resp))];
  if (reply instanceof BoolReply) return resp === 3 ? ['#', reply.value] : [':', reply.value ? '1' : '0'];
  if (reply instanceof VerbatimReply) return resp === 3 ? ['=', `${reply.format}:${reply.text}`] : ['$', reply.text];
  if (reply instanceof BigNumberReply) return resp === 3 ? ['(', reply.value.toString()] : ['$', reply.value.toString()];
  if (reply instanceof NullArrayReply) return ['_'];
  if (reply instanceof Error) return ['-', reply.message];
  throw new Error(`cannot render reply ${String(reply)}`);
}

function canonical(value: unknown): string {
  return JSON.stringify(value);
}

/** Compares an actual typed reply with the recorded one under the step's `cmp` rule. */
export function sameReply(actual: Typed, expected: Typed, cmp?: string, flatPairs = false): boolean {
  if (cmp === undefined) return canonical(actual) === canonical(expected);
  if (cmp === 'unordered') {
    if (actual[0] !== expected[0]) return false;
    const a = actual[1];
    const e = expected[1];
    if (!Array.isArray(a) || !Array.isArray(e)) return canonical(actual) === canonical(expected);
    let aItems = a.map(canonical);
    let eItems = e.map(canonical);
    if (actual[0] === '*' && flatPairs) {
      aItems = pairs(a);
      eItems = pairs(e);
    }
    return canonical(aItems.sort()) === canonical(eItems.sort());
  }
  if (cmp.startsWith('approx:')) {
    const tolerance = Number(cmp.slice(7));
    if (actual[0] !== ':' || expected[0] !== ':') return canonical(actual) === canonical(expected);
    return Math.abs(Number(actual[1]) - Number(expected[1])) <= tolerance;
  }
  return canonical(actual) === canonical(expected);
}

/** RESP2 replies that are maps sent flat (HGETALL, … WITHVALUES/WITHSCORES): unordered means unordered pairs. */
export function isFlatMap(argv: readonly unknown[]): boolean {
  const name = String(argv[0]).toUpperCase();
  if (name === 'HGETALL' || name === 'CONFIG') return true;
  return argv.some((a) => typeof a === 'string' && /^(WITHVALUES|WITHSCORES)$/i.test(a));
}

function pairs(items: unknown[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < items.length; i += 2) out.push(canonical([items[i], items[i + 1]]));
  return out;
}

export interface StepMismatch {
  seed: number;
  index: number;
  argv: unknown[];
  expected: Typed;
  actual: Typed;
  cmp?: string;
}

export interface ReplayOptions {
  /** Extra ManagedRedis options. */
  cacheOptions?: ConstructorParameters<typeof ManagedRedis>[0];
}

/** A fresh cache as the recording server was for `sequence`: NoCluster, virtual clock at its t0, its seed. */
export function cacheForSequence(sequence: Sequence, options: ReplayOptions = {}): ManagedRedis {
  return new ManagedRedis({
    clusterPolicy: 'NoCluster',
    clock: 'virtual',
    startTime: sequence.t0,
    seed: sequence.seed,
    // The recording server ran Redis's defaults: no maxmemory policy that disables shared integers.
    evictionPolicy: 'noeviction',
    ...options.cacheOptions,
  });
}

/** Runs one sequence on a fresh NoCluster cache; returns the first mismatching step, or null. */
export function replaySequence(sequence: Sequence, resp: 2 | 3, options: ReplayOptions = {}): StepMismatch | null {
  const cache = cacheForSequence(sequence, options);
  try {
    const client = cache.openClient({ name: null });
    client.resp = resp;
    for (let index = 0; index < sequence.steps.length; index++) {
      const step = sequence.steps[index];
      if (step.argv === undefined) continue; // out-of-band pushes: checked by the pub/sub suite
      const expected = (resp === 2 ? step.resp2 : step.resp3) ?? step.resp2!;
      let actual: Typed;
      try {
        actual = toTyped(cache.executeReply(step.argv.map(decodeArg), client), resp);
      } catch (error) {
        actual = ['-', (error as Error).message];
        if ((error as Error).name !== 'ReplyError') actual = ['CRASH', (error as Error).stack ?? String(error)];
      }
      if (!sameReply(actual, expected, step.cmp, isFlatMap(step.argv))) {
        return { seed: sequence.seed, index, argv: step.argv, expected, actual, cmp: step.cmp };
      }
    }
    return null;
  } finally {
    cache.close();
  }
}

export interface GroupResult {
  group: string;
  resp: 2 | 3;
  total: number;
  matched: number;
  mismatches: StepMismatch[];
}

export function replayGroup(group: string, resp: 2 | 3, options: ReplayOptions = {}): GroupResult {
  const sequences = loadGroup(group);
  const mismatches: StepMismatch[] = [];
  for (const sequence of sequences) {
    const mismatch = replaySequence(sequence, resp, options);
    if (mismatch) mismatches.push(mismatch);
  }
  return { group, resp, total: sequences.length, matched: sequences.length - mismatches.length, mismatches };
}

export interface ProbeMismatch {
  argv: string[];
  expected: Typed;
  actual: Typed;
}

/** Runs every probe (RESP2) on a fresh cache; returns those whose command is implemented and mismatch. */
export function replayProbes(isImplemented: (name: string) => boolean): { checked: number; mismatches: ProbeMismatch[] } {
  const cache = new ManagedRedis({ clusterPolicy: 'NoCluster', clock: 'virtual', evictionPolicy: 'noeviction' });
  const mismatches: ProbeMismatch[] = [];
  let checked = 0;
  try {
    for (const probe of loadProbes()) {
      if (!isImplemented(probe.argv[0].toLowerCase())) continue;
      checked++;
      let actual: Typed;
      try {
        actual = toTyped(cache.executeReply(probe.argv), 2);
      } catch (error) {
        actual = ['-', (error as Error).message];
      }
      if (!sameReply(actual, probe.resp2)) mismatches.push({ argv: probe.argv, expected: probe.resp2, actual });
    }
  } finally {
    cache.close();
  }
  return { checked, mismatches };
}
