// One health check of a service: an HTTP GET (2xx/3xx passes), a TCP connect, or a command that must
// exit 0, each bounded by the check's timeout. Never throws: the outcome carries the reason.
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import type { HealthCheckConfig } from '../config/project-config.js';

export interface ProbeOutcome {
  ok: boolean;
  /** what was checked and, on failure, why it failed: "GET /health → 500", "connect :4001 refused" */
  detail: string;
}

export class HealthProbe {
  /** One kept-alive connection per service: a probe every few seconds should not cost a TCP handshake each. */
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1, keepAliveMsecs: 10_000 });

  constructor(
    private readonly check: Exclude<HealthCheckConfig, { kind: 'none' }>,
    private readonly cwd: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  run(port: number | null): Promise<ProbeOutcome> {
    switch (this.check.kind) {
      case 'http':
        return this.http(port, this.check.path, this.check.timeoutMs);
      case 'tcp':
        return this.tcp(port, this.check.timeoutMs);
      case 'exec':
        return this.exec(this.check.command, this.check.timeoutMs);
    }
  }

  /** Closes the kept-alive connection. */
  dispose(): void {
    this.agent.destroy();
  }

  private http(port: number | null, path: string, timeoutMs: number): Promise<ProbeOutcome> {
    const what = `GET ${path}`;
    if (port === null) return Promise.resolve({ ok: false, detail: `${what}: the service has no port` });
    return new Promise((resolve) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path,
          method: 'GET',
          timeout: timeoutMs,
          agent: this.agent,
          headers: { 'user-agent': 'devmesh-health' },
        },
        (res) => {
          res.resume();
          const status = res.statusCode ?? 0;
          resolve({ ok: status >= 200 && status < 400, detail: `${what} → ${status}` });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (err) => resolve({ ok: false, detail: `${what} on port ${port}: ${HealthProbe.describe(err)}` }));
      req.end();
    });
  }

  private tcp(port: number | null, timeoutMs: number): Promise<ProbeOutcome> {
    if (port === null) return Promise.resolve({ ok: false, detail: 'tcp check: the service has no port' });
    return new Promise((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, timeout: timeoutMs });
      socket.once('connect', () => {
        socket.destroy();
        resolve({ ok: true, detail: `connect :${port}` });
      });
      socket.once('timeout', () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      socket.once('error', (err) => resolve({ ok: false, detail: `connect :${port}: ${HealthProbe.describe(err)}` }));
    });
  }

  private exec(command: string, timeoutMs: number): Promise<ProbeOutcome> {
    return new Promise((resolve) => {
      const child = spawn('/bin/sh', ['-c', command], {
        cwd: this.cwd,
        env: this.env,
        stdio: ['ignore', 'ignore', 'pipe'],
        detached: true,
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => {
        if (stderr.length < 500) stderr += d.toString('utf8');
      });
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, timeoutMs);
      child.once('error', (err) => {
        clearTimeout(timer);
        resolve({ ok: false, detail: `\`${command}\`: ${err.message}` });
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve({ ok: true, detail: `\`${command}\` exited 0` });
        else {
          const why = signal === 'SIGKILL' ? `timed out after ${timeoutMs} ms` : `exited ${code ?? signal}`;
          const tail = stderr.trim().split('\n').pop();
          resolve({ ok: false, detail: `\`${command}\` ${why}${tail ? `: ${tail}` : ''}` });
        }
      });
    });
  }

  private static describe(err: Error): string {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED') return 'connection refused';
    if (code === 'ECONNRESET') return 'connection reset';
    return err.message;
  }
}
