// Claude Code's context hooks end to end, run the way Claude Code runs them: a real daemon (`devmesh up`) with
// a project, a `claude` agent it launched (a fake Claude Code, a shell script reading lines at a prompt, named
// by agents.profiles in config.yaml), the settings file the daemon generated for it, and each hook's command
// line from that file spawned with `sh -c` and the event JSON on stdin:
// - the settings carry UserPromptSubmit and PostToolUse context hooks beside the PreToolUse lock hook;
// - a message to the agent comes out once as hookSpecificOutput.additionalContext, then nothing; one read
//   through read_messages' call first never comes out; a lock granted after a wait comes out as a team event;
// - many messages: a few, and how many more wait; garbage or huge stdin changes nothing; DevMesh down: exit 0,
//   no output; an idle Claude Code is nudged at its prompt (the hook then brings the message).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../main/cli/api-client.js';
import { DevMeshHome } from '../../main/core/home/devmesh-home.js';
import type { AgentRecord } from '../../shared/agent.js';
import type { ApiInput, ApiMethod, ApiOutput } from '../../shared/api.js';
import { tempDir, waitFor, writeProject } from '../api/test-project.js';
import { makeRepo, writeScript } from '../core/agents/fake-cli.js';
import { scaled } from '../helpers/load-scale.js';
import { CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';

const tmp = tempDir('devmesh-cli-context-');
const root = realpathSync(tmp.dir);
const repo = join(root, 'repo');
const cli = new CliHarness(join(root, 'home'), root);
let daemon: RunningCli | undefined;
let agent: AgentRecord;
let settings: {
  hooks: Record<string, Array<{ matcher?: string; hooks: Array<{ command: string; timeout: number }> }>>;
};

async function call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>> {
  const client = await ApiClient.connect(new DevMeshHome(cli.home));
  try {
    return await client.call(method, input);
  } finally {
    await client.close();
  }
}

/** waits for the agent to sit idle at its prompt, in a spell begun after `after` (default: any) */
async function idle(after = 0): Promise<void> {
  await waitFor(
    'the agent idle at its prompt',
    async () => {
      const a = (await call('agents.list', {})).find((r) => r.id === agent.id);
      return a?.status === 'idle' && a.updatedAt > after;
    },
    scaled(30_000),
  );
}

/** A context hook as Claude Code runs it: its command from the generated settings, through `sh -c`. */
function hook(event: 'UserPromptSubmit' | 'PostToolUse', stdin: string | Buffer = eventJson(event)) {
  const command = settings.hooks[event]![0]!.hooks[0]!.command;
  // Not the agent's environment: the command line carries who asks and where DevMesh lives.
  const env = { ...process.env };
  delete env.DEVMESH_HOME;
  delete env.DEVMESH_AGENT_ID;
  const r = spawnSync('sh', ['-c', command], {
    cwd: repo,
    input: stdin,
    encoding: 'utf8',
    env,
    timeout: scaled(60_000),
    maxBuffer: 16 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function eventJson(event: string): string {
  const common = { session_id: 's-1', transcript_path: '/tmp/t.jsonl', cwd: repo, hook_event_name: event };
  return JSON.stringify(
    event === 'UserPromptSubmit'
      ? { ...common, prompt: 'go on' }
      : { ...common, tool_name: 'Bash', tool_input: { command: 'ls' }, tool_response: { stdout: 'a\nb' } },
  );
}

/** the additionalContext the hook printed (checking it is Claude Code's JSON for that event) */
function contextOf(out: { code: number | null; stdout: string; stderr: string }, event: string): string {
  expect(out.code, out.stderr).toBe(0);
  const json = JSON.parse(out.stdout) as { hookSpecificOutput: { hookEventName: string; additionalContext: string } };
  expect(Object.keys(json)).toEqual(['hookSpecificOutput']);
  expect(json.hookSpecificOutput.hookEventName).toBe(event);
  return json.hookSpecificOutput.additionalContext;
}

beforeAll(async () => {
  ensureCliBuilt();
  makeRepo(repo);
  writeProject(repo, 'ctx', { web: { autostart: false } });
  const fake = writeScript(
    join(root, 'bin'),
    'fake-claude',
    `if [ "$1" = "--version" ]; then echo "9.9.9 (Claude Code, fake)"; exit 0; fi
printf 'claude> '
while read line; do printf 'got: %s\\nclaude> ' "$line"; done`,
  );
  mkdirSync(cli.home, { recursive: true });
  writeFileSync(join(cli.home, 'config.yaml'), `agents:\n  profiles:\n    - id: claude\n      executable: ${fake}\n`);
  ({ daemon } = await cli.up(['--project', repo]));
  agent = await call('agents.start', { profile: 'claude', name: 'claude-1', cwd: repo });
  settings = JSON.parse(readFileSync(join(cli.home, 'agents', agent.id, 'claude-settings.json'), 'utf8'));
}, scaled(120_000));

afterAll(async () => {
  await daemon?.stop('SIGTERM');
  tmp.dispose();
});

describe("Claude Code's context hooks", () => {
  it('are in the generated settings beside the PreToolUse lock hook, each running its devmesh hook', () => {
    expect(Object.keys(settings.hooks).sort()).toEqual(['PostToolUse', 'PreToolUse', 'UserPromptSubmit']);
    expect(settings.hooks.PreToolUse![0]!.hooks[0]!.command).toMatch(/ hook claude-pre-tool-use$/);
    expect(settings.hooks.UserPromptSubmit![0]!.matcher).toBeUndefined();
    expect(settings.hooks.UserPromptSubmit![0]!.hooks[0]!.command).toMatch(/ hook claude-user-prompt-submit$/);
    expect(settings.hooks.PostToolUse![0]!.matcher).toBe('Bash|Edit|Write|MultiEdit|NotebookEdit');
    expect(settings.hooks.PostToolUse![0]!.hooks[0]!.command).toMatch(/ hook claude-post-tool-use$/);
    for (const event of ['UserPromptSubmit', 'PostToolUse']) {
      const entry = settings.hooks[event]![0]!.hooks[0]!;
      expect(entry).toMatchObject({ type: 'command' });
      expect(entry.timeout).toBeLessThanOrEqual(10);
      expect(entry.command).toContain(`DEVMESH_AGENT_ID=${agent.id}`);
    }
  });

  it('hand a message to the agent once, then print nothing', async () => {
    await call('messages.send', { from: 'user', to: agent.name, body: 'please rebase on main before you push' });
    const context = contextOf(hook('UserPromptSubmit'), 'UserPromptSubmit');
    expect(context).toContain('"please rebase on main before you push"');
    expect(context).toMatch(/from user/);
    const again = hook('PostToolUse');
    expect(again).toEqual({ code: 0, stdout: '', stderr: '' });
    // read through the hook: read_messages has nothing new either (one cursor)
    expect(await call('messages.read', { reader: agent.id, unreadOnly: true, limit: 50 })).toEqual([]);
  });

  it('never repeat a message read_messages has read', async () => {
    await call('messages.send', { from: 'user', to: '*', body: 'lunch at noon' });
    const read = await call('messages.read', { reader: agent.id, unreadOnly: true, limit: 50 });
    expect(read.map((m) => m.body)).toEqual(['lunch at noon']);
    expect(hook('PostToolUse')).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('give a few messages and say how many more wait for read_messages', async () => {
    for (let i = 1; i <= 8; i++) await call('messages.send', { from: 'user', to: agent.id, body: `note ${i}` });
    const first = contextOf(hook('PostToolUse'), 'PostToolUse');
    expect(first).toContain('"note 1"');
    expect(first).toContain('"note 5"');
    expect(first).not.toContain('"note 6"');
    expect(first).toMatch(/3 more unread messages waiting: call read_messages/);
    const second = contextOf(hook('PostToolUse'), 'PostToolUse');
    expect(second).toContain('"note 6"');
    expect(second).toContain('"note 8"');
    expect(second).not.toMatch(/more unread/);
  });

  it('tell the agent its queued lock was granted', async () => {
    const target = { kind: 'file' as const, path: 'README.md' };
    const other = await call('locks.acquire', { project: repo, holder: 'user', mode: 'WRITE', target });
    const waiting = call('locks.acquire', { project: repo, holder: agent.id, mode: 'WRITE', target, waitMs: 60_000 });
    await waitFor('the agent queued for the lock', async () =>
      (await call('locks.list', {})).some((s) => s.waiters.some((w) => w.holder === agent.id)),
    );
    await call('locks.release', { project: repo, holder: 'user', lockId: other.id });
    const granted = await waiting;
    const context = contextOf(hook('UserPromptSubmit'), 'UserPromptSubmit');
    expect(context).toContain(`your queued WRITE lock on README.md was granted after`);
    expect(context).toContain(granted.id);
    expect(hook('UserPromptSubmit').stdout).toBe('');
    await call('locks.release', { project: repo, holder: agent.id, lockId: granted.id });
  });

  it('ignore garbage and huge stdin, and DevMesh keeps answering', async () => {
    await call('messages.send', { from: 'user', to: agent.id, body: 'after the garbage' });
    const garbage = hook('UserPromptSubmit', Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x22, 0x0a, 0x1b, 0x5b]));
    expect(contextOf(garbage, 'UserPromptSubmit')).toContain('"after the garbage"');
    await call('messages.send', { from: 'user', to: agent.id, body: 'after the flood' });
    const huge = hook('PostToolUse', Buffer.alloc(40 * 1024 * 1024, 'x'));
    expect(contextOf(huge, 'PostToolUse')).toContain('"after the flood"');
    expect((await call('daemon.info', {})).pid).toBeGreaterThan(0);
  });

  it('nudge an idle Claude Code at its prompt once, and the hook then brings the message', async () => {
    await idle();
    const nudges = async (): Promise<string[]> =>
      (await call('recordings.read', { id: agent.terminalId! })).cast.match(/got: DevMesh: [^\\]*/g) ?? [];
    const before = (await nudges()).length;
    await call('messages.send', { from: 'user', to: agent.id, body: 'the API contract changed' });
    const after = await waitFor(
      'the nudge typed at the prompt',
      async () => {
        const all = await nudges();
        return all.length > before ? all : null;
      },
      scaled(30_000),
    );
    expect(after[before]).toMatch(/^got: DevMesh: 1 new message for you from user; they come with this prompt/);
    // the hook has not run (a fake Claude Code): its next idle spell is not nudged again for the same message
    await idle(Date.now());
    expect(await nudges()).toHaveLength(before + 1);
    // the body comes through the hook, never typed
    expect((await call('recordings.read', { id: agent.terminalId! })).cast).not.toContain('API contract');
    expect(contextOf(hook('UserPromptSubmit'), 'UserPromptSubmit')).toContain('"the API contract changed"');
  });

  it('exit 0 with no output when DevMesh is not running', async () => {
    await call('messages.send', { from: 'user', to: agent.id, body: 'never delivered while down' });
    await daemon!.stop('SIGTERM');
    daemon = undefined;
    for (const event of ['UserPromptSubmit', 'PostToolUse'] as const)
      expect(hook(event)).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});
