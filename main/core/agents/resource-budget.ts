// The machine's budget for agents (`agents.budget` in $DEVMESH_HOME/config.yaml): the RAM and GPUs that
// running agents may hold in total. A running agent holds what it declared, or what its processes measurably
// use when that is more (the metrics domain's samples). A start whose request would take the total past the
// budget is refused, so a developer does not start a fifth local-model agent on a machine that holds four;
// and so is one the machine has no memory for: MemAvailable minus what it asks below
// `agents.min_free_ram_gb`, the refusal naming what uses the memory.
import { DevMeshError } from '../../../shared/errors.js';
import type { AgentBudget, AgentResources } from '../../../shared/agent.js';
import { formatBytes } from '../../../shared/metrics.js';

const GIB = 1024 ** 3;
export const DEFAULT_MIN_FREE_RAM_GB = 0.5;

/** The machine's memory as measured now (the metrics domain), for the start check. */
export interface MeasuredMemory {
  /** null where it cannot be read (metrics off, no /proc) */
  machine(): {
    availableBytes: number;
    totalBytes: number;
    /** DevMesh's processes using the most memory, biggest first */
    top: { label: string; rssBytes: number }[];
  } | null;
  /** what a running agent's processes use now, null when not measured */
  agentRss(agentId: string): number | null;
}

export interface ResourceBudgetOptions {
  memory?: MeasuredMemory;
  /** memory kept free for everything else; default DEFAULT_MIN_FREE_RAM_GB */
  minFreeRamGb?: number;
}

export interface BudgetUse {
  budget: AgentBudget;
  held: AgentResources;
  /** what is left; null where no limit is set */
  free: { ramGb: number | null; gpus: number | null };
}

export class ResourceBudget {
  /** `budget`: null per resource means no limit (the setting is absent). */
  constructor(
    private readonly budget: AgentBudget,
    private readonly options: ResourceBudgetOptions = {},
  ) {}

  /** What a running agent holds: its declaration, or its measured memory when that is more. */
  holding(agentId: string, declared: AgentResources): AgentResources {
    const rss = this.options.memory?.agentRss(agentId) ?? null;
    if (rss === null) return declared;
    return { ramGb: Math.max(declared.ramGb, rss / GIB), gpus: declared.gpus };
  }

  /** What running agents hold, from their declarations. */
  static sum(holders: readonly AgentResources[]): AgentResources {
    return holders.reduce((acc, r) => ({ ramGb: acc.ramGb + r.ramGb, gpus: acc.gpus + r.gpus }), { ramGb: 0, gpus: 0 });
  }

  use(holders: readonly AgentResources[]): BudgetUse {
    const held = ResourceBudget.sum(holders);
    return {
      budget: this.budget,
      held,
      free: {
        ramGb: this.budget.ramGb === null ? null : Math.max(0, this.budget.ramGb - held.ramGb),
        gpus: this.budget.gpus === null ? null : Math.max(0, this.budget.gpus - held.gpus),
      },
    };
  }

  /** Throws CONFLICT naming the totals and the setting when `request` does not fit beside `holders`. */
  check(request: AgentResources, holders: readonly AgentResources[], who = 'the agent'): void {
    const held = ResourceBudget.sum(holders);
    const problems: string[] = [];
    if (this.budget.ramGb !== null && held.ramGb + request.ramGb > this.budget.ramGb) {
      problems.push(
        `RAM: ${ResourceBudget.gb(request.ramGb)} GB asked + ${ResourceBudget.gb(held.ramGb)} GB held by running agents = ${ResourceBudget.gb(held.ramGb + request.ramGb)} GB > budget ${ResourceBudget.gb(this.budget.ramGb)} GB (agents.budget.ram_gb)`,
      );
    }
    if (this.budget.gpus !== null && held.gpus + request.gpus > this.budget.gpus) {
      problems.push(
        `GPUs: ${request.gpus} asked + ${held.gpus} held by running agents = ${held.gpus + request.gpus} > budget ${this.budget.gpus} (agents.budget.gpus)`,
      );
    }
    if (problems.length === 0) {
      this.checkMachine(request, who);
      return;
    }
    throw new DevMeshError(
      'CONFLICT',
      `${who} was not started: it would exceed this machine's agent budget. ${problems.join('; ')}. Stop a running agent, declare less (--ram/--gpus), or raise the budget in $DEVMESH_HOME/config.yaml under agents.budget`,
      { reason: 'agent-budget', request, held, budget: this.budget },
    );
  }

  /** Throws CONFLICT when the machine is short of memory for `request`, naming what uses it. */
  private checkMachine(request: AgentResources, who: string): void {
    const machine = this.options.memory?.machine() ?? null;
    if (machine === null) return;
    const minFree = this.options.minFreeRamGb ?? DEFAULT_MIN_FREE_RAM_GB;
    const left = machine.availableBytes - request.ramGb * GIB;
    if (left >= minFree * GIB) return;
    const top = machine.top.slice(0, 5).map((p) => `${p.label} ${formatBytes(p.rssBytes)}`);
    const asked = request.ramGb > 0 ? ` minus the ${ResourceBudget.gb(request.ramGb)} GB it asks` : '';
    throw new DevMeshError(
      'CONFLICT',
      `${who} was not started: this machine is short of memory: ${formatBytes(machine.availableBytes)} available ` +
        `of ${formatBytes(machine.totalBytes)}${asked} leaves less than the ${ResourceBudget.gb(minFree)} GB kept ` +
        `free (agents.min_free_ram_gb). ${top.length > 0 ? `Using the most: ${top.join(', ')}. ` : ''}` +
        'Stop a service or an agent (devmesh top shows what each uses), or lower agents.min_free_ram_gb in ' +
        '$DEVMESH_HOME/config.yaml',
      { reason: 'machine-memory', request, availableBytes: machine.availableBytes, top: machine.top.slice(0, 5) },
    );
  }

  private static gb(n: number): string {
    return Number.isInteger(n) ? String(n) : n.toFixed(1);
  }
}
