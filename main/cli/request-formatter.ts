// One proxied request as the CLI prints it:
// `HH:MM:SS.mmm STATUS METHOD host/path bytes duration upstream|error`, the status coloured by class on a TTY.
import type { RequestRecord } from '../../shared/proxy.js';
import { LogFormatter } from './log-formatter.js';

const RESET = '\u001b[0m';
const COLORS = { ok: '\u001b[32m', redirect: '\u001b[36m', client: '\u001b[33m', server: '\u001b[31m' } as const;

export class RequestFormatter {
  constructor(private readonly deps: { color: boolean } = { color: false }) {}

  format(r: RequestRecord): string {
    const p = RequestFormatter.printable;
    const target = p(`${r.host}${r.path.startsWith('/') ? '' : '/'}${r.path}`);
    const tail = r.error !== null ? `error: ${p(r.error)}` : p(r.upstream ?? '-');
    const marks = [r.websocket ? 'ws' : null, r.tls ? 'tls' : null].filter(Boolean).join(',');
    const bytes = RequestFormatter.bytes(r.bytesOut);
    const took = RequestFormatter.duration(r.durationMs);
    return `${LogFormatter.clock(r.ts)} ${this.status(r.status)} ${p(r.method).padEnd(6)} ${target} ${bytes} ${took} ${tail}${marks ? ` [${marks}]` : ''}`;
  }

  /** 512B, 1.2kB, 34kB, 5.6MB */
  static bytes(n: number): string {
    if (n < 1000) return `${n}B`;
    const units = ['kB', 'MB', 'GB', 'TB'];
    let v = n / 1000;
    let u = 0;
    while (v >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    return `${v < 10 ? v.toFixed(1) : Math.round(v)}${units[u]}`;
  }

  /** 0.42ms, 8.1ms, 37ms, 1.2s */
  static duration(ms: number): string {
    if (ms < 1) return `${ms.toFixed(2)}ms`;
    if (ms < 10) return `${ms.toFixed(1)}ms`;
    if (ms < 1000) return `${Math.round(ms)}ms`;
    return `${(ms / 1000).toFixed(1)}s`;
  }

  private status(code: number): string {
    const text = String(code);
    if (!this.deps.color) return text;
    const color = code >= 500 ? COLORS.server : code >= 400 ? COLORS.client : code >= 300 ? COLORS.redirect : COLORS.ok;
    return `${color}${text}${RESET}`;
  }

  // Methods, hosts and paths come from clients: printed raw, control characters (escapes included) could
  // rewrite the user's screen.
  private static printable(text: string): string {
    // eslint-disable-next-line no-control-regex -- replaces control characters on purpose
    return text.replace(/[\u0000-\u001f\u007f]/g, '\uFFFD');
  }
}
