// The AI CLIs DevMesh knows how to launch: built-in profiles (claude, codex, gemini, aider, opencode, goose,
// cursor-agent, copilot, qwen, ollama) plus the user's own from `agents.profiles` in $DEVMESH_HOME/config.yaml, which may also override a
// built-in by reusing its id.
//
// Sources for the flags (checked 2026 against the CLIs' docs, see each entry): where a flag could not be
// confirmed it says ASSUMED. A user who finds one wrong overrides the profile in config.yaml.
// Unattended flags (`unattended`): `checked: true` where the CLI's own documentation (or, for aider, its own
// repository's docs page) was read to confirm the flag, 2026-12-07 through the search tool; each entry names
// the document and the repository path at a commit it was read from. false where only third-party pages
// were found.
import { DevMeshError } from '../../../shared/errors.js';
import { AgentProfileSchema, type AgentProfile, type AgentProfileConfig } from '../../../shared/agent.js';

// Waiting-for-the-user prompts, matched case-insensitively against the ANSI-stripped tail of the output.
// Each one is something the CLI prints only when it stops for an answer.
const CLAUDE_WAITING = [
  'Do you want to (?:proceed|make this edit|create|allow|run|use|overwrite)[^\\n]*\\?',
  '❯\\s*1\\.\\s*Yes',
  'Would you like to proceed\\?',
];
const CODEX_WAITING = [
  'Allow command\\?',
  'Would you like to (?:run|make|apply)[^\\n]*\\?',
  '\\(y\\)es|Yes, proceed|press enter to confirm', // ASSUMED: codex approval overlay wording varies by version
];
const GEMINI_WAITING = [
  'Allow execution[^\\n]*\\?',
  'Apply this change\\?',
  'Yes, allow once', // the first choice of gemini's tool-confirmation radio list
];
const AIDER_WAITING = [
  '\\(Y\\)es/\\(N\\)o', // aider's confirm_ask: "Add file to the chat? (Y)es/(N)o/(A)ll/(S)kip all/(D)on't ask again [Yes]:"
  '^[a-z]*> ?$', // aider's input prompt "> " (or "architect> ", "ask> ") alone on the last line
];
const OPENCODE_WAITING = ['Permission required', 'Allow (?:once|always)']; // ASSUMED: opencode permission dialog wording
const GOOSE_WAITING = ['Goose would like to call the above tool', 'Allow\\? ?\\(y/n\\)']; // ASSUMED: goose approve-mode wording

// What every built-in shares unless its entry says otherwise: no arguments before the prompt, `--version`
// for detection (the same defaults a user profile with a new id gets).
const DEFAULT_VERSION_ARGS: readonly string[] = ['--version'];
type BuiltinSpec = Omit<AgentProfile, 'args' | 'versionArgs' | 'builtin'> &
  Partial<Pick<AgentProfile, 'args' | 'versionArgs'>>;
const builtin = (spec: BuiltinSpec): AgentProfile => ({
  args: [],
  versionArgs: [...DEFAULT_VERSION_ARGS],
  ...spec,
  builtin: true,
});

/** MCP servers read from the CLI's own JSON config under `key`: `path` for the user, `projectPath` per project. */
const jsonMcpConfig = (path: string, projectPath: string, key: string): AgentProfile['mcp'] => ({
  kind: 'config-file',
  path,
  projectPath,
  format: 'json',
  key,
});

const BUILTIN: readonly AgentProfile[] = [
  builtin({
    // code.claude.com/docs/en/cli-reference (CHECKED 2026-12-07, read as the copy
    // zhalice2011/claude-code-docs@00ee4e802baa11f9e5487fed76f54d836e432263 docs/cli-reference.md):
    // `claude "query"` "Start interactive session with initial prompt"; `--mcp-config` "Load MCP servers from
    // JSON files or strings (space-separated)"; `--settings` "Path to a settings JSON file or an inline JSON
    // string. Values you set here override the same keys in your settings.json files for this session", which
    // carries DevMesh's PreToolUse lock hook (see agent-session-setup.ts).
    id: 'claude',
    displayName: 'Claude Code',
    executable: 'claude',
    prompt: { kind: 'positional' },
    mcp: { kind: 'flag-file', flag: '--mcp-config' },
    editHook: { kind: 'claude-settings', flag: '--settings' },
    installHint: 'npm install -g @anthropic-ai/claude-code',
    waitingPatterns: CLAUDE_WAITING,
    // CHECKED, same page: "`--dangerously-skip-permissions`: Skip permission prompts. Equivalent to
    // `--permission-mode bypassPermissions`". code.claude.com/docs/en/permission-modes lists what no mode
    // approves, this one included (explicit ask rules, AskUserQuestion, rm of critical paths).
    unattended: {
      args: ['--dangerously-skip-permissions'],
      docs: 'https://code.claude.com/docs/en/cli-reference',
      checked: true,
    },
  }),
  builtin({
    // github.com/openai/codex: `codex "prompt"` starts the TUI with a first message; MCP servers come from
    // `[mcp_servers.<name>]` tables in ~/.codex/config.toml (or .codex/config.toml in a trusted project).
    id: 'codex',
    displayName: 'Codex CLI',
    executable: 'codex',
    prompt: { kind: 'positional' },
    mcp: {
      kind: 'config-file',
      path: '~/.codex/config.toml',
      projectPath: '.codex/config.toml',
      format: 'toml',
      key: 'mcp_servers',
    },
    installHint: 'npm install -g @openai/codex',
    waitingPatterns: CODEX_WAITING,
    // "Run every command without approvals or sandboxing" (alias --yolo). Not --full-auto: that keeps the
    // sandbox and still asks on request (workspace-write + on-request), so it is not unattended.
    unattended: {
      args: ['--dangerously-bypass-approvals-and-sandbox'],
      docs: 'https://developers.openai.com/codex/cli/reference',
      checked: true,
    },
  }),
  builtin({
    // geminicli.com/docs/cli/cli-reference (CHECKED 2026-12-07 in
    // google-gemini/gemini-cli@5411f113cafae26161b4969b0237b8e1e024e2c2 docs/cli/cli-reference.md):
    // `--prompt-interactive`/`-i` "Execute prompt and continue in interactive mode" (`-p` forces
    // non-interactive); MCP servers in settings.json `mcpServers` (~/.gemini or .gemini/;
    // docs/reference/configuration.md: `command`, `args`, `env`, objects merged across settings layers).
    id: 'gemini',
    displayName: 'Gemini CLI',
    executable: 'gemini',
    prompt: { kind: 'flag', flag: '--prompt-interactive' },
    mcp: jsonMcpConfig('~/.gemini/settings.json', '.gemini/settings.json', 'mcpServers'),
    installHint: 'npm install -g @google/gemini-cli',
    waitingPatterns: GEMINI_WAITING,
    // CHECKED, same page: `--approval-mode` "Choices: default, auto_edit, yolo, plan"; `--yolo` is
    // "**Deprecated.** Auto-approve all actions. Use `--approval-mode=yolo` instead." (and the CLI refuses both
    // together: packages/cli/src/config/config.ts). In a folder it does not trust, with folder trust on, Gemini
    // CLI disables tool auto-acceptance and MCP servers (docs/cli/trusted-folders.md); `--skip-trust` would
    // trust the worktree for the session, which DevMesh leaves to the user.
    unattended: {
      args: ['--approval-mode=yolo'],
      docs: 'https://geminicli.com/docs/cli/cli-reference',
      checked: true,
    },
  }),
  builtin({
    // aider.chat/docs/scripting.html: `--message` sends one message and exits (disables chat mode), so an
    // interactive session gets its task typed at the `> ` prompt instead. Aider has no MCP client.
    id: 'aider',
    displayName: 'Aider',
    executable: 'aider',
    prompt: { kind: 'typed', readyPattern: '^[a-z]*> ?$' },
    mcp: { kind: 'unsupported', note: 'aider has no MCP client; give it files and instructions instead' },
    installHint: 'python -m pip install aider-install && aider-install',
    waitingPatterns: AIDER_WAITING,
    // CHECKED 2026-12-07: "`--yes-always` Always say yes to every confirmation" (Aider-AI/aider@5dc9490b
    // aider/website/docs/config/options.md, the source of that page). It answers no where aider asks for an
    // explicit yes, i.e. shell commands it suggests are not run (aider/io.py confirm_ask, explicit_yes_required).
    unattended: { args: ['--yes-always'], docs: 'https://aider.chat/docs/config/options.html', checked: true },
  }),
  builtin({
    // opencode.ai/docs/cli: `opencode [project] --prompt "…"` starts the TUI with a prompt. MCP servers in
    // opencode.json under `mcp` (ASSUMED key/paths: ~/.config/opencode/opencode.json, ./opencode.json).
    id: 'opencode',
    displayName: 'opencode',
    executable: 'opencode',
    prompt: { kind: 'flag', flag: '--prompt' },
    mcp: jsonMcpConfig('~/.config/opencode/opencode.json', 'opencode.json', 'mcp'),
    installHint: 'npm install -g opencode-ai', // ASSUMED package name (also: curl -fsSL https://opencode.ai/install | bash)
    waitingPatterns: OPENCODE_WAITING,
  }),
  builtin({
    // block.github.io/goose/docs/guides/goose-cli-commands: `goose session` is the interactive session;
    // `--with-extension "<command>"` adds one stdio MCP server (repeatable). No documented flag gives an
    // interactive session a first message (`goose run -t` runs and exits), so the task is typed.
    id: 'goose',
    displayName: 'goose',
    executable: 'goose',
    args: ['session'],
    prompt: { kind: 'typed', settleMs: 1500 },
    mcp: { kind: 'flag-per-server', flag: '--with-extension' },
    installHint: 'curl -fsSL https://github.com/block/goose/releases/download/stable/download_cli.sh | bash',
    waitingPatterns: GOOSE_WAITING,
  }),
  builtin({
    // cursor.com/docs/cli: `agent "prompt"` starts the interactive agent with a first prompt (the CLI is also
    // installed as `cursor-agent`, the name its first releases used). cursor.com/docs/cli/mcp: "MCP in the CLI
    // uses the same configuration as the editor": `mcpServers` in ~/.cursor/mcp.json or .cursor/mcp.json.
    id: 'cursor-agent',
    displayName: 'Cursor CLI',
    executable: 'cursor-agent',
    prompt: { kind: 'positional' },
    mcp: jsonMcpConfig('~/.cursor/mcp.json', '.cursor/mcp.json', 'mcpServers'),
    installHint: 'curl https://cursor.com/install -fsS | bash',
    waitingPatterns: ['Run this command\\?', 'Allow (?:once|always)'], // ASSUMED: cursor's approval wording
    // `-f, --force`: "allow commands unless explicitly denied" (alias --yolo). NOT CONFIRMED (2026-12-07): the
    // search tool's docs and pages corpora hold cursor.com/docs/cli/mcp but not cursor.com's parameters page;
    // only third-party copies of it were found (cheatsheets.zip/cursor-cli, linuxcommandlibrary.com,
    // developersdigest.tech), and the CLI's source is not public. The same copies list `--approve-mcps`,
    // without which the CLI may ask before starting the project's MCP servers.
    unattended: { args: ['--force'], docs: 'https://cursor.com/docs/cli/reference/parameters', checked: false },
  }),
  builtin({
    // docs.github.com/en/copilot/reference/copilot-cli-reference/cli-command-reference (CHECKED 2026-12-07 in
    // github/docs@e49239e37bb78fc0aab7ff8baf73e2962a5a012c content/copilot/reference/copilot-cli-reference/
    // cli-command-reference.md): "`-i PROMPT`, `--interactive=PROMPT`: Start an interactive session and
    // automatically execute this prompt" (`-p` exits after completion); "`--additional-mcp-config=JSON`: Add an
    // MCP server for this session only ... a JSON string or a file path (prefix with `@`)"; a local server is
    // `{ type: "local" | "stdio", command, args, env, tools }` with `tools` required (`["*"]` for all).
    id: 'copilot',
    displayName: 'GitHub Copilot CLI',
    executable: 'copilot',
    prompt: { kind: 'flag', flag: '-i' },
    mcp: { kind: 'flag-file', flag: '--additional-mcp-config', prefix: '@' },
    installHint: 'npm install -g @github/copilot',
    waitingPatterns: ['Do you want to (?:run|allow|use)[^\\n]*\\?', 'Yes, proceed'],
    // CHECKED, same page: "`--allow-all`: Enable all permissions (equivalent to `--allow-all-tools
    // --allow-all-paths --allow-all-urls`)"; deny rules still win over it.
    unattended: {
      args: ['--allow-all'],
      docs: 'https://docs.github.com/en/copilot/reference/copilot-cli-reference/cli-command-reference',
      checked: true,
    },
  }),
  builtin({
    // qwenlm.github.io/qwen-code-docs (a fork of Gemini CLI), CHECKED 2026-12-07 in QwenLM/qwen-code@89427440
    // docs/users/configuration/settings.md, "Command-Line Arguments": "`--prompt-interactive`, `-i`: Starts an
    // interactive session with the provided prompt as the initial input"; docs/users/features/mcp.md: servers
    // under `mcpServers` in ~/.qwen/settings.json (user) or .qwen/settings.json (project), a stdio server with
    // `command`, `args`, `env`. With folder trust on (off by default) an untrusted folder's .qwen/settings.json
    // is ignored (docs/users/configuration/trusted-folders.md).
    id: 'qwen',
    displayName: 'Qwen Code',
    executable: 'qwen',
    prompt: { kind: 'flag', flag: '--prompt-interactive' },
    mcp: jsonMcpConfig('~/.qwen/settings.json', '.qwen/settings.json', 'mcpServers'),
    installHint: 'npm install -g @qwen-code/qwen-code',
    waitingPatterns: GEMINI_WAITING, // ASSUMED: the fork kept Gemini CLI's confirmation wording
    // CHECKED, same table: "`--approval-mode`: Sets the approval mode for tool calls" with `yolo`:
    // "Automatically approve all tool calls (equivalent to `--yolo`)"; docs/users/features/approval-mode.md
    // starts sessions the same way (`qwen --approval-mode default`). Qwen's own default is now Auto (a
    // classifier), which still blocks some calls, so yolo is the unattended one.
    unattended: {
      args: ['--approval-mode', 'yolo'],
      docs: 'https://qwenlm.github.io/qwen-code-docs/en/users/configuration/settings/',
      checked: true,
    },
  }),
  builtin({
    // A local model through ollama: `ollama run <model>` is an interactive chat (a prompt after the model would
    // answer once and exit), so the task is typed at its `>>> ` prompt. The model is the argument after the
    // profile (`devmesh agent start ollama -- qwen2.5-coder:7b`), or pinned by a user profile with
    // `args: [run, <model>]`. It has no MCP client and runs no tools, so there is nothing to approve either.
    id: 'ollama',
    displayName: 'Ollama (local model)',
    executable: 'ollama',
    args: ['run'],
    prompt: { kind: 'typed', readyPattern: '^>>> ' },
    mcp: { kind: 'unsupported', note: 'ollama run has no MCP client' },
    installHint: 'curl -fsSL https://ollama.com/install.sh | sh',
    waitingPatterns: [],
    needsArgs: { min: 2, hint: 'the model to run after it, e.g. `devmesh agent start ollama -- qwen2.5-coder:7b`' },
  }),
];

export class AgentProfiles {
  private readonly byId = new Map<string, AgentProfile>();

  /** `userProfiles`: `agents.profiles` from the user's settings, already schema-checked there. */
  constructor(userProfiles: readonly AgentProfileConfig[] = []) {
    for (const p of BUILTIN) this.byId.set(p.id, p);
    for (const config of userProfiles)
      this.byId.set(config.id, AgentProfiles.fromConfig(config, this.byId.get(config.id)));
  }

  list(): AgentProfile[] {
    return [...this.byId.values()];
  }

  find(id: string): AgentProfile | undefined {
    return this.byId.get(id);
  }

  get(id: string): AgentProfile {
    const profile = this.byId.get(id);
    if (!profile) {
      throw new DevMeshError(
        'BAD_REQUEST',
        `no agent profile "${id}"; known: ${[...this.byId.keys()].join(', ')}. Add one under agents.profiles in $DEVMESH_HOME/config.yaml, or start a plain command instead`,
      );
    }
    return profile;
  }

  // A user profile that reuses a built-in id inherits what it does not say (so `{ id: claude, executable:
  // /opt/claude/bin/claude }` keeps the built-in flags); a new id gets conservative defaults: prompt typed,
  // MCP unsupported, no waiting patterns (the idle fallback still works).
  private static fromConfig(config: AgentProfileConfig, base: AgentProfile | undefined): AgentProfile {
    const profile: AgentProfile = {
      id: config.id,
      displayName: config.display_name ?? base?.displayName ?? config.id,
      executable: config.executable,
      args: config.args ?? base?.args ?? [],
      prompt: config.prompt ?? base?.prompt ?? { kind: 'typed' },
      mcp: config.mcp ?? base?.mcp ?? { kind: 'unsupported', note: 'not declared in agents.profiles' },
      ...((config.edit_hook ?? base?.editHook) ? { editHook: config.edit_hook ?? base?.editHook } : {}),
      installHint: config.install_hint ?? base?.installHint ?? `install ${config.executable} and put it on PATH`,
      versionArgs: config.version_args ?? base?.versionArgs ?? [...DEFAULT_VERSION_ARGS],
      waitingPatterns: config.waiting_patterns ?? base?.waitingPatterns ?? [],
      builtin: false,
      ...((config.unattended ?? base?.unattended) ? { unattended: config.unattended ?? base?.unattended } : {}),
      // a user's own args (a pinned model) are theirs to judge
      ...(base?.needsArgs && config.args === undefined ? { needsArgs: base.needsArgs } : {}),
    };
    for (const source of profile.waitingPatterns.concat(
      profile.prompt.kind === 'typed' && profile.prompt.readyPattern ? [profile.prompt.readyPattern] : [],
    )) {
      try {
        new RegExp(source, 'im');
      } catch (err) {
        throw new DevMeshError(
          'CONFIG_INVALID',
          `agents.profiles "${config.id}": pattern /${source}/ is not a valid regular expression (${(err as Error).message}); fix it in $DEVMESH_HOME/config.yaml`,
        );
      }
    }
    return AgentProfileSchema.parse(profile);
  }
}
