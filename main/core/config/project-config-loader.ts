// Reads a project's devmesh.yaml and turns it into the normalized ProjectConfig the supervisor runs, or
// throws one CONFIG_INVALID error listing every problem in the file, each with its line.
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import semver from 'semver';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { DevMeshError } from '../../../shared/errors.js';
import { ConfigIssueCollector } from './config-issue-collector.js';
import {
  CONFIG_DEFAULTS,
  KNOWN_KEYS,
  NAME_MAX_LENGTH,
  NAME_PATTERN,
  ProjectFileSchema,
  SERVICE_NAME_RULE,
  ServiceFileSchema,
  type DependencyEntry,
  type ServiceFile,
} from './config-schema.js';
import { DependencyGraph } from './dependency-graph.js';
import { expandDatabaseBlocks, type DatabaseBlockOwner } from './database-block.js';
import { normalizeLogs } from './logs-block.js';
import { didYouMean } from '../base/did-you-mean.js';
import {
  CONFIG_FILE_NAME,
  type ConfigIssue,
  type DatabaseEngineName,
  type HealthCheckConfig,
  type ProjectConfig,
  type RestartConfig,
  type ServiceConfig,
  type VersionMismatchPolicy,
} from './project-config.js';
import type { KeyPath } from './yaml-locator.js';
import { YamlLocator } from './yaml-locator.js';
import {
  inFileOrder,
  keepScalarsAsWritten,
  mapAt,
  syntaxErrorOffset,
  unresolvedAliasLine,
  withoutExtensionKeys,
} from './yaml-document.js';

export interface ProjectConfigLoaderDeps {
  /** larger files are refused before parsing; default 1 MiB */
  maxBytes?: number;
  /**
   * The version of a database engine installed on this machine (the databases domain's EngineLocator, cached),
   * the default `version:` of a database service; absent or null: it has none (the engine is not installed).
   */
  engineVersion?: (engine: DatabaseEngineName) => string | null;
}

interface ParsedService {
  config: ServiceConfig;
  deps: DependencyEntry[];
  database?: DatabaseBlockOwner;
}

// Only for checks that zod did not give a message of ours: names the expected type in plain words.
const PARSE_OPTIONS = {
  reportInput: true,
  error: (issue: z.core.$ZodRawIssue) => (issue.code === 'invalid_type' ? `a ${issue.expected}` : 'a valid value'),
} satisfies z.core.ParseContext<z.core.$ZodIssue>;

const serviceKnownKeys = (path: KeyPath): readonly string[] => {
  // Checked first: a dependency may well be named `health` or `restart`.
  if (path.length === 2 && path[0] === 'depends_on') return KNOWN_KEYS.dependency;
  const last = path[path.length - 1];
  if (last === 'health') return KNOWN_KEYS.health;
  if (last === 'restart') return KNOWN_KEYS.restart;
  if (last === 'database') return KNOWN_KEYS.database;
  return KNOWN_KEYS.service;
};

export class ProjectConfigLoader {
  private readonly maxBytes: number;
  private readonly engineVersion: (engine: DatabaseEngineName) => string | null;

  constructor(deps: ProjectConfigLoaderDeps = {}) {
    this.maxBytes = deps.maxBytes ?? 1024 * 1024;
    this.engineVersion = deps.engineVersion ?? (() => null);
  }

  /** Loads `configPath` (a devmesh.yaml, or the folder holding one). */
  load(configPath: string): ProjectConfig {
    let file = resolve(configPath);
    let text: string;
    try {
      if (statSync(file).isDirectory()) file = join(file, CONFIG_FILE_NAME);
      const size = statSync(file).size;
      if (size > this.maxBytes) {
        throw this.invalid(file, [this.fileIssue(file, `the file is ${size} bytes; the limit is ${this.maxBytes}`)]);
      }
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if (err instanceof DevMeshError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        throw new DevMeshError(
          'CONFIG_NOT_FOUND',
          `no ${CONFIG_FILE_NAME} at ${file}: create one (see README, "The project file") or pass --project DIR`,
        );
      }
      throw this.invalid(file, [this.fileIssue(file, `cannot read the file: ${(err as Error).message}`)]);
    }
    return this.parse(text, file);
  }

  /** Validates `text` as the devmesh.yaml at `configPath`; relative `cwd:` values resolve against its folder. */
  parse(text: string, configPath: string): ProjectConfig {
    const file = resolve(configPath);
    const root = dirname(file);
    if (Buffer.byteLength(text, 'utf8') > this.maxBytes) {
      throw this.invalid(file, [this.fileIssue(file, `the file is over ${this.maxBytes} bytes`)]);
    }
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true });
    const locator = new YamlLocator(doc, lineCounter);
    const issues = new ConfigIssueCollector(basename(file), locator);

    // Syntax errors make the rest of the tree guesswork: report them alone.
    if (doc.errors.length > 0) {
      for (const err of doc.errors) issues.add([], err.message, locator.lineOfOffset(syntaxErrorOffset(text, err)));
      throw this.invalid(file, issues.list());
    }

    keepScalarsAsWritten(doc);
    let json: unknown;
    try {
      json = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      // An alias to an anchor never set, or aliases multiplying past the limit (a "billion laughs" file).
      issues.add([], (err as Error).message, unresolvedAliasLine(doc, locator));
      throw this.invalid(file, issues.list());
    }
    const raw = withoutExtensionKeys(json);
    const top = ProjectFileSchema.safeParse(raw, PARSE_OPTIONS);
    if (!top.success) {
      issues.addZodIssues(top.error.issues, [], (path) => (path[0] === 'logs' ? KNOWN_KEYS.logs : KNOWN_KEYS.project));
    }

    const rawServices = mapAt(raw, 'services');
    const declared = inFileOrder(rawServices, locator.keysOf(['services']));
    if (rawServices && declared.length === 0) issues.add(['services'], 'no services: declare at least one');

    // An invalid top level is already reported; the default keeps the services' checks going.
    const onVersionMismatch =
      (top.success ? top.data.on_version_mismatch : undefined) ?? CONFIG_DEFAULTS.onVersionMismatch;
    const services = new Map<string, ParsedService>();
    for (const name of declared) {
      const nameOk = NAME_PATTERN.test(name) && name.length <= NAME_MAX_LENGTH;
      if (!nameOk)
        issues.add(['services', name], `invalid service name ${JSON.stringify(name)}: use ${SERVICE_NAME_RULE}`);
      const parsed = ServiceFileSchema.safeParse(rawServices![name], PARSE_OPTIONS);
      if (!parsed.success) issues.addZodIssues(parsed.error.issues, ['services', name], serviceKnownKeys);
      else if (nameOk)
        services.set(
          name,
          this.normalize(name, parsed.data, root, locator.lineOf(['services', name]), onVersionMismatch),
        );
    }

    const id =
      top.success && top.data.project !== undefined ? top.data.project : ProjectConfigLoader.idFromFolder(root);
    this.expandDatabases(services, { projectId: id, root, onVersionMismatch, issues });
    const warnings = new ConfigIssueCollector(basename(file), locator);
    const known = new Set([...declared, ...services.keys()]);
    this.checkDependencies(services, known, onVersionMismatch, issues, warnings);
    // Self-dependencies are reported above; as graph edges they would also show up as a cycle.
    const graph = new DependencyGraph(
      [...services.values()].map(({ config }) => ({
        name: config.name,
        dependsOn: config.dependsOn.filter((d) => d.name !== config.name),
      })),
    );
    for (const cycle of graph.cycles()) {
      const [first, second] = cycle as [string, string];
      const at = services.get(first)!.deps.find((d) => d.name === second)!.at;
      issues.add(['services', first, 'depends_on', at], `dependency cycle: ${cycle.join(' → ')}`);
    }
    this.checkPorts(services, issues);
    this.checkDirectories(services, issues);

    if (issues.count > 0) throw this.invalid(file, issues.list());
    const order = graph.order();
    const byName: Record<string, ServiceConfig> = {};
    for (const [name, { config }] of services) byName[name] = config;
    return {
      id,
      root,
      configPath: file,
      services: byName,
      onVersionMismatch,
      order,
      logs: normalizeLogs(top.success ? top.data.logs : undefined),
      warnings: warnings.list().map((w) => ConfigIssueCollector.format(w)),
    };
  }

  /** `project:` omitted: the folder name, made into a valid id (`My Shop` → `my-shop`). */
  static idFromFolder(root: string): string {
    const id = basename(root)
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/^[^a-z0-9]+/, '')
      .slice(0, NAME_MAX_LENGTH)
      .replace(/-+$/, '');
    return id || 'project';
  }

  private normalize(
    name: string,
    file: ServiceFile,
    root: string,
    line: number,
    projectPolicy: VersionMismatchPolicy,
  ): ParsedService {
    const deps = file.depends_on ?? [];
    const config: ServiceConfig = {
      name,
      // absent only on a database-only service: expandDatabases fills both in
      version: file.version ?? null,
      command: file.command ?? '',
      cwd: resolve(root, file.cwd ?? '.'),
      env: file.env ?? {},
      port: file.port ?? null,
      health: ProjectConfigLoader.normalizeHealth(file.health),
      dependsOn: deps.map(({ name: dep, range, onVersionMismatch }) => ({
        name: dep,
        range,
        onVersionMismatch: onVersionMismatch ?? projectPolicy,
      })),
      restart: ProjectConfigLoader.normalizeRestart(file.restart),
      autostart: file.autostart ?? CONFIG_DEFAULTS.autostart,
      startOnRequest: file.start_on_request ?? CONFIG_DEFAULTS.startOnRequest,
      stopSignal: file.stop_signal ?? CONFIG_DEFAULTS.stopSignal,
      stopTimeoutMs: file.stop_timeout ?? CONFIG_DEFAULTS.stopTimeoutMs,
      prefer: file.prefer ?? CONFIG_DEFAULTS.prefer,
      allowPeers: file.allow_peers ?? CONFIG_DEFAULTS.allowPeers,
      line,
      protocol: file.protocol ?? 'http',
      tcpPort: file.tcp_port ?? null,
      database: null,
    };
    if (file.database === undefined) return { config, deps };
    const database: DatabaseBlockOwner = {
      config,
      block: file.database,
      hasCommand: file.command !== undefined,
      hasVersion: file.version !== undefined,
      hasStopTimeout: file.stop_timeout !== undefined,
    };
    return { config, deps, database };
  }

  /** `database:` blocks: the database services they add or make (database-block.ts), in file order. */
  private expandDatabases(
    services: Map<string, ParsedService>,
    x: { projectId: string; root: string; onVersionMismatch: VersionMismatchPolicy; issues: ConfigIssueCollector },
  ): void {
    const owners = [...services.values()].flatMap((s) => (s.database ? [s.database] : []));
    if (owners.length === 0) return;
    const configs = new Map([...services].map(([name, s]) => [name, s.config]));
    expandDatabaseBlocks(owners, { ...x, services: configs, engineVersion: this.engineVersion });
    // `<owner>-db` services come right after their owner, so the file's order stays the tie-break of `order`.
    const entries = [...services];
    services.clear();
    for (const [name, parsed] of entries) {
      services.set(name, parsed);
      const added = `${name}-db`;
      const config = configs.get(added);
      if (config && !entries.some(([n]) => n === added)) services.set(added, { config, deps: [] });
    }
  }

  private static normalizeHealth(health: ServiceFile['health']): HealthCheckConfig {
    if (!health) return { kind: 'none', graceMs: CONFIG_DEFAULTS.healthGraceMs };
    const d = CONFIG_DEFAULTS.health;
    const timing = {
      intervalMs: health.interval ?? d.intervalMs,
      timeoutMs: health.timeout ?? d.timeoutMs,
      retries: health.retries ?? d.retries,
      startTimeoutMs: health.start_timeout ?? d.startTimeoutMs,
    };
    if (health.http !== undefined) return { kind: 'http', path: health.http, ...timing };
    if (health.exec !== undefined) return { kind: 'exec', command: health.exec, ...timing };
    return { kind: 'tcp', ...timing };
  }

  private static normalizeRestart(restart: ServiceFile['restart']): RestartConfig {
    const d = CONFIG_DEFAULTS.restart;
    const spec = typeof restart === 'string' ? { policy: restart } : (restart ?? {});
    return {
      policy: spec.policy ?? d.policy,
      maxRestarts: spec.max_restarts ?? d.maxRestarts,
      backoffInitialMs: spec.backoff ?? d.backoffInitialMs,
      backoffMaxMs: spec.max_backoff ?? d.backoffMaxMs,
      resetAfterMs: spec.reset_after ?? d.resetAfterMs,
    };
  }

  private checkDependencies(
    services: Map<string, ParsedService>,
    declared: Set<string>,
    onVersionMismatch: VersionMismatchPolicy,
    issues: ConfigIssueCollector,
    warnings: ConfigIssueCollector,
  ): void {
    for (const [name, { deps }] of services) {
      const listed = new Set<string>();
      for (const dep of deps) {
        const path = ['services', name, 'depends_on', dep.at];
        if (listed.has(dep.name)) {
          issues.add(path, `'${dep.name}' is listed twice`);
          continue;
        }
        listed.add(dep.name);
        if (dep.name === name) {
          issues.add(path, `a service cannot depend on itself`);
        } else if (!declared.has(dep.name)) {
          const suggestion = didYouMean(dep.name, declared);
          issues.add(path, `unknown service '${dep.name}'${suggestion ? `; did you mean '${suggestion}'?` : ''}`);
        } else {
          const target = services.get(dep.name)?.config;
          // A prerelease (2.4.0-beta) of a local service is meant to satisfy ^2.1 while it is being worked on.
          // A mismatch is not a config error: whether to warn or refuse is the version policy's call at
          // routing time (a teammate's instance may satisfy the range), so it is reported as a warning.
          // A database whose engine is not installed has no version to compare: its start says what is missing.
          if (
            target &&
            target.version !== null &&
            dep.range !== null &&
            !semver.satisfies(target.version, dep.range, { includePrerelease: true })
          ) {
            const refused =
              (dep.onVersionMismatch ?? onVersionMismatch) === 'refuse'
                ? `; with on_version_mismatch: refuse, requests to it fail unless a teammate runs a version in range`
                : '';
            warnings.add(
              path,
              `needs ${dep.name} ${dep.range}, but ${dep.name} is version ${target.version} (line ${target.line})${refused}`,
            );
          }
        }
      }
    }
  }

  /** A port is one listener: a service's `port:` and a TCP service's `tcp_port:` share one namespace. */
  private checkPorts(services: Map<string, ParsedService>, issues: ConfigIssueCollector): void {
    const owners = new Map<number, { config: ServiceConfig; key: 'port' | 'tcp_port' }>();
    for (const [name, { config }] of services) {
      const claims = [
        { key: 'port' as const, port: config.port },
        { key: 'tcp_port' as const, port: config.tcpPort },
      ];
      for (const { key, port } of claims) {
        if (port === null) continue;
        const owner = owners.get(port);
        // the same service's port and tcp_port: the schema already says so
        if (owner && owner.config.name === name) continue;
        if (owner)
          issues.add(
            ['services', name, key],
            `${key} ${port} is already used by service '${owner.config.name}'` +
              `${owner.key === 'tcp_port' ? ' as its tcp_port' : ''} (line ${owner.config.line})`,
          );
        else owners.set(port, { config, key });
      }
    }
  }

  private checkDirectories(services: Map<string, ParsedService>, issues: ConfigIssueCollector): void {
    for (const [name, { config }] of services) {
      let problem: string | null = null;
      try {
        if (!statSync(config.cwd).isDirectory()) problem = `${config.cwd} is not a directory`;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        problem =
          code === 'ENOENT' || code === 'ENOTDIR'
            ? `no directory at ${config.cwd}`
            : `cannot use ${config.cwd}: ${(err as Error).message}`;
      }
      if (problem) issues.add(['services', name, 'cwd'], problem);
    }
  }

  private invalid(file: string, issues: ConfigIssue[]): DevMeshError {
    const n = issues.length;
    const lines = issues.map((issue) => ConfigIssueCollector.format(issue)).join('\n');
    return new DevMeshError('CONFIG_INVALID', `${file} has ${n} problem${n === 1 ? '' : 's'}:\n${lines}`, { issues });
  }

  private fileIssue(file: string, message: string): ConfigIssue {
    return { file: basename(file), line: null, path: '', message };
  }
}
