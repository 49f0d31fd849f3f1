// A hash of the shared/ contract, set by the build (scripts/build.mjs defines __DEVMESH_CONTRACT__); null when
// running from sources (tests). The API server sends it with the WebSocket upgrade (CONTRACT_HEADER); a
// client built from the same contract may take the answers as typed, since the same schemas shaped them,
// and any other client validates every answer with the contract's output schemas.
declare const __DEVMESH_CONTRACT__: string | undefined;

export const CONTRACT_FINGERPRINT: string | null =
  typeof __DEVMESH_CONTRACT__ === 'string' ? __DEVMESH_CONTRACT__ : null;

/** the response header of the WebSocket upgrade that carries the daemon's fingerprint */
export const CONTRACT_HEADER = 'x-devmesh-contract';
