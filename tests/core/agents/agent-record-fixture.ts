// An AgentRecord for tests that need one without starting an agent: every field set to a plain default,
// the ones a test cares about given.
import type { AgentRecord } from '../../../shared/agent.js';

export function agentRecord(over: Partial<AgentRecord> & Pick<AgentRecord, 'id' | 'name' | 'cwd'>): AgentRecord {
  return {
    profile: 'custom',
    role: null,
    project: null,
    command: 'agent',
    args: [],
    worktree: null,
    terminalId: null,
    task: null,
    status: 'starting',
    statusReason: null,
    exitCode: null,
    createdAt: 0,
    updatedAt: 0,
    resources: { ramGb: 0, gpus: 0 },
    ...over,
  };
}
