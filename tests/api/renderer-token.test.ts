// The browser UI reaches the API only with the token the daemon writes into index.html's empty
// <meta name="devmesh-token"> tag. A formatter rewriting that tag (`content="" />`) once left every page without
// it: the UI then retried "authentication failed" forever. The real page must keep a tag the daemon recognises.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { injectToken } from '../../main/api/renderer-assets.js';

const root = join(__dirname, '..', '..');

describe('the API token in the served page', () => {
  it("fills the tag of the repository's renderer/index.html", () => {
    const page = readFileSync(join(root, 'renderer', 'index.html'), 'utf8');
    expect(injectToken(page, 'tok123')).toContain('<meta name="devmesh-token" content="tok123">');
  });

  it('fills the tag as written by hand and as Prettier writes it', () => {
    for (const tag of ['<meta name="devmesh-token" content="">', '<meta name="devmesh-token" content="" />']) {
      const html = injectToken(`<head>${tag}<title>x</title></head>`, 'abc');
      expect(html).toBe('<head><meta name="devmesh-token" content="abc"><title>x</title></head>');
    }
  });

  it('says there is no tag rather than serving a page that cannot reach the API', () => {
    expect(injectToken('<head><title>x</title></head>', 'abc')).toBeNull();
  });

  it('writes a token with $ patterns as it is', () => {
    expect(injectToken('<meta name="devmesh-token" content="">', "a$&b$'")).toBe(
      `<meta name="devmesh-token" content="a$&b$'">`,
    );
  });
});
