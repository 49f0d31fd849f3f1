// Says so when the UI cannot reach the daemon. What is on screen may be stale until it reconnects.
import { useStore } from 'zustand';
import { useApp } from './app-context.js';

export function ConnectionBanner() {
  const { stores } = useApp();
  const status = useStore(stores.connection, (s) => s.status);
  const everConnected = useStore(stores.connection, (s) => s.everConnected);
  if (status.state === 'open') return null;
  let text: string;
  if (status.state === 'closed') text = 'Disconnected from the DevMesh daemon. Reload the page to reconnect.';
  else if (!everConnected && status.attempt === 0) text = 'Connecting to the DevMesh daemon…';
  else if (!everConnected)
    text = `Cannot reach the DevMesh daemon (attempt ${status.attempt}). Is \`devmesh up\` running?`;
  else
    text = `Connection to the DevMesh daemon lost; reconnecting (attempt ${status.attempt}). What you see may be out of date.`;
  return (
    <div
      className={`banner ${status.state === 'connecting' ? 'banner-info' : 'banner-warn'}`}
      role="status"
      data-testid="connection-banner"
      data-state={status.state}
    >
      <span className="spinner" aria-hidden="true" />
      {text}
    </div>
  );
}
