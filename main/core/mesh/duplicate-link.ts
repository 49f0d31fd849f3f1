// Which link stands when a peer that already has an open link opens another: two agents dialing each other
// at once keep the same one on both ends (the link dialed by the smaller agent id); otherwise the newer link
// is a fresh session (the peer restarted, or lost the old link before our heartbeat noticed) and replaces it.
import type { AuthenticatedSocket } from './link-handshake.js';
import type { PeerLink } from './peer-link.js';

/** two links to one peer opened this close together are a simultaneous dial, not a reconnect */
const SIMULTANEOUS_MS = 1000;

/** `keep: 'old'`: close the new link; `'new'`: close the old one, saying `why` */
export type DuplicateLinkChoice = { keep: 'old' } | { keep: 'new'; why: string };

export function chooseLink(
  old: PeerLink,
  fresh: AuthenticatedSocket,
  selfId: string,
  now: number,
): DuplicateLinkChoice {
  if (now - old.openedAt >= SIMULTANEOUS_MS) return { keep: 'new', why: 'replaced by a newer link' };
  // Both sides dialed at once: keep the link dialed by the smaller agent id, on both ends alike.
  const keepNew =
    (fresh.role === 'dialer' ? selfId : fresh.remoteId) < (fresh.role === 'dialer' ? fresh.remoteId : selfId);
  const keepOld =
    (old.auth.role === 'dialer' ? selfId : old.remoteId) < (old.auth.role === 'dialer' ? old.remoteId : selfId);
  return !keepNew || keepOld ? { keep: 'old' } : { keep: 'new', why: 'duplicate link' };
}
