// A version alert of the mesh shows a desktop notification naming the caller, the range and the
// instance it got; the same mismatch raised again stays quiet for a while; clicking opens the window.
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron.js'));

import type { VersionAlert } from '../../shared/mesh.js';
import { Notification, resetFake } from './fake-electron.js';
import { FakeCore } from './fake-core.js';
import { VersionAlertNotifier } from '../../main/electron/version-alert-notifier.js';

let core: FakeCore;
let now: number;
let onClick: () => void;
let notifier: VersionAlertNotifier;

const alert = (over: Partial<VersionAlert> = {}): VersionAlert => ({
  id: 1,
  firstTs: 1_000,
  lastTs: 1_000,
  count: 1,
  caller: { project: 'shop', service: 'web', version: '1.4.0' },
  dependency: 'auth',
  range: '^2.1',
  instance: { agent: 'alice', agentId: 'a-1', local: false, project: 'shop', service: 'auth', version: '3.0.0' },
  action: 'warned',
  ...over,
});

const raise = (a: VersionAlert) => core.events.emit({ type: 'alert.raised', ts: a.lastTs, alert: a });

beforeEach(() => {
  resetFake();
  core = new FakeCore();
  now = 1_000_000;
  onClick = vi.fn();
  notifier = new VersionAlertNotifier(core.api(), { onClick, quietMs: 60_000, now: () => now });
});

describe('VersionAlertNotifier', () => {
  it('names the caller, the range, the instance and its version', () => {
    raise(alert({ action: 'refused' }));
    expect(Notification.instances).toHaveLength(1);
    const n = Notification.instances[0]!;
    expect(n.shown).toBe(true);
    expect(n.options.title).toBe('Version mismatch: web needs auth ^2.1');
    expect(n.options.body).toContain("alice's auth is 3.0.0");
    expect(n.options.body).toContain('refused');
  });

  it('says "this machine" for a local instance', () => {
    raise(
      alert({
        instance: { agent: 'bob', agentId: 'me', local: true, project: 'shop', service: 'auth', version: '1.0.0' },
      }),
    );
    expect(Notification.instances[0]!.options.body).toContain("This machine's auth is 1.0.0");
  });

  it('opens the window when the notification is clicked', () => {
    raise(alert());
    Notification.instances[0]!.emit('click');
    expect(onClick).toHaveBeenCalledTimes(1);
  });

  it('notifies once per quiet period for the same mismatch, but for each different one', () => {
    raise(alert());
    now += 5_000;
    raise(alert({ count: 2, lastTs: 6_000 }));
    raise(
      alert({
        id: 2,
        instance: { agent: 'carol', agentId: 'c-1', local: false, project: 'shop', service: 'auth', version: '4.0.0' },
      }),
    );
    expect(Notification.instances.map((n) => n.options.body)).toEqual([
      expect.stringContaining('alice'),
      expect.stringContaining('carol'),
    ]);
    now += 60_000;
    raise(alert({ count: 3, lastTs: 70_000 }));
    expect(Notification.instances).toHaveLength(3);
  });

  it('stays quiet for other events, where notifications are unsupported, and after dispose', () => {
    core.openProject();
    core.setState('api', 'crashed', 'exit 1');
    expect(Notification.instances).toHaveLength(0);
    Notification.supported = false;
    raise(alert());
    expect(Notification.instances).toHaveLength(0);
    notifier.dispose();
    expect(core.listenerCount()).toBe(0);
  });
});
