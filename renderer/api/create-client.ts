// Picks the transport once, at startup: inside the Electron app the preload exposes `window.devmesh`
// (contextIsolation keeps Node out of the page); in a browser the page came from the daemon's loopback
// server, so the API is the WebSocket at the same host, authenticated with the token the server put in
// the page.
import { BRIDGE_KEY, type DevMeshBridge } from '../../shared/bridge.js';
import type { DevMeshClient } from './devmesh-client.js';
import { IpcClient } from './ipc-client.js';
import { WsClient } from './ws-client.js';

const TOKEN_META = /<meta\s+name="devmesh-token"\s+content="([^"]*)"/;

export function createClient(win: Window = window): DevMeshClient {
  const bridge = (win as unknown as Record<string, DevMeshBridge | undefined>)[BRIDGE_KEY];
  if (bridge) return new IpcClient(bridge);
  const scheme = win.location.protocol === 'https:' ? 'wss' : 'ws';
  const url = `${scheme}://${win.location.host}/api`;
  let token = readTokenMeta(win.document);
  let firstAttempt = true;
  return new WsClient({
    url,
    token: async () => {
      if (firstAttempt) {
        firstAttempt = false;
        return token;
      }
      // A restarted daemon may have minted a new token: the page it serves now carries it.
      token = (await fetchPageToken(win)) ?? token;
      return token;
    },
  });
}

function readTokenMeta(doc: Document): string {
  return doc.querySelector<HTMLMetaElement>('meta[name="devmesh-token"]')?.content ?? '';
}

async function fetchPageToken(win: Window): Promise<string | null> {
  try {
    const res = await win.fetch(win.location.href, { cache: 'no-store', credentials: 'same-origin' });
    if (!res.ok) return null;
    return TOKEN_META.exec(await res.text())?.[1] || null;
  } catch {
    // The daemon is down: keep the last token and let the WebSocket attempt report the failure.
    return null;
  }
}
