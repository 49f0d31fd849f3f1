// What measuring every process costs (printed, never asserted), with 23 services, each a small Node HTTP server:
//   1. in this process: LinuxProcReader + ProcessSampler (the tree's code, via esbuild) reading the 23 service
//      trees, CPU time per sample (process.cpuUsage, the median of many);
//   2. the baseline, a real `devmesh up --port 0` running the same 23 services with `metrics.enabled: false`:
//      the daemon's own CPU time over each 5 s (the default interval), from /proc/<pid>/stat;
//   3. the same daemon with metrics on (interval 1 s, so the window holds many samples): its CPU per 5 s.
// The ratio the issue asks for: one sample's cost over an idle daemon's 5 s.
// Usage: npm run bench:metrics [-- --seconds 20 --samples 200]. Needs dist/cli/devmesh.js (`npm run build`).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadTs } from './ts-module.mjs';
import { apiClient, root, sleep, startDaemon, stop, stopAll } from './terminals/lib.mjs';

const { values: opts } = parseArgs({
  options: { seconds: { type: 'string', default: '20' }, samples: { type: 'string', default: '200' } },
});
const SERVICES = 23;
const seconds = Number(opts.seconds);
const samples = Number(opts.samples);
const cli = join(root, 'dist/cli/devmesh.js');
const tmp = mkdtempSync(join(tmpdir(), 'devmesh-bench-metrics-'));

function ticks(pid) {
  const t = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = t.slice(t.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime of the daemon itself, in 1/100 s
}

function writeProject(dir) {
  mkdirSync(dir, { recursive: true });
  const lines = ['project: bench', 'services:'];
  const server = `require('http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');`;
  for (let i = 0; i < SERVICES; i++) {
    writeFileSync(join(dir, `s${i}.js`), server);
    lines.push(`  s${i}:`, '    version: 1.0.0', `    command: "exec '${process.execPath}' s${i}.js"`);
    lines.push('    health:', '      tcp: true');
  }
  writeFileSync(join(dir, 'devmesh.yaml'), `${lines.join('\n')}\n`);
}

async function daemonWith(metrics, project) {
  const home = join(tmp, `home-${metrics ? 'on' : 'off'}`);
  mkdirSync(home, { recursive: true });
  writeFileSync(
    join(home, 'config.yaml'),
    metrics ? 'metrics: { interval_ms: 1000 }\n' : 'metrics: { enabled: false }\n',
  );
  const d = await startDaemon(cli, home);
  const api = await apiClient(d);
  await api.call('projects.open', { root: project }, 60_000);
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(200)) {
    const list = await api.call('services.list', {});
    if (list.length === SERVICES && list.every((s) => s.state === 'healthy')) return { d, api, list };
  }
  throw new Error('the 23 services did not all become healthy in 60 s');
}

/** the daemon's CPU ms per 5 s, over `seconds` */
async function cpuPer5s(pid) {
  await sleep(2000); // settle after the start
  const t0 = ticks(pid);
  const w0 = performance.now();
  await sleep(seconds * 1000);
  return ((ticks(pid) - t0) * 10 * 5000) / (performance.now() - w0);
}

try {
  const project = join(tmp, 'project');
  writeProject(project);
  const { LinuxProcReader, ProcessSampler } = await loadTs(root, join(root, 'bench'), 'metrics-bench', [
    "export { LinuxProcReader } from './main/core/metrics/linux-proc-reader.ts';",
    "export { ProcessSampler } from './main/core/metrics/process-sampler.ts';",
  ]);

  const off = await daemonWith(false, project);
  const idle = await cpuPer5s(off.d.pid);
  // in-process: the same 23 trees, read by the tree's code
  const targets = off.list.map((s) => ({
    key: `service:bench/${s.name}`,
    kind: 'service',
    name: s.name,
    project: 'bench',
    pid: s.pid,
  }));
  const sampler = new ProcessSampler({ reader: new LinuxProcReader(), gpu: null });
  const costs = [];
  for (let i = 0; i < samples; i++) {
    const c0 = process.cpuUsage();
    const { usages } = await sampler.sample(targets);
    const c = process.cpuUsage(c0);
    if (usages.length !== SERVICES) throw new Error(`read ${usages.length} trees, not ${SERVICES}`);
    costs.push((c.user + c.system) / 1000);
  }
  costs.sort((a, b) => a - b);
  const median = costs[Math.floor(costs.length / 2)];
  const p95 = costs[Math.floor(costs.length * 0.95)];
  await stop(off.d.child);

  const on = await daemonWith(true, project);
  const busy = await cpuPer5s(on.d.pid);
  await stop(on.d.child);

  console.log(`What measuring every process costs, ${SERVICES} services (Node HTTP servers), ${samples} samples`);
  console.log(`  one sample (in process): median ${median.toFixed(2)} ms CPU, p95 ${p95.toFixed(2)} ms`);
  console.log(`  idle daemon, metrics off: ${idle.toFixed(1)} ms CPU per 5 s`);
  console.log(`  ratio, one sample / idle daemon's 5 s: ${(median / idle).toFixed(2)}x`);
  console.log(`  daemon, metrics on every 1 s: ${busy.toFixed(1)} ms CPU per 5 s (${(busy / idle).toFixed(2)}x idle)`);
  console.log(`  at the default 5 s interval: ${((median / 5000) * 100).toFixed(3)} % of one core`);
} finally {
  await stopAll();
  rmSync(tmp, { recursive: true, force: true });
}
