// `devmesh version`: the CLI's version and the running DevMesh's. A module of its own, apart from `up` and
// `down`, so that it starts as a thin client (client-command-groups.ts).
import { DevMeshError } from '../../../shared/devmesh-error.js';
import { EXIT, type CliCommand } from '../cli-command.js';
import type { CliContext } from '../cli-context.js';
import type { CommandArgs } from '../command-args.js';

export class VersionCommand {
  commands(): CliCommand[] {
    return [
      {
        name: 'version',
        summary: "print the CLI's version and the running DevMesh's",
        usage: `Usage: devmesh version [--json]`,
        options: { json: { type: 'boolean' } },
        positionals: { min: 0, max: 0, name: '' },
        run: (ctx, args) => this.version(ctx, args),
      },
    ];
  }

  private async version(ctx: CliContext, args: CommandArgs): Promise<number> {
    let daemon = null;
    try {
      daemon = await ctx.withClient((c) => c.call('daemon.info', {}));
    } catch (err) {
      if (!(err instanceof DevMeshError && err.code === 'DAEMON_NOT_RUNNING')) throw err;
    }
    if (args.flag('json')) {
      ctx.printJson({ cli: ctx.version, node: process.version, daemon });
      return EXIT.ok;
    }
    ctx.print(`devmesh ${ctx.version} (node ${process.version})`);
    ctx.print(
      daemon
        ? `daemon ${daemon.version} (${daemon.face}, pid ${daemon.pid}, node ${daemon.node}) at ${daemon.apiUrl ?? '?'}`
        : 'daemon: not running',
    );
    return EXIT.ok;
  }
}
