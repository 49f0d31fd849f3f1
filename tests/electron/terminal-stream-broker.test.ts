// The app's dedicated terminal channel with a real TerminalManager and real PTYs: a view asks over IPC, gets a
// MessagePort of its own (fake MessageChannelMain over node's MessageChannel) and hears attached → replay →
// live → output; its acks release a paused `yes` flood; input and resizes reach the session; closing the port,
// reloading the page or closing the window detaches the view; a foreign sender gets no port.
import type { MessagePort } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron.js'));

import { FakeFrame, FakeWebContents, ipcMain, resetFake, type FakeMessagePortMain } from './fake-electron.js';
import { TerminalStreamBroker } from '../../main/electron/terminal-stream-broker.js';
import { IPC_TERMINAL_OPEN, IPC_TERMINAL_PORT, TERMINAL_PORT_MESSAGE } from '../../shared/bridge.js';
import type { TerminalServerMessage } from '../../shared/terminal.js';
import { PROMPT, TerminalHarness, waitFor } from '../core/terminals/terminal-harness.js';
import { until } from '../helpers/until.js';

const APP_URL = 'file:///app/renderer/index.html';

/** The page's end of one stream: records control messages and output in order, sends JSON strings. */
class ViewPort {
  readonly control: TerminalServerMessage[] = [];
  /** 'replay' / 'live' output, as the page would decode it */
  replay = '';
  output = '';
  order: string[] = [];
  closed = false;
  private readonly decoder = new TextDecoder();
  private live = false;

  constructor(readonly port: MessagePort) {
    port.on('message', (data: unknown) => {
      if (typeof data === 'string') {
        const msg = JSON.parse(data) as TerminalServerMessage;
        this.control.push(msg);
        this.order.push(msg.t);
        if (msg.t === 'live') this.live = true;
        return;
      }
      expect(data).toBeInstanceOf(Uint8Array);
      const text = this.decoder.decode(data as Uint8Array, { stream: true });
      if (this.order.at(-1) !== 'output') this.order.push('output');
      if (this.live) this.output += text;
      else this.replay += text;
    });
    port.on('close', () => (this.closed = true));
  }

  send(msg: unknown): void {
    this.port.postMessage(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  get text(): string {
    return this.replay + this.output;
  }

  close(): void {
    this.port.close();
  }
}

let harness: TerminalHarness;
let contents: FakeWebContents;
let broker: TerminalStreamBroker;
const views: ViewPort[] = [];

beforeEach(() => {
  resetFake();
  harness = new TerminalHarness();
  contents = new FakeWebContents();
  contents.mainFrame = new FakeFrame(APP_URL);
  broker = new TerminalStreamBroker(
    harness.manager,
    { webContents: contents as never, isAppUrl: (url) => url === APP_URL },
    { debug: () => {} },
  );
});

afterEach(async () => {
  for (const v of views.splice(0)) v.close();
  broker.dispose();
  await harness.dispose();
});

async function open(
  id: string,
  streamId = 1,
  from: { sender: FakeWebContents; senderFrame?: FakeFrame | null } = { sender: contents },
): Promise<ViewPort> {
  const before = from.sender.posted.length;
  const result = await ipcMain.invoke(IPC_TERMINAL_OPEN, from, streamId, id);
  expect(result).toEqual({ ok: true, value: { streamId } });
  const posted = from.sender.posted.slice(before);
  expect(posted).toHaveLength(1);
  expect(posted[0]!.channel).toBe(IPC_TERMINAL_PORT);
  expect(posted[0]!.message).toEqual({ type: TERMINAL_PORT_MESSAGE, streamId });
  const view = new ViewPort((posted[0]!.transfer[0] as FakeMessagePortMain).raw);
  views.push(view);
  return view;
}

describe('TerminalStreamBroker', () => {
  it('sends attached, the replay, live, then live output over the port; input and resize reach the session', async () => {
    const { terminal } = await harness.promptedBash();
    const view = await open(terminal.id);
    await until('live', () => view.order.includes('live'));
    expect(view.order.slice(0, 3)).toEqual(['attached', 'output', 'live']);
    expect(view.control[0]).toMatchObject({ t: 'attached', info: { id: terminal.id, state: 'running' } });
    expect(view.replay).toContain(PROMPT); // the screen drawn before the view attached
    view.send({ t: 'input', data: 'echo hi-$((40+2))\r' });
    await until('the echo', () => view.output.includes('hi-42'));
    view.send({ t: 'resize', cols: 101, rows: 33 });
    await waitFor(() => harness.manager.get(terminal.id).info().cols === 101);
    view.send({ t: 'input', data: 'stty size\r' });
    await until('the size seen by the child', () => /\r33 101\r\n/.test(view.output));
    expect(harness.manager.get(terminal.id).info().viewers).toBe(2); // the harness's viewer and the port
  });

  it("pauses a `yes` flood the view does not acknowledge, and resumes on the view's acks", async () => {
    const terminal = harness.create({ command: 'yes', args: [], record: false });
    const view = await open(terminal.id);
    const session = harness.manager.get(terminal.id);
    await waitFor(
      () => session.info().paused,
      5000,
      () => `a pause (${view.text.length} chars received)`,
    );
    const atPause = view.text.length;
    await new Promise((r) => setTimeout(r, 100));
    // paused: at most what was already batched arrives
    expect(view.text.length - atPause).toBeLessThan(200_000);
    // Like xterm.js, the view acknowledges what it has rendered, including batches still in flight at the pause
    // (on a loaded machine they arrive late; one ack sent before them would leave the session above low water).
    let acked = 0;
    const ackReceived = (): void => {
      const chars = view.text.length - acked;
      if (chars > 0) view.send({ t: 'ack', chars });
      acked += chars;
    };
    await waitFor(
      () => {
        ackReceived();
        return !session.info().paused || view.text.length > atPause + 200_000;
      },
      5000,
      () => `a resume (${acked} of ${view.text.length} chars acknowledged)`,
    );
    await until('more output after the ack', () => view.text.length > atPause + 50_000);
  });

  it('answers a bad message with an error and keeps the stream', async () => {
    const { terminal } = await harness.promptedBash();
    const view = await open(terminal.id);
    await until('live', () => view.order.includes('live'));
    view.send('not json');
    view.send({ t: 'input', data: 7 });
    view.port.postMessage(new Uint8Array([1, 2, 3]));
    view.port.postMessage({ t: 'input', data: 'x' });
    await until('four errors', () => view.control.filter((m) => m.t === 'error').length === 4);
    expect(view.control.filter((m) => m.t === 'error').map((m) => (m.t === 'error' ? m.code : ''))).toEqual([
      'BAD_REQUEST',
      'BAD_REQUEST',
      'BAD_REQUEST',
      'BAD_REQUEST',
    ]);
    view.send({ t: 'input', data: 'echo still-$((1+1))\r' });
    await until('the stream still works', () => view.output.includes('still-2'));
  });

  it('detaches the viewer when the page closes its port', async () => {
    const { terminal } = await harness.promptedBash();
    const view = await open(terminal.id);
    await until('live', () => view.order.includes('live'));
    expect(broker.streamCount(contents as never)).toBe(1);
    expect(harness.manager.get(terminal.id).info().viewers).toBe(2);
    view.close();
    await waitFor(
      () => harness.manager.get(terminal.id).info().viewers === 1,
      3000,
      () => 'the detach',
    );
    expect(broker.streamCount(contents as never)).toBe(0);
  });

  it('closes every stream of a page that reloads, and of a window that goes', async () => {
    const { terminal } = await harness.promptedBash();
    const a = await open(terminal.id, 1);
    const b = await open(terminal.id, 2);
    await until('both live', () => a.order.includes('live') && b.order.includes('live'));
    contents.reload();
    await until('both ports closed', () => a.closed && b.closed);
    expect(harness.manager.get(terminal.id).info().viewers).toBe(1);
    const c = await open(terminal.id, 3);
    await until('live again', () => c.order.includes('live'));
    contents.destroy();
    await until('the port closed with the window', () => c.closed);
    expect(harness.manager.get(terminal.id).info().viewers).toBe(1);
    expect(broker.streamCount(contents as never)).toBe(0);
  });

  it('closes the streams of a page whose renderer process dies, before any reload', async () => {
    const { terminal } = await harness.promptedBash();
    const view = await open(terminal.id, 1);
    await until('live', () => view.order.includes('live'));
    contents.crash('oom', -1);
    await until('the port closed with the renderer', () => view.closed);
    expect(broker.streamCount(contents as never)).toBe(0);
    expect(harness.manager.get(terminal.id).info().viewers).toBe(1);
  });

  it('sends exit and closes the port when the terminal ends; an unknown id gets an error and a closed port', async () => {
    const terminal = harness.create({ command: '/bin/sh', args: ['-c', 'echo bye; exit 3'], record: false });
    const view = await open(terminal.id);
    await until('exit', () => view.control.some((m) => m.t === 'exit'));
    expect(view.control.find((m) => m.t === 'exit')).toMatchObject({ info: { exitCode: 3 } });
    expect(view.text).toContain('bye');
    await until('the port closed', () => view.closed);

    const unknown = await open('t-000000000000', 2);
    await until('the refusal', () => unknown.closed);
    expect(unknown.control).toEqual([
      { t: 'error', code: 'TERMINAL_NOT_FOUND', message: expect.stringContaining("no terminal 't-000000000000'") },
    ]);
  });

  it('refuses a foreign webContents, a sub-frame, a foreign page and bad arguments, and sends them no port', async () => {
    const { terminal } = await harness.promptedBash();
    const foreign = new FakeWebContents();
    foreign.mainFrame = new FakeFrame(APP_URL);
    const sub = new FakeFrame(APP_URL);
    sub.parent = contents.mainFrame;
    const refusals = [
      await ipcMain.invoke(IPC_TERMINAL_OPEN, { sender: foreign }, 1, terminal.id),
      await ipcMain.invoke(IPC_TERMINAL_OPEN, { sender: contents, senderFrame: sub }, 1, terminal.id),
      await ipcMain.invoke(
        IPC_TERMINAL_OPEN,
        { sender: contents, senderFrame: new FakeFrame('https://evil.example/') },
        1,
        terminal.id,
      ),
      await ipcMain.invoke(IPC_TERMINAL_OPEN, { sender: contents, senderFrame: null }, 1, terminal.id),
    ];
    for (const r of refusals) expect(r).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_ORIGIN' } });
    expect(await ipcMain.invoke(IPC_TERMINAL_OPEN, { sender: contents }, -1, terminal.id)).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(await ipcMain.invoke(IPC_TERMINAL_OPEN, { sender: contents }, 1, '../etc')).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(foreign.posted).toEqual([]);
    expect(contents.posted).toEqual([]);
    expect(harness.manager.get(terminal.id).info().viewers).toBe(1);
  });

  it('stops answering once disposed', async () => {
    broker.dispose();
    await expect(ipcMain.invoke(IPC_TERMINAL_OPEN, { sender: contents }, 1, 't-x')).rejects.toThrow(/No handler/);
    broker = new TerminalStreamBroker(
      harness.manager,
      { webContents: contents as never, isAppUrl: () => true },
      { debug: () => {} },
    );
  });
});
