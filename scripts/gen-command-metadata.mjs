#!/usr/bin/env node
/**
 * Generates `src/commands/metadata.generated.ts` from the recorded Redis 7.4.1 `COMMAND INFO` and
 * `COMMAND DOCS` replies (`../shared/oracle/redis-7.4.1/command-{info,docs}.json.gz`, RESP2 typed
 * form; override the directory with ORACLE_DIR).
 *
 *   npm run gen:commands
 *
 * The output holds one compact JSON string per top-level command (in the server's order), so the
 * package needs nothing from `shared/` at run time and nothing is parsed until someone asks.
 * `src/commands/metadata.ts` decodes the entries and builds replies; the encoding is documented
 * there (`RawEntry`). The generator refuses input it does not fully understand (unknown fields,
 * fields out of the server's order), so a lossless round trip is guaranteed by construction and
 * checked again by `test/commands/introspection.test.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const oracleDir = process.env.ORACLE_DIR ?? path.resolve(root, '../shared/oracle/redis-7.4.1');
const outFile = path.join(root, 'src/commands/metadata.generated.ts');

function load(name) {
  return JSON.parse(gunzipSync(readFileSync(path.join(oracleDir, name))).toString('utf8'));
}

// ---- typed RESP2 helpers -------------------------------------------------------------------

function fail(message) {
  throw new Error(`gen-command-metadata: ${message}`);
}

function arr(node, what) {
  if (node[0] !== '*') fail(`${what}: expected an array, got ${JSON.stringify(node).slice(0, 80)}`);
  return node[1];
}
function bulk(node, what) {
  if (node[0] !== '$') fail(`${what}: expected a bulk string, got ${JSON.stringify(node).slice(0, 80)}`);
  return node[1];
}
function status(node, what) {
  if (node[0] !== '+') fail(`${what}: expected a status, got ${JSON.stringify(node).slice(0, 80)}`);
  return node[1];
}
function int(node, what) {
  if (node[0] !== ':') fail(`${what}: expected an integer, got ${JSON.stringify(node).slice(0, 80)}`);
  return Number(node[1]);
}
/** A flat RESP2 map as [key, valueNode] pairs, checking keys come in `order` (a subsequence). */
function pairs(node, order, what) {
  const items = arr(node, what);
  if (items.length % 2 !== 0) fail(`${what}: odd map length`);
  const out = new Map();
  let last = -1;
  for (let i = 0; i < items.length; i += 2) {
    const key = bulk(items[i], `${what} key`);
    const at = order.indexOf(key);
    if (at < 0) fail(`${what}: unknown field ${key}`);
    if (at <= last) fail(`${what}: field ${key} out of order`);
    last = at;
    out.set(key, items[i + 1]);
  }
  return out;
}
/** Space-joined statuses (flag names never contain spaces). */
function statusList(node, what) {
  return arr(node, what)
    .map((n) => {
      const s = status(n, what);
      if (s.includes(' ') || s === '') fail(`${what}: flag ${JSON.stringify(s)} cannot be space-joined`);
      return s;
    })
    .join(' ');
}

// ---- COMMAND INFO --------------------------------------------------------------------------

const SPEC_FIELDS = ['notes', 'flags', 'begin_search', 'find_keys'];

function encodeKeySpec(node, what) {
  const m = pairs(node, SPEC_FIELDS, what);
  const flags = statusList(m.get('flags'), `${what} flags`);
  const bsMap = pairs(m.get('begin_search'), ['type', 'spec'], `${what} begin_search`);
  const bsType = bulk(bsMap.get('type'), what);
  let bs;
  if (bsType === 'index') {
    const spec = pairs(bsMap.get('spec'), ['index'], what);
    bs = ['index', int(spec.get('index'), what)];
  } else if (bsType === 'keyword') {
    const spec = pairs(bsMap.get('spec'), ['keyword', 'startfrom'], what);
    bs = ['keyword', bulk(spec.get('keyword'), what), int(spec.get('startfrom'), what)];
  } else if (bsType === 'unknown') {
    if (arr(bsMap.get('spec'), what).length !== 0) fail(`${what}: unknown begin_search with a spec`);
    bs = null;
  } else fail(`${what}: begin_search type ${bsType}`);
  const fkMap = pairs(m.get('find_keys'), ['type', 'spec'], `${what} find_keys`);
  const fkType = bulk(fkMap.get('type'), what);
  let fk;
  if (fkType === 'range') {
    const spec = pairs(fkMap.get('spec'), ['lastkey', 'keystep', 'limit'], what);
    fk = ['range', int(spec.get('lastkey'), what), int(spec.get('keystep'), what), int(spec.get('limit'), what)];
  } else if (fkType === 'keynum') {
    const spec = pairs(fkMap.get('spec'), ['keynumidx', 'firstkey', 'keystep'], what);
    fk = ['keynum', int(spec.get('keynumidx'), what), int(spec.get('firstkey'), what), int(spec.get('keystep'), what)];
  } else if (fkType === 'unknown') {
    if (arr(fkMap.get('spec'), what).length !== 0) fail(`${what}: unknown find_keys with a spec`);
    fk = null;
  } else fail(`${what}: find_keys type ${fkType}`);
  const out = [flags, bs, fk];
  if (m.has('notes')) out.push(bulk(m.get('notes'), `${what} notes`));
  for (const f of ['flags', 'begin_search', 'find_keys']) if (!m.has(f)) fail(`${what}: missing ${f}`);
  return out;
}

function decodeInfo(node, what) {
  const items = arr(node, what);
  if (items.length !== 10) fail(`${what}: COMMAND INFO entry of ${items.length} fields`);
  const name = bulk(items[0], what);
  what = name;
  const acl = arr(items[6], `${what} acl`).map((n) => {
    const s = status(n, `${what} acl`);
    if (!s.startsWith('@') || s.includes(' ')) fail(`${what}: ACL category ${s}`);
    return s.slice(1);
  });
  const tips = arr(items[7], `${what} tips`).map((n) => {
    const s = bulk(n, `${what} tips`);
    if (s.includes(' ') || s === '') fail(`${what}: tip ${s}`);
    return s;
  });
  return {
    name,
    arity: int(items[1], what),
    flags: statusList(items[2], `${what} flags`),
    first: int(items[3], what),
    last: int(items[4], what),
    step: int(items[5], what),
    acl: acl.join(' '),
    tips: tips.join(' '),
    specs: arr(items[8], `${what} key specs`).map((s, i) => encodeKeySpec(s, `${what} key spec ${i}`)),
    subs: arr(items[9], `${what} subcommands`).map((s) => decodeInfo(s, `${what} subcommand`)),
  };
}

// ---- COMMAND DOCS --------------------------------------------------------------------------

const DOC_FIELDS = [
  'summary',
  'since',
  'group',
  'complexity',
  'module',
  'doc_flags',
  'deprecated_since',
  'replaced_by',
  'history',
  'arguments',
  'subcommands',
];
const ARG_FIELDS = [
  'name',
  'type',
  'display_text',
  'key_spec_index',
  'token',
  'summary',
  'since',
  'deprecated_since',
  'flags',
  'arguments',
];
const ARG_FLAGS = ['optional', 'multiple', 'multiple_token'];

/** Drops trailing zeros (absent optional fields) from a positional record. */
function trim(record, keep) {
  while (record.length > keep && record[record.length - 1] === 0) record.pop();
  return record;
}

function encodeArg(node, what) {
  const m = pairs(node, ARG_FIELDS, what);
  const name = bulk(m.get('name'), `${what} name`);
  what = `${what} ${name}`;
  const type = bulk(m.get('type'), what);
  let display = 0;
  if (m.has('display_text')) {
    const text = bulk(m.get('display_text'), what);
    display = text === name ? 1 : text;
  }
  let flags = 0;
  if (m.has('flags')) {
    let lastBit = -1;
    for (const n of arr(m.get('flags'), what)) {
      const bit = ARG_FLAGS.indexOf(status(n, what));
      if (bit <= lastBit) fail(`${what}: argument flag ${JSON.stringify(n)} unknown or out of order`);
      lastBit = bit;
      flags |= 1 << bit;
    }
    if (flags === 0) fail(`${what}: empty argument flags`);
  }
  const record = [
    name,
    type,
    display,
    m.has('key_spec_index') ? int(m.get('key_spec_index'), what) + 1 : 0, // 0: absent
    m.has('token') ? bulk(m.get('token'), what) : 0,
    m.has('summary') ? bulk(m.get('summary'), what) : 0,
    m.has('since') ? bulk(m.get('since'), what) : 0,
    m.has('deprecated_since') ? bulk(m.get('deprecated_since'), what) : 0,
    flags,
    m.has('arguments') ? arr(m.get('arguments'), what).map((a) => encodeArg(a, what)) : 0,
  ];
  return trim(record, 2);
}

function encodeDoc(node, what, expectedSubs) {
  const m = pairs(node, DOC_FIELDS, what);
  if (m.has('module')) fail(`${what}: module commands are not expected`);
  const opt = (field) => (m.has(field) ? bulk(m.get(field), `${what} ${field}`) : 0);
  const record = [
    opt('summary'),
    opt('since'),
    bulk(m.get('group'), `${what} group`),
    opt('complexity'),
    m.has('doc_flags') ? statusList(m.get('doc_flags'), `${what} doc_flags`) : 0,
    opt('deprecated_since'),
    opt('replaced_by'),
    m.has('history')
      ? arr(m.get('history'), what).map((h) => {
          const pair = arr(h, `${what} history`);
          if (pair.length !== 2) fail(`${what}: history entry of ${pair.length}`);
          return [bulk(pair[0], what), bulk(pair[1], what)];
        })
      : 0,
    m.has('arguments') ? arr(m.get('arguments'), what).map((a) => encodeArg(a, `${what} argument`)) : 0,
  ];
  // Subcommand docs come in the same order as the subcommands of COMMAND INFO (one dict).
  const subDocs = new Map();
  if (m.has('subcommands')) {
    const items = arr(m.get('subcommands'), what);
    for (let i = 0; i < items.length; i += 2) subDocs.set(bulk(items[i], what), items[i + 1]);
  }
  const names = [...subDocs.keys()];
  if (names.join() !== expectedSubs.join()) {
    fail(`${what}: docs subcommands ${names.join()} differ from info subcommands ${expectedSubs.join()}`);
  }
  if (m.has('subcommands') !== expectedSubs.length > 0) fail(`${what}: subcommands field mismatch`);
  return { record: trim(record, 3), subDocs };
}

// ---- assemble -------------------------------------------------------------------------------

const info = arr(load('command-info.json.gz'), 'COMMAND INFO');
const docsFlat = arr(load('command-docs.json.gz'), 'COMMAND DOCS');
const docs = new Map();
for (let i = 0; i < docsFlat.length; i += 2) docs.set(bulk(docsFlat[i], 'docs name'), docsFlat[i + 1]);

/** [name, arity, flags, first, last, step, acl, tips, specs, doc, subs?] */
function entry(cmd, docNode) {
  const { record: doc, subDocs } = encodeDoc(docNode, cmd.name, cmd.subs.map((s) => s.name));
  const out = [cmd.name, cmd.arity, cmd.flags, cmd.first, cmd.last, cmd.step, cmd.acl, cmd.tips, cmd.specs, doc];
  if (cmd.subs.length > 0) out.push(cmd.subs.map((sub) => entry(sub, subDocs.get(sub.name))));
  return out;
}

const lines = [];
let count = 0;
let subCount = 0;
for (const node of info) {
  const cmd = decodeInfo(node, 'COMMAND INFO entry');
  const docNode = docs.get(cmd.name);
  if (docNode === undefined) fail(`no COMMAND DOCS for ${cmd.name}`);
  docs.delete(cmd.name);
  count++;
  subCount += cmd.subs.length;
  const json = JSON.stringify(entry(cmd, docNode));
  lines.push(`  ${quote(json)},`);
}
if (docs.size !== 0) fail(`COMMAND DOCS for commands without COMMAND INFO: ${[...docs.keys()].join(', ')}`);

/** A single-quoted JS string literal. */
function quote(text) {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')}'`;
}

const out = `// Generated by scripts/gen-command-metadata.mjs from the COMMAND INFO and COMMAND DOCS replies of
// Redis 7.4.1 (${count} commands, ${subCount} subcommands). Do not edit; run \`npm run gen:commands\`.
// One JSON entry per top-level command, in the server's order; src/commands/metadata.ts decodes them.
/* eslint-disable */

/** The Redis version the metadata was recorded from. */
export const METADATA_REDIS_VERSION = '7.4.1';

/** Encoded entries (see \`RawEntry\` in metadata.ts). */
export const RAW_COMMANDS: readonly string[] = [
${lines.join('\n')}
];
`;
writeFileSync(outFile, out);
console.log(`wrote ${path.relative(root, outFile)}: ${count} commands, ${subCount} subcommands, ${out.length} bytes`);
