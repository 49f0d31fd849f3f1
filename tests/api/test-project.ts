// Temp DevMesh homes and tiny projects for the API and CLI tests: a devmesh.yaml whose services are small
// Node HTTP servers written next to it, so every test runs real processes on real ports.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scaled } from '../helpers/load-scale.js';

export const NODE = process.execPath;

export interface TestServiceSpec {
  version?: string;
  dependsOn?: string[];
  autostart?: boolean;
  /** extra JS appended to the server script */
  extra?: string;
}

/** A temp folder; `dispose()` removes it. */
export function tempDir(prefix: string): { dir: string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The script of a service: an HTTP server on $PORT answering /health, printing a greeting when up. */
export function serverScript(name: string, extra = ''): string {
  return `
const http = require('http');
const server = http.createServer((req, res) => {
  if (req.url !== '/health') console.log('${name} got ' + req.url);
  res.end('${name} ok');
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => {
  console.log('hello from ${name} on ' + process.env.PORT);
  console.error('${name} warning on stderr');
});
process.on('SIGTERM', () => { server.close(); process.exit(0); });
${extra}
`;
}

/** Writes devmesh.yaml and one script per service into `root`; returns the project's id. */
export function writeProject(root: string, id: string, services: Record<string, TestServiceSpec>): string {
  const lines = [`project: ${id}`, 'services:'];
  for (const [name, spec] of Object.entries(services)) {
    writeFileSync(join(root, `${name}.js`), serverScript(name, spec.extra));
    lines.push(
      `  ${name}:`,
      `    version: ${spec.version ?? '1.0.0'}`,
      `    command: "'${NODE}' ${name}.js"`,
      '    health:',
      '      http: /health',
      '      interval: 100ms',
      '      start_timeout: 20s',
      '    stop_timeout: 3s',
      '    restart:',
      '      policy: on-failure',
      '      backoff: 100ms',
    );
    if (spec.dependsOn?.length) lines.push(`    depends_on: [${spec.dependsOn.join(', ')}]`);
    if (spec.autostart === false) lines.push('    autostart: false');
  }
  writeFileSync(join(root, 'devmesh.yaml'), `${lines.join('\n')}\n`);
  return id;
}

/** Polls `check` every `intervalMs` until it returns a value other than undefined/null/false, or throws on timeout. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = scaled(15_000),
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Alive and not a zombie (an orphan's zombie lingers until PID 1 reaps it, and it runs nothing). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
