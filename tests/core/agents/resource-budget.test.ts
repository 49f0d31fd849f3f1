// The agents' budget: declared RAM/GPUs against `agents.budget` in the user settings; a refusal names the
// totals and the setting. Also the `agents:` section of config.yaml.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentProfiles } from '../../../main/core/agents/agent-profiles.js';
import { ResourceBudget } from '../../../main/core/agents/resource-budget.js';
import * as userSettings from '../../../main/core/settings/user-settings.js';
import { DevMeshError } from '../../../shared/errors.js';

function refusal(fn: () => void): DevMeshError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DevMeshError);
    return err as DevMeshError;
  }
  throw new Error('expected a refusal');
}

describe('ResourceBudget', () => {
  it('admits what fits and refuses what would exceed, naming totals and the setting', () => {
    const budget = new ResourceBudget({ ramGb: 32, gpus: 1 });
    const held = [
      { ramGb: 16, gpus: 1 },
      { ramGb: 8, gpus: 0 },
    ];
    budget.check({ ramGb: 8, gpus: 0 }, held); // exactly full is fine
    const ram = refusal(() => budget.check({ ramGb: 12, gpus: 0 }, held, 'agent "big"'));
    expect(ram.code).toBe('CONFLICT');
    expect(ram.message).toContain('agent "big" was not started');
    expect(ram.message).toContain(
      'RAM: 12 GB asked + 24 GB held by running agents = 36 GB > budget 32 GB (agents.budget.ram_gb)',
    );
    expect(ram.message).toContain('$DEVMESH_HOME/config.yaml under agents.budget');
    expect(ram.details).toMatchObject({ reason: 'agent-budget', held: { ramGb: 24, gpus: 1 } });
    const gpu = refusal(() => budget.check({ ramGb: 0, gpus: 1 }, held));
    expect(gpu.message).toContain('GPUs: 1 asked + 1 held by running agents = 2 > budget 1 (agents.budget.gpus)');
    expect(gpu.message).not.toContain('RAM:');
    expect(budget.use(held)).toEqual({
      budget: { ramGb: 32, gpus: 1 },
      held: { ramGb: 24, gpus: 1 },
      free: { ramGb: 8, gpus: 0 },
    });
  });

  it('has no limit where none is set', () => {
    const budget = new ResourceBudget({ ramGb: null, gpus: 2 });
    budget.check({ ramGb: 4096, gpus: 2 }, [{ ramGb: 1000, gpus: 0 }]);
    expect(refusal(() => budget.check({ ramGb: 0, gpus: 3 }, [])).message).toContain('> budget 2');
  });
});

describe('userSettings agents section', () => {
  it('reads the budget, user profiles and the worktree root; defaults to no limit', () => {
    const home = mkdtempSync(join(tmpdir(), 'devmesh-agent-settings-'));
    try {
      expect(userSettings.load(home, {}).agents).toEqual({
        budget: { ramGb: null, gpus: null },
        profiles: [],
        worktreeRoot: null,
      });
      writeFileSync(
        join(home, 'config.yaml'),
        [
          'agents:',
          '  budget: { ram_gb: 48, gpus: 2 }',
          '  worktree_root: ../agent-trees',
          '  profiles:',
          '    - id: claude',
          '      executable: /opt/claude/bin/claude',
          '    - id: mycoder', // not a built-in id: conservative defaults
          '      executable: my-coder',
          '      prompt: { kind: flag, flag: --prompt-interactive }',
          '      waiting_patterns: ["Allow\\\\?"]',
        ].join('\n'),
      );
      const agents = userSettings.load(home, {}).agents;
      expect(agents.budget).toEqual({ ramGb: 48, gpus: 2 });
      expect(agents.worktreeRoot).toBe('../agent-trees');
      const profiles = new AgentProfiles(agents.profiles);
      expect(profiles.get('claude')).toMatchObject({
        executable: '/opt/claude/bin/claude',
        prompt: { kind: 'positional' },
        mcp: { kind: 'flag-file', flag: '--mcp-config' },
        builtin: false,
      });
      expect(profiles.get('mycoder')).toMatchObject({
        displayName: 'mycoder',
        prompt: { kind: 'flag', flag: '--prompt-interactive' },
        mcp: { kind: 'unsupported' },
        waitingPatterns: ['Allow\\?'],
      });
      writeFileSync(join(home, 'config.yaml'), 'agents:\n  budget: { ram_gb: -1 }\n');
      expect(() => userSettings.load(home, {})).toThrow(/agents\.budget\.ram_gb/);
      expect(() => new AgentProfiles([{ id: 'bad', executable: 'x', waiting_patterns: ['('] }])).toThrow(
        /not a valid regular expression/,
      );
      expect(() => profiles.get('nope')).toThrow(/no agent profile "nope"; known: claude, codex/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
