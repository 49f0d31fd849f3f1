// What this machine tells its teammates it has: its human, the projects open here (id + identity key) and
// its agents, each with its project key, branch, model where its arguments say, and the task the board
// assigned to it. Read from the local domains at each change; a pure function of what they answer.
import type { AgentRecord } from '../../../shared/agent.js';
import type { ProjectInfo } from '../../../shared/service.js';
import type { TaskInfo } from '../../../shared/task.js';
import {
  TEAM_MAX_LOCK_TARGET,
  TEAM_MAX_LOCKS,
  type TeamAgentState,
  type TeamLockState,
  type TeamProject,
} from '../../../shared/team.js';
import { modelFromArgs } from './agent-model.js';
import { PRESENCE_MAX_AGENTS, PRESENCE_MAX_PROJECTS } from './presence-messages.js';

export interface LocalPresenceDeps {
  human: () => string;
  agents: () => AgentRecord[];
  projects: () => ProjectInfo[];
  /** tasks in CLAIMED, WORKING or PAUSED: their assignee is working on them */
  activeTasks: () => TaskInfo[];
  /** the locks held here, newest first (local-locks.ts); only those of shared projects cross the mesh */
  locks?: () => TeamLockState[];
}

export interface LocalPresence {
  human: string;
  projects: TeamProject[];
  agents: TeamAgentState[];
  /** held locks of projects teammates can share, at most TEAM_MAX_LOCKS */
  locks: TeamLockState[];
  /** held locks of shared projects left out of `locks` (past the bound, or a target too long to send) */
  locksLeftOff: number;
}

export function localPresence(deps: LocalPresenceDeps): LocalPresence {
  const projects = deps.projects();
  const tasks = new Map<string, TaskInfo>();
  for (const t of deps.activeTasks()) if (t.assigneeId !== null && !tasks.has(t.assigneeId)) tasks.set(t.assigneeId, t);
  const agents = deps
    .agents()
    .sort((a, b) => b.updatedAt - a.updatedAt)
    .slice(0, PRESENCE_MAX_AGENTS)
    .map((a) => agentState(a, projects, tasks.get(a.id)));
  return {
    human: deps.human().slice(0, 128) || 'unknown',
    projects: projects.slice(0, PRESENCE_MAX_PROJECTS).map((p) => ({ id: p.id, key: p.identity?.key ?? null })),
    agents,
    ...sharedLocks(deps.locks?.() ?? []),
  };
}

/** the locks a teammate could meet (a shared project's), bounded; the rest counted */
function sharedLocks(all: TeamLockState[]): { locks: TeamLockState[]; locksLeftOff: number } {
  const shared = all.filter((l) => l.projectKey !== null);
  const sendable = shared.filter((l) => targetText(l).length <= TEAM_MAX_LOCK_TARGET);
  const locks = sendable.slice(0, TEAM_MAX_LOCKS);
  return { locks, locksLeftOff: shared.length - locks.length };
}

function targetText(l: TeamLockState): string {
  return l.target.kind === 'glob' ? l.target.pattern : l.target.path;
}

function agentState(a: AgentRecord, projects: ProjectInfo[], task: TaskInfo | undefined): TeamAgentState {
  return {
    id: a.id,
    name: a.name.slice(0, 64),
    profile: a.profile.slice(0, 64),
    model: modelFromArgs(a.args),
    role: a.role === null ? null : a.role.slice(0, 128),
    status: a.status,
    statusReason: a.statusReason === null ? null : a.statusReason.slice(0, 512),
    projectKey: projectOf(a, projects)?.identity?.key ?? null,
    branch: a.worktree === null ? null : a.worktree.branch.slice(0, 256),
    task: task ? { id: task.id, title: task.title.slice(0, 200) } : null,
    updatedAt: a.updatedAt,
  };
}

/** the project the agent works in: named at its start, else the deepest open root holding its folder or repo */
function projectOf(a: AgentRecord, projects: ProjectInfo[]): ProjectInfo | undefined {
  if (a.project !== null) {
    const named = projects.find((p) => p.id === a.project || p.root === a.project);
    if (named) return named;
  }
  let best: ProjectInfo | undefined;
  for (const p of projects) {
    const holds = [a.cwd, a.worktree?.repo].some((dir) => dir !== undefined && within(dir, p.root));
    if (holds && (best === undefined || p.root.length > best.root.length)) best = p;
  }
  return best;
}

function within(dir: string, root: string): boolean {
  const r = root.endsWith('/') ? root : `${root}/`;
  return dir === root || dir.startsWith(r);
}
