// The record a worktree copy's database folder keeps of where it came from: `$DEVMESH_HOME/databases/<of>@<label>/
// worktree-copy.json`, written before the copy's first database is made. It marks the folder as one DevMesh made
// for a copy (never a main checkout's), and says which worktree and which repository to ask `git worktree list`
// once the copy is closed: when that worktree is gone, so is the folder (worktree-data-sweep.ts).
import { closeSync, openSync, readSync, renameSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const COPY_RECORD_FILE = 'worktree-copy.json';
/** a record is a few hundred bytes; anything longer is not ours */
const MAX_BYTES = 16 * 1024;

const CopyRecordSchema = z
  .object({
    /** the main checkout's project id */
    of: z.string().min(1).max(256),
    /** the branch made DNS-safe: the copy's id is `<of>@<label>` */
    label: z.string().min(1).max(63),
    branch: z.string().min(1).max(1024),
    /** the copy's project folder inside the worktree */
    root: z.string().min(1).max(4096),
    /** the main checkout's project folder: `git worktree list` runs there */
    mainRoot: z.string().min(1).max(4096),
    createdAt: z.number().int(),
  })
  .strict();
export type CopyRecord = z.infer<typeof CopyRecordSchema>;

/** Writes the record into `dir` (the copy's folder) unless it has one; the write is atomic. Throws on I/O errors. */
export function ensureCopyRecord(dir: string, record: Omit<CopyRecord, 'createdAt'>): void {
  const file = join(dir, COPY_RECORD_FILE);
  if (existsSync(file)) return;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify({ ...record, createdAt: Date.now() })}\n`, { mode: 0o600 });
  renameSync(temporary, file);
}

/** The record in `dir`, or null when there is none or it is not one (damaged, too long, another shape). */
export function readCopyRecord(dir: string): CopyRecord | null {
  let fd: number;
  try {
    fd = openSync(join(dir, COPY_RECORD_FILE), 'r');
  } catch {
    return null; // no record: a folder made before DevMesh kept one
  }
  try {
    const buffer = Buffer.alloc(MAX_BYTES + 1);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    if (length > MAX_BYTES) return null;
    const parsed = CopyRecordSchema.safeParse(JSON.parse(buffer.subarray(0, length).toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null; // not JSON: treated as no record
  } finally {
    closeSync(fd);
  }
}
