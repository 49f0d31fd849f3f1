// What an AppImage launch and Electron put into the app's environment never reaches what DevMesh starts.
import { describe, expect, it } from 'vitest';
import { stripPackagingEnv } from '../../../main/core/environment/packaging-env.js';

const MOUNT = '/tmp/.mount_DevMesXyZ12';

// What electron-builder's AppImage (AppRun + the type-2 runtime) and Electron leave in the main process's env.
const APPIMAGE_LAUNCH = {
  HOME: '/home/ada',
  PATH: `${MOUNT}:${MOUNT}/usr/sbin:/usr/local/bin:/usr/bin:/bin`,
  LD_LIBRARY_PATH: `${MOUNT}/usr/lib:${MOUNT}/usr/lib64:`,
  XDG_DATA_DIRS: `${MOUNT}/usr/share:/usr/local/share:/usr/share`,
  APPDIR: MOUNT,
  APPIMAGE: '/home/ada/Applications/DevMesh-1.0.0.AppImage',
  ARGV0: '/home/ada/Applications/DevMesh-1.0.0.AppImage',
  OWD: '/home/ada',
  CHROME_DESKTOP: 'devmesh.desktop',
  XDG_CURRENT_DESKTOP: 'Unity',
  ORIGINAL_XDG_CURRENT_DESKTOP: 'ubuntu:GNOME',
  ELECTRON_RUN_AS_NODE: '1',
  NVM_DIR: '/home/ada/.nvm',
};

describe('stripPackagingEnv', () => {
  it("takes out the AppImage's variables and its list entries, Electron's leftovers, and nothing of the user's", () => {
    const env = stripPackagingEnv(APPIMAGE_LAUNCH);
    expect(env).toEqual({
      HOME: '/home/ada',
      PATH: '/usr/local/bin:/usr/bin:/bin',
      XDG_DATA_DIRS: '/usr/local/share:/usr/share',
      XDG_CURRENT_DESKTOP: 'ubuntu:GNOME',
      NVM_DIR: '/home/ada/.nvm',
    });
  });

  it("keeps the user's own LD_LIBRARY_PATH after the AppImage's entries, and leaves the input alone", () => {
    const input = { ...APPIMAGE_LAUNCH, LD_LIBRARY_PATH: `${MOUNT}/usr/lib:/opt/cuda/lib64` };
    expect(stripPackagingEnv(input).LD_LIBRARY_PATH).toBe('/opt/cuda/lib64');
    expect(input.APPDIR).toBe(MOUNT);
  });

  it('does not take a folder that merely starts like the mount for one inside it', () => {
    const env = stripPackagingEnv({ APPDIR: MOUNT, PATH: `${MOUNT}-other/bin:/usr/bin` });
    expect(env.PATH).toBe(`${MOUNT}-other/bin:/usr/bin`);
  });

  it('removes XDG_CURRENT_DESKTOP when Electron says there was none, and changes nothing outside an AppImage', () => {
    expect(stripPackagingEnv({ XDG_CURRENT_DESKTOP: 'Unity', ORIGINAL_XDG_CURRENT_DESKTOP: 'undefined' })).toEqual({});
    const plain = { PATH: '/usr/bin::/bin', LD_LIBRARY_PATH: '/opt/lib' };
    expect(stripPackagingEnv(plain)).toEqual(plain);
  });
});
