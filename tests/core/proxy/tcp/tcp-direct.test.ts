// A local database engine listens on its stable address itself (TcpRoutes.lend): no forwarding hop for local
// clients, its connections still counted (from the kernel), and the address DevMesh's again whenever the engine's
// process ends (a stop, a crash), so teammates can serve it, and lent again when the engine starts. A real
// redis-server in a real core; `ss` says who listens.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { TcpHarness } from './tcp-harness.js';
import { until } from '../../../helpers/until.js';

const hasRedis = existsSync('/usr/bin/redis-server') && existsSync('/usr/bin/redis-cli');
const hasSs = (() => {
  try {
    execFileSync('ss', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
// Never execFileSync against the core's own ports: the forwarder runs in this process.
const run = async (file: string, args: string[]): Promise<string> =>
  (await promisify(execFile)(file, args, { encoding: 'utf8', timeout: 30_000 })).stdout.trim();

/** the program listening on 127.0.0.1:port, as `ss -ltnp` names it */
async function listener(port: number): Promise<string> {
  return run('ss', ['-ltnpH', `sport = :${port}`]);
}

let h: TcpHarness | null = null;
afterEach(async () => {
  await h?.dispose();
  h = null;
});

const CACHE = ['project: shop', 'services:', '  cache:', '    database: { engine: redis }'];

describe.skipIf(!hasRedis || !hasSs)('a local engine on its stable address', () => {
  it('listens there itself, and its connections are counted while open and after', async () => {
    h = new TcpHarness(CACHE);
    await h.open();
    await h.healthy('cache');
    const route = await h.route('cache');
    expect(route.direct).toBe(true);
    expect(await listener(route.port)).toContain('redis-server');
    expect(await run('redis-cli', ['-p', String(route.port), 'set', 'k', 'v'])).toBe('OK');

    const held = await h.connect(route.port);
    held.write('*1\r\n$4\r\nPING\r\n');
    await until('the held connection counted', async () => (await h!.route('cache')).connections >= 1, 20_000);
    const open = await h.route('cache');
    expect(open.bytesIn).toBeGreaterThan(0);
    expect(open.bytesOut).toBeGreaterThan(0);
    held.destroy();
    await until('the connection counted as closed', async () => (await h!.route('cache')).connections === 0, 20_000);
    expect((await h.route('cache')).totalConnections).toBeGreaterThanOrEqual(1);
  });

  it('takes the address back when the engine stops, and lends it again when it starts, data kept', async () => {
    h = new TcpHarness(CACHE);
    await h.open();
    await h.healthy('cache');
    const { port } = await h.route('cache');
    expect(await run('redis-cli', ['-p', String(port), 'set', 'kept', 'yes'])).toBe('OK');
    await h.call('services.stop', { project: 'shop', name: 'cache' });
    await until('the forwarder back on the address', async () => (await h!.route('cache')).direct === false, 20_000);
    expect(await listener(port)).toContain('node');
    // nobody serves it now: the connection is closed by DevMesh and counted as failed
    const before = (await h.route('cache')).failedConnections;
    expect(await h.roundTrip(port, 'PING\r\n')).toBe('');
    await until('the failure counted', async () => (await h!.route('cache')).failedConnections > before, 20_000);

    await h.call('services.start', { project: 'shop', name: 'cache', wait: true });
    await until('lent again', async () => (await h!.route('cache')).direct === true, 20_000);
    expect(await listener(port)).toContain('redis-server');
    expect(await run('redis-cli', ['-p', String(port), 'get', 'kept'])).toBe('yes');
  });

  it('is lent again after the engine crashes and restarts', async () => {
    h = new TcpHarness(CACHE);
    await h.open();
    await h.healthy('cache');
    const { port } = await h.route('cache');
    const pid = (await h.call('services.list', {})).find((s) => s.name === 'cache')!.pid!;
    process.kill(pid, 'SIGKILL');
    await until(
      'restarted on the address',
      async () => {
        const s = (await h!.call('services.list', {})).find((x) => x.name === 'cache')!;
        return s.state === 'healthy' && s.pid !== pid;
      },
      40_000,
    );
    expect(await listener(port)).toContain('redis-server');
    expect(await run('redis-cli', ['-p', String(port), 'ping'])).toBe('PONG');
  });

  it('keeps forwarding when a dependent declares a range the local version is outside of', async () => {
    h = new TcpHarness([
      ...CACHE,
      '  app:',
      '    version: 1.0.0',
      `    command: "${process.execPath} -e 'setInterval(() => {}, 1000)'"`,
      '    health: { exec: "true" }',
      '    depends_on: { cache: { version: ">=99", on_version_mismatch: warn } }',
    ]);
    await h.open();
    await h.healthy('cache');
    const route = await h.route('cache');
    expect(route.direct).toBe(false);
    expect(await listener(route.port)).toContain('node');
    // through the forwarder, each connection is counted exactly, and the mismatch is warned about
    expect(await run('redis-cli', ['-p', String(route.port), 'ping'])).toBe('PONG');
    expect((await h.route('cache')).totalConnections).toBe(1);
  });
});
