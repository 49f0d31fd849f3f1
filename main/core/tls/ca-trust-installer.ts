// Runs the steps that make this OS trust DevMesh's CA (`devmesh ca trust --yes`: the user's consent). Each
// step is a shell command, run attached to the user's terminal so `sudo` can ask for a password. Steps
// run in order; a failing one is reported and the next still runs (NSS may be missing while the system
// store works). Never run by tests: they inject a fake spawner.
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import type { TrustStep } from './ca-trust-steps.js';

export type Spawner = (command: string, options: SpawnOptions) => ChildProcess;

export interface TrustStepOutcome {
  step: TrustStep;
  ok: boolean;
  /** the exit code, or null when the command could not start or was killed */
  exitCode: number | null;
  /** why it failed, in words, when it did */
  error?: string;
}

export class CaTrustInstaller {
  constructor(
    private readonly spawn: Spawner = (command, options) => nodeSpawn(command, options),
    private readonly stdio: SpawnOptions['stdio'] = 'inherit',
  ) {}

  async runAll(steps: readonly TrustStep[], onStep?: (step: TrustStep) => void): Promise<TrustStepOutcome[]> {
    const outcomes: TrustStepOutcome[] = [];
    for (const step of steps) {
      onStep?.(step);
      outcomes.push(await this.run(step));
    }
    return outcomes;
  }

  run(step: TrustStep): Promise<TrustStepOutcome> {
    return new Promise((resolve) => {
      let child: ChildProcess;
      try {
        child = this.spawn(step.command, { shell: true, stdio: this.stdio });
      } catch (err) {
        resolve({
          step,
          ok: false,
          exitCode: null,
          error: `could not start \`${step.command}\`: ${(err as Error).message}`,
        });
        return;
      }
      child.once('error', (err) => {
        resolve({ step, ok: false, exitCode: null, error: `could not start \`${step.command}\`: ${err.message}` });
      });
      child.once('exit', (code, signal) => {
        if (code === 0) resolve({ step, ok: true, exitCode: 0 });
        else {
          const why = signal
            ? `was killed by ${signal}`
            : code === 127
              ? 'failed: a program it needs is not installed (exit 127)'
              : `failed with exit code ${code}`;
          resolve({ step, ok: false, exitCode: code, error: `\`${step.command}\` ${why}` });
        }
      });
    });
  }
}
