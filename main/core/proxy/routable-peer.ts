// A connected peer as routing sees it (MeshNode.routable): where to send requests, with what token and
// certificate, and what it serves.
import type { MeshService } from '../../../shared/mesh.js';

export interface RoutablePeer {
  agentId: string;
  name: string;
  /** its IP as this side of the link sees it, with its ingress port */
  host: string;
  ingressPort: number;
  /** the certificate its ingress serves: the only one its connections trust */
  ingressCert: string;
  latencyMs: number | null;
  /** what this agent presents to its ingress (X-DevMesh-Mesh) */
  token: string;
  services: readonly MeshService[];
}
