// `devmesh doctor`: checks $DEVMESH_HOME and repairs what it safely can (StoreDoctor): file permissions, a
// damaged or vanished store (kept aside, the newest sound backup restored). With DevMesh running it also
// reports the daemon's health ledger (`daemon.health`) and refuses to touch the store, naming the pid.
import { DevMeshError } from '../../../shared/errors.js';
import type { Health } from '../../../shared/health.js';
import type { DoctorReport } from '../../core/recovery/store-doctor.js';
import { EXIT, type CliCommand } from '../cli-command.js';
import type { CliContext } from '../cli-context.js';
import type { CommandArgs } from '../command-args.js';
import { UsageError } from '../usage-error.js';

/** doctor's own exit code: it ran, and problems remain (a damaged store it did not repair, health problems) */
export const EXIT_PROBLEMS = 4;

export class DoctorCommands {
  commands(): CliCommand[] {
    return [
      {
        name: 'doctor',
        summary: "check DevMesh's home and store; restore the store from a backup when it is damaged",
        usage: `Usage: devmesh doctor [--check] [--fresh | --from BACKUP] [--json]

Checks $DEVMESH_HOME: that it and its files are readable by you only (tightening them), the store's
integrity (PRAGMA integrity_check) and its audit chain, and DevMesh's backups (backups/, one at start and
every 6 h, 3 kept). With DevMesh running it also shows the daemon's health problems.

When the store is damaged, truncated or gone (and DevMesh is stopped), doctor keeps it aside with its
-wal/-shm and the audit mirror in broken/ (renamed with a timestamp, never deleted) and restores the newest
backup that passes the check. What DevMesh stored after that backup is only in the files kept aside.
With DevMesh running, doctor only checks: stop it with \`devmesh down\` first.

Options:
  --check         report only; change nothing
  --fresh         keep the store aside and let DevMesh start with an empty one
  --from BACKUP   restore this file (a backup, or a copy of your own) instead of the newest backup
  --json          the report as JSON

Exit codes: 0 all is well (after any repair doctor made), 1 doctor could not run, 2 usage error,
4 problems remain (each printed with how to fix it).`,
        options: {
          check: { type: 'boolean' },
          fresh: { type: 'boolean' },
          from: { type: 'string' },
          json: { type: 'boolean' },
        },
        positionals: { min: 0, max: 0, name: '' },
        run: (ctx, args) => this.doctor(ctx, args),
      },
    ];
  }

  private async doctor(ctx: CliContext, args: CommandArgs): Promise<number> {
    const from = args.string('from');
    const check = args.flag('check');
    const fresh = args.flag('fresh');
    if (fresh && from !== undefined) throw new UsageError('--fresh and --from exclude each other', 'doctor');
    if (check && (fresh || from !== undefined)) {
      throw new UsageError('--check changes nothing: drop --fresh and --from', 'doctor');
    }
    // Loaded only here: SQLite and the audit code would slow every other command's start.
    const { StoreDoctor } = await import('../../core/recovery/store-doctor.js');
    const backup = from === undefined ? null : ctx.absolute(from);
    const report = await new StoreDoctor(ctx.home).run({ check, fresh, from: backup });
    if (report.daemon !== null && report.daemon.face !== 'doctor') await DoctorCommands.addHealth(ctx, report);
    report.ok = report.problems.length === 0;
    if (args.flag('json')) ctx.printJson(report);
    else ctx.print(DoctorCommands.render(report));
    return report.ok ? EXIT.ok : EXIT_PROBLEMS;
  }

  /** The running daemon's health ledger; its problems are doctor's problems too. */
  private static async addHealth(ctx: CliContext, report: DoctorReport): Promise<void> {
    let health: Health;
    try {
      health = await ctx.withClient((c) => c.call('daemon.health', {}));
    } catch (err) {
      const missing = err instanceof DevMeshError && err.code === 'DAEMON_NOT_RUNNING';
      const message = err instanceof Error ? err.message : String(err);
      const why = missing ? `${ctx.home.daemonRecordPath} does not name it` : message;
      const log = `${ctx.home.logDir}/daemon.log`;
      const pid = report.daemon!.pid;
      report.problems.push(`DevMesh (pid ${pid}) holds this home but its API did not answer (${why}); see ${log}`);
      return;
    }
    report.health = health;
    for (const p of health.problems) report.problems.push(`${p.component}: ${p.message} (${p.rule})`);
  }

  private static render(r: DoctorReport): string {
    const lines: string[] = [];
    const row = (label: string, text: string) => lines.push(`${label.padEnd(9)} ${text}`);
    row('home', r.home.dir);
    const d = r.daemon;
    const faces = { daemon: 'daemon', electron: 'the app', doctor: 'another devmesh doctor' } as const;
    row('DevMesh', d === null ? 'not running' : `${faces[d.face]} (pid ${d.pid})${d.url ? ` at ${d.url}` : ''}`);
    const s = r.store;
    const details = [
      s.bytes === null ? null : DoctorCommands.bytes(s.bytes),
      s.schema === null ? null : `schema ${s.schema}`,
      s.audit ? `audit chain ${s.audit.entries} entries` : null,
    ].filter((x) => x !== null);
    const state = s.state === 'new' ? 'none yet (created at the first start)' : s.state;
    row('store', `${s.path}: ${[state, ...details].join(', ')}`);
    const newest = r.backups[0];
    const taken = newest ? new Date(newest.takenAt).toISOString() : '';
    row('backups', newest ? `${r.backups.length}, newest ${taken} (${newest.path})` : 'none yet');
    const health = r.health as Health | null;
    if (health) row('health', health.ok ? 'ok' : `${health.problems.length} problem(s)`);
    if (r.actions.length > 0) lines.push('', 'Done:', ...r.actions.map((a) => `  - ${a}`));
    if (r.setAside.length > 0) lines.push('Kept aside (never deleted):', ...r.setAside.map((p) => `  ${p}`));
    if (r.problems.length > 0) lines.push('', 'Problems:', ...r.problems.map((p) => `  - ${p}`));
    lines.push('', r.problems.length === 0 ? 'All is well.' : `${r.problems.length} problem(s) remain.`);
    return lines.join('\n');
  }

  private static bytes(n: number): string {
    if (n < 1024) return `${n} B`;
    if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
    return `${(n / 1024 / 1024).toFixed(1)} MB`;
  }
}
