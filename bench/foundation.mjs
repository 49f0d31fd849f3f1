// Foundation figures (printed, never asserted): examples/shop plus 20 generated services.
//   daemon start → API ready, and → all services healthy
//   `devmesh status` and `devmesh version` start to finish, as a ratio to a bare `node -e 0` start measured
//   in turns with them (A B A B …, so load drifts hit both alike): target status ≤ 1.5× (wall, median of the
//   pairs' ratios); the CPU ratio (children's user+sys time, all runs) is printed beside it
//   daemon RSS with everything running (target < 120 MB)
//   daemon CPU while idle over 30 s (target < 1%)
// Each is printed beside a baseline measured in the same run on this machine: a bare `node -e ''`
// start, the RSS of an idle bare Node process, and that process's idle CPU.
// Usage: npm run bench [-- --services 20 --idle 30]
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const { values: opts } = parseArgs({
  options: { services: { type: 'string', default: '20' }, idle: { type: 'string', default: '30' } },
});
const extra = Number(opts.services);
const idleSeconds = Number(opts.idle);
const node = process.execPath;
const cli = join(root, 'dist/cli/devmesh.js');
const bin = join(root, 'bin/devmesh.js');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ticksPerSecond = 100; // USER_HZ on Linux

try {
  readFileSync(cli);
} catch {
  console.error('bench: dist/cli/devmesh.js is missing: run `npm run build` first');
  process.exit(1);
}

function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime
}
function rssMb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
/** CPU (user+sys, ms) of this process's waited-for children so far: /proc/self/stat cutime + cstime */
function childCpuMs() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[13]) + Number(f[14])) * 1000) / ticksPerSecond;
}
/** `node -e 0` and each command in turns, `rounds` times: per-pair wall ratios and total CPU ratios. */
function startRatios(commands, env, rounds) {
  const bare = { wall: [], cpu: 0 };
  const per = commands.map(() => ({ wall: [], ratios: [], cpu: 0 }));
  for (let i = 0; i < rounds; i++) {
    let c0 = childCpuMs();
    const b = timeRun(['-e', '0'], env);
    bare.wall.push(b);
    bare.cpu += childCpuMs() - c0;
    commands.forEach((args, k) => {
      c0 = childCpuMs();
      const ms = timeRun(args, env);
      per[k].cpu += childCpuMs() - c0;
      per[k].wall.push(ms);
      per[k].ratios.push(ms / b);
    });
  }
  return {
    bare: { wall: median(bare.wall), cpu: bare.cpu / rounds },
    per: per.map((p) => ({ wall: median(p.wall), ratio: median(p.ratios), cpuRatio: p.cpu / bare.cpu })),
  };
}
function timeRun(args, env) {
  const t0 = performance.now();
  const r = spawnSync(node, args, { env, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return ms;
}

// The project: the shop example plus N generated services with an HTTP health check.
const work = mkdtempSync(join(tmpdir(), 'devmesh-bench-'));
const home = join(work, 'home');
const projectDir = join(work, 'shop');
cpSync(join(root, 'examples/shop'), projectDir, { recursive: true });
writeFileSync(
  join(projectDir, 'gen-service.js'),
  `require('http').createServer((q, r) => r.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');\n`,
);
let yaml = readFileSync(join(projectDir, 'devmesh.yaml'), 'utf8').trimEnd() + '\n';
for (let i = 1; i <= extra; i++) {
  yaml += `  gen-${i}:\n    version: 1.0.${i}\n    command: node gen-service.js\n    health:\n      http: /\n`;
}
writeFileSync(join(projectDir, 'devmesh.yaml'), yaml);
const env = { ...process.env, DEVMESH_HOME: home, DEVMESH_LOG_LEVEL: 'warn' };

let daemon;
try {
  // Baselines
  const bareStart = median(Array.from({ length: 7 }, () => timeRun(['-e', ''], env)));
  const bare = spawn(node, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await sleep(500);
  const bareRss = rssMb(bare.pid);
  const bareTicks0 = cpuTicks(bare.pid);

  // Daemon start
  const t0 = performance.now();
  daemon = spawn(node, [cli, 'up', '--project', projectDir, '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  daemon.stderr.on('data', () => {});
  await new Promise((resolve, reject) => {
    daemon.stdout.on('data', (d) => String(d).includes('DevMesh is up') && resolve());
    daemon.once('exit', (c) => reject(new Error(`daemon exited with ${c}`)));
  });
  const apiReady = performance.now() - t0;
  const total = 3 + extra;
  let healthyAt = NaN;
  for (let i = 0; i < 600; i++) {
    const r = spawnSync(node, [cli, 'status', '--json'], { env, encoding: 'utf8' });
    if (r.status === 0 && JSON.parse(r.stdout).services.filter((s) => s.state === 'healthy').length === total) {
      healthyAt = performance.now() - t0;
      break;
    }
    await sleep(100);
  }
  // the way users start it: bin/devmesh.js (compile cache on), warmed once
  timeRun([bin, 'status'], env);
  const starts = startRatios(
    [
      [bin, 'status'],
      [bin, 'version'],
    ],
    env,
    15,
  );
  const rss = rssMb(daemon.pid);

  const ticks0 = cpuTicks(daemon.pid);
  await sleep(idleSeconds * 1000);
  const idleCpu = ((cpuTicks(daemon.pid) - ticks0) / ticksPerSecond / idleSeconds) * 100;
  const bareCpu =
    ((cpuTicks(bare.pid) - bareTicks0) / ticksPerSecond / (idleSeconds + 0.5 + (performance.now() - t0) / 1000)) * 100;
  bare.kill();

  const fmt = (x, unit) => `${x.toFixed(unit === '%' ? 2 : 1)} ${unit}`;
  const rows = [
    [
      'daemon start → API ready',
      fmt(apiReady, 'ms'),
      `bare node start ${fmt(bareStart, 'ms')}`,
      `${(apiReady / bareStart).toFixed(1)}×`,
    ],
    [
      `daemon start → ${total} services healthy`,
      fmt(healthyAt, 'ms'),
      `bare node start ${fmt(bareStart, 'ms')}`,
      `${(healthyAt / bareStart).toFixed(1)}×`,
    ],
    ...['status', 'version'].map((name, k) => [
      `\`devmesh ${name}\` start to finish (median of 15)`,
      fmt(starts.per[k].wall, 'ms'),
      `node -e 0 in turns ${fmt(starts.bare.wall, 'ms')}`,
      `${starts.per[k].ratio.toFixed(2)}× wall, ${starts.per[k].cpuRatio.toFixed(2)}× CPU${name === 'status' ? '  (target ≤ 1.5×)' : ''}`,
    ]),
    [
      `daemon RSS, ${total} services running`,
      fmt(rss, 'MB'),
      `idle bare node ${fmt(bareRss, 'MB')}`,
      `${(rss / bareRss).toFixed(1)}×  (target < 120 MB)`,
    ],
    [
      `daemon CPU idle over ${idleSeconds} s`,
      fmt(idleCpu, '%'),
      `idle bare node ${fmt(bareCpu, '%')}`,
      `(target < 1%)`,
    ],
  ];
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
  console.log(
    `DevMesh foundation bench: examples/shop + ${extra} generated services, Node ${process.version}, ${new Date().toISOString()}`,
  );
  for (const r of rows) console.log(`${r[0].padEnd(w[0])}  ${r[1].padStart(w[1])}  vs ${r[2].padEnd(w[2])}  ${r[3]}`);
} finally {
  if (daemon && daemon.exitCode === null) {
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon.once('exit', r));
  }
  rmSync(work, { recursive: true, force: true });
}
