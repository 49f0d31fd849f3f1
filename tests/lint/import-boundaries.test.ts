// The import boundaries of eslint.config.mjs (the layers and the graph between core domains) run with ESLint's
// own API on small sources placed at real paths: a forbidden import must fail, an allowed one must pass.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');

async function boundaryErrors(file: string, source: string): Promise<string[]> {
  const config = (await import(pathToFileURL(join(root, 'eslint.config.mjs')).href)) as {
    boundariesConfig: Linter.Config[];
  };
  const eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [
      { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser as Linter.Parser } },
      ...config.boundariesConfig,
    ],
  });
  const [result] = await eslint.lintText(source, { filePath: join(root, file) });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'fatal'}: ${m.message}`);
}

describe('import boundaries', () => {
  it('lets a core domain import the domains its row allows, base and shared', async () => {
    const source = [
      "import { Database } from '../store/database.js';",
      "import { didYouMean } from '../base/did-you-mean.js';",
      "import { DevMeshError } from '../../../shared/devmesh-error.js';",
      "import { spawn } from 'node:child_process';",
      'export const used = [Database, didYouMean, DevMeshError, spawn];',
    ].join('\n');
    expect(await boundaryErrors('main/core/services/new-file.ts', source)).toEqual([]);
  });

  it('refuses an import between core domains that the allowed graph does not list', async () => {
    const errors = await boundaryErrors(
      'main/core/services/new-file.ts',
      "import { ProxyServer } from '../proxy/proxy-server.js';\nexport const used = ProxyServer;",
    );
    expect(errors).toEqual([expect.stringMatching(/^boundaries\/dependencies: .*domain="services".*domain="proxy"/)]);
  });

  it("lets a domain's module wire other domains, which the domain's own files may not import", async () => {
    const source = "import { ProxyServer } from '../proxy/proxy-server.js';\nexport const used = ProxyServer;";
    expect(await boundaryErrors('main/core/services/services-module.ts', source)).toEqual([]);
    expect(await boundaryErrors('main/core/services/service-module-helper.ts', source)).toHaveLength(1);
    const face = "import { DevMeshApi } from '../../api/devmesh-api.js';\nexport const used = DevMeshApi;";
    expect(await boundaryErrors('main/core/services/services-module.ts', face)).toHaveLength(1);
  });

  it('refuses electron outside main/electron and preload, and a face from the core', async () => {
    const source =
      "import { app } from 'electron';\nimport { DevMeshApi } from '../../api/devmesh-api.js';\nexport const used = [app, DevMeshApi];";
    const errors = await boundaryErrors('main/core/store/new-file.ts', source);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/only main\/electron and preload import electron/);
    expect(errors[1]).toMatch(/to elements of type "api"/);
  });

  it('keeps shared/ to zod, the renderer off Node and main/, the preload to electron and shared/', async () => {
    expect(await boundaryErrors('shared/new-file.ts', "import { z } from 'zod';\nexport const used = z;")).toEqual([]);
    expect(
      await boundaryErrors('shared/new-file.ts', "import { parse } from 'yaml';\nexport const used = parse;"),
    ).toHaveLength(1);
    expect(
      await boundaryErrors(
        'renderer/new-file.ts',
        "import { readFileSync } from 'node:fs';\nexport const used = readFileSync;",
      ),
    ).toHaveLength(1);
    expect(
      await boundaryErrors(
        'renderer/new-file.ts',
        "import { DevMeshCore } from '../main/core/devmesh-core.js';\nexport const used = DevMeshCore;",
      ),
    ).toHaveLength(1);
    expect(
      await boundaryErrors(
        'preload/new-file.ts',
        "import { ipcRenderer } from 'electron';\nexport const used = ipcRenderer;",
      ),
    ).toEqual([]);
    expect(
      await boundaryErrors('preload/new-file.ts', "import { z } from 'zod';\nexport const used = z;"),
    ).toHaveLength(1);
  });
});
