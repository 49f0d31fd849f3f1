// What a process's RSS is made of, from /proc/<pid>/smaps (Linux; elsewhere null): anonymous memory (the V8
// heap, thread stacks and the malloc arenas of threads), the main malloc heap ([heap]: SQLite's page cache,
// better-sqlite3, OpenSSL), the pages of the node executable in memory (file-backed, shared with every node
// process: code, V8's snapshot, ICU data once Intl is used), native add-ons, other shared libraries, and
// SQLite's -shm index of the WAL. And, as the run's baseline, the RSS of a node process that does nothing.
import { spawn } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';

const KINDS = [
  ['anon', 'anonymous (V8 heap, thread arenas)'],
  ['heap', 'malloc heap'],
  ['binary', 'node executable (file)'],
  ['addons', 'native add-ons'],
  ['libs', 'shared libraries'],
  ['shm', 'SQLite -shm'],
  ['other', 'other'],
];

function kindOf(name, exe) {
  if (name === '' || name.startsWith('[anon') || name === '[stack]') return 'anon';
  if (name === '[heap]') return 'heap';
  if (name === exe) return 'binary';
  if (name.endsWith('.node')) return 'addons';
  if (/\.so(\.[\d.]+)?$/.test(name)) return 'libs';
  if (name.endsWith('-shm')) return 'shm';
  return 'other';
}

/** MB of RSS by kind, and the total; null where /proc/<pid>/smaps cannot be read. */
export function rssBreakdown(pid) {
  let text;
  let exe;
  try {
    text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
    exe = readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return null;
  }
  const kb = Object.fromEntries(KINDS.map(([k]) => [k, 0]));
  let kind = 'other';
  for (const line of text.split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) kind = kindOf(head[1].replace(/ \(deleted\)$/, ''), exe);
    else if (line.startsWith('Rss:')) kb[kind] += Number(/(\d+)/.exec(line)[1]);
  }
  const mb = Object.fromEntries(Object.entries(kb).map(([k, v]) => [k, v / 1024]));
  return { ...mb, total: Object.values(mb).reduce((a, b) => a + b, 0) };
}

/** One line per kind: `  anonymous (V8 heap, thread arenas)   48.7 MB`. */
export function formatBreakdown(b, f1) {
  if (!b) return '  (no /proc/<pid>/smaps here)';
  return KINDS.filter(([k]) => b[k] >= 0.05)
    .map(([k, label]) => `  ${label.padEnd(36)} ${f1(b[k]).padStart(6)} MB`)
    .join('\n');
}

/** The RSS of a node process that has started and does nothing (the floor of any daemon), in MB. */
export async function idleNodeRss(rssMb, sleep) {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
  try {
    await sleep(1000);
    return rssMb(child.pid);
  } finally {
    child.kill();
  }
}
