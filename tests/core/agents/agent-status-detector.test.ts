// Status from terminal output alone, with output shaped like the real CLIs' (ANSI colours, cursor moves,
// box drawing): prompts → waiting, steady output → working, quiet after output → idle, exit → exited.
import { describe, expect, it } from 'vitest';
import { AgentProfiles } from '../../../main/core/agents/agent-profiles.js';
import { AgentStatusDetector, type AgentStatusChange } from '../../../main/core/agents/agent-status-detector.js';

const profiles = new AgentProfiles();

function detectorFor(id: string, quietMs = 5000): { d: AgentStatusDetector; changes: AgentStatusChange[] } {
  const changes: AgentStatusChange[] = [];
  const d = new AgentStatusDetector({ waitingPatterns: profiles.get(id).waitingPatterns, quietMs }, (c) =>
    changes.push(c),
  );
  return { d, changes };
}

// Claude Code's permission question, as its TUI paints it: colours, cursor positioning, a box.
const CLAUDE_PERMISSION =
  '\x1b[2K\x1b[1G\x1b[38;5;174m╭──────────────────────────────────────────╮\x1b[39m\r\n' +
  '\x1b[38;5;174m│\x1b[39m \x1b[1mBash command\x1b[22m                              \x1b[38;5;174m│\x1b[39m\r\n' +
  '\x1b[38;5;174m│\x1b[39m   npm test                                \x1b[38;5;174m│\x1b[39m\r\n' +
  "\x1b[12;3H Do you want to proceed?\x1b[13;3H\x1b[36m❯ 1. Yes\x1b[39m\x1b[14;3H  2. Yes, and don't ask again for npm test commands in /work/app" +
  '\x1b[15;3H  3. No, and tell Claude what to do differently (\x1b[1mesc\x1b[22m)\r\n\x1b[38;5;174m╰──────────────────────────────────────────╯\x1b[39m';

describe('AgentStatusDetector', () => {
  it('starts, works while output flows, and waits on a Claude permission prompt', () => {
    const { d, changes } = detectorFor('claude');
    expect(d.status).toBe('starting');
    d.feed('\x1b[?25l\x1b[?2004h', 0); // terminal modes only: nothing visible yet
    expect(d.status).toBe('starting');
    d.feed('\x1b[38;5;174m✻\x1b[39m Reading package.json…\r', 100);
    d.feed('\x1b[38;5;174m✶\x1b[39m Running tests… (3s · esc to interrupt)\r', 400);
    expect(d.status).toBe('working');
    d.feed(CLAUDE_PERMISSION, 900);
    expect(d.status).toBe('waiting');
    expect(d.statusReason).toMatch(/^prompt: Do you want to proceed\?/);
    expect(changes.map((c) => [c.from, c.to, c.ts])).toEqual([
      ['starting', 'working', 100],
      ['working', 'waiting', 900],
    ]);
    d.tick(20_000); // waiting is not turned into idle by silence
    expect(d.status).toBe('waiting');
  });

  it('leaves waiting once the prompt is answered and output moves on', () => {
    const { d } = detectorFor('claude');
    d.feed(CLAUDE_PERMISSION, 0);
    expect(d.status).toBe('waiting');
    // the answer arrives as more output; until enough follows, the prompt still counts
    d.feed('\r\n\x1b[32m⏺\x1b[39m Bash(npm test)\r\n', 100);
    expect(d.status).toBe('waiting');
    d.feed(`${'  ✓ test passes in the suite\r\n'.repeat(30)}`, 200);
    expect(d.status).toBe('working');
    // and an explicit answer (input written) leaves it at once
    d.feed(CLAUDE_PERMISSION, 300);
    d.noteInput(310);
    expect(d.status).toBe('working');
    expect(d.statusReason).toBe('answered');
  });

  it('recognises aider confirmations and its input prompt, split across chunks', () => {
    const { d } = detectorFor('aider');
    d.feed('Aider v0.86.1\nMain model: sonnet with diff edit format\n', 0);
    expect(d.status).toBe('working');
    d.feed('Add README.md to the chat? \x1b[1m(Y)', 10);
    d.feed("es/(N)o/(D)on't ask again [Yes]: \x1b[0", 20); // an escape sequence cut at the chunk edge
    expect(d.status).toBe('waiting');
    expect(d.text).not.toContain('\x1b');
    d.noteInput(30);
    d.feed('m\nApplied edit to README.md\nCommit 1a2b3c4 docs: readme\n', 40);
    expect(d.status).toBe('working');
    d.feed('\x1b[1m> \x1b[0m', 50);
    expect(d.status).toBe('waiting');
    expect(d.statusReason).toBe('prompt: >');
  });

  it('recognises gemini and codex approval prompts', () => {
    const gemini = detectorFor('gemini').d;
    gemini.feed('Thinking…\n', 0);
    gemini.feed(
      "│ Allow execution of: 'npm install'?\n│ ● 1. Yes, allow once\n│   2. Yes, allow always\n│   3. No, suggest changes (esc)\n",
      10,
    );
    expect(gemini.status).toBe('waiting');
    const codex = detectorFor('codex').d;
    codex.feed('• Running npm test\n', 0);
    codex.feed(
      'Would you like to run the following command?\n  $ rm -rf dist\n› 1. Yes, proceed (y)\n  2. No (esc)\n',
      10,
    );
    expect(codex.status).toBe('waiting');
  });

  it('falls back to idle after quiet output, and back to working when output resumes', () => {
    const { d, changes } = detectorFor('goose', 3000);
    d.tick(10_000); // never printed: still starting, not idle
    expect(d.status).toBe('starting');
    d.feed('starting session | provider: openai\n', 10_000);
    d.feed('I will read the files first.\n', 11_000);
    d.tick(13_500);
    expect(d.status).toBe('working');
    d.tick(14_000);
    expect(d.status).toBe('idle');
    expect(d.statusReason).toBe('no output for 3 s');
    d.feed('\x1b[?25h', 15_000); // invisible: stays idle
    expect(d.status).toBe('idle');
    d.feed('More work\n', 16_000);
    expect(changes.map((c) => c.to)).toEqual(['working', 'idle', 'working']);
  });

  it('ends on exit and ignores everything after', () => {
    const { d, changes } = detectorFor('claude');
    d.feed('hello\n', 0);
    d.exit(3, 100);
    expect(d.status).toBe('exited');
    expect(d.statusReason).toBe('exited with code 3');
    d.feed(CLAUDE_PERMISSION, 200);
    d.tick(100_000);
    d.exit(0, 300);
    expect(changes.map((c) => c.to)).toEqual(['working', 'exited']);
    const killed = detectorFor('claude').d;
    killed.exit(null, 0, 'SIGKILL');
    expect(killed.statusReason).toBe('ended by SIGKILL');
  });
});
