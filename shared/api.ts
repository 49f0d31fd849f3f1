// The one API of DevMesh: every call's input and output schema. Both transports (Electron IPC and the
// loopback WebSocket) carry exactly these calls, so the CLI, the browser UI, the app and later the MCP
// server all speak the same contract.
import { z } from 'zod';
import {
  CaInfoSchema,
  ProxyInfoSchema,
  RequestPageInputSchema,
  RequestPageSchema,
  RouteInfoSchema,
  ServiceTrafficSchema,
  TcpRouteSchema,
} from './proxy.js';
import { AgentDetectionSchema, AgentProfileSchema, AgentRecordSchema, AgentStartInputSchema } from './agent.js';
import { AgentContextInputSchema, AgentContextSchema } from './agent-context.js';
import { MeshInfoSchema, PeerInfoSchema, ServiceGraphSchema, VersionAlertSchema } from './mesh.js';
import { LogLineSchema, ProjectInfoSchema, ServiceInfoSchema } from './service.js';
import { HealthSchema } from './health.js';
import { LogSearchInputSchema, LogSearchResultSchema } from './logs.js';
import {
  ReminderCancelInputSchema,
  ReminderCreateInputSchema,
  ReminderListInputSchema,
  ReminderSchema,
} from './reminder.js';
import { TeamAgentSchema, TeamAgentsInputSchema, TeamLocksSchema, TeamMachineSchema } from './team.js';
import {
  RecordingInfoSchema,
  RecordingReadOutputSchema,
  TerminalCreateInputSchema,
  TerminalIdSchema,
  TerminalInfoSchema,
  TerminalInputSchema,
  TerminalRefSchema,
  TerminalResizeSchema,
  TerminalSignalSchema,
} from './terminal.js';
import {
  LockAcquireInputSchema,
  LockCheckInputSchema,
  LockCheckResultSchema,
  LockHeartbeatInputSchema,
  LockInfoSchema,
  LockReleaseAllInputSchema,
  LockReleaseInputSchema,
  LockSpaceSnapshotSchema,
} from './lock.js';
import { AuditEntrySchema, AuditFilterSchema } from './audit.js';
import {
  BidInputSchema,
  BidSchema,
  TaskCancelInputSchema,
  TaskClaimInputSchema,
  TaskCompleteInputSchema,
  TaskCreateInputSchema,
  TaskDetailSchema,
  TaskInfoSchema,
  TaskListInputSchema,
  TaskRefSchema,
  TaskUpdateInputSchema,
} from './task.js';
import {
  MessageListInputSchema,
  MessageReadInputSchema,
  MessageSchema,
  MessageSendInputSchema,
  StateEntrySchema,
  StateKeySchema,
  StateSetInputSchema,
} from './message.js';
import { FilesChangesInputSchema, FilesChangesSchema, WatchedRootSchema } from './files.js';
import {
  CommitInputSchema,
  DiscardInputSchema,
  FileDiffInputSchema,
  FileDiffSchema,
  GitStatusSchema,
  MergeConflictSchema,
  MergeInputSchema,
  MergeOutcomeSchema,
  ReviewInputSchema,
  ReviewSummarySchema,
} from './review.js';
import {
  AgentUsageSchema,
  TaskUsageSchema,
  UsageAgentInputSchema,
  UsageBudgetInputSchema,
  UsageReceiverSchema,
  UsageTaskInputSchema,
} from './usage.js';
import {
  DatabaseInfoSchema,
  DatabaseRefSchema,
  PeerSnapshotSchema,
  PeerSnapshotsInputSchema,
  SnapshotCreateInputSchema,
  SnapshotInfoSchema,
  SnapshotListInputSchema,
  SnapshotPublishInputSchema,
  SnapshotPullInputSchema,
  SnapshotPullSchema,
  SnapshotRestoreInputSchema,
} from './database.js';
import {
  MetricsAlertSchema,
  MetricsAlertsInputSchema,
  MetricsCurrentInputSchema,
  MetricsCurrentSchema,
  MetricsHistoryInputSchema,
  MetricsHistorySchema,
} from './metrics.js';

/** A project is named by its id (the `project:` of its devmesh.yaml, else its folder name) or its root path.
 * Omitted: the only open project, or an error naming the open ones. */
const ProjectRef = z.string().min(1).max(4096).optional();
const ServiceName = z.string().min(1).max(128);

const ServiceRef = z.object({ project: ProjectRef, name: ServiceName }).strict();
const ProjectScope = z.object({ project: ProjectRef }).strict();
/** `wait: true` answers once the service (and what it depends on) is healthy, or with the failure's reason. */
const ServiceStart = ServiceRef.extend({ wait: z.boolean().default(false) }).strict();
const ProjectStart = ProjectScope.extend({ wait: z.boolean().default(false) }).strict();
const Empty = z.object({}).strict();
/** an agent by id or name */
const AgentRefSchema = z.object({ agent: z.string().min(1).max(128) }).strict();

export const DaemonInfoSchema = z.object({
  version: z.string(),
  pid: z.number().int(),
  startedAt: z.number(),
  home: z.string(),
  node: z.string(),
  face: z.enum(['daemon', 'electron']),
  apiUrl: z.string().nullable(),
});
export type DaemonInfo = z.infer<typeof DaemonInfoSchema>;

export const LogPageInputSchema = z
  .object({
    project: ProjectRef,
    name: ServiceName,
    /** return lines with seq < before (paging backwards); omitted: the newest lines */
    before: z.number().int().positive().optional(),
    limit: z.number().int().min(1).max(5000).default(200),
    /** case-insensitive substring filter */
    search: z.string().max(512).optional(),
  })
  .strict();

export const LogPageSchema = z.object({
  lines: z.array(LogLineSchema),
  /** more (older) lines exist before the first returned one */
  hasMore: z.boolean(),
});
export type LogPage = z.infer<typeof LogPageSchema>;

export const apiMethods = {
  'daemon.info': { input: Empty, output: DaemonInfoSchema },
  'daemon.shutdown': { input: Empty, output: z.object({ stopping: z.literal(true) }) },
  /** the daemon's own problems (a store on a full disk…), each with its rule for the data meanwhile */
  'daemon.health': { input: Empty, output: HealthSchema },
  'projects.list': { input: Empty, output: z.array(ProjectInfoSchema) },
  'projects.open': {
    input: z.object({ root: z.string().min(1).max(4096) }).strict(),
    output: ProjectInfoSchema,
  },
  'projects.close': {
    input: z.object({ project: z.string().min(1).max(4096) }).strict(),
    output: z.object({ closed: z.string() }),
  },
  'services.list': { input: ProjectScope, output: z.array(ServiceInfoSchema) },
  'services.start': { input: ServiceStart, output: ServiceInfoSchema },
  'services.stop': { input: ServiceRef, output: ServiceInfoSchema },
  'services.restart': { input: ServiceStart, output: ServiceInfoSchema },
  'services.startAll': { input: ProjectStart, output: z.array(ServiceInfoSchema) },
  'services.stopAll': { input: ProjectScope, output: z.array(ServiceInfoSchema) },
  'logs.page': { input: LogPageInputSchema, output: LogPageSchema },
  /** full-text search over every stored line of the project's services (shared/logs.ts) */
  'logs.search': { input: LogSearchInputSchema, output: LogSearchResultSchema },
  'proxy.info': { input: Empty, output: ProxyInfoSchema },
  'proxy.routes': { input: ProjectScope, output: z.array(RouteInfoSchema) },
  'proxy.requests': { input: RequestPageInputSchema, output: RequestPageSchema },
  'proxy.traffic': { input: ProjectScope, output: z.array(ServiceTrafficSchema) },
  'ca.info': { input: Empty, output: CaInfoSchema },
  'mesh.info': { input: Empty, output: MeshInfoSchema },
  'mesh.peers': { input: Empty, output: z.array(PeerInfoSchema) },
  /** the membership files changed (`devmesh mesh init|join|leave`): the running agent starts over with them */
  'mesh.reload': { input: Empty, output: MeshInfoSchema },
  /** every service of this agent and its peers, with declared dependencies and observed traffic */
  'mesh.graph': { input: Empty, output: ServiceGraphSchema },
  /** version alerts, newest first */
  'mesh.alerts': {
    input: z.object({ limit: z.number().int().min(1).max(1000).default(100) }).strict(),
    output: z.array(VersionAlertSchema),
  },
  /** terminal sessions (running and exited, until removed); their bytes travel on their own stream (shared/terminal.ts) */
  'terminals.list': { input: Empty, output: z.array(TerminalInfoSchema) },
  'terminals.create': { input: TerminalCreateInputSchema, output: TerminalInfoSchema },
  'terminals.input': { input: TerminalInputSchema, output: TerminalInfoSchema },
  'terminals.resize': { input: TerminalResizeSchema, output: TerminalInfoSchema },
  /** to the foreground process group of the terminal (what Ctrl-C would reach) */
  'terminals.signal': { input: TerminalSignalSchema, output: TerminalInfoSchema },
  /** ends the whole session (SIGHUP, then SIGKILL after a grace period); answers once it has exited */
  'terminals.kill': { input: TerminalRefSchema, output: TerminalInfoSchema },
  /** forgets an exited session (its recording stays) */
  'terminals.remove': { input: TerminalRefSchema, output: z.object({ removed: TerminalIdSchema }) },
  /** recordings in $DEVMESH_HOME/recordings, newest first */
  'recordings.list': { input: Empty, output: z.array(RecordingInfoSchema) },
  'recordings.read': { input: z.object({ id: TerminalIdSchema }).strict(), output: RecordingReadOutputSchema },
  /** the agent CLIs DevMesh knows (built in, and `agents.profiles` in config.yaml), and whether each is installed */
  'agents.profiles': {
    input: Empty,
    output: z.array(z.object({ profile: AgentProfileSchema, detection: AgentDetectionSchema })),
  },
  'agents.list': { input: Empty, output: z.array(AgentRecordSchema) },
  /** launches an agent in a terminal (in a new git worktree when `worktree` names a branch); refused over the budget */
  'agents.start': { input: AgentStartInputSchema, output: AgentRecordSchema },
  'agents.stop': { input: AgentRefSchema, output: AgentRecordSchema },
  'agents.relaunch': { input: AgentRefSchema, output: AgentRecordSchema },
  'agents.remove': {
    input: AgentRefSchema.extend({
      removeWorktree: z.boolean().default(false),
      deleteBranch: z.boolean().default(false),
      force: z.boolean().default(false),
    }).strict(),
    output: z.object({ removed: z.string() }),
  },
  /**
   * What the agent has not seen yet (unread messages, team notices), taken once: messages are marked read for
   * it (the cursor read_messages moves), notices leave its queue. Claude Code's context hooks call it.
   */
  'agents.context': { input: AgentContextInputSchema, output: AgentContextSchema },
  /** every lock space (a project root) with its held locks and queued waiters */
  'locks.list': { input: ProjectScope, output: z.array(LockSpaceSnapshotSchema) },
  /** queues up to `waitMs` (default 0 through the API: refused at once, naming the holders in the way) */
  'locks.acquire': { input: LockAcquireInputSchema, output: LockInfoSchema },
  'locks.release': { input: LockReleaseInputSchema, output: LockInfoSchema },
  /** releases every lock of a holder (and drops its queued requests) */
  'locks.releaseAll': { input: LockReleaseAllInputSchema, output: z.object({ released: z.number().int() }) },
  /** extends every lock of the holder by its TTL */
  'locks.heartbeat': { input: LockHeartbeatInputSchema, output: z.object({ locks: z.number().int() }) },
  /** may the holder change these files now? (the Claude Code hook and the git pre-commit hook) */
  'locks.check': { input: LockCheckInputSchema, output: LockCheckResultSchema },
  /** newest first, filtered by actor, kind, time */
  'audit.list': {
    input: AuditFilterSchema,
    output: z.object({ entries: z.array(AuditEntrySchema), nextBefore: z.number().int().nullable() }),
  },
  /** walks the whole chain, its head and its JSONL mirror; names the first broken entry */
  'audit.verify': {
    input: Empty,
    output: z.object({
      ok: z.boolean(),
      entries: z.number().int(),
      firstBroken: z.object({ seq: z.number().int(), why: z.string() }).nullable(),
      headSeq: z.number().int(),
      mirror: z.enum(['ok', 'mismatch', 'behind']),
      /** entries at the chain's end the mirror misses (a full disk kept them from it; DevMesh rewrites them) */
      mirrorBehind: z.number().int(),
      /** spans whose events the chain could not record (a full disk), from its `audit.outage` entries */
      gaps: z.array(
        z.object({
          seq: z.number().int(),
          from: z.number(),
          to: z.number(),
          unrecorded: z.number().int(),
          cause: z.string(),
        }),
      ),
      mirrorPath: z.string(),
      ms: z.number(),
    }),
  },
  'tasks.list': { input: TaskListInputSchema, output: z.array(TaskInfoSchema) },
  'tasks.get': { input: TaskRefSchema, output: TaskDetailSchema },
  'tasks.create': { input: TaskCreateInputSchema, output: TaskInfoSchema },
  'tasks.cancel': { input: TaskCancelInputSchema, output: TaskInfoSchema },
  /** an agent bids for a task in BIDDING (or QUEUED with no unmet dependency) */
  'tasks.bid': { input: BidInputSchema, output: BidSchema },
  /** the winner accepts its award (CLAIMED → WORKING); on a task still in BIDDING, it is a bid */
  'tasks.claim': { input: TaskClaimInputSchema, output: TaskInfoSchema },
  'tasks.update': { input: TaskUpdateInputSchema, output: TaskInfoSchema },
  'tasks.complete': { input: TaskCompleteInputSchema, output: TaskInfoSchema },
  'messages.send': { input: MessageSendInputSchema, output: MessageSchema },
  /** unread messages to the reader (or to everyone), oldest first; marks them read for that reader */
  'messages.read': { input: MessageReadInputSchema, output: z.array(MessageSchema) },
  /** every message, newest first (the UI; marks nothing read) */
  'messages.list': { input: MessageListInputSchema, output: z.array(MessageSchema) },
  'state.get': { input: z.object({ key: StateKeySchema }).strict(), output: StateEntrySchema.nullable() },
  'state.set': { input: StateSetInputSchema, output: StateEntrySchema.nullable() },
  'state.list': {
    input: z.object({ prefix: z.string().max(256).optional() }).strict(),
    output: z.array(StateEntrySchema),
  },
  /** this machine and every teammate's it has heard from (reachable or last seen), with humans and agents */
  'team.machines': { input: Empty, output: z.array(TeamMachineSchema) },
  /** agents on every machine (`all`, default) or this one's, with their machine and human */
  'team.agents': { input: TeamAgentsInputSchema, output: z.array(TeamAgentSchema) },
  /** locks held on every machine (this one's, then teammates' as their presence lists them, last seen too) */
  'team.locks': { input: Empty, output: TeamLocksSchema },
  /** a message from `devmesh` to an agent, the human, a role or everyone, once or on a cron schedule */
  'reminders.create': { input: ReminderCreateInputSchema, output: ReminderSchema },
  /** the scheduled reminders, soonest first (`all`: done and cancelled ones too) */
  'reminders.list': { input: ReminderListInputSchema, output: z.array(ReminderSchema) },
  'reminders.cancel': { input: ReminderCancelInputSchema, output: ReminderSchema },
  /** the changes in watched folders after a cursor (MCP watch_files), waiting up to `waitMs` for the first */
  'files.changes': { input: FilesChangesInputSchema, output: FilesChangesSchema },
  /** the folders DevMesh watches (projects' checkouts, agents' worktrees) and whether each works */
  'files.watched': { input: Empty, output: z.array(WatchedRootSchema) },
  /** an agent's changed files against its base branch (committed and not), a page of them (shared/review.ts) */
  'review.summary': { input: ReviewInputSchema, output: ReviewSummarySchema },
  /** one changed file's unified diff; no patch for a binary file or one over the size limit */
  'review.file': { input: FileDiffInputSchema, output: FileDiffSchema },
  /** commits everything in the agent's worktree on its branch */
  'review.commit': { input: CommitInputSchema, output: ReviewSummarySchema },
  /** the conflicts landing would meet (git merge-tree), and its refusals; nothing changes */
  'review.check': { input: MergeInputSchema, output: z.object({ conflicts: z.array(MergeConflictSchema) }) },
  /** lands the branch on its base (fast-forward, merge commit or rebase); conflicts found first, nothing half-done */
  'review.merge': { input: MergeInputSchema, output: MergeOutcomeSchema },
  /** removes the agent's worktree and (unless kept) its branch; refused while it runs unless forced */
  'review.discard': { input: DiscardInputSchema, output: z.object({ discarded: z.string() }) },
  /** the project's git status: branch, upstream, ahead/behind, changed and untracked files */
  'projects.git': { input: ProjectScope, output: GitStatusSchema },
  /**
   * opens (idempotent) the copy of a project in a git worktree: `worktree` names an agent (id or name), a branch,
   * or an absolute path inside a worktree; the copy's id is `<project>@<label>`, its services answer at
   * `<service>.<label>.localhost` (proxy.routes); close it with projects.close
   */
  'projects.openWorktree': {
    input: z.object({ project: ProjectRef, worktree: z.string().min(1).max(4096) }).strict(),
    output: ProjectInfoSchema,
  },
  /** token and cost figures of every agent (and of removed agents that spent any), with their budgets */
  'usage.agents': { input: Empty, output: z.array(AgentUsageSchema) },
  'usage.agent': { input: UsageAgentInputSchema, output: AgentUsageSchema },
  /** a task's figures, per agent that worked on it */
  'usage.task': { input: UsageTaskInputSchema, output: TaskUsageSchema },
  /** sets an agent's budget (tokens or USD; `limit: null` removes it): warned past `warnAt`, stopped past it */
  'usage.setBudget': { input: UsageBudgetInputSchema, output: AgentUsageSchema },
  /** the loopback OTLP receiver: its endpoint and what it took */
  'usage.receiver': { input: Empty, output: UsageReceiverSchema },
  /** the stable local addresses of TCP services (`protocol: tcp`): who serves each, connections and bytes */
  'proxy.tcp': { input: ProjectScope, output: z.array(TcpRouteSchema) },
  /** the databases DevMesh runs for the project's services (`database:` blocks) */
  'databases.list': { input: ProjectScope, output: z.array(DatabaseInfoSchema) },
  /** empties the database and seeds it again (the service is stopped and started around it when running) */
  'databases.reset': { input: DatabaseRefSchema, output: DatabaseInfoSchema },
  /** a snapshot in the engine's own dump format, compressed, kept under $DEVMESH_HOME */
  'databases.snapshot': { input: SnapshotCreateInputSchema, output: SnapshotInfoSchema },
  /** replaces the database's contents with a snapshot's (checked against its sha256 first) */
  'databases.restore': { input: SnapshotRestoreInputSchema, output: DatabaseInfoSchema },
  'databases.snapshots': { input: SnapshotListInputSchema, output: z.array(SnapshotInfoSchema) },
  /** lets teammates pull a snapshot (or stops letting them, `published: false`) */
  'databases.publish': { input: SnapshotPublishInputSchema, output: SnapshotInfoSchema },
  /** what linked teammates published, asked over the authenticated link */
  'databases.peerSnapshots': { input: PeerSnapshotsInputSchema, output: z.array(PeerSnapshotSchema) },
  /** fetches a teammate's published snapshot, verifies its sha256, keeps it, and restores it unless told not to */
  'databases.pull': { input: SnapshotPullInputSchema, output: SnapshotPullSchema },
  /** what each service (its process tree), agent and terminal uses now, busiest first, and active alerts */
  'metrics.current': { input: MetricsCurrentInputSchema, output: MetricsCurrentSchema },
  /** one process's figures over a range: every sample of the last minutes, else a day's minute rollups */
  'metrics.history': { input: MetricsHistoryInputSchema, output: MetricsHistorySchema },
  /** leak and spin alerts (shown, never acted on): active ones, or with `all` the cleared ones too */
  'metrics.alerts': { input: MetricsAlertsInputSchema, output: z.array(MetricsAlertSchema) },
} as const;

export type ApiMethod = keyof typeof apiMethods;
export const API_METHODS = Object.keys(apiMethods) as ApiMethod[];
export type ApiInput<M extends ApiMethod> = z.input<(typeof apiMethods)[M]['input']>;
export type ApiParsedInput<M extends ApiMethod> = z.output<(typeof apiMethods)[M]['input']>;
export type ApiOutput<M extends ApiMethod> = z.output<(typeof apiMethods)[M]['output']>;

/** Streams a face can follow. `events`: every DevMeshEvent. `logs`: live log lines of one service (or all
 * services of a project when `name` is omitted). */
export const apiTopics = {
  events: { params: Empty },
  logs: { params: z.object({ project: ProjectRef, name: ServiceName.optional() }).strict() },
  /** live proxied requests (RequestRecord), optionally of one project / service; `unrouted` adds, to a
   *  project's, the requests no project served (unknown hosts) */
  requests: {
    params: z
      .object({ project: ProjectRef, service: ServiceName.optional(), unrouted: z.boolean().optional() })
      .strict(),
  },
  /** per-service traffic counters (ServiceTraffic[]), pushed once a second while there is traffic */
  traffic: { params: z.object({ project: ProjectRef }).strict() },
} as const;
export type ApiTopic = keyof typeof apiTopics;
export type ApiTopicParams<T extends ApiTopic> = z.input<(typeof apiTopics)[T]['params']>;
