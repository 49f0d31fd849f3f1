// The other DevMesh agents of this mesh: how to reach them, whether they answer, how fast, and the
// services (with versions) each one runs.
import { useStore } from 'zustand';
import type { PeerInfo } from '../../shared/mesh.js';
import { useApp } from '../shell/app-context.js';
import { formatAgo } from '../common/format-time.js';
import { useNow } from '../common/use-now.js';

export function PeersPanel() {
  const { stores } = useApp();
  const peers = useStore(stores.mesh, (s) => s.peers);
  const member = useStore(stores.mesh, (s) => s.info?.member ?? false);
  return (
    <section className="mesh-panel" data-testid="peers-panel" aria-label="Peers">
      <h2 className="mesh-panel-title">
        Peers <span className="muted">{peers.length}</span>
      </h2>
      {peers.length === 0 ? (
        <div className="empty">
          {member
            ? 'No peer yet. Teammates on this network appear by themselves; others join with an invite.'
            : 'Not in a mesh.'}
        </div>
      ) : (
        <ul className="peer-list">
          {peers.map((p) => (
            <PeerItem key={p.agentId} peer={p} />
          ))}
        </ul>
      )}
    </section>
  );
}

function PeerItem({ peer }: { peer: PeerInfo }) {
  const now = useNow();
  return (
    <li className={`peer peer-${peer.state}`} data-testid={`peer-${peer.agentId}`}>
      <div className="peer-head">
        <span className={`peer-dot peer-dot-${peer.state}`} aria-hidden="true" />
        <span className="peer-name">{peer.name}</span>
        <span className="muted">{peer.state}</span>
        <span className="spacer" />
        <span className="mono muted" title="heartbeat round trip">
          {peer.latencyMs === null ? '—' : `${Math.round(peer.latencyMs)} ms`}
        </span>
      </div>
      <div className="peer-meta muted">
        <span className="mono">{peer.address ?? 'address unknown'}</span> · via {peer.via} · heartbeat{' '}
        <span title={peer.lastHeartbeat === null ? undefined : new Date(peer.lastHeartbeat).toLocaleString()}>
          {formatAgo(peer.lastHeartbeat, now)}
        </span>
      </div>
      {peer.services.length > 0 ? (
        <ul className="peer-services">
          {peer.services.map((s) => (
            <li key={`${s.project}/${s.name}`}>
              <span className={`badge badge-${s.state}`} title={s.state} />
              <span>{s.name}</span> <span className="mono muted">{s.version}</span>
              {s.project !== s.name ? <span className="muted"> · {s.project}</span> : null}
            </li>
          ))}
        </ul>
      ) : (
        <div className="muted peer-meta">no services running</div>
      )}
    </li>
  );
}
