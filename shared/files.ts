// Watching files (issue 16): DevMesh watches each open project's checkout and each agent's DevMesh worktree
// (main/core/files/). What changed reaches the faces as `files.changed` events, agents through MCP
// `watch_files` (the `files.changes` call: the changes since a cursor, waiting a bounded time for the first),
// and an edit to a file another holder has locked (a shell write bypasses the edit hook) as
// `files.lock-bypassed`, an audit entry (`lock.bypassed`) and a message to both sides.
import { z } from 'zod';
import { LockModeSchema } from './lock.js';

export const FileChangeTypeSchema = z.enum(['create', 'update', 'delete']);
export type FileChangeType = z.infer<typeof FileChangeTypeSchema>;

/** at most this many paths ride in one `files.changed` event (the rest are counted) */
export const FILES_EVENT_MAX_PATHS = 100;
/** the longest `files.changes` wait (MCP clients give up on a call after 60 s by default) */
export const FILES_WAIT_MAX_MS = 50_000;

/** one watched folder changed: debounced, root-relative POSIX paths, ignored files left out */
export const FilesChangedEventSchema = z.object({
  type: z.literal('files.changed'),
  ts: z.number(),
  /** the watched folder: a project's checkout or an agent's worktree */
  root: z.string(),
  /** the open project it belongs to (a worktree: its repository's project), else null */
  project: z.string().nullable(),
  /** the agent whose worktree it is; null: the project's checkout */
  agentId: z.string().nullable(),
  /** at most FILES_EVENT_MAX_PATHS of the changed paths */
  paths: z.array(z.string()),
  /** how many paths changed in all */
  count: z.number().int(),
});
export type FilesChangedEvent = z.infer<typeof FilesChangedEventSchema>;

const BypassHolderSchema = z.object({
  /** an agent id, `user`, or a teammate's holder id */
  holder: z.string(),
  holderName: z.string(),
  lockId: z.string(),
  mode: LockModeSchema,
  /** a teammate's machine name; null: this machine */
  machine: z.string().nullable(),
});

/**
 * A file covered by another holder's lock changed on disk without going through the lock check (a shell write,
 * an editor outside the agent's edit hook): found after the fact by the watcher. An alert: nothing is undone.
 */
export const LockBypassedEventSchema = z.object({
  type: z.literal('files.lock-bypassed'),
  ts: z.number(),
  /** the lock space (the project's root) */
  root: z.string(),
  project: z.string().nullable(),
  /** root-relative path of the file */
  path: z.string(),
  change: FileChangeTypeSchema,
  /** where it was changed: the agent's worktree folder, or the project checkout */
  where: z.string(),
  /** the agent whose worktree it was changed in; null: the project checkout (the writer is not known) */
  writer: z.object({ agentId: z.string(), name: z.string() }).nullable(),
  holders: z.array(BypassHolderSchema),
});
export type LockBypassedEvent = z.infer<typeof LockBypassedEventSchema>;

/** one change, as `files.changes` lists it */
export const FileChangeSchema = z.object({
  seq: z.number().int(),
  ts: z.number(),
  root: z.string(),
  project: z.string().nullable(),
  agentId: z.string().nullable(),
  /** root-relative POSIX path */
  path: z.string(),
  type: FileChangeTypeSchema,
});
export type FileChange = z.infer<typeof FileChangeSchema>;

export const FilesChangesInputSchema = z
  .object({
    /** an open project (id or root); omitted: every watched folder */
    project: z.string().min(1).max(4096).optional(),
    /** from the last answer; omitted: from now on (only changes after this call) */
    cursor: z.string().min(1).max(64).optional(),
    /** wait up to this long for the first change when there is none yet (0: answer at once) */
    waitMs: z.number().int().min(0).max(FILES_WAIT_MAX_MS).default(0),
    limit: z.number().int().min(1).max(1000).default(200),
    /** only paths starting with this root-relative prefix (`src/`) */
    prefix: z.string().min(1).max(4096).optional(),
    /** leave out the changes in this agent's own worktree (an agent following the others) */
    excludeAgent: z.string().min(1).max(128).optional(),
  })
  .strict();
export type FilesChangesInput = z.input<typeof FilesChangesInputSchema>;

export const FilesChangesSchema = z.object({
  /** pass it back for the next changes */
  cursor: z.string(),
  changes: z.array(FileChangeSchema),
  /** more changes are waiting past this page: call again at once */
  more: z.boolean(),
  /** changes between the cursor and the first one listed were dropped (too many, or DevMesh restarted) */
  truncated: z.boolean(),
});
export type FilesChanges = z.infer<typeof FilesChangesSchema>;

export const WatchedRootSchema = z.object({
  root: z.string(),
  project: z.string().nullable(),
  agentId: z.string().nullable(),
  /** starting: crawling the folder; watching: events flow; failed: see `error` (in the daemon's health too) */
  state: z.enum(['starting', 'watching', 'failed']),
  error: z.string().nullable(),
  since: z.number(),
});
export type WatchedRoot = z.infer<typeof WatchedRootSchema>;
