// Says once what became of the login-shell environment: a log line for every outcome (for a timeout or a
// failure, the health ledger's own line), and for a timeout or a failure a problem in the daemon's health
// (the UI's header, `devmesh status`) with what happened, what it means (tools from nvm, Homebrew… may be
// missing) and how to fix it.
import type { Logger } from 'pino';
import type { DaemonHealth } from '../health/daemon-health.js';
import type { ShellEnvResolution } from './login-shell-env.js';
import { ShellFlavor } from './shell-flavor.js';

export const SHELL_ENV_COMPONENT = 'shell environment';
export const SHELL_ENV_RULE =
  'services, terminals and agents start with the environment DevMesh was launched with (its PATH may lack ' +
  'tools installed through nvm, fnm, volta, asdf or Homebrew); restart DevMesh once the shell is fixed';

export function reportShellEnv(resolution: ShellEnvResolution, deps: { logger: Logger; health: DaemonHealth }): void {
  const { outcome, env } = resolution;
  const log = deps.logger.child({ domain: 'environment' });
  switch (outcome.kind) {
    case 'resolved':
      log.info({ shell: outcome.shell, ms: outcome.ms, PATH: env.PATH }, 'read the login shell environment');
      return;
    case 'skipped':
      log.info({ reason: outcome.reason, PATH: env.PATH }, 'kept this process environment');
      return;
    case 'timed-out':
    case 'failed': {
      const flavor = new ShellFlavor(outcome.shell);
      const files = flavor.startupFiles().join(', ');
      const probe = `${flavor.name} -i -l -c exit`;
      const seconds = outcome.kind === 'timed-out' ? `${Math.round(outcome.timeoutMs / 100) / 10} s` : '';
      const what =
        outcome.kind === 'timed-out'
          ? `DevMesh could not read your login shell's environment: ${outcome.shell} (as an interactive login shell) ` +
            `did not finish within ${seconds}. Something in ${files} waits for input or is slow; ` +
            `\`time ${probe}\` in a terminal shows how long it takes.`
          : `DevMesh could not read your login shell's environment: ${outcome.error}` +
            `${outcome.stderr ? `; it said: ${outcome.stderr.split('\n').slice(-3).join(' | ')}` : ''}. ` +
            `Check ${files}; \`${probe}; echo $?\` in a terminal shows the error.`;
      const message =
        `${what} Until then services, terminals and agents start with the PATH DevMesh was launched with ` +
        `(${env.PATH ?? 'none'}). Fix the file and restart DevMesh.`;
      const cause = outcome.kind === 'timed-out' ? `timed out after ${seconds}` : outcome.error;
      // logged once, by the health ledger, with the message
      deps.health.raise({ component: SHELL_ENV_COMPONENT, code: 'ENVIRONMENT', message, cause, rule: SHELL_ENV_RULE });
      return;
    }
  }
}
