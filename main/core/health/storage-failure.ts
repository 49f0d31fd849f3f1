// What a failed write means to a user: a full disk, a read-only file system, a damaged file, another I/O
// error, or a bug. Classifies errors from better-sqlite3 (SQLITE_FULL, SQLITE_IOERR_*, …) and from node:fs
// (ENOSPC, EROFS, …), and words the message users read: what failed, where, and how to fix it.
import { statfsSync } from 'node:fs';
import { DevMeshError, type ErrorCode } from '../../../shared/errors.js';
import type { HealthCode } from '../../../shared/health.js';

/** below this many free bytes a vague I/O error on the home's file system is taken for a full disk */
const NEARLY_FULL_BYTES = 1024 * 1024;

/** The kind of failure; `dir` (the folder written to) lets a vague I/O error be recognised as a full disk. */
export function code(err: unknown, dir?: string): HealthCode {
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  const text = err instanceof Error ? err.message : String(err);
  if (
    code === 'SQLITE_FULL' ||
    code === 'ENOSPC' ||
    code === 'EDQUOT' ||
    /database or disk is full|no space left/i.test(text)
  )
    return 'DISK_FULL';
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS' || code === 'EACCES' || code === 'EPERM')
    return 'READ_ONLY';
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB' || /malformed|not a database/i.test(text))
    return 'CORRUPT';
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO' || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PROTOCOL') {
    return dir !== undefined && freeBytes(dir) < NEARLY_FULL_BYTES ? 'DISK_FULL' : 'IO';
  }
  return 'INTERNAL';
}

/** Is this a failure of the disk (as opposed to a bug)? */
export function isStorage(err: unknown, dir?: string): boolean {
  return code(err, dir) !== 'INTERNAL';
}

/** Free bytes for an unprivileged user on the file system holding `dir` (Infinity when it cannot tell). */
export function freeBytes(dir: string): number {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** "the request log could not be written to /home/ada/.devmesh/devmesh.db: the disk is full. Free space…" */
export function describe(code: HealthCode, what: string, where: string, cause: string): string {
  switch (code) {
    case 'DISK_FULL':
      return (
        `${what} could not be written to ${where}: the disk is full. Free space on that disk (old logs, ` +
        `build output, caches; \`df -h ${where}\` shows it) or move DEVMESH_HOME to a larger disk; ` +
        `DevMesh retries by itself, no restart needed.`
      );
    case 'READ_ONLY':
      return (
        `${what} could not be written to ${where}: the file or its file system refuses writes (${cause}). ` +
        `Check its permissions and that the disk is mounted read-write.`
      );
    case 'CORRUPT':
      return (
        `${what} could not be read or written at ${where}: the file is damaged (${cause}). ` +
        'Run `devmesh doctor` to check it and restore the newest backup.'
      );
    case 'IO':
      return (
        `${what} could not be written to ${where}: an input/output error (${cause}). ` +
        'Check the disk (`dmesg` names failing devices); DevMesh retries by itself.'
      );
    case 'INTERNAL':
      return `${what} failed at ${where} (${cause}); this is a DevMesh bug: please report it with daemon.log.`;
    case 'ENVIRONMENT':
      return `${what} could not read the environment at ${where} (${cause}).`;
  }
}

/** The error an API call answers with when what it decided cannot be stored. */
export function toError(err: unknown, what: string, where: string, dir?: string): DevMeshError {
  if (err instanceof DevMeshError) return err;
  const kind = code(err, dir);
  const cause = err instanceof Error ? err.message : String(err);
  const apiCode: ErrorCode =
    kind === 'DISK_FULL'
      ? 'DISK_FULL'
      : kind === 'CORRUPT'
        ? 'STORE_CORRUPT'
        : kind === 'INTERNAL'
          ? 'INTERNAL'
          : 'STORE_UNAVAILABLE';
  return new DevMeshError(apiCode, describe(kind, what, where, cause));
}
