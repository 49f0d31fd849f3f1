// The remembered projects and "Start at login" survive a restart, and a broken app-state.json (hand-edited,
// torn) never stops the app: it falls back to the defaults and says why.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppStateStore } from '../../main/electron/app-state-store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'devmesh-state-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('AppStateStore', () => {
  it('remembers recent projects (newest first, once each) and the login choice across restarts', () => {
    const a = new AppStateStore(dir);
    a.addRecentProject('/p/one');
    a.addRecentProject('/p/two');
    a.addRecentProject('/p/one');
    a.setStartAtLogin(true);
    const b = new AppStateStore(dir);
    expect(b.recentProjects).toEqual(['/p/one', '/p/two']);
    expect(b.startAtLogin).toBe(true);
    b.removeRecentProject('/p/one');
    expect(new AppStateStore(dir).recentProjects).toEqual(['/p/two']);
  });

  it('starts from the defaults when the file is missing, not JSON, or the wrong shape, and reports the last two', () => {
    const problems: string[] = [];
    expect(new AppStateStore(dir, (m) => problems.push(m)).recentProjects).toEqual([]);
    expect(problems).toEqual([]);
    writeFileSync(join(dir, 'app-state.json'), '{"recentProjects": ["/p/one"');
    expect(new AppStateStore(dir, (m) => problems.push(m)).recentProjects).toEqual([]);
    writeFileSync(join(dir, 'app-state.json'), '{"recentProjects": "/p/one", "startAtLogin": "yes"}');
    expect(new AppStateStore(dir, (m) => problems.push(m)).startAtLogin).toBe(false);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('is not JSON');
    expect(problems[1]).toContain('is invalid');
  });

  it('writes a file only its user can read', () => {
    new AppStateStore(dir).setStartAtLogin(true);
    expect(JSON.parse(readFileSync(join(dir, 'app-state.json'), 'utf8'))).toEqual({
      recentProjects: [],
      startAtLogin: true,
      noTrayNoticeShown: false,
    });
    expect(statSync(join(dir, 'app-state.json')).mode & 0o777).toBe(0o600);
  });
});
