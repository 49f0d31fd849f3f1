// Recordings under pressure, with real PTYs: a flooding terminal's recording stops at its cap (and stays
// playable); on a real full disk (a tmpfs) a terminal starts unrecorded and says so, a running recording
// stops and says why, the health ledger shows it, and recording works again once space is freed.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DaemonHealth } from '../../../main/core/health/daemon-health.js';
import { RECORDING_MAX_BYTES, RECORDING_READ_MAX_BYTES } from '../../../shared/terminal.js';
import { FullDisk } from '../../helpers/full-disk.js';
import { until } from '../../helpers/until.js';
import { TerminalHarness } from './terminal-harness.js';
import { scaled } from '../../helpers/load-scale.js';

const harnesses: TerminalHarness[] = [];
const disks: FullDisk[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.dispose();
  for (const d of disks.splice(0)) d.dispose();
});

describe('recording limits', () => {
  it(
    "stops a flooding terminal's recording at its cap, with a last line saying so, and keeps it playable",
    async () => {
      const h = new TerminalHarness();
      harnesses.push(h);
      const mb = Math.ceil((RECORDING_MAX_BYTES * 1.3) / 1024 / 1024);
      const t = h.create({
        command: '/bin/sh',
        args: ['-c', `head -c ${mb * 1024 * 1024} /dev/zero | base64`],
        cwd: h.dir,
      });
      await until('the flood to end', () => h.manager.list().find((x) => x.id === t.id)?.state === 'exited', 120_000);
      const info = h.manager.list().find((x) => x.id === t.id)!;
      expect(info.bytesOut).toBeGreaterThan(RECORDING_MAX_BYTES);
      expect(info.recordingNote).toMatch(/stopped at its 19 MB cap/);
      const rec = h.manager.recordings.get(t.id);
      expect(rec.bytes).toBeLessThanOrEqual(RECORDING_MAX_BYTES);
      const cast = h.manager.recordings.read(t.id, RECORDING_READ_MAX_BYTES);
      const last = JSON.parse(cast.trimEnd().split('\n').at(-1)!) as [number, string, string];
      expect(last[1]).toBe('o');
      expect(last[2]).toContain('[DevMesh: recording stopped at its 19 MB cap]');
    },
    scaled(180_000),
  );

  it.skipIf(FullDisk.unavailable() !== null)(
    'on a full disk: starts terminals unrecorded, stops a running recording, and records again once space is freed',
    async () => {
      const disk = FullDisk.mount(4);
      disks.push(disk);
      const health = new DaemonHealth({ logger: pino({ enabled: false }), emit: () => undefined });
      const h = new TerminalHarness({ recordingsDir: join(disk.dir, 'recordings'), health });
      harnesses.push(h);
      const { terminal: running, viewer } = await h.promptedBash();
      expect(running.recording).toBe(running.id);

      disk.fill();
      h.manager.input(running.id, 'head -c 600000 /dev/zero | base64 | head -c 600000; echo; echo FLOODED\r');
      await viewer.until(/FLOODED\r\n/, 60_000);
      await until(
        'the running recording to stop and say why',
        () => h.manager.list().find((x) => x.id === running.id)?.recordingNote,
        10_000,
      );
      expect(h.manager.list().find((x) => x.id === running.id)!.recordingNote).toMatch(/no space left on device/i);
      expect(health.problem('recordings')).toMatchObject({ code: 'DISK_FULL' });
      // the terminal goes on
      h.manager.input(running.id, 'echo STILL-HERE\r');
      await viewer.until(/STILL-HERE\r\n/);

      const unrecorded = h.bash();
      expect(unrecorded.state).toBe('running');
      expect(unrecorded.recording).toBeNull();
      expect(unrecorded.recordingNote).toMatch(/not recorded:.*no space left/i);
      expect(existsSync(join(disk.dir, 'recordings', `${unrecorded.id}.cast`))).toBe(false);

      disk.release();
      const again = h.bash();
      expect(again.recording).toBe(again.id);
      expect(again.recordingNote).toBeNull();
      expect(health.has('recordings')).toBe(false);
      expect(
        readdirSync(join(disk.dir, 'recordings'))
          .filter((f) => f.endsWith('.cast'))
          .sort(),
      ).toEqual([`${again.id}.cast`, `${running.id}.cast`].sort());
    },
    120_000,
  );
});
