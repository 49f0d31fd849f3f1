// Shared fixtures for the renderer's terminal tests: a TerminalInfo with test defaults, a terminal sink that
// records what it is given, and the "says why the list could not be read" check of the list syncs.
import { expect } from 'vitest';
import type { ApiMethod } from '../../../shared/api.js';
import type { TerminalInfo } from '../../../shared/terminal.js';
import { createAppStores, type AppStores } from '../../../renderer/state/app-stores.js';
import type { TerminalSink } from '../../../renderer/terminals/terminal-stream.js';
import { until } from '../../helpers/until.js';
import { FakeClient } from '../fake-client.js';

/** A running bash session, `term-1` unless `over` says otherwise. */
export const terminalInfo = (over: Partial<TerminalInfo> = {}): TerminalInfo => ({
  id: 'term-1',
  name: 'bash',
  command: '/bin/bash',
  args: [],
  cwd: '/tmp',
  project: null,
  cols: 80,
  rows: 24,
  pid: 42,
  state: 'running',
  exitCode: null,
  signal: null,
  exitReason: null,
  startedAt: 1,
  endedAt: null,
  recording: null,
  recordingNote: null,
  bytesOut: 0,
  viewers: 0,
  paused: false,
  ...over,
});

/**
 * Stands in for xterm: keeps what was written; `hold` keeps write callbacks until `release`, as a busy
 * renderer would. Otherwise each callback runs through `defer` (a macrotask unless told).
 */
export class RecordingSink implements TerminalSink {
  screen = '';
  resets = 0;
  hold = false;
  private held: (() => void)[] = [];
  constructor(private readonly defer: (done: () => void) => void = (done) => setTimeout(done, 0)) {}
  write(data: string, done: () => void): void {
    this.screen += data;
    if (this.hold) this.held.push(done);
    else this.defer(done);
  }
  reset(): void {
    this.resets++;
    this.screen = '';
  }
  release(): void {
    for (const done of this.held.splice(0)) done();
  }
}

/** A list sync whose `method` fails on connect puts the failure's message in its store's error. */
export async function expectListFailureShown(
  method: ApiMethod,
  start: (client: FakeClient, stores: AppStores) => { dispose(): void },
  storeOf: (stores: AppStores) => { getState(): { error: string | null } },
): Promise<void> {
  const client = new FakeClient();
  const stores = createAppStores(client.status);
  client.handlers[method] = () => Promise.reject(new Error('boom'));
  const sync = start(client, stores);
  try {
    await until('the error', () => storeOf(stores).getState().error !== null);
    expect(storeOf(stores).getState().error).toContain('boom');
  } finally {
    sync.dispose();
  }
}
