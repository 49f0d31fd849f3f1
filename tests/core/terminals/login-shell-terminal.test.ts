// A terminal opened without a command runs the user's shell as a login shell, as Terminal.app and most
// Linux terminals do: bash reads ~/.bash_profile, sh (dash) ~/.profile, zsh ~/.zprofile, fish its login
// section. A command given explicitly runs with exactly the arguments given.
import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LoginShellHome, LOGIN_MARK, missing } from '../../helpers/login-shell-home.js';
import { scaled } from '../../helpers/load-scale.js';
import { RecordingViewer, TerminalHarness } from './terminal-harness.js';

let user: LoginShellHome;
let harness: TerminalHarness | null = null;
beforeEach(() => {
  user = new LoginShellHome();
});
afterEach(async () => {
  await harness?.dispose();
  harness = null;
  user.dispose();
});

describe("a terminal starts the user's shell as a login shell", () => {
  for (const shell of ['/bin/bash', '/bin/sh', '/usr/bin/zsh', '/usr/bin/fish']) {
    it.skipIf(!existsSync(shell))(
      `${shell} reads its login files${missing(shell)}`,
      async () => {
        // the environment a GUI launch gives: the login files have not run yet
        harness = new TerminalHarness({ baseEnv: user.launcherEnv(shell) });
        const t = harness.create({ cwd: user.dir });
        const viewer = new RecordingViewer().attach(harness.manager, t.id);
        harness.manager.input(t.id, 'echo "mark=[$LOGIN_MARK]"\r');
        await viewer.until(new RegExp(`mark=\\[${LOGIN_MARK}\\]`), scaled(10_000));
        expect(harness.manager.get(t.id).info().command).toBe(shell);
      },
      scaled(20_000),
    );
  }

  it(
    'runs an explicit command with exactly its arguments',
    async () => {
      harness = new TerminalHarness({ baseEnv: user.launcherEnv('/bin/bash') });
      const t = harness.create({
        command: '/bin/bash',
        args: ['--norc', '--noprofile', '-c', 'echo "mark=[$LOGIN_MARK]"'],
        cwd: user.dir,
      });
      const viewer = new RecordingViewer().attach(harness.manager, t.id);
      await viewer.until(/mark=\[\]/, scaled(10_000));
    },
    scaled(20_000),
  );
});
