// Tray detection against a real, private D-Bus session bus (dbus-daemon): no StatusNotifierWatcher on it is
// vanilla GNOME (no tray), a watcher with a host is KDE or GNOME with the AppIndicator extension (a tray),
// a watcher without a host is what Chromium also gives up on. The watcher is python3-dbus, a separate
// implementation of the bus protocol; the detection asks through dbus-send and gdbus as the app does.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectTrayPresence, runCommand, type RunCommand } from '../../main/electron/tray-presence.js';
import { scaled } from '../helpers/load-scale.js';

const PYTHON = '/usr/bin/python3';
const WATCHER = join(__dirname, 'fixtures', 'sni-watcher.py');

function missingTools(): string | null {
  for (const tool of ['dbus-daemon', 'dbus-send', 'gdbus']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `needs ${tool} (Debian dbus, libglib2.0-bin)`;
  }
  const py = spawnSync(PYTHON, ['-c', 'import dbus, dbus.mainloop.glib; from gi.repository import GLib']);
  return py.status === 0 ? null : 'needs python3-dbus and python3-gi';
}
const skip = missingTools();

let dir: string;
let daemon: ChildProcess | null = null;
let env: NodeJS.ProcessEnv;

/** First line a child prints (the bus address, "ready"), or rejects when it exits first. */
function firstLine(child: ChildProcess, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    lines.once('line', (line) => resolve(line.trim()));
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}) before it was ready: ${stderr}`)));
  });
}

async function withWatcher<T>(mode: 'host' | 'no-host', fn: () => Promise<T>): Promise<T> {
  const watcher = spawn(PYTHON, [WATCHER, mode], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    expect(await firstLine(watcher, 'the StatusNotifierWatcher')).toBe('ready');
    return await fn();
  } finally {
    const exited = new Promise((r) => watcher.once('exit', r));
    watcher.kill('SIGTERM');
    await exited;
  }
}

describe.skipIf(skip)('tray presence on Linux, asked of a private session bus', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'devmesh-tray-bus-'));
    daemon = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1', `--address=unix:path=${join(dir, 'bus')}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const address = await firstLine(daemon, 'dbus-daemon');
    // Nothing of the machine's own session may leak in: only the private bus, no X display.
    env = { PATH: process.env.PATH, DBUS_SESSION_BUS_ADDRESS: address, HOME: dir };
  }, scaled(20_000));

  afterAll(async () => {
    if (daemon && daemon.exitCode === null) {
      const exited = new Promise((r) => daemon!.once('exit', r));
      daemon.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('no StatusNotifierWatcher on the bus (vanilla GNOME): no tray', async () => {
    const presence = await detectTrayPresence({ platform: 'linux', env });
    expect(presence).toEqual({ available: false, reason: 'no org.kde.StatusNotifierWatcher on the session bus' });
  }, scaled(20_000));

  it('a watcher with a tray host registered (KDE, GNOME + AppIndicator): a tray', async () => {
    await withWatcher('host', async () => {
      const presence = await detectTrayPresence({ platform: 'linux', env });
      expect(presence.available).toBe(true);
      expect(presence.reason).toContain('host registered');
    });
    // and it is gone again once the watcher leaves the bus
    expect((await detectTrayPresence({ platform: 'linux', env })).available).toBe(false);
  }, scaled(30_000));

  it('a watcher without a host (the panel restarting): no tray, as Chromium decides', async () => {
    await withWatcher('no-host', async () => {
      const presence = await detectTrayPresence({ platform: 'linux', env });
      expect(presence).toEqual({ available: false, reason: 'org.kde.StatusNotifierWatcher has no host registered (answered)' });
    });
  }, scaled(30_000));

  it('asks through gdbus where dbus-send is not installed', async () => {
    const noDbusSend: RunCommand = (file, args, e, t) =>
      file === 'dbus-send' ? Promise.resolve({ code: null, stdout: '', stderr: '', missing: true }) : runCommand(file, args, e, t);
    expect((await detectTrayPresence({ platform: 'linux', env, run: noDbusSend })).available).toBe(false);
    await withWatcher('host', async () => {
      expect((await detectTrayPresence({ platform: 'linux', env, run: noDbusSend })).available).toBe(true);
    });
  }, scaled(30_000));

  it('a session bus that cannot be reached counts as no tray, saying why', async () => {
    const gone = { ...env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(dir, 'no-such-bus')}` };
    const presence = await detectTrayPresence({ platform: 'linux', env: gone });
    expect(presence.available).toBe(false);
    expect(presence.reason).toMatch(/^could not ask the session bus \(.+\)$/);
  }, scaled(20_000));
});

describe('tray presence elsewhere', () => {
  it('macOS and Windows always have a tray, without asking anything', async () => {
    const run: RunCommand = () => {
      throw new Error('nothing may be run');
    };
    expect(await detectTrayPresence({ platform: 'darwin', run })).toMatchObject({ available: true });
    expect(await detectTrayPresence({ platform: 'win32', run })).toMatchObject({ available: true });
  });

  it('neither dbus-send nor gdbus installed: no tray, saying why', async () => {
    const none: RunCommand = async () => ({ code: null, stdout: '', stderr: '', missing: true });
    expect(await detectTrayPresence({ platform: 'linux', env: {}, run: none })).toEqual({
      available: false,
      reason: 'could not ask the session bus (neither dbus-send nor gdbus is installed)',
    });
  });
});
