// Section 3 of bench/terminals.mjs: Ctrl-C to prompt under a `yes` flood. `bash --norc --noprofile -i` with
// PS1 set to a marker, `yes` for ~1 s, then \x03 timed until the marker arrives (target < 100 ms); for a view
// that acks promptly, one that acks at a simulated renderer speed of 5 MB/s, and one that does not ack at all
// (then, after 2 s, it acks everything: how long until the prompt).
import { f0, f1, met, printTable, quantiles, sleep } from './lib.mjs';

const MARK = '@@P@@ ';

/** a view on a fresh bash whose prompt is MARK; `waitMark(ms)` resolves with the time of the next MARK, or null */
async function promptSession(ctx, ack) {
  const info = await ctx.create({
    command: 'bash',
    args: ['--norc', '--noprofile', '-i'],
    env: { PS1: MARK, HISTFILE: '/dev/null' },
  });
  const s = { info, marks: 0, after: 0, counting: false }; // after: chars received since the interrupt, while counting
  let tail = '';
  let onMark = null;
  s.view = await ctx.attach(info.id, {
    ack,
    onText: (t) => {
      if (s.counting) s.after += t.length;
      const all = tail + t;
      let n = 0;
      for (let i = all.indexOf(MARK); i !== -1; i = all.indexOf(MARK, i + 1)) if (i + MARK.length > tail.length) n++;
      tail = all.slice(-(MARK.length - 1));
      if (n > 0) {
        s.marks += n;
        onMark?.(performance.now());
      }
    },
  });
  s.waitMark = (ms) =>
    new Promise((resolve) => {
      const timer = setTimeout(() => ((onMark = null), resolve(null)), ms);
      onMark = (t) => {
        clearTimeout(timer);
        onMark = null;
        resolve(t);
      };
    });
  return s;
}

async function measure(ctx, m) {
  const s = await promptSession(ctx, m.ack);
  const { info, view: v } = s;
  if (s.marks === 0 && (await s.waitMark(5000)) === null)
    throw new Error(`bash (${m.key}): no prompt ${JSON.stringify(MARK)} in 5 s`);
  const res = { ms: [], after: [], timeouts: 0, paused: [], note: '' };
  for (let rep = 0; rep < m.reps; rep++) {
    await sleep(100);
    const before = v.bytes;
    v.input('yes\r');
    await sleep(1000);
    const flooded = v.bytes - before;
    const list = await ctx.api.call('terminals.list');
    res.paused.push(list.find((x) => x.id === info.id)?.paused ?? null);
    s.after = 0;
    s.counting = true;
    const got = s.waitMark(m.ack === 'none' ? 2000 : 5000);
    const tC = performance.now();
    v.input('\x03');
    const tP = await got;
    s.counting = false;
    if (tP === null) {
      res.timeouts++;
      if (m.ack === 'none') {
        // resume acknowledging everything received: how long until the prompt then?
        const resumed = s.waitMark(5000);
        const tA = performance.now();
        v.acking = true;
        v.ackMode = 'prompt';
        v.ws.send(JSON.stringify({ t: 'ack', chars: 100_000_000 }));
        const tR = await resumed;
        res.note = `flooded ${f0(flooded)} chars in 1 s, then paused; no prompt 2 s after the Ctrl-C; once the view acked everything, the prompt came ${tR === null ? 'not within 5 s' : `${f1(tR - tA)} ms later`}`;
      }
    } else {
      res.ms.push(tP - tC);
      res.after.push(s.after);
    }
    res.flooded = (res.flooded ?? 0) + flooded;
  }
  ctx.detach(v);
  await ctx.api.call('terminals.kill', { id: info.id }).catch(() => {});
  return res;
}

export async function ctrlC(ctx, opts) {
  const modes = [
    { key: 'prompt', label: 'view acks every frame at once', ack: 'prompt', reps: opts.ctrlcReps },
    { key: 'slow', label: 'view acks as a 5 MB/s renderer', ack: 5000, reps: opts.ctrlcReps },
    { key: 'none', label: 'view never acks (PTY paused)', ack: 'none', reps: 1 },
  ];
  const ctrlc = {};
  for (const m of modes) ctrlc[m.key] = await measure(ctx, m);
  console.log(
    `3. Ctrl-C to prompt under a \`yes\` flood: bash --norc --noprofile -i, PS1=${JSON.stringify(MARK)}; \`yes\` for 1 s, then \\x03 timed until the prompt arrives`,
  );
  const ctrlRows = [];
  for (const m of modes) {
    const r = ctrlc[m.key];
    if (m.key === 'none') {
      ctrlRows.push([m.label, r.note || `prompt after ${f1(r.ms[0])} ms`]);
      continue;
    }
    const s = quantiles(r.ms);
    const pausedShare = r.paused.filter(Boolean).length;
    ctrlRows.push([
      m.label,
      `${s.n}/${m.reps}`,
      f1(s.p50),
      f1(s.max),
      f0(quantiles(r.after).p50),
      f1(r.flooded / m.reps / 1e6),
      `${pausedShare}/${r.paused.length}`,
      met(s.n === m.reps && s.max < 100),
    ]);
  }
  printTable(
    ['view', 'prompts', 'p50 ms', 'max ms', 'chars after ^C p50', 'MB/s flood', 'paused at ^C', 'max < 100 ms'],
    ctrlRows,
  );
  console.log('  "paused at ^C": terminals.list said the PTY was paused by flow control just before the interrupt\n');
}
