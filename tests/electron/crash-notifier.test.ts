// A crashing service shows one desktop notification (not one per restart of a crash loop); clicking it
// opens the window; ordinary stops stay quiet.
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron.js'));

import { Notification, resetFake } from './fake-electron.js';
import { FakeCore } from './fake-core.js';
import { CrashNotifier } from '../../main/electron/crash-notifier.js';

let core: FakeCore;
let now: number;
let onClick: () => void;
let notifier: CrashNotifier;

beforeEach(() => {
  resetFake();
  core = new FakeCore();
  core.openProject();
  now = 1_000_000;
  onClick = vi.fn();
  notifier = new CrashNotifier(core.api(), { onClick, quietMs: 60_000, now: () => now });
});

describe('CrashNotifier', () => {
  it('notifies when a service crashes, naming it, its project and the reason', () => {
    core.setState('api', 'healthy');
    core.setState('api', 'crashed', 'exited with code 1');
    expect(Notification.instances).toHaveLength(1);
    const n = Notification.instances[0]!;
    expect(n.shown).toBe(true);
    expect(n.options.title).toBe('api crashed');
    expect(n.options.body).toContain('shop');
    expect(n.options.body).toContain('exited with code 1');
  });

  it('opens the window when the notification is clicked', () => {
    core.setState('api', 'crashed', 'exited with code 1');
    Notification.instances[0]!.emit('click');
    expect(onClick).toHaveBeenCalledTimes(1);
  });

  it('stays quiet for stops, starts and health changes', () => {
    core.setState('api', 'healthy');
    core.setState('api', 'unhealthy', 'probe failed');
    core.setState('api', 'stopped', 'stopped by request');
    expect(Notification.instances).toHaveLength(0);
  });

  it('notifies once per quiet period for a service in a crash loop, but for each crashing service', () => {
    for (let i = 0; i < 5; i++) {
      core.setState('api', 'crashed', 'exit 1');
      core.setState('api', 'backing-off');
      now += 5_000;
    }
    core.setState('web', 'crashed', 'exit 2');
    expect(Notification.instances.map((n) => n.options.title)).toEqual(['api crashed', 'web crashed']);
    now += 60_000;
    core.setState('api', 'crashed', 'exit 1');
    expect(Notification.instances).toHaveLength(3);
  });

  it('does nothing where notifications are unsupported, and stops listening on dispose', () => {
    Notification.supported = false;
    core.setState('api', 'crashed');
    expect(Notification.instances).toHaveLength(0);
    notifier.dispose();
    expect(core.listenerCount()).toBe(0);
  });
});
