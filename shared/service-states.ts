// A service's states, zod-free so that the CLI can show them without loading zod (shared/service.ts holds
// the schemas and re-exports these).
export const SERVICE_STATES = [
  'stopped',
  'starting',
  'healthy',
  'unhealthy',
  'crashed',
  'backing-off',
  'stopping',
] as const;
export type ServiceState = (typeof SERVICE_STATES)[number];

/** States in which the service's process is (or should be) alive. */
export const RUNNING_STATES: readonly ServiceState[] = ['starting', 'healthy', 'unhealthy', 'stopping'];
