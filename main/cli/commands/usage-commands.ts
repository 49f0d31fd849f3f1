// `devmesh usage ls|task|budget|receiver`: what agents cost (token and cost figures their CLIs export to
// DevMesh's OTLP receiver) and per-agent budgets that warn, then stop the agent.
import { formatTokens, formatUsage, totalTokens, type AgentUsage } from '../../../shared/usage.js';
import { EXIT, type CliCommand } from '../cli-command.js';
import type { CliContext } from '../cli-context.js';
import type { CommandArgs } from '../command-args.js';
import { TextTable } from '../text-table.js';
import { UsageError } from '../usage-error.js';

const ACTIONS = ['ls', 'task', 'budget', 'receiver'] as const;

export class UsageCommands {
  commands(): CliCommand[] {
    return [
      {
        name: 'usage',
        summary: 'what agents cost (tokens, USD) and their budgets: ls, task, budget, receiver',
        usage: `Usage: devmesh usage ls [--json]
       devmesh usage task <task-id> [--json]
       devmesh usage budget <agent> <limit|off> [--tokens] [--warn-at 0.8]
       devmesh usage receiver [--json]

Claude Code and Codex export their own token counts (and Claude Code its cost estimate) over
OpenTelemetry; DevMesh points every agent it starts at its loopback OTLP receiver and counts them to the
agent and to the task it holds. \`budget\` sets a limit in USD (or in tokens with --tokens, every token
counted): past --warn-at of it (default 0.8) you get a message, past the limit the agent is stopped.
\`off\` removes the budget. \`devmesh agent ls\` shows the figures too.

Examples:
  devmesh usage budget claude-2 5          # $5.00
  devmesh usage budget codex 2000000 --tokens
  devmesh usage task task-3f9a`,
        options: {
          json: { type: 'boolean' },
          tokens: { type: 'boolean' },
          'warn-at': { type: 'string' },
        },
        positionals: { min: 1, max: 3, name: '<ls|task|budget|receiver> [args]' },
        run: (ctx, args) => this.usage(ctx, args),
      },
    ];
  }

  private async usage(ctx: CliContext, args: CommandArgs): Promise<number> {
    const [action, ...rest] = args.positionals as [string, ...string[]];
    if (!(ACTIONS as readonly string[]).includes(action))
      throw new UsageError(`unknown action '${action}': use ${ACTIONS.join(', ')}`, 'usage');
    switch (action) {
      case 'ls': {
        const list = await ctx.withClient((c) => c.call('usage.agents', {}));
        if (args.flag('json')) ctx.printJson(list);
        else if (list.length === 0) ctx.print('No agents yet.');
        else ctx.print(UsageCommands.table(list));
        return EXIT.ok;
      }
      case 'task': {
        if (rest.length < 1) throw new UsageError("'usage task' needs a task id (see `devmesh task ls`)", 'usage');
        const usage = await ctx.withClient((c) => c.call('usage.task', { task: rest[0]! }));
        if (args.flag('json')) ctx.printJson(usage);
        else ctx.print(UsageCommands.table(usage.agents.map((a) => ({ ...a, budget: null }))));
        return EXIT.ok;
      }
      case 'budget':
        return this.budget(ctx, args, rest);
      default: {
        const info = await ctx.withClient((c) => c.call('usage.receiver', {}));
        if (args.flag('json')) ctx.printJson(info);
        else
          ctx.print(
            `OTLP receiver: ${info.endpoint ?? 'not listening'}; ${info.accepted} exports taken, ${info.counted} ` +
              `figures counted, ${info.unknownAgent} naming no agent of DevMesh's, ${info.refused} refused`,
          );
        return EXIT.ok;
      }
    }
  }

  private async budget(ctx: CliContext, args: CommandArgs, rest: string[]): Promise<number> {
    if (rest.length < 2) throw new UsageError("'usage budget' needs an agent and a limit (or off)", 'usage');
    const [agent, raw] = rest as [string, string];
    const limit = raw === 'off' ? null : Number(raw.replace(/^\$/, ''));
    if (limit !== null && (!Number.isFinite(limit) || limit <= 0))
      throw new UsageError(`the limit must be a positive number or off, not '${raw}'`, 'usage');
    const warnRaw = args.string('warn-at');
    const warnAt = warnRaw === undefined ? 0.8 : Number(warnRaw);
    if (!(warnAt > 0 && warnAt <= 1))
      throw new UsageError(`--warn-at is a fraction in (0, 1], not '${warnRaw}'`, 'usage');
    const unit = args.flag('tokens') ? 'tokens' : 'usd';
    const usage = await ctx.withClient((c) => c.call('usage.setBudget', { agent, unit, limit, warnAt }));
    if (args.flag('json')) ctx.printJson(usage);
    else if (usage.budget === null) ctx.print(`${usage.name}: no budget.`);
    else {
      const { tokens, cost } = formatUsage(usage);
      ctx.print(
        `${usage.name}: ${unit === 'usd' ? cost : tokens}; warned at ${Math.round(warnAt * 100)}%, stopped past it.`,
      );
    }
    return EXIT.ok;
  }

  static table(list: Pick<AgentUsage, 'name' | 'figures' | 'budget'>[]): string {
    const table = new TextTable(['AGENT', 'INPUT', 'OUTPUT', 'CACHE READ', 'CACHE WRITE', 'TOKENS', 'COST']);
    for (const u of list) {
      const shown = formatUsage(u);
      table.add([
        u.name,
        formatTokens(u.figures.inputTokens),
        formatTokens(u.figures.outputTokens),
        formatTokens(u.figures.cacheReadTokens),
        formatTokens(u.figures.cacheCreationTokens),
        totalTokens(u.figures) === 0 && u.budget === null ? '-' : shown.tokens,
        shown.cost,
      ]);
    }
    return table.render();
  }
}
