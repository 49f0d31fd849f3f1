// A clean stop and start of the real core on one home: the lock still held at shutdown is recorded as dropped
// because DevMesh shut down (at the time, not guessed at the next start), nothing is said to have died, no
// terminal is reported as left behind, and the next run's lock ids never repeat the last run's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCore } from './test-core.js';
import { scaled } from '../helpers/load-scale.js';

let dm: TestCore;
beforeAll(async () => {
  dm = await TestCore.open({
    prefix: 'devmesh-restart-records-',
    project: 'shop',
    files: { 'src/a.ts': 'export {};\n' },
  });
});
afterAll(() => dm?.dispose());

describe('a clean restart', () => {
  it(
    'records the held lock as dropped at shutdown and claims no death',
    async () => {
      const lock = await dm.call('locks.acquire', {
        holder: 'user',
        mode: 'WRITE',
        target: { kind: 'file', path: 'src/a.ts' },
      });
      await dm.call('terminals.create', { command: 'sleep', args: ['300'], record: false });
      await dm.close();
      await dm.open();

      const kinds = async (kind: string) => (await dm.call('audit.list', { kind, limit: 100 })).entries;
      const dropped = await kinds('lock.dropped');
      expect(
        dropped.map((e) => [(e.data as { lockId: string }).lockId, (e.data as { reason: string }).reason]),
      ).toEqual([[lock.id, 'DevMesh shut down']]);
      expect(await kinds('daemon')).toEqual([]);
      expect(await kinds('terminal.ended')).toEqual([]);

      const again = await dm.call('locks.acquire', {
        holder: 'user',
        mode: 'WRITE',
        target: { kind: 'file', path: 'src/a.ts' },
      });
      expect(again.id).not.toBe(lock.id);
      expect((await dm.call('audit.verify', {})).ok).toBe(true);
    },
    scaled(60_000),
  );
});
