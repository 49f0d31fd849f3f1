// A command's parsed arguments with typed accessors; bad values become usage errors (exit code 2).
import { UsageError } from './usage-error.js';

export type RawValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export class CommandArgs {
  constructor(
    readonly command: string,
    private readonly values: RawValues,
    readonly positionals: readonly string[],
  ) {}

  flag(name: string): boolean {
    return this.values[name] === true;
  }

  string(name: string): string | undefined {
    const v = this.values[name];
    if (Array.isArray(v)) return typeof v.at(-1) === 'string' ? (v.at(-1) as string) : undefined;
    return typeof v === 'string' ? v : undefined;
  }

  strings(name: string): string[] {
    const v = this.values[name];
    if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
    return typeof v === 'string' ? [v] : [];
  }

  int(name: string, range: { min: number; max: number }): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < range.min || n > range.max) {
      throw new UsageError(
        `--${name} must be a whole number from ${range.min} to ${range.max}, not '${raw}'`,
        this.command,
      );
    }
    return n;
  }
}
