// team.*: the machines of the mesh, their humans and their agents, as this machine's presence replica knows
// them (main/core/team/team-presence.ts), and the locks every machine holds (its presence lists them).
import type { TeamPresence } from '../../core/team/team-presence.js';
import type { HandlersOf } from './handlers.js';

export interface TeamHandlersDeps {
  presence: Pick<TeamPresence, 'machines' | 'agents' | 'locks'>;
}

export function teamHandlers({ presence }: TeamHandlersDeps): HandlersOf<'team'> {
  return {
    'team.machines': () => presence.machines(),
    'team.agents': (i) => presence.agents(i),
    'team.locks': () => presence.locks(),
  };
}
