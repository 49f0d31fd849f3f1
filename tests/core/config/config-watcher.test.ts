// Reload triggers: a real folder, real saves (in place and editor-style rename-over), real fs.watch.
import { mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigWatcher } from '../../../main/core/config/config-watcher.js';
import { DevMeshError } from '../../../shared/errors.js';

const DEBOUNCE_MS = 40;
// Long enough for fs.watch to deliver and the debounce to settle on a busy 2-core machine.
const SETTLE_MS = 400;

let dir: string;
let file: string;
let watcher: ConfigWatcher | null = null;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'devmesh-watch-'));
  file = join(dir, 'devmesh.yaml');
  writeFileSync(file, 'services: {}\n');
});
afterEach(() => {
  watcher?.dispose();
  watcher = null;
  rmSync(dir, { recursive: true, force: true });
});

function watch(): { changes: () => number; next: () => Promise<void> } {
  watcher = new ConfigWatcher(file, { debounceMs: DEBOUNCE_MS });
  let count = 0;
  let waiting: (() => void) | null = null;
  watcher.onDidChange(() => {
    count++;
    waiting?.();
  });
  return {
    changes: () => count,
    next: () =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no change event within 5s')), 5000);
        waiting = () => {
          clearTimeout(timer);
          waiting = null;
          resolve();
        };
      }),
  };
}

describe('ConfigWatcher', () => {
  it('fires once for a save, after the burst of events settles', async () => {
    const w = watch();
    const changed = w.next();
    writeFileSync(file, 'services:\n  a: {}\n');
    writeFileSync(file, 'services:\n  a: {}\n  b: {}\n');
    await changed;
    await sleep(SETTLE_MS);
    expect(w.changes()).toBe(1);
  });

  it('keeps firing after editor-style saves that rename a new file over the old one', async () => {
    const w = watch();
    for (let i = 1; i <= 3; i++) {
      const changed = w.next();
      const tmp = join(dir, `.devmesh.yaml.${i}.swp`);
      writeFileSync(tmp, `services:\n  s${i}: {}\n`);
      renameSync(tmp, file);
      await changed;
      expect(w.changes()).toBe(i);
    }
  });

  it('stays quiet when a save leaves the content as it was', async () => {
    const w = watch();
    writeFileSync(file, 'services: {}\n');
    const tmp = join(dir, 'devmesh.yaml.tmp');
    writeFileSync(tmp, 'services: {}\n');
    renameSync(tmp, file);
    await sleep(SETTLE_MS);
    expect(w.changes()).toBe(0);
  });

  it('ignores other files in the folder', async () => {
    const w = watch();
    writeFileSync(join(dir, 'README.md'), '# hi\n');
    writeFileSync(join(dir, 'devmesh.yaml.bak'), 'services: {}\nx: 1\n');
    await sleep(SETTLE_MS);
    expect(w.changes()).toBe(0);
  });

  it('fires when the file is deleted and when it comes back', async () => {
    const w = watch();
    let changed = w.next();
    unlinkSync(file);
    await changed;
    changed = w.next();
    writeFileSync(file, 'services: {}\n');
    await changed;
    expect(w.changes()).toBe(2);
  });

  it('fires nothing once disposed, and holds no handle open', async () => {
    const handles = (kind: string) => process.getActiveResourcesInfo().filter((r) => r === kind).length;
    await sleep(50); // closing a watcher frees its handle a moment later: let earlier tests' watchers go
    const baseline = { watches: handles('FSEventWrap'), timers: handles('Timeout') };
    const w = watch();
    expect(handles('FSEventWrap')).toBe(baseline.watches + 1);
    writeFileSync(file, 'services:\n  a: {}\n');
    await sleep(5);
    watcher!.dispose();
    await sleep(SETTLE_MS);
    writeFileSync(file, 'services:\n  b: {}\n');
    await sleep(SETTLE_MS);
    expect(w.changes()).toBe(0);
    expect(handles('FSEventWrap')).toBe(baseline.watches);
    expect(handles('Timeout')).toBeLessThanOrEqual(baseline.timers);
  });

  it('stops listening when a listener is disposed', async () => {
    watcher = new ConfigWatcher(file, { debounceMs: DEBOUNCE_MS });
    let heard = 0;
    const subscription = watcher.onDidChange(() => heard++);
    subscription.dispose();
    writeFileSync(file, 'services:\n  a: {}\n');
    await sleep(SETTLE_MS);
    expect(heard).toBe(0);
  });

  it('refuses a folder that does not exist', () => {
    expect(() => new ConfigWatcher(join(dir, 'nope', 'devmesh.yaml'))).toThrow(DevMeshError);
  });
});
