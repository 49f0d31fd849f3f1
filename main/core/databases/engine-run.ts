// Runs an engine's program (pg_dump, pg_restore, psql, redis-cli, …) as DatabaseHandle.tool() says: as the
// unprivileged user it names when the daemon is root (postgres' tools and server refuse root, and the data
// folder belongs to that user), with stdin/stdout piped to the daemon so the files it reads and writes stay
// the daemon's own (the tool's user cannot read $DEVMESH_HOME). Fails with a DevMeshError naming the program
// and what it printed on stderr.
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { DevMeshError, type ErrorCode } from '../../../shared/errors.js';
import type { EngineTool } from './database-handle.js';

const STDERR_KEPT = 4096;
const STDOUT_KEPT = 1024 * 1024;

export interface EngineRunOptions {
  /** what is fed on stdin: text, or a stream piped in (a snapshot file) */
  stdin?: string | Readable;
  /** takes stdout (e.g. pipeline(out, gzip, file)), resolving once written; absent: collected (up to 1 MB) */
  stdout?: (out: Readable) => Promise<void>;
  timeoutMs: number;
  /** the code a failure is reported with (default INTERNAL) */
  failure?: ErrorCode;
  /** as users read it: "the snapshot of api-db" */
  what: string;
}

export async function runEngineTool(tool: EngineTool, args: string[], options: EngineRunOptions): Promise<string> {
  const name = basename(tool.file);
  const child = spawn(tool.file, args, {
    // the tool's user cannot enter the daemon's folders; nothing it runs reads its cwd
    cwd: tmpdir(),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C', PGCONNECT_TIMEOUT: '10' },
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(tool.uid !== null ? { uid: tool.uid } : {}),
    ...(tool.gid !== null ? { gid: tool.gid } : {}),
  });
  let stderr = '';
  let stdout = '';
  let outputError: Error | undefined;
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEPT);
  });
  const consume = options.stdout;
  const outputDone =
    consume === undefined
      ? new Promise<void>((resolve) => {
          child.stdout.setEncoding('utf8');
          child.stdout.on('data', (chunk: string) => {
            if (stdout.length < STDOUT_KEPT) stdout += chunk;
          });
          child.stdout.on('end', resolve);
          child.stdout.on('error', () => resolve());
        })
      : consume(child.stdout).catch((err: unknown) => {
          // a full disk: the program would block on a full pipe, so it is stopped and the write's error told
          outputError ??= err instanceof Error ? err : new Error(String(err));
          child.kill('SIGKILL');
        });
  // a program that stops reading early (it failed) closes its stdin: that error is its exit code's to tell
  child.stdin.on('error', () => {});
  if (options.stdin === undefined) child.stdin.end();
  else if (typeof options.stdin === 'string') child.stdin.end(options.stdin);
  else {
    const source = options.stdin;
    source.on('error', (err) => child.stdin.destroy(err));
    source.pipe(child.stdin);
  }
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs);
  try {
    const exit = await new Promise<{ code: number | null; signal: string | null }>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal }));
    });
    await outputDone;
    if (outputError !== undefined) throw outputError;
    if (timedOut)
      throw new DevMeshError('TIMEOUT', `${options.what}: ${name} did not finish within ${options.timeoutMs} ms`);
    if (exit.code !== 0) {
      const said = stderr.trim().split('\n').slice(-6).join('\n');
      throw new DevMeshError(
        options.failure ?? 'INTERNAL',
        `${options.what}: ${name} failed (${exit.code === null ? `signal ${exit.signal}` : `exit ${exit.code}`})` +
          (said === '' ? '' : `: ${said}`),
      );
    }
    return stdout;
  } catch (err) {
    if (err instanceof DevMeshError || err === outputError) throw err;
    throw new DevMeshError('INTERNAL', `${options.what}: cannot run ${tool.file}: ${(err as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}
