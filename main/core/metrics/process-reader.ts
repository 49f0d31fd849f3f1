// The seam between the metrics domain and the OS: one reading of the process trees DevMesh started and of
// the machine's memory. Linux reads /proc (linux-proc-reader.ts); macOS reads one `ps` table
// (ps-process-reader.ts); elsewhere nothing is measured and the reader says why (`note`).
import { platform } from 'node:os';
import { LinuxProcReader } from './linux-proc-reader.js';
import { PsProcessReader, UnmeasuredReader } from './ps-process-reader.js';

/** One process of a tree, as the OS counts it now. */
export interface ProcessReading {
  pid: number;
  /** tells a reused pid apart (the start time, in the OS's own units) */
  start: string;
  /** user + system CPU time since it started */
  cpuMs: number;
  rssBytes: number;
}

/** A tree: its root, its descendants, and the TCP sockets they hold. */
export interface TreeReading {
  root: number;
  processes: ProcessReading[];
  /** established TCP connections (IPv4 and IPv6) */
  connections: number;
  listening: number;
}

export interface MemoryReading {
  totalBytes: number;
  /** MemAvailable on Linux: what new work can take without swapping */
  availableBytes: number;
}

export interface ProcessReader {
  readonly source: 'proc' | 'ps' | 'none';
  /** why some figure is not measured here, or null */
  readonly note: string | null;
  /** The trees under `roots` (a gone root is left out). Never throws for a process that ended meanwhile. */
  read(roots: readonly number[]): Promise<Map<number, TreeReading>>;
  memory(): MemoryReading;
}

/** The reader for this platform. */
export function processReaderFor(os: NodeJS.Platform = platform()): ProcessReader {
  if (os === 'linux') return new LinuxProcReader();
  if (os === 'darwin' || os === 'freebsd') return new PsProcessReader();
  return new UnmeasuredReader(
    `per-process figures are not measured on ${os} yet; the machine's memory comes from Node (os.freemem)`,
  );
}
