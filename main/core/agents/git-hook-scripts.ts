// The git hooks folder of one agent session. The agent's environment points core.hooksPath at it through
// GIT_CONFIG_COUNT / GIT_CONFIG_KEY_n / GIT_CONFIG_VALUE_n (git 2.31+, git-config(1) "ENVIRONMENT"), so
// nothing in the repository changes and only the agent's own git commands see it. Since core.hooksPath
// replaces the repository's hooks folder, every standard hook name gets a wrapper that first drops that
// override again, finds the repository's own hook (`git rev-parse --git-path hooks/<name>`, which honours the
// repository's core.hooksPath and linked worktrees) and runs it. pre-commit then asks DevMesh about the
// staged files (`devmesh hook pre-commit`).
import { chmodSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SessionCommandLine } from './session-command-line.js';

/** githooks(5), but fsmonitor-watchman (configured by path, not looked up by name) */
export const GIT_HOOK_NAMES = [
  'applypatch-msg',
  'pre-applypatch',
  'post-applypatch',
  'pre-commit',
  'pre-merge-commit',
  'prepare-commit-msg',
  'commit-msg',
  'post-commit',
  'pre-rebase',
  'post-checkout',
  'post-merge',
  'pre-push',
  'pre-receive',
  'update',
  'proc-receive',
  'post-receive',
  'post-update',
  'reference-transaction',
  'push-to-checkout',
  'pre-auto-gc',
  'post-rewrite',
  'sendemail-validate',
  'post-index-change',
  'p4-changelist',
  'p4-prepare-changelist',
  'p4-post-changelist',
  'p4-pre-submit',
] as const;

export class GitHookScripts {
  /**
   * `index`: which GIT_CONFIG_KEY_<n> is ours (the count the environment already had, usually 0), so a user's
   * own GIT_CONFIG_* entries survive and ours alone is dropped before the repository's hooks run.
   */
  constructor(
    private readonly dir: string,
    private readonly index: number,
    private readonly devmesh: SessionCommandLine,
    private readonly agentId: string,
  ) {}

  /** The environment that makes git use these hooks. */
  env(): Record<string, string> {
    return {
      GIT_CONFIG_COUNT: String(this.index + 1),
      [`GIT_CONFIG_KEY_${this.index}`]: 'core.hooksPath',
      [`GIT_CONFIG_VALUE_${this.index}`]: this.dir,
    };
  }

  /** Writes one executable script per hook name; returns their paths. */
  write(): string[] {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const real = realpathSync(this.dir);
    return GIT_HOOK_NAMES.map((name) => {
      const path = join(this.dir, name);
      writeFileSync(path, this.script(name, real), { mode: 0o755 });
      chmodSync(path, 0o755);
      return path;
    });
  }

  /** `realDir`: this folder with symlinks resolved, as `pwd -P` prints it */
  script(name: string, realDir = this.dir): string {
    const n = this.index;
    const lines = [
      '#!/bin/sh',
      `# DevMesh session hook (${name}) for agent ${this.agentId}: generated at launch, removed with the agent.`,
      "# It runs the repository's own hook, if any; pre-commit then asks DevMesh whether the staged files are locked.",
      "# Drop the core.hooksPath override DevMesh set for this session, so git finds the repository's hooks.",
      `if [ "\${GIT_CONFIG_COUNT:-}" = "${n + 1}" ]; then`,
      n === 0 ? '  unset GIT_CONFIG_COUNT' : `  GIT_CONFIG_COUNT=${n}; export GIT_CONFIG_COUNT`,
      `  unset GIT_CONFIG_KEY_${n} GIT_CONFIG_VALUE_${n}`,
      'fi',
      `repo_hook=$(git rev-parse --git-path hooks/${name} 2>/dev/null) || repo_hook=`,
      'case "$repo_hook" in /*|"") ;; *) repo_hook="$PWD/$repo_hook" ;; esac',
      // Never call ourselves (a repository whose own core.hooksPath names this folder).
      `if [ -n "$repo_hook" ] && [ -f "$repo_hook" ] && [ -x "$repo_hook" ] && [ "$(cd "$(dirname "$repo_hook")" && pwd -P)" != ${SessionCommandLine.quote(realDir)} ]; then`,
    ];
    if (name === 'pre-commit') {
      lines.push('  "$repo_hook" "$@" || exit $?', 'fi', this.devmesh.exec('hook', 'pre-commit'));
    } else {
      lines.push('  exec "$repo_hook" "$@"', 'fi', 'exit 0');
    }
    return `${lines.join('\n')}\n`;
  }
}
