// Review figures (printed, never asserted), against a baseline measured in the same run: an agent's branch
// with 500 changed files (300 modified and 100 added in commits, 50 modified and 50 untracked in its
// worktree) in a repository of 2,000 files. Timed, median of --runs:
//   1. the summary (the full change list: ChangeSummary, four git calls and the untracked files read);
//   2. the first file's diff (FileDiffReader: what the Review view shows first);
//   3. both as a view gets them (summary, then the first diff);
// beside `git diff --stat <merge base>` in the worktree (git's own changed-file list with counts).
// Runs main/core/review's TypeScript (bundled in memory by esbuild: the code in the tree, not dist) in this
// process; the API adds one loopback WebSocket round trip to each (see bench:locks for that figure).
// Usage: npm run bench:review [-- --runs 7 --files 500 --repo-files 2000]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadTs } from './ts-module.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: o } = parseArgs({
  options: { runs: { type: 'string' }, files: { type: 'string' }, 'repo-files': { type: 'string' } },
});
const RUNS = Number(o.runs ?? 7);
const CHANGED = Number(o.files ?? 500);
const REPO_FILES = Math.max(Number(o['repo-files'] ?? 2000), CHANGED);

function loadReview() {
  return loadTs(root, 'bench', 'bench-review', [
    "export { GitRunner } from './main/core/review/git-runner.ts';",
    "export { ChangeSummary } from './main/core/review/change-summary.ts';",
    "export { FileDiffReader } from './main/core/review/file-diff-reader.ts';",
  ]);
}

const env = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Bench',
  GIT_AUTHOR_EMAIL: 'bench@devmesh.invalid',
  GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@devmesh.invalid',
  LC_ALL: 'C',
};
const git = (cwd, ...args) => execFileSync('git', args, { cwd, env, encoding: 'utf8', maxBuffer: 256 << 20 });
const body = (seed, lines = 40) =>
  Array.from({ length: lines }, (_, i) => `line ${i} of file ${seed}`).join('\n') + '\n';
const fileName = (i) => `src/m${Math.floor(i / 100)}/f${i}.ts`;

function makeRepo(dir) {
  const repo = join(dir, 'repo');
  for (let i = 0; i < REPO_FILES; i++) {
    mkdirSync(dirname(join(repo, fileName(i))), { recursive: true });
    writeFileSync(join(repo, fileName(i)), body(i));
  }
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'base');
  const wt = join(dir, 'wt');
  git(repo, 'worktree', 'add', '-q', '-b', 'agent', wt);
  const share = (n) => Math.round((CHANGED * n) / 10);
  const [modified, added, dirty] = [share(6), share(2), share(1)];
  const untracked = CHANGED - modified - added - dirty;
  let k = 0;
  for (let i = 0; i < modified; i++, k++) writeFileSync(join(wt, fileName(k)), body(k) + `changed ${k}\n`);
  for (let i = 0; i < added; i++) {
    mkdirSync(join(wt, 'added'), { recursive: true });
    writeFileSync(join(wt, 'added', `a${i}.ts`), body(`a${i}`));
  }
  git(wt, 'add', '-A');
  git(wt, 'commit', '-q', '-m', 'agent work');
  for (let i = 0; i < dirty; i++, k++) writeFileSync(join(wt, fileName(k)), `rewritten ${k}\n` + body(k, 20));
  mkdirSync(join(wt, 'new'), { recursive: true });
  for (let i = 0; i < untracked; i++) writeFileSync(join(wt, 'new', `u${i}.ts`), body(`u${i}`));
  return { repo, wt, mergeBase: git(wt, 'merge-base', 'main', 'HEAD').trim() };
}

async function median(fn) {
  const times = [];
  let last;
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    last = await fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], last };
}

const dir = mkdtempSync(join(tmpdir(), 'devmesh-bench-review-'));
try {
  const { GitRunner, ChangeSummary, FileDiffReader } = await loadReview();
  console.log(`bench:review  ${cpus().length} cores, load ${loadavg()[0].toFixed(1)}; ${RUNS} runs each, median`);
  const t0 = Date.now();
  const { repo, wt, mergeBase } = makeRepo(dir);
  console.log(`repository: ${REPO_FILES} files, branch with ${CHANGED} changed files (built in ${Date.now() - t0} ms)`);
  const runner = new GitRunner({ env });
  const changes = new ChangeSummary(runner);
  const files = new FileDiffReader(runner, changes);
  const tree = { agentId: null, path: wt, branch: 'agent', repo, base: 'main' };

  const baseline = await median(() => git(wt, 'diff', '--stat=200', mergeBase));
  const listed = baseline.last.trim().split('\n').length - 1;
  const summary = await median(() => changes.summary(tree, 10_000));
  const first = summary.last.files[0].path;
  const diff = await median(() => files.diff(tree, first));
  const both = await median(async () => {
    const s = await changes.summary(tree, 10_000);
    return files.diff(tree, s.files[0].path);
  });
  const rows = [
    ['git diff --stat (baseline)', baseline.ms, `${listed} files (tracked only)`],
    ['summary: the full list', summary.ms, `${summary.last.files.length} files, truncated=${summary.last.truncated}`],
    ['first file’s diff', diff.ms, `${first}, ${diff.last.patch?.length ?? 0} bytes of patch`],
    ['summary, then first diff', both.ms, 'what the Review view waits for'],
  ];
  console.log('');
  console.log(`${'what'.padEnd(30)} ${'median ms'.padStart(10)} ${'× baseline'.padStart(11)}  notes`);
  for (const [what, ms, note] of rows)
    console.log(
      `${what.padEnd(30)} ${ms.toFixed(1).padStart(10)} ${(ms / baseline.ms).toFixed(2).padStart(11)}  ${note}`,
    );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
