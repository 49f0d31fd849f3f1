// Values of the review contract (shared/review.ts) for the Review view's tests, each checked by its schema when
// made, and a real unified patch as git writes it.
import {
  ChangedFileSchema,
  FileDiffSchema,
  GitStatusSchema,
  ReviewSummarySchema,
  type ChangedFile,
  type FileDiff,
  type GitStatus,
  type ReviewSummary,
} from '../../../shared/review.js';

export const changedFile = (path: string, over: Partial<ChangedFile> = {}): ChangedFile =>
  ChangedFileSchema.parse({
    path,
    from: null,
    kind: 'modified',
    added: 3,
    removed: 1,
    binary: false,
    where: 'committed',
    ...over,
  });

export const reviewSummary = (agentId: string, files: ChangedFile[], over: Partial<ReviewSummary> = {}) =>
  ReviewSummarySchema.parse({
    agentId,
    path: `/repo/shop/.devmesh/worktrees/${agentId}`,
    branch: `feat/${agentId}`,
    base: 'main',
    mergeBase: 'a'.repeat(40),
    ahead: 2,
    behind: 0,
    files,
    truncated: false,
    dirty: false,
    at: 1,
    ...over,
  });

/** `git diff main -- src/cart.ts` after the agent's edit: one hunk, a line replaced and one added */
export const CART_PATCH = [
  'diff --git a/src/cart.ts b/src/cart.ts',
  'index 3b18e51..a2c4f0d 100644',
  '--- a/src/cart.ts',
  '+++ b/src/cart.ts',
  '@@ -1,4 +1,5 @@',
  ' export function total(items: number[]): number {',
  '-  return items.reduce((a, b) => a + b);',
  '+  const sum = items.reduce((a, b) => a + b, 0);',
  '+  return Math.round(sum * 100) / 100;',
  ' }',
  ' ',
  '',
].join('\n');

export const fileDiff = (path: string, over: Partial<FileDiff> = {}): FileDiff =>
  FileDiffSchema.parse({
    path,
    from: null,
    kind: 'modified',
    binary: false,
    patch: CART_PATCH,
    tooLarge: false,
    oldSize: 80,
    newSize: 120,
    ...over,
  });

export const gitStatus = (over: Partial<GitStatus> = {}): GitStatus =>
  GitStatusSchema.parse({
    branch: 'main',
    upstream: 'origin/main',
    ahead: 1,
    behind: 2,
    changed: 3,
    untracked: 1,
    detached: false,
    ...over,
  });
