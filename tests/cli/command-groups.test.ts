// The command table that lets `devmesh <command>` load only its own group: each group's declared names are
// exactly the commands its module returns, so dispatch, `help <command>` and "did you mean" cannot drift.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { commandGroups } from '../../main/cli/command-groups.js';
import { scaled } from '../helpers/load-scale.js';

describe('command groups', () => {
  it(
    'declare exactly the commands their modules define, each name once',
    async () => {
      const groups = commandGroups({ stdin: new PassThrough(), env: {} });
      const all: string[] = [];
      for (const group of groups) {
        const names = (await group.load()).map((c) => c.name);
        expect(names).toEqual([...group.names]);
        all.push(...names);
      }
      expect(new Set(all).size).toBe(all.length);
      expect(all).toEqual(expect.arrayContaining(['up', 'down', 'version', 'status', 'logs', 'term', 'hook', 'mcp']));
    },
    scaled(60_000),
  );
});
