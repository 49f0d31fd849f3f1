// `devmesh top [--json] [--project P] [--alerts]`: what every service (its whole process tree), agent and
// terminal uses now, busiest first, as the daemon last sampled it; the leak and spin alerts below the table.
import { formatBytes, formatCpu, type MetricsAlert, type MetricsCurrent } from '../../../shared/metrics.js';
import { EXIT, type CliCommand } from '../cli-command.js';
import type { CliContext } from '../cli-context.js';
import type { CommandArgs } from '../command-args.js';
import { TextTable } from '../text-table.js';

export class TopCommand {
  commands(): CliCommand[] {
    return [
      {
        name: 'top',
        summary: 'what every service, agent and terminal uses: CPU, memory, connections, GPU',
        usage: `Usage: devmesh top [--json] [--project <id|dir>] [--alerts]

One snapshot, sorted by CPU: each service's whole process tree (the service and every process it
started), each agent and each terminal. CPU is in % of one core since the previous sample (200% =
two cores); MEM is resident memory; CONN counts established TCP connections; GPU is what nvidia-smi
reports (- where it is absent). The daemon samples every 5 s (metrics.interval_ms in
$DEVMESH_HOME/config.yaml) and keeps a day of minute figures (the app's charts).

--alerts also lists cleared leak and spin alerts. --json prints metrics.current as is.`,
        options: { json: { type: 'boolean' }, project: { type: 'string' }, alerts: { type: 'boolean' } },
        positionals: { min: 0, max: 0, name: '' },
        run: (ctx, args) => this.top(ctx, args),
      },
    ];
  }

  private async top(ctx: CliContext, args: CommandArgs): Promise<number> {
    const project = args.string('project');
    const all = args.flag('alerts');
    const [current, alerts] = await ctx.withClient((c) =>
      Promise.all([
        c.call('metrics.current', project === undefined ? {} : { project }),
        all ? c.call('metrics.alerts', { all: true }) : Promise.resolve(null),
      ]),
    );
    if (args.flag('json')) {
      ctx.printJson(alerts === null ? current : { ...current, alerts });
      return EXIT.ok;
    }
    ctx.print(TopCommand.render(current, alerts ?? current.alerts));
    return EXIT.ok;
  }

  static render(current: MetricsCurrent, alerts: MetricsAlert[]): string {
    const m = current.machine;
    const lines = [
      `memory: ${formatBytes(m.memAvailableBytes)} available of ${formatBytes(m.memTotalBytes)}; ` +
        `${m.cpuCount} CPUs; sampled every ${current.intervalMs / 1000} s${m.note ? ` (${m.note})` : ''}`,
    ];
    if (current.processes.length === 0) {
      lines.push('Nothing measured yet: no service, agent or terminal is running (or the first sample is pending).');
    } else {
      const active = new Map(alerts.filter((a) => a.state === 'active').map((a) => [a.key, a.kind]));
      const table = new TextTable(['KIND', 'NAME', 'PROJECT', 'PID', 'PROCS', 'CPU', 'MEM', 'CONN', 'GPU', 'ALERT']);
      for (const p of current.processes) {
        table.add([
          p.kind,
          p.name,
          p.project,
          p.pid,
          p.pids,
          formatCpu(p.cpuPercent),
          formatBytes(p.rssBytes),
          p.connections,
          formatBytes(p.gpuBytes),
          active.get(p.key),
        ]);
      }
      lines.push(table.render());
    }
    for (const a of alerts) {
      const where = a.project ? `${a.project}/${a.name}` : a.name;
      const when = a.state === 'active' ? 'since' : 'cleared, was since';
      lines.push(`${a.kind.toUpperCase()} ${where}: ${a.message} (${when} ${new Date(a.since).toLocaleTimeString()})`);
    }
    return lines.join('\n');
  }
}
