// Structured logs (pino), one JSON line per event, with the domain as a field.
import pino, { type Logger } from 'pino';

export function createLogger(options: { name: string; level?: string; destination?: string | number }): Logger {
  const level = options.level ?? process.env.DEVMESH_LOG_LEVEL ?? 'info';
  // mode: a log file is created readable by you only (it holds services' commands and errors)
  const dest = pino.destination({ dest: options.destination ?? 2, sync: true, mode: 0o600 });
  return pino({ name: options.name, level, base: { pid: process.pid } }, dest);
}
