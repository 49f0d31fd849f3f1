// The dialogs around "Install the devmesh command…" (macOS): asks before replacing a devmesh that is not
// DevMesh's wrapper (an npm install, say), then says where the command is and how to try it, or why it failed.
// The file writing itself is devmesh-command-installer.ts (plain Node, tested on its own).
import { dialog } from 'electron';
import type { DevmeshCommandInstaller } from './devmesh-command-installer.js';

export type CommandInstaller = Pick<DevmeshCommandInstaller, 'target' | 'existing' | 'install'>;

export async function installDevmeshCommand(installer: CommandInstaller): Promise<void> {
  if (installer.existing() === 'other') {
    const { response } = await dialog.showMessageBox({
      type: 'question',
      buttons: ['Replace', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      message: `Replace ${installer.target}?`,
      detail:
        `A devmesh command that DevMesh did not write is already at ${installer.target} (perhaps from npm). ` +
        "Replace it with the app's own?",
    });
    if (response !== 0) return;
  }
  try {
    const result = await installer.install();
    await dialog.showMessageBox({
      type: 'info',
      message: 'The devmesh command is installed',
      detail: `${result.path} runs the DevMesh inside this app. Open a new terminal and try \`devmesh status\`.`,
    });
  } catch (err) {
    if ((err as { canceled?: boolean }).canceled) return; // the user dismissed the password prompt
    dialog.showErrorBox(
      'Could not install the devmesh command',
      `Writing ${installer.target} failed: ${(err as Error).message}\n` +
        'You can create it yourself: a script that runs ' +
        'ELECTRON_RUN_AS_NODE=1 "<DevMesh executable>" "<app>/bin/devmesh.js" "$@".',
    );
  }
}
