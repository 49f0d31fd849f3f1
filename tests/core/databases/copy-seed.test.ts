// A worktree's copy of the app seeds its own database from `seed: snapshot:<name>`: the copy has no snapshots
// of its own yet, so the main checkout's is used (its hash checked as for any seed). A real core, a real git
// worktree, a real SQLite file.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { TestCore } from '../../api/test-core.js';
import { scaled } from '../../helpers/load-scale.js';

const YAML = (seed: string) =>
  [
    'project: shop',
    'services:',
    '  app:',
    '    version: 1.0.0',
    `    command: "${process.execPath} -e 'setInterval(() => {}, 1000)'"`,
    '    health: { exec: "true" }',
    '    autostart: false',
    `    database: { engine: sqlite${seed} }`,
    '',
  ].join('\n');

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@devmesh.invalid', ...args], { cwd, stdio: 'pipe' });

let dm: TestCore | undefined;
afterAll(async () => {
  await dm?.dispose();
});

describe('a worktree copy with seed: snapshot:', () => {
  it(
    "seeds from the main checkout's snapshot",
    async () => {
      dm = await TestCore.open({
        prefix: 'devmesh-copyseed-',
        project: 'shop',
        prepare: (dir) => {
          writeFileSync(join(dir, 'devmesh.yaml'), YAML(''));
          mkdirSync(join(dir, '..', 'home'), { recursive: true });
          writeFileSync(join(dir, '..', 'home', 'config.yaml'), 'proxy:\n  http_port: 0\n  https_port: false\n');
          git(dir, 'init', '-q', '-b', 'main');
          git(dir, 'add', '.');
          git(dir, 'commit', '-q', '-m', 'first');
        },
      });
      await dm.call('services.start', { project: 'shop', name: 'app', wait: true });
      const mainFile = (await dm.call('databases.list', { project: 'shop' }))[0]!.dataPath;
      const db = new BetterSqlite3(mainFile);
      db.exec("create table t (v text); insert into t values ('from main')");
      db.close();
      await dm.call('databases.snapshot', { project: 'shop', service: 'app', name: 'base' });

      // the project now seeds new databases from that snapshot; a worktree is made from that commit
      writeFileSync(join(dm.projectDir, 'devmesh.yaml'), YAML(', seed: "snapshot:base"'));
      git(dm.projectDir, 'commit', '-q', '-am', 'seed from base');
      const wt = join(dm.dir, 'wt');
      git(dm.projectDir, 'worktree', 'add', '-q', '-b', 'feature', wt);
      expect(readFileSync(join(wt, 'devmesh.yaml'), 'utf8')).toContain('snapshot:base');
      const copy = await dm.call('projects.openWorktree', { project: 'shop', worktree: wt });
      await dm.call('services.start', { project: copy.id, name: 'app', wait: true });

      const copyFile = (await dm.call('databases.list', { project: copy.id }))[0]!.dataPath;
      expect(copyFile).not.toBe(mainFile);
      const seeded = new BetterSqlite3(copyFile, { readonly: true });
      try {
        expect(seeded.prepare('select v from t').all()).toEqual([{ v: 'from main' }]);
      } finally {
        seeded.close();
      }
    },
    scaled(90_000),
  );
});
