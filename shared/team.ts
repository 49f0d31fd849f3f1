// The team across the mesh (issue 15), presence half: the machines linked in a mesh, the human at each, and
// the AI agents each runs with their status. A machine says what it has (main/core/team/presence-*.ts, the
// `presence` channel); every teammate keeps a replica, shown by `devmesh team`, `devmesh agent ls --all`, MCP
// `list_agents` and the UI's Team view. Every string that crosses the mesh is bounded here.
import { z } from 'zod';
import { AgentStatusSchema } from './agent.js';
import { LockModeSchema, LockTargetSchema } from './lock.js';

const Text = (max: number) => z.string().max(max);
/** a mesh agent id (one per daemon): the machine's id in the team domain */
export const MachineIdSchema = z.string().min(1).max(128);

/** A project open on a machine: its local id and its identity key (the same on every clone of it). */
export const TeamProjectSchema = z
  .object({
    id: Text(256),
    /** ProjectInfo.identity.key; null while git has not identified it yet */
    key: Text(64).nullable(),
  })
  .strict();
export type TeamProject = z.infer<typeof TeamProjectSchema>;

/** What a machine says about one of its agents (its human and machine come from the machine, not from here). */
export const TeamAgentStateSchema = z
  .object({
    id: Text(64).min(1),
    name: Text(64).min(1),
    /** the profile id (claude, codex…) or `custom` */
    profile: Text(64),
    /** `--model X` from its arguments when given there; null when unknown (never guessed) */
    model: Text(128).nullable(),
    role: Text(128).nullable(),
    status: AgentStatusSchema,
    statusReason: Text(512).nullable(),
    /** the identity key of the project it works in; null when outside any identified project */
    projectKey: Text(64).nullable(),
    /** its worktree's branch; null without a worktree of its own */
    branch: Text(256).nullable(),
    /** the task the board assigned to it (CLAIMED, WORKING or PAUSED) */
    task: z
      .object({ id: Text(64), title: Text(200) })
      .strict()
      .nullable(),
    updatedAt: z.number(),
  })
  .strict();
export type TeamAgentState = z.infer<typeof TeamAgentStateSchema>;

/** An agent anywhere on the mesh, as the API shows it. */
export const TeamAgentSchema = TeamAgentStateSchema.extend({
  machineId: MachineIdSchema,
  /** the machine's mesh name */
  machine: z.string(),
  human: z.string(),
  /** on this machine */
  local: z.boolean(),
  /** its machine is linked now; false: what was last seen (`lastSeen` on the machine) */
  reachable: z.boolean(),
});
export type TeamAgent = z.infer<typeof TeamAgentSchema>;

export const TeamMachineSchema = z.object({
  machineId: MachineIdSchema,
  name: z.string(),
  human: z.string(),
  /** this machine (the daemon answering) */
  local: z.boolean(),
  reachable: z.boolean(),
  /** when the link went down (ms); null while reachable */
  lastSeen: z.number().nullable(),
  projects: z.array(TeamProjectSchema),
  agents: z.array(TeamAgentSchema),
});
export type TeamMachine = z.infer<typeof TeamMachineSchema>;

/**
 * A teammate's machine came or went (emitted on the receiving machine):
 * joined (first presence from it), back (presence again after it was unreachable), unreachable (the link
 * fell silent or broke: its agents are kept as "last seen"), left (it said goodbye).
 */
export const TeamMachineEventSchema = z.object({
  type: z.literal('team.machine'),
  ts: z.number(),
  change: z.enum(['joined', 'back', 'unreachable', 'left']),
  machineId: MachineIdSchema,
  machine: z.string(),
  human: z.string(),
});
export type TeamMachineEvent = z.infer<typeof TeamMachineEventSchema>;

/**
 * A teammate's agent changed (emitted on the receiving machine): started, waiting (needs its human),
 * working, idle, finished (exited), removed, or updated (its task, branch or role changed, not its status).
 */
export const TeamAgentEventSchema = z.object({
  type: z.literal('team.agent'),
  ts: z.number(),
  change: z.enum(['started', 'waiting', 'working', 'idle', 'finished', 'removed', 'updated']),
  agent: TeamAgentSchema,
});
export type TeamAgentEvent = z.infer<typeof TeamAgentEventSchema>;

export const TeamAgentsInputSchema = z
  .object({
    /** teammates' agents too (default); false: this machine's only */
    all: z.boolean().default(true),
    /** one machine's, by its name or id */
    machine: z.string().min(1).max(128).optional(),
  })
  .strict();

/** One side of a mesh lock conflict: who holds what, on which machine. */
export const TeamLockSideSchema = z.object({
  holder: z.string(),
  holderName: z.string(),
  machineId: MachineIdSchema,
  machine: z.string(),
  /** `WRITE on src/orders.ts`, or `state <key>` */
  what: z.string(),
  /** the machines that were unreachable when it was granted */
  partitioned: z.array(z.string()),
});

/**
 * Two machines granted conflicting locks while they could not reach each other; found the moment the link came
 * back and raised on both (an alert: neither lock is taken away, the holders decide who lets go).
 */
export const TeamLockConflictEventSchema = z.object({
  type: z.literal('team.lock-conflict'),
  ts: z.number(),
  /** the project's identity key */
  project: z.string(),
  mine: TeamLockSideSchema,
  theirs: TeamLockSideSchema,
});
export type TeamLockConflictEvent = z.infer<typeof TeamLockConflictEventSchema>;

/** at most this many of a machine's locks cross the mesh in its presence (the rest are counted, not listed) */
export const TEAM_MAX_LOCKS = 1000;
/** a lock whose target is longer than this is counted, not listed (keeps a presence frame well under a link's) */
export const TEAM_MAX_LOCK_TARGET = 1024;

/** A lock a machine holds, as its presence tells teammates (its machine comes from the machine, not from here). */
export const TeamLockStateSchema = z
  .object({
    /** the lock's id on its machine */
    id: Text(64).min(1),
    /** the holder's id (an agent id, `user`…) and name */
    holder: Text(128).min(1),
    holderName: Text(128),
    mode: LockModeSchema,
    /** root-relative POSIX path or pattern: repository-relative for every clone of the project */
    target: LockTargetSchema,
    /** the project's identity key on every clone; null: a space no teammate can share (never sent) */
    projectKey: Text(64).nullable(),
    /** the project's id on its machine (null: a folder, not an open project) */
    project: Text(256).nullable(),
    /** when it was granted (ms) */
    acquiredAt: z.number(),
    /** the names of the machines that were unreachable when it was granted ([] when every one agreed) */
    partitioned: z.array(Text(128)).max(256),
  })
  .strict();
export type TeamLockState = z.infer<typeof TeamLockStateSchema>;

/** A lock held anywhere on the mesh, as the API shows it. */
export const TeamLockSchema = TeamLockStateSchema.extend({
  machineId: MachineIdSchema,
  machine: z.string(),
  /** held on this machine */
  local: z.boolean(),
  /** its machine is linked now; false: as last seen (it may be gone) */
  reachable: z.boolean(),
});
export type TeamLock = z.infer<typeof TeamLockSchema>;

/** `team.locks`: every machine's held locks; `leftOff`, the machines that held more than their presence lists */
export const TeamLocksSchema = z.object({
  locks: z.array(TeamLockSchema),
  leftOff: z.array(z.object({ machine: z.string(), count: z.number().int() })),
});
export type TeamLocks = z.infer<typeof TeamLocksSchema>;

/** A teammate's held locks changed, or its machine became (un)reachable (emitted on the receiving machine). */
export const TeamLocksEventSchema = z.object({
  type: z.literal('team.locks'),
  ts: z.number(),
  machineId: MachineIdSchema,
  machine: z.string(),
  /** how many it holds now, as its presence lists them */
  held: z.number().int(),
});
export type TeamLocksEvent = z.infer<typeof TeamLocksEventSchema>;
