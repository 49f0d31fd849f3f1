// Landing while another landing runs in the same repository (a double click on Merge, two agents landed at
// once from two faces): git's checkout takes one change at a time, so the second landing must wait for the
// first and then judge what is left, never race it (two merges of one branch, tasks completed twice, or a
// `merge --abort` that undoes the other's merge). Real git and worktrees; the agents, audit and task ports are
// stand-ins of AgentReview's own interfaces (a unit test of that class).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AgentRecord } from '../../../shared/agent.js';
import type { AuditAppend } from '../../../shared/audit.js';
import { WorktreeManager } from '../../../main/core/agents/worktree-manager.js';
import { ReviewModule } from '../../../main/core/review/review-module.js';
import { tempDir } from '../../api/test-project.js';
import { scaled } from '../../helpers/load-scale.js';
import { git, makeRepo } from '../agents/fake-cli.js';

const tmp = tempDir('devmesh-review-race-');
afterAll(() => tmp.dispose());

async function setup(name: string, agents: string[], tasksPort?: { landed(agentId: string): Promise<string[]> }) {
  const repo = makeRepo(join(tmp.dir, name));
  const worktrees = new WorktreeManager();
  const records = new Map<string, AgentRecord>();
  for (const agent of agents) {
    const wt = await worktrees.create({ repo, branch: agent });
    writeFileSync(join(wt.path, `${agent}.txt`), `${agent}\n`);
    git(wt.path, 'add', '-A');
    git(wt.path, 'commit', '-q', '-m', `${agent}: work`);
    records.set(agent, {
      id: `id-${agent}`,
      name: agent,
      status: 'exited',
      cwd: wt.path,
      worktree: { path: wt.path, branch: wt.branch, repo },
      task: null,
    } as unknown as AgentRecord);
  }
  const recorded: AuditAppend[] = [];
  const landed: string[] = [];
  const module = new ReviewModule({
    agents: {
      get: (ref) => records.get(ref) ?? [...records.values()].find((r) => r.id === ref)!,
      stop: async (ref) => records.get(ref)!,
      list: () => [...records.values()],
    },
    worktrees: { remove: (input) => worktrees.remove(input) },
    audit: { admit: async () => undefined, record: async (e) => void recorded.push(e) },
    tasks: tasksPort ?? {
      landed: async (agentId) => {
        landed.push(agentId);
        return [];
      },
    },
    emit: () => undefined,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Reviewer',
      GIT_AUTHOR_EMAIL: 'reviewer@devmesh.invalid',
      GIT_COMMITTER_NAME: 'Reviewer',
      GIT_COMMITTER_EMAIL: 'reviewer@devmesh.invalid',
    },
  });
  return { repo, review: module.review, recorded, landed };
}

const clean = (repo: string) => git(repo, 'status', '--porcelain').trim() === '';

describe('landings that overlap in one repository', () => {
  it(
    'land one branch once when its merge is asked twice at once; the second says there is nothing left',
    async () => {
      const { repo, review, recorded, landed } = await setup('twice', ['alpha']);
      const asks = await Promise.allSettled([
        review.merge({ agent: 'alpha', strategy: 'merge-commit', cleanup: false }),
        review.merge({ agent: 'alpha', strategy: 'merge-commit', cleanup: false }),
      ]);
      const merged = asks.filter((a) => a.status === 'fulfilled' && a.value.merged);
      expect(merged).toHaveLength(1);
      const refused = asks.find((a) => a.status === 'rejected') as PromiseRejectedResult | undefined;
      expect(refused?.reason).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/nothing to land/) });
      expect(landed).toEqual(['id-alpha']);
      expect(recorded.filter((e) => e.kind === 'review.merged')).toHaveLength(1);
      expect(git(repo, 'rev-list', '--merges', '--count', 'main').trim()).toBe('1');
      expect(clean(repo)).toBe(true);
    },
    scaled(60_000),
  );

  it(
    'land two agents’ branches asked at once, one after the other, and leave the checkout clean',
    async () => {
      const { repo, review, landed } = await setup('pair', ['beta', 'gamma', 'delta']);
      const asks = await Promise.allSettled(
        ['beta', 'gamma', 'delta'].map((agent) => review.merge({ agent, strategy: 'merge-commit', cleanup: false })),
      );
      expect(asks.map((a) => (a.status === 'fulfilled' ? a.value.merged : String(a.reason)))).toEqual([
        true,
        true,
        true,
      ]);
      expect(landed.sort()).toEqual(['id-beta', 'id-delta', 'id-gamma']);
      for (const agent of ['beta', 'gamma', 'delta'])
        expect(git(repo, 'merge-base', '--is-ancestor', agent, 'main') === '').toBe(true);
      expect(clean(repo)).toBe(true);
    },
    scaled(60_000),
  );
});

describe('a landing whose tasks cannot all be completed', () => {
  it(
    'is still a landing: answered merged, recorded with the reason, and cleaned up as asked',
    async () => {
      const { repo, review, recorded } = await setup('tasks-fail', ['eps'], {
        landed: async () => {
          throw Object.assign(new Error('task task-1 is already COMPLETED'), { code: 'CONFLICT' });
        },
      });
      const outcome = await review.merge({ agent: 'eps', strategy: 'merge-commit', cleanup: true });
      expect(outcome).toMatchObject({ merged: true, completedTasks: [] });
      expect(git(repo, 'branch', '--list', 'eps').trim()).toBe(''); // cleaned up
      const merged = recorded.find((e) => e.kind === 'review.merged');
      expect(merged?.data).toMatchObject({ completedTasks: [], tasksNotCompleted: expect.stringMatching(/already/) });
      expect(clean(repo)).toBe(true);
    },
    scaled(60_000),
  );
});
