// The `devmesh` command line: finds the command, parses its options (node:util parseArgs), runs it, and
// turns the outcome into an exit code: 0 ok, 1 error, 2 usage error, 3 DevMesh not running.
// Errors print as `devmesh: <message>` on stderr.
import { parseArgs } from 'node:util';
import { DevMeshError } from '../../shared/devmesh-error.js';
import { didYouMean } from '../core/base/did-you-mean.js';
import { EXIT, type CliCommand, type CommandGroup } from './cli-command.js';
import type { CliContext } from './cli-context.js';
import { CommandArgs, type RawValues } from './command-args.js';
import { UsageError } from './usage-error.js';

export class Cli {
  private readonly groups: readonly CommandGroup[];
  private readonly groupOf = new Map<string, CommandGroup>();
  private readonly loaded = new Map<CommandGroup, Promise<CliCommand[]>>();

  /** `source`: the commands themselves, or groups loaded when one of their commands runs */
  constructor(
    private readonly ctx: CliContext,
    source: readonly CliCommand[] | readonly CommandGroup[],
  ) {
    this.groups = source.map((item) => ('load' in item ? item : Cli.groupOf([item])));
    for (const group of this.groups) for (const name of group.names) this.groupOf.set(name, group);
  }

  private static groupOf(commands: CliCommand[]): CommandGroup {
    return { names: commands.map((c) => c.name), load: () => Promise.resolve(commands) };
  }

  async run(argv: readonly string[]): Promise<number> {
    try {
      return await this.dispatch(argv);
    } catch (err) {
      return this.report(err);
    }
  }

  private async dispatch(argv: readonly string[]): Promise<number> {
    const [first, ...rest] = argv;
    if (first === undefined) {
      this.ctx.warn(await this.help());
      return EXIT.usage;
    }
    if (first === 'help' || first === '--help' || first === '-h') {
      const topic = rest[0];
      if (topic === undefined) {
        this.ctx.print(await this.help());
        return EXIT.ok;
      }
      this.ctx.print((await this.find(topic)).usage);
      return EXIT.ok;
    }
    if (first === '--version' || first === '-v')
      return (await this.find('version')).run(this.ctx, new CommandArgs('version', {}, []));
    const command = await this.find(first);
    const args = this.parse(command, rest);
    if (args === 'help') {
      this.ctx.print(command.usage);
      return EXIT.ok;
    }
    return command.run(this.ctx, args);
  }

  private async find(name: string): Promise<CliCommand> {
    const group = this.groupOf.get(name);
    const command = group && (await this.load(group)).find((c) => c.name === name);
    if (command) return command;
    const guess = didYouMean(name, this.groupOf.keys());
    throw new UsageError(`unknown command '${name}'${guess ? `; did you mean '${guess}'?` : ''}`, null);
  }

  private load(group: CommandGroup): Promise<CliCommand[]> {
    let commands = this.loaded.get(group);
    if (commands === undefined) {
      commands = group.load();
      this.loaded.set(group, commands);
    }
    return commands;
  }

  private parse(command: CliCommand, argv: readonly string[]): CommandArgs | 'help' {
    let parsed: { values: RawValues; positionals: string[] };
    try {
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- the assertion names the shape every command shares
      parsed = parseArgs({
        args: [...argv],
        options: { ...command.options, help: { type: 'boolean', short: 'h' } },
        allowPositionals: true,
        strict: true,
      }) as { values: RawValues; positionals: string[] };
    } catch (err) {
      // parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes for unknown options and missing values.
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (!code.startsWith('ERR_PARSE_ARGS')) throw err;
      throw new UsageError((err as Error).message.split('. ')[0]!.replace(/\.$/, ''), command.name);
    }
    if (parsed.values.help === true) return 'help';
    const { min, max, name } = command.positionals;
    const n = parsed.positionals.length;
    if (n < min) throw new UsageError(`missing ${name}`, command.name);
    if (n > max) {
      const extra = parsed.positionals.slice(max).join(' ');
      throw new UsageError(
        max === 0 ? `'${command.name}' takes no arguments (got '${extra}')` : `too many arguments: '${extra}'`,
        command.name,
      );
    }
    return new CommandArgs(command.name, parsed.values, parsed.positionals);
  }

  private report(err: unknown): number {
    if (err instanceof UsageError) {
      this.ctx.warn(`devmesh: ${err.message}`);
      this.ctx.warn(
        err.command ? `Run \`devmesh ${err.command} --help\` for its usage.` : 'Run `devmesh help` for the commands.',
      );
      return EXIT.usage;
    }
    if (err instanceof DevMeshError) {
      this.ctx.warn(`devmesh: ${err.message}`);
      return err.code === 'DAEMON_NOT_RUNNING' ? EXIT.notRunning : EXIT.error;
    }
    this.ctx.warn(`devmesh: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return EXIT.error;
  }

  private async help(): Promise<string> {
    const commands = (await Promise.all(this.groups.map((g) => this.load(g)))).flat();
    const width = Math.max(...commands.map((c) => c.name.length));
    return [
      'devmesh: runs the local services declared in devmesh.yaml',
      '',
      'Usage: devmesh <command> [options]',
      '',
      'Commands:',
      ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
      `  ${'help'.padEnd(width)}  this text; \`devmesh help <command>\` (or \`<command> --help\`) for one command`,
      '',
      'Exit codes: 0 ok, 1 error, 2 usage error, 3 DevMesh is not running.',
      'DEVMESH_HOME selects the DevMesh home folder (default ~/.devmesh).',
    ].join('\n');
  }
}
