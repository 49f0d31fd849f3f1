// The tools `devmesh mcp` offers an AI agent: each one's name, the description the model reads to decide
// when to use it, its input (a zod shape, published as JSON schema), and how it maps onto one DevMesh API
// call. The agent's identity fills in holder / agent / from / reader, so the model never passes it.
// Reminders', file changes' and worktree copies' tools live in their own files (reminder-tools.ts, file-tools.ts,
// worktree-tools.ts).
import { z } from 'zod';
import { DevMeshError } from '../../../shared/errors.js';
import { LOCK_TTL_MAX_MS, LOCK_TTL_RENEWED_MS, LockModeSchema, type LockInfo } from '../../../shared/lock.js';
import { MESSAGE_MAX_BYTES, MessagePartySchema, StateKeySchema } from '../../../shared/message.js';
import { TaskIdSchema, TaskStateSchema } from '../../../shared/task.js';
import { fileTools } from './file-tools.js';
import {
  defineTool,
  projectInput as project,
  toolJson,
  waitingCall,
  waitSecondsInput,
  type McpToolSpec,
} from './mcp-tool-spec.js';
import { reminderTools } from './reminder-tools.js';
import { worktreeTools } from './worktree-tools.js';

export type { McpToolSpec, ToolContext } from './mcp-tool-spec.js';

/**
 * MCP clients give up on a call after 60 s by default (the SDK's DEFAULT_REQUEST_TIMEOUT_MSEC): a lock wait
 * stays under it, and the model can call again.
 */
export const LOCK_WAIT_MAX_SECONDS = 50;

const task = TaskIdSchema.describe('the task id (task-…), from list_tasks');

export class McpToolTable {
  /** the identity line the descriptions end with, so the model knows who it is to DevMesh */
  constructor(private readonly agent: string) {}

  tools(): McpToolSpec[] {
    const you = `You act as \`${this.agent}\`.`;
    return [
      defineTool({
        name: 'list_services',
        title: 'List services',
        description:
          'List the local services (dev servers, databases, workers) DevMesh runs for a project: state (running, healthy, failed...), port, pid, version, why it is in that state and what it depends on. Use it to find the port a service listens on, or to check a service is healthy before testing against it.',
        input: { project },
        readOnly: true,
        run: async ({ project }, ctx) => toolJson(await ctx.call('services.list', { project })),
      }),
      defineTool({
        name: 'list_peers',
        title: 'List mesh peers',
        description:
          "List teammates' machines on the DevMesh mesh (peers): name, address, link state, latency and the services each one offers. Use it to find a service running on a teammate's machine rather than yours.",
        input: {},
        readOnly: true,
        run: async (_args, ctx) => toolJson(await ctx.call('mesh.peers', {})),
      }),
      defineTool({
        name: 'list_agents',
        title: 'List agents',
        description: `List the AI coding agents on the mesh: this machine's and, by default, every linked teammate's. Each has id, name, machine and human (who runs it), local (on your machine), reachable (false: its machine is unreachable and this is what was last seen), profile, model (null when unknown), role, status (starting, working, waiting = needs its human, idle, exited) and why, project key, branch and current task. Use it to find who works on what across the team, or the name of an agent to message. \`all: false\` lists this machine's agents only; \`machine\` one machine's. ${you}`,
        input: {
          all: z.boolean().default(true).describe("teammates' agents too (default true); false: this machine's only"),
          machine: z.string().min(1).max(128).optional().describe("one machine's agents, by its name or id"),
        },
        readOnly: true,
        run: async ({ all, machine }, ctx) => toolJson(await ctx.call('team.agents', { all, machine })),
      }),
      defineTool({
        name: 'acquire_lock',
        title: 'Lock a file, folder or glob',
        description: `Take a lock before editing files other agents may edit too, so two agents never write the same file at once. \`path\` is relative to the project root (your worktree root): a file, a folder (it and everything under it) or a glob (\`src/**/*.ts\`); the kind is detected unless you give \`kind\`. Modes: WRITE (exclusive: take it before editing), READ (shared: nobody may write while you read), INTENT (you will write soon; readers still allowed), CO_WRITE (shared with other CO_WRITE holders who accept concurrent edits). When another agent holds a conflicting lock the call fails naming the holder: wait with \`wait_seconds\`, message the holder (send_message), or work on something else. A lock you take here lives while this session runs (renewed every 10 s) and is released when the session ends; if the session hangs, it expires \`ttl_seconds\` (default ${LOCK_TTL_RENEWED_MS / 1000}) after the last renewal. Release with release_lock when done. ${you}`,
        input: {
          path: z.string().min(1).max(4096).describe('file, folder or glob, relative to the project root'),
          kind: z
            .enum(['file', 'dir', 'glob'])
            .optional()
            .describe(
              'what `path` names; detected when omitted (glob characters → glob, existing folder or trailing / → dir, else file)',
            ),
          mode: LockModeSchema.default('WRITE').describe('READ, INTENT, WRITE (default) or CO_WRITE'),
          ttl_seconds: z
            .number()
            .int()
            .min(1)
            .max(LOCK_TTL_MAX_MS / 1000)
            .optional()
            .describe(
              `how long the lock outlives this session's last renewal (a hung session); ${LOCK_TTL_RENEWED_MS / 1000} when omitted`,
            ),
          wait_seconds: waitSecondsInput(
            LOCK_WAIT_MAX_SECONDS,
            0,
            `how long to queue behind conflicting locks before giving up (0: fail at once; at most ${LOCK_WAIT_MAX_SECONDS})`,
          ),
          project,
        },
        readOnly: false,
        run: async (args, ctx) => {
          const { waitMs, options } = waitingCall(args.wait_seconds);
          const lock = await ctx.call(
            'locks.acquire',
            {
              project: args.project,
              holder: ctx.agent,
              mode: args.mode,
              target: ctx.targets.parse(args.path, args.kind),
              ...(args.ttl_seconds !== undefined ? { ttlMs: args.ttl_seconds * 1000 } : {}),
              waitMs,
              session: ctx.session,
            },
            options,
          );
          return `Acquired ${lock.mode} lock ${lock.id} on ${McpToolTable.targetText(lock)} for ${lock.holder}. Release it with release_lock (lock_id ${lock.id}) when done.\n${toolJson(lock)}`;
        },
      }),
      defineTool({
        name: 'release_lock',
        title: 'Release a lock',
        description: `Release a lock you hold (its \`lock_id\` from acquire_lock or list_locks), or with \`all: true\` every lock this session took (locks of your tasks, or taken for you elsewhere, stay). Release as soon as you are done with the files so other agents can proceed. ${you}`,
        input: {
          lock_id: z.string().min(1).max(64).optional().describe('the lock to release'),
          all: z
            .boolean()
            .default(false)
            .describe('release every lock this session took (in every project when project is omitted)'),
          project,
        },
        readOnly: false,
        run: async (args, ctx) => {
          if (args.all) {
            const { released } = await ctx.call('locks.releaseAll', {
              project: args.project,
              holder: ctx.agent,
              session: ctx.session,
            });
            return `Released ${released} lock${released === 1 ? '' : 's'} of ${ctx.agent}.`;
          }
          if (args.lock_id === undefined)
            throw new DevMeshError('BAD_REQUEST', 'release_lock needs `lock_id` (see list_locks) or `all: true`');
          const lock = await ctx.call('locks.release', {
            project: args.project,
            holder: ctx.agent,
            lockId: args.lock_id,
          });
          return `Released ${lock.mode} lock ${lock.id} on ${McpToolTable.targetText(lock)}.`;
        },
      }),
      defineTool({
        name: 'list_locks',
        title: 'List locks',
        description:
          "List the file locks held and queued in each project (lock space): holder, mode, target, expiry, and who waits for whom. Use it before starting on files to see who is working on them, or with `mine: true` to find your own lock ids. `all: true` lists the locks held on every machine of the mesh instead (this one's and linked teammates', each with machine, holderName and reachable: false means its machine is unreachable and the lock was last seen); a teammate's lock on your project is honoured here too.",
        input: {
          project,
          mine: z.boolean().default(false).describe('only your own locks and queued requests'),
          all: z.boolean().default(false).describe("every machine's held locks (teammates' too), with their machine"),
        },
        readOnly: true,
        run: async (args, ctx) => {
          if (args.all) return toolJson(await ctx.call('team.locks', {}));
          const spaces = await ctx.call('locks.list', { project: args.project });
          if (!args.mine) return toolJson(spaces);
          return toolJson(
            spaces.map((s) => ({
              ...s,
              locks: s.locks.filter((l) => l.holder === ctx.agent),
              waiters: s.waiters.filter((w) => w.holder === ctx.agent),
            })),
          );
        },
      }),
      defineTool({
        name: 'list_tasks',
        title: 'List tasks',
        description: `List the tasks on the DevMesh task board: title, prompt, state (QUEUED, BIDDING, CLAIMED, WORKING, PAUSED, COMPLETED, FAILED, ABANDONED, CANCELLED), files, required capabilities, assignee. Use it to find work to bid on (state BIDDING) or with \`mine: true\` the tasks awarded to you. Teammates' open tasks of the same project are listed too, with \`home\` naming the machine that posted them: bid for them, and work on and complete them, exactly like this machine's. ${you}`,
        input: {
          project,
          states: z.array(TaskStateSchema).max(9).optional().describe('only tasks in these states'),
          mine: z.boolean().default(false).describe('only tasks assigned to you'),
        },
        readOnly: true,
        run: async (args, ctx) =>
          toolJson(
            await ctx.call('tasks.list', {
              project: args.project,
              states: args.states,
              all: true,
              ...(args.mine ? { assignee: ctx.agent } : {}),
            }),
          ),
      }),
      defineTool({
        name: 'bid_task',
        title: 'Bid for a task',
        description: `Offer to do a task that is open for bids (BIDDING, or QUEUED with its dependencies met). When bidding closes DevMesh awards the best score (capability match 60%, your current load 25%, your estimate 15%), not the first bid; if you win, the task shows CLAIMED with you as assignee: then call claim_task. ${you}`,
        input: {
          task,
          capabilities: z
            .array(z.string().min(1).max(64))
            .max(32)
            .default([])
            .describe(
              "what you offer, as lower-case words matching the task's capabilities (typescript, tests, frontend)",
            ),
          estimate_minutes: z
            .number()
            .min(0)
            .max(10_000)
            .default(30)
            .describe('your estimate of the time it takes you'),
          note: z.string().max(2000).optional().describe('how you would approach it'),
        },
        readOnly: false,
        run: async (args, ctx) => {
          const bid = await ctx.call('tasks.bid', {
            task: args.task,
            agent: ctx.agent,
            capabilities: args.capabilities,
            estimateMinutes: args.estimate_minutes,
            ...(args.note !== undefined ? { note: args.note } : {}),
          });
          return `Bid for ${bid.task} with score ${bid.score.toFixed(3)}. Check list_tasks (mine: true) for the award.\n${toolJson(bid)}`;
        },
      }),
      defineTool({
        name: 'claim_task',
        title: 'Start an awarded task',
        description: `Accept a task awarded to you (CLAIMED → WORKING) and get its prompt; DevMesh already holds INTENT locks on its files for you. On a task still in BIDDING it places a bid. ${you}`,
        input: { task },
        readOnly: false,
        run: async (args, ctx) => toolJson(await ctx.call('tasks.claim', { task: args.task, agent: ctx.agent })),
      }),
      defineTool({
        name: 'update_task',
        title: 'Report progress on a task',
        description: `Report progress on a task you work on: a short note the human sees on the board, and/or a state change: WORKING, PAUSED, or RELEASE to give the task up (it goes back to the queue for another agent). ${you}`,
        input: {
          task,
          state: z
            .enum(['WORKING', 'PAUSED', 'RELEASE'])
            .optional()
            .describe('WORKING, PAUSED, or RELEASE to give the task up'),
          note: z.string().max(4000).optional().describe('what you did or what blocks you'),
        },
        readOnly: false,
        run: async (args, ctx) =>
          toolJson(
            await ctx.call('tasks.update', {
              task: args.task,
              agent: ctx.agent,
              ...(args.state !== undefined ? { state: args.state } : {}),
              ...(args.note !== undefined ? { note: args.note } : {}),
            }),
          ),
      }),
      defineTool({
        name: 'complete_task',
        title: 'Finish a task',
        description: `Mark a task you work on as done (COMPLETED) or FAILED, with a summary of what you changed (or why it failed). DevMesh releases the task's locks. ${you}`,
        input: {
          task,
          outcome: z.enum(['COMPLETED', 'FAILED']).default('COMPLETED'),
          summary: z
            .string()
            .max(8000)
            .default('')
            .describe('what you changed, where, and how it was checked; or why it failed'),
        },
        readOnly: false,
        run: async (args, ctx) =>
          toolJson(
            await ctx.call('tasks.complete', {
              task: args.task,
              agent: ctx.agent,
              outcome: args.outcome,
              summary: args.summary,
            }),
          ),
      }),
      defineTool({
        name: 'send_message',
        title: 'Send a message',
        description: `Send a message to another agent (its id or name, see list_agents; \`name@machine\` for an agent on a teammate's machine), to the human (\`user\`; \`user@machine\` for a teammate), to every agent with a role (\`@frontend\`, on every machine), or to everyone on the mesh (\`*\`). A message to a machine that is not reachable now is queued and delivered once when it is back. Use it to ask a lock holder for a file, hand over work, or report something the others need to know. ${you}`,
        input: {
          to: MessagePartySchema.describe(
            'an agent id or name, `name@machine`, `user` (the human), `user@machine`, `@role`, or `*` for everyone',
          ),
          body: z.string().min(1).max(MESSAGE_MAX_BYTES).describe('the message'),
          task: TaskIdSchema.optional().describe('the task it is about, if any'),
        },
        readOnly: false,
        run: async (args, ctx) => {
          const message = await ctx.call('messages.send', {
            from: ctx.agent,
            to: args.to,
            body: args.body,
            ...(args.task !== undefined ? { task: args.task } : {}),
          });
          const queued = message.queued
            ? ` Queued until ${message.queued} machine(s) acknowledge it (one not reachable now gets it when it is back).`
            : '';
          return `Sent message #${message.seq} to ${message.toName}.${queued}`;
        },
      }),
      defineTool({
        name: 'read_messages',
        title: 'Read messages',
        description: `Read the messages sent to you (or to everyone) that you have not read yet, oldest first; they are marked read. Check regularly, and before and after long steps: other agents and the human use messages to ask for locks and change plans. ${you}`,
        input: {
          unread_only: z.boolean().default(true).describe('false: the last `limit` messages, read or not'),
          limit: z.number().int().min(1).max(500).default(50),
        },
        readOnly: false,
        run: async (args, ctx) => {
          const messages = await ctx.call('messages.read', {
            reader: ctx.agent,
            unreadOnly: args.unread_only,
            limit: args.limit,
          });
          return messages.length === 0 ? 'No new messages.' : toolJson(messages);
        },
      }),
      defineTool({
        name: 'get_state',
        title: 'Read shared state',
        description:
          'Read one key of the small key-value state agents share (decisions, API contracts, progress markers): its JSON value, version, who set it and when. Answers null when the key does not exist.',
        input: { key: StateKeySchema.describe('the key, e.g. `api/auth-contract`') },
        readOnly: true,
        run: async (args, ctx) => toolJson(await ctx.call('state.get', { key: args.key })),
      }),
      defineTool({
        name: 'set_state',
        title: 'Write shared state',
        description: `Set one key of the key-value state agents share to any JSON value (null deletes it). To change a value others may change too, pass the \`expected_version\` you read with get_state (0: the key must not exist yet): the write is refused with CONFLICT when someone changed it since. ${you}`,
        input: {
          key: StateKeySchema.describe('the key, e.g. `api/auth-contract`'),
          value: z.unknown().describe('any JSON value; null deletes the key'),
          expected_version: z
            .number()
            .int()
            .min(0)
            .optional()
            .describe('write only if the key is still at this version (compare-and-set)'),
        },
        readOnly: false,
        run: async (args, ctx) => {
          if (args.value === undefined)
            throw new DevMeshError('BAD_REQUEST', 'set_state needs `value` (any JSON value; null deletes the key)');
          const entry = await ctx.call('state.set', {
            key: args.key,
            value: args.value,
            by: ctx.agent,
            ...(args.expected_version !== undefined ? { expectedVersion: args.expected_version } : {}),
          });
          return entry === null ? `Deleted ${args.key}.` : `Set ${entry.key} (version ${entry.version}).`;
        },
      }),
      ...reminderTools(you),
      ...fileTools(you),
      ...worktreeTools(you),
    ];
  }

  private static targetText(lock: LockInfo): string {
    return lock.target.kind === 'glob' ? `glob ${lock.target.pattern}` : `${lock.target.kind} ${lock.target.path}`;
  }
}
