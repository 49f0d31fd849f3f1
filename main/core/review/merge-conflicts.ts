// Finds the conflicts a merge of the agent's branch into its base would have, before anything is attempted:
// `git merge-tree --write-tree --name-only -z <base> <branch>` merges in memory (objects only: no index, no
// working tree, no ref is touched) and exits 1 when it conflicts. Its -z output (git 2.39, checked here):
//   <tree oid>\0 <conflicted path>\0 … \0 <messages>
// each message being `<number of paths>\0<path>\0…<type>\0<text>\0`, e.g. `1\0f\0CONFLICT (contents)\0…`.
// https://git-scm.com/docs/git-merge-tree#_output (sections "Conflicted file info", "Informational messages")
import type { MergeConflict } from '../../../shared/review.js';
import { DevMeshError } from '../../../shared/errors.js';
import type { GitRunner } from '../base/git-runner.js';

export interface MergeCheck {
  /** the merged tree git wrote (a clean merge lands exactly this) */
  tree: string;
  conflicts: MergeConflict[];
}

export function parseMergeTree(out: string, clean: boolean): MergeCheck {
  const fields = out.split('\0');
  const tree = fields[0] ?? '';
  if (clean) return { tree, conflicts: [] };
  let i = 1;
  const paths: string[] = [];
  for (; i < fields.length && fields[i] !== ''; i++) if (!paths.includes(fields[i]!)) paths.push(fields[i]!);
  i++; // the empty field that starts the messages
  const messages = new Map<string, { kind: string; message: string }>();
  while (i < fields.length && fields[i] !== '') {
    const count = Number(fields[i]);
    if (!Number.isInteger(count) || count < 0) break;
    const about = fields.slice(i + 1, i + 1 + count);
    const type = fields[i + 1 + count] ?? '';
    // the branches were named by their full refs (never a tag of the same name): messages say their names
    const text = (fields[i + 2 + count] ?? '').trim().replaceAll('refs/heads/', '');
    i += count + 3;
    const m = /^CONFLICT \(([^)]+)\)/.exec(type);
    if (!m) continue; // "Auto-merging" and other notes
    const kind = m[1] === 'contents' ? 'content' : m[1]!;
    for (const path of about) if (!messages.has(path)) messages.set(path, { kind, message: text });
  }
  const conflicts = paths.map((path) => ({
    path,
    ...(messages.get(path) ?? { kind: 'content', message: `CONFLICT: ${path} was changed on both sides` }),
  }));
  return { tree, conflicts };
}

export class MergeConflicts {
  constructor(private readonly git: GitRunner) {}

  /** The conflicts of merging `branch` into `base` in `repo`; nothing in any checkout or ref changes. */
  async check(repo: string, base: string, branch: string): Promise<MergeCheck> {
    const args = ['merge-tree', '--write-tree', '--name-only', '-z', `refs/heads/${base}`, `refs/heads/${branch}`];
    const r = await this.git.run(repo, args);
    if (r.code !== 0 && r.code !== 1) {
      const why = r.stderr.trim() || `exit code ${r.code}`;
      throw new DevMeshError(
        'INTERNAL',
        `cannot check ${branch} against ${base} for conflicts in ${repo}: ${why}; git 2.38 or newer is needed ` +
          '(`git --version`)',
      );
    }
    return parseMergeTree(r.stdout, r.code === 0);
  }
}
