// The header's health: the daemon's problems read on connect (daemon.health), replaced by each
// health.changed (cleared when it lists none), a list answer overtaken by an event dropped, an older daemon
// without daemon.health showing nothing; and how a problem reads (what, since when, how many).
import { afterEach, describe, expect, it } from 'vitest';
import { DevMeshError } from '../../../shared/errors.js';
import type { Health, HealthProblem } from '../../../shared/health.js';
import { createAppStores } from '../../../renderer/state/app-stores.js';
import { HealthSync } from '../../../renderer/health/health-sync.js';
import { describeHealthProblem } from '../../../renderer/health/describe-health.js';
import { sleep, until } from '../../helpers/until.js';
import { FakeClient } from '../fake-client.js';

const problem = (component: string, over: Partial<HealthProblem> = {}): HealthProblem => ({
  component,
  code: 'DISK_FULL',
  message: `The ${component} could not be written to /home/ada/.devmesh/devmesh.db: the disk is full. Free space on that disk.`,
  cause: 'SQLITE_FULL: database or disk is full',
  rule: 'rows are kept in memory (up to 10,000) and written when space is back; beyond that they are dropped and counted',
  failures: 3,
  dropped: 0,
  since: 1_700_000_000_000,
  lastAt: 1_700_000_005_000,
  ...over,
});
const health = (problems: HealthProblem[]): Health => ({ ok: problems.length === 0, problems, recovered: [] });

const disposers: (() => void)[] = [];
afterEach(() => {
  for (const d of disposers.splice(0)) d();
});

function setup(answer: () => Health | Promise<Health> = () => health([]), pollMs = 60_000) {
  const client = new FakeClient();
  const stores = createAppStores(client.status);
  client.handlers['daemon.health'] = answer;
  const sync = new HealthSync(client, stores.health, { pollMs });
  disposers.push(
    () => sync.dispose(),
    () => client.dispose(),
  );
  return { client, stores };
}

describe('HealthSync', () => {
  it('reads the problems on connect, then follows health.changed until they clear', async () => {
    const { client, stores } = setup(() => health([problem('request log')]));
    await until('the first read', () => stores.health.getState().loaded);
    expect(stores.health.getState().problems.map((p) => p.component)).toEqual(['request log']);

    client.emit({
      type: 'health.changed',
      ts: 2,
      problems: [problem('request log', { failures: 9, dropped: 120 }), problem('service logs')],
    });
    expect(stores.health.getState().problems.map((p) => [p.component, p.failures, p.dropped])).toEqual([
      ['request log', 9, 120],
      ['service logs', 3, 0],
    ]);
    client.emit({ type: 'health.changed', ts: 3, problems: [] });
    expect(stores.health.getState().problems).toEqual([]);
  });

  it('reads them again after a reconnect (events sent while away are gone)', async () => {
    let current = health([]);
    const { client, stores } = setup(() => current);
    await until('the first read', () => stores.health.getState().loaded);
    client.setStatus('reconnecting');
    current = health([problem('audit chain', { code: 'READ_ONLY' })]);
    client.setStatus('open');
    await until('the second read', () => stores.health.getState().problems.length === 1);
    expect(stores.health.getState().problems[0]).toMatchObject({ component: 'audit chain', code: 'READ_ONLY' });
  });

  it('drops a read that a health.changed overtook', async () => {
    let release!: (h: Health) => void;
    const { client, stores } = setup(() => new Promise<Health>((r) => (release = r)));
    await until('the read in flight', () => release !== undefined);
    client.emit({ type: 'health.changed', ts: 5, problems: [] });
    release(health([problem('request log')])); // taken before the disk was freed
    await sleep(20);
    expect(stores.health.getState().problems).toEqual([]);
    expect(stores.health.getState().loaded).toBe(true);
  });

  it('reads the counts again while there are problems (the daemon raises an event only when a problem changes kind)', async () => {
    let current = health([]);
    const { client, stores } = setup(() => current, 30);
    await until('the first read', () => stores.health.getState().loaded);
    await sleep(120);
    expect(client.calls.filter((c) => c.method === 'daemon.health')).toHaveLength(1); // healthy: no polling
    current = health([problem('service logs', { failures: 1 })]);
    client.emit({ type: 'health.changed', ts: 2, problems: current.problems });
    current = health([problem('service logs', { failures: 40, dropped: 7 })]);
    await until('the new counts', () => stores.health.getState().problems[0]?.failures === 40);
    expect(stores.health.getState().problems[0]?.dropped).toBe(7);
  });

  it('shows nothing, and no toast, when the daemon cannot say (an older daemon)', async () => {
    const { stores } = setup(() => {
      throw new DevMeshError('UNKNOWN_METHOD', "unknown method 'daemon.health'");
    });
    await until('the failed read', () => stores.health.getState().error !== null);
    expect(stores.health.getState().problems).toEqual([]);
    expect(stores.toasts.getState().toasts).toEqual([]);
  });
});

describe('describeHealthProblem', () => {
  it('names the part, what is wrong, since when and what was lost, in words', () => {
    const now = 1_700_000_000_000 + 185_000;
    const text = describeHealthProblem(problem('request log', { failures: 12, dropped: 340 }), now);
    expect(text).toEqual({ title: 'request log: disk full', since: 'for 3m 05s', counts: '12 failures · 340 dropped' });
    expect(
      describeHealthProblem(problem('recordings', { code: 'CORRUPT', failures: 1, dropped: 0 }), now),
    ).toMatchObject({
      title: 'recordings: damaged file',
      counts: '1 failure · 0 dropped',
    });
  });
});
