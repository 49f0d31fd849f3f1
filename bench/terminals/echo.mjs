// Section 2 of bench/terminals.mjs: keystroke echo round trip through the stream. A session runs
// `stty raw -echo; cat` (cat itself echoes each byte, so the line discipline's line buffer never fills), one
// character as {t:'input'}, timed until it comes back in an output frame; against the same round trip with
// node-pty in-process (pty-direct.mjs).
import { bounded, direct, f2, printTable, quantiles, sleep } from './lib.mjs';

export async function keystrokeEcho(ctx, opts) {
  const warm = 20;
  const base = await direct(['echo', String(opts.echoN), String(warm)]);
  const echoInfo = await ctx.create({ command: 'sh', args: ['-c', 'stty raw -echo; printf READY; exec cat'] });
  let text = '';
  let waiter = null;
  const ev = await ctx.attach(echoInfo.id, {
    ack: 'prompt',
    onText: (t) => {
      text += t;
      if (waiter && text.includes(waiter.ch)) {
        const w = waiter;
        waiter = null;
        text = '';
        w.resolve(performance.now());
      }
    },
  });
  for (let i = 0; i < 100 && !text.includes('READY'); i++) await sleep(20);
  if (!text.includes('READY'))
    throw new Error(`echo session: no READY in 2 s (got ${JSON.stringify(text.slice(0, 200))})`);
  text = '';
  const wsUs = [];
  for (let i = 0; i < warm + opts.echoN; i++) {
    const ch = String.fromCharCode(97 + (i % 26));
    const got = new Promise((resolve) => (waiter = { ch, resolve }));
    const t0 = performance.now();
    ev.input(ch);
    const t1 = await bounded(got, 3000, `echo of ${ch}`);
    if (i >= warm) wsUs.push((t1 - t0) * 1000);
  }
  ctx.detach(ev);
  await ctx.api.call('terminals.kill', { id: echoInfo.id }).catch(() => {});
  const qd = quantiles(base.us);
  const qw = quantiles(wsUs);
  console.log(
    `2. keystroke echo round trip: \`stty raw -echo; cat\`, one character per round, ${opts.echoN} rounds after ${warm} warm-up`,
  );
  printTable(
    ['path', 'p50 ms', 'p99 ms', 'max ms', 'mean ms'],
    [
      [
        'node-pty in-process (write → onData)',
        f2(qd.p50 / 1000),
        f2(qd.p99 / 1000),
        f2(qd.max / 1000),
        f2(qd.mean / 1000),
      ],
      [
        'DevMesh: {t:input} → output frame',
        f2(qw.p50 / 1000),
        f2(qw.p99 / 1000),
        f2(qw.max / 1000),
        f2(qw.mean / 1000),
      ],
      [
        '  added by the daemon and the WebSocket',
        f2((qw.p50 - qd.p50) / 1000),
        f2((qw.p99 - qd.p99) / 1000),
        '',
        f2((qw.mean - qd.mean) / 1000),
      ],
    ],
  );
  console.log(
    `  no target; output after a quiet spell or a small batch (an echo) goes at once, bulk output waits up to ${5} ms (TERMINAL_FLOW.batchMs) to batch\n`,
  );
}
