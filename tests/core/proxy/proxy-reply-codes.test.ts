// The README's table "When DevMesh answers itself" is what users and scripts read to know the proxy's reply codes:
// it must list exactly the closed union the proxy is typed with, each code with the statuses it is sent with.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROXY_REPLY_CODES } from '../../../shared/wire-errors.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

function documentedCodes(): string[] {
  const start = readme.indexOf('**When DevMesh answers itself:**');
  expect(start).toBeGreaterThan(-1);
  const table = readme.slice(start).split('\n\n')[1] ?? '';
  return [...table.matchAll(/^\|[^|]+\|\s*`([a-z_]+)`\s*\|/gm)].map((m) => m[1]!);
}

describe('proxy reply codes', () => {
  it('the README documents every code of PROXY_REPLY_CODES, once, and no other', () => {
    const documented = documentedCodes();
    expect([...documented].sort()).toEqual([...PROXY_REPLY_CODES].sort());
  });
});
