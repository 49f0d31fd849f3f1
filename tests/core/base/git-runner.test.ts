// The git runner (review and land, the watcher's ignores) against a git that does not finish (a hook or a command that hangs): the call
// is refused as a TIMEOUT (never read as git's exit code 1, which `merge-tree` and `merge-base --is-ancestor`
// answer with), and what git started is stopped with it. Real git; its alias runs a real `sleep`.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GitRunner } from '../../../main/core/base/git-runner.js';
import { tempDir } from '../../api/test-project.js';
import { scaled } from '../../helpers/load-scale.js';
import { running, sleepMarker } from '../../helpers/running.js';
import { until } from '../../helpers/until.js';
import { makeRepo } from '../agents/fake-cli.js';

const tmp = tempDir('devmesh-git-runner-');
afterAll(() => tmp.dispose());

describe('a git call that does not finish in time', () => {
  it(
    'is refused as a timeout, and what git started (a hook, an alias) is stopped too',
    async () => {
      const repo = makeRepo(join(tmp.dir, 'repo'));
      const marker = sleepMarker(40);
      const runner = new GitRunner({ timeoutMs: scaled(1_000) });
      const call = runner.run(repo, ['-c', `alias.hang=!sleep ${marker}`, 'hang']);
      await expect(call).rejects.toMatchObject({ code: 'TIMEOUT', message: expect.stringMatching(/git .*hang.*took/) });
      await until('the sleep git started to end', () => running(marker).length === 0, scaled(5_000));
    },
    scaled(20_000),
  );

  it('still answers git’s own exit codes', async () => {
    const repo = makeRepo(join(tmp.dir, 'codes'));
    const runner = new GitRunner();
    expect((await runner.run(repo, ['merge-base', '--is-ancestor', 'HEAD', 'HEAD'])).code).toBe(0);
    expect((await runner.run(repo, ['rev-parse', '--verify', '--quiet', 'refs/heads/none'])).code).toBe(1);
    const big = await new GitRunner().run(repo, ['log', '--format=%H%n%H%n%H'], { maxBuffer: 16 });
    expect(big).toMatchObject({ code: 0, overflow: true });
  });

  it('writes its input to git’s stdin', async () => {
    const repo = makeRepo(join(tmp.dir, 'stdin'));
    const runner = new GitRunner();
    const r = await runner.run(repo, ['hash-object', '--stdin'], { input: 'hello\n' });
    // `printf 'hello\n' | git hash-object --stdin`
    expect(r).toMatchObject({ code: 0, stdout: 'ce013625030ba8dba906f756967f9e9ca394464a\n' });
  });
});
