// `devmesh remind <to> <when> <message…>`, `devmesh remind ls`, `devmesh remind cancel <id>`: messages DevMesh
// sends from `devmesh` on a schedule (once, or on a cron expression), kept across restarts.
import { MessagePartySchema } from '../../../shared/message.js';
import { ReminderIdSchema, type Reminder } from '../../../shared/reminder.js';
import { EXIT, type CliCommand } from '../cli-command.js';
import type { CliContext } from '../cli-context.js';
import type { CommandArgs } from '../command-args.js';
import { TextTable } from '../text-table.js';
import * as timeText from '../time-text.js';
import { UsageError } from '../usage-error.js';

const CELL_WIDTH = 60;

export class RemindCommands {
  commands(): CliCommand[] {
    return [
      {
        name: 'remind',
        summary: 'messages DevMesh sends on a schedule: remind <to> <when> <text>, ls, cancel',
        usage: `Usage: devmesh remind <to> <when> <text...> [--as WHO] [--tz ZONE] [--json]
       devmesh remind ls [--all] [--json]
       devmesh remind cancel <id> [--as WHO] [--json]

A reminder is a message from \`devmesh\` sent through the message board at its time, so an agent gets
it as any message (read_messages, its context hooks, typed at its idle prompt) and you get it as a
message to \`user\`. <to> is addressed as \`devmesh msg send\` addresses it: an agent name or id,
\`user\`, @ROLE, '*' for everyone, NAME@MACHINE for a teammate's agent.
<when> is one argument (quote it when it has spaces):
  in 10m, in 2h30m, in 1d       from now (units d, h, m, s)
  2026-12-07T15:30              an ISO time (local time; add Z or +01:00 for another zone)
  "0 9 * * 1-5"                 a cron expression of five fields, here 9:00 on weekdays; @daily, @hourly
A cron reminder repeats until cancelled; its times are in the daemon's zone unless --tz names one
(Europe/Paris). Reminders are kept across restarts: one whose time passed while DevMesh was down is sent
once when it starts, marked late; a repeating one skips what it missed. \`ls\` lists the scheduled ones
(--all: done and cancelled too).

Examples:
  devmesh remind fixer "in 30m" "check the CI run and report"
  devmesh remind user "in 1h" stretch
  devmesh remind @frontend "0 9 * * 1-5" "post your plan for today" --tz Europe/Paris
  devmesh remind ls
  devmesh remind cancel rem-3f9a1c2b7d00`,
        options: {
          as: { type: 'string' },
          tz: { type: 'string' },
          all: { type: 'boolean' },
          json: { type: 'boolean' },
        },
        positionals: { min: 1, max: 1000, name: '<to> <when> <text...> | ls | cancel <id>' },
        run: (ctx, args) => this.remind(ctx, args),
      },
    ];
  }

  private async remind(ctx: CliContext, args: CommandArgs): Promise<number> {
    const [first, second, ...rest] = args.positionals as [string, ...string[]];
    if (first === 'ls' && second === undefined) return this.list(ctx, args);
    if (first === 'cancel' && second !== undefined && rest.length === 0) return this.cancel(ctx, args, second);
    const body = rest.join(' ');
    if (second === undefined || body.trim() === '')
      throw new UsageError(
        `'remind' needs a recipient, a time and a text: devmesh remind fixer "in 30m" "check the CI run"`,
        'remind',
      );
    RemindCommands.party(first, '<to>');
    const by = args.string('as') ?? 'user';
    RemindCommands.party(by, '--as');
    const timezone = args.string('tz');
    const reminder = await ctx.withClient((c) =>
      c.call('reminders.create', {
        to: first,
        when: second,
        body,
        by,
        ...(timezone !== undefined ? { timezone } : {}),
      }),
    );
    if (args.flag('json')) ctx.printJson(reminder);
    else {
      const repeats = reminder.schedule.kind === 'cron' ? `, then on "${reminder.schedule.expression}"` : '';
      ctx.print(
        `Reminder ${reminder.id} for ${RemindCommands.toText(reminder)} at ${RemindCommands.next(reminder)}${repeats}. ` +
          `Cancel it with \`devmesh remind cancel ${reminder.id}\`.`,
      );
    }
    return EXIT.ok;
  }

  private async list(ctx: CliContext, args: CommandArgs): Promise<number> {
    const list = await ctx.withClient((c) => c.call('reminders.list', { all: args.flag('all') }));
    if (args.flag('json')) ctx.printJson(list);
    else if (list.length === 0)
      ctx.print('No reminders scheduled. Add one with `devmesh remind <to> "in 10m" "<text>"`.');
    else ctx.print(RemindCommands.table(list));
    return EXIT.ok;
  }

  private async cancel(ctx: CliContext, args: CommandArgs, id: string): Promise<number> {
    if (!ReminderIdSchema.safeParse(id).success)
      throw new UsageError(`'${id}' is not a reminder id (rem-…; see \`devmesh remind ls\`)`, 'remind');
    const by = args.string('as') ?? 'user';
    RemindCommands.party(by, '--as');
    const reminder = await ctx.withClient((c) => c.call('reminders.cancel', { id, by }));
    if (args.flag('json')) ctx.printJson(reminder);
    else ctx.print(`Cancelled reminder ${reminder.id} for ${RemindCommands.toText(reminder)}.`);
    return EXIT.ok;
  }

  static table(list: Reminder[]): string {
    const table = new TextTable(['ID', 'NEXT', 'TO', 'WHEN', 'STATE', 'FIRED', 'TEXT']);
    for (const r of list)
      table.add([
        r.id,
        r.nextAt === null ? '-' : timeText.clock(r.nextAt),
        RemindCommands.toText(r),
        r.when,
        r.lastError ? `${r.state} (last not sent)` : r.state,
        r.fired,
        RemindCommands.short(r.body),
      ]);
    return table.render();
  }

  private static next(r: Reminder): string {
    return r.nextAt === null ? '-' : timeText.clock(r.nextAt);
  }

  private static toText(r: Reminder): string {
    return r.to === '*' ? 'everyone' : r.toName;
  }

  private static party(value: string, what: string): void {
    if (!MessagePartySchema.safeParse(value).success)
      throw new UsageError(`${what} '${value}' is not an agent name or id, name@machine, user, @role, or *`, 'remind');
  }

  private static short(text: string): string {
    const line = text.replace(/\s+/g, ' ').trim();
    return line.length > CELL_WIDTH ? `${line.slice(0, CELL_WIDTH - 1)}…` : line;
  }
}
