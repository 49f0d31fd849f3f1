// The tray lists each service with its version and state, and a click starts or stops it through the API.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron.js'));

import type { FakeMenu } from './fake-electron.js';
import { resetFake, Tray } from './fake-electron.js';
import { FakeCore } from './fake-core.js';
import { TrayMenu, type TrayActions } from '../../main/electron/tray-menu.js';

let core: FakeCore;
let tray: TrayMenu;
let actions: TrayActions & { errors: string[]; loginEnabled: boolean };

function menu(): FakeMenu {
  const m = Tray.instances[0]?.menu;
  if (!m) throw new Error('the tray has no menu');
  return m;
}
const labels = () => menu().items.map((i) => i.label ?? `(${i.type})`);

beforeEach(async () => {
  resetFake();
  core = new FakeCore('shop', ['api', 'web']);
  core.openProject();
  actions = {
    errors: [],
    loginEnabled: false,
    openWindow: vi.fn(),
    openProject: vi.fn(),
    quit: vi.fn(),
    startAtLogin: () => actions.loginEnabled,
    setStartAtLogin: vi.fn((enabled: boolean) => {
      actions.loginEnabled = enabled;
    }),
    reportError: (title: string, message: string) => void actions.errors.push(`${title}: ${message}`),
  };
  tray = new TrayMenu(core.api(), actions, { iconPath: '/opt/DevMesh/assets/tray.png', debounceMs: 20 });
  tray.start();
  await tray.settled();
});
afterEach(() => tray.dispose());

describe('TrayMenu', () => {
  it('shows the tray icon with a header for the project and one checkbox per service with version and state', () => {
    expect(Tray.instances[0]!.image).toMatchObject({ path: '/opt/DevMesh/assets/tray.png' });
    expect(labels().slice(0, 3)).toEqual(['shop', 'api 1.2.0 — stopped', 'web 1.2.0 — stopped']);
    expect(menu().item('project:shop').enabled).toBe(false);
    expect(menu().item('service:shop/web')).toMatchObject({ type: 'checkbox', checked: false });
    expect(labels()).toEqual(
      expect.arrayContaining([
        'Open DevMesh',
        'Open Project…',
        'Start all',
        'Stop all',
        'Start at login',
        'Quit DevMesh',
      ]),
    );
  });

  it('starts a stopped service on click, and the menu then shows it running and checked', async () => {
    menu().click('service:shop/web');
    await vi.waitFor(() => expect(core.calls).toContain('start web'));
    await tray.settled();
    expect(menu().item('service:shop/web')).toMatchObject({ checked: true, label: 'web 1.2.0 — healthy :3001' });
    expect(Tray.instances[0]!.tooltip).toBe('DevMesh — 1/2 services running');
  });

  it('stops a running service on click', async () => {
    core.setState('api', 'healthy');
    await tray.settled();
    expect(menu().item('service:shop/api').checked).toBe(true);
    menu().click('service:shop/api');
    await vi.waitFor(() => expect(core.calls).toContain('stop api'));
    await tray.settled();
    expect(menu().item('service:shop/api')).toMatchObject({ checked: false, label: 'api 1.2.0 — stopped' });
  });

  it('follows state changes made elsewhere (CLI, window), batching a burst into one rebuild', async () => {
    const built = vi.spyOn(Tray.instances[0]!, 'setContextMenu');
    core.setState('web', 'starting');
    core.setState('web', 'healthy');
    core.setState('api', 'crashed', 'exit code 1');
    await tray.settled();
    expect(built).toHaveBeenCalledTimes(1);
    expect(labels()).toContain('api 1.2.0 — crashed');
    expect(labels()).toContain('web 1.2.0 — healthy :3001');
  });

  it('Start all and Stop all act on every service of the open project', async () => {
    menu().click('start-all');
    await vi.waitFor(() => expect(core.calls).toContain('startAll'));
    await tray.settled();
    expect(
      menu()
        .items.filter((i) => i.id?.startsWith('service:'))
        .every((i) => i.checked),
    ).toBe(true);
    menu().click('stop-all');
    await vi.waitFor(() => expect(core.calls).toContain('stopAll'));
  });

  it('tells the user when an action fails, and puts the checkbox back', async () => {
    core.services.delete('web'); // the service vanished (config reloaded) while the menu was open
    menu().click('service:shop/web');
    await vi.waitFor(() => expect(actions.errors).toHaveLength(1));
    expect(actions.errors[0]).toBe("Could not start web: no service 'web'");
    await tray.settled();
    expect(labels()).not.toContain('web 1.2.0 — stopped');
  });

  it('offers Open DevMesh, Open Project…, Start at login and Quit', async () => {
    menu().click('open-window');
    menu().click('open-project');
    menu().click('start-at-login');
    menu().click('quit');
    expect(actions.openWindow).toHaveBeenCalled();
    expect(actions.openProject).toHaveBeenCalled();
    expect(actions.setStartAtLogin).toHaveBeenCalledWith(true);
    expect(actions.quit).toHaveBeenCalled();
    await tray.refresh();
    expect(menu().item('start-at-login').checked).toBe(true);
  });

  it('offers Restart to Update once an update is downloaded, and asks through the updater', async () => {
    expect(labels().some((l) => l.startsWith('Restart to Update'))).toBe(false);
    let ready: string | null = null;
    const restartToUpdate = vi.fn();
    Object.assign(actions, { updateReady: () => ready, restartToUpdate });
    ready = '0.2.0';
    await tray.refresh();
    expect(labels().slice(-2)).toEqual(['Restart to Update to 0.2.0…', 'Quit DevMesh']);
    menu().click('restart-to-update');
    expect(restartToUpdate).toHaveBeenCalledTimes(1);
  });

  it('says so when no project is open, and follows projects closing', async () => {
    await core.projects.close('shop');
    await tray.settled();
    expect(labels()[0]).toBe('No project open');
    expect(menu().item('start-all').enabled).toBe(false);
  });

  it('removes the icon and stops following events on dispose', () => {
    tray.dispose();
    expect(Tray.instances[0]!.destroyed).toBe(true);
    expect(core.listenerCount()).toBe(0);
  });
});
