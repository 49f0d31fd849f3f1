// A real core for the API suites: a temp home, a tiny project (its devmesh.yaml and a few source files),
// the core opened on them and the one API over it; `call` answers the value or throws naming the error,
// `refused` answers the error of a call that must fail. `close` and `open` again restart DevMesh on the
// same home, as a daemon restart does.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pino from 'pino';
import { DevMeshApi } from '../../main/api/devmesh-api.js';
import { DevMeshCore, type DevMeshCoreDeps } from '../../main/core/devmesh-core.js';
import { DevMeshHome } from '../../main/core/home/devmesh-home.js';
import type { ApiMethod, ApiOutput } from '../../shared/api.js';
import type { ErrorInfo } from '../../shared/errors.js';
import { tempDir, writeProject } from './test-project.js';

export interface TestCoreOptions {
  /** temp folder prefix: devmesh-<what>- */
  prefix: string;
  /** the project's id and folder name */
  project: string;
  /** files to write under the project, by relative path */
  files?: Record<string, string>;
  /** more DevMeshCore options (coordination clocks…) */
  core?: Partial<Pick<DevMeshCoreDeps, 'coordination' | 'auditDurability' | 'reminders' | 'files'>>;
  /** runs on the project's folder before DevMesh first opens it (`git init` and a first commit, say) */
  prepare?: (projectDir: string) => void;
}

export class TestCore {
  readonly home: DevMeshHome;
  readonly projectDir: string;
  private readonly tmp: { dir: string; dispose: () => void };
  private current: { core: DevMeshCore; api: DevMeshApi } | null = null;

  private constructor(private readonly options: TestCoreOptions) {
    this.tmp = tempDir(options.prefix);
    this.home = new DevMeshHome(join(this.tmp.dir, 'home'));
    this.projectDir = join(this.tmp.dir, options.project);
    for (const [rel, text] of Object.entries(options.files ?? {})) {
      mkdirSync(dirname(join(this.projectDir, rel)), { recursive: true });
      writeFileSync(join(this.projectDir, rel), text);
    }
    mkdirSync(this.projectDir, { recursive: true });
    writeProject(this.projectDir, options.project, { api: { autostart: false } });
    options.prepare?.(this.projectDir);
  }

  static async open(options: TestCoreOptions): Promise<TestCore> {
    const t = new TestCore(options);
    await t.open();
    return t;
  }

  /** a folder of the run (for fake CLIs and the like), removed with it */
  get dir(): string {
    return this.tmp.dir;
  }

  get core(): DevMeshCore {
    if (!this.current) throw new Error('the test core is closed');
    return this.current.core;
  }

  /** the API itself, for a call whose raw result the test awaits later (a lock acquire that waits) */
  get api(): DevMeshApi {
    if (!this.current) throw new Error('the test core is closed');
    return this.current.api;
  }

  async open(): Promise<void> {
    const core = await DevMeshCore.open({
      home: this.home,
      version: '0.0.0-test',
      logger: pino({ level: 'silent' }),
      projects: [this.projectDir],
      ...this.options.core,
    });
    this.current = {
      core,
      api: new DevMeshApi(core, { face: 'daemon', apiUrl: () => null, requestShutdown: () => undefined }),
    };
  }

  async close(): Promise<void> {
    const c = this.current;
    this.current = null;
    await c?.core.dispose();
  }

  async call<M extends ApiMethod>(method: M, input: unknown): Promise<ApiOutput<M>> {
    if (!this.current) throw new Error('the test core is closed');
    const r = await this.current.api.call(method, input);
    if (!r.ok) throw new Error(`${method} failed: ${r.error.code}: ${r.error.message}`);
    return r.value as ApiOutput<M>;
  }

  async refused(method: ApiMethod, input: unknown): Promise<ErrorInfo> {
    if (!this.current) throw new Error('the test core is closed');
    const r = await this.current.api.call(method, input);
    if (r.ok) throw new Error(`${method} should have been refused, got ${JSON.stringify(r.value)}`);
    return r.error;
  }

  async dispose(): Promise<void> {
    await this.close();
    this.tmp.dispose();
  }
}
