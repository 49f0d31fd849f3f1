// Guarantees that no service outlives DevMesh, even when DevMesh is killed with SIGKILL: a tiny `sh`
// sidecar in its own session reads the process groups of running services from a pipe; when the pipe
// closes (DevMesh exited or died), it sends SIGTERM to every group still listed, then SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import type { Disposable } from '../lifecycle/disposable.js';

const REAPER_SCRIPT = `
pgs=""
while IFS= read -r line; do
  case "$line" in
    "add "*) pgs="$pgs \${line#add }" ;;
    "del "*) pg=\${line#del }; keep=""; for p in $pgs; do [ "$p" = "$pg" ] || keep="$keep $p"; done; pgs=$keep ;;
  esac
done
[ -z "$pgs" ] && exit 0
for p in $pgs; do kill -TERM -"$p" 2>/dev/null; done
i=0
while [ $i -lt 50 ]; do
  alive=""; for p in $pgs; do kill -0 -"$p" 2>/dev/null && alive="$alive $p"; done
  [ -z "$alive" ] && exit 0
  pgs=$alive; sleep 0.1; i=$((i+1))
done
for p in $pgs; do kill -KILL -"$p" 2>/dev/null; done
`;

export class ProcessReaper implements Disposable {
  private constructor(
    private readonly child: ChildProcess | null,
    private readonly logger: Logger,
  ) {}

  static start(logger: Logger): ProcessReaper {
    let child: ChildProcess | null = null;
    try {
      child = spawn('/bin/sh', ['-c', REAPER_SCRIPT], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
      child.on('error', (err) => logger.warn({ err: err.message }, 'process reaper failed; services may outlive a killed DevMesh'));
      child.stdin!.on('error', (err) => logger.warn({ err: err.message }, 'process reaper pipe failed'));
      // The reaper must never keep DevMesh alive.
      child.unref();
      (child.stdin as unknown as { unref?: () => void }).unref?.();
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'could not start the process reaper');
    }
    return new ProcessReaper(child, logger);
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  watch(pgid: number): void {
    this.send(`add ${pgid}`);
  }

  unwatch(pgid: number): void {
    this.send(`del ${pgid}`);
  }

  /** Ends the reaper; the groups still listed are stopped, so unwatch what was stopped cleanly first. */
  dispose(): void {
    this.child?.stdin?.end();
  }

  private send(line: string): void {
    const stdin = this.child?.stdin;
    if (!stdin || stdin.destroyed) {
      this.logger.debug({ line }, 'process reaper not running');
      return;
    }
    stdin.write(`${line}\n`);
  }
}
