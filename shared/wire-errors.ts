// The codes DevMesh puts on the wire besides API results, each family a closed union so a misspelled code
// does not compile and a receiver can tell a code it does not know from one it does.
//
// One union per wire surface, not one flat list: each surface has its own readers and its own spelling, and
// the spelling is part of the wire (older peers and scripts compare these strings), so none can be renamed
// into a common style. A receiver checks a code against its surface's union only (a proxy code in a link
// refusal is as wrong as a made-up one). `WIRE_ERROR_CODES` below is the documented whole.
//
//   surface                 codes                    where                                  readers
//   API results             ERROR_CODES (errors.ts)  { ok: false, error: { code } }         CLI, UI, MCP
//   terminal-stream errors  ERROR_CODES (errors.ts)  { t: 'error', code } text frames       the UI's terminals
//   proxy replies           PROXY_REPLY_CODES        { error: { status, code } } JSON body  browsers, curl, tests
//   link refusals           LINK_REFUSAL_CODES       { t: 'refuse', code } + daemon log     teammates' daemons
import { z } from 'zod';
import { ERROR_CODES } from './errors.js';

/** What the local proxy answers itself, in `error.code` of its JSON body (README "When DevMesh answers itself"). */
export const PROXY_REPLY_CODES = [
  /** 400 (also 408, 431): a malformed request or body, oversized headers, headers sent too slowly */
  'bad_request',
  /** 403: the host is not a `*.localhost` name (DevMesh is not an open proxy) */
  'foreign_host',
  /** 403: peer ingress refused a caller that is not a linked mesh member */
  'not_a_mesh_member',
  /** 404: the name is not a service; the body lists the known ones */
  'service_not_found',
  /** 409: no instance satisfies the caller's version range and the policy is `refuse` */
  'version_mismatch',
  /** 502: the service refused the connection or died mid-request */
  'upstream_failed',
  /** 502: DevMesh itself failed while proxying (a bug, contained) */
  'internal',
  /** 503: the service is stopped, starting or crashed, or did not start on request in time */
  'service_unavailable',
  /** 504: the service did not answer in time */
  'upstream_timeout',
  /** 508: the request already went through this proxy */
  'loop_detected',
] as const;
export const ProxyReplyCodeSchema = z.enum(PROXY_REPLY_CODES);
export type ProxyReplyCode = z.infer<typeof ProxyReplyCodeSchema>;

/** The JSON body of a proxy reply; 404s add `services`, 409s and 503s their own fields. */
export const ProxyReplyBodySchema = z.looseObject({
  error: z.object({ status: z.number().int().min(400).max(599), code: ProxyReplyCodeSchema, message: z.string() }),
});
export type ProxyReplyBody = z.infer<typeof ProxyReplyBodySchema>;

/** Why a peer link did not come up: sent to the peer in a `refuse` frame (while the socket is still open) and
 *  logged on both ends as `peer link refused` with the code. The kebab-case spelling is what older daemons send. */
export const LINK_REFUSAL_CODES = [
  /** a malformed or unexpected handshake frame, another link protocol version, or a refusal code not in this list */
  'protocol',
  /** the peer is in another mesh: never retried */
  'other-mesh',
  /** a proof did not verify: a wrong or old secret, or someone in the middle of the TLS connection */
  'auth-failed',
  /** the address is this agent itself: never retried */
  'self',
  /** the handshake did not complete in time */
  'timeout',
  /** the socket closed during the handshake */
  'closed',
  /** the socket failed during the handshake */
  'error',
  /** the address could not be reached (dialing side only) */
  'unreachable',
] as const;
export const LinkRefusalCodeSchema = z.enum(LINK_REFUSAL_CODES);
export type LinkRefusalCode = z.infer<typeof LinkRefusalCodeSchema>;

/** Every code DevMesh sends, by wire surface. */
export const WIRE_ERROR_CODES = {
  apiResult: ERROR_CODES,
  terminalStream: ERROR_CODES,
  proxyReply: PROXY_REPLY_CODES,
  linkRefusal: LINK_REFUSAL_CODES,
} as const;
export type WireErrorCode = (typeof WIRE_ERROR_CODES)[keyof typeof WIRE_ERROR_CODES][number];
