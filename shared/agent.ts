// AI coding agents: the profiles of the CLIs DevMesh knows how to launch (claude, codex, gemini, aider,
// opencode, goose, or any command), what detection found on this machine, and the persisted record of each
// agent started in a terminal (its worktree, task, status and declared resources).
import { z } from 'zod';

/** profile ids are also CLI words (`devmesh agent start claude`): lower-case, short, no spaces */
export const AgentProfileIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,31}$/, 'a lower-case word: letters, digits, . _ -');
/** the profile id recorded for an agent started from a plain command rather than a profile */
export const CUSTOM_AGENT_PROFILE = 'custom';

/**
 * How the initial prompt (the task) reaches the CLI:
 * - positional: appended as the last argument (`claude "fix the tests"`), the session stays interactive
 * - flag: `<flag> <prompt>` (`gemini -i "…"`), the session stays interactive
 * - typed: written into the terminal once the CLI is ready (its first output has settled, or `readyPattern`
 *   matched), for CLIs whose only prompt flag runs one message and exits (aider `--message`)
 * - none: the CLI cannot take one; the prompt is refused with a clear message
 */
export const AgentPromptMethodSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('positional') }).strict(),
  z.object({ kind: z.literal('flag'), flag: z.string().min(1).max(64) }).strict(),
  z
    .object({
      kind: z.literal('typed'),
      /** regex source; when it matches the output's tail, the CLI is ready for the prompt */
      readyPattern: z.string().max(512).optional(),
      /** quiet time after the first output that counts as ready when no readyPattern is given */
      settleMs: z.number().int().min(0).max(60_000).optional(),
    })
    .strict(),
  z.object({ kind: z.literal('none') }).strict(),
]);
export type AgentPromptMethod = z.infer<typeof AgentPromptMethodSchema>;

/**
 * How the CLI loads MCP servers (how DevMesh's own MCP server, or a project's, reaches the agent):
 * - flag-file: a JSON file `{ "mcpServers": { … } }` passed with `<flag> <file>` (claude `--mcp-config`)
 * - flag-per-server: one `<flag> "<command line>"` per server (goose `--with-extension`)
 * - config-file: the CLI reads servers from its own config file under `key` (codex `config.toml`
 *   `[mcp_servers]`, gemini `settings.json` `mcpServers`); `projectPath` is the per-project file, if any
 * - unsupported: the CLI has no MCP client (aider)
 */
export const AgentMcpMethodSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('flag-file'),
      flag: z.string().min(1).max(64),
      /** written before the file's path (copilot `--additional-mcp-config @<file>`) */
      prefix: z.string().max(8).optional(),
    })
    .strict(),
  z.object({ kind: z.literal('flag-per-server'), flag: z.string().min(1).max(64) }).strict(),
  z
    .object({
      kind: z.literal('config-file'),
      path: z.string().min(1).max(1024),
      projectPath: z.string().min(1).max(1024).optional(),
      format: z.enum(['json', 'toml', 'yaml']),
      key: z.string().min(1).max(128),
    })
    .strict(),
  z.object({ kind: z.literal('unsupported'), note: z.string().max(512) }).strict(),
]);

/**
 * How DevMesh's lock check reaches the CLI before it edits a file (beside the git pre-commit hook every agent
 * gets): `claude-settings` is a Claude Code settings file passed with `<flag> <file>` whose PreToolUse hook
 * asks DevMesh before Edit/Write/MultiEdit/NotebookEdit. Absent: only the pre-commit hook guards.
 */
export const AgentEditHookSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('claude-settings'), flag: z.string().min(1).max(64) }).strict(),
]);

/**
 * How the CLI runs without permission prompts (DevMesh's unattended mode, allowed only in a DevMesh worktree):
 * the arguments, the document they come from, and whether that document was read to confirm them.
 */
export const AgentUnattendedSchema = z
  .object({
    args: z.array(z.string().min(1).max(128)).min(1).max(8),
    docs: z.string().min(1).max(512),
    checked: z.boolean(),
  })
  .strict();
export type AgentUnattended = z.infer<typeof AgentUnattendedSchema>;

export const AgentProfileSchema = z
  .object({
    id: AgentProfileIdSchema,
    displayName: z.string().min(1).max(64),
    /** a name looked up on PATH, or an absolute path */
    executable: z.string().min(1).max(1024),
    /** arguments for an interactive session, before any prompt */
    args: z.array(z.string().max(4096)).max(64),
    prompt: AgentPromptMethodSchema,
    mcp: AgentMcpMethodSchema,
    editHook: AgentEditHookSchema.optional(),
    /** the command that installs it, shown when it is missing */
    installHint: z.string().max(512),
    versionArgs: z.array(z.string().max(256)).max(8),
    /** regex sources (case-insensitive) for the CLI's waiting-for-the-user prompts, seen in the output's tail */
    waitingPatterns: z.array(z.string().max(512)).max(32),
    /** false for profiles from the user's config: their flags are the user's word, not DevMesh's */
    builtin: z.boolean(),
    /** absent: the CLI has no flag for running without permission prompts */
    unattended: AgentUnattendedSchema.optional(),
    /** arguments a start must add after `args` (ollama's model): how many at least, and what to say when missing */
    needsArgs: z
      .object({ min: z.number().int().min(1).max(8), hint: z.string().max(256) })
      .strict()
      .optional(),
  })
  .strict();
export type AgentProfile = z.infer<typeof AgentProfileSchema>;

/** A profile as the user writes it in $DEVMESH_HOME/config.yaml under `agents.profiles` (snake_case). */
export const AgentProfileConfigSchema = z
  .object({
    id: AgentProfileIdSchema,
    display_name: z.string().min(1).max(64).optional(),
    executable: z.string().min(1).max(1024),
    args: z.array(z.string().max(4096)).max(64).optional(),
    prompt: AgentPromptMethodSchema.optional(),
    mcp: AgentMcpMethodSchema.optional(),
    edit_hook: AgentEditHookSchema.optional(),
    install_hint: z.string().max(512).optional(),
    version_args: z.array(z.string().max(256)).max(8).optional(),
    waiting_patterns: z.array(z.string().max(512)).max(32).optional(),
    unattended: AgentUnattendedSchema.optional(),
  })
  .strict();
export type AgentProfileConfig = z.infer<typeof AgentProfileConfigSchema>;

export const AgentDetectionSchema = z.object({
  id: z.string(),
  installed: z.boolean(),
  /** the resolved executable, or null when not found */
  path: z.string().nullable(),
  /** the first line `<exe> --version` printed, or null */
  version: z.string().nullable(),
  /** why it is not usable, or why the version is unknown */
  error: z.string().nullable(),
  installHint: z.string(),
});
export type AgentDetection = z.infer<typeof AgentDetectionSchema>;

export const AGENT_STATUSES = ['starting', 'working', 'waiting', 'idle', 'exited'] as const;
export const AgentStatusSchema = z.enum(AGENT_STATUSES);
export type AgentStatus = z.infer<typeof AgentStatusSchema>;

export const AgentResourcesSchema = z.object({
  ramGb: z.number().min(0).max(65_536),
  gpus: z.number().int().min(0).max(1024),
});
export type AgentResources = z.infer<typeof AgentResourcesSchema>;

const AgentId = z.string().regex(/^[a-z0-9-]{1,64}$/);
/** agent names are how the CLI and the UI refer to an agent: unique, shell-friendly */
export const AgentNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, . _ - (at most 64)');

export const AgentWorktreeSchema = z.object({
  /** the worktree's folder, the agent's cwd */
  path: z.string(),
  branch: z.string(),
  /** the repository (main worktree) it was added to */
  repo: z.string(),
});

export const AgentRecordSchema = z.object({
  id: AgentId,
  name: z.string(),
  /** a profile id, or `custom` for a plain command */
  profile: z.string(),
  role: z.string().nullable(),
  cwd: z.string(),
  project: z.string().nullable(),
  /** what was launched (kept so a relaunch does the same even if the profile changed) */
  command: z.string(),
  args: z.array(z.string()),
  worktree: AgentWorktreeSchema.nullable(),
  terminalId: z.string().nullable(),
  /** the initial prompt it was given */
  task: z.string().nullable(),
  status: AgentStatusSchema,
  /** why it is in that status, in words ("permission prompt", "no output for 5 s", "exited with code 1") */
  statusReason: z.string().nullable(),
  exitCode: z.number().int().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
  resources: AgentResourcesSchema,
  /** relaunched after a crash (absent: true; records from older peers have no field) */
  supervise: z.boolean().optional(),
  /** launched with its CLI's flag for running without permission prompts (absent: false) */
  unattended: z.boolean().optional(),
});
export type AgentRecord = z.infer<typeof AgentRecordSchema>;

export const AgentStartInputSchema = z
  .object({
    /** a profile id; give either this or `command` */
    profile: AgentProfileIdSchema.optional(),
    /** a plain command (any CLI), with `args` */
    command: z.string().min(1).max(4096).optional(),
    args: z.array(z.string().max(4096)).max(256).optional(),
    /** default: the profile id (or the command's base name) plus a number when taken */
    name: AgentNameSchema.optional(),
    role: z.string().min(1).max(128).optional(),
    prompt: z.string().min(1).max(32_768).optional(),
    /** a new branch: DevMesh adds a git worktree for it and starts the agent there */
    worktree: z.string().min(1).max(200).optional(),
    /** the branch or commit the new worktree starts from (default: the repository's HEAD) */
    base: z.string().min(1).max(200).optional(),
    /** a project name: its root is the directory (or the repository for the worktree) */
    project: z.string().min(1).max(4096).optional(),
    /** a directory, when no project is given */
    cwd: z.string().min(1).max(4096).optional(),
    ramGb: z.number().min(0).max(65_536).optional(),
    gpus: z.number().int().min(0).max(1024).optional(),
    cols: z.number().int().min(2).max(1000).optional(),
    rows: z.number().int().min(1).max(500).optional(),
    /** false: a crash is not relaunched (default true) */
    supervise: z.boolean().optional(),
    /** run without permission prompts (the profile's documented flag); only with `worktree` */
    unattended: z.boolean().optional(),
  })
  .strict()
  .refine((v) => (v.profile === undefined) !== (v.command === undefined), {
    message: 'give either a profile or a command, not both',
  });
export type AgentStartInput = z.input<typeof AgentStartInputSchema>;

export const AgentStatusEventSchema = z.object({
  type: z.literal('agent.status'),
  ts: z.number(),
  agentId: AgentId,
  name: z.string(),
  from: AgentStatusSchema,
  to: AgentStatusSchema,
  reason: z.string().nullable(),
  record: AgentRecordSchema,
});
export type AgentStatusEvent = z.infer<typeof AgentStatusEventSchema>;

export const AgentBudgetSchema = z.object({
  /** null: no limit set */
  ramGb: z.number().nullable(),
  gpus: z.number().int().nullable(),
});
export type AgentBudget = z.infer<typeof AgentBudgetSchema>;

/**
 * What the supervisor did about a crashed agent: `relaunching` (after `delayMs`, attempt `attempt` of `limit`),
 * `relaunched`, or `gave-up` (the crash-loop limit, or the relaunch failed): the agent stays exited.
 */
export const AgentSupervisedEventSchema = z.object({
  type: z.literal('agent.supervised'),
  ts: z.number(),
  agentId: AgentId,
  name: z.string(),
  action: z.enum(['relaunching', 'relaunched', 'gave-up']),
  attempt: z.number().int(),
  limit: z.number().int(),
  delayMs: z.number().int().nullable(),
  reason: z.string(),
});
export type AgentSupervisedEvent = z.infer<typeof AgentSupervisedEventSchema>;
