// End to end: the real headless daemon serving the built UI to Debian's Chromium. A session created through
// the API prints two lines a second and more apart and exits; the Recordings view (a chunk of its own, sharing
// xterm with the Terminals view's) lists its recording, replays it instantly into the player's read-only
// xterm screen, and exports it as a .cast file whose first line is an asciicast v2 header.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { TerminalInfo } from '../../shared/terminal.js';
import { DaemonProcess } from './daemon-process.js';
import { skipWithoutChromium, UiPage } from './ui-page.js';
import { scaled } from '../helpers/load-scale.js';

interface RecordingsHook {
  id(): string;
  state(): string;
  text(): Promise<string>;
}

describe.skipIf(skipWithoutChromium)('recordings view against the headless daemon (needs /usr/bin/chromium)', () => {
  let daemon: DaemonProcess | undefined;
  let ui: UiPage | undefined;
  let page: Page;

  beforeAll(async () => {
    daemon = DaemonProcess.start({ homePrefix: 'devmesh-e2e-rec-', env: { SHELL: '/bin/sh' } });
    ui = await UiPage.open(await daemon.url());
    page = ui.page;
  }, scaled(60_000));

  afterAll(async () => {
    await ui?.close();
    await daemon?.stop();
  });

  type HookWindow = { __devmeshRecordings?: RecordingsHook };
  const playerState = () =>
    page.evaluate(() => (globalThis as unknown as HookWindow).__devmeshRecordings?.state() ?? null);
  const playerText = () => page.evaluate(() => (globalThis as unknown as HookWindow).__devmeshRecordings?.text() ?? '');
  const playerId = () => page.evaluate(() => (globalThis as unknown as HookWindow).__devmeshRecordings?.id() ?? null);

  it(
    'lists a finished session, replays it instantly, and exports its .cast',
    async () => {
      await page.getByTestId('nav-recordings').click();
      await page.getByTestId('recordings-view').waitFor({ timeout: 10_000 });
      expect(ui!.chunksRequested('recordings-view')).toHaveLength(1);
      // xterm came in a chunk of its own, shared with the Terminals view, which was not fetched.
      expect(ui!.chunksRequested('xterm')).toHaveLength(1);
      expect(ui!.chunksRequested('terminals-view')).toEqual([]);

      // At 1× the replay would take ~2.5 s (the 1 s wait, then 1.5 s): instant must not wait for it.
      const info = (await ui!.call('terminals.create', {
        name: 'replayer',
        command: '/bin/sh',
        args: ['-c', 'sleep 1; printf "replay me\\n"; sleep 1.5; printf "the end\\n"'],
      })) as TerminalInfo;
      expect(info.recording).not.toBeNull();

      // The list refreshes itself when the session exits: its row then has a length.
      const row = page.locator(`.recording-row[data-terminal-id="${info.id}"]`);
      await expect
        .poll(async () => (await row.count()) === 1 && !(await row.textContent())!.includes('recording'), {
          timeout: 15_000,
        })
        .toBe(true);
      expect(await row.textContent()).toContain('/bin/sh');
      const recordingId = (await row.getAttribute('data-testid'))!.replace('recording-row-', '');
      await row.click();

      await page.getByTestId('recording-speed-instant').click();
      await expect.poll(() => playerState(), { timeout: 1000 }).toBe('ended');
      const lines = (await playerText()).split('\n').map((l) => l.trimEnd());
      expect(lines).toContain('replay me');
      expect(lines).toContain('the end');
      expect(await playerId()).toBe(recordingId);
      expect(await page.getByTestId('recording-time').textContent()).toMatch(/^0:0[2-3] \/ 0:0[2-3]$/);
      await page.screenshot({ path: '/tmp/devmesh-ui-recordings.png', animations: 'disabled' });

      // Restart at 1× clears the screen and replays from the start: nothing has been printed yet at first.
      await page.getByTestId('recording-speed-1x').click();
      await page.getByTestId('recording-restart').click();
      expect(await playerState()).toBe('playing');
      expect(await playerText()).not.toContain('the end');

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('recording-export').click(),
      ]);
      expect(download.suggestedFilename()).toBe(`replayer-${recordingId}.cast`);
      const cast = readFileSync((await download.path())!, 'utf8');
      const header = JSON.parse(cast.split('\n')[0]!) as { version: number; width: number; height: number };
      expect(header).toMatchObject({ version: 2, width: info.cols, height: info.rows });
      expect(cast).toContain('replay me');
      expect(ui!.errors).toEqual([]);
    },
    scaled(60_000),
  );

  it(
    'gives a recording one length, in the list and in the player, though the replay shortens its idle gap',
    async () => {
      await page.getByTestId('nav-recordings').click();
      await page.getByTestId('recordings-view').waitFor({ timeout: 10_000 });
      // 4.5 s of silence: the player replays it in 2 s (like asciinema play -i 2) but counts it as recorded
      const info = (await ui!.call('terminals.create', {
        name: 'idler',
        command: '/bin/sh',
        args: ['-c', 'printf "before\\n"; sleep 4.5; printf "after\\n"'],
      })) as TerminalInfo;
      const row = page.locator(`.recording-row[data-terminal-id="${info.id}"]`);
      await expect
        .poll(async () => (await row.count()) === 1 && !(await row.textContent())!.includes('recording'), {
          timeout: 20_000,
        })
        .toBe(true);
      const listed = (await row.locator('td').nth(3).textContent())!.trim();
      expect(listed).toMatch(/^0:0[4-5]$/);
      await row.click();
      const time = page.getByTestId('recording-time');
      await time.waitFor({ timeout: 10_000 });
      expect((await time.textContent())!.split(' / ')[1]).toBe(listed);
      await page.getByTestId('recording-speed-instant').click();
      await expect.poll(() => playerState(), { timeout: 2000 }).toBe('ended');
      expect(await time.textContent()).toBe(`${listed} / ${listed}`);
      expect(ui!.errors).toEqual([]);
    },
    scaled(60_000),
  );
});
