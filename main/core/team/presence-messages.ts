// The `presence` channel's messages, validated on arrival (TeamChannel) with bounds on every list and string:
// - snapshot: everything a machine has now (sent on every link up, and when asked with `resync`);
// - delta: what changed since the previous seq (agents upserted whole, agents removed by id, the project
//   list, the held locks (whole, with how many were left off) or the human when they changed);
// - resync: "send me a snapshot" (a delta arrived for an epoch or seq this side cannot apply).
// `epoch` is random per daemon run, `seq` counts changes within it: a replica applies a message only when its
// seq is newer than what it holds for that epoch, so a stale delta never undoes a newer snapshot.
import { z } from 'zod';
import { TEAM_MAX_LOCKS, TeamAgentStateSchema, TeamLockStateSchema, TeamProjectSchema } from '../../../shared/team.js';

export const PRESENCE_CHANNEL = 'presence';
/** at most this many agents and projects per machine cross the mesh (a larger list is cut, newest first) */
export const PRESENCE_MAX_AGENTS = 256;
export const PRESENCE_MAX_PROJECTS = 128;

const Epoch = z.string().min(1).max(64);
const Seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const Human = z.string().min(1).max(128);
const Projects = z.array(TeamProjectSchema).max(PRESENCE_MAX_PROJECTS);
/** held locks (absent from a machine that does not send them yet: none known) */
const Locks = z.array(TeamLockStateSchema).max(TEAM_MAX_LOCKS);
const LeftOff = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const PresenceSnapshotSchema = z
  .object({
    k: z.literal('snapshot'),
    epoch: Epoch,
    seq: Seq,
    human: Human,
    projects: Projects,
    agents: z.array(TeamAgentStateSchema).max(PRESENCE_MAX_AGENTS),
    locks: Locks.optional(),
    locksLeftOff: LeftOff.optional(),
  })
  .strict();
export type PresenceSnapshot = z.infer<typeof PresenceSnapshotSchema>;

export const PresenceDeltaSchema = z
  .object({
    k: z.literal('delta'),
    epoch: Epoch,
    seq: Seq,
    human: Human.optional(),
    projects: Projects.optional(),
    locks: Locks.optional(),
    locksLeftOff: LeftOff.optional(),
    upsert: z.array(TeamAgentStateSchema).max(PRESENCE_MAX_AGENTS),
    remove: z.array(z.string().min(1).max(64)).max(PRESENCE_MAX_AGENTS),
  })
  .strict();
export type PresenceDelta = z.infer<typeof PresenceDeltaSchema>;

export const PresenceMessageSchema = z.discriminatedUnion('k', [
  PresenceSnapshotSchema,
  PresenceDeltaSchema,
  z.object({ k: z.literal('resync') }).strict(),
]);
export type PresenceMessage = z.infer<typeof PresenceMessageSchema>;
