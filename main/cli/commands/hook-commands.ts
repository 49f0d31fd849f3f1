// `devmesh hook claude-pre-tool-use | pre-commit`: the lock checks DevMesh's generated hooks run for an agent
// (see main/core/agents/agent-session-setup.ts). Both ask the running DevMesh `locks.check` for the agent
// (DEVMESH_AGENT_ID) and refuse a change to a file another holder locks.
// `devmesh hook claude-user-prompt-submit | claude-post-tool-use`: Claude Code's context hooks, answered by
// context-hook-command.ts (here for `devmesh help` and the full CLI; main.ts runs them without this module).
//
// The Claude Code PreToolUse contract (the hooks reference at code.claude.com/docs, as quoted by
// github.com/xsyetopz/claudetto wiki "Claude Code Hooks Output"/"Events Tool" and several write-ups that
// checked it): JSON on stdin with session_id, transcript_path, cwd, hook_event_name, tool_name, tool_input
// (absolute file_path for Edit/Write/MultiEdit; ASSUMED notebook_path for NotebookEdit) and tool_use_id;
// exit 0 lets the tool go on, exit 2 blocks it and feeds stderr to Claude as the reason; any other code is
// a non-blocking error (the tool runs). A git pre-commit hook refuses the commit with any non-zero code.
//
// A path is asked about by its real path (LockPathResolver.realPathOf: symlinks followed through the nearest
// existing ancestor, dangling ones to the file they would create), so no spelling gets around a lock: a
// symlink outside the project to a locked file, /proc/self/root/…, or a working folder that aliases the
// project (a symlinked checkout). The daemon compares it with the project root's real path.
//
// Failing open, on purpose: when DevMesh is not running, cannot be reached, or the input is not what we
// expect (our bug, or a format change in the CLI), the hook lets the change through and says why on stderr.
// A lock is a coordination aid between agents; a hook that blocks every edit because of its own fault would
// brick the agent, which costs more than one unguarded edit. The git hook still guards at commit time.
import { spawnSync } from 'node:child_process';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { DevMeshError } from '../../../shared/errors.js';
import { LockHolderSchema, type LockCheckResult, type LockInfo, type TeammateBlocker } from '../../../shared/lock.js';
import { LockPathResolver } from '../../core/locks/lock-path-resolver.js';
import type { ApiClient } from '../api-client.js';
import type { CliCommand } from '../cli-command.js';
import type { CliContext } from '../cli-context.js';
import { CONTEXT_HOOK_ACTIONS, ContextHook, HOOK_SUMMARY, HOOK_USAGE, type HookIo } from './context-hook-command.js';

export type { HookIo };

const ACTIONS = ['claude-pre-tool-use', 'pre-commit', ...Object.keys(CONTEXT_HOOK_ACTIONS)] as const;
const CLAUDE_BLOCK = 2;
const COMMIT_REFUSED = 1;
/** a Write carries the whole new file in tool_input.content */
const MAX_STDIN_BYTES = 64 * 1024 * 1024;
const EDIT_TOOLS = new Set(['Edit', 'Write', 'MultiEdit', 'NotebookEdit']);
const CHECK_BATCH = 5_000;

const ClaudeHookInputSchema = z
  .object({
    session_id: z.string().optional(),
    cwd: z.string().optional(),
    hook_event_name: z.string().optional(),
    tool_name: z.string(),
    tool_input: z
      .object({ file_path: z.string().min(1).optional(), notebook_path: z.string().min(1).optional() })
      .passthrough(),
  })
  .passthrough();

export class HookCommands {
  constructor(private readonly io: HookIo) {}

  commands(): CliCommand[] {
    return [
      {
        name: 'hook',
        summary: HOOK_SUMMARY,
        usage: HOOK_USAGE,
        options: {},
        positionals: {
          min: 1,
          max: 1,
          name: '<claude-pre-tool-use|pre-commit|claude-user-prompt-submit|claude-post-tool-use>',
        },
        run: (ctx, args) => this.hook(ctx, args.positionals[0]!),
      },
    ];
  }

  private async hook(ctx: CliContext, action: string): Promise<number> {
    const contextEvent = Object.hasOwn(CONTEXT_HOOK_ACTIONS, action) ? CONTEXT_HOOK_ACTIONS[action] : undefined;
    if (contextEvent !== undefined) return new ContextHook(this.io).run(ctx, action, contextEvent);
    if (!(ACTIONS as readonly string[]).includes(action)) {
      // Exit 0, not a usage error: exit 2 would block Claude Code's edit over a typo in a generated file.
      ctx.warn(`devmesh hook: unknown hook '${action}' (known: ${ACTIONS.join(', ')}); allowed without a lock check`);
      return 0;
    }
    const holder = LockHolderSchema.safeParse(this.io.env.DEVMESH_AGENT_ID ?? '');
    if (!holder.success) {
      ctx.warn(
        'devmesh hook: DEVMESH_AGENT_ID is not set (not an agent DevMesh launched?); allowed without a lock check',
      );
      return 0;
    }
    return action === 'pre-commit' ? this.preCommit(ctx, holder.data) : this.claudePreToolUse(ctx, holder.data);
  }

  private async claudePreToolUse(ctx: CliContext, holder: string): Promise<number> {
    if (this.io.stdin.isTTY) {
      ctx.warn(
        "devmesh hook claude-pre-tool-use: expects Claude Code's hook JSON on stdin; allowed without a lock check",
      );
      return 0;
    }
    const text = await this.readStdin();
    if (text === null) {
      ctx.warn(
        `devmesh hook claude-pre-tool-use: the hook input is over ${MAX_STDIN_BYTES} bytes; allowed without a lock check`,
      );
      return 0;
    }
    let input: z.infer<typeof ClaudeHookInputSchema>;
    try {
      const parsed = ClaudeHookInputSchema.safeParse(JSON.parse(text));
      if (!parsed.success)
        throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; '));
      input = parsed.data;
    } catch (err) {
      ctx.warn(
        `devmesh hook claude-pre-tool-use: could not read the hook input (${(err as Error).message}); allowed without a lock check`,
      );
      return 0;
    }
    if (!EDIT_TOOLS.has(input.tool_name)) return 0;
    const path = input.tool_input.file_path ?? input.tool_input.notebook_path;
    if (path === undefined) {
      ctx.warn(`devmesh hook claude-pre-tool-use: ${input.tool_name} names no file_path; allowed without a lock check`);
      return 0;
    }
    const absolute = isAbsolute(path) ? path : resolve(input.cwd ?? ctx.cwd, path);
    const answer = await this.check(ctx, holder, [HookCommands.realPath(absolute)]);
    if (answer === null || answer.result.allowed) return 0;
    const lines = answer.refused.map((r) => `${r.file} is locked by ${r.who} (${r.lock}).`);
    ctx.warn(
      `DevMesh: ${lines.join(' ')} Another agent is changing it, so do not edit it now: work on something else and come back to it later, or message ${answer.refused[0]?.name ?? 'the holder'} (DevMesh's send_message tool) to ask when it will be free.`,
    );
    return CLAUDE_BLOCK;
  }

  private async preCommit(ctx: CliContext, holder: string): Promise<number> {
    const top = HookCommands.git(ctx.cwd, ['rev-parse', '--show-toplevel']);
    const staged = top.ok ? HookCommands.git(ctx.cwd, ['diff', '--cached', '--name-only', '--no-renames', '-z']) : top;
    if (!top.ok || !staged.ok) {
      ctx.warn(
        `devmesh hook pre-commit: could not list the staged files (${staged.text.trim()}); committed without a lock check`,
      );
      return 0;
    }
    const root = top.text.trim();
    const files = staged.text.split('\0').filter((f) => f !== '');
    if (files.length === 0) return 0;
    const answer = await this.check(
      ctx,
      holder,
      files.map((f) => HookCommands.realPath(join(root, f))),
    );
    if (answer === null || answer.result.allowed) return 0;
    ctx.warn(
      [
        'devmesh: commit refused: it changes files another agent has locked:',
        ...answer.refused.map((r) => `  ${r.file}: locked by ${r.who} (${r.lock})`),
        `Wait until the lock is released and commit again, message ${answer.refused[0]?.name ?? 'the holder'} (send_message, or \`devmesh msg send ${answer.refused[0]?.name ?? '<holder>'} …\`) to ask for it,`,
        'or commit anyway with `git commit --no-verify` (at your own risk: the holder may be changing the same lines).',
      ].join('\n'),
    );
    return COMMIT_REFUSED;
  }

  /** Asks DevMesh; null (with a note on stderr) when it cannot answer, which allows the change. */
  private async check(
    ctx: CliContext,
    holder: string,
    paths: string[],
  ): Promise<{
    result: LockCheckResult;
    refused: Array<{ file: string; who: string; name: string; lock: string }>;
  } | null> {
    let client: ApiClient | null = null;
    try {
      client = await ctx.connect({ connectTimeoutMs: 3_000, callTimeoutMs: 10_000 });
      let result: LockCheckResult | null = null;
      for (let i = 0; i < paths.length; i += CHECK_BATCH) {
        const part = await client.call('locks.check', { holder, paths: paths.slice(i, i + CHECK_BATCH) });
        result =
          result === null
            ? part
            : {
                ...part,
                allowed: result.allowed && part.allowed,
                paths: [...result.paths, ...part.paths],
                message: result.message ?? part.message,
              };
      }
      if (result === null || result.allowed) return result === null ? null : { result, refused: [] };
      const names = await HookCommands.agentNames(client);
      const refused = result.paths
        .filter((p) => !p.allowed)
        .map((p) => {
          const lock = p.blockers[0];
          const teammate = p.teammates?.[0];
          if (lock === undefined && teammate !== undefined)
            return HookCommands.teammate(p.relative ?? p.path, teammate);
          const name = lock ? (names.get(lock.holder) ?? lock.holder) : 'another holder';
          return {
            file: p.relative ?? p.path,
            who: lock ? HookCommands.who(lock, names) : 'another holder',
            name,
            lock: lock ? HookCommands.describe(lock) : (result.message ?? 'lock'),
          };
        });
      return { result, refused };
    } catch (err) {
      const why =
        err instanceof DevMeshError && err.code === 'DAEMON_NOT_RUNNING'
          ? 'DevMesh is not running'
          : `DevMesh could not check the locks: ${(err as Error).message}`;
      ctx.warn(`devmesh hook: ${why}; allowed without a lock check`);
      return null;
    } finally {
      await client?.close();
    }
  }

  /** the real path, or the path as given when it cannot be resolved (EACCES, a symlink loop) */
  private static realPath(path: string): string {
    try {
      return LockPathResolver.realPathOf(path);
    } catch {
      return path;
    }
  }

  /** a lock a teammate's machine holds: its holder as messages address it there (`name@machine`) */
  private static teammate(file: string, t: TeammateBlocker): { file: string; who: string; name: string; lock: string } {
    const target = t.target.kind === 'glob' ? `glob ${t.target.pattern}` : `${t.target.kind} ${t.target.path}`;
    return {
      file,
      who: `"${t.holderName}" on ${t.machine}'s machine`,
      name: `${t.holderName}@${t.machine}`,
      lock: `${t.mode} lock ${t.id} on ${target}, held across the mesh`,
    };
  }

  private static who(lock: LockInfo, names: Map<string, string>): string {
    const name = names.get(lock.holder);
    return name !== undefined && name !== lock.holder ? `agent "${name}" (${lock.holder})` : lock.holder;
  }

  private static describe(lock: LockInfo): string {
    const target =
      lock.target.kind === 'glob' ? `glob ${lock.target.pattern}` : `${lock.target.kind} ${lock.target.path}`;
    return `${lock.mode} lock ${lock.id} on ${target}, expires ${new Date(lock.expiresAt).toISOString()} unless renewed`;
  }

  /** agent id → name, to name the holder in words; empty when the list cannot be had */
  private static async agentNames(client: ApiClient): Promise<Map<string, string>> {
    try {
      return new Map((await client.call('agents.list', {})).map((a) => [a.id, a.name]));
    } catch {
      return new Map(); // the ids alone still name the holders
    }
  }

  private async readStdin(): Promise<string | null> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of this.io.stdin) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buf.length;
      if (size > MAX_STDIN_BYTES) return null;
      chunks.push(buf);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  // Inherits the hook's environment: GIT_DIR and GIT_INDEX_FILE (a `commit -a` stages into a temporary
  // index) are git's own, set for the hook.
  private static git(cwd: string, args: string[]): { ok: boolean; text: string } {
    const r = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    if (r.error) return { ok: false, text: r.error.message };
    return r.status === 0
      ? { ok: true, text: r.stdout }
      : { ok: false, text: r.stderr || `git ${args[0]} exited with ${r.status}` };
  }
}
