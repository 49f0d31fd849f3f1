// Version alerts on a real full disk (a tmpfs): the router's reports never throw, the failure shows as a
// health problem, and the occurrences are stored, counted, once space is back.
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../main/core/events/event-bus.js';
import { DaemonHealth } from '../../../main/core/health/daemon-health.js';
import { StoreGuard } from '../../../main/core/health/store-guard.js';
import { MismatchRecorder, VERSION_ALERT_RULE } from '../../../main/core/mesh/mismatch-recorder.js';
import { VersionAlertStore } from '../../../main/core/mesh/version-alert-store.js';
import type { MismatchReport } from '../../../main/core/proxy/route-chooser.js';
import { Database } from '../../../main/core/store/database.js';
import { FullDisk } from '../../helpers/full-disk.js';
import { until } from '../../helpers/until.js';

const disks: FullDisk[] = [];
afterEach(() => {
  for (const d of disks.splice(0)) d.dispose();
});

const report = (n: number): MismatchReport => ({
  caller: { project: 'shop', service: `api-${n}`, version: '1.4.0', range: '^2.1', onMismatch: 'warn' },
  dependency: 'auth',
  range: '^2.1',
  instance: {
    key: 'b/shop/auth',
    agentId: 'id-bob',
    agentName: 'bob',
    local: false,
    project: 'shop',
    service: 'auth',
    version: '1.9.0',
    healthy: true,
    latencyMs: 1,
  },
  action: 'warned',
});

describe('MismatchRecorder on a full disk', () => {
  it.skipIf(FullDisk.unavailable() !== null)(
    'keeps counting, shows the problem, and stores the alerts once space is freed',
    async () => {
      const disk = FullDisk.mount(4);
      disks.push(disk);
      const where = join(disk.dir, 'devmesh.db');
      const database = Database.open(where);
      const health = new DaemonHealth({ logger: pino({ enabled: false }), emit: () => undefined });
      const store = new VersionAlertStore(database, new EventBus());
      const recorder = new MismatchRecorder(
        store,
        new StoreGuard(health, { component: 'version alerts', where, rule: VERSION_ALERT_RULE }),
      );

      disk.fill();
      // distinct callers, each a new row with a long name, until the WAL cannot hold them (bounded)
      for (let n = 0; n < 400 && !health.has('version alerts'); n++) {
        expect(() =>
          recorder.record({ ...report(n), caller: { ...report(n).caller, service: `api-${n}-${'x'.repeat(2000)}` } }),
        ).not.toThrow();
      }
      expect(health.problem('version alerts')).toMatchObject({ code: 'DISK_FULL', rule: VERSION_ALERT_RULE });
      expect(() => recorder.record(report(9999))).not.toThrow();
      recorder.record(report(9999));

      disk.release();
      await until(
        'the alerts stored',
        () => store.list(1000).some((a) => a.caller.service === 'api-9999' && a.count === 2),
        10_000,
      );
      expect(health.has('version alerts')).toBe(false);
      recorder.flush();
      database.close();
    },
  );
});
