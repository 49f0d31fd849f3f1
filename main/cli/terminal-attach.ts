// `devmesh term attach <id>`: your own terminal as a view of a DevMesh session. Raw mode in, the session's
// stream out (the current screen first, then live output), acknowledged as stdout takes it, so a flood
// in the session pauses its PTY instead of piling up here. Ctrl-] detaches; the session keeps running.
import WebSocket from 'ws';
import { DevMeshError } from '../../shared/errors.js';
import { TerminalServerMessageSchema, terminalStreamPath, type TerminalClientMessage } from '../../shared/terminal.js';
import { TOKEN_PROTOCOL_PREFIX, WIRE_PROTOCOL } from '../../shared/wire.js';
import { DevMeshHome } from '../core/home/devmesh-home.js';
import { EXIT } from './cli-command.js';
import type { CliContext } from './cli-context.js';

/** Ctrl-] (GS), as telnet and docker attach use it */
export const DETACH_BYTE = 0x1d;
/** acknowledge in batches: a round trip per write would halve the throughput */
const ACK_EVERY_CHARS = 16_384;

/** This terminal's size, for a new session (80×24 when stdout is not a terminal). */
export function size(): { cols: number; rows: number } {
  return { cols: process.stdout.columns || 80, rows: process.stdout.rows || 24 };
}

export function run(ctx: CliContext, id: string): Promise<number> {
  const record = ctx.home.readDaemonRecord();
  const token = ctx.home.readToken();
  if (record === null || !DevMeshHome.isAlive(record.pid) || token === null) {
    throw new DevMeshError('DAEMON_NOT_RUNNING', 'DevMesh is not running: start it with `devmesh up`');
  }
  const url = `ws://127.0.0.1:${record.port}${terminalStreamPath(id)}`;
  const ws = new WebSocket(url, [WIRE_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`], {
    perMessageDeflate: false,
    handshakeTimeout: 5000,
  });
  const stdin = process.stdin;
  const raw = stdin.isTTY === true;
  let unacked = 0;
  let ackTimer: NodeJS.Timeout | null = null;
  let code: number = EXIT.ok;
  const send = (m: TerminalClientMessage): void => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(m));
  };
  const flushAck = (): void => {
    if (unacked > 0) send({ t: 'ack', chars: unacked });
    unacked = 0;
  };
  const onInput = (chunk: Buffer): void => {
    const at = chunk.indexOf(DETACH_BYTE);
    if (at >= 0) {
      if (at > 0) send({ t: 'input', data: chunk.subarray(0, at).toString('utf8') });
      ctx.warn('\r\n[detached: the session keeps running; `devmesh term attach` to come back]');
      ws.close(1000, 'detached');
      return;
    }
    send({ t: 'input', data: chunk.toString('utf8') });
  };
  const onResize = (): void => send({ t: 'resize', ...size() });
  return new Promise((resolve) => {
    const cleanup = (): void => {
      if (ackTimer !== null) clearTimeout(ackTimer);
      stdin.off('data', onInput);
      process.stdout.off('resize', onResize);
      if (raw) stdin.setRawMode(false);
      stdin.pause();
      resolve(code);
    };
    ws.on('unexpected-response', (_req, res) => {
      ctx.warn(
        `devmesh: the session stream refused the connection (HTTP ${res.statusCode}); is '${id}' a session of \`devmesh term ls\`?`,
      );
      code = EXIT.error;
    });
    ws.on('error', (err) => {
      ctx.warn(`devmesh: the session stream failed: ${err.message}`);
      code = EXIT.error;
    });
    ws.on('close', (closeCode, reason) => {
      if (closeCode !== 1000 && closeCode !== 1005 && reason.length > 0) {
        ctx.warn(`devmesh: ${reason.toString()}`);
        code = EXIT.error;
      }
      cleanup();
    });
    ws.on('open', () => {
      if (raw) stdin.setRawMode(true);
      stdin.on('data', onInput);
      stdin.resume();
      process.stdout.on('resize', onResize);
      onResize();
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        const text = (data as Buffer).toString('utf8');
        // Acknowledged once stdout has taken it: a slow terminal holds the session back, not this process.
        process.stdout.write(text, () => {
          unacked += text.length;
          if (unacked >= ACK_EVERY_CHARS) flushAck();
          // The rest soon: a paused session waits for these to resume.
          else
            ackTimer ??= setTimeout(() => {
              ackTimer = null;
              flushAck();
            }, 10);
        });
        return;
      }
      let parsed;
      try {
        parsed = TerminalServerMessageSchema.safeParse(JSON.parse((data as Buffer).toString('utf8')));
      } catch {
        return;
      }
      if (!parsed.success) return;
      const m = parsed.data;
      if (m.t === 'attached') ctx.warn(`[attached to ${m.info.name} (${m.info.id}); Ctrl-] detaches]`);
      else if (m.t === 'exit') {
        ctx.warn(`\r\n[${m.info.name} ${m.info.exitReason ?? 'exited'}]`);
        code = m.info.exitCode ?? EXIT.ok;
        ws.close(1000, 'exited');
      } else if (m.t === 'error') ctx.warn(`\r\ndevmesh: ${m.message}`);
    });
  });
}
