// The lifecycle every mesh-netns suite shares: a describe block skipped (saying why in its title) where a
// MeshLab cannot run, and one lab per test, disposed after it, with the lab's diagnostics printed when the
// test failed. Kept apart from mesh-lab.ts, which the benches load without vitest.
//
//   describeMeshLab('routing between machines', (createLab) => {
//     it('...', async () => {
//       const lab = await createLab({ hosts: 3, multicast: false });
//       ...
//     }, TEST_TIMEOUT_MS);
//   });
import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import { describeLoad, scaled } from './load-scale.js';
import { MeshLab, type MeshLabOptions } from './mesh-lab.js';

/** A mesh-netns test's limit: about 20 s on a quiet machine with three daemons, three times that, scaled
 * by the load (the waits inside fail first, naming what never came). */
export const TEST_TIMEOUT_MS = scaled(60_000);

export type CreateLab = (options?: MeshLabOptions) => Promise<MeshLab>;

export function describeMeshLab(name: string, body: (createLab: CreateLab) => void): void {
  const title = MeshLab.available() ? name : `${name} (skipped: ${MeshLab.unavailableReason()})`;
  describe.skipIf(!MeshLab.available())(title, () => {
    let creating: Promise<MeshLab> | null = null;

    // A test that timed out while its lab was starting leaves the creation running: wait for it (every step
    // of it is bounded) and dispose what it made, or its daemons and namespaces outlive the test run.
    afterEach(async (ctx) => {
      const lab = await creating?.catch(() => null);
      creating = null;
      if (lab && ctx.task.result?.state === 'fail') console.error(`${describeLoad()}\n${lab.diagnostics()}`);
      await lab?.dispose();
    }, scaled(120_000));

    body(async (options) => {
      if (creating) throw new Error('describeMeshLab: one lab per test');
      creating = MeshLab.create(options);
      return creating;
    });
  });
}

/**
 * One lab for a whole describe block (its tests share it, in order; each leaves it as it found it): created,
 * fully meshed, before the first test; disposed after the last, also when creation failed half-way. The
 * returned function gives the lab inside a test. Use inside a `describeMeshLab` block or a `describe` skipped
 * where `MeshLab.available()` is false.
 */
export function useSharedMeshLab(options: MeshLabOptions): () => MeshLab {
  let creating: Promise<MeshLab> | null = null;
  let lab: MeshLab | null = null;
  beforeAll(async () => {
    creating = MeshLab.create(options);
    lab = await creating;
    await lab.waitFullMesh();
  }, scaled(180_000));
  afterEach((ctx) => {
    if (lab && ctx.task.result?.state === 'fail') console.error(`${describeLoad()}\n${lab.diagnostics()}`);
  });
  afterAll(async () => {
    const made = await creating?.catch(() => null);
    await made?.dispose();
  }, scaled(120_000));
  return () => {
    if (!lab) throw new Error('useSharedMeshLab: the lab was not created (see beforeAll)');
    return lab;
  };
}
