// Detection of agent CLIs with fake executables on a temp PATH: found + version, missing (install hint),
// not executable, a version probe that hangs (timeout) or fails, user profiles, and the short cache.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentDetector } from '../../../main/core/agents/agent-detector.js';
import { AgentProfiles } from '../../../main/core/agents/agent-profiles.js';
import { writeScript } from './fake-cli.js';

let dir: string;
let bin: string;
let other: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'devmesh-agent-detect-'));
  bin = join(dir, 'bin');
  other = join(dir, 'other');
  writeScript(bin, 'claude', 'echo "1.0.42 (Claude Code)"; echo second line');
  writeScript(other, 'aider', '[ "$1" = "--version" ] && printf "\\n  aider 0.86.1\\n" && exit 0; exit 9');
  writeScript(bin, 'gemini', 'echo not runnable', 0o644); // present but not executable
  writeScript(bin, 'codex', 'read never'); // blocks on stdin: a CLI that hangs
  writeScript(bin, 'opencode', 'echo "boom" >&2; exit 2');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function detector(extra: Partial<ConstructorParameters<typeof AgentDetector>[0]> = {}): AgentDetector {
  return new AgentDetector({ env: { PATH: `${bin}::${other}` }, versionTimeoutMs: 500, ...extra });
}

describe('AgentDetector', () => {
  it('finds CLIs on PATH and reads the first line of --version', async () => {
    const profiles = new AgentProfiles();
    const d = detector();
    const claude = await d.detect(profiles.get('claude'));
    expect(claude).toEqual({
      id: 'claude',
      installed: true,
      path: join(bin, 'claude'),
      version: '1.0.42 (Claude Code)',
      error: null,
      installHint: 'npm install -g @anthropic-ai/claude-code',
    });
    const aider = await d.detect(profiles.get('aider'));
    expect(aider.path).toBe(join(other, 'aider')); // second PATH entry, blank lines skipped
    expect(aider.version).toBe('aider 0.86.1');
  });

  it('reports a missing CLI as not installed, with its install hint', async () => {
    const goose = await detector().detect(new AgentProfiles().get('goose'));
    expect(goose.installed).toBe(false);
    expect(goose.path).toBeNull();
    expect(goose.version).toBeNull();
    expect(goose.installHint).toMatch(/download_cli\.sh/);
    expect(goose.error).toContain('"goose" on PATH not found');
    expect(goose.error).toContain(goose.installHint);
  });

  it('does not count a file without the executable bit', async () => {
    const gemini = await detector().detect(new AgentProfiles().get('gemini'));
    expect(gemini.installed).toBe(false);
    expect(gemini.installHint).toBe('npm install -g @google/gemini-cli');
  });

  it('keeps an installed CLI whose version probe hangs or fails, saying why', async () => {
    const d = detector();
    const started = Date.now();
    const codex = await d.detect(new AgentProfiles().get('codex'));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(codex).toMatchObject({ installed: true, version: null });
    expect(codex.error).toMatch(/did not answer within 500 ms/);
    const opencode = await d.detect(new AgentProfiles().get('opencode'));
    expect(opencode).toMatchObject({ installed: true, version: null });
    expect(opencode.error).toMatch(/exited with code 2: boom/);
  });

  it('detects user profiles, including absolute paths, and caches briefly', async () => {
    let clock = 0;
    const exe = writeScript(join(dir, 'opt'), 'mycli', 'echo mycli 3.1');
    const profiles = new AgentProfiles([{ id: 'mine', executable: exe, install_hint: 'brew install mycli' }]);
    const d = detector({ now: () => clock, cacheMs: 1000 });
    const all = await d.detectAll(profiles.list());
    expect(all.map((a) => [a.id, a.installed])).toEqual([
      ['claude', true],
      ['codex', true],
      ['gemini', false],
      ['aider', true],
      ['opencode', true],
      ['goose', false],
      ['cursor-agent', false],
      ['copilot', false],
      ['qwen', false],
      ['ollama', false],
      ['mine', true],
    ]);
    expect(all.find((a) => a.id === 'mine')!.version).toBe('mycli 3.1');
    writeFileSync(exe, '#!/bin/sh\necho mycli 4.0\n');
    expect((await d.detect(profiles.get('mine'))).version).toBe('mycli 3.1'); // cached
    clock = 1500;
    expect((await d.detect(profiles.get('mine'))).version).toBe('mycli 4.0');
  });
});
