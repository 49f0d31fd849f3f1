// The IPC router answers only the DevMesh window's own page, passes input to the real DevMeshApi (which
// rejects bad input), and streams events to the page that asked, until it goes away.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron.js'));

import { BrowserWindow, FakeFrame, FakeWebContents, ipcMain, resetFake } from './fake-electron.js';
import { FakeCore } from './fake-core.js';
import { IpcRouter } from '../../main/electron/ipc-router.js';
import { MainWindow } from '../../main/electron/main-window.js';
import { API_METHODS } from '../../shared/api.js';
import { IPC_STREAM, IPC_SUBSCRIBE, IPC_UNSUBSCRIBE, ipcCallChannel } from '../../shared/bridge.js';

const INDEX_HTML = '/opt/DevMesh/dist/renderer/index.html';
/** what the window shows: its page on the app's own scheme */
const APP_PAGE = 'app://devmesh/index.html';

let core: FakeCore;
let window: MainWindow;
let router: IpcRouter;
let contents: FakeWebContents;

beforeEach(() => {
  resetFake();
  core = new FakeCore();
  core.openProject();
  window = new MainWindow({ preloadPath: '/opt/DevMesh/dist/preload/preload.js', indexHtmlPath: INDEX_HTML });
  window.focus();
  contents = BrowserWindow.instances[0]!.webContents;
  router = new IpcRouter(core.api(), window);
});
afterEach(() => router.dispose());

const fromApp = () => ({ sender: contents });

describe('IpcRouter', () => {
  it('registers one handler per API method on its own channel, plus the stream channels', () => {
    for (const m of API_METHODS) expect(ipcMain.handlers.has(ipcCallChannel(m)), m).toBe(true);
    expect(ipcMain.handlers.has(IPC_SUBSCRIBE)).toBe(true);
    expect(ipcMain.handlers.has(IPC_UNSUBSCRIBE)).toBe(true);
    expect(ipcMain.handlers.size).toBe(API_METHODS.length + 2);
  });

  it('answers the app page through the API', async () => {
    const result = await ipcMain.invoke(ipcCallChannel('services.list'), fromApp(), {});
    expect(result.ok).toBe(true);
    expect(result.value.map((s: { name: string }) => s.name)).toEqual(['api', 'web']);
    const started = await ipcMain.invoke(ipcCallChannel('services.start'), fromApp(), { name: 'web' });
    expect(started).toMatchObject({ ok: true, value: { name: 'web', state: 'healthy' } });
  });

  it('refuses a frame showing a foreign page, a sub-frame, another webContents and a vanished frame', async () => {
    const channel = ipcCallChannel('services.stopAll');
    const foreign = await ipcMain.invoke(
      channel,
      { sender: contents, senderFrame: new FakeFrame('https://evil.example/') },
      {},
    );
    const sub = new FakeFrame(APP_PAGE);
    sub.parent = contents.mainFrame;
    const subFrame = await ipcMain.invoke(channel, { sender: contents, senderFrame: sub }, {});
    const other = new FakeWebContents();
    other.mainFrame = new FakeFrame(APP_PAGE);
    const otherContents = await ipcMain.invoke(channel, { sender: other }, {});
    const gone = await ipcMain.invoke(channel, { sender: contents, senderFrame: null }, {});
    // the app's own file, but over file:// (any local file could be that): only the app:// page is trusted
    const fileUrl = await ipcMain.invoke(
      channel,
      { sender: contents, senderFrame: new FakeFrame(`file://${INDEX_HTML}`) },
      {},
    );
    const otherHost = await ipcMain.invoke(
      channel,
      { sender: contents, senderFrame: new FakeFrame('app://evil/index.html') },
      {},
    );
    for (const r of [foreign, subFrame, otherContents, gone, fileUrl, otherHost]) {
      expect(r).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_ORIGIN' } });
    }
    expect(core.calls).not.toContain('stopAll');
  });

  it('refuses everything once the window is closed', async () => {
    BrowserWindow.instances[0]!.close();
    const r = await ipcMain.invoke(
      ipcCallChannel('daemon.info'),
      { sender: contents, senderFrame: new FakeFrame(APP_PAGE) },
      {},
    );
    expect(r).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_ORIGIN' } });
  });

  it('answers bad input with BAD_REQUEST from the schema, before the core sees it', async () => {
    const noName = await ipcMain.invoke(ipcCallChannel('services.start'), fromApp(), { wait: true });
    expect(noName).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(noName.error.message).toContain('name');
    const extra = await ipcMain.invoke(ipcCallChannel('services.stop'), fromApp(), { name: 'web', rm: '-rf' });
    expect(extra).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    const notObject = await ipcMain.invoke(ipcCallChannel('projects.open'), fromApp(), 'root');
    expect(notObject).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(core.calls.filter((c) => c.startsWith('start') || c.startsWith('stop'))).toEqual([]);
  });

  it('streams events to the webContents that subscribed, by its subscription id', async () => {
    const other = new FakeWebContents();
    const sub = await ipcMain.invoke(IPC_SUBSCRIBE, fromApp(), 7, 'events', {});
    expect(sub).toEqual({ ok: true, value: { subId: 7 } });
    core.setState('web', 'crashed', 'exit code 1');
    const items = contents.sent.filter((m) => m.channel === IPC_STREAM);
    expect(items).toHaveLength(1);
    expect(items[0]!.args[0]).toBe(7);
    expect(items[0]!.args[1]).toMatchObject({ type: 'service.state', service: 'web', to: 'crashed' });
    expect(other.sent).toHaveLength(0);
  });

  it('streams log lines of the named service only, and rejects a bad topic or params', async () => {
    await ipcMain.invoke(IPC_SUBSCRIBE, fromApp(), 1, 'logs', { name: 'api' });
    core.events.log({ seq: 1, project: 'shop', service: 'api', stream: 'stdout', ts: 1, text: 'listening' });
    core.events.log({ seq: 2, project: 'shop', service: 'web', stream: 'stdout', ts: 1, text: 'other' });
    expect(contents.sent.map((m) => (m.args[1] as { text: string }).text)).toEqual(['listening']);
    expect(await ipcMain.invoke(IPC_SUBSCRIBE, fromApp(), 2, 'shell', {})).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_METHOD' },
    });
    expect(await ipcMain.invoke(IPC_SUBSCRIBE, fromApp(), 3, 'logs', { name: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'SERVICE_NOT_FOUND' },
    });
    expect(await ipcMain.invoke(IPC_SUBSCRIBE, fromApp(), -1, 'events', {})).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(router.streamCount(contents as never)).toBe(1);
  });

  it('refuses subscriptions from a foreign frame', async () => {
    const r = await ipcMain.invoke(
      IPC_SUBSCRIBE,
      { sender: contents, senderFrame: new FakeFrame('https://evil.example/') },
      1,
      'events',
      {},
    );
    expect(r).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_ORIGIN' } });
    expect(core.listenerCount()).toBe(0);
  });

  it('stops a stream on unsubscribe', async () => {
    await ipcMain.invoke(IPC_SUBSCRIBE, fromApp(), 1, 'events', {});
    expect(await ipcMain.invoke(IPC_UNSUBSCRIBE, fromApp(), 1)).toEqual({ ok: true, value: { closed: true } });
    core.setState('web', 'healthy');
    expect(contents.sent).toHaveLength(0);
    expect(core.listenerCount()).toBe(0);
  });

  it('releases every stream of a webContents when it is destroyed', async () => {
    await ipcMain.invoke(IPC_SUBSCRIBE, fromApp(), 1, 'events', {});
    await ipcMain.invoke(IPC_SUBSCRIBE, fromApp(), 2, 'logs', {});
    expect(core.listenerCount()).toBe(2);
    BrowserWindow.instances[0]!.close();
    expect(core.listenerCount()).toBe(0);
    expect(() => core.setState('web', 'healthy')).not.toThrow();
  });

  it('releases the old page streams when the page reloads, so the new page starts clean', async () => {
    await ipcMain.invoke(IPC_SUBSCRIBE, fromApp(), 1, 'events', {});
    contents.reload();
    expect(core.listenerCount()).toBe(0);
    await ipcMain.invoke(IPC_SUBSCRIBE, fromApp(), 1, 'events', {});
    core.setState('api', 'healthy');
    expect(contents.sent).toHaveLength(1);
  });

  it("releases a page's streams when its renderer process dies, before any reload", async () => {
    router.dispose();
    const bare = new FakeWebContents(); // no renderer recovery: nothing reloads it
    router = new IpcRouter(core.api(), { webContents: bare as never, isAppUrl: () => true });
    await ipcMain.invoke(IPC_SUBSCRIBE, { sender: bare }, 1, 'events', {});
    expect(core.listenerCount()).toBe(1);
    bare.crash('oom', -1);
    expect(core.listenerCount()).toBe(0);
    core.setState('api', 'healthy');
    expect(bare.sent).toEqual([]);
  });

  it('dispose() removes every handler and stream', async () => {
    await ipcMain.invoke(IPC_SUBSCRIBE, fromApp(), 1, 'events', {});
    router.dispose();
    expect(ipcMain.handlers.size).toBe(0);
    expect(core.listenerCount()).toBe(0);
  });
});
