// What the TCP forwarding and `devmesh db pull` need of the peer tunnel (tunnel-protocol.ts): a connection
// to a teammate's TCP service, and their published snapshots. TunnelDialer implements it; tests of the
// forwarder may stand in for it.
import type { Duplex } from 'node:stream';
import type { PeerSnapshot } from '../../../../shared/database.js';
import type { RoutablePeer } from '../routable-peer.js';

export interface PeerTunnelDialer {
  /**
   * A piped connection to `project/service` on `peer` (its ingress, TLS pinned to peer.ingressCert, ALPN
   * devmesh-tunnel/1), resolved once the ingress answered ok and the bytes that follow are the service's.
   * Rejects with a DevMeshError saying what failed (unreachable, refused, not served there) within timeoutMs.
   */
  openTcp(
    peer: RoutablePeer,
    target: { project: string; service: string; from: string | null },
    timeoutMs: number,
  ): Promise<{ socket: Duplex; label: string }>;
  /** what `peer` published (all projects, or one) */
  listSnapshots(peer: RoutablePeer, project: string | null, timeoutMs: number): Promise<PeerSnapshot[]>;
  /**
   * Fetches one published snapshot into `destPath` (written to a temporary file, renamed when whole), checks
   * its sha256 against the ingress's answer, and resolves with size and hash; SNAPSHOT_CORRUPT on a mismatch
   * (the partial file removed).
   */
  fetchSnapshot(
    peer: RoutablePeer,
    snapshot: { project: string; service: string; name: string },
    destPath: string,
    timeoutMs: number,
  ): Promise<{ size: number; sha256: string }>;
}

/** What the peer ingress serves of this machine's published snapshots (the snapshot store implements it). */
export interface PublishedSnapshots {
  published(project: string | null): Omit<PeerSnapshot, 'peer'>[];
  /** the file of a published snapshot, null when there is no such published snapshot */
  file(project: string, service: string, name: string): { path: string; size: number; sha256: string } | null;
}
