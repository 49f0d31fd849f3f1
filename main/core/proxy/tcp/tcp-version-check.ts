// Version checks for a TCP connection. It carries no caller (no X-DevMesh-From), so every dependent the
// project declares for the service speaks for it: an instance is refused when a dependent with
// `on_version_mismatch: refuse` does not accept its version, and one outside a `warn` dependent's range is
// used (after those inside every range) with the same mismatch alert an HTTP request raises.
import type { ServiceConfig } from '../../config/project-config.js';
import { InstanceSelector } from '../instance-selector.js';
import type { MismatchReport } from '../route-chooser.js';
import type { ForwardDecision } from '../route-decision.js';

export interface DependentRange {
  project: string;
  /** the dependent service and its version */
  service: string;
  /** null: a database service whose engine is not installed */
  version: string | null;
  range: string;
  onMismatch: 'warn' | 'refuse';
}

/** What the services of a project declare for `target` (only those with a range: the others accept any). */
export function dependentRanges(project: string, services: readonly ServiceConfig[], target: string): DependentRange[] {
  const out: DependentRange[] = [];
  for (const s of services) {
    for (const dep of s.dependsOn) {
      if (dep.name !== target || dep.range === null) continue;
      out.push({ project, service: s.name, version: s.version, range: dep.range, onMismatch: dep.onVersionMismatch });
    }
  }
  return out;
}

/** A forward's instance version: its label is `<agent>/<service>@<version>` (RouteChooser.forward). */
export function versionOf(candidate: ForwardDecision): string {
  return candidate.label.slice(candidate.label.lastIndexOf('@') + 1);
}

export type VersionVerdict =
  | { kind: 'ok'; candidates: ForwardDecision[]; warnings: MismatchReport[] }
  | { kind: 'refused'; why: string; reports: MismatchReport[] };

export function checkVersions(candidates: ForwardDecision[], ranges: readonly DependentRange[]): VersionVerdict {
  if (ranges.length === 0) return { kind: 'ok', candidates, warnings: [] };
  const refusing = ranges.filter((r) => r.onMismatch === 'refuse');
  const accepted = candidates.filter((c) => refusing.every((r) => InstanceSelector.satisfies(versionOf(c), r.range)));
  if (accepted.length === 0) {
    const reports = candidates.flatMap((c) =>
      refusing.filter((r) => !InstanceSelector.satisfies(versionOf(c), r.range)).map((r) => report(c, r, 'refused')),
    );
    const have = candidates.map((c) => c.label).join(', ');
    const who = refusing.map((r) => `${r.service} requires ${r.range}`).join(', ');
    return {
      kind: 'refused',
      why:
        `${who} (on_version_mismatch: refuse), and no reachable instance satisfies it: ${have}. Start a matching ` +
        'version, or change the range in devmesh.yaml.',
      reports,
    };
  }
  const inEveryRange = (c: ForwardDecision): boolean =>
    ranges.every((r) => InstanceSelector.satisfies(versionOf(c), r.range));
  const ordered = [...accepted.filter(inEveryRange), ...accepted.filter((c) => !inEveryRange(c))];
  const first = ordered[0]!;
  const warnings = ranges
    .filter((r) => !InstanceSelector.satisfies(versionOf(first), r.range))
    .map((r) => report(first, r, 'warned'));
  return { kind: 'ok', candidates: ordered, warnings };
}

function report(c: ForwardDecision, r: DependentRange, action: 'warned' | 'refused'): MismatchReport {
  const slash = c.key.indexOf('/');
  const agentName = c.label.slice(0, c.label.indexOf('/'));
  return {
    caller: { project: r.project, service: r.service, version: r.version, range: r.range, onMismatch: r.onMismatch },
    dependency: c.service,
    range: r.range,
    instance: {
      key: c.key,
      agentId: c.key.slice(0, slash),
      agentName,
      local: c.target.tls === undefined,
      project: c.project,
      service: c.service,
      version: versionOf(c),
      healthy: true,
      latencyMs: null,
    },
    action,
  };
}
