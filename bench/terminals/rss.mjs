// Section 4 of bench/terminals.mjs: daemon RSS (VmRSS) with N `yes` sessions and no view for the flood time,
// then with N views acking for as long, then after terminals.kill and terminals.remove; sampled every second,
// against the idle RSS of a fresh daemon; "bounded" is judged on the slope of the last 10 s of each flood phase.
import { f0, f1, f2, met, printTable, quantiles, sleep, slope } from './lib.mjs';

/** the samples cut into 10 s windows, each with its least-squares slope */
function windows(pts) {
  const out = [];
  for (let i = 0; i < pts.length; i += 10) {
    const w = pts.slice(Math.max(0, i - 1), i + 10); // each window starts at the previous one's last sample
    if (w.length >= 3) out.push({ from: i, to: Math.min(pts.length, i + 10), slope: slope(w) });
  }
  return out;
}

export async function rssFlood(ctx, opts) {
  const daemon = await ctx.newDaemon('home2');
  const { api, rss } = ctx;
  // Responsiveness: an API round trip (what every UI call is) timed each second, idle and under the flood.
  const ping = async () => {
    const t = performance.now();
    await api.call('daemon.info', {}, 30_000);
    return performance.now() - t;
  };
  const idle = [];
  const idlePing = [];
  for (let i = 0; i < 3; i++, await sleep(1000)) {
    idle.push(rss());
    idlePing.push(await ping());
  }
  const idleMb = quantiles(idle).p50;
  const phases = [];
  const sample = async (name, seconds, extra) => {
    const t0 = performance.now();
    const pts = [];
    const pings = [];
    for (let i = 0; i < seconds; i++) {
      await sleep(1000);
      pts.push({ t: (performance.now() - t0) / 1000, y: rss() });
      pings.push(await ping());
    }
    const half = pts.slice(Math.floor(pts.length / 2));
    const first = pts.slice(0, Math.floor(pts.length / 2));
    const ph = {
      name,
      pts,
      min: Math.min(...pts.map((p) => p.y)),
      max: Math.max(...pts.map((p) => p.y)),
      last: pts.at(-1).y,
      slope: slope(pts),
      slope2: slope(half),
      max1: Math.max(...first.map((p) => p.y)),
      max2: Math.max(...half.map((p) => p.y)),
      pings,
      ...(await extra?.()),
    };
    phases.push(ph);
    return ph;
  };
  const ids = [];
  for (let i = 0; i < opts.sessions; i++) ids.push((await ctx.create({ command: 'yes', args: [] })).id);
  const out0 = (await api.call('terminals.list')).reduce((a, t) => a + t.bytesOut, 0);
  let tOut = performance.now();
  const outRate = async () => {
    const list = await api.call('terminals.list', {}, 30_000);
    const total = list.reduce((a, t) => a + t.bytesOut, 0);
    const now = performance.now();
    const r = {
      rate: (total - outRate.last) / 1e6 / ((now - tOut) / 1000),
      paused: list.filter((t) => t.paused).length,
    };
    outRate.last = total;
    tOut = now;
    return r;
  };
  outRate.last = out0;
  await sample(`${opts.sessions} × yes, no view`, opts.floodSeconds, outRate);
  const vs = [];
  for (const id of ids) vs.push(await ctx.attach(id, { ack: 'prompt' }));
  await sample(`${opts.sessions} × yes, ${opts.sessions} views acking`, opts.floodSeconds, async () => ({
    ...(await outRate()),
    viewBytes: vs.reduce((a, v) => a + v.bytes, 0),
  }));
  for (const v of vs) ctx.detach(v);
  await Promise.all(ids.map((id) => api.call('terminals.kill', { id }, 30_000).catch(() => {})));
  await sample('after terminals.kill (exited, kept)', 3);
  await Promise.all(ids.map((id) => api.call('terminals.remove', { id }, 30_000).catch(() => {})));
  await sample('after terminals.remove', 3);
  console.log(
    `4. daemon RSS (VmRSS, /proc/${daemon.pid}/status) — a fresh daemon: idle ${f1(idleMb)} MB; ${opts.sessions} sessions running \`yes\`, record: false, sampled every second`,
  );
  printTable(
    ['phase', 's', 'min MB', 'max MB', 'last MB', 'peak over idle', 'slope MB/s', '2nd-half slope', 'output MB/s'],
    phases.map((p) => [
      p.name,
      p.pts.length,
      f1(p.min),
      f1(p.max),
      f1(p.last),
      `${f1(p.max - idleMb)} MB`,
      f2(p.slope),
      f2(p.slope2),
      Number.isFinite(p.rate) ? f1(p.rate) : '',
      Number.isFinite(p.viewBytes)
        ? `views received ${f1(p.viewBytes / 1e6)} MB; ${p.paused} PTYs paused at the last list`
        : Number.isFinite(p.rate)
          ? `${p.paused} paused`
          : '',
    ]),
  );
  const flood = phases.slice(0, 2);
  console.log(
    `  samples MB, every second: ${flood.map((p) => `${p.name}: ${p.pts.map((x) => f0(x.y)).join(' ')}`).join(' | ')}`,
  );
  console.log(
    `  slope per 10 s window, MB/s: ${flood
      .map(
        (p) =>
          `${p.name}: ${windows(p.pts)
            .map((w) => `${w.from}-${w.to} s ${w.slope >= 0 ? '+' : ''}${f1(w.slope)}`)
            .join(', ')}`,
      )
      .join(' | ')}`,
  );
  const verdicts = flood.map((p) => {
    const last = windows(p.pts).at(-1);
    if (p.pts.length < 20) return `${p.name}: too short to tell (${p.pts.length} s; the full run floods for 40 s)`;
    return `${p.name}: last 10 s ${last.slope >= 0 ? '+' : ''}${f2(last.slope)} MB/s, peak ${f0(p.max)} MB — ${met(Math.abs(last.slope) <= 0.5)}`;
  });
  console.log(
    `  target "bounded" (RSS not growing once the flood has run a while: |slope| ≤ 0.5 MB/s over the last 10 s): ${verdicts.join('; ')}`,
  );
  const q = (xs) => quantiles(xs);
  console.log(
    `  responsiveness: API round trip (daemon.info, as every UI call) p50 / max: idle ${f1(q(idlePing).p50)} / ${f1(Math.max(...idlePing))} ms; ` +
      flood.map((p) => `${p.name} ${f1(q(p.pings).p50)} / ${f1(Math.max(...p.pings))} ms`).join('; ') +
      ` (target: the UI stays responsive; judged as every round trip < 100 ms: ${met(flood.every((p) => Math.max(...p.pings) < 100))})`,
  );
  console.log(
    `  by design the kept output is ${opts.sessions} × ${2} MB (TERMINAL_RING_BYTES); the rest over the idle RSS is heap the daemon keeps (garbage not yet collected or retained output: RSS alone cannot tell which)`,
  );
}
