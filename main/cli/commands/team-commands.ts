// `devmesh team`: the machines of the mesh (this one and every teammate's it has heard from, reachable or
// last seen), the human at each, and their agents; and the table `devmesh agent ls --all` prints (every
// machine's agents with a MACHINE and HUMAN column). Both read the presence replicas (team.* calls).
import type { TeamAgent, TeamMachine } from '../../../shared/team.js';
import { EXIT, type CliCommand } from '../cli-command.js';
import type { CliContext } from '../cli-context.js';
import type { CommandArgs } from '../command-args.js';
import { TextTable } from '../text-table.js';
import { span } from '../time-text.js';

export class TeamCommands {
  commands(): CliCommand[] {
    return [
      {
        name: 'team',
        summary: "the mesh's machines, their humans and their agents (reachable or last seen)",
        usage: `Usage: devmesh team [--json]

Lists this machine and every teammate's machine this daemon has heard from over the mesh: its human
(team.human in config.yaml, else the OS user name), whether it is reachable now or when it was last seen,
the projects it has open, and its agents with their status, role, branch and task.
\`devmesh agent ls --all\` lists the same agents in one table.`,
        options: { json: { type: 'boolean' } },
        positionals: { min: 0, max: 0, name: '' },
        run: (ctx, args) => this.team(ctx, args),
      },
    ];
  }

  private async team(ctx: CliContext, args: CommandArgs): Promise<number> {
    const machines = await ctx.withClient((c) => c.call('team.machines', {}));
    if (args.flag('json')) ctx.printJson(machines);
    else ctx.print(TeamCommands.machinesText(machines, Date.now()));
    return EXIT.ok;
  }

  /** one block per machine: its heading line, then its agents' table */
  static machinesText(machines: TeamMachine[], now: number): string {
    const blocks = machines.map((m) => {
      const where = m.local
        ? 'this machine'
        : m.reachable
          ? 'reachable'
          : `last seen ${span(now - (m.lastSeen ?? now))} ago`;
      const projects = m.projects.map((p) => p.id).join(', ') || 'no project open';
      const head = `${m.name} (${m.human}): ${where}; ${projects}`;
      if (m.agents.length === 0) return `${head}\n  no agents`;
      const table = new TextTable(['AGENT', 'STATUS', 'ROLE', 'PROFILE', 'MODEL', 'BRANCH', 'TASK']);
      for (const a of m.agents)
        table.add([a.name, TeamCommands.status(a), a.role, a.profile, a.model, a.branch, TeamCommands.task(a)]);
      return `${head}\n${table
        .render()
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n')}`;
    });
    if (machines.length === 1) blocks.push('No teammate yet: `devmesh mesh invite` asks one to join.');
    return blocks.join('\n\n');
  }

  /** `devmesh agent ls --all`: every machine's agents in one table */
  static agentsTable(agents: TeamAgent[]): string {
    const table = new TextTable(['NAME', 'MACHINE', 'HUMAN', 'STATUS', 'ROLE', 'PROFILE', 'MODEL', 'BRANCH', 'TASK']);
    for (const a of agents)
      table.add([
        a.name,
        a.reachable ? a.machine : `${a.machine} (last seen)`,
        a.human,
        TeamCommands.status(a),
        a.role,
        a.profile,
        a.model,
        a.branch,
        TeamCommands.task(a),
      ]);
    return table.render();
  }

  private static status(a: TeamAgent): string {
    return a.status === 'waiting' && a.statusReason ? `waiting (${a.statusReason})` : a.status;
  }

  private static task(a: TeamAgent): string | null {
    if (a.task === null) return null;
    const t = `${a.task.id} ${a.task.title}`;
    return t.length > 48 ? `${t.slice(0, 47)}…` : t;
  }
}
