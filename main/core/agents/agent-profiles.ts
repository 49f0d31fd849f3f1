// The AI CLIs DevMesh knows how to launch: built-in profiles (claude, codex, gemini, aider, opencode, goose)
// plus the user's own from `agents.profiles` in $DEVMESH_HOME/config.yaml, which may also override a
// built-in by reusing its id.
//
// Sources for the flags (checked 2026 against the CLIs' docs, see each entry): where a flag could not be
// confirmed it says ASSUMED. A user who finds one wrong overrides the profile in config.yaml.
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

const BUILTIN: readonly AgentProfile[] = [
  builtin({
    // docs.anthropic.com/en/docs/claude-code/cli-reference: `claude "query"` starts an interactive session
    // with an initial prompt; `--mcp-config <file>` loads MCP servers from a JSON file (repeatable);
    // `--settings <file>` loads one more settings file for the session, merged over the user's (its hooks
    // added to theirs), which carries DevMesh's PreToolUse lock hook (see agent-session-setup.ts).
    id: 'claude',
    displayName: 'Claude Code',
    executable: 'claude',
    prompt: { kind: 'positional' },
    mcp: { kind: 'flag-file', flag: '--mcp-config' },
    editHook: { kind: 'claude-settings', flag: '--settings' },
    installHint: 'npm install -g @anthropic-ai/claude-code',
    waitingPatterns: CLAUDE_WAITING,
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
  }),
  builtin({
    // geminicli.com/docs/cli/cli-reference: `-i/--prompt-interactive "…"` runs the prompt and stays
    // interactive (`-p` would exit); MCP servers in settings.json `mcpServers` (~/.gemini or .gemini/).
    id: 'gemini',
    displayName: 'Gemini CLI',
    executable: 'gemini',
    prompt: { kind: 'flag', flag: '--prompt-interactive' },
    mcp: {
      kind: 'config-file',
      path: '~/.gemini/settings.json',
      projectPath: '.gemini/settings.json',
      format: 'json',
      key: 'mcpServers',
    },
    installHint: 'npm install -g @google/gemini-cli',
    waitingPatterns: GEMINI_WAITING,
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
  }),
  builtin({
    // opencode.ai/docs/cli: `opencode [project] --prompt "…"` starts the TUI with a prompt. MCP servers in
    // opencode.json under `mcp` (ASSUMED key/paths: ~/.config/opencode/opencode.json, ./opencode.json).
    id: 'opencode',
    displayName: 'opencode',
    executable: 'opencode',
    prompt: { kind: 'flag', flag: '--prompt' },
    mcp: {
      kind: 'config-file',
      path: '~/.config/opencode/opencode.json',
      projectPath: 'opencode.json',
      format: 'json',
      key: 'mcp',
    },
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
