// The ledger of the daemon's own problems. A part that fails in the background (a store on a full disk, a
// timer that threw) reports here instead of throwing into the event loop: the failure is counted, logged
// once per cause, and raised as `health.changed` for the UI's header and `devmesh status`; when the part
// works again it says so and the problem moves to the recovered list. The daemon stays up throughout.
import pino, { type Logger } from 'pino';
import type { Health, HealthChangedEvent, HealthCode, HealthProblem } from '../../../shared/health.js';
import type { Disposable } from '../base/disposable.js';
import { Emitter } from '../base/emitter.js';
import * as storageFailure from './storage-failure.js';

export interface FailureReport {
  /** the failing part, as users name it ("request log") */
  component: string;
  error: unknown;
  /** where it writes (a file or folder), for the message and to tell a full disk from another I/O error */
  where: string;
  /** what happens to the data meanwhile */
  rule: string;
  /** items given up by this failure */
  dropped?: number;
}

export interface DaemonHealthDeps {
  logger: Logger;
  /** `health.changed` for the faces */
  emit: (event: HealthChangedEvent) => void;
  now?: () => number;
}

const RECOVERED_KEPT = 20;

export class DaemonHealth implements Disposable {
  private readonly problems = new Map<string, HealthProblem>();
  private readonly recovered: Array<HealthProblem & { recoveredAt: number }> = [];
  // nothing a face does may turn a report into a crash: a throwing listener is logged, the others still hear it
  private readonly changes: Emitter<HealthProblem[]>;
  private readonly now: () => number;

  constructor(private readonly deps: DaemonHealthDeps) {
    this.now = deps.now ?? Date.now;
    this.changes = new Emitter({
      onListenerError: (err) =>
        this.safeLog(() =>
          this.deps.logger.warn({ domain: 'health', err: (err as Error)?.message }, 'a health listener threw'),
        ),
    });
  }

  /** A health that logs and raises nothing: for parts built outside a daemon (unit tests, tools). */
  static detached(logger: Logger = pino({ enabled: false })): DaemonHealth {
    return new DaemonHealth({ logger, emit: () => undefined });
  }

  /** Records a failure; returns the problem as it now stands. Never throws. */
  fail(report: FailureReport): HealthProblem {
    const cause = report.error instanceof Error ? report.error.message : String(report.error);
    const code = storageFailure.code(report.error, report.where);
    const at = this.now();
    const prior = this.problems.get(report.component);
    const changed = prior === undefined || prior.code !== code;
    const problem: HealthProblem = {
      component: report.component,
      code,
      message: storageFailure.describe(code, `The ${report.component}`, report.where, cause),
      cause,
      rule: report.rule,
      failures: (prior?.failures ?? 0) + 1,
      dropped: (prior?.dropped ?? 0) + (report.dropped ?? 0),
      since: prior?.since ?? at,
      lastAt: at,
    };
    this.problems.set(report.component, problem);
    if (changed) {
      // Once per cause: a store failing every 5 s on a full disk must not fill the log on that same disk.
      const stack = code === 'INTERNAL' && report.error instanceof Error ? report.error.stack : undefined;
      this.safeLog(() =>
        this.deps.logger.error(
          { component: report.component, code, cause, where: report.where, rule: report.rule, stack },
          problem.message,
        ),
      );
      this.changed();
    }
    return problem;
  }

  /**
   * A problem that is not a failed write and carries its own words (the login shell's environment could not
   * be read at start): recorded, logged once and raised like a failure. Never throws.
   */
  raise(report: { component: string; code: HealthCode; message: string; cause: string; rule: string }): HealthProblem {
    const at = this.now();
    const prior = this.problems.get(report.component);
    const problem: HealthProblem = {
      ...report,
      failures: (prior?.failures ?? 0) + 1,
      dropped: prior?.dropped ?? 0,
      since: prior?.since ?? at,
      lastAt: at,
    };
    this.problems.set(report.component, problem);
    if (prior === undefined || prior.message !== problem.message) {
      const fields = { component: report.component, code: report.code, cause: report.cause };
      this.safeLog(() => this.deps.logger.warn(fields, problem.message));
      this.changed();
    }
    return problem;
  }

  /** Items a failing part gave up (counted on its problem). */
  dropped(component: string, count: number): void {
    const p = this.problems.get(component);
    if (p && count > 0) p.dropped += count;
  }

  /** The part works again. */
  ok(component: string): void {
    const p = this.problems.get(component);
    if (p === undefined) return;
    this.problems.delete(component);
    this.recovered.unshift({ ...p, recoveredAt: this.now() });
    this.recovered.length = Math.min(this.recovered.length, RECOVERED_KEPT);
    this.safeLog(() =>
      this.deps.logger.info(
        { component, failures: p.failures, dropped: p.dropped, since: p.since },
        `the ${component} works again`,
      ),
    );
    this.changed();
  }

  has(component: string): boolean {
    return this.problems.has(component);
  }

  problem(component: string): HealthProblem | null {
    return this.problems.get(component) ?? null;
  }

  codeOf(component: string): HealthCode | null {
    return this.problems.get(component)?.code ?? null;
  }

  snapshot(): Health {
    const problems = [...this.problems.values()].map((p) => ({ ...p }));
    return { ok: problems.length === 0, problems, recovered: this.recovered.map((p) => ({ ...p })) };
  }

  onDidChange(listener: (problems: HealthProblem[]) => void): Disposable {
    return this.changes.event(listener);
  }

  dispose(): void {
    this.changes.dispose();
  }

  private changed(): void {
    const problems = this.snapshot().problems;
    try {
      this.deps.emit({ type: 'health.changed', ts: this.now(), problems });
    } catch {
      // the bus contains its listeners; nothing a face does may turn a report into a crash
    }
    this.changes.fire(problems);
  }

  // The logger writes to daemon.log, which may sit on the very disk that is full.
  private safeLog(write: () => void): void {
    try {
      write();
    } catch {
      // nowhere left to say it; the problem is still counted and shown
    }
  }
}
