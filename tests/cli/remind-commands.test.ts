// `devmesh remind` end to end: the real CLI against a real daemon (its SQLite store, its own clock). A
// reminder to the human a few seconds ahead is listed, then arrives as devmesh's message and is done; a cron
// one is listed with its next time and cancelled; a bad `when` and an unknown recipient fail with exit 1 and
// say what to write instead.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../shared/message.js';
import type { Reminder } from '../../shared/reminder.js';
import { tempDir, waitFor, writeProject } from '../api/test-project.js';
import { CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';
import { scaled } from '../helpers/load-scale.js';

const tmp = tempDir('devmesh-cli-remind-');
const projectDir = join(tmp.dir, 'shop');
const cli = new CliHarness(join(tmp.dir, 'home'), tmp.dir);
let daemon: RunningCli | undefined;

async function ok(args: string[]): Promise<string> {
  const r = await cli.run(args);
  expect(r.code, `devmesh ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

beforeAll(async () => {
  ensureCliBuilt();
  mkdirSync(projectDir, { recursive: true });
  writeProject(projectDir, 'shop', { api: { autostart: false } });
  ({ daemon } = await cli.up(['--project', projectDir]));
}, scaled(90_000));

afterAll(async () => {
  await daemon?.stop('SIGTERM');
  tmp.dispose();
});

describe('devmesh remind', () => {
  it(
    'schedules a reminder, lists it, and delivers it to the human at its time',
    async () => {
      const created = await ok(['remind', 'user', 'in 2s', 'stretch', 'your', 'legs']);
      const id = /^Reminder (rem-[a-z0-9]+) for user at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\. Cancel it with/.exec(
        created,
      )?.[1];
      expect(id, created).toBeTruthy();
      // it may have fired already on a slow machine: then --all lists it as done
      expect(await ok(['remind', 'ls', '--all'])).toMatch(new RegExp(`${id}\\s+.+\\s+user\\s+in 2s\\s+`));

      await waitFor(
        'the reminder to reach the board',
        async () =>
          (await cli.json<Message[]>(['msg', 'ls', '--with', 'user'])).some(
            (m) => m.from === 'devmesh' && m.body === 'Reminder: stretch your legs',
          ),
        scaled(30_000),
        200,
      );
      const all = await cli.json<Reminder[]>(['remind', 'ls', '--all']);
      expect(all.find((r) => r.id === id)).toMatchObject({ state: 'done', fired: 1, to: 'user' });
    },
    scaled(60_000),
  );

  it('lists a cron reminder with its next time and cancels it', async () => {
    const created = await ok(['remind', 'user', '30 9 * * *', 'plan', '--tz', 'UTC']);
    expect(created).toContain(', then on "30 9 * * *".');
    const id = /Reminder (rem-[a-z0-9]+)/.exec(created)![1]!;
    const [listed] = (await cli.json<Reminder[]>(['remind', 'ls'])).filter((r) => r.id === id);
    expect(new Date(listed!.nextAt!).toISOString()).toMatch(/T09:30:00\.000Z$/);
    expect(await ok(['remind', 'cancel', id])).toBe(`Cancelled reminder ${id} for user.\n`);
    expect((await cli.json<Reminder[]>(['remind', 'ls'])).map((r) => r.id)).not.toContain(id);
  });

  it('fails with what to write for a bad time and an unknown recipient', async () => {
    const bad = await cli.run(['remind', 'user', 'whenever', 'x']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('use `in 10m`');
    const cron = await cli.run(['remind', 'user', '0 25 * * *', 'x']);
    expect(cron.code).toBe(1);
    expect(cron.stderr).toMatch(/bad cron expression "0 25 \* \* \*": .+ e\.g\./);
    const who = await cli.run(['remind', 'nobody', 'in 5m', 'x']);
    expect(who.code).toBe(1);
    expect(who.stderr).toContain('no agent "nobody"');
    const id = await cli.run(['remind', 'cancel', 'tomorrow']);
    expect(id.code).toBe(2);
    expect(id.stderr).toContain("'tomorrow' is not a reminder id");
  });
});
