/**
 * Redis 7.4.1's command metadata — what `COMMAND INFO` and `COMMAND DOCS` answer — with typed
 * accessors, the replies themselves (built lazily, exact in both protocols), and Redis's key-spec
 * algorithm (what `COMMAND GETKEYS` answers).
 *
 * The data lives in `metadata.generated.ts` (written by `scripts/gen-command-metadata.mjs` from
 * the recorded replies): one JSON string per top-level command, decoded the first time someone
 * asks for that command. The encoding of an entry ({@link RawEntry}):
 *
 * ```text
 * entry    [name, arity, flags, first, last, step, acl, tips, specs, doc, subs?]
 *          flags, acl (without '@'), tips: space-joined; subs: entries of the subcommands
 * spec     [flags, begin, find, notes?]
 *          begin ["index", pos] | ["keyword", keyword, startfrom] | null (unknown)
 *          find  ["range", lastkey, keystep, limit] | ["keynum", keynumidx, firstkey, keystep] | null
 * doc      [summary, since, group, complexity, docFlags, deprecatedSince, replacedBy, history, args]
 *          0 for an absent field, trailing zeros dropped; history [[version, text], …]
 * arg      [name, type, displayText, keySpecIndex + 1, token, summary, since, deprecatedSince,
 *           flags (bits: 1 optional, 2 multiple, 4 multiple_token), args]
 *          0 for absent, displayText 1 when it equals name, trailing zeros dropped
 * ```
 */
import type { Bytes } from '../keyspace/bytes.js';
import { MapReply, SetReply, StatusReply, type Reply } from '../protocol/reply.js';
import { RAW_COMMANDS } from './metadata.generated.js';

export { METADATA_REDIS_VERSION } from './metadata.generated.js';

/** The begin_search part of a key spec. */
export type BeginSearch =
  | { readonly type: 'index'; readonly index: number }
  | { readonly type: 'keyword'; readonly keyword: string; readonly startFrom: number }
  | { readonly type: 'unknown' };

/** The find_keys part of a key spec. */
export type FindKeys =
  | { readonly type: 'range'; readonly lastKey: number; readonly keyStep: number; readonly limit: number }
  | { readonly type: 'keynum'; readonly keyNumIndex: number; readonly firstKey: number; readonly keyStep: number }
  | { readonly type: 'unknown' };

/** One key spec, as `COMMAND INFO` reports it. */
export interface KeySpecInfo {
  readonly notes?: string;
  /** `RO`, `RW`, `OW`, `RM`, `access`, `update`, `insert`, `delete`, `not_key`, `incomplete`, `variable_flags`. */
  readonly flags: readonly string[];
  readonly beginSearch: BeginSearch;
  readonly findKeys: FindKeys;
}

/** One argument of `COMMAND DOCS`. */
export interface ArgumentDoc {
  readonly name: string;
  /** `string`, `integer`, `double`, `key`, `pattern`, `unix-time`, `pure-token`, `oneof`, `block`. */
  readonly type: string;
  readonly displayText?: string;
  readonly keySpecIndex?: number;
  readonly token?: string;
  readonly summary?: string;
  readonly since?: string;
  readonly deprecatedSince?: string;
  /** `optional`, `multiple`, `multiple_token`. */
  readonly flags: readonly string[];
  readonly arguments?: readonly ArgumentDoc[];
}

/** The documentation part of `COMMAND DOCS` for one command (subcommands aside). */
export interface CommandDocs {
  readonly summary?: string;
  readonly since?: string;
  readonly group: string;
  readonly complexity?: string;
  /** `deprecated`, `syscmd`. */
  readonly docFlags: readonly string[];
  readonly deprecatedSince?: string;
  readonly replacedBy?: string;
  readonly history: ReadonlyArray<readonly [version: string, change: string]>;
  readonly arguments?: readonly ArgumentDoc[];
}

/** Everything Redis 7.4.1 reports about one command or subcommand. */
export interface CommandMetadata {
  /** Full lower-case name (`get`, `object|encoding`). */
  readonly name: string;
  /** The container's name for a subcommand (`object`), else undefined. */
  readonly container?: string;
  readonly arity: number;
  readonly flags: readonly string[];
  /** Legacy key range of COMMAND INFO (0, 0, 0 when there is none). */
  readonly firstKey: number;
  readonly lastKey: number;
  readonly keyStep: number;
  /** ACL categories with their `@`. */
  readonly aclCategories: readonly string[];
  readonly tips: readonly string[];
  readonly keySpecs: readonly KeySpecInfo[];
  readonly docs: CommandDocs;
  /** Subcommands in the server's order (empty for plain commands). */
  readonly subcommands: readonly CommandMetadata[];
}

// ---- decoding ---------------------------------------------------------------------------------

type RawBegin = ['index', number] | ['keyword', string, number] | null;
type RawFind = ['range', number, number, number] | ['keynum', number, number, number] | null;
type RawSpec = [string, RawBegin, RawFind, string?];
type RawArg = [string, string, (0 | 1 | string)?, number?, (0 | string)?, (0 | string)?, (0 | string)?, (0 | string)?, number?, (0 | RawArg[])?];
type RawDoc = [
  0 | string,
  0 | string,
  string,
  (0 | string)?,
  (0 | string)?,
  (0 | string)?,
  (0 | string)?,
  (0 | Array<[string, string]>)?,
  (0 | RawArg[])?,
];
/** One encoded entry (see the module comment). */
export type RawEntry = [string, number, string, number, number, number, string, string, RawSpec[], RawDoc, RawEntry[]?];

const ARG_FLAG_NAMES = ['optional', 'multiple', 'multiple_token'] as const;

function words(text: string): string[] {
  return text === '' ? [] : text.split(' ');
}

function opt<T>(value: 0 | T | undefined): T | undefined {
  return value === 0 || value === undefined ? undefined : value;
}

function decodeArg(raw: RawArg): ArgumentDoc {
  const [name, type, display, ksi, token, summary, since, deprecated, flagBits, args] = raw;
  const flags: string[] = [];
  for (let bit = 0; bit < ARG_FLAG_NAMES.length; bit++) if (((flagBits ?? 0) >> bit) & 1) flags.push(ARG_FLAG_NAMES[bit]);
  return {
    name,
    type,
    displayText: display === 1 ? name : opt(display),
    keySpecIndex: ksi === undefined || ksi === 0 ? undefined : ksi - 1,
    token: opt(token),
    summary: opt(summary),
    since: opt(since),
    deprecatedSince: opt(deprecated),
    flags,
    arguments: args === undefined || args === 0 ? undefined : args.map(decodeArg),
  };
}

function decodeSpec(raw: RawSpec): KeySpecInfo {
  const [flags, begin, find, notes] = raw;
  const beginSearch: BeginSearch =
    begin === null
      ? { type: 'unknown' }
      : begin[0] === 'index'
        ? { type: 'index', index: begin[1] }
        : { type: 'keyword', keyword: begin[1], startFrom: begin[2] };
  const findKeys: FindKeys =
    find === null
      ? { type: 'unknown' }
      : find[0] === 'range'
        ? { type: 'range', lastKey: find[1], keyStep: find[2], limit: find[3] }
        : { type: 'keynum', keyNumIndex: find[1], firstKey: find[2], keyStep: find[3] };
  return { notes, flags: words(flags), beginSearch, findKeys };
}

function decodeEntry(raw: RawEntry, container?: string): CommandMetadata {
  const [name, arity, flags, first, last, step, acl, tips, specs, doc, subs] = raw;
  const [summary, since, group, complexity, docFlags, deprecatedSince, replacedBy, history, args] = doc;
  return {
    name,
    container,
    arity,
    flags: words(flags),
    firstKey: first,
    lastKey: last,
    keyStep: step,
    aclCategories: words(acl).map((c) => `@${c}`),
    tips: words(tips),
    keySpecs: specs.map(decodeSpec),
    docs: {
      summary: opt(summary),
      since: opt(since),
      group,
      complexity: opt(complexity),
      docFlags: words(opt(docFlags) ?? ''),
      deprecatedSince: opt(deprecatedSince),
      replacedBy: opt(replacedBy),
      history: opt(history) ?? [],
      arguments: opt(args)?.map(decodeArg),
    },
    subcommands: (subs ?? []).map((sub) => decodeEntry(sub, name)),
  };
}

// ---- lookup -------------------------------------------------------------------------------------

/** Top-level name → index into RAW_COMMANDS, built on first use without parsing the entries. */
let index: Map<string, number> | null = null;
const decoded: Array<CommandMetadata | undefined> = [];

function nameIndex(): Map<string, number> {
  if (index !== null) return index;
  index = new Map();
  RAW_COMMANDS.forEach((raw, i) => {
    const end = raw.indexOf('"', 2);
    index!.set(raw.slice(2, end), i);
  });
  return index;
}

function entryAt(i: number): CommandMetadata {
  return (decoded[i] ??= decodeEntry(JSON.parse(RAW_COMMANDS[i]) as RawEntry));
}

/**
 * The metadata of a command or subcommand by full name, case-insensitive: `get`, `OBJECT|encoding`.
 * Undefined for names Redis 7.4.1 does not know.
 */
export function commandMetadata(fullName: string): CommandMetadata | undefined {
  const name = fullName.toLowerCase();
  const bar = name.indexOf('|');
  const i = nameIndex().get(bar < 0 ? name : name.slice(0, bar));
  if (i === undefined) return undefined;
  const top = entryAt(i);
  if (bar < 0) return top;
  return top.subcommands.find((sub) => sub.name === name);
}

/** A top-level command's position in Redis 7.4.1's `COMMAND` listing, or undefined. */
export function serverPosition(name: string): number | undefined {
  return nameIndex().get(name.toLowerCase());
}

/** Every top-level command Redis 7.4.1 has, in the order its `COMMAND` listed them. */
export function allCommandMetadata(): readonly CommandMetadata[] {
  return RAW_COMMANDS.map((_, i) => entryAt(i));
}

/** The number of top-level commands in the metadata. */
export const METADATA_COMMAND_COUNT = RAW_COMMANDS.length;

// ---- replies ------------------------------------------------------------------------------------

function statusSet(names: readonly string[]): SetReply {
  return new SetReply(names.map((n) => new StatusReply(n)));
}

function keySpecReply(spec: KeySpecInfo): MapReply {
  const entries: Array<[Reply, Reply]> = [];
  if (spec.notes !== undefined) entries.push(['notes', spec.notes]);
  entries.push(['flags', statusSet(spec.flags)]);
  const bs = spec.beginSearch;
  entries.push([
    'begin_search',
    new MapReply([
      ['type', bs.type],
      [
        'spec',
        new MapReply(
          bs.type === 'index'
            ? [['index', bs.index]]
            : bs.type === 'keyword'
              ? [
                  ['keyword', bs.keyword],
                  ['startfrom', bs.startFrom],
                ]
              : [],
        ),
      ],
    ]),
  ]);
  const fk = spec.findKeys;
  entries.push([
    'find_keys',
    new MapReply([
      ['type', fk.type],
      [
        'spec',
        new MapReply(
          fk.type === 'range'
            ? [
                ['lastkey', fk.lastKey],
                ['keystep', fk.keyStep],
                ['limit', fk.limit],
              ]
            : fk.type === 'keynum'
              ? [
                  ['keynumidx', fk.keyNumIndex],
                  ['firstkey', fk.firstKey],
                  ['keystep', fk.keyStep],
                ]
              : [],
        ),
      ],
    ]),
  ]);
  return new MapReply(entries);
}

/**
 * The first nine fields of a `COMMAND INFO` entry (name … key specs); the tenth, subcommands, is
 * the caller's (the emulator lists only the subcommands it implements).
 */
export function infoFields(meta: CommandMetadata): Reply[] {
  return [
    meta.name,
    meta.arity,
    statusSet(meta.flags),
    meta.firstKey,
    meta.lastKey,
    meta.keyStep,
    statusSet(meta.aclCategories),
    new SetReply([...meta.tips]),
    new SetReply(meta.keySpecs.map(keySpecReply)),
  ];
}

/** The subcommands field of an entry: an array of entries, or Redis's empty set for plain commands. */
export function subcommandsField(subs: readonly Reply[] | undefined): Reply {
  return subs === undefined ? new SetReply([]) : [...subs];
}

/** The full `COMMAND INFO` entry of a command as Redis 7.4.1 sends it (every subcommand). */
export function infoReply(meta: CommandMetadata): Reply {
  return [
    ...infoFields(meta),
    subcommandsField(meta.subcommands.length > 0 ? meta.subcommands.map(infoReply) : undefined),
  ];
}

function argReply(arg: ArgumentDoc): MapReply {
  const entries: Array<[Reply, Reply]> = [
    ['name', arg.name],
    ['type', arg.type],
  ];
  if (arg.displayText !== undefined) entries.push(['display_text', arg.displayText]);
  if (arg.keySpecIndex !== undefined) entries.push(['key_spec_index', arg.keySpecIndex]);
  if (arg.token !== undefined) entries.push(['token', arg.token]);
  if (arg.summary !== undefined) entries.push(['summary', arg.summary]);
  if (arg.since !== undefined) entries.push(['since', arg.since]);
  if (arg.deprecatedSince !== undefined) entries.push(['deprecated_since', arg.deprecatedSince]);
  if (arg.flags.length > 0) entries.push(['flags', statusSet(arg.flags)]);
  if (arg.arguments !== undefined) entries.push(['arguments', arg.arguments.map(argReply)]);
  return new MapReply(entries);
}

/**
 * The fields of a command's `COMMAND DOCS` map without `subcommands` (which, when present, comes
 * last; the caller adds it).
 */
export function docsEntries(meta: CommandMetadata): Array<[Reply, Reply]> {
  const d = meta.docs;
  const entries: Array<[Reply, Reply]> = [];
  if (d.summary !== undefined) entries.push(['summary', d.summary]);
  if (d.since !== undefined) entries.push(['since', d.since]);
  entries.push(['group', d.group]);
  if (d.complexity !== undefined) entries.push(['complexity', d.complexity]);
  if (d.docFlags.length > 0) entries.push(['doc_flags', statusSet(d.docFlags)]);
  if (d.deprecatedSince !== undefined) entries.push(['deprecated_since', d.deprecatedSince]);
  if (d.replacedBy !== undefined) entries.push(['replaced_by', d.replacedBy]);
  if (d.history.length > 0) entries.push(['history', new SetReply(d.history.map(([v, text]) => [v, text]))]);
  if (d.arguments !== undefined) entries.push(['arguments', d.arguments.map(argReply)]);
  return entries;
}

/** A command's full `COMMAND DOCS` value as Redis 7.4.1 sends it (every subcommand). */
export function docsReply(meta: CommandMetadata): MapReply {
  const entries = docsEntries(meta);
  if (meta.subcommands.length > 0) {
    entries.push(['subcommands', new MapReply(meta.subcommands.map((sub) => [sub.name, docsReply(sub)]))]);
  }
  return new MapReply(entries);
}

// ---- keys -----------------------------------------------------------------------------------------

/** A key Redis finds in an argv, with the flags of the key spec that found it. */
export interface FoundKey {
  readonly pos: number;
  readonly flags: readonly string[];
}

function argText(arg: Bytes): string {
  return typeof arg === 'string' ? arg : arg.toString('latin1');
}

/** True when the command has a key spec for real keys (COMMAND GETKEYS' "has key arguments"). */
export function hasKeyArguments(meta: CommandMetadata): boolean {
  return meta.keySpecs.some((spec) => !spec.flags.includes('not_key'));
}

/** Redis's string2ll: a strict 64-bit decimal (no spaces, no '+', no leading zeros). */
function strictInteger(text: string): number | null {
  if (!/^(0|-?[1-9][0-9]{0,18})$/.test(text)) return null;
  const n = BigInt(text);
  if (n > 9223372036854775807n || n < -9223372036854775808n) return null;
  return Number(n);
}

/** C's atoi, as Redis's older key extractors use it: leading spaces, a sign, then digits. */
function atoi(text: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?[0-9]+)/.exec(text);
  if (m === null) return 0;
  const n = Number(m[1]);
  return Math.max(-2147483648, Math.min(2147483647, n));
}

/**
 * Keys by key specs alone. `null` when a spec cannot tell (unknown, incomplete) or does not fit
 * the argv — where Redis turns to the command's own key extractor.
 */
function keysFromSpecs(meta: CommandMetadata, argv: readonly Bytes[]): FoundKey[] | null {
  const argc = argv.length;
  const found: FoundKey[] = [];
  for (const spec of meta.keySpecs) {
    if (spec.flags.includes('not_key')) continue;
    let first: number;
    const bs = spec.beginSearch;
    if (bs.type === 'index') {
      first = bs.index;
    } else if (bs.type === 'keyword') {
      first = 0;
      const keyword = bs.keyword.toLowerCase();
      // Searches up to, not including, the last argument (forward) or the name's neighbour (backward).
      const start = bs.startFrom > 0 ? bs.startFrom : argc + bs.startFrom;
      const end = bs.startFrom > 0 ? argc - 1 : 1;
      const delta = start <= end ? 1 : -1;
      for (let i = start; i !== end; i += delta) {
        if (i >= argc || i < 1) break;
        if (argText(argv[i]).toLowerCase() === keyword) {
          first = i + 1;
          break;
        }
      }
      if (first === 0) continue; // keyword absent: no keys from this spec
    } else {
      return null;
    }
    let last: number;
    let step: number;
    const fk = spec.findKeys;
    if (fk.type === 'range') {
      step = fk.keyStep;
      if (fk.lastKey >= 0) last = first + fk.lastKey;
      else if (fk.limit <= 1) last = argc + fk.lastKey;
      else last = first + (Math.trunc((argc - first) / fk.limit) + fk.lastKey);
    } else if (fk.type === 'keynum') {
      if (fk.keyNumIndex >= argc - first) return null;
      const numKeys = strictInteger(argText(argv[first + fk.keyNumIndex]));
      if (numKeys === null || numKeys < 0) return null;
      first += fk.firstKey;
      last = first + numKeys - 1;
      step = fk.keyStep;
    } else {
      return null;
    }
    if (last >= argc || last < first || first >= argc) return null;
    for (let i = first; i <= last; i += step) found.push({ pos: i, flags: spec.flags });
    if (spec.flags.includes('incomplete')) return null;
  }
  return found;
}

const RO_ACCESS = ['RO', 'access'];
const OW_UPDATE = ['OW', 'update'];
const RW_ACCESS_UPDATE = ['RW', 'access', 'update'];
const RW_ACCESS_DELETE = ['RW', 'access', 'delete'];

/** The key extractors Redis falls back to when the specs cannot tell. */
const EXTRACTORS: Record<string, (argv: readonly Bytes[]) => FoundKey[]> = {
  sort(argv) {
    const keys: FoundKey[] = [{ pos: 1, flags: RO_ACCESS }];
    let store = -1;
    for (let i = 2; i < argv.length; i++) {
      const arg = argText(argv[i]).toLowerCase();
      if (arg === 'limit') i += 2;
      else if (arg === 'get' || arg === 'by') i += 1;
      else if (arg === 'store' && i + 1 < argv.length) store = i + 1; // the last STORE wins
    }
    if (store >= 0) keys.push({ pos: store, flags: OW_UPDATE });
    return keys;
  },
  sort_ro() {
    return [{ pos: 1, flags: RO_ACCESS }];
  },
  migrate(argv) {
    let first = 3;
    let count = 1;
    if (argv.length > 6) {
      for (let i = 6; i < argv.length; i++) {
        const arg = argText(argv[i]).toLowerCase();
        if (arg === 'keys') {
          if (argText(argv[3]).length > 0) return [];
          first = i + 1;
          count = argv.length - first;
          break;
        }
        if (arg === 'auth') i += 1;
        else if (arg === 'auth2') i += 2;
      }
    }
    const keys: FoundKey[] = [];
    for (let i = 0; i < count; i++) keys.push({ pos: first + i, flags: RW_ACCESS_DELETE });
    return keys;
  },
  set(argv) {
    for (let i = 3; i < argv.length; i++) {
      if (argText(argv[i]).toLowerCase() === 'get') return [{ pos: 1, flags: RW_ACCESS_UPDATE }];
    }
    return [{ pos: 1, flags: OW_UPDATE }];
  },
  bitfield(argv) {
    let readonly = true;
    for (let i = 2; i < argv.length; i++) {
      const remaining = argv.length - i - 1;
      const arg = argText(argv[i]).toLowerCase();
      if (arg === 'get' && remaining >= 2) i += 2;
      else if ((arg === 'set' || arg === 'incrby') && remaining >= 3) {
        readonly = false;
        break;
      } else if (arg === 'overflow' && remaining >= 1) i += 1;
      else {
        readonly = false;
        break;
      }
    }
    return [{ pos: 1, flags: readonly ? RO_ACCESS : RW_ACCESS_UPDATE }];
  },
  georadius: geoKeys,
  georadiusbymember: geoKeys,
};

function geoKeys(argv: readonly Bytes[]): FoundKey[] {
  let store = -1;
  for (let i = 5; i < argv.length; i++) {
    const arg = argText(argv[i]).toLowerCase();
    if ((arg === 'store' || arg === 'storedist') && i + 1 < argv.length) {
      store = i + 1;
      i++;
    }
  }
  const keys: FoundKey[] = [{ pos: 1, flags: RO_ACCESS }];
  if (store >= 0) keys.push({ pos: store, flags: OW_UPDATE });
  return keys;
}

/**
 * Redis's older extractor for numkeys commands (ZUNIONSTORE, EVAL, LMPOP …): numkeys read with
 * atoi, the keys, then the destination; no flags.
 */
function numkeysExtractor(meta: CommandMetadata, argv: readonly Bytes[]): FoundKey[] | null {
  let countAt = -1;
  let firstAt = -1;
  let step = 1;
  let storeAt = 0;
  for (const spec of meta.keySpecs) {
    if (spec.beginSearch.type !== 'index') return null;
    if (spec.findKeys.type === 'keynum') {
      countAt = spec.beginSearch.index + spec.findKeys.keyNumIndex;
      firstAt = countAt + spec.findKeys.firstKey;
      step = spec.findKeys.keyStep;
    } else if (spec.findKeys.type === 'range' && spec.findKeys.lastKey === 0) {
      storeAt = spec.beginSearch.index;
    } else return null;
  }
  if (countAt < 0) return null;
  const count = atoi(argText(argv[countAt] ?? ''));
  if (count < 1 || count > Math.trunc((argv.length - firstAt) / step)) return [];
  const keys: FoundKey[] = [];
  for (let i = 0; i < count; i++) keys.push({ pos: firstAt + i * step, flags: [] });
  if (storeAt > 0) keys.push({ pos: storeAt, flags: [] });
  return keys;
}

/**
 * The keys Redis 7.4 finds in `argv` (the command's own argv, name first) for `COMMAND GETKEYS`,
 * with their flags: the key specs when they are complete, else the command's own extractor.
 * An empty array means Redis finds no keys (GETKEYS then answers `Invalid arguments`, or an empty
 * array for `no_mandatory_keys` commands). `null` when the metadata cannot tell.
 */
export function keysOf(meta: CommandMetadata, argv: readonly Bytes[]): FoundKey[] | null {
  const variable = meta.keySpecs.some((spec) => spec.flags.includes('variable_flags'));
  if (hasKeyArguments(meta) && !variable) {
    const found = keysFromSpecs(meta, argv);
    if (found !== null) return found;
  }
  const extractor = EXTRACTORS[meta.name];
  if (extractor !== undefined) return extractor(argv);
  if (meta.keySpecs.some((spec) => spec.findKeys.type === 'keynum')) return numkeysExtractor(meta, argv);
  if (meta.keySpecs.every((spec) => spec.beginSearch.type !== 'unknown' && spec.findKeys.type !== 'unknown')) {
    return []; // the extractors of the remaining commands (XREAD …) find nothing where the specs fail
  }
  return null;
}
