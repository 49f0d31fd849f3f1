// The records an agent's mDNS advert is made of, as bytes on the wire: its DNS-SD instance name (one label,
// unique per agent), the TXT record (what it says of the agent: id, name, mesh, peer port, protocol) encoded
// and parsed back with a schema, since a TXT record comes from anyone on the network, and the order in
// which the addresses its host resolves to are dialed. Pure functions: MdnsDiscovery sends and hears them.
import { z } from 'zod';

export const MDNS_SERVICE_TYPE = 'devmesh'; // _devmesh._tcp
export const MESH_PROTOCOL_VERSION = 2;
const TXT_VERSION = '1';

export interface MdnsAdvert {
  agentId: string;
  name: string;
  meshId: string;
  port: number;
  protocol: number;
}

export type TxtParseResult = { ok: true; advert: MdnsAdvert } | { ok: false; reason: string };

const MAX_TXT_ENTRIES = 32;
const MAX_NAME_CHARS = 64;
// A DNS label is at most 63 bytes; the instance name is one label.
const MAX_INSTANCE_BYTES = 63;

const TxtSchema = z.object({
  txtvers: z.literal(TXT_VERSION),
  id: z.string().regex(/^[A-Za-z0-9-]{8,64}$/),
  name: z.string().min(1).max(MAX_NAME_CHARS),
  mesh: z.union([z.literal(''), z.string().regex(/^[a-z0-9-]{4,64}$/)]),
  port: z
    .string()
    .regex(/^[0-9]{1,5}$/)
    .transform(Number)
    .pipe(z.number().int().min(1).max(65535)),
  proto: z
    .string()
    .regex(/^[0-9]{1,6}$/)
    .transform(Number),
});

/** Instance names are one DNS label (≤ 63 bytes) and unique per agent: every namespace shares the host name. */
export function instanceName(advert: Pick<MdnsAdvert, 'name' | 'agentId'>): string {
  const suffix = ` ${advert.agentId.slice(0, 8)}`;
  let name = `DevMesh ${advert.name}`.replace(/\./g, '-');
  while (Buffer.byteLength(name + suffix) > MAX_INSTANCE_BYTES) name = name.slice(0, -1);
  return name + suffix;
}

export function encodeTxt(advert: MdnsAdvert): Record<string, string> {
  return {
    txtvers: TXT_VERSION,
    id: advert.agentId,
    name: [...advert.name].slice(0, MAX_NAME_CHARS).join(''),
    mesh: advert.meshId,
    port: String(advert.port),
    proto: String(advert.protocol),
  };
}

/**
 * Parses a TXT record as it arrives: raw `key=value` strings (Buffers) or an already decoded object.
 * Keys are case-insensitive (RFC 6763 §6.4); the first occurrence of a key wins. Never throws.
 */
export function parseTxt(raw: unknown): TxtParseResult {
  try {
    const entries = txtEntries(raw);
    if (!entries) return { ok: false, reason: 'TXT record is neither a list of strings nor an object' };
    const parsed = TxtSchema.safeParse(entries);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { ok: false, reason: `TXT ${issue?.path.join('.') || 'record'}: ${issue?.message ?? 'invalid'}` };
    }
    const t = parsed.data;
    if (t.proto !== MESH_PROTOCOL_VERSION) {
      return { ok: false, reason: `mesh protocol ${t.proto}, this agent speaks ${MESH_PROTOCOL_VERSION}` };
    }
    return { ok: true, advert: { agentId: t.id, name: t.name, meshId: t.mesh, port: t.port, protocol: t.proto } };
  } catch (err) {
    return { ok: false, reason: `TXT record unreadable: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/**
 * The addresses to dial for an advert: what its host resolved to (link-local IPv6 left out: it cannot be
 * dialed without a zone), IPv4 before IPv6, no duplicates, the address the packet came from first in its
 * family when it is one of them. The sender's address alone only when the host resolved to nothing: an
 * agent announces where it serves, and the packet may leave by an interface it does not serve on.
 */
export function orderAddresses(resolved: readonly unknown[], from?: string): string[] {
  const valid = resolved.filter((a): a is string => typeof a === 'string' && a.length > 0 && !/^fe80:/i.test(a));
  const unique = [...new Set(valid)];
  if (unique.length === 0) return from ? [from] : [];
  const ordered = from && unique.includes(from) ? [from, ...unique.filter((a) => a !== from)] : unique;
  const v4 = ordered.filter((a) => /^\d{1,3}(\.\d{1,3}){3}$/.test(a));
  const v6 = ordered.filter((a) => a.includes(':'));
  return [...v4, ...v6];
}

function txtEntries(raw: unknown): Record<string, string> | null {
  const out: Record<string, string> = {};
  const add = (key: string, value: string): void => {
    const k = key.toLowerCase();
    if (k && !(k in out)) out[k] = value;
  };
  if (Array.isArray(raw)) {
    for (const item of raw.slice(0, MAX_TXT_ENTRIES)) {
      const s = Buffer.isBuffer(item) ? item.toString('utf8') : typeof item === 'string' ? item : null;
      if (s === null) continue;
      const eq = s.indexOf('=');
      // A key without '=' is a boolean attribute (RFC 6763 §6.4): present, no value.
      if (eq === -1) add(s, '');
      else add(s.slice(0, eq), s.slice(eq + 1));
    }
    return out;
  }
  if (raw && typeof raw === 'object') {
    for (const [key, value] of Object.entries(raw).slice(0, MAX_TXT_ENTRIES)) {
      if (typeof value === 'string') add(key, value);
      else if (typeof value === 'number' || typeof value === 'boolean') add(key, String(value));
    }
    return out;
  }
  return null;
}
