// What the team domain needs from the mesh: this machine, the machines linked now, their comings and goings,
// and a way to send a frame to one of them. MeshNode provides it (meshTransport below); a test can give an
// in-memory one. Links are ordered and authenticated; a frame sent to a machine that is down is not sent.
import type { Event } from '../base/emitter.js';
import type { MeshNode } from '../mesh/mesh-node.js';
import type { LinkedMachine, TeamFrame, UnlinkedMachine } from '../mesh/team-frames.js';

export type { LinkedMachine, TeamFrame, UnlinkedMachine } from '../mesh/team-frames.js';

export interface TeamTransport {
  /** this machine's id (its mesh agent id) */
  readonly machineId: string;
  /** this machine's name in the mesh */
  readonly machineName: string;
  linkedMachines(): LinkedMachine[];
  /** false when `machineId` has no live link */
  send(machineId: string, ch: string, m: unknown): boolean;
  /** fires again for a machine already up when a new link replaced the old one: re-send what is pending */
  readonly onLinkUp: Event<LinkedMachine>;
  readonly onLinkDown: Event<UnlinkedMachine>;
  readonly onFrame: Event<TeamFrame>;
}

/** The mesh node as the team's transport. */
export function meshTransport(node: MeshNode): TeamTransport {
  return {
    get machineId() {
      return node.agentId;
    },
    get machineName() {
      return node.name;
    },
    linkedMachines: () => node.linkedMachines(),
    send: (machineId, ch, m) => node.sendTeam(machineId, ch, m),
    onLinkUp: node.onLinkUp,
    onLinkDown: node.onLinkDown,
    onFrame: node.onTeamFrame,
  };
}
