// Sharing snapshots: publishing changes what PublishedSnapshots (the peer ingress's source) serves, and a
// pull through a stand-in PeerTunnelDialer that copies the teammate's file is verified, recorded with its
// source, and restored; a damaged transfer keeps nothing.
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PeerSnapshot } from '../../../shared/database.js';
import { DevMeshError } from '../../../shared/errors.js';
import type { RoutablePeer } from '../../../main/core/proxy/routable-peer.js';
import type { PeerTunnelDialer, PublishedSnapshots } from '../../../main/core/proxy/tcp/peer-tunnel-dialer.js';
import { digest } from '../../../main/core/databases/snapshot-file.js';
import { SnapshotPull } from '../../../main/core/databases/snapshot-pull.js';
import type { TestSqlite } from '../../helpers/test-database-engines.js';
import { SnapshotFixture } from './snapshot-fixture.js';

const SEED = 'CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT);';

const ada: RoutablePeer = {
  agentId: 'agent-ada',
  name: 'ada',
  host: '127.0.0.1',
  ingressPort: 1,
  ingressCert: '',
  latencyMs: 1,
  token: 't',
  services: [],
};

/** the teammate's side: their PublishedSnapshots, reached by copying files (the tunnel's part is the dialer's) */
class CopyingDialer implements PeerTunnelDialer {
  damage = false;
  /** an entry a hostile teammate adds to its list, served from `alias.path` */
  extra: Omit<PeerSnapshot, 'peer'> | null = null;
  alias: { name: string; path: string } | null = null;
  constructor(private readonly theirs: PublishedSnapshots) {}

  openTcp(): never {
    throw new Error('not used');
  }

  async listSnapshots(peer: RoutablePeer, project: string | null): Promise<PeerSnapshot[]> {
    const listed = [...this.theirs.published(project), ...(this.extra ? [this.extra] : [])];
    return listed.map((s) => ({ ...s, peer: peer.name }));
  }

  async fetchSnapshot(
    _peer: RoutablePeer,
    s: { project: string; service: string; name: string },
    destPath: string,
  ): Promise<{ size: number; sha256: string }> {
    const file =
      this.alias?.name === s.name
        ? { path: this.alias.path, ...(await digest(this.alias.path)) }
        : this.theirs.file(s.project, s.service, s.name);
    if (file === null) throw new DevMeshError('BAD_REQUEST', 'not published');
    copyFileSync(file.path, destPath);
    if (this.damage) {
      const bytes = readFileSync(destPath);
      bytes[bytes.length - 5] ^= 0xff;
      writeFileSync(destPath, bytes);
      return file; // a dialer that failed to check: the pull checks again
    }
    return digest(destPath);
  }
}

async function failure(p: Promise<unknown>): Promise<DevMeshError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DevMeshError);
  return err as DevMeshError;
}

describe('sharing snapshots', () => {
  let mine: SnapshotFixture;
  let theirs: SnapshotFixture;
  let myDb: TestSqlite;
  let theirDb: TestSqlite;
  let dialer: CopyingDialer;
  let pull: SnapshotPull;

  beforeEach(async () => {
    mine = new SnapshotFixture();
    theirs = new SnapshotFixture();
    myDb = mine.add(await mine.engines.sqlite({ project: 'shop', service: 'api', owner: 'api', seed: SEED }));
    theirDb = theirs.add(await theirs.engines.sqlite({ project: 'shop', service: 'api', owner: 'api', seed: SEED }));
    dialer = new CopyingDialer(theirs.snapshots.published);
    pull = new SnapshotPull({
      snapshots: mine.snapshots,
      dialer: () => dialer,
      peers: () => [ada],
      projectId: (r) => r ?? 'shop',
    });
  });

  afterEach(async () => {
    await mine.dispose();
    await theirs.dispose();
  });

  it('serves only published snapshots, and stops when unpublished', async () => {
    const served = theirs.snapshots.published;
    await theirs.snapshots.snapshot({ service: 'api', name: 'private' });
    const shared = await theirs.snapshots.snapshot({ service: 'api', name: 'shared' });
    expect(served.published(null)).toEqual([]);
    expect(served.file('shop', 'api', 'shared')).toBeNull();

    expect(theirs.snapshots.publish({ service: 'api', name: 'shared', published: true }).published).toBe(true);
    expect(served.published('shop').map((s) => s.name)).toEqual(['shared']);
    expect(served.published('other')).toEqual([]);
    expect(served.file('shop', 'api', 'shared')).toMatchObject({ size: shared.sizeBytes, sha256: shared.sha256 });
    expect(served.file('shop', 'api', 'private')).toBeNull();

    theirs.snapshots.publish({ service: 'api', name: 'shared', published: false });
    expect(served.published(null)).toEqual([]);
    expect(served.file('shop', 'api', 'shared')).toBeNull();
  });

  it("pulls a teammate's newest published snapshot, verifies it, records its source and restores it", async () => {
    theirDb.exec("INSERT INTO items VALUES (1, 'old')");
    await theirs.snapshots.snapshot({ service: 'api', name: 'older' });
    theirDb.exec("INSERT INTO items VALUES (2, 'realistic')");
    await theirs.snapshots.snapshot({ service: 'api', name: 'newer' });
    for (const name of ['older', 'newer']) theirs.snapshots.publish({ service: 'api', name, published: true });
    // make the order certain whatever the clock's resolution
    theirs.database.db
      .prepare("UPDATE database_snapshots SET created_at = created_at + 1000 WHERE name = 'newer'")
      .run();

    expect((await pull.peerSnapshots({})).map((s) => `${s.peer}:${s.name}`)).toEqual(['ada:newer', 'ada:older']);
    myDb.exec("INSERT INTO items VALUES (9, 'mine')");
    const result = await pull.pull({ peer: 'ada', service: 'api', restore: true });
    expect(result.snapshot).toMatchObject({ name: 'newer', source: 'ada', published: false });
    expect(result.restored?.service).toBe('api');
    expect(myDb.all('SELECT label FROM items ORDER BY id')).toEqual([{ label: 'old' }, { label: 'realistic' }]);
    expect(mine.snapshots.list({ service: 'api' }).map((s) => s.name)).toEqual(['newer']);
    expect(mine.events.map((e) => (e.type === 'database.changed' ? e.what : ''))).toEqual([
      'pulled newer',
      'restored newer',
    ]);
  });

  it('keeps nothing when the bytes arrive damaged, and says which teammates exist for an unknown one', async () => {
    await theirs.snapshots.snapshot({ service: 'api', name: 'snap' });
    theirs.snapshots.publish({ service: 'api', name: 'snap', published: true });
    dialer.damage = true;
    const err = await failure(pull.pull({ peer: 'agent-ada', service: 'api', name: 'snap', restore: true }));
    expect(err.code).toBe('SNAPSHOT_CORRUPT');
    expect(mine.snapshots.list({})).toEqual([]);
    expect(myDb.stops).toBe(0);

    const unknown = await failure(pull.pull({ peer: 'bob', service: 'api', restore: false }));
    expect(unknown.code).toBe('MACHINE_UNREACHABLE');
    expect(unknown.message).toContain('ada');
  });

  it("never writes outside the snapshot folder when a teammate's list names a snapshot '../…'", async () => {
    // A teammate's list is input from another machine: a name like `../../../victim` would make the pulled
    // file land anywhere the daemon may write (over another database's snapshot, say) under a hash the
    // teammate chose. The newest one is taken when no name is given, so the hostile entry only needs to be new.
    await theirs.snapshots.snapshot({ service: 'api', name: 'snap' });
    theirs.snapshots.publish({ service: 'api', name: 'snap', published: true });
    const real = theirs.snapshots.published.file('shop', 'api', 'snap')!;
    const hostile = '../../../../escaped';
    const listed = theirs.snapshots.published.published('shop')[0]!;
    dialer.extra = { ...listed, name: hostile, createdAt: listed.createdAt + 1000 };
    dialer.alias = { name: hostile, path: real.path };
    const folder = mine.snapshots.store.folder('shop', 'api');
    const escaped = join(folder, `${hostile}.sqlite.gz`);

    const err = await failure(pull.pull({ peer: 'ada', service: 'api', restore: true }));
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toContain(hostile);
    expect(existsSync(escaped)).toBe(false);
    expect(mine.snapshots.list({})).toEqual([]);
    // the teammate's good snapshot is still listed and pulled by its name
    expect((await pull.peerSnapshots({})).map((s) => s.name)).toEqual(['snap']);
    expect((await pull.pull({ peer: 'ada', service: 'api', name: 'snap', restore: false })).snapshot.name).toBe('snap');
  });

  it('refuses a snapshot announced larger than the free disk, before a byte arrives', async () => {
    await theirs.snapshots.snapshot({ service: 'api', name: 'snap' });
    theirs.snapshots.publish({ service: 'api', name: 'snap', published: true });
    const listed = theirs.snapshots.published.published('shop')[0]!;
    dialer.extra = { ...listed, name: 'huge', sizeBytes: 2 ** 52, createdAt: listed.createdAt + 1000 };
    dialer.alias = { name: 'huge', path: theirs.snapshots.published.file('shop', 'api', 'snap')!.path };
    const err = await failure(pull.pull({ peer: 'ada', service: 'api', restore: true }));
    expect(err.code).toBe('DISK_FULL');
    expect(err.message).toMatch(/huge is [\d.]+ MB, and .* free .* nothing was pulled/);
    expect(mine.snapshots.list({})).toEqual([]);
  });

  it('pulls without restoring when asked', async () => {
    theirDb.exec("INSERT INTO items VALUES (1, 'theirs')");
    await theirs.snapshots.snapshot({ service: 'api', name: 'snap' });
    theirs.snapshots.publish({ service: 'api', name: 'snap', published: true });
    const result = await pull.pull({ peer: 'ada', service: 'api', name: 'snap', restore: false });
    expect(result.restored).toBeNull();
    expect(myDb.all('SELECT * FROM items')).toEqual([]);
    await mine.snapshots.restore({ service: 'api', name: 'snap' });
    expect(myDb.all('SELECT label FROM items')).toEqual([{ label: 'theirs' }]);
  });
});
