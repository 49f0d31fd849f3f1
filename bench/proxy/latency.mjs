// One-connection latency for bench:proxy, robust to a shared machine: every path is measured in short
// wrk -c1 blocks taken in turn (path A, B, C, A, B, C, ...), so background load hits each path alike, and
// each path's blocks are merged from wrk's full latency histograms (a Lua done() hook prints every
// value and count) before percentiles are taken. Optionally, for each block of one path, the deltas of a
// stall probe inside that process (bench/proxy/stall-probe.cjs) are summed: what may have caused its tail.
// Each block also runs a closed-loop client of our own (one-connection-client.mjs) for the same time: the
// raw per-request latency, beside wrk's figures, which wrk corrects for coordinated omission (see there).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { start, stop, sleep } from './lib.mjs';

const RAW_CLIENT = new URL('./one-connection-client.mjs', import.meta.url).pathname;

const HIST_LUA = `done = function(summary, latency, requests)
  local out = {}
  for i = 1, #latency do
    local v, c = latency(i)
    out[#out + 1] = string.format("%d:%d", v, c)
  end
  io.write("HIST " .. summary.requests .. " " .. table.concat(out, ",") .. "\\n")
end
`;

/** wrk -c1 for `seconds` against `port`; adds its histogram (µs → count) into `into`, returns requests. */
export async function histBlock(dir, { port, host, seconds, into }) {
  const script = join(dir, 'hist.lua');
  writeFileSync(script, HIST_LUA);
  const args = ['-t1', '-c1', `-d${seconds}s`, '--timeout', '5s', '-s', script];
  if (host) args.push('-H', `Host: ${host}`);
  const w = start('wrk', [...args, `http://127.0.0.1:${port}/`]);
  const code = await exitCode(w, seconds);
  const m = /HIST (\d+) (\S*)/.exec(w.out);
  if (code !== 0 || !m) throw new Error(`wrk ${code}: ${w.err.trim() || w.out.trim()}`);
  return mergeHist(m, into);
}

/** The raw client for `seconds`; adds its histogram (µs → count) into `into`, returns requests. */
export async function rawBlock({ port, host, seconds, into }) {
  const c = start(process.execPath, [RAW_CLIENT, String(port), host ?? '127.0.0.1', String(seconds)]);
  const code = await exitCode(c, seconds);
  const m = /HIST (\d+) (\S*)/.exec(c.out);
  if (code !== 0 || !m) throw new Error(`one-connection-client ${code}: ${c.err.trim() || c.out.trim()}`);
  return mergeHist(m, into);
}

/** Adds a client's printed histogram (`HIST <requests> µs:count,…`, matched) into `into`; its requests. */
function mergeHist(match, into) {
  for (const pair of match[2].split(',').filter(Boolean)) {
    const [v, c] = pair.split(':').map(Number);
    into.set(v, (into.get(v) ?? 0) + c);
  }
  return Number(match[1]);
}

/** A block's exit code; killed ('timeout') when it runs 15 s past its `seconds`. */
async function exitCode(child, seconds) {
  const late = sleep((seconds + 15) * 1000).then(() => 'timeout');
  const code = await Promise.race([new Promise((r) => child.once('exit', r)), late]);
  if (code === 'timeout') await stop(child, 'SIGKILL');
  return code;
}

/** The q-quantile (0..1) of a histogram of µs → count. */
export function quantile(hist, q) {
  const entries = [...hist].sort((a, b) => a[0] - b[0]);
  const n = entries.reduce((s, [, c]) => s + c, 0);
  let seen = 0;
  for (const [v, c] of entries) {
    seen += c;
    if (seen >= q * n) return v;
  }
  return NaN;
}

/** The stall probe's cumulative figures (bench/proxy/stall-probe.cjs), or null when it wrote none yet. */
export function readStalls(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** Adds b - a (two stall snapshots) to `sum`: per GC kind and for SQLite, count, total ms, and how many
 * pauses lasted at least each of the probe's limits. */
export function addStalls(sum, a, b) {
  if (!a || !b) return sum;
  sum.over = b.over;
  const slot = (x, y, into) => {
    into.n += y.n - (x?.n ?? 0);
    into.totalMs += y.totalMs - (x?.totalMs ?? 0);
    y.over.forEach((c, i) => (into.over[i] = (into.over[i] ?? 0) + c - (x?.over[i] ?? 0)));
  };
  for (const [kind, y] of Object.entries(b.gc ?? {}))
    slot(a.gc?.[kind], y, (sum.gc[kind] ??= { n: 0, totalMs: 0, over: [] }));
  slot(a.sqlite, b.sqlite, sum.sqlite);
  return sum;
}

/**
 * Every path in `paths` ({ key, port, host, stallFile? }) measured in `blocks` turns of `seconds / blocks`
 * each, after a 1 s warm-up per path; { key: { hist, requests, stalls } }.
 */
export async function interleaved(dir, paths, { seconds, blocks }) {
  const out = {};
  for (const p of paths) {
    await histBlock(dir, { port: p.port, host: p.host, seconds: 1, into: new Map() });
    await rawBlock({ port: p.port, host: p.host, seconds: 1, into: new Map() });
    const stalls = { over: [], gc: {}, sqlite: { n: 0, totalMs: 0, over: [] } };
    out[p.key] = { hist: new Map(), requests: 0, raw: new Map(), rawRequests: 0, stalls };
  }
  const each = Math.max(1, Math.round(seconds / blocks));
  for (let b = 0; b < blocks; b++) {
    for (const p of paths) {
      const before = p.stallFile ? readStalls(p.stallFile) : null;
      out[p.key].requests += await histBlock(dir, { port: p.port, host: p.host, seconds: each, into: out[p.key].hist });
      out[p.key].rawRequests += await rawBlock({ port: p.port, host: p.host, seconds: each, into: out[p.key].raw });
      // the probe rewrites its file every 200 ms: wait for the figures of the whole block
      if (p.stallFile) await sleep(250);
      if (p.stallFile) addStalls(out[p.key].stalls, before, readStalls(p.stallFile));
    }
  }
  return out;
}

const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '—');

/** Prints the one-connection table (and, for the path with a stall probe, what stalled it); the results. */
export async function oneConnectionSection({ dir, paths, seconds, blocks, printTable }) {
  const each = Math.max(1, Math.round(seconds / blocks));
  console.log(
    `HTTP, one connection: wrk -t1 -c1 and a raw client, ${blocks} blocks of ${each} s each per path taken in turn, ` +
      'histograms merged (latency without queueing)',
  );
  const live = paths.filter((p) => !p.why);
  let r;
  try {
    r = await interleaved(dir, live, { seconds, blocks });
  } catch (err) {
    console.log(`  failed: ${err.message.slice(0, 300)}\n`);
    return null;
  }
  const table = (hist, count) => {
    const rows = paths.map((p) => {
      if (p.why) return [p.label, `not available: ${p.why}`];
      const x = r[p.key];
      const [p50, p99, p999] = [0.5, 0.99, 0.999].map((q) => quantile(x[hist], q));
      const added = (q, v) => (p.key === 'direct' ? '' : `${f1(v - quantile(r.direct[hist], q))} µs`);
      const n = x[count].toLocaleString('en-US');
      return [p.label, n, f1(p50), f1(p99), f1(p999), added(0.5, p50), added(0.99, p99), added(0.999, p999)];
    });
    printTable(['path', 'requests', 'p50 µs', 'p99 µs', 'p99.9 µs', 'added p50', 'added p99', 'added p99.9'], rows);
  };
  console.log('  as wrk reports it (corrected for coordinated omission: a pause of the proxy counts once per request');
  console.log("  a fixed-rate client would have sent meanwhile, so p99 here is the event loop's pauses)");
  table('hist', 'requests');
  console.log('  raw, each request once (one-connection-client.mjs: closed loop, send → last byte, same blocks)');
  table('raw', 'rawRequests');
  for (const p of live.filter((x) => x.stallFile)) {
    const s = r[p.key].stalls;
    const over = (slot) => (s.over ?? []).map((limit, i) => `${slot.over[i] ?? 0} ≥${limit} ms`).join(', ');
    const gc = Object.entries(s.gc)
      .map(([kind, g]) => `${g.n} ${kind} (${f1(g.totalMs)} ms; ${over(g)})`)
      .join('; ');
    const requests = r[p.key].requests + r[p.key].rawRequests;
    const share = `${requests.toLocaleString('en-US')} requests; 1% = ${Math.round(requests / 100)}`;
    console.log(`  inside ${p.label} during its blocks (${share}): GC ${gc || 'none'}`);
    const sqlite = `${s.sqlite.n} (${f1(s.sqlite.totalMs)} ms; ${over(s.sqlite)})`;
    console.log(`    synchronous SQLite transactions (the request log's slices): ${sqlite}`);
  }
  console.log('');
  return r;
}
