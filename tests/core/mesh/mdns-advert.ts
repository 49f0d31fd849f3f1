// A mesh advert for the mDNS tests: a fresh agent id, the rest as given.
import { randomUUID } from 'node:crypto';
import { MESH_PROTOCOL_VERSION, type MdnsAdvert } from '../../../main/core/mesh/mdns-discovery.js';

export function advert(over: Partial<MdnsAdvert> = {}): MdnsAdvert {
  return {
    agentId: randomUUID(),
    name: 'alpha',
    meshId: 'mesh-test',
    port: 7001,
    protocol: MESH_PROTOCOL_VERSION,
    ...over,
  };
}
