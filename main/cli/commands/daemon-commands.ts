// `devmesh up`, `devmesh down`: starting and stopping the daemon (`devmesh version` is version-command.ts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DevMeshError } from '../../../shared/errors.js';
import type { ProjectInfo } from '../../../shared/service.js';
import { DEFAULT_API_PORT } from '../../api/api-server.js';
import { DevMeshHome } from '../../core/home/devmesh-home.js';
import type { ApiClient } from '../api-client.js';
import { EXIT, type CliCommand } from '../cli-command.js';
import type { CliContext } from '../cli-context.js';
import type { CommandArgs } from '../command-args.js';
import { DaemonLauncher } from '../daemon-launcher.js';
import { DaemonProcess } from '../daemon-process.js';
import { SignalTrap } from '../signal-trap.js';

const DOWN_TIMEOUT_MS = 60_000;

/** the loopback ports `devmesh up` listens on: the API and UI, and the same over HTTPS when asked */
interface UpPorts {
  port: number;
  httpsPort: number | undefined;
}

export class DaemonCommands {
  /** `env`: where `DEVMESH_BACKUP_INTERVAL` is read */
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  commands(): CliCommand[] {
    return [
      {
        name: 'up',
        summary: 'start DevMesh with a project (or open the project in the running DevMesh)',
        usage: `Usage: devmesh up [--project DIR]... [--port N] [--https-port N] [--detach]

Starts DevMesh in the foreground and opens the project in DIR (default: the current folder, when it
holds a devmesh.yaml). Ctrl-C stops DevMesh and every service it runs. When DevMesh is already
running, opens DIR's project in it instead.

Options:
  --project DIR   a folder holding devmesh.yaml (or the file itself); repeatable
  --port N        loopback port of the API and the browser UI (default ${DEFAULT_API_PORT}; 0: any free port)
  --https-port N  the same over HTTPS and HTTP/2 on this loopback port too (0: any free port), as
                  https://localhost:N/ with DevMesh's local CA (\`devmesh ca trust\` makes browsers trust it)
  --detach        run in the background; output goes to $DEVMESH_HOME/logs/daemon.log`,
        options: {
          project: { type: 'string', multiple: true },
          port: { type: 'string' },
          'https-port': { type: 'string' },
          detach: { type: 'boolean' },
        },
        positionals: { min: 0, max: 0, name: '' },
        run: (ctx, args) => this.up(ctx, args),
      },
      {
        name: 'down',
        summary: 'stop DevMesh and every service it runs',
        usage: `Usage: devmesh down

Stops every service, then DevMesh itself, and waits until it is gone. Succeeds when DevMesh is not running.
When DevMesh refuses the API token ($DEVMESH_HOME/token replaced), \`down\` stops the process named in
$DEVMESH_HOME/daemon.json with SIGTERM instead, once it has checked that it is that DevMesh (your user,
this machine, started when the file says).`,
        options: {},
        positionals: { min: 0, max: 0, name: '' },
        run: (ctx) => this.down(ctx),
      },
    ];
  }

  private async up(ctx: CliContext, args: CommandArgs): Promise<number> {
    const port = args.int('port', { min: 0, max: 65535 }) ?? DEFAULT_API_PORT;
    const httpsPort = args.int('https-port', { min: 0, max: 65535 });
    const projects = args.strings('project').map((p) => ctx.absolute(p));
    if (projects.length === 0) {
      // Loaded here, not at the top: the config module brings YAML and the config schema (`down`).
      const { CONFIG_FILE_NAME } = await import('../../core/config/project-config.js');
      if (existsSync(join(ctx.cwd, CONFIG_FILE_NAME))) projects.push(ctx.cwd);
    }

    const running = await DaemonCommands.findRunning(ctx);
    if (running) {
      try {
        await this.openIn(ctx, running, projects);
      } finally {
        await running.close();
      }
      return EXIT.ok;
    }
    if (args.flag('detach')) return this.detach(ctx, { port, httpsPort }, projects);
    return this.foreground(ctx, { port, httpsPort }, projects);
  }

  private async openIn(ctx: CliContext, client: ApiClient, projects: string[]): Promise<void> {
    const url = client.record?.url ?? client.url;
    if (projects.length === 0) {
      ctx.print(`DevMesh is already running: ${url}`);
      return;
    }
    const opened: ProjectInfo[] = [];
    for (const root of projects) opened.push(await client.call('projects.open', { root }));
    ctx.print(`DevMesh is already running: ${url}  (opened ${DaemonCommands.describe(opened)})`);
  }

  private async foreground(ctx: CliContext, ports: UpPorts, projects: string[]): Promise<number> {
    // Loaded only here: the core (SQLite, YAML, pino) would slow every other command's start.
    const { DaemonRunner } = await import('../daemon-runner.js');
    const { backupSettingsFromEnv } = await import('../../core/store/home-store.js');
    const runner = new DaemonRunner({
      home: ctx.home,
      version: ctx.version,
      port: ports.port,
      ...(ports.httpsPort === undefined ? {} : { httpsPort: ports.httpsPort }),
      projects,
      rendererDir: ctx.rendererDir,
      devmeshCommand: ctx.relaunch,
      backups: backupSettingsFromEnv(this.env),
      refusalHint: projects.length > 0 ? projects.map((p) => `\`devmesh open ${p}\``).join(', ') : '`devmesh status`',
    });
    const trap = new SignalTrap((signal, count) => {
      if (count === 1) {
        ctx.warn(`devmesh: ${signal}: stopping services... (again to force)`);
        void runner.shutdown(signal);
        return;
      }
      // The process reaper still stops the services left behind.
      ctx.warn('devmesh: forced exit');
      process.exit(130);
    });
    try {
      const started = await runner.start();
      ctx.outliveOutput();
      ctx.print(`DevMesh is up: ${started.url}  (${DaemonCommands.describe(started.projects)})`);
      if (started.httpsUrl !== null) ctx.print(`Over HTTPS: ${started.httpsUrl}`);
      const { httpUrl, httpsUrl, problems } = started.proxy;
      const proxyUrls = [httpUrl, httpsUrl]
        .filter((u): u is string => u !== null)
        .map((u) => u.replace('://localhost', '://<service>.localhost'));
      if (proxyUrls.length > 0) ctx.print(`Services are at ${proxyUrls.join(' and ')}`);
      for (const problem of problems) ctx.print(`proxy: ${problem}`);
      const reason = await runner.done;
      ctx.print(`DevMesh stopped (${reason}).`);
      return EXIT.ok;
    } finally {
      trap.dispose();
    }
  }

  private async detach(ctx: CliContext, ports: UpPorts, projects: string[]): Promise<number> {
    const launcher = new DaemonLauncher(ctx.home);
    const upArgs = [
      'up',
      '--port',
      String(ports.port),
      ...(ports.httpsPort === undefined ? [] : ['--https-port', String(ports.httpsPort)]),
      ...projects.flatMap((p) => ['--project', p]),
    ];
    const launched = await launcher.launch({
      command: ctx.relaunch.command,
      args: [...ctx.relaunch.args, ...upArgs],
      cwd: ctx.cwd,
    });
    ctx.print(`DevMesh is up: ${launched.url}  (pid ${launched.pid}; log: ${launched.logPath})`);
    ctx.print('Stop it with `devmesh down`.');
    return EXIT.ok;
  }

  private async down(ctx: CliContext): Promise<number> {
    let client: ApiClient;
    try {
      client = await ctx.connect();
    } catch (err) {
      if (err instanceof DevMeshError && err.code === 'DAEMON_NOT_RUNNING') {
        ctx.print('DevMesh is not running; nothing to stop.');
        return EXIT.ok;
      }
      if (err instanceof DevMeshError && err.code === 'UNAUTHORIZED') return this.downBySignal(ctx, err);
      throw err;
    }
    let pid: number;
    try {
      pid = (await client.call('daemon.info', {})).pid;
      await client.call('daemon.shutdown', {});
    } finally {
      await client.close();
    }
    await DaemonCommands.waitForExit(pid);
    ctx.print(`DevMesh stopped (pid ${pid}).`);
    return EXIT.ok;
  }

  /** The API refused us: SIGTERM to the recorded daemon (a graceful stop, as Ctrl-C), once it is identified. */
  private async downBySignal(ctx: CliContext, refused: DevMeshError): Promise<number> {
    const record = ctx.home.readLiveDaemonRecord();
    if (record === null) {
      ctx.print('DevMesh is not running; nothing to stop.');
      return EXIT.ok;
    }
    const identity = new DaemonProcess(record).identify();
    if (!identity.ok) {
      throw new DevMeshError(
        'UNAUTHORIZED',
        `${refused.message}\nCannot stop it without the API: ${identity.why}. Stop it yourself (kill ${record.pid}) if it is your DevMesh.`,
      );
    }
    ctx.warn(`devmesh: the API refused the token, so DevMesh (pid ${record.pid}) is stopped with SIGTERM instead.`);
    process.kill(record.pid, 'SIGTERM');
    await DaemonCommands.waitForExit(record.pid);
    ctx.print(`DevMesh stopped (pid ${record.pid}). \`devmesh up\` starts it again with a working token file.`);
    return EXIT.ok;
  }

  private static async waitForExit(pid: number): Promise<void> {
    const deadline = Date.now() + DOWN_TIMEOUT_MS;
    while (DevMeshHome.isAlive(pid)) {
      if (Date.now() > deadline) {
        throw new DevMeshError(
          'TIMEOUT',
          `DevMesh (pid ${pid}) is still stopping its services after ${DOWN_TIMEOUT_MS / 1000}s; see $DEVMESH_HOME/logs/daemon.log, or kill ${pid}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The running DevMesh, or null; a recorded one that is alive but does not answer is an error. */
  private static async findRunning(ctx: CliContext): Promise<ApiClient | null> {
    try {
      return await ctx.connect({ connectTimeoutMs: 3_000 });
    } catch (err) {
      if (err instanceof DevMeshError && err.code === 'DAEMON_NOT_RUNNING') return null;
      if (err instanceof DevMeshError && err.code === 'TIMEOUT') {
        const record = ctx.home.readDaemonRecord();
        throw new DevMeshError(
          'DAEMON_ALREADY_RUNNING',
          `a DevMesh (pid ${record?.pid ?? '?'}, ${record?.url ?? '?'}) is recorded in ${ctx.home.daemonRecordPath} but does not answer; wait a moment, or stop it (kill ${record?.pid ?? '<pid>'}) and retry`,
        );
      }
      throw err;
    }
  }

  private static describe(projects: readonly ProjectInfo[]): string {
    if (projects.length === 0) return 'no project open: open one with `devmesh open DIR`';
    const one = (p: ProjectInfo): string =>
      `${p.id}: ${p.services.length} service${p.services.length === 1 ? '' : 's'}`;
    return `${projects.length === 1 ? 'project' : 'projects'} ${projects.map(one).join(', ')}`;
  }
}
