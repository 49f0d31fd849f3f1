// What the proxy adds to a service row: the service's stable URLs and its live request and error rates.
// Each reads its own entry of the routes / traffic store, so a traffic tick re-renders one cell, not the table.
import { useStore } from 'zustand';
import { useApp } from '../shell/app-context.js';
import { describeTraffic, formatTraffic } from '../common/format-traffic.js';

export function ServiceUrls({ name }: { name: string }) {
  const { stores } = useApp();
  const route = useStore(stores.routes, (s) => s.byService[name]);
  const error = useStore(stores.routes, (s) => s.error);
  if (!route || route.urls.length === 0) {
    return (
      <span className="muted" data-testid={`service-url-${name}`} title={error ?? 'No proxy route'}>
        —
      </span>
    );
  }
  return (
    <span className="service-urls" data-testid={`service-url-${name}`}>
      {route.urls.map((url, i) => (
        // target=_blank: a browser opens a tab; the Electron window hands http(s) links to the system browser.
        <a
          key={url}
          className={i === 0 ? 'service-url mono' : 'service-url service-url-alt mono'}
          href={url}
          target="_blank"
          rel="noopener noreferrer"
          title={`${url} → ${route.servedBy ?? route.target ?? `not served now (${route.state})`}${route.startOnRequest ? '; starts on request' : ''}`}
          onClick={(e) => e.stopPropagation()} // opening a URL is not a row selection
        >
          {/* the first URL in full; the others (https) as their scheme, to keep the row narrow */}
          {i === 0 ? shortUrl(url) : (/^(\w+):/.exec(url)?.[1] ?? url)}
        </a>
      ))}
    </span>
  );
}

export function ServiceTrafficCell({ name }: { name: string }) {
  const { stores } = useApp();
  const traffic = useStore(stores.traffic, (s) => s.byService[name]);
  const failing = traffic !== undefined && traffic.errorsPerSec > 0;
  return (
    <span
      className={failing ? 'service-traffic mono failing' : 'service-traffic mono'}
      data-testid={`service-traffic-${name}`}
      title={describeTraffic(traffic)}
    >
      {formatTraffic(traffic)}
    </span>
  );
}

/** http://api.localhost:7777/ → api.localhost:7777 */
function shortUrl(url: string): string {
  const m = /^(https?):\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m) return url;
  const [, scheme, host, rest] = m;
  return `${scheme === 'https' ? 'https://' : ''}${host}${rest ? `/${rest}` : ''}`;
}
