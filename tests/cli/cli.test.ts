// The `devmesh` command end to end: the real bin/devmesh.js, a real daemon (`up --port 0`) with a temp
// DEVMESH_HOME, a tiny project of Node HTTP services, and the processes they start.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceInfo } from '../../shared/service.js';
import { processAlive, tempDir, waitFor, writeProject } from '../api/test-project.js';
import { BIN, CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';

const tmp = tempDir('devmesh-cli-');
const projectDir = join(tmp.dir, 'tiny');
const cli = new CliHarness(join(tmp.dir, 'home'), tmp.dir);
const daemons: RunningCli[] = [];

async function startDaemon(harness: CliHarness, args: string[]): Promise<{ daemon: RunningCli; port: number }> {
  const started = await harness.up(args);
  daemons.push(started.daemon);
  return started;
}

async function services(harness: CliHarness): Promise<ServiceInfo[]> {
  return (await harness.json<{ services: ServiceInfo[] }>(['status'])).services;
}

async function waitForState(harness: CliHarness, name: string, state: string): Promise<ServiceInfo> {
  return waitFor(`${name} to be ${state}`, async () =>
    (await services(harness)).find((s) => s.name === name && s.state === state),
  );
}

beforeAll(() => {
  ensureCliBuilt();
  mkdirSync(projectDir);
  writeProject(projectDir, 'tiny', { api: { version: '1.2.3' }, worker: { version: '0.4.0', dependsOn: ['api'] } });
});

afterAll(async () => {
  await Promise.all(daemons.map((d) => d.stop('SIGTERM')));
  tmp.dispose();
});

describe('without a daemon', () => {
  it('says how to start DevMesh, with exit code 3', async () => {
    const r = await cli.run(['status']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('devmesh: DevMesh is not running: start it with `npx devmesh up`');
  });

  it('exits 2 on usage errors and 0 on help', async () => {
    expect((await cli.run(['stauts'])).stderr).toContain("did you mean 'status'?");
    expect((await cli.run(['stauts'])).code).toBe(2);
    expect((await cli.run(['logs'])).code).toBe(2);
    expect((await cli.run(['status', '--bogus'])).code).toBe(2);
    expect((await cli.run(['logs', 'api', '-n', 'lots'])).code).toBe(2);
    const help = await cli.run(['help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^\s+up\s/m);
    const startHelp = await cli.run(['start', '--help']);
    expect(startHelp.code).toBe(0);
    expect(startHelp.stdout).toContain('--no-wait');
  });

  it('refuses a broken devmesh.yaml at `up` with its file:line error and exit code 1', async () => {
    const bad = join(tmp.dir, 'bad');
    mkdirSync(bad);
    writeFileSync(
      join(bad, 'devmesh.yaml'),
      'project: bad\nservices:\n  api:\n    version: 1.0.0\n    comand: node api.js\n',
    );
    const r = await cli.run(['up', '--project', bad, '--port', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/devmesh\.yaml:5: .*comand/);
    expect(existsSync(join(cli.home, 'daemon.json'))).toBe(false);
  });

  it('refuses a busy port at `up`, naming it and --port, before starting any service', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const r = await cli.run(['up', '--project', projectDir, '--port', String(port)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`port ${port}`);
      expect(r.stderr).toContain('--port N');
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});

describe('with a daemon', () => {
  let daemon: RunningCli;

  beforeAll(async () => {
    ({ daemon } = await startDaemon(cli, ['--project', projectDir]));
    expect(daemon.stdout).toMatch(/DevMesh is up: http:\/\/127\.0\.0\.1:\d+\/ {2}\(project tiny: 2 services\)/);
    await waitForState(cli, 'worker', 'healthy');
  });

  it('shows the status table and JSON', async () => {
    const r = await cli.run(['status']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const header = lines.find((l) => l.startsWith('SERVICE'))!;
    expect(header.split(/\s+/)).toEqual(['SERVICE', 'VERSION', 'STATE', 'PORT', 'PID', 'UPTIME', 'RESTARTS']);
    expect(lines.find((l) => l.startsWith('api '))).toMatch(/^api\s+1\.2\.3\s+healthy\s+\d+\s+\d+\s+\d+(s|m\d+s)\s+0$/);
    const list = await services(cli);
    expect(list.map((s) => [s.name, s.state])).toEqual([
      ['api', 'healthy'],
      ['worker', 'healthy'],
    ]);
  });

  it('stops and starts services', async () => {
    const stop = await cli.run(['stop', 'worker']);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toMatch(/^worker: stopped/);
    expect((await services(cli)).find((s) => s.name === 'worker')!.state).toBe('stopped');
    expect((await cli.run(['status'])).stdout).toMatch(/^worker\s+0\.4\.0\s+stopped\s+\S+\s+-\s+-\s+0$/m);

    const start = await cli.run(['start', 'worker']);
    expect(start.code).toBe(0);
    expect(start.stdout).toMatch(/^worker: healthy \(port \d+, pid \d+\)/);
    expect((await services(cli)).find((s) => s.name === 'worker')!.state).toBe('healthy');

    const missing = await cli.run(['start', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no service 'nope'");
  });

  it("prints a service's log lines, stderr marked", async () => {
    const r = await cli.run(['logs', 'api', '-n', '50']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d\d:\d\d:\d\d\.\d{3} api \| hello from api on \d+$/m);
    expect(r.stdout).toMatch(/^\d\d:\d\d:\d\d\.\d{3} api ! api warning on stderr$/m);
    const json = await cli.run(['logs', 'api', '--json', '--search', 'HELLO']);
    const lines = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { text: string; service: string });
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l.text.toLowerCase()).toContain('hello');
  });

  it('follows logs live with -f until Ctrl-C', async () => {
    // The newest past line shows once the follower is subscribed (history comes after the subscription).
    const follow = cli.spawn(['logs', 'worker', '-f', '-n', '1']);
    await follow.waitForOutput(/ worker [|!*] /);
    const seen = follow.stdout.length;
    expect((await cli.run(['restart', 'worker'])).code).toBe(0);
    await waitFor('the new process to be followed', () =>
      /worker \| hello from worker/.test(follow.stdout.slice(seen)),
    );
    expect(follow.stdout.slice(seen)).toMatch(/worker \* stopping/);
    expect(await follow.stop('SIGINT')).toBe(0);
  });

  it('runs a service in the foreground and stops it on Ctrl-C', async () => {
    expect((await cli.run(['stop', 'worker'])).code).toBe(0);
    const run = cli.spawn(['run', 'worker']);
    await run.waitForOutput(/worker \| hello from worker/);
    await run.waitForOutput(/worker \* healthy/);
    expect((await services(cli)).find((s) => s.name === 'worker')!.state).toBe('healthy');
    expect(await run.stop('SIGINT')).toBe(0);
    expect((await services(cli)).find((s) => s.name === 'worker')!.state).toBe('stopped');
    expect((await cli.run(['start', 'worker'])).code).toBe(0);
  });

  it('lists projects, tells versions, and opens into the running daemon on a second `up`', async () => {
    const projects = await cli.json<{ id: string; services: string[] }[]>(['projects']);
    expect(projects).toMatchObject([{ id: 'tiny', services: ['api', 'worker'] }]);
    const version = await cli.json<{ cli: string; daemon: { pid: number } }>(['version']);
    expect(version.daemon.pid).toBe(daemon.child.pid);
    const again = await cli.run(['up', '--project', projectDir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('DevMesh is already running');
  });

  it('`down` stops the daemon and its services', async () => {
    const pids = (await services(cli)).map((s) => s.pid).filter((p): p is number => p !== null);
    expect(pids.length).toBe(2);
    const down = await cli.run(['down']);
    expect(down.code).toBe(0);
    expect(down.stdout).toContain('DevMesh stopped');
    expect(await daemon.exited).toBe(0);
    for (const pid of pids) expect(processAlive(pid), `service pid ${pid}`).toBe(false);
    expect(existsSync(join(cli.home, 'daemon.json'))).toBe(false);
    expect((await cli.run(['status'])).code).toBe(3);
  });
});

describe('a daemon that is stopped or dies', () => {
  it('on SIGTERM stops its services, clears daemon.json and exits 0', async () => {
    const harness = new CliHarness(join(tmp.dir, 'home-term'), tmp.dir);
    const { daemon } = await startDaemon(harness, ['--project', projectDir]);
    await waitForState(harness, 'worker', 'healthy');
    const pids = (await services(harness)).map((s) => s.pid).filter((p): p is number => p !== null);
    expect(await daemon.stop('SIGTERM')).toBe(0);
    expect(daemon.stdout).toContain('DevMesh stopped (SIGTERM)');
    for (const pid of pids) expect(processAlive(pid), `service pid ${pid}`).toBe(false);
    expect(existsSync(join(harness.home, 'daemon.json'))).toBe(false);
  });

  it('killed with SIGKILL, leaves no service process behind', async () => {
    const harness = new CliHarness(join(tmp.dir, 'home-kill'), tmp.dir);
    const { daemon } = await startDaemon(harness, ['--project', projectDir]);
    await waitForState(harness, 'worker', 'healthy');
    const pids = (await services(harness)).map((s) => s.pid).filter((p): p is number => p !== null);
    expect(pids.length).toBe(2);
    daemon.child.kill('SIGKILL');
    await daemon.exited;
    await waitFor(
      'the services of the killed daemon to be gone',
      () => pids.every((pid) => !processAlive(pid)),
      10_000,
    );
    expect((await harness.run(['status'])).code).toBe(3);
  });
});

describe('detached', () => {
  it('`up --detach` returns once DevMesh answers; `down` stops it', async () => {
    const harness = new CliHarness(join(tmp.dir, 'home-detach'), tmp.dir);
    const up = await harness.run(['up', '--detach', '--port', '0', '--project', projectDir]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/DevMesh is up: http:\/\/127\.0\.0\.1:\d+\//);
    const list = await services(harness);
    expect(list.map((s) => s.name)).toEqual(['api', 'worker']);
    const down = await harness.run(['down']);
    expect(down.code).toBe(0);
    expect((await harness.run(['status'])).code).toBe(3);
  });
});

describe('bin/devmesh.js', () => {
  it("keeps V8's code cache in the DevMesh home (0700), and creates no home of its own", () => {
    const run = (home: string) => {
      const env: NodeJS.ProcessEnv = { ...process.env, DEVMESH_HOME: home };
      delete env.NODE_COMPILE_CACHE;
      return spawnSync(process.execPath, [BIN, 'version'], { env, encoding: 'utf8' });
    };
    const missing = join(tmp.dir, 'no-home-yet');
    expect(run(missing).status).toBe(0);
    expect(existsSync(missing)).toBe(false);
    const home = join(tmp.dir, 'home-cache');
    mkdirSync(home, { mode: 0o700 });
    for (let i = 0; i < 2; i++) expect(run(home).stdout).toMatch(/^devmesh \d+\.\d+\.\d+ /);
    const versions = readdirSync(join(home, 'compile-cache'));
    expect(versions).toHaveLength(1);
    expect(readdirSync(join(home, 'compile-cache', versions[0]!)).length).toBeGreaterThan(0);
    // private like the rest of the home, whatever the umask
    expect(statSync(join(home, 'compile-cache', versions[0]!)).mode & 0o777).toBe(0o700);
  });

  it("runs under the machine's Node, re-executing with Node 22 when it is older", async () => {
    const systemNode = ['/usr/bin/node', '/usr/local/bin/node'].find((p) => existsSync(p)) ?? process.execPath;
    const r = await cli.run(['version'], { node: systemNode });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^devmesh \d+\.\d+\.\d+ \(node v(2[2-9]|[3-9]\d)\./);
  });
});
