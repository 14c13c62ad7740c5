/**
 * Modules chosen at cache creation (AMR's `modules[]`): which names exist, AMR's rules for them,
 * which the emulator serves, and what the server reports about the loaded ones (MODULE LIST,
 * HELLO, INFO modules). All four (RediSearch, RedisJSON, RedisBloom, RedisTimeSeries) have
 * commands here. See docs/modules.md.
 */
import type { ClusterPolicy } from './core-types.js';
import type { CommandSpec } from './commands/command.js';
import { jsonCommands, REJSON_MODULE_NAME } from './commands/json.js';
import { redisBloomCommands } from './commands/redisbloom.js';
import { BLOOM_DEFAULTS, BLOOM_MODULE_NAME, type BloomConfig } from './commands/bloom.js';
import { timeseriesCommands, TIMESERIES_MODULE_NAME } from './commands/timeseries.js';
import { searchCommands, SEARCH_MODULE_NAME } from './commands/search.js';
import { SearchEngine } from './search/engine.js';
import { MapReply, type Reply } from './protocol/reply.js';

/** AMR's module names (the ARM `modules[].name` values). */
export type ModuleName = 'RedisJSON' | 'RediSearch' | 'RedisBloom' | 'RedisTimeSeries';

export const MODULE_NAMES: readonly ModuleName[] = ['RediSearch', 'RedisJSON', 'RedisBloom', 'RedisTimeSeries'];

/** A module as the server reports it. */
export interface LoadedModule {
  /** The ARM name (`RedisJSON`). */
  readonly armName: ModuleName;
  /** The name the module registers (`ReJSON`): MODULE LIST, COMMAND DOCS, INFO. */
  readonly name: string;
  /** Its version as MODULE LIST prints it (major·10000 + minor·100 + patch). */
  readonly ver: number;
  readonly path: string;
  readonly args: readonly string[];
  /** INFO's `options=[…]` (module options it sets). */
  readonly options: readonly string[];
  readonly commands: readonly CommandSpec[];
  /** RedisBloom's module-wide defaults (from its load arguments); only on the RedisBloom entry. */
  readonly bloom?: BloomConfig;
  /** @internal RediSearch's indexes, aliases and cursors in this cache; only on the RediSearch entry. */
  readonly search?: SearchEngine;
}

/**
 * A module with its ARM `modules[].args` (a space-separated string, as ARM takes it), e.g.
 * `{ name: 'RedisBloom', args: 'ERROR_RATE 0.01 INITIAL_SIZE 400' }`.
 */
export interface ModuleSpec {
  readonly name: ModuleName;
  readonly args?: string;
}

/**
 * RedisJSON 2.8.4: the 2.8 line is what Redis Software bundles with database version 7.4 (the
 * version AMR runs); 2.8.4 is the patch that shipped with Redis Software 7.8.2, the first release
 * with the 7.4 feature set. AMR does not publish its module versions.
 */
const REDIS_JSON: LoadedModule = {
  armName: 'RedisJSON',
  name: REJSON_MODULE_NAME,
  ver: 20804,
  // Where Redis Software keeps module binaries; AMR does not show its path anywhere documented.
  path: '/opt/redislabs/lib/modules/rejson.so',
  args: [],
  options: ['handle-io-errors'],
  commands: jsonCommands,
};

/**
 * RedisBloom 2.8 (`bf`). The 2.8 line is what Redis Software bundles with database version 7.4;
 * 2.8.2 is taken as the patch beside RedisJSON 2.8.4 (an inference: AMR publishes no versions).
 */
function redisBloom(args: readonly string[], seed: number): LoadedModule {
  return {
    armName: 'RedisBloom',
    name: BLOOM_MODULE_NAME,
    ver: 20802,
    path: '/opt/redislabs/lib/modules/redisbloom.so',
    args,
    options: [],
    commands: redisBloomCommands,
    bloom: { ...parseBloomArgs(args), seed },
  };
}

/**
 * RedisBloom's load arguments as its `RedisModule_OnLoad` reads them: pairs of `INITIAL_SIZE n`
 * (> 0), `ERROR_RATE r` (0 < r < 1) and `CF_MAX_EXPANSIONS n` (≥ 1), names case-insensitive. The
 * module refuses to load otherwise; the emulator throws a RangeError with the module's log text.
 */
export function parseBloomArgs(args: readonly string[]): BloomConfig {
  if (args.length % 2 !== 0) throw new RangeError('RedisBloom args: Invalid number of arguments passed');
  let { errorRate, initialSize, cfMaxExpansions } = BLOOM_DEFAULTS;
  const integer = (v: string): number | null => (/^-?(0|[1-9][0-9]*)$/.test(v) ? Number(v) : null);
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i].toLowerCase();
    const value = args[i + 1];
    if (name === 'initial_size') {
      const n = integer(value);
      if (n === null) throw new RangeError("RedisBloom args: Invalid argument for 'INITIAL_SIZE'");
      if (n <= 0) throw new RangeError('RedisBloom args: INITIAL_SIZE must be > 0');
      initialSize = n;
    } else if (name === 'error_rate') {
      const d = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value) ? Number(value) : NaN;
      if (Number.isNaN(d)) throw new RangeError("RedisBloom args: Invalid argument for 'ERROR_RATE'");
      if (d <= 0) throw new RangeError('RedisBloom args: ERROR_RATE must be > 0');
      if (d >= 1) throw new RangeError('RedisBloom args: ERROR_RATE must be < 1');
      errorRate = d;
    } else if (name === 'cf_max_expansions') {
      const n = integer(value);
      if (n === null) throw new RangeError("RedisBloom args: Invalid argument for 'CF_MAX_EXPANSIONS'");
      if (n < 1) throw new RangeError('RedisBloom args: CF_MAX_EXPANSIONS must be an integer >= 1');
      cfMaxExpansions = n;
    } else {
      throw new RangeError(`RedisBloom args: Unrecognized option '${args[i]}'`);
    }
  }
  return { errorRate, initialSize, cfMaxExpansions };
}

/**
 * RedisTimeSeries 1.12.3: the 1.12 line is what Redis Software bundles with database version 7.4;
 * 1.12.3 is the patch listed with Redis Software 7.8.2. AMR does not publish its module versions.
 */
const REDIS_TIMESERIES: LoadedModule = {
  armName: 'RedisTimeSeries',
  name: TIMESERIES_MODULE_NAME,
  ver: 11203,
  path: '/opt/redislabs/lib/modules/redistimeseries.so',
  args: [],
  options: ['handle-io-errors'],
  commands: timeseriesCommands,
};

/**
 * RediSearch 2.10.7 (`search`). The 2.10 line is the one for database version 7.4 (it needs Redis
 * 7.4 and Redis Software 7.8); 2.10.7 is taken as the maintenance release current when Redis
 * Software 7.8.2 shipped (an inference: AMR publishes no module versions). Each cache gets its own
 * index state.
 */
function rediSearch(): LoadedModule {
  return {
    armName: 'RediSearch',
    name: SEARCH_MODULE_NAME,
    ver: 21007,
    path: '/opt/redislabs/lib/modules/redisearch.so',
    args: [],
    options: ['handle-io-errors', 'handle-repl-async-load'],
    commands: searchCommands,
    search: new SearchEngine(),
  };
}

/** The modules the emulator serves, by ARM name: each builds its entry from its ARM `args`. */
const EMULATED: Record<ModuleName, (args: readonly string[], seed: number) => LoadedModule> = {
  RediSearch: rediSearch,
  RedisJSON: () => REDIS_JSON,
  RedisBloom: redisBloom,
  RedisTimeSeries: () => REDIS_TIMESERIES,
};

/** What {@link resolveModules} needs to know about the cache being created. */
export interface ModuleContext {
  readonly sku: string;
  readonly flash: boolean;
  readonly policy: ClusterPolicy;
  readonly geoReplication: boolean;
  readonly evictionPolicy: string;
  /** The cache's seed (RedisBloom's Top-K draws its decay chances from streams seeded by it). */
  readonly seed?: number;
}

/**
 * Checks the `modules` option as AMR checks a cache's modules at creation. Throws a RangeError
 * naming the problem.
 */
export function resolveModules(requested: ReadonlyArray<string | ModuleSpec> | undefined, ctx: ModuleContext): LoadedModule[] {
  if (requested === undefined) return [];
  if (!Array.isArray(requested)) throw new TypeError('modules must be an array of module names, e.g. [\'RedisJSON\']');
  const seen = new Set<string>();
  const names: ModuleName[] = [];
  const moduleArgs = new Map<ModuleName, string[]>();
  for (const entry of requested) {
    const raw: unknown = typeof entry === 'object' && entry !== null ? (entry as ModuleSpec).name : entry;
    const name = MODULE_NAMES.find((m) => typeof raw === 'string' && m.toLowerCase() === raw.toLowerCase());
    if (name === undefined) {
      throw new RangeError(`Unknown module '${String(raw)}'. Valid modules: ${MODULE_NAMES.join(', ')}`);
    }
    if (seen.has(name)) throw new RangeError(`Module '${name}' is listed twice`);
    seen.add(name);
    names.push(name);
    const args = typeof entry === 'object' && entry !== null ? (entry as ModuleSpec).args : undefined;
    if (args !== undefined) moduleArgs.set(name, String(args).split(' ').filter((a) => a.length > 0));
  }
  for (const name of names) {
    if (ctx.flash && name !== 'RedisJSON') {
      throw new RangeError(`${name} is not available on Flash Optimized SKUs (${ctx.sku}); RedisJSON is the only module there`);
    }
    if (ctx.geoReplication && (name === 'RedisBloom' || name === 'RedisTimeSeries')) {
      throw new RangeError(`${name} is not available with active geo-replication; only RediSearch and RedisJSON are`);
    }
    if (name === 'RediSearch') {
      if (ctx.policy !== 'Enterprise') {
        throw new RangeError(`RediSearch requires the Enterprise cluster policy (got ${ctx.policy})`);
      }
      if (ctx.evictionPolicy !== 'noeviction') {
        throw new RangeError(`RediSearch requires the noeviction eviction policy (got ${ctx.evictionPolicy})`);
      }
    }
  }
  return names.map((n) => EMULATED[n](moduleArgs.get(n) ?? [], ctx.seed ?? 0));
}

/** One module's MODULE LIST / HELLO entry: a map of name, ver, path, args. */
export function moduleEntry(module: LoadedModule): MapReply {
  return new MapReply([
    ['name', module.name],
    ['ver', module.ver],
    ['path', module.path],
    ['args', [...module.args]],
  ]);
}

/** MODULE LIST (and HELLO's `modules`). */
export function moduleList(modules: readonly LoadedModule[]): Reply[] {
  return modules.map(moduleEntry);
}

/** INFO's `# Modules` lines. */
export function moduleInfoLines(modules: readonly LoadedModule[]): string {
  return modules
    .map((m) => `module:name=${m.name},ver=${m.ver},api=1,filters=0,usedby=[],using=[],options=[${m.options.join('|')}]\r\n`)
    .join('');
}
