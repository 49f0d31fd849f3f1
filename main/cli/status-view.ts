// Renders `devmesh status`: the daemon's own problems first (a store on a full disk…), then per project a
// devmesh.yaml that failed to reload (the last valid config still runs), the table (SERVICE VERSION STATE
// PORT PID UPTIME RESTARTS) and, under it, why any crashed or unhealthy service is in that state (or cannot start:
// its database engine is not installed, with where DevMesh looked and how to install it). A worktree's
// copy of a project (`status --all`) follows its main checkout, headed by its branch, agent and URLs.
import type { Health, HealthProblem } from '../../shared/health.js';
import type { GitStatus } from '../../shared/review.js';
import { RUNNING_STATES } from '../../shared/service-states.js';
import type { ProjectInfo, ServiceInfo } from '../../shared/service.js';
import { TextTable } from './text-table.js';

const NEEDS_REASON = new Set(['crashed', 'unhealthy', 'backing-off']);

/** What `status --json` prints: every field the text shows. */
export interface StatusReport {
  /** the daemon's health (API `daemon.health`): problems now, and those that cleared */
  health: Health;
  projects: Array<Pick<ProjectInfo, 'id' | 'root' | 'configPath' | 'configError' | 'identity' | 'worktree'>>;
  services: ServiceInfo[];
  /** each project's git status by project id (API `projects.git`); absent from a daemon without it */
  git?: Record<string, GitStatus>;
  /** `--all`: each worktree copy's services and where they answer, by copy id (API `proxy.routes`) */
  urls?: Record<string, Array<{ service: string; url: string }>>;
  /** `--all`: the names of the agents working in the copies, by agent id */
  agents?: Record<string, string>;
  /** without `--all`: how many worktree copies are open and not shown */
  hiddenCopies?: number;
}

export class StatusView {
  constructor(private readonly now: number = Date.now()) {}

  /** The whole report; `several`: head each project's block with its name. */
  report(report: StatusReport): string {
    const blocks: string[] = [];
    if (report.health.problems.length > 0) blocks.push(this.health(report.health.problems));
    const several = report.projects.length > 1;
    for (const project of report.projects) {
      const services = report.services.filter((s) => s.project === project.id);
      const lines = project.worktree ? this.copyHeader(report, project) : several ? [`project ${project.id}`] : [];
      if (project.configError) lines.push(...StatusView.configError(project));
      const git = report.git?.[project.id];
      if (git && git.branch !== null) lines.push(StatusView.gitLine(git));
      else if (git?.detached) lines.push(StatusView.gitLine(git));
      lines.push(services.length ? this.render(services) : '(no services)');
      blocks.push(lines.join('\n'));
    }
    if (report.hiddenCopies) {
      const n = report.hiddenCopies;
      blocks.push(`${n} worktree cop${n === 1 ? 'y is' : 'ies are'} open too: \`devmesh status --all\` shows them`);
    }
    if (report.projects.length === 0) {
      blocks.push('No project is open: open one with `devmesh open DIR` (or `devmesh up --project DIR`).');
    }
    return blocks.join('\n\n');
  }

  /** `worktree feature/ui of shop (shop@feature-ui), agent alpha`, then each service's URL */
  private copyHeader(report: StatusReport, project: StatusReport['projects'][number]): string[] {
    const copy = project.worktree!;
    const agent = copy.agentId === null ? '' : `, agent ${report.agents?.[copy.agentId] ?? copy.agentId}`;
    const urls = report.urls?.[project.id] ?? [];
    const width = Math.max(0, ...urls.map((u) => u.service.length));
    return [
      `worktree ${copy.branch} of ${copy.of} (${project.id})${agent}`,
      ...urls.map((u) => `  ${u.service.padEnd(width)}  ${u.url}`),
    ];
  }

  render(services: readonly ServiceInfo[]): string {
    const table = new TextTable(['SERVICE', 'VERSION', 'STATE', 'PORT', 'PID', 'UPTIME', 'RESTARTS']);
    for (const s of services) {
      const running = RUNNING_STATES.includes(s.state) && s.startedAt !== null;
      table.add([
        s.name,
        s.version ?? (s.engineMissing ? `no ${s.engineMissing.program}` : null),
        s.state,
        s.port,
        running ? s.pid : null,
        running ? StatusView.uptime(this.now - s.startedAt!) : null,
        s.restarts,
      ]);
    }
    // a missing engine first: its message says where DevMesh looked and what to install
    const reasons = services.flatMap((s) => {
      if (s.engineMissing) return [`${s.name} cannot start: ${s.engineMissing.message}`];
      return NEEDS_REASON.has(s.state) && s.reason ? [`${s.name} is ${s.state}: ${s.reason}`] : [];
    });
    return [table.render(), ...(reasons.length ? ['', ...reasons] : [])].join('\n');
  }

  /** `DevMesh has a problem:` and, per problem, what fails (message), since when, and what happens meanwhile. */
  health(problems: readonly HealthProblem[]): string {
    const lines = [problems.length === 1 ? 'DevMesh has a problem:' : `DevMesh has ${problems.length} problems:`];
    for (const p of problems) {
      const counts = [`${p.failures} failed write${p.failures === 1 ? '' : 's'}`];
      if (p.dropped) counts.push(`${p.dropped} dropped`);
      const since = StatusView.uptime(this.now - p.since);
      // a problem at start (the login shell's environment) has no writes to count
      const tally = p.code === 'ENVIRONMENT' ? '' : `; ${counts.join(', ')}`;
      lines.push(`! ${p.component} (${p.code}, for ${since}${tally}): ${p.message}`);
      lines.push(`  meanwhile: ${p.rule}`);
    }
    return lines.join('\n');
  }

  /** `git: main, 1 ahead and 2 behind origin/main, 3 changed, 1 untracked` */
  static gitLine(git: GitStatus): string {
    const parts = [git.detached ? 'detached HEAD' : git.branch!];
    if (git.upstream !== null) {
      const ab = [git.ahead ? `${git.ahead} ahead` : '', git.behind ? `${git.behind} behind` : ''].filter(Boolean);
      parts.push(ab.length ? `${ab.join(' and ')} ${git.upstream}` : `up to date with ${git.upstream}`);
    }
    if (git.changed) parts.push(`${git.changed} changed`);
    if (git.untracked) parts.push(`${git.untracked} untracked`);
    if (!git.changed && !git.untracked) parts.push('clean');
    return `git: ${parts.join(', ')}`;
  }

  private static configError(project: StatusReport['projects'][number]): string[] {
    return [
      `! ${project.configPath} is invalid; the last valid config keeps running (fix the file and DevMesh reloads it):`,
      ...project.configError!.split('\n').map((l) => `  ${l}`),
      '',
    ];
  }

  /** 5s, 3m12s, 2h4m, 3d2h */
  static uptime(ms: number): string {
    const s = Math.max(0, Math.floor(ms / 1000));
    if (s < 60) return `${s}s`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m}m${s % 60}s`;
    const h = Math.floor(m / 60);
    if (h < 24) return `${h}h${m % 60}m`;
    return `${Math.floor(h / 24)}d${h % 24}h`;
  }
}
