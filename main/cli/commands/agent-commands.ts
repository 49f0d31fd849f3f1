// `devmesh agent ls|profiles|start|stop|relaunch|rm`: AI coding agents (Claude Code, Codex, Gemini CLI, Aider,
// opencode, goose, or any command) running in DevMesh terminals, optionally in a git worktree of their own.
import type { AgentRecord } from '../../../shared/agent.js';
import { formatUsage, type AgentUsage } from '../../../shared/usage.js';
import { EXIT, type CliCommand } from '../cli-command.js';
import type { CliContext } from '../cli-context.js';
import type { CommandArgs } from '../command-args.js';
import * as terminalAttach from '../terminal-attach.js';
import { TextTable } from '../text-table.js';
import { UsageError } from '../usage-error.js';
import { AgentReviewCommands, REVIEW_HELP, REVIEW_OPTIONS, REVIEW_USAGE } from './agent-review-commands.js';

const ACTIONS = ['ls', 'profiles', 'start', 'stop', 'relaunch', 'rm', 'diff', 'merge', 'discard'] as const;
const REVIEW_ACTIONS = ['diff', 'merge', 'discard'] as const;

export class AgentCommands {
  commands(): CliCommand[] {
    return [
      {
        name: 'agent',
        summary: 'AI coding agents in DevMesh terminals: ls, profiles, start, stop, relaunch, rm, diff, merge, discard',
        usage: `Usage: devmesh agent ls [--all] [--json]
       devmesh agent profiles [--json]
       devmesh agent start <profile> [--name N] [--role R] [--prompt TEXT] [--worktree BRANCH [--base REF]]
                           [--project P | --cwd DIR] [--ram GB] [--gpus N] [--attach]
                           [--unattended] [--no-supervise] [-- profile args, e.g. ollama's model]
       devmesh agent start --command CMD [-- args...]   (any CLI)
       devmesh agent stop|relaunch <agent>
       devmesh agent rm <agent> [--remove-worktree] [--delete-branch] [--force]
${REVIEW_USAGE}

Profiles: claude, codex, gemini, aider, opencode, goose, cursor-agent, copilot, qwen, ollama (the model
after it: \`agent start ollama qwen2.5-coder:7b\`), and your own under agents.profiles in config.yaml;
\`agent profiles\` says which are installed here and how to install the others.
\`ls --all\` adds teammates' agents (MACHINE and HUMAN columns; see also \`devmesh team\`).
It works in --cwd DIR, else in the root of --project P, else in the current folder.
\`--worktree feature-x\` starts the agent in a new git worktree on a new branch feature-x. \`--ram\` and
\`--gpus\` declare what it will use; a start that would exceed agents.budget in config.yaml is refused.
Each agent runs in a terminal session: \`devmesh term attach <terminal>\` (or --attach) to work with it.
A crashed agent is relaunched with backoff (5 times in a row at most); --no-supervise leaves it exited.
--unattended runs it without permission prompts (its CLI's own flag), only with --worktree.
${REVIEW_HELP}`,
        options: {
          json: { type: 'boolean' },
          all: { type: 'boolean' },
          name: { type: 'string' },
          role: { type: 'string' },
          prompt: { type: 'string' },
          worktree: { type: 'string' },
          'remove-worktree': { type: 'boolean' },
          base: { type: 'string' },
          project: { type: 'string' },
          cwd: { type: 'string' },
          ram: { type: 'string' },
          gpus: { type: 'string' },
          command: { type: 'string' },
          attach: { type: 'boolean' },
          'delete-branch': { type: 'boolean' },
          force: { type: 'boolean' },
          unattended: { type: 'boolean' },
          'no-supervise': { type: 'boolean' },
          ...REVIEW_OPTIONS,
        },
        positionals: { min: 1, max: 1000, name: '<ls|profiles|start|stop|relaunch|rm|diff|merge|discard> [args]' },
        run: (ctx, args) => this.agent(ctx, args),
      },
    ];
  }

  private async agent(ctx: CliContext, args: CommandArgs): Promise<number> {
    const [action, ...rest] = args.positionals as [string, ...string[]];
    if (!(ACTIONS as readonly string[]).includes(action))
      throw new UsageError(`unknown action '${action}': use ${ACTIONS.join(', ')}`, 'agent');
    switch (action) {
      case 'ls': {
        if (args.flag('all')) return this.listAll(ctx, args);
        const [list, usage] = await ctx.withClient((c) =>
          Promise.all([c.call('agents.list', {}), c.call('usage.agents', {})]),
        );
        if (args.flag('json')) ctx.printJson(list);
        else if (list.length === 0)
          ctx.print('No agents yet. Start one with `devmesh agent start claude` (see `devmesh agent profiles`).');
        else ctx.print(AgentCommands.table(list, usage));
        return EXIT.ok;
      }
      case 'profiles': {
        const list = await ctx.withClient((c) => c.call('agents.profiles', {}));
        if (args.flag('json')) {
          ctx.printJson(list);
          return EXIT.ok;
        }
        const table = new TextTable(['PROFILE', 'INSTALLED', 'VERSION', 'INSTALL']);
        for (const { profile, detection } of list)
          table.add([
            profile.id,
            detection.installed ? (detection.path ?? 'yes') : 'no',
            detection.version,
            detection.installed ? null : detection.installHint,
          ]);
        ctx.print(table.render());
        return EXIT.ok;
      }
      case 'start':
        return this.start(ctx, args, rest);
      default: {
        if (rest.length < 1)
          throw new UsageError(`'agent ${action}' needs an agent (its name or id; see \`devmesh agent ls\`)`, 'agent');
        const agent = rest[0]!;
        if ((REVIEW_ACTIONS as readonly string[]).includes(action))
          return new AgentReviewCommands()[action as (typeof REVIEW_ACTIONS)[number]](ctx, args, agent);
        if (action === 'rm') {
          await ctx.withClient((c) =>
            c.call('agents.remove', {
              agent,
              removeWorktree: args.flag('remove-worktree'),
              deleteBranch: args.flag('delete-branch'),
              force: args.flag('force'),
            }),
          );
          ctx.print(`Removed ${agent}.`);
          return EXIT.ok;
        }
        const record = await ctx.withClient((c) =>
          c.call(action === 'stop' ? 'agents.stop' : 'agents.relaunch', { agent }),
        );
        if (args.flag('json')) ctx.printJson(record);
        else
          ctx.print(
            `${record.name}: ${record.status}${record.statusReason ? ` (${record.statusReason})` : ''}${record.terminalId ? `; terminal ${record.terminalId}` : ''}`,
          );
        return EXIT.ok;
      }
    }
  }

  private async listAll(ctx: CliContext, args: CommandArgs): Promise<number> {
    const list = await ctx.withClient((c) => c.call('team.agents', { all: true }));
    if (args.flag('json')) ctx.printJson(list);
    else if (list.length === 0) ctx.print("No agents on this machine or any linked teammate's.");
    else ctx.print((await import('./team-commands.js')).TeamCommands.agentsTable(list));
    return EXIT.ok;
  }

  private async start(ctx: CliContext, args: CommandArgs, rest: string[]): Promise<number> {
    const command = args.string('command');
    // with --command, every word after `--` is the command's (parseArgs hands them over as positionals)
    const profile = command === undefined ? rest[0] : undefined;
    const extra = command === undefined ? rest.slice(1) : rest;
    if (command === undefined && profile === undefined)
      throw new UsageError('name a profile (`devmesh agent start claude`) or give --command CMD', 'agent');
    const number = (name: string, integer: boolean): number | undefined => {
      const raw = args.string(name);
      if (raw === undefined) return undefined;
      const n = Number(raw);
      if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n)))
        throw new UsageError(`--${name} must be a ${integer ? 'whole ' : ''}number, not '${raw}'`, 'agent');
      return n;
    };
    const branch = args.string('worktree');
    const input = {
      ...(command !== undefined
        ? { command, args: extra }
        : { profile: profile!, ...(extra.length ? { args: extra } : {}) }),
      ...(args.flag('unattended') ? { unattended: true } : {}),
      ...(args.flag('no-supervise') ? { supervise: false } : {}),
      ...(args.string('name') ? { name: args.string('name')! } : {}),
      ...(args.string('role') ? { role: args.string('role')! } : {}),
      ...(args.string('prompt') ? { prompt: args.string('prompt')! } : {}),
      ...(branch !== undefined ? { worktree: branch } : {}),
      ...(args.string('base') ? { base: args.string('base')! } : {}),
      ...(args.string('project') ? { project: args.string('project')! } : {}),
      // where the agent works: --cwd, else the project's root, else the folder the command runs in (like git)
      ...(args.string('cwd')
        ? { cwd: ctx.absolute(args.string('cwd')!) }
        : args.string('project')
          ? {}
          : { cwd: ctx.cwd }),
      ...(number('ram', false) !== undefined ? { ramGb: number('ram', false)! } : {}),
      ...(number('gpus', true) !== undefined ? { gpus: number('gpus', true)! } : {}),
      ...terminalAttach.size(),
    };
    const record = await ctx.withClient((c) => c.call('agents.start', input));
    if (args.flag('attach') && record.terminalId !== null) return terminalAttach.run(ctx, record.terminalId);
    if (args.flag('json')) ctx.printJson(record);
    else {
      const where = record.worktree
        ? `worktree ${record.worktree.path} (branch ${record.worktree.branch})`
        : record.cwd;
      ctx.print(
        `Started ${record.name} (${record.profile}) in ${where}; attach with: devmesh term attach ${record.terminalId}`,
      );
    }
    return EXIT.ok;
  }

  /** `usage`: the TOKENS and COST columns (devmesh usage), with the budget when one is set */
  static table(list: AgentRecord[], usage: AgentUsage[] = []): string {
    const table = new TextTable([
      'NAME',
      'PROFILE',
      'STATUS',
      'TERMINAL',
      'WORKTREE',
      'ROLE',
      'TOKENS',
      'COST',
      'TASK',
    ]);
    const byId = new Map(usage.map((u) => [u.agentId, formatUsage(u)]));
    for (const a of list) {
      const status = a.status === 'exited' ? `exited${a.exitCode !== null ? ` ${a.exitCode}` : ''}` : a.status;
      const figures = byId.get(a.id);
      table.add([
        a.name,
        a.profile,
        status,
        a.terminalId,
        a.worktree?.branch ?? null,
        a.role,
        figures?.tokens ?? null,
        figures?.cost ?? null,
        a.task === null ? null : a.task.length > 40 ? `${a.task.slice(0, 39)}…` : a.task,
      ]);
    }
    return table.render();
  }
}
