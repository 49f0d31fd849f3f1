// The peer tunnel's request and answer lines (tunnel-protocol.ts) as schemas: every line from the other side
// is parsed here, at the edge, before the ingress or the dialer acts on it. Names are bounded like the API's.
import { z } from 'zod';
import { ERROR_CODES } from '../../../../shared/errors.js';
import { SnapshotInfoSchema } from '../../../../shared/database.js';
import type { TunnelAnswer, TunnelRequest } from './tunnel-protocol.js';

const Name = z.string().min(1).max(128);
const Auth = z.string().min(1).max(1024);

export const TunnelRequestSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('tcp'), auth: Auth, project: Name, service: Name, from: z.string().max(300).nullable() }),
  z.object({ kind: z.literal('snapshots'), auth: Auth, project: Name.nullable() }),
  z.object({ kind: z.literal('snapshot'), auth: Auth, project: Name, service: Name, name: Name }),
]);

const Failure = z.object({ ok: z.literal(false), code: z.string().max(64), message: z.string().max(4096) });
export const TunnelAnswerSchema = z.union([
  z.object({ ok: z.literal(true), kind: z.literal('tcp'), label: z.string().max(512) }),
  z.object({ ok: z.literal(true), kind: z.literal('snapshots'), snapshots: z.array(SnapshotInfoSchema) }),
  z.object({
    ok: z.literal(true),
    kind: z.literal('snapshot'),
    size: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/i),
  }),
  Failure,
]);

/** the kinds a request may name, for the message that refuses another */
export const TUNNEL_KINDS = ['tcp', 'snapshots', 'snapshot'] as const;

/** Parses a request line; a string says what is wrong with it (for the `{ok:false}` answer). */
export function parseTunnelRequest(line: string): TunnelRequest | string {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return 'the tunnel request is not a JSON line';
  }
  const kind = (raw as { kind?: unknown } | null)?.kind;
  if (typeof kind !== 'string' || !(TUNNEL_KINDS as readonly string[]).includes(kind))
    return `the tunnel request's kind must be one of ${TUNNEL_KINDS.join(', ')}`;
  const parsed = TunnelRequestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `the tunnel request is malformed: ${issue?.path.join('.') || 'request'}: ${issue?.message ?? 'invalid'}`;
  }
  return parsed.data;
}

/** Parses an answer line; null when it is not one (the other side is not a DevMesh tunnel). */
export function parseTunnelAnswer(line: string): TunnelAnswer | null {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return null;
  }
  const parsed = TunnelAnswerSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** The code of a refusal as the contract knows it; anything else a peer sends is an INTERNAL one. */
export function knownCode(code: string): (typeof ERROR_CODES)[number] {
  return (ERROR_CODES as readonly string[]).includes(code) ? (code as (typeof ERROR_CODES)[number]) : 'INTERNAL';
}

/** One JSON line as the tunnel writes it. */
export function tunnelLine(message: TunnelRequest | TunnelAnswer): string {
  return `${JSON.stringify(message)}\n`;
}
