// What an agent's exit leaves in its record. A judge (the AgentSupervisor) hears the exit before it is
// recorded: a crash it will relaunch keeps the agent `starting` (its tasks assigned, its budget and locks
// held), with the judge's reason; any other exit is `exited`, with the judge's reason or the detector's.
import type { AgentRecord, AgentStatus } from '../../../shared/agent.js';
import type { AgentExitVerdict } from './agent-supervisor.js';
import type { TerminalExit } from './terminal-launcher.js';

/** Judges an agent's exit before it is recorded (the AgentSupervisor): a crash may be relaunched. */
export interface AgentExitJudge {
  exited(record: AgentRecord, exit: TerminalExit, requested: boolean): AgentExitVerdict | null;
  cancel(agentId: string): void;
}

export interface AgentExitOutcome {
  status: Extract<AgentStatus, 'starting' | 'exited'>;
  reason: string | null;
}

/**
 * `current`: the record as stored (null: removed meanwhile, nothing to judge); `requested`: DevMesh was asked to
 * stop it; `detected`: the status detector's reason for the exit.
 */
export function judgeExit(
  judge: AgentExitJudge | null,
  current: AgentRecord | null,
  exit: TerminalExit,
  requested: boolean,
  detected: string | null,
): AgentExitOutcome {
  const verdict = current ? (judge?.exited(current, exit, requested) ?? null) : null;
  return { status: verdict?.relaunching ? 'starting' : 'exited', reason: verdict?.reason ?? detected };
}
