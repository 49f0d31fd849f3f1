// The reminders table on disk (migration 011): an occurrence is claimed once (a second claim of the same
// occurrence, as two overlapping turns would make, is refused), a cancelled reminder cannot be claimed, and
// what was claimed is there after the store is closed and opened again.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Database } from '../../../main/core/store/database.js';
import { ReminderStore } from '../../../main/core/reminders/reminder-store.js';
import { tempDir } from '../../api/test-project.js';

const tmp = tempDir('devmesh-reminder-store-');
afterAll(() => tmp.dispose());
const path = join(tmp.dir, 'devmesh.db');
const T = 1_800_000_000_000;

describe('ReminderStore', () => {
  it('claims each occurrence once, never a cancelled one, and keeps it across a reopen', () => {
    const db = Database.open(path);
    const store = new ReminderStore(db);
    const cron = { kind: 'cron' as const, expression: '0 * * * *', timezone: 'UTC' };
    store.add({
      id: 'rem-aaaa',
      to: { id: 'user', name: 'user' },
      body: 'b',
      when: '0 * * * *',
      schedule: cron,
      nextAt: T,
      by: 'user',
      now: T - 1,
    });
    store.add({
      id: 'rem-bbbb',
      to: { id: '*', name: 'everyone' },
      body: 'c',
      when: 'in 1m',
      schedule: { kind: 'once', at: T },
      nextAt: T,
      by: 'user',
      now: T - 1,
    });
    expect(store.due(T).map((r) => r.id)).toEqual(['rem-aaaa', 'rem-bbbb']);
    expect(store.claim('rem-aaaa', T, T + 3_600_000, T)).toBe(true);
    expect(store.claim('rem-aaaa', T, T + 3_600_000, T)).toBe(false);
    expect(store.cancel('rem-bbbb')).toBe(true);
    expect(store.claim('rem-bbbb', T, null, T)).toBe(false);
    expect(store.earliest()).toBe(T + 3_600_000);
    db.close();

    const reopened = Database.open(path);
    const again = new ReminderStore(reopened);
    expect(again.get('rem-aaaa')).toMatchObject({ fired: 1, lastFiredAt: T, nextAt: T + 3_600_000, schedule: cron });
    expect(again.get('rem-bbbb')).toMatchObject({ state: 'cancelled', fired: 0, nextAt: null });
    expect(again.list(false).map((r) => r.id)).toEqual(['rem-aaaa']);
    expect(again.list(true).map((r) => r.id)).toEqual(['rem-aaaa', 'rem-bbbb']);
    reopened.close();
  });
});
