// What $DEVMESH_HOME/daemon.json says of the running DevMesh (written by the daemon or the app, read by every
// CLI command to find it), and the check of that file. The check is written without zod: every `devmesh`
// command reads this file first, and zod costs more to load than the rest of `devmesh status`'s start.
// It accepts exactly what the zod schema `{pid: int, port: int, url: string, version: string, face: enum,
// startedAt: number}` accepted, and keeps only those fields (tests/core/home/daemon-record.test.ts).

export const DAEMON_FACES = ['daemon', 'electron'] as const;

export interface DaemonRecord {
  pid: number;
  port: number;
  url: string;
  version: string;
  face: (typeof DAEMON_FACES)[number];
  /** ms since epoch */
  startedAt: number;
}

/** The record in `value` (parsed JSON), or null when a field is missing or of the wrong type. */
export function parseDaemonRecord(value: unknown): DaemonRecord | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const { pid, port, url, version, face, startedAt } = value as Record<string, unknown>;
  if (!Number.isSafeInteger(pid) || !Number.isSafeInteger(port)) return null;
  if (typeof url !== 'string' || typeof version !== 'string') return null;
  if (!DAEMON_FACES.includes(face as DaemonRecord['face'])) return null;
  if (typeof startedAt !== 'number' || !Number.isFinite(startedAt)) return null;
  return { pid: pid as number, port: port as number, url, version, face: face as DaemonRecord['face'], startedAt };
}
