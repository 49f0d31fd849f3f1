// What the mesh tells the team domain (main/core/team): which machines are linked, and the team frames
// they send. The mesh carries a team frame unread; its channel validates the payload.

/** a teammate's daemon with a live link: its mesh agent id, its machine name, the address it was reached at */
export interface LinkedMachine {
  machineId: string;
  name: string;
  address: string | null;
}

export interface UnlinkedMachine extends LinkedMachine {
  /** why, in words */
  reason: string;
  /** the machine said goodbye (it shut down or left the mesh), rather than falling silent */
  left: boolean;
}

export interface TeamFrame {
  from: { machineId: string; name: string };
  /** the channel's name (`locks`, `presence`, …) */
  ch: string;
  /** the channel's message, not yet validated */
  m: unknown;
}
