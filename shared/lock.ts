// File locks between agents: the four modes, what a lock may name (a file, a directory, a glob under the
// project root), a held lock, a queued waiter, the request an agent makes, and the events the lock manager
// emits (for the audit chain and the UI). The compatibility matrix itself lives in main/core/locks/lock-matrix.ts.
import { z } from 'zod';
import { ErrorInfoSchema } from './errors.js';

/**
 * READ is shared; INTENT announces a coming write (one holder, readers still admitted); WRITE is exclusive;
 * CO_WRITE is shared among co-writers who opted in.
 */
export const LOCK_MODES = ['READ', 'INTENT', 'WRITE', 'CO_WRITE'] as const;
export const LockModeSchema = z.enum(LOCK_MODES);
export type LockMode = z.infer<typeof LockModeSchema>;

/** an agent id (or any actor name): what the wait-for graph and the messages name */
export const LockHolderSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/, 'an agent id: letters, digits, . _ : @ -');

const PathText = z
  .string()
  .min(1)
  .max(4096)
  .refine((s) => !s.includes('\0'), 'no NUL bytes');

/**
 * What a lock names. Paths are relative to the project root (or absolute inside it); the manager
 * normalizes them to root-relative POSIX form ('.' is the root itself).
 * - file: that one path
 * - dir: the directory and everything under it
 * - glob: the paths the pattern matches (`src/**\/*.ts`); a matched directory does not cover its contents
 */
export const LockTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('file'), path: PathText }).strict(),
  z.object({ kind: z.literal('dir'), path: PathText }).strict(),
  z.object({ kind: z.literal('glob'), pattern: PathText }).strict(),
]);
export type LockTarget = z.infer<typeof LockTargetSchema>;

export const LOCK_TTL_MIN_MS = 1_000;
export const LOCK_TTL_MAX_MS = 24 * 60 * 60 * 1000;
export const LOCK_WAIT_MAX_MS = 60 * 60 * 1000;

/**
 * How long a lock lives when its request names no TTL. A lock lives while its taker does:
 * - a taker that renews it (an MCP session heartbeats what it took; DevMesh renews the locks of the agents it
 *   runs while their terminal lives) holds it until it releases it or ends; the TTL is only how long the lock
 *   outlives a taker that stopped renewing without saying so (hung, killed): LOCK_TTL_RENEWED_MS;
 * - a taker that cannot renew it (a person, from the CLI or the UI, or a script through the API) gets a
 *   lifetime stated at take time: LOCK_TTL_UNRENEWED_MS, the same from every face, renewable by hand.
 */
export const LOCK_TTL_RENEWED_MS = 30_000;
export const LOCK_TTL_UNRENEWED_MS = 60 * 60 * 1000;

/**
 * Who took a lock within its holder: one MCP session (`devmesh mcp` process) of an agent. A session that ends
 * releases only the locks it took; locks its holder took otherwise (the CLI, the UI, a task's INTENT locks,
 * another session) stay.
 */
export const LockSessionSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, 'a session id: letters, digits, . _ : -');

export const LockRequestSchema = z
  .object({
    holder: LockHolderSchema,
    mode: LockModeSchema,
    target: LockTargetSchema,
    /** how long the lock lives without a heartbeat; the manager's default when absent */
    ttlMs: z.number().int().min(LOCK_TTL_MIN_MS).max(LOCK_TTL_MAX_MS).optional(),
    /** how long to queue before giving up; 0 refuses at once when blocked; the manager's default when absent */
    waitMs: z.number().int().min(0).max(LOCK_WAIT_MAX_MS).optional(),
    /** the MCP session taking it, when one does: that session's end releases it (unless others took it too) */
    session: LockSessionSchema.optional(),
  })
  .strict();
export type LockRequest = z.infer<typeof LockRequestSchema>;

export const LockInfoSchema = z.object({
  id: z.string(),
  holder: LockHolderSchema,
  mode: LockModeSchema,
  /** normalized: root-relative POSIX path or pattern */
  target: LockTargetSchema,
  acquiredAt: z.number(),
  /** TTL deadline; the lock is taken away at expiresAt + the manager's grace unless heartbeated */
  expiresAt: z.number(),
  ttlMs: z.number().int(),
  /** the MCP sessions that took it; empty or absent: only its holder otherwise (CLI, UI, a task) */
  sessions: z.array(LockSessionSchema).optional(),
});
export type LockInfo = z.infer<typeof LockInfoSchema>;

export const LockWaiterSchema = z.object({
  id: z.string(),
  holder: LockHolderSchema,
  mode: LockModeSchema,
  target: LockTargetSchema,
  /** a holder changing the mode of a lock it holds on the same target: goes before other waiters */
  upgrade: z.boolean(),
  enqueuedAt: z.number(),
  /** when the wait is refused with TIMEOUT */
  deadline: z.number(),
  /** holders it waits for (holding a conflicting lock, or queued ahead with a conflicting request) */
  blockedBy: z.array(LockHolderSchema),
});
export type LockWaiter = z.infer<typeof LockWaiterSchema>;

export const LockSnapshotSchema = z.object({ locks: z.array(LockInfoSchema), waiters: z.array(LockWaiterSchema) });
export type LockSnapshot = z.infer<typeof LockSnapshotSchema>;

/** tryAcquire's answer: the lock, or the error naming the holders in the way */
export const TryAcquireResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: LockInfoSchema }),
  z.object({ ok: z.literal(false), error: ErrorInfoSchema, blockers: z.array(LockInfoSchema) }),
]);
export type TryAcquireResult = z.infer<typeof TryAcquireResultSchema>;

export const LockEventSchema = z.discriminatedUnion('type', [
  /** `previousMode` set when a holder changed the mode of a lock it held (an upgrade or downgrade) */
  z.object({
    type: z.literal('granted'),
    ts: z.number(),
    lock: LockInfoSchema,
    waitedMs: z.number(),
    previousMode: LockModeSchema.nullable(),
  }),
  /** `reason`: why (`released`, or the words given to releaseHolder: "terminal exited") */
  z.object({ type: z.literal('released'), ts: z.number(), lock: LockInfoSchema, reason: z.string() }),
  /** no heartbeat within TTL + grace */
  z.object({ type: z.literal('expired'), ts: z.number(), lock: LockInfoSchema }),
  z.object({ type: z.literal('queued'), ts: z.number(), waiter: LockWaiterSchema }),
  /** a request refused: blocked with no wait, timed out, deadlock, holder released, shutdown */
  z.object({
    type: z.literal('refused'),
    ts: z.number(),
    holder: LockHolderSchema,
    mode: LockModeSchema,
    target: LockTargetSchema,
    error: ErrorInfoSchema,
  }),
]);
export type LockEvent = z.infer<typeof LockEventSchema>;

/** Locks live per lock space: the root of a project (agents in its git worktrees share it). */
const SpaceRef = z.string().min(1).max(4096).optional();

/** `project`: a project id or root; omitted, the holder's project when it is an agent, else the only open project */
export const LockAcquireInputSchema = LockRequestSchema.extend({ project: SpaceRef }).strict();
export const LockReleaseInputSchema = z
  .object({ project: SpaceRef, holder: LockHolderSchema, lockId: z.string().min(1).max(64) })
  .strict();
/** `session`: only what that session took (in every space when `project` is omitted) */
export const LockReleaseAllInputSchema = z
  .object({ project: SpaceRef, holder: LockHolderSchema, session: LockSessionSchema.optional() })
  .strict();
/** `session`: renews only the locks that session took; omitted, every lock of the holder */
export const LockHeartbeatInputSchema = z
  .object({ holder: LockHolderSchema, session: LockSessionSchema.optional() })
  .strict();

/**
 * May `holder` change this file now (the Claude Code hook and the git pre-commit hook ask)? `path` is
 * absolute (inside the project or the agent's worktree) or relative to the project root. Allowed when no
 * other holder holds a lock covering it that the edit's mode conflicts with (CO_WRITE when the holder holds
 * CO_WRITE on it, else WRITE).
 */
export const LockCheckInputSchema = z
  .object({ project: SpaceRef, holder: LockHolderSchema, paths: z.array(PathText).min(1).max(10_000) })
  .strict();
/** a lock a linked teammate's machine holds on a checked file: who, on which machine, what */
export const TeammateBlockerSchema = z.object({
  id: z.string(),
  holder: z.string(),
  holderName: z.string(),
  /** the machine's mesh name */
  machine: z.string(),
  mode: LockModeSchema,
  target: LockTargetSchema,
});
export type TeammateBlocker = z.infer<typeof TeammateBlockerSchema>;

export const LockCheckResultSchema = z.object({
  allowed: z.boolean(),
  root: z.string(),
  /** one per path asked, in order */
  paths: z.array(
    z.object({
      path: z.string(),
      /** root-relative, or null when the path is outside the lock space (never locked) */
      relative: z.string().nullable(),
      allowed: z.boolean(),
      blockers: z.array(LockInfoSchema),
      /** locks linked teammates' machines hold on it in the same project (absent: none) */
      teammates: z.array(TeammateBlockerSchema).optional(),
    }),
  ),
  /** the refusal in words, naming the file, the holder and the lock; null when allowed */
  message: z.string().nullable(),
});
export type LockCheckResult = z.infer<typeof LockCheckResultSchema>;

export const LockSpaceSnapshotSchema = LockSnapshotSchema.extend({
  root: z.string(),
  /** the open project at that root, else null */
  project: z.string().nullable(),
});
export type LockSpaceSnapshot = z.infer<typeof LockSpaceSnapshotSchema>;

export const LockChangedEventSchema = z.object({
  type: z.literal('lock.changed'),
  ts: z.number(),
  root: z.string(),
  project: z.string().nullable(),
  change: LockEventSchema,
});
export type LockChangedEvent = z.infer<typeof LockChangedEventSchema>;
