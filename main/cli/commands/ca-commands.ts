// `devmesh ca path | info | trust`: DevMesh's local certificate authority, behind https://<service>.localhost.
// Works without a running DevMesh: the CA lives in $DEVMESH_HOME/ca and is created here when missing.
import type { CaInfo } from '../../../shared/proxy.js';
import { CaTrustInstaller } from '../../core/tls/ca-trust-installer.js';
import { CaTrustSteps } from '../../core/tls/ca-trust-steps.js';
import { EXIT, type CliCommand } from '../cli-command.js';
import type { CliContext } from '../cli-context.js';
import type { CommandArgs } from '../command-args.js';
import { UsageError } from '../usage-error.js';

const ACTIONS = ['path', 'info', 'trust'] as const;
type Action = (typeof ACTIONS)[number];

export interface CaCommandsDeps {
  trustSteps?: CaTrustSteps;
  /** makes the installer for `trust --yes`; `json` asks it to keep the commands' output off stdout */
  installer?: (json: boolean) => CaTrustInstaller;
}

export class CaCommands {
  constructor(private readonly deps: CaCommandsDeps = {}) {}

  commands(): CliCommand[] {
    return [
      {
        name: 'ca',
        summary: "DevMesh's local certificate authority for https://<service>.localhost (path, info, trust)",
        usage: `Usage: devmesh ca path
       devmesh ca info [--json]
       devmesh ca trust [--yes] [--json]

DevMesh serves https://<service>.localhost with certificates from its own certificate authority (CA),
created once in $DEVMESH_HOME/ca and limited to localhost names. Trust it once and browsers, curl and
Node accept those certificates. These commands work whether or not DevMesh is running.

Actions:
  path    print the path of the CA certificate (PEM), e.g. for NODE_EXTRA_CA_CERTS or curl --cacert
  info    print the CA certificate's path, its SHA-256 fingerprint and the steps to trust it
  trust   print the commands that make this OS and its browsers trust the CA; with --yes, run them
          (some use sudo and ask for your password)

Options:
  --yes   (trust) run the steps instead of printing them
  --json  print JSON`,
        options: { yes: { type: 'boolean', short: 'y' }, json: { type: 'boolean' } },
        positionals: { min: 1, max: 1, name: '<path|info|trust>' },
        run: (ctx, args) => this.run(ctx, args),
      },
    ];
  }

  private async run(ctx: CliContext, args: CommandArgs): Promise<number> {
    const action = CaCommands.action(args.positionals[0]!);
    if (args.flag('yes') && action !== 'trust') throw new UsageError(`--yes applies only to 'devmesh ca trust'`, 'ca');
    const info = await this.open(ctx);
    if (action === 'path') {
      ctx.print(info.certPath);
      return EXIT.ok;
    }
    if (action === 'info') return this.info(ctx, args, info);
    return args.flag('yes') ? this.install(ctx, args, info) : this.printSteps(ctx, args, info);
  }

  private info(ctx: CliContext, args: CommandArgs, info: CaInfo): number {
    if (args.flag('json')) {
      ctx.printJson(info);
      return EXIT.ok;
    }
    ctx.print(`Certificate:  ${info.certPath}`);
    ctx.print(`SHA-256:      ${info.fingerprint}`);
    ctx.print('');
    ctx.print('Trust it on this machine with `devmesh ca trust` (prints the steps) or `devmesh ca trust --yes`.');
    return EXIT.ok;
  }

  private printSteps(ctx: CliContext, args: CommandArgs, info: CaInfo): number {
    if (args.flag('json')) {
      ctx.printJson(info);
      return EXIT.ok;
    }
    ctx.print(`To trust DevMesh's CA (${info.certPath}, SHA-256 ${info.fingerprint}):`);
    for (const step of info.trustSteps) {
      ctx.print('');
      ctx.print(`# ${step.what}`);
      ctx.print(step.command);
    }
    ctx.print('');
    ctx.print('Run them yourself, or let DevMesh run them: `devmesh ca trust --yes`. Restart the browser afterwards.');
    return EXIT.ok;
  }

  private async install(ctx: CliContext, args: CommandArgs, info: CaInfo): Promise<number> {
    const json = args.flag('json');
    const installer =
      this.deps.installer?.(json) ?? new CaTrustInstaller(undefined, json ? ['inherit', 2, 'inherit'] : 'inherit');
    const outcomes = await installer.runAll(info.trustSteps, (step) => {
      if (!json) ctx.print(`# ${step.what}\n$ ${step.command}`);
    });
    const failed = outcomes.filter((o) => !o.ok);
    if (json) {
      ctx.printJson({ certPath: info.certPath, fingerprint: info.fingerprint, steps: outcomes });
    } else {
      for (const o of failed) ctx.warn(`devmesh: ${o.error ?? `\`${o.step.command}\` failed`}`);
      ctx.print(
        failed.length === 0
          ? `DevMesh's CA is trusted (${outcomes.length} step${outcomes.length === 1 ? '' : 's'} done). Restart the browser to pick it up.`
          : `${outcomes.length - failed.length} of ${outcomes.length} steps succeeded; fix the failed ones above and run \`devmesh ca trust --yes\` again, ` +
              'or run the commands by hand (`devmesh ca trust` prints them).',
      );
    }
    return failed.length === 0 ? EXIT.ok : EXIT.error;
  }

  private async open(ctx: CliContext): Promise<CaInfo> {
    // Loaded only here: the X.509 library would slow every other command's start.
    const { LocalCertificateAuthority } = await import('../../core/tls/local-certificate-authority.js');
    ctx.home.ensure();
    const ca = await LocalCertificateAuthority.open(LocalCertificateAuthority.folderIn(ctx.home.dir), {
      trustSteps: this.deps.trustSteps ?? new CaTrustSteps(),
    });
    return ca.info();
  }

  private static action(raw: string): Action {
    if ((ACTIONS as readonly string[]).includes(raw)) return raw as Action;
    throw new UsageError(`unknown action '${raw}' for 'devmesh ca': use one of ${ACTIONS.join(', ')}`, 'ca');
  }
}
