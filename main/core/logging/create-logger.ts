// Structured logs (pino), one JSON line per event, with the domain as a field.
import pino, { type Logger } from 'pino';

export function createLogger(options: { name: string; level?: string; destination?: string | number }): Logger {
  const level = options.level ?? process.env.DEVMESH_LOG_LEVEL ?? 'info';
  const dest = pino.destination({ dest: options.destination ?? 2, sync: true });
  return pino({ name: options.name, level, base: { pid: process.pid } }, dest);
}
