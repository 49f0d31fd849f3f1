// Terminal figures (printed, never asserted; README.md, "Tests and figures"), measured on a
// real `devmesh up --port 0` (own temp DEVMESH_HOME, no project, mDNS off, every port on 127.0.0.1) driven
// through its API WebSocket and the per-session stream `/terminals/<id>/stream` (shared/terminal.ts):
//   1. PTY → WebSocket throughput of `head -c N /dev/zero | base64` (N = 200 MB; 20 MB with --quick) to a
//      view that acknowledges every frame as it arrives, wall time from terminals.create to the `exit`
//      message; against node-pty read in a process of its own (bench/terminals/pty-direct.mjs, spawn to
//      exit; target ≥ 0.9×) and the same command through a plain child_process pipe. Sessions are created
//      with record: false, plus one row with record: true (the product's default: asciicast to disk).
//   2. keystroke echo round trip through the stream: a session runs `stty raw -echo; cat` (cat itself echoes
//      each byte, so the line discipline's line buffer never fills), one character as {t:'input'}, timed
//      until it comes back in an output frame; against the same round trip with node-pty in-process.
//   3. Ctrl-C to prompt under a `yes` flood: `bash --norc --noprofile -i` with PS1 set to a marker, `yes`
//      for ~1 s, then \x03 timed until the marker arrives (target < 100 ms); for a view that acks promptly,
//      one that acks at a simulated renderer speed of 5 MB/s, and one that does not ack at all.
//   4. daemon RSS (VmRSS) with 20 `yes` sessions and no view for 40 s (8 s with --quick), then with 20 views
//      acking for as long, then after terminals.kill and terminals.remove; sampled every second, against the
//      idle daemon (a fresh one); "bounded" is judged on the slope of the last 10 s of each flood phase.
// Each comparison is measured in this run on this machine: compare rows within the run.
// Each section lives in bench/terminals/<section>.mjs (throughput, echo, ctrl-c, rss); what they share (the
// daemon in use, its views, the PTY pids checked at the end, the clients, statistics) in bench/terminals/lib.mjs.
// Usage: npm run bench:terminals [-- --quick | --mb 200 --reps 2 --echo-n 500 --ctrlc-reps 10 --flood-seconds 40 --sessions 20]
// Needs dist/cli/devmesh.js (`npm run build`); DEVMESH_BENCH_CLI measures another build of the CLI.
import { mkdtempSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { staleNote } from './mesh/stale-build.mjs';
import { ctrlC } from './terminals/ctrl-c.mjs';
import { keystrokeEcho } from './terminals/echo.mjs';
import * as L from './terminals/lib.mjs';
import { f0, f1, f2, sleep } from './terminals/lib.mjs';
import { rssFlood } from './terminals/rss.mjs';
import { throughput } from './terminals/throughput.mjs';

const T_START = Date.now();
const { values: o } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    mb: { type: 'string' },
    reps: { type: 'string' },
    'echo-n': { type: 'string' },
    'ctrlc-reps': { type: 'string' },
    'flood-seconds': { type: 'string' },
    sessions: { type: 'string' },
  },
});
const q = o.quick;
const opts = {
  mb: Number(o.mb ?? (q ? 20 : 200)),
  reps: Number(o.reps ?? (q ? 1 : 2)),
  echoN: Number(o['echo-n'] ?? (q ? 100 : 500)),
  ctrlcReps: Number(o['ctrlc-reps'] ?? (q ? 3 : 10)),
  floodSeconds: Number(o['flood-seconds'] ?? (q ? 8 : 40)),
  sessions: Number(o.sessions ?? 20),
};
for (const [k, v] of Object.entries(opts))
  if (!Number.isInteger(v) || v < 1 || v > 2000) throw new Error(`bad --${k}: ${v}`);
if (opts.sessions > 60) throw new Error('--sessions: at most 60 (the daemon allows 64 terminals)');

const cli = process.env.DEVMESH_BENCH_CLI ?? join(L.root, 'dist/cli/devmesh.js');
const ctx = L.createContext(cli, mkdtempSync(join(tmpdir(), 'devmesh-bench-terminals-')));
const elapsed = () => `${((Date.now() - T_START) / 1000).toFixed(0)} s`;

let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM'])
  process.once(sig, () => {
    interrupted = true;
    console.log(`\n${sig}: stopping the daemon and every child…`);
    const hard = setTimeout(() => {
      ctx.abort();
      process.exit(130);
    }, 12_000);
    void ctx.cleanup().finally(() => {
      clearTimeout(hard);
      process.exit(130);
    });
  });
const watchdog = setTimeout(() => {
  console.log('\nbench:terminals: over 10 minutes, giving up');
  ctx.abort();
  process.exit(1);
}, 10 * 60_000);
watchdog.unref();

// ================= header =================
const busy = await L.machineBusy(1000);
console.log(`DevMesh terminals bench — ${new Date().toISOString()}${q ? ' (--quick)' : ''}`);
console.log(
  `machine: ${availableParallelism()} cores (nproc), ${cpus()[0]?.model?.trim() ?? '?'}, Node ${process.version}, node-pty ${L.ptyVersion()}`,
);
console.log(
  `load: CPU ${f1(busy)}% busy in the 1 s before the run, loadavg ${loadavg().map(f2).join(' ')} (the machine is shared: compare rows within this run)`,
);
console.log(`DevMesh: ${cli}${staleNote(cli, L.root)}`);
console.log(`options: ${JSON.stringify(opts)}\n`);

try {
  const daemon = await ctx.newDaemon('home1');
  console.log(
    `daemon up in ${f0(daemon.upMs)} ms (pid ${daemon.pid}, API port ${daemon.port}); idle RSS ${f1(ctx.rss())} MB\n`,
  );
  await throughput(ctx, opts); // 1
  await keystrokeEcho(ctx, opts); // 2
  await ctrlC(ctx, opts); // 3
  await rssFlood(ctx, opts); // 4, on a fresh daemon
} catch (err) {
  if (!interrupted) {
    console.log(`\nbench:terminals failed (${elapsed()} in): ${err.stack ?? err}`);
    if (ctx.daemon) console.log(`daemon stderr (tail): ${ctx.daemon.child.err.slice(-2000)}`);
    process.exitCode = 1;
  }
} finally {
  if (!interrupted) {
    await ctx.cleanup();
    await sleep(300);
    const left = ctx.leftRunning();
    console.log(
      `\ntotal ${elapsed()}; daemon stopped, temp dirs removed; terminal processes left running: ${left.length ? left.join(' ') : 'none'}`,
    );
  }
}
if (!interrupted) process.exit(process.exitCode ?? 0);
