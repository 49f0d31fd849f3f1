// The proxy's HTTP URL (proxy.info `httpUrl`), asked once per connection and shared by every view that builds
// a link through the proxy (worktree copies' services): null while unknown, off, or when the daemon is older.
import { useEffect, useState } from 'react';
import type { DevMeshClient } from '../api/devmesh-client.js';
import { useApp } from '../shell/app-context.js';

const asked = new WeakMap<DevMeshClient, Promise<string | null>>();

function proxyHttpUrl(client: DevMeshClient): Promise<string | null> {
  let answer = asked.get(client);
  if (!answer) {
    answer = client.call('proxy.info', {}).then(
      (info) => info.httpUrl,
      (err: unknown) => {
        asked.delete(client); // asked again on the next use or reconnect
        console.warn(
          `devmesh: could not read the proxy's address: ${err instanceof Error ? err.message : String(err)}`,
        );
        return null;
      },
    );
    asked.set(client, answer);
  }
  return answer;
}

export function useProxyHttpUrl(): string | null {
  const { client } = useApp();
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const read = () => void proxyHttpUrl(client).then((u) => live && setUrl(u));
    read();
    const stop = client.onConnectionChange((status) => {
      if (status.state !== 'open') return;
      asked.delete(client); // a restarted daemon may listen elsewhere
      read();
    });
    return () => {
      live = false;
      stop();
    };
  }, [client]);
  return url;
}
