// The profiles added in issue 16 (cursor-agent, copilot, qwen, ollama): detection of fake CLIs on a temp PATH,
// how each registers DevMesh's MCP server (copilot a --additional-mcp-config @file, cursor-agent and qwen their
// project file inside a DevMesh worktree, ollama none), ollama's model, and every unattended flag on record.
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentDetector } from '../../../main/core/agents/agent-detector.js';
import { AgentProfiles } from '../../../main/core/agents/agent-profiles.js';
import { AgentSessionSetup } from '../../../main/core/agents/agent-session-setup.js';
import type { AgentRecord } from '../../../shared/agent.js';
import { agentRecord } from './agent-record-fixture.js';
import { makeRepo, writeScript } from './fake-cli.js';

let dir: string;
let bin: string;
let home: string;
let repo: string;
const profiles = new AgentProfiles();
const NODE = '/opt/node22/bin/node';
const BIN = '/opt/devmesh/bin/devmesh.js';
const ENV = (name: string) => ({ DEVMESH_HOME: home, DEVMESH_AGENT_ID: 'agent-0123456789', DEVMESH_AGENT_NAME: name });

const setup = () => new AgentSessionSetup({ homeDir: home, devmesh: { command: NODE, args: [BIN] }, baseEnv: {} });
const json = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));
function record(profile: string, over: Partial<AgentRecord> = {}): AgentRecord {
  return agentRecord({ id: 'agent-0123456789', name: `${profile}-1`, profile, cwd: repo, command: profile, ...over });
}
function inWorktree(profile: string): AgentRecord {
  const path = join(dir, 'wt');
  return record(profile, { cwd: path, worktree: { path, branch: 'agent-x', repo } });
}

beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'devmesh-profiles-')));
  bin = join(dir, 'bin');
  home = join(dir, 'home');
  repo = makeRepo(join(dir, 'repo'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the cursor-agent, copilot, qwen and ollama profiles', () => {
  it('are detected on PATH with the first line of their version', async () => {
    writeScript(bin, 'cursor-agent', '[ "$1" = "--version" ] && echo "2026.11.20-abc123"');
    writeScript(bin, 'copilot', '[ "$1" = "--version" ] && printf "GitHub Copilot CLI 0.0.400\\nCommit: x\\n"');
    writeScript(bin, 'qwen', '[ "$1" = "--version" ] && echo "0.18.3"');
    writeScript(bin, 'ollama', '[ "$1" = "--version" ] && echo "ollama version is 0.13.1"');
    const detector = new AgentDetector({ env: { PATH: bin }, versionTimeoutMs: 2000 });
    const found = await detector.detectAll(['cursor-agent', 'copilot', 'qwen', 'ollama'].map((id) => profiles.get(id)));
    expect(found.map((d) => [d.id, d.installed, d.path, d.version])).toEqual([
      ['cursor-agent', true, join(bin, 'cursor-agent'), '2026.11.20-abc123'],
      ['copilot', true, join(bin, 'copilot'), 'GitHub Copilot CLI 0.0.400'],
      ['qwen', true, join(bin, 'qwen'), '0.18.3'],
      ['ollama', true, join(bin, 'ollama'), 'ollama version is 0.13.1'],
    ]);
    const missing = await new AgentDetector({ env: { PATH: join(dir, 'none') } }).detect(profiles.get('copilot'));
    expect(missing).toMatchObject({ installed: false, installHint: 'npm install -g @github/copilot' });
  });

  it('gives copilot its MCP server with --additional-mcp-config @<file>, every tool allowed', () => {
    const session = setup().prepare(record('copilot'), profiles.get('copilot'));
    const file = join(home, 'agents', 'agent-0123456789', 'mcp.json');
    expect(session.args).toEqual(['--additional-mcp-config', `@${file}`]);
    expect(json(file)).toEqual({
      mcpServers: {
        devmesh: { type: 'stdio', command: NODE, args: [BIN, 'mcp'], env: ENV('copilot-1'), tools: ['*'] },
      },
    });
  });

  it('registers the server in .cursor/mcp.json and .qwen/settings.json of a DevMesh worktree, never the checkout', () => {
    for (const [id, file] of [
      ['cursor-agent', '.cursor/mcp.json'],
      ['qwen', '.qwen/settings.json'],
    ] as const) {
      const s = setup();
      const outside = s.prepare(record(id), profiles.get(id));
      expect(outside.args).toEqual([]);
      expect(existsSync(join(repo, file))).toBe(false);
      expect(outside.notes.join('\n')).toMatch(/not in a worktree DevMesh created/);
      const inside = s.prepare(inWorktree(id), profiles.get(id));
      expect(inside.args).toEqual([]);
      expect(json(join(dir, 'wt', file))).toEqual({
        mcpServers: { devmesh: { command: NODE, args: [BIN, 'mcp'], env: ENV(`${id}-1`) } },
      });
      s.clean('agent-0123456789');
      expect(existsSync(join(dir, 'wt', file))).toBe(false);
    }
  });

  it('runs ollama as `ollama run <model>` with the task typed at its prompt and no MCP server', () => {
    const ollama = profiles.get('ollama');
    expect(ollama).toMatchObject({ args: ['run'], prompt: { kind: 'typed', readyPattern: '^>>> ' } });
    expect(ollama.mcp.kind).toBe('unsupported');
    expect(ollama.unattended).toBeUndefined();
    expect(setup().prepare(record('ollama'), ollama).args).toEqual([]);
    // a user profile that pins the model needs no argument at start
    const pinned = new AgentProfiles([{ id: 'ollama', executable: 'ollama', args: ['run', 'qwen2.5-coder:7b'] }]);
    expect(pinned.get('ollama').needsArgs).toBeUndefined();
  });

  it('records an unattended flag, its document and whether it was checked for each CLI that has one', () => {
    const flags = Object.fromEntries(
      profiles.list().map((p) => [p.id, p.unattended ? [p.unattended.args.join(' '), p.unattended.checked] : null]),
    );
    expect(flags).toEqual({
      claude: ['--dangerously-skip-permissions', true],
      codex: ['--dangerously-bypass-approvals-and-sandbox', true],
      gemini: ['--approval-mode=yolo', true],
      aider: ['--yes-always', true],
      opencode: null,
      goose: null,
      'cursor-agent': ['--force', false],
      copilot: ['--allow-all', true],
      qwen: ['--approval-mode yolo', true],
      ollama: null,
    });
    for (const p of profiles.list()) if (p.unattended) expect(p.unattended.docs).toMatch(/^https:\/\//);
  });
});
