// The agents' budget on measured use: a running agent holds what its processes use when that is more than it
// declared, and a start is refused when the machine's available memory minus what it asks falls below the
// reserve (agents.min_free_ram_gb), the refusal naming what uses the memory. Also the settings that drive it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ResourceBudget, type MeasuredMemory } from '../../../main/core/agents/resource-budget.js';
import { DEFAULT_METRICS } from '../../../main/core/settings/metrics-settings.js';
import * as userSettings from '../../../main/core/settings/user-settings.js';
import { DevMeshError } from '../../../shared/errors.js';

const GB = 1024 ** 3;

function measured(availableGb: number, agents: Record<string, number> = {}): MeasuredMemory {
  return {
    machine: () => ({
      availableBytes: availableGb * GB,
      totalBytes: 16 * GB,
      top: [
        { label: 'service shop/api', rssBytes: 6 * GB },
        { label: 'agent claude-1', rssBytes: 3.5 * GB },
      ],
    }),
    agentRss: (id) => (agents[id] === undefined ? null : agents[id]! * GB),
  };
}

function refusal(fn: () => void): DevMeshError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DevMeshError);
    return err as DevMeshError;
  }
  throw new Error('expected a refusal');
}

describe('ResourceBudget on measured memory', () => {
  it('refuses a start the machine has no memory for, naming the biggest users and the setting', () => {
    const budget = new ResourceBudget({ ramGb: null, gpus: null }, { memory: measured(1.5), minFreeRamGb: 1 });
    budget.check({ ramGb: 0.5, gpus: 0 }, []); // 1.5 - 0.5 = 1 GB left: exactly the reserve
    const err = refusal(() => budget.check({ ramGb: 1, gpus: 0 }, [], 'agent "big"'));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toBe(
      'agent "big" was not started: this machine is short of memory: 1.5 GB available of 16.0 GB minus the 1 GB ' +
        'it asks leaves less than the 1 GB kept free (agents.min_free_ram_gb). Using the most: service shop/api ' +
        '6.0 GB, agent claude-1 3.5 GB. Stop a service or an agent (devmesh top shows what each uses), or lower ' +
        'agents.min_free_ram_gb in $DEVMESH_HOME/config.yaml',
    );
    expect(err.details).toMatchObject({ reason: 'machine-memory', availableBytes: 1.5 * GB });
  });

  it('uses the default reserve, and skips the check where memory cannot be read', () => {
    const low = new ResourceBudget({ ramGb: null, gpus: null }, { memory: measured(0.4) });
    expect(refusal(() => low.check({ ramGb: 0, gpus: 0 }, [])).message).toContain('less than the 0.5 GB kept free');
    const unread: MeasuredMemory = { machine: () => null, agentRss: () => null };
    new ResourceBudget({ ramGb: null, gpus: null }, { memory: unread }).check({ ramGb: 100, gpus: 0 }, []);
    new ResourceBudget({ ramGb: null, gpus: null }).check({ ramGb: 100, gpus: 0 }, []);
  });

  it('counts what a running agent measurably uses when it is more than it declared', () => {
    const budget = new ResourceBudget({ ramGb: 8, gpus: null }, { memory: measured(12, { 'agent-a': 6 }) });
    expect(budget.holding('agent-a', { ramGb: 2, gpus: 1 })).toEqual({ ramGb: 6, gpus: 1 });
    expect(budget.holding('agent-b', { ramGb: 2, gpus: 0 })).toEqual({ ramGb: 2, gpus: 0 }); // not measured
    const held = [budget.holding('agent-a', { ramGb: 2, gpus: 0 })];
    expect(refusal(() => budget.check({ ramGb: 3, gpus: 0 }, held)).message).toContain(
      'RAM: 3 GB asked + 6 GB held by running agents = 9 GB > budget 8 GB',
    );
  });
});

describe('the metrics and memory settings in config.yaml', () => {
  it('reads metrics.* and agents.min_free_ram_gb, defaults them, and names a bad value', () => {
    const home = mkdtempSync(join(tmpdir(), 'devmesh-metrics-settings-'));
    try {
      const defaults = userSettings.load(home, {});
      expect(defaults.metrics).toEqual(DEFAULT_METRICS);
      expect(defaults.agents.minFreeRamGb).toBeUndefined();
      writeFileSync(
        join(home, 'config.yaml'),
        [
          'agents: { min_free_ram_gb: 2 }',
          'metrics:',
          '  interval_ms: 1000',
          '  keep_hours: 2',
          '  leak: { window_ms: 1200000, min_growth_mb: 5 }',
          '  spin: { cpu_percent: 80, for_ms: 60000 }',
        ].join('\n'),
      );
      const s = userSettings.load(home, {});
      expect(s.agents.minFreeRamGb).toBe(2);
      expect(s.metrics).toMatchObject({
        intervalMs: 1000,
        keepMs: 2 * 3_600_000,
        fineWindowMs: 1_200_000, // holds the leak window
        leak: { windowMs: 1_200_000, minGrowthBytes: 5 * 1024 * 1024, minR2: 0.8 },
        spin: { cpuPercent: 80, forMs: 60_000 },
      });
      writeFileSync(join(home, 'config.yaml'), 'metrics:\n  interval_ms: 10\n');
      expect(() => userSettings.load(home, {})).toThrow(/metrics\.interval_ms/);
      writeFileSync(join(home, 'config.yaml'), 'metrics:\n  leak: { slope: 1 }\n');
      expect(() => userSettings.load(home, {})).toThrow(/metrics\.leak/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
