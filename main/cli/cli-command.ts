// What a CLI command declares (its name, options and usage text) and what it gets when it runs.
import type { CliContext } from './cli-context.js';
import type { CommandArgs } from './command-args.js';

export const EXIT = { ok: 0, error: 1, usage: 2, notRunning: 3 } as const;

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
}

export interface CliCommand {
  name: string;
  /** one line in `devmesh help` */
  summary: string;
  /** the full text of `devmesh <name> --help` */
  usage: string;
  options: Record<string, OptionSpec>;
  /** how many positional arguments it takes */
  positionals: { min: number; max: number; name: string };
  run(ctx: CliContext, args: CommandArgs): Promise<number>;
}

/**
 * Commands whose module is loaded only when one of them runs (or for `devmesh help`): a command's start
 * pays for its own group, not for every other group's imports. `names` must list what `load` returns
 * (tests/cli/command-groups.test.ts checks it).
 */
export interface CommandGroup {
  names: readonly string[];
  load(): Promise<CliCommand[]>;
}

/** A group whose module exports a class with `commands()`, loaded on the first call. */
export function commandGroup(
  names: readonly string[],
  load: () => Promise<{ commands(): CliCommand[] }>,
): CommandGroup {
  return { names, load: async () => (await load()).commands() };
}
