// The /proc reader against the real /proc: a tree of real processes (a parent, its child, its grandchild) is
// found whole, with the memory they hold, the CPU a spinning grandchild burns, and the TCP connection one
// holds, whether children are found through /proc/<pid>/task/*/children or a scan of every ppid. The parsers
// get the odd inputs /proc really produces (a command name with spaces and parentheses).
import { platform } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import {
  LinuxProcReader,
  parseMeminfo,
  parseNetTcp,
  parseStat,
  parseStatusRss,
} from '../../../main/core/metrics/linux-proc-reader.js';
import { ProcessSampler } from '../../../main/core/metrics/process-sampler.js';
import { tempDir } from '../../api/test-project.js';
import { scaled } from '../../helpers/load-scale.js';
import { sleep, until } from '../../helpers/until.js';
import { ProcessTree } from './process-fixtures.js';

const MB = 1024 * 1024;
const tmp = tempDir('devmesh-proc-');
const trees: ProcessTree[] = [];

afterAll(() => {
  for (const t of trees) t.stop();
  tmp.dispose();
});

describe('the /proc parsers', () => {
  it('reads stat fields after a command name holding spaces and parentheses', () => {
    const line = '4242 (my (odd) name) S 17 4242 4242 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 3 0 98765 1000 500';
    expect(parseStat(line)).toEqual({ state: 'S', ppid: 17, ticks: 300, start: '98765' });
    expect(parseStat('garbage')).toBeNull();
    expect(parseStat('1 (x) S 0')).toBeNull();
  });

  it('reads VmRSS, MemAvailable (or its estimate) and the TCP table', () => {
    expect(parseStatusRss('Name:\tnode\nVmRSS:\t  12345 kB\nThreads: 7\n')).toBe(12345 * 1024);
    expect(parseStatusRss('Name:\tkthreadd\n')).toBe(0);
    expect(parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 600 kB\n')).toEqual({
      totalBytes: 1000 * 1024,
      availableBytes: 600 * 1024,
    });
    expect(parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nCached: 200 kB\n').availableBytes).toBe(300 * 1024);
    const tcp = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 5555 1 0',
      '   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 6666 1 0',
      '   2: 0100007F:C351 0100007F:1F90 06 00000000:00000000 00:00000000 00000000  1000        0 0 1 0',
    ].join('\n');
    expect([...parseNetTcp(tcp)]).toEqual([
      [5555, '0A'],
      [6666, '01'],
    ]);
  });
});

describe.skipIf(platform() !== 'linux')('LinuxProcReader on the real /proc', () => {
  for (const treeBy of ['children-files', 'ppid-scan'] as const) {
    it(
      `finds a grandchild, the memory the tree holds and its TCP connection (${treeBy})`,
      async () => {
        const tree = await ProcessTree.start(tmp.dir, { allocMb: 40, child: { tcp: true, child: { allocMb: 60 } } }, 3);
        trees.push(tree);
        const reader = new LinuxProcReader({ treeBy });
        const grandchild = tree.pid('root-child-child');
        const reading = await until('the grandchild to hold its memory', async () => {
          const r = (await reader.read([tree.root])).get(tree.root);
          const g = r?.processes.find((p) => p.pid === grandchild);
          return g && g.rssBytes >= 60 * MB ? r : null;
        });
        expect(reading.processes.map((p) => p.pid).sort()).toEqual(
          [tree.root, tree.pid('root-child'), grandchild].sort(),
        );
        expect(reading.processes.reduce((s, p) => s + p.rssBytes, 0)).toBeGreaterThan(100 * MB);
        // the child's server and client ends, both in the tree; and its listening socket
        expect(reading.connections).toBe(2);
        expect(reading.listening).toBe(1);
        // a tree rooted at the child leaves its parent out
        const sub = (await reader.read([tree.pid('root-child')])).get(tree.pid('root-child'))!;
        expect(sub.processes.map((p) => p.pid).sort()).toEqual([tree.pid('root-child'), grandchild].sort());
        tree.stop();
      },
      scaled(30_000),
    );
  }

  it(
    'measures the CPU a spinning grandchild burns, and none for an idle tree',
    async () => {
      const spinning = await ProcessTree.start(tmp.dir, { child: { child: { spin: true } } }, 3);
      const idle = await ProcessTree.start(tmp.dir, { child: {} }, 2);
      trees.push(spinning, idle);
      const sampler = new ProcessSampler({ reader: new LinuxProcReader(), gpu: null });
      const targets = [
        { key: 'service:p/spin', kind: 'service' as const, name: 'spin', project: 'p', pid: spinning.root },
        { key: 'service:p/idle', kind: 'service' as const, name: 'idle', project: 'p', pid: idle.root },
      ];
      const first = await sampler.sample(targets);
      expect(first.usages.map((u) => u.cpuPercent)).toEqual([null, null]); // nothing to compare with yet
      await sleep(scaled(1000));
      const { usages, machine } = await sampler.sample(targets);
      const [spin, still] = usages;
      expect(spin).toMatchObject({ key: 'service:p/spin', pids: 3 });
      expect(still).toMatchObject({ key: 'service:p/idle', pids: 2 });
      // a spinning process gets a good share of a core even beside two hogs on two cores; an idle one next to none
      expect(spin!.cpuPercent!).toBeGreaterThan(20);
      expect(still!.cpuPercent!).toBeLessThan(spin!.cpuPercent! / 4);
      expect(machine.source).toBe('proc');
      expect(machine.memAvailableBytes).toBeGreaterThan(0);
      expect(machine.memAvailableBytes).toBeLessThanOrEqual(machine.memTotalBytes);
      expect(machine.gpu).toBe(false);
      spinning.stop();
      idle.stop();
      // once gone, a tree is not read (no error)
      await until('the trees to end', async () => (await new LinuxProcReader().read([spinning.root])).size === 0);
    },
    scaled(30_000),
  );
});
