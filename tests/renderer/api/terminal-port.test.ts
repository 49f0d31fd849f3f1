// The Electron app's terminal transport in the page, with real MessageChannels: the preload's window message
// carries the port into TerminalPortInbox (only messages this window posted to itself), and TerminalStream
// speaks the stream protocol over it through PortTerminalConnector: replay then live output reach the terminal,
// acks follow the write callbacks, input and resizes go back as JSON strings, a refused open retries, the end
// of the session stops it, and disposing the view closes its port (which detaches it in main).
import { MessageChannel, type MessagePort as NodePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { PortTerminalConnector } from '../../../renderer/api/port-terminal-connector.js';
import { TerminalPortInbox } from '../../../renderer/api/terminal-port-inbox.js';
import { TerminalStream, type TerminalStreamState } from '../../../renderer/terminals/terminal-stream.js';
import { TERMINAL_PORT_MESSAGE, type DevMeshBridge } from '../../../shared/bridge.js';
import type { Result } from '../../../shared/errors.js';
import type { TerminalClientMessage, TerminalInfo, TerminalServerMessage } from '../../../shared/terminal.js';
import { sleep, until } from '../../helpers/until.js';
import { RecordingSink, terminalInfo } from '../terminals/terminal-fixtures.js';

const info = (over: Partial<TerminalInfo> = {}): TerminalInfo => terminalInfo({ viewers: 1, ...over });

/** The page's window as far as the inbox and the preload use it: postMessage to itself, with ports. */
class FakeWindow extends EventTarget {
  postMessage(data: unknown, _origin: string, transfer: unknown[] = [], source: unknown = this): void {
    const ev = Object.assign(new Event('message'), { data, source, ports: transfer });
    setTimeout(() => this.dispatchEvent(ev), 0);
  }
}

/** Main's side: for each open, a channel whose port2 the "preload" posts to the page; records what views send. */
class FakeMain {
  readonly ports: NodePort[] = [];
  readonly received: TerminalClientMessage[][] = [];
  readonly closed: boolean[] = [];
  refuse = 0;
  onOpen: (n: number) => void = (n) => this.control(n, { t: 'attached', info: info() });
  private nextStreamId = 1;

  constructor(private readonly win: FakeWindow) {}

  readonly bridge: Pick<DevMeshBridge, 'openTerminalStream'> = {
    openTerminalStream: async (id: string): Promise<Result<{ streamId: number }>> => {
      expect(id).toBe('term-1');
      if (this.refuse > 0) {
        this.refuse--;
        return { ok: false, error: { code: 'FORBIDDEN_ORIGIN', message: 'IPC refused: test' } };
      }
      const streamId = this.nextStreamId++;
      const { port1, port2 } = new MessageChannel();
      const n = this.ports.push(port1) - 1;
      this.received.push([]);
      this.closed.push(false);
      port1.on('message', (raw: unknown) => {
        expect(typeof raw).toBe('string');
        this.received[n]!.push(JSON.parse(raw as string) as TerminalClientMessage);
      });
      port1.on('close', () => (this.closed[n] = true));
      // as Electron does: the port is posted before the invoke answers
      this.win.postMessage({ type: TERMINAL_PORT_MESSAGE, streamId }, '*', [port2]);
      this.onOpen(n);
      return { ok: true, value: { streamId } };
    },
  };

  control(n: number, msg: TerminalServerMessage): void {
    this.ports[n]!.postMessage(JSON.stringify(msg));
  }

  output(n: number, text: string): void {
    this.ports[n]!.postMessage(new TextEncoder().encode(text));
  }

  acked(n = 0): number {
    return this.received[n]!.reduce((sum, m) => sum + (m.t === 'ack' ? m.chars : 0), 0);
  }
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** `prepare` runs before the stream opens (it asks main at once). */
function setup(prepare: (main: FakeMain) => void = () => {}) {
  const win = new FakeWindow();
  const main = new FakeMain(win);
  prepare(main);
  const inbox = new TerminalPortInbox(win as unknown as Window);
  const sink = new RecordingSink(queueMicrotask);
  const states: TerminalStreamState[] = [];
  const warnings: string[] = [];
  const stream = new TerminalStream({
    connector: new PortTerminalConnector(main.bridge, inbox, 'term-1'),
    sink,
    backoff: { initialMs: 20, maxMs: 50 },
    ackIdleMs: 10,
    onState: (s) => states.push(s),
    warn: (m) => warnings.push(m),
  });
  cleanups.push(
    () => inbox.dispose(),
    () => stream.dispose(),
    () => main.ports.forEach((p) => p.close()),
  );
  return { win, main, inbox, sink, stream, states, warnings };
}

describe('the MessagePort terminal transport', () => {
  it('writes the replay, then live output, in order, and acknowledges from the write callbacks', async () => {
    const { main, sink, stream, states } = setup((m) => {
      m.onOpen = (n) => {
        m.control(n, { t: 'attached', info: info() });
        m.output(n, 'screen ');
        m.control(n, { t: 'live' });
        m.output(n, 'caf\u00e9 ');
      };
    });
    await until('live', () => stream.state === 'live');
    main.output(0, '\u{1F600}done');
    await until('the output', () => sink.screen === 'screen caf\u00e9 \u{1F600}done');
    expect(states).toEqual(['replaying', 'live']);
    await until('the ack', () => main.acked() === 'screen caf\u00e9 \u{1F600}done'.length);

    sink.hold = true;
    main.output(0, 'x'.repeat(6000));
    await until('written', () => sink.screen.endsWith('x'.repeat(6000)));
    await sleep(40);
    const before = main.acked();
    expect(before).toBe('screen caf\u00e9 \u{1F600}done'.length); // not rendered yet: not acknowledged
    sink.release();
    await until('the ack of the rendered batch', () => main.acked() === before + 6000);
  });

  it('sends input and the size as JSON strings over the port', async () => {
    const { main, stream } = setup();
    stream.resize(120, 40);
    await until('replaying', () => stream.state === 'replaying');
    stream.input('ls\r');
    stream.resize(100, 30);
    await until('both', () => main.received[0]!.length >= 3);
    expect(main.received[0]).toEqual([
      { t: 'resize', cols: 120, rows: 40 },
      { t: 'input', data: 'ls\r' },
      { t: 'resize', cols: 100, rows: 30 },
    ]);
  });

  it('retries a refused open, stops at the exit, and ignores a port closed after it', async () => {
    const { main, stream, states } = setup((m) => (m.refuse = 1));
    await until('replaying', () => stream.state === 'replaying');
    expect(states).toContain('reconnecting');
    main.control(0, { t: 'exit', info: info({ state: 'exited', exitCode: 0, exitReason: 'exited with code 0' }) });
    await until('exited', () => stream.state === 'exited');
    main.ports[0]!.close();
    await sleep(60);
    expect(stream.state).toBe('exited');
    expect(main.ports).toHaveLength(1);
  });

  it('reconnects when main closes the port of a running session, and fails on an error', async () => {
    const { main, stream, sink } = setup();
    await until('replaying', () => stream.state === 'replaying');
    main.ports[0]!.close();
    await until('a second port', () => main.ports.length === 2 && stream.state === 'replaying');
    expect(sink.resets).toBe(2);
    main.control(1, { t: 'error', code: 'TERMINAL_NOT_FOUND', message: "no terminal 'term-1'" });
    await until('failed', () => stream.state === 'failed');
    await until('the port closed by the view', () => main.closed[1]);
  });

  it('closes its port when disposed', async () => {
    const { main, stream } = setup();
    await until('replaying', () => stream.state === 'replaying');
    stream.dispose();
    await until('the port closed', () => main.closed[0]);
    expect(stream.state).toBe('closed');
  });
});

describe('TerminalPortInbox', () => {
  it('takes only ports this window posted to itself, keeps an early one, and closes an abandoned one', async () => {
    const win = new FakeWindow();
    const inbox = new TerminalPortInbox(win as unknown as Window);
    cleanups.push(() => inbox.dispose());
    const a = new MessageChannel();
    win.postMessage({ type: TERMINAL_PORT_MESSAGE, streamId: 1 }, '*', [a.port2], { other: 'window' });
    win.postMessage({ type: 'something-else', streamId: 1 }, '*', [a.port2]);
    await expect(inbox.take(1, 50)).rejects.toThrow(/did not arrive/);
    // an early port waits for its claimant
    win.postMessage({ type: TERMINAL_PORT_MESSAGE, streamId: 2 }, '*', [a.port2]);
    await sleep(10);
    await expect(inbox.take(2, 50)).resolves.toBe(a.port2);
    // a port whose claimant gave up is closed when it arrives
    const b = new MessageChannel();
    let closed = false;
    b.port1.on('close', () => (closed = true));
    await expect(inbox.take(3, 10)).rejects.toThrow();
    win.postMessage({ type: TERMINAL_PORT_MESSAGE, streamId: 3 }, '*', [b.port2]);
    await until('the abandoned port closed', () => closed);
    a.port1.close();
  });
});
