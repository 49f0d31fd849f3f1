// How a service's process is launched: its command in `/bin/sh -c`, leading a process group of its own (so a
// stop reaches all it started), output piped; and what a ServiceRunner's `prepare` hook may answer instead of
// the `command:` (a database's engine, run as the engine's user; see main/core/databases/).
import { spawn, type ChildProcess } from 'node:child_process';
import { DevMeshError } from '../../../shared/errors.js';
import type { HealthCheckConfig } from '../config/project-config.js';

export interface ServiceLaunch {
  command: string;
  cwd: string;
  health: HealthCheckConfig;
  /** spawn as this user (the engine refuses root), null: as the daemon */
  uid: number | null;
  gid: number | null;
  /** listen on this port instead of the one DevMesh allocated (a database on its stable address) */
  port?: number;
}

/** Starts the service's shell; rejects SPAWN_FAILED with the cause when it cannot (a uid not allowed, no sh). */
export async function spawnService(
  name: string,
  run: { command: string; cwd: string; env: NodeJS.ProcessEnv; uid?: number | null; gid?: number | null },
): Promise<ChildProcess & { pid: number }> {
  const child = spawn('/bin/sh', ['-c', run.command], {
    cwd: run.cwd,
    env: run.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(run.uid != null ? { uid: run.uid } : {}),
    ...(run.gid != null ? { gid: run.gid } : {}),
  });
  if (child.pid !== undefined) return child as ChildProcess & { pid: number };
  const message = await new Promise<string>((r) => child.once('error', (e) => r(e.message)));
  throw new DevMeshError('SPAWN_FAILED', `cannot start ${name}: ${message}`);
}
