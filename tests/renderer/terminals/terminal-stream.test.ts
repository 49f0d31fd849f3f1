// TerminalStream against a real WebSocketServer on loopback speaking shared/terminal.ts's stream protocol:
// replay then live output reach the terminal in order, acknowledgements follow the terminal's write
// callbacks (never the arrival of a frame), input and resizes go back, and a dropped stream reconnects
// (the replay redrawing a reset screen) until the session exits.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { TerminalStream, type TerminalStreamState } from '../../../renderer/terminals/terminal-stream.js';
import type { TerminalClientMessage, TerminalInfo, TerminalServerMessage } from '../../../shared/terminal.js';
import { TOKEN_PROTOCOL_PREFIX, WIRE_PROTOCOL } from '../../../shared/wire.js';
import { sleep, until } from '../../helpers/until.js';
import { RecordingSink, terminalInfo } from './terminal-fixtures.js';

const TOKEN = 'f00dfeed';

const info = (over: Partial<TerminalInfo> = {}): TerminalInfo => terminalInfo({ viewers: 1, ...over });

/** The daemon's side of one session's stream: records what views send, lets the test send frames. */
class FakeStreamServer {
  readonly received: TerminalClientMessage[] = [];
  readonly sockets: ServerSocket[] = [];
  readonly paths: string[] = [];
  readonly protocols: string[][] = [];
  onAttach: (ws: ServerSocket, n: number) => void = (ws) => this.control(ws, { t: 'attached', info: info() });

  private constructor(readonly wss: WebSocketServer) {
    wss.on('connection', (ws, req) => {
      this.paths.push(req.url ?? '');
      this.protocols.push(String(req.headers['sec-websocket-protocol'] ?? '').split(/,\s*/));
      this.sockets.push(ws);
      ws.on('message', (raw) => this.received.push(JSON.parse(String(raw)) as TerminalClientMessage));
      this.onAttach(ws, this.sockets.length);
    });
  }

  static async start(): Promise<FakeStreamServer> {
    // Refuses a socket without the token and the wire protocol, as the daemon's request guard does.
    const wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      handleProtocols: (p) => (p.has(WIRE_PROTOCOL) && p.has(TOKEN_PROTOCOL_PREFIX + TOKEN) ? WIRE_PROTOCOL : false),
      verifyClient: (i: { req: { headers: Record<string, unknown> } }) =>
        String(i.req.headers['sec-websocket-protocol'] ?? '').includes(TOKEN),
    });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    return new FakeStreamServer(wss);
  }

  url(id = 'term-1'): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/terminals/${id}/stream`;
  }

  control(ws: ServerSocket, msg: TerminalServerMessage): void {
    ws.send(JSON.stringify(msg));
  }

  output(ws: ServerSocket, text: string): void {
    ws.send(Buffer.from(text, 'utf8'), { binary: true });
  }

  acked(): number {
    return this.received.filter((m) => m.t === 'ack').reduce((n, m) => n + (m.t === 'ack' ? m.chars : 0), 0);
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((r) => this.wss.close(() => r()));
  }
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(options: { ackIdleMs?: number } = {}) {
  const server = await FakeStreamServer.start();
  const sink = new RecordingSink();
  const states: TerminalStreamState[] = [];
  const infos: TerminalInfo[] = [];
  const warnings: string[] = [];
  const stream = new TerminalStream({
    url: server.url(),
    protocols: () => [WIRE_PROTOCOL, TOKEN_PROTOCOL_PREFIX + TOKEN],
    sink,
    backoff: { initialMs: 20, maxMs: 50 },
    ackIdleMs: options.ackIdleMs ?? 10,
    onState: (s) => states.push(s),
    onInfo: (i) => infos.push(i),
    warn: (m) => warnings.push(m),
  });
  cleanups.push(
    () => server.close(),
    () => stream.dispose(),
  );
  return { server, sink, stream, states, infos, warnings };
}

describe('TerminalStream', () => {
  it('offers the token as a subprotocol and writes the replay, then live output, in order', async () => {
    const { server, sink, stream, states, infos } = await setup();
    server.onAttach = (ws) => {
      server.control(ws, { t: 'attached', info: info({ bytesOut: 11 }) });
      server.output(ws, 'replay 1\r\n');
      server.output(ws, 'replay 2\r\n');
      server.control(ws, { t: 'live' });
      server.output(ws, 'live!');
    };
    await until('live output', () => sink.screen.endsWith('live!'));
    expect(server.paths).toEqual(['/terminals/term-1/stream']);
    expect(server.protocols[0]).toEqual([WIRE_PROTOCOL, TOKEN_PROTOCOL_PREFIX + TOKEN]);
    expect(sink.screen).toBe('replay 1\r\nreplay 2\r\nlive!');
    expect(sink.resets).toBe(1);
    expect(states).toEqual(['replaying', 'live']);
    expect(stream.state).toBe('live');
    expect(infos.map((i) => i.bytesOut)).toEqual([11]);
    await until('all output acknowledged', () => server.acked() === sink.screen.length);
  });

  it('acknowledges only what the terminal has rendered, from its write callbacks', async () => {
    const { server, sink } = await setup();
    await until('the socket', () => server.sockets.length === 1);
    const ws = server.sockets[0]!;
    sink.hold = true;
    server.control(ws, { t: 'live' });
    for (let i = 0; i < 10; i++) server.output(ws, 'x'.repeat(1000));
    await until('the frames written', () => sink.screen.length === 10_000);
    await sleep(60); // longer than the idle flush: still nothing rendered, so nothing acknowledged
    expect(server.acked()).toBe(0);
    sink.release();
    await until('the acknowledgement', () => server.acked() === 10_000);
    // Batched: 10 callbacks of 1,000 characters make two acknowledgements of 5,000, not ten.
    expect(server.received.filter((m) => m.t === 'ack')).toEqual([
      { t: 'ack', chars: 5000 },
      { t: 'ack', chars: 5000 },
    ]);
  });

  it('flushes a partial batch when the output goes idle, counting characters as JS string length', async () => {
    const { server, sink } = await setup({ ackIdleMs: 15 });
    await until('the socket', () => server.sockets.length === 1);
    const ws = server.sockets[0]!;
    server.control(ws, { t: 'live' });
    const text = 'héllo wörld 🎉\r\n'; // 2-byte, 4-byte (a surrogate pair) characters
    server.output(ws, text);
    await until('the acknowledgement', () => server.acked() > 0);
    expect(sink.screen).toBe(text);
    expect(server.acked()).toBe(text.length);
    expect(Buffer.byteLength(text)).toBeGreaterThan(text.length);
  });

  it('sends input and the size, the size again after every attach', async () => {
    const { server, stream } = await setup();
    stream.resize(120, 40); // before the socket is open: remembered
    await until('the resize', () => server.received.some((m) => m.t === 'resize'));
    stream.input('echo hello\r');
    stream.resize(120, 40); // unchanged: not sent again
    stream.resize(100.7, 30);
    const big = 'y'.repeat(70_000);
    stream.input(big);
    await until('the input', () => server.received.filter((m) => m.t === 'input').length === 4);
    const inputs = server.received.flatMap((m) => (m.t === 'input' ? [m.data] : []));
    expect(inputs[0]).toBe('echo hello\r');
    expect(inputs.slice(1).join('')).toBe(big);
    expect(Math.max(...inputs.map((d) => d.length))).toBeLessThanOrEqual(65_536);
    expect(server.received.filter((m) => m.t === 'resize')).toEqual([
      { t: 'resize', cols: 120, rows: 40 },
      { t: 'resize', cols: 100, rows: 30 },
    ]);
  });

  it('reconnects while the session runs, resetting the screen before the replay, and stops after exit', async () => {
    const { server, sink, stream, states } = await setup();
    stream.resize(90, 20);
    server.onAttach = (ws, n) => {
      server.control(ws, { t: 'attached', info: info() });
      server.output(ws, n === 1 ? 'first screen' : 'the screen again');
      server.control(ws, { t: 'live' });
    };
    await until('the first screen', () => sink.screen === 'first screen');
    await until('the size on the first socket', () => server.received.some((m) => m.t === 'resize'));
    server.sockets[0]!.terminate();
    await until('the second attach', () => sink.screen === 'the screen again');
    expect(sink.resets).toBe(2);
    expect(states).toContain('reconnecting');
    // The new attachment is told the size too.
    await until('the size on the new socket', () => server.received.filter((m) => m.t === 'resize').length === 2);

    const exited = info({ state: 'exited', exitCode: 0, exitReason: 'exited with code 0', endedAt: 2 });
    server.control(server.sockets[1]!, { t: 'exit', info: exited });
    await until('the exit', () => stream.state === 'exited');
    expect(stream.detail).toBe('exited with code 0');
    expect(stream.info?.state).toBe('exited');
    server.sockets[1]!.close();
    await sleep(150);
    expect(server.sockets).toHaveLength(2);
    stream.input('ignored');
  });

  it('gives up on a session the daemon refuses, and ignores malformed control frames', async () => {
    const { server, stream, warnings } = await setup();
    server.onAttach = (ws) => {
      ws.send('{"t":"bogus"}');
      ws.send('not json');
      server.control(ws, { t: 'error', code: 'TERMINAL_NOT_FOUND', message: 'no terminal term-1' });
    };
    await until('the refusal', () => stream.state === 'failed');
    expect(stream.detail).toBe('no terminal term-1 (TERMINAL_NOT_FOUND)');
    expect(warnings.some((w) => w.includes('ignored a terminal control frame'))).toBe(true);
    await sleep(150);
    expect(server.sockets).toHaveLength(1);
  });

  it('reports an error frame whose code is not in the contract as such, and still gives up', async () => {
    const { server, stream, warnings } = await setup();
    server.onAttach = (ws) => ws.send(JSON.stringify({ t: 'error', code: 'TERMINAL_ON_FIRE', message: 'it burns' }));
    await until('the refusal', () => stream.state === 'failed');
    expect(stream.detail).toBe('it burns (an error code this view does not know: "TERMINAL_ON_FIRE")');
    expect(warnings).toEqual([expect.stringContaining('"TERMINAL_ON_FIRE"')]);
    await sleep(150);
    expect(server.sockets).toHaveLength(1);
  });

  it('closes its socket when disposed, without reconnecting', async () => {
    const { server, stream, states } = await setup();
    await until('the attach', () => stream.state === 'replaying');
    stream.dispose();
    await until('the server side closed', () => server.sockets[0]!.readyState === server.sockets[0]!.CLOSED);
    await sleep(100);
    expect(server.sockets).toHaveLength(1);
    expect(states.at(-1)).toBe('closed');
  });
});
