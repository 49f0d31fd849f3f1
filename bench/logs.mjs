// Logs through DevMesh (printed, never asserted), each figure beside a baseline measured in the same run:
//   1. ingest: a service printing lines as fast as it can (one write per line, a third pino JSON) into a
//      real `devmesh up` that parses, stores and indexes them (FTS5), beside the same program writing the same
//      lines to a file; and how long until the last line is searchable;
//   2. backpressure: the service printing at a fixed rate (10,000 and 50,000 lines/s): the rate its lines left
//      it at, and the most bytes it had to queue because the pipe was full (the daemon pushing back);
//   3. search over the stored lines (1,000,000, or 200,000 with --quick): first page (200 lines) and count,
//      p50/p99 through the API, beside `grep -c` over the same lines in a file;
//   4. the daemon's RSS with those lines stored and 23 services running, and what it is made of (smaps), beside
//      the RSS of a node process that does nothing.
// Usage: npm run bench:logs [-- --quick | --lines 1000000 --runs 20]
// Needs `npm run build` (dist/cli/devmesh.js) and grep.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatBreakdown, idleNodeRss, rssBreakdown } from './logs/rss-breakdown.mjs';
import { staleNote } from './mesh/stale-build.mjs';
import {
  apiClient,
  f1,
  f2,
  printTable,
  quantiles,
  root,
  rssMb,
  sleep,
  startDaemon,
  stop,
  stopAll,
} from './terminals/lib.mjs';

const { values: o } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    lines: { type: 'string' },
    runs: { type: 'string' },
  },
});
const opts = {
  lines: Number(o.lines ?? (o.quick ? 200_000 : 1_000_000)),
  runs: Number(o.runs ?? (o.quick ? 10 : 30)),
  pacedSeconds: o.quick ? 2 : 5,
};
const IDLE_SERVICES = 22;
const cli = process.env.DEVMESH_BENCH_CLI ?? join(root, 'dist/cli/devmesh.js');
const work = mkdtempSync(join(tmpdir(), 'devmesh-bench-logs-'));
const printer = join(root, 'bench/logs/printer.mjs');
const f0 = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '—');

let runCount = 0;
function control(mode, extra) {
  const marker = `m${++runCount}x${Date.now()}`;
  const path = join(work, 'control.json');
  const result = join(work, `result-${marker}.json`);
  writeFileSync(path, JSON.stringify({ mode, marker, result, ...extra }));
  return { marker, result };
}

/** The printer writing into a file: the baseline of a service's own print rate. */
function printToFile(lines, file) {
  const c = control('burst', { lines });
  const fd = openSync(file, 'w');
  const r = spawnSync(process.execPath, [printer, join(work, 'control.json')], { stdio: ['ignore', fd, 'inherit'] });
  closeSync(fd);
  if (r.status !== 0) throw new Error(`the printer exited ${r.status}`);
  return JSON.parse(readFileSync(c.result, 'utf8'));
}

async function waitFile(path, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      if (Date.now() > deadline) throw new Error(`no result in ${path} after ${timeoutMs} ms`);
      await sleep(50);
    }
  }
}

/** The printer as the project's service `printer`: its own figures, and when its last line was searchable. */
async function printThroughDevMesh(api, mode, extra) {
  // the previous run's printer exits just after its result: start the next one once it has
  const deadline0 = Date.now() + 60_000;
  for (;;) {
    const svc = (await api.call('services.list', { project: 'logbench' })).find((s) => s.name === 'printer');
    if (svc && !['starting', 'running', 'healthy', 'unhealthy', 'stopping'].includes(svc.state)) break;
    if (Date.now() > deadline0) throw new Error(`the printer did not end: ${svc?.state}`);
    await sleep(50);
  }
  const c = control(mode, extra);
  await api.call('services.start', { project: 'logbench', name: 'printer' });
  const result = await waitFile(c.result, 600_000);
  const deadline = Date.now() + 600_000;
  for (;;) {
    const found = await api.call('logs.search', { project: 'logbench', query: `"bench marker ${c.marker}"`, limit: 1 });
    if (found.lines.length > 0) return { ...result, searchableMs: Date.now() - result.started };
    if (Date.now() > deadline) throw new Error('the last line never became searchable');
    await sleep(25);
  }
}

function grepCount(word, file) {
  const t0 = performance.now();
  const r = spawnSync('grep', ['-c', '-i', '-w', word, file], { encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0 && r.status !== 1) throw new Error(`grep: ${r.stderr}`);
  return { ms, n: Number(r.stdout.trim()) };
}

async function main() {
  const stale = staleNote(cli, root);
  if (stale) console.log(`CLI ${cli}${stale}`);
  const dir = join(work, 'project');
  mkdirSync(dir, { recursive: true });
  const services = [
    '  printer:',
    '    version: 1.0.0',
    `    command: "'${process.execPath}' '${printer}' '${join(work, 'control.json')}'"`,
    '    autostart: false',
    '    restart: no',
  ];
  for (let i = 1; i <= IDLE_SERVICES; i++) {
    services.push(`  idle${i}:`, '    version: 1.0.0', `    command: "echo idle ${i} up; exec sleep 100000"`);
  }
  writeFileSync(
    join(dir, 'devmesh.yaml'),
    ['project: logbench', 'logs: { retain_size: 4GB }', 'services:', ...services, ''].join('\n'),
  );
  const file = join(work, 'baseline.log');
  const d = await startDaemon(cli, join(work, 'home'));
  const api = await apiClient(d);
  try {
    await api.call('projects.open', { root: dir });
    console.log(
      `${opts.lines.toLocaleString('en-US')} lines, ${IDLE_SERVICES + 1} services; ${availableParallelism()} CPUs, ` +
        `load ${loadavg()[0].toFixed(1)}; daemon pid ${d.pid}, RSS at start ${f1(rssMb(d.pid))} MB`,
    );
    console.log(formatBreakdown(rssBreakdown(d.pid), f1));

    // 1. ingest: file first, then DevMesh (which leaves the store holding the lines for the searches)
    const toFile = printToFile(opts.lines, file);
    const viaDevMesh = await printThroughDevMesh(api, 'burst', { lines: opts.lines });
    const fileMb = statSync(file).size / 1e6;
    console.log(
      `\nIngest: ${opts.lines.toLocaleString('en-US')} lines (${f1(fileMb)} MB), one write per line (goal: DevMesh ≥ 0.5× the file):`,
    );
    console.log(
      `  the service queued up to ${f1(viaDevMesh.queuedMax / 1e6)} MB in itself while the daemon's pipe was full`,
    );
    printTable(
      ['path', 'lines/s leaving the service', 'ratio', 'last line searchable after'],
      [
        ['service > file', f0(toFile.perSecond), '1.00', '—'],
        [
          'service → DevMesh (parse, store, FTS5)',
          f0(viaDevMesh.perSecond),
          f2(viaDevMesh.perSecond / toFile.perSecond),
          `${f0(viaDevMesh.searchableMs)} ms`,
        ],
        [
          '  stored and indexed',
          f0((opts.lines / viaDevMesh.searchableMs) * 1000),
          f2(((opts.lines / viaDevMesh.searchableMs) * 1000) / toFile.perSecond),
          '',
        ],
      ],
    );

    // 2. backpressure at fixed rates (these lines add to the store)
    const paced = [];
    for (const rate of [10_000, 50_000]) {
      const r = await printThroughDevMesh(api, 'paced', { rate, seconds: opts.pacedSeconds });
      paced.push([
        `${f0(rate)} lines/s for ${opts.pacedSeconds} s`,
        f0(r.perSecond),
        f2(r.perSecond / rate),
        f0(r.queuedMax / 1024),
        f0(r.searchableMs - r.ms),
      ]);
    }
    console.log('\nBackpressure: a service printing at a fixed rate in 10 ms ticks (goal: none below 50,000 lines/s):');
    printTable(
      [
        'target',
        'lines left the service (lines/s)',
        'ratio',
        'most queued in it (KB)',
        'searchable after its end (ms)',
      ],
      paced,
    );
    console.log('  a pipe holds 64-200 KB: a queue beyond that is the daemon not keeping up');

    // 3. search
    const stored = (await api.call('logs.search', { project: 'logbench', query: '', limit: 1, count: true })).total;
    const queries = [
      ['common word', 'completed', 'completed'],
      ['rarer word', 'invoice', 'invoice'],
      ['phrase', '"payment invoice"', null],
      ['prefix', 'ship*', null],
      ['level>=warn', 'level>=warn', null],
      ['word + level>=error', 'payment level>=error', null],
      ['field user.id=42', 'user.id=42', null],
      ['word, last 60 s', 'cache', null, { since: Date.now() - 60_000 }],
    ];
    const rows = [];
    for (const [label, query, grepWord, extra = {}] of queries) {
      const page = [];
      const server = [];
      const count = [];
      let total = 0;
      for (let i = 0; i < opts.runs; i++) {
        const t0 = performance.now();
        const r = await api.call('logs.search', { project: 'logbench', query, limit: 200, ...extra });
        page.push(performance.now() - t0);
        server.push(r.ms);
      }
      for (let i = 0; i < Math.max(3, Math.round(opts.runs / 3)); i++) {
        const t0 = performance.now();
        const r = await api.call('logs.search', { project: 'logbench', query, limit: 1, count: true, ...extra });
        count.push(performance.now() - t0);
        total = r.total;
      }
      const g = grepWord ? quantiles(Array.from({ length: 5 }, () => grepCount(grepWord, file).ms)) : null;
      const p = quantiles(page);
      const s = quantiles(server);
      const c = quantiles(count);
      rows.push([
        label,
        f1(p.p50),
        f1(p.p99),
        f1(s.p50),
        f1(c.p50),
        f1(c.p99),
        f0(total),
        g ? f1(g.p50) : '—',
        g ? f2(p.p50 / g.p50) : '—',
      ]);
    }
    console.log(
      `\nSearch over ${f0(stored)} stored lines, ${opts.runs} runs each, through the API (goal: first page < 50 ms):`,
    );
    printTable(
      [
        'search',
        'page p50',
        'page p99',
        'in daemon p50',
        'count p50',
        'count p99',
        'matches',
        'grep -c p50',
        'page ÷ grep',
      ],
      rows,
    );
    console.log(
      `  grep -c -i -w WORD over the same ${f0(opts.lines)} lines in a ${f1(fileMb)} MB file (page cache warm); ms throughout`,
    );

    const rss = rssMb(d.pid);
    const breakdown = rssBreakdown(d.pid);
    const dbMb = statSync(join(work, 'home', 'devmesh.db')).size / 1e6;
    const floor = await idleNodeRss(rssMb, sleep);
    console.log(
      `\nDaemon RSS with ${f0(stored)} lines stored and ${IDLE_SERVICES + 1} services: ${f1(rss)} MB (goal < 150 MB); store ${f1(dbMb)} MB on disk`,
    );
    console.log(formatBreakdown(breakdown, f1));
    console.log(`  a node process doing nothing: ${f1(floor)} MB (the daemon: ${f2(rss / floor)}×)`);
    console.log('Figures are noisy: compare rows within this run, not across runs or machines.');
  } finally {
    await api.call('services.stopAll', { project: 'logbench' }).catch(() => {});
    api.close();
    await stop(d.child, 'SIGTERM', 40_000);
    await stopAll();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
