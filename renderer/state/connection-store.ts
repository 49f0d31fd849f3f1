// Whether the UI can reach DevMesh right now; drives the connection banner.
import { createStore } from 'zustand/vanilla';
import type { ConnectionStatus } from '../api/devmesh-client.js';

export interface ConnectionState {
  status: ConnectionStatus;
  /** false until the first open connection: "connecting" then reads differently from "lost" */
  everConnected: boolean;
  setStatus(status: ConnectionStatus): void;
}

export const createConnectionStore = (initial: ConnectionStatus) =>
  createStore<ConnectionState>()((set) => ({
    status: initial,
    everConnected: initial.state === 'open',
    setStatus: (status) => set((s) => ({ status, everConnected: s.everConnected || status.state === 'open' })),
  }));

export type ConnectionStore = ReturnType<typeof createConnectionStore>;
