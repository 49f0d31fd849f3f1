// Section 1 of bench/locks.mjs: a lock acquire+release pair through the API of a real daemon (the loopback
// WebSocket the CLI uses, token in the subprotocol), sequential on one connection and from N clients at once
// (each its own connection, holder and file, so nobody waits on a lock: what is measured is the path, not
// contention). Every grant and release is appended to the audit chain with the daemon's durability,
// 'grouped': a call is answered once its entries are synced (a WAL fsync and a mirror fdatasync), and calls
// in flight at once share one sync. Baseline in the same run, on the same
// connections: a round trip of `daemon.info`, and two of them back to back (the floor of any two-call pair).
import { apiClient, f0, f1, f2, printTable, quantiles, rate, times } from './lib.mjs';

/** calls `fn()` in a loop until `max` iterations or `seconds`; latencies in ms */
async function loop(fn, { max = Infinity, seconds = Infinity }) {
  const lat = [];
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  while (lat.length < max && performance.now() < end) {
    const s = performance.now();
    await fn();
    lat.push(performance.now() - s);
  }
  return { lat, ms: performance.now() - t0 };
}

/** latencies and time of several runs of one kind, added up */
function merged() {
  const m = {
    lat: [],
    ms: 0,
    add: (r) => {
      for (const x of r.lat) m.lat.push(x); // not push(...lat): a long run's latencies overflow the call stack
      m.ms += r.ms;
    },
  };
  return m;
}

/** `clients` connections each running `make(client, i)`'s step for `seconds`; merged latencies and total rate */
async function concurrent(clients, seconds, make) {
  const runs = await Promise.all(clients.map((c, i) => loop(make(c, i), { seconds })));
  const lat = runs.flatMap((r) => r.lat);
  const ms = Math.max(...runs.map((r) => r.ms));
  return { lat, ms };
}

export async function apiLocks(ctx, opts) {
  const { daemon, api, project } = ctx;
  const pair = (c, holder, path) => async () => {
    const lock = await c.call('locks.acquire', { project, holder, mode: 'WRITE', target: { kind: 'file', path } });
    await c.call('locks.release', { project, holder, lockId: lock.id });
  };
  const info = (c) => () => c.call('daemon.info', {});
  const infoTwice = (c) => async () => {
    await c.call('daemon.info', {});
    await c.call('daemon.info', {});
  };
  const auditBefore = await api.call('audit.verify', {}, 120_000);

  console.log(
    `1. lock acquire+release through the API (daemon pid ${daemon.pid}, ws://127.0.0.1:${daemon.port}/api, audit durability 'grouped')`,
  );
  // warm-up: JIT, prepared statements, the lock space
  await loop(info(api), { max: 200 });
  await loop(pair(api, 'bench-seq', 'src/f0.ts'), { max: 50 });

  // Baseline and pairs alternate in rounds, so a burst of load from the machine's other users falls on both.
  const seqInfo = merged();
  const seqInfo2 = merged();
  const seqPair = merged();
  const R = 4;
  process.stdout.write(
    `   sequential, ${R} rounds of: ${f0(opts.seqCalls / R)} daemon.info, ${f0(opts.seqCalls / R / 2)} daemon.info ×2, ${f0(opts.seqPairs / R)} pairs (at most ${f1(opts.seqSeconds / R)} s)…\n`,
  );
  for (let r = 0; r < R; r++) {
    seqInfo.add(await loop(info(api), { max: opts.seqCalls / R, seconds: 10 / R }));
    seqInfo2.add(await loop(infoTwice(api), { max: opts.seqCalls / R / 2, seconds: 10 / R }));
    seqPair.add(
      await loop(pair(api, 'bench-seq', 'src/f0.ts'), { max: opts.seqPairs / R, seconds: opts.seqSeconds / R }),
    );
  }

  const clients = [];
  for (let i = 0; i < opts.clients; i++) clients.push(await apiClient(daemon));
  const conInfo = merged();
  const conPair = merged();
  const C = 2;
  process.stdout.write(
    `   ${opts.clients} concurrent clients, ${C} rounds of: daemon.info for ${f1(opts.concurrentSeconds / C / 2)} s, pairs for ${f1(opts.concurrentSeconds / C)} s…\n`,
  );
  try {
    for (let r = 0; r < C; r++) {
      conInfo.add(await concurrent(clients, opts.concurrentSeconds / C / 2, (c) => info(c)));
      conPair.add(
        await concurrent(clients, opts.concurrentSeconds / C, (c, i) =>
          pair(c, `bench-c${i + 1}`, `src/f${(i % (ctx.files.length - 1)) + 1}.ts`),
        ),
      );
    }
  } finally {
    for (const c of clients) c.close();
  }

  const base1 = quantiles(seqInfo.lat);
  const row = (label, r, base, ops = 1) => {
    const q = quantiles(r.lat);
    return [
      label,
      f0(q.n),
      f2(q.p50),
      f2(q.p99),
      f2(q.max),
      f0(rate(q.n * ops, r.ms)),
      times(q.p50 / base.p50),
      times(q.p99 / base.p99),
    ];
  };
  const baseC = quantiles(conInfo.lat);
  printTable(
    ['what (one op = one row of the call)', 'ops', 'p50 ms', 'p99 ms', 'max ms', 'ops/s', 'p50 vs info', 'p99 vs info'],
    [
      row('sequential: daemon.info (baseline)', seqInfo, base1),
      row('sequential: daemon.info ×2 back to back', seqInfo2, base1),
      row('sequential: locks.acquire + locks.release', seqPair, base1),
      [`${opts.clients} clients at once (own connection, holder, file)`, ''],
      row('  daemon.info (baseline)', conInfo, baseC),
      row('  locks.acquire + locks.release', conPair, baseC),
    ],
  );
  const pairsPerSec = rate(seqPair.lat.length, seqPair.ms);
  const infoPerSec = rate(seqInfo.lat.length, seqInfo.ms);
  console.log(
    `  sequential pairs/s vs daemon.info calls/s: ${times(pairsPerSec / infoPerSec)} (${f0(pairsPerSec)} vs ${f0(infoPerSec)}); ${opts.clients} clients: ${times(rate(conPair.lat.length, conPair.ms) / rate(conInfo.lat.length, conInfo.ms))}`,
  );
  console.log(
    `  ${opts.clients} clients vs sequential, pairs/s: ${times(rate(conPair.lat.length, conPair.ms) / pairsPerSec)} (calls in flight together share one audit sync: group commit)`,
  );

  const auditAfter = await api.call('audit.verify', {}, 120_000);
  const pairs = 50 + seqPair.lat.length + conPair.lat.length;
  const added = auditAfter.entries - auditBefore.entries;
  console.log(
    `  audit chain: ${f0(added)} entries added for ${f0(pairs)} pairs (${f2(added / pairs)} per pair; 2 expected: granted + released); ` +
      `audit verify: ${auditAfter.ok ? 'ok' : `BROKEN at ${auditAfter.firstBroken?.seq}: ${auditAfter.firstBroken?.why}`}, mirror ${auditAfter.mirror}, ${f0(auditAfter.entries)} entries in ${f1(auditAfter.ms)} ms\n`,
  );
  return {
    pairP50: quantiles(seqPair.lat).p50,
    infoP50: base1.p50,
    pairsPerSec,
    concurrentPairsPerSec: rate(conPair.lat.length, conPair.ms),
  };
}
