// A reloaded devmesh.yaml applied to running services, through the real config loader: an edit to routing
// policy (prefer, allow_peers, on_version_mismatch, a dependency's range) or to a setting read when it applies
// updates the definition in place and keeps the process; an edit to what the process runs with restarts it.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProjectConfigLoader } from '../../../main/core/config/project-config-loader.js';
import type { ProjectConfig } from '../../../main/core/config/project-config.js';
import { SupervisorHarness, nodeScript, pidAlive, waitFor } from '../../helpers/supervisor-harness.js';

const loader = new ProjectConfigLoader();
let h: SupervisorHarness;
let sleeper: string;

beforeEach(() => {
  h = new SupervisorHarness();
  sleeper = nodeScript(h.dir, 'setInterval(() => {}, 1e9); process.on("SIGTERM", () => process.exit(0))');
});
afterEach(async () => {
  await h.dispose();
});

/** auth and api (api depends on auth), with the mesh policy and api's command as given. */
function shop(
  options: {
    header?: string[];
    projectPolicy?: string;
    apiVersion?: string;
    apiCommand?: string;
    apiLines?: string[];
    dependency?: string;
  } = {},
): ProjectConfig {
  const text = [
    ...(options.header ?? []),
    ...(options.projectPolicy ? [`on_version_mismatch: ${options.projectPolicy}`] : []),
    'services:',
    '  auth:',
    '    version: 2.3.1',
    `    command: ${JSON.stringify(sleeper)}`,
    '  api:',
    `    version: ${options.apiVersion ?? '1.4.0'}`,
    `    command: ${JSON.stringify(options.apiCommand ?? sleeper)}`,
    '    depends_on:',
    `      auth: ${options.dependency ?? '"^2.1"'}`,
    ...(options.apiLines ?? []).map((l) => `    ${l}`),
  ].join('\n');
  return loader.parse(text, join(h.dir, 'devmesh.yaml'));
}

async function startShop(config: ProjectConfig): Promise<{ auth: number; api: number }> {
  await h.supervisor.apply(config);
  await h.supervisor.startAll({ wait: true });
  return { auth: h.supervisor.get('auth').info().pid!, api: h.supervisor.get('api').info().pid! };
}

const stoppingSince = (from: number) => h.transitions().filter((e) => e.ts >= from && e.to === 'stopping');

describe('ServiceSupervisor.apply on a reloaded devmesh.yaml', () => {
  it('updates routing policy in place: same process, the new policy in get(name).definition', async () => {
    const pids = await startShop(shop());
    const before = h.supervisor.get('api').definition;
    expect(before.prefer).toBe('local');
    expect(before.dependsOn).toEqual([{ name: 'auth', range: '^2.1', onVersionMismatch: 'warn' }]);

    const editedAt = Date.now();
    const changes = await h.supervisor.apply(
      shop({ projectPolicy: 'refuse', dependency: '"^2.3"', apiLines: ['prefer: peer', 'start_on_request: true'] }),
    );

    expect(changes).toEqual({ added: [], removed: [], changed: ['api'] });
    const api = h.supervisor.get('api');
    expect(api.definition.prefer).toBe('peer');
    expect(api.definition.startOnRequest).toBe(true);
    // The project-level policy reaches the dependency that sets none of its own.
    expect(api.definition.dependsOn).toEqual([{ name: 'auth', range: '^2.3', onVersionMismatch: 'refuse' }]);
    expect(api.info()).toMatchObject({ state: 'healthy', pid: pids.api });
    expect(h.supervisor.get('auth').info()).toMatchObject({ state: 'healthy', pid: pids.auth });
    expect(pidAlive(pids.api)).toBe(true);
    expect(stoppingSince(editedAt)).toEqual([]);

    // A dependency's own on_version_mismatch, and allow_peers: also in place.
    const changes2 = await h.supervisor.apply(
      shop({
        projectPolicy: 'refuse',
        dependency: '{ version: "^2.3", on_version_mismatch: warn }',
        apiLines: ['allow_peers: false'],
      }),
    );
    expect(changes2.changed).toEqual(['api']);
    expect(h.supervisor.get('api').definition).toMatchObject({
      dependsOn: [{ name: 'auth', range: '^2.3', onVersionMismatch: 'warn' }],
      prefer: 'local',
      allowPeers: false,
    });
    expect(h.supervisor.get('api').info().pid).toBe(pids.api);
    expect(stoppingSince(editedAt)).toEqual([]);
  });

  it('updates restart, stop and autostart settings in place, and a moved line is no change at all', async () => {
    const pids = await startShop(shop());
    const editedAt = Date.now();
    const edited = [
      'restart: { policy: always, max_restarts: 7 }',
      'stop_timeout: 2s',
      'stop_signal: SIGINT',
      'autostart: false',
    ];
    const changes = await h.supervisor.apply(shop({ apiLines: edited }));
    expect(changes.changed).toEqual(['api']);
    const api = h.supervisor.get('api');
    expect(api.definition).toMatchObject({
      restart: { policy: 'always', maxRestarts: 7 },
      stopTimeoutMs: 2000,
      stopSignal: 'SIGINT',
      autostart: false,
    });
    expect(api.info().pid).toBe(pids.api);
    expect(stoppingSince(editedAt)).toEqual([]);

    // A comment above both services moves their lines: nothing to report, nothing restarted, the lines kept current.
    const line = h.supervisor.get('auth').definition.line;
    const moved = await h.supervisor.apply(shop({ header: ['# the shop', '# two services'], apiLines: edited }));
    expect(moved).toEqual({ added: [], removed: [], changed: [] });
    expect(h.supervisor.get('auth').definition.line).toBe(line + 2);
    expect(h.supervisor.get('auth').info().pid).toBe(pids.auth);
    expect(stoppingSince(editedAt)).toEqual([]);
  });

  it('restarts a running service whose command changed, and only that one', async () => {
    const pids = await startShop(shop());
    const other = nodeScript(
      h.dir,
      'console.log("v2"); setInterval(() => {}, 1e9); process.on("SIGTERM", () => process.exit(0))',
    );
    const changes = await h.supervisor.apply(shop({ apiCommand: other }));
    expect(changes.changed).toEqual(['api']);
    await waitFor(
      () => h.supervisor.get('api').info().pid !== pids.api && h.supervisor.get('api').current === 'healthy',
      15_000,
      'api restarted',
    );
    expect(pidAlive(pids.api)).toBe(false);
    expect(h.supervisor.get('api').definition.command).toBe(other);
    expect(h.supervisor.get('auth').info().pid).toBe(pids.auth);
    await waitFor(() => h.logs.tail('demo', 'api').some((l) => l.text === 'v2'), 5000, 'the new command output');
  });

  it('restarts a running service whose version changed: it is passed to the process as DEVMESH_SERVICE_VERSION', async () => {
    const pids = await startShop(shop());
    await h.supervisor.apply(shop({ apiVersion: '1.5.0' }));
    await waitFor(
      () => h.supervisor.get('api').info().pid !== pids.api && h.supervisor.get('api').current === 'healthy',
      15_000,
      'api restarted',
    );
    expect(h.supervisor.get('api').info().version).toBe('1.5.0');
    expect(h.supervisor.get('auth').info().pid).toBe(pids.auth);
  });
});
