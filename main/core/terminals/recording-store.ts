// The recordings folder ($DEVMESH_HOME/recordings): lists the .cast files by reading their header line
// (so recordings survive daemon restarts) and their last event (for the duration), and reads one whole,
// up to a size limit.
import {
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DevMeshError } from '../../../shared/errors.js';
import { RECORDING_READ_MAX_BYTES, TerminalIdSchema, type RecordingInfo } from '../../../shared/terminal.js';

const HEAD_BYTES = 64 * 1024;
const TAIL_BYTES = 256 * 1024;

const HeaderSchema = z.object({
  version: z.literal(2),
  width: z.number().int(),
  height: z.number().int(),
  timestamp: z.number().optional(),
  command: z.string().optional(),
  title: z.string().optional(),
  devmesh: z.object({ terminalId: z.string(), name: z.string(), startedAt: z.number() }).partial().optional(),
});

export class RecordingStore {
  constructor(
    readonly dir: string,
    /** recordings still being written: their duration is not known yet */
    private readonly isActive: (id: string) => boolean = () => false,
  ) {}

  pathOf(id: string): string {
    if (!TerminalIdSchema.safeParse(id).success)
      throw new DevMeshError('BAD_REQUEST', `'${id}' is not a recording id (lowercase letters, digits and dashes)`);
    return join(this.dir, `${id}.cast`);
  }

  /** newest first; files that are not asciicast v2 are skipped */
  list(): RecordingInfo[] {
    if (!existsSync(this.dir)) return [];
    const out: RecordingInfo[] = [];
    for (const file of readdirSync(this.dir)) {
      const id = file.endsWith('.cast') ? file.slice(0, -5) : null;
      if (id === null || !TerminalIdSchema.safeParse(id).success) continue;
      const info = this.describe(id);
      if (info !== null) out.push(info);
    }
    return out.sort((a, b) => b.startedAt - a.startedAt);
  }

  get(id: string): RecordingInfo {
    const info = existsSync(this.pathOf(id)) ? this.describe(id) : null;
    if (info === null)
      throw new DevMeshError(
        'RECORDING_NOT_FOUND',
        `no recording '${id}' in ${this.dir}; list them with recordings.list`,
      );
    return info;
  }

  read(id: string, maxBytes = RECORDING_READ_MAX_BYTES): string {
    const info = this.get(id);
    if (info.bytes > maxBytes) {
      throw new DevMeshError(
        'MESSAGE_TOO_LARGE',
        `recording '${id}' is ${info.bytes} bytes, over the ${maxBytes}-byte limit of recordings.read; play or copy the file itself: ${info.path}`,
      );
    }
    return readFileSync(info.path, 'utf8');
  }

  /** Removes the oldest finished recordings until the folder holds at most `keepBytes`; returns their ids. */
  prune(keepBytes: number): string[] {
    if (!existsSync(this.dir)) return [];
    // sizes and times from the directory alone: reading every header would cost more than the pruning
    const files = readdirSync(this.dir)
      .filter((f) => f.endsWith('.cast') && TerminalIdSchema.safeParse(f.slice(0, -5)).success)
      .map((f) => ({ id: f.slice(0, -5), path: join(this.dir, f), ...RecordingStore.stat(join(this.dir, f)) }))
      .sort((a, b) => a.mtimeMs - b.mtimeMs);
    let total = files.reduce((n, f) => n + f.size, 0);
    const removed: string[] = [];
    for (const f of files) {
      if (total <= keepBytes) break;
      if (this.isActive(f.id)) continue;
      rmSync(f.path, { force: true });
      total -= f.size;
      removed.push(f.id);
    }
    return removed;
  }

  private static stat(path: string): { size: number; mtimeMs: number } {
    try {
      const s = statSync(path);
      return { size: s.size, mtimeMs: s.mtimeMs };
    } catch {
      return { size: 0, mtimeMs: 0 };
    }
  }

  private describe(id: string): RecordingInfo | null {
    const path = this.pathOf(id);
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return null;
    }
    try {
      const size = fstatSync(fd).size;
      const head = RecordingStore.readAt(fd, 0, Math.min(size, HEAD_BYTES));
      const nl = head.indexOf('\n');
      const parsed = HeaderSchema.safeParse(RecordingStore.json(nl === -1 ? head : head.slice(0, nl)));
      if (!parsed.success) return null;
      const h = parsed.data;
      const startedAt = h.devmesh?.startedAt ?? (h.timestamp ?? 0) * 1000;
      const active = this.isActive(id);
      const duration = active ? null : RecordingStore.lastEventTime(fd, size);
      return {
        id,
        terminalId:
          h.devmesh?.terminalId && TerminalIdSchema.safeParse(h.devmesh.terminalId).success ? h.devmesh.terminalId : id,
        name: h.devmesh?.name ?? h.title ?? id,
        command: h.command ?? '',
        startedAt,
        durationMs: duration === null ? null : Math.round(duration * 1000),
        bytes: size,
        cols: h.width,
        rows: h.height,
        path,
      };
    } finally {
      closeSync(fd);
    }
  }

  /** the time of the last complete event line, 0 when there is none */
  private static lastEventTime(fd: number, size: number): number {
    const from = Math.max(0, size - TAIL_BYTES);
    const lines = RecordingStore.readAt(fd, from, size - from).split('\n');
    for (let i = lines.length - 1; i >= 0; i--) {
      const line = lines[i]!;
      if (!line.startsWith('[')) continue;
      const event = RecordingStore.json(line);
      if (Array.isArray(event) && typeof event[0] === 'number') return event[0];
    }
    return 0;
  }

  private static readAt(fd: number, position: number, length: number): string {
    const buf = Buffer.alloc(length);
    let got = 0;
    while (got < length) {
      const n = readSync(fd, buf, got, length - got, position + got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got).toString('utf8');
  }

  private static json(text: string): unknown {
    try {
      return JSON.parse(text);
    } catch {
      return null;
    }
  }
}
