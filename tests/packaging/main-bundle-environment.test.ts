// The bundled app (dist/electron/main.js, under the stand-in electron) launched as a desktop menu launches
// it from an AppImage: a minimal PATH, no terminal, the AppImage's variables. It reads the login shell's
// environment, so a service it starts runs the user's tools and sees their variables, agent detection finds
// `claude` on the login PATH, and nothing of the AppImage reaches the service.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WireTestClient } from '../api/wire-test-client.js';
import { scaled } from '../helpers/load-scale.js';
import { LAUNCHER_PATH, LOGIN_MARK, LoginShellHome } from '../helpers/login-shell-home.js';
import { until } from '../helpers/until.js';

const root = join(__dirname, '..', '..');
const shim = join(__dirname, 'fixtures', 'electron-shim.cjs');
const BUILT = ['dist/electron/main.js', 'dist/preload/preload.js', 'dist/renderer/index.html'];

let dir: string;
let user: LoginShellHome;
let child: ChildProcess | null = null;
let client: WireTestClient | null = null;

beforeAll(() => {
  if (!BUILT.every((f) => existsSync(join(root, f))))
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
}, scaled(120_000));

afterEach(async () => {
  await client?.close();
  client = null;
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  child = null;
  user.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('the app launched from a desktop menu (an AppImage, a minimal PATH)', () => {
  it(
    "gives services and agent detection the login shell's environment, without the AppImage's",
    async () => {
      dir = mkdtempSync(join(tmpdir(), 'devmesh-launch-'));
      user = new LoginShellHome();
      const mount = join(dir, '.mount_DevMesh');
      const devmeshHome = join(dir, 'devmesh');
      let output = '';
      child = spawn(process.execPath, ['--require', shim, 'dist/electron/main.js'], {
        cwd: root,
        env: {
          ...user.launcherEnv('/bin/bash'),
          PATH: `${mount}/usr/bin:${LAUNCHER_PATH}`,
          APPDIR: mount,
          APPIMAGE: join(dir, 'DevMesh.AppImage'),
          ARGV0: 'DevMesh.AppImage',
          OWD: dir,
          CHROME_DESKTOP: 'devmesh.desktop',
          DEVMESH_HOME: devmeshHome,
          DEVMESH_PORT: '0',
          DEVMESH_LOG_LEVEL: 'warn',
        },
        // a launcher gives no terminal
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (d) => (output += d));
      child.stderr!.on('data', (d) => (output += d));
      const recordPath = join(devmeshHome, 'daemon.json');
      await until(`the daemon record (output: ${output})`, () => existsSync(recordPath), scaled(20_000));
      const record = JSON.parse(readFileSync(recordPath, 'utf8')) as { port: number };
      client = await WireTestClient.connect(record.port, readFileSync(join(devmeshHome, 'token'), 'utf8').trim());

      const profiles = await client.call(1, 'agents.profiles');
      const claude = (
        profiles.value as Array<{ profile: { id: string }; detection: { installed: boolean; path: string | null } }>
      ).find((p) => p.profile.id === 'claude');
      expect(claude?.detection).toMatchObject({ installed: true, path: join(user.bin, 'claude') });

      const project = join(dir, 'app');
      mkdirSync(project);
      const command = 'devtool > tool.txt; env | sort > env.txt; exec sleep 60';
      writeFileSync(
        join(project, 'devmesh.yaml'),
        `project: app\nservices:\n  probe:\n    version: 1.0.0\n    command: ${JSON.stringify(command)}\n`,
      );
      const opened = await client.call(2, 'projects.open', { root: project });
      expect(opened.ok, JSON.stringify(opened)).toBe(true);
      const envFile = join(project, 'env.txt');
      await until(
        'the service to write its environment',
        () => existsSync(envFile) && readFileSync(envFile, 'utf8').includes('PATH='),
        scaled(15_000),
      );
      expect(readFileSync(join(project, 'tool.txt'), 'utf8')).toBe('devtool ran\n');
      const env = readFileSync(envFile, 'utf8').split('\n');
      expect(env).toContain(`LOGIN_MARK=${LOGIN_MARK}`);
      for (const name of [
        'APPDIR',
        'APPIMAGE',
        'ARGV0',
        'OWD',
        'CHROME_DESKTOP',
        'ELECTRON_RUN_AS_NODE',
        'DEVMESH_RESOLVING_ENVIRONMENT',
      ]) {
        expect(env.find((l) => l.startsWith(`${name}=`))).toBeUndefined();
      }
      expect(env.find((l) => l.startsWith('PATH='))).not.toContain(mount);
    },
    scaled(60_000),
  );
});
