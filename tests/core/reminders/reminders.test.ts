// Reminders through the API on a real core (SQLite on disk) with fake time: one fires once at its time and
// not before, as a message from `devmesh` an agent reads with read_messages; a cron one fires at each
// occurrence; cancel stops it; a restart keeps them (one whose time passed while DevMesh was down fires once,
// late; a recurring one sends no backlog); a user's mistakes are refused with what to do; the audit chain
// has create, fire and cancel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../../shared/message.js';
import { TestCore } from '../../api/test-core.js';
import { NODE } from '../../api/test-project.js';
import { scaled } from '../../helpers/load-scale.js';
import { FakeLockClock } from '../locks/fake-lock-clock.js';

const MIN = 60_000;
const clock = new FakeLockClock();
let dm: TestCore;

beforeAll(async () => {
  dm = await TestCore.open({ prefix: 'devmesh-remind-', project: 'shop', core: { reminders: { clock } } });
}, scaled(60_000));
afterAll(() => dm?.dispose());

/** the messages from devmesh whose body contains `text` (the whole board, oldest first) */
async function sent(text: string): Promise<Message[]> {
  const all = await dm.call('messages.list', { limit: 500 });
  return all.filter((m) => m.from === 'devmesh' && m.body.includes(text)).reverse();
}

describe('reminders', () => {
  it(
    "fire once at their time, not before, as devmesh's message the agent reads",
    async () => {
      const agent = await dm.call('agents.start', {
        command: NODE,
        args: ['-e', 'setInterval(() => {}, 1000)'],
        name: 'fixer',
        cwd: dm.projectDir,
      });
      const r = await dm.call('reminders.create', { to: 'fixer', when: 'in 10m', body: 'check the CI run' });
      expect(r).toMatchObject({ to: agent.id, toName: 'fixer', state: 'scheduled', nextAt: clock.now() + 10 * MIN });
      expect((await dm.call('reminders.list', {})).map((x) => x.id)).toEqual([r.id]);

      clock.advance(10 * MIN - 1);
      expect(await sent('check the CI run')).toEqual([]);
      clock.advance(1);
      const [message, ...more] = await sent('check the CI run');
      expect(more).toEqual([]);
      expect(message).toMatchObject({ from: 'devmesh', to: agent.id, body: 'Reminder: check the CI run' });
      clock.advance(60 * MIN);
      expect(await sent('check the CI run')).toHaveLength(1);

      const read = await dm.call('messages.read', { reader: 'fixer' });
      expect(read.map((m) => m.body)).toContain('Reminder: check the CI run');
      expect(await dm.call('reminders.list', {})).toEqual([]);
      const [done] = await dm.call('reminders.list', { all: true });
      expect(done).toMatchObject({ id: r.id, state: 'done', fired: 1, nextAt: null, lastError: null });
    },
    scaled(60_000),
  );

  it(
    'fire a cron reminder at each occurrence, and cancelling stops it',
    async () => {
      // fake time starts at 22:13:20 UTC: the quarter hours are 22:15, 22:30, 22:45, 23:00
      const r = await dm.call('reminders.create', {
        to: 'user',
        when: '*/15 * * * *',
        body: 'stand up',
        timezone: 'UTC',
      });
      const first = r.nextAt!;
      expect(new Date(first).getUTCMinutes() % 15).toBe(0);
      clock.advance(first - clock.now() - 1);
      expect(await sent('stand up')).toHaveLength(0);
      clock.advance(1);
      expect(await sent('stand up')).toHaveLength(1);
      clock.advance(45 * MIN);
      expect(await sent('stand up')).toHaveLength(4);
      const [listed] = (await dm.call('reminders.list', {})).filter((x) => x.id === r.id);
      expect(listed).toMatchObject({ fired: 4, nextAt: first + 60 * MIN, state: 'scheduled' });

      const cancelled = await dm.call('reminders.cancel', { id: r.id });
      expect(cancelled).toMatchObject({ state: 'cancelled', nextAt: null });
      clock.advance(2 * 60 * MIN);
      expect(await sent('stand up')).toHaveLength(4);
      expect((await dm.refused('reminders.cancel', { id: r.id })).code).toBe('CONFLICT');
    },
    scaled(60_000),
  );

  it(
    'survive a restart: a missed one fires once, late; a recurring one sends no backlog',
    async () => {
      const once = await dm.call('reminders.create', { to: 'user', when: 'in 5m', body: 'deploy window' });
      const daily = await dm.call('reminders.create', {
        to: 'user',
        when: '0 * * * *',
        body: 'hourly',
        timezone: 'UTC',
      });
      const missedNext = daily.nextAt!;
      await dm.close();
      clock.advance(3 * 60 * MIN); // DevMesh is down: the one-time reminder's time and three hours pass
      expect(clock.timers).toBe(0); // the closed core left no timer behind
      await dm.open();

      const [late, ...again] = await sent('deploy window');
      expect(again).toEqual([]);
      expect(late!.body).toMatch(/^Reminder \(late: it was due at .+, while DevMesh was not running\): deploy window$/);
      expect(await sent('hourly')).toEqual([]);
      const [d] = (await dm.call('reminders.list', {})).filter((x) => x.id === daily.id);
      expect(d!.nextAt).toBeGreaterThan(clock.now());
      expect(d!.nextAt! - missedNext).toBe(3 * 60 * MIN);
      clock.advance(d!.nextAt! - clock.now());
      expect(await sent('hourly')).toHaveLength(1);
      const [o] = (await dm.call('reminders.list', { all: true })).filter((x) => x.id === once.id);
      expect(o).toMatchObject({ state: 'done', fired: 1 });
      await dm.call('reminders.cancel', { id: daily.id });
    },
    scaled(60_000),
  );

  it(
    'records why a reminder could not be sent when its recipient is gone, and keeps firing the others',
    async () => {
      await dm.call('agents.start', {
        command: NODE,
        args: ['-e', 'setInterval(() => {}, 1000)'],
        name: 'gone',
        cwd: dm.projectDir,
      });
      const lost = await dm.call('reminders.create', { to: 'gone', when: 'in 2m', body: 'never read' });
      const kept = await dm.call('reminders.create', { to: 'user', when: 'in 3m', body: 'still here' });
      await dm.call('agents.stop', { agent: 'gone' });
      await dm.call('agents.remove', { agent: 'gone' });
      const fired: unknown[] = [];
      const listening = dm.core.events.onDidEmitEvent((e) => void (e.type === 'reminder.fired' && fired.push(e)));
      clock.advance(3 * MIN);
      await new Promise((resolve) => setImmediate(resolve)); // the send's answer, then reminder.fired
      listening.dispose();
      const all = await dm.call('reminders.list', { all: true });
      expect(all.find((x) => x.id === lost.id)).toMatchObject({ state: 'done', fired: 1 });
      expect(all.find((x) => x.id === lost.id)!.lastError).toContain('gone');
      expect(all.find((x) => x.id === kept.id)).toMatchObject({ state: 'done', lastError: null });
      expect(await sent('still here')).toHaveLength(1);
      expect(fired).toContainEqual(expect.objectContaining({ id: lost.id, messageSeq: null }));
      expect(dm.core.health.snapshot().problems).toEqual([]);
    },
    scaled(60_000),
  );

  it('refuses an unknown target, a bad time, a bad cron expression and a past time', async () => {
    const unknown = await dm.refused('reminders.create', { to: 'nobody', when: 'in 1m', body: 'x' });
    expect(unknown.code).toBe('AGENT_NOT_FOUND');
    expect(unknown.message).toContain('no agent "nobody"');
    const when = await dm.refused('reminders.create', { to: 'user', when: 'later', body: 'x' });
    expect(when).toMatchObject({ code: 'BAD_REQUEST' });
    expect(when.message).toContain('in 10m');
    const cron = await dm.refused('reminders.create', { to: 'user', when: '99 * * * *', body: 'x' });
    expect(cron.message).toMatch(/bad cron expression .+ e\.g\./);
    const past = await dm.refused('reminders.create', { to: 'user', when: '2020-01-01T00:00Z', body: 'x' });
    expect(past.message).toContain('in the past');
    expect((await dm.refused('reminders.cancel', { id: 'rem-0000' })).message).toContain('no reminder rem-0000');
  });

  it('records create, fire and cancel in the audit chain, which verifies', async () => {
    const { entries } = await dm.call('audit.list', { kind: 'reminder' });
    const kinds = new Set(entries.map((e) => e.kind));
    expect([...kinds].sort()).toEqual(['reminder.cancelled', 'reminder.created', 'reminder.fired']);
    const lateFire = entries.find((e) => e.kind === 'reminder.fired' && (e.data as { late?: boolean }).late);
    expect(lateFire).toBeDefined();
    expect((await dm.call('audit.verify', {})).ok).toBe(true);
  });
});
