// Finds other DevMesh agents on the local network with mDNS/DNS-SD (`_devmesh._tcp`) and announces this one
// under a host name of its own with the addresses it serves on (see mdns-advertiser.ts).
// It only reports what it hears (of every mesh, never itself): the caller filters by mesh and dials the
// addresses the advert's host name resolves to (the sender's address only when it resolves to none).
// The multicast socket is the outside world here: its errors (no multicast route, port taken) are logged,
// never thrown, and every TXT record is parsed with a schema before anything trusts it.
import { hostname } from 'node:os';
import { Bonjour, type Browser, type Service } from 'bonjour-service';
import type { Logger } from 'pino';
import type { Disposable } from '../base/disposable.js';
import * as lanAddresses from './lan-addresses.js';
import * as mdnsRecords from './mdns-records.js';
import { MDNS_SERVICE_TYPE, type MdnsAdvert } from './mdns-records.js';
import { MdnsAdvertiser, type MdnsResponder } from './mdns-advertiser.js';
import { MdnsHostResolver, type MdnsQuerySocket } from './mdns-host-resolver.js';

export { MDNS_SERVICE_TYPE, MESH_PROTOCOL_VERSION } from './mdns-records.js';
export type { MdnsAdvert, TxtParseResult } from './mdns-records.js';

export interface MdnsCandidate extends MdnsAdvert {
  /** what the advert's host resolves to, IPv4 first, the address the advert came from leading when it is
   * one of them; only the sender's address when the host resolved to none */
  addresses: string[];
  /** the SRV target, e.g. `vm-1a2b3c4d.local` */
  host: string;
}

export interface MdnsDiscoveryDeps {
  advert: MdnsAdvert;
  logger: Logger;
  /** bind/multicast interface address, optional */
  interface?: string;
  onCandidate(c: MdnsCandidate): void;
  onGone?(agentId: string): void;
  /** how often the browser starts afresh (re-queries and re-reports what answers); default 15 s */
  refreshMs?: number;
  /** the addresses this agent serves teammates on, published as its host's A/AAAA records (read at start
   * and at every refresh); default: every non-internal IPv4 address (a listener on 0.0.0.0) */
  addresses?: () => readonly string[];
  /** the machine's host name the published one is made of; default os.hostname() */
  hostname?: string;
}

// dispose() sends goodbyes before closing the socket, but never waits longer than this for them.
const GOODBYE_WAIT_MS = 500;
// How long an advert without its host's addresses waits for them to resolve before the sender's is used.
const RESOLVE_TIMEOUT_MS = 2_000;

interface MulticastDns extends MdnsQuerySocket {
  on(event: 'error' | 'warning', listener: (err: Error) => void): unknown;
  on(event: 'response', listener: (packet: object) => void): unknown;
}

/** bonjour-service's Server: the responder the advertiser registers with, and its multicast socket */
type BonjourServer = MdnsResponder & { mdns: MulticastDns & MdnsResponder['mdns'] };

export class MdnsDiscovery implements Disposable {
  private bonjour: Bonjour | null = null;
  private browser: Browser | null = null;
  private advertiser: MdnsAdvertiser | null = null;
  private resolver: MdnsHostResolver | null = null;
  /** the addresses last published (compared at each refresh) */
  private published: string[] = [];
  private refreshTimer: NodeJS.Timeout | null = null;
  private advert: MdnsAdvert;
  private publishGeneration = 0;
  private disposed = false;
  /** this agent's mDNS host name, `<hostname>-<id prefix>.local` */
  readonly host: string;
  /** fqdn → agentId, so a goodbye (which carries only the name) can say who left */
  private readonly seen = new Map<string, string>();
  private readonly log: Logger;

  constructor(private readonly deps: MdnsDiscoveryDeps) {
    this.advert = { ...deps.advert };
    this.log = deps.logger.child({ domain: 'mesh', component: 'mdns' });
    this.host = MdnsAdvertiser.hostName(deps.hostname ?? hostname(), deps.advert.agentId);
  }

  start(): void {
    if (this.disposed || this.bonjour) return;
    try {
      // Bind to 0.0.0.0 even when an interface is given: on Linux a socket bound to a unicast address does
      // not receive multicast; the interface still selects membership and the outgoing interface.
      const bonjourOptions = this.deps.interface ? { interface: this.deps.interface, bind: '0.0.0.0' } : {};
      this.bonjour = new Bonjour(bonjourOptions as object, (err: unknown) => this.onSocketError('respond', err));
      const server = MdnsDiscovery.internals(this.bonjour);
      this.guardSocket(server.mdns);
      this.advertiser = new MdnsAdvertiser(server, this.log);
      this.resolver = new MdnsHostResolver(server.mdns, this.log);
      this.publish(this.advert);
      this.browse();
      const refreshMs = this.deps.refreshMs ?? 15_000;
      this.refreshTimer = setInterval(() => this.refresh(), refreshMs);
      this.refreshTimer.unref();
      const started = { agentId: this.advert.agentId, host: this.host, addresses: this.published };
      this.log.info({ ...started, interface: this.deps.interface ?? null }, 'mdns discovery started');
    } catch (err) {
      this.log.warn({ err }, 'mdns discovery could not start; peers must be added by address');
      this.teardown();
    }
  }

  /** re-announce with a new advert (e.g. mesh joined) */
  update(advert: MdnsAdvert): void {
    this.advert = { ...advert };
    if (this.disposed || !this.bonjour) return;
    const generation = ++this.publishGeneration;
    // Goodbye first, then the new announcement, so peers never hold two TXT records for one name.
    // Peers see this agent gone and back: they dedupe by agentId.
    const next = (): void => {
      if (this.disposed || generation !== this.publishGeneration) return;
      this.publish(this.advert);
    };
    try {
      this.advertiser?.withdraw(next);
    } catch (err) {
      this.log.warn({ err }, 'mdns unpublish failed');
      next();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.teardown();
  }

  /** the advert's wire format, kept here for callers (see mdns-records.ts) */
  static readonly instanceName = mdnsRecords.instanceName;
  static readonly encodeTxt = mdnsRecords.encodeTxt;
  static readonly parseTxt = mdnsRecords.parseTxt;
  static readonly orderAddresses = mdnsRecords.orderAddresses;

  private publish(advert: MdnsAdvert): void {
    if (!this.advertiser || this.disposed) return;
    try {
      // No probing: the instance and host names carry the agent id.
      this.published = this.servedAddresses();
      const instance = MdnsDiscovery.instanceName(advert);
      const txt = MdnsDiscovery.encodeTxt(advert);
      this.advertiser.announce({ instance, host: this.host, port: advert.port, txt, addresses: this.published });
      const published = { name: instance, host: this.host, addresses: this.published, meshId: advert.meshId };
      this.log.debug({ ...published, port: advert.port }, 'mdns advert published');
    } catch (err) {
      this.log.warn({ err, port: advert.port }, 'mdns advert could not be published');
    }
  }

  private servedAddresses(): string[] {
    try {
      return [...(this.deps.addresses?.() ?? lanAddresses.served('0.0.0.0'))];
    } catch (err) {
      this.log.warn({ err }, 'mdns: the addresses this agent serves on are unknown; publishing none');
      return [];
    }
  }

  /** Every refreshMs: browse afresh, and announce again if the addresses this agent serves on changed. */
  private refresh(): void {
    try {
      this.browse();
      const now = this.servedAddresses();
      const same = now.length === this.published.length && now.every((a) => this.published.includes(a));
      if (!same) {
        this.log.info({ host: this.host, was: this.published, now }, 'mdns: addresses changed; announcing them');
        this.update(this.advert);
      }
    } catch (err) {
      this.log.warn({ err }, 'mdns refresh failed');
    }
  }

  /** (Re)starts the browser: a fresh one queries again and reports everything that answers, once each. */
  private browse(): void {
    if (!this.bonjour || this.disposed) return;
    try {
      this.browser?.stop();
      this.browser?.removeAllListeners();
      const browser = this.bonjour.find({ type: MDNS_SERVICE_TYPE, protocol: 'tcp' });
      this.browser = browser;
      browser.on('up', (s) => this.onService(s));
      browser.on('txt-update', (s) => this.onService(s));
      browser.on('srv-update', (s) => this.onService(s));
      browser.on('down', (s) => this.onDown(s));
    } catch (err) {
      this.log.warn({ err }, 'mdns browse failed');
    }
  }

  private onService(service: Service): void {
    try {
      const raw: unknown = (service as Service & { rawTxt?: unknown }).rawTxt ?? service.txt;
      const parsed = MdnsDiscovery.parseTxt(raw);
      if (!parsed.ok) {
        this.log.debug({ instance: service.name, host: service.host, reason: parsed.reason }, 'mdns advert ignored');
        return;
      }
      const advert = parsed.advert;
      if (advert.agentId === this.advert.agentId) return;
      if (typeof service.fqdn === 'string') this.seen.set(service.fqdn, advert.agentId);
      const from = service.referer?.address;
      const host = typeof service.host === 'string' ? service.host : '';
      const inPacket = Array.isArray(service.addresses) ? service.addresses : [];
      const report = (resolved: readonly unknown[]): void => {
        if (this.disposed) return;
        this.deps.onCandidate({ ...advert, addresses: MdnsDiscovery.orderAddresses(resolved, from), host });
      };
      if (inPacket.length > 0 || !host || !this.resolver) return report(inPacket);
      // The packet named a host without its addresses: ask for them before falling back on the sender.
      this.resolver
        .resolve(host, RESOLVE_TIMEOUT_MS)
        .then(report)
        .catch((err: unknown) => this.log.warn({ err, host }, 'mdns host resolution failed'));
    } catch (err) {
      this.log.warn({ err, instance: service?.name }, 'mdns candidate handler failed');
    }
  }

  private onDown(service: Service): void {
    try {
      const fqdn = typeof service.fqdn === 'string' ? service.fqdn : '';
      const agentId = this.seen.get(fqdn);
      this.seen.delete(fqdn);
      if (agentId && agentId !== this.advert.agentId) this.deps.onGone?.(agentId);
    } catch (err) {
      this.log.warn({ err }, 'mdns gone handler failed');
    }
  }

  /** bonjour-service's responder and socket (private in its types): checked, not assumed. */
  private static internals(bonjour: Bonjour): BonjourServer {
    type Unchecked = Partial<MdnsResponder> & { mdns?: Partial<BonjourServer['mdns']> };
    const server = (bonjour as unknown as { server?: Unchecked }).server;
    const mdns = server?.mdns;
    const fns = [server?.register, server?.unregister, mdns?.on, mdns?.respond, mdns?.query, mdns?.removeListener];
    if (!server || !mdns || fns.some((f) => typeof f !== 'function')) {
      throw new Error('bonjour-service internals changed: no responder and multicast socket to publish with');
    }
    return server as BonjourServer;
  }

  private guardSocket(mdns: MulticastDns): void {
    // multicast-dns emits 'error' (EADDRINUSE, EACCES) on an emitter that bonjour-service never listens to:
    // unhandled, that would throw out of the socket's event handler and end the process.
    mdns.on('error', (err) => this.onSocketError('socket', err));
    mdns.on('warning', (err) => this.log.debug({ err }, 'mdns socket warning'));
  }

  private onSocketError(where: string, err: unknown): void {
    const code = (err as { code?: unknown } | null)?.code;
    this.log.warn({ err, code, where }, 'mdns socket error; discovery by mDNS may not work on this network');
  }

  private teardown(): void {
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.refreshTimer = null;
    const bonjour = this.bonjour;
    this.bonjour = null;
    try {
      this.browser?.stop();
      this.browser?.removeAllListeners();
    } catch (err) {
      this.log.debug({ err }, 'mdns browser stop failed');
    }
    this.browser = null;
    const advertiser = this.advertiser;
    this.advertiser = null;
    this.resolver = null;
    if (!bonjour) return;
    let destroyed = false;
    const destroy = (): void => {
      if (destroyed) return;
      destroyed = true;
      clearTimeout(timer);
      try {
        bonjour.destroy();
      } catch (err) {
        this.log.debug({ err }, 'mdns destroy failed');
      }
    };
    const timer = setTimeout(destroy, GOODBYE_WAIT_MS);
    timer.unref();
    try {
      if (advertiser) advertiser.withdraw(destroy);
      else destroy();
    } catch (err) {
      this.log.debug({ err }, 'mdns unpublish failed');
      destroy();
    }
  }
}
