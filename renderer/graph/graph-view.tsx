// The mesh at a glance: the service graph of this machine and its peers (with version mismatches in red),
// and beside it the peers and the version alerts. Says how to join a mesh when this agent is in none.
import { useStore } from 'zustand';
import { AlertsList } from './alerts-list.js';
import { useApp } from '../shell/app-context.js';
import { PeersPanel } from './peers-panel.js';
import { ServiceGraphCanvas } from './service-graph.js';
// After React Flow's own stylesheet (imported by service-graph), so these rules win over it; loaded with this chunk.
import '../styles/graph.css';

export function GraphView() {
  const { stores } = useApp();
  const info = useStore(stores.mesh, (s) => s.info);
  const graph = useStore(stores.mesh, (s) => s.graph);
  const error = useStore(stores.mesh, (s) => s.error);
  const mismatches = graph?.edges.filter((e) => !e.satisfied).length ?? 0;

  let body;
  if (graph === null) {
    body = <div className="empty">{error ? `The mesh could not be read: ${error}` : 'Loading…'}</div>;
  } else if (graph.nodes.length === 0) {
    body = (
      <div className="empty" data-testid="graph-empty">
        No service to draw yet. Open a project with <code>devmesh up --project &lt;folder&gt;</code>; the services of
        your peers appear here as they start.
      </div>
    );
  } else {
    body = <ServiceGraphCanvas graph={graph} />;
  }

  return (
    <section className="graph-view" data-testid="graph-view" aria-label="Service graph">
      <div className="graph-main">
        {info && !info.member ? (
          <div className="banner banner-info graph-note" data-testid="mesh-not-member">
            This machine is not in a mesh: only its own services show. Start one with <code>devmesh mesh init</code>, or
            join a teammate's with <code>devmesh mesh join &lt;invite&gt;</code>.
          </div>
        ) : null}
        {info?.problems.map((p) => (
          <div key={p} className="banner banner-warn graph-note">
            {p}
          </div>
        ))}
        {mismatches > 0 ? (
          <div className="graph-legend mismatch" data-testid="graph-mismatches">
            {mismatches === 1 ? '1 dependency' : `${mismatches} dependencies`} outside the declared range (red, dashed):
            hover for the versions.
          </div>
        ) : null}
        {body}
      </div>
      <aside className="graph-side">
        <PeersPanel />
        <AlertsList />
      </aside>
    </section>
  );
}
