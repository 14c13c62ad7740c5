/**
 * Server settings: what `CONFIG GET` reports and the subset `CONFIG SET` may change on AMR
 * (azure-facts §2.5). Everything else is read-only, as on AMR.
 */
export interface SettingDef {
  /** The current value as CONFIG GET reports it. */
  value: string;
  /** AMR lets CONFIG SET change it. */
  settable: boolean;
  /** Checks and normalises a new value; throws a ReplyError when invalid. */
  validate?: (value: string) => string;
}

export class Config {
  private readonly settings = new Map<string, SettingDef>();

  constructor(initial: Record<string, SettingDef>) {
    for (const [name, def] of Object.entries(initial)) this.settings.set(name, { ...def });
  }

  /** The value of a setting, or undefined when there is no such setting. */
  get(name: string): string | undefined {
    return this.settings.get(name)?.value;
  }

  /** The definition of a setting, or undefined. */
  def(name: string): SettingDef | undefined {
    return this.settings.get(name);
  }

  /** Sets a value without the AMR check (construction options, tests). */
  setInternal(name: string, value: string): void {
    const def = this.settings.get(name);
    if (def) def.value = value;
    else this.settings.set(name, { value, settable: false });
  }

  /** All setting names. */
  names(): IterableIterator<string> {
    return this.settings.keys();
  }
}
