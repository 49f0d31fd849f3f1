// `--rebase` rewrites the agent's branch in its own worktree: while an agent runs there, the files and the HEAD
// under it would change mid-edit. Landing with a rebase is refused while any agent works in that worktree (its
// owner, or another started in that folder), saying which and how to go on; a fast-forward and a merge commit
// only touch the base checkout and still land; once the agent has exited, the rebase lands. Real git and
// worktrees; the agents, audit and task ports are stand-ins of AgentReview's own interfaces.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AgentRecord, AgentStatus } from '../../../shared/agent.js';
import { WorktreeManager } from '../../../main/core/agents/worktree-manager.js';
import { ReviewModule } from '../../../main/core/review/review-module.js';
import { tempDir } from '../../api/test-project.js';
import { scaled } from '../../helpers/load-scale.js';
import { git, makeRepo } from '../agents/fake-cli.js';

const tmp = tempDir('devmesh-review-rebase-');
afterAll(() => tmp.dispose());

const agentRecord = (name: string, status: AgentStatus, cwd: string, worktree: AgentRecord['worktree']) =>
  ({ id: `id-${name}`, name, status, cwd, worktree, task: null }) as unknown as AgentRecord;

/** A repository (whose base moved on after the agents' branches were made), and a review over the agents. */
async function setup(name: string, agents: string[], moveBase = true) {
  const repo = makeRepo(join(tmp.dir, name));
  const worktrees = new WorktreeManager();
  const records = new Map<string, AgentRecord>();
  for (const agent of agents) {
    const wt = await worktrees.create({ repo, branch: agent });
    writeFileSync(join(wt.path, `${agent}.txt`), `${agent}\n`);
    git(wt.path, 'add', '-A');
    git(wt.path, 'commit', '-q', '-m', `${agent}: work`);
    records.set(agent, agentRecord(agent, 'working', wt.path, { path: wt.path, branch: wt.branch, repo }));
  }
  if (moveBase) {
    writeFileSync(join(repo, 'user.txt'), 'user\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'user: work');
  }
  const find = (ref: string) => records.get(ref) ?? [...records.values()].find((r) => r.id === ref)!;
  const module = new ReviewModule({
    agents: { get: find, stop: async (ref) => find(ref), list: () => [...records.values()] },
    worktrees: { remove: (input) => worktrees.remove(input) },
    audit: { admit: async () => undefined, record: async () => undefined },
    tasks: { landed: async () => [] },
    emit: () => undefined,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Reviewer',
      GIT_AUTHOR_EMAIL: 'reviewer@devmesh.invalid',
      GIT_COMMITTER_NAME: 'Reviewer',
      GIT_COMMITTER_EMAIL: 'reviewer@devmesh.invalid',
    },
  });
  const set = (agent: string, status: AgentStatus) => records.set(agent, { ...records.get(agent)!, status });
  return { repo, review: module.review, records, set };
}

const rev = (dir: string, ref: string) => git(dir, 'rev-parse', ref).trim();

describe('landing with a rebase under a running agent', () => {
  it(
    'is refused while the agent runs in its worktree, and lands once it has exited',
    async () => {
      const { repo, review, records, set } = await setup('owner', ['alpha']);
      const wt = records.get('alpha')!.worktree!.path;
      const [base, branch, head] = [rev(repo, 'main'), rev(repo, 'alpha'), rev(wt, 'HEAD')];
      for (const status of ['working', 'idle', 'waiting', 'starting'] as const) {
        set('alpha', status);
        await expect(review.merge({ agent: 'alpha', strategy: 'rebase', cleanup: false })).rejects.toMatchObject({
          code: 'CONFLICT',
          message: expect.stringMatching(
            new RegExp(
              `agent alpha is ${status} in ${wt}.*stop it first \\(\`devmesh agent stop alpha\`\\).*merge commit`,
            ),
          ),
        });
      }
      // nothing moved: not the base, not the branch, not the worktree under the agent
      expect([rev(repo, 'main'), rev(repo, 'alpha'), rev(wt, 'HEAD')]).toEqual([base, branch, head]);
      set('alpha', 'working');
      await expect(review.check('alpha', 'rebase')).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await review.check('alpha', 'merge-commit')).toEqual([]);
      set('alpha', 'exited');
      const outcome = await review.merge({ agent: 'alpha', strategy: 'rebase', cleanup: false });
      expect(outcome).toMatchObject({ merged: true, strategy: 'rebase' });
      expect(git(repo, 'log', '--format=%s', '-2', 'main').trim().split('\n')).toEqual(['alpha: work', 'user: work']);
    },
    scaled(60_000),
  );

  it(
    'is refused while another agent works in that worktree, though the owner has exited',
    async () => {
      const { review, records, set } = await setup('guest', ['beta']);
      set('beta', 'exited');
      const wt = records.get('beta')!.worktree!.path;
      records.set('helper', agentRecord('helper', 'idle', join(wt, 'src'), null));
      await expect(review.merge({ agent: 'beta', strategy: 'rebase', cleanup: false })).rejects.toMatchObject({
        code: 'CONFLICT',
        message: expect.stringMatching(/agent helper is idle in .*devmesh agent stop helper/),
      });
      set('helper', 'exited');
      expect(await review.merge({ agent: 'beta', strategy: 'rebase', cleanup: false })).toMatchObject({ merged: true });
    },
    scaled(60_000),
  );

  it(
    'leaves a merge commit and a fast-forward allowed while the agent runs: they touch only the base checkout',
    async () => {
      const { repo, review, records } = await setup('others', ['gamma', 'delta'], false);
      const [gamma, delta] = ['gamma', 'delta'].map((a) => records.get(a)!.worktree!.path) as [string, string];
      const heads = [rev(gamma, 'HEAD'), rev(delta, 'HEAD')];
      const forwarded = await review.merge({ agent: 'delta', strategy: 'fast-forward', cleanup: false });
      expect(forwarded).toMatchObject({ merged: true, strategy: 'fast-forward' });
      expect(rev(repo, 'main')).toBe(heads[1]);
      // the base has moved on (delta's work): gamma lands with a merge commit
      const merged = await review.merge({ agent: 'gamma', strategy: 'merge-commit', cleanup: false });
      expect(merged).toMatchObject({ merged: true, strategy: 'merge-commit' });
      expect(git(repo, 'rev-list', '--merges', '--count', 'main').trim()).toBe('1');
      // neither worktree moved under its running agent
      expect([rev(gamma, 'HEAD'), rev(delta, 'HEAD')]).toEqual(heads);
    },
    scaled(60_000),
  );
});
