// The process a daemon.json names, checked before `devmesh down` signals it without the API (its token
// was refused or lost): alive, run by this user, on this machine (a loopback URL), started when the record
// says (so a reused pid is not taken for it) and running DevMesh. Linux reads /proc; elsewhere the check
// cannot be made and `down` says to stop the pid by hand.
import { readFileSync, statSync } from 'node:fs';
import type { DaemonRecord } from '../core/home/devmesh-home.js';

/** how far before the record's startedAt (the core's open) the process may have started */
const START_SLACK_MS = 10 * 60_000;
const CLOCK_SLACK_MS = 2_000;

export type DaemonIdentity = { ok: true } | { ok: false; why: string };

export class DaemonProcess {
  constructor(
    private readonly record: DaemonRecord,
    private readonly proc = '/proc',
  ) {}

  identify(): DaemonIdentity {
    const { pid, url, startedAt } = this.record;
    if (!/^https?:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+\//.test(url))
      return { ok: false, why: `its URL ${url} is not on this machine` };
    let uid: number;
    let stat: string;
    let cmdline: string;
    try {
      uid = statSync(`${this.proc}/${pid}`).uid;
      stat = readFileSync(`${this.proc}/${pid}/stat`, 'utf8');
      cmdline = readFileSync(`${this.proc}/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return {
        ok: false,
        why:
          code === 'ENOENT'
            ? `no process ${pid} (or no ${this.proc} on this system)`
            : `cannot inspect process ${pid} (${code})`,
      };
    }
    if (typeof process.getuid === 'function' && uid !== process.getuid())
      return { ok: false, why: `process ${pid} belongs to another user (uid ${uid})` };
    const started = this.startTimeMs(stat);
    if (started === null) return { ok: false, why: `cannot read the start time of process ${pid}` };
    if (started > startedAt + CLOCK_SLACK_MS || started < startedAt - START_SLACK_MS) {
      return {
        ok: false,
        why: `process ${pid} started at ${new Date(started).toISOString()}, not with the DevMesh recorded at ${new Date(startedAt).toISOString()} (a reused pid?)`,
      };
    }
    if (!/devmesh|electron/i.test(cmdline))
      return { ok: false, why: `process ${pid} is not DevMesh (${cmdline.slice(0, 120)})` };
    return { ok: true };
  }

  /** the process's start as epoch ms: boot time + field 22 of /proc/<pid>/stat (clock ticks; USER_HZ 100) */
  private startTimeMs(stat: string): number | null {
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    const btime = /^btime (\d+)$/m.exec(readFileSync(`${this.proc}/stat`, 'utf8'))?.[1];
    if (!Number.isFinite(ticks) || btime === undefined) return null;
    return Number(btime) * 1000 + ticks * 10;
  }
}
