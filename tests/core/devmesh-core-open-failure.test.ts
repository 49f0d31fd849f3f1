// A core that fails to open releases what it opened so far: no child process (the reaper's sidecar) left
// behind, the proxy's ports free again, and the home opens again. Real parts: SQLite on disk, real sockets.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DevMeshCore } from '../../main/core/devmesh-core.js';
import { DevMeshHome } from '../../main/core/home/devmesh-home.js';
import { tempDir } from '../api/test-project.js';
import { until } from '../helpers/until.js';

/** the pids of this process's children that are still running */
function children(): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === process.pid && fields[0] !== 'Z') out.push(Number(name));
    } catch {
      continue; // the process ended while we looked
    }
  }
  return out;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function canBind(port: number): Promise<boolean> {
  const server = net.createServer();
  const ok = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (ok) await new Promise<void>((resolve) => server.close(() => resolve()));
  return ok;
}

describe('DevMeshCore.open failing halfway', () => {
  const cleanups: (() => void | Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function home(): Promise<{ home: DevMeshHome; dir: string; ports: number[] }> {
    const tmp = tempDir('devmesh-core-fail-');
    cleanups.push(() => tmp.dispose());
    const home = new DevMeshHome(join(tmp.dir, 'home'));
    home.ensure();
    const ports = [await freePort(), await freePort()];
    vi.stubEnv('DEVMESH_PROXY_HTTP_PORT', String(ports[0]));
    vi.stubEnv('DEVMESH_PROXY_HTTPS_PORT', String(ports[1]));
    cleanups.push(() => void vi.unstubAllEnvs());
    return { home, dir: tmp.dir, ports };
  }

  const open = (h: DevMeshHome, projects: string[] = []): Promise<DevMeshCore> =>
    DevMeshCore.open({ home: h, version: '0.0.0-test', logger: pino({ level: 'silent' }), projects });

  it('leaves no child process and a home that opens again when a part throws while it is built', async () => {
    const { home: h } = await home();
    // an audit mirror that cannot be opened (a folder where the file should be): Coordination throws
    mkdirSync(h.auditMirrorPath, { recursive: true });
    const before = children();
    await expect(open(h)).rejects.toThrow(/audit/i);
    // the reaper's sidecar was started before the failure: it must be gone
    const left = (): number[] => children().filter((p) => !before.includes(p));
    await until('the reaper sidecar to end', () => left().length === 0).catch(() => undefined);
    expect(left()).toEqual([]);
    // the same home opens once the mirror is a file again
    rmSync(h.auditMirrorPath, { recursive: true });
    const core = await open(h);
    cleanups.push(() => core.dispose());
    expect(core.coordination).toBeDefined();
  });

  it('frees the proxy ports and the home when a project fails to open', async () => {
    const { home: h, dir, ports } = await home();
    await expect(open(h, [join(dir, 'no-such-project')])).rejects.toThrow();
    expect(await canBind(ports[0]!)).toBe(true);
    expect(await canBind(ports[1]!)).toBe(true);
    const core = await open(h);
    cleanups.push(() => core.dispose());
    expect(core.proxyInfo().httpUrl).toBe(`http://localhost:${ports[0]}`);
  });
});
