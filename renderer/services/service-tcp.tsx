// The cells of a TCP service's row (`protocol: tcp`): its stable address through DevMesh (with a Copy button
// and who serves it), and, beside the HTTP services' traffic, its open and total connections and bytes each
// way (proxy.tcp, kept in the tcp store).
import { useStore } from 'zustand';
import { CopyButton } from '../common/copy-button.js';
import { describeTcpTraffic, formatTcpTraffic } from '../common/format-traffic.js';
import { useApp } from '../shell/app-context.js';

export function TcpAddressCell({ name, fallback }: { name: string; fallback: string | null }) {
  const { stores } = useApp();
  const route = useStore(stores.tcp, (s) => s.byService[name]);
  const error = useStore(stores.tcp, (s) => s.error);
  const address = route ? route.address : fallback;
  if (route?.problem) {
    return (
      <span className="tcp-problem" data-testid={`service-tcp-${name}`} role="alert">
        {route.address ?? `127.0.0.1:${route.port}`}: {route.problem}
      </span>
    );
  }
  if (!address) {
    return (
      <span className="muted" data-testid={`service-tcp-${name}`} title={error ?? 'No stable TCP address yet'}>
        —
      </span>
    );
  }
  const who = route?.servedBy ?? route?.target ?? null;
  return (
    <span className="tcp-address" data-testid={`service-tcp-${name}`}>
      <span
        className="mono tcp-address-text"
        title={`${address}${route ? (route.fixed ? ' (tcp_port in devmesh.yaml)' : ' (allocated once, remembered)') : ''}`}
      >
        {address}
      </span>
      <CopyButton text={address} label={`Copy the address of ${name}`} />
      <span className="muted tcp-served-by" data-testid={`service-tcp-served-${name}`}>
        {route ? (who ? `→ ${who}${route.direct ? ' (direct)' : ''}` : '→ nobody') : ''}
      </span>
    </span>
  );
}

export function TcpTrafficCell({ name }: { name: string }) {
  const { stores } = useApp();
  const route = useStore(stores.tcp, (s) => s.byService[name]);
  const failing = route !== undefined && route.failedConnections > 0 && route.target === null;
  return (
    <span
      className={failing ? 'service-traffic mono failing' : 'service-traffic mono'}
      data-testid={`service-traffic-${name}`}
      title={describeTcpTraffic(route)}
    >
      {formatTcpTraffic(route)}
    </span>
  );
}
