// Reviewing and landing an agent's work (issue 16): what changed on the agent's branch against its base, the
// diff of one file, and what the user may do with it (commit, merge or rebase onto the base, discard, keep).
// The core computes these with git (main/core/review/); the CLI (`devmesh agent diff|merge|discard`), the MCP
// server and the renderer's Review view read them through the API methods named at the end.
import { z } from 'zod';

/** how a file changed: git's status letters, spelled out */
export const ChangeKindSchema = z.enum(['added', 'modified', 'deleted', 'renamed', 'copied', 'type-changed']);
export type ChangeKind = z.infer<typeof ChangeKindSchema>;

export const ChangedFileSchema = z.object({
  /** repo-relative POSIX path (the new path of a rename) */
  path: z.string(),
  /** the old path of a rename or copy */
  from: z.string().nullable(),
  kind: ChangeKindSchema,
  /** null for a binary file */
  added: z.number().int().nullable(),
  removed: z.number().int().nullable(),
  binary: z.boolean(),
  /** committed on the branch, or only in the worktree (staged, unstaged or untracked) */
  where: z.enum(['committed', 'uncommitted', 'both']),
});
export type ChangedFile = z.infer<typeof ChangedFileSchema>;

/** an agent's (or a DevMesh worktree's) changes against its base branch */
export const ReviewSummarySchema = z.object({
  agentId: z.string().nullable(),
  /** the worktree's folder */
  path: z.string(),
  branch: z.string(),
  /** the branch it is compared with and lands on (the repository's branch the worktree was made from) */
  base: z.string(),
  /** `git merge-base` of branch and base */
  mergeBase: z.string(),
  ahead: z.number().int(),
  behind: z.number().int(),
  files: z.array(ChangedFileSchema),
  /** more files changed than listed (a page of the list) */
  truncated: z.boolean(),
  /** uncommitted changes in the worktree (a merge commits them first only when asked) */
  dirty: z.boolean(),
  /** when the summary was computed (ms since epoch) */
  at: z.number(),
});
export type ReviewSummary = z.infer<typeof ReviewSummarySchema>;

/** one file's diff; `patch` is a unified diff (git's format, with headers) that a diff viewer parses */
export const FileDiffSchema = z.object({
  path: z.string(),
  from: z.string().nullable(),
  kind: ChangeKindSchema,
  binary: z.boolean(),
  /** null for a binary file, or one over the size limit (`tooLarge`) */
  patch: z.string().nullable(),
  tooLarge: z.boolean(),
  /** bytes of the old and new file (null when absent) */
  oldSize: z.number().int().nullable(),
  newSize: z.number().int().nullable(),
});
export type FileDiff = z.infer<typeof FileDiffSchema>;

/** a conflict found before merging (git merge-tree --write-tree), per file; nothing in any checkout changed */
export const MergeConflictSchema = z.object({
  path: z.string(),
  /** git's words for it: `content`, `add/add`, `modify/delete`, `rename/delete`, … */
  kind: z.string(),
  message: z.string(),
});
export type MergeConflict = z.infer<typeof MergeConflictSchema>;

export const MergeOutcomeSchema = z.discriminatedUnion('merged', [
  z.object({
    merged: z.literal(true),
    strategy: z.enum(['fast-forward', 'merge-commit', 'rebase']),
    /** the base branch's new head */
    head: z.string(),
    /** tasks completed and locks released because their work landed */
    completedTasks: z.array(z.string()),
  }),
  z.object({ merged: z.literal(false), conflicts: z.array(MergeConflictSchema) }),
]);
export type MergeOutcome = z.infer<typeof MergeOutcomeSchema>;

/** the project's git status: shown in the Services view's header and `devmesh status` */
export const GitStatusSchema = z.object({
  /** null outside a git repository */
  branch: z.string().nullable(),
  /** the upstream it is compared with, when it has one */
  upstream: z.string().nullable(),
  ahead: z.number().int(),
  behind: z.number().int(),
  changed: z.number().int(),
  untracked: z.number().int(),
  detached: z.boolean(),
});
export type GitStatus = z.infer<typeof GitStatusSchema>;

const AgentRef = z.string().min(1).max(200);
export const ReviewInputSchema = z
  .object({ agent: AgentRef, limit: z.number().int().min(1).max(10_000).default(2_000) })
  .strict();
export const FileDiffInputSchema = z
  .object({ agent: AgentRef, path: z.string().min(1).max(4096), maxBytes: z.number().int().optional() })
  .strict();
export const CommitInputSchema = z.object({ agent: AgentRef, message: z.string().min(1).max(10_000) }).strict();
export const MergeInputSchema = z
  .object({
    agent: AgentRef,
    strategy: z.enum(['fast-forward', 'merge-commit', 'rebase']).default('merge-commit'),
    /** commit the worktree's uncommitted changes first, with this message */
    commitMessage: z.string().min(1).max(10_000).optional(),
    /** after landing: remove the worktree and delete the branch */
    cleanup: z.boolean().default(false),
  })
  .strict();
export const DiscardInputSchema = z
  .object({ agent: AgentRef, keepBranch: z.boolean().default(false), force: z.boolean().default(false) })
  .strict();

// API methods (shared/api.ts), added by the review part:
//   'review.summary'   ReviewInputSchema      → ReviewSummarySchema
//   'review.file'      FileDiffInputSchema    → FileDiffSchema
//   'review.commit'    CommitInputSchema      → ReviewSummarySchema
//   'review.check'     MergeInputSchema       → z.object({ conflicts: z.array(MergeConflictSchema) })
//   'review.merge'     MergeInputSchema       → MergeOutcomeSchema
//   'review.discard'   DiscardInputSchema     → z.object({ discarded: z.string() })
//   'projects.git'     { project?: string }   → GitStatusSchema
// Events (shared/events.ts): { type: 'review.changed', ts, agentId, path } when an agent's worktree changed
// (the file watcher, or an action here): a view showing that agent's review fetches it again.

/** `review.changed`: an agent's worktree changed (an action here, or the file watcher); views refetch its review */
export const ReviewChangedEventSchema = z.object({
  type: z.literal('review.changed'),
  ts: z.number(),
  /** null for a worktree no agent runs in */
  agentId: z.string().nullable(),
  /** the worktree's folder */
  path: z.string(),
});
export type ReviewChangedEvent = z.infer<typeof ReviewChangedEventSchema>;
