// Which paths the project ignores, asked of git (GitIgnoreFilter): real git reads the paths on its stdin, and a
// git that does not answer in time is stopped with what it started (a hook, a wrapper script's children), and
// answered as "nothing ignored", never thrown. Real git; the hung "git" is a real shell script running `sleep`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GitIgnoreFilter } from '../../../main/core/files/git-ignore-filter.js';
import { tempDir } from '../../api/test-project.js';
import { scaled } from '../../helpers/load-scale.js';
import { running, sleepMarker } from '../../helpers/running.js';
import { until } from '../../helpers/until.js';
import { makeRepo, writeScript } from '../agents/fake-cli.js';

const tmp = tempDir('devmesh-git-ignore-');
/** the hung git's `sleep` argument: its own, so only its processes are found (and, should it fail, ended) */
let marker = '';
afterAll(() => {
  for (const pid of marker === '' ? [] : running(marker)) process.kill(pid, 'SIGKILL');
  tmp.dispose();
});

describe('GitIgnoreFilter', () => {
  it('asks git which of a batch of paths are ignored, the paths on its stdin', async () => {
    const repo = makeRepo(join(tmp.dir, 'repo'));
    writeFileSync(join(repo, '.gitignore'), '*.log\ndist/\n');
    const filter = new GitIgnoreFilter({ root: repo });
    const ignored = await filter.ignored(['src/a.ts', 'debug.log', 'dist/x.js', 'odd name *.log', 'README.md']);
    expect([...ignored].sort()).toEqual(['debug.log', 'dist/x.js', 'odd name *.log']);
  });

  it(
    'stops a git that does not answer in time with what it started, and ignores nothing',
    async () => {
      const repo = makeRepo(join(tmp.dir, 'hung'));
      marker = sleepMarker(300);
      // a "git" (a wrapper, or a hook of the real one) whose child does not finish: while it runs it holds git's
      // output open, so the answer waits for it unless it is stopped too
      const hung = writeScript(join(tmp.dir, 'bin'), 'git', `sleep ${marker}\nexit 0`);
      const filter = new GitIgnoreFilter({ root: repo, git: hung, timeoutMs: scaled(1_000) });
      expect(await filter.ignored(['debug.log'])).toEqual(new Set());
      await until('the sleep the hung git started to end', () => running(marker).length === 0, scaled(5_000));
    },
    scaled(20_000),
  );
});
