// A real daemon for the hostile API and MCP suites: `devmesh up --port 0` as a child process on a temp
// DEVMESH_HOME, with one project whose service prints 4,000 log lines at start (material for slow readers)
// and keeps running. `assertServing()` is what every case ends with: the daemon answers daemon.info on a
// fresh connection, and the service is still healthy with the same process.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { ServiceInfo } from '../../shared/service.js';
import { ApiClient } from '../../main/cli/api-client.js';
import { DevMeshHome } from '../../main/core/home/devmesh-home.js';
import { processAlive, tempDir, waitFor, writeProject } from '../api/test-project.js';
import { CliHarness, ensureCliBuilt, type RunningCli } from '../cli/cli-harness.js';

export class ApiDaemon {
  readonly tmp = tempDir('devmesh-hostile-api-');
  readonly cli = new CliHarness(join(this.tmp.dir, 'home'), this.tmp.dir);
  private daemon: RunningCli | null = null;
  port = 0;
  token = '';
  private servicePid = 0;

  get home(): string {
    return this.cli.home;
  }

  async start(): Promise<void> {
    ensureCliBuilt();
    writeProject(this.tmp.dir, 'hostile', {
      chatty: { extra: `for (let i = 0; i < 4000; i++) console.log('line ' + i + ' ' + 'y'.repeat(100));` },
    });
    const up = await this.cli.up(['--project', this.tmp.dir], 90_000); // a loaded machine starts slowly
    this.daemon = up.daemon;
    this.port = up.port;
    this.token = readFileSync(join(this.home, 'token'), 'utf8').trim();
    const healthy = await waitFor(
      'the service to be healthy with its 4,000 lines',
      async () => {
        const services = await this.withClient((c) => c.call('services.list', {}));
        const s = services.find((x) => x.name === 'chatty' && x.state === 'healthy');
        if (!s) return false;
        const page = await this.withClient((c) => c.call('logs.page', { name: 'chatty', limit: 5000 }));
        return page.lines.length >= 4000 ? s : false;
      },
      60_000,
      200,
    );
    this.servicePid = healthy.pid!;
  }

  withClient<T>(fn: (client: ApiClient) => Promise<T>): Promise<T> {
    return ApiClient.connect(new DevMeshHome(this.home), { connectTimeoutMs: 20_000, callTimeoutMs: 30_000 }).then(
      async (client) => {
        try {
          return await fn(client);
        } finally {
          await client.close();
        }
      },
    );
  }

  /** The daemon still answers and its service still runs, the same process as before. */
  async assertServing(): Promise<void> {
    expect(this.daemon?.child.exitCode, `the daemon exited; stderr:\n${this.daemon?.stderr}`).toBeNull();
    const info = await this.withClient((c) => c.call('daemon.info', {}));
    expect(info.pid).toBe(this.daemon!.child.pid);
    const services: ServiceInfo[] = await this.withClient((c) => c.call('services.list', {}));
    expect(services.find((s) => s.name === 'chatty')).toMatchObject({ state: 'healthy', pid: this.servicePid });
    expect(processAlive(this.servicePid)).toBe(true);
  }

  async stop(): Promise<void> {
    await this.daemon?.stop('SIGTERM');
    this.tmp.dispose();
  }
}
