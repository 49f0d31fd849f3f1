// Section 1 of bench/terminals.mjs: PTY → WebSocket throughput of `head -c N /dev/zero | base64` to a view
// that acknowledges every frame as it arrives, wall time from terminals.create to the `exit` message; against
// node-pty read in a process of its own (pty-direct.mjs, spawn to exit; target ≥ 0.9×) and the same command
// through a plain child_process pipe. Sessions use record: false, plus one row with record: true.
import { availableParallelism } from 'node:os';
import { bounded, direct, f0, f1, f2, met, printTable, procTicks } from './lib.mjs';

/** one DevMesh run: create the session, view it until `exit`, remove it */
async function viaDaemon(ctx, cmd, record) {
  const { daemon, api } = ctx;
  const ticks0 = procTicks([daemon.pid]);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const info = await ctx.create({ command: 'sh', args: ['-c', cmd], record });
  const v = await ctx.attach(info.id, { ack: 'prompt' });
  const exit = await bounded(v.exited, 180_000, `throughput session ${info.id}`);
  const ms = (v.exitAt ?? performance.now()) - t0;
  const ticks1 = procTicks([daemon.pid]);
  const cpu = process.cpuUsage(cpu0);
  ctx.detach(v);
  await api.call('terminals.remove', { id: info.id }).catch(() => {});
  return {
    bytes: v.bytes,
    ms,
    bytesOut: exit?.bytesOut ?? NaN,
    frames: v.frames,
    replay: v.replayBytes,
    daemonCpu: ((ticks1.user + ticks1.sys - ticks0.user - ticks0.sys) * 10) / ms, // ticks are 10 ms
    clientCpu: (cpu.user + cpu.system) / 1000 / ms,
    errors: v.errors,
  };
}

export async function throughput(ctx, opts) {
  const bytesIn = opts.mb * 1_000_000;
  const cmd = `head -c ${bytesIn} /dev/zero | base64`;
  const runs = { pipe: [], pty: [], dm: [], dmRec: [] };
  for (let rep = 0; rep < opts.reps; rep++) {
    runs.pipe.push(await direct(['pipe', cmd]));
    runs.pty.push(await direct(['throughput', cmd]));
    runs.dm.push(await viaDaemon(ctx, cmd, false));
    if (rep === 0) runs.dmRec.push(await viaDaemon(ctx, cmd, true)); // the recording row once: its cost is the disk, not noise
  }
  const pipeOut = runs.pipe[0];
  const expectedPty = pipeOut.bytes + pipeOut.newlines; // the PTY turns each \n into \r\n (onlcr)
  const mbps = (r) => r.bytes / 1e6 / (r.ms / 1000);
  const best = (rs) => rs.reduce((a, r) => (mbps(r) > mbps(a) ? r : a), rs[0]);
  const all = (rs) => rs.map((r) => f1(mbps(r))).join(', ');
  const bPty = best(runs.pty);
  console.log(
    `1. throughput: \`${cmd}\` (${f0(pipeOut.bytes)} bytes through a pipe, ${f0(expectedPty)} through a PTY), best of ${opts.reps} (record: true once)`,
  );
  console.log(
    '   wall time from spawn (DevMesh: from the terminals.create call) to exit (DevMesh: the `exit` message at the view)',
  );
  const rows = [];
  const row = (label, rs, expected, extra = '') => {
    const b = best(rs);
    const whole = rs.filter((r) => r.bytes === expected).length;
    const complete =
      (b.bytes === expected ? 'all bytes' : `${f0(b.bytes)} of ${f0(expected)} bytes`) +
      (rs.length > 1 ? ` (${whole}/${rs.length} runs complete)` : '');
    rows.push([
      label,
      f2(b.ms / 1000),
      f1(mbps(b)),
      all(rs),
      `${f2(mbps(b) / mbps(bPty))}×`,
      `${f2(mbps(b) / mbps(best(runs.pipe)))}×`,
      complete + extra,
    ]);
  };
  row('plain pipe (child_process, stdout)', runs.pipe, pipeOut.bytes);
  row('node-pty read in-process alone', runs.pty, expectedPty, `; ${f0(bPty.bytes / bPty.chunks)} bytes per read`);
  for (const [key, label] of [
    ['dm', 'DevMesh → WebSocket view, record: false'],
    ['dmRec', 'DevMesh → WebSocket view, record: true'],
  ]) {
    const b = best(runs[key]);
    row(
      label,
      runs[key],
      expectedPty,
      `; ${f0(b.bytes / b.frames)} bytes/frame; daemon CPU ${f0(b.daemonCpu * 100)}%, view ${f0(b.clientCpu * 100)}%` +
        (b.bytesOut !== b.bytes ? `; exit.info.bytesOut ${f0(b.bytesOut)}` : '') +
        (b.errors.length ? `; errors: ${b.errors.join(' | ').slice(0, 200)}` : ''),
    );
  }
  printTable(['path', 'seconds', 'MB/s', 'all runs MB/s', 'vs node-pty', 'vs pipe', 'notes'], rows);
  const ratio = mbps(best(runs.dm)) / mbps(bPty);
  console.log(`  target: DevMesh (record: false) ≥ 0.9× node-pty alone: ${f2(ratio)}× — ${met(ratio >= 0.9)}`);
  console.log(
    `  (CPU shares are of one core; the machine has ${availableParallelism()}: the PTY writer, the daemon and the view share them)\n`,
  );
}
