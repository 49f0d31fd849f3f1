// Agents of teammates' machines that bid for this board's tasks (issue 15): the board decides their bids and
// awards as it does its own agents' (same eligibility, same score), so it sees each as an agent record made
// from the summary its machine sent. They count as running while their machine is linked (or within the grace
// the team's task part gives it), their load is the one their machine counted, and nothing is typed into them
// here: their own machine delivers. The team's task part fills and empties this registry.
import type { AgentRecord } from '../../../shared/agent.js';

export interface RemoteBidderSummary {
  agentId: string;
  name: string;
  profile: string;
  role: string | null;
  /** the load its machine counted (its own tasks there) */
  load: number;
}

interface Entry {
  record: AgentRecord;
  machineId: string;
  machineName: string;
  load: number;
}

export class RemoteBidders {
  private readonly entries = new Map<string, Entry>();

  /** Records (or refreshes) a bidder of `machine`, eligible for tasks of the home project `project`. */
  put(machine: { machineId: string; name: string }, project: string, bidder: RemoteBidderSummary): AgentRecord {
    const now = Date.now();
    const before = this.entries.get(bidder.agentId);
    const record: AgentRecord = {
      id: bidder.agentId,
      // the machine in the name: the board's reasons, the audit chain and lock holders read "writer@bob"
      name: `${bidder.name}@${machine.name}`,
      profile: bidder.profile,
      role: bidder.role,
      cwd: `${machine.name}:`,
      project,
      command: bidder.profile,
      args: [],
      worktree: null,
      terminalId: null,
      task: null,
      // 'working': never silent here (its machine vouches for it), never typed into (its machine delivers)
      status: 'working',
      statusReason: `an agent on ${machine.name}`,
      exitCode: null,
      createdAt: before?.record.createdAt ?? now,
      updatedAt: now,
      resources: { ramGb: 0, gpus: 0 },
    };
    this.entries.set(bidder.agentId, {
      record,
      machineId: machine.machineId,
      machineName: machine.name,
      load: bidder.load,
    });
    return record;
  }

  live(): AgentRecord[] {
    return [...this.entries.values()].map((e) => e.record);
  }

  /** by id, or by the name the board shows (`writer@bob`) */
  find(idOrName: string): AgentRecord | null {
    const byId = this.entries.get(idOrName);
    if (byId) return byId.record;
    for (const e of this.entries.values()) if (e.record.name === idOrName) return e.record;
    return null;
  }

  /** the machine of a remote bidder, or null for anyone else */
  machineOf(agentId: string): { machineId: string; name: string } | null {
    const e = this.entries.get(agentId);
    return e ? { machineId: e.machineId, name: e.machineName } : null;
  }

  /** the load its machine counted; 0 for a local agent */
  load(agentId: string): number {
    return this.entries.get(agentId)?.load ?? 0;
  }

  /** the bidders of a machine, forgotten (it is gone): their records, for the board to abandon their tasks */
  dropMachine(machineId: string): AgentRecord[] {
    const gone: AgentRecord[] = [];
    for (const [id, e] of this.entries)
      if (e.machineId === machineId) {
        gone.push(e.record);
        this.entries.delete(id);
      }
    return gone;
  }
}
