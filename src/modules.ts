/**
 * Modules chosen at cache creation (AMR's `modules[]`): which names exist, AMR's rules for them,
 * which the emulator serves, and what the server reports about the loaded ones (MODULE LIST,
 * HELLO, INFO modules). RedisJSON and RedisTimeSeries have commands here; the other names are
 * refused with a construction error rather than accepted without their commands. See docs/modules.md.
 */
import type { ClusterPolicy } from './core-types.js';
import type { CommandSpec } from './commands/command.js';
import { jsonCommands, REJSON_MODULE_NAME } from './commands/json.js';
import { timeseriesCommands, TIMESERIES_MODULE_NAME } from './commands/timeseries.js';
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

/** The modules the emulator serves, by ARM name. */
const EMULATED: Partial<Record<ModuleName, LoadedModule>> = { RedisJSON: REDIS_JSON, RedisTimeSeries: REDIS_TIMESERIES };

/** What {@link resolveModules} needs to know about the cache being created. */
export interface ModuleContext {
  readonly sku: string;
  readonly flash: boolean;
  readonly policy: ClusterPolicy;
  readonly geoReplication: boolean;
  readonly evictionPolicy: string;
}

/**
 * Checks the `modules` option as AMR checks a cache's modules at creation, then refuses those the
 * emulator does not serve. Throws a RangeError naming the problem.
 */
export function resolveModules(requested: readonly string[] | undefined, ctx: ModuleContext): LoadedModule[] {
  if (requested === undefined) return [];
  if (!Array.isArray(requested)) throw new TypeError('modules must be an array of module names, e.g. [\'RedisJSON\']');
  const seen = new Set<string>();
  const names: ModuleName[] = [];
  for (const raw of requested) {
    const name = MODULE_NAMES.find((m) => typeof raw === 'string' && m.toLowerCase() === raw.toLowerCase());
    if (name === undefined) {
      throw new RangeError(`Unknown module '${String(raw)}'. Valid modules: ${MODULE_NAMES.join(', ')}`);
    }
    if (seen.has(name)) throw new RangeError(`Module '${name}' is listed twice`);
    seen.add(name);
    names.push(name);
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
  const notEmulated = names.filter((n) => EMULATED[n] === undefined);
  if (notEmulated.length > 0) {
    throw new RangeError(
      `${notEmulated.join(', ')} ${notEmulated.length === 1 ? 'is' : 'are'} valid on AMR but not emulated yet: ` +
        `its commands do not exist here. Emulated: ${Object.keys(EMULATED).join(', ')} (see docs/modules.md)`,
    );
  }
  return names.map((n) => EMULATED[n]!);
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
