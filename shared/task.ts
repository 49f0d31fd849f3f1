// The task command center: a task a human (or an agent) posts, the bids agents make for it, the award by
// score, and its lifecycle. The score and the transitions are documented here because every face shows them.
//
// Lifecycle: QUEUED → BIDDING → CLAIMED → WORKING → COMPLETED | FAILED, with PAUSED (from CLAIMED or
// WORKING, back to WORKING), ABANDONED (its agent exited or went silent: recorded, then QUEUED again) and
// CANCELLED (by a human, from any state that is not final).
// - QUEUED: waiting for its dependencies to complete, or for an eligible agent to bid.
// - BIDDING: broadcast to every eligible running agent; bids are taken until the bidding window closes
//   (or every eligible agent has bid), then the best score wins: never the first bid.
// - CLAIMED: awarded; the winner holds INTENT locks on the task's files, taken in the same step as the
//   award (all or none: a bid whose files are held elsewhere is passed over, and the task waits when none
//   can be served). The prompt is typed into the winner's terminal when it waits for input.
// - WORKING: the prompt was delivered, or the agent said it started (claim_task / update_task).
// - COMPLETED / FAILED: said by the agent (complete_task) or a human; the locks are released. A completed
//   task with `criticRequired` gets a critic task, which its author may not win.
import { z } from 'zod';

export const TASK_STATES = [
  'QUEUED',
  'BIDDING',
  'CLAIMED',
  'WORKING',
  'PAUSED',
  'COMPLETED',
  'FAILED',
  'ABANDONED',
  'CANCELLED',
] as const;
export const TaskStateSchema = z.enum(TASK_STATES);
export type TaskState = z.infer<typeof TaskStateSchema>;
export const FINAL_TASK_STATES: readonly TaskState[] = ['COMPLETED', 'FAILED', 'CANCELLED'];

export const TaskIdSchema = z.string().regex(/^task-[a-z0-9]{4,32}$/, 'a task id: task-…');
/** who acts: an agent id or name, or `user` (a human through the UI or the CLI), or `devmesh` */
export const TaskActorSchema = z.string().min(1).max(128);
const Capability = z.string().regex(/^[a-z0-9][a-z0-9._+-]{0,63}$/, 'a lower-case word: typescript, tests, frontend');
const FileGlob = z
  .string()
  .min(1)
  .max(1024)
  .refine((s) => !s.includes('\0'), 'no NUL bytes');

/**
 * The award score of a bid, in [0, 1]; the highest wins, ties go to the earlier bid:
 *   score = 0.6 · match + 0.25 · 1 / (1 + load) + 0.15 · 1 / (1 + estimateMinutes / 30)
 * match: the share of the task's required capabilities the bid offers (1 when none are required; a bid
 * that offers none of several required capabilities still scores, so a lone agent can take the task);
 * load: the tasks the agent holds in CLAIMED, WORKING or PAUSED, counted by DevMesh, not said by the agent;
 * estimateMinutes: the agent's own estimate (capped at 480).
 */
export const AWARD_WEIGHTS = { match: 0.6, load: 0.25, estimate: 0.15 } as const;

export const TaskCreateInputSchema = z
  .object({
    /** a project id or root; the task's file globs are relative to its root. Omitted: the only open project */
    project: z.string().min(1).max(4096).optional(),
    title: z.string().min(1).max(200),
    prompt: z.string().min(1).max(32_768),
    /** globs relative to the project root (`src/auth/**`): INTENT locks are taken on them at the award */
    files: z.array(FileGlob).max(64).default([]),
    capabilities: z.array(Capability).max(32).default([]),
    /** higher first; 0 by default */
    priority: z.number().int().min(-100).max(100).default(0),
    /** tasks that must be COMPLETED before this one is offered */
    dependsOn: z.array(TaskIdSchema).max(64).default([]),
    criticRequired: z.boolean().default(false),
    /** who posts it (default `user`) */
    by: TaskActorSchema.default('user'),
  })
  .strict();
export type TaskCreateInput = z.input<typeof TaskCreateInputSchema>;

export const BidSchema = z.object({
  task: TaskIdSchema,
  agentId: z.string(),
  agentName: z.string(),
  /** what the agent said it can do */
  capabilities: z.array(z.string()),
  estimateMinutes: z.number(),
  note: z.string().nullable(),
  /** the three parts of the score, as DevMesh computed them */
  match: z.number(),
  load: z.number().int(),
  score: z.number(),
  at: z.number(),
});
export type Bid = z.infer<typeof BidSchema>;

export const BidInputSchema = z
  .object({
    task: TaskIdSchema,
    /** an agent id or name */
    agent: TaskActorSchema,
    capabilities: z.array(Capability).max(32).default([]),
    estimateMinutes: z.number().min(0).max(10_000).default(30),
    note: z.string().max(2000).optional(),
  })
  .strict();
export type BidInput = z.input<typeof BidInputSchema>;

export const TaskTransitionSchema = z.object({
  from: TaskStateSchema.nullable(),
  to: TaskStateSchema,
  by: z.string(),
  why: z.string(),
  at: z.number(),
});
export type TaskTransition = z.infer<typeof TaskTransitionSchema>;

export const TaskInfoSchema = z.object({
  id: TaskIdSchema,
  /** the project id, or the root when no project is open under it */
  project: z.string(),
  root: z.string(),
  title: z.string(),
  prompt: z.string(),
  files: z.array(z.string()),
  capabilities: z.array(z.string()),
  priority: z.number().int(),
  dependsOn: z.array(TaskIdSchema),
  criticRequired: z.boolean(),
  /** for a critic task: the task it reviews */
  criticOf: TaskIdSchema.nullable(),
  state: TaskStateSchema,
  /** why it is in that state, in words */
  stateReason: z.string(),
  assigneeId: z.string().nullable(),
  assigneeName: z.string().nullable(),
  /** the assignee's terminal, one click away in the UI */
  terminalId: z.string().nullable(),
  /** how many times it was awarded (abandoned tasks come back) */
  attempts: z.number().int(),
  bidCount: z.number().int(),
  /** the agent's last progress note, or its completion summary */
  note: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  /** a teammate's task (issue 15): the machine it was posted on, which decides it; absent = this machine */
  home: z.object({ machineId: z.string(), name: z.string(), reachable: z.boolean() }).optional(),
});
export type TaskInfo = z.infer<typeof TaskInfoSchema>;

export const TaskDetailSchema = TaskInfoSchema.extend({
  history: z.array(TaskTransitionSchema),
  /** bids of the current round (cleared when the task is re-queued), best score first */
  bids: z.array(BidSchema),
  /** ids of the INTENT locks the assignee holds for it */
  lockIds: z.array(z.string()),
});
export type TaskDetail = z.infer<typeof TaskDetailSchema>;

export const TaskRefSchema = z.object({ task: TaskIdSchema }).strict();
export const TaskListInputSchema = z
  .object({
    project: z.string().min(1).max(4096).optional(),
    states: z.array(TaskStateSchema).max(TASK_STATES.length).optional(),
    /** an agent id or name: its tasks only */
    assignee: z.string().min(1).max(128).optional(),
    /** also teammates' open tasks of the same projects (their home machine in `home`) */
    all: z.boolean().optional(),
  })
  .strict();

export const TaskClaimInputSchema = z.object({ task: TaskIdSchema, agent: TaskActorSchema }).strict();
export const TaskUpdateInputSchema = z
  .object({
    task: TaskIdSchema,
    /** the assignee, or `user` */
    agent: TaskActorSchema,
    /** WORKING / PAUSED; RELEASE gives the task up (it is re-queued) */
    state: z.enum(['WORKING', 'PAUSED', 'RELEASE']).optional(),
    note: z.string().max(4000).optional(),
  })
  .strict();
export const TaskCompleteInputSchema = z
  .object({
    task: TaskIdSchema,
    agent: TaskActorSchema,
    outcome: z.enum(['COMPLETED', 'FAILED']).default('COMPLETED'),
    summary: z.string().max(8000).default(''),
  })
  .strict();
export const TaskCancelInputSchema = z
  .object({ task: TaskIdSchema, by: TaskActorSchema.default('user'), reason: z.string().max(2000).optional() })
  .strict();

export const TaskEventSchema = z.object({
  type: z.literal('task.changed'),
  ts: z.number(),
  task: TaskInfoSchema,
  /** null when only bids or the note changed */
  transition: TaskTransitionSchema.nullable(),
});
export type TaskEvent = z.infer<typeof TaskEventSchema>;
