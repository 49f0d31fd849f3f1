// Runs one engine program to completion (initdb, pg_ctl, psql, redis-cli…) as the given user, with its
// output kept for the message when it fails. Bounded in time: a program that hangs is killed.
import { spawn } from 'node:child_process';
import { DevMeshError } from '../../../shared/errors.js';
import type { EngineTool } from './database-handle.js';

export interface ProgramRun {
  /** what it was doing, for the message: "initdb for api-db" */
  what: string;
  args: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
  /** each line of its output, as it comes (the service's log) */
  onLine?: (line: string) => void;
  /** aborted: the program is killed and the run fails (the start it served was called off) */
  signal?: AbortSignal;
}

const KEEP = 4000;

/** Resolves with stdout; rejects with SERVICE_FAILED naming the program, its exit and its last output. */
export function runProgram(tool: EngineTool, run: ProgramRun): Promise<string> {
  return new Promise((resolve, reject) => {
    if (run.signal?.aborted) {
      reject(new DevMeshError('SERVICE_FAILED', `${run.what}: called off before it ran`));
      return;
    }
    const child = spawn(tool.file, [...run.args], {
      cwd: run.cwd,
      env: run.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(tool.uid !== null ? { uid: tool.uid } : {}),
      ...(tool.gid !== null ? { gid: tool.gid } : {}),
    });
    let out = '';
    let err = '';
    let pending = '';
    const line = (chunk: string) => {
      if (!run.onLine) return;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) if (l.trim()) run.onLine(l);
    };
    child.stdout.on('data', (d: Buffer) => {
      out = (out + d.toString('utf8')).slice(-KEEP * 4);
      line(d.toString('utf8'));
    });
    child.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString('utf8')).slice(-KEEP);
      line(d.toString('utf8'));
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), run.timeoutMs ?? 120_000);
    let calledOff = false;
    const abort = (): void => {
      calledOff = true;
      child.kill('SIGKILL');
    };
    run.signal?.addEventListener('abort', abort, { once: true });
    child.stdin.on('error', () => undefined); // a program that exits before reading its input
    child.stdin.end(run.input ?? '');
    child.once('error', (e) => {
      clearTimeout(timer);
      run.signal?.removeEventListener('abort', abort);
      reject(new DevMeshError('SPAWN_FAILED', `${run.what}: cannot run ${tool.file}: ${e.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      run.signal?.removeEventListener('abort', abort);
      if (pending.trim()) run.onLine?.(pending);
      if (code === 0 && !calledOff) return resolve(out);
      const how = calledOff
        ? 'was stopped (the start was called off)'
        : signal === 'SIGKILL'
          ? 'timed out'
          : `exited ${code ?? signal}`;
      const tail = (err.trim() || out.trim()).split('\n').slice(-8).join('\n');
      reject(new DevMeshError('SERVICE_FAILED', `${run.what}: ${tool.file} ${how}${tail ? `:\n${tail}` : ''}`));
    });
  });
}

/** `'it''s'` for sh -c: a value quoted as one word. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
