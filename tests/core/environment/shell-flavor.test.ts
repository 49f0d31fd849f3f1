// Each shell family gets the flags it accepts: a wrong flag makes the shell refuse to start (tcsh takes -l
// only alone, pwsh has -Login), and an unknown shell is never handed -l.
import { describe, expect, it } from 'vitest';
import { ShellFlavor } from '../../../main/core/environment/shell-flavor.js';

describe('ShellFlavor', () => {
  it('starts known shells as login shells in terminals, and leaves an unknown one alone', () => {
    expect(new ShellFlavor('/bin/bash').loginArgs()).toEqual(['-l']);
    expect(new ShellFlavor('/bin/zsh').loginArgs()).toEqual(['-l']);
    expect(new ShellFlavor('/bin/sh').loginArgs()).toEqual(['-l']);
    expect(new ShellFlavor('/usr/bin/fish').loginArgs()).toEqual(['-l']);
    expect(new ShellFlavor('/usr/local/bin/pwsh').loginArgs()).toEqual(['-Login']);
    expect(new ShellFlavor('/usr/bin/python3').loginArgs()).toEqual([]);
  });

  it('probes each family with flags it accepts, and quotes a Node path holding a quote', () => {
    expect(new ShellFlavor('/bin/tcsh').envProbe('/n', 'M').args[0]).toBe('-ic');
    expect(new ShellFlavor('/opt/pwsh').envProbe('/n', 'M').args.slice(0, 2)).toEqual(['-Login', '-Command']);
    expect(new ShellFlavor('/bin/nu').envProbe('/n', 'M').args[3]).toMatch(/^\^'\/n' -p /);
    expect(new ShellFlavor('/bin/xonsh').envProbe('/n', 'M').args[3]).toContain('json.dumps(dict(os.environ))');
    const posix = new ShellFlavor('/bin/zsh').envProbe("/Apps/Dev's Mesh.app/node", 'M').args;
    expect(posix.slice(0, 3)).toEqual(['-i', '-l', '-c']);
    expect(posix[3]).toBe(`'/Apps/Dev'\\''s Mesh.app/node' -p '"M" + JSON.stringify(process.env) + "M"'`);
  });
});
