// The lifecycle every mesh-netns suite shares: a describe block skipped (saying why in its title) where a
// MeshLab cannot run, and one lab per test, disposed after it, with the lab's diagnostics printed when the
// test failed. Kept apart from mesh-lab.ts, which the benches load without vitest.
//
//   describeMeshLab('routing between machines', (createLab) => {
//     it('...', async () => {
//       const lab = await createLab({ hosts: 3, multicast: false });
//       ...
//     });
//   });
import { afterEach, describe } from 'vitest';
import { MeshLab, type MeshLabOptions } from './mesh-lab.js';

export type CreateLab = (options?: MeshLabOptions) => Promise<MeshLab>;

export function describeMeshLab(name: string, body: (createLab: CreateLab) => void): void {
  const title = MeshLab.available() ? name : `${name} (skipped: ${MeshLab.unavailableReason()})`;
  describe.skipIf(!MeshLab.available())(title, () => {
    let lab: MeshLab | null = null;

    afterEach(async (ctx) => {
      if (lab && ctx.task.result?.state === 'fail') console.error(lab.diagnostics());
      await lab?.dispose();
      lab = null;
    });

    body(async (options) => {
      if (lab) throw new Error('describeMeshLab: one lab per test');
      lab = await MeshLab.create(options);
      return lab;
    });
  });
}
