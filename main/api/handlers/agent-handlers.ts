// agents.*: the agent profiles found on this machine and the agents DevMesh runs. Starting, stopping and
// relaunching are audited decisions (Coordination), answered once their entries are on disk. agents.context
// hands a running agent what it has not seen (AgentInbox), for Claude Code's context hooks.
import type { AgentDetector } from '../../core/agents/agent-detector.js';
import type { AgentInbox } from '../../core/agents/agent-inbox.js';
import type { AgentManager } from '../../core/agents/agent-manager.js';
import type { AgentProfiles } from '../../core/agents/agent-profiles.js';
import type { Coordination } from '../../core/coordination/coordination.js';
import { aliveFor, type HandlersOf } from './handlers.js';

export interface AgentHandlersDeps {
  profiles: Pick<AgentProfiles, 'list'>;
  detector: Pick<AgentDetector, 'detectAll'>;
  manager: Pick<AgentManager, 'list' | 'get' | 'remove'>;
  decisions: Pick<Coordination, 'startAgent' | 'stopAgent' | 'relaunchAgent'>;
  inbox: Pick<AgentInbox, 'take'>;
  /** a call naming the agent: it is alive (the task board) */
  activity: (agentIdOrName: string) => void;
}

export function agentHandlers({
  profiles,
  detector,
  manager,
  decisions,
  inbox,
  activity,
}: AgentHandlersDeps): HandlersOf<'agents'> {
  const alive = aliveFor(activity);
  return {
    'agents.profiles': async () => {
      const all = profiles.list();
      const found = await detector.detectAll(all);
      return all.map((profile, n) => ({ profile, detection: found[n]! }));
    },
    'agents.list': () => manager.list(),
    'agents.start': (i) => decisions.startAgent(i),
    'agents.stop': (i) => decisions.stopAgent(i.agent),
    'agents.relaunch': (i) => decisions.relaunchAgent(i.agent),
    'agents.remove': async (i) => {
      const { id } = manager.get(i.agent);
      await manager.remove(i.agent, { removeWorktree: i.removeWorktree, deleteBranch: i.deleteBranch, force: i.force });
      return { removed: id };
    },
    // the context hooks run as the agent uses its tools: a sign of life like any call naming it
    'agents.context': (i) => alive(i.agent, inbox.take(i.agent, i.limit)),
  };
}
