// Builds the React UI into dist/renderer. The same files are loaded from app://devmesh/ by Electron and from
// http://127.0.0.1:<port>/ by the daemon, so every asset URL is relative (base './'). Both send the page's
// CSP as a header (shared/content-security-policy.ts); the dev server sends none (React Refresh is inline).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = import.meta.dirname;

export default defineConfig({
  root: here,
  base: './',
  plugins: [react()],
  build: {
    outDir: `${here}/../dist/renderer`,
    emptyOutDir: true,
    target: 'es2022',
    // Chromium (the app's and the browsers the UI supports) preloads modules natively: no polyfill.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: true,
  },
});
