// The last output of a command whose reader was held back past its exit (paused by flow control, or a loop
// too busy to read within node-pty's 200 ms) still arrives, and before the exit. Real PTYs, real bash.
import { spawn, type IPty } from 'node-pty';
import { afterEach, describe, expect, it } from 'vitest';
import * as ptyExitDrain from '../../../main/core/terminals/pty-exit-drain.js';

const PAYLOAD = '€😀é'.repeat(400); // 3,600 bytes
const SCRIPT = `sleep 0.3; printf '%s' '${PAYLOAD}'; printf '\\nEND\\n'`;

const ptys: IPty[] = [];
afterEach(() => {
  for (const p of ptys.splice(0)) {
    try {
      process.kill(-p.pid, 'SIGKILL'); // the session's group: background jobs too
    } catch {
      /* gone */
    }
  }
});

/** Runs `script` with its reader paused from the start; returns what arrived before the exit. */
function runHeld(script: string, drain: boolean): Promise<{ text: string; exitCode: number }> {
  const pty = spawn('/bin/bash', ['-c', script], { encoding: null, cols: 200, rows: 24 });
  ptys.push(pty);
  const chunks: Buffer[] = [];
  pty.onData((d) => chunks.push(d as unknown as Buffer));
  if (drain) ptyExitDrain.install(pty, (chunk) => chunks.push(chunk));
  pty.pause();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no exit within 5 s')), 5000);
    pty.onExit((e) => {
      clearTimeout(timer);
      resolve({ text: Buffer.concat(chunks).toString('utf8'), exitCode: e.exitCode });
    });
  });
}

describe('ptyExitDrain', () => {
  it('node-pty alone drops what was unread 200 ms after the exit (why the drain exists)', async () => {
    const { text, exitCode } = await runHeld(SCRIPT, false);
    expect(exitCode).toBe(0);
    expect(text).not.toContain('END');
  });

  it('hands over every byte the command wrote before its exit, whole characters included', async () => {
    const { text, exitCode } = await runHeld(SCRIPT, true);
    expect(exitCode).toBe(0);
    expect(text).toBe(`${PAYLOAD}\r\nEND\r\n`);
  });

  it('does not wait on a terminal a background job still holds open', async () => {
    // The job keeps the slave open for a minute: a blocking read would hang here, past runHeld's 5 s.
    const { text } = await runHeld(`${SCRIPT}; (sleep 60 &)`, true);
    expect(text).toBe(`${PAYLOAD}\r\nEND\r\n`);
  });
});
