// The closed set of error codes DevMesh speaks, and the error shape that travels in results.
// Every face (IPC, WebSocket, CLI) shows `message`, which says what went wrong, where, and how to fix it.
import { z } from 'zod';

export const ERROR_CODES = [
  'CONFIG_NOT_FOUND',
  'CONFIG_INVALID',
  'PROJECT_NOT_FOUND',
  'PROJECT_AMBIGUOUS',
  'SERVICE_NOT_FOUND',
  'PORT_BUSY',
  'SPAWN_FAILED',
  'SERVICE_FAILED',
  'DEPENDENCY_FAILED',
  'TIMEOUT',
  'BAD_REQUEST',
  'UNKNOWN_METHOD',
  'MESSAGE_TOO_LARGE',
  'UNAUTHORIZED',
  'FORBIDDEN_ORIGIN',
  'DAEMON_NOT_RUNNING',
  'DAEMON_ALREADY_RUNNING',
  'SHUTTING_DOWN',
  'NOT_A_MEMBER',
  'CONFLICT',
  'TERMINAL_NOT_FOUND',
  'TERMINAL_LIMIT',
  'RECORDING_NOT_FOUND',
  'TASK_NOT_FOUND',
  'AGENT_NOT_FOUND',
  /** $DEVMESH_HOME's disk (or quota) is full: nothing that must be stored can be decided until space is freed */
  'DISK_FULL',
  /** a store cannot be written for another reason (read-only file system, permissions, I/O error) */
  'STORE_UNAVAILABLE',
  /** a store file is damaged: `devmesh doctor` checks it and restores a backup */
  'STORE_CORRUPT',
  /** a native module (better-sqlite3, node-pty) will not load: glibc too old, another architecture, a damaged install */
  'NATIVE_MODULE_FAILED',
  'INTERNAL',
  /** messages waiting for a teammate's machine that is not linked have reached the most kept for it */
  'OUTBOX_FULL',
  /** the teammate's machine a call must reach (a task's home) has no live link now */
  'MACHINE_UNREACHABLE',
  /** a database engine (postgres, redis-server, …) is not installed, or not in the version range asked for */
  'ENGINE_MISSING',
  /** a snapshot's bytes do not match its recorded sha256 (damaged or truncated): nothing was restored */
  'SNAPSHOT_CORRUPT',
] as const;

export const ErrorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const ErrorInfoSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  details: z.unknown().optional(),
});
export type ErrorInfo = z.infer<typeof ErrorInfoSchema>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

// The class lives in a zod-free module so that a client can throw and catch it without loading zod.
export { DevMeshError } from './devmesh-error.js';
