// Section 2 of bench/mesh.mjs: time to mark a killed peer unreachable, as alice's and bob's peer watchers
// see it: (a) every process of its namespace SIGKILLed (the kernel closes its TCP connections), (b) its
// daemon frozen (SIGSTOP) and (c) its cable pulled (link down): silence, which only the heartbeat can detect.
import * as L from './lib.mjs';

const { HEARTBEAT_MS, f0, f2, median, max, printTable } = L;

// 2. killed / frozen / unplugged peer → unreachable on the others
export async function unreachable(lab, ws, victim, opts) {
  const out = { kill: [], freeze: [], linkdown: [] };
  const back = async (t0, timeoutMs) => {
    const rows = await Promise.all(
      ws.map((w) => w.waitFor(victim.name, (r) => r.state === 'connected', t0, timeoutMs).catch(() => null)),
    );
    return rows.map((r) => (r ? r.since - t0 : NaN));
  };
  for (let i = 0; i < opts.reps; i++) {
    const pids = L.netnsPids(victim.ns);
    const t0 = Date.now();
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    await victim.kill9();
    const rows = await Promise.all(ws.map((w) => w.waitFor(victim.name, (r) => r.state !== 'connected', t0, 30_000)));
    const tS = Date.now();
    await victim.start({ timeoutMs: 60_000 });
    out.kill.push({
      detect: rows.map((r) => r.since - t0),
      states: rows.map((r) => r.state),
      back: await back(tS, 45_000),
    });
  }
  const silence = async (kind, stop, resume) => {
    for (let i = 0; i < (kind === 'freeze' ? opts.freezeReps : opts.linkdownReps); i++) {
      await L.sleep(1000 + Math.random() * HEARTBEAT_MS); // a random phase against the beat
      const t0 = Date.now();
      await stop();
      const tDone = Date.now();
      const rows = await Promise.all(ws.map((w) => w.waitFor(victim.name, (r) => r.state !== 'connected', t0, 40_000)));
      const tR = Date.now();
      await resume();
      out[kind].push({
        detect: rows.map((r) => r.since - t0),
        silence: rows.map((r) => (r.lastHeartbeat ? r.since - r.lastHeartbeat : NaN)),
        stopMs: tDone - t0,
        back: await back(tR, 60_000),
      });
    }
  };
  await silence(
    'freeze',
    async () => victim.pause(),
    async () => victim.resume(),
  );
  await silence(
    'linkdown',
    () => victim.setLinkUp(false),
    () => victim.setLinkUp(true),
  );
  return out;
}

export function printUnreachable(r, victimName) {
  const beats = (ms) => ms / HEARTBEAT_MS;
  console.log(
    `2. Time to mark a dead peer unreachable — heartbeat ${HEARTBEAT_MS} ms (default); ${victimName} dies, alice and bob each report (2 observations per event)`,
  );
  const rows = [];
  const add = (label, list) => {
    if (!list.length) return;
    const d = list.flatMap((x) => x.detect);
    const s = list.flatMap((x) => x.silence ?? []);
    const b = list.flatMap((x) => x.back);
    rows.push([
      label,
      `${list.length}×2`,
      `${f0(median(d))} / ${f0(max(d))}`,
      `${f2(beats(median(d)))} / ${f2(beats(max(d)))}`,
      s.length
        ? `${f0(median(s))} / ${f0(max(s))} (${f2(beats(median(s)))} / ${f2(beats(max(s)))} beats)`
        : 'n/a (TCP closed)',
      `${f0(median(b))} / ${f0(max(b))}${b.some((x) => !Number.isFinite(x)) ? ` (${b.filter((x) => !Number.isFinite(x)).length} not back in time)` : ''}`,
    ]);
  };
  add('kill -9 of its whole namespace (TCP closes)', r.kill);
  add('daemon frozen (SIGSTOP): silence', r.freeze);
  add('cable pulled (veth0 down): silence', r.linkdown);
  printTable(
    [
      'how it died',
      'n',
      'to unreachable ms med/max',
      'in beats',
      'silence when declared ms (beats)',
      'back after restart/thaw/replug ms',
    ],
    rows,
  );
  const sil = [...r.freeze, ...r.linkdown];
  if (sil.length) {
    const d = sil.flatMap((x) => x.detect);
    const s = sil.flatMap((x) => x.silence);
    const late = s.map((x) => x - 3 * HEARTBEAT_MS);
    console.log(
      `   target "within 3 missed beats": declared ${f2(beats(median(s)))} beats (median; max ${f2(beats(max(s)))}) after the last heartbeat heard, i.e. ` +
        `${f0(median(late))} ms (max ${f0(max(late))}) after the 3rd missed beat was due and before a 4th: met if "within" allows the product's grace ` +
        `(3 beats + min(½ beat, 1 s) of silence, checked every ¼ beat), not within 3.00 beats strictly (${max(s) <= 3 * HEARTBEAT_MS ? 'met' : 'MISSED'})`,
    );
    console.log(
      `   counted from the moment it fell silent (depends on where in the beat that was): ${f2(beats(median(d)))} beats median, ${f2(beats(max(d)))} max ` +
        `(≤ 3.00: ${beats(max(d)) <= 3 ? 'met' : 'MISSED'}); this rule allows 2.2–3.45 beats`,
    );
  }
  console.log(
    `   kill samples (ms, alice/bob): ${r.kill.map((x) => x.detect.join('/')).join('  ')}; states: ${[...new Set(r.kill.flatMap((x) => x.states))].join(', ')}`,
  );
  for (const k of ['freeze', 'linkdown'])
    if (r[k].length)
      console.log(
        `   ${k} samples (ms after the stop, alice/bob): ${r[k].map((x) => x.detect.join('/')).join('  ')}; the stop itself took ${r[k].map((x) => x.stopMs).join(', ')} ms`,
      );
  console.log('');
}
