// The processes behind one PTY: node-pty's pid is the session leader (the shell); what Ctrl-C reaches is
// the terminal's foreground process group (tpgid in /proc/<pid>/stat); ending a session for good means
// every process of the session, including background jobs in their own groups. A session left behind by a
// DevMesh that died is found the same way, by its session id (the leader's pid) and start times.
import { readFileSync, readdirSync } from 'node:fs';

interface StatFields {
  pgrp: number;
  session: number;
  tpgid: number;
  state: string;
  /** clock ticks after boot: with the pid, names one process for good */
  start: number;
}

export class TerminalProcessGroup {
  constructor(readonly pid: number) {}

  /** the terminal's foreground process group, falling back to the leader's pid */
  foregroundGroup(): number {
    const stat = TerminalProcessGroup.stat(this.pid);
    return stat !== null && stat.tpgid > 0 ? stat.tpgid : this.pid;
  }

  /** Sends `signal` to the foreground process group (what a key like Ctrl-C would reach). */
  signalForeground(signal: NodeJS.Signals): void {
    const pgid = this.foregroundGroup();
    try {
      process.kill(-pgid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      TerminalProcessGroup.tryKill(this.pid, signal);
    }
  }

  /** the leader has exited (or is a zombie awaiting node-pty's waitpid) */
  leaderGone(): boolean {
    const stat = TerminalProcessGroup.stat(this.pid);
    if (stat === null) return !TerminalProcessGroup.alive(this.pid);
    return stat.state === 'Z';
  }

  /** Every live process of the session (Linux: scans /proc; elsewhere: the leader only). */
  members(): number[] {
    const found = TerminalProcessGroup.sessionMembers(this.pid);
    if (found !== null) return found.map((m) => m.pid);
    return TerminalProcessGroup.alive(this.pid) ? [this.pid] : [];
  }

  /**
   * The live processes of a session that started at or after `since` (the leader's start ticks): what is
   * left of a terminal whose leader may be gone. Nothing when the leader's pid now names a newer process
   * (its session is someone else's). Linux only: null elsewhere.
   */
  static leftovers(sid: number, since: number): number[] | null {
    const leader = TerminalProcessGroup.stat(sid);
    if (leader !== null && leader.start !== since) return [];
    return (
      TerminalProcessGroup.sessionMembers(sid)
        ?.filter((m) => m.start >= since)
        .map((m) => m.pid) ?? null
    );
  }

  /** Signals each of `pids`; gone ones are fine. */
  static signalEach(pids: readonly number[], signal: NodeJS.Signals): void {
    for (const pid of pids) TerminalProcessGroup.tryKill(pid, signal);
  }

  private static sessionMembers(sid: number): { pid: number; start: number }[] | null {
    let entries: string[];
    try {
      entries = readdirSync('/proc');
    } catch {
      return null;
    }
    const found: { pid: number; start: number }[] = [];
    for (const e of entries) {
      if (!/^\d+$/.test(e)) continue;
      const stat = TerminalProcessGroup.stat(Number(e));
      if (stat !== null && stat.session === sid && stat.state !== 'Z')
        found.push({ pid: Number(e), start: stat.start });
    }
    return found;
  }

  /** Signals the leader's group, the foreground group and every other member of the session. */
  signalAll(signal: NodeJS.Signals): void {
    const groups = new Set([this.pid, this.foregroundGroup()]);
    for (const g of groups) TerminalProcessGroup.tryKill(-g, signal);
    for (const pid of this.members()) TerminalProcessGroup.tryKill(pid, signal);
  }

  private static tryKill(target: number, signal: NodeJS.Signals): void {
    try {
      process.kill(target, signal);
    } catch (err) {
      // ESRCH: already gone, which is what we want; anything else (EPERM) is worth knowing.
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH')
        process.emitWarning(`devmesh: kill ${target} ${signal}: ${(err as Error).message}`);
    }
  }

  private static alive(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  /** Fields after the command name, which may itself hold spaces and parentheses. */
  private static stat(pid: number): StatFields | null {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return null;
    }
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // rest[0]=state(3) [1]=ppid(4) [2]=pgrp(5) [3]=session(6) [4]=tty_nr(7) [5]=tpgid(8) [19]=starttime(22)
    return {
      state: rest[0] ?? '?',
      pgrp: Number(rest[2]),
      session: Number(rest[3]),
      tpgid: Number(rest[5]),
      start: Number(rest[19]),
    };
  }
}
