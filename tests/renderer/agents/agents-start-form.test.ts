// The New agent form's checks: which CLI can be picked, names and branches the daemon or git would refuse,
// numbers, where the agent works, and the agents.start input built from what was typed.
import { describe, expect, it } from 'vitest';
import type { AgentProfile } from '../../../shared/agent.js';
import type { AgentProfileChoice } from '../../../renderer/agents/agents-sync.js';
import {
  branchNameProblem,
  checkAgentForm,
  initialAgentForm,
  type AgentFormValues,
} from '../../../renderer/agents/agent-start-form.js';

const choice = (id: string, installed: boolean): AgentProfileChoice => ({
  profile: {
    id,
    displayName: id.toUpperCase(),
    executable: id,
    args: [],
    prompt: { kind: 'positional' },
    mcp: { kind: 'unsupported', note: '' },
    installHint: `npm i -g ${id}`,
    versionArgs: [],
    waitingPatterns: [],
    builtin: true,
  } as AgentProfile,
  detection: {
    id,
    installed,
    path: installed ? `/bin/${id}` : null,
    version: null,
    error: null,
    installHint: `npm i -g ${id}`,
  },
});
const choices = [choice('codex', false), choice('claude', true)];
const form = (over: Partial<AgentFormValues> = {}): AgentFormValues => ({
  ...initialAgentForm(choices, 'shop'),
  ...over,
});

describe('New agent form', () => {
  it('starts on the first installed CLI and the open project', () => {
    expect(initialAgentForm(choices, 'shop')).toMatchObject({
      profile: 'claude',
      project: 'shop',
      name: '',
      prompt: '',
    });
    expect(initialAgentForm([choice('codex', false)], null)).toMatchObject({ profile: '', project: '' });
  });

  it('builds the start input from the fields given, leaving the others to the daemon', () => {
    expect(checkAgentForm(form({ prompt: '  fix the\n  tests ' }), choices)).toEqual({
      ok: true,
      input: { profile: 'claude', prompt: '  fix the\n  tests ', project: 'shop' },
    });
    const full = checkAgentForm(
      form({ name: 'fixer', role: ' reviewer ', worktree: 'feature/x', base: 'main', ramGb: '1.5', gpus: '1' }),
      choices,
    );
    expect(full).toEqual({
      ok: true,
      input: {
        profile: 'claude',
        name: 'fixer',
        role: 'reviewer',
        worktree: 'feature/x',
        base: 'main',
        project: 'shop',
        ramGb: 1.5,
        gpus: 1,
      },
    });
    expect(checkAgentForm(form({ project: '', cwd: '/home/me/repo' }), choices)).toEqual({
      ok: true,
      input: { profile: 'claude', cwd: '/home/me/repo' },
    });
  });

  it('refuses a CLI that is not installed, with how to install it', () => {
    const check = checkAgentForm(form({ profile: 'codex' }), choices);
    expect(check).toEqual({ ok: false, errors: { profile: 'CODEX is not installed: npm i -g codex' } });
    expect(checkAgentForm(form({ profile: '' }), choices)).toMatchObject({
      ok: false,
      errors: { profile: 'pick an agent CLI' },
    });
  });

  it('says per field what to fix', () => {
    const check = checkAgentForm(
      form({ name: 'my agent', worktree: 'bad..branch', ramGb: '-1', gpus: '0.5' }),
      choices,
    );
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(Object.keys(check.errors).sort()).toEqual(['gpus', 'name', 'ramGb', 'worktree']);
    expect(check.errors.gpus).toBe('a whole number');
    expect(checkAgentForm(form({ base: 'main' }), choices)).toMatchObject({
      ok: false,
      errors: { base: expect.stringContaining('worktree') },
    });
    expect(checkAgentForm(form({ project: '' }), choices)).toMatchObject({
      ok: false,
      errors: { cwd: expect.stringContaining('project') },
    });
    expect(checkAgentForm(form({ project: '', cwd: 'repo' }), choices)).toMatchObject({
      ok: false,
      errors: { cwd: expect.stringContaining('absolute') },
    });
    // The contract's limits too: a role longer than the daemon takes.
    expect(checkAgentForm(form({ role: 'r'.repeat(200) }), choices)).toMatchObject({
      ok: false,
      errors: { role: expect.any(String) },
    });
  });

  it('knows the branch names git refuses', () => {
    for (const ok of ['feature-x', 'feature/x', 'fix_1.2']) expect(branchNameProblem(ok)).toBeNull();
    for (const bad of [
      'has space',
      '-x',
      'a..b',
      'a~1',
      'x.lock',
      'a/',
      '/a',
      'a//b',
      '.hidden',
      'a/.b',
      'x.',
      '@',
      'a@{b',
      'q?',
    ]) {
      expect(branchNameProblem(bad), bad).not.toBeNull();
    }
  });
});
