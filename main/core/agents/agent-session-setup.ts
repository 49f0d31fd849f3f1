// What an agent's session gets besides its own arguments, so that it can talk to DevMesh and respects file
// locks: DevMesh's MCP server (`devmesh mcp`) registered through the CLI's own mechanism (its profile's
// `mcp`), Claude Code's PreToolUse lock hook and its UserPromptSubmit/PostToolUse context hooks (profile
// `editHook`), and for every agent a git hooks folder
// whose pre-commit refuses commits touching files another agent holds. Everything is session-scoped:
// flags and environment variables of this launch, files under $DEVMESH_HOME/agents/<agent-id>/, never the
// user's own config files and never the user's main checkout. Files go when the agent is removed.
//
// Sources (checked 2026; where a mechanism could not be confirmed it says ASSUMED):
// - Claude Code: `--mcp-config <file…>` takes a JSON file `{ "mcpServers": { … } }` and is variadic (it
//   would swallow a prompt after it), so `--settings <file>` always follows it. `--settings` loads one more
//   settings file (or JSON string) for the session, merged with the user's layers (docs.rs
//   claude_runner_core docs/claude_params/settings.md); that its hooks add to the user's rather than replace
//   them is ASSUMED from docs.rs git-worktree-manager operations::claude_settings, which relies on it for a
//   PreToolUse hook. Hook contract: see main/cli/commands/hook-commands.ts.
// - Codex: no flag takes a server file; `-c key=value` overrides with TOML values, verified forms
//   `mcp_servers.<name>.command="…"`, `.args=[…]`, `.env={K="v"}` (docs.rs codex-wrapper mcp_config). Codex
//   hands MCP servers only a whitelist of environment variables (openai/codex docs/config.md), hence `env`.
// - Gemini CLI: `GEMINI_CLI_SYSTEM_DEFAULTS_PATH` moves the system-defaults file, the lowest settings layer;
//   `mcpServers` objects merge across layers (geminicli.com docs/reference/configuration.md, enterprise.md).
//   Ours carries the machine's own system defaults, if any, plus the devmesh server.
// - opencode: `OPENCODE_CONFIG_CONTENT` holds an inline config loaded last (opencode.ai/docs/config); a local
//   server is `{ type: "local", command: [argv], environment: {…}, enabled: true }` under `mcp`.
// - goose: `--with-extension "K=v … <command line>"` (block.github.io/goose docs guides/goose-cli-commands);
//   goose splits it on whitespace (ASSUMED from the examples), so a path with a space cannot go through it.
// - GitHub Copilot CLI: `--additional-mcp-config @<file>` adds servers for the session (a JSON string or a
//   file path after `@`); each server lists the tools it may use, `tools: ["*"]` (third-party copies of the
//   docs.github.com page; ASSUMED that `type: "stdio"` is taken as `local` is).
// - Cursor CLI and Qwen Code read their per-project file (.cursor/mcp.json, .qwen/settings.json): written in the
//   agent's worktree by the rule below.
// - Any other config-file profile: its per-project file, only inside a worktree DevMesh created for the
//   agent and only when no such file exists there; never in the user's main checkout.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import type { Logger } from 'pino';
import { DevMeshError } from '../../../shared/errors.js';
import type { AgentProfile, AgentRecord } from '../../../shared/agent.js';
import { GitHookScripts } from './git-hook-scripts.js';
import { SessionCommandLine, type DevMeshCommandLineSpec } from './session-command-line.js';

/** The tools Claude Code edits files with; the PreToolUse matcher is a regex over tool names. */
export const CLAUDE_EDIT_TOOLS_MATCHER = 'Edit|Write|MultiEdit|NotebookEdit';
/**
 * The tools after which Claude Code is given DevMesh's news (PostToolUse): the ones that change things or
 * take a while. Not Read/Grep/Glob: they are quick and many, and each hook run starts a process.
 * PostToolUse context is reported dropped after Agent and MCP tools (anthropics/claude-code#43750, #24788).
 */
export const CLAUDE_CONTEXT_TOOLS_MATCHER = 'Bash|Edit|Write|MultiEdit|NotebookEdit';
/** seconds Claude Code waits for a context hook before going on without it */
export const CLAUDE_CONTEXT_HOOK_TIMEOUT_S = 10;
/** The name DevMesh's MCP server is registered under in every CLI. */
export const MCP_SERVER_NAME = 'devmesh';

export interface AgentSessionSetupDeps {
  /** the DevMesh home folder; files go under <homeDir>/agents/<agent-id>/ */
  homeDir: string;
  /** how generated files start `devmesh` again (absolute); null: no MCP server, no hooks */
  devmesh: DevMeshCommandLineSpec | null;
  /** the environment agents' terminals start from (default process.env) */
  baseEnv?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  logger?: Logger;
  /** where the launch's CLI sends its token and cost figures (main/core/usage/agent-telemetry.ts) */
  telemetry?: {
    forLaunch(
      record: AgentRecord,
      profile: AgentProfile | null,
    ): { args: string[]; env: Record<string, string>; notes: string[] };
  };
}

export interface AgentSession {
  /** added after the record's arguments, before the prompt */
  args: string[];
  /** added to the terminal's environment */
  env: Record<string, string>;
  /** every file written for this session */
  files: string[];
  /** what could not be set up, in words */
  notes: string[];
}

interface Manifest {
  /** files written outside the agent's folder (a worktree's project config), removed with the agent */
  outside: string[];
}

export class AgentSessionSetup {
  private readonly devmesh: SessionCommandLine | null;
  private readonly baseEnv: NodeJS.ProcessEnv;

  constructor(private readonly deps: AgentSessionSetupDeps) {
    this.devmesh = deps.devmesh ? new SessionCommandLine(deps.devmesh) : null;
    this.baseEnv = deps.baseEnv ?? process.env;
  }

  /**
   * Does a session of this profile get Claude Code's context hooks (messages and team events added to its
   * prompts and after its tools)? Then its messages are never typed at its prompt (IdleMessageDelivery).
   */
  givesContextHooks(profile: AgentProfile | null | undefined): boolean {
    return this.devmesh !== null && profile?.editHook?.kind === 'claude-settings';
  }

  dirOf(agentId: string): string {
    if (!/^[a-z0-9-]{1,64}$/.test(agentId)) throw new DevMeshError('BAD_REQUEST', `"${agentId}" is not an agent id`);
    return join(this.deps.homeDir, 'agents', agentId);
  }

  /** Writes this launch's files (replacing an earlier launch's) and says what to add to the command. */
  prepare(record: AgentRecord, profile: AgentProfile | null): AgentSession {
    try {
      return this.write(record, profile);
    } catch (err) {
      if (err instanceof DevMeshError) throw err;
      throw new DevMeshError(
        'INTERNAL',
        `agent "${record.name}": could not write its session files under ${this.dirOf(record.id)} (${(err as Error).message}); check that the DevMesh home is writable and has space`,
      );
    }
  }

  private write(record: AgentRecord, profile: AgentProfile | null): AgentSession {
    this.clean(record.id);
    const dir = this.dirOf(record.id);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const session: AgentSession = { args: [], env: { DEVMESH_HOME: this.deps.homeDir }, files: [], notes: [] };
    const telemetry = this.deps.telemetry?.forLaunch(record, profile);
    if (telemetry) {
      session.args.push(...telemetry.args);
      Object.assign(session.env, telemetry.env);
      session.notes.push(...telemetry.notes);
    }
    if (this.devmesh === null) {
      session.notes.push('no devmesh command line was given to the agent session setup: no MCP server, no lock hooks');
      return this.done(record, session);
    }
    // The hooks carry who is asking, so they hold even where a tool scrubs the environment.
    const hook = new SessionCommandLine({
      ...this.devmesh.spec,
      env: { ...this.devmesh.spec.env, DEVMESH_HOME: this.deps.homeDir, DEVMESH_AGENT_ID: record.id },
    });
    const git = new GitHookScripts(join(dir, 'git-hooks'), this.gitConfigIndex(), hook, record.id);
    session.files.push(...git.write());
    Object.assign(session.env, git.env());
    const outside: string[] = [];
    if (profile) {
      this.addMcp(record, profile, dir, session, outside);
      if (profile.editHook?.kind === 'claude-settings') {
        const file = join(dir, 'claude-settings.json');
        // Claude Code runs the command with `sh -c`, JSON on stdin; exit 2 blocks the tool with stderr shown
        // to Claude (code.claude.com/docs hooks reference: PreToolUse, "exit code 2 behavior"). The context
        // hooks print `hookSpecificOutput.additionalContext` (see main/cli/commands/hook-commands.ts); their
        // timeout is short, since Claude waits for them and a late context is worth less than a quick turn.
        const context = (event: string) => ({
          type: 'command',
          command: hook.shell('hook', event),
          timeout: CLAUDE_CONTEXT_HOOK_TIMEOUT_S,
        });
        const settings = {
          hooks: {
            PreToolUse: [
              {
                matcher: CLAUDE_EDIT_TOOLS_MATCHER,
                hooks: [{ type: 'command', command: hook.shell('hook', 'claude-pre-tool-use'), timeout: 30 }],
              },
            ],
            UserPromptSubmit: [{ hooks: [context('claude-user-prompt-submit')] }],
            PostToolUse: [{ matcher: CLAUDE_CONTEXT_TOOLS_MATCHER, hooks: [context('claude-post-tool-use')] }],
          },
        };
        this.writeJson(file, settings, session);
        session.args.push(profile.editHook.flag, file);
      }
    }
    writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify({ outside } satisfies Manifest)}\n`, { mode: 0o600 });
    return this.done(record, session);
  }

  /** Removes what prepare wrote for this agent (its folder, and a project file it put in a worktree). */
  clean(agentId: string): void {
    const dir = this.dirOf(agentId);
    const manifest = AgentSessionSetup.readJson(join(dir, 'manifest.json')) as Partial<Manifest> | null;
    for (const file of Array.isArray(manifest?.outside) ? manifest.outside : []) {
      if (typeof file === 'string') rmSync(file, { force: true });
    }
    rmSync(dir, { recursive: true, force: true });
  }

  private addMcp(
    record: AgentRecord,
    profile: AgentProfile,
    dir: string,
    session: AgentSession,
    outside: string[],
  ): void {
    const argv = this.devmesh!.argv('mcp');
    const [command, ...args] = argv as [string, ...string[]];
    const env = {
      ...this.devmesh!.spec.env,
      DEVMESH_HOME: this.deps.homeDir,
      DEVMESH_AGENT_ID: record.id,
      DEVMESH_AGENT_NAME: record.name,
    };
    const mcp = profile.mcp;
    switch (mcp.kind) {
      case 'unsupported':
        return;
      case 'flag-file': {
        const file = join(dir, 'mcp.json');
        // Copilot CLI loads only the tools a server's `tools` lists (["*"]: all of them)
        const tools = profile.id === 'copilot' ? { tools: ['*'] } : {};
        const server = { type: 'stdio', command, args, env, ...tools };
        this.writeJson(file, { mcpServers: { [MCP_SERVER_NAME]: server } }, session);
        session.args.push(mcp.flag, `${mcp.prefix ?? ''}${file}`);
        return;
      }
      case 'flag-per-server': {
        const words = [...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv];
        if (words.some((w) => /\s/.test(w))) {
          session.notes.push(
            `${profile.displayName}: DevMesh's MCP server is not registered, since ${mcp.flag} splits its command on spaces and a path holds one (${argv.join(' ')})`,
          );
          return;
        }
        session.args.push(mcp.flag, words.join(' '));
        return;
      }
      case 'config-file':
        if (profile.id === 'codex' && mcp.format === 'toml') {
          const table = `{${Object.entries(env)
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .join(',')}}`;
          const key = `${mcp.key}.${MCP_SERVER_NAME}`;
          // JSON strings are valid TOML basic strings for what a path or an id holds.
          session.args.push(
            '-c',
            `${key}.command=${JSON.stringify(command)}`,
            '-c',
            `${key}.args=${JSON.stringify(args)}`,
            '-c',
            `${key}.env=${table}`,
          );
          return;
        }
        if (profile.id === 'gemini' && mcp.format === 'json') {
          this.addGemini(mcp.key, { command, args, env }, dir, session);
          return;
        }
        if (profile.id === 'opencode' && mcp.format === 'json') {
          const inline = AgentSessionSetup.parseObject(this.baseEnv.OPENCODE_CONFIG_CONTENT) ?? {};
          const servers = AgentSessionSetup.objectAt(inline, mcp.key);
          servers[MCP_SERVER_NAME] = { type: 'local', command: argv, environment: env, enabled: true };
          session.env.OPENCODE_CONFIG_CONTENT = JSON.stringify({ ...inline, [mcp.key]: servers });
          return;
        }
        this.addProjectFile(record, profile, mcp, { command, args, env }, session, outside);
        return;
    }
  }

  private addGemini(
    key: string,
    server: { command: string; args: string[]; env: Record<string, string> },
    dir: string,
    session: AgentSession,
  ): void {
    const current = this.baseEnv.GEMINI_CLI_SYSTEM_DEFAULTS_PATH ?? this.geminiSystemDefaultsPath();
    let base: Record<string, unknown> = {};
    if (existsSync(current)) {
      const parsed = AgentSessionSetup.parseObject(AgentSessionSetup.readText(current));
      if (parsed === null) {
        session.notes.push(
          `Gemini CLI: DevMesh's MCP server is not registered, since ${current} (the system defaults it would carry over) is not a JSON object`,
        );
        return;
      }
      base = parsed;
    }
    const servers = AgentSessionSetup.objectAt(base, key);
    servers[MCP_SERVER_NAME] = server;
    const file = join(dir, 'gemini-system-defaults.json');
    this.writeJson(file, { ...base, [key]: servers }, session);
    session.env.GEMINI_CLI_SYSTEM_DEFAULTS_PATH = file;
  }

  private addProjectFile(
    record: AgentRecord,
    profile: AgentProfile,
    mcp: Extract<AgentProfile['mcp'], { kind: 'config-file' }>,
    server: { command: string; args: string[]; env: Record<string, string> },
    session: AgentSession,
    outside: string[],
  ): void {
    const why = (reason: string): void => {
      session.notes.push(
        `${profile.displayName}: DevMesh's MCP server is not registered (${reason}); add it to ${mcp.path} under ${mcp.key} yourself if you want it`,
      );
    };
    if (mcp.projectPath === undefined || mcp.format !== 'json')
      return why('it has no per-session mechanism DevMesh knows');
    if (record.worktree === null)
      return why('it is not in a worktree DevMesh created, and DevMesh does not write into your own checkout');
    const root = resolve(record.worktree.path);
    const file = resolve(root, mcp.projectPath);
    if (!file.startsWith(root + sep)) return why(`its project file ${mcp.projectPath} is outside the worktree`);
    if (existsSync(file)) return why(`${file} exists already and DevMesh does not edit it`);
    mkdirSync(dirname(file), { recursive: true });
    this.writeJson(file, { [mcp.key]: { [MCP_SERVER_NAME]: server } }, session);
    outside.push(file);
    session.notes.push(
      `${profile.displayName}: DevMesh's MCP server is registered in ${file} (in the agent's worktree; removed with the agent, do not commit it)`,
    );
  }

  private gitConfigIndex(): number {
    const n = Number(this.baseEnv.GIT_CONFIG_COUNT ?? '0');
    return Number.isInteger(n) && n >= 0 ? n : 0;
  }

  private geminiSystemDefaultsPath(): string {
    switch (this.deps.platform ?? process.platform) {
      case 'darwin':
        return '/Library/Application Support/GeminiCli/system-defaults.json';
      case 'win32':
        return 'C:\\ProgramData\\gemini-cli\\system-defaults.json';
      default:
        return '/etc/gemini-cli/system-defaults.json';
    }
  }

  private writeJson(file: string, value: unknown, session: AgentSession): void {
    writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
    session.files.push(file);
  }

  private done(record: AgentRecord, session: AgentSession): AgentSession {
    for (const note of session.notes)
      this.deps.logger?.warn({ domain: 'agents', agent: record.id, note }, 'agent session setup');
    return session;
  }

  private static objectAt(parent: Record<string, unknown>, key: string): Record<string, unknown> {
    const value = parent[key];
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? { ...(value as Record<string, unknown>) }
      : {};
  }

  private static parseObject(text: string | null | undefined): Record<string, unknown> | null {
    if (text === null || text === undefined || text.trim() === '') return null;
    try {
      const value: unknown = JSON.parse(text);
      return value !== null && typeof value === 'object' && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : null;
    } catch {
      return null; // not JSON: the caller says what it skipped
    }
  }

  private static readText(file: string): string | null {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return null; // unreadable: treated like malformed by the caller
    }
  }

  private static readJson(file: string): unknown {
    return existsSync(file) ? AgentSessionSetup.parseObject(AgentSessionSetup.readText(file)) : null;
  }
}
