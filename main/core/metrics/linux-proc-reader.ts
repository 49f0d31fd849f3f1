// Linux's process figures from /proc, read without spawning anything: a tree's members from
// /proc/<pid>/task/<tid>/children (a ppid scan of /proc/*/stat where the kernel lacks it), CPU time and start
// from /proc/<pid>/stat, resident memory from VmRSS in /proc/<pid>/status, TCP connections by matching the
// socket inodes in /proc/<pid>/fd against /proc/net/tcp and tcp6, the machine's memory from /proc/meminfo.
// Every read tolerates a process ending in the middle of it. Bounded: at most MAX_TREE processes per tree and
// MAX_FDS descriptors per process are looked at.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import type { MemoryReading, ProcessReader, ProcessReading, TreeReading } from './process-reader.js';

export const MAX_TREE = 4096;
export const MAX_FDS = 4096;

export interface ProcStat {
  state: string;
  ppid: number;
  /** utime + stime, in clock ticks */
  ticks: number;
  /** starttime, in clock ticks after boot */
  start: string;
}

/** Parses /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses. */
export function parseStat(text: string): ProcStat | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const f = text.slice(close + 2).split(' ');
  // f[0] is field 3 (state): utime is field 14, stime 15, starttime 22
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  if (f.length < 20 || !Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return { state: f[0]!, ppid: Number(f[1]), ticks: utime + stime, start: f[19]! };
}

/** VmRSS of /proc/<pid>/status, in bytes; 0 for a kernel thread (which has none). */
export function parseStatusRss(text: string): number {
  const m = /^VmRSS:\s+(\d+)\s*kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : 0;
}

export function parseMeminfo(text: string): MemoryReading {
  const kb = (name: string): number | null => {
    const m = new RegExp(`^${name}:\\s+(\\d+)\\s*kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : null;
  };
  const totalBytes = kb('MemTotal') ?? 0;
  // MemAvailable exists since Linux 3.14; before it, free + cached is the usual estimate
  const availableBytes = kb('MemAvailable') ?? (kb('MemFree') ?? 0) + (kb('Cached') ?? 0);
  return { totalBytes, availableBytes };
}

const TCP_ESTABLISHED = '01';
const TCP_LISTEN = '0A';

/** inode → state (hex, `01` established, `0A` listening) of /proc/net/tcp or tcp6 */
export function parseNetTcp(text: string, into = new Map<number, string>()): Map<number, string> {
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.trim().split(/\s+/);
    if (f.length < 10) continue;
    const inode = Number(f[9]);
    if (inode > 0) into.set(inode, f[3]!.toUpperCase());
  }
  return into;
}

export interface LinuxProcReaderOptions {
  /** where /proc is (tests) */
  proc?: string;
  /** USER_HZ; default `getconf CLK_TCK`, else 100 */
  ticksPerSecond?: number;
  /** 'ppid-scan' finds children from every /proc/<pid>/stat even where children files exist (tests) */
  treeBy?: 'children-files' | 'ppid-scan';
}

export class LinuxProcReader implements ProcessReader {
  readonly source = 'proc' as const;
  readonly note: string | null = null;
  private readonly proc: string;
  private readonly msPerTick: number;
  /** does this kernel have /proc/<pid>/task/<tid>/children (CONFIG_PROC_CHILDREN)? */
  private readonly childrenFiles: boolean;

  constructor(options: LinuxProcReaderOptions = {}) {
    this.proc = options.proc ?? '/proc';
    this.msPerTick = 1000 / (options.ticksPerSecond ?? LinuxProcReader.clockTicks());
    this.childrenFiles = options.treeBy !== 'ppid-scan' && this.readChildren('self') !== null;
  }

  read(roots: readonly number[]): Promise<Map<number, TreeReading>> {
    const out = new Map<number, TreeReading>();
    const byParent = this.childrenFiles ? null : this.parentMap();
    const sockets = new Map<number, Set<number>>();
    for (const root of roots) {
      const reading = this.readTree(root, byParent);
      if (reading === null) continue;
      out.set(root, reading.tree);
      sockets.set(root, reading.sockets);
    }
    const anySocket = [...sockets.values()].some((s) => s.size > 0);
    if (anySocket) {
      const states = this.tcpStates();
      for (const [root, inodes] of sockets) {
        const tree = out.get(root)!;
        for (const inode of inodes) {
          const state = states.get(inode);
          if (state === TCP_ESTABLISHED) tree.connections++;
          else if (state === TCP_LISTEN) tree.listening++;
        }
      }
    }
    return Promise.resolve(out);
  }

  memory(): MemoryReading {
    return parseMeminfo(readFileSync(`${this.proc}/meminfo`, 'utf8'));
  }

  /** The members of the tree under `pid` (itself first), zombies left out. */
  members(root: number, byParent: Map<number, number[]> | null = null): number[] {
    const seen = new Set<number>([root]);
    const queue = [root];
    for (let i = 0; i < queue.length && seen.size < MAX_TREE; i++) {
      for (const child of this.childrenOf(queue[i]!, byParent)) {
        if (seen.has(child) || seen.size >= MAX_TREE) continue;
        seen.add(child);
        queue.push(child);
      }
    }
    return queue;
  }

  private readTree(
    root: number,
    byParent: Map<number, number[]> | null,
  ): { tree: TreeReading; sockets: Set<number> } | null {
    if (this.stat(root) === null) return null;
    const processes: ProcessReading[] = [];
    const sockets = new Set<number>();
    for (const pid of this.members(root, byParent)) {
      const stat = this.stat(pid);
      if (stat === null || stat.state === 'Z') continue; // ended meanwhile, or a zombie holding nothing
      processes.push({ pid, start: stat.start, cpuMs: stat.ticks * this.msPerTick, rssBytes: this.rss(pid) });
      this.socketsOf(pid, sockets);
    }
    if (processes.length === 0) return null;
    return { tree: { root, processes, connections: 0, listening: 0 }, sockets };
  }

  private childrenOf(pid: number, byParent: Map<number, number[]> | null): number[] {
    if (byParent !== null) return byParent.get(pid) ?? [];
    return this.readChildren(pid) ?? [];
  }

  /** Children of every thread of `pid` (a thread can fork too); null when the kernel has no children files. */
  private readChildren(pid: number | 'self'): number[] | null {
    let tids: string[];
    try {
      tids = readdirSync(`${this.proc}/${pid}/task`);
    } catch {
      return []; // ended meanwhile
    }
    const children: number[] = [];
    let found = false;
    for (const tid of tids) {
      let text: string;
      try {
        text = readFileSync(`${this.proc}/${pid}/task/${tid}/children`, 'utf8');
        found = true;
      } catch {
        continue; // the thread ended, or the file does not exist (decided below)
      }
      for (const c of text.split(' ')) if (c.trim() !== '') children.push(Number(c));
    }
    return found || tids.length === 0 ? children : null;
  }

  /** ppid → children, from every /proc/<pid>/stat: for kernels without children files. */
  private parentMap(): Map<number, number[]> {
    const map = new Map<number, number[]>();
    let entries: string[];
    try {
      entries = readdirSync(this.proc);
    } catch {
      return map;
    }
    for (const entry of entries) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = this.stat(Number(entry));
      if (stat === null) continue;
      const list = map.get(stat.ppid);
      if (list) list.push(Number(entry));
      else map.set(stat.ppid, [Number(entry)]);
    }
    return map;
  }

  private stat(pid: number): ProcStat | null {
    try {
      return parseStat(readFileSync(`${this.proc}/${pid}/stat`, 'utf8'));
    } catch {
      return null;
    }
  }

  private rss(pid: number): number {
    try {
      return parseStatusRss(readFileSync(`${this.proc}/${pid}/status`, 'utf8'));
    } catch {
      return 0;
    }
  }

  private socketsOf(pid: number, into: Set<number>): void {
    let fds: string[];
    try {
      fds = readdirSync(`${this.proc}/${pid}/fd`);
    } catch {
      return; // ended, or another user's process
    }
    for (const fd of fds.length > MAX_FDS ? fds.slice(0, MAX_FDS) : fds) {
      let target: string;
      try {
        target = readlinkSync(`${this.proc}/${pid}/fd/${fd}`);
      } catch {
        continue; // closed meanwhile
      }
      if (target.startsWith('socket:[')) into.add(Number(target.slice(8, -1)));
    }
  }

  private tcpStates(): Map<number, string> {
    const states = new Map<number, string>();
    for (const file of ['tcp', 'tcp6']) {
      try {
        parseNetTcp(readFileSync(`${this.proc}/net/${file}`, 'utf8'), states);
      } catch {
        // no IPv6 (or no /proc/net) on this machine: those connections are not counted
      }
    }
    return states;
  }

  private static clockTicks(): number {
    try {
      const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 2000 }).trim());
      return Number.isInteger(n) && n > 0 ? n : 100;
    } catch {
      return 100; // USER_HZ is 100 on every architecture Linux ships for desktops
    }
  }
}
