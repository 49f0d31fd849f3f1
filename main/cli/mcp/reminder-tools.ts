// The MCP tools for reminders (schedule_reminder, list_reminders, cancel_reminder): an agent schedules a
// message from `devmesh` to itself, another agent, the human, a role or everyone. McpToolTable lists them.
import { z } from 'zod';
import { MESSAGE_MAX_BYTES, MessagePartySchema } from '../../../shared/message.js';
import { ReminderIdSchema, type Reminder } from '../../../shared/reminder.js';
import { defineTool, type McpToolSpec } from './mcp-tool-spec.js';

function line(r: Reminder): string {
  const next = r.nextAt === null ? 'no next time' : `next at ${new Date(r.nextAt).toISOString()}`;
  const repeats = r.schedule.kind === 'cron' ? ` (repeats: ${r.schedule.expression})` : '';
  return `Reminder ${r.id} for ${r.toName}, ${next}${repeats}.`;
}

/** `you`: the identity line the descriptions end with */
export function reminderTools(you: string): McpToolSpec[] {
  return [
    defineTool({
      name: 'schedule_reminder',
      title: 'Schedule a reminder',
      description: `Schedule a message DevMesh sends later, from \`devmesh\`, through the message board: to yourself (\`me\`) to resume or check on something, to another agent, to the human (\`user\`), to a role (\`@frontend\`) or to everyone (\`*\`). \`when\` is \`in 10m\`, \`in 2h30m\` (units d, h, m, s), an ISO time (2026-12-07T15:30, local time unless it ends in Z or an offset), or a five-field cron expression (\`0 9 * * 1-5\`: 9:00 on weekdays) for a repeating one. It is kept across DevMesh restarts; cancel it with cancel_reminder. ${you}`,
      input: {
        to: z
          .union([z.literal('me'), MessagePartySchema])
          .default('me')
          .describe('`me` (default), an agent id or name, `name@machine`, `user`, `@role`, or `*`'),
        when: z.string().min(1).max(200).describe('`in 10m`, `in 2h30m`, an ISO time, or a cron expression'),
        body: z.string().min(1).max(MESSAGE_MAX_BYTES).describe('the message it sends'),
        timezone: z.string().min(1).max(64).optional().describe('for a cron expression: an IANA zone (Europe/Paris)'),
      },
      readOnly: false,
      run: async (args, ctx) => {
        const reminder = await ctx.call('reminders.create', {
          to: args.to === 'me' ? ctx.agent : args.to,
          when: args.when,
          body: args.body,
          by: ctx.agent,
          ...(args.timezone !== undefined ? { timezone: args.timezone } : {}),
        });
        return line(reminder);
      },
    }),
    defineTool({
      name: 'list_reminders',
      title: 'List reminders',
      description:
        "List the scheduled reminders (everyone's), soonest first: id, recipient, body, schedule, next time (ms since epoch), how often it fired and the last error. `all: true` adds the done and cancelled ones.",
      input: { all: z.boolean().default(false).describe('done and cancelled ones too') },
      readOnly: true,
      run: async (args, ctx) => {
        const list = await ctx.call('reminders.list', { all: args.all });
        return list.length === 0 ? 'No reminders scheduled.' : JSON.stringify(list);
      },
    }),
    defineTool({
      name: 'cancel_reminder',
      title: 'Cancel a reminder',
      description: `Cancel a scheduled reminder by its id (rem-…, from schedule_reminder or list_reminders); it will not fire again. ${you}`,
      input: { id: ReminderIdSchema.describe('the reminder id, rem-…') },
      readOnly: false,
      run: async (args, ctx) => {
        const reminder = await ctx.call('reminders.cancel', { id: args.id, by: ctx.agent });
        return `Cancelled reminder ${reminder.id} for ${reminder.toName}.`;
      },
    }),
  ];
}
