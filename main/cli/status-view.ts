// Renders services for `devmesh status`: the table (SERVICE VERSION STATE PORT PID UPTIME RESTARTS) and,
// under it, why any crashed or unhealthy service is in that state.
import { RUNNING_STATES, type ServiceInfo } from '../../shared/service.js';
import { TextTable } from './text-table.js';

const NEEDS_REASON = new Set(['crashed', 'unhealthy', 'backing-off']);

export class StatusView {
  constructor(private readonly now: number = Date.now()) {}

  render(services: readonly ServiceInfo[]): string {
    const table = new TextTable(['SERVICE', 'VERSION', 'STATE', 'PORT', 'PID', 'UPTIME', 'RESTARTS']);
    for (const s of services) {
      const running = RUNNING_STATES.includes(s.state) && s.startedAt !== null;
      table.add([s.name, s.version, s.state, s.port, running ? s.pid : null, running ? StatusView.uptime(this.now - s.startedAt!) : null, s.restarts]);
    }
    const reasons = services
      .filter((s) => NEEDS_REASON.has(s.state) && s.reason)
      .map((s) => `${s.name} is ${s.state}: ${s.reason}`);
    return [table.render(), ...(reasons.length ? ['', ...reasons] : [])].join('\n');
  }

  /** 5s, 3m12s, 2h4m, 3d2h */
  static uptime(ms: number): string {
    const s = Math.max(0, Math.floor(ms / 1000));
    if (s < 60) return `${s}s`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m}m${s % 60}s`;
    const h = Math.floor(m / 60);
    if (h < 24) return `${h}h${m % 60}m`;
    return `${Math.floor(h / 24)}d${h % 24}h`;
  }
}
