// `npm start` on a machine without the Electron binary (like this one) fails fast with a message that says
// why and what to run instead, without attempting a download or a build.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');

describe('scripts/start-app.mjs without the Electron binary', () => {
  it('exits 1 and points to `npx devmesh up`', () => {
    // An empty override folder: no Electron binary, whether or not node_modules/electron ever downloaded one.
    const empty = mkdtempSync(join(tmpdir(), 'devmesh-no-electron-'));
    try {
      const started = Date.now();
      const run = spawnSync(process.execPath, ['scripts/start-app.mjs'], {
        cwd: root,
        env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: empty },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('Electron binary is not installed');
      expect(run.stderr).toContain('npx devmesh up');
      expect(run.stdout).not.toContain('building');
      expect(run.stdout + run.stderr).not.toContain('Downloading Electron');
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
