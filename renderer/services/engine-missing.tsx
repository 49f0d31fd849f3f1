// A database engine that is not installed on this machine (postgres, redis-server), as the Services view shows
// it: in the services table a "postgres not installed" tag where the version goes (there is no version: never a
// made-up 0.0.0), and in the database's card what is missing, where DevMesh looked, and the commands that
// install it (Debian/Ubuntu and Homebrew), each with Copy.
import type { EngineMissing } from '../../shared/engine-missing.js';
import type { ServiceInfo } from '../../shared/service.js';
import { CopyButton } from '../common/copy-button.js';

/** The version of a service, or why it has none: its engine is not installed (the whole message on hover). */
export function ServiceVersion({ info, testId }: { info: ServiceInfo; testId?: string }) {
  if (info.version !== null) return <>{info.version}</>;
  if (!info.engineMissing) return <span className="muted">—</span>;
  return (
    <span className="tag engine-missing-tag" title={info.engineMissing.message} data-testid={testId}>
      {info.engineMissing.program} not installed
    </span>
  );
}

export function EngineMissingNote({ service, missing }: { service: string; missing: EngineMissing }) {
  const commands = [
    { where: 'Debian/Ubuntu', command: `sudo apt install ${missing.debianPackage}` },
    { where: 'macOS (Homebrew)', command: `brew install ${missing.brewFormula}` },
  ];
  return (
    <div className="engine-missing" role="alert" data-testid={`db-engine-missing-${service}`}>
      <p className="engine-missing-what">
        {missing.program} is not installed on this machine: {service} cannot start until it is.
      </p>
      <ul className="engine-missing-install" aria-label={`How to install ${missing.program}`}>
        {commands.map(({ where, command }) => (
          <li key={where}>
            {where}: <code className="mono">{command}</code>{' '}
            <CopyButton text={command} label={`Copy the command that installs ${missing.program} on ${where}`} />
          </li>
        ))}
      </ul>
      <details className="engine-missing-where">
        <summary>Where DevMesh looked ({missing.lookedIn.length} folders)</summary>
        <ul className="mono">
          {missing.lookedIn.map((dir, i) => (
            <li key={`${i}:${dir}`}>{dir}</li>
          ))}
        </ul>
      </details>
    </div>
  );
}
