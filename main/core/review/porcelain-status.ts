// Parses `git status --porcelain=v2 -z [--branch]`: the branch headers and every changed, unmerged or
// untracked path. Format: https://git-scm.com/docs/git-status#_porcelain_format_version_2 (with -z a rename's
// original path follows its path after a NUL; headers start with `# `).

export interface StatusEntry {
  path: string;
  /** a rename's or copy's original path */
  from: string | null;
  /** `1`/`2` tracked changes, `u` unmerged, `?` untracked, `!` ignored */
  type: '1' | '2' | 'u' | '?' | '!';
  /** the two status letters (index, worktree); `??` for untracked */
  xy: string;
}

export interface BranchHeaders {
  oid: string | null;
  /** null when detached */
  head: string | null;
  detached: boolean;
  upstream: string | null;
  ahead: number;
  behind: number;
}

export interface PorcelainStatus {
  branch: BranchHeaders;
  entries: StatusEntry[];
}

/** fields before the path: `1 XY sub mH mI mW hH hI path`, `2 … X<score> path`, `u XY sub m1 m2 m3 mW h1 h2 h3 path` */
const PATH_AT: Record<string, number> = { '1': 8, '2': 9, u: 10 };

export function parsePorcelainV2(out: string): PorcelainStatus {
  const branch: BranchHeaders = { oid: null, head: null, detached: false, upstream: null, ahead: 0, behind: 0 };
  const entries: StatusEntry[] = [];
  const fields = out.split('\0');
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    if (field === '') continue;
    if (field.startsWith('# ')) {
      readHeader(branch, field.slice(2));
      continue;
    }
    const type = field[0]!;
    if (type === '?' || type === '!') {
      entries.push({ type, xy: type + type, path: field.slice(2), from: null });
      continue;
    }
    const at = PATH_AT[type];
    if (at === undefined) continue;
    const parts = field.split(' ');
    const path = parts.slice(at).join(' ');
    const from = type === '2' ? (fields[++i] ?? null) : null;
    entries.push({ type: type as StatusEntry['type'], xy: parts[1] ?? '..', path, from });
  }
  return { branch, entries };
}

function readHeader(branch: BranchHeaders, header: string): void {
  const space = header.indexOf(' ');
  const key = header.slice(0, space);
  const value = header.slice(space + 1);
  if (key === 'branch.oid') branch.oid = value === '(initial)' ? null : value;
  else if (key === 'branch.head') {
    branch.detached = value === '(detached)';
    branch.head = branch.detached ? null : value;
  } else if (key === 'branch.upstream') branch.upstream = value;
  else if (key === 'branch.ab') {
    const m = /^\+(\d+) -(\d+)$/.exec(value);
    if (m) [branch.ahead, branch.behind] = [Number(m[1]), Number(m[2])];
  }
}
