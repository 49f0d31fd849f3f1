// Independent mDNS resolvers for the network-namespace tests: what DevMesh announces is checked with other
// implementations than the one that announced it.
// - Zeroconf: python3-zeroconf (Debian), run once in a namespace: browses `_devmesh._tcp`, resolves every
//   instance (SRV target, A/AAAA of that target, port) and prints JSON.
// - Avahi: the avahi-daemon of Debian in a namespace of its own, on a private dbus-daemon (found through
//   DBUS_SYSTEM_BUS_ADDRESS), queried with `avahi-browse -rtp` and `avahi-resolve -4 -n`. Its /run is a tmpfs
//   private to it (`ip netns exec` gives each command its own mount namespace), so nothing of it is left on
//   the machine.
// Each says why it cannot run (a missing package, not root) for a skip message; .ci/run installs them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scaled } from './load-scale.js';
import type { NetnsLab } from './netns-lab.js';
import { sleep } from './until.js';

const PYTHON = '/usr/bin/python3';

export interface ResolvedInstance {
  /** the instance name (first label, unescaped) */
  instance: string;
  /** the SRV target, without a trailing dot (e.g. `vm-1a2b3c4d.local`) */
  host: string;
  /** what the target resolved to */
  addresses: string[];
  port: number;
}

const ZEROCONF_PY = `
import json, sys, time
from zeroconf import IPVersion, ServiceBrowser, ServiceListener, Zeroconf
TYPE = '_devmesh._tcp.local.'
iface, expected, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
zc = Zeroconf(interfaces=[iface], ip_version=IPVersion.V4Only)
names = set()
class Listener(ServiceListener):
    def add_service(self, zc, t, name): names.add(name)
    def update_service(self, zc, t, name): names.add(name)
    def remove_service(self, zc, t, name): names.discard(name)
browser = ServiceBrowser(zc, TYPE, Listener())
deadline = time.monotonic() + seconds
while len(names) < expected and time.monotonic() < deadline:
    time.sleep(0.1)
out = []
for name in sorted(names):
    info = zc.get_service_info(TYPE, name, timeout=int(max(1, deadline - time.monotonic()) * 1000))
    if info is None:
        out.append({'instance': name[: -len(TYPE) - 1], 'host': '', 'addresses': [], 'port': 0})
        continue
    host = (info.server or '').rstrip('.')
    out.append({'instance': name[: -len(TYPE) - 1], 'host': host, 'addresses': info.parsed_addresses(), 'port': info.port})
browser.cancel()
zc.close()
print(json.dumps(out))
`;

export class ZeroconfResolver {
  /** Why python3-zeroconf cannot run here, or null. */
  static unavailableReason(): string | null {
    const r = spawnSync(PYTHON, ['-c', 'import zeroconf'], { stdio: 'ignore', timeout: scaled(20_000) });
    return r.status === 0 ? null : `needs python3-zeroconf (${PYTHON} -c 'import zeroconf' failed)`;
  }

  /** Browses from host `hostIndex` until `expected` instances answered (or `seconds` passed) and resolves each. */
  static async browse(
    lab: NetnsLab,
    hostIndex: number,
    expected: number,
    seconds = scaled(10_000) / 1000,
  ): Promise<ResolvedInstance[]> {
    const { ip, ns } = lab.hosts[hostIndex]!;
    const args = ['-c', ZEROCONF_PY, ip, String(expected), String(seconds)];
    const r = await lab.run(hostIndex, PYTHON, args, { timeoutMs: seconds * 2000 + scaled(15_000) });
    if (r.code !== 0)
      throw new Error(
        `zeroconf in ${ns} ${r.timedOut ? 'timed out' : `exited with ${r.code}`}: ${r.stderr.slice(-2000)}`,
      );
    return JSON.parse(r.stdout) as ResolvedInstance[];
  }
}

const DBUS_CONF = (socket: string) => `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
`;

const AVAHI_CONF = (hostName: string) => `[server]
host-name=${hostName}
use-ipv4=yes
use-ipv6=no
allow-interfaces=veth0
enable-dbus=yes
[publish]
publish-hinfo=no
publish-workstation=no
`;

/** avahi-daemon (with its own dbus-daemon) in one host namespace of a lab; stopped with the lab. */
export class AvahiResolver {
  private constructor(
    private readonly lab: NetnsLab,
    private readonly hostIndex: number,
    private readonly dir: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Why avahi cannot run here, or null. */
  static unavailableReason(): string | null {
    const missing = ['avahi-daemon', 'avahi-browse', 'avahi-resolve', 'dbus-daemon'].filter(
      (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status !== 0,
    );
    return missing.length ? `needs ${missing.join(', ')} (Debian: avahi-daemon avahi-utils dbus)` : null;
  }

  /** Starts dbus-daemon and avahi-daemon in host `hostIndex`'s namespace; resolves once avahi is up. */
  static async start(lab: NetnsLab, hostIndex: number): Promise<AvahiResolver> {
    const dir = mkdtempSync(join(tmpdir(), 'devmesh-avahi-'));
    const socket = join(dir, 'dbus.sock');
    writeFileSync(join(dir, 'dbus.conf'), DBUS_CONF(socket));
    writeFileSync(join(dir, 'avahi.conf'), AVAHI_CONF(`resolver-${lab.id}`));
    const env = { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${socket}` };
    const avahi = new AvahiResolver(lab, hostIndex, dir, env);
    try {
      const busArgs = [`--config-file=${join(dir, 'dbus.conf')}`, '--nofork', '--nopidfile'];
      const bus = lab.spawn(hostIndex, 'dbus-daemon', busArgs, { stdio: 'ignore' });
      await avahi.waitFor(
        () => existsSync(socket),
        () => bus.exitCode === null,
        'dbus-daemon to listen',
      );
      let log = '';
      const avahiArgs = `--no-drop-root --no-chroot --no-rlimits -f '${join(dir, 'avahi.conf')}'`;
      const script = `mount -t tmpfs tmpfs /run && mkdir /run/avahi-daemon && exec avahi-daemon ${avahiArgs}`;
      const daemon = lab.spawn(hostIndex, 'sh', ['-c', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      daemon.stdout?.on('data', (d: Buffer) => (log += d.toString()));
      daemon.stderr?.on('data', (d: Buffer) => (log += d.toString()));
      const up = () => log.includes('Server startup complete');
      await avahi.waitFor(
        up,
        () => daemon.exitCode === null,
        'avahi-daemon to start',
        () => log,
      );
    } catch (err) {
      avahi.dispose();
      throw err;
    }
    return avahi;
  }

  /** `avahi-browse -rtp _devmesh._tcp`: every instance resolved (IPv4), by avahi. */
  async browse(): Promise<ResolvedInstance[]> {
    const opts = { env: this.env, timeoutMs: scaled(20_000) };
    const r = await this.lab.run(this.hostIndex, 'avahi-browse', ['-rtp', '_devmesh._tcp'], opts);
    if (r.code !== 0) throw new Error(`avahi-browse exited with ${r.code ?? r.signal}: ${r.stderr}`);
    // =;veth0;IPv4;DevMesh\032alice\0321a2b3c4d;_devmesh._tcp;local;vm-1a2b3c4d.local;10.1.2.1;7790;"txt"...
    return r.stdout
      .split('\n')
      .filter((line) => line.startsWith('=;'))
      .map((line) => {
        const f = line.split(';');
        const instance = (f[3] ?? '').replace(/\\(\d{3})/g, (_m, code: string) => String.fromCharCode(Number(code)));
        return { instance, host: f[6] ?? '', addresses: [f[7] ?? ''], port: Number(f[8]) };
      });
  }

  /** `avahi-resolve -4 -n <host>`: the IPv4 address avahi finds for a host name, or null. */
  async resolve4(host: string): Promise<string | null> {
    const opts = { env: this.env, timeoutMs: scaled(20_000) };
    const r = await this.lab.run(this.hostIndex, 'avahi-resolve', ['-4', '-n', host], opts);
    const m = /^\S+\s+(\S+)\s*$/m.exec(r.stdout);
    return r.code === 0 && m ? m[1]! : null;
  }

  /** Its processes die with the lab's namespace (lab.dispose); this removes its folder. */
  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async waitFor(
    ready: () => boolean,
    alive: () => boolean,
    what: string,
    detail = (): string => '',
  ): Promise<void> {
    const deadline = Date.now() + scaled(10_000);
    while (!ready()) {
      if (!alive()) throw new Error(`AvahiResolver: waiting for ${what}, it exited: ${detail()}`);
      if (Date.now() > deadline) throw new Error(`AvahiResolver: timed out waiting for ${what}: ${detail()}`);
      await sleep(50);
    }
  }
}
