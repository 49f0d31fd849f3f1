// What every command runs with: the DevMesh home, where to print, the working folder, and a way to reach
// the running DevMesh. Commands never touch process.stdout or process.env directly, so tests can drive them.
import { isAbsolute, resolve } from 'node:path';
import type { DevMeshHome } from '../core/home/devmesh-home.js';
import { ApiClient, type ApiClientDeps } from './api-client.js';
import type { CommandArgs } from './command-args.js';

export interface Output {
  write(text: string): unknown;
}

export interface CliContextDeps {
  home: DevMeshHome;
  version: string;
  cwd: string;
  stdout: Output;
  stderr: Output;
  /** the command line that starts this CLI again (`node bin/devmesh.js`), for `up --detach` */
  relaunch: { command: string; args: string[] };
  /** the built browser UI the daemon serves, or null */
  rendererDir: string | null;
  /** a daemon that is up keeps running when its output's reader goes away (BrokenPipeGuard) */
  outliveOutput?: () => void;
}

export class CliContext {
  constructor(private readonly deps: CliContextDeps) {}

  get home(): DevMeshHome {
    return this.deps.home;
  }
  get version(): string {
    return this.deps.version;
  }
  get cwd(): string {
    return this.deps.cwd;
  }
  get relaunch(): { command: string; args: string[] } {
    return this.deps.relaunch;
  }
  get rendererDir(): string | null {
    return this.deps.rendererDir;
  }

  /** From now on this process outlives the reader of its output (`devmesh up | head -1`). */
  outliveOutput(): void {
    this.deps.outliveOutput?.();
  }

  print(text = ''): void {
    this.deps.stdout.write(`${text}\n`);
  }

  printJson(value: unknown): void {
    this.deps.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  warn(text: string): void {
    this.deps.stderr.write(`${text}\n`);
  }

  connect(deps?: ApiClientDeps): Promise<ApiClient> {
    return ApiClient.connect(this.deps.home, deps);
  }

  /** A client that connects on its first call and again once DevMesh went away (the MCP server). */
  connectOnDemand(deps?: ApiClientDeps): ApiClient {
    return ApiClient.onDemand(this.deps.home, deps);
  }

  /**
   * Connects, runs `fn`, and closes the connection whatever happens. The close frame goes out at once; the
   * daemon's answer to it is not awaited: a command exits right after, and that wait cost a round trip and
   * about a twentieth of a `devmesh status`.
   */
  async withClient<T>(fn: (client: ApiClient) => Promise<T>): Promise<T> {
    const client = await this.connect();
    try {
      return await fn(client);
    } finally {
      void client.close();
    }
  }

  /**
   * A read command over projects: the one `--project` names, else every open one. `--json` prints the
   * lists flat; with no open project it says how to open one; else one block per project (headed by the
   * project when there are several), then `after` (extra lines that need the connection).
   */
  async perProject<T extends { project: string }>(
    args: CommandArgs,
    view: {
      fetch: (client: ApiClient, project: string) => Promise<T[]>;
      render: (items: T[]) => string;
      empty: string;
      after?: (client: ApiClient) => Promise<void>;
    },
  ): Promise<number> {
    const ref = this.projectRef(args);
    return this.withClient(async (client) => {
      const projects = ref !== undefined ? [ref] : (await client.call('projects.list', {})).map((p) => p.id);
      const lists = await Promise.all(projects.map((project) => view.fetch(client, project)));
      if (args.flag('json')) {
        this.printJson(lists.flat());
        return 0;
      }
      if (projects.length === 0) {
        this.print('No project is open: open one with `devmesh open DIR` (or `devmesh up --project DIR`).');
        return 0;
      }
      const blocks = lists.map((items, i) => {
        const header = lists.length > 1 ? `project ${items[0]?.project ?? projects[i]}\n` : '';
        return `${header}${items.length ? view.render(items) : view.empty}`;
      });
      this.print(blocks.join('\n\n'));
      await view.after?.(client);
      return 0;
    });
  }

  /** `--project P`: an id stays as is; a path is made absolute here, since the daemon has another cwd. */
  projectRef(args: CommandArgs): string | undefined {
    const ref = args.string('project');
    if (ref === undefined || ref === '') return undefined;
    return CliContext.looksLikePath(ref) ? this.absolute(ref) : ref;
  }

  absolute(path: string): string {
    return isAbsolute(path) ? path : resolve(this.deps.cwd, path);
  }

  private static looksLikePath(ref: string): boolean {
    return ref === '.' || ref === '..' || ref.includes('/') || ref.includes('\\');
  }
}
