// Baselines for bench/terminals.mjs, run as a child process so that nothing else shares its event loop:
//   throughput <cmd> — node-pty spawns `sh -c <cmd>` (encoding null, as the daemon does) and counts bytes
//                       until the exit; prints {bytes, ms} (ms from spawn to exit)
//   pipe <cmd>        — the same command through child_process.spawn with a stdout pipe; {bytes, newlines, ms}
//   echo <n> <warm>   — node-pty runs `stty raw -echo; cat`: write one character, time until it comes back
//                       in onData; prints {us: [...]} (the n measured rounds, after `warm` unmeasured ones)
// Every run is bounded (a watchdog exits the process); one JSON line on stdout.
import { spawn as spawnChild } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const pty = createRequire(join(root, 'package.json'))('node-pty');
const [mode, ...rest] = process.argv.slice(2);
const watchdog = setTimeout(() => {
  process.stdout.write(JSON.stringify({ error: `${mode}: over 120 s` }) + '\n');
  process.exit(1);
}, 120_000);
const done = (result) => {
  clearTimeout(watchdog);
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0);
};
const ENV = { ...process.env, TERM: 'xterm-256color' };

if (mode === 'throughput') {
  const t0 = performance.now();
  const p = pty.spawn('sh', ['-c', rest[0]], {
    name: 'xterm-256color',
    cols: 80,
    rows: 24,
    cwd: root,
    env: ENV,
    encoding: null,
  });
  let bytes = 0;
  let chunks = 0;
  p.onData((d) => {
    bytes += d.length;
    chunks++;
  });
  p.onExit(() => done({ bytes, chunks, ms: performance.now() - t0 }));
} else if (mode === 'pipe') {
  const t0 = performance.now();
  const c = spawnChild('sh', ['-c', rest[0]], { cwd: root, env: ENV, stdio: ['ignore', 'pipe', 'ignore'] });
  let bytes = 0;
  let newlines = 0;
  c.stdout.on('data', (d) => {
    bytes += d.length;
    for (let i = d.indexOf(10); i !== -1; i = d.indexOf(10, i + 1)) newlines++;
  });
  c.on('close', () => done({ bytes, newlines, ms: performance.now() - t0 }));
} else if (mode === 'echo') {
  const n = Number(rest[0]);
  const warm = Number(rest[1] ?? 20);
  const p = pty.spawn('sh', ['-c', 'stty raw -echo; printf READY; exec cat'], {
    name: 'xterm-256color',
    cols: 80,
    rows: 24,
    cwd: root,
    env: ENV,
  });
  let buf = '';
  let waiting = null;
  p.onData((d) => {
    buf += d;
    if (waiting && buf.includes(waiting.ch)) {
      const w = waiting;
      waiting = null;
      buf = '';
      w.resolve(performance.now());
    }
  });
  /** writes one character; resolves with the time its echo arrived */
  const round = (ch) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no echo of ${JSON.stringify(ch)} in 2 s`)), 2000);
      waiting = { ch, resolve: (t) => (clearTimeout(timer), resolve(t)) };
      p.write(ch);
    });
  (async () => {
    for (let i = 0; i < 100 && !buf.includes('READY'); i++) await new Promise((r) => setTimeout(r, 20));
    if (!buf.includes('READY')) throw new Error('cat did not start in 2 s');
    buf = '';
    const us = [];
    for (let i = 0; i < warm + n; i++) {
      const ch = String.fromCharCode(97 + (i % 26));
      const t0 = performance.now();
      const t1 = await round(ch);
      if (i >= warm) us.push((t1 - t0) * 1000);
    }
    p.kill('SIGKILL');
    done({ us });
  })().catch((err) => {
    try {
      p.kill('SIGKILL');
    } catch {}
    done({ error: err.message });
  });
} else {
  done({ error: `unknown mode ${mode}` });
}
