// Reminders (issue 16): a message DevMesh sends (as `devmesh`, through the message board) to an agent, the
// human, a role or everyone, once at a time (`in 10m`, an ISO time) or on a cron schedule. Kept in the store,
// so they outlive a daemon restart; the core schedules them (main/core/reminders/).
import { z } from 'zod';
import { MESSAGE_MAX_BYTES, MessagePartySchema } from './message.js';

export const ReminderIdSchema = z.string().regex(/^rem-[a-z0-9]{4,32}$/, 'a reminder id: rem-…');

/** when it fires: once at `at` (ms since epoch), or at every occurrence of a cron expression */
export const ReminderScheduleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('once'), at: z.number() }),
  z.object({
    kind: z.literal('cron'),
    expression: z.string(),
    /** an IANA zone (Europe/Paris); null: the daemon's own */
    timezone: z.string().nullable(),
  }),
]);
export type ReminderSchedule = z.infer<typeof ReminderScheduleSchema>;

/** scheduled: waits for its next time; done: a one-time reminder that fired; cancelled: will never fire */
export const ReminderStateSchema = z.enum(['scheduled', 'done', 'cancelled']);
export type ReminderState = z.infer<typeof ReminderStateSchema>;

export const ReminderSchema = z.object({
  id: ReminderIdSchema,
  /** the recipient as the message board addresses it (an agent's id, `user`, `@role`, `*`, `name@machine`) */
  to: z.string(),
  toName: z.string(),
  body: z.string(),
  /** the schedule as it was written (`in 10m`, `0 9 * * 1-5`) */
  when: z.string(),
  schedule: ReminderScheduleSchema,
  state: ReminderStateSchema,
  /** the next time it fires (ms since epoch); null once done or cancelled */
  nextAt: z.number().nullable(),
  createdBy: z.string(),
  createdAt: z.number(),
  fired: z.number().int(),
  lastFiredAt: z.number().nullable(),
  /** why its last message could not be sent (the recipient is gone…); null: it was sent */
  lastError: z.string().nullable(),
});
export type Reminder = z.infer<typeof ReminderSchema>;

export const ReminderCreateInputSchema = z
  .object({
    to: MessagePartySchema,
    /** `in 10m`, `in 2h30m`, an ISO time (`2026-12-07T15:30`, `…Z`, `…+01:00`), or a cron expression */
    when: z.string().min(1).max(200),
    body: z.string().min(1).max(MESSAGE_MAX_BYTES),
    /** who asks for it (an agent id or name, or `user`) */
    by: MessagePartySchema.default('user'),
    /** for a cron expression: the IANA zone its times are in (default: the daemon's) */
    timezone: z.string().min(1).max(64).optional(),
  })
  .strict();

export const ReminderListInputSchema = z
  .object({
    /** done and cancelled ones too (newest first after the scheduled ones) */
    all: z.boolean().default(false),
  })
  .strict();

export const ReminderCancelInputSchema = z
  .object({ id: ReminderIdSchema, by: MessagePartySchema.default('user') })
  .strict();

/** a reminder was created, cancelled, or changed by firing (its next time, its count) */
export const ReminderChangedEventSchema = z.object({
  type: z.literal('reminder.changed'),
  ts: z.number(),
  reminder: ReminderSchema,
});

/** a reminder's message went out (or could not: `error`) */
export const ReminderFiredEventSchema = z.object({
  type: z.literal('reminder.fired'),
  ts: z.number(),
  id: ReminderIdSchema,
  to: z.string(),
  /** the occurrence it fired for */
  dueAt: z.number(),
  /** it fired after its time: DevMesh was not running (or the machine slept) then */
  late: z.boolean(),
  /** the message's seq on this machine's board; null when it was not sent */
  messageSeq: z.number().int().nullable(),
  error: z.string().nullable(),
});
