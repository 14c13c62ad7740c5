/**
 * An index definition as FT.CREATE declares it (and FT.ALTER … SCHEMA ADD extends it): what it
 * covers (HASH or JSON keys under some prefixes) and its fields. Parsing follows RediSearch 2.10's
 * spec.c; its error texts have no `ERR` prefix, as the module sends them.
 */
import { ReplyError } from '../protocol/errors.js';
import { DEFAULT_STOPWORDS } from './text.js';

export type FieldType = 'TEXT' | 'TAG' | 'NUMERIC' | 'GEO' | 'VECTOR';

export interface VectorOptions {
  readonly algorithm: 'FLAT' | 'HNSW';
  readonly type: 'FLOAT32' | 'FLOAT64';
  readonly dim: number;
  readonly metric: 'L2' | 'IP' | 'COSINE';
  /** HNSW's graph parameters as FT.INFO shows them (the search itself is exact here). */
  readonly m: number;
  readonly efConstruction: number;
}

export interface FieldSpec {
  /** Where the value is: a hash field name or a JSONPath. */
  readonly identifier: string;
  /** The name queries use (`AS alias`, else the identifier). */
  readonly attribute: string;
  readonly type: FieldType;
  readonly weight: number;
  readonly noStem: boolean;
  readonly sortable: boolean;
  readonly unf: boolean;
  readonly noIndex: boolean;
  readonly withSuffixTrie: boolean;
  readonly phonetic: string | null;
  readonly separator: string;
  readonly caseSensitive: boolean;
  readonly vector: VectorOptions | null;
}

export interface IndexDefinition {
  readonly on: 'HASH' | 'JSON';
  readonly prefixes: readonly string[];
  readonly filter: string | null;
  readonly language: string;
  readonly languageField: string | null;
  readonly score: number;
  readonly scoreField: string | null;
  readonly payloadField: string | null;
}

export interface IndexOptions {
  readonly noOffsets: boolean;
  readonly noHighlight: boolean;
  readonly noFields: boolean;
  readonly noFreqs: boolean;
  readonly maxTextFields: boolean;
  readonly skipInitialScan: boolean;
  /** TEMPORARY seconds: the index expires after this long without use (null: never). */
  readonly temporary: number | null;
  /** The stop words (null: the default list). */
  readonly stopwords: readonly string[] | null;
}

export interface IndexSchema {
  readonly name: string;
  readonly definition: IndexDefinition;
  readonly options: IndexOptions;
  readonly fields: FieldSpec[];
}

export const searchError = (message: string): ReplyError => new ReplyError(message);

const LANGUAGES = new Set([
  'arabic', 'armenian', 'basque', 'catalan', 'chinese', 'danish', 'dutch', 'english', 'finnish', 'french', 'german',
  'greek', 'hindi', 'hungarian', 'indonesian', 'irish', 'italian', 'lithuanian', 'nepali', 'norwegian', 'portuguese',
  'romanian', 'russian', 'serbian', 'spanish', 'swedish', 'tamil', 'turkish', 'yiddish',
]);

/** A cursor over string arguments. */
export class Args {
  constructor(
    readonly argv: readonly string[],
    public i = 0,
  ) {}
  get done(): boolean {
    return this.i >= this.argv.length;
  }
  peek(): string | undefined {
    return this.argv[this.i];
  }
  next(): string | undefined {
    return this.argv[this.i++];
  }
  /** Consumes the next argument when it is `word` (case-insensitive). */
  take(word: string): boolean {
    const a = this.argv[this.i];
    if (a !== undefined && a.toUpperCase() === word) {
      this.i++;
      return true;
    }
    return false;
  }
  /** The next argument, or the error when there is none. */
  need(error: string): string {
    const a = this.next();
    if (a === undefined) throw searchError(error);
    return a;
  }
  /** A non-negative integer argument (the module's AC_GetSize), or the error. */
  count(error: string): number {
    const a = this.next();
    if (a === undefined || !/^\d+$/.test(a)) throw searchError(error);
    return Number(a);
  }
}

export function parseNumberArg(s: string | undefined): number | null {
  if (s === undefined || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$|^[+-]?inf$/i.test(s)) return null;
  return /inf$/i.test(s) ? (s.startsWith('-') ? -Infinity : Infinity) : Number(s);
}

/** FT.CREATE index [options] SCHEMA fields…: the arguments after the command name. */
export function parseCreate(argv: readonly string[]): IndexSchema {
  const args = new Args(argv, 1);
  const name = argv[0];
  let on: 'HASH' | 'JSON' = 'HASH';
  let prefixes: string[] = [];
  let filter: string | null = null;
  let language = 'english';
  let languageField: string | null = null;
  let score = 1;
  let scoreField: string | null = null;
  let payloadField: string | null = null;
  const options = {
    noOffsets: false,
    noHighlight: false,
    noFields: false,
    noFreqs: false,
    maxTextFields: false,
    skipInitialScan: false,
    temporary: null as number | null,
    stopwords: null as string[] | null,
  };
  for (;;) {
    const word = args.next();
    if (word === undefined) throw searchError('No schema found');
    const upper = word.toUpperCase();
    if (upper === 'SCHEMA') break;
    switch (upper) {
      case 'ON': {
        const type = args.need('ON requires an argument').toUpperCase();
        if (type !== 'HASH' && type !== 'JSON') throw searchError(`Invalid \`ON\` value: ${type}`);
        on = type;
        break;
      }
      case 'PREFIX': {
        const n = args.count('Bad arguments for PREFIX: Could not read count');
        if (args.i + n > argv.length) throw searchError('Bad arguments for PREFIX: Not enough arguments');
        prefixes = argv.slice(args.i, args.i + n) as string[];
        args.i += n;
        break;
      }
      case 'FILTER':
        filter = args.need('FILTER requires an argument');
        break;
      case 'LANGUAGE': {
        const lang = args.need('LANGUAGE requires an argument').toLowerCase();
        if (!LANGUAGES.has(lang)) throw searchError('Invalid language');
        language = lang;
        break;
      }
      case 'LANGUAGE_FIELD':
        languageField = args.need('LANGUAGE_FIELD requires an argument');
        break;
      case 'SCORE': {
        const s = parseNumberArg(args.next());
        if (s === null || s < 0 || s > 1) throw searchError('Invalid score');
        score = s;
        break;
      }
      case 'SCORE_FIELD':
        scoreField = args.need('SCORE_FIELD requires an argument');
        break;
      case 'PAYLOAD_FIELD':
        payloadField = args.need('PAYLOAD_FIELD requires an argument');
        break;
      case 'MAXTEXTFIELDS':
        options.maxTextFields = true;
        break;
      case 'TEMPORARY': {
        const n = args.count('Bad arguments for TEMPORARY: Could not read integer');
        options.temporary = n;
        break;
      }
      case 'NOOFFSETS':
        options.noOffsets = true;
        options.noHighlight = true;
        break;
      case 'NOHL':
        options.noHighlight = true;
        break;
      case 'NOFIELDS':
        options.noFields = true;
        break;
      case 'NOFREQS':
        options.noFreqs = true;
        break;
      case 'SKIPINITIALSCAN':
        options.skipInitialScan = true;
        break;
      case 'STOPWORDS': {
        const n = args.count('Bad arguments for STOPWORDS: Could not read count');
        if (args.i + n > argv.length) throw searchError('Bad arguments for STOPWORDS: Not enough arguments');
        options.stopwords = argv.slice(args.i, args.i + n).map((w) => w.toLowerCase());
        args.i += n;
        break;
      }
      default:
        throw searchError(`Unknown argument \`${word}\``);
    }
  }
  if (args.done) throw searchError('Fields arguments are missing');
  const fields: FieldSpec[] = [];
  parseFields(args, on, fields);
  return {
    name,
    definition: { on, prefixes: prefixes.length === 0 ? [''] : prefixes, filter, language, languageField, score, scoreField, payloadField },
    options,
    fields,
  };
}

/** Parses `field [AS alias] TYPE [options]…` to the end, appending to `fields` (FT.ALTER reuses it). */
export function parseFields(args: Args, on: 'HASH' | 'JSON', fields: FieldSpec[]): void {
  while (!args.done) {
    const identifier = args.next()!;
    let attribute = identifier;
    if (args.take('AS')) attribute = args.need('AS requires an argument');
    if (fields.some((f) => f.attribute === attribute)) throw searchError(`Duplicate field in schema - ${attribute}`);
    if (on === 'JSON' && !identifier.startsWith('$')) {
      // RediSearch accepts a bare name on JSON as `$.name`-less path; it then indexes nothing useful.
    }
    const typeName = args.next();
    if (typeName === undefined) throw searchError(`Field \`${attribute}\` does not have a type`);
    const type = typeName.toUpperCase();
    const field = {
      identifier,
      attribute,
      type: type as FieldType,
      weight: 1,
      noStem: false,
      sortable: false,
      unf: false,
      noIndex: false,
      withSuffixTrie: false,
      phonetic: null as string | null,
      separator: ',',
      caseSensitive: false,
      vector: null as VectorOptions | null,
    };
    if (type === 'VECTOR') field.vector = parseVector(args, attribute);
    else if (type !== 'TEXT' && type !== 'TAG' && type !== 'NUMERIC' && type !== 'GEO') {
      throw searchError(`Invalid field type for field \`${attribute}\``);
    }
    // Field options until something that is not one (the next field's name).
    for (;;) {
      const opt = args.peek()?.toUpperCase();
      if (opt === undefined) break;
      if (opt === 'SORTABLE' && type !== 'VECTOR') {
        args.i++;
        field.sortable = true;
        if (args.take('UNF')) field.unf = true;
        // NUMERIC and GEO sortables are never normalised.
        if (type === 'NUMERIC' || type === 'GEO') field.unf = true;
      } else if (opt === 'NOINDEX' && type !== 'VECTOR') {
        args.i++;
        field.noIndex = true;
      } else if (opt === 'WEIGHT' && type === 'TEXT') {
        args.i++;
        const w = parseNumberArg(args.next());
        if (w === null || w < 0) throw searchError(`Could not parse field spec: WEIGHT`);
        field.weight = w;
      } else if (opt === 'NOSTEM' && type === 'TEXT') {
        args.i++;
        field.noStem = true;
      } else if (opt === 'PHONETIC' && type === 'TEXT') {
        args.i++;
        const m = args.need('PHONETIC requires an argument');
        if (!/^dm:(en|fr|pt|es)$/i.test(m)) {
          throw searchError('Matcher Format: <2 chars algorithm>:<2 chars language>. Support algorithms: double metaphone (dm). Supported languages: English (en), French (fr), Portuguese (pt) and Spanish (es)');
        }
        field.phonetic = m;
      } else if (opt === 'WITHSUFFIXTRIE' && (type === 'TEXT' || type === 'TAG')) {
        args.i++;
        field.withSuffixTrie = true;
      } else if (opt === 'SEPARATOR' && type === 'TAG') {
        args.i++;
        const sep = args.need('SEPARATOR requires an argument');
        if (sep.length !== 1) throw searchError('Tag separator must be a single character');
        field.separator = sep;
      } else if (opt === 'CASESENSITIVE' && type === 'TAG') {
        args.i++;
        field.caseSensitive = true;
      } else break;
    }
    fields.push(field);
  }
}

function parseVector(args: Args, attribute: string): VectorOptions {
  const algorithm = args.next()?.toUpperCase();
  if (algorithm !== 'FLAT' && algorithm !== 'HNSW') {
    throw searchError(`Bad arguments for vector similarity algorithm: ${algorithm === undefined ? 'missing' : 'unknown'} algorithm`);
  }
  const n = args.count(`Bad arguments for vector similarity ${algorithm} index arguments`);
  if (n % 2 !== 0 || args.i + n > args.argv.length) {
    throw searchError(`Bad arguments for vector similarity number of parameters`);
  }
  let type: VectorOptions['type'] | null = null;
  let dim: number | null = null;
  let metric: VectorOptions['metric'] | null = null;
  let m = 16;
  let efConstruction = 200;
  const end = args.i + n;
  while (args.i < end) {
    const key = args.next()!.toUpperCase();
    const value = args.next()!;
    const int = /^\d+$/.test(value) ? Number(value) : null;
    switch (key) {
      case 'TYPE': {
        const t = value.toUpperCase();
        if (t !== 'FLOAT32' && t !== 'FLOAT64') throw searchError(`Bad arguments for vector similarity ${algorithm} index type`);
        type = t;
        break;
      }
      case 'DIM':
        if (int === null || int === 0) throw searchError(`Bad arguments for vector similarity ${algorithm} index dim`);
        dim = int;
        break;
      case 'DISTANCE_METRIC': {
        const d = value.toUpperCase();
        if (d !== 'L2' && d !== 'IP' && d !== 'COSINE') throw searchError(`Bad arguments for vector similarity ${algorithm} index metric`);
        metric = d;
        break;
      }
      case 'INITIAL_CAP':
      case 'BLOCK_SIZE':
        if (int === null) throw searchError(`Bad arguments for vector similarity ${algorithm} index ${key.toLowerCase()}`);
        break;
      case 'M':
      case 'EF_CONSTRUCTION':
      case 'EF_RUNTIME':
        if (algorithm !== 'HNSW') throw searchError(`Bad arguments for algorithm ${algorithm}: ${key}`);
        if (int === null) throw searchError(`Bad arguments for vector similarity HNSW index ${key.toLowerCase()}`);
        if (key === 'M') m = int;
        if (key === 'EF_CONSTRUCTION') efConstruction = int;
        break;
      case 'EPSILON':
        if (algorithm !== 'HNSW') throw searchError(`Bad arguments for algorithm ${algorithm}: ${key}`);
        if (parseNumberArg(value) === null) throw searchError('Bad arguments for vector similarity HNSW index epsilon');
        break;
      default:
        throw searchError(`Bad arguments for algorithm ${algorithm}: ${key}`);
    }
  }
  const missing = type === null ? 'TYPE' : dim === null ? 'DIM' : metric === null ? 'DISTANCE_METRIC' : null;
  if (missing !== null) {
    throw searchError(`Missing mandatory parameter: cannot create ${algorithm} index without specifying ${missing} argument`);
  }
  void attribute;
  return { algorithm, type: type!, dim: dim!, metric: metric!, m, efConstruction };
}

/** The stop word set an index uses. */
export function stopwordSet(schema: IndexSchema): Set<string> {
  return new Set(schema.options.stopwords ?? DEFAULT_STOPWORDS);
}
