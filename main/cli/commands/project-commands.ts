// `devmesh projects | open | close`: which projects DevMesh runs.
import type { ProjectInfo } from '../../../shared/service.js';
import { EXIT, type CliCommand } from '../cli-command.js';
import type { CliContext } from '../cli-context.js';
import type { CommandArgs } from '../command-args.js';
import { TextTable } from '../text-table.js';

export class ProjectCommands {
  commands(): CliCommand[] {
    return [
      {
        name: 'projects',
        summary: 'list the open projects',
        usage: `Usage: devmesh projects [--json]`,
        options: { json: { type: 'boolean' } },
        positionals: { min: 0, max: 0, name: '' },
        run: (ctx, args) => this.list(ctx, args),
      },
      {
        name: 'open',
        summary: 'open a project (a folder with devmesh.yaml) in the running DevMesh',
        usage: `Usage: devmesh open <dir> [--json]

Opens the project in <dir> (a folder holding devmesh.yaml, or the file itself) and starts its
autostart services. Opening an open project again does nothing. A folder in a git worktree of an
open project runs as that project's copy instead: \`devmesh start --all --worktree <dir>\`.`,
        options: { json: { type: 'boolean' } },
        positionals: { min: 1, max: 1, name: '<dir>' },
        run: (ctx, args) => this.open(ctx, args),
      },
      {
        name: 'close',
        summary: 'stop the services of a project and close it',
        usage: `Usage: devmesh close <project>

Stops every service of the project (an id or a folder) and closes it.`,
        options: {},
        positionals: { min: 1, max: 1, name: '<project>' },
        run: (ctx, args) => this.close(ctx, args),
      },
    ];
  }

  private list(ctx: CliContext, args: CommandArgs): Promise<number> {
    return ctx.withClient(async (client) => {
      const projects = await client.call('projects.list', {});
      if (args.flag('json')) {
        ctx.printJson(projects);
        return EXIT.ok;
      }
      if (projects.length === 0) {
        ctx.print('No project is open: open one with `devmesh open DIR`.');
        return EXIT.ok;
      }
      const table = new TextTable(['PROJECT', 'SERVICES', 'ROOT']);
      for (const p of projects) table.add([p.id, p.services.length, p.root]);
      const errors = projects
        .filter((p) => p.configError)
        .map((p) => `${p.id}: ${p.configError} (running on the last valid config)`);
      ctx.print([table.render(), ...(errors.length ? ['', ...errors] : [])].join('\n'));
      return EXIT.ok;
    });
  }

  private open(ctx: CliContext, args: CommandArgs): Promise<number> {
    const root = ctx.absolute(args.positionals[0]!);
    return ctx.withClient(async (client) => {
      const info = await client.call('projects.open', { root });
      if (args.flag('json')) ctx.printJson(info);
      else ctx.print(`Opened project ${ProjectCommands.describe(info)}`);
      return EXIT.ok;
    });
  }

  private close(ctx: CliContext, args: CommandArgs): Promise<number> {
    const first = args.positionals[0]!;
    const project = first.includes('/') || first === '.' || first === '..' ? ctx.absolute(first) : first;
    return ctx.withClient(async (client) => {
      const { closed } = await client.call('projects.close', { project });
      ctx.print(`Closed project ${closed}; its services are stopped.`);
      return EXIT.ok;
    });
  }

  private static describe(p: ProjectInfo): string {
    return `${p.id} (${p.services.length} service${p.services.length === 1 ? '' : 's'}: ${p.services.join(', ') || 'none'}) from ${p.configPath}`;
  }
}
