// Builds the snapshot part of the databases domain for the core: the store (migration 015), DatabaseSnapshots
// and SnapshotPull. What it works through is handed in: the databases (DatabaseManager, as a
// DatabaseDirectory) and the peer tunnel (PeerTunnelDialer); `published` is what the peer ingress serves.
import { join } from 'node:path';
import type { DevMeshEvent } from '../../../shared/events.js';
import type { RoutablePeer } from '../proxy/routable-peer.js';
import type { PeerTunnelDialer, PublishedSnapshots } from '../proxy/tcp/peer-tunnel-dialer.js';
import type { Database } from '../store/database.js';
import type { DatabaseDirectory } from './database-directory.js';
import { DatabaseSnapshots } from './database-snapshots.js';
import { SnapshotPull } from './snapshot-pull.js';
import { SnapshotStore } from './snapshot-store.js';

export interface SnapshotsModuleDeps {
  database: Database;
  homeDir: string;
  directory: DatabaseDirectory;
  /** the peer tunnel, late-bound (null while the peer ingress is not open) */
  dialer: () => PeerTunnelDialer | null;
  peers: () => RoutablePeer[];
  projectId: (ref?: string) => string;
  emit: (event: DevMeshEvent) => void;
}

export class SnapshotsModule {
  readonly snapshots: DatabaseSnapshots;
  readonly pull: SnapshotPull;

  constructor(deps: SnapshotsModuleDeps) {
    const store = new SnapshotStore(deps.database, join(deps.homeDir, 'databases'));
    const { directory, projectId, emit } = deps;
    this.snapshots = new DatabaseSnapshots({ store, directory, projectId, emit });
    this.pull = new SnapshotPull({ snapshots: this.snapshots, dialer: deps.dialer, peers: deps.peers, projectId });
  }

  /** how many snapshots a database has (DatabaseInfo.snapshots) */
  count(project: string, service: string): number {
    return this.snapshots.store.count(project, service);
  }

  /** what the peer ingress serves to teammates: published snapshots only */
  get published(): PublishedSnapshots {
    return this.snapshots.published;
  }
}
