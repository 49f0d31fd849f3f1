// How a service's process is launched instead of its `command:`: what a ServiceRunner's `prepare` hook may
// answer (a database's engine, run as the engine's user; see main/core/databases/).
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
