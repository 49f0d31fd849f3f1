// Version alerts over a real SQLite file: one counted row per distinct mismatch, `alert.raised` when a row
// is new and then at most once a minute, newest first, bounded, and kept across a reopen.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../main/core/events/event-bus.js';
import { ALERTS_KEPT, VersionAlertStore, type VersionAlertInput } from '../../../main/core/mesh/version-alert-store.js';
import { Database } from '../../../main/core/store/database.js';
import { MIGRATIONS } from '../../../main/core/store/migrations/index.js';
import type { DevMeshEvent } from '../../../shared/events.js';
import { AlertRaisedEventSchema, VersionAlertSchema } from '../../../shared/mesh.js';

let dir: string;
let database: Database;
let events: EventBus;
let emitted: DevMeshEvent[];
let clock: number;
let store: VersionAlertStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'devmesh-alerts-'));
  database = Database.open(join(dir, 'devmesh.db'));
  events = new EventBus();
  emitted = [];
  events.onDidEmitEvent((e) => emitted.push(e));
  clock = 1_000_000;
  store = new VersionAlertStore(database, events, () => clock);
});
afterEach(() => {
  database.close();
  rmSync(dir, { recursive: true, force: true });
});

function mismatch(
  extra: { caller?: Partial<VersionAlertInput['caller']>; instance?: Partial<VersionAlertInput['instance']> } & Partial<
    Pick<VersionAlertInput, 'dependency' | 'range' | 'action'>
  > = {},
): VersionAlertInput {
  return {
    caller: { project: 'shop', service: 'api', version: '1.4.0', ...extra.caller },
    dependency: extra.dependency ?? 'auth',
    range: extra.range ?? '^2.1',
    instance: {
      agent: 'alice',
      agentId: 'id-alice',
      local: false,
      project: 'shop',
      service: 'auth',
      version: '1.9.0',
      ...extra.instance,
    },
    action: extra.action ?? 'warned',
  };
}

describe('VersionAlertStore', () => {
  it('is created by migration 3', () => {
    expect(MIGRATIONS[2]!.name).toBe('version alerts');
    expect(database.schemaVersion).toBe(MIGRATIONS.length);
  });

  it('stores a new alert, returns it whole and announces it', () => {
    const alert = store.raise(mismatch());
    expect(alert).toEqual({
      id: expect.any(Number),
      firstTs: 1_000_000,
      lastTs: 1_000_000,
      count: 1,
      caller: { project: 'shop', service: 'api', version: '1.4.0' },
      dependency: 'auth',
      range: '^2.1',
      instance: {
        agent: 'alice',
        agentId: 'id-alice',
        local: false,
        project: 'shop',
        service: 'auth',
        version: '1.9.0',
      },
      action: 'warned',
    });
    expect(VersionAlertSchema.parse(alert)).toEqual(alert);
    expect(emitted).toEqual([{ type: 'alert.raised', ts: 1_000_000, alert }]);
    expect(AlertRaisedEventSchema.parse(emitted[0])).toEqual(emitted[0]);
    expect(store.list(10)).toEqual([alert]);
  });

  it('counts repeats of the same mismatch on one row, keeping its first time', () => {
    const first = store.raise(mismatch());
    clock += 500;
    store.raise(mismatch());
    clock += 500;
    const third = store.raise(mismatch({ caller: { version: '1.5.0' }, instance: { agent: 'Alice B.' } }));
    expect(third).toMatchObject({ id: first.id, firstTs: 1_000_000, lastTs: 1_001_000, count: 3 });
    // the caller's version and the agent's display name are the latest seen, not part of the identity
    expect(third.caller.version).toBe('1.5.0');
    expect(third.instance.agent).toBe('Alice B.');
    expect(store.list(10)).toEqual([third]);
  });

  it('keeps distinct mismatches apart', () => {
    const variants = [
      mismatch(),
      mismatch({ caller: { service: 'web' } }),
      mismatch({ caller: { project: 'other' } }),
      mismatch({ dependency: 'auth2' }),
      mismatch({ range: '^2.2' }),
      mismatch({ instance: { agentId: 'id-bob', agent: 'bob' } }),
      mismatch({ instance: { project: 'shop2' } }),
      mismatch({ instance: { service: 'auth-v2' } }),
      mismatch({ instance: { version: '1.8.0' } }),
      mismatch({ action: 'refused' }),
    ];
    const ids = new Set(variants.map((v) => store.raise(v).id));
    expect(ids.size).toBe(variants.length);
    expect(emitted).toHaveLength(variants.length);
  });

  it('announces a repeat only when the row was last announced more than 60 s ago', () => {
    store.raise(mismatch());
    clock += 30_000;
    store.raise(mismatch());
    clock += 30_000; // exactly 60 s since the announcement: not more
    store.raise(mismatch());
    expect(emitted).toHaveLength(1);
    clock += 1;
    const fourth = store.raise(mismatch());
    expect(emitted).toHaveLength(2);
    expect(emitted[1]).toEqual({ type: 'alert.raised', ts: clock, alert: fourth });
    expect(fourth.count).toBe(4);
    // the window restarts from that announcement
    clock += 59_000;
    store.raise(mismatch());
    expect(emitted).toHaveLength(2);
    clock += 2_000;
    store.raise(mismatch());
    expect(emitted).toHaveLength(3);
  });

  it('does not storm under load: thousands of repeats, one event per row per minute', () => {
    for (let n = 0; n < 5000; n++) {
      clock += 10; // 100 a second for 50 s
      store.raise(mismatch({ action: n % 2 ? 'warned' : 'refused' }));
    }
    expect(emitted).toHaveLength(2);
    expect(
      store
        .list(10)
        .map((a) => a.count)
        .sort(),
    ).toEqual([2500, 2500]);
  });

  it('lists newest last occurrence first, up to the limit', () => {
    const a = store.raise(mismatch({ dependency: 'a' }));
    clock += 10;
    const b = store.raise(mismatch({ dependency: 'b' }));
    clock += 10;
    const c = store.raise(mismatch({ dependency: 'c' }));
    clock += 10;
    store.raise(mismatch({ dependency: 'a' })); // a happened again: now the newest
    expect(store.list(10).map((x) => x.id)).toEqual([a.id, c.id, b.id]);
    expect(store.list(2).map((x) => x.id)).toEqual([a.id, c.id]);
    expect(store.list(0)).toEqual([]);
    expect(store.list(-5)).toEqual([]);
  });

  it(`keeps only the newest ${ALERTS_KEPT} rows, never reusing an id`, () => {
    const first = store.raise(mismatch({ dependency: 'dep-0' }));
    let last = first;
    for (let n = 1; n < ALERTS_KEPT + 5; n++) {
      clock += 1;
      last = store.raise(mismatch({ dependency: `dep-${n}` }));
    }
    const rows = database.db.prepare('SELECT COUNT(*) AS n FROM version_alerts').get() as { n: number };
    expect(rows.n).toBe(ALERTS_KEPT);
    const listed = store.list(ALERTS_KEPT + 100);
    expect(listed).toHaveLength(ALERTS_KEPT);
    expect(listed[0]!.id).toBe(last.id);
    expect(listed.at(-1)!.dependency).toBe('dep-5');
    // a mismatch seen again after its row was trimmed starts a new row, with an id never used before
    clock += 1;
    const again = store.raise(mismatch({ dependency: 'dep-0' }));
    expect(again.count).toBe(1);
    expect(again.id).toBeGreaterThan(last.id);
  });

  it('keeps alerts and their counts across a reopen', () => {
    store.raise(mismatch());
    store.raise(mismatch());
    database.close();
    database = Database.open(join(dir, 'devmesh.db'));
    const reopened = new VersionAlertStore(database, events, () => clock + 1000);
    expect(reopened.raise(mismatch())).toMatchObject({ count: 3, firstTs: 1_000_000, lastTs: 1_001_000 });
    // announced 1 s ago by the previous store: still quiet
    expect(emitted).toHaveLength(1);
  });
});
