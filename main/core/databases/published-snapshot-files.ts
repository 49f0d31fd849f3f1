// PublishedSnapshots over the snapshot store: what the peer ingress serves to teammates. Only snapshots
// published with `devmesh db publish` are listed or served; an unpublished one is as if it did not exist.
import type { PublishedSnapshots } from '../proxy/tcp/peer-tunnel-dialer.js';
import type { SnapshotStore, StoredSnapshot } from './snapshot-store.js';

export class PublishedSnapshotFiles implements PublishedSnapshots {
  constructor(private readonly store: SnapshotStore) {}

  published(project: string | null): ReturnType<PublishedSnapshots['published']> {
    return this.store.published(project).map(PublishedSnapshotFiles.info);
  }

  file(project: string, service: string, name: string): { path: string; size: number; sha256: string } | null {
    const s = this.store.get(project, service, name);
    if (s === null || !s.published) return null;
    return { path: s.path, size: s.sizeBytes, sha256: s.sha256 };
  }

  private static info(s: StoredSnapshot): ReturnType<PublishedSnapshots['published']>[number] {
    const { path: _path, ...info } = s;
    return info;
  }
}
