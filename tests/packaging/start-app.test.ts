// `npm start` where the desktop app cannot open (no Electron binary, as on this machine; or no display): it
// builds if needed, then runs the headless daemon on the demo project (or the devmesh.yaml of the folder
// npm ran in) and prints the UI's address, which serves the UI. SIGTERM stops it and its services.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeProject } from '../api/test-project.js';
import { until } from '../helpers/until.js';
import { scaled } from '../helpers/load-scale.js';

const root = join(__dirname, '..', '..');
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function temp(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/** `npm start -- --port 0` as npm runs it: cwd the package root, INIT_CWD the user's folder */
function start(env: Record<string, string>, initCwd: string) {
  const child = spawn(process.execPath, ['scripts/start-app.mjs', '--port', '0'], {
    cwd: root,
    env: { ...process.env, DEVMESH_HOME: temp('devmesh-start-home-'), INIT_CWD: initCwd, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const out = { text: '' };
  child.stdout!.on('data', (d: Buffer) => (out.text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out.text += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, out, exited };
}

async function uiAt(out: { text: string }): Promise<string> {
  const url = await until(
    'the UI address',
    () => /DevMesh is up: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out.text)?.[1],
    120_000,
  ).catch(() => {
    throw new Error(`npm start printed no address:\n${out.text}`);
  });
  const page = await fetch(url);
  expect(page.status).toBe(200);
  expect(await page.text()).toMatch(/<html/i);
  return url;
}

describe('npm start where the desktop app cannot open', () => {
  it(
    'runs the headless daemon on the demo project without the Electron binary, and prints the UI address',
    async () => {
      const noElectron = temp('devmesh-no-electron-');
      const run = start({ ELECTRON_OVERRIDE_DIST_PATH: noElectron }, temp('devmesh-elsewhere-'));
      await uiAt(run.out);
      expect(run.out.text).toMatch(
        /the Electron binary is not installed.*running DevMesh headless with .*examples\/shop/,
      );
      expect(run.out.text).toMatch(/project shop: 3 services/);
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      expect(run.out.text).toContain('DevMesh stopped');
    },
    scaled(180_000),
  );

  it(
    "runs headless on the current folder's devmesh.yaml when there is an Electron binary but no display",
    async () => {
      // an Electron binary that must not be started: it would fail the test by printing this
      const fake = temp('devmesh-fake-electron-');
      writeFileSync(join(fake, 'electron'), '#!/bin/sh\necho "ELECTRON WAS STARTED"\nexit 3\n');
      chmodSync(join(fake, 'electron'), 0o755);
      const project = temp('devmesh-start-project-');
      mkdirSync(join(project, 'app'));
      writeProject(join(project, 'app'), 'mine', { api: {} });
      const env: Record<string, string> = { ELECTRON_OVERRIDE_DIST_PATH: fake, DISPLAY: '', WAYLAND_DISPLAY: '' };
      const run = start(env, join(project, 'app'));
      await uiAt(run.out);
      expect(run.out.text).toMatch(/there is no display.*running DevMesh headless with .*app/);
      expect(run.out.text).toMatch(/project mine: 1 service/);
      expect(run.out.text).not.toContain('ELECTRON WAS STARTED');
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
    },
    scaled(180_000),
  );
});
