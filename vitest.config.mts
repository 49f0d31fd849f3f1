import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // .test.tsx: component tests of renderer views; each opts into jsdom with `// @vitest-environment jsdom`
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    environment: 'node',
    // Every core a test starts runs the proxy: on free ports, never the user's 7777/7443.
    env: { DEVMESH_PROXY_HTTP_PORT: '0', DEVMESH_PROXY_HTTPS_PORT: '0', DEVMESH_MESH_INGRESS_PORT: '0' },
    // quiet-machine bounds; tests/setup/load-scaled-timeouts.ts scales them by the load in each test file
    testTimeout: 30_000,
    hookTimeout: 60_000,
    setupFiles: ['tests/setup/load-scaled-timeouts.ts'],
    // Real processes and sockets: keep parallelism modest on a 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
    fileParallelism: true,
    // Per checkout: git worktrees share node_modules through a symlink, and one cache there served a module
    // transformed from another worktree's file of the same path.
    fsModuleCachePath: fileURLToPath(new URL('.vitest-cache', import.meta.url)),
  },
});
