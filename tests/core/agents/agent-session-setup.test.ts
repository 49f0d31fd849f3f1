// AgentSessionSetup: what each CLI gets at launch so it reaches DevMesh's MCP server and respects locks:
// Claude Code an --mcp-config file and a --settings file with the PreToolUse hook, goose --with-extension,
// codex -c overrides, gemini and opencode environment variables, aider only the git hooks. Every file under
// $DEVMESH_HOME/agents/<id>/, nothing in the user's checkout, removed with the agent. Also through a real
// AgentManager launch (a fake CLI printing its arguments and environment).
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentManager } from '../../../main/core/agents/agent-manager.js';
import { AgentProfiles } from '../../../main/core/agents/agent-profiles.js';
import { AgentSessionSetup, CLAUDE_EDIT_TOOLS_MATCHER } from '../../../main/core/agents/agent-session-setup.js';
import { AgentStore } from '../../../main/core/agents/agent-store.js';
import { GIT_HOOK_NAMES } from '../../../main/core/agents/git-hook-scripts.js';
import { ResourceBudget } from '../../../main/core/agents/resource-budget.js';
import { WorktreeManager } from '../../../main/core/agents/worktree-manager.js';
import { Database } from '../../../main/core/store/database.js';
import { agentRecord } from './agent-record-fixture.js';
import type { AgentRecord } from '../../../shared/agent.js';
import { until } from '../../helpers/until.js';
import { ChildProcessLauncher, makeRepo, writeScript } from './fake-cli.js';

let dir: string;
let home: string;
let repo: string;
const profiles = new AgentProfiles();
const NODE = '/opt/node22/bin/node';
const BIN = '/opt/devmesh/bin/devmesh.js';

function setup(baseEnv: NodeJS.ProcessEnv = {}): AgentSessionSetup {
  return new AgentSessionSetup({ homeDir: home, devmesh: { command: NODE, args: [BIN] }, baseEnv });
}

function record(profile: string, over: Partial<AgentRecord> = {}): AgentRecord {
  return agentRecord({ id: 'agent-0123456789', name: `${profile}-1`, profile, cwd: repo, command: profile, ...over });
}

function json(path: string): any {
  return JSON.parse(readFileSync(path, 'utf8'));
}

const agentDir = (): string => join(home, 'agents', 'agent-0123456789');

beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'devmesh-session-')));
  home = join(dir, 'home');
  repo = makeRepo(join(dir, 'repo'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('AgentSessionSetup', () => {
  it('gives Claude Code an --mcp-config file with the devmesh server and a --settings file with its hooks', () => {
    const session = setup().prepare(record('claude'), profiles.get('claude'));
    const mcpFile = join(agentDir(), 'mcp.json');
    const settingsFile = join(agentDir(), 'claude-settings.json');
    // --mcp-config is variadic in Claude Code: --settings follows it, so a prompt after them stays a prompt
    expect(session.args).toEqual(['--mcp-config', mcpFile, '--settings', settingsFile]);
    expect(json(mcpFile)).toEqual({
      mcpServers: {
        devmesh: {
          type: 'stdio',
          command: NODE,
          args: [BIN, 'mcp'],
          env: { DEVMESH_HOME: home, DEVMESH_AGENT_ID: 'agent-0123456789', DEVMESH_AGENT_NAME: 'claude-1' },
        },
      },
    });
    const settings = json(settingsFile);
    expect(settings.hooks.PreToolUse).toEqual([
      {
        matcher: CLAUDE_EDIT_TOOLS_MATCHER,
        hooks: [
          {
            type: 'command',
            command: `DEVMESH_HOME=${home} DEVMESH_AGENT_ID=agent-0123456789 ${NODE} ${BIN} hook claude-pre-tool-use`,
            timeout: 30,
          },
        ],
      },
    ]);
    expect(CLAUDE_EDIT_TOOLS_MATCHER).toBe('Edit|Write|MultiEdit|NotebookEdit');
    // the context hooks: the agent's unread messages and team events, added to its prompts and after its tools
    const context = (action: string) => [
      {
        type: 'command',
        command: `DEVMESH_HOME=${home} DEVMESH_AGENT_ID=agent-0123456789 ${NODE} ${BIN} hook ${action}`,
        timeout: 10,
      },
    ];
    expect(settings.hooks.UserPromptSubmit).toEqual([{ hooks: context('claude-user-prompt-submit') }]);
    expect(settings.hooks.PostToolUse).toEqual([
      { matcher: 'Bash|Edit|Write|MultiEdit|NotebookEdit', hooks: context('claude-post-tool-use') },
    ]);
    expect(session.env).toMatchObject({
      DEVMESH_HOME: home,
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'core.hooksPath',
      GIT_CONFIG_VALUE_0: join(agentDir(), 'git-hooks'),
    });
    for (const file of session.files) expect(file.startsWith(agentDir() + '/')).toBe(true);
    expect(readdirSync(repo).sort()).toEqual(['.git', 'README.md']); // nothing in the user's checkout
    expect(session.notes).toEqual([]);
  });

  it('writes one executable git hook per standard name; pre-commit asks devmesh, the others pass through', () => {
    setup().prepare(record('aider'), profiles.get('aider'));
    const hooks = join(agentDir(), 'git-hooks');
    expect(readdirSync(hooks).sort()).toEqual([...GIT_HOOK_NAMES].sort());
    for (const name of GIT_HOOK_NAMES) expect(statSync(join(hooks, name)).mode & 0o111).toBe(0o111);
    const preCommit = readFileSync(join(hooks, 'pre-commit'), 'utf8');
    expect(preCommit).toContain('git rev-parse --git-path hooks/pre-commit');
    expect(preCommit).toContain(
      `exec env DEVMESH_HOME=${home} DEVMESH_AGENT_ID=agent-0123456789 ${NODE} ${BIN} hook pre-commit`,
    );
    expect(readFileSync(join(hooks, 'commit-msg'), 'utf8')).toContain('exec "$repo_hook" "$@"');
  });

  it('gives goose a --with-extension command line carrying the agent', () => {
    const session = setup().prepare(record('goose'), profiles.get('goose'));
    expect(session.args).toEqual([
      '--with-extension',
      `DEVMESH_HOME=${home} DEVMESH_AGENT_ID=agent-0123456789 DEVMESH_AGENT_NAME=goose-1 ${NODE} ${BIN} mcp`,
    ]);
  });

  it('gives aider (no MCP client) only the git hooks', () => {
    const session = setup().prepare(record('aider'), profiles.get('aider'));
    expect(session.args).toEqual([]);
    expect(Object.keys(session.env).sort()).toEqual([
      'DEVMESH_HOME',
      'GIT_CONFIG_COUNT',
      'GIT_CONFIG_KEY_0',
      'GIT_CONFIG_VALUE_0',
    ]);
    expect(session.files.every((f) => f.startsWith(join(agentDir(), 'git-hooks') + '/'))).toBe(true);
  });

  it('gives codex -c overrides for mcp_servers.devmesh', () => {
    const session = setup().prepare(record('codex'), profiles.get('codex'));
    expect(session.args).toEqual([
      '-c',
      `mcp_servers.devmesh.command="${NODE}"`,
      '-c',
      `mcp_servers.devmesh.args=["${BIN}","mcp"]`,
      '-c',
      `mcp_servers.devmesh.env={DEVMESH_HOME="${home}",DEVMESH_AGENT_ID="agent-0123456789",DEVMESH_AGENT_NAME="codex-1"}`,
    ]);
  });

  it("gives gemini a system-defaults file of its own that keeps the machine's defaults", () => {
    const machine = join(dir, 'system-defaults.json');
    writeFileSync(machine, JSON.stringify({ ui: { theme: 'corp' }, mcpServers: { corp: { command: 'corp-mcp' } } }));
    const session = setup({ GEMINI_CLI_SYSTEM_DEFAULTS_PATH: machine }).prepare(
      record('gemini'),
      profiles.get('gemini'),
    );
    const file = session.env.GEMINI_CLI_SYSTEM_DEFAULTS_PATH!;
    expect(file).toBe(join(agentDir(), 'gemini-system-defaults.json'));
    const content = json(file);
    expect(content.ui).toEqual({ theme: 'corp' });
    expect(Object.keys(content.mcpServers).sort()).toEqual(['corp', 'devmesh']);
    expect(content.mcpServers.devmesh).toMatchObject({
      command: NODE,
      args: [BIN, 'mcp'],
      env: { DEVMESH_AGENT_ID: 'agent-0123456789' },
    });
  });

  it('gives opencode an inline config in OPENCODE_CONFIG_CONTENT', () => {
    const session = setup().prepare(record('opencode'), profiles.get('opencode'));
    expect(JSON.parse(session.env.OPENCODE_CONFIG_CONTENT!)).toEqual({
      mcp: {
        devmesh: {
          type: 'local',
          command: [NODE, BIN, 'mcp'],
          environment: { DEVMESH_HOME: home, DEVMESH_AGENT_ID: 'agent-0123456789', DEVMESH_AGENT_NAME: 'opencode-1' },
          enabled: true,
        },
      },
    });
  });

  it("writes a config-file profile's project file only inside a DevMesh worktree, and removes it with the agent", () => {
    const custom = new AgentProfiles([
      {
        id: 'mycli',
        executable: 'mycli',
        mcp: {
          kind: 'config-file',
          path: '~/.mycli.json',
          projectPath: '.mycli/mcp.json',
          format: 'json',
          key: 'servers',
        },
      },
    ]).get('mycli');
    const inCheckout = setup().prepare(record('mycli'), custom);
    expect(existsSync(join(repo, '.mycli'))).toBe(false);
    expect(inCheckout.notes.join('\n')).toMatch(/not in a worktree DevMesh created/);
    const worktree = join(dir, 'wt');
    const s = setup();
    s.prepare(record('mycli', { cwd: worktree, worktree: { path: worktree, branch: 'x', repo } }), custom);
    expect(json(join(worktree, '.mycli', 'mcp.json')).servers.devmesh).toMatchObject({ command: NODE });
    s.clean('agent-0123456789');
    expect(existsSync(join(worktree, '.mycli', 'mcp.json'))).toBe(false);
    expect(existsSync(agentDir())).toBe(false);
  });

  it("keeps the user's own GIT_CONFIG_* entries: ours goes after them", () => {
    const session = setup({ GIT_CONFIG_COUNT: '2' }).prepare(record('aider'), profiles.get('aider'));
    expect(session.env).toMatchObject({ GIT_CONFIG_COUNT: '3', GIT_CONFIG_KEY_2: 'core.hooksPath' });
    expect(readFileSync(join(agentDir(), 'git-hooks', 'pre-push'), 'utf8')).toContain(
      'GIT_CONFIG_COUNT=2; export GIT_CONFIG_COUNT',
    );
  });
});

describe('AgentManager with an AgentSessionSetup', () => {
  let database: Database;
  let launcher: ChildProcessLauncher;
  let manager: AgentManager;
  afterEach(async () => {
    manager.dispose();
    await launcher.dispose();
    database.close();
  });

  it('launches claude with the session flags before the prompt and the hooks in its environment; removal cleans up', async () => {
    const bin = join(dir, 'bin');
    writeScript(
      bin,
      'claude',
      ['for a in "$@"; do echo "arg=[$a]"; done', 'echo "hooks=$GIT_CONFIG_VALUE_0 id=$DEVMESH_AGENT_ID"'].join('\n'),
    );
    database = Database.open(join(dir, 'devmesh.db'));
    launcher = new ChildProcessLauncher(bin);
    const session = new AgentSessionSetup({ homeDir: home, devmesh: { command: NODE, args: [BIN] }, baseEnv: {} });
    manager = new AgentManager({
      store: new AgentStore(database),
      launcher,
      profiles,
      worktrees: new WorktreeManager(),
      budget: new ResourceBudget({ ramGb: null, gpus: null }),
      session,
      tickMs: 50,
      quietMs: 300,
    });
    const started = await manager.start({ profile: 'claude', cwd: repo, prompt: 'fix it' });
    const mine = join(home, 'agents', started.id);
    await until('exit', () => manager.get(started.id).status === 'exited');
    const output = launcher.output(started.terminalId!);
    expect(output).toContain(
      [
        `arg=[--mcp-config]`,
        `arg=[${join(mine, 'mcp.json')}]`,
        `arg=[--settings]`,
        `arg=[${join(mine, 'claude-settings.json')}]`,
        'arg=[fix it]',
      ].join('\n'),
    );
    expect(output).toContain(`hooks=${join(mine, 'git-hooks')} id=${started.id}`);
    expect(started.args).toEqual([]); // regenerated at each launch, not part of the record
    await manager.remove(started.id);
    expect(existsSync(mine)).toBe(false);
  });
});
