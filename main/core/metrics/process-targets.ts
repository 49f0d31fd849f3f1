// Who is measured: every running service (its process tree from the pid DevMesh started), every running agent
// (the tree under its terminal's PTY child) and every other running terminal. A terminal an agent runs in is
// the agent's, not counted twice.
import { processKey, type ProcessKind } from '../../../shared/metrics.js';

export interface ProcessTarget {
  key: string;
  kind: ProcessKind;
  name: string;
  project: string | null;
  pid: number;
}

/** What the metrics domain reads of the other domains, as plain lists (wired in metrics-module.ts). */
export interface TargetSources {
  services(): { project: string; name: string; pid: number | null }[];
  agents(): { id: string; name: string; project: string | null; terminalId: string | null; status: string }[];
  terminals(): { id: string; name: string; project: string | null; pid: number | null; state: string }[];
}

export function listTargets(sources: TargetSources): ProcessTarget[] {
  const targets: ProcessTarget[] = [];
  for (const s of sources.services()) {
    if (s.pid === null) continue;
    const key = processKey('service', `${s.project}/${s.name}`);
    targets.push({ key, kind: 'service', name: s.name, project: s.project, pid: s.pid });
  }
  const terminals = sources.terminals();
  const byId = new Map(terminals.map((t) => [t.id, t]));
  const agentTerminals = new Set<string>();
  for (const a of sources.agents()) {
    if (a.terminalId === null) continue;
    agentTerminals.add(a.terminalId);
    const term = byId.get(a.terminalId);
    if (a.status === 'exited' || !term || term.pid === null || term.state !== 'running') continue;
    targets.push({ key: processKey('agent', a.id), kind: 'agent', name: a.name, project: a.project, pid: term.pid });
  }
  for (const t of terminals) {
    if (agentTerminals.has(t.id) || t.pid === null || t.state !== 'running') continue;
    targets.push({ key: processKey('terminal', t.id), kind: 'terminal', name: t.name, project: t.project, pid: t.pid });
  }
  return targets;
}
