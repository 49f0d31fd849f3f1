// The peer link's messages. The handshake (hello → challenge → auth) travels in clear JSON; everything
// after it is sealed by LinkCrypto. Every message is validated: a malformed one ends the link with the
// reason logged, it never reaches the registry.
import { z } from 'zod';
import { MeshServiceSchema } from '../../../shared/mesh.js';
import { LinkRefusalCodeSchema, type LinkRefusalCode } from '../../../shared/wire-errors.js';

export const LINK_PATH = '/devmesh/link';
/** 3: team frames (issue 15). Both ends must speak the same: the older machine is told to update. */
export const LINK_PROTOCOL = 3;
/** a team channel's name: `locks`, `presence`, `messages`, `tasks`, `state` (main/core/team) */
export const TeamChannelNameSchema = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/);
/** A frame larger than this ends the link: a registry of thousands of services stays far below. */
export const MAX_LINK_FRAME = 4 * 1024 * 1024;

const Id = z.string().min(1).max(64);
const Name = z.string().min(1).max(64);
const Nonce = z.string().regex(/^[A-Za-z0-9_-]{22}$/);

export const HelloSchema = z.object({
  t: z.literal('hello'),
  proto: z.number().int(),
  mesh: z.string().max(64),
  id: Id,
  name: Name,
  nonce: Nonce,
  /** the dialer's own peer port, so the acceptor can list it for gossip (null: it accepts no links) */
  port: z.number().int().min(1).max(65535).nullable(),
  hb: z.number().int().min(50).max(60_000),
});
export const ChallengeSchema = z.object({
  t: z.literal('challenge'),
  proto: z.number().int(),
  id: Id,
  name: Name,
  nonce: Nonce,
  proof: z.string().max(128),
  hb: z.number().int().min(50).max(60_000),
});
export const AuthSchema = z.object({ t: z.literal('auth'), proof: z.string().max(128) });
/** A refusal as it arrives: the frame's shape is checked here, its code by `readRefusal` (so a code this DevMesh
 *  does not know is reported as such instead of as a frame that is not a challenge). */
export const RefuseSchema = z.object({
  t: z.literal('refuse'),
  code: z.string().max(64),
  message: z.string().max(1000),
});
/** A refusal as it is sent: only a code of the closed list compiles. */
export type Refuse = { t: 'refuse'; code: LinkRefusalCode; message: string };

/** The refusal in a handshake frame, or null when the frame is not one. A code outside LINK_REFUSAL_CODES (a newer
 *  or foreign peer) becomes `protocol`, with the code it sent named in the message. */
export function readRefusal(frame: unknown): { code: LinkRefusalCode; message: string } | null {
  const refuse = RefuseSchema.safeParse(frame);
  if (!refuse.success) return null;
  const code = LinkRefusalCodeSchema.safeParse(refuse.data.code);
  if (code.success) return { code: code.data, message: refuse.data.message };
  const sent = JSON.stringify(refuse.data.code);
  return {
    code: 'protocol',
    message: `${refuse.data.message} (with the refusal code ${sent}, which this DevMesh does not know: is the peer newer?)`,
  };
}
export type Hello = z.infer<typeof HelloSchema>;

const Epoch = z.string().min(1).max(64);
export const RegistryChangeSchema = z.object({
  seq: z.number().int().positive(),
  op: z.enum(['put', 'del']),
  service: MeshServiceSchema,
});
export type RegistryChange = z.infer<typeof RegistryChangeSchema>;

export const GossipPeerSchema = z.object({ id: Id, name: Name, address: z.string().max(300) });
export type GossipPeer = z.infer<typeof GossipPeerSchema>;

export const LinkMessageSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('ready') }),
  /** sent once after the handshake: where this agent's peer ingress listens (null: it serves no peer) and
   *  its TLS certificate, which the peer's proxy then trusts alone (pinned) */
  z.object({
    t: z.literal('ingress'),
    port: z.number().int().min(1).max(65535).nullable(),
    cert: z.string().max(8192).nullable(),
  }),
  /** "send me your registry after `since` of `epoch`" (epoch null: everything) */
  z.object({ t: z.literal('sync'), epoch: Epoch.nullable(), since: z.number().int().min(0) }),
  z.object({
    t: z.literal('snapshot'),
    epoch: Epoch,
    seq: z.number().int().min(0),
    services: z.array(MeshServiceSchema).max(10_000),
  }),
  z.object({ t: z.literal('changes'), epoch: Epoch, items: z.array(RegistryChangeSchema).max(10_000) }),
  z.object({ t: z.literal('peers'), peers: z.array(GossipPeerSchema).max(1000) }),
  z.object({ t: z.literal('bye'), reason: z.string().max(500) }),
  /** a frame of the team domain (agents, locks, tasks, messages, state): the mesh carries it unread, the
   *  channel `ch` validates `m` with its own schema (main/core/team) */
  z.object({ t: z.literal('team'), ch: TeamChannelNameSchema, m: z.unknown() }),
]);
export type LinkMessage = z.infer<typeof LinkMessageSchema>;

/** Close codes of the link's WebSocket (4000-4999 are the application's). */
export const LINK_CLOSE = {
  otherMesh: 4003,
  authFailed: 4001,
  protocol: 4002,
  duplicate: 4009,
  malformed: 4010,
  timeout: 4008,
  leaving: 4000,
} as const;
