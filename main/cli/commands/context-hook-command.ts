// `devmesh hook claude-user-prompt-submit | claude-post-tool-use`: Claude Code's context hooks. They take what
// the agent has not seen (`agents.context`: unread messages, marked read; team notices) and print it as
// Claude Code's JSON output `{ "hookSpecificOutput": { "hookEventName", "additionalContext" } }`; nothing at
// all when nothing is new. Checked 2026-12-07 (the official page could not be fetched from here; read through):
// the hooks reference code.claude.com/docs/en/hooks as mirrored by spybara.com (docs history, hooks.md:
// UserPromptSubmit takes no matcher; "hookSpecificOutput.additionalContext" adds to Claude's context on exit 0);
// a lab of Claude Code 2.x (dev.to/rulestack, run 2026-09-30: additionalContext of a UserPromptSubmit hook
// arrived whole at 10,000 characters, 50,000 were cut to a preview; a hook exiting 1 delivered nothing);
// anthropics/claude-code#43750 (2026-04: PostToolUse additionalContext reaches Claude after native tools such
// as Edit/Write, not after Agent; MCP tools: #24788). Hence a short context, exit 0, native tools only.
// They never disturb the agent: exit 0 always, a short timeout, silent when DevMesh is not running;
// the event's JSON on stdin is drained and never parsed (the action names the event), so no input can break
// them.
// This module runs from the small bundle (main.ts routes these two actions here): no zod, no core, since the
// hook runs after many of Claude Code's tool calls and its start is most of its time.
import type { AgentContextHookEvent } from '../../../shared/agent-context.js';
import { DevMeshError } from '../../../shared/devmesh-error.js';
import type { ApiClient } from '../api-client.js';
import type { CliCommand } from '../cli-command.js';
import type { CliContext } from '../cli-context.js';

export interface HookIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** the context hooks' actions and the Claude Code event each answers */
export const CONTEXT_HOOK_ACTIONS: Readonly<Record<string, AgentContextHookEvent>> = {
  'claude-user-prompt-submit': 'UserPromptSubmit',
  'claude-post-tool-use': 'PostToolUse',
};

/** a context hook waits this long for DevMesh at most: Claude Code waits for it */
const CONTEXT_CONNECT_MS = 1_500;
const CONTEXT_CALL_MS = 3_000;
/** an agent id, as DevMesh makes them (DEVMESH_AGENT_ID) */
const AGENT_ID = /^[a-z0-9-]{1,64}$/;

export const HOOK_SUMMARY = 'run by the hooks DevMesh gives its agents: lock checks, and news for Claude Code';
export const HOOK_USAGE = `Usage: devmesh hook claude-pre-tool-use         (Claude Code PreToolUse hook: JSON on stdin)
       devmesh hook pre-commit                  (git pre-commit hook: checks the staged files)
       devmesh hook claude-user-prompt-submit   (Claude Code UserPromptSubmit hook)
       devmesh hook claude-post-tool-use        (Claude Code PostToolUse hook)

Run by the hooks DevMesh writes for the agents it launches, not by hand. The lock checks ask the running
DevMesh whether the agent (DEVMESH_AGENT_ID) may change the files: an edit to a file another agent locks is
refused (exit 2 for Claude Code, 1 for git). When DevMesh is not running, or the input cannot be read, the
change is allowed and a note goes to stderr.
The context hooks print, as Claude Code's hook JSON (additionalContext), the messages and team events the
agent has not seen yet (each once: messages are marked read); nothing when there is none, or when DevMesh is
not running. They always exit 0.`;

/** One context hook run. */
export class ContextHook {
  constructor(private readonly io: HookIo) {}

  /** A context hook: prints the agent's news as Claude Code's hook JSON, or nothing; exit 0 whatever happens. */
  async run(ctx: CliContext, action: string, event: AgentContextHookEvent): Promise<number> {
    const stopDraining = this.drainStdin();
    const agent = this.io.env.DEVMESH_AGENT_ID ?? '';
    if (!AGENT_ID.test(agent)) {
      ctx.warn(`devmesh hook ${action}: DEVMESH_AGENT_ID is not set (not an agent DevMesh launched?); nothing added`);
      stopDraining();
      return 0;
    }
    let client: ApiClient | null = null;
    try {
      client = await ctx.connect({ connectTimeoutMs: CONTEXT_CONNECT_MS, callTimeoutMs: CONTEXT_CALL_MS });
      const answer = await client.call('agents.context', { agent });
      if (answer.text !== null)
        ctx.print(JSON.stringify({ hookSpecificOutput: { hookEventName: event, additionalContext: answer.text } }));
    } catch (err) {
      // Not running is the usual state between sessions: nothing to say. Anything else is noted on stderr,
      // which Claude Code shows only in its debug output for a hook that exits 0.
      if (!(err instanceof DevMeshError && err.code === 'DAEMON_NOT_RUNNING'))
        ctx.warn(`devmesh hook ${action}: DevMesh could not give the agent's news: ${(err as Error).message}`);
    } finally {
      stopDraining();
      await client?.close();
    }
    return 0;
  }

  /**
   * Reads stdin to nowhere while the hook works, so Claude Code's write of the event JSON (a PostToolUse
   * carries the tool's whole response) never blocks on a full pipe; returns how to stop.
   */
  private drainStdin(): () => void {
    const stdin = this.io.stdin;
    if (stdin.isTTY) return () => {};
    const ignore = (): void => {};
    stdin.on('data', ignore);
    stdin.on('error', ignore); // the writer going away is no concern of the hook
    stdin.resume();
    return () => {
      stdin.off('data', ignore);
      stdin.pause();
    };
  }
}

/** `devmesh hook` for the two context actions alone (the small bundle's route; HookCommands has them all). */
export class ContextHookCommands {
  constructor(private readonly io: HookIo) {}

  commands(): CliCommand[] {
    return [
      {
        name: 'hook',
        summary: HOOK_SUMMARY,
        usage: HOOK_USAGE,
        options: {},
        positionals: { min: 1, max: 1, name: '<claude-user-prompt-submit|claude-post-tool-use>' },
        run: (ctx, args) => {
          const action = args.positionals[0]!;
          const event = Object.hasOwn(CONTEXT_HOOK_ACTIONS, action) ? CONTEXT_HOOK_ACTIONS[action] : undefined;
          if (event === undefined) {
            ctx.warn(`devmesh hook: '${action}' is not a context hook; nothing added`);
            return Promise.resolve(0);
          }
          return new ContextHook(this.io).run(ctx, action, event);
        },
      },
    ];
  }
}
