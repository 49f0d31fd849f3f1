// Runs the bundled composition root (dist/electron/main.js, as packaged) under plain Node with a stand-in
// for the electron module (fixtures/electron-shim.cjs), since the Electron binary cannot run here. Proves
// the wiring a unit test cannot: the real core, API and ApiServer start, the daemon record names the app,
// the window and tray get files that exist, SIGTERM shuts down cleanly, and a taken port is refused.
import { spawn, type ChildProcess, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { scaled } from '../helpers/load-scale.js';
import { CONTENT_SECURITY_POLICY } from '../../shared/content-security-policy.js';

const root = join(__dirname, '..', '..');
const shim = join(__dirname, 'fixtures', 'electron-shim.cjs');
const BUILT = ['dist/electron/main.js', 'dist/preload/preload.js', 'dist/renderer/index.html'];

let home: string;
let child: ChildProcess | null = null;
let output = '';
let blocker: Server | null = null;

beforeAll(() => {
  // A full build empties dist/ (which other test files use): build only when it is missing.
  if (!BUILT.every((f) => existsSync(join(root, f))))
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
}, scaled(120_000));

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
  }
  child = null;
  await new Promise<void>((r) => (blocker ? blocker.close(() => r()) : r()));
  blocker = null;
  rmSync(home, { recursive: true, force: true });
});

function launch(port: number): Promise<number | null> {
  home = mkdtempSync(join(tmpdir(), 'devmesh-main-'));
  output = '';
  child = spawn(process.execPath, ['--require', shim, 'dist/electron/main.js'], {
    cwd: root,
    env: { ...process.env, DEVMESH_HOME: home, DEVMESH_PORT: String(port), DEVMESH_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return new Promise((resolve) => child!.once('exit', (code) => resolve(code)));
}

async function until<T>(what: string, check: () => T | null | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const readRecord = () => {
  try {
    return JSON.parse(readFileSync(join(home, 'daemon.json'), 'utf8'));
  } catch {
    return null;
  }
};

describe('dist/electron/main.js (the composition root, under a stand-in electron)', () => {
  it('starts the core and the API, opens a hardened window and the tray, and shuts down cleanly on SIGTERM', async () => {
    const exited = launch(0);
    const record = await until('the daemon record', readRecord);
    expect(record).toMatchObject({ face: 'electron', pid: child!.pid });
    const health = await fetch(new URL('/healthz', record.url));
    expect(health.status).toBe(200);

    await until('the tray menu', () => output.includes('shim: tray menu:'));
    // the app's own menu: Edit (copy and paste on macOS); the shim is not packaged, so no DevTools check here
    expect(output).toMatch(/shim: app menu: .*Edit/);
    // A native binary that fails to load must fail where a dialog can explain it: after Electron's ready.
    const lines = output.split('\n');
    const ready = lines.indexOf('shim: ready');
    const loads = lines.flatMap((l, i) => (l.startsWith('shim: dlopen ') ? [[i, l] as const] : []));
    expect(loads.map(([, l]) => l)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/better_sqlite3|linux-x64\.node$/),
        expect.stringMatching(/pty\.node$/),
      ]),
    );
    for (const [i, line] of loads) expect(i, `${line} after ready`).toBeGreaterThan(ready);
    expect(ready).toBeGreaterThan(-1);
    expect(output).toContain('shim: enableSandbox');
    const preload = /window sandbox=true contextIsolation=true preload=(\S+)/.exec(output)?.[1];
    const tray = /shim: tray (\S+)/.exec(output)?.[1];
    for (const file of [preload, tray]) expect(file && existsSync(file), `${file} exists`).toBe(true);
    // the page comes from app://, served from the built renderer with the one CSP, its module script as JavaScript
    expect(output).toMatch(/shim: privileged schemes app\(standard,secure,supportFetchAPI/);
    expect(output).toContain('shim: loadURL app://devmesh/index.html');
    await until('the page', () => output.includes('shim: script '));
    expect(output).toContain(`shim: page 200 text/html; charset=utf-8 csp=${CONTENT_SECURITY_POLICY}\n`);
    // (vite names chunks with a base64url hash: letters, digits, "-" and "_")
    expect(output).toMatch(/shim: script \/assets\/index-[\w-]+\.js 200 text\/javascript; charset=utf-8/);
    expect(output).not.toContain('loadFile');
    expect(output).toMatch(
      /tray menu: No project open \| Open DevMesh \| Open Project… \| Start all \| Stop all \| Start at login \| Quit DevMesh/,
    );

    child!.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('shim: tray destroyed');
    expect(readRecord()).toBeNull();
  });

  it('refuses to start when the API port is taken, saying another DevMesh runs, and exits 1', async () => {
    blocker = createServer();
    await new Promise<void>((r) => blocker!.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const code = await launch(port);
    expect(code).toBe(1);
    expect(output).toMatch(/error box: DevMesh is already running: .*devmesh down/);
    expect(output).not.toContain('shim: tray ');
    expect(readRecord()).toBeNull();
  });
});
