// An error that escapes every seam, in a real process: it reaches the log file (with its stack) and stderr,
// and the process exits with 70, whether it was thrown from a timer or left as an unhandled rejection.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../../..');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function crash(how: 'timer' | 'rejection', loggerWritesLogPath: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'devmesh-fatal-'));
  dirs.push(dir);
  const logPath = join(dir, 'logs', 'daemon.log');
  const script = join(dir, 'crash.ts');
  writeFileSync(
    script,
    `
import { createLogger } from '${root}/main/core/logging/create-logger.ts';
import { FatalErrorLog } from '${root}/main/core/logging/fatal-error-log.ts';
import { mkdirSync } from 'node:fs';
mkdirSync('${join(dir, 'logs')}', { recursive: true });
const logger = createLogger({ name: 'devmesh', ${loggerWritesLogPath ? `destination: '${logPath}'` : 'destination: 1'} });
new FatalErrorLog({ logger, logPath: '${logPath}', loggerWritesLogPath: ${loggerWritesLogPath}, what: 'the DevMesh daemon' });
function flushRows() { throw new Error('NOT NULL constraint failed: proxy_requests.bytes_out'); }
${how === 'timer' ? 'setTimeout(flushRows, 10);' : 'setTimeout(() => { Promise.reject(new Error("a rejected write")); }, 10); setTimeout(() => {}, 5000);'}
`,
  );
  const bundle = join(dir, 'crash.cjs');
  // the product's code as the daemon runs it: bundled, its packages (pino) from node_modules
  await build({
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    logLevel: 'silent',
    absWorkingDir: root,
    entryPoints: [script],
    outfile: bundle,
    packages: 'external',
    nodePaths: [join(root, 'node_modules')],
  });
  const r = spawnSync(process.execPath, [bundle], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, NODE_PATH: join(root, 'node_modules') },
  });
  return { r, log: readFileSync(logPath, 'utf8') };
}

describe('FatalErrorLog', () => {
  it('writes an error thrown from a timer to daemon.log with its stack, then exits 70', async () => {
    const { r, log } = await crash('timer', true);
    expect(r.status).toBe(70);
    const line = JSON.parse(log.trim().split('\n').at(-1)!) as {
      level: number;
      err: string;
      msg: string;
      origin: string;
    };
    expect(line).toMatchObject({ level: 60, origin: 'uncaughtException' });
    expect(line.err).toMatch(/NOT NULL constraint failed[\s\S]*at Timeout\.flushRows/);
    expect(r.stderr).toMatch(/stopped on an error no part of it caught[\s\S]*also in .*daemon\.log/);
  });

  it('writes an unhandled rejection to the log file even when the logger writes elsewhere', async () => {
    const { r, log } = await crash('rejection', false);
    expect(r.status).toBe(70);
    expect(log).toMatch(/"origin":"unhandledRejection".*a rejected write/);
  });
});
