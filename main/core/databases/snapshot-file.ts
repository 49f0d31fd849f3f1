// A snapshot's bytes on disk: written to a temporary name beside the final one and renamed only when whole
// (a crash or a full disk never leaves a half file under the real name), and hashed (sha256) as they are
// recorded, so a restore or a teammate's pull can check them.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DevMeshError } from '../../../shared/errors.js';
import * as storageFailure from '../health/storage-failure.js';

export interface FileDigest {
  size: number;
  sha256: string;
}

export async function digest(path: string): Promise<FileDigest> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    size += chunk.length;
    hash.update(chunk);
  }
  return { size, sha256: hash.digest('hex') };
}

/** a temporary name beside `path`, on the same file system (so the rename is atomic) */
export function temporaryBeside(path: string): string {
  return `${path}.partial-${randomBytes(4).toString('hex')}`;
}

/**
 * Has `produce` write the file into a temporary name, flushes it to disk, renames it to `dest` and returns
 * its size and hash. On any failure the temporary file is removed; a full disk becomes DISK_FULL (as every
 * store of DevMesh words it), other storage failures STORE_UNAVAILABLE.
 */
export async function writeWhole(
  dest: string,
  what: string,
  produce: (tmpPath: string) => Promise<void>,
): Promise<FileDigest> {
  const dir = dirname(dest);
  const tmp = temporaryBeside(dest);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await produce(tmp);
    const handle = await open(tmp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    const result = await digest(tmp);
    await rename(tmp, dest);
    return result;
  } catch (err) {
    await rm(tmp, { force: true });
    throw storageFailure.isStorage(err, dir) ? storageFailure.toError(err, what, dir, dir) : err;
  }
}

/**
 * Why unpacking a snapshot beside a database's data failed, as the user must hear it: a full (or read-only) disk
 * where the data lives is the disk's fault, not the snapshot's, which is good and must not be thrown away;
 * anything else the unpacking meets is the snapshot's (SNAPSHOT_CORRUPT, `notReadable` saying what it is not).
 */
export function unpackFailure(err: unknown, service: string, dataDir: string, notReadable: string): DevMeshError {
  if (err instanceof DevMeshError) return err;
  const cause = err instanceof Error ? err.message : String(err);
  const kind = storageFailure.code(err, dataDir);
  if (kind === 'DISK_FULL')
    return new DevMeshError(
      'DISK_FULL',
      `the restore of ${service} could not unpack the snapshot into ${dataDir}: the disk is full (${cause}). ` +
        `Its data is unchanged and the snapshot is fine: free space on that disk (\`df -h ${dataDir}\`), then ` +
        'restore again',
    );
  if (kind === 'READ_ONLY')
    return new DevMeshError(
      'STORE_UNAVAILABLE',
      `the restore of ${service} cannot write into ${dataDir} (${cause}); its data is unchanged and the ` +
        'snapshot is fine: make that folder writable for DevMesh, then restore again',
    );
  return new DevMeshError(
    'SNAPSHOT_CORRUPT',
    `the snapshot for ${service} ${notReadable} (${cause}); its data is unchanged`,
  );
}
