// How an earlier run of DevMesh ended, in the words its leftovers are recorded with: "the daemon died (pid
// 4242, at 2026-11-30 14:03:07)", or "DevMesh shut down (pid 4242, at …)" for what a clean shutdown failed to
// record. The time of death is the one its process reaper noted; without a note, its last sign of life.
import type { RunRow } from './daemon-runs.js';

export interface RunEnd {
  run: number;
  pid: number;
  how: 'died' | 'shut down';
  /** when it died or shut down (ms); null when it died leaving no note */
  at: number | null;
  /** its last recorded activity (ms), for a death without a note */
  lastSign: number;
}

export class RunEnds {
  private readonly ends: RunEnd[];

  /** `ends` of the earlier runs that may have left something behind */
  constructor(ends: readonly RunEnd[]) {
    this.ends = [...ends].sort((a, b) => a.run - b.run);
  }

  static of(row: RunRow, diedAt: number | null, lastSign: number): RunEnd {
    return row.ended_at !== null
      ? { run: row.run, pid: row.pid, how: 'shut down', at: row.ended_at, lastSign }
      : // the note has whole seconds: it died after its last sign of life, within the noted second
        { run: row.run, pid: row.pid, how: 'died', at: diedAt === null ? null : Math.max(diedAt, lastSign), lastSign };
  }

  get all(): readonly RunEnd[] {
    return this.ends;
  }

  byRun(run: number): RunEnd | null {
    return this.ends.find((e) => e.run === run) ?? null;
  }

  /** the run that was running at `ts`: the latest one started by then (`starts` by run number) */
  at(ts: number, starts: ReadonlyMap<number, number>): RunEnd | null {
    let found: RunEnd | null = null;
    for (const e of this.ends) if ((starts.get(e.run) ?? Infinity) <= ts) found = e;
    return found;
  }

  static words(end: RunEnd): string {
    if (end.how === 'shut down') return `DevMesh shut down (pid ${end.pid}, at ${RunEnds.clock(end.at!)})`;
    if (end.at !== null) return `the daemon died (pid ${end.pid}, at ${RunEnds.clock(end.at)})`;
    const after = RunEnds.clock(end.lastSign);
    return `the daemon died (pid ${end.pid}, some time after ${after}, its last recorded activity)`;
  }

  /** `2026-11-30 14:03:07`, local time, as people read logs */
  static clock(ts: number): string {
    const d = new Date(ts);
    const two = (n: number): string => String(n).padStart(2, '0');
    const day = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
    return `${day} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  }
}
