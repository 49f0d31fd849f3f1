// Teammates' published snapshots: listing them and pulling one over the authenticated mesh link (the peer
// tunnel, PeerTunnelDialer). A pulled file is checked against the sha256 the teammate's list gives (the dialer
// checks it as it arrives; it is checked again here before it is recorded), kept as a snapshot of the local
// database with `source` naming the teammate, and restored unless the caller said not to.
import { mkdir, statfs } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  SNAPSHOT_NAME_PATTERN,
  type DatabaseInfo,
  type PeerSnapshot,
  type SnapshotInfo,
} from '../../../shared/database.js';
import { DevMeshError } from '../../../shared/errors.js';
import type { RoutablePeer } from '../proxy/routable-peer.js';
import type { PeerTunnelDialer } from '../proxy/tcp/peer-tunnel-dialer.js';
import { DatabaseSnapshots } from './database-snapshots.js';
import { digest, writeWhole } from './snapshot-file.js';

/** room kept free beyond a pulled snapshot: its restore unpacks it beside the data */
const PULL_SPARE_BYTES = 64 * 1024 * 1024;

export interface SnapshotPullDeps {
  snapshots: DatabaseSnapshots;
  /** the peer tunnel (late-bound: the proxy that owns it is built after the databases); null while there is none */
  dialer: () => PeerTunnelDialer | null;
  /** linked teammates that can be reached now (MeshNode.routable) */
  peers: () => RoutablePeer[];
  projectId: (ref?: string) => string;
  /** a listing (default 10 s) */
  listTimeoutMs?: number;
  /** a file (default 10 minutes) */
  fetchTimeoutMs?: number;
}

/** a listed snapshot whose name may become a file name (SNAPSHOT_NAME_PATTERN: no `/`, no leading dot) */
function namedWell(s: Pick<PeerSnapshot, 'name'>): boolean {
  return SNAPSHOT_NAME_PATTERN.test(s.name);
}

export class SnapshotPull {
  constructor(private readonly deps: SnapshotPullDeps) {}

  /** what linked teammates published (one teammate, or all of them; a teammate that does not answer is left out) */
  async peerSnapshots(input: { project?: string; peer?: string }): Promise<PeerSnapshot[]> {
    const dialer = this.dialer();
    const project = input.project === undefined ? null : this.deps.projectId(input.project);
    const timeout = this.deps.listTimeoutMs ?? 10_000;
    if (input.peer !== undefined)
      return (await dialer.listSnapshots(this.peer(input.peer), project, timeout)).filter(namedWell);
    const lists = await Promise.allSettled(this.deps.peers().map((p) => dialer.listSnapshots(p, project, timeout)));
    return lists.flatMap((l) => (l.status === 'fulfilled' ? l.value.filter(namedWell) : []));
  }

  async pull(input: {
    project?: string;
    peer: string;
    service: string;
    name?: string;
    restore: boolean;
  }): Promise<{ snapshot: SnapshotInfo; restored: DatabaseInfo | null }> {
    const dialer = this.dialer();
    const snapshots = this.deps.snapshots;
    const db = snapshots.database(input);
    const peer = this.peer(input.peer);
    const listed = (await dialer.listSnapshots(peer, db.project, this.deps.listTimeoutMs ?? 10_000)).filter(
      (s) => s.project === db.project && s.service === db.service,
    );
    const wanted =
      input.name === undefined
        ? listed.sort((a, b) => b.createdAt - a.createdAt)[0]
        : listed.find((s) => s.name === input.name);
    if (wanted === undefined)
      throw new DevMeshError(
        'BAD_REQUEST',
        `${peer.name} has published no snapshot ${input.name === undefined ? '' : `'${input.name}' `}of ` +
          `${db.project}/${db.service}` +
          (listed.length === 0
            ? `: ask them to run \`devmesh db publish ${db.service} <snapshot>\``
            : `; they published ${listed.map((s) => s.name).join(', ')}`),
      );
    // The name becomes a file name here: one from another machine that is not a snapshot name (`../x`) would
    // put the pulled bytes outside the snapshot folder, over any file the daemon may write.
    if (!namedWell(wanted))
      throw new DevMeshError(
        'BAD_REQUEST',
        `${peer.name} lists a snapshot of ${db.project}/${db.service} named ${JSON.stringify(wanted.name)}, which ` +
          'is not a snapshot name (letters, digits, ".", "_" and "-"): nothing was pulled; pull another one by ' +
          `its name (devmesh db pull ${peer.name}/${db.service} <snapshot>), and tell ${peer.name}`,
      );
    if (wanted.engine !== db.config.engine)
      throw new DevMeshError(
        'BAD_REQUEST',
        `${peer.name}'s snapshot ${wanted.name} is a ${wanted.engine} dump; ${db.service} here runs ${db.config.engine}`,
      );
    const engine = snapshots.snapshotterOf(db);
    const stored = await snapshots.serially(db, async () => {
      const have = snapshots.store.get(db.project, db.service, wanted.name);
      if (have !== null && have.sha256 === wanted.sha256) return have; // pulled before: the same bytes
      snapshots.refuseTaken(db, wanted.name);
      const file = `${wanted.name}.${engine.ext}`;
      const path = join(snapshots.store.folder(db.project, db.service), file);
      await this.refuseWithoutRoom(path, wanted.sizeBytes, `${peer.name}'s snapshot ${wanted.name}`);
      const target = { project: db.project, service: db.service, name: wanted.name };
      const timeout = this.deps.fetchTimeoutMs ?? 10 * 60_000;
      const written = await writeWhole(path, `The snapshot ${wanted.name} from ${peer.name}`, async (tmp) => {
        const fetched = await dialer.fetchSnapshot(peer, target, tmp, timeout);
        const here = await digest(tmp);
        if (here.sha256 !== wanted.sha256 || fetched.sha256 !== wanted.sha256)
          throw new DevMeshError(
            'SNAPSHOT_CORRUPT',
            `the snapshot ${wanted.name} from ${peer.name} arrived damaged: its sha256 is ${here.sha256.slice(0, 12)}…, ` +
              `${peer.name} listed ${wanted.sha256.slice(0, 12)}…; nothing was kept or restored, pull it again`,
          );
      });
      const record = await snapshots.record(path, () =>
        snapshots.store.add({
          project: db.project,
          service: db.service,
          name: wanted.name,
          engine: wanted.engine,
          engineVersion: wanted.engineVersion,
          format: wanted.format,
          file,
          sizeBytes: written.size,
          sha256: written.sha256,
          createdAt: wanted.createdAt,
          source: peer.name,
        }),
      );
      snapshots.changed(db, `pulled ${wanted.name}`);
      return record;
    });
    const restored = input.restore
      ? await snapshots.restore({ project: db.project, service: db.service, name: stored.name })
      : null;
    return { snapshot: DatabaseSnapshots.info(stored), restored };
  }

  /**
   * A teammate announces the size it sends (and the tunnel stops reading beyond it): one that would not fit,
   * with room to spare for the restore, is refused before a byte arrives instead of filling the disk.
   */
  private async refuseWithoutRoom(path: string, size: number, what: string): Promise<void> {
    const folder = dirname(path);
    await mkdir(folder, { recursive: true });
    const fs = await statfs(folder);
    const free = fs.bavail * fs.bsize;
    if (size + PULL_SPARE_BYTES <= free) return;
    const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
    throw new DevMeshError(
      'DISK_FULL',
      `${what} is ${mb(size)}, and ${folder} has ${mb(free)} free (DevMesh keeps ${mb(PULL_SPARE_BYTES)} spare): ` +
        'nothing was pulled; free some space and pull again',
    );
  }

  private dialer(): PeerTunnelDialer {
    const dialer = this.deps.dialer();
    if (dialer === null)
      throw new DevMeshError(
        'MACHINE_UNREACHABLE',
        "teammates' snapshots travel through the peer ingress, which is not open: join a mesh first (devmesh mesh join)",
      );
    return dialer;
  }

  /** a linked teammate by agent name or id */
  private peer(nameOrId: string): RoutablePeer {
    const peers = this.deps.peers();
    const found = peers.find((p) => p.agentId === nameOrId) ?? peers.find((p) => p.name === nameOrId);
    if (found !== undefined) return found;
    throw new DevMeshError(
      'MACHINE_UNREACHABLE',
      `no linked teammate named '${nameOrId}': ` +
        (peers.length === 0
          ? 'none is linked now (`devmesh peers` shows the mesh)'
          : `linked now: ${peers.map((p) => p.name).join(', ')}`),
    );
  }
}
