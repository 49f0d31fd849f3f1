// The change list is asked for again and again (the Review view refreshes on every batch of file changes), and
// an agent's untracked files are counted by reading them: a large one (a dataset, a build output git does not
// ignore) must be read once while it stays as it is, not on every summary. Bytes read are this process's own
// (/proc/self/io rchar: files and the pipes of git's output alike). Real git, a real worktree.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WorktreeManager } from '../../../main/core/agents/worktree-manager.js';
import { ChangeSummary } from '../../../main/core/review/change-summary.js';
import { GitRunner } from '../../../main/core/base/git-runner.js';
import { tempDir } from '../../api/test-project.js';
import { scaled } from '../../helpers/load-scale.js';
import { makeRepo } from '../agents/fake-cli.js';

const tmp = tempDir('devmesh-review-reads-');
afterAll(() => tmp.dispose());

const bytesRead = (): number => Number(/rchar:\s*(\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))![1]);
const MB = 1024 * 1024;

describe('a large untracked file in an agent’s worktree', () => {
  it(
    'is read once while it stays the same, and again once it changes',
    async () => {
      const repo = makeRepo(join(tmp.dir, 'repo'));
      const wt = await new WorktreeManager().create({ repo, branch: 'agent' });
      const tree = { agentId: null, ...wt, base: 'main' };
      const line = 'a line of an agent’s output, long enough to fill the file quickly\n';
      const big = join(wt.path, 'output.log');
      writeFileSync(big, line.repeat(Math.ceil((24 * MB) / Buffer.byteLength(line))));
      const lines = Math.ceil((24 * MB) / Buffer.byteLength(line));
      const summary = new ChangeSummary(new GitRunner());

      const first = bytesRead();
      const a = await summary.changes(tree);
      const firstRead = bytesRead() - first;
      expect(a.files).toEqual([expect.objectContaining({ path: 'output.log', added: lines, binary: false })]);
      expect(firstRead).toBeGreaterThan(24 * MB);

      const second = bytesRead();
      const b = await summary.changes(tree);
      expect(b.files).toEqual(a.files);
      expect(bytesRead() - second).toBeLessThan(4 * MB); // git's answers only

      appendFileSync(big, 'one more\n');
      const c = await summary.changes(tree);
      expect(c.files).toEqual([expect.objectContaining({ path: 'output.log', added: lines + 1 })]);
    },
    scaled(60_000),
  );
});
