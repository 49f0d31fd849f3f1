// The audit chain: every decision DevMesh takes (locks, task transitions and awards, agent and service
// start/stop, version alerts) as a hash-linked entry, so an edit, a deletion, a reordering or a cut tail is
// caught by `devmesh audit verify`, and listed by `devmesh audit ls`.
import { z } from 'zod';

/** prevHash of the first entry */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);
/** canonical JSON of an entry's `data`, at most */
export const AUDIT_MAX_DATA_BYTES = 64 * 1024;
export const AUDIT_MAX_PAGE = 1000;

const Sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/);

/** who decided: an agent id or name, `user`, `devmesh`, a peer */
export const AuditActorSchema = z.string().min(1).max(128);
/** what kind of decision, dotted: `lock.granted`, `task.awarded`, `agent.started` */
export const AuditKindSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$/, 'dotted lower-case words: lock.granted')
  .max(64);

/**
 * One entry. `hash` = SHA-256 (hex) of the canonical JSON (keys sorted, no spaces) of
 * `{ seq, ts, actor, kind, subject, data, prevHash }`; `prevHash` is the previous entry's hash, or
 * AUDIT_GENESIS_HASH for seq 1.
 */
export const AuditEntrySchema = z
  .object({
    seq: z.number().int().min(1),
    /** ms since the epoch */
    ts: z.number().int().min(0),
    actor: AuditActorSchema,
    kind: AuditKindSchema,
    /** what the decision is about: a path, a task id, a service */
    subject: z.string().max(1024),
    /** any JSON value */
    data: z.unknown(),
    prevHash: Sha256HexSchema,
    hash: Sha256HexSchema,
  })
  .strict();
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export const AuditAppendSchema = z
  .object({
    actor: AuditActorSchema,
    kind: AuditKindSchema,
    subject: z.string().max(1024),
    data: z.unknown(),
  })
  .strict();
export type AuditAppend = z.infer<typeof AuditAppendSchema>;

/** `devmesh audit ls`: newest first; `before` is a seq cursor (the last page's `nextBefore`) */
export const AuditFilterSchema = z
  .object({
    /** an actor; an agent may be named by its name (entries hold its id) */
    actor: AuditActorSchema.optional(),
    /** a kind (`lock.granted`) or the dotted prefix of kinds (`lock`: every lock.* entry) */
    kind: AuditKindSchema.optional(),
    /** ms since the epoch, inclusive */
    since: z.number().int().min(0).optional(),
    /** ms since the epoch, exclusive */
    until: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).max(AUDIT_MAX_PAGE).default(100),
    before: z.number().int().min(1).optional(),
  })
  .strict();
export type AuditFilter = z.input<typeof AuditFilterSchema>;

export interface AuditPage {
  entries: AuditEntry[];
  /** pass as `before` for the next (older) page; null when there is none */
  nextBefore: number | null;
}

export interface AuditBreak {
  /** the first entry that is missing, edited, out of place, or differs in the mirror */
  seq: number;
  why: string;
}

/** the kind of the entry DevMesh appends when the chain works again after it could not be written */
export const AUDIT_OUTAGE_KIND = 'audit.outage';

/** a span in which events happened that the chain could not record (a full disk), from its outage entry */
export interface AuditGap {
  /** the `audit.outage` entry that records it; 0 while the outage goes on (not in the chain yet) */
  seq: number;
  from: number;
  to: number;
  /** events that happened but could not be recorded */
  unrecorded: number;
  cause: string;
}

export interface VerifyResult {
  /** intact, complete (no gap) and mirrored line for line */
  ok: boolean;
  /** entries walked in SQLite */
  entries: number;
  firstBroken: AuditBreak | null;
  /** the last seq recorded by the head, kept apart from the chain */
  headSeq: number;
  /** the JSONL mirror holds the same entries, line for line, with the same hashes; `behind`: it holds the
   *  first entries exactly but misses the last `mirrorBehind` (not tampering: DevMesh rewrites them) */
  mirror: 'ok' | 'mismatch' | 'behind';
  mirrorBehind: number;
  gaps: AuditGap[];
}
