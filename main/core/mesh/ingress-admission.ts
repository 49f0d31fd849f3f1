// Who may use this agent's peer ingress: a request carries `<agentId> <token>` in its X-DevMesh-Mesh header,
// and it is admitted only when that agent holds a live link with this one and the token is the one derived
// from that link's keys (so a former member, or one whose link dropped, is refused).
import type { PeerLink } from './peer-link.js';

/** `link`: the live link with an agent id, or null/undefined when there is none open */
export function admitToIngress(
  header: string | null,
  inMesh: boolean,
  link: (agentId: string) => PeerLink | null | undefined,
): { peer: string } | { refused: string } {
  if (!inMesh) return { refused: 'this agent is not in a mesh' };
  if (header === null)
    return {
      refused: 'the request carries no mesh credentials: peer ingress serves only the proxies of linked mesh members',
    };
  const space = header.indexOf(' ');
  const id = space < 0 ? header : header.slice(0, space);
  const token = space < 0 ? '' : header.slice(space + 1).trim();
  const found = link(id);
  if (found === null || found === undefined || !found.isOpen)
    return { refused: `agent ${id.slice(0, 64)} holds no live link with this agent` };
  if (!found.auth.crypto.verifyIngress(token))
    return { refused: `the mesh credentials of ${found.remoteName} do not match its link` };
  return { peer: found.remoteName };
}
