// Where a new agent works and what it is called when the start names neither precisely: a project's root or
// an absolute directory that exists, and a free name from the profile (or command) with a number when taken.
import { existsSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { DevMeshError } from '../../../shared/errors.js';

/** How a project name becomes a directory (the project manager, in the composition root). */
export interface AgentProjectResolver {
  rootOf(project: string): string | null;
}

export function agentDirectory(
  projects: AgentProjectResolver | undefined,
  project: string | undefined,
  cwd: string | undefined,
): string {
  let dir = cwd;
  if (project !== undefined && cwd === undefined) {
    if (!projects)
      throw new DevMeshError(
        'BAD_REQUEST',
        `agent start: cannot look up project "${project}" here; give a directory (cwd) instead`,
      );
    const root = projects.rootOf(project);
    if (root === null)
      throw new DevMeshError(
        'PROJECT_NOT_FOUND',
        `no open project "${project}"; open it first (devmesh open <dir>) or give a directory`,
      );
    dir = root;
  }
  if (dir === undefined)
    throw new DevMeshError('BAD_REQUEST', 'agent start: say where the agent works: a project or a directory (cwd)');
  if (!isAbsolute(dir))
    throw new DevMeshError('BAD_REQUEST', `agent start: the directory must be absolute, got "${dir}"`);
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new DevMeshError('BAD_REQUEST', `agent start: ${dir} is not a directory; create it or give another`);
  return dir;
}

/** `base` made a valid agent name, with -2, -3… while `taken` says the name is in use. */
export function freeAgentName(base: string, taken: (name: string) => boolean): string {
  const stem =
    base
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 56) || 'agent';
  if (!taken(stem)) return stem;
  for (let n = 2; ; n++) if (!taken(`${stem}-${n}`)) return `${stem}-${n}`;
}
