// An import resolver (eslint-module-utils interface v2) for eslint-plugin-boundaries: the code imports
// `./file.js` as TypeScript's NodeNext resolution asks, and the file on disk is `./file.ts` or `./file.tsx`.
// Relative specifiers map to the .ts/.tsx file that exists; everything else goes to eslint-import-resolver-node
// (packages and Node built-ins), which the plugin uses by default.
const { existsSync } = require('node:fs');
const { dirname, resolve } = require('node:path');
const nodeResolver = require('eslint-import-resolver-node');

exports.interfaceVersion = 2;
exports.resolve = (source, file, config) => {
  if (source.startsWith('.')) {
    const base = resolve(dirname(file), source);
    const stem = base.replace(/\.(c|m)?js$/, '');
    for (const candidate of [`${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, base, `${base}.ts`, `${base}.tsx`]) {
      if (existsSync(candidate)) return { found: true, path: candidate };
    }
  }
  return nodeResolver.resolve(source, file, config ?? {});
};
