// `devmesh up` on a home that holds the databases of worktree copies whose worktrees were removed while no
// daemon ran: the start removes them (its project's repository no longer lists those worktrees), and keeps the
// main checkout's databases and those of a worktree that still exists. The real daemon, real git.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, waitFor } from '../api/test-project.js';
import { git } from '../core/agents/fake-cli.js';
import { scaled } from '../helpers/load-scale.js';
import { CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';

const tmp = tempDir('devmesh-cli-copysweep-');
const repo = join(tmp.dir, 'shop');
const home = join(tmp.dir, 'home');
const cli = new CliHarness(home, tmp.dir, { DEVMESH_PROXY_HTTP_PORT: '0', DEVMESH_PROXY_HTTPS_PORT: '0' });
let daemon: RunningCli | undefined;

function dataFolder(project: string): string {
  const dir = join(home, 'databases', project, 'cache', 'data');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'dump.rdb'), 'REDIS0011');
  return join(home, 'databases', project);
}

beforeAll(() => {
  ensureCliBuilt();
  mkdirSync(repo);
  writeFileSync(
    join(repo, 'devmesh.yaml'),
    ['project: shop', 'services:', '  cache:', '    database: { engine: redis }', '    autostart: false', ''].join(
      '\n',
    ),
  );
  git(repo, 'init', '-q');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'first');
  git(repo, 'worktree', 'add', '-q', join(tmp.dir, 'wt-live'), '-b', 'live');
});

afterAll(async () => {
  await daemon?.stop('SIGTERM', scaled(30_000));
  tmp.dispose();
});

describe('the start of a daemon', () => {
  it(
    'removes the databases of copies whose worktree is gone, and only those',
    async () => {
      const gone = dataFolder('shop@finished-feature');
      const live = dataFolder('shop@live');
      const main = dataFolder('shop');
      ({ daemon } = await cli.up(['--project', repo]));
      const log = join(home, 'logs', 'daemon.log');
      const swept = await waitFor(
        'the sweep to finish',
        () => {
          const line = readFileSync(log, 'utf8')
            .split('\n')
            .find((l) => l.includes('swept the databases of worktree copies'));
          return line === undefined ? null : (JSON.parse(line) as { removed: string[]; kept: object });
        },
        scaled(30_000),
      );
      expect(swept).toMatchObject({
        removed: ['shop@finished-feature'],
        kept: { 'shop@live': 'kept: worktree exists' },
      });
      expect(existsSync(gone)).toBe(false);
      expect(existsSync(join(live, 'cache', 'data', 'dump.rdb'))).toBe(true);
      expect(existsSync(join(main, 'cache', 'data', 'dump.rdb'))).toBe(true);
      expect((await cli.run(['status'])).code).toBe(0);
    },
    scaled(120_000),
  );
});
