// The project's databases under its services table: one card per database DevMesh runs for it, then the
// snapshots teammates published. Nothing while the project has neither.
import { useStore } from 'zustand';
import { useApp } from '../shell/app-context.js';
import { DatabaseCard } from './database-card.js';
import { PeerSnapshots } from './peer-snapshots.js';
import '../styles/databases.css';

export function DatabasesPanel({ projectId }: { projectId: string }) {
  const { stores } = useApp();
  const services = useStore(stores.databases, (s) => s.services);
  const byService = useStore(stores.databases, (s) => s.byService);
  const peers = useStore(stores.databases, (s) => s.peerSnapshots.length);
  const error = useStore(stores.databases, (s) => s.error);
  if (services.length === 0 && peers === 0 && error === null) return null;
  return (
    <div className="databases" role="region" aria-label={`Databases of ${projectId}`} data-testid="databases">
      {error !== null && (
        <div className="db-error" role="alert">
          {error}
        </div>
      )}
      {services.map((service) => {
        const db = byService[service];
        return db ? <DatabaseCard key={service} db={db} /> : null;
      })}
      {(services.length > 0 || peers > 0) && <PeerSnapshots projectId={projectId} />}
    </div>
  );
}
