// Tray detection against a real, private D-Bus session bus (dbus-daemon): no StatusNotifierWatcher on it is
// vanilla GNOME (no tray), a watcher with a host is KDE or GNOME with the AppIndicator extension (a tray),
// a watcher without a host is what Chromium also gives up on. The watcher is python3-dbus, a separate
// implementation of the bus protocol; the detection asks through dbus-send and gdbus as the app does.
// Where no watcher exists, an X11 display (Xvfb, with a cookie written by xauth) is asked whether an XEmbed
// system tray runs: trayer, a real one, owns _NET_SYSTEM_TRAY_S0 once started.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectTrayPresence, runCommand, type RunCommand } from '../../main/electron/tray-presence.js';
import { findCookie, parseDisplay, xembedTrayOwned } from '../../main/electron/xembed-tray.js';
import { scaled } from '../helpers/load-scale.js';
import { sleep, until } from '../helpers/until.js';

const PYTHON = '/usr/bin/python3';
const WATCHER = join(__dirname, 'fixtures', 'sni-watcher.py');

function missingTools(): string | null {
  for (const tool of ['dbus-daemon', 'dbus-send', 'gdbus']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0)
      return `needs ${tool} (Debian dbus, libglib2.0-bin)`;
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

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
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

// One private bus for the file: the X11 tests below ask it too (no watcher on it there).
beforeAll(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'devmesh-tray-bus-'));
  daemon = spawn(
    'dbus-daemon',
    ['--session', '--nofork', '--print-address=1', `--address=unix:path=${join(dir, 'bus')}`],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const address = await firstLine(daemon, 'dbus-daemon');
  // Nothing of the machine's own session may leak in: only the private bus, no X display.
  env = { PATH: process.env.PATH, DBUS_SESSION_BUS_ADDRESS: address, HOME: dir };
}, scaled(20_000));

afterAll(async () => {
  if (skip) return;
  if (daemon && daemon.exitCode === null) {
    const exited = new Promise((r) => daemon!.once('exit', r));
    daemon.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(skip)('tray presence on Linux, asked of a private session bus', () => {
  it(
    'no StatusNotifierWatcher on the bus (vanilla GNOME): no tray',
    async () => {
      const presence = await detectTrayPresence({ platform: 'linux', env });
      expect(presence).toEqual({ available: false, reason: 'no org.kde.StatusNotifierWatcher on the session bus' });
    },
    scaled(20_000),
  );

  it(
    'a watcher with a tray host registered (KDE, GNOME + AppIndicator): a tray',
    async () => {
      await withWatcher('host', async () => {
        const presence = await detectTrayPresence({ platform: 'linux', env });
        expect(presence.available).toBe(true);
        expect(presence.reason).toContain('host registered');
      });
      // and it is gone again once the watcher leaves the bus
      expect((await detectTrayPresence({ platform: 'linux', env })).available).toBe(false);
    },
    scaled(30_000),
  );

  it(
    'a watcher without a host (the panel restarting): no tray, as Chromium decides',
    async () => {
      await withWatcher('no-host', async () => {
        const presence = await detectTrayPresence({ platform: 'linux', env });
        expect(presence).toEqual({
          available: false,
          reason: 'org.kde.StatusNotifierWatcher has no host registered (answered)',
        });
      });
    },
    scaled(30_000),
  );

  it(
    'asks through gdbus where dbus-send is not installed',
    async () => {
      const noDbusSend: RunCommand = (file, args, e, t) =>
        file === 'dbus-send'
          ? Promise.resolve({ code: null, stdout: '', stderr: '', missing: true })
          : runCommand(file, args, e, t);
      expect((await detectTrayPresence({ platform: 'linux', env, run: noDbusSend })).available).toBe(false);
      await withWatcher('host', async () => {
        expect((await detectTrayPresence({ platform: 'linux', env, run: noDbusSend })).available).toBe(true);
      });
    },
    scaled(30_000),
  );

  it(
    'a session bus that cannot be reached counts as no tray, saying why',
    async () => {
      const gone = { ...env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(dir, 'no-such-bus')}` };
      const presence = await detectTrayPresence({ platform: 'linux', env: gone });
      expect(presence.available).toBe(false);
      expect(presence.reason).toMatch(/^could not ask the session bus \(.+\)$/);
    },
    scaled(20_000),
  );
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

function missingX11(): string | null {
  for (const tool of ['Xvfb', 'xauth', 'trayer']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `needs ${tool} (Debian xvfb, xauth, trayer)`;
  }
  return skip;
}

describe.skipIf(missingX11())('tray presence on an X11 display without a StatusNotifierWatcher (XEmbed)', () => {
  let xdir: string;
  let xvfb: ChildProcess | null = null;
  let xenv: NodeJS.ProcessEnv;

  beforeAll(async () => {
    xdir = mkdtempSync(join(tmpdir(), 'devmesh-tray-x11-'));
    const auth = join(xdir, 'Xauthority');
    // a display number no one uses here; Xvfb checks the cookie xauth wrote, as a desktop's X server does
    // (-noreset: by default Xvfb resets when its last client, trayer, goes, and refuses connections meanwhile)
    for (let n = 140; n < 200 && !xvfb; n++) {
      if (existsSync(`/tmp/.X11-unix/X${n}`) || existsSync(`/tmp/.X${n}-lock`)) continue;
      const cookie = [...Array(16)]
        .map(() =>
          Math.floor(Math.random() * 256)
            .toString(16)
            .padStart(2, '0'),
        )
        .join('');
      if (spawnSync('xauth', ['-f', auth, 'add', `:${n}`, 'MIT-MAGIC-COOKIE-1', cookie]).status !== 0)
        throw new Error('xauth failed');
      const child = spawn(
        'Xvfb',
        [`:${n}`, '-auth', auth, '-noreset', '-nolisten', 'tcp', '-screen', '0', '640x480x24'],
        { stdio: 'ignore' },
      );
      const up = await until(
        `Xvfb on :${n}`,
        () => existsSync(`/tmp/.X11-unix/X${n}`) || child.exitCode !== null,
        scaled(10_000),
      );
      if (up && child.exitCode === null) {
        xvfb = child;
        xenv = { ...env, DISPLAY: `:${n}`, XAUTHORITY: auth };
      }
    }
    if (!xvfb) throw new Error('no free X display between :140 and :199');
  }, scaled(30_000));

  /** trayer takes the selection a moment after it starts: asks until it does (bounded), or trayer exits. */
  async function trayerOwnsTheSelection(trayer: ChildProcess): Promise<boolean | null> {
    let owned: boolean | null = false;
    const deadline = Date.now() + scaled(10_000);
    while (owned !== true && trayer.exitCode === null && Date.now() < deadline) {
      owned = await xembedTrayOwned({ env: xenv });
      if (owned !== true) await sleep(50);
    }
    return owned;
  }

  afterAll(async () => {
    if (xvfb) await stop(xvfb);
    rmSync(xdir, { recursive: true, force: true });
  });

  it('reads the display name and the cookie xauth wrote for it', () => {
    expect(parseDisplay(':0')).toEqual({ host: '', number: '0', screen: 0 });
    expect(parseDisplay('localhost:10.1')).toEqual({ host: 'localhost', number: '10', screen: 1 });
    expect(parseDisplay('wayland-0')).toBeNull();
    const display = parseDisplay(xenv.DISPLAY!)!;
    const cookie = findCookie(readFileSync(xenv.XAUTHORITY!), display, hostname());
    expect(cookie).toMatchObject({ name: 'MIT-MAGIC-COOKIE-1' });
    expect(cookie!.data).toHaveLength(16);
    expect(findCookie(readFileSync(xenv.XAUTHORITY!), { ...display, number: '9999' }, hostname())).toBeNull();
  });

  it(
    'no system tray on the display: no tray, saying both what the bus and the display said',
    async () => {
      expect(await xembedTrayOwned({ env: xenv })).toBe(false);
      expect(await detectTrayPresence({ platform: 'linux', env: xenv })).toEqual({
        available: false,
        reason: 'no org.kde.StatusNotifierWatcher on the session bus; no XEmbed system tray on the X11 display',
      });
    },
    scaled(20_000),
  );

  it(
    'an XEmbed system tray (trayer) owns the selection: a tray',
    async () => {
      const trayer = spawn('trayer', [], { env: xenv, stdio: 'ignore' });
      try {
        expect(await trayerOwnsTheSelection(trayer)).toBe(true);
        const presence = await detectTrayPresence({ platform: 'linux', env: xenv });
        expect(presence.available).toBe(true);
        expect(presence.reason).toContain('an XEmbed system tray owns the X11 selection');
      } finally {
        await stop(trayer);
      }
      expect(await xembedTrayOwned({ env: xenv })).toBe(false);
    },
    scaled(30_000),
  );

  it(
    'in a Wayland session the app is a Wayland client: an X11 tray does not count, unless forced to X11',
    async () => {
      const trayer = spawn('trayer', [], { env: xenv, stdio: 'ignore' });
      try {
        expect(await trayerOwnsTheSelection(trayer)).toBe(true);
        const wayland = { ...xenv, XDG_SESSION_TYPE: 'wayland', WAYLAND_DISPLAY: 'wayland-0' };
        expect(await detectTrayPresence({ platform: 'linux', env: wayland, argv: ['devmesh-app'] })).toEqual({
          available: false,
          reason: 'no org.kde.StatusNotifierWatcher on the session bus; a Wayland session has no XEmbed tray',
        });
        const forcedX11 = await detectTrayPresence({
          platform: 'linux',
          env: wayland,
          argv: ['devmesh-app', '--ozone-platform=x11'],
        });
        expect(forcedX11.available).toBe(true);
      } finally {
        await stop(trayer);
      }
    },
    scaled(30_000),
  );

  it(
    'a display that refuses us (no cookie) cannot be asked: no tray, saying so',
    async () => {
      const noCookie = { ...xenv, XAUTHORITY: join(xdir, 'missing') };
      expect(await xembedTrayOwned({ env: noCookie })).toBeNull();
      expect((await detectTrayPresence({ platform: 'linux', env: noCookie })).reason).toContain(
        'the X11 display could not be asked',
      );
    },
    scaled(20_000),
  );
});
