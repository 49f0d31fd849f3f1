// `devmesh task add|ls|show|cancel|bid`: the task board. A person posts tasks, agents bid for them, the best
// score wins (shared/task.ts); these commands post, list, explain (history, bids and their score parts,
// locks), cancel, and bid on behalf of an agent that cannot bid itself (aider has no MCP client).
import type { LockInfo } from '../../../shared/lock.js';
import {
  AWARD_WEIGHTS,
  TASK_STATES,
  TaskIdSchema,
  type TaskDetail,
  type TaskInfo,
  type TaskState,
} from '../../../shared/task.js';
import { EXIT, type CliCommand } from '../cli-command.js';
import type { CliContext } from '../cli-context.js';
import type { CommandArgs } from '../command-args.js';
import { TextTable } from '../text-table.js';
import * as timeText from '../time-text.js';
import { UsageError } from '../usage-error.js';
import { LockCommands } from './lock-commands.js';

const ACTIONS = ['add', 'ls', 'show', 'cancel', 'bid'] as const;
const TITLE_WIDTH = 50;
const MAX_ESTIMATE_MS = 10_000 * 60_000;

export class TaskCommands {
  commands(): CliCommand[] {
    return [
      {
        name: 'task',
        summary: 'the task board agents bid for: add, ls, show, cancel, bid',
        usage: `Usage: devmesh task add <title> --prompt P [--file GLOB]... [--cap C]... [--priority N] [--after TASK]... [--critic] [--project P] [--json]
       devmesh task ls [--all] [--state S]... [--assignee AGENT] [--project P] [--json]
       devmesh task show <task> [--json]
       devmesh task cancel <task> [--reason R]
       devmesh task bid <task> --as <agent> [--estimate 30m] [--cap C]... [--note N] [--json]

A task is offered to every running agent that can take it; agents bid, and when bidding closes the best
score wins (never simply the first bid):
  score = ${AWARD_WEIGHTS.match} x capability match + ${AWARD_WEIGHTS.load} x 1/(1 + tasks it holds) + ${AWARD_WEIGHTS.estimate} x 1/(1 + estimate/30 min)
The winner gets INTENT locks on the task's --file globs (relative to the project root) and its prompt.
--cap names a capability the task needs (typescript, tests, frontend); --after makes it wait for another
task to complete; --critic has a second agent review the work once it is done; --priority from -100 to
100, higher first. \`ls\` shows the board: by state (${TASK_STATES.join(', ')}), then priority.
\`ls --all\` adds teammates' open tasks of the same projects (HOME: the machine that posted and decides them).
\`bid\` bids for an agent that cannot (aider, a plain shell): --estimate is how long it expects to take.

Examples:
  devmesh task add "Fix login redirect" --prompt "After login the user lands on /; send them back to ?next=" \\
      --file 'src/auth/**' --cap typescript --priority 10
  devmesh task ls --state QUEUED --state WORKING
  devmesh task show task-8k2m4q
  devmesh task bid task-8k2m4q --as aider-1 --estimate 45m --cap typescript
  devmesh task cancel task-8k2m4q --reason "done by hand"`,
        options: {
          prompt: { type: 'string' },
          file: { type: 'string', multiple: true },
          cap: { type: 'string', multiple: true },
          priority: { type: 'string' },
          after: { type: 'string', multiple: true },
          critic: { type: 'boolean' },
          project: { type: 'string' },
          json: { type: 'boolean' },
          all: { type: 'boolean' },
          state: { type: 'string', multiple: true },
          assignee: { type: 'string' },
          reason: { type: 'string' },
          as: { type: 'string' },
          estimate: { type: 'string' },
          note: { type: 'string' },
        },
        positionals: { min: 1, max: 2, name: '<add|ls|show|cancel|bid> [title|task]' },
        run: (ctx, args) => this.task(ctx, args),
      },
    ];
  }

  private async task(ctx: CliContext, args: CommandArgs): Promise<number> {
    const [action, arg] = args.positionals as [string, string | undefined];
    if (!(ACTIONS as readonly string[]).includes(action))
      throw new UsageError(`unknown action '${action}': use ${ACTIONS.join(', ')}`, 'task');
    if (action === 'ls') {
      if (arg !== undefined)
        throw new UsageError(`'task ls' takes no arguments (got '${arg}'); filter with --state`, 'task');
      return this.list(ctx, args);
    }
    if (arg === undefined)
      throw new UsageError(
        action === 'add'
          ? `'task add' needs a title: devmesh task add "Fix login" --prompt "..."`
          : `'task ${action}' needs a task id (see \`devmesh task ls\`)`,
        'task',
      );
    if (action === 'add') return this.add(ctx, args, arg);
    const task = TaskCommands.taskId(arg);
    if (action === 'show') return this.show(ctx, args, task);
    if (action === 'cancel') {
      const reason = args.string('reason');
      const info = await ctx.withClient((c) =>
        c.call('tasks.cancel', { task, by: 'user', ...(reason !== undefined ? { reason } : {}) }),
      );
      if (args.flag('json')) ctx.printJson(info);
      else ctx.print(`Cancelled ${info.id} "${info.title}"${reason ? `: ${reason}` : ''}.`);
      return EXIT.ok;
    }
    return this.bid(ctx, args, task);
  }

  private async add(ctx: CliContext, args: CommandArgs, title: string): Promise<number> {
    const prompt = args.string('prompt');
    if (prompt === undefined || prompt.trim() === '')
      throw new UsageError(`'task add' needs --prompt: what the agent that wins the task is asked to do`, 'task');
    const project = ctx.projectRef(args);
    const priority = TaskCommands.priority(args.string('priority'));
    const input = {
      title,
      prompt,
      files: args.strings('file'),
      capabilities: args.strings('cap').map((c) => c.toLowerCase()),
      dependsOn: args.strings('after').map((t) => TaskCommands.taskId(t)),
      criticRequired: args.flag('critic'),
      by: 'user',
      ...(priority !== undefined ? { priority } : {}),
      ...(project !== undefined ? { project } : {}),
    };
    const info = await ctx.withClient((c) => c.call('tasks.create', input));
    if (args.flag('json')) ctx.printJson(info);
    else {
      ctx.print(`Added ${info.id} "${info.title}": ${info.state}${info.stateReason ? ` (${info.stateReason})` : ''}.`);
      ctx.print(`Follow it with: devmesh task show ${info.id}`);
    }
    return EXIT.ok;
  }

  private async list(ctx: CliContext, args: CommandArgs): Promise<number> {
    const states = args
      .strings('state')
      .flatMap((s) => s.split(','))
      .map((s) => TaskCommands.state(s));
    const project = ctx.projectRef(args);
    const assignee = args.string('assignee');
    const input = {
      ...(states.length ? { states } : {}),
      ...(project !== undefined ? { project } : {}),
      ...(assignee !== undefined ? { assignee } : {}),
      ...(args.flag('all') ? { all: true } : {}),
    };
    const list = TaskCommands.boardOrder(await ctx.withClient((c) => c.call('tasks.list', input)));
    if (args.flag('json')) ctx.printJson(list);
    else if (list.length === 0)
      ctx.print(
        states.length || assignee
          ? 'No tasks match.'
          : 'No tasks yet. Post one with `devmesh task add "<title>" --prompt "<what to do>"`.',
      );
    else ctx.print(TaskCommands.table(list, Date.now(), args.flag('all')));
    return EXIT.ok;
  }

  private async show(ctx: CliContext, args: CommandArgs, task: string): Promise<number> {
    const [detail, locks] = await ctx.withClient(async (c) => {
      const d = await c.call('tasks.get', { task });
      // The task names its locks by id; the lock space says what each covers.
      const held = d.lockIds.length ? (await c.call('locks.list', { project: d.project })).flatMap((s) => s.locks) : [];
      return [d, held] as const;
    });
    if (args.flag('json')) ctx.printJson(detail);
    else ctx.print(TaskCommands.detail(detail, locks, Date.now()));
    return EXIT.ok;
  }

  private async bid(ctx: CliContext, args: CommandArgs, task: string): Promise<number> {
    const agent = args.string('as');
    if (agent === undefined || agent === '')
      throw new UsageError(`'task bid' needs --as <agent>: the agent (name or id) the bid is for`, 'task');
    const estimateMs = timeText.duration('task', 'estimate', args.string('estimate'), { min: 0, max: MAX_ESTIMATE_MS });
    const note = args.string('note');
    const input = {
      task,
      agent,
      capabilities: args.strings('cap').map((c) => c.toLowerCase()),
      ...(estimateMs !== undefined ? { estimateMinutes: estimateMs / 60_000 } : {}),
      ...(note !== undefined ? { note } : {}),
    };
    const bid = await ctx.withClient((c) => c.call('tasks.bid', input));
    if (args.flag('json')) ctx.printJson(bid);
    else
      ctx.print(
        `${bid.agentName} bid for ${bid.task}: score ${bid.score.toFixed(3)} (match ${bid.match.toFixed(2)}, load ${bid.load}, estimate ${bid.estimateMinutes} min).`,
      );
    return EXIT.ok;
  }

  /** The board: states in lifecycle order, then higher priority, then older first. */
  static boardOrder(list: TaskInfo[]): TaskInfo[] {
    const rank = (s: TaskState): number => TASK_STATES.indexOf(s);
    return [...list].sort(
      (a, b) => rank(a.state) - rank(b.state) || b.priority - a.priority || a.createdAt - b.createdAt,
    );
  }

  /** with `home`, a HOME column: the machine that posted a teammate's task (`here` for this machine's) */
  static table(list: TaskInfo[], now: number, home = false): string {
    const table = new TextTable([
      'TASK',
      'STATE',
      'PRI',
      'TITLE',
      ...(home ? ['HOME'] : []),
      'ASSIGNEE',
      'BIDS',
      'UPDATED',
    ]);
    for (const t of list) {
      const title = t.title.length > TITLE_WIDTH ? `${t.title.slice(0, TITLE_WIDTH - 1)}…` : t.title;
      const machine = t.home ? `${t.home.name}${t.home.reachable ? '' : ' (unreachable)'}` : 'here';
      table.add([
        t.id,
        t.state,
        t.priority,
        title,
        ...(home ? [machine] : []),
        t.assigneeName ?? t.assigneeId,
        t.bidCount,
        `${timeText.span(now - t.updatedAt)} ago`,
      ]);
    }
    return table.render();
  }

  static detail(t: TaskDetail, locks: readonly LockInfo[], now: number): string {
    const list = (xs: readonly string[]): string => (xs.length ? xs.join(', ') : '-');
    const lines = [
      `${t.id}  ${t.title}`,
      `state:     ${t.state}${t.stateReason ? ` (${t.stateReason})` : ''}`,
      `project:   ${t.project}${t.project !== t.root ? ` (${t.root})` : ''}`,
      `priority:  ${t.priority}`,
      `assignee:  ${t.assigneeName ?? t.assigneeId ?? '-'}${t.terminalId ? ` (terminal ${t.terminalId})` : ''}`,
      `files:     ${list(t.files)}`,
      `needs:     ${list(t.capabilities)}`,
      `after:     ${list(t.dependsOn)}`,
      `critic:    ${t.criticRequired ? 'required' : 'no'}${t.criticOf ? `; reviews ${t.criticOf}` : ''}`,
      `attempts:  ${t.attempts}`,
      `note:      ${t.note ?? '-'}`,
      `created:   ${timeText.clock(t.createdAt)} by ${t.createdBy}`,
      '',
      'prompt:',
      ...t.prompt.split('\n').map((l) => `  ${l}`),
      '',
      'history:',
    ];
    const history = new TextTable(['WHEN', 'FROM', 'TO', 'BY', 'WHY']);
    for (const h of t.history) history.add([timeText.clock(h.at), h.from, h.to, h.by, h.why]);
    lines.push(TaskCommands.indent(history.render()));
    lines.push('', `bids (${t.bids.length}):`);
    if (t.bids.length === 0) lines.push('  none this round');
    else {
      const bids = new TextTable(['AGENT', 'SCORE', 'MATCH', 'LOAD', 'ESTIMATE', 'OFFERS', 'WHEN', 'NOTE']);
      for (const b of t.bids)
        bids.add([
          b.agentName,
          b.score.toFixed(3),
          b.match.toFixed(2),
          b.load,
          `${b.estimateMinutes} min`,
          list(b.capabilities),
          `${timeText.span(now - b.at)} ago`,
          b.note,
        ]);
      lines.push(TaskCommands.indent(bids.render()));
    }
    lines.push('', `locks (${t.lockIds.length}):`);
    if (t.lockIds.length === 0) lines.push('  none');
    else {
      const table = new TextTable(['LOCK', 'TARGET', 'MODE', 'EXPIRES IN']);
      for (const id of t.lockIds) {
        const l = locks.find((x) => x.id === id);
        table.add(
          l
            ? [id, LockCommands.target(l.target), l.mode, timeText.span(l.expiresAt - now)]
            : [id, '(no longer held)', null, null],
        );
      }
      lines.push(TaskCommands.indent(table.render()));
    }
    return lines.join('\n');
  }

  private static taskId(raw: string): string {
    if (!TaskIdSchema.safeParse(raw).success)
      throw new UsageError(
        `'${raw}' is not a task id: task ids look like task-8k2m4q (see \`devmesh task ls\`)`,
        'task',
      );
    return raw;
  }

  private static state(raw: string): TaskState {
    const s = raw.trim().toUpperCase();
    if (!(TASK_STATES as readonly string[]).includes(s))
      throw new UsageError(`--state must be one of ${TASK_STATES.join(', ')}, not '${raw}'`, 'task');
    return s as TaskState;
  }

  private static priority(raw: string | undefined): number | undefined {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!/^-?\d+$/.test(raw.trim()) || n < -100 || n > 100)
      throw new UsageError(`--priority must be a whole number from -100 to 100, not '${raw}'`, 'task');
    return n;
  }

  private static indent(text: string): string {
    return text
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n');
  }
}
