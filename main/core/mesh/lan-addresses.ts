// The addresses this machine can be reached on by teammates: for invites, `devmesh mesh info`, the mesh's
// own info, and the A/AAAA records of this agent's mDNS host name.
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

/** Non-internal IPv4 addresses first, then IPv6: what teammates can dial. */
export function list(): string[] {
  const { v4, v6 } = byFamily();
  return [...v4, ...v6.map((a) => `[${a}]`)];
}

/**
 * The addresses a listener bound to `host` serves teammates on (bare, IPv4 first): every non-internal
 * IPv4 address for `0.0.0.0`, IPv4 and IPv6 for `::` (Node listens dual-stack there), the address itself
 * when it is one of this machine's (a loopback address serves no teammate: none), and every address for a
 * host name (it is not resolved here).
 */
export function served(host: string): string[] {
  const { v4, v6 } = byFamily();
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === '0.0.0.0') return v4;
  if (bare === '::' || isIP(bare) === 0) return [...v4, ...v6];
  return v4.includes(bare) || v6.includes(bare) ? [bare] : [];
}

function byFamily(): { v4: string[]; v6: string[] } {
  const v4: string[] = [];
  const v6: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      if (a.family === 'IPv4') v4.push(a.address);
      // link-local needs a zone to be dialed, which no record or invite carries
      else if (!a.address.toLowerCase().startsWith('fe80')) v6.push(a.address);
    }
  }
  return { v4, v6 };
}
