// What every process uses, end to end: a real daemon (`devmesh up`) runs a project whose `hog` service forks a
// child that spins a core and grows its memory, beside an idle `calm` service. `devmesh top` (text, --json, piped
// into head) and the metrics.* API show the hog's whole tree busy and growing; the leak and spin alerts fire
// (the thresholds shortened in config.yaml so it takes seconds); an agent start is refused while the machine
// is "short of memory" (a reserve set above what it has), naming the hog; hostile inputs to the new calls are
// refused with clear errors and the daemon still answers.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiInput, ApiMethod, ApiOutput } from '../../shared/api.js';
import type { MetricsAlert, MetricsCurrent, ProcessUsage } from '../../shared/metrics.js';
import { ApiClient } from '../../main/cli/api-client.js';
import { DevMeshHome } from '../../main/core/home/devmesh-home.js';
import { processAlive, tempDir, waitFor, writeProject } from '../api/test-project.js';
import { scaled } from '../helpers/load-scale.js';
import { BIN, CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';

const MB = 1024 * 1024;
const tmp = tempDir('devmesh-top-');
const projectDir = join(tmp.dir, 'proj');
const home = join(tmp.dir, 'home');
const cli = new CliHarness(home, tmp.dir);
const burnerPidFile = join(projectDir, 'burner.pid');
let daemon: RunningCli | undefined;

const BURNER = `
require('fs').writeFileSync(require('path').join(__dirname, 'burner.pid'), String(process.pid));
const held = [];
let next = Date.now();
for (;;) {
  // spins a core; every 100 ms of it, 2 MB more held (written, so resident), up to 300 MB
  if (Date.now() >= next && held.length < 150) { held.push(Buffer.alloc(2 * 1024 * 1024, 1)); next += 100; }
}
`;

async function call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>> {
  const client = await ApiClient.connect(new DevMeshHome(home));
  try {
    return await client.call(method, input);
  } finally {
    await client.close();
  }
}

/** the error a call is refused with */
async function refusal(method: ApiMethod, input: unknown): Promise<{ code: string; message: string }> {
  try {
    await call(method, input as never);
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error(`${method} ${JSON.stringify(input).slice(0, 80)} was not refused`);
}

const row = (c: MetricsCurrent, name: string): ProcessUsage | undefined =>
  c.processes.find((p) => p.kind === 'service' && p.name === name);

beforeAll(async () => {
  ensureCliBuilt();
  mkdirSync(projectDir);
  mkdirSync(home);
  writeProject(projectDir, 'top', {
    calm: {},
    hog: { extra: `require('child_process').spawn(process.execPath, [require('path').join(__dirname, 'burner.js')]);` },
  });
  writeFileSync(join(projectDir, 'burner.js'), BURNER);
  writeFileSync(
    join(home, 'config.yaml'),
    [
      'metrics:',
      '  interval_ms: 250',
      '  leak: { window_ms: 3000, min_r2: 0.8, min_rising_share: 0.6, min_growth_mb: 20 }',
      '  spin: { cpu_percent: 15, for_ms: 2000 }',
      'agents:',
      '  min_free_ram_gb: 65536',
    ].join('\n'),
  );
  daemon = (await cli.up(['--project', projectDir], scaled(90_000))).daemon;
}, scaled(120_000));

afterAll(async () => {
  await daemon?.stop('SIGTERM');
  if (existsSync(burnerPidFile)) {
    const pid = Number(readFileSync(burnerPidFile, 'utf8'));
    const alive = processAlive(pid);
    if (alive) process.kill(pid, 'SIGKILL');
    expect(alive, 'the burner outlived its service and the daemon').toBe(false);
  }
  tmp.dispose();
});

describe('devmesh top and metrics.*', () => {
  it(
    'shows the hog tree busy and growing, the calm one idle',
    async () => {
      const current = await waitFor(
        "the hog's tree (service + burner) busy and past 60 MB",
        async () => {
          const c = await cli.json<MetricsCurrent>(['top']);
          const hog = row(c, 'hog');
          return hog && hog.pids >= 2 && (hog.cpuPercent ?? 0) > 15 && hog.rssBytes > 60 * MB ? c : null;
        },
        scaled(60_000),
        200,
      );
      const hog = row(current, 'hog')!;
      const calm = row(current, 'calm')!;
      expect(hog).toMatchObject({ key: 'service:top/hog', project: 'top', gpuBytes: null });
      expect(hog.pids).toBeGreaterThan(calm.pids); // the burner is counted with the hog
      expect(calm.rssBytes).toBeGreaterThan(MB);
      expect(calm.cpuPercent ?? 0).toBeLessThan(hog.cpuPercent!);
      // the calm server listens on its port (the hog too)
      expect(calm.listening).toBeGreaterThanOrEqual(1);
      expect(current.processes[0]!.name).toBe('hog'); // sorted by CPU
      expect(current.machine).toMatchObject({ source: 'proc', gpu: false });

      const text = await cli.run(['top']);
      expect(text.code).toBe(0);
      const lines = text.stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^memory: .* available of .*; \d+ CPUs; sampled every 0\.25 s$/);
      expect(lines[1]).toMatch(/^KIND\s+NAME\s+PROJECT\s+PID\s+PROCS\s+CPU\s+MEM\s+CONN\s+GPU\s+ALERT$/);
      expect(lines[2]).toMatch(/^service\s+hog\s+top\s+\d+\s+[2-9]\d*\s+\d+(\.\d)?%\s+\d+(\.\d)? MB/);

      // the history: every sample of the last seconds, memory rising
      const history = await call('metrics.history', { key: 'service:top/hog' });
      expect(history.resolution).toBe('fine');
      expect(history.points.length).toBeGreaterThan(2);
      expect(history.points.at(-1)!.rssBytes).toBeGreaterThan(history.points[0]!.rssBytes);
    },
    scaled(90_000),
  );

  it(
    'measures a terminal the way it measures a service: the tree under its PTY child',
    async () => {
      const term = await call('terminals.create', {
        name: 'sleeper',
        command: 'sh',
        args: ['-c', 'sleep 600 & sleep 600; wait'],
        record: false,
      });
      const key = `terminal:${term.id}`;
      const seen = await waitFor(
        'the terminal in metrics.current',
        async () => (await call('metrics.current', {})).processes.find((p) => p.key === key && p.pids >= 3),
        scaled(30_000),
        200,
      );
      expect(seen).toMatchObject({ kind: 'terminal', name: 'sleeper', pid: term.pid });
      await call('terminals.kill', { id: term.id });
      await waitFor('the terminal gone from metrics.current', async () =>
        (await call('metrics.current', {})).processes.every((p) => p.key !== key),
      );
    },
    scaled(60_000),
  );

  it(
    'ends quietly when piped into head',
    async () => {
      const piped = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const sh = spawn('sh', ['-c', `'${process.execPath}' '${BIN}' top | head -1`], {
          env: { ...process.env, DEVMESH_HOME: home, NO_COLOR: '1' },
        });
        let out = '';
        let err = '';
        sh.stdout.on('data', (c: Buffer) => (out += c.toString()));
        sh.stderr.on('data', (c: Buffer) => (err += c.toString()));
        sh.on('exit', (code) => resolve({ code, out, err }));
      });
      expect(piped).toMatchObject({ code: 0, err: '' });
      expect(piped.out).toMatch(/^memory: /);
    },
    scaled(30_000),
  );

  it(
    'raises a leak and a spin alert for the hog, never for the calm service, and never acts on them',
    async () => {
      const alerts = await waitFor(
        'a leak and a spin alert on the hog',
        async () => {
          const all = await call('metrics.alerts', { all: true });
          const hog = all.filter((a) => a.key === 'service:top/hog');
          return hog.some((a) => a.kind === 'leak') && hog.some((a) => a.kind === 'spin') ? all : null;
        },
        scaled(60_000),
        200,
      );
      expect(alerts.every((a: MetricsAlert) => a.key === 'service:top/hog')).toBe(true);
      const leak = alerts.find((a) => a.kind === 'leak')!;
      expect(leak.message).toMatch(
        /^memory grew .* in \d+\.\d min \(.*\/min, R² \d\.\d\d, rising in \d+% of samples\)$/,
      );
      expect(leak.evidence.r2).toBeGreaterThanOrEqual(0.8);
      const spin = alerts.find((a) => a.kind === 'spin')!;
      expect(spin.message).toMatch(/^CPU at or above 15% of a core for/);
      // shown, not acted on: the hog still runs, with the same process
      const services = await call('services.list', {});
      expect(services.find((s) => s.name === 'hog')).toMatchObject({ state: 'healthy', restarts: 0 });
      const text = await cli.run(['top', '--alerts']);
      expect(text.stdout).toMatch(/^(LEAK|SPIN) top\/hog: /m);
    },
    scaled(90_000),
  );

  it(
    'refuses an agent while the machine is short of memory, naming what uses it',
    async () => {
      const err = await refusal('agents.start', { command: 'sh', cwd: tmp.dir, name: 'needy' });
      expect(err.code).toBe('CONFLICT');
      expect(err.message).toMatch(/agent "needy" was not started: this machine is short of memory: .* available of/);
      expect(err.message).toContain('agents.min_free_ram_gb');
      expect(err.message).toMatch(/Using the most: service top\/hog \d/);
      expect(await call('agents.list', {})).toEqual([]);
    },
    scaled(30_000),
  );

  it(
    'refuses hostile inputs with clear errors and keeps answering',
    async () => {
      const bad: [ApiMethod, unknown, RegExp][] = [
        ['metrics.history', { key: 'nope' }, /key: a process key/],
        ['metrics.history', { key: `service:${'x'.repeat(100_000)}` }, /key/],
        ['metrics.history', { key: 'service:top/hog', from: 10, to: 5 }, /`from` must not be after `to`/],
        ['metrics.history', { key: 'service:top/hog', from: -1 }, /from/],
        ['metrics.history', { key: 'service:top/hog', to: 1e300 }, /to/],
        ['metrics.history', { key: 'service:top/hog', from: null }, /from/],
        ['metrics.history', { key: 'service:top/hog', resolution: 'nanos' }, /resolution/],
        ['metrics.history', { key: 'service:top/hog', extra: 1 }, /extra/],
        ['metrics.alerts', { limit: 1e9 }, /limit/],
        ['metrics.current', { project: '' }, /project/],
      ];
      for (const [method, input, message] of bad) {
        const err = await refusal(method, input);
        expect(err.code, `${method} ${JSON.stringify(input).slice(0, 60)}`).toBe('BAD_REQUEST');
        expect(err.message).toMatch(message);
      }
      expect((await refusal('metrics.current', { project: 'no-such-project' })).code).toBe('PROJECT_NOT_FOUND');
      // a huge range answers, bounded; an unknown process answers with nothing
      const day = await call('metrics.history', {
        key: 'service:top/hog',
        from: 0,
        to: 8_640_000_000_000_000,
        resolution: 'minute',
      });
      expect(day.resolution).toBe('minute');
      expect(day.points.length).toBeGreaterThanOrEqual(1); // the minute under way
      expect(day.points.length).toBeLessThanOrEqual(2000);
      expect((await call('metrics.history', { key: 'agent:agent-nobody' })).points).toEqual([]);
      const still = await call('metrics.current', {});
      expect(row(still, 'hog')).toBeDefined();
      expect((await call('daemon.info', {})).pid).toBeGreaterThan(0);
    },
    scaled(60_000),
  );
});
