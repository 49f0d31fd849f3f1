// @vitest-environment jsdom
// What every process uses, where the operator looks: each service row and agent card shows CPU and memory
// sparklines with the latest figures (their past fetched on connect, a point added per sample), a badge while
// a leak or spin alert is active, and a detail chart per process over the last minutes or 24 hours.
import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { MetricsAlert, MetricsCurrent, MetricsPoint, ProcessUsage } from '../../../shared/metrics.js';
import { AgentList } from '../../../renderer/agents/agent-list.js';
import { sparkPaths } from '../../../renderer/metrics/sparkline.js';
import { ServicesTable } from '../../../renderer/services/services-table.js';
import { renderView, type ViewClient } from '../../helpers/render-view.js';
import { agentRecord, projectInfo, serviceInfo } from '../../helpers/view-fixtures.js';

const MB = 1024 * 1024;
const machine = {
  ts: 0,
  cpuCount: 2,
  memTotalBytes: 0,
  memAvailableBytes: 0,
  gpu: false,
  source: 'proc',
  note: null,
} as const;

const usage = (key: string, name: string, over: Partial<ProcessUsage> = {}): ProcessUsage => ({
  key,
  kind: key.startsWith('agent:') ? 'agent' : 'service',
  name,
  project: key.startsWith('agent:') ? null : 'shop',
  pid: 100,
  pids: 2,
  cpuPercent: 12.5,
  rssBytes: 120 * MB,
  connections: 3,
  listening: 1,
  gpuBytes: null,
  ts: 10_000,
  ...over,
});

const points = (n: number, rss: (i: number) => number): MetricsPoint[] =>
  Array.from({ length: n }, (_, i) => ({
    ts: i * 5000,
    cpuPercent: 10,
    cpuMax: 10,
    rssBytes: rss(i),
    rssMax: rss(i),
    connections: 1,
    gpuBytes: null,
    pids: 2,
  }));

const leak: MetricsAlert = {
  id: 'leak-1',
  key: 'service:shop/api',
  kind: 'leak',
  name: 'api',
  project: 'shop',
  state: 'active',
  since: 5000,
  clearedAt: null,
  message: 'memory grew 180 MB in 10.0 min (18 MB/min, R² 0.97, rising in 90% of samples)',
  evidence: { r2: 0.97 },
};

function daemonHas(client: ViewClient, current: Partial<MetricsCurrent>, history = points(10, (i) => (100 + i) * MB)) {
  client.answer('projects.list', [projectInfo('shop', { services: ['api', 'web'] })]);
  client.answer('services.list', [
    serviceInfo('api', { state: 'healthy', pid: 100 }),
    serviceInfo('web', { state: 'stopped', pid: null }),
  ]);
  client.answer('metrics.current', { machine, processes: [], alerts: [], intervalMs: 5000, ...current });
  client.answer('metrics.history', ({ key, resolution }) => ({
    key,
    resolution: resolution === 'minute' ? 'minute' : 'fine',
    stepMs: resolution === 'minute' ? 60_000 : 5000,
    points: resolution === 'minute' ? points(3, () => 90 * MB) : history,
  }));
}

describe('process usage in the UI', () => {
  it('shows sparklines and figures in the service row, the past fetched, a point added per sample', async () => {
    const view = renderView(<ServicesTable />, ({ client }) =>
      daemonHas(client, { processes: [usage('service:shop/api', 'api')] }),
    );
    const cell = await screen.findByTestId('usage-service:shop/api');
    expect(within(cell).getByTestId('usage-cpu-service:shop/api').textContent).toBe('12.5%');
    expect(within(cell).getByTestId('usage-mem-service:shop/api').textContent).toBe('120 MB');
    const memory = within(cell).getByRole('img', { name: 'memory of api' });
    await waitFor(() => expect(memory.getAttribute('data-points')).toBe('10')); // the fine history
    expect(screen.getByTestId('usage-service:shop/web').textContent).toBe('—'); // stopped: not measured

    act(() =>
      view.client.emit({
        type: 'metrics.sampled',
        ts: 20_000,
        machine,
        processes: [usage('service:shop/api', 'api', { cpuPercent: 180, rssBytes: 2.5 * 1024 * MB })],
      }),
    );
    expect(screen.getByTestId('usage-cpu-service:shop/api').textContent).toBe('180%');
    expect(screen.getByTestId('usage-mem-service:shop/api').textContent).toBe('2.5 GB');
    expect(memory.getAttribute('data-points')).toBe('11');
    expect(view.client.inputsOf('metrics.history')).toEqual([{ key: 'service:shop/api', resolution: 'fine' }]);
  });

  it('badges an active leak alert, live, and drops the badge once it clears', async () => {
    const view = renderView(<ServicesTable />, ({ client }) =>
      daemonHas(client, { processes: [usage('service:shop/api', 'api')], alerts: [leak] }),
    );
    const badge = await screen.findByTestId('alert-leak-service:shop/api');
    expect(badge.textContent).toBe('leak');
    expect(badge.title).toContain('memory grew 180 MB');
    expect(badge.title).toContain('DevMesh does not act on it');
    act(() =>
      view.client.emit({
        type: 'metrics.alert',
        ts: 1,
        alert: { ...leak, id: 'spin-1', kind: 'spin', message: 'CPU at or above 90% of a core for 5.0 min' },
      }),
    );
    expect(screen.getByTestId('alert-spin-service:shop/api')).toBeTruthy();
    act(() => view.client.emit({ type: 'metrics.alert', ts: 2, alert: { ...leak, state: 'cleared', clearedAt: 2 } }));
    expect(screen.queryByTestId('alert-leak-service:shop/api')).toBeNull();
    expect(screen.getByTestId('alert-spin-service:shop/api')).toBeTruthy();
  });

  it('opens a detail chart per process below the table, switches to 24 hours, and closes with Escape', async () => {
    const { user, client } = renderView(<ServicesTable />, ({ client }) =>
      daemonHas(client, { processes: [usage('service:shop/api', 'api')] }),
    );
    await user.click(
      await screen.findByRole('button', { name: /^api: 12\.5% 120 MB, CPU and memory; open its chart$/ }),
    );
    const chart = await screen.findByRole('region', { name: 'What api uses' });
    expect(await within(chart).findByTestId('chart-mem-service:shop/api')).toBeTruthy();
    expect(within(chart).getByTestId('chart-mem-service:shop/api').textContent).toMatch(/now 109 MB, highest 109 MB/);
    // a panel below the table, not a modal: the rows stay usable, and the click selected api's row as any would
    expect(screen.getByTestId('service-row-api').getAttribute('aria-selected')).toBe('true');
    await user.click(screen.getByRole('button', { name: 'web' }));
    expect(screen.getByTestId('service-row-web').getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole('region', { name: 'What api uses' })).toBe(chart);
    await user.click(within(chart).getByRole('button', { name: 'Last 24 hours' }));
    await waitFor(() =>
      expect(within(chart).getByTestId('chart-mem-service:shop/api').textContent).toMatch(/now 90\.0 MB/),
    );
    expect(client.inputsOf('metrics.history').at(-1)).toMatchObject({ key: 'service:shop/api', resolution: 'minute' });
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('region', { name: 'What api uses' })).toBeNull();
  });

  it('shows a running agent’s figures on its card, none for an exited one', async () => {
    renderView(<AgentList />, ({ client }) => {
      client.answer('agents.list', [
        agentRecord('agent-alice', { name: 'alice', status: 'working' }),
        agentRecord('agent-bob', { name: 'bob', status: 'exited' }),
      ]);
      client.answer('metrics.current', {
        machine,
        processes: [usage('agent:agent-alice', 'alice', { cpuPercent: 3, rssBytes: 700 * MB })],
        alerts: [],
        intervalMs: 5000,
      });
    });
    const cell = await screen.findByTestId('usage-agent:agent-alice');
    expect(
      within(cell).getByRole('button', { name: 'alice: 3.0% 700 MB, CPU and memory; open its chart' }),
    ).toBeTruthy();
    expect(screen.queryByTestId('usage-agent:agent-bob')).toBeNull();
  });
});

describe('sparkPaths', () => {
  it('scales to the box, keeps a CPU scale of 100 for small values, and breaks at unmeasured points', () => {
    expect(sparkPaths([0, 50, 100], 10, 12, { min: 0, max: 100 })).toEqual(['0.0,11.0 5.0,6.0 10.0,1.0']);
    const low = sparkPaths([5, 5], 10, 12, { min: 0, max: 100 })[0]!;
    expect(Number(low.split(' ')[0]!.split(',')[1])).toBeGreaterThan(10); // near the bottom
    expect(sparkPaths([1, null, 3, 4], 30, 10)).toHaveLength(2);
    expect(sparkPaths([7, 7], 10, 10)).toEqual(['0.0,5.0 10.0,5.0']); // flat: the middle
    expect(sparkPaths([null], 10, 10)).toEqual([]);
  });
});
