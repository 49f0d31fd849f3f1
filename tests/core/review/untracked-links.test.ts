// An agent's untracked symlinks, as git sees them: a link is a blob holding its target's path (one line), never
// the file it points at. Reading through the link would let an agent's worktree make the daemon read anything
// (a huge file, on every summary) or block its event loop for good (a link to a FIFO: a synchronous open waits
// for a writer). Real git, real worktrees, a real FIFO.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { WorktreeManager } from '../../../main/core/agents/worktree-manager.js';
import { ChangeSummary } from '../../../main/core/review/change-summary.js';
import { FileDiffReader } from '../../../main/core/review/file-diff-reader.js';
import { GitRunner } from '../../../main/core/base/git-runner.js';
import { tempDir } from '../../api/test-project.js';
import { scaled } from '../../helpers/load-scale.js';
import { makeRepo } from '../agents/fake-cli.js';

const tmp = tempDir('devmesh-review-links-');
const writers: ChildProcess[] = [];
afterEach(() => {
  for (const w of writers.splice(0)) w.kill('SIGKILL');
});
afterAll(() => tmp.dispose());
const runner = new GitRunner();

async function worktreeWith(name: string, make: (wt: string) => void) {
  const repo = makeRepo(join(tmp.dir, name));
  const wt = await new WorktreeManager().create({ repo, branch: 'agent' });
  make(wt.path);
  return { agentId: null, ...wt, base: 'main' };
}

describe('an agent’s untracked symlinks in the change list and diffs', () => {
  it('count as git counts them (the target’s path, one line), not as the file they point at', async () => {
    const outside = join(tmp.dir, 'outside.txt');
    writeFileSync(outside, 'a\nb\nc\nd\n');
    const tree = await worktreeWith('link-repo', (wt) => symlinkSync(outside, join(wt, 'link.txt')));
    // git's own count of the link (the diff of a symlink is its target's path)
    const numstat = spawnSync('git', ['diff', '--no-index', '--numstat', '/dev/null', 'link.txt'], { cwd: tree.path });
    expect(String(numstat.stdout).split('\t').slice(0, 2)).toEqual(['1', '0']);
    const changes = await new ChangeSummary(runner).changes(tree);
    expect(changes.files).toEqual([
      expect.objectContaining({ path: 'link.txt', kind: 'added', added: 1, removed: 0, binary: false }),
    ]);
    const diff = await new FileDiffReader(runner, new ChangeSummary(runner)).diff(tree, 'link.txt');
    expect(diff).toMatchObject({ path: 'link.txt', binary: false, tooLarge: false });
    expect(diff.patch).toContain(`+${outside}`);
    expect(diff.patch).not.toContain('+a');
  });

  it(
    'never open a FIFO a link points at (the daemon would wait for a writer)',
    async () => {
      const fifoDir = join(tmp.dir, 'fifos');
      mkdirSync(fifoDir, { recursive: true });
      const fifo = join(fifoDir, 'pipe');
      expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
      // a writer that gives up on its own: were the FIFO opened, it would read these three lines
      const writer = spawn('timeout', ['20', 'sh', '-c', `printf 'x\\ny\\nz\\n' > '${fifo}'`], { stdio: 'ignore' });
      writers.push(writer);
      const tree = await worktreeWith('fifo-repo', (wt) => symlinkSync(fifo, join(wt, 'pipe-link')));
      const changes = await new ChangeSummary(runner).changes(tree);
      expect(changes.files).toEqual([
        expect.objectContaining({ path: 'pipe-link', kind: 'added', added: 1, removed: 0, binary: false }),
      ]);
      const diff = await new FileDiffReader(runner, new ChangeSummary(runner)).diff(tree, 'pipe-link');
      expect(diff.patch).toContain(`+${fifo}`);
      expect(writer.exitCode).toBe(null); // still waiting for a reader: nobody opened the FIFO
    },
    scaled(30_000),
  );
});
