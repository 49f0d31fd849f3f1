// TCP services through a real DevMesh core: the stable address forwards to the running instance, counts
// connections and bytes, gives dependents <DEP>_HOST/_PORT/_URL, survives a daemon restart with the same
// port, closes promptly (and counts it) when no instance serves, refuses a version a dependent refuses, and
// reports a busy port as a problem while the daemon keeps answering.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../../helpers/until.js';
import { ECHO_JS, ENV_DUMP_JS, NODE, TcpHarness, echoService } from './tcp-harness.js';

const hasRedis = existsSync('/usr/bin/redis-server');
let h: TcpHarness | null = null;
const held: Server[] = [];

afterEach(async () => {
  await h?.dispose();
  h = null;
  for (const s of held.splice(0)) await new Promise((r) => s.close(r));
});

function project(extra: string[] = []): TcpHarness {
  return new TcpHarness(['project: tcpdemo', 'services:', ...echoService('echo'), ...extra], {
    'echo.js': ECHO_JS,
    'dump.js': ENV_DUMP_JS,
  });
}

/** DevMesh ended the connection: the client sees its end (a FIN) or a reset. */
function closedByDevMesh(s: Socket): Promise<void> {
  return new Promise((resolve) => {
    s.once('end', () => resolve());
    s.once('close', () => resolve());
  });
}

/** A port some other program holds (a plain listener). */
async function hold(port = 0): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve());
  });
  held.push(s);
  return (s.address() as { port: number }).port;
}

describe('a TCP service', () => {
  it('is reached through its stable address, with counters, and dependents get its address', async () => {
    h = project([
      '  api:',
      '    version: 1.0.0',
      `    command: "'${NODE}' dump.js"`,
      '    depends_on: [echo]',
      `    env: { DUMP_TO: "${join('ENVDIR', 'env.json')}" }`,
    ]);
    // the dump path: inside the temp dir
    const yaml = readFileSync(join(h.projectDir, 'devmesh.yaml'), 'utf8').replace('ENVDIR', h.dir);
    writeFileSync(join(h.projectDir, 'devmesh.yaml'), yaml);
    await h.open();
    await h.healthy('echo');
    const route = await h.route('echo');
    expect(route).toMatchObject({ project: 'tcpdemo', fixed: false, problem: null });
    expect(route.address).toBe(`127.0.0.1:${route.port}`);
    const echo = (await h.call('services.list', {})).find((s) => s.name === 'echo')!;
    expect(echo.port).not.toBe(route.port);
    expect(echo).toMatchObject({ protocol: 'tcp', tcpAddress: route.address });

    expect(await h.roundTrip(route.port, 'hello through devmesh')).toBe('hello through devmesh');
    const after = await until('the connection counted closed', async () => {
      const r = await h!.route('echo');
      return r.connections === 0 && r.totalConnections === 1 ? r : null;
    });
    expect(after).toMatchObject({ failedConnections: 0, bytesIn: 21, bytesOut: 21 });
    expect(after.target).toBe(`127.0.0.1:${echo.port}`);

    const env = await until('the dependent wrote its env', () => {
      try {
        return JSON.parse(readFileSync(join(h!.dir, 'env.json'), 'utf8')) as Record<string, string>;
      } catch {
        return null;
      }
    });
    expect(env).toMatchObject({
      ECHO_HOST: '127.0.0.1',
      ECHO_PORT: String(route.port),
      ECHO_URL: `tcp://127.0.0.1:${route.port}`,
    });
  });

  it('keeps half-close: the client ends its side and still gets every byte back', async () => {
    h = project();
    await h.open();
    await h.healthy('echo');
    const { port } = await h.route('echo');
    const big = 'x'.repeat(3 * 1024 * 1024);
    expect((await h.roundTrip(port, big)).length).toBe(big.length);
  });

  it('keeps its allocated port across a daemon restart, and moves it when another program took it', async () => {
    h = project();
    await h.open();
    const first = (await h.route('echo')).port;
    await h.close();
    await h.open();
    await h.healthy('echo');
    expect((await h.route('echo')).port).toBe(first);
    expect(await h.roundTrip(first, 'again')).toBe('again');

    await h.close();
    await hold(first);
    await h.open();
    await h.healthy('echo');
    const moved = await h.route('echo');
    expect(moved.port).not.toBe(first);
    expect(moved.problem).toBeNull();
    expect(await h.roundTrip(moved.port, 'moved')).toBe('moved');
    // and the new one is what the next restart finds
    await h.close();
    await h.open();
    expect((await h.route('echo')).port).toBe(moved.port);
  });

  it('moves to a new tcp_port when devmesh.yaml changes it, and stops listening on the old one', async () => {
    h = project();
    await h.open();
    await h.healthy('echo');
    const before = (await h.route('echo')).port;
    const wanted = await hold();
    await new Promise((r) => held.pop()!.close(r));
    h.writeConfig(['project: tcpdemo', 'services:', ...echoService('echo', [`tcp_port: ${wanted}`])]);
    const moved = await until(
      'the route moved',
      async () => {
        const r = await h!.route('echo');
        return r.port === wanted && r.address !== null ? r : null;
      },
      20_000,
    );
    expect(moved.fixed).toBe(true);
    await h.healthy('echo');
    expect(await h.roundTrip(wanted, 'new port')).toBe('new port');
    await expect(h.connect(before)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('closes a connection promptly and counts it failed when the instance is stopped', async () => {
    h = project();
    await h.open();
    await h.healthy('echo');
    const { port } = await h.route('echo');
    await h.call('services.stop', { name: 'echo' });
    const s = await h.connect(port);
    await closedByDevMesh(s);
    const r = await until('the failure counted', async () => {
      const x = await h!.route('echo');
      return x.failedConnections === 1 && x.connections === 0 ? x : null;
    });
    expect(r).toMatchObject({ state: 'stopped', target: null, totalConnections: 1 });
  });

  it("refuses a connection when a dependent's refuse range is not met", async () => {
    h = project([
      '  api:',
      '    version: 1.0.0',
      `    command: "'${NODE}' dump.js"`,
      '    autostart: false',
      '    depends_on: { echo: { version: "^2", on_version_mismatch: refuse } }',
    ]);
    await h.open();
    await h.healthy('echo');
    const { port } = await h.route('echo');
    const s = await h.connect(port);
    let got = '';
    s.on('data', (d: Buffer) => (got += d.toString()));
    s.write('ping');
    await closedByDevMesh(s);
    expect(got).toBe('');
    await until('the refusal counted', async () => (await h!.route('echo')).failedConnections === 1);
    const alerts = await until('the refusal alerted', async () => {
      const all = await h!.call('mesh.alerts', {});
      return all.length > 0 ? all : null;
    });
    expect(alerts[0]).toMatchObject({
      caller: { project: 'tcpdemo', service: 'api' },
      dependency: 'echo',
      range: '^2',
      instance: { local: true, version: '1.0.0' },
      action: 'refused',
    });
  });

  it('reports a busy tcp_port as a problem, and the daemon and the other addresses keep answering', async () => {
    const busy = await hold();
    h = new TcpHarness(
      ['project: tcpdemo', 'services:', ...echoService('echo', [`tcp_port: ${busy}`]), ...echoService('echo2')],
      { 'echo.js': ECHO_JS },
    );
    await h.open();
    const route = await h.route('echo');
    expect(route).toMatchObject({ port: busy, fixed: true, address: null });
    expect(route.problem).toContain(`127.0.0.1:${busy} is already in use by another program`);
    expect(route.problem).toContain('tcp_port');
    await h.healthy('echo2');
    const other = await h.route('echo2');
    expect(await h.roundTrip(other.port, 'still here')).toBe('still here');
    expect((await h.call('daemon.health', {})).problems).toBeDefined();
  });

  it("gives dependents the instance's own port, not another program's, when the tcp_port is busy", async () => {
    // A developer's own Redis/Postgres on the port written in tcp_port: a dependent pointed there would write
    // into (or FLUSHALL) that other server. Its variables must reach DevMesh's instance directly instead.
    const busy = await hold();
    const busyToo = await hold();
    h = project([
      ...echoService('busy', [`tcp_port: ${busy}`]),
      // a real redis from the machine, its tcp_port taken the same way: REDIS_URL must not go there
      ...(hasRedis ? ['  cache:', '    database: { engine: redis }', `    tcp_port: ${busyToo}`] : []),
      '  api:',
      '    version: 1.0.0',
      `    command: "'${NODE}' dump.js"`,
      `    depends_on: [busy${hasRedis ? ', cache' : ''}]`,
      `    env: { DUMP_TO: "${join('ENVDIR', 'env.json')}" }`,
    ]);
    const yaml = readFileSync(join(h.projectDir, 'devmesh.yaml'), 'utf8').replace('ENVDIR', h.dir);
    writeFileSync(join(h.projectDir, 'devmesh.yaml'), yaml);
    await h.open();
    await h.healthy('busy');
    expect(await h.route('busy')).toMatchObject({ port: busy, address: null });
    const env = await until('the dependent wrote its env', () => {
      try {
        return JSON.parse(readFileSync(join(h!.dir, 'env.json'), 'utf8')) as Record<string, string>;
      } catch {
        return null;
      }
    });
    const instance = (await h.call('services.list', {})).find((s) => s.name === 'busy')!;
    expect(instance.tcpAddress).toBeNull();
    expect(env).toMatchObject({
      BUSY_HOST: '127.0.0.1',
      BUSY_PORT: String(instance.port),
      BUSY_URL: `tcp://127.0.0.1:${instance.port}`,
    });
    expect(await h.roundTrip(Number(env.BUSY_PORT), 'to the instance')).toBe('to the instance');
    if (!hasRedis) return;
    const cache = (await h.call('services.list', {})).find((s) => s.name === 'cache')!;
    expect(cache.port).not.toBe(busyToo);
    expect(env.REDIS_URL).toBe(`redis://127.0.0.1:${cache.port}/0`);
    expect(env.CACHE_URL).toBe(env.REDIS_URL);
  });

  it('survives garbage and 200 connections dropped abruptly, and still forwards', async () => {
    h = project();
    await h.open();
    await h.healthy('echo');
    const { port } = await h.route('echo');
    const garbage = await h.connect(port);
    garbage.write(Buffer.from([0, 255, 13, 10, 0, 0, 1, 2, 3, 200, 201]));
    garbage.destroy();
    const sockets = await Promise.all(Array.from({ length: 200 }, () => h!.connect(port)));
    for (const [i, s] of sockets.entries()) {
      if (i % 2 === 0) s.resetAndDestroy();
      else s.destroy();
    }
    await until('every dropped connection closed', async () => (await h!.route('echo')).connections === 0, 30_000);
    expect(await h.roundTrip(port, 'alive')).toBe('alive');
    expect((await h.call('services.list', {})).find((s) => s.name === 'echo')!.state).toBe('healthy');
  });
});
