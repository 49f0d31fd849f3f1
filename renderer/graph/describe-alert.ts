// How a version alert reads in a toast and in the alerts list: who needs what, and what it got instead.
import type { VersionAlert } from '../../shared/mesh.js';

/** "web needs auth ^2.1" */
export const describeNeed = (a: VersionAlert): string => `${a.caller.service} needs ${a.dependency} ${a.range}`;

/** "alice's auth is 3.0.0" / "the local auth is 3.0.0" */
export const describeInstance = (a: VersionAlert): string =>
  `${a.instance.local ? 'the local' : `${a.instance.agent}'s`} ${a.instance.service} is ${a.instance.version}`;

/** The toast: "Version mismatch: web needs auth ^2.1, but alice's auth is 3.0.0 (request refused)" */
export const describeAlert = (a: VersionAlert): string =>
  `Version mismatch: ${describeNeed(a)}, but ${describeInstance(a)} (${a.action === 'refused' ? 'request refused' : 'request sent anyway'})`;
