// The one base environment, through the real core: what the login shell resolved reaches services (real
// processes started by the supervisor), terminals (node-pty, an agent's CLI found on the login PATH) and
// agent CLI detection; the packaging's variables reach none of them, in the headless daemon too; and a
// login shell that could not be read is a problem the user sees in the daemon's health.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DevMeshCore } from '../../../main/core/devmesh-core.js';
import * as loginShellEnv from '../../../main/core/environment/login-shell-env.js';
import type { ShellEnvResolution } from '../../../main/core/environment/login-shell-env.js';
import { DevMeshHome } from '../../../main/core/home/devmesh-home.js';
import { RecordingViewer } from '../terminals/terminal-harness.js';
import { processAlive, tempDir } from '../../api/test-project.js';
import { LAUNCHER_PATH, LOGIN_MARK, LoginShellHome } from '../../helpers/login-shell-home.js';
import { scaled } from '../../helpers/load-scale.js';
import { sleep, until } from '../../helpers/until.js';

let tmp: { dir: string; dispose: () => void };
let user: LoginShellHome;
let core: DevMeshCore | null = null;
const saved = { ...process.env };

beforeEach(() => {
  tmp = tempDir('devmesh-env-');
  user = new LoginShellHome();
});
afterEach(async () => {
  await core?.dispose();
  core = null;
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
  user.dispose();
  tmp.dispose();
});

async function openCore(environment?: ShellEnvResolution): Promise<DevMeshCore> {
  const home = new DevMeshHome(join(tmp.dir, 'devmesh'));
  core = await DevMeshCore.open({
    home,
    version: '0.0.0-test',
    logger: pino({ level: 'silent' }),
    ...(environment ? { environment } : {}),
  });
  return core;
}

/** A project whose one service runs `command` (then idles), started and followed in its log. */
async function runService(c: DevMeshCore, command: string): Promise<() => string[]> {
  const root = join(tmp.dir, 'app');
  mkdirSync(root, { recursive: true });
  const yaml = [
    'project: app',
    'services:',
    '  probe:',
    '    version: 1.0.0',
    `    command: ${JSON.stringify(`${command}; exec sleep 60`)}`,
  ];
  writeFileSync(join(root, 'devmesh.yaml'), `${yaml.join('\n')}\n`);
  await c.projects.open(root);
  return () => c.logs.tail('app', 'probe').map((l) => l.text);
}

async function resolved(): Promise<ShellEnvResolution> {
  const r = await loginShellEnv.resolve({
    env: user.launcherEnv('/bin/bash'),
    platform: 'linux',
    timeoutMs: scaled(10_000),
  });
  expect(r.outcome.kind).toBe('resolved');
  return r;
}

describe("the core's children start from the one base environment", () => {
  it(
    "a service finds the login shell's tools and variables",
    async () => {
      const c = await openCore(await resolved());
      const lines = await runService(c, 'devtool; echo "mark=$LOGIN_MARK"');
      await until(
        'the service to run devtool and print the mark',
        () => lines().includes(`mark=${LOGIN_MARK}`),
        scaled(10_000),
      );
      expect(lines()).toContain('devtool ran');
    },
    scaled(30_000),
  );

  it(
    "the packaging's variables and PATH prefix do not reach a service of the headless daemon",
    async () => {
      const mount = join(tmp.dir, '.mount_DevMesh');
      Object.assign(process.env, {
        APPDIR: mount,
        APPIMAGE: '/opt/DevMesh.AppImage',
        ARGV0: 'DevMesh.AppImage',
        OWD: '/home/ada',
        CHROME_DESKTOP: 'devmesh.desktop',
        PATH: `${mount}/usr/bin:${process.env.PATH}`,
        LD_LIBRARY_PATH: `${mount}/usr/lib`,
      });
      // the AppImage's own libraries, which the system's programs cannot load (here a libc that is not one)
      mkdirSync(join(mount, 'usr', 'lib'), { recursive: true });
      writeFileSync(join(mount, 'usr', 'lib', 'libc.so.6'), '');
      const c = await openCore();
      // the reaper (a system sh) runs: services and terminals cannot outlive a killed DevMesh
      await sleep(scaled(300));
      expect(c.reaper.pid && processAlive(c.reaper.pid)).toBeTruthy();
      const lines = await runService(c, 'env | sort');
      await until(
        'the service to print its environment',
        () => lines().some((l) => l.startsWith('PATH=')),
        scaled(10_000),
      );
      const env = lines();
      for (const name of ['APPDIR', 'APPIMAGE', 'ARGV0', 'OWD', 'CHROME_DESKTOP', 'LD_LIBRARY_PATH']) {
        expect(env.find((l) => l.startsWith(`${name}=`))).toBeUndefined();
      }
      expect(env.find((l) => l.startsWith('PATH='))).not.toContain(mount);
    },
    scaled(30_000),
  );

  it(
    "a terminal and an agent's CLI find the login shell's tools; detection says claude is installed",
    async () => {
      const c = await openCore(await resolved());
      expect(c.agents.detector.which('claude')).toBe(join(user.bin, 'claude'));
      const agent = c.terminals.create({
        command: 'claude',
        args: [],
        env: {},
        cols: 80,
        rows: 24,
        record: false,
        cwd: tmp.dir,
      });
      const viewer = new RecordingViewer().attach(c.terminals, agent.id);
      await viewer.until(/9\.9\.9 \(Claude Code\)/, scaled(10_000));
    },
    scaled(30_000),
  );

  it(
    "a login shell that hangs is a problem in the daemon's health, saying which files and how to fix",
    async () => {
      user.write('.bash_profile', 'sleep 60');
      const r = await loginShellEnv.resolve({ env: user.launcherEnv('/bin/bash'), platform: 'linux', timeoutMs: 1000 });
      const c = await openCore(r);
      const problem = c.health.snapshot().problems.find((p) => p.component === 'shell environment');
      expect(problem).toMatchObject({ code: 'ENVIRONMENT' });
      expect(problem!.message).toContain('did not finish within 1 s');
      expect(problem!.message).toContain('~/.bash_profile');
      expect(problem!.message).toContain(LAUNCHER_PATH);
      expect(problem!.message).toMatch(/restart DevMesh/);
    },
    scaled(30_000),
  );
});
