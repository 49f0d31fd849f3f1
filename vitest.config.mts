import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    // Every core a test starts runs the proxy: on free ports, never the user's 7777/7443.
    env: { DEVMESH_PROXY_HTTP_PORT: '0', DEVMESH_PROXY_HTTPS_PORT: '0', DEVMESH_MESH_INGRESS_PORT: '0' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Real processes and sockets: keep parallelism modest on a 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
    fileParallelism: true,
  },
});
