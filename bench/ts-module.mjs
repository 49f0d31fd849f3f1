// Loads main/core TypeScript into a bench: the `exports` lines are bundled in memory by esbuild (a
// devDependency; npm packages stay external) and compiled as a CommonJS module that lives in `dir`, so its
// `require('better-sqlite3')` finds the repository's node_modules. The code measured is the tree's, not dist/.
import Module from 'node:module';
import { join } from 'node:path';

/** `exports`: lines such as "export { LockManager } from './main/core/locks/lock-manager.ts';" */
export async function loadTs(root, dir, name, exports) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch (err) {
    throw new Error(
      `${name} needs esbuild (a devDependency) to load main/core: run \`npm run setup\` (${err.message})`,
      {
        cause: err,
      },
    );
  }
  try {
    const out = await esbuild.build({
      stdin: { contents: exports.join('\n'), resolveDir: root, sourcefile: `${name}.ts`, loader: 'ts' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node22',
      packages: 'external',
      write: false,
      logLevel: 'silent',
    });
    const filename = join(root, dir, `${name}.bundle.cjs`);
    const m = new Module(filename);
    m.filename = filename;
    m.paths = Module._nodeModulePaths(join(root, dir));
    m._compile(out.outputFiles[0].text, filename);
    return m.exports;
  } finally {
    await esbuild.stop?.(); // its service process would otherwise live as long as we do
  }
}
