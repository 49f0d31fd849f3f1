// Guarantees that no service or terminal outlives DevMesh, even when DevMesh is killed with SIGKILL: a tiny
// `sh` sidecar in its own session reads from a pipe the process groups of running services and the sessions
// of running terminals; when the pipe closes (DevMesh exited or died), it sends SIGTERM to every group still
// listed (or the group's own stop signal: postgres's fast shutdown is SIGINT, its SIGTERM waits for every
// client) and SIGHUP then SIGTERM to every process of every terminal session still listed (a terminal's jobs
// run in process groups of their own), then SIGKILL to what is left after 5 s (or the longest stop time a
// group asked for, capped at 60 s: a database writing its data out must not be killed in the middle).
//
// It also notes the moment DevMesh died: unless DevMesh said `bye` first (a clean shutdown), it writes the
// time (seconds since the epoch) to the note file it was given, for the next start to say when it died.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import type { Disposable } from '../base/disposable.js';

const REAPER_SCRIPT = `
pgs=""; sids=""; note=""; bye=""; stops=""; waits=50
drop() { keep=""; for p in $1; do [ "$p" = "$2" ] || keep="$keep $p"; done; echo "$keep"; }
dropstop() { keep=""; for e in $1; do [ "\${e%%:*}" = "$2" ] || keep="$keep $e"; done; echo "$keep"; }
while IFS= read -r line; do
  case "$line" in
    "stop "*) set -- \${line#stop }; stops="$(dropstop "$stops" "$1") $1:$2"; [ "$3" -gt "$waits" ] && waits=$3 ;;
    "add "*) pgs="$pgs \${line#add }" ;;
    "del "*) pgs=$(drop "$pgs" "\${line#del }"); stops=$(dropstop "$stops" "\${line#del }") ;;
    "session "*) sids="$sids \${line#session }" ;;
    "unsession "*) sids=$(drop "$sids" "\${line#unsession }") ;;
    "note "*) note=\${line#note } ;;
    bye) bye=1 ;;
  esac
done
if [ -z "$bye" ] && [ -n "$note" ]; then date +%s > "$note.tmp" 2>/dev/null && mv "$note.tmp" "$note" 2>/dev/null; fi
[ -z "$pgs$sids" ] && exit 0
pk=""; command -v pkill >/dev/null 2>&1 && command -v pgrep >/dev/null 2>&1 && pk=1
sessions() { for s in $sids; do kill -"$1" -"$s" 2>/dev/null; [ -n "$pk" ] && pkill -"$1" -s "$s" 2>/dev/null; done; }
sessions HUP
for p in $pgs; do
  sig=TERM; for e in $stops; do [ "\${e%%:*}" = "$p" ] && sig=\${e#*:}; done
  kill -"$sig" -"$p" 2>/dev/null
done
sessions TERM
i=0
while [ $i -lt "$waits" ]; do
  alive=""; for p in $pgs; do kill -0 -"$p" 2>/dev/null && alive="$alive $p"; done
  live=""; for s in $sids; do
    if [ -n "$pk" ]; then pgrep -s "$s" >/dev/null 2>&1 && live="$live $s"; else kill -0 -"$s" 2>/dev/null && live="$live $s"; fi
  done
  [ -z "$alive$live" ] && exit 0
  pgs=$alive; sids=$live; sleep 0.1; i=$((i+1))
done
for p in $pgs; do kill -KILL -"$p" 2>/dev/null; done
sessions KILL
`;

export interface ProcessReaperDeps {
  /** where to write the time DevMesh died (not written on a clean shutdown) */
  note?: string;
  /** the sidecar's environment: the core gives it one without the app's packaging (an AppImage's
   *  LD_LIBRARY_PATH can keep the system's sh from starting); default process.env */
  env?: NodeJS.ProcessEnv;
}

export class ProcessReaper implements Disposable {
  private constructor(
    private readonly child: ChildProcess | null,
    private readonly logger: Logger,
  ) {}

  static start(logger: Logger, deps: ProcessReaperDeps = {}): ProcessReaper {
    let child: ChildProcess | null = null;
    try {
      const env = deps.env ?? process.env;
      child = spawn('/bin/sh', ['-c', REAPER_SCRIPT], { detached: true, env, stdio: ['pipe', 'ignore', 'ignore'] });
      child.on('error', (err) =>
        logger.warn({ err: err.message }, 'process reaper failed; services may outlive a killed DevMesh'),
      );
      child.stdin!.on('error', (err) => logger.warn({ err: err.message }, 'process reaper pipe failed'));
      // The reaper must never keep DevMesh alive.
      child.unref();
      (child.stdin as unknown as { unref?: () => void }).unref?.();
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'could not start the process reaper');
    }
    const reaper = new ProcessReaper(child, logger);
    // one line: a path with a newline would read as two commands
    if (deps.note !== undefined && !/[\r\n]/.test(deps.note)) reaper.send(`note ${deps.note}`);
    return reaper;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** `stop`: the group's own stop signal and how long it may take (a database's), instead of SIGTERM and 5 s */
  watch(pgid: number, stop?: { signal: NodeJS.Signals; timeoutMs: number }): void {
    if (!ProcessReaper.valid(pgid)) return;
    if (stop !== undefined && /^SIG[A-Z0-9]+$/.test(stop.signal)) {
      const tenths = Math.min(600, Math.max(50, Math.ceil(stop.timeoutMs / 100)));
      this.send(`stop ${pgid} ${stop.signal.slice(3)} ${tenths}`);
    }
    this.send(`add ${pgid}`);
  }

  unwatch(pgid: number): void {
    if (ProcessReaper.valid(pgid)) this.send(`del ${pgid}`);
  }

  /** A terminal's session (its leader's pid): every process of it is ended if DevMesh dies. */
  watchSession(sid: number): void {
    if (ProcessReaper.valid(sid)) this.send(`session ${sid}`);
  }

  unwatchSession(sid: number): void {
    if (ProcessReaper.valid(sid)) this.send(`unsession ${sid}`);
  }

  /** Ends the reaper; the groups still listed are stopped, so unwatch what was stopped cleanly first. */
  dispose(): void {
    this.send('bye');
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

  /** 0 and 1 would name the reaper's own group or init: never a group or session of ours */
  private static valid(id: number): boolean {
    return Number.isInteger(id) && id > 1;
  }
}
