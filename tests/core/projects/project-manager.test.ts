// Projects through the real composition root: open a folder, autostart, resolve by id or path, reload
// on file change (only changed services restart), keep running on an invalid edit, close stops all.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { DevMeshEvent } from '../../../shared/events.js';
import { DevMeshCore } from '../../../main/core/devmesh-core.js';
import { DevMeshHome } from '../../../main/core/home/devmesh-home.js';
import { nodeScript, pidAlive, waitFor } from '../../helpers/supervisor-harness.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(yaml: (server: string) => string, env?: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'devmesh-proj-'));
  const server = nodeScript(
    dir,
    `require('http').createServer((q, r) => r.end(process.env.DEVMESH_SERVICE + ' ' + (process.env.GREETING || ''))).listen(Number(process.env.PORT), '127.0.0.1')`,
  );
  writeFileSync(join(dir, 'devmesh.yaml'), yaml(server));
  const core = await DevMeshCore.open({
    home: new DevMeshHome(join(dir, 'home')),
    version: '0.0.0-test',
    logger: pino({ level: 'silent' }),
    ...(env ? { environment: { env, outcome: { kind: 'skipped' as const, reason: 'a test environment' } } } : {}),
  });
  const events: DevMeshEvent[] = [];
  core.events.onDidEmitEvent((e) => events.push(e));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => core.dispose());
  return { dir, core, events, server };
}

const twoServices = (server: string, greeting = 'hi') => `project: demo
services:
  a:
    version: 1.0.0
    command: ${JSON.stringify(server)}
    env: { GREETING: ${greeting} }
    health: { http: /, interval: 200ms }
  b:
    version: 1.0.0
    command: ${JSON.stringify(server)}
    health: { tcp: true, interval: 200ms }
    depends_on: [a]
`;

describe('ProjectManager', () => {
  it('opens a folder, autostarts its services, and resolves it by id or by a path inside it', async () => {
    const { dir, core } = await setup((s) => twoServices(s));
    const info = await core.projects.open(dir);
    expect(info).toMatchObject({ id: 'demo', root: dir, services: ['a', 'b'], configError: null });
    const sup = core.projects.resolve().supervisor;
    await waitFor(() => sup.list().every((s) => s.state === 'healthy'), 15_000, 'autostart');
    expect(core.projects.resolve('demo')).toBe(core.projects.resolve(join(dir, 'sub', 'folder')));
    expect(() => core.projects.resolve('nope')).toThrow(/no open project named 'nope'; open: demo/);
    // Opening it again is a no-op, not a second copy.
    expect((await core.projects.open(dir)).id).toBe('demo');
    expect(core.projects.list()).toHaveLength(1);
  });

  it('reloads on file change: only the changed service restarts; an invalid edit keeps the last config running', async () => {
    const { dir, core, events, server } = await setup((s) => twoServices(s));
    await core.projects.open(dir);
    const sup = core.projects.resolve().supervisor;
    await waitFor(() => sup.list().every((s) => s.state === 'healthy'), 15_000, 'autostart');
    const pidA = sup.get('a').info().pid!;
    const pidB = sup.get('b').info().pid!;

    writeFileSync(join(dir, 'devmesh.yaml'), twoServices(server, 'hello'));
    await waitFor(() => events.some((e) => e.type === 'project.reloaded'), 10_000, 'the reload');
    await waitFor(
      () => sup.get('a').info().state === 'healthy' && sup.get('a').info().pid !== pidA,
      10_000,
      'a to restart',
    );
    expect(sup.get('b').info().pid).toBe(pidB);
    expect(events.find((e) => e.type === 'project.reloaded')).toMatchObject({ changed: ['a'], added: [], removed: [] });
    const res = await fetch(`http://127.0.0.1:${sup.get('a').info().port}/`);
    expect(await res.text()).toBe('a hello');

    writeFileSync(join(dir, 'devmesh.yaml'), twoServices(server, 'hello').replace('version: 1.0.0', 'version: one'));
    await waitFor(() => events.some((e) => e.type === 'project.config-error'), 10_000, 'the config error');
    const error = events.find((e) => e.type === 'project.config-error');
    expect(error && 'message' in error && error.message).toMatch(/devmesh\.yaml:4: services\.a\.version/);
    expect(core.projects.list()[0]!.configError).toMatch(/services\.a\.version/);
    expect(sup.list().map((s) => s.state)).toEqual(['healthy', 'healthy']);
    expect(pidAlive(sup.get('a').info().pid!)).toBe(true);
  });

  it('knows the project by its repository once open: the identity is in the info and the opened event', async () => {
    const { dir, core, events } = await setup((s) => twoServices(s));
    const gitEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_')));
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir, env: gitEnv });
    git('init', '-q');
    git('add', 'devmesh.yaml');
    git('commit', '-q', '-m', 'first');
    const root = String(git('rev-list', '--max-parents=0', 'HEAD')).trim();
    await core.projects.open(dir);
    // Usually in the open's answer; on a loaded machine git may miss the budget and follow in an event.
    await waitFor(() => core.projects.list()[0]!.identity !== undefined, 15_000, 'identity');
    const identity = core.projects.list()[0]!.identity;
    expect(identity).toMatchObject({ rootCommit: root, subPath: '', localOnly: false });
    const told = events.filter((e) => e.type === 'project.opened' || e.type === 'project.identified');
    expect(told.map((e) => ('project' in e ? e.project.identity?.key : null))).toContain(identity!.key);
  });

  it('does not hold the open while git walks a long history: the identity follows in an event', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'devmesh-slowgit-'));
    cleanups.push(() => rmSync(bin, { recursive: true, force: true }));
    const realGit = execFileSync('sh', ['-c', 'command -v git']).toString().trim();
    writeFileSync(join(bin, 'git'), `#!/bin/sh\nsleep 4\nexec ${realGit} "$@"\n`, { mode: 0o755 });
    const own = Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined);
    const env = { ...Object.fromEntries(own), PATH: `${bin}:${process.env.PATH ?? ''}` };
    const { dir, core, events } = await setup((s) => twoServices(s), env);
    const gitEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_')));
    execFileSync(realGit, ['init', '-q'], { cwd: dir, env: gitEnv });
    execFileSync(realGit, ['add', 'devmesh.yaml'], { cwd: dir, env: gitEnv });
    execFileSync(realGit, ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'first'], {
      cwd: dir,
      env: gitEnv,
    });
    const info = await core.projects.open(dir);
    expect(info.identity).toBeUndefined();
    await waitFor(() => events.some((e) => e.type === 'project.identified'), 30_000, 'project.identified');
    const identified = events.find((e) => e.type === 'project.identified');
    expect(identified && 'project' in identified && identified.project.identity?.localOnly).toBe(false);
    expect(core.projects.list()[0]!.identity?.key).toMatch(/^[0-9a-f]{16}$/);
  });

  it('refuses a broken devmesh.yaml at open with file, line and field', async () => {
    const { dir, core } = await setup(() => 'services:\n  api:\n    version: 1.0.0\n    command: x\n    port: 80a\n');
    await expect(core.projects.open(dir)).rejects.toThrow(/devmesh\.yaml:5: services\.api\.port/);
    expect(core.projects.list()).toEqual([]);
  });

  it('close stops every service of the project', async () => {
    const { dir, core } = await setup((s) => twoServices(s));
    await core.projects.open(dir);
    const sup = core.projects.resolve().supervisor;
    await waitFor(() => sup.list().every((s) => s.state === 'healthy'), 15_000, 'autostart');
    const pids = sup.list().map((s) => s.pid!);
    expect(await core.projects.close('demo')).toBe('demo');
    expect(pids.some(pidAlive)).toBe(false);
    expect(() => core.projects.resolve()).toThrow(/no project is open/);
  });
});
