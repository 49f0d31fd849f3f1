// The addresses this machine can be reached on by teammates: for invites, `devmesh mesh info` and the
// mesh's own info.
import { networkInterfaces } from 'node:os';

export class LanAddresses {
  /** Non-internal IPv4 addresses first, then IPv6: what teammates can dial. */
  static list(): string[] {
    const v4: string[] = [];
    const v6: string[] = [];
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) {
        if (a.internal) continue;
        if (a.family === 'IPv4') v4.push(a.address);
        else if (!a.address.startsWith('fe80')) v6.push(`[${a.address}]`);
      }
    }
    return [...v4, ...v6];
  }
}
