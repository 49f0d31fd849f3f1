// A project's git status for the Services view's header and `devmesh status`: its branch, the upstream it
// tracks and how far ahead and behind it is, and how many files are changed or untracked. One
// `git status --porcelain=v2 -z --branch` (no network: ahead/behind are against the last fetch).
import type { GitStatus } from '../../../shared/review.js';
import type { GitRunner } from '../base/git-runner.js';
import { parsePorcelainV2 } from './porcelain-status.js';

const OUTSIDE: GitStatus = {
  branch: null,
  upstream: null,
  ahead: 0,
  behind: 0,
  changed: 0,
  untracked: 0,
  detached: false,
};

export class ProjectGitStatus {
  constructor(private readonly git: GitRunner) {}

  async of(root: string): Promise<GitStatus> {
    const r = await this.git.run(root, ['status', '--porcelain=v2', '-z', '--branch', '--untracked-files=normal']);
    if (r.code !== 0) return OUTSIDE; // not a git repository (git says so and exits 128)
    const { branch, entries } = parsePorcelainV2(r.stdout);
    return {
      branch: branch.head,
      upstream: branch.upstream,
      ahead: branch.ahead,
      behind: branch.behind,
      changed: entries.filter((e) => e.type === '1' || e.type === '2' || e.type === 'u').length,
      untracked: entries.filter((e) => e.type === '?').length,
      detached: branch.detached,
    };
  }
}
