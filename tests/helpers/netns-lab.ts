// A throwaway network of Linux network namespaces for multi-machine tests (root only): one bridge namespace
// and `count` host namespaces, each joined to the bridge by a veth pair. mDNS across the bridge needs
// multicast snooping off on it and a 224.0.0.0/4 route in each host namespace (without the route nothing
// is found).
// Every link is created from inside the lab's own bridge namespace, so the machine's real interfaces are
// never touched and no packet can leave the lab. Names carry a random id and the 10.a.b.0/24 subnet is
// random per lab, so labs in parallel test files never collide. Everything is bounded in time, and
// dispose() (also run on process exit) kills every process in the lab and deletes its namespaces.
import { execFile, execFileSync, spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { scaled } from './load-scale.js';

export interface NetnsHost {
  ns: string;
  ip: string;
}

export interface NetnsRunResult {
  /** exit status, null when killed (timeout or signal) */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface NetnsRunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** SIGKILLed after this long; default 15 s scaled by the machine's load */
  timeoutMs?: number;
  /** written to stdin, which is then closed */
  input?: string;
}

export interface NetnsLabOptions {
  /** add the 224.0.0.0/4 route in each host namespace (mDNS works); default true */
  multicast?: boolean;
}

// scaled by the machine's load (load-scale.ts): under load an `ip` call or a process's death takes longer
const IP_TIMEOUT_MS = scaled(5_000);
const KILL_WAIT_MS = scaled(3_000);

export class NetnsLab {
  private static availability: boolean | null = null;
  private static readonly live = new Set<NetnsLab>();
  private static exitHookInstalled = false;

  readonly hosts: NetnsHost[] = [];
  private readonly children = new Set<ChildProcess>();
  private readonly namespaces: string[] = [];
  private disposing: Promise<void> | null = null;
  private multicast = true;

  private constructor(
    readonly id: string,
    readonly subnet: string,
    private readonly bridgeNs: string,
  ) {}

  /** root, `ip` present, and a namespace can be created and deleted (probed once per process). */
  static available(): boolean {
    if (NetnsLab.availability !== null) return NetnsLab.availability;
    NetnsLab.availability = false;
    if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
    const version = spawnSync('ip', ['-V'], { timeout: IP_TIMEOUT_MS, stdio: 'ignore' });
    if (version.status !== 0) return false;
    const probe = `dmprobe${randomBytes(3).toString('hex')}`;
    const added = spawnSync('ip', ['netns', 'add', probe], { timeout: IP_TIMEOUT_MS, stdio: 'ignore' });
    const deleted = spawnSync('ip', ['netns', 'del', probe], { timeout: IP_TIMEOUT_MS, stdio: 'ignore' });
    NetnsLab.availability = added.status === 0 && deleted.status === 0;
    return NetnsLab.availability;
  }

  /** Why the lab cannot run here, for a skip message. */
  static unavailableReason(): string {
    return 'needs root, iproute2 (`ip`) and permission to create network namespaces';
  }

  static async create(count: number, opts: NetnsLabOptions = {}): Promise<NetnsLab> {
    if (!Number.isInteger(count) || count < 1 || count > 200)
      throw new Error(`NetnsLab: count ${count} must be 1..200`);
    if (!NetnsLab.available()) throw new Error(`NetnsLab: ${NetnsLab.unavailableReason()}`);
    const id = randomBytes(3).toString('hex');
    const subnet = `10.${randomInt(100, 250)}.${randomInt(0, 256)}`;
    // Names: dm<id>b / dm<id>h<i> for namespaces, v<id>h<i> for the bridge side of each veth (≤ 15 chars).
    const lab = new NetnsLab(id, subnet, `dm${id}b`);
    NetnsLab.track(lab);
    try {
      await lab.setup(count, opts.multicast !== false);
    } catch (err) {
      await lab.dispose();
      throw err;
    }
    return lab;
  }

  /** Runs `cmd args` inside host `hostIndex`'s namespace; the process is killed on dispose(). */
  spawn(hostIndex: number, cmd: string, args: readonly string[] = [], opts: SpawnOptions = {}): ChildProcess {
    if (this.disposing) throw new Error('NetnsLab: spawn after dispose');
    const host = this.host(hostIndex);
    const child = spawn('ip', ['netns', 'exec', host.ns, cmd, ...args], opts);
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    child.once('error', () => this.children.delete(child));
    return child;
  }

  /** Runs `cmd args` inside host `hostIndex`'s namespace to completion (bounded by `timeoutMs`), output collected. */
  run(
    hostIndex: number,
    cmd: string,
    args: readonly string[] = [],
    opts: NetnsRunOptions = {},
  ): Promise<NetnsRunResult> {
    const timeoutMs = opts.timeoutMs ?? scaled(15_000);
    return new Promise((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = this.spawn(hostIndex, cmd, args, { env: opts.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
      } catch (err) {
        reject(err as Error);
        return;
      }
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdout, stderr, timedOut });
      });
      child.stdin?.on('error', () => undefined); // the command may exit before reading its input
      child.stdin?.end(opts.input ?? '');
    });
  }

  /** Takes host `hostIndex`'s link to the bridge down (a pulled cable) or up again; the multicast route,
   * which the kernel drops with the link, is put back when the lab has one. */
  async setLinkUp(hostIndex: number, up: boolean): Promise<void> {
    const { ns } = this.host(hostIndex);
    await NetnsLab.ip(['-n', ns, 'link', 'set', 'veth0', up ? 'up' : 'down']);
    if (up && this.multicast) {
      await NetnsLab.ip(['-n', ns, 'route', 'replace', '224.0.0.0/4', 'dev', 'veth0']);
    }
  }

  /** Gives host `hostIndex`'s link a second address in the lab's subnet (`<subnet>.<lastOctet>`), as a
   * machine with two addresses on its network has; returns it. Deleted with the namespace. */
  async addAddress(hostIndex: number, lastOctet: number): Promise<string> {
    if (!Number.isInteger(lastOctet) || lastOctet < 201 || lastOctet > 254)
      throw new Error(`NetnsLab: extra address .${lastOctet} must be 201..254`);
    const ip = `${this.subnet}.${lastOctet}`;
    await NetnsLab.ip(['-n', this.host(hostIndex).ns, 'addr', 'add', `${ip}/24`, 'dev', 'veth0']);
    return ip;
  }

  /** SIGKILLs every process in host `hostIndex`'s namespace and waits (bounded) until none is left. */
  async kill(hostIndex: number): Promise<void> {
    await NetnsLab.killAll(this.host(hostIndex).ns);
  }

  async dispose(): Promise<void> {
    if (!this.disposing) {
      this.disposing = (async () => {
        for (const child of this.children) child.kill('SIGKILL');
        // The bridge namespace is last: host namespaces hold the other ends of its veths.
        const all = [...this.namespaces].reverse();
        for (const ns of all) await NetnsLab.killAll(ns);
        for (const ns of all) await NetnsLab.ip(['netns', 'del', ns]).catch(() => undefined);
        this.namespaces.length = 0;
        NetnsLab.live.delete(this);
      })();
    }
    return this.disposing;
  }

  private host(hostIndex: number): NetnsHost {
    const host = this.hosts[hostIndex];
    if (!host) throw new Error(`NetnsLab: no host ${hostIndex} (lab has ${this.hosts.length})`);
    return host;
  }

  private async setup(count: number, multicast: boolean): Promise<void> {
    this.multicast = multicast;
    const br = this.bridgeNs;
    await this.addNamespace(br);
    await NetnsLab.ip(['-n', br, 'link', 'set', 'lo', 'up']);
    await NetnsLab.ip(['-n', br, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0']);
    await NetnsLab.ip(['-n', br, 'link', 'set', 'br0', 'up']);
    for (let i = 1; i <= count; i++) {
      const ns = `dm${this.id}h${i}`;
      const port = `v${this.id}h${i}`;
      const ip = `${this.subnet}.${i}`;
      await this.addNamespace(ns);
      // Created inside the bridge namespace with the peer moved straight into the host namespace.
      await NetnsLab.ip(['-n', br, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'veth0', 'netns', ns]);
      await NetnsLab.ip(['-n', br, 'link', 'set', port, 'master', 'br0']);
      await NetnsLab.ip(['-n', br, 'link', 'set', port, 'up']);
      await NetnsLab.ip(['-n', ns, 'link', 'set', 'lo', 'up']);
      await NetnsLab.ip(['-n', ns, 'addr', 'add', `${ip}/24`, 'dev', 'veth0']);
      await NetnsLab.ip(['-n', ns, 'link', 'set', 'veth0', 'up', 'multicast', 'on']);
      if (multicast) await NetnsLab.ip(['-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'veth0']);
      this.hosts.push({ ns, ip });
    }
  }

  private async addNamespace(ns: string): Promise<void> {
    // disposed mid-setup (a test that timed out): add nothing more, and take back one added meanwhile
    if (this.disposing) throw new Error('NetnsLab: disposed while it was being set up');
    await NetnsLab.ip(['netns', 'add', ns]);
    if (this.disposing) {
      await NetnsLab.ip(['netns', 'del', ns]).catch(() => undefined);
      throw new Error('NetnsLab: disposed while it was being set up');
    }
    this.namespaces.push(ns);
  }

  private static ip(args: readonly string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile('ip', args, { timeout: IP_TIMEOUT_MS, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
        if (err) reject(new Error(`ip ${args.join(' ')}: ${stderr.trim() || err.message}`));
        else resolve(stdout);
      });
    });
  }

  private static async pids(ns: string): Promise<number[]> {
    const out = await NetnsLab.ip(['netns', 'pids', ns]).catch(() => '');
    return out
      .split(/\s+/)
      .filter(Boolean)
      .map(Number)
      .filter((p) => Number.isInteger(p) && p > 1 && p !== process.pid);
  }

  private static async killAll(ns: string): Promise<void> {
    const deadline = Date.now() + KILL_WAIT_MS;
    for (;;) {
      const pids = await NetnsLab.pids(ns);
      if (pids.length === 0 || Date.now() > deadline) return;
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone between listing and killing: that is what we want
        }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private static track(lab: NetnsLab): void {
    NetnsLab.live.add(lab);
    if (NetnsLab.exitHookInstalled) return;
    NetnsLab.exitHookInstalled = true;
    // 'exit' handlers must be synchronous: the same cleanup with the blocking child_process calls.
    process.once('exit', () => {
      for (const l of NetnsLab.live) l.disposeSync();
    });
  }

  private disposeSync(): void {
    for (const child of this.children) child.kill('SIGKILL');
    for (const ns of [...this.namespaces].reverse()) {
      try {
        const out = execFileSync('ip', ['netns', 'pids', ns], { timeout: IP_TIMEOUT_MS, encoding: 'utf8' });
        for (const pid of out.split(/\s+/).filter(Boolean).map(Number)) {
          if (pid > 1 && pid !== process.pid) {
            try {
              process.kill(pid, 'SIGKILL');
            } catch {
              // already gone
            }
          }
        }
        execFileSync('ip', ['netns', 'del', ns], { timeout: IP_TIMEOUT_MS, stdio: 'ignore' });
      } catch {
        // best effort at exit: nothing else can be done here
      }
    }
    this.namespaces.length = 0;
    NetnsLab.live.delete(this);
  }
}
