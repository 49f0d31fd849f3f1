// What this agent announces over mDNS/DNS-SD, and the announcing: the `_devmesh._tcp` instance (PTR, SRV,
// TXT) and a host name of its own, `<hostname>-<agent id prefix>.local`, whose A/AAAA records hold only the
// addresses the agent serves on. bonjour-service 1.4.4 targets its SRV at the bare hostname (`vm.`, which
// avahi and dns-sd cannot resolve) with A/AAAA records of every interface under that name, so two agents
// sharing a hostname (two daemons on one machine, network namespaces) resolved to each other's address;
// it has no option for the addresses either (onlxltd/bonjour-service#70). So the records are built here,
// and bonjour-service's responder answers queries for them (`server.register`) on its socket.
// Announcing follows RFC 6762 §8.3 as bonjour-service does: at once, after 1 s, then at 3× the previous
// interval while it is under an hour; unique records carry the cache-flush bit (§10.2); goodbyes are the
// same records with TTL 0 (§10.1).
import type { Logger } from 'pino';

export interface MdnsRecord {
  name: string;
  type: 'PTR' | 'SRV' | 'TXT' | 'A' | 'AAAA';
  ttl: number;
  data: unknown;
  flush?: boolean;
}

/** The part of bonjour-service's Server this uses: its query responder's records, and its socket. */
export interface MdnsResponder {
  register(records: MdnsRecord[]): void;
  unregister(records: MdnsRecord[]): void;
  mdns: { respond(packet: { answers: MdnsRecord[] }, cb?: (err?: unknown) => void): void };
}

export interface MdnsRecordSet {
  /** the instance name (one DNS label) */
  instance: string;
  /** `<label>.local`, the SRV target */
  host: string;
  port: number;
  txt: Record<string, string>;
  /** the addresses the agent serves on: one A or AAAA record each */
  addresses: readonly string[];
}

const TLD = 'local';
const SERVICE_TYPE = '_devmesh._tcp';
// RFC 6762 §10: 120 s for records naming a host (SRV, A, AAAA), 75 min for the others
const HOST_TTL = 120;
const OTHER_TTL = 4500;
const FIRST_REPEAT_MS = 1_000;
const REPEAT_FACTOR = 3;
const LAST_REPEAT_MS = 60 * 60 * 1000;
// A DNS label is at most 63 bytes.
const MAX_LABEL_BYTES = 63;

export class MdnsAdvertiser {
  private current: MdnsRecord[] | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly responder: MdnsResponder,
    private readonly log: Logger,
  ) {}

  /** `<hostname>-<first 8 of the agent id>.local`: resolvable, and unique per agent on a shared hostname. */
  static hostName(hostname: string, agentId: string): string {
    const suffix = `-${agentId.slice(0, 8).toLowerCase()}`;
    let base = (hostname.split('.')[0] ?? '')
      .replace(/[^A-Za-z0-9-]+/g, '-')
      .replace(/-+/g, '-')
      .replace(/^-|-$/g, '');
    if (!base) base = 'devmesh';
    while (Buffer.byteLength(base + suffix) > MAX_LABEL_BYTES) base = base.slice(0, -1);
    return `${base}${suffix}.${TLD}`;
  }

  static records(set: MdnsRecordSet): MdnsRecord[] {
    const typeName = `${SERVICE_TYPE}.${TLD}`;
    const fqdn = `${set.instance}.${typeName}`;
    const records: MdnsRecord[] = [
      { name: typeName, type: 'PTR', ttl: OTHER_TTL, data: fqdn },
      { name: `_services._dns-sd._udp.${TLD}`, type: 'PTR', ttl: OTHER_TTL, data: typeName },
      {
        name: fqdn,
        type: 'SRV',
        ttl: HOST_TTL,
        data: { port: set.port, target: set.host, priority: 0, weight: 0 },
        flush: true,
      },
      {
        name: fqdn,
        type: 'TXT',
        ttl: OTHER_TTL,
        data: Object.entries(set.txt).map(([k, v]) => Buffer.from(`${k}=${v}`)),
        flush: true,
      },
    ];
    for (const address of set.addresses) {
      const type = address.includes(':') ? 'AAAA' : 'A';
      records.push({ name: set.host, type, ttl: HOST_TTL, data: address, flush: true });
    }
    return records;
  }

  /** Answers queries for the set from now on, and announces it (withdraw() the previous one first). */
  announce(set: MdnsRecordSet): void {
    this.stopRepeats();
    const records = MdnsAdvertiser.records(set);
    this.current = records;
    this.responder.register(records);
    let delay = FIRST_REPEAT_MS;
    const send = (): void => {
      if (this.current !== records) return;
      try {
        this.responder.mdns.respond({ answers: records }, (err) => {
          if (err) this.log.debug({ err }, 'mdns announcement not sent');
        });
      } catch (err) {
        // from a timer: never thrown on, the next repeat (or the next refresh) tries again
        this.log.warn({ err }, 'mdns announcement failed');
      }
      if (delay >= LAST_REPEAT_MS) return;
      this.timer = setTimeout(send, delay);
      this.timer.unref();
      delay *= REPEAT_FACTOR;
    };
    send();
  }

  /** Stops answering for the announced set and says goodbye (TTL 0); `done` once the goodbye was sent. */
  withdraw(done: () => void = () => undefined): void {
    this.stopRepeats();
    const records = this.current;
    this.current = null;
    if (!records) return void process.nextTick(done);
    this.responder.unregister(records);
    const goodbye = records.map((r) => ({ ...r, ttl: 0 }));
    try {
      this.responder.mdns.respond({ answers: goodbye }, (err) => {
        if (err) this.log.debug({ err }, 'mdns goodbye not sent');
        done();
      });
    } catch (err) {
      this.log.debug({ err }, 'mdns goodbye not sent');
      done();
    }
  }

  private stopRepeats(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
