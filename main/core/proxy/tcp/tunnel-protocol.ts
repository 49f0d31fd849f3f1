// The peer tunnel: how a teammate's DevMesh reaches this machine's TCP services and published database
// snapshots through the peer ingress. It is the ingress's TLS listener (the same certificate, which peers pin
// from the authenticated link) with its own ALPN protocol, so HTTP and HTTP/2 clients never meet it.
//
// After the TLS handshake the client sends one JSON line (at most TUNNEL_MAX_HEAD bytes, newline-ended), a
// TunnelRequest, and the ingress answers one JSON line, a TunnelAnswer. Then:
//   kind tcp:       raw bytes both ways, piped to this machine's instance of the service, until either side ends;
//   kind snapshots: nothing (the answer carries the list), the ingress ends the connection;
//   kind snapshot:  exactly `size` bytes of the snapshot file, then the ingress ends the connection.
// Credentials are the same as HTTP's X-DevMesh-Mesh (`<agentId> <token>`, checked by MeshNode.admit): only a
// member holding a live link gets in, and the ingress serves only this machine's own instances.
import type { PeerSnapshot } from '../../../../shared/database.js';

export const TUNNEL_ALPN = 'devmesh-tunnel/1';
/** the request line's limit; a client that sends more, or nothing within the head timeout, is dropped */
export const TUNNEL_MAX_HEAD = 8 * 1024;

export type TunnelRequest =
  | {
      kind: 'tcp';
      auth: string;
      project: string;
      service: string;
      /** the calling service, `api.shop`, for the ingress's log; null when a human's client connected */
      from: string | null;
    }
  | { kind: 'snapshots'; auth: string; project: string | null }
  | { kind: 'snapshot'; auth: string; project: string; service: string; name: string };

export type TunnelAnswer =
  | { ok: true; kind: 'tcp'; /** `alice/db@15.0.0` */ label: string }
  | { ok: true; kind: 'snapshots'; snapshots: Omit<PeerSnapshot, 'peer'>[] }
  | { ok: true; kind: 'snapshot'; size: number; sha256: string }
  | { ok: false; /** an ErrorCode of shared/errors.ts */ code: string; message: string };
