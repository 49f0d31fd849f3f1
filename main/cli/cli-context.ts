// What every command runs with: the DevMesh home, where to print, the working folder, and a way to reach
// the running DevMesh. Commands never touch process.stdout or process.env directly, so tests can drive them.
import { isAbsolute, resolve } from 'node:path';
import type { DevMeshHome } from '../core/home/devmesh-home.js';
import { ApiClient, type ApiClientOptions } from './api-client.js';
import type { CommandArgs } from './command-args.js';

export interface Output {
  write(text: string): unknown;
}

export interface CliContextOptions {
  home: DevMeshHome;
  version: string;
  cwd: string;
  stdout: Output;
  stderr: Output;
  /** the command line that starts this CLI again (`node bin/devmesh.js`), for `up --detach` */
  relaunch: { command: string; args: string[] };
  /** the built browser UI the daemon serves, or null */
  rendererDir: string | null;
}

export class CliContext {
  constructor(private readonly options: CliContextOptions) {}

  get home(): DevMeshHome {
    return this.options.home;
  }
  get version(): string {
    return this.options.version;
  }
  get cwd(): string {
    return this.options.cwd;
  }
  get relaunch(): { command: string; args: string[] } {
    return this.options.relaunch;
  }
  get rendererDir(): string | null {
    return this.options.rendererDir;
  }

  print(text = ''): void {
    this.options.stdout.write(`${text}\n`);
  }

  printJson(value: unknown): void {
    this.options.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  warn(text: string): void {
    this.options.stderr.write(`${text}\n`);
  }

  connect(options?: ApiClientOptions): Promise<ApiClient> {
    return ApiClient.connect(this.options.home, options);
  }

  /** Connects, runs `fn`, and closes the connection whatever happens. */
  async withClient<T>(fn: (client: ApiClient) => Promise<T>): Promise<T> {
    const client = await this.connect();
    try {
      return await fn(client);
    } finally {
      await client.close();
    }
  }

  /** `--project P`: an id stays as is; a path is made absolute here, since the daemon has another cwd. */
  projectRef(args: CommandArgs): string | undefined {
    const ref = args.string('project');
    if (ref === undefined || ref === '') return undefined;
    return CliContext.looksLikePath(ref) ? this.absolute(ref) : ref;
  }

  absolute(path: string): string {
    return isAbsolute(path) ? path : resolve(this.options.cwd, path);
  }

  private static looksLikePath(ref: string): boolean {
    return ref === '.' || ref === '..' || ref.includes('/') || ref.includes('\\');
  }
}
