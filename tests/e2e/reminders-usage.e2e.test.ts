// End to end: the real headless daemon serving the built UI to Debian's Chromium. A reminder scheduled in the
// Reminders panel's form (`in 3s`, the real clock) fires: its message reaches the human (a toast and the
// message list) and the reminder leaves the scheduled list. And an agent's token and cost figures appear on its
// card in the agent strip once an OTLP/HTTP JSON export naming it (the resource attribute devmesh.agent.id, as
// DevMesh sets it for each launch) is POSTed to the daemon's loopback receiver (usage.receiver's endpoint).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { AgentRecord } from '../../shared/agent.js';
import type { UsageReceiver } from '../../shared/usage.js';
import { DaemonProcess } from './daemon-process.js';
import { skipWithoutChromium, UiPage } from './ui-page.js';
import { writeScript } from '../core/agents/fake-cli.js';
import { claudeMetrics, postJson } from '../core/usage/otlp-fixtures.js';
import { scaled } from '../helpers/load-scale.js';

describe.skipIf(skipWithoutChromium)('reminders and token figures in the UI (needs /usr/bin/chromium)', () => {
  let daemon: DaemonProcess | undefined;
  let ui: UiPage | undefined;
  let page: Page;
  let dir = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'devmesh-e2e-remind-'));
    daemon = DaemonProcess.start({ homePrefix: 'devmesh-e2e-remind-home-', env: { SHELL: '/bin/sh' } });
    ui = await UiPage.open(await daemon.url());
    page = ui.page;
  }, scaled(60_000));

  afterAll(async () => {
    await ui?.close();
    await daemon?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(
    'schedules a reminder to the human in the form; it fires, is said, and leaves the list',
    async () => {
      await page.getByTestId('nav-tasks').click();
      const panel = page.getByTestId('reminders-panel');
      await panel.waitFor({ timeout: 10_000 });
      await panel.getByRole('button', { name: 'New reminder' }).click();
      const form = page.getByTestId('reminder-create-form');
      await form.getByRole('combobox', { name: 'Remind' }).fill('user');
      await form.getByRole('textbox', { name: 'When' }).fill('in 3s');
      await form.getByRole('textbox', { name: 'Reminder message' }).fill('stretch your legs');
      await form.getByRole('button', { name: 'Schedule' }).click();
      await expect.poll(() => form.count(), { timeout: 10_000 }).toBe(0);
      const row = panel.locator('.reminder-row', { hasText: 'stretch your legs' });
      expect(await row.count()).toBe(1);
      expect(await row.textContent()).toContain('→ user');

      // fired: the message to the human, in a toast and the message list; the one-time reminder is done
      await page
        .getByTestId('toast')
        .filter({ hasText: 'stretch your legs' })
        .waitFor({ timeout: scaled(20_000) });
      await page.getByTestId('message-list').getByText('stretch your legs').waitFor({ timeout: 10_000 });
      await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(0);

      // a time the daemon cannot read: its own words, in the form
      await panel.getByRole('button', { name: 'New reminder' }).click();
      await form.getByRole('textbox', { name: 'When' }).fill('in ten minutes');
      await form.getByRole('textbox', { name: 'Reminder message' }).fill('never');
      await form.getByRole('button', { name: 'Schedule' }).click();
      expect(await form.getByTestId('reminder-refusal').textContent()).toMatch(/in ten minutes/);
      await form.getByRole('button', { name: 'Close' }).click();
      expect(ui!.errors).toEqual([]);
    },
    scaled(60_000),
  );

  it(
    'shows an agent’s tokens and cost on its card once its OTLP export reaches the receiver',
    async () => {
      const script = writeScript(join(dir, 'bin'), 'agent-quiet', 'while read line; do echo "got $line"; done');
      const agent = (await ui!.call('agents.start', { command: script, name: 'counter', cwd: dir })) as AgentRecord;
      await page.getByTestId('nav-terminals').click();
      const card = page.getByTestId(`agent-card-${agent.id}`);
      await card.waitFor({ timeout: 10_000 });
      expect(await page.getByTestId(`agent-usage-${agent.id}`).count()).toBe(0);

      const receiver = (await ui!.call('usage.receiver', {})) as UsageReceiver;
      expect(receiver.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const nowNs = `${Date.now()}000000`;
      const answer = await postJson(
        receiver.endpoint!,
        '/v1/metrics',
        claudeMetrics({
          resource: `devmesh.agent.id=${agent.id}`,
          timeNs: nowNs,
          tokens: { input: 1200, output: 300 },
          costUsd: 0.25,
        }),
      );
      expect(answer.status).toBe(200);
      const usage = page.getByTestId(`agent-usage-${agent.id}`);
      await usage.waitFor({ timeout: 10_000 });
      expect(await usage.textContent()).toBe('1.5k tokens · $0.25');
      await ui!.call('agents.stop', { agent: agent.id });
      expect(ui!.errors).toEqual([]);
    },
    scaled(60_000),
  );
});
