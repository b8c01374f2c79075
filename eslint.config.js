// ESLint: correctness rules and the layer rules of ARCHITECTURE.md as code. Layout and style are
// Prettier's job (`npm run format`), so every stylistic rule is off (eslint-config-prettier) but one:
// the line length Prettier cannot reach (strings, template literals, comments).
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import prettier from 'eslint-config-prettier';
import stylistic from '@stylistic/eslint-plugin';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The layers. Each top-level folder is one element; a file may import only from the elements its
 * policy lists (default: disallow). The production graph is a DAG, so no two folders import each
 * other: core ← export ← {node, runtime} ← ui, and train beside node.
 */
const elements = [
  { type: 'core', pattern: 'src/core' },
  { type: 'export', pattern: 'export' },
  { type: 'node', pattern: 'src/node' },
  { type: 'runtime', pattern: 'src/runtime' },
  { type: 'ui', pattern: 'src/ui' },
  { type: 'test-support', pattern: 'src/test-support' },
  // What is left directly in src: main.tsx, the page's entry.
  { type: 'app', pattern: 'src' },
  { type: 'train', pattern: 'train' },
  { type: 'e2e', pattern: 'e2e' },
  { type: 'vite-plugins', pattern: 'vite-plugins' },
  { type: 'scripts', pattern: 'scripts' },
].map((e) => ({ ...e, partialMatch: false }));

/** Test code: unit tests, and the programs that measure or check (benchmarks, parity checks). */
const testFiles = ['**/*.test.ts', '**/*.test.tsx'];
const checkingPrograms = ['**/bench/**', '**/bench-*.ts', 'src/node/dataset/bench.ts', 'train/parity-check.ts'];

const element = (...types) => ({ to: { element: { types: { anyOf: types } } } });
const production = ['core', 'export', 'node', 'runtime', 'ui'];

const layerPolicies = [
  // The DOM-free core is shared by the browser, the CLIs and the tests: it depends on nothing here.
  { from: { element: { type: 'core' } }, allow: element('core') },
  // The exporter runs in Node and, for a dropped .pt, in the browser: core only.
  { from: { element: { type: 'export' } }, allow: element('core', 'export') },
  { from: { element: { type: 'node' } }, allow: element('core', 'export', 'node') },
  { from: { element: { type: 'runtime' } }, allow: element('core', 'export', 'runtime') },
  { from: { element: { type: 'ui' } }, allow: element('core', 'runtime', 'ui') },
  { from: { element: { type: 'app' } }, allow: element('ui') },
  { from: { element: { type: 'train' } }, allow: element('core', 'export', 'node', 'train') },
  { from: { element: { type: 'vite-plugins' } }, allow: element('runtime', 'vite-plugins') },
  // Test code sits on top: the one test-support home may use any production layer but the page.
  { from: { element: { type: 'test-support' } }, allow: element('core', 'export', 'node', 'runtime', 'test-support') },
  { from: { element: { type: 'e2e' } }, allow: element(...production, 'test-support', 'e2e') },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'test-results/',
      'playwright-report/',
      '.cache/',
      'public/',
      'fixtures/',
      'train/runs/',
      'train/data/',
      '**/*.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      // Unused parameters are part of implemented interfaces; prefix with _ to say so.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Non-null assertions after a check the compiler cannot follow (Map.get after has) are used
      // deliberately and sparingly; a runtime check would say the same thing twice.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { typescript: { alwaysTryTypes: true } },
      'boundaries/elements': elements,
    },
    rules: {
      'boundaries/dependencies': ['error', { default: 'disallow', policies: layerPolicies }],
    },
  },
  {
    // Tests and checking programs may use test support and any production layer, except that the
    // core's own tests stay inside core + test-support (so core code is testable on its own terms).
    files: [...testFiles, ...checkingPrograms],
    ignores: ['src/core/**'],
    rules: {
      'boundaries/dependencies': [
        'error',
        { default: 'disallow', policies: [{ allow: element(...production, 'train', 'test-support', 'e2e') }] },
      ],
    },
  },
  {
    files: ['src/core/**/*.test.ts', 'src/core/**/bench-*.ts'],
    rules: {
      'boundaries/dependencies': [
        'error',
        { default: 'disallow', policies: [{ allow: element('core', 'test-support') }] },
      ],
    },
  },
  {
    // Playwright reads a test's fixtures from its first parameter and requires an object pattern
    // there, so a test that needs only testInfo writes `async ({}, testInfo)`.
    files: ['e2e/**/*.ts'],
    rules: { 'no-empty-pattern': 'off' },
  },
  {
    // The core runs in the page, the worker, Node and the tests: no platform module, no React, no
    // ONNX runtime (that sits behind GraphRunner).
    files: ['src/core/**/*.ts'],
    ignores: testFiles,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*'],
              message: 'src/core is platform-free: Node file and process access belongs in src/node.',
            },
            { group: ['react', 'react-dom', 'react/*'], message: 'src/core has no UI: React belongs in src/ui.' },
            { group: ['onnxruntime-*'], message: 'src/core reaches ONNX runtimes only through GraphRunner.' },
          ],
        },
      ],
    },
  },
  prettier,
  {
    // Prettier breaks code at 120 but never strings or comments; after `prettier`, which turns max-len off.
    plugins: { '@stylistic': stylistic },
    rules: { '@stylistic/max-len': ['error', { code: 140, ignoreUrls: true, ignoreRegExpLiterals: true }] },
  },
);
