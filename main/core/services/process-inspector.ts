// What the OS can tell about a process: is it alive, when did it start (to tell a reused pid apart),
// and which process holds a listening TCP port (Linux: /proc; elsewhere: lsof when installed).
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { stripPackagingEnv } from '../environment/packaging-env.js';

/** the system's lsof and ps, without an AppImage's LD_LIBRARY_PATH (its libraries can break them) */
const TOOL_OPTIONS = {
  encoding: 'utf8' as const,
  timeout: 2000,
  env: stripPackagingEnv(process.env),
  stdio: ['ignore', 'pipe', 'ignore'] as ['ignore', 'pipe', 'ignore'],
};

export interface PortHolder {
  pid: number;
  command: string;
}

export class ProcessInspector {
  isAlive(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  }

  /**
   * Is any process of the group still running? A zombie does not count: once a service's shell is gone its
   * children belong to PID 1, and where PID 1 does not reap (a container without an init) a finished child
   * stays a zombie, which `kill(-pgid, 0)` still reports as there.
   */
  isGroupAlive(pgid: number): boolean {
    try {
      process.kill(-pgid, 0);
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
    const members = this.groupMembers(pgid);
    return members === null || members.length > 0;
  }

  /** The running (non-zombie) processes of a group, from /proc; null where /proc cannot tell. */
  groupMembers(pgid: number): number[] | null {
    let entries: string[];
    try {
      entries = readdirSync('/proc');
    } catch {
      return null;
    }
    const members: number[] = [];
    for (const entry of entries) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue; // ended while we looked
      }
      // After the command name (which may hold spaces and parens): state, ppid, pgrp, …
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') members.push(Number(entry));
    }
    return members;
  }

  /** An opaque token of the process's start time; null when the process is gone or the OS cannot tell. */
  startTime(pid: number): string | null {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Field 22 (starttime) counts from after the command name, which may itself hold spaces and parens.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return fields[19] ?? null;
    } catch {
      return this.startTimeFromPs(pid);
    }
  }

  commandLine(pid: number): string | null {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ') || null;
    } catch {
      return null;
    }
  }

  /** The process listening on a TCP port, where the OS lets us see it. */
  portHolder(port: number): PortHolder | null {
    const inodes = this.listeningInodes(port);
    if (inodes.size > 0) {
      for (const entry of this.safeReaddir('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        for (const fd of this.safeReaddir(`/proc/${entry}/fd`)) {
          let target: string;
          try {
            target = readlinkSync(`/proc/${entry}/fd/${fd}`);
          } catch {
            continue;
          }
          const m = /^socket:\[(\d+)\]$/.exec(target);
          if (m && inodes.has(m[1]!)) {
            const pid = Number(entry);
            return { pid, command: this.commandLine(pid) ?? '?' };
          }
        }
      }
      return null;
    }
    return this.portHolderFromLsof(port);
  }

  private listeningInodes(port: number): Set<string> {
    const inodes = new Set<string>();
    const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
    for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      for (const row of text.split('\n').slice(1)) {
        const cols = row.trim().split(/\s+/);
        // cols[1] local address "0100007F:1F90", cols[3] state (0A = LISTEN), cols[9] inode
        if (cols.length > 9 && cols[3] === '0A' && cols[1]!.endsWith(`:${hexPort}`)) inodes.add(cols[9]!);
      }
    }
    return inodes;
  }

  private portHolderFromLsof(port: number): PortHolder | null {
    try {
      const out = execFileSync('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-Fpc'], TOOL_OPTIONS);
      const pid = /^p(\d+)$/m.exec(out)?.[1];
      const command = /^c(.+)$/m.exec(out)?.[1];
      return pid ? { pid: Number(pid), command: command ?? '?' } : null;
    } catch {
      return null; // no lsof, or nothing found: the caller says "held by another process"
    }
  }

  private startTimeFromPs(pid: number): string | null {
    try {
      const out = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], TOOL_OPTIONS).trim();
      return out || null;
    } catch {
      return null;
    }
  }

  private safeReaddir(dir: string): string[] {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  }
}
