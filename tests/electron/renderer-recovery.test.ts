// A window whose page crashes or hangs comes back by itself, says so once it is back, and does not loop:
// after a few failures in a short time it is closed with a note, and the tray's Open DevMesh starts afresh.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron.js'));

import { BrowserWindow, resetFake } from './fake-electron.js';
import { MainWindow } from '../../main/electron/main-window.js';

const options = {
  preloadPath: '/opt/DevMesh/dist/preload/preload.js',
  indexHtmlPath: '/opt/DevMesh/dist/renderer/index.html',
};
let clock: number;
let notes: Array<{ title: string; message: string }>;
let logged: string[];

function openWindow(): { window: MainWindow; bw: BrowserWindow } {
  const log = (level: string) => (_obj: object, msg?: string) => void logged.push(`${level}: ${msg ?? ''}`);
  const window = new MainWindow({
    ...options,
    logger: { info: log('info'), warn: log('warn'), error: log('error') },
    tell: (title, message) => void notes.push({ title, message }),
    recoveryLimits: { maxReloads: 3, windowMs: 60_000, hangGraceMs: 10_000, now: () => clock },
  });
  window.focus();
  return { window, bw: BrowserWindow.instances.at(-1)! };
}

beforeEach(() => {
  resetFake();
  vi.useFakeTimers(); // the reload runs one task after the crash (setImmediate): nextTask() runs it
  clock = 1_000_000;
  notes = [];
  logged = [];
});
afterEach(() => vi.useRealTimers());
const nextTask = () => vi.runOnlyPendingTimers();

describe('a window whose page fails', () => {
  it('reloads a crashed page, logs it, and tells the user once the page is back', () => {
    const { bw } = openWindow();
    const contents = bw.webContents;
    contents.crash('oom', -1);
    // never from inside Electron's 'render-process-gone' handler (a reload there can crash the main process)
    expect(contents.reloads).toBe(0);
    nextTask();
    expect(contents.reloads).toBe(1);
    expect(contents.rendererGone).toBe(false);
    expect(logged).toContain('warn: the window failed: reloading it');
    expect(notes).toEqual([]); // not while the page is still loading
    contents.emit('did-finish-load');
    expect(notes).toHaveLength(1);
    expect(notes[0]!.title).toBe('DevMesh reloaded its window');
    expect(notes[0]!.message).toContain('oom');
    expect(notes[0]!.message).toContain('services');
    contents.emit('did-finish-load'); // a later reload by the user says nothing
    expect(notes).toHaveLength(1);
  });

  it('reloads a page that stays unresponsive past the grace period, but not one that recovers', () => {
    vi.useFakeTimers();
    const { bw } = openWindow();
    const contents = bw.webContents;
    contents.emit('unresponsive');
    vi.advanceTimersByTime(5_000);
    contents.emit('responsive');
    vi.advanceTimersByTime(60_000);
    expect(contents.reloads).toBe(0);

    contents.emit('unresponsive');
    contents.emit('unresponsive'); // Electron may say it again: one timer
    vi.advanceTimersByTime(10_000);
    nextTask();
    expect(contents.reloads).toBe(1);
    contents.emit('did-finish-load');
    expect(notes.map((n) => n.message).join()).toContain('stopped responding');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops reloading after 3 failures in a minute: closes the window with a note; Open DevMesh starts afresh', () => {
    const { window, bw } = openWindow();
    const contents = bw.webContents;
    for (let i = 0; i < 3; i++) {
      clock += 1_000;
      contents.crash();
      nextTask();
      contents.emit('did-finish-load');
    }
    expect(contents.reloads).toBe(3);
    clock += 1_000;
    contents.crash();
    nextTask();
    expect(contents.reloads).toBe(3);
    expect(bw.isDestroyed()).toBe(true);
    expect(window.webContents).toBeNull();
    expect(notes.at(-1)!.title).toBe('The DevMesh window keeps crashing');
    expect(notes.at(-1)!.message).toMatch(/4 times in 1 minutes.*Open DevMesh from the tray/);
    expect(logged).toContain('error: the window keeps failing: closing it');

    window.focus();
    expect(BrowserWindow.instances).toHaveLength(2);
    const again = BrowserWindow.instances[1]!.webContents;
    again.crash();
    nextTask();
    expect(again.reloads).toBe(1);
  });

  it('leaves a page that exited cleanly (its window closing) alone', () => {
    const { bw } = openWindow();
    bw.webContents.crash('clean-exit', 0);
    nextTask();
    expect(bw.webContents.reloads).toBe(0);
    expect(notes).toEqual([]);
  });

  it('keeps reloading crashes that are far apart', () => {
    const { bw } = openWindow();
    for (let i = 0; i < 6; i++) {
      clock += 61_000;
      bw.webContents.crash();
      nextTask();
    }
    expect(bw.webContents.reloads).toBe(6);
    expect(bw.isDestroyed()).toBe(false);
  });

  it('leaves no timer behind when the window closes while its page hangs', () => {
    vi.useFakeTimers();
    const { window, bw } = openWindow();
    bw.webContents.emit('unresponsive');
    window.dispose();
    expect(vi.getTimerCount()).toBe(0);
  });
});
