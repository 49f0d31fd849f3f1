// Reviewing and landing agents' work through the one API on a real core: real agents (fake CLIs in real
// terminals) edit, commit and leave files in their own git worktrees of a real repository; the change list
// and one file's diff come back through review.*; each landing strategy puts the work on the base branch; a
// conflicting change on the base is found before anything is attempted and the checkout stays clean; a
// discard removes the worktree and the branch. Binary and large files, the audit trail, the task board and
// `review.changed` are checked on the way.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentRecord } from '../../shared/agent.js';
import type { DevMeshEvent } from '../../shared/events.js';
import { git, writeScript } from '../core/agents/fake-cli.js';
import { scaled } from '../helpers/load-scale.js';
import { TestCore } from './test-core.js';
import { waitFor } from './test-project.js';

let dm: TestCore;
let repo: string;
const events: DevMeshEvent[] = [];
const IDENTITY = {
  GIT_AUTHOR_NAME: 'Reviewer',
  GIT_AUTHOR_EMAIL: 'reviewer@devmesh.invalid',
  GIT_COMMITTER_NAME: 'Reviewer',
  GIT_COMMITTER_EMAIL: 'reviewer@devmesh.invalid',
};
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  // the daemon's git commits as the user: the identity comes from the environment it runs in
  for (const [k, v] of Object.entries(IDENTITY)) [saved[k], process.env[k]] = [process.env[k], v];
  dm = await TestCore.open({
    prefix: 'devmesh-review-',
    project: 'shop',
    files: { 'README.md': '# shop\nline two\n', 'src/cart.ts': 'export const total = 0;\n' },
  });
  repo = dm.projectDir;
  git(repo, 'init', '-q');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'first');
  dm.core.events.onDidEmitEvent((e) => events.push(e));
}, scaled(60_000));

afterAll(async () => {
  await dm?.dispose();
  for (const [k, v] of Object.entries(saved))
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
});

/** An agent in a new worktree on branch `name`: runs `body` there, says so (a file beside the run), then waits. */
async function agentDoing(name: string, body: string): Promise<AgentRecord> {
  const marker = join(dm.dir, `done-${name}`);
  const script = writeScript(
    join(dm.dir, 'bin'),
    `agent-${name}`,
    `${body}\ntouch '${marker}'\nwhile read line; do echo "got $line"; done`,
  );
  const agent = await dm.call('agents.start', { command: script, name, cwd: repo, worktree: name });
  await waitFor(`agent ${name} to finish its edits`, () => existsSync(marker));
  return agent;
}

const commit = (msg: string) =>
  `git add -A && git -c user.name=Agent -c user.email=agent@devmesh.invalid commit -q -m '${msg}'`;
const head = (ref = 'main') => git(repo, 'rev-parse', ref).trim();
const clean = () => git(repo, 'status', '--porcelain').trim() === '' && !existsSync(join(repo, '.git', 'MERGE_HEAD'));

describe('review and land an agent’s work', () => {
  it('lists committed, uncommitted, untracked, binary and large changes, and one file’s diff', async () => {
    const agent = await agentDoing(
      'alpha',
      [
        `seq 1 3000 > big.txt && printf 'export const alpha = 1;\\n' > src/alpha.ts && ${commit('alpha: add')}`,
        `printf 'edited by alpha\\n' >> README.md`,
        `mkdir -p notes assets && printf 'one\\ntwo\\n' > notes/alpha.md && printf 'PNG\\000\\001\\002' > assets/logo.bin`,
      ].join('\n'),
    );
    const summary = await dm.call('review.summary', { agent: 'alpha' });
    expect(summary).toMatchObject({
      agentId: agent.id,
      branch: 'alpha',
      base: 'main',
      ahead: 1,
      behind: 0,
      dirty: true,
    });
    expect(summary.mergeBase).toBe(head());
    const byPath = Object.fromEntries(summary.files.map((f) => [f.path, f]));
    expect(Object.keys(byPath).sort()).toEqual(
      ['README.md', 'assets/logo.bin', 'big.txt', 'notes/alpha.md', 'src/alpha.ts'].sort(),
    );
    expect(byPath['README.md']).toMatchObject({ kind: 'modified', added: 1, removed: 0, where: 'uncommitted' });
    expect(byPath['src/alpha.ts']).toMatchObject({ kind: 'added', added: 1, removed: 0, where: 'committed' });
    expect(byPath['big.txt']).toMatchObject({ kind: 'added', added: 3000, binary: false, where: 'committed' });
    expect(byPath['notes/alpha.md']).toMatchObject({ kind: 'added', added: 2, where: 'uncommitted' });
    expect(byPath['assets/logo.bin']).toMatchObject({ binary: true, added: null, removed: null });

    const page = await dm.call('review.summary', { agent: agent.id, limit: 2 });
    expect(page.files).toHaveLength(2);
    expect(page.truncated).toBe(true);

    const readme = await dm.call('review.file', { agent: 'alpha', path: 'README.md' });
    expect(readme).toMatchObject({ kind: 'modified', binary: false, tooLarge: false });
    expect(readme.patch).toMatch(/^diff --git a\/README\.md b\/README\.md/);
    expect(readme.patch).toContain('+edited by alpha');
    const untracked = await dm.call('review.file', { agent: 'alpha', path: 'notes/alpha.md' });
    expect(untracked.patch).toContain('+two');
    expect(untracked).toMatchObject({ kind: 'added', oldSize: null, newSize: 8 });
    const binary = await dm.call('review.file', { agent: 'alpha', path: 'assets/logo.bin' });
    expect(binary).toMatchObject({ binary: true, patch: null });
    const large = await dm.call('review.file', { agent: 'alpha', path: 'big.txt', maxBytes: 4096 });
    expect(large).toMatchObject({ tooLarge: true, patch: null, binary: false });
    expect(large.newSize).toBeGreaterThan(4096);
    expect((await dm.call('review.file', { agent: 'alpha', path: 'big.txt' })).patch).toContain('+3000');

    const outside = await dm.refused('review.file', { agent: 'alpha', path: '../../etc/passwd' });
    expect(outside.code).toBe('BAD_REQUEST');
    expect(outside.message).toMatch(/not among the changes of alpha/);
    const unknown = await dm.refused('review.summary', { agent: 'nobody' });
    expect(unknown.message).toMatch(/devmesh agent ls/);
  });

  it('lands with a merge commit (committing first), completes the agent’s task and releases its locks', async () => {
    const task = await dm.call('tasks.create', { title: 'Alpha', prompt: 'add alpha', files: ['src/**'] });
    await dm.call('tasks.bid', { task: task.id, agent: 'alpha' });
    expect((await dm.call('tasks.get', { task: task.id })).state).toBe('CLAIMED');
    const lockCount = async () =>
      (await dm.call('locks.list', {})).flatMap((s) => s.locks).filter((l) => l.holder.startsWith('agent-')).length;
    expect(await lockCount()).toBeGreaterThan(0);
    const before = head();
    const seen = events.length;

    const outcome = await dm.call('review.merge', { agent: 'alpha', commitMessage: 'alpha: the rest' });
    expect(outcome).toMatchObject({ merged: true, strategy: 'merge-commit', completedTasks: [task.id] });
    if (!outcome.merged) throw new Error('not merged');
    expect(outcome.head).toBe(head());
    expect(git(repo, 'rev-list', '--parents', '-n', '1', 'main').trim().split(' ')).toHaveLength(3); // a merge
    expect(git(repo, 'rev-parse', 'main^1').trim()).toBe(before);
    expect(readFileSync(join(repo, 'README.md'), 'utf8')).toContain('edited by alpha');
    expect(existsSync(join(repo, 'assets/logo.bin'))).toBe(true);
    expect(clean()).toBe(true);
    expect((await dm.call('tasks.get', { task: task.id })).state).toBe('COMPLETED');
    expect(await lockCount()).toBe(0);
    const kinds = (await dm.call('audit.list', { kind: 'review' })).entries.map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['review.committed', 'review.merged']));
    expect(events.slice(seen).filter((e) => e.type === 'review.changed')).not.toHaveLength(0);
    const after = await dm.call('review.summary', { agent: 'alpha' });
    expect(after).toMatchObject({ ahead: 0, dirty: false, files: [] });
  });

  it('fast-forwards when the base has not moved; refuses to when it has, and rebases instead', async () => {
    await agentDoing('beta', `printf 'beta\\n' > src/beta.ts && ${commit('beta')}`);
    const ff = await dm.call('review.merge', { agent: 'beta', strategy: 'fast-forward' });
    expect(ff).toMatchObject({ merged: true, strategy: 'fast-forward' });
    expect(head()).toBe(git(repo, 'rev-parse', 'refs/heads/beta').trim());

    await agentDoing('gamma', `printf 'gamma\\n' > src/gamma.ts && ${commit('gamma')}`);
    writeFileSync(join(repo, 'CHANGELOG.md'), 'user work\n');
    git(repo, 'add', 'CHANGELOG.md');
    git(repo, 'commit', '-q', '-m', 'user: changelog');
    const merges = git(repo, 'rev-list', '--merges', '--count', 'main').trim();
    const refused = await dm.refused('review.merge', { agent: 'gamma', strategy: 'fast-forward' });
    expect(refused.code).toBe('CONFLICT');
    expect(refused.message).toMatch(/cannot be fast-forwarded.*--rebase/);
    // a rebase rewrites gamma's branch in its worktree: not while gamma runs there
    const underAgent = await dm.refused('review.merge', { agent: 'gamma', strategy: 'rebase' });
    expect(underAgent.code).toBe('CONFLICT');
    expect(underAgent.message).toMatch(/agent gamma is \w+ in .*stop it first.*merge commit/);
    expect(head()).not.toBe(git(repo, 'rev-parse', 'refs/heads/gamma').trim());
    await dm.call('agents.stop', { agent: 'gamma' });
    const rebased = await dm.call('review.merge', { agent: 'gamma', strategy: 'rebase' });
    expect(rebased).toMatchObject({ merged: true, strategy: 'rebase' });
    expect(git(repo, 'rev-list', '--merges', '--count', 'main').trim()).toBe(merges); // linear
    expect(git(repo, 'log', '--format=%s', '-2', 'main').trim().split('\n')).toEqual(['gamma', 'user: changelog']);
    expect(existsSync(join(repo, 'src/gamma.ts'))).toBe(true);
    expect(clean()).toBe(true);
  });

  it('finds a conflict with the base before merging and leaves the checkout clean', async () => {
    const agent = await agentDoing(
      'delta',
      `printf '# shop by delta\\nline two\\n' > README.md && ${commit('delta: title')}`,
    );
    writeFileSync(join(repo, 'README.md'), readFileSync(join(repo, 'README.md'), 'utf8').replace('# shop', '# Shop!'));
    git(repo, 'commit', '-q', '-am', 'user: title');
    const before = head();
    const branchBefore = git(repo, 'rev-parse', 'refs/heads/delta').trim();
    await dm.call('agents.stop', { agent: 'delta' }); // so that a rebase may be tried too

    const { conflicts } = await dm.call('review.check', { agent: 'delta' });
    expect(conflicts).toEqual([expect.objectContaining({ path: 'README.md', kind: 'content' })]);
    expect(conflicts[0]!.message).toMatch(/Merge conflict in README\.md/);
    for (const strategy of ['merge-commit', 'rebase', 'fast-forward'] as const) {
      const outcome = await dm.call('review.merge', { agent: 'delta', strategy });
      expect(outcome).toMatchObject({ merged: false, conflicts: [expect.objectContaining({ path: 'README.md' })] });
      expect(clean()).toBe(true);
      expect(head()).toBe(before);
      expect(git(repo, 'rev-parse', 'refs/heads/delta').trim()).toBe(branchBefore);
      expect(git(agent.worktree!.path, 'status', '--porcelain').trim()).toBe('');
    }
  });

  it('refuses to land into a dirty checkout, or one not on the base branch, saying how to fix it', async () => {
    await agentDoing('eps', `printf 'eps\\n' > src/eps.ts && ${commit('eps')}`);
    writeFileSync(join(repo, 'src/cart.ts'), 'export const total = 2;\n');
    const dirty = await dm.refused('review.merge', { agent: 'eps' });
    expect(dirty).toMatchObject({ code: 'CONFLICT' });
    expect(dirty.message).toMatch(/uncommitted changes \(src\/cart\.ts\).*stash/);
    git(repo, 'checkout', '--', 'src/cart.ts');
    git(repo, 'switch', '-q', '-c', 'elsewhere');
    const away = await dm.refused('review.check', { agent: 'eps' });
    expect(away.message).toMatch(/on branch elsewhere, not on main.*git -C .* switch main/);
    git(repo, 'switch', '-q', 'main');
    expect((await dm.call('review.check', { agent: 'eps' })).conflicts).toEqual([]);
  });

  it('discards: refused while the agent runs unless forced; removes the worktree and the branch', async () => {
    const eps = await dm.call('agents.list', {}).then((l) => l.find((a) => a.name === 'eps')!);
    const running = await dm.refused('review.discard', { agent: 'eps' });
    expect(running.code).toBe('CONFLICT');
    expect(running.message).toMatch(/still .*--force/);
    expect((await dm.call('review.discard', { agent: 'eps', force: true })).discarded).toBe(eps.id);
    expect(existsSync(eps.worktree!.path)).toBe(false);
    expect(git(repo, 'branch', '--list', 'eps').trim()).toBe('');
    expect((await dm.call('agents.list', {})).find((a) => a.name === 'eps')?.status).toBe('exited');

    const zeta = await agentDoing('zeta', `printf 'zeta\\n' > src/zeta.ts && ${commit('zeta')}`);
    await dm.call('agents.stop', { agent: 'zeta' });
    await dm.call('review.discard', { agent: 'zeta', keepBranch: true });
    expect(existsSync(zeta.worktree!.path)).toBe(false);
    expect(git(repo, 'branch', '--list', 'zeta').trim()).toBe('zeta');
    const kinds = (await dm.call('audit.list', { kind: 'review.discarded' })).entries.map((e) => e.subject);
    expect(kinds).toEqual(expect.arrayContaining(['eps', 'zeta']));
    expect(clean()).toBe(true);
  });

  it('tells the project’s git status', async () => {
    expect(await dm.call('projects.git', {})).toEqual({
      branch: 'main',
      upstream: null,
      ahead: 0,
      behind: 0,
      changed: 0,
      untracked: 0,
      detached: false,
    });
    writeFileSync(join(repo, 'scratch.txt'), 'x\n');
    writeFileSync(join(repo, 'src/cart.ts'), 'export const total = 3;\n');
    expect(await dm.call('projects.git', { project: 'shop' })).toMatchObject({ changed: 1, untracked: 1 });
    git(repo, 'checkout', '--', 'src/cart.ts');
    git(repo, 'clean', '-qf', 'scratch.txt');
  });
});
