// The machine's budget for agents (`agents.budget` in $DEVMESH_HOME/config.yaml): the RAM and GPUs that
// running agents may declare in total. DevMesh does not measure or enforce usage; it refuses a start whose
// declaration would take the total past the budget, so a developer does not start a fifth local-model agent
// on a machine that holds four.
import { DevMeshError } from '../../../shared/errors.js';
import type { AgentBudget, AgentResources } from '../../../shared/agent.js';

export interface BudgetUse {
  budget: AgentBudget;
  held: AgentResources;
  /** what is left; null where no limit is set */
  free: { ramGb: number | null; gpus: number | null };
}

export class ResourceBudget {
  /** `budget`: null per resource means no limit (the setting is absent). */
  constructor(private readonly budget: AgentBudget) {}

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
    if (problems.length === 0) return;
    throw new DevMeshError(
      'CONFLICT',
      `${who} was not started: it would exceed this machine's agent budget. ${problems.join('; ')}. Stop a running agent, declare less (--ram/--gpus), or raise the budget in $DEVMESH_HOME/config.yaml under agents.budget`,
      { reason: 'agent-budget', request, held, budget: this.budget },
    );
  }

  private static gb(n: number): string {
    return Number.isInteger(n) ? String(n) : n.toFixed(1);
  }
}
