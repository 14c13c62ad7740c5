/**
 * Server settings: what `CONFIG GET` reports and the subset `CONFIG SET` may change on AMR
 * (azure-facts §2.5). The table itself (names, defaults, validation) is in `config-defaults.ts`;
 * docs/config.md lists it.
 *
 * Every setting lives here, including the ones AMR hides (maxmemory, maxmemory-policy …): the
 * rest of the emulator reads them (eviction reads `maxmemory-policy`, notifications read
 * `notify-keyspace-events`). Only the settings marked `settable` (RS-CFG's list) are visible to
 * `CONFIG GET`/`CONFIG SET`, unless {@link Config.exposeAll} is on.
 */

/** Thrown by a validator: the reason text Redis puts after `CONFIG SET failed (…) - `. */
export class ConfigValueError extends Error {
  override name = 'ConfigValueError';
}

export interface SettingDef {
  /** The current value as CONFIG GET reports it. */
  value: string;
  /** AMR lets CONFIG GET/SET see and change it (azure-facts §2.5, RS-CFG list). */
  settable: boolean;
  /**
   * Checks and normalises a new value (`1gb` → `1073741824`, `KEA` → `AKE`); throws a
   * {@link ConfigValueError} whose message is Redis's reason text when the value is invalid.
   */
  validate?: (value: string) => string;
  /** Other names for the same setting (`hash-max-ziplist-entries` for `hash-max-listpack-entries`). */
  aliases?: readonly string[];
  /** Redis itself refuses CONFIG SET (`can't set immutable config`); only matters with `exposeAll`. */
  immutable?: boolean;
}

/** A change of a setting, as told to {@link Config.onChange} listeners. */
export type ConfigListener = (name: string, value: string, previous: string) => void;

export class Config {
  private readonly settings = new Map<string, SettingDef>();
  /** Every registered name (canonical and alias, lower case) → canonical name. */
  private readonly lookup = new Map<string, string>();
  private readonly listeners: ConfigListener[] = [];
  /**
   * When true, CONFIG GET/SET see every setting the way a plain Redis 7.4 server does (immutable
   * ones refuse changes with Redis's error). Off by default: AMR exposes only the RS-CFG subset.
   */
  exposeAll = false;

  constructor(initial: Record<string, SettingDef>) {
    for (const [name, def] of Object.entries(initial)) this.add(name, def);
  }

  /** Registers a setting (construction; later features may add their own). */
  add(name: string, def: SettingDef): void {
    const canonical = name.toLowerCase();
    this.settings.set(canonical, { ...def });
    this.lookup.set(canonical, canonical);
    for (const alias of def.aliases ?? []) this.lookup.set(alias.toLowerCase(), canonical);
  }

  /** The value of a setting (by canonical name or alias, any case), or undefined when there is no such setting. */
  get(name: string): string | undefined {
    return this.def(name)?.value;
  }

  /** The definition of a setting (by canonical name or alias, any case), or undefined. */
  def(name: string): SettingDef | undefined {
    const canonical = this.lookup.get(name) ?? this.lookup.get(name.toLowerCase());
    return canonical === undefined ? undefined : this.settings.get(canonical);
  }

  /** The canonical name a name or alias refers to, or undefined. */
  canonical(name: string): string | undefined {
    return this.lookup.get(name) ?? this.lookup.get(name.toLowerCase());
  }

  /** Sets a value without the AMR check or validation (construction options, tests, ARM-level changes). */
  setInternal(name: string, value: string): void {
    const canonical = this.canonical(name);
    if (canonical === undefined) {
      this.add(name, { value, settable: false });
      return;
    }
    const def = this.settings.get(canonical)!;
    const previous = def.value;
    def.value = value;
    if (previous !== value) for (const listener of this.listeners) listener(canonical, value, previous);
  }

  /** Validates a value for a setting without storing it (throws ConfigValueError). */
  normalise(name: string, value: string): string {
    const def = this.def(name);
    if (def === undefined) throw new ConfigValueError(`no such setting '${name}'`);
    return def.validate ? def.validate(value) : value;
  }

  /** True when CONFIG GET/SET may see this setting (AMR's subset, or everything with `exposeAll`). */
  visible(name: string): boolean {
    const def = this.def(name);
    return def !== undefined && (this.exposeAll || def.settable);
  }

  /** All canonical setting names. */
  names(): IterableIterator<string> {
    return this.settings.keys();
  }

  /** Every registered name (canonical names and aliases) with its canonical name, in table order. */
  registeredNames(): Array<[name: string, canonical: string]> {
    const out: Array<[string, string]> = [];
    for (const [canonical, def] of this.settings) {
      out.push([canonical, canonical]);
      for (const alias of def.aliases ?? []) out.push([alias.toLowerCase(), canonical]);
    }
    return out;
  }

  /** Calls `listener` after every change of a value. Returns a function that unsubscribes. */
  onChange(listener: ConfigListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }
}
