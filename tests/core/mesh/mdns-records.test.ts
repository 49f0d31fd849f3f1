// MdnsDiscovery as units: its TXT records, instance and host names, and the order it dials addresses in.
// Real mDNS between processes in network namespaces is in mdns-discovery.test.ts.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as lanAddresses from '../../../main/core/mesh/lan-addresses.js';
import { MdnsAdvertiser } from '../../../main/core/mesh/mdns-advertiser.js';
import { MdnsDiscovery, MESH_PROTOCOL_VERSION } from '../../../main/core/mesh/mdns-discovery.js';
import { advert } from './mdns-advert.js';

describe('MdnsDiscovery TXT records', () => {
  it('round-trips an advert through its TXT record, raw or decoded', () => {
    const a = advert({ meshId: '' });
    const raw = Object.entries(MdnsDiscovery.encodeTxt(a)).map(([k, v]) => Buffer.from(`${k}=${v}`));
    expect(MdnsDiscovery.parseTxt(raw)).toEqual({ ok: true, advert: a });
    expect(MdnsDiscovery.parseTxt(MdnsDiscovery.encodeTxt(a))).toEqual({ ok: true, advert: a });
  });

  it('keeps values that contain "=" and treats keys case-insensitively, first one winning', () => {
    const a = advert({ name: 'a=b' });
    const raw = [
      'TXTVERS=1',
      `ID=${a.agentId}`,
      'name=a=b',
      'name=other',
      `mesh=${a.meshId}`,
      'port=7001',
      `proto=${MESH_PROTOCOL_VERSION}`,
    ];
    expect(MdnsDiscovery.parseTxt(raw.map((s) => Buffer.from(s)))).toEqual({ ok: true, advert: a });
  });

  it.each([
    ['nothing', undefined],
    ['a number', 42],
    ['an empty record', []],
    ['another txtvers', { ...MdnsDiscovery.encodeTxt(advert()), txtvers: '2' }],
    ['another protocol', { ...MdnsDiscovery.encodeTxt(advert()), proto: String(MESH_PROTOCOL_VERSION + 1) }],
    ['a port out of range', { ...MdnsDiscovery.encodeTxt(advert()), port: '70000' }],
    ['a port that is not a number', { ...MdnsDiscovery.encodeTxt(advert()), port: '7001abc' }],
    ['a bad agent id', { ...MdnsDiscovery.encodeTxt(advert()), id: 'x y' }],
    ['a bad mesh id', { ...MdnsDiscovery.encodeTxt(advert()), mesh: 'MESH!' }],
    ['an over-long name', { ...MdnsDiscovery.encodeTxt(advert()), name: 'n'.repeat(65) }],
    ['binary garbage', [Buffer.from([0xff, 0xfe, 0x00, 0x3d, 0x80])]],
  ])('rejects %s without throwing', (_label, raw) => {
    const r = MdnsDiscovery.parseTxt(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason.length).toBeGreaterThan(0);
  });

  it('makes instance names one DNS label, unique per agent', () => {
    const a = advert({ name: 'my.laptop '.repeat(20) });
    const name = MdnsDiscovery.instanceName(a);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
    expect(name).not.toContain('.');
    expect(name.endsWith(a.agentId.slice(0, 8))).toBe(true);
  });

  it('dials what the host resolved to: IPv4 first, the sender first when it is one of them, no link-local', () => {
    expect(MdnsDiscovery.orderAddresses(['fe80::1', '2001:db8::2', '172.17.0.1', '10.0.0.2'], '10.0.0.2')).toEqual([
      '10.0.0.2',
      '172.17.0.1',
      '2001:db8::2',
    ]);
    // the packet left by an interface the agent does not serve on: its address is not dialed
    expect(MdnsDiscovery.orderAddresses(['10.0.0.2'], '192.168.1.5')).toEqual(['10.0.0.2']);
    // nothing resolved: the sender is all there is
    expect(MdnsDiscovery.orderAddresses([], '192.168.1.5')).toEqual(['192.168.1.5']);
    expect(MdnsDiscovery.orderAddresses([])).toEqual([]);
  });

  it('publishes a host name of its own: <hostname>-<agent id prefix>.local, one DNS label', () => {
    const id = randomUUID();
    expect(MdnsAdvertiser.hostName('vm', id)).toBe(`vm-${id.slice(0, 8)}.local`);
    expect(MdnsAdvertiser.hostName('Jo’s Laptop.corp.example', id)).toBe(`Jo-s-Laptop-${id.slice(0, 8)}.local`);
    expect(MdnsAdvertiser.hostName('', id)).toBe(`devmesh-${id.slice(0, 8)}.local`);
    const long = MdnsAdvertiser.hostName('x'.repeat(100), id);
    expect(Buffer.byteLength(long.slice(0, -'.local'.length))).toBeLessThanOrEqual(63);
    // two agents on one machine (one hostname) publish two names
    expect(MdnsAdvertiser.hostName('vm', randomUUID())).not.toBe(MdnsAdvertiser.hostName('vm', id));
  });

  it('targets the SRV record at that host name, whose A/AAAA records hold the addresses given, and no others', () => {
    const records = MdnsAdvertiser.records({
      instance: 'DevMesh a 1a2b3c4d',
      host: 'vm-1a2b3c4d.local',
      port: 7790,
      txt: { id: 'x' },
      addresses: ['10.0.0.2', '2001:db8::2'],
    });
    expect(records.find((r) => r.type === 'SRV')).toMatchObject({
      name: 'DevMesh a 1a2b3c4d._devmesh._tcp.local',
      data: { port: 7790, target: 'vm-1a2b3c4d.local' },
    });
    expect(records.filter((r) => r.type === 'A' || r.type === 'AAAA').map((r) => [r.name, r.type, r.data])).toEqual([
      ['vm-1a2b3c4d.local', 'A', '10.0.0.2'],
      ['vm-1a2b3c4d.local', 'AAAA', '2001:db8::2'],
    ]);
  });

  it('serves on the addresses its listener is bound to: IPv4 only on 0.0.0.0, none on loopback', () => {
    expect(lanAddresses.served('0.0.0.0').every((a) => !a.includes(':'))).toBe(true);
    expect(lanAddresses.served('127.0.0.1')).toEqual([]);
    expect(lanAddresses.served('::').length).toBeGreaterThanOrEqual(lanAddresses.served('0.0.0.0').length);
  });
});
