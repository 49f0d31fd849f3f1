// `devmesh agent diff|merge|discard` and the git line of `devmesh status`, end to end: a real daemon, a real
// git repository that is also the open project, and fake agent CLIs in real terminals that edit and commit
// in their own worktrees. The diff reads as git's (and ends quietly when piped into `head -1`); a merge that
// would conflict lists the files and exits 1 with the checkout untouched; --rebase and --ff land; discard
// removes the worktree and the branch.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../main/cli/status-view.js';
import type { ReviewSummary } from '../../shared/review.js';
import { tempDir, waitFor, writeProject } from '../api/test-project.js';
import { git, writeScript } from '../core/agents/fake-cli.js';
import { scaled } from '../helpers/load-scale.js';
import { BIN, CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';

const tmp = tempDir('devmesh-cli-review-');
const repo = join(tmp.dir, 'shop');
const identity = {
  GIT_AUTHOR_NAME: 'Reviewer',
  GIT_AUTHOR_EMAIL: 'reviewer@devmesh.invalid',
  GIT_COMMITTER_NAME: 'Reviewer',
  GIT_COMMITTER_EMAIL: 'reviewer@devmesh.invalid',
};
const cli = new CliHarness(join(tmp.dir, 'home'), repo, identity);
let daemon: RunningCli | undefined;

beforeAll(async () => {
  ensureCliBuilt();
  mkdirSync(repo, { recursive: true });
  writeProject(repo, 'shop', { api: { autostart: false } });
  writeFileSync(join(repo, 'README.md'), '# shop\n');
  git(repo, 'init', '-q');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'first');
  ({ daemon } = await cli.up(['--project', repo]));
}, scaled(90_000));

afterAll(async () => {
  await daemon?.stop('SIGTERM');
  tmp.dispose();
});

/** `devmesh agent start --command <script> --worktree <name>`; resolves once the script's edits are done. */
async function agentDoing(name: string, body: string): Promise<void> {
  const marker = join(tmp.dir, `done-${name}`);
  const script = writeScript(
    join(tmp.dir, 'bin'),
    `agent-${name}`,
    `${body}\ntouch '${marker}'\nwhile read line; do echo "got $line"; done`,
  );
  const r = await cli.run(['agent', 'start', '--command', script, '--name', name, '--worktree', name]);
  expect(r.code, r.stderr).toBe(0);
  await waitFor(`agent ${name} to finish its edits`, () => existsSync(marker), scaled(20_000));
}

const commit = (msg: string) =>
  `git add -A && git -c user.name=Agent -c user.email=agent@devmesh.invalid commit -q -m '${msg}'`;

/** `bash -c "devmesh … | head -1"`: the first line, devmesh's stderr and its exit status. */
function throughHead(args: string[]): Promise<{ line: string; stderr: string; status: string }> {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const err = join(tmp.dir, `stderr-${Date.now()}`);
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', `${quoted} 2>"$ERR" | head -1; echo "status=\${PIPESTATUS[0]}" >&2`], {
      cwd: repo,
      env: { ...process.env, ...identity, DEVMESH_HOME: cli.home, NO_COLOR: '1', ERR: err },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let status = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (status += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), scaled(60_000));
    child.once('exit', () => {
      clearTimeout(timer);
      resolve({ line: out, stderr: readFileSync(err, 'utf8'), status: /status=(\d+)/.exec(status)?.[1] ?? status });
    });
  });
}

describe('devmesh agent diff|merge|discard', () => {
  it(
    'shows the diff as git does, --stat and --json, and ends quietly when piped into head',
    async () => {
      await agentDoing(
        'alpha',
        [
          `printf 'one\\ntwo\\n' > alpha.txt && ${commit('alpha')}`,
          `printf 'more\\n' >> README.md && printf 'x\\000y' > blob.bin`,
          // many files, so the whole diff is well over a pipe's 64 KB
          `mkdir -p many && for i in $(seq 1 300); do seq 1 60 > many/f$i.txt; done`,
        ].join('\n'),
      );
      const summary = await cli.json<ReviewSummary>(['agent', 'diff', 'alpha']);
      expect(summary).toMatchObject({ branch: 'alpha', base: 'main', ahead: 1, dirty: true });
      expect(summary.files).toHaveLength(303);

      const stat = await cli.run(['agent', 'diff', 'alpha', '--stat']);
      expect(stat.code, stat.stderr).toBe(0);
      expect(stat.stdout).toMatch(/^ README\.md\s+\| \+1 -0 \(uncommitted\)$/m);
      expect(stat.stdout).toMatch(/^ alpha\.txt\s+\| \+2 -0$/m);
      expect(stat.stdout).toMatch(/^ blob\.bin\s+\| binary \(uncommitted\)$/m);
      expect(stat.stdout).toMatch(/303 files changed, 18003 insertions\(\+\), 0 deletions\(-\)/);

      const full = await cli.run(['agent', 'diff', 'alpha'], { timeoutMs: scaled(60_000) });
      expect(full.code, full.stderr).toBe(0);
      expect(full.stdout).toMatch(/^# alpha against main \(1 ahead, 0 behind; uncommitted changes\)/);
      expect(full.stdout).toContain('diff --git a/README.md b/README.md');
      expect(full.stdout).toContain('+more');
      expect(full.stdout).toContain('Binary file blob.bin differs');

      const head = await throughHead(['agent', 'diff', 'alpha']);
      expect(head.line).toMatch(/^# alpha against main/);
      expect(head.stderr).toBe('');
      expect(head.status).toBe('0');
      // 300 files through git four times, each call waiting up to a scaled minute: 40-50 s at load 5-7
    },
    scaled(180_000),
  );

  it('merges with -m and --rebase, fast-forwards with --ff, and says why a fast-forward is impossible', async () => {
    const underAgent = await cli.run(['agent', 'merge', 'alpha', '--rebase', '-m', 'alpha: the rest']);
    expect(underAgent.code).toBe(1);
    expect(underAgent.stderr).toMatch(/agent alpha is \w+ in .*stop it first \(`devmesh agent stop alpha`\)/);
    expect((await cli.run(['agent', 'stop', 'alpha'])).code).toBe(0);
    const merged = await cli.run(['agent', 'merge', 'alpha', '--rebase', '-m', 'alpha: the rest']);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toMatch(/Landed the work of alpha \(rebase\): its base is now at [0-9a-f]{12}/);
    expect(readFileSync(join(repo, 'README.md'), 'utf8')).toContain('more');
    expect(git(repo, 'log', '--format=%s', '-2').trim().split('\n')).toEqual(['alpha: the rest', 'alpha']);

    await agentDoing('beta', `printf 'beta\\n' > beta.txt && ${commit('beta')}`);
    writeFileSync(join(repo, 'user.txt'), 'user\n');
    git(repo, 'add', 'user.txt');
    git(repo, 'commit', '-q', '-m', 'user');
    const ff = await cli.run(['agent', 'merge', 'beta', '--ff']);
    expect(ff.code).toBe(1);
    expect(ff.stderr).toMatch(/cannot be fast-forwarded.*--rebase/);
    expect((await cli.run(['agent', 'merge', 'beta', '--rebase', '--ff'])).code).toBe(2);
    expect((await cli.run(['agent', 'stop', 'beta'])).code).toBe(0);
    const rebased = await cli.run(['agent', 'merge', 'beta', '--rebase']);
    expect(rebased.code, rebased.stderr).toBe(0);
    await agentDoing('gamma', `printf 'gamma\\n' > gamma.txt && ${commit('gamma')}`);
    const fast = await cli.run(['agent', 'merge', 'gamma', '--ff', '--json']);
    expect(JSON.parse(fast.stdout)).toMatchObject({ merged: true, strategy: 'fast-forward' });
  });

  it('lists conflicts file by file, exits 1 and leaves the checkout clean', async () => {
    await agentDoing('delta', `printf '# shop by delta\\n' > README.md && ${commit('delta')}`);
    writeFileSync(join(repo, 'README.md'), '# the shop\n');
    git(repo, 'commit', '-q', '-am', 'user: title');
    const before = git(repo, 'rev-parse', 'HEAD').trim();
    const r = await cli.run(['agent', 'merge', 'delta']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Not merged: 1 file would conflict; nothing was changed/);
    expect(r.stdout).toMatch(/^ {2}README\.md \(content\): CONFLICT \(content\): Merge conflict in README\.md$/m);
    expect(git(repo, 'status', '--porcelain').trim()).toBe('');
    expect(existsSync(join(repo, '.git', 'MERGE_HEAD'))).toBe(false);
    expect(git(repo, 'rev-parse', 'HEAD').trim()).toBe(before);
  });

  it('discards: refused while running, then --force removes the worktree and the branch', async () => {
    const refused = await cli.run(['agent', 'discard', 'delta']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/still .* --force/);
    const r = await cli.run(['agent', 'discard', 'delta', '--force']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Discarded the work of delta: its worktree is removed with its branch/);
    expect(existsSync(join(repo, '.devmesh', 'worktrees', 'delta'))).toBe(false);
    expect(git(repo, 'branch', '--list', 'delta').trim()).toBe('');
  });

  it('puts the project’s git status in `devmesh status`', async () => {
    writeFileSync(join(repo, 'scratch.txt'), 'x\n');
    const text = await cli.run(['status']);
    expect(text.stdout).toMatch(/^git: main, 1 untracked$/m);
    const report = await cli.json<StatusReport>(['status']);
    expect(report.git?.shop).toMatchObject({ branch: 'main', untracked: 1, changed: 0, detached: false });
  });
});
