// Terminal sessions with real PTYs: input/echo, resize, Ctrl-C and signals, exit codes, replay for a late
// viewer, flow control, UTF-8 at chunk edges, and no process left behind on dispose.
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingViewer, TerminalHarness, alive, waitFor } from './terminal-harness.js';

let h: TerminalHarness;
afterEach(async () => {
  await h?.dispose();
});

describe('PtySession', () => {
  it('echoes input and passes the terminal id in the environment', async () => {
    h = new TerminalHarness();
    const { terminal: t, viewer: v } = await h.promptedBash();
    h.manager.input(t.id, 'echo hi\r');
    await v.until(/[\r\n]hi\r\n/);
    h.manager.input(t.id, 'echo "id=$DEVMESH_TERM_X$DEVMESH_TERMINAL_ID term=$TERM"\r');
    await v.until(new RegExp(`[\\r\\n]id=${t.id} term=xterm-256color\\r\\n`));
    expect(h.seen.some((e) => e.type === 'terminal.started' && e.info.id === t.id)).toBe(true);
  });

  it('lets the child see a resize', async () => {
    h = new TerminalHarness();
    const { terminal: t, viewer: v } = await h.promptedBash({ cols: 80, rows: 24 });
    const info = h.manager.resize(t.id, 132, 40);
    expect(info).toMatchObject({ cols: 132, rows: 40 });
    h.manager.input(t.id, 'stty size; tput cols\r');
    await v.until(/[\r\n]40 132\r\n132\r\n/);
  });

  it('interrupts a foreground sleep with Ctrl-C (\\x03) and with signal SIGINT; the prompt comes back', async () => {
    h = new TerminalHarness();
    const { terminal: t, viewer: v } = await h.promptedBash();
    for (const interrupt of [() => h.manager.input(t.id, '\x03'), () => h.manager.signal(t.id, 'SIGINT')]) {
      const sent = v.text.length;
      h.manager.input(t.id, 'sleep 30; echo not-interrupted\r');
      await v.until(/sleep 30; echo not-interrupted\r\n/, 5000, sent);
      await new Promise((r) => setTimeout(r, 150)); // let bash fork sleep into the foreground group
      const from = v.text.length;
      const t0 = Date.now();
      interrupt();
      await v.until(/READY> $/, 3000, from);
      expect(Date.now() - t0).toBeLessThan(2000);
      expect(v.text.slice(from)).not.toContain('not-interrupted\r\n');
    }
    expect(h.manager.get(t.id).isRunning).toBe(true);
  });

  it('reports exit codes, signals and the reason', async () => {
    h = new TerminalHarness();
    const a = h.create({ command: '/bin/bash', args: ['-c', 'exit 3'], cwd: h.dir });
    await waitFor(() => !h.manager.get(a.id).isRunning, 5000);
    expect(h.manager.get(a.id).info()).toMatchObject({
      state: 'exited',
      exitCode: 3,
      signal: null,
      exitReason: 'exited with code 3',
    });
    expect(h.seen.some((e) => e.type === 'terminal.exited' && e.info.id === a.id && e.info.exitCode === 3)).toBe(true);

    const b = h.create({ command: '/bin/sleep', args: ['30'], cwd: h.dir });
    const killed = await h.manager.kill(b.id);
    // SIGHUP ends it; on a machine too busy to reap it within the grace second, the SIGKILL that follows does.
    expect(killed).toMatchObject({
      state: 'exited',
      exitCode: null,
      signal: expect.stringMatching(/^SIG(HUP|KILL)$/),
      exitReason: 'killed by the user',
    });
    expect(() => h.manager.input(b.id, 'x')).toThrow(/has exited/);
    expect(h.manager.remove(b.id)).toEqual({ removed: b.id });
    expect(() => h.manager.get(b.id)).toThrow(/no terminal/);
    expect(() => h.manager.remove(h.bash().id)).toThrow(/still running/);
  });

  it('replays the screen drawn before a viewer attached, then streams live', async () => {
    h = new TerminalHarness();
    const { terminal: t, viewer: first } = await h.promptedBash();
    h.manager.input(t.id, 'printf "drawn-%s\\n" early\r');
    await first.until(/[\r\n]drawn-early\r\n/);
    first.viewer.detach();
    const late = new RecordingViewer().attach(h.manager, t.id);
    expect(late.text).toContain('drawn-early\r\n');
    expect(late.text).toBe(first.text.slice(0, late.text.length));
    h.manager.input(t.id, 'echo later\r');
    await late.until(/[\r\n]later\r\n/);
  });

  it('pauses a yes flood when a viewer does not ack and resumes when it does; the process stays alive', async () => {
    h = new TerminalHarness();
    const t = h.create({ command: '/usr/bin/yes', cwd: h.dir });
    const v = new RecordingViewer(false).attach(h.manager, t.id);
    const s = h.manager.get(t.id);
    await waitFor(
      () => s.isPaused,
      5000,
      () => 'the PTY to pause',
    );
    expect(h.manager.get(t.id).info().paused).toBe(true);
    const received = v.text.length;
    expect(received).toBeGreaterThan(100_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(v.text.length).toBeLessThan(received + 70_000); // at most the batch in flight
    expect(alive(t.pid!)).toBe(true);
    v.viewer.ack(v.text.length);
    expect(s.isPaused).toBe(false);
    await waitFor(
      () => v.text.length > received + 50_000,
      5000,
      () => 'output to flow again',
    );
    expect(s.isRunning).toBe(true);
    // A viewer that goes away releases its count: the flood runs free.
    await waitFor(
      () => s.isPaused,
      5000,
      () => 'the PTY to pause again',
    );
    v.viewer.detach();
    expect(s.isPaused).toBe(false);
  });

  it('never pauses a session that nobody views', async () => {
    h = new TerminalHarness();
    const t = h.create({ command: '/usr/bin/yes', cwd: h.dir });
    const s = h.manager.get(t.id);
    // Far past the high-water mark (100,000 characters) with no view: never paused. Bounded in time, not
    // a speed test: a busy machine only takes longer to get there.
    const deadline = Date.now() + 10_000;
    while (s.info().bytesOut < 1_000_000 && Date.now() < deadline) {
      expect(s.isPaused).toBe(false);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(s.isPaused).toBe(false);
    expect(s.info().bytesOut).toBeGreaterThan(1_000_000);
  });

  it('keeps multi-byte characters whole across chunk edges', async () => {
    h = new TerminalHarness();
    // 3- and 4-byte characters in long runs: reads of ~1-4 KB land inside them many times.
    const t = h.create({
      command: '/bin/bash',
      args: ['-c', 'for i in $(seq 1 400); do printf "€😀é"; done; printf "\\nEND\\n"'],
      cwd: h.dir,
      record: false,
    });
    const v = new RecordingViewer().attach(h.manager, t.id);
    await waitFor(() => v.exitInfo !== null, 5000);
    expect(v.text).not.toContain('\ufffd');
    expect(v.text.replace(/\r?\nEND\r\n$/, '')).toBe('€😀é'.repeat(400));
    expect(t.id).toMatch(/^t-/);
  });

  it('ends every process of every session on dispose, background jobs included', async () => {
    h = new TerminalHarness();
    const { terminal: t, viewer: v } = await h.promptedBash();
    h.manager.input(t.id, '(trap "" HUP; sleep 60) & echo "bg=$!"; sleep 60\r');
    const text = await v.until(/bg=\d+\r\n/);
    const bg = Number(/bg=(\d+)/.exec(text)![1]);
    expect(alive(bg)).toBe(true);
    await h.manager.dispose();
    expect(alive(t.pid!)).toBe(false);
    await waitFor(
      () => !alive(bg),
      2000,
      () => `background job ${bg} to end`,
    );
  });

  it('refuses more sessions than the limit, forgetting exited ones first', async () => {
    h = new TerminalHarness({ maxSessions: 2 });
    const a = h.create({ command: '/bin/true', cwd: h.dir, record: false });
    h.create({ command: '/bin/sleep', args: ['30'], cwd: h.dir, record: false });
    await waitFor(() => !h.manager.get(a.id).isRunning, 5000);
    h.create({ command: '/bin/sleep', args: ['30'], cwd: h.dir, record: false });
    expect(h.manager.list().map((i) => i.id)).not.toContain(a.id);
    expect(() => h.create({ command: '/bin/sleep', args: ['30'], cwd: h.dir })).toThrow(
      /2 terminals are already running/,
    );
  });
});
