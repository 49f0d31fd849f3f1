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
export const LockHolderSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/, 'an agent id: letters, digits, . _ : @ -');

const PathText = z.string().min(1).max(4096).refine((s) => !s.includes('\0'), 'no NUL bytes');

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

export const LockRequestSchema = z
  .object({
    holder: LockHolderSchema,
    mode: LockModeSchema,
    target: LockTargetSchema,
    /** how long the lock lives without a heartbeat; the manager's default when absent */
    ttlMs: z.number().int().min(LOCK_TTL_MIN_MS).max(LOCK_TTL_MAX_MS).optional(),
    /** how long to queue before giving up; 0 refuses at once when blocked; the manager's default when absent */
    waitMs: z.number().int().min(0).max(LOCK_WAIT_MAX_MS).optional(),
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
  z.object({ type: z.literal('granted'), ts: z.number(), lock: LockInfoSchema, waitedMs: z.number(), previousMode: LockModeSchema.nullable() }),
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
