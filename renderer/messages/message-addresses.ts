// Who the human can write to, as suggestions for the To field: everyone on the mesh (`*`), this machine's
// running agents, every role they have (`@frontend`, on every machine), each teammate's human
// (`user@machine`), and teammates' agents this machine has heard from (`name@machine`). Any other address
// can be typed; the daemon says clearly when it names no one.
import type { AgentRecord } from '../../shared/agent.js';
import type { PeerInfo } from '../../shared/mesh.js';
import type { Message } from '../../shared/message.js';

export interface AddressSuggestion {
  value: string;
  label: string;
}

export function addressSuggestions(input: {
  agents: AgentRecord[];
  peers: PeerInfo[];
  messages: Message[];
}): AddressSuggestion[] {
  const out = new Map<string, AddressSuggestion>();
  const add = (value: string, label: string) => {
    if (!out.has(value)) out.set(value, { value, label });
  };
  add('*', 'everyone on the mesh');
  const live = input.agents.filter((a) => a.status !== 'exited');
  for (const a of live) add(a.name, `agent ${a.name} on this machine`);
  for (const role of [...new Set(live.map((a) => a.role).filter((r): r is string => !!r))].sort())
    add(`@${role}`, `every agent with the role ${role}, on every machine`);
  for (const p of input.peers) add(`user@${p.name}`, `the human at ${p.name}`);
  for (const m of input.messages)
    if (m.fromMachine && m.from !== 'devmesh')
      add(`${m.fromName}@${m.fromMachine}`, `${m.fromName} on ${m.fromMachine}`);
  return [...out.values()];
}
