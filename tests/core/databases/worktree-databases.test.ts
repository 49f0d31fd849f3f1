// The databases of a project's copies in git worktrees go once their worktree has, with real git worktrees,
// the machine's redis, and the store on disk: when a copy closes after DevMesh removed its worktree (an agent
// removed with --remove-worktree), and at start for worktrees removed while DevMesh was away (by git, or by
// hand). Never a main checkout's folder, never an open copy's (its engine runs), never one a live worktree or
// a locked one stands for, never one a process works in, never a link, never on a guess (no main checkout).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WorktreeManager } from '../../../main/core/agents/worktree-manager.js';
import { COPY_RECORD_FILE } from '../../../main/core/databases/copy-data-record.js';
import { WorktreeCopies } from '../../../main/core/projects/worktree-copies.js';
import { scaled } from '../../helpers/load-scale.js';
import { until } from '../../helpers/until.js';
import { processAlive } from '../../api/test-project.js';
import { git } from '../agents/fake-cli.js';
import { DatabaseLab } from './database-lab.js';

const haveRedis = existsSync('/usr/bin/redis-server');
const YAML = ['project: shop', 'services:', '  cache:', '    database: { engine: redis }', '    autostart: false', ''];

let lab: DatabaseLab | null = null;
const stray: number[] = [];
afterEach(async () => {
  for (const pid of stray.splice(0)) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
  await lab?.close();
  lab = null;
});

/** the lab's project as a git repository, a copies front like the agents domain's, and the databases folder */
async function setUp() {
  lab = new DatabaseLab();
  const repo = lab.projectDir;
  lab.write('devmesh.yaml', YAML.join('\n'));
  git(repo, 'init', '-q');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'first');
  await lab.projects.open(repo);
  const worktrees = new WorktreeManager(undefined, 'git');
  const copies = new WorktreeCopies({
    projects: lab.projects,
    agents: { find: () => null, list: () => [] },
    worktrees,
    logger: pino({ level: 'silent' }),
  });
  const databases = join(lab.home.dir, 'databases');
  return { repo, worktrees, copies, databases };
}

/** a worktree on `branch` beside the repository, its copy open and its redis started (its data made) */
async function copyWithData(repo: string, copies: WorktreeCopies, branch: string): Promise<string> {
  const path = join(repo, '..', `wt-${branch}`);
  git(repo, 'worktree', 'add', '-q', path, '-b', branch);
  const { id } = await copies.open({ project: 'shop', worktree: branch });
  await lab!.projects.resolve(id).supervisor.start('cache', { wait: true });
  return path;
}

describe.skipIf(!haveRedis)("a worktree copy's databases", () => {
  it(
    'go when the copy closes after its worktree was removed; an open one (engine running) stays',
    async () => {
      const { repo, worktrees, copies, databases } = await setUp();
      const wtA = await copyWithData(repo, copies, 'feature-a');
      const wtB = await copyWithData(repo, copies, 'feature-b');
      const folderA = join(databases, 'shop@feature-a');
      expect(existsSync(join(folderA, 'cache', 'data'))).toBe(true);
      expect(JSON.parse(readFileSync(join(folderA, COPY_RECORD_FILE), 'utf8'))).toMatchObject({
        of: 'shop',
        label: 'feature-a',
        branch: 'feature-a',
        mainRoot: lab!.projectDir,
      });
      const engineA = lab!.projects.resolve('shop@feature-a').supervisor.get('cache').info().pid!;

      // DevMesh removes the worktree (as `agent rm --remove-worktree` does first): the copy is still open, its
      // redis still runs: its data stays.
      await worktrees.remove({ repo, path: wtA, force: true });
      expect(await lab!.databases.sweep.sweepCopy('shop@feature-a')).toBe('kept: open');
      expect(processAlive(engineA)).toBe(true);

      // Then the agent's copies close (its removal): the engine stops, and the folder goes.
      const agent = { id: 'a1', name: 'alpha', project: null, status: 'exited' as const };
      await copies.closeFor({ ...agent, worktree: { path: wtA, branch: 'feature-a', repo } });
      await until('the copy folder to go', () => !existsSync(folderA), scaled(10_000));
      expect(processAlive(engineA)).toBe(false);

      // The other copy's worktree lives: closing it keeps its data for the next time it opens.
      await copies.closeFor({ ...agent, id: 'b1', worktree: { path: wtB, branch: 'feature-b', repo } });
      expect(await lab!.databases.sweep.sweepCopy('shop@feature-b')).toBe('kept: worktree exists');
      expect(existsSync(join(databases, 'shop@feature-b', 'cache', 'data'))).toBe(true);
      // a main checkout's id is never a copy's folder
      expect(await lab!.databases.sweep.sweepCopy('shop')).toBeNull();
    },
    scaled(120_000),
  );

  it(
    'at start: go for worktrees removed meanwhile (by git or by hand); kept on every doubt',
    async () => {
      const { repo, copies, databases } = await setUp();
      const wtB = await copyWithData(repo, copies, 'feature-b');
      const wtC = await copyWithData(repo, copies, 'feature-c');
      const wtD = await copyWithData(repo, copies, 'feature-d');
      for (const id of ['shop@feature-b', 'shop@feature-c', 'shop@feature-d']) await lab!.projects.close(id);
      // b: its folder deleted by hand (git lists it as prunable); c: by hand too, but locked in git (a drive
      // that is not mounted); d: removed by git
      rmSync(wtB, { recursive: true, force: true });
      git(repo, 'worktree', 'lock', wtC);
      rmSync(wtC, { recursive: true, force: true });
      git(repo, 'worktree', 'remove', '--force', wtD);
      const folder = (name: string, record?: string) => {
        mkdirSync(join(databases, name, 'cache', 'data'), { recursive: true });
        writeFileSync(join(databases, name, 'cache', 'data', 'dump.rdb'), 'REDIS0011');
        if (record !== undefined) writeFileSync(join(databases, name, COPY_RECORD_FILE), record);
        return join(databases, name);
      };
      // made before DevMesh kept records: its branch is gone, and shop is open to ask git
      const old = folder('shop@old-branch');
      // a damaged record counts as none
      const damaged = folder('shop@feature-e', '{"of": "shop", "label": ');
      // of a main checkout that is not open: nobody to ask
      const unknown = folder('other@feature-x');
      // a process works in it
      const busy = folder('shop@feature-busy');
      const sleeper = spawn('sleep', ['300'], { cwd: join(busy, 'cache', 'data'), stdio: 'ignore' });
      stray.push(sleeper.pid!);
      // a link named like a copy, to a folder that must survive
      const outside = folder('kept-outside');
      symlinkSync(outside, join(databases, 'shop@link'));
      // the main checkout's own
      const main = folder('shop');
      // a gone branch's copy with a snapshot taken on purpose: its data goes, the snapshot stays
      const snapped = folder('shop@feature-snap');
      mkdirSync(join(snapped, 'cache', 'snapshots'));
      writeFileSync(join(snapped, 'cache', 'snapshots', 'nightly.rdb.gz'), 'gz');

      const outcomes = await lab!.databases.sweep.sweep();
      expect(Object.fromEntries(outcomes)).toEqual({
        'shop@feature-b': 'removed',
        'shop@feature-c': 'kept: worktree exists',
        'shop@feature-d': 'removed',
        'shop@old-branch': 'removed',
        'shop@feature-e': 'removed',
        'other@feature-x': 'kept: unknown',
        'shop@feature-busy': 'kept: in use',
        'shop@feature-snap': 'removed, snapshots kept',
      });
      expect(existsSync(join(snapped, 'cache', 'data'))).toBe(false);
      expect(readFileSync(join(snapped, 'cache', 'snapshots', 'nightly.rdb.gz'), 'utf8')).toBe('gz');
      // the next start has nothing more to remove there
      expect(await lab!.databases.sweep.sweepCopy('shop@feature-snap')).toBe('kept: only snapshots');
      for (const gone of ['shop@feature-b', 'shop@feature-d']) expect(existsSync(join(databases, gone))).toBe(false);
      expect([old, damaged].map((f) => existsSync(f))).toEqual([false, false]);
      for (const kept of [join(databases, 'shop@feature-c'), unknown, busy])
        expect(existsSync(join(kept, 'cache'))).toBe(true);
      expect(existsSync(join(databases, 'shop@link'))).toBe(true);
      for (const kept of [outside, main]) expect(existsSync(join(kept, 'cache', 'data', 'dump.rdb'))).toBe(true);
    },
    scaled(120_000),
  );
});
