// `devmesh agent diff|merge|discard <agent>`: reviewing an agent's work against its base branch and landing
// or discarding it (API review.*). `diff` prints each file's patch as it arrives, so `| head` reads the first
// lines without waiting for the rest; `--stat` is one line per file, `--json` the change list.
import { DevMeshError } from '../../../shared/errors.js';
import type { ChangedFile, MergeOutcome } from '../../../shared/review.js';
import { EXIT } from '../cli-command.js';
import type { CliContext } from '../cli-context.js';
import type { CommandArgs } from '../command-args.js';
import { UsageError } from '../usage-error.js';

export const REVIEW_USAGE = `       devmesh agent diff <agent> [--stat | --json]
       devmesh agent merge <agent> [--rebase | --ff] [-m MESSAGE] [--cleanup]
       devmesh agent discard <agent> [--keep-branch] [--force]`;

export const REVIEW_HELP = `\`agent diff\` shows what an agent started with --worktree changed against the branch it was made from
(committed, and not yet committed). \`agent merge\` lands it there (a merge commit; --ff fast-forwards only,
--rebase rebases it first, not while the agent runs); -m commits its uncommitted changes first, --cleanup removes its worktree and
branch once landed. Conflicts are found before anything changes, and listed file by file. \`agent discard\`
removes its worktree and branch (--keep-branch keeps the branch; --force stops a running agent first).`;

/** file diffs asked for ahead of the one being printed */
const AHEAD = 4;

export const REVIEW_OPTIONS = {
  stat: { type: 'boolean' },
  rebase: { type: 'boolean' },
  ff: { type: 'boolean' },
  message: { type: 'string', short: 'm' },
  cleanup: { type: 'boolean' },
  'keep-branch': { type: 'boolean' },
} as const;

export class AgentReviewCommands {
  async diff(ctx: CliContext, args: CommandArgs, agent: string): Promise<number> {
    return ctx.withClient(async (c) => {
      const summary = await c.call('review.summary', { agent, limit: 10_000 });
      if (args.flag('json')) {
        ctx.printJson(summary);
        return EXIT.ok;
      }
      if (args.flag('stat')) {
        ctx.print(AgentReviewCommands.stat(summary.files));
        if (summary.truncated) ctx.print(`(more files changed than listed)`);
        return EXIT.ok;
      }
      const state = `${summary.ahead} ahead, ${summary.behind} behind${summary.dirty ? '; uncommitted changes' : ''}`;
      ctx.print(`# ${summary.branch} against ${summary.base} (${state}) in ${summary.path}`);
      if (summary.files.length === 0) ctx.print('# no changes');
      // a few files ahead are asked for while one is printed (in order): the daemon's git runs meanwhile
      // settled results: a failure is thrown when its turn comes, never left unhandled in the queue
      const ask = (file: ChangedFile) =>
        c.call('review.file', { agent, path: file.path }).then(
          (diff) => ({ diff }),
          (error: unknown) => ({ error }),
        );
      const pending = summary.files.slice(0, AHEAD).map(ask);
      for (const [n, file] of summary.files.entries()) {
        const got = await pending[n]!;
        if (n + AHEAD < summary.files.length) pending.push(ask(summary.files[n + AHEAD]!));
        if ('error' in got) {
          // the agent is still at work: a listed file may be back to its base (or gone) by its turn
          if (!AgentReviewCommands.noLongerChanged(got.error)) throw got.error;
          ctx.print(`# ${file.path}: no longer changed (the agent is still at work?); the rest follows`);
          continue;
        }
        const { diff } = got;
        if (diff.patch !== null) ctx.print(diff.patch.replace(/\n$/, ''));
        else if (diff.binary) ctx.print(`Binary file ${file.path} differs`);
        else
          ctx.print(
            `# ${file.path}: too large to show (${diff.newSize ?? diff.oldSize} bytes); ` +
              `see \`git -C ${summary.path} diff ${summary.mergeBase} -- ${file.path}\``,
          );
      }
      return EXIT.ok;
    });
  }

  async merge(ctx: CliContext, args: CommandArgs, agent: string): Promise<number> {
    if (args.flag('rebase') && args.flag('ff'))
      throw new UsageError('choose one of --rebase and --ff (without either: a merge commit)', 'agent');
    const strategy = args.flag('rebase') ? 'rebase' : args.flag('ff') ? 'fast-forward' : 'merge-commit';
    const message = args.string('message');
    const outcome = await ctx.withClient((c) =>
      c.call('review.merge', {
        agent,
        strategy,
        cleanup: args.flag('cleanup'),
        ...(message !== undefined ? { commitMessage: message } : {}),
      }),
    );
    if (args.flag('json')) ctx.printJson(outcome);
    else ctx.print(AgentReviewCommands.outcome(agent, outcome));
    return outcome.merged ? EXIT.ok : EXIT.error;
  }

  async discard(ctx: CliContext, args: CommandArgs, agent: string): Promise<number> {
    const keepBranch = args.flag('keep-branch');
    const r = await ctx.withClient((c) => c.call('review.discard', { agent, keepBranch, force: args.flag('force') }));
    if (args.flag('json')) ctx.printJson(r);
    else
      ctx.print(
        `Discarded the work of ${agent}: its worktree is removed${keepBranch ? ', its branch kept' : ' with its branch'}.`,
      );
    return EXIT.ok;
  }

  static stat(files: readonly ChangedFile[]): string {
    const width = Math.min(60, Math.max(0, ...files.map((f) => AgentReviewCommands.name(f).length)));
    let added = 0;
    let removed = 0;
    const lines = files.map((f) => {
      added += f.added ?? 0;
      removed += f.removed ?? 0;
      const counts = f.binary ? 'binary' : `+${f.added} -${f.removed}`;
      const where = f.where === 'committed' ? '' : ` (${f.where === 'both' ? 'partly uncommitted' : 'uncommitted'})`;
      return ` ${AgentReviewCommands.name(f).padEnd(width)} | ${counts}${where}`;
    });
    const n = files.length;
    lines.push(
      ` ${n} file${n === 1 ? '' : 's'} changed, ${added} insertion${added === 1 ? '' : 's'}(+), ` +
        `${removed} deletion${removed === 1 ? '' : 's'}(-)`,
    );
    return lines.join('\n');
  }

  static outcome(agent: string, outcome: MergeOutcome): string {
    if (outcome.merged) {
      const how = { 'fast-forward': 'fast-forward', 'merge-commit': 'merge commit', rebase: 'rebase' }[
        outcome.strategy
      ];
      const tasks = outcome.completedTasks.length ? `; completed ${outcome.completedTasks.join(', ')}` : '';
      return `Landed the work of ${agent} (${how}): its base is now at ${outcome.head.slice(0, 12)}${tasks}.`;
    }
    return [
      `Not merged: ${outcome.conflicts.length} file${outcome.conflicts.length === 1 ? '' : 's'} would conflict; ` +
        'nothing was changed. Resolve them on the agent’s branch (or ask the agent to), then merge again:',
      ...outcome.conflicts.map((c) => `  ${c.path} (${c.kind}): ${c.message}`),
    ].join('\n');
  }

  /** the daemon's answer for a path that is not among the changes (any more) */
  private static noLongerChanged(err: unknown): boolean {
    return err instanceof DevMeshError && err.code === 'BAD_REQUEST' && /is not among the changes/.test(err.message);
  }

  private static name(f: ChangedFile): string {
    return f.from ? `${f.from} => ${f.path}` : f.path;
  }
}
