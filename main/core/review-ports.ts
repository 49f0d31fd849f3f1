// What the review domain (main/core/review/) needs of the others, in its own terms: the agents and their
// worktrees, the audit chain that admits and records its actions, and the task board that completes a landed
// agent's tasks and releases its locks. Built here, beside the composition root, so the review domain imports
// none of them.
import type { Logger } from 'pino';
import { DevMeshError } from '../../shared/errors.js';
import type { AgentManager } from './agents/agent-manager.js';
import { WorktreeManager } from './agents/worktree-manager.js';
import type { Coordination } from './coordination/coordination.js';
import type { ReviewAudit, ReviewTasks } from './review/agent-review.js';
import { ReviewModule } from './review/review-module.js';
import type { StoreModule } from './store/store-module.js';

export interface ReviewPortsDeps {
  co: Coordination;
  agents: AgentManager;
  /** where agents' worktrees go (settings.agents.worktreeRoot) */
  worktreeRoot: string | null;
  store: StoreModule;
  logger: Logger;
}

/** The review domain wired to the rest. */
export function reviewModule(deps: ReviewPortsDeps): ReviewModule {
  const { co, logger, store } = deps;
  return new ReviewModule({
    agents: deps.agents,
    worktrees: new WorktreeManager(deps.worktreeRoot, 'git', store.baseEnv),
    audit: reviewAudit(co, logger),
    tasks: reviewTasks(co, logger),
    emit: (e) => store.events.emit(e),
    env: store.baseEnv,
  });
}

export function reviewAudit(co: Coordination, logger: Logger): ReviewAudit {
  return {
    // an empty decision: refused, with the chain's own words, exactly when a decision could not be recorded
    admit: (what) => co.trail.decide(what, () => undefined),
    record: async (entry) => {
      co.trail.observe(entry); // never throws: the action happened; a lost entry goes to the health ledger
      try {
        await co.trail.settled(entry.kind);
      } catch (err) {
        logger.error({ domain: 'review', kind: entry.kind, err: (err as Error).message }, 'audit entry not synced');
      }
    },
  };
}

export function reviewTasks(co: Coordination, logger: Logger): ReviewTasks {
  return {
    // Each task on its own: one the agent completed (or someone cancelled) since the list is final already (the
    // board's CONFLICT) and is passed over; any other refusal is said once the rest is done and the locks freed.
    landed: async (agentId, summary) => {
      const open = co.tasks.list({ assignee: agentId, states: ['CLAIMED', 'WORKING', 'PAUSED'] });
      const completed: string[] = [];
      let refusal: Error | null = null;
      for (const task of open) {
        try {
          await co.completeTask({ task: task.id, agent: 'user', outcome: 'COMPLETED', summary });
          completed.push(task.id);
        } catch (err) {
          if (!(err instanceof DevMeshError && err.code === 'CONFLICT'))
            refusal ??= err instanceof Error ? err : new Error(String(err));
        }
      }
      const released = co.locks.releaseHolder(agentId, `its work landed: ${summary}`);
      logger.info({ domain: 'review', agentId, completed, released }, 'landed agent: tasks completed, locks released');
      if (refusal !== null) throw refusal;
      return completed;
    },
  };
}
