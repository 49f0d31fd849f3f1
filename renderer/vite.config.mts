// Builds the React UI into dist/renderer. The same files are loaded from file:// by Electron and from
// http://127.0.0.1:<port>/ by the daemon, so every asset URL is relative (base './').
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const here = import.meta.dirname;

/** The dev server injects an inline React Refresh preamble that the CSP would block; the CSP stays in every build. */
const dropCspInDev: Plugin = {
  name: 'devmesh-drop-csp-in-dev',
  apply: 'serve',
  transformIndexHtml: (html) => html.replace(/<meta\s+http-equiv="Content-Security-Policy"[^>]*>/, ''),
};

export default defineConfig({
  root: here,
  base: './',
  plugins: [react(), dropCspInDev],
  build: {
    outDir: `${here}/../dist/renderer`,
    emptyOutDir: true,
    target: 'es2022',
    // The CSP forbids inline scripts, and a file:// page cannot rely on a module-preload polyfill fetch.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: true,
  },
});
