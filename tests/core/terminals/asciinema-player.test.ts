// A DevMesh recording plays in the stock asciinema player (Debian's `asciinema`, run in a PTY as a user
// would): what it draws is what the session printed. Skipped where asciinema is not installed; .ci/run
// installs it.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pty from 'node-pty';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingViewer, TerminalHarness, waitFor } from './terminal-harness.js';

const asciinema = spawnSync('sh', ['-c', 'command -v asciinema']).stdout?.toString().trim() ?? '';
let h: TerminalHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

describe.skipIf(asciinema === '' && !process.env.CI)('recordings in the stock asciinema player', () => {
  it('plays a recorded session with the same output', async () => {
    h = new TerminalHarness();
    const t = h.create({
      command: '/bin/bash',
      args: ['-c', 'printf "first line\\n"; sleep 0.1; printf "second ✓ line\\n"'],
      cwd: h.dir,
      name: 'for-asciinema',
    });
    const v = new RecordingViewer().attach(h.manager, t.id);
    await waitFor(() => v.exitInfo !== null, 5000);
    const file = join(h.dir, 'export.cast');
    writeFileSync(file, h.manager.recordings.read(t.id));
    // asciinema reads the keyboard from /dev/tty: it must run in a terminal.
    const player = pty.spawn(asciinema, ['play', '-s', '20', file], {
      cols: 80,
      rows: 24,
      env: { ...process.env, LANG: 'C.UTF-8' },
    });
    let drawn = '';
    player.onData((d) => (drawn += d));
    const code = await new Promise<number>((resolve) => player.onExit((e) => resolve(e.exitCode)));
    expect(code).toBe(0);
    expect(drawn).toContain('first line\r\nsecond ✓ line\r\n');
  });
});
