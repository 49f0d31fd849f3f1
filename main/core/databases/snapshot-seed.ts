// `seed: snapshot:<name>`: a database's first start seeds from one of its own snapshots. The engines' runtimes
// read a file in the engine's own format (a pg_dump custom file, an RDB, an SQLite file), while redis and
// sqlite snapshots are kept gzipped: this checks the snapshot against its recorded sha256 (a damaged one
// must not become a new database's contents) and gives the runtime a plain file beside it.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DevMeshError } from '../../../shared/devmesh-error.js';
import type { StoredSnapshot } from './snapshot-store.js';

/** the snapshot as a file the engine reads; SNAPSHOT_CORRUPT when its bytes do not match its sha256 */
export function seedFileOf(snapshot: StoredSnapshot): string {
  const bytes = readFileSync(snapshot.path);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== snapshot.sha256)
    throw new DevMeshError(
      'SNAPSHOT_CORRUPT',
      `snapshot ${snapshot.name} of ${snapshot.service} (${snapshot.path}) does not match its recorded sha256: ` +
        'it is damaged; take or pull it again, or seed from another one',
    );
  if (!snapshot.path.endsWith('.gz')) return snapshot.path;
  const plain = `${snapshot.path.slice(0, -3)}.seed`;
  const tmp = `${plain}.partial`;
  writeFileSync(tmp, gunzipSync(bytes));
  renameSync(tmp, plain);
  return plain;
}
