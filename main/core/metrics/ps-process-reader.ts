// Process figures where there is no /proc (macOS, the BSDs): one `ps -A -o pid=,ppid=,rss=,time=,lstart=` per
// sample gives every process's parent, resident memory and CPU time, and the trees are built from it. One call
// for the whole table is cheaper than asking per pid (what pidusage does on macOS: a `ps` per pid), and gives
// the tree in the same read. TCP connections are not counted here (lsof per sample costs too much): `note`.
// Windows and other systems get UnmeasuredReader: the machine's memory only.
import { execFile } from 'node:child_process';
import { freemem, totalmem } from 'node:os';
import { stripPackagingEnv } from '../environment/packaging-env.js';
import type { MemoryReading, ProcessReader, ProcessReading, TreeReading } from './process-reader.js';
import { MAX_TREE } from './linux-proc-reader.js';

interface PsRow {
  pid: number;
  ppid: number;
  rssBytes: number;
  cpuMs: number;
  start: string;
}

/** `[[dd-]hh:]mm:ss[.cc]` → ms */
export function parsePsTime(text: string): number {
  const [days, rest] = text.includes('-') ? text.split('-', 2) : ['0', text];
  const parts = rest!.split(':').map(Number);
  let seconds = 0;
  for (const p of parts) seconds = seconds * 60 + p;
  return Math.round((Number(days) * 86_400 + seconds) * 1000);
}

export function parsePsTable(text: string): PsRow[] {
  const rows: PsRow[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(.+?)\s*$/.exec(line);
    if (!m) continue;
    const cpuMs = parsePsTime(m[4]!);
    if (!Number.isFinite(cpuMs)) continue;
    rows.push({ pid: Number(m[1]), ppid: Number(m[2]), rssBytes: Number(m[3]) * 1024, cpuMs, start: m[5]! });
  }
  return rows;
}

/** Builds each root's tree from a ps table. */
export function treesFrom(rows: readonly PsRow[], roots: readonly number[]): Map<number, TreeReading> {
  const byPid = new Map(rows.map((r) => [r.pid, r]));
  const children = new Map<number, number[]>();
  for (const r of rows) {
    const list = children.get(r.ppid);
    if (list) list.push(r.pid);
    else children.set(r.ppid, [r.pid]);
  }
  const out = new Map<number, TreeReading>();
  for (const root of roots) {
    if (!byPid.has(root)) continue;
    const queue = [root];
    const seen = new Set(queue);
    for (let i = 0; i < queue.length && seen.size < MAX_TREE; i++) {
      for (const c of children.get(queue[i]!) ?? []) {
        if (seen.has(c)) continue;
        seen.add(c);
        queue.push(c);
      }
    }
    const processes: ProcessReading[] = queue.map((pid) => {
      const r = byPid.get(pid)!;
      return { pid, start: r.start, cpuMs: r.cpuMs, rssBytes: r.rssBytes };
    });
    out.set(root, { root, processes, connections: 0, listening: 0 });
  }
  return out;
}

export class PsProcessReader implements ProcessReader {
  readonly source = 'ps' as const;
  readonly note = 'TCP connections are counted on Linux only';

  async read(roots: readonly number[]): Promise<Map<number, TreeReading>> {
    if (roots.length === 0) return new Map();
    const text = await new Promise<string>((resolve, reject) =>
      execFile(
        'ps',
        ['-A', '-o', 'pid=,ppid=,rss=,time=,lstart='],
        { encoding: 'utf8', timeout: 5000, maxBuffer: 16 * 1024 * 1024, env: stripPackagingEnv(process.env) },
        (err, stdout) => (err ? reject(new Error(err.message, { cause: err })) : resolve(stdout)),
      ),
    );
    return treesFrom(parsePsTable(text), roots);
  }

  memory(): MemoryReading {
    return { totalBytes: totalmem(), availableBytes: freemem() };
  }
}

/** Where DevMesh cannot read processes: no trees, the machine's memory from Node. */
export class UnmeasuredReader implements ProcessReader {
  readonly source = 'none' as const;

  constructor(readonly note: string) {}

  read(): Promise<Map<number, TreeReading>> {
    return Promise.resolve(new Map<number, TreeReading>());
  }

  memory(): MemoryReading {
    return { totalBytes: totalmem(), availableBytes: freemem() };
  }
}
