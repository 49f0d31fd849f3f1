// The `tasks` team channel's messages (issue 15), validated on arrival by TeamChannel. Who decides what:
// - the HOME machine (where a task was posted) decides everything about it: bids are stored, the award is
//   scored and taken (with the INTENT locks), progress and completion are recorded, all in ITS board and
//   audit chain; it announces every change (`task`) to the machines that share the task's project key;
// - every other machine keeps a replica, forwards its agents' bids and its winners' progress (`bid`,
//   `progress`) and applies what the home announces. An `ack` answers a forwarded step by its op id.
//
// Messages:
//   hello    {keys}              the project keys this machine has open (on link up and when they change)
//   snapshot {tasks}             the home's open tasks for the keys the peer said hello with (answer to hello)
//   task     {task}              one task changed at its home (final states too, then the replica goes)
//   bid      {op, task, bidder…} a bid of the sender's agent for a task of the receiver (its home)
//   progress {op, task, agent…}  the winner's machine: WORKING (prompt delivered), PAUSED, RELEASE, COMPLETED, FAILED
//   ack      {op, ok, …}         the home's answer to bid/progress; re-sent ops get the same answer
import { z } from 'zod';
import { AgentStatusSchema } from '../../../shared/agent.js';
import { BidSchema, TaskIdSchema, TaskStateSchema } from '../../../shared/task.js';

const Key = z.string().regex(/^[0-9a-f]{16}$/);
const Text = (max: number) => z.string().max(max);
const Op = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);
const AgentId = z.string().regex(/^[a-z0-9-]{1,64}$/);

/** a task as its home announces it: repo-relative (files are globs under the project root, the key names it) */
export const WireTaskSchema = z.object({
  id: TaskIdSchema,
  key: Key,
  title: Text(200),
  prompt: Text(32_768),
  files: z.array(Text(1024)).max(64),
  capabilities: z.array(Text(64)).max(32),
  priority: z.number().int(),
  dependsOn: z.array(TaskIdSchema).max(64),
  criticOf: TaskIdSchema.nullable(),
  state: TaskStateSchema,
  stateReason: Text(4000),
  assigneeId: Text(64).nullable(),
  assigneeName: Text(200).nullable(),
  /** the machine of the assignee (the home's own id for its local agents) */
  assigneeMachine: Text(128).nullable(),
  attempts: z.number().int().min(0),
  bidCount: z.number().int().min(0),
  note: Text(8000).nullable(),
  createdBy: Text(200),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type WireTask = z.infer<typeof WireTaskSchema>;

/** what the home needs of a bidder on another machine: who it is, and what the award score takes */
export const BidderSchema = z.object({
  agentId: AgentId,
  name: Text(64),
  profile: Text(64),
  role: Text(128).nullable(),
  status: AgentStatusSchema,
  /** its tasks in CLAIMED, WORKING or PAUSED on its own machine (the home adds those it holds there) */
  load: z.number().int().min(0).max(10_000),
});
export type Bidder = z.infer<typeof BidderSchema>;

export const PROGRESS_STEPS = ['WORKING', 'PAUSED', 'RELEASE', 'COMPLETED', 'FAILED'] as const;
export type ProgressStep = (typeof PROGRESS_STEPS)[number];

export const TasksMessageSchema = z.discriminatedUnion('k', [
  z.object({ k: z.literal('hello'), keys: z.array(Key).max(256) }),
  z.object({ k: z.literal('snapshot'), tasks: z.array(WireTaskSchema).max(2000) }),
  z.object({ k: z.literal('task'), task: WireTaskSchema }),
  z.object({
    k: z.literal('bid'),
    op: Op,
    task: TaskIdSchema,
    bidder: BidderSchema,
    capabilities: z.array(Text(64)).max(32),
    estimateMinutes: z.number().min(0).max(10_000),
    note: Text(2000).optional(),
  }),
  z.object({
    k: z.literal('progress'),
    op: Op,
    task: TaskIdSchema,
    agentId: AgentId,
    step: z.enum(PROGRESS_STEPS),
    note: Text(8000).optional(),
  }),
  z.object({
    k: z.literal('ack'),
    op: Op,
    ok: z.boolean(),
    bid: BidSchema.optional(),
    task: WireTaskSchema.optional(),
    error: z.object({ code: Text(64), message: Text(4000) }).optional(),
  }),
]);
export type TasksMessage = z.infer<typeof TasksMessageSchema>;
