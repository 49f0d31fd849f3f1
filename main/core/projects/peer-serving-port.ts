// Which teammate serves a dependency (for its <DEP>_URL): the mesh's route chooser answers. The projects
// are built before the mesh (the mesh advertises their services), so the mesh module plugs its chooser in
// here once it is built; until then no teammate serves anything.
import type { Disposable } from '../base/disposable.js';

export interface PeerServing {
  peerServing(project: string, service: string, range: string | null): string | null;
}

export class PeerServingPort implements PeerServing {
  private source: PeerServing | null = null;

  connect(source: PeerServing): Disposable {
    this.source = source;
    return { dispose: () => void (this.source === source && (this.source = null)) };
  }

  peerServing(project: string, service: string, range: string | null): string | null {
    return this.source?.peerServing(project, service, range) ?? null;
  }
}
