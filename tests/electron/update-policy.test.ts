// The self-update policy against a fake updater: it checks at start and once a day, downloads in the
// background, asks before restarting and names the services the restart stops, restarts only with consent
// (and only through the app's quit, after which it installs), installs on a later quit, and a failing feed
// is a line in the log, never a crash.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DAILY_MS,
  servicesSentence,
  UpdatePolicy,
  type UpdateEngine,
  type UpdateQuestion,
} from '../../main/electron/update-policy.js';

class FakeEngine implements UpdateEngine {
  offered: string | null = null;
  checks = 0;
  downloads = 0;
  failCheck: Error | null = null;
  failDownload: Error | null = null;
  readonly installs: string[] = [];
  async check(): Promise<string | null> {
    this.checks++;
    if (this.failCheck) throw this.failCheck;
    return this.offered;
  }
  async download(): Promise<void> {
    this.downloads++;
    if (this.failDownload) throw this.failDownload;
  }
  installAndRestart(): void {
    this.installs.push('restart');
  }
  installOnQuit(): void {
    this.installs.push('on quit');
  }
}

let engine: FakeEngine;
let questions: UpdateQuestion[];
let answer: boolean;
let announced: Array<{ version: string; restart: () => void }>;
let informed: Array<{ title: string; detail: string }>;
let running: string[];
let steps: string[];
let warnings: string[];
let policy: UpdatePolicy;

/** lets the policy's promises settle (fake timers do not run them) */
const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

beforeEach(() => {
  vi.useFakeTimers();
  engine = new FakeEngine();
  questions = [];
  answer = false;
  announced = [];
  informed = [];
  running = ['api', 'web', 'worker'];
  steps = [];
  warnings = [];
  policy = new UpdatePolicy({
    engine,
    prompt: {
      announce: (version, restart) => void announced.push({ version, restart }),
      ask: async (q) => {
        questions.push(q);
        steps.push('asked');
        return answer;
      },
      inform: (title, detail) => void informed.push({ title, detail }),
    },
    runningServices: async () => running,
    // DesktopApp.quit: stops the services, then calls beforeExit as the app exits
    quit: async () => {
      steps.push('services stopped');
      policy.beforeExit(0);
    },
    logger: { info: () => {}, warn: (obj) => void warnings.push((obj as { err: string }).err) },
    currentVersion: '0.1.0',
  });
});
afterEach(() => {
  policy.dispose();
  vi.useRealTimers();
});

describe('UpdatePolicy', () => {
  it('checks at start and then once a day, not more', async () => {
    policy.start();
    await settle();
    expect(engine.checks).toBe(1);
    await vi.advanceTimersByTimeAsync(DAILY_MS - 1_000);
    expect(engine.checks).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(engine.checks).toBe(2);
    await vi.advanceTimersByTimeAsync(DAILY_MS);
    expect(engine.checks).toBe(3);
    policy.dispose();
    await vi.advanceTimersByTimeAsync(3 * DAILY_MS);
    expect(engine.checks).toBe(3);
  });

  it('downloads a newer version in the background and announces it, without asking or restarting yet', async () => {
    engine.offered = '0.2.0';
    policy.start();
    await settle();
    expect(engine.downloads).toBe(1);
    expect(announced.map((a) => a.version)).toEqual(['0.2.0']);
    expect(policy.readyVersion).toBe('0.2.0');
    expect(questions).toEqual([]);
    expect(steps).toEqual([]);
    expect(engine.installs).toEqual([]);
    // the next day's check finds the same version: no second announcement
    await vi.advanceTimersByTimeAsync(DAILY_MS);
    expect(engine.checks).toBe(2);
    expect(announced).toHaveLength(1);
  });

  it('announces a ready update even when a listener of onDidBecomeReady throws, and logs the throw', async () => {
    const heard: string[] = [];
    policy.onDidBecomeReady(() => {
      throw new Error('the tray is gone');
    });
    policy.onDidBecomeReady((version) => heard.push(version));
    engine.offered = '0.2.0';
    policy.start();
    await settle();
    expect(heard).toEqual(['0.2.0']);
    expect(announced.map((a) => a.version)).toEqual(['0.2.0']);
    expect(warnings).toContain('the tray is gone');
  });

  it('asks before restarting, naming the services that will stop; yes stops them, then installs and restarts', async () => {
    engine.offered = '0.2.0';
    answer = true;
    policy.start();
    await settle();
    announced[0]!.restart(); // the user clicks the notification
    await settle();
    expect(questions).toEqual([{ version: '0.2.0', services: ['api', 'web', 'worker'] }]);
    expect(servicesSentence(questions[0]!.services)).toBe('3 services will stop: api, web, worker.');
    // asking again after the yes does nothing more
    await policy.restartToUpdate();
    expect(questions).toHaveLength(1);
    expect(steps).toEqual(['asked', 'services stopped']);
    expect(engine.installs).toEqual(['restart']);
  });

  it('no restart without consent: Later installs only when the user quits, and never on a failed exit', async () => {
    engine.offered = '0.2.0';
    answer = false;
    policy.start();
    await settle();
    await policy.restartToUpdate();
    expect(steps).toEqual(['asked']);
    expect(engine.installs).toEqual([]);
    policy.beforeExit(1);
    expect(engine.installs).toEqual([]);
    policy.beforeExit(0);
    expect(engine.installs).toEqual(['on quit']);
  });

  it('with nothing downloaded, neither asks nor installs', async () => {
    policy.start();
    await settle();
    await policy.restartToUpdate();
    policy.beforeExit(0);
    expect(questions).toEqual([]);
    expect(engine.installs).toEqual([]);
  });

  it('still says that services stop when it cannot list them', async () => {
    engine.offered = '0.2.0';
    policy.start();
    await settle();
    const failing = policy as unknown as { deps: { runningServices: () => Promise<string[]> } };
    failing.deps.runningServices = async () => {
      throw new Error('API closed');
    };
    await policy.restartToUpdate();
    expect(questions[0]!.services).toBeNull();
    expect(servicesSentence(questions[0]!.services)).toBe(
      'Any running services will stop (DevMesh could not list them).',
    );
  });

  it('a failing feed is logged once per cause and never thrown; a later check still downloads', async () => {
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      engine.failCheck = new Error('getaddrinfo ENOTFOUND releases.devmesh.dev');
      policy.start();
      await settle();
      for (let day = 0; day < 3; day++) await vi.advanceTimersByTimeAsync(DAILY_MS);
      expect(engine.checks).toBe(4);
      expect(warnings).toEqual(['getaddrinfo ENOTFOUND releases.devmesh.dev']);
      engine.failCheck = null;
      engine.offered = '0.2.0';
      engine.failDownload = new Error('sha512 checksum mismatch');
      await vi.advanceTimersByTimeAsync(DAILY_MS);
      expect(warnings).toEqual(['getaddrinfo ENOTFOUND releases.devmesh.dev', 'sha512 checksum mismatch']);
      expect(announced).toEqual([]);
      engine.failDownload = null;
      await vi.advanceTimersByTimeAsync(DAILY_MS);
      expect(announced.map((a) => a.version)).toEqual(['0.2.0']);
      await vi.advanceTimersByTimeAsync(0);
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('an install that fails as the app exits is logged, not thrown', async () => {
    engine.offered = '0.2.0';
    policy.start();
    await settle();
    engine.installOnQuit = () => {
      throw new Error('pkexec: dismissed');
    };
    expect(() => policy.beforeExit(0)).not.toThrow();
    expect(warnings).toEqual(['pkexec: dismissed']);
  });

  it('"Check for Updates…" tells the user what it found, including a failure', async () => {
    await policy.checkNow();
    expect(informed.at(-1)).toEqual({ title: 'DevMesh is up to date', detail: 'You have the latest version, 0.1.0.' });
    engine.failCheck = new Error('HTTP 404 latest-linux.yml');
    await policy.checkNow();
    expect(informed.at(-1)!.title).toBe('Could not check for updates');
    expect(informed.at(-1)!.detail).toContain('HTTP 404 latest-linux.yml');
    engine.failCheck = null;
    engine.offered = '0.2.0';
    await policy.checkNow();
    expect(informed.at(-1)!.title).toBe('DevMesh 0.2.0 is available');
    // asked again once it is ready (the user said Later): the restart question
    await policy.checkNow();
    expect(questions).toEqual([{ version: '0.2.0', services: ['api', 'web', 'worker'] }]);
  });

  it('one check at a time: the menu joins the start check in flight', async () => {
    let release!: (v: string | null) => void;
    engine.check = () => {
      engine.checks++;
      return new Promise((r) => (release = r));
    };
    policy.start();
    const menu = policy.checkNow();
    await settle();
    expect(engine.checks).toBe(1);
    release(null);
    await menu;
    expect(informed.at(-1)!.title).toBe('DevMesh is up to date');
  });

  it('servicesSentence says one service, several, or none', () => {
    expect(servicesSentence(['api'])).toBe('1 service will stop: api.');
    expect(servicesSentence([])).toBe('No services are running.');
  });
});
