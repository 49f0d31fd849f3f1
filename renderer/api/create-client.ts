// Picks the transport once, at startup: inside the Electron app the preload exposes `window.devmesh`
// (contextIsolation keeps Node out of the page); in a browser the page came from the daemon's loopback
// server, so the API is the WebSocket at the same host, authenticated with the token the server put in
// the page.
import { BRIDGE_KEY, type DevMeshBridge } from '../../shared/bridge.js';
import type { DevMeshClient } from './devmesh-client.js';
import { IpcClient } from './ipc-client.js';
import { PageToken } from './page-token.js';
import { WsClient } from './ws-client.js';

export function createClient(win: Window = window): DevMeshClient {
  const bridge = (win as unknown as Record<string, DevMeshBridge | undefined>)[BRIDGE_KEY];
  if (bridge) return new IpcClient(bridge);
  const scheme = win.location.protocol === 'https:' ? 'wss' : 'ws';
  const token = new PageToken(win);
  return new WsClient({ url: `${scheme}://${win.location.host}/api`, token: () => token.get() });
}
