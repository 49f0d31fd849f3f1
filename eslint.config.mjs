// ESLint for DevMesh: typescript-eslint's type-aware rules, React's hook rules for the renderer, and the
// import boundaries of docs/architecture.md ("Layers" and "Who imports whom") with eslint-plugin-boundaries.
// `npm run lint` runs it (scripts/lint.mjs), and so does `npm test`.
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import boundaries from 'eslint-plugin-boundaries';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

// Which core domain (main/core/<domain>/) may import which. Derived from the imports as they are after the
// domain cycles were broken; it must stay acyclic. `base` (helpers that import nothing of DevMesh) and
// `shared/` are importable by every domain and left out. A new domain folder imports only base and shared
// until it gets a row here; adding an arrow is a design decision: update docs/architecture.md with it.
export const coreDomainImports = {
  agents: ['health', 'locks', 'store', 'terminals'],
  audit: ['health', 'store'],
  base: [],
  config: [],
  databases: ['config', 'health', 'home', 'logs', 'projects', 'proxy', 'services', 'store'],
  coordination: ['agents', 'audit', 'events', 'health', 'locks', 'projects', 'store', 'tasks', 'terminals'],
  environment: ['health'],
  events: [],
  files: ['health', 'locks'],
  health: [],
  home: [],
  locks: [],
  logging: [],
  logs: ['events', 'health', 'store'],
  mesh: ['events', 'health', 'proxy', 'settings', 'store'],
  metrics: ['environment', 'health', 'settings', 'store'],
  native: [],
  projects: ['config', 'events', 'logs', 'services', 'store'],
  proxy: ['config', 'events', 'health', 'projects', 'services', 'store'],
  recovery: ['audit', 'events', 'health', 'home', 'services', 'store', 'terminals'],
  reminders: ['audit', 'health', 'locks', 'store'],
  services: ['config', 'environment', 'events', 'health', 'logs', 'store'],
  settings: [],
  store: ['events', 'health', 'home'],
  tasks: ['locks', 'store'],
  team: ['agents', 'audit', 'coordination', 'events', 'health', 'locks', 'mesh', 'projects', 'store', 'tasks'],
  terminals: ['environment', 'events', 'health'],
  tls: ['proxy'],
  usage: ['health', 'store'],
};

const core = (...domains) => ({ element: { type: 'core', captured: domains.map((domain) => ({ domain })) } });
const layer = (...types) => ({ element: { types: { anyOf: types } } });
const electronModule = { module: { origin: 'external', source: ['electron', 'electron/*'] } };
const nodeBuiltin = { module: { origin: 'core' } };

const boundaryPolicies = [
  // Packages: anyone may import them, with the exceptions below (checked as disallow, which wins).
  { allow: { to: { module: { origin: 'external' } } } },
  { from: layer('core', 'core-root', 'api', 'cli', 'electron'), allow: { to: nodeBuiltin } },
  // shared/ is the zod contract both ends load: zod and itself, nothing else.
  { from: layer('shared'), allow: { to: layer('shared') } },
  {
    from: layer('shared'),
    disallow: { to: { module: { origin: 'external', source: '!zod' } } },
    message: 'shared/ may import only zod and shared files (it runs in the renderer and in Node)',
  },
  // main/core/<domain>/: shared, base, and the domains its row of coreDomainImports names.
  { from: layer('core'), allow: { to: [layer('shared'), core('base')] } },
  { from: layer('core'), allow: { to: core('{{ from.element.captured.domain }}') } },
  ...Object.entries(coreDomainImports)
    .filter(([, to]) => to.length > 0)
    .map(([domain, to]) => ({ from: core(domain), allow: { to: core(...to) } })),
  // main/core/*.ts (DevMeshCore and its modules) composes every domain.
  { from: layer('core-root'), allow: { to: layer('shared', 'core', 'core-root') } },
  { from: layer('api'), allow: { to: layer('shared', 'core', 'core-root', 'api') } },
  { from: layer('cli'), allow: { to: layer('shared', 'core', 'core-root', 'api', 'cli') } },
  { from: layer('electron'), allow: { to: layer('shared', 'core', 'core-root', 'api', 'electron') } },
  { from: layer('preload'), allow: { to: layer('shared', 'preload') } },
  { from: layer('renderer'), allow: { to: layer('shared', 'renderer') } },
  // Only main/electron and preload run inside Electron.
  {
    from: layer('shared', 'core', 'core-root', 'api', 'cli', 'renderer'),
    disallow: { to: electronModule },
    message:
      '{{ from.element.type }} code runs on plain Node or in a browser: only main/electron and preload import electron',
  },
  {
    from: layer('preload'),
    disallow: { to: { module: { origin: 'external', source: '!electron' } } },
    message: 'preload/ may import only electron and shared/',
  },
];

const boundarySettings = {
  'boundaries/elements': [
    { type: 'shared', pattern: 'shared', partialMatch: false },
    { type: 'core', pattern: 'main/core/*', capture: ['domain'], partialMatch: false },
    // The files directly in main/core/ (a domain folder inside it is the closer element, so it wins).
    { type: 'core-root', pattern: 'main/core', partialMatch: false },
    { type: 'api', pattern: 'main/api', partialMatch: false },
    { type: 'cli', pattern: 'main/cli', partialMatch: false },
    { type: 'electron', pattern: 'main/electron', partialMatch: false },
    { type: 'preload', pattern: 'preload', partialMatch: false },
    { type: 'renderer', pattern: 'renderer', partialMatch: false },
  ],
  'boundaries/include': ['shared/**', 'main/**', 'preload/**', 'renderer/**'],
  'boundaries/dependency-nodes': ['import', 'export', 'dynamic-import', 'require'],
  'import/resolver': { [here('./scripts/eslint-ts-resolver.cjs')]: {} },
};

const boundaryRule = (policies) => [
  'error',
  { default: 'disallow', checkAllOrigins: true, checkUnknownLocals: true, policies },
];

// The wiring: each domain's module (it builds the domain's parts from other domains' parts, e.g.
// terminals/terminals-module.ts) and the views of the open projects the modules hand to the mesh, terminals and
// agents (main/core/project-views.ts). It composes domains, so it may import any of them; the graph above holds
// between the domains' own files.
const wiringFiles = ['main/core/*/*-module.ts', 'main/core/project-views.ts'];

// Import boundaries between layers and between core domains (exported for tests/lint/import-boundaries.test.ts).
export const boundariesConfig = [
  {
    files: ['shared/**/*.ts', 'main/**/*.ts', 'preload/**/*.ts', 'renderer/**/*.{ts,tsx}'],
    plugins: { boundaries },
    settings: boundarySettings,
    rules: {
      'boundaries/dependencies': boundaryRule(boundaryPolicies),
      'boundaries/no-unknown-files': 'error',
    },
  },
  {
    files: wiringFiles,
    rules: {
      'boundaries/dependencies': boundaryRule([
        ...boundaryPolicies,
        { from: layer('core', 'core-root'), allow: { to: layer('core', 'core-root') } },
      ]),
    },
  },
];

const nodeGlobals = Object.fromEntries(
  [
    'process',
    'console',
    'URL',
    'URLSearchParams',
    'Buffer',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'setImmediate',
    'clearImmediate',
    'AbortController',
    'AbortSignal',
    'fetch',
    'performance',
    'TextEncoder',
    'TextDecoder',
    'structuredClone',
    'queueMicrotask',
    'globalThis',
    'WebSocket',
    'require',
    'module',
    '__dirname',
    '__filename',
    'exports',
  ].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '.tools/**',
      'dist/**',
      'release/**',
      'test-results/**',
      'coverage/**',
      '.vitest-cache/**',
      'examples/**',
      'tests/**/fixtures/**',
      'renderer/dist/**',
    ],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  // Scripts and benches: plain JavaScript on Node, no type information.
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [js.configs.recommended],
    languageOptions: { globals: nodeGlobals },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
      // `catch {}` around best-effort clean-up in scripts is the rule's one exception the product never gets.
      'no-empty': ['error', { allowEmptyCatch: true }],
      // Benches declare `let x = null` before a try so that a failed section reports null, not undefined.
      'no-useless-assignment': 'off',
    },
  },
  // TypeScript: recommended + type-aware rules, each file type-checked with its layer's tsconfig.
  {
    files: ['**/*.{ts,tsx,mts}'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { tsconfigRootDir: here('.') } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      // `typeof import('node-pty')` annotates a lazily required native module: keep it allowed.
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'separate-type-imports', disallowTypeAnnotations: false },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // The team's rule is "no empty catch" (STYLE.md); an empty function body (a no-op listener) is fine.
      'no-empty': ['error', { allowEmptyCatch: false }],
      '@typescript-eslint/no-empty-function': 'off',
      // Turned off, each not worth its noise here:
      // - require-await: async methods without await implement async interfaces; dropping `async` would turn
      //   their throws into synchronous throws (a behaviour change), and 61 sites have it.
      // - unbound-method: flags callback props declared as methods in React props (`onClose(): void`) and
      //   static helpers passed to map(); none of them uses `this`.
      // - no-base-to-string: `String(err.code ?? '')` on unknown values and ws's RawData (a Buffer with the
      //   default binaryType) are deliberate.
      // - no-require-imports: native modules (node-pty, better-sqlite3, electron-updater) load lazily with
      //   require() so a missing binary fails where it is used, with an explanation.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      // Errors caught as `unknown` are rethrown or rejected as they came.
      '@typescript-eslint/only-throw-error': ['error', { allowThrowingUnknown: true }],
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
    },
  },
  {
    files: ['shared/**/*.ts', 'main/core/**/*.ts', 'main/api/**/*.ts', 'main/cli/**/*.ts'],
    languageOptions: { parserOptions: { project: ['./tsconfig.node.json'] } },
  },
  {
    files: ['main/electron/**/*.ts', 'preload/**/*.ts'],
    languageOptions: { parserOptions: { project: ['./tsconfig.electron.json'] } },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    ignores: ['renderer/vite.config.mts'],
    languageOptions: { parserOptions: { project: ['./tsconfig.renderer.json'] } },
  },
  { files: ['tests/**/*.{ts,tsx}'], languageOptions: { parserOptions: { project: ['./tsconfig.tests.json'] } } },
  // Build configs are in no tsconfig: lint them without type information.
  { files: ['**/*.mts'], extends: [tseslint.configs.disableTypeChecked] },
  {
    files: ['tests/**/*.{ts,tsx}'],
    rules: {
      // Tests read JSON from processes and sockets and check its shape with expect(); typing each read
      // would add casts, not safety.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      // Tests reject with the error a Node callback handed over.
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
      // tsconfig.tests.json turns noUncheckedIndexedAccess off, so the `!` a test shares with product code
      // reads as unnecessary here and necessary there.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // The React Compiler's rules (set-state-in-effect, refs) flag the pre-compiler idioms the renderer uses
      // on purpose: a session object created in an effect and stored in state, the "latest ref" pattern.
      // The code does not run the compiler; the classic rules-of-hooks and exhaustive-deps stay on.
      'react-hooks/set-state-in-effect': 'off',
      'react-hooks/refs': 'off',
    },
  },
  ...boundariesConfig,
);
